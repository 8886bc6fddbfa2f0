// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOMMU-SVA binding mode where the kernel refuses SVA: the sample driver
 * loaded with sva_mode=iommu asks the framework for ACCELKIT_BIND_IOMMU_SVA.
 * The test VM has no IOMMU (and Debian's 6.1/6.12 refuse SVA binds on x86
 * anyway, the CVE-2025-71089 mitigation), so registration must fail: one
 * clear message, the probe fails without a kernel report or a second
 * line from the driver core, no node, and the driver unloads and loads
 * again in its normal (self-translating) mode with a working device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm_common.h"

#define SM_KO		"/lib/accelkit/accelkit_sample.ko"
#define SM_MOD		"accelkit_sample"
#define SM_PARAM	"/sys/module/" SM_MOD "/parameters/sva_mode"
#define SM_REFUSED	"IOMMU SVA refused by the kernel"

static int sm_rmmod(void)
{
	return syscall(SYS_delete_module, SM_MOD, O_NONBLOCK) ? -errno : 0;
}

static int sm_insmod(const char *params)
{
	int fd = open(SM_KO, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return r;
}

/* accelkit-N class devices present (any parent). */
static int sm_nr_devices(void)
{
	DIR *d = opendir("/sys/class/uacce");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "accelkit-", 9);
	closedir(d);
	return n;
}

static void t_iommu_refused(void)
{
	char path[PATH_MAX + 16], mode[32] = "", first[256] = "";
	int splats0, refused0, probe0, r, loaded = 0;
	struct ak_queue *q = NULL;
	uint8_t src[4096], dst[4096];
	struct stat st;

	VM_REQUIRE(vm_discover() == 0, "no device");
	r = vm_resolve_pci();
	VM_REQUIRE(r == 0, "cannot resolve %s/device: %s", g_sysdir,
		   strerror(-r));
	splats0 = vm_klog_splats(first, sizeof(first));
	refused0 = vm_klog_count(SM_REFUSED);
	probe0 = vm_klog_count("failed with error");
	VM_REQUIRE(splats0 >= 0 && refused0 >= 0 && probe0 >= 0,
		   "cannot read the kernel log");

	r = sm_rmmod();
	VM_REQUIRE(r == 0, "rmmod " SM_MOD ": %s", strerror(-r));
	r = sm_insmod("sva_mode=iommu");
	VM_CHECK(r == 0, "insmod " SM_MOD " sva_mode=iommu: %s", strerror(-r));
	loaded = r == 0;
	if (!loaded)
		goto reload;

	r = vm_read_file(SM_PARAM, mode, sizeof(mode));
	VM_CHECK(r > 0 && !strcmp(mode, "iommu\n"),
		 "%s: %s", SM_PARAM, r > 0 ? mode : strerror(-r));
	/* the message, exactly once, and nothing else about the probe */
	r = vm_klog_count(SM_REFUSED);
	VM_CHECK(r == refused0 + 1, "\"" SM_REFUSED "\" logged %d times, want 1",
		 r - refused0);
	r = vm_klog_count("failed with error");
	VM_CHECK(r == probe0, "the driver core logged %d probe failures",
		 r - probe0);
	/* the probe failed: no driver bound, no class device, no node */
	vm_fmt(path, sizeof(path), "%s/driver", g_pci_path);
	VM_CHECK(lstat(path, &st) == -1 && errno == ENOENT,
		 "%s exists: the probe succeeded", path);
	r = sm_nr_devices();
	VM_CHECK(r == 0, "%d accelkit class devices after a refused probe", r);
	VM_CHECK(stat(g_node, &st) == -1 && errno == ENOENT,
		 "%s exists after a refused probe", g_node);

	r = sm_rmmod();
	VM_CHECK(r == 0, "rmmod after the refused probe: %s", strerror(-r));
	loaded = r != 0;
reload:
	/* normal mode again: the device comes back and works */
	if (!loaded) {
		r = sm_insmod("");
		VM_CHECK(r == 0, "insmod " SM_MOD ": %s", strerror(-r));
	}
	r = vm_rediscover(5000);
	VM_REQUIRE(r == 0, "no device after reloading in normal mode");
	r = vm_read_file(SM_PARAM, mode, sizeof(mode));
	VM_CHECK(r > 0 && !strcmp(mode, "self\n"), "%s: %s", SM_PARAM,
		 r > 0 ? mode : strerror(-r));
	q = vm_open_queue(0);
	VM_REQUIRE(q, "open after reload");
	vm_fill_random(src, sizeof(src), 7);
	memset(dst, 0, sizeof(dst));
	VM_CHECK(ak_copy(q, dst, src, sizeof(src)) == 0 &&
		 !memcmp(dst, src, sizeof(src)), "COPY after reload");
	ak_queue_close(q);
	r = vm_klog_splats(first, sizeof(first));
	VM_CHECK(r == splats0, "kernel report: %s", first);
}

static const struct ak_test sva_mode_tests[] = {
	{ "sva_mode=iommu where SVA is refused: one message, probe fails, no node; normal reload works",
	  t_iommu_refused },
	{ NULL, NULL },
};

int add_sva_mode_suites(void)
{
	return ak_add_suite("sva_mode", NULL, NULL, sva_mode_tests);
}
