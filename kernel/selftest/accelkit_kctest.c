// SPDX-License-Identifier: GPL-2.0
/*
 * accelkit_kctest: a kernel consumer of the sample driver's crypto API
 * algorithms (tests only; issue 12: requests from atomic and process
 * context, backlog handling, completion from the interrupt path).
 *
 * It uses the crypto API as any kernel user would and reads nothing of
 * the driver: cbc-aes-accelkit, sha256-accelkit and deflate-accelkit are
 * allocated by driver name, every result is compared with cbc(aes-generic),
 * sha256-generic and deflate-scomp computed in process context (a
 * device-compressed stream with lib zlib's inflate: the device's window
 * differs from deflate-scomp's, so its bytes do too).
 *
 * debugfs (root): writing a test name to accelkit_kctest/run runs it and
 * returns when it is over (-EINVAL: no such test); accelkit_kctest/result
 * then reads "key=value" lines, the last one "result=pass" or
 * "result=fail" (a "reason=" line before it says why). Tests:
 *
 *   atomic            cbc-aes encrypt and decrypt (16 B .. 68 KiB, pages
 *                     scattered, odd offsets), sha256 digest, deflate
 *                     compress and decompress, flags 0 (no MAY_SLEEP, no
 *                     MAY_BACKLOG), once from a timer callback (softirq),
 *                     once with a spinlock held and bottom halves off
 *   backlog           @burst cbc-aes requests back to back from process
 *                     context, MAY_BACKLOG | MAY_SLEEP: each returns
 *                     -EINPROGRESS or -EBUSY; an -EBUSY one is called
 *                     back with -EINPROGRESS once, then with its result;
 *                     at least one must be -EBUSY
 *   nobacklog         the same burst with flags 0: beyond capacity the
 *                     API refuses (-ENOSPC; -EBUSY in older drivers), at
 *                     least one must be refused
 *   atomic_backlog    backlog, submitted from a timer callback
 *   atomic_nobacklog  nobacklog, submitted from a timer callback
 *
 * Every accepted request must be called back exactly once with 0 and the
 * generic bytes; a request called back with -EINPROGRESS must have
 * returned -EBUSY (MAY_BACKLOG), and then be called back so exactly once,
 * before its final callback. Waits are bounded (@wait_s, default 10 s).
 * When a wait times out, the requests still out are lost: their memory
 * is left alone (the driver may still write it) and the module pins
 * itself, so that rmmod fails rather than leaving a completion to freed
 * code. The module reads nothing of the driver: the VM suite compares
 * the device's sysfs counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/zlib.h>
#include <crypto/acompress.h>
#include <crypto/aes.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <crypto/skcipher.h>

#include "../core/compat.h"

#define KCT_BURST_MAX		16384
#define KCT_OUT			4096

/*
 * The backlog tests need more requests than the driver holds (slots and
 * backlogs of all its kernel queues): the VM suite sets it from the
 * device's kernel_queues.
 */
static unsigned int burst = 1024;
module_param(burst, uint, 0644);
MODULE_PARM_DESC(burst, "requests of the backlog tests (default 1024, at most 16384)");

static unsigned int wait_s = 10;
module_param(wait_s, uint, 0644);
MODULE_PARM_DESC(wait_s, "seconds to wait for the timer, then for the callbacks (default 10)");

enum kct_kind { KCT_ENC, KCT_DEC, KCT_HASH, KCT_COMP, KCT_DECOMP, KCT_KINDS };

static const char *const kct_kind_name[KCT_KINDS] = {
	"enc", "dec", "hash", "comp", "decomp",
};

/* A scatterlist over separate pages (@paged) or one kmalloc()ed chunk. */
struct kct_buf {
	struct page **pages;
	unsigned int npages;
	struct scatterlist *sg;
	struct scatterlist one;
	void *mem;
};

struct kct_run;

struct kct_job {
	struct kct_run *run;
	enum kct_kind kind;
	union {
		struct skcipher_request *skr;
		struct ahash_request *ahr;
		struct acomp_req *acr;
	};
	struct kct_buf src, dst;
	u8 *in, *expect;		/* linear copies */
	unsigned int len, elen, cap, off;
	u8 iv[AES_BLOCK_SIZE], iv_expect[AES_BLOCK_SIZE];
	u8 digest[SHA256_DIGEST_SIZE], digest_expect[SHA256_DIGEST_SIZE];
	int ret;			/* what the submission returned */
	int err;			/* the final status */
	atomic_t finals, notifies;
};

