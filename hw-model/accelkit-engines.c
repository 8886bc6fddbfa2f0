/*
 * accelkit sample accelerator: algorithm engines (zlib, libcrypto)
 *
 * Exact library calls, so that software using the same calls produces
 * bit-identical output (docs/device.md, "Algorithm engines"):
 *
 *   COMPRESS    deflateInit2(&z, level, Z_DEFLATED, wbits, 8,
 *                            Z_DEFAULT_STRATEGY)
 *               wbits: RAW -15, ZLIB 15, GZIP 31 (16 + 15: zlib's default
 *               gzip header: no name, no extra, mtime 0, OS byte 3 on
 *               Unix builds of zlib). Jobs without LAST run
 *               deflate(Z_NO_FLUSH) over their whole input (FLUSH:
 *               Z_SYNC_FLUSH, with FULL: Z_FULL_FLUSH), LAST runs
 *               deflate(Z_FINISH): the concatenated outputs equal the
 *               same deflate() calls on the concatenated input.
 *   DECOMPRESS  inflateInit2(&z, wbits), same wbits; inflate(Z_NO_FLUSH)
 *               until the input is used up or Z_STREAM_END.
 *   HASH        EVP_DigestInit_ex(EVP_sha256() / EVP_sha512()), Update,
 *               Final_ex; HMAC_SHA256: HMAC(EVP_sha256(), key, ...).
 *   CIPHER      EVP_CipherInit_ex with EVP_aes_{128,256}_{cbc,ctr,gcm},
 *               EVP_aes_{128,256}_xts (key 32/64); CBC padding off; GCM
 *               12-byte IV (EVP_CTRL_GCM_SET_IVLEN), AAD via Update with
 *               a NULL output, 16-byte tag (GET_TAG / SET_TAG).
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include <zlib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "accelkit-engines.h"

#define AK_ENG_CHUNK        (256 * KiB)     /* output buffer growth step */
#define AK_ENG_SCRATCH      (64 * KiB)      /* counts bytes beyond out_cap */
#define AK_ENG_XTS_MAX      (16 * MiB)      /* IEEE 1619 data unit limit */

/* Parameter block alg values */
#define AK_FRAME_RAW        0
#define AK_FRAME_ZLIB       1
#define AK_FRAME_GZIP       2
#define AK_HASH_SHA256      0
#define AK_HASH_SHA512      1
#define AK_HASH_HMAC_SHA256 2
#define AK_AES_CBC          0
#define AK_AES_CTR          1
#define AK_AES_XTS          2
#define AK_AES_GCM          3

struct AkEngCtx {
    unsigned op;                /* AK_ENG_OP_* */
    uint32_t alg;
    bool z_init;
    z_stream z;                 /* COMPRESS, DECOMPRESS */
    EVP_MD_CTX *md;             /* HASH */
    EVP_CIPHER_CTX *cc;         /* CIPHER fed as read; GCM stream */
    /*
     * A GCM decrypt stream's tag: libcrypto gives no tag when decrypting,
     * so an encrypting context re-encrypts the plaintext (giving back the
     * ciphertext, and the tag over it). Hardware has the GHASH state.
     */
    EVP_CIPHER_CTX *tc;
    bool decrypt;               /* GCM stream: its direction */
    bool data;                  /* GCM stream: data seen (no more AAD) */
};

void ak_eng_decode_params(const uint8_t *b, AkEngParams *p)
{
    p->alg = ldl_le_p(b);
    p->level = ldl_le_p(b + 4);
    p->key = ldq_le_p(b + 8);
    p->key_len = ldl_le_p(b + 16);
    p->iv_len = ldl_le_p(b + 20);
    p->iv = ldq_le_p(b + 24);
    p->aad = ldq_le_p(b + 32);
    p->aad_len = ldq_le_p(b + 40);
    p->auth_tag = ldq_le_p(b + 48);
    p->rsvd = ldq_le_p(b + 56);
}

