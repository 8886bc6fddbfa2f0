// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-vm-tests: stream ciphers read and write guest pages directly.
 *
 * AES-CTR (both ways) and AES-GCM encryption go from src's pages straight
 * to dst's, run by run, instead of through device buffers
 * (docs/device.md, "Algorithm engines"). These tests pin down what that
 * must not change: in-place jobs, partially overlapping buffers (which
 * still get the cipher of the ORIGINAL source), page requests in the
 * middle of the data pass, and "a job that faults writes nothing".
 * The reference is the library's software path (the guest's libcrypto).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_alg.h"

#define CANARY 0x5a

static struct ak_queue *dq;

static int direct_init(void)
{
	return vm_suite_queue_open(&dq, NULL, NULL);
}

static int direct_clean(void)
{
	return vm_suite_queue_close(&dq);
}

struct ref {
	uint8_t key[32], iv[16], aad[40], tag[16];
};

static void ref_init(struct ref *k, uint32_t seed)
{
	vm_fill_random(k->key, sizeof(k->key), seed);
	vm_fill_random(k->iv, sizeof(k->iv), seed + 1);
	vm_fill_random(k->aad, sizeof(k->aad), seed + 2);
}

/* What the CPU gives: CTR (16-byte IV) or GCM (12-byte IV, AAD, tag). */
static int sw_encrypt(unsigned aks_alg, const struct ref *k,
		      const uint8_t *src, size_t len, uint8_t *out,
		      uint8_t *tag)
{
	bool gcm = aks_alg == AKS_CIPHER_AES_GCM;
	struct ak_session *s = va_sw_session(gcm ? AK_ALG_AES_GCM
						 : AK_ALG_AES_CTR);
	size_t ol = len;
	int rc;

	if (!s)
		return -1;
	if (gcm)
		rc = ak_aead_encrypt(s, k->key, 32, k->iv, 12, k->aad,
				     sizeof(k->aad), src, len, out, tag);
	else
		rc = ak_encrypt(s, k->key, 32, k->iv, 16, src, len, out, &ol,
				0);
	ak_session_close(s);
	return rc;
}

/* The same on the device, raw: returns the completion status. */
static int dev_encrypt(unsigned aks_alg, const struct ref *k,
		       const uint8_t *src, size_t len, uint8_t *dst,
		       uint8_t *tag, struct ak_result *r)
{
	bool gcm = aks_alg == AKS_CIPHER_AES_GCM;

	return va_raw_cipher(dq, aks_alg, false, k->key, 32, k->iv,
			     gcm ? 12 : 16, src, len, dst, len,
			     gcm ? k->aad : NULL, gcm ? sizeof(k->aad) : 0,
			     gcm ? tag : NULL, r);
}

static const unsigned algs[] = { AKS_CIPHER_AES_CTR, AKS_CIPHER_AES_GCM };

/* The device's answer is the CPU's: SUCCESS, the bytes, (GCM) the tag. */
static bool same_answer(unsigned aks_alg, int st, const uint8_t *got,
			const uint8_t *want, size_t n, const uint8_t *tag,
			const uint8_t *wtag)
{
	return st == AKS_ST_SUCCESS && !memcmp(got, want, n) &&
	       (aks_alg != AKS_CIPHER_AES_GCM || !memcmp(tag, wtag, 16));
}

static const char *alg_name(unsigned a)
{
	return a == AKS_CIPHER_AES_GCM ? "GCM" : "CTR";
}

