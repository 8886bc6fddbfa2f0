/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One-shot requests (async.c): validation, the device state machines
 * (on the engine) and the software execution. Completion goes to the
 * session's done list (session.h); alg.c delivers.
 */
#ifndef AK_ALG_REQUEST_H
#define AK_ALG_REQUEST_H

#include <stdbool.h>

#include "session.h"

int ak_req_validate(struct ak_session *s, struct ak_req *r);
void ak_req_start_device(struct ak_session *s, struct ak_req *r);
void ak_req_run_software(struct ak_session *s, struct ak_req *r);
/* Runs in software even on a device session (COMPRESS at level 0: the
 * device engine has levels 1..9 and storing needs no engine). */
bool ak_req_software_only(const struct ak_req *r);
/* The device failed @r (HW_ERROR, ABORTED, a failed queue; no job of @r
 * is in flight any more): an auto session redoes it from the start in
 * software when that is safe (AK_REQ_FELL_BACK), else it completes with
 * @err. No-op if @r already completed. */
void ak_req_device_failed(struct ak_session *s, struct ak_req *r, int err);
/* Start held-back (backlog) requests while the ring has room. */
void ak_req_pump(struct ak_session *s);

#endif /* AK_ALG_REQUEST_H */
