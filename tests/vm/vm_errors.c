// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error paths of the raw uacce/accelkit uAPI on /dev/accelkit-N: mmap
 * geometry and flags, mremap/munmap of regions, ioctls, the queue state
 * machine and available_instances accounting.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <accelkit/sample_hw.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"

#define OFF_MMIO ((off_t)UACCE_QFRT_MMIO * (off_t)AK_PAGE)
#define OFF_DUS  ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)

static struct accelkit_queue_info qi0;	/* geometry, read in init */

static int raw_open(void)
{
	int fd = open(g_node, O_RDWR | O_CLOEXEC);

	VM_CHECK(fd >= 0, "open(%s): %s", g_node, strerror(errno));
	return fd;
}

static int err_init(void)
{
	int fd;

	if (vm_discover() < 0)
		return -1;
	fd = open(g_node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi0) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* mmap returning errno (0 on success, mapping stored in *out). */
static int try_mmap(int fd, size_t len, int flags, off_t off, void **out)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	if (out)
		*out = p == MAP_FAILED ? NULL : p;
	if (p == MAP_FAILED)
		return errno;
	if (!out)
		munmap(p, len);
	return 0;
}

static void t_queue_info(void)
{
	char path[320], buf[64];
	long v;

	VM_CHECK(qi0.api_version == ACCELKIT_API_VERSION, "api_version %u",
		 qi0.api_version);
	VM_CHECK(qi0.depth >= 2 && qi0.depth <= 4096 &&
		 !(qi0.depth & (qi0.depth - 1)), "depth %u", qi0.depth);
	VM_CHECK(qi0.pasid != 0, "pasid 0");
	VM_CHECK(qi0.mmio_size == AK_PAGE, "mmio_size %llu",
		 (unsigned long long)qi0.mmio_size);
	VM_CHECK(qi0.desc_size == 64 && qi0.cpl_size == 32,
		 "desc %u cpl %u", qi0.desc_size, qi0.cpl_size);
	VM_CHECK(qi0.dus_size % AK_PAGE == 0 &&
		 qi0.dus_size >= (uint64_t)qi0.cq_offset + qi0.depth * 32ull,
		 "dus_size %llu", (unsigned long long)qi0.dus_size);
	VM_CHECK(qi0.max_xfer == 64ull << 20, "max_xfer %llu (device.md: 64 MiB)",
		 (unsigned long long)qi0.max_xfer);
	snprintf(path, sizeof(path), "%s/region_dus_size", g_sysdir);
	VM_CHECK(vm_read_file(path, buf, sizeof(buf)) > 0 &&
		 (v = atol(buf)) == (long)qi0.dus_size,
		 "sysfs region_dus_size '%s'", buf);
	snprintf(path, sizeof(path), "%s/region_mmio_size", g_sysdir);
	VM_CHECK(vm_read_file(path, buf, sizeof(buf)) > 0 &&
		 atol(buf) == (long)qi0.mmio_size,
		 "sysfs region_mmio_size '%s'", buf);
	snprintf(path, sizeof(path), "%s/flags", g_sysdir);
	VM_CHECK(vm_read_file(path, buf, sizeof(buf)) > 0 &&
		 atol(buf) == UACCE_DEV_SVA, "sysfs flags '%s'", buf);
	snprintf(path, sizeof(path), "%s/api", g_sysdir);
	VM_CHECK(vm_read_file(path, buf, sizeof(buf)) > 0 &&
		 !strcmp(buf, "accelkit_sample_v1\n"), "sysfs api '%s'", buf);
}

