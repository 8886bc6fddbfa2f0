/* AES-128-GCM over a stream of any length: encrypt stdin to stdout in
 * 64 KiB pieces, then print the tag on stderr (docs/library.md). */
#include <libaccelkit.h>
#include <stdio.h>

int main(void)
{
	static const unsigned char key[16] = "0123456789abcdef";
	static const unsigned char nonce[AK_GCM_NONCE_LEN] = "stream nonce";
	static unsigned char in[65536], out[65536];
	unsigned char tag[AK_GCM_TAG_LEN];
	struct ak_cipher_stream *cs = NULL;
	struct ak_session *s;
	size_t n, done;
	int r;

	r = ak_session_open2(NULL, AK_ALG_AES_GCM, AK_SF_AUTO, &s);
	if (!r)
		r = ak_cipher_stream_new(s, AK_ENCRYPT, key, sizeof(key), nonce,
					 sizeof(nonce), &cs);
	if (!r)
		r = ak_cipher_stream_aad(cs, "v1", 2);
	while (!r && (n = fread(in, 1, sizeof(in), stdin)) > 0) {
		/* GCM writes exactly n bytes per update, whatever n is. */
		r = ak_cipher_stream_update(cs, in, n, out, &done);
		if (!r && fwrite(out, 1, done, stdout) != done)
			r = -5;	/* -EIO */
	}
	if (!r && ferror(stdin))
		r = -5;
	if (!r)
		r = ak_cipher_stream_final(cs, tag, sizeof(tag));
	if (!r) {
		for (n = 0; n < sizeof(tag); n++)
			fprintf(stderr, "%02x", tag[n]);
		fprintf(stderr, "\n");
	} else {
		fprintf(stderr, "gcm_stream: %s\n", ak_strerror(r));
	}
	ak_cipher_stream_free(cs);
	ak_session_close(s);
	return r ? 1 : 0;
}
