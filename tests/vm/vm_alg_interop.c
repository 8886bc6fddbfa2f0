// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Interop inside the VM with busybox: device gzip output decompresses with
 * `busybox gzip -dc`; busybox gzip output decompresses on the device;
 * device SHA-256/512 equal `busybox sha256sum/sha512sum`. (openssl CLI
 * interop is covered by the host tests: there is no openssl in the VM.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_alg.h"

#define BB "/bin/busybox"
#define TMPD "/tmp/ak-alg-interop"

static int write_file(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const uint8_t *b = p;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, b, len);

		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		b += n;
		len -= (size_t)n;
	}
	return close(fd) ? -errno : 0;
}

/* Read a whole file into a malloc'd buffer; NULL on error. */
static uint8_t *read_all(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *b;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	b = malloc((size_t)st.st_size + 1);
	while (b && got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return b;
}

static int sh(const char *cmd)
{
	int st = system(cmd);

	return st == -1 ? -1 : (WIFEXITED(st) ? WEXITSTATUS(st) : 128);
}

static int interop_init(void)
{
	mkdir(TMPD, 0700);
	return access(BB, X_OK) ? -1 : 0;
}

static int interop_clean(void)
{
	return system("rm -rf " TMPD) == -1 ? -1 : 0;
}

static void t_dev_gzip_to_busybox(void)
{
	static const size_t sizes[] = { 0, 1, 4095, 200000 };
	static const int levels[] = { 1, 6, 9 };
	struct ak_session *s;
	size_t si, li;
	uint8_t *src = malloc(200000), *gz = malloc(300000);

	VA_REQUIRE_ALG("gzip");
	VM_REQUIRE(src && gz, "malloc");
	s = va_dev_session(AK_ALG_GZIP);
	for (si = 0; s && si < 4; si++)
	for (li = 0; li < 3; li++) {
		size_t n = sizes[si], gl = 300000, ol = 0;
		uint8_t *out;
		char cmd[256];
		int r, rc;

		if (si == 3)
			va_fill_text(src, n, 3);
		else
			vm_fill_random(src, n, 4);
		r = ak_compress(s, levels[li], src, n, gz, &gl);
		VM_CHECK(r == 0, "device gzip of %zu bytes: %d", n, r);
		if (r)
			continue;
		VM_CHECK(write_file(TMPD "/d.gz", gz, gl) == 0, "write");
		rc = sh(BB " gzip -dc " TMPD "/d.gz > " TMPD "/d.out");
		out = read_all(TMPD "/d.out", &ol);
		vm_fmt(cmd, sizeof(cmd), "level %d, %zu bytes", levels[li], n);
		VM_CHECK(rc == 0 && out && ol == n && !memcmp(out, src, n),
			 "busybox gzip -dc of device gzip (%s): exit %d, %zu bytes, %s",
			 cmd, rc, ol,
			 out && ol == n && !memcmp(out, src, n) ? "equal" : "DIFFERENT");
		free(out);
	}
	ak_session_close(s);
	free(src);
	free(gz);
}

static void t_busybox_gzip_to_dev(void)
{
	static const size_t sizes[] = { 0, 1, 4095, 300001 };
	struct ak_session *s;
	struct ak_queue *q;
	uint8_t *src = malloc(300001), *out = malloc(300001 + 64);
	size_t si;

	VA_REQUIRE_ALG("gzip");
	VM_REQUIRE(src && out, "malloc");
	s = va_dev_session(AK_ALG_GZIP);
	q = vm_open_queue(0);
	for (si = 0; s && q && si < 4; si++) {
		size_t n = sizes[si], gl = 0, ol = n + 64;
		struct aks_params p = { .alg = AKS_FRAME_GZIP };
		struct aks_desc d;
		struct ak_result r;
		uint16_t cf;
		uint8_t *gz;
		int rc;

		if (si == 3)
			va_fill_text(src, n, 8);
		else
			vm_fill_random(src, n, 9);
		VM_CHECK(write_file(TMPD "/b", src, n) == 0, "write");
		rc = sh(BB " gzip -c " TMPD "/b > " TMPD "/b.gz");
		gz = read_all(TMPD "/b.gz", &gl);
		VM_CHECK(rc == 0 && gz && gl >= 18, "busybox gzip -c: exit %d, %zu bytes",
			 rc, gl);
		if (!gz || rc)
			continue;
		memset(out, 0, n + 64);
		rc = ak_decompress(s, gz, gl, out, &ol, NULL);
		VM_CHECK(rc == 0 && ol == n && !memcmp(out, src, n),
			 "device ak_decompress of busybox gzip (%zu bytes): %d, %zu bytes",
			 n, rc, ol);
		/* the raw job: END, all input consumed */
		memset(out, 0, n + 64);
		va_desc(&d, AKS_OP_DECOMPRESS, AKS_DF_FIRST | AKS_DF_LAST, 0,
			gz, gl, out, n + 64, &p);
		rc = va_raw_run(q, &d, &r, &cf);
		VM_CHECK(rc == 0 && r.status == AKS_ST_SUCCESS &&
			 r.bytes == n && (cf & AKS_CF_END) &&
			 r.fault_addr == gl && !memcmp(out, src, n),
			 "raw DECOMPRESS of busybox gzip (%zu bytes): %s bytes %llu flags 0x%x consumed %llu/%zu",
			 n, va_st(r.status), (unsigned long long)r.bytes, cf,
			 (unsigned long long)r.fault_addr, gl);
		free(gz);
	}
	ak_queue_close(q);
	ak_session_close(s);
	free(src);
	free(out);
}

/* `busybox shaNsum FILE` -> binary digest; returns bytes or -1. */
static int bb_sum(const char *tool, const char *file, uint8_t *out, size_t cap)
{
	char cmd[256], line[256];
	FILE *f;
	size_t n = 0;

	vm_fmt(cmd, sizeof(cmd), BB " %s %s", tool, file);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		pclose(f);
		return -1;
	}
	if (pclose(f) != 0)
		return -1;
	for (n = 0; n < cap; n++) {
		unsigned v;

		if (sscanf(line + 2 * n, "%2x", &v) != 1)
			break;
		out[n] = (uint8_t)v;
	}
	return (int)n;
}

