/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accelkit.so: cipher contexts shared by cipher.c (CBC/CTR/XTS) and gcm.c. */
#ifndef AKP_CIPHER_H
#define AKP_CIPHER_H

#include "prov.h"

struct akp_cctx {
	struct akp_prov *p;
	const char *name;	/* OpenSSL name, for the passthrough fetch */
	int alg;		/* enum ak_alg */
	size_t keylen;		/* bytes (XTS: both halves) */
	int enc;
	int pad;		/* CBC: PKCS#7 padding (default on) */
	int sw_always;		/* created inside a libaccelkit call */
	EVP_CIPHER_CTX *sw;	/* passthrough context (see prov.h) */
	int use_sw;		/* this operation runs on @sw */
	uint8_t key[64];
	int key_set;
	uint8_t iv[16];		/* updated IV (CBC) / counter block (CTR) */
	uint8_t oiv[16];	/* IV as given */
	int iv_set;
	uint8_t buf[16];	/* CBC: partial or held-back block */
	size_t blen;
	uint8_t ks[16];		/* CTR: keystream of the current block */
	unsigned int num;	/* CTR: bytes of @ks used */
	struct akp_sess ss;
};

int akp_sw_start(struct akp_cctx *c);
int akp_sw_init(struct akp_cctx *c, const unsigned char *key,
		const unsigned char *iv, const OSSL_PARAM params[]);

/* The fixed parameters of an algorithm (get_params): mode, key, IV and
 * block sizes, AEAD and custom-IV flags (@aead for both). 1 or 0. */
int akp_static_params(OSSL_PARAM params[], unsigned int mode, size_t keylen,
		      size_t ivlen, size_t block, int aead);

#endif
