// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akbench - accelkit throughput and latency: NOP and COPY (4 KiB, 64 KiB)
 * at queue depth 1 and 32, next to a CPU memcpy of the same sizes measured
 * in the same run; with -e/-s/--host-engine the algorithm engines
 * (akbench_alg.c). Reports numbers only; never asserts on time.
 */
#include <errno.h>
#include <getopt.h>
#include <sys/mman.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaccelkit.h>

#include "akbench.h"

#define MAXQD 32

struct row {
	const char *name;
	const char *qd;
	size_t size;
	unsigned n;
	uint64_t total_ns;
	double p50, p99;
	unsigned errors;
};

static void print_row(const struct row *r)
{
	double secs = r->total_ns / 1e9;
	double jps = secs > 0 ? r->n / secs : 0;

	if (r->size)
		printf("%-16s %3s %7u %11.0f %10.1f %10.1f %10.1f%s\n", r->name,
		       r->qd, r->n, jps, jps * r->size / 1048576.0, r->p50,
		       r->p99, r->errors ? "  (errors!)" : "");
	else
		printf("%-16s %3s %7u %11.0f %10s %10.1f %10.1f%s\n", r->name,
		       r->qd, r->n, jps, "-", r->p50, r->p99,
		       r->errors ? "  (errors!)" : "");
}

/*
 * Device run: keep up to @qd jobs in flight, @n jobs in all. Latency of a
 * job = its reap time - its submit time.
 */
static int dev_run(struct ak_queue *q, uint16_t op, size_t size, unsigned qd,
		   unsigned n, uint8_t *src, uint8_t *dst, uint64_t *lat,
		   struct row *row)
{
	uint64_t t_sub[MAXQD * 2];
	struct ak_result res[MAXQD];
	unsigned sent = 0, done = 0;
	uint64_t start;
	int r;

	start = now_ns();
	while (done < n) {
		while (sent < n && sent - done < qd) {
			unsigned slot = sent % qd;
			struct ak_job j = {
				.op = op, .tag = sent,
				.src = op == AK_OP_COPY ? src + slot * size : NULL,
				.dst = op == AK_OP_COPY ? dst + slot * size : NULL,
				.len = op == AK_OP_COPY ? size : 0,
			};

			r = ak_submit(q, &j);
			if (r == -EAGAIN)
				break;
			if (r < 0)
				return r;
			t_sub[sent % (MAXQD * 2)] = now_ns();
			sent++;
		}
		r = ak_wait(q, 10000);
		if (r < 0)
			return r;
		r = ak_reap(q, res, MAXQD);
		if (r < 0)
			return r;
		uint64_t t = now_ns();

		for (int i = 0; i < r; i++) {
			if (res[i].err)
				row->errors++;
			lat[done] = t - t_sub[res[i].tag % (MAXQD * 2)];
			done++;
		}
	}
	row->total_ns = now_ns() - start;
	row->n = n;
	row->p50 = pct_us(lat, n, 0.50);
	row->p99 = pct_us(lat, n, 0.99);
	return 0;
}

static volatile uint8_t sink;

static void cpu_run(size_t size, unsigned n, uint8_t *src, uint8_t *dst,
		    uint64_t *lat, struct row *row)
{
	uint64_t start = now_ns();

	for (unsigned i = 0; i < n; i++) {
		uint64_t t = now_ns();

		memcpy(dst, src, size);
		__asm__ __volatile__("" ::: "memory");
		lat[i] = now_ns() - t;
	}
	sink = dst[size - 1];
	row->total_ns = now_ns() - start;
	row->n = n;
	row->p50 = pct_us(lat, n, 0.50);
	row->p99 = pct_us(lat, n, 0.99);
}

