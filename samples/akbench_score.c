// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akbench --scorecard: every goal of issue 8 as a figure measured in one
 * run, R repetitions each (median, min..max, +-% of the median), printed
 * next to its goal in one final SCORECARD table (docs/performance.md).
 *
 *   latency   guest null syscall, eventfd ping-pong between two threads on
 *             the same CPU, NOP round trip at qd 1 busy-polled (AK_QF_SPIN:
 *             no system call) and interrupt-driven (poll()); ratios
 *   faults    one CPU first-touch write fault per 4 KiB page vs the
 *             device's cost per page (FILL into never-touched memory minus
 *             FILL into pre-faulted memory, per page); the two FILL rates
 *   engines   device MiB/s / host-engine MiB/s (the file written on the
 *             host by akbench --host-engine --emit), 64 KiB and 1 MiB,
 *             qd 1 and 32; qd 32 / qd 1 at 1 MiB
 *   scaling   2 processes with a queue each vs 1 (akbench_scale.c)
 * and the device's own work per job where its counters exist (sysfs).
 * Repetitions are interleaved (rep 1 of every figure of a group, then rep
 * 2, ...): a ratio is computed per repetition from figures measured
 * side by side. Nothing is asserted on time: the exit status reports only
 * failed jobs, wrong output and errors.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libaccelkit.h>

#include "akbench.h"

#define ROWS_MAX	64
#define SYSCALL_BATCH	20
#define SYSCALL_SAMPLES	200
#define PINGS		500
#define NOPS_BUSY	2000
#define NOPS_IRQ	500
#define FILL_MIB	16
#define WATCHDOG_S	900

struct score_row {
	char figure[48];
	char measured[48];
	char goal[16];
	const char *met;
};

struct akb_score {
	unsigned n;
	struct score_row row[ROWS_MAX];
};

void akb_score_row(struct akb_score *sc, const char *figure,
		   const struct akb_stat *st, const char *unit, int prec,
		   const char *goal_op, double goal, const char *goal_txt)
{
	struct score_row *r;
	double m = akb_stat_med(st);

	if (sc->n >= ROWS_MAX)
		return;
	r = &sc->row[sc->n++];
	snprintf(r->figure, sizeof(r->figure), "%s", figure);
	akb_stat_fmt(st, unit, prec, r->measured, sizeof(r->measured));
	if (goal_txt)
		snprintf(r->goal, sizeof(r->goal), "%s", goal_txt);
	else if (goal_op)
		snprintf(r->goal, sizeof(r->goal), "%s %g%s", goal_op, goal,
			 unit);
	else
		snprintf(r->goal, sizeof(r->goal), "-");
	if (!goal_op)
		r->met = "info";
	else if (!st->n)
		r->met = "n/a";
	else if (!strcmp(goal_op, "<="))
		r->met = m <= goal ? "yes" : "no";
	else
		r->met = m >= goal ? "yes" : "no";
}

static void score_print(const struct akb_score *sc)
{
	unsigned yes = 0, no = 0;

	printf("\nSCORECARD (median of the repetitions [min..max] +-%% of the median)\n");
	printf("%-40s | %-38s | %-11s | %s\n", "figure", "measured", "goal",
	       "met");
	printf("%.40s-+-%.38s-+-%.11s-+-----\n",
	       "----------------------------------------",
	       "--------------------------------------", "-----------");
	for (unsigned i = 0; i < sc->n; i++) {
		const struct score_row *r = &sc->row[i];

		printf("%-40s | %-38s | %-11s | %s\n", r->figure, r->measured,
		       r->goal, r->met);
		yes += !strcmp(r->met, "yes");
		no += !strcmp(r->met, "no");
	}
	printf("goals met: %u of %u (numbers are informational: nothing is "
	       "asserted on time)\n", yes, yes + no);
}

/* ------------------------------------------------------------------ */
/* Latency figures                                                     */