static void t_mmap_size(void)
{
	int fd = raw_open(), e;

	if (fd < 0)
		return;
	e = try_mmap(fd, 2 * AK_PAGE, MAP_SHARED, OFF_MMIO, NULL);
	VM_CHECK(e == EINVAL, "MMIO 8 KiB: errno %d (%s), want EINVAL", e,
		 strerror(e));
	e = try_mmap(fd, qi0.dus_size - AK_PAGE, MAP_SHARED, OFF_DUS, NULL);
	VM_CHECK(e == EINVAL, "DUS size-4K: errno %d (%s), want EINVAL", e,
		 strerror(e));
	e = try_mmap(fd, qi0.dus_size + AK_PAGE, MAP_SHARED, OFF_DUS, NULL);
	VM_CHECK(e == EINVAL, "DUS size+4K: errno %d (%s), want EINVAL", e,
		 strerror(e));
	e = try_mmap(fd, AK_PAGE, MAP_SHARED, OFF_DUS, NULL);
	VM_CHECK(e == EINVAL, "DUS 4K: errno %d (%s), want EINVAL", e,
		 strerror(e));
	/* control: the right sizes map */
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, NULL);
	VM_CHECK(e == 0, "MMIO right size: errno %d (%s)", e, strerror(e));
	e = try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, NULL);
	VM_CHECK(e == 0, "DUS right size: errno %d (%s)", e, strerror(e));
	close(fd);
}

static void t_mmap_offset(void)
{
	static const off_t pages[] = { 2, 3, 0x100, 0x7fffffff };
	int fd = raw_open(), e;
	size_t i;

	if (fd < 0)
		return;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		e = try_mmap(fd, AK_PAGE, MAP_SHARED, pages[i] * (off_t)AK_PAGE,
			     NULL);
		VM_CHECK(e == EINVAL, "region page %lld: errno %d (%s), want EINVAL",
			 (long long)pages[i], e, strerror(e));
	}
	close(fd);
}

static void t_mmap_private(void)
{
	int fd = raw_open(), e;

	if (fd < 0)
		return;
	e = try_mmap(fd, qi0.mmio_size, MAP_PRIVATE, OFF_MMIO, NULL);
	VM_CHECK(e == EINVAL, "MMIO MAP_PRIVATE: errno %d (%s), want EINVAL",
		 e, strerror(e));
	e = try_mmap(fd, qi0.dus_size, MAP_PRIVATE, OFF_DUS, NULL);
	VM_CHECK(e == EINVAL, "DUS MAP_PRIVATE: errno %d (%s), want EINVAL",
		 e, strerror(e));
	close(fd);
}

static void t_mmap_twice(void)
{
	void *a = NULL, *b = NULL, *c = NULL;
	int fd = raw_open(), e;

	if (fd < 0)
		return;
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, &a);
	VM_CHECK(e == 0, "first MMIO map: %s", strerror(e));
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, &b);
	VM_CHECK(e == EEXIST, "second MMIO map: errno %d (%s), want EEXIST",
		 e, strerror(e));
	e = try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, &c);
	VM_CHECK(e == 0, "first DUS map: %s", strerror(e));
	e = try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, &b);
	VM_CHECK(e == EEXIST, "second DUS map: errno %d (%s), want EEXIST",
		 e, strerror(e));
	/* after munmap the region can be mapped again */
	if (a)
		munmap(a, qi0.mmio_size);
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, &a);
	VM_CHECK(e == 0, "MMIO map after munmap: errno %d (%s)", e,
		 strerror(e));
	if (a)
		munmap(a, qi0.mmio_size);
	if (c)
		munmap(c, qi0.dus_size);
	close(fd);
}

