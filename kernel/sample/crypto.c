// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit sample driver: the kernel crypto API on kernel-owned queues.
 *
 * Five algorithms: deflate-accelkit (acomp), xts-, cbc- and ctr-aes-accelkit
 * (skcipher), sha256-accelkit (ahash). They are registered once, at the
 * first probe of a device with DMA-mode queues (CAPS bit 21) and the
 * engines, and unregistered only at module exit: crypto_unregister_*()
 * WARNs while a transform exists, and transforms pin the module. A device
 * that goes away leaves the algorithms registered; its transforms then do
 * decompress in software and fail everything else with -ENODEV.
 *
 * Priority: crypto_priority (default 50) for the ciphers and the hash,
 * below the generic implementations (100), which are instantiated before
 * we register so that they keep answering "xts(aes)" and friends; users
 * pick ours by driver name. deflate-accelkit has priority 0 and ties with
 * deflate-scomp: the newer registration wins a tie, so acomp "deflate"
 * resolves to ours while the module is loaded (zswap with
 * compressor=deflate; the stock default is lzo). The name must stay
 * "deflate": testmgr finds its vectors by cra_name.
 *
 * A transform binds, at init, to a device (its NUMA node's if there is
 * one) and shares that device's pool of kernel queues (kq.c).
 */
#include <linux/module.h>
#include <linux/topology.h>

#include "crypto.h"

unsigned int aks_crypto_priority = 50;
module_param_named(crypto_priority, aks_crypto_priority, uint, 0444);
MODULE_PARM_DESC(crypto_priority, "priority of the ciphers and sha256 in the crypto API (default 50, below generic)");

/* Devices, and whether the algorithms are registered. */
static DEFINE_MUTEX(aks_crypto_lock);
static LIST_HEAD(aks_kdevs);
static bool aks_registering, aks_registered;

#define AKS_OPS_NEEDED	(BIT(AKS_OP_COMPRESS) | BIT(AKS_OP_DECOMPRESS) | \
			 BIT(AKS_OP_HASH) | BIT(AKS_OP_CIPHER))

struct aks_kreq *aks_kreq_of(struct crypto_async_request *base)
{
	switch (crypto_tfm_alg_type(base->tfm)) {
	case CRYPTO_ALG_TYPE_ACOMPRESS:
		return acomp_request_ctx(container_of(base, struct acomp_req,
						      base));
	case CRYPTO_ALG_TYPE_SKCIPHER:
		return skcipher_request_ctx(container_of(base,
							 struct skcipher_request,
							 base));
	default:
		return ahash_request_ctx(ahash_request_cast(base));
	}
}

struct aks_kdev *aks_crypto_bind(void)
{
	struct aks_kdev *kdev = NULL, *k;
	int node = numa_node_id();
	int ret;

	mutex_lock(&aks_crypto_lock);
	list_for_each_entry(k, &aks_kdevs, node) {
		if (READ_ONCE(k->dead))
			continue;
		if (!kdev || k->node_id == node)
			kdev = k;
		if (k->node_id == node)
			break;
	}
	if (kdev)
		kref_get(&kdev->ref);
	mutex_unlock(&aks_crypto_lock);
	if (!kdev)
		return ERR_PTR(-ENODEV);
	ret = aks_kdev_get_pool(kdev);
	if (ret) {
		aks_kdev_put(kdev);
		return ERR_PTR(ret);
	}
	return kdev;
}

void aks_crypto_unbind(struct aks_kdev *kdev)
{
	aks_kdev_put_pool(kdev);
	aks_kdev_put(kdev);
}

/*
 * Instantiate the generic implementations first: while ours answers a
 * cra_name, the crypto API would never build the template instance.
 */
static void aks_crypto_prime(void)
{
	static const char * const names[] = { "xts(aes)", "cbc(aes)",
					      "ctr(aes)" };
	struct crypto_skcipher *skc;
	struct crypto_ahash *ahash;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		skc = crypto_alloc_skcipher(names[i], 0,
					    CRYPTO_ALG_NEED_FALLBACK);
		if (!IS_ERR(skc))
			crypto_free_skcipher(skc);
	}
	ahash = crypto_alloc_ahash("sha256", 0, CRYPTO_ALG_NEED_FALLBACK);
	if (!IS_ERR(ahash))
		crypto_free_ahash(ahash);
}

/*
 * Allocate and free each driver name: the lookup waits for its self-test
 * (6.12 runs it asynchronously), so it is over before probe returns.
 */
