/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register map of the accelkit sample accelerator (docs/device.md).
 * BAR0 holds the registers below, BAR4 one 4 KiB doorbell page per queue.
 */
#ifndef _ACCELKIT_SAMPLE_REGS_H
#define _ACCELKIT_SAMPLE_REGS_H

#include <linux/bits.h>
#include <linux/sizes.h>

#define AKS_PCI_VENDOR		0x1af4
#define AKS_PCI_DEVICE		0x10f7

#define AKS_BAR_REGS		0
#define AKS_BAR_DOORBELL	4

#define AKS_MAGIC_VALUE		0x54494b41	/* "AKIT" */
#define AKS_VERSION_MAJOR(v)	((v) >> 16)
#define AKS_VERSION_MAJOR_SUPPORTED	2
/* 2.1: range page requests, IOTLB, device counters, WORKERS */
#define AKS_VERSION_2_1		0x00020100
/* 2.4: HW_ERROR, ERR_QUEUE, Q_INJECT, PRQ overflow (CAPS bit 20) */
#define AKS_VERSION_2_4		0x00020400
/* 2.5: Q_MODE, DMA-mode queues for kernel owners (CAPS bit 21) */
#define AKS_VERSION_2_5		0x00020500

/* Device registers (32 bit) */
#define AKS_REG_MAGIC		0x000
#define AKS_REG_VERSION		0x004
#define AKS_REG_CAPS		0x008
#define  AKS_CAPS_OPS_MASK	0xffff
#define  AKS_CAPS_LA57		BIT(16)
#define  AKS_CAPS_1G		BIT(17)
#define AKS_REG_NR_QUEUES	0x00c
#define AKS_REG_DEV_CTRL	0x010
#define  AKS_DEV_CTRL_ENABLE	BIT(0)
#define  AKS_DEV_CTRL_RESET	BIT(1)	/* reads 1 until the reset is done */
#define AKS_REG_DEV_STATUS	0x014
#define  AKS_DEV_STATUS_ENABLED	BIT(0)
#define AKS_REG_PASID_TABLE_LO	0x018
#define AKS_REG_PASID_TABLE_HI	0x01c
#define AKS_REG_PASID_TABLE_SIZE 0x020
#define AKS_REG_MAX_XFER	0x028
#define AKS_REG_STAT_JOBS_LO	0x030
#define AKS_REG_STAT_JOBS_HI	0x034
#define AKS_REG_PRQ_BASE_LO	0x040
#define AKS_REG_PRQ_BASE_HI	0x044
#define AKS_REG_PRQ_DEPTH	0x048
#define AKS_REG_PRQ_CTRL	0x04c
#define  AKS_PRQ_CTRL_ENABLE	BIT(0)
#define AKS_REG_PRQ_TAIL	0x050
#define AKS_REG_PRQ_HEAD	0x054
#define AKS_REG_PRQ_RESPONSE	0x058
#define  AKS_PRQ_RESP_QUEUE	GENMASK(15, 0)
#define  AKS_PRQ_RESP_INVALID	BIT(31)
#define AKS_REG_INV_TABLE_LO	0x060
#define AKS_REG_INV_TABLE_HI	0x064
#define AKS_REG_INV_SLOTS	0x068
#define AKS_REG_INV_SUBMIT	0x06c
#define AKS_REG_INV_DONE	0x070
#define AKS_REG_INV_ERRORS	0x074
#define AKS_REG_ERR_STATUS	0x07c
#define  AKS_ERR_CORRECTABLE	BIT(0)
#define  AKS_ERR_UNCORRECTABLE	BIT(1)	/* 2.4: a job ended in HW_ERROR */
#define  AKS_ERR_PRQ_OVERFLOW	BIT(2)	/* 2.4: a page request found it full */
/* 2.1 counters: 64 bit, reading LO latches the value HI then returns */
#define AKS_REG_STAT_IOTLB_HITS_LO	0x080
#define AKS_REG_STAT_IOTLB_MISSES_LO	0x088
#define AKS_REG_STAT_WALKS_LO		0x090
#define AKS_REG_STAT_PAGE_REQUESTS_LO	0x098
#define AKS_REG_STAT_PAGES_REQUESTED_LO	0x0a0
#define AKS_REG_STAT_STEPS_LO		0x0a8
#define AKS_REG_STAT_IOTLB_DROPS_LO	0x0b0
#define  AKS_STAT_HI(lo)		((lo) + 4)
#define AKS_REG_WORKERS		0x0b8	/* 2.1, 32 bit */
#define AKS_REG_ERR_QUEUE	0x0bc	/* 2.4: queue of the last HW_ERROR */
#define AKS_REG_STAT_DMA_JOBS_LO	0x0c0	/* 2.5: jobs of DMA-mode queues */
#define AKS_REG_DEBUG_INJECT	0x0f0
#define  AKS_DEBUG_IGNORE_INV	BIT(0)
#define  AKS_DEBUG_RAISE_ERROR	BIT(1)
#define  AKS_DEBUG_KEEP_IOTLB	BIT(2)	/* 2.1 */
#define  AKS_DEBUG_NO_IOTLB	BIT(3)	/* 2.1 */
#define  AKS_DEBUG_PRQ_OVERFLOW	BIT(4)	/* 2.4, self-clearing */

