// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every error status of the algorithm engines through the RAW API
 * (ak_submit_raw with struct aks_desc + struct aks_params): DATA_ERROR,
 * OVERFLOW at every boundary, INVALID_DESC for each out-of-range field,
 * AUTH_FAILURE, stream-context misuse, TRANSLATION_FAULT on key/params/IV/
 * AAD/tag; and key hygiene (the device keeps no key across jobs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_alg.h"

#define CANARY 0x5a

static struct ak_queue *rq;
static uint64_t max_xfer;

static int raw_init(void)
{
	struct ak_queue_info qi;

	if (vm_suite_queue_open(&rq, NULL, &qi))
		return -1;
	max_xfer = qi.max_xfer;
	return 0;
}

static int raw_clean(void)
{
	return vm_suite_queue_close(&rq);
}

/* Run @d on the suite queue; status, or 0xffff without a completion. */
static int run(struct aks_desc *d, struct ak_result *r, uint16_t *cf)
{
	if (va_raw_run(rq, d, r, cf) < 0)
		return 0xffff;
	return r->status;
}

/* A one-shot COMPRESS of @src on the device into @dst; returns the bytes
 * (0 after a recorded failure). */
static size_t dev_compress(unsigned frame, int level, const void *src,
			   size_t len, void *dst, size_t cap)
{
	struct aks_params p;
	struct aks_desc d;
	struct ak_result r;
	int st;

	memset(&p, 0, sizeof(p));
	p.alg = frame;
	p.level = (uint32_t)level;
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, src, len,
		dst, cap, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS && r.bytes > 0 && r.bytes <= cap,
		 "COMPRESS frame %u level %d of %zu bytes: %s bytes %llu",
		 frame, level, len, va_st(st), (unsigned long long)r.bytes);
	return st == AKS_ST_SUCCESS ? r.bytes : 0;
}

/* ---- DATA_ERROR ---- */

static void data_error_case(const char *what, unsigned frame,
			    const uint8_t *in, size_t len, uint64_t min_off)
{
	static uint8_t dst[8192];
	struct aks_params p;
	struct aks_desc d;
	struct ak_result r;
	int st;

	memset(&p, 0, sizeof(p));
	p.alg = frame;
	memset(dst, CANARY, sizeof(dst));
	va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, in, len,
		dst, sizeof(dst), &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_DATA_ERROR, "%s: status %s, want DATA_ERROR",
		 what, va_st(st));
	if (st != AKS_ST_DATA_ERROR)
		return;
	VM_CHECK(r.fault_addr < len && r.fault_addr >= min_off,
		 "%s: DATA_ERROR input offset %llu, want in [%llu, %zu)", what,
		 (unsigned long long)r.fault_addr,
		 (unsigned long long)min_off, len);
	VM_CHECK(r.bytes == 0, "%s: DATA_ERROR with bytes %llu", what,
		 (unsigned long long)r.bytes);
	VM_CHECK(vm_first_not(dst, CANARY, sizeof(dst)) < 0,
		 "%s: dst written at %ld despite DATA_ERROR", what,
		 vm_first_not(dst, CANARY, sizeof(dst)));
}

