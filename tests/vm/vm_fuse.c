// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A user-controlled sleep must never hold up other users (issue 7,
 * section 2). The suite's FUSE server (vm_fuse_srv.c) serves one
 * read-only file and withholds every READ until the test lets it answer.
 * A job whose source is a never-touched page of that file makes
 * the device raise a page request whose resolution sleeps in FUSE. While
 * it sleeps, other processes must be able to open, start, use, PUT_Q and
 * close queues and use sysfs, and the stalled queue's owner must be able to
 * PUT_Q and close it. Once the server answers everything completes and the
 * kernel log stays quiet.
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
#include <sys/wait.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_fuse.h"

/* ------------------------------------------------------------------ */
/* children reporting their progress one character at a time */

struct kid {
	pid_t pid;
	int rfd;		/* non-blocking read end */
	int wfd;		/* the child's end (used in the child) */
	char seen[32];		/* characters received so far */
	int nseen;
	int done, status;
};

static int kid_spawn(struct kid *k, int (*fn)(struct kid *, void *), void *arg)
{
	int p[2];

	memset(k, 0, sizeof(*k));
	k->pid = -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(NULL);
	k->pid = fork();
	if (k->pid == 0) {
		close(p[0]);
		k->wfd = p[1];
		_exit(fn(k, arg));
	}
	close(p[1]);
	k->rfd = p[0];
	k->wfd = -1;
	fcntl(k->rfd, F_SETFL, O_NONBLOCK);
	return k->pid < 0 ? -1 : 0;
}

static void kid_say(struct kid *k, char c)
{
	if (write(k->wfd, &c, 1) != 1)
		_exit(99);
}

static void kid_poll(struct kid *k)
{
	char c;

	if (k->pid <= 0)
		return;
	while (read(k->rfd, &c, 1) == 1)
		if (k->nseen < (int)sizeof(k->seen) - 1)
			k->seen[k->nseen++] = c;
	if (!k->done && waitpid(k->pid, &k->status, WNOHANG) == k->pid) {
		k->done = 1;
		while (read(k->rfd, &c, 1) == 1)
			if (k->nseen < (int)sizeof(k->seen) - 1)
				k->seen[k->nseen++] = c;
	}
}

static int kid_has(struct kid *k, char c)
{
	return memchr(k->seen, c, (size_t)k->nseen) != NULL;
}

/* Wait until every kid exited or @deadline; returns how many exited. */
static int kids_wait(struct kid *k, int n, uint64_t deadline)
{
	int i, done;

	for (;;) {
		for (i = done = 0; i < n; i++) {
			kid_poll(&k[i]);
			done += k[i].done;
		}
		if (done == n || vm_now_ms() >= deadline)
			return done;
		usleep(10000);
	}
}

static void kid_kill(struct kid *k)
{
	int to;

	if (k->pid > 0 && !k->done) {
		k->status = vm_wait_child(k->pid, 0, &to);
		k->done = 1;
	}
	if (k->rfd > 0)
		close(k->rfd);
	k->rfd = -1;
}

/* ------------------------------------------------------------------ */
/* the test */

#define SRC_LEN		(64 * AK_PAGE)	/* the served file */
#define JOB_LEN		(2 * AK_PAGE)
#define N_OTHERS	3
#define ROUND_GUARD_MS	30000	/* failure guard while the READ is withheld */
#define AFTER_GUARD_MS	60000	/* failure guard once the server answered */

/* Another process: open, START_Q (ak_queue_open), COPY, PUT_Q, close,
 * sysfs. Says o j p c s; exits 0, or the step that failed. */
