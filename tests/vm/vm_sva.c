// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Shared Virtual Addressing with device page faults: the device may be
 * pointed at memory the CPU never touched, at copy-on-write, file-backed,
 * THP and 1 GiB hugetlb memory, and gets exactly what the CPU would get
 * (docs/device.md "Page requests"; the kernel resolves each request with
 * handle_mm_fault() in the queue owner's mm). A write the VMA forbids
 * still faults and writes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_common.h"

#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif

#define CANARY	0x5C
#define HP	(2ul << 20)
#define GB1	(1ul << 30)

static struct ak_queue *sq;	/* the suite's queue */
static uint64_t sq_caps;

static int sva_init(void)
{
	struct ak_queue_info info;

	if (vm_suite_queue_open(&sq, NULL, &info))
		return -1;
	sq_caps = info.caps;
	return 0;
}

static int sva_clean(void)
{
	return vm_suite_queue_close(&sq);
}

/*
 * Run @j on @q; record a failure unless it completes with @want within
 * @timeout_ms.
 */
static int run_expect_ms(struct ak_queue *q, const struct ak_job *j,
			 uint16_t want, const char *what,
			 struct ak_result *out, int timeout_ms)
{
	struct ak_result res;
	int r = vm_run_ms(q, j, &res, timeout_ms);

	if (out)
		*out = res;
	VM_CHECK(r == 0, "%s: no completion (%d %s)", what, r, strerror(-r));
	if (r)
		return -1;
	VM_CHECK(res.tag == j->tag, "%s: tag 0x%llx", what,
		 (unsigned long long)res.tag);
	VM_CHECK(res.status == want,
		 "%s: status %u (%s), want %s; bytes %llu fault_addr 0x%llx",
		 what, res.status, ak_status_str(res.status),
		 ak_status_str(want), (unsigned long long)res.bytes,
		 (unsigned long long)res.fault_addr);
	if (res.status != want)
		return -1;
	if (want == AK_ST_SUCCESS) {
		VM_CHECK(res.bytes == (j->op == AK_OP_NOP ? 0 : j->len),
			 "%s: bytes %llu, want %llu", what,
			 (unsigned long long)res.bytes,
			 (unsigned long long)j->len);
		return res.bytes == j->len ? 0 : -1;
	}
	return 0;
}

static int run_expect(struct ak_queue *q, const struct ak_job *j,
		      uint16_t want, const char *what, struct ak_result *out)
{
	return run_expect_ms(q, j, want, what, out, AK_JOB_TIMEOUT_MS);
}

static int stats(struct ak_queue *q, struct vm_qstats *s, const char *when)
{
	int r = vm_queue_stats(ak_queue_fd(q), s);

	VM_CHECK(r == 0, "ACCELKIT_CMD_QUEUE_STATS (%s): %d (%s)%s", when, r,
		 strerror(-r), r == -ENOSYS ?
		 ": not defined in kernel/include/uapi/accelkit/accelkit.h" : "");
	return r;
}

/* ------------------------------------------------------------------ */

#define NT_PAGES 16

/* Never-touched src and dst: COPY and FILL succeed byte-exact. */
static void t_never_touched(void)
{
	size_t len = NT_PAGES * AK_PAGE;
	uint8_t *nsrc = vm_fresh(len), *ndst = vm_fresh(len);
	uint8_t *ndst2 = vm_fresh(len), *data = vm_alloc(len);
	uint8_t *tdst = vm_alloc(len);
	uint64_t pat = 0x0f1e2d3c4b5a6978ull;
	struct vm_qstats s0, s1;
	struct ak_job j;
	long bad, res;
	uint64_t dreq, dok, dfail;

	VM_REQUIRE(sq && nsrc && ndst && ndst2 && data && tdst, "setup");
	vm_fill_random(data, len, 101);
	res = vm_resident_pages(ndst, len) + vm_resident_pages(ndst2, len) +
	      vm_resident_pages(nsrc, len);
	VM_REQUIRE(res == 0,
		   "precondition: %ld pages of the fresh mappings are already present",
		   res);
	stats(sq, &s0, "before");

	/* COPY from touched heap into a never-touched dst */
	j = vm_job(AK_OP_COPY, data + 5, ndst + 3, len - 10, 0, 0x5001);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "COPY into never-touched dst",
			NULL)) {
		bad = vm_first_diff(ndst + 3, data + 5, len - 10);
		VM_CHECK(bad < 0, "never-touched dst: byte %ld differs", bad);
		VM_CHECK(vm_first_not(ndst, 0, 3) < 0 &&
			 vm_first_not(ndst + len - 7, 0, 7) < 0,
			 "bytes outside the COPY range are not zero");
	}
	res = vm_resident_pages(ndst, len);
	VM_CHECK(res == NT_PAGES, "dst pages present after the device wrote them: %ld of %d",
		 res, NT_PAGES);

	/* FILL of a never-touched dst */
	j = vm_job(AK_OP_FILL, NULL, ndst2 + 1, len - 2, pat, 0x5002);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "FILL of never-touched dst",
			NULL)) {
		bad = vm_first_not_pattern(ndst2 + 1, pat, len - 2);
		VM_CHECK(bad < 0, "FILL never-touched: byte %ld wrong", bad);
		VM_CHECK(ndst2[0] == 0 && ndst2[len - 1] == 0,
			 "FILL wrote outside its range");
	}

	/* COPY from a never-touched src: the device reads zeros */
	memset(tdst, CANARY, len);
	j = vm_job(AK_OP_COPY, nsrc, tdst, len, 0, 0x5003);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "COPY from never-touched src",
			NULL)) {
		bad = vm_first_not(tdst, 0, len);
		VM_CHECK(bad < 0, "COPY of never-touched src: byte %ld is 0x%02x, want 0",
			 bad, bad < 0 ? 0 : tdst[bad]);
	}

	if (stats(sq, &s1, "after") == 0) {
		dreq = s1.page_requests - s0.page_requests;
		dok = s1.page_faults_resolved - s0.page_faults_resolved;
		dfail = s1.page_faults_failed - s0.page_faults_failed;
		printf("[%llu page requests, %llu resolved, %llu failed] ",
		       (unsigned long long)dreq, (unsigned long long)dok,
		       (unsigned long long)dfail);
		/* 3 jobs over 3 x 16 never-present pages */
		VM_CHECK(dreq >= 3, "page_requests grew by %llu over 3 faulting jobs",
			 (unsigned long long)dreq);
		VM_CHECK(dok >= 3 && dok <= dreq,
			 "page_faults_resolved grew by %llu (requests %llu)",
			 (unsigned long long)dok, (unsigned long long)dreq);
		VM_CHECK(dfail == 0, "page_faults_failed grew by %llu",
			 (unsigned long long)dfail);
		VM_CHECK(dok + dfail == dreq,
			 "requests %llu != resolved %llu + failed %llu on an idle queue",
			 (unsigned long long)dreq, (unsigned long long)dok,
			 (unsigned long long)dfail);
	}
	munmap(nsrc, len);
	munmap(ndst, len);
	munmap(ndst2, len);
	vm_free(data, len);
	vm_free(tdst, len);
}

