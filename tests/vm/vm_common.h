/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ak-vm-tests: shared helpers of the in-VM integration suite.
 * Runs inside the test VM against the real driver and the QEMU device.
 */
#ifndef AK_VM_COMMON_H
#define AK_VM_COMMON_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libaccelkit.h"

#include "../cu_run.h"

int add_data_suites(void);	/* vm_data.c */
int add_fault_suites(void);	/* vm_faults.c */
int add_error_suites(void);	/* vm_errors.c */
int add_proc_suites(void);	/* vm_procs.c */
int add_sva_suites(void);	/* vm_sva.c: page requests, memory kinds */
int add_lifetime_suites(void);	/* vm_lifetime.c: munmap/exit/share/exec */
void t_share(void);		/* vm_share.c, in the lifetime suite */
int add_platform_suites(void);	/* vm_platform.c: paging mode, PTI */
int add_inval_suites(void);	/* vm_inval.c: bounded invalidation */
int add_inval_timeout_suite(void); /* vm_inval.c: before removal */
int add_hostile_suites(void);	/* vm_hostile.c: PASID/queue accounting */
int add_fuse_suites(void);	/* vm_fuse.c: FUSE-stalled page request */
int add_selftest_suites(void);	/* vm_selftest.c: accelkit_selftest.ko */
int add_kqueue_suites(void);	/* vm_kqueue.c: kernel-owned queues */
int add_sva_mode_suites(void);	/* vm_sva_mode.c: sample sva_mode=iommu */
int add_libfault_suites(void);	/* vm_libfault.c: library vs device faults */
int add_inject_suites(void);	/* vm_inject.c: device faults, recovery */
int add_kdma_suites(void);	/* vm_kdma.c: kernel queues, DMA mode */
int add_kcrypt_suites(void);	/* vm_kcrypt.c: crypto API, AF_ALG */
void t_kcrypt_dm(void);		/* vm_kcrypt_dm.c: dm-crypt, in suite kcrypt */
int add_kzswap_suites(void);	/* vm_kzswap.c: zswap on the device, swap-in */
int add_katomic_suites(void);	/* vm_katomic.c: crypto API from atomic context */
int add_kremove_suites(void);	/* vm_kremove.c: kernel side under load, unbind */
int add_remove_suites(void);	/* vm_remove.c (must be registered last) */
int add_numa_suites(void);	/* vm_numa.c: the two-node VM only */
int add_unplug_suites(void);	/* vm_unplug.c: the two-node VM, after numa */
int add_rmmod_suite(void);	/* vm_unplug.c: its rmmod test, one-device VMs */
int add_final_suite(void);	/* vm_common.c: instances back to maximum */

/* The device under test; rediscovered after the removal test. */
extern char g_name[64];		/* "accelkit-0" */
extern char g_node[128];	/* "/dev/accelkit-0" */
extern char g_sysdir[256];	/* "/sys/class/uacce/accelkit-0" */
/* The accelerator's PCI device, set by vm_resolve_pci() (0 or -errno):
 * its sysfs path, its address ("0000:00:01.0") and its driver's name. */
extern char g_pci_path[PATH_MAX];
extern char g_bdf[64];
extern char g_driver[64];
int vm_resolve_pci(void);
extern long g_max_instances;	/* available_instances at suite start */

#define AK_PAGE 4096ul
#define AK_JOB_TIMEOUT_MS 20000

/* Find the first accelkit device in /sys/class/uacce and fill g_*.
 * Returns 0 or negative errno. */
int vm_discover(void);

/* Wait up to @timeout_ms for the accelkit class device whose parent is
 * g_pci_path (vm_resolve_pci()) and its node; fills g_name, g_node and
 * g_sysdir. 0 or -ENODEV. */
int vm_rediscover(int timeout_ms);

/* After a driver rebind: wait up to @timeout_ms until vm_discover()
 * finds a device again and its node is readable and writable. 0 or -1. */
int vm_wait_node(int timeout_ms);

/* available_instances of the current device, or negative errno. */
long vm_avail(void);