static void t_sums(void)
{
	static const size_t sizes[] = { 0, 3, 1000003 };
	uint8_t *src = malloc(1000003);
	int alg;
	size_t i;

	VA_REQUIRE_ALG("sha256");
	VA_REQUIRE_ALG("sha512");
	VM_REQUIRE(src, "malloc");
	for (alg = AK_ALG_SHA256; alg <= AK_ALG_SHA512; alg++) {
		struct ak_session *s = va_dev_session(alg);
		size_t dl = ak_digest_size(alg);

		for (i = 0; s && i < 3; i++) {
			uint8_t a[64], b[64];
			size_t al = 64;
			int ra, nb;

			if (i == 1)
				memcpy(src, "abc", 3);
			else
				vm_fill_random(src, sizes[i], 12);
			VM_CHECK(write_file(TMPD "/s", src, sizes[i]) == 0,
				 "write");
			ra = ak_digest(s, src, sizes[i], a, &al);
			nb = bb_sum(alg == AK_ALG_SHA256 ? "sha256sum" : "sha512sum",
				    TMPD "/s", b, sizeof(b));
			VM_CHECK(ra == 0 && nb == (int)dl && al == dl &&
				 !memcmp(a, b, dl),
				 "%s of %zu bytes: device %d %s, busybox (%d bytes) %s",
				 ak_alg_name(alg), sizes[i], ra, va_hex(a, dl),
				 nb, va_hex(b, dl));
		}
		ak_session_close(s);
	}
	free(src);
}

static const struct ak_test interop_tests[] = {
	{ "device gzip -> busybox gzip -dc, byte-identical", t_dev_gzip_to_busybox },
	{ "busybox gzip -> device decompress (library and raw)", t_busybox_gzip_to_dev },
	{ "device SHA-256/512 == busybox sha256sum/sha512sum", t_sums },
	{ NULL, NULL },
};

int add_alg_interop_suites(void)
{
	return ak_add_suite("alg: busybox interop", interop_init,
			    interop_clean, interop_tests);
}
