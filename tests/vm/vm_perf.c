// SPDX-License-Identifier: LGPL-2.1-or-later
/* ak-vm-tests: helpers of the issue-8 suites (see vm_perf.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <accelkit/accelkit.h>

#include "vm_perf.h"

int vp_stats(struct ak_queue *q, struct vp_qstats *st)
{
	struct accelkit_queue_stats ks;

	memset(st, 0, sizeof(*st));
	memset(&ks, 0xa5, sizeof(ks));
	if (ioctl(ak_queue_fd(q), ACCELKIT_CMD_QUEUE_STATS, &ks) < 0)
		return -errno;
	st->page_requests = ks.page_requests;
	st->page_faults_resolved = ks.page_faults_resolved;
	st->page_faults_failed = ks.page_faults_failed;
	st->pages_requested = ks.pages_requested;
	return 0;
}

long vp_dev_counter(const char *attr)
{
	int r = vm_resolve_pci();

	if (r < 0)
		return r;
	return vm_pci_attr_long(attr);
}

int vp_debug_inject(unsigned int val)
{
	char path[PATH_MAX], v[16];
	int r = vm_resolve_pci();

	if (r < 0)
		return r;
	vm_fmt(path, sizeof(path), "%s/debug_inject", g_pci_path);
	vm_fmt(v, sizeof(v), "%u", val);
	return vm_write_file(path, v);
}

int vp_rebind(void)
{
	char path[PATH_MAX];
	uint64_t deadline;

	if (vm_resolve_pci() < 0)
		return -1;
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", g_driver);
	if (vm_write_file(path, g_bdf) < 0)
		return -1;
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", g_driver);
	if (vm_write_file(path, g_bdf) < 0)
		return -1;
	deadline = vm_now_ms() + 10000;
	do {
		if (vm_discover() == 0 && access(g_node, R_OK | W_OK) == 0)
			return 0;
		usleep(20000);
	} while (vm_now_ms() < deadline);
	return -1;
}

uint8_t *vp_fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		VM_FAIL("mmap(%zu): %s", len, strerror(errno));
		return NULL;
	}
	if (madvise(p, len, MADV_NOHUGEPAGE) < 0) {
		VM_FAIL("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
		munmap(p, len);
		return NULL;
	}
	return p;
}

int vp_run(struct ak_queue *q, const struct ak_job *j, struct ak_result *res,
	   int timeout_ms)
{
	int r = ak_submit(q, j);

	memset(res, 0xee, sizeof(*res));
	if (r < 0)
		return r;
	return vm_reap_n(q, res, 1, timeout_ms) == 1 ? 0 : -ETIMEDOUT;
}

long vp_thp_kb(const void *p)
{
	return vm_smaps_kb(p, "AnonHugePages");
}

struct ak_job vp_job(uint16_t op, const void *src, void *dst, uint64_t len,
		     uint64_t pattern, uint64_t tag)
{
	struct ak_job j;

	memset(&j, 0, sizeof(j));
	j.op = op;
	j.src = src;
	j.dst = dst;
	j.len = len;
	j.pattern = pattern;
	j.tag = tag;
	return j;
}
