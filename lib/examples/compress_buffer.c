/* Compress a buffer to gzip and back (docs/library.md). */
#include <libaccelkit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct ak_session *s;
	size_t len = 1 << 20, clen, dlen;
	char *src = malloc(len), *dst = malloc(len);
	unsigned char *gz;
	int r;

	for (size_t i = 0; i < len; i++)	/* something compressible */
		src[i] = "accelkit compresses this line\n"[i % 30];

	/* Device if one offers gzip, else software ($AK_PATH can force). */
	r = ak_session_open2(NULL, AK_ALG_GZIP, AK_SF_AUTO, &s);
	if (r < 0) {
		fprintf(stderr, "ak_session_open2: %s\n", ak_strerror(r));
		return 1;
	}
	clen = ak_compress_bound(s, len);
	gz = malloc(clen);
	r = ak_compress(s, AK_DEFAULT_COMPRESSION, src, len, gz, &clen);
	if (r < 0) {
		fprintf(stderr, "ak_compress: %s\n", ak_strerror(r));
		return 1;
	}
	dlen = len;
	r = ak_decompress(s, gz, clen, dst, &dlen, NULL);
	if (r < 0 || dlen != len || memcmp(src, dst, len)) {
		fprintf(stderr, "round trip failed: %s\n", ak_strerror(r));
		return 1;
	}
	printf("%zu bytes -> %zu bytes of gzip on the %s path\n", len, clen,
	       ak_path_name(ak_session_path(s)));
	ak_session_close(s);
	free(src);
	free(dst);
	free(gz);
	return 0;
}
