/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CUnit glue shared by ak-host-tests and ak-vm-tests: suite registration
 * from a table, and the run with its summary line and exit status.
 */
#ifndef AK_CU_RUN_H
#define AK_CU_RUN_H

#include <stdio.h>

#include <CUnit/Basic.h>

struct ak_test { const char *name; CU_TestFunc fn; };

/* Register a suite with the tests of @tests (ends with a NULL name);
 * returns 0 or -1. */
static inline int ak_add_suite(const char *name, CU_InitializeFunc init,
			       CU_CleanupFunc clean,
			       const struct ak_test *tests)
{
	CU_pSuite s = CU_add_suite(name, init, clean);

	if (!s)
		return -1;
	for (; tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn))
			return -1;
	return 0;
}

/*
 * Run the registered suites verbosely, print "@prog: PASS|FAIL (...)" and
 * clean up the registry. Returns the exit status: 0 if nothing failed,
 * else 1.
 */
static inline int ak_cu_run(const char *prog)
{
	unsigned fails;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() +
		CU_get_number_of_suites_failed() +
		CU_get_number_of_tests_failed();
	if (CU_get_failure_list() != NULL && fails == 0)
		fails = 1;
	printf("\n%s: %s (%u suites failed, %u tests run, %u failed, %u assertions failed)\n",
	       prog, fails ? "FAIL" : "PASS", CU_get_number_of_suites_failed(),
	       CU_get_number_of_tests_run(), CU_get_number_of_tests_failed(),
	       CU_get_number_of_failures());
	CU_cleanup_registry();
	return fails ? 1 : 0;
}

#endif /* AK_CU_RUN_H */
