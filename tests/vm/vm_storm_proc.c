// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The storm's processes (vm_storm.h). A unit is an owner that opens one or
 * two queues and runs batches of jobs on them: plain COPY/FILL/NOP, jobs
 * on memory the CPU never touched or gave back with MADV_DONTNEED (page
 * requests), a COPY from a userfaultfd page the owner serves late (a
 * stalled page request), a COPY into nothing (a translation fault). A
 * "group" unit also SHAREs its first queue with a forked child and with a
 * process that gets the file by SCM_RIGHTS; those two poll it and use the
 * ioctls a sharer may use until the owner is gone, then check that the
 * queue left the live state (DEFUNCT, or RELEASED after the owner's
 * PUT_Q). The storm parent SIGKILLs any of them at a point of their run
 * (they announce each point on the event pipe) or after a delay.
 *
 * A process that is not killed checks everything it can see: every job
 * it submitted completes exactly once (in ring order, tag by tag) with
 * the status its memory allows and the right bytes; it reports its
 * counts on the event pipe and exits with 0 or a failure code
 * (st_bad_str()).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_storm.h"

#define OFF_DUS		((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)
#define NSLOT		16	/* jobs per batch at most */
#define CANARY		0xC3
#define WAIT_MS		20000	/* failure guard of every wait */

/* ---- raw queues ---- */

int rq_open(struct rq *q, int flags, int wait_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)wait_ms;

	memset(q, 0, sizeof(*q));
	for (;;) {
		q->fd = open(g_node, O_RDWR | flags);
		if (q->fd >= 0)
			break;
		if (errno != EBUSY || vm_now_ms() > deadline)
			return -errno;
		usleep(2000);	/* every instance taken: wait for one */
	}
	if (ioctl(q->fd, ACCELKIT_CMD_QUEUE_INFO, &q->qi)) {
		int e = errno;

		close(q->fd);
		q->fd = -1;
		return -e;
	}
	q->mlen = (q->qi.mmio_size + AK_PAGE - 1) & ~(AK_PAGE - 1);
	q->dlen = (q->qi.dus_size + AK_PAGE - 1) & ~(AK_PAGE - 1);
	return 0;
}

int rq_start(struct rq *q)
{
	void *m = mmap(NULL, q->mlen, PROT_READ | PROT_WRITE, MAP_SHARED,
		       q->fd, 0);
	void *d = mmap(NULL, q->dlen, PROT_READ | PROT_WRITE, MAP_SHARED,
		       q->fd, OFF_DUS);

	if (m == MAP_FAILED || d == MAP_FAILED)
		return -errno;
	q->mmio = m;
	q->dus = d;
	if (ioctl(q->fd, UACCE_CMD_START_Q))
		return -errno;
	return 0;
}

void rq_put(struct rq *q, const struct aks_desc *d)
{
	memcpy(q->dus + q->qi.sq_offset +
	       (size_t)(q->sq & (q->qi.depth - 1)) * sizeof(*d), d, sizeof(*d));
	q->sq++;
}

static void rq_db(struct rq *q, unsigned off, uint32_t v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(void *)(q->mmio + off) = v;
}

void rq_ring(struct rq *q)
{
	rq_db(q, AKS_DB_SQ_TAIL, q->sq & (q->qi.depth - 1));
}

bool rq_get(struct rq *q, struct aks_cpl *c)
{
	volatile struct aks_cpl *p = (volatile struct aks_cpl *)(void *)
		(q->dus + q->qi.cq_offset +
		 (size_t)(q->cq & (q->qi.depth - 1)) * sizeof(*c));
	uint16_t fl = __atomic_load_n(&p->flags, __ATOMIC_ACQUIRE);
	uint16_t phase = (uint16_t)(1u ^ ((q->cq / q->qi.depth) & 1u));

	if ((fl & AKS_CF_PHASE) != phase)
		return false;
	memcpy(c, (const void *)p, sizeof(*c));
	q->cq++;
	rq_db(q, AKS_DB_CQ_HEAD, q->cq & (q->qi.depth - 1));
	return true;
}

void rq_close(struct rq *q)
{
	if (q->mmio)
		munmap(q->mmio, q->mlen);
	if (q->dus)
		munmap(q->dus, q->dlen);
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	q->mmio = q->dus = NULL;
}

