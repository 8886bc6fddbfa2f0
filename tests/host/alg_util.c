// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers shared by the host suites of the algorithm API. */
#include <CUnit/CUnit.h>

#include "alg_util.h"

struct ak_session *ak_test_sw(int alg)
{
	struct ak_session *s = NULL;

	CU_ASSERT_EQUAL_FATAL(ak_session_open(alg, NULL, AK_SF_SOFTWARE, &s), 0);
	CU_ASSERT_EQUAL(ak_session_path(s), AK_PATH_SOFTWARE);
	return s;
}