/* src == dst: each run is encrypted in place, as the CPU would. */
static void t_in_place(void)
{
	static const size_t sizes[] = { 1, 17, 4096 + 5, 200 * 1024 + 3 };
	size_t cap = 200 * 1024 + 64, i, a;
	uint8_t *orig = malloc(cap), *buf = malloc(cap), *want = malloc(cap);
	uint8_t tag[16], wtag[16];
	struct ak_result r;
	struct ref k;
	int st, rc;

	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(orig && buf && want, "malloc");
	ref_init(&k, 90);
	vm_fill_random(orig, cap, 91);
	for (a = 0; a < 2; a++)
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		rc = sw_encrypt(algs[a], &k, orig, n, want, wtag);
		VM_REQUIRE(rc == 0, "software %s: %d", alg_name(algs[a]), rc);
		memcpy(buf, orig, n);
		st = dev_encrypt(algs[a], &k, buf, n, buf, tag, &r);
		VM_CHECK(same_answer(algs[a], st, buf, want, n, tag, wtag),
			 "%s in place, %zu bytes: %s, first diff %ld, tag %s vs %s",
			 alg_name(algs[a]), n, va_st(st),
			 vm_first_diff(buf, want, n), va_hex(tag, 16),
			 va_hex(wtag, 16));
	}
	/* CTR decrypts in place too: back to the original */
	memcpy(buf, orig, cap);
	st = dev_encrypt(AKS_CIPHER_AES_CTR, &k, buf, cap, buf, NULL, &r);
	VM_CHECK(st == AKS_ST_SUCCESS, "CTR in place: %s", va_st(st));
	st = va_raw_cipher(dq, AKS_CIPHER_AES_CTR, true, k.key, 32, k.iv, 16,
			   buf, cap, buf, cap, NULL, 0, NULL, &r);
	VM_CHECK(st == AKS_ST_SUCCESS && !memcmp(buf, orig, cap),
		 "CTR decrypt in place: %s, first diff %ld", va_st(st),
		 vm_first_diff(buf, orig, cap));
	free(orig);
	free(buf);
	free(want);
}

/*
 * dst overlapping src by part: writing as it reads would change input
 * not read yet, so the device must still give the cipher of the source
 * as it was when the job started.
 */
static void t_overlap(void)
{
	static const long shifts[] = { 16, -16, 1, -1, 4096 + 3, -(4096 + 3),
				       65536 };
	size_t n = 150 * 1024, cap = n + 2 * 70000, i, a;
	uint8_t *area = malloc(cap), *orig = malloc(n), *want = malloc(n);
	uint8_t tag[16], wtag[16];
	struct ak_result r;
	struct ref k;
	int st, rc;

	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(area && orig && want, "malloc");
	ref_init(&k, 92);
	vm_fill_random(orig, n, 93);
	for (a = 0; a < 2; a++) {
		rc = sw_encrypt(algs[a], &k, orig, n, want, wtag);
		VM_REQUIRE(rc == 0, "software %s: %d", alg_name(algs[a]), rc);
		for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
			uint8_t *src = area + 70000, *dst = src + shifts[i];

			memset(area, CANARY, cap);
			memcpy(src, orig, n);
			st = dev_encrypt(algs[a], &k, src, n, dst, tag, &r);
			VM_CHECK(same_answer(algs[a], st, dst, want, n, tag,
					     wtag),
				 "%s dst = src %+ld: %s, first diff %ld",
				 alg_name(algs[a]), shifts[i], va_st(st),
				 vm_first_diff(dst, want, n));
		}
	}
	free(area);
	free(orig);
	free(want);
}

/*
 * src and dst never touched by the CPU: the device asks for pages in the
 * middle of its passes and the job still gives the software answer.
 */
static void t_fresh(void)
{
	size_t n = 300 * 1024 + 11, a;
	uint8_t *want = malloc(n), *zero = calloc(1, n);
	uint8_t tag[16], wtag[16];
	struct vm_qstats before, after;
	struct ak_result r;
	struct ref k;
	int st, rc;

	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(want && zero, "malloc");
	ref_init(&k, 94);
	for (a = 0; a < 2; a++) {
		uint8_t *src = vm_fresh(n), *dst = vm_fresh(n);

		VM_REQUIRE(src && dst, "vm_fresh");
		rc = sw_encrypt(algs[a], &k, zero, n, want, wtag);
		VM_REQUIRE(rc == 0, "software %s: %d", alg_name(algs[a]), rc);
		rc = vm_queue_stats(ak_queue_fd(dq), &before);
		VM_REQUIRE(rc == 0, "queue stats: %d", rc);
		st = dev_encrypt(algs[a], &k, src, n, dst, tag, &r);
		rc = vm_queue_stats(ak_queue_fd(dq), &after);
		VM_CHECK(same_answer(algs[a], st, dst, want, n, tag, wtag),
			 "%s never-touched src/dst, %zu bytes: %s, first diff %ld",
			 alg_name(algs[a]), n, va_st(st),
			 vm_first_diff(dst, want, n));
		VM_CHECK(rc == 0 &&
			 after.pages_requested >= before.pages_requested +
						  2 * (n / AK_PAGE),
			 "%s: pages requested %llu -> %llu, want >= %zu more",
			 alg_name(algs[a]),
			 (unsigned long long)before.pages_requested,
			 (unsigned long long)after.pages_requested,
			 2 * (n / AK_PAGE));
		munmap(src, n);
		munmap(dst, n);
	}
	free(want);
	free(zero);
}

