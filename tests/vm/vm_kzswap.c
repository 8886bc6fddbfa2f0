// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suites "kzswap" and "kswapin": zswap on the device's acomp driver
 * deflate-accelkit (issue 12; design notes §4), with a zram swap device.
 *
 * kzswap: zram0 (256 MiB) as swap, zswap enabled with compressor
 * deflate-accelkit; a child in a memory cgroup (memory.max 24 MiB, swap
 * unlimited) writes 64 MiB of compressible, non-uniform pages (no page is
 * same-filled), then, with the limit lifted, reads them all back
 * byte-exact (each page through one device decompression). zswap's stored_pages
 * (debugfs) rose by at least the excess over the limit, its reject
 * counters stayed flat, and the sample's kq_jobs rose at least as much as
 * stored_pages while writing (each stored page is one device compression)
 * and again while reading back (decompressions).
 *
 * kswapin: the "swapped-out" memory kind of the SVA contract. 64 pages
 * given to MADV_PAGEOUT until pagemap shows every one swapped (bit 62, not
 * present); a COPY job on a user queue reads them: the device's page
 * requests make the fault handler swap them in through zswap, that is
 * through the same device's kernel queue (kq_jobs rises), while the user
 * job waits; the copy is byte-exact, page requests were resolved (queue
 * and device counters), and no deadlock (the job's 20 s bound).
 *
 * Each suite sets the swap up in its first test and tears it down in its
 * last: compressor back (lzo), swapoff (which decompresses every stored
 * page through the device), zswap disabled again, stored_pages 0,
 * kernel_queues_in_use back to 0 within 10 s, zram reset. A missing
 * module, attribute or driver fails; nothing is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_common.h"
#include "vm_kconsumer.h"

#define KZ_CG_DIR	KCON_CG_ROOT "/ak-kzswap"
/*
 * The child writes kz_touch_mb through a kz_cg_mb memory cgroup: 64 in 24
 * MiB, or 32 in 12 on the debug kernel (kmemleak present: KASAN under TCG
 * moves ~100 pages/s each way, so 64 MiB would cost 4 min of make test).
 */
static int kz_cg_mb = 24, kz_touch_mb = 64;
#define KZ_CG_MAX_MB	kz_cg_mb
#define KZ_TOUCH_MB	kz_touch_mb
#define KZ_RELEASE_MS	10000
#define KZ_CHILD_MS	600000		/* TCG, every page through the device */
#define KZ_SWAPIN_PAGES	64

static const char *const kz_rejects[] = {
	"reject_compress_poor", "reject_alloc_fail", "reject_kmemcache_fail",
	"reject_reclaim_fail", "reject_compress_fail",	/* 6.12 only */
};

static struct kcon_zswap kz;

/* The sum of the reject counters this kernel has (absent ones count 0). */
static long kz_rejected(void)
{
	long sum = 0, v;
	size_t i;

	for (i = 0; i < sizeof(kz_rejects) / sizeof(kz_rejects[0]); i++) {
		v = kcon_zswap_dbg(kz_rejects[i]);
		if (v > 0)
			sum += v;
	}
	return sum;
}

static int kz_init(void)
{
	struct stat st;

	if (vm_discover() < 0 || vm_resolve_pci())
		return -1;
	if (stat(KCON_ZSWAP_DBG, &st))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	memset(&kz, 0, sizeof(kz));
	return 0;
}

/*
 * Undo whatever the setup did; with @check, assert each step (the last
 * test), else best effort (the suite's clean after a failed test).
 */
static void kz_teardown(int check)
{
	uint64_t end;

	kcon_zswap_off(&kz, check);
	end = vm_now_ms() + KZ_RELEASE_MS;
	while (vm_attr_long("kernel_queues_in_use") != 0 && vm_now_ms() < end)
		usleep(50000);
	if (check)
		VM_CHECK(vm_attr_long("kernel_queues_in_use") == 0,
			 "kernel_queues_in_use %ld %d s after zswap left deflate-accelkit",
			 vm_attr_long("kernel_queues_in_use"), KZ_RELEASE_MS / 1000);
}

static int kz_clean(void)
{
	kz_teardown(0);
	rmdir(KZ_CG_DIR);
	return 0;
}

/* zram0 as swap, zswap on deflate-accelkit; the kernel share claimed. */
static void t_setup(void)
{
	VM_REQUIRE(vm_attr_long("kernel_queues_in_use") == 0,
		   "kernel_queues_in_use %ld before zswap uses the device",
		   vm_attr_long("kernel_queues_in_use"));
	VM_CHECK(vm_pci_attr_long("kq_jobs") >= 0, "%s/kq_jobs: %s",
		 g_pci_path, strerror((int)-vm_pci_attr_long("kq_jobs")));
	VM_REQUIRE(kcon_zswap_on(&kz, "256M") == 0, "zswap on %s",
		   KCON_ZSWAP_DRV);
}

static void t_teardown(void)
{
	kz_teardown(1);
}

/* ------------------------------------------------------------------ */
/* kzswap: more than the cgroup may hold, through zswap and back */

static void t_pressure(void)
{
	long excess = (long)(KZ_TOUCH_MB - KZ_CG_MAX_MB) * (1 << 20) / (long)AK_PAGE;
	long s0, s1, s2, j0, j1, j2, e0, e1, f0, f1, r0, r1, bad = -1;
	int up[2], down[2], st, to = 0;
	char err[256], c;
	uint64_t t0, t1, t2;
	pid_t pid;

	VM_REQUIRE(kz.swap_on && kz.zswap_set, "the setup test failed");
	VM_REQUIRE(kcon_cgroup(KZ_CG_DIR, KZ_CG_MAX_MB, err, sizeof(err)) == 0,
		   "memory cgroup: %s", err);
	VM_REQUIRE(pipe(up) == 0 && pipe(down) == 0, "pipe");
	s0 = kcon_zswap_dbg("stored_pages");
	j0 = vm_pci_attr_long("kq_jobs");
	e0 = vm_pci_attr_long("kq_errors");
	f0 = vm_pci_attr_long("kq_fallbacks");
	r0 = kz_rejected();
	VM_REQUIRE(s0 >= 0, "stored_pages: %s", strerror((int)-s0));
	VM_CHECK(j0 >= 0 && e0 >= 0 && f0 >= 0,
		 "counters: kq_jobs %ld kq_errors %ld kq_fallbacks %ld", j0, e0, f0);

	t0 = vm_now_ms();
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		close(up[0]);
		close(down[1]);
		_exit(kcon_cg_child(KZ_CG_DIR, KZ_TOUCH_MB, 7, up[1], down[0]));
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) != 1) {
		VM_FAIL("the child died before writing its %d MiB", KZ_TOUCH_MB);
		goto reap;
	}
	t1 = vm_now_ms();
	s1 = kcon_zswap_dbg("stored_pages");
	j1 = vm_pci_attr_long("kq_jobs");
	/*
	 * Lift the limit before the read-back: every page then comes back
	 * once (one decompression each) instead of pushing another one out
	 * (a recompression) under the limit; 3x fewer device jobs, which on
	 * the debug kernel was 4 of the run's 12 minutes.
	 */
	VM_CHECK(vm_write_file(KZ_CG_DIR "/memory.max", "max") == 0,
		 "memory.max back to max");
	if (write(down[1], "R", 1) != 1 ||
	    read(up[0], &bad, sizeof(bad)) != sizeof(bad)) {
		VM_FAIL("the child died while reading back");
		goto reap;
	}
	t2 = vm_now_ms();
	s2 = kcon_zswap_dbg("stored_pages");
	j2 = vm_pci_attr_long("kq_jobs");
	e1 = vm_pci_attr_long("kq_errors");
	f1 = vm_pci_attr_long("kq_fallbacks");
	r1 = kz_rejected();
	printf("[%d MiB in a %d MiB cgroup: write %.1f s, read %.1f s; stored_pages +%ld (then %ld), kq_jobs +%ld writing, +%ld reading; kq_fallbacks +%ld, rejects +%ld, pool %ld B] ",
	       KZ_TOUCH_MB, KZ_CG_MAX_MB, (double)(t1 - t0) / 1000,
	       (double)(t2 - t1) / 1000, s1 - s0, s2, j1 - j0, j2 - j1,
	       f1 - f0, r1 - r0, kcon_zswap_dbg("pool_total_size"));
	VM_CHECK(bad == 0, "%ld of %d pages read back wrong", bad,
		 KZ_TOUCH_MB << 8);
	VM_CHECK(s1 - s0 >= excess,
		 "zswap stored_pages rose by %ld, want at least the %ld pages over memory.max",
		 s1 - s0, excess);
	VM_CHECK(j1 - j0 >= s1 - s0,
		 "kq_jobs rose by %ld while zswap stored %ld pages: not every page went through the device",
		 j1 - j0, s1 - s0);
	VM_CHECK(j2 > j1, "kq_jobs did not move while the pages came back (%ld)",
		 j2);
	VM_CHECK(e1 == e0, "kq_errors %ld -> %ld", e0, e1);
	VM_CHECK(r1 == r0, "zswap reject counters rose by %ld", r1 - r0);
	if (write(down[1], "X", 1) != 1)
		VM_FAIL("the child is gone before its end");
