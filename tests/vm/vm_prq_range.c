// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Range page requests (docs/device.md, contract 2.1): a job that meets
 * missing pages reports the whole missing run (up to 512 pages) in one
 * request and the kernel faults it in one pass. Asserted: every byte is
 * right, the queue's counters show far fewer requests than pages and
 * every page covered (ACCELKIT_CMD_QUEUE_STATS page_requests and
 * pages_requested), and a run that reaches an inaccessible page fails
 * exactly there, as the CPU would, with nothing faulted in past it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_perf.h"

#define PR_LEN		(8ul << 20)	/* 2048 pages */
#define PR_PAGES	(PR_LEN / AK_PAGE)
#define PR_TIMEOUT_MS	180000
#define CANARY		0x3C

/* Run @j on @q: 0 if it completed (*res), else a recorded failure. */
static int pr_run(struct ak_queue *q, const struct ak_job *j,
		  struct ak_result *res, const char *what)
{
	int r = vm_run_ms(q, j, res, PR_TIMEOUT_MS);

	VM_CHECK(r == 0, "%s: no completion within %d s (%s)", what,
		 PR_TIMEOUT_MS / 1000, strerror(-r));
	VM_CHECK(r || res->tag == j->tag, "%s: tag %#llx, want %#llx", what,
		 (unsigned long long)res->tag, (unsigned long long)j->tag);
	return r;
}

static int pr_stats(struct ak_queue *q, struct vm_qstats *s, const char *when)
{
	int r = vm_queue_stats(ak_queue_fd(q), s);

	VM_CHECK(r == 0, "ACCELKIT_CMD_QUEUE_STATS (%s): %s", when,
		 strerror(-r));
	return r;
}

/*
 * One job over @pages never-present pages: at most pages/64 requests,
 * all resolved, covering at least @pages pages.
 */
static void pr_check_range(const struct vm_qstats *s0,
			   const struct vm_qstats *s1, size_t pages,
			   const char *what)
{
	uint64_t req = s1->page_requests - s0->page_requests;
	uint64_t pg = s1->pages_requested - s0->pages_requested;
	uint64_t ok = s1->page_faults_resolved - s0->page_faults_resolved;
	uint64_t bad = s1->page_faults_failed - s0->page_faults_failed;

	printf("[%s: %llu requests covering %llu pages, for %zu pages] ", what,
	       (unsigned long long)req, (unsigned long long)pg, pages);
	VM_CHECK(req >= 1 && req <= pages / 64,
		 "%s: %llu page requests for %zu never-touched pages, want 1..%zu (a request covers up to %d pages)",
		 what, (unsigned long long)req, pages, pages / 64,
		 VP_PRQ_MAX_PAGES);
	VM_CHECK(pg >= pages,
		 "%s: pages_requested grew by %llu, want >= %zu (every page was missing)%s",
		 what, (unsigned long long)pg, pages,
		 pg == 0 ? ": the kernel does not count pages_requested" : "");
	VM_CHECK(ok == req && bad == 0,
		 "%s: %llu requests, %llu resolved, %llu failed: want all resolved",
		 what, (unsigned long long)req, (unsigned long long)ok,
		 (unsigned long long)bad);
}

/*
 * Run @j, the first access to the never-touched PR_LEN buffer @fresh: no
 * page of it present before, SUCCESS with @bytes, and the queue's page
 * requests were ranges covering it (pr_check_range). 0, or -1 when the
 * caller cannot go on (a failure is recorded).
 */
static int pr_first_touch(struct ak_queue *q, const struct ak_job *j,
			  const void *fresh, uint64_t bytes, const char *what)
{
	long n = vm_resident_pages(fresh, PR_LEN);
	struct vm_qstats s0, s1;
	struct ak_result res;

	VM_CHECK(n == 0, "precondition: %ld pages present", n);
	if (n != 0 || pr_stats(q, &s0, "before") || pr_run(q, j, &res, what))
		return -1;
	VM_CHECK(res.status == AK_ST_SUCCESS && res.bytes == bytes,
		 "%s: status %s bytes %llu fault_addr %#llx", what,
		 ak_status_str(res.status), (unsigned long long)res.bytes,
		 (unsigned long long)res.fault_addr);
	if (pr_stats(q, &s1, "after"))
		return -1;
	pr_check_range(&s0, &s1, PR_PAGES, what);
	return 0;
}

