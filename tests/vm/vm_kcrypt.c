// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite "kcrypt": the sample driver's kernel crypto API algorithms (issue
 * 12; design notes §3, §4), proven from user space through the kernel's
 * own interfaces, never through accelkit's:
 *
 *  - /proc/crypto: deflate-accelkit (acomp), xts-/cbc-/ctr-aes-accelkit
 *    (skcipher) and sha256-accelkit (ahash) are registered by module
 *    accelkit_sample, passed the crypto manager's self-tests, and have
 *    their priorities (deflate 0, the others crypto_priority, default 50);
 *    the kernel log has no "alg:" line naming accelkit;
 *  - AF_ALG, selected by driver name: cbc/ctr/xts(aes) with every AES key
 *    size (XTS also with equal halves), lengths 0 to 70 KiB (odd ones
 *    where the mode allows them, invalid ones where it does not), one
 *    sendmsg, a sendmsg split with MSG_MORE, and (cbc, ctr) a request
 *    chained over two reads (the output IV); each result (bytes or errno)
 *    equal to the generic implementation's, and decrypted back. sha256
 *    against sha256-generic and the FIPS 180 known answers, by sendmsg and
 *    by sendfile (on 6.1 only a one-page sendfile reaches ahash digest(),
 *    which the driver sends to the device; sendmsg is init/update/final).
 *    kq_jobs (the sample's PCI device) must rise for each algorithm: the
 *    device did the work, not only the software twins;
 *  - ownership while a transform is alive: kernel_queues_in_use equals
 *    kernel_queues, shrinking the reservation is refused with EBUSY, the
 *    user queues' ids (QUEUE_INFO) are disjoint from kq_ids; after the
 *    last socket is closed the kernel queues are released within 10 s;
 *  - dm-crypt (vm_kcrypt_dm.c): the same ciphertext as the generic
 *    XTS on loop devices, and the same plaintext back.
 *
 * A missing driver, attribute, module or tool fails the tests; nothing
 * here is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_alg.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_kconsumer.h"

#define KC_MAX_LEN	(70u * 1024)	/* the largest request: 70 KiB */
#define KC_MAX_FDS	256
#define KC_RELEASE_MS	10000		/* kernel queues back after the last tfm */

/* The five drivers of the agreed interface. */
static const struct kc_drv {
	const char *driver, *name, *type;
	int prio_param;			/* 1: crypto_priority, 0: fixed 0 */
} kc_drivers[] = {
	{ "deflate-accelkit", "deflate", "acomp", 0 },
	{ "xts-aes-accelkit", "xts(aes)", "skcipher", 1 },
	{ "cbc-aes-accelkit", "cbc(aes)", "skcipher", 1 },
	{ "ctr-aes-accelkit", "ctr(aes)", "skcipher", 1 },
	{ "sha256-accelkit", "sha256", "ahash", 1 },
};

static uint8_t *g_in, *g_ref, *g_out, *g_back;

static int kc_init(void)
{
	if (vm_discover() < 0 || vm_resolve_pci())
		return -1;
	g_in = vm_alloc(KC_MAX_LEN + AK_PAGE);
	g_ref = vm_alloc(KC_MAX_LEN + AK_PAGE);
	g_out = vm_alloc(KC_MAX_LEN + AK_PAGE);
	g_back = vm_alloc(KC_MAX_LEN + AK_PAGE);
	return g_in && g_ref && g_out && g_back ? 0 : -1;
}

static long g_kq_saved = -1;	/* kernel_queues before t_ownership */

static int kc_set_kq(const char *val);

/* Put kernel_queues back if a (wrongly) accepted write changed it. */
static void kc_restore_kq(void)
{
	char val[32];

	if (g_kq_saved >= 0 && vm_attr_long("kernel_queues") != g_kq_saved) {
		vm_fmt(val, sizeof(val), "%ld", g_kq_saved);
		kc_set_kq(val);
	}
}

static int kc_clean(void)
{
	kc_restore_kq();
	vm_free(g_in, KC_MAX_LEN + AK_PAGE);
	vm_free(g_ref, KC_MAX_LEN + AK_PAGE);
	vm_free(g_out, KC_MAX_LEN + AK_PAGE);
	vm_free(g_back, KC_MAX_LEN + AK_PAGE);
	return 0;
}

/* kq_jobs of the sample's PCI device, or -errno (absent: a failure). */
static long kc_kq_jobs(void)
{
	return vm_pci_attr_long("kq_jobs");
}

/* ------------------------------------------------------------------ */
/* AF_ALG */

enum kc_mode { KC_ONESHOT, KC_SPLIT, KC_CHAIN, KC_NMODES };
static const char *const kc_mode_str[] = { "one sendmsg", "split sendmsg",
					   "chained reads" };

/*
 * One cipher request on transform @tfm: @len bytes of @in into @out.
 * KC_ONESHOT: one sendmsg; KC_SPLIT: two, the first with MSG_MORE, cut
 * at an odd offset (one request over a two-part source list); KC_CHAIN:
 * the first part (whole blocks) read before the rest is sent, so that the
 * second request starts from the first one's output IV.
 * 0, or -errno of the first failing call.
 */
static int kc_cipher(int tfm, int enc, const uint8_t *iv, const uint8_t *in,
		     size_t len, uint8_t *out, enum kc_mode mode)
{
	size_t cut = len;
	ssize_t r;
	int op, ret;

	op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	if (op < 0)
		return -errno;
	if (mode == KC_SPLIT && len >= 2)
		cut = len / 2 + 7 < len ? len / 2 + 7 : len / 2;
	if (mode == KC_CHAIN && len > 32)
		cut = (len / 2) & ~(size_t)15;
	ret = kcon_alg_send(op, enc, iv, in, cut, cut < len ? MSG_MORE : 0);
	if (ret)
		goto out;
	if (mode == KC_CHAIN && cut < len) {
		r = kcon_read_all(op, out, cut);
		if (r != (ssize_t)cut) {
			ret = r < 0 ? (int)r : -EIO;
			goto out;
		}
		if (send(op, in + cut, len - cut, 0) != (ssize_t)(len - cut)) {
			ret = -errno;
			goto out;
		}
		r = kcon_read_all(op, out + cut, len - cut);
		ret = r < 0 ? (int)r : r == (ssize_t)(len - cut) ? 0 : -EIO;
		goto out;
	}
	if (cut < len &&
	    send(op, in + cut, len - cut, 0) != (ssize_t)(len - cut)) {
		ret = -errno;
		goto out;
	}
	r = kcon_read_all(op, out, len);
	ret = r < 0 ? (int)r : r == (ssize_t)len ? 0 : -EIO;
out:
	close(op);
	return ret;
}

struct kc_mode_def {
	const char *mode;		/* "cbc", "ctr", "xts" */
	const char *ours, *generic;
	const size_t *klens;
	size_t nklens;
	int equal_halves;		/* XTS: also keys with equal halves */
};

static const size_t kc_lens_common[] = {
	0, 16, 32, 48, 64, 256, 496, 4096, 4112, 8192, 12304, 32768,
	65520, 65536, 65552, 71680,
};
static const size_t kc_lens_odd[] = {	/* ctr: all valid; cbc, xts: some */
	1, 3, 15, 17, 31, 100, 1000, 4095, 4097, 65537, 70001, 71679,
};

/*
 * Every length, key and mode: ours equals generic (bytes or errno) and
 * decrypts back. Returns how many requests ours completed successfully.
 */
static long kc_cipher_battery(const struct kc_mode_def *m)
{
	static const size_t xts_eq[] = { 32, 64 };
	uint8_t key[64], iv[16], iv0[16];
	long ok = 0;
	size_t k, l, kl;
	int t_ours, t_gen, mode, pass;

	t_ours = kcon_alg_tfm("skcipher", m->ours);
	t_gen = kcon_alg_tfm("skcipher", m->generic);
	VM_CHECK(t_ours >= 0, "AF_ALG bind skcipher %s: %s", m->ours,
		 t_ours < 0 ? strerror(-t_ours) : "");
	VM_CHECK(t_gen >= 0, "AF_ALG bind skcipher %s: %s", m->generic,
		 t_gen < 0 ? strerror(-t_gen) : "");
	if (t_ours < 0 || t_gen < 0)
		goto out;

	for (pass = 0; pass < 2; pass++) {
		size_t nk = pass ? (m->equal_halves ? 2 : 0) : m->nklens;

		for (k = 0; k < nk; k++) {
			int e1, e2;

			kl = pass ? xts_eq[k] : m->klens[k];
			vm_fill_random(key, sizeof(key), (uint32_t)(kl * 7 + pass));
			if (pass)	/* XTS: the two halves equal */
				memcpy(key + kl / 2, key, kl / 2);
			e1 = kcon_alg_setkey(t_ours, key, kl);
			e2 = kcon_alg_setkey(t_gen, key, kl);
			VM_CHECK(e1 == e2, "%s key %zu%s: setkey %d, generic %d",
				 m->ours, kl, pass ? " (equal halves)" : "", e1, e2);
			if (e1 || e2)
				continue;
			for (l = 0; l < sizeof(kc_lens_common) / sizeof(size_t) +
					sizeof(kc_lens_odd) / sizeof(size_t); l++) {
				size_t nc = sizeof(kc_lens_common) / sizeof(size_t);
				size_t len = l < nc ? kc_lens_common[l] :
						      kc_lens_odd[l - nc];

				for (mode = 0; mode < KC_NMODES; mode++) {
					int r1, r2, r3;
					long bad;

					if (mode == KC_CHAIN && !strcmp(m->mode, "xts"))
						continue;	/* XTS has no output IV */
					vm_fill_random(g_in, len, (uint32_t)(len + kl + mode));
					vm_fill_random(iv0, 16, (uint32_t)(len * 3 + kl));
					/* ctr: counters that carry over 64 and 128 bits */
					if (!strcmp(m->mode, "ctr") && (len % 3) == 1)
						memset(iv0 + 8, 0xff, 7);
					if (!strcmp(m->mode, "ctr") && (len % 3) == 2)
						memset(iv0, 0xff, 15);
					memcpy(iv, iv0, 16);
					memset(g_ref, 0xa5, len + 16);
					memset(g_out, 0x5a, len + 16);
					r2 = kc_cipher(t_gen, 1, iv, g_in, len, g_ref,
						       (enum kc_mode)mode);
					r1 = kc_cipher(t_ours, 1, iv, g_in, len, g_out,
						       (enum kc_mode)mode);
					VM_CHECK(r1 == r2,
						 "%s key %zu%s len %zu %s: encrypt %d (%s), generic %d (%s)",
						 m->ours, kl, pass ? " equal halves" : "",
						 len, kc_mode_str[mode], r1, strerror(-r1),
						 r2, strerror(-r2));
					if (r1 || r2)
						continue;
					bad = vm_first_diff(g_out, g_ref, len);
					VM_CHECK(bad < 0,
						 "%s key %zu%s len %zu %s: ciphertext byte %ld differs from %s",
						 m->ours, kl, pass ? " equal halves" : "",
						 len, kc_mode_str[mode], bad, m->generic);
					VM_CHECK(vm_first_not(g_out + len, 0x5a, 16) < 0,
						 "%s len %zu: wrote past the end",
						 m->ours, len);
					ok++;
					memset(g_back, 0x3c, len + 16);
					r3 = kc_cipher(t_ours, 0, iv, g_out, len, g_back,
						       (enum kc_mode)mode);
					VM_CHECK(r3 == 0 && vm_first_diff(g_back, g_in, len) < 0,
						 "%s key %zu%s len %zu %s: decrypt %d (%s), byte %ld differs",
						 m->ours, kl, pass ? " equal halves" : "",
						 len, kc_mode_str[mode], r3, strerror(-r3),
						 vm_first_diff(g_back, g_in, len));
					ok += r3 == 0;
				}
			}
		}
	}
out:
	if (t_ours >= 0)
		close(t_ours);
	if (t_gen >= 0)
		close(t_gen);
	return ok;
}

static void kc_skcipher(const struct kc_mode_def *m)
{
	long j0 = kc_kq_jobs(), f0 = vm_pci_attr_long("kq_fallbacks"), j1, ok;

	VM_REQUIRE(j0 >= 0, "%s/kq_jobs: %s", g_pci_path, strerror((int)-j0));
	ok = kc_cipher_battery(m);
	j1 = kc_kq_jobs();
	printf("[%s: %ld requests ok, kq_jobs +%ld, kq_fallbacks +%ld] ", m->ours,
	       ok, j1 - j0, vm_pci_attr_long("kq_fallbacks") - f0);
	VM_CHECK(ok > 0, "%s: no request succeeded", m->ours);
	VM_CHECK(j1 > j0, "%s: kq_jobs %ld -> %ld: the device did none of it",
		 m->ours, j0, j1);
}

static const size_t kc_aes_keys[] = { 16, 24, 32 };
static const size_t kc_xts_keys[] = { 32, 48, 64 };

static void t_cbc(void)
{
	static const struct kc_mode_def m = {
		"cbc", "cbc-aes-accelkit", "cbc(aes-generic)", kc_aes_keys, 3, 0
	};

	kc_skcipher(&m);
}

static void t_ctr(void)
{
	static const struct kc_mode_def m = {
		"ctr", "ctr-aes-accelkit", "ctr(aes-generic)", kc_aes_keys, 3, 0
	};

	kc_skcipher(&m);
}

static void t_xts(void)
{
	static const struct kc_mode_def m = {
		"xts", "xts-aes-accelkit", "xts(ecb(aes-generic))", kc_xts_keys,
		3, 1
	};

	kc_skcipher(&m);
}

/* ------------------------------------------------------------------ */
/* sha256 */

/* Digest of @len bytes: sendmsg (one, or split with MSG_MORE) or, with
 * @file >= 0, sendfile of that file's first @len bytes. 0 or -errno. */
static int kc_hash(int tfm, const uint8_t *p, size_t len, int split, int file,
		   uint8_t md[32])
{
	int op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC), ret = 0;
	size_t cut = split && len > 1 ? len / 2 + 1 : len;
	ssize_t r;

	if (op < 0)
		return -errno;
	if (file >= 0) {
		off_t off = 0;

		r = len ? sendfile(op, file, &off, len) : send(op, p, 0, 0);
		if (r != (ssize_t)len) {
			ret = r < 0 ? -errno : -EIO;
			goto out;
		}
	} else {
		if (send(op, p, cut, cut < len ? MSG_MORE : 0) != (ssize_t)cut ||
		    (cut < len &&
		     send(op, p + cut, len - cut, 0) != (ssize_t)(len - cut))) {
			ret = -errno;
			goto out;
		}
	}
	r = read(op, md, 32);
	ret = r == 32 ? 0 : r < 0 ? -errno : -EIO;
out:
	close(op);
	return ret;
}

