/* The check of gcm_stream (not an example): OpenSSL's AES-128-GCM of all
 * of stdin with gcm_stream's key, nonce and AAD, in one piece. Prints the
 * ciphertext, or with --tag the tag as gcm_stream prints it. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	static const unsigned char key[16] = "0123456789abcdef";
	static const unsigned char nonce[12] = "stream nonce";
	unsigned char *in = NULL, *out, tag[16];
	size_t len = 0, cap = 0, n;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l, ok;

	do {
		if (len == cap && !(in = realloc(in, cap = cap * 2 + 65536)))
			return 2;
		n = fread(in + len, 1, cap - len, stdin);
		len += n;
	} while (n);
	out = malloc(len + 16);
	ok = c && out && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce) &&
	     EVP_EncryptUpdate(c, NULL, &l, (const unsigned char *)"v1", 2) &&
	     EVP_EncryptUpdate(c, out, &l, in, (int)len) &&
	     EVP_EncryptFinal_ex(c, out + l, &l) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	if (!ok)
		return 2;
	if (argc > 1 && !strcmp(argv[1], "--tag")) {
		for (n = 0; n < 16; n++)
			printf("%02x", tag[n]);
		printf("\n");
	} else {
		fwrite(out, 1, len, stdout);
	}
	EVP_CIPHER_CTX_free(c);
	free(in);
	free(out);
	return 0;
}
