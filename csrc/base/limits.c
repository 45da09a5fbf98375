/* limits.c - the process-wide budgets of limits.h */
#include "base/limits.h"
#include <stdatomic.h>

static _Atomic int64_t max_image_pixels = CV_DEFAULT_MAX_IMAGE_PIXELS;
static _Atomic int64_t max_tensor_bytes = CV_DEFAULT_MAX_TENSOR_BYTES;
static _Atomic int64_t max_file_bytes = CV_DEFAULT_MAX_FILE_BYTES;

void cv_limits_get(cv_limits *out) {
  out->max_image_pixels = atomic_load_explicit(&max_image_pixels, memory_order_relaxed);
  out->max_tensor_bytes = atomic_load_explicit(&max_tensor_bytes, memory_order_relaxed);
  out->max_file_bytes = atomic_load_explicit(&max_file_bytes, memory_order_relaxed);
}

cv_status cv_limits_set(const cv_limits *l) {
  if (l->max_image_pixels < 1 || l->max_tensor_bytes < 1 || l->max_file_bytes < 1)
    return cv_fail(CV_EINVAL, "limits must be positive");
  atomic_store_explicit(&max_image_pixels, l->max_image_pixels, memory_order_relaxed);
  atomic_store_explicit(&max_tensor_bytes, l->max_tensor_bytes, memory_order_relaxed);
  atomic_store_explicit(&max_file_bytes, l->max_file_bytes, memory_order_relaxed);
  return CV_OK;
}

void cv_limits_reset(void) {
  cv_limits d = {CV_DEFAULT_MAX_IMAGE_PIXELS, CV_DEFAULT_MAX_TENSOR_BYTES, CV_DEFAULT_MAX_FILE_BYTES};
  cv_limits_set(&d);
}

int64_t cv_mul_size(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return -1;
  if (a != 0 && b > INT64_MAX / a) return -1;
  return a * b;
}