/* Read a sysfs/procfs file into buf (NUL-terminated); bytes or -errno. */
int vm_read_file(const char *path, char *buf, size_t len);
/* Write a string to a sysfs file; 0 or -errno. */
int vm_write_file(const char *path, const char *s);

/* Open a library queue on g_node (CU-asserts success). NULL on failure. */
struct ak_queue *vm_open_queue(unsigned flags);

/*
 * Init and clean of a suite that works on one library queue: discover the
 * device and open a queue on it for @alg (NULL: any), filling @info when
 * not NULL. 0, or -1 with *q NULL (no CUnit assertion: CUnit marks the
 * suite failed). The close clears *q and returns 0.
 */
int vm_suite_queue_open(struct ak_queue **q, const char *alg,
			struct ak_queue_info *info);
int vm_suite_queue_close(struct ak_queue **q);

/* Page-aligned, CPU-touched (written) anonymous memory, munmap with
 * vm_free. */
void *vm_alloc(size_t len);
void vm_free(void *p, size_t len);

/* Write every page of [p, p+len) once (keeps the contents). */
void vm_touch(void *p, size_t len);

/* Deterministic pseudo-random bytes. */
void vm_fill_random(void *p, size_t len, uint32_t seed);

/* Expected FILL byte i of dst. */
static inline uint8_t vm_pat_byte(uint64_t pattern, size_t i)
{
	return (uint8_t)(pattern >> (8 * (i % 8)));
}

/* Index of the first byte != c in [p, p+len), or -1 if all equal. */
long vm_first_not(const void *p, int c, size_t len);
/* Index of the first byte where a and b differ, or -1. */
long vm_first_diff(const void *a, const void *b, size_t len);
/* Index of the first byte that is not the FILL pattern, or -1. */
long vm_first_not_pattern(const void *p, uint64_t pattern, size_t len);

/* A job: zero-filled, then the given fields. */
struct ak_job vm_job(uint16_t op, const void *src, void *dst, uint64_t len,
		     uint64_t pattern, uint64_t tag);

/* Anonymous private memory the CPU never touched, 4 KiB pages only
 * (MADV_NOHUGEPAGE); munmap() it. NULL after a recorded failure. */
uint8_t *vm_fresh(size_t len);

/* Submit @job and reap its result (waits up to AK_JOB_TIMEOUT_MS).
 * Returns 0 if a result was reaped (status in *res), else -errno. */
int vm_run(struct ak_queue *q, const struct ak_job *job,
	   struct ak_result *res);
/* The same with @timeout_ms; -ETIMEDOUT: the job is still in flight. */
int vm_run_ms(struct ak_queue *q, const struct ak_job *job,
	      struct ak_result *res, int timeout_ms);

/* Reap until @n results were collected into @out or @timeout_ms passed.
 * Returns the number collected. */
int vm_reap_n(struct ak_queue *q, struct ak_result *out, int n,
	      int timeout_ms);

/*
 * Run fn(arg) in a forked child (its return value is the exit code) and
 * wait at most @timeout_ms for it (then SIGKILL). Returns the wait status,
 * or -1 if fork/wait failed; *timed_out set if it had to be killed.
 */
int vm_run_child(int (*fn)(void *), void *arg, int timeout_ms,
		 int *timed_out);
/* Wait for @pid for at most @timeout_ms; kill it afterwards. */
int vm_wait_child(pid_t pid, int timeout_ms, int *timed_out);

/* Describe a wait status ("exit 3", "signal 11 (Segmentation fault)"). */
const char *vm_wstatus_str(int status, char *buf, size_t len);

/* Assert that available_instances equals the maximum read at start. */
void vm_check_instances_back(void);

uint64_t vm_now_ms(void);

/*
 * 1 on the debug kernels (kmemleak present). KASAN and lockdep under TCG
 * run process creation and exit 10-20x slower: the tests that fork
 * hundreds of processes or page out tens of MiB run a smaller count
 * there, with the same assertions.
 */
int vm_debug_kernel(void);

