/* dropout.c - inverted dropout forward and backward (see dropout.h). */
#include "nn/dropout.h"
#include "nn/check.h"
#include "base/random.h"

/* x (any) -> y, mask (like x) */
cv_status cv_dropout_forward(cv_tensor *y, cv_tensor *mask, const cv_tensor *x, float rate) {
  cv_status st;
  if ((st = cv_nn_check_f32("dropout", "y", y, 0)) || (st = cv_nn_check_f32("dropout", "x", x, 0)) ||
      (st = cv_nn_check_f32("dropout", "mask", mask, 0)))
    return st;
  if ((st = cv_nn_check_same("dropout", "y", y, "x", x)) ||
      (st = cv_nn_check_same("dropout", "mask", mask, "x", x)))
    return st;
  if (!(rate >= 0.0f && rate < 1.0f))
    return cv_fail(CV_EINVAL, "dropout: rate must be in [0, 1), got %g", (double)rate);
  const float *xp = cv_tensor_f32(x);
  float *yp = cv_tensor_f32(y), *mp = cv_tensor_f32(mask);
  float keep = 1.0f / (1.0f - rate);
  for (int64_t i = 0; i < x->numel; i++) {
    float m = cv_rng_uniform() >= rate ? keep : 0.0f;
    mp[i] = m;
    yp[i] = xp[i] * m;
  }
  return CV_OK;
}

/* dy, mask -> dx (all the same shape) */
cv_status cv_dropout_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *mask) {
  cv_status st;
  if ((st = cv_nn_check_f32("dropout_backward", "dx", dx, 0)) ||
      (st = cv_nn_check_f32("dropout_backward", "dy", dy, 0)) ||
      (st = cv_nn_check_f32("dropout_backward", "mask", mask, 0)))
    return st;
  if ((st = cv_nn_check_same("dropout_backward", "dx", dx, "dy", dy)) ||
      (st = cv_nn_check_same("dropout_backward", "mask", mask, "dy", dy)))
    return st;
  const float *g = cv_tensor_f32(dy), *m = cv_tensor_f32(mask);
  float *d = cv_tensor_f32(dx);
  for (int64_t i = 0; i < dy->numel; i++) d[i] = g[i] * m[i];
  return CV_OK;
}
