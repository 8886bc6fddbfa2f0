// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akzip - a gzip-compatible compressor on libaccelkit's gzip sessions.
 *
 * Compression and decompression go through the streaming API
 * (ak_stream_*) in AKT_BUF (1 MiB) pieces, so memory stays bounded
 * whatever the input size. The device (or software zlib, same parameters)
 * writes zlib's default gzip header: 1f 8b 08 00, MTIME 0, XFL, OS 3 (no
 * name, no timestamp), then the deflate data and the CRC-32/ISIZE trailer.
 * Files written by akzip decompress with gzip and vice versa; several
 * concatenated members decompress to the concatenation of their contents.
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

#include "aktool.h"

/* gzip's exit codes */
#define EX_OK		0
#define EX_ERROR	1
#define EX_WARNING	2

/* gzip header + trailer bytes per member (zlib's default header) */
#define GZ_OVERHEAD	18

static struct {
	bool to_stdout, decompress, keep, force, test, verbose, quiet;
	int level;
} opt = { .level = AK_LEVEL_DEFAULT };

static int exit_code = EX_OK;
static struct ak_session *sess;
static uint8_t *inbuf;

/* Output file being written, removed if we are killed. */
static char *volatile cur_out;

static void set_error(void)
{
	exit_code = EX_ERROR;
}

static void set_warning(void)
{
	if (exit_code == EX_OK)
		exit_code = EX_WARNING;
}

/* A warning: printed unless -q, exit status 2 unless already 1. */
static void warn_msg(const char *fmt, const char *name)
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
"usage: akzip [-cdfhkqtvV19] [FILE]...\n"
"Compress or decompress FILEs in gzip format (in place by default) with the\n"
"accelkit gzip engine: the device when available, else software zlib.\n"
"\n"
"  -c, --stdout      write on standard output, keep the input files\n"
"  -d, --decompress  decompress (FILE.gz -> FILE; .tgz -> .tar)\n"
"  -f, --force       overwrite existing output files, compress .gz files,\n"
"                    follow symbolic links, read/write a terminal\n"
"  -k, --keep        keep (do not delete) the input files\n"
"  -t, --test        test the integrity of compressed files\n"
"  -q, --quiet       suppress warnings\n"
"  -v, --verbose     print each file's name, ratio and the path used\n"
"                    (\"device\" or \"software\")\n"
"  -1 .. -9          compression level: -1 (--fast) fastest, -9 (--best)\n"
"                    smallest; default -6\n"
"  -n, -N            accepted for gzip compatibility (no name is stored)\n"
"  -V, --version     print the version\n"
"  -h, --help        this help\n"
"\n"
"With no FILE, or when FILE is -, read standard input and write standard\n"
"output. Several FILEs are processed in turn; with -c their outputs are\n"
"concatenated (multi-member gzip). Compressed output carries zlib's default\n"
"gzip header (no name, MTIME 0, OS Unix); decompression accepts any number\n"
"of concatenated gzip members and names the output after the input minus\n"
"its .gz suffix (the stored name, if any, is not restored). Output files get\n"
"the input's mode and timestamps. Files that already have the .gz suffix\n"
"are skipped with a warning when compressing (compressed to FILE.gz.gz with\n"
"-f); files without it are skipped when decompressing in place.\n"
"\n"
"Memory is bounded (1 MiB I/O buffers plus the library's stream buffers)\n"
"whatever the file size.\n"
"\n"
"Path selection: environment variable AK_PATH=device|software|auto\n"
"(default auto: the device if one offers \"gzip\", else software).\n"
"\n"
"Exit status: 0 success, 1 error, 2 warning (a file was skipped).\n");
}

struct sink {
	int fd;			/* -1: discard (-t) */
	int err;		/* errno of a failed write */
};

static int sink_write(void *arg, const void *buf, size_t len)
{
	struct sink *k = arg;

	if (k->fd < 0)
		return 0;
	if (akt_write_full(k->fd, buf, len)) {
		k->err = errno;
		return -errno;
	}
	return 0;
}

static int open_session(void)
{
	if (sess)
		return 0;
	if (akt_session_open(AK_ALG_GZIP, &sess)) {
		exit(EX_ERROR);
	}
	return 0;
}

/*
 * Run one stream from @in to @out_fd (-1 to discard). @name is used in
 * messages. On success fills @nin/@nout/@members and returns 0; on failure
 * prints the message and returns -1.
 */
