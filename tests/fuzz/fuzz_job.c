// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-fuzz: random descriptors on the ring and the checks of their
 * completions against docs/device.md: the statuses allowed for each
 * descriptor class, the bytes of a successful COPY/FILL, fault_addr of a
 * TRANSLATION_FAULT, writes only inside the job's dst window (every other
 * byte of its arena slot, the parameter block and the read-only data
 * unchanged), every job completing exactly once, in ring order, within
 * FZ_WAIT_MS.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define BIT(s) (1u << (s))
#define PARAMS_OFF	0		/* in slot page 1 */
#define TAG_OFF		1024		/* in slot page 1 */

enum kind { K_OK, K_RO, K_RO0, K_DUS, K_NONE, K_HOLE, K_NULL, K_KERN,
	    K_NONCANON, K_MMIO, K_CROSS, K_NR };

bool fz_can_submit(const struct fz_queue *q)
{
	return q->st == FQ_STARTED && q->mmio && q->dus &&
	       (q->mmio_prot & PROT_WRITE) &&
	       q->dus_prot == (PROT_READ | PROT_WRITE);
}

bool fz_can_reap(const struct fz_queue *q)
{
	return q->st == FQ_STARTED && q->mmio && q->dus &&
	       (q->mmio_prot & PROT_WRITE) && (q->dus_prot & PROT_READ);
}

static void doorbell(struct fz_queue *q, unsigned off, uint32_t v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(void *)(q->mmio + off) = v;
}

static volatile struct aks_cpl *cpl_at(struct fz_queue *q, uint32_t cnt)
{
	return (volatile struct aks_cpl *)(void *)(q->dus + q->qi.cq_offset +
		(size_t)(cnt & (q->qi.depth - 1)) * sizeof(struct aks_cpl));
}

static bool cpl_ready(struct fz_queue *q, uint32_t cnt)
{
	uint16_t fl = __atomic_load_n(&cpl_at(q, cnt)->flags, __ATOMIC_ACQUIRE);
	uint16_t phase = (uint16_t)(1u ^ ((cnt / q->qi.depth) & 1u));

	return (fl & AKS_CF_PHASE) == phase;
}

/* ---- pointers of each kind ---- */

static bool kind_readable(enum kind k)
{
	return k == K_OK || k == K_RO || k == K_RO0 || k == K_DUS;
}

/* A source pointer of kind @k for @len bytes; *known: its content. */
static uint64_t src_ptr(struct fz_queue *q, enum kind k, uint64_t len,
			const uint8_t **known, bool *zero)
{
	uint64_t o;

	*known = NULL;
	*zero = false;
	switch (k) {
	case K_OK:
		o = fz_below(FZ_SRC_LEN - len + 1);
		*known = g.src + o;
		return (uint64_t)(uintptr_t)(g.src + o);
	case K_RO:
		o = fz_below(FZ_RO_LEN - len + 1);
		*known = g.ro + o;
		return (uint64_t)(uintptr_t)(g.ro + o);
	case K_RO0:
		*zero = true;
		return (uint64_t)(uintptr_t)(g.ro0 + fz_below(FZ_RO_LEN - len + 1));
	case K_DUS:
		return (uint64_t)(uintptr_t)(q->dus + fz_below(q->qi.cq_offset - len + 1));
	case K_NONE:
		return (uint64_t)(uintptr_t)(g.pnone + fz_below(FZ_RO_LEN));
	case K_HOLE:
		return FZ_HOLE + fz_below(FZ_HOLE_LEN);
	case K_NULL:
		return fz_below(4 * FZ_PAGE);
	case K_KERN:
		return (fz_chance(50) ? 0xffff888000000000ull :
			0xffffffff81000000ull) + fz_below(1 << 20);
	case K_NONCANON:
		return 0x8000000000000000ull + (fz_below(1 << 20) << 12) +
		       fz_below(FZ_PAGE);
	case K_MMIO:
		return (uint64_t)(uintptr_t)q->mmio + fz_below(FZ_PAGE);
	default:	/* K_CROSS: runs off the end of the source buffer */
		return (uint64_t)(uintptr_t)(g.src + FZ_SRC_LEN) -
		       1 - fz_below(len > 1 ? len - 1 : 1);
	}
}