static void aks_crypto_settle(struct device *dev)
{
	struct crypto_acomp *acomp;
	struct crypto_skcipher *skc;
	struct crypto_ahash *ahash;
	unsigned int i;

	acomp = crypto_alloc_acomp(aks_acomp_alg.base.cra_driver_name, 0, 0);
	if (IS_ERR(acomp))
		dev_warn(dev, "%s: %ld\n", aks_acomp_alg.base.cra_driver_name,
			 PTR_ERR(acomp));
	else
		crypto_free_acomp(acomp);
	for (i = 0; i < AKS_SKCIPHER_ALGS; i++) {
		const char *name = aks_skcipher_algs[i].base.cra_driver_name;

		skc = crypto_alloc_skcipher(name, 0, 0);
		if (IS_ERR(skc))
			dev_warn(dev, "%s: %ld\n", name, PTR_ERR(skc));
		else
			crypto_free_skcipher(skc);
	}
	ahash = crypto_alloc_ahash(aks_ahash_alg.halg.base.cra_driver_name,
				   0, 0);
	if (IS_ERR(ahash))
		dev_warn(dev, "%s: %ld\n",
			 aks_ahash_alg.halg.base.cra_driver_name,
			 PTR_ERR(ahash));
	else
		crypto_free_ahash(ahash);
}

/* No sample lock held: on 6.1 this waits for the self-tests. */
static int aks_crypto_register(struct device *dev)
{
	unsigned int i;
	int ret;

	aks_crypto_prime();
	for (i = 0; i < AKS_SKCIPHER_ALGS; i++)
		aks_skcipher_algs[i].base.cra_priority = aks_crypto_priority;
	aks_ahash_alg.halg.base.cra_priority = aks_crypto_priority;

	ret = crypto_register_acomp(&aks_acomp_alg);
	if (ret)
		return ret;
	ret = crypto_register_skciphers(aks_skcipher_algs, AKS_SKCIPHER_ALGS);
	if (ret)
		goto err_acomp;
	ret = crypto_register_ahash(&aks_ahash_alg);
	if (ret)
		goto err_skcipher;
	aks_crypto_settle(dev);
	return 0;

err_skcipher:
	crypto_unregister_skciphers(aks_skcipher_algs, AKS_SKCIPHER_ALGS);
err_acomp:
	crypto_unregister_acomp(&aks_acomp_alg);
	return ret;
}

/*
 * pci.c, after accelkit_register(). A device without DMA-mode queues or
 * without the engines has no crypto side. Errors are reported, not
 * returned: the device works for user space without it.
 */
int aks_crypto_probe(struct aks_dev *sdev)
{
	struct device *dev = &sdev->pdev->dev;
	struct aks_kdev *kdev;
	bool reg;
	int ret;

	if (!(sdev->caps & AKS_CAPS_DMA_QUEUES) ||
	    (sdev->caps & AKS_OPS_NEEDED) != AKS_OPS_NEEDED)
		return 0;
	kdev = aks_kdev_create(sdev);
	if (!kdev)
		return -ENOMEM;
	sdev->kdev = kdev;

	mutex_lock(&aks_crypto_lock);
	list_add_tail(&kdev->node, &aks_kdevs);
	reg = !aks_registered && !aks_registering;
	aks_registering |= reg;
	mutex_unlock(&aks_crypto_lock);
	if (!reg)
		return 0;

	ret = aks_crypto_register(dev);
	mutex_lock(&aks_crypto_lock);
	aks_registering = false;
	aks_registered = !ret;
	mutex_unlock(&aks_crypto_lock);
	if (ret)
		dev_warn(dev, "crypto API algorithms not registered: %d\n",
			 ret);
	return 0;
}

/*
 * pci.c, before accelkit_remove(): release the kernel queues and end their
 * requests; transforms keep the kdev, without a device.
 */
void aks_crypto_remove(struct aks_dev *sdev)
{
	struct aks_kdev *kdev = sdev->kdev;

	if (!kdev)
		return;
	mutex_lock(&aks_crypto_lock);
	list_del_init(&kdev->node);
	mutex_unlock(&aks_crypto_lock);
	aks_kdev_kill(kdev);
	sdev->kdev = NULL;
	aks_kdev_put(kdev);
}

int aks_crypto_init(void)
{
	return aks_kq_init();
}

/* Module exit, after the PCI driver is gone: no transform exists. */
void aks_crypto_exit(void)
{
	if (aks_registered) {
		crypto_unregister_ahash(&aks_ahash_alg);
		crypto_unregister_skciphers(aks_skcipher_algs,
					    AKS_SKCIPHER_ALGS);
		crypto_unregister_acomp(&aks_acomp_alg);
		aks_registered = false;
	}
	aks_kq_exit();
}
