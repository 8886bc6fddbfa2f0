/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelkit sample driver: the crypto API algorithms (crypto*.c) on the
 * kernel-queue engine (kq.h).
 */
#ifndef _ACCELKIT_SAMPLE_CRYPTO_H
#define _ACCELKIT_SAMPLE_CRYPTO_H

#include <crypto/internal/acompress.h>
#include <crypto/internal/hash.h>
#include <crypto/internal/skcipher.h>

#include "kq.h"

#define AKS_SKCIPHER_ALGS	3

extern unsigned int aks_crypto_priority;
extern struct acomp_alg aks_acomp_alg;
extern struct skcipher_alg aks_skcipher_algs[AKS_SKCIPHER_ALGS];
extern struct ahash_alg aks_ahash_alg;

/* tfm init/exit: a device's kdev with its queue pool, or ERR_PTR() */
struct aks_kdev *aks_crypto_bind(void);
void aks_crypto_unbind(struct aks_kdev *kdev);

static inline void aks_count_fallback(struct aks_kdev *kdev)
{
	atomic64_inc(&kdev->fallbacks);
}

#endif /* _ACCELKIT_SAMPLE_CRYPTO_H */
