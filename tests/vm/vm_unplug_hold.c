// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The processes of the unplug suite that hold queues while a device goes
 * away (hot-unplug, rmmod), device discovery by NUMA node, and the
 * power-off holder (ak-vm-tests --poweroff-holder, started by vm/init).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include <accelkit/accelkit.h>
#include <misc/uacce/uacce.h>

#include "vm_common.h"
#include "vm_unplug.h"

#define OFF_DUS ((off_t)UACCE_QFRT_DUS * (off_t)AK_PAGE)
#define LONG_LEN (16u << 20)	/* one long COPY */
#define NR_LONG 8

unsigned int up_ops, up_events;

static int up_load(struct up_dev *d, const char *name)
{
	char p[PATH_MAX];

	vm_fmt(d->name, sizeof(d->name), "%s", name);
	vm_fmt(d->node, sizeof(d->node), "/dev/%s", name);
	vm_fmt(d->sysdir, sizeof(d->sysdir), "/sys/class/uacce/%s", name);
	vm_fmt(p, sizeof(p), "%s/device", d->sysdir);
	if (!realpath(p, d->pci))
		return -errno;
	d->numa = vm_read_long(d->sysdir, "device/numa_node");
	return 0;
}

int up_find(struct up_dev *d, long numa)
{
	DIR *dir = opendir("/sys/class/uacce");
	struct dirent *e;
	int r = -ENODEV;

	if (!dir)
		return -ENODEV;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "accelkit-", 9))
			continue;
		if (up_load(d, e->d_name) == 0 &&
		    (numa == UP_ANY_NODE || d->numa == numa)) {
			r = 0;
			break;
		}
	}
	closedir(dir);
	return r;
}

int up_first(struct up_dev *d)
{
	return up_find(d, UP_ANY_NODE);
}

int up_count(void)
{
	DIR *dir = opendir("/sys/class/uacce");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir)))
		n += !strncmp(e->d_name, "accelkit-", 9);
	closedir(dir);
	return n;
}

int up_wait_dev(struct up_dev *d, long numa, int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;
	long max;

	do {
		if (up_find(d, numa) == 0 && access(d->node, R_OK | W_OK) == 0) {
			max = vm_read_long(d->sysdir, "available_instances");
			if (max > 0) {
				if (!d->max)
					d->max = max;
				return 0;
			}
		}
		usleep(50000);
	} while (vm_now_ms() < deadline);
	return -ENODEV;
}

int up_copy_ok(const struct up_dev *d, const char *what, size_t len,
	       unsigned int seed)
{
	uint8_t *src = vm_alloc(len), *dst = vm_alloc(len + 2);
	struct ak_queue *q = NULL;
	int r, ok = 0;

	r = ak_queue_open(d->node, "copy", 0, &q);
	VM_CHECK(r == 0, "%s: open %s: %s", what, d->node, strerror(-r));
	if (q && src && dst) {
		vm_fill_random(src, len, seed);
		memset(dst, 0, len + 2);
		r = ak_copy(q, dst + 1, src, len);
		ok = r == 0 && vm_first_diff(dst + 1, src, len) < 0 &&
		     dst[0] == 0 && dst[len + 1] == 0;
		VM_CHECK(ok, "%s: COPY of %zu bytes on %s: %d, first diff %ld, guards %u/%u",
			 what, len, d->name, r, vm_first_diff(dst + 1, src, len),
			 dst[0], dst[len + 1]);
	}
	ak_queue_close(q);
	vm_free(src, len);
	vm_free(dst, len + 2);
	return ok;
}

const char *up_mode_name(enum up_mode mode)
{
	static const char * const names[] = {
		"jobs in flight", "page request stalled", "in poll()",
		"doorbell mapped, fd passed",
	};

	return names[mode];
}

