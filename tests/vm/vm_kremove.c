// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite "kremove": the kernel side of the device under load and across a
 * PCI unbind (issue 12: "both sides under load at once", "device removal
 * with transforms in use fails their requests cleanly").
 *
 * Setup: zram0 (64 MiB) as swap, zswap on deflate-accelkit (its pool
 * claims the kernel share), an AF_ALG transform bound to cbc-aes-accelkit
 * with an accepted op socket that has encrypted once (same bytes as
 * cbc(aes-generic), kq_jobs rose), and a child in a small memory cgroup
 * whose pages sit compressed in zswap.
 *
 * Load: for a few seconds at once, a thread copying on a user queue
 * (libaccelkit, PASID mode), a thread encrypting through AF_ALG
 * cbc-aes-accelkit and cbc(aes-generic), a thread rewriting 32 pages,
 * MADV_PAGEOUT-ing them and reading them back. Every result exact; the
 * device's translation lookups (user side) and kq_jobs (kernel side)
 * rose; kq_errors flat; no kernel report.
 *
 * Unbind (/sys/bus/pci/drivers/<drv>/unbind): class dir and node gone
 * (kernel_queues_in_use with them); the child reads every page back
 * byte-exact (zswap decompresses in software: the sample's fallback);
 * an encrypt on the old op socket fails with EIO or ENODEV within 10 s;
 * no kernel report.
 *
 * Rebind: the new device has no kernel queue in use (zswap's pool still
 * holds the old device's transforms). Writing the same compressor name
 * would reuse that pool, so: compressor lzo (the boot value), swapoff (the old pool drains
 * and goes), swapon, compressor deflate-accelkit again: the new pool
 * claims the new device's share, and 32 pages paged out and back are
 * exact with kq_jobs rising on the new device. A new AF_ALG transform
 * encrypts on it too.
 *
 * Teardown: compressor back, swapoff, zswap enabled back, sockets closed,
 * kernel_queues_in_use and available_instances at their starting values,
 * zram reset. A missing precondition fails; nothing is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_alg.h>

#include "vm_common.h"
#include "vm_kconsumer.h"
#include "vm_storm.h"

#define KR_CG_DIR	KCON_CG_ROOT "/ak-kremove"
#define KR_WAIT_MS	10000
#define KR_CHILD_MS	300000
#define KR_LOAD_PAGES	32
#define KR_LOAD_COPY	(64u << 10)

/* child: 16 MiB through 8 (debug kernel: 8 through 4); load: seconds */
static int kr_cg_mb = 8, kr_touch_mb = 16, kr_load_s = 4;

static struct {
	int unbound, child_up, child_read;
	struct kcon_zswap zs;
	long avail0, kqiu0;
	int tfm, op;			/* cbc-aes-accelkit; accepted op */
	int up, down;			/* pipes to/from the child */
	pid_t child;
	char bdf[64], driver[64];
} kr;

static const uint8_t kr_key[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};

/* ------------------------------------------------------------------ */
/* helpers (the shared ones: vm_kconsumer.h) */

/* A cbc-aes-accelkit (or @name) transform with kr_key; fd or -errno. */
static int kr_tfm(const char *name)
{
	int fd = kcon_alg_tfm("skcipher", name), r;

	if (fd < 0)
		return fd;
	r = kcon_alg_setkey(fd, kr_key, sizeof(kr_key));
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* One encrypt request on op socket @op: @len bytes; 0 or -errno. */
static int kr_encrypt_op(int op, const uint8_t *iv, const uint8_t *in,
			 size_t len, uint8_t *out)
{
	ssize_t r = kcon_alg_send(op, 1, iv, in, len, 0);

	if (r)
		return (int)r;
	r = kcon_read_all(op, out, len);
	return r < 0 ? (int)r : r == (ssize_t)len ? 0 : -EIO;
}

/*
 * @len random bytes through @tfm (or op socket @op if >= 0) and through
 * cbc(aes-generic): 0 if equal, 1 if different, or -errno.
 */
static int kr_cbc_vs_generic(int tfm, int op, uint64_t seed, size_t len)
{
	uint8_t iv[16], *in = malloc(len), *a = malloc(len), *b = malloc(len);
	int gen = kr_tfm("cbc(aes-generic)"), r;
	size_t i;

	if (!in || !a || !b || gen < 0) {
		r = gen < 0 ? gen : -ENOMEM;
		goto out;
	}
	for (i = 0; i < 16; i++)
		iv[i] = (uint8_t)st_rnd(&seed);
	for (i = 0; i < len; i++)
		in[i] = (uint8_t)st_rnd(&seed);
	r = op >= 0 ? kr_encrypt_op(op, iv, in, len, a) :
		      kcon_alg_oneshot(tfm, 1, iv, in, len, a);
	if (!r)
		r = kcon_alg_oneshot(gen, 1, iv, in, len, b);
	if (!r)
		r = memcmp(a, b, len) != 0;
out:
	if (gen >= 0)
		close(gen);
	free(in);
	free(a);
	free(b);
	return r;
}

static long kr_kq_jobs(void)
{
	return vm_pci_attr_long("kq_jobs");
}

/* Wait until kernel_queues_in_use reads @want; the last value read. */
static long kr_wait_kqiu(long want)
{
	uint64_t end = vm_now_ms() + KR_WAIT_MS;
	long v;

	while ((v = vm_attr_long("kernel_queues_in_use")) != want &&
	       vm_now_ms() < end)
		usleep(50000);
	return v;
}

/*
 * @n pages at @p rewritten with @seed, paged out (MADV_PAGEOUT up to 5
 * times while some stay present), read back: how many differ, or -1 if
 * MADV_PAGEOUT or pagemap fails. *@swapped: pages seen swapped out.
 *
 * The thread stays on one CPU meanwhile (kcon_pin()).
 */
static long kr_pageout_round(uint8_t *p, size_t n, uint32_t seed,
			     long *swapped)
{
	uint64_t want[AK_PAGE / 8];
	long bad = 0, present;
	cpu_set_t old;
	size_t i;
	int tries, pinned = !kcon_pin(&old);

	for (i = 0; i < n; i++)
		kcon_page((uint64_t *)(p + i * AK_PAGE), i, seed);
	for (tries = 0; tries < 5; tries++) {
		if (madvise(p, n * AK_PAGE, MADV_PAGEOUT) ||
		    kcon_pagemap(p, n, swapped, &present)) {
			bad = -1;
			break;
		}
		if (*swapped == (long)n)
			break;
		usleep(20000);
	}
	if (pinned)
		kcon_unpin(&old);
	if (bad < 0)
		return -1;
	for (i = 0; i < n; i++) {
		kcon_page(want, i, seed);
		bad += memcmp(p + i * AK_PAGE, want, AK_PAGE) != 0;
	}
	return bad;
}

/* ------------------------------------------------------------------ */

static int kr_init(void)
{
	struct stat st;

	if (vm_discover() < 0 || vm_resolve_pci())
		return -1;
	if (stat(KCON_ZSWAP_DBG, &st))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	memset(&kr, 0, sizeof(kr));
	kr.tfm = kr.op = kr.up = kr.down = -1;
	kr.avail0 = vm_avail();
	kr.kqiu0 = vm_attr_long("kernel_queues_in_use");
	snprintf(kr.bdf, sizeof(kr.bdf), "%s", g_bdf);
	snprintf(kr.driver, sizeof(kr.driver), "%s", g_driver);
	return 0;
}

static void kr_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void kr_stop_child(void)
{
	int to = 0;

	kr_close_fd(&kr.up);
	kr_close_fd(&kr.down);
	if (kr.child > 0)
		vm_wait_child(kr.child, 1000, &to);	/* kills it after 1 s */
	kr.child = 0;
	rmdir(KR_CG_DIR);
}

/* Undo whatever is set up; with @check assert each step. */
static void kr_teardown(int check)
{
	char path[PATH_MAX];
	long v;

	kr_stop_child();
	kr_close_fd(&kr.op);
	kr_close_fd(&kr.tfm);
	if (kr.unbound) {	/* a failed rebind test: try once more */
		vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
		       kr.driver);
		vm_write_file(path, kr.bdf);
		vm_rediscover(5000);
		vm_resolve_pci();
		kr.unbound = 0;
	}
	kcon_zswap_off(&kr.zs, check);
	v = kr_wait_kqiu(kr.kqiu0);
	if (check)
		VM_CHECK(v == kr.kqiu0,
			 "kernel_queues_in_use %ld %d s after the cleanup, want %ld",
			 v, KR_WAIT_MS / 1000, kr.kqiu0);
	if (check) {
		VM_CHECK(vm_avail() == kr.avail0,
			 "available_instances %ld, want %ld (start)", vm_avail(),
			 kr.avail0);
	}
}

static int kr_clean(void)
{
	kr_teardown(0);
	return 0;
}

/* zram swap, zswap on the device, AF_ALG op socket, the child's pages */
static void t_setup(void)
{
	long j0, j1, s0, s1;
	char err[256], c;
	int up[2], down[2], r;

	VM_REQUIRE(kr.avail0 > 0 && kr.kqiu0 == 0,
		   "start: available_instances %ld kernel_queues_in_use %ld",
		   kr.avail0, kr.kqiu0);
	j0 = kr_kq_jobs();
	VM_REQUIRE(j0 >= 0, "%s/kq_jobs: %s", g_pci_path, strerror((int)-j0));

	VM_REQUIRE(kcon_zswap_on(&kr.zs, "64M") == 0, "zswap on %s",
		   KCON_ZSWAP_DRV);

	/* the AF_ALG transform and its op socket, used once */
	kr.tfm = kr_tfm("cbc-aes-accelkit");
	VM_REQUIRE(kr.tfm >= 0, "AF_ALG cbc-aes-accelkit: %s",
		   strerror(-kr.tfm));
	kr.op = accept4(kr.tfm, NULL, NULL, SOCK_CLOEXEC);
	VM_REQUIRE(kr.op >= 0, "accept: %s", strerror(errno));
	r = kr_cbc_vs_generic(kr.tfm, kr.op, 1, 4096);
	VM_CHECK(r == 0, "cbc-aes-accelkit on the op socket vs generic: %s",
		 r > 0 ? "different" : strerror(-r));

	/* the child's pages into zswap */
	VM_REQUIRE(kcon_cgroup(KR_CG_DIR, kr_cg_mb, err, sizeof(err)) == 0,
		   "memory cgroup: %s", err);
	VM_REQUIRE(pipe(up) == 0 && pipe(down) == 0, "pipe");
	s0 = kcon_zswap_dbg("stored_pages");
	fflush(NULL);
	kr.child = fork();
	VM_REQUIRE(kr.child >= 0, "fork: %s", strerror(errno));
	if (!kr.child) {
		close(up[0]);
		close(down[1]);
		_exit(kcon_cg_child(KR_CG_DIR, kr_touch_mb, 99, up[1], down[0]));
	}
	close(up[1]);
	close(down[0]);
	kr.up = up[0];
	kr.down = down[1];
	VM_REQUIRE(read(kr.up, &c, 1) == 1 && c == 'W',
		   "the child died before writing its %d MiB", kr_touch_mb);
	kr.child_up = 1;
	s1 = kcon_zswap_dbg("stored_pages");
	j1 = kr_kq_jobs();
	printf("[%d MiB in %d MiB: stored_pages +%ld, kq_jobs +%ld] ",
	       kr_touch_mb, kr_cg_mb, s1 - s0, j1 - j0);
	VM_CHECK(s1 - s0 >= (long)(kr_touch_mb - kr_cg_mb) * 256,
		 "stored_pages rose by %ld, want >= %d", s1 - s0,
		 (kr_touch_mb - kr_cg_mb) * 256);
	VM_CHECK(j1 - j0 >= s1 - s0, "kq_jobs +%ld for %ld stored pages",
		 j1 - j0, s1 - s0);
}

/* ------------------------------------------------------------------ */
/* both sides under load at once */

struct kr_load {
	uint64_t end_ms;
	long rounds, bad, err, first_err;
	long swapped;		/* zswap thread: pages seen swapped out */
	struct ak_queue *q;	/* user thread: queue, buffers */
	uint8_t *src, *dst;
};

static void *kr_user_thread(void *arg)
{
	struct kr_load *l = arg;
	uint8_t *src = l->src, *dst = l->dst;
	uint64_t seed = 11;

	while (vm_now_ms() < l->end_ms) {
		size_t len = 1 + st_rnd(&seed) % KR_LOAD_COPY;
		int r;

		vm_fill_random(src, len, (uint32_t)l->rounds);
		dst[len] = 0xa5;
		r = ak_copy(l->q, dst, src, len);
		if (r) {
			if (!l->err++)
				l->first_err = r;
		} else if (memcmp(dst, src, len) || dst[len] != 0xa5) {
			l->bad++;
		}
		l->rounds++;
	}
	return NULL;
}

static void *kr_alg_thread(void *arg)
{
	struct kr_load *l = arg;
	int tfm = kr_tfm("cbc-aes-accelkit");
	uint64_t seed = 22;

	if (tfm < 0) {
		l->err++;
		l->first_err = tfm;
		return NULL;
	}
	while (vm_now_ms() < l->end_ms) {
		size_t len = 16 * (1 + st_rnd(&seed) % 1024);
		int r = kr_cbc_vs_generic(tfm, -1, seed, len);

		if (r < 0) {
			if (!l->err++)
				l->first_err = r;
		} else {
			l->bad += r;
		}
		l->rounds++;
	}
	close(tfm);
	return NULL;
}

static void *kr_zswap_thread(void *arg)
{
	struct kr_load *l = arg;
	size_t len = KR_LOAD_PAGES * AK_PAGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		l->err++;
		l->first_err = -errno;
		return NULL;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	while (vm_now_ms() < l->end_ms) {
		long sw = 0, b = kr_pageout_round(p, KR_LOAD_PAGES,
						  (uint32_t)(500 + l->rounds), &sw);

		if (b < 0) {
			if (!l->err++)
				l->first_err = -errno;
		} else {
			l->bad += b;
			l->swapped += sw;
		}
		l->rounds++;
	}
	munmap(p, len);
	return NULL;
}

static long kr_lookups(void)
{
	long h = vm_pci_attr_long("iotlb_hits"), m = vm_pci_attr_long("iotlb_misses");

	return h < 0 || m < 0 ? -1 : h + m;
}

static void t_load(void)
{
	static void *(*const fn[3])(void *) = {
		kr_user_thread, kr_alg_thread, kr_zswap_thread,
	};
	static const char *const what[3] = { "user COPY", "AF_ALG cbc",
					     "zswap pageout" };
	struct kr_load l[3];
	pthread_t th[3];
	long j0, j1, t0, t1, s0, s1, e0, e1, f0, f1;
	char first[256];
	int i, started = 0, n;

	VM_REQUIRE(kr.zs.swap_on && kr.zs.zswap_set && kr.child_up,
		   "the setup test failed");
	memset(l, 0, sizeof(l));
	l[0].src = vm_alloc(KR_LOAD_COPY);
	l[0].dst = vm_alloc(KR_LOAD_COPY + 1);
	l[0].q = l[0].src && l[0].dst ? vm_open_queue(0) : NULL;
	if (!l[0].q) {
		vm_free(l[0].src, KR_LOAD_COPY);
		vm_free(l[0].dst, KR_LOAD_COPY + 1);
		VM_REQUIRE(0, "user queue and buffers");
	}
	j0 = kr_kq_jobs();
	t0 = kr_lookups();
	e0 = vm_pci_attr_long("kq_errors");
	f0 = vm_pci_attr_long("kq_fallbacks");
	s0 = kcon_zswap_dbg("pool_total_size");
	for (i = 0; i < 3; i++)
		l[i].end_ms = vm_now_ms() + (uint64_t)kr_load_s * 1000;
	for (i = 0; i < 3; i++) {
		if (pthread_create(&th[i], NULL, fn[i], &l[i]))
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	ak_queue_close(l[0].q);
	vm_free(l[0].src, KR_LOAD_COPY);
	vm_free(l[0].dst, KR_LOAD_COPY + 1);
	j1 = kr_kq_jobs();
	t1 = kr_lookups();
	e1 = vm_pci_attr_long("kq_errors");
	f1 = vm_pci_attr_long("kq_fallbacks");
	s1 = kcon_zswap_dbg("pool_total_size");
	VM_REQUIRE(started == 3, "pthread_create");
	printf("[%d s: ", kr_load_s);
	for (i = 0; i < 3; i++)
		printf("%s %ld rounds %ld bad %ld err; ", what[i], l[i].rounds,
		       l[i].bad, l[i].err);
	printf("%ld pages swapped out; kq_jobs +%ld, kq_fallbacks +%ld, device translation lookups +%ld, zswap pool %ld -> %ld B] ",
	       l[2].swapped, j1 - j0, f1 - f0, t1 - t0, s0, s1);
	for (i = 0; i < 3; i++) {
		VM_CHECK(l[i].rounds > 0 && l[i].bad == 0 && l[i].err == 0,
			 "%s: %ld rounds, %ld wrong, %ld errors (first %s)",
			 what[i], l[i].rounds, l[i].bad, l[i].err,
			 strerror((int)-l[i].first_err));
	}
	/* every request reached the driver: the device, or its fallback */
	VM_CHECK(j0 >= 0 && f0 >= 0 && j1 > j0 &&
		 (j1 - j0) + (f1 - f0) >= l[1].rounds + l[2].swapped,
		 "kq_jobs +%ld kq_fallbacks +%ld for %ld AF_ALG requests and %ld pages swapped out",
		 j1 - j0, f1 - f0, l[1].rounds, l[2].swapped);
	VM_CHECK(l[2].swapped >= l[2].rounds,
		 "%ld pages seen swapped out in %ld pageout rounds: zswap did not run",
		 l[2].swapped, l[2].rounds);
	VM_CHECK(t0 >= 0 && t1 > t0,
		 "device translation lookups %ld -> %ld: the user side did not run",
		 t0, t1);
	VM_CHECK(e1 == e0, "kq_errors %ld -> %ld", e0, e1);
	n = vm_klog_splats(first, sizeof(first));
	VM_CHECK(n == 0, "%d kernel reports, first: %s", n, first);
}

/* ------------------------------------------------------------------ */
/* the unbind */

/* In a child: encrypt on the old op socket; exit 0 ok, else the errno. */
static int kr_old_op_child(void *arg)
{
	uint8_t iv[16] = { 0 }, in[64], out[64];
	int r;

	(void)arg;
	memset(in, 0x3c, sizeof(in));
	r = kr_encrypt_op(kr.op, iv, in, sizeof(in), out);
	return r < 0 ? -r : 0;
}

static void t_unbind(void)
{
	char path[PATH_MAX], first[256], ws[64];
	long bad = -1;
	uint64_t t0;
	int r, to = 0, n, st;

	VM_REQUIRE(kr.child_up && kr.op >= 0, "the setup test failed");
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", kr.driver);
	t0 = vm_now_ms();
	r = vm_write_file(path, kr.bdf);
	VM_REQUIRE(r == 0, "write %s to %s: %s", kr.bdf, path, strerror(-r));
	kr.unbound = 1;
	printf("[unbind %.1f s] ", (double)(vm_now_ms() - t0) / 1000);
	VM_CHECK(access(g_sysdir, F_OK) == -1 && errno == ENOENT,
		 "%s (kernel_queues_in_use) still there after unbind", g_sysdir);
	VM_CHECK(access(g_node, F_OK) == -1 && errno == ENOENT,
		 "%s still there after unbind", g_node);

	/* every page the child left in zswap: software decompress */
	t0 = vm_now_ms();
	VM_CHECK(vm_write_file(KR_CG_DIR "/memory.max", "max") == 0,
		 "memory.max back to max");
	if (write(kr.down, "R", 1) != 1 ||
	    read(kr.up, &bad, sizeof(bad)) != sizeof(bad))
		VM_FAIL("the child died while reading back after the unbind");
	else
		kr.child_read = 1;
	printf("[read back %.1f s, %ld wrong] ",
	       (double)(vm_now_ms() - t0) / 1000, bad);
	VM_CHECK(bad == 0, "%ld of %d pages read back wrong after the unbind",
		 bad, kr_touch_mb * 256);
	if (write(kr.down, "X", 1) == 1) {
		st = vm_wait_child(kr.child, KR_CHILD_MS, &to);
		kr.child = 0;
		VM_CHECK(st >= 0 && !to && WIFEXITED(st) && !WEXITSTATUS(st),
			 "child: %s%s", vm_wstatus_str(st, ws, sizeof(ws)),
			 to ? ", timed out" : "");
	}

	/* the old op socket: a clean error, bounded */
	st = vm_run_child(kr_old_op_child, NULL, KR_WAIT_MS, &to);
	printf("[old op socket: %s%s] ", vm_wstatus_str(st, ws, sizeof(ws)),
	       to ? ", timed out" : "");
	VM_CHECK(!to && WIFEXITED(st) &&
		 (WEXITSTATUS(st) == EIO || WEXITSTATUS(st) == ENODEV),
		 "encrypt on the old op socket after unbind: %s%s, want EIO or ENODEV",
		 WIFEXITED(st) && WEXITSTATUS(st) ? strerror(WEXITSTATUS(st)) :
		 vm_wstatus_str(st, ws, sizeof(ws)), to ? " (timed out)" : "");
	n = vm_klog_splats(first, sizeof(first));
	VM_CHECK(n == 0, "%d kernel reports, first: %s", n, first);
}

static void t_rebind(void)
{
	char path[PATH_MAX], first[256], val[64];
	long reserved, v, j0, j1, bad, sw = 0;
	const char *other;
	size_t len = KR_LOAD_PAGES * AK_PAGE;
	uint8_t *p;
	int r, n;

	VM_REQUIRE(kr.unbound, "the unbind test failed");
	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", kr.driver);
	r = vm_write_file(path, kr.bdf);
	VM_REQUIRE(r == 0, "write %s to %s: %s", kr.bdf, path, strerror(-r));
	kr.unbound = 0;
	r = vm_rediscover(5000);
	VM_REQUIRE(r == 0, "no accelkit device on %s after rebind", kr.bdf);
	r = vm_resolve_pci();
	VM_REQUIRE(r == 0, "resolve pci: %s", strerror(-r));
	printf("[back as %s] ", g_name);
	reserved = vm_attr_long("kernel_queues");
	v = vm_attr_long("kernel_queues_in_use");
	VM_CHECK(v == 0,
		 "kernel_queues_in_use %ld on the new device before zswap's new pool",
		 v);
	VM_CHECK(vm_avail() == kr.avail0, "available_instances %ld, want %ld",
		 vm_avail(), kr.avail0);

	/* drain the old pool: another compressor, swapoff, swapon */
	other = kr.zs.old_comp[0] && strcmp(kr.zs.old_comp, KCON_ZSWAP_DRV) ? kr.zs.old_comp :
								     "lzo";
	r = kcon_zswap_set("compressor", other);
	VM_CHECK(r == 0, "zswap compressor %s: %s", other, strerror(-r));
	r = swapoff(KCON_ZRAM) ? -errno : 0;
	VM_REQUIRE(r == 0, "swapoff: %s", strerror(-r));
	kr.zs.swap_on = 0;
	v = kcon_zswap_dbg("stored_pages");
	VM_CHECK(v == 0, "stored_pages %ld after swapoff", v);
	VM_REQUIRE(swapon(KCON_ZRAM, 0) == 0, "swapon again: %s", strerror(errno));
	kr.zs.swap_on = 1;
	usleep(200000);		/* zswap frees an empty pool in a work item */
	r = kcon_zswap_set("compressor", KCON_ZSWAP_DRV);
	VM_REQUIRE(r == 0, "zswap compressor %s again: %s", KCON_ZSWAP_DRV,
		   strerror(-r));
	VM_CHECK(kcon_zswap_param("compressor", val, sizeof(val)) > 0 &&
		 !strcmp(val, KCON_ZSWAP_DRV), "zswap compressor reads '%s'", val);
	v = kr_wait_kqiu(reserved);
	VM_CHECK(reserved > 0 && v == reserved,
		 "kernel_queues_in_use %ld on the new device with zswap's new pool, want %ld (the old pool reused?)",
		 v, reserved);

	/* the new pool compresses on the new device */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	VM_REQUIRE(p != MAP_FAILED, "mmap");
	madvise(p, len, MADV_NOHUGEPAGE);
	j0 = kr_kq_jobs();
	bad = kr_pageout_round(p, KR_LOAD_PAGES, 4242, &sw);
	j1 = kr_kq_jobs();
	munmap(p, len);
	printf("[new pool: %ld of %d pages out and back, kq_jobs +%ld] ",
	       sw, KR_LOAD_PAGES, j1 - j0);
	VM_CHECK(sw == KR_LOAD_PAGES, "%ld of %d pages swapped out", sw,
		 KR_LOAD_PAGES);
	VM_CHECK(bad == 0, "pageout round on the new pool: %ld wrong (-1: MADV_PAGEOUT failed)",
		 bad);
	VM_CHECK(j0 >= 0 && j1 - j0 >= sw,
		 "kq_jobs %ld -> %ld for %ld pages out and back: the new pool did not use the new device",
		 j0, j1, sw);

	/* and a new AF_ALG transform */
	j0 = kr_kq_jobs();
	r = kr_tfm("cbc-aes-accelkit");
	VM_CHECK(r >= 0, "AF_ALG cbc-aes-accelkit after rebind: %s",
		 strerror(-r));
	if (r >= 0) {
		int c = kr_cbc_vs_generic(r, -1, 7, 8192);

		VM_CHECK(c == 0, "cbc-aes-accelkit after rebind vs generic: %s",
			 c > 0 ? "different" : strerror(-c));
		close(r);
	}
	j1 = kr_kq_jobs();
	VM_CHECK(j1 > j0, "kq_jobs %ld -> %ld for the new transform", j0, j1);
	n = vm_klog_splats(first, sizeof(first));
	VM_CHECK(n == 0, "%d kernel reports, first: %s", n, first);
}

static void t_teardown(void)
{
	kr_teardown(1);
}

static const struct ak_test kr_tests[] = {
	{ "kremove: zram swap, zswap on deflate-accelkit holding a child's pages, AF_ALG cbc op socket",
	  t_setup },
	{ "kremove: both sides under load at once (user COPY, AF_ALG cbc vs generic, zswap pageout): exact",
	  t_load },
	{ "kremove: PCI unbind: zswap pages read back exact, old op socket EIO/ENODEV, no splat",
	  t_unbind },
	{ "kremove: rebind; zswap's new pool (lzo, swapoff/swapon, deflate-accelkit) on the new device",
	  t_rebind },
	{ "kremove: compressor back, swapoff, sockets closed, counters at their start",
	  t_teardown },
	{ NULL, NULL },
};

int add_kremove_suites(void)
{
	if (vm_debug_kernel()) {
		kr_cg_mb = 4;
		kr_touch_mb = 8;
		kr_load_s = 3;
	}
	return ak_add_suite("kremove", kr_init, kr_clean, kr_tests);
}
