/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * accelkit additions to the uacce ABI. These ioctls are served by the
 * framework for every accelkit device; their magic ('A') does not collide
 * with uacce's ('W').
 */
#ifndef _UAPI_ACCELKIT_ACCELKIT_H
#define _UAPI_ACCELKIT_ACCELKIT_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * struct accelkit_queue_info - what a queue's owner needs to drive it
 * @api_version:  ACCELKIT_API_VERSION
 * @queue_id:     hardware queue index (informational)
 * @pasid:        PASID bound to the opener's address space
 * @depth:        entries in each ring (power of two)
 * @sq_offset:    byte offset of the submission ring in the DUS region
 * @cq_offset:    byte offset of the completion ring in the DUS region
 * @desc_size:    bytes per submission descriptor
 * @cpl_size:     bytes per completion record
 * @mmio_size:    bytes of the MMIO (doorbell) region
 * @dus_size:     bytes of the DUS region
 * @max_xfer:     largest job length in bytes
 * @caps:         device capability bits (vendor defined)
 */
struct accelkit_queue_info {
	__u32 api_version;
	__u32 queue_id;
	__u32 pasid;
	__u32 depth;
	__u32 sq_offset;
	__u32 cq_offset;
	__u32 desc_size;
	__u32 cpl_size;
	__u64 mmio_size;
	__u64 dus_size;
	__u64 max_xfer;
	__u64 caps;
};

/*
 * struct accelkit_queue_stats - page-request counters of one queue, since
 * open(); they survive UACCE_CMD_PUT_Q
 * @page_requests:        page requests the device raised for this queue
 * @page_faults_resolved: requests answered "success": at least the first
 *                        page of the run was made present in the owner's
 *                        address space (the device asks again for the rest)
 * @page_faults_failed:   requests answered "invalid" (the first page: no
 *                        VMA, access not allowed by the VMA, unresolvable
 *                        fault; or a protocol error), plus those answered
 *                        while the owner's address space was already gone
 * @pages_requested:      pages covered by the page requests counted in
 *                        @page_requests (a request names a run of
 *                        consecutive pages; one refused for a malformed
 *                        run counts none)
 * @rsvd:                 0
 */
struct accelkit_queue_stats {
	__u64 page_requests;
	__u64 page_faults_resolved;
	__u64 page_faults_failed;
	__u64 pages_requested;
	__u64 rsvd[4];
};

#define ACCELKIT_API_VERSION	1

#define ACCELKIT_CMD_QUEUE_INFO		_IOR('A', 0x01, struct accelkit_queue_info)
#define ACCELKIT_CMD_QUEUE_STATS	_IOR('A', 0x02, struct accelkit_queue_stats)
/*
 * Make the queue usable from other address spaces that hold its file (fd
 * passed with SCM_RIGHTS, fork()). Owner only, irreversible, no argument.
 * Jobs always translate in the owner's address space.
 */
#define ACCELKIT_CMD_SHARE		_IO('A', 0x03)

#endif /* _UAPI_ACCELKIT_ACCELKIT_H */
