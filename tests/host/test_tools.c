// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The command-line tools akzip, aksum and akenc (samples/), run as child
 * processes with AK_PATH=software on generated files and compared with
 * gzip, sha256sum/sha512sum and openssl.
 *
 * The tools are taken from $AK_SAMPLES_DIR (default ../samples, relative to
 * tests/ where `make check-host` runs) and use the shared library from
 * $AK_LIB_DIR (default <samples>/../lib).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ftw.h>
#include <unistd.h>

#include "suites.h"

static char tooldir[PATH_MAX];
static char libdir[PATH_MAX];
static char work[PATH_MAX];
/* ---- helpers ---------------------------------------------------------- */

/* Run argv (argv[0] "ak*": from tooldir, else from $PATH) in the work
 * directory with AK_PATH=software. in/out/err: file names relative to the
 * work directory, NULL for /dev/null. Returns the exit status, 128+signal,
 * or -1. */
static int runv(const char *in, const char *out, const char *err,
		const char *const argv[])
{
	char path[PATH_MAX * 2];
	int st;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd;

		if (chdir(work))
			_exit(126);
		setenv("AK_PATH", "software", 1);
		setenv("LD_LIBRARY_PATH", libdir, 1);
		unsetenv("GZIP");
		fd = open(in ? in : "/dev/null", O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(126);
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
			  0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
			  0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (strncmp(argv[0], "ak", 2) == 0) {
			snprintf(path, sizeof(path), "%s/%s", tooldir, argv[0]);
			execv(path, (char *const *)argv);
		} else {
			execvp(argv[0], (char *const *)argv);
		}
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

#define RUN(in, out, err, ...) \
	runv(in, out, err, (const char *const[]){ __VA_ARGS__, NULL })

static void wpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", work, name);
}

static bool exists(const char *name)
{
	char p[PATH_MAX * 2];

	wpath(p, sizeof(p), name);
	return access(p, F_OK) == 0;
}

static uint8_t *slurp(const char *name, size_t *len)
{
	char p[PATH_MAX * 2];
	struct stat st;
	uint8_t *buf;
	int fd;

	wpath(p, sizeof(p), name);
	*len = 0;
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	if (buf) {
		buf[st.st_size] = 0;
		*len = (size_t)st.st_size;
	}
	return buf;
}

static int spit(const char *name, const void *data, size_t len)
{
	char p[PATH_MAX * 2];
	int fd, r = 0;

	wpath(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		r = -1;
	close(fd);
	return r;
}

/* Concatenate files a and b into out. */
static int cat2(const char *out, const char *a, const char *b)
{
	size_t la, lb;
	uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb), *all;
	int r = -1;

	all = malloc(la + lb + 1);
	if (pa && pb && all) {
		memcpy(all, pa, la);
		memcpy(all + la, pb, lb);
		r = spit(out, all, la + lb);
	}
	free(pa);
	free(pb);
	free(all);
	return r;
}

static bool same(const char *a, const char *b)
{
	size_t la, lb;
	uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb);
	bool eq = pa && pb && la == lb && memcmp(pa, pb, la) == 0;

	free(pa);
	free(pb);
	return eq;
}

static bool contains(const char *name, const char *needle)
{
	size_t l;
	char *p = (char *)slurp(name, &l);
	bool r = p && strstr(p, needle);

	free(p);
	return r;
}

/* Flip one byte of a file at @off (negative: from the end). */
static int flip(const char *name, long off)
{
	size_t l;
	uint8_t *p = slurp(name, &l);
	int r = -1;

	if (p && l) {
		size_t o = off < 0 ? l - (size_t)-off : (size_t)off;

		if (o < l) {
			p[o] ^= 0x55;
			r = spit(name, p, l);
		}
	}
	free(p);
	return r;
}

