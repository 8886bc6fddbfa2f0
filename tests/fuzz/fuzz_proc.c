// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-fuzz: threads, exec and the DEFUNCT state (docs/testing.md).
 *
 * op_threads: 2-4 threads issue calls on the fuzzer's queue files (ioctls,
 * poll, mmap of a region already mapped, read) while the main thread
 * submits and reaps a batch. Each thread draws its calls from its own
 * stream, seeded from the run's; what a call must answer depends only on
 * the queue's state, which no thread changes meanwhile. So a seed still
 * decides every call and every expected result; only the interleaving
 * (and the timing) varies from run to run.
 *
 * op_exec: a forked child (from its main thread or from a second thread)
 * execs "ak-fuzz --exec-check SPEC": the queue files opened O_CLOEXEC are
 * gone, the others belong to another address space now (EPERM unless
 * shared; a shared queue answers for its state).
 *
 * op_adopt: a child opens a queue of its own, maps it, starts it, SHAREs
 * it or not, submits jobs (some on memory it never touched), passes the
 * file to the fuzzer and exits or is SIGKILLed: the fuzzer's slot holds a
 * DEFUNCT queue (EPERM for everything unless shared; then ESRCH, PUT_Q 0,
 * POLLERR|POLLHUP, mmap ESRCH) until a later step closes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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

int fz_defunct_errno(const struct fz_queue *q, unsigned long cmd)
{
	if (!q->shared)
		return EPERM;
	return cmd == UACCE_CMD_PUT_Q ? 0 : ESRCH;
}

/* ---- threads ---- */

struct fz_thr {
	pthread_t th;
	uint64_t rng;
	unsigned nops, ops;
};

