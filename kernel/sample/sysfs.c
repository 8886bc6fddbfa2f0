// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: sysfs attributes of the PCI device
 * (/sys/bus/pci/devices/<bdf>/). The framework's class device has its own
 * (docs/architecture.md); these are the sample hardware's.
 *
 *   broken        0/1: a wait for the device timed out, it is out of use
 *   timeouts      waits for the device that timed out
 *   lost_irqs, queue_resets, device_resets
 *                 recovery (recover.c): completions whose interrupt never
 *                 came, queues failed by the watchdog, device resets
 *   debug_inject  root, write only: the DEBUG_INJECT register (tests)
 *   iotlb_hits, iotlb_misses, page_walks, page_requests, pages_requested,
 *   steps, iotlb_drops
 *                 the device's 64-bit counters (device 2.1 and later),
 *                 decimal, cleared only by a device reset
 *   workers       the device's worker engines (device 2.1 and later)
 *   dma_jobs      jobs completed on DMA-mode (kernel-owned) queues, 64-bit
 *                 (device 2.5 and later, CAPS bit 21)
 *   kq_jobs, kq_fallbacks, kq_errors, kq_backlogged
 *                 the crypto API side (kq.c), decimal, since probe: device
 *                 jobs completed for crypto requests; requests done in
 *                 software instead (the twin, inflate, lib sha256);
 *                 requests that ended in a device error, an aborted or
 *                 failed queue or removal; requests that went to a backlog
 *   kq_ids        hardware queue indices the crypto pool holds, space
 *                 separated (an empty line when none)
 *                 (all five with CAPS bit 21; 0 and empty on a kernel
 *                 without the crypto API)
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "kq.h"
#include "sample.h"

/* Whether the device stopped answering. */
static ssize_t broken_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct aks_dev *sdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", sdev ? aks_broken(sdev) : 0);
}
static DEVICE_ATTR_RO(broken);

/* How many waits for the device timed out (invalidation, stop, reset). */
static ssize_t timeouts_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct aks_dev *sdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", sdev ? atomic_read(&sdev->timeouts) : 0);
}
static DEVICE_ATTR_RO(timeouts);

static ssize_t aks_counter_show(struct device *dev, char *buf,
				size_t offset)
{
	struct aks_dev *sdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n",
			  sdev ? atomic_read((atomic_t *)((char *)sdev + offset)) : 0);
}

static ssize_t lost_irqs_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return aks_counter_show(dev, buf, offsetof(struct aks_dev, lost_irqs));
}
static DEVICE_ATTR_RO(lost_irqs);

static ssize_t queue_resets_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return aks_counter_show(dev, buf,
				offsetof(struct aks_dev, queue_resets));
}
static DEVICE_ATTR_RO(queue_resets);

static ssize_t device_resets_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return aks_counter_show(dev, buf,
				offsetof(struct aks_dev, device_resets));
}
static DEVICE_ATTR_RO(device_resets);

/*
 * Root only (0200): the device's DEBUG_INJECT register, to test the
 * timeout path (sysfs resource0 cannot be mapped while we own BAR0 on
 * kernels with CONFIG_IO_STRICT_DEVMEM). A reset clears it.
 */
static ssize_t debug_inject_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct aks_dev *sdev = dev_get_drvdata(dev);
	u32 val;
	int ret;

	ret = kstrtou32(buf, 0, &val);
	if (ret)
		return ret;
	if (!sdev)
		return -ENODEV;
	aks_write(sdev, AKS_REG_DEBUG_INJECT, val);
	return count;
}
static DEVICE_ATTR_WO(debug_inject);

/* A device counter: the offset of its LO half. */
struct aks_stat_attr {
	struct device_attribute attr;
	u32 reg;
};

/*
 * Reading LO latches the whole value, which HI then returns: the pair is
 * read under stat_lock so that two readers do not mix their halves. A
 * device that is gone reads all ones in both halves, which no counter
 * reaches: reported as -ENODEV, never as a number.
 */
static ssize_t aks_stat_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct aks_stat_attr *sa = container_of(attr, struct aks_stat_attr,
						attr);
	struct aks_dev *sdev = dev_get_drvdata(dev);
	u32 lo, hi;

	if (!sdev)
		return -ENODEV;
	spin_lock(&sdev->stat_lock);
	lo = aks_read(sdev, sa->reg);
	hi = aks_read(sdev, AKS_STAT_HI(sa->reg));
	spin_unlock(&sdev->stat_lock);
	if (lo == U32_MAX && hi == U32_MAX)
		return -ENODEV;
	return sysfs_emit(buf, "%llu\n", ((u64)hi << 32) | lo);
}

