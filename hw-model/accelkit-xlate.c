/*
 * accelkit sample accelerator: address translation. DMA to guest RAM, the
 * x86-64 page walker, the translation cache (IOTLB) and PASID-table
 * entries (docs/device.md, "Address translation" and "Translation
 * cache").
 *
 * The cache holds leaf translations only, never page-table pages, so an
 * invalidation of a VA range drops exactly the entries it overlaps. A
 * walk whose result could be stale (an invalidation arrived while it ran)
 * is used by its step, which the invalidation waits for, but not cached.
 * Queues in DMA mode (2.5) use none of this: their addresses are bus
 * addresses, checked for RAM only.
 *
 * Copyright (c) 2026 accelkit authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/rcu.h"
#include "accelkit.h"

/* 4 KiB entries a walk caches from one read of its page table, at most. */
#define AK_TLB_PREFETCH     64

/* Invalidations of at most this many pages look their entries up. */
#define AK_TLB_FLUSH_PAGES  64

/*
 * DMA: RAM only, every result checked
 */

static AddressSpace *ak_as(AkState *s)
{
    return pci_get_address_space(PCI_DEVICE(s));
}

/*
 * The bytes from @gpa on, at most @len, that are guest RAM (writable RAM
 * for a write) without a gap.
 */
static hwaddr ak_ram_prefix(AkState *s, hwaddr gpa, hwaddr len, bool write)
{
    hwaddr done = 0;

    RCU_READ_LOCK_GUARD();

    while (done < len) {
        hwaddr xlat, l = len - done;
        MemoryRegion *mr = address_space_translate(ak_as(s), gpa + done,
                                                   &xlat, &l, write,
                                                   MEMTXATTRS_UNSPECIFIED);

        if (!l || !memory_region_is_ram(mr) || memory_region_is_romd(mr) ||
            (write && mr->readonly)) {
            break;
        }
        done += MIN(l, len - done);
    }
    return done;
}

/* True if [gpa, gpa + len) is guest RAM (and writable RAM for a write). */
static bool ak_is_ram(AkState *s, hwaddr gpa, hwaddr len, bool write)
{
    return ak_ram_prefix(s, gpa, len, write) == len;
}

bool ak_dma(AkState *s, hwaddr gpa, void *buf, hwaddr len, bool write)
{
    if (gpa + len < gpa || !ak_is_ram(s, gpa, len, write)) {
        return false;
    }
    return address_space_rw(ak_as(s), gpa, MEMTXATTRS_UNSPECIFIED, buf, len,
                            write) == MEMTX_OK;
}

/*
 * Map guest RAM at @gpa for direct access (no bounce copy). Maps at most
 * *len bytes and sets *len to what was mapped (a range may end at a RAM
 * region boundary). NULL if @gpa is not RAM.
 */
void *ak_dma_map(AkState *s, hwaddr gpa, hwaddr *len, bool write)
{
    hwaddr l = *len;
    void *p;

    if (!l || gpa + l < gpa || !ak_is_ram(s, gpa, l, write)) {
        return NULL;
    }
    p = address_space_map(ak_as(s), gpa, &l, write, MEMTXATTRS_UNSPECIFIED);
    if (!p) {
        return NULL;
    }
    if (!l) {
        address_space_unmap(ak_as(s), p, 0, write, 0);
        return NULL;
    }
    *len = l;
    return p;
}

void ak_dma_unmap(AkState *s, void *p, hwaddr len, bool write)
{
    address_space_unmap(ak_as(s), p, len, write, write ? len : 0);
}

/*
 * Atomically replace a page-table entry, as the CPU's walker does when it
 * sets Accessed/Dirty. Returns 0 on success, 1 if the entry changed under
 * us (re-read and re-check it), -1 if it is not in RAM.
 */
static int ak_pte_cmpxchg(AkState *s, hwaddr gpa, uint64_t old, uint64_t new)
{
    hwaddr len = sizeof(uint64_t);
    uint64_t *p, cur;

    p = ak_dma_map(s, gpa, &len, true);
    if (!p) {
        return -1;
    }
    if (len < sizeof(uint64_t)) {
        address_space_unmap(ak_as(s), p, len, true, 0);
        return -1;
    }
    cur = qatomic_cmpxchg(p, cpu_to_le64(old), cpu_to_le64(new));
    ak_dma_unmap(s, p, len, true);
    return cur == cpu_to_le64(old) ? 0 : 1;
}

