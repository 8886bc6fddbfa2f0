// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-fuzz: system calls on queue files, each result checked against
 * docs/architecture.md ("uAPI summary"): open, mmap (valid and invalid
 * regions, lengths, flags, protections), munmap, mremap, mprotect, ioctl
 * (every command, valid and garbage arguments, unknown numbers around
 * 'A' and 'W'), poll, read/write/lseek, close, and reads of zapped
 * mappings (SIGBUS).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static const char *stn(enum fq_state s)
{
	static const char *const n[] = { "CLOSED", "INIT", "STARTED",
					 "RELEASED", "DEFUNCT" };

	return n[s];
}

int fz_hw_queues(void)
{
	int i, n = 0;

	for (i = 0; i < FZ_NQ; i++)
		if (g.q[i].st == FQ_INIT || g.q[i].st == FQ_STARTED)
			n++;
	return n;
}

/* available_instances and pasids_in_use match the queues we hold. */
void fz_check_counters(const char *when)
{
	int hw = fz_hw_queues();
	long want_a = g.max_inst - hw, want_p = g.pasids0 + (hw ? 1 : 0);
	uint64_t deadline = fz_now_ms() + 5000;
	long a, p;

	fz_op();
	for (;;) {
		a = fz_attr("available_instances");
		p = fz_attr("pasids_in_use");
		if ((a == want_a && p == want_p) || fz_now_ms() > deadline)
			break;
		usleep(2000);
	}
	FZ_CHECK(a == want_a && p == want_p,
		 "%s: available_instances %ld pasids_in_use %ld, want %ld %ld (we hold %d hardware queues)",
		 when, a, p, want_a, want_p, hw);
	fz_check_split(when);
}

/* ioctls the VFS handles itself before the driver (never sent). */
bool fz_vfs_ioctl(unsigned long cmd)
{
	static const unsigned long vfs[] = {
		FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIFREEZE,
		FITHAW, FITRIM, FS_IOC_FIEMAP, FIGETBSZ, FIBMAP, FICLONE,
		FICLONERANGE, FIDEDUPERANGE, FIONREAD,
	};
	size_t i;

	if (_IOC_TYPE(cmd) == 'X' || _IOC_TYPE(cmd) == 0 ||
	    _IOC_TYPE(cmd) == 'T' || _IOC_TYPE(cmd) == 0x94 ||
	    _IOC_TYPE(cmd) == 'f' || _IOC_TYPE(cmd) == 0x15)
		return true;
	for (i = 0; i < sizeof(vfs) / sizeof(vfs[0]); i++)
		if (cmd == vfs[i])
			return true;
	return false;
}

/* A pointer the kernel cannot write to. */
static void *bad_ptr(void)
{
	switch (fz_below(7)) {
	case 0: return NULL;
	case 1: return g.ro;
	case 2: return g.ro0 + 64;
	case 3: return g.pnone;
	case 4: return (void *)(FZ_HOLE + 128);
	case 5: return (void *)0xffff888000001000ul;
	default: return (void *)0x8000000000000000ul;
	}
}

static size_t region_len(const struct fz_queue *q, int t)
{
	uint64_t s = t ? q->qi.dus_size : q->qi.mmio_size;

	return (size_t)((s + FZ_PAGE - 1) & ~(FZ_PAGE - 1));
}

