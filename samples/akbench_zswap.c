// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akbench --zswap: the kernel path of the device (issue 12). zswap
 * compresses pages through the kernel crypto API; with its compressor
 * set to deflate-accelkit every page goes to a kernel-owned queue of the
 * device, with the software deflate (deflate-scomp) it runs on the CPU.
 * Both are measured in the same run, one after the other, R times each:
 *
 *   store: MADV_PAGEOUT of N MiB of compressible, non-uniform pages
 *          (zswap compresses each page it accepts), pages stored per s;
 *   load:  reading them all back (a swap-in: zswap decompresses), pages
 *          per s; every byte is checked.
 *
 * Needs root, an active swap device (zswap sits in front of it: vm/bench.sh
 * sets up zram) and zswap. The compressor and zswap's enabled state are
 * put back at the end. Reports only; never asserts on time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "akbench.h"

#define ZS_PARAM	"/sys/module/zswap/parameters/"
#define ZS_DEBUG	"/sys/kernel/debug/zswap/"
#define PG		4096u

static const char *const zs_comp[2] = { "deflate-accelkit", "deflate-scomp" };

static int zs_read(const char *path, char *buf, size_t len)
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
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int zs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static long long zs_num(const char *path)
{
	char b[64];

	return zs_read(path, b, sizeof(b)) ? -1 : strtoll(b, NULL, 10);
}

/* Sum of a counter over every device directory of the sample driver. */
static long long zs_kq_jobs(void)
{
	char p[256];
	long long sum = 0, v;
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(p, sizeof(p), "/sys/class/uacce/accelkit-%d/device/kq_jobs",
			 i);
		v = zs_num(p);
		if (v > 0)
			sum += v;
	}
	return sum;
}

/*
 * Page @i: text-like bytes that deflate shrinks to about a third, different
 * in every page (zswap stores same-filled pages without compressing them).
 */
static void zs_fill(uint8_t *p, size_t i)
{
	static const char words[] = "accelkit queue page zswap device kernel "
				    "deflate swap memory job completion ";
	uint32_t x = (uint32_t)i * 2654435761u + 1;
	size_t o;

	for (o = 0; o < PG; o++) {
		x = x * 1103515245u + 12345u;
		p[o] = (x >> 24) < 40 ? (uint8_t)(x >> 16) :
					(uint8_t)words[(o + i) % (sizeof(words) - 1)];
	}
}

/* /proc/swaps lists a device after its header line. */
static int zs_swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;
}

struct zs_run {
	double store_pps, load_pps;
	long long stored, jobs;
	unsigned bad_pages;
};

static int zs_once(size_t npages, uint8_t *ref, struct zs_run *out)
{
	size_t len = npages * PG, i;
	long long st0, j0;
	uint64_t t0, t1, t2;
	uint8_t *buf;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -errno;
	madvise(buf, len, MADV_NOHUGEPAGE);
	/* 64 reference pages, each copy made unique by its first two bytes */
	for (i = 0; i < npages; i++) {
		memcpy(buf + i * PG, ref + (i % 64) * PG, PG);
		buf[i * PG] ^= (uint8_t)i;
		buf[i * PG + 1] ^= (uint8_t)(i >> 8);
	}
	st0 = zs_num(ZS_DEBUG "stored_pages");
	j0 = zs_kq_jobs();
	t0 = now_ns();
	if (madvise(buf, len, MADV_PAGEOUT)) {
		int e = -errno;

		munmap(buf, len);
		return e;
	}
	t1 = now_ns();
	out->stored = zs_num(ZS_DEBUG "stored_pages") - st0;
	out->bad_pages = 0;
	for (i = 0; i < npages; i++) {
		uint8_t *p = buf + i * PG;

		if ((uint8_t)(p[0] ^ (uint8_t)i) != ref[(i % 64) * PG] ||
		    (uint8_t)(p[1] ^ (uint8_t)(i >> 8)) != ref[(i % 64) * PG + 1] ||
		    memcmp(p + 2, ref + (i % 64) * PG + 2, PG - 2))
			out->bad_pages++;
	}
	t2 = now_ns();
	out->jobs = zs_kq_jobs() - j0;
	out->store_pps = out->stored > 0 ? out->stored / ((t1 - t0) / 1e9) : 0;
	out->load_pps = out->stored > 0 ? out->stored / ((t2 - t1) / 1e9) : 0;
	munmap(buf, len);
	return 0;
}