static enum kind pick_src_kind(struct fz_queue *q)
{
	static const unsigned char w[K_NR] = { 76, 4, 3, 2, 2, 2, 2, 2, 2, 2, 3 };
	unsigned r = (unsigned)fz_below(100), k;

	for (k = 0; k < K_NR; k++) {
		if (r < w[k])
			break;
		r -= w[k];
	}
	if (k >= K_NR)
		k = K_OK;
	if ((k == K_DUS && !(q->dus_prot & PROT_READ)) ||
	    (k == K_MMIO && !(q->mmio_prot & PROT_READ)))
		k = K_OK;
	return (enum kind)k;
}

static enum kind pick_dst_kind(void)
{
	static const enum kind bad[] = { K_RO, K_RO0, K_NONE, K_HOLE, K_NULL,
					 K_KERN, K_NONCANON, K_MMIO };

	if (fz_chance(84))
		return K_OK;
	return bad[fz_below(sizeof(bad) / sizeof(bad[0]))];
}

/* A dst pointer of a kind other than K_OK (not written by the device). */
static uint64_t bad_dst_ptr(struct fz_queue *q, enum kind k, uint64_t len)
{
	const uint8_t *kn;
	bool z;

	if (k == K_RO && len > FZ_RO_LEN)
		len = FZ_RO_LEN;
	return src_ptr(q, k, len > FZ_RO_LEN ? FZ_RO_LEN : len, &kn, &z);
}

static void add_range(struct fz_job *j, int i, uint64_t p, uint64_t len)
{
	j->flo[i] = p;
	j->fhi[i] = p + (len ? len : 1);
	j->want_fault_in = true;
}

/* ---- building one job ---- */

static void gen_move(struct fz_queue *q, struct aks_desc *d, struct fz_job *j,
		     uint8_t *slot)
{
	bool copy = d->opcode == AKS_OP_COPY;
	enum kind sk = copy ? pick_src_kind(q) : K_OK, dk = pick_dst_kind();
	uint64_t doff = fz_below(FZ_PAGE), room = FZ_PAGE - doff, len;
	bool src_ok, dst_ok = dk == K_OK;

	if (fz_chance(6))
		len = 0;
	else if (fz_chance(60))
		len = 1 + fz_below(64);
	else
		len = 1 + fz_below(FZ_PAGE);
	if (dk == K_OK && len > room)
		len = room;
	if (sk == K_DUS && len > q->qi.cq_offset)
		len = q->qi.cq_offset;
	if (sk == K_CROSS && len < 2)
		len = 2;
	if (sk == K_CROSS && dk == K_OK && len > room) {
		doff = 0;
		room = FZ_PAGE;
	}
	d->len = len;
	if (copy)
		d->src = src_ptr(q, sk, len, &j->src, &j->src_zero);
	j->dst = dk == K_OK ? slot + doff : NULL;
	j->dwin = dk == K_OK ? len : 0;
	d->dst = dk == K_OK ? (uint64_t)(uintptr_t)j->dst :
		 bad_dst_ptr(q, dk, len);
	j->len = len;
	if (!copy) {
		d->pattern = fz_rnd();
		j->fill = true;
		j->pattern = d->pattern;
	}
	src_ok = !copy || kind_readable(sk);
	snprintf(j->what, sizeof(j->what), "%s len %llu src kind %d dst kind %d",
		 copy ? "COPY" : "FILL", (unsigned long long)len, sk, dk);
	if (copy && len && d->src < d->dst + len && d->dst < d->src + len) {
		/* both pointers in one bad region may overlap */
		j->allowed = BIT(AKS_ST_INVALID_DESC);
		j->src = NULL;
		return;
	}
	if (!len) {
		j->allowed = BIT(AKS_ST_SUCCESS) | BIT(AKS_ST_XLATE_FAULT) |
			     BIT(AKS_ST_DMA_ERROR);
		j->src = NULL;
		j->fill = false;
		return;
	}
	if (src_ok && dst_ok) {
		j->allowed = BIT(AKS_ST_SUCCESS);
		if (sk == K_DUS) {
			j->allowed |= BIT(AKS_ST_XLATE_FAULT);
			j->src = NULL;	/* the rings change under it */
			j->src_zero = false;
		}
		return;
	}
	j->allowed = BIT(AKS_ST_XLATE_FAULT);
	if (sk == K_MMIO || dk == K_MMIO)
		j->allowed |= BIT(AKS_ST_DMA_ERROR);
	if (copy && sk != K_OK)
		add_range(j, 0, d->src, len);
	if (!dst_ok)
		add_range(j, 1, d->dst, len);
	if (sk == K_DUS || sk == K_MMIO || dk == K_MMIO)
		j->want_fault_in = false;	/* data pass may end it anywhere */
}

