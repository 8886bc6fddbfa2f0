// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * aksum (samples/) run as a child process side by side with coreutils
 * sha256sum/sha512sum on the same files: output lines, escaped names, -z,
 * --check with its options (--ignore-missing included) and exit codes.
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

/* Names with a backslash, newline or carriage return, as coreutils 9. */
static const char *const odd_names[] = {
	"b\\s", "n\nl", "c\rr", "x\\y\nz\rw", "plain",
};
#define N_ODD (sizeof(odd_names) / sizeof(odd_names[0]))

static void make_odd(void)
{
	for (size_t i = 0; i < N_ODD; i++)
		CU_ASSERT_FATAL(gen(odd_names[i], 1000 + i) == 0);
}

/* aksum and the coreutils tool, the same arguments: same status, same
 * standard output. */
static void vs_sum(const char *ref, const char *in, const char *const *args,
		   size_t n)
{
	const char *a[16], *r[16];
	int ra, rr;
	size_t k = 1;

	CU_ASSERT_FATAL(n + 3 <= 16);
	a[0] = "aksum";
	r[0] = ref;
	if (strstr(ref, "512"))
		a[k++] = "--sha512";
	for (size_t i = 0; i < n; i++) {
		a[k + i] = args[i];
		r[i + 1] = args[i];
	}
	a[k + n] = NULL;
	r[n + 1] = NULL;
	ra = runv(NULL, in, "vs.ak", "vs.ak.err", a);
	rr = runv(NULL, in, "vs.ref", "vs.ref.err", r);
	CU_ASSERT_EQUAL(ra, rr);
	CU_ASSERT(same("vs.ak", "vs.ref"));
	if (ra != rr || !same("vs.ak", "vs.ref")) {
		fprintf(stderr, "\n  aksum vs %s:", ref);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " '%s'", args[i]);
		fprintf(stderr, ": status %d vs %d%s\n", ra, rr,
			same("vs.ak", "vs.ref") ? "" : ", outputs differ");
	}
}

#define VS_SUM(ref, in, ...) do { \
	const char *const v_[] = { __VA_ARGS__ }; \
	vs_sum(ref, in, v_, sizeof(v_) / sizeof(v_[0])); \
} while (0)

static void t_aksum_escapes(void)
{
	make_odd();
	/* printing: every form, both digests */
	VS_SUM("sha256sum", NULL, odd_names[0], odd_names[1], odd_names[2],
	       odd_names[3], odd_names[4]);
	VS_SUM("sha256sum", NULL, "--tag", odd_names[0], odd_names[1],
	       odd_names[2], odd_names[3]);
	VS_SUM("sha256sum", NULL, "-b", odd_names[2], odd_names[3]);
	VS_SUM("sha512sum", NULL, odd_names[0], odd_names[1], odd_names[2],
	       odd_names[3]);
	/* checking lists that sha256sum wrote: the report escapes only names
	 * with a newline */
	CU_ASSERT_EQUAL(RUN(NULL, "odd.sums", NULL, "sha256sum", odd_names[0],
			    odd_names[1], odd_names[2], odd_names[3],
			    odd_names[4]), 0);
	VS_SUM("sha256sum", NULL, "-c", "odd.sums");
	CU_ASSERT_EQUAL(RUN(NULL, "odd.out", NULL, "aksum", "-c", "odd.sums"), 0);
	CU_ASSERT(contains("odd.out", "b\\s: OK\n"));
	CU_ASSERT(contains("odd.out", "c\rr: OK\n"));
	CU_ASSERT(contains("odd.out", "\\n\\nl: OK\n"));
	CU_ASSERT(contains("odd.out", "\\x\\\\y\\nz\\rw: OK\n"));
	CU_ASSERT_EQUAL(RUN(NULL, "odd.tag", NULL, "sha256sum", "--tag",
			    odd_names[0], odd_names[3]), 0);
	VS_SUM("sha256sum", NULL, "-c", "odd.tag");
	/* lists aksum wrote check back, with aksum and sha256sum */
	CU_ASSERT_EQUAL(RUN(NULL, "odd.ak", NULL, "aksum", odd_names[0],
			    odd_names[1], odd_names[2], odd_names[3]), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "sha256sum", "-c", "odd.ak"), 0);
	VS_SUM("sha256sum", NULL, "-c", "odd.ak");
	/* a mismatch names the file the same way */
	CU_ASSERT(flip(odd_names[3], 5) == 0);
	VS_SUM("sha256sum", NULL, "-c", "odd.sums");
	VS_SUM("sha256sum", NULL, "--quiet", "-c", "odd.sums");
}