static int truncate_to(const char *name, size_t len)
{
	char p[PATH_MAX * 2];

	wpath(p, sizeof(p), name);
	return truncate(p, (off_t)len);
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Half text-like (compressible), half random bytes. */
static int gen(const char *name, size_t len)
{
	static const char words[][9] = { "accel ", "kit ", "queue ", "ring ",
					 "pasid ", "sva\n", "job ", "deflate " };
	uint8_t *p = malloc(len + 8);
	size_t i = 0;
	int r;

	if (!p)
		return -1;
	while (i < len) {
		if ((i / 65536) % 2 == 0) {
			const char *w = words[rnd() % 8];
			size_t wl = strlen(w);

			memcpy(p + i, w, wl);
			i += wl;
		} else {
			uint64_t v = rnd();

			memcpy(p + i, &v, 8);
			i += 8;
		}
	}
	r = spit(name, p, len);
	free(p);
	return r;
}

static int rm_cb(const char *p, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int tools_init(void)
{
	const char *d = getenv("AK_SAMPLES_DIR");
	const char *l = getenv("AK_LIB_DIR");
	const char *tools[] = { "akzip", "aksum", "akenc" };
	char p[PATH_MAX * 2], tmp[PATH_MAX + 16];

	if (!realpath(d ? d : "../samples", tooldir)) {
		fprintf(stderr, "tools: samples directory %s: %s\n",
			d ? d : "../samples", strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/../lib", tooldir);
	if (!realpath(l ? l : tmp, libdir)) {
		fprintf(stderr, "tools: library directory: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", tooldir, tools[i]);
		if (access(p, X_OK)) {
			fprintf(stderr, "tools: %s not built (make -C samples)\n", p);
			return -1;
		}
	}
	snprintf(work, sizeof(work), "%s/ak-tools-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(work))
		return -1;
	return 0;
}

static int tools_clean(void)
{
	if (work[0])
		nftw(work, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- akzip ------------------------------------------------------------ */

static void t_akzip_to_gzip(void)
{
	CU_ASSERT_FATAL(gen("z1", 1536 * 1024 + 77) == 0);
	CU_ASSERT_FATAL(gen("z1.orig", 0) == 0);
	CU_ASSERT_FATAL(cat2("z1.orig", "z1", "z1.orig") == 0);
	/* in place, -k keeps the input */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-k", "z1"), 0);
	CU_ASSERT(exists("z1"));
	CU_ASSERT(exists("z1.gz"));
	CU_ASSERT_EQUAL(RUN(NULL, "z1.out", NULL, "gzip", "-dc", "z1.gz"), 0);
	CU_ASSERT(same("z1.out", "z1.orig"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "gzip", "-t", "z1.gz"), 0);
	/* levels through stdin/stdout */
	CU_ASSERT_EQUAL(RUN("z1", "z1-1.gz", NULL, "akzip", "-1"), 0);
	CU_ASSERT_EQUAL(RUN("z1", "z1-9.gz", NULL, "akzip", "-9", "-c"), 0);
	CU_ASSERT_EQUAL(RUN("z1-1.gz", "z1.out", NULL, "gzip", "-d"), 0);
	CU_ASSERT(same("z1.out", "z1.orig"));
	CU_ASSERT_EQUAL(RUN("z1-9.gz", "z1.out", NULL, "gzip", "-d"), 0);
	CU_ASSERT(same("z1.out", "z1.orig"));
	/* without -k the input is replaced */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "z1.err", "akzip", "-f", "-v", "z1"), 0);
	CU_ASSERT(!exists("z1"));
	CU_ASSERT(contains("z1.err", "software"));
	CU_ASSERT(contains("z1.err", "%"));
	/* empty input */
	CU_ASSERT(spit("e0", "", 0) == 0);
	CU_ASSERT_EQUAL(RUN("e0", "e0.gz", NULL, "akzip"), 0);
	CU_ASSERT_EQUAL(RUN("e0.gz", "e0.out", NULL, "gzip", "-d"), 0);
	CU_ASSERT(same("e0.out", "e0"));
}

static void t_gzip_to_akzip(void)
{
	CU_ASSERT_FATAL(gen("z2", 1200 * 1024 + 5) == 0);
	CU_ASSERT_EQUAL(RUN("z2", "z2c.gz", NULL, "gzip", "-c"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "z2c.gz"), 0);
	CU_ASSERT(!exists("z2c.gz"));
	CU_ASSERT(same("z2c", "z2"));
	/* gzip writes a name in the header: it is not restored */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "gzip", "-k", "z2"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-t", "z2.gz"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "z2.out", NULL, "akzip", "-dc", "z2.gz"), 0);
	CU_ASSERT(same("z2.out", "z2"));
	CU_ASSERT_EQUAL(RUN("z2.gz", "z2.out", "z2.err", "akzip", "-d", "-v"), 0);
	CU_ASSERT(same("z2.out", "z2"));
	/* .tgz -> .tar */
	CU_ASSERT_EQUAL(RUN("z2", "z2.tgz", NULL, "gzip"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "z2.tgz"), 0);
	CU_ASSERT(same("z2.tar", "z2"));
}

static void t_multi_member(void)
{
	CU_ASSERT_FATAL(gen("m1", 300 * 1024 + 1) == 0);
	CU_ASSERT_FATAL(gen("m2", 700 * 1024 + 3) == 0);
	CU_ASSERT_FATAL(cat2("m12", "m1", "m2") == 0);
	/* gzip member + akzip member -> akzip -d */
	CU_ASSERT_EQUAL(RUN("m1", "m1.gz", NULL, "gzip", "-c"), 0);
	CU_ASSERT_EQUAL(RUN("m2", "m2.gz", NULL, "akzip", "-c"), 0);
	CU_ASSERT_FATAL(cat2("m12.gz", "m1.gz", "m2.gz") == 0);
	CU_ASSERT_EQUAL(RUN(NULL, "m12.out", NULL, "akzip", "-dc", "m12.gz"), 0);
	CU_ASSERT(same("m12.out", "m12"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-t", "m12.gz"), 0);
	/* akzip -c of several files is multi-member, for gzip too */
	CU_ASSERT_EQUAL(RUN(NULL, "mc.gz", NULL, "akzip", "-c", "m1", "m2"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "mc.out", NULL, "gzip", "-dc", "mc.gz"), 0);
	CU_ASSERT(same("mc.out", "m12"));
	CU_ASSERT_EQUAL(RUN("mc.gz", "mc.out", NULL, "akzip", "-d"), 0);
	CU_ASSERT(same("mc.out", "m12"));
}

static void t_corrupt(void)
{
	size_t l;
	uint8_t *p;

	CU_ASSERT_FATAL(gen("c1", 500 * 1024) == 0);
	CU_ASSERT_EQUAL(RUN("c1", "good.gz", NULL, "akzip"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-t", "good.gz"), 0);
	/* corrupt data in the middle */
	CU_ASSERT_EQUAL(RUN("c1", "bad.gz", NULL, "akzip"), 0);
	p = slurp("bad.gz", &l);
	CU_ASSERT_FATAL(p != NULL);
	free(p);
	CU_ASSERT(flip("bad.gz", (long)l / 2) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-t", "bad.gz"), 1);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "gzip", "-t", "bad.gz"), 1);
	/* decompressing it fails and leaves no output, keeps the input */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "bad.gz"), 1);
	CU_ASSERT(!exists("bad"));
	CU_ASSERT(exists("bad.gz"));
	/* CRC trailer */
	CU_ASSERT_EQUAL(RUN("c1", "crc.gz", NULL, "akzip"), 0);
	CU_ASSERT(flip("crc.gz", -6) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-t", "crc.gz"), 1);
	/* truncated */
	CU_ASSERT_EQUAL(RUN("c1", "trunc.gz", NULL, "akzip"), 0);
	CU_ASSERT(truncate_to("trunc.gz", l - 100) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "trunc.err", "akzip", "-t", "trunc.gz"), 1);
	CU_ASSERT(contains("trunc.err", "unexpected end of file"));
	/* not gzip at all */
	CU_ASSERT(spit("plain.gz", "hello, world\n", 13) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "plain.err", "akzip", "-t", "plain.gz"), 1);
	CU_ASSERT(contains("plain.err", "not in gzip format"));
	/* several files: an error anywhere gives 1, the good one still runs */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-t", "good.gz",
			    "bad.gz"), 1);
}

static void t_akzip_options(void)
{
	size_t l1, l2;
	uint8_t *p1, *p2;

	CU_ASSERT_FATAL(gen("o1", 100 * 1024) == 0);
	CU_ASSERT_FATAL(spit("o0", "", 0) == 0);
	CU_ASSERT_FATAL(cat2("o1.orig", "o1", "o0") == 0);	/* a copy */
	CU_ASSERT(spit("o1.gz", "old", 3) == 0);
	/* existing output: warning (2), nothing changed */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "o1.err", "akzip", "o1"), 2);
	CU_ASSERT(contains("o1.err", "already exists"));
	CU_ASSERT(exists("o1"));
	p1 = slurp("o1.gz", &l1);
	CU_ASSERT(p1 && l1 == 3);
	free(p1);
	/* -q: same status, no message */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "o1.err", "akzip", "-q", "o1"), 2);
	p1 = slurp("o1.err", &l1);
	CU_ASSERT(p1 && l1 == 0);
	free(p1);
	/* -f overwrites and removes the input */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-f", "o1"), 0);
	CU_ASSERT(!exists("o1"));
	CU_ASSERT_EQUAL(RUN(NULL, "o1.out", NULL, "gzip", "-dc", "o1.gz"), 0);
	CU_ASSERT(same("o1.out", "o1.orig"));
	/* .gz input when compressing: skipped with a warning */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "o1.err", "akzip", "o1.gz"), 2);
	CU_ASSERT(contains("o1.err", "already has .gz suffix"));
	CU_ASSERT(!exists("o1.gz.gz"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-f", "-k", "o1.gz"), 0);
	CU_ASSERT(exists("o1.gz.gz"));
	/* unknown suffix when decompressing: warning */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "o1.err", "akzip", "-d", "o1.orig"), 2);
	CU_ASSERT(contains("o1.err", "unknown suffix"));
	/* missing file: error; a warning and an error together: error */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "no-such-file"), 1);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "o1.gz", "no-such"), 1);
	/* -c keeps the input and writes stdout; -d -k keeps the .gz */
	CU_ASSERT_EQUAL(RUN(NULL, "o1c.gz", NULL, "akzip", "-c", "o1.orig"), 0);
	CU_ASSERT(exists("o1.orig"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "-k", "o1.gz"), 0);
	CU_ASSERT(exists("o1.gz"));
	CU_ASSERT(same("o1", "o1.orig"));
	/* same output as in place */
	p1 = slurp("o1c.gz", &l1);
	p2 = slurp("o1.gz", &l2);
	CU_ASSERT(p1 && p2 && l1 == l2 && memcmp(p1, p2, l1) == 0);
	free(p1);
	free(p2);
	/* a directory is skipped with a warning */
	{
		char d[PATH_MAX * 2];

		wpath(d, sizeof(d), "adir");
		mkdir(d, 0755);
	}
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "adir"), 2);
	/* bad option: error */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "--bogus"), 1);
	CU_ASSERT_EQUAL(RUN(NULL, "help.txt", NULL, "akzip", "--help"), 0);
	CU_ASSERT(contains("help.txt", "usage: akzip"));
}

