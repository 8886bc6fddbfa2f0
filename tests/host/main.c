// SPDX-License-Identifier: LGPL-2.1-or-later
/* ak-host-tests: libaccelkit unit tests that need no device. */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "suites.h"

int main(void)
{
	/* Discovery must never see the caller's environment. */
	unsetenv("AK_SYSFS_ROOT");
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (add_ring_suite() || add_desc_suite() || add_discovery_suite() ||
	    add_errors_suite() || add_queue_suite() || add_spin_suite() ||
	    add_alg_sw_suite() || add_alg_comp_suite() || add_libfit_suite() ||
	    add_cstream_suite() || add_flush_suite() || add_libfault_suite() ||
	    add_akzip_suite() || add_aksum_suite() || add_akenc_suite()) {
		fprintf(stderr, "suite registration failed: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	return ak_cu_run("ak-host-tests");
}