static void t_mremap_munmap(void)
{
	uint8_t *dus = NULL, *mm = NULL, *target;
	unsigned char vec[32];
	void *r;
	int fd = raw_open(), e;

	if (fd < 0)
		return;
	e = try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, (void **)&dus);
	VM_CHECK(e == 0, "DUS map: %s", strerror(e));
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, (void **)&mm);
	VM_CHECK(e == 0, "MMIO map: %s", strerror(e));
	if (!dus || !mm)
		goto out;

	/* move to a fixed new address */
	target = mmap(NULL, qi0.dus_size, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VM_REQUIRE(target != MAP_FAILED, "mmap target");
	r = mremap(dus, qi0.dus_size, qi0.dus_size,
		   MREMAP_MAYMOVE | MREMAP_FIXED, target);
	e = r == MAP_FAILED ? errno : 0;
	VM_CHECK(r == MAP_FAILED && e == EPERM,
		 "mremap move of DUS: %p errno %d (%s), want EPERM", r, e,
		 strerror(e));
	munmap(target, qi0.dus_size);
	VM_CHECK(mincore(dus, qi0.dus_size, vec) == 0,
		 "DUS mapping gone after refused mremap: %s", strerror(errno));
	VM_CHECK(vm_probe_read(dus) == 0, "DUS not readable after refused mremap");

	target = mmap(NULL, qi0.mmio_size, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VM_REQUIRE(target != MAP_FAILED, "mmap target");
	r = mremap(mm, qi0.mmio_size, qi0.mmio_size,
		   MREMAP_MAYMOVE | MREMAP_FIXED, target);
	e = r == MAP_FAILED ? errno : 0;
	VM_CHECK(r == MAP_FAILED && e == EPERM,
		 "mremap move of MMIO: %p errno %d (%s), want EPERM", r, e,
		 strerror(e));
	munmap(target, qi0.mmio_size);

	/* grow */
	r = mremap(dus, qi0.dus_size, qi0.dus_size + AK_PAGE, MREMAP_MAYMOVE);
	e = r == MAP_FAILED ? errno : 0;
	VM_CHECK(r == MAP_FAILED && e == EFAULT,
		 "mremap grow of DUS: errno %d (%s), want EFAULT", e, strerror(e));
	r = mremap(mm, qi0.mmio_size, 2 * AK_PAGE, 0);
	e = r == MAP_FAILED ? errno : 0;
	VM_CHECK(r == MAP_FAILED && e == EFAULT,
		 "mremap grow of MMIO in place: errno %d (%s), want EFAULT", e,
		 strerror(e));
	/* shrink */
	r = mremap(dus, qi0.dus_size, AK_PAGE, 0);
	e = r == MAP_FAILED ? errno : 0;
	VM_CHECK(r == MAP_FAILED && e == EINVAL,
		 "mremap shrink of DUS: errno %d (%s), want EINVAL", e,
		 strerror(e));
	/* partial munmap */
	e = munmap(dus + AK_PAGE, AK_PAGE) ? errno : 0;
	VM_CHECK(e == EINVAL, "munmap of one DUS page: errno %d (%s), want EINVAL",
		 e, strerror(e));
	e = munmap(dus, AK_PAGE) ? errno : 0;
	VM_CHECK(e == EINVAL, "munmap of the first DUS page: errno %d (%s), want EINVAL",
		 e, strerror(e));
	VM_CHECK(mincore(dus, qi0.dus_size, vec) == 0,
		 "DUS mapping damaged: %s", strerror(errno));
	/* still exactly one VMA per region: mapping again is refused */
	e = try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, NULL);
	VM_CHECK(e == EEXIST, "DUS map after refused mremaps: errno %d (%s), want EEXIST",
		 e, strerror(e));
	/* whole munmap works */
	VM_CHECK(munmap(dus, qi0.dus_size) == 0, "munmap DUS: %s",
		 strerror(errno));
	dus = NULL;
	e = try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, (void **)&dus);
	VM_CHECK(e == 0, "DUS map after munmap: errno %d (%s)", e, strerror(e));
out:
	if (dus)
		munmap(dus, qi0.dus_size);
	if (mm)
		munmap(mm, qi0.mmio_size);
	close(fd);
}

static const unsigned long bad_ioctls[] = {
	_IO('W', 2), _IO('W', 0x7f), _IOR('A', 0x02, int),
	_IOWR('A', 0x01, struct accelkit_queue_info), 0, 0xdeadbeef,
};

static void check_bad_ioctls(int fd, const char *when)
{
	size_t i;
	char arg[256];

	for (i = 0; i < sizeof(bad_ioctls) / sizeof(bad_ioctls[0]); i++) {
		int r = ioctl(fd, bad_ioctls[i], arg), e = errno;

		VM_CHECK(r == -1 && e == ENOTTY,
			 "%s: ioctl 0x%lx = %d errno %d (%s), want ENOTTY", when,
			 bad_ioctls[i], r, e, strerror(e));
	}
}

