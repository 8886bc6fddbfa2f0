// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * accelkit.so: AES-128/256 in CBC, CTR and XTS (and the parts of GCM that
 * all ciphers share), with EVP semantics:
 *   CBC  PKCS#7 padding on by default (OSSL_CIPHER_PARAM_PADDING turns it
 *        off), partial blocks buffered between updates, on decryption the
 *        last block held back until final (as OpenSSL's default provider);
 *   CTR  any length per update; the keystream position (num) and the
 *        128-bit big-endian counter carry across updates;
 *   XTS  one data unit per update (16 bytes .. 16 MiB), the tweak is the
 *        IV of the init (not advanced), equal key halves rejected when
 *        encrypting; decrypting with equal halves (allowed by OpenSSL's
 *        default provider) runs in software passthrough.
 * Whole blocks go to ak_encrypt()/ak_decrypt() (device or software path).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cipher.h"

/* ---- software passthrough -------------------------------------------------- */

int akp_sw_start(struct akp_cctx *c)
{
	if (!c->sw)
		c->sw = akp_sw_cipher(c->p, c->name);
	if (!c->sw) {
		AKP_ERR(PROV_R_CIPHER_OPERATION_FAILED,
			"accelkit: no software %s", c->name);
		return 0;
	}
	c->use_sw = 1;
	return 1;
}

int akp_sw_init(struct akp_cctx *c, const unsigned char *key,
		const unsigned char *iv, const OSSL_PARAM params[])
{
	if (!akp_sw_start(c))
		return 0;
	return EVP_CipherInit_ex2(c->sw, NULL, key, iv, c->enc, params) == 1;
}

/* ---- contexts ------------------------------------------------------------- */

static void *cctx_new(void *provctx, const char *name, int alg, size_t keylen)
{
	struct akp_cctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->p = provctx;
	c->name = name;
	c->alg = alg;
	c->keylen = keylen;
	c->pad = 1;
	c->ss.alg = alg;
	c->sw_always = akp_depth > 0;
	if (c->sw_always && !akp_sw_start(c)) {
		free(c);
		return NULL;
	}
	return c;
}

static void cctx_free(void *vctx)
{
	struct akp_cctx *c = vctx;

	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->sw);
	akp_sess_close(&c->ss);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

static void *cctx_dup(void *vctx)
{
	struct akp_cctx *src = vctx, *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *src;
	c->ss.s = NULL;		/* the copy opens its own session */
	c->sw = NULL;
	if (src->sw) {
		c->sw = EVP_CIPHER_CTX_new();
		if (!c->sw || EVP_CIPHER_CTX_copy(c->sw, src->sw) != 1) {
			EVP_CIPHER_CTX_free(c->sw);
			free(c);
			return NULL;
		}
	}
	return c;
}

static int set_ctx_params(void *vctx, const OSSL_PARAM params[]);

static int cctx_init(struct akp_cctx *c, int enc, const unsigned char *key,
		     size_t keylen, const unsigned char *iv, size_t ivlen,
		     const OSSL_PARAM params[])
{
	c->enc = enc;
	c->blen = 0;
	c->num = 0;
	if (key) {
		if (keylen != c->keylen) {
			AKP_ERR(PROV_R_INVALID_KEY_LENGTH,
				"accelkit: %s key must be %zu bytes, not %zu",
				c->name, c->keylen, keylen);
			return 0;
		}
		memcpy(c->key, key, keylen);
		c->key_set = 1;
	}
	if (iv) {
		if (ivlen != 16) {
			AKP_ERR(PROV_R_INVALID_IV_LENGTH,
				"accelkit: %s IV must be 16 bytes", c->name);
			return 0;
		}
		memcpy(c->iv, iv, 16);
		memcpy(c->oiv, iv, 16);
		c->iv_set = 1;
	} else if (c->iv_set) {
		memcpy(c->iv, c->oiv, 16);	/* a re-init restarts the IV */
	}
	if (c->sw_always)
		return akp_sw_init(c, key, iv, params);
	c->use_sw = 0;
	if (c->alg == AK_ALG_AES_XTS && c->key_set &&
	    !CRYPTO_memcmp(c->key, c->key + c->keylen / 2, c->keylen / 2)) {
		if (enc) {
			c->key_set = 0;
			AKP_ERR(PROV_R_XTS_DUPLICATED_KEYS,
				"accelkit: XTS key halves must differ");
			return 0;
		}
		/* OpenSSL's default provider allows it for decryption. */
		if (!akp_sw_init(c, c->key, c->iv_set ? c->iv : NULL, params))
			return 0;
	}
	return set_ctx_params(c, params);
}

static int einit(void *vctx, const unsigned char *key, size_t keylen,
		 const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[])
{
	return cctx_init(vctx, 1, key, keylen, iv, ivlen, params);
}

static int dinit(void *vctx, const unsigned char *key, size_t keylen,
		 const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[])
{
	return cctx_init(vctx, 0, key, keylen, iv, ivlen, params);
}

/* ---- the library calls ------------------------------------------------------ */

static int lib_crypt(struct akp_cctx *c, const void *in, size_t len, void *out)
{
	struct ak_session *s;
	size_t dlen = len;
	int r;

	if (akp_sess_get(&c->ss, &s))
		return 0;
	if (c->enc || c->alg == AK_ALG_AES_CTR)
		r = AKP_CALL(ak_encrypt(s, c->key, c->keylen, c->iv, 16, in, len,
					out, &dlen, 0));
	else
		r = AKP_CALL(ak_decrypt(s, c->key, c->keylen, c->iv, 16, in, len,
					out, &dlen, 0));
	if (r) {
		akp_err_lib(c->enc ? "ak_encrypt" : "ak_decrypt", r);
		return 0;
	}
	return 1;
}

/* CBC: @n bytes (a multiple of 16); the IV becomes the last ciphertext block. */
static int cbc_blocks(struct akp_cctx *c, const uint8_t *in, size_t n,
		      uint8_t *out)
{
	uint8_t last[16];

	if (!n)
		return 1;
	if (!c->enc)
		memcpy(last, in + n - 16, 16);	/* in may be out */
	if (!lib_crypt(c, in, n, out))
		return 0;
	memcpy(c->iv, c->enc ? out + n - 16 : last, 16);
	return 1;
}

static int cbc_update(struct akp_cctx *c, uint8_t *out, size_t *outl,
		      size_t outsize, const uint8_t *in, size_t inl)
{
	int hold = !c->enc && c->pad;	/* decrypt: keep the last block */
	size_t done = 0, n, rem, total = c->blen + inl;
	size_t nout = total - total % 16;

	if (hold && nout && !(total % 16))
		nout -= 16;
	if (nout > outsize) {
		AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: output too small");
		return 0;
	}
	if (c->blen) {
		n = 16 - c->blen < inl ? 16 - c->blen : inl;
		memcpy(c->buf + c->blen, in, n);
		c->blen += n;
		in += n;
		inl -= n;
		if (c->blen < 16 || (hold && !inl)) {
			*outl = 0;
			return 1;
		}
		if (!cbc_blocks(c, c->buf, 16, out))
			return 0;
		c->blen = 0;
		done = 16;
	}
	n = inl - inl % 16;
	rem = inl % 16;
	if (hold && !rem && n) {
		n -= 16;
		rem = 16;
	}
	if (!cbc_blocks(c, in, n, out + done))
		return 0;
	memcpy(c->buf, in + n, rem);
	c->blen = rem;
	*outl = done + n;
	return 1;
}

static int cbc_final(struct akp_cctx *c, uint8_t *out, size_t *outl,
		     size_t outsize)
{
	uint8_t blk[16];
	unsigned int padv;

	*outl = 0;
	if (!c->pad) {
		if (c->blen) {
			AKP_ERR(PROV_R_WRONG_FINAL_BLOCK_LENGTH,
				"accelkit: %zu bytes left over without padding", c->blen);
			return 0;
		}
		return 1;
	}
	if (c->enc) {
		padv = 16 - c->blen;
		memset(c->buf + c->blen, padv, padv);
		if (outsize < 16) {
			AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: output too small");
			return 0;
		}
		if (!cbc_blocks(c, c->buf, 16, out))
			return 0;
		c->blen = 0;
		*outl = 16;
		return 1;
	}
	if (c->blen != 16) {
		AKP_ERR(PROV_R_WRONG_FINAL_BLOCK_LENGTH,
			"accelkit: ciphertext is not a whole number of blocks");
		return 0;
	}
	if (!cbc_blocks(c, c->buf, 16, blk))
		return 0;
	c->blen = 0;
	padv = blk[15];
	if (padv < 1 || padv > 16) {
		AKP_ERR(PROV_R_BAD_DECRYPT, "accelkit: bad padding");
		return 0;
	}
	for (unsigned int i = 16 - padv; i < 16; i++)
		if (blk[i] != padv) {
			AKP_ERR(PROV_R_BAD_DECRYPT, "accelkit: bad padding");
			return 0;
		}
	if (outsize < 16 - padv) {
		AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: output too small");
		return 0;
	}
	memcpy(out, blk, 16 - padv);
	*outl = 16 - padv;
	OPENSSL_cleanse(blk, sizeof(blk));
	return 1;
}

/* 128-bit big-endian counter += n */
static void ctr_add(uint8_t ctr[16], uint64_t n)
{
	for (int i = 15; i >= 0 && n; i--) {
		n += ctr[i];
		ctr[i] = (uint8_t)n;
		n >>= 8;
	}
}

static int ctr_update(struct akp_cctx *c, uint8_t *out, size_t *outl,
		      size_t outsize, const uint8_t *in, size_t inl)
{
	static const uint8_t zero[16];
	size_t done = 0, n;

	if (outsize < inl) {
		AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: output too small");
		return 0;
	}
	while (c->num && done < inl) {
		out[done] = in[done] ^ c->ks[c->num];
		c->num = (c->num + 1) % 16;
		done++;
	}
	n = (inl - done) - (inl - done) % 16;
	if (n) {
		if (!lib_crypt(c, in + done, n, out + done))
			return 0;
		ctr_add(c->iv, n / 16);
		done += n;
	}
	if (done < inl) {
		if (!lib_crypt(c, zero, 16, c->ks))
			return 0;
		ctr_add(c->iv, 1);
		while (done < inl) {
			out[done] = in[done] ^ c->ks[c->num++];
			done++;
		}
	}
	*outl = inl;
	return 1;
}

static int xts_update(struct akp_cctx *c, uint8_t *out, size_t *outl,
		      size_t outsize, const uint8_t *in, size_t inl)
{
	if (inl < 16) {
		AKP_ERR(PROV_R_NOT_SUPPORTED,
			"accelkit: an XTS data unit has at least 16 bytes");
		return 0;
	}
	if (inl > AK_XTS_MAX) {
		AKP_ERR(PROV_R_XTS_DATA_UNIT_IS_TOO_LARGE,
			"accelkit: an XTS data unit has at most 16 MiB");
		return 0;
	}
	if (outsize < inl) {
		AKP_ERR(PROV_R_OUTPUT_BUFFER_TOO_SMALL, "accelkit: output too small");
		return 0;
	}
	if (!lib_crypt(c, in, inl, out))
		return 0;
	*outl = inl;
	return 1;
}

static int cupdate(void *vctx, unsigned char *out, size_t *outl,
		   size_t outsize, const unsigned char *in, size_t inl)
{
	struct akp_cctx *c = vctx;
	int n;

	if (c->use_sw) {
		if (inl > INT_MAX || EVP_CipherUpdate(c->sw, out, &n, in, (int)inl) != 1)
			return 0;
		*outl = (size_t)n;
		return 1;
	}
	if (!c->key_set || !c->iv_set) {
		AKP_ERR(c->key_set ? PROV_R_INVALID_IV_LENGTH : PROV_R_NO_KEY_SET,
			"accelkit: %s used without a %s", c->name,
			c->key_set ? "IV" : "key");
		return 0;
	}
	switch (c->alg) {
	case AK_ALG_AES_CBC:
		return cbc_update(c, out, outl, outsize, in, inl);
	case AK_ALG_AES_CTR:
		if (!inl) {
			*outl = 0;
			return 1;
		}
		return ctr_update(c, out, outl, outsize, in, inl);
	default:
		return xts_update(c, out, outl, outsize, in, inl);
	}
}

static int cfinal(void *vctx, unsigned char *out, size_t *outl, size_t outsize)
{
	struct akp_cctx *c = vctx;
	int n;

	if (c->use_sw) {
		if (EVP_CipherFinal_ex(c->sw, out, &n) != 1)
			return 0;
		*outl = (size_t)n;
		return 1;
	}
	if (!c->key_set) {
		AKP_ERR(PROV_R_NO_KEY_SET, "accelkit: %s used without a key", c->name);
		return 0;
	}
	*outl = 0;
	if (c->alg == AK_ALG_AES_CBC)
		return cbc_final(c, out, outl, outsize);
	return 1;
}

/* ---- parameters -------------------------------------------------------------- */

static int get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct akp_cctx *c = vctx;
	OSSL_PARAM *p;

	if (c->use_sw)
		return EVP_CIPHER_CTX_get_params(c->sw, params);
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
	if (p && !OSSL_PARAM_set_size_t(p, 16))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p && !OSSL_PARAM_set_size_t(p, c->keylen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_PADDING);
	if (p && !OSSL_PARAM_set_uint(p, (unsigned int)c->pad))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_NUM);
	if (p && !OSSL_PARAM_set_uint(p, c->num))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IV);
	if (p && !OSSL_PARAM_set_octet_string(p, c->oiv, 16) &&
	    !OSSL_PARAM_set_octet_ptr(p, c->oiv, 16))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_UPDATED_IV);
	if (p && !OSSL_PARAM_set_octet_string(p, c->iv, 16) &&
	    !OSSL_PARAM_set_octet_ptr(p, c->iv, 16))
		return 0;
	return 1;
}

