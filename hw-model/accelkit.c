/*
 * accelkit sample accelerator: a PCI device with shared virtual addressing
 *
 * The device walks its users' x86-64 page tables itself (PASID table in
 * guest memory), caches translations, and runs NOP, COPY, FILL and
 * algorithm jobs (COMPRESS, DECOMPRESS, HASH, CIPHER) from per-queue
 * rings on a pool of workers. A queue in DMA mode (Q_MODE, 2.5: a kernel
 * owner's) takes its addresses as bus addresses instead: no PASID, no
 * walk, no page request. The programming model is docs/device.md in
 * the accelkit repository; accelkit.h lists the files.
 *
 * This file: BAR0 registers, BAR4 doorbells, queue control, reset and the
 * device's life cycle. MMIO handlers run under the BQL and take s->lock;
 * none of them ever waits for a worker.
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "accelkit.h"

/*
 * Control: called with s->lock held. Nothing here waits for the worker.
 */

/* A DMA-mode queue has no PASID: its register is not even looked at. */
static bool ak_queue_config_ok(AkState *s, AkQueue *q)
{
    return (s->dev_ctrl & AK_DEV_ENABLE) && q->depth >= 2 &&
           q->depth <= AK_MAX_DEPTH && is_power_of_2(q->depth) &&
           !(q->sq_base & 0xfff) && !(q->cq_base & 0xfff) &&
           (q->dma || q->pasid < s->ptbl_size);
}

/*
 * Drop a queue's job and free its stream contexts (s->lock held), so the
 * next owner of the queue finds every context free and no key of the
 * last one. A job a worker executes belongs to that worker: the new
 * generation makes it drop the job at its next step, and the contexts it
 * may still read are freed by the worker (its deferred list). A stalled
 * job is dropped here.
 */
static void ak_queue_drop(AkState *s, uint32_t qi)
{
    AkQueue *q = &s->q[qi];
    bool in_use = q->busy;
    uint32_t i;

    q->gen++;
    if (q->job_valid) {
        ak_alg_job_free(q->job.alg);
    }
    q->job.alg = NULL;
    q->job_valid = false;
    q->stalled = false;
    q->prq_lost = false;
    q->hung = false;
    q->resp_invalid = false;
    for (i = 0; i < AK_ENG_NR_CTX; i++) {
        if (q->ctx[i] && in_use) {
            g_ptr_array_add(s->workers[q->worker].deferred, q->ctx[i]);
        } else {
            ak_eng_ctx_free(q->ctx[i]);
        }
        q->ctx[i] = NULL;
    }
}

static void ak_queue_ctrl(AkState *s, uint32_t qi, uint32_t val)
{
    AkQueue *q = &s->q[qi];

    q->inject = 0;      /* every CTRL write cancels a pending injection */
    if (!(val & AK_QCTRL_ENABLE)) {
        /* Never waits: STATUS.ACTIVE tells when the last step is over. */
        ak_queue_drop(s, qi);
        q->ctrl = val & AK_QCTRL_IRQ;
        q->status = 0;
        return;
    }
    if (q->ctrl & AK_QCTRL_ENABLE) {
        q->ctrl = val & (AK_QCTRL_ENABLE | AK_QCTRL_IRQ);   /* IRQ toggle */
        return;
    }
    q->ctrl = val & (AK_QCTRL_ENABLE | AK_QCTRL_IRQ);
    q->dma = q->mode == AK_QMODE_DMA;   /* latched until the disable */
    q->sq_head = q->sq_tail = q->cq_tail = q->cq_head = 0;
    q->phase = true;
    q->job_valid = q->stalled = q->resp_invalid = false;
    q->prq_lost = q->hung = false;
    if (ak_queue_config_ok(s, q)) {
        q->status = AK_QST_RUNNING;
    } else {
        q->status = AK_QST_ERROR;
        qemu_log_mask(LOG_GUEST_ERROR, "accelkit: queue %u bad config\n", qi);
    }
}

/*
 * Reset everything (s->lock held, no step running: a reset requested
 * during a step waits for its end in s->reset_pending).
 */
