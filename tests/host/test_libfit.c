// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Library fit and finish (issue 10): a pending request submitted again,
 * session close with requests pending (device path on the simulator, and
 * in a forked child), streams and digests used after their session
 * closed, one version everywhere, ak_session_open2, ak_strerror, zlib's
 * level conventions (-1, 0).
 *
 * Scenarios that loop forever on a broken library (the old done list
 * pointing at itself) run in a child with an alarm; the parent asserts
 * its exit status.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "sim.h"
#include "suites.h"
#include "../../lib/alg/session.h"

#ifndef AK_TOP_DIR
#error "AK_TOP_DIR (the source tree) comes from tests/Makefile"
#endif

/* ---- helpers ---------------------------------------------------- */

/* A session on the device path whose queue is the simulator's. */
static struct ak_session *sim_session(struct sim *sim, int alg,
				      uint32_t depth)
{
	struct ak_session *s = NULL;

	if (ak_session_open(alg, NULL, AK_SF_SOFTWARE, &s))
		return NULL;
	s->q = sim_queue_new(sim, depth, 0);
	if (!s->q) {
		ak_session_close(s);
		return NULL;
	}
	sim->hash = true;
	if (sim_detach(sim)) {
		ak_session_close(s);
		return NULL;
	}
	s->path = AK_PATH_DEVICE;
	s->auto_path = false;
	s->pid = getpid();
	s->max_xfer = sim->max_xfer;
	return s;
}

static int cb_count;

static void count_cb(struct ak_req *r)
{
	(void)r;
	cb_count++;
}

static void digest_req(struct ak_req *r, const void *msg, size_t len,
		       uint8_t *out)
{
	memset(r, 0, sizeof(*r));
	r->op = AK_REQ_DIGEST;
	r->src = msg;
	r->len = len;
	r->dst = out;
	r->dst_len = 32;
	r->cb = count_cb;
}

static void sha256(const void *msg, size_t len, uint8_t *out)
{
	unsigned n = 0;

	EVP_Digest(msg, len, out, &n, EVP_sha256(), NULL);
}

/* In a child: report the first failed check as the exit status. */
#define CHILD_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: child check failed: %s\n",	\
			__FILE__, __LINE__, #c);			\
		_exit(1);						\
	}								\
} while (0)

/* Run @fn in a child with a 20 s alarm; 0 if it exited 0. */
static int in_child(void (*fn)(void))
{
	int st = 0;
	pid_t p;

	fflush(NULL);
	p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		alarm(20);
		fn();
		_exit(0);
	}
	if (waitpid(p, &st, 0) != p)
		return -1;
	if (WIFSIGNALED(st))
		fprintf(stderr, "child killed by signal %d\n", WTERMSIG(st));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- a request still pending is not submitted again --------------- */

static struct ak_req *resub_req;
static int resub_left;

/* Resubmits itself from its callback while resub_left > 0. */
static void resub_cb(struct ak_req *r)
{
	cb_count++;
	if (resub_left-- > 0)
		CHILD_CHECK(ak_alg_submit(r->user, r) == 0);
	resub_req = r;
}

