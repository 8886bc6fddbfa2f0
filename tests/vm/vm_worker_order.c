// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Several device workers (docs/device.md, contract 2.1): queues are
 * served in parallel, one queue by one worker at a time, so the jobs of
 * a queue still execute and complete in ring order.
 *
 * - Processes with a queue each submit a long stream of mixed jobs (NOP,
 *   small and large COPY, FILL, an occasional COMPRESS): every completion
 *   carries the tag of the next job submitted on its queue, every byte is
 *   right.
 * - Two queues run in parallel: while a long level-9 COMPRESS runs on
 *   queue A, 100 NOPs on queue B complete before it does (ORDER, not time).
 *   That needs at least 2 workers (sysfs "workers"); with one the test
 *   fails and says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "vm_alg.h"
#include "vm_perf.h"

#define MO_PROCS	4
#define MO_JOBS		400		/* per process */
#define MO_WINDOW	32		/* jobs in flight per queue */
#define MO_SLOT		(512u << 10)	/* dst room of one in-flight job */
#define MO_SRC		(1u << 20)
#define MO_TEXT		(64u << 10)
#define MO_LARGE	(256u << 10)	/* large COPY: at least this */
#define MO_GUARD	16
#define MO_JOB_MS	120000		/* no completion for this long: stuck */
#define MO_TIMEOUT_MS	900000
#define CANARY		0x6B

enum mo_kind { K_NOP, K_SMALL, K_FILL, K_LARGE, K_COMP };

static const char *const kind_name[] = {
	"NOP", "small COPY", "FILL", "large COPY", "COMPRESS",
};

struct mo_rec {
	enum mo_kind kind;
	uint64_t tag;
	const uint8_t *src;
	uint8_t *dst;
	size_t len;		/* bytes moved (COMPRESS: input bytes) */
	uint64_t pattern;
	struct aks_params p;	/* COMPRESS: read by the device */
};

struct mo_ctx {
	int idx;
	struct ak_queue *q;
	uint8_t *src, *text, *slots, *back;
	unsigned window;
	uint32_t rng;
	char err[320];
};

static uint32_t mo_rand(struct mo_ctx *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return c->rng;
}

/* Build and submit job @k into @r. 0, or -1 with c->err set. */
static int mo_submit(struct mo_ctx *c, struct mo_rec *r, unsigned k)
{
	uint8_t *slot = c->slots + (size_t)(k % c->window) * MO_SLOT;
	uint32_t x = mo_rand(c) % 100;
	struct aks_desc d;
	struct ak_job j;
	int rv;

	memset(r, 0, sizeof(*r));
	r->tag = (uint64_t)(c->idx + 1) << 32 | k;
	if (k % 25 == 7)
		r->kind = K_COMP;
	else
		r->kind = x < 40 ? K_NOP : x < 65 ? K_SMALL : x < 80 ? K_FILL :
			  K_LARGE;
	r->dst = slot + mo_rand(c) % 4096;
	switch (r->kind) {
	case K_NOP:
		r->dst = NULL;
		break;
	case K_SMALL:
		r->len = 1 + mo_rand(c) % 8192;
		break;
	case K_FILL:
		r->len = 1 + mo_rand(c) % 65536;
		r->pattern = (uint64_t)mo_rand(c) << 32 | mo_rand(c);
		break;
	case K_LARGE:
		r->len = MO_LARGE +
			 mo_rand(c) % (MO_SLOT - MO_LARGE - 4096 - MO_GUARD);
		break;
	case K_COMP:
		r->dst = slot;
		r->len = 4096 + mo_rand(c) % (MO_TEXT - 4096);
		r->src = c->text + (MO_TEXT - r->len) / 2;
		r->p.alg = AKS_FRAME_ZLIB;
		r->p.level = 1;
		break;
	}
	if (r->kind == K_SMALL || r->kind == K_LARGE)
		r->src = c->src + mo_rand(c) % (MO_SRC - r->len);
	if (r->dst)
		memset(r->dst, CANARY,
		       (r->kind == K_COMP ? MO_SLOT - MO_GUARD : r->len) +
		       MO_GUARD);

	if (r->kind == K_COMP) {
		va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0,
			r->src, r->len, r->dst, MO_SLOT - MO_GUARD, &r->p);
		d.tag = r->tag;
		rv = ak_submit_raw(c->q, &d, sizeof(d));
	} else {
		j = vm_job(r->kind == K_NOP ? AK_OP_NOP : r->kind == K_FILL ?
			   AK_OP_FILL : AK_OP_COPY, r->src, r->dst, r->len,
			   r->pattern, r->tag);
		rv = ak_submit(c->q, &j);
	}
	if (rv < 0)
		snprintf(c->err, sizeof(c->err), "q%d: submit of job %u: %s",
			 c->idx, k, strerror(-rv));
	return rv < 0 ? -1 : 0;
}

