/*
 * accelkit sample accelerator: a PCI device with shared virtual addressing
 *
 * The device walks its users' x86-64 page tables itself (PASID table in
 * guest memory) and runs NOP, COPY and FILL jobs from per-queue rings,
 * and algorithm jobs (COMPRESS, DECOMPRESS, HASH, CIPHER) whose engines
 * live in accelkit-engines.c: this file reads their inputs, writes their
 * outputs and keeps their job and stream-context state.
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
#include "qemu/bitops.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/rcu.h"
#include "qemu/thread.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "exec/memory.h"
#include "qom/object.h"
#include "accelkit-engines.h"

#define TYPE_ACCELKIT "accelkit"
OBJECT_DECLARE_SIMPLE_TYPE(AkState, ACCELKIT)

#define AK_VENDOR_ID        0x1af4
#define AK_DEVICE_ID        0x10f7
#define AK_SUBSYS_ID        0x1100
#define AK_CLASS            0x1200
#define AK_MAGIC            0x54494b41
#define AK_VERSION          0x00020000
#define AK_MAX_QUEUES       256
#define AK_MAX_DEPTH        4096
#define AK_MAX_XFER         (64 * MiB)
#define AK_MAX_PASIDS       (1u << 20)
#define AK_BATCH            16
#define AK_BOUNCE_SIZE      (64 * KiB)

/* BAR0 registers */
#define AK_REG_MAGIC        0x000
#define AK_REG_VERSION      0x004
#define AK_REG_CAPS         0x008
#define AK_REG_NR_QUEUES    0x00c
#define AK_REG_DEV_CTRL     0x010
#define AK_REG_DEV_STATUS   0x014
#define AK_REG_PTBL_LO      0x018
#define AK_REG_PTBL_HI      0x01c
#define AK_REG_PTBL_SIZE    0x020
#define AK_REG_MAX_XFER     0x028
#define AK_REG_JOBS_LO      0x030
#define AK_REG_JOBS_HI      0x034
#define AK_REG_PRQ_LO       0x040
#define AK_REG_PRQ_HI       0x044
#define AK_REG_PRQ_DEPTH    0x048
#define AK_REG_PRQ_CTRL     0x04c
#define AK_REG_PRQ_TAIL     0x050
#define AK_REG_PRQ_HEAD     0x054
#define AK_REG_PRQ_RESP     0x058
#define AK_REG_INV_TABLE_LO 0x060
#define AK_REG_INV_TABLE_HI 0x064
#define AK_REG_INV_SLOTS    0x068
#define AK_REG_INV_SUBMIT   0x06c
#define AK_REG_INV_DONE     0x070
#define AK_REG_INV_ERRORS   0x074
#define AK_REG_DEBUG_INJECT 0x0f0
#define AK_REG_QBASE        0x1000
#define AK_REG_QSTRIDE      0x40

#define AK_DEV_ENABLE       BIT(0)
#define AK_DEV_RESET        BIT(1)

/* Per-queue registers */
#define AK_Q_SQ_LO          0x00
#define AK_Q_SQ_HI          0x04
#define AK_Q_CQ_LO          0x08
#define AK_Q_CQ_HI          0x0c
#define AK_Q_DEPTH          0x10
#define AK_Q_PASID          0x14
#define AK_Q_CTRL           0x18
#define AK_Q_STATUS         0x1c
#define AK_Q_SQ_HEAD        0x20
#define AK_Q_SQ_TAIL        0x24
#define AK_Q_CQ_TAIL        0x28
#define AK_Q_CQ_HEAD        0x2c
#define AK_Q_MSIX           0x30

#define AK_QCTRL_ENABLE     BIT(0)
#define AK_QCTRL_IRQ        BIT(1)
#define AK_QST_RUNNING      BIT(0)
#define AK_QST_ERROR        BIT(1)
#define AK_QST_STALLED      BIT(2)
#define AK_QST_ACTIVE       BIT(3)

#define AK_PRQ_ENABLE       BIT(0)
#define AK_PRQ_ENTRY_SIZE   16
#define AK_PRQ_WRITE        BIT(0)
#define AK_PRQ_RESP_INVALID BIT(31)

