// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hostile use of the PASID / queue accounting (issue 7, sections 2-4):
 * - sysfs pasids_in_use counts bonds (one per device and mm while one of
 *   its queues holds a hardware queue); opens refused for lack of a
 *   hardware queue (EBUSY) leave no PASID behind.
 * - PASID exhaustion: many processes that open, START_Q, PUT_Q, hand the fd
 *   to a collector and exit must not use up PASIDs (the bond goes at
 *   PUT_Q); the device stays usable for everybody; sysfs pasids_in_use
 *   and available_instances come back to where they started.
 * - Per-user queue limit (max_queues_per_user, per (device, euid),
 *   CAP_SYS_ADMIN exempt): EMFILE past the limit, other users unaffected,
 *   0 = unlimited, only root may change it.
 * - Stuck bond (vm_hostile_exit.c): an owner that opened without
 *   O_CLOEXEC, fork+exec'd a long-lived program and exited (or exec'd
 *   itself) gets its hardware queue and PASID back at once; the program's
 *   fd is DEFUNCT: EPERM if not shared, else ESRCH / PUT_Q 0 /
 *   POLLERR|POLLHUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_hostile.h"

#define OFF_DUS ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)

static int attr_write(const char *attr, const char *val)
{
	char p[512];

	vm_fmt(p, sizeof(p), "%s/%s", g_sysdir, attr);
	return vm_write_file(p, val);
}

int vm_wait_counters(long avail, long pasids, int ms, long *a, long *p)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)ms;

	for (;;) {
		*a = vm_avail();
		*p = vm_attr_long("pasids_in_use");
		if (*a == avail && (pasids < 0 || *p == pasids))
			return 1;
		if (vm_now_ms() >= deadline)
			return 0;
		usleep(20000);
	}
}

int vm_other_user(void *arg)
{
	struct ak_queue *q = NULL;
	uint8_t a[4096], b[4096];
	int r;

	(void)arg;
	r = ak_queue_open(g_node, NULL, 0, &q);
	if (r)
		return r == -ENOSPC ? 11 : r == -EBUSY ? 12 : 10;
	vm_fill_random(a, sizeof(a), 77);
	memset(b, 0, sizeof(b));
	r = ak_copy(q, b, a, sizeof(a));
	ak_queue_close(q);
	if (r)
		return 20;
	return memcmp(a, b, sizeof(a)) ? 21 : 0;
}

/* ------------------------------------------------------------------ */
/* 1. PASID exhaustion */

#define EXH_CHILDREN	300	/* vm_debug_kernel(): EXH_CHILDREN_DEBUG */
#define EXH_CHILDREN_DEBUG 60
#define EXH_CHECK_EVERY	50

struct exh_msg {
	int step;	/* 0 ok, 1 open, 2 START_Q, 3 PUT_Q */
	int err;
};

static int exh_child(int sock)
{
	struct exh_msg m = { 0, 0 };
	int fd = open(g_node, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		m.step = 1;
		m.err = errno;
	} else if (ioctl(fd, UACCE_CMD_START_Q)) {
		m.step = 2;
		m.err = errno;
	} else if (ioctl(fd, UACCE_CMD_PUT_Q)) {
		m.step = 3;
		m.err = errno;
	}
	return vm_send_fd(sock, &m, sizeof(m), fd) ? 5 : 0;
}

