/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaccelkit - user-space access to accelkit (uacce-style) accelerators
 * with Shared Virtual Addressing.
 *
 * Model
 * -----
 * An application opens a *queue* on a device node /dev/<name>-<N>. The
 * kernel binds the opener's address space (a PASID) to that queue; the
 * library maps the queue's doorbell page and ring memory and starts it.
 * From then on jobs carrying plain pointers into the process's own memory
 * (heap, stack, mmap, globals) are submitted with no system call: the
 * library writes a 64-byte descriptor into the submission ring and one
 * 32-bit doorbell store; completions are read from the completion ring.
 *
 * Error convention
 * ----------------
 * Every function returning int returns 0 (or a non-negative count) on
 * success and a NEGATIVE errno value on failure. errno itself is not
 * meaningful after a library call.
 *
 * Thread safety
 * -------------
 * A queue handle has NO internal locking: one struct ak_queue may be used
 * by one thread at a time (typically: one queue per thread). Different
 * queues may be used concurrently from different threads without any
 * synchronisation. Functions that take no queue (ak_find_device,
 * ak_status_str, ak_status_errno) are thread-safe.
 *
 * fork(): a queue is bound to the address space of the process that opened
 * it. The library maps the queue regions with MADV_DONTFORK and opens the
 * node O_CLOEXEC, so a child never inherits a usable queue; a child must
 * open its own queue.
 *
 * Buffer rules
 * ------------
 * Jobs point anywhere in the process's ordinary memory: heap, stack,
 * globals, anonymous or file mmap (MAP_SHARED or MAP_PRIVATE), THP and
 * hugetlb pages, memory never touched, swapped out or copy-on-write. The
 * device walks the process's page tables; where a page is missing or
 * read-only for a write it asks the kernel, which resolves the fault as it
 * would for the CPU (handle_mm_fault), and the job goes on. So:
 *   - a job gets the same answer a CPU access would: writing into
 *     PROT_READ memory, or touching an address with no mapping, completes
 *     with a translation fault (AK_ST_XLATE_FAULT, -EFAULT; fault_addr
 *     says where). A job that faults before moving data writes nothing;
 *   - buffers must stay mapped until the job's completion has been reaped
 *     (or the queue closed). munmap() of a buffer in flight is safe for
 *     the system (the device never touches the pages once munmap()
 *     returns) but the job then fails or moves partial data;
 *   - per-queue fault counters: ACCELKIT_CMD_QUEUE_STATS on ak_queue_fd().
 * Jobs translate in the address space of the process that opened the
 * queue. For COPY, src and dst must not overlap (the device reports an
 * invalid descriptor, -EINVAL).
 *
 * Ordering: jobs on one queue execute and complete in submission order.
 */
#ifndef LIBACCELKIT_H
#define LIBACCELKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AK_API
#define AK_API __attribute__((visibility("default")))
#endif

/*
 * Version of this header. The project's VERSION file is the one source:
 * lib/Makefile refuses to build when these lines disagree with it, and
 * the same value names the shared object (libaccelkit.so.<VERSION>), the
 * pkg-config file's Version and ak_version()'s answer.
 * 1.1: algorithm API (sessions).
 * 1.2: ak_session_open2, cipher streams, ak_stream_flush, ak_strerror.
 * 1.3: device faults: AK_ST_HW_ERROR/AK_ST_ABORTED, ak_queue_failed(),
 *      ak_session_fallbacks(), AK_REQ_FELL_BACK in rflags.
 */
#define AK_VERSION_MAJOR 1
#define AK_VERSION_MINOR 3
#define AK_VERSION_PATCH 0
#define AK_VERSION_STRING "1.3.0"
/* One number for compile-time comparisons: AK_VERSION_NUM >= AK_VERSION(1, 1, 0). */
#define AK_VERSION(maj, min, pat) (((maj) << 16) | ((min) << 8) | (pat))
#define AK_VERSION_NUM \
	AK_VERSION(AK_VERSION_MAJOR, AK_VERSION_MINOR, AK_VERSION_PATCH)

