// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akenc (samples/) run as a child process: the GCM file format, tampering,
 * CTR against openssl enc, key files as openssl writes them, and -o onto
 * what exists already (regular files, links, FIFOs, devices).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* The key of a hex key file (white space stripped) into @hex (65 bytes). */
static bool key_of(const char *file, char hex[65])
{
	size_t l, j = 0;
	uint8_t *p = slurp(file, &l);

	for (size_t i = 0; p && i < l && j < 64; i++)
		if (!strchr(" \t\r\n", p[i]))
			hex[j++] = (char)p[i];
	hex[j] = '\0';
	free(p);
	return j == 64;
}

/* Hex key files as openssl writes them (newline), CRLF; junk refused. */
static void t_akenc_keyfile(void)
{
	char hex[65], crlf[80];

	CU_ASSERT_FATAL(gen("kp", 50000) == 0);
	CU_ASSERT_EQUAL_FATAL(RUN(NULL, "key.nl", NULL, "openssl", "rand",
				  "-hex", "32"), 0);
	CU_ASSERT_FATAL(key_of("key.nl", hex));
	CU_ASSERT_EQUAL(RUN(NULL, NULL, "kp.err", "akenc", "-k", "key.nl",
			    "-o", "kp.enc", "kp"), 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", hex,
			    "-o", "kp.dec", "kp.enc"), 0);
	CU_ASSERT(same("kp.dec", "kp"));
	/* the same key in CTR mode gives openssl's bytes */
	CU_ASSERT_EQUAL(RUN("kp", "kp.ak", NULL, "akenc", "-m", "ctr", "-k",
			    "key.nl", "-iv", IVHEX), 0);
	CU_ASSERT_EQUAL(RUN("kp", "kp.ossl", NULL, "openssl", "enc",
			    "-aes-256-ctr", "-K", hex, "-iv", IVHEX), 0);
	CU_ASSERT(same("kp.ak", "kp.ossl"));
	/* CRLF, blanks around */
	snprintf(crlf, sizeof(crlf), "  %s\r\n", hex);
	CU_ASSERT(spit("key.crlf", crlf, strlen(crlf)) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-k", "key.crlf",
			    "-o", "kp.dec", "kp.enc"), 0);
	CU_ASSERT(same("kp.dec", "kp"));
	/* junk: refused with a message that says what a key file is */
	snprintf(crlf, sizeof(crlf), "%s\nzz\n", hex);
	CU_ASSERT(spit("key.junk", crlf, strlen(crlf)) == 0);
	CU_ASSERT_EQUAL(RUN("kp", NULL, "kp.err", "akenc", "-k", "key.junk"), 1);
	CU_ASSERT(contains("kp.err", "64 hex digits"));
	CU_ASSERT(spit("key.short", hex, 62) == 0);
	CU_ASSERT_EQUAL(RUN("kp", NULL, "kp.err", "akenc", "-k", "key.short"), 1);
	CU_ASSERT(contains("kp.err", "64 hex digits (the file has 62)"));
	CU_ASSERT(spit("key.nul", "\0\0", 2) == 0 &&
		  append("key.nul", hex, 64) == 0);
	CU_ASSERT_EQUAL(RUN("kp", NULL, NULL, "akenc", "-k", "key.nul"), 1);
}

/* Decrypting @enc gives @plain. */
static bool decrypts_to(const char *enc, const char *plain)
{
	return RUN(NULL, "dt.out", NULL, "akenc", "-d", "-K", KEYHEX, enc) == 0 &&
	       same("dt.out", plain);
}

/* No ".NAME.akenc-*" temporary file left in the work directory. */
static bool no_temp_left(void)
{
	DIR *d = opendir(work);
	struct dirent *e;
	bool ok = d != NULL;

	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".akenc-"))
			ok = false;
	if (d)
		closedir(d);
	return ok;
}

/* -o to what exists already: regular files keep their mode, owner, links
 * and symbolic links; FIFOs are written to; nothing is left on failure. */
