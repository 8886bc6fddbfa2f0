// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cipher streams (ak_cipher_stream_*), software path: AES-CBC/CTR/GCM fed
 * in random chunkings (0- and 1-byte updates included) give the bytes of
 * the one-shot calls and of OpenSSL EVP used directly; GCM AAD split over
 * calls, truncated tags, tag mismatch, a stream and an AAD over 64 MiB,
 * misuse errors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>

#include "libaccelkit.h"
#include "alg_util.h"
#include "suites.h"

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* EVP directly: the reference. Returns the tag for GCM (16 bytes). */
static int evp_ref(int alg, bool enc, const uint8_t *key, size_t kl,
		   const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		   const uint8_t *src, size_t len, uint8_t *dst, uint8_t *tag)
{
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int n, ok = 1;
	size_t off;

	if (alg == AK_ALG_AES_CBC)
		c = kl == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
	else if (alg == AK_ALG_AES_CTR)
		c = kl == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	else
		c = kl == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	ok &= EVP_CipherInit_ex(x, c, NULL, NULL, NULL, enc);
	if (alg == AK_ALG_AES_GCM)
		ok &= EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
	ok &= EVP_CipherInit_ex(x, NULL, NULL, key, iv, enc);
	EVP_CIPHER_CTX_set_padding(x, 0);
	for (off = 0; off < aad_len; off += 1u << 30) {
		size_t k = aad_len - off < (1u << 30) ? aad_len - off : 1u << 30;

		ok &= EVP_CipherUpdate(x, NULL, &n, aad + off, (int)k);
	}
	for (off = 0; off < len; off += 1u << 30) {
		size_t k = len - off < (1u << 30) ? len - off : 1u << 30;

		ok &= EVP_CipherUpdate(x, dst + off, &n, src + off, (int)k);
	}
	if (alg == AK_ALG_AES_GCM && !enc)
		ok &= EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, tag);
	ok &= EVP_CipherFinal_ex(x, dst + len, &n);
	if (alg == AK_ALG_AES_GCM && enc)
		ok &= EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(x);
	return ok == 1 ? 0 : -1;
}

/* Feed @len bytes in random pieces (0, 1, small, big); returns bytes out. */
static size_t feed_random(struct ak_cipher_stream *cs, const uint8_t *src,
			  size_t len, uint8_t *dst, size_t max_piece)
{
	size_t off = 0, out = 0;

	while (off < len) {
		size_t k, w = 99;

		switch (rnd() % 5) {
		case 0: k = 0; break;
		case 1: k = 1; break;
		case 2: k = rnd() % 33; break;
		default: k = rnd() % (max_piece + 1); break;
		}
		if (k > len - off)
			k = len - off;
		CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_update(cs, src + off, k,
							      dst + out, &w), 0);
		CU_ASSERT(w <= k + 15);
		out += w;
		off += k;
	}
	return out;
}

