// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The dm-crypt test of suite "kcrypt" (issue 12: "dm-crypt ... the same
 * ciphertext as the generic implementation"): two loop devices over
 * tmpfs files, one mapped (dmsetup, no udev) with
 * capi:xts-aes-accelkit-plain64, the other with
 * capi:xts(ecb(aes-generic))-plain64 and the same key; the same data
 * written to both (O_DIRECT) gives the same ciphertext in the backing
 * files, sector 0 as AF_ALG's generic XTS computes it, the same
 * plaintext back, and kq_jobs rising. AES-256 in 4 KiB sectors and
 * AES-128 in 512-byte sectors; the kernel queues go back after the
 * mappings are removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/loop.h>

#include "vm_common.h"
#include "vm_kconsumer.h"

#define KC_DMSETUP	"/usr/sbin/dmsetup"
#define KD_RELEASE_MS	10000		/* kernel queues back after the last tfm */

/* the size of the mappings of the current pair (kc_dm_pair) */
static unsigned int g_dm_size = 8u << 20;
#define KC_DM_SIZE	g_dm_size
#define KC_DM_CHUNK	(1u << 20)

struct kc_dm {
	char name[32];
	char back[64];		/* backing tmpfs file */
	int loop;		/* loop device number, or -1 */
	char dev[64];		/* /dev/dm-N, or "" */
};

/* A loop device over a new zeroed tmpfs file; its number, or -errno. */
static int kc_loop_attach(const char *file)
{
	char path[64];
	int ctl, n, bfd, lfd, e = 0;

	bfd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (bfd < 0)
		return -errno;
	if (ftruncate(bfd, KC_DM_SIZE)) {
		e = -errno;
		close(bfd);
		return e;
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		e = -errno;
		close(bfd);
		return e;
	}
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0) {
		e = -errno;
		close(bfd);
		return e;
	}
	vm_fmt(path, sizeof(path), "/dev/loop%d", n);
	lfd = open(path, O_RDWR | O_CLOEXEC);
	if (lfd < 0 || ioctl(lfd, LOOP_SET_FD, bfd)) {
		e = -errno;
		if (lfd >= 0)
			close(lfd);
		close(bfd);
		return e;
	}
	close(lfd);
	close(bfd);
	return n;
}

static void kc_loop_detach(int n)
{
	char path[64];
	int fd;

	vm_fmt(path, sizeof(path), "/dev/loop%d", n);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, LOOP_CLR_FD, 0);
		close(fd);
	}
}

/* /dev/dm-N of the mapping called @name (sysfs), into @dev; 0 or -1. */
static int kc_dm_dev(const char *name, char *dev, size_t len)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	char p[PATH_MAX], buf[64];
	int r = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "dm-", 3))
			continue;
		vm_fmt(p, sizeof(p), "/sys/block/%s/dm/name", e->d_name);
		if (vm_read_file(p, buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (!strcmp(buf, name)) {
				vm_fmt(dev, len, "/dev/%s", e->d_name);
				r = 0;
				break;
			}
		}
	}
	closedir(d);
	return r;
}

static int kc_dm_create(struct kc_dm *m, const char *cipher,
			const char *hexkey, const char *opts)
{
	char table[512];
	char *argv[] = { KC_DMSETUP, "create", m->name, "--noudevsync",
			 "--table", table, NULL };
	int r;

	m->dev[0] = '\0';
	m->loop = kc_loop_attach(m->back);
	if (m->loop < 0) {
		VM_FAIL("loop device over %s: %s", m->back, strerror(-m->loop));
		return -1;
	}
	vm_fmt(table, sizeof(table), "0 %u crypt %s %s 0 /dev/loop%d 0%s",
	       KC_DM_SIZE / 512, cipher, hexkey, m->loop, opts);
	r = kcon_run(argv, "DM_DISABLE_UDEV=1", 0);
	if (r) {
		VM_FAIL("dmsetup create %s --table '%s': exit %d", m->name,
			table, r);
		return -1;
	}
	if (kc_dm_dev(m->name, m->dev, sizeof(m->dev))) {
		VM_FAIL("no /sys/block/dm-*/dm/name for %s", m->name);
		return -1;
	}
	return 0;
}