/* Opaque queue handle. */
struct ak_queue;

/* ---------------------------------------------------------------------
 * Job and result
 * ------------------------------------------------------------------- */

/* Operations (values equal the device opcodes, docs/device.md). */
enum ak_op {
	AK_OP_NOP  = 0,	/* does nothing; completes with success */
	AK_OP_COPY = 1,	/* copy len bytes from src to dst (no overlap) */
	AK_OP_FILL = 2,	/* fill len bytes of dst with the 8-byte pattern:
			 * byte i of dst = byte (i % 8) of pattern in
			 * little-endian order, i.e. memory order on x86 */
};

/* Raw device completion statuses (struct ak_result.status). */
enum ak_status {
	AK_ST_SUCCESS        = 0,
	AK_ST_INVALID_OPCODE = 1,	/* -> -EINVAL */
	AK_ST_INVALID_DESC   = 2,	/* -> -EINVAL (reserved != 0, len >
					 *    max_xfer, overlapping COPY) */
	AK_ST_XLATE_FAULT    = 3,	/* -> -EFAULT (fault_addr says where) */
	AK_ST_PASID_INVALID  = 4,	/* -> -ESRCH (address space gone) */
	AK_ST_DMA_ERROR      = 5,	/* -> -EIO */
	AK_ST_DATA_ERROR     = 6,	/* -> -EBADMSG (fault_addr: input offset) */
	AK_ST_OVERFLOW       = 7,	/* -> -ENOSPC (fault_addr: bytes needed) */
	AK_ST_AUTH_FAILURE   = 8,	/* -> -EBADMSG (GCM tag mismatch) */
	AK_ST_HW_ERROR       = 9,	/* -> -EIO (the engine failed on this
					 *    job; dst undefined) */
	AK_ST_ABORTED        = 10,	/* -> -EIO (not done: the queue failed;
					 *    written by the driver, or by the
					 *    library, see ak_queue_failed()) */
};

/* struct ak_result.cflags: completion record flags beyond PHASE */
#define AK_RF_END	0x0002	/* DECOMPRESS: end of stream reached;
				 * fault_addr holds the input consumed */

/* struct ak_job.flags */
#define AK_JF_DEFAULT	0x0000	/* IRQ on, unless the queue is AK_QF_BUSY_POLL */
#define AK_JF_IRQ	0x0001	/* force the completion interrupt on */
#define AK_JF_NO_IRQ	0x0002	/* force it off (ak_wait() then spins) */

/*
 * One job. Fields not used by an operation are ignored by the library and
 * sent as given (src/pattern for NOP, src for FILL, pattern for COPY).
 * op is sent unchecked, so an unsupported opcode reaches the device and
 * completes with AK_ST_INVALID_OPCODE.
 */
struct ak_job {
	uint16_t op;		/* enum ak_op */
	uint16_t flags;		/* AK_JF_* */
	uint32_t rsvd;		/* must be 0 (ignored by the library) */
	uint64_t tag;		/* opaque, returned in struct ak_result.tag */
	const void *src;	/* COPY source (process VA) */
	void *dst;		/* COPY/FILL destination (process VA) */
	uint64_t len;		/* bytes, at most ak_queue_info.max_xfer */
	uint64_t pattern;	/* FILL pattern */
};

/* One completion, as reaped. */
struct ak_result {
	uint64_t tag;		/* the job's tag */
	uint64_t bytes;		/* bytes written to dst */
	uint64_t fault_addr;	/* AK_ST_XLATE_FAULT: faulting VA, else 0 */
	uint16_t status;	/* raw device status, enum ak_status */
	uint16_t sq_head;	/* device SQ head after this job (diagnostic) */
	int32_t err;		/* ak_status_errno(status): 0 or -errno */
	uint16_t cflags;	/* AK_RF_* */
	uint16_t rsvd[3];	/* zero */
};

/* ---------------------------------------------------------------------
 * Discovery
 * ------------------------------------------------------------------- */

