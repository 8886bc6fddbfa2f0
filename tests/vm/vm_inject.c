// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite "inject": device faults and the driver's recovery (issue 11,
 * docs/architecture.md "Errors and recovery"). Each test arms one fault
 * through the driver's debugfs file (root only), drives a raw queue through
 * the uAPI and asserts what user space sees: completion statuses and tags,
 * ABORTED records (every outstanding job once, in order, nothing after),
 * poll() with EPOLLERR instead of a hang, -EIO from ioctls, sysfs counters,
 * isolation, and a device that works again for new opens.
 *
 * hang_ms (the watchdog) is lowered for the suite and restored after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <accelkit/sample_hw.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"

#define OFF_MMIO ((off_t)UACCE_QFRT_MMIO * (off_t)AK_PAGE)
#define OFF_DUS  ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)
#define HANG_PARAM "/sys/module/accelkit_sample/parameters/hang_ms"
#define SUITE_HANG_MS "300"
#define RESET_MSG "resetting it"
#define WAIT_MS 20000

static char g_hang_saved[32];
static char g_inject_path[PATH_MAX];
static unsigned int g_injections;	/* injected and survived */
static unsigned int g_lost, g_dup;	/* records missing / duplicated */

/* A raw queue: rings mapped, started. */
struct rq {
	int fd;
	struct accelkit_queue_info info;
	volatile uint32_t *db;
	uint8_t *dus;
	struct aks_desc *sq;
	volatile struct aks_cpl *cq;
	uint32_t tail, head;
	uint16_t phase;
};

static int rq_open(struct rq *r)
{
	void *p;

	memset(r, 0, sizeof(*r));
	r->phase = AKS_CF_PHASE;
	r->fd = open(g_node, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (ioctl(r->fd, ACCELKIT_CMD_QUEUE_INFO, &r->info) < 0)
		goto fail;
	p = mmap(NULL, r->info.mmio_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 r->fd, OFF_MMIO);
	if (p == MAP_FAILED)
		goto fail;
	r->db = p;
	p = mmap(NULL, r->info.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 r->fd, OFF_DUS);
	if (p == MAP_FAILED)
		goto fail;
	r->dus = p;
	r->sq = (struct aks_desc *)(r->dus + r->info.sq_offset);
	r->cq = (volatile struct aks_cpl *)(r->dus + r->info.cq_offset);
	if (ioctl(r->fd, UACCE_CMD_START_Q) < 0)
		goto fail;
	return 0;
fail:
	VM_CHECK(0, "raw queue setup: %s", strerror(errno));
	close(r->fd);
	r->fd = -1;
	return -1;
}

static void rq_close(struct rq *r)
{
	if (r->db)
		munmap((void *)r->db, r->info.mmio_size);
	if (r->dus)
		munmap(r->dus, r->info.dus_size);
	if (r->fd >= 0)
		VM_CHECK(close(r->fd) == 0, "close: %s", strerror(errno));
	r->fd = -1;
}

/* Queue a job (tag @tag, IRQ flag); the doorbell rings in rq_ring(). */
static void rq_put(struct rq *r, uint16_t op, const void *src, void *dst,
		   uint64_t len, uint64_t tag)
{
	struct aks_desc *d = &r->sq[r->tail];

	memset(d, 0, sizeof(*d));
	d->opcode = op;
	d->flags = AKS_DF_IRQ;
	d->tag = tag;
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->len = len;
	r->tail = (r->tail + 1) % r->info.depth;
}

static void rq_ring(struct rq *r)
{
	__sync_synchronize();
	r->db[AKS_DB_SQ_TAIL / 4] = r->tail;
}

/* Is the next record there? (no wait) */
static int rq_ready(struct rq *r)
{
	return (r->cq[r->head].flags & AKS_CF_PHASE) == r->phase;
}

static void rq_take(struct rq *r, struct aks_cpl *c)
{
	__sync_synchronize();
	memcpy(c, (const void *)&r->cq[r->head], sizeof(*c));
	r->head = (r->head + 1) % r->info.depth;
	if (!r->head)
		r->phase ^= AKS_CF_PHASE;
	r->db[AKS_DB_CQ_HEAD / 4] = r->head;
}

/*
 * The next record, waiting in poll() (bounded by WAIT_MS: a hang detector
 * only). 0, or -1 when none came; *revents: the last poll's.
 */
static int rq_reap(struct rq *r, struct aks_cpl *c, short *revents)
{
	uint64_t end = vm_now_ms() + WAIT_MS;

	*revents = 0;
	while (!rq_ready(r)) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };

		if (vm_now_ms() > end)
			return -1;
		if (poll(&p, 1, 1000) > 0)
			*revents = p.revents;
		if ((*revents & POLLERR) && !rq_ready(r))
			return -1;	/* failed, and no record: nothing more */
	}
	rq_take(r, c);
	return 0;
}

