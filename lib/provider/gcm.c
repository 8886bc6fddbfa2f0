// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * accelkit.so: AES-128/256-GCM.
 *
 * A message runs on a libaccelkit cipher stream (ak_cipher_stream_*: AAD
 * and data of any size, streamed) when the library has that API, the IV is
 * 12 bytes and a tag set before the first update is at least
 * AK_GCM_TAG_MIN bytes. Otherwise (other IV lengths, shorter tags, a
 * library without the stream API) the message runs in software
 * passthrough: OpenSSL's default provider in the provider's private
 * library context (prov.h). The choice is made at the first update or
 * final of each message.
 * Parameters as OpenSSL's default provider: ivlen (AEAD_IVLEN), taglen,
 * tag get (encryption, after final, 1..16 bytes) and set (decryption,
 * 1..16 bytes, before final), AAD by update with out == NULL.
 * Not offered: TLS 1.2 record AAD (OSSL_CIPHER_PARAM_AEAD_TLS1_AAD) and
 * IV generation (TLS1_IV_FIXED, IV_INVOCATION): the TLS record layer is
 * not a target of this provider; setting them fails with an error.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cipher.h"

#ifdef AK_GCM_TAG_MIN
#define HAVE_STREAM 1
#else
#define HAVE_STREAM 0
#define AK_GCM_TAG_MIN 4
struct ak_cipher_stream;
#endif

#define IV_MAX 128

struct akp_gctx {
	struct akp_cctx c;	/* key, session, passthrough context */
	size_t ivlen;
	uint8_t giv[IV_MAX];
	int giv_set;
	uint8_t tag[16];
	size_t taglen;		/* decrypt: tag set; encrypt: 16 after final */
	int tag_set;
	int started;		/* backend chosen for this message */
	int done;		/* final done: a new IV is needed */
	struct ak_cipher_stream *cs;
};

static void gcm_stream_free(struct akp_gctx *g)
{
#if HAVE_STREAM
	if (g->cs) {
		akp_depth++;
		ak_cipher_stream_free(g->cs);
		akp_depth--;
	}
#endif
	g->cs = NULL;
}

static void *gcm_new(void *provctx, const char *name, size_t keylen)
{
	struct akp_gctx *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->c.p = provctx;
	g->c.name = name;
	g->c.alg = AK_ALG_AES_GCM;
	g->c.keylen = keylen;
	g->c.ss.alg = AK_ALG_AES_GCM;
	g->c.sw_always = akp_depth > 0;
	g->ivlen = AK_GCM_NONCE_LEN;
	g->taglen = 16;
	return g;
}

static void gcm_free(void *vctx)
{
	struct akp_gctx *g = vctx;

	if (!g)
		return;
	gcm_stream_free(g);
	EVP_CIPHER_CTX_free(g->c.sw);
	akp_sess_close(&g->c.ss);
	OPENSSL_cleanse(g, sizeof(*g));
	free(g);
}

static void *gcm_dup(void *vctx)
{
	struct akp_gctx *src = vctx, *g;

	if (src->cs) {
		AKP_ERR(PROV_R_NOT_SUPPORTED,
			"accelkit: a GCM message on the device cannot be duplicated");
		return NULL;
	}
	g = malloc(sizeof(*g));
	if (!g)
		return NULL;
	*g = *src;
	g->c.ss.s = NULL;
	g->c.sw = NULL;
	if (src->c.sw) {
		g->c.sw = EVP_CIPHER_CTX_new();
		if (!g->c.sw || EVP_CIPHER_CTX_copy(g->c.sw, src->c.sw) != 1) {
			EVP_CIPHER_CTX_free(g->c.sw);
			free(g);
			return NULL;
		}
	}
	return g;
}

static int gcm_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

