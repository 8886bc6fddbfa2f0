// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: the debugfs "kdma" file, a check of the kernel
 * side without the crypto API (tests only).
 *
 * /sys/kernel/debug/accelkit_sample/<pci-bdf>/kdma, root only:
 *
 *   open    claims a kernel queue (accelkit_kqueue_claim()): a hardware
 *           queue in DMA mode, counted in the class device's
 *           kernel_queues_in_use and never openable by user space while
 *           claimed. Fails like the claim (-EBUSY: the reservation is used
 *           up; -EOPNOTSUPP: no kernel side).
 *   write   one command, run on that queue with kernel buffers mapped
 *           through the DMA API (the descriptor carries bus addresses),
 *           completion polled with a bound:
 *             copy LEN      COPY of LEN bytes, compared in the kernel
 *             hash LEN      SHA-256 of LEN bytes, compared with sha256()
 *             deflate LEN   COMPRESS (raw deflate), then DECOMPRESS of its
 *                           output, compared with the input
 *             bad           COPY from a bus address that is not RAM
 *                           (AKS_KDMA_BAD_ADDR): DMA_ERROR expected, with
 *                           that address, and dst untouched
 *           LEN is 1..AKS_KDMA_MAX. -EINVAL: a malformed command; -ENODEV:
 *           the device was removed; -EIO: the queue failed, or an earlier
 *           command timed out; -ETIMEDOUT: no completion in time. Any
 *           other outcome is in the report.
 *   read    the report of the last command, one line:
 *             queue Q mode M op OP len L status S bytes B fault 0xF match Y|N
 *           ("queue Q mode M" before the first command; M is Q_MODE)
 *   close   releases the queue (accelkit_kqueue_release()).
 *
 * The kernel-queue engine of the crypto consumers (interrupt-driven, with
 * a backlog) comes later; this file only proves the path end to end.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/iopoll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <crypto/sha2.h>

#include "sample.h"

#define AKS_KDMA_MAX		SZ_128K
#define AKS_KDMA_MID		(AKS_KDMA_MAX + AKS_KDMA_MAX / 8 + SZ_4K)
#define AKS_KDMA_WAIT_US	(2 * USEC_PER_SEC)
/* A bus address that is no RAM: above anything the VM has. */
#define AKS_KDMA_BAD_ADDR	BIT_ULL(51)
#define AKS_KDMA_UNTOUCHED	0x5a

enum { AKS_KB_SRC, AKS_KB_MID, AKS_KB_DST, AKS_KB_PARAMS, AKS_KB_N };

static const size_t aks_kb_size[AKS_KB_N] = {
	[AKS_KB_SRC] = AKS_KDMA_MAX,
	[AKS_KB_MID] = AKS_KDMA_MID,
	[AKS_KB_DST] = AKS_KDMA_MAX,
	[AKS_KB_PARAMS] = sizeof(struct aks_params),
};

static const enum dma_data_direction aks_kb_dir[AKS_KB_N] = {
	[AKS_KB_SRC] = DMA_TO_DEVICE,
	[AKS_KB_MID] = DMA_BIDIRECTIONAL,	/* COMPRESS out, DECOMPRESS in */
	[AKS_KB_DST] = DMA_FROM_DEVICE,
	[AKS_KB_PARAMS] = DMA_TO_DEVICE,
};

struct aks_kdma {
	struct mutex lock;		/* everything below */
	struct aks_dev *sdev;		/* not used once revoked */
	struct device *dev;		/* referenced: DMA API */
	struct accelkit_queue *q;
	struct aks_hwq *hwq;
	bool revoked;			/* the device went away */
	bool mapped;			/* buffers mapped (a command, or stuck) */
	bool stuck;			/* timed out: mapped until the queue stops */
	u32 tail, head;
	u16 phase;
	u64 tag;
	u32 seed;
	void *buf[AKS_KB_N];
	dma_addr_t dma[AKS_KB_N];
	char report[160];
};

