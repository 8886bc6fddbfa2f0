// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cipher streams: AES-CBC/CTR/GCM messages fed in updates of any size.
 *
 * Software path: cstream_sw.c (EVP). Device path:
 *   CBC, CTR  one-shot CIPHER jobs through ak_encrypt()/ak_decrypt()
 *             (which split at max_xfer and chain), the IV / counter kept
 *             here between updates. CBC holds a partial block; CTR runs
 *             whole blocks on the device and, for a tail of r < 16 bytes,
 *             has the device encrypt a zero block at the current counter
 *             (one keystream block), uses r bytes of it and keeps the rest
 *             for the next update (ks_off).
 *   GCM       CIPHER jobs on a stream context: FIRST (key, nonce, AAD),
 *             middle jobs, LAST (the device writes the computed 16-byte
 *             tag in both directions; decrypt compares here, constant
 *             time, so truncated tags work). docs/device.md, "Stream
 *             contexts".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "algs.h"
#include "cstream.h"
#include "engine.h"

static bool cs_alg_ok(int alg)
{
	return alg == AK_ALG_AES_CBC || alg == AK_ALG_AES_CTR ||
	       alg == AK_ALG_AES_GCM;
}

static void cs_ctr_add(uint8_t *ctr, uint64_t blocks)
{
	for (int i = 15; i >= 0 && blocks; i--) {
		uint64_t v = (uint64_t)ctr[i] + (blocks & 0xff);

		ctr[i] = (uint8_t)v;
		blocks = (blocks >> 8) + (v >> 8);
	}
}

/* ------------------------------------------------------------------ */
/* Device CBC / CTR                                                    */

/* @n (a multiple of 16) bytes through one-shot jobs; chains cs->iv. */
static int dev_blocks(struct ak_cipher_stream *cs, bool dec, const void *src,
		      size_t n, void *dst)
{
	uint8_t next[16];
	size_t dl = n;
	int r;

	if (cs->alg == AK_ALG_AES_CBC && dec)	/* before an in-place job */
		memcpy(next, (const uint8_t *)src + n - 16, 16);
	if (dec)
		r = ak_decrypt(cs->h.s, cs->key, cs->key_len, cs->iv, 16, src, n,
			       dst, &dl, 0);
	else
		r = ak_encrypt(cs->h.s, cs->key, cs->key_len, cs->iv, 16, src, n,
			       dst, &dl, 0);
	if (r)
		return r;
	if (cs->alg == AK_ALG_AES_CTR)
		cs_ctr_add(cs->iv, n / 16);
	else
		memcpy(cs->iv, dec ? next : (const uint8_t *)dst + n - 16, 16);
	return 0;
}

static int dev_cbc(struct ak_cipher_stream *cs, const uint8_t *in, size_t len,
		   uint8_t *o, size_t *out)
{
	size_t k, n, rem, w = 0;
	uint8_t tail[16];
	int r;

	if (cs->held) {
		k = 16 - cs->held < len ? 16 - cs->held : len;
		memcpy(cs->blk + cs->held, in, k);
		cs->held += k;
		in += k;
		len -= k;
		if (cs->held < 16) {
			*out = 0;
			return 0;
		}
		r = dev_blocks(cs, cs->dec, cs->blk, 16, o);
		if (r)
			return r;
		cs->held = 0;
		w = 16;
	}
	n = len & ~(size_t)15;
	rem = len - n;
	memcpy(tail, in + n, rem);	/* read before dst is written */
	if (n) {
		r = dev_blocks(cs, cs->dec, in, n, o + w);
		if (r)
			return r;
		w += n;
	}
	memcpy(cs->blk, tail, rem);
	cs->held = rem;
	*out = w;
	return 0;
}

