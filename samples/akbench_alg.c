// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * akbench engine modes: the algorithm API (compress, decompress, sha256,
 * aes-256-gcm) on the DEVICE path (session opened AK_SF_DEVICE) next to the
 * SOFTWARE path (AK_SF_SOFTWARE: zlib and OpenSSL libcrypto, the same calls
 * the device model makes), measured in the same run.
 *
 * Every measurement goes through the asynchronous API (ak_alg_submit /
 * ak_alg_poll) with up to qd requests in flight; at qd 1 that is one
 * request at a time. A measurement runs for a time budget (not a count),
 * so slow cells (1 MiB gzip-6 on an emulated CPU) stay short. Latency of a
 * request = delivery time - submit time. Outputs are verified after each
 * measurement (compressed data is inflated again in software); a failed or
 * wrong request is counted and makes akbench exit non-zero. Timing never
 * does.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <zlib.h>

#include <libaccelkit.h>

#include "akbench.h"

#define QD_HI		32		/* the high queue depth */
#define LAT_MAX		(1u << 18)	/* requests per measurement, at most */
#define BIG		(1u << 20)	/* largest size measured */

enum { E_GZIP1, E_GZIP6, E_GUNZIP, E_SHA256, E_GCM, E_COUNT };

struct engine {
	const char *name;
	int alg;		/* enum ak_alg */
	uint32_t op;		/* enum ak_req_op */
	int level;		/* COMPRESS */
};

static const struct engine engines[E_COUNT] = {
	[E_GZIP1]  = { "gzip-1",      AK_ALG_GZIP,    AK_REQ_COMPRESS,   1 },
	[E_GZIP6]  = { "gzip-6",      AK_ALG_GZIP,    AK_REQ_COMPRESS,   6 },
	[E_GUNZIP] = { "gunzip",      AK_ALG_GZIP,    AK_REQ_DECOMPRESS, 0 },
	[E_SHA256] = { "sha256",      AK_ALG_SHA256,  AK_REQ_DIGEST,     0 },
	[E_GCM]    = { "aes-256-gcm", AK_ALG_AES_GCM, AK_REQ_ENCRYPT,    0 },
};

static const size_t sizes[] = { 4096, 65536, BIG };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Sessions: [0] gzip, [1] sha256, [2] gcm. */
enum { S_GZIP, S_SHA, S_GCM, S_COUNT };

static int sess_index(int alg)
{
	return alg == AK_ALG_GZIP ? S_GZIP : alg == AK_ALG_SHA256 ? S_SHA : S_GCM;
}

/* A fixed key and nonce: a benchmark encrypts the same message every time
 * (never reuse a GCM nonce for real data). */
static const char gcm_key_s[] = "akbench-aes-256-gcm-key-32-bytes";
static const char gcm_nonce_s[] = "akbench-iv12";
#define gcm_key ((const uint8_t *)gcm_key_s)
#define GCM_KEY_LEN (sizeof(gcm_key_s) - 1)		/* 32 */
#define gcm_nonce ((const uint8_t *)gcm_nonce_s)
#define GCM_NONCE_LEN (sizeof(gcm_nonce_s) - 1)	/* 12 */

/* Buffers and per-measurement state, shared by every measurement. */
static struct {
	uint8_t *text;			/* BIG bytes of generated text */
	uint8_t *gz;			/* gzip-6 of text[0..size) */
	size_t gz_len;
	uint8_t *ref_ct;		/* GCM ciphertext of text[0..size) */
	uint8_t ref_tag[16];
	uint8_t ref_digest[32];
	uint8_t *check;			/* verification scratch */
	uint8_t *dst[QD_HI];		/* per-slot output */
	size_t dst_cap;
	uint8_t tag[QD_HI][16];
	struct ak_req req[QD_HI];
	uint64_t t_sub[QD_HI];
	bool used[QD_HI];
	unsigned free_slot[QD_HI];
	unsigned nfree;
	uint64_t *lat;
	unsigned done;
	unsigned failed;
	int first_err;
	struct ak_session *sw[S_COUNT];	/* software sessions (references) */
	struct ak_session *dev[S_COUNT];
} B;

struct meas {
	unsigned ops;
	uint64_t ns;
	double p50, p99;	/* microseconds */
	unsigned failed;	/* failed or wrong requests */
};

static double meas_ops(const struct meas *m)
{
	return m->ns ? m->ops / (m->ns / 1e9) : 0;
}

