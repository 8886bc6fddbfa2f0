// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One-shot requests: validation, the device state machines (one job in
 * flight per request; chained jobs for CBC/CTR over max_xfer and for
 * multi-member gzip) and the software execution.
 */
#include <errno.h>
#include <string.h>

#include "algs.h"
#include "engine.h"
#include "request.h"
#include "sw.h"

_Static_assert(sizeof(struct ak_req_priv) <= sizeof(((struct ak_req *)0)->priv),
	       "request private state");

static uint32_t frame_of(int alg)
{
	return alg == AK_ALG_DEFLATE ? AKS_FRAME_RAW :
	       alg == AK_ALG_ZLIB ? AKS_FRAME_ZLIB : AKS_FRAME_GZIP;
}

static uint32_t cipher_of(int alg)
{
	switch (alg) {
	case AK_ALG_AES_CBC:	return AKS_CIPHER_AES_CBC;
	case AK_ALG_AES_CTR:	return AKS_CIPHER_AES_CTR;
	case AK_ALG_AES_XTS:	return AKS_CIPHER_AES_XTS;
	default:		return AKS_CIPHER_AES_GCM;
	}
}

int ak_req_validate(struct ak_session *s, struct ak_req *r)
{
	int alg = s->alg;
	bool dev = s->path == AK_PATH_DEVICE;
	uint64_t mx = dev ? s->max_xfer : UINT64_MAX;

	if ((r->len && !r->src) || (r->dst_len && !r->dst))
		return -EINVAL;
	if (r->flags & ~AK_CF_PKCS7)
		return -EINVAL;
	if ((r->flags & AK_CF_PKCS7) && alg != AK_ALG_AES_CBC)
		return -EINVAL;
	switch (r->op) {
	case AK_REQ_COMPRESS:
		if (!ak_alg_is_comp(alg) || r->level < AK_DEFAULT_COMPRESSION ||
		    r->level > 9)
			return -EINVAL;
		return r->len > mx ? -EMSGSIZE : 0;
	case AK_REQ_DECOMPRESS:
		if (!ak_alg_is_comp(alg))
			return -EINVAL;
		return r->len > mx ? -EMSGSIZE : 0;
	case AK_REQ_DIGEST:
		if (alg != AK_ALG_SHA256 && alg != AK_ALG_SHA512)
			return -EINVAL;
		return r->len > mx ? -EMSGSIZE : 0;
	case AK_REQ_HMAC:
		if (alg != AK_ALG_HMAC_SHA256 || !r->key || r->key_len < 1 ||
		    r->key_len > AK_HMAC_KEY_MAX)
			return -EINVAL;
		return r->len > mx ? -EMSGSIZE : 0;
	case AK_REQ_ENCRYPT:
	case AK_REQ_DECRYPT:
		break;
	default:
		return -EINVAL;
	}
	if (!r->key)
		return -EINVAL;
	if (alg == AK_ALG_AES_GCM) {
		if ((r->key_len != 16 && r->key_len != 32) || !r->iv ||
		    r->iv_len != AK_GCM_NONCE_LEN || !r->tag ||
		    (r->aad_len && !r->aad))
			return -EINVAL;
		if (r->len > AK_GCM_MAX || r->aad_len > AK_GCM_MAX ||
		    r->len > mx || r->aad_len > mx)
			return -EMSGSIZE;
		return 0;
	}
	if (!ak_alg_is_cipher(alg) || !r->iv || r->iv_len != AK_AES_BLOCK)
		return -EINVAL;
	if (alg == AK_ALG_AES_XTS) {
		if (r->key_len != 32 && r->key_len != 64)
			return -EINVAL;
		if (r->len < AK_AES_BLOCK)
			return -EINVAL;
		if (r->len > AK_XTS_MAX || r->len > mx)
			return -EMSGSIZE;
		return 0;
	}
	if (r->key_len != 16 && r->key_len != 32)
		return -EINVAL;
	if (alg == AK_ALG_AES_CBC) {
		if (!(r->flags & AK_CF_PKCS7) && r->len % AK_AES_BLOCK)
			return -EINVAL;
		if ((r->flags & AK_CF_PKCS7) && r->op == AK_REQ_DECRYPT &&
		    (r->len == 0 || r->len % AK_AES_BLOCK))
			return -EINVAL;
	}
	return 0;
}

