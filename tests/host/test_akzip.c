// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akzip (samples/) run as a child process side by side with gzip 1.12 on
 * the same inputs: interoperability both ways, corrupt input, options and
 * exit codes, bounded memory, data after the last member, -f pass-through,
 * -N/-n, suffixes, and no output left when no session can be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "tools_util.h"

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
	size_t l1;
	uint8_t *p1;

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
	/* .gz input when compressing: skipped with a message, status 0 as
	 * gzip 1.12 gives */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "o1.err", "akzip", "o1.gz"),
			RUN(NULL, NULL, NULL, "gzip", "o1.gz"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "o1.err", "akzip", "o1.gz"), 0);
	CU_ASSERT(contains("o1.err", "already has .gz suffix"));
	CU_ASSERT(!exists("o1.gz.gz"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-f", "-k", "o1.gz"), 0);
	CU_ASSERT(exists("o1.gz.gz"));
	/* unknown suffix when decompressing: warning */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "o1.err", "akzip", "-d", "o1.orig"), 2);
	CU_ASSERT(contains("o1.err", "unknown suffix"));
	/* missing file: error; a warning and an error together: error */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "no-such-file"), 1);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "o1.orig",
			    "no-such"), 1);
	/* -c keeps the input and writes stdout; -d -k keeps the .gz */
	CU_ASSERT_EQUAL(RUN(NULL, "o1c.gz", NULL, "akzip", "-c", "o1.orig"), 0);
	CU_ASSERT(exists("o1.orig"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "-k", "o1.gz"), 0);
	CU_ASSERT(exists("o1.gz"));
	CU_ASSERT(same("o1", "o1.orig"));
	/* same output as in place, after the headers (name, mtime) */
	CU_ASSERT(same_from("o1c.gz", 10 + sizeof("o1.orig"), "o1.gz",
			    10 + sizeof("o1")));
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

/* ---- what gzip 1.12 does, side by side ---------------------------------- */

/*
 * Run akzip and gzip with the same options on @file: the same exit status
 * and the same standard output. @tag names the case in a failure message.
 */
static void vs_gzip(const char *tag, const char *file, const char *o1,
		    const char *o2)
{
	int ra, rg;

	if (o2) {
		ra = RUN(NULL, "vs.ak", "vs.ak.err", "akzip", o1, o2, file);
		rg = RUN(NULL, "vs.gz", "vs.gz.err", "gzip", o1, o2, file);
	} else {
		ra = RUN(NULL, "vs.ak", "vs.ak.err", "akzip", o1, file);
		rg = RUN(NULL, "vs.gz", "vs.gz.err", "gzip", o1, file);
	}
	CU_ASSERT_EQUAL(ra, rg);
	CU_ASSERT(same("vs.ak", "vs.gz"));
	if (ra != rg || !same("vs.ak", "vs.gz"))
		fprintf(stderr, "\n  %s: akzip %s %s %s: status %d, gzip %d%s\n",
			tag, o1, o2 ? o2 : "", file, ra, rg,
			same("vs.ak", "vs.gz") ? "" : ", outputs differ");
}

static const char *const vs_opts[][2] = {
	{ "-dc", NULL }, { "-t", NULL }, { "-tv", NULL }, { "-dcq", NULL },
	{ "-dcf", NULL }, { "-cdf", NULL }, { "-d", "-cf" }, { "-tf", NULL },
};

static void vs_gzip_all(const char *tag, const char *file)
{
	for (size_t i = 0; i < sizeof(vs_opts) / sizeof(vs_opts[0]); i++)
		vs_gzip(tag, file, vs_opts[i][0], vs_opts[i][1]);
}

/* @base.gz plus @n bytes of @fill plus the string @tail into @out. */
static int padded(const char *out, const char *base, size_t n, int fill,
		  const char *tail)
{
	uint8_t *p = malloc(n + 1);
	int r;

	if (!p)
		return -1;
	memset(p, fill, n);
	r = copy(out, base);
	if (!r && n)
		r = append(out, p, n);
	if (!r && tail && *tail)
		r = append(out, tail, strlen(tail));
	free(p);
	return r;
}

