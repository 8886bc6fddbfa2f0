// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: queue lifetime. Allocation and references, the shutdown that
 * takes the hardware queue away (PUT_Q, close, owner exit, removal), the
 * per-user queue accounting and the owner-exit work.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "internal.h"

/*
 * A queue for @owner. Only a user queue gets an inode for its mappings and
 * a reference on the opener's address space; a kernel queue has neither.
 */
struct accelkit_queue *accelkit_queue_alloc(struct accelkit_device *adev,
					    enum accelkit_owner owner)
{
	struct accelkit_queue *q;
	int i;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return ERR_PTR(-ENOMEM);

	q->owner = owner;
	if (owner == ACCELKIT_OWNER_USER) {
		q->inode = accelkit_new_inode();
		if (IS_ERR(q->inode)) {
			struct inode *inode = q->inode;

			kfree(q);
			return ERR_CAST(inode);
		}
		q->mm = current->mm;
		mmgrab(q->mm);
	}

	kref_init(&q->refs);
	mutex_init(&q->ctl);
	mutex_init(&q->mutex);
	init_waitqueue_head(&q->wait);
	init_waitqueue_head(&q->unmap_wait);
	accelkit_fault_init(q);
	INIT_WORK(&q->fail_work, accelkit_fail_work);
	INIT_LIST_HEAD(&q->node);
	for (i = 0; i < ACCELKIT_NR_REGIONS; i++) {
		q->region[i].q = q;
		q->region[i].type = i;
	}
	get_device(&adev->dev);
	q->adev = adev;
	return q;
}

void accelkit_queue_get(struct accelkit_queue *q)
{
	kref_get(&q->refs);
}

/*
 * The last reference: the file is released and no work uses the queue.
 * Process context (release, a work item, removal).
 */
static void accelkit_queue_free(struct kref *kref)
{
	struct accelkit_queue *q = container_of(kref, struct accelkit_queue,
						refs);
	struct accelkit_device *adev = q->adev;
	int i;

	for (i = 0; i < ACCELKIT_NR_REGIONS; i++)
		if (q->region[i].mapper)
			mmdrop(q->region[i].mapper);
	if (q->inode)
		iput(q->inode);
	if (q->mm)
		mmdrop(q->mm);
	mutex_destroy(&q->ctl);
	mutex_destroy(&q->mutex);
	kfree(q);
	put_device(&adev->dev);
}

void accelkit_queue_put(struct accelkit_queue *q)
{
	kref_put(&q->refs, accelkit_queue_free);
}

/*
 * Zap the mapping of one region (at most one VMA: one mmap() per region,
 * not copied by fork(), no mremap() or split) with its mapper's mmap_lock
 * held for writing. That waits for an mmap() of this queue that passed its
 * checks to link its VMA, and for an munmap() of it in progress: munmap()
 * unmaps with mmap_lock downgraded to read, and two unmappers of one
 * VM_PFNMAP VMA race in untrack_pfn() (one finds the range untracked and
 * its PTE gone: x86 PAT warns). Once zapped, the VMA is no longer tracked
 * and a later munmap() leaves PAT alone. Only q->ctl is held: how long
 * this takes is up to @mm's tasks.
 */
static void accelkit_region_zap(struct accelkit_qregion *region)
{
	struct accelkit_queue *q = region->q;
	struct mm_struct *mm = region->mapper;
	size_t size = q->adev->region_size[region->type];

	if (!mmget_not_zero(mm)) {
		/*
		 * No task left that could be in mmap() or munmap(), but
		 * exit_mmap() may be unmapping the region right now (the
		 * owner's exit is what queued a DEFUNCT shutdown). Let it
		 * finish, for the same reason. Bounded: exit_mmap() does not
		 * wait for user space; on a timeout the zap goes ahead.
		 */
		wait_event_timeout(q->unmap_wait,
				   !READ_ONCE(region->nr_vmas), 10 * HZ);
		return;
	}
	mmap_write_lock(mm);
	if (size)
		unmap_mapping_range(q->inode->i_mapping,
				    (loff_t)region->type << PAGE_SHIFT, size, 1);
	mmap_write_unlock(mm);
	mmput(mm);	/* may end in exit_mmap(): no lock but q->ctl held */
}

