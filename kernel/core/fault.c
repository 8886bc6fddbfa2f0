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
 * ops->page_response. A request covers a run of up to
 * ACCELKIT_PRQ_MAX_PAGES pages, faulted in one pass and answered once.
 * Each queue has at most one request in flight, so a queue that faults in
 * a loop slows down only itself.
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
#include <linux/sched/signal.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Attempts per page after VM_FAULT_RETRY (mmap_lock dropped). */
#define ACCELKIT_FAULT_TRIES	4

/* The owner's address space is gone: nothing was faulted, no mmget held. */
#define ACCELKIT_FAULT_MM_GONE	(-ESRCH)

/* Between two pages of a run: give up on what is left? */
static bool accelkit_fault_stop(struct accelkit_queue *q)
{
	/*
	 * The queue is being torn down: nobody will get the answer. The
	 * signal check matters only if this ever runs in a user task (our
	 * workers get no signals).
	 */
	return READ_ONCE(q->fault_closed) || fatal_signal_pending(current);
}

/*
 * Make @nr_pages pages from @addr of the owner's address space present
 * (and writable for @write) the way user accesses of the owner would,
 * without ever raising a signal. Same steps as fixup_user_fault() and the
 * IOMMU page-fault handler, for a whole run in one pass: mmap_lock is
 * taken once, the VMA looked up again only when the run leaves it (or the
 * lock was dropped), handle_mm_fault() called per page (cheap for a page
 * already present; a THP fault maps the whole PMD and the rest of it then
 * costs a PMD lookup per page). A fault may drop mmap_lock while it waits
 * for I/O (FAULT_FLAG_ALLOW_RETRY), so a slow or stuck file does not keep
 * the owner's mmap_lock; the lock is also dropped and retaken between
 * pages when a writer waits for it.
 *
 * The pass stops at the first page that cannot be made present, or early
 * when the queue is torn down. Returns the number of pages made present
 * from @addr on (0: the first one failed) with an mmget() reference left
 * on the mm for the caller to drop, or ACCELKIT_FAULT_MM_GONE.
 */
static int accelkit_fault_range(struct accelkit_queue *q, u64 addr,
				unsigned int nr_pages, bool write)
{
	unsigned int base = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE |
			    FAULT_FLAG_REMOTE | FAULT_FLAG_USER;
	unsigned long access = write ? VM_WRITE : VM_READ;
	struct vm_area_struct *vma = NULL;
	struct mm_struct *mm = q->mm;
	unsigned int done = 0, tries = 0;
	unsigned int flags;
	unsigned long va;
	vm_fault_t ret;

	/*
	 * The owner is exiting (or exec'd): mm_users reached 0 before
	 * exit_mmap(), which may still be far away (exit_aio() waiting for
	 * a FUSE read, say). Fail the access: the job completes with an
	 * error instead of being re-faulted forever.
	 */
	if (!mmget_not_zero(mm))
		return ACCELKIT_FAULT_MM_GONE;

	if (write)
		base |= FAULT_FLAG_WRITE;
	flags = base;

	mmap_read_lock(mm);
	while (done < nr_pages) {
		va = addr + ((unsigned long)done << PAGE_SHIFT);
		if (!vma || va >= vma->vm_end) {
			vma = vma_lookup(mm, va);
			if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
			    (vma->vm_flags & access) != access)
				break;
		}

		ret = handle_mm_fault(vma, va, flags, NULL);
		if (ret & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) {
			/* mmap_lock was dropped: @vma may be gone */
			vma = NULL;
			if (ret & VM_FAULT_COMPLETED) {
				done++;		/* resolved meanwhile */
				tries = 0;
				flags = base;
			} else if (++tries >= ACCELKIT_FAULT_TRIES) {
				goto out_unlocked;
			} else {
				/* same page again */
				flags |= FAULT_FLAG_TRIED;
			}
			if (done == nr_pages || accelkit_fault_stop(q))
				goto out_unlocked;
			mmap_read_lock(mm);
			continue;
		}
		if (ret & VM_FAULT_ERROR)
			break;

		done++;
		tries = 0;
		flags = base;
		if (done == nr_pages || accelkit_fault_stop(q))
			break;
		/* Long runs: let a waiting writer (munmap, mmap) in. */
		if (mmap_lock_is_contended(mm)) {
			mmap_read_unlock(mm);
			vma = NULL;
			cond_resched();
			mmap_read_lock(mm);
		} else {
			cond_resched();
		}
	}
	mmap_read_unlock(mm);
out_unlocked:
	return done;	/* the caller mmput()s after answering */
}

