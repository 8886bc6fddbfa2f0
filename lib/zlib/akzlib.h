/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaccelkit-zlib internals: a zlib-ABI library that sends deflate and
 * inflate streams to an accelkit device and everything else (and every
 * stream the device cannot take) to the system's real zlib, loaded with
 * dlopen(). docs/zlib-shim.md describes the behaviour.
 */
#ifndef AKZLIB_H
#define AKZLIB_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#define AKZ_HIDDEN __attribute__((visibility("hidden")))
#define AKZ_API __attribute__((visibility("default")))

/* ---- real.c: the system zlib ---- */
/* Address of the real zlib's @name (aborts with a message if missing). */
AKZ_HIDDEN void *akz_real(const char *name);
/* Resolve once per call site. */
#define REAL(fn) ((__typeof__(&fn))akz_real_cached(&akz_p_##fn, #fn))
AKZ_HIDDEN void *akz_real_cached(void **slot, const char *name);
#define REAL_DECL(fn) static void *akz_p_##fn

/* ---- config.c ---- */
enum { AKZ_PATH_AUTO, AKZ_PATH_DEVICE, AKZ_PATH_SOFTWARE };
struct akz_config {
	int path;		/* AK_PATH */
	size_t min;		/* AK_ZLIB_MIN */
	int debug;		/* AK_ZLIB_DEBUG */
	int bad_path;		/* AK_PATH set to something unknown */
};
AKZ_HIDDEN const struct akz_config *akz_cfg(void);
AKZ_HIDDEN void akz_debug(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---- dev.c: the device (raw queue jobs on a stream context) ---- */
struct akz_dev;
/* Framing of the device parameter block. */
enum { AKZ_RAW = 0, AKZ_ZLIB = 1, AKZ_GZIP = 2 };
/* Take a queue from the pool (or open one). NULL: none (errno-style
 * reason in *err). */
AKZ_HIDDEN struct akz_dev *akz_dev_get(int frame, int level, int *err);
/* Give it back (the stream context needs no cleanup: the next FIRST job
 * replaces whatever it holds). */
AKZ_HIDDEN void akz_dev_put(struct akz_dev *d);
/*
 * One COMPRESS or DECOMPRESS job on the queue's context 0 (FIRST on the
 * stream's first job). Output goes to the device's own buffer, grown on
 * OVERFLOW; an input whose output cannot fit is split (never a LAST
 * COMPRESS). @flush (COMPRESS without LAST): AKZ_FLUSH_SYNC/FULL, carried
 * by the job only when it takes all @len bytes (*consumed == len).
 * Returns 0 and sets *consumed, *out, *out_len, *end (DECOMPRESS reached
 * the end marker); -EBADMSG (*consumed = error offset); other -errno.
 */
enum { AKZ_FLUSH_NONE, AKZ_FLUSH_SYNC, AKZ_FLUSH_FULL };
AKZ_HIDDEN int akz_dev_job(struct akz_dev *d, int decompress, int first,
			   int last, int flush, const uint8_t *src, size_t len,
			   size_t *consumed, const uint8_t **out,
			   size_t *out_len, int *end);

/* ---- shim.c ---- */
AKZ_HIDDEN int akz_deflate_init(z_streamp strm, int level, int method,
				int wbits, int memlevel, int strategy,
				const char *version, int size);
AKZ_HIDDEN int akz_inflate_init(z_streamp strm, int wbits,
				const char *version, int size);

#endif /* AKZLIB_H */
