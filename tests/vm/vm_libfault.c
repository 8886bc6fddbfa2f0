// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite "libfault" (issue 11): the library's handling of device faults on
 * the real device, through the driver's debugfs injection file
 * (/sys/kernel/debug/accelkit_sample/<bdf>/inject, device contract 2.4):
 *   engine_error Q N    the job after N completes HW_ERROR
 *   bad_completion Q N  its record has status 0x7FFF, sq_head ^ 0x8000
 *   stall Q N           the queue stops; the driver's watchdog (hang_ms,
 *                       lowered here) fails it: ABORTED records, POLLERR
 * For each fault: an auto session's compress / hash / cipher result is
 * byte-exact against software and counted as a fallback; a device-only
 * session gets -EIO and works again on its next call; several async
 * requests in flight each complete exactly once; the raw API reports the
 * queue failed. Without the inject file the suite FAILS (never skips).
 * Prints "AK-ABUSE: libfault ops=0 seeds=0 injections=N lost=L dup=D".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "vm_common.h"
#include "../../lib/alg/session.h"

#define HANG_PARAM "/sys/module/accelkit_sample/parameters/hang_ms"
#define STALL_HANG_MS "300"
#define DLEN (48u << 10)

static char inject_path[PATH_MAX];
static char saved_hang[32];
static int injections, lost, dups;

enum { K_ENGINE, K_BAD, K_STALL, NKINDS };
static const char *const kind_name[NKINDS] = {
	"engine_error", "bad_completion", "stall"
};

static int lf_init(void)
{
	struct stat st;

	if (vm_resolve_pci() < 0)
		return 0;	/* the tests fail on the empty path */
	if (stat("/sys/kernel/debug/accelkit_sample", &st) < 0)
		(void)mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	vm_fmt(inject_path, sizeof(inject_path),
	       "/sys/kernel/debug/accelkit_sample/%s/inject", g_bdf);
	if (vm_read_file(HANG_PARAM, saved_hang, sizeof(saved_hang)) < 0)
		saved_hang[0] = '\0';
	unsetenv("AK_PATH");	/* AK_SF_AUTO sessions are auto */
	return 0;
}

static int lf_clean(void)
{
	if (saved_hang[0])
		(void)vm_write_file(HANG_PARAM, saved_hang);
	/* on a line of its own (CUnit leaves its last line open) */
	printf("\nAK-ABUSE: libfault ops=0 seeds=0 injections=%d lost=%d dup=%d\n",
	       injections, lost, dups);
	return 0;
}

/* The hardware queue index of a device session (its queue info). */
static int sess_qid(struct ak_session *s)
{
	return s->q ? (int)s->q->info.queue_id : -1;
}

/* Arm fault @k on queue @qid after @after good jobs. 0, or -errno with
 * a CUnit failure naming the file. */
static int inject(int k, int qid, unsigned after)
{
	char line[64];
	int r;

	if (k == K_STALL) {
		/* the driver's watchdog must fail the stuck queue */
		r = vm_write_file(HANG_PARAM, STALL_HANG_MS);
		if (r < 0) {
			VM_FAIL("%s: %s", HANG_PARAM, strerror(-r));
			return r;
		}
	}
	snprintf(line, sizeof(line), "%s %d %u\n", kind_name[k], qid, after);
	r = vm_write_file(inject_path, line);
	if (r < 0) {
		VM_FAIL("%s: \"%s %d %u\": %s", inject_path, kind_name[k], qid,
			after, strerror(-r));
		return r;
	}
	injections++;
	return 0;
}

static void restore_hang(void)
{
	if (saved_hang[0])
		(void)vm_write_file(HANG_PARAM, saved_hang);
}

static void t_inject_present(void)
{
	struct ak_session *s = NULL;

	VM_CHECK(access(inject_path, W_OK) == 0,
		 "%s: %s (the driver's debugfs injection file of contract 2.4)",
		 inject_path[0] ? inject_path : "(no PCI device)",
		 strerror(errno));
	VM_CHECK(access(HANG_PARAM, W_OK) == 0, "%s: %s", HANG_PARAM,
		 strerror(errno));
	VM_REQUIRE(ak_session_open(AK_ALG_SHA256, g_node, AK_SF_DEVICE, &s) == 0,
		   "device session on %s", g_node);
	VM_CHECK(s->caps & AKS_CAPS_ERR_RECOVERY,
		 "CAPS 0x%llx without ERR_RECOVERY (device 2.4)",
		 (unsigned long long)s->caps);
	ak_session_close(s);
	/* Nothing is isolated by the errors injected here. */
	VM_CHECK(vm_attr_long("isolate_strategy") == 0,
		 "isolate_strategy %ld, want 0 (never)",
		 vm_attr_long("isolate_strategy"));
}