/* ------------------------------------------------------------------ */
/* 64 MiB jobs: thousands of page requests each */

#define BIG (64ul << 20)
#define BIG_TIMEOUT_MS 240000

static int run_big(struct ak_queue *q, const struct ak_job *j,
		   struct ak_result *res, double *secs)
{
	uint64_t t0 = vm_now_ms();
	int r = ak_submit(q, j);

	if (r)
		return r;
	r = vm_reap_n(q, res, 1, BIG_TIMEOUT_MS) == 1 ? 0 : -ETIMEDOUT;
	*secs = (double)(vm_now_ms() - t0) / 1000.0;
	return r;
}

static void t_64mib(void)
{
	struct ak_queue *q = vm_open_queue(0);
	struct ak_queue_info info;
	uint8_t *chunk = malloc(1 << 20), *src = MAP_FAILED, *dst, *dst2 = NULL;
	uint64_t pat = 0xa1b2c3d4e5f60718ull;
	struct vm_qstats s0, s1;
	struct ak_result res;
	struct ak_job j;
	double secs = 0;
	long bad;
	size_t off;
	int fd, r, timed_out = 0;

	VM_REQUIRE(q && chunk, "setup");
	ak_queue_info(q, &info);
	VM_CHECK(info.max_xfer >= BIG, "max_xfer %llu < 64 MiB",
		 (unsigned long long)info.max_xfer);
	/* src: tmpfs pages filled through write(), never mapped by the CPU
	 * in this process: the device's read faults map them */
	fd = memfd_create("ak-big-src", MFD_CLOEXEC);
	VM_REQUIRE(fd >= 0 && ftruncate(fd, BIG) == 0, "memfd: %s",
		   strerror(errno));
	for (off = 0; off < BIG; off += 1 << 20) {
		vm_fill_random(chunk, 1 << 20, (uint32_t)(off >> 20) + 7000);
		if (pwrite(fd, chunk, 1 << 20, (off_t)off) != 1 << 20)
			break;
	}
	VM_REQUIRE(off == BIG, "pwrite: %s", strerror(errno));
	src = mmap(NULL, BIG, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	dst = vm_fresh(BIG);
	VM_REQUIRE(src != MAP_FAILED && dst, "mmap: %s", strerror(errno));
	VM_CHECK(vm_resident_pages(dst, BIG) == 0, "dst already present");

	stats(q, &s0, "before");
	j = vm_job(AK_OP_COPY, src, dst, BIG, 0, 0x6401);
	r = run_big(q, &j, &res, &secs);
	VM_CHECK(r == 0, "64 MiB COPY: no completion within %d s",
		 BIG_TIMEOUT_MS / 1000);
	if (r) {
		timed_out = 1;
		goto out;
	}
	stats(q, &s1, "after COPY");
	printf("[64 MiB COPY, never-touched dst + unmapped file src: %.1f s, %llu page requests%s] ",
	       secs, (unsigned long long)(s1.page_requests - s0.page_requests),
	       secs > 20.0 ? " -- SLOWER THAN 20 s" : "");
	VM_CHECK(res.status == AK_ST_SUCCESS && res.bytes == BIG,
		 "64 MiB COPY: status %u (%s) bytes %llu fault 0x%llx",
		 res.status, ak_status_str(res.status),
		 (unsigned long long)res.bytes,
		 (unsigned long long)res.fault_addr);
	if (res.status == AK_ST_SUCCESS) {
		bad = vm_first_diff(dst, src, BIG);
		VM_CHECK(bad < 0, "64 MiB COPY: byte %ld differs", bad);
		VM_CHECK(s1.page_requests - s0.page_requests >= BIG / HP,
			 "64 MiB COPY into never-touched 4 KiB pages made only %llu page requests",
			 (unsigned long long)(s1.page_requests - s0.page_requests));
	}
	munmap(dst, BIG);
	dst = NULL;

	dst2 = vm_fresh(BIG);
	VM_REQUIRE(dst2, "mmap");
	j = vm_job(AK_OP_FILL, NULL, dst2, BIG, pat, 0x6402);
	r = run_big(q, &j, &res, &secs);
	VM_CHECK(r == 0, "64 MiB FILL: no completion within %d s",
		 BIG_TIMEOUT_MS / 1000);
	if (r) {
		timed_out = 1;
		goto out;
	}
	printf("[64 MiB FILL never-touched: %.1f s] ", secs);
	VM_CHECK(res.status == AK_ST_SUCCESS && res.bytes == BIG,
		 "64 MiB FILL: status %u (%s) bytes %llu", res.status,
		 ak_status_str(res.status), (unsigned long long)res.bytes);
	if (res.status == AK_ST_SUCCESS) {
		bad = vm_first_not_pattern(dst2, pat, BIG);
		VM_CHECK(bad < 0, "64 MiB FILL: byte %ld wrong", bad);
	}
out:
	/* a job still in flight must not outlive its buffers */
	if (timed_out)
		ak_queue_close(q);
	if (dst)
		munmap(dst, BIG);
	if (dst2)
		munmap(dst2, BIG);
	if (src != MAP_FAILED)
		munmap(src, BIG);
	free(chunk);
	if (!timed_out)
		ak_queue_close(q);
}

/* ------------------------------------------------------------------ */
/* THP: the device's write fault allocates a huge page */

static void t_thp_untouched(void)
{
	char thp[128] = "";
	uint8_t *raw1, *raw2, *h1, *h2, *data = vm_alloc(HP);
	uint64_t pat = 0x7766554433221100ull;
	struct ak_job j;
	long kb, bad;

	VM_REQUIRE(sq && data, "setup");
	vm_read_file("/sys/kernel/mm/transparent_hugepage/enabled", thp,
		     sizeof(thp));
	VM_CHECK(!strstr(thp, "[never]"), "THP disabled: %s", thp);
	raw1 = mmap(NULL, 2 * HP, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	raw2 = mmap(NULL, 2 * HP, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VM_REQUIRE(raw1 != MAP_FAILED && raw2 != MAP_FAILED, "mmap");
	h1 = (uint8_t *)(((uintptr_t)raw1 + HP - 1) & ~(HP - 1));
	h2 = (uint8_t *)(((uintptr_t)raw2 + HP - 1) & ~(HP - 1));
	VM_CHECK(madvise(h1, HP, MADV_HUGEPAGE) == 0 &&
		 madvise(h2, HP, MADV_HUGEPAGE) == 0, "madvise: %s",
		 strerror(errno));
	VM_REQUIRE(vm_resident_pages(h1, HP) == 0 &&
		   vm_resident_pages(h2, HP) == 0,
		   "precondition: THP region already present");

	/* FILL the whole never-touched 2 MiB region */
	j = vm_job(AK_OP_FILL, NULL, h1, HP, pat, 0x7001);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "FILL never-touched THP region",
			NULL)) {
		kb = vm_smaps_kb(h1, "AnonHugePages");
		VM_CHECK(kb >= 2048,
			 "region written only by the device is not huge: AnonHugePages %ld kB (THP: %s)",
			 kb, thp);
		bad = vm_first_not_pattern(h1, pat, HP);
		VM_CHECK(bad < 0, "THP FILL: byte %ld wrong", bad);
	}

	/* COPY into the second never-touched region, across its whole 2 MiB */
	vm_fill_random(data, HP, 3131);
	j = vm_job(AK_OP_COPY, data, h2, HP, 0, 0x7002);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "COPY into never-touched THP region",
			NULL)) {
		kb = vm_smaps_kb(h2, "AnonHugePages");
		VM_CHECK(kb >= 2048,
			 "COPY dst written only by the device is not huge: AnonHugePages %ld kB",
			 kb);
		bad = vm_first_diff(h2, data, HP);
		VM_CHECK(bad < 0, "THP COPY: byte %ld differs", bad);
	}
	munmap(raw1, 2 * HP);
	munmap(raw2, 2 * HP);
	vm_free(data, HP);
}

