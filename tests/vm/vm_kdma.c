// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite "kdma": kernel-owned queues in DMA mode (issue 12, device 2.5,
 * docs/device.md "Queue modes"), without the crypto API.
 *
 * The sample driver's debugfs file <bdf>/kdma (root only) claims a kernel
 * queue on open (accelkit_kqueue_claim), runs COPY, SHA-256 and
 * deflate/inflate jobs with DMA-API-mapped kernel buffers on write, and
 * compares the results in the kernel. The suite checks those results, the
 * counters (dma_jobs, kernel_queues_in_use; no page walk for DMA-mode
 * jobs), the reservation seen from user space, and that nothing of DMA
 * mode reaches a user queue: the doorbell page has no Q_MODE, a
 * descriptor with reserved bits set is INVALID_DESC, and a user queue
 * on a hardware index a kernel queue had just before still translates
 * through its PASID (a physical address used as a VA faults, never
 * giving the page's bytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <accelkit/sample_hw.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"

#define OFF_MMIO ((off_t)UACCE_QFRT_MMIO * (off_t)AK_PAGE)
#define OFF_DUS  ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)
#define KDMA_BAD_ADDR 0x0008000000000000ull	/* kdma.c AKS_KDMA_BAD_ADDR */
#define KD_MAX_FDS 256
#define KD_MAGIC 0x6b646d61u			/* "kdma" */

static char g_kdma[PATH_MAX];
static char g_kq_saved[32];

/* A report line of the kdma file. */
struct kd_rep {
	unsigned int queue, mode, status;
	unsigned long long len, bytes, fault;
	char op[16], match;
};

static int kd_report(int fd, struct kd_rep *r)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int f;

	memset(r, 0, sizeof(*r));
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	f = sscanf(buf, "queue %u mode %u op %15s len %llu status %u bytes %llu fault %llx match %c",
		   &r->queue, &r->mode, r->op, &r->len, &r->status, &r->bytes,
		   &r->fault, &r->match);
	return f;
}

/* One command; 0 with the report in @r, else -errno of the write. */
static int kd_cmd(int fd, const char *cmd, struct kd_rep *r)
{
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -errno;
	return kd_report(fd, r) == 8 ? 0 : -EPROTO;
}

static long kd_attr(const char *attr)
{
	return vm_attr_long(attr);
}

static int kd_set_kq(const char *val)
{
	char path[PATH_MAX];

	vm_fmt(path, sizeof(path), "%s/kernel_queues", g_sysdir);
	return vm_write_file(path, val);
}

