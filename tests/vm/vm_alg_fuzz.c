// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz DECOMPRESS on the device: 3000 random, truncated and bit-flipped
 * raw/zlib/gzip inputs. Every job completes within the time bound with
 * SUCCESS, DATA_ERROR or OVERFLOW only; failures write nothing; truncated
 * valid streams end in DATA_ERROR or in SUCCESS without END (with a prefix
 * of the original data); the device still works afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_alg.h"

#define NCASES   3000
#define NBASE    48
#define IN_MAX   1024
#define DST_CAP  2048
#define CANARY   0xc3
#define BUDGET_MS 30000

struct base { unsigned frame; size_t ilen, clen; uint8_t in[700], comp[IN_MAX]; };
struct fcase { unsigned frame; int kind; int base; size_t len, cap; };

static uint32_t rng = 0x9e3779b9;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static int make_bases(struct ak_queue *q, struct base *b)
{
	int i;

	for (i = 0; i < NBASE; i++) {
		struct aks_params p;
		struct aks_desc d;
		struct ak_result r;

		b[i].frame = (unsigned)i % 3;
		b[i].ilen = 1 + rnd() % 600;
		if (i & 4)
			vm_fill_random(b[i].in, b[i].ilen, (uint32_t)i);
		else
			va_fill_text(b[i].in, b[i].ilen, (uint32_t)i);
		memset(&p, 0, sizeof(p));
		p.alg = b[i].frame;
		p.level = 1 + (unsigned)i % 9;
		va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0,
			b[i].in, b[i].ilen, b[i].comp, IN_MAX, &p);
		if (va_raw_run(q, &d, &r, NULL) < 0 ||
		    r.status != AKS_ST_SUCCESS || r.bytes < 2) {
			VM_FAIL("base stream %d: COMPRESS %s", i, va_st(r.status));
			return -1;
		}
		b[i].clen = r.bytes;
	}
	return 0;
}

