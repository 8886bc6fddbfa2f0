// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Everything of zlib's ABI that does not take a z_stream made by
 * deflateInit/inflateInit: forwarded to the system zlib as is. The gz*
 * functions of Debian's zlib call deflate()/inflate() through the PLT, so
 * under this library their streams come back to shim.c.
 */
#include <stdarg.h>

#include "akzlib.h"

#define FWD(ret, name, params, args)				\
	REAL_DECL(name);					\
	AKZ_API ret name params					\
	{							\
		return REAL(name) args;				\
	}

FWD(const char *, zlibVersion, (void), ())
FWD(uLong, zlibCompileFlags, (void), ())
FWD(uLong, compressBound, (uLong n), (n))
FWD(const char *, zError, (int e), (e))
FWD(const z_crc_t *, get_crc_table, (void), ())

FWD(uLong, adler32, (uLong a, const Bytef *b, uInt n), (a, b, n))
FWD(uLong, adler32_z, (uLong a, const Bytef *b, z_size_t n), (a, b, n))
FWD(uLong, adler32_combine, (uLong a, uLong b, z_off_t n), (a, b, n))
FWD(uLong, adler32_combine64, (uLong a, uLong b, z_off64_t n), (a, b, n))
FWD(uLong, crc32, (uLong a, const Bytef *b, uInt n), (a, b, n))
FWD(uLong, crc32_z, (uLong a, const Bytef *b, z_size_t n), (a, b, n))
FWD(uLong, crc32_combine, (uLong a, uLong b, z_off_t n), (a, b, n))
FWD(uLong, crc32_combine64, (uLong a, uLong b, z_off64_t n), (a, b, n))
FWD(uLong, crc32_combine_gen, (z_off_t n), (n))
FWD(uLong, crc32_combine_gen64, (z_off64_t n), (n))
FWD(uLong, crc32_combine_op, (uLong a, uLong b, uLong op), (a, b, op))

/* inflateBackInit_, inflateBack, inflateBackEnd: back.c */

FWD(gzFile, gzopen, (const char *p, const char *m), (p, m))
FWD(gzFile, gzopen64, (const char *p, const char *m), (p, m))
FWD(gzFile, gzdopen, (int fd, const char *m), (fd, m))
FWD(int, gzbuffer, (gzFile f, unsigned n), (f, n))
FWD(int, gzsetparams, (gzFile f, int l, int s), (f, l, s))
FWD(int, gzread, (gzFile f, voidp b, unsigned n), (f, b, n))
FWD(z_size_t, gzfread, (voidp b, z_size_t s, z_size_t n, gzFile f),
    (b, s, n, f))
FWD(int, gzwrite, (gzFile f, voidpc b, unsigned n), (f, b, n))
FWD(z_size_t, gzfwrite, (voidpc b, z_size_t s, z_size_t n, gzFile f),
    (b, s, n, f))
FWD(int, gzvprintf, (gzFile f, const char *fmt, va_list ap), (f, fmt, ap))
FWD(int, gzputs, (gzFile f, const char *s), (f, s))
FWD(char *, gzgets, (gzFile f, char *b, int n), (f, b, n))
FWD(int, gzputc, (gzFile f, int c), (f, c))
FWD(int, gzgetc_, (gzFile f), (f))
FWD(int, gzungetc, (int c, gzFile f), (c, f))
FWD(int, gzflush, (gzFile f, int fl), (f, fl))
FWD(z_off_t, gzseek, (gzFile f, z_off_t o, int w), (f, o, w))
FWD(z_off64_t, gzseek64, (gzFile f, z_off64_t o, int w), (f, o, w))
FWD(int, gzrewind, (gzFile f), (f))
FWD(z_off_t, gztell, (gzFile f), (f))
FWD(z_off64_t, gztell64, (gzFile f), (f))
FWD(z_off_t, gzoffset, (gzFile f), (f))
FWD(z_off64_t, gzoffset64, (gzFile f), (f))
FWD(int, gzeof, (gzFile f), (f))
FWD(int, gzdirect, (gzFile f), (f))
FWD(int, gzclose, (gzFile f), (f))
FWD(int, gzclose_r, (gzFile f), (f))
FWD(int, gzclose_w, (gzFile f), (f))
FWD(const char *, gzerror, (gzFile f, int *e), (f, e))

REAL_DECL(gzclearerr);
AKZ_API void gzclearerr(gzFile f)
{
	REAL(gzclearerr)(f);
}

/* zlib.h makes gzgetc a macro too. */
REAL_DECL(gzgetc);
AKZ_API int (gzgetc)(gzFile f)
{
	return REAL(gzgetc)(f);
}

AKZ_API int gzprintf(gzFile f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = gzvprintf(f, fmt, ap);
	va_end(ap);
	return r;
}
