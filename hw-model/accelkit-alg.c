/*
 * accelkit sample accelerator: algorithm jobs (COMPRESS, DECOMPRESS, HASH,
 * CIPHER). This file reads their inputs, runs the engine of
 * accelkit-engines.c once and writes the outputs, in steps (accelkit.c).
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "accelkit.h"

/*
 * Algorithm jobs
 */

void ak_alg_job_free(AkAlgJob *a)
{
    if (!a) {
        return;
    }
    if (a->rd[AK_RD_KEY].buf) {
        ak_eng_wipe(a->rd[AK_RD_KEY].buf, a->rd[AK_RD_KEY].len);
        g_free(a->rd[AK_RD_KEY].buf);
    }
    g_free(a->rd[AK_RD_AAD].buf);
    g_free(a->rd[AK_RD_SRC].buf);
    ak_eng_ctx_free(a->hctx);
    ak_eng_wipe(a->iv, sizeof(a->iv));
    ak_eng_out_free(&a->out);
    g_free(a);
}

/*
 * Copy between guest memory at @va and a device buffer, up to
 * AK_STEP_BYTES a step: physically contiguous runs, the first of a step
 * possibly walked, the others cache hits (a miss ends the step); *done is
 * the progress, kept across NEED_PAGE. With @feed (a read), the runs go
 * to that hash context instead of @buf.
 */
static int ak_copy_range(AkState *s, AkRun *r, uint64_t va, uint8_t *buf,
                         uint64_t len, uint64_t *done, bool write,
                         AkEngCtx *feed, AkStall *stall)
{
    while (*done < len) {
        bool first = true;
        int st = ak_step_xlate(s, r);

        while (st == AK_ST_SUCCESS && *done < len &&
               r->step_bytes < AK_STEP_BYTES) {
            hwaddr gpa, l;
            uint64_t n = 0;
            uint8_t *p;

            st = ak_xlate_run(s, r, va + *done, len - *done, write, true,
                              first, &gpa, &n);
            if (st != AK_ST_SUCCESS) {
                break;
            }
            first = false;
            l = n;
            p = ak_dma_map(s, gpa, &l, write);
            if (!p) {
                return AK_ST_DMA_ERROR;
            }
            if (write) {
                memcpy(p, buf + *done, l);
            } else if (!feed) {
                memcpy(buf + *done, p, l);
            } else if (!ak_eng_hash_update(feed, p, l)) {
                ak_dma_unmap(s, p, l, write);
                return AK_ST_DMA_ERROR;     /* host failure */
            }
            ak_dma_unmap(s, p, l, write);
            r->step_bytes += l;
            *done += l;
        }
        if (st != AK_ST_SUCCESS && st != AK_ST_MISS) {
            *stall = (AkStall){ va + *done, len - *done, write };
            return st;
        }
    }
    return AK_ST_SUCCESS;
}

static int ak_read_range(AkState *s, AkRun *r, AkRange *rg, AkStall *stall)
{
    return ak_copy_range(s, r, rg->va, rg->buf, rg->len, &rg->done, false,
                         NULL, stall);
}

static int ak_write_range(AkState *s, AkRun *r, uint64_t va,
                          const uint8_t *buf, uint64_t len, uint64_t *done,
                          AkStall *stall)
{
    return ak_copy_range(s, r, va, (uint8_t *)buf, len, done, true, NULL,
                         stall);
}

/*
 * Read and check the parameter block, then set up the input ranges.
 * Returns SUCCESS, NEED_PAGE (resumable), or a status that ends the job.
 */
