// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akzip - a gzip-compatible compressor on libaccelkit's gzip sessions.
 *
 * Compression and decompression go through the streaming API
 * (ak_stream_*) in AKT_BUF (1 MiB) pieces, so memory stays bounded
 * whatever the input size. The device (or software zlib, same parameters)
 * writes zlib's default gzip header: 1f 8b 08 00, MTIME 0, XFL, OS 3;
 * akzip rewrites its FLG and MTIME fields and adds the file name as gzip
 * does (-N, the default when compressing; -n keeps zlib's header). The
 * deflate data and the CRC-32/ISIZE trailer are the engine's. Files
 * written by akzip decompress with gzip and vice versa; several
 * concatenated members decompress to the concatenation of their contents.
 * Data after the last member is handled as gzip 1.12 does: zero padding
 * is ignored (a warning only with -v), other data ends decompression with
 * the warning "trailing garbage ignored" (exit status 2), and with -f on
 * standard output it is copied through unchanged, like non-gzip input.
 *
 * This file: options, file names (suffixes, -N) and in-place handling;
 * akzip_stream.c: the library streams and what follows the last member;
 * akzip_gz.c: gzip header and suffix helpers, the member-end check.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "akzip.h"
#include "akzip_gz.h"

/* gzip header + trailer bytes per member (zlib's default header) */
#define GZ_OVERHEAD	18

struct akzip_opt opt = { .level = AK_LEVEL_DEFAULT, .name = -1 };
struct ak_session *sess;
uint8_t *inbuf[2];
static int exit_code = EX_OK;

/* Output file being written, removed if we are killed. */
static char *volatile cur_out;

void set_error(void)
{
	exit_code = EX_ERROR;
}

void set_warning(void)
{
	if (exit_code == EX_OK)
		exit_code = EX_WARNING;
}

void warn_msg(const char *fmt, const char *name)
{
	if (!opt.quiet) {
		fflush(stdout);
		fprintf(stderr, "%s: ", akt_prog);
		fprintf(stderr, fmt, name);
		fputc('\n', stderr);
	}
	set_warning();
}

static void on_signal(int sig)
{
	char *p = cur_out;

	if (p)
		unlink(p);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: akzip [-cdfhkNnqtvV19] [FILE]...\n"
"Compress or decompress FILEs in gzip format (in place by default) with the\n"
"accelkit gzip engine: the device when available, else software zlib.\n"
"\n"
"  -c, --stdout      write on standard output, keep the input files\n"
"  -d, --decompress  decompress (FILE.gz -> FILE; .tgz -> .tar)\n"
"  -f, --force       overwrite existing output files, compress .gz files,\n"
"                    follow symbolic links, read/write a terminal; with -c\n"
"                    or -t, pass data that is not gzip through unchanged\n"
"                    (as zcat -f)\n"
"  -k, --keep        keep (do not delete) the input files\n"
"  -N, --name        compress: store the file name and mtime (default);\n"
"                    decompress: name the output after the stored name and\n"
"                    give it the stored mtime\n"
"  -n, --no-name     compress: store no name and MTIME 0; decompress: the\n"
"                    input name minus its suffix, the input's mtime (default)\n"
"  -t, --test        test the integrity of compressed files\n"
"  -q, --quiet       suppress warnings\n"
"  -v, --verbose     print each file's name, ratio and the path used\n"
"                    (\"device\" or \"software\")\n"
"  -1 .. -9          compression level: -1 (--fast) fastest, -9 (--best)\n"
"                    smallest; default -6\n"
"  -V, --version     print the version\n"
"  -h, --help        this help\n"
"\n"
"With no FILE, or when FILE is -, read standard input and write standard\n"
"output. Several FILEs are processed in turn; with -c their outputs are\n"
"concatenated (multi-member gzip). The gzip header holds the file's name\n"
"and mtime as gzip writes it (standard input: no name; its mtime only if it\n"
"is a regular file); with -n, no name and MTIME 0. Decompression accepts\n"
"any number of concatenated gzip members and the suffixes .gz, -gz, .z, -z,\n"
"_z (any case; .tgz and .taz give .tar). Data after the last member is\n"
"handled as gzip 1.12 does: zero bytes (padded tarballs) are ignored (a\n"
"warning only with -v), anything else gives the warning \"decompression OK,\n"
"trailing garbage ignored\" (exit status 2, the output is kept); with -f\n"
"and -c it is copied to the output unchanged. Output files get the input's\n"
"mode, owner and timestamps. Files that already have a gzip suffix are\n"
"skipped with a message when compressing (exit status 0, as gzip;\n"
"compressed to FILE.gz.gz with -f); files without one are skipped with a\n"
"warning when decompressing in place. A file that fails is removed, and\n"
"none is created when no session can be opened (AK_PATH=device without a\n"
"device).\n"
"\n"
"Memory is bounded (2 MiB of I/O buffers plus the library's stream buffers)\n"
"whatever the file size.\n"
"\n"
"Path selection: environment variable AK_PATH=device|software|auto\n"
"(default auto: the device if one offers \"gzip\", else software).\n"
"\n"
"Exit status: 0 success, 1 error, 2 warning (a file was skipped, trailing\n"
"garbage ignored).\n");
}

