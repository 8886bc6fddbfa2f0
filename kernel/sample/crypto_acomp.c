// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: deflate-accelkit, the acomp "deflate" on the
 * device's COMPRESS/DECOMPRESS jobs (raw deflate, level 6, one job each).
 *
 * A decompress on a live transform never fails because of the device:
 * zswap BUG()s on a failed decompress. Whenever the device cannot do it
 * (an error status, a failed or aborted queue, a full queue without
 * MAY_BACKLOG, the device removed) it runs in software: lib zlib_inflate
 * with windowBits -15. The device writes raw deflate with a 32 KiB window;
 * deflate-generic inflates with -11 and cannot decode all of it, so it is
 * never the fallback. Compress fails instead (-ENODEV once the device is
 * gone, -EIO on a device error, -ENOSPC when the output does not fit).
 *
 * A NULL dst (CRYPTO_ACOMP_ALLOC_OUTPUT) gets a 128 KiB sgl_alloc()ed
 * list, freed by .dst_free.
 */
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>
#include <linux/zlib.h>

#include "crypto.h"

#define AKS_ACOMP_DST_MAX	SZ_128K		/* ALLOC_OUTPUT, software */

struct aks_acomp_ctx {
	struct aks_kdev *kdev;
	spinlock_t lock;		/* the software inflate below */
	void *workspace;
	u8 *in, *out;			/* AKS_ACOMP_DST_MAX each */
};

struct aks_acomp_rctx {
	struct aks_kreq kr;
};

static struct aks_acomp_ctx *aks_acomp_ctx(struct acomp_req *req)
{
	return acomp_tfm_ctx(crypto_acomp_reqtfm(req));
}

/* lib zlib, windowBits -15: never sleeps, never allocates. */
static int aks_inflate_sw(struct acomp_req *req)
{
	struct aks_acomp_ctx *ctx = aks_acomp_ctx(req);
	unsigned int dlen = min_t(unsigned int, req->dlen, AKS_ACOMP_DST_MAX);
	struct z_stream_s s = { .workspace = ctx->workspace };
	int ret, err = -EINVAL;

	aks_count_fallback(ctx->kdev);
	if (req->slen > AKS_ACOMP_DST_MAX)
		return -EINVAL;
	spin_lock_bh(&ctx->lock);
	sg_copy_to_buffer(req->src, sg_nents(req->src), ctx->in, req->slen);
	if (zlib_inflateInit2(&s, -MAX_WBITS) != Z_OK)
		goto out;
	s.next_in = ctx->in;
	s.avail_in = req->slen;
	s.next_out = ctx->out;
	s.avail_out = dlen;
	ret = zlib_inflate(&s, Z_SYNC_FLUSH);
	/* zlib may want one more byte in raw mode (as crypto/deflate.c) */
	if (ret == Z_OK && !s.avail_in && s.avail_out) {
		u8 zero = 0;

		s.next_in = &zero;
		s.avail_in = 1;
		ret = zlib_inflate(&s, Z_FINISH);
	}
	if (ret == Z_STREAM_END) {
		sg_copy_from_buffer(req->dst, sg_nents(req->dst), ctx->out,
				    s.total_out);
		req->dlen = s.total_out;
		err = 0;
	}
	zlib_inflateEnd(&s);
out:
	spin_unlock_bh(&ctx->lock);
	return err;
}

/* The engine's completion hook (bottom halves disabled, no lock held). */
static void aks_acomp_done(struct aks_kreq *kr, int status)
{
	struct acomp_req *req = container_of(kr->base, struct acomp_req, base);
	int err;

	if (status == AKS_ST_SUCCESS) {
		req->dlen = kr->bytes;
		err = 0;
	} else if (kr->opcode == AKS_OP_DECOMPRESS) {
		err = aks_inflate_sw(req);
	} else if (status == AKS_ST_OVERFLOW) {
		err = -ENOSPC;
	} else {
		err = status == AKS_KR_GONE ? -ENODEV : -EIO;
	}
	acomp_request_complete(req, err);
}