static void t_unknown_ioctl(void)
{
	int fd = raw_open();

	if (fd < 0)
		return;
	check_bad_ioctls(fd, "before START_Q");
	errno = 0;
	VM_CHECK(lseek(fd, 0, SEEK_SET) == -1 && errno == ESPIPE,
		 "lseek: errno %d (%s), want ESPIPE", errno, strerror(errno));
	VM_CHECK(ioctl(fd, UACCE_CMD_START_Q) == 0, "START_Q: %s",
		 strerror(errno));
	check_bad_ioctls(fd, "started");
	close(fd);
}

static void t_start_twice(void)
{
	struct accelkit_queue_info qi;
	void *mm = NULL, *dus = NULL;
	int fd = raw_open(), r, e;

	if (fd < 0)
		return;
	try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, &mm);
	try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, &dus);
	VM_CHECK(mm && dus, "maps");
	r = ioctl(fd, UACCE_CMD_START_Q);
	VM_CHECK(r == 0, "first START_Q: %s", strerror(errno));
	r = ioctl(fd, UACCE_CMD_START_Q);
	e = errno;
	VM_CHECK(r == -1 && e == EINVAL,
		 "second START_Q = %d errno %d (%s), want EINVAL", r, e,
		 strerror(e));
	/* QUEUE_INFO still fine on a started queue */
	memset(&qi, 0, sizeof(qi));
	VM_CHECK(ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) == 0 &&
		 qi.depth == qi0.depth, "QUEUE_INFO on started queue");
	/* QUEUE_INFO with a bad pointer */
	r = ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, (void *)8);
	e = errno;
	VM_CHECK(r == -1 && e == EFAULT, "QUEUE_INFO(8) errno %d, want EFAULT",
		 e);
	if (mm)
		munmap(mm, qi0.mmio_size);
	if (dus)
		munmap(dus, qi0.dus_size);
	close(fd);
}

static void t_after_put(void)
{
	struct accelkit_queue_info qi;
	void *mm = NULL, *dus = NULL;
	struct pollfd pfd;
	long before = vm_avail(), a;
	int fd = raw_open(), r, e, sig;

	if (fd < 0)
		return;
	try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, &mm);
	try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, &dus);
	VM_CHECK(mm && dus, "maps");
	VM_CHECK(ioctl(fd, UACCE_CMD_START_Q) == 0, "START_Q: %s",
		 strerror(errno));
	a = vm_avail();
	VM_CHECK(a == before - 1, "available_instances %ld, want %ld", a,
		 before - 1);
	VM_CHECK(ioctl(fd, UACCE_CMD_PUT_Q) == 0, "PUT_Q: %s", strerror(errno));
	a = vm_avail();
	VM_CHECK(a == before,
		 "available_instances %ld after PUT_Q (fd open), want %ld", a,
		 before);

	r = ioctl(fd, UACCE_CMD_START_Q);
	e = errno;
	VM_CHECK(r == -1 && e == EINVAL,
		 "START_Q after PUT_Q: %d errno %d (%s), want EINVAL", r, e,
		 strerror(e));
	r = ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi);
	e = errno;
	VM_CHECK(r == -1 && e == EINVAL,
		 "QUEUE_INFO after PUT_Q: %d errno %d (%s), want EINVAL", r, e,
		 strerror(e));
	r = ioctl(fd, UACCE_CMD_PUT_Q);
	VM_CHECK(r == 0, "second PUT_Q: %d errno %d (%s), want 0", r, errno,
		 strerror(errno));
	check_bad_ioctls(fd, "after PUT_Q");
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, NULL);
	VM_CHECK(e == EINVAL,
		 "mmap MMIO after PUT_Q: errno %d (%s), want EINVAL", e,
		 strerror(e));
	if (mm)
		munmap(mm, qi0.mmio_size);
	mm = NULL;
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, NULL);
	VM_CHECK(e == EINVAL,
		 "mmap MMIO after PUT_Q and munmap: errno %d (%s), want EINVAL",
		 e, strerror(e));

	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	r = poll(&pfd, 1, 0);
	VM_CHECK(r == 1 && (pfd.revents & POLLERR) && !(pfd.revents & POLLIN),
		 "poll after PUT_Q: %d revents 0x%x, want POLLERR", r,
		 pfd.revents);

	/* the old mappings were zapped: touching them raises SIGBUS */
	if (dus) {
		sig = vm_probe_read(dus);
		VM_CHECK(sig == SIGBUS,
			 "read of zapped DUS mapping: signal %d, want SIGBUS", sig);
		munmap(dus, qi0.dus_size);
	}
	VM_CHECK(close(fd) == 0, "close: %s", strerror(errno));
	vm_check_instances_back();
}

