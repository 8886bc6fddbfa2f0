// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The storm suite: an OOM kill of a queue owner (vm_storm.h). The owner
 * runs in a memory cgroup (cgroup2, memory.max) with two queues: on one a
 * COPY from a userfaultfd page nobody serves (a page request in flight,
 * the fault worker waiting inside the owner's mm) and jobs queued behind
 * it; on the other COPY jobs from memory the CPU never touched (page
 * requests). It SHAREs the first queue with a
 * process outside the cgroup that polls it, then allocates until the OOM
 * killer kills it. Checked: the owner died of SIGKILL, memory.events
 * counts an oom_kill and the kernel log says "Killed process <pid>"; the
 * sharer's poll is woken with POLLERR|POLLHUP and its ioctls get ESRCH
 * (DEFUNCT); then the after-checks of every storm test.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_storm.h"

#define CG_ROOT	"/sys/fs/cgroup"
#define CG_DIR	CG_ROOT "/ak-storm-oom"
#define CG_MAX	"32M"

/* memory.events "oom_kill N" of our cgroup, or -errno */
static long cg_oom_kills(void)
{
	char buf[1024], *p;
	int r = vm_read_file(CG_DIR "/memory.events", buf, sizeof(buf));

	if (r < 0)
		return r;
	p = strstr(buf, "oom_kill ");
	return p ? strtol(p + 9, NULL, 10) : -ENOENT;
}

/* cgroup2 mounted, the memory controller on for CG_DIR; 0 or a message */
static int cg_setup(char *err, size_t len)
{
	char buf[512];
	int r;

	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL)) {
		snprintf(err, len, "mount cgroup2 on %s: %s", CG_ROOT,
			 strerror(errno));
		return -1;
	}
	r = vm_read_file(CG_ROOT "/cgroup.controllers", buf, sizeof(buf));
	if (r < 0 || !vm_has_word(buf, "memory")) {
		snprintf(err, len, "the guest kernel's cgroup2 has no memory controller (%.100s)",
			 r < 0 ? strerror(-r) : buf);
		return -1;
	}
	r = vm_write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	if (r) {
		snprintf(err, len, "+memory in cgroup.subtree_control: %s",
			 strerror(-r));
		return -1;
	}
	if (mkdir(CG_DIR, 0755) && errno != EEXIST) {
		snprintf(err, len, "mkdir %s: %s", CG_DIR, strerror(errno));
		return -1;
	}
	r = vm_write_file(CG_DIR "/memory.max", CG_MAX);
	if (r) {
		snprintf(err, len, "memory.max: %s", strerror(-r));
		return -1;
	}
	vm_write_file(CG_DIR "/memory.swap.max", "0");	/* absent: no swap */
	return 0;
}

/* The owner: exit codes 10.. are setup failures (it must die of SIGKILL). */
static void __attribute__((noreturn)) victim(int sock, int ctl)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct rq q[2];
	uint8_t *uf, *fresh, *dst;
	size_t i;
	char pid[32];
	int uffd;

	/*
	 * Everything the jobs write, and the page tables of what they read,
	 * exists before we join the cgroup: the page requests (reads of
	 * never-touched memory: the zero page) charge nothing, so the OOM
	 * killer is invoked by our own allocation, not by the framework's
	 * fault worker (docs/architecture.md "Not done / limits").
	 */
	uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	uf = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fresh = mmap(NULL, 256 * AK_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, 256 * AK_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) || uf == MAP_FAILED ||
	    fresh == MAP_FAILED || dst == MAP_FAILED)
		_exit(14);
	madvise(fresh, 256 * AK_PAGE, MADV_NOHUGEPAGE);
	memset(dst, 0x5a, 256 * AK_PAGE);
	for (i = 0; i < 256; i += 64)
		(void)*(volatile uint8_t *)(fresh + i * AK_PAGE);
	if (rq_open(&q[0], O_CLOEXEC, 20000) || rq_open(&q[1], O_CLOEXEC, 20000) ||
	    rq_start(&q[0]) || rq_start(&q[1]))
		_exit(12);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (vm_write_file(CG_DIR "/cgroup.procs", pid))
		_exit(10);
	if (vm_write_file("/proc/self/oom_score_adj", "1000"))
		_exit(11);
	if (ioctl(q[0].fd, ACCELKIT_CMD_SHARE) ||
	    vm_send_fd(sock, "f", 1, q[0].fd))
		_exit(13);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)uf;
	reg.range.len = AK_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		_exit(15);
	/* queue 0: stalled on the userfaultfd page, 16 jobs behind it */
	for (i = 0; i < 17; i++) {
		struct aks_desc d;

		memset(&d, 0, sizeof(d));
		d.opcode = AKS_OP_COPY;
		d.tag = i;
		d.src = (uintptr_t)(i ? fresh + i * AK_PAGE : uf);
		d.dst = (uintptr_t)(dst + i * AK_PAGE);
		d.len = AK_PAGE;
		d.flags = AKS_DF_IRQ;
		rq_put(&q[0], &d);
	}
	rq_ring(&q[0]);
	/* queue 1: page requests (reads of never-touched memory) */
	for (i = 0; i < 200; i++) {
		struct aks_desc d;

		memset(&d, 0, sizeof(d));
		d.opcode = AKS_OP_COPY;
		d.tag = 100 + i;
		d.src = (uintptr_t)(fresh + (i + 32) % 256 * AK_PAGE);
		d.dst = (uintptr_t)(dst + i % 256 * AK_PAGE);
		d.len = AK_PAGE;
		rq_put(&q[1], &d);
	}
	rq_ring(&q[1]);
	if (write(ctl, "r", 1) != 1)
		_exit(16);
	/* allocate until killed */
	for (;;) {
		uint8_t *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(17);
		for (i = 0; i < (1 << 20); i += AK_PAGE)
			p[i] = 1;
	}
}

