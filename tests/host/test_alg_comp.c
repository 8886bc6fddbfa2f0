// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Compression API, software path: round trips over levels and framings,
 * one-shot boundaries, truncated and corrupt input, streams and
 * multi-member gzip (with ak_stream_info), interoperability with gzip,
 * decompression fuzzing.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "libaccelkit.h"
#include "alg_util.h"
#include "suites.h"

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

/* Semi-compressible data. */
static void gen(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (rnd() % 4) ? (uint8_t)("abcdefgh"[rnd() % 8]) : (uint8_t)rnd();
}

static const int frames[] = { AK_ALG_DEFLATE, AK_ALG_ZLIB, AK_ALG_GZIP };

static void t_roundtrip(void)
{
	size_t n = 100000, cap, dl;
	uint8_t *src = malloc(n), *c = NULL, *d = malloc(n + 1);

	gen(src, n);
	for (int f = 0; f < 3; f++) {
		struct ak_session *s = ak_test_sw(frames[f]);

		cap = ak_compress_bound(s, n);
		c = realloc(c, cap);
		for (int lv = 1; lv <= 9; lv++) {
			size_t cl = cap;

			CU_ASSERT_EQUAL(ak_compress(s, lv, src, n, c, &cl), 0);
			CU_ASSERT(cl < n);
			dl = n + 1;
			CU_ASSERT_EQUAL(ak_decompress(s, c, cl, d, &dl, NULL), 0);
			CU_ASSERT_EQUAL(dl, n);
			CU_ASSERT_EQUAL(memcmp(d, src, n), 0);
		}
		/* zlib's conventions (-1, 0): test_libfit.c */
		CU_ASSERT_EQUAL(ak_compress(s, -2, src, n, c, &cap), -EINVAL);
		CU_ASSERT_EQUAL(ak_compress(s, 10, src, n, c, &cap), -EINVAL);
		/* empty input */
		{
			size_t cl = cap;

			CU_ASSERT_EQUAL(ak_compress(s, 6, NULL, 0, c, &cl), 0);
			dl = 0;
			CU_ASSERT_EQUAL(ak_decompress(s, c, cl, NULL, &dl, NULL), 0);
			CU_ASSERT_EQUAL(dl, 0);
		}
		ak_session_close(s);
	}
	free(src);
	free(c);
	free(d);
}

static void t_boundaries(void)
{
	uint8_t src[3000], c[4000], d[3001];
	uint64_t eo;

	gen(src, sizeof(src));
	for (int f = 0; f < 3; f++) {
		struct ak_session *s = ak_test_sw(frames[f]);
		size_t cl = sizeof(c), n, l;

		CU_ASSERT_EQUAL_FATAL(ak_compress(s, 9, src, sizeof(src), c, &cl), 0);
		n = cl;
		for (size_t cap = n - 1; cap <= n + 1; cap++) {
			l = cap;
			CU_ASSERT_EQUAL(ak_compress(s, 9, src, sizeof(src), c, &l),
					cap < n ? -ENOSPC : 0);
			CU_ASSERT_EQUAL(l, n);
		}
		l = 0;
		CU_ASSERT_EQUAL(ak_compress(s, 9, src, sizeof(src), NULL, &l), -ENOSPC);
		CU_ASSERT_EQUAL(l, n);
		for (size_t cap = sizeof(src) - 1; cap <= sizeof(src) + 1; cap++) {
			l = cap;
			CU_ASSERT_EQUAL(ak_decompress(s, c, n, d, &l, NULL),
					cap < sizeof(src) ? -ENOSPC : 0);
			CU_ASSERT_EQUAL(l, sizeof(src));
		}
		l = 0;
		CU_ASSERT_EQUAL(ak_decompress(s, c, n, NULL, &l, NULL), -ENOSPC);
		CU_ASSERT_EQUAL(l, sizeof(src));
		/* truncated at every length: -EBADMSG at the end */
		for (size_t t = 0; t < n; t++) {
			l = sizeof(d);
			eo = 12345;
			CU_ASSERT_EQUAL(ak_decompress(s, c, t, d, &l, &eo), -EBADMSG);
			CU_ASSERT(eo <= t);
		}
		/* corrupt: -EBADMSG with an offset inside the input */
		{
			uint8_t bad[4000];

			memcpy(bad, c, n);
			bad[n / 2] ^= 0xff;
			bad[n / 2 + 1] ^= 0x55;
			l = sizeof(d);
			eo = 99999;
			CU_ASSERT_EQUAL(ak_decompress(s, bad, n, d, &l, &eo), -EBADMSG);
			CU_ASSERT(eo <= n);
			/* trailing garbage */
			memcpy(bad, c, n);
			bad[n] = 0x42;
			l = sizeof(d);
			CU_ASSERT_EQUAL(ak_decompress(s, bad, n + 1, d, &l, &eo), -EBADMSG);
			if (frames[f] != AK_ALG_GZIP)
				CU_ASSERT_EQUAL(eo, n);
		}
		ak_session_close(s);
	}
	{
		struct ak_session *s = ak_test_sw(AK_ALG_DEFLATE);
		static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff };
		size_t l = sizeof(d);

		CU_ASSERT_EQUAL(ak_decompress(s, junk, 4, d, &l, &eo), -EBADMSG);
		CU_ASSERT(eo <= 1);
		ak_session_close(s);
	}
}

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_sink(void *arg, const void *b, size_t len)
{
	struct buf *o = arg;

	if (o->len + len > o->cap) {
		o->cap = (o->len + len) * 2;
		o->p = realloc(o->p, o->cap);
		if (!o->p)
			return -ENOMEM;
	}
	memcpy(o->p + o->len, b, len);
	o->len += len;
	return 0;
}

