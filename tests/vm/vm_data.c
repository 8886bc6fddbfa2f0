// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Data path: COPY/FILL byte-exactness on touched heap memory, sizes and
 * offsets across page boundaries, guard bytes, a THP-backed region, and 16
 * queues with full rings in parallel.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_common.h"

#define GUARD		64
#define CANARY		0xA5

static struct ak_queue *dq;	/* the data suite's queue */

static int data_init(void)
{
	return vm_suite_queue_open(&dq, "copy", NULL);
}

static int data_clean(void)
{
	return vm_suite_queue_close(&dq);
}

static const size_t sizes[] = {
	1, 4095, 4096, 4097, 65536, (1u << 20) + 13,
};

/* src offset, dst offset within the first page */
static const size_t offsets[][2] = {
	{ 0, 0 }, { 1, 4093 }, { 4095, 7 }, { 2049, 1 },
};

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define NOFFS (sizeof(offsets) / sizeof(offsets[0]))

/* One COPY of @len bytes src+soff -> dst+doff on touched heap buffers. */
static void copy_case(size_t len, size_t soff, size_t doff, uint32_t seed)
{
	size_t alen_s = soff + len + GUARD, alen_d = GUARD + doff + len + GUARD;
	uint8_t *sbuf = malloc(alen_s), *dbuf = malloc(alen_d);
	uint8_t *src, *dst;
	struct ak_job j;
	struct ak_result res;
	long bad;
	int r;

	VM_CHECK(sbuf && dbuf, "malloc failed");
	if (!sbuf || !dbuf)
		goto out;
	/* Every page of both buffers written by the CPU first. */
	vm_fill_random(sbuf, alen_s, seed);
	memset(dbuf, CANARY, alen_d);
	src = sbuf + soff;
	dst = dbuf + GUARD + doff;

	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.tag = 0xc0de0000ull + seed;
	j.src = src;
	j.dst = dst;
	j.len = len;
	r = vm_run(dq, &j, &res);
	VM_CHECK(r == 0, "COPY len %zu: no completion (%d)", len, r);
	if (r)
		goto out;
	VM_CHECK(res.status == AK_ST_SUCCESS,
		 "COPY len %zu soff %zu doff %zu: status %u (%s) fault_addr 0x%llx",
		 len, soff, doff, res.status, ak_status_str(res.status),
		 (unsigned long long)res.fault_addr);
	VM_CHECK(res.err == 0, "err %d", res.err);
	VM_CHECK(res.tag == j.tag, "tag 0x%llx != 0x%llx",
		 (unsigned long long)res.tag, (unsigned long long)j.tag);
	VM_CHECK(res.bytes == len, "COPY len %zu: bytes %llu", len,
		 (unsigned long long)res.bytes);
	VM_CHECK(res.fault_addr == 0, "fault_addr 0x%llx on success",
		 (unsigned long long)res.fault_addr);
	bad = vm_first_diff(dst, src, len);
	VM_CHECK(bad < 0, "COPY len %zu soff %zu doff %zu: dst differs at byte %ld",
		 len, soff, doff, bad);
	bad = vm_first_not(dbuf, CANARY, GUARD + doff);
	VM_CHECK(bad < 0, "COPY len %zu: guard before dst changed at -%ld",
		 len, (long)(GUARD + doff) - bad);
	bad = vm_first_not(dst + len, CANARY, GUARD);
	VM_CHECK(bad < 0, "COPY len %zu: guard after dst changed at +%ld",
		 len, bad);
out:
	free(sbuf);
	free(dbuf);
}

