// SPDX-License-Identifier: LGPL-2.1-or-later
/* uAPI layout vs docs/device.md, descriptor encoding, status mapping. */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "internal.h"
#include "suites.h"

#define FIELD(t, f, off, sz) do { \
	CU_ASSERT_EQUAL(offsetof(struct t, f), off); \
	CU_ASSERT_EQUAL(sizeof(((struct t *)0)->f), sz); \
} while (0)

static void t_desc_layout(void)
{
	CU_ASSERT_EQUAL(sizeof(struct aks_desc), 64);
	FIELD(aks_desc, opcode, 0, 2);
	FIELD(aks_desc, flags, 2, 2);
	FIELD(aks_desc, rsvd0, 4, 4);
	FIELD(aks_desc, tag, 8, 8);
	FIELD(aks_desc, src, 16, 8);
	FIELD(aks_desc, dst, 24, 8);
	FIELD(aks_desc, len, 32, 8);
	FIELD(aks_desc, pattern, 40, 8);
	FIELD(aks_desc, rsvd1, 48, 16);
}

static void t_cpl_layout(void)
{
	CU_ASSERT_EQUAL(sizeof(struct aks_cpl), 32);
	FIELD(aks_cpl, tag, 0, 8);
	FIELD(aks_cpl, bytes, 8, 8);
	FIELD(aks_cpl, fault_addr, 16, 8);
	FIELD(aks_cpl, status, 24, 2);
	FIELD(aks_cpl, sq_head, 26, 2);
	FIELD(aks_cpl, flags, 28, 2);
	FIELD(aks_cpl, rsvd, 30, 2);
}

static void t_constants(void)
{
	CU_ASSERT_EQUAL(AKS_OP_NOP, 0);
	CU_ASSERT_EQUAL(AKS_OP_COPY, 1);
	CU_ASSERT_EQUAL(AKS_OP_FILL, 2);
	CU_ASSERT_EQUAL(AKS_DF_IRQ, 1);
	CU_ASSERT_EQUAL(AKS_CF_PHASE, 1);
	CU_ASSERT_EQUAL(AKS_DB_SQ_TAIL, 0x0);
	CU_ASSERT_EQUAL(AKS_DB_CQ_HEAD, 0x4);
	CU_ASSERT_EQUAL(AKS_ST_SUCCESS, 0);
	CU_ASSERT_EQUAL(AKS_ST_INVALID_OPCODE, 1);
	CU_ASSERT_EQUAL(AKS_ST_INVALID_DESC, 2);
	CU_ASSERT_EQUAL(AKS_ST_XLATE_FAULT, 3);
	CU_ASSERT_EQUAL(AKS_ST_PASID_INVALID, 4);
	CU_ASSERT_EQUAL(AKS_ST_DMA_ERROR, 5);
	CU_ASSERT_EQUAL(UACCE_QFRT_MMIO, 0);
	CU_ASSERT_EQUAL(UACCE_QFRT_DUS, 1);
	CU_ASSERT_EQUAL(ACCELKIT_API_VERSION, 1);
	/* Public mirrors. */
	CU_ASSERT_EQUAL(AK_OP_COPY, AKS_OP_COPY);
	CU_ASSERT_EQUAL(AK_ST_DMA_ERROR, AKS_ST_DMA_ERROR);
}

/* Byte-level check: decode the encoded bytes as the device would. */
static uint64_t le64_at(const void *p, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)p + off, 8);
	return le64toh(v);
}

static uint16_t le16_at(const void *p, size_t off)
{
	uint16_t v;

	memcpy(&v, (const uint8_t *)p + off, 2);
	return le16toh(v);
}

static bool zero_at(const void *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[off + i])
			return false;
	return true;
}

static void t_encode_ops(void)
{
	struct aks_desc d;
	char src[16], dst[16];
	struct ak_job j = {
		.op = AK_OP_COPY, .tag = 0x1122334455667788ull,
		.src = src, .dst = dst, .len = 16, .pattern = 0,
		.rsvd = 0xdeadbeef,	/* ignored by the library */
	};

	memset(&d, 0xa5, sizeof(d));
	ak_desc_encode(&d, &j, true);
	CU_ASSERT_EQUAL(le16_at(&d, 0), AKS_OP_COPY);
	CU_ASSERT_EQUAL(le16_at(&d, 2), AKS_DF_IRQ);
	CU_ASSERT_TRUE(zero_at(&d, 4, 4));
	CU_ASSERT_EQUAL(le64_at(&d, 8), 0x1122334455667788ull);
	CU_ASSERT_EQUAL(le64_at(&d, 16), (uint64_t)(uintptr_t)src);
	CU_ASSERT_EQUAL(le64_at(&d, 24), (uint64_t)(uintptr_t)dst);
	CU_ASSERT_EQUAL(le64_at(&d, 32), 16);
	CU_ASSERT_EQUAL(le64_at(&d, 40), 0);
	CU_ASSERT_TRUE(zero_at(&d, 48, 16));

	j.op = AK_OP_FILL;
	j.src = NULL;
	j.pattern = 0x0807060504030201ull;
	j.len = 4096;
	ak_desc_encode(&d, &j, true);
	CU_ASSERT_EQUAL(le16_at(&d, 0), AKS_OP_FILL);
	CU_ASSERT_EQUAL(le64_at(&d, 16), 0);
	CU_ASSERT_EQUAL(le64_at(&d, 24), (uint64_t)(uintptr_t)dst);
	CU_ASSERT_EQUAL(le64_at(&d, 32), 4096);
	CU_ASSERT_EQUAL(le64_at(&d, 40), 0x0807060504030201ull);
	/* Pattern byte i (memory order) is byte i of the LE value. */
	CU_ASSERT_EQUAL(((uint8_t *)&d)[40], 0x01);
	CU_ASSERT_EQUAL(((uint8_t *)&d)[47], 0x08);
	CU_ASSERT_TRUE(zero_at(&d, 48, 16));

	memset(&j, 0, sizeof(j));
	j.op = AK_OP_NOP;
	j.tag = 7;
	ak_desc_encode(&d, &j, true);
	CU_ASSERT_EQUAL(le16_at(&d, 0), AKS_OP_NOP);
	CU_ASSERT_EQUAL(le64_at(&d, 8), 7);
	CU_ASSERT_TRUE(zero_at(&d, 16, 48));

	/* Unknown opcodes pass through for the device to judge. */
	j.op = 0x1234;
	ak_desc_encode(&d, &j, true);
	CU_ASSERT_EQUAL(le16_at(&d, 0), 0x1234);
}

