// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Translation faults (unmapped, kernel-half, non-canonical, read-only)
 * and invalid descriptors. Every failing job must complete with the
 * documented status and write nothing. Pages that are merely not present
 * yet (never touched, zero page, copy-on-write) are resolved through page
 * requests and succeed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <accelkit/sample_hw.h>

#include "vm_common.h"

#define CANARY 0x3C

static struct ak_queue *fq;
static uint64_t max_xfer;

static int fq_init(void)
{
	struct ak_queue_info info;

	if (vm_suite_queue_open(&fq, NULL, &info))
		return -1;
	max_xfer = info.max_xfer;
	return 0;
}

static int fq_clean(void)
{
	return vm_suite_queue_close(&fq);
}

/* True if no page of [p, p+len) is mapped (mincore fails with ENOMEM). */
static int is_unmapped(const void *p, size_t len)
{
	unsigned char vec[64];
	size_t off;

	for (off = 0; off < len; off += AK_PAGE)
		if (mincore((void *)((uintptr_t)p + off), AK_PAGE, vec) == 0 ||
		    errno != ENOMEM)
			return 0;
	return 1;
}

/*
 * A region that was mapped and is no longer. Create it after every other
 * mapping a test needs: a later mmap() could reuse the hole.
 */
static uint8_t *unmapped_region(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 1, len);
	munmap(p, len);
	if (!is_unmapped(p, len)) {
		VM_FAIL("region %p still mapped after munmap", p);
		return NULL;
	}
	return p;
}

/* Anonymous mapping that is never THP-backed and never merged with a
 * neighbour (VM_NOHUGEPAGE), so untouched pages stay untouched. */
static uint8_t *small_map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/*
 * Run a job expected to fault; check status, errno, bytes and fault_addr
 * (== @want_fault when @exact, else within [lo, hi)).
 */
static void expect_fault(const char *what, const struct ak_job *j,
			 uint64_t lo, uint64_t hi, int exact)
{
	struct ak_result res;
	int r = vm_run(fq, j, &res);

	VM_CHECK(r == 0, "%s: no completion (%d)", what, r);
	if (r)
		return;
	VM_CHECK(res.status == AK_ST_XLATE_FAULT,
		 "%s: status %u (%s), want TRANSLATION_FAULT", what,
		 res.status, ak_status_str(res.status));
	VM_CHECK(res.err == -EFAULT, "%s: err %d, want -EFAULT", what, res.err);
	VM_CHECK(res.bytes == 0, "%s: bytes %llu on fault", what,
		 (unsigned long long)res.bytes);
	VM_CHECK(res.tag == j->tag, "%s: tag", what);
	if (exact)
		VM_CHECK(res.fault_addr == lo,
			 "%s: fault_addr 0x%llx, want 0x%llx", what,
			 (unsigned long long)res.fault_addr,
			 (unsigned long long)lo);
	else
		VM_CHECK(res.fault_addr >= lo && res.fault_addr < hi,
			 "%s: fault_addr 0x%llx not in [0x%llx, 0x%llx)", what,
			 (unsigned long long)res.fault_addr,
			 (unsigned long long)lo, (unsigned long long)hi);
}

static struct ak_job mkjob(uint16_t op, const void *src, void *dst,
			   uint64_t len, uint64_t tag)
{
	return vm_job(op, src, dst, len, 0x1122334455667788ull, tag);
}

/* The queue still works after a failed job. */
static void check_queue_alive(void)
{
	uint8_t a[777], b[777];
	int r;

	vm_fill_random(a, sizeof(a), 5);
	memset(b, 0, sizeof(b));
	r = ak_copy(fq, b, a, sizeof(a));
	VM_CHECK(r == 0 && !memcmp(a, b, sizeof(a)),
		 "COPY after faults: %d", r);
}

