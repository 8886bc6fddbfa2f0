// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: the kernel-queue engine under the crypto API.
 *
 * Per device one struct aks_kdev (kref'd: transforms keep it after the
 * device is gone), holding a pool of kernel queues (accelkit_kqueue_claim():
 * DMA mode, bus addresses). The first transform claims up to AKS_KQ_MAX of
 * them (at least one, as many as the "kernel_queues" reservation lets us),
 * the last one releases them.
 *
 * Per kernel queue: AKS_KQ_SLOTS slots, each with a coherent meta block
 * (parameter block, key, IV, digest) and a coherent bounce pair (64 KiB
 * in, 64 KiB out); a crypto_queue backlog; kq->lock, irq-safe, innermost.
 * Every request goes through its slot's bounce buffers, so the device never
 * writes the caller's memory: a job that is aborted or lost leaves the
 * caller's buffers as they were, and software can redo it.
 *
 * Submission never sleeps and never allocates (zswap calls decompress under
 * its per-CPU mutex; reclaim from here could re-enter zswap_store). With
 * no free slot the request goes to the backlog: -EINPROGRESS, -EBUSY with
 * CRYPTO_TFM_REQ_MAY_BACKLOG once the backlog is full, else -ENOSPC.
 *
 * Completion: the queue's MSI-X vector is a threaded interrupt; the hard
 * handler returns IRQ_WAKE_THREAD for a kernel queue. The thread reaps CQ
 * records (tag = sequence << 8 | slot), copies bounces out, frees slots,
 * moves backlog into slots, then, with kq->lock dropped and bottom halves
 * disabled, tells backlogged requests -EINPROGRESS and calls each request's
 * completion hook (which calls *_request_complete()).
 *
 * Failure: recovery (recover.c) fails a stuck queue with ABORTED records
 * and calls aks_kq_queue_failed(): those requests and any left without a
 * record complete as failed (the algorithms redo them in software, or fail
 * them), and a work item releases and claims the queue again. Removal
 * (aks_kdev_kill()) releases every queue and completes what was pending as
 * gone.
 *
 * Locks: aks_crypto_lock -> kdev->mutex -> (claim: adev->mutex; release:
 * q->ctl -> adev->mutex -> q->mutex); q->ctl -> fail_queue ->
 * aks_kq_queue_failed() -> kq->lock. No completion hook runs under kq->lock.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kq.h"

struct aks_kq_meta {
	struct aks_params params;	/* first: the descriptor points here */
	u8 key[AKS_KQ_KEY_MAX];
	u8 iv[AKS_KQ_IV];
	u8 digest[AKS_KQ_DIGEST];
} __aligned(64);

struct aks_kq {
	struct aks_kdev *kdev;
	/* everything below; taken irqsave, innermost */
	spinlock_t lock;
	/* NULL: none (released, removed, or a re-arm that failed) */
	struct accelkit_queue *q;
	struct aks_hwq *hwq;		/* valid while q is set */
	bool failed;			/* takes no jobs until re-armed */
	u32 sq_tail, cq_head, mask;
	u16 phase;
	u32 seq;
	unsigned long free;		/* a bit per free slot */
	struct aks_kreq *slot[AKS_KQ_SLOTS];
	u32 slot_seq[AKS_KQ_SLOTS];
	struct aks_kq_meta *meta;	/* AKS_KQ_SLOTS, coherent */
	dma_addr_t meta_dma;
	void *bounce[AKS_KQ_SLOTS];	/* in, then out: 2 * AKS_KQ_BOUNCE */
	dma_addr_t bounce_dma[AKS_KQ_SLOTS];
	struct crypto_queue backlog;
};

#define AKS_KQ_ALL_FREE		(BIT(AKS_KQ_SLOTS) - 1)

static struct workqueue_struct *aks_kq_wq;

/* Coherent memory of one kernel queue (process context). */
static int aks_kq_alloc_mem(struct aks_kq *kq)
{
	struct device *dev = kq->kdev->dev;
	int i;

	kq->meta = dma_alloc_coherent(dev, AKS_KQ_SLOTS * sizeof(*kq->meta),
				      &kq->meta_dma, GFP_KERNEL);
	if (!kq->meta)
		return -ENOMEM;
	for (i = 0; i < AKS_KQ_SLOTS; i++) {
		kq->bounce[i] = dma_alloc_coherent(dev, 2 * AKS_KQ_BOUNCE,
						   &kq->bounce_dma[i],
						   GFP_KERNEL);
		if (!kq->bounce[i])
			return -ENOMEM;
	}
	return 0;
}