/* Check the completion of job @k. 0, or -1 with c->err set. */
static int mo_check(struct mo_ctx *c, const struct mo_rec *r, unsigned k,
		    const struct ak_result *res)
{
	uint64_t want = r->kind == K_NOP ? 0 : r->len;
	uLongf n = MO_TEXT;
	const char *what = kind_name[r->kind];
	size_t span;
	long bad = -1;

	if (res->tag != r->tag) {
		snprintf(c->err, sizeof(c->err),
			 "q%d: completion %u carries tag %#llx, want %#llx: not in submission order",
			 c->idx, k, (unsigned long long)res->tag,
			 (unsigned long long)r->tag);
		return -1;
	}
	if (res->status != AK_ST_SUCCESS ||
	    (r->kind != K_COMP && res->bytes != want) ||
	    (r->kind == K_COMP &&
	     (!res->bytes || res->bytes > MO_SLOT - MO_GUARD))) {
		snprintf(c->err, sizeof(c->err),
			 "q%d job %u (%s, %zu bytes): status %s bytes %llu fault_addr %#llx",
			 c->idx, k, what, r->len, ak_status_str(res->status),
			 (unsigned long long)res->bytes,
			 (unsigned long long)res->fault_addr);
		return -1;
	}
	switch (r->kind) {
	case K_NOP:
		return 0;
	case K_SMALL:
	case K_LARGE:
		bad = vm_first_diff(r->dst, r->src, r->len);
		break;
	case K_FILL:
		bad = vm_first_not_pattern(r->dst, r->pattern, r->len);
		break;
	case K_COMP:
		if (uncompress(c->back, &n, r->dst, res->bytes) != Z_OK ||
		    n != r->len || memcmp(c->back, r->src, r->len)) {
			snprintf(c->err, sizeof(c->err),
				 "q%d job %u: COMPRESS output (%llu bytes) does not inflate to its %zu input bytes",
				 c->idx, k, (unsigned long long)res->bytes,
				 r->len);
			return -1;
		}
		break;
	}
	if (bad >= 0) {
		snprintf(c->err, sizeof(c->err),
			 "q%d job %u (%s, %zu bytes): byte %ld wrong", c->idx,
			 k, what, r->len, bad);
		return -1;
	}
	span = r->kind == K_COMP ? res->bytes : r->len;
	bad = vm_first_not(r->dst + span, CANARY,
			   (r->kind == K_COMP ? MO_SLOT - MO_GUARD - span : 0) +
			   MO_GUARD);
	if (bad >= 0) {
		snprintf(c->err, sizeof(c->err),
			 "q%d job %u (%s): byte %ld after its output changed",
			 c->idx, k, what, bad);
		return -1;
	}
	return 0;
}