int ak_eng_validate(unsigned op, bool first, bool last, bool decrypt,
                    const AkEngParams *p, uint64_t len, uint64_t max_xfer,
                    const AkEngCtx *cur, AkEngNeeds *needs)
{
    memset(needs, 0, sizeof(*needs));
    if (p->rsvd) {
        return AK_ENG_INVALID;
    }
    /* A job that continues a stream needs a live one of its kind. */
    if (!first && (!cur || cur->op != op)) {
        return AK_ENG_INVALID;
    }
    switch (op) {
    case AK_ENG_OP_COMPRESS:
        if (p->alg > AK_FRAME_GZIP || p->level < 1 || p->level > 9) {
            return AK_ENG_INVALID;
        }
        return AK_ENG_OK;
    case AK_ENG_OP_DECOMPRESS:
        return p->alg > AK_FRAME_GZIP ? AK_ENG_INVALID : AK_ENG_OK;
    case AK_ENG_OP_HASH:
        if (p->alg > AK_HASH_HMAC_SHA256) {
            return AK_ENG_INVALID;
        }
        if (p->alg == AK_HASH_HMAC_SHA256) {
            if (!first || !last || p->key_len < 1 ||
                p->key_len > AK_ENG_KEY_MAX) {
                return AK_ENG_INVALID;
            }
            needs->key_len = p->key_len;
        }
        return AK_ENG_OK;
    case AK_ENG_OP_CIPHER:
        /* Only GCM streams: other modes are one-shot (FIRST and LAST). */
        if (p->alg > AK_AES_GCM ||
            (first && !last && p->alg != AK_AES_GCM)) {
            return AK_ENG_INVALID;
        }
        if (!first) {
            /* A GCM stream goes on: AAD only before its first data. */
            if (cur->decrypt != decrypt || p->aad_len > max_xfer ||
                (p->aad_len && cur->data)) {
                return AK_ENG_INVALID;
            }
            needs->aad_len = p->aad_len;
            needs->tag_out = last;      /* the tag, in both directions */
            return AK_ENG_OK;
        }
        if (p->alg == AK_AES_XTS) {
            if ((p->key_len != 32 && p->key_len != 64) || len < 16 ||
                len > AK_ENG_XTS_MAX) {
                return AK_ENG_INVALID;
            }
        } else if (p->key_len != 16 && p->key_len != 32) {
            return AK_ENG_INVALID;
        }
        if (p->iv_len != (p->alg == AK_AES_GCM ? 12 : 16)) {
            return AK_ENG_INVALID;
        }
        if (p->alg == AK_AES_CBC && len % 16) {
            return AK_ENG_INVALID;
        }
        needs->key_len = p->key_len;
        needs->iv_len = p->iv_len;
        if (p->alg == AK_AES_GCM) {
            if (p->aad_len > max_xfer) {
                return AK_ENG_INVALID;
            }
            needs->aad_len = p->aad_len;
            needs->tag_in = decrypt && last;
            needs->tag_out = !decrypt && last;
        }
        return AK_ENG_OK;
    }
    return AK_ENG_INVALID;
}

void ak_eng_ctx_free(AkEngCtx *c)
{
    if (!c) {
        return;
    }
    if (c->z_init) {
        if (c->op == AK_ENG_OP_COMPRESS) {
            deflateEnd(&c->z);
        } else {
            inflateEnd(&c->z);
        }
    }
    EVP_MD_CTX_free(c->md);
    EVP_CIPHER_CTX_free(c->cc);     /* cleanses the key schedule */
    EVP_CIPHER_CTX_free(c->tc);
    g_free(c);
}

void ak_eng_wipe(void *p, size_t len)
{
    if (p && len) {
        OPENSSL_cleanse(p, len);
    }
}

void ak_eng_out_free(AkEngOut *out)
{
    g_free(out->buf);
    out->buf = NULL;
    out->len = 0;
    ak_eng_ctx_free(out->next);
    out->next = NULL;
}

/*
 * Output sink: keeps up to @cap bytes in a buffer that grows as needed,
 * and only counts what comes beyond (so OVERFLOW can tell the size needed
 * without holding it), up to @limit.
 */
