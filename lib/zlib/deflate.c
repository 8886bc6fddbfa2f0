// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * deflate side. A stream starts UNDECIDED: deflate() takes the input into
 * a buffer (up to STAGE bytes) and produces nothing. The first device job
 * decides: a full buffer, or Z_FINISH with at least AK_ZLIB_MIN bytes,
 * goes to the device (M_DEVICE); anything the device cannot do before that
 * (a flush mode, a dictionary, new parameters, a small input, no device)
 * switches the stream to the real zlib (M_ZLIB) by replaying the buffer
 * into the inner stream, so the output is exactly zlib's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define STAGE (1u << 20)

REAL_DECL(zlibVersion);
REAL_DECL(deflateInit2_);
REAL_DECL(deflate);
REAL_DECL(deflateEnd);
REAL_DECL(deflateReset);
REAL_DECL(deflateResetKeep);
REAL_DECL(deflateParams);
REAL_DECL(deflateBound);
REAL_DECL(deflateSetDictionary);
REAL_DECL(deflateGetDictionary);
REAL_DECL(deflateCopy);
REAL_DECL(deflateTune);
REAL_DECL(deflatePending);
REAL_DECL(deflatePrime);
REAL_DECL(deflateSetHeader);

static char msg_device[] = "accelkit: not possible on a stream already on the device";
static char msg_nodev[] = "accelkit: no device (AK_PATH=device)";
static char msg_deverr[] = "accelkit: device error";

static void def_eligible(struct akz *s)
{
	const struct akz_config *c = akz_cfg();

	s->eligible = 0;
	if (c->path == AKZ_PATH_SOFTWARE)
		s->why = "AK_PATH=software";
	else if (s->level == 0)
		s->why = "level 0";
	else if (s->memlevel != 8)
		s->why = "memLevel not 8";
	else if (s->strategy != Z_DEFAULT_STRATEGY)
		s->why = "strategy";
	else if (s->wbits != 15 && s->wbits != 31 && s->wbits != -15)
		s->why = "windowBits";
	else
		s->eligible = 1;
	s->frame = s->wbits == 31 ? AKZ_GZIP : s->wbits < 0 ? AKZ_RAW : AKZ_ZLIB;
}

static void def_reset(struct akz *s)
{
	akz_release_dev(s);
	s->buf_len = 0;
	s->out_off = s->out_len = 0;
	s->out = NULL;
	s->first = 1;
	s->finished = 0;
	s->started = 0;
	s->flushed = 0;
	s->check = akz_check_init(s);
	s->mode = s->eligible ? M_UNDECIDED : M_ZLIB;
}

int akz_deflate_init(z_streamp strm, int level, int method, int wbits,
		     int memlevel, int strategy, const char *version, int size)
{
	struct akz *s;
	int r;

	if (!version || version[0] != REAL(zlibVersion)()[0] ||
	    size != (int)sizeof(z_stream))
		return Z_VERSION_ERROR;
	if (!strm)
		return Z_STREAM_ERROR;
	s = calloc(1, sizeof(*s));
	if (!s)
		return Z_MEM_ERROR;
	s->inner.zalloc = strm->zalloc;
	s->inner.zfree = strm->zfree;
	s->inner.opaque = strm->opaque;
	r = REAL(deflateInit2_)(&s->inner, level, method, wbits, memlevel,
				strategy, ZLIB_VERSION, (int)sizeof(z_stream));
	if (r != Z_OK) {
		strm->msg = s->inner.msg;
		free(s);
		return r;
	}
	s->strm = strm;
	s->magic = AKZ_MAGIC_DEF;
	s->level = level == Z_DEFAULT_COMPRESSION ? 6 : level;
	s->wbits = wbits;
	s->memlevel = memlevel;
	s->strategy = strategy;
	def_eligible(s);
	def_reset(s);
	strm->state = (struct internal_state *)(void *)s;
	strm->msg = NULL;
	strm->total_in = strm->total_out = 0;
	strm->data_type = Z_UNKNOWN;
	strm->adler = s->inner.adler;
	if (!s->eligible)
		akz_debug("deflate %p: zlib (%s)", (void *)strm, s->why);
	return Z_OK;
}