void op_open(void)
{
	struct fz_queue *q = NULL;
	int i, flags = O_RDWR, e;

	for (i = 0; i < FZ_NQ; i++)
		if (g.q[i].st == FQ_CLOSED) {
			q = &g.q[i];
			break;
		}
	if (!q) {
		op_close(&g.q[fz_below(FZ_NQ)]);
		return;
	}
	if (fz_chance(50))
		flags |= O_CLOEXEC;
	if (fz_chance(20))
		flags |= O_NONBLOCK;
	fz_op();
	q->fd = open(g.node, flags);
	e = FZ_ERR(q->fd);
	FZ_CHECK(q->fd >= 0, "open %s: %s (we hold %d queues)", g.node,
		 strerror(e), fz_hw_queues());
	g.s.opens++;
	memset(&q->qi, 0, sizeof(q->qi));
	fz_op();
	FZ_CHECK(ioctl(q->fd, ACCELKIT_CMD_QUEUE_INFO, &q->qi) == 0,
		 "QUEUE_INFO after open: %s", strerror(errno));
	FZ_CHECK(q->qi.api_version == ACCELKIT_API_VERSION &&
		 q->qi.depth > FZ_MAXFL && !(q->qi.depth & (q->qi.depth - 1)) &&
		 q->qi.desc_size == sizeof(struct aks_desc) &&
		 q->qi.cpl_size == sizeof(struct aks_cpl) &&
		 q->qi.mmio_size >= 8 && q->qi.dus_size &&
		 q->qi.cq_offset >= q->qi.depth * q->qi.desc_size &&
		 q->qi.cq_offset + (uint64_t)q->qi.depth * q->qi.cpl_size <=
		 q->qi.dus_size && q->qi.pasid,
		 "QUEUE_INFO: api %u depth %u desc %u cpl %u mmio %llu dus %llu cq_offset %u pasid %u",
		 q->qi.api_version, q->qi.depth, q->qi.desc_size,
		 q->qi.cpl_size, (unsigned long long)q->qi.mmio_size,
		 (unsigned long long)q->qi.dus_size, q->qi.cq_offset,
		 q->qi.pasid);
	q->st = FQ_INIT;
	q->shared = false;
	q->cloexec = flags & O_CLOEXEC;
	q->fresh = true;
	q->mmio = q->dus = NULL;
	q->sq = q->cq = 0;
	fz_trace("open q%ld fd %d queue %u pasid %u", (long)(q - g.q), q->fd,
		 q->qi.queue_id, q->qi.pasid);
	if (fz_chance(10))
		fz_check_counters("after open");
}

static void unmap_region(struct fz_queue *q, int t)
{
	uint8_t **p = t ? &q->dus : &q->mmio;

	if (!*p)
		return;
	fz_op();
	FZ_CHECK(munmap(*p, region_len(q, t)) == 0, "munmap region %d: %s", t,
		 strerror(errno));
	*p = NULL;
}

void fz_unmap_all(struct fz_queue *q)
{
	unmap_region(q, 0);
	unmap_region(q, 1);
}

void op_close(struct fz_queue *q)
{
	if (q->st == FQ_CLOSED)
		return;
	if (q->sq != q->cq && fz_can_reap(q) && fz_chance(80))
		fz_reap(q, true);
	if (fz_chance(70))
		fz_unmap_all(q);
	fz_op();
	FZ_CHECK(close(q->fd) == 0, "close: %s", strerror(errno));
	/* mappings left in place keep the file: unmap them now */
	fz_unmap_all(q);
	/* released now (last reference): the device is done with them */
	if (q->sq != q->cq)
		fz_drop_inflight(q);
	fz_trace("close q%ld", (long)(q - g.q));
	q->st = FQ_CLOSED;
	q->fd = -1;
	if (fz_chance(20))
		fz_check_counters("after close");
}

