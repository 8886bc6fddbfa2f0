/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * akbench internals shared by akbench.c (NOP/COPY jobs, fault mode) and
 * akbench_alg.c (algorithm engines: device path next to software path).
 */
#ifndef AKBENCH_H
#define AKBENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Percentile @p (0..1) of @n latencies in ns, in microseconds (sorts). */
static inline double pct_us(uint64_t *lat, unsigned n, double p)
{
	unsigned i;

	if (!n)
		return 0;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	i = (unsigned)(p * (n - 1) + 0.5);
	return lat[i] / 1000.0;
}

struct akb_opts {
	const char *dev;	/* -d: device node for the device path, or NULL */
	unsigned sflags;	/* extra AK_SF_* (AK_SF_BUSY_POLL) */
	unsigned budget_ms;	/* -t: time per measurement (0: mode default) */
	unsigned reps;		/* -r: repetitions of each figure (0: 5) */
	const char *emit;	/* --emit: host-engine figures file */
	const char *host_file;	/* --host-file: the same file, read in the VM */
};

#define AKB_REPS_MAX	32

/* akbench_util.c: repetitions of one figure, and their summary. */
struct akb_stat {
	unsigned n;
	double v[AKB_REPS_MAX];
};

void akb_stat_add(struct akb_stat *s, double v);
double akb_stat_med(const struct akb_stat *s);
double akb_stat_min(const struct akb_stat *s);
double akb_stat_max(const struct akb_stat *s);
/* Largest distance of min or max from the median, in % of the median. */
double akb_stat_pm(const struct akb_stat *s);
/* "MED UNIT [MIN..MAX] +-P%" with @prec decimals. */
const char *akb_stat_fmt(const struct akb_stat *s, const char *unit,
			 int prec, char *buf, size_t len);

/* Pin the calling thread to @cpu (-1: every CPU again). 0 or -errno. */
int akb_pin(int cpu);
/* Short-interval timer: TSC ticks on x86 (calibrated against
 * CLOCK_MONOTONIC by akb_ticks_init(); pin the thread), else now_ns(). */
void akb_ticks_init(void);
uint64_t akb_ticks(void);
double akb_ticks_us(uint64_t ticks);
const char *akb_ticks_source(void);

/* Device-side counters of the sample driver (sysfs, contract 2.1). */
enum { AKC_HITS, AKC_MISSES, AKC_WALKS, AKC_STEPS, AKC_PRQ, AKC_PAGES,
       AKC_COUNT };
struct akb_ctr {
	bool ok;			/* every file was readable */
	uint64_t v[AKC_COUNT];
};
/* The PCI device directory of the accelkit node @node ("/dev/x-N"). */
int akb_pci_dir(const char *node, char *dir, size_t len);
void akb_ctr_read(const char *pcidir, struct akb_ctr *c);
/* One line "LABEL jobs walks/job steps/job hit-rate prq/job pages/job",
 * from two snapshots; n/a when the counters are absent. */
void akb_ctr_print(const char *label, const struct akb_ctr *a,
		   const struct akb_ctr *b, uint64_t jobs);
void akb_ctr_header(void);
/* The device's `workers` attribute, or -1 if absent. */
long akb_workers(const char *pcidir);

/* akbench_alg.c: one engine measurement, for the scorecard. */
#define AKB_NENG	5	/* gzip-1, gzip-6, gunzip, sha256, aes-256-gcm */
const char *akb_eng_name(int e);
int akb_eng_find(const char *name);
int akb_eng_open(const struct akb_opts *o, bool device);
void akb_eng_close(void);
const char *akb_eng_node(void);
int akb_eng_prepare(size_t size);
/* MiB/s of engine @e at @size and @qd for about @budget_ms; returns the
 * number of failed/wrong requests, or a negative errno. */
int akb_eng_cell(int e, size_t size, unsigned qd, bool device,
		 unsigned budget_ms, double *mibs, unsigned *ops);
void akb_eng_versions(FILE *f);
int akb_host_emit(const struct akb_opts *o);	/* --host-engine --emit */

/* akbench_score.c / akbench_scale.c */
int akb_scorecard(const struct akb_opts *o);	/* --scorecard */
struct akb_score;
/* Aggregate throughput of 2 processes (one queue each) vs 1; adds its
 * rows to the scorecard. Returns failures or a negative errno. */
int akb_scale(const struct akb_opts *o, const char *pcidir,
	      struct akb_score *sc);
/* A scorecard row: @goal_op "<=", ">=" or NULL (informational). */
void akb_score_row(struct akb_score *sc, const char *figure,
		   const struct akb_stat *st, const char *unit, int prec,
		   const char *goal_op, double goal, const char *goal_txt);

/*
 * Each returns the number of failed requests (0: all succeeded and
 * verified; a submit/poll error counts as one), or a negative errno if the
 * benchmark could not run (a session could not be opened, out of memory).
 */
int akb_engines(const struct akb_opts *o);	/* -e: full table */
int akb_summary(const struct akb_opts *o);	/* -s: one line an engine */
int akb_host(const struct akb_opts *o);		/* --host-engine */

struct ak_queue;
/* munmap() latency idle vs during a long job (akbench_munmap.c): 0, 1 if
 * the long job failed, or a negative errno. */
int akb_munmap(struct ak_queue *q);
/* --zswap MIB (akbench_zswap.c): zswap on deflate-accelkit (the device's
 * kernel queues) next to deflate-scomp (the CPU); failures or -errno. */
int akb_zswap(const struct akb_opts *o, unsigned mib);

#endif /* AKBENCH_H */
