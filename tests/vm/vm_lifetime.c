// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Address-space lifetime with device page faults: munmap racing in-flight
 * jobs (INVALIDATE: the device never touches a page after munmap
 * returned), process exit and SIGKILL with queues open and jobs/page
 * requests in flight, deliberate sharing (ACCELKIT_CMD_SHARE + SCM_RIGHTS:
 * the receiver's jobs translate in the owner's address space, and fail
 * with PASID_INVALID once the owner is gone), and O_CLOEXEC over exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <accelkit/accelkit.h>
#include <accelkit/sample_hw.h>
#include <misc/uacce/uacce.h>

#include "ring.h"
#include "vm_common.h"

#define OFF_DUS ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)
#define CANARY 0xC3

/* ------------------------------------------------------------------ */
/* munmap while jobs on the range are in flight */

#define RACE_ITERS	12
#define RACE_LEN	(1ul << 20)
#define RACE_CHUNK	(32ul << 10)

struct race {
	struct ak_queue *q;
	uint8_t *S, *R;
	atomic_int stop;
	atomic_uint ok;
	unsigned fault, other, submitted;
	char msg[256];
};

static void race_classify(struct race *rc, const struct ak_result *res,
			  int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (res[i].status == AK_ST_SUCCESS &&
		    res[i].bytes == RACE_CHUNK) {
			atomic_fetch_add(&rc->ok, 1);
		} else if (res[i].status == AK_ST_XLATE_FAULT) {
			rc->fault++;
		} else if (!rc->other++) {
			snprintf(rc->msg, sizeof(rc->msg),
				 "job %llu: status %u (%s) bytes %llu",
				 (unsigned long long)res[i].tag, res[i].status,
				 ak_status_str(res[i].status),
				 (unsigned long long)res[i].bytes);
		}
	}
}

static void *race_thread(void *arg)
{
	struct race *rc = arg;
	struct ak_result res[64];
	struct ak_job j;
	uint64_t k = 0, deadline;
	int n;

	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.len = RACE_CHUNK;
	while (!atomic_load(&rc->stop)) {
		while (!atomic_load(&rc->stop) && ak_queue_space(rc->q) > 0) {
			size_t off = (size_t)((k * 5 % (RACE_LEN / RACE_CHUNK)) *
					      RACE_CHUNK);

			j.tag = k++;
			j.src = rc->S + off;
			j.dst = rc->R + off;
			if (ak_submit(rc->q, &j))
				break;
			rc->submitted++;
			if (rc->submitted % 64 == 0)
				break;	/* reap from time to time */
		}
		n = ak_reap(rc->q, res, 64);
		if (n > 0)
			race_classify(rc, res, n);
		else
			sched_yield();
	}
	deadline = vm_now_ms() + 120000;
	while (ak_queue_inflight(rc->q) > 0 && vm_now_ms() < deadline) {
		n = vm_reap_n(rc->q, res, 1, 1000);
		if (n > 0)
			race_classify(rc, res, n);
	}
	if (ak_queue_inflight(rc->q) > 0 && !rc->other++)
		snprintf(rc->msg, sizeof(rc->msg),
			 "%d jobs never completed", ak_queue_inflight(rc->q));
	return NULL;
}

