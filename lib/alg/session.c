// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The session core: the device queue of a session (open, fork check,
 * drop), stream contexts, and the request lists.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "session.h"

int ak_sess_open_queue(struct ak_session *s)
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
	s->caps = qi.caps;
	s->pid = getpid();
	if (s->epfd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN };

		/* (the old queue's fd left the set when it was closed) */
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->q->fd, &ev) < 0) {
			r = -errno;
			ak_queue_close(s->q);
			s->q = NULL;
			return r;
		}
	}
	return 0;
}

int ak_sess_fd(struct ak_session *s)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (s->epfd >= 0 && s->fd_pid == getpid())
		return s->epfd;
	ak_sess_close_fds(s);	/* a forked child's copies of the parent's */
	s->fd_pid = getpid();
	s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->efd < 0)
		return -errno;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->efd, &ev) < 0 ||
	    (s->q && epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->q->fd, &ev) < 0)) {
		int r = -errno;

		ak_sess_close_fds(s);
		return r;
	}
	if (s->done_head) {	/* already something to deliver */
		uint64_t one = 1;

		if (write(s->efd, &one, sizeof(one)) < 0) {
			/* cannot fail: counter far from overflow */
		}
	}
	return s->epfd;
}

void ak_sess_drained(struct ak_session *s)
{
	uint64_t v;

	if (s->efd >= 0 && read(s->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: was not signalled */
	}
}

void ak_sess_close_fds(struct ak_session *s)
{
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->efd >= 0)
		close(s->efd);
	s->epfd = s->efd = -1;
}

/* A request of the parent, in a forked child: never delivered here (no
 * callback), but final: -ECANCELED. */
static void forget(struct ak_req *r)
{
	r->status = -ECANCELED;
	ak_req_release(r);
}

/* Requests that will never complete because the queue is gone: completed
 * with @err (or forgotten in a forked child, @err == 0: every pending
 * request, delivered or not, is set -ECANCELED and never delivered). */
static void fail_all(struct ak_session *s, int err)
{
	struct ak_req *r, *n;

	for (r = s->active; r; r = n) {
		n = req_priv(r)->anext;
		req_priv(r)->anext = NULL;
		if (err) {
			s->active = n;
			ak_req_complete(s, r, err);
		} else {
			forget(r);
		}
	}
	s->active = NULL;
	for (r = s->backlog_head; r; r = n) {
		n = req_priv(r)->next;
		if (err)
			ak_req_complete(s, r, err);
		else
			forget(r);
	}
	s->backlog_head = s->backlog_tail = NULL;
	if (!err) {
		for (r = s->done_head; r; r = n) {
			n = req_priv(r)->next;
			forget(r);
		}
		s->done_head = s->done_tail = NULL;
		s->pending = 0;
	}
}

/* Drop the queue. @forked: inherited over fork() (never touch it). */
void ak_sess_drop_queue(struct ak_session *s, bool forked, int err)
{
	if (!s->q)
		return;
	if (forked) {
		ak_queue_abandon(s->q);
		/* The epoll set is shared with the parent: leave it to it. */
		ak_sess_close_fds(s);
	} else {
		ak_queue_close(s->q);	/* stops the queue: buffers are free */
	}
	s->q = NULL;
	s->gen++;
	s->ctx_used = 0;
	s->inflight_jobs = 0;
	fail_all(s, forked ? 0 : err);
}

int ak_sess_lost_err(const struct ak_session *s, uint32_t gen)
{
	return s->q_failed && s->fail_gen == gen ? -EIO : -ESTALE;
}

int ak_sess_ready(struct ak_session *s)
{
	int r;

	if (s->path != AK_PATH_DEVICE)
		return 0;
	if (s->q && s->pid != getpid())
		ak_sess_drop_queue(s, true, 0);
	if (s->q)
		return 0;
	r = ak_sess_open_queue(s);
	if (r < 0 && s->auto_path) {
		s->path = AK_PATH_SOFTWARE;
		return 0;
	}
	return r;
}

bool ak_sess_irq(const struct ak_session *s)
{
	return !(s->flags & AK_SF_BUSY_POLL);
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
	if (s->efd >= 0 && !s->done_head && s->fd_pid == getpid()) {
		uint64_t one = 1;

		if (write(s->efd, &one, sizeof(one)) < 0) {
			/* cannot fail: counter far from overflow */
		}
	}
	p->next = NULL;
	if (s->done_tail)
		req_priv(s->done_tail)->next = r;
	else
		s->done_head = r;
	s->done_tail = r;
}

bool ak_req_pending(struct ak_session *s, struct ak_req *r)
{
	struct ak_req_priv *p = req_priv(r);
	struct ak_req *x;

	if (p->key != ak_req_key(r))
		return false;
	if (p->owner != s)
		return true;	/* pending elsewhere: not ours to touch */
	for (x = s->backlog_head; x; x = req_priv(x)->next)
		if (x == r)
			return true;
	for (x = s->active; x; x = req_priv(x)->anext)
		if (x == r)
			return true;
	for (x = s->done_head; x; x = req_priv(x)->next)
		if (x == r)
			return true;
	return false;
}

void ak_req_release(struct ak_req *r)
{
	struct ak_req_priv *p = req_priv(r);

	p->delivered = 1;
	p->key = 0;
	p->owner = NULL;
}

void ak_sess_cancel_all(struct ak_session *s)
{
	struct ak_handle *h, *hn;
	struct ak_req *r, *n;

	fail_all(s, -ECANCELED);
	for (r = s->done_head; r; r = n) {
		n = req_priv(r)->next;
		req_priv(r)->next = NULL;
		ak_req_release(r);
	}
	s->done_head = s->done_tail = NULL;
	s->pending = 0;
	for (h = s->handles; h; h = hn) {
		hn = h->next;
		h->s = NULL;
		h->next = h->prev = NULL;
	}
	s->handles = NULL;
}

void ak_sess_track(struct ak_session *s, struct ak_handle *h)
{
	h->s = s;
	h->prev = NULL;
	h->next = s->handles;
	if (h->next)
		h->next->prev = h;
	s->handles = h;
}

void ak_sess_untrack(struct ak_handle *h)
{
	if (!h->s)
		return;
	if (h->prev)
		h->prev->next = h->next;
	else
		h->s->handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	h->s = NULL;
	h->next = h->prev = NULL;
}