/* 64 MiB through akzip -1 and back with bounded resident memory. */
/*
 * Peak RSS (KiB) of one tool run, measured by /usr/bin/time, which forks
 * the tool from its own small process: wait4() on our direct child would
 * also count this test program's pages from before the exec (large under
 * ASan). Returns -1 if the run failed or the figure is missing.
 */
static long tool_maxrss_kb(const char *in, const char *out, const char *tool,
			   const char *arg)
{
	char bin[PATH_MAX * 2], rss[PATH_MAX * 2], line[64];
	long kb = -1;
	FILE *f;

	snprintf(bin, sizeof(bin), "%s/%s", tooldir, tool);
	if (RUN(in, out, NULL, "/usr/bin/time", "-f", "%M", "-o", "rss.txt",
		bin, arg) != 0)
		return -1;
	wpath(rss, sizeof(rss), "rss.txt");
	f = fopen(rss, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		kb = strtol(line, NULL, 10);
	fclose(f);
	unlink(rss);
	return kb;
}

static void t_akzip_memory(void)
{
	const size_t len = 64u << 20;
	long kb;

	CU_ASSERT_FATAL(gen("big", len) == 0);
	kb = tool_maxrss_kb("big", "big.gz", "akzip", "-1");
	CU_ASSERT(kb > 0 && kb < 64 * 1024);
	if (kb <= 0 || kb >= 64 * 1024)
		fprintf(stderr, "akzip compress: max RSS %ld KiB\n", kb);
	kb = tool_maxrss_kb("big.gz", "big.out", "akzip", "-d");
	CU_ASSERT(kb > 0 && kb < 64 * 1024);
	if (kb <= 0 || kb >= 64 * 1024)
		fprintf(stderr, "akzip decompress: max RSS %ld KiB\n", kb);
	CU_ASSERT(same("big.out", "big"));
	{
		char p[PATH_MAX * 2];

		wpath(p, sizeof(p), "big.out");
		unlink(p);
		wpath(p, sizeof(p), "big");
		unlink(p);
		wpath(p, sizeof(p), "big.gz");
		unlink(p);
	}
}

/* ---- aksum ------------------------------------------------------------ */

static void t_aksum_output(void)
{
	char p[PATH_MAX * 2];

	CU_ASSERT_FATAL(gen("s1", 1234567) == 0);
	CU_ASSERT_FATAL(gen("s2", 0) == 0);
	CU_ASSERT_FATAL(gen("s 3", 70000) == 0);
	CU_ASSERT_FATAL(gen("s\\4", 100) == 0);
	CU_ASSERT_EQUAL(RUN("s1", "sum.ak", NULL, "aksum", "s1", "s2", "-",
			    "s 3", "s\\4"), 0);
	CU_ASSERT_EQUAL(RUN("s1", "sum.ref", NULL, "sha256sum", "s1", "s2", "-",
			    "s 3", "s\\4"), 0);
	CU_ASSERT(same("sum.ak", "sum.ref"));
	CU_ASSERT_EQUAL(RUN("s1", "sum.ak", NULL, "aksum", "-b", "s1", "-"), 0);
	CU_ASSERT_EQUAL(RUN("s1", "sum.ref", NULL, "sha256sum", "-b", "s1", "-"), 0);
	CU_ASSERT(same("sum.ak", "sum.ref"));
	CU_ASSERT_EQUAL(RUN("s1", "sum.ak", NULL, "aksum", "--tag", "s1"), 0);
	CU_ASSERT_EQUAL(RUN("s1", "sum.ref", NULL, "sha256sum", "--tag", "s1"), 0);
	CU_ASSERT(same("sum.ak", "sum.ref"));
	/* SHA-512: -a 512, --sha512, and the aksum512 name */
	CU_ASSERT_EQUAL(RUN("s1", "sum.ref", NULL, "sha512sum", "s1", "s2", "-"), 0);
	CU_ASSERT_EQUAL(RUN("s1", "sum.ak", NULL, "aksum", "-a", "512", "s1",
			    "s2", "-"), 0);
	CU_ASSERT(same("sum.ak", "sum.ref"));
	CU_ASSERT_EQUAL(RUN("s1", "sum.ak", NULL, "aksum", "--sha512", "s1",
			    "s2", "-"), 0);
	CU_ASSERT(same("sum.ak", "sum.ref"));
	{
		char target[PATH_MAX * 2];

		snprintf(target, sizeof(target), "%s/aksum", tooldir);
		wpath(p, sizeof(p), "aksum512");
		CU_ASSERT(symlink(target, p) == 0);
	}
	{
		char saved[PATH_MAX];

		/* run the link itself (argv[0] "aksum512") */
		memcpy(saved, tooldir, sizeof(saved));
		memcpy(tooldir, work, sizeof(tooldir));
		CU_ASSERT_EQUAL(RUN("s1", "sum.ak", NULL, "aksum512", "s1",
				    "s2", "-"), 0);
		memcpy(tooldir, saved, sizeof(tooldir));
	}
	CU_ASSERT(same("sum.ak", "sum.ref"));
	/* -v names the path on stderr, stdout unchanged */
	CU_ASSERT_EQUAL(RUN(NULL, "sum.ak", "sum.err", "aksum", "-v", "s1"), 0);
	CU_ASSERT(contains("sum.err", "software"));
	CU_ASSERT_EQUAL(RUN(NULL, "sum.ref", NULL, "sha256sum", "s1"), 0);
	CU_ASSERT(same("sum.ak", "sum.ref"));
	/* unreadable file: 1, the others still printed */
	CU_ASSERT_EQUAL(RUN(NULL, "sum.ak", NULL, "aksum", "s1", "nope", "s2"), 1);
	CU_ASSERT_EQUAL(RUN(NULL, "sum.ref", NULL, "sha256sum", "s1", "nope",
			    "s2"), 1);
	CU_ASSERT(same("sum.ak", "sum.ref"));
}

static void t_aksum_check(void)
{
	CU_ASSERT_FATAL(gen("k1", 300000) == 0);
	CU_ASSERT_FATAL(gen("k2", 5000) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.sums", NULL, "sha256sum", "k1", "k2"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", NULL, "aksum", "-c", "k.sums"), 0);
	CU_ASSERT(contains("k.out", "k1: OK\nk2: OK\n"));
	/* from stdin; SHA-512 lists */
	CU_ASSERT_EQUAL(RUN("k.sums", "k.out", NULL, "aksum", "--check"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.sums5", NULL, "sha512sum", "k1", "k2"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", NULL, "aksum", "-a", "512", "-c",
			    "k.sums5"), 0);
	CU_ASSERT(contains("k.out", "k1: OK\nk2: OK\n"));
	/* BSD tag lines */
	CU_ASSERT_EQUAL(RUN(NULL, "k.tag", NULL, "sha256sum", "--tag", "k1"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", NULL, "aksum", "-c", "k.tag"), 0);
	/* mismatch */
	CU_ASSERT(flip("k2", 10) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", "k.err", "aksum", "-c", "k.sums"), 1);
	CU_ASSERT(contains("k.out", "k1: OK\nk2: FAILED\n"));
	CU_ASSERT(contains("k.err", "1 computed checksum did NOT match"));
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", NULL, "aksum", "--status", "-c",
			    "k.sums"), 1);
	CU_ASSERT(contains("k.out", "") && !contains("k.out", "OK"));
	CU_ASSERT(flip("k2", 10) == 0);
	/* malformed lines: warning, status 0 unless --strict */
	CU_ASSERT(cat2("k.mixed", "k.sums", "k.sums") == 0);
	{
		size_t l;
		char *s = (char *)slurp("k.mixed", &l);
		char *all = malloc(l + 64);

		CU_ASSERT_FATAL(s && all);
		snprintf(all, l + 64, "%sthis is not a checksum line\n", s);
		CU_ASSERT(spit("k.mixed", all, strlen(all)) == 0);
		free(s);
		free(all);
	}
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", "k.err", "aksum", "-c", "k.mixed"), 0);
	CU_ASSERT(contains("k.err", "1 line is improperly formatted"));
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", "k.err", "aksum", "-w", "-c",
			    "k.mixed"), 0);
	CU_ASSERT(contains("k.err", "k.mixed: 5: improperly formatted"));
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", NULL, "aksum", "--strict", "-c",
			    "k.mixed"), 1);
	/* nothing valid at all */
	CU_ASSERT(spit("k.junk", "junk\n", 5) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", "k.err", "aksum", "-c", "k.junk"), 1);
	CU_ASSERT(contains("k.err", "no properly formatted"));
	/* missing listed file */
	CU_ASSERT(spit("k.miss", "0000000000000000000000000000000000000000000000000000000000000000  gone\n", 71) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, "k.out", NULL, "aksum", "-c", "k.miss"), 1);
	CU_ASSERT(contains("k.out", "gone: FAILED open or read"));
}

