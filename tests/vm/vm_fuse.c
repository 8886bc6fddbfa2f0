// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A user-controlled sleep must never hold up other users (issue 7,
 * section 2). A tiny FUSE server (raw /dev/fuse protocol, no libfuse)
 * serves one read-only file and withholds every READ until the test lets
 * it answer. A job whose source is a never-touched page of that file makes
 * the device raise a page request whose resolution sleeps in FUSE. While
 * it sleeps, other processes must be able to open, start, use, PUT_Q and
 * close queues and use sysfs, and the stalled queue's owner must be able to
 * PUT_Q and close it. Once the server answers everything completes and the
 * kernel log stays quiet.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "vm_common.h"

/* ------------------------------------------------------------------ */
/* the FUSE server */

#define FUSE_FILE	"data"
#define FUSE_INO	2
#define FUSE_BUF	(256u << 10)
#define FUSE_MAXPEND	64

struct akfuse {
	char dir[64];		/* mount point */
	char path[96];		/* the served file */
	uint64_t size;
	pid_t pid;		/* server process */
	int ctl;		/* to the server: 'R' answer the READs */
	int ev;			/* from the server: 'r' per withheld READ */
	int mounted;
};

/* Contents of the served file. */
static inline uint8_t akfuse_byte(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 12) * 13 + 0x5a);
}

static void fuse_reply(int dev, uint64_t unique, int err, const void *body,
		       size_t len)
{
	struct fuse_out_header oh = {
		.len = (uint32_t)(sizeof(oh) + (err ? 0 : len)),
		.error = -err,
		.unique = unique,
	};
	struct iovec iov[2] = {
		{ &oh, sizeof(oh) },
		{ (void *)body, err ? 0 : len },
	};

	/* ENOENT: the request was interrupted meanwhile; nothing to do */
	if (writev(dev, iov, body && !err ? 2 : 1) < 0 && errno != ENOENT)
		_exit(30);
}

static void fuse_fill_attr(struct fuse_attr *a, uint64_t ino, uint64_t size)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0444;
		a->nlink = 1;
		a->size = size;
		a->blocks = (size + 511) / 512;
	}
	a->blksize = 4096;
}

static void fuse_reply_read(int dev, uint64_t unique, uint64_t off,
			    uint32_t size, uint64_t fsize, uint8_t *buf)
{
	uint64_t n = off >= fsize ? 0 : fsize - off, i;

	if (n > size)
		n = size;
	if (n > FUSE_BUF)
		n = FUSE_BUF;
	for (i = 0; i < n; i++)
		buf[i] = akfuse_byte(off + i);
	fuse_reply(dev, unique, 0, buf, (size_t)n);
}

struct pending_read {
	uint64_t unique, off;
	uint32_t size;
};

/* The server process: answers everything at once except READ, which is
 * held back until 'R' arrives on @ctl. Never returns. */
