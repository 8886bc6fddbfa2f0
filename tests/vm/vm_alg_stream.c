// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Streaming on the device: 32 MiB compressed through ak_stream_* in 1 MiB
 * pieces gunzips (software path) to the original, and decompresses back
 * through a device stream; multi-member gzip decompresses fully (one-shot,
 * streamed, and as raw jobs: END at the member boundary).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_alg.h"

#define TOTAL (32u << 20)
#define PIECE (1u << 20)

struct sinkbuf { uint8_t *p; size_t len, cap; unsigned calls; };

static int sink(void *arg, const void *buf, size_t len)
{
	struct sinkbuf *s = arg;

	if (s->len + len > s->cap) {
		size_t nc = (s->len + len) * 2;
		uint8_t *np = realloc(s->p, nc);

		if (!np)
			return -ENOMEM;
		s->p = np;
		s->cap = nc;
	}
	memcpy(s->p + s->len, buf, len);
	s->len += len;
	s->calls++;
	return 0;
}

static void t_stream_32m(void)
{
	uint8_t *src = malloc(TOTAL), *back = malloc(TOTAL + 64);
	struct sinkbuf comp = { .p = malloc(12u << 20), .cap = 12u << 20 };
	struct sinkbuf dec = { .p = NULL };
	struct ak_session *dev = NULL, *sw = NULL;
	struct ak_stream *st = NULL;
	struct ak_stream_info si;
	size_t off, bl = TOTAL + 64;
	uint64_t t0;
	int r;

	VA_REQUIRE_ALG("gzip");
	VM_REQUIRE(src && back && comp.p, "malloc");
	for (off = 0; off < TOTAL; off += PIECE) {
		/* mostly text, every 4th MiB random: the stream must cope with
		 * incompressible pieces too */
		if ((off / PIECE) % 4 == 3)
			vm_fill_random(src + off, PIECE, (uint32_t)(off >> 20));
		else
			va_fill_text(src + off, PIECE, (uint32_t)(off >> 20));
	}
	dev = va_dev_session(AK_ALG_GZIP);
	sw = va_sw_session(AK_ALG_GZIP);
	if (!dev || !sw)
		goto out;
	t0 = vm_now_ms();
	r = ak_stream_new(dev, AK_COMPRESS, 6, sink, &comp, &st);
	VM_REQUIRE(r == 0 && st, "ak_stream_new(device gzip) = %d", r);
	for (off = 0; off < TOTAL && r == 0; off += PIECE) {
		r = ak_stream_feed(st, src + off, PIECE);
		VM_CHECK(r == 0, "ak_stream_feed at %zu: %d", off, r);
	}
	if (r == 0) {
		r = ak_stream_finish(st);
		VM_CHECK(r == 0, "ak_stream_finish: %d", r);
	}
	VM_CHECK(ak_stream_info(st, &si) == 0 && si.total_in == TOTAL &&
		 si.total_out == comp.len,
		 "stream info: in %llu out %llu (sink got %zu)",
		 (unsigned long long)si.total_in,
		 (unsigned long long)si.total_out, comp.len);
	ak_stream_free(st);
	st = NULL;
	printf("\n    32 MiB -> %zu bytes gzip on the device in %llu ms (%u sink calls)\n",
	       comp.len, (unsigned long long)(vm_now_ms() - t0), comp.calls);
	if (r)
		goto out;
	VM_CHECK(comp.len > 18 && comp.p[0] == 0x1f && comp.p[1] == 0x8b,
		 "not a gzip stream");

	/* software inflate */
	r = ak_decompress(sw, comp.p, comp.len, back, &bl, NULL);
	VM_CHECK(r == 0 && bl == TOTAL && !memcmp(back, src, TOTAL),
		 "software gunzip of the device stream: %d, %zu bytes, %s", r, bl,
		 bl == TOTAL && !memcmp(back, src, TOTAL) ? "equal" : "DIFFERENT");

	/* device decompression stream, fed in odd pieces */
	dec.p = back;
	dec.cap = TOTAL + 64;
	dec.len = 0;
	r = ak_stream_new(dev, AK_DECOMPRESS, 0, sink, &dec, &st);
	VM_CHECK(r == 0 && st, "ak_stream_new(device gunzip) = %d", r);
	for (off = 0; st && r == 0 && off < comp.len; off += 999331) {
		size_t n = comp.len - off < 999331 ? comp.len - off : 999331;

		r = ak_stream_feed(st, comp.p + off, n);
	}
	if (st && r == 0)
		r = ak_stream_finish(st);
	if (st) {
		VM_CHECK(ak_stream_info(st, &si) == 0 && si.members == 1 &&
			 si.ended == 1,
			 "device gunzip stream info: members %u ended %u",
			 si.members, si.ended);
		ak_stream_free(st);
		st = NULL;
	}
	back = dec.p;	/* (realloc'd only if it had to grow) */
	VM_CHECK(r == 0 && dec.len == TOTAL && !memcmp(back, src, TOTAL),
		 "device stream gunzip: %d, %zu bytes", r, dec.len);
out:
	ak_stream_free(st);
	ak_session_close(dev);
	ak_session_close(sw);
	free(src);
	free(back);
	free(comp.p);
}