static int gcm_init(struct akp_gctx *g, int enc, const unsigned char *key,
		    size_t keylen, const unsigned char *iv, size_t ivlen,
		    const OSSL_PARAM params[])
{
	gcm_stream_free(g);
	g->c.enc = enc;
	g->c.use_sw = 0;
	g->started = 0;
	g->done = 0;
	if (enc) {
		g->tag_set = 0;
		g->taglen = 16;
	}
	if (!gcm_set_ctx_params(g, params))
		return 0;
	if (key) {
		if (keylen != g->c.keylen) {
			AKP_ERR(PROV_R_INVALID_KEY_LENGTH,
				"accelkit: %s key must be %zu bytes", g->c.name,
				g->c.keylen);
			return 0;
		}
		memcpy(g->c.key, key, keylen);
		g->c.key_set = 1;
	}
	if (iv) {
		if (ivlen != g->ivlen || ivlen > IV_MAX) {
			AKP_ERR(PROV_R_INVALID_IV_LENGTH,
				"accelkit: GCM IV of %zu bytes (ivlen is %zu, at most %d)",
				ivlen, g->ivlen, IV_MAX);
			return 0;
		}
		memcpy(g->giv, iv, ivlen);
		g->giv_set = 1;
	}
	return 1;
}

static int gcm_einit(void *vctx, const unsigned char *key, size_t keylen,
		     const unsigned char *iv, size_t ivlen,
		     const OSSL_PARAM params[])
{
	return gcm_init(vctx, 1, key, keylen, iv, ivlen, params);
}

static int gcm_dinit(void *vctx, const unsigned char *key, size_t keylen,
		     const unsigned char *iv, size_t ivlen,
		     const OSSL_PARAM params[])
{
	return gcm_init(vctx, 0, key, keylen, iv, ivlen, params);
}

/* Choose the backend of this message (first update or final). */
static int gcm_start(struct akp_gctx *g)
{
	OSSL_PARAM prm[2];
	size_t ivlen = g->ivlen;

	if (g->started)
		return 1;
	if (!g->c.key_set || !g->giv_set || g->done) {
		AKP_ERR(g->c.key_set ? PROV_R_INVALID_IV_LENGTH : PROV_R_NO_KEY_SET,
			"accelkit: GCM used without a %s",
			!g->c.key_set ? "key" : "(new) IV");
		return 0;
	}
#if HAVE_STREAM
	if (!g->c.sw_always && g->ivlen == AK_GCM_NONCE_LEN &&
	    (!g->tag_set || g->taglen >= AK_GCM_TAG_MIN)) {
		struct ak_session *s;
		int r;

		if (akp_sess_get(&g->c.ss, &s))
			return 0;
		r = AKP_CALL(ak_cipher_stream_new(s, g->c.enc ? AK_ENCRYPT : AK_DECRYPT,
						  g->c.key, g->c.keylen, g->giv,
						  g->ivlen, &g->cs));
		if (r) {
			g->cs = NULL;
			akp_err_lib("ak_cipher_stream_new", r);
			return 0;
		}
		g->started = 1;
		return 1;
	}
#endif
	prm[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen);
	prm[1] = OSSL_PARAM_construct_end();
	if (!akp_sw_init(&g->c, g->c.key, NULL, prm) ||
	    !akp_sw_init(&g->c, NULL, g->giv, NULL))
		return 0;
	if (g->tag_set && !g->c.enc) {
		prm[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
							   g->tag, g->taglen);
		if (!EVP_CIPHER_CTX_set_params(g->c.sw, prm))
			return 0;
	}
	g->started = 1;
	return 1;
}

static int gcm_update(void *vctx, unsigned char *out, size_t *outl,
		      size_t outsize, const unsigned char *in, size_t inl)
{
	struct akp_gctx *g = vctx;
	int n, r = 0;

	if (!gcm_start(g))
		return 0;
	if (g->c.use_sw) {
		if (inl > INT_MAX ||
		    EVP_CipherUpdate(g->c.sw, out, &n, in, (int)inl) != 1)
			return 0;
		*outl = (size_t)n;
		return 1;
	}
#if HAVE_STREAM
	if (!out) {
		r = AKP_CALL(ak_cipher_stream_aad(g->cs, in, inl));
		*outl = inl;
	} else if (outsize < inl) {
		AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: output too small");
		return 0;
	} else {
		r = AKP_CALL(ak_cipher_stream_update(g->cs, in, inl, out, outl));
	}
	if (r) {
		akp_err_lib("GCM update", r);
		return 0;
	}
#else
	(void)out; (void)outl; (void)outsize; (void)in; (void)inl; (void)r;
#endif
	return 1;
}

