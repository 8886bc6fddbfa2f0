// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device faults in the library (issue 11, docs/library.md "Errors and
 * recovery"): completion record validation, failed queues on the raw API,
 * and the session's decisions (auto: redo in software; device-only: -EIO;
 * device-side streams: -EIO), on the queue simulator with the faults of
 * device contract 2.4 injected.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>

#include "sim.h"
#include "suites.h"
#include "../../lib/alg/session.h"

/* ---- record validation ---------------------------------------------- */

static void good_cpl(struct aks_cpl *c, uint32_t cnt, uint32_t depth,
		     uint64_t tag, uint64_t bytes)
{
	memset(c, 0, sizeof(*c));
	c->tag = htole64(tag);
	c->bytes = htole64(bytes);
	c->sq_head = htole16((uint16_t)((cnt + 1) & (depth - 1)));
	c->flags = htole16(1);
}

static void t_cpl_check(void)
{
	struct ak_slot_rec rec = { .tag = 0x1234, .cap = 100 };
	struct aks_cpl c;

	good_cpl(&c, 5, 8, 0x1234, 100);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_OK);
	/* Every status of the contract, HW_ERROR and ABORTED included. */
	for (int st = 0; st <= 10; st++) {
		c.status = htole16((uint16_t)st);
		CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_OK);
	}
	c.status = htole16(11);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_BAD_STATUS);
	c.status = htole16(0x7FFF);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_BAD_STATUS);
	/* sq_head: the slot after the job's own, wrapping at depth. */
	good_cpl(&c, 5, 8, 0x1234, 0);
	c.sq_head = htole16(6 ^ 0x8000);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_BAD_SQ_HEAD);
	c.sq_head = htole16(5);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_BAD_SQ_HEAD);
	good_cpl(&c, 7, 8, 0x1234, 0);
	CU_ASSERT_EQUAL(le16toh(c.sq_head), 0);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 7, 8, &rec), AK_CPL_OK);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 0xffffffffu, 8, &rec), AK_CPL_OK);
	good_cpl(&c, 65535, 65536, 0x1234, 0);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 65535, 65536, &rec), AK_CPL_OK);
	/* Tag and bytes. */
	good_cpl(&c, 5, 8, 0x1235, 0);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_BAD_TAG);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, NULL), AK_CPL_OK);
	good_cpl(&c, 5, 8, 0x1234, 101);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, &rec), AK_CPL_BAD_BYTES);
	CU_ASSERT_EQUAL(ak_cpl_check(&c, 5, 8, NULL), AK_CPL_OK);
}

static void t_desc_cap(void)
{
	struct aks_desc d;

	memset(&d, 0, sizeof(d));
	d.len = htole64(4096);
	d.pattern = htole64(77);
	d.opcode = htole16(AKS_OP_NOP);
	CU_ASSERT_EQUAL(ak_desc_cap(&d), 0);
	d.opcode = htole16(AKS_OP_COPY);
	CU_ASSERT_EQUAL(ak_desc_cap(&d), 4096);
	d.opcode = htole16(AKS_OP_FILL);
	CU_ASSERT_EQUAL(ak_desc_cap(&d), 4096);
	for (unsigned op = AKS_OP_COMPRESS; op <= AKS_OP_CIPHER; op++) {
		d.opcode = htole16((uint16_t)op);
		CU_ASSERT_EQUAL(ak_desc_cap(&d), 77);
	}
	d.opcode = htole16(99);
	CU_ASSERT_EQUAL(ak_desc_cap(&d), 0);
}

