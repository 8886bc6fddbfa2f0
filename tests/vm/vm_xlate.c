// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device's translation cache (docs/device.md, contract 2.1: an IOTLB
 * keyed by PASID and VA page, 4K/2M/1G entries, emptied by invalidation
 * descriptors) never serves a stale translation. Every case runs job 1
 * (which fills the cache with the current translations), changes the
 * mapping from the CPU, then runs job 2, which must get the CPU's current
 * answer. Each case also proves through the sample driver's iotlb_hits
 * counter that the cache served translations.
 *
 * The last test proves the cases can fail: with DEBUG_INJECT KEEP_IOTLB
 * (invalidations complete but drop nothing) the read cases whose old page
 * stays allocated must see the old bytes. That runs in a child process
 * whose job 2 only reads; the bit is cleared and the child's queue closed
 * (a WHOLE_SPACE invalidation, honoured again) before any old page can be
 * freed, so no stale translation outlives the window. A write through a
 * stale translation could hit a freed page: the write cases never run
 * with the bit set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_xlate.h"

void xc_fail(struct xc *x, const char *fmt, ...)
{
	char m[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	printf("\n    xlate-cache: %s", m);
	if (!x->fails++)
		snprintf(x->msg, sizeof(x->msg), "%s", m);
}

/* Proof mode: set KEEP_IOTLB before the CPU changes the mapping. */
void xc_keep_begin(struct xc *x)
{
	int r;

	if (!x->keep)
		return;
	r = vp_debug_inject(VP_DBG_KEEP_IOTLB);
	if (r < 0)
		xc_fail(x, "write %d to debug_inject: %s", VP_DBG_KEEP_IOTLB,
			strerror(-r));
	else
		x->keep_on = 1;
}

/*
 * Proof mode, right after job 2: clear the bit, then close the queue:
 * the unbind's WHOLE_SPACE invalidation drops whatever the window left.
 */
void xc_keep_end(struct xc *x)
{
	int r;

	if (!x->keep)
		return;
	if (x->keep_on) {
		r = vp_debug_inject(0);
		if (r < 0) {
			xc_fail(x, "clear debug_inject: %s", strerror(-r));
			x->keep_stuck = 1;
		}
		x->keep_on = 0;
	}
	ak_queue_close(x->q);
	x->q = NULL;
}

/*
 * Run @j; record a failure unless it completes with @want (and, for
 * SUCCESS, all its bytes). 0 if it did. A job that does not complete is
 * abandoned by closing the queue, so its buffers may be freed.
 */
int xc_job(struct xc *x, const struct ak_job *j, uint16_t want,
	   const char *what, struct ak_result *out)
{
	struct ak_result res;
	uint64_t bytes = j->op == AK_OP_NOP ? 0 : j->len;
	int r;

	if (!x->q) {
		xc_fail(x, "%s: no queue", what);
		return -1;
	}
	r = vm_run_ms(x->q, j, &res, XC_TIMEOUT_MS);
	if (out)
		*out = res;
	if (r) {
		xc_fail(x, "%s: no completion within %d s (%s)", what,
			XC_TIMEOUT_MS / 1000, strerror(-r));
		if (x->keep) {
			xc_keep_end(x);
		} else {
			ak_queue_close(x->q);
			x->q = NULL;
		}
		return -1;
	}
	if (res.tag != j->tag || res.status != want ||
	    (want == AK_ST_SUCCESS && res.bytes != bytes)) {
		xc_fail(x, "%s: tag %#llx status %s bytes %llu fault_addr %#llx, want tag %#llx status %s%s",
			what, (unsigned long long)res.tag,
			ak_status_str(res.status),
			(unsigned long long)res.bytes,
			(unsigned long long)res.fault_addr,
			(unsigned long long)j->tag, ak_status_str(want),
			want == AK_ST_SUCCESS ? " with every byte" : "");
		return -1;
	}
	return 0;
}

/* Compare job 2's bytes with the CPU's answer; note when every wrong
 * byte is the old mapping's (@old may be NULL). */
void xc_data(struct xc *x, const uint8_t *got, const uint8_t *want,
	     const uint8_t *old, size_t len, const char *what)
{
	size_t i, ndiff = 0, nold = 0;
	long first = -1;

	for (i = 0; i < len; i++) {
		if (got[i] == want[i])
			continue;
		if (first < 0)
			first = (long)i;
		ndiff++;
		nold += old && got[i] == old[i];
	}
	if (!ndiff)
		return;
	if (nold == ndiff)
		x->stale = 1;
	xc_fail(x, "%s: %zu bytes wrong, the first at %ld: 0x%02x, want 0x%02x%s",
		what, ndiff, first, got[first], want[first],
		nold == ndiff ? " (every wrong byte is the old mapping's: a stale translation)" :
		nold ? " (some are the old mapping's)" : "");
}

void xc_pattern(uint8_t *p, uint64_t pat, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = vm_pat_byte(pat, i);
}

int xc_fill(struct xc *x, uint8_t *p, size_t len, uint64_t pat, uint64_t tag,
	    uint8_t *want, const char *what)
{
	struct ak_job j = vm_job(AK_OP_FILL, NULL, p, len, pat, tag);
	int r = xc_job(x, &j, AK_ST_SUCCESS, what, NULL);

	if (!r) {
		xc_pattern(want, pat, len);
		xc_data(x, p, want, NULL, len, what);
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* munmap + mmap MAP_FIXED of another object at the same VA */

#define RM_LEN	(16 * AK_PAGE)

static void case_remap(struct xc *x)
{
	uint8_t *oldb = malloc(RM_LEN), *newb = malloc(RM_LEN);
	uint8_t *rd = malloc(RM_LEN), *d = vm_alloc(RM_LEN);
	uint8_t *va = MAP_FAILED, *m;
	uint64_t pat = 0x0123456789abcdefull;
	int fx = -1, fy = -1, ok;
	struct ak_job j;

	if (!oldb || !newb || !rd || !d) {
		xc_fail(x, "setup: out of memory");
		goto out;
	}
	/* The old object is a memfd: its pages outlive the munmap. */
	vm_fill_random(oldb, RM_LEN, 0x1111);
	vm_fill_random(newb, RM_LEN, 0x2222);
	fx = memfd_create("xc-old", MFD_CLOEXEC);
	fy = memfd_create("xc-new", MFD_CLOEXEC);
	if (fx < 0 || fy < 0 ||
	    pwrite(fx, oldb, RM_LEN, 0) != (ssize_t)RM_LEN ||
	    pwrite(fy, newb, RM_LEN, 0) != (ssize_t)RM_LEN) {
		xc_fail(x, "setup: memfd: %s", strerror(errno));
		goto out;
	}
	va = mmap(NULL, RM_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fx, 0);
	if (va == MAP_FAILED || memcmp(va, oldb, RM_LEN)) {
		xc_fail(x, "setup: mmap of the old object: %s", strerror(errno));
		goto out;
	}
	j = vm_job(AK_OP_COPY, va, d, RM_LEN, 0, 0x1001);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 1 (COPY from the old object)",
		    NULL))
		xc_data(x, d, oldb, NULL, RM_LEN, "job 1");

	xc_keep_begin(x);
	munmap(va, RM_LEN);
	m = mmap(va, RM_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fy, 0);
	if (m != va) {
		xc_fail(x, "setup: mmap MAP_FIXED at %p gave %p: %s",
			(void *)va, (void *)m, strerror(errno));
		va = MAP_FAILED;
		xc_keep_end(x);
		goto out;
	}
	/* The CPU leaves the new mapping untouched: the device's only way
	 * to its pages is a walk (and a page request). */
	/* the same dst: its translations are still right */
	memset(d, XC_CANARY, RM_LEN);
	j = vm_job(AK_OP_COPY, va, d, RM_LEN, 0, 0x1002);
	ok = !xc_job(x, &j, AK_ST_SUCCESS,
		     "job 2 (COPY after munmap + mmap MAP_FIXED of another object)",
		     NULL);
	xc_keep_end(x);
	if (ok)
		xc_data(x, d, newb, oldb, RM_LEN, "job 2 (new object)");
	if (!x->q)
		goto out;

	/* A device write goes to the new object; the old keeps its bytes. */
	j = vm_job(AK_OP_FILL, NULL, va + 100, RM_LEN - 200, pat, 0x1003);
	if (xc_job(x, &j, AK_ST_SUCCESS, "job 3 (FILL of the new object)", NULL))
		goto out;
	xc_pattern(newb + 100, pat, RM_LEN - 200);
	if (pread(fy, rd, RM_LEN, 0) != (ssize_t)RM_LEN)
		xc_fail(x, "pread new object: %s", strerror(errno));
	else
		xc_data(x, rd, newb, NULL, RM_LEN, "job 3, read() of the new object");
	if (pread(fx, rd, RM_LEN, 0) != (ssize_t)RM_LEN)
		xc_fail(x, "pread old object: %s", strerror(errno));
	else
		xc_data(x, rd, oldb, NULL, RM_LEN,
			"job 3, read() of the OLD object (must be unchanged)");
out:
	if (va != MAP_FAILED)
		munmap(va, RM_LEN);
	if (fx >= 0)
		close(fx);
	if (fy >= 0)
		close(fy);
	vm_free(d, RM_LEN);
	free(oldb);
	free(newb);
	free(rd);
}

/* ------------------------------------------------------------------ */
/* mprotect(PROT_READ) after a device write (never in proof mode) */

#define MP_LEN	(8 * AK_PAGE)

static void case_mprotect(struct xc *x)
{
	uint8_t *buf = vm_fresh(MP_LEN), *dst = vm_alloc(MP_LEN);
	uint8_t *ro = buf + 2 * AK_PAGE;
	uint64_t p1 = 0x1111222233334444ull, p2 = 0x5555666677778888ull;
	uint8_t want[MP_LEN];
	struct ak_result res;
	struct ak_job j;

	if (!buf || !dst) {
		xc_fail(x, "setup: mmap");
		goto out;
	}
	/* job 1 writes: writable translations in the cache */
	if (xc_fill(x, buf, MP_LEN, p1, 0x2001, want, "job 1 (FILL)"))
		goto out;

	if (mprotect(ro, 4 * AK_PAGE, PROT_READ) < 0) {
		xc_fail(x, "mprotect(PROT_READ): %s", strerror(errno));
		goto out;
	}
	/* as for the CPU: the first read-only byte faults; the device
	 * translates before it writes, so nothing is written */
	j = vm_job(AK_OP_FILL, NULL, buf, MP_LEN, p2, 0x2002);
	if (!xc_job(x, &j, AK_ST_XLATE_FAULT,
		    "job 2 (FILL over pages made read-only)", &res)) {
		if (res.err != -EFAULT || res.bytes != 0 ||
		    (res.fault_addr & ~(AK_PAGE - 1)) != (uintptr_t)ro ||
		    res.fault_addr < (uintptr_t)buf ||
		    res.fault_addr >= (uintptr_t)buf + MP_LEN)
			xc_fail(x, "job 2: err %d bytes %llu fault_addr %#llx, want -EFAULT, 0 bytes, a fault in the first read-only page %p",
				res.err, (unsigned long long)res.bytes,
				(unsigned long long)res.fault_addr, (void *)ro);
	}
	xc_data(x, buf, want, NULL, MP_LEN,
		"after job 2 (a write fault must write nothing)");
	/* reading stays allowed */
	memset(dst, XC_CANARY, MP_LEN);
	j = vm_job(AK_OP_COPY, buf, dst, MP_LEN, 0, 0x2003);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "COPY from the read-only pages", NULL))
		xc_data(x, dst, want, NULL, MP_LEN, "COPY from read-only pages");

	if (mprotect(ro, 4 * AK_PAGE, PROT_READ | PROT_WRITE) < 0) {
		xc_fail(x, "mprotect back to RW: %s", strerror(errno));
		goto out;
	}
	xc_fill(x, buf, MP_LEN, p2, 0x2004, want,
		"job 3 (FILL after mprotect RW)");
