// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: module setup, the "uacce" class, character devices and the
 * register/remove entry points of the vendor API.
 */
#include <linux/cc_platform.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

#define ACCELKIT_FS_MAGIC	0x54494b41	/* "AKIT" */

static struct class *accelkit_class;
static dev_t accelkit_devt;
static DEFINE_IDA(accelkit_minor_ida);
static struct vfsmount *accelkit_mnt;

struct workqueue_struct *accelkit_wq;

static int accelkit_max_queues_per_user = -1;
module_param_named(max_queues_per_user, accelkit_max_queues_per_user, int,
		   0444);
MODULE_PARM_DESC(max_queues_per_user,
		 "initial per-device limit of queues per user (0: none; -1, the default: half the device's hardware queues, rounded up); sysfs max_queues_per_user changes it per device");

/*
 * Each queue file gets an inode of this pseudo filesystem so that its user
 * mappings live in an address_space of their own: PUT_Q and device removal
 * can then zap exactly that queue's mappings.
 */
static int accelkit_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, ACCELKIT_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: the mount lives exactly as long as the module, and a module
 * reference taken by kern_mount() would keep it from ever unloading.
 */
static struct file_system_type accelkit_fs_type = {
	.name		= "accelkit",
	.init_fs_context = accelkit_fs_init_fs_context,
	.kill_sb	= kill_anon_super,
};

struct inode *accelkit_new_inode(void)
{
	return alloc_anon_inode(accelkit_mnt->mnt_sb);
}

static void accelkit_dev_release(struct device *dev)
{
	struct accelkit_device *adev = to_accelkit_device(dev);

	/* Only now can the minor (and the name) be reused. */
	ida_free(&accelkit_minor_ida, adev->id);
	ida_destroy(&adev->pasid_ida);
	kfree_const(adev->api);
	kfree_const(adev->algs);
	kfree(adev);
}

static int accelkit_check_interface(const struct accelkit_interface *intf)
{
	const struct accelkit_ops *ops = intf->ops;

	if (!intf->name || !ops || !ops->get_queue)
		return -EINVAL;
	if (intf->bind == ACCELKIT_BIND_SELF &&
	    (!ops->pasid_bind || !ops->pasid_block || !ops->pasid_unbind ||
	     !ops->invalidate || intf->max_pasid < 2))
		return -EINVAL;
	if (intf->bind > ACCELKIT_BIND_SELF)
		return -EINVAL;
	return 0;
}

/**
 * accelkit_alloc() - allocate an accelerator device
 * @parent: the vendor's device (usually &pdev->dev)
 * @intf: description; strings are copied, @intf->ops must stay valid
 *
 * Return: the new device or an ERR_PTR(). Undo with accelkit_remove().
 */
struct accelkit_device *accelkit_alloc(struct device *parent,
				       const struct accelkit_interface *intf)
{
	struct accelkit_device *adev;
	int ret;

	ret = accelkit_check_interface(intf);
	if (ret)
		return ERR_PTR(ret);

	adev = kzalloc(sizeof(*adev), GFP_KERNEL);
	if (!adev)
		return ERR_PTR(-ENOMEM);

	adev->id = ida_alloc_max(&accelkit_minor_ida, ACCELKIT_MAX_DEVICES - 1,
				 GFP_KERNEL);
	if (adev->id < 0) {
		ret = adev->id;
		kfree(adev);
		return ERR_PTR(ret);
	}

	adev->parent = parent;
	adev->ops = intf->ops;
	adev->flags = intf->flags;
	adev->bind = intf->bind;
	adev->priv = intf->priv;
	adev->region_size[UACCE_QFRT_MMIO] = PAGE_ALIGN(intf->mmio_size);
	adev->region_size[UACCE_QFRT_DUS] = PAGE_ALIGN(intf->dus_size);
	adev->max_pasid = min_t(u32, intf->max_pasid, ACCELKIT_MAX_PASID);
	adev->nr_queues = intf->nr_queues;
	ida_init(&adev->pasid_ida);
	INIT_WORK(&adev->defunct_work, accelkit_defunct_work);
	mutex_init(&adev->mutex);
	INIT_LIST_HEAD(&adev->queues);
	INIT_LIST_HEAD(&adev->bonds);
	INIT_LIST_HEAD(&adev->users);
	accelkit_isolate_init(adev);
	ret = accelkit_kq_init(adev, intf);
	if (ret) {
		ida_free(&accelkit_minor_ida, adev->id);
		kfree(adev);
		return ERR_PTR(ret);
	}

	/* From here on, put_device() frees everything. */
	device_initialize(&adev->dev);
	adev->dev.devt = MKDEV(MAJOR(accelkit_devt), adev->id);
	adev->dev.class = accelkit_class;
	adev->dev.groups = accelkit_dev_groups;
	adev->dev.parent = parent;
	adev->dev.release = accelkit_dev_release;

	adev->api = kstrdup_const(intf->api ? intf->api : "", GFP_KERNEL);
	adev->algs = kstrdup_const(intf->algs ? intf->algs : "", GFP_KERNEL);
	if (!adev->api || !adev->algs) {
		ret = -ENOMEM;
		goto err_put;
	}

	ret = dev_set_name(&adev->dev, "%s-%d", intf->name, adev->id);
	if (ret)
		goto err_put;

	cdev_init(&adev->cdev, &accelkit_fops);
	adev->cdev.owner = THIS_MODULE;
	return adev;

err_put:
	put_device(&adev->dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(accelkit_alloc);

/*
 * A self-translating device reads the CPU page tables and uses the
 * physical addresses it finds as they are. That is only right on x86-64
 * (the walker's format) and without memory encryption: with SME/SEV the
 * entries carry the encryption bit, a TDX guest's memory is private.
 */
static bool accelkit_self_translation_ok(void)
{
	if (!IS_ENABLED(CONFIG_X86_64))
		return false;
	return !cc_platform_has(CC_ATTR_MEM_ENCRYPT) &&
	       !cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT) &&
	       !cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT);
}

