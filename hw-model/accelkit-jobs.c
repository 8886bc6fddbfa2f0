/*
 * accelkit sample accelerator: jobs. Descriptor decoding and checks, NOP,
 * COPY and FILL; algorithm jobs continue in accelkit-alg.c. Everything
 * here runs on a device worker, step by step (accelkit-step.c), and
 * reaches guest memory only through translations of the job's PASID, or
 * in DMA mode through bus addresses (accelkit-xlate.c).
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "accelkit.h"

void ak_decode(const uint8_t *b, AkDesc *d)
{
    d->opcode = lduw_le_p(b);
    d->flags = lduw_le_p(b + 2);
    d->rsvd0 = ldl_le_p(b + 4);
    d->tag = ldq_le_p(b + 8);
    d->src = ldq_le_p(b + 16);
    d->dst = ldq_le_p(b + 24);
    d->len = ldq_le_p(b + 32);
    d->pattern = ldq_le_p(b + 40);
    d->rsvd1[0] = ldq_le_p(b + 48);
    d->rsvd1[1] = ldq_le_p(b + 56);
}

/*
 * Translation pass: translate every page of [va + *pdone, va + len),
 * advancing *pdone, one walk per step (cached pages need none). On a
 * fault *stall gets the first bad VA and the rest of the buffer.
 */
int ak_check_range(AkState *s, AkRun *r, uint64_t va, uint64_t len,
                   bool write, uint64_t *pdone, AkStall *stall)
{
    uint64_t done = *pdone;

    while (done < len) {
        hwaddr gpa;
        uint64_t n = 0;
        int st = ak_step_xlate(s, r);

        if (st == AK_ST_SUCCESS) {
            st = ak_xlate_run(s, r, va + done, len - done, write, false,
                              true, &gpa, &n);
        }
        if (st != AK_ST_SUCCESS) {
            stall->va = va + done;
            stall->len = len - done;
            stall->write = write;
            *pdone = done;
            return st;
        }
        done += n;
    }
    *pdone = done;
    return AK_ST_SUCCESS;
}

/* FILL: the pattern's bytes, phase given by the offset in the job. */
static void ak_fill(uint8_t *p, uint64_t n, uint64_t pattern, uint64_t off)
{
    uint8_t pat[8];
    uint64_t i;

    for (i = 0; i < 8; i++) {
        pat[i] = pattern >> (((off + i) & 7) * 8);
    }
    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(p + i, pat, 8);
    }
    memcpy(p + i, pat, n - i);
}

/*
 * One step of a data pass: physically contiguous runs of src (if any) and
 * dst, mapped and handed to @fn, up to AK_STEP_BYTES; only the first run
 * may walk (AK_ST_MISS: the step is over, the next one walks).
 */
static int ak_move_step(AkState *s, AkRun *r, AkJob *j, const AkMove *m,
                        AkStall *stall)
{
    bool first = true;
    int st = AK_ST_SUCCESS;

    while (j->done < m->len && r->step_bytes < AK_STEP_BYTES) {
        uint64_t rest = m->len - j->done, n = rest, sn;
        hwaddr sgpa = 0, dgpa, dl, sl;
        uint8_t *dp, *sp = NULL;

        if (m->has_src) {
            st = ak_xlate_run(s, r, m->src + j->done, rest, false, true,
                              first, &sgpa, &sn);
            if (st != AK_ST_SUCCESS) {
                *stall = (AkStall){ m->src + j->done, rest, false };
                return st;
            }
            n = sn;
        }
        st = ak_xlate_run(s, r, m->dst + j->done, n, true, true, first,
                          &dgpa, &n);
        if (st != AK_ST_SUCCESS) {
            *stall = (AkStall){ m->dst + j->done, rest, true };
            return st;
        }
        first = false;
        dl = n;
        dp = ak_dma_map(s, dgpa, &dl, true);
        if (!dp) {
            return AK_ST_DMA_ERROR;
        }
        n = dl;
        if (m->has_src) {
            sl = dl;
            sp = ak_dma_map(s, sgpa, &sl, false);
            if (!sp) {
                ak_dma_unmap(s, dp, dl, true);
                return AK_ST_DMA_ERROR;
            }
            n = sl;
        }
        if (!m->fn(m->opaque, dp, sp, n, j->done)) {
            st = AK_ST_DMA_ERROR;       /* host failure */
        }
        if (sp) {
            ak_dma_unmap(s, sp, sl, false);
        }
        ak_dma_unmap(s, dp, dl, true);
        if (st != AK_ST_SUCCESS) {
            return st;
        }
        r->step_bytes += n;
        j->done += n;
    }
    return st;
}

