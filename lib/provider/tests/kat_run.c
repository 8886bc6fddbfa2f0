// SPDX-License-Identifier: LGPL-2.1-or-later
/* ak-prov-kat: run one stanza through the accelkit provider (see kat.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "kat.h"

#define PQ "provider=accelkit"

static int cur_failed;

void kat_fail(const struct kat_stanza *s, const char *fmt, ...)
{
	va_list ap;

	printf("ak-prov-kat: FAIL %s:%d: ", s->file, s->line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	ERR_print_errors_fp(stdout);
	cur_failed = 1;
}

/* Chunk sizes: mostly small and odd, sometimes 0, sometimes big. */
size_t kat_chunk(size_t left)
{
	size_t n;

	switch (rand() % 6) {
	case 0:
		n = 0;
		break;
	case 1:
		n = 1;
		break;
	case 2:
		n = (size_t)rand() % 17;
		break;
	case 3:
		n = (size_t)rand() % 100;
		break;
	default:
		n = (size_t)rand() % (left + 1);
	}
	return n < left ? n : left;
}

static long num(const struct kat_stanza *s, const char *key, long def)
{
	const struct kat_field *f = kat_get(s, key);

	return f ? strtol(f->raw, NULL, 0) : def;
}

/* ---- Digest ---------------------------------------------------------------- */

/*
 * The message of a Digest stanza: a list of buffers, each "Input" (made
 * "Ncopy" times longer) fed "Count" times, in order (as evp_test does).
 */
struct dbuf {
	unsigned char *data;
	size_t len;
	long count;
};

static int digest_input(const struct kat_stanza *s, struct dbuf *b, int max)
{
	int n = 0;

	for (int i = 1; i < s->n; i++) {
		const struct kat_field *f = &s->f[i];

		if (!strcasecmp(f->key, "Input") && n < max) {
			b[n].len = f->len;
			b[n].data = malloc(f->len + 1);
			memcpy(b[n].data, f->val, f->len);
			b[n++].count = 1;
		} else if (!strcasecmp(f->key, "Ncopy") && n) {
			long k = strtol(f->raw, NULL, 0);
			unsigned char *d = malloc(b[n - 1].len * (size_t)k + 1);

			for (long j = 0; j < k; j++)
				memcpy(d + b[n - 1].len * (size_t)j, b[n - 1].data, b[n - 1].len);
			free(b[n - 1].data);
			b[n - 1].data = d;
			b[n - 1].len *= (size_t)k;
		} else if (!strcasecmp(f->key, "Count") && n) {
			b[n - 1].count = strtol(f->raw, NULL, 0);
		}
	}
	return n;
}

static void run_digest(const struct kat_stanza *s, EVP_MD *md)
{
	const struct kat_field *out = kat_get(s, "Output");
	struct dbuf b[8];
	int nb = digest_input(s, b, 8);
	size_t off, n, fed = 0;
	unsigned char got[EVP_MAX_MD_SIZE];
	unsigned int gl = 0;

	for (int chunked = 0; chunked < 2; chunked++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new(), *c2 = NULL;
		int ok = EVP_DigestInit_ex2(c, md, NULL) == 1;

		for (int i = 0; i < nb; i++)
			for (long k = 0; ok && k < b[i].count; k++) {
				for (off = 0; ok && off < b[i].len; off += n) {
					n = chunked ? kat_chunk(b[i].len - off) : b[i].len - off;
					ok = EVP_DigestUpdate(c, b[i].data + off, n) == 1;
					fed += n;
					/* Copy mid-message (EVP_MD_CTX_copy, as TLS and
					 * HMAC do) while it is small; the copy then
					 * replaces the original. */
					if (ok && chunked && !c2 && fed < 60000 &&
					    off + n > b[i].len / 2) {
						c2 = EVP_MD_CTX_new();
						ok = EVP_MD_CTX_copy_ex(c2, c) == 1;
						EVP_MD_CTX_free(c);
						c = c2;
					}
				}
			}
		ok = ok && EVP_DigestFinal_ex(c, got, &gl) == 1;
		if (!ok || gl != out->len || memcmp(got, out->val, gl))
			kat_fail(s, "digest differs (%s)", chunked ? "chunked, copied" : "one update");
		EVP_MD_CTX_free(c);
	}
	for (int i = 0; i < nb; i++)
		free(b[i].data);
}

/* ---- MAC = HMAC ----------------------------------------------------------------- */