struct kct_test {
	const char *name;
	bool mixed;			/* the atomic test's mixed set */
	bool timer;			/* every submission from the timer */
	u32 flags;			/* request flags */
};

struct kct_run {
	const struct kct_test *t;
	struct crypto_skcipher *skc, *skc_gen;
	struct crypto_ahash *sha;
	struct crypto_shash *sha_gen;
	struct crypto_acomp *comp, *comp_gen;
	void *zws;
	u8 key[AES_KEYSIZE_256];
	struct kct_job *jobs;
	unsigned int njobs, nready;
	unsigned int t_from, t_to;	/* the timer's share of jobs */
	struct timer_list timer;
	struct completion fired, done;
	atomic_t pending;
	bool lost_some;
	/* the submitter's (one at a time) */
	unsigned long submitted, atomic_submitted, inprogress, backlogged;
	unsigned long refused, sync_ok, sync_err;
	int refused_errno, sync_errno;
	/* the callbacks' */
	atomic_t callbacks, notifies, late_notify, dup;
	/* the verdict's */
	unsigned long exact[KCT_KINDS], mismatch, cb_errors, lost;
	unsigned long notify_missing, notify_unexpected, wait_ms;
	char reason[160];
};

static DEFINE_MUTEX(kct_mutex);
static DEFINE_SPINLOCK(kct_lock);
static struct dentry *kct_dir;
static char kct_out[KCT_OUT];
static size_t kct_out_len;
static struct kct_run *kct_lost_run;	/* lost requests: kept, pinned */

static const struct kct_test kct_tests[] = {
	{ "atomic", true, false, 0 },
	{ "backlog", false, false,
	  CRYPTO_TFM_REQ_MAY_BACKLOG | CRYPTO_TFM_REQ_MAY_SLEEP },
	{ "nobacklog", false, false, 0 },
	{ "atomic_backlog", false, true, CRYPTO_TFM_REQ_MAY_BACKLOG },
	{ "atomic_nobacklog", false, true, 0 },
};

static __printf(2, 3) void kct_fail(struct kct_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->reason[0])
		return;			/* the first reason is kept */
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

static void kct_fill(u8 *p, unsigned int len, u32 seed, bool text)
{
	static const char *const words[] = {
		"accel ", "queue ", "kernel ", "crypto ", "backlog ", "irq ",
		"slot ", "deflate ",
	};
	u32 x = seed * 2654435761u + 1;
	unsigned int i = 0;

	while (i < len) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (text) {
			const char *w = words[x % ARRAY_SIZE(words)];
			unsigned int n = min_t(unsigned int, strlen(w), len - i);

			memcpy(p + i, w, n);
			i += n;
		} else {
			p[i++] = x;
		}
	}
}

static int kct_buf_alloc(struct kct_buf *b, unsigned int len,
			 unsigned int off, bool paged)
{
	unsigned int i, left = len;

	if (!paged) {
		b->mem = kzalloc(off + len, GFP_KERNEL);
		if (!b->mem)
			return -ENOMEM;
		sg_init_one(&b->one, b->mem + off, len);
		b->sg = &b->one;
		return 0;
	}
	b->npages = DIV_ROUND_UP(off + len, PAGE_SIZE);
	b->pages = kcalloc(b->npages, sizeof(*b->pages), GFP_KERNEL);
	b->sg = kcalloc(b->npages, sizeof(*b->sg), GFP_KERNEL);
	if (!b->pages || !b->sg)
		return -ENOMEM;
	sg_init_table(b->sg, b->npages);
	for (i = 0; i < b->npages; i++) {
		unsigned int o = i ? 0 : off;
		unsigned int n = min_t(unsigned int, left, PAGE_SIZE - o);

		b->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!b->pages[i])
			return -ENOMEM;
		sg_set_page(&b->sg[i], b->pages[i], n, o);
		left -= n;
	}
	return 0;
}

static void kct_buf_free(struct kct_buf *b)
{
	unsigned int i;

	if (b->pages) {
		for (i = 0; i < b->npages; i++)
			if (b->pages[i])
				__free_page(b->pages[i]);
		kfree(b->pages);
		kfree(b->sg);
	}
	kfree(b->mem);
}

