/* file.c - whole-file reads of regular files only (see file.h) */
#include "io/file.h"
#include "base/limits.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/random.h>
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

/* ---- atomic saves ---------------------------------------------------------------------------- */

static uint64_t random64(void) {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    static atomic_uint_fast64_t salt;      /* no entropy yet: still unique within the process */
    r = (uint64_t)getpid() * 0x9E3779B97F4A7C15u ^ atomic_fetch_add(&salt, 1) * 0xBF58476D1CE4E5B9u;
  }
  return r;
}

cv_status cv_atomic_open(cv_atomic_file *a, const char *path) {
  char eb[128];
  a->fd = -1;
  a->tmp = NULL;
  a->path = path;
  a->st = CV_OK;
  const char *slash = strrchr(path, '/');
  size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
  const char *base = slash ? slash + 1 : path;
  if (!*base) return a->st = cv_fail(CV_EIO, "%s: not a file name", path);
  size_t tn = strlen(path) + 64;
  a->tmp = malloc(tn);
  if (!a->tmp) return a->st = cv_fail(CV_ENOMEM, "%s: out of memory", path);
  for (int tries = 0; tries < 100; tries++) {
    snprintf(a->tmp, tn, "%.*s.%s.%ld.%016llx.tmp", (int)dlen, path, base, (long)getpid(),
             (unsigned long long)random64());
    a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (a->fd >= 0) return CV_OK;
    if (errno != EEXIST) break;
  }
  a->st = cv_fail(CV_EIO, "%s: %s", path, cv_strerror(errno, eb, sizeof eb));
  free(a->tmp);
  a->tmp = NULL;
  return a->st;
}

cv_status cv_atomic_write(cv_atomic_file *a, const void *p, size_t n) {
  char eb[128];
  if (a->st != CV_OK) return a->st;
  const unsigned char *b = p;
  while (n > 0) {
    ssize_t w = write(a->fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return a->st = cv_fail(CV_EIO, "%s: %s", a->path, cv_strerror(errno, eb, sizeof eb));
    b += w;
    n -= (size_t)w;
  }
  return CV_OK;
}

void cv_atomic_abort(cv_atomic_file *a) {
  if (a->fd >= 0) close(a->fd);
  a->fd = -1;
  if (a->tmp) unlink(a->tmp);
  free(a->tmp);
  a->tmp = NULL;
}

static void fsync_folder(const char *path) {
  const char *slash = strrchr(path, '/');
  char *d = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
  if (!d) return;
  int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);                             /* the rename is durable; failure here is not fatal */
    close(fd);
  }
  free(d);
}

cv_status cv_atomic_commit(cv_atomic_file *a) {
  char eb[128];
  cv_status st = a->st;
  if (st == CV_OK && fsync(a->fd) != 0)
    st = cv_fail(CV_EIO, "%s: %s", a->path, cv_strerror(errno, eb, sizeof eb));
  if (a->fd >= 0 && close(a->fd) != 0 && st == CV_OK)
    st = cv_fail(CV_EIO, "%s: %s", a->path, cv_strerror(errno, eb, sizeof eb));
  a->fd = -1;
  if (st == CV_OK && rename(a->tmp, a->path) != 0)
    st = cv_fail(CV_EIO, "%s: %s", a->path, cv_strerror(errno, eb, sizeof eb));
  if (st != CV_OK) {
    cv_atomic_abort(a);
    return a->st = st;
  }
  free(a->tmp);
  a->tmp = NULL;
  fsync_folder(a->path);
  return CV_OK;
}

cv_status cv_file_write_atomic(const char *path, const void *buf, size_t n) {
  cv_atomic_file a;
  cv_status st = cv_atomic_open(&a, path);
  if (st != CV_OK) return st;
  cv_atomic_write(&a, buf, n);
  return cv_atomic_commit(&a);
}
