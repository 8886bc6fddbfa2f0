// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Processes: a queue is bound to its opener's address space. fork()
 * children and processes receiving the fd by SCM_RIGHTS are refused;
 * mappings are not inherited. A seccomp-jailed process drives a queue
 * without any system call. poll() semantics.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"

#define OFF_DUS ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)

/* ------------------------------------------------------------------ */
/* fork */

struct inherited {
	int fd;			/* raw queue fd (parent's) */
	int libfd;		/* the library queue's fd */
	uint8_t *mmio;		/* raw mappings without MADV_DONTFORK */
	uint8_t *dus;
	size_t dus_size;
};

/*
 * Everything a foreign process may try on a queue fd. Returns a bit mask
 * of checks that did not behave as documented (0: all refused):
 *   1 QUEUE_INFO, 2 START_Q, 4 PUT_Q not EPERM, 8 mmap (MMIO or DUS) not
 *   EPERM, 16 poll(POLLIN|POLLNVAL) revents not POLLNVAL|POLLERR,
 *   32 poll(POLLIN) revents not POLLERR (what an ordinary poller sees:
 *   the kernel hands POLLNVAL only to callers that asked for it).
 */
#define FOREIGN_BITS "1 QUEUE_INFO, 2 START_Q, 4 PUT_Q not EPERM, 8 mmap not EPERM, 16 poll(POLLIN|POLLNVAL) revents!=POLLNVAL|POLLERR, 32 poll(POLLIN) revents!=POLLERR"
static int foreign_checks(int fd, size_t dus_size)
{
	struct accelkit_queue_info qi;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	void *p;
	int bad = 0;

	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) != -1 || errno != EPERM)
		bad |= 1;
	if (ioctl(fd, UACCE_CMD_START_Q) != -1 || errno != EPERM)
		bad |= 2;
	if (ioctl(fd, UACCE_CMD_PUT_Q) != -1 || errno != EPERM)
		bad |= 4;
	p = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED || errno != EPERM)
		bad |= 8;
	p = mmap(NULL, dus_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 OFF_DUS);
	if (p != MAP_FAILED || errno != EPERM)
		bad |= 8;
	pfd.events = POLLIN | POLLNVAL;
	if (poll(&pfd, 1, 0) != 1 || pfd.revents != (POLLNVAL | POLLERR))
		bad |= 16;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 1 || pfd.revents != POLLERR)
		bad |= 32;
	return bad;
}

static int child_foreign(void *arg)
{
	struct inherited *in = arg;
	unsigned char vec[64];
	int bad = foreign_checks(in->fd, in->dus_size);

	if (foreign_checks(in->libfd, in->dus_size))
		bad |= 64;
	/* mappings not inherited: mincore reports ENOMEM (not mapped) */
	if (mincore(in->mmio, AK_PAGE, vec) != -1 || errno != ENOMEM)
		bad |= 128;
	if (mincore(in->dus, AK_PAGE, vec) != -1 || errno != ENOMEM)
		bad |= 128;
	return bad;
}

static int child_touch_mmio(void *arg)
{
	struct inherited *in = arg;

	return *(volatile uint32_t *)in->mmio == 0xffffffff ? 3 : 4;
}

static int child_touch_dus(void *arg)
{
	struct inherited *in = arg;

	*(volatile uint8_t *)in->dus = 1;
	return 5;
}

static int child_write_doorbell(void *arg)
{
	struct inherited *in = arg;

	*(volatile uint32_t *)in->mmio = 1;
	return 6;
}