/* Output capacity checks common to both paths. Returns true if the
 * request was completed here (-ENOSPC or nothing to do). */
static bool precheck(struct ak_session *s, struct ak_req *r)
{
	size_t need = 0;
	bool pkcs = r->flags & AK_CF_PKCS7;

	switch (r->op) {
	case AK_REQ_DIGEST:
	case AK_REQ_HMAC:
		need = ak_digest_size(s->alg);
		break;
	case AK_REQ_ENCRYPT:
		need = pkcs ? (r->len / AK_AES_BLOCK + 1) * AK_AES_BLOCK : r->len;
		break;
	case AK_REQ_DECRYPT:
		need = pkcs ? 0 : r->len;	/* PKCS#7: after unpadding */
		break;
	default:
		return false;
	}
	if (r->dst_len < need) {
		r->out_len = need;
		ak_req_complete(s, r, -ENOSPC);
		return true;
	}
	return false;
}

static bool pkcs7_check(const uint8_t *blk, unsigned *pad)
{
	unsigned p = blk[15], bad = 0;

	/* Constant-time over the block. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned in = (unsigned)(i >= 16 - p);

		bad |= in & (blk[i] != p);
	}
	bad |= (p == 0) | (p > 16);
	*pad = p;
	return !bad;
}

/* ------------------------------------------------------------------ */
/* Software                                                            */

void ak_req_run_software(struct ak_session *s, struct ak_req *r)
{
	size_t out = 0;
	uint64_t eo = 0;
	int st = 0;
	bool enc = r->op == AK_REQ_ENCRYPT;

	if (precheck(s, r))
		return;
	switch (r->op) {
	case AK_REQ_COMPRESS:
		st = ak_sw_compress(s->alg, ak_level(r->level), r->src, r->len,
				    r->dst, r->dst_len, &out);
		break;
	case AK_REQ_DECOMPRESS:
		st = ak_sw_decompress(s->alg, r->src, r->len, r->dst,
				      r->dst_len, &out, &eo);
		r->err_offset = eo;
		break;
	case AK_REQ_DIGEST:
		st = ak_sw_digest(s->alg, r->src, r->len, r->dst);
		out = ak_digest_size(s->alg);
		break;
	case AK_REQ_HMAC:
		st = ak_sw_hmac(r->key, r->key_len, r->src, r->len, r->dst);
		out = AK_SHA256_LEN;
		break;
	default:
		if (s->alg == AK_ALG_AES_GCM) {
			st = ak_sw_gcm(enc, r->key, r->key_len, r->iv, r->aad,
				       r->aad_len, r->src, r->len, r->dst,
				       r->tag);
			out = r->len;
		} else if (!(r->flags & AK_CF_PKCS7)) {
			st = ak_sw_cipher(s->alg, enc, r->key, r->key_len,
					  r->iv, r->src, r->len, r->dst);
			out = r->len;
		} else if (enc) {
			size_t full = r->len & ~(size_t)15, tail = r->len - full;
			uint8_t blk[16];
			const uint8_t *iv = r->iv;

			memcpy(blk, (const uint8_t *)r->src + full, tail);
			memset(blk + tail, (int)(16 - tail), 16 - tail);
			st = ak_sw_cipher(s->alg, true, r->key, r->key_len,
					  r->iv, r->src, full, r->dst);
			if (!st && full)
				iv = (const uint8_t *)r->dst + full - 16;
			if (!st)
				st = ak_sw_cipher(s->alg, true, r->key,
						  r->key_len, iv, blk, 16,
						  (uint8_t *)r->dst + full);
			out = full + 16;
		} else {
			const uint8_t *src = r->src;
			const uint8_t *iv = r->len >= 32 ?
					    src + r->len - 32 : r->iv;
			uint8_t blk[16];
			unsigned pad;

			st = ak_sw_cipher(s->alg, false, r->key, r->key_len,
					  iv, src + r->len - 16, 16, blk);
			if (st)
				break;
			if (!pkcs7_check(blk, &pad)) {
				st = -EBADMSG;
				break;
			}
			out = r->len - pad;
			if (r->dst_len < out) {
				st = -ENOSPC;
				break;
			}
			st = ak_sw_cipher(s->alg, false, r->key, r->key_len,
					  r->iv, src, r->len - 16, r->dst);
			if (!st)
				memcpy((uint8_t *)r->dst + r->len - 16, blk,
				       16 - pad);
		}
		break;
	}
	r->out_len = out;
	ak_req_complete(s, r, st);
}

/* ------------------------------------------------------------------ */
/* Device                                                              */

static void req_done(struct ak_session *s, struct ak_slot *sl,
		     const struct ak_result *res, uint16_t cflags);

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Submit one job for @r; on failure complete the request. */
static void req_job(struct ak_session *s, struct ak_req *r, unsigned op,
		    unsigned flags, const void *src, uint64_t len, void *dst,
		    uint64_t dst_len)
{
	struct ak_req_priv *p = req_priv(r);
	struct aks_desc d;
	int e;

	p->slot.done = req_done;
	p->job_len = (uint32_t)min64(len, UINT32_MAX);
	ak_alg_desc(&d, op, flags | AKS_DF_FIRST | AKS_DF_LAST, AK_ONESHOT_CTX,
		    src, len, dst, min64(dst_len, s->max_xfer), &p->params,
		    &p->slot, ak_sess_irq(s));
	e = ak_eng_submit(s, &d);
	if (e == -EIO)		/* the queue failed or is gone */
		ak_req_device_failed(s, r, e);
	else if (e < 0)
		ak_req_complete(s, r, e);
}

static void ctr_add(uint8_t *ctr, uint64_t blocks)
{
	for (int i = 15; i >= 0 && blocks; i--) {
		uint64_t v = (uint64_t)ctr[i] + (blocks & 0xff);

		ctr[i] = (uint8_t)v;
		blocks = (blocks >> 8) + (v >> 8);
	}
}

/* CBC/CTR: next chunk of the region [0, end) of src/dst (p->in_off done). */
static void cipher_next(struct ak_session *s, struct ak_req *r, uint64_t end)
{
	struct ak_req_priv *p = req_priv(r);
	bool dec = r->op == AK_REQ_DECRYPT;
	uint64_t chunk = min64(end - p->in_off, s->max_xfer & ~15ull);
	const uint8_t *src = (const uint8_t *)r->src + p->in_off;

	if (s->alg == AK_ALG_AES_CBC && dec)	/* before an in-place job */
		memcpy(p->next_iv, src + chunk - 16, 16);
	req_job(s, r, AKS_OP_CIPHER, dec ? AKS_DF_DECRYPT : 0, src, chunk,
		(uint8_t *)r->dst + p->in_off, chunk);
}

/* Stages of a PKCS#7 CBC request */
enum { ST_BODY = 0, ST_PADBLK, ST_LASTBLK };

static void cipher_start(struct ak_session *s, struct ak_req *r)
{
	struct ak_req_priv *p = req_priv(r);
	bool dec = r->op == AK_REQ_DECRYPT;
	uint64_t full;

	memcpy(p->iv, r->iv, 16);
	p->params.alg = cipher_of(s->alg);
	p->params.key = (uint64_t)(uintptr_t)r->key;
	p->params.key_len = (uint32_t)r->key_len;
	p->params.iv_len = (uint32_t)r->iv_len;
	p->params.iv = (uint64_t)(uintptr_t)p->iv;

	if (s->alg == AK_ALG_AES_GCM || s->alg == AK_ALG_AES_XTS) {
		if (s->alg == AK_ALG_AES_GCM) {
			p->params.aad = (uint64_t)(uintptr_t)
					(r->aad ? r->aad : ak_dummy);
			p->params.aad_len = r->aad_len;
			p->params.auth_tag = (uint64_t)(uintptr_t)r->tag;
		}
		r->out_len = r->len;
		p->in_off = r->len;	/* one job does it all */
		req_job(s, r, AKS_OP_CIPHER, dec ? AKS_DF_DECRYPT : 0, r->src,
			r->len, r->dst, r->len);
		return;
	}
	if (!(r->flags & AK_CF_PKCS7)) {
		r->out_len = r->len;
		if (!r->len) {
			ak_req_complete(s, r, 0);
			return;
		}
		p->cap = r->len;
		cipher_next(s, r, r->len);
		return;
	}
	full = r->len & ~15ull;
	if (!dec) {
		uint64_t tail = r->len - full;

		memcpy(p->blk, (const uint8_t *)r->src + full, tail);
		memset(p->blk + tail, (int)(16 - tail), 16 - tail);
		r->out_len = full + 16;
		p->cap = full;
		if (full) {
			p->stage = ST_BODY;
			cipher_next(s, r, full);
		} else {
			p->stage = ST_PADBLK;
			req_job(s, r, AKS_OP_CIPHER, 0, p->blk, 16,
				r->dst, 16);
		}
		return;
	}
	/* Decrypt: the last block first, into blk, to learn the padding. */
	p->stage = ST_LASTBLK;
	if (r->len >= 32)
		memcpy(p->iv, (const uint8_t *)r->src + r->len - 32, 16);
	req_job(s, r, AKS_OP_CIPHER, AKS_DF_DECRYPT,
		(const uint8_t *)r->src + r->len - 16, 16, p->blk, 16);
}

void ak_req_start_device(struct ak_session *s, struct ak_req *r)
{
	struct ak_req_priv *p = req_priv(r);

	if (precheck(s, r))
		return;
	p->anext = s->active;
	s->active = r;
	switch (r->op) {
	case AK_REQ_COMPRESS:
		p->params.alg = frame_of(s->alg);
		p->params.level = (uint32_t)ak_level(r->level);
		req_job(s, r, AKS_OP_COMPRESS, 0, r->src, r->len, r->dst,
			r->dst_len);
		break;
	case AK_REQ_DECOMPRESS:
		p->params.alg = frame_of(s->alg);
		p->cap = r->dst_len;
		req_job(s, r, AKS_OP_DECOMPRESS, 0, r->src, r->len, r->dst,
			r->dst_len);
		break;
	case AK_REQ_DIGEST:
		p->params.alg = s->alg == AK_ALG_SHA256 ? AKS_HASH_SHA256 :
							  AKS_HASH_SHA512;
		req_job(s, r, AKS_OP_HASH, 0, r->src, r->len, r->dst,
			r->dst_len);
		break;
	case AK_REQ_HMAC:
		p->params.alg = AKS_HASH_HMAC_SHA256;
		p->params.key = (uint64_t)(uintptr_t)r->key;
		p->params.key_len = (uint32_t)r->key_len;
		req_job(s, r, AKS_OP_HASH, 0, r->src, r->len, r->dst,
			r->dst_len);
		break;
	default:
		cipher_start(s, r);
		break;
	}
}

static void decomp_done(struct ak_session *s, struct ak_req *r,
			const struct ak_result *res, uint16_t cflags)
{
	struct ak_req_priv *p = req_priv(r);
	uint64_t room = p->cap - p->out_off;

	switch (res->status) {
	case AKS_ST_SUCCESS:
		p->out_off += res->bytes;
		r->out_len = p->out_off;
		if (!(cflags & AKS_CF_END)) {
			/* One-shot job ran out of input: truncated. */
			r->err_offset = r->len;
			ak_req_complete(s, r, -EBADMSG);
			return;
		}
		p->members++;
		p->in_off += min64(res->fault_addr, r->len - p->in_off);
		if (p->in_off == r->len) {
			ak_req_complete(s, r, 0);
			return;
		}
		if (s->alg != AK_ALG_GZIP) {
			r->err_offset = p->in_off;	/* trailing garbage */
			ak_req_complete(s, r, -EBADMSG);
			return;
		}
		/* Next gzip member: a new one-shot stream. */
		req_job(s, r, AKS_OP_DECOMPRESS, 0,
			(const uint8_t *)r->src + p->in_off, r->len - p->in_off,
			(uint8_t *)r->dst + p->out_off, p->cap - p->out_off);
		return;
	case AKS_ST_DATA_ERROR:
		r->err_offset = p->in_off + res->fault_addr;
		ak_req_complete(s, r, -EBADMSG);
		return;
	case AKS_ST_OVERFLOW:
		/* fault_addr: bytes needed for this member. More members may
		 * follow: the sync wrapper recounts (ak_decompress). */
		r->out_len = p->out_off + res->fault_addr;
		ak_req_complete(s, r, res->fault_addr > room ? -ENOSPC
							      : -EMSGSIZE);
		return;
	default:
		ak_req_complete(s, r, ak_status_to_err(res->status));
	}
}

static void cipher_done(struct ak_session *s, struct ak_req *r,
			const struct ak_result *res)
{
	struct ak_req_priv *p = req_priv(r);
	bool dec = r->op == AK_REQ_DECRYPT;
	unsigned pad;

	if (res->status != AKS_ST_SUCCESS) {
		if (res->status == AKS_ST_AUTH_FAILURE)
			r->out_len = 0;
		ak_req_complete(s, r, ak_status_to_err(res->status));
		return;
	}
	if (s->alg == AK_ALG_AES_GCM || s->alg == AK_ALG_AES_XTS) {
		ak_req_complete(s, r, 0);
		return;
	}
	if ((r->flags & AK_CF_PKCS7) && p->stage == ST_PADBLK) {
		ak_req_complete(s, r, 0);
		return;
	}
	if ((r->flags & AK_CF_PKCS7) && p->stage == ST_LASTBLK) {
		if (!pkcs7_check(p->blk, &pad)) {
			r->out_len = 0;
			ak_req_complete(s, r, -EBADMSG);
			return;
		}
		r->out_len = r->len - pad;
		if (r->dst_len < r->out_len) {
			ak_req_complete(s, r, -ENOSPC);
			return;
		}
		p->stage = ST_BODY;
		p->cap = r->len - 16;
		memcpy(p->iv, r->iv, 16);
		if (!p->cap) {
			memcpy(r->dst, p->blk, 16 - pad);
			ak_req_complete(s, r, 0);
			return;
		}
		cipher_next(s, r, p->cap);
		return;
	}
	/* A body chunk of CBC/CTR completed. */
	p->in_off += p->job_len;
	if (s->alg == AK_ALG_AES_CTR)
		ctr_add(p->iv, p->job_len / 16);
	else if (dec)
		memcpy(p->iv, p->next_iv, 16);
	else
		memcpy(p->iv, (const uint8_t *)r->dst + p->in_off - 16, 16);
	if (p->in_off < p->cap) {
		cipher_next(s, r, p->cap);
		return;
	}
	if (r->flags & AK_CF_PKCS7) {
		if (!dec) {
			p->stage = ST_PADBLK;
			req_job(s, r, AKS_OP_CIPHER, 0, p->blk, 16,
				(uint8_t *)r->dst + p->cap, 16);
			return;
		}
		pad = p->blk[15];
		memcpy((uint8_t *)r->dst + p->cap, p->blk, 16 - pad);
	}
	ak_req_complete(s, r, 0);
}

static void req_done(struct ak_session *s, struct ak_slot *sl,
		     const struct ak_result *res, uint16_t cflags)
{
	struct ak_req *r = (struct ak_req *)(void *)
		((char *)sl - offsetof(struct ak_req_priv, slot) -
		 offsetof(struct ak_req, priv));

	if (res->status == AKS_ST_HW_ERROR || res->status == AKS_ST_ABORTED) {
		ak_req_device_failed(s, r, -EIO);
		return;
	}
	switch (r->op) {
	case AK_REQ_COMPRESS:
		if (res->status == AKS_ST_OVERFLOW) {
			r->out_len = res->fault_addr;
			ak_req_complete(s, r, res->fault_addr > r->dst_len ?
					-ENOSPC : -EMSGSIZE);
			return;
		}
		r->out_len = res->bytes;
		ak_req_complete(s, r, ak_status_to_err(res->status));
		return;
	case AK_REQ_DECOMPRESS:
		decomp_done(s, r, res, cflags);
		return;
	case AK_REQ_DIGEST:
	case AK_REQ_HMAC:
		if (res->status == AKS_ST_OVERFLOW)
			r->out_len = res->fault_addr;
		else
			r->out_len = res->bytes;
		ak_req_complete(s, r, ak_status_to_err(res->status));
		return;
	default:
		cipher_done(s, r, res);
	}
}

/* ---- device faults ---- */

static bool overlap(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return a && b && alen && blen && x < y + blen && y < x + alen;
}

/* The software redo reads every input again: safe only if no output the
 * device may have written (dst, the GCM tag) overlaps one. */
static bool redo_safe(const struct ak_session *s, const struct ak_req *r)
{
	if (overlap(r->dst, r->dst_len, r->src, r->len))
		return false;
	if (s->alg != AK_ALG_AES_GCM)
		return true;
	if (overlap(r->dst, r->dst_len, r->aad, r->aad_len))
		return false;
	return r->op != AK_REQ_ENCRYPT ||
	       (!overlap(r->tag, AK_GCM_TAG_LEN, r->src, r->len) &&
		!overlap(r->tag, AK_GCM_TAG_LEN, r->aad, r->aad_len));
}

void ak_req_device_failed(struct ak_session *s, struct ak_req *r, int err)
{
	struct ak_req_priv *p = req_priv(r);

	if (p->completed)
		return;
	if (!s->auto_path || !redo_safe(s, r)) {
		ak_req_complete(s, r, err);
		return;
	}
	/* From the start: whatever the device wrote is rewritten. */
	r->out_len = 0;
	r->err_offset = 0;
	r->rflags |= AK_REQ_FELL_BACK;
	s->fallbacks++;
	ak_req_run_software(s, r);
}

void ak_sess_queue_failed(struct ak_session *s)
{
	struct ak_req *active = s->active, *backlog = s->backlog_head, *r, *n;

	if (!s->q)
		return;
	/* Take the lists first: the drop would fail them all with -EIO. */
	s->active = NULL;
	s->backlog_head = s->backlog_tail = NULL;
	s->q_failed = true;
	s->fail_gen = s->gen;
	/* Closing stops what the device might still hold (the kernel or
	 * ak_reap() stopped it already); streams and digests of this
	 * generation now fail -EIO. */
	ak_sess_drop_queue(s, false, -EIO);
	if (s->auto_path)
		s->path = AK_PATH_SOFTWARE;
	for (r = active; r; r = n) {
		n = req_priv(r)->anext;
		req_priv(r)->anext = NULL;
		ak_req_device_failed(s, r, -EIO);
	}
	for (r = backlog; r; r = n) {
		n = req_priv(r)->next;
		req_priv(r)->next = NULL;
		ak_req_device_failed(s, r, -EIO);
	}
}

bool ak_req_software_only(const struct ak_req *r)
{
	return r->op == AK_REQ_COMPRESS && r->level == 0;
}

void ak_req_pump(struct ak_session *s)
{
	while (s->q && s->backlog_head && ak_queue_space(s->q) > 0) {
		struct ak_req *rq = s->backlog_head;

		s->backlog_head = req_priv(rq)->next;
		if (!s->backlog_head)
			s->backlog_tail = NULL;
		ak_req_start_device(s, rq);
	}
}
