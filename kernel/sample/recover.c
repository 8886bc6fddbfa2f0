// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: error detection and recovery
 * (docs/architecture.md, "Errors and recovery").
 *
 * - The watchdog (delayed work, armed while a queue is started) looks at
 *   every started queue each hang_ms / 4: completions that came with no
 *   interrupt (a lost MSI-X) wake the queue's pollers and are counted;
 *   work pending with no progress of SQ_HEAD/CQ_TAIL for hang_ms, no job
 *   in execution (STATUS.BUSY), while the queue waits neither for a page
 *   response nor for user space to make room in its CQ, fails the queue.
 * - Failing a queue: accelkit_queue_fail(); the framework calls
 *   aks_fail_queue() with its queue locks held, which disables the
 *   hardware queue and writes one ABORTED record per outstanding job.
 * - A wait for the device that times out (invalidation, queue stop)
 *   turns bus mastering off at once (so the device can use nothing it
 *   should have forgotten) and queues a device reset: every started queue
 *   is disabled, its ring indices saved, the device reset, reprogrammed
 *   and enabled, then the queues are failed with their saved indices. A
 *   device that does not come back from the reset is "broken" for good.
 * - Engine errors (ERR_STATUS.UNCORRECTABLE) are counted from vector 0.
 *
 * Every error goes to accelkit_report_hw_error() (isolate_strategy) and
 * prints at most one rate-limited line.
 */
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/module.h>

#include "kq.h"
#include "sample.h"

static unsigned int hang_ms = 10000;
module_param(hang_ms, uint, 0644);
MODULE_PARM_DESC(hang_ms, "a queue with work and no progress for this long has failed (default 10000, min 20)");

static unsigned long aks_hang_jiffies(void)
{
	return msecs_to_jiffies(max(READ_ONCE(hang_ms), 20U));
}

/* Did a descriptor of slots [from, to) ask for an interrupt? */
static bool aks_irq_wanted(struct aks_hwq *hwq, u32 from, u32 to)
{
	const struct aks_desc *sq = hwq->ring;
	u32 mask = hwq->sdev->depth - 1;

	for (; from != to; from = (from + 1) & mask)
		if (le16_to_cpu(READ_ONCE(sq[from].flags)) & AKS_DF_IRQ)
			return true;
	return false;
}

/*
 * One started queue (q stays valid: hwq->q is read under sdev->lock).
 * Returns true to fail it.
 */
static bool aks_watch_queue(struct aks_hwq *hwq, struct accelkit_queue *q)
{
	struct aks_dev *sdev = hwq->sdev;
	u32 mask = sdev->depth - 1;
	u32 sq_head, sq_tail, cq_tail, cq_head, status, irqs;
	bool progress, waits_for_user;

	status = aks_qread(hwq, AKS_Q_STATUS);
	if (status == U32_MAX)
		return false;		/* gone: removal deals with it */
	sq_head = aks_qread(hwq, AKS_Q_SQ_HEAD) & mask;
	sq_tail = aks_qread(hwq, AKS_Q_SQ_TAIL) & mask;
	cq_tail = aks_qread(hwq, AKS_Q_CQ_TAIL) & mask;
	cq_head = aks_qread(hwq, AKS_Q_CQ_HEAD) & mask;
	irqs = READ_ONCE(hwq->irqs);

	/*
	 * Lost interrupts: records written since the last look, one of them
	 * asked for an interrupt, and none came. Wake now; count it if still
	 * none came a whole period later (it was not just in flight).
	 */
	if (hwq->wd.suspect && irqs == hwq->wd.suspect_irqs)
		atomic_inc(&sdev->lost_irqs);
	hwq->wd.suspect = false;
	if (cq_tail != hwq->wd.cq_tail && irqs == hwq->wd.irqs &&
	    aks_irq_wanted(hwq, hwq->wd.cq_tail, cq_tail)) {
		hwq->wd.suspect = true;
		hwq->wd.suspect_irqs = irqs;
		/* a crypto kernel queue is served by its vector's thread */
		if (READ_ONCE(hwq->kq))
			irq_wake_thread(hwq->irq, hwq);
		else
			accelkit_queue_wake(q);
	}

	/*
	 * A crypto kernel queue (kq.c): records its thread has not consumed
	 * and no interrupt for a whole period. The check above misses a lost
	 * interrupt that follows others within one period; the thread reaps
	 * whatever is there, so a spurious wake is harmless.
	 */
	if (READ_ONCE(hwq->kq) && cq_tail != cq_head && irqs == hwq->wd.irqs)
		irq_wake_thread(hwq->irq, hwq);

	/*
	 * BUSY: a job is in execution (steps or an engine run); the device
	 * bounds its jobs, so that is progress however long the job takes.
	 */
	progress = sq_head != hwq->wd.sq_head || cq_tail != hwq->wd.cq_tail ||
		   (status & AKS_Q_STATUS_BUSY);
	/* A page request, or a full CQ: user-controlled waits, never hangs. */
	waits_for_user = (status & AKS_Q_STATUS_STALLED) ||
			 ((cq_tail + 1) & mask) == cq_head;
	hwq->wd.sq_head = sq_head;
	hwq->wd.cq_tail = cq_tail;
	hwq->wd.irqs = irqs;
	if (progress || waits_for_user || sq_head == sq_tail) {
		hwq->wd.progress = jiffies;
		return false;
	}
	return time_after(jiffies, hwq->wd.progress + aks_hang_jiffies());
}

