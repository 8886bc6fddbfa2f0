// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device removal with queues open and mapped (PCI unbind), then rebind.
 * Registered last: it disturbs the device. Afterwards g_* point at the
 * rediscovered device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"

#define OFF_DUS ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)

/* What a queue's owner sees after removal; bit mask of deviations. */
static int zombie_checks(int fd, size_t dus_size)
{
	struct accelkit_queue_info qi;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	void *p;
	int bad = 0;

	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) != -1 || errno != ENODEV)
		bad |= 1;
	if (ioctl(fd, UACCE_CMD_START_Q) != -1 || errno != ENODEV)
		bad |= 2;
	if (ioctl(fd, UACCE_CMD_PUT_Q) != -1 || errno != ENODEV)
		bad |= 4;
	p = mmap(NULL, dus_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 OFF_DUS);
	if (p != MAP_FAILED || errno != ENODEV)
		bad |= 8;
	if (poll(&pfd, 1, 0) != 1 ||
	    (pfd.revents & (POLLERR | POLLHUP)) != (POLLERR | POLLHUP) ||
	    (pfd.revents & POLLIN))
		bad |= 16;
	return bad;
}

struct helper {
	int to_parent[2];
	int to_child[2];
};

/* Forked helper with its own queue: checks after removal, then touches
 * its zapped doorbell (expected to die with SIGBUS). */
static int helper_main(void *arg)
{
	struct helper *h = arg;
	struct accelkit_queue_info qi;
	uint8_t *mmio, *dus;
	unsigned char res;
	char c;
	int fd;

	close(h->to_parent[0]);
	close(h->to_child[1]);
	fd = open(g_node, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi))
		return 100;
	mmio = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dus = mmap(NULL, qi.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   OFF_DUS);
	if (mmio == MAP_FAILED || dus == MAP_FAILED)
		return 101;
	if (ioctl(fd, UACCE_CMD_START_Q))
		return 102;
	(void)*(volatile uint32_t *)mmio;	/* works before removal */
	if (write(h->to_parent[1], "R", 1) != 1)
		return 103;
	if (read(h->to_child[0], &c, 1) != 1)
		return 104;
	res = (unsigned char)zombie_checks(fd, qi.dus_size);
	if (vm_probe_read(dus) != SIGBUS)
		res |= 32;
	if (write(h->to_parent[1], &res, 1) != 1)
		return 105;
	*(volatile uint32_t *)mmio = 1;		/* ring the dead doorbell */
	return 106;
}