static void t_status_names(void)
{
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_HW_ERROR), -EIO);
	CU_ASSERT_EQUAL(ak_status_errno(AK_ST_ABORTED), -EIO);
	CU_ASSERT_STRING_EQUAL(ak_status_str(AK_ST_HW_ERROR), "HW_ERROR");
	CU_ASSERT_STRING_EQUAL(ak_status_str(AK_ST_ABORTED), "ABORTED");
	CU_ASSERT_PTR_NOT_NULL(strstr(ak_strerror(-EIO), "queue failed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ak_strerror(-EIO), "software"));
	CU_ASSERT_EQUAL(ak_queue_failed(NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_session_fallbacks(NULL), 0);
}

/* ---- raw API on the simulator ---------------------------------------- */

enum { NJ = 4, JLEN = 256 };

static uint8_t jsrc[NJ][JLEN], jdst[NJ][JLEN];

static void submit_copies(struct ak_queue *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct ak_job j = { .op = AK_OP_COPY, .tag = 100 + i,
				    .src = jsrc[i], .dst = jdst[i],
				    .len = JLEN };

		memset(jsrc[i], 0x30 + (int)i, JLEN);
		memset(jdst[i], 0, JLEN);
		CU_ASSERT_EQUAL(ak_submit(q, &j), 0);
	}
}

/* A bad record (each kind) at job 2 of 4: job 1 is reported as the
 * device wrote it; job 2 and every later job (whose records are fine but
 * no longer trusted) are ABORTED/-EIO, each exactly once, in order. */
static void t_raw_bad_record(void)
{
	static const int kinds[] = { SIM_INJ_BAD, SIM_INJ_TAG, SIM_INJ_BYTES };

	for (unsigned k = 0; k < 3; k++) {
		struct ak_result res[8];
		struct sim sim;
		struct ak_queue *q = sim_queue_new(&sim, 8, 0);
		struct ak_job j = { .op = AK_OP_NOP };

		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		sim.inject = kinds[k];
		sim.inject_at = 2;
		submit_copies(q, NJ);
		CU_ASSERT_EQUAL(sim_step(&sim), NJ);
		CU_ASSERT_EQUAL(ak_queue_failed(q), 0);
		CU_ASSERT_EQUAL(ak_wait(q, 0), 0);
		CU_ASSERT_EQUAL(ak_reap(q, res, 8), NJ);
		CU_ASSERT_EQUAL(ak_queue_failed(q), 1);
		CU_ASSERT_EQUAL(res[0].tag, 100);
		CU_ASSERT_EQUAL(res[0].status, AK_ST_SUCCESS);
		CU_ASSERT_EQUAL(res[0].bytes, JLEN);
		for (int i = 1; i < NJ; i++) {
			CU_ASSERT_EQUAL(res[i].tag, 100 + (uint64_t)i);
			CU_ASSERT_EQUAL(res[i].status, AK_ST_ABORTED);
			CU_ASSERT_EQUAL(res[i].err, -EIO);
			CU_ASSERT_EQUAL(res[i].bytes, 0);
		}
		CU_ASSERT_EQUAL(ak_queue_inflight(q), 0);
		CU_ASSERT_EQUAL(ak_reap(q, res, 8), 0);	/* nothing twice */
		CU_ASSERT_EQUAL(ak_wait(q, 0), -ENOMSG);
		CU_ASSERT_EQUAL(ak_submit(q, &j), -EIO);
		CU_ASSERT_EQUAL(ak_submit_batch(q, &j, 1), -EIO);
		CU_ASSERT_EQUAL(ak_nop(q), -EIO);
		ak_queue_close(q);
	}
}

/* The records are checked against what was submitted even when the
 * status is an error: a wrong tag on a failing job fails the queue. */
static void t_raw_reap_in_batches(void)
{
	struct ak_result res[8];
	struct sim sim;
	struct ak_queue *q = sim_queue_new(&sim, 8, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	sim.inject = SIM_INJ_BAD;
	sim.inject_at = 1;
	submit_copies(q, 3);
	CU_ASSERT_EQUAL(sim_step(&sim), 3);
	/* One at a time: the rest are synthesised on later calls. */
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(ak_reap(q, res, 1), 1);
		CU_ASSERT_EQUAL(res[0].tag, 100 + (uint64_t)i);
		CU_ASSERT_EQUAL(res[0].err, -EIO);
	}
	CU_ASSERT_EQUAL(ak_reap(q, res, 8), 0);
	ak_queue_close(q);
}

/* HW_ERROR fails the job, not the queue: the next job runs. */
static void t_raw_hw_error(void)
{
	struct ak_result res[8];
	struct sim sim;
	struct ak_queue *q = sim_queue_new(&sim, 8, 0);
	uint8_t a[64], b[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	sim.inject = SIM_INJ_ENGINE;
	sim.inject_at = 1;
	submit_copies(q, 2);
	CU_ASSERT_EQUAL(sim_step(&sim), 2);
	CU_ASSERT_EQUAL(ak_reap(q, res, 8), 2);
	CU_ASSERT_EQUAL(res[0].status, AK_ST_HW_ERROR);
	CU_ASSERT_EQUAL(res[0].err, -EIO);
	CU_ASSERT_EQUAL(res[1].status, AK_ST_SUCCESS);
	CU_ASSERT(!memcmp(jdst[1], jsrc[1], JLEN));
	CU_ASSERT_EQUAL(ak_queue_failed(q), 0);
	memset(a, 7, sizeof(a));
	CU_ASSERT_EQUAL_FATAL(sim_start(&sim), 0);
	CU_ASSERT_EQUAL(ak_copy(q, b, a, sizeof(a)), 0);
	sim_stop(&sim);
	CU_ASSERT(!memcmp(a, b, sizeof(a)));
	ak_queue_close(q);
}

/* The driver failed a stuck queue: ABORTED records, read as written. */
static void t_raw_aborted(void)
{
	struct ak_result res[8];
	struct sim sim;
	struct ak_queue *q = sim_queue_new(&sim, 8, 0);
	struct ak_job j = { .op = AK_OP_NOP };

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	sim.inject = SIM_INJ_STALL;
	sim.inject_at = 2;
	submit_copies(q, 3);
	CU_ASSERT_EQUAL(sim_step(&sim), 1);
	CU_ASSERT_EQUAL(sim_abort(&sim), 2);
	CU_ASSERT_EQUAL(ak_reap(q, res, 8), 3);
	CU_ASSERT_EQUAL(res[0].status, AK_ST_SUCCESS);
	CU_ASSERT_EQUAL(res[1].status, AK_ST_ABORTED);
	CU_ASSERT_EQUAL(res[1].tag, 101);
	CU_ASSERT_EQUAL(res[2].status, AK_ST_ABORTED);
	CU_ASSERT_EQUAL(res[2].tag, 102);
	CU_ASSERT_EQUAL(ak_queue_failed(q), 1);
	CU_ASSERT_EQUAL(ak_submit(q, &j), -EIO);
	ak_queue_close(q);
}

/* POLLERR/POLLHUP with no record: the jobs left are ABORTED, once. */
static void t_raw_pollerr(void)
{
	struct ak_result res[8];
	struct sim sim;
	struct ak_queue *q = sim_queue_new(&sim, 8, 0);
	int p[2], efd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	close(p[1]);		/* the read end now polls POLLHUP */
	efd = q->fd;
	q->fd = p[0];
	submit_copies(q, 2);
	CU_ASSERT_EQUAL(ak_wait(q, 5000), 0);
	CU_ASSERT_EQUAL(ak_queue_failed(q), 1);
	CU_ASSERT_EQUAL(ak_reap(q, res, 8), 2);
	CU_ASSERT_EQUAL(res[0].status, AK_ST_ABORTED);
	CU_ASSERT_EQUAL(res[0].tag, 100);
	CU_ASSERT_EQUAL(res[1].tag, 101);
	CU_ASSERT_EQUAL(ak_wait(q, 0), -ENOMSG);
	q->fd = efd;
	close(p[0]);
	ak_queue_close(q);
}

/* ---- sessions ---------------------------------------------------------- */

static struct ak_session *fault_session(struct sim *sim, uint32_t depth,
					bool auto_path)
{
	struct ak_session *s = NULL;

	if (ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE, &s))
		return NULL;
	s->q = sim_queue_new(sim, depth, 0);
	if (!s->q || sim_detach(sim)) {
		ak_session_close(s);
		return NULL;
	}
	sim->hash = true;
	s->path = AK_PATH_DEVICE;
	s->auto_path = auto_path;
	s->pid = getpid();
	s->max_xfer = sim->max_xfer;
	return s;
}

static int cb_count[16];

static void cb(struct ak_req *r)
{
	cb_count[(int)(intptr_t)r->user]++;
}

enum { NR = 5 };
static char msg[NR][16];
static uint8_t out[NR][32], exp_md[NR][32];
static struct ak_req req[NR];

static void setup_reqs(void)
{
	memset(cb_count, 0, sizeof(cb_count));
	for (int i = 0; i < NR; i++) {
		unsigned n = 0;

		snprintf(msg[i], sizeof(msg[i]), "message %d", i);
		EVP_Digest(msg[i], strlen(msg[i]), exp_md[i], &n, EVP_sha256(),
			   NULL);
		memset(out[i], 0xEE, 32);
		memset(&req[i], 0, sizeof(req[i]));
		req[i].op = AK_REQ_DIGEST;
		req[i].src = msg[i];
		req[i].len = strlen(msg[i]);
		req[i].dst = out[i];
		req[i].dst_len = 32;
		req[i].cb = cb;
		req[i].user = (void *)(intptr_t)i;
	}
}

/* Deliver until nothing is pending (the model is stepped by hand). */
static int drain(struct ak_session *s, struct sim *sim)
{
	int n = 0, r;

	for (int spins = 0; spins < 100 && ak_alg_pending(s) > 0; spins++) {
		sim_step(sim);
		r = ak_alg_poll(s, 0);
		if (r > 0)
			n += r;
	}
	return n;
}

/* HW_ERROR on an auto session: that request is redone in software (its
 * result is software's, flagged); the session stays on the device. */
static void t_sess_hw_error(void)
{
	for (int auto_path = 0; auto_path <= 1; auto_path++) {
		struct sim sim;
		struct ak_session *s = fault_session(&sim, 8, auto_path);

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		setup_reqs();
		sim.inject = SIM_INJ_ENGINE;
		sim.inject_at = 2;
		for (int i = 0; i < 3; i++)
			CU_ASSERT_EQUAL(ak_alg_submit(s, &req[i]), 0);
		CU_ASSERT_EQUAL(drain(s, &sim), 3);
		for (int i = 0; i < 3; i++)
			CU_ASSERT_EQUAL(cb_count[i], 1);
		CU_ASSERT_EQUAL(req[0].status, 0);
		CU_ASSERT_EQUAL(req[0].rflags, 0);
		CU_ASSERT_EQUAL(req[2].status, 0);
		CU_ASSERT(!memcmp(out[2], exp_md[2], 32));
		if (auto_path) {
			CU_ASSERT_EQUAL(req[1].status, 0);
			CU_ASSERT_EQUAL(req[1].out_len, 32);
			CU_ASSERT_EQUAL(req[1].rflags, AK_REQ_FELL_BACK);
			CU_ASSERT(!memcmp(out[1], exp_md[1], 32));
			CU_ASSERT_EQUAL(ak_session_fallbacks(s), 1);
		} else {
			CU_ASSERT_EQUAL(req[1].status, -EIO);
			CU_ASSERT_EQUAL(req[1].rflags, 0);
			CU_ASSERT_EQUAL(ak_session_fallbacks(s), 0);
		}
		/* The queue works on. */
		CU_ASSERT_EQUAL(ak_session_path(s), AK_PATH_DEVICE);
		CU_ASSERT_PTR_NOT_NULL(s->q);
		CU_ASSERT_EQUAL(ak_alg_submit(s, &req[3]), 0);
		CU_ASSERT_EQUAL(drain(s, &sim), 1);
		CU_ASSERT_EQUAL(req[3].status, 0);
		CU_ASSERT_EQUAL(req[3].rflags, 0);
		CU_ASSERT_EQUAL(sim.jobs, 4);
		ak_session_close(s);
		sim_release(&sim);
	}
}

/*
 * A failed queue with requests in the ring and held back (depth 4: three
 * in the ring, two in the backlog). @kind: a bad record at job 2, or a
 * stall at job 2 that the "driver" recovers with ABORTED records. Every
 * request completes exactly once; auto: all correct, those after job 1
 * flagged, the session turns software; device-only: -EIO.
 */
static void failed_queue(int kind, bool auto_path)
{
	struct sim sim;
	struct ak_session *s = fault_session(&sim, 4, auto_path);
	uint64_t jobs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	setup_reqs();
	sim.inject = kind;
	sim.inject_at = 2;
	for (int i = 0; i < NR; i++)
		CU_ASSERT_EQUAL(ak_alg_submit(s, &req[i]), 0);
	CU_ASSERT_EQUAL(ak_queue_inflight(s->q), 3);
	if (kind == SIM_INJ_STALL) {
		CU_ASSERT_EQUAL(sim_step(&sim), 1);
		CU_ASSERT_EQUAL(sim_abort(&sim), 2);
	} else {
		CU_ASSERT_EQUAL(sim_step(&sim), 3);
	}
	jobs = sim.jobs;
	CU_ASSERT_EQUAL(ak_alg_poll(s, 0), NR);
	CU_ASSERT_EQUAL(ak_alg_pending(s), 0);
	CU_ASSERT_EQUAL(ak_alg_poll(s, 0), -ENOMSG);
	for (int i = 0; i < NR; i++)
		CU_ASSERT_EQUAL(cb_count[i], 1);
	CU_ASSERT_EQUAL(req[0].status, 0);
	CU_ASSERT_EQUAL(req[0].rflags, 0);
	CU_ASSERT(!memcmp(out[0], exp_md[0], 32));
	CU_ASSERT_PTR_NULL(s->q);	/* closed */
	for (int i = 1; i < NR; i++) {
		if (auto_path) {
			CU_ASSERT_EQUAL(req[i].status, 0);
			CU_ASSERT_EQUAL(req[i].rflags, AK_REQ_FELL_BACK);
			CU_ASSERT(!memcmp(out[i], exp_md[i], 32));
		} else {
			CU_ASSERT_EQUAL(req[i].status, -EIO);
			CU_ASSERT_EQUAL(req[i].rflags, 0);
		}
	}
	if (auto_path) {
		CU_ASSERT_EQUAL(ak_session_fallbacks(s), NR - 1);
		CU_ASSERT_EQUAL(ak_session_path(s), AK_PATH_SOFTWARE);
		/* Later jobs run in software: the model sees none. */
		setup_reqs();
		CU_ASSERT_EQUAL(ak_alg_submit(s, &req[0]), 0);
		CU_ASSERT_EQUAL(ak_alg_wait(s, &req[0]), 0);
		CU_ASSERT_EQUAL(req[0].rflags, 0);
		CU_ASSERT(!memcmp(out[0], exp_md[0], 32));
		CU_ASSERT_EQUAL(sim.jobs, jobs);
	} else {
		CU_ASSERT_EQUAL(ak_session_fallbacks(s), 0);
		CU_ASSERT_EQUAL(ak_session_path(s), AK_PATH_DEVICE);
	}
	ak_session_close(s);
	sim_release(&sim);
}

static void t_sess_bad_record_auto(void)
{
	failed_queue(SIM_INJ_BAD, true);
}

static void t_sess_bad_record_device(void)
{
	failed_queue(SIM_INJ_BAD, false);
}

static void t_sess_aborted_auto(void)
{
	failed_queue(SIM_INJ_STALL, true);
}

static void t_sess_aborted_device(void)
{
	failed_queue(SIM_INJ_STALL, false);
}

/* A request whose dst overlaps its src cannot be redone (the device may
 * have overwritten its input): -EIO, also on an auto session. */
static void t_sess_in_place(void)
{
	struct sim sim;
	struct ak_session *s = fault_session(&sim, 8, true);
	uint8_t buf[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	setup_reqs();
	memset(buf, 'x', sizeof(buf));
	req[0].src = buf;
	req[0].len = sizeof(buf);
	req[0].dst = buf + 32;
	sim.inject = SIM_INJ_BAD;
	sim.inject_at = 1;
	CU_ASSERT_EQUAL(ak_alg_submit(s, &req[0]), 0);
	CU_ASSERT_EQUAL(ak_alg_submit(s, &req[1]), 0);
	CU_ASSERT_EQUAL(drain(s, &sim), 2);
	CU_ASSERT_EQUAL(req[0].status, -EIO);
	CU_ASSERT_EQUAL(req[0].rflags, 0);
	CU_ASSERT_EQUAL(req[1].status, 0);
	CU_ASSERT_EQUAL(req[1].rflags, AK_REQ_FELL_BACK);
	CU_ASSERT_EQUAL(cb_count[0], 1);
	CU_ASSERT_EQUAL(cb_count[1], 1);
	ak_session_close(s);
	sim_release(&sim);
}

/* A device-side digest whose queue failed cannot go on: -EIO (not the
 * -ESTALE of a fork), also on an auto session. */
static void t_sess_stream_lost(void)
{
	struct sim sim;
	struct ak_session *s = fault_session(&sim, 8, true);
	struct ak_digest *d = NULL;
	uint8_t md[32];
	size_t n = sizeof(md);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(ak_digest_new(s, &d), 0);
	CU_ASSERT_EQUAL(ak_digest_update(d, "abc", 3), 0);	/* buffered */
	setup_reqs();
	sim.inject = SIM_INJ_BAD;
	sim.inject_at = 1;
	CU_ASSERT_EQUAL(ak_alg_submit(s, &req[0]), 0);
	CU_ASSERT_EQUAL(drain(s, &sim), 1);
	CU_ASSERT_EQUAL(req[0].status, 0);
	CU_ASSERT_EQUAL(ak_digest_final(d, md, &n), -EIO);
	CU_ASSERT_EQUAL(ak_digest_update(d, "x", 1), -EIO);	/* sticky */
	ak_digest_free(d);
	/* A new digest runs in software. */
	CU_ASSERT_EQUAL(ak_digest_new(s, &d), 0);
	CU_ASSERT_EQUAL(ak_digest_update(d, msg[0], strlen(msg[0])), 0);
	n = sizeof(md);
	CU_ASSERT_EQUAL(ak_digest_final(d, md, &n), 0);
	CU_ASSERT(!memcmp(md, exp_md[0], 32));
	ak_digest_free(d);
	ak_session_close(s);
	sim_release(&sim);
}

/* The synchronous call on an auto session, the model in its thread. */
static void t_sess_sync_call(void)
{
	struct sim sim;
	struct ak_session *s = fault_session(&sim, 8, true);
	uint8_t md[32], ref[32];
	size_t n = sizeof(md);
	unsigned rn = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EVP_Digest("sync", 4, ref, &rn, EVP_sha256(), NULL);
	sim.inject = SIM_INJ_BAD;
	sim.inject_at = 1;
	CU_ASSERT_EQUAL_FATAL(sim_start(&sim), 0);
	CU_ASSERT_EQUAL(ak_digest(s, "sync", 4, md, &n), 0);
	sim_stop(&sim);
	CU_ASSERT_EQUAL(n, 32);
	CU_ASSERT(!memcmp(md, ref, 32));
	CU_ASSERT_EQUAL(ak_session_fallbacks(s), 1);
	CU_ASSERT_EQUAL(ak_session_path(s), AK_PATH_SOFTWARE);
	ak_session_close(s);
	sim_release(&sim);
}

int add_libfault_suite(void)
{
	static const struct ak_test t[] = {
		{ "record checks: status, sq_head, tag, bytes", t_cpl_check },
		{ "dst capacity of each opcode", t_desc_cap },
		{ "HW_ERROR/ABORTED names, errno, ak_strerror", t_status_names },
		{ "raw: bad record fails the queue, rest ABORTED once",
		  t_raw_bad_record },
		{ "raw: synthesised results across reaps", t_raw_reap_in_batches },
		{ "raw: HW_ERROR fails the job only", t_raw_hw_error },
		{ "raw: driver's ABORTED records", t_raw_aborted },
		{ "raw: POLLHUP without records", t_raw_pollerr },
		{ "session: HW_ERROR (auto redo / device -EIO)", t_sess_hw_error },
		{ "session: bad record, auto: software, once each",
		  t_sess_bad_record_auto },
		{ "session: bad record, device-only: -EIO once each",
		  t_sess_bad_record_device },
		{ "session: aborted queue, auto", t_sess_aborted_auto },
		{ "session: aborted queue, device-only", t_sess_aborted_device },
		{ "session: in-place request is not redone", t_sess_in_place },
		{ "session: device digest of a failed queue: -EIO",
		  t_sess_stream_lost },
		{ "session: sync ak_digest falls back", t_sess_sync_call },
		{ NULL, NULL }
	};

	return ak_add_suite("libfault", NULL, NULL, t);
}