static void t_data_error(void)
{
	static const uint8_t bad_type[] = { 0x07, 0x00, 0x00, 0x00, 0x11 };
	/* stored block, LEN 5, NLEN 0 (should be 0xfffa) */
	static const uint8_t bad_stored[] = { 0x01, 0x05, 0x00, 0x00, 0x00,
					      'h', 'e', 'l', 'l', 'o' };
	static const uint8_t bad_zhdr[] = { 0x78, 0x9d, 0x01, 0x00, 0x00,
					    0xff, 0xff, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t bad_gzmagic[] = { 0x1f, 0x8c, 0x08, 0, 0, 0, 0, 0,
					       0, 3, 0x03, 0x00, 0, 0, 0, 0,
					       0, 0, 0, 0 };
	uint8_t text[4096], comp[8192];
	size_t n;

	VA_REQUIRE_ALG("deflate");
	data_error_case("raw: invalid block type 3", AKS_FRAME_RAW, bad_type,
			sizeof(bad_type), 0);
	data_error_case("raw: stored block LEN/NLEN mismatch", AKS_FRAME_RAW,
			bad_stored, sizeof(bad_stored), 0);
	data_error_case("zlib: header check bits wrong", AKS_FRAME_ZLIB,
			bad_zhdr, sizeof(bad_zhdr), 0);
	data_error_case("gzip: bad magic", AKS_FRAME_GZIP, bad_gzmagic,
			sizeof(bad_gzmagic), 0);

	va_fill_text(text, sizeof(text), 11);
	n = dev_compress(AKS_FRAME_GZIP, 6, text, sizeof(text), comp,
			 sizeof(comp));
	if (n > 8) {
		comp[n - 8] ^= 0x01;	/* CRC-32 of the trailer */
		data_error_case("gzip: CRC-32 mismatch", AKS_FRAME_GZIP, comp,
				n, n - 8);
		comp[n - 8] ^= 0x01;
		comp[n - 2] ^= 0x01;	/* ISIZE */
		data_error_case("gzip: ISIZE mismatch", AKS_FRAME_GZIP, comp,
				n, n - 4);
	}
	n = dev_compress(AKS_FRAME_ZLIB, 6, text, sizeof(text), comp,
			 sizeof(comp));
	if (n > 4) {
		comp[n - 1] ^= 0x80;	/* Adler-32 */
		data_error_case("zlib: Adler-32 mismatch", AKS_FRAME_ZLIB,
				comp, n, n - 4);
	}
}

/* ---- OVERFLOW at every boundary ---- */

/*
 * Run @d with dst_len = 0 .. need+1 (dst a canary-filled buffer of
 * need + 64 bytes): below @need OVERFLOW with fault_addr == need and
 * nothing written anywhere; at need and need+1 SUCCESS with bytes == need,
 * output == @want, nothing past need.
 */
static void sweep(const char *what, struct aks_desc *d, size_t need,
		  const uint8_t *want, size_t step)
{
	size_t cap = need + 64, dl;
	uint8_t *dst = malloc(cap);
	int bad = 0;

	if (!dst) {
		VM_FAIL("malloc");
		return;
	}
	d->dst = (uintptr_t)dst;
	for (dl = 0; dl <= need + 1 && bad < 3; dl += (dl + step < need) ? step : 1) {
		struct ak_result r;
		int st;

		memset(dst, CANARY, cap);
		d->pattern = dl;
		st = run(d, &r, NULL);
		if (dl < need) {
			if (st != AKS_ST_OVERFLOW || r.fault_addr != need ||
			    r.bytes != 0 ||
			    vm_first_not(dst, CANARY, cap) >= 0) {
				VM_FAIL("%s dst_len %zu (< %zu): %s needed %llu bytes %llu, dst written at %ld",
					what, dl, need, va_st(st),
					(unsigned long long)r.fault_addr,
					(unsigned long long)r.bytes,
					vm_first_not(dst, CANARY, cap));
				bad++;
			}
		} else {
			if (st != AKS_ST_SUCCESS || r.bytes != need ||
			    memcmp(dst, want, need) ||
			    vm_first_not(dst + need, CANARY, cap - need) >= 0) {
				VM_FAIL("%s dst_len %zu (need %zu): %s bytes %llu, output %s, past-end written at %ld",
					what, dl, need, va_st(st),
					(unsigned long long)r.bytes,
					memcmp(dst, want, need) ? "WRONG" : "ok",
					vm_first_not(dst + need, CANARY, cap - need));
				bad++;
			}
		}
	}
	free(dst);
}

static void t_overflow(void)
{
	static uint8_t text[300], comp[1024], out[64];
	uint8_t key[32], iv[16], tag[16];
	struct aks_params p;
	struct aks_desc d;
	struct ak_result r;
	size_t m;
	int st;

	VA_REQUIRE_ALG("gzip");
	va_fill_text(text, sizeof(text), 5);

	/* COMPRESS: learn the output size with room, then sweep */
	m = dev_compress(AKS_FRAME_GZIP, 6, text, sizeof(text), comp,
			 sizeof(comp));
	if (!m)
		return;
	memset(&p, 0, sizeof(p));
	p.alg = AKS_FRAME_GZIP;
	p.level = 6;
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, text,
		sizeof(text), NULL, 0, &p);
	sweep("COMPRESS gzip", &d, m, comp, 1);

	/* DECOMPRESS of that stream */
	va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, comp, m,
		NULL, 0, &p);
	sweep("DECOMPRESS gzip", &d, sizeof(text), text, 1);

	/* HASH: digest sizes */
	p.alg = AKS_HASH_SHA256;
	va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST | AKS_DF_LAST, 0, text,
		sizeof(text), out, 64, &p);
	memset(out, 0, sizeof(out));
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS && r.bytes == 32, "sha256: %s",
		 va_st(st));
	if (st == AKS_ST_SUCCESS) {
		uint8_t dg[32];

		memcpy(dg, out, 32);
		sweep("HASH sha256", &d, 32, dg, 1);
	}
	p.alg = AKS_HASH_SHA512;
	va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST | AKS_DF_LAST, 0, text,
		sizeof(text), out, 64, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS && r.bytes == 64, "sha512: %s",
		 va_st(st));
	if (st == AKS_ST_SUCCESS) {
		uint8_t dg[64];

		memcpy(dg, out, 64);
		sweep("HASH sha512", &d, 64, dg, 7);
	}

	/* CIPHER: CBC and GCM of 64 bytes */
	vm_fill_random(key, sizeof(key), 1);
	vm_fill_random(iv, sizeof(iv), 2);
	st = va_raw_cipher(rq, AKS_CIPHER_AES_CBC, false, key, 16, iv, 16, text,
			   64, comp, 64, NULL, 0, NULL, &r);
	VM_CHECK(st == AKS_ST_SUCCESS, "CBC: %s", va_st(st));
	memset(&p, 0, sizeof(p));
	p.alg = AKS_CIPHER_AES_CBC;
	p.key = (uintptr_t)key;
	p.key_len = 16;
	p.iv = (uintptr_t)iv;
	p.iv_len = 16;
	va_desc(&d, AKS_OP_CIPHER, AKS_DF_FIRST | AKS_DF_LAST, 0, text, 64,
		NULL, 0, &p);
	if (st == AKS_ST_SUCCESS)
		sweep("CIPHER cbc(aes)", &d, 64, comp, 5);
	st = va_raw_cipher(rq, AKS_CIPHER_AES_GCM, false, key, 32, iv, 12, text,
			   64, comp, 64, NULL, 0, tag, &r);
	VM_CHECK(st == AKS_ST_SUCCESS, "GCM: %s", va_st(st));
	p.alg = AKS_CIPHER_AES_GCM;
	p.key_len = 32;
	p.iv_len = 12;
	p.auth_tag = (uintptr_t)tag;
	va_desc(&d, AKS_OP_CIPHER, AKS_DF_FIRST | AKS_DF_LAST, 0, text, 64,
		NULL, 0, &p);
	if (st == AKS_ST_SUCCESS)
		sweep("CIPHER gcm(aes)", &d, 64, comp, 9);
}