/* A fresh anonymous region of 4 KiB pages (no THP), never touched. */
static uint8_t *fresh_region(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* One device FILL of @len bytes at @dst; returns ns, or 0 on failure. */
static uint64_t timed_fill(struct ak_queue *q, uint8_t *dst, size_t len)
{
	struct ak_job job = { .op = AK_OP_FILL, .dst = dst, .len = len,
			      .pattern = 0x5a5a5a5a5a5a5a5aULL };
	struct ak_result res;
	uint64_t t0 = now_ns();
	int r = ak_run(q, &job, &res, 120000);

	if (r < 0) {
		fprintf(stderr, "akbench: fill of %zu bytes: %s (%s)\n", len,
			strerror(-r), ak_status_str(res.status));
		return 0;
	}
	return now_ns() - t0;
}

/*
 * Fault mode: the same device FILL into never-touched memory (every page
 * is a device page fault, resolved by the kernel) and into pre-faulted
 * memory; the difference per page is the cost of one device page fault,
 * printed next to one CPU page fault measured on the same kind of memory.
 */
static int fault_bench(struct ak_queue *q, size_t mib)
{
	size_t len = mib << 20, pages = len / 4096, i;
	uint8_t *cold = fresh_region(len), *warm = fresh_region(len);
	uint8_t *cpu = fresh_region(len);
	uint64_t t_cold, t_warm, t_cpu;
	double dev_fault_us, cpu_fault_us;

	if (!cold || !warm || !cpu) {
		fprintf(stderr, "akbench: cannot map %zu MiB\n", mib);
		return -1;
	}
	memset(warm, 1, len);			/* pre-fault */
	t_warm = timed_fill(q, warm, len);
	t_cold = timed_fill(q, cold, len);
	uint64_t t0 = now_ns();

	for (i = 0; i < pages; i++)
		cpu[i * 4096] = 1;		/* one CPU write fault a page */
	t_cpu = now_ns() - t0;
	munmap(cold, len);
	munmap(warm, len);
	munmap(cpu, len);
	if (!t_cold || !t_warm)
		return -1;

	dev_fault_us = t_cold > t_warm ?
		(double)(t_cold - t_warm) / pages / 1000.0 : 0.0;
	cpu_fault_us = (double)t_cpu / pages / 1000.0;
	printf("\nfault mode: one device FILL of %zu MiB (%zu pages of 4 KiB)\n",
	       mib, pages);
	printf("%-34s %10.1f MiB/s\n", "dev fill, pre-faulted buffer",
	       (double)len / (1 << 20) / (t_warm / 1e9));
	printf("%-34s %10.1f MiB/s\n", "dev fill, never-touched buffer",
	       (double)len / (1 << 20) / (t_cold / 1e9));
	printf("%-34s %10.2f us\n", "one device page fault", dev_fault_us);
	printf("%-34s %10.2f us\n", "one CPU page fault (write)",
	       cpu_fault_us);
	printf("%-34s %10.1fx\n", "device fault / CPU fault",
	       cpu_fault_us > 0 ? dev_fault_us / cpu_fault_us : 0.0);
	printf("note: a device fault is a round trip: device stall, MSI-X, kernel\n"
	       "      workqueue, handle_mm_fault(), response register. Both paths\n"
	       "      run on the TCG-emulated guest CPU here.\n");
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: akbench [-d NODE] [-n N] [-b] [-f MIB] [-e] [-t MS]\n"
"       akbench -s [-d NODE] [-b] [-t MS]\n"
"       akbench --host-engine [--emit FILE [-r R]] [-t MS]\n"
"       akbench --scorecard [--host-file FILE] [-d NODE] [-r R] [-t MS]\n"
"Throughput (jobs/s, MiB/s) and latency (p50/p99, microseconds) of accelkit\n"
"NOP and COPY jobs (4 KiB, 64 KiB) at queue depth 1 and 32, side by side with\n"
"a CPU memcpy of the same sizes measured in the same run; then munmap() of an\n"
"unrelated page, idle and during a long device job (COMPRESS 32 MiB level 9).\n"
"\n"
"  -d, --device NODE   use this queue device (default: discover \"copy\"; the\n"
"                      engine sessions discover their own algorithm's device)\n"
"  -n, --iters N       jobs per measurement (default 2000; 64 KiB: N/4)\n"
"  -b, --busy-poll     no completion interrupts: spin for completions (with\n"
"                      --scorecard: the engine and scaling sessions, with\n"
"                      AK_SF_SPIN too; the NOP figures measure both ways)\n"
"  -f, --faults MIB    also run the fault mode on MIB-MiB buffers: device\n"
"                      jobs on never-touched vs pre-faulted memory, and one\n"
"                      device page fault next to one CPU page fault\n"
"  -e, --engines       also run the engines: gzip-1, gzip-6 (compress), gunzip\n"
"                      (decompress), sha256, aes-256-gcm on generated text at\n"
"                      4 KiB, 64 KiB, 1 MiB, queue depth 1 and 32 (async API);\n"
"                      the DEVICE path (AK_SF_DEVICE) next to the SOFTWARE path\n"
"                      (AK_SF_SOFTWARE): ops/s, MiB/s, p50/p99, device/software\n"
"  -s, --summary       only the engines, one line each (gzip-6, gunzip, sha256,\n"
"                      aes-256-gcm at 64 KiB, qd 32): device vs software MiB/s\n"
"      --host-engine   only the raw software engines (no device, no queue, one\n"
"                      request at a time) at the same sizes: run it on the host\n"
"      --emit FILE     with --host-engine: the scorecard's denominators instead:\n"
"                      every engine at 64 KiB and 1 MiB, qd 1 and 32, R runs of\n"
"                      MS each (default 300), medians written to FILE as\n"
"                      \"engine size_bytes qd MiB/s\" lines ('#' comments)\n"
"      --scorecard     every goal of issue 8 measured in one run, each figure R\n"
"                      times, and one SCORECARD table (docs/performance.md)\n"
"      --host-file FILE  the --emit file, for the device/host efficiency rows\n"
"                      (default /etc/accelkit/host-engine.txt; missing: n/a)\n"
"      --zswap MIB     the kernel path (root, a swap device, zswap): MIB MiB\n"
"                      paged out (MADV_PAGEOUT) and read back with zswap's\n"
"                      compressor deflate-accelkit (the device's kernel queues),\n"
"                      then deflate-scomp (the CPU): pages/s each way, R times\n"
"  -r, --reps R        repetitions of each figure (default 5, at most 32)\n"
"  -t, --time MS       time per engine measurement (default: -e 200, -s 250,\n"
"                      --host-engine 500); the engines run for a time, not -n\n"
"  -h, --help          this help\n"
"      --version       print the version\n"
"\n"
"Reading the engine numbers: in the VM the software path runs on the guest\n"
"CPU, emulated by TCG (3-20x slower than the host), while the device model\n"
"runs at host speed, so device/software overstates the device. The honest\n"
"efficiency figure is device MiB/s (-e or -s in the VM) divided by the same\n"
"engine's MiB/s from --host-engine on the host (make bench-host).\n"
"\n"
"Benchmarks report, they never fail on time. Exit status: 0 success; 1 a job\n"
"failed (error status, or an engine output that does not verify); 2 usage;\n"
"3 the benchmark could not run (no queue or session, out of memory).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "iters", required_argument, NULL, 'n' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "faults", required_argument, NULL, 'f' },
		{ "engines", no_argument, NULL, 'e' },
		{ "summary", no_argument, NULL, 's' },
		{ "host-engine", no_argument, NULL, 'H' },
		{ "time", required_argument, NULL, 't' },
		{ "reps", required_argument, NULL, 'r' },
		{ "emit", required_argument, NULL, 'E' },
		{ "scorecard", no_argument, NULL, 'S' },
		{ "host-file", required_argument, NULL, 'F' },
		{ "zswap", required_argument, NULL, 'Z' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t sizes[] = { 4096, 65536 };
	const char *dev = NULL;
	unsigned iters = 2000, qflags = 0, errors = 0, fault_mib = 0, zswap_mib = 0;
	bool engines = false, summary = false, host = false, score = false;
	struct akb_opts ao = { 0 };
	struct ak_queue *q;
	struct ak_queue_info info;
	uint8_t *src, *dst;
	uint64_t *lat;
	int c, r;

	ao.host_file = "/etc/accelkit/host-engine.txt";
	ao.reps = 5;
	while ((c = getopt_long(argc, argv, "d:n:bf:est:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'n': iters = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'b': qflags |= AK_QF_BUSY_POLL; break;
		case 'f': fault_mib = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'e': engines = true; break;
		case 's': summary = true; break;
		case 'H': host = true; break;
		case 't': ao.budget_ms = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'r': ao.reps = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'E': ao.emit = optarg; break;
		case 'S': score = true; break;
		case 'F': ao.host_file = optarg; break;
		case 'Z': zswap_mib = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("akbench (accelkit) %d.%d\n", AK_VERSION_MAJOR,
			       AK_VERSION_MINOR);
			return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || iters < 4 || !ao.reps || ao.reps > AKB_REPS_MAX ||
	    (ao.emit && !host)) {
		usage(stderr);
		return 2;
	}
	ao.dev = dev;
	ao.sflags = qflags ? AK_SF_BUSY_POLL : 0;
	if (score && qflags)	/* the scorecard's engines: no syscall */
		ao.sflags |= AK_SF_SPIN;
	if (zswap_mib) {
		r = akb_zswap(&ao, zswap_mib);
		if (r < 0)
			return 3;
		return r ? 1 : 0;
	}
	if (host || summary || score) {
		if (score)
			r = akb_scorecard(&ao);
		else if (host)
			r = ao.emit ? akb_host_emit(&ao) : akb_host(&ao);
		else
			r = akb_summary(&ao);
		if (r < 0)
			return 3;
		if (r > 0) {
			printf("akbench: %d requests failed or gave wrong output\n", r);
			return 1;
		}
		return 0;
	}

	r = ak_queue_open(dev, "copy", qflags, &q);
	if (r < 0) {
		fprintf(stderr, "akbench: cannot open a queue: %s\n", strerror(-r));
		return 3;
	}
	ak_queue_info(q, &info);
	unsigned qd_hi = info.depth - 1 < MAXQD ? info.depth - 1 : MAXQD;
	char qd_hi_s[8];

	snprintf(qd_hi_s, sizeof(qd_hi_s), "%u", qd_hi);

	src = malloc(MAXQD * 65536);
	dst = malloc(MAXQD * 65536);
	lat = calloc(iters, sizeof(*lat));
	if (!src || !dst || !lat) {
		fprintf(stderr, "akbench: out of memory\n");
		return 3;
	}
	/* Resident and written by the CPU: the device takes no page faults. */
	memset(src, 0x3c, MAXQD * 65536);
	memset(dst, 0xc3, MAXQD * 65536);

	printf("akbench: %s queue %u, depth %u, %s completions\n", info.node,
	       info.queue_id, info.depth,
	       qflags ? "busy-polled" : "interrupt-driven (poll())");
	printf("note: in the VM the guest CPU (memcpy, submission, verification) runs under\n"
	       "      TCG emulation, 3-20x slower than the host, while the device model runs\n"
	       "      at host speed: device-vs-guest-CPU ratios overstate the device.\n\n");
	printf("%-16s %3s %7s %11s %10s %10s %10s\n", "test", "qd", "jobs",
	       "jobs/s", "MiB/s", "p50(us)", "p99(us)");

	struct row row;

	for (unsigned qi = 0; qi < 2; qi++) {
		unsigned qd = qi ? qd_hi : 1;

		memset(&row, 0, sizeof(row));
		row.name = "dev nop";
		row.qd = qi ? qd_hi_s : "1";
		r = dev_run(q, AK_OP_NOP, 0, qd, iters, src, dst, lat, &row);
		if (r < 0)
			goto fail;
		print_row(&row);
		errors += row.errors;
	}
	for (unsigned si = 0; si < 2; si++) {
		size_t size = sizes[si];
		unsigned n = size > 4096 ? iters / 4 : iters;

		for (unsigned qi = 0; qi < 2; qi++) {
			unsigned qd = qi ? qd_hi : 1;

			memset(&row, 0, sizeof(row));
			row.name = size == 4096 ? "dev copy 4K" : "dev copy 64K";
			row.qd = qi ? qd_hi_s : "1";
			row.size = size;
			r = dev_run(q, AK_OP_COPY, size, qd, n, src, dst, lat, &row);
			if (r < 0)
				goto fail;
			print_row(&row);
			errors += row.errors;
		}
		memset(&row, 0, sizeof(row));
		row.name = size == 4096 ? "cpu memcpy 4K" : "cpu memcpy 64K";
		row.qd = "-";
		row.size = size;
		cpu_run(size, n, src, dst, lat, &row);
		print_row(&row);
	}
	if (fault_mib && fault_bench(q, fault_mib) < 0)
		errors++;
	if (info.caps & (1u << 3)) {	/* COMPRESS */
		r = akb_munmap(q);
		if (r < 0)
			fprintf(stderr, "akbench: munmap line: %s\n", strerror(-r));
		else
			errors += (unsigned)r;
	}
	ak_queue_close(q);
	free(src);
	free(dst);
	free(lat);
	if (engines) {
		r = akb_engines(&ao);
		if (r < 0) {
			fprintf(stderr, "akbench: engines: %s\n", strerror(-r));
			return 3;
		}
		errors += (unsigned)r;
	}
	if (errors) {
		printf("akbench: %u jobs completed with an error status or wrong output\n",
		       errors);
		return 1;
	}
	printf("akbench: done (numbers are informational; no timing is asserted)\n");
	return 0;
fail:
	fprintf(stderr, "akbench: %s\n", strerror(-r));
	ak_queue_close(q);
	free(src);
	free(dst);
	free(lat);
	return 1;
}
