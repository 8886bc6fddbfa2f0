// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: page requests (docs/device.md, "Page requests").
 *
 * With PRQ_CTRL.ENABLE the device stalls a job on a missing or read-only
 * translation and writes a request to the page-request ring, then raises
 * MSI-X vector 0. The interrupt handler hands each request to the
 * framework (accelkit_queue_page_request()), which makes the page present
 * in the queue owner's address space and answers through the
 * page_response op: PRQ_RESPONSE = queue index, | INVALID on failure.
 */
#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#include "sample.h"

bool aks_page_requests = true;
module_param_named(page_requests, aks_page_requests, bool, 0444);
MODULE_PARM_DESC(page_requests, "resolve translation faults through page requests (default on)");

static void aks_prq_work(struct work_struct *work);

static size_t aks_prq_size(struct aks_dev *sdev)
{
	return sdev->prq_depth * sizeof(struct aks_prq_entry);
}

/* One request per queue at most: twice that many slots never overflow. */
int aks_prq_alloc(struct aks_dev *sdev)
{
	if (!aks_page_requests)
		return 0;

	INIT_WORK(&sdev->prq_work, aks_prq_work);
	sdev->prq_depth = roundup_pow_of_two(2 * sdev->nr_queues);
	if (sdev->prq_depth > AKS_PRQ_DEPTH_MAX)
		return -EINVAL;
	/* Page aligned, so 4 KiB aligned as PRQ_BASE needs. */
	sdev->prq = dma_alloc_coherent(&sdev->pdev->dev, aks_prq_size(sdev),
				       &sdev->prq_dma, GFP_KERNEL);
	return sdev->prq ? 0 : -ENOMEM;
}

void aks_prq_free(struct aks_dev *sdev)
{
	if (!sdev->prq)
		return;
	dma_free_coherent(&sdev->pdev->dev, aks_prq_size(sdev), sdev->prq,
			  sdev->prq_dma);
	sdev->prq = NULL;
}

static void aks_prq_respond(struct aks_dev *sdev, unsigned int index,
			    bool success)
{
	u32 val = index & AKS_PRQ_RESP_QUEUE;

	if (!success)
		val |= AKS_PRQ_RESP_INVALID;
	aks_write(sdev, AKS_REG_PRQ_RESPONSE, val);
}

/* accelkit_ops.page_response: any context, never after put_queue. */
void aks_page_response(struct accelkit_queue *q, bool success)
{
	struct aks_hwq *hwq = accelkit_queue_priv(q);

	aks_prq_respond(hwq->sdev, hwq->index, success);
}

static void aks_prq_dispatch(struct aks_dev *sdev,
			     const struct aks_prq_entry *e)
{
	u64 addr = le64_to_cpu(READ_ONCE(e->addr));
	u32 pasid = le32_to_cpu(READ_ONCE(e->pasid));
	u16 index = le16_to_cpu(READ_ONCE(e->queue));
	u16 flags = le16_to_cpu(READ_ONCE(e->flags));
	unsigned int nr_pages = 1;
	struct accelkit_queue *q;

	if (index >= sdev->nr_queues) {
		dev_err_ratelimited(&sdev->pdev->dev,
				    "page request for queue %u of %u\n",
				    index, sdev->nr_queues);
		return;
	}

	/* hwq->q changes only under prq_lock's protection (put_queue). */
	q = READ_ONCE(sdev->hwq[index].q);
	if (!q || accelkit_queue_pasid(q) != pasid) {
		/* Queue given back (its job was dropped) or a stale entry. */
		aks_prq_respond(sdev, index, false);
		return;
	}
	/* 2.1: a run of pages; 2.0: the faulting address of one page. */
	if (sdev->version >= AKS_VERSION_2_1)
		nr_pages += FIELD_GET(AKS_PRQ_ADDR_PAGES_M1, addr);
	addr &= AKS_PRQ_ADDR_PAGE;
	/*
	 * The framework answers through aks_page_response(); it refuses a
	 * run above its bound (ACCELKIT_PRQ_MAX_PAGES, the device's too) by
	 * answering invalid at once.
	 */
	accelkit_queue_page_request(q, addr, nr_pages,
				    flags & AKS_PRQ_FLAG_WRITE);
}

/*
 * Consume the requests the device has written, under prq_lock. The device
 * raises vector 0 only for a request written into an empty ring, so after
 * moving PRQ_HEAD we read PRQ_TAIL again (the read also flushes the
 * posted HEAD write) and go on until the ring is empty. A round consumes
 * up to the TAIL read at its start; rounds stop once a ring's worth of
 * entries was consumed, so a device that keeps posting cannot hold us in
 * the interrupt handler. Returns false when entries may be left: the
 * caller then hands the rest to prq_work, as no interrupt will come for
 * them.
 */