/* p50 of @n tick counts, in us (sorts @v). */
static double p50_us(uint64_t *v, unsigned n)
{
	return akb_ticks_us((uint64_t)(pct_us(v, n, 0.5) * 1000.0));
}

static int efd_ping = -1, efd_pong = -1;

#define PONG_STOP (1ull << 40)

static void *ponger(void *arg)
{
	uint64_t v, one = 1;

	(void)arg;
	akb_pin(0);
	for (;;) {
		if (read(efd_ping, &v, sizeof(v)) != sizeof(v) || v >= PONG_STOP)
			break;
		if (write(efd_pong, &one, sizeof(one)) != sizeof(one))
			break;
	}
	return NULL;
}

/* p50 of one getppid() in us, timed in batches of SYSCALL_BATCH. */
static double null_syscall_us(void)
{
	uint64_t lat[SYSCALL_SAMPLES];

	for (unsigned i = 0; i < SYSCALL_SAMPLES; i++) {
		uint64_t t = akb_ticks();

		for (unsigned k = 0; k < SYSCALL_BATCH; k++)
			syscall(SYS_getppid);
		lat[i] = akb_ticks() - t;
	}
	return p50_us(lat, SYSCALL_SAMPLES) / SYSCALL_BATCH;
}

/* p50 eventfd round trip in us; -1 on error. */
static double pingpong_us(unsigned n)
{
	uint64_t lat[PINGS], one = 1, v;

	if (n > PINGS)
		n = PINGS;
	for (unsigned i = 0; i < n; i++) {
		uint64_t t = akb_ticks();

		if (write(efd_ping, &one, sizeof(one)) != sizeof(one) ||
		    read(efd_pong, &v, sizeof(v)) != sizeof(v))
			return -1;
		lat[i] = akb_ticks() - t;
	}
	return p50_us(lat, n);
}

/*
 * p50 NOP round trip (submit .. reaped) in us over @n jobs, one at a time;
 * @spin: the queue spins (AK_QF_SPIN) with a finite timeout, else the wait
 * sleeps in poll() with no timeout (a finite timeout makes the library read
 * the clock: in a TCG guest two system calls a wait; a hang is caught by
 * the watchdog alarm). Failed jobs are added to @errors.
 */
/* p50 of each part of the round trip (us), summed over repetitions. */
struct nop_parts {
	double submit;	/* descriptor + SQ_TAIL doorbell store */
	double wait;	/* doorbell .. completion seen (device, IRQ, wake-up) */
	double reap;	/* record read + CQ_HEAD doorbell store */
	unsigned n;
};

static double nop_rtt_us(struct ak_queue *q, unsigned n, bool spin,
			 unsigned *errors, struct nop_parts *parts)
{
	static uint64_t lat[NOPS_BUSY], ps[NOPS_BUSY], pw[NOPS_BUSY];
	static uint64_t pr[NOPS_BUSY];
	struct ak_result res;

	if (n > NOPS_BUSY)
		n = NOPS_BUSY;
	for (unsigned i = 0; i < n; i++) {
		struct ak_job j = { .op = AK_OP_NOP, .tag = i };
		uint64_t t = akb_ticks(), t1 = t, t2 = t;
		int r = ak_submit(q, &j);

		if (r == 0) {
			t1 = akb_ticks();
			r = ak_wait(q, spin ? 10000 : -1);
			t2 = akb_ticks();
		}
		if (r == 0)
			r = ak_reap(q, &res, 1) == 1 ? 0 : -EIO;
		lat[i] = akb_ticks() - t;
		ps[i] = t1 - t;
		pw[i] = t2 - t1;
		pr[i] = t + lat[i] - t2;
		if (r < 0) {
			fprintf(stderr, "akbench: NOP: %s\n", strerror(-r));
			(*errors)++;
			return -1;
		}
		if (res.err || res.tag != i)
			(*errors)++;
	}
	if (parts) {
		parts->submit += p50_us(ps, n);
		parts->wait += p50_us(pw, n);
		parts->reap += p50_us(pr, n);
		parts->n++;
	}
	return p50_us(lat, n);
}

