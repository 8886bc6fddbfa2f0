// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cipher streams, software path: one OpenSSL EVP_CIPHER_CTX per stream,
 * set up as the device's engine sets up its contexts (EVP_aes_*_{cbc,
 * ctr,gcm}, CBC padding off, GCM 12-byte IV by EVP_CTRL_GCM_SET_IVLEN,
 * AAD through EVP_CipherUpdate with a NULL output), fed by update.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cstream.h"

#define EVP_STEP	((size_t)1 << 30)	/* per EVP call (an int) */

static const EVP_CIPHER *cs_cipher(int alg, size_t key_len)
{
	bool k256 = key_len == 32;

	switch (alg) {
	case AK_ALG_AES_CBC:
		return k256 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
	case AK_ALG_AES_CTR:
		return k256 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	default:
		return k256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	}
}

int ak_cs_sw_new(struct ak_cipher_stream *cs)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	bool gcm = cs->alg == AK_ALG_AES_GCM;
	int enc = !cs->dec;

	if (!c)
		return -ENOMEM;
	if (EVP_CipherInit_ex(c, cs_cipher(cs->alg, cs->key_len), NULL, NULL,
			      NULL, enc) != 1 ||
	    (gcm && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN,
					AK_GCM_NONCE_LEN, NULL) != 1) ||
	    EVP_CipherInit_ex(c, NULL, NULL, cs->key, cs->iv, enc) != 1) {
		EVP_CIPHER_CTX_free(c);
		return -EIO;
	}
	if (cs->alg == AK_ALG_AES_CBC)
		EVP_CIPHER_CTX_set_padding(c, 0);
	cs->sw = c;
	return 0;
}

int ak_cs_sw_aad(struct ak_cipher_stream *cs, const void *aad, size_t len)
{
	const uint8_t *p = aad;
	int n;

	while (len) {
		size_t k = len < EVP_STEP ? len : EVP_STEP;

		if (EVP_CipherUpdate(cs->sw, NULL, &n, p, (int)k) != 1)
			return -EIO;
		p += k;
		len -= k;
	}
	return 0;
}

int ak_cs_sw_update(struct ak_cipher_stream *cs, const void *src, size_t len,
		    void *dst, size_t *out)
{
	const uint8_t *in = src;
	uint8_t *o = dst;
	size_t total = 0;
	int n;

	while (len) {
		size_t k = len < EVP_STEP ? len : EVP_STEP;

		n = 0;
		if (EVP_CipherUpdate(cs->sw, o + total, &n, in, (int)k) != 1)
			return -EIO;
		total += (size_t)n;
		in += k;
		len -= k;
	}
	*out = total;
	return 0;
}

int ak_cs_sw_final(struct ak_cipher_stream *cs, void *tag, size_t tag_len)
{
	uint8_t rest[32];
	int n = 0;

	if (cs->alg != AK_ALG_AES_GCM)
		return EVP_CipherFinal_ex(cs->sw, rest, &n) == 1 && !n ? 0
								      : -EIO;
	if (!cs->dec) {
		uint8_t full[16];

		if (EVP_CipherFinal_ex(cs->sw, rest, &n) != 1 || n ||
		    EVP_CIPHER_CTX_ctrl(cs->sw, EVP_CTRL_GCM_GET_TAG, 16,
					full) != 1)
			return -EIO;
		memcpy(tag, full, tag_len);
		OPENSSL_cleanse(full, sizeof(full));
		return 0;
	}
	/* libcrypto compares tag_len bytes (CRYPTO_memcmp: constant time). */
	if (EVP_CIPHER_CTX_ctrl(cs->sw, EVP_CTRL_GCM_SET_TAG, (int)tag_len,
				tag) != 1)
		return -EIO;
	return EVP_CipherFinal_ex(cs->sw, rest, &n) == 1 && !n ? 0 : -EBADMSG;
}

void ak_cs_sw_free(struct ak_cipher_stream *cs)
{
	EVP_CIPHER_CTX_free(cs->sw);	/* cleanses the key schedule */
	cs->sw = NULL;
}
