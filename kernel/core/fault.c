// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: page requests.
 *
 * A device that stalls a job on a missing or read-only translation raises
 * a page request; the vendor driver passes it on with
 * accelkit_queue_page_request(), possibly from hard interrupt context. The
 * framework resolves it on a per-device unbound workqueue, in the queue
 * owner's address space (q->mm: a shared queue still faults in its
 * owner's pages, never in those of whoever submitted the job), and
 * answers through ops->page_response. Each queue has at most one request
 * in flight, so a queue that faults in a loop slows down only itself.
 *
 * Teardown (accelkit_queue_shutdown()): stop_queue, then
 * accelkit_fault_quiesce() refuses new requests and cancels or waits for
 * the pending one, then put_queue. The fault work takes mmap_lock, so it
 * is never waited for with mmap_lock or q->mutex held.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "internal.h"

enum accelkit_fault_result {
	ACCELKIT_FAULT_RESOLVED,
	ACCELKIT_FAULT_FAILED,
	ACCELKIT_FAULT_MM_GONE,
};

/*
 * Make @addr of @mm present (and writable for @write) the way a user
 * access from the owner would, without ever raising a signal. Same steps
 * as the IOMMU page-fault handler (drivers/iommu/io-pgfault.c).
 */
static enum accelkit_fault_result
accelkit_handle_fault(struct mm_struct *mm, u64 addr, bool write)
{
	unsigned int flags = FAULT_FLAG_REMOTE | FAULT_FLAG_USER;
	unsigned long access = VM_READ;
	enum accelkit_fault_result res = ACCELKIT_FAULT_FAILED;
	struct vm_area_struct *vma;
	vm_fault_t ret;

	/* Exit has begun: the notifier's release blocks (or blocked) the PASID. */
	if (!mmget_not_zero(mm))
		return ACCELKIT_FAULT_MM_GONE;

	if (write) {
		access = VM_WRITE;
		flags |= FAULT_FLAG_WRITE;
	}

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
	    (vma->vm_flags & access) != access)
		goto out;

	ret = handle_mm_fault(vma, addr, flags, NULL);
	if (!(ret & VM_FAULT_ERROR))
		res = ACCELKIT_FAULT_RESOLVED;
out:
	mmap_read_unlock(mm);
	mmput(mm);
	return res;
}

static void accelkit_fault_work(struct work_struct *work)
{
	struct accelkit_queue *q = container_of(work, struct accelkit_queue,
						fault_work);
	enum accelkit_fault_result res;
	bool write;
	u64 addr;

	spin_lock_irq(&q->fault_lock);
	addr = q->fault_addr;
	write = q->fault_write;
	spin_unlock_irq(&q->fault_lock);

	res = accelkit_handle_fault(q->mm, addr, write);

	/*
	 * Not pending any more before the answer: the device may raise the
	 * queue's next request as soon as it sees the response.
	 */
	spin_lock_irq(&q->fault_lock);
	q->fault_pending = false;
	if (res == ACCELKIT_FAULT_RESOLVED)
		q->stats.page_faults_resolved++;
	else
		q->stats.page_faults_failed++;
	spin_unlock_irq(&q->fault_lock);

	if (res == ACCELKIT_FAULT_FAILED)
		dev_dbg_ratelimited(&q->adev->dev,
				    "pasid %u: %s fault at %#llx not resolved\n",
				    q->pasid, write ? "write" : "read", addr);

	/*
	 * Address space gone: "success" makes the device re-read the PASID
	 * entry, find it BLOCKED and complete the job with PASID_INVALID.
	 */
	q->adev->ops->page_response(q, res != ACCELKIT_FAULT_FAILED);
}