static void akfuse_serve(int dev, int ctl, int ev, uint64_t fsize)
{
	static struct pending_read pend[FUSE_MAXPEND];
	uint8_t *in = malloc(FUSE_BUF + 4096), *out = malloc(FUSE_BUF);
	int npend = 0, withhold = 1, i;

	if (!in || !out)
		_exit(31);
	for (;;) {
		struct pollfd pf[2] = {
			{ .fd = dev, .events = POLLIN },
			{ .fd = ctl, .events = POLLIN },
		};
		struct fuse_in_header *h = (struct fuse_in_header *)in;
		void *arg = in + sizeof(*h);
		ssize_t n;
		char c;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(32);
		}
		if (pf[1].revents) {
			if (read(ctl, &c, 1) != 1 || c != 'R')
				_exit(0);
			withhold = 0;
			for (i = 0; i < npend; i++)
				fuse_reply_read(dev, pend[i].unique, pend[i].off,
						pend[i].size, fsize, out);
			npend = 0;
		}
		if (pf[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			_exit(0);	/* unmounted: connection aborted */
		if (!(pf[0].revents & POLLIN))
			continue;
		n = read(dev, in, FUSE_BUF + 4096);
		if (n < 0) {
			if (errno == ENOENT || errno == EINTR || errno == EAGAIN)
				continue;
			_exit(errno == ENODEV ? 0 : 33);
		}
		if ((size_t)n < sizeof(*h))
			_exit(34);
		switch (h->opcode) {
		case FUSE_INIT: {
			struct fuse_init_in *ii = arg;
			struct fuse_init_out io;

			memset(&io, 0, sizeof(io));
			io.major = FUSE_KERNEL_VERSION;
			io.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ?
				   ii->minor : FUSE_KERNEL_MINOR_VERSION;
			io.max_readahead = ii->max_readahead;
			io.max_background = 16;
			io.congestion_threshold = 12;
			io.max_write = 4096;
			io.time_gran = 1;
			fuse_reply(dev, h->unique, 0, &io, sizeof(io));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out eo;

			if (h->nodeid != FUSE_ROOT_ID ||
			    strcmp((char *)arg, FUSE_FILE)) {
				fuse_reply(dev, h->unique, ENOENT, NULL, 0);
				break;
			}
			memset(&eo, 0, sizeof(eo));
			eo.nodeid = FUSE_INO;
			eo.entry_valid = 3600;
			eo.attr_valid = 3600;
			fuse_fill_attr(&eo.attr, FUSE_INO, fsize);
			fuse_reply(dev, h->unique, 0, &eo, sizeof(eo));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out ao;

			memset(&ao, 0, sizeof(ao));
			ao.attr_valid = 3600;
			fuse_fill_attr(&ao.attr, h->nodeid, fsize);
			fuse_reply(dev, h->unique, 0, &ao, sizeof(ao));
			break;
		}
		case FUSE_OPEN: {
			struct fuse_open_out oo;

			memset(&oo, 0, sizeof(oo));
			oo.fh = 1;
			fuse_reply(dev, h->unique, 0, &oo, sizeof(oo));
			break;
		}
		case FUSE_READ: {
			struct fuse_read_in *ri = arg;

			if (withhold && npend < FUSE_MAXPEND) {
				pend[npend].unique = h->unique;
				pend[npend].off = ri->offset;
				pend[npend].size = ri->size;
				npend++;
				if (write(ev, "r", 1) != 1)
					_exit(35);
				break;
			}
			fuse_reply_read(dev, h->unique, ri->offset, ri->size,
					fsize, out);
			break;
		}
		case FUSE_RELEASE:
		case FUSE_FLUSH:
		case FUSE_DESTROY:
			fuse_reply(dev, h->unique, 0, NULL, 0);
			break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;		/* no reply */
		default:
			fuse_reply(dev, h->unique, ENOSYS, NULL, 0);
			break;
		}
	}
}

static int stat_child(void *arg)
{
	struct akfuse *f = arg;
	struct stat st;

	if (stat(f->path, &st))
		return 1;
	return S_ISREG(st.st_mode) && (uint64_t)st.st_size == f->size ? 0 : 2;
}

/* Mount the server on a fresh directory; 0, or -1 with a message. */
static int akfuse_start(struct akfuse *f, uint64_t size, char *err,
			size_t elen)
{
	int dev, cp[2], ep[2], st, to;
	char opts[128], ws[64];

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	f->ctl = f->ev = -1;
	f->size = size;
	vm_fmt(f->dir, sizeof(f->dir), "/tmp/ak-fuse-%d", (int)getpid());
	vm_fmt(f->path, sizeof(f->path), "%s/" FUSE_FILE, f->dir);
	if (mkdir(f->dir, 0755) && errno != EEXIST) {
		snprintf(err, elen, "mkdir %s: %s", f->dir, strerror(errno));
		return -1;
	}
	dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		snprintf(err, elen,
			 "open /dev/fuse: %s (is fuse.ko in the initramfs and loaded by vm/init?)",
			 strerror(errno));
		return -1;
	}
	if (pipe2(cp, O_CLOEXEC) || pipe2(ep, O_CLOEXEC)) {
		snprintf(err, elen, "pipe: %s", strerror(errno));
		close(dev);
		return -1;
	}
	/* mount first: /dev/fuse polls POLLERR until it is mounted */
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", dev);
	if (mount("akfuse", f->dir, "fuse", MS_NOSUID | MS_NODEV, opts)) {
		snprintf(err, elen, "mount fuse on %s: %s", f->dir,
			 strerror(errno));
		close(dev);
		close(cp[0]);
		close(ep[1]);
		f->ctl = cp[1];
		f->ev = ep[0];
		return -1;
	}
	f->mounted = 1;
	fflush(NULL);
	f->pid = fork();
	if (f->pid == 0) {
		close(cp[1]);
		close(ep[0]);
		akfuse_serve(dev, cp[0], ep[1], size);
	}
	close(dev);
	close(cp[0]);
	close(ep[1]);
	f->ctl = cp[1];
	f->ev = ep[0];
	if (f->pid < 0) {
		snprintf(err, elen, "fork: %s", strerror(errno));
		return -1;
	}
	/* INIT, LOOKUP and GETATTR work (in a child: never hang the suite) */
	st = vm_run_child(stat_child, f, 20000, &to);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(err, elen, "stat %s through the FUSE server: %s%s",
			 f->path, vm_wstatus_str(st, ws, sizeof(ws)),
			 to ? " (timed out)" : "");
		return -1;
	}
	return 0;
}

