/*
 * accelkit sample accelerator: a PCI device with shared virtual addressing
 *
 * The device walks its users' x86-64 page tables itself (PASID table in
 * guest memory) and runs NOP, COPY and FILL jobs from per-queue rings,
 * and algorithm jobs (COMPRESS, DECOMPRESS, HASH, CIPHER: accelkit-alg.c,
 * engines in accelkit-engines.c). This file: DMA, page walks, steps and
 * invalidation, COPY/FILL and the worker thread; registers and the life
 * cycle are in accelkit-regs.c, shared definitions in accelkit.h.
 * The programming model is docs/device.md in the accelkit repository.
 *
 * Threading: MMIO handlers run under the BQL. One worker thread executes
 * jobs; it does DMA without the BQL and without s->lock, and never takes
 * the BQL: interrupts it wants are queued in s->irq_pending and sent by a
 * bottom half, which runs in the main loop under the BQL.
 *
 * Jobs run in bounded steps (docs/device.md, "Steps"): a step re-reads the
 * PASID entry and walks at most one page per buffer, moving at most
 * AK_BOUNCE_SIZE bytes; between steps the worker holds no translation.
 * No MMIO handler ever waits for the worker: an invalidation that must
 * wait for the running step is recorded in s->inv_pending and completed
 * by the worker when that step ends; a queue disable or a reset takes
 * effect at once (the queue's generation changes, so the worker drops the
 * job at its next step boundary) or, for a reset during a step, at the end
 * of that step. State the worker may still use (stream contexts) is freed
 * by the worker itself (s->deferred).
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "hw/pci/msix.h"
#include "accelkit.h"

/*
 * DMA helpers: RAM only, every result checked
 */

static AddressSpace *ak_as(AkState *s)
{
    return pci_get_address_space(PCI_DEVICE(s));
}

/* True if [gpa, gpa + len) is guest RAM (and writable RAM for a write). */
static bool ak_is_ram(AkState *s, hwaddr gpa, hwaddr len, bool write)
{
    RCU_READ_LOCK_GUARD();

    while (len) {
        hwaddr xlat, l = len;
        MemoryRegion *mr = address_space_translate(ak_as(s), gpa, &xlat, &l,
                                                   write,
                                                   MEMTXATTRS_UNSPECIFIED);

        if (!l || !memory_region_is_ram(mr) || memory_region_is_romd(mr) ||
            (write && mr->readonly)) {
            return false;
        }
        gpa += l;
        len -= l;
    }
    return true;
}

bool ak_dma(AkState *s, hwaddr gpa, void *buf, hwaddr len, bool write)
{
    if (gpa + len < gpa || !ak_is_ram(s, gpa, len, write)) {
        return false;
    }
    return address_space_rw(ak_as(s), gpa, MEMTXATTRS_UNSPECIFIED, buf, len,
                            write) == MEMTX_OK;
}

/*
 * Atomically replace a page-table entry, as the CPU's walker does when it
 * sets Accessed/Dirty. Returns 0 on success, 1 if the entry changed under
 * us (re-read and re-check it), -1 if it is not in RAM.
 */
static int ak_pte_cmpxchg(AkState *s, hwaddr gpa, uint64_t old, uint64_t new)
{
    hwaddr len = sizeof(uint64_t);
    uint64_t *p, cur;

    if (!ak_is_ram(s, gpa, len, true)) {
        return -1;
    }
    p = address_space_map(ak_as(s), gpa, &len, true, MEMTXATTRS_UNSPECIFIED);
    if (!p) {
        return -1;
    }
    if (len < sizeof(uint64_t)) {
        address_space_unmap(ak_as(s), p, len, true, 0);
        return -1;
    }
    cur = qatomic_cmpxchg(p, cpu_to_le64(old), cpu_to_le64(new));
    address_space_unmap(ak_as(s), p, len, true, sizeof(uint64_t));
    return cur == cpu_to_le64(old) ? 0 : 1;
}