static void t_pasid_exhaustion(void)
{
	long p0 = vm_attr_long("pasids_in_use");
	long pmax = vm_attr_long("pasids_max");
	int n = vm_debug_kernel() ? EXH_CHILDREN_DEBUG : EXH_CHILDREN;
	int i, sv[2], *fds, nfds = 0, bad = 0, obad = 0;
	char first[200] = "", ofirst[200] = "", ws[64];
	uint64_t t0 = vm_now_ms();
	struct rlimit rl;
	long a, p;

	VM_CHECK(p0 >= 0, "%s/pasids_in_use: %s", g_sysdir, strerror((int)-p0));
	VM_CHECK(pmax > 0, "%s/pasids_max: %s", g_sysdir,
		 pmax < 0 ? strerror((int)-pmax) : "0");
	if (pmax > 0 && pmax + 1 < n)
		n = (int)pmax + 1;
	/* The collector holds one fd per child: make room (root may). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = (rlim_t)n + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		VM_CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0,
			 "RLIMIT_NOFILE %llu: %s",
			 (unsigned long long)rl.rlim_cur, strerror(errno));
	}
	fds = calloc((size_t)n, sizeof(*fds));
	VM_REQUIRE(fds, "calloc");
	VM_REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0,
		   "socketpair");
	for (i = 0; i < n; i++) {
		struct pollfd pf = { .fd = sv[0], .events = POLLIN };
		struct exh_msg m = { -1, 0 };
		int st, to, fd = -1;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			VM_FAIL("fork %d: %s", i, strerror(errno));
			break;
		}
		if (pid == 0)
			_exit(exh_child(sv[1]));
		if (poll(&pf, 1, 20000) == 1 &&
		    vm_recv_fd(sv[0], &m, sizeof(m), &fd) == 0 && fd >= 0)
			fds[nfds++] = fd;
		st = vm_wait_child(pid, 20000, &to);
		if (m.step || fd < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			if (!bad++)
				snprintf(first, sizeof(first),
					 "child %d: step %d (1 open, 2 START_Q, 3 PUT_Q, -1 no message) %s, fd %d, %s",
					 i, m.step, strerror(m.err), fd,
					 vm_wstatus_str(st, ws, sizeof(ws)));
		}
		if ((i + 1) % EXH_CHECK_EVERY == 0 || i + 1 == n) {
			st = vm_run_child(vm_other_user, NULL, 30000, &to);
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				if (!obad++)
					snprintf(ofirst, sizeof(ofirst),
						 "after %d children: %s (" OTHER_CODES ")",
						 i + 1, vm_wstatus_str(st, ws, sizeof(ws)));
			}
		}
	}
	printf("[%d children, %d fds collected, %llu ms] ", i, nfds,
	       (unsigned long long)(vm_now_ms() - t0));
	close(sv[0]);
	close(sv[1]);
	VM_CHECK(bad == 0, "%d of %d children failed; first: %s", bad, n, first);
	VM_CHECK(obad == 0,
		 "another process could not use the device while the collector held the PUT_Q'd queues (%d times); first: %s",
		 obad, ofirst);
	/* the collector holds n released queues: no hardware queue, no PASID */
	vm_wait_counters(g_max_instances, p0, RECLAIM_GUARD_MS, &a, &p);
	VM_CHECK(a == g_max_instances,
		 "available_instances %ld with %d PUT_Q'd fds held, want %ld",
		 a, nfds, g_max_instances);
	VM_CHECK(p0 >= 0 && p == p0,
		 "pasids_in_use %ld with %d PUT_Q'd fds of exited processes held, want %ld (the bond must go at PUT_Q)",
		 p, nfds, p0);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	free(fds);
	vm_wait_counters(g_max_instances, p0, RECLAIM_GUARD_MS, &a, &p);
	VM_CHECK(a == g_max_instances && p0 >= 0 && p == p0,
		 "after the collector closed everything: available_instances %ld (want %ld), pasids_in_use %ld (want %ld)",
		 a, g_max_instances, p, p0);
}

/* pasids_in_use follows the bonds: one per (device, mm) with a queue that
 * still has its hardware queue; PUT_Q of the last one drops it */
