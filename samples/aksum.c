// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * aksum - sha256sum/sha512sum-compatible digests on libaccelkit's SHA
 * sessions (the device when available, else software).
 *
 * Output and -c checking follow GNU coreutils 9: "<hex>  <file>" (text mode
 * marker ' ', binary '*'), "-" for standard input. A name containing '\\',
 * a newline or a carriage return is printed escaped ("\\\\", "\\n", "\\r")
 * with a '\\' at the start of the line; -z ends lines with NUL instead and
 * escapes nothing. The -c report ("<file>: OK") escapes a name only when it
 * contains a newline (coreutils does the same, so that a name never spans
 * two report lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aktool.h"

static struct {
	bool binary, check, quiet, status, warn, strict, tag, verbose;
	bool zero, ignore_missing;
	int bits;
} opt = { .bits = 256 };

static struct ak_session *sess;
static struct ak_digest *dig;
static uint8_t *buf;

static void usage(FILE *f)
{
	fprintf(f,
"usage: aksum [OPTION]... [FILE]...\n"
"       aksum512 [OPTION]... [FILE]...   (same as aksum -a 512)\n"
"Print or check SHA-256 (default) or SHA-512 checksums, computed by the\n"
"accelkit hash engine (the device when available, else software).\n"
"With no FILE, or when FILE is -, read standard input.\n"
"\n"
"  -a, --algorithm 256|512  SHA-256 (default) or SHA-512\n"
"      --sha256, --sha512   the same\n"
"  -b, --binary             mark files as read in binary mode ('*')\n"
"  -t, --text               mark files as read in text mode (' ', default)\n"
"      --tag                BSD-style output: SHA256 (FILE) = HEX\n"
"  -z, --zero               end each output line with NUL, not newline, and\n"
"                           do not escape file names\n"
"  -c, --check              read checksums from the FILEs and check them\n"
"  -v, --verbose            print the path used (\"device\" or \"software\")\n"
"                           on standard error\n"
"  -h, --help               this help\n"
"      --version            print the version\n"
"\n"
"Options useful only with --check:\n"
"      --ignore-missing     do not fail or report status for missing files\n"
"      --quiet              do not print OK for each verified file\n"
"      --status             print nothing; the exit status tells\n"
"  -w, --warn               warn about improperly formatted lines\n"
"      --strict             exit non-zero for improperly formatted lines\n"
"\n"
"Output lines are \"<hex>  <file>\" exactly as sha256sum/sha512sum print\n"
"them: a name with a backslash, newline or carriage return is escaped (\\\\,\n"
"\\n, \\r) and the line starts with a backslash (not with -z). When invoked under a name containing \"512\" (e.g. the aksum512\n"
"symbolic link) SHA-512 is the default.\n"
"\n"
"Path selection: environment variable AK_PATH=device|software|auto.\n"
"\n"
"Exit status: 0 success; 1 if a file could not be read, or with --check if\n"
"a checksum did not match, a listed file could not be read (missing ones\n"
"do not count with --ignore-missing), no properly formatted line was\n"
"found, no listed file was verified, or (--strict) a line was malformed.\n");
}

static size_t dlen(void)
{
	return opt.bits == 512 ? AK_SHA512_LEN : AK_SHA256_LEN;
}

static const char *tagname(void)
{
	return opt.bits == 512 ? "SHA512" : "SHA256";
}

/*
 * Digest of @name ("-": stdin) into @out; 0, or -1 with a message. With
 * @missing non-NULL, a file that does not exist (ENOENT) sets *@missing and
 * returns -1 without a message (--ignore-missing).
 */
static int hash_file(const char *name, uint8_t *out, bool *missing)
{
	bool is_stdin = strcmp(name, "-") == 0;
	size_t olen = AK_DIGEST_MAX;
	int fd, r = 0;

	fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (missing && errno == ENOENT) {
			*missing = true;
			return -1;
		}
		akt_msg("%s: %s", name, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, AKT_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			akt_msg("%s: %s", name, strerror(errno));
			r = -1;
			break;
		}
		if (n == 0)
			break;
		r = ak_digest_update(dig, buf, (size_t)n);
		if (r) {
			akt_msg("%s: %s", name, akt_strerr(r));
			r = -1;
			break;
		}
	}
	if (!is_stdin)
		close(fd);
	if (r) {
		/* Drop the partial message: final() restarts the digest. */
		ak_digest_final(dig, out, &olen);
		return -1;
	}
	r = ak_digest_final(dig, out, &olen);
	if (r) {
		akt_msg("%s: %s", name, akt_strerr(r));
		return -1;
	}
	return 0;
}

