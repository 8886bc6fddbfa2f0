// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Compression: one-shot wrappers over requests, and bounded-memory
 * streams (device stream contexts with FIRST/LAST and OVERFLOW handling,
 * or zlib deflate/inflate).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "algs.h"
#include "engine.h"
#include "sw.h"

#define SW_OUT (256u << 10)
#define DEV_OUT_MIN (1u << 20)
#define DEV_OUT_MAX (AK_STREAM_MEM_MAX - AK_STAGE_SIZE)

static bool is_comp(const struct ak_session *s)
{
	return ak_alg_is_comp(s->alg);
}

struct ak_stream {
	struct ak_handle h;		/* h.s: the session, NULL once closed */
	int alg;
	int dir;
	int level;
	ak_sink_fn sink;
	void *arg;
	int err;			/* sticky */
	bool finished;
	bool flushed;			/* no input since the last flush */
	struct ak_stream_info info;
	bool device;
	/* software */
	z_stream z;
	bool z_init;
	uint8_t *zout;
	/* device */
	int ctx;
	uint32_t gen;
	pid_t pid;
	bool started;			/* context holds a stream */
	uint8_t *stage;
	size_t stage_fill;
	uint8_t *out;
	size_t out_cap;
	struct aks_params params;
	uint64_t member_start;		/* stream offset of current member */
};

/* ------------------------------------------------------------------ */
/* One-shot                                                            */

AK_API size_t ak_compress_bound(const struct ak_session *s, size_t len)
{
	if (!s || !is_comp(s))
		return 0;
	/* deflateBound for the default memLevel, plus the largest header
	 * and trailer (gzip: 18) plus stored-block overhead per 16 KiB. */
	return len + (len >> 12) + (len >> 14) + (len >> 25) + 13 + 18 + 64 +
	       5 * (len / 16384 + 1);
}

struct mem_sink {
	uint8_t *dst;
	size_t cap, total;
};

static int mem_sink_fn(void *arg, const void *buf, size_t len)
{
	struct mem_sink *m = arg;

	if (m->total < m->cap) {
		size_t k = m->cap - m->total < len ? m->cap - m->total : len;

		memcpy(m->dst + m->total, buf, k);
	}
	m->total += len;
	return 0;
}

/* Run a whole buffer through a stream into memory (or just count). */
static int via_stream1(struct ak_session *s, int dir, int level,
		      const void *src, size_t len, void *dst, size_t *dst_len,
		      uint64_t *err_off)
{
	struct mem_sink m = { dst, *dst_len, 0 };
	struct ak_stream_info info;
	struct ak_stream *st;
	int r;

	r = ak_stream_new(s, dir, level, mem_sink_fn, &m, &st);
	if (r < 0)
		return r;
	r = ak_stream_feed(st, src, len);
	if (!r)
		r = ak_stream_finish(st);
	ak_stream_info(st, &info);
	ak_stream_free(st);
	if (r == -EBADMSG && err_off)
		*err_off = info.err_offset;
	if (r < 0)
		return r;
	*dst_len = m.total;
	return m.total > m.cap ? -ENOSPC : 0;
}

/* The same; if the device stream failed with its queue and the auto
 * session turned software meanwhile, once more in software (dst is
 * rewritten from its start). */
static int via_stream(struct ak_session *s, int dir, int level,
		      const void *src, size_t len, void *dst, size_t *dst_len,
		      uint64_t *err_off)
{
	size_t cap = *dst_len;
	int path = s->path;
	int r = via_stream1(s, dir, level, src, len, dst, dst_len, err_off);

	if (r == -EIO && path == AK_PATH_DEVICE && s->auto_path &&
	    s->path == AK_PATH_SOFTWARE) {
		*dst_len = cap;
		s->fallbacks++;
		r = via_stream1(s, dir, level, src, len, dst, dst_len,
				err_off);
	}
	return r;
}

AK_API int ak_compress(struct ak_session *s, int level, const void *src,
		       size_t len, void *dst, size_t *dst_len)
{
	struct ak_req q;
	int r;

	if (!s || !dst_len || (len && !src) || (*dst_len && !dst) ||
	    !is_comp(s) || !ak_level_valid(level))
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.op = AK_REQ_COMPRESS;
	q.level = level;
	q.src = src;
	q.len = len;
	q.dst = dst;
	q.dst_len = *dst_len;
	r = ak_alg_submit(s, &q);
	if (r == 0)
		r = ak_alg_wait(s, &q);
	if (r == -EMSGSIZE)	/* over one device job: stream it */
		return via_stream(s, AK_COMPRESS, level, src, len, dst,
				  dst_len, NULL);
	if (r == 0 || r == -ENOSPC)
		*dst_len = q.out_len;
	return r;
}