/* OVERFLOW inside a stream leaves the context unchanged: retrying the same
 * job with room continues the stream correctly. */
static void t_overflow_stream_ctx(void)
{
	static uint8_t text[20000], comp[24000], out[24000];
	uint8_t dg[32], want[32];
	struct aks_params p;
	struct aks_desc d;
	struct ak_result r;
	uint16_t cf;
	size_t m, half, total = 0;
	int st;

	VA_REQUIRE_ALG("zlib");
	va_fill_text(text, sizeof(text), 9);
	m = dev_compress(AKS_FRAME_ZLIB, 9, text, sizeof(text), comp,
			 sizeof(comp));
	if (!m)
		return;
	half = m / 2;
	memset(&p, 0, sizeof(p));
	p.alg = AKS_FRAME_ZLIB;
	memset(out, CANARY, sizeof(out));
	va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST, 4, comp, half, out, 1, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_OVERFLOW && r.fault_addr > 1 && r.bytes == 0 &&
		 vm_first_not(out, CANARY, sizeof(out)) < 0,
		 "stream DECOMPRESS first half into 1 byte: %s needed %llu",
		 va_st(st), (unsigned long long)r.fault_addr);
	/* the context is still free: a job without FIRST is invalid */
	va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_LAST, 4, comp + half, m - half,
		out, sizeof(out), &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_INVALID_DESC,
		 "continuation after an overflowed FIRST (context must still be free): %s",
		 va_st(st));
	/* retry FIRST with room, then the rest */
	va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST, 4, comp, half, out,
		sizeof(out), &p);
	st = run(&d, &r, &cf);
	VM_CHECK(st == AKS_ST_SUCCESS && !(cf & AKS_CF_END),
		 "FIRST retry: %s flags 0x%x", va_st(st), cf);
	if (st != AKS_ST_SUCCESS)
		return;
	total = r.bytes;
	/* second half: overflow once (1 byte short of what remains) */
	va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_LAST, 4, comp + half, m - half,
		out + total, sizeof(text) - total - 1, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_OVERFLOW &&
		 r.fault_addr == sizeof(text) - total,
		 "second half into 1 byte too little: %s needed %llu want %zu",
		 va_st(st), (unsigned long long)r.fault_addr,
		 sizeof(text) - total);
	d.pattern = sizeof(out) - total;
	st = run(&d, &r, &cf);
	VM_CHECK(st == AKS_ST_SUCCESS && (cf & AKS_CF_END) &&
		 r.fault_addr == m - half,
		 "second half retry: %s flags 0x%x consumed %llu of %zu",
		 va_st(st), cf, (unsigned long long)r.fault_addr, m - half);
	if (st == AKS_ST_SUCCESS)
		total += r.bytes;
	VM_CHECK(total == sizeof(text) && !memcmp(out, text, sizeof(text)),
		 "stream output %zu bytes, %s", total,
		 memcmp(out, text, sizeof(text)) ? "differs" : "equal");

	/* HASH: LAST into a short dst overflows; retry gives the digest of
	 * the message counted once */
	p.alg = AKS_HASH_SHA256;
	va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST | AKS_DF_LAST, 0, text,
		sizeof(text), want, 32, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS, "sha256 one-shot %s", va_st(st));
	va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST, 6, text, 1000, dg, 32, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS && r.bytes == 0, "hash FIRST %s",
		 va_st(st));
	memset(dg, CANARY, sizeof(dg));
	va_desc(&d, AKS_OP_HASH, AKS_DF_LAST, 6, text + 1000,
		sizeof(text) - 1000, dg, 16, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_OVERFLOW && r.fault_addr == 32 &&
		 vm_first_not(dg, CANARY, sizeof(dg)) < 0,
		 "hash LAST into 16 bytes: %s needed %llu", va_st(st),
		 (unsigned long long)r.fault_addr);
	d.pattern = 32;
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS && r.bytes == 32 && !memcmp(dg, want, 32),
		 "hash LAST retry: %s %s want %s", va_st(st), va_hex(dg, 32),
		 va_hex(want, 32));
}

