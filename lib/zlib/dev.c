// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device side: a small pool of accelkit queues (one per stream while
 * the stream is on the device, kept open for the next stream), and one
 * COMPRESS/DECOMPRESS job at a time on the queue's stream context 0
 * (docs/device.md "Stream contexts"). Raw descriptors through
 * ak_submit_raw(): the shim needs what the library's stream API does not
 * give, the input a DECOMPRESS job consumed before the end of a stream,
 * so that inflate() leaves the bytes after it to the caller.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libaccelkit.h>
#include <accelkit/sample_hw.h>

#include "akzlib.h"

#define POOL_MAX	4
#define OUT_MIN		(1u << 20)
#define JOB_TIMEOUT_MS	60000

struct akz_dev {
	struct ak_queue *q;
	pid_t pid;
	uint64_t max_xfer;
	struct aks_params params;	/* read by the device: stable VA */
	uint8_t *out;
	size_t out_cap;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct akz_dev *pool[POOL_MAX];
static int pool_n;
static const uint8_t dummy[64];

static const char *const frame_alg[] = { "deflate", "zlib", "gzip" };

struct akz_dev *akz_dev_get(int frame, int level, int *err)
{
	struct ak_queue_info qi;
	struct akz_dev *d = NULL;
	pid_t me = getpid();
	int r;

	pthread_mutex_lock(&pool_lock);
	while (pool_n && !d) {
		d = pool[--pool_n];
		if (d->pid != me) {
			/* Inherited over fork(): the queue is the parent's;
			 * forget it (its memory is not ours to unmap). */
			free(d->out);
			free(d);
			d = NULL;
		}
	}
	pthread_mutex_unlock(&pool_lock);
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d) {
			*err = -ENOMEM;
			return NULL;
		}
		r = ak_queue_open(NULL, frame_alg[frame], 0, &d->q);
		if (r < 0) {
			free(d);
			*err = r;
			return NULL;
		}
		ak_queue_info(d->q, &qi);
		d->max_xfer = qi.max_xfer;
		d->pid = me;
	}
	memset(&d->params, 0, sizeof(d->params));
	d->params.alg = (uint32_t)frame;
	d->params.level = (uint32_t)(level < 0 ? 6 : level);
	return d;
}

void akz_dev_put(struct akz_dev *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&pool_lock);
	if (d->pid == getpid() && d->q && pool_n < POOL_MAX) {
		pool[pool_n++] = d;
		d = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	if (d) {
		if (d->pid == getpid())
			ak_queue_close(d->q);
		free(d->out);
		free(d);
	}
}

/* At exit: close the pooled queues (the kernel would, but valgrind and
 * the device's instance count are happier). */
__attribute__((destructor)) static void pool_fini(void)
{
	pthread_mutex_lock(&pool_lock);
	while (pool_n) {
		struct akz_dev *d = pool[--pool_n];

		if (d->pid == getpid())
			ak_queue_close(d->q);
		free(d->out);
		free(d);
	}
	pthread_mutex_unlock(&pool_lock);
}

static int grow(struct akz_dev *d, uint64_t need)
{
	size_t cap = d->out_cap ? d->out_cap : OUT_MIN;
	uint8_t *p;

	while (cap < need && cap < d->max_xfer)
		cap *= 2;
	if (cap > d->max_xfer)
		cap = d->max_xfer;
	if (cap < need)
		return -ENOSPC;
	if (cap == d->out_cap && d->out)
		return 0;
	p = malloc(cap);
	if (!p)
		return -ENOMEM;
	free(d->out);
	d->out = p;
	d->out_cap = cap;
	return 0;
}

/* Submit one descriptor and wait for its completion. */
static int run(struct akz_dev *d, unsigned op, unsigned flags,
	       const uint8_t *src, size_t len, struct ak_result *res)
{
	struct aks_desc desc;
	int r;

	memset(&desc, 0, sizeof(desc));
	desc.opcode = htole16((uint16_t)op);
	desc.flags = htole16((uint16_t)(flags | AKS_DF_IRQ));
	desc.rsvd0 = htole32(0);		/* stream context 0 */
	desc.src = htole64((uint64_t)(uintptr_t)(src ? src : dummy));
	desc.dst = htole64((uint64_t)(uintptr_t)d->out);
	desc.len = htole64(len);
	desc.pattern = htole64(d->out_cap);	/* dst capacity */
	desc.rsvd1[0] = htole64((uint64_t)(uintptr_t)&d->params);
	r = ak_submit_raw(d->q, &desc, sizeof(desc));
	if (r < 0)
		return r;
	for (;;) {
		r = ak_reap(d->q, res, 1);
		if (r == 1)
			return 0;
		if (r < 0)
			return r;
		r = ak_wait(d->q, JOB_TIMEOUT_MS);
		if (r < 0 && r != -EINTR) {
			/* The job may still be in flight: the queue cannot
			 * be reused. Closing it stops the job. */
			ak_queue_close(d->q);
			d->q = NULL;
			return r;
		}
	}
}

int akz_dev_job(struct akz_dev *d, int decompress, int first, int last,
		int flush, const uint8_t *src, size_t len, size_t *consumed,
		const uint8_t **out, size_t *out_len, int *end)
{
	unsigned op = decompress ? AKS_OP_DECOMPRESS : AKS_OP_COMPRESS;
	struct ak_result res;
	size_t n = len;
	int r;

	*end = 0;
	if (d->pid != getpid() || !d->q)
		return -ESTALE;
	if (n > d->max_xfer)
		n = d->max_xfer;
	if (!d->out) {
		r = grow(d, OUT_MIN);
		if (r)
			return r;
	}
	for (;;) {
		unsigned fl = (first ? AKS_DF_FIRST : 0) |
			      (last && n == len ? AKS_DF_LAST : 0);

		if (!last && n == len && flush != AKZ_FLUSH_NONE)
			fl |= AKS_DF_FLUSH |
			      (flush == AKZ_FLUSH_FULL ? AKS_DF_FULL : 0);

		r = run(d, op, fl, src, n, &res);
		if (r)
			return r;
		switch (res.status) {
		case AK_ST_SUCCESS:
			*out = d->out;
			*out_len = res.bytes;
			*consumed = n;
			if (decompress && (res.cflags & AK_RF_END)) {
				*end = 1;
				if (res.fault_addr < n)
					*consumed = res.fault_addr;
			}
			return 0;
		case AK_ST_OVERFLOW:
			/* Nothing happened: a larger buffer, or (above
			 * MAX_XFER) less input. A LAST compress job must
			 * not be split (it would lose LAST): its output
			 * always fits in max_xfer for our job sizes. */
			r = grow(d, res.fault_addr);
			if (r == -ENOSPC && n > 1 && !(fl & AKS_DF_LAST)) {
				n /= 2;
				r = 0;
			}
			if (r)
				return r == -ENOSPC ? -EIO : r;
			break;
		case AK_ST_DATA_ERROR:
			*consumed = res.fault_addr < n ? res.fault_addr : n;
			return -EBADMSG;
		default:
			return ak_status_errno(res.status) ?
				ak_status_errno(res.status) : -EIO;
		}
	}
}
