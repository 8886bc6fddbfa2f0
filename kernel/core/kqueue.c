// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: queue ownership. Every hardware queue belongs to one owner at
 * a time: a user process (an open file, translating through its PASID)
 * or the kernel (accelkit_kqueue_claim(): DMA-API addresses, no PASID).
 * Both go through one claim, accelkit_hwq_claim(), and one release,
 * accelkit_queue_shutdown(), so a conflict is refused when the queue is
 * claimed and the owner never changes during a queue's life: it is fixed
 * when the queue object is allocated.
 *
 * The split is a reservation, sysfs "kernel_queues": that many hardware
 * queues are kept for kernel owners whether they are claimed or not.
 * User space may open what is free minus the unclaimed reservation
 * (sysfs "available_instances"); the kernel may hold at most the
 * reservation. Counters and the reservation live under adev->mutex.
 *
 * Kernel queues have no file, mm, inode, PASID or mapping, and are listed
 * on adev->kqueues only: fops, mmap, the fault work and the defunct work
 * walk adev->queues and never see them.
 */
#include <linux/err.h>
#include <linux/mutex.h>

#include "internal.h"

/* accelkit_alloc(): check and take over the interface's reservation. */
int accelkit_kq_init(struct accelkit_device *adev,
		     const struct accelkit_interface *intf)
{
	INIT_LIST_HEAD(&adev->kqueues);
	/* Without nr_queues the split has nothing to be bounded by. */
	if (intf->kernel_queues < 0 || !intf->nr_queues) {
		if (intf->kernel_queues > 0)
			return -EINVAL;
		return 0;
	}
	if (intf->kernel_queues > intf->nr_queues)
		return -EINVAL;
	adev->kq_enabled = true;
	adev->kq_reserved = intf->kernel_queues;
	return 0;
}

/* Free hardware queues as the driver counts them; -1: it cannot tell. */
static int accelkit_hw_free(struct accelkit_device *adev)
{
	int used;

	lockdep_assert_held(&adev->mutex);
	if (adev->ops->get_available_instances)
		return max(adev->ops->get_available_instances(adev), 0);
	if (!adev->nr_queues)
		return -1;
	used = adev->uq_in_use + adev->kq_in_use;
	return max((int)adev->nr_queues - used, 0);
}

/*
 * What open() could get now: the free hardware queues minus the part of
 * the kernel reservation not claimed yet, never negative. -1: unknown
 * (no get_available_instances op and no nr_queues), open is not limited.
 */
int accelkit_user_avail(struct accelkit_device *adev)
{
	int free = accelkit_hw_free(adev);
	int unclaimed = adev->kq_reserved - adev->kq_in_use;	/* >= 0 */

	if (free < 0)
		return -1;
	return max(free - unclaimed, 0);
}

/*
 * Under adev->mutex: may @owner claim a hardware queue of @adev now?
 * Removed (or, for the kernel, not registered yet) -ENODEV, isolated -EIO,
 * the owner's share used up -EBUSY. open() calls it before binding and
 * again, through accelkit_hwq_claim(), right before get_queue, so a
 * kernel_queues write or a kernel claim in between is never undercut.
 */
int accelkit_hwq_check(struct accelkit_device *adev, enum accelkit_owner owner)
{
	lockdep_assert_held(&adev->mutex);

	if (adev->state & ACCELKIT_DEV_REMOVED)
		return -ENODEV;
	if (owner == ACCELKIT_OWNER_KERNEL &&
	    !(adev->state & ACCELKIT_DEV_REGISTERED))
		return -ENODEV;
	if (accelkit_is_isolated(adev))
		return -EIO;
	if (owner == ACCELKIT_OWNER_KERNEL)
		return adev->kq_in_use < adev->kq_reserved ? 0 : -EBUSY;
	return accelkit_user_avail(adev) ? 0 : -EBUSY;
}

/*
 * The one claim of both owners, under adev->mutex: check, get_queue, count
 * and list @q. On success @q is in state INIT. A user queue's PASID is
 * bound already; a kernel queue's is 0.
 */
int accelkit_hwq_claim(struct accelkit_queue *q)
{
	struct accelkit_device *adev = q->adev;
	int ret;

	lockdep_assert_held(&adev->mutex);

	ret = accelkit_hwq_check(adev, q->owner);
	if (ret)
		return ret;
	ret = adev->ops->get_queue(adev, q);
	if (ret)
		return ret;

	q->state = ACCELKIT_Q_INIT;
	if (q->owner == ACCELKIT_OWNER_KERNEL) {
		adev->kq_in_use++;
		list_add_tail(&q->node, &adev->kqueues);
	} else {
		adev->uq_in_use++;
		list_add_tail(&q->node, &adev->queues);
	}
	return 0;
}

