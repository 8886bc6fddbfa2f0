// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit_selftest: a fake accelerator for the VM suite (tests only).
 *
 * At load it checks the registration rules of the framework that the
 * sample driver cannot exercise and prints one line per check:
 *
 *	accelkit_selftest: PASS <check> <returned errno>
 *	accelkit_selftest: FAIL <check> <returned errno> expected <errno>
 *
 * Then it keeps one device registered, /dev/akselftest-N
 * (ACCELKIT_BIND_NONE: no PASID, no page tables), with six hardware
 * queues, two of them reserved for kernel owners (so user space still
 * sees four). A queue's only region is a DUS region of one page: a zeroed
 * kernel page mapped with vm_insert_page(), which does not set VM_IO
 * itself (the framework must). There is no hardware: start/stop only
 * note the state. A driver ioctl (AKST_CMD_PAGE_REQUEST,
 * uapi/accelkit/selftest.h) plays a device that stalls on a run of pages:
 * it passes the run to accelkit_queue_page_request() and waits for the
 * page_response, so the VM suite can check the framework's fault path
 * without the sample device. /dev/akst_kq plays a kernel consumer that
 * claims and releases kernel-owned queues (AKST_KQ_*). A second device,
 * akstnokq-N, has no kernel side; nothing opens it, the suite only looks
 * at its sysfs directory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cc_platform.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/accelkit.h>

#include <uapi/accelkit/selftest.h>

#define AKST_NAME	"akselftest"
#define AKST_TMP_NAME	"akstcheck"	/* devices of the checks, not kept */
#define AKST_NOKQ_NAME	"akstnokq"	/* kept, without a kernel side */
#define AKST_NR_QUEUES	6
#define AKST_KERNEL_QUEUES 2	/* reserved: user space sees four */
#define AKST_PRQ_WAIT	(10 * HZ)	/* for an answer to our request */

struct akst_hwq {
	struct page *page;		/* the DUS region, zeroed per queue */
	int answer;			/* page_response: 1, 0; -1 none yet */
	bool kernel;			/* given to a kernel owner */
	bool started;
};

static DECLARE_WAIT_QUEUE_HEAD(akst_answer_wait);

static struct platform_device *akst_pdev;
static struct accelkit_device *akst_adev;
static struct accelkit_device *akst_nokq_adev;	/* sysfs visibility only */

static DEFINE_SPINLOCK(akst_lock);
static DECLARE_BITMAP(akst_busy, AKST_NR_QUEUES);	/* under akst_lock */
static struct akst_hwq akst_hwq[AKST_NR_QUEUES];

static int akst_get_available_instances(struct accelkit_device *adev)
{
	unsigned int used;

	spin_lock(&akst_lock);
	used = bitmap_weight(akst_busy, AKST_NR_QUEUES);
	spin_unlock(&akst_lock);
	return AKST_NR_QUEUES - used;
}

static int akst_get_queue(struct accelkit_device *adev,
			  struct accelkit_queue *q)
{
	struct page *page;
	unsigned int idx;

	/* Outside the lock: put_queue frees it again if no queue is free. */
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;

	spin_lock(&akst_lock);
	idx = find_first_zero_bit(akst_busy, AKST_NR_QUEUES);
	if (idx < AKST_NR_QUEUES)
		__set_bit(idx, akst_busy);
	spin_unlock(&akst_lock);
	if (idx >= AKST_NR_QUEUES) {
		__free_page(page);
		return -EBUSY;
	}

	akst_hwq[idx].page = page;
	akst_hwq[idx].kernel = accelkit_queue_owner(q) == ACCELKIT_OWNER_KERNEL;
	accelkit_queue_set_priv(q, &akst_hwq[idx]);
	return 0;
}

static int akst_start_queue(struct accelkit_queue *q)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);

	WRITE_ONCE(hwq->started, true);
	return 0;
}

static void akst_stop_queue(struct accelkit_queue *q)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);

	WRITE_ONCE(hwq->started, false);
}

static void akst_queue_info(struct accelkit_queue *q,
			    struct accelkit_queue_info *info)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);

	info->queue_id = hwq - akst_hwq;
}

/* The framework has zapped every user mapping of @q already. */
static void akst_put_queue(struct accelkit_queue *q)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);

	/* vm_insert_page() took its own references: this one is ours. */
	__free_page(hwq->page);
	hwq->page = NULL;
	hwq->kernel = false;
	WRITE_ONCE(hwq->started, false);
	accelkit_queue_set_priv(q, NULL);

	spin_lock(&akst_lock);
	__clear_bit(hwq - akst_hwq, akst_busy);
	spin_unlock(&akst_lock);
}

