// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: page requests.
 *
 * A device that stalls a job on a missing or read-only translation raises
 * a page request; the vendor driver passes it on with
 * accelkit_queue_page_request(), possibly from hard interrupt context. The
 * framework resolves it on its own unbound workqueue, in the queue owner's
 * address space (q->mm: a shared queue still faults in its owner's pages,
 * never in those of whoever submitted the job), and answers through
 * ops->page_response. Each queue has at most one request in flight, so a
 * queue that faults in a loop slows down only itself.
 *
 * Resolving a fault may sleep for as long as user space wants (a file
 * whose FUSE server does not answer, userfaultfd). So nothing ever waits
 * for the work but module exit: a queued work item holds a reference on
 * the queue (q->refs), the answer is given under q->fault_lock only while
 * the queue is open for requests, and teardown closes it under that same
 * lock (accelkit_fault_close()): once closed, no answer can reach the
 * hardware queue, which may then be given back right away.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Attempts after VM_FAULT_RETRY (mmap_lock dropped) before giving up. */
#define ACCELKIT_FAULT_TRIES	4

enum accelkit_fault_result {
	ACCELKIT_FAULT_RESOLVED,
	ACCELKIT_FAULT_FAILED,
	ACCELKIT_FAULT_MM_GONE,
};

/*
 * Make @addr of @mm present (and writable for @write) the way a user
 * access from the owner would, without ever raising a signal. Same steps
 * as fixup_user_fault() and the IOMMU page-fault handler: the fault may
 * drop mmap_lock while it waits for I/O (FAULT_FLAG_ALLOW_RETRY), so a
 * slow or stuck file does not keep the owner's mmap_lock. Unless it
 * returns ACCELKIT_FAULT_MM_GONE, it leaves an mmget() reference on @mm.
 */
static enum accelkit_fault_result
accelkit_handle_fault(struct mm_struct *mm, u64 addr, bool write)
{
	unsigned int flags = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE |
			     FAULT_FLAG_REMOTE | FAULT_FLAG_USER;
	enum accelkit_fault_result res = ACCELKIT_FAULT_FAILED;
	unsigned long access = VM_READ;
	struct vm_area_struct *vma;
	unsigned int tries = 0;
	vm_fault_t ret;

	/*
	 * The owner is exiting (or exec'd): mm_users reached 0 before
	 * exit_mmap(), which may still be far away (exit_aio() waiting for
	 * a FUSE read, say). Fail the access: the job completes with an
	 * error instead of being re-faulted forever.
	 */
	if (!mmget_not_zero(mm))
		return ACCELKIT_FAULT_MM_GONE;

	if (write) {
		access = VM_WRITE;
		flags |= FAULT_FLAG_WRITE;
	}

	mmap_read_lock(mm);
	for (;;) {
		vma = vma_lookup(mm, addr);
		if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    (vma->vm_flags & access) != access)
			break;

		ret = handle_mm_fault(vma, addr, flags, NULL);
		if (ret & VM_FAULT_COMPLETED) {
			/* done, mmap_lock already dropped */
			res = ACCELKIT_FAULT_RESOLVED;
			goto out_unlocked;
		}
		if (ret & VM_FAULT_RETRY) {
			/* mmap_lock was dropped while waiting */
			if (++tries >= ACCELKIT_FAULT_TRIES)
				goto out_unlocked;
			flags |= FAULT_FLAG_TRIED;
			mmap_read_lock(mm);
			continue;
		}
		if (!(ret & VM_FAULT_ERROR))
			res = ACCELKIT_FAULT_RESOLVED;
		break;
	}
	mmap_read_unlock(mm);