AK_API int ak_decompress(struct ak_session *s, const void *src, size_t len,
			 void *dst, size_t *dst_len, uint64_t *err_off)
{
	struct ak_req q;
	int r;

	if (!s || !dst_len || (len && !src) || (*dst_len && !dst) ||
	    !is_comp(s))
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.op = AK_REQ_DECOMPRESS;
	q.src = src;
	q.len = len;
	q.dst = dst;
	q.dst_len = *dst_len;
	r = ak_alg_submit(s, &q);
	if (r == 0)
		r = ak_alg_wait(s, &q);
	if (r == -EMSGSIZE ||
	    (r == -ENOSPC && s->path == AK_PATH_DEVICE)) {
		/* Device: too big for one job, or the size needed has to be
		 * counted over every gzip member: stream it. */
		return via_stream(s, AK_DECOMPRESS, 0, src, len, dst, dst_len,
				  err_off);
	}
	if (r == -EBADMSG && err_off)
		*err_off = q.err_offset;
	if (r == 0 || r == -ENOSPC)
		*dst_len = q.out_len;
	return r;
}

/* ------------------------------------------------------------------ */
/* Streams                                                             */

AK_API int ak_stream_new(struct ak_session *s, int dir, int level,
			 ak_sink_fn sink, void *arg, struct ak_stream **stp)
{
	struct ak_stream *st;
	int r;

	if (stp)
		*stp = NULL;
	if (!s || !stp || !sink || !is_comp(s) ||
	    (dir != AK_COMPRESS && dir != AK_DECOMPRESS) ||
	    (dir == AK_COMPRESS && !ak_level_valid(level)))
		return -EINVAL;
	r = ak_sess_ready(s);
	if (r < 0)
		return r;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	ak_sess_track(s, &st->h);
	st->alg = s->alg;
	st->dir = dir;
	level = dir == AK_COMPRESS ? ak_level(level) : 0;
	st->level = level;
	st->sink = sink;
	st->arg = arg;
	st->ctx = -1;
	/* Level 0 (store) runs in software: the device engine has 1..9. */
	if (s->path == AK_PATH_DEVICE && !(dir == AK_COMPRESS && level == 0)) {
		st->ctx = ak_ctx_get(s);
		if (st->ctx < 0 && !s->auto_path) {
			ak_stream_free(st);
			return -EBUSY;
		}
	}
	if (st->ctx >= 0) {
		st->device = true;
		st->gen = s->gen;
		st->pid = getpid();
		st->stage = malloc(AK_STAGE_SIZE);
		st->out_cap = DEV_OUT_MIN;
		st->out = malloc(st->out_cap);
		if (!st->stage || !st->out) {
			ak_stream_free(st);
			return -ENOMEM;
		}
		st->params.alg = s->alg == AK_ALG_DEFLATE ? AKS_FRAME_RAW :
				 s->alg == AK_ALG_ZLIB ? AKS_FRAME_ZLIB :
							 AKS_FRAME_GZIP;
		st->params.level = dir == AK_COMPRESS ? (uint32_t)level : 0;
	} else {
		int zr = dir == AK_COMPRESS ?
			deflateInit2(&st->z, level, Z_DEFLATED,
				     ak_sw_wbits(s->alg), 8,
				     Z_DEFAULT_STRATEGY) :
			inflateInit2(&st->z, ak_sw_wbits(s->alg));

		if (zr != Z_OK) {
			ak_stream_free(st);
			return -ENOMEM;
		}
		st->z_init = true;
		st->zout = malloc(SW_OUT);
		if (!st->zout) {
			ak_stream_free(st);
			return -ENOMEM;
		}
	}
	*stp = st;
	return 0;
}

static int emit(struct ak_stream *st, const void *buf, size_t len)
{
	int r;

	if (!len)
		return 0;
	r = st->sink(st->arg, buf, len);
	if (r > 0)
		r = -EIO;
	if (!r)
		st->info.total_out += len;
	return r;
}

/* ---- software ---- */

