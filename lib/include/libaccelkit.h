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

/* Library version (of this header). */
#define AK_VERSION_MAJOR 1
#define AK_VERSION_MINOR 1	/* 1.1: algorithm API (sessions) */

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
 * (reap some first); -EINVAL if an argument is NULL.
 */
AK_API int ak_submit(struct ak_queue *q, const struct ak_job *job);

/*
 * ak_submit_batch - queue up to @n jobs with a single doorbell store.
 * Returns the number of jobs queued (1..@n, fewer than @n if the ring
 * filled up: the first that many jobs were queued, in order); 0 if @n is
 * 0; -EAGAIN if no job could be queued; -EINVAL if @q or @jobs is NULL.
 */
AK_API int ak_submit_batch(struct ak_queue *q, const struct ak_job *jobs,
			   unsigned n);

/*
 * ak_submit_raw - queue a verbatim 64-byte device descriptor (struct
 * aks_desc of <accelkit/sample_hw.h>), e.g. to exercise reserved fields.
 * @size must be 64. The IRQ bit is taken from the descriptor as given.
 * Returns 0, -EAGAIN (ring full) or -EINVAL (NULL argument, bad size).
 */
AK_API int ak_submit_raw(struct ak_queue *q, const void *desc, size_t size);

/*
 * ak_reap - collect up to @max completions without blocking.
 * Completions arrive in submission order. After consuming them the
 * library writes the CQ_HEAD doorbell once.
 * Returns the number of results stored in @out (0 if none ready);
 * -EINVAL if @q is NULL, or @out is NULL with @max > 0.
 * A job's failure is reported in its result (status/err), not here.
 */