/*
 * The translation cache
 */

static uint32_t ak_tlb_hash(uint32_t pasid, uint64_t page)
{
    return (uint32_t)(page ^ (page >> 17) ^ ((uint64_t)pasid * 0x9e3779b1u));
}

static AkTlbEntry *ak_tlb_slot(AkTlb *t, int shift, uint32_t pasid,
                               uint64_t va)
{
    uint32_t h = ak_tlb_hash(pasid, va >> shift);

    switch (shift) {
    case 30:
        return &t->e1g[h % AK_TLB_1G];
    case 21:
        return &t->e2m[h % AK_TLB_2M];
    }
    return &t->e4k[h % AK_TLB_4K];
}

static bool ak_tlb_on(AkState *s)
{
    return !(qatomic_read(&s->debug_inject) & AK_DBG_NO_IOTLB);
}

/*
 * Look @va up (tlb->lock held). On a hit, *gpa and *left as for
 * ak_translate(); a write needs a writable entry.
 */
static bool ak_tlb_lookup(AkTlb *t, uint32_t pasid, uint64_t va, bool write,
                          hwaddr *gpa, uint64_t *left)
{
    static const int shifts[] = { 12, 21, 30 };
    int i;

    for (i = 0; i < ARRAY_SIZE(shifts); i++) {
        uint64_t size = 1ULL << shifts[i];
        AkTlbEntry *e = ak_tlb_slot(t, shifts[i], pasid, va);

        if (e->valid && e->pasid == pasid && e->va == (va & ~(size - 1)) &&
            (e->writable || !write)) {
            *gpa = e->gpa | (va & (size - 1));
            *left = size - (va & (size - 1));
            return true;
        }
    }
    return false;
}

/*
 * Look @va up, taking the cache's lock (@on: the cache is in use; the
 * caller counts what it uses). On a miss *gen, if given, gets the
 * generation a walk starting now caches its result under.
 */
static bool ak_tlb_find(AkState *s, bool on, uint32_t pasid, uint64_t va,
                        bool write, hwaddr *gpa, uint64_t *left,
                        uint64_t *gen)
{
    AkTlb *t = &s->tlb;
    bool hit;

    if (!on) {
        return false;
    }
    qemu_spin_lock(&t->lock);
    hit = ak_tlb_lookup(t, pasid, va, write, gpa, left);
    if (!hit && gen) {
        *gen = t->gen;
    }
    qemu_spin_unlock(&t->lock);
    return hit;
}

/* Cache a translation walked under generation @gen (tlb->lock held). */
static void ak_tlb_insert(AkTlb *t, uint64_t gen, uint32_t pasid, int shift,
                          uint64_t va, hwaddr gpa, bool writable)
{
    uint64_t size = 1ULL << shift;
    AkTlbEntry *e;

    if (t->gen != gen) {
        return;             /* an invalidation ran meanwhile */
    }
    e = ak_tlb_slot(t, shift, pasid, va);
    e->valid = true;
    e->writable = writable;
    e->pasid = pasid;
    e->va = va & ~(size - 1);
    e->gpa = gpa & ~(size - 1);
}

static uint64_t ak_tlb_drop(AkTlbEntry *e, int n, int shift, uint32_t pasid,
                            uint32_t flags, uint64_t start, uint64_t end)
{
    uint64_t size = 1ULL << shift, dropped = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (!e[i].valid) {
            continue;
        }
        if (!(flags & AK_INV_ALL_PASIDS) && e[i].pasid != pasid) {
            continue;
        }
        if (!(flags & (AK_INV_ALL_PASIDS | AK_INV_WHOLE_SPACE)) &&
            (e[i].va + size <= start || e[i].va >= end)) {
            continue;
        }
        e[i].valid = false;
        dropped++;
    }
    return dropped;
}