/* ---- INVALID_DESC ---- */

struct inv_case {
	const char *what;
	unsigned op, flags, ctx;
	size_t len;
	struct aks_params p;
};

static void t_invalid(void)
{
	static uint8_t src[4096], dst[4096], key[128], iv[16], tag[16];
	uint64_t K = (uintptr_t)key, I = (uintptr_t)iv, T = (uintptr_t)tag;
	const unsigned FL = AKS_DF_FIRST | AKS_DF_LAST;
	const struct inv_case cases[] = {
		{ "COMPRESS alg 3", AKS_OP_COMPRESS, FL, 0, 100, { .alg = 3, .level = 6 } },
		{ "DECOMPRESS alg 7", AKS_OP_DECOMPRESS, FL, 0, 100, { .alg = 7 } },
		{ "HASH alg 3", AKS_OP_HASH, FL, 0, 100, { .alg = 3 } },
		{ "CIPHER alg 4", AKS_OP_CIPHER, FL, 0, 64, { .alg = 4, .key = K, .key_len = 16, .iv = I, .iv_len = 16 } },
		{ "COMPRESS level 0", AKS_OP_COMPRESS, FL, 0, 100, { .alg = AKS_FRAME_GZIP, .level = 0 } },
		{ "COMPRESS level 10", AKS_OP_COMPRESS, FL, 0, 100, { .alg = AKS_FRAME_RAW, .level = 10 } },
		{ "COMPRESS stream FIRST level 10", AKS_OP_COMPRESS, AKS_DF_FIRST, 1, 100, { .alg = AKS_FRAME_ZLIB, .level = 10 } },
		{ "CBC key_len 24", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_CBC, .key = K, .key_len = 24, .iv = I, .iv_len = 16 } },
		{ "CTR key_len 24", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_CTR, .key = K, .key_len = 24, .iv = I, .iv_len = 16 } },
		{ "GCM key_len 24", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_GCM, .key = K, .key_len = 24, .iv = I, .iv_len = 12, .auth_tag = T } },
		{ "XTS key_len 16", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_XTS, .key = K, .key_len = 16, .iv = I, .iv_len = 16 } },
		{ "XTS key_len 48", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_XTS, .key = K, .key_len = 48, .iv = I, .iv_len = 16 } },
		{ "CBC key_len 0", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_CBC, .key = K, .key_len = 0, .iv = I, .iv_len = 16 } },
		{ "HMAC key_len 0", AKS_OP_HASH, FL, 0, 64, { .alg = AKS_HASH_HMAC_SHA256, .key = K, .key_len = 0 } },
		{ "HMAC key_len 1025", AKS_OP_HASH, FL, 0, 64, { .alg = AKS_HASH_HMAC_SHA256, .key = K, .key_len = 1025 } },
		{ "CBC iv_len 12", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_CBC, .key = K, .key_len = 16, .iv = I, .iv_len = 12 } },
		{ "CTR iv_len 0", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_CTR, .key = K, .key_len = 16, .iv = I, .iv_len = 0 } },
		{ "XTS iv_len 12", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_XTS, .key = K, .key_len = 32, .iv = I, .iv_len = 12 } },
		{ "GCM iv_len 16", AKS_OP_CIPHER, FL, 0, 64, { .alg = AKS_CIPHER_AES_GCM, .key = K, .key_len = 16, .iv = I, .iv_len = 16, .auth_tag = T } },
		{ "CBC len 17", AKS_OP_CIPHER, FL, 0, 17, { .alg = AKS_CIPHER_AES_CBC, .key = K, .key_len = 16, .iv = I, .iv_len = 16 } },
		{ "CBC len 15 (decrypt)", AKS_OP_CIPHER, FL | AKS_DF_DECRYPT, 0, 15, { .alg = AKS_CIPHER_AES_CBC, .key = K, .key_len = 32, .iv = I, .iv_len = 16 } },
		{ "XTS len 15", AKS_OP_CIPHER, FL, 0, 15, { .alg = AKS_CIPHER_AES_XTS, .key = K, .key_len = 32, .iv = I, .iv_len = 16 } },
		{ "XTS len 0", AKS_OP_CIPHER, FL, 0, 0, { .alg = AKS_CIPHER_AES_XTS, .key = K, .key_len = 64, .iv = I, .iv_len = 16 } },
		{ "CIPHER FIRST only (not one-shot)", AKS_OP_CIPHER, AKS_DF_FIRST, 1, 64, { .alg = AKS_CIPHER_AES_CTR, .key = K, .key_len = 16, .iv = I, .iv_len = 16 } },
		{ "CIPHER no FIRST/LAST", AKS_OP_CIPHER, 0, 1, 64, { .alg = AKS_CIPHER_AES_CBC, .key = K, .key_len = 16, .iv = I, .iv_len = 16 } },
		{ "HMAC FIRST only (one-shot only)", AKS_OP_HASH, AKS_DF_FIRST, 2, 64, { .alg = AKS_HASH_HMAC_SHA256, .key = K, .key_len = 16 } },
		{ "params rsvd != 0", AKS_OP_HASH, FL, 0, 64, { .alg = AKS_HASH_SHA256, .rsvd = 1 } },
		{ "ctx 8", AKS_OP_HASH, FL, 8, 64, { .alg = AKS_HASH_SHA256 } },
		{ "ctx 0x80000000", AKS_OP_COMPRESS, FL, 0x80000000u, 64, { .alg = AKS_FRAME_RAW, .level = 1 } },
		/* stream-context misuse: continuation of a free context */
		{ "DECOMPRESS update without FIRST on a free ctx", AKS_OP_DECOMPRESS, 0, 5, 64, { .alg = AKS_FRAME_RAW } },
		{ "DECOMPRESS LAST without FIRST on a free ctx", AKS_OP_DECOMPRESS, AKS_DF_LAST, 5, 64, { .alg = AKS_FRAME_GZIP } },
		{ "COMPRESS update without FIRST on a free ctx", AKS_OP_COMPRESS, 0, 6, 64, { .alg = AKS_FRAME_RAW, .level = 6 } },
		{ "HASH LAST without FIRST on a free ctx", AKS_OP_HASH, AKS_DF_LAST, 7, 64, { .alg = AKS_HASH_SHA256 } },
	};
	size_t i;

	VA_REQUIRE_ALG("gcm(aes)");
	vm_fill_random(src, sizeof(src), 3);
	vm_fill_random(key, sizeof(key), 4);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct inv_case *c = &cases[i];
		struct aks_params p = c->p;
		struct aks_desc d;
		struct ak_result r;
		int st;

		memset(dst, CANARY, sizeof(dst));
		memset(tag, CANARY, sizeof(tag));
		va_desc(&d, c->op, c->flags, c->ctx, src, c->len, dst,
			sizeof(dst), &p);
		st = run(&d, &r, NULL);
		VM_CHECK(st == AKS_ST_INVALID_DESC && r.bytes == 0 &&
			 vm_first_not(dst, CANARY, sizeof(dst)) < 0 &&
			 vm_first_not(tag, CANARY, sizeof(tag)) < 0,
			 "%s: %s bytes %llu (want INVALID_DESC, nothing written)",
			 c->what, va_st(st), (unsigned long long)r.bytes);
	}
	/* descriptor-level: rsvd1[1], len and dst_len over MAX_XFER */
	{
		struct aks_params p = { .alg = AKS_HASH_SHA256 };
		struct aks_desc d;
		struct ak_result r;
		int st;

		va_desc(&d, AKS_OP_HASH, FL, 0, src, 64, dst, 64, &p);
		d.rsvd1[1] = 1;
		st = run(&d, &r, NULL);
		VM_CHECK(st == AKS_ST_INVALID_DESC, "desc offset 56 != 0: %s",
			 va_st(st));
		va_desc(&d, AKS_OP_HASH, FL, 0, src, max_xfer + 1, dst, 64, &p);
		st = run(&d, &r, NULL);
		VM_CHECK(st == AKS_ST_INVALID_DESC, "len max_xfer+1: %s",
			 va_st(st));
		p.alg = AKS_FRAME_RAW;
		va_desc(&d, AKS_OP_DECOMPRESS, FL, 0, src, 64, dst,
			max_xfer + 1, &p);
		st = run(&d, &r, NULL);
		VM_CHECK(st == AKS_ST_INVALID_DESC, "dst_len max_xfer+1: %s",
			 va_st(st));
	}
}

