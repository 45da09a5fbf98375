/* tensor_index.c - picking parts of cvision tensors (see tensor_index.h): index tensors to row
 * numbers, gathering rows, boolean masks (select and fill). */
#include "tensor/tensor_index.h"
#include "tensor/tensor_ops.h"
#include <math.h>
#include <string.h>

cv_status cv_tensor_to_indices(int64_t *rows, const cv_tensor *idx, int64_t base) {
  if (idx->dtype != CV_FLOAT32) {   /* uint8, int8: integers already */
    for (int64_t i = 0; i < idx->numel; i++) rows[i] = (int64_t)cv_tensor_get_flat(idx, i) - base;
    return CV_OK;
  }
  const float *p = cv_tensor_f32(idx);
  for (int64_t i = 0; i < idx->numel; i++) {
    float v = p[i];
    if (v != floorf(v) || !(fabsf(v) < 9e18f))
      return cv_fail(CV_EINVAL, "index %g at position %lld is not an integer", (double)v,
                     (long long)(i + base));
    rows[i] = (int64_t)v - base;
  }
  return CV_OK;
}

cv_status cv_tensor_gather_rows(cv_tensor *out, const cv_tensor *src, const int64_t *rows,
                                int64_t n) {
  if (src->ndim < 1) return cv_fail(CV_ESHAPE, "index: a 0-d tensor has no rows");
  int64_t nrows = src->shape[0];
  int64_t per = nrows ? src->numel / nrows : 0;
  if (out->dtype != src->dtype || out->numel != n * per)
    return cv_fail(CV_ESHAPE, "index: output must be %lld rows of %lld elements", (long long)n,
                   (long long)per);
  size_t sz = cv_dtype_size(src->dtype), rb = (size_t)per * sz;
  const char *s = cv_tensor_data(src);
  char *o = cv_tensor_data(out);
  for (int64_t i = 0; i < n; i++) {
    int64_t r = rows[i];
    if (r < 0 || r >= nrows)
      return cv_fail(CV_EINVAL, "index %lld out of range for axis 1 of size %lld",
                     (long long)(r + 1), (long long)nrows);
    if (per == 1) {
      if (sz == 4) ((float *)o)[i] = ((const float *)s)[r];
      else ((uint8_t *)o)[i] = ((const uint8_t *)s)[r];
    } else {
      memcpy(o + (size_t)i * rb, s + (size_t)r * rb, rb);
    }
  }
  return CV_OK;
}

int64_t cv_tensor_count_nonzero(const cv_tensor *mask) {
  int64_t c = 0;
  if (mask->dtype != CV_FLOAT32) {   /* a byte is nonzero as uint8 and as int8 alike */
    const uint8_t *p = cv_tensor_data(mask);
    for (int64_t i = 0; i < mask->numel; i++) c += p[i] != 0;
  } else {
    const float *p = cv_tensor_f32(mask);
    for (int64_t i = 0; i < mask->numel; i++) c += p[i] != 0.0f;
  }
  return c;
}

static int mask_on(const cv_tensor *mask, int64_t i) {
  return mask->dtype != CV_FLOAT32 ? ((const uint8_t *)cv_tensor_data(mask))[i] != 0
                                    : cv_tensor_f32(mask)[i] != 0.0f;
}

int cv_mask_kind(const cv_tensor *t, const cv_tensor *mask, const char *what) {
  int same = mask->ndim == t->ndim;
  for (int d = 0; same && d < t->ndim; d++) same = mask->shape[d] == t->shape[d];
  if (same && t->ndim != 1) return 0;
  if (t->ndim >= 1 && mask->ndim == 1 && mask->shape[0] == t->shape[0]) return 1;
  char sm[128], st[128];
  cv_shape_format(sm, sizeof sm, mask->ndim, mask->shape);
  cv_shape_format(st, sizeof st, t->ndim, t->shape);
  cv_fail(CV_ESHAPE, "%s: a mask of shape %s does not match a tensor of shape %s (expected %lld "
          "entries along axis 1, or the same shape)", what, sm, st,
          (long long)(t->ndim ? t->shape[0] : 0));
  return -1;
}

cv_status cv_tensor_mask_select(cv_tensor *out, const cv_tensor *src, const cv_tensor *mask) {
  int kind = cv_mask_kind(src, mask, "select_mask");
  if (kind < 0) return CV_ESHAPE;
  int64_t per = kind == 1 && src->shape[0] ? src->numel / src->shape[0] : 1;
  int64_t cnt = cv_tensor_count_nonzero(mask);
  if (out->dtype != src->dtype || out->numel != cnt * per)
    return cv_fail(CV_ESHAPE, "select_mask: output must hold %lld elements", (long long)(cnt * per));
  size_t sz = cv_dtype_size(src->dtype), rb = (size_t)per * sz;
  const char *s = cv_tensor_data(src);
  char *o = cv_tensor_data(out);
  for (int64_t i = 0; i < mask->numel; i++)
    if (mask_on(mask, i)) {
      memcpy(o, s + (size_t)i * rb, rb);
      o += rb;
    }
  return CV_OK;
}

cv_status cv_tensor_mask_fill(cv_tensor *t, const cv_tensor *mask, double v) {
  int kind = cv_mask_kind(t, mask, "masked assignment");
  if (kind < 0) return CV_ESHAPE;
  int64_t per = kind == 1 && t->shape[0] ? t->numel / t->shape[0] : 1;
  for (int64_t i = 0; i < mask->numel; i++)
    if (mask_on(mask, i))
      for (int64_t j = 0; j < per; j++) cv_tensor_set_flat(t, i * per + j, v);
  return CV_OK;
}