static int stream_all(struct ak_session *s, int dir, const uint8_t *src,
		      size_t n, struct buf *out, struct ak_stream_info *info)
{
	struct ak_stream *st;
	size_t off = 0;
	int r;

	r = ak_stream_new(s, dir, 6, buf_sink, out, &st);
	if (r)
		return r;
	while (!r && off < n) {
		size_t k = 1 + rnd() % 9000;

		if (k > n - off)
			k = n - off;
		r = ak_stream_feed(st, src + off, k);
		off += k;
	}
	if (!r)
		r = ak_stream_finish(st);
	if (info)
		ak_stream_info(st, info);
	ak_stream_free(st);
	return r;
}

static void t_streams(void)
{
	size_t n = 300000;
	uint8_t *src = malloc(n);

	gen(src, n);
	for (int f = 0; f < 3; f++) {
		struct ak_session *s = ak_test_sw(frames[f]);
		struct buf c = { 0 }, d = { 0 }, mm = { 0 };
		struct ak_stream_info info;

		CU_ASSERT_EQUAL(stream_all(s, AK_COMPRESS, src, n, &c, &info), 0);
		CU_ASSERT_EQUAL(info.total_in, n);
		CU_ASSERT_EQUAL(info.total_out, c.len);
		CU_ASSERT_EQUAL(stream_all(s, AK_DECOMPRESS, c.p, c.len, &d, &info), 0);
		CU_ASSERT_EQUAL(d.len, n);
		CU_ASSERT(d.p && memcmp(d.p, src, n) == 0);
		CU_ASSERT_EQUAL(info.members, 1);
		CU_ASSERT_EQUAL(info.member_end, c.len);
		/* two members back to back */
		buf_sink(&mm, c.p, c.len);
		buf_sink(&mm, c.p, c.len);
		d.len = 0;
		if (frames[f] == AK_ALG_GZIP) {
			CU_ASSERT_EQUAL(stream_all(s, AK_DECOMPRESS, mm.p, mm.len, &d, &info), 0);
			CU_ASSERT_EQUAL(info.members, 2);
			CU_ASSERT_EQUAL(info.member_end, 2 * c.len);
			CU_ASSERT_EQUAL(d.len, 2 * n);
			CU_ASSERT(memcmp(d.p + n, src, n) == 0);
			/* zero padding after the members: an error at or
			 * after member_end, which says where the data ended */
			buf_sink(&mm, "\0\0\0\0\0\0\0", 7);
			d.len = 0;
			CU_ASSERT_EQUAL(stream_all(s, AK_DECOMPRESS, mm.p, mm.len, &d, &info), -EBADMSG);
			CU_ASSERT_EQUAL(info.members, 2);
			CU_ASSERT_EQUAL(info.member_end, 2 * c.len);
			CU_ASSERT(info.err_offset >= info.member_end);
		} else {
			CU_ASSERT_EQUAL(stream_all(s, AK_DECOMPRESS, mm.p, mm.len, &d, &info), -EBADMSG);
			CU_ASSERT_EQUAL(info.err_offset, c.len);
			CU_ASSERT_EQUAL(info.member_end, c.len);
		}
		/* truncated */
		d.len = 0;
		CU_ASSERT_EQUAL(stream_all(s, AK_DECOMPRESS, c.p, c.len - 3, &d, &info), -EBADMSG);
		CU_ASSERT_EQUAL(info.err_offset, c.len - 3);
		CU_ASSERT_EQUAL(info.member_end, 0);
		free(c.p);
		free(d.p);
		free(mm.p);
		ak_session_close(s);
	}
	free(src);
}

/* ---- gzip interop ---- */

static bool have_gzip(void)
{
	return system("gzip --version >/dev/null 2>&1") == 0;
}