static int aks_kdma_map(struct aks_kdma *k)
{
	int i;

	for (i = 0; i < AKS_KB_N; i++) {
		k->dma[i] = dma_map_single(k->dev, k->buf[i], aks_kb_size[i],
					   aks_kb_dir[i]);
		if (dma_mapping_error(k->dev, k->dma[i])) {
			while (i--)
				dma_unmap_single(k->dev, k->dma[i],
						 aks_kb_size[i], aks_kb_dir[i]);
			return -ENOMEM;
		}
	}
	k->mapped = true;
	return 0;
}

/* Only once the device can no longer access the buffers. */
static void aks_kdma_unmap(struct aks_kdma *k)
{
	int i;

	if (!k->mapped)
		return;
	for (i = 0; i < AKS_KB_N; i++)
		dma_unmap_single(k->dev, k->dma[i], aks_kb_size[i],
				 aks_kb_dir[i]);
	k->mapped = false;
}

/*
 * Submit @d and wait for its record (k->lock held, queue ours and
 * started). 0 with the record in @c; -ETIMEDOUT: still in flight.
 */
static int aks_kdma_run(struct aks_kdma *k, struct aks_desc *d,
			struct aks_cpl *c)
{
	struct aks_hwq *hwq = k->hwq;
	struct aks_dev *sdev = k->sdev;
	struct aks_desc *sq = hwq->ring;
	struct aks_cpl *cq = hwq->ring + sdev->cq_offset;
	struct aks_cpl *rec = &cq[k->head];
	u32 mask = sdev->depth - 1;
	u16 flags;

	d->tag = cpu_to_le64(++k->tag);
	sq[k->tail] = *d;
	k->tail = (k->tail + 1) & mask;
	/* The descriptor before the doorbell (writel orders after it). */
	dma_wmb();
	writel(k->tail, hwq->db + AKS_DB_SQ_TAIL);
	if (read_poll_timeout(READ_ONCE, flags,
			      (le16_to_cpu(flags) & AKS_CF_PHASE) == k->phase,
			      10, AKS_KDMA_WAIT_US, false, rec->flags))
		return -ETIMEDOUT;
	dma_rmb();		/* the body after PHASE */
	*c = *rec;
	k->head = (k->head + 1) & mask;
	if (!k->head)
		k->phase ^= AKS_CF_PHASE;
	writel(k->head, hwq->db + AKS_DB_CQ_HEAD);
	if (le64_to_cpu(c->tag) != k->tag)
		return -EIO;	/* not ours: the ring is out of step */
	return 0;
}

/* A one-shot job on the mapped buffers (bus addresses). */
static void aks_kdma_desc(struct aks_kdma *k, struct aks_desc *d, u16 op,
			  u16 flags, int src, int dst, u64 len, u64 dst_len)
{
	memset(d, 0, sizeof(*d));
	d->opcode = cpu_to_le16(op);
	d->flags = cpu_to_le16(flags);
	d->src = cpu_to_le64(k->dma[src]);
	d->dst = cpu_to_le64(k->dma[dst]);
	d->len = cpu_to_le64(len);
	d->pattern = cpu_to_le64(dst_len);
	if (op >= AKS_OP_COMPRESS)
		d->rsvd1[0] = cpu_to_le64(k->dma[AKS_KB_PARAMS]);
}

/* Input that deflate can shrink but that is not one repeated byte. */
static void aks_kdma_fill(u8 *p, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + (i % 251) * ((i / 251) % 7 + 1));
}

struct aks_kdma_res {
	u16 status;
	u64 bytes, fault;
	bool match;
};

static int aks_kdma_cmd(struct aks_kdma *k, const char *op, size_t len,
			struct aks_kdma_res *res)
{
	u8 *src = k->buf[AKS_KB_SRC], *dst = k->buf[AKS_KB_DST];
	struct aks_params *p = k->buf[AKS_KB_PARAMS];
	u8 digest[SHA256_DIGEST_SIZE];
	struct aks_desc d;
	struct aks_cpl c;
	int ret;

