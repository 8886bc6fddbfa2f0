// SPDX-License-Identifier: LGPL-2.1-or-later
/* Submit/reap/wait/sync paths against the software device model. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "sim.h"
#include "suites.h"

static struct ak_job nop(uint64_t tag)
{
	struct ak_job j = { .op = AK_OP_NOP, .tag = tag };

	return j;
}

static void t_full_and_order(void)
{
	struct sim s;
	struct ak_queue *q = sim_queue_new(&s, 8, AK_QF_BUSY_POLL);
	struct ak_result r[16];
	struct ak_job j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(ak_queue_space(q), 7);
	CU_ASSERT_EQUAL(ak_reap(q, r, 16), 0);
	CU_ASSERT_EQUAL(ak_wait(q, 0), -ENOMSG);
	for (int i = 0; i < 7; i++) {
		j = nop(100 + i);
		CU_ASSERT_EQUAL(ak_submit(q, &j), 0);
	}
	j = nop(999);
	CU_ASSERT_EQUAL(ak_submit(q, &j), -EAGAIN);	/* depth-1 in flight */
	CU_ASSERT_EQUAL(ak_queue_inflight(q), 7);
	CU_ASSERT_EQUAL(ak_queue_space(q), 0);
	CU_ASSERT_EQUAL(ak_reap(q, r, 16), 0);		/* nothing done yet */
	CU_ASSERT_EQUAL(ak_wait(q, 0), -ETIMEDOUT);
	CU_ASSERT_EQUAL(ak_wait(q, 5), -ETIMEDOUT);

	CU_ASSERT_EQUAL(sim_step(&s), 7);
	CU_ASSERT_EQUAL(s.last_sq_tail_db, 7);
	CU_ASSERT_EQUAL(s.irqs, 0);			/* busy-poll queue */
	CU_ASSERT_EQUAL(ak_wait(q, 0), 0);
	CU_ASSERT_EQUAL(ak_reap(q, r, 3), 3);		/* partial reap */
	CU_ASSERT_EQUAL(r[0].tag, 100);
	CU_ASSERT_EQUAL(r[2].tag, 102);
	CU_ASSERT_EQUAL(r[0].status, AK_ST_SUCCESS);
	CU_ASSERT_EQUAL(r[0].err, 0);
	CU_ASSERT_EQUAL(r[0].sq_head, 1);
	CU_ASSERT_EQUAL(le32toh(*(uint32_t *)(q->db + AKS_DB_CQ_HEAD)), 3);
	CU_ASSERT_EQUAL(ak_queue_space(q), 3);
	CU_ASSERT_EQUAL(ak_reap(q, r, 16), 4);
	CU_ASSERT_EQUAL(r[3].tag, 106);
	CU_ASSERT_EQUAL(le32toh(*(uint32_t *)(q->db + AKS_DB_CQ_HEAD)), 7);
	CU_ASSERT_EQUAL(ak_queue_inflight(q), 0);
	CU_ASSERT_EQUAL(ak_reap(q, NULL, 0), 0);
	CU_ASSERT_EQUAL(ak_reap(q, NULL, 1), -EINVAL);
	ak_queue_close(q);
}

/* Many passes over small rings: the phase flip on every wrap. */
static void t_wrap_many(void)
{
	for (uint32_t depth = 2; depth <= 16; depth *= 2) {
		struct sim s;
		struct ak_queue *q = sim_queue_new(&s, depth, AK_QF_BUSY_POLL);
		struct ak_job jobs[16];
		struct ak_result r[16];
		uint64_t next_tag = 0, want_tag = 0;
		unsigned seed = depth;
		bool ok = true;

		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		while (want_tag < 3000 && ok) {
			unsigned n = 1 + rand_r(&seed) % depth;
			int got;

			for (unsigned i = 0; i < n; i++)
				jobs[i] = nop(next_tag + i);
			got = ak_submit_batch(q, jobs, n);
			if (got > 0)
				next_tag += (uint64_t)got;
			else
				ok &= got == -EAGAIN;
			ok &= ak_queue_inflight(q) <= (int)depth - 1;
			/* Sometimes the device runs, sometimes not. */
			if (rand_r(&seed) % 3)
				sim_step(&s);
			got = ak_reap(q, r, 1 + rand_r(&seed) % depth);
			ok &= got >= 0;
			for (int i = 0; i < got; i++)
				ok &= r[i].tag == want_tag++ && r[i].err == 0;
		}
		CU_ASSERT_TRUE(ok);
		CU_ASSERT_TRUE(s.jobs >= 3000);
		ak_queue_close(q);
	}
}