static void aks_watchdog(struct work_struct *work)
{
	struct aks_dev *sdev = container_of(to_delayed_work(work),
					    struct aks_dev, watchdog);
	bool again = false;
	unsigned int i;

	if (test_bit(AKS_F_REMOVING, &sdev->flags))
		return;
	for (i = 0; i < sdev->nr_queues && !aks_dma_off(sdev); i++) {
		struct aks_hwq *hwq = &sdev->hwq[i];
		struct accelkit_queue *q;
		bool fail = false;

		spin_lock(&sdev->lock);
		q = hwq->q;
		if (q && READ_ONCE(hwq->started) && !hwq->wd.failing) {
			again = true;
			fail = aks_watch_queue(hwq, q);
			if (fail) {
				hwq->wd.failing = true;
				accelkit_queue_fail(q);
			}
		}
		spin_unlock(&sdev->lock);
		if (fail) {
			atomic_inc(&sdev->queue_resets);
			accelkit_report_hw_error(sdev->adev);
			dev_err_ratelimited(&sdev->pdev->dev,
					    "queue %u makes no progress: failed\n",
					    i);
		}
	}
	/* during a reset: look again once it is over */
	if (!aks_broken(sdev) &&
	    (again || test_bit(AKS_F_DMA_OFF, &sdev->flags)))
		schedule_delayed_work(&sdev->watchdog,
				      max(aks_hang_jiffies() / 4, 1UL));
}

/* start_queue, q->mutex held: watch the queue from now on. */
void aks_watchdog_start(struct aks_dev *sdev, struct aks_hwq *hwq)
{
	spin_lock(&sdev->lock);
	hwq->wd.sq_head = 0;
	hwq->wd.cq_tail = 0;
	hwq->wd.irqs = READ_ONCE(hwq->irqs);
	hwq->wd.suspect = false;
	hwq->wd.failing = false;
	hwq->wd.progress = jiffies;
	spin_unlock(&sdev->lock);
	schedule_delayed_work(&sdev->watchdog,
			      max(aks_hang_jiffies() / 4, 1UL));
}

/*
 * Write an ABORTED record for each job between @sq_head and @sq_tail, as
 * the device would have completed them: from CQ slot @cq_tail on (the
 * device keeps SQ and CQ in step), the tag from the SQ ring, PHASE that
 * of the lap. Never more than the CQ has room for (up to @cq_head): jobs
 * beyond that get no record.
 */
