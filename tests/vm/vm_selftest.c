// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Framework rules the sample driver cannot exercise, through the test-only
 * fake accelerator accelkit_selftest.ko (kernel/selftest/):
 *  - at load it checks accelkit_alloc()/accelkit_register() refusals and
 *    logs "accelkit_selftest: PASS|FAIL <check> <errno>" lines;
 *  - its device akselftest-N maps its DUS region with vm_insert_page(),
 *    which does not set VM_IO: the framework must, so that
 *    madvise(MADV_DOFORK) fails and fork() never copies the mapping;
 *  - rmmod takes the node away, zapping a mapping still in place;
 *  - its driver ioctl AKST_CMD_PAGE_REQUEST passes a run of pages to
 *    accelkit_queue_page_request() like a device would: the framework's
 *    range fault path, checked through /proc/self/pagemap and the queue's
 *    counters without the sample device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <accelkit/selftest.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"

#define ST_KO		"/lib/accelkit/accelkit_selftest.ko"
#define ST_MOD		"accelkit_selftest"
#define ST_PREFIX	"akselftest-"
#define ST_NR_QUEUES	4
#define ST_TAG		ST_MOD ": "

static char st_name[64];	/* "akselftest-3" */
static char st_node[96];	/* "/dev/akselftest-3" */
static char st_sys[160];	/* "/sys/class/uacce/akselftest-3" */

/* The PASS lines the module must log, "<check> <errno>\n". */
static const char *const st_pass[] = {
	"alloc-self-complete 0\n",
	"alloc-without-invalidate -22\n",
	"alloc-without-pasid_bind -22\n",
	"alloc-self-max_pasid-1 -22\n",
	"alloc-without-get_queue -22\n",
	/* 0 on x86-64 without memory encryption, -95 with: the module knows */
	"register-self-translation ",
	"alloc-none-complete 0\n",
	"register-none 0\n",
};

static int st_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" ST_MOD, &st) == 0;
}

static int st_rmmod(void)
{
	return syscall(SYS_delete_module, ST_MOD, O_NONBLOCK) ? -errno : 0;
}

/* Find the one akselftest-N device: 0, -ENODEV, or -EEXIST if several. */
static int st_discover(void)
{
	DIR *d = opendir("/sys/class/uacce");
	struct dirent *e;
	int found = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, ST_PREFIX, strlen(ST_PREFIX)))
			continue;
		found++;
		vm_fmt(st_name, sizeof(st_name), "%s", e->d_name);
	}
	closedir(d);
	if (found != 1)
		return found ? -EEXIST : -ENODEV;
	vm_fmt(st_node, sizeof(st_node), "/dev/%s", st_name);
	vm_fmt(st_sys, sizeof(st_sys), "/sys/class/uacce/%s", st_name);
	return 0;
}

static long st_attr(const char *attr)
{
	char path[256], buf[64];
	int r;

	vm_fmt(path, sizeof(path), "%s/%s", st_sys, attr);
	r = vm_read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	return strtol(buf, NULL, 0);
}

/* Open a queue of the device and map its DUS page; MAP_FAILED on error. */
static void *st_map_dus(int *fd)
{
	void *p;

	*fd = open(st_node, O_RDWR | O_CLOEXEC);
	VM_CHECK(*fd >= 0, "open(%s): %s", st_node, strerror(errno));
	if (*fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd,
		 UACCE_QFRT_DUS * AK_PAGE);
	VM_CHECK(p != MAP_FAILED, "mmap of the DUS region: %s",
		 strerror(errno));
	if (p == MAP_FAILED) {
		close(*fd);
		*fd = -1;
	}
	return p;
}

/* The VmFlags line of the VMA starting at @addr in /proc/self/smaps. */
static int st_vmflags(const void *addr, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;

	out[0] = '\0';
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start;
		char dash;

		/* a VMA's header line: "start-end perms offset ..." */
		if (sscanf(line, "%lx%c", &start, &dash) == 2 && dash == '-')
			in = start == (unsigned long)addr;
		if (in && !strncmp(line, "VmFlags:", 8)) {
			vm_fmt(out, len, "%s", line + 8);
			break;
		}
	}
	fclose(f);
	return out[0] ? 0 : -ENOENT;
}

/*
 * The forked child: the queue mapping must not exist at all in it (not
 * merely be empty, as VM_WIPEONFORK alone would leave it): mincore()
 * fails with ENOMEM and a read raises SIGSEGV, not SIGBUS.
 */