static void t_unmapped_src(void)
{
	uint8_t *dst = vm_alloc(3 * AK_PAGE);
	uint8_t *half = small_map(2 * AK_PAGE, PROT_READ | PROT_WRITE);
	uint8_t *gone = unmapped_region(2 * AK_PAGE);
	struct ak_job j;

	VM_REQUIRE(fq && gone && dst && half, "setup");
	memset(dst, CANARY, 3 * AK_PAGE);

	j = mkjob(AK_OP_COPY, gone, dst + 10, 100, 1);
	expect_fault("COPY from unmapped src", &j, (uintptr_t)gone, 0, 1);
	j = mkjob(AK_OP_COPY, gone + 123, dst + 10, 2 * AK_PAGE - 200, 2);
	expect_fault("COPY from unmapped src+123", &j, (uintptr_t)gone,
		     (uintptr_t)gone + 2 * AK_PAGE, 0);
	VM_CHECK(vm_first_not(dst, CANARY, 3 * AK_PAGE) < 0,
		 "dst written by faulting COPY");

	/* src: first page mapped and readable, second page unmapped */
	memset(half, 0x77, 2 * AK_PAGE);
	munmap(half + AK_PAGE, AK_PAGE);
	VM_CHECK(is_unmapped(half + AK_PAGE, AK_PAGE), "page still mapped");
	/* stays inside half's two pages (a longer src could overlap dst,
	 * which the device reports as INVALID_DESC) */
	j = mkjob(AK_OP_COPY, half + 100, dst + 1, AK_PAGE + 50, 3);
	expect_fault("COPY, src's second page unmapped", &j,
		     (uintptr_t)half + AK_PAGE, 0, 1);
	VM_CHECK(vm_first_not(dst, CANARY, 3 * AK_PAGE) < 0,
		 "dst written although src faulted on its second page");
	munmap(half, AK_PAGE);
	check_queue_alive();
	vm_free(dst, 3 * AK_PAGE);
}

static void t_unmapped_dst(void)
{
	uint8_t *src = vm_alloc(2 * AK_PAGE);
	uint8_t *half = small_map(2 * AK_PAGE, PROT_READ | PROT_WRITE);
	uint8_t *gone = unmapped_region(2 * AK_PAGE);
	struct ak_job j;

	VM_REQUIRE(fq && gone && src && half, "setup");
	vm_fill_random(src, 2 * AK_PAGE, 9);

	j = mkjob(AK_OP_COPY, src, gone, 4096, 4);
	expect_fault("COPY to unmapped dst", &j, (uintptr_t)gone, 0, 1);
	j = mkjob(AK_OP_FILL, NULL, gone, 64, 5);
	expect_fault("FILL to unmapped dst", &j, (uintptr_t)gone, 0, 1);

	/* dst: first page touched, second page unmapped: nothing written */
	memset(half, CANARY, 2 * AK_PAGE);
	munmap(half + AK_PAGE, AK_PAGE);
	VM_CHECK(is_unmapped(half + AK_PAGE, AK_PAGE), "page still mapped");
	j = mkjob(AK_OP_COPY, src, half + 5, AK_PAGE + 1, 6);
	expect_fault("COPY, dst's second page unmapped", &j,
		     (uintptr_t)half + AK_PAGE, 0, 1);
	VM_CHECK(vm_first_not(half, CANARY, AK_PAGE) < 0,
		 "mapped part of dst written by a faulting COPY");
	j = mkjob(AK_OP_FILL, NULL, half + 4000, 200, 7);
	expect_fault("FILL, dst's second page unmapped", &j,
		     (uintptr_t)half + AK_PAGE, 0, 1);
	VM_CHECK(vm_first_not(half, CANARY, AK_PAGE) < 0,
		 "mapped part of dst written by a faulting FILL");
	munmap(half, AK_PAGE);
	check_queue_alive();
	vm_free(src, 2 * AK_PAGE);
}

static const uint64_t kernel_addrs[] = {
	0xffffffff81000000ull,	/* kernel text */
	0xffff888000000000ull,	/* direct map (4-level) */
	0xff11000000000000ull,	/* direct map (5-level) */
};

