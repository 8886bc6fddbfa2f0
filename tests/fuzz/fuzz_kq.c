// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-fuzz: attempts to reach kernel-queue behaviour from a user queue
 * (issue 12, design notes §2.3; docs/testing.md "ak-fuzz").
 *
 * (1) Reserved bits one at a time: an otherwise valid job (NOP, COPY,
 *     FILL, or a SHA-256 HASH with a valid parameter block) with exactly
 *     one reserved bit set: descriptor bytes 4..7 and 48..63 of opcodes
 *     0-2, ctx bits 31..3 and bytes 56..63 of algorithm jobs, flags
 *     bits 6..15 of every opcode (device 2.6). Only INVALID_DESC is
 *     allowed, and nothing is written.
 * (2) A physical address used as a VA: the PFN of a locked page of ours
 *     holding FZ_MAGIC (/proc/self/pagemap, root) and the start of
 *     "Kernel code" (/proc/iomem), shifted to an address, checked
 *     unmapped in our address space (MAP_FIXED_NOREPLACE probe), as the
 *     src of a COPY: only TRANSLATION_FAULT with fault_addr in the source
 *     range, bytes 0, the dst window untouched (never the magic). A
 *     DMA-mode (kernel) queue would read that RAM; a user queue must not.
 * (4) The split, after every open and close: our queues holding a
 *     hardware queue <= nr - kernel_queues (nr = available_instances +
 *     kernel_queues at start), available_instances >= 0, and none of our
 *     queue_ids in kq_ids. For the run an AF_ALG transform on
 *     cbc-aes-accelkit holds kernel queues, so kq_ids is not empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_alg.h>

#include "fuzz.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define KQ_BIT(s) (1u << (s))

static bool kq_unmapped(uint64_t va);

static uint64_t kq_iomem_kernel_code(void)
{
	char line[256];
	uint64_t start = 0;
	FILE *f = fopen("/proc/iomem", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ": Kernel code")) {
			start = strtoull(line + strspn(line, " "), NULL, 16);
			break;
		}
	fclose(f);
	return start;
}

static int kq_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

void fz_kq_setup(void)
{
	static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					 12, 13, 14, 15, 16 };
	struct sockaddr_alg sa;
	char p[600], real[PATH_MAX];
	uint64_t e = 0, v = FZ_MAGIC;
	size_t i;
	long kqiu;
	int fd;

	/* the magic page and its physical address */
	g.magic = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.magic == MAP_FAILED)
		fz_fail("mmap magic page: %s", strerror(errno));
	for (i = 0; i < FZ_PAGE; i += 8)
		memcpy(g.magic + i, &v, 8);
	if (mlock(g.magic, FZ_PAGE))
		fz_fail("mlock magic page: %s", strerror(errno));
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)g.magic / FZ_PAGE * 8)) != 8)
		fz_fail("/proc/self/pagemap: %s", strerror(errno));
	close(fd);
	g.phys[0] = (e & ((1ull << 55) - 1)) * FZ_PAGE;
	if (!(e >> 63) || !g.phys[0])
		fz_fail("pagemap of the magic page: 0x%llx (present, PFN: needs root)",
			(unsigned long long)e);
	g.phys[1] = kq_iomem_kernel_code() & ~(FZ_PAGE - 1);
	/*
	 * Probe once, here: a probe per job maps the VA for a moment, and a
	 * job on it still in flight then translates (seen on the debug
	 * kernel). Nothing of ours maps at a fixed address later.
	 */
	for (i = 0; i < 2; i++)
		if (g.phys[i] && !kq_unmapped(g.phys[i]))
			g.phys[i] = 0;
	if (!g.phys[0] && !g.phys[1])
		fz_fail("both physical addresses are mapped in our address space");

	/* kernel queues held for the run */
	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fz_fail("AF_ALG socket: %s (algif_skcipher?)", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.salg_family = AF_ALG;
	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "skcipher");
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "cbc-aes-accelkit");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, sizeof(key)))
		fz_fail("AF_ALG cbc-aes-accelkit: %s", strerror(errno));
	g.alg_fd = fd;
	snprintf(p, sizeof(p), "%s/device", g.sysdir);
	if (!realpath(p, real))
		fz_fail("%s: %s", p, strerror(errno));
	if (strlen(real) >= sizeof(g.pcidir))
		fz_fail("PCI path too long: %s", real);
	memcpy(g.pcidir, real, strlen(real) + 1);
	g.nr_queues = g.max_inst + fz_attr("kernel_queues");
	kqiu = fz_attr("kernel_queues_in_use");
	if (kqiu < 1)
		fz_fail("kernel_queues_in_use %ld with an AF_ALG transform alive", kqiu);
	printf("AK-FUZZ: magic page at phys 0x%llx, Kernel code at 0x%llx; kernel_queues %ld (in use %ld), nr %ld\n",
	       (unsigned long long)g.phys[0], (unsigned long long)g.phys[1],
	       fz_attr("kernel_queues"), kqiu, g.nr_queues);
}

