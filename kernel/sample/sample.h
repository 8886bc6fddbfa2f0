/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelkit sample driver: private data shared by its files.
 */
#ifndef _ACCELKIT_SAMPLE_H
#define _ACCELKIT_SAMPLE_H

#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/accelkit.h>

#include <uapi/accelkit/sample_hw.h>

#include "regs.h"

struct aks_dev;
struct aks_kq;
struct aks_kdev;

/* One hardware queue. */
struct aks_hwq {
	struct aks_dev *sdev;
	unsigned int index;
	int irq;
	char irq_name[32];
	/*
	 * The framework queue using this hardware queue, or NULL. Read by the
	 * interrupt handler; put_queue clears it, then synchronize_irq().
	 */
	struct accelkit_queue *q;
	void *ring;			/* DUS region: SQ, then CQ */
	dma_addr_t ring_dma;
	/*
	 * A kernel owner's doorbell page (BAR4), mapped by get_queue; NULL
	 * for a user queue, whose owner maps its page itself.
	 */
	void __iomem *db;
	/*
	 * Enabled by start_queue for the current user (under q->mutex, like
	 * poll). Until then CQ_TAIL/CQ_HEAD still hold the last user's
	 * values: the device resets them only when the queue is enabled.
	 */
	bool started;
	/*
	 * The crypto engine's kernel queue on this hardware queue (kq.c),
	 * or NULL: its completions go to the threaded handler. Set after
	 * the claim, cleared before the release (whose put_queue then
	 * synchronizes with the handler).
	 */
	struct aks_kq *kq;

	/* completion interrupts taken (the watchdog's lost-IRQ check) */
	unsigned int irqs;
	/*
	 * recover.c: what the watchdog saw last time (watchdog only), and
	 * the ring indices a device reset saved for fail_queue (set by the
	 * reset work before it calls accelkit_queue_fail(), cleared by
	 * fail_queue, get_queue and stop_queue).
	 */
	struct {
		u32 sq_head, cq_tail, irqs, suspect_irqs;
		unsigned long progress;		/* jiffies of the last progress */
		bool suspect;			/* completions, no interrupt */
		bool failing;			/* accelkit_queue_fail() called */
	} wd;
	struct {
		bool valid;
		u32 sq_head, sq_tail, cq_tail, cq_head;
	} snap;
};

struct aks_dev {
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR0 */
	resource_size_t doorbell_phys;	/* BAR4 */
	struct accelkit_device *adev;

	u32 version;			/* VERSION register */
	u32 caps;
	u32 max_xfer;
	u32 depth;			/* ring entries */
	u32 cq_offset;			/* bytes into the DUS region */
	size_t dus_size;		/* whole DUS region, page aligned */

	struct aks_pasid_entry *pasid_table;
	dma_addr_t pasid_table_dma;

	/* page requests (prq.c); prq is NULL when they are off */
	struct aks_prq_entry *prq;
	dma_addr_t prq_dma;
	u32 prq_depth;			/* entries, power of two */
	u32 prq_head;			/* next entry to consume, under prq_lock */
	int prq_irq;			/* MSI-X vector 0 */
	char prq_irq_name[32];
	/*
	 * Consumes the ring (interrupt handler, put_queue). Held while an
	 * entry is dispatched to hwq->q, so once put_queue has cleared
	 * hwq->q and taken this lock, no request reaches the old queue.
	 */
	spinlock_t prq_lock;
	/* goes on consuming when the interrupt handler's budget ran out */
	struct work_struct prq_work;

	/*
	 * Invalidation descriptors (pasid.c): slot n belongs to CPU n, used
	 * with preemption disabled, so submitting needs no lock.
	 */
	struct aks_inv_desc *inv_table;
	dma_addr_t inv_table_dma;
	u32 inv_slots;

