// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Two accelkit devices on two NUMA nodes (vm-run.sh --topology numa2: a
 * pxb-pcie expander bridge per node, a root port and one device under
 * each). Registered instead of the single-device suites when the guest
 * was booted with ak.topology=numa2.
 *
 * What is checked: each device's sysfs numa_node and local_cpulist; the
 * library's discovery picks the device of the calling CPU's node, falls
 * back to the other one when the local one has no free queue (and comes
 * back once one is free); jobs and page faults on one device are not
 * disturbed by jobs, faults and the PCI unbind of the other.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "vm_common.h"

#define NR_NODES 2
#define BIG (1u << 20)		/* a faulting job: 256 untouched pages */

/* The device of each node, indexed by its numa_node. */
struct numa_dev {
	char name[64];		/* accelkit-N */
	char node[128];		/* /dev/accelkit-N */
	char sysdir[256];	/* /sys/class/uacce/accelkit-N */
	char pci[PATH_MAX];	/* realpath of its PCI device */
	char bdf[64];
	char driver[64];
	int cpu;		/* the first CPU of the node */
	long max;		/* available_instances when idle */
};

static struct numa_dev nd[NR_NODES];
static int topo_ok;		/* suite init found the expected layout */
static cpu_set_t saved_affinity;

/* First number of a cpulist ("0", "0-3", "1,3"), or -1. */
static int first_cpu(const char *list)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(list, &end, 10);
	return errno || end == list || v < 0 || v >= CPU_SETSIZE ? -1 : (int)v;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Fill d from class device @name; its numa_node, or -errno. */
static long numa_dev_load(struct numa_dev *d, const char *name)
{
	char p[PATH_MAX], drv[PATH_MAX];
	const char *b;

	vm_fmt(d->name, sizeof(d->name), "%s", name);
	vm_fmt(d->node, sizeof(d->node), "/dev/%s", name);
	vm_fmt(d->sysdir, sizeof(d->sysdir), "/sys/class/uacce/%s", name);
	vm_fmt(p, sizeof(p), "%s/device", d->sysdir);
	if (!realpath(p, d->pci))
		return -errno;
	b = strrchr(d->pci, '/');
	vm_fmt(d->bdf, sizeof(d->bdf), "%s", b ? b + 1 : d->pci);
	vm_fmt(p, sizeof(p), "%s/driver", d->pci);
	if (!realpath(p, drv))
		return -errno;
	b = strrchr(drv, '/');
	vm_fmt(d->driver, sizeof(d->driver), "%s", b ? b + 1 : drv);
	return vm_read_long(d->pci, "numa_node");
}

/* Names of the accelkit class devices (at most @max); their count. */
static int list_devices(char names[][64], int max)
{
	DIR *dir = opendir("/sys/class/uacce");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "accelkit-", 9))
			continue;
		if (n < max)
			vm_fmt(names[n], 64, "%s", e->d_name);
		n++;
	}
	closedir(dir);
	return n;
}

static int numa_init(void)
{
	char names[4][64], p[PATH_MAX], buf[256];
	int n, i;

	topo_ok = 0;
	memset(nd, 0, sizeof(nd));
	if (sched_getaffinity(0, sizeof(saved_affinity), &saved_affinity))
		return -1;
	n = list_devices(names, 4);
	if (n != NR_NODES) {
		fprintf(stderr, "numa: %d accelkit devices, want %d\n", n,
			NR_NODES);
		return 0;	/* the topology test reports it */
	}
	for (i = 0; i < n; i++) {
		struct numa_dev d;
		long node;

		memset(&d, 0, sizeof(d));
		node = numa_dev_load(&d, names[i]);
		if (node < 0 || node >= NR_NODES || nd[node].name[0]) {
			fprintf(stderr, "numa: %s: numa_node %ld\n", names[i],
				node);
			return 0;
		}
		vm_fmt(p, sizeof(p), "/sys/devices/system/node/node%ld/cpulist",
		       node);
		if (vm_read_file(p, buf, sizeof(buf)) <= 0)
			return 0;
		d.cpu = first_cpu(buf);
		d.max = vm_read_long(d.sysdir, "available_instances");
		nd[node] = d;
	}
	topo_ok = nd[0].cpu >= 0 && nd[1].cpu >= 0 && nd[0].cpu != nd[1].cpu &&
		  nd[0].max > 0 && nd[1].max > 0;
	return 0;
}

