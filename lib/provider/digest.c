// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * accelkit.so: SHA2-256 and SHA2-512 digests, and the streaming digest
 * object HMAC is built from.
 *
 * A message is buffered in the context up to AKP_MD_BUF (64 KiB): a message
 * that fits is hashed by one ak_digest() call at final (one device job);
 * a longer one is streamed with ak_digest_new/update/final. Duplicating a
 * context (EVP_MD_CTX_copy, EVP_MAC_CTX_dup) copies the buffer; the state
 * of a digest being streamed lives in the device (or inside libaccelkit)
 * and cannot be copied: duplicating a context past 64 KiB of its current
 * message MOVES the stream (and the session it runs on) to the duplicate,
 * which goes on correctly; the original then refuses to update or finalize
 * that message (a clear error, never a wrong digest) until it is
 * re-initialized. That is the pattern of EVP_DigestSignFinal (HMAC through
 * `openssl dgst -hmac`: finalize a duplicate, free the original); a
 * program that finalizes a duplicate and goes on with the original after
 * 64 KiB gets the error (documented in docs/openssl-provider.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"

static const char *md_name(int alg)
{
	return alg == AK_ALG_SHA512 ? "SHA2-512" : "SHA2-256";
}

static int md_evp_start(struct akp_prov *p, struct akp_md *m)
{
	EVP_MD *md = EVP_MD_fetch(p->sw, md_name(m->alg), "provider=default");
	int ok;

	m->evp = EVP_MD_CTX_new();
	ok = md && m->evp && EVP_DigestInit_ex(m->evp, md, NULL) == 1;
	EVP_MD_free(md);
	if (!ok) {
		EVP_MD_CTX_free(m->evp);
		m->evp = NULL;
	}
	return ok;
}

int akp_md_init(struct akp_prov *p, struct akp_md *m, int alg,
		struct akp_sess *shared)
{
	memset(m, 0, sizeof(*m));
	m->alg = alg;
	m->own.alg = alg;
	m->ss = shared ? shared : &m->own;
	if (akp_depth > 0)	/* called from inside libaccelkit: see prov.h */
		return md_evp_start(p, m);
	m->buf = malloc(AKP_MD_BUF);
	return m->buf != NULL;
}

static void md_drop_stream(struct akp_md *m)
{
	if (m->d) {
		akp_depth++;
		ak_digest_free(m->d);
		akp_depth--;
		m->d = NULL;
	}
}

int akp_md_reset(struct akp_md *m)
{
	if (m->evp)
		return EVP_DigestInit_ex(m->evp, NULL, NULL) == 1;
	md_drop_stream(m);
	m->blen = 0;
	m->moved = 0;
	return 1;
}

static int md_moved(const struct akp_md *m)
{
	if (m->moved)
		AKP_ERR(PROV_R_NOT_SUPPORTED,
			"accelkit: this digest's message moved to a duplicate (EVP_MD_CTX_copy/EVP_MAC_CTX_dup after %u bytes); re-initialize it",
			AKP_MD_BUF);
	return m->moved;
}

int akp_md_update(struct akp_md *m, const void *data, size_t len)
{
	struct ak_session *s;
	int r;

	if (m->evp)
		return EVP_DigestUpdate(m->evp, data, len) == 1;
	if (md_moved(m))
		return 0;
	if (!len)
		return 1;
	if (!m->d && m->blen + len <= AKP_MD_BUF) {
		memcpy(m->buf + m->blen, data, len);
		m->blen += len;
		return 1;
	}
	if (!m->d) {
		if (akp_sess_get(m->ss, &s))
			return 0;
		r = AKP_CALL(ak_digest_new(s, &m->d));
		if (r) {
			m->d = NULL;
			akp_err_lib("ak_digest_new", r);
			return 0;
		}
		r = AKP_CALL(ak_digest_update(m->d, m->buf, m->blen));
		m->blen = 0;
		if (r) {
			akp_err_lib("ak_digest_update", r);
			return 0;
		}
	}
	r = AKP_CALL(ak_digest_update(m->d, data, len));
	if (r) {
		akp_err_lib("ak_digest_update", r);
		return 0;
	}
	return 1;
}

int akp_md_final(struct akp_md *m, uint8_t *out)
{
	struct ak_session *s;
	size_t n = AK_DIGEST_MAX;
	unsigned int un;
	int r;

	if (m->evp)
		return EVP_DigestFinal_ex(m->evp, out, &un) == 1 &&
		       EVP_DigestInit_ex(m->evp, NULL, NULL) == 1;
	if (md_moved(m))
		return 0;
	if (m->d) {
		r = AKP_CALL(ak_digest_final(m->d, out, &n));
		md_drop_stream(m);
	} else {
		if (akp_sess_get(m->ss, &s))
			return 0;
		r = AKP_CALL(ak_digest(s, m->buf, m->blen, out, &n));
		m->blen = 0;
	}
	if (r) {
		akp_err_lib("digest", r);
		return 0;
	}
	return 1;
}

int akp_md_dup(struct akp_md *dst, struct akp_md *src, struct akp_sess *shared)
{
	memset(dst, 0, sizeof(*dst));
	dst->alg = src->alg;
	dst->own.alg = src->alg;
	dst->ss = shared ? shared : &dst->own;
	if (src->evp) {
		dst->evp = EVP_MD_CTX_new();
		if (!dst->evp || EVP_MD_CTX_copy_ex(dst->evp, src->evp) != 1) {
			EVP_MD_CTX_free(dst->evp);
			dst->evp = NULL;
			return 0;
		}
		return 1;
	}
	dst->buf = malloc(AKP_MD_BUF);
	if (!dst->buf)
		return 0;
	if (src->moved) {
		md_moved(src);
		return 0;
	}
	if (src->d) {
		/* See the top of the file: the stream moves. */
		dst->d = src->d;
		src->d = NULL;
		src->moved = 1;
		if (src->ss == &src->own) {
			dst->own.s = src->own.s;
			src->own.s = NULL;
		}
		return 2;
	}
	memcpy(dst->buf, src->buf, src->blen);
	dst->blen = src->blen;
	return 1;
}

void akp_md_cleanup(struct akp_md *m)
{
	EVP_MD_CTX_free(m->evp);
	md_drop_stream(m);
	free(m->buf);
	akp_sess_close(&m->own);
	memset(m, 0, sizeof(*m));
}

/* ---- the SHA2-256 / SHA2-512 digest algorithms ---------------------------- */

struct akp_dctx {
	struct akp_prov *p;
	struct akp_md m;
};

static void *dctx_new(void *provctx, int alg)
{
	struct akp_dctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->p = provctx;
	if (!akp_md_init(c->p, &c->m, alg, NULL)) {
		akp_md_cleanup(&c->m);
		free(c);
		return NULL;
	}
	return c;
}

static void *sha256_new(void *provctx)
{
	return dctx_new(provctx, AK_ALG_SHA256);
}

static void *sha512_new(void *provctx)
{
	return dctx_new(provctx, AK_ALG_SHA512);
}

static void dctx_free(void *vctx)
{
	struct akp_dctx *c = vctx;

	if (!c)
		return;
	akp_md_cleanup(&c->m);
	free(c);
}

static void *dctx_dup(void *vctx)
{
	struct akp_dctx *src = vctx, *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->p = src->p;
	if (!akp_md_dup(&c->m, &src->m, NULL)) {
		akp_md_cleanup(&c->m);
		free(c);
		return NULL;
	}
	return c;
}

static int dctx_init(void *vctx, const OSSL_PARAM params[])
{
	struct akp_dctx *c = vctx;

	(void)params;
	return akp_md_reset(&c->m);
}

static int dctx_update(void *vctx, const unsigned char *in, size_t inl)
{
	struct akp_dctx *c = vctx;

	return akp_md_update(&c->m, in, inl);
}

static int dctx_final(void *vctx, unsigned char *out, size_t *outl,
		      size_t outsz)
{
	struct akp_dctx *c = vctx;
	size_t n = ak_digest_size(c->m.alg);

	if (outsz < n) {
		AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: digest needs %zu bytes", n);
		return 0;
	}
	if (!akp_md_final(&c->m, out))
		return 0;
	*outl = n;
	return 1;
}

static const OSSL_PARAM dgst_param_types[] = {
	OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_SIZE, NULL),
	OSSL_PARAM_int(OSSL_DIGEST_PARAM_XOF, NULL),
	OSSL_PARAM_int(OSSL_DIGEST_PARAM_ALGID_ABSENT, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *dgst_gettable(void *provctx)
{
	(void)provctx;
	return dgst_param_types;
}

static int dgst_params(OSSL_PARAM params[], size_t block, size_t size)
{
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_BLOCK_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, block))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, size))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_XOF);
	if (p && !OSSL_PARAM_set_int(p, 0))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_ALGID_ABSENT);
	if (p && !OSSL_PARAM_set_int(p, 1))
		return 0;
	return 1;
}

