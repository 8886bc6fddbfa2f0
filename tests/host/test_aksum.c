// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * aksum (samples/) run as a child process side by side with coreutils
 * sha256sum/sha512sum on the same files: output lines, --check with its
 * options, and exit codes.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "tools_util.h"

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

static const struct ak_test aksum_tests[] = {
	{ "aksum output == sha256sum/sha512sum", t_aksum_output },
	{ "aksum -c", t_aksum_check },
	{ NULL, NULL }
};

int add_aksum_suite(void)
{
	return ak_add_suite("tools: aksum (== sha256sum/sha512sum)", tools_init,
			    tools_clean, aksum_tests);
}
