// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Address-space lifetime with device page faults: munmap racing in-flight
 * jobs (INVALIDATE: the device never touches a page after munmap
 * returned), process exit and SIGKILL with queues open and jobs/page
 * requests in flight, and O_CLOEXEC over exec. Deliberate sharing is in
 * vm_share.c (same suite).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <accelkit/accelkit.h>
#include <accelkit/sample_hw.h>
#include <misc/uacce/uacce.h>

#include "ring.h"
#include "vm_common.h"

#define CANARY 0xC3

/* ------------------------------------------------------------------ */
/* munmap while jobs on the range are in flight */

#define RACE_ITERS	12
#define RACE_LEN	(1ul << 20)
#define RACE_CHUNK	(32ul << 10)

struct race {
	struct ak_queue *q;
	uint8_t *S, *R;
	atomic_int stop;
	atomic_uint ok;
	unsigned fault, other, submitted;
	char msg[256];
};

static void race_classify(struct race *rc, const struct ak_result *res,
			  int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (res[i].status == AK_ST_SUCCESS &&
		    res[i].bytes == RACE_CHUNK) {
			atomic_fetch_add(&rc->ok, 1);
		} else if (res[i].status == AK_ST_XLATE_FAULT) {
			rc->fault++;
		} else if (!rc->other++) {
			snprintf(rc->msg, sizeof(rc->msg),
				 "job %llu: status %u (%s) bytes %llu",
				 (unsigned long long)res[i].tag, res[i].status,
				 ak_status_str(res[i].status),
				 (unsigned long long)res[i].bytes);
		}
	}
}

static void *race_thread(void *arg)
{
	struct race *rc = arg;
	struct ak_result res[64];
	struct ak_job j;
	uint64_t k = 0, deadline;
	int n;

	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.len = RACE_CHUNK;
	while (!atomic_load(&rc->stop)) {
		while (!atomic_load(&rc->stop) && ak_queue_space(rc->q) > 0) {
			size_t off = (size_t)((k * 5 % (RACE_LEN / RACE_CHUNK)) *
					      RACE_CHUNK);

			j.tag = k++;
			j.src = rc->S + off;
			j.dst = rc->R + off;
			if (ak_submit(rc->q, &j))
				break;
			rc->submitted++;
			if (rc->submitted % 64 == 0)
				break;	/* reap from time to time */
		}
		n = ak_reap(rc->q, res, 64);
		if (n > 0)
			race_classify(rc, res, n);
		else
			sched_yield();
	}
	deadline = vm_now_ms() + 120000;
	while (ak_queue_inflight(rc->q) > 0 && vm_now_ms() < deadline) {
		n = vm_reap_n(rc->q, res, 1, 1000);
		if (n > 0)
			race_classify(rc, res, n);
	}
	if (ak_queue_inflight(rc->q) > 0 && !rc->other++)
		snprintf(rc->msg, sizeof(rc->msg),
			 "%d jobs never completed", ak_queue_inflight(rc->q));
	return NULL;
}