/* ------------------------------------------------------------------ */
/* 1 GiB hugetlb page, faulted in by the device */

#define HUGE1G_SYS "/sys/kernel/mm/hugepages/hugepages-1048576kB"

static long read_long(const char *path)
{
	char buf[64];

	if (vm_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int cpu_flag(const char *flag)
{
	static char buf[1 << 16];
	char *l, *p;
	size_t fl = strlen(flag);

	if (vm_read_file("/proc/cpuinfo", buf, sizeof(buf)) <= 0)
		return -1;
	l = strstr(buf, "\nflags");
	if (!l)
		return -1;
	l = strchr(l, ':');
	for (p = l; p && *p && *p != '\n'; p++)
		if (p[-1] == ' ' && !strncmp(p, flag, fl) &&
		    (p[fl] == ' ' || p[fl] == '\n'))
			return 1;
	return 0;
}

static void t_hugetlb_1g(void)
{
	static const struct { size_t off, len; } w[] = {
		{ 123, 1 << 20 },		/* start of the page */
		{ (512ul << 20) + 7, 3 << 20 },	/* middle */
		{ GB1 - (64 << 10), 64 << 10 },	/* the last bytes */
	};
	char meminfo[4096] = "";
	uint8_t *p, *data = vm_alloc(4 << 20), *back = vm_alloc(1 << 20);
	long nr = read_long(HUGE1G_SYS "/nr_hugepages");
	long free0 = read_long(HUGE1G_SYS "/free_hugepages"), free1;
	uint64_t pat = 0x1badb002deadbeefull;
	struct ak_job j;
	long bad;
	size_t i;

	VM_REQUIRE(sq && data && back, "setup");
	vm_read_file("/proc/meminfo", meminfo, sizeof(meminfo));
	VM_REQUIRE(nr >= 1 && free0 >= 1,
		   "no free 1 GiB hugetlb page: %s/nr_hugepages %ld free %ld (boot with hugepagesz=1G hugepages=1; CPU pdpe1gb flag: %d; meminfo Hugepagesize: %s)",
		   HUGE1G_SYS, nr, free0, cpu_flag("pdpe1gb"),
		   strstr(meminfo, "Hugepagesize:") ?
		   strstr(meminfo, "Hugepagesize:") + 13 : "?");
	VM_CHECK(sq_caps & (1u << 17), "device CAPS 0x%llx lacks bit 17 (1 GiB leaves)",
		 (unsigned long long)sq_caps);
	p = mmap(NULL, GB1, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
	VM_REQUIRE(p != MAP_FAILED, "mmap MAP_HUGETLB|MAP_HUGE_1GB: %s",
		   strerror(errno));
	VM_CHECK(((uintptr_t)p & (GB1 - 1)) == 0, "1 GiB mapping %p not aligned",
		 (void *)p);
	VM_CHECK(read_long(HUGE1G_SYS "/free_hugepages") == free0,
		 "the page was allocated before any access");

	/* The CPU never touches it before the device wrote it. */
	vm_fill_random(data, 4 << 20, 1919);
	j = vm_job(AK_OP_FILL, NULL, p + w[0].off, w[0].len, pat, 0x8001);
	/*
	 * The guest clears 1 GiB for this fault: under TCG with KASAN on a
	 * busy host that alone can take longer than AK_JOB_TIMEOUT_MS.
	 */
	run_expect_ms(sq, &j, AK_ST_SUCCESS,
		      "FILL start of a never-touched 1 GiB page", NULL, 180000);
	free1 = read_long(HUGE1G_SYS "/free_hugepages");
	VM_CHECK(free1 == free0 - 1,
		 "free 1 GiB pages %ld after the device's write fault, want %ld",
		 free1, free0 - 1);
	j = vm_job(AK_OP_COPY, data, p + w[1].off, w[1].len, 0, 0x8002);
	run_expect(sq, &j, AK_ST_SUCCESS, "COPY into the middle of the 1 GiB page",
		   NULL);
	j = vm_job(AK_OP_FILL, NULL, p + w[2].off, w[2].len, ~pat, 0x8003);
	run_expect(sq, &j, AK_ST_SUCCESS, "FILL the end of the 1 GiB page", NULL);

	bad = vm_first_not_pattern(p + w[0].off, pat, w[0].len);
	VM_CHECK(bad < 0, "1 GiB: FILL at start wrong at %ld", bad);
	bad = vm_first_diff(p + w[1].off, data, w[1].len);
	VM_CHECK(bad < 0, "1 GiB: COPY in the middle differs at %ld", bad);
	bad = vm_first_not_pattern(p + w[2].off, ~pat, w[2].len);
	VM_CHECK(bad < 0, "1 GiB: FILL at the end wrong at %ld", bad);
	for (i = 0; i < 3; i++) {
		size_t lo = w[i].off > (64 << 10) ? w[i].off - (64 << 10) : 0;
		size_t end = w[i].off + w[i].len;
		size_t hi = end + (64 << 10) < GB1 ? end + (64 << 10) : GB1;

		VM_CHECK(vm_first_not(p + lo, 0, w[i].off - lo) < 0 &&
			 vm_first_not(p + end, 0, hi - end) < 0,
			 "1 GiB: bytes next to window %zu changed", i);
	}
	/* and out of it again */
	memset(back, CANARY, 1 << 20);
	j = vm_job(AK_OP_COPY, p + w[1].off + 5, back, 1 << 20, 0, 0x8004);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "COPY out of the 1 GiB page", NULL))
		VM_CHECK(vm_first_diff(back, data + 5, 1 << 20) < 0,
			 "COPY from the 1 GiB page differs");
	munmap(p, GB1);
	vm_free(data, 4 << 20);
	vm_free(back, 1 << 20);
}

/* ------------------------------------------------------------------ */
/* MAP_SHARED tmpfs file */

#define SH_PAGES 8

static void t_shared_file(void)
{
	char path[] = "/dev/shm/ak-sva-XXXXXX";
	size_t len = SH_PAGES * AK_PAGE;
	uint8_t *m, *data = vm_alloc(len), *rd = malloc(len);
	uint64_t pat = 0x3141592653589793ull;
	volatile uint8_t sink = 0;
	long dirty0, dirty1, bad;
	struct ak_job j;
	size_t i;
	int fd;

	VM_REQUIRE(sq && data && rd, "setup");
	fd = mkstemp(path);
	VM_REQUIRE(fd >= 0, "mkstemp %s: %s", path, strerror(errno));
	unlink(path);
	VM_REQUIRE(ftruncate(fd, (off_t)len) == 0, "ftruncate");
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	VM_REQUIRE(m != MAP_FAILED, "mmap MAP_SHARED: %s", strerror(errno));
	/* The CPU only reads: every page is mapped, none is dirty. */
	for (i = 0; i < len; i += AK_PAGE)
		sink += m[i];
	(void)sink;
	dirty0 = vm_smaps_kb(m, "Shared_Dirty") +
		 vm_smaps_kb(m, "Private_Dirty");

	j = vm_job(AK_OP_FILL, NULL, m + 100, len / 2 - 100, pat, 0x9001);
	run_expect(sq, &j, AK_ST_SUCCESS, "FILL of a MAP_SHARED tmpfs mapping",
		   NULL);
	vm_fill_random(data, len, 4711);
	j = vm_job(AK_OP_COPY, data, m + len / 2, len / 2 - 3, 0, 0x9002);
	run_expect(sq, &j, AK_ST_SUCCESS, "COPY into a MAP_SHARED tmpfs mapping",
		   NULL);

	/* visible through the file */
	memset(rd, 0xee, len);
	VM_REQUIRE(pread(fd, rd, len, 0) == (ssize_t)len, "pread: %s",
		   strerror(errno));
	VM_CHECK(vm_first_not(rd, 0, 100) < 0, "file bytes before the FILL changed");
	bad = vm_first_not_pattern(rd + 100, pat, len / 2 - 100);
	VM_CHECK(bad < 0, "read(): FILLed byte %ld wrong", bad);
	bad = vm_first_diff(rd + len / 2, data, len / 2 - 3);
	VM_CHECK(bad < 0, "read(): COPYed byte %ld differs", bad);
	VM_CHECK(vm_first_not(rd + len - 3, 0, 3) < 0, "file tail changed");

	/*
	 * Dirty tracking. A read fault on a shared tmpfs mapping maps the page
	 * writable but clean (tmpfs needs no write notification), so before
	 * the jobs smaps reports 0 kB dirty; the device must then set the
	 * PTE's Dirty bit like a CPU store would (docs/device.md, translation
	 * step 4), which smaps reports as Shared_/Private_Dirty. Only if the
	 * kernel already counted the pages dirty before the jobs (then the
	 * check would prove nothing) is the assertion left out.
	 */
	dirty1 = vm_smaps_kb(m, "Shared_Dirty") +
		 vm_smaps_kb(m, "Private_Dirty");
	printf("[smaps dirty %ld kB -> %ld kB] ", dirty0, dirty1);
	if (dirty0 == 0)
		VM_CHECK(dirty1 >= (long)(len / 1024),
			 "pages written only by the device are not dirty: %ld kB dirty of %zu kB (Dirty bit not set by the device?)",
			 dirty1, len / 1024);
	else
		printf("[dirty not observable: %ld kB dirty after read-only touch] ",
		       dirty0);
	munmap(m, len);
	close(fd);
	vm_free(data, len);
	free(rd);
}

/* ------------------------------------------------------------------ */
/* MAP_PRIVATE copy-on-write after fork */

#define COW_PAGES 8

static void t_cow_fork(void)
{
	size_t len = COW_PAGES * AK_PAGE;
	uint8_t *buf = vm_alloc(len), *orig = malloc(len), *data = vm_alloc(len);
	uint64_t pat = 0xc0ffee00c0ffee00ull;
	int p2c[2], c2p[2], st, to;
	struct vm_qstats s0, s1;
	unsigned char verdict = 0xff;
	struct ak_job j;
	char ws[64];
	long bad;
	pid_t pid;

	VM_REQUIRE(sq && buf && orig && data, "setup");
	vm_fill_random(buf, len, 2222);
	memcpy(orig, buf, len);
	vm_fill_random(data, len, 3333);
	VM_REQUIRE(pipe(p2c) == 0 && pipe(c2p) == 0, "pipe");
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		char c;
		long d;

		close(p2c[1]);
		close(c2p[0]);
		if (read(p2c[0], &c, 1) != 1)
			_exit(2);
		/* the parent's device writes are done: the child's view is
		 * still the bytes from before the fork */
		d = vm_first_diff(buf, orig, len);
		c = d < 0 ? 0 : 1;
		if (write(c2p[1], &c, 1) != 1)
			_exit(3);
		_exit(d < 0 ? 0 : 1);
	}
	close(p2c[0]);
	close(c2p[1]);
	stats(sq, &s0, "before");
	/* the parent's PTEs are write-protected now: the device's writes
	 * must break COW exactly like a CPU store */
	j = vm_job(AK_OP_FILL, NULL, buf + 10, len / 2 - 10, pat, 0xa001);
	run_expect(sq, &j, AK_ST_SUCCESS, "FILL of a COW-shared private buffer",
		   NULL);
	j = vm_job(AK_OP_COPY, data, buf + len / 2, len / 2 - 10, 0, 0xa002);
	run_expect(sq, &j, AK_ST_SUCCESS, "COPY into a COW-shared private buffer",
		   NULL);
	if (stats(sq, &s1, "after") == 0)
		VM_CHECK(s1.page_requests - s0.page_requests >= 2,
			 "writes to COW pages made %llu page requests",
			 (unsigned long long)(s1.page_requests -
					      s0.page_requests));
	VM_CHECK(write(p2c[1], "g", 1) == 1, "handshake");
	VM_CHECK(read(c2p[0], &verdict, 1) == 1, "no verdict from the child");
	VM_CHECK(verdict == 0,
		 "the child sees the parent's device writes: COW not broken (device wrote the shared page)");
	st = vm_wait_child(pid, 10000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	/* the parent sees its new bytes */
	VM_CHECK(vm_first_diff(buf, orig, 10) < 0, "parent: bytes before FILL changed");
	bad = vm_first_not_pattern(buf + 10, pat, len / 2 - 10);
	VM_CHECK(bad < 0, "parent: FILL byte %ld wrong", bad);
	bad = vm_first_diff(buf + len / 2, data, len / 2 - 10);
	VM_CHECK(bad < 0, "parent: COPY byte %ld differs", bad);
	VM_CHECK(vm_first_diff(buf + len - 10, orig + len - 10, 10) < 0,
		 "parent: tail changed");
	close(p2c[1]);
	close(c2p[0]);
	vm_free(buf, len);
	vm_free(data, len);
	free(orig);
}

/* ------------------------------------------------------------------ */
/* mprotect between jobs */

static void t_mprotect(void)
{
	size_t len = 4 * AK_PAGE;
	uint8_t *buf = vm_alloc(len), *dst = vm_alloc(len);
	uint64_t p1 = 0x1111222233334444ull, p2 = 0x5555666677778888ull;
	struct vm_qstats s0, s1;
	struct ak_result res;
	struct ak_job j;

	VM_REQUIRE(sq && buf && dst, "setup");
	j = vm_job(AK_OP_FILL, NULL, buf, len, p1, 0xb001);
	run_expect(sq, &j, AK_ST_SUCCESS, "FILL before mprotect", NULL);
	VM_CHECK(vm_first_not_pattern(buf, p1, len) < 0, "FILL before mprotect: data");

	VM_REQUIRE(mprotect(buf, len, PROT_READ) == 0, "mprotect: %s",
		   strerror(errno));
	stats(sq, &s0, "before");
	j = vm_job(AK_OP_FILL, NULL, buf + 1, len - 2, p2, 0xb002);
	if (!run_expect(sq, &j, AK_ST_XLATE_FAULT, "FILL of mprotect(PROT_READ) buffer",
			&res)) {
		VM_CHECK(res.bytes == 0, "faulting FILL: bytes %llu",
			 (unsigned long long)res.bytes);
		VM_CHECK(res.fault_addr >= (uintptr_t)buf + 1 &&
			 res.fault_addr < (uintptr_t)buf + len - 1,
			 "fault_addr 0x%llx outside the job",
			 (unsigned long long)res.fault_addr);
	}
	VM_CHECK(vm_first_not_pattern(buf, p1, len) < 0,
		 "read-only buffer written by a faulting job");
	if (stats(sq, &s1, "after") == 0) {
		VM_CHECK(s1.page_requests - s0.page_requests >= 1,
			 "write to a read-only PTE made no page request");
		VM_CHECK(s1.page_faults_failed - s0.page_faults_failed >= 1,
			 "page_faults_failed did not grow (%llu -> %llu)",
			 (unsigned long long)s0.page_faults_failed,
			 (unsigned long long)s1.page_faults_failed);
	}
	/* reading is still allowed */
	memset(dst, CANARY, len);
	j = vm_job(AK_OP_COPY, buf, dst, len, 0, 0xb003);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "COPY from the read-only buffer", NULL))
		VM_CHECK(vm_first_not_pattern(dst, p1, len) < 0, "COPY data");

	VM_REQUIRE(mprotect(buf, len, PROT_READ | PROT_WRITE) == 0, "mprotect RW");
	j = vm_job(AK_OP_FILL, NULL, buf, len, p2, 0xb004);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "FILL after mprotect back to RW", NULL))
		VM_CHECK(vm_first_not_pattern(buf, p2, len) < 0,
			 "FILL after mprotect RW: data");
	vm_free(buf, len);
	vm_free(dst, len);
}