/* gzip -v ratio: the share of the uncompressed size saved, counting the
 * compressed data without header and trailer as gzip does. */
static void print_ratio(uint64_t nin, uint64_t nout, uint32_t members)
{
	uint64_t plain = opt.decompress ? nout : nin;
	uint64_t comp = opt.decompress ? nin : nout;
	uint64_t over = (uint64_t)(members ? members : 1) * GZ_OVERHEAD;
	double r = 0.0;

	comp = comp > over ? comp - over : 0;
	if (plain)
		r = 100.0 * ((double)plain - (double)comp) / (double)plain;
	fprintf(stderr, "%5.1f%%", r);
}

static void verbose_done(const char *name, const char *what,
			 const char *outname, uint64_t nin, uint64_t nout,
			 uint32_t members)
{
	if (!opt.verbose)
		return;
	if (opt.test) {
		fprintf(stderr, "%s:\t OK (path: %s)\n", name,
			akt_path_name(sess));
		return;
	}
	fprintf(stderr, "%s:\t", name);
	print_ratio(nin, nout, members);
	if (what)
		fprintf(stderr, " -- %s %s", what, outname);
	fprintf(stderr, " (path: %s)\n", akt_path_name(sess));
}

/* The MTIME gzip stores for @st: its mtime if it fits, else 0. */
static uint32_t mtime32(const struct stat *st)
{
	if (st->st_mtime <= 0 || (uint64_t)st->st_mtime > UINT32_MAX)
		return 0;
	return (uint32_t)st->st_mtime;
}

static void do_stdin(void)
{
	struct input in = { .fd = STDIN_FILENO, .name = "stdin" };
	struct result res;
	uint32_t mt = 0;
	struct stat st;

	if (!opt.force && !opt.test) {
		if (opt.decompress && isatty(STDIN_FILENO)) {
			akt_msg("compressed data not read from a terminal. "
				"Use -f to force decompression.");
			set_error();
			return;
		}
		if (!opt.decompress && isatty(STDOUT_FILENO)) {
			akt_msg("compressed data not written to a terminal. "
				"Use -f to force compression.");
			set_error();
			return;
		}
	}
	/* gzip stores no name for standard input, and its mtime only if it
	 * is a regular file. */
	if (opt.name != 0 && fstat(STDIN_FILENO, &st) == 0 &&
	    S_ISREG(st.st_mode))
		mt = mtime32(&st);
	if (in_next(&in) < 0) {
		akt_msg("stdin: read error: %s", strerror(errno));
		set_error();
		return;
	}
	if (run_stream(&in, opt.test ? -1 : STDOUT_FILENO, NULL, mt, &res)) {
		set_error();
		return;
	}
	verbose_done("stdin", NULL, NULL, res.nin, res.nout, res.members);
}

