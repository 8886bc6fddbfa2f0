// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * accelkit.so - OpenSSL 3 provider: entry point, algorithm tables,
 * sessions, errors.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "prov.h"

__thread int akp_depth;

#define PROPS "provider=" AKP_NAME

static const OSSL_ALGORITHM akp_digests[] = {
	{ "SHA2-256:SHA-256:SHA256:2.16.840.1.101.3.4.2.1", PROPS,
	  akp_sha256_functions, "SHA-256 (accelkit)" },
	{ "SHA2-512:SHA-512:SHA512:2.16.840.1.101.3.4.2.3", PROPS,
	  akp_sha512_functions, "SHA-512 (accelkit)" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM akp_macs[] = {
	{ "HMAC", PROPS, akp_hmac_functions, "HMAC-SHA-256 (accelkit)" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM akp_ciphers[] = {
	{ "AES-128-CBC:AES128:2.16.840.1.101.3.4.1.2", PROPS,
	  akp_aes128cbc_functions, NULL },
	{ "AES-256-CBC:AES256:2.16.840.1.101.3.4.1.42", PROPS,
	  akp_aes256cbc_functions, NULL },
	{ "AES-128-CTR", PROPS, akp_aes128ctr_functions, NULL },
	{ "AES-256-CTR", PROPS, akp_aes256ctr_functions, NULL },
	{ "AES-128-XTS:1.3.111.2.1619.0.1.1", PROPS,
	  akp_aes128xts_functions, NULL },
	{ "AES-256-XTS:1.3.111.2.1619.0.1.2", PROPS,
	  akp_aes256xts_functions, NULL },
	{ "AES-128-GCM:id-aes128-GCM:2.16.840.1.101.3.4.1.6", PROPS,
	  akp_aes128gcm_functions, NULL },
	{ "AES-256-GCM:id-aes256-GCM:2.16.840.1.101.3.4.1.46", PROPS,
	  akp_aes256gcm_functions, NULL },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM *akp_query(void *provctx, int op, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	switch (op) {
	case OSSL_OP_DIGEST:
		return akp_digests;
	case OSSL_OP_MAC:
		return akp_macs;
	case OSSL_OP_CIPHER:
		return akp_ciphers;
	}
	return NULL;
}

static const OSSL_PARAM akp_param_types[] = {
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *akp_gettable_params(void *provctx)
{
	(void)provctx;
	return akp_param_types;
}

#define STR_(x) #x
#define STR(x) STR_(x)
#ifndef AKP_VERSION
#define AKP_VERSION "unknown"
#endif

static int akp_get_params(void *provctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	(void)provctx;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "accelkit provider (libaccelkit)"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, AKP_VERSION))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "libaccelkit " AKP_VERSION))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
	if (p && !OSSL_PARAM_set_int(p, 1))
		return 0;
	return 1;
}

static void akp_cache_release(void);

static void akp_teardown(void *provctx)
{
	struct akp_prov *p = provctx;

	if (!p)
		return;
	akp_cache_release();
	OSSL_LIB_CTX_free(p->sw);
	free(p);
}

static const OSSL_DISPATCH akp_prov_functions[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))akp_teardown },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS,
	  (void (*)(void))akp_gettable_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))akp_get_params },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))akp_query },
	{ 0, NULL }
};

__attribute__((visibility("default")))
int OSSL_provider_init(const OSSL_CORE_HANDLE *handle,
		       const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
		       void **provctx);

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle,
		       const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
		       void **provctx)
{
	struct akp_prov *p;

	(void)in;
	p = calloc(1, sizeof(*p));
	if (!p)
		return 0;
	p->handle = handle;
	/* No configuration is loaded into it: only the built-in default
	 * provider is found there (never this one). */
	p->sw = OSSL_LIB_CTX_new();
	if (!p->sw) {
		free(p);
		return 0;
	}
	*out = akp_prov_functions;
	*provctx = p;
	return 1;
}