/* One process: MO_JOBS jobs, at most c->window in flight. */
static int mo_work(struct mo_ctx *c, int go)
{
	struct ak_queue_info info;
	struct ak_result res[MO_WINDOW];
	struct mo_rec *rec = NULL;
	unsigned sub = 0, done = 0;
	int i, n, rc = 1;
	char g;

	if (ak_queue_open(g_node, NULL, 0, &c->q) < 0 ||
	    ak_queue_info(c->q, &info) < 0) {
		snprintf(c->err, sizeof(c->err), "q%d: open %s failed", c->idx,
			 g_node);
		return 10;
	}
	c->window = info.depth - 1 < MO_WINDOW ? info.depth - 1 : MO_WINDOW;
	c->src = malloc(MO_SRC);
	c->text = malloc(MO_TEXT);
	c->back = malloc(MO_TEXT);
	c->slots = malloc((size_t)c->window * MO_SLOT);
	rec = calloc(c->window, sizeof(*rec));
	if (!c->src || !c->text || !c->back || !c->slots || !rec) {
		snprintf(c->err, sizeof(c->err), "q%d: out of memory", c->idx);
		goto out;
	}
	vm_fill_random(c->src, MO_SRC, 0xd00 + c->idx);
	va_fill_text(c->text, MO_TEXT, 0xe00 + c->idx);
	memset(c->slots, CANARY, (size_t)c->window * MO_SLOT);
	if (read(go, &g, 1) != 1) {
		snprintf(c->err, sizeof(c->err), "q%d: no start signal", c->idx);
		goto out;
	}
	while (done < MO_JOBS) {
		while (sub < MO_JOBS && sub - done < c->window) {
			if (mo_submit(c, &rec[sub % c->window], sub))
				goto out;
			sub++;
		}
		n = ak_reap(c->q, res, c->window);
		if (n == 0) {
			n = ak_wait(c->q, MO_JOB_MS);
			if (n == -ETIMEDOUT) {
				snprintf(c->err, sizeof(c->err),
					 "q%d: job %u (%s) did not complete within %d s",
					 c->idx, done,
					 kind_name[rec[done % c->window].kind],
					 MO_JOB_MS / 1000);
				goto out;
			}
			if (n < 0 && n != -EINTR) {
				snprintf(c->err, sizeof(c->err), "q%d: ak_wait: %s",
					 c->idx, strerror(-n));
				goto out;
			}
			continue;
		}
		if (n < 0) {
			snprintf(c->err, sizeof(c->err), "q%d: ak_reap: %s",
				 c->idx, strerror(-n));
			goto out;
		}
		for (i = 0; i < n; i++, done++)
			if (mo_check(c, &rec[done % c->window], done, &res[i]))
				goto out;
	}
	rc = 0;
out:
	ak_queue_close(c->q);	/* before the buffers of jobs in flight */
	free(c->src);
	free(c->text);
	free(c->back);
	free(c->slots);
	free(rec);
	return rc;
}

static void t_mixed_order(void)
{
	pid_t pid[MO_PROCS];
	int msg[MO_PROCS][2], go[2], i, st, to, started = 0;
	char err[320], ws[64];
	long workers;
	ssize_t n;

	VM_REQUIRE(vm_discover() == 0, "no device");
	VA_REQUIRE_ALG("deflate");
	VM_REQUIRE(vm_avail() >= MO_PROCS, "need %d free queues, %ld available",
		   MO_PROCS, vm_avail());
	/* with one worker the order holds trivially: not what is tested */
	workers = vp_dev_counter("workers");
	VM_CHECK(workers >= 2,
		 "%s/workers is %ld (%s): the test needs several device workers (the default is one per host CPU)",
		 g_pci_path, workers,
		 workers < 0 ? strerror((int)-workers) : "too few");
	printf("[device workers: %ld] ", workers);
	VM_REQUIRE(pipe(go) == 0, "pipe");
	for (i = 0; i < MO_PROCS; i++) {
		if (pipe(msg[i]) < 0)
			break;
		fflush(NULL);
		pid[i] = fork();
		if (pid[i] < 0) {
			close(msg[i][0]);
			close(msg[i][1]);
			break;
		}
		if (pid[i] == 0) {
			struct mo_ctx c;
			int rc;

			memset(&c, 0, sizeof(c));
			c.idx = i;
			c.rng = 0x9e3779b9u * (unsigned)(i + 1);
			close(go[1]);
			close(msg[i][0]);
			rc = mo_work(&c, go[0]);
			if (write(msg[i][1], c.err, strlen(c.err) + 1) < 0)
				rc = rc ? rc : 4;
			_exit(rc);
		}
		close(msg[i][1]);
		started++;
	}
	close(go[0]);
	VM_CHECK(started == MO_PROCS, "started %d of %d processes", started,
		 MO_PROCS);
	/* all at once: one byte each */
	VM_CHECK(write(go[1], "GGGGGGGG", started) == started, "start signal");
	close(go[1]);
	for (i = 0; i < started; i++) {
		st = vm_wait_child(pid[i], MO_TIMEOUT_MS, &to);
		memset(err, 0, sizeof(err));
		n = read(msg[i][0], err, sizeof(err) - 1);
		close(msg[i][0]);
		VM_CHECK(!to && WIFEXITED(st) && WEXITSTATUS(st) == 0,
			 "process %d (%d mixed jobs on its queue): %s%s; %s", i,
			 MO_JOBS, vm_wstatus_str(st, ws, sizeof(ws)),
			 to ? " (killed after the timeout)" : "",
			 n > 0 && err[0] ? err : "no message");
	}
	printf("[%d processes x %d jobs] ", started, MO_JOBS);
	vm_check_instances_back();
}