static uint64_t small_ptr(struct fz_queue *q, uint64_t len, bool *bad)
{
	const uint8_t *kn;
	bool z;
	enum kind k = fz_chance(95) ? K_OK : pick_src_kind(q);

	if (len > FZ_SRC_LEN)
		k = K_CROSS;
	if (!kind_readable(k))
		*bad = true;
	if (k == K_DUS || k == K_MMIO)
		*bad = true;
	return src_ptr(q, k, len > FZ_PAGE ? FZ_PAGE : len, &kn, &z);
}

static void gen_alg(struct fz_queue *q, struct aks_desc *d, struct fz_job *j,
		    uint8_t *slot)
{
	static const uint32_t keylens[] = { 16, 32, 64, 0, 1, 1024, 24 };
	struct aks_params p;
	enum kind sk = fz_chance(85) ? K_OK : pick_src_kind(q);
	enum kind dk = fz_chance(85) ? K_OK : pick_dst_kind();
	uint64_t doff = fz_below(FZ_PAGE / 2), room = FZ_PAGE - doff, len;
	bool bad = !kind_readable(sk) || sk == K_DUS || dk != K_OK;
	const uint8_t *kn;
	bool z;

	len = fz_chance(5) ? 0 : 1 + fz_below(fz_chance(70) ? 256 : 2048);
	if (sk == K_CROSS && len < 2)
		len = 2;
	d->len = len;
	d->src = src_ptr(q, sk, len, &kn, &z);
	j->dst = dk == K_OK ? slot + doff : NULL;
	d->dst = dk == K_OK ? (uint64_t)(uintptr_t)j->dst : bad_dst_ptr(q, dk, 64);
	d->pattern = dk == K_OK ? fz_below(room + 1) : fz_below(4096);
	if (fz_chance(3))
		d->pattern = q->qi.max_xfer + 1 + fz_below(1 << 20);
	j->dwin = dk == K_OK && d->pattern <= room ? d->pattern : 0;
	d->flags |= fz_chance(60) ? AKS_DF_FIRST | AKS_DF_LAST :
		    (uint16_t)(fz_below(16) & ~AKS_DF_IRQ);
	if (d->opcode == AKS_OP_CIPHER && fz_chance(40))
		d->flags |= AKS_DF_DECRYPT;
	d->rsvd0 = fz_chance(95) ? (uint32_t)fz_below(AKS_NR_CTX) :
		   (uint32_t)fz_rnd();
	if (fz_chance(3))
		d->rsvd1[1] = fz_rnd();

	memset(&p, 0, sizeof(p));
	p.alg = (uint32_t)fz_below(5);
	p.level = (uint32_t)fz_below(11);
	p.key_len = fz_chance(90) ? keylens[fz_below(7)] : (uint32_t)fz_rnd();
	p.key = small_ptr(q, p.key_len, &bad);
	p.iv_len = fz_chance(45) ? 12 : fz_chance(80) ? 16 : (uint32_t)fz_below(64);
	p.iv = small_ptr(q, p.iv_len, &bad);
	p.aad_len = fz_chance(60) ? 0 : fz_chance(90) ? fz_below(128) : fz_rnd() >> 36;
	p.aad = small_ptr(q, p.aad_len, &bad);
	j->tagwin = fz_chance(80);
	if (j->tagwin) {
		p.auth_tag = (uint64_t)(uintptr_t)(slot + FZ_PAGE + TAG_OFF);
	} else {
		p.auth_tag = bad_dst_ptr(q, pick_dst_kind() == K_OK ? K_RO :
					 K_HOLE, 16);
		bad = true;
	}
	p.rsvd = fz_chance(97) ? 0 : fz_rnd();
	memcpy(slot + FZ_PAGE + PARAMS_OFF, &p, sizeof(p));
	memcpy(j->params, &p, sizeof(p));
	j->has_params = true;
	if (fz_chance(92)) {
		d->rsvd1[0] = (uint64_t)(uintptr_t)(slot + FZ_PAGE + PARAMS_OFF);
	} else {
		d->rsvd1[0] = src_ptr(q, fz_chance(50) ? K_HOLE : K_KERN, 64,
				      &kn, &z);
		bad = true;
	}
	j->len = len;
	j->allowed = BIT(AKS_ST_SUCCESS) | BIT(AKS_ST_INVALID_DESC) |
		     BIT(AKS_ST_DATA_ERROR) | BIT(AKS_ST_OVERFLOW) |
		     BIT(AKS_ST_AUTH_FAILURE) | BIT(AKS_ST_XLATE_FAULT);
	if (bad || sk == K_MMIO || dk == K_MMIO)
		j->allowed |= BIT(AKS_ST_DMA_ERROR);
	snprintf(j->what, sizeof(j->what),
		 "op %u flags 0x%x ctx %u len %llu dst_len %llu alg %u src kind %d dst kind %d",
		 d->opcode, d->flags, d->rsvd0, (unsigned long long)len,
		 (unsigned long long)d->pattern, p.alg, sk, dk);
}