/* A stream that ended (LAST, or DECOMPRESS END) frees its context: a
 * continuation without FIRST is INVALID_DESC. */
static void t_ctx_finished(void)
{
	static uint8_t text[1000], comp[2000], out[2000];
	struct aks_params p;
	struct aks_desc d;
	struct ak_result r;
	uint16_t cf;
	size_t m;
	int st;

	VA_REQUIRE_ALG("deflate");
	va_fill_text(text, sizeof(text), 1);
	memset(&p, 0, sizeof(p));
	p.alg = AKS_FRAME_RAW;
	p.level = 6;
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST, 2, text, 500, comp,
		sizeof(comp), &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS, "COMPRESS FIRST: %s", va_st(st));
	m = st == AKS_ST_SUCCESS ? r.bytes : 0;
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_LAST, 2, text + 500, 500, comp + m,
		sizeof(comp) - m, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS, "COMPRESS LAST: %s", va_st(st));
	m += st == AKS_ST_SUCCESS ? r.bytes : 0;
	va_desc(&d, AKS_OP_COMPRESS, 0, 2, text, 10, comp + m, 100, &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_INVALID_DESC,
		 "COMPRESS continuation after LAST: %s", va_st(st));

	/* the two outputs are one valid stream */
	va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST, 3, comp, m, out,
		sizeof(out), &p);
	st = run(&d, &r, &cf);
	VM_CHECK(st == AKS_ST_SUCCESS && (cf & AKS_CF_END) &&
		 r.bytes == sizeof(text) && !memcmp(out, text, sizeof(text)) &&
		 r.fault_addr == m,
		 "DECOMPRESS of FIRST+LAST stream: %s flags 0x%x bytes %llu consumed %llu/%zu",
		 va_st(st), cf, (unsigned long long)r.bytes,
		 (unsigned long long)r.fault_addr, m);
	/* END reached without LAST: the stream is finished */
	va_desc(&d, AKS_OP_DECOMPRESS, 0, 3, comp, m, out, sizeof(out), &p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_INVALID_DESC,
		 "DECOMPRESS continuation after END: %s", va_st(st));
}

