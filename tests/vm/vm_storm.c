// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The "storm" suite (issue 11, kill storms and memory pressure; see
 * vm_storm.h and docs/testing.md "The storm suite").
 *
 * The kill storm: N processes (100 in the suite, ak.storm=N for the long
 * run) in units of an owner and, for a third of them, two sharers of its
 * queue (vm_storm_proc.c), at most ST_LIVE alive at once. One 64-bit seed
 * (printed; AK_STORM_SEED replays it) draws every unit's plan before its
 * fork: what it does, and whom the storm parent SIGKILLs, at which of its
 * announced points or after how many milliseconds. Every process that is
 * not killed reports its jobs, each completed exactly once (lost and dup
 * are counted), and exits 0. After the storm: available_instances and
 * pasids_in_use back to their values at the start, no task in D state,
 * no new kernel report, and another process can still use the device.
 *
 * The storm runs in a forked "storm parent" that is the child subreaper
 * (the sharers of a killed owner are reparented to it) and hands its
 * counts back on a pipe.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm_common.h"
#include "vm_hostile.h"
#include "vm_storm.h"

#define ST_LIVE		8	/* processes alive at once, at most */
#define ST_SMALL	100	/* processes of the suite's storm */

struct st_counts g_storm;
static unsigned g_nproc = ST_SMALL;
static uint64_t g_seed;
static bool g_seed_set;
static long g_pasids0;

/* ---- the plan of unit @u ---- */

static void plan_unit(uint64_t seed, uint32_t u, struct st_plan *p)
{
	uint64_t s = seed ^ (0xd1b54a32d192ed03ull * (u + 1));
	int r, npoint[SR_NR];

	memset(p, 0, sizeof(*p));
	st_rnd(&s);
	p->unit = u;
	p->group = st_below(&s, 100) < 35;
	p->nq = p->group ? 1 : 1 + (int)st_below(&s, 2);
	p->batches = 1 + (int)st_below(&s, 3);
	p->exit_mode = st_below(&s, 10) < 6 ? 0 : 1 + (int)st_below(&s, 2);
	npoint[SR_OWNER] = 2 + 2 * p->batches;
	npoint[SR_CHILD] = npoint[SR_RECV] = 16;
	for (r = 0; r < SR_NR; r++) {
		unsigned k = st_below(&s, 100);

		p->kill_point[r] = -1;
		p->kill_ms[r] = -1;
		if (k < 30)
			p->kill_point[r] = (int)st_below(&s, (unsigned)npoint[r]);
		else if (k < 50)
			p->kill_ms[r] = (int)st_below(&s, 400);
	}
	p->rng = st_rnd(&s);
}

/* ---- the storm parent ---- */

struct sproc {
	pid_t pid;
	bool live, killed, result, ok;
	uint32_t done;		/* completions it reported */
	uint64_t kill_at;	/* 0: no timer */
};

struct storm {
	uint64_t seed;
	unsigned nproc, nunits, live, hellos;
	struct st_plan *plans;
	struct sproc *procs;	/* unit * SR_NR + role */
	struct st_counts c;
	unsigned fails;
	char first[256];
};

static const char *const role_name[SR_NR] = { "owner", "forked sharer",
					      "SCM_RIGHTS receiver" };

static void fail(struct storm *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct storm *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->fails++) {
		va_start(ap, fmt);
		vsnprintf(s->first, sizeof(s->first), fmt, ap);
		va_end(ap);
	}
}

static struct sproc *find_pid(struct storm *s, pid_t pid, unsigned *unit,
			      int *role)
{
	unsigned i;

	for (i = 0; i < s->nunits * SR_NR; i++)
		if (s->procs[i].pid == pid && s->procs[i].live) {
			*unit = i / SR_NR;
			*role = (int)(i % SR_NR);
			return &s->procs[i];
		}
	return NULL;
}

static void do_kill(struct storm *s, struct sproc *sp)
{
	(void)s;
	if (sp->live && !sp->killed && !kill(sp->pid, SIGKILL))
		sp->killed = true;
}