typedef struct AkSink {
    uint8_t *buf;
    uint64_t len, alloc, cap, limit, total;
    uint8_t *scratch;
    uint8_t *win;               /* the window handed out last */
} AkSink;

/* Hand out a window to write to; false if out of memory. */
static bool ak_sink_window(AkSink *k, uint8_t **p, uInt *avail)
{
    if (k->len < k->cap) {
        if (k->len == k->alloc) {
            uint64_t n = MIN(k->cap, k->alloc + MAX(k->alloc, AK_ENG_CHUNK));
            uint8_t *b = g_try_realloc(k->buf, n);

            if (!b) {
                return false;
            }
            k->buf = b;
            k->alloc = n;
        }
        k->win = k->buf + k->len;
        *avail = k->alloc - k->len;
    } else {
        if (!k->scratch) {
            k->scratch = g_try_malloc(AK_ENG_SCRATCH);
            if (!k->scratch) {
                return false;
            }
        }
        k->win = k->scratch;
        *avail = AK_ENG_SCRATCH;
    }
    *p = k->win;
    return true;
}

static void ak_sink_commit(AkSink *k, uint64_t n)
{
    k->total += n;
    if (k->win != k->scratch) {
        k->len += n;
    }
}

static bool ak_sink_full(const AkSink *k)
{
    return k->total > k->limit;
}

static void ak_sink_free(AkSink *k)
{
    g_free(k->buf);
    g_free(k->scratch);
}

static int ak_wbits(uint32_t alg)
{
    return alg == AK_FRAME_RAW ? -15 : alg == AK_FRAME_ZLIB ? 15 : 31;
}

/* Set up @n as the next state of @j's stream (fresh or a copy). */
static int ak_zlib_start(const AkEngJob *j, AkEngCtx *n)
{
    bool comp = j->op == AK_ENG_OP_COMPRESS;
    int r;

    if (j->first) {
        memset(&n->z, 0, sizeof(n->z));
        if (comp) {
            r = deflateInit2(&n->z, j->p->level, Z_DEFLATED,
                             ak_wbits(j->p->alg), 8, Z_DEFAULT_STRATEGY);
        } else {
            r = inflateInit2(&n->z, ak_wbits(j->p->alg));
        }
        n->alg = j->p->alg;
    } else {
        n->alg = j->ctx->alg;
        r = comp ? deflateCopy(&n->z, &j->ctx->z)
                 : inflateCopy(&n->z, &j->ctx->z);
    }
    if (r != Z_OK) {
        return AK_ENG_NOMEM;
    }
    n->z_init = true;
    return AK_ENG_OK;
}