/* ---- akenc ------------------------------------------------------------ */

static const char KEYHEX[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char KEYHEX2[] =
	"ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char IVHEX[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

static void t_akenc_gcm(void)
{
	uint8_t raw[32];
	size_t l;
	uint8_t *p;

	for (int i = 0; i < 32; i++)
		raw[i] = (uint8_t)i;
	CU_ASSERT(spit("key.bin", raw, 32) == 0);
	CU_ASSERT(spit("key.hex", KEYHEX, 64) == 0);
	CU_ASSERT_FATAL(gen("g1", 3 * 1024 * 1024 + 123) == 0);
	/* round trip, key file raw and hex, default chunk */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-k", "key.bin", "-o",
			    "g1.enc", "g1"), 0);
	p = slurp("g1.enc", &l);
	CU_ASSERT(p && l == 24 + 3 * 1024 * 1024 + 123 + 4 * 16 &&
		  memcmp(p, "AKENC1", 6) == 0);
	free(p);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-k", "key.hex",
			    "-o", "g1.dec", "g1.enc"), 0);
	CU_ASSERT(same("g1.dec", "g1"));
	CU_ASSERT_EQUAL(RUN("g1.enc", "g1.dec2", "g1.err", "akenc", "-d", "-v",
			    "-K", KEYHEX), 0);
	CU_ASSERT(same("g1.dec2", "g1"));
	CU_ASSERT(contains("g1.err", "software"));
	/* a fresh IV per file */
	CU_ASSERT_EQUAL(RUN("g1", "g1.enc2", NULL, "akenc", "-K", KEYHEX), 0);
	CU_ASSERT(!same("g1.enc", "g1.enc2"));
	/* small chunks, empty input */
	CU_ASSERT_EQUAL(RUN("g1", "g1.s", NULL, "akenc", "-K", KEYHEX, "-s",
			    "4K"), 0);
	CU_ASSERT_EQUAL(RUN("g1.s", "g1.sd", NULL, "akenc", "-d", "-K", KEYHEX), 0);
	CU_ASSERT(same("g1.sd", "g1"));
	CU_ASSERT(spit("g0", "", 0) == 0);
	CU_ASSERT_EQUAL(RUN("g0", "g0.enc", NULL, "akenc", "-K", KEYHEX), 0);
	CU_ASSERT_EQUAL(RUN("g0.enc", "g0.dec", NULL, "akenc", "-d", "-K", KEYHEX), 0);
	CU_ASSERT(same("g0.dec", "g0"));
	/* exactly one full chunk */
	CU_ASSERT_FATAL(gen("g4", 4096) == 0);
	CU_ASSERT_EQUAL(RUN("g4", "g4.enc", NULL, "akenc", "-K", KEYHEX, "-s",
			    "4096"), 0);
	CU_ASSERT_EQUAL(RUN("g4.enc", "g4.dec", NULL, "akenc", "-d", "-K", KEYHEX), 0);
	CU_ASSERT(same("g4.dec", "g4"));
}

