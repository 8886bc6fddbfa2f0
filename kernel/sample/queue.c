// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: hardware queues and the accelkit_ops table.
 *
 * One open() of /dev/accelkit-N is one framework queue; get_queue gives it
 * a free hardware queue with freshly zeroed rings, put_queue takes it
 * back. The framework serializes the ops of one queue and guarantees the
 * order get -> (start -> stop)* -> put. page_response (prq.c) runs outside
 * that serialization, but never after put has been called.
 *
 * A queue's owner (accelkit_queue_owner()) decides its translation mode
 * (device 2.5, Q_MODE): a user queue translates through its PASID, a
 * kernel queue (accelkit_kqueue_claim()) takes DMA-API bus addresses.
 * start_queue programs the mode and reads it back before it enables the
 * queue; Q_MODE is in BAR0, which user space never maps.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/mm.h>

#include "sample.h"

static struct aks_dev *aks_from_adev(struct accelkit_device *adev)
{
	return accelkit_priv(adev);
}

static struct aks_hwq *aks_from_q(struct accelkit_queue *q)
{
	return accelkit_queue_priv(q);
}

static int aks_get_available_instances(struct accelkit_device *adev)
{
	struct aks_dev *sdev = aks_from_adev(adev);
	unsigned int used;

	spin_lock(&sdev->lock);
	used = bitmap_weight(sdev->busy, sdev->nr_queues);
	spin_unlock(&sdev->lock);
	return sdev->nr_queues - used;
}

static int aks_get_queue(struct accelkit_device *adev, struct accelkit_queue *q)
{
	struct aks_dev *sdev = aks_from_adev(adev);
	struct aks_hwq *hwq;
	unsigned int idx;

	if (aks_dma_off(sdev))
		return -EIO;	/* broken, or being reset */
	spin_lock(&sdev->lock);
	idx = find_first_zero_bit(sdev->busy, sdev->nr_queues);
	if (idx < sdev->nr_queues)
		__set_bit(idx, sdev->busy);
	spin_unlock(&sdev->lock);
	if (idx >= sdev->nr_queues)
		return -EBUSY;

	hwq = &sdev->hwq[idx];
	/* dma_alloc_coherent() returns zeroed memory: no stale completions. */
	hwq->ring = dma_alloc_coherent(&sdev->pdev->dev, sdev->dus_size,
				       &hwq->ring_dma, GFP_KERNEL);
	if (!hwq->ring)
		goto err_busy;
	/* A kernel owner rings its doorbells from here (never mapped out). */
	if (accelkit_queue_owner(q) == ACCELKIT_OWNER_KERNEL) {
		hwq->db = pci_iomap_range(sdev->pdev, AKS_BAR_DOORBELL,
					  idx * AKS_DOORBELL_PAGE,
					  AKS_DOORBELL_PAGE);
		if (!hwq->db) {
			dma_free_coherent(&sdev->pdev->dev, sdev->dus_size,
					  hwq->ring, hwq->ring_dma);
			hwq->ring = NULL;
			goto err_busy;
		}
	}

	hwq->started = false;
	hwq->snap.valid = false;
	accelkit_queue_set_priv(q, hwq);
	spin_lock(&sdev->lock);
	WRITE_ONCE(hwq->q, q);
	spin_unlock(&sdev->lock);
	return 0;

err_busy:
	spin_lock(&sdev->lock);
	__clear_bit(idx, sdev->busy);
	spin_unlock(&sdev->lock);
	return -ENOMEM;
}

