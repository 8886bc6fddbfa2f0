/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ak-fuzz: a seeded, reproducible fuzzer of the accelkit uAPI and of the
 * sample device's descriptors (docs/testing.md, "ak-fuzz"). Runs as root
 * in the test VM. One seed drives every choice; a failing run prints
 * "AK-FUZZ: FAIL seed=N op=K ..." and replays exactly with that seed.
 *
 * Files: fuzz_main.c (options, memory regions, the step loop, dmesg,
 * summary), fuzz_sys.c (open/mmap/munmap/mremap/mprotect/ioctl/poll/
 * read/write/close on queue files), fuzz_job.c (descriptors and their
 * checks), fuzz_child.c (fork, SIGKILL, SCM_RIGHTS, other-process memory).
 */
#ifndef AK_FUZZ_H
#define AK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <accelkit/accelkit.h>
#include <accelkit/sample_hw.h>
#include <misc/uacce/uacce.h>

#define FZ_PAGE		4096ul
#define FZ_NQ		4	/* queue slots of the fuzzer process */
#define FZ_MAXFL	48	/* jobs in flight per queue (< depth) */
#define FZ_NSLOT	160	/* dst slots of the arena */
#define FZ_SLOT		(2 * FZ_PAGE)	/* page 0: dst window; page 1: params, tag */
#define FZ_SRC_LEN	(16 * FZ_PAGE)
#define FZ_RO_LEN	(4 * FZ_PAGE)
#define FZ_WAIT_MS	20000	/* bound of every wait for a completion */
/* An address no mapping of ours ever gets; the helper child maps it. */
#define FZ_HOLE		0x10000000000ul
#define FZ_HOLE_LEN	(4 * FZ_PAGE)

/* FQ_DEFUNCT: a queue another process opened, passed to us and died
 * (op_adopt): its owner's mm is gone. */
enum fq_state { FQ_CLOSED, FQ_INIT, FQ_STARTED, FQ_RELEASED, FQ_DEFUNCT };

struct fz_job {
	uint64_t tag;
	uint16_t op;
	bool irq;		/* flags.IRQ: its completion wakes poll() */
	uint32_t allowed;	/* bit per completion status */
	int slot;		/* arena slot owned by the job, or -1 */
	uint8_t *dst;		/* dst when it points into the slot */
	uint64_t dwin;		/* bytes of the dst window it may write */
	uint64_t len;
	const uint8_t *src;	/* known source content, or NULL */
	bool src_zero;		/* source reads as zeros */
	bool fill;		/* FILL: expect the pattern */
	uint64_t pattern;
	bool tagwin;		/* CIPHER: tag window of the slot writable */
	bool want_fault_in;	/* XLATE_FAULT: fault_addr in a range below */
	uint64_t flo[2], fhi[2];
	uint8_t params[64];	/* the param block as written (slot page 1) */
	bool has_params;
	char what[96];		/* for the failure message */
};

struct fz_queue {
	int fd;
	enum fq_state st;
	bool shared;
	bool cloexec;		/* FD_CLOEXEC: gone after exec */
	bool fresh;		/* DUS never looked at: must be all zero */
	uint8_t *mmio, *dus;	/* NULL when not mapped */
	int mmio_prot, dus_prot;
	struct accelkit_queue_info qi;
	uint32_t sq, cq;	/* free-running ring counters */
	struct fz_job fl[FZ_MAXFL];	/* in flight, index counter % FZ_MAXFL */
};

struct fz_stats {
	uint64_t ops, steps, opens, jobs, completions, faults, errors;
	uint64_t forks, kills, passes, dropped, lost, dup, sigbus;
	uint64_t threads, execs, defunct;
	uint64_t rsvd_bit, phys_va;	/* design §2.3 (1) and (2) jobs */
	uint64_t st[16];
};

struct fz {
	uint64_t seed, rng, max_ops;
	int verbose;
	char node[128], sysdir[256];
	long max_inst, pasids0;
	struct fz_queue q[FZ_NQ];
	uint8_t *arena;		/* FZ_NSLOT slots, guard page after */
	int free_slot[FZ_NSLOT], nfree;
	uint8_t *src, *src_copy;	/* source data, guard page after */
	uint8_t *ro, *ro_copy;	/* read-only, present */
	uint8_t *ro0;		/* read-only, never touched (zero page) */
	uint8_t *pnone;		/* PROT_NONE */
	pid_t other;		/* helper child owning FZ_HOLE */
	/* §2.3 (2): physical addresses used as VAs (fuzz_kq.c) */
	uint8_t *magic;		/* one locked page holding FZ_MAGIC */
	uint64_t phys[2];	/* its physical address, "Kernel code" */
	/* §2.3 (4): kernel/user split (fuzz_kq.c) */
	int alg_fd;		/* AF_ALG transform holding kernel queues */
	long nr_queues;		/* available_instances + kernel_queues at start */
	char pcidir[512];	/* the PCI device (kq_ids) */
	int other_pipe;
	struct fz_stats s;
	uint64_t wait_us[16], wait_op_us[8];	/* waits by status, opcode */
	uint64_t step_op;	/* ops counter when the current step began */
	char step_what[128];
};