int akb_zswap(const struct akb_opts *o, unsigned mib)
{
	struct akb_stat st[2][2] = { { { 0 } } };
	char old_comp[64], old_en[8], b2[64];
	size_t npages = (size_t)mib * 256, i;
	unsigned rep, c, failed = 0;
	struct zs_run run = { 0 };
	uint8_t *ref;
	int r;

	if (zs_read(ZS_PARAM "compressor", old_comp, sizeof(old_comp)) ||
	    zs_read(ZS_PARAM "enabled", old_en, sizeof(old_en))) {
		fprintf(stderr, "akbench --zswap: no zswap in this kernel (%s)\n",
			ZS_PARAM);
		return -ENOENT;
	}
	if (access(ZS_DEBUG "stored_pages", R_OK)) {
		fprintf(stderr, "akbench --zswap: needs root and debugfs (%s)\n",
			ZS_DEBUG);
		return -EACCES;
	}
	if (!zs_swap_active()) {
		fprintf(stderr, "akbench --zswap: no active swap device (zswap sits in front of one)\n");
		return -ENODEV;
	}
	ref = malloc(64 * PG);
	if (!ref)
		return -ENOMEM;
	for (i = 0; i < 64; i++)
		zs_fill(ref + i * PG, i);

	r = zs_write(ZS_PARAM "enabled", "Y");
	if (r) {
		fprintf(stderr, "akbench --zswap: enabling zswap: %s\n", strerror(-r));
		free(ref);
		return r;
	}
	printf("== akbench --zswap: %u MiB paged out and read back, %u times per compressor ==\n",
	       mib, o->reps);
	printf("note: deflate-scomp runs on the guest CPU under TCG (3-20x slower than\n"
	       "      the host) while the device runs at host speed: the ratio overstates\n"
	       "      the device against a real CPU.\n");
	for (rep = 0; rep < o->reps; rep++) {
		for (c = 0; c < 2; c++) {
			r = zs_write(ZS_PARAM "compressor", zs_comp[c]);
			if (!r && !zs_read(ZS_PARAM "compressor", b2, sizeof(b2)) &&
			    strcmp(b2, zs_comp[c]))
				r = -EINVAL;
			if (r) {
				fprintf(stderr, "akbench --zswap: compressor %s: %s\n",
					zs_comp[c], strerror(-r));
				goto out;
			}
			r = zs_once(npages, ref, &run);
			if (r) {
				fprintf(stderr, "akbench --zswap: %s: %s\n", zs_comp[c],
					strerror(-r));
				goto out;
			}
			if (run.bad_pages || run.stored <= 0) {
				printf("akbench --zswap: %s: %u pages read back wrong, %lld stored\n",
				       zs_comp[c], run.bad_pages, run.stored);
				failed++;
			}
			if (c == 0 && run.jobs < run.stored) {
				printf("akbench --zswap: deflate-accelkit stored %lld pages but the device ran %lld kernel jobs\n",
				       run.stored, run.jobs);
				failed++;
			}
			akb_stat_add(&st[c][0], run.store_pps);
			akb_stat_add(&st[c][1], run.load_pps);
		}
	}
	for (c = 0; c < 2; c++) {
		char s1[96], s2[96];

		printf("%-18s store %s  load %s\n", zs_comp[c],
		       akb_stat_fmt(&st[c][0], " pages/s", 0, s1, sizeof(s1)),
		       akb_stat_fmt(&st[c][1], " pages/s", 0, s2, sizeof(s2)));
	}
	if (akb_stat_med(&st[1][0]) > 0 && akb_stat_med(&st[1][1]) > 0)
		printf("deflate-accelkit / deflate-scomp: store %.2fx, load %.2fx (medians)\n",
		       akb_stat_med(&st[0][0]) / akb_stat_med(&st[1][0]),
		       akb_stat_med(&st[0][1]) / akb_stat_med(&st[1][1]));
	r = 0;
out:
	zs_write(ZS_PARAM "compressor", old_comp);
	zs_write(ZS_PARAM "enabled", old_en);
	free(ref);
	return r < 0 ? r : (int)failed;
}
