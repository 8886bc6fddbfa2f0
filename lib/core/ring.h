/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure ring arithmetic for the accelkit SQ/CQ pair (docs/device.md, "Rings").
 *
 * The library keeps two free-running 32-bit counters per queue:
 *   sq = number of descriptors ever submitted,
 *   cq = number of completions ever consumed (reaped).
 * Slot of counter c: c mod depth. In flight: sq - cq (unsigned wrap-safe).
 * At most depth-1 jobs are in flight (one slot always kept free), which
 * also guarantees the device always finds a free completion slot.
 * Expected completion phase for counter c: 1 on the first pass over the
 * ring, flipping each time the index wraps to 0, i.e. 1 ^ ((c / depth) & 1).
 * depth is a power of two <= 2^31, so this stays consistent when the
 * 32-bit counter itself wraps.
 *
 * No state, no side effects: unit-tested in tests/host.
 */
#ifndef AK_RING_H
#define AK_RING_H

#include <stdbool.h>
#include <stdint.h>

#define AK_RING_MIN_DEPTH	2u
#define AK_RING_MAX_DEPTH	65536u	/* completion sq_head is 16 bits */

static inline bool ak_ring_depth_valid(uint32_t depth)
{
	return depth >= AK_RING_MIN_DEPTH && depth <= AK_RING_MAX_DEPTH &&
	       (depth & (depth - 1)) == 0;
}

/* Ring index of a free-running counter. */
static inline uint32_t ak_ring_slot(uint32_t cnt, uint32_t depth)
{
	return cnt & (depth - 1);
}

/* Jobs submitted and not yet consumed. */
static inline uint32_t ak_ring_inflight(uint32_t sq, uint32_t cq)
{
	return sq - cq;
}

/* Jobs that may still be submitted: depth - 1 - inflight. */
static inline uint32_t ak_ring_space(uint32_t depth, uint32_t sq, uint32_t cq)
{
	uint32_t used = ak_ring_inflight(sq, cq);

	return used >= depth - 1 ? 0 : depth - 1 - used;
}

static inline bool ak_ring_empty(uint32_t sq, uint32_t cq)
{
	return sq == cq;
}

static inline bool ak_ring_full(uint32_t depth, uint32_t sq, uint32_t cq)
{
	return ak_ring_space(depth, sq, cq) == 0;
}

/* Phase bit (0/1) the device writes into the record at counter cnt. */
static inline uint16_t ak_ring_phase(uint32_t cnt, uint32_t depth)
{
	/* depth is a power of two: cnt / depth == cnt >> log2(depth). */
	return (uint16_t)(1u ^ ((cnt / depth) & 1u));
}

#endif /* AK_RING_H */