static void t_aksum_zero(void)
{
	make_odd();
	VS_SUM("sha256sum", NULL, "-z", odd_names[0], odd_names[1],
	       odd_names[2], odd_names[3], odd_names[4]);
	VS_SUM("sha256sum", NULL, "--zero", "--tag", odd_names[0],
	       odd_names[1], odd_names[3]);
	VS_SUM("sha512sum", NULL, "-z", "-b", odd_names[1], "-");
	/* not with -c (coreutils 9.1 refuses it too) */
	CU_ASSERT_EQUAL(RUN(NULL, "z.sums", NULL, "sha256sum", "plain"), 0);
	VS_SUM("sha256sum", NULL, "-z", "-c", "z.sums");
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "aksum", "-z", "-c", "z.sums"), 1);
}

static void t_aksum_ignore_missing(void)
{
	CU_ASSERT_FATAL(gen("im1", 4000) == 0);
	CU_ASSERT_FATAL(gen("im2", 5000) == 0);
	CU_ASSERT_FATAL(gen("gone1", 10) == 0);
	CU_ASSERT_FATAL(gen("gone2", 10) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, "im.sums", NULL, "sha256sum", "im1", "gone1",
			    "im2", "gone2"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, "gone.sums", NULL, "sha256sum", "gone1",
			    "gone2"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "rm", "gone1", "gone2"), 0);
	/* missing files: neither reported nor failing */
	VS_SUM("sha256sum", NULL, "-c", "--ignore-missing", "im.sums");
	CU_ASSERT_EQUAL(RUN(NULL, "im.out", "im.err", "aksum", "-c",
			    "--ignore-missing", "im.sums"), 0);
	CU_ASSERT(holds("im.out", "im1: OK\nim2: OK\n", 16));
	{
		size_t l;
		uint8_t *p = slurp("im.err", &l);

		CU_ASSERT(p && l == 0);
		free(p);
	}
	/* without it: FAILED open or read, status 1 */
	VS_SUM("sha256sum", NULL, "-c", "im.sums");
	/* a mismatch still fails */
	CU_ASSERT(flip("im2", 3) == 0);
	VS_SUM("sha256sum", NULL, "-c", "--ignore-missing", "im.sums");
	/* nothing verified at all: status 1 */
	VS_SUM("sha256sum", NULL, "-c", "--ignore-missing", "gone.sums");
	VS_SUM("sha256sum", NULL, "-c", "--ignore-missing", "--status",
	       "gone.sums");
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "im.err", "aksum", "-c",
			    "--ignore-missing", "gone.sums"), 1);
	CU_ASSERT(contains("im.err", "gone.sums: no file was verified"));
	/* only with -c */
	VS_SUM("sha256sum", NULL, "--ignore-missing", "im1");
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "aksum", "--ignore-missing",
			    "im1"), 1);
}

static const struct ak_test aksum_tests[] = {
	{ "aksum output == sha256sum/sha512sum", t_aksum_output },
	{ "aksum -c", t_aksum_check },
	{ "aksum escaped names == coreutils (print and -c)", t_aksum_escapes },
	{ "aksum -z == coreutils", t_aksum_zero },
	{ "aksum -c --ignore-missing == coreutils", t_aksum_ignore_missing },
	{ NULL, NULL }
};

int add_aksum_suite(void)
{
	return ak_add_suite("tools: aksum (== sha256sum/sha512sum)", tools_init,
			    tools_clean, aksum_tests);
}
