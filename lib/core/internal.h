/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaccelkit internals. Everything here has hidden visibility (the
 * library is built with -fvisibility=hidden); the host unit tests reach it
 * through the static archive.
 */
#ifndef AK_INTERNAL_H
#define AK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <accelkit/sample_hw.h>

#include "libaccelkit.h"

/* ---- desc.c ---- */

/* Build the 64-byte little-endian descriptor for @job. @irq_default is the
 * queue's default for the IRQ bit (AK_JF_IRQ / AK_JF_NO_IRQ override it;
 * AK_JF_IRQ wins if both are set). Reserved fields are zeroed. */
void ak_desc_encode(struct aks_desc *d, const struct ak_job *job,
		    bool irq_default);

/* Whether a descriptor requests a completion interrupt. */
bool ak_desc_irq(const struct aks_desc *d);

/* Decode a completion record (already known to be complete). */
void ak_cpl_decode(const struct aks_cpl *c, struct ak_result *r);

/* ---- sysfs.c ---- */

#define AK_NODE_MAX 256

struct ak_cand {
	char name[64];		/* sysfs directory name, e.g. "accelkit-0" */
	char node[AK_NODE_MAX];	/* "/dev/accelkit-0" */
	long avail;		/* available_instances */
	int numa;		/* parent device numa_node, -1 = any */
};

/* Whole-line match of @alg in a newline-separated list. Trailing spaces,
 * tabs and carriage returns of each line are ignored; nothing else is. */
bool ak_alg_list_has(const char *list, const char *alg);

/* Read attribute @dir/@name into @buf (NUL-terminated). Returns bytes read
 * or negative errno. */
int ak_sysfs_read(const char *dir, const char *name, char *buf, size_t len);

/* Read a decimal integer attribute. Returns 0 or negative errno
 * (-EINVAL if not a number). */
int ak_sysfs_read_long(const char *dir, const char *name, long *val);

/* Fill @c from sysfs directory @dir of one uacce device. @devnode may be
 * NULL: "/dev/<basename(dir)>" is used. Returns 0 if the device offers
 * @alg with at least one free instance, -ENOENT if it does not offer it
 * or has no free instance, other negative errno if unreadable. */
int ak_probe_dir(const char *dir, const char *devnode, const char *alg,
		 struct ak_cand *c);

/* Choose among @n candidates (all usable): prefer NUMA-local (device numa
 * -1 or @my_node -1 count as local), then most avail, then lowest index.
 * Returns the index, or -1 if n == 0. */
int ak_select(const struct ak_cand *c, size_t n, int my_node);

/* Sort candidates by name (deterministic tie-break). */
void ak_cand_sort(struct ak_cand *c, size_t n);

/* Copy the chosen node into the caller's buffer: 0 or -ERANGE. */
int ak_copy_node(const char *src, char *node, size_t len);

/* Discovery over a fake/real sysfs tree: scans @root/class/uacce/[*],
 * DEVNAME from each uevent. @my_node as for ak_select. */
int ak_find_device_root(const char *root, const char *alg, char *node,
			size_t len, int my_node);

/* The sysfs root used for attribute lookups: $AK_SYSFS_ROOT or "/sys". */
const char *ak_sysfs_root(void);

/* NUMA node of the calling CPU, or -1. */
int ak_current_numa_node(void);

/* ---- queue.c ---- */

struct ak_queue {
	int fd;
	unsigned flags;			/* AK_QF_* */
	bool irq_default;
	uint32_t depth;
	uint32_t sq_cnt;		/* descriptors submitted (free-running) */
	uint32_t cq_cnt;		/* completions consumed (free-running) */
	uint8_t *db;			/* doorbell page (MMIO region) */
	size_t mmio_len;
	uint8_t *dus;			/* DUS region */
	size_t dus_len;
	struct aks_desc *sq;		/* submission ring inside dus */
	struct aks_cpl *cq;		/* completion ring inside dus */
	uint8_t *slot_irq;		/* per SQ slot: job asked for an IRQ */
	struct ak_slot_rec *slot_rec;	/* per SQ slot: what was submitted
					 * (NULL: records not cross-checked) */
	int failed;			/* AK_QFAIL_*: see fail.c */
	int fail_why;			/* AK_CPL_* of the record that failed
					 * validation, else 0 */
	struct ak_queue_info info;
};