/* ---- AUTH_FAILURE ---- */

static void t_auth_failure(void)
{
	static uint8_t pt[96], ct[96], out[128], aad[20];
	uint8_t key[16], iv[12], tag[16], t2[16];
	struct ak_session *s;
	struct ak_result r;
	int st, i, rc;

	VA_REQUIRE_ALG("gcm(aes)");
	vm_fill_random(pt, sizeof(pt), 21);
	vm_fill_random(key, sizeof(key), 22);
	vm_fill_random(iv, sizeof(iv), 23);
	vm_fill_random(aad, sizeof(aad), 24);
	st = va_raw_cipher(rq, AKS_CIPHER_AES_GCM, false, key, 16, iv, 12, pt,
			   sizeof(pt), ct, sizeof(ct), aad, sizeof(aad), tag,
			   &r);
	VM_REQUIRE(st == AKS_ST_SUCCESS, "GCM encrypt: %s", va_st(st));
	for (i = 0; i < 3; i++) {
		const char *what[] = { "tag bit flipped", "ciphertext bit flipped",
				       "AAD bit flipped" };

		memcpy(t2, tag, 16);
		if (i == 0)
			t2[15] ^= 0x01;
		else if (i == 1)
			ct[40] ^= 0x10;
		else
			aad[3] ^= 0x80;
		memset(out, CANARY, sizeof(out));
		st = va_raw_cipher(rq, AKS_CIPHER_AES_GCM, true, key, 16, iv,
				   12, ct, sizeof(ct), out, sizeof(out), aad,
				   sizeof(aad), t2, &r);
		VM_CHECK(st == AKS_ST_AUTH_FAILURE && r.bytes == 0 &&
			 vm_first_not(out, CANARY, sizeof(out)) < 0,
			 "GCM decrypt, %s: %s bytes %llu, dst written at %ld",
			 what[i], va_st(st), (unsigned long long)r.bytes,
			 vm_first_not(out, CANARY, sizeof(out)));
		if (i == 1)
			ct[40] ^= 0x10;
		else if (i == 2)
			aad[3] ^= 0x80;
	}
	/* the library reports it as -EBADMSG and leaves no plaintext */
	s = va_dev_session(AK_ALG_AES_GCM);
	if (s) {
		memcpy(t2, tag, 16);
		t2[0] ^= 0x40;
		memset(out, CANARY, sizeof(out));
		rc = ak_aead_decrypt(s, key, 16, iv, 12, aad, sizeof(aad), ct,
				     sizeof(ct), out, t2);
		VM_CHECK(rc == -EBADMSG &&
			 vm_first_not(out, CANARY, sizeof(out)) < 0,
			 "ak_aead_decrypt with a wrong tag on device = %d, dst written at %ld",
			 rc, vm_first_not(out, CANARY, sizeof(out)));
		ak_session_close(s);
	}
}