/* Invalidation descriptor table */
#define AK_INV_MAX_SLOTS    1024
#define AK_INV_DESC_SIZE    32
#define AK_INV_STATUS_OFF   24
#define AK_INV_ALL_PASIDS   BIT(0)
#define AK_INV_STATUS_DONE  1
#define AK_DBG_IGNORE_INV   BIT(0)

/* Doorbell page */
#define AK_DB_SQ_TAIL       0x000
#define AK_DB_CQ_HEAD       0x004

/* Jobs */
#define AK_OP_NOP           0
#define AK_OP_COPY          1
#define AK_OP_FILL          2
#define AK_OP_COMPRESS      AK_ENG_OP_COMPRESS
#define AK_OP_DECOMPRESS    AK_ENG_OP_DECOMPRESS
#define AK_OP_HASH          AK_ENG_OP_HASH
#define AK_OP_CIPHER        AK_ENG_OP_CIPHER
#define AK_DF_IRQ           BIT(0)
#define AK_DF_FIRST         BIT(1)      /* algorithm jobs */
#define AK_DF_LAST          BIT(2)
#define AK_DF_DECRYPT       BIT(3)      /* CIPHER */
#define AK_DESC_SIZE        64
#define AK_CPL_SIZE         32
#define AK_CF_PHASE         BIT(0)
#define AK_CF_END           BIT(1)      /* DECOMPRESS: end of stream */

enum {
    AK_ST_SUCCESS = 0,
    AK_ST_INVALID_OPCODE = 1,
    AK_ST_INVALID_DESC = 2,
    AK_ST_XLATE_FAULT = 3,
    AK_ST_PASID_INVALID = 4,
    AK_ST_DMA_ERROR = 5,
    AK_ST_DATA_ERROR = 6,
    AK_ST_OVERFLOW = 7,
    AK_ST_AUTH_FAILURE = 8,
    /* Internal: resolvable fault (not present, or write to read-only). */
    AK_ST_NEED_PAGE = 0x100,
    /* Internal: the queue was disabled or reset: drop the job. */
    AK_ST_STOPPED = 0x101,
    /* Internal: the device was disabled: keep the job for later. */
    AK_ST_PAUSED = 0x102,
};

#define AK_CAPS             (BIT(AK_OP_NOP) | BIT(AK_OP_COPY) | \
                             BIT(AK_OP_FILL) | BIT(AK_OP_COMPRESS) | \
                             BIT(AK_OP_DECOMPRESS) | BIT(AK_OP_HASH) | \
                             BIT(AK_OP_CIPHER) | BIT(16) | BIT(17))

/* PASID table entry */
#define AK_PASID_ENTRY_SIZE 16
#define AK_PASID_STATE_MASK 0x3
#define AK_PASID_VALID      1
#define AK_PASID_LA57       BIT(2)

/* x86-64 page-table entry bits */
#define PTE_P               BIT_ULL(0)
#define PTE_W               BIT_ULL(1)
#define PTE_U               BIT_ULL(2)
#define PTE_A               BIT_ULL(5)
#define PTE_D               BIT_ULL(6)
#define PTE_PS              BIT_ULL(7)
#define PTE_ADDR_MASK       0x000ffffffffff000ULL

/* A decoded descriptor. */
typedef struct AkDesc {
    uint16_t opcode;
    uint16_t flags;
    uint32_t rsvd0;
    uint64_t tag;
    uint64_t src;
    uint64_t dst;
    uint64_t len;
    uint64_t pattern;
    uint64_t rsvd1[2];
} AkDesc;

/* A guest range read into a host buffer, page by page. */
typedef struct AkRange {
    uint64_t va;
    uint64_t len;
    uint64_t done;              /* bytes read so far */
    uint8_t *buf;
} AkRange;

enum {
    AK_RD_PARAMS,               /* the parameter block */
    AK_RD_KEY,
    AK_RD_IV,
    AK_RD_AAD,
    AK_RD_TAG,                  /* GCM decrypt: the expected tag */
    AK_RD_SRC,
    AK_RD_N,
};

