// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akflush_check: libaccelkit's ak_stream_flush() (not the shim) against
 * the system zlib's deflate() with the same flush points, on the path
 * AK_PATH selects. In the VM (vm/dropins.d/zlib.sh) it runs with
 * AK_PATH=device: each flush is a COMPRESS job with FLUSH (docs/device.md
 * 2.3). Prints "ok"/"FAIL" lines; exit status 1 on any failure.
 *   AKF_EXPECT_DEVICE=1: the session must be on the device, and raw
 *   descriptors check the FLUSH/FULL rules (INVALID_DESC for misuse).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <endian.h>
#include <libaccelkit.h>
#include <accelkit/sample_hw.h>

static int fails;

#define CHECK(cond, ...)						\
	do {								\
		printf((cond) ? "ok   " : "FAIL ");			\
		fails += !(cond);					\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} while (0)

struct obuf {
	unsigned char *p;
	size_t len, cap;
};

static int sink(void *arg, const void *b, size_t len)
{
	struct obuf *o = arg;

	if (o->len + len > o->cap)
		return -1;
	memcpy(o->p + o->len, b, len);
	o->len += len;
	return 0;
}

/* 128 KiB pieces as pigz, a flush with nothing new, a piece over the
 * library's 1 MiB stage, a 1-byte piece. */
static const size_t cuts[] = { 131072, 262144, 262144, 1500000, 1500001,
			       2000000 };
#define NCUT (sizeof(cuts) / sizeof(cuts[0]))

static size_t ref(int wbits, int zf, const unsigned char *in, size_t n,
		  unsigned char *out, size_t cap)
{
	size_t off = 0, i;
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY))
		return 0;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	for (i = 0; i <= NCUT; i++) {
		size_t end = i < NCUT ? cuts[i] : n;

		z.next_in = (Bytef *)(uintptr_t)(in + off);
		z.avail_in = (uInt)(end - off);
		(void)deflate(&z, i < NCUT ? zf : Z_FINISH);
		off = end;
	}
	deflateEnd(&z);
	return cap - z.avail_out;
}

/* One raw COMPRESS/DECOMPRESS descriptor on context 0; the status. */
static int raw_job(struct ak_queue *q, unsigned op, unsigned flags,
		   struct aks_params *pb, const unsigned char *src, size_t len,
		   unsigned char *dst, size_t cap, size_t *out)
{
	struct aks_desc d;
	struct ak_result res;
	int i, r = 0;

	memset(&d, 0, sizeof(d));
	d.opcode = htole16((uint16_t)op);
	d.flags = htole16((uint16_t)(flags | AKS_DF_IRQ));
	d.src = htole64((uint64_t)(uintptr_t)src);
	d.dst = htole64((uint64_t)(uintptr_t)dst);
	d.len = htole64(len);
	d.pattern = htole64(cap);
	d.rsvd1[0] = htole64((uint64_t)(uintptr_t)pb);
	r = ak_submit_raw(q, &d, sizeof(d));
	if (r < 0)
		return -1000 + r;
	for (i = 0; i < 100 && (r = ak_reap(q, &res, 1)) == 0; i++)
		(void)ak_wait(q, 60000);
	if (r != 1)
		return -3000;
	*out = res.bytes;
	return res.status;
}

