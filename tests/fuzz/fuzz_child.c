// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-fuzz: other processes. fork() children that use the inherited queue
 * files (another address space: EPERM unless shared), exit or are
 * SIGKILLed, or open a queue of their own and die with jobs in flight;
 * queue files passed with SCM_RIGHTS (and handed off: the child holds the
 * last reference); and the helper that owns FZ_HOLE, the "other-process
 * memory" jobs point at (it verifies its memory at the end).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define HOLE_BYTE(i) ((uint8_t)(0x5a ^ (i) ^ ((i) >> 9)))

/* ---- the helper owning FZ_HOLE ---- */

void fz_other_start(void)
{
	int ready[2], cmd[2];
	unsigned char vec[4];
	char c;
	pid_t pid;

	FZ_CHECK(mincore((void *)FZ_HOLE, FZ_PAGE, vec) == -1 && errno == ENOMEM,
		 "0x%lx is mapped in the fuzzer", FZ_HOLE);
	FZ_CHECK(!pipe(ready) && !pipe(cmd), "pipe: %s", strerror(errno));
	pid = fork();
	FZ_CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		uint8_t *p = mmap((void *)FZ_HOLE, FZ_HOLE_LEN,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				  -1, 0);
		size_t i;

		if (p != (void *)FZ_HOLE)
			_exit(2);
		for (i = 0; i < FZ_HOLE_LEN; i++)
			p[i] = HOLE_BYTE(i);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (read(cmd[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < FZ_HOLE_LEN; i++)
			if (p[i] != HOLE_BYTE(i))
				_exit(3);
		_exit(0);
	}
	close(ready[1]);
	close(cmd[0]);
	FZ_CHECK(read(ready[0], &c, 1) == 1, "helper did not start");
	close(ready[0]);
	g.other = pid;
	g.other_pipe = cmd[1];
}

int fz_wait_bounded(pid_t pid, int ms)
{
	uint64_t t0 = fz_now_ms();
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			fz_fail("waitpid: %s", strerror(errno));
		if (fz_now_ms() - t0 > (uint64_t)ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fz_fail("child %d did not finish within %d ms", pid, ms);
		}
		usleep(1000);
	}
}

void fz_other_finish(void)
{
	int st;

	FZ_CHECK(write(g.other_pipe, "v", 1) == 1, "helper pipe");
	st = fz_wait_bounded(g.other, FZ_WAIT_MS);
	g.other = 0;
	FZ_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the helper's memory at 0x%lx changed or it failed (status 0x%x)",
		 FZ_HOLE, st);
}

/* ---- what another address space may do with a queue file ---- */

/*
 * Runs in the child: the checks of one queue file @fd whose parent-side
 * state is @q (EPERM unless shared, docs/architecture.md "Sharing a
 * queue"). 0, or the number of the failed check.
 */