static void run_hmac(const struct kat_stanza *s, EVP_MAC *mac)
{
	const struct kat_field *key = kat_get(s, "Key"), *in = kat_get(s, "Input"),
			       *out = kat_get(s, "Output");
	unsigned char got[64];
	size_t gl = 0, off, n;
	char dname[] = "SHA2-256";
	OSSL_PARAM prm[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dname, 0),
		OSSL_PARAM_construct_end()
	};

	for (int chunked = 0; chunked < 2; chunked++) {
		EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac), *c2 = NULL;
		size_t dup_off = 0;
		int ok = c && EVP_MAC_init(c, key->val, key->len, prm) == 1;

		if (ok && kat_get(s, "OutputSize") &&
		    (long)EVP_MAC_CTX_get_mac_size(c) != num(s, "OutputSize", 0))
			kat_fail(s, "mac size %zu", EVP_MAC_CTX_get_mac_size(c));
		if (ok && kat_get(s, "BlockSize") &&
		    (long)EVP_MAC_CTX_get_block_size(c) != num(s, "BlockSize", 0))
			kat_fail(s, "block size %zu", EVP_MAC_CTX_get_block_size(c));
		for (off = 0; ok && in && off < in->len; off += n) {
			n = chunked ? kat_chunk(in->len - off) : in->len - off;
			ok = EVP_MAC_update(c, in->val + off, n) == 1;
			/* EVP_MAC_CTX_dup mid-message */
			if (ok && chunked && !c2 && off + n >= in->len / 2) {
				ok = (c2 = EVP_MAC_CTX_dup(c)) != NULL;
				dup_off = off + n;
			}
		}
		ok = ok && EVP_MAC_final(c, got, &gl, sizeof(got)) == 1;
		if (!ok || gl != out->len || memcmp(got, out->val, gl))
			kat_fail(s, "HMAC differs (%s)", chunked ? "chunked" : "one update");
		if (c2) {
			gl = 0;
			ok = EVP_MAC_update(c2, in->val + dup_off, in->len - dup_off) == 1 &&
			     EVP_MAC_final(c2, got, &gl, sizeof(got)) == 1;
			if (!ok || gl != out->len || memcmp(got, out->val, gl))
				kat_fail(s, "HMAC of a duplicated context differs");
		}
		EVP_MAC_CTX_free(c);
		EVP_MAC_CTX_free(c2);
	}
}

/* HMAC with a digest the provider does not offer must be refused. */
static void check_hmac_refused(const struct kat_stanza *s, EVP_MAC *mac,
			       const char *alg)
{
	EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac);
	OSSL_PARAM prm[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)alg, 0),
		OSSL_PARAM_construct_end()
	};

	if (!c || EVP_MAC_CTX_set_params(c, prm) == 1)
		kat_fail(s, "HMAC with %s was accepted", alg);
	ERR_clear_error();
	EVP_MAC_CTX_free(c);
}

/* ---- Cipher ---------------------------------------------------------------------- */

static int set_tag(EVP_CIPHER_CTX *c, const struct kat_field *tag)
{
	return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)tag->len,
				   tag->val) == 1;
}

/* One direction; returns 1 if it ran (pass or fail recorded). */
static void cipher_dir(const struct kat_stanza *s, EVP_CIPHER *ciph, int enc,
		       int chunked)
{
	const struct kat_field *key = kat_get(s, "Key"), *iv = kat_get(s, "IV"),
			       *pt = kat_get(s, "Plaintext"),
			       *ct = kat_get(s, "Ciphertext"), *tag = kat_get(s, "Tag"),
			       *next = kat_get(s, "NextIV"), *res = kat_get(s, "Result"),
			       *aad, *in = enc ? pt : ct, *want = enc ? ct : pt;
	int aead = EVP_CIPHER_get_flags(ciph) & EVP_CIPH_FLAG_AEAD_CIPHER;
	int xts = EVP_CIPHER_get_mode(ciph) == EVP_CIPH_XTS_MODE;
	int late = kat_get(s, "SetTagLate") != NULL;
	const char *expect = res ? res->raw : "";
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	unsigned char *out = malloc((in ? in->len : 0) + 64), gtag[16];
	size_t off, n;
	int ol, total = 0, ok;

	ok = EVP_CipherInit_ex2(c, ciph, NULL, NULL, enc, NULL) == 1;
	if (ok && iv && aead && (int)iv->len != EVP_CIPHER_CTX_get_iv_length(c))
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, (int)iv->len,
					 NULL) == 1;
	if (ok && aead && !enc && tag && !late)
		ok = set_tag(c, tag);
	if (ok && EVP_CipherInit_ex2(c, NULL, key->val, iv ? iv->val : NULL, enc,
				     NULL) != 1) {
		if (strcmp(expect, "KEY_SET_ERROR"))
			kat_fail(s, "key/IV set failed");
		ERR_clear_error();
		goto out;
	}
	if (!strcmp(expect, "KEY_SET_ERROR")) {
		kat_fail(s, "key set succeeded, KEY_SET_ERROR expected");
		goto out;
	}
	if (ok && EVP_CIPHER_get_mode(ciph) == EVP_CIPH_CBC_MODE)
		ok = EVP_CIPHER_CTX_set_padding(c, 0) == 1;
	for (int i = 0; ok && kat_get_n(s, "AAD", i, &aad); i++)
		for (off = 0; ok && off < aad->len; off += n) {
			n = chunked ? kat_chunk(aad->len - off) : aad->len - off;
			ok = EVP_CipherUpdate(c, NULL, &ol, aad->val + off, (int)n) == 1;
		}
	if (ok && aead && !enc && tag && late)
		ok = set_tag(c, tag);
	for (off = 0; ok && in && off < in->len; off += n) {
		n = chunked && !xts ? kat_chunk(in->len - off) : in->len - off;
		ok = EVP_CipherUpdate(c, out + total, &ol, in->val + off, (int)n) == 1;
		total += ol;
	}
	if (!ok) {
		kat_fail(s, "%s update failed", enc ? "encrypt" : "decrypt");
		goto out;
	}
	ok = EVP_CipherFinal_ex(c, out + total, &ol) == 1;
	if (!strcmp(expect, "CIPHERFINAL_ERROR")) {
		if (ok)
			kat_fail(s, "final succeeded, CIPHERFINAL_ERROR expected");
		ERR_clear_error();
		goto out;
	}
	if (!ok) {
		kat_fail(s, "%s final failed", enc ? "encrypt" : "decrypt");
		goto out;
	}
	total += ol;
	if (!want || (size_t)total != want->len || memcmp(out, want->val, (size_t)total))
		kat_fail(s, "%s output differs (%s, %d bytes)", enc ? "encrypt" : "decrypt",
			 chunked ? "chunked" : "one update", total);
	if (enc && aead && tag &&
	    (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, (int)tag->len, gtag) != 1 ||
	     memcmp(gtag, tag->val, tag->len)))
		kat_fail(s, "tag differs");
	if (next && !aead) {
		unsigned char niv[16];

		if (EVP_CIPHER_CTX_get_updated_iv(c, niv, next->len) != 1 ||
		    memcmp(niv, next->val, next->len))
			kat_fail(s, "next IV differs");
	}
