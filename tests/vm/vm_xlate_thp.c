// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The translation-cache cases on huge pages: a 2 MiB entry must not
 * outlive the split of its PMD (MADV_DONTNEED or mprotect of one 4 KiB
 * page inside it), 4 KiB entries must not outlive MADV_COLLAPSE (which
 * frees the small pages), and a 1 GiB entry must not outlive the munmap of
 * its hugetlb page. See vm_xlate.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_xlate.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif

#define THP_K	5	/* the 4 KiB page that splits the PMD */

/*
 * A THP at a 2 MiB-aligned address (its own MADV_HUGEPAGE VMA inside a
 * 4 MiB mapping, *raw), filled with bytes of @seed. No THP is a setup
 * failure: the cases would test 4 KiB entries only.
 */
static uint8_t *xc_thp(struct xc *x, uint8_t **raw, uint32_t seed)
{
	char thp[128] = "", defrag[128] = "";
	uint8_t *r, *h;
	long kb;

	*raw = NULL;
	r = mmap(NULL, 2 * VP_HP, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		xc_fail(x, "setup: mmap 4 MiB: %s", strerror(errno));
		return NULL;
	}
	h = (uint8_t *)(((uintptr_t)r + VP_HP - 1) & ~(VP_HP - 1));
	if (madvise(h, VP_HP, MADV_HUGEPAGE) < 0) {
		xc_fail(x, "setup: madvise(MADV_HUGEPAGE): %s", strerror(errno));
		munmap(r, 2 * VP_HP);
		return NULL;
	}
	vm_fill_random(h, VP_HP, seed);	/* the first touch allocates it */
	kb = vp_thp_kb(h);
	if (kb < 2048) {
		vm_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
			     thp, sizeof(thp));
		vm_read_file("/sys/kernel/mm/transparent_hugepage/defrag",
			     defrag, sizeof(defrag));
		xc_fail(x, "setup: no THP: AnonHugePages %ld kB for the 2 MiB-aligned MADV_HUGEPAGE region (THP enabled: %.60s, defrag: %.60s)",
			kb, thp, defrag);
		munmap(r, 2 * VP_HP);
		return NULL;
	}
	*raw = r;
	return h;
}

/* MADV_DONTNEED of one page splits the PMD; job 2 reads zeros there. */
void case_thp_split(struct xc *x)
{
	uint8_t *raw = NULL, *h = xc_thp(x, &raw, 0x5555);
	uint8_t *orig = malloc(VP_HP), *want = malloc(VP_HP);
	uint8_t *d = vm_alloc(VP_HP), *k;
	uint64_t pat = 0x5a5a5a5aa5a5a5a5ull;
	struct ak_job j;
	long kb;
	int ok;

	if (!h || !orig || !want || !d)
		goto out;
	k = h + THP_K * AK_PAGE;
	memcpy(orig, h, VP_HP);
	j = vm_job(AK_OP_COPY, h, d, VP_HP, 0, 0x5001);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 1 (COPY of the THP)", NULL))
		xc_data(x, d, orig, NULL, VP_HP, "job 1");

	xc_keep_begin(x);
	if (madvise(k, AK_PAGE, MADV_DONTNEED) < 0)
		xc_fail(x, "madvise(MADV_DONTNEED) of one page: %s",
			strerror(errno));
	kb = vp_thp_kb(h);
	if (kb >= 2048)
		xc_fail(x, "setup: still AnonHugePages %ld kB after MADV_DONTNEED of one page: not split",
			kb);
	memcpy(want, orig, VP_HP);
	memset(want + THP_K * AK_PAGE, 0, AK_PAGE);
	memset(d, XC_CANARY, VP_HP);
	j = vm_job(AK_OP_COPY, h, d, VP_HP, 0, 0x5002);
	ok = !xc_job(x, &j, AK_ST_SUCCESS, "job 2 (COPY after the split)", NULL);
	xc_keep_end(x);
	if (ok)
		xc_data(x, d, want, orig, VP_HP,
			"job 2 (zeros in the dropped page, the rest unchanged)");
	if (!x->q)
		goto out;

	/* a write across the dropped page (read-mapped to the zero page by
	 * job 2): a fresh page, never the zero page */
	j = vm_job(AK_OP_FILL, NULL, k - 8, AK_PAGE + 16, pat, 0x5003);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 3 (FILL across the dropped page)",
		    NULL)) {
		xc_pattern(want + THP_K * AK_PAGE - 8, pat, AK_PAGE + 16);
		xc_data(x, h, want, NULL, VP_HP, "job 3");
	}
out:
	if (raw)
		munmap(raw, 2 * VP_HP);
	vm_free(d, VP_HP);
	free(orig);
	free(want);
}

