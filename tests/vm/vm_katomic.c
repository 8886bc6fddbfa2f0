// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite "katomic": the sample driver's crypto API algorithms taken as a
 * kernel consumer takes them (issue 12: "requests from atomic and process
 * context as the API allows; backlog handling; completion from the
 * interrupt path"). The consumer is the test module accelkit_kctest.ko
 * (kernel/selftest/accelkit_kctest.c), which uses the crypto API only; this
 * suite loads it, runs each of its tests through debugfs
 * (/sys/kernel/debug/accelkit_kctest/run, then .../result: key=value
 * lines) and asserts on the counters:
 *
 *  - atomic: cbc-aes-accelkit encrypt/decrypt, sha256-accelkit digest,
 *    deflate-accelkit compress/decompress with request flags 0, from a
 *    timer callback (softirq) and with a spinlock held (bottom halves
 *    off): every submission atomic, none refused, every result equal to
 *    the generic one computed in process context;
 *  - backlog (process context, then from a timer): a burst larger than
 *    the driver holds with MAY_BACKLOG: some submissions return -EBUSY,
 *    each of those is called back with -EINPROGRESS once, then everything
 *    completes with 0 and the generic bytes; the device's kq_backlogged
 *    rose by at least as many;
 *  - nobacklog (process context, then from a timer): the same burst
 *    without MAY_BACKLOG: some are refused with -ENOSPC (or -EBUSY, the
 *    older convention), every accepted one is called back exactly once
 *    with the generic bytes, nothing is lost;
 *  - kq_jobs of the sample's PCI device rose in every test (the device
 *    did the work, completed from its interrupt thread), and the kernel
 *    log has no new report; rmmod of the module succeeds (no request of
 *    it is outstanding).
 *
 * The burst is twice what the driver holds when every reserved kernel
 * queue is claimed (kernel_queues x (16 slots + 256 backlog)), at least
 * 1024: passed as the module's "burst" parameter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm_common.h"

#define KA_MOD		"accelkit_kctest"
#define KA_KO		"/lib/accelkit/" KA_MOD ".ko"
#define KA_DIR		"/sys/kernel/debug/" KA_MOD
#define KA_HOLD		(16 + 256)	/* per kernel queue: slots + backlog */
#define KA_MIXED	52		/* the atomic test's requests */

static char ka_res[8192];		/* the last result */
static long ka_burst;
static int ka_splats0;

static int ka_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" KA_MOD, &st) == 0;
}

static int ka_rmmod(void)
{
	return syscall(SYS_delete_module, KA_MOD, O_NONBLOCK) ? -errno : 0;
}

