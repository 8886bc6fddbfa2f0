// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The platform the suite ran on is the one that was asked for: paging
 * depth (LA57) and page-table isolation (pti=) from the kernel command
 * line, cross-checked against what the kernel and CPU actually do. With
 * 5-level paging the device is also driven at an address above 2^47.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_common.h"

static char cpuinfo[1 << 16];

/* 1 if @flag is in the first "flags" line of /proc/cpuinfo. */
static int has_flag(const char *flag)
{
	char *l = strstr(cpuinfo, "\nflags"), *p;
	size_t fl = strlen(flag);

	if (!l || !(l = strchr(l, ':')))
		return -1;
	for (p = l + 1; *p && *p != '\n'; p++)
		if (p[-1] == ' ' && !strncmp(p, flag, fl) &&
		    (p[fl] == ' ' || p[fl] == '\n' || !p[fl]))
			return 1;
	return 0;
}

/* Value of "key=" on the command line (empty string if absent). */
static void cmdline_arg(const char *cmd, const char *key, char *val,
			size_t len)
{
	const char *p = cmd;
	size_t kl = strlen(key);

	val[0] = '\0';
	while ((p = strstr(p, key))) {
		if ((p == cmd || p[-1] == ' ') && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " \n");

			snprintf(val, len, "%.*s", (int)n, p + kl + 1);
		}
		p += kl;
	}
}

static void device_at_high_address(uint8_t *p)
{
	struct ak_queue *q = vm_open_queue(0);
	uint8_t *src = vm_alloc(AK_PAGE);
	struct ak_result res;
	struct ak_job j;

	VM_REQUIRE(q && src, "setup");
	vm_fill_random(src, AK_PAGE, 57);
	memset(&j, 0, sizeof(j));
	/* p is never touched by the CPU: the device faults it in */
	j.op = AK_OP_COPY;
	j.src = src;
	j.dst = p + 100;
	j.len = 3000;
	j.tag = 57;
	VM_CHECK(vm_run(q, &j, &res) == 0 && res.status == AK_ST_SUCCESS &&
		 res.bytes == 3000,
		 "COPY to %p (above 2^47, 5-level walk): status %u (%s) fault 0x%llx",
		 (void *)p, res.status, ak_status_str(res.status),
		 (unsigned long long)res.fault_addr);
	VM_CHECK(!memcmp(p + 100, src, 3000) && vm_first_not(p, 0, 100) < 0,
		 "COPY above 2^47: wrong bytes");
	j.op = AK_OP_FILL;
	j.src = NULL;
	j.dst = p + AK_PAGE;
	j.len = AK_PAGE;
	j.pattern = 0x5757575757575757ull;
	j.tag = 58;
	VM_CHECK(vm_run(q, &j, &res) == 0 && res.status == AK_ST_SUCCESS,
		 "FILL above 2^47: status %u (%s)", res.status,
		 ak_status_str(res.status));
	VM_CHECK(vm_first_not(p + AK_PAGE, 0x57, AK_PAGE) < 0,
		 "FILL above 2^47: wrong bytes");
	vm_free(src, AK_PAGE);
	ak_queue_close(q);
}

static void t_paging_mode(void)
{
	char cmd[4096] = "", pti[16], melt[256] = "", model[128] = "";
	unsigned a, b, c, d;
	int cpu_la57 = 0, la57, fpti, high_ok, pti_msg, no5;
	uint8_t *p;
	char *m;

	VM_REQUIRE(vm_read_file("/proc/cmdline", cmd, sizeof(cmd)) > 0,
		   "/proc/cmdline");
	VM_REQUIRE(vm_read_file("/proc/cpuinfo", cpuinfo, sizeof(cpuinfo)) > 0,
		   "/proc/cpuinfo");
	m = strstr(cpuinfo, "model name");
	if (m && (m = strchr(m, ':')))
		snprintf(model, sizeof(model), "%.*s",
			 (int)strcspn(m + 2, "\n"), m + 2);
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		cpu_la57 = !!(c & (1u << 16));
	la57 = has_flag("la57");
	fpti = has_flag("pti");
	VM_REQUIRE(la57 >= 0 && fpti >= 0, "no flags line in /proc/cpuinfo");
	no5 = vm_has_word(cmd, "no5lvl");

	/* LA57: the flag, the CPU and the address-space size agree */
	p = mmap((void *)(1ul << 52), 2 * AK_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	high_ok = p != MAP_FAILED;
	VM_CHECK(la57 == high_ok,
		 "cpuinfo la57 flag %d but a mapping at 2^52 %s (5-level paging %s)",
		 la57, high_ok ? "works" : "fails", high_ok ? "on" : "off");
	if (la57)
		VM_CHECK(cpu_la57, "la57 flag without CPUID.7.ECX[16]");
	if (cpu_la57 && !no5)
		VM_CHECK(la57 == 1,
			 "CPU supports LA57 and no5lvl is not given, but the kernel runs 4-level paging");
	if (high_ok) {
		device_at_high_address(p);
		munmap(p, 2 * AK_PAGE);
	}

	/* PTI */
	cmdline_arg(cmd, "pti", pti, sizeof(pti));
	vm_read_file("/sys/devices/system/cpu/vulnerabilities/meltdown", melt,
		     sizeof(melt));
	melt[strcspn(melt, "\n")] = '\0';
	pti_msg = vm_klog_contains("Kernel/User page tables isolation: enabled");
	if (!strcmp(pti, "on")) {
		/*
		 * Forced on. A CPU that is not affected (QEMU's TCG models are
		 * AMD: "Not affected") still gets PTI: the kernel logs
		 * "Kernel/User page tables isolation: enabled" and sets the
		 * "pti" CPU flag; an affected one also reports
		 * "Mitigation: PTI".
		 */
		VM_CHECK(fpti == 1, "pti=on but no 'pti' flag in /proc/cpuinfo");
		VM_CHECK(!strcmp(melt, "Mitigation: PTI") ||
			 (!strcmp(melt, "Not affected") && pti_msg == 1),
			 "pti=on: meltdown \"%s\", PTI-enabled message in the log: %d",
			 melt, pti_msg);
	} else if (!strcmp(pti, "off")) {
		VM_CHECK(fpti == 0, "pti=off but the 'pti' flag is set");
		VM_CHECK(strcmp(melt, "Mitigation: PTI") != 0,
			 "pti=off but meltdown says \"%s\"", melt);
		VM_CHECK(pti_msg == 0, "pti=off but the kernel logged PTI enabled");
	} else {
		VM_CHECK(pti[0] == '\0', "unknown pti=%s", pti);
	}
	printf("[%s-level paging (CPU LA57 %d), PTI %s (pti=%s, meltdown: %s), CPU \"%s\"] ",
	       la57 ? "5" : "4", cpu_la57, fpti ? "on" : "off",
	       pti[0] ? pti : "(auto)", melt, model);
}

static const struct ak_test platform_tests[] = {
	{ "paging mode (LA57) and PTI match the command line", t_paging_mode },
	{ NULL, NULL },
};

int add_platform_suites(void)
{
	return ak_add_suite("platform", NULL, NULL, platform_tests);
}