/* Under adev->mutex, once put_queue gave @q's hardware queue back. */
void accelkit_hwq_uncount(struct accelkit_queue *q)
{
	struct accelkit_device *adev = q->adev;

	lockdep_assert_held(&adev->mutex);
	if (q->owner == ACCELKIT_OWNER_KERNEL)
		adev->kq_in_use--;
	else
		adev->uq_in_use--;
}

/*
 * sysfs kernel_queues: change the reservation. It never claims or
 * releases anything itself. Shrinking below what the kernel holds, or
 * growing beyond what is free (users hold the queues), is refused.
 */
int accelkit_kq_set_reserved(struct accelkit_device *adev, unsigned int val)
{
	int ret = 0, free;

	if (val > adev->nr_queues)
		return -EINVAL;

	mutex_lock(&adev->mutex);
	if (val < adev->kq_in_use) {
		ret = -EBUSY;
	} else if (val > adev->kq_reserved) {
		free = accelkit_hw_free(adev);
		if (free >= 0 && free < (int)(val - adev->kq_in_use))
			ret = -EBUSY;
	}
	if (!ret)
		adev->kq_reserved = val;
	mutex_unlock(&adev->mutex);
	return ret;
}

enum accelkit_owner accelkit_queue_owner(const struct accelkit_queue *q)
{
	return q->owner;
}
EXPORT_SYMBOL_GPL(accelkit_queue_owner);

/* See include/linux/accelkit.h. */
struct accelkit_queue *
accelkit_kqueue_claim(struct accelkit_device *adev,
		      void (*revoke)(struct accelkit_queue *q, void *data),
		      void *data)
{
	const struct accelkit_ops *ops;
	struct accelkit_queue *q;
	int ret;

	might_sleep();
	if (IS_ERR_OR_NULL(adev))
		return ERR_PTR(-ENODEV);
	if (!adev->kq_enabled)
		return ERR_PTR(-EOPNOTSUPP);

	q = accelkit_queue_alloc(adev, ACCELKIT_OWNER_KERNEL);
	if (IS_ERR(q))
		return q;
	q->revoke = revoke;
	q->revoke_data = data;

	/*
	 * adev->mutex from the check to the start: removal cannot see the
	 * queue on adev->kqueues before it is started, and ops stay valid.
	 */
	mutex_lock(&adev->mutex);
	ret = accelkit_hwq_claim(q);
	if (ret)
		goto out_unlock;

	ops = adev->ops;
	mutex_lock(&q->mutex);
	if (ops->start_queue)
		ret = ops->start_queue(q);
	if (!ret) {
		q->state = ACCELKIT_Q_STARTED;
	} else {
		if (ops->put_queue)
			ops->put_queue(q);
		q->state = ACCELKIT_Q_RELEASED;
	}
	mutex_unlock(&q->mutex);
	if (ret) {
		list_del_init(&q->node);
		accelkit_hwq_uncount(q);
	}
out_unlock:
	mutex_unlock(&adev->mutex);
	if (ret) {
		if (ret != -EBUSY && ret != -ENODEV && ret != -EIO)
			dev_dbg(&adev->dev, "kernel queue claim failed: %d\n",
				ret);
		accelkit_queue_put(q);	/* the only reference */
		return ERR_PTR(ret);
	}
	return q;
}
EXPORT_SYMBOL_GPL(accelkit_kqueue_claim);

/* See include/linux/accelkit.h. */
void accelkit_kqueue_release(struct accelkit_queue *q)
{
	struct accelkit_device *adev;

	if (IS_ERR_OR_NULL(q) || WARN_ON_ONCE(q->owner != ACCELKIT_OWNER_KERNEL))
		return;
	adev = q->adev;

	/* The same shutdown as PUT_Q and close: stop, put, uncount. */
	mutex_lock(&q->ctl);
	if (accelkit_q_holds_hw(q))
		accelkit_queue_shutdown(q, ACCELKIT_Q_RELEASED);
	mutex_unlock(&q->ctl);

	mutex_lock(&adev->mutex);
	list_del_init(&q->node);
	mutex_unlock(&adev->mutex);

	accelkit_queue_put(q);
}
EXPORT_SYMBOL_GPL(accelkit_kqueue_release);
