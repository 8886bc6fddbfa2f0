/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers of the tool suites (test_akzip.c, test_aksum.c, test_akenc.c):
 * the command-line tools of samples/ run as child processes with
 * AK_PATH=software in a scratch directory, side by side with gzip,
 * sha256sum/sha512sum and openssl on the same inputs.
 *
 * The tools are taken from $AK_SAMPLES_DIR (default ../samples, relative to
 * tests/ where `make check-host` runs) and use the shared library from
 * $AK_LIB_DIR (default <samples>/../lib).
 */
#ifndef AK_TOOLS_UTIL_H
#define AK_TOOLS_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

extern char tooldir[PATH_MAX];
extern char libdir[PATH_MAX];
extern char work[PATH_MAX];	/* the suite's scratch directory */

/*
 * Run argv (argv[0] "ak*": from tooldir, else from $PATH) in the work
 * directory with AK_PATH=software, then the "NAME=VALUE" strings of @env
 * (NULL-terminated; may be NULL). in/out/err: file names relative to the
 * work directory, NULL for /dev/null. Returns the exit status, 128+signal,
 * or -1.
 */
int runv(const char *const env[], const char *in, const char *out,
	 const char *err, const char *const argv[]);
#define RUN(in, out, err, ...) \
	runv(NULL, in, out, err, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_ENV(env, in, out, err, ...) \
	runv((const char *const[]){ env, NULL }, in, out, err, \
	     (const char *const[]){ __VA_ARGS__, NULL })

void wpath(char *buf, size_t len, const char *name);
bool exists(const char *name);
/* lstat()/stat() of a work directory entry. */
int wlstat(const char *name, struct stat *st);
int wstat(const char *name, struct stat *st);
uint8_t *slurp(const char *name, size_t *len);
int spit(const char *name, const void *data, size_t len);
/* Append @len bytes to a file. */
int append(const char *name, const void *data, size_t len);
/* dst = a copy of src. */
int copy(const char *dst, const char *src);
/* Concatenate files a and b into out. */
int cat2(const char *out, const char *a, const char *b);
bool same(const char *a, const char *b);
/* Same contents from offset @skip_a of a and @skip_b of b on. */
bool same_from(const char *a, size_t skip_a, const char *b, size_t skip_b);
bool contains(const char *name, const char *needle);
/* File holds exactly @len bytes equal to @data. */
bool holds(const char *name, const void *data, size_t len);
/* Flip one byte of a file at @off (negative: from the end). */
int flip(const char *name, long off);
int truncate_to(const char *name, size_t len);
/* Half text-like (compressible), half random bytes. */
int gen(const char *name, size_t len);

/* Suite init/cleanup: check the tools, make/remove the work directory. */
int tools_init(void);
int tools_clean(void);

#endif