static int gcm_final(void *vctx, unsigned char *out, size_t *outl,
		     size_t outsize)
{
	struct akp_gctx *g = vctx;
	int n, r = 0;

	(void)outsize;
	*outl = 0;
	if (!g->c.enc && !g->tag_set) {
		AKP_ERR(PROV_R_TAG_NOT_SET, "accelkit: GCM decryption without a tag");
		return 0;
	}
	if (!gcm_start(g))
		return 0;
	g->done = 1;
	g->giv_set = 0;
	g->tag_set = 0;		/* a tag checks one message */
	if (g->c.use_sw) {
		size_t tl = 16;
		OSSL_PARAM prm[2];

		if (EVP_CipherFinal_ex(g->c.sw, out, &n) != 1)
			return 0;
		*outl = (size_t)n;
		if (g->c.enc) {
			prm[0] = OSSL_PARAM_construct_octet_string(
					OSSL_CIPHER_PARAM_AEAD_TAG, g->tag, tl);
			prm[1] = OSSL_PARAM_construct_end();
			if (!EVP_CIPHER_CTX_get_params(g->c.sw, prm))
				return 0;
			g->taglen = 16;
		}
		return 1;
	}
#if HAVE_STREAM
	if (!g->c.enc && g->taglen < AK_GCM_TAG_MIN) {
		AKP_ERR(PROV_R_INVALID_TAG_LENGTH,
			"accelkit: GCM tag of %zu bytes set after the data (set it before the first update)",
			g->taglen);
		gcm_stream_free(g);
		return 0;
	}
	r = AKP_CALL(ak_cipher_stream_final(g->cs, g->tag, g->c.enc ? 16 : g->taglen));
	gcm_stream_free(g);
	if (r) {
		if (r == -EBADMSG)
			AKP_ERR(PROV_R_BAD_DECRYPT, "accelkit: GCM tag mismatch");
		else
			akp_err_lib("GCM final", r);
		return 0;
	}
	if (g->c.enc)
		g->taglen = 16;
#else
	(void)r;
#endif
	return 1;
}

/* ---- parameters ------------------------------------------------------------- */

static int gcm_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct akp_gctx *g = vctx;
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
	if (p && !OSSL_PARAM_set_size_t(p, g->ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_IVLEN);
	if (p && !OSSL_PARAM_set_size_t(p, g->ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p && !OSSL_PARAM_set_size_t(p, g->c.keylen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TAGLEN);
	if (p && !OSSL_PARAM_set_size_t(p, g->taglen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IV);
	if (p && !OSSL_PARAM_set_octet_string(p, g->giv, g->ivlen) &&
	    !OSSL_PARAM_set_octet_ptr(p, g->giv, g->ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_UPDATED_IV);
	if (p && !OSSL_PARAM_set_octet_string(p, g->giv, g->ivlen) &&
	    !OSSL_PARAM_set_octet_ptr(p, g->giv, g->ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TAG);
	if (p) {
		if (!g->c.enc || !g->done || p->data_size == 0 ||
		    p->data_size > 16 || p->data_type != OSSL_PARAM_OCTET_STRING) {
			AKP_ERR(PROV_R_INVALID_TAG,
				"accelkit: the GCM tag is read after encryption's final, 1..16 bytes");
			return 0;
		}
		memcpy(p->data, g->tag, p->data_size);
		p->return_size = p->data_size;
	}
	return 1;
}

static int gcm_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct akp_gctx *g = vctx;
	const OSSL_PARAM *p;
	size_t z;

	if (!params)
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_IVLEN);
	if (p) {
		if (!OSSL_PARAM_get_size_t(p, &z) || z == 0 || z > IV_MAX) {
			AKP_ERR(PROV_R_INVALID_IV_LENGTH,
				"accelkit: GCM IV length 1..%d", IV_MAX);
			return 0;
		}
		g->ivlen = z;
	}
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_TAG);
	if (p) {
		if (p->data_type != OSSL_PARAM_OCTET_STRING || g->c.enc ||
		    p->data_size == 0 || p->data_size > 16) {
			AKP_ERR(PROV_R_INVALID_TAG,
				"accelkit: a GCM tag (1..16 bytes) is set for decryption only");
			return 0;
		}
		if (p->data) {
			memcpy(g->tag, p->data, p->data_size);
			g->tag_set = 1;
		}
		g->taglen = p->data_size;
		if (g->c.use_sw && !EVP_CIPHER_CTX_set_params(g->c.sw, params))
			return 0;
	}
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p && (!OSSL_PARAM_get_size_t(p, &z) || z != g->c.keylen)) {
		AKP_ERR(PROV_R_INVALID_KEY_LENGTH, "accelkit: fixed key length");
		return 0;
	}
	if (OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD) ||
	    OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED) ||
	    OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV)) {
		AKP_ERR(PROV_R_NOT_SUPPORTED,
			"accelkit: GCM TLS record parameters are not offered");
		return 0;
	}
	return 1;
}