#define AKS_MAX_QUEUES		256

/* Per-queue registers: a 64-byte block at 0x1000 + q * 0x40 */
#define AKS_QREG(q, reg)	(0x1000 + (q) * 0x40 + (reg))
#define AKS_Q_SQ_BASE_LO	0x00
#define AKS_Q_SQ_BASE_HI	0x04
#define AKS_Q_CQ_BASE_LO	0x08
#define AKS_Q_CQ_BASE_HI	0x0c
#define AKS_Q_DEPTH		0x10
#define AKS_Q_PASID		0x14
#define AKS_Q_CTRL		0x18
#define  AKS_Q_CTRL_ENABLE	BIT(0)
#define  AKS_Q_CTRL_IRQ_ENABLE	BIT(1)
#define AKS_Q_STATUS		0x1c
#define  AKS_Q_STATUS_RUNNING	BIT(0)
#define  AKS_Q_STATUS_ERROR	BIT(1)
#define  AKS_Q_STATUS_STALLED	BIT(2)
#define  AKS_Q_STATUS_ACTIVE	BIT(3)
#define  AKS_Q_STATUS_BUSY	BIT(4)	/* 2.4: a job is in execution */
#define AKS_Q_SQ_HEAD		0x20
#define AKS_Q_SQ_TAIL		0x24
#define AKS_Q_CQ_TAIL		0x28
#define AKS_Q_CQ_HEAD		0x2c
#define AKS_Q_MSIX_VECTOR	0x30
#define AKS_Q_MODE		0x34	/* 2.5, CAPS DMA_QUEUES */
#define  AKS_Q_MODE_PASID	0	/* VAs of the queue's PASID (reset) */
#define  AKS_Q_MODE_DMA		1	/* bus addresses (kernel owners) */
#define AKS_Q_INJECT		0x38	/* 2.4 */
#define  AKS_Q_INJECT_KIND	GENMASK(3, 0)
#define  AKS_Q_INJECT_AFTER	GENMASK(31, 8)
#define  AKS_INJ_ENGINE_ERROR	1
#define  AKS_INJ_STALL		2
#define  AKS_INJ_BAD_COMPLETION	3
#define  AKS_INJ_DROP_IRQ	4

/* Doorbell pages in BAR4 */
#define AKS_DOORBELL_PAGE	SZ_4K

/* Rings */
#define AKS_DESC_SIZE		64
#define AKS_CPL_SIZE		32
#define AKS_RING_ALIGN		SZ_4K
#define AKS_DEPTH_MIN		2
#define AKS_DEPTH_MAX		4096

/* PASID table: 16-byte entries in host memory */
#define AKS_PASID_ENTRIES	4096
#define AKS_PASID_STATE_MASK	0x3
#define AKS_PASID_STATE_INVALID	0
#define AKS_PASID_STATE_VALID	1
#define AKS_PASID_STATE_BLOCKED	2
#define AKS_PASID_LA57		BIT(2)

struct aks_pasid_entry {
	__le64 root;
	__le32 flags;
	__le32 rsvd;
};

/* Invalidation table: 32-byte descriptors in host memory */
#define AKS_INV_SLOTS_MAX	1024
#define AKS_INV_ALL_PASIDS	BIT(0)
#define AKS_INV_WHOLE_SPACE	BIT(1)
#define AKS_INV_STATUS_DONE	1

struct aks_inv_desc {
	__le32 pasid;
	__le32 flags;
	__le64 start;
	__le64 end;
	__le32 status;		/* driver writes 0, the device 1 (DONE) */
	__le32 rsvd;
};

/*
 * Page-request ring: 16-byte entries in host memory. From 2.1 on, addr
 * names a run of pages: bits 63..12 the first page, bits 11..0 the number
 * of pages minus one (at most AKS_PRQ_MAX_PAGES). A 2.0 device writes the
 * exact faulting address of a single page there.
 */
#define AKS_PRQ_DEPTH_MAX	4096
#define AKS_PRQ_ADDR_PAGE	GENMASK_ULL(63, 12)
#define AKS_PRQ_ADDR_PAGES_M1	GENMASK_ULL(11, 0)
#define AKS_PRQ_MAX_PAGES	512
#define AKS_PRQ_FLAG_WRITE	BIT(0)

struct aks_prq_entry {
	__le64 addr;
	__le32 pasid;
	__le16 queue;
	__le16 flags;
};

/* MSI-X: vector 0 is for device events, queue q uses vector q + 1 */
#define AKS_EVENT_VECTOR	0
#define AKS_QUEUE_VECTOR(q)	((q) + 1)

#endif /* _ACCELKIT_SAMPLE_REGS_H */
