/*
 * accelkit sample accelerator: steps and invalidation (docs/device.md,
 * "Steps" and "Invalidation").
 *
 * Jobs run in bounded steps: a step takes the PASID entry, translates at
 * most one page by a walk per buffer (more from the translation cache)
 * and moves at most AK_STEP_BYTES. An invalidation empties the cache at
 * once and waits only for the steps of its PASID that are running on the
 * workers when it is submitted: no MMIO handler ever waits, the slot's
 * DONE is written by the last of those steps to end. A step of a DMA-mode
 * queue (2.5) translates nothing, so no invalidation waits for it.
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "accelkit.h"

/* Is any worker inside a step? (s->lock held) */
bool ak_any_step(AkState *s)
{
    uint32_t i;

    for (i = 0; i < s->nr_workers; i++) {
        if (s->workers[i].step_active) {
            return true;
        }
    }
    return false;
}

/* Write DONE into the status word of descriptor @slot (s->lock held). */
static void ak_inv_done(AkState *s, uint32_t slot)
{
    uint8_t st[4];

    stl_le_p(st, AK_INV_STATUS_DONE);
    if (ak_dma(s, s->inv_table + (uint64_t)slot * AK_INV_DESC_SIZE +
               AK_INV_STATUS_OFF, st, sizeof(st), true)) {
        s->inv_done++;
    } else {
        s->inv_errors++;
    }
}

/*
 * INV_SUBMIT (s->lock held): fetch descriptor @slot, empty the cache of
 * what it covers, and complete it now or when the last running step of
 * its PASID ends.
 */
void ak_inv_submit(AkState *s, uint32_t slot)
{
    uint8_t d[AK_INV_DESC_SIZE];
    uint32_t pasid, flags, i;

    if (!s->inv_slots || slot >= s->inv_slots ||
        !ak_dma(s, s->inv_table + (uint64_t)slot * AK_INV_DESC_SIZE, d,
                sizeof(d), false)) {
        s->inv_errors++;
        qemu_log_mask(LOG_GUEST_ERROR, "accelkit: bad INV_SUBMIT %u\n", slot);
        return;
    }
    pasid = ldl_le_p(d);
    flags = ldl_le_p(d + 4);
    if (s->debug_inject & AK_DBG_IGNORE_INV) {
        return;                 /* fetched, never completed (RAS test) */
    }
    if (!(s->debug_inject & AK_DBG_KEEP_IOTLB)) {
        ak_tlb_flush(s, pasid, flags, ldq_le_p(d + 8), ldq_le_p(d + 16));
    }
    /*
     * A walk in progress may read a page-table page of any address of
     * the PASID, whatever the range: wait for every running step of it.
     * DMA-mode steps hold no translation: never waited for.
     */
    for (i = 0; i < s->nr_workers; i++) {
        AkWorker *w = &s->workers[i];

        if (w->step_active && w->step_xlate &&
            ((flags & AK_INV_ALL_PASIDS) || w->step_pasid == pasid) &&
            !test_bit(slot, w->inv_wait)) {
            set_bit(slot, w->inv_wait);
            s->inv_waiters[slot]++;
        }
    }
    if (!s->inv_waiters[slot]) {
        ak_inv_done(s, slot);
    }
}

/* Forget every pending invalidation (INV_SLOTS written, reset). */
void ak_inv_clear(AkState *s)
{
    uint32_t i;

    for (i = 0; i < s->nr_workers; i++) {
        bitmap_zero(s->workers[i].inv_wait, AK_INV_MAX_SLOTS);
    }
    memset(s->inv_waiters, 0, sizeof(s->inv_waiters));
}

/*
 * The running step of @r ended (s->lock held): complete the invalidations
 * that waited only for it, then a reset that waited for the last step.
 */
void ak_step_end_locked(AkState *s, AkRun *r)
{
    AkWorker *w = r->w;
    long slot;

    r->in_step = false;
    w->step_active = false;
    s->q[r->qi].in_step = false;
    for (slot = find_first_bit(w->inv_wait, AK_INV_MAX_SLOTS);
         slot < AK_INV_MAX_SLOTS;
         slot = find_next_bit(w->inv_wait, AK_INV_MAX_SLOTS, slot + 1)) {
        if (s->inv_waiters[slot] && !--s->inv_waiters[slot]) {
            ak_inv_done(s, slot);
        }
    }
    bitmap_zero(w->inv_wait, AK_INV_MAX_SLOTS);
    if (s->reset_pending && !ak_any_step(s)) {
        ak_reset_locked(s);
        s->reset_pending = false;
        qemu_cond_broadcast(&s->idle);
    }
}

void ak_step_end(AkState *s, AkRun *r)
{
    if (r->in_step) {
        qemu_mutex_lock(&s->lock);
        ak_step_end_locked(s, r);
        qemu_mutex_unlock(&s->lock);
    }
}

/*
 * End the current step, if any, and begin the next one. Returns SUCCESS,
 * STOPPED (the queue was disabled or reset: drop the job) or PAUSED (the
 * device was disabled: keep the job until it is enabled again).
 */
int ak_step(AkState *s, AkRun *r)
{
    AkQueue *q = &s->q[r->qi];
    AkWorker *w = r->w;
    int st = AK_ST_SUCCESS;

    qemu_mutex_lock(&s->lock);
    if (r->in_step) {
        ak_step_end_locked(s, r);
    }
    if (q->gen != r->gen || s->stopping) {
        st = AK_ST_STOPPED;
    } else if (!(s->dev_ctrl & AK_DEV_ENABLE) && !r->finishing) {
        st = AK_ST_PAUSED;
    } else {
        w->step_active = true;
        w->step_xlate = !r->dma;
        w->step_queue = r->qi;
        w->step_pasid = r->pasid;
        q->in_step = true;
        r->in_step = true;
        r->step_bytes = 0;
    }
    qemu_mutex_unlock(&s->lock);
    if (st == AK_ST_SUCCESS) {
        ak_stat_add(s, AK_STAT_STEPS, 1);
    }
    return st;
}

/*
 * Begin a step that translates: it starts with the PASID entry. A DMA-mode
 * job has none: its addresses are bus addresses.
 */
int ak_step_xlate(AkState *s, AkRun *r)
{
    int st = ak_step(s, r);

    if (st != AK_ST_SUCCESS || r->dma) {
        return st;
    }
    return ak_read_pasid(s, r);
}
