// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Queue ownership (issue 12), without crypto: the fake accelerator of
 * accelkit_selftest.ko has six hardware queues, two reserved for kernel
 * owners, and /dev/akst_kq claims and releases kernel queues on it like a
 * kernel consumer would (uapi/accelkit/selftest.h). Checked through
 * errnos, the sysfs attributes kernel_queues, kernel_queues_in_use and
 * available_instances, the module's view of its hardware queues
 * (AKST_KQ_INFO) and its kernel log lines:
 *  - attribute modes and defaults (absent without a kernel side); user
 *    opens stop at nr - kernel_queues
 *    and never get a kernel queue, the kernel never more than its share;
 *  - the reservation cannot shrink below what the kernel holds nor grow
 *    over queues users hold (EBUSY), junk is EINVAL, non-root EACCES;
 *  - claims and releases (also by close) balance every counter;
 *  - rmmod with kernel queues claimed revokes them (after stop_queue,
 *    before put_queue) and leaves no hardware queue held;
 *  - an isolated device refuses kernel claims like opens (EIO).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <accelkit/selftest.h>

#include "vm_common.h"

#define KQ_KO		"/lib/accelkit/accelkit_selftest.ko"
#define KQ_MOD		"accelkit_selftest"
#define KQ_PREFIX	"akselftest-"
#define KQ_DEV		"/dev/akst_kq"
#define KQ_TAG		KQ_MOD ": "
#define KQ_RESERVED	2	/* the fake device's default reservation */
#define KQ_MAXQ		32

static char kq_node[96];	/* "/dev/akselftest-3" */
static char kq_sys[160];	/* "/sys/class/uacce/akselftest-3" */
static long kq_nr;		/* hardware queues of the fake device */
static int kq_fail0;		/* FAIL lines of the module before we began */

static int kq_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" KQ_MOD, &st) == 0;
}

static int kq_rmmod(void)
{
	return syscall(SYS_delete_module, KQ_MOD, O_NONBLOCK) ? -errno : 0;
}

static int kq_insmod(void)
{
	int fd = open(KQ_KO, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return r;
}

/* The one akselftest-N device: 0 or -ENODEV. */
static int kq_discover(void)
{
	DIR *d = opendir("/sys/class/uacce");
	struct dirent *e;
	int found = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, KQ_PREFIX, strlen(KQ_PREFIX)))
			continue;
		found++;
		vm_fmt(kq_node, sizeof(kq_node), "/dev/%s", e->d_name);
		vm_fmt(kq_sys, sizeof(kq_sys), "/sys/class/uacce/%s",
		       e->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : -ENODEV;
}

/* The sysfs directory of the fake device without a kernel side. */
static int kq_nokq_dir(char *out, size_t len)
{
	DIR *d = opendir("/sys/class/uacce");
	struct dirent *e;
	int found = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "akstnokq-", 9))
			continue;
		found++;
		vm_fmt(out, len, "/sys/class/uacce/%s", e->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : -ENODEV;
}

static long kq_attr(const char *attr)
{
	return vm_read_long(kq_sys, attr);
}

static int kq_set(const char *attr, const char *val)
{
	char path[256];

	vm_fmt(path, sizeof(path), "%s/%s", kq_sys, attr);
	return vm_write_file(path, val);
}

static int kq_set_reserved(long n)
{
	char buf[32];

	vm_fmt(buf, sizeof(buf), "%ld", n);
	return kq_set("kernel_queues", buf);
}

static int kq_open_ctl(void)
{
	return open(KQ_DEV, O_RDWR | O_CLOEXEC);
}

/* A kernel claim held by @fd: the hardware index, or -errno. */
static int kq_claim(int fd)
{
	int r = ioctl(fd, AKST_KQ_CLAIM);

	return r < 0 ? -errno : r;
}

static int kq_info(int fd, struct akst_kq_info *info)
{
	return ioctl(fd, AKST_KQ_INFO, info) ? -errno : 0;
}

