// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak_stream_flush() on the software path: each flush point is a byte
 * boundary ending in 00 00 ff ff, a decoder given the output up to it
 * produces all input up to it, the bytes equal zlib's for the same
 * calls, and misuse is refused. (The device path: vm/dropins.d/zlib.sh
 * through the zlib shim, which uses the same FLUSH jobs.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <CUnit/CUnit.h>
#include "libaccelkit.h"
#include "suites.h"

struct fbuf {
	uint8_t *p;
	size_t len, cap;
};

static int fbuf_sink(void *arg, const void *b, size_t len)
{
	struct fbuf *o = arg;

	if (o->len + len > o->cap) {
		uint8_t *p = realloc(o->p, (o->len + len) * 2);

		if (!p)
			return -ENOMEM;
		o->p = p;
		o->cap = (o->len + len) * 2;
	}
	memcpy(o->p + o->len, b, len);
	o->len += len;
	return 0;
}

static void fill(uint8_t *p, size_t n)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (x >> 20) % 3 ? (uint8_t)"flush me "[(x >> 8) % 9] :
				       (uint8_t)(x >> 8);
	}
}

/* zlib's bytes for: input pieces cut at @cuts, each ending in @zf. */
static size_t zlib_ref(int wbits, const uint8_t *src, const size_t *cuts,
		       int ncut, int zf, size_t total, uint8_t *out,
		       size_t cap)
{
	z_stream z;
	size_t off = 0;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY))
		return 0;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	for (int i = 0; i <= ncut; i++) {
		size_t end = i < ncut ? cuts[i] : total;

		z.next_in = (Bytef *)(uintptr_t)(src + off);
		z.avail_in = (uInt)(end - off);
		if (deflate(&z, i < ncut ? zf : Z_FINISH) == Z_STREAM_ERROR)
			break;
		off = end;
	}
	deflateEnd(&z);
	return cap - z.avail_out;
}

/* Decode @len bytes of raw deflate: how much output came out. */
static size_t partial_inflate(const uint8_t *src, size_t len, uint8_t *out,
			      size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15))
		return 0;
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	(void)inflate(&z, Z_SYNC_FLUSH);
	n = cap - z.avail_out;
	inflateEnd(&z);
	return n;
}

static void t_flush_points(void)
{
	static const int algs[] = { AK_ALG_DEFLATE, AK_ALG_ZLIB, AK_ALG_GZIP };
	static const int wb[] = { -15, 15, 31 };
	const size_t n = 200000;
	const size_t cuts[] = { 1000, 1000, 70000, 150000 };
	uint8_t *src = malloc(n), *ref = malloc(2 * n), *dec = malloc(n);

	CU_ASSERT_FATAL(src && ref && dec);
	fill(src, n);
	for (int a = 0; a < 3; a++) {
		for (int m = AK_FLUSH_SYNC; m <= AK_FLUSH_FULL; m++) {
			struct ak_session *s = NULL;
			struct ak_stream *st = NULL;
			struct fbuf o = { 0 };
			size_t off = 0, rl;

			CU_ASSERT_EQUAL_FATAL(ak_session_open(algs[a], NULL,
					AK_SF_SOFTWARE, &s), 0);
			CU_ASSERT_EQUAL_FATAL(ak_stream_new(s, AK_COMPRESS, 6,
					fbuf_sink, &o, &st), 0);
			for (int i = 0; i < 4; i++) {
				size_t before;

				CU_ASSERT_EQUAL(ak_stream_feed(st, src + off,
						cuts[i] - off), 0);
				off = cuts[i];
				before = o.len;
				CU_ASSERT_EQUAL(ak_stream_flush(st, m), 0);
				/* The output reached the sink, ends in the
				 * sync marker, and decodes to all input so
				 * far (raw: checked directly). */
				if (i == 1)	/* no new input: nothing */
					CU_ASSERT_EQUAL(o.len, before);
				if (i != 1)
					CU_ASSERT(o.len >= before + 4);
				CU_ASSERT(o.len >= 4 &&
					  !memcmp(o.p + o.len - 4,
						  "\0\0\xff\xff", 4));
				if (a == 0)
					CU_ASSERT_EQUAL(partial_inflate(o.p,
						o.len, dec, n), off);
				if (a == 0)
					CU_ASSERT(!memcmp(dec, src, off));
			}
			CU_ASSERT_EQUAL(ak_stream_feed(st, src + off, n - off),
					0);
			CU_ASSERT_EQUAL(ak_stream_finish(st), 0);
			CU_ASSERT_EQUAL(ak_stream_flush(st, m), -EINVAL);
			rl = zlib_ref(wb[a], src, cuts, 4,
				      m == AK_FLUSH_FULL ? Z_FULL_FLUSH :
							   Z_SYNC_FLUSH,
				      n, ref, 2 * n);
			CU_ASSERT_EQUAL(o.len, rl);
			CU_ASSERT(o.len == rl && !memcmp(o.p, ref, rl));
			ak_stream_free(st);
			ak_session_close(s);
			free(o.p);
		}
	}
	free(src);
	free(ref);
	free(dec);
}

static void t_flush_misuse(void)
{
	struct ak_session *s = NULL;
	struct ak_stream *st = NULL;
	struct fbuf o = { 0 };

	CU_ASSERT_EQUAL(ak_stream_flush(NULL, AK_FLUSH_SYNC), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(ak_session_open(AK_ALG_GZIP, NULL,
					      AK_SF_SOFTWARE, &s), 0);
	CU_ASSERT_EQUAL_FATAL(ak_stream_new(s, AK_COMPRESS, 6, fbuf_sink, &o,
					    &st), 0);
	CU_ASSERT_EQUAL(ak_stream_flush(st, 0), -EINVAL);
	CU_ASSERT_EQUAL(ak_stream_flush(st, 3), -EINVAL);
	/* A flush before any input: the header and the marker. */
	CU_ASSERT_EQUAL(ak_stream_flush(st, AK_FLUSH_SYNC), 0);
	CU_ASSERT(o.len == 10 + 5 && !memcmp(o.p + 10, "\0\0\0\xff\xff", 5));
	ak_stream_free(st);
	CU_ASSERT_EQUAL_FATAL(ak_stream_new(s, AK_DECOMPRESS, 0, fbuf_sink, &o,
					    &st), 0);
	CU_ASSERT_EQUAL(ak_stream_flush(st, AK_FLUSH_SYNC), -EINVAL);
	ak_stream_free(st);
	CU_ASSERT_EQUAL_FATAL(ak_stream_new(s, AK_COMPRESS, 6, fbuf_sink, &o,
					    &st), 0);
	ak_session_close(s);
	CU_ASSERT_EQUAL(ak_stream_flush(st, AK_FLUSH_SYNC), -EBADF);
	ak_stream_free(st);
	free(o.p);
}

int add_flush_suite(void)
{
	static const struct ak_test t[] = {
		{ "sync/full flush points = zlib's, decodable", t_flush_points },
		{ "flush misuse", t_flush_misuse },
		{ NULL, NULL },
	};

	return ak_add_suite("stream_flush", NULL, NULL, t);
}