static void gen_job(struct fz_queue *q, struct aks_desc *d, struct fz_job *j)
{
	unsigned r = (unsigned)fz_below(100);
	uint8_t *slot;

	memset(d, 0, sizeof(*d));
	memset(j, 0, sizeof(*j));
	j->slot = fz_slot_get();
	slot = g.arena + (size_t)j->slot * FZ_SLOT;
	j->tag = 0xf2000000000000ull | g.s.jobs;
	d->tag = j->tag;
	if (fz_chance(25))
		d->flags = AKS_DF_IRQ;
	if (r >= 14 && r < 18) {
		/* design §2.3: one reserved bit (3.5%), phys as VA (0.5%) */
		if (fz_below(8))
			fz_gen_rsvd_bit(q, d, j, slot);
		else
			fz_gen_phys_va(q, d, j, slot);
	} else if (r < 18) {
		d->opcode = AKS_OP_NOP;
		if (fz_chance(40)) {	/* NOP ignores its pointers */
			d->src = fz_rnd();
			d->dst = fz_rnd();
			d->len = fz_below(q->qi.max_xfer + 1);
			d->pattern = fz_rnd();
		}
		j->allowed = BIT(AKS_ST_SUCCESS);
		snprintf(j->what, sizeof(j->what), "NOP");
	} else if (r < 23) {
		d->opcode = (uint16_t)(AKS_OP_CIPHER + 1 +
				       fz_below(0xffff - AKS_OP_CIPHER));
		d->src = fz_rnd();
		d->dst = (uint64_t)(uintptr_t)slot;
		d->len = fz_rnd();
		d->rsvd0 = (uint32_t)fz_rnd();
		j->allowed = BIT(AKS_ST_INVALID_OPCODE);
		snprintf(j->what, sizeof(j->what), "opcode %u", d->opcode);
	} else if (r < 30) {
		d->opcode = (uint16_t)fz_below(3);
		d->src = (uint64_t)(uintptr_t)g.src;
		d->dst = (uint64_t)(uintptr_t)slot;
		d->len = 1 + fz_below(64);
		switch (fz_below(4)) {
		case 0: d->rsvd0 = 1 + (uint32_t)fz_below(0xffffffffu); break;
		case 1: d->rsvd1[0] = 1 + fz_below(~0ull - 1); break;
		case 2: d->rsvd1[1] = 1 + fz_below(~0ull - 1); break;
		default: d->len = q->qi.max_xfer + 1 + fz_below(~0ull >> 8); break;
		}
		j->allowed = BIT(AKS_ST_INVALID_DESC);
		snprintf(j->what, sizeof(j->what), "op %u reserved/len garbage",
			 d->opcode);
	} else if (r < 33) {
		d->opcode = AKS_OP_COPY;
		d->len = 2 + fz_below(FZ_PAGE / 2);
		d->dst = (uint64_t)(uintptr_t)slot + fz_below(FZ_PAGE / 2);
		d->src = d->dst + (fz_chance(50) ? 1 : 0) * fz_below(d->len);
		if (fz_chance(50))
			d->src = d->dst - fz_below(d->len);
		j->allowed = BIT(AKS_ST_INVALID_DESC);
		snprintf(j->what, sizeof(j->what), "overlapping COPY");
	} else if (r < 83) {
		d->opcode = r < 60 ? AKS_OP_COPY : AKS_OP_FILL;
		gen_move(q, d, j, slot);
	} else {
		d->opcode = (uint16_t)(AKS_OP_COMPRESS + fz_below(4));
		gen_alg(q, d, j, slot);
	}
	j->op = d->opcode;
}

