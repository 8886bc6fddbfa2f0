// SPDX-License-Identifier: LGPL-2.1-or-later
/* Discovery against fake sysfs trees. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fakesys.h"
#include "internal.h"
#include "suites.h"

static const char *R;
static char node[AK_NODE_MAX];

#define UEV(n) "MAJOR=240\nMINOR=0\nDEVNAME=" n "\n"

static int find(const char *alg, int my_node)
{
	node[0] = 'X';
	node[1] = '\0';
	return ak_find_device_root(R, alg, node, sizeof(node), my_node);
}

static void fresh(void)
{
	R = fs_root_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(R);
}

static void t_alg_list(void)
{
	const char *l = "nop\ncopy\nfill\n";

	CU_ASSERT_TRUE(ak_alg_list_has(l, "nop"));
	CU_ASSERT_TRUE(ak_alg_list_has(l, "copy"));
	CU_ASSERT_TRUE(ak_alg_list_has(l, "fill"));
	CU_ASSERT_FALSE(ak_alg_list_has(l, "cop"));
	CU_ASSERT_FALSE(ak_alg_list_has(l, "copyx"));
	CU_ASSERT_FALSE(ak_alg_list_has(l, "opy"));
	CU_ASSERT_FALSE(ak_alg_list_has(l, ""));
	CU_ASSERT_FALSE(ak_alg_list_has(l, "nop\ncopy"));
	CU_ASSERT_FALSE(ak_alg_list_has("copyx\nxcopy\n", "copy"));
	CU_ASSERT_FALSE(ak_alg_list_has("xcopy", "copy"));
	CU_ASSERT_TRUE(ak_alg_list_has("copy", "copy"));	/* no newline */
	CU_ASSERT_TRUE(ak_alg_list_has("a\r\ncopy\r\n", "copy"));
	CU_ASSERT_TRUE(ak_alg_list_has("copy  \n", "copy"));
	CU_ASSERT_FALSE(ak_alg_list_has(" copy\n", "copy"));
	CU_ASSERT_FALSE(ak_alg_list_has("", "copy"));
	CU_ASSERT_FALSE(ak_alg_list_has("\n\n", "copy"));
}

static void t_no_devices(void)
{
	fresh();
	CU_ASSERT_EQUAL(find("copy", -1), -ENODEV);
	/* No class directory at all. */
	CU_ASSERT_EQUAL(ak_find_device_root("/nonexistent-ak-root", "copy",
					    node, sizeof(node), -1), -ENODEV);
}

