// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zshim_check: libaccelkit-zlib against the real zlib in one process.
 * Linked with -laccelkit-zlib (the zlib API here is the shim's); the real
 * zlib is opened by path for the reference results. Each check prints
 * "ok" or "FAIL" with what differed; exit status 1 on any failure.
 * Run on the host (software path, or auto without a device: the fallback
 * replays) and in the VM with AK_PATH=device (the device path).
 *   AKZ_EXPECT_DEVICE=1: the checks that need a stream on the device
 *   (flush and dictionary refusals after offload) are run too.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int fails;
static void *real;

#define CHECK(cond, ...)						\
	do {								\
		if (cond) {						\
			printf("ok   ");				\
		} else {						\
			printf("FAIL ");				\
			fails++;					\
		}							\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} while (0)

static void *rsym(const char *n)
{
	void *f = dlsym(real, n);

	if (!f) {
		fprintf(stderr, "no %s in the real zlib\n", n);
		exit(2);
	}
	return f;
}

/* Compressible but not trivial test data. */
static unsigned char *mkdata(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n ? n : 1);
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (i % 97 < 60) ? "the quick brown fox "[i % 20] :
			(unsigned char)(seed >> 24);
	}
	return p;
}

/* Reference: the real zlib's deflate of everything with one Z_FINISH. */
static size_t ref_deflate(const unsigned char *in, size_t n, int level,
			  int wbits, unsigned char *out, size_t cap)
{
	int (*init)(z_streamp, int, int, int, int, int, const char *, int) =
		rsym("deflateInit2_");
	int (*def)(z_streamp, int) = rsym("deflate");
	int (*end)(z_streamp) = rsym("deflateEnd");
	z_stream z;
	size_t r;

	memset(&z, 0, sizeof(z));
	init(&z, level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
	     (int)sizeof(z));
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (def(&z, Z_FINISH) != Z_STREAM_END)
		return 0;
	r = z.total_out;
	end(&z);
	return r;
}

/* Ours, streamed: input in pieces of @ichunk, output room @ochunk. */
static size_t our_deflate(const unsigned char *in, size_t n, int level,
			  int wbits, size_t ichunk, size_t ochunk,
			  unsigned char *out, size_t cap, uLong *adler)
{
	z_stream z;
	size_t off = 0;
	int r;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, wbits, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_out = out;
	do {
		size_t k = n - off < ichunk ? n - off : ichunk;

		z.next_in = (Bytef *)in + off;
		z.avail_in = (uInt)k;
		off += k;
		do {
			size_t room = cap - z.total_out;

			z.avail_out = (uInt)(room < ochunk ? room : ochunk);
			r = deflate(&z, off == n ? Z_FINISH : Z_NO_FLUSH);
			if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END)
				return 0;
		} while (z.avail_in || (off == n && r != Z_STREAM_END));
	} while (off < n);
	*adler = z.adler;
	if (deflateEnd(&z) != Z_OK)
		return 0;
	return z.total_out;
}

static void check_identical(void)
{
	static const size_t sizes[] = { 0, 100, 20000, 300000, 3u << 20 };
	static const int wb[] = { 15, 31, -15 };
	uLong (*radler)(uLong, const Bytef *, uInt) = rsym("adler32");
	uLong (*rcrc)(uLong, const Bytef *, uInt) = rsym("crc32");
	size_t cap = (4u << 20) + 65536, i, w;
	unsigned char *a = malloc(cap), *b = malloc(cap);
	int level;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *in = mkdata(sizes[i], (unsigned)i);

		for (w = 0; w < 3; w++) {
			for (level = 1; level <= 9; level += 4) {
				uLong ad = 0, want;
				size_t na = ref_deflate(in, sizes[i], level,
							wb[w], a, cap);
				size_t nb = our_deflate(in, sizes[i], level,
							wb[w], 65536 + 7, 4093,
							b, cap, &ad);

				want = wb[w] == 31 ? rcrc(0, in, (uInt)sizes[i]) :
				       wb[w] == 15 ? radler(1, in, (uInt)sizes[i]) : ad;
				CHECK(na && na == nb && !memcmp(a, b, na) &&
				      ad == want,
				      "deflate %zu bytes wbits %d level %d: %zu vs zlib %zu bytes, identical, adler",
				      sizes[i], wb[w], level, nb, na);
			}
		}
		free(in);
	}
	free(a);
	free(b);
}

