// SPDX-License-Identifier: LGPL-2.1-or-later
/* Ring arithmetic (lib/core/ring.h) against an explicit head/tail/phase model. */
#include <stdlib.h>

#include "ring.h"
#include "suites.h"

static void t_depth_valid(void)
{
	CU_ASSERT_FALSE(ak_ring_depth_valid(0));
	CU_ASSERT_FALSE(ak_ring_depth_valid(1));
	CU_ASSERT_TRUE(ak_ring_depth_valid(2));
	CU_ASSERT_FALSE(ak_ring_depth_valid(3));
	CU_ASSERT_TRUE(ak_ring_depth_valid(4));
	CU_ASSERT_FALSE(ak_ring_depth_valid(6));
	CU_ASSERT_TRUE(ak_ring_depth_valid(4096));
	CU_ASSERT_FALSE(ak_ring_depth_valid(4095));
	CU_ASSERT_TRUE(ak_ring_depth_valid(65536));
	CU_ASSERT_FALSE(ak_ring_depth_valid(131072));
	CU_ASSERT_FALSE(ak_ring_depth_valid(0x80000000u));
}

static void t_wrap(void)
{
	CU_ASSERT_EQUAL(ak_ring_slot(0, 8), 0);
	CU_ASSERT_EQUAL(ak_ring_slot(7, 8), 7);
	CU_ASSERT_EQUAL(ak_ring_slot(8, 8), 0);
	CU_ASSERT_EQUAL(ak_ring_slot(9, 8), 1);
	CU_ASSERT_EQUAL(ak_ring_slot(0xffffffffu, 8), 7);
	CU_ASSERT_EQUAL(ak_ring_slot(0xffffffffu + 1u, 8), 0);
	CU_ASSERT_EQUAL(ak_ring_slot(4097, 4096), 1);
}

static void t_full_empty(void)
{
	const uint32_t depth = 8;

	CU_ASSERT_TRUE(ak_ring_empty(0, 0));
	CU_ASSERT_EQUAL(ak_ring_space(depth, 0, 0), depth - 1);
	CU_ASSERT_FALSE(ak_ring_full(depth, 0, 0));
	CU_ASSERT_EQUAL(ak_ring_space(depth, 6, 0), 1);
	CU_ASSERT_TRUE(ak_ring_full(depth, 7, 0));	/* one slot kept free */
	CU_ASSERT_EQUAL(ak_ring_inflight(7, 0), 7);
	CU_ASSERT_EQUAL(ak_ring_space(depth, 7, 0), 0);
	CU_ASSERT_FALSE(ak_ring_empty(7, 0));
	/* Across the 32-bit counter wrap. */
	CU_ASSERT_EQUAL(ak_ring_inflight(2, 0xfffffffeu), 4);
	CU_ASSERT_EQUAL(ak_ring_space(depth, 2, 0xfffffffeu), 3);
	CU_ASSERT_TRUE(ak_ring_full(depth, 5, 0xfffffffeu));
	CU_ASSERT_TRUE(ak_ring_empty(0x80000000u, 0x80000000u));
	/* depth 2: exactly one job in flight at most. */
	CU_ASSERT_EQUAL(ak_ring_space(2, 0, 0), 1);
	CU_ASSERT_TRUE(ak_ring_full(2, 1, 0));
}

static void t_phase(void)
{
	for (uint32_t c = 0; c < 8; c++)
		CU_ASSERT_EQUAL(ak_ring_phase(c, 8), 1);	/* first pass: 1 */
	for (uint32_t c = 8; c < 16; c++)
		CU_ASSERT_EQUAL(ak_ring_phase(c, 8), 0);	/* flips at wrap */
	CU_ASSERT_EQUAL(ak_ring_phase(16, 8), 1);
	CU_ASSERT_EQUAL(ak_ring_phase(0, 2), 1);
	CU_ASSERT_EQUAL(ak_ring_phase(1, 2), 1);
	CU_ASSERT_EQUAL(ak_ring_phase(2, 2), 0);
	/* Consistent through the 32-bit wrap: the pass before counter 0 is
	 * odd (phase 0), counter 0 starts an even pass (phase 1). */
	CU_ASSERT_EQUAL(ak_ring_phase(0xffffffffu, 8), 0);
	CU_ASSERT_EQUAL(ak_ring_phase(0xffffffffu + 1u, 8), 1);
	CU_ASSERT_EQUAL(ak_ring_phase(0xffffffffu, 65536), 0);
}

/*
 * Many random submit/consume sequences: an explicit model (indices mod
 * depth, a phase bit toggled on each wrap to 0, a count) must agree with
 * the counter arithmetic, including across the 32-bit counter wrap.
 */
static void t_random(void)
{
	unsigned seed = 12345;

	for (int run = 0; run < 400; run++) {
		uint32_t depth = 1u << (1 + rand_r(&seed) % 12);
		/* Start both counters at the same random point, sometimes
		 * just below 2^32, on a pass boundary so the model's phase
		 * (which starts at 1) is aligned. */
		uint32_t base = (run % 3 == 0) ? (uint32_t)(0 - 4 * depth)
					       : (uint32_t)rand_r(&seed);
		base &= ~(2 * depth - 1);
		uint32_t sq = base, cq = base;
		uint32_t m_tail = 0, m_head = 0, m_count = 0;
		uint16_t m_cphase = 1;	/* phase expected at m_head */
		bool ok = true;

		for (int step = 0; step < 2000 && ok; step++) {
			if (rand_r(&seed) % 2) {
				if (m_count < depth - 1) {
					ok &= !ak_ring_full(depth, sq, cq);
					ok &= ak_ring_slot(sq, depth) == m_tail;
					sq++;
					m_tail = (m_tail + 1) % depth;
					m_count++;
				} else {
					ok &= ak_ring_full(depth, sq, cq);
				}
			} else {
				if (m_count) {
					ok &= !ak_ring_empty(sq, cq);
					ok &= ak_ring_slot(cq, depth) == m_head;
					ok &= ak_ring_phase(cq, depth) == m_cphase;
					cq++;
					m_head = (m_head + 1) % depth;
					if (m_head == 0)
						m_cphase ^= 1;
					m_count--;
				} else {
					ok &= ak_ring_empty(sq, cq);
				}
			}
			ok &= ak_ring_inflight(sq, cq) == m_count;
			ok &= ak_ring_space(depth, sq, cq) == depth - 1 - m_count;
		}
		CU_ASSERT_TRUE(ok);
		if (!ok)
			break;
	}
}

int add_ring_suite(void)
{
	static const struct ak_test t[] = {
		{ "depth validity", t_depth_valid },
		{ "slot wrap", t_wrap },
		{ "full/empty, one slot free", t_full_empty },
		{ "phase flip", t_phase },
		{ "random sequences vs model", t_random },
		{ NULL, NULL },
	};
	return ak_add_suite("ring", NULL, NULL, t);
}