/* ------------------------------------------------------------------ */
/* two queues in parallel */

#define PL_LEN		(48ul << 20)
#define PL_CAP		(PL_LEN + (PL_LEN >> 8) + (64ul << 10))
#define PL_NOPS		100
#define PL_TAG		0xA0A0
#define PL_WAIT_MS	300000

/* The long job's input: text (level 9 takes its time), the last page
 * never touched so that its page request marks the end of the reads. */
static uint8_t *pl_src(void)
{
	uint8_t *s = vm_fresh(PL_LEN);
	size_t off, n;

	if (!s)
		return NULL;
	va_fill_text(s, 1ul << 20, 29);
	for (off = 1ul << 20; off < PL_LEN - AK_PAGE; off += n) {
		n = PL_LEN - AK_PAGE - off < (1ul << 20) ?
		    PL_LEN - AK_PAGE - off : 1ul << 20;
		memcpy(s + off, s, n);
	}
	return s;
}

static void pl_check(const uint8_t *src, const uint8_t *dst,
		     const struct ak_result *r)
{
	uLongf n = PL_LEN;
	uint8_t *out;
	int zr;

	VM_CHECK(r->tag == PL_TAG && r->status == AK_ST_SUCCESS &&
		 r->bytes > 0 && r->bytes <= PL_CAP,
		 "queue A's COMPRESS: tag %#llx status %s bytes %llu",
		 (unsigned long long)r->tag, va_st(r->status),
		 (unsigned long long)r->bytes);
	if (r->status != AK_ST_SUCCESS || r->bytes > PL_CAP)
		return;
	out = malloc(PL_LEN);
	VM_REQUIRE(out, "malloc");
	zr = uncompress(out, &n, dst, r->bytes);
	VM_CHECK(zr == Z_OK && n == PL_LEN && !memcmp(out, src, PL_LEN),
		 "queue A's COMPRESS output does not inflate to its input: zlib %d, %lu bytes",
		 zr, (unsigned long)n);
	free(out);
}

