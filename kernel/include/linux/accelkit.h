/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelkit: vendor driver API.
 *
 * A vendor driver describes its accelerator with a struct accelkit_interface,
 * calls accelkit_alloc() and accelkit_register() from probe and
 * accelkit_remove() first thing in remove. The framework owns the character
 * device (/dev/<name>-<N>), the "uacce" class device, the queue files, their
 * mmap regions and the binding of each opener's address space to a PASID.
 * See docs/architecture.md and docs/vendor-driver.md.
 */
#ifndef _LINUX_ACCELKIT_H
#define _LINUX_ACCELKIT_H

#include <linux/types.h>
#include <uapi/misc/uacce/uacce.h>
#include <uapi/accelkit/accelkit.h>

struct device;
struct mm_struct;
struct vm_area_struct;
struct accelkit_device;
struct accelkit_queue;

/* Number of mmap regions a queue file has (enum uacce_qfrt). */
#define ACCELKIT_NR_REGIONS	2

/* Most pages one accelkit_queue_page_request() may cover. */
#define ACCELKIT_PRQ_MAX_PAGES	512

/*
 * enum accelkit_bind_mode - how the framework gives a queue its PASID
 * @ACCELKIT_BIND_NONE:      no address space sharing; the PASID is 0
 * @ACCELKIT_BIND_IOMMU_SVA: an SVA-capable IOMMU translates for the device;
 *                           the framework uses iommu_sva_bind_device()
 * @ACCELKIT_BIND_SELF:      the device walks the CPU page tables itself; the
 *                           framework allocates PASIDs, tracks the address
 *                           space with an mmu_notifier and calls the
 *                           pasid_* and invalidate ops
 */
enum accelkit_bind_mode {
	ACCELKIT_BIND_NONE,
	ACCELKIT_BIND_IOMMU_SVA,
	ACCELKIT_BIND_SELF,
};

/*
 * enum accelkit_owner - who a queue belongs to, fixed when it is allocated
 * @ACCELKIT_OWNER_USER:   an open file; the device translates the queue's
 *                         addresses through its PASID (or none with
 *                         ACCELKIT_BIND_NONE), its regions may be mapped
 * @ACCELKIT_OWNER_KERNEL: accelkit_kqueue_claim(); no file, no address
 *                         space, PASID 0: the queue's jobs carry DMA-API
 *                         addresses, nothing of it is ever mapped
 *
 * The driver's get_queue, start_queue and put_queue read it with
 * accelkit_queue_owner() and program the hardware queue for that owner
 * (translation mode) through registers user space never maps.
 */
enum accelkit_owner {
	ACCELKIT_OWNER_USER = 1,
	ACCELKIT_OWNER_KERNEL,
};