/* Open user queues of the fake device until one fails; its errno in *err. */
static int kq_open_all(int *fds, int max, int *err)
{
	int n = 0;

	*err = 0;
	while (n < max) {
		fds[n] = open(kq_node, O_RDWR | O_CLOEXEC);
		if (fds[n] < 0) {
			*err = errno;
			break;
		}
		n++;
	}
	return n;
}

static void kq_close_all(int *fds, int n)
{
	while (n > 0)
		close(fds[--n]);
}

/* Load the module if the selftest suite did not leave it (it does not). */
static int kq_init(void)
{
	struct akst_kq_info info;
	int fd;

	kq_fail0 = vm_klog_count(KQ_TAG "FAIL ");
	if (kq_fail0 < 0)
		return -1;
	if (!kq_loaded() && kq_insmod())
		return -1;
	if (kq_discover())
		return -1;
	fd = kq_open_ctl();
	if (fd < 0)
		return -1;
	if (kq_info(fd, &info)) {
		close(fd);
		return -1;
	}
	close(fd);
	kq_nr = info.nr_queues;
	return 0;
}

static int kq_clean(void)
{
	if (kq_loaded())
		kq_rmmod();
	return 0;
}

static void kq_check_mode(const char *attr, unsigned int mode)
{
	char path[256];
	struct stat sb;

	vm_fmt(path, sizeof(path), "%s/%s", kq_sys, attr);
	VM_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == mode,
		 "%s: mode 0%o, want 0%o", path,
		 (unsigned int)(sb.st_mode & 0777), mode);
}

/* The state every test starts from and must leave behind. */
static void kq_check_idle(const char *when)
{
	long res = kq_attr("kernel_queues");
	long used = kq_attr("kernel_queues_in_use");
	long avail = kq_attr("available_instances");

	VM_CHECK(res == KQ_RESERVED && used == 0 &&
		 avail == kq_nr - KQ_RESERVED,
		 "%s: kernel_queues %ld, kernel_queues_in_use %ld, available_instances %ld; want %d, 0, %ld",
		 when, res, used, avail, KQ_RESERVED, kq_nr - KQ_RESERVED);
}

static void t_kq_attrs(void)
{
	static const char *const pass[] = {
		"alloc-kernel_queues-above-nr -22\n",
		"alloc-kernel_queues-without-nr -22\n",
		"claim-no-kernel-side -95\n",
		"claim-unregistered -19\n",
		"register-no-kernel-side 0\n",
	};
	char needle[128], nokq[160];
	size_t i;

	VM_REQUIRE(kq_nr > KQ_RESERVED, "fake device has %ld queues", kq_nr);
	kq_check_mode("kernel_queues", 0644);
	kq_check_mode("kernel_queues_in_use", 0444);
	kq_check_mode("available_instances", 0444);
	kq_check_idle("after load");
	/* The refusals the module checks at load, in kernel space. */
	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		vm_fmt(needle, sizeof(needle), KQ_TAG "PASS %s", pass[i]);
		VM_CHECK(vm_klog_count(needle) >= 1, "no \"%.*s\" in the log",
			 (int)strcspn(needle, "\n"), needle);
	}
	/* Interface kernel_queues < 0: the attributes are not there. */
	VM_CHECK(kq_nokq_dir(nokq, sizeof(nokq)) == 0, "no akstnokq-N device");
	if (!kq_nokq_dir(nokq, sizeof(nokq))) {
		VM_CHECK(vm_read_long(nokq, "kernel_queues") == -ENOENT &&
			 vm_read_long(nokq, "kernel_queues_in_use") == -ENOENT,
			 "%s: kernel_queues %ld, kernel_queues_in_use %ld; want no such files",
			 nokq, vm_read_long(nokq, "kernel_queues"),
			 vm_read_long(nokq, "kernel_queues_in_use"));
		VM_CHECK(vm_read_long(nokq, "available_instances") == kq_nr,
			 "%s: available_instances %ld, want %ld", nokq,
			 vm_read_long(nokq, "available_instances"), kq_nr);
	}
	VM_CHECK(vm_klog_count(KQ_TAG "FAIL ") == kq_fail0,
		 "%d new FAIL lines of %s",
		 vm_klog_count(KQ_TAG "FAIL ") - kq_fail0, KQ_MOD);
}