/* ---- failure codes ---- */

enum {
	B_OK, B_OPEN, B_START, B_SHARE, B_FORK, B_ALLOC, B_STATUS, B_BYTES,
	B_LOST, B_DUP, B_PUTQ, B_S_ERRNO, B_S_POLL, B_S_BACK, B_S_ALIVE,
	B_RECV, B_UFFD, B_ORDER, B_NR
};

const char *st_bad_str(unsigned bad)
{
	static const char *const s[B_NR] = {
		"ok", "open failed", "START_Q/mmap failed",
		"SHARE or sending the fd failed", "fork failed",
		"memory/userfaultfd setup failed",
		"a job completed with a status its memory does not allow",
		"a job's bytes are wrong (or written outside its dst)",
		"a job never completed (lost)",
		"a completion for no job in flight (duplicate)",
		"PUT_Q with jobs in flight failed",
		"sharer: an ioctl/mmap errno not allowed in the queue's state",
		"sharer: poll revents not allowed in the queue's state",
		"sharer: the queue went back to an earlier state",
		"sharer: the owner is gone but the queue stayed live for 20 s",
		"receiver: no fd came by SCM_RIGHTS",
		"serving the userfaultfd page failed",
		"completion sq_head not in ring order",
	};

	return bad < B_NR ? s[bad] : "unknown code";
}

/* ---- the event pipe ---- */

static int g_ev = -1;
static uint32_t g_unit;

static void ev_send(int role, int type, int point, const uint32_t *cnt)
{
	struct st_msg m;

	memset(&m, 0, sizeof(m));
	m.unit = g_unit;
	m.role = (uint8_t)role;
	m.type = (uint8_t)type;
	m.point = (uint16_t)point;
	m.pid = getpid();
	if (cnt) {
		m.jobs = cnt[0];
		m.done = cnt[1];
		m.lost = cnt[2];
		m.dup = cnt[3];
		m.bad = cnt[4];
	}
	if (write(g_ev, &m, sizeof(m)) != sizeof(m))
		_exit(120);
}

static void __attribute__((noreturn)) finish(int role, const uint32_t *cnt)
{
	ev_send(role, SM_RESULT, 0, cnt);
	_exit((int)cnt[4]);
}

/* ---- sharers: the forked child and the SCM_RIGHTS receiver ---- */

enum { QS_LIVE, QS_RELEASED, QS_DEFUNCT };

static int state_of_errno(int e)
{
	return e == 0 ? QS_LIVE : e == EINVAL ? QS_RELEASED :
	       e == ESRCH ? QS_DEFUNCT : -1;
}

/*
 * Poll the shared queue and use what a sharer may (QUEUE_INFO,
 * QUEUE_STATS, mmap: EEXIST while the owner has it mapped) until the
 * owner is gone (EOF or 'd' on @sock), then until the queue is no longer
 * live. Every answer must belong to the live state or to the one it
 * leaves to, never going back.
 */
