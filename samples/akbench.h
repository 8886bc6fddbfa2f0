/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * akbench internals shared by akbench.c (NOP/COPY jobs, fault mode) and
 * akbench_alg.c (algorithm engines: device path next to software path).
 */
#ifndef AKBENCH_H
#define AKBENCH_H

#include <stdint.h>
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
};

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

#endif /* AKBENCH_H */