void ak_reset_locked(AkState *s)
{
    uint32_t i;

    for (i = 0; i < s->nr_queues; i++) {
        AkQueue *q = &s->q[i];
        uint32_t gen, worker;
        bool busy;

        ak_queue_drop(s, i);
        /* A worker between steps still holds the queue: it sees gen. */
        gen = q->gen;
        busy = q->busy;
        worker = q->worker;
        memset(q, 0, sizeof(*q));
        q->gen = gen;
        q->busy = busy;
        q->worker = worker;
    }
    s->dev_ctrl = 0;
    s->ptbl = 0;
    s->ptbl_lo = 0;
    s->ptbl_size = 0;
    s->jobs = 0;
    s->next_queue = 0;
    s->prq_base = s->prq_lo = 0;
    s->prq_depth = s->prq_ctrl = s->prq_tail = s->prq_head = 0;
    s->inv_table = s->inv_table_lo = s->inv_slots = 0;
    s->inv_done = s->inv_errors = 0;
    s->debug_inject = 0;
    s->err_status = 0;
    s->err_queue = 0;
    ak_inv_clear(s);
    ak_tlb_flush(s, 0, AK_INV_ALL_PASIDS, 0, 0);
    for (i = 0; i < AK_STAT_N; i++) {
        qatomic_set(&s->stats[i], 0);
    }
    bitmap_zero(s->irq_pending, s->nr_queues + 1);
}

/*
 * BAR0: registers
 */

static uint64_t ak_queue_read(AkState *s, uint32_t qi, hwaddr reg)
{
    AkQueue *q = &s->q[qi];

    switch (reg) {
    case AK_Q_SQ_LO:
        return (uint32_t)q->sq_base;
    case AK_Q_SQ_HI:
        return q->sq_base >> 32;
    case AK_Q_CQ_LO:
        return (uint32_t)q->cq_base;
    case AK_Q_CQ_HI:
        return q->cq_base >> 32;
    case AK_Q_DEPTH:
        return q->depth;
    case AK_Q_PASID:
        return q->pasid;
    case AK_Q_CTRL:
        return q->ctrl;
    case AK_Q_STATUS:
        return q->status | (q->stalled ? AK_QST_STALLED : 0) |
               (q->in_step ? AK_QST_ACTIVE : 0) |
               (q->executing ? AK_QST_BUSY : 0);
    case AK_Q_SQ_HEAD:
        return q->sq_head;
    case AK_Q_SQ_TAIL:
        return q->sq_tail;
    case AK_Q_CQ_TAIL:
        return q->cq_tail;
    case AK_Q_CQ_HEAD:
        return q->cq_head;
    case AK_Q_MSIX:
        return q->msix_vector;
    case AK_Q_MODE:
        return q->mode;
    case AK_Q_INJECT:
        return q->inject;
    }
    return 0;
}

