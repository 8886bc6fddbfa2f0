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
#define AKS_OP_COMPRESS		3
#define AKS_OP_DECOMPRESS	4
#define AKS_OP_HASH		5
#define AKS_OP_CIPHER		6

/* Descriptor flags */
#define AKS_DF_IRQ		0x0001
#define AKS_DF_FIRST		0x0002	/* algorithm jobs: start a stream */
#define AKS_DF_LAST		0x0004	/* algorithm jobs: end a stream */
#define AKS_DF_DECRYPT		0x0008	/* CIPHER: decrypt */
#define AKS_DF_FLUSH		0x0010	/* COMPRESS, no LAST: sync flush (2.3) */
#define AKS_DF_FULL		0x0020	/* with FLUSH: full flush */

/*
 * CAPS register (and ACCELKIT_CMD_QUEUE_INFO caps): features newer than
 * the opcodes (bits 0-15: opcode n supported).
 */
#define AKS_CAPS_GCM_STREAM	0x00040000	/* CIPHER GCM stream jobs (2.2) */
#define AKS_CAPS_FLUSH		0x00080000	/* COMPRESS FLUSH/FULL (2.3) */
#define AKS_CAPS_ERR_RECOVERY	0x00100000	/* the 2.4 error model */
#define AKS_CAPS_DMA_QUEUES	0x00200000	/* 2.5: Q_MODE (kernel queues) */

#define AKS_NR_CTX		8	/* stream contexts per queue */

/* struct aks_params.alg */
#define AKS_FRAME_RAW		0
#define AKS_FRAME_ZLIB		1
#define AKS_FRAME_GZIP		2
#define AKS_HASH_SHA256		0
#define AKS_HASH_SHA512		1
#define AKS_HASH_HMAC_SHA256	2
#define AKS_CIPHER_AES_CBC	0
#define AKS_CIPHER_AES_CTR	1
#define AKS_CIPHER_AES_XTS	2
#define AKS_CIPHER_AES_GCM	3

/* Completion status */
#define AKS_ST_SUCCESS		0
#define AKS_ST_INVALID_OPCODE	1
#define AKS_ST_INVALID_DESC	2
#define AKS_ST_XLATE_FAULT	3
#define AKS_ST_PASID_INVALID	4
#define AKS_ST_DMA_ERROR	5
#define AKS_ST_DATA_ERROR	6	/* fault_addr: input offset */
#define AKS_ST_OVERFLOW		7	/* fault_addr: bytes needed */
#define AKS_ST_AUTH_FAILURE	8
#define AKS_ST_HW_ERROR		9	/* 2.4: engine failure, dst undefined */
#define AKS_ST_ABORTED		10	/* by the driver: queue failed/reset */

/* Completion flags */
#define AKS_CF_PHASE		0x0001
#define AKS_CF_END		0x0002	/* DECOMPRESS: end of stream reached */

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

/*
 * Algorithm jobs (opcodes 3-6) reuse the descriptor: rsvd0 = context
 * index, pattern = dst capacity, rsvd1[0] = VA of struct aks_params.
 */
struct aks_params {
	__u32 alg;
	__u32 level;
	__u64 key;
	__u32 key_len;
	__u32 iv_len;
	__u64 iv;
	__u64 aad;
	__u64 aad_len;
	__u64 auth_tag;
	__u64 rsvd;
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