static int numa_clean(void)
{
	sched_setaffinity(0, sizeof(saved_affinity), &saved_affinity);
	return 0;
}

/* Run on @cpu only; 0, or -errno. The move happens before it returns. */
static int pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return sched_setaffinity(0, sizeof(s), &s) ? -errno : 0;
}

static long avail(const struct numa_dev *d)
{
	return vm_read_long(d->sysdir, "available_instances");
}

/* A COPY of @len random bytes (seed @seed) into untouched memory on @q:
 * every destination page is a device page fault. 1 if the bytes
 * arrived, else 0 (with a recorded failure). */
static int copy_faulting(struct ak_queue *q, const char *what, size_t len,
			 uint32_t seed)
{
	uint8_t *src = vm_alloc(len), *dst = vm_fresh(len);
	struct ak_result res;
	struct ak_job j;
	int r, ok = 0;

	if (src && dst) {
		vm_fill_random(src, len, seed);
		j = vm_job(AK_OP_COPY, src, dst, len, 0, seed);
		r = vm_run(q, &j, &res);
		ok = r == 0 && res.status == AK_ST_SUCCESS && res.bytes == len &&
		     vm_first_diff(src, dst, len) < 0;
		VM_CHECK(ok, "%s: COPY into untouched memory: %d, status %u (%s), bytes %llu, first diff %ld",
			 what, r, res.status, ak_status_str(res.status),
			 (unsigned long long)res.bytes,
			 vm_first_diff(src, dst, len));
	}
	vm_free(src, len);
	if (dst)
		munmap(dst, len);
	return ok;
}

/* The node a queue was opened on (ak_queue_info), or "". */
static const char *queue_node(struct ak_queue *q, struct ak_queue_info *qi)
{
	memset(qi, 0, sizeof(*qi));
	if (!q || ak_queue_info(q, qi))
		return "";
	return qi->node;
}

/* ------------------------------------------------------------------ */

/* Two devices, numa_node 0 and 1, behind two different PCI roots, each
 * with its node's CPUs as local_cpulist. */
static void t_topology(void)
{
	char names[4][64], cl[256], lcl[256], p[PATH_MAX];
	int n = list_devices(names, 4);

	VM_REQUIRE(n == NR_NODES, "%d accelkit devices, want %d", n, NR_NODES);
	VM_REQUIRE(nd[0].name[0] && nd[1].name[0],
		   "numa_node of the devices: want one on node 0 and one on node 1 (node 0: '%s', node 1: '%s')",
		   nd[0].name, nd[1].name);
	VM_REQUIRE(topo_ok, "nodes' first CPUs %d/%d, available_instances %ld/%ld",
		   nd[0].cpu, nd[1].cpu, nd[0].max, nd[1].max);
	for (int i = 0; i < NR_NODES; i++) {
		const char *root = strstr(nd[i].pci, "/pci0000:");
		const char *other = strstr(nd[1 - i].pci, "/pci0000:");

		printf("[node %d: %s at %s, cpu %d] ", i, nd[i].name,
		       nd[i].bdf, nd[i].cpu);
		VM_CHECK(root && other && strncmp(root, other, 12),
			 "both devices under one PCI root: %s, %s", nd[i].pci,
			 nd[1 - i].pci);
		vm_fmt(p, sizeof(p), "/sys/devices/system/node/node%d/cpulist",
		       i);
		VM_CHECK(vm_read_file(p, cl, sizeof(cl)) > 0, "read %s", p);
		vm_fmt(p, sizeof(p), "%s/local_cpulist", nd[i].pci);
		VM_CHECK(vm_read_file(p, lcl, sizeof(lcl)) > 0, "read %s", p);
		chomp(cl);
		chomp(lcl);
		VM_CHECK(!strcmp(cl, lcl),
			 "%s local_cpulist '%s', node %d has CPUs '%s'",
			 nd[i].name, lcl, i, cl);
		/* the class device's view of the same attribute */
		VM_CHECK(vm_read_long(nd[i].sysdir, "device/numa_node") == i,
			 "%s/device/numa_node = %ld, want %d", nd[i].sysdir,
			 vm_read_long(nd[i].sysdir, "device/numa_node"), i);
	}
}

/* Pinned to a CPU of node n, discovery, a queue and a session all land on
 * node n's device, and work there. */