/*
 * Users open exactly nr - kernel_queues; the kernel still gets its whole
 * share with every user queue open, and not one queue more; the two sets
 * of hardware queues are disjoint.
 */
static void t_kq_split(void)
{
	struct accelkit_queue_info qi;
	struct akst_kq_info info;
	int fds[KQ_MAXQ], n, err, kfd, i, id, kids = 0, r;
	unsigned int uids = 0;
	long avail0 = kq_attr("available_instances");

	kfd = kq_open_ctl();
	VM_REQUIRE(kfd >= 0, "open(%s): %s", KQ_DEV, strerror(errno));

	n = kq_open_all(fds, KQ_MAXQ, &err);
	VM_CHECK(n == avail0 && n == kq_nr - KQ_RESERVED && err == EBUSY,
		 "opened %d user queues, then %s; available_instances was %ld, nr %ld - kernel_queues %d",
		 n, strerror(err), avail0, kq_nr, KQ_RESERVED);
	VM_CHECK(kq_attr("available_instances") == 0,
		 "available_instances %ld with every user queue open",
		 kq_attr("available_instances"));
	for (i = 0; i < n; i++) {
		memset(&qi, 0, sizeof(qi));
		r = ioctl(fds[i], ACCELKIT_CMD_QUEUE_INFO, &qi);
		VM_CHECK(r == 0 && qi.queue_id < 32, "QUEUE_INFO: %s, id %u",
			 r ? strerror(errno) : "ok", qi.queue_id);
		if (!r && qi.queue_id < 32)
			uids |= 1u << qi.queue_id;
	}

	for (i = 0; i < KQ_RESERVED; i++) {
		id = kq_claim(kfd);
		VM_CHECK(id >= 0, "kernel claim %d with users holding the rest: %s",
			 i, id < 0 ? strerror(-id) : "ok");
		if (id < 0)
			continue;
		VM_CHECK(id < 32 && !(uids & (1u << id)),
			 "kernel got hardware queue %d, a user queue's (users 0x%x)",
			 id, uids);
		if (id < 32)
			kids |= 1 << id;
	}
	id = kq_claim(kfd);
	VM_CHECK(id == -EBUSY, "claim beyond the reservation: %s, want EBUSY",
		 id < 0 ? strerror(-id) : "got a queue");
	VM_CHECK(kq_attr("kernel_queues_in_use") == KQ_RESERVED,
		 "kernel_queues_in_use %ld, want %d",
		 kq_attr("kernel_queues_in_use"), KQ_RESERVED);

	r = kq_info(kfd, &info);
	VM_CHECK(!r && info.kernel == (unsigned int)kids &&
		 (info.started & kids) == (unsigned int)kids &&
		 info.busy == (uids | kids) && !(info.kernel & uids),
		 "device view: busy 0x%x kernel 0x%x started 0x%x; users 0x%x, claims 0x%x",
		 info.busy, info.kernel, info.started, uids, kids);

	kq_close_all(fds, n);
	/* Free user queues do not let the kernel exceed its share. */
	id = kq_claim(kfd);
	VM_CHECK(id == -EBUSY, "claim beyond the reservation with free queues: %s",
		 id < 0 ? strerror(-id) : "got a queue");
	VM_CHECK(close(kfd) == 0, "close: %s", strerror(errno));
	kq_check_idle("after closing everything");
}

