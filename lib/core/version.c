// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ak_version() and ak_strerror(). The version comes from the project's
 * VERSION file through lib/Makefile (-DAK_LIB_VERSION and its three
 * numbers); the build fails here if the public header says otherwise.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#if !defined(AK_LIB_VERSION) || !defined(AK_LIB_MAJOR) || \
	!defined(AK_LIB_MINOR) || !defined(AK_LIB_PATCH)
#error "built without the version of ../VERSION (see lib/Makefile)"
#endif
_Static_assert(AK_LIB_MAJOR == AK_VERSION_MAJOR &&
	       AK_LIB_MINOR == AK_VERSION_MINOR &&
	       AK_LIB_PATCH == AK_VERSION_PATCH,
	       "include/libaccelkit.h AK_VERSION_* differ from ../VERSION");

AK_API const char *ak_version(void)
{
	return AK_LIB_VERSION;
}

/* Where an errno means something specific in this library. */
static const char *lib_message(int e)
{
	switch (e) {
	case EBADMSG:	return "corrupt or truncated input, bad padding or "
			       "authentication failure";
	case ENODEV:	return "no accelkit device offers the algorithm";
	case ENOTTY:	return "not an accelkit queue device";
	case EOPNOTSUPP: return "the device does not offer the algorithm";
	case EPROTO:	return "unsupported kernel API version or queue "
			       "geometry";
	case ENOSPC:	return "output buffer too small (size needed "
			       "reported)";
	case EMSGSIZE:	return "input larger than the operation allows";
	case ESTALE:	return "device stream or digest used after fork() "
			       "or a queue reset";
	case EBADF:	return "the session of this stream or digest was "
			       "closed";
	case ECANCELED:	return "request cancelled: its session was closed";
	case EINPROGRESS: return "request still in progress";
	case EBUSY:	return "busy: request still pending, no free device "
			       "context or queue instance";
	case ENOMSG:	return "nothing outstanding to wait for";
	case ETIMEDOUT:	return "device job timed out (queue reset)";
	case EFAULT:	return "translation fault: address not mapped or not "
			       "writable";
	case ESRCH:	return "the queue's address space (PASID) is gone";
	case EIO:	return "device error: the engine failed the job or the "
			       "queue failed (reset, corrupt completion); "
			       "AK_PATH=auto redoes one-shot jobs in software";
	default:	return NULL;
	}
}

AK_API const char *ak_strerror(int err)
{
	const char *m;
	int e = err < 0 ? -err : err;

	if (err == 0)
		return "success";
	if (err == -2147483647 - 1)
		return "unknown error";
	m = lib_message(e);
	if (!m)
		m = strerrordesc_np(e);	/* static, thread-safe (glibc) */
	return m ? m : "unknown error";
}