static void t_local_pick(void)
{
	VM_REQUIRE(topo_ok, "topology not as expected");
	for (int n = 0; n < NR_NODES; n++) {
		uint8_t data[4096], dd[64], sd[64];
		struct ak_session *ds = NULL, *ss = NULL;
		struct ak_queue_info qi;
		struct ak_queue *q = NULL;
		unsigned cpu = 0, node = 99;
		size_t dl = sizeof(dd), sl = sizeof(sd);
		char found[128];
		int r;

		VM_REQUIRE(pin(nd[n].cpu) == 0, "pin to cpu %d", nd[n].cpu);
		VM_REQUIRE(getcpu(&cpu, &node) == 0 && node == (unsigned)n &&
			   cpu == (unsigned)nd[n].cpu,
			   "pinned to cpu %d (node %d), running on cpu %u node %u",
			   nd[n].cpu, n, cpu, node);

		r = ak_find_device("copy", found, sizeof(found));
		VM_CHECK(r == 0 && !strcmp(found, nd[n].node),
			 "node %d: ak_find_device = %d '%s', want %s", n, r,
			 found, nd[n].node);

		r = ak_queue_open(NULL, "copy", 0, &q);
		VM_CHECK(r == 0 && !strcmp(queue_node(q, &qi), nd[n].node),
			 "node %d: ak_queue_open(NULL) = %d on '%s', want %s",
			 n, r, queue_node(q, &qi), nd[n].node);
		if (q)
			copy_faulting(q, "local queue", BIG, 100 + n);
		ak_queue_close(q);

		r = ak_session_open(AK_ALG_SHA256, NULL, AK_SF_DEVICE, &ds);
		VM_CHECK(r == 0 && !strcmp(ak_session_node(ds), nd[n].node),
			 "node %d: sha256 session = %d on '%s', want %s", n, r,
			 ds ? ak_session_node(ds) : "", nd[n].node);
		VM_REQUIRE(ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE,
					   &ss) == 0, "software session");
		vm_fill_random(data, sizeof(data), 200 + n);
		if (ds) {
			r = ak_digest(ds, data, sizeof(data), dd, &dl);
			VM_CHECK(r == 0 && ak_digest(ss, data, sizeof(data), sd,
						     &sl) == 0 &&
				 dl == 32 && sl == 32 && !memcmp(dd, sd, 32),
				 "node %d: device SHA-256 (%d, %zu bytes) differs from software",
				 n, r, dl);
		}
		ak_session_close(ds);
		ak_session_close(ss);
	}
	VM_CHECK(numa_clean() == 0, "restore affinity");
}

/* Node n's device full: the library falls back to the other one; a free
 * local queue brings it back. */
static void t_fallback(void)
{
	VM_REQUIRE(topo_ok, "topology not as expected");
	for (int n = 0; n < NR_NODES; n++) {
		const struct numa_dev *l = &nd[n], *o = &nd[1 - n];
		struct ak_queue *held[64] = { NULL }, *q = NULL;
		struct ak_queue_info qi;
		char found[128];
		long k, max = l->max;
		int r;

		VM_REQUIRE(max > 0 && max <= 64, "%s: %ld instances", l->name,
			   max);
		VM_REQUIRE(pin(l->cpu) == 0, "pin to cpu %d", l->cpu);
		for (k = 0; k < max; k++) {
			r = ak_queue_open(l->node, "copy", 0, &held[k]);
			VM_CHECK(r == 0, "%s: queue %ld of %ld: %d (%s)",
				 l->node, k + 1, max, r, strerror(-r));
		}
		VM_CHECK(avail(l) == 0, "%s available_instances %ld with all %ld queues open",
			 l->name, avail(l), max);

		r = ak_find_device("copy", found, sizeof(found));
		VM_CHECK(r == 0 && !strcmp(found, o->node),
			 "node %d full: ak_find_device = %d '%s', want %s", n,
			 r, found, o->node);
		r = ak_queue_open(NULL, "copy", 0, &q);
		VM_CHECK(r == 0 && !strcmp(queue_node(q, &qi), o->node),
			 "node %d full: ak_queue_open(NULL) = %d on '%s', want %s",
			 n, r, queue_node(q, &qi), o->node);
		if (q)
			copy_faulting(q, "fallback queue", BIG, 300 + n);
		ak_queue_close(q);
		q = NULL;

		/* one local queue free again: back to the local device */
		ak_queue_close(held[0]);
		held[0] = NULL;
		r = ak_queue_open(NULL, "copy", 0, &q);
		VM_CHECK(r == 0 && !strcmp(queue_node(q, &qi), l->node),
			 "node %d, one queue free: ak_queue_open(NULL) = %d on '%s', want %s",
			 n, r, queue_node(q, &qi), l->node);
		ak_queue_close(q);
		for (k = 0; k < max; k++)
			ak_queue_close(held[k]);
		VM_CHECK(avail(l) == l->max && avail(o) == o->max,
			 "available_instances %ld/%ld after closing, want %ld/%ld",
			 avail(l), avail(o), l->max, o->max);
	}
	VM_CHECK(numa_clean() == 0, "restore affinity");
}

