/* file.h - reading a whole file safely: only a regular file is read (opened non-blocking and
 * checked with fstat, so a FIFO, a directory or a device such as /dev/zero is refused at once,
 * naming the path), and its size is checked against a budget before anything is allocated. */
#ifndef CV_FILE_H
#define CV_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "base/cv_status.h"

/* path -> *buf (malloc'd, the caller frees; NULL for an empty file), *n its size; max_bytes < 0
 * means the max_file_bytes budget (base/limits.h). Errors: "<path>: No such file or directory",
 * "<path>: not a regular file (a FIFO)", "<path>: file too large (N bytes; the limit is M)". */
cv_status cv_file_read(unsigned char **buf, size_t *n, const char *path, int64_t max_bytes);

/* Opens path for reading as cv_file_read does (regular files only, never blocking); the
 * descriptor is in blocking mode again on return. *size <- its size. */
cv_status cv_file_open_regular(int *fd, int64_t *size, const char *path);

/* Saving that cannot tear or be hijacked: the bytes go to a new temporary file in the target's
 * folder (".<name>.<pid>.<random>.tmp", created with O_EXCL | O_NOFOLLOW, so a symlink planted
 * there is never followed and two savers never share one), are fsync'ed, renamed over path, and
 * the folder is fsync'ed: readers see the old file or the new one, never a part; of concurrent
 * savers one complete file wins; a killed writer leaves only a temporary no loader reads. */
typedef struct {
  int fd;
  char *tmp;                /* the temporary's path */
  const char *path;
  cv_status st;             /* the first failure; later writes do nothing */
} cv_atomic_file;

cv_status cv_atomic_open(cv_atomic_file *a, const char *path);
/* appends n bytes (after a failure: returns it again) */
cv_status cv_atomic_write(cv_atomic_file *a, const void *p, size_t n);
/* fsync, rename over path, fsync the folder; on any failure the temporary is removed */
cv_status cv_atomic_commit(cv_atomic_file *a);
/* gives up: closes and removes the temporary (safe after a failed open or commit) */
void cv_atomic_abort(cv_atomic_file *a);
/* the whole of buf[0..n) to path, atomically as above */
cv_status cv_file_write_atomic(const char *path, const void *buf, size_t n);

/* err -> its message in buf (thread-safe strerror), returned */
const char *cv_strerror(int err, char *buf, size_t n);

#endif