static void t_instances(void)
{
	int fds[300], n = 0, i, fd, e = 0;
	long a0 = vm_avail(), a;

	VM_REQUIRE(a0 == g_max_instances && a0 > 0 && a0 < 256,
		   "available_instances %ld (max %ld)", a0, g_max_instances);
	for (;;) {
		fd = open(g_node, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			e = errno;
			break;
		}
		fds[n++] = fd;
		a = vm_avail();
		VM_CHECK(a == a0 - n, "after %d opens: available_instances %ld, want %ld",
			 n, a, a0 - n);
		if (n == 290)
			break;
	}
	VM_CHECK(n == a0, "opened %d queues, available_instances was %ld", n, a0);
	VM_CHECK(e == EBUSY, "open beyond available_instances: errno %d (%s), want EBUSY",
		 e, strerror(e));
	VM_CHECK(vm_avail() == 0, "available_instances %ld with all open",
		 vm_avail());
	/* a failed open leaves the count alone; one close frees one */
	if (n > 0) {
		close(fds[--n]);
		VM_CHECK(vm_avail() == 1, "after one close: %ld", vm_avail());
		fd = open(g_node, O_RDWR | O_CLOEXEC);
		VM_CHECK(fd >= 0, "re-open after close: %s", strerror(errno));
		if (fd >= 0)
			fds[n++] = fd;
		VM_CHECK(vm_avail() == 0, "after re-open: %ld", vm_avail());
	}
	for (i = n - 1; i >= 0; i--) {
		close(fds[i]);
		a = vm_avail();
		VM_CHECK(a == a0 - i, "after closing down to %d: %ld, want %ld", i,
			 a, a0 - i);
	}
	vm_check_instances_back();
}

/* A numeric sysfs attribute of the device; -1 when unreadable. */
static long sys_long(const char *name)
{
	char path[512], buf[64];

	vm_fmt(path, sizeof(path), "%s/%s", g_sysdir, name);
	if (vm_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 0);
}

/* PASID of an open queue fd, or -errno. */
static long fd_pasid(int fd)
{
	struct accelkit_queue_info qi;

	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi))
		return -errno;
	return qi.pasid;
}

/*
 * pasids_in_use counts address spaces holding a hardware queue: two
 * queues of one process share a PASID, another process gets its own, and
 * PUT_Q gives the PASID back although the files stay open.
 */
