/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-stream state of libaccelkit-zlib (shared by deflate.c,
 * inflate.c and stream.c). */
#ifndef AKZ_SHIM_H
#define AKZ_SHIM_H

#include "akzlib.h"

/*
 * Our state sits in strm->state. Its second field is where zlib keeps
 * deflate_state.status / inflate_state.mode, whose values never equal
 * these magics: a stream made by the real zlib (an inner stream, or one a
 * gz* call made before this library was loaded) is told apart by it.
 */
#define AKZ_MAGIC_DEF	0x414b5a44u	/* "AKZD" */
#define AKZ_MAGIC_INF	0x414b5a49u	/* "AKZI" */

enum akz_mode {
	M_UNDECIDED,	/* nothing has gone anywhere yet (deflate: input
			 * buffered in buf) */
	M_DEVICE,	/* jobs went to the device */
	M_ZLIB,		/* the inner real zlib stream does the work */
};

struct akz {
	z_streamp strm;		/* owner, as zlib's own states */
	uint32_t magic;
	int mode;
	int eligible;		/* parameters the device takes */
	const char *why;	/* !eligible: the reason (debug) */
	int level, wbits, memlevel, strategy;
	int frame;		/* AKZ_RAW / AKZ_ZLIB / AKZ_GZIP */
	z_stream inner;		/* the real zlib stream (always set up) */
	/* deflate: input taken but not yet compressed */
	uint8_t *buf;
	size_t buf_len, buf_cap;
	/* output produced but not yet handed to the caller */
	uint8_t *out;		/* points into dev->out or own[] */
	size_t out_off, out_len;
	uint8_t *own;		/* replay output (switch to zlib) */
	size_t own_cap;
	struct akz_dev *dev;
	int first;		/* next device job carries FIRST */
	int finished;		/* deflate: LAST done; inflate: END seen */
	int started;		/* deflate() was called since init/reset */
	int flushed;		/* deflate on the device: the last job was a
				 * flush and no input came since */
	uLong check;		/* adler32 / crc32 of the data so far */
	/* inflate: one input byte the last job used, reported unused while
	 * its output is pending (see inflate()) */
	int held;
	size_t last_used;
};

/* The state of @strm if it is one of ours, else NULL. */
static inline struct akz *akz_of(z_streamp strm, uint32_t magic)
{
	struct akz *s;

	if (!strm || !strm->state)
		return NULL;
	s = (struct akz *)(void *)strm->state;
	if (s->strm != strm || s->magic != magic)
		return NULL;
	return s;
}

/* stream.c */
AKZ_HIDDEN void akz_drain(struct akz *s, z_streamp strm);
AKZ_HIDDEN uLong akz_check(const struct akz *s, uLong c, const uint8_t *p,
			   size_t n);
AKZ_HIDDEN uLong akz_check_init(const struct akz *s);
AKZ_HIDDEN void akz_release_dev(struct akz *s);
AKZ_HIDDEN const char *akz_frame_name(int frame);

#endif /* AKZ_SHIM_H */
