// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: the PASID table and invalidation.
 *
 * The device walks the CPU page tables itself, starting from the root the
 * driver writes in the PASID table entry. The framework decides when an
 * entry changes (open, exit/exec of the owner, last close); these
 * functions program the entry and make sure the device no longer uses
 * what it saw before.
 *
 * Invalidation (docs/device.md, "Invalidation"): the driver fills a
 * descriptor in the invalidation table, rings INV_SUBMIT with its slot
 * and polls the descriptor's status word until the device writes DONE.
 * The device completes it at the end of the step in progress (at most one
 * PASID-entry read, one walk per buffer and 64 KiB of data), never at the
 * end of a job. Slot n belongs to CPU n and is used with preemption
 * disabled: submitting needs no lock, and invalidations of different
 * address spaces (on different CPUs) never wait for each other. The poll
 * is bounded by AKS_TIMEOUT_US; a device that does not answer in time
 * loses bus mastering at once and is reset (aks_device_fault(),
 * recover.c).
 *
 * pasid_block and invalidate are called from mmu_notifier callbacks,
 * possibly under a page-table lock: they must not sleep, take sleeping
 * locks or print (except the single message of aks_device_fault()).
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/ktime.h>

#include "sample.h"

static size_t aks_inv_table_size(struct aks_dev *sdev)
{
	return PAGE_ALIGN(sdev->inv_slots * sizeof(struct aks_inv_desc));
}

int aks_inv_alloc(struct aks_dev *sdev)
{
	struct device *dev = &sdev->pdev->dev;

	/* One slot per possible CPU: the device has at most 1024. */
	if (nr_cpu_ids > AKS_INV_SLOTS_MAX) {
		dev_err(dev, "%u CPUs, the device has %u invalidation slots\n",
			nr_cpu_ids, AKS_INV_SLOTS_MAX);
		return -ENODEV;
	}
	sdev->inv_slots = nr_cpu_ids;
	/* Page aligned, as the device requires (4 KiB). */
	sdev->inv_table = dma_alloc_coherent(dev, aks_inv_table_size(sdev),
					     &sdev->inv_table_dma, GFP_KERNEL);
	return sdev->inv_table ? 0 : -ENOMEM;
}

void aks_inv_free(struct aks_dev *sdev)
{
	dma_free_coherent(&sdev->pdev->dev, aks_inv_table_size(sdev),
			  sdev->inv_table, sdev->inv_table_dma);
	sdev->inv_table = NULL;
}

/* Program the table (only while the device is disabled). */
void aks_inv_program(struct aks_dev *sdev)
{
	aks_write(sdev, AKS_REG_INV_TABLE_LO, lower_32_bits(sdev->inv_table_dma));
	aks_write(sdev, AKS_REG_INV_TABLE_HI, upper_32_bits(sdev->inv_table_dma));
	aks_write(sdev, AKS_REG_INV_SLOTS, sdev->inv_slots);
}

/**
 * aks_mark_broken() - the device did not come back: stop using it
 * @sdev: the device
 * @what: what timed out, for the one message
 *
 * Bus mastering goes off, so the device can never again access memory
 * (whatever it still holds, the page being freed is safe); new queues are
 * refused with -EIO until the driver is unbound and bound again. Counted
 * as a hardware error (sysfs "isolate"). Callable in atomic context: the
 * config-space write takes only the PCI config spinlock.
 */
void aks_mark_broken(struct aks_dev *sdev, const char *what)
{
	if (test_and_set_bit(AKS_F_BROKEN, &sdev->flags))
		return;
	pci_clear_master(sdev->pdev);
	if (sdev->adev)
		accelkit_report_hw_error(sdev->adev);
	dev_err_ratelimited(&sdev->pdev->dev,
			    "device does not answer (%s): DMA disabled, rebind the driver to recover\n",
			    what);
}

/*
 * Submit one invalidation and wait until the device reports it done.
 * Returns 0, or -ETIMEDOUT after AKS_TIMEOUT_US (the device is then
 * broken, which is as good as done: it can no longer access memory).
 */