static int akst_mmap(struct accelkit_queue *q, struct vm_area_struct *vma,
		     enum uacce_qfrt type)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);

	if (type != UACCE_QFRT_DUS)
		return -EINVAL;
	/* The framework checked the size: exactly one page. */
	return vm_insert_page(vma, vma->vm_start, hwq->page);
}

/* Atomic, under the framework's fault_lock; never after put_queue. */
static void akst_page_response(struct accelkit_queue *q, bool success)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);

	WRITE_ONCE(hwq->answer, success);
	wake_up(&akst_answer_wait);
}

/*
 * AKST_CMD_PAGE_REQUEST: the framework holds the queue's ioctl lock, so
 * the queue is not put meanwhile and requests of one queue do not overlap
 * (a previous one that was never answered is still pending: the next one
 * is then refused with -EBUSY, as from a device).
 */
static long akst_ioctl(struct accelkit_queue *q, unsigned int cmd,
		       unsigned long arg)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);
	void __user *uarg = (void __user *)arg;
	struct akst_page_request req;
	long left;

	if (cmd != AKST_CMD_PAGE_REQUEST)
		return -ENOTTY;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;

	WRITE_ONCE(hwq->answer, -1);
	req.ret = accelkit_queue_page_request(q, req.addr, req.nr_pages,
					      req.write);
	left = wait_event_killable_timeout(akst_answer_wait,
					   READ_ONCE(hwq->answer) >= 0,
					   AKST_PRQ_WAIT);
	if (left < 0)
		return left;
	req.answer = READ_ONCE(hwq->answer);
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static const struct accelkit_ops akst_ops = {
	.get_available_instances = akst_get_available_instances,
	.get_queue	= akst_get_queue,
	.put_queue	= akst_put_queue,
	.start_queue	= akst_start_queue,
	.stop_queue	= akst_stop_queue,
	.queue_info	= akst_queue_info,
	.mmap		= akst_mmap,
	.ioctl		= akst_ioctl,
	.page_response	= akst_page_response,
};

/*
 * Ops of the self-translating interfaces the checks describe. They are
 * never called: nothing opens those devices, which exist only during
 * module init (and the binding would fail).
 */
static int akst_self_pasid_bind(struct accelkit_device *adev, u32 pasid,
				struct mm_struct *mm)
{
	return -EOPNOTSUPP;
}

static void akst_self_pasid_block(struct accelkit_device *adev, u32 pasid)
{
}

static void akst_self_pasid_unbind(struct accelkit_device *adev, u32 pasid)
{
}

static void akst_self_invalidate(struct accelkit_device *adev, u32 pasid,
				 unsigned long start, unsigned long end)
{
}

static int akst_self_get_queue(struct accelkit_device *adev,
			       struct accelkit_queue *q)
{
	return -EBUSY;
}

static const struct accelkit_ops akst_self_ops = {
	.get_queue	= akst_self_get_queue,
	.pasid_bind	= akst_self_pasid_bind,
	.pasid_block	= akst_self_pasid_block,
	.pasid_unbind	= akst_self_pasid_unbind,
	.invalidate	= akst_self_invalidate,
};

static const struct accelkit_ops akst_self_no_invalidate_ops = {
	.get_queue	= akst_self_get_queue,
	.pasid_bind	= akst_self_pasid_bind,
	.pasid_block	= akst_self_pasid_block,
	.pasid_unbind	= akst_self_pasid_unbind,
};

static const struct accelkit_ops akst_self_no_pasid_bind_ops = {
	.get_queue	= akst_self_get_queue,
	.pasid_block	= akst_self_pasid_block,
	.pasid_unbind	= akst_self_pasid_unbind,
	.invalidate	= akst_self_invalidate,
};

static const struct accelkit_ops akst_no_get_queue_ops = {
	.get_available_instances = akst_get_available_instances,
	.put_queue	= akst_put_queue,
	.mmap		= akst_mmap,
};

static unsigned int akst_failures;

static void akst_report(const char *check, int ret, int expected)
{
	if (ret == expected) {
		pr_info("PASS %s %d\n", check, ret);
	} else {
		pr_err("FAIL %s %d expected %d\n", check, ret, expected);
		akst_failures++;
	}
}