/* What a queue's owner sees after removal: a mask of deviations. */
static int zombie_checks(int fd, size_t dus_size)
{
	struct accelkit_queue_info qi;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	void *p;
	int bad = 0;

	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi) != -1 || errno != ENODEV)
		bad |= 1;
	if (ioctl(fd, UACCE_CMD_START_Q) != -1 || errno != ENODEV)
		bad |= 2;
	p = mmap(NULL, dus_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 OFF_DUS);
	if (p != MAP_FAILED || errno != ENODEV)
		bad |= 4;
	if (p != MAP_FAILED)
		munmap(p, dus_size);
	if (poll(&pfd, 1, 0) != 1 ||
	    (pfd.revents & (POLLERR | POLLHUP)) != (POLLERR | POLLHUP) ||
	    (pfd.revents & POLLIN))
		bad |= 8;
	return bad;
}

static int uffd_page(int *uffd, uint8_t **page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;

	*uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (*uffd < 0 || ioctl(*uffd, UFFDIO_API, &api))
		return -1;
	*page = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*page == MAP_FAILED)
		return -1;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)*page;
	reg.range.len = AK_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	return ioctl(*uffd, UFFDIO_REGISTER, &reg) ? -1 : 0;
}

/* The device's page request reached the userfaultfd (bounded). */
static int uffd_wait(int uffd, const uint8_t *page)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, AK_JOB_TIMEOUT_MS) != 1 ||
	    read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return -1;
	return (msg.arg.pagefault.address & ~(uint64_t)(AK_PAGE - 1)) ==
	       (uintptr_t)page ? 0 : -1;
}

/* Submit NR_LONG long COPY jobs; 0 or -1. */
static int submit_long(struct ak_queue *q, uint8_t *src, uint8_t *dst)
{
	struct ak_job jobs[NR_LONG];
	int i;

	for (i = 0; i < NR_LONG; i++)
		jobs[i] = vm_job(AK_OP_COPY, src, dst, LONG_LEN, 0, i);
	return ak_submit_batch(q, jobs, NR_LONG) == NR_LONG ? 0 : -1;
}

static int dus_size(int fd, size_t *size)
{
	struct accelkit_queue_info qi;

	if (ioctl(fd, ACCELKIT_CMD_QUEUE_INFO, &qi))
		return -1;
	*size = qi.dus_size;
	return 0;
}

/* The child: returns its exit code (100+: setup failed). */
static int holder_main(enum up_mode mode, const char *node, int rd, int wr,
		       int sock)
{
	struct ak_queue *q = NULL;
	struct pollfd pfd;
	uint8_t *src, *dst, *page = NULL, *mmio = NULL, *dus = NULL, buf[AK_PAGE];
	unsigned char res = 0;
	size_t dsz = 0;
	int fd = -1, uffd = -1;
	struct ak_job j;
	char c;

	if (mode != UP_MAPPED) {
		if (ak_queue_open(node, "copy", 0, &q))
			return 100;
		fd = ak_queue_fd(q);
		if (dus_size(fd, &dsz))
			return 101;
	}
	switch (mode) {
	case UP_BUSY:
		src = vm_alloc(LONG_LEN);
		dst = vm_alloc(LONG_LEN);
		if (!src || !dst || submit_long(q, src, dst))
			return 102;
		break;
	case UP_STALL:
		dst = vm_alloc(AK_PAGE);
		if (!dst || uffd_page(&uffd, &page))
			return 103;
		j = vm_job(AK_OP_COPY, page, dst, AK_PAGE, 0, 1);
		if (ak_submit(q, &j) || uffd_wait(uffd, page))
			return 104;
		break;
	case UP_POLL:
		break;
	case UP_MAPPED:
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0 || dus_size(fd, &dsz))
			return 105;
		mmio = mmap(NULL, AK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
		dus = mmap(NULL, dsz, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   OFF_DUS);
		if (mmio == MAP_FAILED || dus == MAP_FAILED ||
		    ioctl(fd, UACCE_CMD_START_Q) ||
		    ioctl(fd, ACCELKIT_CMD_SHARE) ||
		    vm_send_fd(sock, "Q", 1, fd))
			return 106;
		(void)*(volatile uint32_t *)mmio;	/* works now */
		break;
	}
	if (write(wr, "R", 1) != 1)
		return 107;
	if (mode == UP_POLL) {
		/* blocked here until the removal wakes it */
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 120000) != 1)
			res |= 32;
		else if ((pfd.revents & (POLLERR | POLLHUP)) !=
			 (POLLERR | POLLHUP) || (pfd.revents & POLLIN))
			res |= 8;
	}
	if (read(rd, &c, 1) != 1)
		return 108;
	res |= (unsigned char)zombie_checks(fd, dsz);
	if (mode == UP_STALL) {
		/* answering the fault late is harmless: nobody waits */
		struct uffdio_copy cp = {
			.dst = (uintptr_t)page, .src = (uintptr_t)buf,
			.len = AK_PAGE, .mode = 0,
		};

		memset(buf, 0x5a, sizeof(buf));
		if (ioctl(uffd, UFFDIO_COPY, &cp) || page[100] != 0x5a)
			res |= 64;
	}
	if (mode == UP_MAPPED && vm_probe_read(dus) != SIGBUS)
		res |= 16;
	if (write(wr, &res, 1) != 1)
		return 109;
	if (mode == UP_MAPPED) {
		*(volatile uint32_t *)mmio = 1;	/* the dead doorbell */
		return 110;
	}
	/* (no ak_wait/ak_reap: they would read the zapped ring) */
	ak_queue_close(q);
	return 0;
}

