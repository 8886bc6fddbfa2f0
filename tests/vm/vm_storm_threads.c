// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The storm suite: a process that ends while other threads of it are
 * inside a system call on its queue (vm_storm.h).
 *
 * exit: a child with a queue whose first job is stalled on a userfaultfd
 * page nobody serves (a page request in flight) runs threads blocked in
 * poll() on the queue, looping on its ioctls, looping on mmap() of its
 * rings (EEXIST) and one faulting on the userfaultfd page itself; then it
 * ends by exit_group() from the main thread, exit_group() from another
 * thread, a SIGKILL from the parent, or PUT_Q (which must wake the
 * poller with POLLERR) and exit. Each must end within the guard.
 *
 * exec: a child with two queues (one O_CLOEXEC, one not, optionally
 * SHAREd), each with a stalled page request, a thread in poll() and one
 * in ioctls, calls execve() from a third thread. The new program
 * (--storm-exec) finds the O_CLOEXEC queue gone and the other one
 * belonging to the old address space: EPERM, or once the old mm is
 * released and the shared queue DEFUNCT, ESRCH and POLLERR|POLLHUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_storm.h"

#define OFF_DUS		((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)
#define EXIT_ITERS	16

struct tctx {
	struct rq q;
	uint8_t *uf;		/* userfaultfd page, never served */
	atomic_int in;		/* threads about to block */
	atomic_int woke;	/* poller: revents once woken */
};

static int stall_queue(struct rq *q, uint8_t **ufp)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	uint8_t *uf, *dst;
	int uffd, i;

	uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	uf = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, 4 * AK_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) || uf == MAP_FAILED ||
	    dst == MAP_FAILED)
		return -1;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)uf;
	reg.range.len = AK_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return -1;
	for (i = 0; i < 4; i++) {
		struct aks_desc d;

		memset(&d, 0, sizeof(d));
		d.opcode = AKS_OP_COPY;
		d.tag = (uint64_t)i;
		d.src = (uintptr_t)(i ? dst : uf);
		d.dst = (uintptr_t)(dst + (size_t)i * AK_PAGE);
		d.len = 512;
		d.flags = AKS_DF_IRQ;
		rq_put(q, &d);
	}
	rq_ring(q);
	if (ufp)
		*ufp = uf;
	return 0;
}

static void *th_poll(void *arg)
{
	struct tctx *t = arg;
	struct pollfd p = { .fd = t->q.fd, .events = POLLIN };

	atomic_fetch_add(&t->in, 1);
	if (poll(&p, 1, 60000) == 1)
		atomic_store(&t->woke, p.revents);
	else
		atomic_store(&t->woke, -1);
	return NULL;
}

static void *th_ioctl(void *arg)
{
	struct tctx *t = arg;
	struct accelkit_queue_stats s;
	struct accelkit_queue_info qi;

	atomic_fetch_add(&t->in, 1);
	for (;;) {
		ioctl(t->q.fd, ACCELKIT_CMD_QUEUE_STATS, &s);
		ioctl(t->q.fd, ACCELKIT_CMD_QUEUE_INFO, &qi);
		ioctl(t->q.fd, _IO('A', 0x7d));
	}
	return NULL;
}

static void *th_mmap(void *arg)
{
	struct tctx *t = arg;

	atomic_fetch_add(&t->in, 1);
	for (;;) {
		void *m = mmap(NULL, t->q.dlen, PROT_READ, MAP_SHARED, t->q.fd,
			       OFF_DUS);
		struct pollfd p = { .fd = t->q.fd, .events = POLLIN };

		if (m != MAP_FAILED)
			munmap(m, t->q.dlen);
		poll(&p, 1, 0);
	}
	return NULL;
}

static void *th_fault(void *arg)
{
	struct tctx *t = arg;

	atomic_fetch_add(&t->in, 1);
	return (void *)(uintptr_t)*(volatile uint8_t *)t->uf;
}

static void *th_exit(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 0);
	return NULL;
}

/*
 * The child of one iteration. Exit 0 or: 10 setup, 11 threads, 12 the
 * poller was not woken by PUT_Q with POLLERR, 13 PUT_Q failed.
 */