AKZ_API int deflateInit2_(z_streamp strm, int level, int method, int wbits,
			  int memlevel, int strategy, const char *version,
			  int size)
{
	return akz_deflate_init(strm, level, method, wbits, memlevel, strategy,
				version, size);
}

AKZ_API int deflateInit_(z_streamp strm, int level, const char *version,
			 int size)
{
	return akz_deflate_init(strm, level, Z_DEFLATED, MAX_WBITS,
				MAX_MEM_LEVEL > 8 ? 8 : MAX_MEM_LEVEL,
				Z_DEFAULT_STRATEGY, version, size);
}

/* Make room for @more bytes of pending output in own[]. */
static int own_room(struct akz *s, size_t more)
{
	size_t cap = s->own_cap ? s->own_cap : 65536;
	uint8_t *p;

	while (cap - s->out_len < more)
		cap *= 2;
	if (cap == s->own_cap)
		return 0;
	p = realloc(s->own, cap);
	if (!p)
		return -1;
	s->own = p;
	s->own_cap = cap;
	return 0;
}

/* UNDECIDED -> M_ZLIB: the buffered input goes through the real deflate
 * (Z_NO_FLUSH, as it came), its output becomes pending output. */
static int def_switch(struct akz *s, const char *why)
{
	z_stream *z = &s->inner;
	int r;

	akz_debug("deflate %p: zlib (%s)", (void *)s->strm, why);
	s->mode = M_ZLIB;
	s->out = s->own;
	s->out_off = s->out_len = 0;
	z->next_in = s->buf;
	z->avail_in = (uInt)s->buf_len;
	while (z->avail_in) {
		if (own_room(s, s->buf_len / 2 + 1024))
			return Z_MEM_ERROR;
		s->out = s->own;
		z->next_out = s->own + s->out_len;
		z->avail_out = (uInt)(s->own_cap - s->out_len);
		r = REAL(deflate)(z, Z_NO_FLUSH);
		s->out_len = s->own_cap - z->avail_out;
		if (r != Z_OK && r != Z_BUF_ERROR)
			return r;
	}
	free(s->buf);
	s->buf = NULL;
	s->buf_len = s->buf_cap = 0;
	return Z_OK;
}

/* M_ZLIB: pending output first, then the real deflate on the inner
 * stream with the caller's buffers. */
static int def_zlib(struct akz *s, z_streamp strm, int flush)
{
	z_stream *z = &s->inner;
	uInt in0, out0;
	int drained = 0, r;

	if (s->out_len) {
		out0 = strm->avail_out;
		akz_drain(s, strm);
		drained = strm->avail_out != out0;
		if (s->out_len || !strm->avail_out)
			return Z_OK;
	}
	in0 = strm->avail_in;
	out0 = strm->avail_out;
	z->next_in = strm->next_in;
	z->avail_in = strm->avail_in;
	z->next_out = strm->next_out;
	z->avail_out = strm->avail_out;
	r = REAL(deflate)(z, flush);
	strm->next_in = z->next_in;
	strm->avail_in = z->avail_in;
	strm->next_out = z->next_out;
	strm->avail_out = z->avail_out;
	strm->total_in += in0 - z->avail_in;
	strm->total_out += out0 - z->avail_out;
	strm->adler = z->adler;
	strm->data_type = z->data_type;
	if (z->msg)
		strm->msg = z->msg;
	if (r == Z_BUF_ERROR && drained)
		r = Z_OK;
	return r;
}

/* zlib's guess (detect_data_type) made on the bytes instead of the first
 * block's literals: an approximation. */
static int guess_type(const uint8_t *p, size_t n)
{
	int text = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c <= 6 || (c >= 14 && c <= 25) || (c >= 28 && c <= 31))
			return Z_BINARY;
		if (c == 9 || c == 10 || c == 13 || c >= 32)
			text = 1;
	}
	return text ? Z_TEXT : Z_BINARY;
}

enum { STEP_OK = 0, STEP_SWITCHED = 1 };

/* Send the buffer to the device (deciding first if still UNDECIDED);
 * @flush: AKZ_FLUSH_* for a job that ends with a flush. */
