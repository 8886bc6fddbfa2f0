// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: binding a queue's owner address space to a PASID.
 *
 * ACCELKIT_BIND_IOMMU_SVA: the IOMMU driver does the work
 * (iommu_sva_bind_device() per queue).
 *
 * ACCELKIT_BIND_SELF: the device walks the CPU page tables itself. The
 * framework keeps one bond per (device, mm), shared by the queues of that
 * mm on the device that still hold a hardware queue: a PASID from the
 * device's own IDA, an mmgrab() reference (never mmget(): a mapping of the
 * queue file would then pin the mm that holds it, and neither would ever
 * go away) and an mmu_notifier that forwards page table invalidations and
 * the final teardown of the address space to the driver. The bond goes
 * away as soon as its last queue gives its hardware queue back (PUT_Q,
 * owner exit, close, removal): PASIDs are a limited resource and a file
 * kept open (passed to another process, say) must not hold one.
 *
 * Binding an opener is done in three steps so that no device-wide lock is
 * held while the opener's mmap_lock is taken (mmu_notifier_register(),
 * iommu_sva_bind_device()): accelkit_bind_prepare() under adev->mutex
 * reserves the PASID, accelkit_bind_finish() without locks registers the
 * notifier, accelkit_bind_activate() under adev->mutex programs the device.
 */
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "internal.h"

/*
 * The address space is being torn down (exit or exec): the page tables
 * are about to be freed. Stop the device from walking them and let the
 * framework's workqueue shut the bond's queues down. Runs inside
 * exit_mmap(): fast, no sleeping, no locks (the workqueue's own aside).
 * From mmu_notifier_unregister() the state is OFF already: nothing to do.
 */
static void accelkit_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct accelkit_bond *bond = container_of(mn, struct accelkit_bond, mn);
	struct accelkit_device *adev = bond->adev;

	if (cmpxchg(&bond->state, ACCELKIT_BOND_LIVE, ACCELKIT_BOND_DEAD) !=
	    ACCELKIT_BOND_LIVE)
		return;
	adev->ops->pasid_block(adev, bond->pasid);
	/* From now on the device cannot use or cache anything of this mm. */
	smp_store_release(&bond->blocked, true);
	/* A live bond has queues, and each holds a device reference. */
	get_device(&adev->dev);
	if (!queue_work(accelkit_wq, &adev->defunct_work))
		put_device(&adev->dev);
}

/*
 * Called after PTEs were changed and before the old pages or page-table
 * pages are freed. Atomic context (possibly under the page-table lock).
 * Up to 6.5 this is .invalidate_range; from 6.6 on it is
 * .arch_invalidate_secondary_tlbs, called from every CPU TLB flush of
 * the mm, including (0, ULONG_MAX) for each page that reclaim unmaps in
 * a batch: it must stay cheap. Nothing to do unless the device may hold
 * translations of the mm: not while BINDING (no step of the PASID can
 * have run), not once the PASID is blocked (exit_mmap() flushes a lot
 * after release) nor when OFF. Otherwise the driver's op takes any range
 * including the full one (the sample: one descriptor, one MMIO write,
 * no lock; an idle PASID completes at once, a full range is one scan of
 * the device's cache).
 */
static void accelkit_mn_invalidate(struct mmu_notifier *mn,
				   struct mm_struct *mm,
				   unsigned long start, unsigned long end)
{
	struct accelkit_bond *bond = container_of(mn, struct accelkit_bond, mn);
	int state = READ_ONCE(bond->state);

	/* pairs with the smp_store_release() of accelkit_mn_release() */
	if (state == ACCELKIT_BOND_DEAD && smp_load_acquire(&bond->blocked))
		return;
	if (state == ACCELKIT_BOND_LIVE || state == ACCELKIT_BOND_DEAD)
		bond->adev->ops->invalidate(bond->adev, bond->pasid, start,
					    end);
}

static const struct mmu_notifier_ops accelkit_mn_ops = {
	.release		= accelkit_mn_release,
	.ACCELKIT_MN_INVALIDATE	= accelkit_mn_invalidate,
};

