// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bounded invalidation (docs/device.md, "Steps" and "Invalidation"):
 * munmap(), queue teardown and open() return while a long device job is
 * executing (the device completes an invalidation at the end of the step
 * in progress, never at the end of the job), the device never writes a
 * page freed meanwhile, and a device that does not answer an invalidation
 * is taken out of service and works again after a driver rebind.
 *
 * The long job: a level-9 COMPRESS of LJ_LEN bytes whose last page was
 * never touched, so the device stalls on a page request near the end of
 * reading its input. Once the fault is resolved (QUEUE_STATS) the job runs
 * in the engine for seconds. The tests assert ORDER: the operation under
 * test returned while the job's completion had not been written yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include <misc/uacce/uacce.h>

#include "vm_alg.h"

#define LJ_LEN		(48ul << 20)
#define LJ_CAP		(LJ_LEN + (LJ_LEN >> 8) + (64ul << 10))
#define LJ_TAG		0x10b
#define GCM_TAG		0x6c3
#define WAIT_MS		240000	/* a level-9 COMPRESS under a loaded host */
#define CANARY		0xc3
#define CANARY_PAGES	512
#define BROKEN_MSG	"does not answer"

/* The long job: src (last page untouched), dst, params. */
struct long_job {
	uint8_t *src;
	uint8_t *dst;
	struct aks_params p;
};

static void lj_free(struct long_job *lj)
{
	if (lj->src)
		munmap(lj->src, LJ_LEN);
	if (lj->dst)
		vm_free(lj->dst, LJ_CAP);
	lj->src = lj->dst = NULL;
}

/* Submit the long COMPRESS on @q; 0, or -1 after a recorded failure. */
static int lj_submit(struct ak_queue *q, struct long_job *lj)
{
	struct aks_desc d;
	size_t off;
	int r;

	memset(lj, 0, sizeof(*lj));
	lj->src = mmap(NULL, LJ_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VM_CHECK(lj->src != MAP_FAILED, "mmap src: %s", strerror(errno));
	if (lj->src == MAP_FAILED) {
		lj->src = NULL;
		return -1;
	}
	/* A THP would make the last page present along with the others. */
	madvise(lj->src, LJ_LEN, MADV_NOHUGEPAGE);
	va_fill_text(lj->src, 1ul << 20, 17);
	for (off = 1ul << 20; off < LJ_LEN - AK_PAGE; off += 1ul << 20)
		memcpy(lj->src + off, lj->src,
		       off + (1ul << 20) <= LJ_LEN - AK_PAGE ?
		       1ul << 20 : LJ_LEN - AK_PAGE - off);
	lj->dst = vm_alloc(LJ_CAP);
	VM_CHECK(lj->dst != NULL, "alloc dst");
	if (!lj->dst)
		return -1;

	lj->p.alg = AKS_FRAME_ZLIB;
	lj->p.level = 9;
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, lj->src,
		LJ_LEN, lj->dst, LJ_CAP, &lj->p);
	d.tag = LJ_TAG;
	r = ak_submit_raw(q, &d, sizeof(d));
	VM_CHECK(r == 0, "submit COMPRESS: %d", r);
	return r ? -1 : 0;
}

/*
 * Wait until the long job's page request (its last src page) was
 * resolved: from then on it reads one page and runs in the engine.
 * 0, or -1 after a recorded failure.
 */
static int lj_wait_engine(struct ak_queue *q)
{
	uint64_t deadline = vm_now_ms() + WAIT_MS;
	struct vm_qstats st;
	int r;

	do {
		r = vm_queue_stats(ak_queue_fd(q), &st);
		if (r) {
			VM_FAIL("QUEUE_STATS: %s", strerror(-r));
			return -1;
		}
		if (st.page_faults_resolved >= 1)
			return 0;
		usleep(1000);
	} while (vm_now_ms() < deadline);
	VM_FAIL("the long COMPRESS raised no resolved page request (requests %llu, failed %llu): page requests off?",
		(unsigned long long)st.page_requests,
		(unsigned long long)st.page_faults_failed);
	return -1;
}