static void t_pasid_accounting(void)
{
	long max = sys_long("pasids_max"), base = sys_long("pasids_in_use");
	long p1, p2, n;
	int fd1, fd2, sv[2], st, to;
	char ws[64], c = 0;
	pid_t pid;

	VM_CHECK(max == 4095, "pasids_max %ld, want 4095 (PASID table of 4096 entries, 0 reserved)",
		 max);
	VM_REQUIRE(base == 0, "pasids_in_use %ld with no queue open, want 0",
		   base);
	fd1 = raw_open();
	fd2 = raw_open();
	VM_REQUIRE(fd1 >= 0 && fd2 >= 0, "open");
	p1 = fd_pasid(fd1);
	p2 = fd_pasid(fd2);
	VM_CHECK(p1 > 0 && p1 == p2, "PASIDs of two queues of one process: %ld and %ld, want the same > 0",
		 p1, p2);
	n = sys_long("pasids_in_use");
	VM_CHECK(n == 1, "pasids_in_use %ld with two queues of one process, want 1",
		 n);

	/* another process: its own PASID while it holds its queue */
	VM_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
		   "socketpair");
	fflush(NULL);
	pid = fork();
	VM_REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		int fd = open(g_node, O_RDWR | O_CLOEXEC);
		char r = fd >= 0 && fd_pasid(fd) > 0 && fd_pasid(fd) != p1;

		close(sv[0]);
		if (write(sv[1], &r, 1) != 1 || read(sv[1], &r, 1) != 1)
			_exit(2);
		_exit(0);	/* exit closes the queue */
	}
	close(sv[1]);
	VM_CHECK(read(sv[0], &c, 1) == 1 && c == 1,
		 "child: no queue, or its PASID equals the parent's");
	n = sys_long("pasids_in_use");
	VM_CHECK(n == 2, "pasids_in_use %ld with a child's queue open, want 2",
		 n);
	VM_CHECK(write(sv[0], "x", 1) == 1, "go");
	st = vm_wait_child(pid, 20000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	close(sv[0]);
	n = sys_long("pasids_in_use");
	VM_CHECK(n == 1, "pasids_in_use %ld after the child's exit, want 1", n);

	/* PUT_Q of one queue: the other still uses the PASID */
	VM_CHECK(ioctl(fd1, UACCE_CMD_PUT_Q) == 0, "PUT_Q: %s",
		 strerror(errno));
	n = sys_long("pasids_in_use");
	VM_CHECK(n == 1, "pasids_in_use %ld after PUT_Q of one of two queues, want 1",
		 n);
	/* PUT_Q of the last one: PASID back, files still open */
	VM_CHECK(ioctl(fd2, UACCE_CMD_PUT_Q) == 0, "PUT_Q: %s",
		 strerror(errno));
	n = sys_long("pasids_in_use");
	VM_CHECK(n == 0, "pasids_in_use %ld after PUT_Q of both queues (files open), want 0",
		 n);
	close(fd1);
	close(fd2);
	VM_CHECK(sys_long("pasids_in_use") == 0, "pasids_in_use after close");
	vm_check_instances_back();
}

/*
 * max_queues_per_user: default half the hardware queues (rounded up),
 * writable by root only, 0 accepted (no limit), garbage refused.
 */
static void t_max_queues_sysfs(void)
{
	char path[512], buf[32];
	long def = sys_long("max_queues_per_user"), v;
	struct stat sb;
	int r;

	VM_CHECK(def == (g_max_instances + 1) / 2,
		 "max_queues_per_user %ld, want %ld (half of %ld hardware queues, rounded up)",
		 def, (g_max_instances + 1) / 2, g_max_instances);
	vm_fmt(path, sizeof(path), "%s/max_queues_per_user", g_sysdir);
	VM_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644,
		 "%s: mode 0%o, want 0644", path, (unsigned)(sb.st_mode & 0777));
	r = vm_write_file(path, "3");
	v = sys_long("max_queues_per_user");
	VM_CHECK(r == 0 && v == 3, "write 3: %d, reads %ld", r, v);
	r = vm_write_file(path, "0");
	v = sys_long("max_queues_per_user");
	VM_CHECK(r == 0 && v == 0, "write 0: %d, reads %ld", r, v);
	r = vm_write_file(path, "many");
	VM_CHECK(r == -EINVAL, "write \"many\": %d, want -EINVAL", r);
	snprintf(buf, sizeof(buf), "%ld", def);
	VM_CHECK(vm_write_file(path, buf) == 0 &&
		 sys_long("max_queues_per_user") == def, "restore %ld", def);
}