/* mprotect of one page splits the PMD; the device write faults there
 * (never in proof mode). */
void case_thp_mprotect(struct xc *x)
{
	uint8_t *raw = NULL, *h = xc_thp(x, &raw, 0x8888);
	uint8_t *want = malloc(VP_HP), *ro;
	uint64_t p1 = 0x0101010110101010ull, p2 = 0x2020202002020202ull;
	struct ak_result res;
	struct ak_job j;

	if (!h || !want)
		goto out;
	ro = h + 9 * AK_PAGE;
	/* job 1 writes through the 2 MiB leaf: a writable 2M entry */
	if (xc_fill(x, h, VP_HP, p1, 0x6001, want, "job 1 (FILL of the THP)"))
		goto out;
	if (vp_thp_kb(h) < 2048)
		xc_fail(x, "setup: the THP was split before the mprotect (AnonHugePages %ld kB)",
			vp_thp_kb(h));

	if (mprotect(ro, AK_PAGE, PROT_READ) < 0) {
		xc_fail(x, "mprotect(PROT_READ) of one page: %s",
			strerror(errno));
		goto out;
	}
	j = vm_job(AK_OP_FILL, NULL, h, VP_HP, p2, 0x6002);
	if (!xc_job(x, &j, AK_ST_XLATE_FAULT,
		    "job 2 (FILL over the page made read-only)", &res) &&
	    (res.err != -EFAULT || res.bytes != 0 ||
	     (res.fault_addr & ~(AK_PAGE - 1)) != (uintptr_t)ro))
		xc_fail(x, "job 2: err %d bytes %llu fault_addr %#llx, want -EFAULT, 0 bytes, a fault in %p",
			res.err, (unsigned long long)res.bytes,
			(unsigned long long)res.fault_addr, (void *)ro);
	xc_data(x, h, want, NULL, VP_HP,
		"after job 2 (a write fault must write nothing)");

	if (mprotect(ro, AK_PAGE, PROT_READ | PROT_WRITE) < 0) {
		xc_fail(x, "mprotect back to RW: %s", strerror(errno));
		goto out;
	}
	xc_fill(x, h, VP_HP, p2, 0x6003, want,
		"job 3 (FILL after mprotect RW)");
out:
	if (raw)
		munmap(raw, 2 * VP_HP);
	free(want);
}

/*
 * Split, job 1 caches 4 KiB entries, MADV_COLLAPSE makes a new huge page
 * (the small pages are freed), the CPU writes it: job 2 reads the CPU's
 * new bytes.
 */
void case_thp_collapse(struct xc *x)
{
	uint8_t *raw = NULL, *h = xc_thp(x, &raw, 0x6666);
	uint8_t *orig = malloc(VP_HP), *newb = malloc(VP_HP);
	uint8_t *d = vm_alloc(VP_HP);
	uint64_t pat = 0x7e7e7e7ee7e7e7e7ull;
	struct ak_job j;
	int r = -1, e = 0, i, ok;
	long kb;

	if (!h || !orig || !newb || !d)
		goto out;
	if (madvise(h + THP_K * AK_PAGE, AK_PAGE, MADV_DONTNEED) < 0 ||
	    vp_thp_kb(h) >= 2048) {
		xc_fail(x, "setup: split by MADV_DONTNEED: %s, AnonHugePages %ld kB",
			strerror(errno), vp_thp_kb(h));
		goto out;
	}
	memcpy(orig, h, VP_HP);
	j = vm_job(AK_OP_COPY, h, d, VP_HP, 0, 0x7001);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 1 (COPY of the split THP)", NULL))
		xc_data(x, d, orig, NULL, VP_HP, "job 1");

	xc_keep_begin(x);
	for (i = 0; i < 20; i++) {
		r = madvise(h, VP_HP, MADV_COLLAPSE);
		e = errno;
		if (!r || e != EAGAIN)
			break;
		usleep(100000);
	}
	if (r) {
		xc_fail(x, "setup: madvise(MADV_COLLAPSE): %s%s", strerror(e),
			e == EINVAL ? " (Linux 6.1 has MADV_COLLAPSE: is THP off?)" : "");
		xc_keep_end(x);
		goto out;
	}
	kb = vp_thp_kb(h);
	if (kb < 2048)
		xc_fail(x, "setup: MADV_COLLAPSE returned 0 but AnonHugePages is %ld kB",
			kb);
	vm_fill_random(newb, VP_HP, 0x7777);
	memcpy(h, newb, VP_HP);	/* the CPU writes the new huge page */
	memset(d, XC_CANARY, VP_HP);
	j = vm_job(AK_OP_COPY, h, d, VP_HP, 0, 0x7002);
	ok = !xc_job(x, &j, AK_ST_SUCCESS, "job 2 (COPY after MADV_COLLAPSE)",
		     NULL);
	xc_keep_end(x);
	if (ok)
		xc_data(x, d, newb, orig, VP_HP,
			"job 2 (the collapsed page's new bytes)");
	if (!x->q)
		goto out;

	xc_fill(x, h, VP_HP, pat, 0x7003, newb,
		"job 3 (FILL of the collapsed page)");
	kb = vp_thp_kb(h);
	if (kb < 2048)
		xc_fail(x, "AnonHugePages %ld kB after the device wrote the collapsed page",
			kb);
out:
	if (raw)
		munmap(raw, 2 * VP_HP);
	vm_free(d, VP_HP);
	free(orig);
	free(newb);
}


