/* metrics.c - counts of correct predictions for accuracy metrics (see metrics.h). */
#include "nn/metrics.h"
#include "nn/check.h"
#include <math.h>

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