static void t_akenc_gcm_tamper(void)
{
	size_t l;
	uint8_t *p, *q;
	const size_t rec = 4096 + 16;

	CU_ASSERT_FATAL(gen("t1", 5 * 4096 + 100) == 0);
	CU_ASSERT_EQUAL(RUN("t1", "t1.enc", NULL, "akenc", "-K", KEYHEX, "-s",
			    "4K"), 0);
	p = slurp("t1.enc", &l);
	CU_ASSERT_FATAL(p && l == 24 + 5 * rec + 100 + 16);

	/* a flipped byte anywhere: exit 1, no output file left */
	const long offs[] = { 3, 9, 15, 24, 24 + 4096 + 3, 24 + 2 * rec + 7,
			      -1, -20 };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		CU_ASSERT(spit("t1.bad", p, l) == 0);
		CU_ASSERT(flip("t1.bad", offs[i]) == 0);
		CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K",
				    KEYHEX, "-o", "t1.out", "t1.bad"), 1);
		CU_ASSERT(!exists("t1.out"));
	}
	/* to a redirected stdout: truncated back to nothing */
	CU_ASSERT(spit("t1.bad", p, l) == 0);
	CU_ASSERT(flip("t1.bad", -1) == 0);
	CU_ASSERT_EQUAL(RUN("t1.bad", "t1.stdout", NULL, "akenc", "-d", "-K",
			    KEYHEX), 1);
	q = slurp("t1.stdout", &l);
	CU_ASSERT(q && l == 0);
	free(q);
	l = 24 + 5 * rec + 100 + 16;
	/* truncated at a chunk boundary, and mid-chunk */
	CU_ASSERT(spit("t1.bad", p, 24 + 3 * rec) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "t1.out", "t1.bad"), 1);
	CU_ASSERT(!exists("t1.out"));
	CU_ASSERT(spit("t1.bad", p, l - 50) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "t1.out", "t1.bad"), 1);
	CU_ASSERT(spit("t1.bad", p, 24) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "t1.out", "t1.bad"), 1);
	/* two chunks swapped */
	q = malloc(l);
	CU_ASSERT_FATAL(q != NULL);
	memcpy(q, p, l);
	memcpy(q + 24 + rec, p + 24 + 2 * rec, rec);
	memcpy(q + 24 + 2 * rec, p + 24 + rec, rec);
	CU_ASSERT(spit("t1.bad", q, l) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "t1.out", "t1.bad"), 1);
	CU_ASSERT(!exists("t1.out"));
	/* data appended */
	memcpy(q, p, l);
	CU_ASSERT(spit("t1.bad", q, l) == 0);
	CU_ASSERT(cat2("t1.bad", "t1.bad", "t1") == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "t1.out", "t1.bad"), 1);
	free(q);
	/* wrong key */
	CU_ASSERT(spit("t1.bad", p, l) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX2,
			    "-o", "t1.out", "t1.bad"), 1);
	CU_ASSERT(!exists("t1.out"));
	/* the intact file still decrypts */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "t1.out", "t1.bad"), 0);
	CU_ASSERT(same("t1.out", "t1"));
	free(p);
	/* bad usage */
	CU_ASSERT_EQUAL(RUN("t1", NULL, NULL, "akenc", "-K", "abcd"), 1);
	CU_ASSERT_EQUAL(RUN("t1", NULL, NULL, "akenc"), 1);
	CU_ASSERT_EQUAL(RUN("t1", NULL, NULL, "akenc", "-m", "ctr", "-K",
			    KEYHEX), 1);
}