static void t_single(void)
{
	fresh();
	CU_ASSERT_EQUAL_FATAL(fs_add_dev("accelkit-0", "nop\ncopy\nfill\n", "16\n",
					 "-1\n", UEV("accelkit-0")), 0);
	CU_ASSERT_EQUAL(find("copy", 0), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-0");
	CU_ASSERT_EQUAL(find("fill", -1), 0);
	CU_ASSERT_EQUAL(find("nop", 3), 0);
	CU_ASSERT_EQUAL(find("zip", 0), -ENODEV);
	CU_ASSERT_STRING_EQUAL(node, "");	/* empty on failure */
}

static void t_whole_line(void)
{
	fresh();
	fs_add_dev("a-0", "copyx\n", "4\n", "-1\n", UEV("a-0"));
	fs_add_dev("b-0", "xcopy\n", "4\n", "-1\n", UEV("b-0"));
	fs_add_dev("c-0", "nop\ncop\n", "4\n", "-1\n", UEV("c-0"));
	CU_ASSERT_EQUAL(find("copy", -1), -ENODEV);
	fs_add_dev("d-0", "nop\ncopy\n", "1\n", "-1\n", UEV("d-0"));
	CU_ASSERT_EQUAL(find("copy", -1), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/d-0");
	CU_ASSERT_EQUAL(find("copyx", -1), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/a-0");
}

static void t_most_instances(void)
{
	fresh();
	fs_add_dev("accelkit-0", "copy\n", "2\n", "-1\n", UEV("accelkit-0"));
	fs_add_dev("accelkit-1", "copy\n", "5\n", "-1\n", UEV("accelkit-1"));
	fs_add_dev("accelkit-2", "copy\n", "3\n", "-1\n", UEV("accelkit-2"));
	CU_ASSERT_EQUAL(find("copy", 0), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-1");
	/* Ties: lowest name wins (deterministic). */
	fs_add_dev("accelkit-3", "copy\n", "5\n", "-1\n", UEV("accelkit-3"));
	CU_ASSERT_EQUAL(find("copy", 0), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-1");
}

static void t_numa(void)
{
	fresh();
	fs_add_dev("accelkit-0", "copy\n", "1\n", "0\n", UEV("accelkit-0"));
	fs_add_dev("accelkit-1", "copy\n", "9\n", "1\n", UEV("accelkit-1"));
	fs_add_dev("accelkit-2", "copy\n", "3\n", "0\n", UEV("accelkit-2"));
	CU_ASSERT_EQUAL(find("copy", 0), 0);	/* local beats more instances */
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-2");
	CU_ASSERT_EQUAL(find("copy", 1), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-1");
	CU_ASSERT_EQUAL(find("copy", -1), 0);	/* unknown node: most overall */
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-1");
	CU_ASSERT_EQUAL(find("copy", 2), 0);	/* no local device: most overall */
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-1");
	/* A device with numa_node -1 is local everywhere. */
	fs_add_dev("accelkit-3", "copy\n", "4\n", "-1\n", UEV("accelkit-3"));
	CU_ASSERT_EQUAL(find("copy", 0), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-3");
	CU_ASSERT_EQUAL(find("copy", 2), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-3");
}

static void t_zero_instances(void)
{
	fresh();
	fs_add_dev("accelkit-0", "copy\n", "0\n", "-1\n", UEV("accelkit-0"));
	CU_ASSERT_EQUAL(find("copy", -1), -ENODEV);
	fs_add_dev("accelkit-1", "copy\n", "1\n", "1\n", UEV("accelkit-1"));
	CU_ASSERT_EQUAL(find("copy", 0), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-1");
	fs_add_dev("accelkit-2", "copy\n", "-1\n", "0\n", UEV("accelkit-2"));
	CU_ASSERT_EQUAL(find("copy", 0), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accelkit-1");
}

static void t_missing_attrs(void)
{
	fresh();
	fs_add_dev("n-0", NULL, "8\n", "-1\n", UEV("n-0"));	/* no algorithms */
	fs_add_dev("n-1", "copy\n", NULL, "-1\n", UEV("n-1"));	/* no instances */
	fs_add_dev("n-2", "copy\n", "junk\n", "-1\n", UEV("n-2"));	/* garbage */
	CU_ASSERT_EQUAL(find("copy", -1), -ENODEV);
	/* No numa_node: any node; no uevent: /dev/<dirname>. */
	fs_add_dev("n-3", "copy\n", "2\n", NULL, NULL);
	CU_ASSERT_EQUAL(find("copy", 5), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/n-3");
	/* uevent without DEVNAME: also /dev/<dirname>. */
	fs_add_dev("n-4", "copy\n", "3\n", NULL, "MAJOR=1\nMINOR=2\n");
	CU_ASSERT_EQUAL(find("copy", 5), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/n-4");
}

static void t_devname(void)
{
	fresh();
	fs_add_dev("dir-name", "copy\n", "1\n", "-1\n",
		   "MAJOR=240\nMINOR=7\nDEVNAME=accel/real-7\n");
	CU_ASSERT_EQUAL(find("copy", -1), 0);
	CU_ASSERT_STRING_EQUAL(node, "/dev/accel/real-7");
}

static void t_erange(void)
{
	char small[8];

	fresh();
	fs_add_dev("accelkit-0", "copy\n", "1\n", "-1\n", UEV("accelkit-0"));
	memset(small, 'x', sizeof(small));
	CU_ASSERT_EQUAL(ak_find_device_root(R, "copy", small, sizeof(small), -1),
			-ERANGE);
	CU_ASSERT_EQUAL(small[0], '\0');
	/* Exactly fits: strlen("/dev/accelkit-0") == 15. */
	char fit[16];
	CU_ASSERT_EQUAL(ak_find_device_root(R, "copy", fit, sizeof(fit), -1), 0);
	CU_ASSERT_STRING_EQUAL(fit, "/dev/accelkit-0");
}

static void t_public_env(void)
{
	char n[64];

	fresh();
	fs_add_dev("accelkit-0", "nop\ncopy\nfill\n", "3\n", "-1\n", UEV("accelkit-0"));
	fs_add_dev("accelkit-1", "nop\n", "9\n", "-1\n", UEV("accelkit-1"));
	setenv("AK_SYSFS_ROOT", R, 1);
	CU_ASSERT_EQUAL(ak_find_device("copy", n, sizeof(n)), 0);
	CU_ASSERT_STRING_EQUAL(n, "/dev/accelkit-0");
	CU_ASSERT_EQUAL(ak_find_device("nop", n, sizeof(n)), 0);
	CU_ASSERT_STRING_EQUAL(n, "/dev/accelkit-1");
	CU_ASSERT_EQUAL(ak_find_device("zip", n, sizeof(n)), -ENODEV);
	CU_ASSERT_EQUAL(ak_find_device(NULL, n, sizeof(n)), -EINVAL);
	CU_ASSERT_EQUAL(ak_find_device("", n, sizeof(n)), -EINVAL);
	CU_ASSERT_EQUAL(ak_find_device("copy", NULL, 16), -EINVAL);
	CU_ASSERT_EQUAL(ak_find_device("copy", n, 0), -EINVAL);
	unsetenv("AK_SYSFS_ROOT");
}

static void t_select_pure(void)
{
	struct ak_cand c[3];

	memset(c, 0, sizeof(c));
	CU_ASSERT_EQUAL(ak_select(c, 0, 0), -1);
	c[0].avail = 1; c[0].numa = 1;
	c[1].avail = 2; c[1].numa = 1;
	c[2].avail = 7; c[2].numa = 0;
	CU_ASSERT_EQUAL(ak_select(c, 3, 1), 1);
	CU_ASSERT_EQUAL(ak_select(c, 3, 0), 2);
	CU_ASSERT_EQUAL(ak_select(c, 3, -1), 2);
	CU_ASSERT_EQUAL(ak_select(c, 2, 0), 1);
}

static int cleanup(void)
{
	fs_root_free();
	unsetenv("AK_SYSFS_ROOT");
	return 0;
}

int add_discovery_suite(void)
{
	static const struct ak_test t[] = {
		{ "algorithm whole-line match", t_alg_list },
		{ "no devices -> ENODEV", t_no_devices },
		{ "single device", t_single },
		{ "copy != copyx/xcopy", t_whole_line },
		{ "most available_instances", t_most_instances },
		{ "NUMA preference", t_numa },
		{ "zero instances", t_zero_instances },
		{ "missing attributes", t_missing_attrs },
		{ "DEVNAME from uevent", t_devname },
		{ "node buffer too small -> ERANGE", t_erange },
		{ "ak_find_device with AK_SYSFS_ROOT", t_public_env },
		{ "selection logic", t_select_pure },
		{ NULL, NULL },
	};
	return ak_add_suite("discovery", NULL, cleanup, t);
}
