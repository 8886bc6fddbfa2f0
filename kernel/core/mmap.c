// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: mapping queue regions into the owner's address space.
 *
 * The page offset of mmap() selects the region (enum uacce_qfrt), the
 * length must be exactly the region's page-rounded size, the mapping must
 * be MAP_SHARED and each region can be mapped once per queue. Mappings are
 * not inherited by fork(), cannot be moved, grown or partially unmapped.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include "internal.h"

/*
 * Remove every user mapping of @q. Afterwards any access to the old VMAs
 * raises SIGBUS (accelkit_vm_fault). Called with q->mutex held.
 */
void accelkit_queue_zap(struct accelkit_queue *q)
{
	lockdep_assert_held(&q->mutex);
	if (q->inode)	/* kernel queues are never mapped */
		unmap_mapping_range(q->inode->i_mapping, 0, 0, 1);
}

/*
 * VMAs of a region are counted rather than flagged: a refused mremap()
 * briefly duplicates the VMA (open on the copy, then close on it).
 */
static void accelkit_vm_open(struct vm_area_struct *vma)
{
	struct accelkit_qregion *region = vma->vm_private_data;

	mutex_lock(&region->q->mutex);
	region->nr_vmas++;
	mutex_unlock(&region->q->mutex);
}

static void accelkit_vm_close(struct vm_area_struct *vma)
{
	struct accelkit_qregion *region = vma->vm_private_data;

	mutex_lock(&region->q->mutex);
	WRITE_ONCE(region->nr_vmas, region->nr_vmas - 1);
	mutex_unlock(&region->q->mutex);
	wake_up_all(&region->q->unmap_wait);
}

static int accelkit_vm_mremap(struct vm_area_struct *vma)
{
	return -EPERM;
}

static int accelkit_vm_may_split(struct vm_area_struct *vma,
				 unsigned long addr)
{
	return -EINVAL;
}

/* Only reached after the mapping was zapped (PUT_Q or device removal). */
static vm_fault_t accelkit_vm_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct accelkit_vm_ops = {
	.open		= accelkit_vm_open,
	.close		= accelkit_vm_close,
	.mremap		= accelkit_vm_mremap,
	.may_split	= accelkit_vm_may_split,
	.fault		= accelkit_vm_fault,
};

/*
 * Called with the caller's mmap_lock held for writing: the owner's, or
 * that of another address space holding the file of a shared queue. The
 * rings and doorbells are the same for everybody; jobs still translate in
 * the owner's address space.
 */
int accelkit_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct accelkit_queue *q = filp->private_data;
	struct accelkit_device *adev = q->adev;
	struct accelkit_qregion *region;
	unsigned long size = vma->vm_end - vma->vm_start;
	unsigned int type;
	int ret;

	if (!accelkit_may_use(q))
		return -EPERM;
	if (vma->vm_pgoff >= ACCELKIT_NR_REGIONS)
		return -EINVAL;
	type = vma->vm_pgoff;
	region = &q->region[type];
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mutex_lock(&q->mutex);
	if (q->state == ACCELKIT_Q_ZOMBIE) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (q->state == ACCELKIT_Q_DEFUNCT) {
		ret = -ESRCH;
		goto out_unlock;
	}
	if (q->state == ACCELKIT_Q_FAILED) {
		ret = -EIO;
		goto out_unlock;
	}
	if (!accelkit_q_usable(q) || !adev->ops->mmap ||
	    !adev->region_size[type] || size != adev->region_size[type]) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (region->nr_vmas) {
		ret = -EEXIST;
		goto out_unlock;
	}

	/*
	 * Set here, whatever the driver's mmap does: VM_IO makes
	 * madvise(MADV_DOFORK) fail, so VM_DONTCOPY sticks, and keeps
	 * get_user_pages() and the fault path away from the queue's pages.
	 */
	accelkit_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_WIPEONFORK |
			      VM_DONTDUMP | VM_IO);
	/* The driver maps from the start of its region. */
	vma->vm_pgoff = 0;
	ret = adev->ops->mmap(q, vma, type);
	if (ret)
		goto out_unlock;

	/* Keep the region number visible in /proc/<pid>/maps. */
	vma->vm_pgoff = type;
	vma->vm_ops = &accelkit_vm_ops;
	vma->vm_private_data = region;
	region->nr_vmas = 1;

	/* Shutdown waits for this mm's mmap_lock before it zaps. */
	if (region->mapper != vma->vm_mm) {
		if (region->mapper)
			mmdrop(region->mapper);
		region->mapper = vma->vm_mm;
		mmgrab(region->mapper);
	}

out_unlock:
	mutex_unlock(&q->mutex);
	return ret;
}
