/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelkit sample driver: the kernel-queue engine (kq.c) under the crypto
 * API algorithms (crypto*.c). See kq.c for the rules.
 */
#ifndef _ACCELKIT_SAMPLE_KQ_H
#define _ACCELKIT_SAMPLE_KQ_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <crypto/algapi.h>

#include "sample.h"

#define AKS_KQ_MAX		8	/* kernel queues per device, at most */
#define AKS_KQ_SLOTS		16	/* requests in flight per kernel queue */
#define AKS_KQ_BOUNCE		SZ_64K	/* per slot, each direction */
#define AKS_KQ_BACKLOG		256	/* crypto_queue length per queue */
#define AKS_KQ_KEY_MAX		64
#define AKS_KQ_IV		16
#define AKS_KQ_DIGEST		32

struct aks_kq;
struct aks_kreq;

/* Per device: outlives the PCI device while transforms hold it. */
struct aks_kdev {
	struct kref ref;
	struct list_head node;		/* aks_kdevs, under aks_crypto_lock */
	struct aks_dev *sdev;		/* NULL once dead */
	struct device *dev;		/* referenced; DMA API */
	int node_id;			/* NUMA node */
	/*
	 * The pool: claimed by the first transform, released by the last
	 * one or by removal. Under mutex; kq[i] pointers are stable while
	 * users > 0 (the structures stay until the kdev goes).
	 */
	struct mutex mutex;
	unsigned int users;
	unsigned int nkq;
	bool dead;			/* removed: no device from now on */
	struct aks_kq *kq[AKS_KQ_MAX];
	atomic_t next;			/* round robin */
	struct delayed_work rearm;	/* failed queues: release and claim */

	/* sysfs counters of the PCI device */
	atomic64_t jobs, fallbacks, errors, backlogged;
};

/*
 * Outcome given to the completion hook: a device status (AKS_ST_*), or
 * one of these when the request never ran to completion on the device.
 */
#define AKS_KR_GONE	0x10000		/* device removed */
#define AKS_KR_FAILED	0x10001		/* queue failed or not started */

/*
 * One request on a kernel queue, in the crypto request's context. The
 * algorithm fills the job; the engine copies src into a bounce buffer,
 * key and IV into the slot's coherent meta, and on completion copies the
 * output back (dst, or the digest into @out) before it calls @complete
 * with kq->lock dropped and bottom halves disabled.
 */
struct aks_kreq {
	struct crypto_async_request *base;
	void (*complete)(struct aks_kreq *kr, int status);
	struct list_head node;		/* engine only */
	struct list_head bl_node;	/* engine only: -EINPROGRESS due */

	u16 opcode, flags;		/* AKS_OP_*, AKS_DF_DECRYPT */
	struct aks_params params;	/* alg, level, key_len, iv_len */
	const u8 *key;			/* copied at submit */
	const u8 *iv;			/* copied at submit */
	struct scatterlist *src, *dst;	/* dst NULL: digest into out */
	unsigned int slen, dlen;	/* dlen: dst capacity */
	u8 *out;			/* digest (AKS_KQ_DIGEST bytes) */

	int status;			/* completion: AKS_ST_*, AKS_KR_* */
	u64 bytes;			/* completion: bytes written */
};

/* sysfs: the counters and kq_ids (0 and empty without the engine) */
enum { AKS_KQS_JOBS, AKS_KQS_FALLBACKS, AKS_KQS_ERRORS, AKS_KQS_BACKLOGGED,
	AKS_KQS_IDS };

#ifdef AKS_KCRYPTO

ssize_t aks_kq_sysfs_show(struct aks_dev *sdev, int what, char *buf);

/* kq.c */
struct aks_kdev *aks_kdev_create(struct aks_dev *sdev);
void aks_kdev_put(struct aks_kdev *kdev);
int aks_kdev_get_pool(struct aks_kdev *kdev);
void aks_kdev_put_pool(struct aks_kdev *kdev);
void aks_kdev_kill(struct aks_kdev *kdev);
int aks_kq_submit(struct aks_kdev *kdev, struct aks_kreq *kr);
irqreturn_t aks_kq_irq_thread(struct aks_hwq *hwq);
void aks_kq_queue_failed(struct aks_hwq *hwq);
int aks_kq_init(void);
void aks_kq_exit(void);

/* crypto.c */
struct aks_kreq *aks_kreq_of(struct crypto_async_request *base);
int aks_crypto_probe(struct aks_dev *sdev);
void aks_crypto_remove(struct aks_dev *sdev);
int aks_crypto_init(void);
void aks_crypto_exit(void);

#else /* no crypto API in this kernel: the engine is left out */

static inline ssize_t aks_kq_sysfs_show(struct aks_dev *sdev, int what,
					char *buf)
{
	return sysfs_emit(buf, what == AKS_KQS_IDS ? "\n" : "0\n");
}

static inline irqreturn_t aks_kq_irq_thread(struct aks_hwq *hwq)
{
	return IRQ_NONE;
}

static inline void aks_kq_queue_failed(struct aks_hwq *hwq)
{
}

static inline int aks_crypto_probe(struct aks_dev *sdev)
{
	return 0;
}

static inline void aks_crypto_remove(struct aks_dev *sdev)
{
}

static inline int aks_crypto_init(void)
{
	return 0;
}

static inline void aks_crypto_exit(void)
{
}

#endif /* AKS_KCRYPTO */

#endif /* _ACCELKIT_SAMPLE_KQ_H */