static void print_parts(const char *what, const struct nop_parts *p)
{
	unsigned n = p->n ? p->n : 1;

	printf("  %-31s submit %.2f us, wait %.2f us, reap %.2f us (p50s, "
	       "mean over repetitions)\n", what, p->submit / n, p->wait / n,
	       p->reap / n);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

static uint8_t *fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);	/* 4 KiB pages on both sides */
	return p;
}

#define FILL_PAT 0x5a5a5a5a5a5a5a5aULL

/* One device FILL; us, or -1 on a failure (or wrong bytes). */
static double fill_us(struct ak_queue *q, uint8_t *dst, size_t len)
{
	struct ak_job job = { .op = AK_OP_FILL, .dst = dst, .len = len,
			      .pattern = FILL_PAT };
	struct ak_result res;
	uint64_t t = akb_ticks();
	int r = ak_run(q, &job, &res, 120000);
	double us = akb_ticks_us(akb_ticks() - t);

	if (r < 0) {
		fprintf(stderr, "akbench: FILL of %zu bytes: %s (%s)\n", len,
			strerror(-r), ak_status_str(res.status));
		return -1;
	}
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v;

		memcpy(&v, dst + i, 8);
		if (v != FILL_PAT) {
			fprintf(stderr, "akbench: FILL: wrong byte at %zu\n", i);
			return -1;
		}
	}
	return us;
}

/* CPU first-touch write faults: mean us per 4 KiB page; -1 on failure. */
static double cpu_fault_us(size_t len)
{
	uint8_t *p = fresh(len);
	uint64_t t;

	if (!p)
		return -1;
	t = akb_ticks();
	for (size_t i = 0; i < len; i += 4096)
		((volatile uint8_t *)p)[i] = 1;
	t = akb_ticks() - t;
	munmap(p, len);
	return akb_ticks_us(t) / (len / 4096);
}

/* ------------------------------------------------------------------ */
/* Host-engine figures                                                 */

static const size_t eng_sizes[2] = { 65536, 1u << 20 };
static const unsigned eng_qds[2] = { 1, 32 };
/* [engine][size][qd]: median, min, max MiB/s on the host; 0: none */
static double host_mibs[AKB_NENG][2][2], host_lo[AKB_NENG][2][2];
static double host_hi[AKB_NENG][2][2];

static int read_host_file(const char *path)
{
	char line[256], name[32];
	unsigned long size;
	unsigned qd, n = 0;
	double v, lo, hi;
	FILE *f;

	memset(host_mibs, 0, sizeof(host_mibs));
	memset(host_lo, 0, sizeof(host_lo));
	memset(host_hi, 0, sizeof(host_hi));
	if (!path)
		return -ENOENT;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	printf("host-engine figures: %s\n", path);
	while (fgets(line, sizeof(line), f)) {
		int e;

		if (line[0] == '#') {
			printf("  %s", line);
			continue;
		}
		int k = sscanf(line, "%31s %lu %u %lf %lf %lf", name, &size,
			       &qd, &v, &lo, &hi);

		if (k < 4)
			continue;
		if (k < 6)
			lo = hi = v;
		e = akb_eng_find(name);
		for (int si = 0; si < 2 && e >= 0; si++)
			for (int qi = 0; qi < 2; qi++)
				if (eng_sizes[si] == size && eng_qds[qi] == qd) {
					host_mibs[e][si][qi] = v;
					host_lo[e][si][qi] = lo;
					host_hi[e][si][qi] = hi;
					n++;
				}
	}
	fclose(f);
	return n ? 0 : -ENODATA;
}

static const char *sz_name(size_t s)
{
	return s == 65536 ? "64K" : "1M";
}

static const char *engine_mode(const struct akb_opts *o)
{
	return (o->sflags & AK_SF_BUSY_POLL) ?
	       "busy-polled (AK_SF_BUSY_POLL | AK_SF_SPIN)" : "interrupt-driven";
}