static void t_akenc_ctr(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 4097, (1u << 20),
					(2u << 20) + 777 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CU_ASSERT_FATAL(gen("r1", sizes[i]) == 0);
		CU_ASSERT_EQUAL(RUN("r1", "r1.ak", NULL, "akenc", "-m", "ctr",
				    "-K", KEYHEX, "-iv", IVHEX), 0);
		CU_ASSERT_EQUAL(RUN("r1", "r1.ossl", NULL, "openssl", "enc",
				    "-aes-256-ctr", "-K", KEYHEX, "-iv", IVHEX), 0);
		CU_ASSERT(same("r1.ak", "r1.ossl"));
		/* and back, both ways */
		CU_ASSERT_EQUAL(RUN("r1.ossl", "r1.dec", NULL, "akenc", "-m",
				    "ctr", "-d", "-K", KEYHEX, "--iv", IVHEX), 0);
		CU_ASSERT(same("r1.dec", "r1"));
		CU_ASSERT_EQUAL(RUN("r1.ak", "r1.dec", NULL, "openssl", "enc",
				    "-d", "-aes-256-ctr", "-K", KEYHEX, "-iv",
				    IVHEX), 0);
		CU_ASSERT(same("r1.dec", "r1"));
	}
	/* counter carry across the 1 MiB pieces */
	CU_ASSERT_FATAL(gen("r2", (3u << 20) + 5) == 0);
	CU_ASSERT_EQUAL(RUN("r2", "r2.ak", NULL, "akenc", "-m", "ctr", "-K",
			    KEYHEX, "-iv", "00000000000000000000fffffffffff0"), 0);
	CU_ASSERT_EQUAL(RUN("r2", "r2.ossl", NULL, "openssl", "enc",
			    "-aes-256-ctr", "-K", KEYHEX, "-iv",
			    "00000000000000000000fffffffffff0"), 0);
	CU_ASSERT(same("r2.ak", "r2.ossl"));
}

static const struct ak_test tools_tests[] = {
	{ "akzip -> gzip -d", t_akzip_to_gzip },
	{ "gzip -> akzip -d", t_gzip_to_akzip },
	{ "akzip multi-member", t_multi_member },
	{ "akzip corrupt/truncated input", t_corrupt },
	{ "akzip -k -f -c -q and exit codes", t_akzip_options },
	{ "akzip 64 MiB with bounded RSS", t_akzip_memory },
	{ "aksum output == sha256sum/sha512sum", t_aksum_output },
	{ "aksum -c", t_aksum_check },
	{ "akenc GCM round trip", t_akenc_gcm },
	{ "akenc GCM tampering", t_akenc_gcm_tamper },
	{ "akenc CTR == openssl", t_akenc_ctr },
	{ NULL, NULL }
};

int add_tools_suite(void)
{
	return ak_add_suite("tools (akzip, aksum, akenc)", tools_init,
			    tools_clean, tools_tests);
}