static const OSSL_PARAM gcm_params_types[] = {
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_MODE, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_AEAD, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_CUSTOM_IV, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM gcm_get_types[] = {
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_TAGLEN, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM gcm_set_types[] = {
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, NULL, 0),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *gcm_gettable(void *provctx)
{
	(void)provctx;
	return gcm_params_types;
}

static const OSSL_PARAM *gcm_gettable_ctx(void *vctx, void *provctx)
{
	(void)vctx;
	(void)provctx;
	return gcm_get_types;
}

static const OSSL_PARAM *gcm_settable_ctx(void *vctx, void *provctx)
{
	(void)vctx;
	(void)provctx;
	return gcm_set_types;
}

#define GCM(fn, oname, klen)                                                  \
static void *fn##_new(void *provctx)                                          \
{                                                                             \
	return gcm_new(provctx, oname, klen);                                 \
}                                                                             \
static int fn##_params(OSSL_PARAM params[])                                   \
{                                                                             \
	return akp_static_params(params, EVP_CIPH_GCM_MODE, klen,             \
				 AK_GCM_NONCE_LEN, 1, 1);                     \
}                                                                             \
const OSSL_DISPATCH akp_##fn##_functions[] = {                                \
	{ OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))fn##_new },                \
	{ OSSL_FUNC_CIPHER_FREECTX, (void (*)(void))gcm_free },               \
	{ OSSL_FUNC_CIPHER_DUPCTX, (void (*)(void))gcm_dup },                 \
	{ OSSL_FUNC_CIPHER_ENCRYPT_INIT, (void (*)(void))gcm_einit },         \
	{ OSSL_FUNC_CIPHER_DECRYPT_INIT, (void (*)(void))gcm_dinit },         \
	{ OSSL_FUNC_CIPHER_UPDATE, (void (*)(void))gcm_update },              \
	{ OSSL_FUNC_CIPHER_FINAL, (void (*)(void))gcm_final },                \
	{ OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))fn##_params },         \
	{ OSSL_FUNC_CIPHER_GETTABLE_PARAMS, (void (*)(void))gcm_gettable },   \
	{ OSSL_FUNC_CIPHER_GET_CTX_PARAMS, (void (*)(void))gcm_get_ctx_params },\
	{ OSSL_FUNC_CIPHER_SET_CTX_PARAMS, (void (*)(void))gcm_set_ctx_params },\
	{ OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, (void (*)(void))gcm_gettable_ctx },\
	{ OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, (void (*)(void))gcm_settable_ctx },\
	{ 0, NULL }                                                           \
}

GCM(aes128gcm, "AES-128-GCM", 16);
GCM(aes256gcm, "AES-256-GCM", 32);