/* Only once the device can no longer reach it (queue released). */
static void aks_kq_free_mem(struct aks_kq *kq)
{
	struct device *dev = kq->kdev->dev;
	int i;

	for (i = 0; i < AKS_KQ_SLOTS; i++) {
		if (kq->bounce[i])
			dma_free_coherent(dev, 2 * AKS_KQ_BOUNCE, kq->bounce[i],
					  kq->bounce_dma[i]);
		kq->bounce[i] = NULL;
	}
	if (kq->meta)
		dma_free_coherent(dev, AKS_KQ_SLOTS * sizeof(*kq->meta),
				  kq->meta, kq->meta_dma);
	kq->meta = NULL;
}

/* kq->lock held: put @kr into a free slot and ring the doorbell. */
static int aks_kq_ring(struct aks_kq *kq, struct aks_kreq *kr)
{
	struct aks_hwq *hwq = kq->hwq;
	struct aks_desc *sq = hwq->ring;
	unsigned int slot = __ffs(kq->free);
	struct aks_kq_meta *m = &kq->meta[slot];
	dma_addr_t mdma = kq->meta_dma + slot * sizeof(*m);
	void *bounce = kq->bounce[slot];
	dma_addr_t bdma = kq->bounce_dma[slot];
	struct aks_desc d = { };

	if (!READ_ONCE(hwq->started))
		return -EIO;
	if (kr->slen)
		sg_pcopy_to_buffer(kr->src, sg_nents(kr->src), bounce,
				   kr->slen, 0);
	m->params = kr->params;
	if (kr->key) {
		memcpy(m->key, kr->key, kr->params.key_len);
		m->params.key = mdma + offsetof(struct aks_kq_meta, key);
	}
	if (kr->iv) {
		memcpy(m->iv, kr->iv, AKS_KQ_IV);
		m->params.iv = mdma + offsetof(struct aks_kq_meta, iv);
	}

	kq->seq++;
	d.opcode = cpu_to_le16(kr->opcode);
	d.flags = cpu_to_le16(kr->flags | AKS_DF_IRQ | AKS_DF_FIRST |
			      AKS_DF_LAST);
	d.tag = cpu_to_le64((u64)kq->seq << 8 | slot);
	d.src = cpu_to_le64(bdma);
	d.len = cpu_to_le64(kr->slen);
	if (kr->dst) {
		d.dst = cpu_to_le64(bdma + AKS_KQ_BOUNCE);
		d.pattern = cpu_to_le64(min_t(u32, kr->dlen, AKS_KQ_BOUNCE));
	} else {
		d.dst = cpu_to_le64(mdma + offsetof(struct aks_kq_meta,
						    digest));
		d.pattern = cpu_to_le64(AKS_KQ_DIGEST);
	}
	d.rsvd1[0] = cpu_to_le64(mdma);

	kq->slot[slot] = kr;
	kq->slot_seq[slot] = kq->seq;
	__clear_bit(slot, &kq->free);
	sq[kq->sq_tail] = d;
	kq->sq_tail = (kq->sq_tail + 1) & kq->mask;
	/* descriptor, meta and bounce before the doorbell */
	dma_wmb();
	writel(kq->sq_tail, hwq->db + AKS_DB_SQ_TAIL);
	return 0;
}

/* kq->lock held: the slot's job ended with @status; @kr goes to @done. */
static void aks_kq_finish(struct aks_kq *kq, unsigned int slot, int status,
			  u64 bytes, struct list_head *done)
{
	struct aks_kreq *kr = kq->slot[slot];
	struct aks_kq_meta *m = &kq->meta[slot];

	if (status == AKS_ST_SUCCESS) {
		if (kr->dst) {
			bytes = min_t(u64, bytes, min_t(u32, kr->dlen,
							AKS_KQ_BOUNCE));
			sg_pcopy_from_buffer(kr->dst, sg_nents(kr->dst),
					     kq->bounce[slot] + AKS_KQ_BOUNCE,
					     bytes, 0);
		} else {
			memcpy(kr->out, m->digest, AKS_KQ_DIGEST);
		}
	} else {
		atomic64_inc(&kq->kdev->errors);
	}
	if (kr->key)
		memzero_explicit(m->key, sizeof(m->key));
	kr->bytes = bytes;
	kr->status = status;
	kq->slot[slot] = NULL;
	__set_bit(slot, &kq->free);
	list_add_tail(&kr->node, done);
}