static void t_fork(void)
{
	struct accelkit_queue_info qi;
	struct inherited in = { .fd = -1 };
	struct ak_queue *q = vm_open_queue(0);
	uint8_t a[300], b[300];
	char ws[64];
	int st, to;

	VM_REQUIRE(q, "no queue");
	in.libfd = ak_queue_fd(q);
	in.fd = open(g_node, O_RDWR | O_CLOEXEC);
	VM_REQUIRE(in.fd >= 0, "open: %s", strerror(errno));
	VM_REQUIRE(ioctl(in.fd, ACCELKIT_CMD_QUEUE_INFO, &qi) == 0, "info");
	in.dus_size = qi.dus_size;
	in.mmio = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       in.fd, 0);
	in.dus = mmap(NULL, qi.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      in.fd, OFF_DUS);
	VM_REQUIRE(in.mmio != MAP_FAILED && in.dus != MAP_FAILED, "mmap: %s",
		   strerror(errno));
	VM_CHECK(ioctl(in.fd, UACCE_CMD_START_Q) == 0, "START_Q");
	/* the parent can use its own mappings */
	VM_CHECK(vm_probe_read(in.dus) == 0 && vm_probe_read(in.mmio) == 0,
		 "parent cannot read its own queue mappings");

	st = vm_run_child(child_foreign, &in, 10000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "child ioctl/mmap/poll on inherited fds: %s (exit code = mask of failed checks: " FOREIGN_BITS ", 64 same on the library's fd, 128 mapping inherited)",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	st = vm_run_child(child_touch_mmio, &in, 10000, &to);
	VM_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		 "child reading the inherited doorbell mapping: %s, want SIGSEGV",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	st = vm_run_child(child_write_doorbell, &in, 10000, &to);
	VM_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		 "child writing the inherited doorbell: %s, want SIGSEGV",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	st = vm_run_child(child_touch_dus, &in, 10000, &to);
	VM_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		 "child writing the inherited ring mapping: %s, want SIGSEGV",
		 vm_wstatus_str(st, ws, sizeof(ws)));

	/* the parent's queues are unaffected */
	memset(&qi, 0, sizeof(qi));
	VM_CHECK(ioctl(in.fd, ACCELKIT_CMD_QUEUE_INFO, &qi) == 0 && qi.depth,
		 "parent QUEUE_INFO after children: %s", strerror(errno));
	vm_fill_random(a, sizeof(a), 8);
	memset(b, 0, sizeof(b));
	VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 && !memcmp(a, b, sizeof(a)),
		 "parent COPY after children");
	munmap(in.mmio, AK_PAGE);
	munmap(in.dus, qi.dus_size ? qi.dus_size : in.dus_size);
	close(in.fd);
	ak_queue_close(q);
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* SCM_RIGHTS */

static void t_scm_rights(void)
{
	struct ak_queue_info info;
	struct ak_queue *q;
	int sv[2], st, to;
	unsigned char res = 0xff;
	char ws[64];
	uint8_t a[100], b[100];
	pid_t pid;

	VM_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
		   "socketpair");
	fflush(NULL);
	pid = fork();	/* before the queue exists */
	VM_REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		int fd, bad;
		char c, go;

		close(sv[0]);
		if (vm_recv_fd(sv[1], &c, 1, &fd) || fd < 0)
			_exit(100);
		bad = foreign_checks(fd, 24 * AK_PAGE);
		res = (unsigned char)bad;
		if (write(sv[1], &res, 1) != 1)
			_exit(101);
		/* hold the fd until the owner has closed its queue */
		if (read(sv[1], &go, 1) != 1)
			_exit(102);
		close(fd);	/* the last reference: release in this process */
		_exit(bad ? 1 : 0);
	}
	close(sv[1]);
	q = vm_open_queue(0);
	if (q) {
		ak_queue_info(q, &info);
		VM_CHECK(vm_send_fd(sv[0], "F", 1, ak_queue_fd(q)) == 0,
			 "sendmsg");
		VM_CHECK(read(sv[0], &res, 1) == 1, "no answer from the receiver");
		VM_CHECK(res == 0,
			 "receiver's ioctl/mmap/poll on the passed fd: failed checks 0x%x (" FOREIGN_BITS ")",
			 res);
		/* the owner still uses the queue */
		vm_fill_random(a, sizeof(a), 1);
		memset(b, 0, sizeof(b));
		VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 &&
			 !memcmp(a, b, sizeof(a)), "owner COPY after passing fd");
		ak_queue_close(q);
		/* PUT_Q returned the hardware queue although the receiver
		 * still holds the file */
		vm_check_instances_back();
	}
	VM_CHECK(write(sv[0], "g", 1) == 1, "go");
	st = vm_wait_child(pid, 10000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "receiver: %s",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	close(sv[0]);
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* seccomp: the data path makes no system call */

#define SC_JOBS 1000
#define SC_LEN  4096

static int install_exit_only_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]), .filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int child_seccomp_control(void *arg)
{
	(void)arg;
	if (install_exit_only_filter())
		return 13;
	syscall(__NR_getpid);	/* must kill us with SIGSYS */
	return 0;
}