static uint64_t ak_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    AkState *s = opaque;
    uint64_t val = 0;

    qemu_mutex_lock(&s->lock);
    if (addr >= AK_REG_QBASE) {
        uint32_t qi = (addr - AK_REG_QBASE) / AK_REG_QSTRIDE;

        if (qi < s->nr_queues) {
            val = ak_queue_read(s, qi, (addr - AK_REG_QBASE) %
                                AK_REG_QSTRIDE);
        }
        qemu_mutex_unlock(&s->lock);
        return val;
    }
    if ((addr >= AK_REG_STAT_BASE && addr < AK_REG_STAT_END) ||
        (addr & ~7) == AK_REG_STAT_DMA_JOBS) {
        /* Reading LO latches the counter; HI returns its upper half. */
        if (addr & 4) {
            val = s->stat_latch >> 32;
        } else {
            int stat = addr == AK_REG_STAT_DMA_JOBS ? AK_STAT_DMA_JOBS :
                       (addr - AK_REG_STAT_BASE) / 8;

            s->stat_latch = qatomic_read(&s->stats[stat]);
            val = (uint32_t)s->stat_latch;
        }
        qemu_mutex_unlock(&s->lock);
        return val;
    }
    switch (addr) {
    case AK_REG_MAGIC:
        val = AK_MAGIC;
        break;
    case AK_REG_VERSION:
        val = AK_VERSION;
        break;
    case AK_REG_CAPS:
        val = AK_CAPS;
        break;
    case AK_REG_NR_QUEUES:
        val = s->nr_queues;
        break;
    case AK_REG_DEV_CTRL:
        val = s->dev_ctrl | (s->reset_pending ? AK_DEV_RESET : 0);
        break;
    case AK_REG_DEV_STATUS:
        val = s->dev_ctrl & AK_DEV_ENABLE;
        break;
    case AK_REG_PTBL_LO:
        val = (uint32_t)s->ptbl;
        break;
    case AK_REG_PTBL_HI:
        val = s->ptbl >> 32;
        break;
    case AK_REG_PTBL_SIZE:
        val = s->ptbl_size;
        break;
    case AK_REG_MAX_XFER:
        val = AK_MAX_XFER;
        break;
    case AK_REG_JOBS_LO:
        val = (uint32_t)s->jobs;
        break;
    case AK_REG_JOBS_HI:
        val = s->jobs >> 32;
        break;
    case AK_REG_PRQ_LO:
        val = (uint32_t)s->prq_base;
        break;
    case AK_REG_PRQ_HI:
        val = s->prq_base >> 32;
        break;
    case AK_REG_PRQ_DEPTH:
        val = s->prq_depth;
        break;
    case AK_REG_PRQ_CTRL:
        val = s->prq_ctrl;
        break;
    case AK_REG_PRQ_TAIL:
        val = s->prq_tail;
        break;
    case AK_REG_PRQ_HEAD:
        val = s->prq_head;
        break;
    case AK_REG_INV_TABLE_LO:
        val = (uint32_t)s->inv_table;
        break;
    case AK_REG_INV_TABLE_HI:
        val = s->inv_table >> 32;
        break;
    case AK_REG_INV_SLOTS:
        val = s->inv_slots;
        break;
    case AK_REG_INV_DONE:
        val = s->inv_done;
        break;
    case AK_REG_INV_ERRORS:
        val = s->inv_errors;
        break;
    case AK_REG_ERR_STATUS:
        val = s->err_status;
        break;
    case AK_REG_DEBUG_INJECT:
        val = s->debug_inject;
        break;
    case AK_REG_WORKERS:
        val = s->nr_workers;
        break;
    case AK_REG_ERR_QUEUE:
        val = s->err_queue;
        break;
    }
    qemu_mutex_unlock(&s->lock);
    return val;
}

static void ak_queue_write(AkState *s, uint32_t qi, hwaddr reg, uint32_t val)
{
    AkQueue *q = &s->q[qi];

    if (reg == AK_Q_CTRL) {
        ak_queue_ctrl(s, qi, val);
        return;
    }
    if (reg == AK_Q_INJECT) {
        /* Armed at any time; a kind the device does not know disarms. */
        q->inject = (val & AK_INJ_KIND_MASK) < AK_INJ_N ?
                    (val & ~0xf0u) : 0;
        return;
    }
    if (q->ctrl & AK_QCTRL_ENABLE) {
        return;         /* configuration is frozen while enabled */
    }
    switch (reg) {
    case AK_Q_SQ_LO:
        q->sq_lo = val;
        break;
    case AK_Q_SQ_HI:
        q->sq_base = deposit64(q->sq_lo, 32, 32, val);
        break;
    case AK_Q_CQ_LO:
        q->cq_lo = val;
        break;
    case AK_Q_CQ_HI:
        q->cq_base = deposit64(q->cq_lo, 32, 32, val);
        break;
    case AK_Q_DEPTH:
        q->depth = val;
        break;
    case AK_Q_PASID:
        q->pasid = val;
        break;
    case AK_Q_MSIX:
        q->msix_vector = val;
        break;
    case AK_Q_MODE:
        /* Reserved values (2 and up) leave the mode as it was. */
        if (val <= AK_QMODE_DMA) {
            q->mode = val;
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "accelkit: queue %u: reserved "
                          "Q_MODE 0x%x ignored\n", qi, val);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "accelkit: write to RO queue reg\n");
    }
}