static void __attribute__((noreturn)) sharer(int role, int fd, int sock)
{
	uint32_t cnt[5] = { 0 };
	uint64_t t0 = vm_now_ms(), gone_at = 0;
	int st = QS_LIVE, k = 0;
	size_t dlen = 24 * AK_PAGE;
	struct accelkit_queue_info qi;

	if (!ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi))
		dlen = (qi.dus_size + AK_PAGE - 1) & ~(AK_PAGE - 1);
	while (vm_now_ms() - t0 < 60000) {
		struct accelkit_queue_stats s;
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = sock, .events = POLLIN } };
		int e, ns, want;
		short okrev;
		void *m;

		if (k < 16)
			ev_send(role, SM_POINT, k++, NULL);
		e = ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) ? errno : 0;
		ns = state_of_errno(e);
		if (ns < 0) {
			cnt[4] = B_S_ERRNO;
			break;
		}
		if (ns < st || (st != QS_LIVE && ns != st)) {
			cnt[4] = B_S_BACK;
			break;
		}
		st = ns;
		/* counters survive PUT_Q; ESRCH once DEFUNCT */
		e = ioctl(fd, ACCELKIT_CMD_QUEUE_STATS, &s) ? errno : 0;
		if ((e == 0 && st == QS_DEFUNCT) ||
		    (e == ESRCH && st == QS_RELEASED) || (e && e != ESRCH)) {
			cnt[4] = B_S_ERRNO;
			break;
		}
		if (e == ESRCH)
			st = QS_DEFUNCT;
		/* the owner has it mapped (EEXIST), unless its exit just
		 * unmapped it (0) before the shutdown */
		m = mmap(NULL, dlen, PROT_READ, MAP_SHARED, fd, OFF_DUS);
		e = m == MAP_FAILED ? errno : 0;
		if (m != MAP_FAILED)
			munmap(m, dlen);
		want = st == QS_LIVE ? EEXIST : st == QS_RELEASED ? EINVAL : ESRCH;
		if (e != want && !(st == QS_LIVE && (e == 0 || e == EINVAL ||
						     e == ESRCH))) {
			cnt[4] = B_S_ERRNO;
			break;
		}
		if (poll(p, 2, 50) < 0) {
			cnt[4] = B_S_POLL;
			break;
		}
		okrev = st == QS_LIVE ? (POLLIN | POLLERR | POLLHUP) :
			st == QS_RELEASED ? POLLERR : (POLLERR | POLLHUP);
		if ((p[0].revents & ~okrev) ||
		    (st == QS_DEFUNCT && p[0].revents != (POLLERR | POLLHUP)) ||
		    (st == QS_RELEASED && p[0].revents != POLLERR)) {
			cnt[4] = B_S_POLL;
			break;
		}
		if (p[0].revents & POLLIN)
			usleep(5000);	/* the owner reaps them */
		if (p[1].revents && !gone_at) {
			char c;

			if (read(sock, &c, 1) <= 0 || c == 'd')
				gone_at = vm_now_ms();
		}
		if (gone_at && st != QS_LIVE)
			break;	/* the queue left the live state: done */
		if (gone_at && vm_now_ms() - gone_at > WAIT_MS) {
			cnt[4] = B_S_ALIVE;
			break;
		}
	}
	if (!cnt[4] && st == QS_LIVE)
		cnt[4] = B_S_ALIVE;
	if (!cnt[4] && st == QS_DEFUNCT && ioctl(fd, UACCE_CMD_PUT_Q))
		cnt[4] = B_S_ERRNO;	/* PUT_Q of a DEFUNCT queue: 0 */
	close(fd);
	finish(role, cnt);
}

/* ---- the owner ---- */

enum { J_NOP, J_COPY, J_ZERO, J_FILLF, J_DONT, J_UFFD, J_BAD, J_NR };

struct job {
	int kind;
	uint64_t tag, len, pattern;
	uint8_t *dst;		/* where the bytes land (checked) */
	const uint8_t *src;	/* expected bytes, NULL: pattern or zero */
};

struct owner {
	const struct st_plan *p;
	uint64_t rng;
	struct rq q[2];
	int uffd;
	uint8_t *src, *dst;	/* NSLOT pages each, touched */
	uint8_t ubytes[AK_PAGE];	/* what the uffd page gets */
	uint32_t cnt[5];	/* jobs done lost dup bad */
	uint64_t tags;
	int point;
};

static void point(struct owner *o)
{
	ev_send(SR_OWNER, SM_POINT, o->point++, NULL);
}

static void set_bad(struct owner *o, unsigned b)
{
	if (!o->cnt[4])
		o->cnt[4] = b;
}

static uint8_t *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static int uffd_setup(struct owner *o)
{
	struct uffdio_api api = { .api = UFFD_API };

	o->uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (o->uffd < 0 || ioctl(o->uffd, UFFDIO_API, &api))
		return -1;
	return 0;
}

static int uffd_register(struct owner *o, uint8_t *page)
{
	struct uffdio_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)page;
	reg.range.len = AK_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	return ioctl(o->uffd, UFFDIO_REGISTER, &reg);
}

