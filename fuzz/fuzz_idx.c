/* fuzz/fuzz_idx.c - libFuzzer harness of the idx reader (plain and gzip'ed), the input as a file */
#include "cvision.h"
#include "io/idx.h"
#include "fuzz_file.h"

int cv_fuzz_idx(const uint8_t *d, size_t n) {
  cv_fuzz_limits();
  char path[64];
  int fd = cv_fuzz_file(path, sizeof path, d, n);
  if (fd < 0) return 0;
  cv_tensor t;
  if (cv_idx_load(&t, path) == CV_OK) cv_tensor_release(&t);
  close(fd);
  return 0;
}

#ifndef CV_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return cv_fuzz_idx(d, n); }
#endif