out:
	if (buf)
		munmap(buf, MP_LEN);
	vm_free(dst, MP_LEN);
}

/* ------------------------------------------------------------------ */
/* MADV_DONTNEED on anonymous memory */

#define DN_LEN	(16 * AK_PAGE)

static void case_dontneed(struct xc *x)
{
	uint8_t *src = vm_fresh(DN_LEN), *dst = vm_alloc(DN_LEN);
	uint8_t *orig = malloc(DN_LEN), *zero = calloc(1, DN_LEN);
	uint64_t pat = 0x0badc0de0badc0deull;
	struct ak_job j;
	long res;
	int ok;

	if (!src || !dst || !orig || !zero) {
		xc_fail(x, "setup: out of memory");
		goto out;
	}
	vm_fill_random(src, DN_LEN, 0x3333);
	memcpy(orig, src, DN_LEN);
	j = vm_job(AK_OP_COPY, src, dst, DN_LEN, 0, 0x3001);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 1 (COPY)", NULL))
		xc_data(x, dst, orig, NULL, DN_LEN, "job 1");

	xc_keep_begin(x);
	if (madvise(src, DN_LEN, MADV_DONTNEED) < 0)
		xc_fail(x, "madvise(MADV_DONTNEED): %s", strerror(errno));
	res = vm_resident_pages(src, DN_LEN);
	if (res != 0)
		xc_fail(x, "setup: %ld pages still present after MADV_DONTNEED",
			res);
	memset(dst, XC_CANARY, DN_LEN);
	j = vm_job(AK_OP_COPY, src, dst, DN_LEN, 0, 0x3002);
	ok = !xc_job(x, &j, AK_ST_SUCCESS, "job 2 (COPY after MADV_DONTNEED)",
		     NULL);
	xc_keep_end(x);
	if (ok)
		xc_data(x, dst, zero, orig, DN_LEN,
			"job 2 (zeros after MADV_DONTNEED)");
	if (!x->q)
		goto out;

	/* and a device write gets fresh pages the CPU then reads */
	xc_fill(x, src, DN_LEN, pat, 0x3003, orig,
		"job 3 (FILL after MADV_DONTNEED)");
out:
	if (src)
		munmap(src, DN_LEN);
	vm_free(dst, DN_LEN);
	free(orig);
	free(zero);
}