/* The descriptor rules of the FLUSH/FULL flags (docs/device.md 2.3). */
static void check_raw(const unsigned char *in)
{
	static struct aks_params pb;	/* read by the device */
	static unsigned char dst[1 << 20];
	struct ak_queue *q = NULL;
	size_t got = 0;
	int st, r;

	r = ak_queue_open(NULL, "deflate", 0, &q);
	if (r < 0) {
		CHECK(0, "raw: no queue (%s)", ak_strerror(r));
		return;
	}
	memset(&pb, 0, sizeof(pb));
	pb.alg = htole32(AKS_FRAME_RAW);
	pb.level = htole32(6);
	st = raw_job(q, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_FLUSH, &pb, in,
		     100000, dst, sizeof(dst), &got);
	CHECK(st == AK_ST_SUCCESS && got >= 5 &&
	      !memcmp(dst + got - 4, "\0\0\377\377", 4),
	      "raw COMPRESS FIRST|FLUSH: SUCCESS, output ends 00 00 ff ff (status %d, %zu bytes)",
	      st, got);
	st = raw_job(q, AKS_OP_COMPRESS, AKS_DF_FULL, &pb, in, 1000, dst,
		     sizeof(dst), &got);
	CHECK(st == AK_ST_INVALID_DESC, "raw COMPRESS FULL without FLUSH: INVALID_DESC (%d)", st);
	st = raw_job(q, AKS_OP_COMPRESS, AKS_DF_FLUSH | AKS_DF_LAST, &pb, in,
		     1000, dst, sizeof(dst), &got);
	CHECK(st == AK_ST_INVALID_DESC, "raw COMPRESS FLUSH|LAST: INVALID_DESC (%d)", st);
	st = raw_job(q, AKS_OP_DECOMPRESS, AKS_DF_FIRST | AKS_DF_FLUSH, &pb,
		     in, 1000, dst, sizeof(dst), &got);
	CHECK(st == AK_ST_INVALID_DESC, "raw DECOMPRESS with FLUSH: INVALID_DESC (%d)", st);
	/* The stream survived the refused jobs: it ends. */
	st = raw_job(q, AKS_OP_COMPRESS, AKS_DF_LAST, &pb, in, 0, dst,
		     sizeof(dst), &got);
	CHECK(st == AK_ST_SUCCESS && got > 0, "raw COMPRESS LAST after them: SUCCESS (%d)", st);
	ak_queue_close(q);
}

int main(void)
{
	static const int algs[] = { AK_ALG_DEFLATE, AK_ALG_ZLIB, AK_ALG_GZIP };
	static const int wb[] = { -15, 15, 31 };
	int want_dev = getenv("AKF_EXPECT_DEVICE") != NULL;
	size_t n = 3u << 20, cap = n + (1u << 20), i;
	unsigned char *in = malloc(n), *r = malloc(cap);
	struct obuf o = { malloc(cap), 0, cap };
	unsigned seed = 5;
	int a, m;

	if (!in || !r || !o.p)
		return 2;
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		in[i] = (i % 97 < 60) ? "flush points "[i % 13] :
			(unsigned char)(seed >> 24);
	}
	for (a = 0; a < 3; a++) {
		for (m = AK_FLUSH_SYNC; m <= AK_FLUSH_FULL; m++) {
			struct ak_session *s = NULL;
			struct ak_stream *st = NULL;
			size_t off = 0, rl;
			int ok = 1, e;

			e = ak_session_open2(NULL, algs[a], AK_SF_AUTO, &s);
			if (e < 0) {
				CHECK(0, "session: %s", ak_strerror(e));
				continue;
			}
			CHECK(!want_dev || ak_session_path(s) == AK_PATH_DEVICE,
			      "alg %d on the %s path", algs[a],
			      ak_path_name(ak_session_path(s)));
			o.len = 0;
			e = ak_stream_new(s, AK_COMPRESS, 6, sink, &o, &st);
			for (i = 0; !e && i < NCUT; i++) {
				size_t before;

				e = ak_stream_feed(st, in + off, cuts[i] - off);
				off = cuts[i];
				before = o.len;
				if (!e)
					e = ak_stream_flush(st, m);
				/* At the sink before the call returned. */
				if (!e && o.len > before)
					ok &= o.len >= 4 &&
					      !memcmp(o.p + o.len - 4,
						      "\0\0\377\377", 4);
				else if (!e && i != 2)
					ok = 0;
			}
			if (!e)
				e = ak_stream_feed(st, in + off, n - off);
			if (!e)
				e = ak_stream_finish(st);
			ak_stream_free(st);
			ak_session_close(s);
			rl = ref(wb[a], m == AK_FLUSH_FULL ? Z_FULL_FLUSH :
							    Z_SYNC_FLUSH,
				 in, n, r, cap);
			CHECK(!e && ok && rl == o.len && !memcmp(r, o.p, rl),
			      "ak_stream_flush %s, wbits %d: every point ends 00 00 ff ff at the sink, %zu bytes = zlib's %zu (%s)",
			      m == AK_FLUSH_FULL ? "FULL" : "SYNC", wb[a],
			      o.len, rl, e ? ak_strerror(e) : "no error");
		}
	}
	if (want_dev)
		check_raw(in);
	free(in);
	free(r);
	free(o.p);
	printf("akflush_check: %d failure(s)\n", fails);
	return fails ? 1 : 0;
}
