/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaccelkit algorithm API: sessions, compression, digests, ciphers and
 * asynchronous requests. Part of <libaccelkit.h>, which includes it inside
 * its extern "C" block after the queue API; do not include it directly.
 */
#ifndef LIBACCELKIT_ALG_H
#define LIBACCELKIT_ALG_H

#ifndef LIBACCELKIT_H_INSIDE
#error "include <libaccelkit.h>, not <libaccelkit-alg.h>"
#endif

/* =====================================================================
 * Algorithm API (1.1): compression, digests, ciphers
 * =====================================================================
 *
 * Sessions
 * --------
 * A *session* runs one algorithm (enum ak_alg) on one *path*:
 *   - device:   jobs go to an accelkit queue (opcodes COMPRESS, DECOMPRESS,
 *               HASH, CIPHER of docs/device.md), opened on a device whose
 *               sysfs "algorithms" attribute lists ak_alg_name(alg);
 *   - software: zlib and OpenSSL libcrypto in the calling thread, with the
 *               SAME calls and parameters the device engines use, so the
 *               output is byte-identical (one-shot operations; see the
 *               streaming notes for chunked streams).
 *
 * Path selection (decided once, at ak_session_open()):
 *   1. An explicit session flag wins: AK_SF_DEVICE (device only: -ENODEV if
 *      no device offers the algorithm) or AK_SF_SOFTWARE (software only).
 *   2. Otherwise (AK_SF_AUTO) the environment variable AK_PATH decides:
 *      "device", "software", or "auto"; unset or empty means "auto"; any
 *      other value makes ak_session_open() fail with -EINVAL.
 *   3. auto: the device if one offers the algorithm and a queue on it can
 *      be opened, else software.
 * ak_session_path() tells which path was chosen.
 *
 * Threads: a session owns one queue and has no internal locking. Use one
 * session per thread (sessions are independent; open as many as needed).
 * Streams, digests and requests belong to their session and to its thread.
 *
 * fork(): a child never touches the parent's queue. Every call checks
 * getpid() against the pid that opened the queue; in a child the
 * inherited queue is dropped (its fd closed, nothing else touched) and a
 * new queue is opened lazily on first use (auto: software if that fails).
 * Device-path streams/digests begun before fork() cannot continue in the
 * child (-ESTALE); software-path ones can. Async requests pending at
 * fork() are forgotten in the child: their callbacks never run there, and
 * the child's copies read req->status -ECANCELED.
 *
 * Errors (negative errno, as everywhere in this library):
 *   -EINVAL   bad argument, wrong algorithm for the call, bad key/IV size,
 *             CBC length not a multiple of 16 without padding, ...
 *   -ENODEV   device path required and no device offers the algorithm;
 *   -EBADMSG  corrupt/truncated compressed input (offset reported), bad
 *             PKCS#7 padding, GCM tag mismatch;
 *   -ENOSPC   output buffer too small (bytes needed reported);
 *   -EMSGSIZE input larger than the operation allows (one-shot GCM >
 *             64 MiB: use a cipher stream; XTS data unit > 16 MiB);
 *   -ESTALE   device stream/digest used in a forked child;
 *   -EBADF    stream or digest whose session was closed;
 *   -EBUSY    request submitted again while still pending; no free device
 *             stream context (device-only sessions);
 *   -ECANCELED  request still pending when its session was closed;
 *   -EIO      the device failed the job (HW_ERROR) or the queue failed
 *             (ABORTED: a stuck queue or a device reset; a completion
 *             record that fails the library's checks; POLLERR). Only
 *             device-path sessions (AK_SF_DEVICE, AK_PATH=device) and
 *             device-side streams, digests and cipher streams see it:
 *             an auto session redoes the one-shot job in software (see
 *             "Device faults" below);
 *   -ENOMEM, -EFAULT, -ETIMEDOUT (a device job did not complete in
 *             AK_ALG_TIMEOUT_MS: the queue is closed and reopened on next
 *             use), other device errors as ak_status_errno().
 * ak_strerror() gives a message for each.
 *
 * Device faults (docs/library.md, "Errors and recovery"):
 *   - a job completing HW_ERROR: on an auto session the one-shot request
 *     is redone from the start in software (its dst fully rewritten) and
 *     completes with the software result and AK_REQ_FELL_BACK in
 *     req->rflags; the session stays on the device (the queue works on).
 *     Device-only: -EIO for that request.
 *   - a failed queue (see ak_queue_failed()): every request in flight or
 *     held back completes exactly once: auto: redone in software as
 *     above, and the session moves to software for good
 *     (ak_session_path() then says AK_PATH_SOFTWARE); device-only: -EIO,
 *     and the next call opens a new queue.
 *   - a redo is safe only if the device cannot have changed the input: a
 *     request whose dst overlaps its src (in place) gets -EIO instead.
 *   - a device-side stream, digest or cipher stream cannot be redone (its
 *     state was in the device): it fails with -EIO (sticky).
 * ak_session_fallbacks() counts the redone requests.
 */