static double meas_mibs(const struct meas *m, size_t size)
{
	return meas_ops(m) * size / 1048576.0;
}

static const char *size_name(size_t size)
{
	return size == 4096 ? "4 KiB" : size == 65536 ? "64 KiB" : "1 MiB";
}

/*
 * The CPU the software path runs on: "host", or "guest" with the
 * hypervisor's CPUID signature ("TCG": QEMU without acceleration).
 */
static const char *cpu_kind(void)
{
	unsigned a, b, c, d;
	char sig[13];

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return "host";
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	if (!strcmp(sig, "TCGTCGTCGTCG"))
		return "guest, TCG";
	if (!strcmp(sig, "KVMKVMKVM"))
		return "guest, KVM";
	return "guest";
}

/*
 * Text-like data: words and numbers in 72-column lines, from a fixed
 * pseudo-random sequence (gzip-6 compresses it roughly 3:1).
 */
static void gen_text(uint8_t *p, size_t n)
{
	static const char *const words[] = {
		"the", "of", "and", "to", "in", "is", "that", "for", "it",
		"as", "with", "on", "be", "by", "this", "are", "or", "from",
		"queue", "device", "kernel", "page", "fault", "address",
		"space", "job", "ring", "doorbell", "completion", "buffer",
		"memory", "process", "shared", "virtual", "accelerator",
		"compress", "digest", "cipher", "session", "request", "data",
		"stream", "engine", "table", "entry", "offset", "length",
		"status", "error", "value",
	};
	const unsigned nw = sizeof(words) / sizeof(words[0]);
	uint64_t x = 0x853c49e6748fea9bull;
	unsigned col = 0;
	size_t i = 0;

	while (i < n) {
		char w[24];
		unsigned v;
		int l;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		v = (unsigned)(x >> 33);
		if (v % 8 == 0)
			l = snprintf(w, sizeof(w), "%u", (v >> 4) % 100000);
		else
			l = snprintf(w, sizeof(w), "%s", words[(v >> 4) % nw]);
		col += l + 1;
		w[l++] = col >= 72 ? '\n' : ' ';
		if (col >= 72)
			col = 0;
		for (int k = 0; k < l && i < n; k++)
			p[i++] = (uint8_t)w[k];
	}
}

/* Software references for @size: gzip-6 input of gunzip, digest, GCM. */
static int make_refs(size_t size)
{
	size_t len = B.dst_cap;
	int r;

	r = ak_compress(B.sw[S_GZIP], 6, B.text, size, B.gz, &len);
	if (r < 0)
		return r;
	B.gz_len = len;
	len = sizeof(B.ref_digest);
	r = ak_digest(B.sw[S_SHA], B.text, size, B.ref_digest, &len);
	if (r < 0)
		return r;
	return ak_aead_encrypt(B.sw[S_GCM], gcm_key, GCM_KEY_LEN,
			       gcm_nonce, GCM_NONCE_LEN, NULL, 0, B.text,
			       size, B.ref_ct, B.ref_tag);
}

static int prepare_size(size_t size)
{
	int r = make_refs(size);

	if (r < 0)
		fprintf(stderr, "akbench: software reference at %s: %s\n",
			size_name(size), strerror(-r));
	return r;
}

static void fill_req(struct ak_req *q, const struct engine *e, size_t size,
		     unsigned slot)
{
	memset(q, 0, sizeof(*q));
	q->op = e->op;
	q->src = B.text;
	q->len = size;
	q->dst = B.dst[slot];
	q->dst_len = B.dst_cap;
	switch (e->op) {
	case AK_REQ_COMPRESS:
		q->level = e->level;
		break;
	case AK_REQ_DECOMPRESS:
		q->src = B.gz;
		q->len = B.gz_len;
		break;
	case AK_REQ_DIGEST:
		q->dst_len = AK_SHA256_LEN;
		break;
	case AK_REQ_ENCRYPT:
		q->key = gcm_key;
		q->key_len = GCM_KEY_LEN;
		q->iv = gcm_nonce;
		q->iv_len = GCM_NONCE_LEN;
		q->tag = B.tag[slot];
		break;
	}
}

static void on_done(struct ak_req *q)
{
	unsigned slot = (unsigned)(q - B.req);

	if (B.done < LAT_MAX)
		B.lat[B.done] = now_ns() - B.t_sub[slot];
	B.done++;
	if (q->status && !B.failed++)
		B.first_err = q->status;
	B.free_slot[B.nfree++] = slot;
}

