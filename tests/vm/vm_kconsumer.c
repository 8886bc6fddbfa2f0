// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Helpers of the kernel-consumer suites (vm_kconsumer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

long kcon_zswap_dbg(const char *name)
{
	return vm_read_long(KCON_ZSWAP_DBG, name);
}

int kcon_zswap_param(const char *name, char *buf, size_t len)
{
	char p[PATH_MAX];
	int r;

	vm_fmt(p, sizeof(p), "%s/%s", KCON_ZSWAP_PAR, name);
	r = vm_read_file(p, buf, len);
	if (r >= 0)
		buf[strcspn(buf, "\n")] = '\0';
	return r;
}

int kcon_zswap_set(const char *name, const char *val)
{
	char p[PATH_MAX];

	vm_fmt(p, sizeof(p), "%s/%s", KCON_ZSWAP_PAR, name);
	return vm_write_file(p, val);
}

int kcon_run(char *const argv[], const char *env, int quiet)
{
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/bin:/sbin", (char *)env,
			 NULL };
	int st, to = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int nul = quiet ? open("/dev/null", O_WRONLY) : -1;

		if (nul >= 0)
			dup2(nul, 1);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	st = vm_wait_child(pid, 60000, &to);
	if (st < 0 || to || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int kcon_pagemap(const void *p, size_t n, long *swapped, long *present)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e;
	size_t i;

	*swapped = *present = 0;
	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (pread(fd, &e, 8, (off_t)((uintptr_t)p / AK_PAGE + i) * 8) != 8) {
			close(fd);
			return -1;
		}
		*swapped += (e >> 62) & 1;
		*present += (e >> 63) & 1;
	}
	close(fd);
	return 0;
}

int kcon_pin(cpu_set_t *old)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	if (sched_getaffinity(0, sizeof(*old), old))
		return -1;
	return sched_setaffinity(0, sizeof(one), &one) ? -1 : 0;
}

void kcon_unpin(const cpu_set_t *old)
{
	sched_setaffinity(0, sizeof(*old), old);
}

void kcon_page(uint64_t *w, size_t i, uint32_t seed)
{
	size_t k;

	for (k = 0; k < AK_PAGE / 8; k++)
		w[k] = (k % 16) ? 0x0101010101010101ull *
				  (uint64_t)((i + k / 16 + seed) & 0x3f) :
				  ((uint64_t)i * 0x9e3779b97f4a7c15ull) ^ k ^ seed;
}

int kcon_cg_child(const char *cg_dir, int touch_mb, uint32_t seed, int to,
		  int from)
{
	size_t len = (size_t)touch_mb << 20, n = len / AK_PAGE, i;
	uint64_t want[AK_PAGE / 8];
	char pid[32], p_procs[PATH_MAX], c;
	uint8_t *p;
	long bad = 0;

	snprintf(pid, sizeof(pid), "%d", getpid());
	vm_fmt(p_procs, sizeof(p_procs), "%s/cgroup.procs", cg_dir);
	if (vm_write_file(p_procs, pid))
		return 10;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return 11;
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		kcon_page((uint64_t *)(p + i * AK_PAGE), i, seed);
	if (write(to, "W", 1) != 1 || read(from, &c, 1) != 1)
		return 12;
	for (i = 0; i < n; i++) {
		kcon_page(want, i, seed);
		bad += memcmp(p + i * AK_PAGE, want, AK_PAGE) != 0;
	}
	if (write(to, &bad, sizeof(bad)) != sizeof(bad) || read(from, &c, 1) != 1)
		return 13;
	return 0;
}