/* ------------------------------------------------------------------ */
/* removal of one device */

struct unbinder {
	char path[PATH_MAX];
	char bdf[64];
	int result;		/* 0 or -errno of the sysfs write */
	int done[2];		/* pipe: written when the write returned */
};

static void *unbind_thread(void *arg)
{
	struct unbinder *u = arg;

	u->result = vm_write_file(u->path, u->bdf);
	if (write(u->done[1], "D", 1) != 1)
		u->result = -EPIPE;
	return NULL;
}

/* Wait until a class device's parent is @pci again (after a bind) and
 * reload @d from it; 0 or -ENODEV. */
static int rediscover(struct numa_dev *d, long want_node, int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;
	char names[8][64], p[PATH_MAX], real[PATH_MAX], pci[PATH_MAX];
	struct stat st;

	vm_fmt(pci, sizeof(pci), "%s", d->pci);
	do {
		int n = list_devices(names, 8);

		for (int i = 0; i < n && i < 8; i++) {
			vm_fmt(p, sizeof(p), "/sys/class/uacce/%s/device",
			       names[i]);
			if (!realpath(p, real) || strcmp(real, pci))
				continue;
			if (numa_dev_load(d, names[i]) == want_node &&
			    stat(d->node, &st) == 0 && S_ISCHR(st.st_mode))
				return 0;
		}
		usleep(20000);
	} while (vm_now_ms() < deadline);
	return -ENODEV;
}

static uint64_t uffd_fault(int uffd, int timeout_ms)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, timeout_ms) != 1 ||
	    read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return 0;
	return msg.arg.pagefault.address & ~(uint64_t)(AK_PAGE - 1);
}

/* A page that faults into @uffd until served; MAP_FAILED on error. */
static uint8_t *uffd_page(int *uffd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	uint8_t *p;

	*uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (*uffd < 0 || ioctl(*uffd, UFFDIO_API, &api))
		return MAP_FAILED;
	p = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)p;
	reg.range.len = AK_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(*uffd, UFFDIO_REGISTER, &reg)) {
		munmap(p, AK_PAGE);
		return MAP_FAILED;
	}
	return p;
}

static int uffd_serve(int uffd, void *page, const void *data)
{
	struct uffdio_copy c = {
		.dst = (uintptr_t)page, .src = (uintptr_t)data,
		.len = AK_PAGE, .mode = 0,
	};

	return ioctl(uffd, UFFDIO_COPY, &c) ? -errno : 0;
}

/*
 * Device v (the victim) and s (the survivor): both run faulting jobs at
 * once; s then has a job whose page request the test withholds
 * (userfaultfd) while v, with a long job in flight, is unbound from its
 * driver. The unbind returns without waiting for s's fault, s's job is
 * still pending, and completes with the served bytes; s keeps working,
 * discovery on v's node now picks s, and v comes back on rebind.
 */
