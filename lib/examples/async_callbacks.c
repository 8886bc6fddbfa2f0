/* Many digests in flight, results through callbacks (docs/library.md). */
#include <libaccelkit.h>
#include <stdio.h>
#include <string.h>

#define N 16

static int done;

static void finished(struct ak_req *req)
{
	const unsigned char *md = req->dst;

	/* req->status: 0 or negative errno; req->user: ours. */
	if (req->status == 0)
		printf("block %2d: %02x%02x%02x%02x...\n", *(int *)req->user,
		       md[0], md[1], md[2], md[3]);
	else
		printf("block %2d: %s\n", *(int *)req->user,
		       ak_strerror(req->status));
	done++;
}

int main(void)
{
	static char data[N][4096];
	static unsigned char md[N][AK_SHA256_LEN];
	struct ak_req req[N], *reqs[N];
	struct ak_session *s;
	int id[N], r, sent;

	r = ak_session_open2(NULL, AK_ALG_SHA256, AK_SF_AUTO, &s);
	if (r < 0) {
		fprintf(stderr, "ak_session_open2: %s\n", ak_strerror(r));
		return 1;
	}
	memset(req, 0, sizeof(req));	/* unused fields must be 0 */
	for (int i = 0; i < N; i++) {
		memset(data[i], 'a' + i, sizeof(data[i]));
		id[i] = i;
		req[i].op = AK_REQ_DIGEST;
		req[i].src = data[i];
		req[i].len = sizeof(data[i]);
		req[i].dst = md[i];
		req[i].dst_len = sizeof(md[i]);
		req[i].cb = finished;
		req[i].user = &id[i];
		reqs[i] = &req[i];
	}
	/* Buffers and requests stay untouched until delivered. */
	sent = ak_alg_submit_batch(s, reqs, N);
	if (sent < N) {
		fprintf(stderr, "submitted %d of %d\n", sent, N);
		return 1;
	}
	while (done < N) {
		r = ak_alg_poll(s, -1);	/* callbacks run in here */
		if (r < 0) {
			fprintf(stderr, "ak_alg_poll: %s\n", ak_strerror(r));
			return 1;
		}
	}
	ak_session_close(s);
	return 0;
}
