/* limits.h - the budgets every decoder and loader checks a file's claims against before it
 * allocates (cv.set_limits in Lua), like PIL's decompression-bomb guard. Process-wide, read with
 * relaxed atomics (the data loader decodes in several threads while Lua may change them).
 *   max_image_pixels  pixels of one decoded image (default 178,956,970: PIL's error threshold,
 *                     2 * Image.MAX_IMAGE_PIXELS)
 *   max_tensor_bytes  bytes of one tensor read from a file (default 4 GiB)
 *   max_file_bytes    bytes of one file read whole into memory (default 2 GiB - 1: images,
 *                     safetensors headers, JSON, CSV) */
#ifndef CV_LIMITS_H
#define CV_LIMITS_H

#include <stdint.h>
#include "base/cv_status.h"

typedef struct {
  int64_t max_image_pixels;
  int64_t max_tensor_bytes;
  int64_t max_file_bytes;
} cv_limits;

#define CV_DEFAULT_MAX_IMAGE_PIXELS ((int64_t)178956970)
#define CV_DEFAULT_MAX_TENSOR_BYTES ((int64_t)1 << 32)
#define CV_DEFAULT_MAX_FILE_BYTES ((int64_t)0x7fffffff)

/* out <- the budgets in force */
void cv_limits_get(cv_limits *out);
/* the budgets <- l; every field must be >= 1 (CV_EINVAL otherwise, nothing changed) */
cv_status cv_limits_set(const cv_limits *l);
/* the budgets back to their defaults */
void cv_limits_reset(void);

/* a * b, or -1 when either is negative or the product overflows int64 */
int64_t cv_mul_size(int64_t a, int64_t b);

#endif
