// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: sha256-accelkit on the device's HASH jobs.
 *
 * A device stream context cannot be exported, so only one-shot work goes
 * to the device: digest, and finup on a fresh state, of 1..64 KiB.
 * init/update/final/export/import run in lib sha256 on a struct
 * sha256_state (the format sha256-generic exports). A device error or an
 * aborted job is redone in software; once the device is removed, device
 * requests fail with -ENODEV.
 */
#include <linux/scatterlist.h>
#include <crypto/sha2.h>

#include "crypto.h"

struct aks_sha_ctx {
	struct aks_kdev *kdev;
};

struct aks_sha_rctx {
	struct aks_kreq kr;
	struct sha256_state st;
};

static struct aks_kdev *aks_sha_kdev(struct ahash_request *req)
{
	struct aks_sha_ctx *ctx = crypto_ahash_ctx(crypto_ahash_reqtfm(req));

	return ctx->kdev;
}

static int aks_sha_init(struct ahash_request *req)
{
	struct aks_sha_rctx *rctx = ahash_request_ctx(req);

	sha256_init(&rctx->st);
	return 0;
}

static int aks_sha_update(struct ahash_request *req)
{
	struct aks_sha_rctx *rctx = ahash_request_ctx(req);
	unsigned int left = req->nbytes;
	struct sg_mapping_iter it;

	if (!left)
		return 0;
	sg_miter_start(&it, req->src, sg_nents(req->src),
		       SG_MITER_FROM_SG | SG_MITER_ATOMIC);
	while (left && sg_miter_next(&it)) {
		unsigned int n = min_t(size_t, it.length, left);

		sha256_update(&rctx->st, it.addr, n);
		left -= n;
	}
	sg_miter_stop(&it);
	return 0;
}

static int aks_sha_final(struct ahash_request *req)
{
	struct aks_sha_rctx *rctx = ahash_request_ctx(req);

	sha256_final(&rctx->st, req->result);
	return 0;
}

static int aks_sha_sw_finup(struct ahash_request *req)
{
	aks_sha_update(req);
	return aks_sha_final(req);
}

static void aks_sha_done(struct aks_kreq *kr, int status)
{
	struct ahash_request *req = ahash_request_cast(kr->base);
	int err = 0;

	if (status == AKS_KR_GONE) {
		err = -ENODEV;
	} else if (status != AKS_ST_SUCCESS) {
		aks_count_fallback(aks_sha_kdev(req));
		aks_sha_init(req);
		err = aks_sha_sw_finup(req);
	}
	ahash_request_complete(req, err);
}

/* One-shot SHA-256 of req->src: on the device when it can take it. */
static int aks_sha_oneshot(struct ahash_request *req)
{
	struct aks_sha_rctx *rctx = ahash_request_ctx(req);
	struct aks_kdev *kdev = aks_sha_kdev(req);
	struct aks_kreq *kr = &rctx->kr;
	int ret;

	if (READ_ONCE(kdev->dead))
		return -ENODEV;
	if (!req->nbytes || req->nbytes > AKS_KQ_BOUNCE)
		goto software;
	memset(kr, 0, sizeof(*kr));
	kr->base = &req->base;
	kr->complete = aks_sha_done;
	kr->opcode = AKS_OP_HASH;
	kr->params.alg = AKS_HASH_SHA256;
	kr->src = req->src;
	kr->slen = req->nbytes;
	kr->out = req->result;
	ret = aks_kq_submit(kdev, kr);
	if (ret != -EAGAIN)
		return ret;
software:
	aks_count_fallback(kdev);
	aks_sha_init(req);
	return aks_sha_sw_finup(req);
}

static int aks_sha_digest(struct ahash_request *req)
{
	return aks_sha_oneshot(req);
}

static int aks_sha_finup(struct ahash_request *req)
{
	struct aks_sha_rctx *rctx = ahash_request_ctx(req);

	if (!rctx->st.count)
		return aks_sha_oneshot(req);
	return aks_sha_sw_finup(req);
}

static int aks_sha_export(struct ahash_request *req, void *out)
{
	struct aks_sha_rctx *rctx = ahash_request_ctx(req);

	memcpy(out, &rctx->st, sizeof(rctx->st));
	return 0;
}

static int aks_sha_import(struct ahash_request *req, const void *in)
{
	struct aks_sha_rctx *rctx = ahash_request_ctx(req);

	memcpy(&rctx->st, in, sizeof(rctx->st));
	return 0;
}

static int aks_sha_init_tfm(struct crypto_ahash *tfm)
{
	struct aks_sha_ctx *ctx = crypto_ahash_ctx(tfm);

	crypto_ahash_set_reqsize(tfm, sizeof(struct aks_sha_rctx));
	ctx->kdev = aks_crypto_bind();
	return PTR_ERR_OR_ZERO(ctx->kdev);
}

static void aks_sha_exit_tfm(struct crypto_ahash *tfm)
{
	struct aks_sha_ctx *ctx = crypto_ahash_ctx(tfm);

	aks_crypto_unbind(ctx->kdev);
}

struct ahash_alg aks_ahash_alg = {
	.init		= aks_sha_init,
	.update		= aks_sha_update,
	.final		= aks_sha_final,
	.finup		= aks_sha_finup,
	.digest		= aks_sha_digest,
	.export		= aks_sha_export,
	.import		= aks_sha_import,
	.init_tfm	= aks_sha_init_tfm,
	.exit_tfm	= aks_sha_exit_tfm,
	.halg		= {
		.digestsize	= SHA256_DIGEST_SIZE,
		.statesize	= sizeof(struct sha256_state),
		.base		= {
			.cra_name		= "sha256",
			.cra_driver_name	= "sha256-accelkit",
			.cra_flags		= CRYPTO_ALG_ASYNC |
						  CRYPTO_ALG_KERN_DRIVER_ONLY,
			.cra_blocksize		= SHA256_BLOCK_SIZE,
			.cra_ctxsize		= sizeof(struct aks_sha_ctx),
			.cra_module		= THIS_MODULE,
		},
	},
};
