// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak-fuzz: options, memory regions, the step loop, the dmesg count and the
 * summary line. See fuzz.h and docs/testing.md.
 *
 *   ak-fuzz [--seed N] [--ops M] [--node /dev/accelkit-N] [-v]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

struct fz g;

/* dmesg lines the run may add besides its own markers (docs/testing.md) */
#define FZ_DMESG_ALLOWED 0

uint64_t fz_rnd(void)
{
	/* splitmix64: every value depends on the seed only */
	uint64_t z = (g.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fz_summary(const char *result)
{
	long inst = fz_attr("available_instances");

	printf("AK-FUZZ: %sseed=%llu ops=%llu steps=%llu opens=%llu jobs=%llu faults=%llu errors=%llu forks=%llu kills=%llu passes=%llu dropped=%llu lost=%llu dup=%llu threads=%llu execs=%llu defunct=%llu rsvd_bit=%llu phys_va=%llu instances=%ld/%ld\n",
	       result, (unsigned long long)g.seed,
	       (unsigned long long)g.s.ops, (unsigned long long)g.s.steps,
	       (unsigned long long)g.s.opens, (unsigned long long)g.s.jobs,
	       (unsigned long long)g.s.faults, (unsigned long long)g.s.errors,
	       (unsigned long long)g.s.forks, (unsigned long long)g.s.kills,
	       (unsigned long long)g.s.passes, (unsigned long long)g.s.dropped,
	       (unsigned long long)g.s.lost, (unsigned long long)g.s.dup,
	       (unsigned long long)g.s.threads, (unsigned long long)g.s.execs,
	       (unsigned long long)g.s.defunct,
	       (unsigned long long)g.s.rsvd_bit, (unsigned long long)g.s.phys_va,
	       inst, g.max_inst);
	/* the abuse summary line (docs/testing.md, scripts/vm-summary.sh) */
	printf("AK-ABUSE: fuzz ops=%llu seeds=1 injections=0 lost=%llu dup=%llu\n",
	       (unsigned long long)g.s.ops, (unsigned long long)g.s.lost,
	       (unsigned long long)g.s.dup);
	fflush(stdout);
}

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	printf("AK-FUZZ: FAIL seed=%llu op=%llu step=%llu (%s): ",
	       (unsigned long long)g.seed, (unsigned long long)g.step_op,
	       (unsigned long long)g.s.steps, g.step_what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nAK-FUZZ: replay with: ak-fuzz --seed %llu --ops %llu -v\n",
	       (unsigned long long)g.seed, (unsigned long long)g.max_ops);
	fz_summary("FAILED ");
	if (g.other > 0)
		kill(g.other, SIGKILL);
	exit(1);
}

void fz_trace(const char *fmt, ...)
{
	va_list ap;

	if (!g.verbose)
		return;
	printf("  [%llu] ", (unsigned long long)g.s.ops);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void fz_op(void)
{
	g.s.ops++;
}

uint64_t fz_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

long fz_attr(const char *attr)
{
	char p[512], buf[64];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", g.sysdir, attr);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* ---- probing a mapping ---- */

static sigjmp_buf probe_jb;
static volatile sig_atomic_t probe_sig;

static void probe_handler(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_jb, 1);
}

int fz_probe(const volatile void *p, bool write)
{
	struct sigaction sa, obus, osegv;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_handler;
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	probe_sig = 0;
	if (!sigsetjmp(probe_jb, 1)) {
		if (write)
			*(volatile uint8_t *)p = *(const volatile uint8_t *)p;
		else
			(void)*(const volatile uint8_t *)p;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return probe_sig;
}

/* ---- the arena: FZ_NSLOT slots of canary bytes ---- */

int fz_canary(int slot)
{
	return 0x80 | (slot & 0x7f);
}

int fz_slot_get(void)
{
	int i, s;

	if (!g.nfree)
		return -1;
	i = (int)fz_below((uint64_t)g.nfree);
	s = g.free_slot[i];
	g.free_slot[i] = g.free_slot[--g.nfree];
	return s;
}

void fz_slot_put(int slot)
{
	memset(g.arena + (size_t)slot * FZ_SLOT, fz_canary(slot), FZ_SLOT);
	g.free_slot[g.nfree++] = slot;
}

static long first_not(const uint8_t *p, int c, size_t len)
{
	uint64_t w = 0x0101010101010101ull * (uint8_t)c, v;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {	/* slots are page aligned */
		memcpy(&v, p + i, 8);
		if (v != w)
			break;
	}
	for (; i < len; i++)
		if (p[i] != (uint8_t)c)
			return (long)i;
	return -1;
}

void fz_check_slot(int slot, const char *when)
{
	long i = first_not(g.arena + (size_t)slot * FZ_SLOT, fz_canary(slot),
			   FZ_SLOT);

	FZ_CHECK(i < 0, "%s: free arena slot %d written at offset %ld (0x%02x)",
		 when, slot, i,
		 i < 0 ? 0 : g.arena[(size_t)slot * FZ_SLOT + (size_t)i]);
}

/* Every free slot is canary; the source and read-only data unchanged. */
void fz_full_scan(const char *when)
{
	bool busy[FZ_NSLOT] = { false };
	int i;

	for (i = 0; i < FZ_NSLOT; i++)
		busy[i] = true;
	for (i = 0; i < g.nfree; i++)
		busy[g.free_slot[i]] = false;
	for (i = 0; i < FZ_NSLOT; i++)
		if (!busy[i])
			fz_check_slot(i, when);
	FZ_CHECK(!memcmp(g.src, g.src_copy, FZ_SRC_LEN),
		 "%s: source buffer changed", when);
	FZ_CHECK(!memcmp(g.ro, g.ro_copy, FZ_RO_LEN),
		 "%s: read-only buffer changed", when);
}

/* Map @len bytes with a PROT_NONE guard page before and after. */
static uint8_t *map_guarded(size_t len, int prot, bool touch)
{
	uint8_t *p = mmap(NULL, len + 2 * FZ_PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fz_fail("mmap of %zu bytes: %s", len, strerror(errno));
	p += FZ_PAGE;
	if (mprotect(p, len, touch ? PROT_READ | PROT_WRITE : prot))
		fz_fail("mprotect: %s", strerror(errno));
	madvise(p, len, MADV_NOHUGEPAGE);
	if (touch) {
		memset(p, 0, len);
		if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, len, prot))
			fz_fail("mprotect: %s", strerror(errno));
	}
	return p;
}

static void setup_memory(void)
{
	size_t i;

	g.arena = map_guarded(FZ_NSLOT * FZ_SLOT, PROT_READ | PROT_WRITE, true);
	for (i = 0; i < FZ_NSLOT; i++) {
		memset(g.arena + i * FZ_SLOT, fz_canary((int)i), FZ_SLOT);
		g.free_slot[g.nfree++] = (int)i;
	}
	g.src = map_guarded(FZ_SRC_LEN, PROT_READ | PROT_WRITE, true);
	g.src_copy = malloc(FZ_SRC_LEN);
	for (i = 0; i < FZ_SRC_LEN; i += 8) {
		uint64_t v = fz_rnd();

		memcpy(g.src + i, &v, 8);
	}
	memcpy(g.src_copy, g.src, FZ_SRC_LEN);
	g.ro = map_guarded(FZ_RO_LEN, PROT_READ | PROT_WRITE, true);
	g.ro_copy = malloc(FZ_RO_LEN);
	for (i = 0; i < FZ_RO_LEN; i++)
		g.ro[i] = (uint8_t)(0x3c ^ i);
	memcpy(g.ro_copy, g.ro, FZ_RO_LEN);
	if (mprotect(g.ro, FZ_RO_LEN, PROT_READ))
		fz_fail("mprotect ro: %s", strerror(errno));
	g.ro0 = map_guarded(FZ_RO_LEN, PROT_READ, false);
	g.pnone = map_guarded(FZ_RO_LEN, PROT_NONE, false);
	if (!g.src_copy || !g.ro_copy)
		fz_fail("out of memory");
}

static int discover(const char *node)
{
	DIR *d;
	struct dirent *e;

	if (node) {
		const char *b = strrchr(node, '/');

		snprintf(g.node, sizeof(g.node), "%s", node);
		snprintf(g.sysdir, sizeof(g.sysdir), "/sys/class/uacce/%s",
			 b ? b + 1 : node);
		return 0;
	}
	char name[100];

	d = opendir("/sys/class/uacce");
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "accelkit-", 9) ||
		    strlen(e->d_name) >= sizeof(name))
			continue;
		strcpy(name, e->d_name);
		snprintf(g.node, sizeof(g.node), "/dev/%s", name);
		snprintf(g.sysdir, sizeof(g.sysdir), "/sys/class/uacce/%s",
			 name);
		closedir(d);
		return 0;
	}
	closedir(d);
	return -ENODEV;
}