static void t_fuzz(void)
{
	struct base *b = calloc(NBASE, sizeof(*b));
	struct fcase *c = calloc(NCASES, sizeof(*c));
	uint8_t *in = malloc((size_t)NCASES * IN_MAX);
	uint8_t *dst = malloc((size_t)NCASES * DST_CAP);
	struct aks_params *pp = calloc(3, sizeof(*pp));
	uint8_t *done = calloc(NCASES, 1);
	struct ak_queue_info qi;
	struct ak_queue *q;
	unsigned cnt[9] = { 0 }, bad = 0, trunc_ok = 0, trunc_end = 0;
	int i, next = 0, completed = 0;
	uint64_t t0, deadline;

	VA_REQUIRE_ALG("deflate");
	VM_REQUIRE(b && c && in && dst && pp && done, "alloc");
	q = vm_open_queue(0);
	VM_REQUIRE(q && ak_queue_info(q, &qi) == 0, "queue");
	if (make_bases(q, b) < 0)
		goto out;
	for (i = 0; i < 3; i++)
		pp[i].alg = (uint32_t)i;
	memset(dst, CANARY, (size_t)NCASES * DST_CAP);
	for (i = 0; i < NCASES; i++) {
		uint8_t *x = in + (size_t)i * IN_MAX;
		int k = (int)(rnd() % 4), bi = (int)(rnd() % NBASE), f;
		size_t n;

		c[i].kind = k;
		c[i].base = bi;
		if (k == 0) {		/* random bytes */
			n = 1 + rnd() % 300;
			vm_fill_random(x, n, rnd());
			c[i].frame = rnd() % 3;
		} else if (k == 1) {	/* truncated valid stream */
			n = 1 + rnd() % (b[bi].clen - 1);
			memcpy(x, b[bi].comp, n);
			c[i].frame = b[bi].frame;
		} else if (k == 2) {	/* bit flips */
			n = b[bi].clen;
			memcpy(x, b[bi].comp, n);
			for (f = 0; f < 1 + (int)(rnd() % 3); f++)
				x[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
			c[i].frame = b[bi].frame;
		} else {		/* valid prefix + random tail */
			size_t keep = rnd() % b[bi].clen;

			n = b[bi].clen;
			memcpy(x, b[bi].comp, keep);
			vm_fill_random(x + keep, n - keep, rnd());
			c[i].frame = b[bi].frame;
		}
		c[i].len = n;
		/* a quarter of the non-truncated cases get a small dst */
		c[i].cap = (k != 1 && !(rnd() % 4)) ? rnd() % 600 : DST_CAP;
	}

	t0 = vm_now_ms();
	deadline = t0 + BUDGET_MS;
	while (completed < NCASES && vm_now_ms() < deadline) {
		struct ak_result res[64];
		uint16_t cf[64];
		int got, j;

		while (next < NCASES && ak_queue_space(q) > 0) {
			struct aks_desc d;

			va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST | AKS_DF_LAST,
				(unsigned)next % 8, in + (size_t)next * IN_MAX,
				c[next].len, dst + (size_t)next * DST_CAP,
				c[next].cap, &pp[c[next].frame]);
			d.tag = (uint64_t)next;
			if (ak_submit_raw(q, &d, sizeof(d)) < 0)
				break;
			next++;
		}
		got = va_reap_flags(q, res, cf, 64);
		if (got == 0) {
			int w = ak_wait(q, 1000);

			if (w < 0 && w != -ETIMEDOUT) {
				VM_FAIL("ak_wait: %d", w);
				break;
			}
			continue;
		}
		for (j = 0; j < got; j++) {
			uint64_t t = res[j].tag;
			const struct fcase *fc;
			uint8_t *o;
			int st = res[j].status;

			if (t >= NCASES || done[t]) {
				VM_FAIL("bogus/duplicate completion tag %llu",
					(unsigned long long)t);
				bad++;
				continue;
			}
			done[t] = 1;
			completed++;
			fc = &c[t];
			o = dst + t * DST_CAP;
			cnt[st < 9 ? st : 8]++;
			if (st != AKS_ST_SUCCESS && st != AKS_ST_DATA_ERROR &&
			    st != AKS_ST_OVERFLOW) {
				if (bad++ < 5)
					VM_FAIL("case %llu (kind %d, frame %u, len %zu): status %s",
						(unsigned long long)t, fc->kind,
						fc->frame, fc->len, va_st(st));
				continue;
			}
			if (st == AKS_ST_SUCCESS) {
				if (res[j].bytes > fc->cap ||
				    res[j].fault_addr > fc->len ||
				    vm_first_not(o + res[j].bytes, CANARY,
						 DST_CAP - res[j].bytes) >= 0) {
					if (bad++ < 5)
						VM_FAIL("case %llu: SUCCESS bytes %llu consumed %llu of %zu, or written past bytes",
							(unsigned long long)t,
							(unsigned long long)res[j].bytes,
							(unsigned long long)res[j].fault_addr,
							fc->len);
				}
			} else {
				if ((st == AKS_ST_DATA_ERROR &&
				     res[j].fault_addr > fc->len) ||
				    (st == AKS_ST_OVERFLOW &&
				     res[j].fault_addr <= fc->cap) ||
				    res[j].bytes != 0 ||
				    vm_first_not(o, CANARY, DST_CAP) >= 0) {
					if (bad++ < 5)
						VM_FAIL("case %llu (kind %d, len %zu): %s fault_addr %llu bytes %llu, dst written at %ld",
							(unsigned long long)t, fc->kind,
							fc->len, va_st(st),
							(unsigned long long)res[j].fault_addr,
							(unsigned long long)res[j].bytes,
							vm_first_not(o, CANARY, DST_CAP));
				}
			}
			if (fc->kind == 1) {
				const struct base *bb = &b[fc->base];

				if (st == AKS_ST_DATA_ERROR) {
					trunc_ok++;
				} else if (st == AKS_ST_SUCCESS &&
					   !(cf[j] & AKS_CF_END) &&
					   res[j].bytes <= bb->ilen &&
					   !memcmp(o, bb->in, res[j].bytes)) {
					trunc_ok++;
				} else {
					trunc_end++;
					if (bad++ < 5)
						VM_FAIL("truncated stream (case %llu, %zu of %zu bytes, frame %u): %s flags 0x%x bytes %llu (want DATA_ERROR or SUCCESS without END, a prefix of the original)",
							(unsigned long long)t, fc->len,
							bb->clen, fc->frame, va_st(st),
							cf[j], (unsigned long long)res[j].bytes);
				}
			}
		}
	}
	printf("\n    fuzz: %d/%d completed in %llu ms: SUCCESS %u DATA_ERROR %u OVERFLOW %u other %u; truncated ok %u bad %u\n",
	       completed, NCASES, (unsigned long long)(vm_now_ms() - t0),
	       cnt[0], cnt[6], cnt[7],
	       NCASES - cnt[0] - cnt[6] - cnt[7] - (NCASES - completed),
	       trunc_ok, trunc_end);
	VM_CHECK(completed == NCASES,
		 "only %d of %d fuzz jobs completed within %d ms (hang?)",
		 completed, NCASES, BUDGET_MS);
	VM_CHECK(bad == 0, "%u fuzz cases misbehaved (first ones above)", bad);
	VM_CHECK(cnt[6] > 0 && cnt[0] > 0 && cnt[7] > 0,
		 "fuzz mix degenerate (no SUCCESS, DATA_ERROR or OVERFLOW)");

	/* the device is still fine: a known answer after the storm */
	if (completed == NCASES) {
		static const uint8_t want[32] = {
			0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
			0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
			0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
			0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
		struct aks_params p = { .alg = AKS_HASH_SHA256 };
		uint8_t dg[32];
		struct aks_desc d;
		struct ak_result r;

		va_desc(&d, AKS_OP_HASH, AKS_DF_FIRST | AKS_DF_LAST, 0, "abc",
			3, dg, 32, &p);
		VM_CHECK(va_raw_run(q, &d, &r, NULL) == 0 &&
			 r.status == AKS_ST_SUCCESS && !memcmp(dg, want, 32),
			 "SHA-256(abc) after the fuzz run: %s", va_st(r.status));
	}
out:
	ak_queue_close(q);
	free(b);
	free(c);
	free(in);
	free(dst);
	free(pp);
	free(done);
}

static const struct ak_test fuzz_tests[] = {
	{ "3000 random/truncated/bit-flipped DECOMPRESS jobs", t_fuzz },
	{ NULL, NULL },
};

int add_alg_fuzz_suites(void)
{
	return ak_add_suite("alg: decompress fuzz", NULL, NULL, fuzz_tests);
}
