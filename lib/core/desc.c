// SPDX-License-Identifier: LGPL-2.1-or-later
/* Descriptor encoding, completion decoding and status mapping. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

void ak_desc_encode(struct aks_desc *d, const struct ak_job *job,
		    bool irq_default)
{
	bool irq = irq_default;

	if (job->flags & AK_JF_NO_IRQ)
		irq = false;
	if (job->flags & AK_JF_IRQ)
		irq = true;

	memset(d, 0, sizeof(*d));
	d->opcode = htole16(job->op);
	d->flags = htole16(irq ? AKS_DF_IRQ : 0);
	d->tag = htole64(job->tag);
	d->src = htole64((uint64_t)(uintptr_t)job->src);
	d->dst = htole64((uint64_t)(uintptr_t)job->dst);
	d->len = htole64(job->len);
	d->pattern = htole64(job->pattern);
}

bool ak_desc_irq(const struct aks_desc *d)
{
	return le16toh(d->flags) & AKS_DF_IRQ;
}

void ak_cpl_decode(const struct aks_cpl *c, struct ak_result *r)
{
	r->tag = le64toh(c->tag);
	r->bytes = le64toh(c->bytes);
	r->fault_addr = le64toh(c->fault_addr);
	r->status = le16toh(c->status);
	r->sq_head = le16toh(c->sq_head);
	r->err = ak_status_errno(r->status);
	r->cflags = le16toh(c->flags) & ~AKS_CF_PHASE;
	memset(r->rsvd, 0, sizeof(r->rsvd));
}

AK_API const char *ak_status_str(int status)
{
	switch (status) {
	case AKS_ST_SUCCESS:		return "SUCCESS";
	case AKS_ST_INVALID_OPCODE:	return "INVALID_OPCODE";
	case AKS_ST_INVALID_DESC:	return "INVALID_DESC";
	case AKS_ST_XLATE_FAULT:	return "TRANSLATION_FAULT";
	case AKS_ST_PASID_INVALID:	return "PASID_INVALID";
	case AKS_ST_DMA_ERROR:		return "DMA_ERROR";
	case AKS_ST_DATA_ERROR:		return "DATA_ERROR";
	case AKS_ST_OVERFLOW:		return "OVERFLOW";
	case AKS_ST_AUTH_FAILURE:	return "AUTH_FAILURE";
	case AKS_ST_HW_ERROR:		return "HW_ERROR";
	case AKS_ST_ABORTED:		return "ABORTED";
	default:			return "UNKNOWN_STATUS";
	}
}

AK_API int ak_status_errno(int status)
{
	switch (status) {
	case AKS_ST_SUCCESS:		return 0;
	case AKS_ST_INVALID_OPCODE:
	case AKS_ST_INVALID_DESC:	return -EINVAL;
	case AKS_ST_XLATE_FAULT:	return -EFAULT;
	case AKS_ST_PASID_INVALID:	return -ESRCH;
	case AKS_ST_DATA_ERROR:
	case AKS_ST_AUTH_FAILURE:	return -EBADMSG;
	case AKS_ST_OVERFLOW:		return -ENOSPC;
	case AKS_ST_DMA_ERROR:
	case AKS_ST_HW_ERROR:
	case AKS_ST_ABORTED:
	default:			return -EIO;
	}
}

/* The public enums mirror the uAPI constants. */
_Static_assert(AK_OP_NOP == AKS_OP_NOP && AK_OP_COPY == AKS_OP_COPY &&
	       AK_OP_FILL == AKS_OP_FILL, "opcodes");
_Static_assert(AK_ST_SUCCESS == AKS_ST_SUCCESS &&
	       AK_ST_INVALID_OPCODE == AKS_ST_INVALID_OPCODE &&
	       AK_ST_INVALID_DESC == AKS_ST_INVALID_DESC &&
	       AK_ST_XLATE_FAULT == AKS_ST_XLATE_FAULT &&
	       AK_ST_PASID_INVALID == AKS_ST_PASID_INVALID &&
	       AK_ST_DMA_ERROR == AKS_ST_DMA_ERROR &&
	       AK_ST_HW_ERROR == AKS_ST_HW_ERROR &&
	       AK_ST_ABORTED == AKS_ST_ABORTED, "statuses");
_Static_assert(sizeof(struct aks_desc) == 64, "descriptor size");
_Static_assert(sizeof(struct aks_cpl) == 32, "completion size");
