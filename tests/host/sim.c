// SPDX-License-Identifier: LGPL-2.1-or-later
#include <endian.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sim.h"

struct ak_queue *sim_queue_new(struct sim *s, uint32_t depth, unsigned flags)
{
	struct ak_queue *q = calloc(1, sizeof(*q));
	size_t dus = (size_t)depth * (64 + 32);

	memset(s, 0, sizeof(*s));
	if (!q)
		return NULL;
	dus = (dus + 4095) & ~(size_t)4095;
	q->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->mmio_len = 4096;
	q->dus_len = dus;
	q->db = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q->dus = mmap(NULL, dus, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q->slot_irq = calloc(depth, 1);
	q->slot_rec = calloc(depth, sizeof(*q->slot_rec));
	if (q->fd < 0 || q->db == MAP_FAILED || q->dus == MAP_FAILED ||
	    !q->slot_irq || !q->slot_rec) {
		ak_queue_close(q);
		return NULL;
	}
	q->flags = flags;
	q->irq_default = !(flags & AK_QF_BUSY_POLL);
	q->depth = depth;
	/* CQ first, SQ after it: offsets are the kernel's choice. */
	q->cq = (struct aks_cpl *)(void *)q->dus;
	q->sq = (struct aks_desc *)(void *)(q->dus + (size_t)depth * 32);
	strcpy(q->info.node, "/dev/sim-0");
	q->info.api_version = 1;
	q->info.depth = depth;
	q->info.pasid = 1;
	q->info.mmio_size = 4096;
	q->info.dus_size = dus;
	q->info.max_xfer = 64ull << 20;
	q->info.open_flags = flags;

	s->q = q;
	s->db = q->db;
	s->sq = q->sq;
	s->cq = q->cq;
	s->fd = q->fd;
	s->dus = q->dus;
	s->db_len = q->mmio_len;
	s->dus_len = q->dus_len;
	s->depth = depth;
	s->phase = 1;
	s->max_xfer = 64ull << 20;
	return q;
}

static bool overlap(uint64_t a, uint64_t b, uint64_t len)
{
	return len && a < b + len && b < a + len;
}

/* A one-shot HASH job (docs/device.md: FIRST|LAST, params at rsvd1[0]). */
static uint16_t exec_hash(const struct aks_desc *d, uint64_t *bytes)
{
	const struct aks_params *p =
		(const void *)(uintptr_t)le64toh(d->rsvd1[0]);
	uint16_t fl = le16toh(d->flags) & ~AKS_DF_IRQ;
	const EVP_MD *md;
	unsigned n = 0;

	if (fl != (AKS_DF_FIRST | AKS_DF_LAST) || !p || d->rsvd1[1])
		return AKS_ST_INVALID_DESC;
	md = p->alg == AKS_HASH_SHA256 ? EVP_sha256() :
	     p->alg == AKS_HASH_SHA512 ? EVP_sha512() : NULL;
	if (!md)
		return AKS_ST_INVALID_DESC;
	if (le64toh(d->pattern) < (uint64_t)EVP_MD_get_size(md)) {
		*bytes = 0;
		return AKS_ST_OVERFLOW;
	}
	if (!EVP_Digest((const void *)(uintptr_t)le64toh(d->src),
			le64toh(d->len), (void *)(uintptr_t)le64toh(d->dst),
			&n, md, NULL))
		return AKS_ST_DMA_ERROR;
	*bytes = n;
	return AKS_ST_SUCCESS;
}

static void exec(struct sim *s, const struct aks_desc *d, struct aks_cpl *c)
{
	uint16_t op = le16toh(d->opcode);
	uint64_t src = le64toh(d->src), dst = le64toh(d->dst);
	uint64_t len = le64toh(d->len), pat = le64toh(d->pattern);
	uint16_t st = AKS_ST_SUCCESS;
	uint64_t bytes = 0;

	if (op == AKS_OP_HASH && s->hash)
		st = s->fail_status ? (uint16_t)s->fail_status :
				      exec_hash(d, &bytes);
	else if (op > AKS_OP_FILL)
		st = AKS_ST_INVALID_OPCODE;
	else if (d->rsvd0 || d->rsvd1[0] || d->rsvd1[1] || len > s->max_xfer ||
		 (le16toh(d->flags) & ~AKS_DF_IRQ) ||
		 (op == AKS_OP_COPY && overlap(src, dst, len)))
		st = AKS_ST_INVALID_DESC;
	else if (s->fail_status)
		st = (uint16_t)s->fail_status;
	else if (op == AKS_OP_COPY) {
		memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, len);
		bytes = len;
	} else if (op == AKS_OP_FILL) {
		uint8_t p[8];

		pat = htole64(pat);
		memcpy(p, &pat, 8);
		for (uint64_t i = 0; i < len; i++)
			((uint8_t *)(uintptr_t)dst)[i] = p[i % 8];
		bytes = len;
	}
	c->tag = d->tag;
	c->bytes = htole64(bytes);
	c->fault_addr = htole64(st == AKS_ST_XLATE_FAULT ? dst : 0);
	c->status = htole16(st);
	c->rsvd = 0;
}