/* True if the completion for the oldest in-flight job is visible. */
bool ak_cq_ready(const struct ak_queue *q);

/* ---- queue.c additions ---- */
/* ak_reap() that also returns each record's completion flags. */
int ak_reap_flags(struct ak_queue *q, struct ak_result *out,
		  uint16_t *cflags, unsigned max);
/* Forget a queue inherited over fork(): close the fd, free the handle;
 * no ioctl (it would stop the parent's queue), no munmap (the regions
 * are MADV_DONTFORK: not mapped in the child). */
void ak_queue_abandon(struct ak_queue *q);

/* ---- fail.c: completion record validation, failed queues ---- */

/* Statuses of device contract 2.4 (also in sample_hw.h from then on). */
#ifndef AKS_ST_HW_ERROR
#define AKS_ST_HW_ERROR		9	/* the engine failed on this job */
#endif
#ifndef AKS_ST_ABORTED
#define AKS_ST_ABORTED		10	/* written by the driver: queue failed */
#endif
#ifndef AKS_CAPS_ERR_RECOVERY
#define AKS_CAPS_ERR_RECOVERY	0x00100000
#endif
#define AK_ST_LAST_KNOWN	AKS_ST_ABORTED

/* What the library put into one SQ slot, to check the slot's record. */
struct ak_slot_rec {
	uint64_t tag;
	uint64_t cap;		/* most bytes the job may write to dst */
};

/* ak_cpl_check() verdicts. */
enum {
	AK_CPL_OK = 0,
	AK_CPL_BAD_STATUS,	/* not a status of the contract */
	AK_CPL_BAD_SQ_HEAD,	/* not the slot after the job's own */
	AK_CPL_BAD_TAG,		/* not the tag of the job in that slot */
	AK_CPL_BAD_BYTES,	/* more bytes than the job's dst holds */
};

/* struct ak_queue.failed */
enum {
	AK_QFAIL_NONE = 0,
	AK_QFAIL_KERNEL,	/* POLLERR/POLLHUP, an ABORTED record: the
				 * kernel stopped the queue; the records it
				 * left are trusted, the rest synthesised */
	AK_QFAIL_RECORD,	/* a record failed ak_cpl_check(): the library
				 * stopped the queue (PUT_Q: the rings are
				 * unmapped); neither that record nor any
				 * later one is read */
	AK_QFAIL_GONE,		/* POLLERR without POLLIN, POLLHUP: stopped
				 * (PUT_Q) or removed; the rings may be
				 * unmapped and are not read */
};

/* The rings of @q must not be read or rung any more. */
static inline bool ak_rings_gone(const struct ak_queue *q)
{
	return q->failed == AK_QFAIL_RECORD || q->failed == AK_QFAIL_GONE;
}

/* The most bytes descriptor @d lets the device write to its dst. */
uint64_t ak_desc_cap(const struct aks_desc *d);
/* Check a complete record (PHASE matched) read for free-running counter
 * @cnt of a ring of @depth whose slot held @rec (NULL: tag and bytes not
 * checked). Returns AK_CPL_OK or the first problem found. */
int ak_cpl_check(const struct aks_cpl *c, uint32_t cnt, uint32_t depth,
		 const struct ak_slot_rec *rec);
/* The result the library reports for a job of a failed queue whose record
 * is missing or untrusted: status ABORTED, err -EIO, the submitted tag. */
void ak_cpl_synth(struct ak_result *r, uint32_t cnt, uint32_t depth,
		  const struct ak_slot_rec *rec);
/* Mark @q failed (the first reason sticks). AK_QFAIL_RECORD also stops
 * the queue in the kernel so the device lets go of every buffer. */
void ak_queue_set_failed(struct ak_queue *q, int why, int verdict);

/* Monotonic clock in nanoseconds. */
uint64_t ak_now_ns(void);

#endif /* AK_INTERNAL_H */