static int child_seccomp_jobs(void *arg)
{
	struct ak_queue *q = NULL;
	struct ak_result res[64];
	struct ak_job j;
	uint8_t *src, *dst;
	unsigned sub = 0, done = 0;
	unsigned long idle = 0;
	int r, i;

	(void)arg;
	if (ak_queue_open(g_node, NULL, AK_QF_BUSY_POLL, &q))
		return 10;
	src = mmap(NULL, SC_JOBS * SC_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	dst = mmap(NULL, SC_JOBS * SC_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		return 11;
	vm_fill_random(src, SC_JOBS * SC_LEN, 2024);
	memset(dst, 0, SC_JOBS * SC_LEN);	/* every page written */
	/* warm-up: resolve lazy symbols, first use of every path */
	if (ak_copy(q, dst, src, 64) || memcmp(dst, src, 64))
		return 12;
	memset(dst, 0, 64);
	if (ak_reap(q, res, 64) != 0)
		return 12;

	if (install_exit_only_filter())
		return 14;
	/* From here on, any system call kills the process with SIGSYS. */
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.len = SC_LEN;
	while (done < SC_JOBS) {
		while (sub < SC_JOBS && ak_queue_space(q) > 0) {
			j.tag = sub;
			j.src = src + (size_t)sub * SC_LEN;
			j.dst = dst + (size_t)sub * SC_LEN;
			if (ak_submit(q, &j))
				return 20;
			sub++;
		}
		r = ak_reap(q, res, 64);
		if (r < 0)
			return 20;
		if (r == 0 && ++idle > 4000000000ul)
			return 24;
		for (i = 0; i < r; i++, done++) {
			if (res[i].status != AK_ST_SUCCESS ||
			    res[i].bytes != SC_LEN)
				return 21;
			if (res[i].tag != done)
				return 22;
		}
	}
	if (memcmp(dst, src, (size_t)SC_JOBS * SC_LEN))
		return 23;
	return 0;	/* exit_group, allowed */
}

static void t_seccomp(void)
{
	char ws[64];
	int st, to;

	/* control: the filter really kills on any other syscall */
	st = vm_run_child(child_seccomp_control, NULL, 10000, &to);
	VM_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
		 "control child calling getpid under the filter: %s, want SIGSYS",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	st = vm_run_child(child_seccomp_jobs, NULL, 120000, &to);
	VM_CHECK(!to, "seccomp child timed out (killed)");
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "seccomp child: %s (SIGSYS: the data path made a syscall; exit 10 open, 11 mmap, 12 warm-up, 14 seccomp, 20 submit/reap, 21 status, 22 tag order, 23 data, 24 no completion)",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* poll() */

static void t_poll(void)
{
	struct ak_queue *q = vm_open_queue(0);
	uint8_t *src = NULL, *dst = NULL;
	struct pollfd pfd;
	struct ak_result res;
	struct ak_job j;
	size_t len = 256 * 1024;
	int r, i, fd;

	VM_REQUIRE(q, "no queue");
	fd = ak_queue_fd(q);
	src = vm_alloc(len);
	dst = vm_alloc(len);
	VM_REQUIRE(src && dst, "alloc");
	vm_fill_random(src, len, 12);

	pfd.fd = fd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1, 0);
	VM_CHECK(r == 0, "poll(0) with nothing in flight = %d revents 0x%x", r,
		 pfd.revents);
	r = poll(&pfd, 1, 50);
	VM_CHECK(r == 0, "poll(50ms) with nothing in flight = %d", r);

	for (i = 0; i < 10; i++) {
		memset(&j, 0, sizeof(j));
		j.op = i % 2 ? AK_OP_FILL : AK_OP_COPY;
		j.flags = AK_JF_IRQ;
		j.tag = 5000 + i;
		j.src = src;
		j.dst = dst;
		j.len = len - i;
		j.pattern = 0x0102030405060708ull * (i + 1);
		VM_CHECK(ak_submit(q, &j) == 0, "submit");
		pfd.revents = 0;
		r = poll(&pfd, 1, 10000);
		VM_CHECK(r == 1 && (pfd.revents & POLLIN),
			 "iteration %d: poll after IRQ job = %d revents 0x%x", i,
			 r, pfd.revents);
		r = ak_reap(q, &res, 1);
		VM_CHECK(r == 1 && res.tag == j.tag &&
			 res.status == AK_ST_SUCCESS && res.bytes == j.len,
			 "iteration %d: reap %d status %u", i, r, res.status);
		VM_CHECK(j.op == AK_OP_COPY ? vm_first_diff(dst, src, j.len) < 0 :
			 vm_first_not_pattern(dst, j.pattern, j.len) < 0,
			 "iteration %d: data", i);
		pfd.revents = 0;
		r = poll(&pfd, 1, 0);
		VM_CHECK(r == 0, "iteration %d: poll(0) after reaping = %d revents 0x%x",
			 i, r, pfd.revents);
	}

	/* a completed but unreaped job (no IRQ) is reported by poll too */
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_NOP;
	j.flags = AK_JF_NO_IRQ;
	j.tag = 6000;
	VM_CHECK(ak_submit(q, &j) == 0, "submit NOP");
	VM_CHECK(ak_wait(q, 10000) == 0, "ak_wait NOP");
	r = poll(&pfd, 1, 0);
	VM_CHECK(r == 1 && (pfd.revents & POLLIN),
		 "poll(0) with an unreaped completion = %d revents 0x%x", r,
		 pfd.revents);
	VM_CHECK(ak_reap(q, &res, 1) == 1 && res.tag == 6000, "reap NOP");
	r = poll(&pfd, 1, 0);
	VM_CHECK(r == 0, "poll(0) after reaping the NOP = %d", r);
	VM_CHECK(ak_wait(q, 0) == -ENOMSG, "ak_wait with nothing in flight");

	vm_free(src, len);
	vm_free(dst, len);
	ak_queue_close(q);
}

/* ------------------------------------------------------------------ */
/* a page request that user space withholds (userfaultfd) */

/* Address of the next missing-page fault reported on @uffd, or 0. */
static uint64_t uffd_next_fault(int uffd, int timeout_ms)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return 0;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return 0;
	return msg.arg.pagefault.address & ~(uint64_t)(AK_PAGE - 1);
}

static int uffd_serve(int uffd, void *page, const void *data)
{
	struct uffdio_copy c = {
		.dst = (uintptr_t)page, .src = (uintptr_t)data,
		.len = AK_PAGE, .mode = 0,
	};

	return ioctl(uffd, UFFDIO_COPY, &c) ? -errno : 0;
}

/* Another process opens a queue, runs a COPY and closes it. */
static int child_other_user(void *arg)
{
	struct ak_queue *q = NULL;
	uint8_t a[512], b[512];

	(void)arg;
	if (ak_queue_open(g_node, NULL, 0, &q))
		return 10;
	vm_fill_random(a, sizeof(a), 77);
	memset(b, 0, sizeof(b));
	if (ak_copy(q, b, a, sizeof(a)) || memcmp(a, b, sizeof(a)))
		return 11;
	ak_queue_close(q);
	return 0;
}

/*
 * The device's page request for a userfaultfd page waits for the handler
 * (this test) like a CPU access would, without holding any lock another
 * user needs: meanwhile another process opens, uses and closes a queue,
 * and the owner's PUT_Q returns although the fault is still withheld.
 * Served, the job completes with the handler's bytes.
 */
static void t_uffd_stall(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	uint8_t want[AK_PAGE], *dst, *area;
	struct ak_result res;
	struct ak_queue *q;
	struct ak_job j;
	char first[256], ws[64];
	uint64_t a;
	int uffd, st, to, r;

	uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	VM_REQUIRE(uffd >= 0, "userfaultfd: %s", strerror(errno));
	VM_REQUIRE(ioctl(uffd, UFFDIO_API, &api) == 0, "UFFDIO_API: %s",
		   strerror(errno));
	area = mmap(NULL, 2 * AK_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = vm_alloc(AK_PAGE);
	VM_REQUIRE(area != MAP_FAILED && dst, "mmap");
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)area;
	reg.range.len = 2 * AK_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	VM_REQUIRE(ioctl(uffd, UFFDIO_REGISTER, &reg) == 0,
		   "UFFDIO_REGISTER: %s", strerror(errno));
	vm_fill_random(want, sizeof(want), 4242);
	memset(dst, 0, AK_PAGE);
	memset(&res, 0, sizeof(res));
	q = vm_open_queue(0);
	VM_REQUIRE(q, "no queue");

	/* 1: the page request waits for the handler; others go on */
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.tag = 1;
	j.src = area;
	j.dst = dst;
	j.len = AK_PAGE;
	VM_REQUIRE(ak_submit(q, &j) == 0, "submit");
	a = uffd_next_fault(uffd, AK_JOB_TIMEOUT_MS);
	VM_CHECK(a == (uintptr_t)area,
		 "no userfault for the device's page request (got 0x%llx): it does not wait for the handler",
		 (unsigned long long)a);
	st = vm_run_child(child_other_user, NULL, 60000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !to,
		 "another process's open/COPY/close during the withheld fault: %s",
		 vm_wstatus_str(st, ws, sizeof(ws)));
	r = ak_reap(q, &res, 1);
	VM_CHECK(r == 0,
		 "the job completed (%d, status %u) while its page was withheld",
		 r, res.status);
	r = uffd_serve(uffd, area, want);
	VM_CHECK(r == 0, "UFFDIO_COPY: %s", strerror(-r));
	r = vm_reap_n(q, &res, 1, AK_JOB_TIMEOUT_MS);
	VM_CHECK(r == 1 && res.status == AK_ST_SUCCESS && res.bytes == AK_PAGE,
		 "job after the handler served the page: %d, status %u (%s) bytes %llu",
		 r, res.status, ak_status_str(res.status),
		 (unsigned long long)res.bytes);
	VM_CHECK(vm_first_diff(dst, want, AK_PAGE) < 0,
		 "dst differs from the handler's page at %ld",
		 vm_first_diff(dst, want, AK_PAGE));

	/* 2: PUT_Q does not wait for a withheld page request */
	j.tag = 2;
	j.src = area + AK_PAGE;
	VM_REQUIRE(ak_submit(q, &j) == 0, "submit");
	a = uffd_next_fault(uffd, AK_JOB_TIMEOUT_MS);
	VM_CHECK(a == (uintptr_t)area + AK_PAGE,
		 "no userfault for the second page (got 0x%llx)",
		 (unsigned long long)a);
	VM_CHECK(ioctl(ak_queue_fd(q), UACCE_CMD_PUT_Q) == 0, "PUT_Q: %s",
		 strerror(errno));
	VM_CHECK(vm_avail() == g_max_instances,
		 "available_instances %ld after PUT_Q with a withheld fault, want %ld",
		 vm_avail(), g_max_instances);
	r = uffd_serve(uffd, area + AK_PAGE, want);
	VM_CHECK(r == 0, "UFFDIO_COPY after PUT_Q: %s", strerror(-r));
	ak_queue_close(q);
	close(uffd);
	munmap(area, 2 * AK_PAGE);
	vm_free(dst, AK_PAGE);
	vm_check_instances_back();
	VM_CHECK(vm_klog_splats(first, sizeof(first)) == 0,
		 "kernel log: %s", first);
}

static const struct ak_test proc_tests[] = {
	{ "fork: child gets EPERM, POLLNVAL|POLLERR, no mappings (SIGSEGV)", t_fork },
	{ "SCM_RIGHTS: receiver gets EPERM, POLLNVAL|POLLERR; release by receiver", t_scm_rights },
	{ "seccomp exit-only: 1000 COPY jobs with no syscall", t_seccomp },
	{ "poll: POLLIN after IRQ job, 0 when idle", t_poll },
	{ "userfaultfd page withheld: others unaffected, PUT_Q does not wait", t_uffd_stall },
	{ NULL, NULL },
};

int add_proc_suites(void)
{
	return ak_add_suite("processes", NULL, NULL, proc_tests);
}
