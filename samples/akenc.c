// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akenc - encrypt/decrypt files with AES-256-GCM (chunked, authenticated
 * file format "AKENC1") or raw AES-256-CTR (openssl enc compatible), on
 * libaccelkit's cipher sessions (the device when available, else software).
 *
 * AKENC1 format (all integers big-endian):
 *   header, 24 bytes:
 *     0   6  magic "AKENC1"
 *     6   1  algorithm: 1 = AES-256-GCM
 *     7   1  reserved, 0
 *     8   4  chunk size C: plaintext bytes per chunk, 1 KiB .. 16 MiB
 *    12  12  IV: random (getrandom) per file
 *   then chunks i = 0, 1, ...: ciphertext (C bytes, the last chunk 0..C
 *   bytes) followed by its 16-byte GCM tag. There is always a last chunk
 *   (an empty input gives one empty chunk).
 *   nonce(i) = IV with bytes 4..11 XORed with i (64-bit big-endian)
 *   AAD(i)   = the 24 header bytes || i (8 bytes) || last (1 byte: 1 for
 *              the final chunk, else 0)
 * The header is authenticated by every chunk; a chunk moved, dropped,
 * duplicated or a file truncated at a chunk boundary fails authentication
 * (the index or the last flag differs), as does any data after the last
 * chunk.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aktool.h"

#define MAGIC		"AKENC1"
#define HDR_LEN		24
#define ALG_GCM256	1
#define KEY_LEN		32
#define TAG_LEN		AK_GCM_TAG_LEN
#define CHUNK_MIN	1024u
#define CHUNK_MAX	(16u << 20)
#define CHUNK_DEF	(1u << 20)

static struct {
	bool decrypt, verbose, ctr;
	const char *keyfile, *keyhex, *ivhex, *output, *input;
	uint32_t chunk;
} opt = { .chunk = CHUNK_DEF };

static uint8_t key[KEY_LEN];
static struct ak_session *sess;
static char *volatile tmp_out;	/* removed if we are killed */