static struct accelkit_interface akst_self_intf(const struct accelkit_ops *ops)
{
	struct accelkit_interface intf = {
		.name		= AKST_TMP_NAME,
		.bind		= ACCELKIT_BIND_SELF,
		.ops		= ops,
		.max_pasid	= 16,
		.nr_queues	= 1,
	};

	return intf;
}

/*
 * accelkit_alloc() of @intf: report its errno as @check and undo it.
 * Returns the errno (0: allocated and freed again).
 */
static int akst_check_alloc(const char *check,
			    const struct accelkit_interface *intf, int expected)
{
	struct accelkit_device *adev;
	int ret;

	adev = accelkit_alloc(&akst_pdev->dev, intf);
	ret = PTR_ERR_OR_ZERO(adev);
	akst_report(check, ret, expected);
	if (!ret)
		accelkit_remove(adev);
	return ret;
}

/*
 * The framework refuses to register a self-translating device where the
 * CPU page tables do not hold plain physical addresses (memory
 * encryption) or have another format than x86-64's.
 */
static int akst_self_register_expected(void)
{
	if (!IS_ENABLED(CONFIG_X86_64) ||
	    cc_platform_has(CC_ATTR_MEM_ENCRYPT) ||
	    cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT) ||
	    cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT))
		return -EOPNOTSUPP;
	return 0;
}

static void akst_run_checks(void)
{
	struct accelkit_interface intf;
	struct accelkit_device *adev;
	int ret;

	/* The control: the refusals below are about the missing op only. */
	intf = akst_self_intf(&akst_self_ops);
	akst_check_alloc("alloc-self-complete", &intf, 0);

	intf = akst_self_intf(&akst_self_no_invalidate_ops);
	akst_check_alloc("alloc-without-invalidate", &intf, -EINVAL);

	intf = akst_self_intf(&akst_self_no_pasid_bind_ops);
	akst_check_alloc("alloc-without-pasid_bind", &intf, -EINVAL);

	intf = akst_self_intf(&akst_self_ops);
	intf.max_pasid = 1;
	akst_check_alloc("alloc-self-max_pasid-1", &intf, -EINVAL);

	intf = (struct accelkit_interface) {
		.name	= AKST_TMP_NAME,
		.bind	= ACCELKIT_BIND_NONE,
		.ops	= &akst_no_get_queue_ops,
	};
	akst_check_alloc("alloc-without-get_queue", &intf, -EINVAL);

	/* Registration of a complete self-translating interface. */
	intf = akst_self_intf(&akst_self_ops);
	adev = accelkit_alloc(&akst_pdev->dev, &intf);
	if (IS_ERR(adev)) {
		akst_report("register-self-translation", PTR_ERR(adev),
			    akst_self_register_expected());
		return;
	}
	ret = accelkit_register(adev);
	akst_report("register-self-translation", ret,
		    akst_self_register_expected());
	accelkit_remove(adev);
}

/* ---- kernel-owned queues: /dev/akst_kq plays a kernel consumer ---- */

/* Claims of one open file of /dev/akst_kq, or the module's (detached). */
struct akst_kq_holder {
	struct mutex lock;		/* serializes the holder's ioctls */
	unsigned int n;
	struct accelkit_queue *q[AKST_NR_QUEUES];
};

static struct akst_kq_holder akst_detached = {
	.lock = __MUTEX_INITIALIZER(akst_detached.lock),
};

static atomic_t akst_revoked = ATOMIC_INIT(0);

/*
 * Removal of the device with the queue still claimed. The framework must
 * call us after stop_queue and before put_queue: the hardware queue is
 * quiet but still ours, so a real driver could fail what it submitted.
 */
static void akst_kq_revoke(struct accelkit_queue *q, void *data)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);
	unsigned int idx = hwq - akst_hwq;
	bool held;

	spin_lock(&akst_lock);
	held = test_bit(idx, akst_busy);
	spin_unlock(&akst_lock);
	pr_info("revoke kernel queue %u\n", idx);
	akst_report("revoke-stopped-not-put",
		    held && hwq->kernel && !READ_ONCE(hwq->started) ?
		    0 : -EINVAL, 0);
	atomic_inc(&akst_revoked);
}