/* ------------------------------------------------------------------ */
/* fork: copy-on-write broken by the parent's CPU write */

#define COW_LEN	(8 * AK_PAGE)

static void case_cow(struct xc *x)
{
	uint8_t *buf = vm_fresh(COW_LEN), *d;
	uint8_t *oldb = malloc(COW_LEN), *newb = malloc(COW_LEN);
	uint64_t p1 = 0xc0ffee00c0ffee00ull, p3 = 0x3333cccc3333ccccull;
	int p2c[2] = { -1, -1 }, st, to, ok;
	struct ak_job j;
	char ws[64];
	pid_t pid = -1;

	/* dst is MAP_SHARED: the fork leaves its translations as they are */
	d = mmap(NULL, COW_LEN, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED)
		d = NULL;
	else
		memset(d, 0, COW_LEN);
	if (!buf || !d || !oldb || !newb || pipe(p2c) < 0) {
		xc_fail(x, "setup: out of memory or pipe");
		goto out;
	}
	/* job 0 writes (writable translations), job 1 reads */
	if (xc_fill(x, buf, COW_LEN, p1, 0x4000, oldb,
		    "job 0 (FILL before fork)"))
		goto out;
	j = vm_job(AK_OP_COPY, buf, d, COW_LEN, 0, 0x4001);
	if (!xc_job(x, &j, AK_ST_SUCCESS, "job 1 (COPY before fork)", NULL))
		xc_data(x, d, oldb, NULL, COW_LEN, "job 1");

	/* the fork write-protects the parent's PTEs: the first change */
	xc_keep_begin(x);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		xc_fail(x, "fork: %s", strerror(errno));
		xc_keep_end(x);
		goto out;
	}
	if (pid == 0) {
		char c;

		close(p2c[1]);
		if (read(p2c[0], &c, 1) != 1)
			_exit(2);
		/* the child's memory keeps the bytes from before the fork */
		_exit(memcmp(buf, oldb, COW_LEN) ? 1 : 0);
	}
	close(p2c[0]);
	p2c[0] = -1;
	/* the parent's CPU write breaks COW: new pages */
	vm_fill_random(newb, COW_LEN, 0x4444);
	memcpy(buf, newb, COW_LEN);
	memset(d, XC_CANARY, COW_LEN);
	j = vm_job(AK_OP_COPY, buf, d, COW_LEN, 0, 0x4002);
	ok = !xc_job(x, &j, AK_ST_SUCCESS,
		     "job 2 (COPY in the parent after its COW break)", NULL);
	xc_keep_end(x);
	if (ok)
		xc_data(x, d, newb, oldb, COW_LEN,
			"job 2 (the parent's new bytes)");
	if (x->q) {
		/* a device write lands in the parent's new pages only */
		xc_fill(x, buf, COW_LEN, p3, 0x4003, newb,
			"job 3 (FILL in the parent after fork)");
	}
	if (write(p2c[1], "g", 1) != 1)
		xc_fail(x, "handshake with the child: %s", strerror(errno));
	st = vm_wait_child(pid, 30000, &to);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		xc_fail(x, "child (compares its copy with the bytes from before the fork): %s%s",
			vm_wstatus_str(st, ws, sizeof(ws)),
			WIFEXITED(st) && WEXITSTATUS(st) == 1 ?
			": its memory changed, a device write reached the page the child kept" : "");