static void usage(FILE *f)
{
	fprintf(f,
"usage: akenc [-d] (-k KEYFILE | -K HEX) [-s CHUNK] [-o OUTPUT] [INPUT]\n"
"       akenc -m ctr [-d] (-k KEYFILE | -K HEX) -iv HEX [-o OUTPUT] [INPUT]\n"
"Encrypt (default) or decrypt with AES-256 on the accelkit cipher engine\n"
"(the device when available, else software).\n"
"\n"
"  -e, --encrypt         encrypt (default)\n"
"  -d, --decrypt         decrypt\n"
"  -m, --mode gcm|ctr    gcm (default): authenticated AKENC1 file format;\n"
"                        ctr: raw AES-256-CTR, no header, no authentication\n"
"  -k, --key-file FILE   key: 32 raw bytes, or 64 hex digits with white\n"
"                        space around them ignored (a trailing newline as\n"
"                        `openssl rand -hex 32 > FILE` writes, or CRLF)\n"
"  -K, --key HEX         key as 64 hex digits\n"
"  -iv, --iv HEX         ctr: initial 16-byte counter block, 32 hex digits\n"
"  -s, --chunk-size N    gcm encrypt: plaintext bytes per chunk, 1024 ..\n"
"                        16777216, suffix K or M allowed (default 1M)\n"
"  -o, --output FILE     write FILE (default standard output; see below)\n"
"  -v, --verbose         print the path used (\"device\" or \"software\")\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"INPUT defaults to standard input (also \"-\").\n"
"\n"
"GCM file format AKENC1 (integers big-endian):\n"
"  header (24 bytes): \"AKENC1\" | alg 1 (=AES-256-GCM) | 0 |\n"
"                     chunk size C (4 bytes) | IV (12 bytes, random per file)\n"
"  chunks i = 0, 1, ...: ciphertext (C bytes; the last one 0..C bytes)\n"
"                     followed by its 16-byte tag; there is always a last\n"
"                     chunk (empty input: one empty chunk)\n"
"  nonce(i) = IV with bytes 4..11 XORed with i (8 bytes)\n"
"  AAD(i)   = header (24 bytes) | i (8 bytes) | last (1 byte, 1 = final)\n"
"Changed, reordered, dropped or appended data or a truncated file fail\n"
"authentication: akenc -d then exits 1. On standard output, chunks are\n"
"written as they are verified; if standard output is a regular file it is\n"
"truncated back on failure.\n"
"\n"
"-o FILE, as openssl enc -out users expect, keeps what FILE already is:\n"
"  a new file or a regular file: written to a temporary file in the same\n"
"    directory and renamed over FILE on success, so a failure leaves FILE\n"
"    as it was (a new file gets mode 0600; an existing one keeps its mode\n"
"    and, where permitted, owner and group);\n"
"  a regular file with several hard links: the same temporary file, then\n"
"    copied into FILE in place, so every link sees the result;\n"
"  a symbolic link: followed; the file it points to is the target, and\n"
"    the link stays;\n"
"  a device (/dev/null), FIFO or socket: written in place, never replaced\n"
"    (on failure what was written stays written, as on standard output).\n"
"\n"
"CTR mode equals `openssl enc -aes-256-ctr -K HEX -iv HEX` (both ways;\n"
"encryption and decryption are the same operation).\n"
"\n"
"Path selection: environment variable AK_PATH=device|software|auto.\n"
"Exit status: 0 success, 1 any error (including authentication failure).\n");
}

static int load_key(void)
{
	char txt[160], *p, *e;
	bool bad;
	ssize_t n;
	int fd;

	if (opt.keyhex) {
		if (akt_hex_decode(opt.keyhex, key, KEY_LEN)) {
			akt_msg("-K: the key must be 64 hex digits");
			return -1;
		}
		return 0;
	}
	fd = open(opt.keyfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		akt_msg("%s: %s", opt.keyfile, strerror(errno));
		return -1;
	}
	n = akt_read_full(fd, txt, sizeof(txt) - 1);
	close(fd);
	if (n < 0) {
		akt_msg("%s: %s", opt.keyfile, strerror(errno));
		return -1;
	}
	if (n == KEY_LEN) {
		memcpy(key, txt, KEY_LEN);
		explicit_bzero(txt, sizeof(txt));
		return 0;
	}
	/* Hex: 64 digits, with white space (a trailing newline as `openssl
	 * rand -hex 32 > FILE` writes, CRLF, blanks) around them. A NUL byte
	 * anywhere is not text: check before the trimming below adds one. */
	bad = memchr(txt, '\0', (size_t)n) != NULL;
	txt[n] = '\0';
	for (p = txt; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		;
	for (e = p + strlen(p); e > p && strchr(" \t\r\n", e[-1]); e--)
		;
	*e = '\0';
	if (bad || akt_hex_decode(p, key, KEY_LEN)) {
		size_t digits = strspn(p, "0123456789abcdefABCDEF");
		bool junk = bad || p[digits] != '\0' || n == sizeof(txt) - 1;

		explicit_bzero(txt, sizeof(txt));
		if (junk)
			akt_msg("%s: not a key file: it must hold 32 raw bytes, "
				"or 64 hex digits with optional white space "
				"around them (it has %zd bytes that are neither)",
				opt.keyfile, n);
		else
			akt_msg("%s: the key must be 64 hex digits (the file "
				"has %zu)", opt.keyfile, digits);
		return -1;
	}
	explicit_bzero(txt, sizeof(txt));
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* nonce(i) and AAD(i) of the AKENC1 format. */
static void chunk_params(const uint8_t *hdr, uint64_t i, bool last,
			 uint8_t nonce[AK_GCM_NONCE_LEN], uint8_t aad[HDR_LEN + 9])
{
	memcpy(nonce, hdr + 12, AK_GCM_NONCE_LEN);
	for (int b = 0; b < 8; b++)
		nonce[4 + b] ^= (uint8_t)(i >> (56 - 8 * b));
	memcpy(aad, hdr, HDR_LEN);
	for (int b = 0; b < 8; b++)
		aad[HDR_LEN + b] = (uint8_t)(i >> (56 - 8 * b));
	aad[HDR_LEN + 8] = last ? 1 : 0;
}

static int gcm_encrypt(int in, int out)
{
	uint8_t hdr[HDR_LEN], nonce[AK_GCM_NONCE_LEN], aad[HDR_LEN + 9];
	uint8_t tag[TAG_LEN];
	size_t c = opt.chunk;
	uint8_t *a, *b, *t;
	ssize_t n, m;
	uint64_t i = 0;
	int r = -1;

	memcpy(hdr, MAGIC, 6);
	hdr[6] = ALG_GCM256;
	hdr[7] = 0;
	put_be32(hdr + 8, opt.chunk);
	if (getrandom(hdr + 12, 12, 0) != 12) {
		akt_msg("getrandom: %s", strerror(errno));
		return -1;
	}
	a = malloc(c);
	b = malloc(c);
	if (!a || !b) {
		akt_msg("out of memory");
		goto out;
	}
	if (akt_write_full(out, hdr, HDR_LEN))
		goto werr;
	n = akt_read_full(in, a, c);
	for (;;) {
		bool last;
		int e;

		if (n < 0)
			goto rerr;
		m = (size_t)n == c ? akt_read_full(in, b, c) : 0;
		if (m < 0)
			goto rerr;
		last = m == 0;
		chunk_params(hdr, i, last, nonce, aad);
		e = ak_aead_encrypt(sess, key, KEY_LEN, nonce, sizeof(nonce),
				    aad, sizeof(aad), a, (size_t)n, a, tag);
		if (e) {
			akt_msg("encryption failed: %s", akt_strerr(e));
			goto out;
		}
		if (akt_write_full(out, a, (size_t)n) ||
		    akt_write_full(out, tag, TAG_LEN))
			goto werr;
		if (last)
			break;
		t = a; a = b; b = t;
		n = m;
		i++;
	}
	r = 0;
	goto out;
rerr:
	akt_msg("%s: read error: %s", opt.input, strerror(errno));
	goto out;
werr:
	akt_msg("write error: %s", strerror(errno));
out:
	free(a);
	free(b);
	return r;
}

static int gcm_decrypt(int in, int out)
{
	uint8_t hdr[HDR_LEN], nonce[AK_GCM_NONCE_LEN], aad[HDR_LEN + 9];
	uint8_t *a = NULL, *b = NULL, *t;
	size_t c, rec;
	ssize_t n, m;
	uint64_t i = 0;
	int r = -1;

	n = akt_read_full(in, hdr, HDR_LEN);
	if (n < 0)
		goto rerr;
	if (n < HDR_LEN || memcmp(hdr, MAGIC, 6)) {
		akt_msg("%s: not an AKENC1 file%s", opt.input,
			n < HDR_LEN && n > 0 && !memcmp(hdr, MAGIC, (size_t)n < 6 ? (size_t)n : 6) ?
			" (truncated header)" : "");
		return -1;
	}
	c = get_be32(hdr + 8);
	if (hdr[6] != ALG_GCM256 || hdr[7] != 0 || c < CHUNK_MIN ||
	    c > CHUNK_MAX) {
		akt_msg("%s: unsupported AKENC1 header (algorithm %u, chunk "
			"size %zu)", opt.input, hdr[6], c);
		return -1;
	}
	rec = c + TAG_LEN;
	a = malloc(rec);
	b = malloc(rec);
	if (!a || !b) {
		akt_msg("out of memory");
		goto out;
	}
	n = akt_read_full(in, a, rec);
	for (;;) {
		bool last;
		int e;

		if (n < 0)
			goto rerr;
		m = (size_t)n == rec ? akt_read_full(in, b, rec) : 0;
		if (m < 0)
			goto rerr;
		last = m == 0;
		if (n < TAG_LEN) {
			akt_msg("%s: truncated input (chunk %llu)", opt.input,
				(unsigned long long)i);
			goto out;
		}
		chunk_params(hdr, i, last, nonce, aad);
		e = ak_aead_decrypt(sess, key, KEY_LEN, nonce, sizeof(nonce),
				    aad, sizeof(aad), a, (size_t)n - TAG_LEN, a,
				    a + n - TAG_LEN);
		if (e == -EBADMSG) {
			akt_msg("%s: authentication failed (chunk %llu): wrong "
				"key, or the data was modified, truncated or "
				"reordered", opt.input, (unsigned long long)i);
			goto out;
		}
		if (e) {
			akt_msg("decryption failed: %s", akt_strerr(e));
			goto out;
		}
		if (akt_write_full(out, a, (size_t)n - TAG_LEN)) {
			akt_msg("write error: %s", strerror(errno));
			goto out;
		}
		if (last)
			break;
		t = a; a = b; b = t;
		n = m;
		i++;
	}
	r = 0;
	goto out;
rerr:
	akt_msg("%s: read error: %s", opt.input, strerror(errno));
out:
	if (a)
		explicit_bzero(a, rec);
	if (b)
		explicit_bzero(b, rec);
	free(a);
	free(b);
	return r;
}

/* Add @blocks to the 128-bit big-endian counter block. */
static void ctr_add(uint8_t ctr[16], uint64_t blocks)
{
	for (int k = 15; k >= 0 && blocks; k--) {
		uint64_t s = ctr[k] + (blocks & 0xff);

		ctr[k] = (uint8_t)s;
		blocks = (blocks >> 8) + (s >> 8);
	}
}

static int ctr_crypt(int in, int out)
{
	uint8_t ctr[16];
	uint8_t *a;
	int r = -1;

	if (akt_hex_decode(opt.ivhex, ctr, sizeof(ctr))) {
		akt_msg("-iv: the counter block must be 32 hex digits");
		return -1;
	}
	a = malloc(AKT_BUF);
	if (!a) {
		akt_msg("out of memory");
		return -1;
	}
	for (;;) {
		ssize_t n = akt_read_full(in, a, AKT_BUF);
		size_t dl = AKT_BUF;
		int e;

		if (n < 0) {
			akt_msg("%s: read error: %s", opt.input, strerror(errno));
			break;
		}
		if (n == 0) {
			r = 0;
			break;
		}
		e = (opt.decrypt ? ak_decrypt : ak_encrypt)(sess, key, KEY_LEN,
				ctr, sizeof(ctr), a, (size_t)n, a, &dl, 0);
		if (e) {
			akt_msg("%s failed: %s",
				opt.decrypt ? "decryption" : "encryption",
				akt_strerr(e));
			break;
		}
		if (akt_write_full(out, a, dl)) {
			akt_msg("write error: %s", strerror(errno));
			break;
		}
		/* Only the last piece may be shorter than AKT_BUF (a multiple
		 * of the block size), so the counter stays block-aligned. */
		ctr_add(ctr, (uint64_t)n / AK_AES_BLOCK);
		if ((size_t)n < AKT_BUF) {
			r = 0;
			break;
		}
	}
	free(a);
	return r;
}

static void on_signal(int sig)
{
	char *p = tmp_out;

	if (p)
		unlink(p);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int parse_size(const char *s, uint32_t *out)
{
	char *e;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || e == s)
		return -1;
	if (*e == 'K' || *e == 'k') {
		v <<= 10;
		e++;
	} else if (*e == 'M' || *e == 'm') {
		v <<= 20;
		e++;
	}
	if (*e || v < CHUNK_MIN || v > CHUNK_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "encrypt", no_argument, NULL, 'e' },
		{ "decrypt", no_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "key", required_argument, NULL, 'K' },
		{ "iv", required_argument, NULL, 'I' },
		{ "chunk-size", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct akt_out ofile;
	bool to_file = false;
	off_t out_start = -1;
	struct sigaction sa;
	int c, r, in, out;

	akt_set_prog(argv[0]);
	/* openssl-style "-iv HEX": accept it as --iv. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-iv") == 0)
			argv[i] = "--iv";
	}
	while ((c = getopt_long(argc, argv, "edm:k:K:s:o:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'e': opt.decrypt = false; break;
		case 'd': opt.decrypt = true; break;
		case 'm':
			if (strcmp(optarg, "gcm") == 0)
				opt.ctr = false;
			else if (strcmp(optarg, "ctr") == 0)
				opt.ctr = true;
			else {
				akt_msg("unknown mode \"%s\" (gcm or ctr)", optarg);
				return 1;
			}
			break;
		case 'k': opt.keyfile = optarg; break;
		case 'K': opt.keyhex = optarg; break;
		case 'I': opt.ivhex = optarg; break;
		case 's':
			if (parse_size(optarg, &opt.chunk)) {
				akt_msg("bad chunk size \"%s\" (1024 .. 16M)", optarg);
				return 1;
			}
			break;
		case 'o': opt.output = optarg; break;
		case 'v': opt.verbose = true; break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("akenc (accelkit) %d.%d\n", AK_VERSION_MAJOR,
			       AK_VERSION_MINOR);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind > 1) {
		akt_msg("only one input file");
		return 1;
	}
	opt.input = optind < argc ? argv[optind] : "-";
	if (!opt.keyfile == !opt.keyhex) {
		akt_msg("give the key with exactly one of -k KEYFILE or -K HEX");
		return 1;
	}
	if (opt.ctr && !opt.ivhex) {
		akt_msg("ctr mode needs -iv HEX (32 hex digits)");
		return 1;
	}
	if (!opt.ctr && opt.ivhex) {
		akt_msg("-iv is for ctr mode; gcm draws a random IV per file");
		return 1;
	}
	if (load_key())
		return 1;

	if (strcmp(opt.input, "-") == 0) {
		in = STDIN_FILENO;
		opt.input = "stdin";
	} else {
		in = open(opt.input, O_RDONLY | O_CLOEXEC);
		if (in < 0) {
			akt_msg("%s: %s", opt.input, strerror(errno));
			explicit_bzero(key, sizeof(key));
			return 1;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (opt.output && strcmp(opt.output, "-")) {
		if (akt_out_open(&ofile, opt.output)) {
			explicit_bzero(key, sizeof(key));
			return 1;
		}
		to_file = true;
		out = ofile.fd;
		tmp_out = ofile.tmp;
	} else {
		struct stat st;

		out = STDOUT_FILENO;
		if (fstat(out, &st) == 0 && S_ISREG(st.st_mode))
			out_start = lseek(out, 0, SEEK_CUR);
	}

	r = akt_session_open(opt.ctr ? AK_ALG_AES_CTR : AK_ALG_AES_GCM, &sess);
	if (r == 0) {
		if (opt.verbose)
			akt_msg("AES-256-%s on the %s path",
				opt.ctr ? "CTR" : "GCM", akt_path_name(sess));
		if (opt.ctr)
			r = ctr_crypt(in, out);
		else if (opt.decrypt)
			r = gcm_decrypt(in, out);
		else
			r = gcm_encrypt(in, out);
		ak_session_close(sess);
	}
	explicit_bzero(key, sizeof(key));
	if (in != STDIN_FILENO)
		close(in);

	if (to_file) {
		tmp_out = NULL;
		if (akt_out_commit(&ofile, r == 0))
			r = -1;
	} else if (r && out_start >= 0) {
		/* Leave no (partial) plaintext in a redirected file. */
		if (ftruncate(out, out_start))
			akt_msg("cannot truncate the output: %s", strerror(errno));
	}
	return r ? 1 : 0;
}
