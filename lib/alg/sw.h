/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Software engines (sw.c): zlib / libcrypto called with the same
 * parameters as the device's engines. No session state: includes only the
 * public header. All return 0 or negative errno.
 */
#ifndef AK_ALG_SW_H
#define AK_ALG_SW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libaccelkit.h"

int ak_sw_wbits(int alg);			/* -15 / 15 / 31 */
int ak_sw_compress(int alg, int level, const void *src, size_t len,
		   void *dst, size_t cap, size_t *out);	/* -ENOSPC: *out=need */
int ak_sw_decompress(int alg, const void *src, size_t len, void *dst,
		     size_t cap, size_t *out, uint64_t *err_off);
int ak_sw_digest(int alg, const void *src, size_t len, uint8_t *out);
int ak_sw_hmac(const void *key, size_t key_len, const void *src, size_t len,
	       uint8_t *out);
int ak_sw_cipher(int alg, bool enc, const void *key, size_t key_len,
		 const void *iv, const void *src, size_t len, void *dst);
int ak_sw_gcm(bool enc, const void *key, size_t key_len, const void *nonce,
	      const void *aad, size_t aad_len, const void *src, size_t len,
	      void *dst, uint8_t *tag);
void *ak_sw_md_new(int alg);			/* EVP_MD_CTX */
int ak_sw_md_update(void *ctx, const void *p, size_t len);
int ak_sw_md_final(void *ctx, int alg, uint8_t *out);	/* and re-init */
void ak_sw_md_free(void *ctx);

#endif /* AK_ALG_SW_H */