void fz_kq_finish(void)
{
	uint64_t v = FZ_MAGIC;
	size_t i;

	for (i = 0; i < FZ_PAGE; i += 8)
		FZ_CHECK(!memcmp(g.magic + i, &v, 8),
			 "the magic page changed at %zu", i);
	if (g.alg_fd >= 0)
		close(g.alg_fd);
	g.alg_fd = -1;
}

/* ---- (4) the split ---- */

void fz_check_split(const char *when)
{
	char p[600], buf[512], *s, *end;
	long kq = fz_attr("kernel_queues"), a = fz_attr("available_instances");
	long kqiu = fz_attr("kernel_queues_in_use");
	int hw = fz_hw_queues(), n = 0, i, r;
	unsigned long ids[64];

	if (!g.pcidir[0])
		return;		/* before fz_kq_setup */
	FZ_CHECK(kq >= 0 && a >= 0 && kqiu >= 0,
		 "%s: kernel_queues %ld available_instances %ld kernel_queues_in_use %ld",
		 when, kq, a, kqiu);
	FZ_CHECK(hw <= g.nr_queues - kq,
		 "%s: we hold %d user queues, more than nr %ld - kernel_queues %ld",
		 when, hw, g.nr_queues, kq);
	snprintf(p, sizeof(p), "%s/kq_ids", g.pcidir);
	r = kq_read(p, buf, sizeof(buf));
	FZ_CHECK(r >= 0, "%s: %s: %s", when, p, strerror(-r));
	for (s = buf; n < 64; s = end) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s)
			break;
		ids[n++] = v;
	}
	FZ_CHECK(n == kqiu, "%s: kq_ids lists %d queues, kernel_queues_in_use %ld",
		 when, n, kqiu);
	if (g.alg_fd >= 0)
		FZ_CHECK(kqiu >= 1, "%s: kernel_queues_in_use %ld with our AF_ALG transform alive",
			 when, kqiu);
	for (i = 0; i < FZ_NQ; i++) {
		struct fz_queue *q = &g.q[i];

		if (q->st != FQ_INIT && q->st != FQ_STARTED)
			continue;
		for (int k = 0; k < n; k++)
			FZ_CHECK(q->qi.queue_id != ids[k],
				 "%s: our queue q%d has hardware queue %u, listed in kq_ids",
				 when, i, q->qi.queue_id);
	}
}

/* ---- (2) a physical address as a VA ---- */