/* kq->lock held, kq->q set: take every record the device wrote. */
static void aks_kq_reap(struct aks_kq *kq, struct list_head *done)
{
	struct aks_hwq *hwq = kq->hwq;
	struct aks_cpl *cq = hwq->ring + hwq->sdev->cq_offset;
	bool moved = false;

	for (;;) {
		struct aks_cpl *c = &cq[kq->cq_head];
		unsigned int slot;
		u16 status;
		u64 tag;

		if ((le16_to_cpu(READ_ONCE(c->flags)) & AKS_CF_PHASE) !=
		    kq->phase)
			break;
		dma_rmb();	/* the body after PHASE */
		tag = le64_to_cpu(c->tag);
		kq->cq_head = (kq->cq_head + 1) & kq->mask;
		if (!kq->cq_head)
			kq->phase ^= AKS_CF_PHASE;
		moved = true;
		slot = tag & 0xff;
		if (slot >= AKS_KQ_SLOTS || !kq->slot[slot] ||
		    kq->slot_seq[slot] != (u32)(tag >> 8)) {
			atomic64_inc(&kq->kdev->errors);
			continue;
		}
		status = le16_to_cpu(c->status);
		/* ABORTED records are the driver's (recover.c), not jobs */
		if (status != AKS_ST_ABORTED)
			atomic64_inc(&kq->kdev->jobs);
		aks_kq_finish(kq, slot, status, le64_to_cpu(c->bytes), done);
	}
	if (moved && READ_ONCE(hwq->started))
		writel(kq->cq_head, hwq->db + AKS_DB_CQ_HEAD);
}

/*
 * kq->lock held: every slot still busy ends with @status (the device can
 * no longer complete it), and so does the backlog.
 */
static void aks_kq_abort(struct aks_kq *kq, int status,
			 struct list_head *notify, struct list_head *done)
{
	unsigned int slot;

	for (slot = 0; slot < AKS_KQ_SLOTS; slot++)
		if (kq->slot[slot])
			aks_kq_finish(kq, slot, status, 0, done);
	while (kq->backlog.qlen) {
		struct crypto_async_request *bl, *base;
		struct aks_kreq *kr;

		bl = crypto_get_backlog(&kq->backlog);
		base = crypto_dequeue_request(&kq->backlog);
		if (bl)
			list_add_tail(&aks_kreq_of(bl)->bl_node, notify);
		kr = aks_kreq_of(base);
		kr->status = status;
		kr->bytes = 0;
		atomic64_inc(&kq->kdev->errors);
		list_add_tail(&kr->node, done);
	}
}

/* kq->lock held: move backlog into free slots. */
static void aks_kq_refill(struct aks_kq *kq, struct list_head *notify,
			  struct list_head *done)
{
	while (kq->free && kq->backlog.qlen && kq->q && !kq->failed) {
		struct crypto_async_request *bl, *base;
		struct aks_kreq *kr;

		bl = crypto_get_backlog(&kq->backlog);
		base = crypto_dequeue_request(&kq->backlog);
		if (bl)
			list_add_tail(&aks_kreq_of(bl)->bl_node, notify);
		kr = aks_kreq_of(base);
		if (aks_kq_ring(kq, kr)) {
			/* not started: recovery is failing the queue */
			kq->failed = true;
			kr->status = AKS_KR_FAILED;
			kr->bytes = 0;
			atomic64_inc(&kq->kdev->errors);
			list_add_tail(&kr->node, done);
		}
	}
}

/* No lock held: tell the backlogged, then complete. */
static void aks_kq_complete(struct list_head *notify, struct list_head *done)
{
	struct aks_kreq *kr, *tmp;

	if (list_empty(notify) && list_empty(done))
		return;
	local_bh_disable();
	list_for_each_entry_safe(kr, tmp, notify, bl_node) {
		list_del(&kr->bl_node);
		crypto_request_complete(kr->base, -EINPROGRESS);
	}
	list_for_each_entry_safe(kr, tmp, done, node) {
		list_del(&kr->node);
		kr->complete(kr, kr->status);	/* may free kr */
	}
	local_bh_enable();
}