static int other_proc(struct kid *k, void *arg)
{
	struct ak_queue *q = NULL;
	uint8_t a[8192], b[8192];
	char p[512], v[64];
	int r;

	(void)arg;
	if (ak_queue_open(g_node, NULL, 0, &q))
		return 10;
	kid_say(k, 'o');
	vm_fill_random(a, sizeof(a), 99);
	memset(b, 0, sizeof(b));
	if (ak_copy(q, b, a, sizeof(a)) || memcmp(a, b, sizeof(a)))
		return 11;
	kid_say(k, 'j');
	if (ioctl(ak_queue_fd(q), UACCE_CMD_PUT_Q))
		return 12;
	kid_say(k, 'p');
	ak_queue_close(q);
	kid_say(k, 'c');
	if (vm_avail() < 0)
		return 13;
	vm_fmt(p, sizeof(p), "%s/algorithms", g_sysdir);
	if (vm_read_file(p, v, sizeof(v)) < 0)
		return 14;
	vm_fmt(p, sizeof(p), "%s/isolate_strategy", g_sysdir);
	r = vm_read_file(p, v, sizeof(v));
	if (r < 0 || vm_write_file(p, v))
		return 15;
	kid_say(k, 's');
	return 0;
}

#define OTHER_STEPS "o opened+started, j COPY done, p PUT_Q done, c closed, s sysfs read/written; exit 10 open, 11 COPY, 12 PUT_Q, 13-15 sysfs"

struct stalled_res {
	uint16_t status;
	uint64_t bytes;
	long bad;		/* first wrong byte, or -1 */
};

struct stalled_arg {
	struct akfuse *f;
	uint64_t off;		/* job source offset in the file */
	int put;		/* 1: PUT_Q + close on 'C'; 0: reap the job */
	int cmd;		/* read end of the commands from the test */
	struct stalled_res *res;	/* put=0: shared memory for the result */
};


/*
 * Owner of a queue whose COPY source is a never-touched page of the FUSE
 * file. Says 'S' once the job is submitted. put=1: on 'C' does PUT_Q
 * (says 'p', or 'E'), closes the queue (says 'c'), then waits for 'X'.
 * put=0: reaps its job, fills *res and says 'R'.
 */
