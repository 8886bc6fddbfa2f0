/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Job formats of the accelkit sample accelerator (docs/device.md), as user
 * space writes them into the DUS rings and reads them back.
 */
#ifndef _UAPI_ACCELKIT_SAMPLE_HW_H
#define _UAPI_ACCELKIT_SAMPLE_HW_H

#include <linux/types.h>

/* Opcodes */
#define AKS_OP_NOP		0
#define AKS_OP_COPY		1
#define AKS_OP_FILL		2

/* Descriptor flags */
#define AKS_DF_IRQ		0x0001

/* Completion status */
#define AKS_ST_SUCCESS		0
#define AKS_ST_INVALID_OPCODE	1
#define AKS_ST_INVALID_DESC	2
#define AKS_ST_XLATE_FAULT	3
#define AKS_ST_PASID_INVALID	4
#define AKS_ST_DMA_ERROR	5

/* Completion flags */
#define AKS_CF_PHASE		0x0001

/* Doorbell page (MMIO region) offsets */
#define AKS_DB_SQ_TAIL		0x000
#define AKS_DB_CQ_HEAD		0x004

struct aks_desc {
	__le16 opcode;
	__le16 flags;
	__le32 rsvd0;
	__le64 tag;
	__le64 src;
	__le64 dst;
	__le64 len;
	__le64 pattern;
	__le64 rsvd1[2];
};

struct aks_cpl {
	__le64 tag;
	__le64 bytes;
	__le64 fault_addr;
	__le16 status;
	__le16 sq_head;
	__le16 flags;
	__le16 rsvd;
};

#endif /* _UAPI_ACCELKIT_SAMPLE_HW_H */