/*
 * ak_find_device - pick a device node offering an algorithm.
 * @alg:  algorithm name, matched against whole lines of the sysfs
 *        attribute "algorithms" ("copy" does not match "copyx").
 * @node: buffer receiving the device node path, e.g. "/dev/accelkit-0".
 * @len:  size of @node in bytes.
 *
 * Enumerates the "uacce" class (libudev). Among devices listing @alg with
 * available_instances > 0, prefers those on the calling CPU's NUMA node
 * (a device whose numa_node is -1 counts as local to every node), then the
 * one with the most available instances; ties keep enumeration order
 * sorted by name. Devices whose attributes cannot be read are skipped.
 *
 * Returns 0 on success; -EINVAL if an argument is NULL/empty or @len is 0;
 * -ENODEV if no device offers @alg with a free instance; -ERANGE if the
 * path does not fit in @len; other negative errno on enumeration failure
 * (e.g. -ENOMEM). On any failure with a usable buffer, @node is set to an
 * empty string.
 *
 * Thread-safe. The choice is a snapshot: another process may take the last
 * instance before ak_queue_open(), which then fails with the kernel's
 * error (typically -EBUSY).
 *
 * Testing only: if the environment variable AK_SYSFS_ROOT is set, the
 * library scans $AK_SYSFS_ROOT/class/uacce/ * directories instead of
 * using libudev, takes DEVNAME from each "uevent" file (node "/dev/" +
 * DEVNAME), and reads numa_node from "device/numa_node". The same root is
 * used by ak_queue_open()'s algorithm check.
 */
AK_API int ak_find_device(const char *alg, char *node, size_t len);

/* ---------------------------------------------------------------------
 * Queues
 * ------------------------------------------------------------------- */

/* ak_queue_open() flags */
#define AK_QF_BUSY_POLL	0x0001	/* jobs default to no completion IRQ;
				 * waits spin instead of sleeping in poll() */
#define AK_QF_SPIN	0x0002	/* waits for a job without an IRQ never
				 * enter the kernel (see ak_wait()) */

/* AK_QF_SPIN: polls of the completion ring between two clock reads. */
#define AK_SPIN_CLOCK_POLLS 4096

/* Default timeout of the synchronous helpers (ak_nop/ak_copy/ak_fill). */
#define AK_SYNC_TIMEOUT_MS 10000

struct ak_queue_info {
	char node[64];		/* device node the queue was opened on
			 * (truncated to 63 characters) */
	uint32_t api_version;	/* ACCELKIT_API_VERSION reported by kernel */
	uint32_t queue_id;	/* hardware queue index (informational) */
	uint32_t pasid;		/* PASID bound to this process */
	uint32_t depth;		/* ring entries; at most depth-1 in flight */
	uint64_t mmio_size;	/* bytes of the doorbell region */
	uint64_t dus_size;	/* bytes of the ring region */
	uint64_t max_xfer;	/* largest job len in bytes */
	uint64_t caps;		/* device capability bits */
	uint32_t open_flags;	/* AK_QF_* given to ak_queue_open() */
	uint32_t rsvd[7];	/* zero; room for additions */
};

/*
 * ak_queue_open - open, map and start a queue.
 * @node:  device node path (e.g. "/dev/accelkit-0"), or NULL to choose one
 *         with ak_find_device(@alg).
 * @alg:   algorithm the caller will use. Required when @node is NULL. When
 *         @node is given and @alg is non-NULL, the node's sysfs
 *         "algorithms" attribute is checked if it is readable.
 *         May be NULL when @node is given.
 * @flags: AK_QF_* (unknown bits: -EINVAL).
 * @q:     receives the handle; set to NULL on failure.
 *
 * Opens the node O_RDWR|O_CLOEXEC (which binds the caller's address space),
 * reads ACCELKIT_CMD_QUEUE_INFO, mmaps the doorbell (MMIO) and ring (DUS)
 * regions MAP_SHARED, validates the geometry and issues UACCE_CMD_START_Q.
 *
 * Returns 0 on success, or:
 *   -EINVAL      NULL @q, both @node and @alg NULL, unknown flags;
 *   -ENOENT      @node does not exist;
 *   -ENOTTY      @node is not an accelkit queue device (e.g. a regular
 *                file or another character device);
 *   -EOPNOTSUPP  @node's algorithms attribute does not list @alg;
 *   -ENODEV      @node NULL and no device offers @alg;
 *   -EPROTO      the kernel reported an unsupported API version or an
 *                inconsistent queue geometry;
 *   -ENOMEM      out of memory;
 *   any other negative errno from open()/ioctl()/mmap() (e.g. -EBUSY:
 *   no free instance, -EACCES: permission).
 * Thread-safe (creates a new, independent handle).
 */
