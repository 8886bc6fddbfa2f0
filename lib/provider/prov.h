/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * accelkit.so - OpenSSL 3 provider on top of libaccelkit (internal header).
 *
 * Every algorithm context uses (HMAC: shares between its two digests) one
 * libaccelkit session, taken on first use from the thread's cache of idle
 * sessions or opened with AK_SF_AUTO (AK_PATH decides the path as for any
 * libaccelkit program), and given back to the cache when the context is
 * freed (prov.c, docs/openssl-provider.md).
 *
 * Software passthrough: the provider keeps a private OSSL_LIB_CTX (created
 * at provider init, never loading any configuration, so it only ever has
 * OpenSSL's built-in default provider). A context runs "passthrough" on an
 * EVP context of that library context
 *   - when it is created while this thread is inside a libaccelkit call
 *     made by the provider (libaccelkit's software path uses EVP with the
 *     default library context, which may resolve to this very provider:
 *     the guard turns that recursion into a call to the default provider);
 *   - for what the library cannot do (GCM IV lengths other than 12 bytes,
 *     GCM tags shorter than AK_GCM_TAG_MIN, XTS decryption with two equal
 *     key halves; GCM altogether when built against a libaccelkit without
 *     ak_cipher_stream_*).
 */
#ifndef AKP_PROV_H
#define AKP_PROV_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/proverr.h>

#include <libaccelkit.h>

#define AKP_NAME "accelkit"

/* Provider-wide state (one per loaded instance of the provider). */
struct akp_prov {
	const OSSL_CORE_HANDLE *handle;
	OSSL_LIB_CTX *sw;	/* private library context: default provider */
};

/* Thread-local depth of libaccelkit calls made by the provider. */
extern __thread int akp_depth;
#define AKP_CALL(expr) ({ int _r; akp_depth++; _r = (expr); akp_depth--; _r; })

/* A lazily opened libaccelkit session. */
struct akp_sess {
	struct ak_session *s;
	int alg;
};
int akp_sess_get(struct akp_sess *ss, struct ak_session **s);
void akp_sess_close(struct akp_sess *ss);

/* Raise an OpenSSL error for a libaccelkit failure @r (negative errno). */
void akp_err_lib(const char *what, int r);
#define AKP_ERR(reason, ...) ERR_raise_data(ERR_LIB_PROV, (reason), __VA_ARGS__)

/* ---- streaming digest (SHA-256 / SHA-512) used by digests and HMAC ---- */
#define AKP_MD_BUF (64u << 10)	/* bytes buffered before streaming starts */

struct akp_md {
	int alg;		/* AK_ALG_SHA256 or AK_ALG_SHA512 */
	EVP_MD_CTX *evp;	/* passthrough mode (private libctx) */
	struct akp_sess own;	/* session when not given by the owner */
	struct akp_sess *ss;	/* the session used (own or the owner's) */
	struct ak_digest *d;	/* streaming (more than AKP_MD_BUF bytes) */
	uint8_t *buf;		/* AKP_MD_BUF bytes */
	size_t blen;
	int moved;		/* its stream went to a duplicate */
};

int akp_md_init(struct akp_prov *p, struct akp_md *m, int alg,
		struct akp_sess *shared);
int akp_md_update(struct akp_md *m, const void *data, size_t len);
int akp_md_final(struct akp_md *m, uint8_t *out);	/* resets @m */
int akp_md_reset(struct akp_md *m);
/* 0: failed; 1: copied; 2: @src's stream (and its own session, or, when
 * @src uses a shared one, the caller must move the shared session) moved. */
int akp_md_dup(struct akp_md *dst, struct akp_md *src, struct akp_sess *shared);
void akp_md_cleanup(struct akp_md *m);

/* Dispatch tables (digest.c, hmac.c, cipher.c, gcm.c). */
extern const OSSL_DISPATCH akp_sha256_functions[];
extern const OSSL_DISPATCH akp_sha512_functions[];
extern const OSSL_DISPATCH akp_hmac_functions[];
extern const OSSL_DISPATCH akp_aes128cbc_functions[];
extern const OSSL_DISPATCH akp_aes256cbc_functions[];
extern const OSSL_DISPATCH akp_aes128ctr_functions[];
extern const OSSL_DISPATCH akp_aes256ctr_functions[];
extern const OSSL_DISPATCH akp_aes128xts_functions[];
extern const OSSL_DISPATCH akp_aes256xts_functions[];
extern const OSSL_DISPATCH akp_aes128gcm_functions[];
extern const OSSL_DISPATCH akp_aes256gcm_functions[];

/* Generic passthrough of a cipher context to the private libctx. */
EVP_CIPHER_CTX *akp_sw_cipher(struct akp_prov *p, const char *name);

#endif