/* Output name for @name, or NULL (skipped with a warning). */
static char *out_name(const char *name)
{
	const char *base = strrchr(name, '/');
	const char *suf;
	char *out;

	base = base ? base + 1 : name;
	suf = gz_suffix(base);
	if (!opt.decompress) {
		/* gzip 1.12 skips it with a message but exit status 0. */
		if (suf && !opt.force) {
			if (!opt.quiet)
				akt_msg("%s already has %s suffix -- unchanged",
					name, suf);
			return NULL;
		}
		if (asprintf(&out, "%s.gz", name) < 0)
			return NULL;
		return out;
	}
	if (!suf) {
		/* A warning, but (as gzip) none at all with -q. */
		if (!opt.quiet)
			warn_msg("%s: unknown suffix -- ignored", name);
		return NULL;
	}
	return gz_strip_suffix(name, suf);
}

/* -N: the output named after the name stored in the header (its last
 * component only), in the input's directory; NULL if none is stored. */
static char *stored_out_name(const char *name, const struct input *in,
			     uint32_t *mtime)
{
	char *stored, *out = NULL;
	const char *b, *slash = strrchr(name, '/');

	if (!gz_header_info(inbuf[in->cur], in->len[in->cur], &stored, mtime))
		return NULL;
	if (!stored)
		return NULL;
	b = strrchr(stored, '/');
	b = b ? b + 1 : stored;
	if (*b && strcmp(b, ".") && strcmp(b, "..") &&
	    asprintf(&out, "%.*s%s", slash ? (int)(slash - name + 1) : 0,
		     name, b) < 0)
		out = NULL;
	free(stored);
	return out;
}

