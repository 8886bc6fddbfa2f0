/*
 * accelkit sample accelerator: definitions shared by the device model's
 * files (docs/device.md is the programming model):
 *   accelkit.c          PCI device: registers, doorbells, queue control,
 *                       reset, life cycle
 *   accelkit-xlate.c    address translation: DMA to guest RAM, the page
 *                       walker, the translation cache (IOTLB), PASID entries
 *   accelkit-step.c     steps and invalidation
 *   accelkit-worker.c   the device workers: queue service, completions,
 *                       page requests, interrupts
 *   accelkit-jobs.c     descriptors, NOP/COPY/FILL
 *   accelkit-alg.c      algorithm jobs: inputs, engine run, outputs
 *   accelkit-engines.c  the engines (zlib, libcrypto)
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_ACCELKIT_H
#define HW_MISC_ACCELKIT_H

#include "qemu/bitops.h"
#include "qemu/thread.h"
#include "qemu/units.h"
#include "hw/pci/pci.h"
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
#define AK_VERSION          0x00020600
#define AK_MAX_QUEUES       256
#define AK_MAX_DEPTH        4096
#define AK_MAX_XFER         (64 * MiB)
#define AK_MAX_PASIDS       (1u << 20)
#define AK_BATCH            16
#define AK_STEP_BYTES       (64 * KiB)  /* data moved by one step, at most */
#define AK_MAX_WORKERS      16
#define AK_PRQ_MAX_PAGES    512         /* pages one page request covers */

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
#define AK_REG_ERR_STATUS   0x07c
#define AK_REG_STAT_BASE    0x080       /* 64-bit counters, LO then HI */
#define AK_REG_STAT_END     0x0b8
#define AK_REG_WORKERS      0x0b8
#define AK_REG_ERR_QUEUE    0x0bc
#define AK_REG_STAT_DMA_JOBS 0x0c0      /* 2.5: LO, then HI at 0x0c4 */
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
#define AK_Q_MODE           0x34        /* 2.5 */
#define AK_Q_INJECT         0x38

#define AK_QCTRL_ENABLE     BIT(0)
#define AK_QCTRL_IRQ        BIT(1)
#define AK_QST_RUNNING      BIT(0)
#define AK_QST_ERROR        BIT(1)
#define AK_QST_STALLED      BIT(2)
#define AK_QST_ACTIVE       BIT(3)
#define AK_QST_BUSY         BIT(4)      /* 2.4: a job is in execution */
#define AK_QMODE_PASID      0           /* translate through the PASID */
#define AK_QMODE_DMA        1           /* 2.5: untranslated bus addresses */

#define AK_PRQ_ENABLE       BIT(0)
#define AK_PRQ_ENTRY_SIZE   16
#define AK_PRQ_WRITE        BIT(0)
#define AK_PRQ_RESP_INVALID BIT(31)

/* Invalidation descriptor table */
#define AK_INV_MAX_SLOTS    1024
#define AK_INV_DESC_SIZE    32
#define AK_INV_STATUS_OFF   24
#define AK_INV_ALL_PASIDS   BIT(0)
#define AK_INV_WHOLE_SPACE  BIT(1)
#define AK_INV_STATUS_DONE  1
#define AK_DBG_IGNORE_INV   BIT(0)
#define AK_DBG_RAISE_ERROR  BIT(1)      /* self-clearing */
#define AK_DBG_KEEP_IOTLB   BIT(2)      /* invalidations drop nothing */
#define AK_DBG_NO_IOTLB     BIT(3)      /* every translation is a walk */
#define AK_DBG_PRQ_OVERFLOW BIT(4)      /* the next page request: ring full */
#define AK_DBG_MASK         (AK_DBG_IGNORE_INV | AK_DBG_KEEP_IOTLB | \
                             AK_DBG_NO_IOTLB | AK_DBG_PRQ_OVERFLOW)
#define AK_ERR_CORRECTABLE  BIT(0)
#define AK_ERR_UNCORRECTABLE BIT(1)
#define AK_ERR_PRQ_OVERFLOW BIT(2)

