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
 * (ACCELKIT_BIND_NONE: no PASID, no page tables), with four queues whose
 * only region is a DUS region of one page: a zeroed kernel page mapped
 * with vm_insert_page(), which does not set VM_IO itself (the framework
 * must). There is no hardware: start/stop do nothing. A driver ioctl
 * (AKST_CMD_PAGE_REQUEST, uapi/accelkit/selftest.h) plays a device that
 * stalls on a run of pages: it passes the run to
 * accelkit_queue_page_request() and waits for the page_response, so the
 * VM suite can check the framework's fault path without the sample device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cc_platform.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/accelkit.h>

#include <uapi/accelkit/selftest.h>

#define AKST_NAME	"akselftest"
#define AKST_TMP_NAME	"akstcheck"	/* devices of the checks, not kept */
#define AKST_NR_QUEUES	4
#define AKST_PRQ_WAIT	(10 * HZ)	/* for an answer to our request */

struct akst_hwq {
	struct page *page;		/* the DUS region, zeroed per queue */
	int answer;			/* page_response: 1, 0; -1 none yet */
};

static DECLARE_WAIT_QUEUE_HEAD(akst_answer_wait);

static struct platform_device *akst_pdev;
static struct accelkit_device *akst_adev;

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
	accelkit_queue_set_priv(q, &akst_hwq[idx]);
	return 0;
}

/* The framework has zapped every user mapping of @q already. */
static void akst_put_queue(struct accelkit_queue *q)
{
	struct akst_hwq *hwq = accelkit_queue_priv(q);

	/* vm_insert_page() took its own references: this one is ours. */
	__free_page(hwq->page);
	hwq->page = NULL;
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
	ret = akst_register_kept();
	if (ret) {
		platform_device_unregister(akst_pdev);
		return ret;
	}
	pr_info("%u checks failed; /dev/%s ready\n", akst_failures,
		dev_name(accelkit_class_dev(akst_adev)));
	return 0;
}

static void __exit akst_exit(void)
{
	/* Puts every queue still held: all pages are freed afterwards. */
	accelkit_remove(akst_adev);
	platform_device_unregister(akst_pdev);
}

module_init(akst_init);
module_exit(akst_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("accelkit: fake accelerator checking the framework's registration rules (tests only)");