static int inject(const char *fmt, unsigned int qid, unsigned int after)
{
	char line[64];

	snprintf(line, sizeof(line), fmt, qid, after);
	return vm_write_file(g_inject_path, line);
}

/* Wait until sysfs @attr (the PCI device's, or the class device's with
 * @cls) reaches @want; the value then. */
static long wait_attr(const char *attr, int cls, long want)
{
	uint64_t end = vm_now_ms() + WAIT_MS;
	long v;

	for (;;) {
		v = cls ? vm_attr_long(attr) : vm_pci_attr_long(attr);
		if (v >= want || vm_now_ms() > end)
			return v;
		usleep(10000);
	}
}

static int set_hang_ms(const char *v)
{
	return vm_write_file(HANG_PARAM, v);
}

static int rebind(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind",
		 g_driver);
	if (vm_write_file(path, g_bdf))
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", g_driver);
	if (vm_write_file(path, g_bdf))
		return -1;
	return vm_wait_node(5000);
}

static int inj_init(void)
{
	struct stat st;

	if (vm_discover() < 0 || vm_resolve_pci())
		return -1;
	if (stat("/sys/kernel/debug/accelkit_sample", &st) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		return -1;
	snprintf(g_inject_path, sizeof(g_inject_path),
		 "/sys/kernel/debug/accelkit_sample/%s/inject", g_bdf);
	if (stat(g_inject_path, &st))
		return -1;
	if (vm_read_file(HANG_PARAM, g_hang_saved, sizeof(g_hang_saved)) <= 0 ||
	    set_hang_ms(SUITE_HANG_MS))
		return -1;
	return 0;
}

static int inj_clean(void)
{
	set_hang_ms(g_hang_saved);
	printf("\nAK-ABUSE: inject ops=0 seeds=0 injections=%u lost=%u dup=%u\n",
	       g_injections, g_lost, g_dup);
	fflush(stdout);
	return 0;
}

/* Check @c is the record of job @tag with @status and @sq_head. */
#define CHECK_CPL(c, want_tag, want_st, want_head)			\
	VM_CHECK((c).tag == (want_tag) && (c).status == (want_st) &&	\
		 (c).sq_head == (want_head),				\
		 "record: tag %llu status %u sq_head %u, want %llu %u %u",\
		 (unsigned long long)(c).tag, (c).status, (c).sq_head,	\
		 (unsigned long long)(want_tag), (want_st), (want_head))

/* ENGINE_ERROR: that job HW_ERROR, the others exact, queue goes on. */
static void t_engine_error(void)
{
	long errs = vm_attr_long("hw_errors");
	uint8_t *src = vm_alloc(3 * AK_PAGE), *dst = vm_alloc(3 * AK_PAGE);
	struct aks_cpl c;
	struct rq r;
	short ev;
	int i;

	VM_REQUIRE(src && dst && errs >= 0, "setup");
	vm_fill_random(src, 3 * AK_PAGE, 11);
	if (rq_open(&r))
		return;
	VM_REQUIRE(inject("engine_error %u %u", r.info.queue_id, 1) == 0,
		   "inject");
	for (i = 0; i < 3; i++)
		rq_put(&r, AKS_OP_COPY, src + i * AK_PAGE, dst + i * AK_PAGE,
		       AK_PAGE, 100 + i);
	rq_ring(&r);
	for (i = 0; i < 3; i++) {
		if (rq_reap(&r, &c, &ev)) {
			VM_CHECK(0, "no record for job %d", i);
			g_lost++;
			break;
		}
		CHECK_CPL(c, 100u + i, i == 1 ? AKS_ST_HW_ERROR : AKS_ST_SUCCESS,
			  i + 1u);
	}
	VM_CHECK(!memcmp(dst, src, AK_PAGE) &&
		 !memcmp(dst + 2 * AK_PAGE, src + 2 * AK_PAGE, AK_PAGE),
		 "jobs around the engine error not byte-exact");
	VM_CHECK(wait_attr("hw_errors", 1, errs + 1) == errs + 1,
		 "hw_errors %ld, want %ld", vm_attr_long("hw_errors"), errs + 1);
	/* the queue goes on */
	rq_put(&r, AKS_OP_COPY, src, dst + AK_PAGE, AK_PAGE, 200);
	rq_ring(&r);
	VM_CHECK(rq_reap(&r, &c, &ev) == 0, "no record after the error");
	CHECK_CPL(c, 200u, AKS_ST_SUCCESS, 4u);
	VM_CHECK(!memcmp(dst + AK_PAGE, src, AK_PAGE), "job after not exact");
	rq_close(&r);
	g_injections++;
	vm_free(src, 3 * AK_PAGE);
	vm_free(dst, 3 * AK_PAGE);
}

/* BAD_COMPLETION: status 0x7fff, sq_head XOR 0x8000, next record fine. */
static void t_bad_completion(void)
{
	struct aks_cpl c;
	struct rq r;
	short ev;

	if (rq_open(&r))
		return;
	VM_REQUIRE(inject("bad_completion %u %u", r.info.queue_id, 0) == 0,
		   "inject");
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 7);
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 8);
	rq_ring(&r);
	VM_CHECK(rq_reap(&r, &c, &ev) == 0, "no record");
	CHECK_CPL(c, 7u, 0x7fffu, 1u ^ 0x8000u);
	VM_CHECK(rq_reap(&r, &c, &ev) == 0, "no second record");
	CHECK_CPL(c, 8u, AKS_ST_SUCCESS, 2u);
	rq_close(&r);
	g_injections++;
}

