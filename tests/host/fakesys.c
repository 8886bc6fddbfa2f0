// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakesys.h"

static char root[256];

static int rm_cb(const char *p, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

void fs_root_free(void)
{
	if (root[0])
		nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

const char *fs_root_new(void)
{
	char p[PATH_MAX];
	const char *tmp = getenv("TMPDIR");

	fs_root_free();
	snprintf(root, sizeof(root), "%s/ak-fakesys-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		root[0] = '\0';
		return NULL;
	}
	snprintf(p, sizeof(p), "%s/class", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/class/uacce", root);
	mkdir(p, 0755);
	return root;
}

static int put(const char *dir, const char *name, const char *val)
{
	char p[PATH_MAX];
	FILE *f;

	if (!val)
		return 0;
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p))
		return -1;
	f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(val, f);
	return fclose(f);
}

int fs_add_dev(const char *name, const char *algorithms, const char *avail,
	       const char *numa, const char *uevent)
{
	char d[PATH_MAX], dd[PATH_MAX];

	if ((size_t)snprintf(d, sizeof(d), "%s/class/uacce/%s", root, name) >=
	    sizeof(d) || mkdir(d, 0755))
		return -1;
	if ((size_t)snprintf(dd, sizeof(dd), "%s/device", d) >= sizeof(dd) ||
	    mkdir(dd, 0755))
		return -1;
	return put(d, "algorithms", algorithms) | put(d, "available_instances", avail) |
	       put(dd, "numa_node", numa) | put(d, "uevent", uevent) |
	       put(d, "api", "hisi_qm_v1\n") | put(d, "flags", "1\n");
}