/* FILL of a never-touched 8 MiB buffer */
static void t_fill_range(void)
{
	struct ak_queue *q = vm_open_queue(0);
	uint8_t *dst = vm_fresh(PR_LEN);
	uint64_t pat = 0x0f1e2d3c4b5a6978ull;
	struct ak_job j;
	long n, bad;

	if (!q || !dst)
		goto out;
	j = vm_job(AK_OP_FILL, NULL, dst + 3, PR_LEN - 6, pat, 0x8101);
	if (pr_first_touch(q, &j, dst, PR_LEN - 6, "FILL"))
		goto out;
	n = vm_resident_pages(dst, PR_LEN);
	VM_CHECK(n == (long)PR_PAGES, "%ld of %lu pages present after the FILL",
		 n, PR_PAGES);
	bad = vm_first_not_pattern(dst + 3, pat, PR_LEN - 6);
	VM_CHECK(bad < 0, "FILL: byte %ld wrong", bad);
	VM_CHECK(vm_first_not(dst, 0, 3) < 0 &&
		 vm_first_not(dst + PR_LEN - 3, 0, 3) < 0,
		 "bytes outside the FILL changed");
out:
	ak_queue_close(q);
	if (dst)
		munmap(dst, PR_LEN);
}

/* COPY from touched memory into a never-touched 8 MiB buffer */
static void t_copy_into_range(void)
{
	struct ak_queue *q = vm_open_queue(0);
	uint8_t *dst = vm_fresh(PR_LEN), *src = vm_alloc(PR_LEN);
	struct ak_job j;
	long bad;

	if (!q || !dst || !src)
		goto out;
	vm_fill_random(src, PR_LEN, 0x8202);
	j = vm_job(AK_OP_COPY, src, dst, PR_LEN, 0, 0x8201);
	if (pr_first_touch(q, &j, dst, PR_LEN, "COPY into"))
		goto out;
	bad = vm_first_diff(dst, src, PR_LEN);
	VM_CHECK(bad < 0, "COPY: byte %ld differs", bad);
out:
	ak_queue_close(q);
	if (dst)
		munmap(dst, PR_LEN);
	vm_free(src, PR_LEN);
}

/* COPY out of a never-touched 8 MiB buffer: zeros */
static void t_read_range(void)
{
	struct ak_queue *q = vm_open_queue(0);
	uint8_t *src = vm_fresh(PR_LEN), *dst = vm_alloc(PR_LEN);
	struct ak_job j;
	long bad;

	if (!q || !dst || !src)
		goto out;
	memset(dst, CANARY, PR_LEN);
	j = vm_job(AK_OP_COPY, src, dst, PR_LEN, 0, 0x8301);
	if (pr_first_touch(q, &j, src, PR_LEN, "COPY from"))
		goto out;
	bad = vm_first_not(dst, 0, PR_LEN);
	VM_CHECK(bad < 0, "COPY of never-touched memory: byte %ld is 0x%02x, want 0",
		 bad, bad < 0 ? 0 : dst[bad]);
out:
	ak_queue_close(q);
	if (src)
		munmap(src, PR_LEN);
	vm_free(dst, PR_LEN);
}

/*
 * A run crossing a PROT_NONE page: the job fails at the first byte of the
 * hole; the device translates before it writes, so nothing is written
 * (docs/device.md); the pages before the hole were faulted in, none after
 * it (a CPU stops at its first fault too).
 */
#define HOLE_SIDE	64	/* pages on each side of the hole */
#define HOLE_LEN	((2 * HOLE_SIDE + 1) * AK_PAGE)

