// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The storm suite: a queue shutdown racing an munmap() of the queue's
 * rings (vm_storm.h). Found by the kill storm: a sharer that maps and
 * unmaps the rings of a queue whose owner is exiting. munmap() unmaps
 * under mmap_lock downgraded to read; the shutdown's sync with the
 * mapper's address space (mmap_read_lock/unlock) does not wait for it,
 * and its zap of the same VM_PFNMAP VMA then finds the PAT range already
 * untracked: x86 warns (untrack_pfn, arch/x86/mm/pat/memtype.c).
 *
 * Each iteration: a started queue whose rings one thread maps and
 * unmaps in a loop, while the main thread PUT_Qs it (PUTQ_ITERS queues), or
 * a SHAREd queue whose rings a forked sharer maps and unmaps in a loop
 * while the owner exits (DEFUNCT shutdown,
 * EXIT_ITERS owners). Checked: no
 * kernel report, the counters back.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_storm.h"

#define OFF_DUS		((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)
/* iterations, at most, and the effort bound of each half (the suite's
 * budget on a loaded machine; an idle one does every iteration) */
#define PUTQ_ITERS	1000
#define PUTQ_MS		8000
#define EXIT_ITERS	200
#define EXIT_MS		5000

struct looper {
	int fd;
	size_t len;
	atomic_uint maps;
	atomic_int stop;
};

/* map and unmap the rings until stopped or refused (RELEASED/DEFUNCT) */
static void *loop_maps(void *arg)
{
	struct looper *l = arg;

	while (!atomic_load(&l->stop)) {
		void *m = mmap(NULL, l->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       l->fd, OFF_DUS);

		if (m == MAP_FAILED) {
			if (errno != EEXIST)
				break;
			continue;
		}
		atomic_fetch_add(&l->maps, 1);
		munmap(m, l->len);
	}
	return NULL;
}

/* PUT_Q against a thread's munmap(); 0 or a code */
static int race_putq(unsigned wait_maps)
{
	struct looper l;
	struct rq q;
	pthread_t th;
	void *mm;

	memset(&l, 0, sizeof(l));
	if (rq_open(&q, O_CLOEXEC, 20000))
		return 1;
	mm = mmap(NULL, q.mlen, PROT_READ | PROT_WRITE, MAP_SHARED, q.fd, 0);
	if (mm == MAP_FAILED || ioctl(q.fd, UACCE_CMD_START_Q))
		return 2;
	l.fd = q.fd;
	l.len = q.dlen;
	if (pthread_create(&th, NULL, loop_maps, &l))
		return 3;
	while (atomic_load(&l.maps) < wait_maps)
		sched_yield();
	if (ioctl(q.fd, UACCE_CMD_PUT_Q))
		return 4;
	atomic_store(&l.stop, 1);
	pthread_join(th, NULL);
	munmap(mm, q.mlen);
	close(q.fd);
	return 0;
}

/* the owner (a child) exits while its forked sharer
 * maps and unmaps the rings; 0 or a code */
static int race_exit(unsigned wait_maps)
{
	int pp[2], st, to;
	pid_t owner;
	char c;

	if (pipe(pp))
		return 10;
	fflush(NULL);
	owner = fork();
	if (owner < 0)
		return 11;
	if (!owner) {
		struct looper l;
		struct rq q;
		pid_t sh;

		close(pp[0]);
		memset(&l, 0, sizeof(l));
		if (rq_open(&q, 0, 20000) || ioctl(q.fd, UACCE_CMD_START_Q) ||
		    ioctl(q.fd, ACCELKIT_CMD_SHARE))
			_exit(12);
		if (mmap(NULL, q.mlen, PROT_READ | PROT_WRITE, MAP_SHARED,
			 q.fd, 0) == MAP_FAILED)
			_exit(12);
		l.fd = q.fd;
		l.len = q.dlen;
		sh = fork();
		if (sh < 0)
			_exit(13);
		if (!sh) {
			/* the sharer: maps until the queue is DEFUNCT */
			loop_maps(&l);
			_exit(0);
		}
		/* the owner: dies after the sharer mapped a few times (it
		 * cannot see them: give it time instead) */
		if (write(pp[1], "s", 1) != 1)
			_exit(14);
		usleep(200 * (wait_maps % 8));
		_exit(0);
	}
	close(pp[1]);
	if (read(pp[0], &c, 1) != 1)
		c = 0;
	close(pp[0]);
	st = vm_wait_child(owner, 20000, &to);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return WIFEXITED(st) ? WEXITSTATUS(st) : 15;
	/* the sharer (reparented to us) ends once the queue is DEFUNCT */
	if (waitpid(-1, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return 17;
	return c == 's' ? 0 : 16;
}

void t_zap_race(void)
{
	char first[256], ws[64];
	int splats0 = vm_klog_splats(NULL, 0), n, r = 0, st, to;
	unsigned it, k;
	uint64_t s = 20261130;
	pid_t pid;

	uint64_t t0 = vm_now_ms(), t1;

	/* PUT_Q: PUTQ_ITERS queues in one child (a stuck thread must not
	 * hang the suite) */
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork");
	if (!pid) {
		for (k = 0; k < PUTQ_ITERS && vm_now_ms() - t0 < PUTQ_MS; k++) {
			r = race_putq(1 + st_below(&s, 16));
			if (r)
				_exit(r);
		}
		printf("[%u PUT_Qs] ", k);
		fflush(stdout);
		_exit(0);
	}
	g_storm.started++;
	st = vm_wait_child(pid, 120000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "up to %u PUT_Qs racing a thread's munmap(): %s (1 open, 2 mmap/START_Q, 3 thread, 4 PUT_Q)",
		 PUTQ_ITERS, vm_wstatus_str(st, ws, sizeof(ws)));
	n = vm_klog_splats(first, sizeof(first));
	VM_CHECK(n == splats0,
		 "kernel report during (up to) %u PUT_Qs racing a thread's munmap() of the rings: %s",
		 PUTQ_ITERS, first);
	splats0 = n;
	t1 = vm_now_ms();

	/* owner exit: one owner and one sharer per iteration */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (it = 0; it < EXIT_ITERS && !r && vm_now_ms() - t1 < EXIT_MS; it++) {
		r = race_exit(1 + st_below(&s, 16));
		VM_CHECK(r == 0, "iteration %u (owner exit): code %d (10-11 pipe/fork, 12 queue, 13 fork, 14 pipe, 15 killed, 16 no sync, 17 the sharer failed)",
			 it, r);
		g_storm.started += 2;
		n = vm_klog_splats(first, sizeof(first));
		if (n != splats0)
			break;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	printf("[PUT_Qs for %llu ms, %u owner exits in %llu ms] ",
	       (unsigned long long)(t1 - t0), it,
	       (unsigned long long)(vm_now_ms() - t1));
	VM_CHECK(n == splats0,
		 "kernel report at owner exit %u of %u racing a sharer's munmap() of the rings: %s",
		 it, EXIT_ITERS, first);
	st_after_checks("shutdowns racing munmap", n);
}