void op_mmap(struct fz_queue *q)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_WRITE, PROT_NONE };
	int t = (int)fz_below(2), prot = PROT_READ | PROT_WRITE;
	int flags = MAP_SHARED, want = 0, e;
	size_t len;
	off_t off;
	uint8_t **slot;
	void *p;
	bool any = false;

	if (q->st == FQ_CLOSED)
		return;
	slot = t ? &q->dus : &q->mmio;
	len = region_len(q, t);
	off = (off_t)t * (off_t)FZ_PAGE;
	if (fz_chance(25))
		prot = prots[fz_below(4)];
	switch (fz_below(12)) {
	case 0:
		len = 0;
		want = EINVAL;
		break;
	case 1:
		len += FZ_PAGE;
		want = EINVAL;
		break;
	case 2:
		if (len > FZ_PAGE) {
			len -= FZ_PAGE;
			want = EINVAL;
		}
		break;
	case 3:
		len = 1ul << 44;
		want = ENOMEM;
		any = true;	/* ENOMEM or EINVAL */
		break;
	case 4:
		off = (off_t)(2 + fz_below(300)) * (off_t)FZ_PAGE;
		want = EINVAL;
		break;
	case 5:
		flags = MAP_PRIVATE;
		want = EINVAL;
		break;
	case 6:
		len -= 1;	/* rounded up by mmap: the right size */
		break;
	default:
		break;
	}
	if (q->st == FQ_DEFUNCT) {
		/* another process's queue, its owner gone: EPERM unless
		 * shared (offset and MAP_SHARED are checked first), then
		 * ESRCH before the size; len 0 and 2^44 fail in the core */
		if (len == 0)
			want = EINVAL;
		else if (!any)
			want = !q->shared ? EPERM :
			       want == EINVAL && (off > (off_t)FZ_PAGE ||
						  flags != MAP_SHARED) ? EINVAL :
			       ESRCH;
	} else if (!want) {
		if (q->st == FQ_RELEASED)
			want = EINVAL;
		else if (*slot)
			want = EEXIST;
	}
	fz_op();
	p = mmap(NULL, len, prot, flags, q->fd, off);
	e = p == MAP_FAILED ? errno : 0;
	fz_trace("mmap q%ld region %d len %zu off %lld prot %d flags %d: %s",
		 (long)(q - g.q), t, len, (long long)off, prot, flags,
		 strerror(e));
	if (want)
		g.s.errors++;
	if (any && e == EINVAL)
		e = ENOMEM;
	/* 2^44 bytes fit in a 5-level address space: the driver answers */
	if (any && q->st == FQ_DEFUNCT && e == (q->shared ? ESRCH : EPERM))
		e = ENOMEM;
	if (p != MAP_FAILED && want) {
		munmap(p, len);
		fz_fail("mmap region %d len %zu off %lld flags %d in %s: success, want %s",
			t, len, (long long)off, flags, stn(q->st),
			strerror(want));
	}
	FZ_CHECK(e == want, "mmap region %d len %zu off %lld flags %d prot %d in %s: %s, want %s",
		 t, len, (long long)off, flags, prot, stn(q->st),
		 strerror(e), want ? strerror(want) : "success");
	if (want)
		return;
	*slot = p;
	if (t)
		q->dus_prot = prot;
	else
		q->mmio_prot = prot;
	/* A new hardware queue's rings are zeroed: nothing of the last user. */
	if (t && q->fresh) {
		for (size_t i = 0; (prot & PROT_READ) && i < len; i++)
			FZ_CHECK(!q->dus[i],
				 "fresh queue's DUS byte %zu is 0x%02x (stale data)",
				 i, q->dus[i]);
		q->fresh = false;
	}
}

void op_munmap(struct fz_queue *q)
{
	int t = (int)fz_below(2);
	uint8_t *p = t ? q->dus : q->mmio;
	size_t len = region_len(q, t);
	unsigned char vec[64];
	int r, e;

	if (!p)
		return;
	if (q->sq != q->cq && fz_chance(50))
		fz_reap(q, true);
	if (len > FZ_PAGE && fz_chance(40)) {
		size_t o = fz_chance(50) ? 0 : FZ_PAGE;

		fz_op();
		r = munmap(p + o, FZ_PAGE);
		e = FZ_ERR(r);
		g.s.errors++;
		FZ_CHECK(r == -1 && e == EINVAL,
			 "partial munmap of region %d at +%zu: %d %s, want EINVAL",
			 t, o, r, strerror(e));
		fz_op();
		FZ_CHECK(mincore(p, len, vec) == 0,
			 "region %d gone after a refused munmap: %s", t,
			 strerror(errno));
		return;
	}
	unmap_region(q, t);
	fz_trace("munmap q%ld region %d", (long)(q - g.q), t);
}

void op_mremap(struct fz_queue *q)
{
	int t = (int)fz_below(2);
	uint8_t *p = t ? q->dus : q->mmio;
	size_t len = region_len(q, t);
	unsigned char vec[64];
	void *r, *target;
	int e, want;

	if (!p)
		return;
	switch (fz_below(3)) {
	case 0:
		target = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
		FZ_CHECK(target != MAP_FAILED, "mmap target");
		fz_op();
		r = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, target);
		want = EPERM;
		munmap(target, len);
		break;
	case 1:
		fz_op();
		r = mremap(p, len, len + FZ_PAGE * (1 + fz_below(4)),
			   fz_chance(50) ? MREMAP_MAYMOVE : 0);
		want = EFAULT;
		break;
	default:
		if (len <= FZ_PAGE)
			return;
		fz_op();
		r = mremap(p, len, FZ_PAGE, 0);
		want = EINVAL;
		break;
	}
	e = r == MAP_FAILED ? errno : 0;
	g.s.errors++;
	FZ_CHECK(r == MAP_FAILED && e == want,
		 "mremap of region %d: %p %s, want %s", t, r, strerror(e),
		 strerror(want));
	fz_op();
	FZ_CHECK(mincore(p, len, vec) == 0,
		 "region %d gone after a refused mremap: %s", t,
		 strerror(errno));
}