static void kc_dm_remove(struct kc_dm *m)
{
	char *argv[] = { KC_DMSETUP, "remove", "--noudevsync", m->name, NULL };

	if (m->dev[0] && kcon_run(argv, "DM_DISABLE_UDEV=1", 0))
		VM_FAIL("dmsetup remove %s failed", m->name);
	m->dev[0] = '\0';
	if (m->loop >= 0)
		kc_loop_detach(m->loop);
	m->loop = -1;
	unlink(m->back);
}

/* Write @data (KC_DM_SIZE) to @dev with O_DIRECT; 0 or -errno. */
static int kc_dm_write(const char *dev, const uint8_t *data)
{
	int fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC), e = 0;
	size_t off;

	if (fd < 0)
		return -errno;
	for (off = 0; off < KC_DM_SIZE; off += KC_DM_CHUNK)
		if (pwrite(fd, data + off, KC_DM_CHUNK, (off_t)off) != KC_DM_CHUNK) {
			e = errno ? -errno : -EIO;
			break;
		}
	if (!e && fsync(fd))
		e = -errno;
	close(fd);
	return e;
}

static int kc_read(const char *path, uint8_t *buf, int direct)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
	int e = 0;
	size_t off;

	if (fd < 0)
		return -errno;
	for (off = 0; off < KC_DM_SIZE; off += KC_DM_CHUNK)
		if (pread(fd, buf + off, KC_DM_CHUNK, (off_t)off) != KC_DM_CHUNK) {
			e = errno ? -errno : -EIO;
			break;
		}
	close(fd);
	return e;
}

/*
 * One pair of mappings, ours and generic, with key @klen bytes and the
 * table options @opts: the same ciphertext on the loop devices, the same
 * plaintext back, sector 0 as AF_ALG's generic XTS computes it.
 */
