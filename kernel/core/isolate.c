// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit: hardware error accounting and isolation.
 *
 * Upstream uacce meaning: sysfs "isolate_strategy" is the number of
 * hardware errors a device may report within one hour; one more and the
 * device is isolated. 0 (the default) means never isolate. An isolated
 * device refuses new queues (open() fails with EIO); queues already open
 * keep working until they are closed. Isolation is sticky: it ends when
 * the vendor driver is unbound and bound again (a new accelkit_device).
 *
 * The hour is a sliding window of 60 one-minute buckets, so a report
 * costs O(1) memory whatever the threshold, from any context.
 */
#include <linux/ktime.h>
#include <linux/string.h>

#include "internal.h"

/* Move the window to the current minute, zeroing the minutes skipped. */
static void accelkit_err_window_advance(struct accelkit_device *adev,
					u64 now_min)
{
	u64 m;

	lockdep_assert_held(&adev->err_lock);
	if (now_min - adev->err_min >= ACCELKIT_ERR_BUCKETS) {
		memset(adev->err_bucket, 0, sizeof(adev->err_bucket));
	} else {
		for (m = adev->err_min + 1; m <= now_min; m++)
			adev->err_bucket[m % ACCELKIT_ERR_BUCKETS] = 0;
	}
	adev->err_min = now_min;
}

static u32 accelkit_err_last_hour(struct accelkit_device *adev)
{
	u32 sum = 0;
	int i;

	lockdep_assert_held(&adev->err_lock);
	for (i = 0; i < ACCELKIT_ERR_BUCKETS; i++)
		sum += adev->err_bucket[i];
	return sum;
}

/* Isolate once the errors of the last hour exceed a non-zero threshold. */
static void accelkit_isolate_check(struct accelkit_device *adev)
{
	u32 limit = READ_ONCE(adev->isolate_strategy);

	lockdep_assert_held(&adev->err_lock);
	accelkit_err_window_advance(adev, ktime_get_boottime_seconds() / 60);
	if (limit && accelkit_err_last_hour(adev) > limit)
		WRITE_ONCE(adev->isolated, true);
}

void accelkit_isolate_init(struct accelkit_device *adev)
{
	spin_lock_init(&adev->err_lock);
	adev->err_min = ktime_get_boottime_seconds() / 60;
}

/**
 * accelkit_report_hw_error() - count a hardware error
 * @adev: the device
 *
 * Counts towards sysfs "hw_errors" and the isolation threshold
 * ("isolate_strategy" errors per hour). Callable from any context,
 * including hard interrupt and mmu_notifier callbacks.
 */
void accelkit_report_hw_error(struct accelkit_device *adev)
{
	unsigned long flags;

	spin_lock_irqsave(&adev->err_lock, flags);
	adev->err_total++;
	accelkit_err_window_advance(adev, ktime_get_boottime_seconds() / 60);
	adev->err_bucket[adev->err_min % ACCELKIT_ERR_BUCKETS]++;
	accelkit_isolate_check(adev);
	spin_unlock_irqrestore(&adev->err_lock, flags);
}
EXPORT_SYMBOL_GPL(accelkit_report_hw_error);

/* A new threshold applies to the errors already in the window. */
void accelkit_isolate_set_strategy(struct accelkit_device *adev, u32 val)
{
	unsigned long flags;

	spin_lock_irqsave(&adev->err_lock, flags);
	WRITE_ONCE(adev->isolate_strategy, val);
	accelkit_isolate_check(adev);
	spin_unlock_irqrestore(&adev->err_lock, flags);
}

u64 accelkit_hw_errors(struct accelkit_device *adev)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&adev->err_lock, flags);
	n = adev->err_total;
	spin_unlock_irqrestore(&adev->err_lock, flags);
	return n;
}

/**
 * accelkit_is_isolated() - whether the device refuses new queues
 * @adev: the device
 *
 * Return: true once more than "isolate_strategy" (non-zero) hardware
 * errors were reported within an hour.
 */
bool accelkit_is_isolated(struct accelkit_device *adev)
{
	return READ_ONCE(adev->isolated);
}
EXPORT_SYMBOL_GPL(accelkit_is_isolated);
