// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * inflate side. The decision is made at the first inflate() call that
 * brings input, before anything is consumed, from the parameters, the
 * stream header in that input and its size: device (M_DEVICE) or the real
 * zlib (M_ZLIB, which then sees every byte, so its results and messages
 * are zlib's own). On the device every inflate() call is one DECOMPRESS
 * job on the caller's input; the job tells how much input it used before
 * the end of the stream, so bytes after the end stay in next_in, as with
 * zlib (gzip readers rely on it for concatenated members).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define CHUNK (1u << 20)

REAL_DECL(zlibVersion);
REAL_DECL(inflateInit2_);
REAL_DECL(inflate);
REAL_DECL(inflateEnd);
REAL_DECL(inflateReset);
REAL_DECL(inflateResetKeep);
REAL_DECL(inflateReset2);
REAL_DECL(inflateSetDictionary);
REAL_DECL(inflateGetDictionary);
REAL_DECL(inflateSync);
REAL_DECL(inflateSyncPoint);
REAL_DECL(inflateCopy);
REAL_DECL(inflatePrime);
REAL_DECL(inflateMark);
REAL_DECL(inflateGetHeader);
REAL_DECL(inflateUndermine);
REAL_DECL(inflateValidate);
REAL_DECL(inflateCodesUsed);

static char msg_device[] = "accelkit: not possible on a stream already on the device";
static char msg_nodev[] = "accelkit: no device (AK_PATH=device)";
static char msg_deverr[] = "accelkit: device error";
static char msg_data[] = "invalid compressed data (accelkit device)";

static void inf_eligible(struct akz *s)
{
	int w = s->wbits;

	s->eligible = 0;
	if (akz_cfg()->path == AKZ_PATH_SOFTWARE)
		s->why = "AK_PATH=software";
	else if (w == -15 || w == 31 || w == 0 || (w >= 8 && w <= 15) ||
		 (w >= 40 && w <= 47))
		s->eligible = 1;
	else
		s->why = "windowBits";
}

static void inf_reset(struct akz *s)
{
	akz_release_dev(s);
	s->out = NULL;
	s->out_off = s->out_len = 0;
	s->first = 1;
	s->finished = 0;
	s->started = 0;
	s->held = 0;
	s->last_used = 0;
	s->mode = s->eligible ? M_UNDECIDED : M_ZLIB;
}

int akz_inflate_init(z_streamp strm, int wbits, const char *version, int size)
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
	s->inner.next_in = strm->next_in;
	s->inner.avail_in = strm->avail_in;
	r = REAL(inflateInit2_)(&s->inner, wbits, ZLIB_VERSION,
				(int)sizeof(z_stream));
	if (r != Z_OK) {
		strm->msg = s->inner.msg;
		free(s);
		return r;
	}
	s->strm = strm;
	s->magic = AKZ_MAGIC_INF;
	s->wbits = wbits;
	inf_eligible(s);
	inf_reset(s);
	strm->state = (struct internal_state *)(void *)s;
	strm->msg = NULL;
	strm->total_in = strm->total_out = 0;
	strm->adler = s->inner.adler;
	if (!s->eligible)
		akz_debug("inflate %p: zlib (%s)", (void *)strm, s->why);
	return Z_OK;
}

AKZ_API int inflateInit2_(z_streamp strm, int wbits, const char *version,
			  int size)
{
	return akz_inflate_init(strm, wbits, version, size);
}

AKZ_API int inflateInit_(z_streamp strm, const char *version, int size)
{
	return akz_inflate_init(strm, MAX_WBITS, version, size);
}

/* The framing of the input at @p, or -1 (zlib decides: it also gives the
 * exact error for a bad header). */