/* DROP_IRQ: poll() still returns (watchdog), lost_irqs counts it once. */
static void t_drop_irq(void)
{
	long lost = vm_pci_attr_long("lost_irqs");
	struct pollfd p;
	struct aks_cpl c;
	struct rq r;
	int n;

	VM_REQUIRE(lost >= 0, "no %s/lost_irqs", g_pci_path);
	if (rq_open(&r))
		return;
	VM_REQUIRE(inject("drop_irq %u %u", r.info.queue_id, 0) == 0,
		   "inject");
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 9);
	rq_ring(&r);
	p = (struct pollfd){ .fd = r.fd, .events = POLLIN };
	n = poll(&p, 1, WAIT_MS);
	VM_CHECK(n == 1 && (p.revents & POLLIN),
		 "poll after a lost interrupt: %d revents 0x%x (hangs?)", n,
		 p.revents);
	VM_CHECK(rq_ready(&r), "poll returned, no record");
	if (rq_ready(&r)) {
		rq_take(&r, &c);
		CHECK_CPL(c, 9u, AKS_ST_SUCCESS, 1u);
	}
	VM_CHECK(wait_attr("lost_irqs", 0, lost + 1) == lost + 1,
		 "lost_irqs %ld, want %ld", vm_pci_attr_long("lost_irqs"),
		 lost + 1);
	/* and the next interrupt comes again */
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 10);
	rq_ring(&r);
	p = (struct pollfd){ .fd = r.fd, .events = POLLIN };
	VM_CHECK(poll(&p, 1, WAIT_MS) == 1 && rq_ready(&r), "next job");
	rq_close(&r);
	VM_CHECK(vm_pci_attr_long("lost_irqs") == lost + 1,
		 "lost_irqs %ld after a normal job, want %ld",
		 vm_pci_attr_long("lost_irqs"), lost + 1);
	g_injections++;
}

