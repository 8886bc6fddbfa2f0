// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akbench munmap line: the latency of munmap() of one unrelated 4 KiB page
 * in a process with a bound queue, idle and while a long device job (a
 * level-9 COMPRESS of 32 MiB) is executing, measured in the same run.
 *
 * Every munmap() of a process with a bound queue invalidates the device's
 * view of that address space; the device answers at the end of the step in
 * progress (docs/device.md, "Steps"), so the two figures should be close.
 * Informational: nothing is asserted on time. The long job's status is
 * checked (a failure counts as an error).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <accelkit/sample_hw.h>
#include <libaccelkit.h>

#include "akbench.h"

#define LONG_LEN	(32u << 20)
#define LONG_CAP	(LONG_LEN + (LONG_LEN >> 8) + (64u << 10))
#define SAMPLES		64
#define LONG_WAIT_MS	240000

static unsigned backwards;	/* samples where the guest clock went back */

/* munmap() of one fresh, touched page, in ns (0 on failure). */
static uint64_t one_munmap(void)
{
	volatile uint8_t *p;
	uint64_t t0, t1;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	p[0] = 1;			/* a PTE to tear down */
	t0 = now_ns();
	munmap((void *)p, 4096);
	t1 = now_ns();
	/*
	 * A device model that stalls every vCPU (device 1.0 waited in its
	 * MMIO handler under QEMU's global lock) can make the guest clock go
	 * backwards: such a sample means nothing.
	 */
	if (t1 < t0) {
		backwards++;
		return 0;
	}
	return t1 - t0;
}

/* Text-like bytes that deflate at level 9 takes its time over. */
static void fill_text(uint8_t *b, size_t len)
{
	static const char *const w[] = {
		"queue", "page", "device", "job", "table", "fault", "the",
		"memory", "stream", "a", "of", "kernel", "ring", "and",
	};
	uint32_t x = 2463534242u;
	size_t i = 0;

	while (i < len) {
		const char *s;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		s = w[(x >> 8) % (sizeof(w) / sizeof(w[0]))];
		for (; *s && i < len; s++)
			b[i++] = (uint8_t)*s;
		if (i < len)
			b[i++] = (x & 0x700) == 0x700 ? '\n' : ' ';
	}
}

/*
 * Print the line. @q is an open queue of this process. Returns 0, 1 if the
 * long job failed, or a negative errno if it could not run.
 */
int akb_munmap(struct ak_queue *q)
{
	static struct aks_params p;
	uint64_t idle[SAMPLES], busy[SAMPLES], deadline, t_sub, t_done = 0;
	unsigned ni = 0, nb = 0, i;
	struct ak_result res;
	struct aks_desc d;
	uint8_t *src, *dst;
	double idle_us, busy_us;
	int r, n = 0;

	for (i = 0; i < SAMPLES; i++) {
		idle[ni] = one_munmap();
		ni += idle[ni] != 0;
	}

	src = malloc(LONG_LEN);
	dst = malloc(LONG_CAP);
	if (!src || !dst) {
		free(src);
		free(dst);
		return -ENOMEM;
	}
	fill_text(src, LONG_LEN);
	memset(dst, 0, LONG_CAP);	/* resident: no device page faults */
	memset(&p, 0, sizeof(p));
	p.alg = AKS_FRAME_ZLIB;
	p.level = 9;
	memset(&d, 0, sizeof(d));
	d.opcode = AKS_OP_COMPRESS;
	d.flags = AKS_DF_FIRST | AKS_DF_LAST;
	d.tag = 0x3a;
	d.src = (uintptr_t)src;
	d.dst = (uintptr_t)dst;
	d.len = LONG_LEN;
	d.pattern = LONG_CAP;
	d.rsvd1[0] = (uintptr_t)&p;
	t_sub = now_ns();
	r = ak_submit_raw(q, &d, sizeof(d));
	if (r < 0)
		goto out;

	/* Sample while the job has not completed. */
	deadline = now_ns() + (uint64_t)LONG_WAIT_MS * 1000000ull;
	while (nb < SAMPLES && now_ns() < deadline) {
		n = ak_reap(q, &res, 1);
		if (n)
			break;
		busy[nb] = one_munmap();
		nb += busy[nb] != 0;
		usleep(5000);
	}
	while (!n && now_ns() < deadline) {
		n = ak_reap(q, &res, 1);
		if (!n)
			usleep(10000);
	}
	if (n)
		t_done = now_ns();

	idle_us = pct_us(idle, ni, 0.5);
	busy_us = pct_us(busy, nb, 0.5);
	printf("\nmunmap() of one unrelated 4 KiB page, p50: idle %.1f us; during a 32 MiB\n"
	       "level-9 COMPRESS %.1f us (%u samples, max %.1f us); during/idle %.1fx\n",
	       idle_us, busy_us, nb, pct_us(busy, nb, 1.0),
	       idle_us > 0 ? busy_us / idle_us : 0.0);
	printf("(the COMPRESS took %.0f ms from submission to its completion",
	       t_done > t_sub ? (t_done - t_sub) / 1e6 : 0.0);
	if (backwards)
		printf("; %u samples dropped: the guest clock went backwards",
		       backwards);
	printf(")\n");
	if (n != 1) {
		fprintf(stderr, "akbench: the long COMPRESS did not complete\n");
		r = 1;
	} else if (res.status != AKS_ST_SUCCESS) {
		fprintf(stderr, "akbench: the long COMPRESS: %s\n",
			ak_status_str(res.status));
		r = 1;
	}
out:
	free(src);
	free(dst);
	return r;
}