/* ---- completion checks ---- */

/* Index of the first byte of [p, p+len) that is not c, or -1 (by words). */
static long first_not(const uint8_t *p, int c, size_t len)
{
	uint64_t w = 0x0101010101010101ull * (uint8_t)c, v;
	size_t i = 0;

	for (; i < len && ((uintptr_t)(p + i) & 7); i++)
		if (p[i] != (uint8_t)c)
			return (long)i;
	for (; i + 8 <= len; i += 8) {
		memcpy(&v, p + i, 8);
		if (v != w)
			break;
	}
	for (; i < len; i++)
		if (p[i] != (uint8_t)c)
			return (long)i;
	return -1;
}

/* Bytes of the job's slot outside [dst, dst + written) are as before. */
static void check_confined(struct fz_job *j, uint64_t written, bool tag_ok,
			   const char *when)
{
	uint8_t *slot = g.arena + (size_t)j->slot * FZ_SLOT;
	int c = fz_canary(j->slot);
	size_t doff = j->dst ? (size_t)(j->dst - slot) : FZ_PAGE;
	long i;

	if (!j->dst)
		written = 0;
	i = first_not(slot, c, doff);
	FZ_CHECK(i < 0, "%s: job %s wrote before its dst at -%zu",
		 when, j->what, doff - (size_t)i);
	if (doff < FZ_PAGE) {
		i = first_not(slot + doff + written, c,
			      FZ_PAGE - doff - written);
		FZ_CHECK(i < 0, "%s: job %s wrote %llu bytes past its dst window (%llu written)",
			 when, j->what, (unsigned long long)i,
			 (unsigned long long)written);
	}
	if (j->has_params)
		FZ_CHECK(!memcmp(slot + FZ_PAGE + PARAMS_OFF, j->params, 64),
			 "%s: job %s changed its parameter block", when, j->what);
	i = first_not(slot + FZ_PAGE + 64, c, TAG_OFF - 64);
	FZ_CHECK(i < 0, "%s: job %s wrote its slot page 1 at %ld", when,
		 j->what, i + 64);
	if (!tag_ok) {
		i = first_not(slot + FZ_PAGE + TAG_OFF, c, 16);
		FZ_CHECK(i < 0, "%s: job %s wrote the tag window", when,
			 j->what);
	}
	i = first_not(slot + FZ_PAGE + TAG_OFF + 16, c,
		      FZ_PAGE - TAG_OFF - 16);
	FZ_CHECK(i < 0, "%s: job %s wrote its slot page 1 at %ld", when,
		 j->what, i + TAG_OFF + 16);
}

