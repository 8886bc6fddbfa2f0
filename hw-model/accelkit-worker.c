/*
 * accelkit sample accelerator: the device workers. Each worker serves one
 * queue at a time (so a queue's jobs execute and complete in ring order)
 * and several workers serve different queues in parallel. A worker takes
 * a job, runs it in steps (accelkit-step.c), writes its completion record,
 * posts page requests for jobs that stall, and asks for interrupts.
 *
 * Threading: MMIO handlers run under the BQL and take s->lock. Workers do
 * DMA without the BQL and without s->lock. A worker takes the BQL only to
 * send an MSI-X message, between jobs, holding nothing else (no s->lock,
 * no step), so nothing that waits for a worker while holding the BQL can
 * deadlock with it: ak_reset() waits only for steps, and
 * ak_workers_stop() drops the BQL while it joins. After work a worker
 * polls for new doorbells for up to `poll-us` (one worker at a time)
 * before it sleeps, so a busy queue does not pay for a thread wake-up.
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/processor.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "hw/pci/msix.h"
#include "accelkit.h"

static bool ak_queue_has_work(AkState *s, AkQueue *q)
{
    return (s->dev_ctrl & AK_DEV_ENABLE) && (q->status & AK_QST_RUNNING) &&
           !q->stalled && !q->hung &&
           (q->job_valid || q->sq_head != q->sq_tail) &&
           (q->cq_tail + 1) % q->depth != q->cq_head;
}

/*
 * A queue with work that no worker serves (s->lock held), round robin
 * from s->next_queue (advanced if @take); -1 if none.
 */
static int ak_pick_queue(AkState *s, bool take)
{
    uint32_t i;

    for (i = 0; i < s->nr_queues; i++) {
        uint32_t qi = (s->next_queue + i) % s->nr_queues;

        if (!s->q[qi].busy && ak_queue_has_work(s, &s->q[qi])) {
            if (take) {
                s->next_queue = (qi + 1) % s->nr_queues;
            }
            return qi;
        }
    }
    return -1;
}

/*
 * Something changed that may give a worker work (s->lock held): end a
 * worker's polling (s->kick) and wake a sleeping one. The doorbell path
 * does the same in two halves around its unlock (accelkit.c).
 */
void ak_kick(AkState *s)
{
    qatomic_inc(&s->kick);
    if (s->sleepers && !s->spinning) {
        qemu_cond_signal(&s->work);
    }
}

static void ak_queue_error(AkState *s, AkQueue *q)
{
    q->status = AK_QST_ERROR;
    qemu_log_mask(LOG_GUEST_ERROR, "accelkit: queue ring not in RAM\n");
}

enum {
    AK_PRQ_POSTED,
    AK_PRQ_FULL,                /* not posted: the queue waits, overflow */
    AK_PRQ_FAILED,              /* off or not in RAM: fail the job */
};

/*
 * Post a page request for @npages pages from @va's page, for the job of
 * queue @qi (s->lock held, the queue ours). *irq: the ring was empty, so
 * vector 0 must fire (with requests already waiting, the driver has not
 * finished the ring and re-reads PRQ_TAIL after it writes PRQ_HEAD). A
 * full ring (or DEBUG_INJECT.PRQ_OVERFLOW, which makes the next request
 * find it full) posts nothing: the caller keeps the queue stalled until
 * the driver clears ERR_STATUS.PRQ_OVERFLOW.
 */