static void t_munmap_race(void)
{
	struct ak_queue *q = vm_open_queue(0);
	unsigned it, tot_ok = 0, tot_fault = 0, dirty_iters = 0;
	struct race rc;
	pthread_t th;
	long bad;

	VM_REQUIRE(q, "no queue");
	for (it = 0; it < RACE_ITERS; it++) {
		uint8_t *S = vm_alloc(RACE_LEN), *R, *R2;
		uint64_t deadline;
		size_t i;

		R = mmap(NULL, RACE_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		VM_REQUIRE(S && R != MAP_FAILED, "mmap");
		madvise(R, RACE_LEN, MADV_NOHUGEPAGE);
		vm_fill_random(S, RACE_LEN, 500 + it);
		/* half of R present, half left to page requests */
		for (i = 0; i < RACE_LEN; i += 2 * AK_PAGE)
			R[i] = 1;

		memset(&rc, 0, sizeof(rc));
		rc.q = q;
		rc.S = S;
		rc.R = R;
		VM_REQUIRE(pthread_create(&th, NULL, race_thread, &rc) == 0,
			   "pthread_create");
		deadline = vm_now_ms() + 20000;
		while (atomic_load(&rc.ok) < 4 + it * 3 && vm_now_ms() < deadline)
			usleep(200);
		/*
		 * COPY jobs S -> R. Unmap R (the range under test), then S, so
		 * that no job can legitimately write anything any more (all
		 * later jobs fault on S), then put fresh anonymous memory at
		 * R's address and fill it with the canary: the pages munmap
		 * just freed are the likeliest to come back here. Any byte
		 * that is not the canary was written by the device through a
		 * translation it kept after munmap returned.
		 */
		VM_CHECK(munmap(R, RACE_LEN) == 0, "munmap R");
		VM_CHECK(munmap(S, RACE_LEN) == 0, "munmap S");
		R2 = mmap(R, RACE_LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);
		if (R2 != MAP_FAILED)
			memset(R2, CANARY, RACE_LEN);
		atomic_store(&rc.stop, 1);
		pthread_join(th, NULL);
		VM_CHECK(R2 == R, "mmap MAP_FIXED_NOREPLACE at %p: %p (%s)",
			 (void *)R, (void *)R2, strerror(errno));
		if (R2 != R) {
			if (R2 != MAP_FAILED)
				munmap(R2, RACE_LEN);
			break;
		}
		VM_CHECK(rc.other == 0,
			 "iteration %u: a job completed neither SUCCESS nor TRANSLATION_FAULT: %s",
			 it, rc.msg);
		bad = vm_first_not(R2, CANARY, RACE_LEN);
		if (bad >= 0)
			dirty_iters++;
		VM_CHECK(bad < 0,
			 "iteration %u: byte %ld of the region mapped after munmap is 0x%02x, not the canary: the device wrote after munmap returned",
			 it, bad, bad < 0 ? 0 : R2[bad]);
		tot_ok += atomic_load(&rc.ok);
		tot_fault += rc.fault;
		munmap(R2, RACE_LEN);
		if (bad >= 0)
			break;
	}
	printf("[%u iterations: %u jobs SUCCESS, %u TRANSLATION_FAULT] ", it,
	       tot_ok, tot_fault);
	VM_CHECK(tot_ok > 0 && tot_fault > 0,
		 "the race did not happen: %u successes, %u faults", tot_ok,
		 tot_fault);
	/* the queue works afterwards */
	{
		uint8_t a[512], b[512];

		vm_fill_random(a, sizeof(a), 1);
		memset(b, 0, sizeof(b));
		VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 &&
			 !memcmp(a, b, sizeof(a)), "COPY after the race");
	}
	ak_queue_close(q);
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* exit / SIGKILL with queues open, jobs and page requests in flight */

#define EXIT_ITERS	200	/* vm_debug_kernel(): EXIT_ITERS_DEBUG */
#define EXIT_ITERS_DEBUG 80
#define EXIT_SRC	(1ul << 20)
#define EXIT_DST	(2ul << 20)

static void exit_child(unsigned it, int wfd)
{
	int nq = 1 + (int)(it & 1), i, k;
	struct ak_queue *q[2] = { NULL, NULL };
	uint8_t *src, *dst;
	struct ak_job jobs[8];

	src = mmap(NULL, EXIT_SRC, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		_exit(10);
	memset(src, 0x5a, EXIT_SRC);
	for (i = 0; i < nq; i++) {
		if (ak_queue_open(g_node, NULL, 0, &q[i]))
			_exit(11);
		/* never touched: the jobs stall on page requests */
		dst = mmap(NULL, EXIT_DST, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (dst == MAP_FAILED)
			_exit(12);
		madvise(dst, EXIT_DST, MADV_NOHUGEPAGE);
		memset(jobs, 0, sizeof(jobs));
		for (k = 0; k < 8; k++) {
			jobs[k].tag = (uint64_t)k;
			jobs[k].dst = dst + (size_t)k * (EXIT_DST / 8);
			jobs[k].len = EXIT_DST / 8;
			if (k & 1) {
				jobs[k].op = AK_OP_FILL;
				jobs[k].pattern = 0x0101010101010101ull * k;
			} else {
				jobs[k].op = AK_OP_COPY;
				jobs[k].src = src;
			}
		}
		if (ak_submit_batch(q[i], jobs, 8) != 8)
			_exit(13);
	}
	switch (it % 4) {
	case 0:		/* exit at once, nothing reaped */
		_exit(0);
	case 2:		/* exit a little later */
		usleep(100 + (it * 37) % 3000);
		_exit(0);
	default:	/* SIGKILLed by the parent */
		if (write(wfd, "R", 1) != 1)
			_exit(14);
		for (;;)
			pause();
	}
}

static void t_exit_inflight(void)
{
	unsigned it, bad_exit = 0, slow = 0, slow_kill = 0, splats0_ok;
	unsigned iters = vm_debug_kernel() ? EXIT_ITERS_DEBUG : EXIT_ITERS;
	uint64_t max_lag = 0;
	char first[256], ws[64], msg[200] = "";
	int splats0, splats1;
	long a;

	splats0 = vm_klog_splats(first, sizeof(first));
	splats0_ok = splats0 >= 0;
	VM_CHECK(splats0_ok, "cannot read the kernel log: %d", splats0);
	for (it = 0; it < iters; it++) {
		int pfd[2], st, to;
		uint64_t deadline;
		pid_t pid;

		VM_REQUIRE(pipe(pfd) == 0, "pipe");
		fflush(NULL);
		pid = fork();
		VM_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
		if (pid == 0) {
			close(pfd[0]);
			exit_child(it, pfd[1]);
		}
		close(pfd[1]);
		if (it % 4 == 1 || it % 4 == 3) {
			struct pollfd p = { .fd = pfd[0], .events = POLLIN };
			char c;

			if (poll(&p, 1, 10000) == 1 && read(pfd[0], &c, 1) == 1)
				kill(pid, SIGKILL);
		}
		close(pfd[0]);
		st = vm_wait_child(pid, 20000, &to);
		if ((it % 4 == 1 || it % 4 == 3) ?
		    !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || to :
		    !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			if (!bad_exit++)
				snprintf(msg, sizeof(msg),
					 "iteration %u: child %s%s (exit 10-14: setup failed)",
					 it, vm_wstatus_str(st, ws, sizeof(ws)),
					 to ? ", timed out" : "");
		}
		/*
		 * The queues go back when the process dies. Not always at once:
		 * when the fault worker holds the last mm_users reference of
		 * the dying mm (a page request was being resolved), exit_mmap()
		 * and the queue file's last fput run from the worker (kthread:
		 * delayed fput), shortly after the parent reaped the child.
		 * That lag is reported; more than 3 s is a failure.
		 */
		a = vm_avail();
		if (a != g_max_instances) {
			uint64_t t0 = vm_now_ms();

			slow++;
			deadline = t0 + 3000;
			while ((a = vm_avail()) != g_max_instances &&
			       vm_now_ms() < deadline)
				usleep(500);
			if (vm_now_ms() - t0 > max_lag)
				max_lag = vm_now_ms() - t0;
			slow_kill += it % 2;
		}
		if (a != g_max_instances) {
			VM_FAIL("iteration %u: available_instances %ld 3 s after the child died, want %ld",
				it, a, g_max_instances);
			break;
		}
	}
	printf("[%u exits; instances returned after the reap in %u of them (%u SIGKILL), longest lag %llu ms] ",
	       it, slow, slow_kill, (unsigned long long)max_lag);
	VM_CHECK(bad_exit == 0, "%u children ended unexpectedly; first: %s",
		 bad_exit, msg);
	vm_check_instances_back();
	splats1 = vm_klog_splats(first, sizeof(first));
	if (splats0_ok)
		VM_CHECK(splats1 == splats0,
			 "kernel log reports appeared during the exits (%d -> %d): %s",
			 splats0, splats1, first);
	/* the device still works */
	{
		struct ak_queue *q = vm_open_queue(0);
		uint8_t x[300], y[300];

		if (q) {
			vm_fill_random(x, sizeof(x), 3);
			memset(y, 0, sizeof(y));
			VM_CHECK(ak_copy(q, y, x, sizeof(x)) == 0 &&
				 !memcmp(x, y, sizeof(x)),
				 "COPY after 200 exits");
			ak_queue_close(q);
		}
	}
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* exec: the library's fd is O_CLOEXEC */

/* "ak-vm-tests --exec-check GONE KEPT NODE": exit code = bit mask of
 * failed checks. */
int vm_exec_check_main(int argc, char **argv)
{
	struct accelkit_queue_info qi;
	char link[PATH_MAX], p[64];
	int gone, kept, bad = 0;
	struct dirent *e;
	DIR *d;
	ssize_t n;

	if (argc < 5)
		return 64;
	gone = atoi(argv[2]);
	kept = atoi(argv[3]);
	if (fcntl(gone, F_GETFD) != -1 || errno != EBADF)
		bad |= 1;	/* the library's fd survived exec */
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == kept || fd == dirfd(d))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n = readlink(p, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			if (!strcmp(link, argv[4]))
				bad |= 2;	/* another queue fd leaked */
		}
	}
	if (d)
		closedir(d);
	else
		bad |= 2;
	/* control: a non-CLOEXEC fd does survive and is seen */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", kept);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0 || (link[n] = '\0', strcmp(link, argv[4])))
		bad |= 4;
	/* ...but belongs to another address space now */
	if (ioctl(kept, ACCELKIT_CMD_QUEUE_INFO, &qi) != -1 || errno != EPERM)
		bad |= 8;
	return bad;
}

static void t_exec_cloexec(void)
{
	struct ak_queue *q = vm_open_queue(0);
	char sg[16], sk[16], ws[64];
	int fd, kept, st, to, fl;
	uint8_t a[256], b[256];
	pid_t pid;

	VM_REQUIRE(q, "no queue");
	fd = ak_queue_fd(q);
	fl = fcntl(fd, F_GETFD);
	VM_CHECK(fl >= 0 && (fl & FD_CLOEXEC), "library fd %d flags 0x%x: no FD_CLOEXEC",
		 fd, fl);
	kept = fcntl(fd, F_DUPFD, 100);		/* without CLOEXEC */
	VM_REQUIRE(kept >= 0, "F_DUPFD: %s", strerror(errno));
	snprintf(sg, sizeof(sg), "%d", fd);
	snprintf(sk, sizeof(sk), "%d", kept);
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		execl("/proc/self/exe", "ak-vm-tests", "--exec-check", sg, sk,
		      g_node, (char *)NULL);
		_exit(127);
	}
	st = vm_wait_child(pid, 20000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "exec'd check: %s (bits: 1 library fd survived exec, 2 another queue fd open, 4 control fd not seen, 8 control fd usable after exec (not EPERM); 127 exec failed)",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	close(kept);
	vm_fill_random(a, sizeof(a), 4);
	memset(b, 0, sizeof(b));
	VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 && !memcmp(a, b, sizeof(a)),
		 "owner COPY after the exec");
	ak_queue_close(q);
	vm_check_instances_back();
}

static const struct ak_test lifetime_tests[] = {
	{ "munmap racing in-flight COPY jobs: nothing written after munmap", t_munmap_race },
	{ "exit/SIGKILL with 1-2 queues and page requests in flight, 200x (debug kernel: 80x)", t_exit_inflight },
	{ "SHARE + SCM_RIGHTS: jobs in the owner's mm; owner exit: DEFUNCT, queue back", t_share },
	{ "exec: library fd is O_CLOEXEC; an inherited fd gets EPERM", t_exec_cloexec },
	{ NULL, NULL },
};

int add_lifetime_suites(void)
{
	return ak_add_suite("lifetime", NULL, NULL, lifetime_tests);
}
