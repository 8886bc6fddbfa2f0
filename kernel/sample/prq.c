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
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/module.h>

#include "sample.h"

bool aks_page_requests = true;
module_param_named(page_requests, aks_page_requests, bool, 0444);
MODULE_PARM_DESC(page_requests, "resolve translation faults through page requests (default on)");

static size_t aks_prq_size(struct aks_dev *sdev)
{
	return sdev->prq_depth * sizeof(struct aks_prq_entry);
}

/* One request per queue at most: twice that many slots never overflow. */
int aks_prq_alloc(struct aks_dev *sdev)
{
	if (!aks_page_requests)
		return 0;

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
	/* The framework answers through aks_page_response(). */
	accelkit_queue_page_request(q, addr, flags & AKS_PRQ_FLAG_WRITE);
}

/* Consume every request the device has written so far. */
static void aks_prq_process(struct aks_dev *sdev)
{
	unsigned long irqflags;
	u32 head, tail;

	spin_lock_irqsave(&sdev->prq_lock, irqflags);
	tail = aks_read(sdev, AKS_REG_PRQ_TAIL);
	if (tail >= sdev->prq_depth) {
		dev_err_ratelimited(&sdev->pdev->dev,
				    "bad PRQ_TAIL %u (depth %u)\n",
				    tail, sdev->prq_depth);
		goto out;
	}
	/* Entries up to tail were written before the device moved it. */
	dma_rmb();
	for (head = sdev->prq_head; head != tail;
	     head = (head + 1) & (sdev->prq_depth - 1))
		aks_prq_dispatch(sdev, &sdev->prq[head]);
	sdev->prq_head = head;
	aks_write(sdev, AKS_REG_PRQ_HEAD, head);
out:
	spin_unlock_irqrestore(&sdev->prq_lock, irqflags);
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
	aks_write(sdev, AKS_REG_ERR_STATUS, err);
	if (!sdev->adev)
		return;			/* before registration: nobody to tell */
	accelkit_report_hw_error(sdev->adev);
	dev_warn_ratelimited(&sdev->pdev->dev,
			     "device reported an error (ERR_STATUS %#x)\n", err);
}

/* Vector 0: device events, i.e. errors and page requests. */
static irqreturn_t aks_event_irq(int irq, void *data)
{
	struct aks_dev *sdev = data;

	aks_err_process(sdev);
	if (sdev->prq)
		aks_prq_process(sdev);
	return IRQ_HANDLED;
}

/*
 * put_queue: hwq->q is NULL and the queue stopped. Consume what is left in
 * the ring, so a request of the old queue cannot reach the next user of
 * this hardware queue; from here on no dispatch sees the old queue.
 */
void aks_prq_forget_queue(struct aks_hwq *hwq)
{
	if (hwq->sdev->prq)
		aks_prq_process(hwq->sdev);
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

void aks_prq_free_irq(struct aks_dev *sdev)
{
	free_irq(sdev->prq_irq, sdev);
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