static void kc_dm_pair(size_t klen, const char *opts, unsigned int sector,
		       unsigned int size)
{
	struct kc_dm a = { .loop = -1 }, b = { .loop = -1 };
	uint8_t key[64], iv[16] = { 0 }, out[4096];
	char hex[130];
	uint8_t *data = vm_alloc(KC_DM_SIZE), *ca = vm_alloc(KC_DM_SIZE);
	uint8_t *cb = vm_alloc(KC_DM_SIZE);
	long j0, j1, bad;
	size_t i;
	int r, t;

	VM_REQUIRE(size == g_dm_size, "kc_dm_pair: size %u, buffers of %u",
		   size, g_dm_size);
	VM_REQUIRE(data && ca && cb, "alloc");
	vm_fill_random(key, sizeof(key), (uint32_t)klen + 77);
	for (i = 0; i < klen; i++)
		sprintf(hex + 2 * i, "%02x", key[i]);
	vm_fill_random(data, KC_DM_SIZE, (uint32_t)klen + 1234);
	vm_fmt(a.name, sizeof(a.name), "ak-kc-ours");
	vm_fmt(b.name, sizeof(b.name), "ak-kc-generic");
	vm_fmt(a.back, sizeof(a.back), "/tmp/ak-kc-ours.img");
	vm_fmt(b.back, sizeof(b.back), "/tmp/ak-kc-generic.img");

	j0 = vm_pci_attr_long("kq_jobs");
	if (kc_dm_create(&a, "capi:xts-aes-accelkit-plain64", hex, opts) ||
	    kc_dm_create(&b, "capi:xts(ecb(aes-generic))-plain64", hex, opts))
		goto out;
	VM_CHECK(vm_attr_long("kernel_queues_in_use") > 0,
		 "dm-crypt on xts-aes-accelkit holds no kernel queue");
	r = kc_dm_write(a.dev, data);
	VM_CHECK(r == 0, "write %s (xts-aes-accelkit): %s", a.dev, strerror(-r));
	r = kc_dm_write(b.dev, data);
	VM_CHECK(r == 0, "write %s (generic): %s", b.dev, strerror(-r));
	/* the ciphertext, as the loop devices' backing files hold it */
	VM_CHECK(kc_read(a.back, ca, 0) == 0 && kc_read(b.back, cb, 0) == 0,
		 "read the backing files");
	bad = vm_first_diff(ca, cb, KC_DM_SIZE);
	VM_CHECK(bad < 0,
		 "dm-crypt key %zu%s: ciphertext byte %ld (sector %ld) differs: xts-aes-accelkit vs xts(ecb(aes-generic))",
		 klen, opts, bad, bad / 512);
	VM_CHECK(vm_first_diff(ca, data, 4096) >= 0, "ciphertext equals plaintext");
	/* sector 0 (IV plain64 0) independently, through AF_ALG */
	t = kcon_alg_tfm("skcipher", "xts(ecb(aes-generic))");
	VM_CHECK(t >= 0 && kcon_alg_setkey(t, key, klen) == 0 &&
		 kcon_alg_oneshot(t, 1, iv, data, sector, out) == 0 &&
		 vm_first_diff(out, ca, sector) < 0,
		 "sector 0 on disk is not AF_ALG xts(ecb(aes-generic)) of the data");
	if (t >= 0)
		close(t);
	/* and back through both mappings (O_DIRECT: through the cipher) */
	memset(ca, 0, KC_DM_SIZE);
	memset(cb, 0, KC_DM_SIZE);
	r = kc_read(a.dev, ca, 1);
	VM_CHECK(r == 0, "read %s: %s", a.dev, strerror(-r));
	r = kc_read(b.dev, cb, 1);
	VM_CHECK(r == 0, "read %s: %s", b.dev, strerror(-r));
	VM_CHECK(vm_first_diff(ca, data, KC_DM_SIZE) < 0,
		 "plaintext through xts-aes-accelkit: byte %ld differs",
		 vm_first_diff(ca, data, KC_DM_SIZE));
	VM_CHECK(vm_first_diff(cb, data, KC_DM_SIZE) < 0,
		 "plaintext through generic: byte %ld differs",
		 vm_first_diff(cb, data, KC_DM_SIZE));
	j1 = vm_pci_attr_long("kq_jobs");
	printf("[dm-crypt key %zu%s, %u MiB: kq_jobs +%ld] ", klen, opts,
	       size >> 20, j1 - j0);
	VM_CHECK(j0 >= 0 && j1 > j0, "dm-crypt on xts-aes-accelkit: kq_jobs %ld -> %ld",
		 j0, j1);
out:
	kc_dm_remove(&a);
	kc_dm_remove(&b);
	vm_free(data, KC_DM_SIZE);
	vm_free(ca, KC_DM_SIZE);
	vm_free(cb, KC_DM_SIZE);
}

void t_kcrypt_dm(void)
{
	uint64_t end;

	VM_REQUIRE(access(KC_DMSETUP, X_OK) == 0, "%s: %s", KC_DMSETUP,
		   strerror(errno));
	VM_REQUIRE(access("/dev/mapper/control", F_OK) == 0,
		   "/dev/mapper/control: %s (dm-mod not loaded?)", strerror(errno));
	/*
	 * AES-256 XTS, 8 MiB in 4 KiB sectors; AES-128 XTS, 1 MiB in
	 * 512-byte sectors (one request per sector: 8 MiB of those was
	 * 32768 device jobs)
	 */
	g_dm_size = 8u << 20;
	kc_dm_pair(64, " 1 sector_size:4096", 4096, 8u << 20);
	g_dm_size = 1u << 20;
	kc_dm_pair(32, "", 512, 1u << 20);
	g_dm_size = 8u << 20;
	end = vm_now_ms() + KD_RELEASE_MS;
	while (vm_attr_long("kernel_queues_in_use") != 0 && vm_now_ms() < end)
		usleep(50000);
	VM_CHECK(vm_attr_long("kernel_queues_in_use") == 0,
		 "kernel_queues_in_use %ld after the mappings were removed",
		 vm_attr_long("kernel_queues_in_use"));
}