/*
 * After a queue failure: the records of the jobs from @first_tag on, all
 * ABORTED in order, then nothing; POLLERR; ioctls -EIO but QUEUE_INFO.
 */
static void check_failed(struct rq *r, uint64_t first_tag, int n)
{
	struct accelkit_queue_info info;
	struct pollfd p;
	struct aks_cpl c;
	short ev;
	int i;

	for (i = 0; i < n; i++) {
		uint32_t head = (r->head + 1) % r->info.depth;

		if (rq_reap(r, &c, &ev)) {
			VM_CHECK(0, "ABORTED record %d of %d missing", i, n);
			g_lost += n - i;
			break;
		}
		CHECK_CPL(c, first_tag + i, AKS_ST_ABORTED, head);
	}
	p = (struct pollfd){ .fd = r->fd, .events = POLLIN };
	VM_CHECK(poll(&p, 1, WAIT_MS) == 1 && (p.revents & POLLERR),
		 "poll of a failed queue: revents 0x%x, want POLLERR",
		 p.revents);
	if (rq_ready(r)) {
		VM_CHECK(0, "a record after the ABORTED ones");
		g_dup++;
	}
	VM_CHECK(ioctl(r->fd, UACCE_CMD_START_Q) < 0 && errno == EIO,
		 "START_Q on a failed queue: %s, want EIO", strerror(errno));
	VM_CHECK(ioctl(r->fd, ACCELKIT_CMD_QUEUE_INFO, &info) == 0,
		 "QUEUE_INFO on a failed queue: %s", strerror(errno));
}

/* A new open works: a COPY byte-exact. */
static void check_new_open(const char *when)
{
	uint8_t *src = vm_alloc(AK_PAGE), *dst = vm_alloc(AK_PAGE);
	struct aks_cpl c;
	struct rq r;
	short ev;

	VM_REQUIRE(src && dst, "alloc");
	vm_fill_random(src, AK_PAGE, 3);
	if (rq_open(&r) == 0) {
		rq_put(&r, AKS_OP_COPY, src, dst, AK_PAGE, 1);
		rq_ring(&r);
		VM_CHECK(rq_reap(&r, &c, &ev) == 0 &&
			 c.status == AKS_ST_SUCCESS && !memcmp(src, dst, AK_PAGE),
			 "COPY on a new queue %s", when);
		rq_close(&r);
	}
	vm_free(src, AK_PAGE);
	vm_free(dst, AK_PAGE);
}