static void t_chunkings(void)
{
	static const int algs[] = { AK_ALG_AES_CBC, AK_ALG_AES_CTR,
				    AK_ALG_AES_GCM };
	const size_t maxlen = 70000;
	uint8_t *src = malloc(maxlen), *one = malloc(maxlen + 16);
	uint8_t *ref = malloc(maxlen + 16), *out = malloc(maxlen + 32);
	uint8_t key[32], iv[16], aad[300], tag[16], rtag[16], stag[16];

	CU_ASSERT_FATAL(src && one && ref && out);
	fill(src, maxlen, 1);
	fill(aad, sizeof(aad), 2);
	for (unsigned a = 0; a < 3; a++) {
		int alg = algs[a];
		bool gcm = alg == AK_ALG_AES_GCM;
		struct ak_session *s = ak_test_sw(alg);

		for (unsigned it = 0; it < 24; it++) {
			size_t kl = it & 1 ? 32 : 16, len = rnd() % maxlen;
			size_t al = gcm ? rnd() % sizeof(aad) : 0, ol, n;
			bool enc = !(it & 2);
			struct ak_cipher_stream *cs = NULL;

			if (alg == AK_ALG_AES_CBC)
				len &= ~(size_t)15;
			if (it < 4)
				len = it;	/* 0..3 bytes */
			if (alg == AK_ALG_AES_CBC && it < 4)
				len = 16 * it;
			fill(key, sizeof(key), it + 10 * a);
			fill(iv, sizeof(iv), it + 100);
			if (alg == AK_ALG_AES_CTR && (it % 3) == 0)
				memset(iv + 8, 0xff, 8);	/* carry */
			/* one-shot library call */
			if (gcm) {
				if (enc) {
					CU_ASSERT_EQUAL_FATAL(ak_aead_encrypt(s, key, kl, iv, 12, aad, al, src, len, one, rtag), 0);
				} else {
					CU_ASSERT_EQUAL_FATAL(ak_aead_encrypt(s, key, kl, iv, 12, aad, al, src, len, ref, rtag), 0);
				}
			} else {
				ol = maxlen + 16;
				CU_ASSERT_EQUAL_FATAL((enc ? ak_encrypt : ak_decrypt)(s, key, kl, iv, 16, src, len, one, &ol, 0), 0);
			}
			/* EVP directly */
			if (gcm && !enc) {
				/* decrypt the ciphertext made above */
				memcpy(tag, rtag, 16);
				CU_ASSERT_EQUAL_FATAL(evp_ref(alg, false, key, kl, iv, aad, al, ref, len, one, tag), 0);
				CU_ASSERT_EQUAL(memcmp(one, src, len), 0);
				memcpy(one, ref, len);	/* stream input */
			} else {
				CU_ASSERT_EQUAL_FATAL(evp_ref(alg, enc, key, kl, iv, aad, al, src, len, ref, tag), 0);
				CU_ASSERT_EQUAL(memcmp(one, ref, len), 0);
				if (gcm)
					CU_ASSERT_EQUAL(memcmp(tag, rtag, 16), 0);
			}
			/* the stream */
			CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, enc ? AK_ENCRYPT : AK_DECRYPT, key, kl, iv, gcm ? 12 : 16, &cs), 0);
			if (gcm) {
				size_t off = 0;

				while (off < al) {
					size_t k = rnd() % 40;

					if (k > al - off)
						k = al - off;
					CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, aad + off, k), 0);
					off += k;
				}
			}
			memset(out, 0xee, maxlen + 32);
			n = feed_random(cs, gcm && !enc ? one : src, len, out,
					1 + rnd() % 5000);
			CU_ASSERT_EQUAL(n, len);
			if (gcm && !enc) {
				CU_ASSERT_EQUAL(memcmp(out, src, len), 0);
				CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, rtag, 16), 0);
			} else {
				CU_ASSERT_EQUAL(memcmp(out, ref, len), 0);
				CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, stag, 16), 0);
				if (gcm)
					CU_ASSERT_EQUAL(memcmp(stag, rtag, 16), 0);
			}
			CU_ASSERT_EQUAL(out[len], 0xee);	/* nothing beyond */
			ak_cipher_stream_free(cs);
		}
		ak_session_close(s);
	}
	free(src);
	free(one);
	free(ref);
	free(out);
}

/* CBC holds a partial block: output counts, final with a partial block. */
static void t_cbc_partial(void)
{
	struct ak_session *s = ak_test_sw(AK_ALG_AES_CBC);
	struct ak_cipher_stream *cs;
	uint8_t key[16] = { 1 }, iv[16] = { 2 }, src[64], out[96], ref[64];
	size_t w = 0, ol = sizeof(ref);

	fill(src, sizeof(src), 3);
	CU_ASSERT_EQUAL(ak_encrypt(s, key, 16, iv, 16, src, 64, ref, &ol, 0), 0);
	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_ENCRYPT, key, 16, iv, 16, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, src, 5, out, &w), 0);
	CU_ASSERT_EQUAL(w, 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, src + 5, 11, out, &w), 0);
	CU_ASSERT_EQUAL(w, 16);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, src + 16, 47, out + 16, &w), 0);
	CU_ASSERT_EQUAL(w, 32);
	CU_ASSERT_EQUAL(memcmp(out, ref, 48), 0);
	/* 15 bytes held: final refuses */
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, src + 63, 1, out + 48, &w), -EINVAL);
	ak_cipher_stream_free(cs);

	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_ENCRYPT, key, 16, iv, 16, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, src, 63, out, &w), 0);
	CU_ASSERT_EQUAL(w, 48);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, src + 63, 1, out + 48, &w), 0);
	CU_ASSERT_EQUAL(w, 16);
	CU_ASSERT_EQUAL(memcmp(out, ref, 64), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, NULL, 0), 0);
	ak_cipher_stream_free(cs);
	ak_session_close(s);
}