static int kd_init(void)
{
	struct stat st;

	if (vm_discover() < 0 || vm_resolve_pci())
		return -1;
	if (stat("/sys/kernel/debug/accelkit_sample", &st) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		return -1;
	vm_fmt(g_kdma, sizeof(g_kdma), "/sys/kernel/debug/accelkit_sample/%s/kdma",
	       g_bdf);
	if (stat(g_kdma, &st))
		return -1;
	g_kq_saved[0] = '\0';
	return 0;
}

static int kd_clean(void)
{
	if (g_kq_saved[0])
		kd_set_kq(g_kq_saved);
	return 0;
}

/*
 * The proof: every job byte-exact (compared in the kernel), the queue in
 * DMA mode, counted in kernel_queues_in_use while open, STAT_DMA_JOBS
 * moving by exactly the jobs run, and no page walk or page request.
 */
static void t_kdma_jobs(void)
{
	static const struct { const char *cmd; int jobs; } cmds[] = {
		{ "copy 1", 1 }, { "copy 4096", 1 }, { "copy 131072", 1 },
		{ "copy 70001", 1 }, { "hash 1", 1 }, { "hash 65537", 1 },
		{ "hash 131072", 1 }, { "deflate 1", 2 },
		{ "deflate 100000", 2 }, { "deflate 131072", 2 },
	};
	long in_use0 = kd_attr("kernel_queues_in_use");
	long jobs0 = vm_pci_attr_long("dma_jobs");
	long walks0 = vm_pci_attr_long("page_walks");
	long prqs0 = vm_pci_attr_long("page_requests");
	long jobs = 0;
	struct kd_rep r;
	size_t i;
	int fd, ret;

	VM_REQUIRE(in_use0 >= 0 && jobs0 >= 0 && walks0 >= 0 && prqs0 >= 0,
		   "attributes: in_use %ld dma_jobs %ld page_walks %ld page_requests %ld",
		   in_use0, jobs0, walks0, prqs0);
	fd = open(g_kdma, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(fd >= 0, "open %s: %s", g_kdma, strerror(errno));
	VM_CHECK(kd_attr("kernel_queues_in_use") == in_use0 + 1,
		 "kernel_queues_in_use %ld with the kdma file open, want %ld",
		 kd_attr("kernel_queues_in_use"), in_use0 + 1);
	VM_CHECK(kd_report(fd, &r) == 2 && r.mode == 1,
		 "report before a command: queue %u mode %u (want mode 1)",
		 r.queue, r.mode);

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ret = kd_cmd(fd, cmds[i].cmd, &r);
		VM_CHECK(ret == 0 && r.status == AKS_ST_SUCCESS &&
			 r.match == 'Y' && r.mode == 1,
			 "%s: ret %d status %u bytes %llu match %c mode %u",
			 cmds[i].cmd, ret, r.status, r.bytes, r.match, r.mode);
		if (!ret)
			jobs += cmds[i].jobs;
	}
	/* A bus address that is no RAM: DMA_ERROR with it, dst untouched. */
	ret = kd_cmd(fd, "bad", &r);
	VM_CHECK(ret == 0 && r.status == AKS_ST_DMA_ERROR &&
		 r.fault == KDMA_BAD_ADDR && r.match == 'Y',
		 "bad: ret %d status %u fault %#llx match %c", ret, r.status,
		 r.fault, r.match);
	jobs += !ret;
	/* Malformed commands change nothing. */
	VM_CHECK(write(fd, "copy 0", 6) < 0 && errno == EINVAL, "copy 0");
	VM_CHECK(write(fd, "copy 999999", 11) < 0 && errno == EINVAL,
		 "copy over the maximum");
	VM_CHECK(write(fd, "nop 1", 5) < 0 && errno == EINVAL, "unknown op");

	VM_CHECK(vm_pci_attr_long("dma_jobs") == jobs0 + jobs,
		 "dma_jobs %ld, want %ld + %ld", vm_pci_attr_long("dma_jobs"),
		 jobs0, jobs);
	VM_CHECK(vm_pci_attr_long("page_walks") == walks0 &&
		 vm_pci_attr_long("page_requests") == prqs0,
		 "DMA-mode jobs walked (%ld -> %ld) or requested pages (%ld -> %ld)",
		 walks0, vm_pci_attr_long("page_walks"), prqs0,
		 vm_pci_attr_long("page_requests"));
	VM_CHECK(close(fd) == 0, "close: %s", strerror(errno));
	VM_CHECK(kd_attr("kernel_queues_in_use") == in_use0,
		 "kernel_queues_in_use %ld after close, want %ld",
		 kd_attr("kernel_queues_in_use"), in_use0);
}

/* Open queue files until EBUSY; their hardware indices into @ids. */
static int kd_open_all(int *fds, unsigned int *ids, int max)
{
	struct accelkit_queue_info info;
	int n = 0;

	while (n < max) {
		int fd = open(g_node, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			break;
		if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &info) < 0) {
			VM_FAIL("QUEUE_INFO: %s", strerror(errno));
			close(fd);
			break;
		}
		fds[n] = fd;
		ids[n++] = info.queue_id;
	}
	return n;
}

static void kd_close_all(int *fds, int n)
{
	while (n--)
		close(fds[n]);
}

/*
 * The reservation as user space sees it: with kernel_queues 0 a claim is
 * refused (EBUSY) and users open every queue; with 1, the claimed queue
 * is the one users lose (one fewer than with 0), a second claim is
 * refused, and no user queue gets the kernel queue's index.
 */