static int stalled_owner(struct kid *k, void *argp)
{
	struct stalled_arg *a = argp;
	struct ak_queue *q = NULL;
	struct stalled_res *res = a->res;
	struct ak_result r;
	struct ak_job j;
	uint8_t *src, *dst;
	int fd;
	char c;

	if (ak_queue_open(g_node, NULL, 0, &q))
		return 20;
	kid_say(k, 'a');
	fd = open(a->f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 21;
	kid_say(k, 'f');
	src = mmap(NULL, SRC_LEN, PROT_READ, MAP_SHARED, fd, 0);
	dst = vm_alloc(JOB_LEN);
	if (src == MAP_FAILED || !dst)
		return 22;
	kid_say(k, 'm');
	memset(dst, 0, JOB_LEN);
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.tag = 1;
	j.src = src + a->off;
	j.dst = dst;
	j.len = JOB_LEN;
	if (ak_submit(q, &j))
		return 23;
	kid_say(k, 'S');
	if (a->put) {
		if (read(a->cmd, &c, 1) != 1 || c != 'C')
			return 24;
		kid_say(k, ioctl(ak_queue_fd(q), UACCE_CMD_PUT_Q) ? 'E' : 'p');
		ak_queue_close(q);
		kid_say(k, 'c');
		while (read(a->cmd, &c, 1) == 1 && c != 'X')
			;
		return 0;
	}
	if (vm_reap_n(q, &r, 1, 2 * AFTER_GUARD_MS + 2 * ROUND_GUARD_MS) != 1)
		return 25;
	res->status = r.status;
	res->bytes = r.bytes;
	res->bad = -1;
	for (size_t i = 0; i < JOB_LEN; i++)
		if (dst[i] != akfuse_byte(a->off + i)) {
			res->bad = (long)i;
			break;
		}
	kid_say(k, 'R');
	ak_queue_close(q);
	return 0;
}

static const char *const klog_words[] = { "accelkit", "hung", "blocked" };
#define N_KLOG_WORDS 3

static void others_report(struct kid *o, int n, const char *when)
{
	char ws[64];
	int i;

	for (i = 0; i < n; i++) {
		o[i].seen[o[i].nseen] = '\0';
		VM_CHECK(o[i].done && WIFEXITED(o[i].status) &&
			 WEXITSTATUS(o[i].status) == 0,
			 "%s: other process %d %s after steps \"%s\" (" OTHER_STEPS ")",
			 when, i,
			 o[i].done ? vm_wstatus_str(o[i].status, ws, sizeof(ws)) :
				     "had not finished",
			 o[i].seen);
	}
}

static void t_fuse_stall(void)
{
	struct kid P, P2, o1[N_OTHERS], o2[N_OTHERS];
	struct stalled_arg ap, ap2;
	struct stalled_res *res;
	int kl0[N_KLOG_WORDS], splats0, cp[2], i, reads, p_put, p_closed;
	char err[256], first[256], ws[64];
	struct akfuse f;
	uint64_t deadline;

	for (i = 0; i < N_KLOG_WORDS; i++)
		kl0[i] = vm_klog_count(klog_words[i]);
	splats0 = vm_klog_splats(first, sizeof(first));
	VM_REQUIRE(kl0[0] >= 0 && splats0 >= 0, "cannot read the kernel log");
	if (akfuse_start(&f, SRC_LEN, err, sizeof(err))) {
		VM_FAIL("FUSE server: %s", err);
		akfuse_stop(&f);
		return;
	}
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	VM_REQUIRE(res != MAP_FAILED && pipe2(cp, O_CLOEXEC) == 0, "pipe");
	memset(res, 0, sizeof(*res));
	ap = (struct stalled_arg){ &f, 32 * AK_PAGE, 1, cp[0], NULL };
	ap2 = (struct stalled_arg){ &f, 0, 0, -1, res };
	VM_REQUIRE(kid_spawn(&P2, stalled_owner, &ap2) == 0 &&
		   kid_spawn(&P, stalled_owner, &ap) == 0, "fork");
	close(cp[0]);

	/* both jobs submitted, the server holds at least one READ (nothing
	 * is withheld yet: a longer guard is harmless) */
	deadline = vm_now_ms() + 2 * ROUND_GUARD_MS;
	while (!(kid_has(&P, 'S') && kid_has(&P2, 'S')) && !P.done &&
	       !P2.done && vm_now_ms() < deadline) {
		kid_poll(&P);
		kid_poll(&P2);
		usleep(10000);
	}
	reads = akfuse_wait_read(&f, ROUND_GUARD_MS);
	kid_poll(&P);
	kid_poll(&P2);
	P.seen[P.nseen] = P2.seen[P2.nseen] = '\0';
	VM_CHECK(kid_has(&P, 'S') && kid_has(&P2, 'S'),
		 "stalled owners did not submit: %s after \"%s\" / %s after \"%s\" (a queue open, f file open, m mapped, S submitted; exit 20-23 setup)",
		 P.done ? vm_wstatus_str(P.status, ws, sizeof(ws)) : "running",
		 P.seen, P2.done ? "exited" : "running", P2.seen);
	VM_CHECK(reads > 0,
		 "the device's page request on the FUSE mapping never reached the server (no READ within %d s)",
		 ROUND_GUARD_MS / 1000);

	/* round 1: others use the device while the fault sleeps in FUSE */
	for (i = 0; i < N_OTHERS; i++)
		VM_CHECK(kid_spawn(&o1[i], other_proc, NULL) == 0, "fork");
	kids_wait(o1, N_OTHERS, vm_now_ms() + ROUND_GUARD_MS);
	others_report(o1, N_OTHERS, "while the FUSE READ was withheld");

	/* round 2: the stalled queue's owner PUT_Qs and closes it, others
	 * keep going at the same time */
	VM_CHECK(write(cp[1], "C", 1) == 1, "command");
	for (i = 0; i < N_OTHERS; i++)
		VM_CHECK(kid_spawn(&o2[i], other_proc, NULL) == 0, "fork");
	deadline = vm_now_ms() + ROUND_GUARD_MS;
	while (vm_now_ms() < deadline) {
		kid_poll(&P);
		if ((kid_has(&P, 'c') || P.done) &&
		    kids_wait(o2, N_OTHERS, 0) == N_OTHERS)
			break;
		usleep(10000);
	}
	kids_wait(o2, N_OTHERS, 0);
	p_put = kid_has(&P, 'p');
	p_closed = kid_has(&P, 'c');
	VM_CHECK(p_put,
		 "PUT_Q by the owner of the stalled queue %s while the FUSE server withheld the READ",
		 kid_has(&P, 'E') ? "failed" : "did not return");
	VM_CHECK(p_closed,
		 "close by the owner of the stalled queue did not return while the FUSE server withheld the READ");
	others_report(o2, N_OTHERS,
		      "while the stalled queue's owner was PUT_Q/closing it");

	/* the server answers: everything completes */
	akfuse_release(&f);
	deadline = vm_now_ms() + AFTER_GUARD_MS;
	kids_wait(o2, N_OTHERS, deadline);
	while (!kid_has(&P, 'c') && !P.done && vm_now_ms() < deadline) {
		kid_poll(&P);
		usleep(10000);
	}
	while (!P2.done && vm_now_ms() < deadline) {
		kid_poll(&P2);
		usleep(10000);
	}
	VM_CHECK(kid_has(&P, 'c'),
		 "the stalled queue's PUT_Q/close did not complete even after the FUSE server answered");
	for (i = 0; i < N_OTHERS; i++)
		VM_CHECK(o2[i].done, "other process %d still blocked after the FUSE server answered",
			 i);
	VM_CHECK(P2.done && WIFEXITED(P2.status) && WEXITSTATUS(P2.status) == 0,
		 "the other stalled owner: %s (25 job never completed)",
		 P2.done ? vm_wstatus_str(P2.status, ws, sizeof(ws)) :
			   "still running");
	if (kid_has(&P2, 'R')) {
		VM_CHECK(res->status == AK_ST_SUCCESS &&
			 res->bytes == JOB_LEN && res->bad < 0,
			 "COPY from the FUSE file after the server answered: status %u (%s), bytes %llu, first wrong byte %ld",
			 res->status, ak_status_str(res->status),
			 (unsigned long long)res->bytes, res->bad);
	} else {
		VM_FAIL("no result from the other stalled owner");
	}
	if (write(cp[1], "X", 1) != 1)
		kill(P.pid, SIGKILL);
	close(cp[1]);
	deadline = vm_now_ms() + AFTER_GUARD_MS;
	while (!P.done && vm_now_ms() < deadline) {
		kid_poll(&P);
		usleep(10000);
	}
	VM_CHECK(P.done && WIFEXITED(P.status) && WEXITSTATUS(P.status) == 0,
		 "stalled owner: %s", P.done ?
		 vm_wstatus_str(P.status, ws, sizeof(ws)) : "still running");
	kid_kill(&P);
	kid_kill(&P2);
	for (i = 0; i < N_OTHERS; i++) {
		kid_kill(&o1[i]);
		kid_kill(&o2[i]);
	}
	akfuse_stop(&f);
	munmap(res, sizeof(*res));

	for (i = 0; i < N_KLOG_WORDS; i++) {
		int k = vm_klog_count(klog_words[i]);

		VM_CHECK(k == kl0[i],
			 "kernel log: %d new line(s) containing \"%s\"",
			 k - kl0[i], klog_words[i]);
	}
	VM_CHECK(vm_klog_splats(first, sizeof(first)) == splats0,
		 "kernel report during the FUSE stall: %s", first);
	{
		long a = vm_avail();
		uint64_t until = vm_now_ms() + AFTER_GUARD_MS;

		while (a != g_max_instances && vm_now_ms() < until) {
			usleep(20000);
			a = vm_avail();
		}
	}
	vm_check_instances_back();
}

static const struct ak_test fuse_tests[] = {
	{ "FUSE READ withheld under a page request: others unaffected, owner can PUT_Q/close", t_fuse_stall },
	{ "owner exit stalled in exit_aio (FUSE) with a faulting job: no page-request livelock", t_fuse_exit_livelock },
	{ NULL, NULL },
};

int add_fuse_suites(void)
{
	return ak_add_suite("hostile-fuse", NULL, NULL, fuse_tests);
}