static int akst_kq_claim(struct akst_kq_holder *h)
{
	struct accelkit_queue *q;
	struct akst_hwq *hwq;

	if (h->n == AKST_NR_QUEUES)
		return -ENOSPC;
	q = accelkit_kqueue_claim(akst_adev, akst_kq_revoke, NULL);
	if (IS_ERR(q))
		return PTR_ERR(q);
	hwq = accelkit_queue_priv(q);
	/*
	 * The framework started it and told get_queue who owns it; a page
	 * request on it (no address space) is answered invalid at once.
	 */
	WRITE_ONCE(hwq->answer, -1);
	if (!hwq->kernel || !READ_ONCE(hwq->started) ||
	    accelkit_queue_pasid(q) ||
	    accelkit_queue_page_request(q, 0, 1, false) != -EINVAL ||
	    READ_ONCE(hwq->answer) != 0) {
		accelkit_kqueue_release(q);
		return -EPROTO;
	}
	h->q[h->n++] = q;
	return hwq - akst_hwq;
}

static void akst_kq_release_all(struct akst_kq_holder *h)
{
	while (h->n)
		accelkit_kqueue_release(h->q[--h->n]);
}

static void akst_kq_info(struct akst_kq_holder *h, struct akst_kq_info *info)
{
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->nr_queues = AKST_NR_QUEUES;
	info->held = h->n;
	info->revoked = atomic_read(&akst_revoked);
	spin_lock(&akst_lock);
	for (i = 0; i < AKST_NR_QUEUES; i++) {
		if (!test_bit(i, akst_busy))
			continue;
		info->busy |= BIT(i);
		if (akst_hwq[i].kernel)
			info->kernel |= BIT(i);
		if (READ_ONCE(akst_hwq[i].started))
			info->started |= BIT(i);
	}
	spin_unlock(&akst_lock);
}

static int akst_kq_open(struct inode *inode, struct file *filp)
{
	struct akst_kq_holder *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return -ENOMEM;
	mutex_init(&h->lock);
	filp->private_data = h;
	return 0;
}

static int akst_kq_file_release(struct inode *inode, struct file *filp)
{
	struct akst_kq_holder *h = filp->private_data;

	akst_kq_release_all(h);
	mutex_destroy(&h->lock);
	kfree(h);
	return 0;
}

static long akst_kq_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	struct akst_kq_holder *h = filp->private_data;
	struct akst_kq_info info;
	long ret = 0;

	mutex_lock(&h->lock);
	switch (cmd) {
	case AKST_KQ_CLAIM:
		ret = akst_kq_claim(h);
		break;
	case AKST_KQ_RELEASE:
		if (h->n)
			accelkit_kqueue_release(h->q[--h->n]);
		else
			ret = -ENOENT;
		break;
	case AKST_KQ_DETACH:
		mutex_lock(&akst_detached.lock);
		while (h->n && akst_detached.n < AKST_NR_QUEUES) {
			akst_detached.q[akst_detached.n++] = h->q[--h->n];
			ret++;
		}
		mutex_unlock(&akst_detached.lock);
		break;
	case AKST_KQ_HW_ERROR:
		accelkit_report_hw_error(akst_adev);
		break;
	case AKST_KQ_INFO:
		akst_kq_info(h, &info);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&h->lock);

	if (cmd == AKST_KQ_INFO &&
	    copy_to_user((void __user *)arg, &info, sizeof(info)))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations akst_kq_fops = {
	.owner		= THIS_MODULE,
	.open		= akst_kq_open,
	.release	= akst_kq_file_release,
	.unlocked_ioctl	= akst_kq_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice akst_kq_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "akst_kq",
	.fops	= &akst_kq_fops,
	.mode	= 0600,
};

/*
 * Claims the framework must refuse: no kernel side, a device not yet
 * registered, and reservations that do not fit the interface.
 */
static void akst_kq_checks(void)
{
	struct accelkit_interface intf = {
		.name		= AKST_TMP_NAME,
		.bind		= ACCELKIT_BIND_NONE,
		.ops		= &akst_ops,
		.nr_queues	= 2,
		.kernel_queues	= 3,
	};
	struct accelkit_device *adev;
	struct accelkit_queue *q;

	akst_check_alloc("alloc-kernel_queues-above-nr", &intf, -EINVAL);
	intf.nr_queues = 0;
	intf.kernel_queues = 1;
	akst_check_alloc("alloc-kernel_queues-without-nr", &intf, -EINVAL);

	intf.nr_queues = 2;
	intf.kernel_queues = -1;
	adev = accelkit_alloc(&akst_pdev->dev, &intf);
	if (IS_ERR(adev))
		return;
	q = accelkit_kqueue_claim(adev, NULL, NULL);
	akst_report("claim-no-kernel-side", PTR_ERR_OR_ZERO(q), -EOPNOTSUPP);
	if (!IS_ERR(q))
		accelkit_kqueue_release(q);
	accelkit_remove(adev);

	intf.kernel_queues = 1;
	adev = accelkit_alloc(&akst_pdev->dev, &intf);
	if (IS_ERR(adev))
		return;
	q = accelkit_kqueue_claim(adev, NULL, NULL);
	akst_report("claim-unregistered", PTR_ERR_OR_ZERO(q), -ENODEV);
	if (!IS_ERR(q))
		accelkit_kqueue_release(q);
	accelkit_remove(adev);
}