/* Q_INJECT: bits 3..0 the fault, bits 31..8 the jobs to complete first */
#define AK_INJ_KIND_MASK    0xf
#define AK_INJ_AFTER_SHIFT  8
enum {
    AK_INJ_NONE = 0,
    AK_INJ_ENGINE_ERROR = 1,
    AK_INJ_STALL = 2,
    AK_INJ_BAD_COMPLETION = 3,
    AK_INJ_DROP_IRQ = 4,
    AK_INJ_N,
};

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
#define AK_DF_FLUSH         BIT(4)      /* COMPRESS without LAST: sync flush */
#define AK_DF_FULL          BIT(5)      /* with FLUSH: full flush */
#define AK_DF_RSVD          0xffc0      /* bits 6..15: INVALID_DESC (2.6) */
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
    AK_ST_HW_ERROR = 9,
    /* 10 (ABORTED) is written by the driver, never by the device. */
    /* Internal: resolvable fault (not present, or write to read-only). */
    AK_ST_NEED_PAGE = 0x100,
    /* Internal: the queue was disabled or reset: drop the job. */
    AK_ST_STOPPED = 0x101,
    /* Internal: the device was disabled: keep the job for later. */
    AK_ST_PAUSED = 0x102,
    /* Internal: not in the cache, and this step already walked. */
    AK_ST_MISS = 0x103,
};

#define AK_CAPS             (BIT(AK_OP_NOP) | BIT(AK_OP_COPY) | \
                             BIT(AK_OP_FILL) | BIT(AK_OP_COMPRESS) | \
                             BIT(AK_OP_DECOMPRESS) | BIT(AK_OP_HASH) | \
                             BIT(AK_OP_CIPHER) | BIT(16) | BIT(17) | \
                             BIT(18) | BIT(19) | BIT(20) | BIT(21))

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
    bool feed;                  /* HASH: src goes to the engine as read */
    bool direct;                /* CTR, GCM enc/stream: src to dst */
    AkEngCtx *hctx;             /* ... through this job-private context */
    bool ran;                   /* the engine ran: eng_st and out are set */
    int eng_st;
    AkEngOut out;
    uint64_t tag_ok;            /* GCM tag out: bytes translated */
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
    uint32_t inject;            /* the Q_INJECT fault that hit this job */
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
    uint32_t mode;              /* Q_MODE */
    bool dma;                   /* Q_MODE was DMA when enabled */
    uint32_t sq_head;
    uint32_t sq_tail;
    uint32_t cq_tail;
    uint32_t cq_head;
    bool phase;
    /*
     * Bumped when the queue is disabled or reset: a job a worker took
     * under an older generation is dropped, its result discarded.
     */
    uint32_t gen;
    bool busy;                  /* a worker serves this queue ... */
    uint32_t worker;            /* ... this one */
    bool in_step;               /* a step of this queue runs (ACTIVE) */
    bool executing;             /* a worker executes a job of it (BUSY) */
    bool job_valid;             /* job holds a started, unfinished job */
    bool stalled;               /* waiting for a page response */
    bool prq_lost;              /* ... whose request found the ring full */
    bool hung;                  /* Q_INJECT STALL fired: no progress */
    uint32_t inject;            /* Q_INJECT */
    bool resp_invalid;          /* the response said the page is invalid */
    uint64_t stall_addr;
    AkJob job;
    /*
     * Stream contexts (NULL: free). Changed with s->lock held; the worker
     * takes a snapshot of the pointers when it takes a job. A disable or
     * reset while a worker executes a job of this queue hands them to
     * that worker's deferred list, freed when it is done with the job.
     */
    AkEngCtx *ctx[AK_ENG_NR_CTX];
} AkQueue;

/* Device counters (STAT_* registers), in register order. */
enum {
    AK_STAT_IOTLB_HITS,
    AK_STAT_IOTLB_MISSES,
    AK_STAT_WALKS,
    AK_STAT_PAGE_REQUESTS,
    AK_STAT_PAGES_REQUESTED,
    AK_STAT_STEPS,
    AK_STAT_IOTLB_DROPS,
    AK_STAT_DMA_JOBS,           /* 2.5: not next to the others (0x0c0) */
    AK_STAT_N,
};

