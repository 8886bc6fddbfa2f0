/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelkit framework internals. Lock order (see docs/architecture.md):
 *
 *   q->ctl                      per queue: ioctls, every shutdown of q
 *     -> mmap_lock (read)       waiting for mmap() of q's mappers; a driver
 *     |                         ioctl faulting on user memory
 *     -> q->mutex               zap + put_queue in shutdown
 *     -> adev->mutex            short sections only, see below
 *          -> q->mutex          state changes, stop/start_queue
 *          |    -> i_mmap_rwsem (unmap_mapping_range)
 *          -> srcu of mmu_notifiers (mmu_notifier_unregister of a bond)
 *   mmap_lock -> q->mutex       mmap(), vma open/close
 *   q->fault_lock               irq-safe spinlock, innermost; the vendor's
 *                               page_response runs under it
 *
 * Kernel queues (kqueue.c) follow the same order: a claim takes
 * adev->mutex -> q->mutex (get_queue, start_queue), a release q->ctl and
 * then the shutdown above. The claimer's revoke callback runs at removal
 * with only q->ctl held, after stop_queue and before put_queue.
 *
 * adev->mutex is held only for bookkeeping and bounded vendor ops: never
 * while taking anybody's mmap_lock, waiting for fault work, calling
 * mmput() or registering an mmu_notifier. The fault work and the defunct
 * work are never waited for by anything but module exit. mmu_notifier
 * callbacks take no lock at all.
 */
#ifndef _ACCELKIT_INTERNAL_H
#define _ACCELKIT_INTERNAL_H

#include <linux/cdev.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/accelkit.h>

#include "compat.h"

#define ACCELKIT_CLASS_NAME	"uacce"
#define ACCELKIT_MAX_DEVICES	256
#define ACCELKIT_MAX_PASID	BIT(20)
#define ACCELKIT_MAX_ERR_THRESHOLD	65535
#define ACCELKIT_ERR_BUCKETS	60	/* one-minute buckets: one hour */

/* adev->state bits */
#define ACCELKIT_DEV_REGISTERED	BIT(0)
#define ACCELKIT_DEV_REMOVED	BIT(1)
#define ACCELKIT_DEV_SVA_ON	BIT(2)
#define ACCELKIT_DEV_IOPF_ON	BIT(3)

/* The framework's workqueue: page requests and owner-exit shutdowns. */
extern struct workqueue_struct *accelkit_wq;

struct accelkit_device {
	struct device dev;
	struct cdev cdev;
	struct device *parent;
	const struct accelkit_ops *ops;
	const char *api;
	const char *algs;
	unsigned int flags;
	enum accelkit_bind_mode bind;
	size_t region_size[ACCELKIT_NR_REGIONS];
	u32 max_pasid;
	int id;
	void *priv;
	unsigned int nr_queues;		/* from the interface, may be 0 */

	/* PASIDs 1..max_pasid-1 of this device (ACCELKIT_BIND_SELF) */
	struct ida pasid_ida;

	/* shuts down the queues of bonds whose mm went away */
	struct work_struct defunct_work;

	struct mutex mutex;		/* protects everything below */
	unsigned long state;		/* ACCELKIT_DEV_* */
	struct list_head queues;	/* open queue files */
	struct list_head bonds;		/* ACCELKIT_BIND_SELF bonds */
	struct list_head users;		/* struct accelkit_user */
	unsigned int nr_pasids;		/* sysfs pasids_in_use */
	unsigned int max_queues_per_user;	/* 0: no limit; WRITE_ONCE */

	/* ownership (kqueue.c): what each owner holds, and the split */
	bool kq_enabled;		/* interface kernel_queues >= 0 */
	struct list_head kqueues;	/* claimed kernel queues */
	unsigned int kq_reserved;	/* sysfs kernel_queues */
	unsigned int kq_in_use;		/* kernel queues holding hardware */
	unsigned int uq_in_use;		/* user queues holding hardware */

	/* hardware errors and isolation (isolate.c), under err_lock */
	spinlock_t err_lock;		/* irq-safe */
	u32 isolate_strategy;		/* errors per hour allowed; 0: never */
	bool isolated;			/* sticky; read without the lock */
	u64 err_total;
	u64 err_min;			/* minute of the newest bucket */
	u32 err_bucket[ACCELKIT_ERR_BUCKETS];
};