static int ak_alg_setup(AkState *s, AkRun *r, AkJob *j,
                        AkEngCtx *cur, AkStall *stall)
{
    const AkDesc *d = &j->d;
    AkAlgJob *a = j->alg;
    AkRange *rd = a->rd;
    const AkEngParams *p = &a->p;
    int st, i;

    rd[AK_RD_PARAMS].va = d->rsvd1[0];
    rd[AK_RD_PARAMS].len = AK_ENG_PARAMS_SIZE;
    rd[AK_RD_PARAMS].buf = a->pblk;
    st = ak_read_range(s, r, &rd[AK_RD_PARAMS], stall);
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    ak_eng_decode_params(a->pblk, &a->p);
    /* FLUSH (FULL only with it): a COMPRESS job that does not end it. */
    if ((d->flags & (AK_DF_FLUSH | AK_DF_FULL)) &&
        (d->opcode != AK_ENG_OP_COMPRESS || (d->flags & AK_DF_LAST) ||
         !(d->flags & AK_DF_FLUSH))) {
        return AK_ST_INVALID_DESC;
    }
    if (ak_eng_validate(d->opcode, d->flags & AK_DF_FIRST,
                        d->flags & AK_DF_LAST, d->flags & AK_DF_DECRYPT,
                        p, d->len, AK_MAX_XFER, cur,
                        &a->needs) != AK_ENG_OK) {
        return AK_ST_INVALID_DESC;
    }
    rd[AK_RD_KEY] = (AkRange){ .va = p->key, .len = a->needs.key_len };
    rd[AK_RD_IV] = (AkRange){ .va = p->iv, .len = a->needs.iv_len,
                              .buf = a->iv };
    rd[AK_RD_AAD] = (AkRange){ .va = p->aad, .len = a->needs.aad_len };
    rd[AK_RD_TAG] = (AkRange){ .va = p->auth_tag, .buf = a->tag_in,
                               .len = a->needs.tag_in ? AK_ENG_TAG_SIZE : 0 };
    rd[AK_RD_SRC] = (AkRange){ .va = d->src, .len = d->len };
    /* A digest needs no copy of its input: it is fed as it is read. */
    a->feed = ak_eng_hash_streams(d->opcode, d->flags & AK_DF_FIRST, p);
    /*
     * Nor does a stream cipher, which writes each piece as it reads it,
     * unless src and dst partially overlap (a write would change input
     * not read yet); in place (src == dst) is fine.
     */
    a->direct = ak_eng_cipher_streams(d->opcode, d->flags & AK_DF_FIRST,
                                      d->flags & AK_DF_LAST,
                                      d->flags & AK_DF_DECRYPT, p) &&
                (d->src == d->dst || !ak_overlap(d->src, d->dst, d->len));
    /* Host memory is bounded by MAX_XFER per buffer; failing is not fatal. */
    for (i = AK_RD_KEY; i < AK_RD_N; i++) {
        if ((a->feed || a->direct) && i == AK_RD_SRC) {
            continue;
        }
        if (rd[i].len && !rd[i].buf) {
            rd[i].buf = g_try_malloc(rd[i].len);
            if (!rd[i].buf) {
                return AK_ST_DMA_ERROR;
            }
        }
    }
    a->validated = true;
    return AK_ST_SUCCESS;
}

static int ak_eng_status(int eng_st)
{
    switch (eng_st) {
    case AK_ENG_OK:
        return AK_ST_SUCCESS;
    case AK_ENG_INVALID:
        return AK_ST_INVALID_DESC;
    case AK_ENG_DATA_ERROR:
        return AK_ST_DATA_ERROR;
    case AK_ENG_OVERFLOW:
        return AK_ST_OVERFLOW;
    case AK_ENG_AUTH_FAILURE:
        return AK_ST_AUTH_FAILURE;
    }
    return AK_ST_DMA_ERROR;     /* host failure: reported as a bus error */
}

static bool ak_cipher_fn(void *opaque, uint8_t *dst, const uint8_t *src,
                         uint64_t n, uint64_t off)
{
    return ak_eng_cipher_update(opaque, dst, src, n);
}

/*
 * A stream cipher job from src's pages straight to dst's: every page of
 * src, dst and the GCM tag is translated first (so a job that faults
 * there writes nothing), then a data pass encrypts each run into dst.
 * SUCCESS once the engine is done (a->eng_st, a->out set).
 */
static int ak_alg_direct(AkState *s, AkRun *r, AkJob *j, const AkEngJob *ej,
                         AkStall *stall)
{
    const AkDesc *d = &j->d;
    AkAlgJob *a = j->alg;
    AkMove m = {
        .src = d->src, .dst = d->dst, .len = d->len, .has_src = true,
        .fn = ak_cipher_fn,
    };
    int st;

    if (!a->hctx) {
        a->eng_st = ak_eng_cipher_begin(ej, &a->out, &a->hctx);
        if (a->eng_st != AK_ENG_OK) {
            return AK_ST_SUCCESS;
        }
    }
    st = ak_check_range(s, r, d->src, d->len, false, &j->src_ok, stall);
    if (st == AK_ST_SUCCESS) {
        st = ak_check_range(s, r, d->dst, d->len, true, &j->dst_ok, stall);
    }
    if (st == AK_ST_SUCCESS && a->needs.tag_out) {
        st = ak_check_range(s, r, a->p.auth_tag, AK_ENG_TAG_SIZE, true,
                            &a->tag_ok, stall);
    }
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    m.opaque = a->hctx;
    st = ak_move_data(s, r, j, &m, stall);
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    a->eng_st = ak_eng_cipher_end(ej, a->hctx, &a->out);
    a->hctx = NULL;
    return AK_ST_SUCCESS;
}

/*
 * COMPRESS, DECOMPRESS, HASH, CIPHER, resumable in three steps, each
 * keeping its progress in j->alg across page-request stalls:
 *  1. read the parameter block and every input (key, IV, AAD, tag, src)
 *     into host buffers; a SHA-256/512 digest takes its src straight from
 *     the mapped guest pages instead, into a copy of the stream context;
 *  2. run the engine once on a copy of the stream context (@cur) (the
 *     digest: finish it);
 *  3. translate all of dst (output bytes) and the GCM tag, then write them.
 * AES-CTR, AES-GCM encryption and GCM stream jobs instead do steps 2 and
 * 3 at once, from src's pages to dst's (ak_alg_direct()).
 * Nothing is written before step 3, so a job that fails earlier (or in
 * the translation pass of step 3) writes nothing. The caller commits
 * j->alg->out.next as the context's new state on SUCCESS.
 */