/* ------------------------------------------------------------------ */
/* MADV_DONTNEED between jobs */

static void t_dontneed(void)
{
	size_t len = 8 * AK_PAGE;
	uint8_t *src = vm_alloc(len), *dst = vm_alloc(len);
	struct vm_qstats s0, s1;
	struct ak_job j;
	long bad;

	VM_REQUIRE(sq && src && dst, "setup");
	madvise(src, len, MADV_NOHUGEPAGE);
	vm_fill_random(src, len, 8080);
	j = vm_job(AK_OP_COPY, src, dst, len, 0, 0xc001);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "COPY before MADV_DONTNEED", NULL))
		VM_CHECK(vm_first_diff(dst, src, len) < 0, "COPY data");
	VM_REQUIRE(madvise(src, len, MADV_DONTNEED) == 0, "madvise: %s",
		   strerror(errno));
	VM_CHECK(vm_resident_pages(src, len) == 0,
		 "pages still present after MADV_DONTNEED");
	memset(dst, CANARY, len);
	stats(sq, &s0, "before");
	j = vm_job(AK_OP_COPY, src, dst, len, 0, 0xc002);
	if (!run_expect(sq, &j, AK_ST_SUCCESS, "COPY after MADV_DONTNEED", NULL)) {
		bad = vm_first_not(dst, 0, len);
		VM_CHECK(bad < 0,
			 "COPY after MADV_DONTNEED: byte %ld is 0x%02x, want 0 (stale page?)",
			 bad, bad < 0 ? 0 : dst[bad]);
	}
	if (stats(sq, &s1, "after") == 0)
		VM_CHECK(s1.page_requests - s0.page_requests >= 1,
			 "no page request after MADV_DONTNEED");
	vm_free(src, len);
	vm_free(dst, len);
}

static const struct ak_test sva_tests[] = {
	{ "never-touched src/dst: COPY/FILL byte-exact, page requests counted", t_never_touched },
	{ "64 MiB never-touched COPY and FILL (thousands of faults), timed", t_64mib },
	{ "THP: never-touched 2 MiB region written by the device is huge", t_thp_untouched },
	{ "hugetlb 1 GiB page faulted in by the device: byte-exact", t_hugetlb_1g },
	{ "MAP_SHARED tmpfs file: device writes visible via read(), dirty", t_shared_file },
	{ "MAP_PRIVATE after fork: device write breaks COW like the CPU", t_cow_fork },
	{ "mprotect(PROT_READ) between jobs: write faults, nothing written", t_mprotect },
	{ "MADV_DONTNEED between jobs: next COPY re-faults and reads zeros", t_dontneed },
	{ NULL, NULL },
};

int add_sva_suites(void)
{
	return ak_add_suite("sva-memory", sva_init, sva_clean, sva_tests);
}