static void do_file(const char *name)
{
	bool in_place = !opt.to_stdout && !opt.test;
	int flags = O_RDONLY | O_CLOEXEC;
	struct input inp = { .name = name };
	const char *hname = NULL;
	uint32_t hmtime = 0, smtime = 0;
	char *outname = NULL;
	struct result res;
	struct stat st;
	int in, out = -1;

	if (strcmp(name, "-") == 0) {
		do_stdin();
		return;
	}
	if (in_place && !opt.force)
		flags |= O_NOFOLLOW;
	in = open(name, flags | O_NONBLOCK);
	if (in < 0) {
		akt_msg("%s: %s", name, strerror(errno));
		set_error();
		return;
	}
	inp.fd = in;
	if (fstat(in, &st)) {
		akt_msg("%s: %s", name, strerror(errno));
		set_error();
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		warn_msg("%s is a directory -- ignored", name);
		goto done;
	}
	if (!S_ISREG(st.st_mode) && in_place) {
		warn_msg("%s is not a directory or a regular file - ignored",
			 name);
		goto done;
	}
	/* Blocking reads from here on (FIFOs with -c). */
	fcntl(in, F_SETFL, fcntl(in, F_GETFL) & ~O_NONBLOCK);
	if (in_place && st.st_nlink > 1 && !opt.force) {
		if (!opt.quiet)
			akt_msg("%s has %ju other link%s -- file ignored", name,
				(uintmax_t)st.st_nlink - 1,
				st.st_nlink > 2 ? "s" : "");
		set_warning();
		goto done;
	}
	if (in_place) {
		outname = out_name(name);
		if (!outname)
			goto done;
	}
	if (in_next(&inp) < 0) {
		akt_msg("%s: read error: %s", name, strerror(errno));
		set_error();
		goto done;
	}
	/* gzip stores the input's name (last component) and mtime. */
	if (!opt.decompress && opt.name != 0) {
		const char *b = strrchr(name, '/');

		hname = b ? b + 1 : name;
		hmtime = mtime32(&st);
	}
	if (!in_place) {
		if (run_stream(&inp, opt.test ? -1 : STDOUT_FILENO, hname,
			       hmtime, &res)) {
			set_error();
			goto done;
		}
		verbose_done(name, NULL, NULL, res.nin, res.nout, res.members);
		goto done;
	}
	if (opt.decompress && opt.name == 1) {
		char *sn = stored_out_name(name, &inp, &smtime);

		if (sn) {
			free(outname);
			outname = sn;
		}
	}

	out = open(outname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0 && errno == EEXIST) {
		if (!opt.force) {
			if (!opt.quiet)
				akt_msg("%s already exists; not overwritten",
					outname);
			set_warning();
			goto done;
		}
		if (unlink(outname) && errno != ENOENT) {
			akt_msg("%s: %s", outname, strerror(errno));
			set_error();
			goto done;
		}
		out = open(outname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			   0600);
	}
	if (out < 0) {
		akt_msg("%s: %s", outname, strerror(errno));
		set_error();
		goto done;
	}
	cur_out = outname;
	if (run_stream(&inp, out, hname, hmtime, &res))
		goto fail;
	/* gzip keeps the mode, owner (if allowed) and timestamps. */
	if (fchown(out, st.st_uid, st.st_gid))
		(void)!fchown(out, (uid_t)-1, st.st_gid);
	if (fchmod(out, st.st_mode & 07777))
		akt_msg("%s: cannot set the mode: %s", outname, strerror(errno));
	{
		struct timespec ts[2] = { st.st_atim, st.st_mtim };

		/* -N: the timestamp stored in the header, if any. */
		if (smtime) {
			ts[1].tv_sec = (time_t)smtime;
			ts[1].tv_nsec = 0;
		}
		futimens(out, ts);
	}
	if (close(out)) {
		out = -1;
		akt_msg("%s: write error: %s", outname, strerror(errno));
		goto fail;
	}
	out = -1;
	cur_out = NULL;
	if (!opt.keep && unlink(name)) {
		akt_msg("%s: cannot remove: %s", name, strerror(errno));
		set_warning();
	}
	verbose_done(name, opt.keep ? "created" : "replaced with", outname,
		     res.nin, res.nout, res.members);
	goto done;
fail:
	set_error();
	if (out >= 0)
		close(out);
	out = -1;
	unlink(outname);
	cur_out = NULL;
done:
	if (out >= 0)
		close(out);
	close(in);
	free(outname);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "stdout", no_argument, NULL, 'c' },
		{ "to-stdout", no_argument, NULL, 'c' },
		{ "decompress", no_argument, NULL, 'd' },
		{ "uncompress", no_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "keep", no_argument, NULL, 'k' },
		{ "test", no_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "fast", no_argument, NULL, '1' },
		{ "best", no_argument, NULL, '9' },
		{ "name", no_argument, NULL, 'N' },
		{ "no-name", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sigaction sa;
	int c;

	akt_set_prog(argv[0]);
	while ((c = getopt_long(argc, argv, "cdfktqvnNVh123456789", lopts,
				NULL)) != -1) {
		switch (c) {
		case 'c': opt.to_stdout = true; break;
		case 'd': opt.decompress = true; break;
		case 'f': opt.force = true; break;
		case 'k': opt.keep = true; break;
		case 't': opt.test = true; break;
		case 'q': opt.quiet = true; opt.verbose = false; break;
		case 'v': opt.verbose = true; opt.quiet = false; break;
		case 'n': opt.name = 0; break;
		case 'N': opt.name = 1; break;
		case 'V':
			printf("akzip (accelkit) %d.%d\n", AK_VERSION_MAJOR,
			       AK_VERSION_MINOR);
			return EX_OK;
		case 'h':
			usage(stdout);
			return EX_OK;
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
			opt.level = c - '0';
			break;
		default:
			usage(stderr);
			return EX_ERROR;
		}
	}
	if (opt.test)
		opt.decompress = true;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	inbuf[0] = malloc(AKT_BUF);
	inbuf[1] = malloc(AKT_BUF);
	if (!inbuf[0] || !inbuf[1]) {
		akt_msg("out of memory");
		return EX_ERROR;
	}
	/* Before any output file exists: a missing device (AK_PATH=device)
	 * leaves nothing behind. */
	open_session();
	if (optind >= argc)
		do_stdin();
	for (int i = optind; i < argc; i++)
		do_file(argv[i]);
	ak_session_close(sess);
	free(inbuf[0]);
	free(inbuf[1]);
	if (fflush(stdout)) {
		akt_msg("write error: %s", strerror(errno));
		exit_code = EX_ERROR;
	}
	return exit_code;
}