/* Under adev->mutex: reuse the mm's bond or reserve a PASID for a new one. */
static int accelkit_bond_prepare(struct accelkit_queue *q)
{
	struct accelkit_device *adev = q->adev;
	struct accelkit_bond *bond;
	int ret;

	list_for_each_entry(bond, &adev->bonds, node) {
		if (bond->mm == q->mm &&
		    (bond->state == ACCELKIT_BOND_BINDING ||
		     bond->state == ACCELKIT_BOND_LIVE)) {
			bond->users++;
			q->bond = bond;
			return 0;
		}
	}

	bond = kzalloc(sizeof(*bond), GFP_KERNEL);
	if (!bond)
		return -ENOMEM;

	ret = ida_alloc_range(&adev->pasid_ida, 1, adev->max_pasid - 1,
			      GFP_KERNEL);
	if (ret < 0) {
		kfree(bond);
		return ret;	/* -ENOSPC: every PASID of the device is bound */
	}
	bond->pasid = ret;
	bond->adev = adev;
	bond->mm = q->mm;
	mmgrab(bond->mm);
	bond->users = 1;
	bond->state = ACCELKIT_BOND_BINDING;
	bond->mn.ops = &accelkit_mn_ops;
	init_completion(&bond->ready);
	q->bond = bond;
	bond->binder = q;
	list_add(&bond->node, &adev->bonds);
	adev->nr_pasids++;
	return 0;
}

/* The binder is done, successfully or not: let the waiters go on. */
static void accelkit_bond_ready(struct accelkit_bond *bond, int err)
{
	if (err) {
		bond->err = err;
		/* never found again: the next opener starts afresh */
		WRITE_ONCE(bond->state, ACCELKIT_BOND_OFF);
	}
	bond->binder = NULL;
	complete_all(&bond->ready);
}

static void accelkit_bond_put(struct accelkit_bond *bond)
{
	struct accelkit_device *adev = bond->adev;

	lockdep_assert_held(&adev->mutex);
	if (--bond->users)
		return;

	list_del(&bond->node);
	/* From now on the callbacks do nothing. */
	xchg(&bond->state, ACCELKIT_BOND_OFF);
	/*
	 * Waits until no callback is running any more. The callbacks take
	 * no lock of ours, and this takes no mmap_lock.
	 */
	if (bond->registered)
		mmu_notifier_unregister(&bond->mn, bond->mm);
	/* Its queues are all put: the device no longer uses the PASID. */
	if (bond->bound)
		adev->ops->pasid_unbind(adev, bond->pasid);
	ida_free(&adev->pasid_ida, bond->pasid);
	adev->nr_pasids--;
	mmdrop(bond->mm);
	kfree(bond);
}

/*
 * Step 1 of open, under adev->mutex. Fails with -ENOSPC when the device
 * has no PASID left.
 */
int accelkit_bind_prepare(struct accelkit_queue *q)
{
	lockdep_assert_held(&q->adev->mutex);

	if (q->adev->bind == ACCELKIT_BIND_SELF)
		return accelkit_bond_prepare(q);
	return 0;
}

/*
 * Step 2 of open, without any lock: the work that takes the opener's own
 * mmap_lock. The opener's mm cannot be released meanwhile (current uses
 * it), so the notifier's release cannot run before step 3.
 */
int accelkit_bind_finish(struct accelkit_queue *q)
{
	struct accelkit_bond *bond = q->bond;
	struct iommu_sva *sva;
	int ret;

	switch (q->adev->bind) {
	case ACCELKIT_BIND_IOMMU_SVA:
		sva = accelkit_sva_bind(q->adev->parent, q->mm);
		if (IS_ERR(sva))
			return PTR_ERR(sva);
		q->sva = sva;	/* q is not visible to anybody yet */
		return 0;
	case ACCELKIT_BIND_SELF:
		if (READ_ONCE(bond->binder) == q) {
			/* takes mmap_lock for writing */
			ret = mmu_notifier_register(&bond->mn, q->mm);
			if (!ret)
				bond->registered = true;
			return ret;
		}
		/* Another open of the same mm is binding it: wait for it. */
		if (wait_for_completion_killable(&bond->ready))
			return -EINTR;
		return READ_ONCE(bond->err);
	default:
		return 0;
	}
}

/*
 * Step 3 of open, under adev->mutex, only when the device is not removed:
 * program the PASID (binder), give the queue its PASID.
 */
