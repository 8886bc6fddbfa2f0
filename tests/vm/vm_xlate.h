/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ak-vm-tests: the translation-cache cases (vm_xlate.c, vm_xlate_thp.c).
 * A case runs job 1 on x->q, changes the mapping from the CPU, runs job 2
 * and records what differs from the CPU's answer in struct xc (it runs in
 * the suite's process or, for the KEEP_IOTLB proof, in a child: no CUnit
 * assertion inside a case).
 */
#ifndef AK_VM_XLATE_H
#define AK_VM_XLATE_H

#include "vm_perf.h"

#define XC_TIMEOUT_MS	120000
#define XC_CANARY	0xA7

struct xc {
	struct ak_queue *q;
	int keep;		/* proof mode: KEEP_IOTLB over the change */
	int keep_on;		/* the bit is set now */
	int keep_stuck;		/* clearing it failed */
	int stale;		/* job 2 returned the old mapping's bytes */
	int fails;
	char msg[400];
};

/* Record a failed check (the first one's text is kept in x->msg). */
void xc_fail(struct xc *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Proof mode only (no-ops otherwise): set KEEP_IOTLB before the CPU
 * changes the mapping; right after job 2 clear it and close the queue
 * (x->q becomes NULL: the unbind's WHOLE_SPACE invalidation drops what
 * the window left). Cases stop after job 2 when x->q is NULL.
 */
void xc_keep_begin(struct xc *x);
void xc_keep_end(struct xc *x);

/*
 * Run @j; record a failure unless it completes with @want (and, for
 * SUCCESS, all its bytes). 0 if it did. A job that does not complete is
 * abandoned by closing the queue (x->q NULL), so its buffers may be freed.
 */
int xc_job(struct xc *x, const struct ak_job *j, uint16_t want,
	   const char *what, struct ak_result *out);

/* Compare job 2's bytes with the CPU's answer @want; x->stale when every
 * wrong byte is the old mapping's (@old, may be NULL). */
void xc_data(struct xc *x, const uint8_t *got, const uint8_t *want,
	     const uint8_t *old, size_t len, const char *what);

/* @len bytes of FILL pattern @pat. */
void xc_pattern(uint8_t *p, uint64_t pat, size_t len);

/* FILL @p[0..len) with @pat (xc_job(), tag @tag), then check its bytes
 * against the pattern, built in @want. The xc_job() result. */
int xc_fill(struct xc *x, uint8_t *p, size_t len, uint64_t pat, uint64_t tag,
	    uint8_t *want, const char *what);

/* vm_xlate_thp.c */
void case_thp_split(struct xc *x);
void case_thp_mprotect(struct xc *x);
void case_thp_collapse(struct xc *x);
void case_huge1g_remap(struct xc *x);

#endif /* AK_VM_XLATE_H */