static void check_oneshot(void)
{
	int (*rcomp2)(Bytef *, uLongf *, const Bytef *, uLong, int) =
		rsym("compress2");
	size_t n = 1u << 20;
	unsigned char *in = mkdata(n, 7);
	uLongf na = compressBound(n), nb = na, nc = n;
	unsigned char *a = malloc(na), *b = malloc(nb), *c = malloc(n);
	uLong sl;
	int r;

	rcomp2(a, &na, in, n, 6);
	r = compress2(b, &nb, in, n, 6);
	CHECK(r == Z_OK && na == nb && !memcmp(a, b, na),
	      "compress2 1 MiB level 6 identical to zlib (%lu bytes)", nb);
	r = uncompress(c, &nc, b, nb);
	CHECK(r == Z_OK && nc == n && !memcmp(c, in, n),
	      "uncompress round trip");
	nb = 100;
	r = compress2(b, &nb, in, n, 6);
	CHECK(r == Z_BUF_ERROR, "compress2 into a too small buffer: Z_BUF_ERROR (%d)", r);
	nc = n;
	sl = na - 10;
	r = uncompress2(c, &nc, a, &sl);
	CHECK(r == Z_DATA_ERROR, "uncompress2 of a truncated stream: Z_DATA_ERROR (%d)", r);
	free(in);
	free(a);
	free(b);
	free(c);
}

/* Two gzip members back to back: inflate stops at the end of the first,
 * leaving the second in next_in, as zlib does. */
static void check_members(void)
{
	uLong (*rcrc)(uLong, const Bytef *, uInt) = rsym("crc32");
	size_t n1 = 200000, n2 = 50000, cap = 600000;
	unsigned char *d1 = mkdata(n1, 3), *d2 = mkdata(n2, 4);
	unsigned char *gz = malloc(cap), *out = malloc(n1 + n2);
	size_t g1 = ref_deflate(d1, n1, 6, 31, gz, cap);
	size_t g2 = ref_deflate(d2, n2, 6, 31, gz + g1, cap - g1);
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	inflateInit2(&z, 31);
	z.next_in = gz;
	z.avail_in = (uInt)(g1 + g2);
	z.next_out = out;
	z.avail_out = (uInt)(n1 + n2);
	do
		r = inflate(&z, Z_NO_FLUSH);
	while (r == Z_OK);
	CHECK(r == Z_STREAM_END && z.total_in == g1 && z.avail_in == g2 &&
	      z.total_out == n1 && !memcmp(out, d1, n1) &&
	      z.adler == rcrc(0, d1, (uInt)n1),
	      "gzip member 1: Z_STREAM_END, total_in %lu (member %zu), %u bytes left, crc in adler",
	      z.total_in, g1, z.avail_in);
	r = inflate(&z, Z_NO_FLUSH);
	CHECK(r == Z_STREAM_END && z.avail_in == g2,
	      "inflate after the end: Z_STREAM_END again, nothing consumed");
	inflateReset(&z);
	do
		r = inflate(&z, Z_NO_FLUSH);
	while (r == Z_OK);
	CHECK(r == Z_STREAM_END && z.avail_in == 0 && z.total_out == n2 &&
	      !memcmp(z.next_out - n2, d2, n2),
	      "gzip member 2 after inflateReset");
	inflateEnd(&z);

	/* The whole member in, 4 KiB of output room a call: as zlib, the
	 * input is not all used while output is still to come (gzread()
	 * takes "no input left at end of file" for a truncated file). */
	memset(&z, 0, sizeof(z));
	inflateInit2(&z, 31);
	z.next_in = gz;
	z.avail_in = (uInt)g1;
	z.next_out = out;
	{
		int early = 0;

		do {
			z.avail_out = 4096;
			r = inflate(&z, Z_NO_FLUSH);
			if (r == Z_OK && !z.avail_in)
				early = 1;
		} while (r == Z_OK);
		CHECK(r == Z_STREAM_END && !early && z.total_out == n1 &&
		      z.total_in == g1 && !memcmp(out, d1, n1),
		      "4 KiB output steps: input not all used before the end (%s)",
		      early ? "all used early" : "ok");
	}
	inflateEnd(&z);

	/* Small output steps and a corrupt stream. */
	memset(&z, 0, sizeof(z));
	inflateInit2(&z, 31);
	gz[g1 / 2] ^= 0x55;
	z.next_in = gz;
	z.avail_in = (uInt)g1;
	z.next_out = out;
	do {
		z.avail_out = 777;
		r = inflate(&z, Z_NO_FLUSH);
	} while (r == Z_OK);
	CHECK(r == Z_DATA_ERROR && z.msg, "corrupt gzip: Z_DATA_ERROR, msg \"%s\"",
	      z.msg ? z.msg : "(null)");
	inflateEnd(&z);
	free(d1);
	free(d2);
	free(gz);
	free(out);
}