static int set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct akp_cctx *c = vctx;
	const OSSL_PARAM *p;
	unsigned int u;
	size_t z;

	if (!params)
		return 1;
	if (c->use_sw)
		return EVP_CIPHER_CTX_set_params(c->sw, params);
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_PADDING);
	if (p) {
		if (!OSSL_PARAM_get_uint(p, &u))
			return 0;
		c->pad = u != 0;
	}
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_NUM);
	if (p) {
		if (!OSSL_PARAM_get_uint(p, &u) || u >= 16)
			return 0;
		c->num = u;
	}
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p) {
		if (!OSSL_PARAM_get_size_t(p, &z) || z != c->keylen) {
			AKP_ERR(PROV_R_INVALID_KEY_LENGTH, "accelkit: fixed key length");
			return 0;
		}
	}
	return 1;
}

static const OSSL_PARAM cparams_types[] = {
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_MODE, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_AEAD, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_CUSTOM_IV, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM cctx_get_types[] = {
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, NULL),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM cctx_set_types[] = {
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, NULL),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *gettable_params(void *provctx)
{
	(void)provctx;
	return cparams_types;
}

static const OSSL_PARAM *gettable_ctx(void *vctx, void *provctx)
{
	(void)vctx;
	(void)provctx;
	return cctx_get_types;
}

static const OSSL_PARAM *settable_ctx(void *vctx, void *provctx)
{
	(void)vctx;
	(void)provctx;
	return cctx_set_types;
}

/* See cipher.h. */
int akp_static_params(OSSL_PARAM params[], unsigned int mode, size_t keylen,
		      size_t ivlen, size_t block, int aead)
{
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_MODE);
	if (p && !OSSL_PARAM_set_uint(p, mode))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p && !OSSL_PARAM_set_size_t(p, keylen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
	if (p && !OSSL_PARAM_set_size_t(p, ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_BLOCK_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, block))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD);
	if (p && !OSSL_PARAM_set_int(p, aead))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_CUSTOM_IV);
	if (p && !OSSL_PARAM_set_int(p, aead))
		return 0;
	return 1;
}