/* Check the long job's completion: SUCCESS, and zlib gives src back. */
static void lj_check(struct long_job *lj, const struct ak_result *r)
{
	uLongf n = LJ_LEN;
	uint8_t *out;
	int zr;

	VM_CHECK(r->tag == LJ_TAG && r->status == AKS_ST_SUCCESS &&
		 r->bytes > 0 && r->bytes <= LJ_CAP,
		 "long COMPRESS: tag %#llx status %s bytes %llu",
		 (unsigned long long)r->tag, va_st(r->status),
		 (unsigned long long)r->bytes);
	if (r->status != AKS_ST_SUCCESS || r->bytes > LJ_CAP)
		return;
	out = malloc(LJ_LEN);
	VM_REQUIRE(out, "malloc");
	zr = uncompress(out, &n, lj->dst, r->bytes);
	VM_CHECK(zr == Z_OK && n == LJ_LEN && !memcmp(out, lj->src, LJ_LEN),
		 "long COMPRESS output does not inflate to its input: zlib %d, %lu bytes, first diff %ld",
		 zr, (unsigned long)n,
		 zr == Z_OK ? vm_first_diff(out, lj->src, LJ_LEN) : -1L);
	free(out);
}

/*
 * munmap() of an unrelated page and of the GCM tag page of a job queued
 * behind the long one returns while the long job runs; the device never
 * writes the freed tag page (canary after reuse of the frames).
 */