AK_API int ak_reap(struct ak_queue *q, struct ak_result *out, unsigned max);

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
 * interrupted the sleep; -EIO if the kernel reported POLLERR/POLLHUP (the
 * queue was stopped or the device removed); -EINVAL if @q is NULL.
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
 * device status if it failed (-EFAULT, -ESRCH, -EINVAL, -EIO; @res holds
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

/* ak_status_errno - the errno mapping used by the library: 0 for SUCCESS,
 * -EINVAL (INVALID_OPCODE, INVALID_DESC), -EFAULT (TRANSLATION_FAULT),
 * -ESRCH (PASID_INVALID), -EBADMSG (DATA_ERROR, AUTH_FAILURE), -ENOSPC
 * (OVERFLOW), -EIO (DMA_ERROR and unknown statuses). */
AK_API int ak_status_errno(int status);


/* =====================================================================
 * Algorithm API (1.1): compression, digests, ciphers
 * =====================================================================
 *
 * Sessions
 * --------
 * A *session* runs one algorithm (enum ak_alg) on one *path*:
 *   - device:   jobs go to an accelkit queue (opcodes COMPRESS, DECOMPRESS,
 *               HASH, CIPHER of docs/device.md), opened on a device whose
 *               sysfs "algorithms" attribute lists ak_alg_name(alg);
 *   - software: zlib and OpenSSL libcrypto in the calling thread, with the
 *               SAME calls and parameters the device engines use, so the
 *               output is byte-identical (one-shot operations; see the
 *               streaming notes for chunked streams).
 *
 * Path selection (decided once, at ak_session_open()):
 *   1. An explicit session flag wins: AK_SF_DEVICE (device only: -ENODEV if
 *      no device offers the algorithm) or AK_SF_SOFTWARE (software only).
 *   2. Otherwise (AK_SF_AUTO) the environment variable AK_PATH decides:
 *      "device", "software", or "auto"; unset or empty means "auto"; any
 *      other value makes ak_session_open() fail with -EINVAL.
 *   3. auto: the device if one offers the algorithm and a queue on it can
 *      be opened, else software.
 * ak_session_path() tells which path was chosen.
 *
 * Threads: a session owns one queue and has no internal locking. Use one
 * session per thread (sessions are independent; open as many as needed).
 * Streams, digests and requests belong to their session and to its thread.
 *
 * fork(): a child never touches the parent's queue. Every call checks
 * getpid() against the pid that opened the queue; in a child the
 * inherited queue is dropped (its fd closed, nothing else touched) and a
 * new queue is opened lazily on first use (auto: software if that fails).
 * Device-path streams/digests begun before fork() cannot continue in the
 * child (-ESTALE); software-path ones can. Async requests in flight at
 * fork() are forgotten in the child (their callbacks never run there).
 *
 * Errors (negative errno, as everywhere in this library):
 *   -EINVAL   bad argument, wrong algorithm for the call, bad key/IV size,
 *             CBC length not a multiple of 16 without padding, ...
 *   -ENODEV   device path required and no device offers the algorithm;
 *   -EBADMSG  corrupt/truncated compressed input (offset reported), bad
 *             PKCS#7 padding, GCM tag mismatch;
 *   -ENOSPC   output buffer too small (bytes needed reported);
 *   -EMSGSIZE input larger than the operation allows (one-shot GCM >
 *             64 MiB: use a cipher stream; XTS data unit > 16 MiB);
 *   -ESTALE   device stream/digest used in a forked child;
 *   -ENOMEM, -EIO, -EFAULT, -ETIMEDOUT (a device job did not complete in
 *             AK_ALG_TIMEOUT_MS: the queue is closed and reopened on next
 *             use), other device errors as ak_status_errno().
 */

/* Opaque handles of the algorithm API. */
struct ak_session;
struct ak_stream;
struct ak_digest;

/* Algorithms. ak_alg_name() gives the sysfs "algorithms" name. */
enum ak_alg {
	AK_ALG_DEFLATE = 1,	/* "deflate": raw deflate (RFC 1951) */
	AK_ALG_ZLIB,		/* "zlib": RFC 1950 framing */
	AK_ALG_GZIP,		/* "gzip": RFC 1952 framing */
	AK_ALG_SHA256,		/* "sha256" */
	AK_ALG_SHA512,		/* "sha512" */
	AK_ALG_HMAC_SHA256,	/* "hmac(sha256)" (one-shot only) */
	AK_ALG_AES_CBC,		/* "cbc(aes)": AES-128/256-CBC */
	AK_ALG_AES_CTR,		/* "ctr(aes)": AES-128/256-CTR */
	AK_ALG_AES_XTS,		/* "xts(aes)": XTS-AES-128/256 */
	AK_ALG_AES_GCM,		/* "gcm(aes)": AES-128/256-GCM (AEAD) */
};

/* Paths (ak_session_path()). */
enum ak_path {
	AK_PATH_AUTO = 0,	/* only as a request; never reported */
	AK_PATH_DEVICE = 1,
	AK_PATH_SOFTWARE = 2,
};

/* ak_session_open() flags */
#define AK_SF_AUTO	0x0000	/* path from $AK_PATH, default auto */
#define AK_SF_DEVICE	0x0001	/* device only (overrides $AK_PATH) */
#define AK_SF_SOFTWARE	0x0002	/* software only (overrides $AK_PATH) */
#define AK_SF_BUSY_POLL	0x0004	/* device queue opened AK_QF_BUSY_POLL */
#define AK_SF_SPIN	0x0008	/* device queue opened AK_QF_SPIN */

/* Sizes */
#define AK_SHA256_LEN		32
#define AK_SHA512_LEN		64
#define AK_DIGEST_MAX		64
#define AK_AES_BLOCK		16
#define AK_GCM_NONCE_LEN	12
#define AK_GCM_TAG_LEN		16
#define AK_GCM_MAX		(64ull << 20)	/* largest GCM message */
#define AK_XTS_MAX		(16ull << 20)	/* largest XTS data unit */
#define AK_HMAC_KEY_MAX		1024		/* HMAC key 1..1024 bytes */
#define AK_STREAM_MEM_MAX	(16u << 20)	/* per-stream buffer bound */
#define AK_ALG_TIMEOUT_MS	60000		/* per device job */

/* ak_alg_name - sysfs algorithm name ("deflate", "gzip", "zlib",
 * "sha256", "sha512", "hmac(sha256)", "cbc(aes)", "ctr(aes)",
 * "xts(aes)", "gcm(aes)"), or NULL for an unknown value. Thread-safe. */
AK_API const char *ak_alg_name(int alg);

/* ak_alg_from_name - inverse of ak_alg_name() (exact match); also accepts
 * "raw" for deflate. Returns the enum ak_alg value or -EINVAL. */
AK_API int ak_alg_from_name(const char *name);

/* ak_path_name - "auto", "device" or "software" (NULL if unknown). */
AK_API const char *ak_path_name(int path);

/*
 * ak_session_open - open a session for @alg.
 * @alg:   enum ak_alg.
 * @node:  device node to use for the device path, or NULL to choose one by
 *         ak_find_device(ak_alg_name(@alg)). Ignored on the software path.
 * @flags: AK_SF_* (DEVICE and SOFTWARE together, or unknown bits: -EINVAL).
 * @s:     receives the session (NULL on failure).
 * Path selection: see above. Returns 0; -EINVAL (arguments, bad $AK_PATH);
 * -ENODEV (device only and no device offers @alg); on the device-only path
 * any error of ak_queue_open(); -ENOMEM.
 */
AK_API int ak_session_open(int alg, const char *node, unsigned flags,
			   struct ak_session **s);

/*
 * ak_session_close - wait for (and complete, without running callbacks)
 * the session's outstanding requests, close its queue, free it. Streams
 * and digests of the session must be freed first. NULL is a no-op.
 */
AK_API void ak_session_close(struct ak_session *s);

/* ak_session_path - AK_PATH_DEVICE or AK_PATH_SOFTWARE; -EINVAL if @s is
 * NULL. Stable for the session's life (also in a forked child, except that
 * an auto session whose queue cannot be reopened there turns software). */
AK_API int ak_session_path(const struct ak_session *s);

/* ak_session_alg - the session's enum ak_alg; -EINVAL if @s is NULL. */
AK_API int ak_session_alg(const struct ak_session *s);

/* ak_session_node - device node of the session's queue ("" on the software
 * path). Never NULL for a non-NULL @s; valid until ak_session_close(). */
AK_API const char *ak_session_node(const struct ak_session *s);

/* ---------------------------------------------------------------------
 * Compression (sessions of AK_ALG_DEFLATE, AK_ALG_ZLIB, AK_ALG_GZIP)
 *
 * The engine is zlib: deflateInit2(level, Z_DEFLATED, wbits, 8,
 * Z_DEFAULT_STRATEGY) with wbits -15 (raw), 15 (zlib) or 31 (gzip).
 * level: 1..9 (0 or out of range: -EINVAL); AK_LEVEL_DEFAULT = 6.
 * ------------------------------------------------------------------- */
#define AK_LEVEL_DEFAULT 6

/*
 * ak_compress - one-shot compression of @len bytes at @src into @dst.
 * @dst_len: in: capacity of @dst; out: bytes written on success, bytes
 *           needed on -ENOSPC (nothing useful in @dst then).
 * Inputs of any size work: on the device an input over the queue's
 * max_xfer is compressed as a stream (output then is a valid stream but
 * may differ from software's one-shot output).
 * Returns 0, -ENOSPC, -EINVAL, other errors as above.
 */
AK_API int ak_compress(struct ak_session *s, int level, const void *src,
		       size_t len, void *dst, size_t *dst_len);

/*
 * ak_decompress - one-shot decompression of @len bytes at @src into @dst.
 * The input must be exactly one complete stream; for gzip, any number
 * (>= 1) of concatenated members, whose outputs are concatenated.
 * @dst_len: in: capacity; out: bytes written (success) or bytes needed
 *           (-ENOSPC).
 * @err_off: may be NULL; on -EBADMSG receives the input offset where the
 *           data is corrupt (== @len for truncated input; the offset of
 *           trailing garbage after a complete raw/zlib stream).
 * Returns 0, -EBADMSG, -ENOSPC, -EINVAL, other errors.
 */
AK_API int ak_decompress(struct ak_session *s, const void *src, size_t len,
			 void *dst, size_t *dst_len, uint64_t *err_off);

/*
 * ak_compress_bound - an upper bound of the compressed size of @len bytes
 * for the session's framing (deflateBound plus margin); 0 if @s is not a
 * compression session.
 */
AK_API size_t ak_compress_bound(const struct ak_session *s, size_t len);

/* Streaming, bounded memory (at most AK_STREAM_MEM_MAX of buffers per
 * stream, whatever the input). Output is handed to a sink callback. */

/* Sink: consume @len bytes at @buf (valid only during the call). Return 0,
 * or a negative errno to abort: feed/finish then return it. */
typedef int (*ak_sink_fn)(void *arg, const void *buf, size_t len);

enum ak_stream_dir {
	AK_COMPRESS = 0,
	AK_DECOMPRESS = 1,
};

struct ak_stream_info {
	uint64_t total_in;	/* bytes fed so far */
	uint64_t total_out;	/* bytes handed to the sink so far */
	uint64_t err_offset;	/* -EBADMSG: input offset of the error */
	uint32_t members;	/* DECOMPRESS: complete streams/members seen */
	uint32_t ended;		/* DECOMPRESS: 1 if the input so far ends
				 * exactly at the end of a stream/member */
	uint32_t rsvd[4];
};

/*
 * ak_stream_new - create a (de)compression stream.
 * @dir:   AK_COMPRESS or AK_DECOMPRESS.
 * @level: AK_COMPRESS: 1..9; ignored for AK_DECOMPRESS.
 * @sink:  output callback (required); @arg is passed to it.
 * Device path: the stream holds one of the queue's stream contexts (up to
 * 7 concurrent streams/digests per session; more: auto sessions run the
 * extra ones in software, device-only sessions get -EBUSY). It uses
 * FIRST/LAST jobs; input is staged in 1 MiB chunks; a job that would
 * overflow its output buffer (OVERFLOW) is retried with a larger buffer
 * (up to AK_STREAM_MEM_MAX) or with a smaller input piece.
 * Software path: zlib deflate()/inflate().
 * Decompression of gzip accepts multi-member input: after a member ends
 * the next bytes start a new member. For raw/zlib, bytes after the end of
 * the stream are an error (-EBADMSG at their offset).
 * Returns 0, -EINVAL, -EBUSY, -ENOMEM.
 */
AK_API int ak_stream_new(struct ak_session *s, int dir, int level,
			 ak_sink_fn sink, void *arg, struct ak_stream **st);

/*
 * ak_stream_feed - feed @len input bytes (may be 0). Output produced so far
 * may be passed to the sink before this returns (or held until later).
 * Returns 0; -EBADMSG (corrupt input; ak_stream_info().err_offset); a
 * sink's error; device errors. After an error the stream only accepts
 * ak_stream_free().
 */
AK_API int ak_stream_feed(struct ak_stream *st, const void *src, size_t len);

/*
 * ak_stream_finish - end of input: flush everything to the sink.
 * AK_COMPRESS writes the final block and trailer. AK_DECOMPRESS checks
 * that the input ended at the end of a stream (gzip: of a member; and at
 * least one member): else -EBADMSG with err_offset = total_in (truncated).
 * Returns 0 or negative errno. The stream must then be freed.
 */
AK_API int ak_stream_finish(struct ak_stream *st);

/* ak_stream_info - counters and error offset. 0 or -EINVAL. */
AK_API int ak_stream_info(const struct ak_stream *st,
			  struct ak_stream_info *info);

/* ak_stream_free - release the stream (and its device context). NULL ok. */
AK_API void ak_stream_free(struct ak_stream *st);

/* ---------------------------------------------------------------------
 * Digests (sessions of AK_ALG_SHA256, AK_ALG_SHA512; HMAC: AK_ALG_HMAC_SHA256)
 * ------------------------------------------------------------------- */

/* ak_digest_size - 32 (SHA-256, HMAC-SHA-256), 64 (SHA-512), else 0. */
AK_API size_t ak_digest_size(int alg);

/*
 * ak_digest_new - start a digest (SHA-256/512 sessions only).
 * Device path: uses a stream context (HASH with FIRST/LAST; same limits
 * as streams; small updates are buffered in the library, 64 KiB).
 * Returns 0, -EINVAL, -EBUSY, -ENOMEM.
 */
AK_API int ak_digest_new(struct ak_session *s, struct ak_digest **d);

/* ak_digest_update - add @len bytes. 0 or negative errno. */
AK_API int ak_digest_update(struct ak_digest *d, const void *data, size_t len);

/*
 * ak_digest_final - write the digest to @out.
 * @out_len: in: capacity of @out; out: digest size. Capacity smaller than
 * the digest: -ENOSPC (*out_len = size needed; the digest stays open).
 * After success @d starts a new, empty message (reusable).
 */
AK_API int ak_digest_final(struct ak_digest *d, void *out, size_t *out_len);

/* ak_digest_free - release @d (an unfinished message is dropped). */
AK_API void ak_digest_free(struct ak_digest *d);

/*
 * ak_digest - one-shot digest of @len bytes (SHA-256/512 sessions); any
 * size. @out_len as ak_digest_final(). Returns 0 or negative errno.
 */
AK_API int ak_digest(struct ak_session *s, const void *data, size_t len,
		     void *out, size_t *out_len);

/*
 * ak_hmac - one-shot HMAC-SHA-256 (AK_ALG_HMAC_SHA256 sessions).
 * @key_len: 1..AK_HMAC_KEY_MAX (else -EINVAL). Any data size (on the
 * device, data over max_xfer is hashed with SHA-256 stream jobs per
 * RFC 2104 when the device offers sha256; else -EMSGSIZE).
 * @out_len as ak_digest_final() (32 bytes).
 */
AK_API int ak_hmac(struct ak_session *s, const void *key, size_t key_len,
		   const void *data, size_t len, void *out, size_t *out_len);

/* ---------------------------------------------------------------------
 * Ciphers (sessions of AK_ALG_AES_CBC, _CTR, _XTS; AEAD: AK_ALG_AES_GCM)
 *
 * Keys: CBC/CTR/GCM 16 or 32 bytes (AES-128/256); XTS 32 or 64 (two
 * halves, which must differ). IV: 16 bytes (CBC IV, CTR initial counter
 * block, XTS tweak); GCM nonce 12 bytes. @src and @dst may be the same
 * buffer (in place) or must not overlap.
 * Sizes: CBC and CTR any size (the library splits into device jobs of at
 * most max_xfer and chains: CBC next IV = last ciphertext block, CTR
 * counter block advanced by the 128-bit big-endian count of blocks done);
 * XTS one data unit of 16..AK_XTS_MAX bytes (ciphertext stealing for
 * non-multiples of 16); GCM one job, at most AK_GCM_MAX bytes of data
 * (and of AAD): -EMSGSIZE beyond (cipher streams, below, have no limit).
 * ------------------------------------------------------------------- */

/* ak_encrypt()/ak_decrypt() flags */
#define AK_CF_PKCS7	0x0001	/* CBC: add / check and strip PKCS#7 padding */

/*
 * ak_encrypt - encrypt @len bytes of @src into @dst (CBC, CTR, XTS).
 * @dst_len: in: capacity; out: bytes written (== @len, or for CBC with
 *   AK_CF_PKCS7: @len rounded up to the next multiple of 16, always adding
 *   1..16 bytes); -ENOSPC if too small (*dst_len = needed).
 * CBC without AK_CF_PKCS7: @len must be a multiple of 16 (-EINVAL).
 * Returns 0 or negative errno.
 */
AK_API int ak_encrypt(struct ak_session *s, const void *key, size_t key_len,
		      const void *iv, size_t iv_len, const void *src,
		      size_t len, void *dst, size_t *dst_len, unsigned flags);

/*
 * ak_decrypt - decrypt; as ak_encrypt(). CBC with AK_CF_PKCS7: @len must
 * be a non-zero multiple of 16; the padding is checked (-EBADMSG when
 * invalid, nothing written to @dst) and stripped (*dst_len = plaintext
 * bytes; capacity needed is only the plaintext size).
 */
AK_API int ak_decrypt(struct ak_session *s, const void *key, size_t key_len,
		      const void *iv, size_t iv_len, const void *src,
		      size_t len, void *dst, size_t *dst_len, unsigned flags);

/*
 * ak_aead_encrypt - AES-GCM: encrypt @len bytes (0..AK_GCM_MAX) of @src
 * into @dst (@len bytes), authenticating also @aad_len bytes of @aad (may
 * be NULL if 0); writes the 16-byte tag to @tag.
 * @nonce_len must be 12. Returns 0 or negative errno.
 */
AK_API int ak_aead_encrypt(struct ak_session *s, const void *key,
			   size_t key_len, const void *nonce, size_t nonce_len,
			   const void *aad, size_t aad_len, const void *src,
			   size_t len, void *dst, uint8_t tag[16]);

/*
 * ak_aead_decrypt - AES-GCM: verify @tag and decrypt. On tag mismatch
 * returns -EBADMSG and no plaintext is left in @dst (the device writes
 * nothing; the software path zeroes the @len bytes of @dst it used).
 */
AK_API int ak_aead_decrypt(struct ak_session *s, const void *key,
			   size_t key_len, const void *nonce, size_t nonce_len,
			   const void *aad, size_t aad_len, const void *src,
			   size_t len, void *dst, const uint8_t tag[16]);

/* ---------------------------------------------------------------------
 * Cipher streams (sessions of AK_ALG_AES_CBC, _CTR, _GCM): one message
 * fed in updates of any size, for EVP-style callers (the OpenSSL
 * provider). The total length of a stream is unbounded (no AK_GCM_MAX).
 *
 * Software path: OpenSSL EVP (EVP_CipherUpdate per update, padding off).
 * Device path:
 *   CBC, CTR: chained one-shot CIPHER jobs (as ak_encrypt()); CBC keeps
 *     a partial block in the library; CTR runs whole blocks on the device
 *     and, for a tail of r < 16 bytes, asks the device for one keystream
 *     block (the encryption of a zero block at the current counter), uses
 *     r bytes of it and keeps the rest for the next update.
 *   GCM: CIPHER jobs on one of the queue's stream contexts (FIRST, middle
 *     jobs, LAST: docs/device.md, "Stream contexts"); like streams and
 *     digests it takes one of the 7 contexts of the session: none free ->
 *     auto sessions run the stream in software, device-only ones -EBUSY.
 *     AAD is buffered in the library (up to 64 KiB) and sent with the
 *     first job; larger AAD goes in AAD-only jobs of at most max_xfer.
 * Plaintext of a GCM decrypt stream is released by each update before the
 * tag is checked (as with EVP): the caller must not use it unless
 * ak_cipher_stream_final() returns 0.
 * Buffers: dst == src (in place) is allowed for CTR and GCM, and for CBC
 * when no partial block is held (every update a multiple of 16);
 * otherwise src and dst must not overlap.
 * A stream belongs to its session and thread; after an error it accepts
 * only ak_cipher_stream_free(). A device GCM stream used in a forked
 * child fails with -ESTALE (CBC/CTR and software streams go on).
 * ------------------------------------------------------------------- */
struct ak_cipher_stream;

/* ak_cipher_stream_new() directions */
enum ak_cipher_dir {
	AK_ENCRYPT = 0,
	AK_DECRYPT = 1,
};

#define AK_GCM_TAG_MIN	4	/* shortest tag ak_cipher_stream_final() takes */

/*
 * ak_cipher_stream_new - start a stream on session @s (CBC, CTR or GCM).
 * @dir: AK_ENCRYPT or AK_DECRYPT.
 * @key_len: 16 or 32. @iv_len: 16 for CBC (IV) and CTR (initial counter
 * block, 128-bit big-endian counter); 12 for GCM (other nonce lengths:
 * -EINVAL). Key and IV are copied: the caller's buffers may go away.
 * Returns 0; -EINVAL (arguments, XTS/other sessions); -EBUSY (device-only
 * session with no free stream context); -ENOMEM; session errors.
 */
AK_API int ak_cipher_stream_new(struct ak_session *s, int dir,
				const void *key, size_t key_len,
				const void *iv, size_t iv_len,
				struct ak_cipher_stream **cs);

/*
 * ak_cipher_stream_aad - GCM only: add @len bytes of additional
 * authenticated data. Any number of calls (of any size, 0 too), all
 * before the first ak_cipher_stream_update() with data (-EINVAL after
 * it, and for CBC/CTR streams). The total AAD is unbounded.
 */
AK_API int ak_cipher_stream_aad(struct ak_cipher_stream *cs, const void *aad,
				size_t len);

/*
 * ak_cipher_stream_update - en/decrypt @len bytes of @src into @dst.
 * CTR, GCM: writes exactly @len bytes (any @len, 0 and 1 included).
 * CBC: writes every whole block available (the held partial block plus
 *   @src) and holds back the rest (< 16 bytes): at most @len + 15 bytes;
 *   @dst must have room for ((held + @len) / 16) * 16 bytes (@len + 15
 *   is always enough). No padding: the caller pads.
 * @dst_len: receives the bytes written (may be NULL).
 * Returns 0 or negative errno (-EINVAL: NULL buffer with @len > 0, stream
 * finished or failed before).
 */
AK_API int ak_cipher_stream_update(struct ak_cipher_stream *cs,
				   const void *src, size_t len, void *dst,
				   size_t *dst_len);

/*
 * ak_cipher_stream_final - end the message.
 * GCM encrypt: writes the first @tag_len (AK_GCM_TAG_MIN..16) bytes of the
 *   tag to @tag. GCM decrypt: compares the first @tag_len bytes of the tag
 *   with @tag in constant time: -EBADMSG on mismatch (discard the
 *   plaintext). @tag_len out of range: -EINVAL (the stream stays usable).
 * CBC: -EINVAL if a partial block is held (the stream is then finished).
 * CTR: nothing to do (@tag ignored).
 * Returns 0 or negative errno. Afterwards only ak_cipher_stream_free().
 */
AK_API int ak_cipher_stream_final(struct ak_cipher_stream *cs, void *tag,
				  size_t tag_len);

/* ak_cipher_stream_free - release the stream (wipes key and state, frees
 * its device context). NULL is a no-op. */
AK_API void ak_cipher_stream_free(struct ak_cipher_stream *cs);

/* ---------------------------------------------------------------------
 * Asynchronous requests (all algorithms; the sync calls above are built
 * on these)
 *
 * A request is caller-owned memory describing one one-shot operation. It
 * and every buffer it points to must stay valid and untouched until its
 * completion has been delivered. Completions are delivered only from
 * ak_alg_poll() (never from submit), in the order requests finish (on the
 * device: submission order; on the software path the operation runs inside
 * submit and is delivered by the next poll). Delivery sets req->status,
 * req->out_len, req->err_offset and then calls req->cb (if non-NULL).
 * Requests of one session may be in flight together (up to the queue
 * depth on the device, more are held back and submitted as room appears).
 *
 * Device limits of a single request: COMPRESS/DECOMPRESS/DIGEST/HMAC input
 * and output at most max_xfer (-EMSGSIZE; the sync calls then fall back to
 * streams); CBC/CTR any size (chained jobs), XTS/GCM as above.
 * ------------------------------------------------------------------- */

enum ak_req_op {
	AK_REQ_COMPRESS = 1,	/* level; src,len -> dst,dst_len */
	AK_REQ_DECOMPRESS,	/* src,len -> dst,dst_len; err_offset */
	AK_REQ_DIGEST,		/* SHA-256/512: src,len -> dst (digest) */
	AK_REQ_HMAC,		/* key; src,len -> dst (32 bytes) */
	AK_REQ_ENCRYPT,		/* CBC/CTR/XTS (flags AK_CF_PKCS7) or GCM
				 * (aad, tag written) */
	AK_REQ_DECRYPT,		/* as ENCRYPT; GCM checks tag */
};

struct ak_req;
typedef void (*ak_req_cb)(struct ak_req *req);

struct ak_req {
	/* ---- set by the caller ---- */
	uint32_t op;		/* enum ak_req_op (must fit the session) */
	uint32_t flags;		/* AK_CF_PKCS7 */
	int32_t level;		/* COMPRESS: 1..9 */
	uint32_t rsvd0;		/* 0 */
	const void *src;
	size_t len;
	void *dst;
	size_t dst_len;		/* capacity of dst */
	const void *key;
	size_t key_len;
	const void *iv;		/* IV / counter block / tweak / GCM nonce */
	size_t iv_len;
	const void *aad;	/* GCM */
	size_t aad_len;
	uint8_t *tag;		/* GCM: 16 bytes, written (encrypt) or
				 * checked (decrypt) */
	ak_req_cb cb;		/* may be NULL */
	void *user;		/* for the caller */
	/* ---- set by the library at completion ---- */
	int32_t status;		/* 0 or negative errno (as the sync calls) */
	uint32_t rsvd1;
	size_t out_len;		/* bytes written; -ENOSPC: bytes needed */
	uint64_t err_offset;	/* -EBADMSG (DECOMPRESS): input offset */
	/* ---- library private ---- */
	uint64_t priv[24];
};

/*
 * ak_alg_submit - start @req. Returns 0 when accepted (the outcome comes
 * at completion); -EINVAL for a NULL/malformed request or one that does
 * not fit the session's algorithm (nothing is then delivered); other
 * errors (e.g. -ESTALE/-EIO: the queue is gone).
 */
AK_API int ak_alg_submit(struct ak_session *s, struct ak_req *req);

/*
 * ak_alg_submit_batch - submit @n requests (one doorbell per ring-full on
 * the device). Returns the number accepted (stops at the first rejected
 * one, whose error is returned if it is the first), or negative errno.
 */
AK_API int ak_alg_submit_batch(struct ak_session *s, struct ak_req **reqs,
			       unsigned n);

/*
 * ak_alg_poll - deliver completed requests (set results, call callbacks).
 * @timeout_ms: 0 never blocks; > 0 waits at most that long for at least
 * one completion; < 0 waits until at least one is delivered.
 * Returns the number delivered (0: none ready / timeout), -ENOMSG if
 * nothing is outstanding, or negative errno. Callbacks may submit new
 * requests but must not close the session.
 */
AK_API int ak_alg_poll(struct ak_session *s, int timeout_ms);

/* ak_alg_pending - requests submitted and not yet delivered (>= 0), or
 * -EINVAL. */
AK_API int ak_alg_pending(const struct ak_session *s);

/* ak_alg_wait - deliver until @req has been delivered (other completions
 * are delivered too). Returns req->status, or negative errno of polling. */
AK_API int ak_alg_wait(struct ak_session *s, struct ak_req *req);

#ifdef __cplusplus
}
#endif

#endif /* LIBACCELKIT_H */