/* The reservation cannot be taken from under its owners (EBUSY). */
static void t_kq_resize_busy(void)
{
	int fds[KQ_MAXQ], n, err, kfd, r, id;

	kfd = kq_open_ctl();
	VM_REQUIRE(kfd >= 0, "open(%s): %s", KQ_DEV, strerror(errno));

	/* Shrinking below what the kernel holds. */
	id = kq_claim(kfd);
	VM_CHECK(id >= 0, "claim: %s", id < 0 ? strerror(-id) : "ok");
	id = kq_claim(kfd);
	VM_CHECK(id >= 0, "claim: %s", id < 0 ? strerror(-id) : "ok");
	r = kq_set_reserved(1);
	VM_CHECK(r == -EBUSY, "kernel_queues 2 -> 1 with 2 claimed: %s, want EBUSY",
		 strerror(-r));
	r = kq_set_reserved(0);
	VM_CHECK(r == -EBUSY, "kernel_queues 2 -> 0 with 2 claimed: %s, want EBUSY",
		 strerror(-r));
	VM_CHECK(kq_attr("kernel_queues") == KQ_RESERVED,
		 "kernel_queues %ld after refused writes", kq_attr("kernel_queues"));
	VM_CHECK(ioctl(kfd, AKST_KQ_RELEASE) == 0, "release: %s",
		 strerror(errno));
	VM_CHECK(kq_attr("kernel_queues_in_use") == 1,
		 "kernel_queues_in_use %ld after one release",
		 kq_attr("kernel_queues_in_use"));
	r = kq_set_reserved(1);
	VM_CHECK(r == 0, "kernel_queues 2 -> 1 with 1 claimed: %s",
		 strerror(-r));
	VM_CHECK(kq_attr("available_instances") == kq_nr - 1,
		 "available_instances %ld, want %ld",
		 kq_attr("available_instances"), kq_nr - 1);
	VM_CHECK(ioctl(kfd, AKST_KQ_RELEASE) == 0, "release: %s",
		 strerror(errno));
	VM_CHECK(ioctl(kfd, AKST_KQ_RELEASE) == -1 && errno == ENOENT,
		 "release with nothing held: %s", strerror(errno));
	VM_CHECK(kq_set_reserved(KQ_RESERVED) == 0, "restore");

	/* Growing over queues that users hold, then after they close. */
	n = kq_open_all(fds, KQ_MAXQ, &err);
	VM_CHECK(n == kq_nr - KQ_RESERVED, "opened %d user queues (%s)", n,
		 strerror(err));
	r = kq_set_reserved(KQ_RESERVED + 1);
	VM_CHECK(r == -EBUSY, "kernel_queues %d -> %d with users holding the rest: %s, want EBUSY",
		 KQ_RESERVED, KQ_RESERVED + 1, strerror(-r));
	VM_CHECK(kq_attr("kernel_queues") == KQ_RESERVED,
		 "kernel_queues %ld after a refused grow", kq_attr("kernel_queues"));
	if (n > 0)
		close(fds[--n]);
	r = kq_set_reserved(KQ_RESERVED + 1);
	VM_CHECK(r == 0, "kernel_queues %d -> %d after a user closed: %s",
		 KQ_RESERVED, KQ_RESERVED + 1, strerror(-r));
	VM_CHECK(kq_attr("available_instances") == 0,
		 "available_instances %ld after the grow",
		 kq_attr("available_instances"));
	/* The queue that user closed now belongs to the kernel's share. */
	fds[n] = open(kq_node, O_RDWR | O_CLOEXEC);
	VM_CHECK(fds[n] < 0 && errno == EBUSY, "open after the grow: %s",
		 fds[n] < 0 ? strerror(errno) : "got a queue");
	if (fds[n] >= 0)
		n++;
	kq_close_all(fds, n);

	/* The whole device for the kernel, then back. */
	r = kq_set_reserved(kq_nr);
	VM_CHECK(r == 0, "kernel_queues %ld: %s", kq_nr, strerror(-r));
	VM_CHECK(kq_attr("available_instances") == 0,
		 "available_instances %ld with everything reserved",
		 kq_attr("available_instances"));
	r = open(kq_node, O_RDWR | O_CLOEXEC);
	VM_CHECK(r < 0 && errno == EBUSY, "open with everything reserved: %s",
		 r < 0 ? strerror(errno) : "got a queue");
	if (r >= 0)
		close(r);
	VM_CHECK(kq_set_reserved(KQ_RESERVED) == 0, "restore");
	VM_CHECK(close(kfd) == 0, "close: %s", strerror(errno));
	kq_check_idle("after the resize checks");
}