static void t_batch(void)
{
	struct sim s;
	struct ak_queue *q = sim_queue_new(&s, 4, 0);
	struct ak_job jobs[5];
	struct ak_result r[5];

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (int i = 0; i < 5; i++)
		jobs[i] = nop(i);
	CU_ASSERT_EQUAL(ak_submit_batch(q, jobs, 0), 0);
	CU_ASSERT_EQUAL(ak_submit_batch(q, jobs, 5), 3);	/* partial */
	CU_ASSERT_EQUAL(ak_submit_batch(q, jobs, 5), -EAGAIN);
	CU_ASSERT_EQUAL(ak_submit_batch(q, NULL, 1), -EINVAL);
	CU_ASSERT_EQUAL(sim_step(&s), 3);
	CU_ASSERT_EQUAL(s.irqs, 3);			/* IRQ by default */
	CU_ASSERT_EQUAL(ak_reap(q, r, 5), 3);
	CU_ASSERT_EQUAL(r[2].tag, 2);
	ak_queue_close(q);
}

static void t_statuses(void)
{
	struct sim s;
	struct ak_queue *q = sim_queue_new(&s, 8, AK_QF_BUSY_POLL);
	struct ak_result r[8];
	struct aks_desc raw;
	char a[64], b[64];
	struct ak_job j = { .op = 7, .tag = 1 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(ak_submit(q, &j), 0);		/* bad opcode */
	j = (struct ak_job){ .op = AK_OP_COPY, .tag = 2, .src = a, .dst = a + 8,
			     .len = 16 };
	CU_ASSERT_EQUAL(ak_submit(q, &j), 0);		/* overlapping */
	memset(&raw, 0, sizeof(raw));
	raw.opcode = htole16(AKS_OP_NOP);
	raw.tag = htole64(3);
	raw.rsvd1[1] = htole64(1);
	CU_ASSERT_EQUAL(ak_submit_raw(q, &raw, sizeof(raw)), 0);
	CU_ASSERT_EQUAL(ak_submit_raw(q, &raw, 63), -EINVAL);
	CU_ASSERT_EQUAL(sim_step(&s), 3);
	CU_ASSERT_EQUAL(ak_reap(q, r, 8), 3);
	CU_ASSERT_EQUAL(r[0].status, AK_ST_INVALID_OPCODE);
	CU_ASSERT_EQUAL(r[0].err, -EINVAL);
	CU_ASSERT_EQUAL(r[1].status, AK_ST_INVALID_DESC);
	CU_ASSERT_EQUAL(r[2].status, AK_ST_INVALID_DESC);
	CU_ASSERT_EQUAL(r[2].tag, 3);

	s.fail_status = AKS_ST_XLATE_FAULT;
	j = (struct ak_job){ .op = AK_OP_COPY, .tag = 4, .src = a, .dst = b,
			     .len = 64 };
	CU_ASSERT_EQUAL(ak_submit(q, &j), 0);
	s.fail_status = AKS_ST_XLATE_FAULT;
	sim_step(&s);
	s.fail_status = AKS_ST_PASID_INVALID;
	ak_submit(q, &j);
	sim_step(&s);
	s.fail_status = AKS_ST_DMA_ERROR;
	ak_submit(q, &j);
	sim_step(&s);
	CU_ASSERT_EQUAL(ak_reap(q, r, 8), 3);
	CU_ASSERT_EQUAL(r[0].err, -EFAULT);
	CU_ASSERT_EQUAL(r[0].fault_addr, (uint64_t)(uintptr_t)b);
	CU_ASSERT_EQUAL(r[0].bytes, 0);
	CU_ASSERT_EQUAL(r[1].err, -ESRCH);
	CU_ASSERT_EQUAL(r[2].err, -EIO);
	CU_ASSERT_STRING_EQUAL(ak_status_str(r[2].status), "DMA_ERROR");
	ak_queue_close(q);
}

/* Sync helpers with the model in a thread: poll() path and spin path. */
static void sync_round(unsigned flags)
{
	struct sim s;
	struct ak_queue *q = sim_queue_new(&s, 16, flags);
	size_t sizes[] = { 0, 1, 7, 8, 100, 4095, 4096, 4097, 12345, 65536 + 3 };
	uint8_t *src = malloc(70000), *dst = malloc(70000 + 16);
	struct ak_result res;
	struct ak_job j;
	bool ok = true;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dst);
	CU_ASSERT_EQUAL_FATAL(sim_start(&s), 0);
	for (int i = 0; i < 70000; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	for (int rep = 0; rep < 20; rep++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t n = sizes[k], off = (size_t)rep % 9;
			uint64_t pat = 0x1122334455667788ull + (uint64_t)rep;

			memset(dst, 0xee, 70000 + 16);
			ok &= ak_copy(q, dst + off, src, n) == 0;
			ok &= memcmp(dst + off, src, n) == 0;
			ok &= dst[off + n] == 0xee;
			ok &= ak_fill(q, dst + off, pat, n) == 0;
			for (size_t i = 0; i < n && ok; i++)
				ok &= dst[off + i] == (uint8_t)(pat >> (8 * (i % 8)));
			ok &= dst[off + n] == 0xee;
			ok &= ak_nop(q) == 0;
		}
	}
	CU_ASSERT_TRUE(ok);
	if (flags & AK_QF_BUSY_POLL) {
		CU_ASSERT_EQUAL(s.irqs, 0);
	} else {
		CU_ASSERT_EQUAL(s.irqs, s.jobs);
	}
	/* Device status comes back as errno, raw status in the result. */
	j = (struct ak_job){ .op = AK_OP_COPY, .tag = 77, .src = src,
			     .dst = src + 1, .len = 8 };
	CU_ASSERT_EQUAL(ak_run(q, &j, &res, 5000), -EINVAL);
	CU_ASSERT_EQUAL(res.status, AK_ST_INVALID_DESC);
	CU_ASSERT_EQUAL(res.tag, 77);
	/* Queue must be idle for the sync helpers. */
	j = nop(1);
	sim_stop(&s);
	CU_ASSERT_EQUAL(ak_submit(q, &j), 0);
	CU_ASSERT_EQUAL(ak_nop(q), -EBUSY);
	CU_ASSERT_EQUAL(ak_wait(q, 20), -ETIMEDOUT);
	CU_ASSERT_EQUAL_FATAL(sim_start(&s), 0);
	CU_ASSERT_EQUAL(ak_wait(q, 5000), 0);
	CU_ASSERT_EQUAL(ak_reap(q, &res, 1), 1);
	CU_ASSERT_EQUAL(ak_nop(q), 0);
	sim_stop(&s);
	free(src);
	free(dst);
	ak_queue_close(q);
}