static int ak_post_page_request(AkState *s, uint32_t qi, uint32_t pasid,
                                uint64_t va, uint64_t npages, bool write,
                                bool *irq)
{
    uint8_t e[AK_PRQ_ENTRY_SIZE];
    uint32_t slot = s->prq_tail, depth = s->prq_depth;
    uint64_t base = s->prq_base;
    bool ok;

    if (!depth || !(s->prq_ctrl & AK_PRQ_ENABLE)) {
        return AK_PRQ_FAILED;
    }
    if (s->debug_inject & AK_DBG_PRQ_OVERFLOW) {
        qatomic_set(&s->debug_inject,
                    s->debug_inject & ~AK_DBG_PRQ_OVERFLOW);
        return AK_PRQ_FULL;
    }
    if ((slot + 1) % depth == s->prq_head) {
        return AK_PRQ_FULL;
    }
    stq_le_p(e, (va & ~0xfffULL) | (npages - 1));
    stl_le_p(e + 8, pasid);
    stw_le_p(e + 12, qi);
    stw_le_p(e + 14, write ? AK_PRQ_WRITE : 0);
    /* Under s->lock: workers post concurrently. One 16-byte write. */
    ok = ak_dma(s, base + (uint64_t)slot * AK_PRQ_ENTRY_SIZE, e, sizeof(e),
                true);
    if (ok) {
        *irq = s->prq_head == slot;
        s->prq_tail = (slot + 1) % depth;
        ak_stat_add(s, AK_STAT_PAGE_REQUESTS, 1);
        ak_stat_add(s, AK_STAT_PAGES_REQUESTED, npages);
        return AK_PRQ_POSTED;
    }
    return AK_PRQ_FAILED;
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
    uint16_t status = c->status;
    bool ok;

    if (j->inject == AK_INJ_BAD_COMPLETION) {
        status = 0x7fff;
        next_head ^= 0x8000;
    }
    memset(rec, 0, sizeof(rec));
    stq_le_p(rec, j->d.tag);
    stq_le_p(rec + 8, c->bytes);
    stq_le_p(rec + 16, c->fault_addr);
    stw_le_p(rec + 24, status);
    stw_le_p(rec + 26, next_head);
    ok = ak_dma(s, cq, rec, 28, true);
    smp_wmb(); /* a guest polling PHASE must see the body first */
    stw_le_p(rec + 28, phase | c->flags);
    return ok && ak_dma(s, cq + 28, rec + 28, 4, true);
}

/*
 * Q_INJECT for a job about to be taken (s->lock held): count AFTER down,
 * or fire (one-shot). Returns the kind that hits this job, or 0.
 */
static uint32_t ak_take_inject(AkQueue *q)
{
    uint32_t kind = q->inject & AK_INJ_KIND_MASK;
    uint32_t after = q->inject >> AK_INJ_AFTER_SHIFT;

    if (!kind) {
        return 0;
    }
    if (after) {
        q->inject = kind | ((after - 1) << AK_INJ_AFTER_SHIFT);
        return 0;
    }
    q->inject = 0;
    return kind;
}

/*
 * Execute (or resume) one job of queue @qi. Entered and left with s->lock
 * held; drops it while the job runs, step by step. Returns the MSI-X
 * vector to notify, or -1.
 */