/*
 * A second device, never opened by the suites, whose interface has no
 * kernel side: its class directory must lack the ownership attributes.
 */
static void akst_register_nokq(void)
{
	const struct accelkit_interface intf = {
		.name		= AKST_NOKQ_NAME,
		.bind		= ACCELKIT_BIND_NONE,
		.ops		= &akst_ops,
		.api		= "accelkit_selftest",
		.dus_size	= PAGE_SIZE,
		.nr_queues	= AKST_NR_QUEUES,
		.kernel_queues	= -1,
	};
	int ret;

	akst_nokq_adev = accelkit_alloc(&akst_pdev->dev, &intf);
	ret = PTR_ERR_OR_ZERO(akst_nokq_adev);
	if (!ret)
		ret = accelkit_register(akst_nokq_adev);
	akst_report("register-no-kernel-side", ret, 0);
	if (ret && !IS_ERR(akst_nokq_adev))
		accelkit_remove(akst_nokq_adev);
	if (ret)
		akst_nokq_adev = NULL;
}

/* The device the VM suite uses: kept until the module goes. */
static int akst_register_kept(void)
{
	const struct accelkit_interface intf = {
		.name		= AKST_NAME,
		.bind		= ACCELKIT_BIND_NONE,
		.ops		= &akst_ops,
		.api		= "accelkit_selftest",
		.dus_size	= PAGE_SIZE,
		.mmio_size	= 0,
		.nr_queues	= AKST_NR_QUEUES,
		.kernel_queues	= AKST_KERNEL_QUEUES,
	};
	int ret;

	akst_adev = accelkit_alloc(&akst_pdev->dev, &intf);
	ret = PTR_ERR_OR_ZERO(akst_adev);
	akst_report("alloc-none-complete", ret, 0);
	if (ret) {
		akst_adev = NULL;
		return ret;
	}

	ret = accelkit_register(akst_adev);
	akst_report("register-none", ret, 0);
	if (ret) {
		accelkit_remove(akst_adev);
		akst_adev = NULL;
	}
	return ret;
}

static int __init akst_init(void)
{
	int ret;

	akst_pdev = platform_device_register_simple(KBUILD_MODNAME,
						    PLATFORM_DEVID_NONE,
						    NULL, 0);
	if (IS_ERR(akst_pdev))
		return PTR_ERR(akst_pdev);

	akst_run_checks();
	akst_kq_checks();
	akst_register_nokq();
	ret = akst_register_kept();
	if (ret)
		goto err_nokq;
	ret = misc_register(&akst_kq_misc);
	if (ret) {
		accelkit_remove(akst_adev);
		goto err_nokq;
	}
	pr_info("%u checks failed; /dev/%s ready\n", akst_failures,
		dev_name(accelkit_class_dev(akst_adev)));
	return 0;

err_nokq:
	accelkit_remove(akst_nokq_adev);	/* NULL: nothing */
	platform_device_unregister(akst_pdev);
	return ret;
}

static void __exit akst_exit(void)
{
	unsigned int held, revoked;

	/* No /dev/akst_kq file is open: each pins the module. */
	misc_deregister(&akst_kq_misc);
	/*
	 * Puts every queue still held, user or kernel (revoking the
	 * detached claims): all pages are freed afterwards.
	 */
	accelkit_remove(akst_adev);
	accelkit_remove(akst_nokq_adev);
	revoked = atomic_read(&akst_revoked);
	/* After a revoke, a release only frees the queue. */
	akst_kq_release_all(&akst_detached);

	spin_lock(&akst_lock);
	held = bitmap_weight(akst_busy, AKST_NR_QUEUES);
	spin_unlock(&akst_lock);
	pr_info("exit: %u kernel queues revoked since load, %u hardware queues still held\n",
		revoked, held);
	platform_device_unregister(akst_pdev);
}

module_init(akst_init);
module_exit(akst_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("accelkit: fake accelerator checking the framework's registration rules (tests only)");
