// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Digests: SHA-256/512 init/update/final (device HASH jobs on a stream
 * context with FIRST/LAST, small updates buffered; or EVP), one-shot
 * helpers and HMAC-SHA-256.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "algs.h"
#include "engine.h"
#include "sw.h"

struct ak_digest {
	struct ak_handle h;		/* h.s: the session, NULL once closed */
	int alg;
	bool device;
	void *md;			/* software EVP_MD_CTX */
	int ctx;
	uint32_t gen;
	pid_t pid;
	bool started;
	int err;
	uint8_t *buf;			/* AK_DIGEST_BUF bytes */
	size_t fill;
	struct aks_params params;
	uint8_t out[AK_DIGEST_MAX];
};

AK_API int ak_digest_new(struct ak_session *s, struct ak_digest **dp)
{
	struct ak_digest *d;
	int r;

	if (dp)
		*dp = NULL;
	if (!s || !dp || !ak_alg_is_hash(s->alg))
		return -EINVAL;
	r = ak_sess_ready(s);
	if (r < 0)
		return r;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	ak_sess_track(s, &d->h);
	d->alg = s->alg;
	d->ctx = -1;
	if (s->path == AK_PATH_DEVICE) {
		d->ctx = ak_ctx_get(s);
		if (d->ctx < 0 && !s->auto_path) {
			ak_digest_free(d);
			return -EBUSY;
		}
	}
	if (d->ctx >= 0) {
		d->device = true;
		d->gen = s->gen;
		d->pid = getpid();
		d->params.alg = s->alg == AK_ALG_SHA256 ? AKS_HASH_SHA256 :
							  AKS_HASH_SHA512;
		d->buf = malloc(AK_DIGEST_BUF);
		if (!d->buf) {
			ak_digest_free(d);
			return -ENOMEM;
		}
	} else {
		d->md = ak_sw_md_new(s->alg);
		if (!d->md) {
			ak_digest_free(d);
			return -ENOMEM;
		}
	}
	*dp = d;
	return 0;
}

static int dev_check(struct ak_digest *d)
{
	int r;

	if (d->pid != getpid())
		return -ESTALE;
	r = ak_sess_ready(d->h.s);
	if (r < 0)
		return r;
	if (d->h.s->gen != d->gen || !d->h.s->q)
		return ak_sess_lost_err(d->h.s, d->gen);
	return 0;
}

/* One HASH job on the digest's context. */
static int dev_hash(struct ak_digest *d, const void *src, size_t len,
		    bool last)
{
	struct ak_result res;
	struct aks_desc desc;
	unsigned fl = last ? AKS_DF_LAST : 0;
	int r;

	if (!d->started)
		fl |= AKS_DF_FIRST;
	ak_alg_desc(&desc, AKS_OP_HASH, fl, (unsigned)d->ctx, src, len,
		    d->out, sizeof(d->out), &d->params, NULL,
		    ak_sess_irq(d->h.s));
	r = ak_eng_run(d->h.s, &desc, &res, NULL);
	if (r < 0)
		return r;
	if (res.status != AKS_ST_SUCCESS)
		return ak_status_to_err(res.status);
	d->started = !last;
	return 0;
}

AK_API int ak_digest_update(struct ak_digest *d, const void *data, size_t len)
{
	const uint8_t *p = data;
	int r = 0;

	if (!d || (len && !data))
		return -EINVAL;
	if (!d->h.s)
		return -EBADF;	/* its session was closed */
	if (d->err)
		return d->err;
	if (!d->device)
		return ak_sw_md_update(d->md, data, len);
	r = dev_check(d);
	while (!r && len) {
		if (d->fill == 0 && len >= AK_DIGEST_BUF) {
			/* Direct, in pieces of at most max_xfer. */
			size_t n = len - len % AK_DIGEST_BUF;

			if (n > d->h.s->max_xfer)
				n = d->h.s->max_xfer - d->h.s->max_xfer % AK_DIGEST_BUF;
			r = dev_hash(d, p, n, false);
			p += n;
			len -= n;
		} else {
			size_t k = AK_DIGEST_BUF - d->fill;

			if (k > len)
				k = len;
			memcpy(d->buf + d->fill, p, k);
			d->fill += k;
			p += k;
			len -= k;
			if (d->fill == AK_DIGEST_BUF) {
				r = dev_hash(d, d->buf, d->fill, false);
				d->fill = 0;
			}
		}
	}
	if (r)
		d->err = r;
	return r;
}

