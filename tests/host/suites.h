/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AK_HOST_SUITES_H
#define AK_HOST_SUITES_H

#include <CUnit/CUnit.h>

int add_ring_suite(void);
int add_desc_suite(void);
int add_discovery_suite(void);
int add_errors_suite(void);
int add_queue_suite(void);
int add_tools_suite(void);
int add_alg_sw_suite(void);

/* Register a suite with tests; returns 0 or -1. */
struct ak_test { const char *name; CU_TestFunc fn; };
int ak_add_suite(const char *name, CU_InitializeFunc init,
		 CU_CleanupFunc clean, const struct ak_test *tests);

#endif
