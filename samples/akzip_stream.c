// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akzip_stream - akzip's library streams: the gzip header rewrite when
 * compressing (name and mtime), and when decompressing what follows the
 * last member (zero padding, garbage, non-gzip data with -f), as gzip 1.12
 * handles it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "akzip.h"
#include "akzip_gz.h"

struct sink {
	int fd;			/* -1: discard (-t) */
	int err;		/* errno of a failed write */
	uint64_t out;		/* output so far */
	/* compression: the header rewrite (-N) */
	bool rewrite;
	uint8_t hdr[10];
	size_t nhdr;
	const char *hname;	/* stored name, or NULL */
	uint32_t hmtime;
};

static int put(struct sink *k, const void *buf, size_t len)
{
	if (k->fd < 0 || !len)
		return 0;
	if (akt_write_full(k->fd, buf, len)) {
		k->err = errno;
		return -errno;
	}
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Compression: the engine's 10-byte header gets FNAME and MTIME. */
static int sink_comp(void *arg, const void *buf, size_t len)
{
	struct sink *k = arg;
	const uint8_t *p = buf;

	if (k->rewrite && k->nhdr < 10) {
		size_t t = 10 - k->nhdr < len ? 10 - k->nhdr : len;
		int r;

		memcpy(k->hdr + k->nhdr, p, t);
		k->nhdr += t;
		p += t;
		len -= t;
		if (k->nhdr < 10)
			return 0;
		/* zlib's header is 1f 8b 08 00: anything else stays as is. */
		if (k->hdr[3] == 0) {
			k->hdr[3] = k->hname ? GZ_FNAME : 0;
			put_le32(k->hdr + 4, k->hmtime);
		}
		r = put(k, k->hdr, 10);
		if (!r && k->hname && k->hdr[3] == GZ_FNAME)
			r = put(k, k->hname, strlen(k->hname) + 1);
		if (r)
			return r;
	}
	return put(k, p, len);
}

static int sink_decomp(void *arg, const void *buf, size_t len)
{
	struct sink *k = arg;

	k->out += len;
	return put(k, buf, len);
}

void open_session(void)
{
	if (!sess && akt_session_open(AK_ALG_GZIP, &sess))
		exit(EX_ERROR);
}


ssize_t in_next(struct input *in)
{
	int nx = in->started ? in->cur ^ 1 : 0;
	uint64_t off = in->started ? in->off[in->cur] + in->len[in->cur] : 0;
	ssize_t n = akt_read_full(in->fd, inbuf[nx], AKT_BUF);

	if (n < 0)
		return -1;
	in->started = true;
	in->cur = nx;
	in->off[nx] = off;
	in->len[nx] = (size_t)n;
	return n;
}

/* Copy what follows stream offset @from (in the window, then the rest of
 * the file) to @fd, or (@fd < 0) only check whether it is all zeros.
 * 0 (*@zeros set), or -1 with a message. */
static int copy_rest(struct input *in, uint64_t from, int fd, bool *zeros)
{
	struct sink k = { .fd = fd };
	int order[2] = { in->cur ^ 1, in->cur };

	*zeros = true;
	for (int j = 0; j < 2; j++) {
		int i = order[j];
		uint64_t end = in->off[i] + in->len[i];

		if (!in->len[i] || end <= from)
			continue;
		for (uint64_t o = from > in->off[i] ? from - in->off[i] : 0;
		     o < in->len[i]; o++)
			if (inbuf[i][o]) {
				*zeros = false;
				break;
			}
		if (put(&k, inbuf[i] + (from > in->off[i] ? from - in->off[i] : 0),
			(size_t)(end - (from > in->off[i] ? from : in->off[i]))))
			goto werr;
	}
	for (;;) {
		ssize_t n = akt_read_full(in->fd, inbuf[in->cur ^ 1], AKT_BUF);

		if (n < 0) {
			akt_msg("%s: read error: %s", in->name, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		for (ssize_t o = 0; o < n && *zeros; o++)
			*zeros = inbuf[in->cur ^ 1][o] == 0;
		if (fd < 0 && !*zeros)
			return 0;	/* garbage: the rest does not matter */
		if (put(&k, inbuf[in->cur ^ 1], (size_t)n))
			goto werr;
	}
werr:
	akt_msg("%s: write error: %s", in->name, strerror(k.err));
	return -1;
}

/* -f with standard output (zcat -f): not gzip data, copied unchanged. */
static bool pass_through(void)
{
	return opt.force && (opt.to_stdout || opt.test);
}

/*
 * Decompression failed with -EBADMSG: if it was data after the last
 * member, finish as gzip does (0), else -1 (the caller reports the error).
 */
static int after_members(struct input *in, struct sink *k,
			 const struct ak_stream_info *info, bool at_finish,
			 int out_fd, struct result *res)
{
	struct gz_window w = { { NULL, NULL }, { 0, 0 }, { 0, 0 } };
	uint64_t end = info->member_end;
	bool zeros;

	if (!info->members)
		return -1;
	for (int i = 0; i < 2; i++) {
		w.p[i] = inbuf[i];
		w.off[i] = in->off[i];
		w.len[i] = in->len[i];
	}
	if (!gz_trailing_after(&w, end, info->total_in))
		return -1;
	/* gzip: a single non-zero byte after a member is a truncated member
	 * (at_finish: the input is all read). */
	if (!pass_through() && at_finish && end + 1 == info->total_in &&
	    gz_window_byte(&w, end) != 0)
		return -1;
	res->nin = end;
	res->nout = k->out;
	res->members = info->members;
	if (copy_rest(in, end, pass_through() ? out_fd : -1, &zeros))
		return -2;
	if (pass_through())
		return 0;
	if (!zeros)
		warn_msg("%s: decompression OK, trailing garbage ignored",
			 in->name);
	else if (opt.verbose)
		warn_msg("%s: decompression OK, trailing zero bytes ignored",
			 in->name);
	return 0;
}

static void report(const char *name, int r, const struct sink *k,
		   const struct ak_stream_info *info, bool read_err,
		   bool not_gzip)
{
	if (read_err)
		akt_msg("%s: read error: %s", name, strerror(-r));
	else if (k->err)
		akt_msg("%s: write error: %s", name, strerror(k->err));
	else if (r == -EBADMSG && opt.decompress) {
		if (info->err_offset >= info->total_in)
			akt_msg("%s: unexpected end of file", name);
		else if (info->members == 0 && not_gzip)
			akt_msg("%s: not in gzip format", name);
		else
			akt_msg("%s: invalid compressed data--format violated "
				"(at byte %" PRIu64 ")", name, info->err_offset);
	} else {
		akt_msg("%s: %s failed: %s", name,
			opt.decompress ? "decompression" : "compression",
			akt_strerr(r));
	}
}

/* See akzip.h. */
int run_stream(struct input *in, int out_fd, const char *hname,
	       uint32_t hmtime, struct result *res)
{
	struct sink k = { .fd = out_fd, .rewrite = opt.name != 0,
			  .hname = hname, .hmtime = hmtime };
	struct ak_stream *st = NULL;
	struct ak_stream_info info;
	bool read_err = false, at_finish = false, not_gzip;
	ssize_t n = (ssize_t)in->len[in->cur];
	int r;

	not_gzip = n < 2 || inbuf[in->cur][0] != 0x1f ||
		   inbuf[in->cur][1] != 0x8b;
	if (opt.decompress && not_gzip && pass_through()) {
		bool zeros;

		if (copy_rest(in, 0, out_fd, &zeros))
			return -1;
		memset(res, 0, sizeof(*res));
		return 0;
	}
	r = ak_stream_new(sess, opt.decompress ? AK_DECOMPRESS : AK_COMPRESS,
			  opt.level, opt.decompress ? sink_decomp : sink_comp,
			  &k, &st);
	if (r) {
		akt_msg("%s: cannot start a stream: %s", in->name, akt_strerr(r));
		return -1;
	}
	while (n > 0) {
		r = ak_stream_feed(st, inbuf[in->cur], (size_t)n);
		if (r)
			break;
		n = in_next(in);
		if (n < 0) {
			read_err = true;
			r = -errno;
		}
	}
	if (!r && n == 0) {
		r = ak_stream_finish(st);
		at_finish = true;
	}
	memset(&info, 0, sizeof(info));
	ak_stream_info(st, &info);
	ak_stream_free(st);
	if (r == 0) {
		res->nin = info.total_in;
		res->nout = info.total_out;
		res->members = info.members;
		return 0;
	}
	if (r == -EBADMSG && opt.decompress && !k.err) {
		int t = after_members(in, &k, &info, at_finish, out_fd, res);

		if (t == 0)
			return 0;
		if (t == -2)
			return -1;
	}
	report(in->name, r, &k, &info, read_err, not_gzip);
	return -1;
}
