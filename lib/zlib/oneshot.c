// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * compress(), compress2(), uncompress(), uncompress2(): zlib's own loops
 * (same return values in every case) over this library's deflate and
 * inflate, so a large enough buffer goes to the device.
 */
#include "akzlib.h"

AKZ_API int compress2(Bytef *dest, uLongf *destLen, const Bytef *source,
		      uLong sourceLen, int level)
{
	const uInt max = (uInt)-1;
	uLong left = *destLen;
	z_stream z;
	int r;

	z.zalloc = Z_NULL;
	z.zfree = Z_NULL;
	z.opaque = Z_NULL;
	r = akz_deflate_init(&z, level, Z_DEFLATED, MAX_WBITS, 8,
			     Z_DEFAULT_STRATEGY, ZLIB_VERSION,
			     (int)sizeof(z_stream));
	if (r != Z_OK)
		return r;
	*destLen = 0;
	z.next_out = dest;
	z.avail_out = 0;
	z.next_in = (z_const Bytef *)source;
	z.avail_in = 0;
	do {
		if (!z.avail_out) {
			z.avail_out = left > max ? max : (uInt)left;
			left -= z.avail_out;
		}
		if (!z.avail_in) {
			z.avail_in = sourceLen > max ? max : (uInt)sourceLen;
			sourceLen -= z.avail_in;
		}
		r = deflate(&z, sourceLen ? Z_NO_FLUSH : Z_FINISH);
	} while (r == Z_OK);
	*destLen = z.total_out;
	deflateEnd(&z);
	return r == Z_STREAM_END ? Z_OK : r;
}

AKZ_API int compress(Bytef *dest, uLongf *destLen, const Bytef *source,
		     uLong sourceLen)
{
	return compress2(dest, destLen, source, sourceLen,
			 Z_DEFAULT_COMPRESSION);
}

AKZ_API int uncompress2(Bytef *dest, uLongf *destLen, const Bytef *source,
			uLong *sourceLen)
{
	const uInt max = (uInt)-1;
	uLong len = *sourceLen, left;
	Byte one[1];	/* for detection of incomplete stream with no room */
	z_stream z;
	int r;

	if (*destLen) {
		left = *destLen;
		*destLen = 0;
	} else {
		left = 1;
		dest = one;
	}
	z.next_in = (z_const Bytef *)source;
	z.avail_in = 0;
	z.zalloc = Z_NULL;
	z.zfree = Z_NULL;
	z.opaque = Z_NULL;
	r = akz_inflate_init(&z, MAX_WBITS, ZLIB_VERSION, (int)sizeof(z_stream));
	if (r != Z_OK)
		return r;
	z.next_out = dest;
	z.avail_out = 0;
	do {
		if (!z.avail_out) {
			z.avail_out = left > max ? max : (uInt)left;
			left -= z.avail_out;
		}
		if (!z.avail_in) {
			z.avail_in = len > max ? max : (uInt)len;
			len -= z.avail_in;
		}
		r = inflate(&z, Z_NO_FLUSH);
	} while (r == Z_OK);
	*sourceLen -= len + z.avail_in;
	if (dest != one)
		*destLen = z.total_out;
	else if (z.total_out && r == Z_BUF_ERROR)
		left = 1;
	inflateEnd(&z);
	return r == Z_STREAM_END ? Z_OK :
	       r == Z_NEED_DICT ? Z_DATA_ERROR :
	       r == Z_BUF_ERROR && left + z.avail_out ? Z_DATA_ERROR : r;
}

AKZ_API int uncompress(Bytef *dest, uLongf *destLen, const Bytef *source,
		       uLong sourceLen)
{
	return uncompress2(dest, destLen, source, &sourceLen);
}