static int ak_run_one(AkWorker *w, uint32_t qi)
{
    AkState *s = w->s;
    AkQueue *q = &s->q[qi];
    uint8_t raw[AK_DESC_SIZE];
    uint64_t sq = q->sq_base + (uint64_t)q->sq_head * AK_DESC_SIZE;
    uint64_t cq = q->cq_base + (uint64_t)q->cq_tail * AK_CPL_SIZE;
    uint64_t fault_va = q->stall_addr;
    uint32_t next_head = (q->sq_head + 1) % q->depth;
    uint16_t phase = q->phase ? AK_CF_PHASE : 0;
    bool resume = q->job_valid, invalid = q->resp_invalid;
    bool prq = (s->prq_ctrl & AK_PRQ_ENABLE) && s->prq_depth;
    bool ok = true, keep = false, written = false, irq = false;
    bool have_desc = resume;
    AkStall stall = { 0 };
    uint64_t npages = 1;
    AkRun r = {
        .w = w, .qi = qi, .gen = q->gen, .pasid = q->dma ? 0 : q->pasid,
        .dma = q->dma, .ptbl = s->ptbl, .ptbl_size = s->ptbl_size,
    };
    AkEngCtx *ctxs[AK_ENG_NR_CTX];
    AkJob j = q->job;
    AkCpl c = { 0 };
    int st = AK_ST_SUCCESS, vec = -1, posted;
    uint32_t inject = resume ? q->job.inject : ak_take_inject(q);

    if (inject == AK_INJ_STALL) {
        /* No progress from this job on, until disabled or reset. */
        q->hung = true;
        return -1;
    }
    /* The job is ours now; the contexts stay valid until we are done. */
    q->executing = true;
    memcpy(ctxs, q->ctx, sizeof(ctxs));
    q->job.alg = NULL;
    q->job_valid = false;
    q->resp_invalid = false;
    qemu_mutex_unlock(&s->lock);

    if (!resume) {
        memset(&j, 0, sizeof(j));
        j.inject = inject;
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
        if (j.inject == AK_INJ_ENGINE_ERROR) {
            /* An uncorrectable engine error: the job is not done. */
            c.status = AK_ST_HW_ERROR;
        } else if (invalid) {
            /* The OS could not resolve the page: fail where it stopped. */
            c.status = AK_ST_XLATE_FAULT;
            c.fault_addr = fault_va;
            c.bytes = j.done;
        } else {
            st = ak_exec(s, &r, &j, ctxs, &c, prq, &stall);
        }
    }
    /* A DMA-mode job never walks, so it never needs a page. */
    assert(!(st == AK_ST_NEED_PAGE && r.dma));
    if (st == AK_ST_NEED_PAGE && r.in_step) {
        /* Still in the faulting step: how far does the hole go? */
        uint64_t pages = ((stall.va & 0xfff) + MAX(stall.len, 1) + 0xfff) >> 12;

        npages = ak_probe_missing(s, &r.ctx, stall.va,
                                  MIN(pages, AK_PRQ_MAX_PAGES), stall.write);
    }

    qemu_mutex_lock(&s->lock);
    if (st == AK_ST_NEED_PAGE && q->gen == r.gen) {
        /* Still inside the step that faulted: post the request. */
        posted = ak_post_page_request(s, qi, r.pasid, stall.va, npages,
                                      stall.write, &irq);
        if (posted != AK_PRQ_FAILED) {
            keep = true;
            q->stalled = true;
            q->stall_addr = stall.va;
            if (posted == AK_PRQ_FULL) {
                /* Retried when the driver clears PRQ_OVERFLOW. */
                q->prq_lost = true;
                ak_raise_error(s, AK_ERR_PRQ_OVERFLOW);
            }
            vec = irq ? 0 : -1;     /* vector 0: page requests */
            st = AK_ST_STOPPED;
        } else {
            c.status = AK_ST_XLATE_FAULT;
            c.fault_addr = stall.va;
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
    q->executing = false;
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
            if (r.dma) {
                ak_stat_add(s, AK_STAT_DMA_JOBS, 1);
            }
            if ((j.d.flags & AK_DF_IRQ) && (q->ctrl & AK_QCTRL_IRQ) &&
                q->msix_vector < s->nr_queues + 1 &&
                j.inject != AK_INJ_DROP_IRQ) {
                vec = q->msix_vector;
            }
            if (j.inject == AK_INJ_ENGINE_ERROR) {
                s->err_queue = qi;
                ak_raise_error(s, AK_ERR_UNCORRECTABLE);
            }
        }
    }
    if (!keep) {
        ak_alg_job_free(j.alg); /* on failure the context is unchanged */
    }
    ak_free_deferred(w);
    return vec;
}

/* Send MSI-X vector @vec (called with nothing held). */
static void ak_notify(AkState *s, int vec)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    qemu_mutex_lock_iothread();
    if (msix_enabled(pdev)) {
        msix_notify(pdev, vec);
    }
    qemu_mutex_unlock_iothread();
}

/*
 * Nothing to do (s->lock held): poll for a doorbell for a while after
 * work, if no other worker does, else sleep until kicked. Polling reads
 * s->kick only, never s->lock, and the doorbell bumps s->kick after its
 * unlock: the poller then takes an uncontended lock and the vCPU ringing
 * the doorbell never has to wake it.
 */