static const uint64_t noncanon_addrs[] = {
	0x8000000000000000ull,
	0x0000800000000000ull,	/* non-canonical 4-level; unmapped 5-level */
	0x0080000000000000ull,	/* non-canonical 4-level; unmapped 5-level */
	0x7fff000000000000ull,
	0xfff0000000000000ull + 0x1000,
};

static void kernel_or_noncanon(const uint64_t *addrs, size_t n,
			       const char *kind)
{
	uint8_t *buf = vm_alloc(2 * AK_PAGE);
	char what[160];
	struct ak_job j;
	size_t i;

	VM_REQUIRE(fq && buf, "setup");
	memset(buf, CANARY, 2 * AK_PAGE);
	for (i = 0; i < n; i++) {
		void *a = (void *)(uintptr_t)addrs[i];

		snprintf(what, sizeof(what), "COPY from %s 0x%llx", kind,
			 (unsigned long long)addrs[i]);
		j = mkjob(AK_OP_COPY, a, buf + 3, 256, 100 + i);
		expect_fault(what, &j, addrs[i], 0, 1);
		VM_CHECK(vm_first_not(buf, CANARY, 2 * AK_PAGE) < 0,
			 "%s wrote dst", what);

		snprintf(what, sizeof(what), "COPY to %s 0x%llx", kind,
			 (unsigned long long)addrs[i]);
		j = mkjob(AK_OP_COPY, buf, a, 256, 200 + i);
		expect_fault(what, &j, addrs[i], 0, 1);

		snprintf(what, sizeof(what), "FILL of %s 0x%llx", kind,
			 (unsigned long long)addrs[i]);
		j = mkjob(AK_OP_FILL, NULL, a, 4096, 300 + i);
		expect_fault(what, &j, addrs[i], 0, 1);
	}
	check_queue_alive();
	vm_free(buf, 2 * AK_PAGE);
}

static void t_kernel_addr(void)
{
	kernel_or_noncanon(kernel_addrs,
			   sizeof(kernel_addrs) / sizeof(kernel_addrs[0]),
			   "kernel address");
}

static void t_noncanonical(void)
{
	kernel_or_noncanon(noncanon_addrs,
			   sizeof(noncanon_addrs) / sizeof(noncanon_addrs[0]),
			   "non-canonical/unmapped high address");
}

/* Crossing from the last user page into the non-canonical hole. */
static void t_cross_into_hole(void)
{
	/* 4-level user space ends at 0x7ffffffff000 (last page not mapped
	 * by the kernel either way): a job that starts there faults. */
	uint8_t *src = vm_alloc(AK_PAGE);
	uint64_t top = 0x00007ffffffff000ull;
	struct ak_job j;

	VM_REQUIRE(fq && src, "setup");
	j = mkjob(AK_OP_COPY, src, (void *)(uintptr_t)(top + 0xf00), 0x200,
		  400);
	expect_fault("COPY to top of user space crossing 0x800000000000", &j,
		     top, 0x0000800000000200ull, 0);
	vm_free(src, AK_PAGE);
}

