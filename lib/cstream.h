/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cipher streams (ak_cipher_stream_*): private state shared by cstream.c
 * (API, device path) and cstream_sw.c (software path, OpenSSL EVP).
 */
#ifndef AK_CSTREAM_H
#define AK_CSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "alg.h"

#define AK_CS_AAD_BUF	(64u << 10)	/* device: AAD buffered per stream */

struct ak_cipher_stream {
	struct ak_session *s;
	int alg;			/* AK_ALG_AES_CBC / _CTR / _GCM */
	bool dec;
	bool device;
	bool data_seen;			/* an update with data happened */
	bool finished;
	int err;			/* sticky error */
	void *sw;			/* software: EVP_CIPHER_CTX */
	uint64_t held;			/* CBC: bytes of a partial block */
	uint8_t key[32];
	size_t key_len;
	uint8_t iv[16];			/* CBC IV / CTR counter / GCM nonce */
	/* device CBC: the partial block; device CTR: unused keystream */
	uint8_t blk[16];
	unsigned ks_off;		/* CTR: next keystream byte (16: none) */
	/* device GCM */
	int ctx;
	uint32_t gen;
	pid_t pid;
	bool started;			/* the device context holds the stream */
	uint8_t *aad;			/* AK_CS_AAD_BUF bytes, pending AAD */
	size_t aad_fill;
	struct aks_params params;
	uint8_t tag[16];		/* LAST job's tag (either direction) */
};

/* ---- cstream_sw.c ---- */
int ak_cs_sw_new(struct ak_cipher_stream *cs);
int ak_cs_sw_aad(struct ak_cipher_stream *cs, const void *aad, size_t len);
int ak_cs_sw_update(struct ak_cipher_stream *cs, const void *src, size_t len,
		    void *dst, size_t *out);
int ak_cs_sw_final(struct ak_cipher_stream *cs, void *tag, size_t tag_len);
void ak_cs_sw_free(struct ak_cipher_stream *cs);

#endif /* AK_CSTREAM_H */