static int ak_zlib_run(const AkEngJob *j, AkEngCtx *n, AkEngOut *out)
{
    bool comp = j->op == AK_ENG_OP_COMPRESS;
    AkSink k = { .cap = j->out_cap, .limit = MAX(j->need_limit, j->out_cap) };
    z_stream *z = &n->z;
    int st = AK_ENG_OK, r;
    int zflush = j->last ? Z_FINISH :
                 j->flush == AK_ENG_FLUSH_SYNC ? Z_SYNC_FLUSH :
                 j->flush == AK_ENG_FLUSH_FULL ? Z_FULL_FLUSH : Z_NO_FLUSH;

    z->next_in = (Bytef *)j->in;
    z->avail_in = j->in_len;
    for (;;) {
        uInt avail;

        if (!ak_sink_window(&k, &z->next_out, &avail)) {
            st = AK_ENG_NOMEM;
            break;
        }
        z->avail_out = avail;
        if (comp) {
            r = deflate(z, zflush);
        } else {
            r = inflate(z, Z_NO_FLUSH);
        }
        ak_sink_commit(&k, avail - z->avail_out);
        if (r == Z_STREAM_END) {
            out->end = !comp;
            break;
        }
        if (r == Z_DATA_ERROR || r == Z_NEED_DICT) {
            st = AK_ENG_DATA_ERROR;
            out->aux = j->in_len - z->avail_in;
            /*
             * A bad trailer field (zlib Adler-32, gzip CRC-32 or ISIZE)
             * is found once its 4 bytes are read: report where the field
             * starts, so the offset of a corrupt stream is never the end
             * of the input (which means truncation).
             */
            if (z->msg && out->aux >= 4 &&
                (!strcmp(z->msg, "incorrect data check") ||
                 !strcmp(z->msg, "incorrect length check"))) {
                out->aux -= 4;
            }
            break;
        }
        if (r == Z_MEM_ERROR || r == Z_STREAM_ERROR) {
            st = AK_ENG_NOMEM;
            break;
        }
        /* Z_OK or Z_BUF_ERROR: done when the input is in, output out. */
        if (z->avail_out && (!z->avail_in || r == Z_BUF_ERROR) &&
            !(comp && j->last)) {
            break;
        }
        if (r == Z_BUF_ERROR && z->avail_out) {
            st = AK_ENG_NOMEM;  /* Z_FINISH cannot stall with room left */
            break;
        }
        if (ak_sink_full(&k)) {
            break;              /* more than anyone can take: OVERFLOW */
        }
    }
    if (st == AK_ENG_OK && k.total > k.cap) {
        st = AK_ENG_OVERFLOW;
        out->aux = k.total;
    }
    if (st != AK_ENG_OK) {
        ak_sink_free(&k);
        out->end = false;
        return st;
    }
    g_free(k.scratch);
    out->buf = k.buf;
    out->len = k.len;
    if (!comp) {
        out->aux = j->in_len - z->avail_in;
    }
    return AK_ENG_OK;
}

static int ak_eng_zlib(const AkEngJob *j, AkEngOut *out)
{
    AkEngCtx *n = g_new0(AkEngCtx, 1);
    int st;

    n->op = j->op;
    st = ak_zlib_start(j, n);
    if (st == AK_ENG_OK) {
        st = ak_zlib_run(j, n, out);
    }
    /* The stream goes on unless this was its last job or its end. */
    if (st != AK_ENG_OK || j->last || out->end) {
        ak_eng_ctx_free(n);
        n = NULL;
    }
    out->next = n;
    return st;
}

bool ak_eng_hash_streams(unsigned op, bool first, const AkEngParams *p)
{
    return op == AK_ENG_OP_HASH && !(first && p->alg == AK_HASH_HMAC_SHA256);
}

static bool ak_eng_hash_sha512(const AkEngJob *j)
{
    return j->first ? j->p->alg == AK_HASH_SHA512
                    : j->ctx->alg == AK_HASH_SHA512;
}

AkEngCtx *ak_eng_hash_begin(const AkEngJob *j)
{
    bool sha512 = ak_eng_hash_sha512(j);
    AkEngCtx *n = g_new0(AkEngCtx, 1);

    n->op = j->op;
    n->alg = sha512 ? AK_HASH_SHA512 : AK_HASH_SHA256;
    n->md = EVP_MD_CTX_new();
    if (!n->md ||
        !(j->first ? EVP_DigestInit_ex(n->md, sha512 ? EVP_sha512()
                                                     : EVP_sha256(), NULL)
                   : EVP_MD_CTX_copy_ex(n->md, j->ctx->md))) {
        ak_eng_ctx_free(n);
        return NULL;
    }
    return n;
}

bool ak_eng_hash_update(AkEngCtx *n, const void *p, size_t len)
{
    return EVP_DigestUpdate(n->md, p, len);
}

int ak_eng_hash_end(const AkEngJob *j, AkEngCtx *n, AkEngOut *out)
{
    uint64_t dlen = n->alg == AK_HASH_SHA512 ? 64 : 32;
    unsigned int olen = 0;

    memset(out, 0, sizeof(*out));
    if (j->last && j->out_cap < dlen) {
        ak_eng_ctx_free(n);
        out->aux = dlen;
        return AK_ENG_OVERFLOW;
    }
    if (!j->last) {
        out->next = n;
        return AK_ENG_OK;
    }
    out->buf = g_malloc(dlen);
    if (!EVP_DigestFinal_ex(n->md, out->buf, &olen) || olen != dlen) {
        ak_eng_ctx_free(n);
        ak_eng_out_free(out);
        return AK_ENG_NOMEM;
    }
    ak_eng_ctx_free(n);
    out->len = dlen;
    return AK_ENG_OK;
}