AK_API int ak_queue_open(const char *node, const char *alg, unsigned flags,
			 struct ak_queue **q);

/*
 * ak_queue_close - stop the queue, unmap it, close it, free the handle.
 * Outstanding jobs are abandoned: the kernel stops the queue before close
 * returns (the device drops the job in execution; the wait is for at most
 * one bounded device step, never for the rest of a job); their results are
 * lost. Their buffers must stay valid until this returns. NULL is a no-op.
 * Not thread-safe with respect to other users of @q.
 */
AK_API void ak_queue_close(struct ak_queue *q);

/*
 * ak_queue_fd - the queue's file descriptor, for poll()/epoll(): POLLIN
 * means completions may be ready (call ak_reap()). Only jobs with the IRQ
 * flag wake a poller. Do not close it or issue ioctls on it.
 * Returns the fd (>= 0), or -EINVAL if @q is NULL.
 */
AK_API int ak_queue_fd(const struct ak_queue *q);

/*
 * ak_queue_info - copy the queue's geometry into @info.
 * Returns 0, or -EINVAL if an argument is NULL.
 */
AK_API int ak_queue_info(const struct ak_queue *q, struct ak_queue_info *info);

/*
 * ak_queue_inflight - number of jobs submitted and not yet reaped
 * (0..depth-1). Returns -EINVAL if @q is NULL.
 */
AK_API int ak_queue_inflight(const struct ak_queue *q);

/*
 * ak_queue_space - number of jobs that can be submitted right now
 * (depth-1 - inflight). Returns -EINVAL if @q is NULL.
 */
AK_API int ak_queue_space(const struct ak_queue *q);

/* ---------------------------------------------------------------------
 * Asynchronous (raw) job API
 * ------------------------------------------------------------------- */

/*
 * ak_submit - queue one job and ring the doorbell (one 32-bit MMIO store).
 * The job's contents are not validated: the device judges them and reports
 * the outcome in the completion.
 * Returns 0 on success; -EAGAIN if depth-1 jobs are already in flight
 * (reap some first); -EIO if the queue failed (ak_queue_failed());
 * -EINVAL if an argument is NULL.
 */
AK_API int ak_submit(struct ak_queue *q, const struct ak_job *job);

/*
 * ak_submit_batch - queue up to @n jobs with a single doorbell store.
 * Returns the number of jobs queued (1..@n, fewer than @n if the ring
 * filled up: the first that many jobs were queued, in order); 0 if @n is
 * 0; -EAGAIN if no job could be queued; -EIO if the queue failed;
 * -EINVAL if @q or @jobs is NULL.
 */
AK_API int ak_submit_batch(struct ak_queue *q, const struct ak_job *jobs,
			   unsigned n);

/*
 * ak_submit_raw - queue a verbatim 64-byte device descriptor (struct
 * aks_desc of <accelkit/sample_hw.h>), e.g. to exercise reserved fields.
 * @size must be 64. The IRQ bit is taken from the descriptor as given.
 * Returns 0, -EAGAIN (ring full), -EIO (the queue failed) or -EINVAL
 * (NULL argument, bad size).
 */
AK_API int ak_submit_raw(struct ak_queue *q, const void *desc, size_t size);