static void t_munmap_race(void)
{
	struct ak_queue *q = vm_open_queue(0);
	unsigned it, tot_ok = 0, tot_fault = 0, dirty_iters = 0;
	struct race rc;
	pthread_t th;
	long bad;

	VM_REQUIRE(q, "no queue");
	for (it = 0; it < RACE_ITERS; it++) {
		uint8_t *S = vm_alloc(RACE_LEN), *R, *R2;
		uint64_t deadline;
		size_t i;

		R = mmap(NULL, RACE_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		VM_REQUIRE(S && R != MAP_FAILED, "mmap");
		madvise(R, RACE_LEN, MADV_NOHUGEPAGE);
		vm_fill_random(S, RACE_LEN, 500 + it);
		/* half of R present, half left to page requests */
		for (i = 0; i < RACE_LEN; i += 2 * AK_PAGE)
			R[i] = 1;

		memset(&rc, 0, sizeof(rc));
		rc.q = q;
		rc.S = S;
		rc.R = R;
		VM_REQUIRE(pthread_create(&th, NULL, race_thread, &rc) == 0,
			   "pthread_create");
		deadline = vm_now_ms() + 20000;
		while (atomic_load(&rc.ok) < 4 + it * 3 && vm_now_ms() < deadline)
			usleep(200);
		/*
		 * COPY jobs S -> R. Unmap R (the range under test), then S, so
		 * that no job can legitimately write anything any more (all
		 * later jobs fault on S), then put fresh anonymous memory at
		 * R's address and fill it with the canary: the pages munmap
		 * just freed are the likeliest to come back here. Any byte
		 * that is not the canary was written by the device through a
		 * translation it kept after munmap returned.
		 */
		VM_CHECK(munmap(R, RACE_LEN) == 0, "munmap R");
		VM_CHECK(munmap(S, RACE_LEN) == 0, "munmap S");
		R2 = mmap(R, RACE_LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);
		if (R2 != MAP_FAILED)
			memset(R2, CANARY, RACE_LEN);
		atomic_store(&rc.stop, 1);
		pthread_join(th, NULL);
		VM_CHECK(R2 == R, "mmap MAP_FIXED_NOREPLACE at %p: %p (%s)",
			 (void *)R, (void *)R2, strerror(errno));
		if (R2 != R) {
			if (R2 != MAP_FAILED)
				munmap(R2, RACE_LEN);
			break;
		}
		VM_CHECK(rc.other == 0,
			 "iteration %u: a job completed neither SUCCESS nor TRANSLATION_FAULT: %s",
			 it, rc.msg);
		bad = vm_first_not(R2, CANARY, RACE_LEN);
		if (bad >= 0)
			dirty_iters++;
		VM_CHECK(bad < 0,
			 "iteration %u: byte %ld of the region mapped after munmap is 0x%02x, not the canary: the device wrote after munmap returned",
			 it, bad, bad < 0 ? 0 : R2[bad]);
		tot_ok += atomic_load(&rc.ok);
		tot_fault += rc.fault;
		munmap(R2, RACE_LEN);
		if (bad >= 0)
			break;
	}
	printf("[%u iterations: %u jobs SUCCESS, %u TRANSLATION_FAULT] ", it,
	       tot_ok, tot_fault);
	VM_CHECK(tot_ok > 0 && tot_fault > 0,
		 "the race did not happen: %u successes, %u faults", tot_ok,
		 tot_fault);
	/* the queue works afterwards */
	{
		uint8_t a[512], b[512];

		vm_fill_random(a, sizeof(a), 1);
		memset(b, 0, sizeof(b));
		VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 &&
			 !memcmp(a, b, sizeof(a)), "COPY after the race");
	}
	ak_queue_close(q);
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* exit / SIGKILL with queues open, jobs and page requests in flight */

#define EXIT_ITERS	200
#define EXIT_SRC	(1ul << 20)
#define EXIT_DST	(2ul << 20)

static void exit_child(unsigned it, int wfd)
{
	int nq = 1 + (int)(it & 1), i, k;
	struct ak_queue *q[2] = { NULL, NULL };
	uint8_t *src, *dst;
	struct ak_job jobs[8];

	src = mmap(NULL, EXIT_SRC, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		_exit(10);
	memset(src, 0x5a, EXIT_SRC);
	for (i = 0; i < nq; i++) {
		if (ak_queue_open(g_node, NULL, 0, &q[i]))
			_exit(11);
		/* never touched: the jobs stall on page requests */
		dst = mmap(NULL, EXIT_DST, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (dst == MAP_FAILED)
			_exit(12);
		madvise(dst, EXIT_DST, MADV_NOHUGEPAGE);
		memset(jobs, 0, sizeof(jobs));
		for (k = 0; k < 8; k++) {
			jobs[k].tag = (uint64_t)k;
			jobs[k].dst = dst + (size_t)k * (EXIT_DST / 8);
			jobs[k].len = EXIT_DST / 8;
			if (k & 1) {
				jobs[k].op = AK_OP_FILL;
				jobs[k].pattern = 0x0101010101010101ull * k;
			} else {
				jobs[k].op = AK_OP_COPY;
				jobs[k].src = src;
			}
		}
		if (ak_submit_batch(q[i], jobs, 8) != 8)
			_exit(13);
	}
	switch (it % 4) {
	case 0:		/* exit at once, nothing reaped */
		_exit(0);
	case 2:		/* exit a little later */
		usleep(100 + (it * 37) % 3000);
		_exit(0);
	default:	/* SIGKILLed by the parent */
		if (write(wfd, "R", 1) != 1)
			_exit(14);
		for (;;)
			pause();
	}
}

static void t_exit_inflight(void)
{
	unsigned it, bad_exit = 0, slow = 0, slow_kill = 0, splats0_ok;
	uint64_t max_lag = 0;
	char first[256], ws[64], msg[200] = "";
	int splats0, splats1;
	long a;

	splats0 = vm_klog_splats(first, sizeof(first));
	splats0_ok = splats0 >= 0;
	VM_CHECK(splats0_ok, "cannot read the kernel log: %d", splats0);
	for (it = 0; it < EXIT_ITERS; it++) {
		int pfd[2], st, to;
		uint64_t deadline;
		pid_t pid;

		VM_REQUIRE(pipe(pfd) == 0, "pipe");
		fflush(NULL);
		pid = fork();
		VM_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
		if (pid == 0) {
			close(pfd[0]);
			exit_child(it, pfd[1]);
		}
		close(pfd[1]);
		if (it % 4 == 1 || it % 4 == 3) {
			struct pollfd p = { .fd = pfd[0], .events = POLLIN };
			char c;

			if (poll(&p, 1, 10000) == 1 && read(pfd[0], &c, 1) == 1)
				kill(pid, SIGKILL);
		}
		close(pfd[0]);
		st = vm_wait_child(pid, 20000, &to);
		if ((it % 4 == 1 || it % 4 == 3) ?
		    !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || to :
		    !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			if (!bad_exit++)
				snprintf(msg, sizeof(msg),
					 "iteration %u: child %s%s (exit 10-14: setup failed)",
					 it, vm_wstatus_str(st, ws, sizeof(ws)),
					 to ? ", timed out" : "");
		}
		/*
		 * The queues go back when the process dies. Not always at once:
		 * when the fault worker holds the last mm_users reference of
		 * the dying mm (a page request was being resolved), exit_mmap()
		 * and the queue file's last fput run from the worker (kthread:
		 * delayed fput), shortly after the parent reaped the child.
		 * That lag is reported; more than 3 s is a failure.
		 */
		a = vm_avail();
		if (a != g_max_instances) {
			uint64_t t0 = vm_now_ms();

			slow++;
			deadline = t0 + 3000;
			while ((a = vm_avail()) != g_max_instances &&
			       vm_now_ms() < deadline)
				usleep(500);
			if (vm_now_ms() - t0 > max_lag)
				max_lag = vm_now_ms() - t0;
			slow_kill += it % 2;
		}
		if (a != g_max_instances) {
			VM_FAIL("iteration %u: available_instances %ld 3 s after the child died, want %ld",
				it, a, g_max_instances);
			break;
		}
	}
	printf("[%u exits; instances returned after the reap in %u of them (%u SIGKILL), longest lag %llu ms] ",
	       it, slow, slow_kill, (unsigned long long)max_lag);
	VM_CHECK(bad_exit == 0, "%u children ended unexpectedly; first: %s",
		 bad_exit, msg);
	vm_check_instances_back();
	splats1 = vm_klog_splats(first, sizeof(first));
	if (splats0_ok)
		VM_CHECK(splats1 == splats0,
			 "kernel log reports appeared during the exits (%d -> %d): %s",
			 splats0, splats1, first);
	/* the device still works */
	{
		struct ak_queue *q = vm_open_queue(0);
		uint8_t x[300], y[300];

		if (q) {
			vm_fill_random(x, sizeof(x), 3);
			memset(y, 0, sizeof(y));
			VM_CHECK(ak_copy(q, y, x, sizeof(x)) == 0 &&
				 !memcmp(x, y, sizeof(x)),
				 "COPY after 200 exits");
			ak_queue_close(q);
		}
	}
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* SHARE + SCM_RIGHTS */

/* A queue driven through its raw mappings (the receiver has no library
 * handle: the library only opens queues itself). */
struct rawq {
	int fd;
	struct accelkit_queue_info qi;
	uint8_t *mmio, *dus;
	uint32_t sq, cq;
};

static int rawq_map(struct rawq *r)
{
	r->mmio = mmap(NULL, r->qi.mmio_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, r->fd, 0);
	if (r->mmio == MAP_FAILED)
		return -errno;
	r->dus = mmap(NULL, r->qi.dus_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, r->fd, OFF_DUS);
	if (r->dus == MAP_FAILED) {
		int e = -errno;

		munmap(r->mmio, r->qi.mmio_size);
		return e;
	}
	r->sq = r->cq = 0;
	return 0;
}

static void rawq_unmap(struct rawq *r)
{
	munmap(r->mmio, r->qi.mmio_size);
	munmap(r->dus, r->qi.dus_size);
}

static int rawq_submit(struct rawq *r, uint16_t op, uint64_t src,
		       uint64_t dst, uint64_t len, uint64_t pattern,
		       uint64_t tag)
{
	struct aks_desc *d;

	if (ak_ring_full(r->qi.depth, r->sq, r->cq))
		return -EAGAIN;
	d = (struct aks_desc *)(r->dus + r->qi.sq_offset +
		(size_t)ak_ring_slot(r->sq, r->qi.depth) * r->qi.desc_size);
	memset(d, 0, sizeof(*d));
	d->opcode = op;
	d->tag = tag;
	d->src = src;
	d->dst = dst;
	d->len = len;
	d->pattern = pattern;
	r->sq++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(r->mmio + AKS_DB_SQ_TAIL) =
		ak_ring_slot(r->sq, r->qi.depth);
	return 0;
}

static int rawq_reap(struct rawq *r, struct aks_cpl *out, int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;
	volatile struct aks_cpl *c = (volatile struct aks_cpl *)(r->dus +
		r->qi.cq_offset +
		(size_t)ak_ring_slot(r->cq, r->qi.depth) * r->qi.cpl_size);
	uint16_t phase = ak_ring_phase(r->cq, r->qi.depth);

	while ((c->flags & AKS_CF_PHASE) != phase) {
		if (vm_now_ms() > deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	out->tag = c->tag;
	out->bytes = c->bytes;
	out->fault_addr = c->fault_addr;
	out->status = c->status;
	r->cq++;
	*(volatile uint32_t *)(r->mmio + AKS_DB_CQ_HEAD) =
		ak_ring_slot(r->cq, r->qi.depth);
	return 0;
}

struct share_msg {
	int err;		/* owner: 0, or the step that failed */
	int errnum;
	struct accelkit_queue_info qi;
	uint64_t src, dst, fresh;
};

#define SH_LEN		(4 * AK_PAGE)
#define OWNER_BASE	0x3e0000000000ull	/* never mapped by the receiver */
#define SH_PAT		0x6a6b6c6d6e6f7071ull

/* The owner: prepares buffers at OWNER_BASE, opens, starts, SHAREs and
 * passes its queue; verifies the receiver's jobs in its own memory. */
static int share_owner(int sock)
{
	struct share_msg m;
	uint8_t *base, *src, *dst = NULL, *fresh = NULL;
	uint8_t *want = malloc(SH_LEN);
	char c;
	int fd;

	memset(&m, 0, sizeof(m));
	base = mmap((void *)(uintptr_t)OWNER_BASE, 3 * SH_LEN,
		    PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (base == MAP_FAILED || !want) {
		m.err = 1;
		m.errnum = errno;
		goto send;
	}
	madvise(base, 3 * SH_LEN, MADV_NOHUGEPAGE);
	src = base;
	dst = base + SH_LEN;
	fresh = base + 2 * SH_LEN;	/* never touched by the owner */
	vm_fill_random(src, SH_LEN, 6161);
	memset(dst, CANARY, SH_LEN);
	m.src = (uintptr_t)src;
	m.dst = (uintptr_t)dst;
	m.fresh = (uintptr_t)fresh;
	fd = open(g_node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		m.err = 2;
		m.errnum = errno;
		goto send;
	}
	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &m.qi)) {
		m.err = 3;
		m.errnum = errno;
		goto send;
	}
	if (ioctl(fd, UACCE_CMD_START_Q)) {
		m.err = 4;
		m.errnum = errno;
		goto send;
	}
#ifdef ACCELKIT_CMD_SHARE
	if (ioctl(fd, ACCELKIT_CMD_SHARE)) {
		m.err = 5;
		m.errnum = errno;
	}
#else
	m.err = 6;
	m.errnum = ENOSYS;
#endif
send:
	if (vm_send_fd(sock, &m, sizeof(m), m.err ? -1 : fd))
		return 20;
	if (m.err)
		return m.err;
	/* wait until the receiver ran its jobs, then check our memory */
	if (read(sock, &c, 1) != 1 || c != 'V')
		return 21;
	vm_fill_random(want, SH_LEN, 6161);
	c = 0;
	if (memcmp(dst, want, SH_LEN))
		c |= 1;
	if (vm_first_not_pattern(fresh, SH_PAT, SH_LEN) >= 0)
		c |= 2;
	if (write(sock, &c, 1) != 1)
		return 22;
	/* exit on request, queue fd still open, nothing cleaned up */
	if (read(sock, &c, 1) != 1 || c != 'X')
		return 23;
	_exit(0);
}

struct share_report {
	int stage;		/* last stage reached */
	int err;		/* first failure (see share_recv) */
	int errnum;
	uint16_t st[2];
	uint64_t bytes[2];
	int owner_verdict;	/* bits: 1 dst, 2 fresh */
	int defunct_revents;	/* poll after the owner's exit, -1: none */
	int defunct_bad;	/* failed checks on the DEFUNCT queue */
	long avail_defunct;	/* available_instances, fd still open */
	long avail_after_close;
	char msg[200];
};

/* The receiver: maps the owner's shared queue and submits jobs carrying
 * OWNER addresses; after the owner's exit the queue is DEFUNCT. */
static int share_recv(int osock, int msock)
{
	struct share_report rep;
	struct share_msg m;
	struct rawq r;
	struct pollfd pfd;
	struct aks_cpl c;
	unsigned char vec[4];
	void *p;
	char ch;
	int i;

	memset(&rep, 0, sizeof(rep));
	memset(&r, 0, sizeof(r));
	if (vm_recv_fd(osock, &m, sizeof(m), &r.fd)) {
		rep.err = 1;
		goto report;
	}
	rep.stage = 1;
	if (m.err || r.fd < 0) {
		rep.err = 2;
		rep.errnum = m.errnum;
		snprintf(rep.msg, sizeof(rep.msg),
			 "owner failed at step %d (1 mmap, 2 open, 3 QUEUE_INFO, 4 START_Q, 5 ACCELKIT_CMD_SHARE ioctl, 6 ACCELKIT_CMD_SHARE not in the uAPI header): %s",
			 m.err, strerror(m.errnum));
		goto report;
	}
	/* the owner's buffers are not mapped here */
	if (mincore((void *)(uintptr_t)m.src, AK_PAGE, vec) != -1 ||
	    errno != ENOMEM) {
		rep.err = 3;
		snprintf(rep.msg, sizeof(rep.msg),
			 "owner address 0x%llx is mapped in the receiver too",
			 (unsigned long long)m.src);
		goto report;
	}
	r.qi = m.qi;
	i = rawq_map(&r);
	if (i) {
		rep.err = 4;
		rep.errnum = -i;
		snprintf(rep.msg, sizeof(rep.msg),
			 "receiver's mmap of the SHAREd queue: %s", strerror(-i));
		goto report;
	}
	rep.stage = 2;
	if (rawq_submit(&r, AKS_OP_COPY, m.src, m.dst, SH_LEN, 0, 1) ||
	    rawq_submit(&r, AKS_OP_FILL, 0, m.fresh, SH_LEN, SH_PAT, 2)) {
		rep.err = 5;
		goto report;
	}
	for (i = 0; i < 2; i++) {
		if (rawq_reap(&r, &c, AK_JOB_TIMEOUT_MS)) {
			rep.err = 6;
			snprintf(rep.msg, sizeof(rep.msg),
				 "job %d of the receiver did not complete", i);
			goto report;
		}
		rep.st[i] = c.status;
		rep.bytes[i] = c.bytes;
	}
	rep.stage = 3;
	/* let the owner check its memory */
	if (write(osock, "V", 1) != 1 || read(osock, &ch, 1) != 1) {
		rep.err = 7;
		goto report;
	}
	rep.owner_verdict = ch;
	/* the owner exits; the parent tells us once it has been reaped */
	if (write(osock, "X", 1) != 1 || read(msock, &ch, 1) != 1) {
		rep.err = 8;
		goto report;
	}
	rep.stage = 4;
	/*
	 * The owner's exit shut the queue down (DEFUNCT) without waiting for
	 * our fd: poll wakes up with POLLERR|POLLHUP, the hardware queue is
	 * back although we still hold the file, the rings are zapped.
	 */
	pfd.fd = r.fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	i = poll(&pfd, 1, AK_JOB_TIMEOUT_MS);
	rep.defunct_revents = i == 1 ? pfd.revents : -1;
	rep.avail_defunct = vm_avail();
	if (ioctl(r.fd, ACCELKIT_CMD_QUEUE_INFO, &m.qi) != -1 || errno != ESRCH)
		rep.defunct_bad |= 1;
	if (ioctl(r.fd, UACCE_CMD_START_Q) != -1 || errno != ESRCH)
		rep.defunct_bad |= 2;
	if (ioctl(r.fd, UACCE_CMD_PUT_Q) != 0)
		rep.defunct_bad |= 4;
	p = mmap(NULL, r.qi.mmio_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 r.fd, 0);
	if (p != MAP_FAILED || errno != ESRCH)
		rep.defunct_bad |= 8;
	if (p != MAP_FAILED)
		munmap(p, r.qi.mmio_size);
	if (vm_probe_read(r.dus) != SIGBUS)
		rep.defunct_bad |= 16;
	rep.stage = 5;
	rawq_unmap(&r);
	close(r.fd);
	r.fd = -1;
	rep.avail_after_close = vm_avail();
	rep.stage = 6;
report:
	close(osock);	/* an owner still waiting for us sees EOF */
	if (write(msock, &rep, sizeof(rep)) != sizeof(rep))
		return 2;
	/* keep the process (and, on failure, the fd) until told */
	do {
		if (read(msock, &ch, 1) != 1)
			return 3;
	} while (ch != 'E');
	return 0;
}

static void t_share(void)
{
	int os[2], ms[2], st, to;
	struct share_report rep;
	pid_t owner, recv;
	char ws[64];
	ssize_t n;

	VM_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, os) == 0 &&
		   socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ms) == 0,
		   "socketpair");
	fflush(NULL);
	recv = fork();
	VM_REQUIRE(recv >= 0, "fork");
	if (recv == 0) {
		close(os[0]);
		close(ms[0]);
		_exit(share_recv(os[1], ms[1]));
	}
	close(ms[1]);
	owner = fork();
	if (owner == 0) {
		close(os[1]);
		close(ms[0]);
		_exit(share_owner(os[0]));
	}
	close(os[0]);
	close(os[1]);
	VM_REQUIRE(owner > 0, "fork");
	/* the owner exits after the receiver's first jobs ('X'); reap it,
	 * then let the receiver go on */
	st = vm_wait_child(owner, 60000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !to,
		 "owner: %s (exit 1-6: setup step, 20-23: protocol)",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	VM_CHECK(write(ms[0], "G", 1) == 1, "go");
	memset(&rep, 0, sizeof(rep));
	n = read(ms[0], &rep, sizeof(rep));
	VM_CHECK(n == sizeof(rep), "no report from the receiver (%zd)", n);
	if (n == sizeof(rep)) {
		VM_CHECK(rep.err == 0, "receiver failed at stage %d, error %d: %s",
			 rep.stage, rep.err, rep.msg);
		if (rep.stage >= 3) {
			VM_CHECK(rep.st[0] == AK_ST_SUCCESS && rep.bytes[0] == SH_LEN,
				 "receiver's COPY in the owner's address space: status %u (%s) bytes %llu",
				 rep.st[0], ak_status_str(rep.st[0]),
				 (unsigned long long)rep.bytes[0]);
			VM_CHECK(rep.st[1] == AK_ST_SUCCESS && rep.bytes[1] == SH_LEN,
				 "receiver's FILL of never-touched owner memory: status %u (%s) bytes %llu",
				 rep.st[1], ak_status_str(rep.st[1]),
				 (unsigned long long)rep.bytes[1]);
			VM_CHECK(rep.owner_verdict == 0,
				 "owner's memory after the receiver's jobs: %s%s",
				 rep.owner_verdict & 1 ? "COPY dst wrong " : "",
				 rep.owner_verdict & 2 ? "FILL dst wrong" : "");
		}
		if (rep.stage >= 5) {
			VM_CHECK(rep.defunct_revents == (POLLERR | POLLHUP),
				 "receiver's poll after the owner's exit: revents 0x%x, want POLLERR|POLLHUP (0x%x)",
				 rep.defunct_revents, POLLERR | POLLHUP);
			VM_CHECK(rep.avail_defunct == g_max_instances,
				 "available_instances %ld after the owner's exit, receiver's fd open, want %ld",
				 rep.avail_defunct, g_max_instances);
			VM_CHECK(rep.defunct_bad == 0,
				 "DEFUNCT queue: failed checks 0x%x (1 QUEUE_INFO !ESRCH, 2 START_Q !ESRCH, 4 PUT_Q !0, 8 mmap !ESRCH, 16 ring read !SIGBUS)",
				 rep.defunct_bad);
		}
		if (rep.stage >= 6)
			VM_CHECK(rep.avail_after_close == g_max_instances,
				 "available_instances %ld after the receiver closed the last fd, want %ld",
				 rep.avail_after_close, g_max_instances);
	}
	VM_CHECK(write(ms[0], "E", 1) == 1, "end");
	st = vm_wait_child(recv, 20000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "receiver: %s",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	close(ms[0]);
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* exec: the library's fd is O_CLOEXEC */

/* "ak-vm-tests --exec-check GONE KEPT NODE": exit code = bit mask of
 * failed checks. */
int vm_exec_check_main(int argc, char **argv)
{
	struct accelkit_queue_info qi;
	char link[PATH_MAX], p[64];
	int gone, kept, bad = 0;
	struct dirent *e;
	DIR *d;
	ssize_t n;

	if (argc < 5)
		return 64;
	gone = atoi(argv[2]);
	kept = atoi(argv[3]);
	if (fcntl(gone, F_GETFD) != -1 || errno != EBADF)
		bad |= 1;	/* the library's fd survived exec */
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == kept || fd == dirfd(d))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n = readlink(p, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			if (!strcmp(link, argv[4]))
				bad |= 2;	/* another queue fd leaked */
		}
	}
	if (d)
		closedir(d);
	else
		bad |= 2;
	/* control: a non-CLOEXEC fd does survive and is seen */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", kept);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0 || (link[n] = '\0', strcmp(link, argv[4])))
		bad |= 4;
	/* ...but belongs to another address space now */
	if (ioctl(kept, ACCELKIT_CMD_QUEUE_INFO, &qi) != -1 || errno != EPERM)
		bad |= 8;
	return bad;
}

static void t_exec_cloexec(void)
{
	struct ak_queue *q = vm_open_queue(0);
	char sg[16], sk[16], ws[64];
	int fd, kept, st, to, fl;
	uint8_t a[256], b[256];
	pid_t pid;

	VM_REQUIRE(q, "no queue");
	fd = ak_queue_fd(q);
	fl = fcntl(fd, F_GETFD);
	VM_CHECK(fl >= 0 && (fl & FD_CLOEXEC), "library fd %d flags 0x%x: no FD_CLOEXEC",
		 fd, fl);
	kept = fcntl(fd, F_DUPFD, 100);		/* without CLOEXEC */
	VM_REQUIRE(kept >= 0, "F_DUPFD: %s", strerror(errno));
	snprintf(sg, sizeof(sg), "%d", fd);
	snprintf(sk, sizeof(sk), "%d", kept);
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		execl("/proc/self/exe", "ak-vm-tests", "--exec-check", sg, sk,
		      g_node, (char *)NULL);
		_exit(127);
	}
	st = vm_wait_child(pid, 20000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "exec'd check: %s (bits: 1 library fd survived exec, 2 another queue fd open, 4 control fd not seen, 8 control fd usable after exec (not EPERM); 127 exec failed)",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	close(kept);
	vm_fill_random(a, sizeof(a), 4);
	memset(b, 0, sizeof(b));
	VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 && !memcmp(a, b, sizeof(a)),
		 "owner COPY after the exec");
	ak_queue_close(q);
	vm_check_instances_back();
}

static const struct ak_test lifetime_tests[] = {
	{ "munmap racing in-flight COPY jobs: nothing written after munmap", t_munmap_race },
	{ "exit/SIGKILL with 1-2 queues and page requests in flight, 200x", t_exit_inflight },
	{ "SHARE + SCM_RIGHTS: jobs in the owner's mm; owner exit: DEFUNCT, queue back", t_share },
	{ "exec: library fd is O_CLOEXEC; an inherited fd gets EPERM", t_exec_cloexec },
	{ NULL, NULL },
};

int add_lifetime_suites(void)
{
	return ak_add_suite("lifetime", NULL, NULL, lifetime_tests);
}