/* Names printed in sums lines are escaped if they hold any of these. */
static bool needs_escape(const char *s)
{
	return !opt.zero && s[strcspn(s, "\\\n\r")];
}

static void put_name(const char *s, bool esc)
{
	for (; *s; s++) {
		if (esc && *s == '\\')
			fputs("\\\\", stdout);
		else if (esc && *s == '\n')
			fputs("\\n", stdout);
		else if (esc && *s == '\r')
			fputs("\\r", stdout);
		else
			putchar(*s);
	}
}

/* "<name>: <what>" line of the -c report; escaped only for a newline. */
static void put_report(const char *name, const char *what)
{
	bool esc = strchr(name, '\n') != NULL;

	if (esc)
		putchar('\\');
	put_name(name, esc);
	printf(": %s\n", what);
}

static int print_sum(const char *name)
{
	uint8_t d[AK_DIGEST_MAX];
	char hex[2 * AK_DIGEST_MAX + 1];
	bool esc = needs_escape(name);

	if (hash_file(name, d, NULL))
		return 1;
	akt_hex_encode(d, dlen(), hex);
	if (esc)
		putchar('\\');
	if (opt.tag) {
		printf("%s (", tagname());
		put_name(name, esc);
		printf(") = %s", hex);
	} else {
		printf("%s %c", hex, opt.binary ? '*' : ' ');
		put_name(name, esc);
	}
	putchar(opt.zero ? '\0' : '\n');
	return 0;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* Undo the escaping in place; false if an escape is invalid. */
static bool unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		s++;
		if (*s == '\\')
			*w++ = '\\';
		else if (*s == 'n')
			*w++ = '\n';
		else if (*s == 'r')
			*w++ = '\r';
		else
			return false;
	}
	*w = '\0';
	return true;
}

/*
 * Parse one checksum line: GNU "<hex> <' '|'*'><name>" or BSD
 * "SHA256 (<name>) = <hex>". Sets @hex and @name pointing into @line.
 */
static bool parse_line(char *line, char **hex, char **name)
{
	size_t hl = 2 * dlen(), tl = strlen(tagname());
	bool esc = false;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\\') {
		esc = true;
		line++;
	}
	if (strncmp(line, tagname(), tl) == 0 && line[tl] == ' ' &&
	    line[tl + 1] == '(') {
		char *n = line + tl + 2;
		char *e = strrchr(n, ')');

		if (!e || strncmp(e, ") = ", 4) || strlen(e + 4) != hl ||
		    !is_hex(e + 4, hl) || e == n)
			return false;
		*e = '\0';
		*hex = e + 4;
		*name = n;
	} else {
		if (strlen(line) < hl + 3 || !is_hex(line, hl) ||
		    line[hl] != ' ' || (line[hl + 1] != ' ' && line[hl + 1] != '*'))
			return false;
		line[hl] = '\0';
		*hex = line;
		*name = line + hl + 2;
	}
	if (!**name)
		return false;
	return !esc || unescape(*name);
}