void op_mprotect(struct fz_queue *q)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_NONE, PROT_READ | PROT_WRITE };
	int t = (int)fz_below(2), prot = prots[fz_below(4)], r, e;
	uint8_t *p = t ? q->dus : q->mmio;
	size_t len = region_len(q, t);

	if (!p)
		return;
	if (len > FZ_PAGE && fz_chance(30)) {
		/* no split is needed when nothing changes: 0 */
		int cur = t ? q->dus_prot : q->mmio_prot;

		fz_op();
		r = mprotect(p + FZ_PAGE, FZ_PAGE, prot);
		e = FZ_ERR(r);
		if (prot != cur)
			g.s.errors++;
		FZ_CHECK(prot == cur ? r == 0 : r == -1 && e == EINVAL,
			 "partial mprotect of region %d from %d to %d: %d %s, want %s",
			 t, cur, prot, r, strerror(e),
			 prot == cur ? "0" : "EINVAL");
		return;
	}
	fz_op();
	r = mprotect(p, len, prot);
	FZ_CHECK(r == 0, "mprotect of region %d to %d: %s", t, prot,
		 strerror(errno));
	if (t)
		q->dus_prot = prot;
	else
		q->mmio_prot = prot;
}

static void check_ioctl(struct fz_queue *q, unsigned long cmd, void *arg,
			int want, const char *name)
{
	int r, e;

	fz_op();
	r = ioctl(q->fd, cmd, arg);
	e = FZ_ERR(r);
	fz_trace("ioctl q%ld %s (0x%lx) arg %p in %s: %d %s", (long)(q - g.q),
		 name, cmd, arg, stn(q->st), r, strerror(e));
	if (want)
		g.s.errors++;
	FZ_CHECK(e == want && (r == 0 || r == -1),
		 "ioctl %s (0x%lx) arg %p in %s: %d %s, want %s", name, cmd, arg,
		 stn(q->st), r, strerror(e), want ? strerror(want) : "0");
}

static void check_ioctl_start(struct fz_queue *q)
{
	check_ioctl(q, UACCE_CMD_START_Q, NULL, 0, "START_Q");
	q->st = FQ_STARTED;
	q->sq = q->cq = 0;
}

static unsigned long random_cmd(void)
{
	static const unsigned char types[] = { 'A', 'W', '@', 'B', 'V', 'A',
					       'W' };
	unsigned long cmd;

	do {
		if (fz_chance(10)) {
			cmd = (unsigned long)(uint32_t)fz_rnd();
		} else {
			unsigned dir = (unsigned)fz_below(4);
			unsigned size = fz_chance(50) ?
				(unsigned)fz_below(0x4000) :
				(unsigned)(8 << fz_below(5));

			cmd = _IOC(dir, types[fz_below(sizeof(types))],
				   fz_chance(70) ? fz_below(8) : fz_below(256),
				   size);
		}
	} while (cmd == UACCE_CMD_START_Q || cmd == UACCE_CMD_PUT_Q ||
		 cmd == ACCELKIT_CMD_QUEUE_INFO ||
		 cmd == ACCELKIT_CMD_QUEUE_STATS || cmd == ACCELKIT_CMD_SHARE ||
		 fz_vfs_ioctl(cmd));
	return cmd;
}

static void stats_check(struct fz_queue *q, const struct accelkit_queue_stats *s)
{
	uint64_t done = s->page_faults_resolved + s->page_faults_failed;

	FZ_CHECK(!s->rsvd[0] && !s->rsvd[1] && !s->rsvd[2] && !s->rsvd[3],
		 "QUEUE_STATS rsvd not 0");
	FZ_CHECK(s->page_requests == done ||
		 (q->sq != q->cq && s->page_requests == done + 1),
		 "QUEUE_STATS: requests %llu resolved %llu failed %llu (%u jobs in flight)",
		 (unsigned long long)s->page_requests,
		 (unsigned long long)s->page_faults_resolved,
		 (unsigned long long)s->page_faults_failed, q->sq - q->cq);
}

