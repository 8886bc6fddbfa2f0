// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Completion record validation and failed queues (docs/library.md,
 * "Errors and recovery").
 *
 * A record is trusted only if it could have come from a working device for
 * the job the library put into that slot: a status of the contract, the
 * SQ head right after the job's own slot, the job's tag, and no more bytes
 * than the job's dst holds. A record that fails any of these makes the
 * queue failed: the library stops it (UACCE_CMD_PUT_Q, so the device lets
 * go of every buffer), reports ABORTED/-EIO for that job and every later
 * one, and reads nothing more from the rings.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <misc/uacce/uacce.h>

#include "internal.h"
#include "ring.h"

uint64_t ak_desc_cap(const struct aks_desc *d)
{
	switch (le16toh(d->opcode)) {
	case AKS_OP_NOP:
		return 0;
	case AKS_OP_COPY:
	case AKS_OP_FILL:
		return le64toh(d->len);
	case AKS_OP_COMPRESS:
	case AKS_OP_DECOMPRESS:
	case AKS_OP_HASH:
	case AKS_OP_CIPHER:
		return le64toh(d->pattern);	/* dst_len */
	default:
		return 0;	/* INVALID_OPCODE writes nothing */
	}
}

int ak_cpl_check(const struct aks_cpl *c, uint32_t cnt, uint32_t depth,
		 const struct ak_slot_rec *rec)
{
	uint16_t st = le16toh(c->status);

	if (st > AK_ST_LAST_KNOWN)
		return AK_CPL_BAD_STATUS;
	if (le16toh(c->sq_head) != (uint16_t)ak_ring_slot(cnt + 1, depth))
		return AK_CPL_BAD_SQ_HEAD;
	if (!rec)
		return AK_CPL_OK;
	if (le64toh(c->tag) != rec->tag)
		return AK_CPL_BAD_TAG;
	if (le64toh(c->bytes) > rec->cap)
		return AK_CPL_BAD_BYTES;
	return AK_CPL_OK;
}

void ak_cpl_synth(struct ak_result *r, uint32_t cnt, uint32_t depth,
		  const struct ak_slot_rec *rec)
{
	memset(r, 0, sizeof(*r));
	r->tag = rec ? rec->tag : 0;
	r->status = AKS_ST_ABORTED;
	r->sq_head = (uint16_t)ak_ring_slot(cnt + 1, depth);
	r->err = -EIO;
}

void ak_queue_set_failed(struct ak_queue *q, int why, int verdict)
{
	if (q->failed)
		return;
	q->failed = why;
	q->fail_why = verdict;
	/* The device may still be running this queue's jobs: stop it before
	 * anyone reuses a buffer. The kernel zaps our mappings of the rings
	 * and the doorbell (they are not touched again). A queue the kernel
	 * failed is stopped already. */
	if (why == AK_QFAIL_RECORD)
		(void)ioctl(q->fd, UACCE_CMD_PUT_Q);
}

AK_API int ak_queue_failed(const struct ak_queue *q)
{
	if (!q)
		return -EINVAL;
	return q->failed != AK_QFAIL_NONE;
}
