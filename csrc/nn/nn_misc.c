/* nn_misc.c - dropout, zero padding, top-k accuracy and the shared shape-message helpers
 * (see nn_misc.h). */
#include "nn/nn_misc.h"
#include "base/random.h"
#include <math.h>
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

/* pred (N,K), labels (N) -> *correct */
/* the checks topk_correct and argmax_correct share; who names the caller */
static cv_status check_class_rows(const char *who, const cv_tensor *pred, const cv_tensor *labels) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, "pred", pred, 0)) || (st = cv_nn_check_f32(who, "labels", labels, 0)))
    return st;
  if (pred->ndim != 2 || labels->numel != pred->shape[0])
    return cv_fail(CV_ESHAPE, "%s: pred must be (N, K) and labels (N), got %s and %s", who,
                   cv_nn_shape_str(pred), cv_nn_shape_str(labels));
  int64_t K = pred->shape[1];
  const float *lab = cv_tensor_f32(labels);
  for (int64_t n = 0; n < labels->numel; n++) {
    float l = lab[n];
    if (!(l >= 1.0f && l <= (float)K) || l != floorf(l))
      return cv_fail(CV_EINVAL, "%s: label %g of row %lld is not a class number in 1..%lld", who,
                     (double)l, (long long)n + 1, (long long)K);
  }
  return CV_OK;
}

/* pred (N,K), labels (N) -> *correct rows whose argmax is the label */
cv_status cv_argmax_correct(long *correct, const cv_tensor *pred, const cv_tensor *labels) {
  cv_status st;
  *correct = 0;
  if ((st = check_class_rows("argmax_correct", pred, labels))) return st;
  int64_t N = pred->shape[0], K = pred->shape[1];
  const float *p = cv_tensor_f32(pred), *lab = cv_tensor_f32(labels);
  for (int64_t n = 0; n < N && K > 0; n++) {
    const float *row = p + n * K;
    int64_t bi = 0;
    float b = row[0];
    for (int64_t j = 1; j < K && b == b; j++)
      if (row[j] != row[j] || row[j] > b) { b = row[j]; bi = j; }   /* a NaN wins, as t:argmax */
    if (bi + 1 == (int64_t)lab[n]) (*correct)++;
  }
  return CV_OK;
}

cv_status cv_topk_correct(long *correct, const cv_tensor *pred, const cv_tensor *labels, int k) {
  cv_status st;
  *correct = 0;
  if (k < 1) return cv_fail(CV_EINVAL, "topk_correct: k must be at least 1, got %d", k);
  if ((st = check_class_rows("topk_correct", pred, labels))) return st;
  int64_t N = pred->shape[0], K = pred->shape[1];
  const float *p = cv_tensor_f32(pred), *lab = cv_tensor_f32(labels);
  for (int64_t n = 0; n < N; n++) {
    const float *row = p + n * K;
    float target = row[(int64_t)lab[n] - 1];
    if (!isfinite(target)) continue;
    int64_t above = 0;
    for (int64_t j = 0; j < K; j++) above += row[j] > target;
    if (above < k) (*correct)++;
  }
  return CV_OK;
}
