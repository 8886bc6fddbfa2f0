// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: attributes of /sys/class/uacce/<name>-<N>/, with the meanings
 * and formats of upstream uacce (Documentation/ABI/testing/sysfs-driver-uacce).
 *
 * accelkit_remove() deletes the class device before it lets go of the
 * vendor ops, and device_del() waits for running callbacks, so the
 * callbacks below may use adev->ops without further locking.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "internal.h"

static ssize_t api_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%s\n", to_accelkit_device(dev)->api);
}
static DEVICE_ATTR_RO(api);

static ssize_t flags_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", to_accelkit_device(dev)->flags);
}
static DEVICE_ATTR_RO(flags);

/*
 * What open() could get: free hardware queues minus the part of the
 * kernel reservation not claimed yet, never negative (kqueue.c).
 */
static ssize_t available_instances_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);
	int n;

	if (!adev->ops->get_available_instances)
		return -ENODEV;
	mutex_lock(&adev->mutex);
	n = accelkit_user_avail(adev);
	mutex_unlock(&adev->mutex);
	return sysfs_emit(buf, "%d\n", n);
}
static DEVICE_ATTR_RO(available_instances);

/* Hardware queues reserved for kernel owners (kqueue.c). */
static ssize_t kernel_queues_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);
	unsigned int n;

	mutex_lock(&adev->mutex);
	n = adev->kq_reserved;
	mutex_unlock(&adev->mutex);
	return sysfs_emit(buf, "%u\n", n);
}

/*
 * Decimal only. Not a number or more than the hardware queues: EINVAL;
 * below what the kernel holds, or more than is free: EBUSY.
 */
static ssize_t kernel_queues_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct accelkit_device *adev = to_accelkit_device(dev);
	unsigned int val;
	int ret;

	if (kstrtouint(buf, 10, &val))
		return -EINVAL;
	ret = accelkit_kq_set_reserved(adev, val);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(kernel_queues);

static ssize_t kernel_queues_in_use_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);
	unsigned int n;

	mutex_lock(&adev->mutex);
	n = adev->kq_in_use;
	mutex_unlock(&adev->mutex);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(kernel_queues_in_use);

/*
 * PASIDs currently held: ACCELKIT_BIND_SELF, one per bond (an address
 * space with at least one queue that holds a hardware queue);
 * ACCELKIT_BIND_IOMMU_SVA, one per queue bound through the IOMMU (queues
 * of one process share the IOMMU's PASID); ACCELKIT_BIND_NONE, 0.
 */
static ssize_t pasids_in_use_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);
	unsigned int n;

	mutex_lock(&adev->mutex);
	n = adev->nr_pasids;
	mutex_unlock(&adev->mutex);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(pasids_in_use);

/*
 * ACCELKIT_BIND_SELF: PASIDs 1..max_pasid-1 of the device's own space.
 * Otherwise 0: there are none (NONE) or the IOMMU layer owns the space.
 */
static ssize_t pasids_max_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);

	return sysfs_emit(buf, "%u\n", adev->bind == ACCELKIT_BIND_SELF ?
			  adev->max_pasid - 1 : 0);
}
static DEVICE_ATTR_RO(pasids_max);

static ssize_t max_queues_per_user_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(adev->max_queues_per_user));
}

/* Applies to later opens; queues already open stay. 0: no limit. */
static ssize_t max_queues_per_user_store(struct device *dev,
					 struct device_attribute *attr,
					 const char *buf, size_t count)
{
	struct accelkit_device *adev = to_accelkit_device(dev);
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	WRITE_ONCE(adev->max_queues_per_user, val);
	return count;
}
static DEVICE_ATTR_RW(max_queues_per_user);

static ssize_t algorithms_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_accelkit_device(dev)->algs);
}
static DEVICE_ATTR_RO(algorithms);

static ssize_t region_mmio_size_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);

	return sysfs_emit(buf, "%zu\n", adev->region_size[UACCE_QFRT_MMIO]);
}
static DEVICE_ATTR_RO(region_mmio_size);

static ssize_t region_dus_size_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);

	return sysfs_emit(buf, "%zu\n", adev->region_size[UACCE_QFRT_DUS]);
}
static DEVICE_ATTR_RO(region_dus_size);

/* 1 once more than isolate_strategy errors came within an hour (isolate.c). */
static ssize_t isolate_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  accelkit_is_isolated(to_accelkit_device(dev)));
}
static DEVICE_ATTR_RO(isolate);

/* Hardware errors the driver reported since the device was registered. */
static ssize_t hw_errors_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  accelkit_hw_errors(to_accelkit_device(dev)));
}
static DEVICE_ATTR_RO(hw_errors);

static ssize_t isolate_strategy_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct accelkit_device *adev = to_accelkit_device(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(adev->isolate_strategy));
}

static ssize_t isolate_strategy_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	struct accelkit_device *adev = to_accelkit_device(dev);
	u32 val;
	int ret;

	ret = kstrtou32(buf, 0, &val);
	if (ret)
		return ret;
	if (val > ACCELKIT_MAX_ERR_THRESHOLD)
		return -EINVAL;

	mutex_lock(&adev->mutex);
	if (adev->ops->isolate_strategy)
		ret = adev->ops->isolate_strategy(adev, val);
	if (!ret)
		accelkit_isolate_set_strategy(adev, val);
	mutex_unlock(&adev->mutex);

	return ret ? ret : count;
}
static DEVICE_ATTR_RW(isolate_strategy);

static struct attribute *accelkit_dev_attrs[] = {
	&dev_attr_api.attr,
	&dev_attr_flags.attr,
	&dev_attr_available_instances.attr,
	&dev_attr_pasids_in_use.attr,
	&dev_attr_pasids_max.attr,
	&dev_attr_max_queues_per_user.attr,
	&dev_attr_algorithms.attr,
	&dev_attr_region_mmio_size.attr,
	&dev_attr_region_dus_size.attr,
	&dev_attr_isolate.attr,
	&dev_attr_isolate_strategy.attr,
	&dev_attr_hw_errors.attr,
	&dev_attr_kernel_queues.attr,
	&dev_attr_kernel_queues_in_use.attr,
	NULL,
};

/*
 * Like upstream: region sizes are only shown for regions that exist. The
 * ownership attributes only for a device with a kernel side.
 */
static umode_t accelkit_dev_attr_visible(struct kobject *kobj,
					 struct attribute *attr, int n)
{
	struct accelkit_device *adev = to_accelkit_device(kobj_to_dev(kobj));

	if (attr == &dev_attr_region_mmio_size.attr &&
	    !adev->region_size[UACCE_QFRT_MMIO])
		return 0;
	if (attr == &dev_attr_region_dus_size.attr &&
	    !adev->region_size[UACCE_QFRT_DUS])
		return 0;
	if ((attr == &dev_attr_kernel_queues.attr ||
	     attr == &dev_attr_kernel_queues_in_use.attr) && !adev->kq_enabled)
		return 0;
	return attr->mode;
}

static const struct attribute_group accelkit_dev_group = {
	.attrs		= accelkit_dev_attrs,
	.is_visible	= accelkit_dev_attr_visible,
};

const struct attribute_group *accelkit_dev_groups[] = {
	&accelkit_dev_group,
	NULL,
};