/* Drop the entry that may cache @va in pages of 1 << @shift. */
static uint64_t ak_tlb_drop_page(AkTlb *t, int shift, uint32_t pasid,
                                 uint64_t va)
{
    AkTlbEntry *e = ak_tlb_slot(t, shift, pasid, va);

    if (e->valid && e->pasid == pasid &&
        e->va == (va & ~((1ULL << shift) - 1))) {
        e->valid = false;
        return 1;
    }
    return 0;
}

/* A short range: look up each page it covers instead of scanning. */
static uint64_t ak_tlb_drop_short(AkTlb *t, uint32_t pasid, uint64_t start,
                                  uint64_t end)
{
    static const int shifts[] = { 12, 21, 30 };
    uint64_t dropped = 0;
    int i;

    for (i = 0; i < ARRAY_SIZE(shifts); i++) {
        uint64_t size = 1ULL << shifts[i];
        uint64_t va = start & ~(size - 1);

        for (; va < end; va += size) {
            dropped += ak_tlb_drop_page(t, shifts[i], pasid, va);
            if (va + size < va) {
                break;                  /* the top of the address space */
            }
        }
    }
    return dropped;
}

/*
 * An invalidation: drop the entries of @pasid that overlap [start, end)
 * (all of them, and the PASID entry, with WHOLE_SPACE; every entry with
 * ALL_PASIDS). Called from INV_SUBMIT, before DONE can be written.
 */
void ak_tlb_flush(AkState *s, uint32_t pasid, uint32_t flags,
                  uint64_t start, uint64_t end)
{
    AkTlb *t = &s->tlb;
    uint64_t dropped;
    int i;

    qemu_spin_lock(&t->lock);
    t->gen++;
    if (!(flags & (AK_INV_ALL_PASIDS | AK_INV_WHOLE_SPACE)) && start < end &&
        (end - start) >> 12 < AK_TLB_FLUSH_PAGES) {
        dropped = ak_tlb_drop_short(t, pasid, start, end);
    } else {
        dropped = ak_tlb_drop(t->e4k, AK_TLB_4K, 12, pasid, flags, start,
                              end) +
                  ak_tlb_drop(t->e2m, AK_TLB_2M, 21, pasid, flags, start,
                              end) +
                  ak_tlb_drop(t->e1g, AK_TLB_1G, 30, pasid, flags, start,
                              end);
    }
    for (i = 0; i < AK_TLB_PASIDS; i++) {
        AkPasidEntry *pe = &t->pasid[i];

        if (pe->valid && ((flags & AK_INV_ALL_PASIDS) ||
                          ((flags & AK_INV_WHOLE_SPACE) &&
                           pe->pasid == pasid))) {
            pe->valid = false;
        }
    }
    qemu_spin_unlock(&t->lock);
    ak_stat_add(s, AK_STAT_IOTLB_DROPS, dropped);
}

void ak_tlb_init(AkState *s)
{
    qemu_spin_init(&s->tlb.lock);
    ak_tlb_flush(s, 0, AK_INV_ALL_PASIDS, 0, 0);
}

/*
 * PASID-table entries
 */

/* Take the PASID entry of the job into r->ctx (at the start of a step). */
int ak_read_pasid(AkState *s, AkRun *r)
{
    AkTlb *t = &s->tlb;
    AkPasidEntry *pe = &t->pasid[r->pasid % AK_TLB_PASIDS];
    uint8_t e[AK_PASID_ENTRY_SIZE];
    bool on = ak_tlb_on(s);
    uint32_t flags;
    uint64_t gen;

    if (!r->ptbl_size || r->pasid >= r->ptbl_size) {
        return AK_ST_PASID_INVALID;
    }
    qemu_spin_lock(&t->lock);
    if (on && pe->valid && pe->pasid == r->pasid) {
        r->ctx.root = pe->root;
        r->ctx.la57 = pe->la57;
        qemu_spin_unlock(&t->lock);
        return AK_ST_SUCCESS;
    }
    gen = t->gen;
    qemu_spin_unlock(&t->lock);

    if (!ak_dma(s, r->ptbl + (uint64_t)r->pasid * AK_PASID_ENTRY_SIZE, e,
                sizeof(e), false)) {
        return AK_ST_DMA_ERROR;
    }
    flags = ldl_le_p(e + 8);
    if ((flags & AK_PASID_STATE_MASK) != AK_PASID_VALID) {
        return AK_ST_PASID_INVALID;     /* never cached */
    }
    r->ctx.root = ldq_le_p(e);
    r->ctx.la57 = flags & AK_PASID_LA57;
    if (on) {
        qemu_spin_lock(&t->lock);
        if (t->gen == gen) {
            pe->valid = true;
            pe->pasid = r->pasid;
            pe->root = r->ctx.root;
            pe->la57 = r->ctx.la57;
        }
        qemu_spin_unlock(&t->lock);
    }
    return AK_ST_SUCCESS;
}

