/* fuzz/fuzz_file.h - what the C harnesses share: the bytes of one fuzz input as a file the loaders
 * can open by path (an anonymous memory file, memfd, reached through /proc/self/fd, so no disk is
 * touched), and the budgets they run under. */
#ifndef CV_FUZZ_FILE_H
#define CV_FUZZ_FILE_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cvision.h"

/* the harnesses' budgets (fuzz/fuzz_loaders.c sets the same from Lua): 4M pixels, 64 MiB a tensor,
 * so anything larger is refused and an allocation past libFuzzer's limit is a finding */
static inline void cv_fuzz_limits(void) {
  cv_limits l;
  cv_limits_get(&l);
  l.max_image_pixels = (int64_t)1 << 22;
  l.max_tensor_bytes = (int64_t)1 << 26;
  cv_limits_set(&l);
}

/* d[0..n) -> path (a /proc/self/fd/N name); returns the descriptor to close, -1 on failure */
static inline int cv_fuzz_file(char *path, size_t cap, const uint8_t *d, size_t n) {
  int fd = memfd_create("cv_fuzz", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(fd, d + off, n - off);
    if (w <= 0) { close(fd); return -1; }
    off += (size_t)w;
  }
  snprintf(path, cap, "/proc/self/fd/%d", fd);
  return fd;
}
#endif