static int st_child_no_mapping(void *arg)
{
	unsigned char vec;
	int sig;

	if (mincore(arg, AK_PAGE, &vec) == 0)
		return 10;	/* a VMA is there */
	if (errno != ENOMEM)
		return 11;
	sig = vm_probe_read(arg);
	if (sig == SIGBUS)
		return 12;	/* an empty VMA (wiped) */
	if (sig != SIGSEGV)
		return 13;	/* readable */
	return 0;
}

static void t_load(void)
{
	char needle[160];
	int before[sizeof(st_pass) / sizeof(st_pass[0])];
	int fail_before, fail_after, fd, r;
	size_t i;

	VM_REQUIRE(!st_loaded(), "%s is already loaded", ST_MOD);
	fail_before = vm_klog_count(ST_TAG "FAIL ");
	VM_REQUIRE(fail_before >= 0, "klogctl: %s", strerror(-fail_before));
	for (i = 0; i < sizeof(st_pass) / sizeof(st_pass[0]); i++) {
		vm_fmt(needle, sizeof(needle), ST_TAG "PASS %s", st_pass[i]);
		before[i] = vm_klog_count(needle);
	}

	fd = open(ST_KO, O_RDONLY | O_CLOEXEC);
	VM_REQUIRE(fd >= 0, "open(%s): %s", ST_KO, strerror(errno));
	r = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	VM_REQUIRE(r == 0, "finit_module(%s): %s", ST_KO, strerror(-r));

	for (i = 0; i < sizeof(st_pass) / sizeof(st_pass[0]); i++) {
		vm_fmt(needle, sizeof(needle), ST_TAG "PASS %s", st_pass[i]);
		r = vm_klog_count(needle);
		VM_CHECK(r == before[i] + 1,
			 "\"%.*s\" logged %d times by the load (expected once)",
			 (int)strcspn(needle, "\n"), needle, r - before[i]);
	}
	fail_after = vm_klog_count(ST_TAG "FAIL ");
	VM_CHECK(fail_after == fail_before,
		 "%d FAIL lines of %s in the kernel log",
		 fail_after - fail_before, ST_MOD);

	r = st_discover();
	VM_CHECK(r == 0, "no single %s* in /sys/class/uacce: %s", ST_PREFIX,
		 strerror(-r));
}

static void t_mapping_not_inherited(void)
{
	char flags[256], ws[64];
	unsigned char *p;
	void *q;
	int fd, r, status, timed_out = 0;
	long avail;

	VM_REQUIRE(st_name[0], "module not loaded (previous test failed)");
	VM_CHECK(st_attr("region_dus_size") == (long)AK_PAGE,
		 "region_dus_size %ld", st_attr("region_dus_size"));
	/* hidden, like upstream, for a region the device does not have */
	VM_CHECK(st_attr("region_mmio_size") == -ENOENT,
		 "region_mmio_size: %ld, expected no such file",
		 st_attr("region_mmio_size"));
	avail = st_attr("available_instances");
	VM_CHECK(avail == ST_NR_QUEUES, "available_instances %ld", avail);

	p = st_map_dus(&fd);
	VM_REQUIRE(p != MAP_FAILED, "no mapping");
	avail = st_attr("available_instances");
	VM_CHECK(avail == ST_NR_QUEUES - 1,
		 "available_instances %ld with one queue open", avail);

	/* No MMIO region: mmap of it is refused. */
	q = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 UACCE_QFRT_MMIO * AK_PAGE);
	VM_CHECK(q == MAP_FAILED && errno == EINVAL,
		 "mmap of the absent MMIO region: %s",
		 q == MAP_FAILED ? strerror(errno) : "mapped");
	if (q != MAP_FAILED)
		munmap(q, AK_PAGE);

	/* A fresh, zeroed page, writable through the shared mapping. */
	VM_CHECK(vm_first_not(p, 0, AK_PAGE) == -1,
		 "DUS page not zeroed at byte %ld", vm_first_not(p, 0, AK_PAGE));
	memset(p, 0x5a, AK_PAGE);
	VM_CHECK(vm_first_not(p, 0x5a, AK_PAGE) == -1,
		 "DUS page reads back wrong at byte %ld",
		 vm_first_not(p, 0x5a, AK_PAGE));

	/* The framework's flags, whatever the driver's mmap did. */
	r = st_vmflags(p, flags, sizeof(flags));
	VM_CHECK(r == 0, "no VmFlags for %p in /proc/self/smaps", (void *)p);
	if (!r) {
		flags[strcspn(flags, "\n")] = '\0';
		VM_CHECK(vm_has_word(flags, "io") && vm_has_word(flags, "dc") &&
			 vm_has_word(flags, "de") && vm_has_word(flags, "wf") &&
			 vm_has_word(flags, "dd"),
			 "VmFlags \"%s\" lack one of io dc de wf dd", flags);
	}

	/* VM_IO: VM_DONTCOPY cannot be taken away. */
	errno = 0;
	r = madvise(p, AK_PAGE, MADV_DOFORK);
	VM_CHECK(r == -1 && errno == EINVAL,
		 "madvise(MADV_DOFORK) on the queue mapping = %d (%s), expected EINVAL",
		 r, r ? strerror(errno) : "success");

	status = vm_run_child(st_child_no_mapping, p, 10000, &timed_out);
	VM_CHECK(!timed_out && status != -1 && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0,
		 "forked child: %s (10: mapping present, 11: mincore error, 12: SIGBUS = empty VMA, 13: readable)",
		 vm_wstatus_str(status, ws, sizeof(ws)));

	/* The parent's mapping is untouched by the fork. */
	VM_CHECK(vm_first_not(p, 0x5a, AK_PAGE) == -1,
		 "DUS page changed after fork at byte %ld",
		 vm_first_not(p, 0x5a, AK_PAGE));

	VM_CHECK(munmap(p, AK_PAGE) == 0, "munmap: %s", strerror(errno));
	VM_CHECK(close(fd) == 0, "close: %s", strerror(errno));
	avail = st_attr("available_instances");
	VM_CHECK(avail == ST_NR_QUEUES, "available_instances %ld after close",
		 avail);
}

