/* check.c - the argument checks the nn kernels share (see check.h). */
#include "nn/check.h"
#include <string.h>

const char *cv_nn_shape_str(const cv_tensor *t) {
  static _Thread_local char bufs[8][96];
  static _Thread_local int next;
  char *b = bufs[next++ & 7];
  if (!t) { strcpy(b, "nil"); return b; }
  cv_shape_format(b, sizeof bufs[0], t->ndim, t->shape);
  return b;
}

cv_status cv_nn_check_f32(const char *who, const char *what, const cv_tensor *t, int optional) {
  if (!t || !t->storage) {
    if (optional && !t) return CV_OK;
    return cv_fail(CV_EINVAL, "%s: %s is missing", who, what);
  }
  if (t->dtype != CV_FLOAT32)
    return cv_fail(CV_EDTYPE, "%s: %s must be float32, got %s", who, what, cv_dtype_name(t->dtype));
  return CV_OK;
}

cv_status cv_nn_check_same(const char *who, const char *an, const cv_tensor *a, const char *bn,
                           const cv_tensor *b) {
  int same = a->ndim == b->ndim;
  for (int i = 0; same && i < a->ndim; i++) same = a->shape[i] == b->shape[i];
  if (!same)
    return cv_fail(CV_ESHAPE, "%s: %s shape %s differs from %s shape %s", who, an,
                   cv_nn_shape_str(a), bn, cv_nn_shape_str(b));
  return CV_OK;
}

cv_status cv_nn_check_grads(const char *who, const cv_tensor *dx, const cv_tensor *x, const cv_tensor *dw,
                            const cv_tensor *w, const cv_tensor *db, int64_t nb, const char *each) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, "dx", dx, 1)) || (st = cv_nn_check_f32(who, "dw", dw, 1)) ||
      (st = cv_nn_check_f32(who, "db", db, 1)))
    return st;
  if (dx && (st = cv_nn_check_same(who, "dx", dx, "x", x))) return st;
  if (dw && (st = cv_nn_check_same(who, "dw", dw, "w", w))) return st;
  if (db && db->numel != nb)
    return cv_fail(CV_ESHAPE, "%s: db has %lld elements, expected %lld (one per %s)", who,
                   (long long)db->numel, (long long)nb, each);
  return CV_OK;
}