/* Nothing of ours at [va, va + page): probe with MAP_FIXED_NOREPLACE. */
static bool kq_unmapped(uint64_t va)
{
	void *p = mmap((void *)(uintptr_t)va, FZ_PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return false;	/* EEXIST: ours; anything else: not usable */
	munmap(p, FZ_PAGE);
	return p == (void *)(uintptr_t)va;
}

void fz_gen_phys_va(struct fz_queue *q, struct aks_desc *d, struct fz_job *j,
		    uint8_t *slot)
{
	int which = (fz_chance(30) && g.phys[1]) || !g.phys[0] ? 1 : 0;
	uint64_t off = fz_below(FZ_PAGE / 2), len = 1 + fz_below(FZ_PAGE / 2);
	uint64_t va = g.phys[which];

	if (!va) {
		/* mapped in our address space at setup: rule (1) instead */
		fz_gen_rsvd_bit(q, d, j, slot);
		return;
	}
	g.s.phys_va++;
	d->opcode = AKS_OP_COPY;
	d->src = va + off;
	d->dst = (uint64_t)(uintptr_t)slot;
	d->len = len;
	j->dst = slot;
	j->dwin = 0;
	j->len = len;
	j->allowed = KQ_BIT(AKS_ST_XLATE_FAULT);
	j->flo[0] = d->src;
	j->fhi[0] = d->src + len;
	j->want_fault_in = true;
	snprintf(j->what, sizeof(j->what), "COPY from phys %s 0x%llx as a VA, len %llu",
		 which ? "Kernel code" : "magic page",
		 (unsigned long long)d->src, (unsigned long long)len);
}

/* ---- (1) one reserved bit ---- */

void fz_gen_rsvd_bit(struct fz_queue *q, struct aks_desc *d, struct fz_job *j,
		     uint8_t *slot)
{
	/*
	 * positions: opcodes 0-2: rsvd0 32, rsvd1 128; alg: ctx 29, rsvd 64;
	 * both: flags bits 6..15
	 */
	unsigned nflag = 10, pos;
	bool alg = fz_chance(40);
	uint64_t len = 1 + fz_below(64);

	(void)q;
	pos = (unsigned)fz_below((alg ? 29 + 64 : 32 + 128) + nflag);
	g.s.rsvd_bit++;
	if (alg) {
		struct aks_params p;

		memset(&p, 0, sizeof(p));
		p.alg = AKS_HASH_SHA256;
		memcpy(slot + FZ_PAGE, &p, sizeof(p));
		memcpy(j->params, &p, sizeof(p));
		j->has_params = true;
		d->opcode = AKS_OP_HASH;
		d->flags |= AKS_DF_FIRST | AKS_DF_LAST;
		d->rsvd0 = (uint32_t)fz_below(AKS_NR_CTX);
		d->rsvd1[0] = (uint64_t)(uintptr_t)(slot + FZ_PAGE);
		d->pattern = 64;	/* dst capacity */
		d->src = (uint64_t)(uintptr_t)g.src;
	} else {
		d->opcode = (uint16_t)fz_below(3);
		if (d->opcode == AKS_OP_COPY)
			d->src = (uint64_t)(uintptr_t)(g.src + fz_below(FZ_PAGE));
		if (d->opcode == AKS_OP_FILL)
			d->pattern = fz_rnd();
	}
	d->dst = (uint64_t)(uintptr_t)slot;
	d->len = len;
	if (pos >= (alg ? 93u : 160u)) {
		pos = 6 + (pos - (alg ? 93u : 160u));
		d->flags |= (uint16_t)(1u << pos);
		snprintf(j->what, sizeof(j->what), "op %u reserved flags bit %u",
			 d->opcode, pos);
	} else if (alg && pos < 29) {
		d->rsvd0 |= 1u << (pos + 3);
		snprintf(j->what, sizeof(j->what), "op %u ctx bit %u", d->opcode,
			 pos + 3);
	} else if (alg) {
		d->rsvd1[1] = 1ull << (pos - 29);
		snprintf(j->what, sizeof(j->what), "op %u byte 56 bit %u",
			 d->opcode, pos - 29);
	} else if (pos < 32) {
		d->rsvd0 = 1u << pos;
		snprintf(j->what, sizeof(j->what), "op %u byte 4 bit %u",
			 d->opcode, pos);
	} else {
		d->rsvd1[(pos - 32) / 64] = 1ull << ((pos - 32) % 64);
		snprintf(j->what, sizeof(j->what), "op %u byte %u bit %u",
			 d->opcode, 48 + (pos - 32) / 64 * 8, (pos - 32) % 64);
	}
	j->dst = slot;
	j->dwin = 0;
	j->len = len;
	j->allowed = KQ_BIT(AKS_ST_INVALID_DESC);
}