void op_ioctl(struct fz_queue *q)
{
	bool usable = q->st == FQ_INIT || q->st == FQ_STARTED;
	struct accelkit_queue_info qi;
	struct accelkit_queue_stats s;
	void *garbage = (void *)(uintptr_t)fz_rnd();
	unsigned long cmd;

	if (q->st == FQ_CLOSED)
		return;
	if (q->st == FQ_DEFUNCT) {
		static const unsigned long cmds[] = {
			UACCE_CMD_START_Q, UACCE_CMD_PUT_Q,
			ACCELKIT_CMD_QUEUE_INFO, ACCELKIT_CMD_QUEUE_STATS,
			ACCELKIT_CMD_SHARE,
		};
		unsigned i = (unsigned)fz_below(7);
		void *arg = fz_chance(30) ? bad_ptr() : (void *)&s;

		cmd = i < 5 ? cmds[i] : random_cmd();
		check_ioctl(q, cmd, arg, fz_defunct_errno(q, cmd), "on DEFUNCT");
		return;
	}
	switch (fz_below(10)) {
	case 0:
		check_ioctl(q, UACCE_CMD_START_Q, fz_chance(30) ? garbage : NULL,
			    q->st == FQ_INIT ? 0 : EINVAL, "START_Q");
		if (q->st == FQ_INIT) {
			q->st = FQ_STARTED;
			q->sq = q->cq = 0;
		}
		break;
	case 1:
		if (!fz_chance(30))
			break;	/* rarer: it ends the queue */
		if (q->sq != q->cq) {
			if (fz_can_reap(q) && fz_chance(70))
				fz_reap(q, true);
		}
		check_ioctl(q, UACCE_CMD_PUT_Q, fz_chance(30) ? garbage : NULL,
			    0, "PUT_Q");
		if (q->sq != q->cq)
			fz_drop_inflight(q);
		if (usable)
			q->st = FQ_RELEASED;
		break;
	case 2:
		memset(&qi, 0xa5, sizeof(qi));
		check_ioctl(q, ACCELKIT_CMD_QUEUE_INFO, &qi,
			    usable ? 0 : EINVAL, "QUEUE_INFO");
		FZ_CHECK(!usable || !memcmp(&qi, &q->qi, sizeof(qi)),
			 "QUEUE_INFO changed since open");
		break;
	case 3:
		check_ioctl(q, ACCELKIT_CMD_QUEUE_INFO, bad_ptr(),
			    usable ? EFAULT : EINVAL, "QUEUE_INFO(bad ptr)");
		break;
	case 4:
		memset(&s, 0xa5, sizeof(s));
		check_ioctl(q, ACCELKIT_CMD_QUEUE_STATS, &s, 0, "QUEUE_STATS");
		stats_check(q, &s);
		break;
	case 5:
		check_ioctl(q, ACCELKIT_CMD_QUEUE_STATS, bad_ptr(), EFAULT,
			    "QUEUE_STATS(bad ptr)");
		break;
	case 6:
		check_ioctl(q, ACCELKIT_CMD_SHARE, fz_chance(30) ? garbage : NULL,
			    usable ? 0 : EINVAL, "SHARE");
		if (usable)
			q->shared = true;
		break;
	default:
		cmd = random_cmd();
		check_ioctl(q, cmd, fz_chance(50) ? garbage : (void *)&s,
			    ENOTTY, "unknown");
		break;
	}
}

void op_poll(struct fz_queue *q)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	short allowed;
	int r;

	if (q->st == FQ_CLOSED)
		return;
	if (fz_chance(30))
		p.events |= POLLOUT | POLLPRI;
	if (q->st == FQ_DEFUNCT)
		allowed = q->shared ? POLLERR | POLLHUP : POLLERR;
	else if (q->st == FQ_RELEASED)
		allowed = POLLERR;
	else if (q->st == FQ_STARTED && q->sq != q->cq)
		allowed = POLLIN;
	else
		allowed = 0;
	fz_op();
	r = poll(&p, 1, 0);
	FZ_CHECK(r >= 0, "poll: %s", strerror(errno));
	if (q->st == FQ_RELEASED || q->st == FQ_DEFUNCT)
		FZ_CHECK(p.revents == allowed,
			 "poll of a %s%s queue: revents 0x%x, want 0x%x",
			 q->shared ? "shared " : "", stn(q->st), p.revents,
			 allowed);
	else
		FZ_CHECK(!(p.revents & ~allowed),
			 "poll in %s with %u jobs in flight: revents 0x%x, allowed 0x%x",
			 stn(q->st), q->sq - q->cq, p.revents, allowed);
}