static void t_akenc_output_files(void)
{
	char p[PATH_MAX * 2];
	struct stat st, st2;

	CU_ASSERT_FATAL(gen("of", 20000) == 0);
	/* mode (and owner, as root) kept */
	CU_ASSERT(spit("om", "old", 3) == 0);
	wpath(p, sizeof(p), "om");
	CU_ASSERT(chmod(p, 0604) == 0);
	if (geteuid() == 0)
		CU_ASSERT(chown(p, 1234, 5678) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "om", "of"), 0);
	CU_ASSERT(wstat("om", &st) == 0 && (st.st_mode & 07777) == 0604);
	if (geteuid() == 0)
		CU_ASSERT(st.st_uid == 1234 && st.st_gid == 5678);
	CU_ASSERT(decrypts_to("om", "of"));
	/* a symbolic link: written through, the link stays */
	CU_ASSERT(spit("ot", "old", 3) == 0);
	wpath(p, sizeof(p), "ot");
	CU_ASSERT(chmod(p, 0640) == 0);
	wpath(p, sizeof(p), "ol");
	CU_ASSERT(symlink("ot", p) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "ol", "of"), 0);
	CU_ASSERT(wlstat("ol", &st) == 0 && S_ISLNK(st.st_mode));
	CU_ASSERT(decrypts_to("ot", "of"));
	CU_ASSERT(wstat("ot", &st) == 0 && (st.st_mode & 07777) == 0640);
	/* a link to nothing yet: the file is created where it points */
	wpath(p, sizeof(p), "odang");
	CU_ASSERT(symlink("onew", p) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "odang", "of"), 0);
	CU_ASSERT(wlstat("odang", &st) == 0 && S_ISLNK(st.st_mode));
	CU_ASSERT(decrypts_to("onew", "of"));
	/* hard links: the same inode, both names see the new data */
	CU_ASSERT(spit("oh1", "old", 3) == 0);
	{
		char p2[PATH_MAX * 2];

		wpath(p, sizeof(p), "oh1");
		wpath(p2, sizeof(p2), "oh2");
		CU_ASSERT(link(p, p2) == 0);
	}
	CU_ASSERT(wstat("oh1", &st2) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "oh1", "of"), 0);
	CU_ASSERT(wstat("oh1", &st) == 0 && st.st_nlink == 2 &&
		  st.st_ino == st2.st_ino);
	CU_ASSERT(decrypts_to("oh2", "of"));
	CU_ASSERT(same("oh1", "oh2"));
	/* a failing run leaves the target as it was, and no temporary file:
	 * regular, hard-linked */
	CU_ASSERT(spit("bad.enc", "AKENC1 but not really a file", 28) == 0);
	CU_ASSERT(spit("keep", "precious", 8) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "keep", "bad.enc"), 1);
	CU_ASSERT(holds("keep", "precious", 8));
	CU_ASSERT(copy("oh.before", "oh1") == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-o", "oh1", "bad.enc"), 1);
	CU_ASSERT(same("oh1", "oh.before") && same("oh2", "oh.before"));
	CU_ASSERT(no_temp_left());
	/* a directory is an error */
	wpath(p, sizeof(p), "odir");
	CU_ASSERT(mkdir(p, 0755) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "odir", "of"), 1);
	CU_ASSERT(no_temp_left());
}

/* A FIFO: its reader gets the bytes, the FIFO stays. */
static void t_akenc_output_fifo(void)
{
	char p[PATH_MAX * 2];
	uint8_t *buf = malloc(1 << 16);
	struct stat st;
	ssize_t n, got = 0;
	int rd;

	CU_ASSERT_FATAL(buf != NULL);
	/* small enough for the pipe buffer: no reader process needed */
	CU_ASSERT_FATAL(gen("ff.in", 20000) == 0);
	wpath(p, sizeof(p), "ff");
	CU_ASSERT_FATAL(mkfifo(p, 0644) == 0);
	rd = open(p, O_RDONLY | O_NONBLOCK);
	CU_ASSERT_FATAL(rd >= 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "ff", "ff.in"), 0);
	CU_ASSERT(wlstat("ff", &st) == 0 && S_ISFIFO(st.st_mode));
	while ((n = read(rd, buf + got, (size_t)((1 << 16) - got))) > 0)
		got += n;
	close(rd);
	CU_ASSERT(got == 24 + 20000 + 16);
	CU_ASSERT(spit("ff.got", buf, (size_t)(got > 0 ? got : 0)) == 0);
	CU_ASSERT(decrypts_to("ff.got", "ff.in"));
	free(buf);
	CU_ASSERT(no_temp_left());
}

/* A character device (a private node with /dev/null's numbers: the test
 * must not risk /dev/null itself) and a symbolic link to it. Needs root
 * (mknod): fails otherwise, never passes untested. */
static void t_akenc_output_device(void)
{
	char p[PATH_MAX * 2];
	struct stat st;

	CU_ASSERT_FATAL(gen("cd.in", 5000) == 0);
	wpath(p, sizeof(p), "cnull");
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3))) {
		/* Not a pass: this case is then simply not tested. */
		fprintf(stderr, "\n  mknod: %s: the device case needs root\n",
			strerror(errno));
		CU_FAIL("cannot create a device node (run as root)");
		return;
	}
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "cnull", "cd.in"), 0);
	CU_ASSERT(wlstat("cnull", &st) == 0 && S_ISCHR(st.st_mode) &&
		  st.st_rdev == makedev(1, 3));
	wpath(p, sizeof(p), "cnull.link");
	CU_ASSERT(symlink("cnull", p) == 0);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-d", "-K", KEYHEX,
			    "-m", "gcm", "-o", "cnull.link", "/dev/null"), 1);
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-K", KEYHEX, "-o",
			    "cnull.link", "cd.in"), 0);
	CU_ASSERT(wlstat("cnull.link", &st) == 0 && S_ISLNK(st.st_mode));
	CU_ASSERT(wlstat("cnull", &st) == 0 && S_ISCHR(st.st_mode));
	/* CTR as well (the other writer) */
	CU_ASSERT_EQUAL(RUN(NULL, NULL, NULL, "akenc", "-m", "ctr", "-K",
			    KEYHEX, "-iv", IVHEX, "-o", "cnull", "cd.in"), 0);
	CU_ASSERT(wlstat("cnull", &st) == 0 && S_ISCHR(st.st_mode));
	CU_ASSERT(no_temp_left());
}

static const struct ak_test akenc_tests[] = {
	{ "akenc GCM round trip", t_akenc_gcm },
	{ "akenc GCM tampering", t_akenc_gcm_tamper },
	{ "akenc CTR == openssl", t_akenc_ctr },
	{ "akenc hex key file with a newline (openssl rand -hex)", t_akenc_keyfile },
	{ "akenc -o regular files: mode, owner, links kept", t_akenc_output_files },
	{ "akenc -o FIFO: written, not replaced", t_akenc_output_fifo },
	{ "akenc -o character device: written, not replaced", t_akenc_output_device },
	{ NULL, NULL }
};

int add_akenc_suite(void)
{
	return ak_add_suite("tools: akenc (== openssl enc)", tools_init,
			    tools_clean, akenc_tests);
}
