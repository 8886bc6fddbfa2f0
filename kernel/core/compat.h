/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelkit: the kernel API differences between the supported series
 * (Debian's 6.1 and 6.12). The only place that compares
 * LINUX_VERSION_CODE: the rest of the tree uses these helpers.
 *
 *   6.2  iommu_sva_bind_device() lost its drvdata argument
 *   6.3  vma->vm_flags is read-only: vm_flags_set()
 *   6.3  crypto_completion_t takes the request's data, no longer the
 *        struct crypto_async_request
 *   6.4  class_create() lost its module argument
 *   6.6  mmu_notifier_ops.invalidate_range became
 *        .arch_invalidate_secondary_tlbs, called from the CPU TLB flush
 *        itself (every flush, including (0, ULONG_MAX) from reclaim
 *        batching), no longer from invalidate_range_end()
 *   6.12 no_llseek is gone (fops simply leave .llseek NULL: the VFS then
 *        fails lseek() with ESPIPE on every series)
 */
#ifndef _ACCELKIT_COMPAT_H
#define _ACCELKIT_COMPAT_H

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/version.h>

/* Built against a kernel older than @major.@minor? */
#define ACCELKIT_KERNEL_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

#if ACCELKIT_KERNEL_BEFORE(6, 2)
#define accelkit_sva_bind(dev, mm)	iommu_sva_bind_device(dev, mm, NULL)
#else
#define accelkit_sva_bind(dev, mm)	iommu_sva_bind_device(dev, mm)
#endif

static inline void accelkit_vm_flags_set(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#if ACCELKIT_KERNEL_BEFORE(6, 3)
	vma->vm_flags |= flags;
#else
	vm_flags_set(vma, flags);
#endif
}

/*
 * A crypto request's completion callback: declare it as
 * void cb(ACCELKIT_CRYPTO_DONE_ARG arg, int err) and get the pointer given
 * to *_request_set_callback() with accelkit_crypto_done_data(arg).
 */
#if ACCELKIT_KERNEL_BEFORE(6, 3)
#define ACCELKIT_CRYPTO_DONE_ARG	struct crypto_async_request *
#define accelkit_crypto_done_data(arg)	((arg)->data)
#else
#define ACCELKIT_CRYPTO_DONE_ARG	void *
#define accelkit_crypto_done_data(arg)	(arg)
#endif

#if ACCELKIT_KERNEL_BEFORE(6, 4)
#define accelkit_class_create(name)	class_create(THIS_MODULE, name)
#else
#define accelkit_class_create(name)	class_create(name)
#endif

/*
 * The mmu_notifier_ops member that tells a secondary TLB (the device's
 * translation cache) to drop [start, end) of an mm.
 */
#if ACCELKIT_KERNEL_BEFORE(6, 6)
#define ACCELKIT_MN_INVALIDATE	invalidate_range
#else
#define ACCELKIT_MN_INVALIDATE	arch_invalidate_secondary_tlbs
#endif

#endif /* _ACCELKIT_COMPAT_H */