AK_API int ak_digest_final(struct ak_digest *d, void *out, size_t *out_len)
{
	size_t sz;
	int r;

	if (!d || !out_len || (*out_len && !out))
		return -EINVAL;
	if (!d->h.s)
		return -EBADF;	/* its session was closed */
	if (d->err)
		return d->err;
	sz = ak_digest_size(d->alg);
	if (*out_len < sz) {
		*out_len = sz;
		return -ENOSPC;
	}
	if (!d->device) {
		r = ak_sw_md_final(d->md, d->alg, d->out);
	} else {
		r = dev_check(d);
		if (!r)
			r = dev_hash(d, d->buf, d->fill, true);
		d->fill = 0;
	}
	if (r) {
		d->err = r;
		return r;
	}
	memcpy(out, d->out, sz);
	OPENSSL_cleanse(d->out, sizeof(d->out));
	*out_len = sz;
	return 0;
}

AK_API void ak_digest_free(struct ak_digest *d)
{
	if (!d)
		return;
	/* After ak_session_close() (h.s NULL) the device context went with
	 * the queue. */
	if (d->h.s && d->device && d->started && dev_check(d) == 0)
		(void)dev_hash(d, NULL, 0, true);	/* free the context */
	if (d->h.s && d->device && d->pid == getpid())
		ak_ctx_put(d->h.s, d->ctx, d->gen);
	ak_sess_untrack(&d->h);
	if (d->md)
		ak_sw_md_free(d->md);
	free(d->buf);
	free(d);
}

AK_API int ak_digest(struct ak_session *s, const void *data, size_t len,
		     void *out, size_t *out_len)
{
	struct ak_digest *d;
	struct ak_req q;
	int r;

	if (!s || !out_len || (len && !data) || (*out_len && !out) ||
	    !ak_alg_is_hash(s->alg))
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.op = AK_REQ_DIGEST;
	q.src = data;
	q.len = len;
	q.dst = out;
	q.dst_len = *out_len;
	r = ak_alg_submit(s, &q);
	if (r == 0)
		r = ak_alg_wait(s, &q);
	if (r == -EMSGSIZE) {	/* over one device job: FIRST/LAST chain */
		r = ak_digest_new(s, &d);
		if (r < 0)
			return r;
		r = ak_digest_update(d, data, len);
		if (!r)
			r = ak_digest_final(d, out, out_len);
		ak_digest_free(d);
		return r;
	}
	if (r == 0 || r == -ENOSPC)
		*out_len = q.out_len;
	return r;
}

/* HMAC over more than one device job: RFC 2104 with SHA-256 stream jobs
 * on a device that also offers sha256. */
static int hmac_long(struct ak_session *s, const void *key, size_t key_len,
		     const void *data, size_t len, uint8_t *out)
{
	struct ak_session *hs;
	struct ak_digest *d = NULL;
	uint8_t k[64], pad[64], inner[32];
	size_t n = sizeof(inner);
	int r;

	r = ak_session_open(AK_ALG_SHA256, NULL, AK_SF_DEVICE |
			    (s->flags & (AK_SF_BUSY_POLL | AK_SF_SPIN)), &hs);
	if (r < 0)
		return r == -ENODEV ? -EMSGSIZE : r;
	memset(k, 0, sizeof(k));
	if (key_len > 64) {
		n = 32;
		r = ak_digest(hs, key, key_len, k, &n);
	} else {
		memcpy(k, key, key_len);
	}
	if (!r)
		r = ak_digest_new(hs, &d);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	if (!r)
		r = ak_digest_update(d, pad, 64);
	if (!r)
		r = ak_digest_update(d, data, len);
	n = sizeof(inner);
	if (!r)
		r = ak_digest_final(d, inner, &n);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	if (!r)
		r = ak_digest_update(d, pad, 64);
	if (!r)
		r = ak_digest_update(d, inner, 32);
	n = 32;
	if (!r)
		r = ak_digest_final(d, out, &n);
	ak_digest_free(d);
	ak_session_close(hs);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	return r;
}

AK_API int ak_hmac(struct ak_session *s, const void *key, size_t key_len,
		   const void *data, size_t len, void *out, size_t *out_len)
{
	struct ak_req q;
	int r;

	if (!s || !out_len || (len && !data) || (*out_len && !out) ||
	    s->alg != AK_ALG_HMAC_SHA256 || !key || key_len < 1 ||
	    key_len > AK_HMAC_KEY_MAX)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.op = AK_REQ_HMAC;
	q.key = key;
	q.key_len = key_len;
	q.src = data;
	q.len = len;
	q.dst = out;
	q.dst_len = *out_len;
	r = ak_alg_submit(s, &q);
	if (r == 0)
		r = ak_alg_wait(s, &q);
	if (r == -EMSGSIZE) {
		r = hmac_long(s, key, key_len, data, len, out);
		if (!r)
			*out_len = AK_SHA256_LEN;
		return r;
	}
	if (r == 0 || r == -ENOSPC)
		*out_len = q.out_len;
	return r;
}