/*
 * A job that cannot write all of its outputs writes none: dst whose last
 * page is read-only, or (GCM) a read-only tag page.
 */
static void t_fault_writes_nothing(void)
{
	size_t n = 3 * AK_PAGE, a;
	uint8_t *src = malloc(n), *tag;
	uint8_t *dst = mmap(NULL, n, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ak_result r;
	struct ref k;
	uint64_t lo;
	int st;

	VA_REQUIRE_ALG("gcm(aes)");
	VM_REQUIRE(src && dst != MAP_FAILED, "alloc");
	tag = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VM_REQUIRE(tag != MAP_FAILED, "mmap");
	ref_init(&k, 95);
	vm_fill_random(src, n, 96);
	memset(dst, CANARY, n);
	memset(tag, CANARY, AK_PAGE);
	VM_REQUIRE(mprotect(dst + 2 * AK_PAGE, AK_PAGE, PROT_READ) == 0,
		   "mprotect");
	VM_REQUIRE(mprotect(tag, AK_PAGE, PROT_READ) == 0, "mprotect");
	lo = (uintptr_t)dst + 2 * AK_PAGE;
	for (a = 0; a < 2; a++) {
		st = dev_encrypt(algs[a], &k, src, n, dst, dst + AK_PAGE, &r);
		VM_CHECK(st == AKS_ST_XLATE_FAULT && r.fault_addr >= lo &&
			 r.fault_addr < lo + AK_PAGE && r.bytes == 0 &&
			 vm_first_not(dst, CANARY, n) < 0,
			 "%s, last dst page read-only: %s fault_addr 0x%llx bytes %llu, dst written at %ld",
			 alg_name(algs[a]), va_st(st),
			 (unsigned long long)r.fault_addr,
			 (unsigned long long)r.bytes,
			 vm_first_not(dst, CANARY, n));
	}
	/* GCM: dst writable, the tag is not */
	VM_REQUIRE(mprotect(dst, n, PROT_READ | PROT_WRITE) == 0, "mprotect");
	st = dev_encrypt(AKS_CIPHER_AES_GCM, &k, src, n, dst, tag, &r);
	VM_CHECK(st == AKS_ST_XLATE_FAULT &&
		 r.fault_addr == (uintptr_t)tag && r.bytes == 0 &&
		 vm_first_not(dst, CANARY, n) < 0 &&
		 vm_first_not(tag, CANARY, AK_PAGE) < 0,
		 "GCM, tag page read-only: %s fault_addr 0x%llx (tag %p) bytes %llu, dst written at %ld",
		 va_st(st), (unsigned long long)r.fault_addr, (void *)tag,
		 (unsigned long long)r.bytes, vm_first_not(dst, CANARY, n));
	/* the queue still works afterwards, and gives the software answer */
	{
		uint8_t want[64], wtag[16], t2[16];

		VM_CHECK(sw_encrypt(AKS_CIPHER_AES_GCM, &k, src, 64, want,
				    wtag) == 0, "software GCM");
		st = dev_encrypt(AKS_CIPHER_AES_GCM, &k, src, 64, dst, t2, &r);
		VM_CHECK(same_answer(AKS_CIPHER_AES_GCM, st, dst, want, 64,
				     t2, wtag),
			 "GCM after the faults: %s", va_st(st));
	}
	munmap(dst, n);
	munmap(tag, AK_PAGE);
	free(src);
}

static const struct ak_test direct_tests[] = {
	{ "CTR/GCM in place (src == dst) == software", t_in_place },
	{ "CTR/GCM with partially overlapping src/dst: cipher of the original src", t_overlap },
	{ "CTR/GCM on never-touched src and dst: page requests mid-pass, == software", t_fresh },
	{ "CTR/GCM: a read-only dst page or tag faults and writes nothing", t_fault_writes_nothing },
	{ NULL, NULL },
};

int add_alg_direct_suites(void)
{
	return ak_add_suite("alg: direct ciphers", direct_init, direct_clean,
			    direct_tests);
}
