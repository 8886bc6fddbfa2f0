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

#endif /* _UAPI_ACCELKIT_SELFTEST_H */