#define CIPHER(fn, oname, alg, klen, mode, block)                             \
static void *fn##_new(void *provctx)                                          \
{                                                                             \
	return cctx_new(provctx, oname, alg, klen);                           \
}                                                                             \
static int fn##_params(OSSL_PARAM params[])                                   \
{                                                                             \
	return akp_static_params(params, mode, klen, 16, block, 0);           \
}                                                                             \
const OSSL_DISPATCH akp_##fn##_functions[] = {                                \
	{ OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))fn##_new },                \
	{ OSSL_FUNC_CIPHER_FREECTX, (void (*)(void))cctx_free },              \
	{ OSSL_FUNC_CIPHER_DUPCTX, (void (*)(void))cctx_dup },                \
	{ OSSL_FUNC_CIPHER_ENCRYPT_INIT, (void (*)(void))einit },             \
	{ OSSL_FUNC_CIPHER_DECRYPT_INIT, (void (*)(void))dinit },             \
	{ OSSL_FUNC_CIPHER_UPDATE, (void (*)(void))cupdate },                 \
	{ OSSL_FUNC_CIPHER_FINAL, (void (*)(void))cfinal },                   \
	{ OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))fn##_params },         \
	{ OSSL_FUNC_CIPHER_GETTABLE_PARAMS, (void (*)(void))gettable_params }, \
	{ OSSL_FUNC_CIPHER_GET_CTX_PARAMS, (void (*)(void))get_ctx_params },  \
	{ OSSL_FUNC_CIPHER_SET_CTX_PARAMS, (void (*)(void))set_ctx_params },  \
	{ OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, (void (*)(void))gettable_ctx },\
	{ OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, (void (*)(void))settable_ctx },\
	{ 0, NULL }                                                           \
}

CIPHER(aes128cbc, "AES-128-CBC", AK_ALG_AES_CBC, 16, EVP_CIPH_CBC_MODE, 16);
CIPHER(aes256cbc, "AES-256-CBC", AK_ALG_AES_CBC, 32, EVP_CIPH_CBC_MODE, 16);
CIPHER(aes128ctr, "AES-128-CTR", AK_ALG_AES_CTR, 16, EVP_CIPH_CTR_MODE, 1);
CIPHER(aes256ctr, "AES-256-CTR", AK_ALG_AES_CTR, 32, EVP_CIPH_CTR_MODE, 1);
CIPHER(aes128xts, "AES-128-XTS", AK_ALG_AES_XTS, 32, EVP_CIPH_XTS_MODE, 1);
CIPHER(aes256xts, "AES-256-XTS", AK_ALG_AES_XTS, 64, EVP_CIPH_XTS_MODE, 1);