/**
 * struct accelkit_ops - what the vendor driver implements
 *
 * Unless stated otherwise an op runs in process context, may sleep, and is
 * never called after accelkit_remove() has returned. Queue ops are called
 * with the framework's queue lock held, so they are serialized per queue.
 * Except @ioctl, ops may be called with the framework's device lock held:
 * they must complete in bounded time and never wait for something user
 * space controls (a job's end, a page fault on user memory).
 *
 * @get_available_instances: number of queues that open() could still get.
 *	Optional; without it sysfs "available_instances" reads fail -ENODEV.
 *	open() fails with -EBUSY before binding anything when it returns 0.
 * @get_queue: give @q a hardware queue (open() for a user queue,
 *	accelkit_kqueue_claim() for a kernel queue: see
 *	accelkit_queue_owner()). Return -EBUSY when none is free.
 *	accelkit_queue_pasid(@q) is already valid (0 for a kernel queue).
 *	Required.
 * @put_queue: give the hardware queue back (PUT_Q, last close, exit or
 *	exec of the owner, removal). The queue is stopped, page_response will
 *	not be called for it any more (a request still being resolved is
 *	dropped unanswered) and no user mapping of it remains. After it
 *	returns the driver must not call accelkit_queue_wake(@q) or
 *	accelkit_queue_page_request(@q) any more (use synchronize_irq() or the
 *	lock of the interrupt handler). May run in a workqueue.
 * @start_queue: start the hardware queue (UACCE_CMD_START_Q).
 * @stop_queue: stop the hardware queue; when it returns the device no longer
 *	reads or writes anything on behalf of @q.
 * @mmap: map region @type of @q into @vma. The size has been checked against
 *	the interface's region size and vma->vm_pgoff has been reset to 0.
 * @ioctl: driver-specific ioctls (commands the framework does not know).
 *	Called with the queue's ioctl lock held (no device-wide lock); may
 *	copy to and from user space. Removal of the device waits for it.
 * @is_q_updated: true when @q has something for user space (poll). May be
 *	called before the queue is started.
 * @queue_info: fill the driver's part of ACCELKIT_CMD_QUEUE_INFO (depth,
 *	ring offsets, entry sizes, limits). The framework has set api_version,
 *	pasid, mmio_size and dus_size.
 * @isolate_strategy: optional; sysfs "isolate_strategy" was written.
 * @fail_queue: optional; after accelkit_queue_fail(@q), for a queue still
 *	started: stop the hardware queue (as stop_queue) and write what user
 *	space must see of its outstanding jobs (the sample writes ABORTED
 *	completion records). put_queue still follows. Without it the
 *	framework calls stop_queue.
 *
 * Self-translating devices (ACCELKIT_BIND_SELF) also implement:
 * @pasid_bind: make @pasid translate through @mm's page tables (program the
 *	PASID table entry). Required.
 * @pasid_block: stop translating @pasid (the address space is going away)
 *	and wait until the device no longer uses it. Called from the
 *	mmu_notifier release callback: MUST NOT SLEEP, take no sleeping lock,
 *	print nothing. Required.
 * @pasid_unbind: forget @pasid (entry invalid) and wait for the device. The
 *	PASID may be reused right after. Required.
 * @invalidate: the CPU page tables of @pasid's address space changed in
 *	[@start, @end): make sure no device access still uses the old
 *	translation. Called from mmu_notifier context (possibly under a page
 *	table spinlock, concurrently for different address spaces): MUST NOT
 *	SLEEP. Required.
 *
 * Devices that raise page requests (see accelkit_queue_page_request())
 * also implement:
 * @page_response: answer the request of @q: @success true = the fault was
 *	handled, retry the access; false = fail the access. Called at most
 *	once per request passed to accelkit_queue_page_request(), from the
 *	framework's workqueue or, for a request refused at once, from the
 *	caller of accelkit_queue_page_request() (possibly hard irq), always
 *	with a framework spinlock held and interrupts off: MUST NOT SLEEP and
 *	must not call accelkit_queue_page_request(). A request refused at
 *	once (one already pending, the queue being torn down, or a malformed
 *	run) is answered invalid right away. One answer covers the whole run
 *	of pages of the request: success when at least its first page was
 *	made present. A request being resolved when the teardown
 *	begins (after stop_queue, which dropped its job) is never answered.
 *	May run concurrently with stop_queue, never once put_queue is called.
 */
struct accelkit_ops {
	int (*get_available_instances)(struct accelkit_device *adev);
	int (*get_queue)(struct accelkit_device *adev, struct accelkit_queue *q);
	void (*put_queue)(struct accelkit_queue *q);
	int (*start_queue)(struct accelkit_queue *q);
	void (*stop_queue)(struct accelkit_queue *q);
	int (*mmap)(struct accelkit_queue *q, struct vm_area_struct *vma,
		    enum uacce_qfrt type);
	long (*ioctl)(struct accelkit_queue *q, unsigned int cmd,
		      unsigned long arg);
	bool (*is_q_updated)(struct accelkit_queue *q);
	void (*queue_info)(struct accelkit_queue *q,
			   struct accelkit_queue_info *info);
	int (*isolate_strategy)(struct accelkit_device *adev, u32 value);
	void (*fail_queue)(struct accelkit_queue *q);

	int (*pasid_bind)(struct accelkit_device *adev, u32 pasid,
			  struct mm_struct *mm);
	void (*pasid_block)(struct accelkit_device *adev, u32 pasid);
	void (*pasid_unbind)(struct accelkit_device *adev, u32 pasid);
	void (*invalidate)(struct accelkit_device *adev, u32 pasid,
			   unsigned long start, unsigned long end);

	void (*page_response)(struct accelkit_queue *q, bool success);
};

/**
 * struct accelkit_interface - description of one accelerator
 * @name: node name prefix: the device is /dev/<name>-<N>
 * @flags: UACCE_DEV_* flags shown in sysfs "flags"
 * @bind: how queues get their PASID
 * @ops: the driver's operations (must outlive accelkit_remove())
 * @api: API string shown in sysfs "api" (copied)
 * @algs: algorithms, newline separated, shown in sysfs "algorithms" (copied)
 * @mmio_size: bytes of the UACCE_QFRT_MMIO region of a queue (0: none)
 * @dus_size: bytes of the UACCE_QFRT_DUS region of a queue (0: none)
 * @max_pasid: ACCELKIT_BIND_SELF: PASIDs handed out are 1..max_pasid-1
 *	(capped at 2^20 - 1)
 * @nr_queues: number of hardware queues; the default per-user queue limit
 *	is half of what user space may open (nr_queues - kernel_queues),
 *	rounded up (0: get_available_instances() at registration, or no limit
 *	without it)
 * @kernel_queues: initial number of hardware queues reserved for kernel
 *	owners (accelkit_kqueue_claim()); sysfs "kernel_queues" changes it.
 *	< 0: the device has no kernel side, claims fail with -EOPNOTSUPP and
 *	the sysfs attributes are hidden. At most @nr_queues (else
 *	accelkit_alloc() fails with -EINVAL). A driver that leaves it 0 has
 *	a kernel side with nothing reserved; without @nr_queues, 0 means no
 *	kernel side (the split needs the number of queues).
 * @priv: driver data, see accelkit_priv()
 */
