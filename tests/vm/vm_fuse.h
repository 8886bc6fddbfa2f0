/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The suite's FUSE server (vm_fuse_srv.c) and the FUSE-based tests.
 */
#ifndef AK_VM_FUSE_H
#define AK_VM_FUSE_H

#include <stdint.h>
#include <sys/types.h>

#define FUSE_FILE	"data"

struct akfuse {
	char dir[64];		/* mount point */
	char path[96];		/* the served file */
	uint64_t size;
	pid_t pid;		/* server process */
	int ctl;		/* to the server: 'R' answer the READs */
	int ev;			/* from the server: 'r' per withheld READ */
	int mounted;
};

/* Contents of the served file. */
static inline uint8_t akfuse_byte(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 12) * 13 + 0x5a);
}

/* Mount a server serving a file of @size bytes on a fresh directory and
 * check that it answers (stat). 0, or -1 with a message in @err (call
 * akfuse_stop() either way). Every READ is withheld from the start. */
int akfuse_start(struct akfuse *f, uint64_t size, char *err, size_t elen);
/* Withheld READs reported within @ms (0: none came). */
int akfuse_wait_read(struct akfuse *f, int ms);
/* Answer the withheld READs and every later one at once. */
void akfuse_release(struct akfuse *f);
/* Release, unmount, stop the server (CU-asserts its exit status). */
void akfuse_stop(struct akfuse *f);

/* vm_fuse_exit.c: owner exit stalled in exit_aio with a job faulting */
void t_fuse_exit_livelock(void);

#endif /* AK_VM_FUSE_H */