static void ak_idle(AkWorker *w)
{
    AkState *s = w->s;
    int64_t poll_ns = (int64_t)s->poll_us * 1000;
    uint32_t kick = qatomic_read(&s->kick);

    if (poll_ns && !s->spinning && get_clock() - w->last_work_ns < poll_ns) {
        s->spinning = true;
        qemu_mutex_unlock(&s->lock);
        while (qatomic_read(&s->kick) == kick &&
               get_clock() - w->last_work_ns < poll_ns) {
            cpu_relax();
        }
        qemu_mutex_lock(&s->lock);
        s->spinning = false;
        return;
    }
    s->sleepers++;
    qemu_cond_wait(&s->work, &s->lock);
    s->sleepers--;
}

static void *ak_worker(void *opaque)
{
    AkWorker *w = opaque;
    AkState *s = w->s;

    rcu_register_thread();
    qemu_mutex_lock(&s->lock);
    while (!s->stopping) {
        int qi = ak_pick_queue(s, true);
        AkQueue *q;
        int n;

        if (qi < 0) {
            ak_idle(w);
            continue;
        }
        q = &s->q[qi];
        q->busy = true;
        q->worker = w->id;
        /* More queues with work: wake a sleeping worker for them. */
        if (s->sleepers && ak_pick_queue(s, false) >= 0) {
            qemu_cond_signal(&s->work);
        }
        for (n = 0; n < AK_BATCH && ak_queue_has_work(s, q); n++) {
            int vec = ak_run_one(w, qi);

            if (vec >= 0) {
                /* Directly: a bottom half would wake the main loop first. */
                qemu_mutex_unlock(&s->lock);
                ak_notify(s, vec);
                qemu_mutex_lock(&s->lock);
            }
            if (s->stopping) {
                break;
            }
        }
        q->busy = false;
        w->last_work_ns = get_clock();
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

/* Free what a disable or reset handed over while we ran (s->lock held). */
void ak_free_deferred(AkWorker *w)
{
    guint i;

    for (i = 0; i < w->deferred->len; i++) {
        ak_eng_ctx_free(g_ptr_array_index(w->deferred, i));
    }
    g_ptr_array_set_size(w->deferred, 0);
}

void ak_workers_start(AkState *s)
{
    uint32_t i;

    if (!s->nr_workers) {
        s->nr_workers = MIN(MAX(sysconf(_SC_NPROCESSORS_ONLN), 1),
                             AK_MAX_WORKERS);
    }
    s->workers = g_new0(AkWorker, s->nr_workers);
    for (i = 0; i < s->nr_workers; i++) {
        AkWorker *w = &s->workers[i];
        char name[32];

        w->s = s;
        w->id = i;
        w->deferred = g_ptr_array_new();
        snprintf(name, sizeof(name), "accelkit-w%u", i);
        qemu_thread_create(&w->thread, name, ak_worker, w,
                           QEMU_THREAD_JOINABLE);
    }
}

void ak_workers_stop(AkState *s)
{
    uint32_t i;
    bool bql;

    qemu_mutex_lock(&s->lock);
    s->stopping = true;
    qatomic_inc(&s->kick);
    qemu_cond_broadcast(&s->work);
    qemu_mutex_unlock(&s->lock);
    /* A worker may be waiting for the BQL to send an interrupt. */
    bql = qemu_mutex_iothread_locked();
    if (bql) {
        qemu_mutex_unlock_iothread();
    }
    for (i = 0; i < s->nr_workers; i++) {
        qemu_thread_join(&s->workers[i].thread);
    }
    if (bql) {
        qemu_mutex_lock_iothread();
    }
}

/* After ak_workers_stop() and the queues' contexts are gone. */
void ak_workers_free(AkState *s)
{
    uint32_t i;

    for (i = 0; i < s->nr_workers; i++) {
        ak_free_deferred(&s->workers[i]);
        g_ptr_array_free(s->workers[i].deferred, true);
    }
    g_free(s->workers);
    s->workers = NULL;
}

/* Main loop, BQL held: send the interrupts MMIO handlers asked for. */
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