static int inf_frame(const struct akz *s, const uint8_t *p, size_t n,
		     const char **why)
{
	int w = s->wbits, zw;

	*why = "header";
	if (w == -15)
		return AKZ_RAW;
	if (n < 2)
		return -1;
	if ((w == 31 || w >= 40) && p[0] == 0x1f && p[1] == 0x8b)
		return AKZ_GZIP;
	if (w == 31)
		return -1;
	zw = w >= 40 ? w - 32 : w == 0 ? 15 : w;
	if ((p[0] & 0x0f) != Z_DEFLATED || ((p[0] << 8) | p[1]) % 31 ||
	    (p[0] >> 4) + 8 > zw)
		return -1;
	if (p[1] & 0x20) {
		*why = "dictionary";
		return -1;
	}
	return AKZ_ZLIB;
}

static int inf_zlib(struct akz *s, z_streamp strm, int flush)
{
	z_stream *z = &s->inner;
	uInt in0 = strm->avail_in, out0 = strm->avail_out;
	int r;

	z->next_in = strm->next_in;
	z->avail_in = strm->avail_in;
	z->next_out = strm->next_out;
	z->avail_out = strm->avail_out;
	r = REAL(inflate)(z, flush);
	strm->next_in = z->next_in;
	strm->avail_in = z->avail_in;
	strm->next_out = z->next_out;
	strm->avail_out = z->avail_out;
	strm->total_in += in0 - z->avail_in;
	strm->total_out += out0 - z->avail_out;
	strm->adler = z->adler;
	strm->data_type = z->data_type;
	strm->msg = z->msg;
	return r;
}

static int inf_switch(struct akz *s, z_streamp strm, const char *why)
{
	(void)strm;
	akz_debug("inflate %p: zlib (%s)", (void *)s->strm, why);
	s->mode = M_ZLIB;
	return Z_OK;
}

/* UNDECIDED with input: decide. Returns Z_OK (the mode is set) or an
 * error. */
static int inf_decide(struct akz *s, z_streamp strm, int flush)
{
	const struct akz_config *c = akz_cfg();
	const char *why;
	int f, r;

	if (flush == Z_BLOCK || flush == Z_TREES)
		return inf_switch(s, strm, "flush mode");
	f = inf_frame(s, strm->next_in, strm->avail_in, &why);
	if (f < 0)
		return inf_switch(s, strm, why);
	if (strm->avail_in < c->min)
		return inf_switch(s, strm, "small input");
	s->frame = f;
	s->dev = akz_dev_get(f, 0, &r);
	if (!s->dev) {
		if (c->path == AKZ_PATH_DEVICE) {
			akz_debug("inflate %p: no device (%d)", (void *)strm, r);
			strm->msg = msg_nodev;
			return Z_STREAM_ERROR;
		}
		return inf_switch(s, strm, "no device");
	}
	s->mode = M_DEVICE;
	s->check = akz_check_init(s);
	if (f != AKZ_RAW)
		strm->adler = s->check;
	akz_debug("inflate %p: device (%s)", (void *)strm, akz_frame_name(f));
	return Z_OK;
}