/* Calls the device cannot do, on our streams. */
static void check_switch(int on_device)
{
	size_t n = 3u << 20;
	unsigned char *in = mkdata(n, 9), *out = malloc(n + 65536);
	unsigned char dict[] = "the quick brown fox";
	z_stream z;
	int r;

	/* Before anything went anywhere: the stream turns zlib. */
	memset(&z, 0, sizeof(z));
	deflateInit(&z, 6);
	r = deflateSetDictionary(&z, dict, sizeof(dict));
	CHECK(r == Z_OK, "deflateSetDictionary on a fresh stream: Z_OK");
	deflateEnd(&z);

	/* 64 KiB taken, then a sync flush: replayed into zlib, flushed. */
	memset(&z, 0, sizeof(z));
	deflateInit(&z, 6);
	z.next_in = in;
	z.avail_in = 65536;
	z.next_out = out;
	z.avail_out = (uInt)n;
	r = deflate(&z, Z_NO_FLUSH);
	r = r == Z_OK ? deflate(&z, Z_SYNC_FLUSH) : r;
	CHECK(r == Z_OK && z.total_out > 100 &&
	      !memcmp(z.next_out - 4, "\0\0\377\377", 4),
	      "Z_SYNC_FLUSH after buffered input: flushed (ends 00 00 ff ff)");
	deflateEnd(&z);

	if (!on_device)
		goto out;
	/* 3 MiB: the first MiB went to the device. */
	memset(&z, 0, sizeof(z));
	deflateInit(&z, 6);
	z.next_in = in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)(n + 65536);
	r = deflate(&z, Z_NO_FLUSH);
	CHECK(r == Z_OK, "deflate 3 MiB Z_NO_FLUSH (device)");
	r = deflate(&z, Z_SYNC_FLUSH);
	CHECK(r == Z_OK && !memcmp(z.next_out - 4, "\0\0\377\377", 4),
	      "Z_SYNC_FLUSH on a device stream: Z_OK, ends 00 00 ff ff (%d)", r);
	r = deflatePrime(&z, 3, 5);
	CHECK(r == Z_STREAM_ERROR, "deflatePrime on a device stream: Z_STREAM_ERROR");
	r = deflateSetDictionary(&z, dict, sizeof(dict));
	CHECK(r == Z_STREAM_ERROR, "deflateSetDictionary on a device stream: Z_STREAM_ERROR");
	r = deflateParams(&z, 6, Z_DEFAULT_STRATEGY);
	CHECK(r == Z_OK, "deflateParams with the same parameters: Z_OK");
	r = deflateParams(&z, 1, Z_DEFAULT_STRATEGY);
	CHECK(r == Z_STREAM_ERROR, "deflateParams with a new level: Z_STREAM_ERROR");
	r = deflate(&z, Z_FINISH);
	CHECK(r == Z_STREAM_END, "the stream still finishes");
	deflateEnd(&z);