static int sw_deflate(struct ak_stream *st, const uint8_t *src, size_t len,
		      bool finish)
{
	z_stream *z = &st->z;
	int zr, r;

	do {
		size_t ai = len > (1u << 30) ? (1u << 30) : len;
		bool last = finish && ai == len;

		z->next_in = (Bytef *)(uintptr_t)src;
		z->avail_in = (uInt)ai;
		do {
			z->next_out = st->zout;
			z->avail_out = SW_OUT;
			zr = deflate(z, last ? Z_FINISH : Z_NO_FLUSH);
			if (zr == Z_STREAM_ERROR)
				return -EIO;
			r = emit(st, st->zout, SW_OUT - z->avail_out);
			if (r)
				return r;
		} while (z->avail_out == 0 || (last && zr != Z_STREAM_END));
		src += ai;
		len -= ai;
	} while (len);
	return 0;
}

/* DECOMPRESS: a stream/member ended just before input offset @at. */
static void member_ended(struct ak_stream *st, uint64_t at)
{
	st->info.ended = 1;
	st->info.members++;
	st->info.member_end = at;
}

static int sw_inflate(struct ak_stream *st, const uint8_t *src, size_t len)
{
	z_stream *z = &st->z;
	uint64_t base = st->info.total_in;	/* offset of src[0] */
	size_t off = 0;
	int zr, r;

	while (off < len) {
		size_t ai = len - off > (1u << 30) ? (1u << 30) : len - off;

		if (st->info.ended) {
			if (st->alg != AK_ALG_GZIP) {
				st->info.err_offset = base + off;
				return -EBADMSG;
			}
			inflateReset(z);	/* next member */
			st->info.ended = 0;
		}
		z->next_in = (Bytef *)(uintptr_t)(src + off);
		z->avail_in = (uInt)ai;
		z->next_out = st->zout;
		z->avail_out = SW_OUT;
		zr = inflate(z, Z_NO_FLUSH);
		off += ai - z->avail_in;
		r = emit(st, st->zout, SW_OUT - z->avail_out);
		if (r)
			return r;
		if (zr == Z_STREAM_END) {
			member_ended(st, base + off);
			continue;
		}
		if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT) {
			st->info.err_offset = base + off;
			return -EBADMSG;
		}
		if (zr == Z_MEM_ERROR)
			return -ENOMEM;
		/* Z_OK / Z_BUF_ERROR: progress made or output full; loop. */
		if (zr == Z_BUF_ERROR && z->avail_out != 0 && z->avail_in != 0)
			return -EIO;	/* cannot happen */
	}
	/* Output may still be pending inside zlib with no more input. */
	while (!st->info.ended) {
		z->next_in = (Bytef *)(uintptr_t)(src + len);
		z->avail_in = 0;
		z->next_out = st->zout;
		z->avail_out = SW_OUT;
		zr = inflate(z, Z_NO_FLUSH);
		r = emit(st, st->zout, SW_OUT - z->avail_out);
		if (r)
			return r;
		if (zr == Z_STREAM_END) {
			member_ended(st, base + len);
			break;
		}
		if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT) {
			st->info.err_offset = base + len;
			return -EBADMSG;
		}
		if (z->avail_out != 0)
			break;
	}
	return 0;
}

/* ---- device ---- */

static int dev_check(struct ak_stream *st)
{
	int r;

	if (st->pid != getpid())
		return -ESTALE;
	r = ak_sess_ready(st->h.s);
	if (r < 0)
		return r;
	if (st->h.s->gen != st->gen || !st->h.s->q)
		/* the queue was dropped: fork, timeout (-ESTALE) or
		 * failed (-EIO) */
		return ak_sess_lost_err(st->h.s, st->gen);
	return 0;
}

/* One job on the stream's context. */
static int dev_job(struct ak_stream *st, const uint8_t *src, size_t len,
		   unsigned flags, struct ak_result *res, uint16_t *cfl)
{
	struct aks_desc d;

	if (!st->started)
		flags |= AKS_DF_FIRST;
	ak_alg_desc(&d, st->dir == AK_COMPRESS ? AKS_OP_COMPRESS :
						  AKS_OP_DECOMPRESS,
		    flags, (unsigned)st->ctx, src, len, st->out, st->out_cap,
		    &st->params, NULL, ak_sess_irq(st->h.s));
	return ak_eng_run(st->h.s, &d, res, cfl);
}