/*
 * The page walker: x86-64 user-mode translation
 */

/* A completed walk: the leaf and what the levels above it allow. */
typedef struct AkLeaf {
    hwaddr gpa;                 /* of the page (size-aligned) */
    int shift;                  /* 12, 21 or 30 */
    bool writable;              /* for a write walk: W everywhere, D set */
    hwaddr table;               /* 4 KiB leaf: its page table ... */
    int index;                  /* ... and its index there */
    bool upper_w;               /* W in every level above the leaf */
} AkLeaf;

/*
 * Walk @va for a read or write, setting Accessed (and Dirty on a leaf
 * written through) as the CPU does. Returns AK_ST_SUCCESS with @leaf,
 * AK_ST_NEED_PAGE for a fault a page request can resolve, or a status
 * that ends the job.
 */
static int ak_walk(AkState *s, const AkCtx *ctx, uint64_t va, bool write,
                   AkLeaf *leaf)
{
    int levels = ctx->la57 ? 5 : 4;
    int lvl = levels, retries = 0;
    hwaddr table = ctx->root & PTE_ADDR_MASK;
    bool upper_w = true;

    /* Lower (user) half of a canonical address: the top bits all zero. */
    if (va >> (12 + 9 * levels - 1)) {
        return AK_ST_XLATE_FAULT;
    }
    ak_stat_add(s, AK_STAT_WALKS, 1);

    while (lvl >= 1) {
        int shift = 12 + 9 * (lvl - 1);
        int index = (va >> shift) & 511;
        hwaddr pte_gpa = table + index * 8;
        uint64_t pte, want;
        bool is_leaf;
        int r;

        if (!ak_dma(s, pte_gpa, &pte, sizeof(pte), false)) {
            return AK_ST_DMA_ERROR;
        }
        pte = le64_to_cpu(pte);
        if (!(pte & PTE_P)) {
            return AK_ST_NEED_PAGE;
        }
        if (!(pte & PTE_U)) {
            return AK_ST_XLATE_FAULT;   /* kernel memory: never a request */
        }
        if (write && !(pte & PTE_W)) {
            return AK_ST_NEED_PAGE;
        }
        if ((pte & PTE_PS) && lvl >= 4) {
            return AK_ST_XLATE_FAULT;   /* reserved at PML5/PML4 */
        }
        is_leaf = lvl == 1 || (pte & PTE_PS);

        /* All checks passed: now A, and D on a leaf we write through. */
        want = pte | PTE_A | (is_leaf && write ? PTE_D : 0);
        if (want != pte) {
            r = ak_pte_cmpxchg(s, pte_gpa, pte, want);
            if (r < 0) {
                return AK_ST_DMA_ERROR;
            }
            if (r > 0) {
                if (++retries > 64) {
                    return AK_ST_XLATE_FAULT;
                }
                continue;               /* changed under us: re-check */
            }
        }
        if (is_leaf) {
            uint64_t size = 1ULL << shift;

            leaf->gpa = pte & PTE_ADDR_MASK & ~(size - 1);
            leaf->shift = shift;
            leaf->writable = write;
            leaf->table = table;
            leaf->index = index;
            leaf->upper_w = upper_w;
            return AK_ST_SUCCESS;
        }
        upper_w = upper_w && (pte & PTE_W);
        table = pte & PTE_ADDR_MASK;
        lvl--;
    }
    return AK_ST_XLATE_FAULT;
}

