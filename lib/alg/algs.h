/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The algorithm table (algs.c): names, classes and the status -> errno
 * mapping of algorithm jobs. The bottom of lib/alg: includes no other
 * header of the library but the public one.
 */
#ifndef AK_ALG_ALGS_H
#define AK_ALG_ALGS_H

#include <stdbool.h>
#include <stdint.h>

#include "libaccelkit.h"

static inline bool ak_alg_is_comp(int alg)
{
	return alg == AK_ALG_DEFLATE || alg == AK_ALG_ZLIB || alg == AK_ALG_GZIP;
}

static inline bool ak_alg_is_hash(int alg)
{
	return alg == AK_ALG_SHA256 || alg == AK_ALG_SHA512;
}

/* CBC, CTR, XTS (GCM is the AEAD). */
static inline bool ak_alg_is_cipher(int alg)
{
	return alg == AK_ALG_AES_CBC || alg == AK_ALG_AES_CTR ||
	       alg == AK_ALG_AES_XTS;
}

/* zlib's level convention: AK_DEFAULT_COMPRESSION (-1) means
 * AK_LEVEL_DEFAULT (6); 0 stores; 1..9 as given. */
static inline int ak_level(int level)
{
	return level == AK_DEFAULT_COMPRESSION ? AK_LEVEL_DEFAULT : level;
}

static inline bool ak_level_valid(int level)
{
	return level >= AK_DEFAULT_COMPRESSION && level <= 9;
}

/* Device status of an algorithm job -> 0 or negative errno. */
int ak_status_to_err(int status);

/* 64 zero bytes: a valid address for 0-byte buffers (never NULL). */
extern const uint8_t ak_dummy[64];

#endif /* AK_ALG_ALGS_H */