	aks_kdma_fill(src, len, ++k->seed);
	memset(dst, AKS_KDMA_UNTOUCHED, AKS_KDMA_MAX);
	memset(p, 0, sizeof(*p));
	ret = aks_kdma_map(k);
	if (ret)
		return ret;

	if (!strcmp(op, "copy") || !strcmp(op, "bad")) {
		aks_kdma_desc(k, &d, AKS_OP_COPY, 0, AKS_KB_SRC, AKS_KB_DST,
			      len, 0);
		if (*op == 'b')
			d.src = cpu_to_le64(AKS_KDMA_BAD_ADDR);
		ret = aks_kdma_run(k, &d, &c);
	} else if (!strcmp(op, "hash")) {
		p->alg = AKS_HASH_SHA256;
		aks_kdma_desc(k, &d, AKS_OP_HASH, AKS_DF_FIRST | AKS_DF_LAST,
			      AKS_KB_SRC, AKS_KB_DST, len, SHA256_DIGEST_SIZE);
		ret = aks_kdma_run(k, &d, &c);
	} else {
		/* deflate: compress into mid, inflate mid into dst */
		p->alg = AKS_FRAME_RAW;
		p->level = 6;
		aks_kdma_desc(k, &d, AKS_OP_COMPRESS,
			      AKS_DF_FIRST | AKS_DF_LAST, AKS_KB_SRC,
			      AKS_KB_MID, len, AKS_KDMA_MID);
		ret = aks_kdma_run(k, &d, &c);
		if (!ret && le16_to_cpu(c.status) == AKS_ST_SUCCESS) {
			aks_kdma_desc(k, &d, AKS_OP_DECOMPRESS,
				      AKS_DF_FIRST | AKS_DF_LAST, AKS_KB_MID,
				      AKS_KB_DST, le64_to_cpu(c.bytes),
				      AKS_KDMA_MAX);
			ret = aks_kdma_run(k, &d, &c);
		}
	}
	if (ret == -ETIMEDOUT) {
		/* The device may still write: mapped until the queue stops. */
		k->stuck = true;
		return ret;
	}
	aks_kdma_unmap(k);
	if (ret)
		return ret;

	res->status = le16_to_cpu(c.status);
	res->bytes = le64_to_cpu(c.bytes);
	res->fault = le64_to_cpu(c.fault_addr);
	if (*op == 'b') {
		res->match = res->status == AKS_ST_DMA_ERROR &&
			     res->fault == AKS_KDMA_BAD_ADDR &&
			     !memchr_inv(dst, AKS_KDMA_UNTOUCHED, len);
	} else if (*op == 'h') {
		sha256(src, len, digest);
		res->match = res->status == AKS_ST_SUCCESS &&
			     res->bytes == SHA256_DIGEST_SIZE &&
			     !memcmp(dst, digest, SHA256_DIGEST_SIZE);
	} else {
		res->match = res->status == AKS_ST_SUCCESS &&
			     res->bytes == len && !memcmp(dst, src, len);
	}
	return 0;
}

static void aks_kdma_head(struct aks_kdma *k)
{
	scnprintf(k->report, sizeof(k->report), "queue %u mode %u",
		  k->hwq->index, aks_qread(k->hwq, AKS_Q_MODE));
}