/*
 * The translation cache: leaf translations of 4 KiB, 2 MiB and 1 GiB,
 * direct-mapped by (PASID, page), and VALID PASID-table entries.
 */
#define AK_TLB_4K           4096
#define AK_TLB_2M           256
#define AK_TLB_1G           16
#define AK_TLB_PASIDS       64

typedef struct AkTlbEntry {
    bool valid;
    bool writable;              /* walked for a write: W everywhere, D set */
    uint32_t pasid;
    uint64_t va;                /* first VA of the page */
    uint64_t gpa;               /* its guest-physical address */
} AkTlbEntry;

typedef struct AkPasidEntry {
    bool valid;
    uint32_t pasid;
    uint64_t root;
    bool la57;
} AkPasidEntry;

typedef struct AkTlb {
    QemuSpin lock;
    /*
     * Bumped by every invalidation: a walk that began under an older
     * value may have read what the invalidation removed, so its result
     * is used once but not cached.
     */
    uint64_t gen;
    AkTlbEntry e4k[AK_TLB_4K];
    AkTlbEntry e2m[AK_TLB_2M];
    AkTlbEntry e1g[AK_TLB_1G];
    AkPasidEntry pasid[AK_TLB_PASIDS];
} AkTlb;

typedef struct AkState AkState;

/* A device worker: executes the jobs of one queue at a time. */
typedef struct AkWorker {
    AkState *s;
    uint32_t id;
    QemuThread thread;
    /* Protected by s->lock. */
    bool step_active;           /* a step of step_pasid runs */
    bool step_xlate;            /* ... that translates (not DMA mode) */
    uint32_t step_queue;
    uint32_t step_pasid;
    /* invalidation slots whose DONE waits for the end of this step */
    DECLARE_BITMAP(inv_wait, AK_INV_MAX_SLOTS);
    GPtrArray *deferred;        /* AkEngCtx freed after the current job */
    int64_t last_work_ns;       /* adaptive polling */
} AkWorker;

struct AkState {
    PCIDevice parent_obj;

    MemoryRegion regs;
    MemoryRegion doorbells;
    uint32_t nr_queues;
    uint32_t nr_workers;        /* property; 0 = one per host CPU */
    uint32_t poll_us;           /* property: worker spin after work */

    /* Everything below is protected by lock, unless noted. */
    QemuMutex lock;
    QemuCond work;              /* workers: something to do */
    QemuCond idle;              /* ak_reset: a pending reset was done */
    AkQueue *q;
    uint32_t dev_ctrl;
    uint64_t ptbl;
    uint32_t ptbl_lo;
    uint32_t ptbl_size;
    uint64_t jobs;
    bool reset_pending;         /* DEV_CTRL.RESET: at the end of the steps */
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
    /* per slot: running steps its DONE still waits for */
    uint8_t inv_waiters[AK_INV_MAX_SLOTS];
    uint32_t err_status;        /* ERR_STATUS, write 1 to clear */
    uint32_t err_queue;         /* ERR_QUEUE: last UNCORRECTABLE queue */
    uint32_t debug_inject;
    uint64_t stat_latch;        /* STAT_*_LO read: HI returns its top */
    bool stopping;
    uint32_t next_queue;        /* round-robin start */
    uint32_t sleepers;          /* workers waiting on s->work */
    bool spinning;              /* one worker polls for new work */
    uint32_t kick;              /* atomic: bumped by every doorbell */

    unsigned long *irq_pending; /* MSI-X vectors the bottom half sends */