#define to_accelkit_device(d)	container_of(d, struct accelkit_device, dev)

/* Queues holding a hardware queue, per (device, euid of the opener). */
struct accelkit_user {
	struct list_head node;		/* adev->users */
	kuid_t uid;
	unsigned int queues;
};

/*
 * Bond states. The mmu_notifier callbacks read the state without a lock
 * and change it only LIVE -> DEAD (cmpxchg); everything else changes it
 * under adev->mutex.
 */
enum accelkit_bond_state {
	ACCELKIT_BOND_BINDING,	/* PASID reserved, notifier being registered */
	ACCELKIT_BOND_LIVE,	/* PASID bound on the device */
	ACCELKIT_BOND_DEAD,	/* mm released: PASID blocked, queues to stop */
	ACCELKIT_BOND_OFF,	/* being freed, or device removed: ignore */
};

/*
 * struct accelkit_bond - one address space bound to one device
 * (ACCELKIT_BIND_SELF). Shared by every queue of that mm on the device that
 * still holds a hardware queue; freed when the last of them stops using it
 * (PUT_Q, owner exit, close, removal). Listed and counted under
 * adev->mutex.
 */
struct accelkit_bond {
	struct list_head node;		/* adev->bonds */
	struct accelkit_device *adev;
	struct mm_struct *mm;		/* mmgrab()ed while the bond exists */
	struct mmu_notifier mn;
	struct completion ready;	/* BINDING is over (ok or not) */
	struct accelkit_queue *binder;	/* the open doing the binding */
	u32 pasid;
	int state;			/* enum accelkit_bond_state */
	int err;			/* binding failed: set before ready */
	unsigned int users;
	bool registered;		/* mn registered */
	bool bound;			/* pasid_bind done, pasid_unbind due */
	/*
	 * DEAD and the PASID blocked (pasid_block returned): the device
	 * holds and can take nothing of this mm any more, so the
	 * invalidation callback has nothing to do (smp_store_release).
	 */
	bool blocked;
};

/*
 * Queue states. Changing the state needs adev->mutex and q->mutex (and
 * q->ctl for every change but open's), so holding either of the first two
 * is enough to read it.
 */
enum accelkit_q_state {
	ACCELKIT_Q_INIT,	/* hardware queue held, not started */
	ACCELKIT_Q_STARTED,	/* hardware queue running */
	ACCELKIT_Q_RELEASED,	/* UACCE_CMD_PUT_Q: hardware queue given back */
	ACCELKIT_Q_DEFUNCT,	/* owner's mm released: queue shut down */
	ACCELKIT_Q_ZOMBIE,	/* device removed */
	/*
	 * accelkit_queue_fail(): the hardware queue failed (the driver
	 * stopped it and wrote its records); it is still held until PUT_Q
	 * or close, but only QUEUE_INFO/QUEUE_STATS work (-EIO else).
	 */
	ACCELKIT_Q_FAILED,
};

/* One mmap region of a queue; VMAs point at it through vm_private_data. */
struct accelkit_qregion {
	struct accelkit_queue *q;
	unsigned int type;		/* enum uacce_qfrt */
	unsigned int nr_vmas;		/* under q->mutex */
	/*
	 * mm of the last successful mmap() of the region, mmgrab()ed, under
	 * q->mutex; dropped when the queue is freed. Shutdown waits for
	 * that mm's mmap_lock so a VMA still being set up gets zapped too.
	 */
	struct mm_struct *mapper;
};

struct accelkit_queue {
	struct kref refs;		/* the file, queued fault work, walkers */
	struct accelkit_device *adev;	/* get_device()d */
	enum accelkit_owner owner;	/* fixed at allocation */
	/* user queues only (NULL for kernel queues): */
	struct mm_struct *mm;		/* owner, mmgrab()ed until freed */
	struct inode *inode;		/* private address_space for mmaps */
	struct list_head node;		/* adev->queues or adev->kqueues */
	/* kernel queues only: the claimer's, called at removal */
	void (*revoke)(struct accelkit_queue *q, void *data);
	void *revoke_data;
	wait_queue_head_t wait;
	wait_queue_head_t unmap_wait;	/* a region's VMA was closed */
	void *priv;
	u32 pasid;

	/* serializes ioctls and shutdowns; never taken under mmap_lock */
	struct mutex ctl;