static void aks_put_queue(struct accelkit_queue *q)
{
	struct aks_hwq *hwq = aks_from_q(q);
	struct aks_dev *sdev = hwq->sdev;

	/*
	 * After this no interrupt handler looks at q any more: the
	 * completion handler is synchronized with, the page-request ring is
	 * consumed under its lock (requests left for this stopped queue are
	 * answered invalid, a no-op for the device). The framework has
	 * cancelled q's page-request work: no page_response comes later.
	 * The watchdog and the reset work use hwq->q under sdev->lock only.
	 */
	spin_lock(&sdev->lock);
	WRITE_ONCE(hwq->q, NULL);
	spin_unlock(&sdev->lock);
	synchronize_irq(hwq->irq);
	aks_prq_forget_queue(hwq);

	/*
	 * The queue is disabled (stop_queue). A kernel owner's mode goes
	 * back to the reset value, so nothing but start_queue's explicit
	 * write can make the next owner's queue a DMA-mode one.
	 */
	if (hwq->db) {
		if (sdev->caps & AKS_CAPS_DMA_QUEUES)
			aks_qwrite(hwq, AKS_Q_MODE, AKS_Q_MODE_PASID);
		pci_iounmap(sdev->pdev, hwq->db);
		hwq->db = NULL;
	}

	/* The framework has zapped user mappings of the rings already. */
	dma_free_coherent(&sdev->pdev->dev, sdev->dus_size, hwq->ring,
			  hwq->ring_dma);
	hwq->ring = NULL;
	accelkit_queue_set_priv(q, NULL);

	spin_lock(&sdev->lock);
	__clear_bit(hwq->index, sdev->busy);
	spin_unlock(&sdev->lock);
}

static void aks_qwrite64(struct aks_hwq *hwq, u32 reg_lo, u64 val)
{
	/* LO first: the value takes effect when HI is written. */
	aks_qwrite(hwq, reg_lo, lower_32_bits(val));
	aks_qwrite(hwq, reg_lo + 4, upper_32_bits(val));
}

/*
 * Program Q_MODE for @q's owner (queue disabled) and read it back: a user
 * queue must translate through its PASID, a kernel queue needs DMA mode.
 * A device without Q_MODE (before 2.5) only has PASID mode: fine for a
 * user queue, -EIO for a kernel one; so is a mode that does not read
 * back (the queue then stays disabled).
 */
static int aks_set_mode(struct accelkit_queue *q, struct aks_hwq *hwq)
{
	struct aks_dev *sdev = hwq->sdev;
	bool kernel = accelkit_queue_owner(q) == ACCELKIT_OWNER_KERNEL;
	u32 mode = kernel ? AKS_Q_MODE_DMA : AKS_Q_MODE_PASID;
	u32 got;

	if (!(sdev->caps & AKS_CAPS_DMA_QUEUES))
		return kernel ? -EIO : 0;
	aks_qwrite(hwq, AKS_Q_MODE, mode);
	got = aks_qread(hwq, AKS_Q_MODE);
	if (got != mode) {
		dev_err_ratelimited(&sdev->pdev->dev,
				    "queue %u: Q_MODE reads %#x, not %u\n",
				    hwq->index, got, mode);
		return -EIO;
	}
	return 0;
}

static int aks_start_queue(struct accelkit_queue *q)
{
	struct aks_hwq *hwq = aks_from_q(q);
	struct aks_dev *sdev = hwq->sdev;
	u32 status;
	int ret;

	if (aks_dma_off(sdev))
		return -EIO;	/* broken, or being reset */
	ret = aks_set_mode(q, hwq);
	if (ret)
		return ret;
	aks_qwrite64(hwq, AKS_Q_SQ_BASE_LO, hwq->ring_dma);
	aks_qwrite64(hwq, AKS_Q_CQ_BASE_LO, hwq->ring_dma + sdev->cq_offset);
	aks_qwrite(hwq, AKS_Q_DEPTH, sdev->depth);
	aks_qwrite(hwq, AKS_Q_PASID, accelkit_queue_pasid(q));
	aks_qwrite(hwq, AKS_Q_MSIX_VECTOR, AKS_QUEUE_VECTOR(hwq->index));
	aks_qwrite(hwq, AKS_Q_CTRL, AKS_Q_CTRL_ENABLE | AKS_Q_CTRL_IRQ_ENABLE);

	status = aks_qread(hwq, AKS_Q_STATUS);
	/* A reset in between clears Q_MODE and disables the queue too. */
	if ((sdev->caps & AKS_CAPS_DMA_QUEUES) &&
	    aks_qread(hwq, AKS_Q_MODE) != (accelkit_queue_owner(q) ==
					   ACCELKIT_OWNER_KERNEL ?
					   AKS_Q_MODE_DMA : AKS_Q_MODE_PASID))
		status = 0;
	if (!(status & AKS_Q_STATUS_RUNNING)) {
		aks_qwrite(hwq, AKS_Q_CTRL, 0);
		dev_dbg(&sdev->pdev->dev, "queue %u does not start: status %#x\n",
			hwq->index, status);
		return -EIO;
	}
	aks_watchdog_start(sdev, hwq);
	WRITE_ONCE(hwq->started, true);
	return 0;
}

