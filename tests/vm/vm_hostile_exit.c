// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Owner exit or exec with the queue fd kept elsewhere (issue 7, section 3,
 * stuck bond): an owner that opened without O_CLOEXEC, fork+exec'd a
 * long-lived program and exited (or exec'd itself) must get its hardware
 * queue and PASID back at once: the framework shuts the queue down when
 * the owner's mm is released, without waiting for the last fd. The
 * program's fd is DEFUNCT: EPERM if it was not shared, else ESRCH, PUT_Q
 * 0, POLLERR|POLLHUP, mmap ESRCH. The program is the test binary itself
 * (--hostile-survivor).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_hostile.h"

#define OFF_DUS ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)

/* What the survivor found; bits of bad: 1 QUEUE_INFO, 2 START_Q, 4 mmap,
 * 8 poll, 16 PUT_Q, 32 the inherited fd is not open. */
struct surv_rep {
	int bad;
	int e_info, e_start, e_mmap, e_put;
	int revents;
};

#define SURV_BITS "1 QUEUE_INFO, 2 START_Q, 4 mmap, 8 poll, 16 PUT_Q, 32 fd not inherited"

static int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/*
 * "ak-vm-tests --hostile-survivor QFD CTL shared|private": the exec'd
 * program that keeps the queue fd of an exited owner. On 'c' it checks
 * the fd and answers a struct surv_rep; it exits on 'e' or EOF.
 */
int vm_hostile_survivor_main(int argc, char **argv)
{
	struct accelkit_queue_info qi;
	struct surv_rep rep;
	int qfd, ctl, shared;
	char c;

	if (argc < 5)
		return 64;
	qfd = atoi(argv[2]);
	ctl = atoi(argv[3]);
	shared = !strcmp(argv[4], "shared");
	while (read(ctl, &c, 1) == 1 && c == 'c') {
		struct pollfd pf = { .fd = qfd, .events = POLLIN };
		void *p;

		memset(&rep, 0, sizeof(rep));
		if (fcntl(qfd, F_GETFD) < 0)
			rep.bad |= 32;
		rep.e_info = ioctl_err(qfd, ACCELKIT_CMD_QUEUE_INFO, &qi);
		if (shared) {
			rep.e_start = ioctl_err(qfd, UACCE_CMD_START_Q, NULL);
			p = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, qfd, 0);
			rep.e_mmap = p == MAP_FAILED ? errno : 0;
			if (p != MAP_FAILED)
				munmap(p, AK_PAGE);
			if (poll(&pf, 1, 0) == 1)
				rep.revents = pf.revents;
			if (rep.e_info != ESRCH)
				rep.bad |= 1;
			if (rep.e_start != ESRCH)
				rep.bad |= 2;
			if (rep.e_mmap != ESRCH)
				rep.bad |= 4;
			if ((rep.revents & (POLLERR | POLLHUP)) !=
			    (POLLERR | POLLHUP) || (rep.revents & POLLIN))
				rep.bad |= 8;
			/* PUT_Q last: it is the one that succeeds */
			rep.e_put = ioctl_err(qfd, UACCE_CMD_PUT_Q, NULL);
			if (rep.e_put)
				rep.bad |= 16;
		} else {
			if (rep.e_info != EPERM)
				rep.bad |= 1;
			rep.e_put = ioctl_err(qfd, UACCE_CMD_PUT_Q, NULL);
			if (rep.e_put != EPERM)
				rep.bad |= 16;
		}
		if (write(ctl, &rep, sizeof(rep)) != sizeof(rep))
			return 2;
	}
	return 0;
}

struct survivor {
	pid_t pid;	/* the exec'd program (reparented to us) */
	int ctl;
};

#define SV_SHARED	1	/* the owner SHAREs the queue first */
#define SV_EXEC_SELF	2	/* the owner execs itself (no fork, no exit) */

/*
 * Fork an owner that opens a queue without O_CLOEXEC, maps it, starts it
 * (SHAREs it if SV_SHARED), fork+execs the survivor and exits without
 * closing anything (SV_EXEC_SELF: execs the survivor itself). Returns 0
 * and fills @s, or a message in @err.
 */
