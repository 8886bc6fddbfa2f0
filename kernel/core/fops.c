// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: queue file operations. One open() is one queue.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/*
 * Wait until an mmap() of this queue that passed its checks in @mm has
 * linked its VMA: mmap() holds @mm's mmap_lock for writing throughout.
 */
static void accelkit_mm_sync(struct mm_struct *mm)
{
	if (!mmget_not_zero(mm))
		return;		/* no task left that could be in mmap() */
	mmap_read_lock(mm);
	mmap_read_unlock(mm);
	mmput(mm);
}

/*
 * Take the hardware queue away from @q: stop it, drop its page request,
 * zap every user mapping of it and give it back, in that order. The device
 * must be quiet before the fault work is cancelled (a stopped queue raises
 * no new request and its stalled job is dropped), the fault work must be
 * finished before put_queue (no late response may reach a hardware queue
 * someone else got), and the mappings must be gone before the driver frees
 * what they point at.
 *
 * Called with adev->mutex held and neither mmap_lock nor q->mutex: the
 * fault work takes mmap_lock, and so does waiting for a concurrent mmap().
 * The new state is set in the first step, so no mmap() succeeds after it;
 * one that passed its checks before is waited for through its mm's
 * mmap_lock (region->mapper), then zapped.
 */
void accelkit_queue_shutdown(struct accelkit_queue *q,
			     enum accelkit_q_state new_state)
{
	const struct accelkit_ops *ops = q->adev->ops;
	enum accelkit_q_state old;
	int i;

	lockdep_assert_held(&q->adev->mutex);

	mutex_lock(&q->mutex);
	old = q->state;
	if (old == ACCELKIT_Q_STARTED && ops->stop_queue)
		ops->stop_queue(q);
	q->state = new_state;
	mutex_unlock(&q->mutex);

	accelkit_fault_quiesce(q);

	/* region->mapper only changes in an mmap() that succeeds: stable now. */
	for (i = 0; i < ACCELKIT_NR_REGIONS; i++)
		if (q->region[i].mapper)
			accelkit_mm_sync(q->region[i].mapper);

	mutex_lock(&q->mutex);
	accelkit_queue_zap(q);
	if ((old == ACCELKIT_Q_STARTED || old == ACCELKIT_Q_INIT) &&
	    ops->put_queue)
		ops->put_queue(q);
	mutex_unlock(&q->mutex);
}

static int accelkit_fops_open(struct inode *inode, struct file *filp)
{
	struct accelkit_device *adev;
	struct accelkit_queue *q;
	int ret, i;

	adev = container_of(inode->i_cdev, struct accelkit_device, cdev);

	/* A queue belongs to an address space; kernel threads have none. */
	if (!current->mm)
		return -EPERM;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return -ENOMEM;

	q->inode = accelkit_new_inode();
	if (IS_ERR(q->inode)) {
		ret = PTR_ERR(q->inode);
		kfree(q);
		return ret;
	}

	mutex_init(&q->mutex);
	init_waitqueue_head(&q->wait);
	accelkit_fault_init(q);
	INIT_LIST_HEAD(&q->node);
	for (i = 0; i < ACCELKIT_NR_REGIONS; i++) {
		q->region[i].q = q;
		q->region[i].type = i;
	}
	q->mm = current->mm;
	mmgrab(q->mm);
	get_device(&adev->dev);
	q->adev = adev;

	mutex_lock(&adev->mutex);
	if (adev->state & ACCELKIT_DEV_REMOVED) {
		ret = -ENODEV;
		goto err_unlock;
	}
	/* Too many hardware errors within an hour: no new queues (isolate.c). */
	if (accelkit_is_isolated(adev)) {
		ret = -EIO;
		goto err_unlock;
	}

	ret = accelkit_bind(q);
	if (ret)
		goto err_unlock;

	ret = adev->ops->get_queue(adev, q);
	if (ret)
		goto err_unbind;

	q->state = ACCELKIT_Q_INIT;
	list_add_tail(&q->node, &adev->queues);
	mutex_unlock(&adev->mutex);

	filp->private_data = q;
	filp->f_mapping = q->inode->i_mapping;
	return nonseekable_open(inode, filp);

err_unbind:
	accelkit_unbind(q);
err_unlock:
	mutex_unlock(&adev->mutex);
	put_device(&adev->dev);
	mmdrop(q->mm);
	iput(q->inode);
	kfree(q);
	if (ret != -EBUSY && ret != -ENODEV)
		dev_dbg(&adev->dev, "open failed: %d\n", ret);
	return ret;
}

/*
 * Runs when the last reference to the file is gone, so no mapping of the
 * queue exists any more (each VMA holds a file reference). May run in any
 * task, or in a workqueue: nothing here looks at current.
 */
static int accelkit_fops_release(struct inode *inode, struct file *filp)
{
	struct accelkit_queue *q = filp->private_data;
	struct accelkit_device *adev = q->adev;
	int i;

	mutex_lock(&adev->mutex);
	if (accelkit_q_usable(q))
		accelkit_queue_shutdown(q, ACCELKIT_Q_RELEASED);
	accelkit_unbind(q);
	list_del(&q->node);
	mutex_unlock(&adev->mutex);

	for (i = 0; i < ACCELKIT_NR_REGIONS; i++)
		if (q->region[i].mapper)
			mmdrop(q->region[i].mapper);
	iput(q->inode);
	mmdrop(q->mm);
	kfree(q);
	put_device(&adev->dev);
	return 0;
}