/* PRQ ring configuration: only while the device is disabled. */
static void ak_prq_config_write(AkState *s, hwaddr addr, uint32_t val)
{
    if (s->dev_ctrl & AK_DEV_ENABLE) {
        return;
    }
    switch (addr) {
    case AK_REG_PRQ_LO:
        s->prq_lo = val & ~0xfffu;
        break;
    case AK_REG_PRQ_HI:
        s->prq_base = deposit64(s->prq_lo, 32, 32, val);
        break;
    case AK_REG_PRQ_DEPTH:
        if (val >= 2 && val <= AK_MAX_DEPTH && is_power_of_2(val)) {
            s->prq_depth = val;
        } else {
            s->prq_depth = 0;
            qemu_log_mask(LOG_GUEST_ERROR, "accelkit: bad PRQ_DEPTH\n");
        }
        s->prq_tail = s->prq_head = 0;
        break;
    }
}

/*
 * Latch an ERR_STATUS bit and signal vector 0 (s->lock held; also from
 * workers: the bottom half sends the message under the BQL).
 */
void ak_raise_error(AkState *s, uint32_t bit)
{
    s->err_status |= bit;
    set_bit(0, s->irq_pending);
    qemu_bh_schedule(s->irq_bh);
}

/*
 * ERR_STATUS write (1 clears). Clearing PRQ_OVERFLOW lets every queue
 * whose page request found the ring full retry its job: it faults again
 * and posts the request now (or overflows again).
 */
static void ak_err_status_write(AkState *s, uint32_t val)
{
    uint32_t i;

    s->err_status &= ~val;
    if (!(val & AK_ERR_PRQ_OVERFLOW)) {
        return;
    }
    for (i = 0; i < s->nr_queues; i++) {
        AkQueue *q = &s->q[i];

        if (q->prq_lost) {
            q->prq_lost = false;
            q->stalled = false;
            ak_kick(s);
        }
    }
}

/* PRQ_RESPONSE: let a stalled queue resume, or fail its job. */
static void ak_page_response(AkState *s, uint32_t val)
{
    uint32_t qi = val & 0xffff;
    AkQueue *q;

    if (qi >= s->nr_queues || !s->q[qi].stalled || s->q[qi].prq_lost) {
        return;
    }
    q = &s->q[qi];
    q->stalled = false;
    q->resp_invalid = !!(val & AK_PRQ_RESP_INVALID);
    ak_kick(s);
}

