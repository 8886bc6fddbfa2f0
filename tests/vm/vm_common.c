// SPDX-License-Identifier: LGPL-2.1-or-later
/* ak-vm-tests: shared helpers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <accelkit/accelkit.h>

#include "vm_common.h"

char g_name[64];
char g_node[128];
char g_sysdir[256];
long g_max_instances = -1;

int vm_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return r;
}

void vm_assertf(int ok, unsigned line, const char *file, const char *cond,
		const char *fmt, ...)
{
	char m[768];
	va_list ap;
	int o;

	if (ok) {
		CU_assertImplementation(CU_TRUE, line, cond, file, "", CU_FALSE);
		return;
	}
	o = snprintf(m, sizeof(m), "%s: ", cond);
	if (o < 0 || (size_t)o >= sizeof(m))
		o = 0;
	va_start(ap, fmt);
	vsnprintf(m + o, sizeof(m) - (size_t)o, fmt, ap);
	va_end(ap);
	CU_assertImplementation(CU_FALSE, line, m, file, "", CU_FALSE);
}

uint64_t vm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int vm_debug_kernel(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

int vm_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	buf[n] = '\0';
	close(fd);
	return (int)n;
}

int vm_write_file(const char *path, const char *s)
{
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	if (close(fd) < 0)
		return -errno;
	return (size_t)n == strlen(s) ? 0 : -EIO;
}

int vm_discover(void)
{
	DIR *d = opendir("/sys/class/uacce");
	struct dirent *e;
	char best[64] = "";

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "accelkit-", 9))
			continue;
		/* lowest number first */
		if (!best[0] || strlen(e->d_name) < strlen(best) ||
		    (strlen(e->d_name) == strlen(best) &&
		     strcmp(e->d_name, best) < 0))
			snprintf(best, sizeof(best), "%s", e->d_name);
	}
	closedir(d);
	if (!best[0])
		return -ENODEV;
	snprintf(g_name, sizeof(g_name), "%s", best);
	snprintf(g_node, sizeof(g_node), "/dev/%s", best);
	snprintf(g_sysdir, sizeof(g_sysdir), "/sys/class/uacce/%s", best);
	return 0;
}

/* See vm_common.h. */
int vm_wait_node(int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;

	do {
		if (vm_discover() == 0 && access(g_node, R_OK | W_OK) == 0)
			return 0;
		usleep(20000);
	} while (vm_now_ms() < deadline);
	return -1;
}

/* See vm_common.h. */
int vm_rediscover(int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;
	char p[PATH_MAX], real[PATH_MAX];
	struct stat st;

	do {
		DIR *d = opendir("/sys/class/uacce");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (strncmp(e->d_name, "accelkit-", 9))
				continue;
			vm_fmt(p, sizeof(p), "/sys/class/uacce/%s/device",
				 e->d_name);
			if (!realpath(p, real) || strcmp(real, g_pci_path))
				continue;
			vm_fmt(g_name, sizeof(g_name), "%s", e->d_name);
			vm_fmt(g_node, sizeof(g_node), "/dev/%s", e->d_name);
			vm_fmt(g_sysdir, sizeof(g_sysdir),
				 "/sys/class/uacce/%s", e->d_name);
			closedir(d);
			if (stat(g_node, &st) == 0 && S_ISCHR(st.st_mode))
				return 0;
			d = NULL;
			break;
		}
		if (d)
			closedir(d);
		usleep(20000);
	} while (vm_now_ms() < deadline);
	return -ENODEV;
}

long vm_avail(void)
{
	char path[320], buf[64], *end;
	long v;
	int r;

	snprintf(path, sizeof(path), "%s/available_instances", g_sysdir);
	r = vm_read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return v;
}

struct ak_queue *vm_open_queue(unsigned flags)
{
	struct ak_queue *q = NULL;
	int r = ak_queue_open(g_node, NULL, flags, &q);

	VM_CHECK(r == 0 && q, "ak_queue_open(%s, 0x%x) = %d (%s)", g_node,
		 flags, r, strerror(-r));
	return r ? NULL : q;
}

int vm_suite_queue_open(struct ak_queue **q, const char *alg,
			struct ak_queue_info *info)
{
	*q = NULL;
	if (vm_discover() < 0 || ak_queue_open(g_node, alg, 0, q) < 0)
		goto fail;
	if (info && ak_queue_info(*q, info) < 0)
		goto fail;
	return 0;
fail:
	ak_queue_close(*q);
	*q = NULL;
	return -1;
}

int vm_suite_queue_close(struct ak_queue **q)
{
	ak_queue_close(*q);
	*q = NULL;
	return 0;
}

void *vm_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		VM_FAIL("mmap(%zu) failed: %s", len, strerror(errno));
		return NULL;
	}
	memset(p, 0, len);
	return p;
}

void vm_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

void vm_touch(void *p, size_t len)
{
	volatile uint8_t *b = p;
	size_t i;

	if (!len)
		return;
	for (i = 0; i < len; i += AK_PAGE)
		b[i] = b[i];
	b[len - 1] = b[len - 1];
}