extern struct fz g;

/* --- fuzz_main.c --- */
uint64_t fz_rnd(void);
static inline uint64_t fz_below(uint64_t n)
{
	return n ? fz_rnd() % n : 0;
}
static inline bool fz_chance(unsigned pct)
{
	return fz_below(100) < pct;
}
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fz_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define FZ_CHECK(cond, ...) do { if (!(cond)) fz_fail(__VA_ARGS__); } while (0)
/* the errno of a call that returned -1, or 0 */
#define FZ_ERR(r) ((r) == -1 ? errno : 0)
void fz_op(void);		/* count one syscall or descriptor */
uint64_t fz_now_ms(void);
uint64_t fz_now_us(void);
long fz_attr(const char *attr);
int fz_canary(int slot);
/* signal raised by reading @p (SIGBUS/SIGSEGV), or 0 */
int fz_probe(const volatile void *p, bool write);
int fz_slot_get(void);
void fz_slot_put(int slot);
void fz_check_slot(int slot, const char *when);
void fz_full_scan(const char *when);

/* --- fuzz_sys.c --- */
int fz_hw_queues(void);		/* our queues holding a hardware queue */
void fz_check_counters(const char *when);
bool fz_vfs_ioctl(unsigned long cmd);
void op_open(void);
void op_close(struct fz_queue *q);
void op_mmap(struct fz_queue *q);
void op_munmap(struct fz_queue *q);
void op_mremap(struct fz_queue *q);
void op_mprotect(struct fz_queue *q);
void op_ioctl(struct fz_queue *q);
void op_poll(struct fz_queue *q);
void op_rw(struct fz_queue *q);
void op_probe_released(struct fz_queue *q);
void op_make_ready(struct fz_queue *q);
void fz_unmap_all(struct fz_queue *q);

/* --- fuzz_job.c --- */
bool fz_can_submit(const struct fz_queue *q);
bool fz_can_reap(const struct fz_queue *q);
void op_submit(struct fz_queue *q);
void op_irq_wait(struct fz_queue *q);
/* Reap what is there; with @all wait (bounded) for every job in flight. */
void fz_reap(struct fz_queue *q, bool all);
/* Forget the jobs in flight (queue put or closed): they never complete. */
void fz_drop_inflight(struct fz_queue *q);
void fz_queue_setup_done(struct fz_queue *q);

/* --- fuzz_kq.c: the kernel/user queue split (issue 12, design §2.3) --- */
#define FZ_MAGIC	0x6b71206d61676963ull	/* "kq magic" */
void fz_kq_setup(void);		/* magic page, phys addresses, AF_ALG tfm */
void fz_kq_finish(void);
/* COPY from a physical address used as a VA: TRANSLATION_FAULT only */
void fz_gen_phys_va(struct fz_queue *q, struct aks_desc *d, struct fz_job *j,
		    uint8_t *slot);
/* an otherwise valid job with one reserved bit set: INVALID_DESC only */
void fz_gen_rsvd_bit(struct fz_queue *q, struct aks_desc *d, struct fz_job *j,
		     uint8_t *slot);
/* user queues within nr - kernel_queues, available_instances >= 0, our
 * queue_ids not in kq_ids */
void fz_check_split(const char *when);

/* --- fuzz_child.c --- */
void fz_other_start(void);
void fz_other_finish(void);
void op_fork(void);
void op_pass_fd(void);
int fz_send_fd(int sock, int fd);
int fz_recv_fd(int sock);
int fz_wait_bounded(pid_t pid, int ms);

/* --- fuzz_proc.c: threads, exec, DEFUNCT --- */
void op_threads(void);
void op_exec(void);
void op_adopt(void);
int fz_exec_check_main(int argc, char **argv);	/* ak-fuzz --exec-check */
/* What the ioctls of @q answer in its state (a DEFUNCT queue: EPERM
 * unless shared, then ESRCH); -1: no rule (use the caller's). */
int fz_defunct_errno(const struct fz_queue *q, unsigned long cmd);

#endif /* AK_FUZZ_H */