#define AKS_STAT_ATTR(_name, _reg)					\
	static struct aks_stat_attr aks_stat_##_name = {		\
		.attr = __ATTR(_name, 0444, aks_stat_show, NULL),	\
		.reg = _reg,						\
	}

AKS_STAT_ATTR(iotlb_hits, AKS_REG_STAT_IOTLB_HITS_LO);
AKS_STAT_ATTR(iotlb_misses, AKS_REG_STAT_IOTLB_MISSES_LO);
AKS_STAT_ATTR(page_walks, AKS_REG_STAT_WALKS_LO);
AKS_STAT_ATTR(page_requests, AKS_REG_STAT_PAGE_REQUESTS_LO);
AKS_STAT_ATTR(pages_requested, AKS_REG_STAT_PAGES_REQUESTED_LO);
AKS_STAT_ATTR(steps, AKS_REG_STAT_STEPS_LO);
AKS_STAT_ATTR(iotlb_drops, AKS_REG_STAT_IOTLB_DROPS_LO);
AKS_STAT_ATTR(dma_jobs, AKS_REG_STAT_DMA_JOBS_LO);

/* Device worker engines, 1..16; all ones: the device is gone. */
static ssize_t workers_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct aks_dev *sdev = dev_get_drvdata(dev);
	u32 val;

	if (!sdev)
		return -ENODEV;
	val = aks_read(sdev, AKS_REG_WORKERS);
	if (val == U32_MAX)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", val);
}
static DEVICE_ATTR_RO(workers);

#define AKS_KQ_ATTR(_name, _what)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct aks_dev *sdev = dev_get_drvdata(dev);			\
									\
	if (!sdev)							\
		return -ENODEV;						\
	return aks_kq_sysfs_show(sdev, _what, buf);			\
}									\
static DEVICE_ATTR_RO(_name)

AKS_KQ_ATTR(kq_jobs, AKS_KQS_JOBS);
AKS_KQ_ATTR(kq_fallbacks, AKS_KQS_FALLBACKS);
AKS_KQ_ATTR(kq_errors, AKS_KQS_ERRORS);
AKS_KQ_ATTR(kq_backlogged, AKS_KQS_BACKLOGGED);
AKS_KQ_ATTR(kq_ids, AKS_KQS_IDS);

static struct attribute *aks_dev_attrs[] = {
	&dev_attr_broken.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_lost_irqs.attr,
	&dev_attr_queue_resets.attr,
	&dev_attr_device_resets.attr,
	&dev_attr_debug_inject.attr,
	&aks_stat_iotlb_hits.attr.attr,
	&aks_stat_iotlb_misses.attr.attr,
	&aks_stat_page_walks.attr.attr,
	&aks_stat_page_requests.attr.attr,
	&aks_stat_pages_requested.attr.attr,
	&aks_stat_steps.attr.attr,
	&aks_stat_iotlb_drops.attr.attr,
	&aks_stat_dma_jobs.attr.attr,
	&dev_attr_kq_jobs.attr,
	&dev_attr_kq_fallbacks.attr,
	&dev_attr_kq_errors.attr,
	&dev_attr_kq_backlogged.attr,
	&dev_attr_kq_ids.attr,
	&dev_attr_workers.attr,
	NULL
};

/*
 * The driver core adds these after a successful probe, so drvdata is set.
 * Counters and workers exist from device version 2.1 on, dma_jobs with
 * DMA-mode queues (2.5).
 */
static umode_t aks_dev_attr_visible(struct kobject *kobj,
				    struct attribute *attr, int n)
{
	struct aks_dev *sdev = dev_get_drvdata(kobj_to_dev(kobj));

	if (attr == &dev_attr_broken.attr || attr == &dev_attr_timeouts.attr ||
	    attr == &dev_attr_debug_inject.attr ||
	    attr == &dev_attr_lost_irqs.attr ||
	    attr == &dev_attr_queue_resets.attr ||
	    attr == &dev_attr_device_resets.attr)
		return attr->mode;
	if (attr == &aks_stat_dma_jobs.attr.attr ||
	    attr == &dev_attr_kq_jobs.attr ||
	    attr == &dev_attr_kq_fallbacks.attr ||
	    attr == &dev_attr_kq_errors.attr ||
	    attr == &dev_attr_kq_backlogged.attr ||
	    attr == &dev_attr_kq_ids.attr)
		return sdev && (sdev->caps & AKS_CAPS_DMA_QUEUES) ?
		       attr->mode : 0;
	return sdev && sdev->version >= AKS_VERSION_2_1 ? attr->mode : 0;
}

static const struct attribute_group aks_dev_group = {
	.attrs		= aks_dev_attrs,
	.is_visible	= aks_dev_attr_visible,
};

const struct attribute_group *aks_dev_groups[] = {
	&aks_dev_group,
	NULL
};