static int exit_child(int how, int ready)
{
	static struct tctx t;
	void *(*fn[])(void *) = { th_poll, th_ioctl, th_mmap, th_fault };
	pthread_t th;
	uint64_t t0;
	int i;

	if (rq_open(&t.q, O_CLOEXEC, 20000) || rq_start(&t.q) ||
	    stall_queue(&t.q, &t.uf))
		return 10;
	for (i = 0; i < 4; i++)
		if (pthread_create(&th, NULL, fn[i], &t))
			return 11;
	while (atomic_load(&t.in) < 4)
		usleep(1000);
	usleep(20000);	/* let them enter their calls */
	if (write(ready, "r", 1) != 1)
		return 11;
	switch (how) {
	case 0:
		syscall(SYS_exit_group, 0);
		break;
	case 1:
		if (pthread_create(&th, NULL, th_exit, NULL))
			return 11;
		pause();
		break;
	case 2:
		pause();	/* SIGKILLed by the parent */
		break;
	default:
		if (ioctl(t.q.fd, UACCE_CMD_PUT_Q))
			return 13;
		t0 = vm_now_ms();
		while (!atomic_load(&t.woke) && vm_now_ms() - t0 < 20000)
			usleep(1000);
		return atomic_load(&t.woke) == POLLERR ? 0 : 12;
	}
	return 14;
}

void t_thread_exit_poll(void)
{
	static const char *const hows[] = {
		"exit_group from the main thread", "exit_group from a thread",
		"SIGKILL", "PUT_Q (poller woken), then exit"
	};
	int splats0 = vm_klog_splats(NULL, 0), it, bad = 0;
	char msg[256] = "", ws[64];
	uint64_t t0 = vm_now_ms();

	for (it = 0; it < EXIT_ITERS; it++) {
		int how = it % 4, pp[2], st, to;
		struct pollfd p;
		pid_t pid;
		char c;

		VM_REQUIRE(pipe2(pp, O_CLOEXEC) == 0, "pipe");
		fflush(NULL);
		pid = fork();
		VM_REQUIRE(pid >= 0, "fork");
		if (!pid) {
			close(pp[0]);
			_exit(exit_child(how, pp[1]));
		}
		close(pp[1]);
		g_storm.started++;
		p.fd = pp[0];
		p.events = POLLIN;
		if (poll(&p, 1, 30000) == 1 && read(pp[0], &c, 1) == 1 &&
		    how == 2)
			kill(pid, SIGKILL);
		close(pp[0]);
		st = vm_wait_child(pid, 20000, &to);
		if (to || (how == 2 ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
			   !(WIFEXITED(st) && WEXITSTATUS(st) == 0))) {
			if (!bad++)
				snprintf(msg, sizeof(msg),
					 "iteration %d (%s): %s%s (10 setup, 11 threads, 12 poller not woken with POLLERR by PUT_Q, 13 PUT_Q failed)",
					 it, hows[how],
					 vm_wstatus_str(st, ws, sizeof(ws)),
					 to ? ", did not end within 20 s" : "");
		}
		if (how == 2 && WIFSIGNALED(st))
			g_storm.kills++;
	}
	printf("[%d exits in %llu ms] ", it,
	       (unsigned long long)(vm_now_ms() - t0));
	VM_CHECK(bad == 0, "%d of %d exits went wrong; first: %s", bad,
		 EXIT_ITERS, msg);
	st_after_checks("exits with threads in calls", splats0);
}

/* ---- exec from a thread ---- */

/*
 * "ak-vm-tests --storm-exec GONE KEPT shared|private": exit code = bits:
 * 1 the O_CLOEXEC queue survived exec, 2 the other one did not, 4
 * QUEUE_INFO not EPERM (private) / not ESRCH within 20 s (shared), 8 poll
 * revents not POLLERR (private) / POLLERR|POLLHUP (shared), 16 PUT_Q not
 * EPERM (private) / 0 (shared).
 */
