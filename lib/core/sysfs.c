// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sysfs attribute reading and device selection. Also the AK_SYSFS_ROOT
 * test mode of discovery: scan $AK_SYSFS_ROOT/class/uacce/[*] directories
 * instead of asking libudev.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const char *ak_sysfs_root(void)
{
	const char *r = getenv("AK_SYSFS_ROOT");

	return r && *r ? r : "/sys";
}

int ak_current_numa_node(void)
{
	unsigned cpu, node;

	if (getcpu(&cpu, &node) != 0)
		return -1;
	return (int)node;
}

int ak_sysfs_read(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t off = 0;
	int fd, n;

	if (!len)
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len - 1) {
		ssize_t r = read(fd, buf + off, len - 1 - off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	buf[off] = '\0';
	return (int)off;
}

int ak_sysfs_read_long(const char *dir, const char *name, long *val)
{
	char buf[64], *end;
	long v;
	int r;

	r = ak_sysfs_read(dir, name, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || errno)
		return -EINVAL;
	while (*end == '\n' || *end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (*end)
		return -EINVAL;
	*val = v;
	return 0;
}

bool ak_alg_list_has(const char *list, const char *alg)
{
	size_t alen = strlen(alg);
	const char *p = list;

	if (!alen)
		return false;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t llen = eol ? (size_t)(eol - p) : strlen(p);

		while (llen && (p[llen - 1] == ' ' || p[llen - 1] == '\t' ||
				p[llen - 1] == '\r'))
			llen--;
		if (llen == alen && !memcmp(p, alg, alen))
			return true;
		if (!eol)
			break;
		p = eol + 1;
	}
	return false;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int ak_probe_dir(const char *dir, const char *devnode, const char *alg,
		 struct ak_cand *c)
{
	char algs[4096], ddir[PATH_MAX];
	long v;
	int r;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", base_name(dir));
	if (devnode)
		r = snprintf(c->node, sizeof(c->node), "%s", devnode);
	else
		r = snprintf(c->node, sizeof(c->node), "/dev/%s", c->name);
	if (r < 0 || (size_t)r >= sizeof(c->node))
		return -ENAMETOOLONG;

	r = ak_sysfs_read(dir, "algorithms", algs, sizeof(algs));
	if (r < 0)
		return r;
	if (!ak_alg_list_has(algs, alg))
		return -ENOENT;

	r = ak_sysfs_read_long(dir, "available_instances", &v);
	if (r < 0)
		return r;
	if (v <= 0)
		return -ENOENT;
	c->avail = v;

	/* numa_node of the parent device; missing or unreadable: any node. */
	c->numa = -1;
	r = snprintf(ddir, sizeof(ddir), "%s/device", dir);
	if (r > 0 && (size_t)r < sizeof(ddir) &&
	    ak_sysfs_read_long(ddir, "numa_node", &v) == 0 && v >= 0 &&
	    v <= INT_MAX)
		c->numa = (int)v;
	return 0;
}

int ak_select(const struct ak_cand *c, size_t n, int my_node)
{
	int best = -1;
	bool best_local = false;

	for (size_t i = 0; i < n; i++) {
		bool local = my_node < 0 || c[i].numa < 0 ||
			     c[i].numa == my_node;

		if (best < 0 || (local && !best_local) ||
		    (local == best_local && c[i].avail > c[best].avail)) {
			best = (int)i;
			best_local = local;
		}
	}
	return best;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct ak_cand *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void ak_cand_sort(struct ak_cand *c, size_t n)
{
	if (n > 1)
		qsort(c, n, sizeof(*c), cand_cmp);
}

int ak_copy_node(const char *src, char *node, size_t len)
{
	size_t l = strlen(src);

	if (l >= len) {
		node[0] = '\0';
		return -ERANGE;
	}
	memcpy(node, src, l + 1);
	return 0;
}

/* DEVNAME=<name> from a uevent file; returns 0 and "/dev/<name>". */
static int uevent_devnode(const char *dir, char *out, size_t len)
{
	char buf[4096];
	char *p, *save = NULL;
	int r;

	r = ak_sysfs_read(dir, "uevent", buf, sizeof(buf));
	if (r < 0)
		return r;
	for (p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(p, "DEVNAME=", 8) && p[8]) {
			r = snprintf(out, len, "%s%s",
				     p[8] == '/' ? "" : "/dev/", p + 8);
			return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
		}
	}
	return -ENOENT;
}

int ak_find_device_root(const char *root, const char *alg, char *node,
			size_t len, int my_node)
{
	char cdir[PATH_MAX], ddir[PATH_MAX], dn[AK_NODE_MAX];
	struct dirent **ents = NULL;
	struct ak_cand *cands;
	size_t nc = 0;
	int n, r, best;

	if (len)
		node[0] = '\0';	/* empty on any failure */
	r = snprintf(cdir, sizeof(cdir), "%s/class/uacce", root);
	if (r < 0 || (size_t)r >= sizeof(cdir))
		return -ENAMETOOLONG;
	n = scandir(cdir, &ents, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;

	cands = calloc(n ? (size_t)n : 1, sizeof(*cands));
	if (!cands) {
		for (int i = 0; i < n; i++)
			free(ents[i]);
		free(ents);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;

		if (nm[0] != '.') {
			r = snprintf(ddir, sizeof(ddir), "%s/%s", cdir, nm);
			if (r > 0 && (size_t)r < sizeof(ddir)) {
				/* No DEVNAME: fall back to /dev/<dirname>. */
				bool have = uevent_devnode(ddir, dn, sizeof(dn)) == 0;

				if (ak_probe_dir(ddir, have ? dn : NULL, alg,
						 &cands[nc]) == 0)
					nc++;
			}
		}
		free(ents[i]);
	}
	free(ents);

	ak_cand_sort(cands, nc);
	best = ak_select(cands, nc, my_node);
	r = best < 0 ? -ENODEV : ak_copy_node(cands[best].node, node, len);
	free(cands);
	return r;
}
