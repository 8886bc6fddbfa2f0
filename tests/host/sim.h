/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A software model of one accelkit queue (docs/device.md), executing jobs
 * in this process (its "PASID" is our own address space). It drives a
 * struct ak_queue built by hand over anonymous memory, so the library's
 * submit/reap/wait/sync paths run unmodified. The queue fd is an eventfd
 * that the model signals for IRQ jobs, standing in for the kernel's poll.
 */
#ifndef AK_SIM_H
#define AK_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

struct sim {
	struct ak_queue *q;
	/* The model's own view of the queue (sim_detach: kept when the
	 * library closes q). */
	uint8_t *db;
	struct aks_desc *sq;
	struct aks_cpl *cq;
	int fd;
	size_t db_len, dus_len;
	uint8_t *dus;
	bool detached;
	uint32_t depth;
	uint32_t sq_head;	/* next descriptor to read */
	uint32_t cq_tail;	/* next completion slot */
	uint16_t phase;
	uint64_t max_xfer;
	uint64_t jobs;		/* completed */
	uint64_t irqs;
	uint32_t last_sq_tail_db;
	uint32_t last_cq_head_db;
	int fail_status;	/* != 0: complete every job with this status */
	/* Error injection (device contract 2.4, Q_INJECT), one-shot: the
	 * job completing as number inject_at (1-based count of jobs) gets
	 * the fault: SIM_INJ_ENGINE: status HW_ERROR; SIM_INJ_BAD: status
	 * 0x7FFF and sq_head ^ 0x8000 (BAD_COMPLETION); SIM_INJ_TAG: another
	 * tag; SIM_INJ_BYTES: bytes past the job's dst capacity;
	 * SIM_INJ_STALL: that job and every later one make no progress. */
	int inject;
	uint64_t inject_at;
	bool stalled;
	bool hash;		/* also run one-shot HASH jobs (FIRST|LAST,
				 * SHA-256/512), as the algorithm engine */
	pthread_t thr;
	bool threaded;
	volatile bool stop;
};

enum { SIM_INJ_NONE, SIM_INJ_ENGINE, SIM_INJ_BAD, SIM_INJ_TAG,
       SIM_INJ_BYTES, SIM_INJ_STALL };

/* What the driver does to a stuck queue (docs/device.md 2.4): one ABORTED
 * record (PHASE right, tag from the SQ ring) per descriptor not consumed;
 * the queue stays stopped. Returns the records written. */
unsigned sim_abort(struct sim *s);

/* Build a queue of @depth with open flags @flags, attached to @s. */
struct ak_queue *sim_queue_new(struct sim *s, uint32_t depth, unsigned flags);
/* Let the library close the queue (ak_queue_close, e.g. by
 * ak_session_close) while the model's thread still runs: the model keeps
 * the memory mapped and an eventfd of its own until sim_release(). */
int sim_detach(struct sim *s);
void sim_release(struct sim *s);
/* Process whatever the doorbell exposes; returns jobs completed. */
unsigned sim_step(struct sim *s);
/* Run sim_step in a thread until sim_stop(). */
int sim_start(struct sim *s);
void sim_stop(struct sim *s);

#endif