static void t_kdma_share(void)
{
	static int fds[KD_MAX_FDS];
	static unsigned int ids[KD_MAX_FDS];
	long avail0, avail1;
	struct kd_rep r;
	char path[PATH_MAX];
	int fd, fd2, n, i;

	vm_fmt(path, sizeof(path), "%s/kernel_queues", g_sysdir);
	VM_REQUIRE(vm_read_file(path, g_kq_saved, sizeof(g_kq_saved)) > 0,
		   "%s unreadable", path);
	VM_REQUIRE(kd_attr("kernel_queues_in_use") == 0,
		   "a kernel queue is in use already");
	VM_REQUIRE(kd_set_kq("0") == 0, "kernel_queues = 0");
	avail0 = vm_avail();
	fd = open(g_kdma, O_RDWR | O_CLOEXEC);
	VM_CHECK(fd < 0 && errno == EBUSY,
		 "claim with kernel_queues 0: fd %d (%s), want EBUSY", fd,
		 fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);

	VM_REQUIRE(kd_set_kq("1") == 0, "kernel_queues = 1");
	avail1 = vm_avail();
	VM_CHECK(avail1 == avail0 - 1,
		 "available_instances %ld with one queue reserved, %ld without",
		 avail1, avail0);
	fd = open(g_kdma, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(fd >= 0, "claim: %s", strerror(errno));
	VM_CHECK(kd_attr("kernel_queues_in_use") == 1, "in use %ld",
		 kd_attr("kernel_queues_in_use"));
	VM_CHECK(vm_avail() == avail1, "available_instances %ld, want %ld",
		 vm_avail(), avail1);
	fd2 = open(g_kdma, O_RDWR | O_CLOEXEC);
	VM_CHECK(fd2 < 0 && errno == EBUSY, "second claim: want EBUSY");
	if (fd2 >= 0)
		close(fd2);
	VM_CHECK(kd_report(fd, &r) == 2 && r.mode == 1, "mode %u", r.mode);

	n = kd_open_all(fds, ids, KD_MAX_FDS);
	VM_CHECK(n == avail0 - 1,
		 "user opens with a kernel queue claimed: %d, want %ld (one fewer than %ld)",
		 n, avail0 - 1, avail0);
	for (i = 0; i < n; i++)
		VM_CHECK(ids[i] != r.queue,
			 "a user queue got the kernel queue's index %u", r.queue);
	/* The kernel queue still works with every user queue open. */
	i = kd_cmd(fd, "copy 65536", &r);
	VM_CHECK(i == 0 && r.status == 0 && r.match == 'Y',
		 "copy with the device full: %d status %u match %c", i,
		 r.status, r.match);
	kd_close_all(fds, n);
	VM_CHECK(close(fd) == 0, "close");
	VM_CHECK(kd_attr("kernel_queues_in_use") == 0, "in use after close");
	VM_CHECK(kd_set_kq(g_kq_saved) == 0, "restore kernel_queues");
}

/* A raw user queue: rings and doorbell mapped, started. */
struct kd_rq {
	int fd;
	struct accelkit_queue_info info;
	volatile uint32_t *db;
	uint8_t *dus;
	uint32_t tail, head;
	uint16_t phase;
};

static int kd_rq_map(struct kd_rq *q)
{
	void *p;

	q->phase = AKS_CF_PHASE;
	if (ioctl(q->fd, ACCELKIT_CMD_QUEUE_INFO, &q->info) < 0)
		return -1;
	p = mmap(NULL, q->info.mmio_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 q->fd, OFF_MMIO);
	if (p == MAP_FAILED)
		return -1;
	q->db = p;
	p = mmap(NULL, q->info.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 q->fd, OFF_DUS);
	if (p == MAP_FAILED)
		return -1;
	q->dus = p;
	return ioctl(q->fd, UACCE_CMD_START_Q);
}

static void kd_rq_unmap(struct kd_rq *q)
{
	if (q->db)
		munmap((void *)q->db, q->info.mmio_size);
	if (q->dus)
		munmap(q->dus, q->info.dus_size);
	q->db = NULL;
	q->dus = NULL;
}

/* Run @d (tag set here) and wait for its record; 0 or -1 (timeout). */
static int kd_rq_run(struct kd_rq *q, struct aks_desc *d, struct aks_cpl *c)
{
	struct aks_desc *sq = (struct aks_desc *)(q->dus + q->info.sq_offset);
	volatile struct aks_cpl *cq =
		(volatile struct aks_cpl *)(q->dus + q->info.cq_offset);
	uint64_t end = vm_now_ms() + AK_JOB_TIMEOUT_MS;
	static uint64_t tag;

	d->tag = ++tag;
	sq[q->tail] = *d;
	q->tail = (q->tail + 1) % q->info.depth;
	__sync_synchronize();
	q->db[AKS_DB_SQ_TAIL / 4] = q->tail;
	while ((cq[q->head].flags & AKS_CF_PHASE) != q->phase) {
		if (vm_now_ms() > end)
			return -1;
		usleep(100);
	}
	__sync_synchronize();
	memcpy(c, (const void *)&cq[q->head], sizeof(*c));
	q->head = (q->head + 1) % q->info.depth;
	if (!q->head)
		q->phase ^= AKS_CF_PHASE;
	q->db[AKS_DB_CQ_HEAD / 4] = q->head;
	return c->tag == tag ? 0 : -1;
}

/* Physical address of the page at @p (root: PFNs are shown), or 0. */
static uint64_t kd_phys(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)p / AK_PAGE * 8) != sizeof(e))
		e = 0;
	close(fd);
	if (!(e >> 63) || !(e & ((1ull << 55) - 1)))
		return 0;
	return (e & ((1ull << 55) - 1)) * AK_PAGE;
}