int kcon_cgroup(const char *dir, int max_mb, char *err, size_t len)
{
	char buf[512], p[PATH_MAX];
	int r;

	if (access(KCON_CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", KCON_CG_ROOT, "cgroup2", 0, NULL)) {
		snprintf(err, len, "mount cgroup2: %s", strerror(errno));
		return -1;
	}
	r = vm_read_file(KCON_CG_ROOT "/cgroup.controllers", buf, sizeof(buf));
	if (r < 0 || !vm_has_word(buf, "memory")) {
		snprintf(err, len, "cgroup2 has no memory controller");
		return -1;
	}
	r = vm_write_file(KCON_CG_ROOT "/cgroup.subtree_control", "+memory");
	if (r) {
		snprintf(err, len, "+memory: %s", strerror(-r));
		return -1;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err, len, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(buf, sizeof(buf), "%dM", max_mb);
	vm_fmt(p, sizeof(p), "%s/memory.max", dir);
	r = vm_write_file(p, buf);
	if (r) {
		snprintf(err, len, "memory.max: %s", strerror(-r));
		return -1;
	}
	vm_fmt(p, sizeof(p), "%s/memory.swap.max", dir);
	r = vm_write_file(p, "max");
	if (r) {
		snprintf(err, len, "memory.swap.max: %s", strerror(-r));
		return -1;
	}
	return 0;
}

int kcon_alg_tfm(const char *type, const char *name)
{
	struct sockaddr_alg sa;
	int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.salg_family = AF_ALG;
	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", type);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int kcon_alg_setkey(int tfm, const uint8_t *key, size_t klen)
{
	return setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, (socklen_t)klen) ?
	       -errno : 0;
}

int kcon_alg_send(int op, int enc, const uint8_t *iv, const uint8_t *p,
		  size_t len, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)];
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	uint32_t opv = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	struct af_alg_iv *aiv;
	struct msghdr msg;
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	memset(&msg, 0, sizeof(msg));
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	memcpy(CMSG_DATA(c), &opv, sizeof(opv));
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + 16);
	aiv = (struct af_alg_iv *)CMSG_DATA(c);
	aiv->ivlen = 16;
	memcpy(aiv->iv, iv, 16);
	if (sendmsg(op, &msg, flags) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

ssize_t kcon_read_all(int fd, uint8_t *out, size_t len)
{
	size_t got = 0;
	uint8_t dummy[16];

	if (!len) {	/* a zero-length request needs a non-empty buffer */
		ssize_t r = read(fd, dummy, sizeof(dummy));

		return r < 0 ? -errno : r;
	}
	while (got < len) {
		ssize_t r = read(fd, out + got, len - got);

		if (r < 0)
			return -errno;
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int kcon_alg_oneshot(int tfm, int enc, const uint8_t *iv, const uint8_t *in,
		     size_t len, uint8_t *out)
{
	int op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	ssize_t r;

	if (op < 0)
		return -errno;
	r = kcon_alg_send(op, enc, iv, in, len, 0);
	if (!r) {
		r = kcon_read_all(op, out, len);
		r = r < 0 ? r : r == (ssize_t)len ? 0 : -EIO;
	}
	close(op);
	return (int)r;
}

int kcon_zswap_on(struct kcon_zswap *z, const char *disksize)
{
	static char *const mkswap[] = { "/bin/mkswap", KCON_ZRAM, NULL };
	long reserved = vm_attr_long("kernel_queues"), in_use;
	char val[64];
	int r;

	memset(z, 0, sizeof(*z));
	if (access(KCON_ZRAM_SYS "/disksize", W_OK)) {
		VM_FAIL("%s/disksize: %s (zram not loaded: vm/kmods.list)",
			KCON_ZRAM_SYS, strerror(errno));
		return -1;
	}
	if (kcon_zswap_param("compressor", z->old_comp, sizeof(z->old_comp)) <= 0 ||
	    kcon_zswap_param("enabled", z->old_enabled, sizeof(z->old_enabled)) <= 0) {
		VM_FAIL("%s/{compressor,enabled} unreadable", KCON_ZSWAP_PAR);
		return -1;
	}
	vm_write_file(KCON_ZRAM_SYS "/reset", "1");	/* a previous suite's */
	r = vm_write_file(KCON_ZRAM_SYS "/disksize", disksize);
	if (r) {
		VM_FAIL("zram0 disksize %s: %s", disksize, strerror(-r));
		return -1;
	}
	r = kcon_run(mkswap, NULL, 1);
	if (r) {
		VM_FAIL("mkswap %s: exit %d", KCON_ZRAM, r);
		return -1;
	}
	if (swapon(KCON_ZRAM, 0)) {
		VM_FAIL("swapon %s: %s", KCON_ZRAM, strerror(errno));
		return -1;
	}
	z->swap_on = 1;
	z->zswap_set = 1;
	r = kcon_zswap_set("compressor", KCON_ZSWAP_DRV);
	if (!r)
		r = kcon_zswap_set("enabled", "1");
	if (r) {
		VM_FAIL("zswap compressor %s, enabled: %s", KCON_ZSWAP_DRV,
			strerror(-r));
		return -1;
	}
	/* 6.12 sets zswap up (pool, debugfs) at the first enable only */
	if (kcon_zswap_dbg("stored_pages") < 0) {
		VM_FAIL("%s/stored_pages: %s", KCON_ZSWAP_DBG,
			strerror((int)-kcon_zswap_dbg("stored_pages")));
		return -1;
	}
	VM_CHECK(kcon_zswap_param("compressor", val, sizeof(val)) > 0 &&
		 !strcmp(val, KCON_ZSWAP_DRV), "zswap compressor reads '%s'", val);
	VM_CHECK(kcon_zswap_param("enabled", val, sizeof(val)) > 0 && val[0] == 'Y',
		 "zswap enabled reads '%s'", val);
	in_use = vm_attr_long("kernel_queues_in_use");
	VM_CHECK(reserved > 0 && in_use == reserved,
		 "kernel_queues_in_use %ld with zswap on %s, want kernel_queues %ld",
		 in_use, KCON_ZSWAP_DRV, reserved);
	return 0;
}

void kcon_zswap_off(struct kcon_zswap *z, int check)
{
	long v;
	int r;

	if (z->zswap_set) {
		r = kcon_zswap_set("compressor", z->old_comp[0] ? z->old_comp : "lzo");
		if (check)
			VM_CHECK(r == 0, "zswap compressor back to %s: %s",
				 z->old_comp, strerror(-r));
	}
	if (z->swap_on) {
		r = swapoff(KCON_ZRAM) ? -errno : 0;
		if (check)
			VM_CHECK(r == 0, "swapoff %s: %s", KCON_ZRAM, strerror(-r));
		z->swap_on = 0;
		if (check) {
			v = kcon_zswap_dbg("stored_pages");
			VM_CHECK(v == 0, "zswap stored_pages %ld after swapoff", v);
		}
	}
	if (z->zswap_set) {
		r = kcon_zswap_set("enabled", z->old_enabled[0] ? z->old_enabled : "N");
		if (check)
			VM_CHECK(r == 0, "zswap enabled back to %s: %s",
				 z->old_enabled, strerror(-r));
		z->zswap_set = 0;
	}
	r = vm_write_file(KCON_ZRAM_SYS "/reset", "1");
	if (check)
		VM_CHECK(r == 0, "zram0 reset: %s", strerror(-r));
}