static void t_gcm_tags(void)
{
	struct ak_session *s = ak_test_sw(AK_ALG_AES_GCM);
	struct ak_cipher_stream *cs;
	uint8_t key[32], iv[12], aad[40], src[100], ct[100], pt[100];
	uint8_t tag[16], t2[16];

	fill(key, 32, 7);
	fill(iv, 12, 8);
	fill(aad, 40, 9);
	fill(src, 100, 10);
	CU_ASSERT_EQUAL_FATAL(ak_aead_encrypt(s, key, 32, iv, 12, aad, 40, src, 100, ct, tag), 0);
	for (size_t tl = AK_GCM_TAG_MIN; tl <= 16; tl++) {
		/* encrypt: the first tl bytes of the full tag */
		memset(t2, 0, sizeof(t2));
		CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_ENCRYPT, key, 32, iv, 12, &cs), 0);
		CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, aad, 40), 0);
		CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, src, 100, pt, NULL), 0);
		CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, t2, tl), 0);
		CU_ASSERT_EQUAL(memcmp(t2, tag, tl), 0);
		for (size_t i = tl; i < 16; i++)
			CU_ASSERT_EQUAL(t2[i], 0);
		ak_cipher_stream_free(cs);
		/* decrypt: right truncated tag; then each byte flipped */
		for (int flip = -1; flip < (int)tl; flip += tl > 8 ? 5 : 1) {
			int want = flip < 0 ? 0 : -EBADMSG;

			/* bytes past tl are not part of the tag */
			for (size_t i = 0; i < 16; i++)
				t2[i] = i < tl ? tag[i] : (uint8_t)~tag[i];
			if (flip >= 0)
				t2[flip] ^= 0x01;
			CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_DECRYPT, key, 32, iv, 12, &cs), 0);
			CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, aad, 17), 0);
			CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, aad + 17, 23), 0);
			CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, ct, 50, pt, NULL), 0);
			CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, ct + 50, 50, pt + 50, NULL), 0);
			CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, t2, tl), want);
			CU_ASSERT_EQUAL(memcmp(pt, src, 100), 0);
			ak_cipher_stream_free(cs);
		}
	}
	/* a wrong AAD or ciphertext byte: mismatch with the full tag */
	for (int which = 0; which < 2; which++) {
		uint8_t a2[40], c2[100];

		memcpy(a2, aad, 40);
		memcpy(c2, ct, 100);
		if (which)
			c2[99] ^= 0x80;
		else
			a2[0] ^= 0x80;
		CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_DECRYPT, key, 32, iv, 12, &cs), 0);
		CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, a2, 40), 0);
		CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, c2, 100, pt, NULL), 0);
		CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 16), -EBADMSG);
		ak_cipher_stream_free(cs);
	}
	/* no data, AAD only (GMAC) and nothing at all */
	CU_ASSERT_EQUAL_FATAL(ak_aead_encrypt(s, key, 16, iv, 12, aad, 40, NULL, 0, NULL, tag), 0);
	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_ENCRYPT, key, 16, iv, 12, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, aad, 40), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, NULL, 0, NULL, NULL), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, t2, 16), 0);
	CU_ASSERT_EQUAL(memcmp(t2, tag, 16), 0);
	ak_cipher_stream_free(cs);
	CU_ASSERT_EQUAL_FATAL(ak_aead_encrypt(s, key, 16, iv, 12, NULL, 0, NULL, 0, NULL, tag), 0);
	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_DECRYPT, key, 16, iv, 12, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 16), 0);
	ak_cipher_stream_free(cs);
	ak_session_close(s);
}

static void t_misuse(void)
{
	struct ak_session *g = ak_test_sw(AK_ALG_AES_GCM), *c = ak_test_sw(AK_ALG_AES_CTR);
	struct ak_session *x = ak_test_sw(AK_ALG_AES_XTS), *h = ak_test_sw(AK_ALG_SHA256);
	struct ak_cipher_stream *cs = (void *)1;
	uint8_t key[32] = { 0 }, iv[16] = { 0 }, buf[32] = { 0 }, tag[16];

	CU_ASSERT_EQUAL(ak_cipher_stream_new(x, AK_ENCRYPT, key, 32, iv, 16, &cs), -EINVAL);
	CU_ASSERT_PTR_NULL(cs);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(h, AK_ENCRYPT, key, 16, iv, 16, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(NULL, AK_ENCRYPT, key, 16, iv, 16, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(g, AK_ENCRYPT, key, 16, iv, 16, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(g, AK_ENCRYPT, key, 16, iv, 8, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(g, AK_ENCRYPT, key, 24, iv, 12, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(g, 2, key, 16, iv, 12, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(g, AK_ENCRYPT, NULL, 16, iv, 12, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(c, AK_ENCRYPT, key, 16, iv, 12, &cs), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_new(g, AK_ENCRYPT, key, 16, iv, 12, NULL), -EINVAL);
	/* AAD: GCM only, before data */
	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(c, AK_ENCRYPT, key, 16, iv, 16, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, buf, 4), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, NULL, 4, buf, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, NULL, 0), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, buf, 4, buf, NULL), -EINVAL);
	ak_cipher_stream_free(cs);
	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(g, AK_ENCRYPT, key, 16, iv, 12, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, buf, 4), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, NULL, 4), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, buf, 0, buf, NULL), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, buf, 4), 0);	/* no data yet */
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, buf, 3, buf, NULL), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, buf, 4), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, buf, 0), -EINVAL);
	/* tag length out of range: refused, the stream stays usable */
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 3), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 17), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, NULL, 16), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, buf, 3, buf, NULL), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 4), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 16), -EINVAL);
	ak_cipher_stream_free(cs);
	ak_cipher_stream_free(NULL);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(NULL, buf, 1), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(NULL, buf, 1, buf, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(NULL, tag, 16), -EINVAL);
	ak_session_close(g);
	ak_session_close(c);
	ak_session_close(x);
	ak_session_close(h);
}

