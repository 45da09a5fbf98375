/* cv_status.h - status codes and the per-thread error message of the cvision core.
 * The core never prints or exits: every fallible function returns a cv_status and, on failure,
 * leaves a human-readable reason retrievable with cv_last_error(). */
#ifndef CV_STATUS_H
#define CV_STATUS_H

typedef enum cv_status {
  CV_OK = 0,
  CV_ENOMEM,   /* allocation failed */
  CV_ESHAPE,   /* shapes do not agree */
  CV_EINVAL,   /* bad argument value */
  CV_EIO,      /* file could not be read or written */
  CV_EFORMAT,  /* file content is corrupt or of an unknown format */
  CV_EDTYPE    /* unsupported element type */
} cv_status;

/* Records a printf-style message for the calling thread and returns st, so callers can write
 * `return cv_fail(CV_ESHAPE, "expected %d", n);` */
cv_status cv_fail(cv_status st, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
/* The message of the last failure on this thread ("" when none). */
const char *cv_last_error(void);
/* A short name for a status ("out of memory", "shape mismatch", ...). */
const char *cv_status_name(cv_status st);

#endif