/* Opaque handles of the algorithm API. */
struct ak_session;
struct ak_stream;
struct ak_digest;

/* Algorithms. ak_alg_name() gives the sysfs "algorithms" name. */
enum ak_alg {
	AK_ALG_DEFLATE = 1,	/* "deflate": raw deflate (RFC 1951) */
	AK_ALG_ZLIB,		/* "zlib": RFC 1950 framing */
	AK_ALG_GZIP,		/* "gzip": RFC 1952 framing */
	AK_ALG_SHA256,		/* "sha256" */
	AK_ALG_SHA512,		/* "sha512" */
	AK_ALG_HMAC_SHA256,	/* "hmac(sha256)" (one-shot only) */
	AK_ALG_AES_CBC,		/* "cbc(aes)": AES-128/256-CBC */
	AK_ALG_AES_CTR,		/* "ctr(aes)": AES-128/256-CTR */
	AK_ALG_AES_XTS,		/* "xts(aes)": XTS-AES-128/256 */
	AK_ALG_AES_GCM,		/* "gcm(aes)": AES-128/256-GCM (AEAD) */
};

/* Paths (ak_session_path()). */
enum ak_path {
	AK_PATH_AUTO = 0,	/* only as a request; never reported */
	AK_PATH_DEVICE = 1,
	AK_PATH_SOFTWARE = 2,
};

/* ak_session_open() flags */
#define AK_SF_AUTO	0x0000	/* path from $AK_PATH, default auto */
#define AK_SF_DEVICE	0x0001	/* device only (overrides $AK_PATH) */
#define AK_SF_SOFTWARE	0x0002	/* software only (overrides $AK_PATH) */
#define AK_SF_BUSY_POLL	0x0004	/* device queue opened AK_QF_BUSY_POLL */
#define AK_SF_SPIN	0x0008	/* device queue opened AK_QF_SPIN */

/* Sizes */
#define AK_SHA256_LEN		32
#define AK_SHA512_LEN		64
#define AK_DIGEST_MAX		64
#define AK_AES_BLOCK		16
#define AK_GCM_NONCE_LEN	12
#define AK_GCM_TAG_LEN		16
#define AK_GCM_MAX		(64ull << 20)	/* largest GCM message */
#define AK_XTS_MAX		(16ull << 20)	/* largest XTS data unit */
#define AK_HMAC_KEY_MAX		1024		/* HMAC key 1..1024 bytes */
#define AK_STREAM_MEM_MAX	(16u << 20)	/* per-stream buffer bound */
#define AK_ALG_TIMEOUT_MS	60000		/* per device job */

/* ak_alg_name - sysfs algorithm name ("deflate", "gzip", "zlib",
 * "sha256", "sha512", "hmac(sha256)", "cbc(aes)", "ctr(aes)",
 * "xts(aes)", "gcm(aes)"), or NULL for an unknown value. Thread-safe. */
AK_API const char *ak_alg_name(int alg);

/* ak_alg_from_name - inverse of ak_alg_name() (exact match); also accepts
 * "raw" for deflate. Returns the enum ak_alg value or -EINVAL. */
AK_API int ak_alg_from_name(const char *name);

/* ak_path_name - "auto", "device" or "software" (NULL if unknown). */
AK_API const char *ak_path_name(int path);

/*
 * ak_session_open - open a session for @alg.
 * @alg:   enum ak_alg.
 * @node:  device node to use for the device path, or NULL to choose one by
 *         ak_find_device(ak_alg_name(@alg)). Ignored on the software path.
 * @flags: AK_SF_* (DEVICE and SOFTWARE together, or unknown bits: -EINVAL).
 * @s:     receives the session (NULL on failure).
 * Path selection: see above. Returns 0; -EINVAL (arguments, bad $AK_PATH);
 * -ENODEV (device only and no device offers @alg); on the device-only path
 * any error of ak_queue_open(); -ENOMEM.
 */
AK_API int ak_session_open(int alg, const char *node, unsigned flags,
			   struct ak_session **s);