out:
	if (p2c[0] >= 0)
		close(p2c[0]);
	if (p2c[1] >= 0)
		close(p2c[1]);
	if (buf)
		munmap(buf, COW_LEN);
	if (d)
		munmap(d, COW_LEN);
	free(oldb);
	free(newb);
}

/* ------------------------------------------------------------------ */
/* the tests */

/* Run @fn on a queue of its own; it must pass, and iotlb_hits grow. */
static void xc_run(void (*fn)(struct xc *))
{
	struct xc x;
	long h0, h1;

	memset(&x, 0, sizeof(x));
	VM_REQUIRE(vm_discover() == 0, "no device");
	h0 = vp_dev_counter("iotlb_hits");
	x.q = vm_open_queue(0);
	VM_REQUIRE(x.q, "open");
	fn(&x);
	ak_queue_close(x.q);
	h1 = vp_dev_counter("iotlb_hits");
	VM_CHECK(x.fails == 0, "%d check(s) failed; the first: %s", x.fails,
		 x.msg);
	VM_CHECK(h0 >= 0 && h1 > h0,
		 "iotlb_hits of %s: %ld before the case, %ld after: %s", g_pci_path,
		 h0, h1, h0 < 0 ?
		 "no such attribute (sample driver without the contract-2.1 counters)" :
		 "the translation cache served no translation");
	if (h0 >= 0 && h1 >= 0)
		printf("[iotlb_hits +%ld] ", h1 - h0);
}