static void read_events(struct storm *s, int evr)
{
	struct st_msg m;

	while (read(evr, &m, sizeof(m)) == sizeof(m)) {
		struct sproc *sp;
		const struct st_plan *p;

		if (m.unit >= s->nunits || m.role >= SR_NR) {
			fail(s, "bad event record (unit %u role %u)", m.unit,
			     m.role);
			continue;
		}
		p = &s->plans[m.unit];
		sp = &s->procs[m.unit * SR_NR + m.role];
		switch (m.type) {
		case SM_HELLO:
			if (m.role != SR_OWNER) {
				sp->pid = m.pid;
				sp->live = true;
				s->live++;
			}
			s->hellos++;
			if (p->kill_ms[m.role] >= 0)
				sp->kill_at = vm_now_ms() +
					      (uint64_t)p->kill_ms[m.role] + 1;
			break;
		case SM_POINT:
			if (p->kill_point[m.role] == m.point)
				do_kill(s, sp);
			break;
		default:
			sp->result = true;
			sp->done = m.done;
			s->c.jobs += m.jobs;
			s->c.done += m.done;
			s->c.lost += m.lost;
			s->c.dup += m.dup;
			break;
		}
	}
}

static void reaped(struct storm *s, int evr, pid_t pid, int st)
{
	struct sproc *sp;
	unsigned u;
	int role;
	char ws[64];

	/* its HELLO or RESULT may be unread: it wrote them before it died */
	read_events(s, evr);
	sp = find_pid(s, pid, &u, &role);
	if (!sp) {
		fail(s, "an unknown process %d ended (%s)", pid,
		     vm_wstatus_str(st, ws, sizeof(ws)));
		return;
	}
	sp->live = false;
	s->live--;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && sp->killed) {
		s->c.kills++;
		return;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && sp->result) {
		s->c.survivors++;
		sp->ok = true;
		return;
	}
	fail(s, "seed %llu unit %u %s: %s%s%s", (unsigned long long)s->seed,
	     u, role_name[role], vm_wstatus_str(st, ws, sizeof(ws)),
	     WIFEXITED(st) ? ": " : "",
	     WIFEXITED(st) ? st_bad_str((unsigned)WEXITSTATUS(st)) : "");
}

static void spawn(struct storm *s, int evr, int evw)
{
	unsigned u = s->nunits++;
	struct st_plan *p = &s->plans[u];
	pid_t pid;

	plan_unit(s->seed, u, p);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fail(s, "fork: %s", strerror(errno));
		s->nunits--;
		return;
	}
	if (!pid) {
		close(evr);
		st_unit_main(p, evw);
	}
	s->procs[u * SR_NR + SR_OWNER].pid = pid;
	s->procs[u * SR_NR + SR_OWNER].live = true;
	s->live++;
}

static void storm_parent(struct storm *s)
{
	uint64_t t0 = vm_now_ms(), guard = 120000 + 600ull * s->nproc;
	int ev[2], st;
	unsigned i;
	pid_t pid;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe2(ev, O_CLOEXEC)) {
		fail(s, "pipe: %s", strerror(errno));
		return;
	}
	fcntl(ev[0], F_SETFL, O_NONBLOCK);
	/* units until N processes said hello (a unit whose owner is killed
	 * early starts fewer than planned) */
	while (s->hellos < s->nproc || s->live) {
		struct pollfd p = { .fd = ev[0], .events = POLLIN };
		uint64_t now = vm_now_ms();

		while (s->hellos < s->nproc && s->live + 3 <= ST_LIVE &&
		       s->nunits < s->nproc)
			spawn(s, ev[0], ev[1]);
		poll(&p, 1, 5);
		read_events(s, ev[0]);
		now = vm_now_ms();
		for (i = 0; i < s->nunits * SR_NR; i++)
			if (s->procs[i].live && s->procs[i].kill_at &&
			    now >= s->procs[i].kill_at)
				do_kill(s, &s->procs[i]);
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			reaped(s, ev[0], pid, st);
		if (pid < 0 && errno == ECHILD && s->live) {
			fail(s, "%u processes unaccounted for", s->live);
			break;
		}
		if (now - t0 > guard) {
			fail(s, "the storm did not end within %llu s (%u processes alive)",
			     (unsigned long long)guard / 1000, s->live);
			for (i = 0; i < s->nunits * SR_NR; i++)
				do_kill(s, &s->procs[i]);
			while (waitpid(-1, &st, 0) > 0)
				;
			break;
		}
	}
	read_events(s, ev[0]);
	s->c.started = s->hellos;
	/* owners that kept their queue while a sharer of it was killed */
	for (i = 0; i < s->nunits; i++) {
		struct sproc *sp = &s->procs[i * SR_NR];

		if (sp[SR_OWNER].ok &&
		    (sp[SR_CHILD].killed || sp[SR_RECV].killed)) {
			s->c.shared_owners++;
			s->c.shared_done += sp[SR_OWNER].done;
		}
	}
	close(ev[0]);
	close(ev[1]);
}

