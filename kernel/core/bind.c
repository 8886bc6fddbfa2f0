// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: binding a queue's owner address space to a PASID.
 *
 * ACCELKIT_BIND_IOMMU_SVA: the IOMMU driver does the work
 * (iommu_sva_bind_device() per queue).
 *
 * ACCELKIT_BIND_SELF: the device walks the CPU page tables itself. The
 * framework keeps one bond per (device, mm), shared by all queues that mm
 * opened on the device: a PASID from a global IDA, an mmgrab() reference
 * (never mmget(): a mapping of the queue file would then pin the mm that
 * holds it, and neither would ever go away) and an mmu_notifier that
 * forwards page table invalidations and the final teardown of the address
 * space to the driver.
 */
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "internal.h"

/* PASIDs handed out to self-translating devices; freed from any context. */
static DEFINE_IDA(accelkit_pasid_ida);

/*
 * The address space is being torn down (exit or exec): the page tables
 * are about to be freed. Stop the device from walking them. Runs inside
 * exit_mmap() or mmu_notifier_unregister(): no sleeping, no locks.
 */
static void accelkit_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct accelkit_bond *bond = container_of(mn, struct accelkit_bond, mn);

	bond->adev->ops->pasid_block(bond->adev, bond->pasid);
}

/*
 * Called after PTEs were changed and before the old pages or page-table
 * pages are freed. Atomic context.
 */
static void accelkit_mn_invalidate_range(struct mmu_notifier *mn,
					 struct mm_struct *mm,
					 unsigned long start,
					 unsigned long end)
{
	struct accelkit_bond *bond = container_of(mn, struct accelkit_bond, mn);
	const struct accelkit_ops *ops = bond->adev->ops;

	if (ops->invalidate)
		ops->invalidate(bond->adev, bond->pasid, start, end);
}

static const struct mmu_notifier_ops accelkit_mn_ops = {
	.release		= accelkit_mn_release,
	.invalidate_range	= accelkit_mn_invalidate_range,
};

static struct accelkit_bond *accelkit_bond_get(struct accelkit_device *adev,
					       struct mm_struct *mm)
{
	struct accelkit_bond *bond;
	int ret;

	list_for_each_entry(bond, &adev->bonds, node) {
		if (bond->mm == mm) {
			bond->users++;
			return bond;
		}
	}

	bond = kzalloc(sizeof(*bond), GFP_KERNEL);
	if (!bond)
		return ERR_PTR(-ENOMEM);