static int check_file(const char *list)
{
	unsigned long lineno = 0, bad_fmt = 0, bad_sum = 0, unread = 0;
	unsigned long good = 0, matched = 0;
	bool is_stdin = strcmp(list, "-") == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int rc = 0;

	f = is_stdin ? stdin : fopen(list, "r");
	if (!f) {
		akt_msg("%s: %s", list, strerror(errno));
		return 1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		uint8_t want[AK_DIGEST_MAX], got[AK_DIGEST_MAX];
		char *hex, *name;
		bool missing;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		if ((size_t)len != strlen(line) || !parse_line(line, &hex, &name) ||
		    akt_hex_decode(hex, want, dlen())) {
			bad_fmt++;
			if (opt.warn)
				akt_msg("%s: %lu: improperly formatted %s checksum line",
					list, lineno, tagname());
			continue;
		}
		good++;
		missing = false;
		if (hash_file(name, got, opt.ignore_missing ? &missing : NULL)) {
			if (missing)
				continue;	/* --ignore-missing */
			unread++;
			if (!opt.status)
				put_report(name, "FAILED open or read");
			continue;
		}
		if (memcmp(want, got, dlen())) {
			bad_sum++;
			if (!opt.status)
				put_report(name, "FAILED");
		} else {
			matched++;
			if (!opt.status && !opt.quiet)
				put_report(name, "OK");
		}
	}
	if (ferror(f)) {
		akt_msg("%s: read error", list);
		rc = 1;
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	if (!good) {
		akt_msg("%s: no properly formatted %s checksum lines found",
			list, tagname());
		return 1;
	}
	if (!opt.status) {
		if (bad_fmt)
			akt_msg("WARNING: %lu line%s improperly formatted",
				bad_fmt, bad_fmt == 1 ? " is" : "s are");
		if (unread)
			akt_msg("WARNING: %lu listed file%s not be read", unread,
				unread == 1 ? " could" : "s could");
		if (bad_sum)
			akt_msg("WARNING: %lu computed checksum%s NOT match",
				bad_sum, bad_sum == 1 ? " did" : "s did");
		if (opt.ignore_missing && !matched)
			akt_msg("%s: no file was verified", list);
	}
	/* As coreutils: at least one listed file must have matched. */
	if (bad_sum || unread || !matched || (opt.strict && bad_fmt))
		rc = 1;
	return rc;
}

enum { O_SHA256 = 256, O_SHA512, O_TAG, O_QUIET, O_STATUS, O_STRICT, O_VERSION,
       O_IGNORE_MISSING };

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "algorithm", required_argument, NULL, 'a' },
		{ "sha256", no_argument, NULL, O_SHA256 },
		{ "sha512", no_argument, NULL, O_SHA512 },
		{ "binary", no_argument, NULL, 'b' },
		{ "text", no_argument, NULL, 't' },
		{ "check", no_argument, NULL, 'c' },
		{ "tag", no_argument, NULL, O_TAG },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "status", no_argument, NULL, O_STATUS },
		{ "warn", no_argument, NULL, 'w' },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "ignore-missing", no_argument, NULL, O_IGNORE_MISSING },
		{ "zero", no_argument, NULL, 'z' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ 0 }
	};
	int c, r, rc = 0;

	akt_set_prog(argv[0]);
	if (strstr(akt_prog, "512"))
		opt.bits = 512;
	while ((c = getopt_long(argc, argv, "a:btcwvzh", lopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (strcmp(optarg, "256") == 0 ||
			    strcasecmp(optarg, "sha256") == 0)
				opt.bits = 256;
			else if (strcmp(optarg, "512") == 0 ||
				 strcasecmp(optarg, "sha512") == 0)
				opt.bits = 512;
			else {
				akt_msg("unknown algorithm \"%s\" (256 or 512)",
					optarg);
				return 1;
			}
			break;
		case O_SHA256: opt.bits = 256; break;
		case O_SHA512: opt.bits = 512; break;
		case 'b': opt.binary = true; break;
		case 't': opt.binary = false; break;
		case 'c': opt.check = true; break;
		case O_TAG: opt.tag = true; break;
		case O_QUIET: opt.quiet = true; break;
		case O_STATUS: opt.status = true; break;
		case 'w': opt.warn = true; break;
		case O_STRICT: opt.strict = true; break;
		case O_IGNORE_MISSING: opt.ignore_missing = true; break;
		case 'z': opt.zero = true; break;
		case 'v': opt.verbose = true; break;
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("aksum (accelkit) %d.%d\n", AK_VERSION_MAJOR,
			       AK_VERSION_MINOR);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (opt.tag && opt.check) {
		akt_msg("the --tag option is meaningless when verifying checksums");
		return 1;
	}
	if (opt.zero && opt.check) {
		akt_msg("the --zero option is not supported when verifying "
			"checksums");
		return 1;
	}
	if (!opt.check && (opt.quiet || opt.status || opt.warn || opt.strict ||
			   opt.ignore_missing)) {
		akt_msg("--quiet, --status, --warn, --strict and --ignore-missing "
			"are meaningful only when verifying checksums");
		return 1;
	}
	buf = malloc(AKT_BUF);
	if (!buf) {
		akt_msg("out of memory");
		return 1;
	}
	if (akt_session_open(opt.bits == 512 ? AK_ALG_SHA512 : AK_ALG_SHA256,
			     &sess)) {
		free(buf);
		return 1;
	}
	if (opt.verbose)
		akt_msg("SHA-%d on the %s path", opt.bits, akt_path_name(sess));
	r = ak_digest_new(sess, &dig);
	if (r) {
		akt_msg("cannot start a digest: %s", akt_strerr(r));
		ak_session_close(sess);
		free(buf);
		return 1;
	}
	if (optind >= argc)
		rc |= opt.check ? check_file("-") : print_sum("-");
	for (int i = optind; i < argc; i++)
		rc |= opt.check ? check_file(argv[i]) : print_sum(argv[i]);
	ak_digest_free(dig);
	ak_session_close(sess);
	free(buf);
	if (fflush(stdout)) {
		akt_msg("write error: %s", strerror(errno));
		rc = 1;
	}
	return rc;
}