out:
	free(in);
	free(out);
}

/* Deflate @n bytes cut at @cuts (each piece ending in @flush, the rest
 * in Z_FINISH) with @def, @room bytes of output room a call. */
static size_t cut_deflate(int (*def)(z_streamp, int), z_streamp z,
			  const unsigned char *in, size_t n,
			  const size_t *cuts, int ncut, int flush,
			  unsigned char *out, size_t cap, size_t room,
			  int (*at_cut)(z_streamp, size_t, const unsigned char *,
					size_t))
{
	size_t off = 0, o = 0;
	int i, r, bad = 0;

	for (i = 0; i <= ncut; i++) {
		size_t end = i < ncut ? cuts[i] : n;
		int f = i < ncut ? flush : Z_FINISH;

		z->next_in = (Bytef *)in + off;
		z->avail_in = (uInt)(end - off);
		do {
			size_t k = cap - o < room ? cap - o : room;

			z->next_out = out + o;
			z->avail_out = (uInt)k;
			r = def(z, f);
			o += k - z->avail_out;
			if (r == Z_STREAM_ERROR || (!k && r != Z_STREAM_END))
				return 0;
		} while (z->avail_out == 0 || z->avail_in ||
			 (f == Z_FINISH && r != Z_STREAM_END));
		off = end;
		if (at_cut && i < ncut && !at_cut(z, off, out, o))
			bad = 1;
	}
	return bad ? 0 : o;
}

static const unsigned char *cut_src;

/* At a Z_BLOCK/Z_PARTIAL_FLUSH point on the device (a sync flush): no
 * bits pending, and the raw output so far decodes to all input so far. */
static int aligned_at_cut(z_streamp z, size_t in_len, const unsigned char *out,
			  size_t out_len)
{
	unsigned char *d = malloc(in_len + 1);
	unsigned pend = 1;
	int bits = 1, ok;
	z_stream i;

	ok = deflatePending(z, &pend, &bits) == Z_OK && !pend && !bits;
	memset(&i, 0, sizeof(i));
	inflateInit2(&i, -15);	/* the shim's inflate: decodes the same */
	i.next_in = (Bytef *)out;
	i.avail_in = (uInt)out_len;
	i.next_out = d;
	i.avail_out = (uInt)in_len + 1;
	(void)inflate(&i, Z_SYNC_FLUSH);
	ok = ok && i.total_out == in_len && !memcmp(d, cut_src, in_len);
	inflateEnd(&i);
	free(d);
	return ok;
}

/* Flush points: Z_SYNC_FLUSH / Z_FULL_FLUSH give zlib's bytes (the device
 * flushes as zlib does); Z_BLOCK / Z_PARTIAL_FLUSH on the device are a sync
 * flush (aligned, decodable), elsewhere zlib's. */