/*
 * ak_session_open2 - ak_session_open() with its arguments in the order of
 * ak_queue_open(): device node, then algorithm, flags, result. Identical
 * otherwise; new code should prefer it. (ak_session_open() keeps its
 * order and meaning: existing programs and binaries are unaffected.)
 */
AK_API int ak_session_open2(const char *node, int alg, unsigned flags,
			    struct ak_session **s);

/*
 * ak_session_close - end the session. NULL is a no-op.
 *   - Outstanding requests are completed: device jobs in flight are
 *     waited for and held-back requests are run, so no buffer is in use
 *     after this returns; each gets its real result in req->status (and
 *     out_len/err_offset), as do requests already finished and awaiting
 *     delivery (on the software path: all of them).
 *   - Requests that cannot complete (the queue failed or timed out
 *     meanwhile: that error; in a forked child, the parent's requests:
 *     -ECANCELED) get that status.
 *   - No callback runs: every request pending at close is final when this
 *     returns (its req->status is never -EINPROGRESS) and may be reused.
 *   - Streams and digests still open are cut loose: their calls fail with
 *     -EBADF (ak_stream_info() still reports the counters) and
 *     ak_stream_free()/ak_digest_free() still free them; their device
 *     contexts ended with the queue.
 * Then the queue is closed and the session freed.
 */
AK_API void ak_session_close(struct ak_session *s);

/* ak_session_path - AK_PATH_DEVICE or AK_PATH_SOFTWARE; -EINVAL if @s is
 * NULL. Stable for the session's life, except that an auto session turns
 * software when its queue cannot be reopened in a forked child or when
 * its queue failed (see "Device faults"). */
AK_API int ak_session_path(const struct ak_session *s);

/* ak_session_fallbacks - how many requests of @s the device failed
 * (HW_ERROR, failed queue) and the library redid in software (auto
 * sessions only; see "Device faults"). 0 for NULL. */
AK_API uint64_t ak_session_fallbacks(const struct ak_session *s);

/* ak_session_alg - the session's enum ak_alg; -EINVAL if @s is NULL. */
AK_API int ak_session_alg(const struct ak_session *s);

/* ak_session_node - device node of the session's queue ("" on the software
 * path). Never NULL for a non-NULL @s; valid until ak_session_close(). */
AK_API const char *ak_session_node(const struct ak_session *s);

/* ---------------------------------------------------------------------
 * Compression (sessions of AK_ALG_DEFLATE, AK_ALG_ZLIB, AK_ALG_GZIP)
 *
 * The engine is zlib: deflateInit2(level, Z_DEFLATED, wbits, 8,
 * Z_DEFAULT_STRATEGY) with wbits -15 (raw), 15 (zlib) or 31 (gzip).
 * Levels follow zlib: 1 (fastest) .. 9 (best); AK_DEFAULT_COMPRESSION (-1,
 * zlib's Z_DEFAULT_COMPRESSION) means AK_LEVEL_DEFAULT (6);
 * AK_NO_COMPRESSION (0) stores (a valid stream of stored blocks, the
 * bytes of zlib's level 0). The device engine has levels 1..9: level 0
 * always runs on the software path (one-shot, request and stream alike,
 * also on an AK_SF_DEVICE session; storing needs no engine). Other values:
 * -EINVAL.
 * ------------------------------------------------------------------- */
#define AK_LEVEL_DEFAULT 6
#define AK_DEFAULT_COMPRESSION (-1)
#define AK_NO_COMPRESSION 0

/*
 * ak_compress - one-shot compression of @len bytes at @src into @dst.
 * @dst_len: in: capacity of @dst; out: bytes written on success, bytes
 *           needed on -ENOSPC (nothing useful in @dst then).
 * Inputs of any size work: on the device an input over the queue's
 * max_xfer is compressed as a stream (output then is a valid stream but
 * may differ from software's one-shot output).
 * Returns 0, -ENOSPC, -EINVAL, other errors as above.
 */
AK_API int ak_compress(struct ak_session *s, int level, const void *src,
		       size_t len, void *dst, size_t *dst_len);

/*
 * ak_decompress - one-shot decompression of @len bytes at @src into @dst.
 * The input must be exactly one complete stream; for gzip, any number
 * (>= 1) of concatenated members, whose outputs are concatenated.
 * @dst_len: in: capacity; out: bytes written (success) or bytes needed
 *           (-ENOSPC).
 * @err_off: may be NULL; on -EBADMSG receives the input offset where the
 *           data is corrupt (== @len for truncated input; the offset of
 *           trailing garbage after a complete raw/zlib stream).
 * Returns 0, -EBADMSG, -ENOSPC, -EINVAL, other errors.
 */
