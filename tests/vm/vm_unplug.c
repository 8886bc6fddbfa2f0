// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite "unplug" (the two-node VM: vm-run.sh --topology numa2 --qmp,
 * registered after "numa"): the device goes away under processes that hold
 * its queues in every state, and comes back.
 *
 * - Hot-unplug: node 1's device (QEMU id ak1, alone on root port rp1,
 *   native PCIe hot-plug) is removed with QMP device_del while four
 *   processes hold queues: long jobs in flight, a job whose page request
 *   waits on a userfaultfd, a process blocked in poll(), and one with the
 *   doorbell and rings mapped whose fd (shared) the test process received
 *   by SCM_RIGHTS. Each then sees what docs/architecture.md ("Removal",
 *   uAPI tables) says: ENODEV from ioctl/mmap, EPOLLERR|EPOLLHUP, SIGBUS on
 *   the mappings; the other device is untouched; device_add brings a new
 *   device that works with all its queues free.
 *   The handshake: the guest prints "AK-QMP: device_del ak1" on the
 *   console, scripts/vm-qmp.py on the host sends it through QMP, the guest
 *   waits (bounded) for the PCI device to go; the same for device_add.
 * - rmmod with queues open: accelkit refuses while accelkit_sample is
 *   loaded and while any queue file is open (EWOULDBLOCK, "in use");
 *   accelkit_sample unloads at once (removal of both devices, the holders
 *   see the same as above); once the files are closed accelkit unloads;
 *   both load again and new queues work.
 * The power-off with queues open is vm/init's (ak.poweroff_hold=1).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>

#include "vm_common.h"
#include "vm_unplug.h"

#define NR_HOLD 4
#define GONE_MS 60000		/* pciehp waits 5 s after the button */

static long avail(const struct up_dev *d)
{
	return vm_read_long(d->sysdir, "available_instances");
}

/* Wait until @path is gone; 0, or -1 after @timeout_ms. */
static int wait_gone(const char *path, int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;

	while (access(path, F_OK) == 0) {
		if (vm_now_ms() > deadline)
			return -1;
		usleep(50000);
	}
	return 0;
}

static void qmp(const char *req)
{
	/* on a line of its own: vm-qmp.py matches whole lines */
	printf("\nAK-QMP: %s\n", req);
	fflush(stdout);
}

/* Hold a queue in each mode; the first two on @a, the others on @b. */
static int hold_all(struct up_holder *h, const struct up_dev *a,
		    const struct up_dev *b)
{
	static const enum up_mode modes[NR_HOLD] = {
		UP_BUSY, UP_POLL, UP_STALL, UP_MAPPED,
	};
	int i, ok = 1;

	for (i = 0; i < NR_HOLD; i++)
		h[i].pid = -1;
	for (i = 0; i < NR_HOLD; i++)
		if (up_hold(&h[i], modes[i], i < 2 ? a : b))
			ok = 0;
	up_ops += NR_HOLD + 1;	/* + the passed fd */
	for (i = 0; i < NR_HOLD && ok; i++)
		VM_CHECK(!up_early(&h[i]), "holder (%s) answered before the removal",
			 up_mode_name(h[i].mode));
	return ok ? 0 : -1;
}

/* After the removal: every holder's checks, then their ends. */
static void check_all(struct up_holder *h, const char *how)
{
	struct pollfd pfd;
	struct accelkit_queue_info qi;
	char ws[64];
	int i, r, st;

	for (i = 0; i < NR_HOLD; i++) {
		up_go(&h[i]);
		r = up_result(&h[i], 30000);
		VM_CHECK(r == 0, "after %s, holder (%s): %d, want 0 (failed checks: " UP_BITS ")",
			 how, up_mode_name(h[i].mode), r);
	}
	/* the test process's copy of the shared, passed queue */
	for (i = 0; i < NR_HOLD; i++) {
		if (h[i].mode != UP_MAPPED || h[i].fd < 0)
			continue;
		errno = 0;
		VM_CHECK(ioctl(h[i].fd, ACCELKIT_CMD_QUEUE_INFO, &qi) == -1 &&
			 errno == ENODEV,
			 "after %s, QUEUE_INFO on the passed fd: %s, want ENODEV",
			 how, strerror(errno));
		pfd.fd = h[i].fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, 0);
		VM_CHECK(r == 1 && (pfd.revents & (POLLERR | POLLHUP)) ==
			 (POLLERR | POLLHUP),
			 "after %s, poll on the passed fd: %d, revents 0x%x, want POLLERR|POLLHUP",
			 how, r, pfd.revents);
	}
	for (i = 0; i < NR_HOLD; i++) {
		enum up_mode m = h[i].mode;

		st = up_reap(&h[i]);
		if (m == UP_MAPPED)
			VM_CHECK(st != -1 && WIFSIGNALED(st) &&
				 WTERMSIG(st) == SIGBUS,
				 "after %s, the holder writing its doorbell: %s, want SIGBUS",
				 how, vm_wstatus_str(st, ws, sizeof(ws)));
		else
			VM_CHECK(st != -1 && WIFEXITED(st) && !WEXITSTATUS(st),
				 "after %s, holder (%s): %s, want exit 0", how,
				 up_mode_name(m), vm_wstatus_str(st, ws, sizeof(ws)));
	}
}