/* cbc(aes-generic) in place on the linear @buf, process context. */
static int kct_gen_skc(struct kct_run *r, bool enc, u8 *buf,
		       unsigned int len, u8 *iv)
{
	struct skcipher_request *req;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	req = skcipher_request_alloc(r->skc_gen, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	sg_init_one(&sg, buf, len);
	skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP |
				      CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(req, &sg, &sg, len, iv);
	ret = crypto_wait_req(enc ? crypto_skcipher_encrypt(req) :
			      crypto_skcipher_decrypt(req), &wait);
	skcipher_request_free(req);
	return ret;
}

/* deflate-scomp of @in into @out (capacity *@olen), process context. */
static int kct_gen_comp(struct kct_run *r, const u8 *in, unsigned int len,
			u8 *out, unsigned int *olen)
{
	struct scatterlist si, so;
	struct acomp_req *req;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	req = acomp_request_alloc(r->comp_gen);
	if (!req)
		return -ENOMEM;
	sg_init_one(&si, in, len);
	sg_init_one(&so, out, *olen);
	acomp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP |
				   CRYPTO_TFM_REQ_MAY_BACKLOG,
				   crypto_req_done, &wait);
	acomp_request_set_params(req, &si, &so, len, *olen);
	ret = crypto_wait_req(crypto_acomp_compress(req), &wait);
	*olen = req->dlen;
	acomp_request_free(req);
	return ret;
}

/* lib zlib raw inflate (any window up to 32 KiB); bytes out or -errno. */
static int kct_inflate(struct kct_run *r, const u8 *in, unsigned int len,
		       u8 *out, unsigned int cap)
{
	struct z_stream_s s = { .workspace = r->zws };
	int ret;

	if (zlib_inflateInit2(&s, -MAX_WBITS) != Z_OK)
		return -EINVAL;
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	ret = zlib_inflate(&s, Z_SYNC_FLUSH);
	if (ret == Z_OK && !s.avail_in && s.avail_out) {
		u8 zero = 0;

		s.next_in = &zero;
		s.avail_in = 1;
		ret = zlib_inflate(&s, Z_FINISH);
	}
	zlib_inflateEnd(&s);
	return ret == Z_STREAM_END ? (int)s.total_out : -EBADMSG;
}

static void kct_final(struct kct_job *j, int err)
{
	struct kct_run *r = j->run;

	if (atomic_inc_return(&j->finals) != 1) {
		atomic_inc(&r->dup);
		return;
	}
	j->err = err;
	if (atomic_dec_and_test(&r->pending))
		complete(&r->done);
}

static void kct_job_done(struct kct_job *j, int err)
{
	struct kct_run *r = j->run;

	if (err == -EINPROGRESS) {
		/* a backlogged request has left the backlog */
		atomic_inc(&r->notifies);
		atomic_inc(&j->notifies);
		if (atomic_read(&j->finals))
			atomic_inc(&r->late_notify);
		return;
	}
	atomic_inc(&r->callbacks);
	kct_final(j, err);
}

static void kct_done(ACCELKIT_CRYPTO_DONE_ARG arg, int err)
{
	kct_job_done(accelkit_crypto_done_data(arg), err);
}