/* Is the output of the request last run in @slot right? */
static bool verify_slot(const struct engine *e, size_t size, unsigned slot)
{
	const struct ak_req *q = &B.req[slot];
	size_t len = B.dst_cap;

	switch (e->op) {
	case AK_REQ_COMPRESS:
		return ak_decompress(B.sw[S_GZIP], B.dst[slot], q->out_len,
				     B.check, &len, NULL) == 0 &&
		       len == size && !memcmp(B.check, B.text, size);
	case AK_REQ_DECOMPRESS:
		return q->out_len == size && !memcmp(B.dst[slot], B.text, size);
	case AK_REQ_DIGEST:
		return q->out_len == AK_SHA256_LEN &&
		       !memcmp(B.dst[slot], B.ref_digest, AK_SHA256_LEN);
	case AK_REQ_ENCRYPT:
		return !memcmp(B.dst[slot], B.ref_ct, size) &&
		       !memcmp(B.tag[slot], B.ref_tag, 16);
	}
	return false;
}

/*
 * One measurement: engine @e at @size, up to @qd requests in flight, for
 * about @budget_ns (at least 2 requests). Returns 0 (failed requests are
 * counted in @m), or a negative errno if submitting/polling failed.
 */
static int run_cell(struct ak_session *s, const struct engine *e, size_t size,
		    unsigned qd, uint64_t budget_ns, const char *what,
		    struct meas *m)
{
	unsigned sent = 0, slot;
	bool stop = false;
	uint64_t start;
	int r = 0;

	memset(m, 0, sizeof(*m));
	B.done = B.failed = 0;
	B.first_err = 0;
	B.nfree = 0;
	for (slot = qd; slot-- > 0;) {
		B.free_slot[B.nfree++] = slot;
		B.used[slot] = false;
	}
	start = now_ns();
	while (!stop || B.done < sent) {
		while (!stop && B.nfree) {
			slot = B.free_slot[--B.nfree];
			fill_req(&B.req[slot], e, size, slot);
			B.req[slot].cb = on_done;
			B.used[slot] = true;
			B.t_sub[slot] = now_ns();
			r = ak_alg_submit(s, &B.req[slot]);
			if (r < 0) {
				B.free_slot[B.nfree++] = slot;
				stop = true;
				break;
			}
			sent++;
			if ((now_ns() - start >= budget_ns && sent >= 2) ||
			    sent >= LAT_MAX)
				stop = true;
		}
		if (B.done == sent)
			break;
		int p = ak_alg_poll(s, AK_ALG_TIMEOUT_MS);

		if (p < 0 || p == 0) {
			r = p < 0 ? p : -ETIMEDOUT;
			break;
		}
	}
	m->ns = now_ns() - start;
	m->ops = B.done;
	if (r < 0) {
		fprintf(stderr, "akbench: %s %s %s qd%u: %s\n", e->name,
			size_name(size), what, qd, strerror(-r));
		while (ak_alg_poll(s, AK_ALG_TIMEOUT_MS) > 0)
			;
		return r;
	}
	m->failed = B.failed;
	if (B.failed)
		fprintf(stderr, "akbench: %s %s %s qd%u: %u of %u requests "
			"failed (first: %s)\n", e->name, size_name(size), what,
			qd, B.failed, B.done, strerror(-B.first_err));
	for (slot = 0; slot < qd; slot++) {
		if (!B.used[slot] || B.req[slot].status)
			continue;
		if (!verify_slot(e, size, slot)) {
			fprintf(stderr, "akbench: %s %s %s qd%u: wrong output\n",
				e->name, size_name(size), what, qd);
			m->failed++;
		}
	}
	unsigned n = B.done < LAT_MAX ? B.done : LAT_MAX;

	m->p50 = pct_us(B.lat, n, 0.50);
	m->p99 = pct_us(B.lat, n, 0.99);
	return 0;
}

static void bench_free(void)
{
	for (int i = 0; i < S_COUNT; i++) {
		ak_session_close(B.dev[i]);
		ak_session_close(B.sw[i]);
	}
	for (int i = 0; i < QD_HI; i++)
		free(B.dst[i]);
	free(B.text);
	free(B.gz);
	free(B.ref_ct);
	free(B.check);
	free(B.lat);
	memset(&B, 0, sizeof(B));
}