static void aks_write_aborted(struct aks_hwq *hwq, u32 sq_head, u32 sq_tail,
			      u32 cq_tail, u32 cq_head)
{
	struct aks_dev *sdev = hwq->sdev;
	const struct aks_desc *sq = hwq->ring;
	struct aks_cpl *cq = hwq->ring + sdev->cq_offset;
	u32 mask = sdev->depth - 1, n, room, i;
	u16 phase;

	sq_head &= mask;
	cq_tail &= mask;
	n = (sq_tail - sq_head) & mask;
	room = (cq_head - cq_tail - 1) & mask;
	n = min(n, room);
	/*
	 * The lap's phase: that of the last record the device wrote; at
	 * slot 0 the previous lap ended at the last slot (still zeroed, phase
	 * 0, before the first lap: then the phase is 1 too).
	 */
	phase = le16_to_cpu(READ_ONCE(cq[(cq_tail - 1) & mask].flags)) &
		AKS_CF_PHASE;
	if (!cq_tail)
		phase ^= AKS_CF_PHASE;

	for (i = 0; i < n; i++) {
		u32 slot = (cq_tail + i) & mask;
		u32 next = (sq_head + i + 1) & mask;
		struct aks_cpl *c = &cq[slot];

		if (!slot && i)
			phase ^= AKS_CF_PHASE;
		WRITE_ONCE(c->tag, READ_ONCE(sq[(sq_head + i) & mask].tag));
		WRITE_ONCE(c->bytes, 0);
		WRITE_ONCE(c->fault_addr, 0);
		WRITE_ONCE(c->status, cpu_to_le16(AKS_ST_ABORTED));
		WRITE_ONCE(c->sq_head, cpu_to_le16(next));
		WRITE_ONCE(c->rsvd, 0);
		/* the body before PHASE, as the device does */
		dma_wmb();
		WRITE_ONCE(c->flags, cpu_to_le16(phase));
	}
}

/*
 * accelkit_ops.fail_queue, with the framework's queue locks held: stop
 * the hardware queue and abort what it had not completed.
 */
void aks_fail_queue(struct accelkit_queue *q)
{
	struct aks_hwq *hwq = accelkit_queue_priv(q);
	struct aks_dev *sdev = hwq->sdev;
	u32 status;

	mutex_lock(&sdev->recover_lock);
	WRITE_ONCE(hwq->started, false);
	if (!hwq->snap.valid) {
		aks_qwrite(hwq, AKS_Q_CTRL, 0);
		if (!aks_dma_off(sdev) &&
		    readl_poll_timeout(sdev->regs +
				       AKS_QREG(hwq->index, AKS_Q_STATUS),
				       status, !(status & AKS_Q_STATUS_ACTIVE),
				       10, AKS_TIMEOUT_US))
			aks_device_fault(sdev, "queue stop");
		hwq->snap.sq_head = aks_qread(hwq, AKS_Q_SQ_HEAD);
		hwq->snap.sq_tail = aks_qread(hwq, AKS_Q_SQ_TAIL);
		hwq->snap.cq_tail = aks_qread(hwq, AKS_Q_CQ_TAIL);
		hwq->snap.cq_head = aks_qread(hwq, AKS_Q_CQ_HEAD);
	}
	/* all ones: the device is gone, there are no indices */
	if (hwq->snap.sq_head != U32_MAX)
		aks_write_aborted(hwq, hwq->snap.sq_head, hwq->snap.sq_tail,
				  hwq->snap.cq_tail, hwq->snap.cq_head);
	hwq->snap.valid = false;
	mutex_unlock(&sdev->recover_lock);
	/* a crypto kernel queue: end its requests, re-arm it later */
	aks_kq_queue_failed(hwq);
}

/**
 * aks_device_fault() - a wait for the device timed out: reset it
 * @sdev: the device
 * @what: what timed out, for the one message
 *
 * Any context (invalidations come from mmu_notifiers). Bus mastering goes
 * off at once: the device can no longer touch memory, so the wait that
 * timed out is as good as done. The reset work brings it back. During
 * removal, or for a device that failed its reset, it stays off for good.
 */
