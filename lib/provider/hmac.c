// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * accelkit.so: HMAC with SHA2-256 (RFC 2104), built from two streaming
 * SHA-256 digests (inner: K0^ipad || message, outer: K0^opad || inner hash)
 * so messages of any size stream; libaccelkit's ak_hmac() is one-shot.
 * Both digests share the context's session. Any other digest is rejected.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

#include "prov.h"

#define HMAC_BLOCK 64
#define HMAC_SIZE 32

struct akp_hctx {
	struct akp_prov *p;
	struct akp_sess ss;
	struct akp_md in, out;
	uint8_t k0[HMAC_BLOCK];
	int key_set;
};

static void *hmac_new(void *provctx)
{
	struct akp_hctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->p = provctx;
	c->ss.alg = AK_ALG_SHA256;
	if (!akp_md_init(c->p, &c->in, AK_ALG_SHA256, &c->ss) ||
	    !akp_md_init(c->p, &c->out, AK_ALG_SHA256, &c->ss)) {
		akp_md_cleanup(&c->in);
		akp_md_cleanup(&c->out);
		free(c);
		return NULL;
	}
	return c;
}

static void hmac_free(void *vctx)
{
	struct akp_hctx *c = vctx;

	if (!c)
		return;
	akp_md_cleanup(&c->in);
	akp_md_cleanup(&c->out);
	akp_sess_close(&c->ss);
	OPENSSL_cleanse(c->k0, sizeof(c->k0));
	free(c);
}

static void *hmac_dup(void *vctx)
{
	struct akp_hctx *src = vctx, *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->p = src->p;
	c->ss.alg = AK_ALG_SHA256;
	memcpy(c->k0, src->k0, sizeof(c->k0));
	c->key_set = src->key_set;
	switch (akp_md_dup(&c->in, &src->in, &c->ss)) {
	case 0:
		hmac_free(c);
		return NULL;
	case 2:
		/* the inner stream moved (digest.c): its session goes along */
		c->ss.s = src->ss.s;
		src->ss.s = NULL;
		break;
	}
	if (!akp_md_dup(&c->out, &src->out, &c->ss)) {
		hmac_free(c);
		return NULL;
	}
	return c;
}

/* Restart the inner digest with K0 ^ ipad. */
static int hmac_restart(struct akp_hctx *c)
{
	uint8_t pad[HMAC_BLOCK];
	int ok;

	for (int i = 0; i < HMAC_BLOCK; i++)
		pad[i] = c->k0[i] ^ 0x36;
	ok = akp_md_reset(&c->in) && akp_md_update(&c->in, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok;
}

static int hmac_set_key(struct akp_hctx *c, const unsigned char *key,
			size_t keylen)
{
	memset(c->k0, 0, sizeof(c->k0));
	if (keylen > HMAC_BLOCK) {
		if (!akp_md_reset(&c->in) || !akp_md_update(&c->in, key, keylen) ||
		    !akp_md_final(&c->in, c->k0))
			return 0;
	} else if (keylen) {
		memcpy(c->k0, key, keylen);
	}
	c->key_set = 1;
	return hmac_restart(c);
}

static int hmac_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct akp_hctx *c = vctx;
	const OSSL_PARAM *p;
	const char *name;

	if (!params)
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_DIGEST);
	if (p) {
		if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
			return 0;
		if (strcasecmp(name, "SHA2-256") && strcasecmp(name, "SHA256") &&
		    strcasecmp(name, "SHA-256")) {
			AKP_ERR(PROV_R_INVALID_DIGEST,
				"accelkit: HMAC supports only SHA2-256, not %s", name);
			return 0;
		}
	}
	p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_KEY);
	if (p) {
		const void *key;
		size_t keylen;

		if (!OSSL_PARAM_get_octet_string_ptr(p, &key, &keylen) ||
		    !hmac_set_key(c, key, keylen))
			return 0;
	}
	return 1;
}

static int hmac_init(void *vctx, const unsigned char *key, size_t keylen,
		     const OSSL_PARAM params[])
{
	struct akp_hctx *c = vctx;

	if (!hmac_set_ctx_params(c, params))
		return 0;
	if (key)
		return hmac_set_key(c, key, keylen);
	if (!c->key_set) {
		AKP_ERR(PROV_R_NO_KEY_SET, "accelkit: HMAC without a key");
		return 0;
	}
	return hmac_restart(c);
}

static int hmac_update(void *vctx, const unsigned char *data, size_t len)
{
	struct akp_hctx *c = vctx;

	return akp_md_update(&c->in, data, len);
}

static int hmac_final(void *vctx, unsigned char *out, size_t *outl,
		      size_t outsize)
{
	struct akp_hctx *c = vctx;
	uint8_t ih[HMAC_SIZE], pad[HMAC_BLOCK];
	int ok;

	if (!c->key_set) {
		AKP_ERR(PROV_R_NO_KEY_SET, "accelkit: HMAC without a key");
		return 0;
	}
	if (outsize < HMAC_SIZE) {
		AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: HMAC needs 32 bytes");
		return 0;
	}
	for (int i = 0; i < HMAC_BLOCK; i++)
		pad[i] = c->k0[i] ^ 0x5c;
	ok = akp_md_final(&c->in, ih) && akp_md_reset(&c->out) &&
	     akp_md_update(&c->out, pad, sizeof(pad)) &&
	     akp_md_update(&c->out, ih, sizeof(ih)) &&
	     akp_md_final(&c->out, out);
	OPENSSL_cleanse(pad, sizeof(pad));
	if (!ok)
		return 0;
	*outl = HMAC_SIZE;
	/* Ready for the next message with the same key. */
	return hmac_restart(c);
}

static const OSSL_PARAM hmac_gettable[] = {
	OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, NULL),
	OSSL_PARAM_size_t(OSSL_MAC_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM hmac_settable[] = {
	OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_PROPERTIES, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_MAC_PARAM_KEY, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *hmac_gettable_ctx(void *vctx, void *provctx)
{
	(void)vctx;
	(void)provctx;
	return hmac_gettable;
}

static const OSSL_PARAM *hmac_settable_ctx(void *vctx, void *provctx)
{
	(void)vctx;
	(void)provctx;
	return hmac_settable;
}

static int hmac_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	(void)vctx;
	p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, HMAC_SIZE))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_BLOCK_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, HMAC_BLOCK))
		return 0;
	return 1;
}

const OSSL_DISPATCH akp_hmac_functions[] = {
	{ OSSL_FUNC_MAC_NEWCTX, (void (*)(void))hmac_new },
	{ OSSL_FUNC_MAC_DUPCTX, (void (*)(void))hmac_dup },
	{ OSSL_FUNC_MAC_FREECTX, (void (*)(void))hmac_free },
	{ OSSL_FUNC_MAC_INIT, (void (*)(void))hmac_init },
	{ OSSL_FUNC_MAC_UPDATE, (void (*)(void))hmac_update },
	{ OSSL_FUNC_MAC_FINAL, (void (*)(void))hmac_final },
	{ OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS, (void (*)(void))hmac_gettable_ctx },
	{ OSSL_FUNC_MAC_GET_CTX_PARAMS, (void (*)(void))hmac_get_ctx_params },
	{ OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS, (void (*)(void))hmac_settable_ctx },
	{ OSSL_FUNC_MAC_SET_CTX_PARAMS, (void (*)(void))hmac_set_ctx_params },
	{ 0, NULL }
};
