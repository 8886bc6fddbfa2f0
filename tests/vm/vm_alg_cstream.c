// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-vm-tests: cipher streams (ak_cipher_stream_*) on the device.
 *
 * AES-CBC/CTR streams chain one-shot jobs; AES-GCM streams run on a
 * device stream context (FIRST, middle jobs, LAST writing the tag:
 * docs/device.md, "Stream contexts"). Each device stream is compared with
 * the CPU (the library's software path: the guest's libcrypto) for random
 * chunkings (0- and 1-byte updates included), split and large AAD,
 * truncated tags and tag mismatch (-EBADMSG); one GCM stream goes past
 * the 64 MiB one-shot limit; raw descriptors check the contract's rules
 * for GCM stream jobs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_alg.h"

static uint32_t cs_seed = 0x1234567;

static uint32_t cs_rnd(void)
{
	cs_seed ^= cs_seed << 13;
	cs_seed ^= cs_seed >> 17;
	cs_seed ^= cs_seed << 5;
	return cs_seed;
}

/* Feed @len bytes to @cs in random pieces; returns bytes written. */
static size_t cs_feed(struct ak_cipher_stream *cs, const uint8_t *src,
		      size_t len, uint8_t *dst, int *err)
{
	size_t off = 0, out = 0;

	*err = 0;
	while (off < len && !*err) {
		size_t k, w = 0;

		switch (cs_rnd() % 6) {
		case 0: k = 0; break;
		case 1: k = 1; break;
		case 2: k = 1 + cs_rnd() % 31; break;
		default: k = cs_rnd() % 9000; break;
		}
		if (k > len - off)
			k = len - off;
		*err = ak_cipher_stream_update(cs, src + off, k, dst + out, &w);
		out += w;
		off += k;
	}
	return out;
}

static void t_chunkings(void)
{
	static const int algs[] = { AK_ALG_AES_CBC, AK_ALG_AES_CTR,
				    AK_ALG_AES_GCM };
	static const char *const names[] = { "cbc(aes)", "ctr(aes)", "gcm(aes)" };
	const size_t maxlen = 40000;
	uint8_t *src = malloc(maxlen), *ref = malloc(maxlen + 16);
	uint8_t *out = malloc(maxlen + 32);
	uint8_t key[32], iv[16], aad[100], tag[16], dtag[16];

	VM_REQUIRE(src && ref && out, "malloc");
	vm_fill_random(src, maxlen, 11);
	vm_fill_random(aad, sizeof(aad), 12);
	for (unsigned a = 0; a < 3; a++) {
		bool gcm = algs[a] == AK_ALG_AES_GCM;
		struct ak_session *dev, *sw;

		VA_REQUIRE_ALG(names[a]);
		dev = va_dev_session(algs[a]);
		sw = va_sw_session(algs[a]);
		for (unsigned it = 0; dev && sw && it < 4; it++) {
			size_t kl = it & 1 ? 32 : 16, al = gcm ? it * 33 : 0;
			size_t len = 1000 + cs_rnd() % (maxlen - 1000), ol, n;
			bool dec = it & 2;
			struct ak_cipher_stream *cs = NULL;
			int r;

			if (!gcm)
				len &= ~(size_t)15;
			vm_fill_random(key, sizeof(key), 20 + it + 8 * a);
			vm_fill_random(iv, sizeof(iv), 40 + it);
			if (algs[a] == AK_ALG_AES_CTR && it == 1)
				memset(iv + 8, 0xff, 8);	/* counter carry */
			/* the CPU's answer */
			ol = maxlen + 16;
			if (gcm)
				r = ak_aead_encrypt(sw, key, kl, iv, 12, aad,
						    al, src, len, ref, tag);
			else
				r = (dec ? ak_decrypt : ak_encrypt)(sw, key, kl,
					iv, 16, src, len, ref, &ol, 0);
			VM_CHECK(r == 0, "CPU %s: %d", names[a], r);
			r = ak_cipher_stream_new(dev, dec ? AK_DECRYPT : AK_ENCRYPT,
						 key, kl, iv, gcm ? 12 : 16, &cs);
			VM_CHECK(r == 0, "ak_cipher_stream_new(%s): %d", names[a], r);
			if (r)
				continue;
			if (al) {
				r = ak_cipher_stream_aad(cs, aad, al / 2);
				if (!r)
					r = ak_cipher_stream_aad(cs, aad + al / 2,
								 al - al / 2);
				VM_CHECK(r == 0, "aad: %d", r);
			}
			memset(out, 0xee, maxlen + 32);
			/* GCM decrypt: of the CPU's ciphertext, back to src */
			n = cs_feed(cs, gcm && dec ? ref : src, len, out, &r);
			VM_CHECK(r == 0 && n == len,
				 "%s %s stream of %zu bytes: %d, %zu out",
				 names[a], dec ? "decrypt" : "encrypt", len, r, n);
			VM_CHECK(!memcmp(out, gcm && dec ? src : ref, len),
				 "%s %s: the device stream differs from the CPU",
				 names[a], dec ? "decrypt" : "encrypt");
			VM_CHECK(out[len] == 0xee, "wrote past the data");
			memcpy(dtag, tag, 16);
			r = ak_cipher_stream_final(cs, dtag, gcm ? 16 - it : 0);
			VM_CHECK(r == 0, "final: %d", r);
			if (gcm && !dec)
				VM_CHECK(!memcmp(dtag, tag, 16 - it),
					 "tag %s, CPU %s", va_hex(dtag, 16),
					 va_hex(tag, 16));
			ak_cipher_stream_free(cs);
		}
		ak_session_close(dev);
		ak_session_close(sw);
	}
	free(src);
	free(ref);
	free(out);
}