	/* binding and accounting, under adev->mutex */
	struct accelkit_bond *bond;
	struct iommu_sva *sva;
	struct accelkit_user *user;	/* NULL: not counted */

	struct mutex mutex;		/* state, mapped regions, queue ops */
	enum accelkit_q_state state;
	struct accelkit_qregion region[ACCELKIT_NR_REGIONS];

	/* ACCELKIT_CMD_SHARE: false -> true once, under q->ctl */
	bool shared;

	/* accelkit_queue_fail(): queued once, holds a reference */
	struct work_struct fail_work;
	bool fail_queued;		/* under fault_lock */

	/* page requests (fault.c) */
	struct work_struct fault_work;
	spinlock_t fault_lock;		/* irq-safe; protects below */
	bool fault_pending;		/* a request is queued or running */
	bool fault_closed;		/* torn down: refuse new requests */
	bool fault_write;
	u64 fault_addr;			/* first page of the run */
	unsigned int fault_nr_pages;	/* 1..ACCELKIT_PRQ_MAX_PAGES */
	struct accelkit_queue_stats stats;
};

static inline bool accelkit_q_usable(struct accelkit_queue *q)
{
	return q->state == ACCELKIT_Q_INIT || q->state == ACCELKIT_Q_STARTED;
}

/* Still holds its hardware queue (usable, or failed). */
static inline bool accelkit_q_holds_hw(struct accelkit_queue *q)
{
	return accelkit_q_usable(q) || q->state == ACCELKIT_Q_FAILED;
}

extern const struct file_operations accelkit_fops;
extern const struct attribute_group *accelkit_dev_groups[];

/*
 * May current use @q (mmap, ioctl, poll)? The owner's address space
 * always; any other one only once the owner shared the queue.
 */
static inline bool accelkit_may_use(struct accelkit_queue *q)
{
	return current->mm == q->mm || READ_ONCE(q->shared);
}

/* main.c */
struct inode *accelkit_new_inode(void);

/* queue.c */
struct accelkit_queue *accelkit_queue_alloc(struct accelkit_device *adev,
					    enum accelkit_owner owner);
void accelkit_queue_get(struct accelkit_queue *q);
void accelkit_queue_put(struct accelkit_queue *q);
void accelkit_queue_shutdown(struct accelkit_queue *q,
			     enum accelkit_q_state new_state);
int accelkit_user_charge(struct accelkit_queue *q, struct file *filp);
void accelkit_user_uncharge(struct accelkit_queue *q);
void accelkit_defunct_work(struct work_struct *work);
void accelkit_fail_work(struct work_struct *work);

/* kqueue.c */
int accelkit_kq_init(struct accelkit_device *adev,
		     const struct accelkit_interface *intf);
int accelkit_hwq_check(struct accelkit_device *adev,
		       enum accelkit_owner owner);
int accelkit_hwq_claim(struct accelkit_queue *q);
void accelkit_hwq_uncount(struct accelkit_queue *q);
int accelkit_user_avail(struct accelkit_device *adev);
int accelkit_kq_set_reserved(struct accelkit_device *adev, unsigned int val);

/* mmap.c */
int accelkit_fops_mmap(struct file *filp, struct vm_area_struct *vma);
void accelkit_queue_zap(struct accelkit_queue *q);

/* fault.c */
void accelkit_fault_init(struct accelkit_queue *q);
void accelkit_fault_close(struct accelkit_queue *q);
void accelkit_fault_stats(struct accelkit_queue *q,
			  struct accelkit_queue_stats *stats);

/* isolate.c */
void accelkit_isolate_init(struct accelkit_device *adev);
void accelkit_isolate_set_strategy(struct accelkit_device *adev, u32 val);
u64 accelkit_hw_errors(struct accelkit_device *adev);

/* bind.c */
int accelkit_bind_prepare(struct accelkit_queue *q);
int accelkit_bind_finish(struct accelkit_queue *q);
int accelkit_bind_activate(struct accelkit_queue *q);
void accelkit_unbind(struct accelkit_queue *q);
void accelkit_bonds_remove(struct accelkit_device *adev);
int accelkit_sva_enable(struct accelkit_device *adev);
void accelkit_sva_disable(struct accelkit_device *adev);

#endif /* _ACCELKIT_INTERNAL_H */