/* Buffers and sessions; @device: open the device sessions too. */
static int bench_init(const struct akb_opts *o, bool device)
{
	static const int algs[S_COUNT] = {
		AK_ALG_GZIP, AK_ALG_SHA256, AK_ALG_AES_GCM,
	};
	int r = 0;

	memset(&B, 0, sizeof(B));
	for (int i = 0; i < S_COUNT && r == 0; i++) {
		r = ak_session_open(algs[i], NULL, AK_SF_SOFTWARE, &B.sw[i]);
		if (r < 0) {
			fprintf(stderr, "akbench: software session %s: %s\n",
				ak_alg_name(algs[i]), strerror(-r));
			break;
		}
		if (!device)
			continue;
		r = ak_session_open(algs[i], o->dev, AK_SF_DEVICE | o->sflags,
				    &B.dev[i]);
		if (r < 0)
			fprintf(stderr, "akbench: device session %s: %s\n",
				ak_alg_name(algs[i]), strerror(-r));
	}
	if (r < 0) {
		bench_free();
		return r;
	}
	B.dst_cap = ak_compress_bound(B.sw[S_GZIP], BIG);
	B.text = malloc(BIG);
	B.gz = malloc(B.dst_cap);
	B.ref_ct = malloc(BIG);
	B.check = malloc(B.dst_cap);
	B.lat = calloc(LAT_MAX, sizeof(*B.lat));
	if (!B.text || !B.gz || !B.ref_ct || !B.check || !B.lat)
		r = -ENOMEM;
	for (int i = 0; i < QD_HI && r == 0; i++) {
		B.dst[i] = malloc(B.dst_cap);
		if (!B.dst[i])
			r = -ENOMEM;
		else
			memset(B.dst[i], 0, B.dst_cap);	/* resident */
	}
	if (r < 0) {
		fprintf(stderr, "akbench: out of memory\n");
		bench_free();
		return r;
	}
	gen_text(B.text, BIG);
	return 0;
}

static void print_versions(void)
{
	printf("software engines: zlib %s, %s\n", zlibVersion(),
	       OpenSSL_version(OPENSSL_VERSION));
}

static void print_tcg_note(void)
{
	printf("note: in the VM the software path runs on the TCG-emulated guest CPU (3-20x\n"
	       "      slower than the host) while the device model runs at host speed, so\n"
	       "      device / guest-software overstates the device. The honest efficiency\n"
	       "      figure is device MiB/s / the same engine on the host: run\n"
	       "      `make bench-host` (akbench --host-engine) on the host and divide.\n");
}

/* One table line; @ratio < 0: none. */
static void print_meas(const struct engine *e, size_t size, unsigned qd,
		       const char *path, const struct meas *m, double ratio)
{
	printf("%-12s %-7s %2u  %-8s %7u %10.0f %9.1f %9.1f %9.1f", e->name,
	       size_name(size), qd, path, m->ops, meas_ops(m),
	       meas_mibs(m, size), m->p50, m->p99);
	if (ratio >= 0)
		printf(" %8.2fx", ratio);
	printf("%s\n", m->failed ? "  (errors!)" : "");
}

int akb_engines(const struct akb_opts *o)
{
	uint64_t budget = (uint64_t)(o->budget_ms ? o->budget_ms : 200) * 1000000;
	unsigned failed = 0;
	int r;

	r = bench_init(o, true);
	if (r < 0)
		return r;
	printf("\nengine mode: device path (%s, sessions AK_SF_DEVICE) next to the\n"
	       "software path (AK_SF_SOFTWARE) on this CPU (%s), async API at qd 1 and %u,\n"
	       "about %u ms per measurement\n",
	       ak_session_node(B.dev[S_GZIP]), cpu_kind(), QD_HI,
	       (unsigned)(budget / 1000000));
	print_versions();
	print_tcg_note();
	printf("MiB/s counts uncompressed bytes (gunzip: bytes out; its input is the\n"
	       "gzip-6 output of the same generated text).\n");
	for (size_t si = 0; si < NSIZES; si++) {
		size_t size = sizes[si], l1 = B.dst_cap;

		r = prepare_size(size);
		if (r == 0)
			r = ak_compress(B.sw[S_GZIP], 1, B.text, size, B.check, &l1);
		if (r < 0)
			goto out;
		printf("\n%s of text: gzip-1 -> %zu bytes (%.2f:1), gzip-6 -> %zu bytes (%.2f:1)\n",
		       size_name(size), l1, (double)size / l1, B.gz_len,
		       (double)size / B.gz_len);
		printf("%-12s %-7s %2s  %-8s %7s %10s %9s %9s %9s %9s\n",
		       "engine", "size", "qd", "path", "ops", "ops/s", "MiB/s",
		       "p50(us)", "p99(us)", "dev/sw");
		for (int ei = 0; ei < E_COUNT; ei++) {
			const struct engine *e = &engines[ei];
			int s = sess_index(e->alg);

			for (unsigned qd = 1; qd <= QD_HI; qd *= QD_HI) {
				struct meas md, ms;

				r = run_cell(B.dev[s], e, size, qd, budget,
					     "device", &md);
				if (r == 0)
					r = run_cell(B.sw[s], e, size, qd,
						     budget, "software", &ms);
				if (r < 0)
					goto out;
				failed += md.failed + ms.failed;
				print_meas(e, size, qd, "device", &md,
					   meas_ops(&ms) > 0 ?
					   meas_ops(&md) / meas_ops(&ms) : 0);
				print_meas(e, size, qd, "software", &ms, -1);
			}
		}
	}
out:
	bench_free();
	return (int)failed + (r < 0);	/* a run_cell() error is a failure */
}