static void fill_case(size_t len, size_t doff, uint64_t pattern)
{
	size_t alen = GUARD + doff + len + GUARD;
	uint8_t *dbuf = malloc(alen), *dst;
	struct ak_job j;
	struct ak_result res;
	long bad;
	int r;

	VM_CHECK(dbuf != NULL, "malloc failed");
	if (!dbuf)
		return;
	memset(dbuf, CANARY, alen);
	dst = dbuf + GUARD + doff;

	memset(&j, 0, sizeof(j));
	j.op = AK_OP_FILL;
	j.tag = pattern ^ len;
	j.dst = dst;
	j.len = len;
	j.pattern = pattern;
	r = vm_run(dq, &j, &res);
	VM_CHECK(r == 0, "FILL len %zu: no completion (%d)", len, r);
	if (r)
		goto out;
	VM_CHECK(res.status == AK_ST_SUCCESS,
		 "FILL len %zu doff %zu: status %u (%s) fault_addr 0x%llx",
		 len, doff, res.status, ak_status_str(res.status),
		 (unsigned long long)res.fault_addr);
	VM_CHECK(res.tag == j.tag, "tag mismatch");
	VM_CHECK(res.bytes == len, "FILL len %zu: bytes %llu", len,
		 (unsigned long long)res.bytes);
	bad = vm_first_not_pattern(dst, pattern, len);
	VM_CHECK(bad < 0, "FILL len %zu doff %zu: byte %ld is 0x%02x, want 0x%02x",
		 len, doff, bad, bad < 0 ? 0 : dst[bad],
		 bad < 0 ? 0 : vm_pat_byte(pattern, (size_t)bad));
	bad = vm_first_not(dbuf, CANARY, GUARD + doff);
	VM_CHECK(bad < 0, "FILL len %zu: guard before dst changed", len);
	bad = vm_first_not(dst + len, CANARY, GUARD);
	VM_CHECK(bad < 0, "FILL len %zu: guard after dst changed at +%ld",
		 len, bad);
out:
	free(dbuf);
}

static void t_copy_sizes(void)
{
	size_t s, o;

	VM_REQUIRE(dq, "no queue");
	for (s = 0; s < NSIZES; s++)
		for (o = 0; o < NOFFS; o++)
			copy_case(sizes[s], offsets[o][0], offsets[o][1],
				  (uint32_t)(s * 16 + o + 1));
}

static void t_fill_sizes(void)
{
	static const uint64_t pats[] = {
		0x0123456789abcdefull, 0xffffffffffffffffull, 0x00000000000000a1ull,
		0x8877665544332211ull,
	};
	size_t s, o;

	VM_REQUIRE(dq, "no queue");
	for (s = 0; s < NSIZES; s++)
		for (o = 0; o < NOFFS; o++)
			fill_case(sizes[s], offsets[o][1], pats[(s + o) % 4]);
}

/* The synchronous helpers and buffers on the stack and in .bss. */
static uint8_t g_bss_buf[3 * 4096 + 100];

static void t_sync_helpers_stack_bss(void)
{
	uint8_t stackbuf[5000];
	int r;

	VM_REQUIRE(dq, "no queue");
	r = ak_nop(dq);
	VM_CHECK(r == 0, "ak_nop = %d", r);
	vm_fill_random(stackbuf, sizeof(stackbuf), 77);
	memset(g_bss_buf, CANARY, sizeof(g_bss_buf));
	r = ak_copy(dq, g_bss_buf + 33, stackbuf, sizeof(stackbuf));
	VM_CHECK(r == 0, "ak_copy stack->bss = %d", r);
	VM_CHECK(vm_first_diff(g_bss_buf + 33, stackbuf, sizeof(stackbuf)) < 0,
		 "bss copy differs");
	VM_CHECK(vm_first_not(g_bss_buf, CANARY, 33) < 0, "guard before");
	VM_CHECK(vm_first_not(g_bss_buf + 33 + sizeof(stackbuf), CANARY,
			      sizeof(g_bss_buf) - 33 - sizeof(stackbuf)) < 0,
		 "guard after");
	r = ak_fill(dq, stackbuf + 1, 0x5a5a5a5a12345678ull, 4999);
	VM_CHECK(r == 0, "ak_fill stack = %d", r);
	VM_CHECK(vm_first_not_pattern(stackbuf + 1, 0x5a5a5a5a12345678ull,
				      4999) < 0, "stack fill wrong");
	VM_CHECK(ak_queue_inflight(dq) == 0, "inflight %d after sync jobs",
		 ak_queue_inflight(dq));
}

static const struct ak_test data_tests[] = {
	{ "COPY sizes 1..1MiB+13, odd offsets, guard bytes", t_copy_sizes },
	{ "FILL sizes 1..1MiB+13, odd offsets, guard bytes", t_fill_sizes },
	{ "ak_nop/ak_copy/ak_fill with stack and .bss buffers",
	  t_sync_helpers_stack_bss },
	{ NULL, NULL },
};