static int kct_job_setup(struct kct_run *r, struct kct_job *j,
			 enum kct_kind kind, unsigned int len,
			 unsigned int off, bool paged, u32 seed)
{
	u32 flags = r->t->flags;
	unsigned int olen;
	u8 *tmp;
	int ret;

	j->run = r;
	j->kind = kind;
	j->off = off;
	j->len = len;
	j->elen = len;
	j->cap = len;
	j->in = kmalloc(len, GFP_KERNEL);
	j->expect = kmalloc(len, GFP_KERNEL);
	if (!j->in || !j->expect)
		return -ENOMEM;
	kct_fill(j->in, len, seed, kind == KCT_COMP || kind == KCT_DECOMP);

	switch (kind) {
	case KCT_ENC:
	case KCT_DEC:
		kct_fill(j->iv, AES_BLOCK_SIZE, seed + 7, false);
		if (kind == KCT_DEC) {	/* the input is a ciphertext */
			memcpy(j->iv_expect, j->iv, AES_BLOCK_SIZE);
			ret = kct_gen_skc(r, true, j->in, len, j->iv_expect);
			if (ret)
				return ret;
		}
		memcpy(j->expect, j->in, len);
		memcpy(j->iv_expect, j->iv, AES_BLOCK_SIZE);
		ret = kct_gen_skc(r, kind == KCT_ENC, j->expect, len,
				  j->iv_expect);
		if (ret)
			return ret;
		j->skr = skcipher_request_alloc(r->skc, GFP_KERNEL);
		if (!j->skr)
			return -ENOMEM;
		break;
	case KCT_HASH:
		ret = crypto_shash_tfm_digest(r->sha_gen, j->in, len,
					      j->digest_expect);
		if (ret)
			return ret;
		j->ahr = ahash_request_alloc(r->sha, GFP_KERNEL);
		if (!j->ahr)
			return -ENOMEM;
		break;
	case KCT_COMP:
		j->cap = min_t(unsigned int, len + len / 2 + 256, SZ_64K);
		j->acr = acomp_request_alloc(r->comp);
		if (!j->acr)
			return -ENOMEM;
		break;
	case KCT_DECOMP:	/* the input is deflate-scomp's stream */
		olen = 2 * len + 256;
		tmp = kmalloc(olen, GFP_KERNEL);
		if (!tmp)
			return -ENOMEM;
		ret = kct_gen_comp(r, j->in, len, tmp, &olen);
		if (!ret) {
			memcpy(j->expect, j->in, len);
			kfree(j->in);
			j->in = kmemdup(tmp, olen, GFP_KERNEL);
			j->len = olen;
		}
		kfree(tmp);
		if (ret)
			return ret;
		if (!j->in)
			return -ENOMEM;
		j->acr = acomp_request_alloc(r->comp);
		if (!j->acr)
			return -ENOMEM;
		break;
	default:
		return -EINVAL;
	}

	ret = kct_buf_alloc(&j->src, j->len, off, paged);
	if (!ret)
		ret = kct_buf_alloc(&j->dst, j->cap, (off * 3 + 5) %
				    (paged ? PAGE_SIZE : 16), paged);
	if (ret)
		return ret;
	sg_copy_from_buffer(j->src.sg, sg_nents(j->src.sg), j->in, j->len);

	switch (kind) {
	case KCT_ENC:
	case KCT_DEC:
		skcipher_request_set_callback(j->skr, flags, kct_done, j);
		skcipher_request_set_crypt(j->skr, j->src.sg, j->dst.sg, len,
					   j->iv);
		break;
	case KCT_HASH:
		ahash_request_set_callback(j->ahr, flags, kct_done, j);
		ahash_request_set_crypt(j->ahr, j->src.sg, j->digest, len);
		break;
	default:
		acomp_request_set_callback(j->acr, flags, kct_done, j);
		acomp_request_set_params(j->acr, j->src.sg, j->dst.sg, j->len,
					 j->cap);
		break;
	}
	return 0;
}

static void kct_job_free(struct kct_job *j)
{
	switch (j->kind) {
	case KCT_ENC:
	case KCT_DEC:
		skcipher_request_free(j->skr);
		break;
	case KCT_HASH:
		ahash_request_free(j->ahr);
		break;
	default:
		if (j->acr)
			acomp_request_free(j->acr);
		break;
	}
	kct_buf_free(&j->src);
	kct_buf_free(&j->dst);
	kfree(j->in);
	kfree(j->expect);
}

/* Submit one request (any context) and account for what it returned. */
static void kct_fire(struct kct_job *j)
{
	struct kct_run *r = j->run;
	int ret;

	atomic_inc(&r->pending);
	r->submitted++;
	if (in_softirq() || irqs_disabled())
		r->atomic_submitted++;
	switch (j->kind) {
	case KCT_ENC:
		ret = crypto_skcipher_encrypt(j->skr);
		break;
	case KCT_DEC:
		ret = crypto_skcipher_decrypt(j->skr);
		break;
	case KCT_HASH:
		ret = crypto_ahash_digest(j->ahr);
		break;
	case KCT_COMP:
		ret = crypto_acomp_compress(j->acr);
		break;
	default:
		ret = crypto_acomp_decompress(j->acr);
		break;
	}
	j->ret = ret;
	if (ret == -EINPROGRESS) {
		r->inprogress++;
		return;
	}
	if (ret == -EBUSY && (r->t->flags & CRYPTO_TFM_REQ_MAY_BACKLOG)) {
		r->backlogged++;
		return;
	}
	if (ret == -ENOSPC || ret == -EBUSY) {
		r->refused++;
		if (!r->refused_errno)
			r->refused_errno = -ret;
	} else if (ret) {
		r->sync_err++;
		if (!r->sync_errno)
			r->sync_errno = -ret;
	} else {
		r->sync_ok++;
	}
	kct_final(j, ret);	/* no callback is due */
}