/* STALL: the watchdog fails the queue, ABORTED records, POLLERR, EIO. */
static void t_stall(void)
{
	long errs = vm_attr_long("hw_errors");
	long resets = vm_pci_attr_long("queue_resets");
	struct aks_cpl c;
	struct rq r;
	short ev;
	int i;

	VM_REQUIRE(errs >= 0 && resets >= 0, "no counters");
	if (rq_open(&r))
		return;
	VM_REQUIRE(inject("stall %u %u", r.info.queue_id, 1) == 0, "inject");
	for (i = 0; i < 4; i++)
		rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 300 + i);
	rq_ring(&r);
	VM_CHECK(rq_reap(&r, &c, &ev) == 0, "first job: no record");
	CHECK_CPL(c, 300u, AKS_ST_SUCCESS, 1u);
	check_failed(&r, 301, 3);
	VM_CHECK(vm_pci_attr_long("queue_resets") == resets + 1,
		 "queue_resets %ld, want %ld", vm_pci_attr_long("queue_resets"),
		 resets + 1);
	VM_CHECK(vm_attr_long("hw_errors") == errs + 1, "hw_errors %ld, want %ld",
		 vm_attr_long("hw_errors"), errs + 1);
	/* doorbells of the failed queue are ignored */
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 400);
	rq_ring(&r);
	usleep(100000);
	VM_CHECK(!rq_ready(&r), "a failed queue completed a job");
	rq_close(&r);
	check_new_open("after a queue failure");
	g_injections++;
}

/*
 * A failed queue whose CQ user space did not consume: the driver writes
 * only as many ABORTED records as the CQ has free slots (it never
 * overwrites a record user space has not read).
 */
static void t_cq_room(void)
{
	uint32_t depth, done, room, i;
	struct pollfd p;
	struct rq r;
	int ok = 1;

	if (rq_open(&r))
		return;
	depth = r.info.depth;
	done = depth - depth / 64 - 2;	/* completed, never consumed */
	room = depth - 1 - done;	/* free CQ slots after them */
	VM_REQUIRE(inject("stall %u %u", r.info.queue_id, done) == 0,
		   "inject");
	/* at most depth - 1 outstanding: the completed ones first */
	for (i = 0; i < done + room + 4; i++) {
		rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 1000 + i);
		r.sq[(r.tail + depth - 1) % depth].flags = 0;	/* no IRQ */
		if (i + 1 == done) {
			uint64_t end = vm_now_ms() + WAIT_MS;

			rq_ring(&r);
			while (!(r.cq[done - 1].flags & AKS_CF_PHASE) &&
			       vm_now_ms() < end)
				usleep(1000);
		}
	}
	rq_ring(&r);
	/* wait for the failure without consuming anything */
	p = (struct pollfd){ .fd = r.fd, .events = POLLIN };
	for (i = 0; i < WAIT_MS / 50; i++) {
		/* POLLIN is set all along: the records are not consumed */
		p.revents = 0;
		if (poll(&p, 1, 50) == 1 && (p.revents & POLLERR))
			break;
		usleep(50000);
	}
	VM_CHECK(p.revents & POLLERR, "queue not failed: revents 0x%x",
		 p.revents);
	for (i = 0; i < done + room; i++) {
		volatile struct aks_cpl *c = &r.cq[i];
		uint16_t want = i < done ? AKS_ST_SUCCESS : AKS_ST_ABORTED;

		if (!(c->flags & AKS_CF_PHASE) || c->tag != 1000 + i ||
		    c->status != want) {
			VM_CHECK(0, "slot %u: phase %u tag %llu status %u, want tag %u status %u",
				 i, c->flags & AKS_CF_PHASE,
				 (unsigned long long)c->tag, c->status,
				 1000 + i, want);
			ok = 0;
			g_lost++;
			break;
		}
	}
	/* the last free slot stays free: the CQ is full, not overwritten */
	VM_CHECK(!(r.cq[depth - 1].flags & AKS_CF_PHASE) &&
		 r.cq[0].tag == 1000, "a record beyond the CQ's room");
	VM_CHECK(ok, "records of a failed queue with a full CQ");
	rq_close(&r);
	g_injections++;
}

/* Child: a queue failed under it, it exits without closing it. */
static int exit_failed_child(void *arg)
{
	struct pollfd p;
	struct rq r;

	(void)arg;
	if (rq_open(&r) ||
	    inject("stall %u %u", r.info.queue_id, 0))
		return 2;
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 1);
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 2);
	rq_ring(&r);
	p = (struct pollfd){ .fd = r.fd, .events = POLLIN };
	if (poll(&p, 1, WAIT_MS) != 1 || !(p.revents & POLLERR))
		return 3;
	return 0;	/* exit with the failed queue open and mapped */
}

