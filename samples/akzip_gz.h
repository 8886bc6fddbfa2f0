/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * akzip_gz - the gzip framing akzip handles itself around the library's
 * gzip streams: the header's name and timestamp (-N/-n), file name
 * suffixes, and telling data after the last member (zero padding, garbage)
 * from a corrupt member.
 */
#ifndef AKZIP_GZ_H
#define AKZIP_GZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* gzip header flag bits (RFC 1952) */
#define GZ_FHCRC	0x02
#define GZ_FEXTRA	0x04
#define GZ_FNAME	0x08
#define GZ_FCOMMENT	0x10

/*
 * Header fields of the first member at @p (@n bytes available). Returns
 * true if @p starts with a complete gzip header; *@name is then the stored
 * name (malloc'ed; NULL if none or not within @n bytes) and *@mtime its
 * MTIME field (0: none).
 */
bool gz_header_info(const uint8_t *p, size_t n, char **name, uint32_t *mtime);

/*
 * The suffix gzip recognises at the end of @base (".gz", "-gz", ".z",
 * "-z", "_z", ".tgz", ".taz", in any case), or NULL.
 */
const char *gz_suffix(const char *base);

/*
 * Decompressed name for @name ending in gz_suffix(): the suffix removed,
 * ".tgz"/".taz" -> ".tar". malloc'ed, NULL on no memory.
 */
char *gz_strip_suffix(const char *name, const char *suf);

/* The input of one decompression in (up to) two pieces, so that the bytes
 * around a member boundary stay at hand. */
struct gz_window {
	const uint8_t *p[2];
	uint64_t off[2];	/* stream offset of p[i][0] */
	size_t len[2];
};

/* Byte at stream offset @pos, or -1 if the window does not hold it. */
int gz_window_byte(const struct gz_window *w, uint64_t pos);

/*
 * A decompression stream failed with -EBADMSG after at least one complete
 * member, the last ending at input offset @end (ak_stream_info.member_end;
 * @total_in bytes read in all). Is what follows data after the members
 * (true: zero padding, garbage, non-gzip data) or a new member that is
 * corrupt or truncated (false: a real error)? gzip's rule: a new member
 * starts with the magic 1f 8b. False too when those bytes are no longer in
 * the window (fail safe: an error, never silently dropped data).
 */
bool gz_trailing_after(const struct gz_window *w, uint64_t end,
		       uint64_t total_in);

#endif