/* Number of READs the server reported withholding within @ms (>= 1 once
 * one arrived; 0 if none did). */
static int akfuse_wait_read(struct akfuse *f, int ms)
{
	struct pollfd pf = { .fd = f->ev, .events = POLLIN };
	char buf[64];
	ssize_t n;

	if (poll(&pf, 1, ms) != 1)
		return 0;
	n = read(f->ev, buf, sizeof(buf));
	return n > 0 ? (int)n : 0;
}

static void akfuse_release(struct akfuse *f)
{
	if (f->ctl >= 0 && write(f->ctl, "R", 1) != 1)
		VM_FAIL("cannot tell the FUSE server to answer");
}

static void akfuse_stop(struct akfuse *f)
{
	int st, to;
	char ws[64];

	akfuse_release(f);
	if (f->mounted && umount2(f->dir, MNT_DETACH))
		VM_FAIL("umount %s: %s", f->dir, strerror(errno));
	f->mounted = 0;
	if (f->ctl >= 0)
		close(f->ctl);
	if (f->ev >= 0)
		close(f->ev);
	f->ctl = f->ev = -1;
	if (f->pid > 0) {
		st = vm_wait_child(f->pid, 20000, &to);
		VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !to,
			 "FUSE server: %s (30-35: protocol error)",
			 vm_wstatus_str(st, ws, sizeof(ws)));
	}
	f->pid = -1;
	rmdir(f->dir);
}

/* ------------------------------------------------------------------ */
/* children reporting their progress one character at a time */

struct kid {
	pid_t pid;
	int rfd;		/* non-blocking read end */
	int wfd;		/* the child's end (used in the child) */
	char seen[32];		/* characters received so far */
	int nseen;
	int done, status;
};

static int kid_spawn(struct kid *k, int (*fn)(struct kid *, void *), void *arg)
{
	int p[2];

	memset(k, 0, sizeof(*k));
	k->pid = -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(NULL);
	k->pid = fork();
	if (k->pid == 0) {
		close(p[0]);
		k->wfd = p[1];
		_exit(fn(k, arg));
	}
	close(p[1]);
	k->rfd = p[0];
	k->wfd = -1;
	fcntl(k->rfd, F_SETFL, O_NONBLOCK);
	return k->pid < 0 ? -1 : 0;
}

static void kid_say(struct kid *k, char c)
{
	if (write(k->wfd, &c, 1) != 1)
		_exit(99);
}

static void kid_poll(struct kid *k)
{
	char c;

	if (k->pid <= 0)
		return;
	while (read(k->rfd, &c, 1) == 1)
		if (k->nseen < (int)sizeof(k->seen) - 1)
			k->seen[k->nseen++] = c;
	if (!k->done && waitpid(k->pid, &k->status, WNOHANG) == k->pid) {
		k->done = 1;
		while (read(k->rfd, &c, 1) == 1)
			if (k->nseen < (int)sizeof(k->seen) - 1)
				k->seen[k->nseen++] = c;
	}
}

static int kid_has(struct kid *k, char c)
{
	return memchr(k->seen, c, (size_t)k->nseen) != NULL;
}

/* Wait until every kid exited or @deadline; returns how many exited. */
static int kids_wait(struct kid *k, int n, uint64_t deadline)
{
	int i, done;

	for (;;) {
		for (i = done = 0; i < n; i++) {
			kid_poll(&k[i]);
			done += k[i].done;
		}
		if (done == n || vm_now_ms() >= deadline)
			return done;
		usleep(10000);
	}
}

static void kid_kill(struct kid *k)
{
	int to;

	if (k->pid > 0 && !k->done) {
		k->status = vm_wait_child(k->pid, 0, &to);
		k->done = 1;
	}
	if (k->rfd > 0)
		close(k->rfd);
	k->rfd = -1;
}

