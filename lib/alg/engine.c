// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device job engine: algorithm descriptors, submission with
 * back-pressure, completion dispatch by tag (struct ak_slot handlers).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "algs.h"
#include "engine.h"

void ak_alg_desc(struct aks_desc *d, unsigned op, unsigned flags,
		 unsigned ctx, const void *src, uint64_t len, void *dst,
		 uint64_t dst_len, const struct aks_params *p,
		 struct ak_slot *slot, bool irq)
{
	memset(d, 0, sizeof(*d));
	d->opcode = htole16((uint16_t)op);
	d->flags = htole16((uint16_t)(flags | (irq ? AKS_DF_IRQ : 0)));
	d->rsvd0 = htole32(ctx);
	d->tag = htole64((uint64_t)(uintptr_t)slot);
	/* Never hand the device a NULL address, even for 0 bytes. */
	d->src = htole64((uint64_t)(uintptr_t)(src ? src : ak_dummy));
	d->dst = htole64((uint64_t)(uintptr_t)(dst ? dst : (void *)ak_dummy));
	d->len = htole64(len);
	d->pattern = htole64(dst_len);		/* dst_len */
	d->rsvd1[0] = htole64((uint64_t)(uintptr_t)p);	/* params VA */
	d->rsvd1[1] = 0;
}

int ak_eng_reap(struct ak_session *s, int timeout_ms)
{
	struct ak_result res[32];
	uint16_t cfl[32];
	int r, n, total = 0;

	if (!s->q)
		return -EIO;
	r = ak_wait(s->q, timeout_ms);
	if (r == -ETIMEDOUT && timeout_ms != 0) {
		/* A job is stuck: stop the queue so no buffer stays in use,
		 * fail everything, reopen on next use. */
		ak_sess_drop_queue(s, false, -ETIMEDOUT);
		return -ETIMEDOUT;
	}
	if (r == -ETIMEDOUT)
		return 0;
	if (r == -EINTR)
		return 0;
	if (r < 0 && r != -ENOMSG) {
		ak_sess_drop_queue(s, false, r);
		return r;
	}
	do {
		n = ak_reap_flags(s->q, res, cfl, 32);
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			struct ak_slot *sl =
				(struct ak_slot *)(uintptr_t)res[i].tag;

			s->inflight_jobs--;
			if (sl && sl->done)
				sl->done(s, sl, &res[i], cfl[i]);
			if (!s->q)	/* a handler dropped the queue */
				return total + i + 1;
		}
		total += n;
	} while (n == 32);
	/* Every job of a failed queue was dispatched above (each once, the
	 * ones without a trusted record as ABORTED): close it. */
	if (s->q && ak_queue_failed(s->q) == 1)
		ak_sess_queue_failed(s);
	return total;
}

int ak_eng_submit(struct ak_session *s, const struct aks_desc *d)
{
	int r;

	for (;;) {
		if (!s->q)
			return -EIO;
		r = ak_submit_raw(s->q, d, sizeof(*d));
		if (r == 0) {
			s->inflight_jobs++;
			return 0;
		}
		if (r != -EAGAIN)
			return r;
		r = ak_eng_reap(s, AK_ALG_TIMEOUT_MS);
		if (r < 0)
			return r;
	}
}

struct sync_slot {
	struct ak_slot slot;
	bool done;
	struct ak_result res;
	uint16_t cflags;
};

static void sync_done(struct ak_session *s, struct ak_slot *sl,
		      const struct ak_result *r, uint16_t cflags)
{
	struct sync_slot *ss = (struct sync_slot *)(void *)sl;

	(void)s;
	ss->done = true;
	ss->res = *r;
	ss->cflags = cflags;
}

int ak_eng_run(struct ak_session *s, struct aks_desc *d,
	       struct ak_result *res, uint16_t *cflags)
{
	struct sync_slot ss = { .slot = { sync_done } };
	uint32_t gen = s->gen;
	int r;

	d->tag = htole64((uint64_t)(uintptr_t)&ss.slot);
	r = ak_eng_submit(s, d);
	if (r < 0)
		return r;
	while (!ss.done) {
		r = ak_eng_reap(s, AK_ALG_TIMEOUT_MS);
		if (r < 0)
			return r;
		if (s->gen != gen)
			return -EIO;
	}
	*res = ss.res;
	if (cflags)
		*cflags = ss.cflags;
	return 0;
}