out_unlocked:
	return res;	/* the caller mmput()s after answering */
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

	/* q->mm: mmgrab()ed by the queue, which our reference keeps. */
	res = accelkit_handle_fault(q->mm, addr, write);

	/*
	 * Not pending any more before the answer: the device may raise the
	 * queue's next request as soon as it sees the response. The answer
	 * is given under the lock that teardown closes the queue with, so
	 * it never reaches a hardware queue that was given back.
	 */
	spin_lock_irq(&q->fault_lock);
	q->fault_pending = false;
	if (res == ACCELKIT_FAULT_RESOLVED)
		q->stats.page_faults_resolved++;
	else
		q->stats.page_faults_failed++;
	if (!q->fault_closed)
		q->adev->ops->page_response(q, res == ACCELKIT_FAULT_RESOLVED);
	spin_unlock_irq(&q->fault_lock);

	if (res == ACCELKIT_FAULT_FAILED)
		dev_dbg_ratelimited(&q->adev->dev,
				    "pasid %u: %s fault at %#llx not resolved\n",
				    q->pasid, write ? "write" : "read", addr);

	/*
	 * Only after the answer: this may be the last user of the mm, and
	 * exit_mmap() blocks the PASID, which may wait for the job that
	 * waits for this answer. Asynchronous: the last mmput() of an
	 * exiting owner runs exit_aio(), which can wait for user space (an
	 * AIO read on a FUSE file), and that must not occupy our worker.
	 */
	if (res != ACCELKIT_FAULT_MM_GONE)
		mmput_async(q->mm);
	accelkit_queue_put(q);	/* may free q */
}

/**
 * accelkit_queue_page_request() - resolve a device page request
 * @q: the queue whose job stalled; the caller guarantees put_queue has not
 *	been called for it (same rule as accelkit_queue_wake())
 * @addr: the faulting virtual address, in the owner's address space
 * @write: the access was a write
 *
 * Callable from any context, including hard interrupt. The request is
 * resolved later on the framework's workqueue and answered through
 * ops->page_response(@q, success). A queue has at most one request in
 * flight: a second one while the first is pending, or one arriving while
 * the queue is being torn down, is answered "invalid" right away, from the
 * caller's context.
 *
 * Return: 0 when queued; -EBUSY or -ESHUTDOWN when answered invalid at
 * once; -EOPNOTSUPP
 * (nothing answered) when the driver has no page_response op.
 */
int accelkit_queue_page_request(struct accelkit_queue *q, u64 addr,
				bool write)
{
	const struct accelkit_ops *ops = q->adev->ops;
	unsigned long flags;
	int ret = 0;

	if (!ops->page_response)
		return -EOPNOTSUPP;

	spin_lock_irqsave(&q->fault_lock, flags);
	q->stats.page_requests++;
	if (q->fault_closed || q->fault_pending) {
		/* the caller guarantees put_queue has not been called yet */
		ret = q->fault_closed ? -ESHUTDOWN : -EBUSY;
		ops->page_response(q, false);
	} else {
		q->fault_pending = true;
		q->fault_addr = addr;
		q->fault_write = write;
		kref_get(&q->refs);	/* dropped by the work */
		queue_work(accelkit_wq, &q->fault_work);
	}
	if (ret)
		q->stats.page_faults_failed++;
	spin_unlock_irqrestore(&q->fault_lock, flags);

	if (ret == -EBUSY)
		dev_dbg_ratelimited(&q->adev->dev,
				    "pasid %u: page request while one is pending\n",
				    q->pasid);
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
 * requests and never answer again, then drop the queued request if the
 * work has not started yet. A running work is not waited for: it finishes
 * on its own, answers nothing and drops its reference. Takes no sleeping
 * lock and waits for nothing.
 */
void accelkit_fault_close(struct accelkit_queue *q)
{
	spin_lock_irq(&q->fault_lock);
	q->fault_closed = true;
	spin_unlock_irq(&q->fault_lock);

	/* Closed: nobody queues the work again. Not waited for if running. */
	if (!cancel_work(&q->fault_work))
		return;

	spin_lock_irq(&q->fault_lock);
	q->fault_pending = false;
	q->stats.page_faults_failed++;
	spin_unlock_irq(&q->fault_lock);
	/* The caller holds a reference too: never the last one. */
	accelkit_queue_put(q);
}

void accelkit_fault_stats(struct accelkit_queue *q,
			  struct accelkit_queue_stats *stats)
{
	spin_lock_irq(&q->fault_lock);
	*stats = q->stats;
	spin_unlock_irq(&q->fault_lock);
}