/* GCM: 200 KiB of AAD (AAD-only jobs), truncated tags, mismatches. */
static void t_gcm_tags(void)
{
	const size_t al = 200000, len = 5000;
	uint8_t *aad = malloc(al), *src = malloc(len), *ct = malloc(len);
	uint8_t *pt = malloc(len), key[16], iv[12], tag[16], t2[16];
	struct ak_session *dev = NULL, *sw = NULL;
	struct ak_cipher_stream *cs;
	int r;

	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(aad && src && ct && pt, "malloc");
	vm_fill_random(aad, al, 61);
	vm_fill_random(src, len, 62);
	vm_fill_random(key, 16, 63);
	vm_fill_random(iv, 12, 64);
	dev = va_dev_session(AK_ALG_AES_GCM);
	sw = va_sw_session(AK_ALG_AES_GCM);
	if (!dev || !sw)
		goto out;
	r = ak_aead_encrypt(sw, key, 16, iv, 12, aad, al, src, len, ct, tag);
	VM_REQUIRE(r == 0, "CPU GCM: %d", r);
	/* encrypt: AAD in three calls (small, large, small) */
	r = ak_cipher_stream_new(dev, AK_ENCRYPT, key, 16, iv, 12, &cs);
	VM_REQUIRE(r == 0, "new: %d", r);
	r = ak_cipher_stream_aad(cs, aad, 10);
	r = r ? r : ak_cipher_stream_aad(cs, aad + 10, al - 20);
	r = r ? r : ak_cipher_stream_aad(cs, aad + al - 10, 10);
	r = r ? r : ak_cipher_stream_update(cs, src, len, pt, NULL);
	r = r ? r : ak_cipher_stream_final(cs, t2, 16);
	VM_CHECK(r == 0 && !memcmp(pt, ct, len) && !memcmp(t2, tag, 16),
		 "GCM stream with 200 KB of AAD: %d, tag %s, CPU %s", r,
		 va_hex(t2, 16), va_hex(tag, 16));
	ak_cipher_stream_free(cs);
	/* decrypt: right truncated tags pass, a flipped bit fails */
	for (int tl = 4; tl <= 16; tl += 6) {
		for (int flip = 0; flip < 2; flip++) {
			memcpy(t2, tag, 16);
			for (int i = tl; i < 16; i++)
				t2[i] ^= 0xff;	/* not part of the tag */
			if (flip)
				t2[tl - 1] ^= 0x01;
			r = ak_cipher_stream_new(dev, AK_DECRYPT, key, 16, iv,
						 12, &cs);
			VM_REQUIRE(r == 0, "new: %d", r);
			r = ak_cipher_stream_aad(cs, aad, al);
			r = r ? r : ak_cipher_stream_update(cs, ct, 1, pt, NULL);
			r = r ? r : ak_cipher_stream_update(cs, ct + 1, len - 1,
							    pt + 1, NULL);
			VM_CHECK(r == 0 && !memcmp(pt, src, len),
				 "GCM decrypt stream: %d", r);
			r = ak_cipher_stream_final(cs, t2, tl);
			VM_CHECK(r == (flip ? -EBADMSG : 0),
				 "final with a %s %d-byte tag: %d",
				 flip ? "wrong" : "right", tl, r);
			ak_cipher_stream_free(cs);
		}
	}
	/* no data at all (GMAC): the same tag as the CPU */
	r = ak_aead_encrypt(sw, key, 16, iv, 12, aad, 100, NULL, 0, NULL, tag);
	VM_REQUIRE(r == 0, "CPU GMAC: %d", r);
	r = ak_cipher_stream_new(dev, AK_ENCRYPT, key, 16, iv, 12, &cs);
	VM_REQUIRE(r == 0, "new: %d", r);
	r = ak_cipher_stream_aad(cs, aad, 100);
	r = r ? r : ak_cipher_stream_final(cs, t2, 16);
	VM_CHECK(r == 0 && !memcmp(t2, tag, 16), "GMAC stream: %d", r);
	ak_cipher_stream_free(cs);
out:
	ak_session_close(dev);
	ak_session_close(sw);
	free(aad);
	free(src);
	free(ct);
	free(pt);
}