/* Read one byte at @p in this process; returns the signal the access
 * raised (SIGSEGV/SIGBUS), or 0 if it succeeded. */
int vm_probe_read(const volatile void *p);

/*
 * Per-queue page-request counters (ACCELKIT_CMD_QUEUE_STATS on a queue fd).
 * Returns 0, -errno of the ioctl, or -ENOSYS when the uAPI header this
 * suite was built against does not define the ioctl (a failure, never a
 * skip: callers assert on it).
 */
struct vm_qstats {
	uint64_t page_requests;
	uint64_t page_faults_resolved;
	uint64_t page_faults_failed;
	uint64_t pages_requested;	/* pages covered by the requests */
};
int vm_queue_stats(int fd, struct vm_qstats *st);

/*
 * Send @len bytes at @m over the Unix socket @sock, with @fd attached
 * (SCM_RIGHTS) when @fd >= 0. 0, or -1 if not all was sent.
 * Receive exactly @len bytes into @m; *fd is the passed descriptor
 * (O_CLOEXEC) or -1 if none came. 0, or -1 if the message was short.
 */
int vm_send_fd(int sock, const void *m, size_t len, int fd);
int vm_recv_fd(int sock, void *m, size_t len, int *fd);

/* kB of /proc/self/smaps field @field ("AnonHugePages", "Shared_Dirty"...)
 * of the VMA containing @addr, or -1. */
long vm_smaps_kb(const void *addr, const char *field);

/* Pages of [p, p+len) resident according to mincore(), or -errno. */
long vm_resident_pages(const void *p, size_t len);

/*
 * Kernel log lines (klogctl) that look like a kernel report (Oops, BUG,
 * WARNING, lockdep, KASAN...). Copies the first one into @first. Returns
 * the count, or -errno if the log cannot be read.
 */
int vm_klog_splats(char *first, size_t len);
/* Lines of the kernel log containing @needle (which may end in "\n" to
 * match the end of a line), or -errno. */
int vm_klog_count(const char *needle);
/* Does the kernel log contain @needle? 1/0, or -errno. */
int vm_klog_contains(const char *needle);

/*
 * Run as "ak-vm-tests --exec-check FD_GONE FD_KEPT": the exec half of the
 * O_CLOEXEC test (main.c dispatches here before CUnit starts).
 */
int vm_exec_check_main(int argc, char **argv);

/* "ak-vm-tests --hostile-survivor QFD CTL MODE" (vm_hostile.c) */
int vm_hostile_survivor_main(int argc, char **argv);

/* "ak-vm-tests --poweroff-holder" (vm_unplug_hold.c, from vm/init) */
int vm_poweroff_holder_main(void);

/* A non-negative number in sysfs file @dir/@attr, or -errno. */
long vm_read_long(const char *dir, const char *attr);
/* ... of the class device (g_sysdir), or of its PCI device (g_pci_path,
 * after vm_resolve_pci()). */
long vm_attr_long(const char *attr);
long vm_pci_attr_long(const char *attr);
/* Whether @word is one of the space-separated words of @list (a kernel
 * command line, smaps VmFlags). */
int vm_has_word(const char *list, const char *word);

/* snprintf that never warns about truncation (paths built from sysfs). */
int vm_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record a CUnit assertion; on failure the message is "cond: fmt...". */
void vm_assertf(int ok, unsigned line, const char *file, const char *cond,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Failure message with printf formatting, recorded as a CUnit failure. */
#define VM_FAIL(...) vm_assertf(0, __LINE__, __FILE__, "FAIL", __VA_ARGS__)

/* Check a condition; on failure record a formatted message. */
#define VM_CHECK(cond, ...)						\
	vm_assertf(!!(cond), __LINE__, __FILE__, #cond, __VA_ARGS__)

/* Fatal variant: return from the test function on failure. */
#define VM_REQUIRE(cond, ...) do {					\
	if (!(cond)) {							\
		vm_assertf(0, __LINE__, __FILE__, #cond, __VA_ARGS__);	\
		return;							\
	}								\
} while (0)

#endif /* AK_VM_COMMON_H */