reap:
	close(up[0]);
	close(down[1]);
	st = vm_wait_child(pid, KZ_CHILD_MS, &to);
	VM_CHECK(st >= 0 && !to && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "child: %s%s (exit 10 cgroup.procs, 11 mmap, 12/13 pipe)",
		 vm_wstatus_str(st, err, sizeof(err)), to ? ", timed out" : "");
	rmdir(KZ_CG_DIR);
}

/* ------------------------------------------------------------------ */
/* kswapin: a user job reading swapped-out memory */


static void t_swapin(void)
{
	size_t len = KZ_SWAPIN_PAGES * AK_PAGE, i;
	uint64_t want[AK_PAGE / 8];
	struct vm_qstats q0, q1;
	struct ak_result res;
	struct ak_queue *q = NULL;
	struct ak_job j;
	long s0, s1, j0, j1, pr0, pr1, e0, e1, sw = 0, pres = 0, badp = 0;
	uint8_t *buf, *dst = NULL;
	int tries, r, pinned;
	cpu_set_t cpus;

	VM_REQUIRE(kz.swap_on && kz.zswap_set, "the setup test failed");
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	VM_REQUIRE(buf != MAP_FAILED, "mmap: %s", strerror(errno));
	madvise(buf, len, MADV_NOHUGEPAGE);
	pinned = !kcon_pin(&cpus);	/* until paged out: kcon_pin() */
	for (i = 0; i < KZ_SWAPIN_PAGES; i++)
		kcon_page((uint64_t *)(buf + i * AK_PAGE), i, 1234);
	dst = vm_alloc(len);
	q = vm_open_queue(0);
	if (!dst || !q) {
		VM_FAIL("setup: dst %p queue %p", (void *)dst, (void *)q);
		goto out;
	}
	memset(dst, 0xee, len);

	/* out to zswap: repeat while reclaim left some behind */
	s0 = kcon_zswap_dbg("stored_pages");
	for (tries = 0; tries < 10; tries++) {
		if (madvise(buf, len, MADV_PAGEOUT)) {
			VM_FAIL("MADV_PAGEOUT: %s", strerror(errno));
			goto out;
		}
		if (kcon_pagemap(buf, KZ_SWAPIN_PAGES, &sw, &pres)) {
			VM_FAIL("/proc/self/pagemap unreadable");
			goto out;
		}
		if (sw == KZ_SWAPIN_PAGES && !pres)
			break;
		usleep(100000);
	}
	if (pinned)
		kcon_unpin(&cpus);
	pinned = 0;
	s1 = kcon_zswap_dbg("stored_pages");
	printf("[MADV_PAGEOUT x%d: %ld swapped, %ld present; stored_pages +%ld] ",
	       tries + 1, sw, pres, s1 - s0);
	VM_CHECK(sw == KZ_SWAPIN_PAGES && pres == 0,
		 "after %d MADV_PAGEOUTs %ld of %d pages swapped, %ld present",
		 tries + 1 > 10 ? 10 : tries + 1, sw, KZ_SWAPIN_PAGES, pres);
	VM_CHECK(s1 - s0 >= KZ_SWAPIN_PAGES,
		 "zswap stored_pages rose by %ld for %d pages paged out", s1 - s0,
		 KZ_SWAPIN_PAGES);

	/* the device reads them: page requests swap them in through us */
	j0 = vm_pci_attr_long("kq_jobs");
	e0 = vm_pci_attr_long("kq_errors");
	pr0 = vm_pci_attr_long("page_requests");
	r = vm_queue_stats(ak_queue_fd(q), &q0);
	VM_CHECK(r == 0, "QUEUE_STATS: %s", strerror(-r));
	j = vm_job(AK_OP_COPY, buf, dst, len, 0, 0x5a0b);
	r = vm_run(q, &j, &res);
	VM_CHECK(r == 0, "COPY from swapped-out memory: no completion (%s)",
		 strerror(-r));
	if (r)
		goto out;
	VM_CHECK(res.status == AK_ST_SUCCESS && res.bytes == len,
		 "COPY from swapped-out memory: status %u (%s) bytes %llu fault 0x%llx",
		 res.status, ak_status_str(res.status),
		 (unsigned long long)res.bytes,
		 (unsigned long long)res.fault_addr);
	for (i = 0; i < KZ_SWAPIN_PAGES; i++) {
		kcon_page(want, i, 1234);
		badp += memcmp(dst + i * AK_PAGE, want, AK_PAGE) != 0;
	}
	VM_CHECK(badp == 0, "%ld of %d pages copied wrong", badp, KZ_SWAPIN_PAGES);
	r = vm_queue_stats(ak_queue_fd(q), &q1);
	j1 = vm_pci_attr_long("kq_jobs");
	e1 = vm_pci_attr_long("kq_errors");
	pr1 = vm_pci_attr_long("page_requests");
	kcon_pagemap(buf, KZ_SWAPIN_PAGES, &sw, &pres);
	printf("[COPY: %llu page requests, %llu resolved, %llu failed; device page_requests +%ld; kq_jobs +%ld; %ld pages present after] ",
	       (unsigned long long)(q1.page_requests - q0.page_requests),
	       (unsigned long long)(q1.page_faults_resolved - q0.page_faults_resolved),
	       (unsigned long long)(q1.page_faults_failed - q0.page_faults_failed),
	       pr1 - pr0, j1 - j0, pres);
	VM_CHECK(r == 0 && q1.page_faults_resolved > q0.page_faults_resolved &&
		 q1.page_faults_failed == q0.page_faults_failed,
		 "queue page faults: resolved %llu -> %llu, failed %llu -> %llu",
		 (unsigned long long)q0.page_faults_resolved,
		 (unsigned long long)q1.page_faults_resolved,
		 (unsigned long long)q0.page_faults_failed,
		 (unsigned long long)q1.page_faults_failed);
	VM_CHECK(pr1 > pr0, "device page_requests %ld -> %ld", pr0, pr1);
	VM_CHECK(j1 > j0,
		 "kq_jobs %ld -> %ld: the swap-in did not decompress on the device",
		 j0, j1);
	VM_CHECK(e1 == e0, "kq_errors %ld -> %ld", e0, e1);
	VM_CHECK(pres == KZ_SWAPIN_PAGES,
		 "%ld of %d source pages present after the device read them",
		 pres, KZ_SWAPIN_PAGES);
	/* and the CPU reads the same bytes */
	for (i = 0, badp = 0; i < KZ_SWAPIN_PAGES; i++) {
		kcon_page(want, i, 1234);
		badp += memcmp(buf + i * AK_PAGE, want, AK_PAGE) != 0;
	}
	VM_CHECK(badp == 0, "%ld source pages changed", badp);
out:
	if (pinned)
		kcon_unpin(&cpus);
	if (q)
		ak_queue_close(q);
	if (dst)
		vm_free(dst, len);
	munmap(buf, len);
}

static const struct ak_test kz_tests[] = {
	{ "kzswap: zram0 swap, zswap compressor deflate-accelkit holds the kernel share",
	  t_setup },
	{ "kzswap: 64 MiB (debug kernel: 32) through a 24 (12) MiB memory cgroup: byte-exact, stored_pages, kq_jobs",
	  t_pressure },
	{ "kzswap: compressor back, swapoff, stored_pages 0, kernel queues released",
	  t_teardown },
	{ NULL, NULL },
};

static const struct ak_test ksi_tests[] = {
	{ "kswapin: zram0 swap, zswap compressor deflate-accelkit", t_setup },
	{ "kswapin: COPY from 64 MADV_PAGEOUT pages: page requests swap in through the kq",
	  t_swapin },
	{ "kswapin: compressor back, swapoff, kernel queues released", t_teardown },
	{ NULL, NULL },
};

int add_kzswap_suites(void)
{
	if (vm_debug_kernel()) {
		kz_cg_mb = 12;
		kz_touch_mb = 32;
	}
	return ak_add_suite("kzswap", kz_init, kz_clean, kz_tests) ||
	       ak_add_suite("kswapin", kz_init, kz_clean, ksi_tests);
}
