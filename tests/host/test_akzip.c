// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akzip (samples/) run as a child process side by side with gzip on the
 * same inputs: interoperability both ways, corrupt input, options and exit
 * codes, bounded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	CU_ASSERT(same("o1c.gz", "o1.gz"));
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

static const struct ak_test akzip_tests[] = {
	{ "akzip -> gzip -d", t_akzip_to_gzip },
	{ "gzip -> akzip -d", t_gzip_to_akzip },
	{ "akzip multi-member", t_multi_member },
	{ "akzip corrupt/truncated input", t_corrupt },
	{ "akzip -k -f -c -q and exit codes", t_akzip_options },
	{ "akzip 64 MiB with bounded RSS", t_akzip_memory },
	{ NULL, NULL }
};

int add_akzip_suite(void)
{
	return ak_add_suite("tools: akzip (== gzip)", tools_init, tools_clean,
			    akzip_tests);
}
