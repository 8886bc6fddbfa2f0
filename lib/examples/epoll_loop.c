/* An event loop with epoll: compression requests complete while the
 * loop also watches other fds (here: none but ours) (docs/library.md). */
#include <errno.h>
#include <libaccelkit.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#define N 8

int main(void)
{
	static char in[N][65536];
	static unsigned char out[N][70000];
	struct ak_req req[N];
	struct epoll_event ev = { .events = EPOLLIN }, got;
	struct ak_session *s;
	int ep, fd, r, left = N;

	r = ak_session_open2(NULL, AK_ALG_ZLIB, AK_SF_AUTO, &s);
	if (r < 0) {
		fprintf(stderr, "ak_session_open2: %s\n", ak_strerror(r));
		return 1;
	}
	fd = ak_session_fd(s);	/* readable: ak_alg_poll() has work */
	ep = epoll_create1(0);
	ev.data.ptr = s;
	if (fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		fprintf(stderr, "cannot watch the session\n");
		return 1;
	}
	memset(req, 0, sizeof(req));
	for (int i = 0; i < N; i++) {
		memset(in[i], 'A' + i, sizeof(in[i]));
		req[i].op = AK_REQ_COMPRESS;
		req[i].level = AK_DEFAULT_COMPRESSION;
		req[i].src = in[i];
		req[i].len = sizeof(in[i]);
		req[i].dst = out[i];
		req[i].dst_len = sizeof(out[i]);
		if (ak_alg_submit(s, &req[i]) < 0)
			return 1;
	}
	while (left > 0) {
		if (epoll_wait(ep, &got, 1, 10000) != 1) {
			fprintf(stderr, "no completion within 10 s\n");
			return 1;
		}
		/* Deliver everything ready, without blocking. */
		while ((r = ak_alg_poll(got.data.ptr, 0)) > 0)
			left -= r;
		if (r < 0 && r != -ENOMSG) {
			fprintf(stderr, "ak_alg_poll: %s\n", ak_strerror(r));
			return 1;
		}
	}
	for (int i = 0; i < N; i++)
		printf("request %d: %s, %zu bytes\n", i,
		       ak_strerror(req[i].status), req[i].out_len);
	ak_session_close(s);
	return 0;
}