/* The threaded handler of a kernel queue's vector (pci.c). */
irqreturn_t aks_kq_irq_thread(struct aks_hwq *hwq)
{
	struct aks_kq *kq = READ_ONCE(hwq->kq);
	LIST_HEAD(notify);
	LIST_HEAD(done);
	unsigned long flags;

	/* released meanwhile: the interrupt was ours all the same */
	if (!kq)
		return IRQ_HANDLED;
	spin_lock_irqsave(&kq->lock, flags);
	if (kq->q && kq->hwq == hwq) {
		aks_kq_reap(kq, &done);
		aks_kq_refill(kq, &notify, &done);
	}
	spin_unlock_irqrestore(&kq->lock, flags);
	aks_kq_complete(&notify, &done);
	return IRQ_HANDLED;
}

/*
 * recover.c, after aks_fail_queue() wrote ABORTED records (framework queue
 * locks held, process context): finish everything on the queue, take no
 * more jobs, and have the work item re-arm it.
 */
void aks_kq_queue_failed(struct aks_hwq *hwq)
{
	struct aks_kq *kq = READ_ONCE(hwq->kq);
	LIST_HEAD(notify);
	LIST_HEAD(done);
	unsigned long flags;

	if (!kq)
		return;
	spin_lock_irqsave(&kq->lock, flags);
	if (kq->q && kq->hwq == hwq) {
		kq->failed = true;
		aks_kq_reap(kq, &done);
		aks_kq_abort(kq, AKS_KR_FAILED, &notify, &done);
	}
	spin_unlock_irqrestore(&kq->lock, flags);
	aks_kq_complete(&notify, &done);
	queue_delayed_work(aks_kq_wq, &kq->kdev->rearm, 0);
}

/*
 * The framework removes the device while a queue is still claimed (only
 * when aks_crypto_remove() did not run first: a safety net). q->ctl held,
 * the hardware queue stopped: end every request; never release here.
 */
static void aks_kq_revoke(struct accelkit_queue *q, void *data)
{
	struct aks_kq *kq = data;
	LIST_HEAD(notify);
	LIST_HEAD(done);
	unsigned long flags;

	spin_lock_irqsave(&kq->lock, flags);
	kq->failed = true;
	aks_kq_abort(kq, AKS_KR_GONE, &notify, &done);
	spin_unlock_irqrestore(&kq->lock, flags);
	aks_kq_complete(&notify, &done);
}

/* kdev->mutex held: claim a hardware queue for @kq. */
static int aks_kq_attach(struct aks_kq *kq)
{
	struct aks_kdev *kdev = kq->kdev;
	struct accelkit_queue *q;
	struct aks_hwq *hwq;
	unsigned long flags;

	q = accelkit_kqueue_claim(kdev->sdev->adev, aks_kq_revoke, kq);
	if (IS_ERR(q))
		return PTR_ERR(q);
	hwq = accelkit_queue_priv(q);
	spin_lock_irqsave(&kq->lock, flags);
	kq->q = q;
	kq->hwq = hwq;
	kq->failed = false;
	kq->sq_tail = 0;
	kq->cq_head = 0;
	kq->mask = hwq->sdev->depth - 1;
	kq->phase = AKS_CF_PHASE;	/* a started queue begins at slot 0 */
	kq->free = AKS_KQ_ALL_FREE;
	spin_unlock_irqrestore(&kq->lock, flags);
	WRITE_ONCE(hwq->kq, kq);
	return 0;
}

/*
 * kdev->mutex held: give the hardware queue back (stopped, and the
 * threaded handler synchronized with, by put_queue), then end what the
 * device can no longer complete with @status.
 */
static void aks_kq_detach(struct aks_kq *kq, int status)
{
	struct accelkit_queue *q;
	LIST_HEAD(notify);
	LIST_HEAD(done);
	unsigned long flags;

	spin_lock_irqsave(&kq->lock, flags);
	q = kq->q;
	kq->q = NULL;
	kq->failed = true;
	if (q)
		WRITE_ONCE(kq->hwq->kq, NULL);
	spin_unlock_irqrestore(&kq->lock, flags);
	if (q)
		accelkit_kqueue_release(q);

	spin_lock_irqsave(&kq->lock, flags);
	aks_kq_abort(kq, status, &notify, &done);
	kq->hwq = NULL;
	spin_unlock_irqrestore(&kq->lock, flags);
	aks_kq_complete(&notify, &done);
}