static int def_step(struct akz *s, z_streamp strm, int last, int flush)
{
	const struct akz_config *c = akz_cfg();
	const uint8_t *out;
	size_t used, olen;
	int r, end;

	if (s->mode == M_UNDECIDED) {
		if (s->buf_len < c->min) {
			r = def_switch(s, "small input");
			return r == Z_OK ? STEP_SWITCHED : r;
		}
		s->dev = akz_dev_get(s->frame, s->level, &r);
		if (!s->dev) {
			if (c->path == AKZ_PATH_DEVICE) {
				akz_debug("deflate %p: no device (%d)",
					  (void *)strm, r);
				strm->msg = msg_nodev;
				return Z_STREAM_ERROR;
			}
			r = def_switch(s, "no device");
			return r == Z_OK ? STEP_SWITCHED : r;
		}
		s->mode = M_DEVICE;
		strm->data_type = guess_type(s->buf, s->buf_len);
		akz_debug("deflate %p: device (%s, level %d)", (void *)strm,
			  akz_frame_name(s->frame), s->level);
	}
	r = akz_dev_job(s->dev, 0, s->first, last, flush, s->buf, s->buf_len,
			&used, &out, &olen, &end);
	if (r) {
		akz_debug("deflate %p: device job failed (%d)", (void *)strm, r);
		strm->msg = msg_deverr;
		return Z_STREAM_ERROR;
	}
	s->first = 0;
	memmove(s->buf, s->buf + used, s->buf_len - used);
	s->buf_len -= used;
	s->out = (uint8_t *)out;
	s->out_off = 0;
	s->out_len = olen;
	if (last && !s->buf_len)
		s->finished = 1;
	if (flush != AKZ_FLUSH_NONE && !s->buf_len)
		s->flushed = 1;
	return STEP_OK;
}

/* Take caller input into the buffer. */
static int def_take(struct akz *s, z_streamp strm)
{
	size_t n = strm->avail_in;

	if (n > STAGE - s->buf_len)
		n = STAGE - s->buf_len;
	if (s->buf_len + n > s->buf_cap) {
		size_t cap = s->buf_cap ? s->buf_cap : 16384;
		uint8_t *p;

		while (cap < s->buf_len + n)
			cap *= 2;
		if (cap > STAGE)
			cap = STAGE;
		p = realloc(s->buf, cap);
		if (!p)
			return -1;
		s->buf = p;
		s->buf_cap = cap;
	}
	if (n)
		s->flushed = 0;
	memcpy(s->buf + s->buf_len, strm->next_in, n);
	s->check = akz_check(s, s->check, strm->next_in, n);
	strm->adler = s->check;
	s->buf_len += n;
	strm->next_in += n;
	strm->avail_in -= (uInt)n;
	strm->total_in += n;
	return 0;
}

AKZ_API int deflate(z_streamp strm, int flush)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);
	int progress = 0, dflush, r;

	if (!s)
		return REAL(deflate)(strm, flush);
	if (flush < Z_NO_FLUSH || flush > Z_BLOCK || !strm->next_out ||
	    (strm->avail_in && !strm->next_in) ||
	    (s->mode != M_ZLIB && s->finished && flush != Z_FINISH)) {
		strm->msg = (char *)"stream error";
		return Z_STREAM_ERROR;
	}
	if (!strm->avail_out) {
		strm->msg = (char *)"buffer error";
		return Z_BUF_ERROR;
	}
	s->started = 1;
	if (s->mode == M_ZLIB)
		return def_zlib(s, strm, flush);
	/*
	 * Flushes: the device's sync or full flush, Z_PARTIAL_FLUSH and
	 * Z_BLOCK as a sync flush (all output out and byte-aligned: more
	 * than they promise). An UNDECIDED stream with less than
	 * AK_ZLIB_MIN buffered goes to zlib in def_step() (replayed, then
	 * flushed by zlib).
	 */
	dflush = flush == Z_NO_FLUSH || flush == Z_FINISH ? AKZ_FLUSH_NONE :
		 flush == Z_FULL_FLUSH ? AKZ_FLUSH_FULL : AKZ_FLUSH_SYNC;
	for (;;) {
		if (s->out_len) {
			uInt before = strm->avail_out;

			akz_drain(s, strm);
			progress |= strm->avail_out != before;
			if (s->out_len)
				break;
		}
		if (s->finished) {
			akz_release_dev(s);
			return Z_STREAM_END;
		}
		if (strm->avail_in) {
			if (def_take(s, strm))
				return Z_MEM_ERROR;
			progress = 1;
		}
		if (s->buf_len == STAGE ||
		    (flush == Z_FINISH && !strm->avail_in) ||
		    (dflush != AKZ_FLUSH_NONE && !strm->avail_in &&
		     !s->flushed)) {
			int end = !strm->avail_in;

			r = def_step(s, strm, flush == Z_FINISH && end,
				     end ? dflush : AKZ_FLUSH_NONE);
			if (r == STEP_SWITCHED)
				return def_zlib(s, strm, flush);
			if (r != STEP_OK)
				return r;
			if (end && dflush != AKZ_FLUSH_NONE && !s->buf_len)
				progress = 1;
			continue;
		}
		if (!strm->avail_in)
			break;
	}
	return progress ? Z_OK : Z_BUF_ERROR;
}