int up_hold(struct up_holder *h, enum up_mode mode, const struct up_dev *d)
{
	int to_parent[2], to_child[2], sv[2] = { -1, -1 };
	char c = 0;
	int r;

	memset(h, 0, sizeof(*h));
	h->mode = mode;
	h->pid = -1;
	h->rd = h->wr = h->sock = h->fd = -1;
	if (pipe(to_parent) || pipe(to_child)) {
		VM_FAIL("pipe: %s", strerror(errno));
		return -1;
	}
	if (mode == UP_MAPPED &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		VM_FAIL("socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	h->pid = fork();
	if (h->pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		if (sv[0] >= 0)
			close(sv[0]);
		_exit(holder_main(mode, d->node, to_child[0], to_parent[1],
				  sv[1]));
	}
	close(to_parent[1]);
	close(to_child[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	h->rd = to_parent[0];
	h->wr = to_child[1];
	h->sock = sv[0];
	if (h->pid < 0) {
		VM_FAIL("fork: %s", strerror(errno));
		return -1;
	}
	if (mode == UP_MAPPED) {
		r = vm_recv_fd(h->sock, &c, 1, &h->fd);
		VM_CHECK(r >= 0 && h->fd >= 0, "receive the %s queue fd: %d",
			 d->name, r);
	}
	{
		struct pollfd pfd = { .fd = h->rd, .events = POLLIN };

		if (poll(&pfd, 1, 60000) == 1 && read(h->rd, &c, 1) == 1 &&
		    c == 'R')
			return 0;
	}
	VM_FAIL("holder (%s) on %s did not get ready (exit code 100+ says where)",
		up_mode_name(mode), d->name);
	return -1;
}

int up_early(const struct up_holder *h)
{
	struct pollfd pfd = { .fd = h->rd, .events = POLLIN };

	return poll(&pfd, 1, 0) != 0;
}

void up_go(struct up_holder *h)
{
	if (h->wr >= 0 && write(h->wr, "G", 1) != 1)
		VM_FAIL("tell holder %d: %s", (int)h->pid, strerror(errno));
}

int up_result(struct up_holder *h, int timeout_ms)
{
	struct pollfd pfd = { .fd = h->rd, .events = POLLIN };
	unsigned char res;

	if (h->rd < 0 || poll(&pfd, 1, timeout_ms) != 1 ||
	    read(h->rd, &res, 1) != 1)
		return -1;
	return res;
}

int up_reap(struct up_holder *h)
{
	int st = -1, to = 0;

	if (h->pid > 0)
		st = vm_wait_child(h->pid, 20000, &to);
	h->pid = -1;
	if (h->rd >= 0)
		close(h->rd);
	if (h->wr >= 0)
		close(h->wr);
	if (h->sock >= 0)
		close(h->sock);
	if (h->fd >= 0)
		close(h->fd);
	h->rd = h->wr = h->sock = h->fd = -1;
	return st;
}

void up_save_figures(void)
{
	FILE *f = fopen("/tmp/ak-unplug.figures", "w");

	if (f) {
		fprintf(f, "%u %u\n", up_ops, up_events);
		fclose(f);
	}
}

/*
 * ak-vm-tests --poweroff-holder: a queue on every device with long jobs
 * kept in flight, until the machine powers off under it (vm/init then
 * runs poweroff -f). Prints AK-POWEROFF once the jobs are in flight and
 * the suite's summary line (the power-off counted as one more event: the
 * host fails the run unless the power-down completes cleanly), then
 * touches /tmp/ak-poweroff.ready.
 */
int vm_poweroff_holder_main(void)
{
	struct ak_queue *q[8];
	struct ak_result res[NR_LONG];
	uint8_t *src = vm_alloc(LONG_LEN), *dst = vm_alloc(LONG_LEN);
	unsigned int ops = 0, events = 0, n = 0, i;
	DIR *dir = opendir("/sys/class/uacce");
	struct dirent *e;
	char node[300], first[300] = "";
	FILE *f;

	if (!dir || !src || !dst)
		return 1;
	while ((e = readdir(dir)) && n < 8) {
		if (strncmp(e->d_name, "accelkit-", 9))
			continue;
		snprintf(node, sizeof(node), "/dev/%s", e->d_name);
		if (ak_queue_open(node, "copy", 0, &q[n]) ||
		    submit_long(q[n], src, dst)) {
			printf("AK-POWEROFF: cannot hold a queue of %s\n", node);
			return 1;
		}
		if (!n)
			snprintf(first, sizeof(first), "%s", node);
		n++;
	}
	closedir(dir);
	if (!n) {
		printf("AK-POWEROFF: no device\n");
		return 1;
	}
	/* and a page request nobody answers (the first device's node) */
	{
		struct ak_queue *sq;
		uint8_t *page = NULL, *pdst = vm_alloc(AK_PAGE);
		struct ak_job j;
		int uffd = -1;

		if (!pdst || uffd_page(&uffd, &page) ||
		    ak_queue_open(first, "copy", 0, &sq)) {
			printf("AK-POWEROFF: cannot set up a stalled page request\n");
			return 1;
		}
		j = vm_job(AK_OP_COPY, page, pdst, AK_PAGE, 0, 1);
		if (ak_submit(sq, &j) || uffd_wait(uffd, page)) {
			printf("AK-POWEROFF: no page request on the userfaultfd page\n");
			return 1;
		}
	}
	f = fopen("/tmp/ak-unplug.figures", "r");
	if (f) {
		if (fscanf(f, "%u %u", &ops, &events) != 2)
			ops = events = 0;
		fclose(f);
	}
	printf("AK-POWEROFF: holding %u queues with %u jobs in flight and one with a page request pending\n",
	       n, n * NR_LONG);
	printf("AK-ABUSE: unplug ops=%u seeds=0 injections=%u lost=0 dup=0\n",
	       ops + n + 1, events + 1);
	fflush(stdout);
	f = fopen("/tmp/ak-poweroff.ready", "w");
	if (f)
		fclose(f);
	for (;;) {		/* keep the device busy until the end */
		for (i = 0; i < n; i++) {
			int got = ak_reap(q[i], res, NR_LONG);

			if (got > 0) {
				struct ak_job j[NR_LONG];
				int k;

				for (k = 0; k < got; k++)
					j[k] = vm_job(AK_OP_COPY, src, dst,
						      LONG_LEN, 0, k);
				ak_submit_batch(q[i], j, got);
			}
		}
		usleep(10000);
	}
}