static void t_readonly_dst(void)
{
	uint8_t *ro = small_map(2 * AK_PAGE, PROT_READ | PROT_WRITE);
	uint8_t *zro = small_map(AK_PAGE, PROT_READ);
	uint8_t *dst = vm_alloc(2 * AK_PAGE);
	volatile uint8_t sink = 0;
	struct ak_result res;
	struct ak_job j;
	int r;

	VM_REQUIRE(fq && ro && zro && dst, "setup");
	/* present, written, then made read-only */
	memset(ro, CANARY, 2 * AK_PAGE);
	VM_REQUIRE(mprotect(ro, 2 * AK_PAGE, PROT_READ) == 0, "mprotect");
	j = mkjob(AK_OP_COPY, dst, ro + 1, 100, 500);
	expect_fault("COPY into mprotect(PROT_READ) page", &j,
		     (uintptr_t)ro, (uintptr_t)ro + AK_PAGE, 0);
	j = mkjob(AK_OP_FILL, NULL, ro, 2 * AK_PAGE, 501);
	expect_fault("FILL of mprotect(PROT_READ) pages", &j, (uintptr_t)ro,
		     0, 1);
	VM_CHECK(vm_first_not(ro, CANARY, 2 * AK_PAGE) < 0,
		 "read-only page written by the device");

	/* PROT_READ from the start, read-touched (zero page, read-only) */
	sink = zro[0];
	sink = zro[AK_PAGE - 1];
	(void)sink;
	j = mkjob(AK_OP_FILL, NULL, zro + 8, 64, 502);
	expect_fault("FILL of read-touched PROT_READ mapping", &j,
		     (uintptr_t)zro, (uintptr_t)zro + 72, 0);
	j = mkjob(AK_OP_COPY, dst, zro, AK_PAGE, 504);
	expect_fault("COPY into read-touched PROT_READ mapping", &j,
		     (uintptr_t)zro, 0, 1);
	VM_CHECK(vm_first_not(zro, 0, AK_PAGE) < 0,
		 "PROT_READ page no longer zero");

	/* control: reading from the read-only pages is fine */
	memset(dst, 0, 2 * AK_PAGE);
	j = mkjob(AK_OP_COPY, ro + 7, dst + 1, AK_PAGE, 503);
	r = vm_run(fq, &j, &res);
	VM_CHECK(r == 0 && res.status == AK_ST_SUCCESS &&
		 res.bytes == AK_PAGE,
		 "COPY from read-only src: status %u (%s)", res.status,
		 ak_status_str(res.status));
	VM_CHECK(vm_first_not(dst + 1, CANARY, AK_PAGE) < 0,
		 "COPY from read-only src: wrong data");
	munmap(ro, 2 * AK_PAGE);
	munmap(zro, AK_PAGE);
	vm_free(dst, 2 * AK_PAGE);
}

/* Run a job expected to succeed; 0 if it did with bytes == len. */
static int expect_ok(const char *what, const struct ak_job *j)
{
	struct ak_result res;
	int r = vm_run(fq, j, &res);

	VM_CHECK(r == 0, "%s: no completion (%d)", what, r);
	if (r)
		return -1;
	VM_CHECK(res.status == AK_ST_SUCCESS && res.bytes == j->len &&
		 res.fault_addr == 0 && res.tag == j->tag,
		 "%s: status %u (%s) bytes %llu fault_addr 0x%llx, want SUCCESS",
		 what, res.status, ak_status_str(res.status),
		 (unsigned long long)res.bytes,
		 (unsigned long long)res.fault_addr);
	return res.status == AK_ST_SUCCESS && res.bytes == j->len ? 0 : -1;
}

/*
 * With page requests the device takes the faults the CPU would take:
 * never-touched pages, zero-page mapped (read-only PTE, writable VMA) and
 * copy-on-write pages all work, byte-exact.
 */
