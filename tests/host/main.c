// SPDX-License-Identifier: LGPL-2.1-or-later
/* ak-host-tests: libaccelkit unit tests that need no device. */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "suites.h"

int ak_add_suite(const char *name, CU_InitializeFunc init,
		 CU_CleanupFunc clean, const struct ak_test *tests)
{
	CU_pSuite s = CU_add_suite(name, init, clean);

	if (!s)
		return -1;
	for (; tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn))
			return -1;
	return 0;
}

int main(void)
{
	unsigned fails;

	/* Discovery must never see the caller's environment. */
	unsetenv("AK_SYSFS_ROOT");
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (add_ring_suite() || add_desc_suite() || add_discovery_suite() ||
	    add_errors_suite() || add_queue_suite() || add_alg_sw_suite() ||
	    add_tools_suite()) {
		fprintf(stderr, "suite registration failed: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() +
		CU_get_number_of_suites_failed() +
		CU_get_number_of_tests_failed();
	if (CU_get_failure_list() != NULL && fails == 0)
		fails = 1;
	printf("\nak-host-tests: %s (%u tests run, %u assertions failed, %u tests failed)\n",
	       fails ? "FAIL" : "PASS", CU_get_number_of_tests_run(),
	       CU_get_number_of_failures(), CU_get_number_of_tests_failed());
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