static int aks_inv_run(struct aks_dev *sdev, u32 pasid, u32 flags,
		       u64 start, u64 end)
{
	struct aks_inv_desc *d;
	unsigned int slot;
	ktime_t deadline;
	int ret = 0;

	if (aks_dma_off(sdev))
		return 0;	/* bus mastering is off: nothing to wait for */

	slot = get_cpu();	/* our slot until put_cpu() */
	d = &sdev->inv_table[slot];
	d->pasid = cpu_to_le32(pasid);
	d->flags = cpu_to_le32(flags);
	d->start = cpu_to_le64(start);
	d->end = cpu_to_le64(end);
	WRITE_ONCE(d->status, 0);
	/*
	 * The descriptor, and the PASID entry or page tables the caller
	 * changed, are in memory before the device sees the doorbell.
	 */
	wmb();
	aks_write(sdev, AKS_REG_INV_SUBMIT, slot);

	deadline = ktime_add_us(ktime_get(), AKS_TIMEOUT_US);
	while (le32_to_cpu(READ_ONCE(d->status)) != AKS_INV_STATUS_DONE) {
		/* another wait timed out: bus mastering is off, done */
		if (aks_dma_off(sdev))
			break;
		if (ktime_after(ktime_get(), deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
		udelay(1);
	}
	put_cpu();

	if (ret)
		aks_device_fault(sdev, "invalidation");
	return ret;
}

static struct aks_pasid_entry *aks_pasid_entry(struct accelkit_device *adev,
					       u32 pasid)
{
	struct aks_dev *sdev = accelkit_priv(adev);

	/* The framework never exceeds the max_pasid we registered. */
	if (WARN_ON_ONCE(pasid >= AKS_PASID_ENTRIES))
		return NULL;
	return &sdev->pasid_table[pasid];
}

int aks_pasid_bind(struct accelkit_device *adev, u32 pasid,
		   struct mm_struct *mm)
{
	struct aks_pasid_entry *e = aks_pasid_entry(adev, pasid);
	u32 flags = AKS_PASID_STATE_VALID, old;

	if (!e)
		return -EINVAL;
	if (accelkit_pgtable_5level())
		flags |= AKS_PASID_LA57;

	old = le32_to_cpu(READ_ONCE(e->flags)) & AKS_PASID_STATE_MASK;
	WRITE_ONCE(e->root, cpu_to_le64(accelkit_mm_pgtable_root(mm)));
	/* The root must be in memory before the device can see VALID. */
	dma_wmb();
	WRITE_ONCE(e->flags, cpu_to_le32(flags));
	/*
	 * INVALID -> VALID needs no invalidation: no step of this PASID can
	 * be running (the queue is started only after this) and the device
	 * caches VALID entries only. Rebinding an entry that was still in
	 * use would: do it then.
	 */
	if (old != AKS_PASID_STATE_INVALID)
		aks_inv_run(accelkit_priv(adev), pasid, AKS_INV_WHOLE_SPACE,
			    0, 0);
	return 0;
}

/* Blocked: jobs of the PASID complete with PASID_INVALID at their next step. */
void aks_pasid_block(struct accelkit_device *adev, u32 pasid)
{
	struct aks_pasid_entry *e = aks_pasid_entry(adev, pasid);

	if (!e)
		return;
	WRITE_ONCE(e->flags, cpu_to_le32(AKS_PASID_STATE_BLOCKED));
	/* Only this PASID: never waits for other processes' jobs. */
	aks_inv_run(accelkit_priv(adev), pasid, AKS_INV_WHOLE_SPACE, 0, 0);
}

void aks_pasid_unbind(struct accelkit_device *adev, u32 pasid)
{
	struct aks_pasid_entry *e = aks_pasid_entry(adev, pasid);

	if (!e)
		return;
	WRITE_ONCE(e->flags, cpu_to_le32(AKS_PASID_STATE_INVALID));
	/* Invalid before the root goes, so the device never uses root 0. */
	dma_wmb();
	WRITE_ONCE(e->root, 0);
	aks_inv_run(accelkit_priv(adev), pasid, AKS_INV_WHOLE_SPACE, 0, 0);
}

/*
 * Page tables of @pasid's address space changed in [@start, @end). Called
 * from the mmu_notifier, possibly under a page-table lock and
 * concurrently for different address spaces. Returns once the device no
 * longer uses a translation (or page-table page) from before the change:
 * at most one step of this PASID, never the rest of a job.
 */
void aks_invalidate(struct accelkit_device *adev, u32 pasid,
		    unsigned long start, unsigned long end)
{
	aks_inv_run(accelkit_priv(adev), pasid, 0, start, end);
}