/* ---- dmesg: records added during the run ---- */

static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static void kmsg_mark(int fd, const char *what)
{
	char buf[160];
	int n;

	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "ak-fuzz: %s seed=%llu\n", what,
		     (unsigned long long)g.seed);
	if (write(fd, buf, (size_t)n) < 0)
		perror("ak-fuzz: /dev/kmsg");
}

/*
 * New records other than our markers that count: every record of level
 * warning or worse, and any record naming accelkit or uacce (at any
 * level: user-triggered faults print nothing, not even dev_info).
 * Unrelated notices of the system ("random: crng init done") are shown
 * but not counted. Prints the first few.
 */
static int kmsg_new(int fd)
{
	char buf[8192];
	int n = 0, shown = 0;

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		char *msg;
		bool counts;

		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (r <= 0)
			break;
		buf[r] = 0;
		msg = strchr(buf, ';');
		msg = msg ? msg + 1 : buf;
		if (!strncmp(msg, "ak-fuzz: ", 9))
			continue;
		counts = (atoi(buf) & 7) <= 4 || strstr(msg, "accelkit") ||
			 strstr(msg, "uacce");
		n += counts;
		if (shown++ < 8)
			printf("AK-FUZZ: new dmesg line (%s): %s",
			       counts ? "counted" : "not ours, not counted", msg);
	}
	return n;
}

