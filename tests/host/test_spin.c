// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * AK_QF_SPIN: ak_wait() for a job without an IRQ never enters the kernel.
 *
 * The waiting thread runs under a seccomp filter of its own (installed
 * without TSYNC: the model's thread and the test runner are not affected)
 * that traps every system call a wait could use to give up the CPU or
 * sleep (sched_yield, poll, ppoll, select, pselect6, nanosleep,
 * clock_nanosleep, epoll_wait, epoll_pwait, futex). A SIGSYS handler counts
 * the trapped calls. The model completes the job from another thread some
 * 30 ms later, long enough for the default busy-poll wait to yield many
 * times: the default wait is checked to trip the filter (so the filter
 * does see what it should), the AK_QF_SPIN wait not to.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "ring.h"
#include "sim.h"
#include "suites.h"

static volatile sig_atomic_t trapped;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	trapped++;
}

#if defined(__x86_64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_AARCH64
#endif

#ifdef AUDIT_ARCH_HERE
#define TRAP_NR(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)

/* Trap the sleeping/yielding system calls in the calling thread only. */
static int trap_sleeps(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_HERE, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		TRAP_NR(__NR_sched_yield),
		TRAP_NR(__NR_ppoll),
		TRAP_NR(__NR_pselect6),
		TRAP_NR(__NR_nanosleep),
		TRAP_NR(__NR_clock_nanosleep),
		TRAP_NR(__NR_epoll_pwait),
		TRAP_NR(__NR_futex),
#ifdef __NR_poll
		TRAP_NR(__NR_poll),
		TRAP_NR(__NR_select),
		TRAP_NR(__NR_epoll_wait),
#endif
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(f) / sizeof(f[0])),
		.filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

struct run {
	unsigned flags;		/* queue open flags */
	bool complete;		/* the model completes the job */
	int timeout_ms;
	/* results */
	int setup;		/* trap_sleeps() */
	int wait;		/* ak_wait() */
	int reaped;
	uint64_t tag;
	unsigned trapped;
};

struct ctx {
	struct sim s;
	struct ak_queue *q;
	struct run *run;
};

static void *completer(void *arg)
{
	struct ctx *c = arg;

	usleep(30000);
	while (!sim_step(&c->s))
		usleep(1000);
	return NULL;
}

static void *waiter(void *arg)
{
	struct ctx *c = arg;
	struct run *r = c->run;
	struct ak_result res;

	r->setup = trap_sleeps();
	if (r->setup)
		return NULL;
	trapped = 0;
	r->wait = ak_wait(c->q, r->timeout_ms);
	r->trapped = (unsigned)trapped;
	if (r->wait == 0) {
		r->reaped = ak_reap(c->q, &res, 1);
		r->tag = res.tag;
	}
	return NULL;
}

static void spin_round(struct run *r)
{
	struct sigaction sa, old;
	struct ak_job j = { .op = AK_OP_NOP, .tag = 0x5e1f };
	struct ctx c;
	pthread_t tw, tc;

	memset(&c, 0, sizeof(c));
	c.run = r;
	c.q = sim_queue_new(&c.s, 8, r->flags);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.q);
	CU_ASSERT_EQUAL_FATAL(ak_submit(c.q, &j), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CU_ASSERT_EQUAL_FATAL(sigaction(SIGSYS, &sa, &old), 0);
	if (r->complete)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tc, NULL, completer, &c), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&tw, NULL, waiter, &c), 0);
	pthread_join(tw, NULL);
	if (r->complete)
		pthread_join(tc, NULL);
	sigaction(SIGSYS, &old, NULL);
	ak_queue_close(c.q);
	CU_ASSERT_EQUAL(r->setup, 0);
}

/* Default busy-poll: the wait yields (the filter sees it). */
static void t_default_yields(void)
{
	struct run r = { .flags = AK_QF_BUSY_POLL, .complete = true,
			 .timeout_ms = 5000 };

	spin_round(&r);
	CU_ASSERT_EQUAL(r.wait, 0);
	CU_ASSERT_EQUAL(r.reaped, 1);
	CU_ASSERT_TRUE(r.trapped > 0);
}

/* AK_QF_SPIN: the same wait without a single trapped system call. */
static void t_spin_no_syscall(void)
{
	struct run r = { .flags = AK_QF_BUSY_POLL | AK_QF_SPIN,
			 .complete = true, .timeout_ms = 5000 };

	spin_round(&r);
	CU_ASSERT_EQUAL(r.wait, 0);
	CU_ASSERT_EQUAL(r.reaped, 1);
	CU_ASSERT_EQUAL(r.tag, 0x5e1f);
	CU_ASSERT_EQUAL(r.trapped, 0);
}

/* AK_QF_SPIN still honours the deadline, still without sleeping. */
static void t_spin_timeout(void)
{
	struct run r = { .flags = AK_QF_BUSY_POLL | AK_QF_SPIN,
			 .complete = false, .timeout_ms = 20 };

	spin_round(&r);
	CU_ASSERT_EQUAL(r.wait, -ETIMEDOUT);
	CU_ASSERT_EQUAL(r.trapped, 0);
}
#endif /* AUDIT_ARCH_HERE */

/* The flag is accepted where it belongs, and reported back. */
static void t_spin_flags(void)
{
	struct ak_session *s = NULL;
	struct ak_queue *q = NULL;
	struct ak_queue_info info;
	struct sim sim;

	CU_ASSERT_EQUAL(ak_queue_open(NULL, "copy", 0x80, &q), -EINVAL);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_SHA256, NULL,
					AK_SF_SOFTWARE | AK_SF_SPIN, &s), 0);
	ak_session_close(s);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_SHA256, NULL,
					AK_SF_SOFTWARE | 0x80, &s), -EINVAL);
	q = sim_queue_new(&sim, 8, AK_QF_BUSY_POLL | AK_QF_SPIN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(ak_queue_info(q, &info), 0);
	CU_ASSERT_EQUAL(info.open_flags, AK_QF_BUSY_POLL | AK_QF_SPIN);
	/* ak_run() on a spinning queue: the job completes (model thread). */
	CU_ASSERT_EQUAL(sim_start(&sim), 0);
	CU_ASSERT_EQUAL(ak_nop(q), 0);
	sim_stop(&sim);
	ak_queue_close(q);
}

int add_spin_suite(void)
{
	static const struct ak_test t[] = {
		{ "AK_QF_SPIN flags accepted and reported", t_spin_flags },
#ifdef AUDIT_ARCH_HERE
		{ "default busy-poll wait yields (filter check)",
		  t_default_yields },
		{ "AK_QF_SPIN wait makes no system call", t_spin_no_syscall },
		{ "AK_QF_SPIN wait times out without sleeping", t_spin_timeout },
#endif
		{ NULL, NULL },
	};
	return ak_add_suite("queue spin wait (AK_QF_SPIN)", NULL, NULL, t);
}