/* Run the storm in a forked subreaper; 0, or the failures it found. */
static unsigned storm_run(unsigned nproc, uint64_t seed, struct st_counts *c,
			  char *first, size_t flen)
{
	struct storm s;
	int pp[2], st, to;
	pid_t pid;
	unsigned fails = 1;

	memset(c, 0, sizeof(*c));
	snprintf(first, flen, "the storm parent failed");
	if (pipe(pp))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		close(pp[0]);
		memset(&s, 0, sizeof(s));
		s.seed = seed;
		s.nproc = nproc;
		s.plans = calloc(nproc, sizeof(*s.plans));
		s.procs = calloc((size_t)nproc * SR_NR, sizeof(*s.procs));
		if (!s.plans || !s.procs)
			_exit(2);
		storm_parent(&s);
		if (write(pp[1], &s.c, sizeof(s.c)) != sizeof(s.c) ||
		    write(pp[1], &s.fails, sizeof(s.fails)) != sizeof(s.fails) ||
		    write(pp[1], s.first, sizeof(s.first)) != sizeof(s.first))
			_exit(3);
		_exit(0);
	}
	close(pp[1]);
	if (read(pp[0], c, sizeof(*c)) == sizeof(*c) &&
	    read(pp[0], &fails, sizeof(fails)) == sizeof(fails)) {
		char buf[256];

		if (read(pp[0], buf, sizeof(buf)) == sizeof(buf))
			snprintf(first, flen, "%s", buf);
	}
	close(pp[0]);
	st = vm_wait_child(pid, 60000, &to);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fails++;
	return fails;
}

/* ---- after-checks ---- */

int st_dstate_tasks(int wait_ms, char *first, size_t len)
{
	uint64_t deadline = vm_now_ms() + (uint64_t)wait_ms;
	int n;

	for (;;) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		n = 0;
		if (first && len)
			first[0] = '\0';
		while (d && (e = readdir(d))) {
			char p[300], buf[512], *rp;

			if (!isdigit((unsigned char)e->d_name[0]))
				continue;
			vm_fmt(p, sizeof(p), "/proc/%s/stat", e->d_name);
			if (vm_read_file(p, buf, sizeof(buf)) <= 0)
				continue;
			rp = strrchr(buf, ')');
			if (!rp || rp[1] != ' ' || rp[2] != 'D')
				continue;
			if (!n++ && first && len)
				snprintf(first, len, "%.200s", buf);
		}
		if (d)
			closedir(d);
		if (!n || vm_now_ms() >= deadline)
			return n;
		usleep(50000);
	}
}

void st_after_checks(const char *what, int splats0)
{
	char first[256], ws[64];
	long a, p;
	int n, st, to;

	vm_wait_counters(g_max_instances, g_pasids0, RECLAIM_GUARD_MS, &a, &p);
	VM_CHECK(a == g_max_instances && p == g_pasids0,
		 "after %s: available_instances %ld (want %ld), pasids_in_use %ld (want %ld)",
		 what, a, g_max_instances, p, g_pasids0);
	n = st_dstate_tasks(10000, first, sizeof(first));
	VM_CHECK(n == 0, "after %s: %d tasks in D state 10 s later; first: %s",
		 what, n, first);
	n = vm_klog_splats(first, sizeof(first));
	VM_CHECK(splats0 >= 0 && n == splats0,
		 "after %s: kernel reports %d -> %d: %s", what, splats0, n,
		 first);
	st = vm_run_child(vm_other_user, NULL, 30000, &to);
	VM_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "after %s: another process using the device: %s (" OTHER_CODES ")",
		 what, vm_wstatus_str(st, ws, sizeof(ws)));
}

/* ---- the tests ---- */