static int child_checks(int fd, const struct fz_queue *q, bool parent_mapped)
{
	bool usable = q->st == FQ_INIT || q->st == FQ_STARTED;
	struct accelkit_queue_info qi;
	struct accelkit_queue_stats s;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t dlen = (size_t)((q->qi.dus_size + FZ_PAGE - 1) & ~(FZ_PAGE - 1));
	void *m;
	int r, e, want;

	if (q->st == FQ_DEFUNCT && q->shared) {
		/* the owner is gone: ESRCH for all but PUT_Q (not tried) */
		if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) != -1 || errno != ESRCH)
			return 1;
		if (ioctl(fd, ACCELKIT_CMD_SHARE) != -1 || errno != ESRCH)
			return 2;
		if (ioctl(fd, ACCELKIT_CMD_QUEUE_STATS, &s) != -1 || errno != ESRCH)
			return 3;
		if (poll(&p, 1, 0) != 1 || p.revents != (POLLERR | POLLHUP))
			return 6;
		m = mmap(NULL, dlen, PROT_READ, MAP_SHARED, fd,
			 (off_t)UACCE_QFRT_DUS * (off_t)FZ_PAGE);
		if (m != MAP_FAILED || errno != ESRCH)
			return 8;
		if (read(fd, &s, 8) != -1 || errno != EINVAL)
			return 9;
		return 0;
	}

	r = ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi);
	e = FZ_ERR(r);
	want = !q->shared ? EPERM : usable ? 0 : EINVAL;
	if (e != want)
		return 1;
	r = ioctl(fd, ACCELKIT_CMD_SHARE);
	if (FZ_ERR(r) != EPERM)
		return 2;
	r = ioctl(fd, ACCELKIT_CMD_QUEUE_STATS, &s);
	if (FZ_ERR(r) != (q->shared ? 0 : EPERM))
		return 3;
	r = ioctl(fd, _IO('A', 0x7e));
	if (FZ_ERR(r) != EPERM)
		return 4;
	if (poll(&p, 1, 0) < 0)
		return 5;
	if (!q->shared || q->st == FQ_RELEASED) {
		if (p.revents != POLLERR)
			return 6;
	} else if (p.revents & ~POLLIN) {
		return 7;
	}
	m = mmap(NULL, dlen, PROT_READ, MAP_SHARED, fd,
		 (off_t)UACCE_QFRT_DUS * (off_t)FZ_PAGE);
	e = m == MAP_FAILED ? errno : 0;
	want = !q->shared ? EPERM : !usable ? EINVAL :
	       parent_mapped ? EEXIST : 0;
	if (m != MAP_FAILED)
		munmap(m, dlen);
	if (e != want)
		return 8;
	if (read(fd, &s, 8) != -1 || errno != EINVAL)
		return 9;
	return 0;
}

static int child_check_all(void)
{
	int i, r;

	for (i = 0; i < FZ_NQ; i++) {
		if (g.q[i].st == FQ_CLOSED)
			continue;
		r = child_checks(g.q[i].fd, &g.q[i], g.q[i].dus != NULL);
		if (r)
			return 10 * (i + 1) + r;
	}
	return 0;
}

/* A queue of the child's own, with jobs in flight when it dies. */
static int child_own_queue(int nops)
{
	struct accelkit_queue_info qi;
	uint8_t *db, *dus;
	int fd = open(g.node, O_RDWR), i;

	if (fd < 0)
		return errno == EBUSY ? 0 : 100;
	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi))
		return 101;
	db = mmap(NULL, FZ_PAGE, PROT_WRITE, MAP_SHARED, fd, 0);
	dus = mmap(NULL, (qi.dus_size + FZ_PAGE - 1) & ~(FZ_PAGE - 1),
		   PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   (off_t)UACCE_QFRT_DUS * (off_t)FZ_PAGE);
	if (db == MAP_FAILED || dus == MAP_FAILED)
		return 102;
	if (ioctl(fd, UACCE_CMD_START_Q))
		return 103;
	for (i = 0; i < nops && i < (int)qi.depth - 1; i++) {
		struct aks_desc *d = (struct aks_desc *)(void *)(dus + qi.sq_offset) + i;

		memset(d, 0, sizeof(*d));
		/* COPY of our stack onto the stack, or into unmapped memory */
		d->opcode = i % 3 ? AKS_OP_COPY : AKS_OP_NOP;
		d->src = (uint64_t)(uintptr_t)g.src;
		d->dst = i % 2 ? FZ_HOLE : (uint64_t)(uintptr_t)
			 (g.arena + (size_t)(i % FZ_NSLOT) * FZ_SLOT);
		d->len = 256;
		d->tag = (uint64_t)i;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(void *)(db + AKS_DB_SQ_TAIL) = (uint32_t)i;
	return 0;
}

