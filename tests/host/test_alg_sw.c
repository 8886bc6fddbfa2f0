// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Algorithm API, software path: known-answer vectors (FIPS 180-4,
 * RFC 4231, SP 800-38A, IEEE 1619, GCM spec), async requests, path
 * selection, fork. Compression: test_alg_comp.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "libaccelkit.h"
#include "alg_util.h"
#include "suites.h"

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	while (h[0] && h[1]) {
		if (h[0] == ' ') {
			h++;
			continue;
		}
		sscanf(h, "%2hhx", &out[n++]);
		h += 2;
	}
	return n;
}

/* ---------------------------------------------------------------- */

static void check_digest(int alg, const void *msg, size_t len,
			 const char *hex)
{
	struct ak_session *s = ak_test_sw(alg);
	struct ak_digest *d;
	uint8_t exp[64], out[64];
	size_t n = unhex(hex, exp), ol = sizeof(out);

	CU_ASSERT_EQUAL(ak_digest(s, msg, len, out, &ol), 0);
	CU_ASSERT_EQUAL(ol, n);
	CU_ASSERT_EQUAL(memcmp(out, exp, n), 0);
	/* init/update/final in odd pieces, twice (reuse after final) */
	CU_ASSERT_EQUAL_FATAL(ak_digest_new(s, &d), 0);
	for (int round = 0; round < 2; round++) {
		size_t off = 0, step = 1;

		while (off < len) {
			size_t k = len - off < step ? len - off : step;

			CU_ASSERT_EQUAL(ak_digest_update(d, (const uint8_t *)msg + off, k), 0);
			off += k;
			step = step * 3 + 1;
		}
		ol = sizeof(out);
		memset(out, 0, sizeof(out));
		CU_ASSERT_EQUAL(ak_digest_final(d, out, &ol), 0);
		CU_ASSERT_EQUAL(memcmp(out, exp, n), 0);
	}
	ol = n - 1;
	CU_ASSERT_EQUAL(ak_digest_final(d, out, &ol), -ENOSPC);
	CU_ASSERT_EQUAL(ol, n);
	ak_digest_free(d);
	ol = n - 1;
	CU_ASSERT_EQUAL(ak_digest(s, msg, len, out, &ol), -ENOSPC);
	CU_ASSERT_EQUAL(ol, n);
	ak_session_close(s);
}

