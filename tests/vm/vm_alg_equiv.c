// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device and software paths are byte-identical on the same inputs:
 * compression at levels 1, 6, 9 x raw/zlib/gzip on random, text-like and
 * zero inputs of 0, 1, 4095, 64 KiB and 1 MiB+odd bytes; digests; HMAC;
 * ciphers (CBC, CTR, XTS, GCM) in both directions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_alg.h"

#define BIG ((1u << 20) + 777)

struct input { const char *name; size_t len; int kind; };	/* 0 rnd 1 text 2 zero */

static const struct input inputs[] = {
	{ "empty", 0, 0 }, { "1 byte", 1, 0 }, { "random 4095", 4095, 0 },
	{ "text 4095", 4095, 1 }, { "random 64K", 65536, 0 },
	{ "text 64K", 65536, 1 }, { "zeros 64K", 65536, 2 },
	{ "text 1M+777", BIG, 1 }, { "zeros 1M+777", BIG, 2 },
	{ "random 1M+777", BIG, 0 },
};

static void make_input(const struct input *in, uint8_t *buf, uint32_t seed)
{
	if (in->kind == 0)
		vm_fill_random(buf, in->len, seed);
	else if (in->kind == 1)
		va_fill_text(buf, in->len, seed);
	else
		memset(buf, 0, in->len);
}

static void t_compress_equiv(void)
{
	static const int algs[] = { AK_ALG_DEFLATE, AK_ALG_ZLIB, AK_ALG_GZIP };
	static const int levels[] = { 1, 6, 9 };
	size_t cap = BIG + BIG / 8 + 4096;
	uint8_t *src = malloc(BIG), *a = malloc(cap), *b = malloc(cap),
		*back = malloc(BIG);
	size_t ai, ii, li;

	VA_REQUIRE_ALG("gzip");
	VM_REQUIRE(src && a && b && back, "malloc");
	for (ai = 0; ai < 3; ai++) {
		struct ak_session *dev = va_dev_session(algs[ai]);
		struct ak_session *sw = va_sw_session(algs[ai]);

		for (ii = 0; dev && sw && ii < sizeof(inputs) / sizeof(inputs[0]); ii++) {
			const struct input *in = &inputs[ii];

			make_input(in, src, (uint32_t)(ii + 1));
			for (li = 0; li < 3; li++) {
				size_t al = cap, bl = cap, rl = BIG;
				int ra, rb, rd;

				/* the random 1 MiB input: one framing is enough
				 * (the deflate body does not depend on it) */
				if (in->len == BIG && in->kind == 0 &&
				    algs[ai] != AK_ALG_GZIP)
					continue;
				ra = ak_compress(dev, levels[li], src, in->len, a, &al);
				rb = ak_compress(sw, levels[li], src, in->len, b, &bl);
				VM_CHECK(ra == 0 && rb == 0 && al == bl &&
					 !memcmp(a, b, al),
					 "%s level %d %s: device %d (%zu bytes) vs software %d (%zu bytes), first diff at %ld",
					 ak_alg_name(algs[ai]), levels[li], in->name,
					 ra, al, rb, bl,
					 al == bl ? vm_first_diff(a, b, al) : -2L);
				if (ra)
					continue;
				rd = ak_decompress(dev, a, al, back, &rl, NULL);
				VM_CHECK(rd == 0 && rl == in->len &&
					 !memcmp(back, src, in->len),
					 "%s level %d %s: device round trip %d, %zu bytes",
					 ak_alg_name(algs[ai]), levels[li],
					 in->name, rd, rl);
			}
		}
		ak_session_close(dev);
		ak_session_close(sw);
	}
	free(src);
	free(a);
	free(b);
	free(back);
}