/*
 * Take the hardware queue away from @q and move it to @new_state: stop
 * it, close its page requests, zap every user mapping of it (each region
 * under its mapper's mmap_lock, then everything once more), give it
 * back, then release its PASID binding and its per-user count. The
 * device must be quiet before page requests are closed (a stopped queue
 * raises no new request and its stalled job is dropped), no answer may
 * reach the hardware queue once it is given back (fault_closed, under
 * q->fault_lock), and the mappings must be gone before the driver frees
 * what they point at.
 *
 * Called with q->ctl held and no other lock: adev->mutex is taken only
 * around the bookkeeping and the bounded vendor ops. The fault work is not
 * waited for. From a state without a hardware queue only the state
 * changes (ZOMBIE at removal).
 *
 * Kernel queues take the same path (nothing is mapped or bound); at
 * removal their claimer's revoke callback runs between stop_queue and
 * put_queue, so it can fail what it submitted while the hardware queue
 * is quiet but still there.
 */
void accelkit_queue_shutdown(struct accelkit_queue *q,
			     enum accelkit_q_state new_state)
{
	struct accelkit_device *adev = q->adev;
	const struct accelkit_ops *ops;
	enum accelkit_q_state old;
	int i;

	lockdep_assert_held(&q->ctl);

	mutex_lock(&adev->mutex);
	mutex_lock(&q->mutex);
	ops = adev->ops;
	old = q->state;
	if (old == ACCELKIT_Q_STARTED && ops->stop_queue)
		ops->stop_queue(q);
	q->state = new_state;
	mutex_unlock(&q->mutex);
	mutex_unlock(&adev->mutex);
	wake_up_all(&q->wait);

	if (old != ACCELKIT_Q_INIT && old != ACCELKIT_Q_STARTED &&
	    old != ACCELKIT_Q_FAILED)
		return;

	if (new_state == ACCELKIT_Q_ZOMBIE && q->revoke)
		q->revoke(q, q->revoke_data);

	accelkit_fault_close(q);

	/* region->mapper only changes in an mmap() that succeeds: stable now. */
	for (i = 0; i < ACCELKIT_NR_REGIONS; i++)
		if (q->region[i].mapper)
			accelkit_region_zap(&q->region[i]);

	/*
	 * ops stay valid: removal shuts every queue down under its q->ctl,
	 * so it waits for us before it lets go of them.
	 */
	mutex_lock(&q->mutex);
	accelkit_queue_zap(q);
	if (ops->put_queue)
		ops->put_queue(q);
	mutex_unlock(&q->mutex);

	mutex_lock(&adev->mutex);
	accelkit_unbind(q);
	accelkit_user_uncharge(q);
	accelkit_hwq_uncount(q);
	mutex_unlock(&adev->mutex);
}