AKZ_API int inflate(z_streamp strm, int flush)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_INF);
	int progress = 0, r, end;

	if (!s)
		return REAL(inflate)(strm, flush);
	if (!strm->next_out || (!strm->next_in && strm->avail_in))
		return Z_STREAM_ERROR;
	if (s->mode == M_UNDECIDED && strm->avail_in) {
		r = inf_decide(s, strm, flush);
		if (r != Z_OK)
			return r;
	}
	if (s->mode != M_DEVICE)
		return inf_zlib(s, strm, flush);	/* UNDECIDED: no input */
	if (flush == Z_BLOCK || flush == Z_TREES) {
		strm->msg = msg_device;
		return Z_STREAM_ERROR;
	}
	if (s->started < 0)
		return Z_DATA_ERROR;	/* an earlier job failed */
	for (;;) {
		const uint8_t *out;
		size_t used, olen, n;

		if (s->out_len) {
			uInt before = strm->avail_out;

			akz_drain(s, strm);
			progress |= strm->avail_out != before;
			if (s->out_len)
				break;
		}
		if (s->held && strm->avail_in) {
			/* All output is out: the byte held back is used. */
			strm->next_in++;
			strm->avail_in--;
			strm->total_in++;
			s->held = 0;
			progress = 1;
		}
		if (s->finished) {
			/* As zlib: at the end, the last block was decoded
			 * and the input ended on a byte. */
			strm->data_type = 64;
			akz_release_dev(s);
			return Z_STREAM_END;
		}
		if (!strm->avail_in || !strm->avail_out)
			break;
		n = strm->avail_in > CHUNK ? CHUNK : strm->avail_in;
		r = akz_dev_job(s->dev, 1, s->first, 0, AKZ_FLUSH_NONE,
				strm->next_in, n, &used,
				&out, &olen, &end);
		if (r == -EBADMSG) {
			strm->next_in += used;
			strm->avail_in -= (uInt)used;
			strm->total_in += used;
			strm->msg = msg_data;
			s->started = -1;
			return Z_DATA_ERROR;
		}
		if (r) {
			akz_debug("inflate %p: device job failed (%d)",
				  (void *)strm, r);
			strm->msg = msg_deverr;
			return Z_STREAM_ERROR;
		}
		s->first = 0;
		s->started = 1;
		s->last_used = used;
		strm->next_in += used;
		strm->avail_in -= (uInt)used;
		strm->total_in += used;
		s->check = akz_check(s, s->check, out, olen);
		if (s->frame != AKZ_RAW)
			strm->adler = s->check;
		s->out = (uint8_t *)out;
		s->out_off = 0;
		s->out_len = olen;
		progress |= used || olen;
		if (end)
			s->finished = 1;
	}
	if (s->out_len && !s->held && s->last_used) {
		/*
		 * Output is still pending: as zlib (which decodes no further
		 * than the output room allows), do not report the whole input
		 * used. Readers such as gzread() take "no input left" at the
		 * end of a file for a truncated stream. The last byte the job
		 * used stays in next_in until the output is out.
		 */
		strm->next_in--;
		strm->avail_in++;
		strm->total_in--;
		s->held = 1;
	}
	return progress ? Z_OK : Z_BUF_ERROR;
}

AKZ_API int inflateEnd(z_streamp strm)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_INF);
	int r;

	if (!s)
		return REAL(inflateEnd)(strm);
	r = REAL(inflateEnd)(&s->inner);
	akz_release_dev(s);
	free(s);
	strm->state = Z_NULL;
	return r;
}

static int inf_reset_common(z_streamp strm, struct akz *s, int r)
{
	if (r != Z_OK)
		return r;
	inf_reset(s);
	strm->total_in = strm->total_out = 0;
	strm->msg = Z_NULL;
	strm->adler = s->inner.adler;
	return Z_OK;
}

AKZ_API int inflateReset(z_streamp strm)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_INF);

	if (!s)
		return REAL(inflateReset)(strm);
	return inf_reset_common(strm, s, REAL(inflateReset)(&s->inner));
}

AKZ_API int inflateResetKeep(z_streamp strm)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_INF);

	if (!s)
		return REAL(inflateResetKeep)(strm);
	return inf_reset_common(strm, s, REAL(inflateResetKeep)(&s->inner));
}

AKZ_API int inflateReset2(z_streamp strm, int wbits)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_INF);
	int r;

	if (!s)
		return REAL(inflateReset2)(strm, wbits);
	r = REAL(inflateReset2)(&s->inner, wbits);
	if (r == Z_OK) {
		s->wbits = wbits;
		inf_eligible(s);
	}
	return inf_reset_common(strm, s, r);
}

/* As def_real() in deflate.c: the stream zlib works on, NULL when it
 * already went to the device. */
