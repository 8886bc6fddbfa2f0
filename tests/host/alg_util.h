/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AK_HOST_ALG_UTIL_H
#define AK_HOST_ALG_UTIL_H

#include "libaccelkit.h"

/* A software-path session of @alg (a failure to open it is fatal to the
 * test, and the session must report the software path). */
struct ak_session *ak_test_sw(int alg);

#endif
