// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-prov-kat - run OpenSSL's own evp known-answer files
 * (the .txt files of test/recipes/30-test_evp_data in Debian's openssl source) through
 * the accelkit provider: every Digest, MAC = HMAC and Cipher stanza whose
 * algorithm the provider offers (fetched with "provider=accelkit"), each
 * once with the whole input in one update and once in random chunk sizes.
 * Then a cross-check of long random messages against OpenSSL's default
 * provider (--big MiB, default 3), and four threads making, using and
 * freeing contexts at once.
 *
 * usage: ak-prov-kat [-v] [--big MiB] [--min-digest N] [--min-mac N]
 *                    [--min-cipher N] DIR-or-FILE...
 * Prints run/passed/failed/not-offered per kind; exit 1 on any failure or
 * when fewer tests than the minimums ran (a file that went missing or a
 * provider that offers nothing must not pass).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "kat.h"

struct kat_count kat_counts[K_NKIND];
int kat_verbose;

static const char *const kat_files[] = {
	"evpmd_sha.txt", "evpmac_common.txt", "evpciph_aes_common.txt",
};

const struct kat_field *kat_get(const struct kat_stanza *s, const char *key)
{
	for (int i = 0; i < s->n; i++)
		if (!strcasecmp(s->f[i].key, key))
			return &s->f[i];
	return NULL;
}

int kat_get_n(const struct kat_stanza *s, const char *key, int idx,
	      const struct kat_field **out)
{
	for (int i = 0; i < s->n; i++)
		if (!strcasecmp(s->f[i].key, key) && idx-- == 0) {
			*out = &s->f[i];
			return 1;
		}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode a value: "string" or hex (empty allowed). */
static int decode(const char *raw, unsigned char **out, size_t *len)
{
	size_t n = strlen(raw);
	unsigned char *b = malloc(n + 1);

	if (!b)
		return -1;
	*out = b;
	if (raw[0] == '"') {
		const char *e = strrchr(raw + 1, '"');

		if (!e)
			return -1;
		*len = (size_t)(e - raw - 1);
		memcpy(b, raw + 1, *len);
		return 0;
	}
	if (n % 2)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int h = hexval(raw[2 * i]), l = hexval(raw[2 * i + 1]);

		if (h < 0 || l < 0)
			return -1;
		b[i] = (unsigned char)(h << 4 | l);
	}
	*len = n / 2;
	return 0;
}

static void stanza_clear(struct kat_stanza *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->f[i].key);
		free(s->f[i].val);
		free(s->f[i].raw);
	}
	s->n = 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct kat_stanza s = { .file = path };
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int ln = 0, bad = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		got = getline(&line, &cap, f);
		if (got >= 0)
			ln++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r' ||
				   line[got - 1] == ' '))
			line[--got] = 0;
		if (got <= 0) {		/* blank line or EOF ends a stanza */
			if (s.n)
				kat_run_stanza(&s);
			stanza_clear(&s);
			if (got < 0)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		char *eq = strstr(line, " =");
		if (!eq || s.n == KAT_MAX_FIELDS) {
			fprintf(stderr, "%s:%d: cannot parse\n", path, ln);
			bad = 1;
			continue;
		}
		*eq = 0;
		char *v = eq + 2;
		while (*v == ' ')
			v++;
		struct kat_field *fl = &s.f[s.n];
		if (!s.n)
			s.line = ln;
		fl->key = strdup(line);
		fl->raw = strdup(v);
		if (decode(v, &fl->val, &fl->len)) {
			free(fl->val);
			fl->val = NULL;	/* not a byte value (names, numbers) */
			fl->len = 0;
		}
		s.n++;
	}
	free(line);
	fclose(f);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	int min[K_NKIND] = { 9, 4, 99 };	/* 3.0.x files + long checks */
	static const char *const kind[K_NKIND] = { "digest", "hmac", "cipher" };
	size_t big = 3;
	int files = 0, rc = 0;
	OSSL_PROVIDER *ak, *def;
	char path[4096];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			kat_verbose = 1;
		} else if (!strcmp(argv[i], "--big") && i + 1 < argc) {
			big = strtoul(argv[++i], NULL, 0);
		} else if (!strncmp(argv[i], "--min-", 6) && i + 1 < argc) {
			for (int k = 0; k < K_NKIND; k++)
				if (!strcmp(argv[i] + 6, kind[k]))
					min[k] = atoi(argv[i + 1]);
			i++;
		} else {
			files++;
		}
	}
	ak = OSSL_PROVIDER_load(NULL, "accelkit");
	def = OSSL_PROVIDER_load(NULL, "default");
	if (!ak || !def) {
		fprintf(stderr, "ak-prov-kat: cannot load the %s provider\n",
			ak ? "default" : "accelkit");
		ERR_print_errors_fp(stderr);
		return 1;
	}
	srand(12345);
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (strcmp(argv[i], "-v"))
				i++;
			continue;
		}
		DIR *d = opendir(argv[i]);

		if (!d) {
			if (run_file(argv[i]))
				rc = 1;
			continue;
		}
		closedir(d);
		for (size_t k = 0; k < sizeof(kat_files) / sizeof(kat_files[0]); k++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i], kat_files[k]);
			if (run_file(path))
				rc = 1;
		}
	}
	if (!files) {
		fprintf(stderr, "usage: ak-prov-kat [-v] [--big MiB] DIR-or-FILE...\n");
		return 2;
	}
	if (kat_crosscheck(big) || kat_threads(4))
		rc = 1;
	for (int k = 0; k < K_NKIND; k++) {
		struct kat_count *c = &kat_counts[k];

		printf("ak-prov-kat: %-6s run %d passed %d failed %d not-offered %d (fips-only %d)\n",
		       kind[k], c->run, c->passed, c->failed, c->not_offered,
		       c->skipped_fips);
		if (c->failed)
			rc = 1;
		if (c->run < min[k]) {
			printf("ak-prov-kat: FAIL: only %d %s tests ran (at least %d expected)\n",
			       c->run, kind[k], min[k]);
			rc = 1;
		}
	}
	OSSL_PROVIDER_unload(ak);
	OSSL_PROVIDER_unload(def);
	printf("ak-prov-kat: %s\n", rc ? "FAIL" : "PASS");
	return rc;
}