static uint64_t thr_rnd(struct fz_thr *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void thr_call(struct fz_thr *t, struct fz_queue *q)
{
	bool usable = q->st == FQ_INIT || q->st == FQ_STARTED;
	bool dead = q->st == FQ_DEFUNCT;
	struct accelkit_queue_info qi;
	struct accelkit_queue_stats s;
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	unsigned long cmd;
	int r, e, want;
	short allowed;
	void *m;

	switch (thr_rnd(t) % 5) {
	case 0:
		r = ioctl(q->fd, ACCELKIT_CMD_QUEUE_INFO, &qi);
		e = FZ_ERR(r);
		want = dead ? fz_defunct_errno(q, ACCELKIT_CMD_QUEUE_INFO) :
		       usable ? 0 : EINVAL;
		FZ_CHECK(e == want, "thread: QUEUE_INFO in %d: %s, want %s",
			 q->st, strerror(e), strerror(want));
		break;
	case 1:
		r = ioctl(q->fd, ACCELKIT_CMD_QUEUE_STATS, &s);
		e = FZ_ERR(r);
		want = dead ? fz_defunct_errno(q, ACCELKIT_CMD_QUEUE_STATS) : 0;
		FZ_CHECK(e == want, "thread: QUEUE_STATS in %d: %s, want %s",
			 q->st, strerror(e), strerror(want));
		break;
	case 2:
		cmd = _IO('A', 0x70 + thr_rnd(t) % 8);
		r = ioctl(q->fd, cmd, NULL);
		e = FZ_ERR(r);
		want = dead ? fz_defunct_errno(q, cmd) : ENOTTY;
		FZ_CHECK(e == want, "thread: ioctl 0x%lx in %d: %s, want %s",
			 cmd, q->st, strerror(e), strerror(want));
		break;
	case 3:
		r = poll(&p, 1, 0);
		allowed = dead ? (q->shared ? POLLERR | POLLHUP : POLLERR) :
			  q->st == FQ_RELEASED ? POLLERR :
			  q->st == FQ_STARTED ? POLLIN : 0;
		FZ_CHECK(r >= 0 && !(p.revents & ~allowed) &&
			 (usable || p.revents == allowed),
			 "thread: poll in %d: %d revents 0x%x, allowed 0x%x",
			 q->st, r, p.revents, allowed);
		break;
	default:
		/* a region that is mapped: mapping it again never succeeds */
		if (!q->dus || !usable) {
			r = (int)read(q->fd, &s, 8);
			e = FZ_ERR(r);
			FZ_CHECK(e == EINVAL, "thread: read: %d %s, want EINVAL",
				 r, strerror(e));
			break;
		}
		m = mmap(NULL, (size_t)((q->qi.dus_size + FZ_PAGE - 1) &
					~(FZ_PAGE - 1)),
			 PROT_READ, MAP_SHARED, q->fd, (off_t)FZ_PAGE);
		e = m == MAP_FAILED ? errno : 0;
		FZ_CHECK(m == MAP_FAILED && e == EEXIST,
			 "thread: mmap of the mapped rings: %s, want EEXIST",
			 strerror(e));
		break;
	}
	t->ops++;
}

static void *thr_main(void *arg)
{
	struct fz_thr *t = arg;
	unsigned k;

	for (k = 0; k < t->nops; k++) {
		struct fz_queue *q = &g.q[thr_rnd(t) % FZ_NQ];

		if (q->st != FQ_CLOSED)
			thr_call(t, q);
	}
	return NULL;
}

void op_threads(void)
{
	struct fz_thr t[4];
	unsigned n = 2 + (unsigned)fz_below(3), i;
	struct fz_queue *sub = NULL;

	for (i = 0; i < FZ_NQ; i++)
		if (fz_can_submit(&g.q[i]))
			sub = &g.q[i];
	for (i = 0; i < n; i++) {
		t[i].rng = fz_rnd();
		t[i].nops = 4 + (unsigned)fz_below(13);
		t[i].ops = 0;
		FZ_CHECK(!pthread_create(&t[i].th, NULL, thr_main, &t[i]),
			 "pthread_create");
	}
	/* the main thread meanwhile: jobs, no state change */
	if (sub)
		op_submit(sub);
	for (i = 0; i < n; i++) {
		pthread_join(t[i].th, NULL);
		g.s.ops += t[i].ops;
	}
	g.s.threads += n;
	fz_trace("%u threads", n);
}

/* ---- exec ---- */

/*
 * "ak-fuzz --exec-check SPEC", SPEC = "fd:cloexec:state:shared," per
 * queue. Exit 0, or 10 * (entry + 1) + check: 1 an O_CLOEXEC queue
 * survived, 2 another did not, 3 QUEUE_INFO, 4 poll.
 */
int fz_exec_check_main(int argc, char **argv)
{
	const char *p;
	int i = 0;

	if (argc < 3)
		return 2;
	for (p = argv[2]; *p; i++) {
		int fd, cx, st, sh, n = 0, e, want, r;
		struct accelkit_queue_info qi;
		struct pollfd pf;
		short rev;

		if (sscanf(p, "%d:%d:%d:%d,%n", &fd, &cx, &st, &sh, &n) != 4 ||
		    !n)
			return 3;
		p += n;
		if (cx) {
			if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
				return 10 * (i + 1) + 1;
			continue;
		}
		if (fcntl(fd, F_GETFD) < 0)
			return 10 * (i + 1) + 2;
		r = ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi);
		e = FZ_ERR(r);
		want = !sh ? EPERM : st == FQ_DEFUNCT ? ESRCH :
		       st == FQ_RELEASED ? EINVAL : 0;
		if (e != want)
			return 10 * (i + 1) + 3;
		pf.fd = fd;
		pf.events = POLLIN;
		pf.revents = 0;
		if (poll(&pf, 1, 0) < 0)
			return 10 * (i + 1) + 4;
		rev = !sh || st == FQ_RELEASED ? POLLERR :
		      st == FQ_DEFUNCT ? POLLERR | POLLHUP : -1;
		if (rev >= 0 ? pf.revents != rev : (pf.revents & ~POLLIN) != 0)
			return 10 * (i + 1) + 4;
	}
	return 0;
}

static char exec_spec[256];

static void *exec_thread(void *arg)
{
	(void)arg;
	execl("/proc/self/exe", "ak-fuzz", "--exec-check", exec_spec,
	      (char *)NULL);
	_exit(127);
	return NULL;
}

void op_exec(void)
{
	bool from_thread = fz_chance(50);
	size_t o = 0;
	int i, st;
	pid_t pid;

	exec_spec[0] = '\0';
	for (i = 0; i < FZ_NQ; i++) {
		struct fz_queue *q = &g.q[i];

		if (q->st == FQ_CLOSED)
			continue;
		o += (size_t)snprintf(exec_spec + o, sizeof(exec_spec) - o,
				      "%d:%d:%d:%d,", q->fd, q->cloexec,
				      q->st, q->shared);
		fz_op();
	}
	fz_op();
	fflush(NULL);
	pid = fork();
	FZ_CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		pthread_t th;

		if (from_thread && !pthread_create(&th, NULL, exec_thread, NULL))
			pause();
		exec_thread(NULL);
	}
	g.s.forks++;
	g.s.execs++;
	st = fz_wait_bounded(pid, FZ_WAIT_MS);
	fz_trace("exec%s: spec %s: status 0x%x",
		 from_thread ? " from a thread" : "", exec_spec, st);
	FZ_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "exec%s with queues \"%s\" (fd:cloexec:state:shared): check %d (10*(entry+1) + 1 O_CLOEXEC survived, 2 gone, 3 QUEUE_INFO, 4 poll; 127 exec failed), status 0x%x",
		 from_thread ? " from a thread" : "", exec_spec,
		 WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
}