static void t_untouched(void)
{
	char path[] = "/tmp/ak-cow-XXXXXX";
	uint8_t *fresh = small_map(3 * AK_PAGE, PROT_READ | PROT_WRITE);
	uint8_t *src = vm_alloc(AK_PAGE), *dst = vm_alloc(AK_PAGE);
	uint8_t *orig = malloc(2 * AK_PAGE), *rd = malloc(2 * AK_PAGE);
	uint8_t *cow = MAP_FAILED;
	volatile uint8_t sink;
	struct ak_job j;
	int fd;

	VM_REQUIRE(fq && fresh && src && dst && orig && rd, "setup");
	vm_fill_random(src, AK_PAGE, 606);
	/* page 0: never touched; page 1: read-touched (zero page) */
	sink = fresh[AK_PAGE];
	(void)sink;
	j = mkjob(AK_OP_COPY, src, fresh, 64, 600);
	if (!expect_ok("COPY to never-touched page", &j))
		VM_CHECK(!memcmp(fresh, src, 64) &&
			 vm_first_not(fresh + 64, 0, AK_PAGE - 64) < 0,
			 "never-touched dst: wrong bytes");
	j = mkjob(AK_OP_COPY, src, fresh + AK_PAGE + 100, 1000, 601);
	if (!expect_ok("COPY to zero-page mapped (read-only PTE) page", &j))
		VM_CHECK(!memcmp(fresh + AK_PAGE + 100, src, 1000) &&
			 vm_first_not(fresh + AK_PAGE, 0, 100) < 0 &&
			 vm_first_not(fresh + AK_PAGE + 1100, 0,
				      AK_PAGE - 1100) < 0,
			 "zero-page dst: wrong bytes");
	memset(dst, CANARY, AK_PAGE);
	j = mkjob(AK_OP_COPY, fresh + 2 * AK_PAGE, dst, AK_PAGE, 602);
	if (!expect_ok("COPY from never-touched page", &j))
		VM_CHECK(vm_first_not(dst, 0, AK_PAGE) < 0,
			 "COPY from never-touched src: not zeros");

	/* COW: a MAP_PRIVATE file mapping the CPU only read */
	fd = mkstemp(path);
	VM_REQUIRE(fd >= 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	vm_fill_random(orig, 2 * AK_PAGE, 607);
	VM_REQUIRE(pwrite(fd, orig, 2 * AK_PAGE, 0) == 2 * AK_PAGE, "pwrite");
	cow = mmap(NULL, 2 * AK_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		   0);
	VM_REQUIRE(cow != MAP_FAILED, "mmap: %s", strerror(errno));
	sink = cow[0];
	sink = cow[AK_PAGE];
	j = mkjob(AK_OP_COPY, src, cow + 5, 3000, 603);
	if (!expect_ok("COPY into a read-touched MAP_PRIVATE file page (COW)",
		       &j)) {
		VM_CHECK(!memcmp(cow + 5, src, 3000), "COW dst: COPY bytes");
		VM_CHECK(!memcmp(cow, orig, 5) &&
			 !memcmp(cow + 3005, orig + 3005, 2 * AK_PAGE - 3005),
			 "COW dst: bytes outside the COPY changed");
	}
	j = mkjob(AK_OP_FILL, NULL, cow + AK_PAGE, AK_PAGE, 604);
	if (!expect_ok("FILL of a read-touched MAP_PRIVATE file page (COW)", &j))
		VM_CHECK(vm_first_not_pattern(cow + AK_PAGE, j.pattern,
					      AK_PAGE) < 0, "COW FILL bytes");
	VM_CHECK(pread(fd, rd, 2 * AK_PAGE, 0) == 2 * AK_PAGE &&
		 !memcmp(rd, orig, 2 * AK_PAGE),
		 "device write to a MAP_PRIVATE mapping reached the file (COW not broken)");
	munmap(cow, 2 * AK_PAGE);
	close(fd);
	munmap(fresh, 3 * AK_PAGE);
	vm_free(src, AK_PAGE);
	vm_free(dst, AK_PAGE);
	free(orig);
	free(rd);
}

/* A failing job in the middle of a batch does not disturb its neighbours. */
static void t_fault_in_batch(void)
{
	uint8_t *src = vm_alloc(AK_PAGE), *dst = vm_alloc(4 * AK_PAGE);
	uint8_t *gone = unmapped_region(AK_PAGE);
	struct ak_job jobs[5];
	struct ak_result res[5];
	int r, i;

	VM_REQUIRE(fq && src && dst && gone, "setup");
	vm_fill_random(src, AK_PAGE, 31);
	memset(dst, CANARY, 4 * AK_PAGE);
	jobs[0] = mkjob(AK_OP_COPY, src, dst, 1000, 700);
	jobs[1] = mkjob(AK_OP_COPY, gone, dst + AK_PAGE, 1000, 701);
	jobs[2] = mkjob(AK_OP_FILL, NULL, dst + 2 * AK_PAGE, 1000, 702);
	jobs[3] = mkjob(7, src, dst + 3 * AK_PAGE, 1000, 703);
	jobs[4] = mkjob(AK_OP_NOP, NULL, NULL, 0, 704);
	r = ak_submit_batch(fq, jobs, 5);
	VM_REQUIRE(r == 5, "ak_submit_batch = %d", r);
	r = vm_reap_n(fq, res, 5, AK_JOB_TIMEOUT_MS);
	VM_REQUIRE(r == 5, "reaped %d of 5", r);
	for (i = 0; i < 5; i++)
		VM_CHECK(res[i].tag == 700u + i, "completion %d has tag %llu",
			 i, (unsigned long long)res[i].tag);
	VM_CHECK(res[0].status == AK_ST_SUCCESS, "job0 %u", res[0].status);
	VM_CHECK(res[1].status == AK_ST_XLATE_FAULT &&
		 res[1].fault_addr == (uintptr_t)gone,
		 "job1 %u fault 0x%llx", res[1].status,
		 (unsigned long long)res[1].fault_addr);
	VM_CHECK(res[2].status == AK_ST_SUCCESS, "job2 %u", res[2].status);
	VM_CHECK(res[3].status == AK_ST_INVALID_OPCODE, "job3 %u",
		 res[3].status);
	VM_CHECK(res[4].status == AK_ST_SUCCESS, "job4 %u", res[4].status);
	VM_CHECK(!memcmp(dst, src, 1000), "job0 data");
	VM_CHECK(vm_first_not(dst + AK_PAGE, CANARY, AK_PAGE) < 0, "job1 wrote");
	VM_CHECK(vm_first_not_pattern(dst + 2 * AK_PAGE, jobs[2].pattern,
				      1000) < 0, "job2 data");
	VM_CHECK(vm_first_not(dst + 3 * AK_PAGE, CANARY, AK_PAGE) < 0,
		 "job3 wrote");
	vm_free(src, AK_PAGE);
	vm_free(dst, 4 * AK_PAGE);
}

static const struct ak_test fault_tests[] = {
	{ "unmapped src (whole, partial): XLATE_FAULT, nothing written", t_unmapped_src },
	{ "unmapped dst (whole, partial): XLATE_FAULT, nothing written", t_unmapped_dst },
	{ "kernel addresses as src/dst: XLATE_FAULT", t_kernel_addr },
	{ "non-canonical addresses as src/dst: XLATE_FAULT", t_noncanonical },
	{ "job crossing the top of user space faults", t_cross_into_hole },
	{ "read-only dst (mprotect, PROT_READ): XLATE_FAULT, intact", t_readonly_dst },
	{ "never-touched / zero-page / COW dst and untouched src: SUCCESS", t_untouched },
	{ "faulting job inside a batch: neighbours unaffected", t_fault_in_batch },
	{ NULL, NULL },
};

/* ------------------------------------------------------------------ */
/* Invalid descriptors */

static void expect_status(const char *what, const struct ak_job *j,
			  uint16_t status)
{
	struct ak_result res;
	int r = vm_run(fq, j, &res);

	VM_CHECK(r == 0, "%s: no completion (%d)", what, r);
	if (r)
		return;
	VM_CHECK(res.status == status, "%s: status %u (%s), want %u (%s)",
		 what, res.status, ak_status_str(res.status), status,
		 ak_status_str(status));
	VM_CHECK(res.err == ak_status_errno(status), "%s: err %d", what,
		 res.err);
	VM_CHECK(res.tag == j->tag, "%s: tag", what);
	if (status != AK_ST_SUCCESS || j->op == AK_OP_NOP)
		VM_CHECK(res.bytes == 0, "%s: bytes %llu", what,
			 (unsigned long long)res.bytes);
	else
		VM_CHECK(res.bytes == j->len, "%s: bytes %llu", what,
			 (unsigned long long)res.bytes);
	if (status != AK_ST_XLATE_FAULT)
		VM_CHECK(res.fault_addr == 0, "%s: fault_addr 0x%llx", what,
			 (unsigned long long)res.fault_addr);
}

static void t_bad_opcode(void)
{
	static const uint16_t ops[] = { 7, 8, 15, 16, 0x100, 0xffff };
	uint8_t *src = vm_alloc(AK_PAGE), *dst = vm_alloc(AK_PAGE);
	char what[64];
	struct ak_job j;
	size_t i;

	VM_REQUIRE(fq && src && dst, "setup");
	memset(dst, CANARY, AK_PAGE);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(what, sizeof(what), "opcode %u", ops[i]);
		j = mkjob(ops[i], src, dst, 128, 800 + i);
		expect_status(what, &j, AK_ST_INVALID_OPCODE);
	}
	VM_CHECK(vm_first_not(dst, CANARY, AK_PAGE) < 0,
		 "invalid opcode wrote dst");
	vm_free(src, AK_PAGE);
	vm_free(dst, AK_PAGE);
}