static void t_digest_equiv(void)
{
	static const size_t sizes[] = { 0, 1, 55, 56, 63, 64, 65, 111, 112,
					127, 128, 129, 4095, 65536, BIG };
	static const size_t key_sizes[] = { 1, 32, 64, 65, 1024 };
	uint8_t *src = malloc(BIG), key[1024];
	int alg;
	size_t i, k;

	VA_REQUIRE_ALG("sha512");
	VA_REQUIRE_ALG("hmac(sha256)");
	VM_REQUIRE(src, "malloc");
	vm_fill_random(src, BIG, 99);
	vm_fill_random(key, sizeof(key), 98);
	for (alg = AK_ALG_SHA256; alg <= AK_ALG_SHA512; alg++) {
		struct ak_session *dev = va_dev_session(alg);
		struct ak_session *sw = va_sw_session(alg);

		for (i = 0; dev && sw && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint8_t a[64], b[64];
			size_t al = 64, bl = 64;
			int ra = ak_digest(dev, src, sizes[i], a, &al);
			int rb = ak_digest(sw, src, sizes[i], b, &bl);

			VM_CHECK(ra == 0 && rb == 0 && al == bl &&
				 al == ak_digest_size(alg) && !memcmp(a, b, al),
				 "%s of %zu bytes: device %d %s vs software %d %s",
				 ak_alg_name(alg), sizes[i], ra, va_hex(a, al),
				 rb, va_hex(b, bl));
		}
		ak_session_close(dev);
		ak_session_close(sw);
	}
	{
		struct ak_session *dev = va_dev_session(AK_ALG_HMAC_SHA256);
		struct ak_session *sw = va_sw_session(AK_ALG_HMAC_SHA256);

		for (k = 0; dev && sw && k < sizeof(key_sizes) / sizeof(key_sizes[0]); k++)
			for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i += 3) {
				uint8_t a[32], b[32];
				size_t al = 32, bl = 32;
				int ra = ak_hmac(dev, key, key_sizes[k], src,
						 sizes[i], a, &al);
				int rb = ak_hmac(sw, key, key_sizes[k], src,
						 sizes[i], b, &bl);

				VM_CHECK(ra == 0 && rb == 0 && al == 32 &&
					 bl == 32 && !memcmp(a, b, 32),
					 "hmac key %zu data %zu: device %d %s vs software %d %s",
					 key_sizes[k], sizes[i], ra,
					 va_hex(a, 32), rb, va_hex(b, 32));
			}
		ak_session_close(dev);
		ak_session_close(sw);
	}
	free(src);
}

