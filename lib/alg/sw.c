// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Software engines: zlib and OpenSSL libcrypto called exactly as the
 * device's engines are (docs/device.md, "Algorithm engines"), so one-shot
 * outputs are byte-identical:
 *   deflateInit2(level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), all the
 *   input, deflate(Z_FINISH); wbits -15 raw, 15 zlib, 31 gzip;
 *   EVP SHA-256/512, HMAC-SHA-256, AES-CBC (no padding), CTR, XTS, GCM.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "algs.h"
#include "sw.h"

#define SCRATCH (64u << 10)
#define ZCHUNK ((size_t)1 << 30)	/* largest avail_in/out per call */

int ak_sw_wbits(int alg)
{
	return alg == AK_ALG_DEFLATE ? -15 : alg == AK_ALG_ZLIB ? 15 : 31;
}

int ak_sw_compress(int alg, int level, const void *src, size_t len,
		   void *dst, size_t cap, size_t *out)
{
	uint8_t scratch[4096];
	size_t in_left = len, out_left = cap, total = 0;
	bool counting = cap == 0;
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, ak_sw_wbits(alg), 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)src;
	z.next_out = dst;
	for (;;) {
		size_t ai, ao;

		ai = in_left < ZCHUNK ? in_left : ZCHUNK;
		z.avail_in = (uInt)ai;
		if (counting) {
			z.next_out = scratch;
			ao = sizeof(scratch);
		} else {
			ao = out_left < ZCHUNK ? out_left : ZCHUNK;
		}
		z.avail_out = (uInt)ao;
		zr = deflate(&z, ai == in_left ? Z_FINISH : Z_NO_FLUSH);
		in_left -= ai - z.avail_in;
		total += ao - z.avail_out;
		if (!counting)
			out_left -= ao - z.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			deflateEnd(&z);
			return -EIO;
		}
		if (!counting && out_left == 0)
			counting = true;	/* count what is still needed */
	}
	deflateEnd(&z);
	*out = total;
	return counting && total > cap ? -ENOSPC : 0;
}

/*
 * One-shot inflate: exactly one stream (gzip: one or more members).
 * When dst fills up, go on into a scratch buffer to learn the size needed
 * (and still report corrupt data as -EBADMSG first).
 */
int ak_sw_decompress(int alg, const void *src, size_t len, void *dst,
		     size_t cap, size_t *out, uint64_t *err_off)
{
	uint8_t *scratch = NULL;
	const uint8_t *in = src;
	size_t in_off = 0, total = 0;
	bool counting = cap == 0, ended = false;
	z_stream z;
	int zr, ret = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, ak_sw_wbits(alg)) != Z_OK)
		return -ENOMEM;
	scratch = malloc(SCRATCH);
	if (!scratch) {
		inflateEnd(&z);
		return -ENOMEM;
	}
	for (;;) {
		size_t ai = len - in_off, ao;

		if (ai > ZCHUNK)
			ai = ZCHUNK;
		if (ended) {
			if (in_off == len)
				break;
			if (alg != AK_ALG_GZIP) {
				*err_off = in_off;	/* trailing garbage */
				ret = -EBADMSG;
				break;
			}
			inflateReset(&z);	/* next gzip member */
			ended = false;
		}
		z.next_in = (Bytef *)(uintptr_t)(in + in_off);
		z.avail_in = (uInt)ai;
		if (counting) {
			z.next_out = scratch;
			ao = SCRATCH;
		} else {
			z.next_out = (Bytef *)dst + total;
			ao = cap - total < ZCHUNK ? cap - total : ZCHUNK;
		}
		z.avail_out = (uInt)ao;
		zr = inflate(&z, Z_NO_FLUSH);
		in_off += ai - z.avail_in;
		total += ao - z.avail_out;
		if (zr == Z_STREAM_END) {
			ended = true;
			continue;
		}
		if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT) {
			*err_off = in_off;
			ret = -EBADMSG;
			break;
		}
		if (zr == Z_MEM_ERROR) {
			ret = -ENOMEM;
			break;
		}
		/* Z_OK or Z_BUF_ERROR: out of input or out of output. */
		if (z.avail_out == 0) {
			if (!counting && total == cap)
				counting = true;
			continue;
		}
		if (in_off == len) {		/* truncated */
			*err_off = len;
			ret = -EBADMSG;
			break;
		}
	}
	inflateEnd(&z);
	free(scratch);
	if (ret)
		return ret;
	*out = total;
	return total > cap ? -ENOSPC : 0;
}

static const EVP_MD *md_of(int alg)
{
	return alg == AK_ALG_SHA512 ? EVP_sha512() : EVP_sha256();
}

