// SPDX-License-Identifier: LGPL-2.1-or-later
/* ak-vm-tests: shared helpers of the algorithm-engine suites. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_alg.h"

static char algs_buf[1024];

const char *va_algs_text(void)
{
	char path[320];

	vm_fmt(path, sizeof(path), "%s/algorithms", g_sysdir);
	if (vm_read_file(path, algs_buf, sizeof(algs_buf)) < 0)
		algs_buf[0] = '\0';
	return algs_buf;
}

int va_has_alg(const char *name)
{
	const char *t = va_algs_text(), *p = t;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == t || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

static struct ak_session *open_session(int alg, unsigned flags, int want)
{
	struct ak_session *s = NULL;
	int r = ak_session_open(alg, g_node, flags, &s);
	int path;

	VM_CHECK(r == 0 && s, "ak_session_open(%s, %s, 0x%x) = %d (%s)",
		 ak_alg_name(alg) ? ak_alg_name(alg) : "?", g_node, flags, r,
		 strerror(-r));
	if (r || !s)
		return NULL;
	path = ak_session_path(s);
	VM_CHECK(path == want, "session path of %s is %d (%s), expected %s",
		 ak_alg_name(alg), path,
		 ak_path_name(path) ? ak_path_name(path) : "?",
		 ak_path_name(want));
	if (path != want) {
		ak_session_close(s);
		return NULL;
	}
	if (want == AK_PATH_DEVICE) {
		const char *pn = ak_path_name(path), *node = ak_session_node(s);

		VM_CHECK(pn && !strcmp(pn, "device"), "path name \"%s\"",
			 pn ? pn : "(null)");
		VM_CHECK(node && !strcmp(node, g_node),
			 "device session on node \"%s\", expected %s",
			 node ? node : "(null)", g_node);
		if (!node || strcmp(node, g_node)) {
			ak_session_close(s);
			return NULL;
		}
	}
	return s;
}

struct ak_session *va_dev_session(int alg)
{
	return open_session(alg, AK_SF_DEVICE, AK_PATH_DEVICE);
}

struct ak_session *va_sw_session(int alg)
{
	return open_session(alg, AK_SF_SOFTWARE, AK_PATH_SOFTWARE);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t va_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		int hi = hexval(hex[0]), lo = hexval(hex[1]);

		if (hi < 0 || lo < 0 || n >= cap) {
			VM_FAIL("bad hex vector or too long (%zu bytes max)",
				cap);
			return n;
		}
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	return n;
}

const char *va_hex(const void *p, size_t len)
{
	static char bufs[4][72];
	static int k;
	char *b = bufs[k++ & 3];
	const uint8_t *x = p;
	size_t i;

	if (len > 32)
		len = 32;
	for (i = 0; i < len; i++)
		sprintf(b + 2 * i, "%02x", x[i]);
	b[2 * len] = '\0';
	return b;
}

void va_fill_text(void *p, size_t len, uint32_t seed)
{
	static const char *const words[] = {
		"the", "accelerator", "queue", "shared", "virtual", "address",
		"page", "table", "device", "job", "completion", "ring", "of",
		"and", "to", "a", "in", "deflate", "stream", "context",
		"kernel", "process", "memory", "fault", "doorbell",
	};
	uint8_t *b = p;
	uint32_t x = seed * 2246822519u + 7u;
	size_t i = 0;

	if (!x)
		x = 1;
	while (i < len) {
		const char *w;
		char num[16];

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if ((x & 31) == 0) {
			snprintf(num, sizeof(num), "%u", x >> 20);
			w = num;
		} else {
			w = words[(x >> 8) % (sizeof(words) / sizeof(words[0]))];
		}
		for (; *w && i < len; w++)
			b[i++] = (uint8_t)*w;
		if (i < len)
			b[i++] = (x & 0x700) == 0x700 ? '\n' : ' ';
	}
}

void va_desc(struct aks_desc *d, unsigned op, unsigned flags, unsigned ctx,
	     const void *src, uint64_t len, void *dst, uint64_t dst_len,
	     const struct aks_params *p)
{
	memset(d, 0, sizeof(*d));
	d->opcode = (uint16_t)op;
	d->flags = (uint16_t)(flags | AKS_DF_IRQ);
	d->rsvd0 = ctx;
	d->tag = 0xA1;
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->len = len;
	d->pattern = dst_len;
	d->rsvd1[0] = (uintptr_t)p;
}

int va_reap_flags(struct ak_queue *q, struct ak_result *out,
		  uint16_t *cflags, unsigned max)
{
	int n = ak_reap(q, out, max);

	for (int i = 0; cflags && i < n; i++)
		cflags[i] = out[i].cflags;
	return n;
}

int va_reap_n(struct ak_queue *q, struct ak_result *r, uint16_t *cflags,
	      int n, int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;
	int got = 0;

	while (got < n) {
		int k = va_reap_flags(q, r + got, cflags ? cflags + got : NULL,
				      (unsigned)(n - got));

		if (k < 0)
			break;
		got += k;
		if (got >= n)
			break;
		if (k == 0) {
			uint64_t now = vm_now_ms();

			if (now >= deadline)
				break;
			k = ak_wait(q, (int)(deadline - now));
			if (k < 0 && k != -ETIMEDOUT)
				break;
		}
	}
	return got;
}

int va_raw_run(struct ak_queue *q, const struct aks_desc *d,
	       struct ak_result *r, uint16_t *cflags)
{
	uint16_t cf = 0xffff;
	int k = ak_submit_raw(q, d, sizeof(*d));

	memset(r, 0xee, sizeof(*r));
	if (cflags)
		*cflags = 0xffff;
	if (k < 0)
		return k;
	if (va_reap_n(q, r, &cf, 1, AK_JOB_TIMEOUT_MS) != 1)
		return -ETIMEDOUT;
	if (cflags)
		*cflags = cf;
	return 0;
}

/* ak_status_str(), plus the marker va_raw_run() uses for "no record". */
const char *va_st(int status)
{
	return status == 0xffff ? "NO COMPLETION" : ak_status_str(status);
}