/* ------------------------------------------------------------------ */
/* Transparent huge pages */

#define HP (2ul << 20)

static void t_thp(void)
{
	char thp[128] = "";
	void *mem = NULL;
	uint8_t *huge, *small = NULL;
	size_t off, len;
	long kb, bad;
	struct ak_result res;
	struct ak_job j;
	int r;

	VM_REQUIRE(dq, "no queue");
	vm_read_file("/sys/kernel/mm/transparent_hugepage/enabled", thp,
		     sizeof(thp));
	r = posix_memalign(&mem, HP, 2 * HP);
	VM_REQUIRE(r == 0, "posix_memalign: %s", strerror(r));
	huge = mem;
	r = madvise(huge, 2 * HP, MADV_HUGEPAGE);
	VM_CHECK(r == 0, "madvise(MADV_HUGEPAGE): %s", strerror(errno));
	/* First touch after madvise: the fault allocates huge pages. */
	for (off = 0; off < 2 * HP; off += AK_PAGE)
		huge[off] = 1;
	kb = vm_smaps_kb(huge, "AnonHugePages");
	VM_CHECK(kb >= 2048,
		 "region %p is not THP backed: AnonHugePages %ld kB (THP enabled: %s)",
		 (void *)huge, kb, thp);
	if (kb < 2048)
		goto out;

	/* Byte-exact through 2 MiB leaves. */
	small = malloc(HP + 3 * AK_PAGE);
	VM_REQUIRE(small, "malloc");
	vm_fill_random(small, HP + 3 * AK_PAGE, 4242);

	/* Into the huge region, across the 2 MiB boundary. */
	len = HP + 5;
	memset(huge, CANARY, 2 * HP);
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.src = small + 3;
	j.dst = huge + HP / 2 + 1;
	j.len = len;
	r = vm_run(dq, &j, &res);
	VM_CHECK(r == 0 && res.status == AK_ST_SUCCESS && res.bytes == len,
		 "COPY into THP: r %d status %u (%s) bytes %llu fault 0x%llx",
		 r, res.status, ak_status_str(res.status),
		 (unsigned long long)res.bytes,
		 (unsigned long long)res.fault_addr);
	bad = vm_first_diff(huge + HP / 2 + 1, small + 3, len);
	VM_CHECK(bad < 0, "THP dst differs at %ld", bad);
	VM_CHECK(vm_first_not(huge, CANARY, HP / 2 + 1) < 0 &&
		 vm_first_not(huge + HP / 2 + 1 + len, CANARY,
			      2 * HP - (HP / 2 + 1 + len)) < 0,
		 "bytes outside the THP dst range changed");

	/* Out of the huge region. */
	vm_fill_random(huge, 2 * HP, 99);
	memset(small, CANARY, HP + 3 * AK_PAGE);
	j.src = huge + HP - 7;	/* straddles the two huge pages */
	j.dst = small + 1;
	j.len = HP + 2;
	r = vm_run(dq, &j, &res);
	VM_CHECK(r == 0 && res.status == AK_ST_SUCCESS && res.bytes == HP + 2,
		 "COPY from THP: r %d status %u (%s) bytes %llu fault 0x%llx",
		 r, res.status, ak_status_str(res.status),
		 (unsigned long long)res.bytes,
		 (unsigned long long)res.fault_addr);
	VM_CHECK(vm_first_diff(small + 1, huge + HP - 7, HP + 2) < 0,
		 "copy from THP differs");
	VM_CHECK(small[0] == CANARY && small[HP + 3] == CANARY,
		 "guard bytes around dst changed");

	/* THP to THP and FILL of the whole region. */
	j.src = huge + 11;
	j.dst = huge + HP + 5;
	j.len = HP - 100;
	r = vm_run(dq, &j, &res);
	VM_CHECK(r == 0 && res.status == AK_ST_SUCCESS && res.bytes == HP - 100,
		 "COPY THP->THP: status %u", res.status);
	VM_CHECK(vm_first_diff(huge + HP + 5, huge + 11, HP - 100) < 0,
		 "THP->THP copy differs");

	memset(&j, 0, sizeof(j));
	j.op = AK_OP_FILL;
	j.dst = huge;
	j.len = 2 * HP;
	j.pattern = 0xfeedfacecafebeefull;
	r = vm_run(dq, &j, &res);
	VM_CHECK(r == 0 && res.status == AK_ST_SUCCESS && res.bytes == 2 * HP,
		 "FILL THP 4 MiB: status %u bytes %llu", res.status,
		 (unsigned long long)res.bytes);
	bad = vm_first_not_pattern(huge, j.pattern, 2 * HP);
	VM_CHECK(bad < 0, "THP fill wrong at %ld", bad);

	/* Still huge afterwards (the device must not have split anything). */
	kb = vm_smaps_kb(huge, "AnonHugePages");
	VM_CHECK(kb >= 2048, "AnonHugePages after jobs: %ld kB", kb);
out:
	free(small);
	free(mem);
}