static int kc_unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned int b;

	for (i = 0; i < n; i++) {
		if (sscanf(h + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static void t_sha256(void)
{
	/* FIPS 180-2 known answers: "abc" and the empty message */
	static const char *const kat_abc =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	static const char *const kat_empty =
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	static const size_t lens[] = {
		0, 1, 3, 55, 56, 63, 64, 65, 1000, 4095, 4096, 4097, 8192,
		65536, 70001, 71680,
	};
	uint8_t want[32], md1[32], md2[32];
	long j0 = kc_kq_jobs(), jsf = 0, jsf0;
	int t_ours, t_gen, mfd, split, via_file, r1, r2;
	size_t i;

	VM_REQUIRE(j0 >= 0, "%s/kq_jobs: %s", g_pci_path, strerror((int)-j0));
	t_ours = kcon_alg_tfm("hash", "sha256-accelkit");
	t_gen = kcon_alg_tfm("hash", "sha256-generic");
	VM_CHECK(t_gen >= 0, "AF_ALG bind hash sha256-generic: %s",
		 t_gen < 0 ? strerror(-t_gen) : "");
	if (t_ours < 0 || t_gen < 0) {
		VM_FAIL("AF_ALG bind hash sha256-accelkit: %s",
			t_ours < 0 ? strerror(-t_ours) : "(generic missing)");
		goto out;
	}
	/* the known answers, both ways */
	kc_unhex(kat_abc, want, 32);
	memcpy(g_in, "abc", 3);
	VM_CHECK(kc_hash(t_ours, g_in, 3, 0, -1, md1) == 0 &&
		 !memcmp(md1, want, 32), "sha256-accelkit(\"abc\") (sendmsg)");
	kc_unhex(kat_empty, want, 32);
	VM_CHECK(kc_hash(t_ours, g_in, 0, 0, -1, md1) == 0 &&
		 !memcmp(md1, want, 32), "sha256-accelkit(\"\")");

	mfd = memfd_create("kc-sha", MFD_CLOEXEC);
	VM_REQUIRE(mfd >= 0, "memfd_create: %s", strerror(errno));
	/* "abc" through sendfile: one page, digest(): the device */
	kc_unhex(kat_abc, want, 32);
	jsf0 = kc_kq_jobs();
	VM_CHECK(pwrite(mfd, "abc", 3, 0) == 3 &&
		 kc_hash(t_ours, NULL, 3, 0, mfd, md1) == 0 &&
		 !memcmp(md1, want, 32), "sha256-accelkit(\"abc\") (sendfile)");
	jsf += kc_kq_jobs() - jsf0;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		vm_fill_random(g_in, lens[i], (uint32_t)(lens[i] + 99));
		VM_REQUIRE(ftruncate(mfd, 0) == 0 &&
			   pwrite(mfd, g_in, lens[i], 0) == (ssize_t)lens[i],
			   "memfd write: %s", strerror(errno));
		for (via_file = 0; via_file < 2; via_file++)
			for (split = 0; split < 2 - via_file; split++) {
				jsf0 = kc_kq_jobs();
				r1 = kc_hash(t_ours, g_in, lens[i], split,
					     via_file ? mfd : -1, md1);
				if (via_file && lens[i] && lens[i] <= AK_PAGE)
					jsf += kc_kq_jobs() - jsf0;
				r2 = kc_hash(t_gen, g_in, lens[i], split,
					     via_file ? mfd : -1, md2);
				VM_CHECK(r1 == 0 && r2 == 0 && !memcmp(md1, md2, 32),
					 "sha256 len %zu %s: accelkit %d, generic %d, digests %s",
					 lens[i], via_file ? "sendfile" :
					 split ? "split sendmsg" : "one sendmsg",
					 r1, r2, memcmp(md1, md2, 32) ? "differ" : "equal");
			}
	}
	close(mfd);
	printf("[sha256: kq_jobs +%ld, +%ld by the one-page sendfiles] ",
	       kc_kq_jobs() - j0, jsf);
	VM_CHECK(jsf > 0,
		 "sha256-accelkit: one-page digests (sendfile) moved kq_jobs by %ld: the device did none",
		 jsf);
out:
	if (t_ours >= 0)
		close(t_ours);
	if (t_gen >= 0)
		close(t_gen);
}

/* ------------------------------------------------------------------ */
/* /proc/crypto and the kernel log */

/* The value of "key<spaces>: value" in the lines of @blk into @val; 0 or -1. */
static int kc_field(const char *blk, const char *key, char *val, size_t len)
{
	const char *line, *q, *e;
	size_t kl = strlen(key);

	for (line = blk; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		if (strncmp(line, key, kl))
			continue;
		for (q = line + kl; *q == ' '; q++)
			;
		if (*q != ':')
			continue;
		for (q++; *q == ' '; q++)
			;
		e = strchr(q, '\n');
		vm_fmt(val, len, "%.*s", e ? (int)(e - q) : (int)strlen(q), q);
		return 0;
	}
	return -1;
}

/* The /proc/crypto block (empty-line separated) whose driver is @drv. */
static int kc_proc_block(const char *all, const char *drv, char *blk,
			 size_t len)
{
	const char *start = all, *end;
	char v[128];

	while (*start) {
		end = strstr(start, "\n\n");
		if (!end)
			end = start + strlen(start);
		vm_fmt(blk, len, "%.*s\n", (int)(end - start), start);
		if (!kc_field(blk, "driver", v, sizeof(v)) && !strcmp(v, drv))
			return 0;
		start = *end ? end + 2 : end;
	}
	return -1;
}

static long kc_param_priority(void)
{
	char buf[32];

	if (vm_read_file("/sys/module/accelkit_sample/parameters/crypto_priority",
			 buf, sizeof(buf)) <= 0)
		return 50;	/* the agreed default */
	return strtol(buf, NULL, 10);
}

static void t_proc_crypto(void)
{
	static char all[1 << 20];
	char blk[2048], v[128], first[256] = "";
	long prio = kc_param_priority();
	size_t i;
	int fd, n, r;
	char *buf, *line, *save = NULL;
	ssize_t got = 0, rr;

	fd = open("/proc/crypto", O_RDONLY | O_CLOEXEC);
	VM_REQUIRE(fd >= 0, "/proc/crypto: %s", strerror(errno));
	while ((rr = read(fd, all + got, sizeof(all) - 1 - (size_t)got)) > 0)
		got += rr;
	close(fd);
	all[got] = '\0';

	for (i = 0; i < sizeof(kc_drivers) / sizeof(kc_drivers[0]); i++) {
		const struct kc_drv *d = &kc_drivers[i];
		long want = d->prio_param ? prio : 0;

		if (kc_proc_block(all, d->driver, blk, sizeof(blk))) {
			VM_FAIL("/proc/crypto has no driver %s", d->driver);
			continue;
		}
		VM_CHECK(!kc_field(blk, "name", v, sizeof(v)) && !strcmp(v, d->name),
			 "%s: name '%s', want %s", d->driver, v, d->name);
		VM_CHECK(!kc_field(blk, "module", v, sizeof(v)) &&
			 !strcmp(v, "accelkit_sample"),
			 "%s: module '%s', want accelkit_sample", d->driver, v);
		VM_CHECK(!kc_field(blk, "selftest", v, sizeof(v)) &&
			 !strcmp(v, "passed"),
			 "%s: selftest '%s', want passed", d->driver, v);
		VM_CHECK(!kc_field(blk, "type", v, sizeof(v)) && !strcmp(v, d->type),
			 "%s: type '%s', want %s", d->driver, v, d->type);
		VM_CHECK(!kc_field(blk, "priority", v, sizeof(v)) &&
			 strtol(v, NULL, 10) == want,
			 "%s: priority '%s', want %ld", d->driver, v, want);
	}

	/* no crypto manager complaint about us ("alg: ... accelkit ...") */
	n = klogctl(10, NULL, 0);
	buf = malloc(n > 0 ? (size_t)n + 1 : (1 << 20) + 1);
	VM_REQUIRE(buf, "malloc");
	r = klogctl(3, buf, n > 0 ? n : 1 << 20);
	VM_REQUIRE(r >= 0, "klogctl: %s", strerror(errno));
	buf[r] = '\0';
	n = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "alg:") && strstr(line, "accelkit")) {
			if (!n++)
				vm_fmt(first, sizeof(first), "%s", line);
		}
	free(buf);
	VM_CHECK(n == 0, "%d kernel log lines of the crypto manager name accelkit, first: %s",
		 n, first);
}