/*
 * ak_reap - collect up to @max completions without blocking.
 * Completions arrive in submission order. After consuming them the
 * library writes the CQ_HEAD doorbell once.
 * Returns the number of results stored in @out (0 if none ready);
 * -EINVAL if @q is NULL, or @out is NULL with @max > 0.
 * A job's failure is reported in its result (status/err), not here.
 *
 * Every record is checked before it is believed: a status of the device
 * contract, sq_head = the slot after the job's own, the tag of the job
 * submitted in that slot, bytes <= the job's dst capacity (len for
 * COPY/FILL, dst_len for algorithm jobs, 0 for NOP). A record failing a
 * check fails the queue (ak_queue_failed()): the library stops it with
 * UACCE_CMD_PUT_Q (which unmaps the rings), and that job and every job
 * still in flight are reported once each as AK_ST_ABORTED (-EIO) with
 * their own tag; nothing more is read from the rings. An ABORTED record
 * (the driver failed the queue) fails the queue the same way, but the
 * records the driver left are read as written.
 */
AK_API int ak_reap(struct ak_queue *q, struct ak_result *out, unsigned max);

/*
 * ak_queue_failed - whether the queue failed: a completion record failed
 * the checks of ak_reap(), the driver aborted its jobs (ABORTED records:
 * a stuck queue or a device reset), or poll() reported POLLERR/POLLHUP
 * (also the device removed). A failed queue runs no more jobs: submits
 * fail with -EIO, every job that was in flight completes exactly once
 * (ak_wait() returns 0 while one is left, ak_reap() reports it ABORTED,
 * -EIO). Close it; a new ak_queue_open() may work (the kernel resets a
 * stuck queue, and the device is used again unless it was isolated).
 * Returns 1 (failed), 0 (not failed) or -EINVAL (@q NULL).
 */
AK_API int ak_queue_failed(const struct ak_queue *q);

/*
 * ak_wait - block until at least one completion is ready to reap.
 * @timeout_ms: < 0 waits forever, 0 only checks.
 * Sleeps in poll() on the queue fd while every in-flight job requested an
 * interrupt; otherwise (AK_QF_BUSY_POLL queue, AK_JF_NO_IRQ or raw jobs
 * without the IRQ bit) it spins until the deadline. By default the spin
 * calls sched_yield() every 4096 polls (a system call: it gives the CPU to
 * other work, e.g. the device's own thread on an emulated machine).
 * On a queue opened with AK_QF_SPIN the spin never makes a system call
 * of its own: no sched_yield(), no clock read on entry; the clock is read
 * once every AK_SPIN_CLOCK_POLLS polls to check the deadline (a vDSO read
 * where the clocksource allows it, e.g. TSC; where it does not, e.g. the
 * acpi_pm clocksource of a TCG guest, that read is itself a system call,
 * so a job completing within the first AK_SPIN_CLOCK_POLLS polls is reaped
 * without entering the kernel at all). The deadline is counted from the
 * first clock read: a timeout can be exceeded by one such interval. Use it
 * when the waiting thread owns its CPU (latency-critical, CPU to spare).
 * Returns 0 when a completion is ready; -ETIMEDOUT on timeout; -ENOMSG if
 * no job is in flight (nothing to wait for); -EINTR if a signal
 * interrupted the sleep; -EINVAL if @q is NULL. If the kernel reports
 * POLLERR/POLLHUP (the queue was failed or stopped, the device removed)
 * the queue is marked failed and ak_wait() returns 0: the jobs left are
 * reaped as ABORTED (-EIO), see ak_queue_failed().
 */
AK_API int ak_wait(struct ak_queue *q, int timeout_ms);

/* ---------------------------------------------------------------------
 * Synchronous helpers: submit one job and wait for it
 * ------------------------------------------------------------------- */