/* ---- one operation per algorithm family ------------------------------ */

enum { OP_GZIP, OP_SHA256, OP_CBC, NOPS };
static const int op_alg[NOPS] = { AK_ALG_GZIP, AK_ALG_SHA256, AK_ALG_AES_CBC };
static const char *const op_name[NOPS] = { "gzip", "sha256", "cbc(aes)" };

static uint8_t *in_buf;
static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t iv[16] = "fedcba9876543210";

/* Run operation @op on @s into @out; *len: capacity in, bytes out. */
static int run_op(struct ak_session *s, int op, uint8_t *out, size_t *len)
{
	switch (op) {
	case OP_GZIP:
		return ak_compress(s, 6, in_buf, DLEN, out, len);
	case OP_SHA256:
		return ak_digest(s, in_buf, DLEN, out, len);
	default:
		return ak_encrypt(s, key, 32, iv, 16, in_buf, DLEN, out, len,
				  0);
	}
}

/* The software result of @op into @ref. */
static int reference(int op, uint8_t *ref, size_t *len)
{
	struct ak_session *s = NULL;
	int r = ak_session_open(op_alg[op], NULL, AK_SF_SOFTWARE, &s);

	if (r < 0)
		return r;
	r = run_op(s, op, ref, len);
	ak_session_close(s);
	return r;
}

static size_t cap_of(void)
{
	return DLEN * 2 + 4096;
}

static void fill_input(void)
{
	if (!in_buf) {
		in_buf = malloc(DLEN);
		if (!in_buf)
			return;
	}
	/* compressible but not trivial */
	for (size_t i = 0; i < DLEN; i++)
		in_buf[i] = (uint8_t)((i * 7 + (i >> 9)) % 61 + 'A');
}

/* Auto session, fault @k on its first job of @op: the result equals
 * software's, one fallback; the next call also does. */
static void auto_case(int k, int op)
{
	size_t cap = cap_of(), rl = cap, ol = cap;
	uint8_t *ref = malloc(cap), *out = malloc(cap);
	struct ak_session *s = NULL;
	int r;

	fill_input();
	VM_REQUIRE(ref && out && in_buf, "memory");
	VM_REQUIRE(reference(op, ref, &rl) == 0, "software %s", op_name[op]);
	r = ak_session_open(op_alg[op], g_node, AK_SF_AUTO, &s);
	VM_REQUIRE(r == 0 && ak_session_path(s) == AK_PATH_DEVICE,
		   "auto %s session on the device: %d", op_name[op], r);
	r = inject(k, sess_qid(s), 0);
	if (r < 0)
		goto out;
	memset(out, 0xA5, cap);
	r = run_op(s, op, out, &ol);
	VM_CHECK(r == 0, "%s after %s: %s", op_name[op], kind_name[k],
		 ak_strerror(r));
	VM_CHECK(ol == rl && !memcmp(out, ref, rl),
		 "%s after %s: %zu bytes, software %zu, first diff %ld",
		 op_name[op], kind_name[k], ol, rl,
		 ol == rl ? vm_first_diff(out, ref, rl) : -1L);
	VM_CHECK(ak_session_fallbacks(s) == 1, "%s after %s: %llu fallbacks",
		 op_name[op], kind_name[k],
		 (unsigned long long)ak_session_fallbacks(s));
	/* HW_ERROR fails the job, the queue works on; a failed queue moves
	 * the auto session to software. */
	VM_CHECK(ak_session_path(s) == (k == K_ENGINE ? AK_PATH_DEVICE :
						      AK_PATH_SOFTWARE),
		 "%s after %s: path %s", op_name[op], kind_name[k],
		 ak_path_name(ak_session_path(s)));
	ol = cap;
	memset(out, 0x5A, cap);
	r = run_op(s, op, out, &ol);
	VM_CHECK(r == 0 && ol == rl && !memcmp(out, ref, rl),
		 "%s: the call after %s: %s", op_name[op], kind_name[k],
		 ak_strerror(r));
	VM_CHECK(ak_session_fallbacks(s) == 1, "no second fallback");
out:
	restore_hang();
	ak_session_close(s);
	free(ref);
	free(out);
}