/* Data after the last member: zeros (padded tarballs), garbage. */
static void t_akzip_trailing(void)
{
	static const size_t zeros[] = { 1, 2, 7, 512, 10240 };
	char tag[64];
	size_t l;
	uint8_t *p;

	CU_ASSERT_FATAL(gen("tr", 200 * 1024 + 3) == 0);
	CU_ASSERT_EQUAL_FATAL(RUN("tr", "tr.gz", NULL, "gzip", "-c"), 0);
	CU_ASSERT(spit("e0", "", 0) == 0);
	CU_ASSERT_EQUAL_FATAL(RUN("e0", "e0.gz", NULL, "gzip", "-c"), 0);
	for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
		snprintf(tag, sizeof(tag), "%zu zero bytes", zeros[i]);
		CU_ASSERT(padded("pz.gz", "tr.gz", zeros[i], 0, NULL) == 0);
		vs_gzip_all(tag, "pz.gz");
		/* after an empty member (its trailer is all zeros) */
		CU_ASSERT(padded("pz.gz", "e0.gz", zeros[i], 0, NULL) == 0);
		vs_gzip_all(tag, "pz.gz");
	}
	/* the decompressed data, status 0, silently */
	CU_ASSERT(padded("pz.gz", "tr.gz", 1000, 0, NULL) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, "pz.out", "pz.err", "akzip", "-dc",
			    "pz.gz"), 0);
	CU_ASSERT(same("pz.out", "tr"));
	p = slurp("pz.err", &l);
	CU_ASSERT(p && l == 0);
	free(p);
	/* garbage: warning, status 2, output kept */
	CU_ASSERT(padded("pg.gz", "tr.gz", 0, 0, "garbage") == 0);
	vs_gzip_all("garbage", "pg.gz");
	CU_ASSERT_EQUAL(RUN(NULL, "pg.out", "pg.err", "akzip", "-dc",
			    "pg.gz"), 2);
	CU_ASSERT(same("pg.out", "tr"));
	CU_ASSERT(contains("pg.err", "trailing garbage ignored"));
	CU_ASSERT(padded("pg.gz", "tr.gz", 10, 0, "x") == 0);
	vs_gzip_all("zeros then garbage", "pg.gz");
	CU_ASSERT(padded("pg.gz", "tr.gz", 0, 0, "G") == 0);
	vs_gzip_all("one garbage byte", "pg.gz");
	CU_ASSERT(padded("pg.gz", "e0.gz", 0, 0, "GH") == 0);
	vs_gzip_all("garbage after an empty member", "pg.gz");
	CU_ASSERT(padded("pg.gz", "tr.gz", 3, 0, "\x1f\x8b") == 0);
	vs_gzip_all("zeros then a magic", "pg.gz");
	/* a second member that is corrupt stays an error */
	CU_ASSERT(cat2("pc.gz", "tr.gz", "tr.gz") == 0);
	p = slurp("tr.gz", &l);
	CU_ASSERT_FATAL(p != NULL);
	free(p);
	CU_ASSERT(flip("pc.gz", (long)(l + l / 2)) == 0);
	vs_gzip_all("corrupt second member", "pc.gz");
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-t", "pc.gz"), 1);
	/* in place: the output kept and the input removed, as gzip does */
	CU_ASSERT(padded("ip.gz", "tr.gz", 0, 0, "junk") == 0);
	CU_ASSERT(padded("ipg.gz", "tr.gz", 0, 0, "junk") == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "ip.gz"),
			RUN(NULL, NULL, NULL, "gzip", "-d", "ipg.gz"));
	CU_ASSERT(same("ip", "tr") && same("ipg", "tr"));
	CU_ASSERT(!exists("ip.gz") && !exists("ipg.gz"));
}