    AkWorker *workers;
    QEMUBH *irq_bh;
    AkTlb tlb;
    uint64_t stats[AK_STAT_N];  /* atomic */
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
 * The job a worker executes, as steps see it. ctx is valid only inside a
 * step: every step takes the PASID entry again (from the cache, which
 * invalidations empty, or from memory).
 */
typedef struct AkRun {
    AkWorker *w;
    uint32_t qi;
    uint32_t gen;               /* the queue's generation when taken */
    uint32_t pasid;
    bool dma;                   /* DMA mode: addresses are bus addresses */
    uint64_t dma_fault;         /* DMA mode: the address not in RAM */
    uint64_t ptbl;
    uint32_t ptbl_size;
    bool in_step;
    bool finishing;             /* completion step: runs while disabled */
    uint64_t step_bytes;        /* moved in this step */
    AkCtx ctx;
} AkRun;

/*
 * Where a job stopped on a resolvable fault: the first page that needs a
 * page request, and the bytes of that buffer from there on (the run a
 * request may cover).
 */
typedef struct AkStall {
    uint64_t va;
    uint64_t len;
    bool write;
} AkStall;

static inline void ak_stat_add(AkState *s, int stat, uint64_t n)
{
    qatomic_add(&s->stats[stat], n);
}

/* accelkit-xlate.c */
bool ak_dma(AkState *s, hwaddr gpa, void *buf, hwaddr len, bool write);
void *ak_dma_map(AkState *s, hwaddr gpa, hwaddr *len, bool write);
void ak_dma_unmap(AkState *s, void *p, hwaddr len, bool write);
int ak_read_pasid(AkState *s, AkRun *r);
int ak_translate(AkState *s, AkRun *r, uint64_t va, bool write,
                 hwaddr *gpa, uint64_t *left);
int ak_xlate_run(AkState *s, AkRun *r, uint64_t va, uint64_t len,
                 bool write, bool contig, bool may_walk, hwaddr *gpa,
                 uint64_t *n);
uint64_t ak_probe_missing(AkState *s, const AkCtx *ctx, uint64_t va,
                          uint64_t max_pages, bool write);
void ak_tlb_flush(AkState *s, uint32_t pasid, uint32_t flags,
                  uint64_t start, uint64_t end);
void ak_tlb_init(AkState *s);

/* Do [a, a + len) and [b, b + len) share a byte? */
static inline bool ak_overlap(uint64_t a, uint64_t b, uint64_t len)
{
    return len && a < b + len && b < a + len;
}

/* accelkit-step.c */
int ak_step(AkState *s, AkRun *r);
int ak_step_xlate(AkState *s, AkRun *r);
void ak_step_end(AkState *s, AkRun *r);
void ak_step_end_locked(AkState *s, AkRun *r);
bool ak_any_step(AkState *s);
void ak_inv_submit(AkState *s, uint32_t slot);
void ak_inv_clear(AkState *s);

/* accelkit-jobs.c */
void ak_decode(const uint8_t *b, AkDesc *d);
int ak_check_range(AkState *s, AkRun *r, uint64_t va, uint64_t len,
                   bool write, uint64_t *pdone, AkStall *stall);
int ak_exec(AkState *s, AkRun *r, AkJob *j, AkEngCtx **ctxs, AkCpl *c,
            bool prq, AkStall *stall);

/*
 * A data pass: @fn gets each pair of mapped runs, dst[0..n) and (with
 * has_src) src[0..n), @off bytes into the pass; false = host failure.
 */
typedef bool AkMoveFn(void *opaque, uint8_t *dst, const uint8_t *src,
                      uint64_t n, uint64_t off);
typedef struct AkMove {
    uint64_t src, dst, len;
    bool has_src;
    AkMoveFn *fn;
    void *opaque;
} AkMove;
int ak_move_data(AkState *s, AkRun *r, AkJob *j, const AkMove *m,
                 AkStall *stall);

/* accelkit-worker.c */
void ak_free_deferred(AkWorker *w);
void ak_workers_start(AkState *s);
void ak_workers_stop(AkState *s);
void ak_workers_free(AkState *s);
void ak_irq_bh(void *opaque);
void ak_kick(AkState *s);

/* accelkit-alg.c */
void ak_alg_job_free(AkAlgJob *a);
int ak_alg_exec(AkState *s, AkRun *r, AkJob *j, AkEngCtx *cur, AkCpl *c,
                AkStall *stall);

/* accelkit.c */
void ak_reset_locked(AkState *s);
void ak_raise_error(AkState *s, uint32_t bit);

#endif
