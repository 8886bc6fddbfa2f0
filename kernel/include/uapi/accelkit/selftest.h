/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Test-only driver ioctl of accelkit_selftest.ko (the fake accelerator of
 * the VM suite "selftest"): no real driver offers it.
 */
#ifndef _UAPI_ACCELKIT_SELFTEST_H
#define _UAPI_ACCELKIT_SELFTEST_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * struct akst_page_request - play a device that stalls on a run of pages
 * @addr:     first page of the run (passed on unchanged)
 * @nr_pages: pages in the run (passed on unchanged)
 * @write:    non-zero: the access is a write
 * @ret:      out: what accelkit_queue_page_request() returned
 * @answer:   out: 1 answered success, 0 answered invalid, -1 no answer
 *            within 10 seconds
 */
struct akst_page_request {
	__u64 addr;
	__u32 nr_pages;
	__u32 write;
	__s32 ret;
	__s32 answer;
};

/* Owner of the queue only; waits (killable) for the framework's answer. */
#define AKST_CMD_PAGE_REQUEST	_IOWR('S', 0x01, struct akst_page_request)

/*
 * Kernel-owned queues of the fake device, through /dev/akst_kq (root
 * only, one claimer per open file). The module plays a kernel consumer:
 *
 * AKST_KQ_CLAIM      accelkit_kqueue_claim() once; returns the hardware
 *                    queue index (>= 0) or fails with its errno (EPROTO:
 *                    the queue was not started, not marked kernel-owned,
 *                    had a PASID, or a page request on it was not
 *                    answered invalid at once). The file holds the claim.
 * AKST_KQ_RELEASE    accelkit_kqueue_release() of the file's newest claim;
 *                    ENOENT when it holds none.
 * AKST_KQ_DETACH     hand the file's claims to the module, which holds
 *                    them until it is unloaded (removal then revokes
 *                    them); returns how many.
 * AKST_KQ_HW_ERROR   accelkit_report_hw_error() once (isolation tests).
 * AKST_KQ_INFO       struct akst_kq_info.
 *
 * Closing the file releases what it still holds.
 */

/*
 * struct akst_kq_info - the fake device's view of its hardware queues
 * @nr_queues:   hardware queues of the device
 * @held:        kernel queues claimed through this file
 * @busy:        bit i: hardware queue i is given to some owner
 * @kernel:      bit i: hardware queue i is given to a kernel owner
 * @started:     bit i: hardware queue i is started
 * @revoked:     revoke callbacks since the module was loaded
 */
struct akst_kq_info {
	__u32 nr_queues;
	__u32 held;
	__u32 busy;
	__u32 kernel;
	__u32 started;
	__u32 revoked;
};

#define AKST_KQ_CLAIM		_IO('S', 0x02)
#define AKST_KQ_RELEASE		_IO('S', 0x03)
#define AKST_KQ_DETACH		_IO('S', 0x04)
#define AKST_KQ_HW_ERROR	_IO('S', 0x05)
#define AKST_KQ_INFO		_IOR('S', 0x06, struct akst_kq_info)

#endif /* _UAPI_ACCELKIT_SELFTEST_H */