AK_API int ak_decompress(struct ak_session *s, const void *src, size_t len,
			 void *dst, size_t *dst_len, uint64_t *err_off);

/*
 * ak_compress_bound - an upper bound of the compressed size of @len bytes
 * for the session's framing (deflateBound plus margin); 0 if @s is not a
 * compression session.
 */
AK_API size_t ak_compress_bound(const struct ak_session *s, size_t len);

/* Streaming, bounded memory (at most AK_STREAM_MEM_MAX of buffers per
 * stream, whatever the input). Output is handed to a sink callback. */

/* Sink: consume @len bytes at @buf (valid only during the call). Return 0,
 * or a negative errno to abort: feed/finish then return it. */
typedef int (*ak_sink_fn)(void *arg, const void *buf, size_t len);

enum ak_stream_dir {
	AK_COMPRESS = 0,
	AK_DECOMPRESS = 1,
};

struct ak_stream_info {
	uint64_t total_in;	/* bytes fed so far */
	uint64_t total_out;	/* bytes handed to the sink so far */
	uint64_t err_offset;	/* -EBADMSG: input offset of the error */
	uint32_t members;	/* DECOMPRESS: complete streams/members seen */
	uint32_t ended;		/* DECOMPRESS: 1 if the input so far ends
				 * exactly at the end of a stream/member */
	uint64_t member_end;	/* DECOMPRESS: input offset just past the
				 * last complete stream/member (0: none);
				 * bytes from here on belong to no member
				 * (since 1.2; was reserved, zero) */
	uint32_t rsvd[2];
};

/*
 * ak_stream_new - create a (de)compression stream.
 * @dir:   AK_COMPRESS or AK_DECOMPRESS.
 * @level: AK_COMPRESS: -1..9 as above; ignored for AK_DECOMPRESS.
 * @sink:  output callback (required); @arg is passed to it.
 * Device path: the stream holds one of the queue's stream contexts (up to
 * 7 concurrent streams/digests per session; more: auto sessions run the
 * extra ones in software, device-only sessions get -EBUSY). It uses
 * FIRST/LAST jobs; input is staged in 1 MiB chunks; a job that would
 * overflow its output buffer (OVERFLOW) is retried with a larger buffer
 * (up to AK_STREAM_MEM_MAX) or with a smaller input piece.
 * Software path: zlib deflate()/inflate().
 * Decompression of gzip accepts multi-member input: after a member ends
 * the next bytes start a new member. For raw/zlib, bytes after the end of
 * the stream are an error (-EBADMSG at their offset).
 * Returns 0, -EINVAL, -EBUSY, -ENOMEM.
 * The stream belongs to @s: after ak_session_close(@s) its feed/finish
 * fail with -EBADF; free it with ak_stream_free() in any case.
 */
AK_API int ak_stream_new(struct ak_session *s, int dir, int level,
			 ak_sink_fn sink, void *arg, struct ak_stream **st);

/*
 * ak_stream_feed - feed @len input bytes (may be 0). Output produced so far
 * may be passed to the sink before this returns (or held until later).
 * Returns 0; -EBADMSG (corrupt input; ak_stream_info().err_offset); a
 * sink's error; device errors. After an error the stream only accepts
 * ak_stream_free().
 */
AK_API int ak_stream_feed(struct ak_stream *st, const void *src, size_t len);

/* ak_stream_flush() modes */
#define AK_FLUSH_SYNC	1	/* zlib's Z_SYNC_FLUSH */
#define AK_FLUSH_FULL	2	/* zlib's Z_FULL_FLUSH (dictionary reset) */

/*
 * ak_stream_flush - AK_COMPRESS streams: emit all output for the input fed
 * so far, byte-aligned and ending with zlib's sync-flush marker (the empty
 * stored block 00 00 ff ff), then go on. AK_FLUSH_FULL also resets the
 * dictionary (a decoder can start after this point). The output reaches
 * the sink before this returns. Device path: a COMPRESS job with FLUSH
 * (docs/device.md, contract 2.3); software: deflate(Z_SYNC_FLUSH /
 * Z_FULL_FLUSH). Both give zlib's bytes for the same sequence of calls;
 * a flush with no input fed since the previous one adds nothing.
 * Returns 0; -EINVAL (bad mode, AK_DECOMPRESS stream, finished stream);
 * -EBADF (session closed); -EOPNOTSUPP (a device stream on a device
 * without flush jobs, CAPS bit 19; the stream stays usable); a sink's
 * error; device errors (sticky).
 */
