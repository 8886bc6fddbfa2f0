/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * akzip - shared between akzip.c (options, files, names) and
 * akzip_stream.c (the library streams, and what follows the last member).
 */
#ifndef AKZIP_H
#define AKZIP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "aktool.h"

/* gzip's exit codes */
#define EX_OK		0
#define EX_ERROR	1
#define EX_WARNING	2

struct akzip_opt {
	bool to_stdout, decompress, keep, force, test, verbose, quiet;
	int level;
	int name;	/* -N 1, -n 0, default -1: store, do not restore */
};
extern struct akzip_opt opt;
extern struct ak_session *sess;
extern uint8_t *inbuf[2];	/* AKT_BUF each: see struct gz_window */

void set_error(void);
void set_warning(void);
/* A warning: printed unless -q, exit status 2 unless already 1. */
void warn_msg(const char *fmt, const char *name);

/* One input: the file descriptor and the pieces read so far. */
struct input {
	int fd;
	const char *name;
	int cur;		/* inbuf[cur] holds the latest piece */
	size_t len[2];
	uint64_t off[2];
	bool started;
};

/* Read the next piece (AKT_BUF bytes unless at the end). 0 at the end of
 * the input, the length, or -1 with errno. */
ssize_t in_next(struct input *in);

struct result {
	uint64_t nin, nout;
	uint32_t members;
};

/* Open the gzip session (once); exits with status 1 if that fails. */
void open_session(void);

/*
 * Run one stream from @in (its first piece already read with in_next()) to
 * @out_fd (-1 to discard). Compression stores @hname/@hmtime in the header
 * (hname NULL: none; -n: zlib's header as is). On success fills @res and
 * returns 0; on failure prints the message and returns -1.
 */
int run_stream(struct input *in, int out_fd, const char *hname,
	       uint32_t hmtime, struct result *res);

#endif