/* Padding across the tool's 1 MiB read pieces, through a pipe (tar). */
static void t_akzip_tar_padded(void)
{
	char tool[PATH_MAX * 2], d[PATH_MAX * 2];
	size_t l, pad;

	wpath(d, sizeof(d), "tsrc");
	CU_ASSERT_FATAL(mkdir(d, 0755) == 0);
	CU_ASSERT_FATAL(gen("tsrc/a", 1500 * 1024 + 11) == 0);
	CU_ASSERT_FATAL(gen("tsrc/b", 3000) == 0);
	CU_ASSERT_EQUAL_FATAL(RUN(NULL, NULL, NULL, "tar", "cf", "t.tar",
				  "tsrc"), 0);
	CU_ASSERT_EQUAL_FATAL(RUN("t.tar", "t.tar.gz", NULL, "gzip", "-c"), 0);
	free(slurp("t.tar.gz", &l));
	/* zeros up to the next 10 KiB record, then to past the 1 MiB piece
	 * the compressed data ends in */
	pad = 10240 - l % 10240;
	CU_ASSERT(padded("p1.tar.gz", "t.tar.gz", pad, 0, NULL) == 0);
	pad = (l / (1u << 20) + 1) * (1u << 20) - l + 4096;
	CU_ASSERT(padded("p2.tar.gz", "t.tar.gz", pad, 0, NULL) == 0);
	snprintf(tool, sizeof(tool), "%s/akzip", tooldir);
	for (int i = 1; i <= 2; i++) {
		char arch[32], dir[32];

		snprintf(arch, sizeof(arch), "p%d.tar.gz", i);
		snprintf(dir, sizeof(dir), "x%d", i);
		wpath(d, sizeof(d), dir);
		CU_ASSERT_FATAL(mkdir(d, 0755) == 0);
		CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "tar", "-I", tool, "-xf",
				    arch, "-C", dir), 0);
		snprintf(d, sizeof(d), "%s/tsrc/a", dir);
		CU_ASSERT(same(d, "tsrc/a"));
		snprintf(d, sizeof(d), "%s/tsrc/b", dir);
		CU_ASSERT(same(d, "tsrc/b"));
		/* and through a pipe, with gzip's status */
		CU_ASSERT_EQUAL(RUN(arch, "t.out", NULL, "akzip", "-d"), 0);
		CU_ASSERT(same("t.out", "t.tar"));
		vs_gzip_all("padded tarball", arch);
	}
}