AK_API int ak_stream_flush(struct ak_stream *st, int mode);

/*
 * ak_stream_finish - end of input: flush everything to the sink.
 * AK_COMPRESS writes the final block and trailer. AK_DECOMPRESS checks
 * that the input ended at the end of a stream (gzip: of a member; and at
 * least one member): else -EBADMSG with err_offset = total_in (truncated).
 * Returns 0 or negative errno. The stream must then be freed.
 */
AK_API int ak_stream_finish(struct ak_stream *st);

/* ak_stream_info - counters and error offset. 0 or -EINVAL. */
AK_API int ak_stream_info(const struct ak_stream *st,
			  struct ak_stream_info *info);

/* ak_stream_free - release the stream (and its device context). NULL ok. */
AK_API void ak_stream_free(struct ak_stream *st);

/* ---------------------------------------------------------------------
 * Digests (sessions of AK_ALG_SHA256, AK_ALG_SHA512; HMAC: AK_ALG_HMAC_SHA256)
 * ------------------------------------------------------------------- */

/* ak_digest_size - 32 (SHA-256, HMAC-SHA-256), 64 (SHA-512), else 0. */
AK_API size_t ak_digest_size(int alg);

/*
 * ak_digest_new - start a digest (SHA-256/512 sessions only).
 * Device path: uses a stream context (HASH with FIRST/LAST; same limits
 * as streams; small updates are buffered in the library, 64 KiB).
 * Returns 0, -EINVAL, -EBUSY, -ENOMEM.
 * After ak_session_close(@s) update/final fail with -EBADF; free it with
 * ak_digest_free() in any case.
 */
AK_API int ak_digest_new(struct ak_session *s, struct ak_digest **d);

/* ak_digest_update - add @len bytes. 0 or negative errno. */
AK_API int ak_digest_update(struct ak_digest *d, const void *data, size_t len);

/*
 * ak_digest_final - write the digest to @out.
 * @out_len: in: capacity of @out; out: digest size. Capacity smaller than
 * the digest: -ENOSPC (*out_len = size needed; the digest stays open).
 * After success @d starts a new, empty message (reusable).
 */
AK_API int ak_digest_final(struct ak_digest *d, void *out, size_t *out_len);

/* ak_digest_free - release @d (an unfinished message is dropped). */
AK_API void ak_digest_free(struct ak_digest *d);

/*
 * ak_digest - one-shot digest of @len bytes (SHA-256/512 sessions); any
 * size. @out_len as ak_digest_final(). Returns 0 or negative errno.
 */
AK_API int ak_digest(struct ak_session *s, const void *data, size_t len,
		     void *out, size_t *out_len);

/*
 * ak_hmac - one-shot HMAC-SHA-256 (AK_ALG_HMAC_SHA256 sessions).
 * @key_len: 1..AK_HMAC_KEY_MAX (else -EINVAL). Any data size (on the
 * device, data over max_xfer is hashed with SHA-256 stream jobs per
 * RFC 2104 when the device offers sha256; else -EMSGSIZE).
 * @out_len as ak_digest_final() (32 bytes).
 */
AK_API int ak_hmac(struct ak_session *s, const void *key, size_t key_len,
		   const void *data, size_t len, void *out, size_t *out_len);

/* ---------------------------------------------------------------------
 * Ciphers (sessions of AK_ALG_AES_CBC, _CTR, _XTS; AEAD: AK_ALG_AES_GCM)
 *
 * Keys: CBC/CTR/GCM 16 or 32 bytes (AES-128/256); XTS 32 or 64 (two
 * halves, which must differ). IV: 16 bytes (CBC IV, CTR initial counter
 * block, XTS tweak); GCM nonce 12 bytes. @src and @dst may be the same
 * buffer (in place) or must not overlap.
 * Sizes: CBC and CTR any size (the library splits into device jobs of at
 * most max_xfer and chains: CBC next IV = last ciphertext block, CTR
 * counter block advanced by the 128-bit big-endian count of blocks done);
 * XTS one data unit of 16..AK_XTS_MAX bytes (ciphertext stealing for
 * non-multiples of 16); GCM one job, at most AK_GCM_MAX bytes of data
 * (and of AAD): -EMSGSIZE beyond (cipher streams, below, have no limit).
 * ------------------------------------------------------------------- */

/* ak_encrypt()/ak_decrypt() flags */
#define AK_CF_PKCS7	0x0001	/* CBC: add / check and strip PKCS#7 padding */

