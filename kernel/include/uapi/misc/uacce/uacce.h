/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The uacce user ABI, as upstream Linux defines it (uapi misc/uacce).
 * accelkit implements exactly these numbers so existing uacce user space
 * works unchanged.
 */
#ifndef _UAPI_MISC_UACCE_UACCE_H
#define _UAPI_MISC_UACCE_UACCE_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Start the queue: after mmap of the regions, before the first doorbell. */
#define UACCE_CMD_START_Q	_IO('W', 0)

/* Stop the queue and give its hardware back, before close(). */
#define UACCE_CMD_PUT_Q		_IO('W', 1)

/* The device shares the opener's virtual address space (value of "flags"). */
#define UACCE_DEV_SVA		0x1

/*
 * Queue file regions, selected by the mmap page offset:
 * mmap(..., UACCE_QFRT_xxx * page_size).
 */
enum uacce_qfrt {
	UACCE_QFRT_MMIO = 0,	/* device doorbell page(s) */
	UACCE_QFRT_DUS = 1,	/* device-user shared memory (rings) */
};

#endif /* _UAPI_MISC_UACCE_UACCE_H */