static void t_len_over_max(void)
{
	uint8_t *src = vm_alloc(2 * AK_PAGE), *dst = vm_alloc(2 * AK_PAGE);
	struct ak_job j;

	VM_REQUIRE(fq && src && dst, "setup");
	VM_CHECK(max_xfer > 0, "max_xfer is 0");
	memset(dst, CANARY, 2 * AK_PAGE);
	j = mkjob(AK_OP_COPY, src, dst, max_xfer + 1, 900);
	expect_status("COPY len max_xfer+1", &j, AK_ST_INVALID_DESC);
	j = mkjob(AK_OP_FILL, NULL, dst, max_xfer + 1, 901);
	expect_status("FILL len max_xfer+1", &j, AK_ST_INVALID_DESC);
	j = mkjob(AK_OP_FILL, NULL, dst, UINT64_MAX, 902);
	expect_status("FILL len 2^64-1", &j, AK_ST_INVALID_DESC);
	j = mkjob(AK_OP_COPY, src, dst, 1ull << 63, 903);
	expect_status("COPY len 2^63", &j, AK_ST_INVALID_DESC);
	VM_CHECK(vm_first_not(dst, CANARY, 2 * AK_PAGE) < 0,
		 "over-long job wrote dst");
	vm_free(src, 2 * AK_PAGE);
	vm_free(dst, 2 * AK_PAGE);
}