static void t_remove_rebind(void)
{
	char path[PATH_MAX], ws[64];
	struct helper h;
	struct ak_queue *q = NULL;
	struct accelkit_queue_info qi;
	uint8_t *mmio = NULL, *dus = NULL, *src = NULL, *dst = NULL;
	struct ak_job jobs[32];
	unsigned char res = 0xff;
	int fd = -1, r, st, to, n, unbound = 0, i;
	pid_t pid;
	char c;

	VM_REQUIRE(vm_discover() == 0, "no device");
	r = vm_resolve_pci();
	VM_REQUIRE(r == 0, "cannot resolve %s/device and driver: %s", g_sysdir,
		   strerror(-r));
	printf("[%s on %s, driver %s] ", g_name, g_bdf, g_driver);

	/* the parent's library queue, busy with jobs at removal time */
	q = vm_open_queue(0);
	src = vm_alloc(32 << 20);
	dst = vm_alloc(32 << 20);
	VM_REQUIRE(q && src && dst, "setup");
	vm_fill_random(src, 4096, 1);
	VM_CHECK(ak_copy(q, dst, src, 4096) == 0 && !memcmp(dst, src, 4096),
		 "COPY before removal");
	/* a raw queue too, mapped */
	fd = open(g_node, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(fd >= 0 && ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) == 0,
		   "raw open");
	mmio = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dus = mmap(NULL, qi.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   OFF_DUS);
	VM_REQUIRE(mmio != MAP_FAILED && dus != MAP_FAILED, "raw mmap");
	VM_CHECK(ioctl(fd, UACCE_CMD_START_Q) == 0, "raw START_Q");

	VM_REQUIRE(pipe(h.to_parent) == 0 && pipe(h.to_child) == 0, "pipe");
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork");
	if (pid == 0)
		_exit(helper_main(&h));
	close(h.to_parent[1]);
	close(h.to_child[0]);
	r = (int)read(h.to_parent[0], &c, 1);
	VM_CHECK(r == 1 && c == 'R', "helper did not get ready");

	/* jobs in flight while the device goes away */
	for (i = 0; i < 32; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].op = AK_OP_COPY;
		jobs[i].src = src + ((size_t)i % 2) * (16 << 20);
		jobs[i].dst = dst + ((size_t)(i + 1) % 2) * (16 << 20);
		jobs[i].len = 16 << 20;
		jobs[i].tag = i;
	}
	n = ak_submit_batch(q, jobs, 32);
	VM_CHECK(n == 32, "submit before removal: %d", n);

	vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", g_driver);
	r = vm_write_file(path, g_bdf);
	VM_CHECK(r == 0, "write %s to %s: %s", g_bdf, path, strerror(-r));
	unbound = r == 0;
	if (!unbound) {
		kill(pid, SIGKILL);
		vm_wait_child(pid, 1000, &to);
		goto out;
	}
	VM_CHECK(access(g_sysdir, F_OK) == -1 && errno == ENOENT,
		 "%s still exists after unbind", g_sysdir);
	VM_CHECK(access(g_node, F_OK) == -1 && errno == ENOENT,
		 "%s still exists after unbind", g_node);

	/* the helper's view */
	VM_CHECK(write(h.to_child[1], "G", 1) == 1, "go");
	r = (int)read(h.to_parent[0], &res, 1);
	VM_CHECK(r == 1 && res == 0,
		 "helper after removal: failed checks 0x%x (1 QUEUE_INFO, 2 START_Q, 4 PUT_Q !ENODEV, 8 mmap !ENODEV, 16 poll !POLLERR|POLLHUP, 32 ring read !SIGBUS)",
		 res);
	st = vm_wait_child(pid, 10000, &to);
	VM_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS,
		 "helper writing its doorbell after removal: %s, want SIGBUS",
		 vm_wstatus_str(st, ws, sizeof(ws)));

	/* the parent's views (raw fd and the library queue's fd) */
	r = zombie_checks(fd, qi.dus_size);
	VM_CHECK(r == 0, "raw fd after removal: failed checks 0x%x", r);
	r = zombie_checks(ak_queue_fd(q), qi.dus_size);
	VM_CHECK(r == 0, "library fd after removal: failed checks 0x%x", r);
	VM_CHECK(vm_probe_read(mmio) == SIGBUS,
		 "read of the removed doorbell page did not raise SIGBUS");
	VM_CHECK(vm_probe_read(dus) == SIGBUS,
		 "read of the removed ring page did not raise SIGBUS");
	/* (no ak_wait/ak_reap here: they read the zapped ring -> SIGBUS) */
	VM_CHECK(munmap(mmio, AK_PAGE) == 0 && munmap(dus, qi.dus_size) == 0,
		 "munmap after removal: %s", strerror(errno));
	mmio = dus = NULL;
	VM_CHECK(close(fd) == 0, "close after removal: %s", strerror(errno));
	fd = -1;
	ak_queue_close(q);
	q = NULL;
out:
	close(h.to_parent[0]);
	close(h.to_child[1]);
	if (fd >= 0)
		close(fd);
	if (mmio && mmio != MAP_FAILED)
		munmap(mmio, AK_PAGE);
	if (dus && dus != MAP_FAILED)
		munmap(dus, qi.dus_size);
	ak_queue_close(q);
	q = NULL;

	if (unbound) {
		vm_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
			 g_driver);
		r = vm_write_file(path, g_bdf);
		VM_CHECK(r == 0, "write %s to %s: %s", g_bdf, path, strerror(-r));
	}
	r = vm_rediscover(5000);
	VM_CHECK(r == 0, "no accelkit device on %s after rebind", g_bdf);
	if (r == 0) {
		printf("[back as %s] ", g_name);
		VM_CHECK(vm_avail() == g_max_instances,
			 "available_instances %ld after rebind, want %ld",
			 vm_avail(), g_max_instances);
		q = vm_open_queue(0);
		if (q) {
			vm_fill_random(src, 100000, 77);
			memset(dst, 0, 100001);
			r = ak_copy(q, dst + 1, src, 100000);
			VM_CHECK(r == 0, "COPY after rebind: %d", r);
			VM_CHECK(!memcmp(dst + 1, src, 100000) && dst[0] == 0,
				 "COPY after rebind: data");
			ak_queue_close(q);
		}
		vm_check_instances_back();
	}
	vm_free(src, 32 << 20);
	vm_free(dst, 32 << 20);
}

static const struct ak_test remove_tests[] = {
	{ "PCI unbind with queues open: ENODEV, SIGBUS, node gone; rebind works",
	  t_remove_rebind },
	{ NULL, NULL },
};

int add_remove_suites(void)
{
	return ak_add_suite("removal", NULL, NULL, remove_tests);
}
