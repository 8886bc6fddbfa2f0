/*
 * accelkit sample accelerator: definitions shared by the device model's
 * files (docs/device.md is the programming model):
 *   accelkit.c          DMA, page walks, steps and invalidation, COPY/FILL,
 *                       the worker thread
 *   accelkit-alg.c      algorithm jobs: inputs, engine run, outputs
 *   accelkit-regs.c     registers, doorbells, queue control, reset, life
 *                       cycle
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
#define AK_REG_ERR_STATUS   0x07c
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
#define AK_DBG_RAISE_ERROR  BIT(1)      /* self-clearing */
#define AK_ERR_CORRECTABLE  BIT(0)

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
    uint32_t err_status;        /* ERR_STATUS, write 1 to clear */
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

/* accelkit.c */
bool ak_dma(AkState *s, hwaddr gpa, void *buf, hwaddr len, bool write);
int ak_translate(AkState *s, const AkCtx *ctx, uint64_t va, bool write,
                 hwaddr *gpa, uint64_t *left);
int ak_check_range(AkState *s, AkRun *r, uint64_t va, uint64_t len,
                   bool write, uint64_t *pdone, uint64_t *fault);
int ak_step_xlate(AkState *s, AkRun *r);
void ak_step_end(AkState *s, AkRun *r);
void ak_inv_submit(AkState *s, uint32_t slot);
void ak_free_deferred(AkState *s);
void *ak_worker(void *opaque);
void ak_irq_bh(void *opaque);

/* accelkit-alg.c */
void ak_alg_job_free(AkAlgJob *a);
int ak_alg_exec(AkState *s, AkRun *r, AkJob *j, AkEngCtx *cur, AkCpl *c,
                uint64_t *stall_va, bool *stall_write);

/* accelkit-regs.c */
void ak_reset_locked(AkState *s);

#endif