static void check_job(struct fz_queue *q, struct fz_job *j,
		      const struct aks_cpl *c)
{
	unsigned st = c->status;
	bool ok = st == AKS_ST_SUCCESS;
	uint64_t written;

	if (st < 16)
		g.s.st[st]++;
	if (st == AKS_ST_XLATE_FAULT || st == AKS_ST_DMA_ERROR ||
	    st == AKS_ST_PASID_INVALID)
		g.s.faults++;
	fz_trace("cpl q%ld tag %llx %s: status %u bytes %llu fault 0x%llx",
		 (long)(q - g.q), (unsigned long long)c->tag, j->what, st,
		 (unsigned long long)c->bytes,
		 (unsigned long long)c->fault_addr);
	FZ_CHECK(st < 32 && (j->allowed & BIT(st)),
		 "job %s: status %u, allowed mask 0x%x (bytes %llu fault_addr 0x%llx)",
		 j->what, st, j->allowed, (unsigned long long)c->bytes,
		 (unsigned long long)c->fault_addr);
	FZ_CHECK(c->bytes <= (j->dst ? j->dwin : ~0ull) || !j->dst,
		 "job %s: bytes %llu over its window %llu", j->what,
		 (unsigned long long)c->bytes, (unsigned long long)j->dwin);
	if (st == AKS_ST_XLATE_FAULT && j->want_fault_in) {
		bool in = false;

		for (int i = 0; i < 2; i++)
			in |= j->fhi[i] && c->fault_addr >= (j->flo[i] & ~(FZ_PAGE - 1)) &&
			      c->fault_addr < j->fhi[i];
		FZ_CHECK(in, "job %s: fault_addr 0x%llx outside [0x%llx,0x%llx) and [0x%llx,0x%llx)",
			 j->what, (unsigned long long)c->fault_addr,
			 (unsigned long long)j->flo[0],
			 (unsigned long long)j->fhi[0],
			 (unsigned long long)j->flo[1],
			 (unsigned long long)j->fhi[1]);
		FZ_CHECK(c->bytes == 0, "job %s: TRANSLATION_FAULT with bytes %llu",
			 j->what, (unsigned long long)c->bytes);
	}
	written = ok ? c->bytes : (st == AKS_ST_XLATE_FAULT ||
				   st == AKS_ST_DMA_ERROR ||
				   st == AKS_ST_PASID_INVALID ? c->bytes : 0);
	if (ok && (j->op == AKS_OP_COPY || j->op == AKS_OP_FILL) && j->dst) {
		FZ_CHECK(c->bytes == j->len, "job %s: bytes %llu, want %llu",
			 j->what, (unsigned long long)c->bytes,
			 (unsigned long long)j->len);
		static uint8_t expect[FZ_PAGE];

		if (j->fill) {
			for (uint64_t i = 0; i < j->len; i += 8)
				memcpy(expect + i, &j->pattern,
				       j->len - i < 8 ? j->len - i : 8);
		} else if (j->src_zero) {
			memset(expect, 0, j->len);
		} else if (j->src) {
			memcpy(expect, j->src, j->len);
		}
		if ((j->fill || j->src_zero || j->src) &&
		    !memcmp(j->dst, expect, j->len))
			goto confined;
		for (uint64_t i = 0; i < j->len; i++) {
			uint8_t want;

			if (j->fill)
				want = (uint8_t)(j->pattern >> (8 * (i % 8)));
			else if (j->src_zero)
				want = 0;
			else if (j->src)
				want = j->src[i];
			else
				break;
			FZ_CHECK(j->dst[i] == want,
				 "job %s: dst byte %llu is 0x%02x, want 0x%02x",
				 j->what, (unsigned long long)i, j->dst[i], want);
		}
	}
confined:
	if (j->slot >= 0)
		check_confined(j, written, ok && j->op == AKS_OP_CIPHER &&
			       j->tagwin, "completion");
	if (st == AKS_ST_XLATE_FAULT || st == AKS_ST_DMA_ERROR)
		FZ_CHECK(!memcmp(g.ro, g.ro_copy, FZ_RO_LEN),
			 "job %s: read-only buffer changed", j->what);
}