static void t_sync_irq(void)
{
	sync_round(0);
}

static void t_sync_busy(void)
{
	sync_round(AK_QF_BUSY_POLL);
}

/* Async pipeline at full depth with the threaded model and ak_wait(). */
static void t_pipeline(void)
{
	struct sim s;
	struct ak_queue *q = sim_queue_new(&s, 32, 0);
	struct ak_result r[32];
	uint64_t sent = 0, done = 0;
	bool ok = true;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL_FATAL(sim_start(&s), 0);
	while (done < 5000 && ok) {
		struct ak_job j = nop(sent);

		while (sent < 5000 && ak_submit(q, &j) == 0)
			j = nop(++sent);
		ok &= ak_wait(q, 5000) == 0;
		int n = ak_reap(q, r, 32);

		ok &= n > 0;
		for (int i = 0; i < n; i++)
			ok &= r[i].tag == done++;
	}
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(done, 5000);
	sim_stop(&s);
	ak_queue_close(q);
}

static void t_info(void)
{
	struct sim s;
	struct ak_queue *q = sim_queue_new(&s, 64, AK_QF_BUSY_POLL);
	struct ak_queue_info info;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(ak_queue_info(q, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_queue_info(q, &info), 0);
	CU_ASSERT_EQUAL(info.depth, 64);
	CU_ASSERT_EQUAL(info.open_flags, AK_QF_BUSY_POLL);
	CU_ASSERT_STRING_EQUAL(info.node, "/dev/sim-0");
	CU_ASSERT_TRUE(ak_queue_fd(q) >= 0);
	CU_ASSERT_EQUAL(ak_queue_space(q), 63);
	ak_queue_close(q);
}

int add_queue_suite(void)
{
	static const struct ak_test t[] = {
		{ "ring full at depth-1, in-order reap", t_full_and_order },
		{ "wrap/phase over thousands of jobs", t_wrap_many },
		{ "batch submit, partial, -EAGAIN", t_batch },
		{ "status propagation", t_statuses },
		{ "sync helpers, IRQ + poll()", t_sync_irq },
		{ "sync helpers, busy poll", t_sync_busy },
		{ "async pipeline with ak_wait", t_pipeline },
		{ "queue info", t_info },
		{ NULL, NULL },
	};
	return ak_add_suite("queue (device model)", NULL, NULL, t);
}