/* ---- TRANSLATION_FAULT: key/params/IV/AAD/tag unmapped ---- */

static uint8_t *hole_page(void)
{
	uint8_t *p = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, AK_PAGE);
	return p;
}

static void xlate_case(const char *what, struct aks_desc *d, uint64_t lo,
		       uint64_t hi, uint8_t *dst, size_t cap)
{
	struct ak_result r;
	int st;

	memset(dst, CANARY, cap);
	st = run(d, &r, NULL);
	VM_CHECK(st == AKS_ST_XLATE_FAULT && r.fault_addr >= lo &&
		 r.fault_addr < hi && r.bytes == 0 &&
		 vm_first_not(dst, CANARY, cap) < 0,
		 "%s: %s fault_addr 0x%llx (want [0x%llx, 0x%llx)) bytes %llu dst written at %ld",
		 what, va_st(st), (unsigned long long)r.fault_addr,
		 (unsigned long long)lo, (unsigned long long)hi,
		 (unsigned long long)r.bytes, vm_first_not(dst, CANARY, cap));
}

static void t_xlate(void)
{
	static uint8_t src[256], dst[512], key[64], iv[16], aad[32], tag[16];
	uint8_t *hole = hole_page(), *edge;
	uint64_t H = (uintptr_t)hole;
	struct aks_params p;
	struct aks_desc d;

	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(hole, "mmap");
	vm_fill_random(key, sizeof(key), 30);
	/* params block unmapped */
	va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST | AKS_DF_LAST, 0, src, 64, dst,
		64, (struct aks_params *)hole);
	xlate_case("HASH params unmapped", &d, H, H + 64, dst, sizeof(dst));
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, src, 64,
		dst, sizeof(dst), (struct aks_params *)(hole + 128));
	xlate_case("COMPRESS params unmapped", &d, H + 128, H + 192, dst,
		   sizeof(dst));
	/* key unmapped: CBC, HMAC */
	memset(&p, 0, sizeof(p));
	p.alg = AKS_CIPHER_AES_CBC;
	p.key = H + 256;
	p.key_len = 32;
	p.iv = (uintptr_t)iv;
	p.iv_len = 16;
	va_desc(&d, AKS_OP_CIPHER, AKS_DF_FIRST | AKS_DF_LAST, 0, src, 64, dst,
		64, &p);
	xlate_case("CBC key unmapped", &d, H + 256, H + 288, dst, sizeof(dst));
	memset(&p, 0, sizeof(p));
	p.alg = AKS_HASH_HMAC_SHA256;
	p.key = H + 8;
	p.key_len = 100;
	va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST | AKS_DF_LAST, 0, src, 64, dst,
		64, &p);
	xlate_case("HMAC key unmapped", &d, H + 8, H + 108, dst, sizeof(dst));
	/* key straddling into the hole: the first 8 bytes are mapped */
	edge = mmap(hole - AK_PAGE, AK_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (edge != MAP_FAILED && edge == hole - AK_PAGE) {
		memset(edge, 0x11, AK_PAGE);
		memset(&p, 0, sizeof(p));
		p.alg = AKS_CIPHER_AES_CTR;
		p.key = H - 8;
		p.key_len = 16;
		p.iv = (uintptr_t)iv;
		p.iv_len = 16;
		va_desc(&d, AKS_OP_CIPHER, AKS_DF_FIRST | AKS_DF_LAST, 0, src,
			64, dst, 64, &p);
		xlate_case("CTR key straddling into an unmapped page", &d, H,
			   H + 8, dst, sizeof(dst));
		munmap(edge, AK_PAGE);
	} else {
		VM_FAIL("could not map the page below the hole");
	}
	/* IV, AAD, tag unmapped (GCM) */
	memset(&p, 0, sizeof(p));
	p.alg = AKS_CIPHER_AES_GCM;
	p.key = (uintptr_t)key;
	p.key_len = 16;
	p.iv = H + 512;
	p.iv_len = 12;
	p.aad = (uintptr_t)aad;
	p.aad_len = sizeof(aad);
	p.auth_tag = (uintptr_t)tag;
	va_desc(&d, AKS_OP_CIPHER, AKS_DF_FIRST | AKS_DF_LAST, 0, src, 64, dst,
		64, &p);
	xlate_case("GCM IV unmapped", &d, H + 512, H + 524, dst, sizeof(dst));
	p.iv = (uintptr_t)iv;
	p.aad = H + 1024;
	xlate_case("GCM AAD unmapped", &d, H + 1024, H + 1056, dst,
		   sizeof(dst));
	p.aad = (uintptr_t)aad;
	p.auth_tag = H + 2048;
	xlate_case("GCM encrypt, tag unmapped", &d, H + 2048, H + 2064, dst,
		   sizeof(dst));
	d.flags |= AKS_DF_DECRYPT;
	xlate_case("GCM decrypt, tag unmapped", &d, H + 2048, H + 2064, dst,
		   sizeof(dst));
}