static void t_cipher_equiv(void)
{
	static const size_t sizes[] = { 16, 17, 31, 32, 48, 512, 4096 + 5,
					65536, 65536 + 16 };
	static const char *const ivs[] = {
		"000102030405060708090a0b0c0d0e0f",
		"0000000000000000fffffffffffffffe",	/* 64-bit carry */
		"fffffffffffffffffffffffffffffffe",	/* 128-bit wrap */
	};
	size_t cap = 65536 + 64;
	uint8_t *src = malloc(cap), *a = malloc(cap), *b = malloc(cap),
		*c = malloc(cap), key[64], iv[16];
	int alg;
	size_t i, kl, vi, ki;

	VA_REQUIRE_ALG("cbc(aes)");
	VA_REQUIRE_ALG("xts(aes)");
	VM_REQUIRE(src && a && b && c, "malloc");
	vm_fill_random(src, cap, 55);
	vm_fill_random(key, sizeof(key), 56);
	for (alg = AK_ALG_AES_CBC; alg <= AK_ALG_AES_XTS; alg++) {
		struct ak_session *dev = va_dev_session(alg);
		struct ak_session *sw = va_sw_session(alg);

		for (ki = 0; dev && sw && ki < 2; ki++)
		for (vi = 0; vi < 3; vi++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i], al = cap, bl = cap, cl = cap;
			unsigned fl = 0;
			int ra, rb, rc;

			kl = alg == AK_ALG_AES_XTS ? (ki ? 64 : 32) : (ki ? 32 : 16);
			va_unhex(ivs[vi], iv, sizeof(iv));
			if (alg == AK_ALG_AES_CBC && n % 16)
				fl = AK_CF_PKCS7;
			if (alg != AK_ALG_AES_CTR && vi == 2 && i > 3)
				continue;
			ra = ak_encrypt(dev, key, kl, iv, 16, src, n, a, &al, fl);
			rb = ak_encrypt(sw, key, kl, iv, 16, src, n, b, &bl, fl);
			VM_CHECK(ra == 0 && rb == 0 && al == bl &&
				 !memcmp(a, b, al),
				 "%s key %zu iv %s len %zu flags %u: device %d (%zu) vs software %d (%zu), first diff %ld",
				 ak_alg_name(alg), kl, ivs[vi], n, fl, ra, al,
				 rb, bl, al == bl ? vm_first_diff(a, b, al) : -2L);
			if (rb)
				continue;
			/* device decrypts the software ciphertext */
			rc = ak_decrypt(dev, key, kl, iv, 16, b, bl, c, &cl, fl);
			VM_CHECK(rc == 0 && cl == n && !memcmp(c, src, n),
				 "%s key %zu len %zu: device decrypt %d (%zu bytes)",
				 ak_alg_name(alg), kl, n, rc, cl);
		}
		ak_session_close(dev);
		ak_session_close(sw);
	}
	/* GCM: ciphertext and tag, AAD of several sizes */
	{
		static const size_t gsz[] = { 0, 1, 15, 16, 17, 4096, 65536 };
		static const size_t asz[] = { 0, 1, 20, 300 };
		struct ak_session *dev = va_dev_session(AK_ALG_AES_GCM);
		struct ak_session *sw = va_sw_session(AK_ALG_AES_GCM);
		size_t ai;

		for (ki = 0; dev && sw && ki < 2; ki++)
		for (i = 0; i < sizeof(gsz) / sizeof(gsz[0]); i++)
		for (ai = 0; ai < sizeof(asz) / sizeof(asz[0]); ai++) {
			uint8_t ta[16], tb[16];
			const uint8_t *aad = key + 3;
			uint8_t aadbuf[300];
			int ra, rb, rc;

			vm_fill_random(aadbuf, sizeof(aadbuf), (uint32_t)ai);
			aad = asz[ai] ? aadbuf : NULL;
			kl = ki ? 32 : 16;
			ra = ak_aead_encrypt(dev, key, kl, key + 40, 12, aad,
					     asz[ai], src, gsz[i], a, ta);
			rb = ak_aead_encrypt(sw, key, kl, key + 40, 12, aad,
					     asz[ai], src, gsz[i], b, tb);
			VM_CHECK(ra == 0 && rb == 0 &&
				 !memcmp(a, b, gsz[i]) && !memcmp(ta, tb, 16),
				 "gcm key %zu len %zu aad %zu: device %d tag %s vs software %d tag %s",
				 kl, gsz[i], asz[ai], ra, va_hex(ta, 16), rb,
				 va_hex(tb, 16));
			rc = ak_aead_decrypt(dev, key, kl, key + 40, 12, aad,
					     asz[ai], b, gsz[i], c, tb);
			VM_CHECK(rc == 0 && !memcmp(c, src, gsz[i]),
				 "gcm key %zu len %zu aad %zu: device decrypt of software output %d",
				 kl, gsz[i], asz[ai], rc);
		}
		ak_session_close(dev);
		ak_session_close(sw);
	}
	free(src);
	free(a);
	free(b);
	free(c);
}

static const struct ak_test equiv_tests[] = {
	{ "compress: device == software (levels 1,6,9 x raw/zlib/gzip)", t_compress_equiv },
	{ "digests and HMAC: device == software", t_digest_equiv },
	{ "ciphers CBC/CTR/XTS/GCM: device == software", t_cipher_equiv },
	{ NULL, NULL },
};

int add_alg_equiv_suites(void)
{
	return ak_add_suite("alg: device == software", NULL, NULL,
			    equiv_tests);
}
