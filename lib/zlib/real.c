// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The system zlib, opened by path with dlopen() (not RTLD_NEXT: linked as
 * the replacement of -lz there is no "next" zlib in the search order), and
 * the configuration read from the environment.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "akzlib.h"

#ifndef AKZ_REAL_ZLIB
#define AKZ_REAL_ZLIB "/lib/x86_64-linux-gnu/libz.so.1"
#endif

static pthread_once_t real_once = PTHREAD_ONCE_INIT;
static void *real_handle;

static void real_open(void)
{
	const char *p = getenv("AK_ZLIB_REAL");

	/* AK_ZLIB_REAL: another path to the real zlib (tests, odd layouts). */
	real_handle = dlopen(p && *p ? p : AKZ_REAL_ZLIB, RTLD_NOW | RTLD_LOCAL);
	if (!real_handle)
		real_handle = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!real_handle) {
		fprintf(stderr, "libaccelkit-zlib: cannot load the system zlib (%s): %s\n",
			AKZ_REAL_ZLIB, dlerror());
		abort();
	}
}

void *akz_real(const char *name)
{
	void *f;

	pthread_once(&real_once, real_open);
	f = dlsym(real_handle, name);
	if (!f) {
		fprintf(stderr, "libaccelkit-zlib: the system zlib has no %s\n",
			name);
		abort();
	}
	return f;
}

void *akz_real_cached(void **slot, const char *name)
{
	void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (!f) {
		f = akz_real(name);
		__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	}
	return f;
}

/* ---- configuration ---- */

static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;
static struct akz_config cfg;

static void cfg_read(void)
{
	const char *p = getenv("AK_PATH");
	const char *m = getenv("AK_ZLIB_MIN");
	const char *d = getenv("AK_ZLIB_DEBUG");

	cfg.path = AKZ_PATH_AUTO;
	if (p && *p) {
		if (!strcmp(p, "device"))
			cfg.path = AKZ_PATH_DEVICE;
		else if (!strcmp(p, "software"))
			cfg.path = AKZ_PATH_SOFTWARE;
		else if (strcmp(p, "auto"))
			cfg.bad_path = 1;
	}
	cfg.min = 8192;
	if (m && *m) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(m, &end, 0);
		if (!errno && !*end)
			cfg.min = v > (1u << 20) ? (1u << 20) : (size_t)v;
	}
	cfg.debug = d && *d && strcmp(d, "0");
	if (cfg.bad_path) {
		/* The library refuses such a value; zlib users must keep
		 * working: software, said once. */
		fprintf(stderr, "libaccelkit-zlib: AK_PATH=%s is not auto, device or software: using software\n",
			p);
		cfg.path = AKZ_PATH_SOFTWARE;
	}
}

const struct akz_config *akz_cfg(void)
{
	pthread_once(&cfg_once, cfg_read);
	return &cfg;
}

void akz_debug(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!akz_cfg()->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "akzlib: %s\n", buf);
}
