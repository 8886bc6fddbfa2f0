/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "unplug" suite (two-node VM, vm-run.sh --topology numa2 --qmp):
 * hot-unplug through QMP, rmmod with queues open, and the process that
 * holds queues through the power-off.
 */
#ifndef AK_VM_UNPLUG_H
#define AK_VM_UNPLUG_H

#include <limits.h>
#include <sys/types.h>

/* An accelkit device found in /sys/class/uacce. */
struct up_dev {
	char name[64];		/* accelkit-N */
	char node[128];		/* /dev/accelkit-N */
	char sysdir[256];	/* /sys/class/uacce/accelkit-N */
	char pci[PATH_MAX];	/* realpath of its PCI device */
	long numa;		/* its numa_node */
	long max;		/* available_instances when idle */
};

/*
 * The device whose numa_node is @numa (as vm_read_long() reads it: -1,
 * "no node", reads as -EINVAL), or any with UP_ANY_NODE; 0 or -ENODEV.
 */
#define UP_ANY_NODE	(-1000L)
int up_find(struct up_dev *d, long numa);
/* The first device found, whatever its node. */
int up_first(struct up_dev *d);
/* Wait up to @timeout_ms for up_find() to succeed with a usable node. */
int up_wait_dev(struct up_dev *d, long numa, int timeout_ms);
/* Number of devices in /sys/class/uacce. */
int up_count(void);

/*
 * A forked process holding a queue of device @d across a removal:
 * up_hold() returns once it is set up (jobs in flight, page request
 * stalled, poll entered...). up_go() tells it the device is gone; it then
 * checks what it sees and sends a byte (0: all as documented, else a
 * mask of the deviations; up_result() reads it).
 */
enum up_mode {
	UP_BUSY,	/* library queue, a batch of long COPY jobs in flight */
	UP_STALL,	/* a job whose page request waits on a userfaultfd */
	UP_POLL,	/* blocked in poll() on its queue */
	UP_MAPPED,	/* raw queue, doorbell and rings mapped, fd shared and
			 * passed to the parent by SCM_RIGHTS; dies of SIGBUS
			 * writing the doorbell after the checks */
};

struct up_holder {
	enum up_mode mode;
	pid_t pid;
	int rd, wr;	/* from / to the child */
	int sock;	/* UP_MAPPED: the parent's end of the fd passing */
	int fd;		/* UP_MAPPED: the queue fd received by the parent */
};

/* 0, or -1 with a recorded failure. */
int up_hold(struct up_holder *h, enum up_mode mode, const struct up_dev *d);
/* Whether the child sent something already (it should not have). */
int up_early(const struct up_holder *h);
void up_go(struct up_holder *h);
/* The child's result byte (-1: nothing within the bound). */
int up_result(struct up_holder *h, int timeout_ms);
/* Wait for the child's end (bounded, then SIGKILL): its wait status. */
int up_reap(struct up_holder *h);
const char *up_mode_name(enum up_mode mode);
/* What the deviation bits of up_result() mean. */
#define UP_BITS "1 QUEUE_INFO, 2 START_Q, 4 mmap not ENODEV, 8 poll not POLLERR|POLLHUP, 16 ring read not SIGBUS, 32 poll did not return, 64 UFFDIO_COPY failed"

/* A COPY of @len bytes at an odd offset on a new queue of @d; 1 if the
 * bytes arrived exactly (else a recorded failure). */
int up_copy_ok(const struct up_dev *d, const char *what, size_t len,
	       unsigned int seed);

/* Counted for the summary line (AK-ABUSE: unplug ...). */
extern unsigned int up_ops, up_events;
void up_save_figures(void);

#endif
