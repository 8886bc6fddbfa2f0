// SPDX-License-Identifier: LGPL-2.1-or-later
/* Argument and open() error paths (no device needed). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fakesys.h"
#include "internal.h"
#include "suites.h"

static void t_null_args(void)
{
	struct ak_queue *q = (struct ak_queue *)0x1;
	struct ak_queue_info info;
	struct ak_result r;
	struct ak_job j = { 0 };
	char buf[8];

	CU_ASSERT_EQUAL(ak_queue_open("/dev/null", NULL, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_queue_open(NULL, NULL, 0, &q), -EINVAL);
	CU_ASSERT_PTR_NULL(q);
	q = (struct ak_queue *)0x1;
	CU_ASSERT_EQUAL(ak_queue_open("", NULL, 0, &q), -EINVAL);
	CU_ASSERT_PTR_NULL(q);
	CU_ASSERT_EQUAL(ak_queue_open("/dev/null", NULL, 0x100, &q), -EINVAL);
	CU_ASSERT_EQUAL(ak_queue_fd(NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_queue_info(NULL, &info), -EINVAL);
	CU_ASSERT_EQUAL(ak_queue_inflight(NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_queue_space(NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_submit(NULL, &j), -EINVAL);
	CU_ASSERT_EQUAL(ak_submit_batch(NULL, &j, 1), -EINVAL);
	CU_ASSERT_EQUAL(ak_submit_raw(NULL, buf, 64), -EINVAL);
	CU_ASSERT_EQUAL(ak_reap(NULL, &r, 1), -EINVAL);
	CU_ASSERT_EQUAL(ak_wait(NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ak_run(NULL, &j, &r, 0), -EINVAL);
	CU_ASSERT_EQUAL(ak_nop(NULL), -EINVAL);
	CU_ASSERT_EQUAL(ak_copy(NULL, buf, buf, 1), -EINVAL);
	CU_ASSERT_EQUAL(ak_fill(NULL, buf, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(ak_find_device(NULL, buf, sizeof(buf)), -EINVAL);
	ak_queue_close(NULL);	/* no-op */
}

static void t_open_enoent(void)
{
	struct ak_queue *q = (struct ak_queue *)0x1;

	CU_ASSERT_EQUAL(ak_queue_open("/dev/accelkit-does-not-exist", NULL, 0, &q),
			-ENOENT);
	CU_ASSERT_PTR_NULL(q);
	CU_ASSERT_EQUAL(ak_queue_open("/nonexistent/dir/node", "copy", 0, &q),
			-ENOENT);
}

static void t_open_regular_file(void)
{
	char path[PATH_MAX];
	struct ak_queue *q = (struct ak_queue *)0x1;
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, sizeof(path), "%s/ak-regular-XXXXXX", tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "not a queue\n", 12), 12);
	close(fd);
	CU_ASSERT_EQUAL(ak_queue_open(path, NULL, 0, &q), -ENOTTY);
	CU_ASSERT_PTR_NULL(q);
	unlink(path);
}

static void t_open_other_chardev(void)
{
	struct ak_queue *q = (struct ak_queue *)0x1;

	/* A character device that is not a queue: the QUEUE_INFO ioctl is
	 * refused (ENOTTY from /dev/null). */
	if (access("/dev/null", R_OK | W_OK) != 0)
		return;
	CU_ASSERT_EQUAL(ak_queue_open("/dev/null", NULL, 0, &q), -ENOTTY);
	CU_ASSERT_PTR_NULL(q);
}

static void t_open_alg_check(void)
{
	struct ak_queue *q = (struct ak_queue *)0x1;
	const char *root = fs_root_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	if (access("/dev/null", R_OK | W_OK) != 0)
		return;
	/* sysfs says "null" offers only copy: fill is refused before any
	 * ioctl; copy passes the check and fails on the ioctl. */
	fs_add_dev("null", "copy\n", "1\n", "-1\n", "DEVNAME=null\n");
	setenv("AK_SYSFS_ROOT", root, 1);
	CU_ASSERT_EQUAL(ak_queue_open("/dev/null", "fill", 0, &q), -EOPNOTSUPP);
	CU_ASSERT_PTR_NULL(q);
	CU_ASSERT_EQUAL(ak_queue_open("/dev/null", "copyx", 0, &q), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ak_queue_open("/dev/null", "copy", 0, &q), -ENOTTY);
	/* By algorithm only: discovery picks /dev/null, ioctl refuses. */
	CU_ASSERT_EQUAL(ak_queue_open(NULL, "copy", 0, &q), -ENOTTY);
	/* No device offers it. */
	CU_ASSERT_EQUAL(ak_queue_open(NULL, "zip", 0, &q), -ENODEV);
	CU_ASSERT_PTR_NULL(q);
	unsetenv("AK_SYSFS_ROOT");
	fs_root_free();
}

static void t_open_no_sysfs_devices(void)
{
	struct ak_queue *q = (struct ak_queue *)0x1;
	const char *root = fs_root_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	setenv("AK_SYSFS_ROOT", root, 1);
	CU_ASSERT_EQUAL(ak_queue_open(NULL, "copy", 0, &q), -ENODEV);
	CU_ASSERT_PTR_NULL(q);
	unsetenv("AK_SYSFS_ROOT");
	fs_root_free();
}

int add_errors_suite(void)
{
	static const struct ak_test t[] = {
		{ "NULL/invalid arguments -> EINVAL", t_null_args },
		{ "open nonexistent node -> ENOENT", t_open_enoent },
		{ "open regular file -> ENOTTY", t_open_regular_file },
		{ "open other char device -> ENOTTY", t_open_other_chardev },
		{ "open with algorithm check", t_open_alg_check },
		{ "open by algorithm, no device -> ENODEV", t_open_no_sysfs_devices },
		{ NULL, NULL },
	};
	return ak_add_suite("errors", NULL, NULL, t);
}