static int dev_ctr(struct ak_cipher_stream *cs, const uint8_t *in, size_t len,
		   uint8_t *o)
{
	static const uint8_t zero[16];
	size_t n, rem;
	int r;

	while (cs->ks_off < 16 && len) {
		*o++ = *in++ ^ cs->blk[cs->ks_off++];
		len--;
	}
	n = len & ~(size_t)15;
	rem = len - n;
	if (n) {
		r = dev_blocks(cs, cs->dec, in, n, o);
		if (r)
			return r;
	}
	if (rem) {
		/* One keystream block: E(counter) = CTR of a zero block. */
		r = dev_blocks(cs, false, zero, 16, cs->blk);
		if (r)
			return r;
		for (cs->ks_off = 0; cs->ks_off < rem; cs->ks_off++)
			o[n + cs->ks_off] = in[n + cs->ks_off] ^
					    cs->blk[cs->ks_off];
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Device GCM                                                          */

static int gcm_check(struct ak_cipher_stream *cs)
{
	int r;

	if (cs->pid != getpid())
		return -ESTALE;
	r = ak_sess_ready(cs->h.s);
	if (r < 0)
		return r;
	if (cs->h.s->gen != cs->gen || !cs->h.s->q)
		return ak_sess_lost_err(cs->h.s, cs->gen);
	return 0;
}

/* One CIPHER job of the stream: FIRST unless started, plus @last. */
static int gcm_job(struct ak_cipher_stream *cs, bool last, const void *aad,
		   size_t aad_len, const void *src, size_t len, void *dst)
{
	struct aks_params *p = &cs->params;
	unsigned fl = (cs->started ? 0 : AKS_DF_FIRST) |
		      (last ? AKS_DF_LAST : 0) | (cs->dec ? AKS_DF_DECRYPT : 0);
	struct ak_result res;
	struct aks_desc d;
	int r;

	memset(p, 0, sizeof(*p));
	p->alg = AKS_CIPHER_AES_GCM;
	p->key = (uint64_t)(uintptr_t)cs->key;
	p->key_len = (uint32_t)cs->key_len;
	p->iv = (uint64_t)(uintptr_t)cs->iv;
	p->iv_len = AK_GCM_NONCE_LEN;
	p->aad = (uint64_t)(uintptr_t)(aad ? aad : ak_dummy);
	p->aad_len = aad_len;
	p->auth_tag = (uint64_t)(uintptr_t)cs->tag;
	ak_alg_desc(&d, AKS_OP_CIPHER, fl, (unsigned)cs->ctx, src, len, dst,
		    len, p, NULL, ak_sess_irq(cs->h.s));
	r = ak_eng_run(cs->h.s, &d, &res, NULL);
	if (r < 0)
		return r;
	if (res.status != AKS_ST_SUCCESS)
		return ak_status_to_err(res.status);
	if (res.bytes != len)
		return -EIO;
	cs->started = !last;
	return 0;
}

/* Send the buffered AAD in an AAD-only job. */
static int gcm_flush_aad(struct ak_cipher_stream *cs)
{
	int r = 0;

	if (cs->aad_fill)
		r = gcm_job(cs, false, cs->aad, cs->aad_fill, NULL, 0, NULL);
	cs->aad_fill = 0;
	return r;
}

static int dev_gcm_aad(struct ak_cipher_stream *cs, const uint8_t *aad,
		       size_t len)
{
	uint64_t mx = cs->h.s->max_xfer;
	int r;

	if (cs->aad_fill + len <= AK_CS_AAD_BUF) {
		memcpy(cs->aad + cs->aad_fill, aad, len);
		cs->aad_fill += len;
		return 0;
	}
	r = gcm_check(cs);
	if (!r)
		r = gcm_flush_aad(cs);
	while (!r && len) {
		size_t k = len < mx ? len : mx;

		r = gcm_job(cs, false, aad, k, NULL, 0, NULL);
		aad += k;
		len -= k;
	}
	return r;
}

static int dev_gcm(struct ak_cipher_stream *cs, const uint8_t *in, size_t len,
		   uint8_t *o)
{
	uint64_t mx = cs->h.s->max_xfer;
	int r = gcm_check(cs);

	while (!r && len) {
		size_t k = len < mx ? len : mx;

		r = gcm_job(cs, false, cs->aad, cs->aad_fill, in, k, o);
		cs->aad_fill = 0;
		in += k;
		o += k;
		len -= k;
	}
	return r;
}

static int dev_gcm_final(struct ak_cipher_stream *cs)
{
	int r = gcm_check(cs);

	if (r)
		return r;
	/* A LAST job continues a stream: start one first if needed. */
	if (!cs->started) {
		r = gcm_job(cs, false, cs->aad, cs->aad_fill, NULL, 0, NULL);
		cs->aad_fill = 0;
	}
	if (!r)
		r = gcm_job(cs, true, cs->aad, cs->aad_fill, NULL, 0, NULL);
	cs->aad_fill = 0;
	return r;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

AK_API int ak_cipher_stream_new(struct ak_session *s, int dir,
				const void *key, size_t key_len,
				const void *iv, size_t iv_len,
				struct ak_cipher_stream **csp)
{
	struct ak_cipher_stream *cs;
	bool gcm;
	int r;

	if (csp)
		*csp = NULL;
	if (!s || !csp || !key || !iv || !cs_alg_ok(s->alg) ||
	    (dir != AK_ENCRYPT && dir != AK_DECRYPT) ||
	    (key_len != 16 && key_len != 32))
		return -EINVAL;
	gcm = s->alg == AK_ALG_AES_GCM;
	if (iv_len != (gcm ? AK_GCM_NONCE_LEN : AK_AES_BLOCK))
		return -EINVAL;
	r = ak_sess_ready(s);
	if (r < 0)
		return r;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	ak_sess_track(s, &cs->h);
	cs->alg = s->alg;
	cs->dec = dir == AK_DECRYPT;
	cs->key_len = key_len;
	memcpy(cs->key, key, key_len);
	memcpy(cs->iv, iv, iv_len);
	cs->ks_off = 16;
	cs->ctx = -1;
	cs->device = s->path == AK_PATH_DEVICE;
	if (cs->device && gcm && !(s->caps & AKS_CAPS_GCM_STREAM)) {
		/* A device before contract 2.2: no GCM stream jobs. */
		if (!s->auto_path) {
			ak_cipher_stream_free(cs);
			return -EOPNOTSUPP;
		}
		cs->device = false;
	}
	if (cs->device && gcm) {
		cs->ctx = ak_ctx_get(s);
		if (cs->ctx < 0 && !s->auto_path) {
			ak_cipher_stream_free(cs);
			return -EBUSY;
		}
		cs->device = cs->ctx >= 0;
		cs->gen = s->gen;
		cs->pid = getpid();
		if (cs->device) {
			cs->aad = malloc(AK_CS_AAD_BUF);
			if (!cs->aad) {
				ak_cipher_stream_free(cs);
				return -ENOMEM;
			}
		}
	}
	if (!cs->device) {
		r = ak_cs_sw_new(cs);
		if (r) {
			ak_cipher_stream_free(cs);
			return r;
		}
	}
	*csp = cs;
	return 0;
}

/* 0, or why @cs takes no more calls: its session was closed (-EBADF) or
 * an earlier call failed (that error, sticky). */
static int cs_usable(const struct ak_cipher_stream *cs)
{
	return cs->h.s ? cs->err : -EBADF;
}

AK_API int ak_cipher_stream_aad(struct ak_cipher_stream *cs, const void *aad,
				size_t len)
{
	int r;

	if (!cs || (len && !aad) || cs->alg != AK_ALG_AES_GCM ||
	    cs->data_seen || cs->finished)
		return -EINVAL;
	r = cs_usable(cs);
	if (r)
		return r;
	if (!len)
		return 0;
	r = cs->device ? dev_gcm_aad(cs, aad, len) : ak_cs_sw_aad(cs, aad, len);
	if (r)
		cs->err = r;
	return r;
}

AK_API int ak_cipher_stream_update(struct ak_cipher_stream *cs,
				   const void *src, size_t len, void *dst,
				   size_t *dst_len)
{
	size_t out = 0;
	int r = 0;

	if (dst_len)
		*dst_len = 0;
	if (!cs || (len && (!src || !dst)) || cs->finished)
		return -EINVAL;
	r = cs_usable(cs);
	if (r)
		return r;
	if (!len)
		return 0;
	cs->data_seen = true;
	if (!cs->device) {
		r = ak_cs_sw_update(cs, src, len, dst, &out);
		if (!r && cs->alg == AK_ALG_AES_CBC)
			cs->held = (cs->held + len) % 16;
	} else if (cs->alg == AK_ALG_AES_CBC) {
		r = dev_cbc(cs, src, len, dst, &out);
	} else {
		r = cs->alg == AK_ALG_AES_CTR ? dev_ctr(cs, src, len, dst)
					      : dev_gcm(cs, src, len, dst);
		out = len;
	}
	if (r) {
		cs->err = r;
		return r;
	}
	if (dst_len)
		*dst_len = out;
	return 0;
}

AK_API int ak_cipher_stream_final(struct ak_cipher_stream *cs, void *tag,
				  size_t tag_len)
{
	bool gcm;
	int r = 0;

	if (!cs || cs->finished)
		return -EINVAL;
	gcm = cs->alg == AK_ALG_AES_GCM;
	if (gcm && (!tag || tag_len < AK_GCM_TAG_MIN || tag_len > 16))
		return -EINVAL;
	r = cs_usable(cs);
	if (r)
		return r;
	cs->finished = true;
	if (cs->alg == AK_ALG_AES_CBC && cs->held)
		return -EINVAL;
	if (!cs->device)
		return ak_cs_sw_final(cs, tag, tag_len);
	if (!gcm)
		return 0;
	r = dev_gcm_final(cs);
	if (!r && !cs->dec)
		memcpy(tag, cs->tag, tag_len);
	else if (!r && CRYPTO_memcmp(cs->tag, tag, tag_len))
		r = -EBADMSG;
	OPENSSL_cleanse(cs->tag, sizeof(cs->tag));
	return r;
}

AK_API void ak_cipher_stream_free(struct ak_cipher_stream *cs)
{
	if (!cs)
		return;
	/* After ak_session_close() (h.s NULL) the device context went with
	 * the queue. */
	if (cs->h.s && cs->ctx >= 0 && cs->started && gcm_check(cs) == 0)
		(void)gcm_job(cs, true, NULL, 0, NULL, 0, NULL); /* free it */
	if (cs->h.s && cs->ctx >= 0 && cs->pid == getpid())
		ak_ctx_put(cs->h.s, cs->ctx, cs->gen);
	ak_sess_untrack(&cs->h);
	ak_cs_sw_free(cs);
	if (cs->aad) {
		OPENSSL_cleanse(cs->aad, AK_CS_AAD_BUF);
		free(cs->aad);
	}
	OPENSSL_cleanse(cs, sizeof(*cs));
	free(cs);
}