/*
 * A queue not started yet has no completions: poll() must not report the
 * last user's (whose CQ_TAIL/CQ_HEAD stay in the hardware queue's
 * registers until the next enable). Found by ak-fuzz (seed 1).
 */
static void t_poll_fresh(void)
{
	struct accelkit_queue_info qi;
	struct pollfd p;
	uint8_t *db = NULL, *dus = NULL;
	struct aks_desc *d;
	int fd = raw_open(), fds[256], n = 0, i, found = 0, e;
	long avail;

	if (fd < 0)
		return;
	VM_REQUIRE(ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) == 0, "QUEUE_INFO");
	e = try_mmap(fd, qi0.mmio_size, MAP_SHARED, OFF_MMIO, (void **)&db);
	VM_REQUIRE(!e, "MMIO map: %s", strerror(e));
	e = try_mmap(fd, qi0.dus_size, MAP_SHARED, OFF_DUS, (void **)&dus);
	VM_REQUIRE(!e, "DUS map: %s", strerror(e));
	VM_REQUIRE(ioctl(fd, UACCE_CMD_START_Q) == 0, "START_Q: %s",
		   strerror(errno));
	/* one NOP that completes and is never consumed (CQ_HEAD stays 0) */
	d = (struct aks_desc *)(void *)(dus + qi.sq_offset);
	memset(d, 0, sizeof(*d));
	d->opcode = AKS_OP_NOP;
	d->flags = AKS_DF_IRQ;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(void *)(db + AKS_DB_SQ_TAIL) = 1;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	e = poll(&p, 1, AK_JOB_TIMEOUT_MS);
	VM_CHECK(e == 1 && p.revents == POLLIN,
		 "started queue with a completion: poll %d revents 0x%x", e,
		 p.revents);
	munmap(db, qi0.mmio_size);
	munmap(dus, qi0.dus_size);
	close(fd);

	/* every fresh queue, the one that gets that hardware queue included */
	avail = vm_avail();
	for (n = 0; n < avail && n < 256; n++) {
		struct accelkit_queue_info q2 = { 0 };

		fds[n] = raw_open();
		if (fds[n] < 0)
			break;
		if (ioctl(fds[n], ACCELKIT_CMD_QUEUE_INFO, &q2) == 0 &&
		    q2.queue_id == qi.queue_id)
			found = 1;
		p = (struct pollfd){ .fd = fds[n], .events = POLLIN };
		e = poll(&p, 1, 0);
		VM_CHECK(e == 0 && !p.revents,
			 "fresh queue %u (INIT, nothing submitted): poll %d revents 0x%x, want 0 (the last user's completions?)",
			 q2.queue_id, e, p.revents);
	}
	VM_CHECK(found, "no new queue got hardware queue %u back", qi.queue_id);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static const struct ak_test err_tests[] = {
	{ "QUEUE_INFO geometry matches device.md and sysfs", t_queue_info },
	{ "mmap with wrong size: EINVAL", t_mmap_size },
	{ "mmap of unknown region offset: EINVAL", t_mmap_offset },
	{ "mmap MAP_PRIVATE: EINVAL", t_mmap_private },
	{ "mmap of a region twice: EEXIST", t_mmap_twice },
	{ "mremap move/grow/shrink and partial munmap refused", t_mremap_munmap },
	{ "unknown ioctl: ENOTTY", t_unknown_ioctl },
	{ "START_Q twice: EINVAL", t_start_twice },
	{ "poll of a fresh queue: no completions of the last user", t_poll_fresh },
	{ "after PUT_Q: EINVAL, POLLERR, SIGBUS, instance returned", t_after_put },
	{ "open beyond available_instances: EBUSY; counting", t_instances },
	{ "pasids_in_use/pasids_max: one PASID per process, PUT_Q returns it", t_pasid_accounting },
	{ "max_queues_per_user: default half the queues, root rw, 0 = no limit", t_max_queues_sysfs },
	{ NULL, NULL },
};

int add_error_suites(void)
{
	return ak_add_suite("uapi-errors", err_init, NULL, err_tests);
}