AKZ_API int deflateEnd(z_streamp strm)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);
	int r;

	if (!s)
		return REAL(deflateEnd)(strm);
	r = REAL(deflateEnd)(&s->inner);
	if (s->mode != M_ZLIB)
		r = s->started && !s->finished ? Z_DATA_ERROR : Z_OK;
	akz_release_dev(s);
	free(s->buf);
	free(s->own);
	free(s);
	strm->state = Z_NULL;
	return r;
}

static int def_reset_common(z_streamp strm, struct akz *s, int r)
{
	if (r != Z_OK)
		return r;
	def_reset(s);
	strm->total_in = strm->total_out = 0;
	strm->msg = Z_NULL;
	strm->data_type = Z_UNKNOWN;
	strm->adler = s->inner.adler;
	return Z_OK;
}

AKZ_API int deflateReset(z_streamp strm)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);

	if (!s)
		return REAL(deflateReset)(strm);
	return def_reset_common(strm, s, REAL(deflateReset)(&s->inner));
}

AKZ_API int deflateResetKeep(z_streamp strm)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);

	if (!s)
		return REAL(deflateResetKeep)(strm);
	return def_reset_common(strm, s, REAL(deflateResetKeep)(&s->inner));
}

/*
 * The z_stream the real zlib should see for a call that only zlib can do:
 * @strm itself when it is not ours; for ours, the inner stream, after
 * switching an UNDECIDED stream to zlib; NULL (Z_STREAM_ERROR) when the
 * stream is already on the device.
 */
static z_streamp def_real(z_streamp strm, const char *why)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);

	if (!s)
		return strm;
	if (s->mode == M_DEVICE) {
		akz_debug("deflate %p: %s refused on the device", (void *)strm,
			  why);
		strm->msg = msg_device;
		return NULL;
	}
	if (s->mode == M_UNDECIDED && def_switch(s, why) != Z_OK)
		return NULL;
	s->inner.next_in = strm->next_in;
	s->inner.avail_in = strm->avail_in;
	s->inner.next_out = strm->next_out;
	s->inner.avail_out = strm->avail_out;
	return &s->inner;
}

/* After such a call: what zlib sets in the caller's stream. */
static void def_back(z_streamp strm, z_streamp z)
{
	if (z && z != strm) {
		strm->adler = z->adler;
		if (z->msg)
			strm->msg = z->msg;
	}
}