static int kq_child_write_unprivileged(void *arg)
{
	char path[256];
	int fd;

	(void)arg;
	if (setgid(65534) || setuid(65534))
		return 10;
	vm_fmt(path, sizeof(path), "%s/kernel_queues", kq_sys);
	fd = open(path, O_WRONLY);
	if (fd >= 0)
		return 11;
	return errno == EACCES ? 0 : 12;
}

static void t_kq_einval(void)
{
	char over[32], ws[64];
	const char *bad[] = { over, "abc", "-1", "", "1x", "99999999999" };
	int r, status, timed_out = 0;
	size_t i;

	vm_fmt(over, sizeof(over), "%ld", kq_nr + 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = kq_set("kernel_queues", bad[i]);
		/* "" is a zero-length write: the kernel never calls store */
		if (!*bad[i])
			VM_CHECK(r == 0 || r == -EINVAL, "write \"\": %s",
				 strerror(-r));
		else
			VM_CHECK(r == -EINVAL, "write \"%s\": %s, want EINVAL",
				 bad[i], r ? strerror(-r) : "accepted");
		VM_CHECK(kq_attr("kernel_queues") == KQ_RESERVED,
			 "kernel_queues %ld after writing \"%s\"",
			 kq_attr("kernel_queues"), bad[i]);
	}
	r = kq_set("kernel_queues_in_use", "1");
	VM_CHECK(r == -EACCES || r == -EIO,
		 "write to kernel_queues_in_use: %s", strerror(-r));

	status = vm_run_child(kq_child_write_unprivileged, NULL, 10000,
			      &timed_out);
	VM_CHECK(!timed_out && status != -1 && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0,
		 "unprivileged open of kernel_queues for writing: %s (10: setuid, 11: opened, 12: other errno)",
		 vm_wstatus_str(status, ws, sizeof(ws)));
	kq_check_idle("after the refused writes");
}

/* No reservation, no kernel queue: the claim is refused at once. */
static void t_kq_zero(void)
{
	int kfd, id, r;

	kfd = kq_open_ctl();
	VM_REQUIRE(kfd >= 0, "open(%s): %s", KQ_DEV, strerror(errno));
	r = kq_set_reserved(0);
	VM_CHECK(r == 0, "kernel_queues 0: %s", strerror(-r));
	VM_CHECK(kq_attr("available_instances") == kq_nr,
		 "available_instances %ld with nothing reserved, want %ld",
		 kq_attr("available_instances"), kq_nr);
	id = kq_claim(kfd);
	VM_CHECK(id == -EBUSY, "claim with kernel_queues 0: %s, want EBUSY",
		 id < 0 ? strerror(-id) : "got a queue");
	VM_CHECK(kq_attr("kernel_queues_in_use") == 0,
		 "kernel_queues_in_use %ld", kq_attr("kernel_queues_in_use"));
	VM_CHECK(kq_set_reserved(KQ_RESERVED) == 0, "restore");
	VM_CHECK(close(kfd) == 0, "close: %s", strerror(errno));
	kq_check_idle("after kernel_queues 0");
}

/*
 * Claims and releases in every order, plus close with claims held, leave
 * every counter and the device's hardware queues as they were.
 */