static int aks_acomp_run(struct acomp_req *req, u16 opcode)
{
	struct aks_acomp_ctx *ctx = aks_acomp_ctx(req);
	struct aks_acomp_rctx *rctx = acomp_request_ctx(req);
	struct aks_kreq *kr = &rctx->kr;
	bool decomp = opcode == AKS_OP_DECOMPRESS;
	int ret;

	if (!req->src || !req->slen)
		return -EINVAL;
	if (!req->dst) {
		gfp_t gfp = req->base.flags & CRYPTO_TFM_REQ_MAY_SLEEP ?
			    GFP_KERNEL : GFP_ATOMIC;

		req->dst = sgl_alloc(AKS_ACOMP_DST_MAX, gfp, NULL);
		if (!req->dst)
			return -ENOMEM;
		req->dlen = AKS_ACOMP_DST_MAX;
	}
	if (req->slen > AKS_KQ_BOUNCE || !req->dlen)
		return decomp ? aks_inflate_sw(req) : -EINVAL;

	memset(kr, 0, sizeof(*kr));
	kr->base = &req->base;
	kr->complete = aks_acomp_done;
	kr->opcode = opcode;
	kr->params.alg = AKS_FRAME_RAW;
	kr->params.level = decomp ? 0 : 6;
	kr->src = req->src;
	kr->dst = req->dst;
	kr->slen = req->slen;
	kr->dlen = req->dlen;
	ret = aks_kq_submit(ctx->kdev, kr);
	if (ret == -EINPROGRESS || ret == -EBUSY)
		return ret;
	if (decomp)		/* -ENODEV, -EAGAIN, -ENOSPC */
		return aks_inflate_sw(req);
	if (ret == -EAGAIN) {
		atomic64_inc(&ctx->kdev->errors);
		return -EIO;
	}
	return ret;
}

static int aks_acomp_compress(struct acomp_req *req)
{
	return aks_acomp_run(req, AKS_OP_COMPRESS);
}

static int aks_acomp_decompress(struct acomp_req *req)
{
	return aks_acomp_run(req, AKS_OP_DECOMPRESS);
}

static void aks_acomp_free(struct aks_acomp_ctx *ctx)
{
	kvfree(ctx->workspace);
	kvfree(ctx->in);
	kvfree(ctx->out);
}

static int aks_acomp_init(struct crypto_acomp *tfm)
{
	struct aks_acomp_ctx *ctx = acomp_tfm_ctx(tfm);

	spin_lock_init(&ctx->lock);
	ctx->workspace = kvmalloc(zlib_inflate_workspacesize(), GFP_KERNEL);
	ctx->in = kvmalloc(AKS_ACOMP_DST_MAX, GFP_KERNEL);
	ctx->out = kvmalloc(AKS_ACOMP_DST_MAX, GFP_KERNEL);
	if (!ctx->workspace || !ctx->in || !ctx->out) {
		aks_acomp_free(ctx);
		return -ENOMEM;
	}
	ctx->kdev = aks_crypto_bind();
	if (IS_ERR(ctx->kdev)) {
		aks_acomp_free(ctx);
		return PTR_ERR(ctx->kdev);
	}
	return 0;
}

static void aks_acomp_exit(struct crypto_acomp *tfm)
{
	struct aks_acomp_ctx *ctx = acomp_tfm_ctx(tfm);

	aks_crypto_unbind(ctx->kdev);
	aks_acomp_free(ctx);
}

struct acomp_alg aks_acomp_alg = {
	.compress	= aks_acomp_compress,
	.decompress	= aks_acomp_decompress,
	.dst_free	= sgl_free,
	.init		= aks_acomp_init,
	.exit		= aks_acomp_exit,
	.reqsize	= sizeof(struct aks_acomp_rctx),
	.base		= {
		.cra_name		= "deflate",
		.cra_driver_name	= "deflate-accelkit",
		.cra_priority		= 0,	/* ties deflate-scomp: crypto.c */
		.cra_flags		= CRYPTO_ALG_ASYNC |
					  CRYPTO_ALG_KERN_DRIVER_ONLY,
		.cra_ctxsize		= sizeof(struct aks_acomp_ctx),
		.cra_module		= THIS_MODULE,
	},
};