static void unbind_one(int v)
{
	struct numa_dev *vd = &nd[v], *sd = &nd[1 - v];
	struct ak_queue *qv = NULL, *qs = NULL, *q = NULL;
	uint8_t *page = MAP_FAILED, *vsrc = NULL, *vdst = NULL, *dst = NULL;
	uint8_t want[AK_PAGE];
	size_t vlen = 16u << 20;
	struct unbinder u = { .done = { -1, -1 } };
	struct ak_result res;
	struct ak_queue_info qi;
	struct pollfd pfd;
	pthread_t th;
	struct ak_job j;
	char first[256];
	int uffd = -1, r, started = 0, unbound = 0;
	uint64_t a;

	VM_REQUIRE(topo_ok, "topology not as expected");
	memset(&res, 0, sizeof(res));
	r = ak_queue_open(vd->node, "copy", 0, &qv);
	if (!r)
		r = ak_queue_open(sd->node, "copy", 0, &qs);
	if (r) {
		VM_FAIL("open a queue on %s and %s: %s", vd->node, sd->node,
			strerror(-r));
		ak_queue_close(qv);
		return;
	}

	/* 1: jobs and faults on both devices at once */
	{
		uint8_t *s1 = vm_alloc(BIG), *s2 = vm_alloc(BIG);
		uint8_t *d1 = vm_fresh(BIG), *d2 = vm_fresh(BIG);
		struct ak_result r1, r2;
		struct ak_job j1, j2;

		memset(&r1, 0, sizeof(r1));
		memset(&r2, 0, sizeof(r2));
		VM_REQUIRE(s1 && s2 && d1 && d2, "buffers");
		vm_fill_random(s1, BIG, 11 + v);
		vm_fill_random(s2, BIG, 22 + v);
		j1 = vm_job(AK_OP_COPY, s1, d1, BIG, 0, 1);
		j2 = vm_job(AK_OP_COPY, s2, d2, BIG, 0, 2);
		VM_CHECK(ak_submit(qv, &j1) == 0 && ak_submit(qs, &j2) == 0,
			 "submit on both");
		VM_CHECK(vm_reap_n(qv, &r1, 1, AK_JOB_TIMEOUT_MS) == 1 &&
			 vm_reap_n(qs, &r2, 1, AK_JOB_TIMEOUT_MS) == 1 &&
			 r1.status == AK_ST_SUCCESS && r2.status == AK_ST_SUCCESS,
			 "faulting jobs on both devices: status %u/%u",
			 r1.status, r2.status);
		VM_CHECK(vm_first_diff(s1, d1, BIG) < 0 &&
			 vm_first_diff(s2, d2, BIG) < 0,
			 "bytes of the concurrent jobs: first diff %ld (%s), %ld (%s)",
			 vm_first_diff(s1, d1, BIG), vd->name,
			 vm_first_diff(s2, d2, BIG), sd->name);
		vm_free(s1, BIG);
		vm_free(s2, BIG);
		munmap(d1, BIG);
		munmap(d2, BIG);
	}

	/* 2: a page request of s withheld; a long job in flight on v */
	page = uffd_page(&uffd);
	dst = vm_alloc(AK_PAGE);
	vsrc = vm_alloc(vlen);
	vdst = vm_fresh(vlen);
	VM_REQUIRE(page != MAP_FAILED && dst && vsrc && vdst,
		   "userfaultfd page and buffers: %s", strerror(errno));
	vm_fill_random(want, sizeof(want), 4321 + v);
	j = vm_job(AK_OP_COPY, page, dst, AK_PAGE, 0, 7);
	VM_REQUIRE(ak_submit(qs, &j) == 0, "submit on %s", sd->name);
	a = uffd_fault(uffd, AK_JOB_TIMEOUT_MS);
	VM_CHECK(a == (uintptr_t)page,
		 "no userfault for %s's page request (got 0x%llx)", sd->name,
		 (unsigned long long)a);
	j = vm_job(AK_OP_COPY, vsrc, vdst, vlen, 0, 8);
	VM_CHECK(ak_submit(qv, &j) == 0, "submit on %s", vd->name);

	/* 3: unbind v (in a thread: it must not wait for s's fault) */
	vm_fmt(u.path, sizeof(u.path), "/sys/bus/pci/drivers/%s/unbind",
	       vd->driver);
	vm_fmt(u.bdf, sizeof(u.bdf), "%s", vd->bdf);
	VM_REQUIRE(pipe(u.done) == 0, "pipe");
	started = pthread_create(&th, NULL, unbind_thread, &u) == 0;
	VM_CHECK(started, "thread");
	pfd.fd = u.done[0];
	pfd.events = POLLIN;
	r = started ? poll(&pfd, 1, 60000) : -1;
	VM_CHECK(r == 1,
		 "unbind of %s did not return while %s's page request was withheld",
		 vd->bdf, sd->name);
	r = ak_reap(qs, &res, 1);
	VM_CHECK(r == 0, "%s's job completed (%d, status %u) while its page was withheld",
		 sd->name, r, res.status);
	/* serve the page (also releases an unbind stuck behind it) */
	r = uffd_serve(uffd, page, want);
	VM_CHECK(r == 0, "UFFDIO_COPY: %s", strerror(-r));
	if (started)
		pthread_join(th, NULL);
	unbound = started && u.result == 0;
	VM_CHECK(unbound, "write %s to %s: %s", u.bdf, u.path,
		 strerror(-u.result));
	VM_CHECK(access(vd->sysdir, F_OK) == -1 && access(vd->node, F_OK) == -1,
		 "%s still there after unbind", vd->sysdir);

	/* 4: s unaffected */
	r = vm_reap_n(qs, &res, 1, AK_JOB_TIMEOUT_MS);
	VM_CHECK(r == 1 && res.status == AK_ST_SUCCESS && res.bytes == AK_PAGE,
		 "%s's withheld job after serving: %d, status %u (%s)",
		 sd->name, r, res.status, ak_status_str(res.status));
	VM_CHECK(vm_first_diff(dst, want, AK_PAGE) < 0,
		 "%s's withheld job: dst differs from the served page at %ld",
		 sd->name, vm_first_diff(dst, want, AK_PAGE));
	copy_faulting(qs, "survivor after the other's removal", BIG, 500 + v);
	VM_CHECK(avail(sd) == sd->max - 1,
		 "%s available_instances %ld with one queue open, want %ld",
		 sd->name, avail(sd), sd->max - 1);

	/* 5: discovery on v's node now picks s */
	VM_CHECK(pin(vd->cpu) == 0, "pin to cpu %d", vd->cpu);
	r = ak_queue_open(NULL, "copy", 0, &q);
	VM_CHECK(r == 0 && !strcmp(queue_node(q, &qi), sd->node),
		 "node %d without its device: ak_queue_open(NULL) = %d on '%s', want %s",
		 v, r, queue_node(q, &qi), sd->node);
	ak_queue_close(q);
	q = NULL;
	numa_clean();

	/* 6: v's queue is a zombie: close it; rebind v */
	ak_queue_close(qv);
	qv = NULL;
	if (unbound) {
		vm_fmt(u.path, sizeof(u.path), "/sys/bus/pci/drivers/%s/bind",
		       vd->driver);
		r = vm_write_file(u.path, vd->bdf);
		VM_CHECK(r == 0, "write %s to %s: %s", vd->bdf, u.path,
			 strerror(-r));
	}
	r = rediscover(vd, v, 5000);
	VM_CHECK(r == 0, "no accelkit device with numa_node %d on %s after rebind",
		 v, vd->bdf);
	if (r == 0) {
		printf("[back as %s] ", vd->name);
		VM_CHECK(avail(vd) == vd->max, "%s available_instances %ld after rebind, want %ld",
			 vd->name, avail(vd), vd->max);
		r = ak_queue_open(vd->node, "copy", 0, &q);
		VM_CHECK(r == 0, "open %s after rebind: %d", vd->node, r);
		if (q)
			copy_faulting(q, "rebound device", BIG, 600 + v);
		ak_queue_close(q);
	}
	copy_faulting(qs, "survivor after the other's rebind", BIG, 700 + v);
	ak_queue_close(qs);
	qs = NULL;
	VM_CHECK(avail(vd) == vd->max && avail(sd) == sd->max,
		 "available_instances %ld/%ld at the end, want %ld/%ld",
		 avail(vd), avail(sd), vd->max, sd->max);
	VM_CHECK(vm_klog_splats(first, sizeof(first)) == 0, "kernel log: %s",
		 first);

	close(u.done[0]);
	close(u.done[1]);
	if (uffd >= 0)
		close(uffd);
	if (page != MAP_FAILED)
		munmap(page, AK_PAGE);
	vm_free(dst, AK_PAGE);
	vm_free(vsrc, vlen);
	if (vdst)
		munmap(vdst, vlen);
}

static void t_unbind_node0(void)
{
	unbind_one(0);
}

static void t_unbind_node1(void)
{
	unbind_one(1);
}

static const struct ak_test numa_tests[] = {
	{ "two devices: numa_node 0/1, separate PCI roots, local_cpulist", t_topology },
	{ "discovery, queue and session land on the calling CPU's node", t_local_pick },
	{ "local device full: fallback to the other node, back when one frees", t_fallback },
	{ "unbind node 0's device: node 1's jobs and withheld fault unaffected", t_unbind_node0 },
	{ "unbind node 1's device: node 0's jobs and withheld fault unaffected", t_unbind_node1 },
	{ NULL, NULL },
};

int add_numa_suites(void)
{
	return ak_add_suite("numa", numa_init, numa_clean, numa_tests);
}