/*
 * The host side of an algorithm job, kept across stalls: the inputs read
 * so far, then (once the engine ran, which it does exactly once) its
 * output and the stream context's next state, until the output is in dst.
 */
typedef struct AkAlgJob {
    uint8_t pblk[AK_ENG_PARAMS_SIZE];
    uint8_t iv[AK_ENG_IV_MAX];
    uint8_t tag_in[AK_ENG_TAG_SIZE];
    AkEngParams p;
    AkEngNeeds needs;
    bool validated;             /* params read and checked, buffers set up */
    AkRange rd[AK_RD_N];        /* key, aad and src buffers are ours */
    bool ran;                   /* the engine ran: eng_st and out are set */
    int eng_st;
    AkEngOut out;
    uint64_t tag_ok;            /* GCM encrypt: tag bytes translated */
    uint64_t tag_done;          /* ... and written */
} AkAlgJob;

/*
 * The job in execution on a queue, with how far it got: a job that stalls
 * on a page request resumes from here. The descriptor is a snapshot, so
 * user space rewriting the ring slot meanwhile changes nothing.
 */
typedef struct AkJob {
    AkDesc d;
    uint64_t src_ok;            /* bytes of src translated */
    uint64_t dst_ok;            /* bytes of dst translated */
    uint64_t done;              /* bytes moved (algorithm jobs: to dst) */
    AkAlgJob *alg;              /* algorithm jobs; owned by the job */
} AkJob;

typedef struct AkQueue {
    uint64_t sq_base;
    uint64_t cq_base;
    uint32_t sq_lo;             /* LO halves wait for their HI write */
    uint32_t cq_lo;
    uint32_t depth;
    uint32_t pasid;
    uint32_t ctrl;
    uint32_t status;
    uint32_t msix_vector;
    uint32_t sq_head;
    uint32_t sq_tail;
    uint32_t cq_tail;
    uint32_t cq_head;
    bool phase;
    /*
     * Bumped when the queue is disabled or reset: a job the worker took
     * under an older generation is dropped, its result discarded.
     */
    uint32_t gen;
    bool job_valid;             /* job holds a started, unfinished job */
    bool stalled;               /* waiting for a page response */
    bool resp_invalid;          /* the response said the page is invalid */
    uint64_t stall_addr;
    AkJob job;
    /*
     * Stream contexts (NULL: free). Changed with s->lock held; the worker
     * takes a snapshot of the pointers when it takes a job. A disable or
     * reset while the worker executes a job of this queue hands them to
     * s->deferred, which the worker frees when it is done with the job.
     */
    AkEngCtx *ctx[AK_ENG_NR_CTX];
} AkQueue;

struct AkState {
    PCIDevice parent_obj;

    MemoryRegion regs;
    MemoryRegion doorbells;
    uint32_t nr_queues;

    /* Everything below is protected by lock. */
    QemuMutex lock;
    QemuCond work;              /* worker: something to do */
    QemuCond idle;              /* ak_reset: a pending reset was done */
    AkQueue *q;
    uint32_t dev_ctrl;
    uint64_t ptbl;
    uint32_t ptbl_lo;
    uint32_t ptbl_size;
    uint64_t jobs;
    bool busy;                  /* worker executes a job of busy_queue */
    uint32_t busy_queue;
    bool step_active;           /* a step of step_queue is running */
    uint32_t step_queue;
    uint32_t step_pasid;
    bool reset_pending;         /* DEV_CTRL.RESET: at the end of the step */
    GPtrArray *deferred;        /* AkEngCtx the worker frees after its job */
    uint64_t prq_base;
    uint32_t prq_lo;
    uint32_t prq_depth;
    uint32_t prq_ctrl;
    uint32_t prq_tail;
    uint32_t prq_head;
    uint64_t inv_table;
    uint32_t inv_table_lo;
    uint32_t inv_slots;
    uint32_t inv_done;          /* INV_DONE: status words written */
    uint32_t inv_errors;        /* INV_ERRORS: submissions not served */
    uint32_t debug_inject;
    /* slots whose DONE waits for the end of the running step */
    DECLARE_BITMAP(inv_pending, AK_INV_MAX_SLOTS);
    bool stopping;
    uint32_t next_queue;        /* round-robin start */