/* One GCM stream past the one-shot limit: 64 MiB + 4097 bytes. */
static void t_gcm_big(void)
{
	const size_t piece = 4u << 20, total = AK_GCM_MAX + 4097;
	uint8_t *src = malloc(piece), *a = malloc(piece), *b = malloc(piece);
	struct ak_cipher_stream *dcs = NULL, *scs = NULL;
	struct ak_session *dev = NULL, *sw = NULL;
	uint8_t key[32], iv[12], dt[16], st[16];
	size_t off, diff = 0;
	uint64_t t0;
	int r = 0;

	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(src && a && b, "malloc");
	vm_fill_random(src, piece, 71);
	vm_fill_random(key, 32, 72);
	vm_fill_random(iv, 12, 73);
	dev = va_dev_session(AK_ALG_AES_GCM);
	sw = va_sw_session(AK_ALG_AES_GCM);
	if (!dev || !sw)
		goto out;
	r = ak_aead_encrypt(dev, key, 32, iv, 12, NULL, 0, src, total, a, dt);
	VM_CHECK(r == -EMSGSIZE, "one-shot GCM of %zu bytes: %d", total, r);
	r = ak_cipher_stream_new(dev, AK_ENCRYPT, key, 32, iv, 12, &dcs);
	r = r ? r : ak_cipher_stream_new(sw, AK_ENCRYPT, key, 32, iv, 12, &scs);
	VM_REQUIRE(r == 0, "new: %d", r);
	t0 = vm_now_ms();
	for (off = 0; off < total && !r; ) {
		size_t k = total - off < piece - 3 ? total - off : piece - 3;

		r = ak_cipher_stream_update(dcs, src, k, a, NULL);
		r = r ? r : ak_cipher_stream_update(scs, src, k, b, NULL);
		if (!r && memcmp(a, b, k))
			diff++;
		off += k;
	}
	VM_CHECK(r == 0 && off == total && !diff,
		 "64 MiB + 4097 GCM stream: %d at %zu, %zu pieces differ", r,
		 off, diff);
	r = r ? r : ak_cipher_stream_final(dcs, dt, 16);
	r = r ? r : ak_cipher_stream_final(scs, st, 16);
	VM_CHECK(r == 0 && !memcmp(dt, st, 16), "tags: %d, device %s CPU %s",
		 r, va_hex(dt, 16), va_hex(st, 16));
	printf("\n    %zu bytes of GCM stream on the device and the CPU in %llu ms\n",
	       total, (unsigned long long)(vm_now_ms() - t0));
out:
	ak_cipher_stream_free(dcs);
	ak_cipher_stream_free(scs);
	ak_session_close(dev);
	ak_session_close(sw);
	free(src);
	free(a);
	free(b);
}