static void kct_fire_range(struct kct_run *r, unsigned int from,
			   unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++)
		kct_fire(&r->jobs[i]);
}

static void kct_timer_fn(struct timer_list *t)
{
	struct kct_run *r = from_timer(r, t, timer);

	kct_fire_range(r, r->t_from, r->t_to);
	complete(&r->fired);
}

static bool kct_refused(struct kct_run *r, struct kct_job *j)
{
	if (j->ret == -ENOSPC)
		return true;
	return j->ret == -EBUSY &&
	       !(r->t->flags & CRYPTO_TFM_REQ_MAY_BACKLOG);
}

/* Process context, every callback in: compare with the generic results. */
static void kct_verify(struct kct_run *r, struct kct_job *j, u8 *tmp)
{
	const char *k = kct_kind_name[j->kind];
	unsigned int n = atomic_read(&j->notifies);
	bool ok = false;
	int out;

	if (j->ret == -EBUSY && !kct_refused(r, j) && n != 1) {
		r->notify_missing++;
		kct_fail(r, "%s len %u: -EBUSY, then %u -EINPROGRESS callbacks",
			 k, j->len, n);
	} else if (j->ret != -EBUSY && n) {
		r->notify_unexpected++;
		kct_fail(r, "%s len %u: returned %d, then %u -EINPROGRESS callbacks",
			 k, j->len, j->ret, n);
	}
	if (kct_refused(r, j) || (j->ret && j->ret != -EINPROGRESS &&
				  j->ret != -EBUSY))
		return;		/* counted at submission */
	if (j->err) {
		r->cb_errors++;
		kct_fail(r, "%s len %u off %u: completed with %d", k, j->len,
			 j->off, j->err);
		return;
	}
	switch (j->kind) {
	case KCT_ENC:
	case KCT_DEC:
		sg_copy_to_buffer(j->dst.sg, sg_nents(j->dst.sg), tmp, j->len);
		ok = !memcmp(tmp, j->expect, j->len) &&
		     !memcmp(j->iv, j->iv_expect, AES_BLOCK_SIZE);
		break;
	case KCT_HASH:
		ok = !memcmp(j->digest, j->digest_expect, SHA256_DIGEST_SIZE);
		break;
	case KCT_COMP:
		if (j->acr->dlen > j->cap)
			break;
		sg_copy_to_buffer(j->dst.sg, sg_nents(j->dst.sg), tmp,
				  j->acr->dlen);
		out = kct_inflate(r, tmp, j->acr->dlen, tmp + SZ_64K, SZ_128K);
		ok = out == j->elen && !memcmp(tmp + SZ_64K, j->in, j->elen);
		break;
	case KCT_DECOMP:
		if (j->acr->dlen != j->elen)
			break;
		sg_copy_to_buffer(j->dst.sg, sg_nents(j->dst.sg), tmp, j->elen);
		ok = !memcmp(tmp, j->expect, j->elen);
		break;
	default:
		break;
	}
	if (ok) {
		r->exact[j->kind]++;
	} else {
		r->mismatch++;
		kct_fail(r, "%s len %u off %u: output differs from the generic one",
			 k, j->len, j->off);
	}
}

/* The atomic test's set, twice: first half by the timer, second locked. */
static const struct {
	enum kct_kind kind;
	unsigned int len, off;
} kct_mixed[] = {
	{ KCT_ENC, 16, 0 }, { KCT_DEC, 16, 0 },
	{ KCT_ENC, 512, 1 }, { KCT_DEC, 512, 1 },
	{ KCT_ENC, 4096, 7 }, { KCT_DEC, 4096, 7 },
	{ KCT_ENC, 4160, 4000 }, { KCT_DEC, 4160, 4000 },
	{ KCT_ENC, 12304, 2049 }, { KCT_DEC, 12304, 2049 },
	{ KCT_ENC, 65536, 13 }, { KCT_DEC, 65536, 13 },
	{ KCT_ENC, 69632, 100 }, { KCT_DEC, 69632, 100 },	/* > 64 KiB */
	{ KCT_HASH, 1, 0 }, { KCT_HASH, 63, 5 }, { KCT_HASH, 4096, 0 },
	{ KCT_HASH, 5000, 4001 }, { KCT_HASH, 65536, 9 },
	{ KCT_HASH, 70000, 3 },
	{ KCT_COMP, 4096, 0 }, { KCT_DECOMP, 4096, 0 },
	{ KCT_COMP, 10000, 3 }, { KCT_DECOMP, 10000, 3 },
	{ KCT_COMP, 65536, 1 }, { KCT_DECOMP, 65536, 1 },
};