void op_fork(void)
{
	unsigned v = (unsigned)fz_below(4);
	int sync[2], st, i;
	int nops = 1 + (int)fz_below(32);
	pid_t pid;
	char c = 0;

	for (i = 0; i < FZ_NQ; i++)
		if (g.q[i].st != FQ_CLOSED)
			fz_op();	/* the child's checks count as one each */
	FZ_CHECK(!pipe(sync), "pipe: %s", strerror(errno));
	fz_op();
	pid = fork();
	FZ_CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int r;

		close(sync[0]);
		if (v == 3) {
			r = child_own_queue(nops);
			c = (char)r;
			if (write(sync[1], &c, 1) != 1 || r)
				_exit(r ? r : 1);
			/* exit with the jobs in flight, or be killed */
			if (nops & 1)
				_exit(0);
			for (;;)
				pause();
		}
		r = child_check_all();
		if (v == 0)
			_exit(r);
		c = (char)r;
		if (write(sync[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(sync[1]);
	g.s.forks++;
	fz_trace("fork variant %u child %d", v, pid);
	if (v == 2) {
		/* killed at any point of its checks: nothing to compare */
		kill(pid, SIGKILL);
		g.s.kills++;
		st = fz_wait_bounded(pid, FZ_WAIT_MS);
		close(sync[0]);
		return;
	}
	if (v == 1 || v == 3) {
		struct pollfd p = { .fd = sync[0], .events = POLLIN };

		FZ_CHECK(poll(&p, 1, FZ_WAIT_MS) == 1, "child %d silent", pid);
		if (read(sync[0], &c, 1) != 1)
			c = (char)-1;
		if (v == 1 || !(nops & 1)) {
			kill(pid, SIGKILL);
			g.s.kills++;
		}
	}
	close(sync[0]);
	st = fz_wait_bounded(pid, FZ_WAIT_MS);
	if (v == 0)
		FZ_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			 "forked child: check %d failed (status 0x%x)",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
	else
		FZ_CHECK(c == 0, "forked child (variant %u): check %d failed",
			 v, c);
	if (v == 3)
		fz_check_counters("after a child that died with its own queue");
}

int fz_send_fd(int sock, int fd)
{
	char b = 'f';
	struct iovec io = { .iov_base = &b, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

int fz_recv_fd(int sock)
{
	char b;
	struct iovec io = { .iov_base = &b, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * Pass a queue file to a child over a socketpair. The child closes every
 * inherited queue file first, so it holds only the passed one; with
 * handoff the parent closes its own (after its jobs are done) and the
 * child's exit releases the queue.
 */
void op_pass_fd(void)
{
	struct fz_queue *q = &g.q[fz_below(FZ_NQ)], snap;
	bool handoff = fz_chance(40);
	int sv[2], st, i;
	pid_t pid;
	char c;

	if (q->st == FQ_CLOSED)
		return;
	if (handoff && q->sq != q->cq) {
		if (!fz_can_reap(q))
			handoff = false;
		else
			fz_reap(q, true);
	}
	FZ_CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
		 "socketpair: %s", strerror(errno));
	fz_op();
	pid = fork();
	FZ_CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int fd, r;

		close(sv[0]);
		for (i = 0; i < FZ_NQ; i++)
			if (g.q[i].st != FQ_CLOSED)
				close(g.q[i].fd);
		fd = fz_recv_fd(sv[1]);
		if (fd < 0)
			_exit(90);
		/* the parent's state after its handoff, if any */
		if (read(sv[1], &snap, sizeof(snap)) != sizeof(snap))
			_exit(91);
		r = child_checks(fd, &snap, snap.dus != NULL);
		_exit(r);
	}
	close(sv[1]);
	g.s.forks++;
	g.s.passes++;
	fz_op();
	FZ_CHECK(!fz_send_fd(sv[0], q->fd), "sendmsg: %s", strerror(errno));
	snap = *q;
	if (handoff) {
		fz_op();
		fz_unmap_all(q);
		FZ_CHECK(close(q->fd) == 0, "close: %s", strerror(errno));
		snap.dus = NULL;
		if (q->sq != q->cq)
			fz_drop_inflight(q);	/* not reached: drained */
		q->st = FQ_CLOSED;
		q->fd = -1;
	}
	c = write(sv[0], &snap, sizeof(snap)) == sizeof(snap);
	FZ_CHECK(c, "write to the child: %s", strerror(errno));
	close(sv[0]);
	st = fz_wait_bounded(pid, FZ_WAIT_MS);
	FZ_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "child with a passed queue file%s: check %d failed (status 0x%x)",
		 handoff ? " (handed off)" : "",
		 WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
	fz_trace("SCM_RIGHTS of q%ld%s", (long)(q - g.q),
		 handoff ? ", handed off" : "");
	if (handoff)
		fz_check_counters("after the last holder of a passed queue exited");
}