static void resubmit_software(void)
{
	struct ak_session *s = NULL, *s2 = NULL;
	struct ak_req req;
	uint8_t out[32], exp[32];

	sha256("abc", 3, exp);
	CHILD_CHECK(ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE, &s) == 0);
	CHILD_CHECK(ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE, &s2) == 0);
	memset(&req, 0xa5, sizeof(req));	/* garbage before the first submit */
	digest_req(&req, "abc", 3, out);
	memset(req.priv, 0xa5, sizeof(req.priv));
	cb_count = 0;
	CHILD_CHECK(ak_alg_submit(s, &req) == 0);
	/* Done on the software path but not delivered: still pending. */
	CHILD_CHECK(ak_alg_submit(s, &req) == -EBUSY);
	CHILD_CHECK(ak_alg_submit(s2, &req) == -EBUSY);	/* nor elsewhere */
	CHILD_CHECK(ak_alg_pending(s) == 1 && ak_alg_pending(s2) == 0);
	CHILD_CHECK(ak_alg_poll(s, 0) == 1);
	CHILD_CHECK(cb_count == 1);
	CHILD_CHECK(req.status == 0 && memcmp(out, exp, 32) == 0);
	CHILD_CHECK(ak_alg_poll(s, 0) == -ENOMSG);
	CHILD_CHECK(cb_count == 1);
	/* Delivered: may go again, here from its own callback (twice). */
	req.cb = resub_cb;
	req.user = s;
	resub_left = 2;
	CHILD_CHECK(ak_alg_submit(s, &req) == 0);
	/* software: each resubmission is done at once and delivered by the
	 * same poll */
	CHILD_CHECK(ak_alg_poll(s, 0) == 3);
	CHILD_CHECK(ak_alg_poll(s, 0) == -ENOMSG);
	CHILD_CHECK(cb_count == 4 && resub_req == &req);
	/* and on the other session once delivered */
	req.cb = count_cb;
	CHILD_CHECK(ak_alg_submit(s2, &req) == 0);
	CHILD_CHECK(ak_alg_wait(s2, &req) == 0);
	ak_session_close(s);
	ak_session_close(s2);
}

static void resubmit_device(void)
{
	struct sim sim;
	struct ak_session *s = sim_session(&sim, AK_ALG_SHA256, 8);
	struct ak_req req;
	uint8_t out[32], exp[32];

	CHILD_CHECK(s);
	sha256("hello", 5, exp);
	digest_req(&req, "hello", 5, out);
	cb_count = 0;
	CHILD_CHECK(ak_alg_submit(s, &req) == 0);
	CHILD_CHECK(req.status == -EINPROGRESS);	/* visible while pending */
	CHILD_CHECK(ak_alg_submit(s, &req) == -EBUSY);
	CHILD_CHECK(ak_queue_inflight(s->q) == 1);	/* one job, not two */
	CHILD_CHECK(sim_step(&sim) == 1);
	CHILD_CHECK(ak_alg_poll(s, 0) == 1);
	CHILD_CHECK(cb_count == 1 && req.status == 0 && req.out_len == 32);
	CHILD_CHECK(memcmp(out, exp, 32) == 0);
	CHILD_CHECK(ak_alg_pending(s) == 0);
	CHILD_CHECK(ak_alg_poll(s, 0) == -ENOMSG);
	ak_session_close(s);
	sim_release(&sim);
}

static void t_resubmit(void)
{
	CU_ASSERT_EQUAL(in_child(resubmit_software), 0);
	CU_ASSERT_EQUAL(in_child(resubmit_device), 0);
}

/* ---- session close with requests pending -------------------------- */

