// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: queue file operations. One open() is one queue.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "internal.h"

/*
 * adev->mutex is held only for the bookkeeping steps; binding the
 * opener's address space, which takes its mmap_lock, runs without it (see
 * bind.c). Checks, in order: removed (ENODEV), isolated (EIO), nothing
 * left of the user share (EBUSY), per-user limit (EMFILE), no PASID left
 * (ENOSPC), then the binding and the claim, which checks again (EBUSY if
 * another open, a kernel claim or a kernel_queues write was faster).
 */
static int accelkit_fops_open(struct inode *inode, struct file *filp)
{
	struct accelkit_device *adev;
	struct accelkit_queue *q;
	int ret;

	adev = container_of(inode->i_cdev, struct accelkit_device, cdev);

	/* A queue belongs to an address space; kernel threads have none. */
	if (!current->mm)
		return -EPERM;

	q = accelkit_queue_alloc(adev, ACCELKIT_OWNER_USER);
	if (IS_ERR(q))
		return PTR_ERR(q);

	mutex_lock(&adev->mutex);
	ret = accelkit_hwq_check(adev, ACCELKIT_OWNER_USER);
	if (ret)
		goto err_unlock;
	ret = accelkit_user_charge(q, filp);
	if (ret)
		goto err_unlock;
	ret = accelkit_bind_prepare(q);
	mutex_unlock(&adev->mutex);

	if (!ret)
		ret = accelkit_bind_finish(q);

	mutex_lock(&adev->mutex);
	if (!ret && (adev->state & ACCELKIT_DEV_REMOVED))
		ret = -ENODEV;
	if (ret)
		goto err_unbind;
	ret = accelkit_bind_activate(q);
	if (ret)
		goto err_unbind;
	ret = accelkit_hwq_claim(q);
	if (ret)
		goto err_unbind;
	mutex_unlock(&adev->mutex);

	filp->private_data = q;
	filp->f_mapping = q->inode->i_mapping;
	return nonseekable_open(inode, filp);

err_unbind:
	accelkit_unbind(q);
err_unlock:
	accelkit_user_uncharge(q);
	mutex_unlock(&adev->mutex);
	if (ret != -EBUSY && ret != -ENODEV && ret != -EMFILE &&
	    ret != -ENOSPC && ret != -EINTR)
		dev_dbg(&adev->dev, "open failed: %d\n", ret);
	/* Not on any list, no work queued: this is the only reference. */
	accelkit_queue_put(q);
	return ret;
}

/*
 * Runs when the last reference to the file is gone, so no mapping of the
 * queue exists any more (each VMA holds a file reference). May run in any
 * task, or in a workqueue: nothing here looks at current. The queue's
 * memory goes with the last reference (a fault work may still hold one).
 */
static int accelkit_fops_release(struct inode *inode, struct file *filp)
{
	struct accelkit_queue *q = filp->private_data;
	struct accelkit_device *adev = q->adev;

	mutex_lock(&q->ctl);
	if (accelkit_q_holds_hw(q))
		accelkit_queue_shutdown(q, ACCELKIT_Q_RELEASED);
	mutex_unlock(&q->ctl);

	mutex_lock(&adev->mutex);
	list_del_init(&q->node);
	mutex_unlock(&adev->mutex);

	accelkit_queue_put(q);
	return 0;
}

/* UACCE_CMD_START_Q, q->ctl held. */
static long accelkit_start_q(struct accelkit_queue *q)
{
	struct accelkit_device *adev = q->adev;
	long ret = 0;

	if (q->state != ACCELKIT_Q_INIT)
		return -EINVAL;

	mutex_lock(&adev->mutex);
	mutex_lock(&q->mutex);
	if (adev->ops->start_queue)
		ret = adev->ops->start_queue(q);
	if (!ret)
		q->state = ACCELKIT_Q_STARTED;
	mutex_unlock(&q->mutex);
	mutex_unlock(&adev->mutex);
	return ret;
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

	if (!accelkit_q_holds_hw(q))
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
 * ioctls are serialized per queue by q->ctl (not q->mutex: driver ioctls
 * may fault on user memory, which takes mmap_lock, and mmap() takes
 * q->mutex under mmap_lock). No device-wide lock is held across them, so
 * an ioctl that sleeps on user memory stalls only this queue (and the
 * removal of the device, which shuts every queue down under its q->ctl).
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

	mutex_lock(&q->ctl);
	if (q->state == ACCELKIT_Q_ZOMBIE) {
		ret = -ENODEV;
		goto out;
	}
	if (q->state == ACCELKIT_Q_DEFUNCT) {
		/* the owner is gone; giving the queue back is done already */
		ret = cmd == UACCE_CMD_PUT_Q ? 0 : -ESRCH;
		goto out;
	}
	/* Failed hardware queue: only the queue's description is left. */
	if (q->state == ACCELKIT_Q_FAILED && cmd != ACCELKIT_CMD_QUEUE_INFO &&
	    cmd != ACCELKIT_CMD_QUEUE_STATS) {
		ret = -EIO;
		goto out;
	}

	switch (cmd) {
	case UACCE_CMD_START_Q:
		ret = accelkit_start_q(q);
		break;
	case UACCE_CMD_PUT_Q:
		if (accelkit_q_usable(q))
			accelkit_queue_shutdown(q, ACCELKIT_Q_RELEASED);
		ret = 0;
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
	mutex_unlock(&q->ctl);

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
	case ACCELKIT_Q_DEFUNCT:
		mask = EPOLLERR | EPOLLHUP;
		break;
	case ACCELKIT_Q_RELEASED:
		mask = EPOLLERR;
		break;
	case ACCELKIT_Q_FAILED:
		/* the driver's records are readable, and the queue is dead */
		mask = EPOLLIN | EPOLLRDNORM | EPOLLERR;
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
	/* no .llseek: lseek() fails with ESPIPE */
};