static void kill_all(struct up_holder *h)
{
	int i;

	for (i = 0; i < NR_HOLD; i++) {
		if (h[i].pid > 0)
			kill(h[i].pid, SIGKILL);
		up_reap(&h[i]);
	}
}

static void t_hotunplug(void)
{
	struct up_dev v = { .max = 0 }, s = { .max = 0 }, n = { .max = 0 };
	struct up_holder h[NR_HOLD];
	char first[256];
	int r;

	VM_REQUIRE(vm_klog_contains("") >= 0, "kernel log");
	VM_REQUIRE(getenv("AK_QMP") && !strcmp(getenv("AK_QMP"), "1"),
		   "no QMP runner: boot with vm-run.sh --qmp (make test-unplug)");
	VM_REQUIRE(up_wait_dev(&v, 1, 1000) == 0 && up_wait_dev(&s, 0, 1000) == 0,
		   "two devices, numa_node 0 and 1 (vm-run.sh --topology numa2)");
	printf("[%s on %s] ", v.name, v.pci);
	if (hold_all(h, &v, &v)) {
		kill_all(h);
		return;
	}

	qmp("device_del ak1");
	r = wait_gone(v.pci, GONE_MS);
	VM_CHECK(r == 0, "%s still there %d s after device_del", v.pci,
		 GONE_MS / 1000);
	if (r) {
		kill_all(h);
		return;
	}
	up_events++;
	VM_CHECK(access(v.node, F_OK) == -1 && access(v.sysdir, F_OK) == -1,
		 "%s or %s still there after the unplug", v.node, v.sysdir);
	check_all(h, "device_del");

	/* the other device did not notice */
	VM_CHECK(avail(&s) == s.max, "%s available_instances %ld, want %ld",
		 s.name, avail(&s), s.max);
	up_copy_ok(&s, "the other device after the unplug", 1 << 20, 31);

	qmp("device_add accelkit,queues=6,bus=rp1,id=ak1");
	r = up_wait_dev(&n, 1, GONE_MS);
	VM_CHECK(r == 0, "no accelkit device on node 1 %d s after device_add",
		 GONE_MS / 1000);
	if (r == 0) {
		printf("[back as %s] ", n.name);
		VM_CHECK(n.max == v.max, "new device: available_instances %ld, want %ld",
			 n.max, v.max);
		up_copy_ok(&n, "the new device", 100000, 32);
		VM_CHECK(avail(&n) == v.max && avail(&s) == s.max,
			 "available_instances %ld/%ld at the end, want %ld/%ld",
			 avail(&n), avail(&s), v.max, s.max);
	}
	VM_CHECK(vm_klog_splats(first, sizeof(first)) == 0, "kernel log: %s",
		 first);
}

/*
 * delete_module(@name, O_NONBLOCK) in a child, so that an unload that
 * blocks (it must never) is reported instead of hanging the suite:
 * 0, -errno, or -ETIMEDOUT after DELMOD_MAX_S (the child is left behind).
 * The bound is generous: on the debug kernel (KASAN under TCG) removing
 * and probing one device takes 10-20 s.
 */
#define DELMOD_MAX_S 120

static int delmod(const char *name)
{
	uint64_t deadline = vm_now_ms() + DELMOD_MAX_S * 1000;
	pid_t pid, w;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(syscall(__NR_delete_module, name, O_NONBLOCK) ? errno : 0);
	if (pid < 0)
		return -errno;
	do {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? -WEXITSTATUS(st) : -EINTR;
		usleep(20000);
	} while (vm_now_ms() < deadline);
	VM_FAIL("rmmod %s blocked for %d s", name, DELMOD_MAX_S);
	return -ETIMEDOUT;
}

static int loadmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return r;
}