static void t_close_pending(void)
{
	enum { N = 7 };
	struct sim sim;
	struct ak_session *s = sim_session(&sim, AK_ALG_SHA256, 4);
	struct ak_req req[N];
	uint8_t out[N][32], exp[N][32];
	char msg[N][16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	cb_count = 0;
	for (int i = 0; i < N; i++) {
		snprintf(msg[i], sizeof(msg[i]), "message %d", i);
		sha256(msg[i], strlen(msg[i]), exp[i]);
		memset(out[i], 0, 32);
		digest_req(&req[i], msg[i], strlen(msg[i]), out[i]);
		CU_ASSERT_EQUAL(ak_alg_submit(s, &req[i]), 0);
	}
	/* Depth 4: three jobs in the ring, four held back. */
	CU_ASSERT_EQUAL(ak_queue_inflight(s->q), 3);
	CU_ASSERT_EQUAL(ak_alg_pending(s), N);
	CU_ASSERT_EQUAL(sim_step(&sim), 3);	/* finished, not delivered */
	CU_ASSERT_EQUAL_FATAL(sim_start(&sim), 0);
	ak_session_close(s);
	sim_stop(&sim);
	sim_release(&sim);
	/* Every request completed with its real result; no callback. */
	CU_ASSERT_EQUAL(cb_count, 0);
	for (int i = 0; i < N; i++) {
		CU_ASSERT_EQUAL(req[i].status, 0);
		CU_ASSERT_EQUAL(req[i].out_len, 32);
		CU_ASSERT_EQUAL(memcmp(out[i], exp[i], 32), 0);
	}
}

/* More requests than the ring holds: the held-back ones start as
 * ak_alg_poll() finds room, and all are delivered in order. */
static int order_next, order_bad;

static void order_cb(struct ak_req *r)
{
	if (*(int *)r->user != order_next++)
		order_bad++;
}

static void t_backlog(void)
{
	enum { N = 25 };
	struct sim sim;
	struct ak_session *s = sim_session(&sim, AK_ALG_SHA256, 4);
	struct ak_req req[N];
	uint8_t out[N][32], exp[N][32];
	char msg[N][16];
	int id[N], n = 0, r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	order_next = order_bad = 0;
	for (int i = 0; i < N; i++) {
		snprintf(msg[i], sizeof(msg[i]), "block %d", i);
		sha256(msg[i], strlen(msg[i]), exp[i]);
		digest_req(&req[i], msg[i], strlen(msg[i]), out[i]);
		id[i] = i;
		req[i].user = &id[i];
		req[i].cb = order_cb;
		CU_ASSERT_EQUAL(ak_alg_submit(s, &req[i]), 0);
	}
	CU_ASSERT_EQUAL(ak_queue_inflight(s->q), 3);
	CU_ASSERT_EQUAL_FATAL(sim_start(&sim), 0);
	while (n < N && (r = ak_alg_poll(s, -1)) > 0)
		n += r;
	sim_stop(&sim);
	CU_ASSERT_EQUAL(n, N);
	CU_ASSERT_EQUAL(order_next, N);
	CU_ASSERT_EQUAL(order_bad, 0);
	CU_ASSERT_EQUAL(ak_alg_poll(s, 0), -ENOMSG);
	for (int i = 0; i < N; i++) {
		CU_ASSERT_EQUAL(req[i].status, 0);
		CU_ASSERT_EQUAL(memcmp(out[i], exp[i], 32), 0);
	}
	ak_session_close(s);
	sim_release(&sim);
}

/* A forked child closing the parent's session: the requests pending at
 * fork() read -ECANCELED there (not 0, which would claim success). */
static struct sim fork_sim;
static struct ak_session *fork_sess;
static struct ak_req fork_req[3];

static void close_in_child(void)
{
	for (int i = 0; i < 3; i++)
		CHILD_CHECK(fork_req[i].status == -EINPROGRESS ||
			    fork_req[i].status == 0);
	ak_session_close(fork_sess);
	for (int i = 0; i < 3; i++)
		CHILD_CHECK(fork_req[i].status == -ECANCELED);
	CHILD_CHECK(cb_count == 0);
}

static void t_close_forked(void)
{
	uint8_t out[3][32], exp[32];

	fork_sess = sim_session(&fork_sim, AK_ALG_SHA256, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fork_sess);
	sha256("x", 1, exp);
	cb_count = 0;
	for (int i = 0; i < 3; i++) {
		digest_req(&fork_req[i], "x", 1, out[i]);
		CU_ASSERT_EQUAL(ak_alg_submit(fork_sess, &fork_req[i]), 0);
		CU_ASSERT_EQUAL(fork_req[i].status, -EINPROGRESS);
	}
	CU_ASSERT_EQUAL(sim_step(&fork_sim), 1);	/* depth 2: one job */
	CU_ASSERT_EQUAL(in_child(close_in_child), 0);
	/* The parent's requests are untouched by the child. */
	CU_ASSERT_EQUAL_FATAL(sim_start(&fork_sim), 0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(ak_alg_wait(fork_sess, &fork_req[i]), 0);
	sim_stop(&fork_sim);
	CU_ASSERT_EQUAL(cb_count, 3);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(memcmp(out[i], exp, 32), 0);
	ak_session_close(fork_sess);
	sim_release(&fork_sim);
}

/* ---- ak_session_fd ------------------------------------------------ */

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void t_session_fd(void)
{
	struct ak_session *s = NULL;
	struct ak_req req, small;
	uint8_t out[32];
	struct sim sim;
	int fd;

	/* software: completions happen in submit, the fd says so */
	CU_ASSERT_EQUAL_FATAL(ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE, &s), 0);
	fd = ak_session_fd(s);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(ak_session_fd(s), fd);	/* the same one */
	CU_ASSERT(!readable(fd));
	digest_req(&req, "abc", 3, out);
	CU_ASSERT_EQUAL(ak_alg_submit(s, &req), 0);
	CU_ASSERT(readable(fd));
	CU_ASSERT_EQUAL(ak_alg_poll(s, 0), 1);
	CU_ASSERT(!readable(fd));
	ak_session_close(s);
	CU_ASSERT_EQUAL(ak_session_fd(NULL), -EINVAL);

	/* device (simulator): the queue's completion wakes it, and so does
	 * a request completed at submit (-ENOSPC) */
	s = sim_session(&sim, AK_ALG_SHA256, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	fd = ak_session_fd(s);
	CU_ASSERT(fd >= 0);
	CU_ASSERT(!readable(fd));
	digest_req(&req, "abc", 3, out);
	CU_ASSERT_EQUAL(ak_alg_submit(s, &req), 0);
	CU_ASSERT(!readable(fd));		/* the job has not run */
	CU_ASSERT_EQUAL(sim_step(&sim), 1);
	CU_ASSERT(readable(fd));
	CU_ASSERT_EQUAL(ak_alg_poll(s, 0), 1);
	CU_ASSERT_EQUAL(req.status, 0);
	sim_step(&sim);				/* the model drains its fd */
	CU_ASSERT(!readable(fd));
	digest_req(&small, "abc", 3, out);
	small.dst_len = 8;
	CU_ASSERT_EQUAL(ak_alg_submit(s, &small), 0);
	CU_ASSERT(readable(fd));
	CU_ASSERT_EQUAL(ak_alg_poll(s, 0), 1);
	CU_ASSERT_EQUAL(small.status, -ENOSPC);
	CU_ASSERT(!readable(fd));
	ak_session_close(s);
	sim_release(&sim);
}

/* ---- streams and digests outliving their session ------------------ */

static int null_sink(void *arg, const void *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static void t_after_close(void)
{
	struct ak_session *z = NULL, *h = NULL, *dev;
	struct ak_stream *st = NULL, *st2 = NULL;
	struct ak_digest *d = NULL, *d2 = NULL, *dd = NULL;
	struct ak_stream_info info;
	uint8_t md[64];
	size_t ml = sizeof(md);
	struct sim sim;

	/* software path */
	CU_ASSERT_EQUAL_FATAL(ak_session_open(AK_ALG_GZIP, NULL, AK_SF_SOFTWARE, &z), 0);
	CU_ASSERT_EQUAL_FATAL(ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE, &h), 0);
	CU_ASSERT_EQUAL(ak_stream_new(z, AK_COMPRESS, 6, null_sink, NULL, &st), 0);
	CU_ASSERT_EQUAL(ak_stream_new(z, AK_DECOMPRESS, 0, null_sink, NULL, &st2), 0);
	CU_ASSERT_EQUAL(ak_digest_new(h, &d), 0);
	CU_ASSERT_EQUAL(ak_digest_new(h, &d2), 0);
	CU_ASSERT_EQUAL(ak_stream_feed(st, "abc", 3), 0);
	CU_ASSERT_EQUAL(ak_digest_update(d, "abc", 3), 0);
	ak_digest_free(d2);		/* one freed before the close */
	ak_session_close(z);
	ak_session_close(h);
	CU_ASSERT_EQUAL(ak_stream_feed(st, "abc", 3), -EBADF);
	CU_ASSERT_EQUAL(ak_stream_finish(st), -EBADF);
	CU_ASSERT_EQUAL(ak_stream_feed(st2, "\x1f\x8b", 2), -EBADF);
	CU_ASSERT_EQUAL(ak_stream_info(st, &info), 0);	/* counters stay */
	CU_ASSERT_EQUAL(info.total_in, 3);
	CU_ASSERT_EQUAL(ak_digest_update(d, "abc", 3), -EBADF);
	CU_ASSERT_EQUAL(ak_digest_final(d, md, &ml), -EBADF);
	ak_stream_free(st);
	ak_stream_free(st2);
	ak_digest_free(d);

	/* device path: the free must not touch the freed session (ASan) */
	dev = sim_session(&sim, AK_ALG_SHA256, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(ak_digest_new(dev, &dd), 0);
	CU_ASSERT_EQUAL(ak_digest_update(dd, "abc", 3), 0);	/* buffered */
	ak_session_close(dev);
	CU_ASSERT_EQUAL(ak_digest_update(dd, "abc", 3), -EBADF);
	ml = sizeof(md);
	CU_ASSERT_EQUAL(ak_digest_final(dd, md, &ml), -EBADF);
	ak_digest_free(dd);
	sim_release(&sim);
}

/* ---- one version ------------------------------------------------- */

static int read_line(const char *path, const char *prefix, char *buf,
		     size_t len)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t pl = strlen(prefix);
	int r = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, pl)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%s", line + pl);
			r = 0;
			break;
		}
	fclose(f);
	return r;
}

