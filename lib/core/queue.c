// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Queue lifetime and the raw job API: open/map/start, submit, reap, wait.
 *
 * Memory ordering (docs/device.md): descriptors live in ordinary coherent
 * memory (the DUS region), the doorbell is an uncached MMIO page.
 *   submit: write descriptor(s) -> io write barrier -> one 32-bit volatile
 *           store of SQ_TAIL.
 *   reap:   acquire-load of the record's flags word (the device writes it
 *           last) -> read the body -> (after the batch) barrier -> one
 *           32-bit volatile store of CQ_HEAD, which hands the slots back.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "internal.h"
#include "ring.h"

/* Order earlier stores to normal memory before a later MMIO store. */
static inline void ak_io_wmb(void)
{
#if defined(__x86_64__) || defined(__i386__)
	/* x86 TSO: stores are not reordered with other stores, including an
	 * uncached one; only the compiler has to be held back. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
#elif defined(__aarch64__)
	__asm__ __volatile__("dmb oshst" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Order earlier loads of completion records before the CQ_HEAD store that
 * lets the device overwrite them. */
static inline void ak_io_rmb_before_store(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__atomic_thread_fence(__ATOMIC_RELEASE);
#elif defined(__aarch64__)
	__asm__ __volatile__("dmb osh" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

static inline void ak_db_write(struct ak_queue *q, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(q->db + off) = htole32(v);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

uint64_t ak_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */

static int check_alg(const char *node, const char *alg)
{
	char dir[PATH_MAX], algs[4096];
	const char *base = strrchr(node, '/');
	int r;

	base = base ? base + 1 : node;
	r = snprintf(dir, sizeof(dir), "%s/class/uacce/%s", ak_sysfs_root(),
		     base);
	if (r < 0 || (size_t)r >= sizeof(dir))
		return 0;
	if (ak_sysfs_read(dir, "algorithms", algs, sizeof(algs)) < 0)
		return 0;	/* not readable: not checked (documented) */
	return ak_alg_list_has(algs, alg) ? 0 : -EOPNOTSUPP;
}

static int check_geometry(const struct accelkit_queue_info *qi)
{
	uint64_t sq_end, cq_end;

	if (qi->api_version != ACCELKIT_API_VERSION)
		return -EPROTO;
	if (qi->desc_size != sizeof(struct aks_desc) ||
	    qi->cpl_size != sizeof(struct aks_cpl))
		return -EPROTO;
	if (!ak_ring_depth_valid(qi->depth))
		return -EPROTO;
	if (qi->sq_offset % sizeof(struct aks_desc) ||
	    qi->cq_offset % sizeof(struct aks_cpl))
		return -EPROTO;
	sq_end = (uint64_t)qi->sq_offset + (uint64_t)qi->depth * qi->desc_size;
	cq_end = (uint64_t)qi->cq_offset + (uint64_t)qi->depth * qi->cpl_size;
	if (sq_end > qi->dus_size || cq_end > qi->dus_size)
		return -EPROTO;
	if (qi->sq_offset < cq_end && qi->cq_offset < sq_end)
		return -EPROTO;		/* rings overlap */
	if (qi->mmio_size < AKS_DB_CQ_HEAD + sizeof(uint32_t))
		return -EPROTO;
	if (qi->mmio_size > SIZE_MAX / 2 || qi->dus_size > SIZE_MAX / 2)
		return -EPROTO;
	return 0;
}

static size_t page_round(uint64_t sz, size_t pg)
{
	return (size_t)((sz + pg - 1) & ~((uint64_t)pg - 1));
}

static void queue_free(struct ak_queue *q)
{
	if (q->dus && q->dus != MAP_FAILED)
		munmap(q->dus, q->dus_len);
	if (q->db && (void *)q->db != MAP_FAILED)
		munmap(q->db, q->mmio_len);
	if (q->fd >= 0)
		close(q->fd);
	free(q->slot_irq);
	free(q->slot_rec);
	free(q);
}

AK_API int ak_queue_open(const char *node, const char *alg, unsigned flags,
			 struct ak_queue **qp)
{
	struct accelkit_queue_info qi;
	char found[AK_NODE_MAX];
	struct ak_queue *q;
	struct stat st;
	size_t pg;
	int r;

	if (qp)
		*qp = NULL;
	if (!qp || (!node && !alg) || (flags & ~(AK_QF_BUSY_POLL | AK_QF_SPIN)))
		return -EINVAL;
	if (node && !*node)
		return -EINVAL;
	if (!node) {
		r = ak_find_device(alg, found, sizeof(found));
		if (r < 0)
			return r;
		node = found;
	}

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->flags = flags;
	q->irq_default = !(flags & AK_QF_BUSY_POLL);
	q->db = MAP_FAILED;
	q->dus = MAP_FAILED;

	/* open() binds our address space (PASID) to the queue. */
	q->fd = open(node, O_RDWR | O_CLOEXEC);
	if (q->fd < 0) {
		r = -errno;
		goto fail;
	}
	if (fstat(q->fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISCHR(st.st_mode)) {
		r = -ENOTTY;	/* a file, not a queue device */
		goto fail;
	}
	if (alg) {
		r = check_alg(node, alg);
		if (r < 0)
			goto fail;
	}

	memset(&qi, 0, sizeof(qi));
	if (ioctl(q->fd, ACCELKIT_CMD_QUEUE_INFO, &qi) < 0) {
		r = -errno;
		goto fail;
	}
	r = check_geometry(&qi);
	if (r < 0)
		goto fail;

	pg = (size_t)sysconf(_SC_PAGESIZE);
	q->mmio_len = page_round(qi.mmio_size, pg);
	q->dus_len = page_round(qi.dus_size, pg);
	q->db = mmap(NULL, q->mmio_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     q->fd, (off_t)UACCE_QFRT_MMIO * (off_t)pg);
	if ((void *)q->db == MAP_FAILED) {
		r = -errno;
		goto fail;
	}
	q->dus = mmap(NULL, q->dus_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      q->fd, (off_t)UACCE_QFRT_DUS * (off_t)pg);
	if (q->dus == MAP_FAILED) {
		r = -errno;
		goto fail;
	}
	/* A forked child must never drive a queue bound to our PASID. */
	(void)madvise(q->db, q->mmio_len, MADV_DONTFORK);
	(void)madvise(q->dus, q->dus_len, MADV_DONTFORK);

	q->depth = qi.depth;
	q->sq = (struct aks_desc *)(void *)(q->dus + qi.sq_offset);
	q->cq = (struct aks_cpl *)(void *)(q->dus + qi.cq_offset);
	q->slot_irq = calloc(qi.depth, 1);
	q->slot_rec = calloc(qi.depth, sizeof(*q->slot_rec));
	if (!q->slot_irq || !q->slot_rec) {
		r = -ENOMEM;
		goto fail;
	}
	/* The device starts at phase 1; make sure no stale record in the
	 * completion ring can look valid. Nothing was submitted yet. */
	memset(q->cq, 0, (size_t)qi.depth * sizeof(struct aks_cpl));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	if (ioctl(q->fd, UACCE_CMD_START_Q) < 0) {
		r = -errno;
		goto fail;
	}

	/* Truncated if longer than the field (informational only). */
	{
		size_t l = strnlen(node, sizeof(q->info.node) - 1);

		memcpy(q->info.node, node, l);
		q->info.node[l] = '\0';
	}
	q->info.api_version = qi.api_version;
	q->info.queue_id = qi.queue_id;
	q->info.pasid = qi.pasid;
	q->info.depth = qi.depth;
	q->info.mmio_size = qi.mmio_size;
	q->info.dus_size = qi.dus_size;
	q->info.max_xfer = qi.max_xfer;
	q->info.caps = qi.caps;
	q->info.open_flags = flags;
	*qp = q;
	return 0;
fail:
	queue_free(q);
	return r;
}

AK_API void ak_queue_close(struct ak_queue *q)
{
	if (!q)
		return;
	/* Stop the queue before its memory goes away; errors are moot. */
	(void)ioctl(q->fd, UACCE_CMD_PUT_Q);
	queue_free(q);
}

void ak_queue_abandon(struct ak_queue *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q->slot_irq);
	free(q->slot_rec);
	free(q);
}

AK_API int ak_queue_fd(const struct ak_queue *q)
{
	return q ? q->fd : -EINVAL;
}

AK_API int ak_queue_info(const struct ak_queue *q, struct ak_queue_info *info)
{
	if (!q || !info)
		return -EINVAL;
	*info = q->info;
	return 0;
}

AK_API int ak_queue_inflight(const struct ak_queue *q)
{
	return q ? (int)ak_ring_inflight(q->sq_cnt, q->cq_cnt) : -EINVAL;
}

AK_API int ak_queue_space(const struct ak_queue *q)
{
	return q ? (int)ak_ring_space(q->depth, q->sq_cnt, q->cq_cnt) : -EINVAL;
}

/* ------------------------------------------------------------------ */

/* Write one descriptor into the next SQ slot; no doorbell. */
static void sq_put(struct ak_queue *q, const struct aks_desc *d)
{
	uint32_t slot = ak_ring_slot(q->sq_cnt, q->depth);

	memcpy(&q->sq[slot], d, sizeof(*d));
	q->slot_irq[slot] = ak_desc_irq(d);
	if (q->slot_rec) {
		q->slot_rec[slot].tag = le64toh(d->tag);
		q->slot_rec[slot].cap = ak_desc_cap(d);
	}
	q->sq_cnt++;
}

static void sq_doorbell(struct ak_queue *q)
{
	ak_io_wmb();
	ak_db_write(q, AKS_DB_SQ_TAIL, ak_ring_slot(q->sq_cnt, q->depth));
}

AK_API int ak_submit_batch(struct ak_queue *q, const struct ak_job *jobs,
			   unsigned n)
{
	struct aks_desc d;
	uint32_t space;
	unsigned i;

	if (!q || !jobs)
		return -EINVAL;
	if (q->failed)
		return -EIO;
	if (!n)
		return 0;
	space = ak_ring_space(q->depth, q->sq_cnt, q->cq_cnt);
	if (!space)
		return -EAGAIN;
	if (n > space)
		n = space;
	if (n > INT_MAX)
		n = INT_MAX;
	for (i = 0; i < n; i++) {
		ak_desc_encode(&d, &jobs[i], q->irq_default);
		sq_put(q, &d);
	}
	sq_doorbell(q);
	return (int)n;
}

AK_API int ak_submit(struct ak_queue *q, const struct ak_job *job)
{
	int r = ak_submit_batch(q, job, 1);

	return r < 0 ? r : 0;
}

AK_API int ak_submit_raw(struct ak_queue *q, const void *desc, size_t size)
{
	struct aks_desc d;

	if (!q || !desc || size != sizeof(d))
		return -EINVAL;
	if (q->failed)
		return -EIO;
	if (ak_ring_full(q->depth, q->sq_cnt, q->cq_cnt))
		return -EAGAIN;
	memcpy(&d, desc, sizeof(d));
	sq_put(q, &d);
	sq_doorbell(q);
	return 0;
}

/* Flags word of the record at counter cnt, with acquire semantics: the
 * body may be read only after this load saw the expected phase. */
static inline bool cpl_valid(const struct ak_queue *q, uint32_t cnt)
{
	const struct aks_cpl *c = &q->cq[ak_ring_slot(cnt, q->depth)];
	uint16_t fl = le16toh(__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE));

	return (fl & AKS_CF_PHASE) == ak_ring_phase(cnt, q->depth);
}

bool ak_cq_ready(const struct ak_queue *q)
{
	if (ak_ring_empty(q->sq_cnt, q->cq_cnt))
		return false;
	/* A failed queue has a result (maybe synthesised) for every job. */
	return q->failed || cpl_valid(q, q->cq_cnt);
}

AK_API int ak_reap(struct ak_queue *q, struct ak_result *out, unsigned max)
{
	return ak_reap_flags(q, out, NULL, max);
}

int ak_reap_flags(struct ak_queue *q, struct ak_result *out,
		  uint16_t *cflags, unsigned max)
{
	bool consumed = false;
	struct aks_cpl c;
	int n = 0, v;

	if (!q || (!out && max))
		return -EINVAL;
	while ((unsigned)n < max && n < INT_MAX &&
	       !ak_ring_empty(q->sq_cnt, q->cq_cnt)) {
		uint32_t slot = ak_ring_slot(q->cq_cnt, q->depth);
		const struct ak_slot_rec *rec =
			q->slot_rec ? &q->slot_rec[slot] : NULL;
		uint16_t fl = 0;

		/* RECORD, GONE: the rings are not read. KERNEL: the driver
		 * wrote a record for every job it aborted; a job without
		 * one gets the same result. */
		if (ak_rings_gone(q) ||
		    (q->failed && !cpl_valid(q, q->cq_cnt))) {
			ak_cpl_synth(&out[n], q->cq_cnt, q->depth, rec);
			goto next;
		}
		if (!cpl_valid(q, q->cq_cnt))
			break;
		memcpy(&c, &q->cq[slot], sizeof(c));
		v = ak_cpl_check(&c, q->cq_cnt, q->depth, rec);
		if (v != AK_CPL_OK) {
			ak_queue_set_failed(q, AK_QFAIL_RECORD, v);
			ak_cpl_synth(&out[n], q->cq_cnt, q->depth, rec);
			goto next;
		}
		ak_cpl_decode(&c, &out[n]);
		fl = le16toh(c.flags);
		consumed = true;
		if (out[n].status == AKS_ST_ABORTED)
			ak_queue_set_failed(q, AK_QFAIL_KERNEL, 0);
next:
		if (cflags)
			cflags[n] = fl;
		q->cq_cnt++;
		n++;
	}
	/* CQ_HEAD hands slots back to a working device; a stopped queue
	 * ignores it, and after PUT_Q the doorbell is not mapped. */
	if (consumed && !ak_rings_gone(q)) {
		ak_io_rmb_before_store();
		ak_db_write(q, AKS_DB_CQ_HEAD, ak_ring_slot(q->cq_cnt, q->depth));
	}
	return n;
}

/* Remaining milliseconds to @deadline (ns), rounded up; 0 if passed. */
static int remaining_ms(uint64_t deadline)
{
	uint64_t now = ak_now_ns(), ms;

	if (now >= deadline)
		return 0;
	ms = (deadline - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * AK_QF_SPIN wait for a job without an IRQ: poll the completion ring with
 * no system call; read the clock (for the deadline only) once every
 * AK_SPIN_CLOCK_POLLS polls, counting the deadline from the first read.
 */
static int spin_wait(struct ak_queue *q, int timeout_ms)
{
	uint64_t deadline = 0, now;

	for (;;) {
		for (unsigned i = 0; i < AK_SPIN_CLOCK_POLLS; i++) {
			if (ak_cq_ready(q))
				return 0;
			cpu_relax();
		}
		if (timeout_ms < 0)
			continue;
		now = ak_now_ns();
		if (!deadline)
			deadline = now + (uint64_t)timeout_ms * 1000000ull;
		else if (now >= deadline)
			return ak_cq_ready(q) ? 0 : -ETIMEDOUT;
	}
}

AK_API int ak_wait(struct ak_queue *q, int timeout_ms)
{
	uint64_t deadline = UINT64_MAX;
	unsigned spins = 0;

	if (!q)
		return -EINVAL;
	if (ak_ring_empty(q->sq_cnt, q->cq_cnt))
		return -ENOMSG;
	if (ak_cq_ready(q))
		return 0;
	if (timeout_ms == 0)
		return -ETIMEDOUT;
	/* The oldest in-flight job completes first; it decides how we wait
	 * (it stays the oldest for the whole wait). */
	if ((q->flags & AK_QF_SPIN) &&
	    !q->slot_irq[ak_ring_slot(q->cq_cnt, q->depth)])
		return spin_wait(q, timeout_ms);
	if (timeout_ms > 0)
		deadline = ak_now_ns() + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		/* The oldest in-flight job completes first: sleeping is only
		 * safe if that job raises an interrupt. */
		if (q->slot_irq[ak_ring_slot(q->cq_cnt, q->depth)]) {
			struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
			int to = deadline == UINT64_MAX ? -1 : remaining_ms(deadline);
			int r = poll(&pfd, 1, to);

			if (r < 0)
				return errno == EINTR ? -EINTR : -errno;
			if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
				/* The kernel failed the queue (POLLIN too:
				 * its ABORTED records are readable), or it
				 * was stopped or removed (the rings may be
				 * unmapped: not read). Every job left
				 * completes ABORTED (-EIO). */
				ak_queue_set_failed(q,
					(pfd.revents & (POLLIN | POLLHUP)) ==
					POLLIN ? AK_QFAIL_KERNEL :
						 AK_QFAIL_GONE, 0);
				return 0;
			}
			if (ak_cq_ready(q))
				return 0;
			if (r > 0)
				sched_yield();	/* woken without a record */
		} else {
			for (int i = 0; i < 256; i++) {
				if (ak_cq_ready(q))
					return 0;
				cpu_relax();
			}
			if (++spins % 16 == 0)
				sched_yield();
		}
		if (ak_cq_ready(q))
			return 0;
		if (deadline != UINT64_MAX && ak_now_ns() >= deadline)
			return -ETIMEDOUT;
	}
}
