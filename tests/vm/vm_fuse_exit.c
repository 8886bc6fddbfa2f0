// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Owner exit stalled between the last mm user going away and exit_mmap()
 * (issue 7, section 3, livelock): the owner has an AIO O_DIRECT read on a
 * FUSE file whose server withholds it, so its exit waits in exit_aio()
 * with mm_users == 0 while its page tables still exist. Its queue has jobs
 * writing never-touched memory. A page request for a dead address space
 * must be answered invalid: the device must not re-fault in a loop (as it
 * does when such a request is answered "success"). Observed through
 * ACCELKIT_CMD_QUEUE_STATS on the SHAREd queue's fd held by the test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelkit/accelkit.h>

#include "vm_common.h"
#include "vm_fuse.h"

#define LV_BIG		(256ul << 20)	/* never-touched job destination */
#define LV_CHUNK	(32ul << 20)
#define LV_WINDOW_MS	3000	/* observation window during the stall */
#define LV_MAX_REQS	50	/* page requests allowed in the window */
#define LV_GUARD_MS	30000

struct lv_msg {
	int step;	/* 0 ok; else the failed step (see lv_owner) */
	int err;
};

/* The owner: shared queue (fd to the test), AIO read left pending on the
 * FUSE file, then on 'G' the jobs, and exit. */
static int lv_owner(int sock, const char *path)
{
	struct lv_msg m = { 0, 0 };
	struct ak_queue_info qi;
	struct ak_queue *q = NULL;
	aio_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct ak_job j;
	uint8_t *buf, *big;
	int afd, fd = -1;
	size_t off;
	char c;

	if (ak_queue_open(g_node, NULL, 0, &q)) {
		m.step = 1;
	} else {
		fd = ak_queue_fd(q);
		if (ioctl(fd, ACCELKIT_CMD_SHARE)) {
			m.step = 2;
			m.err = errno;
		}
	}
	if (vm_send_fd(sock, &m, sizeof(m), m.step ? -1 : fd) || m.step)
		return 10;
	afd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	buf = vm_alloc(AK_PAGE);
	if (afd < 0 || !buf) {
		m.step = 3;
		m.err = errno;
	} else if (syscall(SYS_io_setup, 1, &ctx)) {
		m.step = 4;
		m.err = errno;
	} else {
		memset(&cb, 0, sizeof(cb));
		cb.aio_fildes = (uint32_t)afd;
		cb.aio_lio_opcode = IOCB_CMD_PREAD;
		cb.aio_buf = (uintptr_t)buf;
		cb.aio_nbytes = AK_PAGE;
		cb.aio_offset = 0;
		if (syscall(SYS_io_submit, ctx, 1, cbs) != 1) {
			m.step = 5;
			m.err = errno;
		}
	}
	if (write(sock, &m, sizeof(m)) != sizeof(m) || m.step)
		return 11;
	if (read(sock, &c, 1) != 1 || c != 'G')
		return 12;
	big = mmap(NULL, LV_BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big == MAP_FAILED || ak_queue_info(q, &qi))
		return 13;
	madvise(big, LV_BIG, MADV_NOHUGEPAGE);
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_FILL;
	j.pattern = 0x1122334455667788ull;
	j.len = LV_CHUNK < qi.max_xfer ? LV_CHUNK : qi.max_xfer;
	for (off = 0; off + j.len <= LV_BIG; off += j.len) {
		j.dst = big + off;
		j.tag = off;
		if (ak_submit(q, &j))
			return 14;
	}
	if (write(sock, "J", 1) != 1)
		return 15;
	/* exit with the jobs faulting: exit_aio() waits for the FUSE read
	 * after the last mm user is gone, before exit_mmap() */
	_exit(0);
}

/*
 * Is @pid waiting in exit_aio() (its last mm reference gone, exit_mmap()
 * not run yet)? Looked up in /proc/PID/wchan, which takes no reference on
 * the mm: reading /proc/PID/status would, and the reader could end up
 * doing the final mmput() itself, waiting in exit_aio() in its place.
 * Copies what was read into @what.
 */
static int lv_wchan_is_exit_aio(pid_t pid, char *what, size_t len)
{
	char p[64];
	int n;

	snprintf(p, sizeof(p), "/proc/%d/wchan", (int)pid);
	n = vm_read_file(p, what, len);
	if (n < 0) {
		snprintf(what, len, "(%s)", strerror(-n));
		return 0;
	}
	what[strcspn(what, "\n")] = '\0';
	return !strcmp(what, "exit_aio");
}

/*
 * The owner's address space is stuck in exit_aio(): in the owner itself,
 * or in whichever task dropped the last mm reference (the kernel's mmput
 * worker when the framework's fault work held one at the owner's exit).
 * @what gets "exit_aio" or the owner's wchan.
 */
