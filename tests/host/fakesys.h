/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake sysfs tree in a temporary directory. */
#ifndef AK_FAKESYS_H
#define AK_FAKESYS_H

/* Create root; returns path (static storage) or NULL. */
const char *fs_root_new(void);
/* Remove the whole tree. */
void fs_root_free(void);
/* Create class/uacce/<name> with attributes; NULL means "absent". */
int fs_add_dev(const char *name, const char *algorithms, const char *avail,
	       const char *numa, const char *uevent);

#endif