static void check_flush(int on_device)
{
	static const int wb[] = { -15, 15, 31 };
	static const int modes[] = { Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_BLOCK,
				     Z_PARTIAL_FLUSH };
	static const char *const mname[] = { "Z_SYNC_FLUSH", "Z_FULL_FLUSH",
					     "Z_BLOCK", "Z_PARTIAL_FLUSH" };
	/* 128 KiB blocks as pigz, a flush with nothing new, a piece over
	 * the 1 MiB device stage, a 1-byte piece */
	static const size_t cuts[] = { 131072, 262144, 262144, 1500000,
				       1500001, 2000000 };
	int (*init)(z_streamp, int, int, int, int, int, const char *, int) =
		rsym("deflateInit2_");
	int (*rdef)(z_streamp, int) = rsym("deflate");
	int (*rend)(z_streamp) = rsym("deflateEnd");
	size_t n = 3u << 20, cap = n + (1u << 20), na, nb, nd;
	unsigned char *in = mkdata(n, 11), *a = malloc(cap), *b = malloc(cap);
	unsigned char *d = malloc(n);
	unsigned w, m;

	cut_src = in;
	for (m = 0; m < 4; m++) {
		for (w = 0; w < 3; w++) {
			int blk = modes[m] == Z_BLOCK ||
				  modes[m] == Z_PARTIAL_FLUSH;
			z_stream z;

			memset(&z, 0, sizeof(z));
			init(&z, 6, Z_DEFLATED, wb[w], 8, Z_DEFAULT_STRATEGY,
			     ZLIB_VERSION, (int)sizeof(z));
			na = cut_deflate(rdef, &z, in, n, cuts, 6, modes[m], a,
					 cap, cap, NULL);
			rend(&z);
			memset(&z, 0, sizeof(z));
			deflateInit2(&z, 6, Z_DEFLATED, wb[w], 8,
				     Z_DEFAULT_STRATEGY);
			nb = cut_deflate(deflate, &z, in, n, cuts, 6, modes[m],
					 b, cap, 4093,
					 on_device && blk && wb[w] == -15 ?
					 aligned_at_cut : NULL);
			CHECK(deflateEnd(&z) == Z_OK && nb,
			      "%s wbits %d: stream ends%s", mname[m], wb[w],
			      on_device && blk && wb[w] == -15 ?
			      ", each point aligned (deflatePending 0) and decodable" : "");
			if (!blk || !on_device) {
				CHECK(na && na == nb && !memcmp(a, b, na),
				      "%s wbits %d: identical to zlib (%zu vs %zu bytes)",
				      mname[m], wb[w], nb, na);
				continue;
			}
			/* Decodes (the shim's inflate) to the input. */
			memset(&z, 0, sizeof(z));
			inflateInit2(&z, wb[w]);
			z.next_in = b;
			z.avail_in = (uInt)nb;
			z.next_out = d;
			z.avail_out = (uInt)n;
			nd = inflate(&z, Z_FINISH) == Z_STREAM_END ?
			     z.total_out : 0;
			inflateEnd(&z);
			CHECK(nd == n && !memcmp(d, in, n),
			      "%s wbits %d: round trip (%zu bytes, zlib %zu)",
			      mname[m], wb[w], nb, na);
		}
	}
	free(in);
	free(a);
	free(b);
	free(d);
}

struct back_io {
	unsigned char *src;
	size_t len, off, piece;
	unsigned char *dst;
	size_t cap, got;
	int out_fail;		/* out() fails once this much came */
	unsigned calls_over;	/* out() calls with more than the window */
};

static unsigned back_in(void *d, unsigned char **p)
{
	struct back_io *io = d;
	size_t k = io->len - io->off;

	if (k > io->piece)
		k = io->piece;
	*p = io->src + io->off;
	io->off += k;
	return (unsigned)k;
}

static int back_out(void *d, unsigned char *p, unsigned n)
{
	struct back_io *io = d;

	if (n > 32768)
		io->calls_over++;
	if (io->got + n > io->cap || (io->out_fail && io->got >= (size_t)io->out_fail))
		return 1;
	memcpy(io->dst + io->got, p, n);
	io->got += n;
	return 0;
}

/* inflateBack: the shim's (device when AKZ_EXPECT_DEVICE) against the real
 * zlib's, on a raw stream followed by 8 "trailer" bytes fed in pieces. */