/* ---- the step loop ---- */

static struct fz_queue *pick_queue(bool open_only)
{
	int i, n = 0, idx[FZ_NQ];

	for (i = 0; i < FZ_NQ; i++)
		if (g.q[i].st != FQ_CLOSED)
			idx[n++] = i;
	if (!n)
		return NULL;
	(void)open_only;
	return &g.q[idx[fz_below((uint64_t)n)]];
}

static struct fz_queue *pick_ready(void)
{
	int i, n = 0, idx[FZ_NQ];

	for (i = 0; i < FZ_NQ; i++)
		if (fz_can_submit(&g.q[i]))
			idx[n++] = i;
	return n ? &g.q[idx[fz_below((uint64_t)n)]] : NULL;
}

/* time per kind of step, for tuning the mix (printed with -v and at the end) */
enum { T_SUBMIT, T_READY, T_OPEN, T_SYS, T_REAP, T_CLOSE, T_FORK, T_PASS,
       T_THREADS, T_EXEC, T_ADOPT, T_NR };
static const char *const t_names[T_NR] = { "submit", "ready", "open", "sys",
					   "reap", "close", "fork", "pass",
					   "threads", "exec", "adopt" };
static uint64_t t_us[T_NR], t_cnt[T_NR];
static int t_cur;

uint64_t fz_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void step_inner(void);

static void step(void)
{
	uint64_t t0 = fz_now_us();

	t_cur = T_SYS;
	step_inner();
	t_us[t_cur] += fz_now_us() - t0;
	t_cnt[t_cur]++;
}

