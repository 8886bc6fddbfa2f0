// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers shared by the deflate and inflate sides. */
#include <string.h>

#include "shim.h"

REAL_DECL(adler32_z);
REAL_DECL(crc32_z);

const char *akz_frame_name(int frame)
{
	return frame == AKZ_GZIP ? "gzip" : frame == AKZ_ZLIB ? "zlib" : "raw";
}

/* Hand pending output to the caller's buffer. */
void akz_drain(struct akz *s, z_streamp strm)
{
	size_t n = s->out_len - s->out_off;

	if (n > strm->avail_out)
		n = strm->avail_out;
	if (!n)
		return;
	memcpy(strm->next_out, s->out + s->out_off, n);
	strm->next_out += n;
	strm->avail_out -= (uInt)n;
	strm->total_out += n;
	s->out_off += n;
	if (s->out_off == s->out_len)
		s->out_off = s->out_len = 0;
}

uLong akz_check_init(const struct akz *s)
{
	return s->frame == AKZ_GZIP ? 0 : 1;
}

/* The check zlib keeps in strm->adler: crc32 for gzip, adler32 for zlib;
 * raw streams keep the initial value. */
uLong akz_check(const struct akz *s, uLong c, const uint8_t *p, size_t n)
{
	if (!n)
		return c;
	if (s->frame == AKZ_GZIP)
		return REAL(crc32_z)(c, p, n);
	if (s->frame == AKZ_ZLIB)
		return REAL(adler32_z)(c, p, n);
	return c;
}

void akz_release_dev(struct akz *s)
{
	akz_dev_put(s->dev);
	s->dev = NULL;
	if (s->out != s->own)
		s->out_off = s->out_len = 0;
}
