// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: xts-, cbc- and ctr-aes-accelkit on the device's
 * CIPHER jobs.
 *
 * Sizes equal the generic implementations' (testmgr compares them), but
 * the device takes only AES-128/256 keys (XTS: 32 or 64 bytes with halves
 * that differ) and one bounce buffer (64 KiB) per request. Everything else
 * goes to a synchronous software twin allocated at init (cra_name, mask
 * ASYNC | NEED_FALLBACK, which excludes us): 24-byte keys, equal XTS
 * halves, longer requests, and jobs the device failed or aborted (the
 * bounce buffers leave src untouched, so the twin can redo them). Once the
 * device is removed, requests fail with -ENODEV.
 *
 * Output IV as generic: CBC the last ciphertext block, CTR the counter
 * advanced by the blocks used; XTS leaves it.
 */
#include <linux/scatterlist.h>
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/xts.h>

#include "crypto.h"

struct aks_skc_ctx {
	struct aks_kdev *kdev;
	struct crypto_skcipher *twin;
	u8 key[AES_MAX_KEY_SIZE * 2];
	unsigned int keylen;
	bool hw;			/* the device takes this key */
};

struct aks_skc_rctx {
	struct aks_kreq kr;
	u8 next_iv[AES_BLOCK_SIZE];
	bool decrypt;
	struct skcipher_request twin_req;	/* last: the twin's context */
};

static u32 aks_skc_mode(struct crypto_skcipher *tfm)
{
	struct skcipher_alg *alg = crypto_skcipher_alg(tfm);

	return alg - aks_skcipher_algs;	/* the index is the device mode */
}

static int aks_skc_setkey(struct crypto_skcipher *tfm, const u8 *key,
			  unsigned int len)
{
	struct aks_skc_ctx *ctx = crypto_skcipher_ctx(tfm);
	u32 mode = aks_skc_mode(tfm);
	int ret;

	if (mode == AKS_CIPHER_AES_XTS) {
		ret = xts_verify_key(tfm, key, len);
		if (ret)
			return ret;
	}
	crypto_skcipher_clear_flags(ctx->twin, CRYPTO_TFM_REQ_MASK);
	crypto_skcipher_set_flags(ctx->twin, crypto_skcipher_get_flags(tfm) &
				  CRYPTO_TFM_REQ_MASK);
	ret = crypto_skcipher_setkey(ctx->twin, key, len);
	if (ret)
		return ret;
	memcpy(ctx->key, key, len);
	ctx->keylen = len;
	if (mode == AKS_CIPHER_AES_XTS)
		ctx->hw = (len == 2 * AES_KEYSIZE_128 ||
			   len == 2 * AES_KEYSIZE_256) &&
			  crypto_memneq(key, key + len / 2, len / 2);
	else
		ctx->hw = len == AES_KEYSIZE_128 || len == AES_KEYSIZE_256;
	return 0;
}

/* Synchronous: the twin never sleeps and returns the result. */
static int aks_skc_twin(struct skcipher_request *req, bool decrypt)
{
	struct aks_skc_ctx *ctx = crypto_skcipher_ctx(crypto_skcipher_reqtfm(req));
	struct aks_skc_rctx *rctx = skcipher_request_ctx(req);
	struct skcipher_request *sub = &rctx->twin_req;

	aks_count_fallback(ctx->kdev);
	skcipher_request_set_tfm(sub, ctx->twin);
	skcipher_request_set_callback(sub, 0, NULL, NULL);
	skcipher_request_set_crypt(sub, req->src, req->dst, req->cryptlen,
				   req->iv);
	return decrypt ? crypto_skcipher_decrypt(sub) :
			 crypto_skcipher_encrypt(sub);
}

/* CTR: the 128-bit big-endian counter block plus @blocks. */
static void aks_ctr_add(u8 *iv, u64 blocks)
{
	__be64 ctr[2];
	u64 lo;

	memcpy(ctr, iv, sizeof(ctr));
	lo = be64_to_cpu(ctr[1]) + blocks;
	if (lo < blocks)
		be64_add_cpu(&ctr[0], 1);
	ctr[1] = cpu_to_be64(lo);
	memcpy(iv, ctr, sizeof(ctr));
}

static void aks_skc_done(struct aks_kreq *kr, int status)
{
	struct skcipher_request *req = container_of(kr->base,
						    struct skcipher_request,
						    base);
	struct aks_skc_rctx *rctx = skcipher_request_ctx(req);
	unsigned int len = req->cryptlen;
	int err = 0;

	if (status == AKS_ST_SUCCESS) {
		switch (kr->params.alg) {
		case AKS_CIPHER_AES_CBC:
			if (rctx->decrypt)
				memcpy(req->iv, rctx->next_iv, AES_BLOCK_SIZE);
			else
				sg_pcopy_to_buffer(req->dst, sg_nents(req->dst),
						   req->iv, AES_BLOCK_SIZE,
						   len - AES_BLOCK_SIZE);
			break;
		case AKS_CIPHER_AES_CTR:
			aks_ctr_add(req->iv, DIV_ROUND_UP(len, AES_BLOCK_SIZE));
			break;
		}
	} else if (status == AKS_KR_GONE) {
		err = -ENODEV;
	} else {
		err = aks_skc_twin(req, rctx->decrypt);
	}
	skcipher_request_complete(req, err);
}