/* struct ak_req.rflags (set by the library at completion) */
#define AK_REQ_FELL_BACK 0x0001	/* the device failed this request (HW_ERROR
				 * or a failed queue); it was redone in
				 * software and its result is software's */

/*
 * ak_encrypt - encrypt @len bytes of @src into @dst (CBC, CTR, XTS).
 * @dst_len: in: capacity; out: bytes written (== @len, or for CBC with
 *   AK_CF_PKCS7: @len rounded up to the next multiple of 16, always adding
 *   1..16 bytes); -ENOSPC if too small (*dst_len = needed).
 * CBC without AK_CF_PKCS7: @len must be a multiple of 16 (-EINVAL).
 * Returns 0 or negative errno.
 */
AK_API int ak_encrypt(struct ak_session *s, const void *key, size_t key_len,
		      const void *iv, size_t iv_len, const void *src,
		      size_t len, void *dst, size_t *dst_len, unsigned flags);

/*
 * ak_decrypt - decrypt; as ak_encrypt(). CBC with AK_CF_PKCS7: @len must
 * be a non-zero multiple of 16; the padding is checked (-EBADMSG when
 * invalid, nothing written to @dst) and stripped (*dst_len = plaintext
 * bytes; capacity needed is only the plaintext size).
 */
AK_API int ak_decrypt(struct ak_session *s, const void *key, size_t key_len,
		      const void *iv, size_t iv_len, const void *src,
		      size_t len, void *dst, size_t *dst_len, unsigned flags);

/*
 * ak_aead_encrypt - AES-GCM: encrypt @len bytes (0..AK_GCM_MAX) of @src
 * into @dst (@len bytes), authenticating also @aad_len bytes of @aad (may
 * be NULL if 0); writes the 16-byte tag to @tag.
 * @nonce_len must be 12. Returns 0 or negative errno.
 */
AK_API int ak_aead_encrypt(struct ak_session *s, const void *key,
			   size_t key_len, const void *nonce, size_t nonce_len,
			   const void *aad, size_t aad_len, const void *src,
			   size_t len, void *dst, uint8_t tag[16]);

/*
 * ak_aead_decrypt - AES-GCM: verify @tag and decrypt. On tag mismatch
 * returns -EBADMSG and no plaintext is left in @dst (the device writes
 * nothing; the software path zeroes the @len bytes of @dst it used).
 */
AK_API int ak_aead_decrypt(struct ak_session *s, const void *key,
			   size_t key_len, const void *nonce, size_t nonce_len,
			   const void *aad, size_t aad_len, const void *src,
			   size_t len, void *dst, const uint8_t tag[16]);

/* ---------------------------------------------------------------------
 * Cipher streams (sessions of AK_ALG_AES_CBC, _CTR, _GCM): one message
 * fed in updates of any size, for EVP-style callers (the OpenSSL
 * provider). The total length of a stream is unbounded (no AK_GCM_MAX).
 *
 * Software path: OpenSSL EVP (EVP_CipherUpdate per update, padding off).
 * Device path:
 *   CBC, CTR: chained one-shot CIPHER jobs (as ak_encrypt()); CBC keeps
 *     a partial block in the library; CTR runs whole blocks on the device
 *     and, for a tail of r < 16 bytes, asks the device for one keystream
 *     block (the encryption of a zero block at the current counter), uses
 *     r bytes of it and keeps the rest for the next update.
 *   GCM: CIPHER jobs on one of the queue's stream contexts (FIRST, middle
 *     jobs, LAST: docs/device.md, "Stream contexts"); like streams and
 *     digests it takes one of the 7 contexts of the session: none free ->
 *     auto sessions run the stream in software, device-only ones -EBUSY.
 *     AAD is buffered in the library (up to 64 KiB) and sent with the
 *     first job; larger AAD goes in AAD-only jobs of at most max_xfer.
 * Plaintext of a GCM decrypt stream is released by each update before the
 * tag is checked (as with EVP): the caller must not use it unless
 * ak_cipher_stream_final() returns 0.
 * Buffers: dst == src (in place) is allowed for CTR and GCM, and for CBC
 * when no partial block is held (every update a multiple of 16);
 * otherwise src and dst must not overlap.
 * A stream belongs to its session and thread; after an error it accepts
 * only ak_cipher_stream_free(). A device GCM stream used in a forked
 * child fails with -ESTALE (CBC/CTR and software streams go on).
 * ------------------------------------------------------------------- */
struct ak_cipher_stream;

/* ak_cipher_stream_new() directions */
enum ak_cipher_dir {
	AK_ENCRYPT = 0,
	AK_DECRYPT = 1,
};