static int ak_eng_hash(const AkEngJob *j, AkEngOut *out)
{
    static const uint8_t empty[1];
    const uint8_t *in = j->in_len ? j->in : empty;
    uint64_t dlen = ak_eng_hash_sha512(j) ? 64 : 32;
    unsigned int olen = 0;
    AkEngCtx *n;

    if (j->last && j->out_cap < dlen) {
        out->aux = dlen;
        return AK_ENG_OVERFLOW;
    }
    if (j->first && j->p->alg == AK_HASH_HMAC_SHA256) {
        out->buf = g_malloc(dlen);
        if (!HMAC(EVP_sha256(), j->key, j->p->key_len, in, j->in_len,
                  out->buf, &olen) || olen != dlen) {
            ak_eng_out_free(out);
            return AK_ENG_NOMEM;
        }
        out->len = dlen;
        return AK_ENG_OK;
    }
    n = ak_eng_hash_begin(j);
    if (!n) {
        return AK_ENG_NOMEM;
    }
    if (!ak_eng_hash_update(n, in, j->in_len)) {
        ak_eng_ctx_free(n);
        return AK_ENG_NOMEM;
    }
    return ak_eng_hash_end(j, n, out);
}

static const EVP_CIPHER *ak_cipher(uint32_t alg, uint32_t key_len)
{
    bool big = key_len == 32;

    switch (alg) {
    case AK_AES_CBC:
        return big ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
    case AK_AES_CTR:
        return big ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
    case AK_AES_XTS:
        return key_len == 64 ? EVP_aes_256_xts() : EVP_aes_128_xts();
    default:
        return big ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
    }
}

/*
 * A cipher context set up for @j: key, IV and (GCM) AAD taken. Returns
 * AK_ENG_OK, AK_ENG_INVALID (equal XTS key halves) or AK_ENG_NOMEM.
 */
static int ak_cipher_init(const AkEngJob *j, bool enc, EVP_CIPHER_CTX **pc)
{
    const AkEngParams *p = j->p;
    bool gcm = p->alg == AK_AES_GCM;
    EVP_CIPHER_CTX *c;
    int n = 0, st = AK_ENG_NOMEM;

    /*
     * XTS needs two different key halves (SP 800-38E). libcrypto checks
     * that only when encrypting; the contract says so in both directions.
     */
    if (p->alg == AK_AES_XTS &&
        !memcmp(j->key, j->key + p->key_len / 2, p->key_len / 2)) {
        return AK_ENG_INVALID;
    }
    c = EVP_CIPHER_CTX_new();
    if (!c ||
        !EVP_CipherInit_ex(c, ak_cipher(p->alg, p->key_len), NULL, NULL,
                           NULL, enc)) {
        goto fail;
    }
    if (gcm && !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, p->iv_len,
                                    NULL)) {
        goto fail;
    }
    if (!EVP_CipherInit_ex(c, NULL, NULL, j->key, j->iv, enc)) {
        st = AK_ENG_INVALID;
        goto fail;
    }
    if (p->alg == AK_AES_CBC) {
        EVP_CIPHER_CTX_set_padding(c, 0);
    }
    if (gcm && p->aad_len &&
        !EVP_CipherUpdate(c, NULL, &n, j->aad, p->aad_len)) {
        goto fail;
    }
    *pc = c;
    return AK_ENG_OK;
fail:
    EVP_CIPHER_CTX_free(c);
    return st;
}