/* The contract's rules for GCM stream jobs, on raw descriptors. */
static void t_raw_rules(void)
{
	uint8_t key[16], iv[12], aad[20], src[100], out[100], ct[100];
	uint8_t tag[16], t2[16], dg[32];
	struct ak_session *sw = NULL;
	struct aks_params p, hp;
	struct ak_queue *q;
	struct aks_desc d;
	struct ak_result res;
	int st;

	VA_REQUIRE_ALG("gcm(aes)");
	vm_fill_random(key, 16, 81);
	vm_fill_random(iv, 12, 82);
	vm_fill_random(aad, 20, 83);
	vm_fill_random(src, 100, 84);
	sw = va_sw_session(AK_ALG_AES_GCM);
	if (!sw)
		return;
	VM_REQUIRE(ak_aead_encrypt(sw, key, 16, iv, 12, aad, 20, src, 100, ct,
				   tag) == 0, "CPU GCM");
	ak_session_close(sw);
	q = vm_open_queue(0);
	if (!q)
		return;
	memset(&p, 0, sizeof(p));
	p.alg = AKS_CIPHER_AES_GCM;
	p.key = (uintptr_t)key;
	p.key_len = 16;
	p.iv = (uintptr_t)iv;
	p.iv_len = 12;
	p.aad = (uintptr_t)aad;
	p.auth_tag = (uintptr_t)t2;
#define RUN(fl, ctx, s, l, o)						\
	(va_desc(&d, AKS_OP_CIPHER, (fl), (ctx), (s), (l), (o), (l), &p), \
	 va_raw_run(q, &d, &res, NULL) < 0 ? 0xffff : res.status)

	/* a middle job on a free context, and on one holding a digest */
	st = RUN(0, 2, src, 16, out);
	VM_CHECK(st == AKS_ST_INVALID_DESC, "middle GCM job, free ctx: %s",
		 va_st(st));
	memset(&hp, 0, sizeof(hp));
	hp.alg = AKS_HASH_SHA256;
	va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST, 2, src, 10, dg, 32, &hp);
	VM_CHECK(va_raw_run(q, &d, &res, NULL) == 0 &&
		 res.status == AKS_ST_SUCCESS, "hash FIRST: %s",
		 va_st(res.status));
	st = RUN(AKS_DF_LAST, 2, src, 16, out);
	VM_CHECK(st == AKS_ST_INVALID_DESC, "GCM LAST on a hash stream: %s",
		 va_st(st));
	/* FIRST (AAD in two jobs), a middle job, LAST: the CPU's bytes */
	p.aad_len = 7;
	st = RUN(AKS_DF_FIRST, 2, src, 0, out);	/* replaces the digest */
	VM_CHECK(st == AKS_ST_SUCCESS, "GCM FIRST: %s", va_st(st));
	p.aad = (uintptr_t)(aad + 7);
	p.aad_len = 13;
	st = RUN(0, 2, src, 33, out);
	VM_CHECK(st == AKS_ST_SUCCESS && res.bytes == 33, "middle: %s",
		 va_st(st));
	st = RUN(0, 2, src + 33, 1, out + 33);		/* AAD after data */
	VM_CHECK(st == AKS_ST_INVALID_DESC, "AAD after data: %s", va_st(st));
	p.aad_len = 0;
	st = RUN(AKS_DF_DECRYPT, 2, src + 33, 1, out + 33);
	VM_CHECK(st == AKS_ST_INVALID_DESC, "direction change: %s", va_st(st));
	st = RUN(0, 2, src + 33, 1, out + 33);	/* state kept after errors */
	VM_CHECK(st == AKS_ST_SUCCESS, "middle after refusals: %s", va_st(st));
	memset(t2, 0, 16);
	st = RUN(AKS_DF_LAST, 2, src + 34, 66, out + 34);
	VM_CHECK(st == AKS_ST_SUCCESS && !memcmp(out, ct, 100) &&
		 !memcmp(t2, tag, 16), "LAST: %s, tag %s CPU %s", va_st(st),
		 va_hex(t2, 16), va_hex(tag, 16));
	st = RUN(0, 2, src, 16, out);
	VM_CHECK(st == AKS_ST_INVALID_DESC, "after LAST the ctx is free: %s",
		 va_st(st));
	/* decrypt stream: LAST writes the computed tag (no check) */
	p.aad = (uintptr_t)aad;
	p.aad_len = 20;
	st = RUN(AKS_DF_FIRST | AKS_DF_DECRYPT, 5, ct, 50, out);
	p.aad_len = 0;
	memset(t2, 0, 16);
	if (st == AKS_ST_SUCCESS)
		st = RUN(AKS_DF_LAST | AKS_DF_DECRYPT, 5, ct + 50, 50, out + 50);
	VM_CHECK(st == AKS_ST_SUCCESS && !memcmp(out, src, 100) &&
		 !memcmp(t2, tag, 16), "decrypt stream: %s, tag %s CPU %s",
		 va_st(st), va_hex(t2, 16), va_hex(tag, 16));
	/* other modes stay one-shot */
	p.alg = AKS_CIPHER_AES_CBC;
	p.iv_len = 16;
	st = RUN(AKS_DF_FIRST, 3, src, 16, out);
	VM_CHECK(st == AKS_ST_INVALID_DESC, "CBC FIRST only: %s", va_st(st));