static int run_stream(int in, int out_fd, const char *name, uint64_t *nin,
		      uint64_t *nout, uint32_t *members)
{
	struct sink k = { .fd = out_fd };
	struct ak_stream *st = NULL;
	struct ak_stream_info info;
	bool read_err = false;
	uint8_t head[2];
	size_t nhead = 0;
	int r;

	open_session();
	r = ak_stream_new(sess, opt.decompress ? AK_DECOMPRESS : AK_COMPRESS,
			  opt.level, sink_write, &k, &st);
	if (r) {
		akt_msg("%s: cannot start a stream: %s", name, akt_strerr(r));
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, inbuf, AKT_BUF);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			read_err = true;
			r = -errno;
			break;
		}
		if (n == 0) {
			r = ak_stream_finish(st);
			break;
		}
		/* The first two bytes tell "not in gzip format". */
		for (ssize_t i = 0; i < n && nhead < 2; i++)
			head[nhead++] = inbuf[i];
		r = ak_stream_feed(st, inbuf, (size_t)n);
		if (r)
			break;
	}
	memset(&info, 0, sizeof(info));
	ak_stream_info(st, &info);
	ak_stream_free(st);
	if (r == 0) {
		*nin = info.total_in;
		*nout = info.total_out;
		*members = info.members;
		return 0;
	}
	if (read_err)
		akt_msg("%s: read error: %s", name, strerror(-r));
	else if (k.err)
		akt_msg("%s: write error: %s", name, strerror(k.err));
	else if (r == -EBADMSG && opt.decompress) {
		if (info.err_offset >= info.total_in)
			akt_msg("%s: unexpected end of file", name);
		else if (info.members == 0 && nhead == 2 &&
			 (head[0] != 0x1f || head[1] != 0x8b))
			akt_msg("%s: not in gzip format", name);
		else
			akt_msg("%s: invalid compressed data--format violated "
				"(at byte %" PRIu64 ")", name, info.err_offset);
	} else {
		akt_msg("%s: %s failed: %s", name,
			opt.decompress ? "decompression" : "compression",
			akt_strerr(r));
	}
	return -1;
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

static void do_stdin(void)
{
	uint64_t nin, nout;
	uint32_t members;

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
	if (run_stream(STDIN_FILENO, opt.test ? -1 : STDOUT_FILENO, "stdin",
		       &nin, &nout, &members)) {
		set_error();
		return;
	}
	verbose_done("stdin", NULL, NULL, nin, nout, members);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return ls > lf && strcmp(s + ls - lf, suf) == 0;
}

/* Output name for @name, or NULL (skipped with a warning). */
static char *out_name(const char *name)
{
	const char *base = strrchr(name, '/');
	char *out;

	base = base ? base + 1 : name;
	if (!opt.decompress) {
		if ((has_suffix(base, ".gz") || has_suffix(base, ".tgz")) &&
		    !opt.force) {
			warn_msg("%s already has .gz suffix -- unchanged", name);
			return NULL;
		}
		if (asprintf(&out, "%s.gz", name) < 0)
			return NULL;
		return out;
	}
	if (has_suffix(base, ".gz")) {
		out = strndup(name, strlen(name) - 3);
	} else if (has_suffix(base, ".tgz")) {
		if (asprintf(&out, "%.*s.tar", (int)(strlen(name) - 4), name) < 0)
			return NULL;
	} else {
		warn_msg("%s: unknown suffix -- ignored", name);
		return NULL;
	}
	return out;
}

static void do_file(const char *name)
{
	bool in_place = !opt.to_stdout && !opt.test;
	int flags = O_RDONLY | O_CLOEXEC;
	uint64_t nin, nout;
	uint32_t members;
	char *outname = NULL;
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
			akt_msg("%s has %ju other link%s -- unchanged", name,
				(uintmax_t)st.st_nlink - 1,
				st.st_nlink > 2 ? "s" : "");
		set_warning();
		goto done;
	}
	if (!in_place) {
		if (run_stream(in, opt.test ? -1 : STDOUT_FILENO, name, &nin,
			       &nout, &members)) {
			set_error();
			goto done;
		}
		verbose_done(name, NULL, NULL, nin, nout, members);
		goto done;
	}

	outname = out_name(name);
	if (!outname)
		goto done;
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
	if (run_stream(in, out, name, &nin, &nout, &members))
		goto fail;
	/* gzip keeps the mode, owner (if allowed) and timestamps. */
	if (fchown(out, st.st_uid, st.st_gid))
		(void)!fchown(out, (uid_t)-1, st.st_gid);
	if (fchmod(out, st.st_mode & 07777))
		akt_msg("%s: cannot set the mode: %s", outname, strerror(errno));
	{
		struct timespec ts[2] = { st.st_atim, st.st_mtim };

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
		     nin, nout, members);
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
		case 'n': case 'N': break;
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

	inbuf = malloc(AKT_BUF);
	if (!inbuf) {
		akt_msg("out of memory");
		return EX_ERROR;
	}
	if (optind >= argc)
		do_stdin();
	for (int i = optind; i < argc; i++)
		do_file(argv[i]);
	ak_session_close(sess);
	free(inbuf);
	if (fflush(stdout)) {
		akt_msg("write error: %s", strerror(errno));
		exit_code = EX_ERROR;
	}
	return exit_code;
}