static void t_sha(void)
{
	static const char m448[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char m896[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char *ma = malloc(1000000);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ma);
	memset(ma, 'a', 1000000);
	check_digest(AK_ALG_SHA256, "abc", 3,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_digest(AK_ALG_SHA256, "", 0,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_digest(AK_ALG_SHA256, m448, strlen(m448),
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_digest(AK_ALG_SHA256, m896, strlen(m896),
		"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	check_digest(AK_ALG_SHA256, ma, 1000000,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	check_digest(AK_ALG_SHA512, "abc", 3,
		"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	check_digest(AK_ALG_SHA512, "", 0,
		"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
	check_digest(AK_ALG_SHA512, m448, strlen(m448),
		"204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
		"96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
	check_digest(AK_ALG_SHA512, m896, strlen(m896),
		"8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
		"501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
	check_digest(AK_ALG_SHA512, ma, 1000000,
		"e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
		"de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
	free(ma);
}

static void t_hmac(void)
{
	static const struct {
		const char *key, *data, *mac;	/* hex */
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	};
	static const char d6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char d7[] = "This is a test using a larger than block-size key "
		"and a larger than block-size data. The key needs to be hashed "
		"before being used by the HMAC algorithm.";
	struct ak_session *s = ak_test_sw(AK_ALG_HMAC_SHA256);
	uint8_t key[131], data[64], exp[32], out[32];
	size_t kl, dl, ol;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		kl = unhex(v[i].key, key);
		dl = unhex(v[i].data, data);
		unhex(v[i].mac, exp);
		ol = sizeof(out);
		CU_ASSERT_EQUAL(ak_hmac(s, key, kl, data, dl, out, &ol), 0);
		CU_ASSERT_EQUAL(ol, 32);
		CU_ASSERT_EQUAL(memcmp(out, exp, 32), 0);
	}
	memset(key, 0xaa, sizeof(key));
	ol = 32;
	unhex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", exp);
	CU_ASSERT_EQUAL(ak_hmac(s, key, 131, d6, strlen(d6), out, &ol), 0);
	CU_ASSERT_EQUAL(memcmp(out, exp, 32), 0);
	unhex("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", exp);
	CU_ASSERT_EQUAL(ak_hmac(s, key, 131, d7, strlen(d7), out, &ol), 0);
	CU_ASSERT_EQUAL(memcmp(out, exp, 32), 0);
	ol = 32;
	CU_ASSERT_EQUAL(ak_hmac(s, key, 0, d7, 3, out, &ol), -EINVAL);
	ol = 31;
	CU_ASSERT_EQUAL(ak_hmac(s, key, 1, d7, 3, out, &ol), -ENOSPC);
	CU_ASSERT_EQUAL(ol, 32);
	ak_session_close(s);
}

/* ---------------------------------------------------------------- */

static const char PT[] =
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const char K128[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char K256[] =
	"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";

static void check_cipher(int alg, const char *khex, const char *ivhex,
			 const char *pthex, const char *cthex)
{
	struct ak_session *s = ak_test_sw(alg);
	uint8_t key[64], iv[16], pt[512], ct[512], out[512];
	size_t kl = unhex(khex, key), n = unhex(pthex, pt), ol;

	unhex(ivhex, iv);
	CU_ASSERT_EQUAL(unhex(cthex, ct), n);
	ol = sizeof(out);
	CU_ASSERT_EQUAL(ak_encrypt(s, key, kl, iv, 16, pt, n, out, &ol, 0), 0);
	CU_ASSERT_EQUAL(ol, n);
	CU_ASSERT_EQUAL(memcmp(out, ct, n), 0);
	ol = sizeof(out);
	CU_ASSERT_EQUAL(ak_decrypt(s, key, kl, iv, 16, ct, n, out, &ol, 0), 0);
	CU_ASSERT_EQUAL(memcmp(out, pt, n), 0);
	/* in place */
	memcpy(out, pt, n);
	ol = n;
	CU_ASSERT_EQUAL(ak_encrypt(s, key, kl, iv, 16, out, n, out, &ol, 0), 0);
	CU_ASSERT_EQUAL(memcmp(out, ct, n), 0);
	ol = n - 1;
	CU_ASSERT_EQUAL(ak_encrypt(s, key, kl, iv, 16, pt, n, out, &ol, 0), -ENOSPC);
	CU_ASSERT_EQUAL(ol, n);
	ak_session_close(s);
}

static void t_aes_cbc_ctr(void)
{
	const char *iv = "000102030405060708090a0b0c0d0e0f";
	const char *ctr = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

	check_cipher(AK_ALG_AES_CBC, K128, iv, PT,	/* F.2.1 */
		"7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
		"73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
	check_cipher(AK_ALG_AES_CBC, K256, iv, PT,	/* F.2.5 */
		"f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
		"39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
	check_cipher(AK_ALG_AES_CTR, K128, ctr, PT,	/* F.5.1 */
		"874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		"5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
	check_cipher(AK_ALG_AES_CTR, K256, ctr, PT,	/* F.5.5 */
		"601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
		"2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6");
}

static void t_aes_xts(void)
{
	struct ak_session *s = ak_test_sw(AK_ALG_AES_XTS);
	uint8_t key[64] = { 0 }, iv[16] = { 0 }, pt[32] = { 0 }, out[32];
	size_t ol = sizeof(out);
	int r;

	/* IEEE 1619 vector 1 (both key halves zero). OpenSSL 3 rejects
	 * equal halves (the device uses the same library): -EINVAL. If the
	 * library accepts them, the answer must be the standard's. */
	r = ak_encrypt(s, key, 32, iv, 16, pt, 32, out, &ol, 0);
	if (r == 0) {
		uint8_t exp[32];

		unhex("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e", exp);
		CU_ASSERT_EQUAL(memcmp(out, exp, 32), 0);
	} else {
		CU_ASSERT_EQUAL(r, -EINVAL);
	}
	ak_session_close(s);
	/* Vector 2 (XTS-AES-128) */
	check_cipher(AK_ALG_AES_XTS,
		"1111111111111111111111111111111122222222222222222222222222222222",
		"33333333330000000000000000000000",
		"4444444444444444444444444444444444444444444444444444444444444444",
		"c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0");
	/* Vector 10 (XTS-AES-256), data unit 0xff, first 32 bytes of 512 */
	{
		uint8_t k[64], tw[16] = { 0xff }, p[512], c[512], e[32];
		size_t l = sizeof(c);

		s = ak_test_sw(AK_ALG_AES_XTS);
		unhex("2718281828459045235360287471352662497757247093699959574966967627"
		      "3141592653589793238462643383279502884197169399375105820974944592", k);
		for (int i = 0; i < 512; i++)
			p[i] = (uint8_t)i;
		CU_ASSERT_EQUAL(ak_encrypt(s, k, 64, tw, 16, p, 512, c, &l, 0), 0);
		unhex("1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b", e);
		CU_ASSERT_EQUAL(memcmp(c, e, 32), 0);
		l = sizeof(p);
		CU_ASSERT_EQUAL(ak_decrypt(s, k, 64, tw, 16, c, 512, p, &l, 0), 0);
		CU_ASSERT_EQUAL(p[511], 255);
		CU_ASSERT_EQUAL(ak_encrypt(s, k, 64, tw, 16, p, 15, c, &l, 0), -EINVAL);
		ak_session_close(s);
	}
}

static void t_cbc_pkcs7(void)
{
	struct ak_session *s = ak_test_sw(AK_ALG_AES_CBC);
	uint8_t key[32], iv[16], pt[80], ct[96], out[96], blk[16];
	size_t ol;

	unhex(K256, key);
	memset(iv, 7, 16);
	for (int i = 0; i < 80; i++)
		pt[i] = (uint8_t)(i * 7);
	for (size_t n = 0; n <= 64; n++) {
		size_t need = (n / 16 + 1) * 16;

		ol = need - 1;
		CU_ASSERT_EQUAL(ak_encrypt(s, key, 32, iv, 16, pt, n, ct, &ol, AK_CF_PKCS7), -ENOSPC);
		CU_ASSERT_EQUAL(ol, need);
		ol = need;
		CU_ASSERT_EQUAL(ak_encrypt(s, key, 32, iv, 16, pt, n, ct, &ol, AK_CF_PKCS7), 0);
		CU_ASSERT_EQUAL(ol, need);
		/* last block decrypts to the padding */
		ol = 16;
		CU_ASSERT_EQUAL(ak_decrypt(s, key, 32, need >= 32 ? ct + need - 32 : iv, 16,
					   ct + need - 16, 16, blk, &ol, 0), 0);
		CU_ASSERT_EQUAL(blk[15], need - n);
		ol = n;
		CU_ASSERT_EQUAL(ak_decrypt(s, key, 32, iv, 16, ct, need, out, &ol, AK_CF_PKCS7), 0);
		CU_ASSERT_EQUAL(ol, n);
		CU_ASSERT_EQUAL(memcmp(out, pt, n), 0);
		if (n) {
			ol = n - 1;
			CU_ASSERT_EQUAL(ak_decrypt(s, key, 32, iv, 16, ct, need, out, &ol, AK_CF_PKCS7), -ENOSPC);
			CU_ASSERT_EQUAL(ol, n);
		}
	}
	/* bad padding */
	memset(out, 0x5a, sizeof(out));
	ol = sizeof(out);
	CU_ASSERT_EQUAL(ak_encrypt(s, key, 32, iv, 16, pt, 32, ct, &ol, 0), 0);
	ol = sizeof(out);
	CU_ASSERT_EQUAL(ak_decrypt(s, key, 32, iv, 16, ct, 32, out, &ol, AK_CF_PKCS7), -EBADMSG);
	CU_ASSERT_EQUAL(out[0], 0x5a);	/* nothing written */
	ol = sizeof(out);
	CU_ASSERT_EQUAL(ak_decrypt(s, key, 32, iv, 16, ct, 31, out, &ol, AK_CF_PKCS7), -EINVAL);
	CU_ASSERT_EQUAL(ak_encrypt(s, key, 32, iv, 16, pt, 31, ct, &ol, 0), -EINVAL);
	CU_ASSERT_EQUAL(ak_encrypt(s, key, 24, iv, 16, pt, 32, ct, &ol, 0), -EINVAL);
	CU_ASSERT_EQUAL(ak_encrypt(s, key, 32, iv, 12, pt, 32, ct, &ol, 0), -EINVAL);
	ak_session_close(s);
}

static void check_gcm(const char *k, const char *a, const char *p,
		      const char *c, const char *t)
{
	struct ak_session *s = ak_test_sw(AK_ALG_AES_GCM);
	uint8_t key[32], iv[12], aad[32], pt[64], ct[64], tag[16], out[64], ot[16];
	size_t kl = unhex(k, key), al = unhex(a, aad), n = unhex(p, pt);

	unhex("cafebabefacedbaddecaf888", iv);
	unhex(c, ct);
	unhex(t, tag);
	CU_ASSERT_EQUAL(ak_aead_encrypt(s, key, kl, iv, 12, al ? aad : NULL, al, pt, n, out, ot), 0);
	CU_ASSERT_EQUAL(memcmp(out, ct, n), 0);
	CU_ASSERT_EQUAL(memcmp(ot, tag, 16), 0);
	CU_ASSERT_EQUAL(ak_aead_decrypt(s, key, kl, iv, 12, aad, al, ct, n, out, tag), 0);
	CU_ASSERT_EQUAL(memcmp(out, pt, n), 0);
	tag[3] ^= 1;
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(ak_aead_decrypt(s, key, kl, iv, 12, aad, al, ct, n, out, tag), -EBADMSG);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(out[i], 0);	/* no plaintext */
	CU_ASSERT_EQUAL(ak_aead_decrypt(s, key, kl, iv, 16, aad, al, ct, n, out, tag), -EINVAL);
	ak_session_close(s);
}

static void t_gcm(void)
{
	const char *k128 = "feffe9928665731c6d6a8f9467308308";
	const char *k256 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
	const char *p64 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
			  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
	const char *p60 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
			  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	const char *aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

	check_gcm(k128, "", p64,	/* test case 3 */
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
		  "4d5c2af327cd64a62cf35abd2ba6fab4");
	check_gcm(k128, aad, p60,	/* test case 4 */
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
		  "5bc94fbc3221a5db94fae95ae7121a47");
	check_gcm(k256, "", p64,	/* test case 15 */
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
		  "b094dac5d93471bdec1a502270e3cc6c");
	check_gcm(k256, aad, p60,	/* test case 16 */
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
		  "76fc6ece0f4e1768cddf8853bb2d551b");
}

/* ---------------------------------------------------------------- */
/* Compression                                                       */

static int cb_count;

static void cb(struct ak_req *r)
{
	(void)r;
	cb_count++;
}

static void t_async(void)
{
	struct ak_session *s = ak_test_sw(AK_ALG_SHA256);
	struct ak_req req[8], *rp[8];
	uint8_t out[8][32], exp[32];
	size_t el = 32;

	CU_ASSERT_EQUAL(ak_alg_poll(s, 0), -ENOMSG);
	CU_ASSERT_EQUAL(ak_digest(s, "abc", 3, exp, &el), 0);
	memset(req, 0, sizeof(req));
	for (int i = 0; i < 8; i++) {
		req[i].op = AK_REQ_DIGEST;
		req[i].src = "abc";
		req[i].len = 3;
		req[i].dst = out[i];
		req[i].dst_len = i == 7 ? 8 : 32;
		req[i].cb = cb;
		rp[i] = &req[i];
	}
	cb_count = 0;
	CU_ASSERT_EQUAL(ak_alg_submit_batch(s, rp, 8), 8);
	CU_ASSERT_EQUAL(ak_alg_pending(s), 8);
	CU_ASSERT_EQUAL(cb_count, 0);	/* only from poll */
	CU_ASSERT_EQUAL(ak_alg_poll(s, -1), 8);
	CU_ASSERT_EQUAL(cb_count, 8);
	CU_ASSERT_EQUAL(ak_alg_pending(s), 0);
	for (int i = 0; i < 7; i++) {
		CU_ASSERT_EQUAL(req[i].status, 0);
		CU_ASSERT_EQUAL(memcmp(out[i], exp, 32), 0);
	}
	CU_ASSERT_EQUAL(req[7].status, -ENOSPC);
	CU_ASSERT_EQUAL(req[7].out_len, 32);
	req[0].op = AK_REQ_COMPRESS;	/* wrong for the session */
	CU_ASSERT_EQUAL(ak_alg_submit(s, &req[0]), -EINVAL);
	ak_session_close(s);
}

static void t_paths(void)
{
	struct ak_session *s;
	char *old = getenv("AK_PATH") ? strdup(getenv("AK_PATH")) : NULL;

	CU_ASSERT_STRING_EQUAL(ak_alg_name(AK_ALG_AES_GCM), "gcm(aes)");
	CU_ASSERT_STRING_EQUAL(ak_alg_name(AK_ALG_HMAC_SHA256), "hmac(sha256)");
	CU_ASSERT_EQUAL(ak_alg_from_name("xts(aes)"), AK_ALG_AES_XTS);
	CU_ASSERT_EQUAL(ak_alg_from_name("nope"), -EINVAL);
	CU_ASSERT_PTR_NULL(ak_alg_name(0));
	CU_ASSERT_STRING_EQUAL(ak_path_name(AK_PATH_SOFTWARE), "software");

	setenv("AK_PATH", "software", 1);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_SHA256, NULL, 0, &s), 0);
	CU_ASSERT_EQUAL(ak_session_path(s), AK_PATH_SOFTWARE);
	CU_ASSERT_STRING_EQUAL(ak_session_node(s), "");
	ak_session_close(s);
	setenv("AK_PATH", "bogus", 1);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_SHA256, NULL, 0, &s), -EINVAL);
	CU_ASSERT_PTR_NULL(s);
	/* explicit flag wins over the environment */
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE, &s), 0);
	ak_session_close(s);
	/* no device on the host (empty fake sysfs): device only fails,
	 * auto falls back to software */
	setenv("AK_SYSFS_ROOT", "/nonexistent-ak-root", 1);
	unsetenv("AK_PATH");
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_GZIP, NULL, AK_SF_DEVICE, &s), -ENODEV);
	setenv("AK_PATH", "device", 1);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_GZIP, NULL, 0, &s), -ENODEV);
	setenv("AK_PATH", "auto", 1);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_GZIP, NULL, 0, &s), 0);
	CU_ASSERT_EQUAL(ak_session_path(s), AK_PATH_SOFTWARE);
	ak_session_close(s);
	CU_ASSERT_EQUAL(ak_session_open(AK_ALG_GZIP, NULL, AK_SF_DEVICE | AK_SF_SOFTWARE, &s), -EINVAL);
	unsetenv("AK_SYSFS_ROOT");
	if (old)
		setenv("AK_PATH", old, 1);
	else
		unsetenv("AK_PATH");
	free(old);
}