static void raw_case(const char *what, const struct aks_desc *d,
		     uint16_t status)
{
	struct ak_result res;
	int r = ak_submit_raw(fq, d, sizeof(*d));

	VM_CHECK(r == 0, "%s: ak_submit_raw = %d", what, r);
	if (r)
		return;
	r = vm_reap_n(fq, &res, 1, AK_JOB_TIMEOUT_MS);
	VM_CHECK(r == 1, "%s: no completion", what);
	if (r != 1)
		return;
	VM_CHECK(res.tag == d->tag, "%s: tag", what);
	VM_CHECK(res.status == status, "%s: status %u (%s), want %u", what,
		 res.status, ak_status_str(res.status), status);
}

static void t_reserved_fields(void)
{
	uint8_t *src = vm_alloc(AK_PAGE), *dst = vm_alloc(AK_PAGE);
	struct aks_desc d, base;

	VM_REQUIRE(fq && src && dst, "setup");
	_Static_assert(sizeof(struct aks_desc) == 64, "desc size");
	vm_fill_random(src, AK_PAGE, 3);
	memset(dst, CANARY, AK_PAGE);
	memset(&base, 0, sizeof(base));
	base.opcode = AKS_OP_COPY;
	base.src = (uintptr_t)src;
	base.dst = (uintptr_t)dst;
	base.len = 512;

	d = base;
	d.tag = 1000;
	d.rsvd0 = 1;
	raw_case("rsvd0 = 1", &d, AK_ST_INVALID_DESC);
	d = base;
	d.tag = 1001;
	d.rsvd0 = 0x80000000u;
	raw_case("rsvd0 = 0x80000000", &d, AK_ST_INVALID_DESC);
	d = base;
	d.tag = 1002;
	d.rsvd1[0] = 1;
	raw_case("rsvd1[0] = 1", &d, AK_ST_INVALID_DESC);
	d = base;
	d.tag = 1003;
	d.rsvd1[1] = 1ull << 63;
	raw_case("rsvd1[1] = 1<<63", &d, AK_ST_INVALID_DESC);
	d = base;
	d.tag = 1004;
	d.opcode = AKS_OP_NOP;
	d.rsvd1[0] = 5;
	raw_case("NOP with rsvd1[0] = 5", &d, AK_ST_INVALID_DESC);
	VM_CHECK(vm_first_not(dst, CANARY, AK_PAGE) < 0,
		 "descriptor with reserved bits wrote dst");

	/* control: the same raw descriptor with zero reserved fields */
	d = base;
	d.tag = 1005;
	raw_case("raw COPY, reserved zero", &d, AK_ST_SUCCESS);
	VM_CHECK(!memcmp(dst, src, 512), "raw COPY data");
	vm_free(src, AK_PAGE);
	vm_free(dst, AK_PAGE);
}

