// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: PCI probe and remove.
 *
 * This is the template a vendor copies. Everything user space sees (the
 * node /dev/accelkit-N, sysfs, queue files, mmap, PASID binding) is done
 * by the accelkit framework; the driver only brings the device up,
 * describes it with a struct accelkit_interface and implements the ops in
 * queue.c and pasid.c.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/overflow.h>

#include "kq.h"
#include "sample.h"

#define AKS_NAME	"accelkit"		/* nodes: /dev/accelkit-N */
#define AKS_API		"accelkit_sample_v1"
/*
 * The algorithms we advertise in sysfs, one per device capability bit
 * (CAPS bit n: opcode n). Names follow the kernel crypto API's.
 */
static const char * const aks_op_algs[] = {
	[AKS_OP_NOP]		= "nop",
	[AKS_OP_COPY]		= "copy",
	[AKS_OP_FILL]		= "fill",
	[AKS_OP_COMPRESS]	= "deflate\nzlib\ngzip",
	[AKS_OP_HASH]		= "sha256\nsha512\nhmac(sha256)",
	[AKS_OP_CIPHER]		= "cbc(aes)\nctr(aes)\nxts(aes)\ngcm(aes)",
};

/* Build the "algorithms" list from CAPS; kfree() the result. */
static char *aks_algs(u32 caps)
{
	char *algs = kstrdup("", GFP_KERNEL);
	unsigned int op;

	for (op = 0; algs && op < ARRAY_SIZE(aks_op_algs); op++) {
		char *more;

		if (!aks_op_algs[op] || !(caps & BIT(op)))
			continue;
		/* Compression needs both directions. */
		if (op == AKS_OP_COMPRESS && !(caps & BIT(AKS_OP_DECOMPRESS)))
			continue;
		more = kasprintf(GFP_KERNEL, "%s%s%s", algs, *algs ? "\n" : "",
				 aks_op_algs[op]);
		kfree(algs);
		algs = more;
	}
	return algs;
}

/*
 * Hardware queues reserved for kernel owners (accelkit_kqueue_claim():
 * the debugfs "kdma" check now, the crypto API later), at most half of
 * the device's; the framework's sysfs "kernel_queues" changes it at run
 * time. A device without DMA-mode queues (CAPS bit 21) has no kernel side.
 */
unsigned int aks_kernel_queues = 2;
module_param_named(kernel_queues, aks_kernel_queues, uint, 0444);
MODULE_PARM_DESC(kernel_queues, "queues reserved for kernel owners, at most half of the device's (default 2)");

static unsigned int depth = 1024;
module_param(depth, uint, 0444);
MODULE_PARM_DESC(depth, "ring entries per queue, power of two 2..4096 (default 1024)");

/*
 * sva_mode=iommu registers the device for IOMMU SVA (the IOMMU translates
 * the device's PASID-tagged DMA) instead of self-translation. The sample
 * device model walks the page tables itself and emits no PASID-tagged
 * DMA, so this mode only exercises the framework's refusal path: where
 * the kernel refuses SVA (no IOMMU, or the CVE-2025-71089 mitigation) the
 * probe fails with one message and no node appears.
 */
static char *sva_mode = "self";
module_param(sva_mode, charp, 0444);
MODULE_PARM_DESC(sva_mode, "self (default: the device walks the page tables) or iommu (IOMMU SVA)");

/*
 * Completion interrupt of one queue: wake whoever poll()s a user queue's
 * file; a kernel queue of the crypto engine (kq.c) is served by the thread.
 */
static irqreturn_t aks_queue_irq(int irq, void *data)
{
	struct aks_hwq *hwq = data;
	struct accelkit_queue *q = READ_ONCE(hwq->q);

	WRITE_ONCE(hwq->irqs, hwq->irqs + 1);	/* the watchdog's lost IRQs */
	if (READ_ONCE(hwq->kq))
		return IRQ_WAKE_THREAD;
	if (q)
		accelkit_queue_wake(q);
	return IRQ_HANDLED;
}

static irqreturn_t aks_queue_thread(int irq, void *data)
{
	return aks_kq_irq_thread(data);
}