static int survivor_start(struct survivor *s, int how, char *err,
			  size_t elen)
{
	int shared = how & SV_SHARED;
	int sv[2], pp[2], st, to;
	char ws[64];
	pid_t owner;

	s->pid = -1;
	s->ctl = -1;
	/* sv[1] is inherited by the owner's exec'd child: no CLOEXEC */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe2(pp, O_CLOEXEC)) {
		snprintf(err, elen, "socketpair/pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	fflush(NULL);
	owner = fork();
	if (owner == 0) {
		struct accelkit_queue_info qi;
		char sfd[16], sctl[16];
		void *mmio, *dus;
		int fd;
		pid_t pid;

		close(sv[0]);
		close(pp[0]);
		fd = open(g_node, O_RDWR);	/* deliberately not O_CLOEXEC */
		if (fd < 0)
			_exit(10);
		if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi))
			_exit(11);
		mmio = mmap(NULL, qi.mmio_size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
		dus = mmap(NULL, qi.dus_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, OFF_DUS);
		if (mmio == MAP_FAILED || dus == MAP_FAILED)
			_exit(12);
		if (ioctl(fd, UACCE_CMD_START_Q))
			_exit(13);
		if (shared && ioctl(fd, ACCELKIT_CMD_SHARE))
			_exit(14);
		snprintf(sfd, sizeof(sfd), "%d", fd);
		snprintf(sctl, sizeof(sctl), "%d", sv[1]);
		if (how & SV_EXEC_SELF) {
			pid = getpid();
			if (write(pp[1], &pid, sizeof(pid)) != sizeof(pid))
				_exit(15);
			pid = 0;	/* exec right here */
		} else {
			pid = fork();
		}
		if (pid == 0) {
			execl("/proc/self/exe", "ak-vm-tests",
			      "--hostile-survivor", sfd, sctl,
			      shared ? "shared" : "private", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || write(pp[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(15);
		_exit(0);	/* queue open, mapped, started */
	}
	close(sv[1]);
	close(pp[1]);
	if (owner < 0) {
		close(sv[0]);
		close(pp[0]);
		snprintf(err, elen, "fork: %s", strerror(errno));
		return -1;
	}
	if (how & SV_EXEC_SELF) {
		/* the owner itself becomes the survivor; EOF if it failed */
		if (read(pp[0], &s->pid, sizeof(s->pid)) != sizeof(s->pid))
			s->pid = -1;
		st = 0;
		if (s->pid <= 0)
			st = vm_wait_child(owner, 30000, &to);
	} else {
		st = vm_wait_child(owner, 30000, &to);
		if (read(pp[0], &s->pid, sizeof(s->pid)) != sizeof(s->pid))
			s->pid = -1;
	}
	close(pp[0]);
	s->ctl = sv[0];
	if (!WIFEXITED(st) || WEXITSTATUS(st) || s->pid <= 0) {
		snprintf(err, elen,
			 "owner: %s (10 open, 11 QUEUE_INFO, 12 mmap, 13 START_Q, 14 SHARE, 15 fork)",
			 vm_wstatus_str(st, ws, sizeof(ws)));
		return -1;
	}
	return 0;
}

static int survivor_check(struct survivor *s, struct surv_rep *rep)
{
	struct pollfd pf = { .fd = s->ctl, .events = POLLIN };

	memset(rep, 0, sizeof(*rep));
	if (write(s->ctl, "c", 1) != 1 || poll(&pf, 1, 30000) != 1 ||
	    read(s->ctl, rep, sizeof(*rep)) != sizeof(*rep))
		return -1;
	return 0;
}

static void survivor_stop(struct survivor *s)
{
	int to, st;

	if (s->ctl >= 0) {
		if (write(s->ctl, "e", 1) != 1 && s->pid > 0)
			kill(s->pid, SIGKILL);
		close(s->ctl);
	}
	if (s->pid > 0) {
		st = vm_wait_child(s->pid, 30000, &to);
		VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !to,
			 "survivor %d ended badly (64 bad args)", (int)s->pid);
	}
	s->pid = -1;
	s->ctl = -1;
}

static void stuck_bond(int how)
{
	int shared = how & SV_SHARED;
	long a0 = vm_avail(), p0 = vm_attr_long("pasids_in_use"), a, p;
	struct survivor s;
	struct surv_rep rep;
	char err[200];

	VM_CHECK(p0 >= 0, "%s/pasids_in_use: %s", g_sysdir, strerror((int)-p0));
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (survivor_start(&s, how, err, sizeof(err))) {
		VM_FAIL("%s", err);
		goto out;
	}
	/* the owner is gone, the exec'd program still holds the fd */
	vm_wait_counters(a0, p0, RECLAIM_GUARD_MS, &a, &p);
	VM_CHECK(a == a0,
		 "available_instances %ld %d s after the owner %s (the exec'd program holds its fd), want %ld",
		 a, RECLAIM_GUARD_MS / 1000,
		 how & SV_EXEC_SELF ? "exec'd" : "exited", a0);
	VM_CHECK(p0 >= 0 && p == p0,
		 "pasids_in_use %ld after the owner %s, want %ld", p,
		 how & SV_EXEC_SELF ? "exec'd" : "exited", p0);
	if (survivor_check(&s, &rep)) {
		VM_FAIL("no answer from the exec'd program");
	} else {
		VM_CHECK(rep.bad == 0,
			 "%s queue of an exited owner, seen by the exec'd program: bad 0x%x (" SURV_BITS "); QUEUE_INFO %s, START_Q %s, mmap %s, poll revents 0x%x, PUT_Q %s",
			 shared ? "shared" : "private", rep.bad,
			 strerror(rep.e_info), strerror(rep.e_start),
			 strerror(rep.e_mmap), rep.revents,
			 strerror(rep.e_put));
	}
out:
	survivor_stop(&s);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	vm_wait_counters(a0, p0, RECLAIM_GUARD_MS, &a, &p);
	VM_CHECK(a == a0, "available_instances %ld after the program exited, want %ld",
		 a, a0);
}

void t_stuck_private(void)
{
	stuck_bond(0);
}

void t_stuck_shared(void)
{
	stuck_bond(SV_SHARED);
}

void t_stuck_exec(void)
{
	stuck_bond(SV_EXEC_SELF);
}

/* as many survivors as the device has queues: the device stays usable */
void t_stuck_all(void)
{
	int n = (int)g_max_instances, i, started = 0, st, to;
	long p0 = vm_attr_long("pasids_in_use"), a, p;
	struct survivor *s = calloc((size_t)n, sizeof(*s));
	char err[200], ws[64];

	VM_REQUIRE(s, "calloc");
	VM_CHECK(p0 >= 0, "%s/pasids_in_use: %s", g_sysdir, strerror((int)-p0));
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (i = 0; i < n; i++) {
		if (survivor_start(&s[i], 0, err, sizeof(err))) {
			VM_FAIL("owner %d: %s", i, err);
			s[i].pid = -1;
			break;
		}
		started++;
	}
	vm_wait_counters(g_max_instances, p0, RECLAIM_GUARD_MS, &a, &p);
	VM_CHECK(a == g_max_instances,
		 "available_instances %ld with %d exited owners' fds kept by exec'd programs, want %ld",
		 a, started, g_max_instances);
	VM_CHECK(p0 >= 0 && p == p0, "pasids_in_use %ld, want %ld", p, p0);
	st = vm_run_child(vm_other_user, NULL, 30000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "another process using the device while %d exec'd programs hold exited owners' queues: %s (" OTHER_CODES ")",
		 started, vm_wstatus_str(st, ws, sizeof(ws)));
	for (i = 0; i < started; i++)
		survivor_stop(&s[i]);
	free(s);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	vm_wait_counters(g_max_instances, p0, RECLAIM_GUARD_MS, &a, &p);
	vm_check_instances_back();
}