static void t_fork(void)
{
	struct ak_session *s = ak_test_sw(AK_ALG_SHA256);
	struct ak_digest *d;
	uint8_t a[32], b[32];
	size_t l = 32;
	pid_t pid;
	int st;

	CU_ASSERT_EQUAL_FATAL(ak_digest_new(s, &d), 0);
	CU_ASSERT_EQUAL(ak_digest_update(d, "ab", 2), 0);
	CU_ASSERT_EQUAL(ak_digest(s, "abc", 3, a, &l), 0);
	pid = fork();
	if (pid == 0) {
		/* software digest begun in the parent continues here */
		int ok = ak_digest_update(d, "c", 1) == 0 &&
			 ak_digest_final(d, b, &l) == 0 && !memcmp(a, b, 32);

		_exit(ok ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ak_digest_free(d);
	ak_session_close(s);
}

int add_alg_sw_suite(void)
{
	static const struct ak_test t[] = {
		{ "SHA-256/512 FIPS 180-4 vectors", t_sha },
		{ "HMAC-SHA-256 RFC 4231 1-4,6,7", t_hmac },
		{ "AES CBC/CTR SP 800-38A", t_aes_cbc_ctr },
		{ "AES XTS IEEE 1619", t_aes_xts },
		{ "AES CBC PKCS#7", t_cbc_pkcs7 },
		{ "AES GCM test cases 3,4,15,16", t_gcm },
		{ "async requests and batch", t_async },
		{ "path selection", t_paths },
		{ "fork", t_fork },
		{ NULL, NULL },
	};

	return ak_add_suite("alg_sw", NULL, NULL, t);
}