/*
 * rmmod with a queue still open and mapped: removal puts the queue (the
 * module frees its page) after zapping the mapping, which then raises
 * SIGBUS; the node and the sysfs directory are gone.
 */
static void t_rmmod(void)
{
	struct stat st;
	unsigned char *p;
	int fd, r, sig;

	VM_REQUIRE(st_name[0], "module not loaded (previous test failed)");
	p = st_map_dus(&fd);
	if (p != MAP_FAILED)
		memset(p, 0xa5, AK_PAGE);

	r = st_rmmod();
	VM_REQUIRE(r == 0, "delete_module(%s): %s", ST_MOD, strerror(-r));
	VM_CHECK(!st_loaded(), "/sys/module/%s still there", ST_MOD);
	VM_CHECK(stat(st_sys, &st) == -1 && errno == ENOENT,
		 "%s still there after rmmod", st_sys);
	VM_CHECK(stat(st_node, &st) == -1 && errno == ENOENT,
		 "%s still there after rmmod", st_node);
	r = st_discover();
	VM_CHECK(r == -ENODEV, "an %s* device remains: %s", ST_PREFIX,
		 st_name);

	if (p != MAP_FAILED) {
		sig = vm_probe_read(p);
		VM_CHECK(sig == SIGBUS,
			 "read of the mapping after removal: signal %d, expected SIGBUS",
			 sig);
		VM_CHECK(munmap(p, AK_PAGE) == 0, "munmap: %s",
			 strerror(errno));
		VM_CHECK(close(fd) == 0, "close: %s", strerror(errno));
	}
	st_name[0] = '\0';
}

/* ---- range page requests through the fake device ---- */

#define PM_PRESENT	(1ull << 63)
#define PM_EXCLUSIVE	(1ull << 56)	/* a page of our own, not the zero page */

/*
 * Pages of the @n pages at @p that /proc/self/pagemap shows present (and,
 * with @excl, mapped exclusively: a written private copy), or -1.
 */
static int st_present(const char *p, unsigned int n, int excl)
{
	uint64_t want = PM_PRESENT | (excl ? PM_EXCLUSIVE : 0), e;
	unsigned int i;
	int fd, count = 0;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		off_t off = (off_t)((uintptr_t)p / AK_PAGE + i) * 8;

		if (pread(fd, &e, sizeof(e), off) != sizeof(e)) {
			count = -1;
			break;
		}
		count += (e & want) == want;
	}
	close(fd);
	return count;
}

/* What the requests of one test expect the queue's counters to show. */
struct st_prq_tally {
	unsigned long requests, pages, resolved, failed;
};

/*
 * One request of @nr pages at @addr through the fake device: assert the
 * return of accelkit_queue_page_request() and the answer. Returns the
 * answer (1 success, 0 invalid, -1 none) or -2 when the ioctl failed.
 */