/*
 * The data pass of a job whose every page was translated: steps of
 * ak_move_step() until j->done reaches m->len.
 */
int ak_move_data(AkState *s, AkRun *r, AkJob *j, const AkMove *m,
                 AkStall *stall)
{
    int st;

    while (j->done < m->len) {
        st = ak_step_xlate(s, r);
        if (st != AK_ST_SUCCESS) {
            return st;
        }
        st = ak_move_step(s, r, j, m, stall);
        if (st != AK_ST_SUCCESS && st != AK_ST_MISS) {
            return st;
        }
    }
    return AK_ST_SUCCESS;
}

static bool ak_copy_fn(void *opaque, uint8_t *dst, const uint8_t *src,
                       uint64_t n, uint64_t off)
{
    memmove(dst, src, n);       /* two VAs may share a page */
    return true;
}

static bool ak_fill_fn(void *opaque, uint8_t *dst, const uint8_t *src,
                       uint64_t n, uint64_t off)
{
    ak_fill(dst, n, *(const uint64_t *)opaque, off);
    return true;
}

/*
 * COPY or FILL, resumable: every page is translated before the first byte
 * is written (so a job that faults in that pass writes nothing), then the
 * data pass moves up to AK_STEP_BYTES a step. Returns a status, or
 * AK_ST_NEED_PAGE with *stall when a page request can resolve the fault.
 */
static int ak_move(AkState *s, AkRun *r, AkJob *j, AkCpl *c, AkStall *stall)
{
    const AkDesc *d = &j->d;
    bool copy = d->opcode == AK_OP_COPY;
    AkMove m = {
        .src = d->src, .dst = d->dst, .len = d->len, .has_src = copy,
        .fn = copy ? ak_copy_fn : ak_fill_fn,
        .opaque = (void *)&d->pattern,
    };
    int st;

    if (copy) {
        st = ak_check_range(s, r, d->src, d->len, false, &j->src_ok, stall);
        if (st != AK_ST_SUCCESS) {
            return st;
        }
    }
    st = ak_check_range(s, r, d->dst, d->len, true, &j->dst_ok, stall);
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    st = ak_move_data(s, r, j, &m, stall);
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    c->bytes = j->done;
    return AK_ST_SUCCESS;
}

/*
 * Run (or resume) a job. Returns AK_ST_NEED_PAGE with *stall when it
 * must wait for a page response, STOPPED or PAUSED
 * (see ak_step); otherwise fills @c.
 */
int ak_exec(AkState *s, AkRun *r, AkJob *j, AkEngCtx **ctxs, AkCpl *c,
            bool prq, AkStall *stall)
{
    const AkDesc *d = &j->d;
    bool alg = d->opcode >= AK_OP_COMPRESS;
    int st;

    memset(c, 0, sizeof(*c));
    if (d->opcode > AK_OP_CIPHER) {
        c->status = AK_ST_INVALID_OPCODE;
        return c->status;
    }
    if ((d->flags & AK_DF_RSVD) ||
        (alg ? (d->rsvd0 >= AK_ENG_NR_CTX || d->rsvd1[1] ||
                d->len > AK_MAX_XFER || d->pattern > AK_MAX_XFER)
             : (d->rsvd0 || d->rsvd1[0] || d->rsvd1[1] ||
                d->len > AK_MAX_XFER ||
                (d->opcode == AK_OP_COPY &&
                 ak_overlap(d->src, d->dst, d->len))))) {
        c->status = AK_ST_INVALID_DESC;
        return c->status;
    }
    st = ak_step_xlate(s, r);
    if (st == AK_ST_STOPPED || st == AK_ST_PAUSED) {
        return st;
    }
    if (st != AK_ST_SUCCESS || d->opcode == AK_OP_NOP) {
        c->status = st;
        c->bytes = j->done;
        return st;
    }
    if (alg) {
        if (!j->alg) {
            j->alg = g_new0(AkAlgJob, 1);
        }
        st = ak_alg_exec(s, r, j, ctxs[d->rsvd0], c, stall);
    } else {
        st = ak_move(s, r, j, c, stall);
    }
    if (st == AK_ST_STOPPED || st == AK_ST_PAUSED ||
        (st == AK_ST_NEED_PAGE && prq)) {
        return st;
    }
    if (st == AK_ST_NEED_PAGE || st == AK_ST_XLATE_FAULT) {
        st = AK_ST_XLATE_FAULT;
        c->fault_addr = stall->va;
    } else if (st == AK_ST_DMA_ERROR && r->dma) {
        c->fault_addr = r->dma_fault;   /* the bus address, if not RAM */
    }
    c->status = st;
    c->bytes = j->done;
    return st;
}