/* @tfm as crypto_alloc_*() returned it: 0, or its error, reported. */
static int kct_tfm_err(struct kct_run *r, const void *tfm, const char *name)
{
	if (!IS_ERR(tfm))
		return 0;
	kct_fail(r, "%s: %ld", name, PTR_ERR(tfm));
	return PTR_ERR(tfm);
}

/* On error the run keeps what it got; kct_free_tfms() frees that. */
static int kct_alloc_tfms(struct kct_run *r)
{
	int ret;

	r->skc = crypto_alloc_skcipher("cbc-aes-accelkit", 0, 0);
	ret = kct_tfm_err(r, r->skc, "cbc-aes-accelkit");
	if (ret)
		return ret;
	r->skc_gen = crypto_alloc_skcipher("cbc(aes-generic)", 0, 0);
	ret = kct_tfm_err(r, r->skc_gen, "cbc(aes-generic)");
	if (ret)
		return ret;
	kct_fill(r->key, sizeof(r->key), 12, false);
	ret = crypto_skcipher_setkey(r->skc, r->key, sizeof(r->key));
	if (!ret)
		ret = crypto_skcipher_setkey(r->skc_gen, r->key, sizeof(r->key));
	if (ret) {
		kct_fail(r, "setkey: %d", ret);
		return ret;
	}
	if (!r->t->mixed)
		return 0;
	r->sha = crypto_alloc_ahash("sha256-accelkit", 0, 0);
	ret = kct_tfm_err(r, r->sha, "sha256-accelkit");
	if (ret)
		return ret;
	r->sha_gen = crypto_alloc_shash("sha256-generic", 0, 0);
	ret = kct_tfm_err(r, r->sha_gen, "sha256-generic");
	if (ret)
		return ret;
	r->comp = crypto_alloc_acomp("deflate-accelkit", 0, 0);
	ret = kct_tfm_err(r, r->comp, "deflate-accelkit");
	if (ret)
		return ret;
	r->comp_gen = crypto_alloc_acomp("deflate-scomp", 0, 0);
	ret = kct_tfm_err(r, r->comp_gen, "deflate-scomp");
	if (ret)
		return ret;
	r->zws = vmalloc(zlib_inflate_workspacesize());
	if (!r->zws) {
		kct_fail(r, "no memory");
		return -ENOMEM;
	}
	return 0;
}

static void kct_free_tfms(struct kct_run *r)
{
	vfree(r->zws);
	if (!IS_ERR_OR_NULL(r->comp_gen))
		crypto_free_acomp(r->comp_gen);
	if (!IS_ERR_OR_NULL(r->comp))
		crypto_free_acomp(r->comp);
	if (!IS_ERR_OR_NULL(r->sha_gen))
		crypto_free_shash(r->sha_gen);
	if (!IS_ERR_OR_NULL(r->sha))
		crypto_free_ahash(r->sha);
	if (!IS_ERR_OR_NULL(r->skc_gen))
		crypto_free_skcipher(r->skc_gen);
	if (!IS_ERR_OR_NULL(r->skc))
		crypto_free_skcipher(r->skc);
}

static int kct_build(struct kct_run *r)
{
	unsigned int n = ARRAY_SIZE(kct_mixed), i;
	int ret;

	if (r->t->mixed) {
		r->njobs = 2 * n;
		r->t_from = 0;
		r->t_to = n;
	} else {
		r->njobs = clamp(burst, 1u, (unsigned int)KCT_BURST_MAX);
		r->t_from = 0;
		r->t_to = r->t->timer ? r->njobs : 0;
	}
	r->jobs = kvcalloc(r->njobs, sizeof(*r->jobs), GFP_KERNEL);
	if (!r->jobs)
		return -ENOMEM;
	for (i = 0; i < r->njobs; i++) {
		if (r->t->mixed)
			ret = kct_job_setup(r, &r->jobs[i], kct_mixed[i % n].kind,
					    kct_mixed[i % n].len,
					    kct_mixed[i % n].off, true, i);
		else	/* 16..256 bytes, encrypt and decrypt, odd offsets */
			ret = kct_job_setup(r, &r->jobs[i],
					    i & 1 ? KCT_DEC : KCT_ENC,
					    16 * (1 + (i >> 1) % 16), i % 13,
					    false, i);
		r->nready = i + 1;
		if (ret) {
			kct_fail(r, "setting up request %u: %d", i, ret);
			return ret;
		}
		cond_resched();
	}
	return 0;
}

