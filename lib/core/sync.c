// SPDX-License-Identifier: LGPL-2.1-or-later
/* Synchronous helpers: one job, submit, wait, reap. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ring.h"

/* Busy-poll this long before sleeping in poll(): short jobs complete
 * without the cost of an interrupt and a wake-up. */
#define AK_SYNC_SPIN_NS 20000ull

AK_API int ak_run(struct ak_queue *q, const struct ak_job *job,
		  struct ak_result *res, int timeout_ms)
{
	struct ak_result tmp;
	uint64_t start, elapsed_ms;
	int r;

	if (!q || !job)
		return -EINVAL;
	if (!ak_ring_empty(q->sq_cnt, q->cq_cnt))
		return -EBUSY;
	r = ak_submit(q, job);
	if (r < 0)
		return r;

	if (q->flags & AK_QF_SPIN) {
		/* Its own spin, without the clock reads of the one below. */
		r = ak_wait(q, timeout_ms);
		if (r < 0)
			return r;
	}
	start = ak_now_ns();
	while (!ak_cq_ready(q) && ak_now_ns() - start < AK_SYNC_SPIN_NS)
		;
	if (!ak_cq_ready(q)) {
		int to = timeout_ms;

		if (timeout_ms > 0) {
			elapsed_ms = (ak_now_ns() - start) / 1000000ull;
			to = elapsed_ms >= (uint64_t)timeout_ms ? 0 :
			     timeout_ms - (int)elapsed_ms;
		}
		r = ak_wait(q, to);
		if (r < 0)
			return r;
	}
	r = ak_reap(q, &tmp, 1);
	if (r < 0)
		return r;
	if (r != 1)
		return -EIO;	/* cannot happen: ready was observed */
	if (res)
		*res = tmp;
	return tmp.err;
}

AK_API int ak_nop(struct ak_queue *q)
{
	struct ak_job j;

	if (!q)
		return -EINVAL;
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_NOP;
	return ak_run(q, &j, NULL, AK_SYNC_TIMEOUT_MS);
}

AK_API int ak_copy(struct ak_queue *q, void *dst, const void *src, size_t len)
{
	struct ak_job j;

	if (!q || (len && (!dst || !src)))
		return -EINVAL;
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.src = src;
	j.dst = dst;
	j.len = len;
	return ak_run(q, &j, NULL, AK_SYNC_TIMEOUT_MS);
}

AK_API int ak_fill(struct ak_queue *q, void *dst, uint64_t pattern, size_t len)
{
	struct ak_job j;

	if (!q || (len && !dst))
		return -EINVAL;
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_FILL;
	j.dst = dst;
	j.len = len;
	j.pattern = pattern;
	return ak_run(q, &j, NULL, AK_SYNC_TIMEOUT_MS);
}