static void t_version(void)
{
	char file[64] = "", pc[64] = "", hdr[32], so[PATH_MAX];
	const char *(*dl_version)(void);
	void *h;

	snprintf(hdr, sizeof(hdr), "%d.%d.%d", AK_VERSION_MAJOR,
		 AK_VERSION_MINOR, AK_VERSION_PATCH);
	CU_ASSERT_STRING_EQUAL(hdr, AK_VERSION_STRING);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ak_version());
	CU_ASSERT_STRING_EQUAL(ak_version(), AK_VERSION_STRING);
	CU_ASSERT_EQUAL(AK_VERSION_NUM, AK_VERSION(AK_VERSION_MAJOR,
		AK_VERSION_MINOR, AK_VERSION_PATCH));
	CU_ASSERT(AK_VERSION_NUM >= AK_VERSION(1, 1, 0));
	/* the VERSION file */
	CU_ASSERT_EQUAL_FATAL(read_line(AK_TOP_DIR "/VERSION", "", file,
					sizeof(file)), 0);
	CU_ASSERT_STRING_EQUAL(file, AK_VERSION_STRING);
	/* the shared object built in lib/: real name, soname, ak_version() */
	snprintf(so, sizeof(so), AK_TOP_DIR "/lib/libaccelkit.so.%s", file);
	CU_ASSERT_EQUAL(access(so, R_OK), 0);
	snprintf(so, sizeof(so), AK_TOP_DIR "/lib/libaccelkit.so.%d",
		 AK_VERSION_MAJOR);
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	*(void **)&dl_version = dlsym(h, "ak_version");
	CU_ASSERT_PTR_NOT_NULL(dl_version);
	if (dl_version)
		CU_ASSERT_STRING_EQUAL(dl_version(), file);
	dlclose(h);
	/* the pkg-config file */
	CU_ASSERT_EQUAL(read_line(AK_TOP_DIR "/lib/libaccelkit.pc",
				  "Version: ", pc, sizeof(pc)), 0);
	CU_ASSERT_STRING_EQUAL(pc, file);
}