static unsigned long kct_wait(void)
{
	return clamp(wait_s, 1u, 600u) * HZ;
}

static void kct_submit_and_wait(struct kct_run *r)
{
	unsigned long t0 = jiffies, left;
	bool fired = true;

	atomic_set(&r->pending, 1);	/* ours, dropped after submitting */
	if (r->t_to > r->t_from) {
		init_completion(&r->fired);
		timer_setup(&r->timer, kct_timer_fn, 0);
		mod_timer(&r->timer, jiffies + 1);
		fired = wait_for_completion_timeout(&r->fired, kct_wait());
		timer_delete_sync(&r->timer);
		if (!fired)
			kct_fail(r, "the timer did not run within %u s", wait_s);
	}
	if (r->t->mixed) {
		spin_lock_bh(&kct_lock);
		kct_fire_range(r, r->t_to, r->njobs);
		spin_unlock_bh(&kct_lock);
	} else if (!r->t->timer) {
		kct_fire_range(r, 0, r->njobs);
	}
	if (atomic_dec_and_test(&r->pending))
		complete(&r->done);
	left = wait_for_completion_timeout(&r->done, kct_wait());
	r->wait_ms = jiffies_to_msecs(jiffies - t0);
	if (!left) {
		r->lost = atomic_read(&r->pending);
		r->lost_some = true;
		kct_fail(r, "%lu requests without a final callback after %u s",
			 r->lost, wait_s);
	}
}

static void kct_report(struct kct_run *r)
{
	unsigned long exact = 0, accepted;
	size_t len = 0;
	int k;

	for (k = 0; k < KCT_KINDS; k++)
		exact += r->exact[k];
	accepted = r->submitted - r->refused;
	if (r->t->mixed || r->t->timer) {
		if (!r->atomic_submitted || r->atomic_submitted != r->submitted)
			kct_fail(r, "%lu of %lu submissions in atomic context",
				 r->atomic_submitted, r->submitted);
	}
	if (r->t->flags & CRYPTO_TFM_REQ_MAY_BACKLOG) {
		if (!r->backlogged)
			kct_fail(r, "none of %lu got -EBUSY: backlog not exercised (raise burst)",
				 r->submitted);
		if (r->refused)
			kct_fail(r, "%lu refused with MAY_BACKLOG", r->refused);
	} else if (!r->t->mixed) {
		if (!r->refused)
			kct_fail(r, "none of %lu refused: capacity not exceeded (raise burst)",
				 r->submitted);
	}
	if (r->refused_errno && r->refused_errno != ENOSPC &&
	    r->refused_errno != EBUSY)
		kct_fail(r, "refused with errno %d", r->refused_errno);
	if (r->sync_err)
		kct_fail(r, "%lu submissions failed, first errno %d",
			 r->sync_err, r->sync_errno);
	if (atomic_read(&r->dup))
		kct_fail(r, "%d duplicate final callbacks", atomic_read(&r->dup));
	if (atomic_read(&r->late_notify))
		kct_fail(r, "%d -EINPROGRESS callbacks after the final one",
			 atomic_read(&r->late_notify));
	if (!r->lost_some && exact != accepted)
		kct_fail(r, "%lu of %lu accepted requests exact", exact, accepted);

	len += scnprintf(kct_out + len, KCT_OUT - len,
			 "test=%s\nrequests=%u\nsubmitted=%lu\natomic_submitted=%lu\n",
			 r->t->name, r->njobs, r->submitted, r->atomic_submitted);
	len += scnprintf(kct_out + len, KCT_OUT - len,
			 "inprogress=%lu\nbacklogged=%lu\nrefused=%lu\nrefused_errno=%d\n",
			 r->inprogress, r->backlogged, r->refused,
			 r->refused_errno);
	len += scnprintf(kct_out + len, KCT_OUT - len,
			 "sync_ok=%lu\nsync_err=%lu\nsync_errno=%d\n",
			 r->sync_ok, r->sync_err, r->sync_errno);
	len += scnprintf(kct_out + len, KCT_OUT - len,
			 "callbacks=%d\nnotifies=%d\nnotify_missing=%lu\nnotify_unexpected=%lu\nlate_notify=%d\ndup_callbacks=%d\n",
			 atomic_read(&r->callbacks), atomic_read(&r->notifies),
			 r->notify_missing, r->notify_unexpected,
			 atomic_read(&r->late_notify), atomic_read(&r->dup));
	len += scnprintf(kct_out + len, KCT_OUT - len,
			 "cb_errors=%lu\nlost=%lu\nmismatch=%lu\nexact=%lu\n",
			 r->cb_errors, r->lost, r->mismatch, exact);
	for (k = 0; k < KCT_KINDS; k++)
		len += scnprintf(kct_out + len, KCT_OUT - len, "exact_%s=%lu\n",
				 kct_kind_name[k], r->exact[k]);
	len += scnprintf(kct_out + len, KCT_OUT - len, "wait_ms=%lu\n",
			 r->wait_ms);
	if (r->reason[0])
		len += scnprintf(kct_out + len, KCT_OUT - len, "reason=%s\n",
				 r->reason);
	len += scnprintf(kct_out + len, KCT_OUT - len, "result=%s\n",
			 r->reason[0] ? "fail" : "pass");
	kct_out_len = len;
}