int vm_storm_exec_main(int argc, char **argv)
{
	struct accelkit_queue_info qi;
	struct pollfd p;
	int gone, kept, shared, bad = 0, e, want;
	uint64_t t0 = vm_now_ms();

	if (argc < 5)
		return 64;
	gone = atoi(argv[2]);
	kept = atoi(argv[3]);
	shared = !strcmp(argv[4], "shared");
	if (fcntl(gone, F_GETFD) != -1 || errno != EBADF)
		bad |= 1;
	if (fcntl(kept, F_GETFD) < 0)
		return bad | 2;
	want = shared ? ESRCH : EPERM;
	do {
		e = ioctl(kept, ACCELKIT_CMD_QUEUE_INFO, &qi) ? errno : 0;
		if (e == want || (shared && e))
			break;
		usleep(5000);
	} while (vm_now_ms() - t0 < 20000);
	if (e != want)
		bad |= 4;
	p.fd = kept;
	p.events = POLLIN;
	p.revents = 0;
	if (poll(&p, 1, 0) != 1 ||
	    p.revents != (shared ? (POLLERR | POLLHUP) : POLLERR))
		bad |= 8;
	e = ioctl(kept, UACCE_CMD_PUT_Q) ? errno : 0;
	if (e != (shared ? 0 : EPERM))
		bad |= 16;
	return bad;
}

struct exec_ctx {
	struct tctx a, b;
	char *argv[6];
};

static void *th_exec(void *arg)
{
	struct exec_ctx *x = arg;

	execv("/proc/self/exe", x->argv);
	_exit(127);
	return NULL;
}

/* The child: exit 10 setup, 11 threads (else the exec'd program's code). */
static int exec_child(bool shared)
{
	static struct exec_ctx x;
	static char sg[16], sk[16];
	pthread_t th;

	if (rq_open(&x.a.q, O_CLOEXEC, 20000) || rq_open(&x.b.q, 0, 20000) ||
	    rq_start(&x.a.q) || rq_start(&x.b.q) ||
	    stall_queue(&x.a.q, NULL) || stall_queue(&x.b.q, NULL))
		return 10;
	if (shared && ioctl(x.b.q.fd, ACCELKIT_CMD_SHARE))
		return 10;
	snprintf(sg, sizeof(sg), "%d", x.a.q.fd);
	snprintf(sk, sizeof(sk), "%d", x.b.q.fd);
	x.argv[0] = "ak-vm-tests";
	x.argv[1] = "--storm-exec";
	x.argv[2] = sg;
	x.argv[3] = sk;
	x.argv[4] = shared ? "shared" : "private";
	x.argv[5] = NULL;
	if (pthread_create(&th, NULL, th_poll, &x.a) ||
	    pthread_create(&th, NULL, th_ioctl, &x.b) ||
	    pthread_create(&th, NULL, th_poll, &x.b))
		return 11;
	while (atomic_load(&x.a.in) < 1 || atomic_load(&x.b.in) < 2)
		usleep(1000);
	usleep(20000);
	if (pthread_create(&th, NULL, th_exec, &x))
		return 11;
	pause();
	return 12;
}

void t_thread_exec(void)
{
	int splats0 = vm_klog_splats(NULL, 0), i;
	char ws[64];

	for (i = 0; i < 4; i++) {
		bool shared = i & 1;
		int st, to;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		VM_REQUIRE(pid >= 0, "fork");
		if (!pid)
			_exit(exec_child(shared));
		g_storm.started++;
		st = vm_wait_child(pid, 40000, &to);
		VM_CHECK(!to && WIFEXITED(st) && WEXITSTATUS(st) == 0,
			 "execve from a thread, %s queue kept: %s%s (10 setup, 11 threads, 127 exec failed; the new program: 1 O_CLOEXEC queue survived, 2 the other did not, 4 QUEUE_INFO not %s, 8 poll revents, 16 PUT_Q)",
			 shared ? "shared" : "private",
			 vm_wstatus_str(st, ws, sizeof(ws)),
			 to ? ", did not end within 40 s" : "",
			 shared ? "ESRCH within 20 s" : "EPERM");
	}
	st_after_checks("execve from threads", splats0);
}