static struct aks_kq *aks_kq_alloc(struct aks_kdev *kdev)
{
	struct aks_kq *kq;

	kq = kzalloc_node(sizeof(*kq), GFP_KERNEL, kdev->node_id);
	if (!kq)
		return NULL;
	kq->kdev = kdev;
	spin_lock_init(&kq->lock);
	crypto_init_queue(&kq->backlog, AKS_KQ_BACKLOG);
	kq->failed = true;
	return kq;
}

/* Failed queues: release them and claim new ones (kdev->rearm). */
static void aks_kdev_rearm(struct work_struct *work)
{
	struct aks_kdev *kdev = container_of(to_delayed_work(work),
					     struct aks_kdev, rearm);
	bool again = false;
	unsigned int i;

	mutex_lock(&kdev->mutex);
	for (i = 0; i < kdev->nkq && kdev->users && !kdev->dead; i++) {
		struct aks_kq *kq = kdev->kq[i];

		if (!READ_ONCE(kq->failed))
			continue;
		aks_kq_detach(kq, AKS_KR_FAILED);
		if (aks_kq_attach(kq))
			again = true;
	}
	if (again && kdev->users && !kdev->dead)
		queue_delayed_work(aks_kq_wq, &kdev->rearm, HZ);
	mutex_unlock(&kdev->mutex);
}

/* The first transform on @kdev claims the pool. */
int aks_kdev_get_pool(struct aks_kdev *kdev)
{
	int ret = 0;
	unsigned int i;

	mutex_lock(&kdev->mutex);
	if (kdev->dead) {
		ret = -ENODEV;
		goto out;
	}
	if (kdev->users++)
		goto out;
	for (i = 0; i < AKS_KQ_MAX; i++) {
		struct aks_kq *kq = kdev->kq[i];

		if (!kq) {
			kq = aks_kq_alloc(kdev);
			if (!kq) {
				ret = -ENOMEM;
				break;
			}
			kdev->kq[i] = kq;
		}
		ret = aks_kq_alloc_mem(kq);
		if (!ret)
			ret = aks_kq_attach(kq);
		if (ret) {
			aks_kq_free_mem(kq);
			break;
		}
		kdev->nkq = i + 1;
	}
	if (kdev->nkq)
		ret = 0;
	else
		kdev->users--;
out:
	mutex_unlock(&kdev->mutex);
	return ret;
}

/* kdev->mutex held: release the pool; the device is idle or gone. */
static void aks_kdev_drop_pool(struct aks_kdev *kdev, int status)
{
	unsigned int i;

	for (i = 0; i < kdev->nkq; i++) {
		aks_kq_detach(kdev->kq[i], status);
		aks_kq_free_mem(kdev->kq[i]);
	}
	kdev->nkq = 0;
}

/* The last transform on @kdev releases the pool. */
void aks_kdev_put_pool(struct aks_kdev *kdev)
{
	bool last;

	mutex_lock(&kdev->mutex);
	last = !--kdev->users;
	if (last)
		aks_kdev_drop_pool(kdev, AKS_KR_FAILED);
	mutex_unlock(&kdev->mutex);
	if (last)
		cancel_delayed_work_sync(&kdev->rearm);
}

/*
 * Removal (before accelkit_remove()): no device from now on. Every queue
 * is released, and every request it had ends as gone; later requests get
 * -ENODEV from aks_kq_submit().
 */
void aks_kdev_kill(struct aks_kdev *kdev)
{
	mutex_lock(&kdev->mutex);
	WRITE_ONCE(kdev->dead, true);
	aks_kdev_drop_pool(kdev, AKS_KR_GONE);
	kdev->sdev = NULL;
	mutex_unlock(&kdev->mutex);
	cancel_delayed_work_sync(&kdev->rearm);
}

struct aks_kdev *aks_kdev_create(struct aks_dev *sdev)
{
	struct aks_kdev *kdev;

