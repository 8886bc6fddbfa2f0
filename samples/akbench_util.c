// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akbench helpers for the scorecard: the summary of a figure's repetitions
 * (median, min..max, +-% of the median), CPU pinning, a cheap short-interval
 * timer, and the sample driver's device counters in sysfs.
 *
 * Why a TSC timer: in the TCG guest the clocksource is acpi_pm (the TSC is
 * marked unstable), which has no vDSO path, so every clock_gettime() is a
 * system call plus an emulated I/O port read: several microseconds, the
 * same order as the figures measured (a null syscall, a NOP round trip).
 * RDTSC is not trapped: under TCG it reads the host's TSC. The TSCs of two
 * vCPUs are not synchronised, so a thread timing with it is pinned first.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

#include "akbench.h"

void akb_stat_add(struct akb_stat *s, double v)
{
	if (s->n < AKB_REPS_MAX)
		s->v[s->n++] = v;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double sorted_at(const struct akb_stat *s, double p)
{
	double v[AKB_REPS_MAX];

	if (!s->n)
		return 0;
	memcpy(v, s->v, s->n * sizeof(v[0]));
	qsort(v, s->n, sizeof(v[0]), cmp_d);
	if (p == 0.5 && !(s->n & 1))
		return (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
	return v[(unsigned)(p * (s->n - 1) + 0.5)];
}

double akb_stat_med(const struct akb_stat *s)
{
	return sorted_at(s, 0.5);
}

double akb_stat_min(const struct akb_stat *s)
{
	return sorted_at(s, 0);
}

double akb_stat_max(const struct akb_stat *s)
{
	return sorted_at(s, 1);
}

double akb_stat_pm(const struct akb_stat *s)
{
	double m = akb_stat_med(s), lo = m - akb_stat_min(s);
	double hi = akb_stat_max(s) - m;

	return m > 0 ? (lo > hi ? lo : hi) / m * 100.0 : 0;
}

const char *akb_stat_fmt(const struct akb_stat *s, const char *unit,
			 int prec, char *buf, size_t len)
{
	if (!s->n) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	snprintf(buf, len, "%.*f%s [%.*f..%.*f] +-%.0f%%", prec,
		 akb_stat_med(s), unit, prec, akb_stat_min(s), prec,
		 akb_stat_max(s), akb_stat_pm(s));
	return buf;
}

int akb_pin(int cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	if (cpu >= 0) {
		CPU_SET(cpu, &set);
	} else {
		for (long i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	}
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static double ns_per_tick = 1.0;
static bool use_tsc;

void akb_ticks_init(void)
{
#ifdef HAVE_TSC
	struct timespec d = { 0, 200 * 1000 * 1000 };
	uint64_t t0, t1, c0, c1;

	t0 = now_ns();
	c0 = __rdtsc();
	nanosleep(&d, NULL);
	t1 = now_ns();
	c1 = __rdtsc();
	if (c1 > c0 && t1 > t0) {
		ns_per_tick = (double)(t1 - t0) / (double)(c1 - c0);
		use_tsc = true;
	}
#endif
}

uint64_t akb_ticks(void)
{
#ifdef HAVE_TSC
	if (use_tsc)
		return __rdtsc();
#endif
	return now_ns();
}

double akb_ticks_us(uint64_t ticks)
{
	return use_tsc ? ticks * ns_per_tick / 1000.0 : ticks / 1000.0;
}

const char *akb_ticks_source(void)
{
	static char buf[64];

	if (!use_tsc)
		return "clock_gettime(CLOCK_MONOTONIC)";
	snprintf(buf, sizeof(buf), "TSC, %.0f MHz (pinned thread)",
		 1000.0 / ns_per_tick);
	return buf;
}

/* ------------------------------------------------------------------ */

int akb_pci_dir(const char *node, char *dir, size_t len)
{
	char p[PATH_MAX], real[PATH_MAX];
	const char *base = strrchr(node, '/');

	base = base ? base + 1 : node;
	snprintf(p, sizeof(p), "/sys/class/uacce/%s/device", base);
	if (!realpath(p, real))
		return -errno;
	if (strlen(real) >= len)
		return -ENAMETOOLONG;
	strcpy(dir, real);
	return 0;
}

static int read_u64(const char *dir, const char *attr, uint64_t *v)
{
	char p[PATH_MAX];
	unsigned long long x;
	FILE *f;
	int ok;

	if (!dir || !*dir)
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/%s", dir, attr);
	f = fopen(p, "r");
	if (!f)
		return -errno;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (!ok)
		return -EINVAL;
	*v = x;
	return 0;
}

void akb_ctr_read(const char *pcidir, struct akb_ctr *c)
{
	static const char *const names[AKC_COUNT] = {
		[AKC_HITS] = "iotlb_hits", [AKC_MISSES] = "iotlb_misses",
		[AKC_WALKS] = "page_walks", [AKC_STEPS] = "steps",
		[AKC_PRQ] = "page_requests", [AKC_PAGES] = "pages_requested",
	};

	c->ok = true;
	for (int i = 0; i < AKC_COUNT; i++)
		if (read_u64(pcidir, names[i], &c->v[i]) < 0)
			c->ok = false;
}

long akb_workers(const char *pcidir)
{
	uint64_t v;

	return read_u64(pcidir, "workers", &v) < 0 ? -1 : (long)v;
}

void akb_ctr_header(void)
{
	printf("%-34s %8s %10s %10s %9s %9s %10s\n", "measurement", "jobs",
	       "walks/job", "steps/job", "IOTLB hit", "PRQs/job", "pages/job");
}

void akb_ctr_print(const char *label, const struct akb_ctr *a,
		   const struct akb_ctr *b, uint64_t jobs)
{
	uint64_t d[AKC_COUNT];
	double j = jobs ? (double)jobs : 1;

	if (!a->ok || !b->ok) {
		printf("%-34s %8llu %10s %10s %9s %9s %10s\n", label,
		       (unsigned long long)jobs, "n/a", "n/a", "n/a", "n/a",
		       "n/a");
		return;
	}
	for (int i = 0; i < AKC_COUNT; i++)
		d[i] = b->v[i] - a->v[i];
	printf("%-34s %8llu %10.2f %10.2f", label, (unsigned long long)jobs,
	       d[AKC_WALKS] / j, d[AKC_STEPS] / j);
	if (d[AKC_HITS] + d[AKC_MISSES])
		printf(" %8.1f%%", 100.0 * d[AKC_HITS] /
		       (double)(d[AKC_HITS] + d[AKC_MISSES]));
	else
		printf(" %9s", "-");
	printf(" %9.2f %10.2f\n", d[AKC_PRQ] / j, d[AKC_PAGES] / j);
}
