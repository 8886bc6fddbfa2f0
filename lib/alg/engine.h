/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device job engine (engine.c): algorithm descriptors, submission
 * with back-pressure, completion dispatch by tag to struct ak_slot
 * handlers. Knows nothing of requests, streams or digests.
 */
#ifndef AK_ALG_ENGINE_H
#define AK_ALG_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

/* Build an algorithm descriptor. */
void ak_alg_desc(struct aks_desc *d, unsigned op, unsigned flags,
		 unsigned ctx, const void *src, uint64_t len, void *dst,
		 uint64_t dst_len, const struct aks_params *p,
		 struct ak_slot *slot, bool irq);
/* Submit one descriptor; waits (dispatching) for ring space. */
int ak_eng_submit(struct ak_session *s, const struct aks_desc *d);
/* Wait up to @timeout_ms for completions and dispatch them. Returns the
 * number dispatched, or negative errno (-ETIMEDOUT after which the queue
 * has been dropped). */
int ak_eng_reap(struct ak_session *s, int timeout_ms);
/* Submit @d and wait for its completion (dispatching others). */
int ak_eng_run(struct ak_session *s, struct aks_desc *d,
	       struct ak_result *r, uint16_t *cflags);

#endif /* AK_ALG_ENGINE_H */