/**
 * accelkit_register() - create the device node and sysfs entries
 * @adev: from accelkit_alloc()
 *
 * Return: 0 or a negative errno. On failure, still call accelkit_remove().
 */
int accelkit_register(struct accelkit_device *adev)
{
	int ret, nr;

	if (IS_ERR_OR_NULL(adev))
		return -EINVAL;

	if (adev->bind == ACCELKIT_BIND_SELF && !accelkit_self_translation_ok()) {
		dev_err(adev->parent,
			"accelkit: a device walking CPU page tables needs x86-64 without memory encryption (SME/SEV/TDX): the page tables it would read hold encrypted or private addresses\n");
		return -EOPNOTSUPP;
	}

	/*
	 * Default per-user limit: half of what user space may open, rounded
	 * up. The reservation is read once: a later kernel_queues write does
	 * not move the limit.
	 */
	nr = adev->nr_queues - adev->kq_reserved;
	if (!nr && adev->ops->get_available_instances)
		nr = max(adev->ops->get_available_instances(adev), 0);
	if (accelkit_max_queues_per_user >= 0)
		adev->max_queues_per_user = accelkit_max_queues_per_user;
	else
		adev->max_queues_per_user = DIV_ROUND_UP(nr, 2);

	if (adev->bind == ACCELKIT_BIND_IOMMU_SVA) {
		ret = accelkit_sva_enable(adev);
		if (ret)
			return ret;
	}

	ret = cdev_device_add(&adev->cdev, &adev->dev);
	if (ret) {
		accelkit_sva_disable(adev);
		return ret;
	}

	mutex_lock(&adev->mutex);
	adev->state |= ACCELKIT_DEV_REGISTERED;
	mutex_unlock(&adev->mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(accelkit_register);

/*
 * A queue on @list (adev->queues or adev->kqueues) not yet taken away by
 * removal, with a reference; or NULL when every queue is a ZOMBIE. No
 * queue is added once the device is marked removed.
 */
static struct accelkit_queue *accelkit_next_live(struct accelkit_device *adev,
						 struct list_head *list)
{
	struct accelkit_queue *q;

	mutex_lock(&adev->mutex);
	list_for_each_entry(q, list, node) {
		if (q->state != ACCELKIT_Q_ZOMBIE) {
			accelkit_queue_get(q);
			mutex_unlock(&adev->mutex);
			return q;
		}
	}
	mutex_unlock(&adev->mutex);
	return NULL;
}

/**
 * accelkit_remove() - take the accelerator away
 * @adev: from accelkit_alloc(); may be registered or not
 *
 * Call it first in the vendor's remove path, while the hardware is still
 * usable. Queues still open are stopped and released, their PASIDs unbound
 * and their user mappings zapped; their files stay valid but every later
 * operation fails. When this returns no op of @adev will ever be called
 * again, and the vendor may free what the ops use.
 *
 * Each queue is shut down under its own q->ctl, so removal waits for an
 * ioctl or shutdown in progress on that queue (and for an mmap() in
 * progress in an address space that mapped it), never for page requests
 * being resolved. Kernel queues still claimed are revoked: stopped, their
 * claimer's revoke callback called, then given back; the claimer's
 * accelkit_kqueue_release() later only frees them.
 */
void accelkit_remove(struct accelkit_device *adev)
{
	struct accelkit_queue *q;

	if (IS_ERR_OR_NULL(adev))
		return;

	/*
	 * Remove the node and sysfs first, without adev->mutex: device_del()
	 * waits for running sysfs callbacks, which call ops.
	 */
	if (adev->state & ACCELKIT_DEV_REGISTERED)
		cdev_device_del(&adev->cdev, &adev->dev);

	mutex_lock(&adev->mutex);
	adev->state |= ACCELKIT_DEV_REMOVED;
	mutex_unlock(&adev->mutex);

	while ((q = accelkit_next_live(adev, &adev->queues)) ||
	       (q = accelkit_next_live(adev, &adev->kqueues))) {
		mutex_lock(&q->ctl);
		accelkit_queue_shutdown(q, ACCELKIT_Q_ZOMBIE);
		mutex_unlock(&q->ctl);
		accelkit_queue_put(q);
	}

	mutex_lock(&adev->mutex);
	accelkit_bonds_remove(adev);
	accelkit_sva_disable(adev);
	adev->ops = NULL;
	mutex_unlock(&adev->mutex);

	put_device(&adev->dev);
}
EXPORT_SYMBOL_GPL(accelkit_remove);

/**
 * accelkit_queue_wake() - wake poll()ers of a queue
 * @q: the queue; the caller guarantees put_queue has not returned for it
 *
 * Callable from hard interrupt context.
 */
void accelkit_queue_wake(struct accelkit_queue *q)
{
	wake_up_interruptible(&q->wait);
}
EXPORT_SYMBOL_GPL(accelkit_queue_wake);

void *accelkit_priv(struct accelkit_device *adev)
{
	return adev->priv;
}
EXPORT_SYMBOL_GPL(accelkit_priv);

struct device *accelkit_parent(struct accelkit_device *adev)
{
	return adev->parent;
}
EXPORT_SYMBOL_GPL(accelkit_parent);

struct device *accelkit_class_dev(struct accelkit_device *adev)
{
	return &adev->dev;
}
EXPORT_SYMBOL_GPL(accelkit_class_dev);

struct accelkit_device *accelkit_queue_device(struct accelkit_queue *q)
{
	return q->adev;
}
EXPORT_SYMBOL_GPL(accelkit_queue_device);

void *accelkit_queue_priv(struct accelkit_queue *q)
{
	return q->priv;
}
EXPORT_SYMBOL_GPL(accelkit_queue_priv);

void accelkit_queue_set_priv(struct accelkit_queue *q, void *priv)
{
	q->priv = priv;
}
EXPORT_SYMBOL_GPL(accelkit_queue_set_priv);

/* 0 for a kernel queue: it has no PASID, its jobs carry DMA addresses. */
u32 accelkit_queue_pasid(struct accelkit_queue *q)
{
	return q->pasid;
}
EXPORT_SYMBOL_GPL(accelkit_queue_pasid);

static int __init accelkit_init(void)
{
	int ret;

	accelkit_class = accelkit_class_create(ACCELKIT_CLASS_NAME);
	if (IS_ERR(accelkit_class)) {
		ret = PTR_ERR(accelkit_class);
		pr_err("accelkit: cannot create class \"%s\" (%d); is the kernel's own uacce driver (CONFIG_UACCE) loaded? accelkit replaces it and cannot run next to it\n",
		       ACCELKIT_CLASS_NAME, ret);
		return ret;
	}

	ret = alloc_chrdev_region(&accelkit_devt, 0, ACCELKIT_MAX_DEVICES,
				  "accelkit");
	if (ret)
		goto err_class;

	accelkit_mnt = kern_mount(&accelkit_fs_type);
	if (IS_ERR(accelkit_mnt)) {
		ret = PTR_ERR(accelkit_mnt);
		goto err_chrdev;
	}

	/* Page requests may sleep on user-controlled I/O: keep many. */
	accelkit_wq = alloc_workqueue("accelkit", WQ_UNBOUND, 0);
	if (!accelkit_wq) {
		ret = -ENOMEM;
		goto err_mnt;
	}
	return 0;

err_mnt:
	kern_unmount(accelkit_mnt);
err_chrdev:
	unregister_chrdev_region(accelkit_devt, ACCELKIT_MAX_DEVICES);
err_class:
	class_destroy(accelkit_class);
	return ret;
}

static void __exit accelkit_exit(void)
{
	/* Flushes work items still holding queues and devices. */
	destroy_workqueue(accelkit_wq);
	kern_unmount(accelkit_mnt);
	unregister_chrdev_region(accelkit_devt, ACCELKIT_MAX_DEVICES);
	class_destroy(accelkit_class);
	ida_destroy(&accelkit_minor_ida);
}

module_init(accelkit_init);
module_exit(accelkit_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("accelkit: user-space accelerator queues with shared virtual addressing (uacce ABI)");