/*
 * Disabling drops the queue's job at once (no completion); STATUS.ACTIVE
 * stays set while a step of the queue is still running, at most one step.
 * Once it reads 0 the device never touches the queue's memory again, so
 * put_queue may free the rings. The read also flushes the posted write.
 */
static void aks_stop_queue(struct accelkit_queue *q)
{
	struct aks_hwq *hwq = aks_from_q(q);
	struct aks_dev *sdev = hwq->sdev;
	u32 status;

	WRITE_ONCE(hwq->started, false);
	hwq->snap.valid = false;
	aks_qwrite(hwq, AKS_Q_CTRL, 0);
	if (aks_dma_off(sdev))
		return;		/* bus mastering is off already */
	/* All-ones (device gone) has ACTIVE set too: it times out. */
	if (readl_poll_timeout(sdev->regs + AKS_QREG(hwq->index, AKS_Q_STATUS),
			       status, !(status & AKS_Q_STATUS_ACTIVE), 10,
			       AKS_TIMEOUT_US))
		aks_device_fault(sdev, "queue stop");
}

static int aks_mmap(struct accelkit_queue *q, struct vm_area_struct *vma,
		    enum uacce_qfrt type)
{
	struct aks_hwq *hwq = aks_from_q(q);
	struct aks_dev *sdev = hwq->sdev;
	phys_addr_t db;

	switch (type) {
	case UACCE_QFRT_MMIO:
		/* This queue's doorbell page and nothing else. */
		db = sdev->doorbell_phys + hwq->index * AKS_DOORBELL_PAGE;
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		return vm_iomap_memory(vma, db, AKS_DOORBELL_PAGE);
	case UACCE_QFRT_DUS:
		return dma_mmap_coherent(&sdev->pdev->dev, vma, hwq->ring,
					 hwq->ring_dma, sdev->dus_size);
	default:
		return -EINVAL;
	}
}

/*
 * Completions are pending while the device is ahead of user space. A
 * queue not started yet has none: its ring registers are the last user's.
 */
static bool aks_is_q_updated(struct accelkit_queue *q)
{
	struct aks_hwq *hwq = aks_from_q(q);

	if (!hwq->started)
		return false;
	return aks_qread(hwq, AKS_Q_CQ_TAIL) != aks_qread(hwq, AKS_Q_CQ_HEAD);
}

static void aks_queue_info(struct accelkit_queue *q,
			   struct accelkit_queue_info *info)
{
	struct aks_hwq *hwq = aks_from_q(q);
	struct aks_dev *sdev = hwq->sdev;

	info->queue_id = hwq->index;
	info->depth = sdev->depth;
	info->sq_offset = 0;
	info->cq_offset = sdev->cq_offset;
	info->desc_size = AKS_DESC_SIZE;
	info->cpl_size = AKS_CPL_SIZE;
	info->max_xfer = sdev->max_xfer;
	info->caps = sdev->caps;
}

const struct accelkit_ops aks_accelkit_ops = {
	.get_available_instances = aks_get_available_instances,
	.get_queue	= aks_get_queue,
	.put_queue	= aks_put_queue,
	.start_queue	= aks_start_queue,
	.stop_queue	= aks_stop_queue,
	.fail_queue	= aks_fail_queue,
	.mmap		= aks_mmap,
	.is_q_updated	= aks_is_q_updated,
	.queue_info	= aks_queue_info,
	.pasid_bind	= aks_pasid_bind,
	.pasid_block	= aks_pasid_block,
	.pasid_unbind	= aks_pasid_unbind,
	.invalidate	= aks_invalidate,
	.page_response	= aks_page_response,
};