/*
 * Engines: R repetitions of every (engine, size, qd) cell on the device;
 * efficiency per cell, qd32/qd1 at 1 MiB, device counters per engine at
 * qd 1. Returns failures, or a negative errno.
 */
static int engine_figures(const struct akb_opts *o, const char *pcidir,
			  struct akb_score *sc)
{
	unsigned budget = o->budget_ms ? o->budget_ms : 300;
	unsigned reps = o->reps, failed = 0;
	struct akb_stat eff[AKB_NENG][2][2], dev[AKB_NENG][2][2];
	struct akb_stat q32[AKB_NENG];
	struct akb_ctr c0[AKB_NENG][2], c1[AKB_NENG][2];
	unsigned jobs[AKB_NENG][2];
	char fig[64], buf[64];
	int r;

	memset(eff, 0, sizeof(eff));
	memset(dev, 0, sizeof(dev));
	memset(q32, 0, sizeof(q32));
	memset(jobs, 0, sizeof(jobs));
	r = akb_eng_open(o, true);
	if (r < 0)
		return r;
	for (int si = 0; si < 2; si++) {
		r = akb_eng_prepare(eng_sizes[si]);
		if (r < 0)
			goto out;
		for (int e = 0; e < AKB_NENG; e++) {
			double v;

			/* warm-up, not counted */
			r = akb_eng_cell(e, eng_sizes[si], 1, true, budget / 4,
					 &v, NULL);
			if (r < 0)
				goto out;
			failed += (unsigned)r;
			for (unsigned i = 0; i < reps; i++) {
				double m[2];

				for (int qi = 0; qi < 2; qi++) {
					unsigned ops = 0;

					if (qi == 0 && i == 0)
						akb_ctr_read(pcidir, &c0[e][si]);
					r = akb_eng_cell(e, eng_sizes[si],
							 eng_qds[qi], true,
							 budget, &m[qi], &ops);
					if (r < 0)
						goto out;
					if (qi == 0) {
						jobs[e][si] += ops;
						if (i == reps - 1)
							akb_ctr_read(pcidir,
								     &c1[e][si]);
					}
					failed += (unsigned)r;
					akb_stat_add(&dev[e][si][qi], m[qi]);
					if (host_mibs[e][si][qi] > 0)
						akb_stat_add(&eff[e][si][qi],
							     m[qi] / host_mibs[e][si][qi]);
				}
				if (si == 1 && m[0] > 0)
					akb_stat_add(&q32[e], m[1] / m[0]);
			}
		}
	}
	printf("\nengines: device path (%s), %u x %u ms a cell, %s "
	       "completions; host = akbench --host-engine --emit\n",
	       akb_eng_node(), reps, budget, engine_mode(o));
	printf("%-12s %-4s %3s %-36s %-24s %s\n", "engine", "size", "qd",
	       "device MiB/s", "host MiB/s [min..max]", "device/host");
	for (int si = 0; si < 2; si++)
		for (int e = 0; e < AKB_NENG; e++)
			for (int qi = 0; qi < 2; qi++) {
				double h = host_mibs[e][si][qi];

				printf("%-12s %-4s %3u %-36s ", akb_eng_name(e),
				       sz_name(eng_sizes[si]), eng_qds[qi],
				       akb_stat_fmt(&dev[e][si][qi], "", 1,
						    buf, sizeof(buf)));
				if (h > 0) {
					snprintf(buf, sizeof(buf),
						 "%.1f [%.1f..%.1f]", h,
						 host_lo[e][si][qi],
						 host_hi[e][si][qi]);
					printf("%-24s %.2f\n", buf,
					       akb_stat_med(&eff[e][si][qi]));
				} else {
					printf("%-24s n/a\n", "n/a");
				}
			}
	printf("\ndevice work per job (engines at qd 1, all repetitions):\n");
	akb_ctr_header();
	for (int si = 0; si < 2; si++)
		for (int e = 0; e < AKB_NENG; e++) {
			snprintf(fig, sizeof(fig), "%s %s qd1", akb_eng_name(e),
				 sz_name(eng_sizes[si]));
			akb_ctr_print(fig, &c0[e][si], &c1[e][si], jobs[e][si]);
		}
	for (int si = 0; si < 2; si++)
		for (int e = 0; e < AKB_NENG; e++)
			for (int qi = 0; qi < 2; qi++) {
				snprintf(fig, sizeof(fig),
					 "device/host %s %s qd%u", akb_eng_name(e),
					 sz_name(eng_sizes[si]), eng_qds[qi]);
				akb_score_row(sc, fig, &eff[e][si][qi], "", 2,
					      ">=", 0.9, NULL);
			}
	for (int e = 0; e < AKB_NENG; e++) {
		snprintf(fig, sizeof(fig), "qd32 / qd1 %s 1M", akb_eng_name(e));
		akb_score_row(sc, fig, &q32[e], "x", 2, ">=", 1.0,
			      ">= 1x");
	}
out:
	akb_eng_close();
	if (r < 0)
		fprintf(stderr, "akbench: engines: %s\n", strerror(-r));
	return r < 0 ? r : (int)failed;
}