static int sha256_params(OSSL_PARAM params[])
{
	return dgst_params(params, 64, 32);
}

static int sha512_params(OSSL_PARAM params[])
{
	return dgst_params(params, 128, 64);
}

#define DIGEST_FUNCS(name)                                                    \
const OSSL_DISPATCH akp_##name##_functions[] = {                              \
	{ OSSL_FUNC_DIGEST_NEWCTX, (void (*)(void))name##_new },              \
	{ OSSL_FUNC_DIGEST_FREECTX, (void (*)(void))dctx_free },              \
	{ OSSL_FUNC_DIGEST_DUPCTX, (void (*)(void))dctx_dup },                \
	{ OSSL_FUNC_DIGEST_INIT, (void (*)(void))dctx_init },                 \
	{ OSSL_FUNC_DIGEST_UPDATE, (void (*)(void))dctx_update },             \
	{ OSSL_FUNC_DIGEST_FINAL, (void (*)(void))dctx_final },               \
	{ OSSL_FUNC_DIGEST_GET_PARAMS, (void (*)(void))name##_params },       \
	{ OSSL_FUNC_DIGEST_GETTABLE_PARAMS, (void (*)(void))dgst_gettable },  \
	{ 0, NULL }                                                           \
}

DIGEST_FUNCS(sha256);
DIGEST_FUNCS(sha512);
