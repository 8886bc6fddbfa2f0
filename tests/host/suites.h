/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AK_HOST_SUITES_H
#define AK_HOST_SUITES_H

#include "../cu_run.h"

int add_ring_suite(void);
int add_desc_suite(void);
int add_discovery_suite(void);
int add_errors_suite(void);
int add_queue_suite(void);
int add_spin_suite(void);
int add_akzip_suite(void);
int add_aksum_suite(void);
int add_akenc_suite(void);
int add_alg_sw_suite(void);
int add_alg_comp_suite(void);
int add_libfit_suite(void);
int add_cstream_suite(void);
int add_flush_suite(void);
int add_libfault_suite(void);

#endif