static void t_overlap(void)
{
	uint8_t *buf = vm_alloc(4 * AK_PAGE), *copy = malloc(4 * AK_PAGE);
	struct ak_job j;

	VM_REQUIRE(fq && buf && copy, "setup");
	vm_fill_random(buf, 4 * AK_PAGE, 17);
	memcpy(copy, buf, 4 * AK_PAGE);
	j = mkjob(AK_OP_COPY, buf + 100, buf + 200, 200, 1100);
	expect_status("COPY dst inside src", &j, AK_ST_INVALID_DESC);
	j = mkjob(AK_OP_COPY, buf + 200, buf + 100, 200, 1101);
	expect_status("COPY src inside dst", &j, AK_ST_INVALID_DESC);
	j = mkjob(AK_OP_COPY, buf + 8, buf + 8, 64, 1102);
	expect_status("COPY src == dst", &j, AK_ST_INVALID_DESC);
	j = mkjob(AK_OP_COPY, buf, buf + AK_PAGE, AK_PAGE + 1, 1103);
	expect_status("COPY overlapping by one byte", &j, AK_ST_INVALID_DESC);
	VM_CHECK(vm_first_diff(buf, copy, 4 * AK_PAGE) < 0,
		 "overlapping COPY changed memory");

	/* control: adjacent, not overlapping */
	j = mkjob(AK_OP_COPY, buf, buf + AK_PAGE, AK_PAGE, 1104);
	expect_status("COPY adjacent (no overlap)", &j, AK_ST_SUCCESS);
	VM_CHECK(!memcmp(buf + AK_PAGE, copy, AK_PAGE), "adjacent COPY data");
	free(copy);
	vm_free(buf, 4 * AK_PAGE);
}

static void t_nop(void)
{
	struct ak_job j;

	VM_REQUIRE(fq, "setup");
	j = mkjob(AK_OP_NOP, NULL, NULL, 0, 1200);
	expect_status("NOP", &j, AK_ST_SUCCESS);
	j.tag = 0xffffffffffffffffull;
	expect_status("NOP tag ~0", &j, AK_ST_SUCCESS);
}

static const struct ak_test invalid_tests[] = {
	{ "unknown opcodes: INVALID_OPCODE", t_bad_opcode },
	{ "len > max_xfer: INVALID_DESC", t_len_over_max },
	{ "non-zero reserved fields (raw): INVALID_DESC", t_reserved_fields },
	{ "overlapping COPY: INVALID_DESC", t_overlap },
	{ "NOP: SUCCESS", t_nop },
	{ NULL, NULL },
};

int add_fault_suites(void)
{
	if (ak_add_suite("faults", fq_init, fq_clean, fault_tests))
		return -1;
	return ak_add_suite("invalid-desc", fq_init, fq_clean, invalid_tests);
}