int ak_alg_exec(AkState *s, AkRun *r, AkJob *j, AkEngCtx *cur, AkCpl *c,
                AkStall *stall)
{
    const AkDesc *d = &j->d;
    AkAlgJob *a = j->alg;
    AkEngOut *out = &a->out;
    int st, i;

    if (!a->validated) {
        st = ak_alg_setup(s, r, j, cur, stall);
        if (st != AK_ST_SUCCESS) {
            return st;
        }
    }
    if (!a->ran) {
        AkEngJob ej = {
            .op = d->opcode,
            .first = d->flags & AK_DF_FIRST,
            .last = d->flags & AK_DF_LAST,
            .decrypt = d->flags & AK_DF_DECRYPT,
            .flush = !(d->flags & AK_DF_FLUSH) ? AK_ENG_FLUSH_NONE :
                     (d->flags & AK_DF_FULL) ? AK_ENG_FLUSH_FULL :
                     AK_ENG_FLUSH_SYNC,
            .p = &a->p,
            .ctx = (d->flags & AK_DF_FIRST) ? NULL : cur,
            .in = a->rd[AK_RD_SRC].buf,
            .in_len = d->len,
            .key = a->rd[AK_RD_KEY].buf,
            .iv = a->iv,
            .aad = a->rd[AK_RD_AAD].buf,
            .tag = a->tag_in,
            .out_cap = d->pattern,
            .need_limit = AK_MAX_XFER,
        };

        for (i = AK_RD_KEY; i < AK_RD_N; i++) {
            if ((a->feed || a->direct) && i == AK_RD_SRC) {
                continue;
            }
            st = ak_read_range(s, r, &a->rd[i], stall);
            if (st != AK_ST_SUCCESS) {
                return st;
            }
        }
        if (a->direct) {
            st = ak_alg_direct(s, r, j, &ej, stall);
            if (st != AK_ST_SUCCESS) {
                return st;
            }
        } else if (a->feed) {
            AkRange *src = &a->rd[AK_RD_SRC];

            if (!a->hctx) {
                a->hctx = ak_eng_hash_begin(&ej);
                if (!a->hctx) {
                    return AK_ST_DMA_ERROR;     /* host failure */
                }
            }
            st = ak_copy_range(s, r, src->va, NULL, src->len, &src->done,
                               false, a->hctx, stall);
            if (st != AK_ST_SUCCESS) {
                return st;
            }
        }
        /*
         * The engine works on device memory only: not a step. A disable
         * or reset meanwhile is seen at the next step, which drops the
         * result.
         */
        ak_step_end(s, r);
        if (a->feed) {
            a->eng_st = ak_eng_hash_end(&ej, a->hctx, out);
            a->hctx = NULL;
        } else if (!a->direct) {
            a->eng_st = ak_eng_run(&ej, out);
        }
        a->ran = true;
        /* Inputs are no longer needed: wipe the key, free the rest now. */
        if (a->rd[AK_RD_KEY].buf) {
            ak_eng_wipe(a->rd[AK_RD_KEY].buf, a->rd[AK_RD_KEY].len);
        }
        g_free(a->rd[AK_RD_AAD].buf);
        g_free(a->rd[AK_RD_SRC].buf);
        a->rd[AK_RD_AAD].buf = a->rd[AK_RD_SRC].buf = NULL;
    }
    if (a->eng_st != AK_ENG_OK) {
        if (a->eng_st == AK_ENG_DATA_ERROR || a->eng_st == AK_ENG_OVERFLOW) {
            c->fault_addr = out->aux;
        }
        return ak_eng_status(a->eng_st);
    }

    st = ak_check_range(s, r, d->dst, out->len, true, &j->dst_ok, stall);
    if (st == AK_ST_SUCCESS && a->needs.tag_out) {
        st = ak_check_range(s, r, a->p.auth_tag, AK_ENG_TAG_SIZE, true,
                            &a->tag_ok, stall);
    }
    if (st == AK_ST_SUCCESS) {
        st = ak_write_range(s, r, d->dst, out->buf, out->len, &j->done,
                            stall);
    }
    if (st == AK_ST_SUCCESS && a->needs.tag_out) {
        st = ak_write_range(s, r, a->p.auth_tag, out->tag, AK_ENG_TAG_SIZE,
                            &a->tag_done, stall);
    }
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    if (d->opcode == AK_OP_DECOMPRESS) {
        c->fault_addr = out->aux;       /* input bytes consumed */
        c->flags = out->end ? AK_CF_END : 0;
    }
    return AK_ST_SUCCESS;
}