	kdev = kzalloc(sizeof(*kdev), GFP_KERNEL);
	if (!kdev)
		return NULL;
	kref_init(&kdev->ref);
	INIT_LIST_HEAD(&kdev->node);
	mutex_init(&kdev->mutex);
	INIT_DELAYED_WORK(&kdev->rearm, aks_kdev_rearm);
	kdev->sdev = sdev;
	kdev->dev = get_device(&sdev->pdev->dev);
	kdev->node_id = dev_to_node(kdev->dev);
	return kdev;
}

static void aks_kdev_release(struct kref *ref)
{
	struct aks_kdev *kdev = container_of(ref, struct aks_kdev, ref);
	unsigned int i;

	for (i = 0; i < AKS_KQ_MAX; i++)
		kfree(kdev->kq[i]);
	put_device(kdev->dev);
	mutex_destroy(&kdev->mutex);
	kfree(kdev);
}

void aks_kdev_put(struct aks_kdev *kdev)
{
	kref_put(&kdev->ref, aks_kdev_release);
}

/*
 * Submit @kr (any context but NMI; never sleeps, never allocates).
 * -EINPROGRESS: in a slot or in the backlog; -EBUSY: backlogged past the
 * backlog's length (MAY_BACKLOG); -ENOSPC: full, and no MAY_BACKLOG;
 * -ENODEV: the device was removed; -EAGAIN: no usable queue now (failed
 * or being re-armed): the caller does the request itself.
 */
int aks_kq_submit(struct aks_kdev *kdev, struct aks_kreq *kr)
{
	unsigned int n = READ_ONCE(kdev->nkq), start, i;
	unsigned long flags;
	int ret = -EAGAIN;

	if (READ_ONCE(kdev->dead))
		return -ENODEV;
	if (!n)
		return -EAGAIN;
	start = (unsigned int)atomic_inc_return(&kdev->next);
	for (i = 0; i < n; i++) {
		struct aks_kq *kq = kdev->kq[(start + i) % n];

		spin_lock_irqsave(&kq->lock, flags);
		if (READ_ONCE(kdev->dead)) {
			ret = -ENODEV;
		} else if (!kq->q || kq->failed) {
			ret = -EAGAIN;
		} else if (kq->free && !kq->backlog.qlen) {
			ret = aks_kq_ring(kq, kr);
			if (ret) {
				kq->failed = true;
				ret = -EAGAIN;
			} else {
				ret = -EINPROGRESS;
			}
		} else {
			ret = crypto_enqueue_request(&kq->backlog, kr->base);
			if (ret != -ENOSPC)
				atomic64_inc(&kdev->backlogged);
		}
		spin_unlock_irqrestore(&kq->lock, flags);
		if (ret != -EAGAIN)
			break;
	}
	return ret;
}

/* sysfs of the PCI device: the counters, and kq_ids. */
ssize_t aks_kq_sysfs_show(struct aks_dev *sdev, int what, char *buf)
{
	struct aks_kdev *kdev = sdev->kdev;
	ssize_t len = 0;
	unsigned int i;

	if (what != AKS_KQS_IDS) {
		u64 val = 0;

		if (kdev && what == AKS_KQS_JOBS)
			val = atomic64_read(&kdev->jobs);
		else if (kdev && what == AKS_KQS_FALLBACKS)
			val = atomic64_read(&kdev->fallbacks);
		else if (kdev && what == AKS_KQS_ERRORS)
			val = atomic64_read(&kdev->errors);
		else if (kdev)
			val = atomic64_read(&kdev->backlogged);
		return sysfs_emit(buf, "%llu\n", val);
	}
	if (!kdev)
		return sysfs_emit(buf, "\n");
	mutex_lock(&kdev->mutex);
	for (i = 0; i < kdev->nkq; i++) {
		struct aks_kq *kq = kdev->kq[i];

		if (kq->q)
			len += sysfs_emit_at(buf, len, "%s%u", len ? " " : "",
					     kq->hwq->index);
	}
	mutex_unlock(&kdev->mutex);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

int aks_kq_init(void)
{
	aks_kq_wq = alloc_workqueue("accelkit_kq", WQ_MEM_RECLAIM, 0);
	return aks_kq_wq ? 0 : -ENOMEM;
}

void aks_kq_exit(void)
{
	destroy_workqueue(aks_kq_wq);
}