    unsigned long *irq_pending; /* MSI-X vectors the bottom half sends */

    QemuThread thread;
    QEMUBH *irq_bh;
    uint8_t *bounce;            /* worker only */
};

typedef struct AkCpl {
    uint64_t bytes;
    uint64_t fault_addr;
    uint16_t status;
    uint16_t flags;             /* AK_CF_END */
} AkCpl;

/* Translation context of one job. */
typedef struct AkCtx {
    uint64_t root;
    bool la57;
} AkCtx;

/*
 * The job the worker executes, as steps see it. ctx is valid only inside
 * a step: every step reads the PASID entry again.
 */
typedef struct AkRun {
    uint32_t qi;
    uint32_t gen;               /* the queue's generation when taken */
    uint32_t pasid;
    uint64_t ptbl;
    uint32_t ptbl_size;
    bool in_step;
    bool finishing;             /* completion step: runs while disabled */
    AkCtx ctx;
} AkRun;

static void ak_reset_locked(AkState *s);
static int ak_step_xlate(AkState *s, AkRun *r);

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

static bool ak_dma(AkState *s, hwaddr gpa, void *buf, hwaddr len, bool write)
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
static int ak_translate(AkState *s, const AkCtx *ctx, uint64_t va, bool write,
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
static int ak_check_range(AkState *s, AkRun *r, uint64_t va,
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
static void ak_inv_submit(AkState *s, uint32_t slot)
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

static void ak_step_end(AkState *s, AkRun *r)
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
static int ak_step_xlate(AkState *s, AkRun *r)
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
 * Algorithm jobs
 */

static void ak_alg_job_free(AkAlgJob *a)
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
    ak_eng_wipe(a->iv, sizeof(a->iv));
    ak_eng_out_free(&a->out);
    g_free(a);
}

/*
 * Read the rest of @rg into its buffer, one step per page (at most
 * AK_BOUNCE_SIZE); NEED_PAGE keeps the progress.
 */
static int ak_read_range(AkState *s, AkRun *r, AkRange *rg,
                         uint64_t *stall_va)
{
    while (rg->done < rg->len) {
        hwaddr gpa;
        uint64_t left, n;
        int st = ak_step_xlate(s, r);

        if (st == AK_ST_SUCCESS) {
            st = ak_translate(s, &r->ctx, rg->va + rg->done, false, &gpa,
                              &left);
        }
        if (st != AK_ST_SUCCESS) {
            *stall_va = rg->va + rg->done;
            return st;
        }
        n = MIN(MIN(left, rg->len - rg->done), AK_BOUNCE_SIZE);
        if (!ak_dma(s, gpa, rg->buf + rg->done, n, false)) {
            return AK_ST_DMA_ERROR;
        }
        rg->done += n;
    }
    return AK_ST_SUCCESS;
}

/*
 * Write the rest of [buf, buf + len) to @va, one step per page (at most
 * AK_BOUNCE_SIZE); *done is the progress.
 */
static int ak_write_range(AkState *s, AkRun *r, uint64_t va,
                          const uint8_t *buf, uint64_t len, uint64_t *done,
                          uint64_t *stall_va)
{
    while (*done < len) {
        hwaddr gpa;
        uint64_t left, n;
        int st = ak_step_xlate(s, r);

        if (st == AK_ST_SUCCESS) {
            st = ak_translate(s, &r->ctx, va + *done, true, &gpa, &left);
        }
        if (st != AK_ST_SUCCESS) {
            *stall_va = va + *done;
            return st;
        }
        n = MIN(MIN(left, len - *done), AK_BOUNCE_SIZE);
        if (!ak_dma(s, gpa, (void *)(buf + *done), n, true)) {
            return AK_ST_DMA_ERROR;
        }
        *done += n;
    }
    return AK_ST_SUCCESS;
}

/*
 * Read and check the parameter block, then set up the input ranges.
 * Returns SUCCESS, NEED_PAGE (resumable), or a status that ends the job.
 */
static int ak_alg_setup(AkState *s, AkRun *r, AkJob *j,
                        AkEngCtx *cur, uint64_t *stall_va)
{
    const AkDesc *d = &j->d;
    AkAlgJob *a = j->alg;
    AkRange *rd = a->rd;
    const AkEngParams *p = &a->p;
    int st, i;

    rd[AK_RD_PARAMS].va = d->rsvd1[0];
    rd[AK_RD_PARAMS].len = AK_ENG_PARAMS_SIZE;
    rd[AK_RD_PARAMS].buf = a->pblk;
    st = ak_read_range(s, r, &rd[AK_RD_PARAMS], stall_va);
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    ak_eng_decode_params(a->pblk, &a->p);
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
    /* Host memory is bounded by MAX_XFER per buffer; failing is not fatal. */
    for (i = AK_RD_KEY; i < AK_RD_N; i++) {
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

/*
 * COMPRESS, DECOMPRESS, HASH, CIPHER, resumable in three steps, each
 * keeping its progress in j->alg across page-request stalls:
 *  1. read the parameter block and every input (key, IV, AAD, tag, src)
 *     into host buffers;
 *  2. run the engine once on a copy of the stream context (@cur);
 *  3. translate all of dst (output bytes) and the GCM tag, then write them.
 * Nothing is written before step 3, so a job that fails earlier (or in
 * the translation pass of step 3) writes nothing. The caller commits
 * j->alg->out.next as the context's new state on SUCCESS.
 */
static int ak_alg_exec(AkState *s, AkRun *r, AkJob *j,
                       AkEngCtx *cur, AkCpl *c, uint64_t *stall_va,
                       bool *stall_write)
{
    const AkDesc *d = &j->d;
    AkAlgJob *a = j->alg;
    AkEngOut *out = &a->out;
    int st, i;

    *stall_write = false;
    if (!a->validated) {
        st = ak_alg_setup(s, r, j, cur, stall_va);
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
            st = ak_read_range(s, r, &a->rd[i], stall_va);
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
        a->eng_st = ak_eng_run(&ej, out);
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

    *stall_write = true;
    st = ak_check_range(s, r, d->dst, out->len, true, &j->dst_ok, stall_va);
    if (st == AK_ST_SUCCESS && a->needs.tag_out) {
        st = ak_check_range(s, r, a->p.auth_tag, AK_ENG_TAG_SIZE, true,
                            &a->tag_ok, stall_va);
    }
    if (st == AK_ST_SUCCESS) {
        st = ak_write_range(s, r, d->dst, out->buf, out->len, &j->done,
                            stall_va);
    }
    if (st == AK_ST_SUCCESS && a->needs.tag_out) {
        st = ak_write_range(s, r, a->p.auth_tag, out->tag, AK_ENG_TAG_SIZE,
                            &a->tag_done, stall_va);
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
static void ak_free_deferred(AkState *s)
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

static void *ak_worker(void *opaque)
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
static void ak_irq_bh(void *opaque)
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

/*
 * Control: called with s->lock held. Nothing here waits for the worker.
 */

static bool ak_queue_config_ok(AkState *s, AkQueue *q)
{
    return (s->dev_ctrl & AK_DEV_ENABLE) && q->depth >= 2 &&
           q->depth <= AK_MAX_DEPTH && is_power_of_2(q->depth) &&
           !(q->sq_base & 0xfff) && !(q->cq_base & 0xfff) &&
           q->pasid < s->ptbl_size;
}

/*
 * Drop a queue's job and free its stream contexts (s->lock held). A job
 * the worker executes belongs to the worker: the new generation makes it
 * drop the job at its next step, and the contexts it may still read are
 * freed by the worker (s->deferred). A stalled job is dropped here.
 */
static void ak_queue_drop(AkState *s, uint32_t qi)
{
    AkQueue *q = &s->q[qi];
    bool in_use = s->busy && s->busy_queue == qi;
    uint32_t i;

    q->gen++;
    if (q->job_valid) {
        ak_alg_job_free(q->job.alg);
    }
    q->job.alg = NULL;
    q->job_valid = false;
    q->stalled = false;
    q->resp_invalid = false;
    for (i = 0; i < AK_ENG_NR_CTX; i++) {
        if (q->ctx[i] && in_use) {
            g_ptr_array_add(s->deferred, q->ctx[i]);
        } else {
            ak_eng_ctx_free(q->ctx[i]);
        }
        q->ctx[i] = NULL;
    }
}

static void ak_queue_ctrl(AkState *s, uint32_t qi, uint32_t val)
{
    AkQueue *q = &s->q[qi];

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
    q->sq_head = q->sq_tail = q->cq_tail = q->cq_head = 0;
    q->phase = true;
    q->job_valid = q->stalled = q->resp_invalid = false;
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
static void ak_reset_locked(AkState *s)
{
    uint32_t i;

    for (i = 0; i < s->nr_queues; i++) {
        uint32_t gen;

        ak_queue_drop(s, i);
        gen = s->q[i].gen;
        memset(&s->q[i], 0, sizeof(s->q[i]));
        s->q[i].gen = gen;
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
    bitmap_zero(s->inv_pending, AK_INV_MAX_SLOTS);
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
               (s->step_active && s->step_queue == qi ? AK_QST_ACTIVE : 0);
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
    case AK_REG_DEBUG_INJECT:
        val = s->debug_inject;
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

/* PRQ_RESPONSE: let a stalled queue resume, or fail its job. */
static void ak_page_response(AkState *s, uint32_t val)
{
    uint32_t qi = val & 0xffff;
    AkQueue *q;

    if (qi >= s->nr_queues || !s->q[qi].stalled) {
        return;
    }
    q = &s->q[qi];
    q->stalled = false;
    q->resp_invalid = !!(val & AK_PRQ_RESP_INVALID);
    qemu_cond_signal(&s->work);
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
            if (s->step_active) {
                s->reset_pending = true;
            } else if (!s->reset_pending) {
                ak_reset_locked(s);
            }
        } else if (!s->reset_pending) {
            s->dev_ctrl = val & AK_DEV_ENABLE;
            qemu_cond_signal(&s->work);
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
        }
        break;
    case AK_REG_PTBL_SIZE:
        if (!(s->dev_ctrl & AK_DEV_ENABLE)) {
            s->ptbl_size = MIN(val, AK_MAX_PASIDS);
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
            bitmap_zero(s->inv_pending, AK_INV_MAX_SLOTS);
        }
        break;
    case AK_REG_INV_SUBMIT:
        ak_inv_submit(s, val);
        break;
    case AK_REG_DEBUG_INJECT:
        s->debug_inject = val & AK_DBG_IGNORE_INV;
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
    qemu_cond_signal(&s->work);
    qemu_mutex_unlock(&s->lock);
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
    s->bounce = g_malloc(AK_BOUNCE_SIZE);
    s->irq_pending = bitmap_new(s->nr_queues + 1);
    s->irq_bh = qemu_bh_new(ak_irq_bh, s);
    s->deferred = g_ptr_array_new();
    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->work);
    qemu_cond_init(&s->idle);
    s->stopping = false;
    qemu_thread_create(&s->thread, "accelkit", ak_worker, s,
                       QEMU_THREAD_JOINABLE);
}

static void ak_exit(PCIDevice *pdev)
{
    AkState *s = ACCELKIT(pdev);
    uint32_t i;

    qemu_mutex_lock(&s->lock);
    s->stopping = true;
    qemu_cond_signal(&s->work);
    qemu_mutex_unlock(&s->lock);
    qemu_thread_join(&s->thread);
    qemu_bh_delete(s->irq_bh);
    s->busy = false;
    for (i = 0; i < s->nr_queues; i++) {
        ak_queue_drop(s, i);
    }
    ak_free_deferred(s);
    g_ptr_array_free(s->deferred, true);

    qemu_cond_destroy(&s->idle);
    qemu_cond_destroy(&s->work);
    qemu_mutex_destroy(&s->lock);
    g_free(s->irq_pending);
    g_free(s->bounce);
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
    if (s->step_active) {
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