void fz_drop_inflight(struct fz_queue *q)
{
	for (; q->cq != q->sq; q->cq++) {
		struct fz_job *j = &q->fl[q->cq % FZ_MAXFL];

		if (j->slot >= 0) {
			check_confined(j, j->dwin, true, "dropped job");
			fz_slot_put(j->slot);
		}
		g.s.dropped++;
	}
	q->sq = q->cq = 0;
}

/* A job at or after counter @from raises an interrupt when it completes. */
static bool irq_coming(struct fz_queue *q, uint32_t from)
{
	for (uint32_t x = from; x != q->sq; x++)
		if (q->fl[x % FZ_MAXFL].irq)
			return true;
	return false;
}

/*
 * Wait for the completion at q->cq, bounded. With an interrupt coming
 * sleep in poll() (CQ_HEAD is up to date, so POLLIN means this one is
 * there): the vCPU idles and the device model gets the host CPU.
 */
static void wait_one(struct fz_queue *q)
{
	uint64_t t0 = fz_now_ms(), now;
	unsigned spins = 0;

	while (!cpl_ready(q, q->cq)) {
		now = fz_now_ms();
		if (now - t0 > FZ_WAIT_MS) {
			g.s.lost++;
			fz_fail("job %s (tag %llx) did not complete within %d ms (%u in flight)",
				q->fl[q->cq % FZ_MAXFL].what,
				(unsigned long long)q->fl[q->cq % FZ_MAXFL].tag,
				FZ_WAIT_MS, q->sq - q->cq);
		}
		if (irq_coming(q, q->cq)) {
			struct pollfd p = { .fd = q->fd, .events = POLLIN };

			if (poll(&p, 1, (int)(FZ_WAIT_MS - (now - t0)) + 1) < 0 &&
			    errno != EINTR)
				fz_fail("poll: %s", strerror(errno));
			if (!cpl_ready(q, q->cq))
				sched_yield();
			continue;
		}
		if (++spins < 16) {
			sched_yield();
			continue;
		}
		usleep(now - t0 > 10 ? 500 : 20);
	}
}

void fz_reap(struct fz_queue *q, bool all)
{
	uint32_t n = q->sq - q->cq, k;
	uint64_t t0, t1;

	if (!n || !fz_can_reap(q))
		return;
	k = all ? n : 1 + (uint32_t)fz_below(n);
	while (k--) {
		struct fz_job *j = &q->fl[q->cq % FZ_MAXFL];
		struct aks_cpl c;
		uint16_t head;

		t0 = fz_now_us();
		wait_one(q);
		memcpy(&c, (const void *)cpl_at(q, q->cq), sizeof(c));
		t1 = fz_now_us();
		g.wait_us[c.status & 15] += t1 - t0;
		g.wait_op_us[j->op > 7 ? 7 : j->op] += t1 - t0;
		if (c.tag != j->tag) {
			bool later = false;

			for (uint32_t x = q->cq + 1; x != q->sq; x++)
				later |= q->fl[x % FZ_MAXFL].tag == c.tag;
			if (later)
				g.s.lost++;
			else
				g.s.dup++;
			fz_fail("completion %u carries tag %llx, want %llx (%s): %s",
				q->cq, (unsigned long long)c.tag,
				(unsigned long long)j->tag, j->what,
				later ? "a job was skipped (lost)" :
				"not a job in flight (duplicate)");
		}
		head = (uint16_t)((q->cq + 1) & (q->qi.depth - 1));
		FZ_CHECK(c.sq_head == head && !c.rsvd,
			 "completion of %s: sq_head %u rsvd %u, want %u 0",
			 j->what, c.sq_head, c.rsvd, head);
		check_job(q, j, &c);
		if (j->slot >= 0)
			fz_slot_put(j->slot);
		g.s.completions++;
		q->cq++;
		doorbell(q, AKS_DB_CQ_HEAD, q->cq & (q->qi.depth - 1));
	}
}