static void t_auto_engine(void)
{
	for (int op = 0; op < NOPS; op++)
		auto_case(K_ENGINE, op);
}

static void t_auto_bad(void)
{
	for (int op = 0; op < NOPS; op++)
		auto_case(K_BAD, op);
}

static void t_auto_stall(void)
{
	for (int op = 0; op < NOPS; op++)
		auto_case(K_STALL, op);
}

/* Device-only session: -EIO for the job; the next call runs on the device
 * (the same queue, or a new one after a failed queue) and is right. */
static void t_device_eio(void)
{
	for (int k = 0; k < NKINDS; k++) {
		size_t rl, ol;
		uint8_t ref[64], out[64];
		struct ak_session *s = NULL;
		int r;

		fill_input();
		VM_REQUIRE(in_buf, "memory");
		rl = sizeof(ref);
		VM_REQUIRE(reference(OP_SHA256, ref, &rl) == 0, "software");
		r = ak_session_open(AK_ALG_SHA256, g_node, AK_SF_DEVICE, &s);
		VM_REQUIRE(r == 0, "device session: %s", ak_strerror(r));
		r = inject(k, sess_qid(s), 0);
		if (r < 0) {
			ak_session_close(s);
			return;
		}
		ol = sizeof(out);
		r = run_op(s, OP_SHA256, out, &ol);
		VM_CHECK(r == -EIO, "device-only after %s: %d (%s), want -EIO",
			 kind_name[k], r, ak_strerror(r));
		VM_CHECK(ak_session_fallbacks(s) == 0, "device-only fell back");
		restore_hang();
		ol = sizeof(out);
		r = run_op(s, OP_SHA256, out, &ol);
		VM_CHECK(r == 0 && ol == rl && !memcmp(out, ref, rl),
			 "device-only, the call after %s: %s", kind_name[k],
			 ak_strerror(r));
		VM_CHECK(ak_session_path(s) == AK_PATH_DEVICE, "path");
		ak_session_close(s);
	}
}

/* ---- async: every request exactly once ------------------------------- */

enum { NREQ = 8, AFTER = 3 };
static int cb_count[NREQ];

static void count_cb(struct ak_req *r)
{
	cb_count[(int)(intptr_t)r->user]++;
}

