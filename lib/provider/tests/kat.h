/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ak-prov-kat: OpenSSL evp test-data runner for the accelkit provider. */
#ifndef AKP_KAT_H
#define AKP_KAT_H

#include <stddef.h>

#define KAT_MAX_FIELDS 32

struct kat_field {
	char *key;
	unsigned char *val;	/* decoded (hex or "string") */
	size_t len;
	char *raw;		/* the text after "= " */
};

struct kat_stanza {
	const char *file;
	int line;		/* first line */
	int n;
	struct kat_field f[KAT_MAX_FIELDS];
};

/* counters per kind */
struct kat_count {
	int run, passed, failed, not_offered, skipped_fips;
};

enum { K_DIGEST, K_MAC, K_CIPHER, K_NKIND };
extern struct kat_count kat_counts[K_NKIND];
extern int kat_verbose;

const struct kat_field *kat_get(const struct kat_stanza *s, const char *key);
int kat_get_n(const struct kat_stanza *s, const char *key, int idx,
	      const struct kat_field **out);

/* kat_run.c */
void kat_run_stanza(const struct kat_stanza *s);
int kat_crosscheck(size_t mib);
int kat_threads(int n);
void kat_fail(const struct kat_stanza *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t kat_chunk(size_t left);

#endif