/*
 * After a walk that ended in a 4 KiB leaf: cache the entries that follow
 * it in the same page table, read in one access, that the device could
 * use without changing them (Present, User, Accessed; writable only if
 * Dirty and W everywhere), like a cache line fill.
 */
static void ak_tlb_prefetch(AkState *s, AkRun *r, uint64_t va,
                            const AkLeaf *leaf, uint64_t gen)
{
    uint64_t ptes[AK_TLB_PREFETCH];
    int n = MIN(AK_TLB_PREFETCH, 511 - leaf->index), i;

    if (n <= 0 || !ak_dma(s, leaf->table + (leaf->index + 1) * 8, ptes,
                          n * 8, false)) {
        return;
    }
    qemu_spin_lock(&s->tlb.lock);
    for (i = 0; i < n; i++) {
        uint64_t pte = le64_to_cpu(ptes[i]);
        uint64_t page = (va & ~0xfffULL) + ((uint64_t)(i + 1) << 12);

        if ((pte & (PTE_P | PTE_U | PTE_A)) != (PTE_P | PTE_U | PTE_A)) {
            continue;
        }
        ak_tlb_insert(&s->tlb, gen, r->pasid, 12, page, pte & PTE_ADDR_MASK,
                      leaf->upper_w && (pte & PTE_W) && (pte & PTE_D));
    }
    qemu_spin_unlock(&s->tlb.lock);
}

/*
 * Translate @va for a read or write: from the cache, or by a walk (one
 * per call). On success returns AK_ST_SUCCESS, the guest-physical address
 * in *gpa and the bytes left in that page (4 KiB, 2 MiB or 1 GiB) in
 * *left. r->ctx must hold the PASID entry (inside a step).
 */
int ak_translate(AkState *s, AkRun *r, uint64_t va, bool write,
                 hwaddr *gpa, uint64_t *left)
{
    AkTlb *t = &s->tlb;
    bool on = ak_tlb_on(s);
    AkLeaf leaf;
    uint64_t gen = 0;
    int st;

    if (ak_tlb_find(s, on, r->pasid, va, write, gpa, left, &gen)) {
        ak_stat_add(s, AK_STAT_IOTLB_HITS, 1);
        return AK_ST_SUCCESS;
    }
    if (on) {
        ak_stat_add(s, AK_STAT_IOTLB_MISSES, 1);
    }
    st = ak_walk(s, &r->ctx, va, write, &leaf);
    if (st != AK_ST_SUCCESS) {
        return st;
    }
    *gpa = leaf.gpa | (va & ((1ULL << leaf.shift) - 1));
    *left = (1ULL << leaf.shift) - (va & ((1ULL << leaf.shift) - 1));
    if (on) {
        qemu_spin_lock(&t->lock);
        ak_tlb_insert(t, gen, r->pasid, leaf.shift, va, leaf.gpa,
                      leaf.writable);
        qemu_spin_unlock(&t->lock);
        if (leaf.shift == 12) {
            ak_tlb_prefetch(s, r, va, &leaf, gen);
        }
    }
    return AK_ST_SUCCESS;
}

/*
 * DMA mode (Q_MODE, 2.5): @addr is a bus address, used as it is, through
 * the same address space as every other access of the device (an IOMMU
 * translating requests without PASID would see it). No cache, no walk, no
 * page request. The run is the part of [addr, addr + want) that is RAM;
 * none: DMA_ERROR, with the address in r->dma_fault.
 */
static int ak_dma_run(AkState *s, AkRun *r, uint64_t addr, uint64_t want,
                      bool write, hwaddr *gpa, uint64_t *n)
{
    if (addr + want < addr) {
        want = -addr;           /* up to the top of the bus */
    }
    *n = ak_ram_prefix(s, addr, want, write);
    if (!*n) {
        r->dma_fault = addr;
        return AK_ST_DMA_ERROR;
    }
    *gpa = addr;
    return AK_ST_SUCCESS;
}

