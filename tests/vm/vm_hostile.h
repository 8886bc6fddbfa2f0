/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the hostile-use tests (vm_hostile.c, vm_hostile_exit.c).
 */
#ifndef AK_VM_HOSTILE_H
#define AK_VM_HOSTILE_H

/* Failure guard for the asynchronous owner-exit shutdown (not a
 * performance bound: it normally takes milliseconds). */
#define RECLAIM_GUARD_MS 30000

/*
 * Wait (failure guard @ms) until available_instances == @avail and, if
 * @pasids >= 0, pasids_in_use == @pasids. Leaves the last values read in
 * *a and *p (negative errno if unreadable). 1 if both matched.
 */
int vm_wait_counters(long avail, long pasids, int ms, long *a, long *p);

/* Child body (vm_run_child): open a queue of its own, COPY through it,
 * close it: "another process can still use the device". Exit 0 or: */
int vm_other_user(void *arg);
#define OTHER_CODES "10 open failed, 11 open ENOSPC, 12 open EBUSY, 20 COPY failed, 21 COPY wrong bytes"

/* vm_hostile_exit.c */
void t_stuck_private(void);
void t_stuck_shared(void);
void t_stuck_exec(void);
void t_stuck_all(void);

#endif /* AK_VM_HOSTILE_H */