static bool aks_prq_process(struct aks_dev *sdev)
{
	u32 mask = sdev->prq_depth - 1;
	unsigned int budget = sdev->prq_depth;
	unsigned long irqflags;
	bool empty = false;
	u32 head, tail;

	spin_lock_irqsave(&sdev->prq_lock, irqflags);
	head = sdev->prq_head;
	while (budget) {
		tail = aks_read(sdev, AKS_REG_PRQ_TAIL);
		if (tail >= sdev->prq_depth) {
			/* also a device that is gone (all ones) */
			dev_err_ratelimited(&sdev->pdev->dev,
					    "bad PRQ_TAIL %u (depth %u)\n",
					    tail, sdev->prq_depth);
			empty = true;	/* nothing we can consume */
			break;
		}
		if (tail == head) {
			empty = true;
			break;
		}
		/* Entries up to tail were written before the device moved it. */
		dma_rmb();
		for (; head != tail; head = (head + 1) & mask) {
			aks_prq_dispatch(sdev, &sdev->prq[head]);
			if (budget)
				budget--;
		}
		sdev->prq_head = head;
		aks_write(sdev, AKS_REG_PRQ_HEAD, head);
	}
	spin_unlock_irqrestore(&sdev->prq_lock, irqflags);
	return empty;
}

static void aks_prq_consume(struct aks_dev *sdev)
{
	if (!aks_prq_process(sdev))
		queue_work(system_wq, &sdev->prq_work);
}

/* Requests left over by a handler that used up its budget. */
static void aks_prq_work(struct work_struct *work)
{
	aks_prq_consume(container_of(work, struct aks_dev, prq_work));
}

/*
 * Device errors latched in ERR_STATUS: clear them (write 1 to clear) and
 * count them towards the framework's isolation threshold.
 */
static void aks_err_process(struct aks_dev *sdev)
{
	u32 err = aks_read(sdev, AKS_REG_ERR_STATUS);

	if (!err || err == U32_MAX)	/* nothing, or the device is gone */
		return;
	/* Clearing PRQ_OVERFLOW makes the device post what it could not. */
	aks_write(sdev, AKS_REG_ERR_STATUS, err);
	if (!sdev->adev)
		return;			/* before registration: nobody to tell */
	accelkit_report_hw_error(sdev->adev);
	if (err & AKS_ERR_UNCORRECTABLE)
		aks_engine_error(sdev);
	else
		dev_warn_ratelimited(&sdev->pdev->dev,
				     "device reported an error (ERR_STATUS %#x)\n",
				     err);
}

/* Vector 0: device events, i.e. errors and page requests. */
static irqreturn_t aks_event_irq(int irq, void *data)
{
	struct aks_dev *sdev = data;

	/* The ring first: an overflow is cleared once there is room. */
	if (sdev->prq)
		aks_prq_consume(sdev);
	aks_err_process(sdev);
	return IRQ_HANDLED;
}

/*
 * put_queue: hwq->q is NULL and the queue stopped. Consume what is left in
 * the ring, so a request of the old queue cannot reach the next user of
 * this hardware queue; from here on no dispatch sees the old queue.
 */
void aks_prq_forget_queue(struct aks_hwq *hwq)
{
	/* The first round reaches past every request of the stopped queue. */
	if (hwq->sdev->prq)
		aks_prq_consume(hwq->sdev);
}

int aks_prq_request_irq(struct aks_dev *sdev)
{
	struct pci_dev *pdev = sdev->pdev;

	/* Requested with or without page requests: errors come here too. */
	sdev->prq_irq = pci_irq_vector(pdev, AKS_EVENT_VECTOR);
	snprintf(sdev->prq_irq_name, sizeof(sdev->prq_irq_name), "%s-event",
		 pci_name(pdev));
	return request_irq(sdev->prq_irq, aks_event_irq, 0, sdev->prq_irq_name,
			   sdev);
}

/* After the reset: nothing is posted or raised any more. */
void aks_prq_free_irq(struct aks_dev *sdev)
{
	free_irq(sdev->prq_irq, sdev);
	if (sdev->prq)
		cancel_work_sync(&sdev->prq_work);
}

/* Ring address and depth: only accepted while the device is disabled. */
void aks_prq_program(struct aks_dev *sdev)
{
	if (!sdev->prq)
		return;
	sdev->prq_head = 0;
	aks_write(sdev, AKS_REG_PRQ_BASE_LO, lower_32_bits(sdev->prq_dma));
	aks_write(sdev, AKS_REG_PRQ_BASE_HI, upper_32_bits(sdev->prq_dma));
	aks_write(sdev, AKS_REG_PRQ_DEPTH, sdev->prq_depth);
	aks_write(sdev, AKS_REG_PRQ_HEAD, 0);
}

/* From now on translation faults become page requests. */
void aks_prq_enable(struct aks_dev *sdev)
{
	if (sdev->prq)
		aks_write(sdev, AKS_REG_PRQ_CTRL, AKS_PRQ_CTRL_ENABLE);
}