/*
 * Translate the run of [va, va + len) that this step may use: the first
 * page (from the cache, or by a walk if @may_walk: else AK_ST_MISS), then
 * following pages as long as the cache has them (no further walk) and, if
 * @contig, they are physically contiguous, within the step's byte budget.
 * *gpa is the first byte's address, *n the bytes of the run. A DMA-mode
 * job's run is its bus addresses as they are (ak_dma_run()).
 */
int ak_xlate_run(AkState *s, AkRun *r, uint64_t va, uint64_t len,
                 bool write, bool contig, bool may_walk, hwaddr *gpa,
                 uint64_t *n)
{
    uint64_t budget = AK_STEP_BYTES - MIN(r->step_bytes, AK_STEP_BYTES - 1);
    uint64_t want = MIN(len, budget), got, left;
    bool on = ak_tlb_on(s);
    hwaddr next;
    int st;

    if (r->dma) {
        return ak_dma_run(s, r, va, want, write, gpa, n);
    }
    if (!may_walk) {
        if (!ak_tlb_find(s, on, r->pasid, va, write, gpa, &left, NULL)) {
            return AK_ST_MISS;
        }
        ak_stat_add(s, AK_STAT_IOTLB_HITS, 1);
    } else {
        st = ak_translate(s, r, va, write, gpa, &left);
        if (st != AK_ST_SUCCESS) {
            return st;
        }
    }
    got = MIN(left, want);
    next = *gpa + got;
    while (got < want) {
        hwaddr g;

        if (!ak_tlb_find(s, on, r->pasid, va + got, write, &g, &left,
                         NULL) ||
            (contig && g != next)) {
            break;
        }
        ak_stat_add(s, AK_STAT_IOTLB_HITS, 1);
        left = MIN(left, want - got);
        got += left;
        next = g + left;
    }
    *n = got;
    return AK_ST_SUCCESS;
}

/*
 * Page requests: size the run of missing pages
 */

/* A leaf (or a whole level) that a page request for @write can resolve. */
static bool ak_pte_missing(uint64_t pte, bool write)
{
    return !(pte & PTE_P) || ((pte & PTE_U) && write && !(pte & PTE_W));
}

/*
 * How many pages from @va's page on need a page request (at least 1, at
 * most @max): the run ends at the first page the device could use, or at
 * one it must never ask for (no User bit). Reads page tables only, sets
 * no bit and caches nothing: a walk to the first page table, then that
 * table read in one access; a missing upper level counts all its pages
 * at once.
 */
uint64_t ak_probe_missing(AkState *s, const AkCtx *ctx, uint64_t va,
                          uint64_t max, bool write)
{
    int levels = ctx->la57 ? 5 : 4;
    uint64_t n = 0;

    va &= ~0xfffULL;
    while (n < max && !(va >> (12 + 9 * levels - 1))) {
        hwaddr table = ctx->root & PTE_ADDR_MASK;
        int lvl;

        for (lvl = levels; lvl >= 1; lvl--) {
            int shift = 12 + 9 * (lvl - 1);
            int index = (va >> shift) & 511;
            uint64_t span = 1ULL << shift, pte;

            if (lvl == 1) {
                uint64_t ptes[512];
                int cnt = MIN(512 - index, max - n), i;

                if (!ak_dma(s, table + index * 8, ptes, cnt * 8, false)) {
                    return MAX(n, 1);
                }
                for (i = 0; i < cnt; i++) {
                    if (!ak_pte_missing(le64_to_cpu(ptes[i]), write)) {
                        return MAX(n, 1);
                    }
                    n++;
                }
                va += (uint64_t)cnt << 12;
                break;
            }
            if (!ak_dma(s, table + index * 8, &pte, sizeof(pte), false)) {
                return MAX(n, 1);
            }
            pte = le64_to_cpu(pte);
            if (ak_pte_missing(pte, write)) {
                uint64_t pages = (span - (va & (span - 1))) >> 12;

                n += pages;
                va += pages << 12;
                break;
            }
            if (!(pte & PTE_U) || (pte & PTE_PS)) {
                return MAX(MIN(n, max), 1);  /* usable, or never asked */
            }
            table = pte & PTE_ADDR_MASK;
        }
    }
    return MAX(MIN(n, max), 1);
}