static ssize_t aks_kdma_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct aks_kdma *k = file->private_data;
	struct aks_kdma_res res = { };
	char buf[32], op[8];
	size_t len = 0;
	int ret;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);
	if (!strcmp(buf, "bad")) {
		strscpy(op, buf, sizeof(op));
		len = SZ_4K;
	} else if (sscanf(buf, "%7s %zu", op, &len) != 2 ||
		   !len || len > AKS_KDMA_MAX ||
		   (strcmp(op, "copy") && strcmp(op, "hash") &&
		    strcmp(op, "deflate"))) {
		return -EINVAL;
	}

	mutex_lock(&k->lock);
	if (k->revoked)
		ret = -ENODEV;
	else if (k->stuck || !READ_ONCE(k->hwq->started))
		ret = -EIO;
	else
		ret = aks_kdma_cmd(k, op, len, &res);
	if (!ret) {
		aks_kdma_head(k);
		scnprintf(k->report + strlen(k->report),
			  sizeof(k->report) - strlen(k->report),
			  " op %s len %zu status %u bytes %llu fault %#llx match %c",
			  op, len, res.status, res.bytes, res.fault,
			  res.match ? 'Y' : 'N');
	}
	mutex_unlock(&k->lock);
	return ret ? ret : count;
}

static ssize_t aks_kdma_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct aks_kdma *k = file->private_data;
	char line[sizeof(k->report) + 1];
	size_t n;

	mutex_lock(&k->lock);
	n = scnprintf(line, sizeof(line), "%s\n", k->report);
	mutex_unlock(&k->lock);
	return simple_read_from_buffer(ubuf, count, ppos, line, n);
}

/*
 * The device is being removed (accelkit_remove(), the queue's control
 * lock held, the hardware queue stopped): no command may touch it again.
 */
static void aks_kdma_revoke(struct accelkit_queue *q, void *data)
{
	struct aks_kdma *k = data;

	mutex_lock(&k->lock);
	k->revoked = true;
	aks_kdma_unmap(k);
	k->stuck = false;
	mutex_unlock(&k->lock);
}

static void aks_kdma_free(struct aks_kdma *k)
{
	int i;

	for (i = 0; i < AKS_KB_N; i++)
		kfree(k->buf[i]);
	put_device(k->dev);
	kfree(k);
}

static int aks_kdma_open(struct inode *inode, struct file *file)
{
	struct aks_dev *sdev = inode->i_private;
	struct accelkit_queue *q;
	struct aks_kdma *k;
	int i;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	mutex_init(&k->lock);
	k->sdev = sdev;
	k->dev = get_device(&sdev->pdev->dev);
	for (i = 0; i < AKS_KB_N; i++) {
		k->buf[i] = kzalloc(aks_kb_size[i], GFP_KERNEL | __GFP_NOWARN);
		if (!k->buf[i]) {
			aks_kdma_free(k);
			return -ENOMEM;
		}
	}
	q = accelkit_kqueue_claim(sdev->adev, aks_kdma_revoke, k);
	if (IS_ERR(q)) {
		aks_kdma_free(k);
		return PTR_ERR(q);
	}
	k->q = q;
	k->hwq = accelkit_queue_priv(q);
	k->phase = AKS_CF_PHASE;	/* a started queue begins at slot 0 */
	aks_kdma_head(k);
	file->private_data = k;
	return 0;
}

/* Not after the device's removal: i_private may be gone, k is not. */
static int aks_kdma_release(struct inode *inode, struct file *file)
{
	struct aks_kdma *k = file->private_data;

	/* Stops the hardware queue: then a stuck job's buffers are free. */
	accelkit_kqueue_release(k->q);
	mutex_lock(&k->lock);
	aks_kdma_unmap(k);
	mutex_unlock(&k->lock);
	aks_kdma_free(k);
	return 0;
}

static const struct file_operations aks_kdma_fops = {
	.owner		= THIS_MODULE,
	.open		= aks_kdma_open,
	.release	= aks_kdma_release,
	.read		= aks_kdma_read,
	.write		= aks_kdma_write,
	.llseek		= default_llseek,
};

/* Next to "inject", with a kernel side only (device 2.5, CAPS bit 21). */
void aks_kdma_debugfs_add(struct aks_dev *sdev)
{
	if (IS_ERR_OR_NULL(sdev->debugfs) ||
	    !(sdev->caps & AKS_CAPS_DMA_QUEUES))
		return;
	debugfs_create_file("kdma", 0600, sdev->debugfs, sdev,
			    &aks_kdma_fops);
}
