// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akdemo - the `make run` demo: an ordinary process hands pointers into its
 * own malloc() heap to the accelerator (SVA: no pinning, no copies, no
 * syscalls per job), runs COPY and FILL jobs of several sizes including
 * page-crossing ones, and verifies every byte on the CPU.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libaccelkit.h>

#define GUARD 64		/* bytes checked untouched on each side */
#define PAGE 4096

/* Sizes and start offsets (within a page) cycled through by the jobs:
 * small, exact pages, page-crossing, multi-page. */
static const struct { size_t len, off; } shapes[] = {
	{ 1, 0 }, { 64, 8 }, { 100, PAGE - 50 }, { PAGE, 0 }, { PAGE, 123 },
	{ PAGE + 1, PAGE - 1 }, { 3 * PAGE + 17, 2000 }, { 65536, 0 },
	{ 65536 + 777, 3001 }, { 256 * 1024, 1 },
};
#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))
#define MAXLEN (256 * 1024 + PAGE)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: akdemo [options]\n"
"Run COPY and FILL jobs on an accelkit accelerator using ordinary malloc()'d\n"
"heap buffers (Shared Virtual Addressing) and verify every byte.\n"
"\n"
"  -d, --device NODE   use this queue device (default: discover by algorithm \"copy\")\n"
"  -n, --jobs N        jobs of each kind (default 1000)\n"
"  -b, --busy-poll     no completion interrupts: spin for completions\n"
"  -v, --verbose       one line per job\n"
"  -h, --help          this help\n"
"      --version       print the version\n"
"\n"
"Prints one summary line \"akdemo: PASS|FAIL ...\"; exits 0 only if every\n"
"job completed successfully and verified.\n");
}

struct stats {
	unsigned copies, fills, failed, shown;
	uint64_t bytes, dev_ns;
};

static bool guards_ok(const uint8_t *base, size_t off, size_t len)
{
	for (size_t i = 0; i < GUARD; i++)
		if (base[off - GUARD + i] != 0x5a || base[off + len + i] != 0x5a)
			return false;
	return true;
}

static void set_guards(uint8_t *base, size_t off, size_t len)
{
	memset(base + off - GUARD, 0x5a, GUARD);
	memset(base + off + len, 0x5a, GUARD);
}

static struct ak_result last;

/* The sync path with the raw result kept for diagnostics. */
static int job(struct ak_queue *q, uint16_t op, void *d, const void *s,
	       size_t len, uint64_t pat)
{
	struct ak_job j = { .op = op, .tag = op, .src = s, .dst = d,
			    .len = len, .pattern = pat };

	memset(&last, 0, sizeof(last));
	return ak_run(q, &j, &last, AK_SYNC_TIMEOUT_MS);
}