int va_raw_cipher(struct ak_queue *q, unsigned alg, bool decrypt,
		  const void *key, uint32_t key_len, const void *iv,
		  uint32_t iv_len, const void *src, size_t len, void *dst,
		  size_t dst_len, const void *aad, size_t aad_len,
		  void *tag, struct ak_result *r)
{
	struct aks_params p;
	struct aks_desc d;

	memset(&p, 0, sizeof(p));
	p.alg = alg;
	p.key = (uintptr_t)key;
	p.key_len = key_len;
	p.iv = (uintptr_t)iv;
	p.iv_len = iv_len;
	p.aad = (uintptr_t)aad;
	p.aad_len = aad_len;
	p.auth_tag = (uintptr_t)tag;
	va_desc(&d, AKS_OP_CIPHER,
		AKS_DF_FIRST | AKS_DF_LAST | (decrypt ? AKS_DF_DECRYPT : 0),
		0, src, len, dst, dst_len, &p);
	if (va_raw_run(q, &d, r, NULL) < 0)
		return 0xffff;
	return r->status;
}

/* ---- the advertisement suite ---- */

static void t_advertised(void)
{
	static const char *const names[] = {
		"deflate", "zlib", "gzip", "sha256", "sha512", "hmac(sha256)",
		"cbc(aes)", "ctr(aes)", "xts(aes)", "gcm(aes)",
	};
	struct ak_queue_info qi;
	struct ak_queue *q;
	size_t i;

	printf("\n    %s/algorithms: \"%s\"\n", g_sysdir, va_algs_text());
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		VM_CHECK(va_has_alg(names[i]),
			 "%s/algorithms does not list \"%s\" (CAPS bits 3-6?): \"%s\"",
			 g_sysdir, names[i], va_algs_text());
	q = vm_open_queue(0);
	if (!q)
		return;
	VM_CHECK(ak_queue_info(q, &qi) == 0, "ak_queue_info");
	VM_CHECK((qi.caps & 0x78) == 0x78,
		 "CAPS 0x%llx: opcodes 3-6 not all supported",
		 (unsigned long long)qi.caps);
	ak_queue_close(q);
}

static void t_names(void)
{
	static const char *const names[] = {
		NULL, "deflate", "zlib", "gzip", "sha256", "sha512",
		"hmac(sha256)", "cbc(aes)", "ctr(aes)", "xts(aes)", "gcm(aes)",
	};
	int a;

	for (a = AK_ALG_DEFLATE; a <= AK_ALG_AES_GCM; a++) {
		const char *n = ak_alg_name(a);

		VM_CHECK(n && !strcmp(n, names[a]), "ak_alg_name(%d) = %s", a,
			 n ? n : "(null)");
		VM_CHECK(ak_alg_from_name(names[a]) == a,
			 "ak_alg_from_name(%s)", names[a]);
	}
	VM_CHECK(ak_alg_from_name("raw") == AK_ALG_DEFLATE, "raw");
	VM_CHECK(ak_digest_size(AK_ALG_SHA256) == 32 &&
		 ak_digest_size(AK_ALG_SHA512) == 64 &&
		 ak_digest_size(AK_ALG_HMAC_SHA256) == 32, "ak_digest_size");
}

/* Every algorithm opens on the device path when forced, and auto picks the
 * device too (nothing in the environment says otherwise). */
static void t_paths(void)
{
	int a;

	unsetenv("AK_PATH");
	for (a = AK_ALG_DEFLATE; a <= AK_ALG_AES_GCM; a++) {
		struct ak_session *s = va_dev_session(a), *au = NULL;
		int r;

		if (s) {
			VM_CHECK(ak_session_alg(s) == a, "ak_session_alg");
			ak_session_close(s);
		}
		r = ak_session_open(a, NULL, AK_SF_AUTO, &au);
		VM_CHECK(r == 0 && au, "auto session %s: %d", ak_alg_name(a), r);
		if (au) {
			VM_CHECK(ak_session_path(au) == AK_PATH_DEVICE,
				 "auto session of %s took path %s while the device offers it",
				 ak_alg_name(a), ak_path_name(ak_session_path(au)));
			ak_session_close(au);
		}
	}
}

static const struct ak_test adv_tests[] = {
	{ "device advertises the 10 algorithms (CAPS 3-6)", t_advertised },
	{ "algorithm names round-trip", t_names },
	{ "device-only and auto sessions take the device path", t_paths },
	{ NULL, NULL },
};

int add_alg_suites(void)
{
	return ak_add_suite("alg: advertisement", NULL, NULL, adv_tests) ||
	       add_alg_kat_suites() || add_alg_raw_suites() ||
	       add_alg_equiv_suites() || add_alg_interop_suites() ||
	       add_alg_fuzz_suites() || add_alg_stream_suites() ||
	       add_alg_direct_suites();
}