/* ------------------------------------------------------------------ */
/* the test */

#define SRC_LEN		(64 * AK_PAGE)	/* the served file */
#define JOB_LEN		(2 * AK_PAGE)
#define N_OTHERS	3
#define ROUND_GUARD_MS	30000	/* failure guard while the READ is withheld */
#define AFTER_GUARD_MS	60000	/* failure guard once the server answered */

/* Another process: open, START_Q (ak_queue_open), COPY, PUT_Q, close,
 * sysfs. Says o j p c s; exits 0, or the step that failed. */
static int other_proc(struct kid *k, void *arg)
{
	struct ak_queue *q = NULL;
	uint8_t a[8192], b[8192];
	char p[512], v[64];
	int r;

	(void)arg;
	if (ak_queue_open(g_node, NULL, 0, &q))
		return 10;
	kid_say(k, 'o');
	vm_fill_random(a, sizeof(a), 99);
	memset(b, 0, sizeof(b));
	if (ak_copy(q, b, a, sizeof(a)) || memcmp(a, b, sizeof(a)))
		return 11;
	kid_say(k, 'j');
	if (ioctl(ak_queue_fd(q), UACCE_CMD_PUT_Q))
		return 12;
	kid_say(k, 'p');
	ak_queue_close(q);
	kid_say(k, 'c');
	if (vm_avail() < 0)
		return 13;
	vm_fmt(p, sizeof(p), "%s/algorithms", g_sysdir);
	if (vm_read_file(p, v, sizeof(v)) < 0)
		return 14;
	vm_fmt(p, sizeof(p), "%s/isolate_strategy", g_sysdir);
	r = vm_read_file(p, v, sizeof(v));
	if (r < 0 || vm_write_file(p, v))
		return 15;
	kid_say(k, 's');
	return 0;
}

#define OTHER_STEPS "o opened+started, j COPY done, p PUT_Q done, c closed, s sysfs read/written; exit 10 open, 11 COPY, 12 PUT_Q, 13-15 sysfs"

struct stalled_res {
	uint16_t status;
	uint64_t bytes;
	long bad;		/* first wrong byte, or -1 */
};

struct stalled_arg {
	struct akfuse *f;
	uint64_t off;		/* job source offset in the file */
	int put;		/* 1: PUT_Q + close on 'C'; 0: reap the job */
	int cmd;		/* read end of the commands from the test */
	struct stalled_res *res;	/* put=0: shared memory for the result */
};


/*
 * Owner of a queue whose COPY source is a never-touched page of the FUSE
 * file. Says 'S' once the job is submitted. put=1: on 'C' does PUT_Q
 * (says 'p', or 'E'), closes the queue (says 'c'), then waits for 'X'.
 * put=0: reaps its job, fills *res and says 'R'.
 */