/* Final block (none with padding off) and the GCM tag. */
static int ak_cipher_final(const AkEngJob *j, EVP_CIPHER_CTX *c,
                           uint8_t *rest, int *fin, AkEngOut *out)
{
    bool gcm = j->p->alg == AK_AES_GCM;

    if (gcm && j->decrypt &&
        !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, AK_ENG_TAG_SIZE,
                             (void *)j->tag)) {
        return AK_ENG_NOMEM;
    }
    if (!EVP_CipherFinal_ex(c, rest, fin)) {
        return gcm && j->decrypt ? AK_ENG_AUTH_FAILURE : AK_ENG_NOMEM;
    }
    if (gcm && !j->decrypt &&
        !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, AK_ENG_TAG_SIZE,
                             out->tag)) {
        return AK_ENG_NOMEM;
    }
    return AK_ENG_OK;
}

static int ak_eng_cipher_stream(const AkEngJob *j, AkEngOut *out)
{
    AkEngCtx *n = NULL;
    uint8_t *buf;
    int st;

    st = ak_eng_cipher_begin(j, out, &n);
    if (st != AK_ENG_OK) {
        return st;
    }
    buf = g_try_malloc(MAX(j->in_len, 1));
    if (!buf) {
        ak_eng_ctx_free(n);
        return AK_ENG_NOMEM;
    }
    if (!ak_eng_cipher_update(n, buf, j->in, j->in_len)) {
        ak_eng_ctx_free(n);
        g_free(buf);
        return AK_ENG_NOMEM;
    }
    st = ak_eng_cipher_end(j, n, out);
    if (st != AK_ENG_OK) {
        ak_eng_out_free(out);
        OPENSSL_cleanse(buf, j->in_len);
        g_free(buf);
        return st;
    }
    out->buf = buf;
    return AK_ENG_OK;
}

static int ak_eng_cipher(const AkEngJob *j, AkEngOut *out)
{
    EVP_CIPHER_CTX *c = NULL;
    int n = 0, fin = 0, st;

    if (!(j->first && j->last)) {
        return ak_eng_cipher_stream(j, out);
    }
    if (j->out_cap < j->in_len) {
        out->aux = j->in_len;
        return AK_ENG_OVERFLOW;
    }
    /* One block of slack: EVP may want it even with padding off. */
    out->buf = g_try_malloc(j->in_len + 32);
    if (!out->buf) {
        return AK_ENG_NOMEM;
    }
    st = ak_cipher_init(j, !j->decrypt, &c);
    if (st != AK_ENG_OK) {
        goto done;
    }
    if (j->in_len && !EVP_CipherUpdate(c, out->buf, &n, j->in, j->in_len)) {
        st = j->p->alg == AK_AES_XTS ? AK_ENG_INVALID : AK_ENG_NOMEM;
        goto done;
    }
    st = ak_cipher_final(j, c, out->buf + n, &fin, out);
    if (st == AK_ENG_OK && (uint64_t)n + fin != j->in_len) {
        st = AK_ENG_NOMEM;
    }
    out->len = j->in_len;
done:
    EVP_CIPHER_CTX_free(c);
    if (st != AK_ENG_OK) {
        OPENSSL_cleanse(out->buf, j->in_len + 32);
        ak_eng_out_free(out);
    }
    return st;
}

bool ak_eng_cipher_streams(unsigned op, bool first, bool last, bool decrypt,
                           const AkEngParams *p)
{
    /* A GCM stream job releases its plaintext without a tag check. */
    return op == AK_ENG_OP_CIPHER &&
           (!(first && last) || p->alg == AK_AES_CTR ||
            (p->alg == AK_AES_GCM && !decrypt));
}

/* @n continues the GCM stream of j->ctx: copies of its contexts. */
static int ak_cipher_copy(const AkEngJob *j, AkEngCtx *n)
{
    const AkEngCtx *c = j->ctx;
    int l = 0;

    n->alg = c->alg;
    n->decrypt = c->decrypt;
    n->data = c->data;
    n->cc = EVP_CIPHER_CTX_new();
    if (!n->cc || !EVP_CIPHER_CTX_copy(n->cc, c->cc)) {
        return AK_ENG_NOMEM;
    }
    if (c->tc) {
        n->tc = EVP_CIPHER_CTX_new();
        if (!n->tc || !EVP_CIPHER_CTX_copy(n->tc, c->tc)) {
            return AK_ENG_NOMEM;
        }
    }
    if (j->p->aad_len &&
        (!EVP_CipherUpdate(n->cc, NULL, &l, j->aad, j->p->aad_len) ||
         (n->tc &&
          !EVP_CipherUpdate(n->tc, NULL, &l, j->aad, j->p->aad_len)))) {
        return AK_ENG_NOMEM;
    }
    return AK_ENG_OK;
}