static void t_kill_storm(void)
{
	struct st_counts c;
	char first[256];
	uint64_t seed = g_seed_set ? g_seed :
			((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	uint64_t t0 = vm_now_ms();
	int splats0 = vm_klog_splats(NULL, 0);
	unsigned fails;

	printf("\nAK-STORM: start seed=%llu processes=%u (replay: AK_STORM_SEED=%llu, or ak.storm_seed=)\n",
	       (unsigned long long)seed, g_nproc, (unsigned long long)seed);
	fails = storm_run(g_nproc, seed, &c, first, sizeof(first));
	printf("AK-STORM: seed=%llu processes=%u kills=%u survivors=%u jobs=%lu completed=%lu lost=%lu dup=%lu owners_with_killed_sharers=%u their_completions=%lu failures=%u %.1f s\n",
	       (unsigned long long)seed, c.started, c.kills, c.survivors,
	       c.jobs, c.done, c.lost, c.dup, c.shared_owners, c.shared_done,
	       fails, (double)(vm_now_ms() - t0) / 1000.0);
	g_storm.started += c.started;
	g_storm.kills += c.kills;
	g_storm.survivors += c.survivors;
	g_storm.jobs += c.jobs;
	g_storm.done += c.done;
	g_storm.lost += c.lost;
	g_storm.dup += c.dup;
	VM_CHECK(fails == 0, "kill storm (seed %llu): %u failures; first: %s",
		 (unsigned long long)seed, fails, first);
	VM_CHECK(c.lost == 0 && c.dup == 0,
		 "kill storm (seed %llu): %lu completions lost, %lu duplicated",
		 (unsigned long long)seed, c.lost, c.dup);
	VM_CHECK(c.started >= g_nproc && c.kills > 0 && c.survivors > 0,
		 "kill storm (seed %llu): %u processes, %u killed, %u survivors: not a storm",
		 (unsigned long long)seed, c.started, c.kills, c.survivors);
	st_after_checks("the kill storm", splats0);
}

static int storm_init(void)
{
	const char *e = getenv("AK_STORM_SEED");

	if (e && *e) {
		g_seed = strtoull(e, NULL, 0);
		g_seed_set = true;
	}
	g_pasids0 = vm_attr_long("pasids_in_use");
	memset(&g_storm, 0, sizeof(g_storm));
	return g_pasids0 < 0;
}

/* The summary line (docs/testing.md): lost/dup of the survivors. */
static int storm_clean(void)
{
	printf("\nAK-ABUSE: storm ops=%u seeds=1 injections=%u lost=%lu dup=%lu\n",
	       g_storm.started, g_storm.kills + g_storm.ooms, g_storm.lost,
	       g_storm.dup);
	return 0;
}

static const struct ak_test storm_tests[] = {
	/* first: the PAT warning is WARN_ON_ONCE, the storm may trigger it */
	{ "shutdown (PUT_Q, owner exit) racing munmap() of the rings: no x86 PAT warning", t_zap_race },
	{ "kill storm: SIGKILL at seeded points of 100 processes (open, jobs, page requests, userfaultfd, SHARE, fork, SCM_RIGHTS, poll)", t_kill_storm },
	{ "OOM kill (memory cgroup) of a queue owner with jobs and a page request in flight", t_storm_oom },
	{ "exit_group while other threads are in poll and ioctls on the queue", t_thread_exit_poll },
	{ "execve from a thread with queues open (O_CLOEXEC and not, shared)", t_thread_exec },
	{ NULL, NULL },
};

int add_storm_suites(void)
{
	return ak_add_suite("storm", storm_init, storm_clean, storm_tests);
}

static const struct ak_test storm_full_tests[] = {
	{ "kill storm (ak.storm=N)", t_kill_storm },
	{ NULL, NULL },
};

/* "ak-vm-tests --storm N [SEED]": the long storm alone (vm/vm-tests.sh). */
int vm_storm_main(int argc, char **argv)
{
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 3 || atoi(argv[2]) <= 0) {
		fprintf(stderr, "usage: ak-vm-tests --storm N [SEED]\n");
		return 2;
	}
	g_nproc = (unsigned)atoi(argv[2]);
	if (argc >= 4 && *argv[3]) {
		g_seed = strtoull(argv[3], NULL, 0);
		g_seed_set = true;
	}
	r = vm_discover();
	if (r < 0) {
		fprintf(stderr, "ak-vm-tests: no accelkit device: %s\n",
			strerror(-r));
		return 2;
	}
	g_max_instances = vm_avail();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (ak_add_suite("storm-full", storm_init, storm_clean,
			 storm_full_tests)) {
		CU_cleanup_registry();
		return 2;
	}
	return ak_cu_run("ak-vm-tests --storm");
}