static void step_inner(void)
{
	unsigned r = (unsigned)fz_below(1000);
	struct fz_queue *q;

	g.step_op = g.s.ops;
	g.s.steps++;
	/* Mostly small jobs on a ready queue; make one if there is none. */
	if (r < 700) {
		q = pick_ready();
		if (q) {
			snprintf(g.step_what, sizeof(g.step_what),
				 "submit on queue %ld", (long)(q - g.q));
			t_cur = T_SUBMIT;
			op_submit(q);
			return;
		}
		q = pick_queue(false);
		if (q && fz_chance(85)) {
			snprintf(g.step_what, sizeof(g.step_what),
				 "make queue %ld ready", (long)(q - g.q));
			t_cur = T_READY;
			op_make_ready(q);
			return;
		}
		r = 700 + (unsigned)fz_below(100);
	}
	q = pick_queue(false);
	if (r < 760 || !q) {
		snprintf(g.step_what, sizeof(g.step_what), "open");
		t_cur = T_OPEN;
		op_open();
		return;
	}
	snprintf(g.step_what, sizeof(g.step_what), "queue %ld op %u",
		 (long)(q - g.q), r);
	if (r < 790)
		op_mmap(q);
	else if (r < 830)
		op_ioctl(q);
	else if (r < 850)
		op_poll(q);
	else if (r < 865)
		op_rw(q);
	else if (r < 880)
		op_munmap(q);
	else if (r < 890)
		op_mremap(q);
	else if (r < 900)
		op_mprotect(q);
	else if (r < 925) {
		t_cur = T_REAP;
		if (fz_can_reap(q))
			fz_reap(q, fz_chance(50));
	} else if (r < 935)
		op_irq_wait(q);
	else if (r < 945)
		op_probe_released(q);
	else if (r < 982) {
		t_cur = T_CLOSE;
		op_close(q);
	}
	else if (r < 984) {
		snprintf(g.step_what, sizeof(g.step_what), "fork");
		t_cur = T_FORK;
		op_fork();
	} else if (r < 990) {
		snprintf(g.step_what, sizeof(g.step_what), "SCM_RIGHTS");
		t_cur = T_PASS;
		op_pass_fd();
	} else if (r < 994) {
		snprintf(g.step_what, sizeof(g.step_what), "threads");
		t_cur = T_THREADS;
		op_threads();
	} else if (r < 996) {
		snprintf(g.step_what, sizeof(g.step_what), "exec");
		t_cur = T_EXEC;
		op_exec();
	} else {
		snprintf(g.step_what, sizeof(g.step_what),
			 "adopt a queue whose owner dies (DEFUNCT)");
		t_cur = T_ADOPT;
		op_adopt();
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: ak-fuzz [--seed N] [--ops M] [--node PATH] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *node = NULL;
	uint64_t t0;
	int i, kfd, nd;

	/* the exec'd half of op_exec (fuzz_proc.c) */
	if (argc >= 2 && !strcmp(argv[1], "--exec-check"))
		return fz_exec_check_main(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	g.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	g.max_ops = 100000;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			g.seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			g.max_ops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--node") && i + 1 < argc)
			node = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			g.verbose = 1;
		else
			usage();
	}
	g.rng = g.seed;
	for (i = 0; i < FZ_NQ; i++)
		g.q[i].fd = -1;
	g.alg_fd = -1;
	snprintf(g.step_what, sizeof(g.step_what), "setup");
	if (discover(node) < 0) {
		printf("AK-FUZZ: FAIL seed=%llu op=0: no accelkit device\n",
		       (unsigned long long)g.seed);
		return 1;
	}
	g.max_inst = fz_attr("available_instances");
	g.pasids0 = fz_attr("pasids_in_use");
	printf("AK-FUZZ: start seed=%llu ops=%llu node=%s available_instances=%ld pasids_in_use=%ld\n",
	       (unsigned long long)g.seed, (unsigned long long)g.max_ops,
	       g.node, g.max_inst, g.pasids0);
	if (g.max_inst <= FZ_NQ + 1)
		fz_fail("available_instances %ld: need more than %d",
			g.max_inst, FZ_NQ + 1);
	kfd = kmsg_open();
	kmsg_mark(kfd, "start");
	setup_memory();
	fz_kq_setup();
	fz_other_start();

	t0 = fz_now_ms();
	while (g.s.ops < g.max_ops) {
		step();
		if (g.s.steps % 4096 == 0) {
			snprintf(g.step_what, sizeof(g.step_what), "scan");
			fz_full_scan("periodic scan");
		}
	}

	/* Wind down: everything completes, every queue closes. */
	snprintf(g.step_what, sizeof(g.step_what), "final close");
	g.step_op = g.s.ops;
	for (i = 0; i < FZ_NQ; i++) {
		struct fz_queue *q = &g.q[i];

		if (q->st == FQ_CLOSED)
			continue;
		if (fz_can_reap(q))
			fz_reap(q, true);
		op_close(q);
	}
	fz_full_scan("final scan");
	fz_other_finish();
	fz_check_counters("end of run");
	fz_kq_finish();
	kmsg_mark(kfd, "end");
	nd = kfd >= 0 ? kmsg_new(kfd) : 0;
	printf("AK-FUZZ: time per kind of step:");
	for (i = 0; i < T_NR; i++)
		printf(" %s %llu/%.2fs", t_names[i],
		       (unsigned long long)t_cnt[i], (double)t_us[i] / 1e6);
	printf("\nAK-FUZZ: completion statuses (count/wait s):");
	for (i = 0; i < 9; i++)
		printf(" %d:%llu/%.2f", i, (unsigned long long)g.s.st[i],
		       (double)g.wait_us[i] / 1e6);
	printf("\nAK-FUZZ: wait s by opcode:");
	for (i = 0; i < 8; i++)
		printf(" %d:%.2f", i, (double)g.wait_op_us[i] / 1e6);
	printf("\n");
	printf("AK-FUZZ: %.1f s, %d new dmesg lines (allowed %d)\n",
	       (double)(fz_now_ms() - t0) / 1000.0, nd, FZ_DMESG_ALLOWED);
	if (nd > FZ_DMESG_ALLOWED)
		fz_fail("%d new kernel log lines during the run", nd);
	if (g.s.lost || g.s.dup)
		fz_fail("lost %llu dup %llu", (unsigned long long)g.s.lost,
			(unsigned long long)g.s.dup);
	fz_summary("");
	return 0;
}
