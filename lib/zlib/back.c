// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * inflateBack: raw deflate pulled with in() and pushed with out() (pigz -d
 * uses it, after reading the gzip header itself). A call decides, on its
 * first input, between the device (windowBits 15, the device's window;
 * AK_PATH not software; at least AK_ZLIB_MIN bytes in that first input)
 * and the real zlib's inflateBack on an inner stream set up at init with
 * the caller's window. On the device each piece in() gives is one
 * DECOMPRESS job (RAW framing) on a queue from the pool; output goes to
 * out() through the caller's window, at most its size at a time, as zlib
 * does. At the end of the stream the input after it stays in
 * next_in/avail_in (pigz reads the gzip trailer from there).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define AKZ_MAGIC_BACK	0x414b5a42u	/* "AKZB" */
#define BACK_CHUNK	(1u << 20)

REAL_DECL(inflateBackInit_);
REAL_DECL(inflateBack);
REAL_DECL(inflateBackEnd);

static char msg_nodev[] = "accelkit: no device (AK_PATH=device)";
static char msg_deverr[] = "accelkit: device error";
static char msg_data[] = "invalid compressed data (accelkit device)";

struct akz_back {
	z_streamp strm;		/* owner (as struct akz: see shim.h) */
	uint32_t magic;
	int wbits;
	unsigned char *window;	/* the caller's */
	z_stream inner;		/* the real zlib's inflateBack stream */
};

static struct akz_back *back_of(z_streamp strm)
{
	struct akz_back *b;

	if (!strm || !strm->state)
		return NULL;
	b = (struct akz_back *)(void *)strm->state;
	if (b->strm != strm || b->magic != AKZ_MAGIC_BACK)
		return NULL;
	return b;
}

AKZ_API int inflateBackInit_(z_streamp strm, int wbits, unsigned char *window,
			     const char *version, int size)
{
	struct akz_back *b;
	int r;

	if (!strm || !window)
		return REAL(inflateBackInit_)(strm, wbits, window, version,
					      size);
	b = calloc(1, sizeof(*b));
	if (!b)
		return Z_MEM_ERROR;
	b->inner.zalloc = strm->zalloc;
	b->inner.zfree = strm->zfree;
	b->inner.opaque = strm->opaque;
	/* zlib checks version, size and windowBits: its errors are ours. */
	r = REAL(inflateBackInit_)(&b->inner, wbits, window, version, size);
	if (r != Z_OK) {
		strm->msg = b->inner.msg;
		free(b);
		return r;
	}
	b->strm = strm;
	b->magic = AKZ_MAGIC_BACK;
	b->wbits = wbits;
	b->window = window;
	strm->state = (struct internal_state *)(void *)b;
	strm->msg = Z_NULL;
	return Z_OK;
}

/* The real zlib from here on, with @next/@have as the first input. */
static int back_zlib(struct akz_back *b, z_streamp strm, z_const Bytef *next,
		     unsigned have, in_func in, void *in_desc, out_func out,
		     void *out_desc)
{
	z_stream *z = &b->inner;
	int r;

	z->next_in = next;
	z->avail_in = have;
	r = REAL(inflateBack)(z, in, in_desc, out, out_desc);
	strm->next_in = z->next_in;
	strm->avail_in = z->avail_in;
	strm->msg = z->msg;
	strm->data_type = z->data_type;
	return r;
}

/* Hand @len bytes to out() through the window. Nonzero: out() failed. */
static int back_out(struct akz_back *b, const uint8_t *p, size_t len,
		    out_func out, void *out_desc)
{
	size_t wsize = (size_t)1 << b->wbits, k;

	while (len) {
		k = len < wsize ? len : wsize;
		memcpy(b->window, p, k);
		if (out(out_desc, b->window, (unsigned)k))
			return 1;
		p += k;
		len -= k;
	}
	return 0;
}

AKZ_API int inflateBack(z_streamp strm, in_func in, void *in_desc,
			out_func out, void *out_desc)
{
	const struct akz_config *c = akz_cfg();
	struct akz_back *b = back_of(strm);
	z_const Bytef *next;
	struct akz_dev *dev;
	const char *why = NULL;
	unsigned have;
	int first = 1, r, end;

	if (!b)
		return REAL(inflateBack)(strm, in, in_desc, out, out_desc);
	if (!in || !out)
		return Z_STREAM_ERROR;
	strm->msg = Z_NULL;
	next = strm->next_in;
	have = next ? strm->avail_in : 0;
	if (!have) {
		have = in(in_desc, (unsigned char **)&next);
		if (!have) {
			/* As zlib: no input is an input error. */
			strm->next_in = Z_NULL;
			strm->avail_in = 0;
			return Z_BUF_ERROR;
		}
	}
	if (c->path == AKZ_PATH_SOFTWARE)
		why = "AK_PATH=software";
	else if (b->wbits != 15)
		why = "windowBits";
	else if (have < c->min)
		why = "small input";
	if (why) {
		akz_debug("inflateBack %p: zlib (%s)", (void *)strm, why);
		return back_zlib(b, strm, next, have, in, in_desc, out,
				 out_desc);
	}
	dev = akz_dev_get(AKZ_RAW, 0, &r);
	if (!dev) {
		if (c->path == AKZ_PATH_DEVICE) {
			akz_debug("inflateBack %p: no device (%d)",
				  (void *)strm, r);
			strm->msg = msg_nodev;
			strm->next_in = next;
			strm->avail_in = have;
			return Z_STREAM_ERROR;
		}
		akz_debug("inflateBack %p: zlib (no device)", (void *)strm);
		return back_zlib(b, strm, next, have, in, in_desc, out,
				 out_desc);
	}
	akz_debug("inflateBack %p: device (raw)", (void *)strm);
	for (;;) {
		const uint8_t *o;
		size_t used, olen;
		unsigned n;

		if (!have) {
			have = in(in_desc, (unsigned char **)&next);
			if (!have) {
				next = Z_NULL;	/* in() error or no more */
				r = Z_BUF_ERROR;
				break;
			}
		}
		n = have > BACK_CHUNK ? BACK_CHUNK : have;
		r = akz_dev_job(dev, 1, first, 0, AKZ_FLUSH_NONE, next, n,
				&used, &o, &olen, &end);
		if (r == -EBADMSG) {
			next += used;
			have -= (unsigned)used;
			strm->msg = msg_data;
			r = Z_DATA_ERROR;
			break;
		}
		if (r) {
			akz_debug("inflateBack %p: device job failed (%d)",
				  (void *)strm, r);
			strm->msg = msg_deverr;
			r = Z_STREAM_ERROR;
			break;
		}
		first = 0;
		next += used;
		have -= (unsigned)used;
		if (back_out(b, o, olen, out, out_desc)) {
			r = Z_BUF_ERROR;
			break;
		}
		if (end) {
			r = Z_STREAM_END;
			break;
		}
	}
	akz_dev_put(dev);
	strm->next_in = next;
	strm->avail_in = next ? have : 0;
	return r;
}

AKZ_API int inflateBackEnd(z_streamp strm)
{
	struct akz_back *b = back_of(strm);

	if (!b)
		return REAL(inflateBackEnd)(strm);
	(void)REAL(inflateBackEnd)(&b->inner);
	free(b);
	strm->state = Z_NULL;
	return Z_OK;
}