static int grow_out(struct ak_stream *st, uint64_t need)
{
	size_t cap = st->out_cap;
	uint8_t *p;

	while (cap < need && cap < DEV_OUT_MAX)
		cap *= 2;
	if (cap > DEV_OUT_MAX)
		cap = DEV_OUT_MAX;
	if (cap < need)
		return -ENOSPC;	/* split the input instead */
	if (cap == st->out_cap)
		return 0;
	p = malloc(cap);	/* no realloc: the old contents are moot */
	if (!p)
		return -ENOMEM;
	free(st->out);
	st->out = p;
	st->out_cap = cap;
	return 0;
}

/*
 * Feed @len bytes at @src (stream offset @base) to the device, splitting
 * on OVERFLOW. @last: COMPRESS: the final piece carries LAST; else it
 * carries @end_flags (COMPRESS: FLUSH, FULL).
 */
static int dev_piece(struct ak_stream *st, const uint8_t *src, size_t len,
		     uint64_t base, bool last, unsigned end_flags)
{
	size_t off = 0, cur = len;
	struct ak_result res;
	uint16_t cfl;
	int r;

	do {
		size_t n;
		unsigned fl;

		if (st->dir == AK_DECOMPRESS && st->info.ended) {
			if (st->alg != AK_ALG_GZIP) {
				st->info.err_offset = base + off;
				return -EBADMSG;
			}
			st->info.ended = 0;	/* next member: FIRST */
			st->started = false;
			st->member_start = base + off;
		}
		n = len - off < cur ? len - off : cur;
		fl = off + n < len ? 0 :
		     last ? AKS_DF_LAST : end_flags;
		r = dev_job(st, src + off, n, fl, &res, &cfl);
		if (r < 0)
			return r;
		switch (res.status) {
		case AKS_ST_SUCCESS:
			st->started = !(fl & AKS_DF_LAST);
			r = emit(st, st->out, res.bytes);
			if (r)
				return r;
			if (st->dir == AK_DECOMPRESS && (cfl & AKS_CF_END)) {
				st->started = false;	/* context freed */
				n = res.fault_addr < n ? res.fault_addr : n;
				member_ended(st, base + off + n);
			}
			off += n;
			break;
		case AKS_ST_OVERFLOW:
			/* Nothing happened: bigger buffer or smaller piece. */
			r = grow_out(st, res.fault_addr);
			if (r == -ENOSPC) {
				if (n == 1)
					return -EIO;	/* cannot progress */
				cur = n / 2;
				r = 0;
			}
			if (r)
				return r;
			break;
		case AKS_ST_DATA_ERROR:
			/* Offset relative to this job's input; a value past
			 * it is taken as relative to the member's start. */
			st->info.err_offset = res.fault_addr <= n ?
				base + off + res.fault_addr :
				st->member_start + res.fault_addr;
			st->started = false;
			return -EBADMSG;
		default:
			return ak_status_to_err(res.status);
		}
	} while (off < len);
	return 0;
}

static int dev_flush_stage(struct ak_stream *st, bool last,
			   unsigned end_flags)
{
	uint64_t base = st->info.total_in - st->stage_fill;
	int r = dev_piece(st, st->stage, st->stage_fill, base, last,
			  end_flags);

	st->stage_fill = 0;
	return r;
}

AK_API int ak_stream_feed(struct ak_stream *st, const void *src, size_t len)
{
	const uint8_t *p = src;
	int r = 0;

	if (!st || (len && !src))
		return -EINVAL;
	if (!st->h.s)
		return -EBADF;	/* its session was closed */
	if (st->err)
		return st->err;
	if (st->finished)
		return -EINVAL;
	if (len)
		st->flushed = false;
	if (!st->device) {
		if (st->dir == AK_COMPRESS) {
			r = sw_deflate(st, p, len, false);
			st->info.total_in += len;
		} else {
			r = sw_inflate(st, p, len);
			st->info.total_in += len;
		}
		if (r)
			st->err = r;
		return r;
	}
	r = dev_check(st);
	while (!r && len) {
		if (st->stage_fill == 0 && len >= AK_STAGE_SIZE) {
			size_t n = len - len % AK_STAGE_SIZE;

			if (n > (st->h.s->max_xfer & ~(uint64_t)(AK_STAGE_SIZE - 1)))
				n = st->h.s->max_xfer & ~(uint64_t)(AK_STAGE_SIZE - 1);
			if (n > AK_STAGE_SIZE)	/* keep jobs bounded */
				n = AK_STAGE_SIZE;
			r = dev_piece(st, p, n, st->info.total_in, false, 0);
			st->info.total_in += n;
			p += n;
			len -= n;
			continue;
		}
		{
			size_t k = AK_STAGE_SIZE - st->stage_fill;

			if (k > len)
				k = len;
			memcpy(st->stage + st->stage_fill, p, k);
			st->stage_fill += k;
			st->info.total_in += k;
			p += k;
			len -= k;
			if (st->stage_fill == AK_STAGE_SIZE)
				r = dev_flush_stage(st, false, 0);
		}
	}
	if (r)
		st->err = r;
	return r;
}