/* exit() with a failed queue: fine, the hardware queue comes back. */
static void t_exit_failed(void)
{
	char buf[64];
	int st, to = 0;

	st = vm_run_child(exit_failed_child, NULL, 2 * WAIT_MS, &to);
	VM_CHECK(!to && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "child with a failed queue: %s",
		 vm_wstatus_str(st, buf, sizeof(buf)));
	vm_check_instances_back();
	check_new_open("after an exit with a failed queue");
	g_injections++;
}

/* PRQ overflow: the job that faults still completes, byte-exact. */
static void t_prq_overflow(void)
{
	size_t len = 16 * AK_PAGE;
	long errs = vm_attr_long("hw_errors");
	uint8_t *src = vm_alloc(len), *dst = vm_fresh(len);
	struct aks_cpl c;
	struct rq r;
	short ev;

	VM_REQUIRE(src && dst && errs >= 0, "setup");
	vm_fill_random(src, len, 5);
	if (rq_open(&r) == 0) {
		VM_REQUIRE(inject("prq_overflow", 0, 0) == 0, "inject");
		rq_put(&r, AKS_OP_COPY, src, dst, len, 55);
		rq_ring(&r);
		VM_CHECK(rq_reap(&r, &c, &ev) == 0, "no record");
		CHECK_CPL(c, 55u, AKS_ST_SUCCESS, 1u);
		VM_CHECK(vm_first_diff(src, dst, len) < 0,
			 "dst differs at %ld", vm_first_diff(src, dst, len));
		/* the overflow was signalled (ERR_STATUS), and counted */
		VM_CHECK(wait_attr("hw_errors", 1, errs + 1) == errs + 1,
			 "hw_errors %ld, want %ld", vm_attr_long("hw_errors"),
			 errs + 1);
		rq_close(&r);
		g_injections++;
	}
	vm_free(src, len);
	munmap(dst, len);
}

/*
 * An unanswered invalidation: the device is reset, the queue's stuck
 * jobs are ABORTED, the device is not broken, a new open works.
 */
static void t_device_reset(void)
{
	long resets = vm_pci_attr_long("device_resets");
	long timeouts = vm_pci_attr_long("timeouts");
	int msgs = vm_klog_count(RESET_MSG);
	uint8_t *page = vm_alloc(AK_PAGE);
	struct aks_cpl c;
	struct rq r;
	short ev;

	VM_REQUIRE(resets >= 0 && timeouts >= 0 && msgs >= 0 && page, "setup");
	/* the stalled jobs must wait for the reset, not the watchdog */
	VM_REQUIRE(set_hang_ms("600000") == 0, "hang_ms");
	if (rq_open(&r))
		goto out;
	VM_REQUIRE(inject("stall %u %u", r.info.queue_id, 1) == 0, "inject");
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 500);
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 501);
	rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 502);
	rq_ring(&r);
	VM_CHECK(rq_reap(&r, &c, &ev) == 0, "first job: no record");
	CHECK_CPL(c, 500u, AKS_ST_SUCCESS, 1u);
	VM_REQUIRE(inject("ignore_invalidations", 0, 0) == 0, "inject");
	/* munmap with a bound queue: the invalidation times out, returns */
	VM_CHECK(munmap(page, AK_PAGE) == 0, "munmap: %s", strerror(errno));
	page = NULL;
	VM_CHECK(wait_attr("device_resets", 0, resets + 1) == resets + 1,
		 "device_resets %ld, want %ld",
		 vm_pci_attr_long("device_resets"), resets + 1);
	check_failed(&r, 501, 2);
	rq_close(&r);
	VM_CHECK(vm_pci_attr_long("broken") == 0, "broken after the reset");
	VM_CHECK(vm_pci_attr_long("timeouts") == timeouts + 1,
		 "timeouts %ld, want %ld", vm_pci_attr_long("timeouts"),
		 timeouts + 1);
	VM_CHECK(vm_klog_count(RESET_MSG) == msgs + 1,
		 "%d \"%s\" lines, want 1", vm_klog_count(RESET_MSG) - msgs,
		 RESET_MSG);
	check_new_open("after a device reset");
	g_injections += 2;