static void t_rmmod(void)
{
	struct up_dev d[2] = { { .max = 0 }, { .max = 0 } }, e;
	struct up_holder h[NR_HOLD];
	uint64_t deadline;
	char first[256];
	long node[2] = { 0, 1 };
	int r, i, ndev = up_count();

	/*
	 * The two-node VM: one device per node. The one-device VMs
	 * (suite "rmmod"): that device, whatever its numa_node says.
	 */
	VM_REQUIRE(ndev == 1 || ndev == 2, "%d accelkit devices, want 1 or 2",
		   ndev);
	if (ndev == 1) {
		VM_REQUIRE(up_first(&d[0]) == 0, "no accelkit device");
		node[0] = d[0].numa;
	}
	for (i = 0; i < ndev; i++)
		VM_REQUIRE(up_wait_dev(&d[i], node[i], 1000) == 0,
			   "a device on numa_node %ld", node[i]);
	if (hold_all(h, &d[0], &d[ndev - 1])) {
		kill_all(h);
		return;
	}

	r = delmod("accelkit");
	VM_CHECK(r == -EWOULDBLOCK,
		 "rmmod accelkit with accelkit_sample loaded and queues open: %s, want EWOULDBLOCK",
		 strerror(-r));
	if (r == -ETIMEDOUT) {
		kill_all(h);
		return;
	}
	r = delmod("accelkit_sample");
	VM_CHECK(r == 0, "rmmod accelkit_sample with queues open: %s",
		 strerror(-r));
	if (r) {
		kill_all(h);
		return;
	}
	up_events++;
	VM_CHECK(up_count() == 0 && access(d[0].node, F_OK) == -1 &&
		 access("/sys/module/accelkit_sample", F_OK) == -1,
		 "after rmmod accelkit_sample: %d devices, %s %s",
		 up_count(), d[0].node,
		 access(d[0].node, F_OK) ? "gone" : "still there");
	/* only the framework is left: the queue files keep it */
	r = delmod("accelkit");
	VM_CHECK(r == -EWOULDBLOCK,
		 "rmmod accelkit with queue files open: %s, want EWOULDBLOCK",
		 strerror(-r));
	up_events += r == -EWOULDBLOCK;
	if (r == -ETIMEDOUT) {
		kill_all(h);	/* (a blocked unload: the holders' files) */
		return;
	}
	VM_CHECK(vm_read_long("/sys/module/accelkit", "refcnt") >= NR_HOLD,
		 "accelkit refcnt %ld with %d queue files open",
		 vm_read_long("/sys/module/accelkit", "refcnt"), NR_HOLD);
	check_all(h, "rmmod accelkit_sample");

	/* closed (releases of the holders' files may be deferred a bit) */
	r = delmod("accelkit");
	deadline = vm_now_ms() + 5000;
	while (r == -EWOULDBLOCK && vm_now_ms() < deadline) {
		usleep(50000);
		r = delmod("accelkit");
	}
	VM_CHECK(r == 0, "rmmod accelkit once every queue file is closed: %s",
		 strerror(-r));
	if (r == -ETIMEDOUT)
		return;
	r = loadmod("/lib/accelkit/accelkit.ko");
	VM_CHECK(r == 0 || r == -EEXIST, "insmod accelkit: %s", strerror(-r));
	r = loadmod("/lib/accelkit/accelkit_sample.ko");
	VM_CHECK(r == 0, "insmod accelkit_sample: %s", strerror(-r));
	for (i = 0; i < ndev; i++) {
		e.max = 0;
		r = up_wait_dev(&e, node[i], 60000);
		VM_CHECK(r == 0, "no device on node %ld after insmod", node[i]);
		if (r)
			continue;
		VM_CHECK(e.max == d[i].max, "%s: available_instances %ld after insmod, want %ld",
			 e.name, e.max, d[i].max);
		up_copy_ok(&e, "after insmod", 100000, 40 + i);
		VM_CHECK(avail(&e) == d[i].max, "%s: available_instances %ld at the end, want %ld",
			 e.name, avail(&e), d[i].max);
	}
	VM_CHECK(vm_klog_splats(first, sizeof(first)) == 0, "kernel log: %s",
		 first);
}

static int unplug_clean(void)
{
	up_save_figures();
	printf("\nunplug: %u queues held across %u removals and refusals\n",
	       up_ops, up_events);
	return 0;
}

/* The QMP test must stay first: ak.no_hotplug=1 registers from entry 1. */
static const struct ak_test unplug_tests[] = {
	{ "QMP device_del with queues busy, stalled, polled, mapped, passed; device_add works",
	  t_hotunplug },
	{ "rmmod with queues open: accelkit refuses (in use), accelkit_sample removes; insmod works",
	  t_rmmod },
	{ NULL, NULL },
};

/*
 * ak.no_hotplug=1 (make test-vm-debug-numa): the QMP device_del test is
 * not registered, so it is neither run nor counted. On Debian's 6.1.192
 * debug kernel pciehp's own hot-removal path makes lockdep report a
 * circular dependency between pci_rescan_remove_lock and its reset_lock
 * (no accelkit lock involved), which disables lockdep for the rest of
 * the run; docs/testing.md.
 */
int add_unplug_suites(void)
{
	const char *no = getenv("AK_NO_HOTPLUG");

	if (no && !strcmp(no, "1")) {
		printf("unplug: QMP device_del not run on this kernel (ak.no_hotplug=1)\n");
		return ak_add_suite("unplug", NULL, unplug_clean, unplug_tests + 1);
	}
	return ak_add_suite("unplug", NULL, unplug_clean, unplug_tests);
}

/*
 * Suite "rmmod": the rmmod test on the one-device VMs (an abuse suite:
 * make test runs it on the stock LA57 and the 6.1 debug VM, the latter
 * also powering off with queues open, ak.poweroff_hold=1). It comes
 * after every other suite but the final one: it unloads both modules.
 */
int add_rmmod_suite(void)
{
	return ak_add_suite("rmmod", NULL, unplug_clean, unplug_tests + 1);
}
