// SPDX-License-Identifier: LGPL-2.1-or-later
/* Ciphers: synchronous wrappers over requests (alg/async.c does the
 * device chaining and the software execution). */
#include <errno.h>
#include <string.h>

#include "session.h"

static int run(struct ak_session *s, unsigned op, const void *key,
	       size_t key_len, const void *iv, size_t iv_len, const void *aad,
	       size_t aad_len, const void *src, size_t len, void *dst,
	       size_t cap, uint8_t *tag, unsigned flags, size_t *out_len)
{
	struct ak_req q;
	int r;

	if (!s)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.op = op;
	q.flags = flags;
	q.key = key;
	q.key_len = key_len;
	q.iv = iv;
	q.iv_len = iv_len;
	q.aad = aad;
	q.aad_len = aad_len;
	q.src = src;
	q.len = len;
	q.dst = dst;
	q.dst_len = cap;
	q.tag = tag;
	r = ak_alg_submit(s, &q);
	if (r == 0)
		r = ak_alg_wait(s, &q);
	if (out_len && (r == 0 || r == -ENOSPC))
		*out_len = q.out_len;
	return r;
}

AK_API int ak_encrypt(struct ak_session *s, const void *key, size_t key_len,
		      const void *iv, size_t iv_len, const void *src,
		      size_t len, void *dst, size_t *dst_len, unsigned flags)
{
	if (!s || !dst_len || s->alg == AK_ALG_AES_GCM)
		return -EINVAL;
	return run(s, AK_REQ_ENCRYPT, key, key_len, iv, iv_len, NULL, 0, src,
		   len, dst, *dst_len, NULL, flags, dst_len);
}

AK_API int ak_decrypt(struct ak_session *s, const void *key, size_t key_len,
		      const void *iv, size_t iv_len, const void *src,
		      size_t len, void *dst, size_t *dst_len, unsigned flags)
{
	if (!s || !dst_len || s->alg == AK_ALG_AES_GCM)
		return -EINVAL;
	return run(s, AK_REQ_DECRYPT, key, key_len, iv, iv_len, NULL, 0, src,
		   len, dst, *dst_len, NULL, flags, dst_len);
}

AK_API int ak_aead_encrypt(struct ak_session *s, const void *key,
			   size_t key_len, const void *nonce, size_t nonce_len,
			   const void *aad, size_t aad_len, const void *src,
			   size_t len, void *dst, uint8_t tag[16])
{
	if (!s || s->alg != AK_ALG_AES_GCM)
		return -EINVAL;
	return run(s, AK_REQ_ENCRYPT, key, key_len, nonce, nonce_len, aad,
		   aad_len, src, len, dst, len, tag, 0, NULL);
}

AK_API int ak_aead_decrypt(struct ak_session *s, const void *key,
			   size_t key_len, const void *nonce, size_t nonce_len,
			   const void *aad, size_t aad_len, const void *src,
			   size_t len, void *dst, const uint8_t tag[16])
{
	if (!s || s->alg != AK_ALG_AES_GCM)
		return -EINVAL;
	return run(s, AK_REQ_DECRYPT, key, key_len, nonce, nonce_len, aad,
		   aad_len, src, len, dst, len, (uint8_t *)(uintptr_t)tag, 0,
		   NULL);
}