static void t_munmap_during_job(void)
{
	static uint8_t key[32], iv[12];
	static struct aks_params gp;
	struct long_job lj = { 0 };
	struct ak_queue *q = vm_open_queue(0);
	uint8_t *pt = NULL, *ct = NULL, *tagp = NULL, *other = NULL;
	uint8_t *canary = MAP_FAILED;
	struct ak_result res[2];
	struct aks_desc d;
	void *guard;
	int n, r;

	VA_REQUIRE_ALG("deflate");
	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(q, "open");
	pt = vm_alloc(AK_PAGE);
	ct = vm_alloc(AK_PAGE);
	tagp = vm_alloc(AK_PAGE);
	other = vm_alloc(AK_PAGE);
	if (!pt || !ct || !tagp || !other) {
		VM_FAIL("alloc");
		goto out;
	}
	if (lj_submit(q, &lj))
		goto out;

	/* a GCM encrypt behind it, writing its tag to its own page */
	vm_fill_random(key, sizeof(key), 3);
	vm_fill_random(iv, sizeof(iv), 4);
	vm_fill_random(pt, AK_PAGE, 5);
	memset(ct, CANARY, AK_PAGE);
	memset(&gp, 0, sizeof(gp));
	gp.alg = AKS_CIPHER_AES_GCM;
	gp.key = (uintptr_t)key;
	gp.key_len = sizeof(key);
	gp.iv = (uintptr_t)iv;
	gp.iv_len = sizeof(iv);
	gp.auth_tag = (uintptr_t)(tagp + 64);
	va_desc(&d, AKS_OP_CIPHER, AKS_DF_FIRST | AKS_DF_LAST, 0, pt, AK_PAGE,
		ct, AK_PAGE, &gp);
	d.tag = GCM_TAG;
	r = ak_submit_raw(q, &d, sizeof(d));
	VM_CHECK(r == 0, "submit GCM: %d", r);

	if (lj_wait_engine(q))
		goto reap;
	n = ak_reap(q, res, 2);
	VM_CHECK(n == 0,
		 "the long COMPRESS completed before the munmaps (status %s): inconclusive, make it longer",
		 n > 0 ? va_st(res[0].status) : "-");
	if (n > 0)
		goto out;

	r = munmap(other, AK_PAGE);
	VM_CHECK(r == 0, "munmap unrelated page: %s", strerror(errno));
	other = NULL;
	r = munmap(tagp, AK_PAGE);
	VM_CHECK(r == 0, "munmap GCM tag page: %s", strerror(errno));
	/* Keep the tag's address unusable, so only frames get reused. */
	guard = mmap(tagp, AK_PAGE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	VM_CHECK(guard == tagp, "PROT_NONE guard at the tag address");

	/* ORDER: both munmaps returned while the long job still runs. */
	n = ak_reap(q, res, 2);
	VM_CHECK(n == 0,
		 "a completion (tag %#llx, %s) was written before munmap returned: munmap waited for the job",
		 n > 0 ? (unsigned long long)res[0].tag : 0ull,
		 n > 0 ? va_st(res[0].status) : "-");
	if (n > 0)
		goto out;

	/* Reuse the freed frames, with a canary. */
	canary = mmap(NULL, CANARY_PAGES * AK_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	VM_CHECK(canary != MAP_FAILED, "canary mmap");
	if (canary != MAP_FAILED)
		memset(canary, CANARY, CANARY_PAGES * AK_PAGE);

reap:
	n = va_reap_n(q, res, NULL, 2, WAIT_MS);
	VM_CHECK(n == 2, "%d of 2 completions within %d ms", n, WAIT_MS);
	if (n >= 1)
		lj_check(&lj, &res[0]);
	if (n == 2) {
		VM_CHECK(res[1].tag == GCM_TAG &&
			 res[1].status == AKS_ST_XLATE_FAULT &&
			 res[1].fault_addr == gp.auth_tag,
			 "GCM with its tag page unmapped: tag %#llx status %s fault_addr %#llx, want TRANSLATION_FAULT at %#llx",
			 (unsigned long long)res[1].tag, va_st(res[1].status),
			 (unsigned long long)res[1].fault_addr,
			 (unsigned long long)gp.auth_tag);
		VM_CHECK(vm_first_not(ct, CANARY, AK_PAGE) < 0,
			 "GCM ciphertext written at %ld despite the fault",
			 vm_first_not(ct, CANARY, AK_PAGE));
	}
	if (canary != MAP_FAILED)
		VM_CHECK(vm_first_not(canary, CANARY, CANARY_PAGES * AK_PAGE) < 0,
			 "the device wrote byte %ld of the pages that reused the freed frames",
			 vm_first_not(canary, CANARY, CANARY_PAGES * AK_PAGE));
out:
	if (canary != MAP_FAILED)
		munmap(canary, CANARY_PAGES * AK_PAGE);
	ak_queue_close(q);
	lj_free(&lj);
	vm_free(pt, AK_PAGE);
	vm_free(ct, AK_PAGE);
	vm_free(other, AK_PAGE);
	munmap(tagp, AK_PAGE);
}

/* The other process: PUT_Q + close, then a fresh open + close. */
static int other_main(void *arg)
{
	int *pipes = arg;
	struct ak_queue *q2;
	char c;
	int r;

	close(pipes[1]);
	if (read(pipes[0], &c, 1) != 1)
		return 10;
	r = ak_queue_open(g_node, NULL, 0, &q2);
	if (r)
		return 11;
	if (ioctl(ak_queue_fd(q2), UACCE_CMD_PUT_Q) < 0)
		return 12;
	ak_queue_close(q2);
	r = ak_queue_open(g_node, NULL, 0, &q2);
	if (r)
		return 13;
	ak_queue_close(q2);
	return 0;
}

/*
 * Another process's PUT_Q, close() and a fresh open() (a PASID unbind and
 * bind each) return while the long job runs.
 */
static void t_teardown_during_job(void)
{
	struct long_job lj = { 0 };
	struct ak_queue *q = NULL;
	struct ak_result res;
	char ws[64];
	int pipes[2], st, to, n;
	pid_t pid;

	VA_REQUIRE_ALG("deflate");
	VM_REQUIRE(vm_avail() >= 2, "need two free queues");
	VM_REQUIRE(pipe(pipes) == 0, "pipe");
	/* Forked before the job: a fork would write-protect its buffers. */
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork");
	if (pid == 0)
		_exit(other_main(pipes));
	close(pipes[0]);

	q = vm_open_queue(0);
	if (!q || lj_submit(q, &lj) || lj_wait_engine(q)) {
		close(pipes[1]);
		vm_wait_child(pid, 10000, &to);
		goto out;
	}
	n = ak_reap(q, &res, 1);
	VM_CHECK(n == 0, "the long COMPRESS completed too early: inconclusive");
	if (n > 0) {
		close(pipes[1]);
		vm_wait_child(pid, 10000, &to);
		goto out;
	}

	VM_CHECK(write(pipes[1], "G", 1) == 1, "go");
	close(pipes[1]);
	st = vm_wait_child(pid, WAIT_MS, &to);
	VM_CHECK(!to && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "other process (PUT_Q, close, open, close): %s",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	/* ORDER: all of that returned while the long job still runs. */
	n = ak_reap(q, &res, 1);
	VM_CHECK(n == 0,
		 "the long job completed before the other process's teardown and open returned: they waited for it");

	if (n == 0)
		n = va_reap_n(q, &res, NULL, 1, WAIT_MS);
	VM_CHECK(n == 1, "no completion of the long job within %d ms", WAIT_MS);
	if (n == 1)
		lj_check(&lj, &res);
out:
	ak_queue_close(q);
	lj_free(&lj);
}

/*
 * close() of the queue whose long job is in its engine run: the device
 * drops the job (no completion) and must never write its dst afterwards,
 * nor hand its result to the queue opened next (likely the same hardware
 * queue: the stale result must be discarded, stream contexts too).
 * A regression guard of the non-waiting disable; on device 1.0 close
 * waited for the job, so this passes there too.
 */
static void t_close_during_job(void)
{
	static uint8_t small[8192], out[16384];
	struct long_job lj = { 0 };
	struct ak_queue *q = vm_open_queue(0), *q2;
	struct aks_params p;
	struct ak_result res;
	struct aks_desc d;
	struct ak_job nop;
	uLongf n = sizeof(small);
	uint8_t back[8192];
	int r;

	VA_REQUIRE_ALG("deflate");
	VM_REQUIRE(q, "open");
	if (lj_submit(q, &lj) || lj_wait_engine(q)) {
		ak_queue_close(q);
		lj_free(&lj);
		return;
	}
	ak_queue_close(q);	/* the job is dropped */
	memset(lj.dst, CANARY, LJ_CAP);

	q2 = vm_open_queue(0);
	if (!q2)
		goto out;
	/* Served once the worker is past the dropped job's engine run. */
	memset(&nop, 0, sizeof(nop));
	nop.op = AK_OP_NOP;
	nop.tag = 0x77;
	r = vm_run(q2, &nop, &res);
	VM_CHECK(r == 0 && res.tag == 0x77 && res.status == AKS_ST_SUCCESS,
		 "first job on the next queue: %d, tag %#llx status %s (a stale completion?)",
		 r, (unsigned long long)res.tag, va_st(res.status));
	/* A stream-context job on context 0 works (no stale context). */
	va_fill_text(small, sizeof(small), 23);
	memset(&p, 0, sizeof(p));
	p.alg = AKS_FRAME_ZLIB;
	p.level = 6;
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, small,
		sizeof(small), out, sizeof(out), &p);
	r = va_raw_run(q2, &d, &res, NULL);
	VM_CHECK(r == 0 && res.status == AKS_ST_SUCCESS &&
		 uncompress(back, &n, out, res.bytes) == Z_OK &&
		 n == sizeof(small) && !memcmp(back, small, n),
		 "COMPRESS on the next queue: %d %s", r, va_st(res.status));
	VM_CHECK(ak_reap(q2, &res, 1) == 0, "an extra completion (tag %#llx)",
		 (unsigned long long)res.tag);
	VM_CHECK(vm_first_not(lj.dst, CANARY, LJ_CAP) < 0,
		 "the dropped job wrote its dst at byte %ld after close()",
		 vm_first_not(lj.dst, CANARY, LJ_CAP));
	ak_queue_close(q2);
out:
	lj_free(&lj);
}

/* ---- the timeout path ---- */

/* errno of an open() of the device node, or 0 if it opened (then closed). */
static int open_errno(void)
{
	int fd = open(g_node, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * DEBUG_INJECT IGNORE_INVALIDATIONS: munmap in a process with a bound
 * queue returns after the driver's timeout, the driver resets the device
 * (sysfs timeouts/device_resets, one dmesg line, not broken), later opens
 * work; a rebind of the driver works too.
 */
static void t_timeout_broken(void)
{
	char path[PATH_MAX], first[256] = "";
	struct ak_queue *q;
	uint8_t *a, *b, *src, *dst;
	int before, after, r, err, unbound = 0;
	long resets;

	VM_REQUIRE(vm_discover() == 0, "no device");
	r = vm_resolve_pci();
	VM_REQUIRE(r == 0, "cannot resolve %s/device: %s", g_sysdir,
		   strerror(-r));
	VM_REQUIRE(vm_pci_attr_long("broken") == 0,
		   "%s/broken is %ld before the test, want 0", g_pci_path,
		   vm_pci_attr_long("broken"));
	before = vm_klog_count(BROKEN_MSG);
	VM_REQUIRE(before >= 0, "dmesg unreadable");
	resets = vm_pci_attr_long("device_resets");
	VM_REQUIRE(resets >= 0, "no %s/device_resets", g_pci_path);

	q = vm_open_queue(0);
	a = vm_alloc(AK_PAGE);
	b = vm_alloc(AK_PAGE);
	VM_REQUIRE(q && a && b, "setup");
	VM_CHECK(ak_nop(q) == 0, "NOP before the injection");

	vm_fmt(path, sizeof(path), "%s/debug_inject", g_pci_path);
	r = vm_write_file(path, "1");
	VM_REQUIRE(r == 0, "write 1 to %s: %s", path, strerror(-r));

	/* The invalidation is never completed: munmap returns anyway. */
	VM_CHECK(munmap(a, AK_PAGE) == 0, "munmap: %s", strerror(errno));
	for (r = 0; r < 500 && vm_pci_attr_long("device_resets") == resets; r++)
		usleep(10000);
	VM_CHECK(vm_pci_attr_long("device_resets") == resets + 1,
		 "%s/device_resets is %ld, want %ld", g_pci_path,
		 vm_pci_attr_long("device_resets"), resets + 1);
	VM_CHECK(vm_pci_attr_long("broken") == 0, "%s/broken is %ld, want 0",
		 g_pci_path, vm_pci_attr_long("broken"));
	VM_CHECK(vm_pci_attr_long("timeouts") >= 1, "%s/timeouts is %ld, want >= 1",
		 g_pci_path, vm_pci_attr_long("timeouts"));
	/* A second munmap: no new wait, no new message. */
	VM_CHECK(munmap(b, AK_PAGE) == 0, "second munmap: %s",
		 strerror(errno));
	after = vm_klog_count(BROKEN_MSG);
	VM_CHECK(after == before + 1,
		 "%d kernel log lines with \"%s\", want exactly 1", after - before,
		 BROKEN_MSG);
	r = vm_klog_splats(first, sizeof(first));
	VM_CHECK(r == 0, "kernel splat after the timeout: %s", first);

	/* The device was reset: new queues work. */
	err = open_errno();
	VM_CHECK(err == 0, "open after the device reset: %s", strerror(err));
	ak_queue_close(q);

	/* Recovery: unbind and bind the driver. */
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", g_driver);
	r = vm_write_file(path, g_bdf);
	VM_CHECK(r == 0, "write %s to %s: %s", g_bdf, path, strerror(-r));
	unbound = r == 0;
	if (unbound) {
		vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
		       g_driver);
		r = vm_write_file(path, g_bdf);
		VM_CHECK(r == 0, "write %s to %s: %s", g_bdf, path,
			 strerror(-r));
	}
	VM_REQUIRE(vm_wait_node(5000) == 0, "no device node after the rebind");
	VM_CHECK(vm_pci_attr_long("broken") == 0, "broken is %ld after the rebind",
		 vm_pci_attr_long("broken"));
	q = vm_open_queue(0);
	VM_REQUIRE(q, "open after the rebind");
	src = vm_alloc(65536);
	dst = vm_alloc(65536);
	if (src && dst) {
		vm_fill_random(src, 65536, 9);
		r = ak_copy(q, dst, src, 65536);
		VM_CHECK(r == 0 && !memcmp(dst, src, 65536),
			 "COPY after the rebind: %d", r);
		/* munmap with a bound queue works again, without a message */
		vm_free(src, 65536);
		src = NULL;
		VM_CHECK(vm_pci_attr_long("broken") == 0 &&
			 vm_klog_count(BROKEN_MSG) == before + 1,
			 "munmap after the rebind: broken %ld",
			 vm_pci_attr_long("broken"));
	}
	vm_free(src, 65536);
	vm_free(dst, 65536);
	ak_queue_close(q);
	vm_check_instances_back();
}

/* DEBUG_INJECT.RAISE_ERROR once; wait until the framework counted it. */
static int inject_error(void)
{
	char path[PATH_MAX];
	long want = vm_attr_long("hw_errors") + 1;
	uint64_t deadline = vm_now_ms() + 5000;

	vm_fmt(path, sizeof(path), "%s/debug_inject", g_pci_path);
	if (want <= 0 || vm_write_file(path, "2"))
		return -1;
	while (vm_attr_long("hw_errors") < want) {
		if (vm_now_ms() > deadline)
			return -1;
		usleep(10000);
	}
	return 0;
}

/*
 * isolate_strategy with the upstream meaning: errors allowed per hour,
 * 0 = never isolate. Correctable errors injected through the device's
 * ERR_STATUS reach sysfs hw_errors; one more than the threshold isolates
 * the device: new opens fail with EIO, open queues keep working, the
 * state is sticky until the driver is bound again.
 */
static void t_isolate(void)
{
	char path[PATH_MAX];
	struct ak_queue *q;
	long errs0;
	int err, i, r;

	VM_REQUIRE(vm_discover() == 0, "no device");
	r = vm_resolve_pci();
	VM_REQUIRE(r == 0, "cannot resolve %s/device: %s", g_sysdir,
		   strerror(-r));
	VM_REQUIRE(vm_attr_long("isolate") == 0 && vm_attr_long("isolate_strategy") == 0,
		   "isolate %ld, isolate_strategy %ld before the test, want 0 0",
		   vm_attr_long("isolate"), vm_attr_long("isolate_strategy"));
	errs0 = vm_attr_long("hw_errors");
	VM_REQUIRE(errs0 >= 0, "no %s/hw_errors", g_sysdir);
	q = vm_open_queue(0);
	VM_REQUIRE(q, "open");

	for (i = 0; i < 3; i++)
		VM_CHECK(inject_error() == 0, "injected error %d not counted", i);
	VM_CHECK(vm_attr_long("hw_errors") == errs0 + 3, "hw_errors %ld, want %ld",
		 vm_attr_long("hw_errors"), errs0 + 3);
	VM_CHECK(vm_attr_long("isolate") == 0,
		 "isolated with isolate_strategy 0 (never)");

	vm_fmt(path, sizeof(path), "%s/isolate_strategy", g_sysdir);
	VM_CHECK(vm_write_file(path, "4") == 0, "write isolate_strategy");
	VM_CHECK(vm_attr_long("isolate") == 0, "isolated at 3 errors, limit 4");
	VM_CHECK(inject_error() == 0, "4th error not counted");
	VM_CHECK(vm_attr_long("isolate") == 0, "isolated at 4 errors, limit 4");
	VM_CHECK(inject_error() == 0, "5th error not counted");
	VM_CHECK(vm_attr_long("isolate") == 1, "not isolated at 5 errors, limit 4");

	err = open_errno();
	VM_CHECK(err == EIO, "open of an isolated device: %s, want EIO",
		 err ? strerror(err) : "it opened");
	VM_CHECK(ak_nop(q) == 0, "a queue opened before isolation stopped working");
	/* Sticky: a higher threshold does not bring the device back. */
	VM_CHECK(vm_write_file(path, "0") == 0, "write isolate_strategy 0");
	VM_CHECK(vm_attr_long("isolate") == 1, "isolation undone by a sysfs write");
	ak_queue_close(q);

	/* A new binding of the driver starts with a clean record. */
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", g_driver);
	r = vm_write_file(path, g_bdf);
	VM_REQUIRE(r == 0, "write %s to %s: %s", g_bdf, path, strerror(-r));
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", g_driver);
	r = vm_write_file(path, g_bdf);
	VM_CHECK(r == 0, "write %s to %s: %s", g_bdf, path, strerror(-r));
	VM_REQUIRE(vm_wait_node(5000) == 0, "no device node after the rebind");
	VM_CHECK(vm_attr_long("isolate") == 0 && vm_attr_long("hw_errors") == 0,
		 "after the rebind: isolate %ld hw_errors %ld, want 0 0",
		 vm_attr_long("isolate"), vm_attr_long("hw_errors"));
	q = vm_open_queue(0);
	VM_CHECK(q && ak_nop(q) == 0, "open and NOP after the rebind");
	ak_queue_close(q);
	vm_check_instances_back();
}

static const struct ak_test inval_tests[] = {
	{ "munmap of an unrelated page and of a queued job's tag page returns during a long job; freed frames untouched",
	  t_munmap_during_job },
	{ "another process's PUT_Q, close and open return during a long job",
	  t_teardown_during_job },
	{ "close during a job's engine run: job dropped, dst never written, next queue clean",
	  t_close_during_job },
	{ NULL, NULL },
};

static const struct ak_test inval_timeout_tests[] = {
	{ "an unanswered invalidation: munmap returns, device reset (one message, opens work), rebind works",
	  t_timeout_broken },
	{ "isolate_strategy: errors per hour, 0 never; isolated: open EIO, open queues work, rebind clears",
	  t_isolate },
	{ NULL, NULL },
};

int add_inval_suites(void)
{
	return ak_add_suite("inval-bounded", NULL, NULL, inval_tests);
}

int add_inval_timeout_suite(void)
{
	return ak_add_suite("inval-timeout", NULL, NULL, inval_timeout_tests);
}