out:
	set_hang_ms(SUITE_HANG_MS);
	if (page)
		vm_free(page, AK_PAGE);
}

/* isolate_strategy=1: the second error isolates; open -> EIO. */
static void t_isolate(void)
{
	char path[PATH_MAX];
	struct aks_cpl c;
	struct rq r;
	short ev;
	int i, fd;

	/* a clean error record (earlier tests counted errors) */
	VM_REQUIRE(rebind() == 0, "rebind");
	VM_REQUIRE(vm_attr_long("hw_errors") == 0 && vm_attr_long("isolate") == 0,
		   "after the rebind: hw_errors %ld isolate %ld",
		   vm_attr_long("hw_errors"), vm_attr_long("isolate"));
	snprintf(path, sizeof(path), "%s/isolate_strategy", g_sysdir);
	VM_REQUIRE(vm_write_file(path, "1") == 0, "isolate_strategy 1");
	if (rq_open(&r))
		goto out;
	for (i = 0; i < 2; i++) {
		VM_CHECK(inject("engine_error %u %u", r.info.queue_id, 0) == 0,
			 "inject");
		rq_put(&r, AKS_OP_NOP, NULL, NULL, 0, 600 + i);
		rq_ring(&r);
		VM_CHECK(rq_reap(&r, &c, &ev) == 0 &&
			 c.status == AKS_ST_HW_ERROR, "engine error %d", i);
		VM_CHECK(wait_attr("hw_errors", 1, i + 1) == i + 1,
			 "hw_errors %ld, want %d", vm_attr_long("hw_errors"),
			 i + 1);
		VM_CHECK(vm_attr_long("isolate") == i,
			 "isolate %ld after %d errors (strategy 1)",
			 vm_attr_long("isolate"), i + 1);
	}
	fd = open(g_node, O_RDWR | O_CLOEXEC);
	VM_CHECK(fd < 0 && errno == EIO, "open of an isolated device: %s",
		 fd < 0 ? strerror(errno) : "it opened");
	if (fd >= 0)
		close(fd);
	rq_close(&r);
	g_injections += 2;
out:
	VM_CHECK(rebind() == 0, "rebind after the isolation");
	vm_resolve_pci();
	check_new_open("after the rebind");
}

static const struct ak_test inj_tests[] = {
	{ "engine_error: HW_ERROR for that job only, hw_errors +1, queue goes on",
	  t_engine_error },
	{ "bad_completion: status 0x7fff, sq_head ^ 0x8000, then normal",
	  t_bad_completion },
	{ "drop_irq: poll returns (watchdog), lost_irqs +1 exactly",
	  t_drop_irq },
	{ "stall: queue failed, ABORTED in order, POLLERR, EIO, new open works",
	  t_stall },
	{ "stall with an unconsumed CQ: ABORTED only into the CQ's free slots",
	  t_cq_room },
	{ "stall, then exit without close: exit fine, instances back",
	  t_exit_failed },
	{ "prq_overflow: the faulting job completes byte-exact, nothing lost",
	  t_prq_overflow },
	{ "ignore_invalidations: device reset, ABORTED, not broken, new open works",
	  t_device_reset },
	{ "isolate_strategy=1: isolated at the second engine error (open EIO)",
	  t_isolate },
	{ NULL, NULL },
};

int add_inject_suites(void)
{
	return ak_add_suite("inject", inj_init, inj_clean, inj_tests);
}