int accelkit_bind_activate(struct accelkit_queue *q)
{
	struct accelkit_device *adev = q->adev;
	struct accelkit_bond *bond = q->bond;
	u32 pasid;
	int ret;

	lockdep_assert_held(&adev->mutex);

	switch (adev->bind) {
	case ACCELKIT_BIND_IOMMU_SVA:
		pasid = iommu_sva_get_pasid(q->sva);
		if (pasid == IOMMU_PASID_INVALID)
			return -ENODEV;
		q->pasid = pasid;
		adev->nr_pasids++;
		return 0;
	case ACCELKIT_BIND_SELF:
		if (bond->binder == q) {
			/* Device first: then the notifier may call the ops. */
			ret = adev->ops->pasid_bind(adev, bond->pasid, q->mm);
			if (!ret) {
				bond->bound = true;
				WRITE_ONCE(bond->state, ACCELKIT_BOND_LIVE);
			}
			accelkit_bond_ready(bond, ret);
			if (ret)
				return ret;
		} else if (bond->state != ACCELKIT_BOND_LIVE) {
			return bond->err ? bond->err : -ENODEV;
		}
		q->pasid = bond->pasid;
		return 0;
	default:
		q->pasid = 0;
		return 0;
	}
}

/*
 * Drop the queue's PASID binding (or the binding in progress). The
 * hardware queue must be stopped and given back. Called with adev->mutex
 * held, without mmap_lock or q->mutex, from any task or the workqueue:
 * nothing assumes current is the binder.
 */
void accelkit_unbind(struct accelkit_queue *q)
{
	struct accelkit_device *adev = q->adev;
	struct accelkit_bond *bond = q->bond;

	lockdep_assert_held(&adev->mutex);

	if (q->sva) {
		iommu_sva_unbind_device(q->sva);
		q->sva = NULL;
		if (q->pasid)
			adev->nr_pasids--;
	}
	if (bond) {
		q->bond = NULL;
		if (bond->binder == q)
			accelkit_bond_ready(bond, -ENODEV);
		accelkit_bond_put(bond);
	}
	q->pasid = 0;
}

/*
 * accelkit_remove(), under adev->mutex, after every queue was shut down:
 * what is left are bonds of opens still in progress. Silence their
 * notifiers and unbind their PASIDs now, so that no op is called once
 * removal returns; the opens fail and free the bonds later.
 */
void accelkit_bonds_remove(struct accelkit_device *adev)
{
	struct accelkit_bond *bond;

	lockdep_assert_held(&adev->mutex);

	if (list_empty(&adev->bonds))
		return;
	list_for_each_entry(bond, &adev->bonds, node)
		xchg(&bond->state, ACCELKIT_BOND_OFF);
	mmu_notifier_synchronize();	/* callbacks that saw LIVE are done */
	list_for_each_entry(bond, &adev->bonds, node) {
		if (bond->bound)
			adev->ops->pasid_unbind(adev, bond->pasid);
		bond->bound = false;
	}
}

/*
 * Whether the kernel lets @adev's parent bind an address space at all:
 * a trial bind of the registering task's mm (accelkit_register() runs in
 * the task that probes, insmod/modprobe or a bind through sysfs). Kernels
 * with the CVE-2025-71089 mitigation (Debian 6.1.164+, 6.12.69+) accept
 * the features but refuse every bind on x86 with -EOPNOTSUPP: better to
 * refuse the device than every open(). A probe from a kernel thread (no
 * mm) skips the trial.
 */
static int accelkit_sva_try_bind(struct accelkit_device *adev)
{
	struct iommu_sva *sva;

	if ((current->flags & PF_KTHREAD) || !current->mm)
		return 0;
	sva = accelkit_sva_bind(adev->parent, current->mm);
	if (IS_ERR(sva))
		return PTR_ERR(sva);
	iommu_sva_unbind_device(sva);
	return 0;
}

int accelkit_sva_enable(struct accelkit_device *adev)
{
	const char *what = "enable IOMMU_DEV_FEAT_SVA";
	int ret;

	/* Not every SVA-capable IOMMU needs (or has) I/O page faults. */
	if (!iommu_dev_enable_feature(adev->parent, IOMMU_DEV_FEAT_IOPF))
		adev->state |= ACCELKIT_DEV_IOPF_ON;

	ret = iommu_dev_enable_feature(adev->parent, IOMMU_DEV_FEAT_SVA);
	if (!ret) {
		adev->state |= ACCELKIT_DEV_SVA_ON;
		what = "bind an address space";
		ret = accelkit_sva_try_bind(adev);
	}
	if (ret) {
		/* The one message of a refused IOMMU-SVA registration. */
		dev_err(adev->parent,
			"accelkit: IOMMU SVA refused by the kernel (cannot %s: %pe); needs an IOMMU with PASID and PRI and a kernel that allows SVA, see docs/architecture.md\n",
			what, ERR_PTR(ret));
		accelkit_sva_disable(adev);
		return ret;
	}
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