int sim_detach(struct sim *s)
{
	s->fd = dup(s->q->fd);
	if (s->fd < 0)
		return -1;
	/* ak_queue_close()'s munmap of 0 bytes fails: the memory stays. */
	s->q->mmio_len = 0;
	s->q->dus_len = 0;
	s->detached = true;
	return 0;
}

void sim_release(struct sim *s)
{
	if (!s->detached)
		return;
	munmap(s->db, s->db_len);
	munmap(s->dus, s->dus_len);
	close(s->fd);
	s->detached = false;
}

unsigned sim_step(struct sim *s)
{
	uint32_t mask = s->depth - 1, tail, head;
	unsigned n = 0;

	tail = le32toh(__atomic_load_n((uint32_t *)(s->db + AKS_DB_SQ_TAIL),
				       __ATOMIC_ACQUIRE));
	head = le32toh(__atomic_load_n((uint32_t *)(s->db + AKS_DB_CQ_HEAD),
				       __ATOMIC_ACQUIRE));
	s->last_sq_tail_db = tail;
	s->last_cq_head_db = head;
	tail &= mask;
	head &= mask;
	/* Level-triggered like the kernel's poll: readable only while a
	 * record is unread. Drained here (same thread that signals). */
	if (head == s->cq_tail) {
		uint64_t v;

		if (read(s->fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: nothing to drain */
		}
	}
	while (!s->stalled && s->sq_head != tail &&
	       ((s->cq_tail + 1) & mask) != head) {
		struct aks_desc d;
		struct aks_cpl *c = &s->cq[s->cq_tail];
		bool irq, hit = s->inject && s->jobs + 1 == s->inject_at;

		if (hit && s->inject == SIM_INJ_STALL) {
			s->stalled = true;
			s->inject = SIM_INJ_NONE;
			break;
		}
		memcpy(&d, &s->sq[s->sq_head], sizeof(d));
		irq = le16toh(d.flags) & AKS_DF_IRQ;
		s->sq_head = (s->sq_head + 1) & mask;
		exec(s, &d, c);
		c->sq_head = htole16((uint16_t)s->sq_head);
		if (hit) {
			switch (s->inject) {
			case SIM_INJ_ENGINE:
				c->status = htole16(AKS_ST_HW_ERROR);
				c->bytes = 0;
				break;
			case SIM_INJ_BAD:
				c->status = htole16(0x7FFF);
				c->sq_head = htole16((uint16_t)(s->sq_head ^ 0x8000));
				break;
			case SIM_INJ_TAG:
				c->tag = htole64(le64toh(c->tag) ^ 0x40);
				break;
			case SIM_INJ_BYTES:
				c->bytes = htole64(le64toh(d.len) +
						   le64toh(d.pattern) + 1);
				break;
			}
			s->inject = SIM_INJ_NONE;
		}
		/* Body first, flags word last. */
		__atomic_store_n(&c->flags, htole16(s->phase), __ATOMIC_RELEASE);
		s->cq_tail = (s->cq_tail + 1) & mask;
		if (s->cq_tail == 0)
			s->phase ^= 1;
		s->jobs++;
		n++;
		if (irq) {
			uint64_t one = 1;

			s->irqs++;
			if (write(s->fd, &one, sizeof(one)) < 0)
				abort();
		}
	}
	return n;
}

unsigned sim_abort(struct sim *s)
{
	uint32_t mask = s->depth - 1, tail, n = 0;

	tail = le32toh(__atomic_load_n((uint32_t *)(s->db + AKS_DB_SQ_TAIL),
				       __ATOMIC_ACQUIRE)) & mask;
	s->stalled = true;
	while (s->sq_head != tail) {
		struct aks_cpl *c = &s->cq[s->cq_tail];

		memset(c, 0, sizeof(*c));
		c->tag = s->sq[s->sq_head].tag;
		c->status = htole16(AKS_ST_ABORTED);
		s->sq_head = (s->sq_head + 1) & mask;
		c->sq_head = htole16((uint16_t)s->sq_head);
		__atomic_store_n(&c->flags, htole16(s->phase), __ATOMIC_RELEASE);
		s->cq_tail = (s->cq_tail + 1) & mask;
		if (s->cq_tail == 0)
			s->phase ^= 1;
		n++;
	}
	if (n) {
		uint64_t one = 1;

		if (write(s->fd, &one, sizeof(one)) < 0)
			abort();
	}
	return n;
}

static void *sim_thread(void *arg)
{
	struct sim *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		if (!sim_step(s))
			usleep(50);
	return NULL;
}

int sim_start(struct sim *s)
{
	s->stop = false;
	s->threaded = pthread_create(&s->thr, NULL, sim_thread, s) == 0;
	return s->threaded ? 0 : -1;
}

void sim_stop(struct sim *s)
{
	if (!s->threaded)
		return;
	__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
	pthread_join(s->thr, NULL);
	s->threaded = false;
}