out:
	EVP_CIPHER_CTX_free(c);
	free(out);
}

static void run_cipher(const struct kat_stanza *s, EVP_CIPHER *ciph)
{
	const struct kat_field *op = kat_get(s, "Operation");
	int enc = !op || !strcasecmp(op->raw, "ENCRYPT");
	int dec = !op || !strcasecmp(op->raw, "DECRYPT");

	for (int chunked = 0; chunked < 2; chunked++) {
		if (enc)
			cipher_dir(s, ciph, 1, chunked);
		if (dec)
			cipher_dir(s, ciph, 0, chunked);
	}
}

/* ---- dispatch ----------------------------------------------------------------------- */

void kat_run_stanza(const struct kat_stanza *s)
{
	const char *type = s->f[0].key, *name = s->f[0].raw;
	const struct kat_field *avail = kat_get(s, "Availablein");
	struct kat_count *cnt;
	int kind;

	if (!strcasecmp(type, "Digest"))
		kind = K_DIGEST;
	else if (!strcasecmp(type, "MAC"))
		kind = K_MAC;
	else if (!strcasecmp(type, "Cipher"))
		kind = K_CIPHER;
	else
		return;		/* Title, key stanzas, ... */
	cnt = &kat_counts[kind];
	if (avail && strcasecmp(avail->raw, "default")) {
		cnt->skipped_fips++;
		return;
	}
	cur_failed = 0;
	if (kind == K_DIGEST) {
		EVP_MD *md = EVP_MD_fetch(NULL, name, PQ);

		if (!md || kat_get(s, "XOF")) {
			cnt->not_offered++;
			EVP_MD_free(md);
			ERR_clear_error();
			return;
		}
		run_digest(s, md);
		EVP_MD_free(md);
	} else if (kind == K_MAC) {
		const struct kat_field *alg = kat_get(s, "Algorithm");
		EVP_MAC *mac;

		if (strcasecmp(name, "HMAC") || !alg) {
			cnt->not_offered++;
			return;
		}
		mac = EVP_MAC_fetch(NULL, "HMAC", PQ);
		if (!mac) {
			kat_fail(s, "no HMAC in the provider");
		} else if (strcasecmp(alg->raw, "SHA256") &&
			   strcasecmp(alg->raw, "SHA2-256")) {
			check_hmac_refused(s, mac, alg->raw);
			EVP_MAC_free(mac);
			if (!cur_failed) {
				cnt->not_offered++;
				return;
			}
		} else {
			run_hmac(s, mac);
			EVP_MAC_free(mac);
		}
	} else {
		EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, PQ);

		if (!c) {
			cnt->not_offered++;
			ERR_clear_error();
			return;
		}
		run_cipher(s, c);
		EVP_CIPHER_free(c);
	}
	cnt->run++;
	if (cur_failed)
		cnt->failed++;
	else
		cnt->passed++;
	if (kat_verbose)
		printf("ak-prov-kat: %s %s:%d %s\n", cur_failed ? "FAIL" : "ok",
		       s->file, s->line, name);
	ERR_clear_error();
}