static void ak_regs_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    AkState *s = opaque;

    qemu_mutex_lock(&s->lock);
    if (addr >= AK_REG_QBASE) {
        uint32_t qi = (addr - AK_REG_QBASE) / AK_REG_QSTRIDE;

        if (qi < s->nr_queues) {
            ak_queue_write(s, qi, (addr - AK_REG_QBASE) % AK_REG_QSTRIDE,
                           val);
        }
        qemu_mutex_unlock(&s->lock);
        return;
    }
    switch (addr) {
    case AK_REG_DEV_CTRL:
        if (val & AK_DEV_RESET) {
            /* Now if no step runs, else when it ends: never wait here. */
            if (ak_any_step(s)) {
                s->reset_pending = true;
            } else if (!s->reset_pending) {
                ak_reset_locked(s);
            }
        } else if (!s->reset_pending) {
            s->dev_ctrl = val & AK_DEV_ENABLE;
            ak_kick(s);
        }
        break;
    case AK_REG_PTBL_LO:
        if (!(s->dev_ctrl & AK_DEV_ENABLE)) {
            s->ptbl_lo = val & ~0xfffu;
        }
        break;
    case AK_REG_PTBL_HI:
        if (!(s->dev_ctrl & AK_DEV_ENABLE)) {
            s->ptbl = deposit64(s->ptbl_lo, 32, 32, val);
            ak_tlb_flush(s, 0, AK_INV_ALL_PASIDS, 0, 0);
        }
        break;
    case AK_REG_PTBL_SIZE:
        if (!(s->dev_ctrl & AK_DEV_ENABLE)) {
            s->ptbl_size = MIN(val, AK_MAX_PASIDS);
            ak_tlb_flush(s, 0, AK_INV_ALL_PASIDS, 0, 0);
        }
        break;
    case AK_REG_PRQ_LO:
    case AK_REG_PRQ_HI:
    case AK_REG_PRQ_DEPTH:
        ak_prq_config_write(s, addr, val);
        break;
    case AK_REG_PRQ_CTRL:
        s->prq_ctrl = val & AK_PRQ_ENABLE;
        break;
    case AK_REG_PRQ_HEAD:
        if (s->prq_depth) {
            s->prq_head = val % s->prq_depth;
        }
        break;
    case AK_REG_PRQ_RESP:
        ak_page_response(s, val);
        break;
    case AK_REG_INV_TABLE_LO:
        if (!(s->dev_ctrl & AK_DEV_ENABLE)) {
            s->inv_table_lo = val & ~0xfffu;
        }
        break;
    case AK_REG_INV_TABLE_HI:
        if (!(s->dev_ctrl & AK_DEV_ENABLE)) {
            s->inv_table = deposit64(s->inv_table_lo, 32, 32, val);
        }
        break;
    case AK_REG_INV_SLOTS:
        if (!(s->dev_ctrl & AK_DEV_ENABLE)) {
            s->inv_slots = val <= AK_INV_MAX_SLOTS ? val : 0;
            ak_inv_clear(s);
        }
        break;
    case AK_REG_INV_SUBMIT:
        ak_inv_submit(s, val);
        break;
    case AK_REG_ERR_STATUS:
        ak_err_status_write(s, val);
        break;
    case AK_REG_DEBUG_INJECT:
        qatomic_set(&s->debug_inject, val & AK_DBG_MASK);
        if (val & AK_DBG_RAISE_ERROR) {
            /* A recovered internal error: latch it, signal vector 0. */
            ak_raise_error(s, AK_ERR_CORRECTABLE);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "accelkit: write to reg 0x%" HWADDR_PRIx
                      "\n", addr);
    }
    qemu_mutex_unlock(&s->lock);
}

static const MemoryRegionOps ak_regs_ops = {
    .read = ak_regs_read,
    .write = ak_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/*
 * BAR4: one doorbell page per queue
 */

static uint64_t ak_db_read(void *opaque, hwaddr addr, unsigned size)
{
    AkState *s = opaque;
    uint32_t qi = addr >> 12;
    uint64_t val = 0;

    qemu_mutex_lock(&s->lock);
    if (qi < s->nr_queues) {
        if ((addr & 0xfff) == AK_DB_SQ_TAIL) {
            val = s->q[qi].sq_tail;
        } else if ((addr & 0xfff) == AK_DB_CQ_HEAD) {
            val = s->q[qi].cq_head;
        }
    }
    qemu_mutex_unlock(&s->lock);
    return val;
}

static void ak_db_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    AkState *s = opaque;
    uint32_t qi = addr >> 12;
    AkQueue *q;
    bool wake;

    qemu_mutex_lock(&s->lock);
    if (qi >= s->nr_queues || !(s->q[qi].status & AK_QST_RUNNING)) {
        qemu_mutex_unlock(&s->lock);
        return;
    }
    q = &s->q[qi];
    if ((addr & 0xfff) == AK_DB_SQ_TAIL) {
        q->sq_tail = val % q->depth;
    } else if ((addr & 0xfff) == AK_DB_CQ_HEAD) {
        q->cq_head = val % q->depth;
    }
    wake = s->sleepers && !s->spinning;
    qemu_mutex_unlock(&s->lock);
    /*
     * After the unlock: a polling worker (s->kick) or a woken one takes
     * s->lock first. A poller that gave up meanwhile finds the new tail
     * when it re-checks under s->lock, or is asleep and counted in
     * s->sleepers above.
     */
    qatomic_inc(&s->kick);
    if (wake) {
        qemu_cond_signal(&s->work);
    }
}