AKZ_API int deflateParams(z_streamp strm, int level, int strategy)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);
	z_streamp z;
	uInt out0;
	int r;

	if (!s)
		return REAL(deflateParams)(strm, level, strategy);
	if (level == Z_DEFAULT_COMPRESSION)
		level = 6;
	if (s->mode == M_UNDECIDED && !s->buf_len) {
		/* Nothing taken yet: new parameters, decision still open. */
		r = REAL(deflateParams)(&s->inner, level, strategy);
		if (r == Z_OK) {
			s->level = level;
			s->strategy = strategy;
			def_eligible(s);
			if (!s->eligible) {
				s->mode = M_ZLIB;
				akz_debug("deflate %p: zlib (%s)",
					  (void *)strm, s->why);
			}
		}
		return r;
	}
	if (s->mode == M_DEVICE && level == s->level &&
	    strategy == s->strategy)
		return Z_OK;
	z = def_real(strm, "deflateParams");
	if (!z)
		return Z_STREAM_ERROR;
	if (s->out_len) {
		akz_drain(s, strm);
		if (s->out_len)
			return Z_BUF_ERROR;
		z->next_out = strm->next_out;
		z->avail_out = strm->avail_out;
	}
	out0 = strm->avail_out;
	r = REAL(deflateParams)(z, level, strategy);
	strm->next_in = z->next_in;
	strm->total_in += strm->avail_in - z->avail_in;
	strm->avail_in = z->avail_in;
	strm->next_out = z->next_out;
	strm->total_out += out0 - z->avail_out;
	strm->avail_out = z->avail_out;
	def_back(strm, z);
	if (r == Z_OK) {
		s->level = level;
		s->strategy = strategy;
	}
	return r;
}

AKZ_API uLong deflateBound(z_streamp strm, uLong len)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);

	return REAL(deflateBound)(s ? &s->inner : strm, len);
}

AKZ_API int deflateSetDictionary(z_streamp strm, const Bytef *dict, uInt n)
{
	z_streamp z = def_real(strm, "deflateSetDictionary");
	int r;

	if (!z)
		return Z_STREAM_ERROR;
	r = REAL(deflateSetDictionary)(z, dict, n);
	def_back(strm, z);
	return r;
}

AKZ_API int deflateGetDictionary(z_streamp strm, Bytef *dict, uInt *n)
{
	z_streamp z = def_real(strm, "deflateGetDictionary");

	return z ? REAL(deflateGetDictionary)(z, dict, n) : Z_STREAM_ERROR;
}

AKZ_API int deflateCopy(z_streamp dest, z_streamp source)
{
	struct akz *s = akz_of(source, AKZ_MAGIC_DEF);
	z_streamp z = def_real(source, "deflateCopy");
	int r;

	/* The copy is a plain zlib stream: output still pending here
	 * would be lost in it. */
	if (!z || (s && s->out_len))
		return Z_STREAM_ERROR;
	r = REAL(deflateCopy)(dest, z);
	if (r == Z_OK && s) {
		dest->total_in = source->total_in;
		dest->total_out = source->total_out;
	}
	return r;
}

AKZ_API int deflateTune(z_streamp strm, int good, int lazy, int nice,
			int chain)
{
	z_streamp z = def_real(strm, "deflateTune");

	return z ? REAL(deflateTune)(z, good, lazy, nice, chain) :
		   Z_STREAM_ERROR;
}

AKZ_API int deflatePending(z_streamp strm, unsigned *pending, int *bits)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_DEF);
	z_streamp z;
	int r;

	if (s && s->mode == M_DEVICE && (s->flushed || s->finished)) {
		/* Byte-aligned after a device flush: what is pending is
		 * ours, no bits. */
		if (pending)
			*pending = (unsigned)(s->out_len - s->out_off);
		if (bits)
			*bits = 0;
		return Z_OK;
	}
	z = def_real(strm, "deflatePending");
	if (!z)
		return Z_STREAM_ERROR;
	r = REAL(deflatePending)(z, pending, bits);
	if (r == Z_OK && s && pending)
		*pending += (unsigned)(s->out_len - s->out_off);
	return r;
}

AKZ_API int deflatePrime(z_streamp strm, int bits, int value)
{
	z_streamp z = def_real(strm, "deflatePrime");

	return z ? REAL(deflatePrime)(z, bits, value) : Z_STREAM_ERROR;
}

AKZ_API int deflateSetHeader(z_streamp strm, gz_headerp head)
{
	z_streamp z = def_real(strm, "deflateSetHeader");

	return z ? REAL(deflateSetHeader)(z, head) : Z_STREAM_ERROR;
}