/* Check that this is a device we know, and read its limits. */
static int aks_check_device(struct aks_dev *sdev, unsigned int *nr_queues)
{
	struct device *dev = &sdev->pdev->dev;
	u32 magic, version;

	magic = aks_read(sdev, AKS_REG_MAGIC);
	version = aks_read(sdev, AKS_REG_VERSION);
	if (magic != AKS_MAGIC_VALUE ||
	    AKS_VERSION_MAJOR(version) != AKS_VERSION_MAJOR_SUPPORTED) {
		dev_err(dev, "unsupported device: magic %#x version %#x\n",
			magic, version);
		return -ENODEV;
	}

	*nr_queues = aks_read(sdev, AKS_REG_NR_QUEUES);
	if (!*nr_queues || *nr_queues > AKS_MAX_QUEUES) {
		dev_err(dev, "bad number of queues %u\n", *nr_queues);
		return -ENODEV;
	}
	sdev->version = version;
	sdev->caps = aks_read(sdev, AKS_REG_CAPS);
	sdev->max_xfer = aks_read(sdev, AKS_REG_MAX_XFER);

	/* The device walks our page tables: it must speak their format. */
	if (accelkit_pgtable_5level() && !(sdev->caps & AKS_CAPS_LA57)) {
		dev_err(dev, "CPU uses 5-level paging, device cannot walk it\n");
		return -ENODEV;
	}
	return 0;
}

/*
 * Reset the device: RESET reads 1 until the device has finished the step
 * in progress and cleared all state; afterwards it touches no memory.
 * Polled with a bound, like every wait for the device.
 */
int aks_reset(struct aks_dev *sdev)
{
	u32 ctrl;

	aks_write(sdev, AKS_REG_DEV_CTRL, AKS_DEV_CTRL_RESET);
	if (readl_poll_timeout(sdev->regs + AKS_REG_DEV_CTRL, ctrl,
			       !(ctrl & AKS_DEV_CTRL_RESET), 10,
			       AKS_TIMEOUT_US)) {
		atomic_inc(&sdev->timeouts);
		aks_mark_broken(sdev, "reset");
		return -EIO;
	}
	return 0;
}

static void aks_free_irqs(struct aks_dev *sdev, unsigned int count)
{
	while (count--)
		free_irq(sdev->hwq[count].irq, &sdev->hwq[count]);
}

static int aks_request_irqs(struct aks_dev *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	unsigned int i;
	int ret;

	for (i = 0; i < sdev->nr_queues; i++) {
		struct aks_hwq *hwq = &sdev->hwq[i];

		hwq->irq = pci_irq_vector(pdev, AKS_QUEUE_VECTOR(i));
		snprintf(hwq->irq_name, sizeof(hwq->irq_name), "%s-q%u",
			 pci_name(pdev), i);
		ret = request_threaded_irq(hwq->irq, aks_queue_irq,
					   aks_queue_thread, IRQF_ONESHOT,
					   hwq->irq_name, hwq);
		if (ret) {
			aks_free_irqs(sdev, i);
			return ret;
		}
	}
	return 0;
}

/*
 * The PASID table and the page-request ring must be programmed while the
 * device is disabled. Also after a recovery reset (prq_lock held).
 */
int aks_enable(struct aks_dev *sdev)
{
	aks_write(sdev, AKS_REG_PASID_TABLE_LO,
		  lower_32_bits(sdev->pasid_table_dma));
	aks_write(sdev, AKS_REG_PASID_TABLE_HI,
		  upper_32_bits(sdev->pasid_table_dma));
	aks_write(sdev, AKS_REG_PASID_TABLE_SIZE, AKS_PASID_ENTRIES);
	aks_inv_program(sdev);
	aks_prq_program(sdev);
	aks_prq_enable(sdev);
	aks_write(sdev, AKS_REG_DEV_CTRL, AKS_DEV_CTRL_ENABLE);
	if (!(aks_read(sdev, AKS_REG_DEV_STATUS) & AKS_DEV_STATUS_ENABLED))
		return -EIO;
	return 0;
}

static int aks_register(struct aks_dev *sdev, bool iommu_sva)
{
	struct accelkit_interface intf = {
		.name		= AKS_NAME,
		.flags		= UACCE_DEV_SVA,
		.bind		= iommu_sva ? ACCELKIT_BIND_IOMMU_SVA :
					      ACCELKIT_BIND_SELF,
		.ops		= &aks_accelkit_ops,
		.api		= AKS_API,
		.algs		= NULL,	/* from CAPS, below */
		.mmio_size	= AKS_DOORBELL_PAGE,
		.dus_size	= sdev->dus_size,
		.max_pasid	= AKS_PASID_ENTRIES,
		.nr_queues	= sdev->nr_queues,
		.kernel_queues	= sdev->caps & AKS_CAPS_DMA_QUEUES ?
				  min(aks_kernel_queues, sdev->nr_queues / 2) :
				  -1,
		.priv		= sdev,
	};
	char *algs = aks_algs(sdev->caps);
	int ret;

	if (!algs)
		return -ENOMEM;
	intf.algs = algs;
	sdev->adev = accelkit_alloc(&sdev->pdev->dev, &intf);
	kfree(algs);		/* accelkit_alloc() keeps its own copy */
	if (IS_ERR(sdev->adev))
		return PTR_ERR(sdev->adev);

	ret = accelkit_register(sdev->adev);
	if (ret)
		accelkit_remove(sdev->adev);
	return ret;
}