static int stalled_owner(struct kid *k, void *argp)
{
	struct stalled_arg *a = argp;
	struct ak_queue *q = NULL;
	struct stalled_res *res = a->res;
	struct ak_result r;
	struct ak_job j;
	uint8_t *src, *dst;
	int fd;
	char c;

	if (ak_queue_open(g_node, NULL, 0, &q))
		return 20;
	fd = open(a->f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 21;
	src = mmap(NULL, SRC_LEN, PROT_READ, MAP_SHARED, fd, 0);
	dst = vm_alloc(JOB_LEN);
	if (src == MAP_FAILED || !dst)
		return 22;
	memset(dst, 0, JOB_LEN);
	memset(&j, 0, sizeof(j));
	j.op = AK_OP_COPY;
	j.tag = 1;
	j.src = src + a->off;
	j.dst = dst;
	j.len = JOB_LEN;
	if (ak_submit(q, &j))
		return 23;
	kid_say(k, 'S');
	if (a->put) {
		if (read(a->cmd, &c, 1) != 1 || c != 'C')
			return 24;
		kid_say(k, ioctl(ak_queue_fd(q), UACCE_CMD_PUT_Q) ? 'E' : 'p');
		ak_queue_close(q);
		kid_say(k, 'c');
		while (read(a->cmd, &c, 1) == 1 && c != 'X')
			;
		return 0;
	}
	if (vm_reap_n(q, &r, 1, 2 * AFTER_GUARD_MS + 2 * ROUND_GUARD_MS) != 1)
		return 25;
	res->status = r.status;
	res->bytes = r.bytes;
	res->bad = -1;
	for (size_t i = 0; i < JOB_LEN; i++)
		if (dst[i] != akfuse_byte(a->off + i)) {
			res->bad = (long)i;
			break;
		}
	kid_say(k, 'R');
	ak_queue_close(q);
	return 0;
}

static int klog_count(const char *needle)
{
	int size = klogctl(10, NULL, 0), n, count = 0;
	char *buf, *line, *save = NULL;

	if (size <= 0)
		return -1;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return -1;
	n = klogctl(3, buf, size);
	if (n < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		count += strstr(line, needle) != NULL;
	free(buf);
	return count;
}

static const char *const klog_words[] = { "accelkit", "hung", "blocked" };
#define N_KLOG_WORDS 3

static void others_report(struct kid *o, int n, const char *when)
{
	char ws[64];
	int i;

	for (i = 0; i < n; i++) {
		o[i].seen[o[i].nseen] = '\0';
		VM_CHECK(o[i].done && WIFEXITED(o[i].status) &&
			 WEXITSTATUS(o[i].status) == 0,
			 "%s: other process %d %s after steps \"%s\" (" OTHER_STEPS ")",
			 when, i,
			 o[i].done ? vm_wstatus_str(o[i].status, ws, sizeof(ws)) :
				     "had not finished",
			 o[i].seen);
	}
}

static void t_fuse_stall(void)
{
	struct kid P, P2, o1[N_OTHERS], o2[N_OTHERS];
	struct stalled_arg ap, ap2;
	struct stalled_res *res;
	int kl0[N_KLOG_WORDS], splats0, cp[2], i, reads, p_put, p_closed;
	char err[256], first[256], ws[64];
	struct akfuse f;
	uint64_t deadline;

	for (i = 0; i < N_KLOG_WORDS; i++)
		kl0[i] = klog_count(klog_words[i]);
	splats0 = vm_klog_splats(first, sizeof(first));
	VM_REQUIRE(kl0[0] >= 0 && splats0 >= 0, "cannot read the kernel log");
	if (akfuse_start(&f, SRC_LEN, err, sizeof(err))) {
		VM_FAIL("FUSE server: %s", err);
		akfuse_stop(&f);
		return;
	}
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	VM_REQUIRE(res != MAP_FAILED && pipe2(cp, O_CLOEXEC) == 0, "pipe");
	memset(res, 0, sizeof(*res));
	ap = (struct stalled_arg){ &f, 32 * AK_PAGE, 1, cp[0], NULL };
	ap2 = (struct stalled_arg){ &f, 0, 0, -1, res };
	VM_REQUIRE(kid_spawn(&P2, stalled_owner, &ap2) == 0 &&
		   kid_spawn(&P, stalled_owner, &ap) == 0, "fork");
	close(cp[0]);

	/* both jobs submitted, the server holds at least one READ */
	deadline = vm_now_ms() + ROUND_GUARD_MS;
	while (!(kid_has(&P, 'S') && kid_has(&P2, 'S')) && !P.done &&
	       !P2.done && vm_now_ms() < deadline) {
		kid_poll(&P);
		kid_poll(&P2);
		usleep(10000);
	}
	reads = akfuse_wait_read(&f, ROUND_GUARD_MS);
	VM_CHECK(kid_has(&P, 'S') && kid_has(&P2, 'S'),
		 "stalled owners did not submit: %s / %s (20-23 setup)",
		 P.done ? vm_wstatus_str(P.status, ws, sizeof(ws)) : "running",
		 P2.done ? "exited" : "running");
	VM_CHECK(reads > 0,
		 "the device's page request on the FUSE mapping never reached the server (no READ within %d s)",
		 ROUND_GUARD_MS / 1000);

	/* round 1: others use the device while the fault sleeps in FUSE */
	for (i = 0; i < N_OTHERS; i++)
		VM_CHECK(kid_spawn(&o1[i], other_proc, NULL) == 0, "fork");
	kids_wait(o1, N_OTHERS, vm_now_ms() + ROUND_GUARD_MS);
	others_report(o1, N_OTHERS, "while the FUSE READ was withheld");

	/* round 2: the stalled queue's owner PUT_Qs and closes it, others
	 * keep going at the same time */
	VM_CHECK(write(cp[1], "C", 1) == 1, "command");
	for (i = 0; i < N_OTHERS; i++)
		VM_CHECK(kid_spawn(&o2[i], other_proc, NULL) == 0, "fork");
	deadline = vm_now_ms() + ROUND_GUARD_MS;
	while (vm_now_ms() < deadline) {
		kid_poll(&P);
		if ((kid_has(&P, 'c') || P.done) &&
		    kids_wait(o2, N_OTHERS, 0) == N_OTHERS)
			break;
		usleep(10000);
	}
	kids_wait(o2, N_OTHERS, 0);
	p_put = kid_has(&P, 'p');
	p_closed = kid_has(&P, 'c');
	VM_CHECK(p_put,
		 "PUT_Q by the owner of the stalled queue %s while the FUSE server withheld the READ",
		 kid_has(&P, 'E') ? "failed" : "did not return");
	VM_CHECK(p_closed,
		 "close by the owner of the stalled queue did not return while the FUSE server withheld the READ");
	others_report(o2, N_OTHERS,
		      "while the stalled queue's owner was PUT_Q/closing it");

	/* the server answers: everything completes */
	akfuse_release(&f);
	deadline = vm_now_ms() + AFTER_GUARD_MS;
	kids_wait(o2, N_OTHERS, deadline);
	while (!kid_has(&P, 'c') && !P.done && vm_now_ms() < deadline) {
		kid_poll(&P);
		usleep(10000);
	}
	while (!P2.done && vm_now_ms() < deadline) {
		kid_poll(&P2);
		usleep(10000);
	}
	VM_CHECK(kid_has(&P, 'c'),
		 "the stalled queue's PUT_Q/close did not complete even after the FUSE server answered");
	for (i = 0; i < N_OTHERS; i++)
		VM_CHECK(o2[i].done, "other process %d still blocked after the FUSE server answered",
			 i);
	VM_CHECK(P2.done && WIFEXITED(P2.status) && WEXITSTATUS(P2.status) == 0,
		 "the other stalled owner: %s (25 job never completed)",
		 P2.done ? vm_wstatus_str(P2.status, ws, sizeof(ws)) :
			   "still running");
	if (kid_has(&P2, 'R')) {
		VM_CHECK(res->status == AK_ST_SUCCESS &&
			 res->bytes == JOB_LEN && res->bad < 0,
			 "COPY from the FUSE file after the server answered: status %u (%s), bytes %llu, first wrong byte %ld",
			 res->status, ak_status_str(res->status),
			 (unsigned long long)res->bytes, res->bad);
	} else {
		VM_FAIL("no result from the other stalled owner");
	}
	if (write(cp[1], "X", 1) != 1)
		kill(P.pid, SIGKILL);
	close(cp[1]);
	deadline = vm_now_ms() + AFTER_GUARD_MS;
	while (!P.done && vm_now_ms() < deadline) {
		kid_poll(&P);
		usleep(10000);
	}
	VM_CHECK(P.done && WIFEXITED(P.status) && WEXITSTATUS(P.status) == 0,
		 "stalled owner: %s", P.done ?
		 vm_wstatus_str(P.status, ws, sizeof(ws)) : "still running");
	kid_kill(&P);
	kid_kill(&P2);
	for (i = 0; i < N_OTHERS; i++) {
		kid_kill(&o1[i]);
		kid_kill(&o2[i]);
	}
	akfuse_stop(&f);
	munmap(res, sizeof(*res));

	for (i = 0; i < N_KLOG_WORDS; i++) {
		int k = klog_count(klog_words[i]);

		VM_CHECK(k == kl0[i],
			 "kernel log: %d new line(s) containing \"%s\"",
			 k - kl0[i], klog_words[i]);
	}
	VM_CHECK(vm_klog_splats(first, sizeof(first)) == splats0,
		 "kernel report during the FUSE stall: %s", first);
	{
		long a = vm_avail();
		uint64_t until = vm_now_ms() + AFTER_GUARD_MS;

		while (a != g_max_instances && vm_now_ms() < until) {
			usleep(20000);
			a = vm_avail();
		}
	}
	vm_check_instances_back();
}

static const struct ak_test fuse_tests[] = {
	{ "FUSE READ withheld under a page request: others unaffected, owner can PUT_Q/close", t_fuse_stall },
	{ NULL, NULL },
};

int add_fuse_suites(void)
{
	return ak_add_suite("hostile-fuse", NULL, NULL, fuse_tests);
}
