/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelkit framework internals. Lock order (see docs/architecture.md):
 *
 *   adev->mutex
 *     -> q->fault_work (cancel_work_sync, in accelkit_queue_shutdown)
 *     |    -> mmap_lock (read; the fault work resolves a page request)
 *     -> mmap_lock (mmu_notifier_register, iommu_sva_bind_device,
 *     |             shutdown waiting for mmap() of the queue's mappers)
 *     -> q->mutex
 *          -> i_mmap_rwsem (unmap_mapping_range)
 *   mmap_lock -> q->mutex (mmap(), vma open/close)
 *   q->fault_lock: irq-safe spinlock, innermost, nothing nests in it
 *
 * mmap() and vma close run with mmap_lock held and take only q->mutex.
 * mmu_notifier callbacks take no lock at all. PASIDs are unbound with
 * adev->mutex held but neither mmap_lock nor q->mutex. The fault work is
 * never waited for with mmap_lock or q->mutex held.
 */
#ifndef _ACCELKIT_INTERNAL_H
#define _ACCELKIT_INTERNAL_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/accelkit.h>

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

	struct mutex mutex;		/* protects everything below */
	unsigned long state;		/* ACCELKIT_DEV_* */
	struct list_head queues;	/* open queue files */
	struct list_head bonds;		/* ACCELKIT_BIND_SELF bonds */

	/* hardware errors and isolation (isolate.c), under err_lock */
	spinlock_t err_lock;		/* irq-safe */
	u32 isolate_strategy;		/* errors per hour allowed; 0: never */
	bool isolated;			/* sticky; read without the lock */
	u64 err_total;
	u64 err_min;			/* minute of the newest bucket */
	u32 err_bucket[ACCELKIT_ERR_BUCKETS];

	/* resolves page requests; set by register when ops->page_response */
	struct workqueue_struct *fault_wq;
	unsigned int nr_queues;
};

#define to_accelkit_device(d)	container_of(d, struct accelkit_device, dev)

/*
 * struct accelkit_bond - one address space bound to one device
 * (ACCELKIT_BIND_SELF). Shared by every queue the mm opened on the device.
 * Created, counted and destroyed under adev->mutex; the notifier callbacks
 * only read the constant fields.
 */
struct accelkit_bond {
	struct list_head node;
	struct accelkit_device *adev;
	struct mm_struct *mm;		/* mmgrab()ed */
	struct mmu_notifier mn;
	u32 pasid;
	unsigned int users;
};

/*
 * Queue states. Changing the state needs adev->mutex and q->mutex, so
 * holding either one is enough to read it.
 */
enum accelkit_q_state {
	ACCELKIT_Q_INIT,	/* hardware queue held, not started */
	ACCELKIT_Q_STARTED,	/* hardware queue running */
	ACCELKIT_Q_RELEASED,	/* UACCE_CMD_PUT_Q: hardware queue given back */
	ACCELKIT_Q_ZOMBIE,	/* device removed */
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
	struct accelkit_device *adev;	/* get_device()d */
	struct mm_struct *mm;		/* owner, mmgrab()ed */
	struct inode *inode;		/* private address_space for mmaps */
	struct list_head node;		/* adev->queues */
	wait_queue_head_t wait;
	void *priv;
	u32 pasid;

	/* binding, under adev->mutex */
	struct accelkit_bond *bond;
	struct iommu_sva *sva;

	struct mutex mutex;		/* state, mapped regions, queue ops */
	enum accelkit_q_state state;
	struct accelkit_qregion region[ACCELKIT_NR_REGIONS];

	/* ACCELKIT_CMD_SHARE: false -> true once, under adev->mutex */
	bool shared;

	/* page requests (fault.c) */
	struct work_struct fault_work;
	spinlock_t fault_lock;		/* irq-safe; protects below */
	bool fault_pending;		/* a request is queued or running */
	bool fault_closed;		/* torn down: refuse new requests */
	bool fault_write;
	u64 fault_addr;
	struct accelkit_queue_stats stats;
};

static inline bool accelkit_q_usable(struct accelkit_queue *q)
{
	return q->state == ACCELKIT_Q_INIT || q->state == ACCELKIT_Q_STARTED;
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

/* fops.c */
void accelkit_queue_shutdown(struct accelkit_queue *q,
			     enum accelkit_q_state new_state);

/* mmap.c */
int accelkit_fops_mmap(struct file *filp, struct vm_area_struct *vma);
void accelkit_queue_zap(struct accelkit_queue *q);

/* fault.c */
void accelkit_fault_init(struct accelkit_queue *q);
void accelkit_fault_quiesce(struct accelkit_queue *q);
void accelkit_fault_stats(struct accelkit_queue *q,
			  struct accelkit_queue_stats *stats);
int accelkit_fault_wq_create(struct accelkit_device *adev);
void accelkit_fault_wq_destroy(struct accelkit_device *adev);

/* isolate.c */
void accelkit_isolate_init(struct accelkit_device *adev);
void accelkit_isolate_set_strategy(struct accelkit_device *adev, u32 val);
u64 accelkit_hw_errors(struct accelkit_device *adev);

/* bind.c */
int accelkit_bind(struct accelkit_queue *q);
void accelkit_unbind(struct accelkit_queue *q);
int accelkit_sva_enable(struct accelkit_device *adev);
void accelkit_sva_disable(struct accelkit_device *adev);

#endif /* _ACCELKIT_INTERNAL_H */
