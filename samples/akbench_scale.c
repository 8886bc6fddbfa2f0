// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akbench scaling figure: aggregate device throughput of 2 processes, each
 * with its own queue (its own session), against 1 process, for the same
 * engine and size (sha256 1 MiB, gzip-1 1 MiB, queue depth 32).
 *
 * Two children are forked per engine; each opens its own device session,
 * prepares its data, then waits for commands on a pipe: "r" runs one
 * measurement and writes back its MiB/s and failure count, "q" exits. A
 * repetition runs child A alone, then A and B together (the commands are
 * written back to back, the two measurements overlap for nearly their
 * whole budget); the ratio is (A + B) / A-alone, per repetition. The
 * device serves one queue with one worker at a time, so the ratio can
 * only exceed 1 with several device workers and host cores to run them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "akbench.h"

#define SCALE_QD	32
#define SCALE_SIZE	(1u << 20)

struct kid {
	pid_t pid;
	int cmd;	/* parent writes */
	int res;	/* parent reads */
};

struct kid_result {
	double mibs;
	int failed;	/* failed requests, or a negative errno */
};

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		got += (size_t)n;
	}
	return 0;
}

static void kid_main(const struct akb_opts *o, int e, unsigned budget,
		     int cmd, int res)
{
	struct kid_result kr = { 0, 0 };
	char c;
	int r;

	akb_pin(-1);			/* the parent is pinned to CPU 0 */
	r = akb_eng_open(o, true);
	if (r == 0)
		r = akb_eng_prepare(SCALE_SIZE);
	kr.failed = r;
	if (write(res, &kr, sizeof(kr)) != sizeof(kr))
		_exit(1);
	if (r < 0)
		_exit(1);
	while (read_full(cmd, &c, 1) == 0 && c == 'r') {
		kr.failed = akb_eng_cell(e, SCALE_SIZE, SCALE_QD, true, budget,
					 &kr.mibs, NULL);
		if (write(res, &kr, sizeof(kr)) != sizeof(kr))
			break;
	}
	akb_eng_close();
	_exit(0);
}

static int kid_start(const struct akb_opts *o, int e, unsigned budget,
		     struct kid *k)
{
	int pc[2], pr[2];

	if (pipe(pc))
		return -errno;
	if (pipe(pr)) {
		close(pc[0]);
		close(pc[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	k->pid = fork();
	if (k->pid < 0) {
		int r = -errno;

		close(pc[0]);
		close(pc[1]);
		close(pr[0]);
		close(pr[1]);
		return r;
	}
	if (k->pid == 0) {
		close(pc[1]);
		close(pr[0]);
		kid_main(o, e, budget, pc[0], pr[1]);
	}
	close(pc[0]);
	close(pr[1]);
	k->cmd = pc[1];
	k->res = pr[0];
	return 0;
}

static void kid_stop(struct kid *k)
{
	if (k->pid <= 0)
		return;
	if (write(k->cmd, "q", 1) != 1)
		kill(k->pid, SIGKILL);
	close(k->cmd);
	close(k->res);
	waitpid(k->pid, NULL, 0);
	k->pid = 0;
}

/* Read one result of @k; failures are added to @failed. */
static int kid_result(struct kid *k, double *mibs, unsigned *failed)
{
	struct kid_result kr;

	if (read_full(k->res, &kr, sizeof(kr)))
		return -EIO;
	if (kr.failed < 0)
		return kr.failed;
	*failed += (unsigned)kr.failed;
	*mibs = kr.mibs;
	return 0;
}

int akb_scale(const struct akb_opts *o, const char *pcidir,
	      struct akb_score *sc)
{
	static const char *const which[] = { "sha256", "gzip-1" };
	unsigned budget = 2 * (o->budget_ms ? o->budget_ms : 300);
	unsigned failed = 0;
	long workers = akb_workers(pcidir);
	char goal[32], fig[64], b1[64], b2[64];
	int r = 0;

	if (workers > 0)
		snprintf(goal, sizeof(goal), "workers=%ld", workers);
	else
		snprintf(goal, sizeof(goal), "workers=n/a");
	printf("\nscaling: aggregate MiB/s of 2 processes (a queue each) vs 1, "
	       "1 MiB, qd %u, %u x %u ms; device workers: %s\n", SCALE_QD,
	       o->reps, budget, workers > 0 ? goal + 8 : "n/a");
	for (unsigned w = 0; w < 2 && r == 0; w++) {
		int e = akb_eng_find(which[w]);
		struct akb_stat one = { 0 }, two = { 0 }, rat = { 0 };
		struct kid k[2] = { { 0 }, { 0 } };
		double v, a, b;

		for (int i = 0; i < 2 && r == 0; i++) {
			r = kid_start(o, e, budget, &k[i]);
			if (r == 0)
				r = kid_result(&k[i], &v, &failed);
		}
		/* one warm-up measurement each, not counted */
		for (int i = 0; i < 2 && r == 0; i++) {
			r = write(k[i].cmd, "r", 1) == 1 ? 0 : -EIO;
			if (r == 0)
				r = kid_result(&k[i], &v, &failed);
		}
		for (unsigned i = 0; i < o->reps && r == 0; i++) {
			r = write(k[0].cmd, "r", 1) == 1 ? 0 : -EIO;
			if (r == 0)
				r = kid_result(&k[0], &v, &failed);
			if (r < 0)
				break;
			if (write(k[0].cmd, "r", 1) != 1 ||
			    write(k[1].cmd, "r", 1) != 1) {
				r = -EIO;
				break;
			}
			r = kid_result(&k[0], &a, &failed);
			if (r == 0)
				r = kid_result(&k[1], &b, &failed);
			if (r < 0)
				break;
			akb_stat_add(&one, v);
			akb_stat_add(&two, a + b);
			if (v > 0)
				akb_stat_add(&rat, (a + b) / v);
		}
		kid_stop(&k[0]);
		kid_stop(&k[1]);
		if (r < 0) {
			fprintf(stderr, "akbench: scaling %s: %s\n", which[w],
				strerror(-r));
			break;
		}
		printf("  %-8s 1 process %s, 2 processes %s\n", which[w],
		       akb_stat_fmt(&one, " MiB/s", 1, b1, sizeof(b1)),
		       akb_stat_fmt(&two, " MiB/s", 1, b2, sizeof(b2)));
		snprintf(fig, sizeof(fig), "2 procs / 1 proc %s 1M qd%u",
			 which[w], SCALE_QD);
		akb_score_row(sc, fig, &rat, "x", 2, NULL, 0, goal);
	}
	return r < 0 ? r : (int)failed;
}