void op_rw(struct fz_queue *q)
{
	char buf[64];
	void *ptr = fz_chance(50) ? (void *)buf : bad_ptr();
	size_t n = fz_chance(20) ? 0 : 1 + fz_below(sizeof(buf));
	ssize_t r;
	off_t o;
	int e;

	if (q->st == FQ_CLOSED)
		return;
	fz_op();
	g.s.errors++;
	switch (fz_below(4)) {
	case 0:
		r = read(q->fd, ptr, n);
		e = FZ_ERR(r);
		FZ_CHECK(r == -1 && e == EINVAL, "read: %zd %s, want EINVAL",
			 r, strerror(e));
		break;
	case 1:
		r = write(q->fd, ptr, n);
		e = FZ_ERR(r);
		FZ_CHECK(r == -1 && e == EINVAL, "write: %zd %s, want EINVAL",
			 r, strerror(e));
		break;
	case 2:
		r = pread(q->fd, ptr, n, (off_t)fz_below(1 << 20));
		e = FZ_ERR(r);
		FZ_CHECK(r == -1 && (e == EINVAL || e == ESPIPE),
			 "pread: %zd %s, want EINVAL", r, strerror(e));
		break;
	default:
		o = lseek(q->fd, (off_t)fz_below(1 << 20), SEEK_SET);
		e = FZ_ERR(o);
		FZ_CHECK(o == -1 && e == ESPIPE, "lseek: %lld %s, want ESPIPE",
			 (long long)o, strerror(e));
		break;
	}
}

/* After PUT_Q every access to an old mapping raises SIGBUS. */
void op_probe_released(struct fz_queue *q)
{
	int t = (int)fz_below(2), sig, prot;
	uint8_t *p = t ? q->dus : q->mmio;

	if (!p || q->st == FQ_CLOSED)
		return;
	prot = t ? q->dus_prot : q->mmio_prot;
	if (!(prot & PROT_READ) && prot != PROT_WRITE)
		return;
	fz_op();
	sig = fz_probe(p + (t ? fz_below(region_len(q, t)) : 0), false);
	if (q->st == FQ_RELEASED) {
		FZ_CHECK(sig == SIGBUS,
			 "read of region %d after PUT_Q: signal %d, want SIGBUS",
			 t, sig);
		g.s.sigbus++;
	} else {
		FZ_CHECK(sig == 0, "read of region %d in %s: signal %d", t,
			 stn(q->st), sig);
	}
}

/* The valid call that brings @q closer to taking jobs (mmap, START_Q). */
void op_make_ready(struct fz_queue *q)
{
	int t;
	void *p;

	if (q->st == FQ_RELEASED || q->st == FQ_DEFUNCT) {
		op_close(q);
		return;
	}
	for (t = 0; t < 2; t++) {
		uint8_t **slot = t ? &q->dus : &q->mmio;
		int *prot = t ? &q->dus_prot : &q->mmio_prot;

		if (*slot && *prot == (PROT_READ | PROT_WRITE))
			continue;
		fz_op();
		if (*slot) {
			FZ_CHECK(!mprotect(*slot, region_len(q, t),
					   PROT_READ | PROT_WRITE),
				 "mprotect region %d: %s", t, strerror(errno));
		} else {
			p = mmap(NULL, region_len(q, t), PROT_READ | PROT_WRITE,
				 MAP_SHARED, q->fd, (off_t)t * (off_t)FZ_PAGE);
			FZ_CHECK(p != MAP_FAILED, "mmap region %d in %s: %s", t,
				 stn(q->st), strerror(errno));
			*slot = p;
			if (t && q->fresh) {
				for (size_t i = 0; i < region_len(q, t); i++)
					FZ_CHECK(!q->dus[i],
						 "fresh queue's DUS byte %zu is 0x%02x (stale data)",
						 i, q->dus[i]);
				q->fresh = false;
			}
		}
		*prot = PROT_READ | PROT_WRITE;
		return;
	}
	if (q->st == FQ_INIT)
		check_ioctl_start(q);
}