/* -f with standard output: data that is not gzip passes through (zcat -f). */
static void t_akzip_force_cat(void)
{
	CU_ASSERT_FATAL(gen("fc", 300 * 1024) == 0);
	CU_ASSERT(spit("fc1", "x", 1) == 0);
	CU_ASSERT(spit("fc0", "", 0) == 0);
	vs_gzip_all("not gzip", "fc");
	vs_gzip_all("one byte", "fc1");
	vs_gzip_all("empty", "fc0");
	CU_ASSERT_EQUAL(RUN(NULL, "fc.out", NULL, "akzip", "-dcf", "fc"), 0);
	CU_ASSERT(same("fc.out", "fc"));
	CU_ASSERT_EQUAL(RUN("fc", "fc.out", NULL, "akzip", "-cdf"), 0);
	CU_ASSERT(same("fc.out", "fc"));
	/* without -f: not in gzip format, status 1 */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "fc.err", "akzip", "-dc", "fc"), 1);
	CU_ASSERT(contains("fc.err", "not in gzip format"));
	/* -d -f in place still needs gzip data */
	CU_ASSERT(copy("fc.gz", "fc") == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-df", "fc.gz"),
			RUN(NULL, NULL, NULL, "gzip", "-df", "fc.gz"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-df", "fc.gz"), 1);
	CU_ASSERT(exists("fc.gz") && !exists("fc"));
}

static void set_mtime(const char *name, time_t t)
{
	char p[PATH_MAX * 2];
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	wpath(p, sizeof(p), name);
	CU_ASSERT(utimensat(AT_FDCWD, p, ts, 0) == 0);
}

static time_t mtime_of(const char *name)
{
	struct stat st;

	return wstat(name, &st) ? (time_t)-1 : st.st_mtime;
}

/* The header's name and timestamp: -N (compress default), -n. */
static void t_akzip_names(void)
{
	char d[PATH_MAX * 2];
	size_t hl = 10 + sizeof("orig");

	CU_ASSERT_FATAL(gen("orig", 70000) == 0);
	set_mtime("orig", 1577934245);
	/* compress: the same header as gzip's (name, mtime, XFL, OS) */
	CU_ASSERT_EQUAL(RUN(NULL, "n.ak", NULL, "akzip", "-c", "orig"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "n.gz", NULL, "gzip", "-c", "orig"), 0);
	{
		size_t la, lg;
		uint8_t *a = slurp("n.ak", &la), *g = slurp("n.gz", &lg);

		CU_ASSERT(a && g && la > hl && lg > hl &&
			  memcmp(a, g, hl) == 0);
		free(a);
		free(g);
	}
	CU_ASSERT_EQUAL(RUN(NULL, "n.out", NULL, "gzip", "-dc", "n.ak"), 0);
	CU_ASSERT(same("n.out", "orig"));
	/* -n: no name, MTIME 0, as gzip -n */
	CU_ASSERT_EQUAL(RUN(NULL, "n.ak", NULL, "akzip", "-n", "-c", "orig"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "n.gz", NULL, "gzip", "-n", "-c", "orig"), 0);
	{
		size_t la, lg;
		uint8_t *a = slurp("n.ak", &la), *g = slurp("n.gz", &lg);

		CU_ASSERT(a && g && la > 10 && lg > 10 && memcmp(a, g, 10) == 0);
		free(a);
		free(g);
	}
	/* standard input (a regular file): no name, its mtime */
	CU_ASSERT_EQUAL(RUN("orig", "n.ak", NULL, "akzip"), 0);
	CU_ASSERT_EQUAL(RUN("orig", "n.gz", NULL, "gzip"), 0);
	{
		size_t la, lg;
		uint8_t *a = slurp("n.ak", &la), *g = slurp("n.gz", &lg);

		CU_ASSERT(a && g && la > 10 && lg > 10 && memcmp(a, g, 10) == 0);
		free(a);
		free(g);
	}
	/* in place as well */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-k", "orig"), 0);
	{
		size_t la;
		uint8_t *a = slurp("orig.gz", &la);

		CU_ASSERT(a && la > hl && a[3] == 0x08 &&
			  memcmp(a + 10, "orig", sizeof("orig")) == 0 &&
			  a[4] == (uint8_t)1577934245 &&
			  a[7] == (uint8_t)(1577934245 >> 24));
		free(a);
	}
	/* decompress: by default the name from the file, the .gz's mtime;
	 * -N: the stored name and mtime. akzip in a/, gzip in b/. */
	for (int i = 0; i < 2; i++) {
		const char *dir = i ? "b" : "a";
		const char *tool = i ? "gzip" : "akzip";
		char f[64];

		wpath(d, sizeof(d), dir);
		CU_ASSERT_FATAL(mkdir(d, 0755) == 0);
		snprintf(f, sizeof(f), "%s/renamed.gz", dir);
		CU_ASSERT(copy(f, "orig.gz") == 0);
		set_mtime(f, 1620172800);
		CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, tool, "-dk", f), 0);
		snprintf(f, sizeof(f), "%s/renamed", dir);
		CU_ASSERT(same(f, "orig"));
		CU_ASSERT_EQUAL(mtime_of(f), 1620172800);
		snprintf(f, sizeof(f), "%s/renamed.gz", dir);
		CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, tool, "-dN", f), 0);
		snprintf(f, sizeof(f), "%s/orig", dir);
		CU_ASSERT(same(f, "orig"));
		CU_ASSERT_EQUAL(mtime_of(f), 1577934245);
		snprintf(f, sizeof(f), "%s/renamed.gz", dir);
		CU_ASSERT(!exists(f));
	}
}