struct accelkit_interface {
	const char *name;
	unsigned int flags;
	enum accelkit_bind_mode bind;
	const struct accelkit_ops *ops;
	const char *api;
	const char *algs;
	size_t mmio_size;
	size_t dus_size;
	u32 max_pasid;
	unsigned int nr_queues;
	int kernel_queues;
	void *priv;
};

struct accelkit_device *accelkit_alloc(struct device *parent,
				       const struct accelkit_interface *intf);
int accelkit_register(struct accelkit_device *adev);
void accelkit_remove(struct accelkit_device *adev);

void accelkit_queue_wake(struct accelkit_queue *q);
void accelkit_queue_fail(struct accelkit_queue *q);
int accelkit_queue_page_request(struct accelkit_queue *q, u64 addr,
				unsigned int nr_pages, bool write);
void accelkit_report_hw_error(struct accelkit_device *adev);
bool accelkit_is_isolated(struct accelkit_device *adev);

void *accelkit_priv(struct accelkit_device *adev);
struct device *accelkit_parent(struct accelkit_device *adev);
struct device *accelkit_class_dev(struct accelkit_device *adev);
struct accelkit_device *accelkit_queue_device(struct accelkit_queue *q);
void *accelkit_queue_priv(struct accelkit_queue *q);
void accelkit_queue_set_priv(struct accelkit_queue *q, void *priv);
u32 accelkit_queue_pasid(struct accelkit_queue *q);
/* ACCELKIT_OWNER_USER or ACCELKIT_OWNER_KERNEL; any context. */
enum accelkit_owner accelkit_queue_owner(const struct accelkit_queue *q);

/**
 * accelkit_kqueue_claim() - take a hardware queue for a kernel owner
 * @adev: a registered device whose interface has kernel_queues >= 0
 * @revoke: called if @adev is removed while the queue is still claimed;
 *	may be NULL
 * @data: passed to @revoke
 *
 * The same claim as open() of a user queue, for ACCELKIT_OWNER_KERNEL:
 * the driver's get_queue, then start_queue, with accelkit_queue_pasid()
 * 0. Counts against the device's kernel reservation (sysfs
 * "kernel_queues"), never against what user space may open. Process
 * context; may sleep.
 *
 * @revoke runs at most once, from accelkit_remove(), after stop_queue and
 * before put_queue, with only the queue's control lock held: it must
 * finish or fail everything the claimer submitted to the queue, must not
 * wait for anything that needs that queue and must not call
 * accelkit_kqueue_release(). The claimer still calls
 * accelkit_kqueue_release() afterwards; until then the queue memory stays
 * valid, but the hardware queue is gone.
 *
 * Return: the queue, started, or an ERR_PTR(): -EOPNOTSUPP no kernel side
 * (kernel_queues < 0); -ENODEV not registered or removed; -EIO isolated
 * (too many hardware errors); -EBUSY the reservation is used up or no
 * hardware queue is free; -ENOMEM; or what get_queue/start_queue return.
 */
struct accelkit_queue *
accelkit_kqueue_claim(struct accelkit_device *adev,
		      void (*revoke)(struct accelkit_queue *q, void *data),
		      void *data);

/**
 * accelkit_kqueue_release() - give back a queue from accelkit_kqueue_claim()
 * @q: the queue; not used by the caller any more afterwards
 *
 * Stops the hardware queue (if still started), calls put_queue and
 * uncounts it, then frees @q. After a revoke only frees @q. Process
 * context; may sleep; never from the revoke callback.
 */
void accelkit_kqueue_release(struct accelkit_queue *q);

/* Helpers for self-translating devices. */
phys_addr_t accelkit_mm_pgtable_root(struct mm_struct *mm);
bool accelkit_pgtable_5level(void);
bool accelkit_dma_is_phys(struct device *dev);

#endif /* _LINUX_ACCELKIT_H */