static int sw_flush(struct ak_stream *st, int zflush)
{
	z_stream *z = &st->z;
	int zr, r;

	z->next_in = NULL;
	z->avail_in = 0;
	do {
		z->next_out = st->zout;
		z->avail_out = SW_OUT;
		zr = deflate(z, zflush);
		if (zr == Z_STREAM_ERROR)
			return -EIO;
		r = emit(st, st->zout, SW_OUT - z->avail_out);
		if (r)
			return r;
	} while (z->avail_out == 0);
	return 0;
}

AK_API int ak_stream_flush(struct ak_stream *st, int mode)
{
	int r;

	if (!st || (mode != AK_FLUSH_SYNC && mode != AK_FLUSH_FULL))
		return -EINVAL;
	if (!st->h.s)
		return -EBADF;	/* its session was closed */
	if (st->err)
		return st->err;
	if (st->finished || st->dir != AK_COMPRESS)
		return -EINVAL;
	if (st->flushed)
		return 0;	/* nothing new: zlib adds nothing either */
	if (!st->device) {
		r = sw_flush(st, mode == AK_FLUSH_FULL ? Z_FULL_FLUSH :
							 Z_SYNC_FLUSH);
	} else if (!(st->h.s->caps & AKS_CAPS_FLUSH)) {
		return -EOPNOTSUPP;	/* a device before contract 2.3 */
	} else {
		r = dev_check(st);
		/* The staged input (maybe none) as one job ending in the
		 * flush. */
		if (!r)
			r = dev_flush_stage(st, false, AKS_DF_FLUSH |
					    (mode == AK_FLUSH_FULL ?
					     AKS_DF_FULL : 0));
	}
	if (r)
		st->err = r;
	else
		st->flushed = true;
	return r;
}

AK_API int ak_stream_finish(struct ak_stream *st)
{
	int r = 0;

	if (!st)
		return -EINVAL;
	if (!st->h.s)
		return -EBADF;	/* its session was closed */
	if (st->err)
		return st->err;
	if (st->finished)
		return -EINVAL;
	st->finished = true;
	if (!st->device) {
		if (st->dir == AK_COMPRESS)
			r = sw_deflate(st, NULL, 0, true);
		else if (!st->info.ended || !st->info.members) {
			st->info.err_offset = st->info.total_in;
			r = -EBADMSG;
		}
	} else {
		r = dev_check(st);
		if (!r && st->dir == AK_COMPRESS) {
			r = dev_flush_stage(st, true, 0);
		} else if (!r) {
			if (st->stage_fill)
				r = dev_flush_stage(st, false, 0);
			if (!r && (!st->info.ended || !st->info.members)) {
				st->info.err_offset = st->info.total_in;
				r = -EBADMSG;
			}
		}
	}
	if (r)
		st->err = r;
	return r;
}

AK_API int ak_stream_info(const struct ak_stream *st,
			  struct ak_stream_info *info)
{
	if (!st || !info)
		return -EINVAL;
	*info = st->info;
	return 0;
}

AK_API void ak_stream_free(struct ak_stream *st)
{
	if (!st)
		return;
	if (st->z_init) {
		if (st->dir == AK_COMPRESS)
			deflateEnd(&st->z);
		else
			inflateEnd(&st->z);
	}
	/* After ak_session_close() (h.s NULL) the queue, and with it the
	 * device context, is gone already: nothing to release there. */
	if (st->h.s && st->device && st->started && dev_check(st) == 0) {
		/* Free the device context: an empty LAST job (its output,
		 * if any, is dropped). */
		struct ak_result res;

		(void)dev_job(st, NULL, 0, AKS_DF_LAST, &res, NULL);
	}
	if (st->h.s && st->device && st->pid == getpid())
		ak_ctx_put(st->h.s, st->ctx, st->gen);
	ak_sess_untrack(&st->h);
	free(st->zout);
	free(st->stage);
	free(st->out);
	free(st);
}