static long accelkit_start_q(struct accelkit_queue *q)
{
	const struct accelkit_ops *ops = q->adev->ops;
	long ret = 0;

	if (q->state != ACCELKIT_Q_INIT)
		return -EINVAL;

	mutex_lock(&q->mutex);
	if (ops->start_queue)
		ret = ops->start_queue(q);
	if (!ret)
		q->state = ACCELKIT_Q_STARTED;
	mutex_unlock(&q->mutex);
	return ret;
}

/* UACCE_CMD_PUT_Q. Called with adev->mutex only (see shutdown). */
static long accelkit_put_q(struct accelkit_queue *q)
{
	if (q->state == ACCELKIT_Q_RELEASED)
		return 0;

	accelkit_queue_shutdown(q, ACCELKIT_Q_RELEASED);
	wake_up_all(&q->wait);
	return 0;
}

/*
 * ACCELKIT_CMD_SHARE: from now on other address spaces holding the file
 * may use the queue. Its PASID stays bound to the owner's address space.
 */
static long accelkit_share(struct accelkit_queue *q, bool owner)
{
	if (!owner)
		return -EPERM;
	if (!accelkit_q_usable(q))
		return -EINVAL;
	WRITE_ONCE(q->shared, true);
	return 0;
}

static long accelkit_queue_info(struct accelkit_queue *q,
				struct accelkit_queue_info *info)
{
	struct accelkit_device *adev = q->adev;

	if (!accelkit_q_usable(q))
		return -EINVAL;

	memset(info, 0, sizeof(*info));
	info->api_version = ACCELKIT_API_VERSION;
	info->pasid = q->pasid;
	info->mmio_size = adev->region_size[UACCE_QFRT_MMIO];
	info->dus_size = adev->region_size[UACCE_QFRT_DUS];
	if (adev->ops->queue_info) {
		mutex_lock(&q->mutex);
		adev->ops->queue_info(q, info);
		mutex_unlock(&q->mutex);
	}
	return 0;
}

/*
 * ioctls run under adev->mutex (not q->mutex): driver ioctls may fault on
 * user memory, which takes mmap_lock, and mmap_lock is taken before
 * q->mutex but after adev->mutex.
 *
 * From an address space other than the owner's (queue shared): START_Q,
 * PUT_Q, QUEUE_INFO and QUEUE_STATS only; SHARE and driver ioctls (which
 * may assume the owner's address space) fail with EPERM.
 */
static long accelkit_fops_ioctl(struct file *filp, unsigned int cmd,
				unsigned long arg)
{
	struct accelkit_queue *q = filp->private_data;
	struct accelkit_device *adev = q->adev;
	bool owner = current->mm == q->mm;
	struct accelkit_queue_stats stats;
	struct accelkit_queue_info info;
	long ret;

	if (!accelkit_may_use(q))
		return -EPERM;

	mutex_lock(&adev->mutex);
	if (q->state == ACCELKIT_Q_ZOMBIE) {
		ret = -ENODEV;
		goto out;
	}

	switch (cmd) {
	case UACCE_CMD_START_Q:
		ret = accelkit_start_q(q);
		break;
	case UACCE_CMD_PUT_Q:
		ret = accelkit_put_q(q);
		break;
	case ACCELKIT_CMD_QUEUE_INFO:
		ret = accelkit_queue_info(q, &info);
		break;
	case ACCELKIT_CMD_QUEUE_STATS:
		accelkit_fault_stats(q, &stats);
		ret = 0;
		break;
	case ACCELKIT_CMD_SHARE:
		ret = accelkit_share(q, owner);
		break;
	default:
		if (!owner)
			ret = -EPERM;
		else if (!adev->ops->ioctl)
			ret = -ENOTTY;
		else if (!accelkit_q_usable(q))
			ret = -EINVAL;
		else
			ret = adev->ops->ioctl(q, cmd, arg);
		break;
	}
out:
	mutex_unlock(&adev->mutex);

	if (cmd == ACCELKIT_CMD_QUEUE_INFO && !ret &&
	    copy_to_user((void __user *)arg, &info, sizeof(info)))
		ret = -EFAULT;
	if (cmd == ACCELKIT_CMD_QUEUE_STATS && !ret &&
	    copy_to_user((void __user *)arg, &stats, sizeof(stats)))
		ret = -EFAULT;
	return ret;
}

static __poll_t accelkit_fops_poll(struct file *filp, poll_table *wait)
{
	struct accelkit_queue *q = filp->private_data;
	const struct accelkit_ops *ops;
	__poll_t mask = 0;

	/*
	 * Not the owner's address space, queue not shared. poll() only
	 * passes POLLNVAL on to callers that asked for it, so raise POLLERR
	 * too: every poller wakes up and learns the queue is not usable
	 * from here.
	 */
	if (!accelkit_may_use(q))
		return EPOLLNVAL | EPOLLERR;

	mutex_lock(&q->mutex);
	switch (q->state) {
	case ACCELKIT_Q_ZOMBIE:
		mask = EPOLLERR | EPOLLHUP;
		break;
	case ACCELKIT_Q_RELEASED:
		mask = EPOLLERR;
		break;
	default:
		poll_wait(filp, &q->wait, wait);
		ops = q->adev->ops;
		if (ops->is_q_updated && ops->is_q_updated(q))
			mask = EPOLLIN | EPOLLRDNORM;
		break;
	}
	mutex_unlock(&q->mutex);
	return mask;
}

const struct file_operations accelkit_fops = {
	.owner		= THIS_MODULE,
	.open		= accelkit_fops_open,
	.release	= accelkit_fops_release,
	.unlocked_ioctl	= accelkit_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= accelkit_fops_mmap,
	.poll		= accelkit_fops_poll,
	.llseek		= no_llseek,
};
