// SPDX-License-Identifier: LGPL-2.1-or-later
/* ak-vm-tests: helpers of the issue-8 suites (see vm_perf.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm_perf.h"

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

	if (vm_resolve_pci() < 0)
		return -1;
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", g_driver);
	if (vm_write_file(path, g_bdf) < 0)
		return -1;
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", g_driver);
	if (vm_write_file(path, g_bdf) < 0)
		return -1;
	return vm_wait_node(10000);
}

long vp_thp_kb(const void *p)
{
	return vm_smaps_kb(p, "AnonHugePages");
}