static void t_kq_balance(void)
{
	struct akst_kq_info info;
	int a, b, round, id, fd;

	for (round = 0; round < 20; round++) {
		a = kq_open_ctl();
		b = kq_open_ctl();
		VM_REQUIRE(a >= 0 && b >= 0, "open(%s): %s", KQ_DEV,
			   strerror(errno));
		id = kq_claim(a);
		VM_CHECK(id >= 0, "round %d: claim on a: %s", round,
			 id < 0 ? strerror(-id) : "ok");
		id = kq_claim(b);
		VM_CHECK(id >= 0, "round %d: claim on b: %s", round,
			 id < 0 ? strerror(-id) : "ok");
		VM_CHECK(kq_attr("kernel_queues_in_use") == 2 &&
			 kq_attr("available_instances") == kq_nr - 2,
			 "round %d: in use %ld, available %ld", round,
			 kq_attr("kernel_queues_in_use"),
			 kq_attr("available_instances"));
		/* a gives back explicitly on odd rounds; close does the rest */
		if (round & 1)
			VM_CHECK(ioctl(a, AKST_KQ_RELEASE) == 0,
				 "round %d: release: %s", round,
				 strerror(errno));
		close(round & 2 ? a : b);
		close(round & 2 ? b : a);
	}
	fd = kq_open_ctl();
	VM_REQUIRE(fd >= 0, "open(%s): %s", KQ_DEV, strerror(errno));
	VM_CHECK(kq_info(fd, &info) == 0 && info.busy == 0 &&
		 info.kernel == 0 && info.started == 0,
		 "device view after the rounds: busy 0x%x kernel 0x%x started 0x%x",
		 info.busy, info.kernel, info.started);
	close(fd);
	kq_check_idle("after 20 rounds of claims");
}

/*
 * rmmod with two kernel queues claimed (detached to the module) and a
 * user queue open: removal revokes both, after stop_queue and before
 * put_queue, and leaves no hardware queue held; the user queue's file
 * reports ENODEV. Then the module is loaded again.
 */
static void t_kq_remove(void)
{
	struct accelkit_queue_info qi;
	char needle[128], splat[256];
	int kfd, ufd, ids[2], i, r, pass0, fail0, splats0, revoked;
	struct akst_kq_info info;

	kfd = kq_open_ctl();
	VM_REQUIRE(kfd >= 0, "open(%s): %s", KQ_DEV, strerror(errno));
	for (i = 0; i < 2; i++) {
		ids[i] = kq_claim(kfd);
		VM_CHECK(ids[i] >= 0, "claim: %s",
			 ids[i] < 0 ? strerror(-ids[i]) : "ok");
	}
	r = kq_info(kfd, &info);
	revoked = r ? -1 : (int)info.revoked;
	r = ioctl(kfd, AKST_KQ_DETACH);
	VM_CHECK(r == 2, "detach: %d (%s)", r, r < 0 ? strerror(errno) : "");
	VM_CHECK(close(kfd) == 0, "close: %s", strerror(errno));
	VM_CHECK(kq_attr("kernel_queues_in_use") == 2,
		 "kernel_queues_in_use %ld with the module holding 2",
		 kq_attr("kernel_queues_in_use"));
	ufd = open(kq_node, O_RDWR | O_CLOEXEC);
	VM_CHECK(ufd >= 0, "open(%s): %s", kq_node, strerror(errno));

	pass0 = vm_klog_count(KQ_TAG "PASS revoke-stopped-not-put 0");
	fail0 = vm_klog_count(KQ_TAG "FAIL ");
	splats0 = vm_klog_splats(NULL, 0);
	r = kq_rmmod();
	VM_REQUIRE(r == 0, "delete_module(%s): %s", KQ_MOD, strerror(-r));

	VM_CHECK(vm_klog_count(KQ_TAG "PASS revoke-stopped-not-put 0") ==
		 pass0 + 2, "%d revokes after stop_queue and before put_queue, want 2",
		 vm_klog_count(KQ_TAG "PASS revoke-stopped-not-put 0") - pass0);
	VM_CHECK(vm_klog_count(KQ_TAG "FAIL ") == fail0, "%d new FAIL lines",
		 vm_klog_count(KQ_TAG "FAIL ") - fail0);
	for (i = 0; i < 2; i++) {
		if (ids[i] < 0)
			continue;
		vm_fmt(needle, sizeof(needle),
		       KQ_TAG "revoke kernel queue %d\n", ids[i]);
		VM_CHECK(vm_klog_count(needle) >= 1, "no revoke of queue %d",
			 ids[i]);
	}
	vm_fmt(needle, sizeof(needle),
	       KQ_TAG "exit: %d kernel queues revoked since load, 0 hardware queues still held\n",
	       revoked + 2);
	VM_CHECK(vm_klog_contains(needle) == 1, "no \"%.*s\" in the log",
		 (int)strcspn(needle, "\n"), needle);
	VM_CHECK(vm_klog_splats(splat, sizeof(splat)) == splats0,
		 "kernel report during removal: %s", splat);

	if (ufd >= 0) {
		r = ioctl(ufd, ACCELKIT_CMD_QUEUE_INFO, &qi);
		VM_CHECK(r == -1 && errno == ENODEV,
			 "QUEUE_INFO on a removed device's queue: %s, want ENODEV",
			 r ? strerror(errno) : "ok");
		close(ufd);
	}

	r = kq_insmod();
	VM_REQUIRE(r == 0, "finit_module(%s) again: %s", KQ_KO, strerror(-r));
	VM_REQUIRE(kq_discover() == 0, "no %s* after reload", KQ_PREFIX);
	kq_check_idle("after reload");
}

