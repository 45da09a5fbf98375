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

/* err -> its message in buf (thread-safe strerror), returned */
const char *cv_strerror(int err, char *buf, size_t n);

#endif