static int aks_skc_crypt(struct skcipher_request *req, bool decrypt)
{
	struct crypto_skcipher *tfm = crypto_skcipher_reqtfm(req);
	struct aks_skc_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct aks_skc_rctx *rctx = skcipher_request_ctx(req);
	struct aks_kreq *kr = &rctx->kr;
	unsigned int len = req->cryptlen;
	u32 mode = aks_skc_mode(tfm);
	int ret;

	if (mode == AKS_CIPHER_AES_XTS && len < AES_BLOCK_SIZE)
		return -EINVAL;
	if (mode == AKS_CIPHER_AES_CBC && len % AES_BLOCK_SIZE)
		return -EINVAL;
	if (!len)
		return 0;
	if (READ_ONCE(ctx->kdev->dead))
		return -ENODEV;
	rctx->decrypt = decrypt;
	if (!ctx->hw || len > AKS_KQ_BOUNCE)
		return aks_skc_twin(req, decrypt);

	memset(kr, 0, sizeof(*kr));
	kr->base = &req->base;
	kr->complete = aks_skc_done;
	kr->opcode = AKS_OP_CIPHER;
	kr->flags = decrypt ? AKS_DF_DECRYPT : 0;
	kr->params.alg = mode;
	kr->params.key_len = ctx->keylen;
	kr->params.iv_len = AES_BLOCK_SIZE;
	kr->key = ctx->key;
	kr->iv = req->iv;
	kr->src = req->src;
	kr->dst = req->dst;
	kr->slen = len;
	kr->dlen = len;
	/* CBC decrypt: the next IV is the last ciphertext block, before an
	 * in-place request overwrites it.
	 */
	if (mode == AKS_CIPHER_AES_CBC && decrypt)
		sg_pcopy_to_buffer(req->src, sg_nents(req->src), rctx->next_iv,
				   AES_BLOCK_SIZE, len - AES_BLOCK_SIZE);
	ret = aks_kq_submit(ctx->kdev, kr);
	if (ret == -EAGAIN)
		return aks_skc_twin(req, decrypt);
	return ret;
}

static int aks_skc_encrypt(struct skcipher_request *req)
{
	return aks_skc_crypt(req, false);
}

static int aks_skc_decrypt(struct skcipher_request *req)
{
	return aks_skc_crypt(req, true);
}

static int aks_skc_init(struct crypto_skcipher *tfm)
{
	struct aks_skc_ctx *ctx = crypto_skcipher_ctx(tfm);
	const char *name = crypto_tfm_alg_name(crypto_skcipher_tfm(tfm));

	ctx->twin = crypto_alloc_skcipher(name, 0, CRYPTO_ALG_ASYNC |
					  CRYPTO_ALG_NEED_FALLBACK);
	if (IS_ERR(ctx->twin))
		return PTR_ERR(ctx->twin);
	crypto_skcipher_set_reqsize(tfm, sizeof(struct aks_skc_rctx) +
				    crypto_skcipher_reqsize(ctx->twin));
	ctx->kdev = aks_crypto_bind();
	if (IS_ERR(ctx->kdev)) {
		crypto_free_skcipher(ctx->twin);
		return PTR_ERR(ctx->kdev);
	}
	return 0;
}

static void aks_skc_exit(struct crypto_skcipher *tfm)
{
	struct aks_skc_ctx *ctx = crypto_skcipher_ctx(tfm);

	aks_crypto_unbind(ctx->kdev);
	crypto_free_skcipher(ctx->twin);
	memzero_explicit(ctx->key, sizeof(ctx->key));
}

#define AKS_SKC_ALG(_mode, _name, _drv, _min, _max, _bs)		\
	[_mode] = {							\
		.setkey		= aks_skc_setkey,			\
		.encrypt	= aks_skc_encrypt,			\
		.decrypt	= aks_skc_decrypt,			\
		.init		= aks_skc_init,				\
		.exit		= aks_skc_exit,				\
		.min_keysize	= _min,					\
		.max_keysize	= _max,					\
		.ivsize		= AES_BLOCK_SIZE,			\
		.chunksize	= AES_BLOCK_SIZE,			\
		.base		= {					\
			.cra_name		= _name,		\
			.cra_driver_name	= _drv,			\
			.cra_flags		= CRYPTO_ALG_ASYNC |	\
				CRYPTO_ALG_KERN_DRIVER_ONLY |		\
				CRYPTO_ALG_NEED_FALLBACK,		\
			.cra_blocksize		= _bs,			\
			.cra_ctxsize		= sizeof(struct aks_skc_ctx), \
			.cra_module		= THIS_MODULE,		\
		},							\
	}

/* Indexed by the device's cipher mode (aks_skc_mode()). */
struct skcipher_alg aks_skcipher_algs[AKS_SKCIPHER_ALGS] = {
	AKS_SKC_ALG(AKS_CIPHER_AES_CBC, "cbc(aes)", "cbc-aes-accelkit",
		    AES_MIN_KEY_SIZE, AES_MAX_KEY_SIZE, AES_BLOCK_SIZE),
	AKS_SKC_ALG(AKS_CIPHER_AES_CTR, "ctr(aes)", "ctr-aes-accelkit",
		    AES_MIN_KEY_SIZE, AES_MAX_KEY_SIZE, 1),
	AKS_SKC_ALG(AKS_CIPHER_AES_XTS, "xts(aes)", "xts-aes-accelkit",
		    2 * AES_MIN_KEY_SIZE, 2 * AES_MAX_KEY_SIZE, AES_BLOCK_SIZE),
};