/* ---- key hygiene ---- */

/*
 * A job runs with its key in a page that is then munmap'd; the next job
 * with the same parameter block must fault on the key: the device read
 * the key again and kept no copy.
 */
static void hygiene_case(const char *what, unsigned op, struct aks_params *p,
			 size_t len)
{
	static uint8_t src[256], dst[256];
	uint8_t *kp = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct aks_desc d;
	struct ak_result r;
	int st;

	VM_REQUIRE(kp != MAP_FAILED, "mmap");
	vm_fill_random(kp, AK_PAGE, 77);
	vm_fill_random(src, sizeof(src), 78);
	p->key = (uintptr_t)kp + 100;
	va_desc(&d, op, AKS_DF_FIRST | AKS_DF_LAST, 0, src, len, dst,
		sizeof(dst), p);
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_SUCCESS, "%s with a mapped key: %s", what,
		 va_st(st));
	munmap(kp, AK_PAGE);
	memset(dst, CANARY, sizeof(dst));
	st = run(&d, &r, NULL);
	VM_CHECK(st == AKS_ST_XLATE_FAULT && r.fault_addr == p->key &&
		 vm_first_not(dst, CANARY, sizeof(dst)) < 0,
		 "%s again after munmap of the key page: %s fault_addr 0x%llx (key 0x%llx): the device must not cache the key",
		 what, va_st(st), (unsigned long long)r.fault_addr,
		 (unsigned long long)p->key);
}

static void t_key_hygiene(void)
{
	static uint8_t iv[16], tag[16];
	struct aks_params p;

	VA_REQUIRE_ALG("gcm(aes)");
	memset(&p, 0, sizeof(p));
	p.alg = AKS_CIPHER_AES_CBC;
	p.key_len = 32;
	p.iv = (uintptr_t)iv;
	p.iv_len = 16;
	hygiene_case("CBC-256", AKS_OP_CIPHER, &p, 64);
	p.alg = AKS_CIPHER_AES_XTS;
	p.key_len = 64;
	hygiene_case("XTS-256", AKS_OP_CIPHER, &p, 64);
	p.alg = AKS_CIPHER_AES_GCM;
	p.key_len = 16;
	p.iv_len = 12;
	p.auth_tag = (uintptr_t)tag;
	hygiene_case("GCM-128", AKS_OP_CIPHER, &p, 64);
	memset(&p, 0, sizeof(p));
	p.alg = AKS_HASH_HMAC_SHA256;
	p.key_len = 64;
	hygiene_case("HMAC-SHA-256", AKS_OP_HASH, &p, 100);
}

static const struct ak_test raw_tests[] = {
	{ "corrupt deflate/zlib/gzip -> DATA_ERROR, offset < len, dst untouched", t_data_error },
	{ "OVERFLOW at every dst_len boundary (compress, decompress, hash, cipher)", t_overflow },
	{ "OVERFLOW inside a stream leaves the context unchanged", t_overflow_stream_ctx },
	{ "INVALID_DESC: alg, level, key/IV lengths, CBC/XTS sizes, ctx misuse", t_invalid },
	{ "finished stream contexts reject continuations", t_ctx_finished },
	{ "GCM tag mismatch -> AUTH_FAILURE, no plaintext written", t_auth_failure },
	{ "params/key/IV/AAD/tag unmapped -> TRANSLATION_FAULT", t_xlate },
	{ "key hygiene: key page munmap'd -> next job faults", t_key_hygiene },
	{ NULL, NULL },
};

int add_alg_raw_suites(void)
{
	return ak_add_suite("alg: raw statuses", raw_init, raw_clean,
			    raw_tests);
}
