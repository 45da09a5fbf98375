/* tensor_reduce.c - reductions of cvision tensors (see tensor_reduce.h): whole-tensor and along
 * one axis; sums accumulate in double, a NaN is the extreme of max/min like numpy. */
#include "tensor/tensor_reduce.h"
#include "tensor/tensor_ops.h"
#include <math.h>
#include <stdlib.h>

static const char *reduce_name(cv_reduce op) {
  static const char *names[] = {"sum", "mean", "max", "min", "argmax", "argmin"};
  return names[op];
}

/* tmp (empty) -> a float32 copy of the int8 tensor t (every int8 is exact in float32) */
static cv_status int8_as_float(cv_tensor *tmp, const cv_tensor *t) {
  cv_status st = cv_tensor_alloc_uninit(tmp, CV_FLOAT32, t->ndim, t->shape);
  if (st == CV_OK) cv_convert(cv_tensor_f32(tmp), CV_FLOAT32, cv_tensor_data(t), CV_INT8, t->numel);
  return st;
}

cv_status cv_tensor_reduce_all(const cv_tensor *t, cv_reduce op, double *value, int64_t *index) {
  if (t->dtype == CV_INT8) {
    cv_tensor tmp = {0};
    cv_status st = int8_as_float(&tmp, t);
    if (st == CV_OK) st = cv_tensor_reduce_all(&tmp, op, value, index);
    cv_tensor_release(&tmp);
    return st;
  }
  int64_t n = t->numel;
  if (index) *index = 0;
  if (op == CV_RED_SUM || op == CV_RED_MEAN) {
    double acc = 0.0;
    if (t->dtype == CV_FLOAT32) {
      const float *p = cv_tensor_f32(t);
      for (int64_t i = 0; i < n; i++) acc += p[i];
    } else {
      const uint8_t *p = cv_tensor_u8(t);
      for (int64_t i = 0; i < n; i++) acc += p[i];
    }
    *value = op == CV_RED_SUM ? acc : (n ? acc / (double)n : NAN);
    return CV_OK;
  }
  if (n == 0)
    return cv_fail(CV_ESHAPE, "%s of an empty tensor (it has no identity)", reduce_name(op));
  int want_max = op == CV_RED_MAX || op == CV_RED_ARGMAX;
  int64_t bi = 0;
  if (t->dtype == CV_FLOAT32) {
    const float *p = cv_tensor_f32(t);
    float b = p[0];
    for (int64_t i = 1; i < n && b == b; i++) {
      float v = p[i];
      if (v != v || (want_max ? v > b : v < b)) { b = v; bi = i; }   /* NaN wins, like numpy */
    }
    *value = b;
  } else {
    const uint8_t *p = cv_tensor_u8(t);
    uint8_t b = p[0];
    for (int64_t i = 1; i < n; i++)
      if (want_max ? p[i] > b : p[i] < b) { b = p[i]; bi = i; }
    *value = b;
  }
  if (index) *index = bi;
  return CV_OK;
}

cv_status cv_tensor_reduce_axis(cv_tensor *out, const cv_tensor *t, int axis, cv_reduce op,
                                int64_t base) {
  if (t->dtype == CV_INT8) {
    cv_tensor tmp = {0};
    cv_status st = int8_as_float(&tmp, t);
    if (st == CV_OK) st = cv_tensor_reduce_axis(out, &tmp, axis, op, base);
    cv_tensor_release(&tmp);
    return st;
  }
  if (axis < 0 || axis >= t->ndim)
    return cv_fail(CV_EINVAL, "%s: axis %d out of range for a tensor of rank %d",
                   reduce_name(op), axis + 1, t->ndim);
  int64_t outer = 1, inner = 1, n = t->shape[axis];
  for (int d = 0; d < axis; d++) outer *= t->shape[d];
  for (int d = axis + 1; d < t->ndim; d++) inner *= t->shape[d];
  if (out->numel != outer * inner)
    return cv_fail(CV_ESHAPE, "%s: output must have %lld elements", reduce_name(op),
                   (long long)(outer * inner));
  if (n == 0 && op != CV_RED_SUM && op != CV_RED_MEAN)
    return cv_fail(CV_ESHAPE, "%s over an empty axis", reduce_name(op));
  double *acc = malloc((size_t)(inner > 0 ? inner : 1) * (sizeof(double) + sizeof(int64_t)));
  if (!acc) return cv_fail(CV_ENOMEM, "out of memory");
  int64_t *arg = (int64_t *)(acc + inner);
  int is_f = t->dtype == CV_FLOAT32;
  const float *pf = is_f ? cv_tensor_f32(t) : NULL;
  const uint8_t *pu = is_f ? NULL : cv_tensor_u8(t);
  int sum = op == CV_RED_SUM || op == CV_RED_MEAN;
  int want_max = op == CV_RED_MAX || op == CV_RED_ARGMAX;
  for (int64_t o = 0; o < outer; o++) {
    int64_t start = o * n * inner;
    for (int64_t j = 0; j < inner; j++) {
      acc[j] = sum ? 0.0 : (is_f ? pf[start + j] : pu[start + j]);
      arg[j] = 0;
    }
    for (int64_t k = sum ? 0 : 1; k < n; k++) {
      int64_t row = start + k * inner;
      if (sum) {
        if (is_f) for (int64_t j = 0; j < inner; j++) acc[j] += pf[row + j];
        else for (int64_t j = 0; j < inner; j++) acc[j] += pu[row + j];
      } else {
        for (int64_t j = 0; j < inner; j++) {
          double v = is_f ? pf[row + j] : pu[row + j], b = acc[j];
          if (b != b) continue;                          /* a NaN stays the extreme */
          if (v != v || (want_max ? v > b : v < b)) { acc[j] = v; arg[j] = k; }
        }
      }
    }
    int64_t ob = o * inner;
    for (int64_t j = 0; j < inner; j++) {
      double v = acc[j];
      if (op == CV_RED_MEAN) v = n ? v / (double)n : NAN;
      else if (op == CV_RED_ARGMAX || op == CV_RED_ARGMIN) v = (double)(arg[j] + base);
      cv_tensor_set_flat(out, ob + j, v);
    }
  }
  free(acc);
  return CV_OK;
}