/* ---- argument order ------------------------------------------------ */

static void t_open2(void)
{
	struct ak_session *a = NULL, *b = NULL;

	/* node first, like ak_queue_open() */
	CU_ASSERT_EQUAL(ak_session_open2(NULL, AK_ALG_SHA512, AK_SF_SOFTWARE, &a), 0);
	CU_ASSERT_EQUAL(ak_session_alg(a), AK_ALG_SHA512);
	CU_ASSERT_EQUAL(ak_session_path(a), AK_PATH_SOFTWARE);
	/* the old order keeps its meaning */
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_SHA512, NULL, AK_SF_SOFTWARE, &b), 0);
	CU_ASSERT_EQUAL(ak_session_alg(b), AK_ALG_SHA512);
	ak_session_close(a);
	ak_session_close(b);
	/* the node reaches the queue open the same way for both */
	CU_ASSERT_EQUAL(ak_session_open2("/nonexistent/accelkit-9", AK_ALG_SHA256,
					 AK_SF_DEVICE, &a), -ENOENT);
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_SHA256, "/nonexistent/accelkit-9",
					AK_SF_DEVICE, &b), -ENOENT);
	CU_ASSERT_EQUAL(ak_session_open2(NULL, 0, AK_SF_SOFTWARE, &a), -EINVAL);
	CU_ASSERT_EQUAL(ak_session_open2(NULL, AK_ALG_SHA256, 0x100, &a), -EINVAL);
}