/**
 * accelkit_queue_page_request() - resolve a device page request
 * @q: the queue whose job stalled; the caller guarantees put_queue has not
 *	been called for it (same rule as accelkit_queue_wake())
 * @addr: the faulting virtual address, in the owner's address space
 * @write: the access was a write
 *
 * Callable from any context, including hard interrupt. The request is
 * resolved later on the device's fault workqueue and answered through
 * ops->page_response(@q, success). A queue has at most one request in
 * flight: a second one while the first is pending, or one arriving while
 * the queue is being torn down, is answered "invalid" right away, from the
 * caller's context.
 *
 * Return: 0 when queued; -EBUSY or -ESHUTDOWN when answered invalid at
 * once; -EOPNOTSUPP (nothing answered) when the driver has no
 * page_response op.
 */
int accelkit_queue_page_request(struct accelkit_queue *q, u64 addr,
				bool write)
{
	struct accelkit_device *adev = q->adev;
	unsigned long flags;
	int ret = 0;

	if (!adev->fault_wq)
		return -EOPNOTSUPP;

	spin_lock_irqsave(&q->fault_lock, flags);
	q->stats.page_requests++;
	if (q->fault_closed) {
		ret = -ESHUTDOWN;
	} else if (q->fault_pending) {
		ret = -EBUSY;
	} else {
		q->fault_pending = true;
		q->fault_addr = addr;
		q->fault_write = write;
		queue_work(adev->fault_wq, &q->fault_work);
	}
	if (ret)
		q->stats.page_faults_failed++;
	spin_unlock_irqrestore(&q->fault_lock, flags);

	if (ret) {
		if (ret == -EBUSY)
			dev_dbg_ratelimited(&adev->dev,
					    "pasid %u: page request while one is pending\n",
					    q->pasid);
		adev->ops->page_response(q, false);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(accelkit_queue_page_request);

void accelkit_fault_init(struct accelkit_queue *q)
{
	spin_lock_init(&q->fault_lock);
	INIT_WORK(&q->fault_work, accelkit_fault_work);
}

/*
 * The hardware queue is stopped (its stalled job dropped): refuse new
 * requests, then drop the pending one or wait until it has been answered.
 * Called with adev->mutex held, never with mmap_lock or q->mutex (the work
 * takes mmap_lock, and mmap() takes q->mutex under mmap_lock).
 */
void accelkit_fault_quiesce(struct accelkit_queue *q)
{
	lockdep_assert_held(&q->adev->mutex);
	lockdep_assert_not_held(&q->mutex);

	spin_lock_irq(&q->fault_lock);
	q->fault_closed = true;
	spin_unlock_irq(&q->fault_lock);

	if (cancel_work_sync(&q->fault_work)) {
		/* Dropped before it ran: never answered, nothing to answer. */
		spin_lock_irq(&q->fault_lock);
		q->fault_pending = false;
		q->stats.page_faults_failed++;
		spin_unlock_irq(&q->fault_lock);
	}
}

void accelkit_fault_stats(struct accelkit_queue *q,
			  struct accelkit_queue_stats *stats)
{
	spin_lock_irq(&q->fault_lock);
	*stats = q->stats;
	spin_unlock_irq(&q->fault_lock);
}

/*
 * One unbound workqueue per device. max_active covers every hardware
 * queue, so a queue that faults in a loop never delays the others.
 */
int accelkit_fault_wq_create(struct accelkit_device *adev)
{
	int max_active;

	if (!adev->ops->page_response)
		return 0;

	max_active = clamp_t(int, adev->nr_queues, 1, WQ_UNBOUND_MAX_ACTIVE);
	if (!adev->nr_queues)
		max_active = 0;		/* WQ_DFL_ACTIVE */
	adev->fault_wq = alloc_workqueue("%s-prq", WQ_UNBOUND, max_active,
					 dev_name(&adev->dev));
	return adev->fault_wq ? 0 : -ENOMEM;
}

/* Every queue has been quiesced: nothing is queued any more. */
void accelkit_fault_wq_destroy(struct accelkit_device *adev)
{
	if (adev->fault_wq) {
		destroy_workqueue(adev->fault_wq);
		adev->fault_wq = NULL;
	}
}