static void report(struct stats *st, bool verbose, const char *what,
		   size_t len, size_t off, int r, long bad)
{
	bool first = st->shown < NSHAPES * 2;

	if (r || bad >= 0) {
		st->failed++;
		if (st->failed > 10)
			return;
		if (r)
			fprintf(stderr, "akdemo: %s %zu bytes at page offset %zu FAILED: %s (device status %s, bytes %" PRIu64 ", fault_addr 0x%" PRIx64 ")\n",
				what, len, off % PAGE, strerror(-r),
				ak_status_str(last.status), last.bytes, last.fault_addr);
		else
			fprintf(stderr, "akdemo: %s %zu bytes at page offset %zu FAILED: %s at byte %ld\n",
				what, len, off % PAGE,
				(size_t)bad == len ? "guard bytes overwritten" : "data mismatch",
				bad);
		return;
	}
	if (verbose || first) {
		size_t pages = (off % PAGE + len + PAGE - 1) / PAGE;

		printf("  %-4s %7zu bytes at page offset %4zu (%zu page%s): ok\n",
		       what, len, off % PAGE, pages, pages > 1 ? "s" : "");
		st->shown++;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "jobs", required_argument, NULL, 'n' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL;
	unsigned njobs = 1000, qflags = 0;
	bool verbose = false;
	struct ak_queue *q;
	struct ak_queue_info info;
	struct stats st = { 0 };
	uint8_t *src, *dst;
	uint64_t t0, wall;
	int c, r;

	while ((c = getopt_long(argc, argv, "d:n:bvh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'n': njobs = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'b': qflags |= AK_QF_BUSY_POLL; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("akdemo (accelkit) %d.%d\n", AK_VERSION_MAJOR,
			       AK_VERSION_MINOR);
			return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || njobs == 0) {
		usage(stderr);
		return 2;
	}

	r = ak_queue_open(dev, "copy", qflags, &q);
	if (r < 0) {
		fprintf(stderr, "akdemo: cannot open a queue%s%s: %s\n",
			dev ? " on " : " for algorithm \"copy\"", dev ? dev : "",
			strerror(-r));
		printf("akdemo: FAIL 0 jobs verified (no queue)\n");
		return 1;
	}
	ak_queue_info(q, &info);
	printf("akdemo: queue %u on %s, PASID %u, depth %u, max job %" PRIu64 " MiB, %s completions\n",
	       info.queue_id, info.node, info.pasid, info.depth,
	       info.max_xfer >> 20, qflags ? "busy-polled" : "interrupt-driven");

	/* Ordinary heap memory. The device does not fault pages in, so every
	 * page is written by the CPU first (src: data, dst: poison). */
	src = malloc(MAXLEN + 2 * GUARD + PAGE);
	dst = malloc(MAXLEN + 2 * GUARD + PAGE);
	if (!src || !dst) {
		fprintf(stderr, "akdemo: out of memory\n");
		ak_queue_close(q);
		return 1;
	}
	for (size_t i = 0; i < MAXLEN + 2 * GUARD + PAGE; i += 8) {
		uint64_t v = xorshift();

		memcpy(src + i, &v, 8);
	}
	memset(dst, 0x5a, MAXLEN + 2 * GUARD + PAGE);
	printf("akdemo: heap buffers src=%p dst=%p (malloc), %u COPY + %u FILL jobs\n",
	       (void *)src, (void *)dst, njobs, njobs);

	/* Page-aligned base inside each allocation, so offsets are real page
	 * offsets; GUARD bytes of room before it. */
	uint8_t *sbase = (uint8_t *)(((uintptr_t)src + GUARD + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	uint8_t *dbase = (uint8_t *)(((uintptr_t)dst + GUARD + PAGE - 1) & ~(uintptr_t)(PAGE - 1));

	wall = now_ns();
	for (unsigned i = 0; i < njobs; i++) {
		size_t len = shapes[i % NSHAPES].len, off = shapes[i % NSHAPES].off;
		/* Vary the source window so no two neighbours copy alike. */
		size_t soff = (off + (i / NSHAPES) * 8) % PAGE;
		const uint8_t *s = sbase + soff;
		uint8_t *d = dbase + off;
		long bad = -1;

		/* COPY: poison dst so every byte differs from the source. */
		for (size_t k = 0; k < len; k++)
			d[k] = (uint8_t)~s[k];
		set_guards(dbase, off, len);
		t0 = now_ns();
		r = job(q, AK_OP_COPY, d, s, len, 0);
		st.dev_ns += now_ns() - t0;
		if (!r && last.bytes != len)
			r = -EIO;
		if (!r) {
			for (size_t k = 0; k < len; k++)
				if (d[k] != s[k]) { bad = (long)k; break; }
			if (bad < 0 && !guards_ok(dbase, off, len))
				bad = (long)len;
		}
		report(&st, verbose, "copy", len, off, r, bad);
		st.copies++;
		st.bytes += len;

		/* FILL: poison with the complement of the pattern. */
		uint64_t pat = xorshift();
		uint8_t pb[8];

		for (int k = 0; k < 8; k++)	/* device order: little endian */
			pb[k] = (uint8_t)(pat >> (8 * k));
		for (size_t k = 0; k < len; k++)
			d[k] = (uint8_t)~pb[k % 8];
		set_guards(dbase, off, len);
		bad = -1;
		t0 = now_ns();
		r = job(q, AK_OP_FILL, d, NULL, len, pat);
		st.dev_ns += now_ns() - t0;
		if (!r && last.bytes != len)
			r = -EIO;
		if (!r) {
			for (size_t k = 0; k < len; k++)
				if (d[k] != pb[k % 8]) { bad = (long)k; break; }
			if (bad < 0 && !guards_ok(dbase, off, len))
				bad = (long)len;
		}
		report(&st, verbose, "fill", len, off, r, bad);
		st.fills++;
		st.bytes += len;
	}
	wall = now_ns() - wall;

	/* One NOP to show the queue is still healthy after everything. */
	r = ak_nop(q);
	if (r) {
		fprintf(stderr, "akdemo: final NOP failed: %s\n", strerror(-r));
		st.failed++;
	}
	ak_queue_close(q);
	free(src);
	free(dst);

	double secs = st.dev_ns / 1e9;
	unsigned total = st.copies + st.fills;

	printf("akdemo: %u jobs in %.2f s (device calls %.2f s, the rest is CPU verification)\n",
	       total, wall / 1e9, secs);
	if (st.failed)
		printf("akdemo: FAIL %u of %u jobs failed (%u copy, %u fill, %.1f MiB)\n",
		       st.failed, total, st.copies, st.fills, st.bytes / 1048576.0);
	else
		printf("akdemo: PASS %u jobs (%u copy, %u fill, %.1f MiB) verified, %.0f jobs/s\n",
		       total, st.copies, st.fills, st.bytes / 1048576.0,
		       secs > 0 ? total / secs : 0.0);
	return st.failed ? 1 : 0;
}