static void t_remap(void)
{
	xc_run(case_remap);
}

static void t_mprotect(void)
{
	xc_run(case_mprotect);
}

static void t_dontneed(void)
{
	xc_run(case_dontneed);
}

static void t_cow(void)
{
	xc_run(case_cow);
}

static void t_thp_split(void)
{
	xc_run(case_thp_split);
}

static void t_thp_mprotect(void)
{
	xc_run(case_thp_mprotect);
}

static void t_thp_collapse(void)
{
	xc_run(case_thp_collapse);
}

static void t_huge1g(void)
{
	xc_run(case_huge1g_remap);
}

/*
 * ---- proof: with KEEP_IOTLB the read cases see stale translations ----
 *
 * Only the cases whose old pages stay allocated through job 2 (the old
 * memfd keeps them, the forked child keeps its COW copy, the THP keeps
 * its split-off subpage until a deferred split, the hugetlb pool keeps
 * the 1 GiB page for no one else), so staleness is certain and the device
 * reads no page the kernel could have given to anyone. Job 2 writes to
 * the dst job 1 used, whose translations stay right through the change
 * (the COW case's dst is MAP_SHARED, which fork leaves alone): the device
 * then walks nothing in the window, as a walk may refresh the entries
 * that follow it in the same page table (prefetch) and hide a stale one. MADV_DONTNEED and MADV_COLLAPSE
 * free the old pages: with the bit set their job 2 would read freed
 * memory whose contents are not known, so they are not run that way.
 */

struct xc_report {
	int ran;
	int stuck;		/* KEEP_IOTLB could not be cleared */
	int stale;
	int fails;
	char msg[400];
};

struct xc_proof {
	const char *name;
	void (*fn)(struct xc *);
	int fd;		/* report pipe (child side) */
};

