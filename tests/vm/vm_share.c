// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Deliberate sharing (ACCELKIT_CMD_SHARE + SCM_RIGHTS): the receiver's
 * jobs translate in the owner's address space; once the owner is gone the
 * queue is DEFUNCT (ESRCH, POLLERR|POLLHUP, SIGBUS) and its hardware queue
 * comes back while the receiver still holds the fd. Part of the
 * "lifetime" suite (vm_lifetime.c).
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

void t_share(void)
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