static struct accelkit_user *accelkit_user_find(struct accelkit_device *adev,
						kuid_t uid)
{
	struct accelkit_user *u;

	list_for_each_entry(u, &adev->users, node)
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/*
 * open(), under adev->mutex, before anything expensive and after
 * accelkit_hwq_check(): may the opener's user take one more queue
 * (-EMFILE)? Queues count per (device, effective uid of the opener) from
 * open until their hardware queue is given back. Openers with
 * CAP_SYS_ADMIN are neither limited nor counted.
 */
int accelkit_user_charge(struct accelkit_queue *q, struct file *filp)
{
	struct accelkit_device *adev = q->adev;
	kuid_t uid = filp->f_cred->euid;
	unsigned int limit;
	struct accelkit_user *u;

	lockdep_assert_held(&adev->mutex);

	if (file_ns_capable(filp, &init_user_ns, CAP_SYS_ADMIN))
		return 0;

	limit = READ_ONCE(adev->max_queues_per_user);
	u = accelkit_user_find(adev, uid);
	if (limit && u && u->queues >= limit)
		return -EMFILE;
	if (!u) {
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		u->uid = uid;
		list_add(&u->node, &adev->users);
	}
	u->queues++;
	q->user = u;
	return 0;
}

void accelkit_user_uncharge(struct accelkit_queue *q)
{
	struct accelkit_user *u = q->user;

	lockdep_assert_held(&q->adev->mutex);

	if (!u)
		return;
	q->user = NULL;
	if (--u->queues)
		return;
	list_del(&u->node);
	kfree(u);
}

/*
 * A queue of @adev whose owner's address space was released and that
 * still holds its hardware queue, with a reference taken; or NULL.
 */
static struct accelkit_queue *accelkit_next_defunct(struct accelkit_device *adev)
{
	struct accelkit_queue *q;

	mutex_lock(&adev->mutex);
	list_for_each_entry(q, &adev->queues, node) {
		if (accelkit_q_holds_hw(q) && q->bond &&
		    READ_ONCE(q->bond->state) == ACCELKIT_BOND_DEAD) {
			accelkit_queue_get(q);
			mutex_unlock(&adev->mutex);
			return q;
		}
	}
	mutex_unlock(&adev->mutex);
	return NULL;
}

/*
 * Queued by the notifier's release (exit_mmap() of an owner: exit or
 * exec), which holds a device reference for us. Shuts down every queue of
 * every dead bond of the device, without waiting for their files to be
 * closed: their hardware queues, PASIDs and per-user counts come back now.
 * The files stay open in state DEFUNCT.
 */
void accelkit_defunct_work(struct work_struct *work)
{
	struct accelkit_device *adev = container_of(work,
						    struct accelkit_device,
						    defunct_work);
	struct accelkit_queue *q;

	while ((q = accelkit_next_defunct(adev))) {
		mutex_lock(&q->ctl);
		/* PUT_Q, close or removal may have been faster */
		if (accelkit_q_holds_hw(q))
			accelkit_queue_shutdown(q, ACCELKIT_Q_DEFUNCT);
		mutex_unlock(&q->ctl);
		accelkit_queue_put(q);
	}
	put_device(&adev->dev);
}

/**
 * accelkit_queue_fail() - the hardware queue of @q failed
 * @q: a queue the driver still holds (between get_queue and put_queue)
 *
 * For a queue that is stuck, or whose state the device lost in a reset.
 * Any context. The framework then, from its workqueue and with its queue
 * locks held, calls the driver's fail_queue op (which stops the hardware
 * queue and completes or aborts what was outstanding) if @q is still
 * started, and moves @q to FAILED: poll() reports EPOLLIN | EPOLLERR,
 * ioctls but QUEUE_INFO and QUEUE_STATS fail with -EIO, existing mappings
 * stay, close and exit work as usual. Counting the error
 * (accelkit_report_hw_error()) is up to the driver. Calls for a queue
 * that is failing already are ignored.
 */
void accelkit_queue_fail(struct accelkit_queue *q)
{
	unsigned long flags;
	bool queue;

	spin_lock_irqsave(&q->fault_lock, flags);
	queue = !q->fail_queued;
	q->fail_queued = true;
	spin_unlock_irqrestore(&q->fault_lock, flags);
	if (!queue)
		return;
	accelkit_queue_get(q);
	queue_work(accelkit_wq, &q->fail_work);
}
EXPORT_SYMBOL_GPL(accelkit_queue_fail);

void accelkit_fail_work(struct work_struct *work)
{
	struct accelkit_queue *q = container_of(work, struct accelkit_queue,
						fail_work);
	struct accelkit_device *adev = q->adev;
	bool failed = false;

	mutex_lock(&q->ctl);
	mutex_lock(&adev->mutex);
	mutex_lock(&q->mutex);
	/* Stopped, given back or removed meanwhile: nothing to fail. */
	if (q->state == ACCELKIT_Q_STARTED) {
		if (adev->ops->fail_queue)
			adev->ops->fail_queue(q);
		else if (adev->ops->stop_queue)
			adev->ops->stop_queue(q);
		q->state = ACCELKIT_Q_FAILED;
		failed = true;
	}
	mutex_unlock(&q->mutex);
	mutex_unlock(&adev->mutex);
	mutex_unlock(&q->ctl);
	if (failed)
		wake_up_all(&q->wait);
	accelkit_queue_put(q);
}