static void t_parallel(void)
{
	struct ak_queue *qa = NULL, *qb = NULL;
	struct ak_result res[PL_NOPS], ra;
	struct ak_job nops[PL_NOPS];
	struct aks_params p;
	struct aks_desc d;
	struct vm_qstats st;
	uint8_t *src = NULL, *dst = NULL;
	uint64_t deadline;
	int i, n, r, sent = 0, got = 0, a_done = 0;
	long workers;

	VM_REQUIRE(vm_discover() == 0, "no device");
	workers = vp_dev_counter("workers");
	VM_REQUIRE(workers >= 0,
		   "%s/workers: %s: the sample driver does not show the device's WORKERS register (contract 2.1)",
		   g_pci_path, strerror((int)-workers));
	VM_REQUIRE(workers >= 2,
		   "the device has %ld worker: queues cannot run in parallel. The VM runs -device accelkit,queues=16 without workers=, so the default (one per host CPU, 2 here) should apply",
		   workers);
	VA_REQUIRE_ALG("deflate");
	qa = vm_open_queue(0);
	qb = vm_open_queue(0);
	src = pl_src();
	dst = vm_alloc(PL_CAP);
	if (!qa || !qb || !src || !dst)
		goto out;

	memset(&p, 0, sizeof(p));
	p.alg = AKS_FRAME_ZLIB;
	p.level = 9;
	va_desc(&d, AKS_OP_COMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0, src, PL_LEN,
		dst, PL_CAP, &p);
	d.tag = PL_TAG;
	r = ak_submit_raw(qa, &d, sizeof(d));
	VM_CHECK(r == 0, "submit the long COMPRESS on queue A: %s",
		 strerror(-r));
	if (r)
		goto out;
	/* Its last input page's request resolved: it reads one more page,
	 * then runs in the engine for seconds. */
	deadline = vm_now_ms() + PL_WAIT_MS;
	do {
		r = vm_queue_stats(ak_queue_fd(qa), &st);
		if (r || st.page_faults_resolved >= 1)
			break;
		usleep(1000);
	} while (vm_now_ms() < deadline);
	VM_CHECK(r == 0 && st.page_faults_resolved >= 1,
		 "queue A's COMPRESS never reached its last input page (QUEUE_STATS %s, %llu requests resolved)",
		 strerror(-r), (unsigned long long)st.page_faults_resolved);
	n = ak_reap(qa, &ra, 1);
	VM_CHECK(n == 0,
		 "inconclusive: queue A's COMPRESS completed before the NOPs were submitted (status %s)",
		 n > 0 ? va_st(ra.status) : "-");
	if (n != 0) {
		a_done = n > 0;
		goto reap_a;
	}

	for (i = 0; i < PL_NOPS; i++)
		nops[i] = vm_job(AK_OP_NOP, NULL, NULL, 0, 0, 0xB000 + i);
	while (got < PL_NOPS) {
		if (sent < PL_NOPS) {
			r = ak_submit_batch(qb, nops + sent, PL_NOPS - sent);
			if (r > 0)
				sent += r;
		}
		n = vm_reap_n(qb, res + got, sent - got, PL_WAIT_MS);
		if (n <= 0)
			break;
		got += n;
	}
	VM_CHECK(got == PL_NOPS, "%d of %d NOPs on queue B completed within %d s",
		 got, PL_NOPS, PL_WAIT_MS / 1000);
	for (i = 0; i < got; i++)
		if (res[i].tag != nops[i].tag || res[i].status != AK_ST_SUCCESS) {
			VM_FAIL("NOP %d on queue B: tag %#llx status %s", i,
				(unsigned long long)res[i].tag,
				va_st(res[i].status));
			break;
		}
	/* ORDER: B's NOPs all completed while A's job had not */
	n = ak_reap(qa, &ra, 1);
	VM_CHECK(n == 0,
		 "queue A's COMPRESS completed before queue B's %d NOPs had: the two queues were not served in parallel (device workers: %ld)",
		 PL_NOPS, workers);
	a_done = n > 0;
reap_a:
	if (!a_done)
		a_done = vm_reap_n(qa, &ra, 1, PL_WAIT_MS) == 1;
	VM_CHECK(a_done, "queue A's COMPRESS: no completion within %d s",
		 PL_WAIT_MS / 1000);
	if (a_done)
		pl_check(src, dst, &ra);
out:
	ak_queue_close(qa);	/* before the buffers of a job in flight */
	ak_queue_close(qb);
	if (src)
		munmap(src, PL_LEN);
	vm_free(dst, PL_CAP);
}

static const struct ak_test order_tests[] = {
	{ "4 processes x 400 mixed jobs (NOP, COPY small/large, FILL, COMPRESS): completions in submission order per queue, bytes right",
	  t_mixed_order },
	{ "two queues in parallel: 100 NOPs on queue B complete while a level-9 COMPRESS runs on queue A (>= 2 workers)",
	  t_parallel },
	{ NULL, NULL },
};

int add_worker_order_suites(void)
{
	return ak_add_suite("worker-order", NULL, NULL, order_tests);
}