/*
 * A 1 GiB hugetlb page read by job 1 (a 1 GiB entry), unmapped, and a
 * memfd mapped MAP_FIXED at the same VA inside its range: job 2 reads the
 * memfd. The freed page goes back to the hugetlb pool, where it keeps its
 * bytes (so the KEEP_IOTLB proof reads them, and nothing else uses it).
 */
#define G1	(1ul << 30)
#define G1_OFF	((512ul << 20) + 3 * AK_PAGE)
#define G1_LEN	(64ul << 10)

void case_huge1g_remap(struct xc *x)
{
	uint8_t *p = MAP_FAILED, *m = MAP_FAILED, *va;
	uint8_t *d = vm_alloc(G1_LEN), *rd = malloc(G1_LEN);
	uint8_t *oldb = malloc(G1_LEN), *newb = malloc(G1_LEN);
	uint64_t pat = 0x1e1e1e1ee1e1e1e1ull;
	struct ak_job j;
	int fy = -1, ok;

	if (!d || !rd || !oldb || !newb) {
		xc_fail(x, "setup: out of memory");
		goto out;
	}
	p = mmap(NULL, G1, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
	if (p == MAP_FAILED) {
		xc_fail(x, "setup: no 1 GiB hugetlb page (the VM boots with hugepagesz=1G hugepages=1): %s",
			strerror(errno));
		goto out;
	}
	va = p + G1_OFF;
	vm_fill_random(oldb, G1_LEN, 0x9999);
	memcpy(va, oldb, G1_LEN);	/* the CPU's fault allocates it */
	vm_fill_random(newb, G1_LEN, 0xaaaa);
	fy = memfd_create("xc-1g-new", MFD_CLOEXEC);
	if (fy < 0 || pwrite(fy, newb, G1_LEN, 0) != (ssize_t)G1_LEN) {
		xc_fail(x, "setup: memfd: %s", strerror(errno));
		goto out;
	}
	j = vm_job(AK_OP_COPY, va, d, G1_LEN, 0, 0x9001);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 1 (COPY from the 1 GiB page)",
		    NULL))
		xc_data(x, d, oldb, NULL, G1_LEN, "job 1");

	xc_keep_begin(x);
	munmap(p, G1);
	p = MAP_FAILED;
	m = mmap(va, G1_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fy, 0);
	if (m != va) {
		xc_fail(x, "setup: mmap MAP_FIXED at %p gave %p: %s", (void *)va,
			(void *)m, strerror(errno));
		m = MAP_FAILED;
		xc_keep_end(x);
		goto out;
	}
	memset(d, XC_CANARY, G1_LEN);
	j = vm_job(AK_OP_COPY, va, d, G1_LEN, 0, 0x9002);
	ok = !xc_job(x, &j, AK_ST_SUCCESS,
		     "job 2 (COPY after munmap of the 1 GiB page + mmap of a memfd there)",
		     NULL);
	xc_keep_end(x);
	if (ok)
		xc_data(x, d, newb, oldb, G1_LEN, "job 2 (the memfd's bytes)");
	if (!x->q)
		goto out;

	j = vm_job(AK_OP_FILL, NULL, va, G1_LEN, pat, 0x9003);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 3 (FILL of the memfd mapping)",
		    NULL)) {
		xc_pattern(newb, pat, G1_LEN);
		if (pread(fy, rd, G1_LEN, 0) != (ssize_t)G1_LEN)
			xc_fail(x, "pread: %s", strerror(errno));
		else
			xc_data(x, rd, newb, NULL, G1_LEN,
				"job 3, read() of the memfd");
	}
out:
	if (p != MAP_FAILED)
		munmap(p, G1);
	if (m != MAP_FAILED)
		munmap(m, G1_LEN);
	if (fy >= 0)
		close(fy);
	vm_free(d, G1_LEN);
	free(rd);
	free(oldb);
	free(newb);
}
