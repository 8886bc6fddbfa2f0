// SPDX-License-Identifier: LGPL-2.1-or-later
/* aktool - helpers shared by akzip, aksum and akenc. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aktool.h"

const char *akt_prog = "ak";

void akt_set_prog(const char *argv0)
{
	const char *p;

	if (!argv0 || !*argv0)
		return;
	p = strrchr(argv0, '/');
	akt_prog = p ? p + 1 : argv0;
}

void akt_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", akt_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

ssize_t akt_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, (char *)buf + done, len - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int akt_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
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

int akt_hex_decode(const char *hex, uint8_t *out, size_t n)
{
	if (strlen(hex) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void akt_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *akt_strerr(int err)
{
	if (err == -EBADMSG)
		return "corrupt data or authentication failure";
	return strerror(err < 0 ? -err : err);
}

int akt_session_open(int alg, struct ak_session **s)
{
	int r = ak_session_open(alg, NULL, AK_SF_AUTO, s);

	if (r == -EINVAL && getenv("AK_PATH"))
		akt_msg("cannot open a %s session: bad AK_PATH=\"%s\" "
			"(device, software or auto)", ak_alg_name(alg),
			getenv("AK_PATH"));
	else if (r == -EACCES || r == -EPERM)
		/* The device nodes are 0660 root:accel (udev/60-accelkit.rules). */
		akt_msg("cannot open a %s session: %s: no access to the "
			"accelerator's device node (/dev/accel/*); members of "
			"group \"accel\" may use it (ask an administrator: "
			"usermod -aG accel $USER, then log in again), or use "
			"AK_PATH=software", ak_alg_name(alg), akt_strerr(r));
	else if (r)
		akt_msg("cannot open a %s session: %s", ak_alg_name(alg),
			akt_strerr(r));
	return r;
}

const char *akt_path_name(const struct ak_session *s)
{
	const char *n = ak_path_name(ak_session_path(s));

	return n ? n : "unknown";
}