/*
 * Address translation: an x86-64 user-mode page walk
 */

/*
 * Translate @va for a read or write. On success returns AK_ST_SUCCESS,
 * the guest-physical address in *gpa and the bytes left in that page
 * (4 KiB, 2 MiB or 1 GiB) in *left.
 */
int ak_translate(AkState *s, const AkCtx *ctx, uint64_t va, bool write,
                        hwaddr *gpa, uint64_t *left)
{
    int levels = ctx->la57 ? 5 : 4;
    int lvl = levels, retries = 0;
    hwaddr table = ctx->root & PTE_ADDR_MASK;

    /* Lower (user) half of a canonical address: the top bits all zero. */
    if (va >> (12 + 9 * levels - 1)) {
        return AK_ST_XLATE_FAULT;
    }

    while (lvl >= 1) {
        int shift = 12 + 9 * (lvl - 1);
        hwaddr pte_gpa = table + ((va >> shift) & 511) * 8;
        uint64_t pte, want;
        bool leaf;
        int r;

        if (!ak_dma(s, pte_gpa, &pte, sizeof(pte), false)) {
            return AK_ST_DMA_ERROR;
        }
        pte = le64_to_cpu(pte);
        if (!(pte & PTE_P)) {
            return AK_ST_NEED_PAGE;
        }
        if (!(pte & PTE_U)) {
            return AK_ST_XLATE_FAULT;   /* kernel memory: never a request */
        }
        if (write && !(pte & PTE_W)) {
            return AK_ST_NEED_PAGE;
        }
        if ((pte & PTE_PS) && lvl >= 4) {
            return AK_ST_XLATE_FAULT;   /* reserved at PML5/PML4 */
        }
        leaf = lvl == 1 || (pte & PTE_PS);

        /* All checks passed: now A, and D on a leaf we write through. */
        want = pte | PTE_A | (leaf && write ? PTE_D : 0);
        if (want != pte) {
            r = ak_pte_cmpxchg(s, pte_gpa, pte, want);
            if (r < 0) {
                return AK_ST_DMA_ERROR;
            }
            if (r > 0) {
                if (++retries > 64) {
                    return AK_ST_XLATE_FAULT;
                }
                continue;               /* changed under us: re-check */
            }
        }
        if (leaf) {
            uint64_t size = 1ULL << shift;

            *gpa = (pte & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
            *left = size - (va & (size - 1));
            return AK_ST_SUCCESS;
        }
        table = pte & PTE_ADDR_MASK;
        lvl--;
    }
    return AK_ST_XLATE_FAULT;
}

/*
 * Translate every page of [va + *done, va + len), advancing *done, one
 * translation per step; *fault gets the first bad VA.
 */
int ak_check_range(AkState *s, AkRun *r, uint64_t va,
                          uint64_t len, bool write, uint64_t *pdone,
                          uint64_t *fault)
{
    uint64_t done = *pdone;

    while (done < len) {
        hwaddr gpa;
        uint64_t left;
        int st = ak_step_xlate(s, r);

        if (st == AK_ST_SUCCESS) {
            st = ak_translate(s, &r->ctx, va + done, write, &gpa, &left);
        }
        if (st != AK_ST_SUCCESS) {
            *fault = va + done;
            *pdone = done;
            return st;
        }
        done += MIN(left, len - done);
    }
    *pdone = done;
    return AK_ST_SUCCESS;
}

/*
 * Jobs
 */

static int ak_read_pasid(AkState *s, uint64_t ptbl, uint32_t ptbl_size,
                         uint32_t pasid, AkCtx *ctx)
{
    uint8_t e[AK_PASID_ENTRY_SIZE];
    uint32_t flags;

    if (!ptbl_size || pasid >= ptbl_size) {
        return AK_ST_PASID_INVALID;
    }
    if (!ak_dma(s, ptbl + (uint64_t)pasid * AK_PASID_ENTRY_SIZE, e, sizeof(e),
                false)) {
        return AK_ST_DMA_ERROR;
    }
    flags = ldl_le_p(e + 8);
    if ((flags & AK_PASID_STATE_MASK) != AK_PASID_VALID) {
        return AK_ST_PASID_INVALID;
    }
    ctx->root = ldq_le_p(e);
    ctx->la57 = flags & AK_PASID_LA57;
    return AK_ST_SUCCESS;
}

/*
 * Invalidation and steps
 */

/* Write DONE into the status word of descriptor @slot (s->lock held). */
static void ak_inv_done(AkState *s, uint32_t slot)
{
    uint8_t st[4];

    stl_le_p(st, AK_INV_STATUS_DONE);
    if (ak_dma(s, s->inv_table + (uint64_t)slot * AK_INV_DESC_SIZE +
               AK_INV_STATUS_OFF, st, sizeof(st), true)) {
        s->inv_done++;
    } else {
        s->inv_errors++;
    }
}

/* INV_SUBMIT: fetch descriptor @slot; complete it now or at the step end. */
void ak_inv_submit(AkState *s, uint32_t slot)
{
    uint8_t d[AK_INV_DESC_SIZE];
    uint32_t pasid, flags;

    if (!s->inv_slots || slot >= s->inv_slots ||
        !ak_dma(s, s->inv_table + (uint64_t)slot * AK_INV_DESC_SIZE, d,
                sizeof(d), false)) {
        s->inv_errors++;
        qemu_log_mask(LOG_GUEST_ERROR, "accelkit: bad INV_SUBMIT %u\n", slot);
        return;
    }
    pasid = ldl_le_p(d);
    flags = ldl_le_p(d + 4);
    if (s->debug_inject & AK_DBG_IGNORE_INV) {
        return;                 /* fetched, never completed (RAS test) */
    }
    /*
     * The range (d + 8, d + 16) is a hint this device does not use: a
     * walk in progress may read a page-table page of any address of the
     * PASID, so any running step of the PASID is waited for.
     */
    if (s->step_active && ((flags & AK_INV_ALL_PASIDS) ||
                           s->step_pasid == pasid)) {
        set_bit(slot, s->inv_pending);
        return;
    }
    ak_inv_done(s, slot);
}

/*
 * The running step ended (s->lock held): complete the invalidations that
 * waited for it, then a reset that waited for it.
 */
static void ak_step_end_locked(AkState *s, AkRun *r)
{
    long slot;

    r->in_step = false;
    s->step_active = false;
    for (slot = find_first_bit(s->inv_pending, AK_INV_MAX_SLOTS);
         slot < AK_INV_MAX_SLOTS;
         slot = find_next_bit(s->inv_pending, AK_INV_MAX_SLOTS, slot + 1)) {
        ak_inv_done(s, slot);
    }
    bitmap_zero(s->inv_pending, AK_INV_MAX_SLOTS);
    if (s->reset_pending) {
        ak_reset_locked(s);
        s->reset_pending = false;
        qemu_cond_broadcast(&s->idle);
    }
}

void ak_step_end(AkState *s, AkRun *r)
{
    if (r->in_step) {
        qemu_mutex_lock(&s->lock);
        ak_step_end_locked(s, r);
        qemu_mutex_unlock(&s->lock);
    }
}

/*
 * End the current step, if any, and begin the next one. Returns SUCCESS,
 * STOPPED (the queue was disabled or reset: drop the job) or PAUSED (the
 * device was disabled: keep the job until it is enabled again).
 */
static int ak_step(AkState *s, AkRun *r)
{
    AkQueue *q = &s->q[r->qi];
    int st = AK_ST_SUCCESS;

    qemu_mutex_lock(&s->lock);
    if (r->in_step) {
        ak_step_end_locked(s, r);
    }
    if (q->gen != r->gen || s->stopping) {
        st = AK_ST_STOPPED;
    } else if (!(s->dev_ctrl & AK_DEV_ENABLE) && !r->finishing) {
        st = AK_ST_PAUSED;
    } else {
        s->step_active = true;
        s->step_queue = r->qi;
        s->step_pasid = r->pasid;
        r->in_step = true;
    }
    qemu_mutex_unlock(&s->lock);
    return st;
}

/* Begin a step that translates: it starts with the PASID entry. */
int ak_step_xlate(AkState *s, AkRun *r)
{
    int st = ak_step(s, r);

    if (st != AK_ST_SUCCESS) {
        return st;
    }
    return ak_read_pasid(s, r->ptbl, r->ptbl_size, r->pasid, &r->ctx);
}

/*
 * COPY or FILL, resumable: every page is translated before the first byte
 * is written (so a job that faults in that pass writes nothing), then the
 * data pass re-walks page by page. Returns a status, or AK_ST_NEED_PAGE
 * with *stall_va / *stall_write when a page request can resolve the fault.
 */
static int ak_move(AkState *s, AkRun *r, AkJob *j, AkCpl *c,
                   uint64_t *stall_va, bool *stall_write)
{
    const AkDesc *d = &j->d;
    bool copy = d->opcode == AK_OP_COPY;
    int st;

    if (copy) {
        st = ak_check_range(s, r, d->src, d->len, false, &j->src_ok,
                            stall_va);
        if (st != AK_ST_SUCCESS) {
            *stall_write = false;
            return st;
        }
    }
    st = ak_check_range(s, r, d->dst, d->len, true, &j->dst_ok, stall_va);
    if (st != AK_ST_SUCCESS) {
        *stall_write = true;
        return st;
    }

    while (j->done < d->len) {
        hwaddr sgpa = 0, dgpa;
        uint64_t sleft = UINT64_MAX, dleft, n, i;

        /* One step: one walk of src and dst, at most AK_BOUNCE_SIZE. */
        st = ak_step_xlate(s, r);
        if (st != AK_ST_SUCCESS) {
            return st;
        }
        if (copy) {
            st = ak_translate(s, &r->ctx, d->src + j->done, false, &sgpa,
                              &sleft);
            if (st != AK_ST_SUCCESS) {
                *stall_va = d->src + j->done;
                *stall_write = false;
                return st;
            }
        }
        st = ak_translate(s, &r->ctx, d->dst + j->done, true, &dgpa, &dleft);
        if (st != AK_ST_SUCCESS) {
            *stall_va = d->dst + j->done;
            *stall_write = true;
            return st;
        }
        n = MIN(MIN(sleft, dleft), MIN(d->len - j->done, AK_BOUNCE_SIZE));
        if (copy) {
            if (!ak_dma(s, sgpa, s->bounce, n, false)) {
                return AK_ST_DMA_ERROR;
            }
        } else {
            for (i = 0; i < n; i++) {
                s->bounce[i] = d->pattern >> (((j->done + i) & 7) * 8);
            }
        }
        if (!ak_dma(s, dgpa, s->bounce, n, true)) {
            return AK_ST_DMA_ERROR;
        }
        j->done += n;
    }
    c->bytes = j->done;
    return AK_ST_SUCCESS;
}

/*
 * Run (or resume) a job. Returns AK_ST_NEED_PAGE with *stall_va and
 * *stall_write when it must wait for a page response, STOPPED or PAUSED
 * (see ak_step); otherwise fills @c.
 */
static int ak_exec(AkState *s, AkRun *r, AkJob *j, AkEngCtx **ctxs,
                   AkCpl *c, bool prq, uint64_t *stall_va, bool *stall_write)
{
    const AkDesc *d = &j->d;
    bool alg = d->opcode >= AK_OP_COMPRESS;
    int st;

    memset(c, 0, sizeof(*c));
    if (d->opcode > AK_OP_CIPHER) {
        c->status = AK_ST_INVALID_OPCODE;
        return c->status;
    }
    if (alg ? (d->rsvd0 >= AK_ENG_NR_CTX || d->rsvd1[1] ||
               d->len > AK_MAX_XFER || d->pattern > AK_MAX_XFER)
            : (d->rsvd0 || d->rsvd1[0] || d->rsvd1[1] ||
               d->len > AK_MAX_XFER ||
               (d->opcode == AK_OP_COPY && d->len &&
                d->src < d->dst + d->len && d->dst < d->src + d->len))) {
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
        st = ak_alg_exec(s, r, j, ctxs[d->rsvd0], c, stall_va,
                         stall_write);
    } else {
        st = ak_move(s, r, j, c, stall_va, stall_write);
    }
    if (st == AK_ST_STOPPED || st == AK_ST_PAUSED ||
        (st == AK_ST_NEED_PAGE && prq)) {
        return st;
    }
    if (st == AK_ST_NEED_PAGE || st == AK_ST_XLATE_FAULT) {
        st = AK_ST_XLATE_FAULT;
        c->fault_addr = *stall_va;
    }
    c->status = st;
    c->bytes = j->done;
    return st;
}

static void ak_decode(const uint8_t *b, AkDesc *d)
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
 * Worker thread
 */

static bool ak_queue_has_work(AkState *s, AkQueue *q)
{
    return (s->dev_ctrl & AK_DEV_ENABLE) && (q->status & AK_QST_RUNNING) &&
           !q->stalled && (q->job_valid || q->sq_head != q->sq_tail) &&
           (q->cq_tail + 1) % q->depth != q->cq_head;
}

/* Called with s->lock held; returns a queue index or -1. */
static int ak_pick_queue(AkState *s)
{
    uint32_t i;

    for (i = 0; i < s->nr_queues; i++) {
        uint32_t qi = (s->next_queue + i) % s->nr_queues;

        if (ak_queue_has_work(s, &s->q[qi])) {
            s->next_queue = (qi + 1) % s->nr_queues;
            return qi;
        }
    }
    return -1;
}

static void ak_queue_error(AkState *s, AkQueue *q)
{
    q->status = AK_QST_ERROR;
    qemu_log_mask(LOG_GUEST_ERROR, "accelkit: queue ring not in RAM\n");
}

/*
 * Post a page request for the job of queue @qi (s->lock held, worker
 * busy). Returns false if the request ring is full or not in RAM: the
 * caller then completes the job with a translation fault.
 */
static bool ak_post_page_request(AkState *s, uint32_t qi, uint32_t pasid,
                                 uint64_t va, bool write)
{
    uint8_t e[AK_PRQ_ENTRY_SIZE];
    uint32_t slot = s->prq_tail, depth = s->prq_depth;
    uint64_t base = s->prq_base;
    bool ok;

    if (!depth || !(s->prq_ctrl & AK_PRQ_ENABLE) ||
        (slot + 1) % depth == s->prq_head) {
        return false;
    }
    stq_le_p(e, va);
    stl_le_p(e + 8, pasid);
    stw_le_p(e + 12, qi);
    stw_le_p(e + 14, write ? AK_PRQ_WRITE : 0);
    /* The worker is the only producer: the slot stays ours unlocked. */
    qemu_mutex_unlock(&s->lock);
    ok = ak_dma(s, base + (uint64_t)slot * AK_PRQ_ENTRY_SIZE, e, sizeof(e),
                true);
    qemu_mutex_lock(&s->lock);
    if (ok && s->prq_depth == depth) {
        s->prq_tail = (slot + 1) % depth;
    }
    return ok;
}

/*
 * Write the completion record of @j (inside the completion step): bytes
 * 0..27 first, then flags (with PHASE) and rsvd in one store: the old
 * flags word must stay in place until the body is complete, or a poller
 * expecting PHASE 0 would take a half record.
 */
static bool ak_write_cpl(AkState *s, uint64_t cq, const AkJob *j,
                         const AkCpl *c, uint16_t next_head, uint16_t phase)
{
    uint8_t rec[AK_CPL_SIZE];
    bool ok;

    memset(rec, 0, sizeof(rec));
    stq_le_p(rec, j->d.tag);
    stq_le_p(rec + 8, c->bytes);
    stq_le_p(rec + 16, c->fault_addr);
    stw_le_p(rec + 24, c->status);
    stw_le_p(rec + 26, next_head);
    ok = ak_dma(s, cq, rec, 28, true);
    smp_wmb(); /* a guest polling PHASE must see the body first */
    stw_le_p(rec + 28, phase | c->flags);
    return ok && ak_dma(s, cq + 28, rec + 28, 4, true);
}

/* Free what a disable or reset handed over while we ran (s->lock held). */
void ak_free_deferred(AkState *s)
{
    guint i;

    for (i = 0; i < s->deferred->len; i++) {
        ak_eng_ctx_free(g_ptr_array_index(s->deferred, i));
    }
    g_ptr_array_set_size(s->deferred, 0);
}

/*
 * Execute (or resume) one job of queue @qi. Entered and left with s->lock
 * held; drops it while the job runs, step by step. Returns the MSI-X
 * vector to notify, or -1.
 */
static int ak_run_one(AkState *s, uint32_t qi)
{
    AkQueue *q = &s->q[qi];
    uint8_t raw[AK_DESC_SIZE];
    uint64_t sq = q->sq_base + (uint64_t)q->sq_head * AK_DESC_SIZE;
    uint64_t cq = q->cq_base + (uint64_t)q->cq_tail * AK_CPL_SIZE;
    uint64_t stall_va = 0, fault_va = q->stall_addr;
    uint32_t next_head = (q->sq_head + 1) % q->depth;
    uint16_t phase = q->phase ? AK_CF_PHASE : 0;
    bool resume = q->job_valid, invalid = q->resp_invalid;
    bool prq = (s->prq_ctrl & AK_PRQ_ENABLE) && s->prq_depth;
    bool ok = true, stall_write = false, keep = false, written = false;
    bool have_desc = resume;
    AkRun r = {
        .qi = qi, .gen = q->gen, .pasid = q->pasid,
        .ptbl = s->ptbl, .ptbl_size = s->ptbl_size,
    };
    AkEngCtx *ctxs[AK_ENG_NR_CTX];
    AkJob j = q->job;
    AkCpl c = { 0 };
    int st = AK_ST_SUCCESS, vec = -1;

    /* The job is ours now; the contexts stay valid until we are done. */
    memcpy(ctxs, q->ctx, sizeof(ctxs));
    q->job.alg = NULL;
    q->job_valid = false;
    q->resp_invalid = false;
    s->busy = true;
    s->busy_queue = qi;
    qemu_mutex_unlock(&s->lock);

    if (!resume) {
        memset(&j, 0, sizeof(j));
        st = ak_step(s, &r);    /* the descriptor read is one step */
        if (st == AK_ST_SUCCESS) {
            ok = ak_dma(s, sq, raw, sizeof(raw), false);
            if (ok) {
                ak_decode(raw, &j.d);
                have_desc = true;
            }
        }
    }
    if (st == AK_ST_SUCCESS && ok) {
        if (invalid) {
            /* The OS could not resolve the page: fail where it stopped. */
            c.status = AK_ST_XLATE_FAULT;
            c.fault_addr = fault_va;
            c.bytes = j.done;
        } else {
            st = ak_exec(s, &r, &j, ctxs, &c, prq, &stall_va, &stall_write);
        }
    }

    qemu_mutex_lock(&s->lock);
    if (st == AK_ST_NEED_PAGE && q->gen == r.gen) {
        /* Still inside the step that faulted: post the request. */
        if (ak_post_page_request(s, qi, r.pasid, stall_va, stall_write)) {
            if (q->gen == r.gen) {
                keep = true;
                q->stalled = true;
                q->stall_addr = stall_va;
            }
            vec = 0;            /* vector 0: page requests */
            st = AK_ST_STOPPED;
        } else {
            c.status = AK_ST_XLATE_FAULT;
            c.fault_addr = stall_va;
            c.bytes = j.done;
            st = c.status;
        }
    } else if (st == AK_ST_NEED_PAGE) {
        st = AK_ST_STOPPED;
    }
    if (st == AK_ST_PAUSED && q->gen == r.gen && have_desc) {
        /*
         * The device was disabled: resume later. (Paused before the
         * descriptor was read: nothing to keep, it is read again.)
         */
        keep = true;
    }
    if (keep) {
        q->job = j;
        q->job_valid = true;
    }
    qemu_mutex_unlock(&s->lock);

    if (ok && st != AK_ST_STOPPED && st != AK_ST_PAUSED) {
        /* The completion is one more step (a disable wins over it). */
        r.finishing = true;
        if (ak_step(s, &r) == AK_ST_SUCCESS) {
            ok = ak_write_cpl(s, cq, &j, &c, next_head, phase);
            written = true;
        }
    }

    qemu_mutex_lock(&s->lock);
    if (r.in_step) {
        ak_step_end_locked(s, &r);
    }
    if (q->gen == r.gen && (written || !ok)) {
        if (ok && j.alg && c.status == AK_ST_SUCCESS) {
            /* The job's stream context state becomes the context's. */
            AkEngCtx *old = q->ctx[j.d.rsvd0];

            q->ctx[j.d.rsvd0] = j.alg->out.next;
            j.alg->out.next = NULL;
            ak_eng_ctx_free(old);
        }
        if (!ok) {
            ak_queue_error(s, q);
        } else {
            q->sq_head = next_head;
            q->cq_tail = (q->cq_tail + 1) % q->depth;
            if (q->cq_tail == 0) {
                q->phase = !q->phase;
            }
            s->jobs++;
            if ((j.d.flags & AK_DF_IRQ) && (q->ctrl & AK_QCTRL_IRQ) &&
                q->msix_vector < s->nr_queues + 1) {
                vec = q->msix_vector;
            }
        }
    }
    if (!keep) {
        ak_alg_job_free(j.alg); /* on failure the context is unchanged */
    }
    s->busy = false;
    ak_free_deferred(s);
    return vec;
}

void *ak_worker(void *opaque)
{
    AkState *s = opaque;

    rcu_register_thread();
    qemu_mutex_lock(&s->lock);
    while (!s->stopping) {
        int qi = ak_pick_queue(s);
        int n;

        if (qi < 0) {
            qemu_cond_wait(&s->work, &s->lock);
            continue;
        }
        for (n = 0; n < AK_BATCH && ak_queue_has_work(s, &s->q[qi]); n++) {
            int vec = ak_run_one(s, qi);

            if (vec >= 0) {
                set_bit(vec, s->irq_pending);
                qemu_bh_schedule(s->irq_bh);
            }
            if (s->stopping) {
                break;
            }
        }
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

/* Main loop, BQL held: send the interrupts the worker asked for. */
void ak_irq_bh(void *opaque)
{
    AkState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t nvec = s->nr_queues + 1;
    g_autofree unsigned long *todo = bitmap_new(nvec);
    long vec;

    qemu_mutex_lock(&s->lock);
    bitmap_copy(todo, s->irq_pending, nvec);
    bitmap_zero(s->irq_pending, nvec);
    qemu_mutex_unlock(&s->lock);

    for (vec = find_first_bit(todo, nvec); vec < nvec;
         vec = find_next_bit(todo, nvec, vec + 1)) {
        if (msix_enabled(pdev)) {
            msix_notify(pdev, vec);
        }
    }
}
