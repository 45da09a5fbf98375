/* cv_status.c - per-thread error messages for the core (see cv_status.h). */
#include "base/cv_status.h"
#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_msg[512];

cv_status cv_fail(cv_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_msg, sizeof last_msg, fmt, ap);
  va_end(ap);
  return st;
}

const char *cv_last_error(void) { return last_msg; }

const char *cv_status_name(cv_status st) {
  switch (st) {
    case CV_OK: return "ok";
    case CV_ENOMEM: return "out of memory";
    case CV_ESHAPE: return "shape mismatch";
    case CV_EINVAL: return "invalid argument";
    case CV_EIO: return "input/output error";
    case CV_EFORMAT: return "bad format";
    case CV_EDTYPE: return "unsupported dtype";
  }
  return "unknown error";
}
