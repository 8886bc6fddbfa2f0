/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ak-vm-tests: helpers of the issue-8 suites (device contract 2.1):
 * the translation cache (vm_xlate.c), range page requests
 * (vm_prq_range.c) and per-queue order with several device workers
 * (vm_worker_order.c).
 */
#ifndef AK_VM_PERF_H
#define AK_VM_PERF_H

#include <stddef.h>
#include <stdint.h>

#include "vm_common.h"

int add_xlate_cache_suites(void);	/* vm_xlate.c */
int add_prq_range_suites(void);		/* vm_prq_range.c */
int add_worker_order_suites(void);	/* vm_worker_order.c */

#define VP_HP		(2ul << 20)	/* a PMD (THP) page */
#define VP_PRQ_MAX_PAGES 512		/* pages one range request may cover */

/* DEBUG_INJECT bits of contract 2.1 (docs/device.md, "Error injection") */
#define VP_DBG_KEEP_IOTLB	0x4	/* invalidations drop nothing */
#define VP_DBG_NO_IOTLB		0x8	/* every translation is a walk */

/* A sample-driver counter of the PCI device (iotlb_hits, page_walks,
 * workers...): the value, or -errno (-ENOENT: no such attribute). The PCI
 * device is resolved from g_sysdir on every call. */
long vp_dev_counter(const char *attr);

/* Write @val to the device's DEBUG_INJECT (sysfs debug_inject). 0/-errno. */
int vp_debug_inject(unsigned int val);

/* Unbind and bind the sample driver (resets the device: cache, counters,
 * DEBUG_INJECT) and wait for the node. 0, or -1. */
int vp_rebind(void);

/* AnonHugePages (kB) of the VMA holding @p, or -1. */
long vp_thp_kb(const void *p);

#endif /* AK_VM_PERF_H */