#define AK_GCM_TAG_MIN	4	/* shortest tag ak_cipher_stream_final() takes */

/*
 * ak_cipher_stream_new - start a stream on session @s (CBC, CTR or GCM).
 * @dir: AK_ENCRYPT or AK_DECRYPT.
 * @key_len: 16 or 32. @iv_len: 16 for CBC (IV) and CTR (initial counter
 * block, 128-bit big-endian counter); 12 for GCM (other nonce lengths:
 * -EINVAL). Key and IV are copied: the caller's buffers may go away.
 * Returns 0; -EINVAL (arguments, XTS/other sessions); -EBUSY (device-only
 * session with no free stream context); -EOPNOTSUPP (GCM, device-only
 * session, a device without GCM stream jobs: CAPS bit 18; an auto session
 * runs such a stream in software); -ENOMEM; session errors.
 */
AK_API int ak_cipher_stream_new(struct ak_session *s, int dir,
				const void *key, size_t key_len,
				const void *iv, size_t iv_len,
				struct ak_cipher_stream **cs);

/*
 * ak_cipher_stream_aad - GCM only: add @len bytes of additional
 * authenticated data. Any number of calls (of any size, 0 too), all
 * before the first ak_cipher_stream_update() with data (-EINVAL after
 * it, and for CBC/CTR streams). The total AAD is unbounded.
 */
AK_API int ak_cipher_stream_aad(struct ak_cipher_stream *cs, const void *aad,
				size_t len);

/*
 * ak_cipher_stream_update - en/decrypt @len bytes of @src into @dst.
 * CTR, GCM: writes exactly @len bytes (any @len, 0 and 1 included).
 * CBC: writes every whole block available (the held partial block plus
 *   @src) and holds back the rest (< 16 bytes): at most @len + 15 bytes;
 *   @dst must have room for ((held + @len) / 16) * 16 bytes (@len + 15
 *   is always enough). No padding: the caller pads.
 * @dst_len: receives the bytes written (may be NULL).
 * Returns 0 or negative errno (-EINVAL: NULL buffer with @len > 0, stream
 * finished or failed before).
 */
AK_API int ak_cipher_stream_update(struct ak_cipher_stream *cs,
				   const void *src, size_t len, void *dst,
				   size_t *dst_len);

/*
 * ak_cipher_stream_final - end the message.
 * GCM encrypt: writes the first @tag_len (AK_GCM_TAG_MIN..16) bytes of the
 *   tag to @tag. GCM decrypt: compares the first @tag_len bytes of the tag
 *   with @tag in constant time: -EBADMSG on mismatch (discard the
 *   plaintext). @tag_len out of range: -EINVAL (the stream stays usable).
 * CBC: -EINVAL if a partial block is held (the stream is then finished).
 * CTR: nothing to do (@tag ignored).
 * Returns 0 or negative errno. Afterwards only ak_cipher_stream_free().
 */
AK_API int ak_cipher_stream_final(struct ak_cipher_stream *cs, void *tag,
				  size_t tag_len);

/* ak_cipher_stream_free - release the stream (wipes key and state, frees
 * its device context). NULL is a no-op. */
AK_API void ak_cipher_stream_free(struct ak_cipher_stream *cs);

/* ---------------------------------------------------------------------
 * Asynchronous requests (all algorithms; the sync calls above are built
 * on these)
 *
 * A request is caller-owned memory describing one one-shot operation. It
 * and every buffer it points to must stay valid and untouched until its
 * completion has been delivered. Completions are delivered only from
 * ak_alg_poll() (never from submit), in the order requests finish (on the
 * device: submission order, except that COMPRESS at level 0 runs in
 * software inside submit; on the software path the operation runs inside
 * submit and is delivered by the next poll). Delivery sets req->status,
 * req->out_len, req->err_offset and then calls req->cb (if non-NULL).
 * Requests of one session may be in flight together (up to the queue
 * depth on the device, more are held back and submitted as room appears).
 *
 * Device limits of a single request: COMPRESS/DECOMPRESS/DIGEST/HMAC input
 * and output at most max_xfer (-EMSGSIZE; the sync calls then fall back to
 * streams); CBC/CTR any size (chained jobs), XTS/GCM as above.
 * ------------------------------------------------------------------- */