static void t_hole(void)
{
	struct ak_queue *q = vm_open_queue(0);
	uint8_t *buf = vm_fresh(HOLE_LEN), *src = vm_fresh(HOLE_LEN);
	uint8_t *dst = vm_alloc(HOLE_LEN), *hole, *after;
	uint64_t pat = 0x1122334455667788ull;
	struct vm_qstats s0, s1;
	struct ak_result res;
	struct ak_job j;
	long before_res, after_res;

	if (!q || !buf || !src || !dst)
		goto out;
	hole = buf + HOLE_SIDE * AK_PAGE;
	after = hole + AK_PAGE;
	if (mprotect(hole, AK_PAGE, PROT_NONE) < 0 ||
	    mprotect(src + HOLE_SIDE * AK_PAGE, AK_PAGE, PROT_NONE) < 0) {
		VM_FAIL("mprotect(PROT_NONE): %s", strerror(errno));
		goto out;
	}
	if (pr_stats(q, &s0, "before"))
		goto out;

	/* a write run into the hole */
	j = vm_job(AK_OP_FILL, NULL, buf + 100, HOLE_LEN - 200, pat, 0x8401);
	if (pr_run(q, &j, &res, "FILL across a PROT_NONE page"))
		goto out;
	VM_CHECK(res.status == AK_ST_XLATE_FAULT && res.err == -EFAULT &&
		 res.fault_addr == (uintptr_t)hole && res.bytes == 0,
		 "FILL across a PROT_NONE page: status %s err %d fault_addr %#llx bytes %llu; want TRANSLATION_FAULT (-EFAULT) at the hole %p, 0 bytes",
		 ak_status_str(res.status), res.err,
		 (unsigned long long)res.fault_addr,
		 (unsigned long long)res.bytes, (void *)hole);
	/* residency before reading anything */
	before_res = vm_resident_pages(buf, HOLE_SIDE * AK_PAGE);
	after_res = vm_resident_pages(after, HOLE_SIDE * AK_PAGE);
	VM_CHECK(before_res == HOLE_SIDE,
		 "%ld of the %d pages before the hole were faulted in, want all",
		 before_res, HOLE_SIDE);
	VM_CHECK(after_res == 0,
		 "%ld of the %d pages after the hole were faulted in, want none",
		 after_res, HOLE_SIDE);
	VM_CHECK(vm_first_not(buf, 0, HOLE_SIDE * AK_PAGE) < 0 &&
		 vm_first_not(after, 0, HOLE_SIDE * AK_PAGE) < 0,
		 "the failed FILL wrote bytes (before the hole at %ld, after at %ld)",
		 vm_first_not(buf, 0, HOLE_SIDE * AK_PAGE),
		 vm_first_not(after, 0, HOLE_SIDE * AK_PAGE));

	/* a read run into the hole */
	memset(dst, CANARY, HOLE_LEN);
	j = vm_job(AK_OP_COPY, src + 8, dst, HOLE_LEN - 8, 0, 0x8402);
	if (pr_run(q, &j, &res, "COPY from across a PROT_NONE page"))
		goto out;
	VM_CHECK(res.status == AK_ST_XLATE_FAULT &&
		 res.fault_addr == (uintptr_t)src + HOLE_SIDE * AK_PAGE &&
		 res.bytes == 0,
		 "COPY across a PROT_NONE page: status %s fault_addr %#llx bytes %llu; want TRANSLATION_FAULT at %p, 0 bytes",
		 ak_status_str(res.status), (unsigned long long)res.fault_addr,
		 (unsigned long long)res.bytes,
		 (void *)(src + HOLE_SIDE * AK_PAGE));
	VM_CHECK(vm_first_not(dst, CANARY, HOLE_LEN) < 0,
		 "the failed COPY wrote dst byte %ld",
		 vm_first_not(dst, CANARY, HOLE_LEN));

	if (pr_stats(q, &s1, "after") == 0) {
		printf("[%llu requests covering %llu pages, %llu failed] ",
		       (unsigned long long)(s1.page_requests - s0.page_requests),
		       (unsigned long long)(s1.pages_requested -
					    s0.pages_requested),
		       (unsigned long long)(s1.page_faults_failed -
					    s0.page_faults_failed));
		VM_CHECK(s1.page_faults_failed - s0.page_faults_failed >= 2,
			 "page_faults_failed grew by %llu over two jobs stopped by a hole",
			 (unsigned long long)(s1.page_faults_failed -
					      s0.page_faults_failed));
		/* per job: the run up to the hole in one request or a few,
		 * then one for the hole */
		VM_CHECK(s1.page_requests - s0.page_requests <= 8,
			 "%llu page requests for two jobs of %d missing pages before a hole: want a few, not one per page",
			 (unsigned long long)(s1.page_requests - s0.page_requests),
			 HOLE_SIDE);
		VM_CHECK(s1.pages_requested - s0.pages_requested >=
			 2 * (HOLE_SIDE + 1),
			 "pages_requested grew by %llu, want >= %d (the pages up to and including each hole)",
			 (unsigned long long)(s1.pages_requested -
					      s0.pages_requested),
			 2 * (HOLE_SIDE + 1));
	}
out:
	ak_queue_close(q);
	if (buf)
		munmap(buf, HOLE_LEN);
	if (src)
		munmap(src, HOLE_LEN);
	vm_free(dst, HOLE_LEN);
}

static const struct ak_test prq_range_tests[] = {
	{ "FILL of never-touched 8 MiB: byte-exact, requests <= pages/64, every page requested",
	  t_fill_range },
	{ "COPY into never-touched 8 MiB: byte-exact, requests <= pages/64, every page requested",
	  t_copy_into_range },
	{ "COPY from never-touched 8 MiB: zeros, requests <= pages/64, every page requested",
	  t_read_range },
	{ "a run into a PROT_NONE page: few requests, fault at the hole, nothing written, nothing faulted in past it",
	  t_hole },
	{ NULL, NULL },
};

int add_prq_range_suites(void)
{
	return ak_add_suite("prq-range", NULL, NULL, prq_range_tests);
}