	ret = ida_alloc_range(&accelkit_pasid_ida, 1, adev->max_pasid - 1,
			      GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	bond->pasid = ret;
	bond->adev = adev;
	bond->mm = mm;
	bond->users = 1;
	mmgrab(mm);

	/* Program the device before the notifier can call pasid_block. */
	ret = adev->ops->pasid_bind(adev, bond->pasid, mm);
	if (ret)
		goto err_pasid;

	bond->mn.ops = &accelkit_mn_ops;
	ret = mmu_notifier_register(&bond->mn, mm);	/* takes mmap_lock */
	if (ret) {
		adev->ops->pasid_unbind(adev, bond->pasid);
		goto err_pasid;
	}

	list_add(&bond->node, &adev->bonds);
	return bond;

err_pasid:
	mmdrop(mm);
	ida_free(&accelkit_pasid_ida, bond->pasid);
err_free:
	kfree(bond);
	return ERR_PTR(ret);
}

static void accelkit_bond_put(struct accelkit_bond *bond)
{
	struct accelkit_device *adev = bond->adev;

	lockdep_assert_held(&adev->mutex);
	if (--bond->users)
		return;

	list_del(&bond->node);
	/*
	 * Calls .release (pasid_block) unless exit_mmap() already did, then
	 * waits until no callback is running: after this the notifier is
	 * quiet and the bond can go.
	 */
	mmu_notifier_unregister(&bond->mn, bond->mm);
	adev->ops->pasid_unbind(adev, bond->pasid);
	ida_free(&accelkit_pasid_ida, bond->pasid);
	mmdrop(bond->mm);
	kfree(bond);
}

static int accelkit_bind_sva(struct accelkit_queue *q)
{
	struct iommu_sva *sva;
	u32 pasid;

	sva = iommu_sva_bind_device(q->adev->parent, q->mm, NULL);
	if (IS_ERR(sva))
		return PTR_ERR(sva);

	pasid = iommu_sva_get_pasid(sva);
	if (pasid == IOMMU_PASID_INVALID) {
		iommu_sva_unbind_device(sva);
		return -ENODEV;
	}
	q->sva = sva;
	q->pasid = pasid;
	return 0;
}

/*
 * Bind the opener's address space (q->mm == current->mm). Called with
 * adev->mutex held; takes mmap_lock.
 */
int accelkit_bind(struct accelkit_queue *q)
{
	struct accelkit_device *adev = q->adev;
	struct accelkit_bond *bond;

	lockdep_assert_held(&adev->mutex);

	switch (adev->bind) {
	case ACCELKIT_BIND_IOMMU_SVA:
		return accelkit_bind_sva(q);
	case ACCELKIT_BIND_SELF:
		bond = accelkit_bond_get(adev, q->mm);
		if (IS_ERR(bond))
			return PTR_ERR(bond);
		q->bond = bond;
		q->pasid = bond->pasid;
		return 0;
	default:
		q->pasid = 0;
		return 0;
	}
}

/*
 * Drop the queue's PASID binding. The hardware queue must be stopped.
 * Called with adev->mutex held, without mmap_lock or q->mutex, from any
 * task (the file may be closed by another process, or from a workqueue).
 */
void accelkit_unbind(struct accelkit_queue *q)
{
	lockdep_assert_held(&q->adev->mutex);

	if (q->sva) {
		iommu_sva_unbind_device(q->sva);
		q->sva = NULL;
	}
	if (q->bond) {
		accelkit_bond_put(q->bond);
		q->bond = NULL;
	}
}

int accelkit_sva_enable(struct accelkit_device *adev)
{
	int ret;

	/* Not every SVA-capable IOMMU needs (or has) I/O page faults. */
	if (!iommu_dev_enable_feature(adev->parent, IOMMU_DEV_FEAT_IOPF))
		adev->state |= ACCELKIT_DEV_IOPF_ON;

	ret = iommu_dev_enable_feature(adev->parent, IOMMU_DEV_FEAT_SVA);
	if (ret) {
		dev_err(adev->parent, "accelkit: cannot enable SVA: %d\n", ret);
		accelkit_sva_disable(adev);
		return ret;
	}
	adev->state |= ACCELKIT_DEV_SVA_ON;
	return 0;
}

void accelkit_sva_disable(struct accelkit_device *adev)
{
	if (adev->state & ACCELKIT_DEV_SVA_ON)
		iommu_dev_disable_feature(adev->parent, IOMMU_DEV_FEAT_SVA);
	if (adev->state & ACCELKIT_DEV_IOPF_ON)
		iommu_dev_disable_feature(adev->parent, IOMMU_DEV_FEAT_IOPF);
	adev->state &= ~(ACCELKIT_DEV_SVA_ON | ACCELKIT_DEV_IOPF_ON);
}

/**
 * accelkit_mm_pgtable_root() - physical address of an mm's top page table
 * @mm: the address space (a bond keeps it, and so its pgd, alive)
 *
 * What a self-translating device puts in its PASID table. The device must
 * see physical addresses (see accelkit_dma_is_phys()).
 */
phys_addr_t accelkit_mm_pgtable_root(struct mm_struct *mm)
{
	return virt_to_phys(mm->pgd);
}
EXPORT_SYMBOL_GPL(accelkit_mm_pgtable_root);

/**
 * accelkit_pgtable_5level() - whether CPU page tables have five levels
 *
 * Return: true when a walker must start at PML5 (x86 LA57).
 */
bool accelkit_pgtable_5level(void)
{
#ifdef CONFIG_X86_64
	return pgtable_l5_enabled();
#else
	return false;
#endif
}
EXPORT_SYMBOL_GPL(accelkit_pgtable_5level);

/**
 * accelkit_dma_is_phys() - whether DMA from @dev reaches physical addresses
 * @dev: the vendor's device
 *
 * A device walking CPU page tables emits physical addresses; that only
 * works when no IOMMU translates its DMA (no domain, or an identity one).
 */
bool accelkit_dma_is_phys(struct device *dev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

	return !dom || dom->type == IOMMU_DOMAIN_IDENTITY;
}
EXPORT_SYMBOL_GPL(accelkit_dma_is_phys);
