/* padding.c - zero padding of NHWC images, forward and backward (see padding.h). */
#include "nn/padding.h"
#include "nn/check.h"
#include <string.h>

static cv_status check_pad(const char *who, const cv_tensor *small, const char *sn,
                           const cv_tensor *big, const char *bn, int top, int left) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, sn, small, 0)) || (st = cv_nn_check_f32(who, bn, big, 0))) return st;
  if (small->ndim != 4 || big->ndim != 4)
    return cv_fail(CV_ESHAPE, "%s: %s and %s must be (N, H, W, C), got %s and %s", who, sn, bn,
                   cv_nn_shape_str(small), cv_nn_shape_str(big));
  if (top < 0 || left < 0 || small->shape[0] != big->shape[0] || small->shape[3] != big->shape[3] ||
      small->shape[1] + top > big->shape[1] || small->shape[2] + left > big->shape[2])
    return cv_fail(CV_ESHAPE, "%s: %s %s does not fit in %s %s at top %d, left %d", who, sn,
                   cv_nn_shape_str(small), bn, cv_nn_shape_str(big), top, left);
  return CV_OK;
}

/* x (N,H,W,C) -> y (N,H+top+bottom,W+left+right,C) */
cv_status cv_zeropad2d_forward(cv_tensor *y, const cv_tensor *x, int top, int left) {
  cv_status st = check_pad("zeropad2d", x, "x", y, "y", top, left);
  if (st) return st;
  int64_t N = x->shape[0], H = x->shape[1], W = x->shape[2], C = x->shape[3];
  int64_t OH = y->shape[1], OW = y->shape[2];
  const float *xp = cv_tensor_f32(x);
  float *yp = cv_tensor_f32(y);
  memset(yp, 0, (size_t)y->numel * sizeof(float));
  for (int64_t n = 0; n < N; n++)
    for (int64_t h = 0; h < H; h++)
      memcpy(yp + ((n * OH + h + top) * OW + left) * C, xp + (n * H + h) * W * C,
             (size_t)(W * C) * sizeof(float));
  return CV_OK;
}

/* dy (N,H',W',C) -> dx (N,H,W,C) */
cv_status cv_zeropad2d_backward(cv_tensor *dx, const cv_tensor *dy, int top, int left) {
  cv_status st = check_pad("zeropad2d_backward", dx, "dx", dy, "dy", top, left);
  if (st) return st;
  int64_t N = dx->shape[0], H = dx->shape[1], W = dx->shape[2], C = dx->shape[3];
  int64_t OH = dy->shape[1], OW = dy->shape[2];
  const float *g = cv_tensor_f32(dy);
  float *d = cv_tensor_f32(dx);
  for (int64_t n = 0; n < N; n++)
    for (int64_t h = 0; h < H; h++)
      memcpy(d + (n * H + h) * W * C, g + ((n * OH + h + top) * OW + left) * C,
             (size_t)(W * C) * sizeof(float));
  return CV_OK;
}