static int aks_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct aks_dev *sdev;
	unsigned int nr_queues, i;
	void __iomem *regs;
	bool iommu_sva;
	int ret;

	if (sysfs_streq(sva_mode, "iommu")) {
		iommu_sva = true;
	} else if (sysfs_streq(sva_mode, "self")) {
		iommu_sva = false;
	} else {
		dev_err(dev, "sva_mode=%s: want self or iommu\n", sva_mode);
		return -EINVAL;
	}
	/* Doorbell pages are 4 KiB: a bigger CPU page would expose others. */
	if (PAGE_SIZE != AKS_DOORBELL_PAGE)
		return -ENODEV;
	if (!is_power_of_2(depth) || depth < AKS_DEPTH_MIN ||
	    depth > AKS_DEPTH_MAX) {
		dev_err(dev, "depth=%u: need a power of two in 2..4096\n", depth);
		return -EINVAL;
	}
	/* Page-table walks yield physical addresses: no translating IOMMU. */
	if (!iommu_sva && !accelkit_dma_is_phys(dev)) {
		dev_err(dev, "device DMA is translated by an IOMMU; use iommu=pt\n");
		return -ENODEV;
	}

	/* pcim_*: regions, the BAR0 mapping and enabling are undone for us. */
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(AKS_BAR_REGS), KBUILD_MODNAME);
	if (ret)
		return ret;
	/* BAR4 is never touched by the kernel, only mapped to user space. */
	ret = pci_request_region(pdev, AKS_BAR_DOORBELL, KBUILD_MODNAME);
	if (ret)
		return ret;
	regs = pcim_iomap_table(pdev)[AKS_BAR_REGS];
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	nr_queues = readl(regs + AKS_REG_NR_QUEUES);
	if (!nr_queues || nr_queues > AKS_MAX_QUEUES)
		nr_queues = AKS_MAX_QUEUES;	/* checked for real below */
	sdev = devm_kzalloc(dev, struct_size(sdev, hwq, nr_queues), GFP_KERNEL);
	if (!sdev)
		return -ENOMEM;
	sdev->pdev = pdev;
	sdev->regs = regs;
	spin_lock_init(&sdev->lock);
	spin_lock_init(&sdev->prq_lock);
	spin_lock_init(&sdev->stat_lock);
	aks_recover_init(sdev);

	ret = aks_check_device(sdev, &sdev->nr_queues);
	if (ret)
		return ret;
	if (sdev->nr_queues != nr_queues)
		return -ENODEV;		/* changed under our feet */
	if (pci_resource_len(pdev, AKS_BAR_DOORBELL) <
	    (resource_size_t)nr_queues * AKS_DOORBELL_PAGE)
		return -ENODEV;
	sdev->doorbell_phys = pci_resource_start(pdev, AKS_BAR_DOORBELL);

	/* DUS region: SQ at 0, CQ at the next 4 KiB boundary. */
	sdev->depth = depth;
	sdev->cq_offset = ALIGN(depth * AKS_DESC_SIZE, AKS_RING_ALIGN);
	sdev->dus_size = PAGE_ALIGN(sdev->cq_offset + depth * AKS_CPL_SIZE);
	for (i = 0; i < nr_queues; i++) {
		sdev->hwq[i].sdev = sdev;
		sdev->hwq[i].index = i;
	}

	ret = aks_reset(sdev);
	if (ret)
		return ret;

	sdev->pasid_table = dma_alloc_coherent(dev,
					       AKS_PASID_ENTRIES *
					       sizeof(struct aks_pasid_entry),
					       &sdev->pasid_table_dma,
					       GFP_KERNEL);
	if (!sdev->pasid_table)
		return -ENOMEM;
	ret = aks_inv_alloc(sdev);
	if (ret)
		goto err_table;
	ret = aks_prq_alloc(sdev);
	if (ret)
		goto err_inv;

	/* Vector 0: page requests; queue q uses q + 1. */
	ret = pci_alloc_irq_vectors(pdev, nr_queues + 1, nr_queues + 1,
				    PCI_IRQ_MSIX);
	if (ret < 0)
		goto err_prq;
	ret = aks_request_irqs(sdev);
	if (ret)
		goto err_vectors;
	ret = aks_prq_request_irq(sdev);
	if (ret)
		goto err_irqs;

	ret = aks_enable(sdev);
	if (ret) {
		dev_err(dev, "device does not enable\n");
		goto err_disable;
	}

	pci_set_drvdata(pdev, sdev);
	ret = aks_register(sdev, iommu_sva);
	if (ret) {
		/*
		 * The framework said why (one message). The driver core would
		 * add a second line for any error but ENODEV/ENXIO, and "the
		 * kernel refuses SVA for this device" is what ENODEV means.
		 */
		if (iommu_sva && ret == -EOPNOTSUPP)
			ret = -ENODEV;
		goto err_disable;
	}

	ret = aks_crypto_probe(sdev);
	if (ret)
		dev_warn(dev, "no crypto API side: %d\n", ret);
	aks_debugfs_add(sdev);
	aks_kdma_debugfs_add(sdev);
	dev_info(dev, "%s: %u queues, depth %u, page requests %s\n",
		 dev_name(accelkit_class_dev(sdev->adev)), nr_queues, depth,
		 sdev->prq ? "on" : "off");
	return 0;

