/* tensor_join.c - concatenation and its inverse along one axis (see tensor_join.h), converting
 * dtypes block by block. */
#include "tensor/tensor_join.h"
#include "tensor/tensor_ops.h"

/* the blocks of concat and split: each of the n tensors agrees with ref on every axis but axis;
 * *total = their sizes along axis added up. who/item name them in the message. */
static cv_status check_blocks(const char *who, const char *item, const cv_tensor *const *list, int n,
                              const cv_tensor *ref, int axis, int64_t *total) {
  int nd = ref->ndim;
  *total = 0;
  for (int k = 0; k < n; k++) {
    const cv_tensor *t = list[k];
    int ok = t->ndim == nd;
    for (int d = 0; ok && d < nd; d++) ok = d == axis || t->shape[d] == ref->shape[d];
    if (!ok) {
      char sr[128], sk[128];
      cv_shape_format(sr, sizeof sr, ref->ndim, ref->shape);
      cv_shape_format(sk, sizeof sk, t->ndim, t->shape);
      return cv_fail(CV_ESHAPE, "%s: %s %d has shape %s, incompatible with %s along axis %d", who, item,
                     k + 1, sk, sr, axis + 1);
    }
    *total += t->shape[axis];
  }
  return CV_OK;
}

cv_status cv_tensor_concat(cv_tensor *out, const cv_tensor *const *list, int n, int axis) {
  if (n < 1) return cv_fail(CV_EINVAL, "concat: needs at least one tensor");
  int nd = list[0]->ndim;
  if (axis < 0 || axis >= nd)
    return cv_fail(CV_EINVAL, "concat: axis %d out of range for tensors of rank %d", axis + 1, nd);
  int64_t total;
  cv_status st = check_blocks("concat", "tensor", list, n, list[0], axis, &total);
  if (st) return st;
  int ok = out->ndim == nd;
  for (int d = 0; ok && d < nd; d++)
    ok = out->shape[d] == (d == axis ? total : list[0]->shape[d]);
  if (!ok) return cv_fail(CV_ESHAPE, "concat: output has the wrong shape");
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= list[0]->shape[d];
  for (int d = axis + 1; d < nd; d++) inner *= list[0]->shape[d];
  size_t osz = cv_dtype_size(out->dtype);
  char *o = cv_tensor_data(out);
  for (int64_t i = 0; i < outer; i++)
    for (int k = 0; k < n; k++) {
      const cv_tensor *t = list[k];
      int64_t chunk = t->shape[axis] * inner;
      const char *s = (const char *)cv_tensor_data(t) + (size_t)(i * chunk) * cv_dtype_size(t->dtype);
      cv_convert(o, out->dtype, s, t->dtype, chunk);
      o += (size_t)chunk * osz;
    }
  return CV_OK;
}

/* src joined along axis -> outs (the blocks in order) */
cv_status cv_tensor_split(cv_tensor *const *outs, int n, const cv_tensor *src, int axis) {
  if (n < 1) return cv_fail(CV_EINVAL, "split: needs at least one output tensor");
  int nd = src->ndim;
  if (axis < 0 || axis >= nd)
    return cv_fail(CV_EINVAL, "split: axis %d out of range for a tensor of rank %d", axis + 1, nd);
  int64_t total;
  cv_status st = check_blocks("split", "output", (const cv_tensor *const *)outs, n, src, axis, &total);
  if (st) return st;
  if (total != src->shape[axis])
    return cv_fail(CV_ESHAPE, "split: the outputs add up to %lld along axis %d, the source has %lld",
                   (long long)total, axis + 1, (long long)src->shape[axis]);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= src->shape[d];
  for (int d = axis + 1; d < nd; d++) inner *= src->shape[d];
  size_t ssz = cv_dtype_size(src->dtype);
  const char *s = cv_tensor_data(src);
  for (int64_t i = 0; i < outer; i++)
    for (int k = 0; k < n; k++) {
      cv_tensor *t = outs[k];
      int64_t chunk = t->shape[axis] * inner;
      char *o = (char *)cv_tensor_data(t) + (size_t)(i * chunk) * cv_dtype_size(t->dtype);
      cv_convert(o, t->dtype, s, src->dtype, chunk);
      s += (size_t)chunk * ssz;
    }
  return CV_OK;
}