/*
 * Nothing of DMA mode reaches a user queue. The kernel queue's hardware
 * index goes to a user queue after the release: Q_MODE was reset, so a
 * physical address used as src translates as a VA of this process (not
 * mapped: TRANSLATION_FAULT) and dst never gets the page's bytes. The
 * doorbell page ignores the offsets of Q_MODE and Q_INJECT; reserved
 * descriptor bits give INVALID_DESC.
 */
static void t_kdma_user_cannot(void)
{
	static int fds[KD_MAX_FDS];
	static unsigned int ids[KD_MAX_FDS];
	long jobs0, walks0;
	struct kd_rq q = { .fd = -1 };
	struct aks_desc d;
	struct aks_cpl c;
	struct kd_rep r;
	uint32_t *page = NULL;
	uint8_t *dst = NULL;
	uint64_t pa;
	void *probe;
	int fd, n, i, k;

	fd = open(g_kdma, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(fd >= 0, "claim: %s", strerror(errno));
	VM_CHECK(kd_cmd(fd, "copy 4096", &r) == 0 && r.match == 'Y' &&
		 r.mode == 1, "kernel copy first");
	close(fd);

	/* Open user queues until one has the kernel queue's index. */
	n = kd_open_all(fds, ids, KD_MAX_FDS);
	for (k = 0; k < n && ids[k] != r.queue; k++)
		;
	VM_REQUIRE(k < n, "no user queue got index %u (%d opened)", r.queue,
		   n);
	q.fd = fds[k];
	VM_REQUIRE(kd_rq_map(&q) == 0, "raw queue: %s", strerror(errno));

	/* The doorbell page: Q_MODE's and Q_INJECT's offsets are nothing. */
	q.db[0x34 / 4] = 1;
	q.db[0x38 / 4] = 2;
	VM_CHECK(q.db[0x34 / 4] == 0 && q.db[0x38 / 4] == 0 &&
		 q.db[0x18 / 4] == 0,
		 "doorbell page offsets 0x34/0x38/0x18 read %u/%u/%u", q.db[0x34 / 4],
		 q.db[0x38 / 4], q.db[0x18 / 4]);

	/* A page of ours with a magic, and its physical address. */
	page = (uint32_t *)vm_alloc(AK_PAGE);
	dst = vm_alloc(AK_PAGE);
	VM_REQUIRE(page && dst, "alloc");
	for (i = 0; i < (int)(AK_PAGE / 4); i++)
		page[i] = KD_MAGIC;
	mlock(page, AK_PAGE);
	pa = kd_phys(page);
	VM_REQUIRE(pa, "no physical address from /proc/self/pagemap");
	/* Nothing of ours lives at that VA (the probe maps it, or fails). */
	probe = mmap((void *)(uintptr_t)pa, AK_PAGE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	VM_REQUIRE(probe == (void *)(uintptr_t)pa,
		   "VA %#llx is in use in this process",
		   (unsigned long long)pa);
	munmap(probe, AK_PAGE);

	jobs0 = vm_pci_attr_long("dma_jobs");
	walks0 = vm_pci_attr_long("page_walks");
	memset(dst, 0, AK_PAGE);
	memset(&d, 0, sizeof(d));
	d.opcode = AKS_OP_COPY;
	d.src = pa;
	d.dst = (uintptr_t)dst;
	d.len = AK_PAGE;
	VM_CHECK(kd_rq_run(&q, &d, &c) == 0, "COPY from a physical address: no record");
	VM_CHECK(c.status == AKS_ST_XLATE_FAULT && c.fault_addr == pa &&
		 c.bytes == 0,
		 "COPY src = physical address %#llx: status %u fault %#llx bytes %llu, want a translation fault",
		 (unsigned long long)pa, c.status,
		 (unsigned long long)c.fault_addr,
		 (unsigned long long)c.bytes);
	VM_CHECK(vm_first_not(dst, 0, AK_PAGE) < 0, "dst was written");
	VM_CHECK(vm_pci_attr_long("page_walks") > walks0,
		 "the user job did not walk");

	/* The same COPY from the VA works: the queue is a normal one. */
	memset(&d, 0, sizeof(d));
	d.opcode = AKS_OP_COPY;
	d.src = (uintptr_t)page;
	d.dst = (uintptr_t)dst;
	d.len = AK_PAGE;
	VM_CHECK(kd_rq_run(&q, &d, &c) == 0 && c.status == AKS_ST_SUCCESS &&
		 vm_first_diff(dst, page, AK_PAGE) < 0,
		 "COPY from the VA: status %u", c.status);

	/* Reserved descriptor bits: INVALID_DESC, nothing written. */
	for (i = 0; i < 5; i++) {
		memset(dst, 0, AK_PAGE);
		memset(&d, 0, sizeof(d));
		d.opcode = AKS_OP_COPY;
		d.src = (uintptr_t)page;
		d.dst = (uintptr_t)dst;
		d.len = AK_PAGE;
		switch (i) {
		case 0:
			d.rsvd0 = 1;
			break;
		case 1:
			d.rsvd0 = 0x80000000u;
			break;
		case 2:
			d.rsvd1[0] = 1;
			break;
		case 3:
			d.rsvd1[1] = 1ull << 63;
			break;
		default:
			d.opcode = AKS_OP_HASH;	/* algorithm job: rsvd at 56 */
			d.flags = AKS_DF_FIRST | AKS_DF_LAST;
			d.pattern = 32;
			d.rsvd1[1] = 1;
			break;
		}
		VM_CHECK(kd_rq_run(&q, &d, &c) == 0 &&
			 c.status == AKS_ST_INVALID_DESC &&
			 vm_first_not(dst, 0, AK_PAGE) < 0,
			 "reserved bits case %d: status %u", i, c.status);
	}
	VM_CHECK(vm_pci_attr_long("dma_jobs") == jobs0,
		 "user jobs counted as DMA-mode jobs: %ld -> %ld", jobs0,
		 vm_pci_attr_long("dma_jobs"));

	kd_rq_unmap(&q);
	kd_close_all(fds, n);
	munlock(page, AK_PAGE);
	vm_free(page, AK_PAGE);
	vm_free(dst, AK_PAGE);
	vm_check_instances_back();
}

static const struct ak_test kd_tests[] = {
	{ "kdma: DMA-mode COPY/SHA-256/deflate byte-exact, DMA_ERROR, dma_jobs, no walks",
	  t_kdma_jobs },
	{ "kdma: the reservation: claim EBUSY at 0, users get one fewer, ids disjoint",
	  t_kdma_share },
	{ "kdma: user queue after a kernel queue translates, no Q_MODE, reserved bits",
	  t_kdma_user_cannot },
	{ NULL, NULL },
};

int add_kdma_suites(void)
{
	return ak_add_suite("kdma", kd_init, kd_clean, kd_tests);
}
