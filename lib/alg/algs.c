// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The algorithm table: names of algorithms and paths, digest sizes, and
 * the mapping of algorithm job statuses to errno values.
 */
#include <errno.h>
#include <string.h>

#include <accelkit/sample_hw.h>

#include "algs.h"

const uint8_t ak_dummy[64];

static const char *const alg_names[] = {
	[AK_ALG_DEFLATE] = "deflate",
	[AK_ALG_ZLIB] = "zlib",
	[AK_ALG_GZIP] = "gzip",
	[AK_ALG_SHA256] = "sha256",
	[AK_ALG_SHA512] = "sha512",
	[AK_ALG_HMAC_SHA256] = "hmac(sha256)",
	[AK_ALG_AES_CBC] = "cbc(aes)",
	[AK_ALG_AES_CTR] = "ctr(aes)",
	[AK_ALG_AES_XTS] = "xts(aes)",
	[AK_ALG_AES_GCM] = "gcm(aes)",
};

AK_API const char *ak_alg_name(int alg)
{
	if (alg < AK_ALG_DEFLATE || alg > AK_ALG_AES_GCM)
		return NULL;
	return alg_names[alg];
}

AK_API int ak_alg_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "raw"))
		return AK_ALG_DEFLATE;
	for (int a = AK_ALG_DEFLATE; a <= AK_ALG_AES_GCM; a++)
		if (!strcmp(name, alg_names[a]))
			return a;
	return -EINVAL;
}

AK_API const char *ak_path_name(int path)
{
	switch (path) {
	case AK_PATH_AUTO:	return "auto";
	case AK_PATH_DEVICE:	return "device";
	case AK_PATH_SOFTWARE:	return "software";
	default:		return NULL;
	}
}

AK_API size_t ak_digest_size(int alg)
{
	switch (alg) {
	case AK_ALG_SHA256:
	case AK_ALG_HMAC_SHA256:	return AK_SHA256_LEN;
	case AK_ALG_SHA512:		return AK_SHA512_LEN;
	default:			return 0;
	}
}

int ak_status_to_err(int status)
{
	switch (status) {
	case AKS_ST_DATA_ERROR:		return -EBADMSG;
	case AKS_ST_OVERFLOW:		return -ENOSPC;
	case AKS_ST_AUTH_FAILURE:	return -EBADMSG;
	default:			return ak_status_errno(status);
	}
}