static z_streamp inf_real(z_streamp strm, const char *why)
{
	struct akz *s = akz_of(strm, AKZ_MAGIC_INF);

	if (!s)
		return strm;
	if (s->mode == M_DEVICE) {
		akz_debug("inflate %p: %s refused on the device", (void *)strm,
			  why);
		strm->msg = msg_device;
		return NULL;
	}
	if (s->mode == M_UNDECIDED)
		inf_switch(s, strm, why);
	s->inner.next_in = strm->next_in;
	s->inner.avail_in = strm->avail_in;
	s->inner.next_out = strm->next_out;
	s->inner.avail_out = strm->avail_out;
	return &s->inner;
}

/* After a call that may move the input (inflateSync) or set adler. */
static void inf_back(z_streamp strm, z_streamp z)
{
	if (!z || z == strm)
		return;
	strm->total_in += strm->avail_in - z->avail_in;
	strm->next_in = z->next_in;
	strm->avail_in = z->avail_in;
	strm->adler = z->adler;
	strm->msg = z->msg;
}

AKZ_API int inflateSetDictionary(z_streamp strm, const Bytef *d, uInt n)
{
	z_streamp z = inf_real(strm, "inflateSetDictionary");
	int r;

	if (!z)
		return Z_STREAM_ERROR;
	r = REAL(inflateSetDictionary)(z, d, n);
	inf_back(strm, z);
	return r;
}

AKZ_API int inflateGetDictionary(z_streamp strm, Bytef *d, uInt *n)
{
	z_streamp z = inf_real(strm, "inflateGetDictionary");

	return z ? REAL(inflateGetDictionary)(z, d, n) : Z_STREAM_ERROR;
}

AKZ_API int inflateSync(z_streamp strm)
{
	z_streamp z = inf_real(strm, "inflateSync");
	int r;

	if (!z)
		return Z_STREAM_ERROR;
	r = REAL(inflateSync)(z);
	inf_back(strm, z);
	return r;
}

AKZ_API int inflateSyncPoint(z_streamp strm)
{
	z_streamp z = inf_real(strm, "inflateSyncPoint");

	return z ? REAL(inflateSyncPoint)(z) : Z_STREAM_ERROR;
}

AKZ_API int inflateCopy(z_streamp dest, z_streamp source)
{
	z_streamp z = inf_real(source, "inflateCopy");
	int r;

	if (!z)
		return Z_STREAM_ERROR;
	r = REAL(inflateCopy)(dest, z);
	if (r == Z_OK && z != source) {
		dest->total_in = source->total_in;
		dest->total_out = source->total_out;
	}
	return r;
}

AKZ_API int inflatePrime(z_streamp strm, int bits, int value)
{
	z_streamp z = inf_real(strm, "inflatePrime");

	return z ? REAL(inflatePrime)(z, bits, value) : Z_STREAM_ERROR;
}

AKZ_API long inflateMark(z_streamp strm)
{
	z_streamp z = inf_real(strm, "inflateMark");

	return z ? REAL(inflateMark)(z) : -(1L << 16);
}

AKZ_API int inflateGetHeader(z_streamp strm, gz_headerp head)
{
	z_streamp z = inf_real(strm, "inflateGetHeader");

	return z ? REAL(inflateGetHeader)(z, head) : Z_STREAM_ERROR;
}

AKZ_API int inflateUndermine(z_streamp strm, int subvert)
{
	z_streamp z = inf_real(strm, "inflateUndermine");

	return z ? REAL(inflateUndermine)(z, subvert) : Z_STREAM_ERROR;
}

AKZ_API int inflateValidate(z_streamp strm, int check)
{
	z_streamp z = inf_real(strm, "inflateValidate");

	return z ? REAL(inflateValidate)(z, check) : Z_STREAM_ERROR;
}

AKZ_API unsigned long inflateCodesUsed(z_streamp strm)
{
	z_streamp z = inf_real(strm, "inflateCodesUsed");

	return z ? REAL(inflateCodesUsed)(z) : (unsigned long)-1;
}
