/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * aktool - small helpers shared by the command-line tools akzip, aksum and
 * akenc (not part of libaccelkit).
 */
#ifndef AKTOOL_H
#define AKTOOL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

#endif