static const MemoryRegionOps ak_db_ops = {
    .read = ak_db_read,
    .write = ak_db_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/*
 * Device life cycle
 */

static void ak_realize(PCIDevice *pdev, Error **errp)
{
    AkState *s = ACCELKIT(pdev);
    uint32_t i;

    if (s->nr_queues < 1 || s->nr_queues > AK_MAX_QUEUES) {
        error_setg(errp, "accelkit: queues must be 1..%d", AK_MAX_QUEUES);
        return;
    }
    if (s->nr_workers > AK_MAX_WORKERS) {
        error_setg(errp, "accelkit: workers must be 0 (one per host CPU) "
                   "..%d", AK_MAX_WORKERS);
        return;
    }
    if (s->poll_us > 10000) {
        error_setg(errp, "accelkit: poll-us must be 0..10000");
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    memory_region_init_io(&s->regs, OBJECT(s), &ak_regs_ops, s,
                          "accelkit-regs", 64 * KiB);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->regs);

    if (msix_init_exclusive_bar(pdev, s->nr_queues + 1, 2, errp)) {
        return;
    }
    for (i = 0; i < s->nr_queues + 1; i++) {
        msix_vector_use(pdev, i);
    }

    memory_region_init_io(&s->doorbells, OBJECT(s), &ak_db_ops, s,
                          "accelkit-doorbells",
                          pow2ceil(s->nr_queues * 4 * KiB));
    pci_register_bar(pdev, 4, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->doorbells);

    s->q = g_new0(AkQueue, s->nr_queues);
    s->irq_pending = bitmap_new(s->nr_queues + 1);
    s->irq_bh = qemu_bh_new(ak_irq_bh, s);
    ak_tlb_init(s);
    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->work);
    qemu_cond_init(&s->idle);
    s->stopping = false;
    ak_workers_start(s);
}

static void ak_exit(PCIDevice *pdev)
{
    AkState *s = ACCELKIT(pdev);
    uint32_t i;

    ak_workers_stop(s);
    qemu_bh_delete(s->irq_bh);
    for (i = 0; i < s->nr_queues; i++) {
        s->q[i].busy = false;
        ak_queue_drop(s, i);
    }
    ak_workers_free(s);

    qemu_cond_destroy(&s->idle);
    qemu_cond_destroy(&s->work);
    qemu_mutex_destroy(&s->lock);
    g_free(s->irq_pending);
    g_free(s->q);
    msix_unuse_all_vectors(pdev);
    msix_uninit_exclusive_bar(pdev);
}

/*
 * Function reset: not a guest MMIO access, so it may wait, but only for
 * the running step: the worker completes the reset at the step end and
 * needs nothing we hold but s->lock, which the wait releases.
 */
static void ak_reset(DeviceState *dev)
{
    AkState *s = ACCELKIT(dev);

    qemu_mutex_lock(&s->lock);
    if (ak_any_step(s)) {
        s->reset_pending = true;
        while (s->reset_pending) {
            qemu_cond_wait(&s->idle, &s->lock);
        }
    } else {
        ak_reset_locked(s);
        s->reset_pending = false;
    }
    qemu_mutex_unlock(&s->lock);
}

static const VMStateDescription ak_vmstate = {
    .name = "accelkit",
    .unmigratable = 1,
};

static Property ak_properties[] = {
    DEFINE_PROP_UINT32("queues", AkState, nr_queues, 16),
    DEFINE_PROP_UINT32("workers", AkState, nr_workers, 0),
    DEFINE_PROP_UINT32("poll-us", AkState, poll_us, 50),
    DEFINE_PROP_END_OF_LIST(),
};

static void ak_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = ak_realize;
    k->exit = ak_exit;
    k->vendor_id = AK_VENDOR_ID;
    k->device_id = AK_DEVICE_ID;
    k->subsystem_vendor_id = AK_VENDOR_ID;
    k->subsystem_id = AK_SUBSYS_ID;
    k->class_id = AK_CLASS;
    k->revision = 1;
    dc->desc = "accelkit sample SVA accelerator";
    dc->reset = ak_reset;
    dc->vmsd = &ak_vmstate;
    device_class_set_props(dc, ak_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo ak_info = {
    .name = TYPE_ACCELKIT,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(AkState),
    .class_init = ak_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void ak_register_types(void)
{
    type_register_static(&ak_info);
}

type_init(ak_register_types)