static const struct ak_test thp_tests[] = {
	{ "COPY/FILL into and out of a 2 MiB THP region", t_thp },
	{ NULL, NULL },
};

/* ------------------------------------------------------------------ */
/* 16 queues, full rings, one thread per queue */

#define NQ		16
#define ROUNDS		2
#define SLOT		4096

struct mq_ctx {
	pthread_t th;
	int idx;
	struct ak_queue *q;
	uint32_t depth;
	unsigned jobs_done;
	unsigned errors;
	char msg[256];
};

static pthread_barrier_t mq_barrier;

#define MQ_ERR(c, ...) do {						\
	if (!(c)->errors++)						\
		snprintf((c)->msg, sizeof((c)->msg), __VA_ARGS__);	\
} while (0)

static void *mq_thread(void *arg)
{
	struct mq_ctx *c = arg;
	unsigned n = c->depth - 1, i, round;
	uint8_t *src = NULL, *dst = NULL;
	struct ak_job *jobs = NULL;
	struct ak_result *res = NULL;
	size_t bytes = (size_t)n * SLOT;
	struct ak_job extra;

	src = malloc(bytes);
	dst = malloc(bytes);
	jobs = calloc(n, sizeof(*jobs));
	res = calloc(n, sizeof(*res));
	if (!src || !dst || !jobs || !res) {
		MQ_ERR(c, "q%d: out of memory", c->idx);
		pthread_barrier_wait(&mq_barrier);
		goto out;
	}
	vm_fill_random(src, bytes, (uint32_t)c->idx + 1000);
	/* wait so that every queue is busy at the same time */
	pthread_barrier_wait(&mq_barrier);

	for (round = 0; round < ROUNDS; round++) {
		int r, got;

		memset(dst, CANARY, bytes);
		for (i = 0; i < n; i++) {
			struct ak_job *j = &jobs[i];
			size_t off = (i * 7 + round) % 64;
			size_t len = 1 + (i * 613 + round * 97) % (SLOT - 64 - off);

			memset(j, 0, sizeof(*j));
			j->tag = ((uint64_t)c->idx << 48) |
				 ((uint64_t)round << 32) | (i * 2654435761u);
			j->dst = dst + (size_t)i * SLOT + off;
			j->len = len;
			if ((i + round) % 3 == 2) {
				j->op = AK_OP_FILL;
				j->pattern = j->tag ^ 0x5555aaaa5555aaaaull;
			} else {
				j->op = AK_OP_COPY;
				j->src = src + (size_t)i * SLOT + 63 - off;
			}
		}
		r = ak_submit_batch(c->q, jobs, n);
		if (r != (int)n) {
			MQ_ERR(c, "q%d: ak_submit_batch(%u) = %d", c->idx, n, r);
			break;
		}
		/* the ring is full now: depth-1 jobs in flight */
		memset(&extra, 0, sizeof(extra));
		r = ak_submit(c->q, &extra);
		if (r != -EAGAIN)
			MQ_ERR(c, "q%d: submit on full ring = %d, want -EAGAIN",
			       c->idx, r);
		got = vm_reap_n(c->q, res, (int)n, 60000);
		if (got != (int)n) {
			MQ_ERR(c, "q%d round %u: reaped %d of %u", c->idx,
			       round, got, n);
			break;
		}
		for (i = 0; i < n; i++) {
			struct ak_job *j = &jobs[i];
			uint8_t *slot = dst + (size_t)i * SLOT;
			size_t off = (uint8_t *)j->dst - slot;
			long bad;

			if (res[i].tag != j->tag) {
				MQ_ERR(c, "q%d: completion %u tag 0x%llx, want 0x%llx (out of order)",
				       c->idx, i, (unsigned long long)res[i].tag,
				       (unsigned long long)j->tag);
				continue;
			}
			if (res[i].status != AK_ST_SUCCESS ||
			    res[i].bytes != j->len) {
				MQ_ERR(c, "q%d job %u: status %u (%s) bytes %llu len %llu",
				       c->idx, i, res[i].status,
				       ak_status_str(res[i].status),
				       (unsigned long long)res[i].bytes,
				       (unsigned long long)j->len);
				continue;
			}
			bad = j->op == AK_OP_COPY ?
			      vm_first_diff(j->dst, j->src, j->len) :
			      vm_first_not_pattern(j->dst, j->pattern, j->len);
			if (bad >= 0)
				MQ_ERR(c, "q%d job %u (%s): byte %ld wrong",
				       c->idx, i, j->op == AK_OP_COPY ?
				       "COPY" : "FILL", bad);
			else if (vm_first_not(slot, CANARY, off) >= 0 ||
				 vm_first_not(slot + off + j->len, CANARY,
					      SLOT - off - j->len) >= 0)
				MQ_ERR(c, "q%d job %u: bytes outside dst changed",
				       c->idx, i);
			else
				c->jobs_done++;
		}
		if (ak_queue_inflight(c->q) != 0)
			MQ_ERR(c, "q%d: inflight %d after reaping all", c->idx,
			       ak_queue_inflight(c->q));
	}
out:
	free(src);
	free(dst);
	free(jobs);
	free(res);
	return NULL;
}

