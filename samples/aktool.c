// SPDX-License-Identifier: LGPL-2.1-or-later
/* aktool - helpers shared by akzip, aksum and akenc. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* @name with symbolic links followed (also a dangling last link); NULL
 * with errno set (ELOOP after 40 links). */
static char *resolve_links(const char *name)
{
	char *p = strdup(name);

	for (int hops = 0; p; hops++) {
		struct stat st;
		char *t, *n;
		ssize_t l;

		if (lstat(p, &st) || !S_ISLNK(st.st_mode))
			return p;	/* not a link (or nothing there yet) */
		if (hops == 40) {
			free(p);
			errno = ELOOP;
			return NULL;
		}
		t = malloc(PATH_MAX);
		l = t ? readlink(p, t, PATH_MAX - 1) : -1;
		if (l < 0) {
			free(t);
			free(p);
			return NULL;
		}
		t[l] = '\0';
		if (t[0] == '/' || !strchr(p, '/')) {
			n = t;
		} else {
			const char *sl = strrchr(p, '/');

			if (asprintf(&n, "%.*s/%s", (int)(sl - p), p, t) < 0)
				n = NULL;
			free(t);
		}
		free(p);
		p = n;
	}
	return NULL;
}

int akt_out_open(struct akt_out *o, const char *name)
{
	const char *slash;
	int dl;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->target_fd = -1;
	o->path = resolve_links(name);
	if (!o->path) {
		akt_msg("%s: %s", name, strerror(errno));
		return -1;
	}
	if (stat(o->path, &o->st)) {
		if (errno != ENOENT) {
			akt_msg("%s: %s", name, strerror(errno));
			goto fail;
		}
		memset(&o->st, 0, sizeof(o->st));
	} else if (S_ISDIR(o->st.st_mode)) {
		akt_msg("%s: %s", name, strerror(EISDIR));
		goto fail;
	} else if (!S_ISREG(o->st.st_mode)) {
		/* A device, FIFO or socket: write to it, never replace it. */
		o->fd = open(o->path, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0) {
			akt_msg("%s: %s", name, strerror(errno));
			goto fail;
		}
		return 0;
	} else if (o->st.st_nlink > 1) {
		/* Keep the links: copied into this inode on success. */
		o->target_fd = open(o->path, O_WRONLY | O_CLOEXEC);
		if (o->target_fd < 0) {
			akt_msg("%s: %s", name, strerror(errno));
			goto fail;
		}
	}
	slash = strrchr(o->path, '/');
	dl = slash ? (int)(slash - o->path + 1) : 0;
	if (asprintf(&o->tmp, "%.*s.%s.%s-XXXXXX", dl, o->path, o->path + dl,
		     akt_prog) < 0) {
		o->tmp = NULL;
		akt_msg("out of memory");
		goto fail;
	}
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		akt_msg("%s: %s", name, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (o->target_fd >= 0)
		close(o->target_fd);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return -1;
}

/* Copy the finished temporary file into the hard-linked target. */
static int copy_into(struct akt_out *o)
{
	char *buf = malloc(AKT_BUF);
	int r = -1;

	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	if (lseek(o->fd, 0, SEEK_SET) || ftruncate(o->target_fd, 0))
		goto out;
	for (;;) {
		ssize_t n = akt_read_full(o->fd, buf, AKT_BUF);

		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (akt_write_full(o->target_fd, buf, (size_t)n))
			goto out;
	}
	r = 0;
out:
	free(buf);
	return r;
}

int akt_out_commit(struct akt_out *o, bool ok)
{
	int r = ok ? 0 : -1;

	if (ok && o->tmp && o->target_fd < 0 && o->st.st_mode) {
		/* Replacing a regular file: keep its owner and mode. */
		if (fchown(o->fd, o->st.st_uid, o->st.st_gid))
			(void)!fchown(o->fd, (uid_t)-1, o->st.st_gid);
		if (fchmod(o->fd, o->st.st_mode & 07777))
			akt_msg("%s: cannot keep the mode: %s", o->path,
				strerror(errno));
	}
	if (r == 0 && o->target_fd >= 0 && copy_into(o)) {
		akt_msg("%s: write error: %s", o->path, strerror(errno));
		r = -1;
	}
	if (o->target_fd >= 0 && close(o->target_fd) && r == 0) {
		akt_msg("%s: write error: %s", o->path, strerror(errno));
		r = -1;
	}
	if (close(o->fd) && r == 0) {
		akt_msg("%s: write error: %s", o->path, strerror(errno));
		r = -1;
	}
	if (o->tmp) {
		if (r == 0 && o->target_fd < 0 && rename(o->tmp, o->path)) {
			akt_msg("%s: %s", o->path, strerror(errno));
			r = -1;
		}
		if (r || o->target_fd >= 0)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	o->fd = o->target_fd = -1;
	return r;
}