/* Serve the pending userfault (the device's page request), if any. */
static int uffd_serve(struct owner *o)
{
	struct uffd_msg msg;
	struct uffdio_copy c;

	if (read(o->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return errno == EAGAIN ? 0 : -1;
	if (msg.event != UFFD_EVENT_PAGEFAULT)
		return -1;
	memset(&c, 0, sizeof(c));
	c.dst = msg.arg.pagefault.address & ~(uint64_t)(AK_PAGE - 1);
	c.src = (uintptr_t)o->ubytes;
	c.len = AK_PAGE;
	if (ioctl(o->uffd, UFFDIO_COPY, &c) && errno != EEXIST)
		return -1;
	return 1;
}

/* One job of @kind at batch index @i; fills @d and @j. */
static void make_job(struct owner *o, int kind, int i, uint8_t *fresh,
		     uint8_t *dn, uint8_t *uf, struct aks_desc *d,
		     struct job *j)
{
	uint8_t *slot = o->dst + (size_t)i * AK_PAGE;

	memset(d, 0, sizeof(*d));
	memset(j, 0, sizeof(*j));
	j->kind = kind;
	j->tag = 0x5700000000ull | (uint64_t)g_unit << 16 | o->tags++;
	j->len = 1 + st_below(&o->rng, AK_PAGE);
	d->tag = j->tag;
	d->len = j->len;
	memset(slot, CANARY, AK_PAGE);
	switch (kind) {
	case J_NOP:
		d->opcode = AKS_OP_NOP;
		break;
	case J_COPY:
		d->opcode = AKS_OP_COPY;
		j->src = o->src + (size_t)i * AK_PAGE;
		j->dst = slot;
		break;
	case J_ZERO:	/* from a page the CPU never touched */
		d->opcode = AKS_OP_COPY;
		j->dst = slot;
		d->src = (uintptr_t)(fresh + (size_t)i * AK_PAGE);
		break;
	case J_FILLF:	/* into a page the CPU never touched */
		d->opcode = AKS_OP_FILL;
		j->pattern = st_rnd(&o->rng);
		j->dst = fresh + (size_t)i * AK_PAGE;
		break;
	case J_DONT:	/* into a page given back with MADV_DONTNEED */
		d->opcode = AKS_OP_COPY;
		j->src = o->src + (size_t)i * AK_PAGE;
		j->dst = dn + (size_t)i * AK_PAGE;
		break;
	case J_UFFD:	/* from a userfaultfd page: stalls until served */
		d->opcode = AKS_OP_COPY;
		j->src = o->ubytes;
		j->dst = slot;
		d->src = (uintptr_t)uf;
		break;
	default:	/* into the guard page after dst: a fault */
		d->opcode = AKS_OP_COPY;
		j->src = o->src;
		d->dst = (uintptr_t)(o->dst + NSLOT * AK_PAGE);
		break;
	}
	if (kind == J_COPY || kind == J_DONT || kind == J_BAD)
		d->src = (uintptr_t)(j->src ? j->src : o->src);
	if (j->dst)
		d->dst = (uintptr_t)j->dst;
	d->pattern = j->pattern;
}

static void check_job(struct owner *o, const struct job *j,
		      const struct aks_cpl *c)
{
	unsigned want = j->kind == J_BAD ? AKS_ST_XLATE_FAULT : AKS_ST_SUCCESS;
	uint64_t i;

	if (c->status != want) {
		set_bad(o, B_STATUS);
		return;
	}
	if (!j->dst || j->kind == J_NOP)
		return;
	for (i = 0; i < j->len; i++) {
		uint8_t w = j->kind == J_FILLF ? vm_pat_byte(j->pattern, i) :
			    j->src ? j->src[i] : 0;

		if (j->dst[i] != w) {
			set_bad(o, B_BYTES);
			return;
		}
	}
	if (j->dst >= o->dst && j->dst < o->dst + NSLOT * AK_PAGE &&
	    vm_first_not(j->dst + j->len, CANARY, AK_PAGE - j->len) >= 0)
		set_bad(o, B_BYTES);
}

/*
 * Reap the @n jobs of @q, exactly once each, in ring order; serve the
 * userfault @serve_ms after it arrives.
 */
static void reap(struct owner *o, struct rq *q, struct job *jobs, int n,
		 int serve_ms)
{
	uint64_t t0 = vm_now_ms(), fault_at = 0;
	bool seen[NSLOT] = { false };
	uint32_t first = q->cq;
	int got = 0, i;

	while (got < n && vm_now_ms() - t0 < WAIT_MS) {
		struct pollfd p[2] = { { .fd = q->fd, .events = POLLIN },
				       { .fd = o->uffd, .events = POLLIN } };
		struct aks_cpl c;

		while (rq_get(q, &c)) {
			for (i = 0; i < n && jobs[i].tag != c.tag; i++)
				;
			if (i == n || seen[i]) {
				o->cnt[3]++;
				set_bad(o, B_DUP);
				continue;
			}
			if (i != (int)(q->cq - 1 - first) ||
			    c.sq_head != ((q->cq) & (q->qi.depth - 1)))
				set_bad(o, B_ORDER);
			seen[i] = true;
			got++;
			o->cnt[1]++;
			check_job(o, &jobs[i], &c);
		}
		if (got == n)
			break;
		if (fault_at && vm_now_ms() - fault_at >= (uint64_t)serve_ms) {
			if (uffd_serve(o) < 0)
				set_bad(o, B_UFFD);
			fault_at = 0;
		}
		if (poll(p, 2, 20) > 0 && (p[1].revents & POLLIN) && !fault_at)
			fault_at = vm_now_ms();
	}
	for (i = 0; i < n; i++)
		if (!seen[i]) {
			o->cnt[2]++;
			set_bad(o, B_LOST);
		}
}

static void batch(struct owner *o, int b)
{
	const struct st_plan *p = o->p;
	bool last = b == p->batches - 1;
	int n = 1 + (int)st_below(&o->rng, NSLOT - 4), i, uf_at = -1;
	struct rq *q = &o->q[st_below(&o->rng, (unsigned)p->nq)];
	int serve_ms = (int)st_below(&o->rng, 4) * 60;
	uint8_t *fresh = map_anon(NSLOT * AK_PAGE);
	uint8_t *dn = map_anon(NSLOT * AK_PAGE);
	uint8_t *uf = map_anon(AK_PAGE);
	struct job jobs[NSLOT];

	if (!fresh || !dn || !uf) {
		set_bad(o, B_ALLOC);
		finish(SR_OWNER, o->cnt);
	}
	memset(dn, 0x11, NSLOT * AK_PAGE);
	madvise(dn, NSLOT * AK_PAGE, MADV_DONTNEED);
	if (st_below(&o->rng, 3) == 0)
		uf_at = (int)st_below(&o->rng, (unsigned)n);
	if (uf_at >= 0 && uffd_register(o, uf)) {
		set_bad(o, B_UFFD);
		finish(SR_OWNER, o->cnt);
	}
	for (i = 0; i < n; i++) {
		struct aks_desc d;
		int kind = i == uf_at ? J_UFFD :
			   (int)st_below(&o->rng, J_NR - 1);

		if (kind == J_UFFD)
			kind = J_BAD;
		make_job(o, kind, i, fresh, dn, uf, &d, &jobs[i]);
		if (i == n - 1)
			d.flags |= AKS_DF_IRQ;
		rq_put(q, &d);
		o->cnt[0]++;
	}
	rq_ring(q);
	point(o);
	if (last && p->exit_mode == 1) {
		o->cnt[0] -= (uint32_t)n;	/* dropped by the exit */
		finish(SR_OWNER, o->cnt);
	}
	if (last && p->exit_mode == 2) {
		o->cnt[0] -= (uint32_t)n;	/* dropped by PUT_Q */
		if (ioctl(q->fd, UACCE_CMD_PUT_Q))
			set_bad(o, B_PUTQ);
		finish(SR_OWNER, o->cnt);
	}
	reap(o, q, jobs, n, serve_ms);
	point(o);
	munmap(fresh, NSLOT * AK_PAGE);
	munmap(dn, NSLOT * AK_PAGE);
	munmap(uf, AK_PAGE);
}

void st_unit_main(const struct st_plan *p, int evfd)
{
	struct owner o;
	int rsock[2] = { -1, -1 }, csock[2] = { -1, -1 }, i, r;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	o.p = p;
	o.rng = p->rng;
	o.uffd = -1;
	g_ev = evfd;
	g_unit = p->unit;
	ev_send(SR_OWNER, SM_HELLO, 0, NULL);
	for (i = 0; i < 2; i++)
		o.q[i].fd = -1;
	if (p->group) {
		/* the receiver exists before the queue: SCM_RIGHTS only */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rsock))
			finish(SR_OWNER, (uint32_t[5]){ 0, 0, 0, 0, B_FORK });
		pid = fork();
		if (pid < 0)
			finish(SR_OWNER, (uint32_t[5]){ 0, 0, 0, 0, B_FORK });
		if (!pid) {
			char c;
			int fd;

			close(rsock[0]);
			ev_send(SR_RECV, SM_HELLO, 0, NULL);
			/* EOF: the owner died before it sent the fd (it
			 * checks its own sendmsg) */
			if (vm_recv_fd(rsock[1], &c, 1, &fd))
				finish(SR_RECV, (uint32_t[5]){ 0 });
			if (fd < 0)
				finish(SR_RECV, (uint32_t[5]){ 0, 0, 0, 0, B_RECV });
			sharer(SR_RECV, fd, rsock[1]);
		}
		close(rsock[1]);
	}
	for (i = 0; i < p->nq; i++) {
		r = rq_open(&o.q[i], st_below(&o.rng, 2) ? O_CLOEXEC : 0,
			    WAIT_MS);
		if (r) {
			set_bad(&o, B_OPEN);
			finish(SR_OWNER, o.cnt);
		}
	}
	point(&o);
	for (i = 0; i < p->nq; i++)
		if (rq_start(&o.q[i])) {
			set_bad(&o, B_START);
			finish(SR_OWNER, o.cnt);
		}
	point(&o);
	if (p->group) {
		/* a receiver killed already: EPIPE/ECONNRESET, fine */
		if (ioctl(o.q[0].fd, ACCELKIT_CMD_SHARE) ||
		    (vm_send_fd(rsock[0], "f", 1, o.q[0].fd) &&
		     errno != EPIPE && errno != ECONNRESET)) {
			set_bad(&o, B_SHARE);
			finish(SR_OWNER, o.cnt);
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, csock))
			finish(SR_OWNER, (uint32_t[5]){ 0, 0, 0, 0, B_FORK });
		pid = fork();
		if (pid < 0)
			finish(SR_OWNER, (uint32_t[5]){ 0, 0, 0, 0, B_FORK });
		if (!pid) {
			/* the owner's end of the receiver's socket must close
			 * when the owner dies: not ours to keep */
			close(rsock[0]);
			close(csock[0]);
			ev_send(SR_CHILD, SM_HELLO, 0, NULL);
			sharer(SR_CHILD, o.q[0].fd, csock[1]);
		}
		close(csock[1]);
	}
	/* after the fork: the child must not hold the userfaultfd (a
	 * stalled page request would wait for it) */
	o.src = map_anon((NSLOT + 1) * AK_PAGE);
	o.dst = map_anon((NSLOT + 1) * AK_PAGE);
	if (!o.src || !o.dst || uffd_setup(&o)) {
		set_bad(&o, B_ALLOC);
		finish(SR_OWNER, o.cnt);
	}
	for (i = 0; i < NSLOT * (int)AK_PAGE; i += 8) {
		uint64_t v = st_rnd(&o.rng);

		memcpy(o.src + i, &v, 8);
	}
	memset(o.dst, CANARY, NSLOT * AK_PAGE);
	mprotect(o.dst + NSLOT * AK_PAGE, AK_PAGE, PROT_NONE);
	for (i = 0; i < (int)AK_PAGE; i++)
		o.ubytes[i] = (uint8_t)(0xa7 ^ i ^ g_unit);
	for (i = 0; i < p->batches; i++)
		batch(&o, i);
	/* done: the sharers see the owner go, then the queue leave (a
	 * sharer killed already: EPIPE) */
	if (rsock[0] >= 0 && write(rsock[0], "d", 1) != 1 && errno != EPIPE)
		set_bad(&o, B_SHARE);
	if (csock[0] >= 0 && write(csock[0], "d", 1) != 1 && errno != EPIPE)
		set_bad(&o, B_SHARE);
	finish(SR_OWNER, o.cnt);
}