static void t_16_queues(void)
{
	struct mq_ctx ctx[NQ];
	struct ak_queue_info info;
	unsigned total = 0, expect = 0;
	int i, opened = 0;
	long a;

	memset(ctx, 0, sizeof(ctx));
	VM_REQUIRE(vm_discover() == 0, "no device");
	VM_REQUIRE(g_max_instances >= NQ, "device has %ld queues, need %d",
		   g_max_instances, NQ);
	for (i = 0; i < NQ; i++) {
		ctx[i].idx = i;
		ctx[i].q = vm_open_queue(0);
		if (!ctx[i].q)
			break;
		ak_queue_info(ctx[i].q, &info);
		ctx[i].depth = info.depth;
		opened++;
	}
	a = vm_avail();
	VM_CHECK(a == g_max_instances - opened,
		 "available_instances %ld with %d queues open (max %ld)", a,
		 opened, g_max_instances);
	if (opened < NQ)
		goto close;

	pthread_barrier_init(&mq_barrier, NULL, NQ);
	for (i = 0; i < NQ; i++)
		pthread_create(&ctx[i].th, NULL, mq_thread, &ctx[i]);
	for (i = 0; i < NQ; i++) {
		pthread_join(ctx[i].th, NULL);
		VM_CHECK(ctx[i].errors == 0, "%u errors, first: %s",
			 ctx[i].errors, ctx[i].msg);
		total += ctx[i].jobs_done;
		expect += (ctx[i].depth - 1) * ROUNDS;
	}
	pthread_barrier_destroy(&mq_barrier);
	VM_CHECK(total == expect && total >= 2000,
		 "%u of %u jobs verified", total, expect);
	printf("[%u jobs on %d queues] ", total, NQ);
close:
	for (i = 0; i < NQ; i++)
		ak_queue_close(ctx[i].q);
	vm_check_instances_back();
}

static const struct ak_test mq_tests[] = {
	{ "16 queues x full rings, mixed COPY/FILL, tag order", t_16_queues },
	{ NULL, NULL },
};

int add_data_suites(void)
{
	if (ak_add_suite("data", data_init, data_clean, data_tests))
		return -1;
	if (ak_add_suite("thp", data_init, data_clean, thp_tests))
		return -1;
	return ak_add_suite("multiqueue", NULL, NULL, mq_tests);
}