int akb_summary(const struct akb_opts *o)
{
	static const int which[] = { E_GZIP6, E_GUNZIP, E_SHA256, E_GCM };
	uint64_t budget = (uint64_t)(o->budget_ms ? o->budget_ms : 250) * 1000000;
	const size_t size = 65536;
	const char *cpu = cpu_kind();
	unsigned failed = 0;
	int r;

	r = bench_init(o, true);
	if (r < 0)
		return r;
	r = prepare_size(size);
	for (unsigned i = 0; i < sizeof(which) / sizeof(which[0]) && r == 0; i++) {
		const struct engine *e = &engines[which[i]];
		int s = sess_index(e->alg);
		struct meas md, ms;

		r = run_cell(B.dev[s], e, size, QD_HI, budget, "device", &md);
		if (r == 0)
			r = run_cell(B.sw[s], e, size, QD_HI, budget,
				     "software", &ms);
		if (r < 0)
			break;
		failed += md.failed + ms.failed;
		printf("akbench: %s %s qd%u: device %.1f MiB/s, software %.1f MiB/s (%s): %.1fx%s\n",
		       e->name, size_name(size), QD_HI, meas_mibs(&md, size),
		       meas_mibs(&ms, size), cpu,
		       meas_ops(&ms) > 0 ? meas_ops(&md) / meas_ops(&ms) : 0,
		       md.failed || ms.failed ? "  (errors!)" : "");
	}
	if (r == 0 && strcmp(cpu, "host"))
		printf("akbench: software ran on this CPU (%s); for device efficiency divide\n"
		       "akbench: device MiB/s by the host engine (`make bench-host` on the host)\n",
		       cpu);
	bench_free();
	return (int)failed + (r < 0);	/* a run_cell() error is a failure */
}

int akb_host(const struct akb_opts *o)
{
	uint64_t budget = (uint64_t)(o->budget_ms ? o->budget_ms : 500) * 1000000;
	unsigned failed = 0;
	int r;

	r = bench_init(o, false);
	if (r < 0)
		return r;
	printf("akbench --host-engine: raw software engines through libaccelkit's software\n"
	       "path (AK_SF_SOFTWARE), one request at a time, no device, no queue\n"
	       "CPU: %s\n", cpu_kind());
	print_versions();
	printf("device efficiency = device MiB/s (akbench -e / -s in the VM) / host-engine MiB/s\n");
	printf("%-11s %-12s %-7s %16s %10s %10s %10s\n", "", "engine", "size",
	       "MiB/s", "ops/s", "p50(us)", "p99(us)");
	for (size_t si = 0; si < NSIZES && r == 0; si++) {
		size_t size = sizes[si];

		r = prepare_size(size);
		for (int ei = 0; ei < E_COUNT && r == 0; ei++) {
			const struct engine *e = &engines[ei];
			struct meas m;

			r = run_cell(B.sw[sess_index(e->alg)], e, size, 1,
				     budget, "software", &m);
			if (r < 0)
				break;
			failed += m.failed;
			printf("host-engine %-12s %-7s %10.1f MiB/s %10.0f %10.1f %10.1f%s\n",
			       e->name, size_name(size), meas_mibs(&m, size),
			       meas_ops(&m), m.p50, m.p99,
			       m.failed ? "  (errors!)" : "");
		}
	}
	bench_free();
	return (int)failed + (r < 0);	/* a run_cell() error is a failure */
}

/* ------------------------------------------------------------------ */
/* Building blocks for the scorecard (akbench_score.c) and --emit.    */