static void t_pasid_count(void)
{
	long p0 = vm_attr_long("pasids_in_use"), p;
	int a, b;

	VM_REQUIRE(p0 >= 0, "%s/pasids_in_use: %s", g_sysdir,
		   strerror((int)-p0));
	a = open(g_node, O_RDWR | O_CLOEXEC);
	b = open(g_node, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(a >= 0 && b >= 0, "open: %s", strerror(errno));
	p = vm_attr_long("pasids_in_use");
	VM_CHECK(p == p0 + 1, "pasids_in_use %ld with two queues of one process, want %ld",
		 p, p0 + 1);
	VM_CHECK(ioctl(a, UACCE_CMD_START_Q) == 0, "START_Q: %s", strerror(errno));
	VM_CHECK(ioctl(a, UACCE_CMD_PUT_Q) == 0, "PUT_Q: %s", strerror(errno));
	p = vm_attr_long("pasids_in_use");
	VM_CHECK(p == p0 + 1, "pasids_in_use %ld after PUT_Q of one of two queues, want %ld",
		 p, p0 + 1);
	VM_CHECK(ioctl(b, UACCE_CMD_PUT_Q) == 0, "PUT_Q: %s", strerror(errno));
	p = vm_attr_long("pasids_in_use");
	VM_CHECK(p == p0, "pasids_in_use %ld after PUT_Q of both queues (fds still open), want %ld",
		 p, p0);
	close(a);
	close(b);
	p = vm_attr_long("pasids_in_use");
	VM_CHECK(p == p0, "pasids_in_use %ld after close, want %ld", p, p0);
	/* a queue opened and closed without PUT_Q */
	a = open(g_node, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(a >= 0, "open: %s", strerror(errno));
	p = vm_attr_long("pasids_in_use");
	VM_CHECK(p == p0 + 1, "pasids_in_use %ld with one queue, want %ld", p,
		 p0 + 1);
	close(a);
	p = vm_attr_long("pasids_in_use");
	VM_CHECK(p == p0, "pasids_in_use %ld after close, want %ld", p, p0);
	vm_check_instances_back();
}

/* all hardware queues taken: other opens fail EBUSY and leave nothing */
static int busy_opener(void *arg)
{
	int i, fd, bad = 0;

	(void)arg;
	for (i = 0; i < 50; i++) {
		fd = open(g_node, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			bad |= 1;
		} else if (errno != EBUSY) {
			bad |= 2;
		}
	}
	return bad;
}

static void t_busy(void)
{
	long p0 = vm_attr_long("pasids_in_use"), p, a;
	int *fds = calloc((size_t)g_max_instances, sizeof(int)), n = 0, st, to;
	char ws[64];

	VM_REQUIRE(fds, "calloc");
	VM_CHECK(p0 >= 0, "%s/pasids_in_use: %s", g_sysdir, strerror((int)-p0));
	for (n = 0; n < g_max_instances; n++) {
		fds[n] = open(g_node, O_RDWR | O_CLOEXEC);
		if (fds[n] < 0) {
			VM_FAIL("open #%d of %ld: %s", n + 1, g_max_instances,
				strerror(errno));
			break;
		}
	}
	st = vm_run_child(busy_opener, NULL, 60000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "another process's opens with every hardware queue taken: %s (bits: 1 an open succeeded, 2 an errno other than EBUSY)",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	p = vm_attr_long("pasids_in_use");
	a = vm_avail();
	VM_CHECK(a == 0, "available_instances %ld with all queues open", a);
	VM_CHECK(p0 >= 0 && p == p0 + 1,
		 "pasids_in_use %ld after 50 refused opens by another process, want %ld (ours)",
		 p, p0 + 1);
	while (n > 0)
		close(fds[--n]);
	free(fds);
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* 2. per-user queue limit */

#define UID_A 1000
#define UID_B 1001
#define UW_MAXFD 64

/* A child running as @uid (no capabilities) that executes commands:
 * 'o' open a queue, 'c' close the newest, 'p' PUT_Q the newest,
 * 'w' write max_queues_per_user; answers 0 or an errno. */
static int uid_worker(int sock, uid_t uid)
{
	int fds[UW_MAXFD], n = 0, r;
	char c, p[512];

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid) ||
	    geteuid() != uid)
		return 3;
	vm_fmt(p, sizeof(p), "%s/max_queues_per_user", g_sysdir);
	while (read(sock, &c, 1) == 1) {
		r = 0;
		switch (c) {
		case 'o':
			if (n == UW_MAXFD) {
				r = E2BIG;
				break;
			}
			fds[n] = open(g_node, O_RDWR | O_CLOEXEC);
			if (fds[n] < 0)
				r = errno;
			else
				n++;
			break;
		case 'c':
			if (!n || close(fds[--n]))
				r = n ? errno : ENOENT;
			break;
		case 'p':
			if (!n || ioctl(fds[n - 1], UACCE_CMD_PUT_Q))
				r = n ? errno : ENOENT;
			break;
		case 'w':
			r = -vm_write_file(p, "3");
			break;
		default:
			return 0;
		}
		if (write(sock, &r, sizeof(r)) != sizeof(r))
			return 4;
	}
	return 0;
}

struct uw {
	pid_t pid;
	int sock;
};

static int uw_start(struct uw *w, uid_t uid)
{
	int sv[2];

	w->pid = -1;
	w->sock = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	fflush(NULL);
	w->pid = fork();
	if (w->pid == 0) {
		close(sv[0]);
		_exit(uid_worker(sv[1], uid));
	}
	close(sv[1]);
	w->sock = sv[0];
	return w->pid < 0 ? -1 : 0;
}

/* The worker's answer (0 or errno), or -1 if it did not answer. */
static int uw_cmd(struct uw *w, char c)
{
	struct pollfd pf = { .fd = w->sock, .events = POLLIN };
	int r;

	if (write(w->sock, &c, 1) != 1 || poll(&pf, 1, 30000) != 1 ||
	    read(w->sock, &r, sizeof(r)) != sizeof(r))
		return -1;
	return r;
}

static void uw_stop(struct uw *w)
{
	int to;

	if (w->pid <= 0)
		return;
	if (write(w->sock, "q", 1) != 1)
		kill(w->pid, SIGKILL);
	close(w->sock);
	vm_wait_child(w->pid, 30000, &to);
	w->pid = -1;
}

static const char *errstr(int r)
{
	return r < 0 ? "no answer from the worker" : r ? strerror(r) : "success";
}

static void t_user_limit(void)
{
	long m0 = vm_attr_long("max_queues_per_user"), m, v;
	struct uw A, B;
	struct stat sb;
	char s[32];
	int i, r, have = m0 >= 0;

	VM_CHECK(have, "%s/max_queues_per_user: %s", g_sysdir,
		 strerror((int)-m0));
	/* default: half the device's queues, rounded up */
	VM_CHECK(!have || m0 == (g_max_instances + 1) / 2,
		 "max_queues_per_user default %ld, want %ld", m0,
		 (g_max_instances + 1) / 2);
	m = have && m0 > 0 ? m0 : (g_max_instances + 1) / 2;
	VM_REQUIRE(m + 4 <= g_max_instances,
		   "limit %ld leaves no room for the scenario (%ld queues)",
		   m, g_max_instances);
	VM_REQUIRE(stat(g_node, &sb) == 0, "stat %s: %s", g_node,
		   strerror(errno));
	VM_REQUIRE(chmod(g_node, 0666) == 0, "chmod %s: %s", g_node,
		   strerror(errno));
	VM_REQUIRE(uw_start(&A, UID_A) == 0 && uw_start(&B, UID_B) == 0,
		   "fork");
	for (i = 0; i < m; i++) {
		r = uw_cmd(&A, 'o');
		VM_CHECK(r == 0, "uid %d open #%d (limit %ld): %s", UID_A,
			 i + 1, m, errstr(r));
		if (r)
			break;
	}
	r = uw_cmd(&A, 'o');
	VM_CHECK(r == EMFILE, "uid %d open #%ld past the limit %ld: %s, want EMFILE",
		 UID_A, m + 1, m, errstr(r));
	r = uw_cmd(&B, 'o');
	VM_CHECK(r == 0, "uid %d open while uid %d is at its limit: %s",
		 UID_B, UID_A, errstr(r));
	/* a close gives one back */
	r = uw_cmd(&A, 'c');
	VM_CHECK(r == 0, "close: %s", errstr(r));
	r = uw_cmd(&A, 'o');
	VM_CHECK(r == 0, "uid %d open after closing one: %s", UID_A, errstr(r));
	/* so does PUT_Q (the fd stays open) */
	r = uw_cmd(&A, 'p');
	VM_CHECK(r == 0, "PUT_Q: %s", errstr(r));
	r = uw_cmd(&A, 'o');
	VM_CHECK(r == 0, "uid %d open after PUT_Q of one: %s", UID_A, errstr(r));
	r = uw_cmd(&A, 'o');
	VM_CHECK(r == EMFILE, "uid %d open past the limit after the PUT_Q'd one was replaced: %s, want EMFILE",
		 UID_A, errstr(r));
	/* only root may change the limit */
	r = uw_cmd(&A, 'w');
	VM_CHECK(r == EACCES || r == EPERM,
		 "uid %d writing max_queues_per_user: %s, want EACCES or EPERM",
		 UID_A, errstr(r));
	if (have) {
		v = vm_attr_long("max_queues_per_user");
		VM_CHECK(v == m0, "max_queues_per_user %ld after the refused write, want %ld",
			 v, m0);
		/* 0 = unlimited */
		r = attr_write("max_queues_per_user", "0");
		VM_CHECK(r == 0, "writing 0: %s", strerror(-r));
		v = vm_attr_long("max_queues_per_user");
		VM_CHECK(v == 0, "max_queues_per_user reads %ld after writing 0", v);
		r = uw_cmd(&A, 'o');
		VM_CHECK(r == 0, "uid %d open with max_queues_per_user=0: %s",
			 UID_A, errstr(r));
		snprintf(s, sizeof(s), "%ld", m0);
		r = attr_write("max_queues_per_user", s);
		VM_CHECK(r == 0, "restoring max_queues_per_user=%ld: %s", m0,
			 strerror(-r));
		v = vm_attr_long("max_queues_per_user");
		VM_CHECK(v == m0, "max_queues_per_user %ld after restoring %ld",
			 v, m0);
	}
	uw_stop(&A);
	uw_stop(&B);
	VM_CHECK(chmod(g_node, sb.st_mode & 07777) == 0, "restoring the mode of %s",
		 g_node);
	vm_check_instances_back();
}

static const struct ak_test hostile_tests[] = {
	{ "pasids_in_use: one per (device, mm), dropped at PUT_Q and close", t_pasid_count },
	{ "all hardware queues taken: EBUSY for others, no PASID left behind", t_busy },
	{ "PASID exhaustion: open/START_Q/PUT_Q/pass fd/exit x300 (debug kernel: x60)", t_pasid_exhaustion },
	{ "per-user queue limit: EMFILE, other uid, PUT_Q/close, 0 = unlimited", t_user_limit },
	{ "owner exit, fd kept by an exec'd program: queue reclaimed, EPERM", t_stuck_private },
	{ "owner exit, SHAREd fd kept by an exec'd program: DEFUNCT (ESRCH)", t_stuck_shared },
	{ "owner execs with its queue fd open (no O_CLOEXEC): queue reclaimed, EPERM", t_stuck_exec },
	{ "one exec'd program per hardware queue does not exhaust the device", t_stuck_all },
	{ NULL, NULL },
};

int add_hostile_suites(void)
{
	return ak_add_suite("hostile", NULL, NULL, hostile_tests);
}