#undef RUN
	ak_queue_close(q);
}

/* Seven contexts per session: the eighth GCM stream is -EBUSY. */
static void t_contexts(void)
{
	struct ak_cipher_stream *cs[8] = { NULL };
	uint8_t key[16] = { 1 }, iv[12] = { 2 }, b[32] = { 0 };
	struct ak_session *dev;
	int i, r = 0;

	VA_REQUIRE_ALG("gcm(aes)");
	dev = va_dev_session(AK_ALG_AES_GCM);
	if (!dev)
		return;
	for (i = 0; i < 7 && !r; i++) {
		r = ak_cipher_stream_new(dev, AK_ENCRYPT, key, 16, iv, 12, &cs[i]);
		r = r ? r : ak_cipher_stream_update(cs[i], b, 32, b, NULL);
	}
	VM_CHECK(r == 0, "7 device GCM streams: %d", r);
	r = ak_cipher_stream_new(dev, AK_ENCRYPT, key, 16, iv, 12, &cs[7]);
	VM_CHECK(r == -EBUSY, "8th stream on a device-only session: %d", r);
	ak_cipher_stream_free(cs[0]);
	cs[0] = NULL;
	r = ak_cipher_stream_new(dev, AK_ENCRYPT, key, 16, iv, 12, &cs[7]);
	VM_CHECK(r == 0, "after one was freed: %d", r);
	for (i = 0; i < 8; i++)
		ak_cipher_stream_free(cs[i]);
	ak_session_close(dev);
}

int add_alg_cstream_suites(void)
{
	static const struct ak_test t[] = {
		{ "CBC/CTR/GCM streams vs CPU, random chunkings", t_chunkings },
		{ "GCM large AAD, truncated tags, mismatch", t_gcm_tags },
		{ "GCM stream over 64 MiB", t_gcm_big },
		{ "GCM stream jobs: contract rules (raw)", t_raw_rules },
		{ "stream contexts: the eighth is -EBUSY", t_contexts },
		{ NULL, NULL },
	};

	return ak_add_suite("alg: cstream", NULL, NULL, t);
}