void vm_fill_random(void *p, size_t len, uint32_t seed)
{
	uint8_t *b = p;
	uint32_t x = seed * 2654435761u + 12345u;
	size_t i = 0;

	if (!x)
		x = 1;
	for (; i + 4 <= len; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(b + i, &x, 4);
	}
	for (; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)(x >> 11);
	}
}

long vm_first_not(const void *p, int c, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (uint8_t)c)
			return (long)i;
	return -1;
}

long vm_first_diff(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	if (!memcmp(a, b, len))
		return -1;
	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return (long)i;
	return -1;
}

long vm_first_not_pattern(const void *p, uint64_t pattern, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != vm_pat_byte(pattern, i))
			return (long)i;
	return -1;
}

int vm_reap_n(struct ak_queue *q, struct ak_result *out, int n,
	      int timeout_ms)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;
	int got = 0;

	while (got < n) {
		int r = ak_reap(q, out + got, (unsigned)(n - got));

		if (r < 0)
			break;
		got += r;
		if (got >= n)
			break;
		if (r == 0) {
			uint64_t now = vm_now_ms();

			if (now >= deadline)
				break;
			r = ak_wait(q, (int)(deadline - now));
			if (r < 0 && r != -ETIMEDOUT)
				break;
		}
	}
	return got;
}

int vm_run_ms(struct ak_queue *q, const struct ak_job *job,
	      struct ak_result *res, int timeout_ms)
{
	int r = ak_submit(q, job);

	memset(res, 0xee, sizeof(*res));
	if (r < 0)
		return r;
	if (vm_reap_n(q, res, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	return 0;
}

int vm_run(struct ak_queue *q, const struct ak_job *job,
	   struct ak_result *res)
{
	return vm_run_ms(q, job, res, AK_JOB_TIMEOUT_MS);
}

int vm_wait_child(pid_t pid, int timeout_ms, int *timed_out)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)timeout_ms;
	int status;

	if (timed_out)
		*timed_out = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (vm_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			if (timed_out)
				*timed_out = 1;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return status;
		}
		usleep(2000);
	}
}

int vm_run_child(int (*fn)(void *), void *arg, int timeout_ms,
		 int *timed_out)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	return vm_wait_child(pid, timeout_ms, timed_out);
}

const char *vm_wstatus_str(int status, char *buf, size_t len)
{
	if (status == -1)
		snprintf(buf, len, "fork/wait failed");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
	return buf;
}

void vm_check_instances_back(void)
{
	long a = vm_avail();

	VM_CHECK(a == g_max_instances,
		 "%s/available_instances = %ld, expected %ld (all queues closed)",
		 g_sysdir, a, g_max_instances);
}

/* ---- final suite ---- */

static void t_instances_at_end(void)
{
	VM_REQUIRE(vm_discover() == 0, "no accelkit device at the end");
	vm_check_instances_back();
}

static const struct ak_test final_tests[] = {
	{ "available_instances back to maximum at suite end", t_instances_at_end },
	{ NULL, NULL },
};

int add_final_suite(void)
{
	return ak_add_suite("final", NULL, NULL, final_tests);
}

/* ---- signal probes ---- */

static sigjmp_buf sig_jb;
static volatile sig_atomic_t sig_seen;

static void sig_catch(int sig)
{
	sig_seen = sig;
	siglongjmp(sig_jb, 1);
}

static int probe(volatile void *p, int write)
{
	struct sigaction sa, osegv, obus;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_catch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &osegv);
	sigaction(SIGBUS, &sa, &obus);
	sig_seen = 0;
	if (!sigsetjmp(sig_jb, 1)) {
		if (write)
			*(volatile uint8_t *)p = *(volatile uint8_t *)p;
		else
			(void)*(volatile uint8_t *)p;
	}
	sigaction(SIGSEGV, &osegv, NULL);
	sigaction(SIGBUS, &obus, NULL);
	return sig_seen;
}

int vm_probe_read(const volatile void *p)
{
	return probe((volatile void *)p, 0);
}

/* ---- page-request counters ---- */

struct ak_job vm_job(uint16_t op, const void *src, void *dst, uint64_t len,
		     uint64_t pattern, uint64_t tag)
{
	struct ak_job j;

	memset(&j, 0, sizeof(j));
	j.op = op;
	j.src = src;
	j.dst = dst;
	j.len = len;
	j.pattern = pattern;
	j.tag = tag;
	return j;
}

uint8_t *vm_fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		VM_FAIL("mmap(%zu): %s", len, strerror(errno));
		return NULL;
	}
	if (madvise(p, len, MADV_NOHUGEPAGE) < 0) {
		VM_FAIL("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
		munmap(p, len);
		return NULL;
	}
	return p;
}

