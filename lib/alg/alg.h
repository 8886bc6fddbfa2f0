/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaccelkit algorithm layer internals (sessions, device engine, software
 * fallback). Hidden visibility, like internal.h.
 */
#ifndef AK_ALG_H
#define AK_ALG_H

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

struct ak_session {
	int alg;
	int path;			/* AK_PATH_DEVICE / _SOFTWARE */
	bool auto_path;			/* may turn software on reopen failure */
	unsigned flags;			/* AK_SF_* */
	char req_node[AK_NODE_MAX];	/* node asked for ("" = discover) */
	struct ak_queue *q;		/* device path: NULL until (re)opened */
	pid_t pid;			/* opener of q */
	uint32_t gen;			/* bumped whenever q is dropped */
	uint64_t max_xfer;
	uint8_t ctx_used;		/* bitmap of contexts 0..6 */
	/* async requests */
	struct ak_req *backlog_head, *backlog_tail;	/* not yet submitted */
	struct ak_req *done_head, *done_tail;		/* awaiting delivery */
	struct ak_req *active;		/* device requests started */
	int pending;			/* submitted, not delivered */
	int inflight_jobs;		/* device jobs in the ring */
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
	uint32_t stage;			/* request-specific step */
	uint32_t job_len;		/* bytes of the current job */
	uint32_t members;
	uint32_t delivered;
	uint32_t completed;
};

static inline struct ak_req_priv *req_priv(struct ak_req *r)
{
	return (struct ak_req_priv *)(void *)r->priv;
}

/* ---- alg.c ---- */
int ak_sess_ready(struct ak_session *s);	/* fork check / reopen */
int ak_status_to_err(int status);
/* Build an algorithm descriptor. */
void ak_alg_desc(struct aks_desc *d, unsigned op, unsigned flags,
		 unsigned ctx, const void *src, uint64_t len, void *dst,
		 uint64_t dst_len, const struct aks_params *p,
		 struct ak_slot *slot, bool irq);
/* Submit one descriptor; waits (dispatching) for ring space. */
int ak_eng_submit(struct ak_session *s, const struct aks_desc *d);
/* Wait up to @timeout_ms for completions and dispatch them. Returns the
 * number dispatched, or negative errno (-ETIMEDOUT after which the queue
 * has been dropped). */
int ak_eng_reap(struct ak_session *s, int timeout_ms);
/* Submit @d and wait for its completion (dispatching others). */
int ak_eng_run(struct ak_session *s, struct aks_desc *d,
	       struct ak_result *r, uint16_t *cflags);
int ak_ctx_get(struct ak_session *s);		/* 0..6 or -EBUSY */
void ak_ctx_put(struct ak_session *s, int ctx, uint32_t gen);
bool ak_sess_irq(const struct ak_session *s);
void ak_req_complete(struct ak_session *s, struct ak_req *r, int status);
extern const uint8_t ak_dummy[64];

/* ---- async.c ---- */
int ak_req_validate(struct ak_session *s, struct ak_req *r);
void ak_req_start_device(struct ak_session *s, struct ak_req *r);
void ak_req_run_software(struct ak_session *s, struct ak_req *r);

/* ---- sw.c: software engines (zlib / libcrypto), same parameters as the
 * device. All return 0 or negative errno. */
int ak_sw_wbits(int alg);			/* -15 / 15 / 31 */
int ak_sw_compress(int alg, int level, const void *src, size_t len,
		   void *dst, size_t cap, size_t *out);	/* -ENOSPC: *out=need */
int ak_sw_decompress(int alg, const void *src, size_t len, void *dst,
		     size_t cap, size_t *out, uint64_t *err_off);
int ak_sw_digest(int alg, const void *src, size_t len, uint8_t *out);
int ak_sw_hmac(const void *key, size_t key_len, const void *src, size_t len,
	       uint8_t *out);
int ak_sw_cipher(int alg, bool enc, const void *key, size_t key_len,
		 const void *iv, const void *src, size_t len, void *dst);
int ak_sw_gcm(bool enc, const void *key, size_t key_len, const void *nonce,
	      const void *aad, size_t aad_len, const void *src, size_t len,
	      void *dst, uint8_t *tag);
void *ak_sw_md_new(int alg);			/* EVP_MD_CTX */
int ak_sw_md_update(void *ctx, const void *p, size_t len);
int ak_sw_md_final(void *ctx, int alg, uint8_t *out);	/* and re-init */
void ak_sw_md_free(void *ctx);

#endif /* AK_ALG_H */