/* An isolated device hands out no queue to either owner (EIO). */
static void t_kq_isolated(void)
{
	int kfd, held, id, fd, r;

	kfd = kq_open_ctl();
	VM_REQUIRE(kfd >= 0, "open(%s): %s", KQ_DEV, strerror(errno));
	held = kq_claim(kfd);
	VM_CHECK(held >= 0, "claim: %s", held < 0 ? strerror(-held) : "ok");
	VM_CHECK(kq_set("isolate_strategy", "1") == 0, "isolate_strategy 1");
	VM_CHECK(ioctl(kfd, AKST_KQ_HW_ERROR) == 0 &&
		 ioctl(kfd, AKST_KQ_HW_ERROR) == 0, "report errors: %s",
		 strerror(errno));
	VM_REQUIRE(kq_attr("isolate") == 1, "isolate %ld after 2 errors",
		   kq_attr("isolate"));
	id = kq_claim(kfd);
	VM_CHECK(id == -EIO, "claim on an isolated device: %s, want EIO",
		 id < 0 ? strerror(-id) : "got a queue");
	fd = open(kq_node, O_RDWR | O_CLOEXEC);
	VM_CHECK(fd < 0 && errno == EIO, "open of an isolated device: %s",
		 fd < 0 ? strerror(errno) : "got a queue");
	if (fd >= 0)
		close(fd);
	/* What was claimed before stays until given back. */
	VM_CHECK(kq_attr("kernel_queues_in_use") == (held >= 0),
		 "kernel_queues_in_use %ld", kq_attr("kernel_queues_in_use"));
	VM_CHECK(close(kfd) == 0, "close: %s", strerror(errno));
	VM_CHECK(kq_attr("kernel_queues_in_use") == 0,
		 "kernel_queues_in_use %ld after close",
		 kq_attr("kernel_queues_in_use"));
	/* Isolation is sticky: a fresh device for whoever comes next. */
	r = kq_rmmod();
	VM_CHECK(r == 0, "delete_module: %s", strerror(-r));
}

static const struct ak_test kqueue_tests[] = {
	{ "attributes: modes, defaults, load-time refusals", t_kq_attrs },
	{ "split: users get nr - kernel_queues, the kernel its share, disjoint",
	  t_kq_split },
	{ "kernel_queues: no shrink below in use, no grow over users (EBUSY)",
	  t_kq_resize_busy },
	{ "kernel_queues: junk and out of range EINVAL, root only",
	  t_kq_einval },
	{ "kernel_queues 0: a kernel claim fails with EBUSY", t_kq_zero },
	{ "claims and releases balance the counters", t_kq_balance },
	{ "removal with kernel queues claimed: revoked, nothing held",
	  t_kq_remove },
	{ "isolated device: kernel claims fail with EIO like opens",
	  t_kq_isolated },
	{ NULL, NULL },
};

int add_kqueue_suites(void)
{
	return ak_add_suite("kqueue", kq_init, kq_clean, kqueue_tests);
}
