// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Algorithm sessions: path selection, fork detection, the device job engine
 * (submission with back-pressure, completion dispatch by tag) and the
 * asynchronous request entry points.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alg.h"

const uint8_t ak_dummy[64];

static const char *const alg_names[] = {
	[AK_ALG_DEFLATE] = "deflate",
	[AK_ALG_ZLIB] = "zlib",
	[AK_ALG_GZIP] = "gzip",
	[AK_ALG_SHA256] = "sha256",
	[AK_ALG_SHA512] = "sha512",
	[AK_ALG_HMAC_SHA256] = "hmac(sha256)",
	[AK_ALG_AES_CBC] = "cbc(aes)",
	[AK_ALG_AES_CTR] = "ctr(aes)",
	[AK_ALG_AES_XTS] = "xts(aes)",
	[AK_ALG_AES_GCM] = "gcm(aes)",
};

AK_API const char *ak_alg_name(int alg)
{
	if (alg < AK_ALG_DEFLATE || alg > AK_ALG_AES_GCM)
		return NULL;
	return alg_names[alg];
}

AK_API int ak_alg_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "raw"))
		return AK_ALG_DEFLATE;
	for (int a = AK_ALG_DEFLATE; a <= AK_ALG_AES_GCM; a++)
		if (!strcmp(name, alg_names[a]))
			return a;
	return -EINVAL;
}

AK_API const char *ak_path_name(int path)
{
	switch (path) {
	case AK_PATH_AUTO:	return "auto";
	case AK_PATH_DEVICE:	return "device";
	case AK_PATH_SOFTWARE:	return "software";
	default:		return NULL;
	}
}

/* Device status of an algorithm job -> errno. */
int ak_status_to_err(int status)
{
	switch (status) {
	case AKS_ST_DATA_ERROR:		return -EBADMSG;
	case AKS_ST_OVERFLOW:		return -ENOSPC;
	case AKS_ST_AUTH_FAILURE:	return -EBADMSG;
	default:			return ak_status_errno(status);
	}
}

/* ------------------------------------------------------------------ */

static int open_queue(struct ak_session *s)
{
	struct ak_queue_info qi;
	unsigned qf = ((s->flags & AK_SF_BUSY_POLL) ? AK_QF_BUSY_POLL : 0) |
		      ((s->flags & AK_SF_SPIN) ? AK_QF_SPIN : 0);
	int r;

	r = ak_queue_open(s->req_node[0] ? s->req_node : NULL,
			  ak_alg_name(s->alg), qf, &s->q);
	if (r < 0)
		return r;
	ak_queue_info(s->q, &qi);
	s->max_xfer = qi.max_xfer ? qi.max_xfer : (64ull << 20);
	s->pid = getpid();
	return 0;
}

/* Requests that will never complete because the queue is gone: delivered
 * with @err (or forgotten in a forked child: @err == 0). */
static void fail_all(struct ak_session *s, int err)
{
	struct ak_req *r, *n;

	for (r = s->active; r; r = n) {
		n = req_priv(r)->anext;
		req_priv(r)->anext = NULL;
		if (err) {
			s->active = n;
			ak_req_complete(s, r, err);
		}
	}
	s->active = NULL;
	for (r = s->backlog_head; r; r = n) {
		n = req_priv(r)->next;
		if (err)
			ak_req_complete(s, r, err);
	}
	s->backlog_head = s->backlog_tail = NULL;
	if (!err) {
		s->done_head = s->done_tail = NULL;
		s->pending = 0;
	}
}

/* Drop the queue. @forked: inherited over fork() (never touch it). */
static void drop_queue(struct ak_session *s, bool forked, int err)
{
	if (!s->q)
		return;
	if (forked)
		ak_queue_abandon(s->q);
	else
		ak_queue_close(s->q);	/* stops the queue: buffers are free */
	s->q = NULL;
	s->gen++;
	s->ctx_used = 0;
	s->inflight_jobs = 0;
	fail_all(s, forked ? 0 : err);
}

int ak_sess_ready(struct ak_session *s)
{
	int r;

	if (s->path != AK_PATH_DEVICE)
		return 0;
	if (s->q && s->pid != getpid())
		drop_queue(s, true, 0);
	if (s->q)
		return 0;
	r = open_queue(s);
	if (r < 0 && s->auto_path) {
		s->path = AK_PATH_SOFTWARE;
		return 0;
	}
	return r;
}

