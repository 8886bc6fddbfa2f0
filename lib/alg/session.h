/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The session core (session.c): struct ak_session, its device queue (open,
 * fork check, drop), the stream contexts, and the request lists (a request
 * is completed onto the done list here; alg.c delivers it).
 *
 * Layers of lib/alg, each including only the headers below it:
 *   algs.h, sw.h          algorithm table; software engines
 *   session.h             this file (on core/internal.h)
 *   engine.h              device job engine (engine.c)
 *   request.h             one-shot request state machines (async.c)
 *   alg.c                 public session and async API
 *   comp.c digest.c cipher.c   public one-shot, stream and digest API
 * Hidden visibility, like core/internal.h.
 */
#ifndef AK_ALG_SESSION_H
#define AK_ALG_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/internal.h"

#define AK_NR_STREAM_CTX	7	/* contexts 0..6: streams and digests */
#define AK_ONESHOT_CTX		7	/* context 7: FIRST|LAST one-shot jobs */
#define AK_STAGE_SIZE		(1u << 20)	/* stream input staging */
#define AK_DIGEST_BUF		(64u << 10)	/* device digest buffering */

/* A device job in flight; the descriptor tag is its address. */
struct ak_slot;
typedef void (*ak_slot_done)(struct ak_session *s, struct ak_slot *sl,
			     const struct ak_result *r, uint16_t cflags);
struct ak_slot {
	ak_slot_done done;
};

/*
 * A stream or digest of a session. The session keeps a list of them so
 * that ak_session_close() can cut them loose: it sets h->s to NULL, after
 * which the handle's calls fail with -EBADF and its free touches no
 * session memory.
 */
struct ak_handle {
	struct ak_session *s;		/* NULL once the session is closed */
	struct ak_handle *next, *prev;
};

struct ak_session {
	int alg;
	int path;			/* AK_PATH_DEVICE / _SOFTWARE */
	bool auto_path;			/* may turn software on reopen failure */
	unsigned flags;			/* AK_SF_* */
	char req_node[AK_NODE_MAX];	/* node asked for ("" = discover) */
	struct ak_queue *q;		/* device path: NULL until (re)opened */
	pid_t pid;			/* opener of q */
	uint32_t gen;			/* bumped whenever q is dropped */
	bool q_failed;			/* the queue of generation fail_gen */
	uint32_t fail_gen;		/* failed (device state lost: -EIO) */
	uint64_t fallbacks;		/* requests redone in software */
	uint64_t max_xfer;
	uint64_t caps;			/* the queue's AKS_CAPS_* bits */
	uint8_t ctx_used;		/* bitmap of contexts 0..6 */
	/* async requests */
	struct ak_req *backlog_head, *backlog_tail;	/* not yet submitted */
	struct ak_req *done_head, *done_tail;		/* awaiting delivery */
	struct ak_req *active;		/* device requests started */
	int pending;			/* submitted, not delivered */
	int inflight_jobs;		/* device jobs in the ring */
	struct ak_handle *handles;	/* live streams and digests */
	/* ak_session_fd(): an epoll set of the queue fd and an eventfd
	 * signalled while completed requests await delivery (-1: none
	 * yet; created on first use). */
	int epfd, efd;
	pid_t fd_pid;			/* creator of epfd/efd */
};

/* Per-request private state, inside struct ak_req.priv. */
struct ak_req_priv {
	struct ak_slot slot;
	struct ak_req *next;		/* backlog / done list */
	struct ak_req *anext;		/* active (device) list */
	struct aks_params params;	/* read by the device: stable VA */
	uint64_t in_off, out_off, cap;
	uint8_t iv[16];			/* IV / counter of the current job */
	uint8_t next_iv[16];		/* CBC decrypt: saved before the job */
	uint8_t blk[16];		/* PKCS#7 last block */
	uint32_t job_len;		/* bytes of the current job */
	uint32_t members;
	uint8_t stage;			/* request-specific step */
	uint8_t delivered;
	uint8_t completed;
	uint64_t key;			/* ak_req_key() while pending, else 0 */
	struct ak_session *owner;	/* while pending */
};

static inline struct ak_req_priv *req_priv(struct ak_req *r)
{
	return (struct ak_req_priv *)(void *)r->priv;
}

/* The mark of a pending request (submitted, not yet delivered): priv is
 * caller memory, uninitialised before the first submit, so a pending
 * request is recognised by this value (and then confirmed in the
 * session's lists), never by a flag alone. */
static inline uint64_t ak_req_key(const struct ak_req *r)
{
	return (uint64_t)(uintptr_t)r ^ 0x616b2d7265712d31ull;
}

/* Open the session's device queue (s->req_node or discovery). */
int ak_sess_open_queue(struct ak_session *s);
/* Drop the queue. @forked: inherited over fork() (never touched; requests
 * forgotten); else closed and every outstanding request completed with
 * @err. */
void ak_sess_drop_queue(struct ak_session *s, bool forked, int err);
/* The queue failed (ak_queue_failed()) and every job it had in flight
 * was dispatched: close it; what is left of the requests (held back, or
 * started and not completed) is redone in software (auto) or fails -EIO;
 * an auto session turns software. In async.c (it needs the request
 * machines); called by the engine. */
void ak_sess_queue_failed(struct ak_session *s);
/* Why a device stream/digest of queue generation @gen cannot go on:
 * -EIO if that queue failed (its state in the device is lost), else
 * -ESTALE (fork, timeout). */
int ak_sess_lost_err(const struct ak_session *s, uint32_t gen);
/* Fork check / reopen before use. 0 or negative errno. */
int ak_sess_ready(struct ak_session *s);
/* Device jobs of this session request a completion interrupt. */
bool ak_sess_irq(const struct ak_session *s);

int ak_ctx_get(struct ak_session *s);		/* 0..6 or -EBUSY */
void ak_ctx_put(struct ak_session *s, int ctx, uint32_t gen);

/* Move @r to the done list with @status (once; later calls ignored). */
void ak_req_complete(struct ak_session *s, struct ak_req *r, int status);
/* Whether @r is pending on @s (or, returning true too, on another
 * session). */
bool ak_req_pending(struct ak_session *s, struct ak_req *r);
/* Mark @r delivered (no longer pending). */
void ak_req_release(struct ak_req *r);
/* Session close: every request not completed yet gets -ECANCELED, every
 * pending one is released (no callback), every stream and digest is cut
 * loose (struct ak_handle). */
void ak_sess_cancel_all(struct ak_session *s);

/* ak_session_fd(): create (once) and return the session's pollable fd. */
int ak_sess_fd(struct ak_session *s);
/* The done list is empty: the eventfd stops signalling. */
void ak_sess_drained(struct ak_session *s);
/* Close the session's own fds (close; forked child: its copies). */
void ak_sess_close_fds(struct ak_session *s);

void ak_sess_track(struct ak_session *s, struct ak_handle *h);
void ak_sess_untrack(struct ak_handle *h);

#endif /* AK_ALG_SESSION_H */