/* ------------------------------------------------------------------ */
/* Ownership while a transform is alive */

/* kq_ids of the PCI device into @ids; count, or -errno. */
static int kc_kq_ids(unsigned int *ids, int max)
{
	char path[PATH_MAX], buf[512], *p, *end;
	int n = 0, r;

	vm_fmt(path, sizeof(path), "%s/kq_ids", g_pci_path);
	r = vm_read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (p = buf; n < max; p = end) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		ids[n++] = (unsigned int)v;
	}
	return n;
}

static int kc_set_kq(const char *val)
{
	char path[PATH_MAX];

	vm_fmt(path, sizeof(path), "%s/kernel_queues", g_sysdir);
	return vm_write_file(path, val);
}

static void t_ownership(void)
{
	static int fds[KC_MAX_FDS];
	unsigned int kq[64];
	long reserved = vm_attr_long("kernel_queues");
	long avail0 = vm_avail(), in_use;
	struct accelkit_queue_info info;
	char val[32];
	uint64_t end;
	int t1, t2, nkq, n = 0, i, j, r;

	VM_REQUIRE(reserved > 0, "%s/kernel_queues %ld, want > 0", g_sysdir,
		   reserved);
	g_kq_saved = reserved;
	VM_REQUIRE(vm_attr_long("kernel_queues_in_use") == 0,
		   "kernel_queues_in_use %ld before any transform",
		   vm_attr_long("kernel_queues_in_use"));
	r = kc_kq_ids(kq, 64);
	VM_CHECK(r == 0, "kq_ids with no transform: %d entries", r);

	/* two transforms, two algorithms: one pool */
	t1 = kcon_alg_tfm("skcipher", "cbc-aes-accelkit");
	VM_REQUIRE(t1 >= 0, "AF_ALG bind cbc-aes-accelkit: %s", strerror(-t1));
	t2 = kcon_alg_tfm("hash", "sha256-accelkit");
	VM_CHECK(t2 >= 0, "AF_ALG bind sha256-accelkit: %s",
		 t2 < 0 ? strerror(-t2) : "");
	in_use = vm_attr_long("kernel_queues_in_use");
	VM_CHECK(in_use == reserved,
		 "kernel_queues_in_use %ld with transforms alive, want kernel_queues %ld",
		 in_use, reserved);
	nkq = kc_kq_ids(kq, 64);
	VM_CHECK(nkq == in_use, "kq_ids has %d entries, kernel_queues_in_use %ld",
		 nkq, in_use);
	VM_CHECK(vm_avail() == avail0,
		 "available_instances %ld with the kernel's share claimed, %ld before (it counts user queues only)",
		 vm_avail(), avail0);

	/* shrinking the share under the owner: EBUSY, nothing changes */
	r = kc_set_kq("0");
	VM_CHECK(r == -EBUSY, "kernel_queues = 0 with transforms alive: %d (%s), want EBUSY",
		 r, strerror(-r));
	vm_fmt(val, sizeof(val), "%ld", reserved - 1);
	r = kc_set_kq(val);
	VM_CHECK(r == -EBUSY, "kernel_queues = %s with %ld in use: %d (%s), want EBUSY",
		 val, in_use, r, strerror(-r));
	VM_CHECK(vm_attr_long("kernel_queues") == reserved,
		 "kernel_queues %ld after refused writes, want %ld",
		 vm_attr_long("kernel_queues"), reserved);
	kc_restore_kq();

	/* every user queue: none of them gets a kernel queue's index */
	while (n < KC_MAX_FDS) {
		int fd = open(g_node, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			break;
		fds[n++] = fd;
		if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &info) < 0) {
			VM_FAIL("QUEUE_INFO: %s", strerror(errno));
			continue;
		}
		for (j = 0; j < nkq; j++)
			VM_CHECK(info.queue_id != kq[j],
				 "user queue %d got hardware queue %u, held by the kernel (kq_ids)",
				 n, info.queue_id);
	}
	VM_CHECK(n == avail0, "user opens with the kernel's share held: %d, want %ld",
		 n, avail0);
	/* the kernel side still works with the device full of users */
	vm_fill_random(g_in, 4096, 4242);
	VM_CHECK(kcon_alg_setkey(t1, g_in, 16) == 0 &&
		 kc_cipher(t1, 1, g_in + 16, g_in, 4096, g_out, KC_ONESHOT) == 0,
		 "cbc-aes-accelkit with every user queue open");
	for (i = 0; i < n; i++)
		close(fds[i]);

	close(t1);
	if (t2 >= 0)
		close(t2);
	end = vm_now_ms() + KC_RELEASE_MS;
	while (vm_attr_long("kernel_queues_in_use") != 0 && vm_now_ms() < end)
		usleep(50000);
	VM_CHECK(vm_attr_long("kernel_queues_in_use") == 0,
		 "kernel_queues_in_use %ld %d s after the last transform was freed",
		 vm_attr_long("kernel_queues_in_use"), KC_RELEASE_MS / 1000);
	r = kc_kq_ids(kq, 64);
	VM_CHECK(r == 0, "kq_ids has %d entries after the release", r);
	vm_check_instances_back();
}

static const struct ak_test kc_tests[] = {
	{ "kcrypt: /proc/crypto: 5 drivers, module, selftest passed, priority; no alg: line",
	  t_proc_crypto },
	{ "kcrypt: AF_ALG cbc-aes-accelkit vs cbc(aes-generic), keys 16/24/32, 0..70 KiB",
	  t_cbc },
	{ "kcrypt: AF_ALG ctr-aes-accelkit vs ctr(aes-generic), odd lengths, counter carry",
	  t_ctr },
	{ "kcrypt: AF_ALG xts-aes-accelkit vs xts(ecb(aes-generic)), keys 32/48/64, equal halves",
	  t_xts },
	{ "kcrypt: AF_ALG sha256-accelkit vs sha256-generic and the known answers",
	  t_sha256 },
	{ "kcrypt: a tfm holds the kernel share: EBUSY shrink, disjoint ids, released",
	  t_ownership },
	{ "kcrypt: dm-crypt capi:xts-aes-accelkit-plain64 vs generic: same ciphertext",
	  t_kcrypt_dm },
	{ NULL, NULL },
};

int add_kcrypt_suites(void)
{
	return ak_add_suite("kcrypt", kc_init, kc_clean, kc_tests);
}
