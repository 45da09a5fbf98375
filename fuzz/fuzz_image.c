/* fuzz/fuzz_image.c - libFuzzer harness of the image decoders (PNG, GIF, BMP, JPEG through
 * cv_image_load_mem). The first byte picks the channels asked for; the budget is lowered so a
 * claimed size the file cannot hold is the only way to a large allocation. */
#include "cvision.h"
#include "fuzz_file.h"
#include <stdint.h>

int cv_fuzz_image(const uint8_t *d, size_t n) {
  if (n < 1) return 0;
  cv_fuzz_limits();
  cv_tensor t;
  if (cv_image_load_mem(&t, d + 1, n - 1, d[0] % 5, "fuzz") == CV_OK) cv_tensor_release(&t);
  return 0;
}

#ifndef CV_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return cv_fuzz_image(d, n); }
#endif