static void accelkit_fault_work(struct work_struct *work)
{
	struct accelkit_queue *q = container_of(work, struct accelkit_queue,
						fault_work);
	unsigned int nr_pages;
	bool write, success;
	u64 addr;
	int done;

	spin_lock_irq(&q->fault_lock);
	addr = q->fault_addr;
	nr_pages = q->fault_nr_pages;
	write = q->fault_write;
	spin_unlock_irq(&q->fault_lock);

	/* q->mm: mmgrab()ed by the queue, which our reference keeps. */
	done = accelkit_fault_range(q, addr, nr_pages, write);
	/* The device asks again for whatever is still missing. */
	success = done > 0;

	/*
	 * Not pending any more before the answer: the device may raise the
	 * queue's next request as soon as it sees the response. The answer
	 * is given under the lock that teardown closes the queue with, so
	 * it never reaches a hardware queue that was given back.
	 */
	spin_lock_irq(&q->fault_lock);
	q->fault_pending = false;
	if (success)
		q->stats.page_faults_resolved++;
	else
		q->stats.page_faults_failed++;
	if (!q->fault_closed)
		q->adev->ops->page_response(q, success);
	spin_unlock_irq(&q->fault_lock);

	if (done == 0)
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
	if (done != ACCELKIT_FAULT_MM_GONE)
		mmput_async(q->mm);
	accelkit_queue_put(q);	/* may free q */
}

/**
 * accelkit_queue_page_request() - resolve a device page request
 * @q: the queue whose job stalled; the caller guarantees put_queue has not
 *	been called for it (same rule as accelkit_queue_wake())
 * @addr: virtual address of the first page of the run, in the owner's
 *	address space, page aligned
 * @nr_pages: pages in the run (PAGE_SIZE each), 1..ACCELKIT_PRQ_MAX_PAGES
 * @write: the access was a write
 *
 * Callable from any context, including hard interrupt. The run is faulted
 * in later, in one pass, on the framework's workqueue and the request is
 * answered once through ops->page_response(@q, success): success when at
 * least the first page was made present (the device asks again for what
 * is still missing), invalid otherwise. A queue has at most one request in
 * flight: a second one while the first is pending, one arriving while the
 * queue is being torn down, and one with a bad run (@addr not page
 * aligned, @nr_pages 0 or above the bound, a run wrapping around) are
 * answered "invalid" right away, from the caller's context, and so is
 * every request on a kernel queue (no address space: nothing to fault).
 *
 * Return: 0 when queued; -EBUSY, -ESHUTDOWN or -EINVAL when answered
 * invalid at once; -EOPNOTSUPP (nothing answered) when the driver has no
 * page_response op.
 */
int accelkit_queue_page_request(struct accelkit_queue *q, u64 addr,
				unsigned int nr_pages, bool write)
{
	const struct accelkit_ops *ops = q->adev->ops;
	u64 end = addr + ((u64)nr_pages << PAGE_SHIFT);
	/* A kernel queue has no address space to fault in: always invalid. */
	bool bad_run = q->owner == ACCELKIT_OWNER_KERNEL ||
		       (addr & ~PAGE_MASK) || !nr_pages ||
		       nr_pages > ACCELKIT_PRQ_MAX_PAGES || end < addr;
	unsigned long flags;
	int ret = 0;

	if (!ops->page_response)
		return -EOPNOTSUPP;

	spin_lock_irqsave(&q->fault_lock, flags);
	q->stats.page_requests++;
	if (!bad_run)
		q->stats.pages_requested += nr_pages;
	if (q->fault_closed)
		ret = -ESHUTDOWN;
	else if (q->fault_pending)
		ret = -EBUSY;
	else if (bad_run)
		ret = -EINVAL;

	if (ret) {
		/* the caller guarantees put_queue has not been called yet */
		ops->page_response(q, false);
		q->stats.page_faults_failed++;
	} else {
		q->fault_pending = true;
		q->fault_addr = addr;
		q->fault_nr_pages = nr_pages;
		q->fault_write = write;
		kref_get(&q->refs);	/* dropped by the work */
		queue_work(accelkit_wq, &q->fault_work);
	}
	spin_unlock_irqrestore(&q->fault_lock, flags);

	if (ret == -EBUSY || ret == -EINVAL)
		dev_dbg_ratelimited(&q->adev->dev,
				    "pasid %u: page request refused (%d): %#llx, %u pages\n",
				    q->pasid, ret, addr, nr_pages);
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
	WRITE_ONCE(q->fault_closed, true);	/* the work peeks at it */
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
