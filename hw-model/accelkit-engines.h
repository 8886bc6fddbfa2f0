/*
 * accelkit sample accelerator: algorithm engines (zlib, libcrypto)
 *
 * Pure functions on host buffers plus stream-context objects: no DMA, no
 * locking. The device (accelkit.c) translates, reads the inputs, calls
 * ak_eng_run() once per job, writes the output and commits the context.
 * The formats are docs/device.md, "Algorithm engines".
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_ACCELKIT_ENGINES_H
#define HW_MISC_ACCELKIT_ENGINES_H

#define AK_ENG_OP_COMPRESS      3
#define AK_ENG_OP_DECOMPRESS    4
#define AK_ENG_OP_HASH          5
#define AK_ENG_OP_CIPHER        6

#define AK_ENG_PARAMS_SIZE      64
#define AK_ENG_NR_CTX           8
#define AK_ENG_TAG_SIZE         16
#define AK_ENG_IV_MAX           16
#define AK_ENG_KEY_MAX          1024

/* Results of ak_eng_validate() and ak_eng_run() */
enum {
    AK_ENG_OK = 0,
    AK_ENG_INVALID,             /* INVALID_DESC */
    AK_ENG_DATA_ERROR,          /* out->aux: input offset */
    AK_ENG_OVERFLOW,            /* out->aux: bytes needed */
    AK_ENG_AUTH_FAILURE,
    AK_ENG_NOMEM,               /* host allocation or library failure */
};

/* A stream context (opaque): one per queue and index, NULL = free. */
typedef struct AkEngCtx AkEngCtx;

/* The 64-byte parameter block, decoded. */
typedef struct AkEngParams {
    uint32_t alg;
    uint32_t level;
    uint64_t key;
    uint32_t key_len;
    uint32_t iv_len;
    uint64_t iv;
    uint64_t aad;
    uint64_t aad_len;
    uint64_t auth_tag;
    uint64_t rsvd;
} AkEngParams;

/* What a validated job needs read (and written) besides src and dst. */
typedef struct AkEngNeeds {
    uint32_t key_len;           /* 0: no key */
    uint32_t iv_len;            /* 0: no IV */
    uint64_t aad_len;           /* 0: no AAD */
    bool tag_in;                /* GCM one-shot decrypt: read the tag */
    bool tag_out;               /* GCM one-shot encrypt or stream LAST */
} AkEngNeeds;

/* One job for ak_eng_run(). */
typedef struct AkEngJob {
    unsigned op;                /* AK_ENG_OP_* */
    bool first, last, decrypt;
    int flush;                  /* COMPRESS: AK_ENG_FLUSH_* */
    const AkEngParams *p;
    AkEngCtx *ctx;              /* the stream's state (jobs without FIRST) */
    const uint8_t *in;
    uint64_t in_len;
    const uint8_t *key, *iv, *aad, *tag;
    uint64_t out_cap;           /* dst_len */
    uint64_t need_limit;        /* stop counting needed bytes above this */
} AkEngJob;

/* What a job produced. Free with ak_eng_out_free(). */
typedef struct AkEngOut {
    uint8_t *buf;               /* output (out_len bytes, <= out_cap) */
    uint64_t len;
    uint64_t aux;               /* see AK_ENG_*; DECOMPRESS OK: consumed */
    bool end;                   /* DECOMPRESS: end of stream reached */
    uint8_t tag[AK_ENG_TAG_SIZE];   /* GCM encrypt */
    AkEngCtx *next;             /* context state after the job (NULL: free) */
} AkEngOut;

void ak_eng_decode_params(const uint8_t *b, AkEngParams *p);

/*
 * Check a job against its parameter block and the current state of its
 * context (@cur, NULL if free); fill @needs. Returns AK_ENG_OK or
 * AK_ENG_INVALID.
 */
/* COMPRESS job ends (without LAST) */
#define AK_ENG_FLUSH_NONE       0       /* deflate(Z_NO_FLUSH) */
#define AK_ENG_FLUSH_SYNC       1       /* deflate(Z_SYNC_FLUSH) */
#define AK_ENG_FLUSH_FULL       2       /* deflate(Z_FULL_FLUSH) */

int ak_eng_validate(unsigned op, bool first, bool last, bool decrypt,
                    const AkEngParams *p, uint64_t len, uint64_t max_xfer,
                    const AkEngCtx *cur, AkEngNeeds *needs);

/*
 * Run a validated job. Never modifies j->ctx: the new state is returned in
 * out->next. On anything but AK_ENG_OK, out holds no buffer and no context.
 */
int ak_eng_run(const AkEngJob *j, AkEngOut *out);

/*
 * SHA-256/512 fed as the device reads the input (not HMAC, which is one
 * call): ak_eng_hash_begin() gives a job-private context (a copy of
 * j->ctx, or fresh with FIRST; NULL on host failure), _update() takes
 * each piece, _end() consumes the context and fills @out as ak_eng_run()
 * would have (j->in is not used).
 */
bool ak_eng_hash_streams(unsigned op, bool first, const AkEngParams *p);
AkEngCtx *ak_eng_hash_begin(const AkEngJob *j);
bool ak_eng_hash_update(AkEngCtx *n, const void *p, size_t len);
int ak_eng_hash_end(const AkEngJob *j, AkEngCtx *n, AkEngOut *out);

/*
 * AES-CTR (either way), AES-GCM encryption and every job of a GCM stream
 * (FIRST without LAST, middle, LAST) fed as the device reads: each piece
 * of input gives the same number of output bytes, so the device can
 * write them at once. _begin() checks out_cap (OVERFLOW) and takes key,
 * IV and AAD into a job-private context (a stream's later jobs: a copy of
 * j->ctx, plus their AAD); _update() takes one piece (false: host
 * failure); _end() consumes the context and fills @out as ak_eng_run()
 * would have, without a buffer (out->buf NULL, out->len the bytes written
 * by the updates), the GCM tag included; a job without LAST returns the
 * context as out->next (the stream's state if the job succeeds).
 */
bool ak_eng_cipher_streams(unsigned op, bool first, bool last, bool decrypt,
                           const AkEngParams *p);
int ak_eng_cipher_begin(const AkEngJob *j, AkEngOut *out, AkEngCtx **pn);
bool ak_eng_cipher_update(AkEngCtx *n, uint8_t *out, const uint8_t *in,
                          size_t len);
int ak_eng_cipher_end(const AkEngJob *j, AkEngCtx *n, AkEngOut *out);

void ak_eng_out_free(AkEngOut *out);
void ak_eng_ctx_free(AkEngCtx *c);

/* Wipe secrets (OPENSSL_cleanse: not optimised away). */
void ak_eng_wipe(void *p, size_t len);

#endif