void aks_device_fault(struct aks_dev *sdev, const char *what)
{
	atomic_inc(&sdev->timeouts);
	if (test_bit(AKS_F_REMOVING, &sdev->flags) || aks_broken(sdev)) {
		aks_mark_broken(sdev, what);
		return;
	}
	if (test_and_set_bit(AKS_F_DMA_OFF, &sdev->flags))
		return;
	pci_clear_master(sdev->pdev);
	if (sdev->adev)
		accelkit_report_hw_error(sdev->adev);
	dev_err_ratelimited(&sdev->pdev->dev,
			    "device does not answer (%s): resetting it\n",
			    what);
	queue_work(system_wq, &sdev->reset_work);
}

/* Fail every queue whose indices the reset saved. */
static void aks_fail_saved(struct aks_dev *sdev)
{
	unsigned int i;

	spin_lock(&sdev->lock);
	for (i = 0; i < sdev->nr_queues; i++) {
		struct aks_hwq *hwq = &sdev->hwq[i];

		if (hwq->q && hwq->snap.valid) {
			hwq->wd.failing = true;
			accelkit_queue_fail(hwq->q);
		}
	}
	spin_unlock(&sdev->lock);
}

static void aks_reset_work(struct work_struct *work)
{
	struct aks_dev *sdev = container_of(work, struct aks_dev, reset_work);
	unsigned int i;
	u32 status;

	/* Stop the started queues and save where they were. */
	mutex_lock(&sdev->recover_lock);
	for (i = 0; i < sdev->nr_queues; i++) {
		struct aks_hwq *hwq = &sdev->hwq[i];

		if (!READ_ONCE(hwq->started))
			continue;
		aks_qwrite(hwq, AKS_Q_CTRL, 0);
		/* bus mastering is off: the step ends soon, or never */
		readl_poll_timeout(sdev->regs + AKS_QREG(i, AKS_Q_STATUS),
				   status, !(status & AKS_Q_STATUS_ACTIVE), 10,
				   AKS_TIMEOUT_US);
		hwq->snap.sq_head = aks_qread(hwq, AKS_Q_SQ_HEAD);
		hwq->snap.sq_tail = aks_qread(hwq, AKS_Q_SQ_TAIL);
		hwq->snap.cq_tail = aks_qread(hwq, AKS_Q_CQ_TAIL);
		hwq->snap.cq_head = aks_qread(hwq, AKS_Q_CQ_HEAD);
		hwq->snap.valid = hwq->snap.sq_head != U32_MAX;
	}

	if (aks_reset(sdev) == 0) {
		unsigned long flags;

		/* A fresh ring: the device starts at slot 0 again. */
		spin_lock_irqsave(&sdev->prq_lock, flags);
		pci_set_master(sdev->pdev);
		if (aks_enable(sdev) == 0) {
			clear_bit(AKS_F_DMA_OFF, &sdev->flags);
			atomic_inc(&sdev->device_resets);
		}
		spin_unlock_irqrestore(&sdev->prq_lock, flags);
	}
	if (test_bit(AKS_F_DMA_OFF, &sdev->flags))
		aks_mark_broken(sdev, "reset");
	mutex_unlock(&sdev->recover_lock);
	aks_fail_saved(sdev);
}

/* Vector 0, ERR_STATUS.UNCORRECTABLE: a job ended in HW_ERROR. */
void aks_engine_error(struct aks_dev *sdev)
{
	u32 qi = aks_read(sdev, AKS_REG_ERR_QUEUE);

	dev_err_ratelimited(&sdev->pdev->dev,
			    "engine error on queue %u: job failed\n", qi);
}

void aks_recover_init(struct aks_dev *sdev)
{
	mutex_init(&sdev->recover_lock);
	INIT_DELAYED_WORK(&sdev->watchdog, aks_watchdog);
	INIT_WORK(&sdev->reset_work, aks_reset_work);
}

/*
 * remove(), before accelkit_remove(): no recovery from here on (a timeout
 * marks the device broken), and nothing of ours runs any more that could
 * use the framework device.
 */
void aks_recover_stop(struct aks_dev *sdev)
{
	set_bit(AKS_F_REMOVING, &sdev->flags);
	cancel_work_sync(&sdev->reset_work);
	cancel_delayed_work_sync(&sdev->watchdog);
}