int ak_eng_cipher_begin(const AkEngJob *j, AkEngOut *out, AkEngCtx **pn)
{
    AkEngCtx *n;
    int st;

    memset(out, 0, sizeof(*out));
    if (j->out_cap < j->in_len) {
        out->aux = j->in_len;
        return AK_ENG_OVERFLOW;
    }
    n = g_new0(AkEngCtx, 1);
    n->op = j->op;
    if (j->first) {
        n->alg = j->p->alg;
        n->decrypt = j->decrypt;
        st = ak_cipher_init(j, !j->decrypt, &n->cc);
        if (st == AK_ENG_OK && j->decrypt && !j->last) {
            st = ak_cipher_init(j, true, &n->tc);
        }
    } else {
        st = ak_cipher_copy(j, n);
    }
    if (st != AK_ENG_OK) {
        ak_eng_ctx_free(n);
        return st;
    }
    n->data = n->data || j->in_len;
    *pn = n;
    return AK_ENG_OK;
}

bool ak_eng_cipher_update(AkEngCtx *n, uint8_t *out, const uint8_t *in,
                          size_t len)
{
    uint8_t tmp[4096];
    size_t off, k;
    int outl = 0;

    if (len > INT_MAX || !EVP_CipherUpdate(n->cc, out, &outl, in, len) ||
        (size_t)outl != len) {
        return false;
    }
    /* Decrypt stream: the plaintext through the tag context. */
    for (off = 0; n->tc && off < len; off += k) {
        k = MIN(len - off, sizeof(tmp));
        if (!EVP_CipherUpdate(n->tc, tmp, &outl, out + off, k) ||
            (size_t)outl != k) {
            return false;
        }
    }
    return true;
}

int ak_eng_cipher_end(const AkEngJob *j, AkEngCtx *n, AkEngOut *out)
{
    uint8_t rest[32];
    int fin = 0, st;

    if (!j->last) {
        out->next = n;          /* the stream goes on in this state */
        out->len = j->in_len;
        return AK_ENG_OK;
    }
    if (!j->first) {
        /* A stream's LAST: the computed tag, in both directions. */
        EVP_CIPHER_CTX *t = n->tc ? n->tc : n->cc;

        st = EVP_CipherFinal_ex(t, rest, &fin) && !fin &&
             EVP_CIPHER_CTX_ctrl(t, EVP_CTRL_GCM_GET_TAG, AK_ENG_TAG_SIZE,
                                 out->tag) ? AK_ENG_OK : AK_ENG_NOMEM;
        ak_eng_ctx_free(n);
        out->len = st == AK_ENG_OK ? j->in_len : 0;
        return st;
    }
    st = ak_cipher_final(j, n->cc, rest, &fin, out);
    ak_eng_ctx_free(n);
    if (st == AK_ENG_OK && fin) {
        st = AK_ENG_NOMEM;      /* stream modes keep nothing back */
    }
    out->len = st == AK_ENG_OK ? j->in_len : 0;
    return st;
}

int ak_eng_run(const AkEngJob *j, AkEngOut *out)
{
    memset(out, 0, sizeof(*out));
    switch (j->op) {
    case AK_ENG_OP_COMPRESS:
    case AK_ENG_OP_DECOMPRESS:
        return ak_eng_zlib(j, out);
    case AK_ENG_OP_HASH:
        return ak_eng_hash(j, out);
    case AK_ENG_OP_CIPHER:
        return ak_eng_cipher(j, out);
    }
    return AK_ENG_INVALID;
}
