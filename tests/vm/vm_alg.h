/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ak-vm-tests: helpers of the algorithm-engine suites (vm_alg_*.c):
 * compression, digests and ciphers on the device (opcodes 3-6) through the
 * library's session API and through raw descriptors.
 */
#ifndef AK_VM_ALG_H
#define AK_VM_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <accelkit/sample_hw.h>

#include "vm_common.h"

/* Registration: vm_alg_common.c calls the per-file ones. */
int add_alg_suites(void);
int add_alg_kat_suites(void);		/* vm_alg_kat.c */
int add_alg_equiv_suites(void);		/* vm_alg_equiv.c */
int add_alg_interop_suites(void);	/* vm_alg_interop.c */
int add_alg_raw_suites(void);		/* vm_alg_raw.c */
int add_alg_fuzz_suites(void);		/* vm_alg_fuzz.c */
int add_alg_stream_suites(void);	/* vm_alg_stream.c */
int add_alg_direct_suites(void);	/* vm_alg_direct.c */
int add_alg_cstream_suites(void);	/* vm_alg_cstream.c */

/* The device's sysfs "algorithms" text (static buffer, "" if unreadable). */
const char *va_algs_text(void);
/* 1 if @name is a whole line of it. */
int va_has_alg(const char *name);

/* Fail (and return from the test) unless the device advertises @name. */
#define VA_REQUIRE_ALG(name)						\
	VM_REQUIRE(va_has_alg(name),					\
		   "%s/algorithms does not list \"%s\" (device CAPS bits 3-6 not set, " \
		   "engines missing?); it says: \"%s\"", g_sysdir, name,	\
		   va_algs_text())

/*
 * Open a device-only session on g_node and assert that its observable path
 * is the device ("device", node g_node). NULL (after a recorded failure)
 * otherwise.
 */
struct ak_session *va_dev_session(int alg);
/* Software-only session (asserts path "software"). */
struct ak_session *va_sw_session(int alg);

/* Hex string -> bytes; returns the byte count (asserts it fits). */
size_t va_unhex(const char *hex, uint8_t *out, size_t cap);
/* Short hex dump of up to 32 bytes into a static buffer (one of 4). */
const char *va_hex(const void *p, size_t len);

/* Text-like deterministic data (words, spaces, newlines, some numbers). */
void va_fill_text(void *p, size_t len, uint32_t seed);

/* ---- raw descriptors ---- */

/* ak_reap() that also copies each result's completion flags (cflags,
 * e.g. AK_RF_END) into @cflags when it is not NULL. */
int va_reap_flags(struct ak_queue *q, struct ak_result *out,
		  uint16_t *cflags, unsigned max);

/* Build an algorithm descriptor (IRQ on, tag 0xA1). */
void va_desc(struct aks_desc *d, unsigned op, unsigned flags, unsigned ctx,
	     const void *src, uint64_t len, void *dst, uint64_t dst_len,
	     const struct aks_params *p);

/* Submit one raw descriptor and reap its completion. 0 or -errno
 * (-ETIMEDOUT if none within AK_JOB_TIMEOUT_MS). *cflags may be NULL. */
int va_raw_run(struct ak_queue *q, const struct aks_desc *d,
	       struct ak_result *r, uint16_t *cflags);

/* Reap @n completions (with flags) within @timeout_ms; returns the count. */
int va_reap_n(struct ak_queue *q, struct ak_result *r, uint16_t *cflags,
	      int n, int timeout_ms);

/* Status name including the algorithm statuses 6-8. */
const char *va_st(int status);

/* One-shot raw CIPHER job: returns the completion status (or 0xffff when
 * no completion came). */
int va_raw_cipher(struct ak_queue *q, unsigned alg, bool decrypt,
		  const void *key, uint32_t key_len, const void *iv,
		  uint32_t iv_len, const void *src, size_t len, void *dst,
		  size_t dst_len, const void *aad, size_t aad_len,
		  void *tag, struct ak_result *r);

#endif /* AK_VM_ALG_H */
