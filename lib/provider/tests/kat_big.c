// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-prov-kat: long messages (--big MiB) in random chunk sizes through the
 * accelkit provider, compared with OpenSSL's default provider given the
 * whole message at once; ciphers are also decrypted back by accelkit.
 * Each algorithm counts as one test of its kind.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kat.h"

static size_t big_chunk(size_t left)
{
	size_t n = rand() % 4 ? (size_t)rand() % 70000 : (size_t)rand() % (3u << 20);

	if (rand() % 8 == 0)
		n = (size_t)rand() % 33;
	return n < left ? n : left;
}

static int result(int kind, const char *what, int ok)
{
	kat_counts[kind].run++;
	if (ok) {
		kat_counts[kind].passed++;
		if (kat_verbose)
			printf("ak-prov-kat: ok long %s\n", what);
		return 0;
	}
	kat_counts[kind].failed++;
	printf("ak-prov-kat: FAIL long %s\n", what);
	ERR_print_errors_fp(stdout);
	return 1;
}

static int big_digest(const char *name, const unsigned char *m, size_t len)
{
	EVP_MD *a = EVP_MD_fetch(NULL, name, "provider=accelkit");
	EVP_MD *d = EVP_MD_fetch(NULL, name, "provider=default");
	unsigned char x[64], y[64];
	unsigned int xl = 0, yl = 1;
	EVP_MD_CTX *c = EVP_MD_CTX_new(), *orig = NULL;
	int ok = a && d && EVP_DigestInit_ex2(c, a, NULL) == 1;

	for (size_t off = 0, n; ok && off < len; off += n) {
		n = big_chunk(len - off);
		ok = EVP_DigestUpdate(c, m + off, n) == 1;
		/* Copy past 64 KiB: the message goes on in the copy; the
		 * original refuses to finish it (docs/openssl-provider.md). */
		if (ok && !orig && off > len / 2) {
			orig = c;
			c = EVP_MD_CTX_new();
			ok = EVP_MD_CTX_copy_ex(c, orig) == 1;
		}
	}
	ok = ok && EVP_DigestFinal_ex(c, x, &xl) == 1 &&
	     EVP_Digest(m, len, y, &yl, d, NULL) == 1 && xl == yl && !memcmp(x, y, xl);
	if (ok && orig && len > (64u << 10) && EVP_DigestFinal_ex(orig, y, &yl) == 1) {
		printf("ak-prov-kat: the original of a copied long %s finished\n", name);
		ok = 0;
	}
	ERR_clear_error();
	EVP_MD_CTX_free(orig);
	EVP_MD_CTX_free(c);
	EVP_MD_free(a);
	EVP_MD_free(d);
	return result(K_DIGEST, name, ok);
}

static int big_hmac(const unsigned char *m, size_t len)
{
	EVP_MAC *a = EVP_MAC_fetch(NULL, "HMAC", "provider=accelkit");
	EVP_MAC *d = EVP_MAC_fetch(NULL, "HMAC", "provider=default");
	EVP_MAC_CTX *c = a ? EVP_MAC_CTX_new(a) : NULL, *r = d ? EVP_MAC_CTX_new(d) : NULL;
	unsigned char key[100], x[32], y[32];
	size_t xl = 0, yl = 1;
	char dn[] = "SHA2-256";
	OSSL_PARAM prm[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dn, 0),
		OSSL_PARAM_construct_end()
	};
	int ok;

	RAND_bytes(key, sizeof(key));	/* longer than a block: hashed first */
	ok = c && r && EVP_MAC_init(c, key, sizeof(key), prm) == 1 &&
	     EVP_MAC_init(r, key, sizeof(key), prm) == 1;
	for (size_t off = 0, n; ok && off < len; off += n) {
		n = big_chunk(len - off);
		ok = EVP_MAC_update(c, m + off, n) == 1;
	}
	ok = ok && EVP_MAC_final(c, x, &xl, sizeof(x)) == 1 &&
	     EVP_MAC_update(r, m, len) == 1 && EVP_MAC_final(r, y, &yl, sizeof(y)) == 1 &&
	     xl == 32 && yl == 32 && !memcmp(x, y, 32);
	EVP_MAC_CTX_free(c);
	EVP_MAC_CTX_free(r);
	EVP_MAC_free(a);
	EVP_MAC_free(d);
	return result(K_MAC, "HMAC-SHA2-256", ok);
}

