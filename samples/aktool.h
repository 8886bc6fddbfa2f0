/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * aktool - small helpers shared by the command-line tools akzip, aksum and
 * akenc (not part of libaccelkit).
 */
#ifndef AKTOOL_H
#define AKTOOL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <libaccelkit.h>

/* I/O buffer size of the tools: every tool streams in pieces this big. */
#define AKT_BUF (1u << 20)

/* Program name for messages (basename of argv[0]). */
extern const char *akt_prog;
void akt_set_prog(const char *argv0);

/* "prog: message\n" on stderr. */
void akt_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read until @len bytes or end of file. Returns bytes read (< @len only at
 * end of file), or -1 with errno set. EINTR is retried. */
ssize_t akt_read_full(int fd, void *buf, size_t len);

/* Write all @len bytes. Returns 0, or -1 with errno set. */
int akt_write_full(int fd, const void *buf, size_t len);

/* Decode exactly 2*@n hex digits of @hex into @out. 0, or -1 if @hex is not
 * exactly that long or has a non-hex character. */
int akt_hex_decode(const char *hex, uint8_t *out, size_t n);

/* Lower-case hex of @n bytes into @out (2*@n + 1 bytes with the NUL). */
void akt_hex_encode(const uint8_t *in, size_t n, char *out);

/* Open a session for @alg (path from $AK_PATH) with an error message on
 * failure. Returns 0 or negative errno. */
int akt_session_open(int alg, struct ak_session **s);

/* "device" or "software". */
const char *akt_path_name(const struct ak_session *s);

/* Error string of a library return value (negative errno). */
const char *akt_strerr(int err);

/*
 * An output file named on the command line (akenc -o), written so that
 * the user loses nothing the target already was:
 *  - no target yet, or a regular file with one link: a temporary file in
 *    the target's directory (mode 0600), renamed over it on success and
 *    removed on failure; an existing target's mode and (where permitted)
 *    owner and group are kept;
 *  - a regular file with several hard links: the same temporary file,
 *    copied into the existing file in place on success (the links stay);
 *  - anything else (a character or block device such as /dev/null, a
 *    FIFO, a socket): opened and written in place, never replaced;
 *  - a symbolic link is followed: the file it points to is the target
 *    (the link itself stays), also when it points to nothing yet.
 */
struct akt_out {
	char *path;		/* target with symbolic links resolved */
	char *tmp;		/* temporary file, or NULL: writing in place */
	int fd;			/* write here */
	int target_fd;		/* hard-linked target, copied into at commit */
	struct stat st;		/* the existing target (st_mode 0: none) */
};

/* Prepare @o for @name. 0, or -1 with a message. */
int akt_out_open(struct akt_out *o, const char *name);

/* Finish: @ok: close and move the data into place (0, or -1 with a
 * message); !@ok: close and remove the temporary file (returns -1). The
 * temporary file's name is in @o->tmp until then (for signal handlers). */
int akt_out_commit(struct akt_out *o, bool ok);

#endif
