/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "storm" suite (issue 11, kill storms and memory pressure;
 * docs/testing.md "The storm suite"): vm_storm.c (the seeded kill storm,
 * the after-checks, the summary line), vm_storm_proc.c (what the storm's
 * processes do), vm_storm_oom.c (an OOM kill of a queue owner),
 * vm_storm_threads.c (exit and exec while other threads are inside an
 * ioctl or poll on the queue).
 */
#ifndef AK_VM_STORM_H
#define AK_VM_STORM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <accelkit/accelkit.h>
#include <accelkit/sample_hw.h>

/* A queue driven through the raw uAPI (no library: any descriptor). */
struct rq {
	int fd;
	struct accelkit_queue_info qi;
	uint8_t *mmio, *dus;
	size_t mlen, dlen;
	uint32_t sq, cq;	/* free-running ring counters */
};

/* open (retrying EBUSY for up to @wait_ms: instances are limited) and
 * QUEUE_INFO. 0 or -errno. */
int rq_open(struct rq *q, int flags, int wait_ms);
/* mmap both regions and START_Q. 0 or -errno. */
int rq_start(struct rq *q);
/* Write @d at the tail (no doorbell). */
void rq_put(struct rq *q, const struct aks_desc *d);
void rq_ring(struct rq *q);
/* The next completion, if there: copied to @c, consumed (CQ_HEAD). */
bool rq_get(struct rq *q, struct aks_cpl *c);
void rq_close(struct rq *q);

/* splitmix64 */
static inline uint64_t st_rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline unsigned st_below(uint64_t *s, unsigned n)
{
	return n ? (unsigned)(st_rnd(s) % n) : 0;
}

/* ---- the storm's processes (vm_storm_proc.c) ---- */

enum st_role { SR_OWNER, SR_CHILD, SR_RECV, SR_NR };
enum st_msg_type { SM_HELLO, SM_POINT, SM_RESULT };

/* One record on the storm's event pipe (atomic: < PIPE_BUF). */
struct st_msg {
	uint32_t unit;
	uint8_t role, type;
	uint16_t point;
	int32_t pid;
	uint32_t jobs, done, lost, dup, bad;
};

/* What one unit (an owner and up to two sharers) does: drawn by the
 * storm parent from the seed before the fork. */
struct st_plan {
	uint32_t unit;
	uint64_t rng;		/* the unit's own stream */
	bool group;		/* SHAREd with a forked child and a receiver */
	int nq;			/* owner's queues (1 or 2) */
	int batches;
	int exit_mode;		/* 0 reap+exit, 1 _exit in flight, 2 PUT_Q in flight */
	/* per role: kill at point (>= 0), after ms (>= 0), or never (-1) */
	int kill_point[SR_NR];
	int kill_ms[SR_NR];
};

/* Runs in the forked owner: never returns. */
void st_unit_main(const struct st_plan *p, int evfd) __attribute__((noreturn));
/* A string for a failure code of a storm process. */
const char *st_bad_str(unsigned bad);

/* ---- vm_storm.c ---- */
struct st_counts {
	unsigned started, kills, ooms, survivors;
	unsigned long jobs, done, lost, dup;
	/* owners that survived a killed sharer of their queue, and the
	 * completions they got, each exactly once */
	unsigned shared_owners;
	unsigned long shared_done;
};
extern struct st_counts g_storm;	/* the suite's totals */
/* D-state tasks left after a bounded wait: count, the first in @first. */
int st_dstate_tasks(int wait_ms, char *first, size_t len);
/* The common after-checks: counters back to their maxima, no D-state
 * task, no new kernel report since @splats0, the device still works. */
void st_after_checks(const char *what, int splats0);

/* "ak-vm-tests --storm N [SEED]" (vm/vm-tests.sh, ak.storm=N). */
int vm_storm_main(int argc, char **argv);
/* "ak-vm-tests --storm-exec ..." (vm_storm_threads.c) */
int vm_storm_exec_main(int argc, char **argv);

int add_storm_suites(void);	/* the "storm" suite */
void t_storm_oom(void);
void t_thread_exit_poll(void);
void t_thread_exec(void);
void t_zap_race(void);		/* vm_storm_race.c */

#endif /* AK_VM_STORM_H */