	/*
	 * Set once the device failed to answer in time: bus mastering is
	 * off and stays off until the driver is bound again.
	 */
	unsigned long flags;
#define AKS_F_BROKEN	0	/* did not come back from a reset: for good */
#define AKS_F_DMA_OFF	1	/* a wait timed out: bus mastering off, reset due */
#define AKS_F_REMOVING	2	/* remove() began: no more recovery */
	atomic_t timeouts;		/* sysfs "timeouts" */
	atomic_t lost_irqs;		/* sysfs, recover.c */
	atomic_t queue_resets;
	atomic_t device_resets;
	struct delayed_work watchdog;	/* recover.c */
	struct work_struct reset_work;
	/*
	 * Serializes fail_queue with the reset work's save-reset-enable, so
	 * a queue's ring indices are read either before the reset or saved.
	 * Taken under the framework's queue locks (fail_queue).
	 */
	struct mutex recover_lock;
	struct dentry *debugfs;		/* inject.c */
	struct aks_kdev *kdev;		/* crypto.c; NULL without a kernel side */
	spinlock_t stat_lock;		/* a counter's LO/HI pair (sysfs.c) */

	spinlock_t lock;		/* protects busy */
	DECLARE_BITMAP(busy, AKS_MAX_QUEUES);
	unsigned int nr_queues;
	struct aks_hwq hwq[];
};

static inline u32 aks_read(struct aks_dev *sdev, u32 reg)
{
	return readl(sdev->regs + reg);
}

static inline void aks_write(struct aks_dev *sdev, u32 reg, u32 val)
{
	writel(val, sdev->regs + reg);
}

static inline u32 aks_qread(struct aks_hwq *hwq, u32 reg)
{
	return aks_read(hwq->sdev, AKS_QREG(hwq->index, reg));
}

static inline void aks_qwrite(struct aks_hwq *hwq, u32 reg, u32 val)
{
	aks_write(hwq->sdev, AKS_QREG(hwq->index, reg), val);
}

/* queue.c */
extern const struct accelkit_ops aks_accelkit_ops;

/* prq.c */
extern bool aks_page_requests;
int aks_prq_alloc(struct aks_dev *sdev);
void aks_prq_free(struct aks_dev *sdev);
int aks_prq_request_irq(struct aks_dev *sdev);
void aks_prq_free_irq(struct aks_dev *sdev);
void aks_prq_program(struct aks_dev *sdev);
void aks_prq_enable(struct aks_dev *sdev);
void aks_prq_forget_queue(struct aks_hwq *hwq);
void aks_page_response(struct accelkit_queue *q, bool success);

/* kdma.c */
void aks_kdma_debugfs_add(struct aks_dev *sdev);

/* inject.c */
void aks_debugfs_add(struct aks_dev *sdev);
void aks_debugfs_remove(struct aks_dev *sdev);
void aks_debugfs_init(void);
void aks_debugfs_exit(void);

/* sysfs.c */
extern const struct attribute_group *aks_dev_groups[];

/* pasid.c */
#define AKS_TIMEOUT_US		USEC_PER_SEC	/* any wait for the device */
int aks_inv_alloc(struct aks_dev *sdev);
void aks_inv_free(struct aks_dev *sdev);
void aks_inv_program(struct aks_dev *sdev);
void aks_mark_broken(struct aks_dev *sdev, const char *what);

static inline bool aks_broken(struct aks_dev *sdev)
{
	return test_bit(AKS_F_BROKEN, &sdev->flags);
}

/* Bus mastering is off: broken, or a reset is due or running. */
static inline bool aks_dma_off(struct aks_dev *sdev)
{
	return aks_broken(sdev) || test_bit(AKS_F_DMA_OFF, &sdev->flags);
}

/* recover.c */
void aks_recover_init(struct aks_dev *sdev);
void aks_recover_stop(struct aks_dev *sdev);
void aks_device_fault(struct aks_dev *sdev, const char *what);
void aks_watchdog_start(struct aks_dev *sdev, struct aks_hwq *hwq);
void aks_fail_queue(struct accelkit_queue *q);
void aks_engine_error(struct aks_dev *sdev);

/* pci.c */
extern unsigned int aks_kernel_queues;
int aks_reset(struct aks_dev *sdev);
int aks_enable(struct aks_dev *sdev);

int aks_pasid_bind(struct accelkit_device *adev, u32 pasid,
		   struct mm_struct *mm);
void aks_pasid_block(struct accelkit_device *adev, u32 pasid);
void aks_pasid_unbind(struct accelkit_device *adev, u32 pasid);
void aks_invalidate(struct accelkit_device *adev, u32 pasid,
		    unsigned long start, unsigned long end);

#endif /* _ACCELKIT_SAMPLE_H */