static void t_gzip_interop(void)
{
	char tmp[] = "/tmp/akgzXXXXXX", cmd[256];
	size_t n = 200000, l;
	uint8_t *src = malloc(n), *c = malloc(n * 2 + 1000), *d = malloc(n * 2);
	struct ak_session *s = ak_test_sw(AK_ALG_GZIP);
	FILE *f;
	int fd;

	if (!have_gzip()) {
		CU_FAIL("gzip not found: the interop check did not run");
		goto out;
	}
	gen(src, n);
	fd = mkstemp(tmp);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL((size_t)write(fd, src, n), n);
	close(fd);
	/* gzip's output (two members: gzip -c twice) -> ours */
	snprintf(cmd, sizeof(cmd), "(gzip -9 -c %s; gzip -1 -c %s)", tmp, tmp);
	f = popen(cmd, "r");
	CU_ASSERT_FATAL(f != NULL);
	l = fread(c, 1, n * 2 + 1000, f);
	CU_ASSERT_EQUAL(pclose(f), 0);
	{
		size_t dl = n * 2;

		CU_ASSERT_EQUAL(ak_decompress(s, c, l, d, &dl, NULL), 0);
		CU_ASSERT_EQUAL(dl, 2 * n);
		CU_ASSERT(memcmp(d, src, n) == 0 && memcmp(d + n, src, n) == 0);
	}
	/* ours -> gzip -dc */
	for (int lv = 1; lv <= 9; lv += 4) {
		size_t cl = n * 2;

		CU_ASSERT_EQUAL(ak_compress(s, lv, src, n, c, &cl), 0);
		fd = open(tmp, O_WRONLY | O_TRUNC);
		CU_ASSERT_EQUAL((size_t)write(fd, c, cl), cl);
		close(fd);
		snprintf(cmd, sizeof(cmd), "gzip -dc < %s", tmp);
		f = popen(cmd, "r");
		l = fread(d, 1, n * 2, f);
		CU_ASSERT_EQUAL(pclose(f), 0);
		CU_ASSERT_EQUAL(l, n);
		CU_ASSERT(memcmp(d, src, n) == 0);
	}
	unlink(tmp);
out:
	ak_session_close(s);
	free(src);
	free(c);
	free(d);
}

/* ---- fuzz ---- */

static int null_sink(void *arg, const void *b, size_t len)
{
	(void)arg;
	(void)b;
	(void)len;
	return 0;
}

static void t_fuzz(void)
{
	uint8_t good[3][8192], in[8192], out[8192];
	size_t gl[3];
	uint8_t src[4000];
	int bad = 0;

	gen(src, sizeof(src));
	for (int f = 0; f < 3; f++) {
		struct ak_session *s = ak_test_sw(frames[f]);

		gl[f] = sizeof(good[f]);
		CU_ASSERT_EQUAL_FATAL(ak_compress(s, 6, src, sizeof(src), good[f], &gl[f]), 0);
		for (int i = 0; i < 1500; i++) {
			size_t n, l = sizeof(out);
			uint64_t eo = 0;
			int r, mode = i % 3;

			if (mode == 0) {		/* random bytes */
				n = rnd() % sizeof(in);
				for (size_t k = 0; k < n; k++)
					in[k] = (uint8_t)rnd();
			} else {			/* mutated / truncated */
				n = gl[f];
				memcpy(in, good[f], n);
				for (int k = 0, m = 1 + rnd() % 4; k < m; k++)
					in[rnd() % n] ^= (uint8_t)(1 + rnd() % 255);
				if (mode == 2)
					n = rnd() % n;
			}
			r = ak_decompress(s, in, n, out, &l, &eo);
			if (!(r == 0 || r == -EBADMSG || r == -ENOSPC))
				bad++;
			if (r == -EBADMSG && eo > n)
				bad++;
			if (i % 10 == 0) {	/* streaming too */
				struct ak_stream *st;

				if (ak_stream_new(s, AK_DECOMPRESS, 0, null_sink, NULL, &st) == 0) {
					r = ak_stream_feed(st, in, n / 2);
					if (!r)
						r = ak_stream_feed(st, in + n / 2, n - n / 2);
					if (!r)
						r = ak_stream_finish(st);
					if (!(r == 0 || r == -EBADMSG))
						bad++;
					ak_stream_free(st);
				}
			}
		}
		ak_session_close(s);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- async, paths, fork ---- */

int add_alg_comp_suite(void)
{
	static const struct ak_test t[] = {
		{ "compress round trips, levels x framings", t_roundtrip },
		{ "one-shot boundaries, truncated, corrupt", t_boundaries },
		{ "streams, multi-member gzip", t_streams },
		{ "gzip interop", t_gzip_interop },
		{ "decompress fuzz", t_fuzz },
		{ NULL, NULL },
	};

	return ak_add_suite("alg_comp", NULL, NULL, t);
}