/* Over the one-shot limit: 64 MiB + 4097 bytes of data and of AAD. */
static void t_gcm_big(void)
{
	const size_t len = AK_GCM_MAX + 4097;
	struct ak_session *s = ak_test_sw(AK_ALG_AES_GCM);
	uint8_t *src = malloc(len), *ref = malloc(len), *out = malloc(len);
	uint8_t key[16], iv[12], tag[16], rtag[16];
	struct ak_cipher_stream *cs;
	size_t off, k;

	CU_ASSERT_FATAL(src && ref && out);
	fill(src, len, 77);
	fill(key, 16, 78);
	fill(iv, 12, 79);
	/* the one-shot call refuses it */
	CU_ASSERT_EQUAL(ak_aead_encrypt(s, key, 16, iv, 12, NULL, 0, src, len, out, tag), -EMSGSIZE);
	CU_ASSERT_EQUAL_FATAL(evp_ref(AK_ALG_AES_GCM, true, key, 16, iv, src, len, src, len, ref, rtag), 0);
	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_ENCRYPT, key, 16, iv, 12, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, src, 1000), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, src + 1000, len - 1000), 0);
	for (off = 0; off < len; off += k) {
		k = len - off < (3u << 20) + 5 ? len - off : (3u << 20) + 5;
		CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_update(cs, src + off, k, out + off, NULL), 0);
	}
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 16), 0);
	CU_ASSERT_EQUAL(memcmp(tag, rtag, 16), 0);
	CU_ASSERT_EQUAL(memcmp(out, ref, len), 0);
	ak_cipher_stream_free(cs);
	/* and back, in one update */
	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(s, AK_DECRYPT, key, 16, iv, 12, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, src, len), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, ref, len, out, NULL), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, rtag, 16), 0);
	CU_ASSERT_EQUAL(memcmp(out, src, len), 0);
	ak_cipher_stream_free(cs);
	ak_session_close(s);
	free(src);
	free(ref);
	free(out);
}

/* A cipher stream outlives its session only as a handle: every call but
 * free fails with -EBADF, and free touches no session memory. */
static void t_after_close(void)
{
	struct ak_session *g = ak_test_sw(AK_ALG_AES_GCM);
	struct ak_cipher_stream *cs = NULL;
	uint8_t key[16] = { 0 }, iv[12] = { 0 }, buf[32] = { 0 }, tag[16];

	CU_ASSERT_EQUAL_FATAL(ak_cipher_stream_new(g, AK_ENCRYPT, key, 16, iv, 12, &cs), 0);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, buf, 4), 0);
	ak_session_close(g);
	CU_ASSERT_EQUAL(ak_cipher_stream_aad(cs, buf, 4), -EBADF);
	CU_ASSERT_EQUAL(ak_cipher_stream_update(cs, buf, 16, buf, NULL), -EBADF);
	CU_ASSERT_EQUAL(ak_cipher_stream_final(cs, tag, 16), -EBADF);
	ak_cipher_stream_free(cs);
}

int add_cstream_suite(void)
{
	static const struct ak_test t[] = {
		{ "CBC/CTR/GCM random chunkings vs one-shot and EVP", t_chunkings },
		{ "CBC partial blocks", t_cbc_partial },
		{ "GCM truncated tags, mismatch, AAD only", t_gcm_tags },
		{ "misuse errors", t_misuse },
		{ "GCM stream and AAD over 64 MiB", t_gcm_big },
		{ "stream after session close: -EBADF", t_after_close },
		{ NULL, NULL },
	};

	return ak_add_suite("cstream_sw", NULL, NULL, t);
}
