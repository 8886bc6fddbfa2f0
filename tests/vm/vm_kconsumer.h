/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers of the kernel-consumer suites (kcrypt, kzswap/kswapin, kremove):
 * zswap's knobs and counters, a memory cgroup, page contents that
 * compress, a program run with a bound, and AF_ALG skcipher requests.
 */
#ifndef AK_VM_KCONSUMER_H
#define AK_VM_KCONSUMER_H

#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <sys/types.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define KCON_ZSWAP_PAR	"/sys/module/zswap/parameters"
#define KCON_ZSWAP_DBG	"/sys/kernel/debug/zswap"
#define KCON_CG_ROOT	"/sys/fs/cgroup"
#define KCON_ZRAM	"/dev/zram0"
#define KCON_ZRAM_SYS	"/sys/block/zram0"
#define KCON_ZSWAP_DRV	"deflate-accelkit"

/* What kcon_zswap_on() changed, for kcon_zswap_off() to undo. */
struct kcon_zswap {
	int swap_on, zswap_set;
	char old_comp[64], old_enabled[8];
};

/*
 * zram0 of @disksize ("64M") as swap, zswap on deflate-accelkit and
 * enabled, the compressor read back; then the pool's transforms must
 * hold the whole kernel share (kernel_queues_in_use == kernel_queues).
 * 0, or -1 after recording the failure (VM_FAIL).
 */
int kcon_zswap_on(struct kcon_zswap *z, const char *disksize);
/*
 * Undo: compressor back (the pool on the device goes once empty),
 * swapoff (every page comes back; stored_pages 0), enabled back, zram0
 * reset. With @check each step is asserted, else best effort.
 */
void kcon_zswap_off(struct kcon_zswap *z, int check);

/* A zswap debugfs counter, or -errno. */
long kcon_zswap_dbg(const char *name);
/* A zswap module parameter (newline cut) into @buf; bytes or -errno. */
int kcon_zswap_param(const char *name, char *buf, size_t len);
/* Set a zswap module parameter; 0 or -errno. */
int kcon_zswap_set(const char *name, const char *val);

/*
 * Run @argv (argv[0] an absolute path) with PATH and, if not NULL, the
 * environment entry @env; @quiet sends its stdout to /dev/null. Waits
 * at most 60 s. Its exit status, or -1 (no start, signal, timeout).
 */
int kcon_run(char *const argv[], const char *env, int quiet);

/*
 * pagemap of the @n pages at @p: *@swapped with the swap bit (62), and
 * *@present with the present bit (63); 0, or -1 if unreadable.
 */
int kcon_pagemap(const void *p, size_t n, long *swapped, long *present);

/*
 * Keep the calling thread on the CPU it runs on (old mask in @old; 0 or
 * -1), then kcon_unpin(). Around "write pages, MADV_PAGEOUT them": a new
 * page waits in its CPU's LRU batch until drained, and MADV_PAGEOUT
 * drains only its own CPU's batch, so a page written on the other CPU
 * may not be isolated and stays present.
 */
int kcon_pin(cpu_set_t *old);
void kcon_unpin(const cpu_set_t *old);

/* Page @i's contents: compressible, unique per page, never same-filled. */
void kcon_page(uint64_t *w, size_t i, uint32_t seed);

/*
 * cgroup2 mounted with the memory controller on, @dir made with
 * memory.max @max_mb MiB and no swap limit; 0, or -1 with @err filled.
 */
int kcon_cgroup(const char *dir, int max_mb, char *err, size_t len);

/*
 * A child's body: joins @cg_dir, writes @touch_mb MiB of kcon_page()s
 * (@seed), says 'W' on @to, waits for a byte on @from, reads everything
 * back, sends the number of wrong pages (a long) on @to, waits for a
 * byte. 0, or 10..13 for the step that failed (its exit status).
 */
int kcon_cg_child(const char *cg_dir, int touch_mb, uint32_t seed, int to,
		  int from);

/* An AF_ALG transform socket bound to @type/@name; fd or -errno. */
int kcon_alg_tfm(const char *type, const char *name);
/* ALG_SET_KEY; 0 or -errno. */
int kcon_alg_setkey(int tfm, const uint8_t *key, size_t klen);
/*
 * sendmsg of @len bytes on op socket @op with ALG_SET_OP (@enc: encrypt)
 * and a 16-byte ALG_SET_IV, sendmsg @flags (MSG_MORE); 0 or -errno.
 */
int kcon_alg_send(int op, int enc, const uint8_t *iv, const uint8_t *p,
		  size_t len, int flags);
/* Read exactly @len bytes (several reads if need be); bytes or -errno. */
ssize_t kcon_read_all(int fd, uint8_t *out, size_t len);
/*
 * One request of @len bytes on a new op socket of transform @tfm, in one
 * sendmsg (@enc: encrypt), @len bytes read into @out; 0 or -errno.
 */
int kcon_alg_oneshot(int tfm, int enc, const uint8_t *iv, const uint8_t *in,
		     size_t len, uint8_t *out);

#endif