static int proof_child(void *arg)
{
	struct xc_proof *p = arg;
	struct xc_report rep;
	struct xc x;

	memset(&x, 0, sizeof(x));
	memset(&rep, 0, sizeof(rep));
	x.keep = 1;
	if (ak_queue_open(g_node, NULL, 0, &x.q) == 0) {
		rep.ran = 1;
		p->fn(&x);
		xc_keep_end(&x);	/* after an early return */
	}
	rep.stuck = x.keep_stuck;
	rep.stale = x.stale;
	rep.fails = x.fails;
	memcpy(rep.msg, x.msg, sizeof(rep.msg));
	if (write(p->fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		return 4;
	return x.stale ? 3 : x.fails ? 1 : 0;
}

static void t_keep_iotlb(void)
{
	struct xc_proof proofs[] = {
		{ "munmap + mmap MAP_FIXED", case_remap, -1 },
		{ "fork COW", case_cow, -1 },
		{ "THP split by MADV_DONTNEED", case_thp_split, -1 },
		{ "1 GiB hugetlb page unmapped", case_huge1g_remap, -1 },
	};
	struct xc_report rep;
	size_t i;
	int pfd[2], st, to, got, reset = 0;
	char ws[64];

	VM_REQUIRE(vm_discover() == 0 && vm_resolve_pci() == 0, "no device");
	for (i = 0; i < sizeof(proofs) / sizeof(proofs[0]); i++) {
		struct xc_proof *p = &proofs[i];

		VM_REQUIRE(pipe(pfd) == 0, "pipe");
		p->fd = pfd[1];
		memset(&rep, 0, sizeof(rep));
		st = vm_run_child(proof_child, p, 300000, &to);
		close(pfd[1]);
		got = read(pfd[0], &rep, sizeof(rep)) == (ssize_t)sizeof(rep);
		close(pfd[0]);
		if (!got || rep.stuck) {
			/* the child may have left KEEP_IOTLB set: a reset
			 * drops every cached translation */
			vp_debug_inject(0);
			reset = 1;
			VM_CHECK(vp_rebind() == 0, "rebind after the %s proof",
				 p->name);
		}
		VM_CHECK(got && rep.ran && !rep.stuck,
			 "%s proof child: %s, report %s, queue %s, KEEP_IOTLB %s",
			 p->name, vm_wstatus_str(st, ws, sizeof(ws)),
			 got ? "received" : "missing",
			 rep.ran ? "opened" : "not opened",
			 rep.stuck ? "left set" : "cleared");
		if (!got || !rep.ran)
			continue;
		printf("\n    KEEP_IOTLB, %s: %s", p->name,
		       rep.stale ? "stale bytes seen (the case fails)" :
		       rep.fails ? rep.msg : "no staleness seen (the case passes)");
		VM_CHECK(rep.stale,
			 "with KEEP_IOTLB set the %s case did not read the old page (%s): either the device has no translation cache or KEEP_IOTLB does not keep entries, so this suite cannot show a cache that ignores invalidations",
			 p->name, rep.fails ? rep.msg : "every check passed");
	}
	printf("\n    ");
	VM_CHECK(vp_debug_inject(0) == 0, "clear debug_inject");
	if (reset)
		vm_check_instances_back();
}

static const struct ak_test xlate_tests[] = {
	{ "munmap + mmap MAP_FIXED of another object between jobs: job 2 reads the new object",
	  t_remap },
	{ "mprotect(PROT_READ) after a device write: the write faults, writes nothing; RW again works",
	  t_mprotect },
	{ "MADV_DONTNEED between jobs: job 2 reads zeros", t_dontneed },
	{ "fork after device jobs, parent's CPU write breaks COW: the parent's jobs see its new pages, the child keeps the old",
	  t_cow },
	{ "THP split by MADV_DONTNEED of one page: job 2 reads zeros there, the rest unchanged",
	  t_thp_split },
	{ "THP split by mprotect(PROT_READ) of one page: the device write faults there, writes nothing",
	  t_thp_mprotect },
	{ "MADV_COLLAPSE after a split: the device reads the new huge page's bytes",
	  t_thp_collapse },
	{ "1 GiB hugetlb page unmapped, a memfd mapped MAP_FIXED inside its range: job 2 reads the memfd",
	  t_huge1g },
	{ "DEBUG_INJECT KEEP_IOTLB: the read cases whose old page stays allocated see it (the suite can fail)",
	  t_keep_iotlb },
	{ NULL, NULL },
};

int add_xlate_cache_suites(void)
{
	return ak_add_suite("xlate-cache", NULL, NULL, xlate_tests);
}