/*
 * The sharer, outside the cgroup: poll the owner's shared queue until it
 * is DEFUNCT. Exit 0, or 20 no fd, 21 poll timed out (not woken), 22 poll
 * revents, 23 QUEUE_INFO not ESRCH, 24 PUT_Q not 0.
 */
static int sharer(int sock)
{
	struct accelkit_queue_info qi;
	struct pollfd p;
	uint64_t t0;
	char c;
	int fd;

	if (vm_recv_fd(sock, &c, 1, &fd) || fd < 0)
		return 20;
	p.fd = fd;
	t0 = vm_now_ms();
	for (;;) {
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 1000) < 0)
			return 22;
		if (p.revents & POLLERR)
			break;
		if (vm_now_ms() - t0 > 60000)
			return 21;
		if (p.revents)
			usleep(10000);	/* completions nobody reaps */
	}
	if (p.revents != (POLLERR | POLLHUP))
		return 22;
	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) != -1 || errno != ESRCH)
		return 23;
	if (ioctl(fd, UACCE_CMD_PUT_Q))
		return 24;
	close(fd);
	return 0;
}

void t_storm_oom(void)
{
	int sv[2], sv2[2], st, to, splats0 = vm_klog_splats(NULL, 0);
	long k0, k1;
	pid_t vic, sh;
	char err[256], ws[64], needle[64], c = 0;
	struct pollfd p;

	VM_REQUIRE(cg_setup(err, sizeof(err)) == 0, "%s", err);
	k0 = cg_oom_kills();
	VM_REQUIRE(k0 >= 0, "%s/memory.events: %s", CG_DIR,
		   strerror((int)-k0));
	VM_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0 &&
		   socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv2) == 0,
		   "socketpair");
	fflush(NULL);
	sh = fork();
	VM_REQUIRE(sh >= 0, "fork");
	if (!sh) {
		close(sv[0]);
		close(sv[1]);
		close(sv2[0]);
		_exit(sharer(sv2[1]));
	}
	close(sv2[1]);
	vic = fork();
	VM_REQUIRE(vic >= 0, "fork");
	if (!vic) {
		/* the queue goes to the sharer on sv2[0], "ready" to us */
		close(sv[0]);
		victim(sv2[0], sv[1]);
	}
	close(sv[1]);
	close(sv2[0]);
	g_storm.started += 2;
	/* ready: jobs and page requests in flight, allocation starts */
	p.fd = sv[0];
	p.events = POLLIN;
	if (poll(&p, 1, 30000) == 1 && read(sv[0], &c, 1) == 1)
		VM_CHECK(c == 'r', "victim: unexpected '%c'", c);
	close(sv[0]);
	st = vm_wait_child(vic, 120000, &to);
	VM_CHECK(!to && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		 "the queue owner allocating in a %s memory cgroup: %s%s, want killed by SIGKILL (exit 10 cgroup.procs, 11 oom_score_adj, 12 queues, 13 SHARE/send, 14-15 userfaultfd, 16 ready, 17 mmap failed)",
		 CG_MAX, vm_wstatus_str(st, ws, sizeof(ws)),
		 to ? " (not killed by the OOM killer within 120 s)" : "");
	k1 = cg_oom_kills();
	VM_CHECK(k1 > k0, "memory.events oom_kill %ld -> %ld: not an OOM kill",
		 k0, k1);
	snprintf(needle, sizeof(needle), "Killed process %d (", vic);
	VM_CHECK(vm_klog_contains(needle) == 1,
		 "the kernel log has no \"%s\"", needle);
	if (k1 > k0 && WIFSIGNALED(st))
		g_storm.ooms++;
	st = vm_wait_child(sh, 90000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the sharer of the OOM-killed owner's queue: %s (20 no fd, 21 poll not woken in 60 s, 22 revents not POLLERR|POLLHUP, 23 QUEUE_INFO not ESRCH, 24 PUT_Q failed)",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	VM_CHECK(rmdir(CG_DIR) == 0, "rmdir %s: %s", CG_DIR, strerror(errno));
	st_after_checks("the OOM kill", splats0);
}
