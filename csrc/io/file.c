/* file.c - whole-file reads of regular files only (see file.h) */
#include "io/file.h"
#include "base/limits.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cv_strerror(int err, char *buf, size_t n) {
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  return strerror_r(err, buf, n);           /* GNU variant: returns the message */
#else
  if (strerror_r(err, buf, n) != 0) snprintf(buf, n, "error %d", err);
  return buf;
#endif
}

static const char *kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a file";
}

cv_status cv_file_open_regular(int *fd, int64_t *size, const char *path) {
  char eb[128];
  *fd = -1;
  int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (f < 0) return cv_fail(CV_EIO, "%s: %s", path, cv_strerror(errno, eb, sizeof eb));
  struct stat sb;
  if (fstat(f, &sb) != 0) {
    int e = errno;
    close(f);
    return cv_fail(CV_EIO, "%s: %s", path, cv_strerror(e, eb, sizeof eb));
  }
  if (!S_ISREG(sb.st_mode)) {
    close(f);
    return cv_fail(CV_EIO, "%s: not a regular file (%s)", path, kind_of(sb.st_mode));
  }
  int fl = fcntl(f, F_GETFL);
  if (fl >= 0) fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
  *fd = f;
  *size = (int64_t)sb.st_size;
  return CV_OK;
}

cv_status cv_file_read(unsigned char **buf, size_t *n, const char *path, int64_t max_bytes) {
  char eb[128];
  *buf = NULL;
  *n = 0;
  if (max_bytes < 0) {
    cv_limits l;
    cv_limits_get(&l);
    max_bytes = l.max_file_bytes;
  }
  int fd;
  int64_t size;
  cv_status st = cv_file_open_regular(&fd, &size, path);
  if (st != CV_OK) return st;
  if (size > max_bytes || (uint64_t)size > SIZE_MAX - 1) {
    close(fd);
    return cv_fail(CV_EFORMAT, "%s: file too large (%lld bytes; the limit is %lld)", path,
                   (long long)size, (long long)max_bytes);
  }
  unsigned char *b = size > 0 ? malloc((size_t)size) : NULL;
  if (size > 0 && !b) {
    close(fd);
    return cv_fail(CV_ENOMEM, "%s: out of memory (%lld bytes)", path, (long long)size);
  }
  size_t got = 0;
  while (got < (size_t)size) {            /* a file that shrinks while read ends early */
    ssize_t r = read(fd, b + got, (size_t)size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      free(b);
      close(fd);
      return cv_fail(CV_EIO, "%s: %s", path, cv_strerror(e, eb, sizeof eb));
    }
    if (r == 0) break;
    got += (size_t)r;
  }
  close(fd);
  if (got == 0) {
    free(b);
    b = NULL;
  }
  *buf = b;
  *n = got;
  return CV_OK;
}