static int st_prq(int fd, struct st_prq_tally *t, uint64_t addr,
		  uint32_t nr, int write, int exp_ret, int exp_answer,
		  const char *what)
{
	struct akst_page_request req = {
		.addr = addr, .nr_pages = nr, .write = write,
	};

	if (ioctl(fd, AKST_CMD_PAGE_REQUEST, &req) < 0) {
		VM_FAIL("%s: AKST_CMD_PAGE_REQUEST: %s", what, strerror(errno));
		return -2;
	}
	VM_CHECK(req.ret == exp_ret && req.answer == exp_answer,
		 "%s (%u pages at %#llx, %s): returned %d answer %d, expected %d answer %d",
		 what, nr, (unsigned long long)addr, write ? "write" : "read",
		 req.ret, req.answer, exp_ret, exp_answer);
	t->requests++;
	if (exp_ret != -EINVAL)
		t->pages += nr;
	if (req.answer == 1)
		t->resolved++;
	else if (req.answer == 0)
		t->failed++;
	return req.answer;
}

/*
 * The framework faults a requested run in the owner's address space in
 * one pass and answers once: success when the first page was made
 * present (pages after an inaccessible VMA are left alone), invalid when
 * the first page cannot be; malformed runs are refused with EINVAL and
 * fault nothing; runs across VMAs and up to 512 pages work; the queue's
 * counters count requests and pages.
 */