static void kct_test(const struct kct_test *t)
{
	struct kct_run *r;
	unsigned int i;
	u8 *tmp = NULL;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		kct_out_len = scnprintf(kct_out, KCT_OUT,
					"test=%s\nreason=no memory\nresult=fail\n",
					t->name);
		return;
	}
	r->t = t;
	init_completion(&r->done);
	if (!kct_alloc_tfms(r) && !kct_build(r)) {
		kct_submit_and_wait(r);
		if (!r->lost_some) {
			tmp = kvmalloc(SZ_64K + SZ_128K, GFP_KERNEL);
			if (!tmp)
				kct_fail(r, "no memory to verify");
			for (i = 0; tmp && i < r->njobs; i++)
				kct_verify(r, &r->jobs[i], tmp);
			kvfree(tmp);
		}
	}
	kct_report(r);
	pr_info("%s: %s%s\n", t->name, r->reason[0] ? "fail: " : "pass",
		r->reason);
	if (r->lost_some) {
		/* the driver may still complete them: keep all, stay loaded */
		__module_get(THIS_MODULE);
		kct_lost_run = r;
		return;
	}
	for (i = 0; i < r->nready; i++)
		kct_job_free(&r->jobs[i]);
	kvfree(r->jobs);
	kct_free_tfms(r);
	kfree(r);
}

static ssize_t kct_run_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[32], *name;
	unsigned int i;
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	name = strim(buf);
	for (i = 0; i < ARRAY_SIZE(kct_tests); i++)
		if (!strcmp(name, kct_tests[i].name))
			break;
	if (i == ARRAY_SIZE(kct_tests))
		return -EINVAL;
	ret = mutex_lock_interruptible(&kct_mutex);
	if (ret)
		return ret;
	if (kct_lost_run) {
		/* an earlier run lost requests: nothing more from here */
		mutex_unlock(&kct_mutex);
		return -EIO;
	}
	kct_test(&kct_tests[i]);
	mutex_unlock(&kct_mutex);
	return len;
}

static ssize_t kct_result_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&kct_mutex);
	ret = simple_read_from_buffer(ubuf, len, ppos, kct_out, kct_out_len);
	mutex_unlock(&kct_mutex);
	return ret;
}

static const struct file_operations kct_run_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= kct_run_write,
};

static const struct file_operations kct_result_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= kct_result_read,
};

static int __init kct_init(void)
{
	kct_out_len = scnprintf(kct_out, KCT_OUT, "result=none\n");
	kct_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(kct_dir))
		return PTR_ERR(kct_dir);
	debugfs_create_file("run", 0200, kct_dir, NULL, &kct_run_fops);
	debugfs_create_file("result", 0400, kct_dir, NULL, &kct_result_fops);
	return 0;
}

static void __exit kct_exit(void)
{
	/* waits for a run in progress (the open file holds the module) */
	debugfs_remove_recursive(kct_dir);
}

module_init(kct_init);
module_exit(kct_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("accelkit: crypto API consumer of the sample driver from atomic and process context (tests only)");