err_disable:
	pci_set_drvdata(pdev, NULL);
	/* Completes once no step runs: then nothing uses our memory. */
	aks_reset(sdev);
	pci_clear_master(pdev);
	aks_prq_free_irq(sdev);
err_irqs:
	aks_free_irqs(sdev, nr_queues);
err_vectors:
	pci_free_irq_vectors(pdev);
err_prq:
	aks_prq_free(sdev);
err_inv:
	aks_inv_free(sdev);
err_table:
	dma_free_coherent(dev, AKS_PASID_ENTRIES * sizeof(struct aks_pasid_entry),
			  sdev->pasid_table, sdev->pasid_table_dma);
	return ret;
}

static void aks_remove(struct pci_dev *pdev)
{
	struct aks_dev *sdev = pci_get_drvdata(pdev);

	/*
	 * No watchdog or reset work from here on; a wait that times out now
	 * leaves the device broken. Then the framework stops and releases
	 * every queue still open, unbinds their PASIDs and zaps user
	 * mappings. No op is called after this returns, so the device can go.
	 */
	aks_recover_stop(sdev);
	/*
	 * debugfs first: no kdma open can claim a kernel queue of a device
	 * being removed; one still open is revoked by accelkit_remove().
	 */
	aks_debugfs_remove(sdev);
	/*
	 * The crypto side's kernel queues go first: their requests end (in
	 * software where they must not fail), transforms stay without a device.
	 */
	aks_crypto_remove(sdev);
	accelkit_remove(sdev->adev);

	/*
	 * Completes once no step runs (bounded; on a timeout the device is
	 * marked broken and bus mastering is already off): afterwards the
	 * device touches none of the memory freed below.
	 */
	aks_reset(sdev);
	aks_prq_free_irq(sdev);
	aks_free_irqs(sdev, sdev->nr_queues);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	aks_prq_free(sdev);
	aks_inv_free(sdev);
	dma_free_coherent(&pdev->dev,
			  AKS_PASID_ENTRIES * sizeof(struct aks_pasid_entry),
			  sdev->pasid_table, sdev->pasid_table_dma);
}

/*
 * Power-off, reboot and kexec: queues may still be open and running
 * (device_shutdown() closes nothing), so stop the device, or it would go on
 * walking page tables and writing memory that firmware or the next kernel
 * owns. After the reset it touches no memory and raises no interrupt.
 * Marked broken without a message (no error happened): every later op
 * then skips the device instead of waiting for it (start_queue fails with
 * EIO, stopping a queue and invalidations return at once), so processes
 * still running until the power goes never wait for the stopped device.
 */
static void aks_shutdown(struct pci_dev *pdev)
{
	struct aks_dev *sdev = pci_get_drvdata(pdev);

	if (!sdev)
		return;
	/* No watchdog or reset work may bring the device back now. */
	aks_recover_stop(sdev);
	set_bit(AKS_F_BROKEN, &sdev->flags);
	aks_reset(sdev);
	pci_clear_master(pdev);
}

static const struct pci_device_id aks_pci_ids[] = {
	{ PCI_DEVICE(AKS_PCI_VENDOR, AKS_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, aks_pci_ids);

static struct pci_driver aks_pci_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= aks_pci_ids,
	.probe		= aks_probe,
	.remove		= aks_remove,
	.shutdown	= aks_shutdown,
	.dev_groups	= aks_dev_groups,
};

static int __init aks_init(void)
{
	int ret;

	ret = aks_crypto_init();
	if (ret)
		return ret;
	aks_debugfs_init();
	ret = pci_register_driver(&aks_pci_driver);
	if (ret) {
		aks_debugfs_exit();
		aks_crypto_exit();
	}
	return ret;
}
module_init(aks_init);

static void __exit aks_exit(void)
{
	pci_unregister_driver(&aks_pci_driver);
	/* No device, so no transform: the algorithms can go. */
	aks_crypto_exit();
	aks_debugfs_exit();
}
module_exit(aks_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("accelkit sample accelerator (1af4:10f7), template for vendor drivers");