static void t_encode_irq(void)
{
	struct aks_desc d;
	struct ak_job j = { .op = AK_OP_NOP };

	ak_desc_encode(&d, &j, true);
	CU_ASSERT_TRUE(ak_desc_irq(&d));
	ak_desc_encode(&d, &j, false);		/* AK_QF_BUSY_POLL queue */
	CU_ASSERT_FALSE(ak_desc_irq(&d));
	CU_ASSERT_EQUAL(le16_at(&d, 2), 0);
	j.flags = AK_JF_IRQ;
	ak_desc_encode(&d, &j, false);
	CU_ASSERT_TRUE(ak_desc_irq(&d));
	j.flags = AK_JF_NO_IRQ;
	ak_desc_encode(&d, &j, true);
	CU_ASSERT_FALSE(ak_desc_irq(&d));
	j.flags = AK_JF_IRQ | AK_JF_NO_IRQ;	/* IRQ wins */
	ak_desc_encode(&d, &j, false);
	CU_ASSERT_TRUE(ak_desc_irq(&d));
}

static void t_decode(void)
{
	struct aks_cpl c;
	struct ak_result r;

	memset(&c, 0, sizeof(c));
	c.tag = htole64(0xabcdefull);
	c.bytes = htole64(4096);
	c.fault_addr = htole64(0x7f0000001000ull);
	c.status = htole16(AKS_ST_XLATE_FAULT);
	c.sq_head = htole16(5);
	c.flags = htole16(AKS_CF_PHASE);
	ak_cpl_decode(&c, &r);
	CU_ASSERT_EQUAL(r.tag, 0xabcdefull);
	CU_ASSERT_EQUAL(r.bytes, 4096);
	CU_ASSERT_EQUAL(r.fault_addr, 0x7f0000001000ull);
	CU_ASSERT_EQUAL(r.status, AK_ST_XLATE_FAULT);
	CU_ASSERT_EQUAL(r.sq_head, 5);
	CU_ASSERT_EQUAL(r.err, -EFAULT);
}

static void t_status_map(void)
{
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_SUCCESS), 0);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_INVALID_OPCODE), -EINVAL);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_INVALID_DESC), -EINVAL);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_XLATE_FAULT), -EFAULT);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_PASID_INVALID), -ESRCH);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_DMA_ERROR), -EIO);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_DATA_ERROR), -EBADMSG);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_OVERFLOW), -ENOSPC);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_AUTH_FAILURE), -EBADMSG);
	CU_ASSERT_EQUAL(ak_status_errno(9), -EIO);
	CU_ASSERT_EQUAL(ak_status_errno(-1), -EIO);
	CU_ASSERT_STRING_EQUAL(ak_status_str(0), "SUCCESS");
	CU_ASSERT_STRING_EQUAL(ak_status_str(1), "INVALID_OPCODE");
	CU_ASSERT_STRING_EQUAL(ak_status_str(2), "INVALID_DESC");
	CU_ASSERT_STRING_EQUAL(ak_status_str(3), "TRANSLATION_FAULT");
	CU_ASSERT_STRING_EQUAL(ak_status_str(4), "PASID_INVALID");
	CU_ASSERT_STRING_EQUAL(ak_status_str(5), "DMA_ERROR");
	CU_ASSERT_STRING_EQUAL(ak_status_str(6), "DATA_ERROR");
	CU_ASSERT_STRING_EQUAL(ak_status_str(7), "OVERFLOW");
	CU_ASSERT_STRING_EQUAL(ak_status_str(8), "AUTH_FAILURE");
	CU_ASSERT_STRING_EQUAL(ak_status_str(99), "UNKNOWN_STATUS");
	CU_ASSERT_PTR_NOT_NULL(ak_status_str(-5));
}

int add_desc_suite(void)
{
	static const struct ak_test t[] = {
		{ "descriptor layout = device.md", t_desc_layout },
		{ "completion layout = device.md", t_cpl_layout },
		{ "uAPI constants", t_constants },
		{ "encode NOP/COPY/FILL", t_encode_ops },
		{ "encode IRQ flag", t_encode_irq },
		{ "decode completion", t_decode },
		{ "status mapping", t_status_map },
		{ NULL, NULL },
	};
	return ak_add_suite("descriptor", NULL, NULL, t);
}