static int ka_insmod(const char *params)
{
	int fd = open(KA_KO, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return r;
}

static int ka_init(void)
{
	char params[64], first[256];
	long kq;
	int r;

	if (vm_discover() < 0 || vm_resolve_pci())
		return -1;
	kq = vm_attr_long("kernel_queues");
	if (kq < 1) {
		fprintf(stderr, "katomic: kernel_queues %ld\n", kq);
		return -1;
	}
	ka_burst = 2 * (kq < 8 ? kq : 8) * KA_HOLD;
	if (ka_burst < 1024)
		ka_burst = 1024;
	if (ka_loaded())
		ka_rmmod();
	vm_fmt(params, sizeof(params), "burst=%ld", ka_burst);
	r = ka_insmod(params);
	if (r) {
		fprintf(stderr, "katomic: finit_module(%s %s): %s\n", KA_KO,
			params, strerror(-r));
		return -1;
	}
	if (access(KA_DIR, F_OK))	/* vm/init mounts it; in case not */
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	ka_splats0 = vm_klog_splats(first, sizeof(first));
	return 0;
}

static int ka_clean(void)
{
	if (ka_loaded())
		ka_rmmod();
	return 0;
}

/* The value of "key=" in the last result, or -1 when there is none. */
static long ka_val(const char *key)
{
	size_t n = strlen(key);
	const char *p = ka_res;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == '=')
			return strtol(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* The rest of the line of "key=", or "". */
static const char *ka_str(const char *key, char *buf, size_t len)
{
	size_t n = strlen(key);
	const char *p = ka_res;

	buf[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == '=') {
			size_t l = strcspn(p + n + 1, "\n");

			if (l >= len)
				l = len - 1;
			memcpy(buf, p + n + 1, l);
			buf[l] = '\0';
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return buf;
}

/*
 * Run test @name; 0 with the result in ka_res, or -errno. The counters
 * of the PCI device before and after are in @jobs and @bl.
 */
static int ka_run(const char *name, long jobs[2], long bl[2])
{
	int r;

	jobs[0] = vm_pci_attr_long("kq_jobs");
	bl[0] = vm_pci_attr_long("kq_backlogged");
	r = vm_write_file(KA_DIR "/run", name);
	jobs[1] = vm_pci_attr_long("kq_jobs");
	bl[1] = vm_pci_attr_long("kq_backlogged");
	if (r)
		return r;
	r = vm_read_file(KA_DIR "/result", ka_res, sizeof(ka_res));
	if (r < 0)
		return r;
	printf("[%s: submitted %ld, backlogged %ld, refused %ld (errno %ld), kq_jobs +%ld, %ld ms] ",
	       name, ka_val("submitted"), ka_val("backlogged"),
	       ka_val("refused"), ka_val("refused_errno"), jobs[1] - jobs[0],
	       ka_val("wait_ms"));
	return 0;
}

/* What every test asserts: passed, exact, nothing lost or doubled. */
static void ka_common(const char *name, const long jobs[2])
{
	static const char *const zero[] = {
		"sync_err", "notify_missing", "notify_unexpected", "late_notify",
		"dup_callbacks", "cb_errors", "lost", "mismatch",
	};
	char res[64], why[200];
	long sub = ka_val("submitted"), refused = ka_val("refused");
	size_t i;

	VM_CHECK(!strcmp(ka_str("result", res, sizeof(res)), "pass"),
		 "%s: result=%s, reason=%s", name, res,
		 ka_str("reason", why, sizeof(why)));
	VM_CHECK(!strcmp(ka_str("test", res, sizeof(res)), name),
		 "%s: the result is of test %s", name, res);
	VM_CHECK(sub > 0 && sub == ka_val("requests"),
		 "%s: %ld of %ld requests submitted", name, sub,
		 ka_val("requests"));
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		VM_CHECK(ka_val(zero[i]) == 0, "%s: %s=%ld", name, zero[i],
			 ka_val(zero[i]));
	VM_CHECK(ka_val("exact") == sub - refused,
		 "%s: exact %ld of %ld accepted", name, ka_val("exact"),
		 sub - refused);
	/* every accepted request that did not complete at once: one callback */
	VM_CHECK(ka_val("callbacks") ==
		 ka_val("inprogress") + ka_val("backlogged"),
		 "%s: %ld final callbacks for %ld -EINPROGRESS + %ld -EBUSY",
		 name, ka_val("callbacks"), ka_val("inprogress"),
		 ka_val("backlogged"));
	VM_CHECK(ka_val("inprogress") + ka_val("backlogged") + refused +
		 ka_val("sync_ok") == sub,
		 "%s: submissions do not add up", name);
	VM_CHECK(jobs[0] >= 0 && jobs[1] > jobs[0],
		 "%s: kq_jobs %ld -> %ld: the device did none of it", name,
		 jobs[0], jobs[1]);
}

static void t_atomic(void)
{
	long jobs[2], bl[2];
	int r = ka_run("atomic", jobs, bl);

	VM_REQUIRE(r == 0, "atomic: %s", strerror(-r));
	ka_common("atomic", jobs);
	VM_CHECK(ka_val("submitted") == KA_MIXED,
		 "atomic: %ld requests, not %d", ka_val("submitted"), KA_MIXED);
	VM_CHECK(ka_val("atomic_submitted") == ka_val("submitted"),
		 "atomic: %ld of %ld submissions in atomic context",
		 ka_val("atomic_submitted"), ka_val("submitted"));
	VM_CHECK(ka_val("refused") == 0 && ka_val("backlogged") == 0,
		 "atomic: refused %ld, backlogged %ld (52 requests fit)",
		 ka_val("refused"), ka_val("backlogged"));
	VM_CHECK(ka_val("exact_enc") == 14 && ka_val("exact_dec") == 14 &&
		 ka_val("exact_hash") == 12 && ka_val("exact_comp") == 6 &&
		 ka_val("exact_decomp") == 6,
		 "atomic: exact enc %ld dec %ld hash %ld comp %ld decomp %ld",
		 ka_val("exact_enc"), ka_val("exact_dec"),
		 ka_val("exact_hash"), ka_val("exact_comp"),
		 ka_val("exact_decomp"));
	/* most went to the device (> 64 KiB ones to the software twins) */
	VM_CHECK(jobs[1] - jobs[0] >= ka_val("inprogress"),
		 "atomic: kq_jobs +%ld for %ld asynchronous requests",
		 jobs[1] - jobs[0], ka_val("inprogress"));
}

static void ka_backlog(const char *name, int atomic)
{
	long jobs[2], bl[2], n;
	int r = ka_run(name, jobs, bl);

	VM_REQUIRE(r == 0, "%s: %s", name, strerror(-r));
	ka_common(name, jobs);
	n = ka_val("backlogged");
	VM_CHECK(ka_val("submitted") == ka_burst, "%s: %ld requests, not %ld",
		 name, ka_val("submitted"), ka_burst);
	VM_CHECK(n > 0, "%s: no submission returned -EBUSY", name);
	VM_CHECK(ka_val("refused") == 0, "%s: %ld refused with MAY_BACKLOG",
		 name, ka_val("refused"));
	VM_CHECK(ka_val("notifies") == n,
		 "%s: %ld -EINPROGRESS callbacks for %ld -EBUSY", name,
		 ka_val("notifies"), n);
	VM_CHECK(bl[0] >= 0 && bl[1] - bl[0] >= n,
		 "%s: kq_backlogged %ld -> %ld, less than the %ld -EBUSY",
		 name, bl[0], bl[1], n);
	if (atomic)
		VM_CHECK(ka_val("atomic_submitted") == ka_val("submitted"),
			 "%s: %ld of %ld submissions in atomic context", name,
			 ka_val("atomic_submitted"), ka_val("submitted"));
}

static void ka_nobacklog(const char *name, int atomic)
{
	long jobs[2], bl[2], e;
	int r = ka_run(name, jobs, bl);

	VM_REQUIRE(r == 0, "%s: %s", name, strerror(-r));
	ka_common(name, jobs);
	e = ka_val("refused_errno");
	VM_CHECK(ka_val("submitted") == ka_burst, "%s: %ld requests, not %ld",
		 name, ka_val("submitted"), ka_burst);
	VM_CHECK(ka_val("refused") > 0, "%s: none of %ld refused", name,
		 ka_val("submitted"));
	VM_CHECK(e == ENOSPC || e == EBUSY, "%s: refused with errno %ld",
		 name, e);
	VM_CHECK(ka_val("backlogged") == 0 && ka_val("notifies") == 0,
		 "%s: backlogged %ld, -EINPROGRESS callbacks %ld without MAY_BACKLOG",
		 name, ka_val("backlogged"), ka_val("notifies"));
	if (atomic)
		VM_CHECK(ka_val("atomic_submitted") == ka_val("submitted"),
			 "%s: %ld of %ld submissions in atomic context", name,
			 ka_val("atomic_submitted"), ka_val("submitted"));
}

static void t_backlog(void)
{
	ka_backlog("backlog", 0);
}

static void t_nobacklog(void)
{
	ka_nobacklog("nobacklog", 0);
}

static void t_atomic_backlog(void)
{
	ka_backlog("atomic_backlog", 1);
}

static void t_atomic_nobacklog(void)
{
	ka_nobacklog("atomic_nobacklog", 1);
}

static void t_unload(void)
{
	char first[256] = "";
	int n, r;

	r = vm_write_file(KA_DIR "/run", "nosuchtest");
	VM_CHECK(r == -EINVAL, "run nosuchtest: %s, not EINVAL", strerror(-r));
	n = vm_klog_splats(first, sizeof(first));
	VM_CHECK(n >= 0 && n <= ka_splats0,
		 "kernel log: %d reports, %d before the suite; the first: %s",
		 n, ka_splats0, first);
	r = ka_rmmod();
	VM_CHECK(r == 0, "delete_module(%s): %s", KA_MOD, strerror(-r));
	VM_CHECK(!ka_loaded(), "%s still loaded", KA_MOD);
	VM_CHECK(access(KA_DIR, F_OK) != 0, "%s still there", KA_DIR);
}

static const struct ak_test ka_tests[] = {
	{ "katomic: flags 0 from a timer and under spin_lock_bh: cbc/sha256/deflate exact",
	  t_atomic },
	{ "katomic: MAY_BACKLOG burst from process context: -EBUSY, -EINPROGRESS, exact",
	  t_backlog },
	{ "katomic: burst without MAY_BACKLOG: refused with ENOSPC, accepted ones exact",
	  t_nobacklog },
	{ "katomic: MAY_BACKLOG burst from a timer callback",
	  t_atomic_backlog },
	{ "katomic: burst without MAY_BACKLOG from a timer callback",
	  t_atomic_nobacklog },
	{ "katomic: no kernel report; rmmod succeeds, nothing outstanding",
	  t_unload },
	{ NULL, NULL },
};

int add_katomic_suites(void)
{
	return ak_add_suite("katomic", ka_init, ka_clean, ka_tests);
}