static void t_multi_member(void)
{
	const size_t la = 100000, lb = 5000;
	uint8_t *a = malloc(la), *b = malloc(lb), *cat = malloc(2 * la + lb + 4096);
	uint8_t *want = malloc(2 * la + lb), *out = malloc(2 * la + lb + 64);
	size_t ca = la + 1024, cb = lb + 1024, n, ol;
	struct ak_session *dev = NULL, *sw = NULL;
	struct sinkbuf sb = { .p = NULL };
	struct ak_stream *st = NULL;
	struct ak_stream_info si;
	struct ak_queue *q = NULL;
	uint64_t eoff = 0;
	int r, pass;

	VA_REQUIRE_ALG("gzip");
	VM_REQUIRE(a && b && cat && want && out, "malloc");
	va_fill_text(a, la, 41);
	vm_fill_random(b, lb, 42);
	dev = va_dev_session(AK_ALG_GZIP);
	sw = va_sw_session(AK_ALG_GZIP);
	if (!dev || !sw)
		goto out;
	/* members: device(a) + software(b) + device(a) */
	r = ak_compress(dev, 9, a, la, cat, &ca);
	VM_REQUIRE(r == 0, "device gzip: %d", r);
	r = ak_compress(sw, 1, b, lb, cat + ca, &cb);
	VM_REQUIRE(r == 0, "software gzip: %d", r);
	memcpy(cat + ca + cb, cat, ca);
	n = 2 * ca + cb;
	memcpy(want, a, la);
	memcpy(want + la, b, lb);
	memcpy(want + la + lb, a, la);

	for (pass = 0; pass < 2; pass++) {
		struct ak_session *s = pass ? sw : dev;

		ol = 2 * la + lb + 64;
		r = ak_decompress(s, cat, n, out, &ol, &eoff);
		VM_CHECK(r == 0 && ol == 2 * la + lb &&
			 !memcmp(out, want, ol),
			 "%s ak_decompress of 3 gzip members: %d, %zu bytes (err_off %llu)",
			 pass ? "software" : "device", r, ol,
			 (unsigned long long)eoff);
	}
	/* device stream, odd pieces across the member boundaries */
	sb.p = out;
	sb.cap = 2 * la + lb + 64;
	r = ak_stream_new(dev, AK_DECOMPRESS, 0, sink, &sb, &st);
	VM_CHECK(r == 0, "ak_stream_new: %d", r);
	if (r == 0) {
		size_t off;

		for (off = 0; r == 0 && off < n; off += 7777)
			r = ak_stream_feed(st, cat + off,
					   n - off < 7777 ? n - off : 7777);
		if (r == 0)
			r = ak_stream_finish(st);
		VM_CHECK(ak_stream_info(st, &si) == 0 && si.members == 3 &&
			 si.ended == 1 && si.total_in == n,
			 "multi-member stream info: members %u ended %u in %llu",
			 si.members, si.ended, (unsigned long long)si.total_in);
		VM_CHECK(r == 0 && sb.len == 2 * la + lb &&
			 !memcmp(sb.p, want, sb.len),
			 "device stream of 3 members: %d, %zu bytes", r, sb.len);
		ak_stream_free(st);
		st = NULL;
	}
	out = sb.p;
	/* raw: one job stops at the end of the first member */
	q = vm_open_queue(0);
	if (q) {
		struct aks_params p = { .alg = AKS_FRAME_GZIP };
		struct aks_desc d;
		struct ak_result res;
		uint16_t cf;

		va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0,
			cat, n, out, 2 * la + lb + 64, &p);
		r = va_raw_run(q, &d, &res, &cf);
		VM_CHECK(r == 0 && res.status == AKS_ST_SUCCESS &&
			 (cf & AKS_CF_END) && res.fault_addr == ca &&
			 res.bytes == la && !memcmp(out, a, la),
			 "raw DECOMPRESS of 3 members: %s flags 0x%x consumed %llu (member 1 is %zu) bytes %llu",
			 va_st(res.status), cf,
			 (unsigned long long)res.fault_addr, ca,
			 (unsigned long long)res.bytes);
		ak_queue_close(q);
	}
out:
	ak_session_close(dev);
	ak_session_close(sw);
	free(a);
	free(b);
	free(cat);
	free(want);
	free(out);
}

static const struct ak_test stream_tests[] = {
	{ "32 MiB through a device gzip stream in 1 MiB pieces", t_stream_32m },
	{ "multi-member gzip decompresses fully", t_multi_member },
	{ NULL, NULL },
};

int add_alg_stream_suites(void)
{
	return ak_add_suite("alg: streaming", NULL, NULL, stream_tests);
}