void op_submit(struct fz_queue *q)
{
	unsigned n = 1 + (unsigned)fz_below(fz_chance(40) ? 4 : 12), i;
	bool reap_now = fz_chance(60);

	for (i = 0; i < n; i++) {
		struct fz_job *j;
		struct aks_desc d;
		uint32_t idx;

		if (q->sq - q->cq >= FZ_MAXFL - 1 || g.nfree < 4) {
			/* what this batch wrote so far goes first */
			doorbell(q, AKS_DB_SQ_TAIL, q->sq & (q->qi.depth - 1));
			fz_reap(q, true);
		}
		if (g.nfree < 2)
			break;
		j = &q->fl[q->sq % FZ_MAXFL];
		gen_job(q, &d, j);
		/* the batch we wait for ends with an interrupt */
		if (reap_now && i == n - 1)
			d.flags |= AKS_DF_IRQ;
		j->irq = d.flags & AKS_DF_IRQ;
		idx = q->sq & (q->qi.depth - 1);
		memcpy(q->dus + q->qi.sq_offset + (size_t)idx * sizeof(d), &d,
		       sizeof(d));
		q->sq++;
		g.s.jobs++;
		fz_op();
		fz_trace("submit q%ld tag %llx %s", (long)(q - g.q),
			 (unsigned long long)j->tag, j->what);
	}
	doorbell(q, AKS_DB_SQ_TAIL, q->sq & (q->qi.depth - 1));
	if (reap_now)
		fz_reap(q, true);
}

/* A job with the IRQ flag wakes a poller: poll() returns POLLIN. */
void op_irq_wait(struct fz_queue *q)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	struct fz_job *j;
	struct aks_desc d;
	int r;

	if (!fz_can_submit(q))
		return;
	if (q->sq != q->cq)
		fz_reap(q, true);
	j = &q->fl[q->sq % FZ_MAXFL];
	memset(j, 0, sizeof(*j));
	memset(&d, 0, sizeof(d));
	j->slot = -1;
	j->tag = 0xf3000000000000ull | g.s.jobs;
	j->allowed = BIT(AKS_ST_SUCCESS);
	j->irq = true;
	snprintf(j->what, sizeof(j->what), "NOP with IRQ for poll");
	d.opcode = AKS_OP_NOP;
	d.flags = AKS_DF_IRQ;
	d.tag = j->tag;
	memcpy(q->dus + q->qi.sq_offset +
	       (size_t)(q->sq & (q->qi.depth - 1)) * sizeof(d), &d, sizeof(d));
	q->sq++;
	g.s.jobs++;
	fz_op();
	doorbell(q, AKS_DB_SQ_TAIL, q->sq & (q->qi.depth - 1));
	fz_op();
	r = poll(&p, 1, FZ_WAIT_MS);
	FZ_CHECK(r == 1 && p.revents == POLLIN,
		 "poll for an IRQ job: %d revents 0x%x (%s), want POLLIN", r,
		 p.revents, r < 0 ? strerror(errno) : "no error");
	fz_reap(q, true);
}
