// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: the debugfs error-injection file (tests only).
 *
 * /sys/kernel/debug/accelkit_sample/<pci-bdf>/inject, root only (debugfs
 * is never exposed to users), takes one line:
 *
 *   engine_error Q N | stall Q N | bad_completion Q N | drop_irq Q N
 *        arm the device's Q_INJECT of hardware queue Q (the queue_id of
 *        ACCELKIT_CMD_QUEUE_INFO): N jobs complete normally, then the
 *        fault hits the next one (one-shot; starting the queue disarms)
 *   prq_overflow          the next page request finds the ring full
 *   ignore_invalidations  the device stops answering invalidations
 *   raise_error           the device latches a correctable error
 *
 * Anything else is -EINVAL. Needs a 2.4 device (CAPS ERR_RECOVERY) for
 * all but the last two.
 */
#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "sample.h"

static struct dentry *aks_debugfs_root;

static const struct {
	const char *name;
	u32 kind;
} aks_inj_kinds[] = {
	{ "engine_error",	AKS_INJ_ENGINE_ERROR },
	{ "stall",		AKS_INJ_STALL },
	{ "bad_completion",	AKS_INJ_BAD_COMPLETION },
	{ "drop_irq",		AKS_INJ_DROP_IRQ },
};

/* Set bits of DEBUG_INJECT (a write replaces the register). */
static void aks_debug_set(struct aks_dev *sdev, u32 bits)
{
	aks_write(sdev, AKS_REG_DEBUG_INJECT,
		  aks_read(sdev, AKS_REG_DEBUG_INJECT) | bits);
}

static int aks_inject(struct aks_dev *sdev, char *line)
{
	bool v24 = sdev->caps & AKS_CAPS_ERR_RECOVERY;
	char word[20];
	unsigned int i, qi, after;

	if (!strcmp(line, "ignore_invalidations")) {
		aks_debug_set(sdev, AKS_DEBUG_IGNORE_INV);
		return 0;
	}
	if (!strcmp(line, "raise_error")) {
		aks_debug_set(sdev, AKS_DEBUG_RAISE_ERROR);
		return 0;
	}
	if (!v24)
		return -EOPNOTSUPP;
	if (!strcmp(line, "prq_overflow")) {
		aks_debug_set(sdev, AKS_DEBUG_PRQ_OVERFLOW);
		return 0;
	}
	if (sscanf(line, "%19s %u %u", word, &qi, &after) != 3 ||
	    qi >= sdev->nr_queues ||
	    after > FIELD_MAX(AKS_Q_INJECT_AFTER))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(aks_inj_kinds); i++) {
		if (strcmp(word, aks_inj_kinds[i].name))
			continue;
		aks_write(sdev, AKS_QREG(qi, AKS_Q_INJECT),
			  FIELD_PREP(AKS_Q_INJECT_KIND, aks_inj_kinds[i].kind) |
			  FIELD_PREP(AKS_Q_INJECT_AFTER, after));
		return 0;
	}
	return -EINVAL;
}

static ssize_t aks_inject_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct aks_dev *sdev = file_inode(file)->i_private;
	char buf[64];
	int ret;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = aks_inject(sdev, strim(buf));
	return ret ? ret : count;
}

static const struct file_operations aks_inject_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= aks_inject_write,
	.llseek	= noop_llseek,
};

void aks_debugfs_add(struct aks_dev *sdev)
{
	if (IS_ERR_OR_NULL(aks_debugfs_root))
		return;
	sdev->debugfs = debugfs_create_dir(pci_name(sdev->pdev),
					   aks_debugfs_root);
	debugfs_create_file("inject", 0200, sdev->debugfs, sdev,
			    &aks_inject_fops);
}

/* Waits for writers in progress: afterwards nothing uses sdev from here. */
void aks_debugfs_remove(struct aks_dev *sdev)
{
	debugfs_remove_recursive(sdev->debugfs);
	sdev->debugfs = NULL;
}

void aks_debugfs_init(void)
{
	aks_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
}

void aks_debugfs_exit(void)
{
	debugfs_remove_recursive(aks_debugfs_root);
}