static void async_case(int k)
{
	static uint8_t out[NREQ][32], ref[NREQ][32];
	struct ak_req req[NREQ];
	struct ak_session *s = NULL;
	size_t seg = DLEN / NREQ;
	int r, got = 0;

	fill_input();
	VM_REQUIRE(in_buf, "memory");
	for (int i = 0; i < NREQ; i++) {
		struct ak_session *sw = NULL;
		size_t n = 32;

		VM_REQUIRE(ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE,
					   &sw) == 0, "software session");
		VM_REQUIRE(ak_digest(sw, in_buf + i * seg, seg, ref[i], &n) == 0,
			   "software digest");
		ak_session_close(sw);
	}
	r = ak_session_open(AK_ALG_SHA256, g_node, AK_SF_AUTO, &s);
	VM_REQUIRE(r == 0 && ak_session_path(s) == AK_PATH_DEVICE,
		   "auto session on the device");
	r = inject(k, sess_qid(s), AFTER);
	if (r < 0) {
		ak_session_close(s);
		return;
	}
	memset(cb_count, 0, sizeof(cb_count));
	memset(req, 0, sizeof(req));
	for (int i = 0; i < NREQ; i++) {
		req[i].op = AK_REQ_DIGEST;
		req[i].src = in_buf + i * seg;
		req[i].len = seg;
		req[i].dst = out[i];
		req[i].dst_len = 32;
		req[i].cb = count_cb;
		req[i].user = (void *)(intptr_t)i;
		VM_CHECK(ak_alg_submit(s, &req[i]) == 0, "submit %d", i);
	}
	while (ak_alg_pending(s) > 0) {
		r = ak_alg_poll(s, AK_JOB_TIMEOUT_MS);
		if (r <= 0) {
			VM_FAIL("%s: ak_alg_poll %d (%s), %d pending",
				kind_name[k], r, ak_strerror(r),
				ak_alg_pending(s));
			break;
		}
		got += r;
	}
	VM_CHECK(got == NREQ, "%s: %d delivered, want %d", kind_name[k], got,
		 NREQ);
	for (int i = 0; i < NREQ; i++) {
		if (cb_count[i] == 0)
			lost++;
		if (cb_count[i] > 1)
			dups += cb_count[i] - 1;
		VM_CHECK(cb_count[i] == 1, "%s: request %d called back %d times",
			 kind_name[k], i, cb_count[i]);
		VM_CHECK(req[i].status == 0 && !memcmp(out[i], ref[i], 32),
			 "%s: request %d: %s", kind_name[k], i,
			 ak_strerror(req[i].status));
		/* The AFTER first ones ran on the device; the faulted one
		 * was redone; after a failed queue all later ones too. */
		VM_CHECK(!!(req[i].rflags & AK_REQ_FELL_BACK) ==
			 (i == AFTER || (k != K_ENGINE && i > AFTER)),
			 "%s: request %d rflags %u", kind_name[k], i,
			 req[i].rflags);
	}
	VM_CHECK(ak_session_fallbacks(s) ==
		 (k == K_ENGINE ? 1u : (unsigned)(NREQ - AFTER)),
		 "%s: %llu fallbacks", kind_name[k],
		 (unsigned long long)ak_session_fallbacks(s));
	restore_hang();
	ak_session_close(s);
}

static void t_async_once(void)
{
	for (int k = 0; k < NKINDS; k++)
		async_case(k);
}

/* ---- raw API ----------------------------------------------------------- */

static void t_raw_failed(void)
{
	struct ak_queue_info qi;
	struct ak_queue *q = NULL;
	uint8_t a[4096], b[4096];
	struct ak_result res;
	int r;

	memset(a, 0x3C, sizeof(a));
	r = ak_queue_open(g_node, NULL, 0, &q);
	VM_REQUIRE(r == 0, "ak_queue_open: %s", ak_strerror(r));
	ak_queue_info(q, &qi);
	r = inject(K_BAD, (int)qi.queue_id, 1);
	if (r < 0) {
		ak_queue_close(q);
		return;
	}
	VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 && !memcmp(a, b, sizeof(a)),
		 "the job before the fault");
	struct ak_job j = { .op = AK_OP_COPY, .tag = 77, .src = a, .dst = b,
			    .len = sizeof(a) };

	r = ak_run(q, &j, &res, AK_JOB_TIMEOUT_MS);
	VM_CHECK(r == -EIO && res.status == AK_ST_ABORTED && res.tag == 77,
		 "bad record: %d status %u tag %llu", r, res.status,
		 (unsigned long long)res.tag);
	VM_CHECK(ak_queue_failed(q) == 1, "not failed");
	VM_CHECK(ak_nop(q) == -EIO, "submit on a failed queue");
	ak_queue_close(q);
	/* A new queue works. */
	r = ak_queue_open(g_node, NULL, 0, &q);
	VM_REQUIRE(r == 0, "reopen: %s", ak_strerror(r));
	memset(b, 0, sizeof(b));
	VM_CHECK(ak_copy(q, b, a, sizeof(a)) == 0 && !memcmp(a, b, sizeof(a)),
		 "a new queue");
	ak_queue_close(q);
}

int add_libfault_suites(void)
{
	static const struct ak_test t[] = {
		{ "inject file, hang_ms, CAPS ERR_RECOVERY", t_inject_present },
		{ "auto: engine_error -> software result", t_auto_engine },
		{ "auto: bad_completion -> software result, path software",
		  t_auto_bad },
		{ "auto: stall -> watchdog, software result", t_auto_stall },
		{ "device-only: -EIO, then the device again", t_device_eio },
		{ "async: each request once, exact", t_async_once },
		{ "raw: bad record fails the queue", t_raw_failed },
		{ NULL, NULL }
	};

	return ak_add_suite("libfault", lf_init, lf_clean, t);
}
