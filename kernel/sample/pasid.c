// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: the PASID table.
 *
 * The device walks the CPU page tables itself, starting from the root the
 * driver writes in the PASID table entry. The framework decides when an
 * entry changes (open, exit/exec of the owner, last close); these
 * functions only program the entry and wait until the device has seen it.
 *
 * pasid_block and invalidate are called from mmu_notifier callbacks: they
 * must not sleep, take sleeping locks or print. MMIO and the driver's own
 * innermost spinlock (inv_lock) are fine.
 */
#include "sample.h"

/*
 * Wait until no job is executing; every later job re-reads its PASID
 * entry and the page tables. DRAIN is a posted write: reading a register
 * afterwards makes the CPU wait for it to complete.
 */
void aks_drain(struct aks_dev *sdev)
{
	aks_write(sdev, AKS_REG_DRAIN, 1);
	aks_read(sdev, AKS_REG_DEV_STATUS);
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
	u32 flags = AKS_PASID_STATE_VALID;

	if (!e)
		return -EINVAL;
	if (accelkit_pgtable_5level())
		flags |= AKS_PASID_LA57;

	WRITE_ONCE(e->root, cpu_to_le64(accelkit_mm_pgtable_root(mm)));
	/* The root must be in memory before the device can see VALID. */
	dma_wmb();
	WRITE_ONCE(e->flags, cpu_to_le32(flags));
	/* Entry in memory before the DRAIN write reaches the device. */
	wmb();
	aks_drain(accelkit_priv(adev));
	return 0;
}

void aks_pasid_block(struct accelkit_device *adev, u32 pasid)
{
	struct aks_pasid_entry *e = aks_pasid_entry(adev, pasid);

	if (!e)
		return;
	WRITE_ONCE(e->flags, cpu_to_le32(AKS_PASID_STATE_BLOCKED));
	/* Entry in memory before the DRAIN write reaches the device. */
	wmb();
	aks_drain(accelkit_priv(adev));
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
	/* Entry in memory before the DRAIN write reaches the device. */
	wmb();
	aks_drain(accelkit_priv(adev));
}

/*
 * Page tables of @pasid's address space changed in [@start, @end).
 * INVALIDATE waits only for jobs of that PASID whose buffers intersect the
 * range (a DRAIN would wait for every job of every process). Called from
 * the mmu_notifier, possibly under a page-table lock and concurrently for
 * different address spaces: the INV_* registers form one command, hence
 * the spinlock. The read flushes the posted INV_CMD write: it returns
 * once the device no longer uses an old translation of the range.
 */
void aks_invalidate(struct accelkit_device *adev, u32 pasid,
		    unsigned long start, unsigned long end)
{
	struct aks_dev *sdev = accelkit_priv(adev);

	spin_lock(&sdev->inv_lock);
	aks_write(sdev, AKS_REG_INV_PASID, pasid);
	/* 64-bit registers: LO first, the value takes effect with HI. */
	aks_write(sdev, AKS_REG_INV_START_LO, lower_32_bits(start));
	aks_write(sdev, AKS_REG_INV_START_HI, upper_32_bits(start));
	aks_write(sdev, AKS_REG_INV_END_LO, lower_32_bits(end));
	aks_write(sdev, AKS_REG_INV_END_HI, upper_32_bits(end));
	aks_write(sdev, AKS_REG_INV_CMD, AKS_INV_CMD_INVALIDATE);
	aks_read(sdev, AKS_REG_DEV_STATUS);
	spin_unlock(&sdev->inv_lock);
}