static int lv_in_exit_aio(pid_t pid, char *what, size_t len)
{
	char other[64];
	struct dirent *e;
	DIR *d;
	int hit = 0;

	if (lv_wchan_is_exit_aio(pid, what, len))
		return 1;
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!hit && (e = readdir(d))) {
		pid_t t = (pid_t)strtol(e->d_name, NULL, 10);

		if (t > 0 && t != pid)
			hit = lv_wchan_is_exit_aio(t, other, sizeof(other));
	}
	closedir(d);
	if (hit)
		snprintf(what, len, "exit_aio");
	return hit;
}

void t_fuse_exit_livelock(void)
{
	struct vm_qstats s1, s2;
	struct lv_msg m;
	struct akfuse f;
	int sv[2], fd = -1, st, to, r1, r2, splats0;
	char err[256], ws[64], first[256], wchan[128] = "";
	uint64_t deadline;
	pid_t pid;

	splats0 = vm_klog_splats(first, sizeof(first));
	if (akfuse_start(&f, 16 * AK_PAGE, err, sizeof(err))) {
		VM_FAIL("FUSE server: %s", err);
		akfuse_stop(&f);
		return;
	}
	VM_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
		   "socketpair");
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(lv_owner(sv[1], f.path));
	}
	close(sv[1]);
	VM_REQUIRE(pid > 0, "fork");
	memset(&m, 0, sizeof(m));
	if (vm_recv_fd(sv[0], &m, sizeof(m), &fd) || fd < 0) {
		VM_FAIL("owner's queue: step %d (1 open, 2 SHARE) %s", m.step,
			strerror(m.err));
		goto out;
	}
	if (read(sv[0], &m, sizeof(m)) != sizeof(m) || m.step) {
		VM_FAIL("owner's AIO read: step %d (3 open O_DIRECT, 4 io_setup, 5 io_submit) %s",
			m.step, strerror(m.err));
		goto out;
	}
	if (!akfuse_wait_read(&f, LV_GUARD_MS)) {
		VM_FAIL("the AIO read never reached the FUSE server");
		goto out;
	}
	VM_CHECK(write(sv[0], "G", 1) == 1, "go");
	/* the owner submits its jobs and exits; wait until its exit is
	 * stuck in exit_aio (mm_users 0, page tables still there) */
	deadline = vm_now_ms() + LV_GUARD_MS;
	while (!lv_in_exit_aio(pid, wchan, sizeof(wchan)) &&
	       vm_now_ms() < deadline)
		usleep(20000);
	if (strcmp(wchan, "exit_aio")) {
		VM_FAIL("the owner's exit did not stall in exit_aio (wchan \"%s\")",
			wchan);
		goto out;
	}
	r1 = vm_queue_stats(fd, &s1);
	usleep(LV_WINDOW_MS * 1000);	/* observation window, not a bound */
	r2 = vm_queue_stats(fd, &s2);
	VM_CHECK(lv_in_exit_aio(pid, wchan, sizeof(wchan)),
		 "the owner's exit was not stalled for the whole window (wchan \"%s\")",
		 wchan);
	if (r1 == -ESRCH || r2 == -ESRCH) {
		/* DEFUNCT already: the queue is stopped, nothing can loop */
		printf("[queue DEFUNCT during the stall] ");
	} else {
		VM_CHECK(r1 == 0 && r2 == 0, "QUEUE_STATS on the shared fd: %s / %s",
			 strerror(-r1), strerror(-r2));
		VM_CHECK(s2.page_requests >= 1,
			 "the jobs never raised a page request");
		printf("[page requests: %llu before the window, %llu in %d ms of stalled exit] ",
		       (unsigned long long)s1.page_requests,
		       (unsigned long long)(s2.page_requests - s1.page_requests),
		       LV_WINDOW_MS);
		VM_CHECK(s2.page_requests - s1.page_requests < LV_MAX_REQS,
			 "%llu page requests while the owner's exit was stalled with its mm gone (livelock: requests for a dead mm answered success)",
			 (unsigned long long)(s2.page_requests - s1.page_requests));
	}
out:
	akfuse_release(&f);
	if (pid > 0) {
		st = vm_wait_child(pid, 60000, &to);
		VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !to,
			 "owner: %s%s (10-15: setup)",
			 vm_wstatus_str(st, ws, sizeof(ws)),
			 to ? ", exit did not finish after the server answered" : "");
	}
	close(sv[0]);
	if (fd >= 0)
		close(fd);
	akfuse_stop(&f);
	VM_CHECK(vm_klog_splats(first, sizeof(first)) == splats0,
		 "kernel report: %s", first);
	deadline = vm_now_ms() + LV_GUARD_MS;
	while (vm_avail() != g_max_instances && vm_now_ms() < deadline)
		usleep(20000);
	vm_check_instances_back();
}