/* ---- ak_strerror -------------------------------------------------- */

static void t_strerror(void)
{
	static const int errs[] = {
		EINVAL, ENODEV, EBADMSG, ENOSPC, EMSGSIZE, ESTALE, EBADF,
		EBUSY, ECANCELED, EINPROGRESS, ENOMSG, ETIMEDOUT, EFAULT,
		ESRCH, EIO, ENOMEM, EPROTO, ENOTTY, EOPNOTSUPP, ENOENT,
	};

	CU_ASSERT_STRING_EQUAL(ak_strerror(0), "success");
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *m = ak_strerror(-errs[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT(strlen(m) > 4);
		CU_ASSERT_PTR_EQUAL(ak_strerror(errs[i]), m);	/* sign */
	}
	/* the library's wording where it means something specific */
	CU_ASSERT_PTR_NOT_NULL(strstr(ak_strerror(-EBADMSG), "corrupt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ak_strerror(-ENODEV), "accelkit device"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ak_strerror(-EBADF), "session"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ak_strerror(-ECANCELED), "closed"));
	/* else the C library's */
	CU_ASSERT_STRING_EQUAL(ak_strerror(-ENOENT), strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(ak_strerror(-ENOMEM), strerror(ENOMEM));
	CU_ASSERT_STRING_EQUAL(ak_strerror(-99999), "unknown error");
	CU_ASSERT_STRING_EQUAL(ak_strerror(INT_MIN), "unknown error");
}

/* ---- zlib's levels: -1 (default), 0 (store) ------------------------- */

static const int frames[] = { AK_ALG_DEFLATE, AK_ALG_ZLIB, AK_ALG_GZIP };
static const int wbits[] = { -15, 15, 31 };

/* What zlib itself gives at @level. */
static size_t zlib_ref(int wb, int level, const void *src, size_t len,
		       uint8_t *out, size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, wb, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	n = deflate(&z, Z_FINISH) == Z_STREAM_END ? cap - z.avail_out : 0;
	deflateEnd(&z);
	return n;
}

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_sink(void *arg, const void *data, size_t len)
{
	struct buf *b = arg;

	if (b->len + len > b->cap)
		return -ENOSPC;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

static void check_levels(struct ak_session *s, int f, const uint8_t *src,
			 size_t n)
{
	size_t cap = ak_compress_bound(s, n), cl, rl, dl;
	uint8_t *c = malloc(cap), *ref = malloc(cap), *d = malloc(n);
	struct buf b = { malloc(cap), 0, cap };
	struct ak_stream *st = NULL;
	struct ak_req req;
	const int lv[] = { AK_NO_COMPRESSION, AK_DEFAULT_COMPRESSION };

	for (int i = 0; i < 2; i++) {
		/* -1 is level 6, byte for byte; 0 is zlib's stored stream */
		rl = zlib_ref(wbits[f], lv[i] < 0 ? 6 : lv[i], src, n, ref, cap);
		CU_ASSERT(rl > 0);
		cl = cap;
		CU_ASSERT_EQUAL(ak_compress(s, lv[i], src, n, c, &cl), 0);
		CU_ASSERT_EQUAL(cl, rl);
		CU_ASSERT(cl == rl && !memcmp(c, ref, rl));
		if (lv[i] == 0)
			CU_ASSERT(cl > n);	/* stored: nothing saved */
		dl = n;
		CU_ASSERT_EQUAL(ak_decompress(s, c, cl, d, &dl, NULL), 0);
		CU_ASSERT(dl == n && !memcmp(d, src, n));
		/* request */
		memset(&req, 0, sizeof(req));
		req.op = AK_REQ_COMPRESS;
		req.level = lv[i];
		req.src = src;
		req.len = n;
		req.dst = c;
		req.dst_len = cap;
		CU_ASSERT_EQUAL(ak_alg_submit(s, &req), 0);
		CU_ASSERT_EQUAL(ak_alg_wait(s, &req), 0);
		CU_ASSERT(req.out_len == rl && !memcmp(c, ref, rl));
		/* stream */
		b.len = 0;
		CU_ASSERT_EQUAL_FATAL(ak_stream_new(s, AK_COMPRESS, lv[i],
						    buf_sink, &b, &st), 0);
		CU_ASSERT_EQUAL(ak_stream_feed(st, src, n / 3), 0);
		CU_ASSERT_EQUAL(ak_stream_feed(st, src + n / 3, n - n / 3), 0);
		CU_ASSERT_EQUAL(ak_stream_finish(st), 0);
		ak_stream_free(st);
		dl = n;
		CU_ASSERT_EQUAL(ak_decompress(s, b.p, b.len, d, &dl, NULL), 0);
		CU_ASSERT(dl == n && !memcmp(d, src, n));
	}
	cl = cap;
	CU_ASSERT_EQUAL(ak_compress(s, -2, src, n, c, &cl), -EINVAL);
	CU_ASSERT_EQUAL(ak_stream_new(s, AK_COMPRESS, -2, buf_sink, &b, &st), -EINVAL);
	CU_ASSERT_EQUAL(ak_stream_new(s, AK_COMPRESS, 10, buf_sink, &b, &st), -EINVAL);
	free(c);
	free(ref);
	free(d);
	free(b.p);
}

static void t_levels(void)
{
	size_t n = 50000;
	uint8_t *src = malloc(n);

	for (size_t i = 0; i < n; i++)
		src[i] = (uint8_t)("accelkit levels "[i % 16] + (i / 4096));
	for (int f = 0; f < 3; f++) {
		struct ak_session *s = NULL;
		struct sim sim;

		CU_ASSERT_EQUAL_FATAL(ak_session_open(frames[f], NULL,
						      AK_SF_SOFTWARE, &s), 0);
		check_levels(s, f, src, n);
		ak_session_close(s);
		/* A device session (the simulator runs no COMPRESS: level 0
		 * must not reach it; -1 does, and fails there). */
		s = sim_session(&sim, frames[f], 8);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		{
			size_t cap = ak_compress_bound(s, n), cl = cap, rl;
			uint8_t *c = malloc(cap), *ref = malloc(cap);

			rl = zlib_ref(wbits[f], 0, src, n, ref, cap);
			CU_ASSERT_EQUAL(ak_compress(s, 0, src, n, c, &cl), 0);
			CU_ASSERT(cl == rl && !memcmp(c, ref, rl));
			CU_ASSERT_EQUAL(sim.jobs, 0);
			free(c);
			free(ref);
		}
		ak_session_close(s);
		sim_release(&sim);
	}
	free(src);
}

int add_libfit_suite(void)
{
	static const struct ak_test t[] = {
		{ "submit of a pending request: -EBUSY", t_resubmit },
		{ "close with requests pending (device)", t_close_pending },
		{ "held-back requests start as room appears (device)", t_backlog },
		{ "close in a forked child: -ECANCELED", t_close_forked },
		{ "stream/digest after session close: -EBADF", t_after_close },
		{ "version: header, VERSION, .so, .pc, ak_version", t_version },
		{ "ak_session_open2 argument order", t_open2 },
		{ "ak_strerror", t_strerror },
		{ "ak_session_fd readiness (software, device)", t_session_fd },
		{ "levels -1 and 0 (zlib conventions)", t_levels },
		{ NULL, NULL }
	};

	return ak_add_suite("libfit", NULL, NULL, t);
}