enum ak_req_op {
	AK_REQ_COMPRESS = 1,	/* level; src,len -> dst,dst_len */
	AK_REQ_DECOMPRESS,	/* src,len -> dst,dst_len; err_offset */
	AK_REQ_DIGEST,		/* SHA-256/512: src,len -> dst (digest) */
	AK_REQ_HMAC,		/* key; src,len -> dst (32 bytes) */
	AK_REQ_ENCRYPT,		/* CBC/CTR/XTS (flags AK_CF_PKCS7) or GCM
				 * (aad, tag written) */
	AK_REQ_DECRYPT,		/* as ENCRYPT; GCM checks tag */
};

struct ak_req;
typedef void (*ak_req_cb)(struct ak_req *req);

struct ak_req {
	/* ---- set by the caller ---- */
	uint32_t op;		/* enum ak_req_op (must fit the session) */
	uint32_t flags;		/* AK_CF_PKCS7 */
	int32_t level;		/* COMPRESS: -1..9 (see Compression) */
	uint32_t rsvd0;		/* 0 */
	const void *src;
	size_t len;
	void *dst;
	size_t dst_len;		/* capacity of dst */
	const void *key;
	size_t key_len;
	const void *iv;		/* IV / counter block / tweak / GCM nonce */
	size_t iv_len;
	const void *aad;	/* GCM */
	size_t aad_len;
	uint8_t *tag;		/* GCM: 16 bytes, written (encrypt) or
				 * checked (decrypt) */
	ak_req_cb cb;		/* may be NULL */
	void *user;		/* for the caller */
	/* ---- set by the library ---- */
	int32_t status;		/* -EINPROGRESS from submit until completion;
				 * then 0 or negative errno (as the sync
				 * calls; -ECANCELED: see ak_session_close) */
	uint32_t rflags;	/* AK_REQ_FELL_BACK */
	size_t out_len;		/* bytes written; -ENOSPC: bytes needed */
	uint64_t err_offset;	/* -EBADMSG (DECOMPRESS): input offset */
	/* ---- library private ---- */
	uint64_t priv[24];
};

/*
 * ak_alg_submit - start @req. Returns 0 when accepted (the outcome comes
 * at completion); -EINVAL for a NULL/malformed request or one that does
 * not fit the session's algorithm (nothing is then delivered); -EBUSY if
 * @req is still pending (submitted and not yet delivered, on this or
 * another session: it is left untouched); other errors (e.g.
 * -ESTALE/-EIO: the queue is gone). A request may be submitted again
 * once delivered, also from its own callback.
 */
AK_API int ak_alg_submit(struct ak_session *s, struct ak_req *req);

/*
 * ak_alg_submit_batch - submit @n requests (one doorbell per ring-full on
 * the device). Returns the number accepted (stops at the first rejected
 * one, whose error is returned if it is the first), or negative errno.
 */
AK_API int ak_alg_submit_batch(struct ak_session *s, struct ak_req **reqs,
			       unsigned n);

/*
 * ak_alg_poll - deliver completed requests (set results, call callbacks).
 * @timeout_ms: 0 never blocks; > 0 waits at most that long for at least
 * one completion; < 0 waits until at least one is delivered.
 * Returns the number delivered (0: none ready / timeout), -ENOMSG if
 * nothing is outstanding, or negative errno. Callbacks may submit new
 * requests but must not close the session.
 */
AK_API int ak_alg_poll(struct ak_session *s, int timeout_ms);

/*
 * ak_session_fd - a file descriptor for poll()/epoll() (POLLIN/EPOLLIN):
 * readable when ak_alg_poll(@s, 0) has something to deliver, on either
 * path (it is an epoll set of the device queue's fd, whose completions
 * wake it when they request an interrupt, i.e. unless the session is
 * AK_SF_BUSY_POLL, and of an eventfd signalled when a request completes
 * without the device: the software path, -ENOSPC found at submit,
 * level 0). Level-triggered: when it is readable call ak_alg_poll(@s, 0)
 * until it returns 0 or -ENOMSG. Created on the first call, then the same
 * value; stays valid across queue reopening; closed by
 * ak_session_close(); do not close it or read from it. A forked child
 * gets a new one of its own by calling this again. Returns the fd, or
 * negative errno (-EINVAL: NULL @s; -EMFILE ...).
 */
AK_API int ak_session_fd(struct ak_session *s);

/* ak_alg_pending - requests submitted and not yet delivered (>= 0), or
 * -EINVAL. */
AK_API int ak_alg_pending(const struct ak_session *s);

/* ak_alg_wait - deliver until @req has been delivered (other completions
 * are delivered too). Returns req->status, or negative errno of polling. */
AK_API int ak_alg_wait(struct ak_session *s, struct ak_req *req);

#endif /* LIBACCELKIT_ALG_H */