AK_API int ak_session_open(int alg, const char *node, unsigned flags,
			   struct ak_session **sp)
{
	struct ak_session *s;
	int path = AK_PATH_AUTO, r;
	const char *env;

	if (sp)
		*sp = NULL;
	if (!sp || !ak_alg_name(alg) ||
	    (flags & ~(AK_SF_DEVICE | AK_SF_SOFTWARE | AK_SF_BUSY_POLL |
		       AK_SF_SPIN)) ||
	    ((flags & AK_SF_DEVICE) && (flags & AK_SF_SOFTWARE)))
		return -EINVAL;
	if (node && strlen(node) >= AK_NODE_MAX)
		return -EINVAL;
	if (flags & AK_SF_DEVICE) {
		path = AK_PATH_DEVICE;
	} else if (flags & AK_SF_SOFTWARE) {
		path = AK_PATH_SOFTWARE;
	} else {
		env = getenv("AK_PATH");
		if (!env || !*env || !strcmp(env, "auto"))
			path = AK_PATH_AUTO;
		else if (!strcmp(env, "device"))
			path = AK_PATH_DEVICE;
		else if (!strcmp(env, "software"))
			path = AK_PATH_SOFTWARE;
		else
			return -EINVAL;
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->alg = alg;
	s->flags = flags;
	if (node)
		strcpy(s->req_node, node);
	s->auto_path = path == AK_PATH_AUTO;
	s->path = path == AK_PATH_SOFTWARE ? AK_PATH_SOFTWARE : AK_PATH_DEVICE;
	if (s->path == AK_PATH_DEVICE) {
		r = open_queue(s);
		if (r < 0) {
			if (!s->auto_path) {
				free(s);
				return r;
			}
			s->path = AK_PATH_SOFTWARE;
		}
	}
	*sp = s;
	return 0;
}

AK_API void ak_session_close(struct ak_session *s)
{
	if (!s)
		return;
	if (s->q && s->pid != getpid()) {
		ak_queue_abandon(s->q);
		s->q = NULL;
	}
	/* Finish outstanding device work so no buffer is in use afterwards;
	 * closing the queue would also stop it, so this is best effort. */
	while (s->q && s->inflight_jobs > 0) {
		if (ak_eng_reap(s, AK_ALG_TIMEOUT_MS) < 0)
			break;
	}
	if (s->q)
		ak_queue_close(s->q);
	free(s);
}

AK_API int ak_session_path(const struct ak_session *s)
{
	return s ? s->path : -EINVAL;
}

AK_API int ak_session_alg(const struct ak_session *s)
{
	return s ? s->alg : -EINVAL;
}

AK_API const char *ak_session_node(const struct ak_session *s)
{
	if (!s)
		return NULL;
	if (s->path != AK_PATH_DEVICE || !s->q)
		return "";
	return s->q->info.node;
}

/* ------------------------------------------------------------------ */
/* Device engine                                                       */

bool ak_sess_irq(const struct ak_session *s)
{
	return !(s->flags & AK_SF_BUSY_POLL);
}

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
		drop_queue(s, false, -ETIMEDOUT);
		return -ETIMEDOUT;
	}
	if (r == -ETIMEDOUT)
		return 0;
	if (r == -EINTR)
		return 0;
	if (r < 0 && r != -ENOMSG) {
		drop_queue(s, false, r);
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
	/* Ring space may have appeared: push held-back requests. */
	while (s->q && s->backlog_head && ak_queue_space(s->q) > 0) {
		struct ak_req *rq = s->backlog_head;

		s->backlog_head = req_priv(rq)->next;
		if (!s->backlog_head)
			s->backlog_tail = NULL;
		ak_req_start_device(s, rq);
	}
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

int ak_ctx_get(struct ak_session *s)
{
	for (int i = 0; i < AK_NR_STREAM_CTX; i++)
		if (!(s->ctx_used & (1u << i))) {
			s->ctx_used |= (uint8_t)(1u << i);
			return i;
		}
	return -EBUSY;
}

void ak_ctx_put(struct ak_session *s, int ctx, uint32_t gen)
{
	if (ctx >= 0 && gen == s->gen)
		s->ctx_used &= (uint8_t)~(1u << ctx);
}

/* ------------------------------------------------------------------ */
/* Asynchronous requests                                               */

void ak_req_complete(struct ak_session *s, struct ak_req *r, int status)
{
	struct ak_req_priv *p = req_priv(r);
	struct ak_req **pp;

	if (p->completed)
		return;
	p->completed = 1;
	for (pp = &s->active; *pp; pp = &req_priv(*pp)->anext)
		if (*pp == r) {
			*pp = p->anext;
			break;
		}
	p->anext = NULL;
	r->status = status;
	p->next = NULL;
	if (s->done_tail)
		req_priv(s->done_tail)->next = r;
	else
		s->done_head = r;
	s->done_tail = r;
}

AK_API int ak_alg_submit(struct ak_session *s, struct ak_req *req)
{
	struct ak_req_priv *p;
	int r;

	if (!s || !req)
		return -EINVAL;
	r = ak_sess_ready(s);
	if (r < 0)
		return r;
	r = ak_req_validate(s, req);
	if (r < 0)
		return r;
	p = req_priv(req);
	memset(p, 0, sizeof(*p));
	req->status = 0;
	req->out_len = 0;
	req->err_offset = 0;
	s->pending++;
	if (s->path == AK_PATH_SOFTWARE) {
		ak_req_run_software(s, req);
		return 0;
	}
	if (s->backlog_head || ak_queue_space(s->q) <= 0) {
		if (s->backlog_tail)
			req_priv(s->backlog_tail)->next = req;
		else
			s->backlog_head = req;
		s->backlog_tail = req;
		return 0;
	}
	ak_req_start_device(s, req);
	return 0;
}

AK_API int ak_alg_submit_batch(struct ak_session *s, struct ak_req **reqs,
			       unsigned n)
{
	unsigned i;
	int r;

	if (!s || (!reqs && n))
		return -EINVAL;
	for (i = 0; i < n && i < (unsigned)INT32_MAX; i++) {
		r = ak_alg_submit(s, reqs[i]);
		if (r < 0)
			return i ? (int)i : r;
	}
	return (int)i;
}

/* Deliver the done list. */
static int deliver(struct ak_session *s)
{
	int n = 0;

	while (s->done_head) {
		struct ak_req *r = s->done_head;

		s->done_head = req_priv(r)->next;
		if (!s->done_head)
			s->done_tail = NULL;
		req_priv(r)->delivered = 1;
		s->pending--;
		n++;
		if (r->cb)
			r->cb(r);
	}
	return n;
}

AK_API int ak_alg_poll(struct ak_session *s, int timeout_ms)
{
	uint64_t deadline = 0;
	int n, r;

	if (!s)
		return -EINVAL;
	if (s->q && s->pid != getpid())
		ak_sess_ready(s);
	n = deliver(s);
	if (n)
		return n;
	if (s->pending <= 0)
		return -ENOMSG;
	if (timeout_ms > 0)
		deadline = ak_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	while (s->q) {
		int to = timeout_ms < 0 ? AK_ALG_TIMEOUT_MS : 0;

		if (timeout_ms > 0) {
			uint64_t now = ak_now_ns();

			to = now >= deadline ? 0 :
			     (int)((deadline - now + 999999) / 1000000);
		}
		r = ak_eng_reap(s, to);
		n = deliver(s);
		if (n)
			return n;
		if (r < 0)
			return r;
		if (timeout_ms == 0 || (timeout_ms > 0 && ak_now_ns() >= deadline))
			return 0;
		if (s->pending <= 0)
			return -ENOMSG;
		if (s->inflight_jobs <= 0 && !s->backlog_head)
			return -EIO;	/* nothing can complete any more */
	}
	return deliver(s);
}

AK_API int ak_alg_pending(const struct ak_session *s)
{
	return s ? s->pending : -EINVAL;
}

AK_API int ak_alg_wait(struct ak_session *s, struct ak_req *req)
{
	int r;

	if (!s || !req)
		return -EINVAL;
	while (!req_priv(req)->delivered) {
		r = ak_alg_poll(s, -1);
		if (r < 0 && !req_priv(req)->delivered)
			return r;
	}
	return req->status;
}
