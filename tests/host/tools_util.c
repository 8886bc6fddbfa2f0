// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers of the tool suites: see tools_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ftw.h>
#include <unistd.h>

#include "tools_util.h"

char tooldir[PATH_MAX];
char libdir[PATH_MAX];
char work[PATH_MAX];

/* The child side of runv(): never returns. */
static void child(const char *const env[], const char *in, const char *out,
		  const char *err, const char *const argv[])
{
	char path[PATH_MAX * 2];
	int fd;

	if (chdir(work))
		_exit(126);
	setenv("AK_PATH", "software", 1);
	setenv("LD_LIBRARY_PATH", libdir, 1);
	unsetenv("GZIP");
	for (size_t i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	fd = open(in ? in : "/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(126);
	fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
		  0644);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(126);
	fd = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
		  0644);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(126);
	if (strncmp(argv[0], "ak", 2) == 0) {
		snprintf(path, sizeof(path), "%s/%s", tooldir, argv[0]);
		execv(path, (char *const *)argv);
	} else {
		execvp(argv[0], (char *const *)argv);
	}
	_exit(127);
}

static int wait_bg(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int runv(const char *const env[], const char *in, const char *out,
	 const char *err, const char *const argv[])
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		child(env, in, out, err, argv);
	return wait_bg(pid);
}

void wpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", work, name);
}

bool exists(const char *name)
{
	char p[PATH_MAX * 2];

	wpath(p, sizeof(p), name);
	return access(p, F_OK) == 0;
}

uint8_t *slurp(const char *name, size_t *len)
{
	char p[PATH_MAX * 2];
	struct stat st;
	uint8_t *buf;
	int fd;

	wpath(p, sizeof(p), name);
	*len = 0;
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	if (buf) {
		buf[st.st_size] = 0;
		*len = (size_t)st.st_size;
	}
	return buf;
}

int spit(const char *name, const void *data, size_t len)
{
	char p[PATH_MAX * 2];
	int fd, r = 0;

	wpath(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		r = -1;
	close(fd);
	return r;
}

int cat2(const char *out, const char *a, const char *b)
{
	size_t la, lb;
	uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb), *all;
	int r = -1;

	all = malloc(la + lb + 1);
	if (pa && pb && all) {
		memcpy(all, pa, la);
		memcpy(all + la, pb, lb);
		r = spit(out, all, la + lb);
	}
	free(pa);
	free(pb);
	free(all);
	return r;
}

bool same(const char *a, const char *b)
{
	size_t la, lb;
	uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb);
	bool eq = pa && pb && la == lb && memcmp(pa, pb, la) == 0;

	free(pa);
	free(pb);
	return eq;
}

bool contains(const char *name, const char *needle)
{
	size_t l;
	char *p = (char *)slurp(name, &l);
	bool r = p && strstr(p, needle);

	free(p);
	return r;
}

int flip(const char *name, long off)
{
	size_t l;
	uint8_t *p = slurp(name, &l);
	int r = -1;

	if (p && l) {
		size_t o = off < 0 ? l - (size_t)-off : (size_t)off;

		if (o < l) {
			p[o] ^= 0x55;
			r = spit(name, p, l);
		}
	}
	free(p);
	return r;
}

int truncate_to(const char *name, size_t len)
{
	char p[PATH_MAX * 2];

	wpath(p, sizeof(p), name);
	return truncate(p, (off_t)len);
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

int gen(const char *name, size_t len)
{
	static const char words[][9] = { "accel ", "kit ", "queue ", "ring ",
					 "pasid ", "sva\n", "job ", "deflate " };
	uint8_t *p = malloc(len + 8);
	size_t i = 0;
	int r;

	if (!p)
		return -1;
	while (i < len) {
		if ((i / 65536) % 2 == 0) {
			const char *w = words[rnd() % 8];
			size_t wl = strlen(w);

			memcpy(p + i, w, wl);
			i += wl;
		} else {
			uint64_t v = rnd();

			memcpy(p + i, &v, 8);
			i += 8;
		}
	}
	r = spit(name, p, len);
	free(p);
	return r;
}

static int rm_cb(const char *p, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

int tools_init(void)
{
	const char *d = getenv("AK_SAMPLES_DIR");
	const char *l = getenv("AK_LIB_DIR");
	const char *tools[] = { "akzip", "aksum", "akenc" };
	char p[PATH_MAX * 2], tmp[PATH_MAX + 16];

	if (!realpath(d ? d : "../samples", tooldir)) {
		fprintf(stderr, "tools: samples directory %s: %s\n",
			d ? d : "../samples", strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/../lib", tooldir);
	if (!realpath(l ? l : tmp, libdir)) {
		fprintf(stderr, "tools: library directory: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", tooldir, tools[i]);
		if (access(p, X_OK)) {
			fprintf(stderr, "tools: %s not built (make -C samples)\n", p);
			return -1;
		}
	}
	snprintf(work, sizeof(work), "%s/ak-tools-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(work))
		return -1;
	return 0;
}

int tools_clean(void)
{
	if (work[0])
		nftw(work, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int wlstat(const char *name, struct stat *st)
{
	char p[PATH_MAX * 2];

	wpath(p, sizeof(p), name);
	return lstat(p, st);
}

int wstat(const char *name, struct stat *st)
{
	char p[PATH_MAX * 2];

	wpath(p, sizeof(p), name);
	return stat(p, st);
}

int append(const char *name, const void *data, size_t len)
{
	char p[PATH_MAX * 2];
	int fd, r = 0;

	wpath(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		r = -1;
	close(fd);
	return r;
}

bool same_from(const char *a, size_t skip_a, const char *b, size_t skip_b)
{
	size_t la, lb;
	uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb);
	bool eq = pa && pb && la >= skip_a && lb >= skip_b &&
		  la - skip_a == lb - skip_b &&
		  memcmp(pa + skip_a, pb + skip_b, la - skip_a) == 0;

	free(pa);
	free(pb);
	return eq;
}

bool holds(const char *name, const void *data, size_t len)
{
	size_t l;
	uint8_t *p = slurp(name, &l);
	bool r = p && l == len && memcmp(p, data, len) == 0;

	free(p);
	return r;
}

int copy(const char *dst, const char *src)
{
	return spit(dst, "", 0) || cat2(dst, src, dst);
}