/*
 * ak_run - submit @job, wait up to @timeout_ms (< 0: forever) for its
 * completion (brief busy-poll, then poll() if the job has an IRQ; on an
 * AK_QF_SPIN queue straight to ak_wait(), whose spin reads no clock at
 * first), reap it into @res (may be NULL).
 * The queue must be idle (no job in flight), else -EBUSY.
 * Returns 0 if the job succeeded; the negative errno mapped from the
 * device status if it failed (-EFAULT, -ESRCH, -EINVAL, -EIO (DMA_ERROR,
 * HW_ERROR, ABORTED: the queue failed, see ak_queue_failed()); @res holds
 * the raw status, bytes and fault_addr); -ETIMEDOUT if it did not
 * complete in time (it then stays in flight: buffers must remain valid
 * until it is reaped with ak_reap() or the queue is closed; other
 * errors of ak_wait()); -EINVAL for NULL @q/@job.
 */
AK_API int ak_run(struct ak_queue *q, const struct ak_job *job,
		  struct ak_result *res, int timeout_ms);

/* ak_nop - one NOP job. Returns as ak_run() with AK_SYNC_TIMEOUT_MS. */
AK_API int ak_nop(struct ak_queue *q);

/*
 * ak_copy - device copy of @len bytes from @src to @dst (must not overlap;
 * see the buffer rules above). Returns as ak_run() with AK_SYNC_TIMEOUT_MS;
 * -EINVAL for NULL @q, or NULL @src/@dst with @len > 0.
 */
AK_API int ak_copy(struct ak_queue *q, void *dst, const void *src, size_t len);

/*
 * ak_fill - device fill of @len bytes of @dst with the 8-byte @pattern
 * (byte i of dst = byte i % 8 of the little-endian pattern, so on x86 a
 * filled buffer reads back as repeated uint64_t @pattern when @dst is
 * 8-byte aligned). Returns as ak_run() with AK_SYNC_TIMEOUT_MS; -EINVAL
 * for NULL @q, or NULL @dst with @len > 0.
 */
AK_API int ak_fill(struct ak_queue *q, void *dst, uint64_t pattern, size_t len);

/* ---------------------------------------------------------------------
 * Status helpers (thread-safe, no queue needed)
 * ------------------------------------------------------------------- */

/* ak_status_str - short name of a raw device status, e.g.
 * "TRANSLATION_FAULT"; "UNKNOWN_STATUS" for values outside enum ak_status.
 * Never NULL; the string is static. */
AK_API const char *ak_status_str(int status);

/*
 * ak_strerror - a message for a value this library returns: a negative
 * errno (a positive one is taken as its negation), with the library's own
 * wording where the errno has a specific meaning here (e.g. -EBADMSG
 * "corrupt input, bad padding or authentication failure", -ENODEV "no
 * accelkit device offers the algorithm", -EBADF "the session of this
 * stream or digest was closed"), else the C library's description. 0 gives
 * "success". For raw device statuses (struct ak_result.status) see
 * ak_status_str(). Never NULL; the string is static. Thread-safe.
 */
AK_API const char *ak_strerror(int err);

/*
 * ak_version - the version of the library actually loaded, "MAJOR.MINOR.
 * PATCH" (the project's VERSION). A program built against this header can
 * compare it with AK_VERSION_STRING. Never NULL; static. Thread-safe.
 */
AK_API const char *ak_version(void);

/* ak_status_errno - the errno mapping used by the library: 0 for SUCCESS,
 * -EINVAL (INVALID_OPCODE, INVALID_DESC), -EFAULT (TRANSLATION_FAULT),
 * -ESRCH (PASID_INVALID), -EBADMSG (DATA_ERROR, AUTH_FAILURE), -ENOSPC
 * (OVERFLOW), -EIO (DMA_ERROR, HW_ERROR, ABORTED and unknown statuses). */
AK_API int ak_status_errno(int status);

/* The algorithm API (sessions, compression, digests, ciphers, async
 * requests) is in its own header, part of this one. */
#define LIBACCELKIT_H_INSIDE
#include "libaccelkit-alg.h"
#undef LIBACCELKIT_H_INSIDE

#ifdef __cplusplus
}
#endif

#endif /* LIBACCELKIT_H */
