/* AES-256-GCM: encrypt, decrypt, detect tampering (docs/library.md). */
#include <errno.h>
#include <libaccelkit.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	/* Never reuse a (key, nonce) pair: take both from a real source. */
	static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
	static const unsigned char nonce[AK_GCM_NONCE_LEN] = "unique nonce";
	static const char aad[] = "header, authenticated not encrypted";
	static const char msg[] = "attack at dawn";
	unsigned char ct[sizeof(msg)], pt[sizeof(msg)];
	unsigned char tag[AK_GCM_TAG_LEN];
	struct ak_session *s;
	int r;

	r = ak_session_open2(NULL, AK_ALG_AES_GCM, AK_SF_AUTO, &s);
	if (r < 0) {
		fprintf(stderr, "ak_session_open2: %s\n", ak_strerror(r));
		return 1;
	}
	r = ak_aead_encrypt(s, key, sizeof(key), nonce, sizeof(nonce), aad,
			    strlen(aad), msg, sizeof(msg), ct, tag);
	if (!r)
		r = ak_aead_decrypt(s, key, sizeof(key), nonce, sizeof(nonce),
				    aad, strlen(aad), ct, sizeof(ct), pt, tag);
	if (r < 0 || memcmp(pt, msg, sizeof(msg))) {
		fprintf(stderr, "GCM round trip: %s\n", ak_strerror(r));
		return 1;
	}
	ct[0] ^= 1;	/* one flipped bit: the tag no longer matches */
	r = ak_aead_decrypt(s, key, sizeof(key), nonce, sizeof(nonce), aad,
			    strlen(aad), ct, sizeof(ct), pt, tag);
	printf("tampered ciphertext: %s\n", ak_strerror(r));
	ak_session_close(s);
	return r == -EBADMSG ? 0 : 1;
}