/* Run @ciph over @in (chunked unless XTS), AAD for GCM; tag in/out. */
static int run_crypt(EVP_CIPHER *ciph, int enc, int chunked, const unsigned char *key,
		 const unsigned char *iv, const unsigned char *in, size_t len,
		 unsigned char *out, size_t *olen, unsigned char tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int gcm = EVP_CIPHER_get_mode(ciph) == EVP_CIPH_GCM_MODE;
	int ok = EVP_CipherInit_ex2(c, ciph, key, iv, enc, NULL) == 1, ol;
	size_t total = 0;

	if (ok && gcm && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1;
	if (ok && gcm)
		ok = EVP_CipherUpdate(c, NULL, &ol, key, 29) == 1;	/* AAD */
	for (size_t off = 0, n; ok && off < len; off += n) {
		n = chunked ? big_chunk(len - off) : len - off;
		ok = EVP_CipherUpdate(c, out + total, &ol, in + off, (int)n) == 1;
		total += (size_t)ol;
	}
	ok = ok && EVP_CipherFinal_ex(c, out + total, &ol) == 1;
	total += (size_t)(ok ? ol : 0);
	if (ok && gcm && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	*olen = total;
	return ok;
}

static int big_cipher(const char *name, const unsigned char *m, size_t len)
{
	EVP_CIPHER *a = EVP_CIPHER_fetch(NULL, name, "provider=accelkit");
	EVP_CIPHER *d = EVP_CIPHER_fetch(NULL, name, "provider=default");
	unsigned char key[64], iv[16], t1[16], t2[16];
	unsigned char *x = malloc(len + 32), *y = malloc(len + 32), *z = malloc(len + 32);
	size_t xl = 0, yl = 0, zl = 0;
	int xts = strstr(name, "XTS") != NULL, ok;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(iv, sizeof(iv));
	if (xts && len > (16u << 20))
		len = 16u << 20;
	ok = a && d && x && y && z &&
	     run_crypt(a, 1, !xts, key, iv, m, len, x, &xl, t1) &&
	     run_crypt(d, 1, 0, key, iv, m, len, y, &yl, t2) &&
	     xl == yl && !memcmp(x, y, xl) &&
	     (!strstr(name, "GCM") || !memcmp(t1, t2, 16)) &&
	     run_crypt(a, 0, !xts, key, iv, x, xl, z, &zl, t1) &&
	     zl == len && !memcmp(z, m, len);
	free(x);
	free(y);
	free(z);
	EVP_CIPHER_free(a);
	EVP_CIPHER_free(d);
	return result(K_CIPHER, name, ok);
}

int kat_crosscheck(size_t mib)
{
	static const char *const ciphers[] = {
		"AES-128-CBC", "AES-256-CBC", "AES-128-CTR", "AES-256-CTR",
		"AES-128-XTS", "AES-256-XTS", "AES-128-GCM", "AES-256-GCM",
	};
	size_t len = (mib << 20) + 4093;	/* not a multiple of anything */
	unsigned char *m = malloc(len);
	int rc = 0;

	if (!m)
		return 1;
	RAND_bytes(m, (int)len);
	rc |= big_digest("SHA2-256", m, len);
	rc |= big_digest("SHA2-512", m, len);
	rc |= big_hmac(m, len);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		rc |= big_cipher(ciphers[i], m, len);
	free(m);
	return rc;
}

/*
 * Threads: contexts created, used and freed in several threads at once
 * (each thread's session cache, prov.c), SHA2-256 and AES-256-GCM checked
 * against the default provider. One test of the cipher kind.
 */
struct thr {
	int ok;
	unsigned int seed;
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	EVP_MD *ma = EVP_MD_fetch(NULL, "SHA2-256", "provider=accelkit");
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", "provider=default");
	EVP_CIPHER *ca = EVP_CIPHER_fetch(NULL, "AES-256-GCM", "provider=accelkit");
	EVP_CIPHER *cd = EVP_CIPHER_fetch(NULL, "AES-256-GCM", "provider=default");
	size_t len = 100000 + rand_r(&t->seed) % 1000;
	unsigned char *m = malloc(len), *x = malloc(len + 32), *y = malloc(len + 32);
	unsigned char key[32], iv[16], t1[16], t2[16], h1[32], h2[32];
	unsigned int l1, l2;
	size_t xl, yl;

	t->ok = ma && md && ca && cd && m && x && y;
	for (int i = 0; t->ok && i < 40; i++) {
		for (size_t k = 0; k < len; k++)
			m[k] = (unsigned char)rand_r(&t->seed);
		memcpy(key, m, sizeof(key));
		memcpy(iv, m + 32, sizeof(iv));
		t->ok = EVP_Digest(m, len, h1, &l1, ma, NULL) == 1 &&
			EVP_Digest(m, len, h2, &l2, md, NULL) == 1 && !memcmp(h1, h2, 32) &&
			run_crypt(ca, 1, 0, key, iv, m, len, x, &xl, t1) &&
			run_crypt(cd, 1, 0, key, iv, m, len, y, &yl, t2) &&
			xl == yl && !memcmp(x, y, xl) && !memcmp(t1, t2, 16);
	}
	free(m);
	free(x);
	free(y);
	EVP_MD_free(ma);
	EVP_MD_free(md);
	EVP_CIPHER_free(ca);
	EVP_CIPHER_free(cd);
	return NULL;
}

int kat_threads(int n)
{
	pthread_t tid[16];
	struct thr t[16];
	int ok = 1;

	if (n > 16)
		n = 16;
	for (int i = 0; i < n; i++) {
		t[i].ok = 0;
		t[i].seed = 1000u + (unsigned int)i;
		if (pthread_create(&tid[i], NULL, thr_main, &t[i]))
			return result(K_CIPHER, "threads", 0);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		ok &= t[i].ok;
	}
	return result(K_CIPHER, "threads (SHA2-256, AES-256-GCM)", ok);
}