/* ---- a queue whose owner died: DEFUNCT ---- */

struct adopt_msg {
	int err;
	struct accelkit_queue_info qi;
};

/* The child owner: open, map, start, share?, jobs, pass the file. */
static void __attribute__((noreturn)) adopt_child(int sock, bool shared,
						  unsigned njobs)
{
	struct adopt_msg m;
	uint8_t *db, *dus, *mem;
	unsigned i;
	int fd, j;
	char c;

	memset(&m, 0, sizeof(m));
	for (j = 0; j < FZ_NQ; j++)
		if (g.q[j].st != FQ_CLOSED)
			close(g.q[j].fd);
	fd = open(g.node, O_RDWR);
	if (fd < 0 || ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &m.qi))
		_exit(10);
	db = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dus = mmap(NULL, (m.qi.dus_size + FZ_PAGE - 1) & ~(FZ_PAGE - 1),
		   PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   (off_t)UACCE_QFRT_DUS * (off_t)FZ_PAGE);
	mem = mmap(NULL, 64 * FZ_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (db == MAP_FAILED || dus == MAP_FAILED || mem == MAP_FAILED ||
	    ioctl(fd, UACCE_CMD_START_Q) ||
	    (shared && ioctl(fd, ACCELKIT_CMD_SHARE)))
		_exit(11);
	for (i = 0; i < njobs && i < m.qi.depth - 1; i++) {
		struct aks_desc *d = (struct aks_desc *)(void *)
				     (dus + m.qi.sq_offset) + i;

		memset(d, 0, sizeof(*d));
		/* FILL and COPY on memory never touched: page requests */
		d->opcode = i % 2 ? AKS_OP_FILL : AKS_OP_COPY;
		d->src = (uint64_t)(uintptr_t)(mem + (size_t)(i % 32) * FZ_PAGE);
		d->dst = (uint64_t)(uintptr_t)(mem + (size_t)(32 + i % 32) * FZ_PAGE);
		d->len = 1 + i * 97 % FZ_PAGE;
		d->tag = i;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(void *)(db + AKS_DB_SQ_TAIL) = i;
	if (write(sock, &m, sizeof(m)) != sizeof(m) || fz_send_fd(sock, fd))
		_exit(12);
	/* die when told (or be killed) */
	if (read(sock, &c, 1) < 0)
		_exit(13);
	_exit(0);
}

void op_adopt(void)
{
	struct fz_queue *q = NULL;
	struct adopt_msg m;
	bool shared = fz_chance(60), kill_it = fz_chance(50);
	unsigned njobs = (unsigned)fz_below(24);
	int sv[2], i, fd, st;
	pid_t pid;

	for (i = 0; i < FZ_NQ; i++)
		if (g.q[i].st == FQ_CLOSED) {
			q = &g.q[i];
			break;
		}
	if (!q || fz_hw_queues() + 2 > (int)g.max_inst)
		return;
	FZ_CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
		 "socketpair: %s", strerror(errno));
	fz_op();
	fflush(NULL);
	pid = fork();
	FZ_CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		close(sv[0]);
		adopt_child(sv[1], shared, njobs);
	}
	close(sv[1]);
	g.s.forks++;
	FZ_CHECK(read(sv[0], &m, sizeof(m)) == sizeof(m),
		 "the owner child failed before passing its queue");
	fd = fz_recv_fd(sv[0]);
	FZ_CHECK(fd >= 0, "no queue file from the owner child");
	fz_op();
	if (kill_it) {
		kill(pid, SIGKILL);
		g.s.kills++;
	} else {
		FZ_CHECK(write(sv[0], "x", 1) == 1, "write: %s", strerror(errno));
	}
	close(sv[0]);
	st = fz_wait_bounded(pid, FZ_WAIT_MS);
	FZ_CHECK(kill_it ? WIFSIGNALED(st) : WIFEXITED(st) && !WEXITSTATUS(st),
		 "the owner child: status 0x%x", st);
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->qi = m.qi;
	q->st = FQ_DEFUNCT;
	q->shared = shared;
	q->cloexec = true;	/* MSG_CMSG_CLOEXEC */
	g.s.defunct++;
	fz_trace("adopted q%ld fd %d (%s, owner %s, %u jobs in flight)",
		 (long)(q - g.q), fd, shared ? "shared" : "private",
		 kill_it ? "killed" : "exited", njobs);
	/* the owner's exit returned its queue and PASID: bounded wait */
	fz_check_counters("after the owner of a passed queue died");
}