int vm_queue_stats(int fd, struct vm_qstats *st)
{
	memset(st, 0, sizeof(*st));
#ifdef ACCELKIT_CMD_QUEUE_STATS
	struct accelkit_queue_stats ks;

	memset(&ks, 0xa5, sizeof(ks));
	if (ioctl(fd, ACCELKIT_CMD_QUEUE_STATS, &ks) < 0)
		return -errno;
	st->page_requests = ks.page_requests;
	st->page_faults_resolved = ks.page_faults_resolved;
	st->page_faults_failed = ks.page_faults_failed;
	st->pages_requested = ks.pages_requested;
	return 0;
#else
	(void)fd;
	return -ENOSYS;
#endif
}

int vm_send_fd(int sock, const void *m, size_t len, int fd)
{
	struct iovec iov = { .iov_base = (void *)m, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(u.buf, 0, sizeof(u.buf));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, 0) == (ssize_t)len ? 0 : -1;
}

int vm_recv_fd(int sock, void *m, size_t len, int *fd)
{
	struct iovec iov = { .iov_base = m, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;

	*fd = -1;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != (ssize_t)len)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

long vm_smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512], key[64];
	size_t fl = strlen(field);
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (in && !strncmp(line, field, fl) && line[fl] == ':' &&
		    sscanf(line, "%63[^:]: %ld kB", key, &kb) == 2)
			break;
	}
	fclose(f);
	return kb;
}

long vm_resident_pages(const void *p, size_t len)
{
	size_t n = (len + AK_PAGE - 1) / AK_PAGE, i;
	unsigned char *vec = malloc(n ? n : 1);
	long res = 0;

	if (!vec)
		return -ENOMEM;
	if (mincore((void *)p, len, vec) < 0) {
		res = -errno;
		free(vec);
		return res;
	}
	for (i = 0; i < n; i++)
		res += vec[i] & 1;
	free(vec);
	return res;
}

static char *klog_read(int *len)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int vm_klog_count(const char *needle)
{
	char *buf, *line, *end, keep;
	int n, count = 0;

	buf = klog_read(&n);
	if (!buf)
		return -errno ? -errno : -EIO;
	for (line = buf; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		keep = *end;
		*end = '\0';		/* the line, with its newline */
		count += strstr(line, needle) != NULL;
		*end = keep;
	}
	free(buf);
	return count;
}

int vm_klog_splats(char *first, size_t len)
{
	static const char *const pats[] = {
		"Oops", "BUG:", "WARNING:", "Call Trace:",
		"general protection fault", "UBSAN:", "possible circular locking",
		"possible recursive locking", "inconsistent lock state",
		"INFO: lockdep", "blocked for more than", "Kernel panic",
		"list_add corruption", "list_del corruption", "KASAN:",
		"unreferenced object", "bad page state", "Bad page",
	};
	char *buf, *line, *save = NULL;
	int n, count = 0, since_oom = 100;
	size_t i;

	if (first && len)
		first[0] = '\0';
	buf = klog_read(&n);
	if (!buf)
		return -errno ? -errno : -EIO;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/*
		 * An OOM kill (the storm suite's) prints the stack of the
		 * task that invoked the OOM killer: not a kernel report.
		 * The same exception as scripts/vm-splats.sh.
		 */
		since_oom++;
		if (strstr(line, "invoked oom-killer:"))
			since_oom = 0;
		if (since_oom <= 6 && strstr(line, "Call Trace:"))
			continue;
		for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
			if (strstr(line, pats[i])) {
				if (!count && first && len)
					snprintf(first, len, "%s", line);
				count++;
				break;
			}
	}
	free(buf);
	return count;
}

int vm_klog_contains(const char *needle)
{
	int n, r;
	char *buf = klog_read(&n);

	if (!buf)
		return -errno ? -errno : -EIO;
	r = strstr(buf, needle) != NULL;
	free(buf);
	return r;
}

char g_pci_path[PATH_MAX];
char g_bdf[64];
char g_driver[64];

int vm_resolve_pci(void)
{
	char p[PATH_MAX], drv[PATH_MAX];
	const char *b;

	vm_fmt(p, sizeof(p), "%s/device", g_sysdir);
	if (!realpath(p, g_pci_path))
		return -errno;
	b = strrchr(g_pci_path, '/');
	vm_fmt(g_bdf, sizeof(g_bdf), "%s", b ? b + 1 : g_pci_path);
	vm_fmt(p, sizeof(p), "%s/driver", g_pci_path);
	if (!realpath(p, drv))
		return -errno;
	b = strrchr(drv, '/');
	vm_fmt(g_driver, sizeof(g_driver), "%s", b ? b + 1 : drv);
	return 0;
}

long vm_read_long(const char *dir, const char *attr)
{
	char p[PATH_MAX], buf[64], *end;
	long v;
	int n;

	vm_fmt(p, sizeof(p), "%s/%s", dir, attr);
	n = vm_read_file(p, buf, sizeof(buf));
	if (n < 0)
		return n;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v < 0)
		return -EINVAL;
	return v;
}

long vm_attr_long(const char *attr)
{
	return vm_read_long(g_sysdir, attr);
}

long vm_pci_attr_long(const char *attr)
{
	return vm_read_long(g_pci_path, attr);
}

int vm_has_word(const char *list, const char *word)
{
	const char *p = list;
	size_t n = strlen(word);

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}