/* ------------------------------------------------------------------ */

static void ratios(struct akb_stat *out, const struct akb_stat *a,
		   const struct akb_stat *b)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < a->n && i < b->n; i++)
		if (b->v[i] > 0)
			akb_stat_add(out, a->v[i] / b->v[i]);
}

int akb_scorecard(const struct akb_opts *o)
{
	static struct akb_score sc;
	struct akb_stat sys = { 0 }, ping = { 0 }, busy = { 0 }, irq = { 0 };
	struct akb_stat cpuf = { 0 }, devf = { 0 }, warm = { 0 }, cold = { 0 };
	struct akb_stat rat;
	struct nop_parts pbusy = { 0 }, pirq = { 0 };
	struct akb_ctr cb0, cb1, cw0, cw1, cc0, cc1, t0, t1;
	struct ak_queue *qb = NULL, *qi = NULL;
	struct ak_queue_info info;
	unsigned errors = 0, reps = o->reps;
	const size_t flen = (size_t)FILL_MIB << 20;
	char pcidir[512] = "";
	pthread_t pt;
	long workers;
	int r;

	memset(&sc, 0, sizeof(sc));
	memset(&cw0, 0, sizeof(cw0));
	memset(&cw1, 0, sizeof(cw1));
	memset(&cc0, 0, sizeof(cc0));
	memset(&cc1, 0, sizeof(cc1));
	alarm(WATCHDOG_S);	/* a hung wait ends the run (an error) */
	r = ak_queue_open(o->dev, "copy", AK_QF_BUSY_POLL | AK_QF_SPIN, &qb);
	if (r == 0)
		r = ak_queue_open(o->dev, "copy", 0, &qi);
	if (r < 0) {
		fprintf(stderr, "akbench: cannot open a queue: %s\n", strerror(-r));
		ak_queue_close(qb);
		return r;
	}
	ak_queue_info(qi, &info);
	if (akb_pci_dir(info.node, pcidir, sizeof(pcidir)) < 0)
		pcidir[0] = '\0';
	workers = akb_workers(pcidir);
	akb_pin(0);
	akb_ticks_init();
	printf("akbench scorecard: %s, PCI device %s, device workers ",
	       info.node, *pcidir ? pcidir : "?");
	if (workers < 0)
		printf("n/a");
	else
		printf("%ld", workers);
	printf(", %u repetitions a figure\n", reps);
	printf("timer for short intervals: %s; engines: ", akb_ticks_source());
	akb_eng_versions(stdout);
	printf("\n");
	r = read_host_file(o->host_file);
	if (r < 0)
		printf("akbench: no host-engine figures (%s: %s): device/host "
		       "rows are n/a\n", o->host_file ? o->host_file : "-",
		       strerror(-r));

	/* Latency: warm-up, then R interleaved repetitions. */
	efd_ping = eventfd(0, EFD_CLOEXEC);
	efd_pong = eventfd(0, EFD_CLOEXEC);
	if (efd_ping < 0 || efd_pong < 0 ||
	    pthread_create(&pt, NULL, ponger, NULL)) {
		fprintf(stderr, "akbench: eventfd/thread setup failed\n");
		r = -EIO;
		goto out;
	}
	null_syscall_us();
	pingpong_us(100);
	nop_rtt_us(qb, 200, true, &errors, NULL);
	nop_rtt_us(qi, 50, false, &errors, NULL);
	akb_ctr_read(pcidir, &cb0);
	for (unsigned i = 0; i < reps && !errors; i++) {
		akb_stat_add(&sys, null_syscall_us());
		akb_stat_add(&ping, pingpong_us(PINGS));
		akb_stat_add(&busy, nop_rtt_us(qb, NOPS_BUSY, true, &errors,
					       &pbusy));
		akb_stat_add(&irq, nop_rtt_us(qi, NOPS_IRQ, false, &errors,
					      &pirq));
	}
	akb_ctr_read(pcidir, &cb1);
	{
		uint64_t stop = PONG_STOP;

		if (write(efd_ping, &stop, sizeof(stop)) == sizeof(stop))
			pthread_join(pt, NULL);
	}
	printf("\nlatency (qd 1, p50 of each repetition):\n");
	printf("  null syscall (getppid)          %s\n",
	       akb_stat_fmt(&sys, " us", 3, (char[64]){0}, 64));
	printf("  eventfd ping-pong, same CPU     %s\n",
	       akb_stat_fmt(&ping, " us", 2, (char[64]){0}, 64));
	printf("  NOP busy-poll (AK_QF_SPIN)      %s\n",
	       akb_stat_fmt(&busy, " us", 2, (char[64]){0}, 64));
	printf("  NOP interrupt-driven (poll())   %s\n",
	       akb_stat_fmt(&irq, " us", 2, (char[64]){0}, 64));
	print_parts("NOP busy-poll, parts:", &pbusy);
	print_parts("NOP interrupt-driven, parts:", &pirq);

	/* Faults: R repetitions of (CPU faults, FILL warm, FILL cold). */
	for (unsigned i = 0; i < reps && !errors; i++) {
		uint8_t *w = fresh(flen), *c = fresh(flen);
		double tw, tc, cf;

		if (!w || !c) {
			if (w)
				munmap(w, flen);
			if (c)
				munmap(c, flen);
			r = -ENOMEM;
			goto out;
		}
		memset(w, 1, flen);		/* pre-faulted */
		cf = cpu_fault_us(flen);
		akb_ctr_read(pcidir, &t0);
		tw = fill_us(qi, w, flen);
		akb_ctr_read(pcidir, &t1);
		for (int k = 0; k < AKC_COUNT; k++)
			cw1.v[k] += t1.v[k] - t0.v[k];
		cw1.ok = t0.ok && t1.ok;
		tc = fill_us(qi, c, flen);
		akb_ctr_read(pcidir, &t0);
		for (int k = 0; k < AKC_COUNT; k++)
			cc1.v[k] += t0.v[k] - t1.v[k];
		cc1.ok = t0.ok && t1.ok;
		munmap(w, flen);
		munmap(c, flen);
		if (tw < 0 || tc < 0 || cf < 0) {
			errors++;
			break;
		}
		akb_stat_add(&cpuf, cf);
		akb_stat_add(&devf, tc > tw ? (tc - tw) / (flen / 4096) : 0);
		akb_stat_add(&warm, FILL_MIB / (tw / 1e6));
		akb_stat_add(&cold, FILL_MIB / (tc / 1e6));
	}
	cw0.ok = cw1.ok;
	cc0.ok = cc1.ok;
	printf("\nfaults (%u MiB, 4 KiB pages, MADV_NOHUGEPAGE on both sides):\n",
	       FILL_MIB);
	printf("  CPU first-touch write fault     %s per page\n",
	       akb_stat_fmt(&cpuf, " us", 2, (char[64]){0}, 64));
	printf("  device fault, (cold-warm)/pages %s per page\n",
	       akb_stat_fmt(&devf, " us", 2, (char[64]){0}, 64));
	printf("  FILL pre-faulted                %s\n",
	       akb_stat_fmt(&warm, " MiB/s", 1, (char[64]){0}, 64));
	printf("  FILL never-touched              %s\n",
	       akb_stat_fmt(&cold, " MiB/s", 1, (char[64]){0}, 64));
	ak_queue_close(qb);
	ak_queue_close(qi);
	qb = qi = NULL;

	printf("\ndevice work per job (latency and fault figures):\n");
	akb_ctr_header();
	akb_ctr_print("NOP (busy + interrupt), all reps", &cb0, &cb1,
		      (uint64_t)(reps * (NOPS_BUSY + NOPS_IRQ)));
	akb_ctr_print("FILL 16 MiB pre-faulted", &cw0, &cw1, reps);
	akb_ctr_print("FILL 16 MiB never-touched", &cc0, &cc1, reps);

	if (!errors) {
		r = engine_figures(o, pcidir, &sc);
		if (r < 0)
			goto out;
		errors += (unsigned)r;
	}
	if (!errors) {
		r = akb_scale(o, pcidir, &sc);
		if (r < 0)
			goto out;
		errors += (unsigned)r;
	}
	r = 0;

	{
		struct akb_score top = { 0 };

		akb_score_row(&top, "guest null syscall (getppid) p50", &sys,
			      " us", 3, NULL, 0, NULL);
		akb_score_row(&top, "eventfd ping-pong same CPU p50", &ping,
			      " us", 2, NULL, 0, NULL);
		akb_score_row(&top, "NOP qd1 busy-poll (AK_QF_SPIN) p50", &busy,
			      " us", 2, NULL, 0, NULL);
		akb_score_row(&top, "NOP qd1 interrupt-driven p50", &irq,
			      " us", 2, NULL, 0, NULL);
		ratios(&rat, &busy, &sys);
		akb_score_row(&top, "NOP busy-poll / null syscall", &rat, "x",
			      1, "<=", 5, NULL);
		ratios(&rat, &irq, &ping);
		akb_score_row(&top, "NOP interrupt / eventfd ping-pong", &rat,
			      "x", 2, "<=", 2, NULL);
		akb_score_row(&top, "CPU write fault per 4K page", &cpuf,
			      " us", 2, NULL, 0, NULL);
		akb_score_row(&top, "device fault per 4K page", &devf, " us",
			      2, NULL, 0, NULL);
		ratios(&rat, &devf, &cpuf);
		akb_score_row(&top, "device fault / CPU fault", &rat, "x", 2,
			      "<=", 2, NULL);
		akb_score_row(&top, "FILL 16M pre-faulted MiB/s", &warm, "", 1,
			      NULL, 0, NULL);
		akb_score_row(&top, "FILL 16M never-touched MiB/s", &cold, "",
			      1, NULL, 0, NULL);
		ratios(&rat, &cold, &warm);
		akb_score_row(&top, "FILL never-touched / pre-faulted", &rat,
			      "", 3, ">=", 0.5, NULL);
		printf("\nengine and scaling rows: %s completions\n",
		       engine_mode(o));
		/* latency and fault rows first, then engines and scaling */
		for (unsigned i = 0; i < sc.n && top.n < ROWS_MAX; i++)
			top.row[top.n++] = sc.row[i];
		score_print(&top);
	}
out:
	if (efd_ping >= 0)
		close(efd_ping);
	if (efd_pong >= 0)
		close(efd_pong);
	ak_queue_close(qb);
	ak_queue_close(qi);
	alarm(0);
	if (r < 0) {
		fprintf(stderr, "akbench: scorecard: %s\n", strerror(-r));
		return r;
	}
	return (int)errors;
}