int ak_sw_digest(int alg, const void *src, size_t len, uint8_t *out)
{
	void *c = ak_sw_md_new(alg);
	int r;

	if (!c)
		return -ENOMEM;
	r = ak_sw_md_update(c, src, len);
	if (!r)
		r = ak_sw_md_final(c, alg, out);
	ak_sw_md_free(c);
	return r;
}

void *ak_sw_md_new(int alg)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c && EVP_DigestInit_ex(c, md_of(alg), NULL) != 1) {
		EVP_MD_CTX_free(c);
		c = NULL;
	}
	return c;
}

int ak_sw_md_update(void *ctx, const void *p, size_t len)
{
	if (!len)
		return 0;
	return EVP_DigestUpdate(ctx, p, len) == 1 ? 0 : -EIO;
}

int ak_sw_md_final(void *ctx, int alg, uint8_t *out)
{
	unsigned n;

	if (EVP_DigestFinal_ex(ctx, out, &n) != 1)
		return -EIO;
	return EVP_DigestInit_ex(ctx, md_of(alg), NULL) == 1 ? 0 : -EIO;
}

void ak_sw_md_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

int ak_sw_hmac(const void *key, size_t key_len, const void *src, size_t len,
	       uint8_t *out)
{
	unsigned n = 0;

	if (key_len > INT_MAX)
		return -EINVAL;
	if (!HMAC(EVP_sha256(), key, (int)key_len,
		  len ? src : (const void *)ak_dummy, len, out, &n))
		return -EIO;
	return 0;
}

static const EVP_CIPHER *cipher_of(int alg, size_t key_len)
{
	bool k256 = alg == AK_ALG_AES_XTS ? key_len == 64 : key_len == 32;

	switch (alg) {
	case AK_ALG_AES_CBC:
		return k256 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
	case AK_ALG_AES_CTR:
		return k256 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	case AK_ALG_AES_XTS:
		return k256 ? EVP_aes_256_xts() : EVP_aes_128_xts();
	default:
		return k256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	}
}

/* Update in pieces whose length fits an int (multiples of 16). */
static int update_all(EVP_CIPHER_CTX *c, uint8_t *dst, const uint8_t *src,
		      size_t len)
{
	const size_t step = (size_t)1 << 30;
	int n;

	while (len) {
		size_t k = len < step ? len : step;

		if (EVP_CipherUpdate(c, dst, &n, src, (int)k) != 1)
			return -EIO;
		src += k;
		dst += k;
		len -= k;
	}
	return 0;
}

int ak_sw_cipher(int alg, bool enc, const void *key, size_t key_len,
		 const void *iv, const void *src, size_t len, void *dst)
{
	EVP_CIPHER_CTX *c;
	int r = 0, n;

	if (!len)
		return 0;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return -ENOMEM;
	if (EVP_CipherInit_ex(c, cipher_of(alg, key_len), NULL, key, iv,
			      enc) != 1) {
		r = alg == AK_ALG_AES_XTS ? -EINVAL : -EIO; /* equal halves */
		goto out;
	}
	EVP_CIPHER_CTX_set_padding(c, 0);
	if (alg == AK_ALG_AES_XTS) {	/* one call per data unit */
		if (EVP_CipherUpdate(c, dst, &n, src, (int)len) != 1)
			r = -EINVAL;
	} else {
		r = update_all(c, dst, src, len);
	}
	if (!r && EVP_CipherFinal_ex(c, (uint8_t *)dst + len, &n) != 1)
		r = -EIO;
out:
	EVP_CIPHER_CTX_free(c);
	return r;
}

int ak_sw_gcm(bool enc, const void *key, size_t key_len, const void *nonce,
	      const void *aad, size_t aad_len, const void *src, size_t len,
	      void *dst, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int r = 0, n;

	if (!c)
		return -ENOMEM;
	if (EVP_CipherInit_ex(c, cipher_of(AK_ALG_AES_GCM, key_len), NULL,
			      NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) != 1) {
		r = -EIO;
		goto out;
	}
	if (aad_len && EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) != 1) {
		r = -EIO;
		goto out;
	}
	if (len)
		r = update_all(c, dst, src, len);
	if (r)
		goto out;
	if (enc) {
		if (EVP_CipherFinal_ex(c, (uint8_t *)dst + len, &n) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
			r = -EIO;
	} else {
		if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
			r = -EIO;
		else if (EVP_CipherFinal_ex(c, (uint8_t *)dst + len, &n) != 1)
			r = -EBADMSG;
		if (r == -EBADMSG && len)
			OPENSSL_cleanse(dst, len);	/* no plaintext out */
	}
out:
	EVP_CIPHER_CTX_free(c);
	return r;
}