/* The suffixes gzip knows when decompressing (any case). */
static void t_akzip_suffixes(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "s.gz", "s" }, { "s-gz", "s" }, { "s.z", "s" },
		{ "s-z", "s" }, { "s_z", "s" }, { "s.Z", "s" },
		{ "s.GZ", "s" }, { "s-GZ", "s" }, { "s.tgz", "s.tar" },
		{ "s.taz", "s.tar" }, { "s.TGZ", "s.tar" },
	};

	CU_ASSERT_FATAL(gen("sx", 5000) == 0);
	CU_ASSERT_EQUAL_FATAL(RUN("sx", "sx.gz", NULL, "gzip", "-c"), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT(copy(cases[i].in, "sx.gz") == 0);
		CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d",
				    cases[i].in), 0);
		CU_ASSERT(same(cases[i].out, "sx"));
		CU_ASSERT(!exists(cases[i].in));
		if (!same(cases[i].out, "sx"))
			fprintf(stderr, "\n  akzip -d %s: no %s\n", cases[i].in,
				cases[i].out);
		{
			char p[PATH_MAX * 2];

			wpath(p, sizeof(p), cases[i].out);
			unlink(p);
		}
	}
	/* unknown suffix: warning (2), none at all with -q, as gzip */
	CU_ASSERT(copy("s.zip", "sx.gz") == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-d", "s.zip"),
			RUN(NULL, NULL, NULL, "gzip", "-d", "s.zip"));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akzip", "-dq", "s.zip"),
			RUN(NULL, NULL, NULL, "gzip", "-dq", "s.zip"));
	/* compressing a file with such a suffix: skipped, as gzip */
	CU_ASSERT(spit("c.z", "abc", 3) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "c.err", "akzip", "c.z"),
			RUN(NULL, NULL, NULL, "gzip", "c.z"));
	CU_ASSERT(contains("c.err", "already has .z suffix"));
	CU_ASSERT(!exists("c.z.gz"));
}

/*
 * AK_PATH=device with no device: status 1 and no output file at all. The
 * library is shown an empty sysfs (AK_SYSFS_ROOT, its test mode), so this
 * holds on a host with an accelerator too.
 */
static char nosys[PATH_MAX * 2 + 32];
static const char *const nodev_env[] = { "AK_PATH=device", nosys, NULL };
#define RUN_NODEV(in, out, err, ...) \
	runv(nodev_env, in, out, err, (const char *const[]){ __VA_ARGS__, NULL })

static void t_akzip_no_device(void)
{
	char d[PATH_MAX * 2];

	wpath(d, sizeof(d), "nosys");
	CU_ASSERT_FATAL(mkdir(d, 0755) == 0);
	snprintf(nosys, sizeof(nosys), "AK_SYSFS_ROOT=%s", d);
	CU_ASSERT_FATAL(gen("nd", 10000) == 0);
	CU_ASSERT_EQUAL(RUN_NODEV(NULL, NULL, "nd.err", "akzip", "nd"), 1);
	CU_ASSERT(contains("nd.err", "cannot open a gzip session"));
	CU_ASSERT(!exists("nd.gz"));
	CU_ASSERT(exists("nd"));
	CU_ASSERT_EQUAL(RUN_NODEV(NULL, NULL, NULL, "akzip", "-c", "nd"), 1);
	/* decompressing: no empty FILE either */
	CU_ASSERT_EQUAL(RUN("nd", "nd.gz", NULL, "gzip", "-c"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "mv", "nd", "nd.keep"), 0);
	CU_ASSERT_EQUAL(RUN_NODEV(NULL, NULL, NULL, "akzip", "-d", "nd.gz"), 1);
	CU_ASSERT(!exists("nd"));
	CU_ASSERT(exists("nd.gz"));
}

static const struct ak_test akzip_tests[] = {
	{ "akzip -> gzip -d", t_akzip_to_gzip },
	{ "gzip -> akzip -d", t_gzip_to_akzip },
	{ "akzip multi-member", t_multi_member },
	{ "akzip corrupt/truncated input", t_corrupt },
	{ "akzip -k -f -c -q and exit codes", t_akzip_options },
	{ "akzip 64 MiB with bounded RSS", t_akzip_memory },
	{ "akzip data after the last member == gzip", t_akzip_trailing },
	{ "akzip: tar -I akzip -xf padded.tar.gz", t_akzip_tar_padded },
	{ "akzip -dcf passes non-gzip data through", t_akzip_force_cat },
	{ "akzip -N/-n name and mtime == gzip", t_akzip_names },
	{ "akzip -d suffixes == gzip", t_akzip_suffixes },
	{ "akzip AK_PATH=device, no device: no output", t_akzip_no_device },
	{ NULL, NULL }
};

int add_akzip_suite(void)
{
	return ak_add_suite("tools: akzip (== gzip)", tools_init, tools_clean,
			    akzip_tests);
}