static void t_page_request_runs(void)
{
	const unsigned long P = AK_PAGE;
	struct accelkit_queue_stats s0, s1;
	struct st_prq_tally t = { 0 };
	char *a, *b, *h, flags[256];
	int fd, r;

	VM_REQUIRE(st_name[0], "module not loaded (previous test failed)");
	fd = open(st_node, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(fd >= 0, "open(%s): %s", st_node, strerror(errno));
	r = ioctl(fd, ACCELKIT_CMD_QUEUE_STATS, &s0);
	VM_CHECK(r == 0, "QUEUE_STATS: %s", strerror(errno));

	/* a: pages 0-7 RW, 8-11 read only, 12-15 RW, 16-19 PROT_NONE */
	a = mmap(NULL, 20 * P, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, 8 * P, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h = mmap(NULL, 512 * P, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED || h == MAP_FAILED) {
		VM_FAIL("mmap: %s", strerror(errno));
		goto out;
	}
	r = mprotect(a + 8 * P, 4 * P, PROT_READ) |
	    mprotect(a + 16 * P, 4 * P, PROT_NONE) |
	    madvise(h, 512 * P, MADV_NOHUGEPAGE) |
	    madvise(b + 4 * P, 4 * P, MADV_DONTFORK);	/* b: two VMAs */
	VM_CHECK(r == 0, "mprotect/madvise: %s", strerror(errno));
	VM_CHECK(st_present(a, 20, 0) == 0 && st_present(h, 512, 0) == 0,
		 "fresh memory already present");

	st_prq(fd, &t, (uintptr_t)a, 4, 0, 0, 1, "read run");
	VM_CHECK(st_present(a, 4, 0) == 4 && st_present(a + 4 * P, 1, 0) == 0,
		 "after a read run of 4 pages: %d present, next page %d",
		 st_present(a, 4, 0), st_present(a + 4 * P, 1, 0));

	st_prq(fd, &t, (uintptr_t)(a + 4 * P), 4, 1, 0, 1, "write run");
	VM_CHECK(st_present(a + 4 * P, 4, 1) == 4 &&
		 st_present(a + 8 * P, 1, 0) == 0,
		 "after a write run of 4 pages: %d written, next page %d",
		 st_present(a + 4 * P, 4, 1), st_present(a + 8 * P, 1, 0));

	/* present but read-only (the zero page): a write run copies them */
	st_prq(fd, &t, (uintptr_t)a, 4, 1, 0, 1, "write run over zero pages");
	VM_CHECK(st_present(a, 4, 1) == 4,
		 "write run over read-mapped pages: %d of 4 written",
		 st_present(a, 4, 1));
	st_prq(fd, &t, (uintptr_t)a, 8, 0, 0, 1, "read run, all present");

	/* VMA access: no write into the read-only VMA, reading is fine */
	st_prq(fd, &t, (uintptr_t)(a + 8 * P), 1, 1, 0, 0,
	       "write run into a read-only VMA");
	st_prq(fd, &t, (uintptr_t)(a + 8 * P), 4, 0, 0, 1,
	       "read run in a read-only VMA");
	VM_CHECK(st_present(a + 8 * P, 4, 0) == 4,
		 "read-only VMA: %d of 4 present", st_present(a + 8 * P, 4, 0));

	/* the first page decides: a run running into PROT_NONE succeeds */
	st_prq(fd, &t, (uintptr_t)(a + 12 * P), 8, 1, 0, 1,
	       "write run ending in a PROT_NONE VMA");
	VM_CHECK(st_present(a + 12 * P, 4, 1) == 4,
		 "run into PROT_NONE: %d of its 4 accessible pages written",
		 st_present(a + 12 * P, 4, 1));
	st_prq(fd, &t, (uintptr_t)(a + 16 * P), 2, 0, 0, 0,
	       "run starting in a PROT_NONE VMA");

	/* malformed runs: refused at once, nothing faulted */
	st_prq(fd, &t, (uintptr_t)h, 0, 0, -EINVAL, 0, "0 pages");
	st_prq(fd, &t, (uintptr_t)h, 513, 1, -EINVAL, 0, "513 pages");
	st_prq(fd, &t, (uintptr_t)h + 1, 1, 0, -EINVAL, 0, "unaligned");
	st_prq(fd, &t, 0xfffffffffffff000ull, 2, 0, -EINVAL, 0,
	       "run wrapping around");
	VM_CHECK(st_present(h, 512, 0) == 0,
		 "refused runs faulted %d pages", st_present(h, 512, 0));

	/* the bound: 512 pages in one request */
	st_prq(fd, &t, (uintptr_t)h, 512, 1, 0, 1, "512-page write run");
	VM_CHECK(st_present(h, 512, 1) == 512,
		 "512-page run: %d pages written", st_present(h, 512, 1));

	/* one run across two VMAs */
	r = st_vmflags(b + 4 * P, flags, sizeof(flags));
	VM_CHECK(r == 0 && strstr(flags, " dc"),
		 "b + 4 pages does not start a VM_DONTCOPY VMA (%s)", flags);
	st_prq(fd, &t, (uintptr_t)b, 8, 0, 0, 1, "read run across two VMAs");
	VM_CHECK(st_present(b, 8, 0) == 8, "run across two VMAs: %d of 8 present",
		 st_present(b, 8, 0));

	r = ioctl(fd, ACCELKIT_CMD_QUEUE_STATS, &s1);
	VM_CHECK(r == 0, "QUEUE_STATS: %s", strerror(errno));
	VM_CHECK(s1.page_requests - s0.page_requests == t.requests &&
		 s1.pages_requested - s0.pages_requested == t.pages &&
		 s1.page_faults_resolved - s0.page_faults_resolved == t.resolved &&
		 s1.page_faults_failed - s0.page_faults_failed == t.failed,
		 "counters grew by requests %llu pages %llu resolved %llu failed %llu, expected %lu %lu %lu %lu",
		 (unsigned long long)(s1.page_requests - s0.page_requests),
		 (unsigned long long)(s1.pages_requested - s0.pages_requested),
		 (unsigned long long)(s1.page_faults_resolved -
				      s0.page_faults_resolved),
		 (unsigned long long)(s1.page_faults_failed -
				      s0.page_faults_failed),
		 t.requests, t.pages, t.resolved, t.failed);
out:
	if (a != MAP_FAILED)
		munmap(a, 20 * P);
	if (b != MAP_FAILED)
		munmap(b, 8 * P);
	if (h != MAP_FAILED)
		munmap(h, 512 * P);
	close(fd);
}

/* Leave no fake device behind for the suites after this one. */
static int st_clean(void)
{
	if (st_loaded())
		st_rmmod();
	return 0;
}

static const struct ak_test selftest_tests[] = {
	{ "load: registration rules (alloc/register refusals) logged as PASS",
	  t_load },
	{ "queue mapping of a vm_insert_page driver: VM_IO, MADV_DOFORK refused, not inherited by fork",
	  t_mapping_not_inherited },
	{ "range page requests: one pass, the first page decides, bounds, counters",
	  t_page_request_runs },
	{ "rmmod with a queue mapped: mapping zapped (SIGBUS), node gone",
	  t_rmmod },
	{ NULL, NULL },
};

int add_selftest_suites(void)
{
	return ak_add_suite("selftest", NULL, st_clean, selftest_tests);
}
