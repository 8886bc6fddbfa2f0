// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Algorithm sessions: opening (path selection) and closing, and the
 * asynchronous request entry points (submit, poll, wait).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "request.h"

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
	s->epfd = s->efd = -1;
	if (node)
		strcpy(s->req_node, node);
	s->auto_path = path == AK_PATH_AUTO;
	s->path = path == AK_PATH_SOFTWARE ? AK_PATH_SOFTWARE : AK_PATH_DEVICE;
	if (s->path == AK_PATH_DEVICE) {
		r = ak_sess_open_queue(s);
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

AK_API int ak_session_open2(const char *node, int alg, unsigned flags,
			    struct ak_session **sp)
{
	return ak_session_open(alg, node, flags, sp);
}

AK_API void ak_session_close(struct ak_session *s)
{
	if (!s)
		return;
	if (s->q && s->pid != getpid())
		ak_sess_drop_queue(s, true, 0);	/* forked: forget */
	/* Complete the outstanding requests (held-back ones too) without
	 * delivering them, so that no buffer is in use afterwards and each
	 * gets its real result; closing the queue would also stop it. */
	while (s->q && (s->inflight_jobs > 0 || s->backlog_head)) {
		ak_req_pump(s);
		if (s->inflight_jobs <= 0)
			continue;	/* completed at start (or pump again) */
		if (ak_eng_reap(s, AK_ALG_TIMEOUT_MS) < 0)
			break;
	}
	if (s->q)
		ak_queue_close(s->q);
	s->q = NULL;
	/* What could not complete (queue failed, forked child): -ECANCELED.
	 * No callback runs; streams and digests of the session now fail with
	 * -EBADF. */
	ak_sess_cancel_all(s);
	ak_sess_close_fds(s);
	free(s);
}

AK_API int ak_session_fd(struct ak_session *s)
{
	if (!s)
		return -EINVAL;
	if (s->q && s->pid != getpid())
		ak_sess_ready(s);	/* forked: drop the parent's fds */
	return ak_sess_fd(s);
}

AK_API int ak_session_path(const struct ak_session *s)
{
	return s ? s->path : -EINVAL;
}

AK_API uint64_t ak_session_fallbacks(const struct ak_session *s)
{
	return s ? s->fallbacks : 0;
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
/* Asynchronous requests                                               */

AK_API int ak_alg_submit(struct ak_session *s, struct ak_req *req)
{
	struct ak_req_priv *p;
	int r;

	if (!s || !req)
		return -EINVAL;
	/* Before anything touches it: a pending request's private state is
	 * in the session's lists. */
	if (ak_req_pending(s, req))
		return -EBUSY;
	r = ak_sess_ready(s);
	if (r < 0)
		return r;
	r = ak_req_validate(s, req);
	if (r < 0)
		return r;
	p = req_priv(req);
	memset(p, 0, sizeof(*p));
	p->key = ak_req_key(req);
	p->owner = s;
	req->status = -EINPROGRESS;
	req->rflags = 0;
	req->out_len = 0;
	req->err_offset = 0;
	s->pending++;
	if (s->path == AK_PATH_SOFTWARE || ak_req_software_only(req)) {
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
		req_priv(r)->next = NULL;
		ak_req_release(r);	/* may be resubmitted from its callback */
		s->pending--;
		n++;
		if (r->cb)
			r->cb(r);
	}
	ak_sess_drained(s);
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
		ak_req_pump(s);
		r = ak_eng_reap(s, to);
		ak_req_pump(s);	/* ring space may have appeared */
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
