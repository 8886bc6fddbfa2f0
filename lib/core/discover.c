// SPDX-License-Identifier: LGPL-2.1-or-later
/* Device discovery: libudev enumeration of the "uacce" class. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "internal.h"

static int find_udev(const char *alg, char *node, size_t len, int my_node)
{
	struct udev *udev;
	struct udev_enumerate *en = NULL;
	struct udev_list_entry *e;
	struct ak_cand *cands = NULL, *tmp;
	size_t nc = 0, cap = 0;
	int r, best;

	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	en = udev_enumerate_new(udev);
	if (!en) {
		r = -ENOMEM;
		goto out;
	}
	r = udev_enumerate_add_match_subsystem(en, "uacce");
	if (r < 0)
		goto out;
	r = udev_enumerate_scan_devices(en);
	if (r < 0)
		goto out;

	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		const char *syspath = udev_list_entry_get_name(e);
		struct udev_device *d;

		if (!syspath)
			continue;
		if (nc == cap) {
			cap = cap ? 2 * cap : 8;
			tmp = realloc(cands, cap * sizeof(*cands));
			if (!tmp) {
				r = -ENOMEM;
				goto out;
			}
			cands = tmp;
		}
		d = udev_device_new_from_syspath(udev, syspath);
		if (!d)
			continue;
		/* Attributes are read straight from the syspath directory,
		 * the same code the AK_SYSFS_ROOT test mode exercises. */
		if (ak_probe_dir(syspath, udev_device_get_devnode(d), alg,
				 &cands[nc]) == 0)
			nc++;
		udev_device_unref(d);
	}

	ak_cand_sort(cands, nc);
	best = ak_select(cands, nc, my_node);
	r = best < 0 ? -ENODEV : ak_copy_node(cands[best].node, node, len);
out:
	free(cands);
	udev_enumerate_unref(en);
	udev_unref(udev);
	return r;
}

AK_API int ak_find_device(const char *alg, char *node, size_t len)
{
	const char *root;

	if (!alg || !*alg || !node || !len)
		return -EINVAL;
	node[0] = '\0';
	root = getenv("AK_SYSFS_ROOT");
	if (root && *root)
		return ak_find_device_root(root, alg, node, len,
					   ak_current_numa_node());
	return find_udev(alg, node, len, ak_current_numa_node());
}
