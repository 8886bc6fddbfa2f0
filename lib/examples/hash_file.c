/* Print the SHA-256 of a file like sha256sum (docs/library.md). */
#include <errno.h>
#include <libaccelkit.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	unsigned char md[AK_SHA256_LEN];
	size_t n, mdlen = sizeof(md);
	struct ak_session *s;
	struct ak_digest *d;
	FILE *f;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	r = ak_session_open2(NULL, AK_ALG_SHA256, AK_SF_AUTO, &s);
	if (!r)
		r = ak_digest_new(s, &d);
	if (r < 0) {
		fprintf(stderr, "accelkit: %s\n", ak_strerror(r));
		return 1;
	}
	while (!r && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		r = ak_digest_update(d, buf, n);	/* any sizes */
	if (!r && ferror(f))
		r = -EIO;
	if (!r)
		r = ak_digest_final(d, md, &mdlen);
	ak_digest_free(d);
	ak_session_close(s);
	fclose(f);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], ak_strerror(r));
		return 1;
	}
	for (size_t i = 0; i < mdlen; i++)
		printf("%02x", md[i]);
	printf("  %s\n", argv[1]);
	return 0;
}
