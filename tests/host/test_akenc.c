// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akenc (samples/) run as a child process: the GCM file format, tampering,
 * and CTR against openssl enc.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "tools_util.h"

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

static const struct ak_test akenc_tests[] = {
	{ "akenc GCM round trip", t_akenc_gcm },
	{ "akenc GCM tampering", t_akenc_gcm_tamper },
	{ "akenc CTR == openssl", t_akenc_ctr },
	{ NULL, NULL }
};

int add_akenc_suite(void)
{
	return ak_add_suite("tools: akenc (== openssl enc)", tools_init,
			    tools_clean, akenc_tests);
}