/* ---- sessions, errors ---------------------------------------------------- */

/*
 * Sessions are expensive to open (a device queue: open, mmap, start) and
 * EVP programs create a context per message (EVP_Digest, openssl speed's
 * digests): a context's session goes back, when the context is freed, to
 * a per-thread cache of one idle session per algorithm, which the next
 * context of that thread and algorithm takes. The cache is closed at
 * thread exit (pthread key destructor) and, for the thread that unloads
 * the provider, at teardown. The module is linked -z nodelete so the
 * destructor's code stays mapped. AK_PATH is read when a session is
 * opened: a cached session keeps its path.
 */
#define AKP_NALG (AK_ALG_AES_GCM + 1)

struct akp_cache {
	struct ak_session *idle[AKP_NALG];
};

static pthread_key_t akp_cache_key;
static pthread_once_t akp_cache_once = PTHREAD_ONCE_INIT;

static void akp_cache_drop(void *arg)
{
	struct akp_cache *c = arg;

	if (!c)
		return;
	akp_depth++;
	for (int i = 0; i < AKP_NALG; i++)
		ak_session_close(c->idle[i]);
	akp_depth--;
	free(c);
}

static void akp_cache_init(void)
{
	if (pthread_key_create(&akp_cache_key, akp_cache_drop))
		akp_cache_key = (pthread_key_t)-1;
}

static struct akp_cache *akp_cache(int create)
{
	struct akp_cache *c;

	pthread_once(&akp_cache_once, akp_cache_init);
	if (akp_cache_key == (pthread_key_t)-1)
		return NULL;
	c = pthread_getspecific(akp_cache_key);
	if (!c && create) {
		c = calloc(1, sizeof(*c));
		if (c && pthread_setspecific(akp_cache_key, c)) {
			free(c);
			c = NULL;
		}
	}
	return c;
}

/* The calling thread's cache (provider teardown). */
static void akp_cache_release(void)
{
	struct akp_cache *c = akp_cache(0);

	if (c) {
		pthread_setspecific(akp_cache_key, NULL);
		akp_cache_drop(c);
	}
}

int akp_sess_get(struct akp_sess *ss, struct ak_session **s)
{
	struct akp_cache *c;
	int r;

	if (!ss->s && ss->alg > 0 && ss->alg < AKP_NALG &&
	    (c = akp_cache(0)) && c->idle[ss->alg]) {
		ss->s = c->idle[ss->alg];
		c->idle[ss->alg] = NULL;
	}
	if (!ss->s) {
		r = AKP_CALL(ak_session_open(ss->alg, NULL, AK_SF_AUTO, &ss->s));
		if (r) {
			ss->s = NULL;
			akp_err_lib("ak_session_open", r);
			return r;
		}
	}
	*s = ss->s;
	return 0;
}

void akp_sess_close(struct akp_sess *ss)
{
	struct akp_cache *c;

	if (!ss->s)
		return;
	if (ss->alg > 0 && ss->alg < AKP_NALG && (c = akp_cache(1)) &&
	    !c->idle[ss->alg]) {
		c->idle[ss->alg] = ss->s;
	} else {
		akp_depth++;
		ak_session_close(ss->s);
		akp_depth--;
	}
	ss->s = NULL;
}

void akp_err_lib(const char *what, int r)
{
	int reason = PROV_R_CIPHER_OPERATION_FAILED;

	if (r == -EBADMSG)
		reason = PROV_R_BAD_DECRYPT;
	AKP_ERR(reason, "accelkit: %s: %s (%d)", what, strerror(-r), r);
}

EVP_CIPHER_CTX *akp_sw_cipher(struct akp_prov *p, const char *name)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(p->sw, name, "provider=default");
	EVP_CIPHER_CTX *ctx;

	if (!c)
		return NULL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx && EVP_CipherInit_ex2(ctx, c, NULL, NULL, -1, NULL) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	EVP_CIPHER_free(c);
	return ctx;
}
