// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-vm-tests: the in-VM integration suite of accelkit. Needs the modules
 * loaded and /dev/accelkit-N present; runs as root (PCI unbind/bind).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "vm_common.h"
#include "vm_alg.h"
#include "vm_perf.h"
#include "vm_storm.h"

/* Deactivate every suite whose name contains none of the comma-separated
 * words of @list (iteration aid; make test always runs everything).
 * Returns how many stay active: a filter that matches nothing is an error,
 * not a passing run of zero tests. */
static int vm_filter_suites(const char *list)
{
	int kept = 0;
	CU_pSuite s;

	for (s = CU_get_registry()->pSuite; s; s = s->pNext) {
		char buf[256], *save = NULL, *w;
		int keep = 0;

		snprintf(buf, sizeof(buf), "%s", list);
		for (w = strtok_r(buf, ",", &save); w && !keep;
		     w = strtok_r(NULL, ",", &save))
			keep = strstr(s->pName, w) != NULL;
		if (!keep)
			CU_set_suite_active(s, CU_FALSE);
		kept += keep;
	}
	return kept;
}

/*
 * The abuse suites (fault injection and recovery, the library's recovery,
 * the kill storm; docs/testing.md) cost more than the rest: they run where
 * the kernel command line says ak.abuse=1 (make test: the stock 6.1 LA57
 * VM and the 6.1 debug VM), or when AK_SUITES names them. So do the
 * kernel-consumer proofs of issue 12 (crypto API, dm-crypt, zswap, the
 * swapped-out user buffer, the crypto API from atomic context), to keep
 * make test within its budget.
 */
static const char *const vm_abuse_suites[] = {
	"inject", "libfault", "storm", "rmmod", "kcrypt", "kzswap", "kswapin",
	"kremove", "katomic",
};

static int vm_is_abuse_suite(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vm_abuse_suites) / sizeof(vm_abuse_suites[0]); i++)
		if (!strncmp(name, vm_abuse_suites[i], strlen(vm_abuse_suites[i])))
			return 1;
	return 0;
}

static void vm_drop_abuse_suites(void)
{
	CU_pSuite s;

	for (s = CU_get_registry()->pSuite; s; s = s->pNext)
		if (vm_is_abuse_suite(s->pName))
			CU_set_suite_active(s, CU_FALSE);
	CU_set_fail_on_inactive(CU_FALSE);
}

int main(int argc, char **argv)
{
	const char *topo;
	int r;

	/* the exec half of the O_CLOEXEC test (vm_lifetime.c) */
	if (argc >= 2 && !strcmp(argv[1], "--exec-check"))
		return vm_exec_check_main(argc, argv);
	/* the exec'd program keeping an exited owner's queue (vm_hostile.c) */
	if (argc >= 2 && !strcmp(argv[1], "--hostile-survivor"))
		return vm_hostile_survivor_main(argc, argv);
	/* queues held through the power-off (vm/init) */
	if (argc >= 2 && !strcmp(argv[1], "--poweroff-holder")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return vm_poweroff_holder_main();
	}
	/* the program a thread exec's with queues open (vm_storm_threads.c) */
	if (argc >= 2 && !strcmp(argv[1], "--storm-exec"))
		return vm_storm_exec_main(argc, argv);
	/* the long kill storm alone (ak.storm=N, vm/vm-tests.sh) */
	if (argc >= 2 && !strcmp(argv[1], "--storm"))
		return vm_storm_main(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);	/* a dead helper must not kill the suite */
	unsetenv("AK_SYSFS_ROOT");
	r = vm_discover();
	if (r < 0) {
		fprintf(stderr, "ak-vm-tests: no accelkit device in /sys/class/uacce: %s\n",
			strerror(-r));
		return 2;
	}
	g_max_instances = vm_avail();
	printf("ak-vm-tests: %s, available_instances %ld\n", g_node,
	       g_max_instances);
	if (g_max_instances <= 0) {
		fprintf(stderr, "ak-vm-tests: bad available_instances %ld\n",
			g_max_instances);
		return 2;
	}

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	/*
	 * The two-node VM (ak.topology=numa2) runs the suites made for it:
	 * unplug last (it removes and re-adds the devices).
	 */
	topo = getenv("AK_TOPOLOGY");
	if (topo && !strcmp(topo, "numa2")) {
		if (add_numa_suites() || add_unplug_suites()) {
			fprintf(stderr, "suite registration failed: %s\n",
				CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
		goto run;
	}
	if (topo && *topo && strcmp(topo, "one")) {
		fprintf(stderr, "ak-vm-tests: unknown topology %s\n", topo);
		CU_cleanup_registry();
		return 2;
	}
	/*
	 * The invalidation timeout (it breaks the device, then rebinds the
	 * driver) and removal come last but one: they disturb the device.
	 */
	if (add_data_suites() || add_fault_suites() || add_error_suites() ||
	    add_proc_suites() || add_platform_suites() || add_sva_suites() ||
	    add_lifetime_suites() || add_alg_suites() ||
	    add_alg_cstream_suites() ||
	    add_xlate_cache_suites() || add_prq_range_suites() ||
	    add_worker_order_suites() || add_inval_suites() ||
	    add_hostile_suites() || add_fuse_suites() ||
	    add_selftest_suites() || add_kqueue_suites() ||
	    add_sva_mode_suites() || add_kdma_suites() ||
	    add_kcrypt_suites() || add_katomic_suites() ||
	    add_kzswap_suites() ||
	    add_storm_suites() || add_libfault_suites() ||
	    add_inval_timeout_suite() || add_inject_suites() ||
	    add_kremove_suites() || add_remove_suites() || add_rmmod_suite() ||
	    add_final_suite()) {
		fprintf(stderr, "suite registration failed: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
run:
	/* AK_SUITES=a,b: run only suites whose names contain a or b. */
	if (getenv("AK_SUITES") && *getenv("AK_SUITES")) {
		if (!vm_filter_suites(getenv("AK_SUITES"))) {
			fprintf(stderr, "ak-vm-tests: no suite matches AK_SUITES=%s\n",
				getenv("AK_SUITES"));
			CU_cleanup_registry();
			return 2;
		}
		CU_set_fail_on_inactive(CU_FALSE);
	} else if (!getenv("AK_ABUSE") || strcmp(getenv("AK_ABUSE"), "1")) {
		vm_drop_abuse_suites();
	}
	return ak_cu_run("ak-vm-tests");
}