static int run_back(int real_zlib, struct back_io *io, z_stream *z)
{
	int (*binit)(z_streamp, int, unsigned char *, const char *, int) =
		real_zlib ? rsym("inflateBackInit_") : inflateBackInit_;
	int (*bk)(z_streamp, in_func, void *, out_func, void *) =
		real_zlib ? rsym("inflateBack") : inflateBack;
	int (*bend)(z_streamp) = real_zlib ? rsym("inflateBackEnd") :
					     inflateBackEnd;
	static unsigned char win[32768];
	int r;

	memset(z, 0, sizeof(*z));
	if (binit(z, 15, win, ZLIB_VERSION, (int)sizeof(*z)) != Z_OK)
		return -100;
	io->off = io->got = 0;
	io->calls_over = 0;
	z->next_in = Z_NULL;
	r = bk(z, back_in, io, back_out, io);
	bend(z);
	return r;
}

static void check_back(void)
{
	size_t n = 1500000, cap = n + 65536, cl;
	unsigned char *in = mkdata(n, 13), *c = malloc(cap + 8);
	unsigned char *o1 = malloc(n), *o2 = malloc(n);
	struct back_io a = { 0 }, b = { 0 };
	z_stream za, zb;
	int ra, rb;

	cl = ref_deflate(in, n, 6, -15, c, cap);
	memcpy(c + cl, "TRAILER!", 8);
	a.src = b.src = c;
	a.len = b.len = cl + 8;
	a.piece = b.piece = 32768 - 17;
	a.dst = o1;
	b.dst = o2;
	a.cap = b.cap = n;
	ra = run_back(1, &a, &za);
	rb = run_back(0, &b, &zb);
	CHECK(rb == Z_STREAM_END && ra == rb && b.got == n &&
	      !memcmp(o2, in, n) && zb.avail_in == za.avail_in &&
	      zb.avail_in >= 8 && zb.next_in &&
	      !memcmp(zb.next_in + zb.avail_in - 8, "TRAILER!", 8) &&
	      zb.next_in == za.next_in && !b.calls_over,
	      "inflateBack: Z_STREAM_END (%d, zlib %d), output, unused input %u (zlib %u), out() <= window",
	      rb, ra, zb.avail_in, za.avail_in);

	/* Truncated: in() runs dry (Z_BUF_ERROR, next_in NULL). */
	a.len = b.len = cl / 2;
	ra = run_back(1, &a, &za);
	rb = run_back(0, &b, &zb);
	CHECK(rb == Z_BUF_ERROR && ra == rb && zb.next_in == Z_NULL,
	      "inflateBack of a truncated stream: Z_BUF_ERROR, next_in NULL (%d, zlib %d)",
	      rb, ra);
	/* out() fails: Z_BUF_ERROR, next_in not NULL. */
	a.len = b.len = cl + 8;
	a.out_fail = b.out_fail = 100000;
	ra = run_back(1, &a, &za);
	rb = run_back(0, &b, &zb);
	CHECK(rb == Z_BUF_ERROR && ra == rb && zb.next_in != Z_NULL,
	      "inflateBack with a failing out(): Z_BUF_ERROR, next_in set (%d, zlib %d)",
	      rb, ra);
	/* Corrupt (block type 3): Z_DATA_ERROR with a message. */
	a.out_fail = b.out_fail = 0;
	c[0] |= 0x06;
	ra = run_back(1, &a, &za);
	rb = run_back(0, &b, &zb);
	CHECK(rb == Z_DATA_ERROR && ra == rb && zb.msg,
	      "inflateBack of a corrupt stream: Z_DATA_ERROR (%d, zlib %d), msg \"%s\"",
	      rb, ra, zb.msg ? zb.msg : "(null)");
	free(in);
	free(c);
	free(o1);
	free(o2);
}

int main(void)
{
	const char *p = getenv("AK_ZLIB_REAL");

	real = dlopen(p && *p ? p : "libz.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!real) {
		fprintf(stderr, "cannot open the real zlib: %s\n", dlerror());
		return 2;
	}
	check_identical();
	check_oneshot();
	check_members();
	check_switch(getenv("AKZ_EXPECT_DEVICE") != NULL);
	check_flush(getenv("AKZ_EXPECT_DEVICE") != NULL);
	check_back();
	printf("zshim_check: %d failure(s)\n", fails);
	return fails ? 1 : 0;
}