const char *akb_eng_name(int e)
{
	return e >= 0 && e < E_COUNT ? engines[e].name : NULL;
}

int akb_eng_find(const char *name)
{
	for (int e = 0; e < E_COUNT; e++)
		if (!strcmp(engines[e].name, name))
			return e;
	return -1;
}

int akb_eng_open(const struct akb_opts *o, bool device)
{
	return bench_init(o, device);
}

void akb_eng_close(void)
{
	bench_free();
}

const char *akb_eng_node(void)
{
	return B.dev[S_GZIP] ? ak_session_node(B.dev[S_GZIP]) : "";
}

int akb_eng_prepare(size_t size)
{
	return prepare_size(size);
}

int akb_eng_cell(int e, size_t size, unsigned qd, bool device,
		 unsigned budget_ms, double *mibs, unsigned *ops)
{
	const struct engine *en = &engines[e];
	struct ak_session *s = device ? B.dev[sess_index(en->alg)] :
					B.sw[sess_index(en->alg)];
	struct meas m;
	int r;

	if (qd > QD_HI || !s)
		return -EINVAL;
	r = run_cell(s, en, size, qd, (uint64_t)budget_ms * 1000000, device ?
		     "device" : "software", &m);
	if (r < 0)
		return r;
	*mibs = meas_mibs(&m, size);
	if (ops)
		*ops = m.ops;
	return (int)m.failed;
}

void akb_eng_versions(FILE *f)
{
	fprintf(f, "zlib %s, %s", zlibVersion(),
		OpenSSL_version(OPENSSL_VERSION));
}

/*
 * --host-engine --emit FILE: the scorecard's denominators. Every engine at
 * 64 KiB and 1 MiB, queue depth 1 and 32 (software runs each request
 * inline: the depth only changes the bookkeeping), @o->reps measurements
 * of @o->budget_ms each; FILE gets "engine size qd MiB/s" lines (median).
 */
int akb_host_emit(const struct akb_opts *o)
{
	static const size_t esz[] = { 65536, BIG };
	unsigned budget = o->budget_ms ? o->budget_ms : 300;
	unsigned reps = o->reps ? o->reps : 5, failed = 0;
	FILE *f;
	int r;

	r = bench_init(o, false);
	if (r < 0)
		return r;
	f = fopen(o->emit, "w");
	if (!f) {
		r = -errno;
		fprintf(stderr, "akbench: %s: %s\n", o->emit, strerror(-r));
		bench_free();
		return r;
	}
	fprintf(f, "# akbench --host-engine --emit: engine size_bytes qd MiB/s "
		"(median of %u x %u ms), then min max\n# cpu: %s\n# engines: ",
		reps, budget, cpu_kind());
	akb_eng_versions(f);
	fprintf(f, "\n");
	printf("akbench --host-engine: software engines (AK_SF_SOFTWARE) on this "
	       "CPU (%s), %u x %u ms a cell\n", cpu_kind(), reps, budget);
	print_versions();
	printf("%-12s %-7s %3s %10s %21s\n", "engine", "size", "qd",
	       "MiB/s", "min..max");
	for (size_t si = 0; si < 2 && r == 0; si++) {
		r = prepare_size(esz[si]);
		for (int e = 0; e < E_COUNT && r == 0; e++) {
			for (unsigned qd = 1; qd <= QD_HI && r == 0; qd *= QD_HI) {
				struct akb_stat st = { 0 };
				double v;

				for (unsigned i = 0; i < reps; i++) {
					r = akb_eng_cell(e, esz[si], qd, false,
							 budget, &v, NULL);
					if (r < 0)
						break;
					failed += (unsigned)r;
					r = 0;
					akb_stat_add(&st, v);
				}
				if (r < 0)
					break;
				fprintf(f, "%s %zu %u %.2f %.2f %.2f\n",
					engines[e].name, esz[si], qd,
					akb_stat_med(&st), akb_stat_min(&st),
					akb_stat_max(&st));
				printf("%-12s %-7s %3u %10.1f %10.1f..%-10.1f\n",
				       engines[e].name, size_name(esz[si]), qd,
				       akb_stat_med(&st), akb_stat_min(&st),
				       akb_stat_max(&st));
			}
		}
	}
	if (fclose(f) && r == 0)
		r = -errno;
	bench_free();
	if (r < 0)
		return r;
	printf("akbench: wrote %s\n", o->emit);
	return (int)failed;
}
