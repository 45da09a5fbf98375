/* loss.c - losses and their gradients (see loss.h). Sums in double; per-row work in plain loops. */
#include "nn/loss.h"
#include "nn/check.h"
#include <math.h>
#include <string.h>

static const char *const names[] = {"sparse_categorical_crossentropy", "categorical_crossentropy",
                                    "binary_crossentropy", "poisson", "mean_squared_error",
                                    "mean_absolute_error"};
#define NLOSS ((int)(sizeof names / sizeof names[0]))

cv_status cv_loss_from_name(cv_loss_kind *out, const char *name) {
  for (int i = 0; i < NLOSS; i++)
    if (strcmp(name, names[i]) == 0) { *out = (cv_loss_kind)i; return CV_OK; }
  if (strcmp(name, "mse") == 0) { *out = CV_LOSS_MEAN_SQUARED_ERROR; return CV_OK; }
  if (strcmp(name, "mae") == 0) { *out = CV_LOSS_MEAN_ABSOLUTE_ERROR; return CV_OK; }
  return cv_fail(CV_EINVAL, "unknown loss '%s' (expected sparse_categorical_crossentropy, "
                 "categorical_crossentropy, binary_crossentropy, poisson, mean_squared_error or "
                 "mean_absolute_error)", name);
}

const char *cv_loss_name(cv_loss_kind k) { return (int)k >= 0 && (int)k < NLOSS ? names[k] : "?"; }

static inline float clipf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
/* TF's clip_by_value gradient: passes inside [lo, hi] */
static inline float inside(float v, float lo, float hi) { return v >= lo && v <= hi ? 1.0f : 0.0f; }

/* logits row l (K) -> log-sum-exp, and softmax into s when s != NULL */
static double logsumexp(const float *l, int64_t K, float *s) {
  float mx = l[0];
  for (int64_t k = 1; k < K; k++) mx = l[k] > mx ? l[k] : mx;
  double sum = 0.0;
  for (int64_t k = 0; k < K; k++) {
    double e = exp((double)l[k] - mx);
    if (s) s[k] = (float)e;
    sum += e;
  }
  if (s) for (int64_t k = 0; k < K; k++) s[k] = (float)(s[k] / sum);
  return mx + log(sum);
}

/* pred (R, K) logits or probabilities, target (R) 1-based -> loss sum, dpred (R, K) */
static cv_status sparse_cce(double *total, float *d, const float *p, const float *t, int64_t R,
                            int64_t K, int from_logits) {
  const float eps = CV_LOSS_EPS;
  double sum = 0.0;
  for (int64_t r = 0; r < R; r++) {
    const float *pr = p + r * K;
    float lab = t[r];
    if (!(lab >= 1.0f && lab <= (float)K) || lab != floorf(lab))
      return cv_fail(CV_EINVAL, "sparse_categorical_crossentropy: target %g at row %lld is not a class "
                     "number in 1..%lld (targets are 1-based)", (double)lab, (long long)r + 1, (long long)K);
    int64_t y = (int64_t)lab - 1;
    float *dr = d ? d + r * K : NULL;
    if (from_logits) {
      sum += logsumexp(pr, K, dr) - pr[y];
      if (dr) dr[y] -= 1.0f;
    } else {  /* softmax CE on log(clip(p)): -log(c_y / sum c) */
      double S = 0.0;
      for (int64_t k = 0; k < K; k++) S += clipf(pr[k], eps, 1.0f - eps);
      double cy = clipf(pr[y], eps, 1.0f - eps);
      sum += log(S) - log(cy);
      if (dr) {
        for (int64_t k = 0; k < K; k++) dr[k] = (float)(1.0 / S) * inside(pr[k], eps, 1.0f - eps);
        dr[y] -= (float)(1.0 / cy) * inside(pr[y], eps, 1.0f - eps);
      }
    }
  }
  *total = sum;
  return CV_OK;
}

/* pred, target (R, K) -> loss sum, dpred */
static void cce(double *total, float *d, const float *p, const float *t, int64_t R, int64_t K,
                int from_logits) {
  const float eps = CV_LOSS_EPS;
  double sum = 0.0;
  for (int64_t r = 0; r < R; r++) {
    const float *pr = p + r * K, *tr = t + r * K;
    float *dr = d ? d + r * K : NULL;
    if (from_logits) {
      double lse = logsumexp(pr, K, dr), T = 0.0;
      for (int64_t k = 0; k < K; k++) { sum += tr[k] * (lse - pr[k]); T += tr[k]; }
      if (dr) for (int64_t k = 0; k < K; k++) dr[k] = (float)(dr[k] * T) - tr[k];
    } else {
      double s = 0.0;
      for (int64_t k = 0; k < K; k++) s += pr[k];
      double dot = 0.0;  /* sum_j g_j q_j, g = dloss/dq */
      for (int64_t k = 0; k < K; k++) {
        float q = (float)(pr[k] / s);
        float c = clipf(q, eps, 1.0f - eps);
        sum -= tr[k] * log(c);
        if (dr) {
          float g = -tr[k] / c * inside(q, eps, 1.0f - eps);
          dr[k] = g;
          dot += (double)g * q;
        }
      }
      if (dr) for (int64_t k = 0; k < K; k++) dr[k] = (float)((dr[k] - dot) / s);
    }
  }
  *total = sum;
}

/* pred (...), target (...) from the TF backend formulas -> loss sum, dpred (unscaled) */
static void elementwise(double *total, float *d, const float *p, const float *t, int64_t n,
                        cv_loss_kind kind, int from_logits) {
  const float eps = CV_LOSS_EPS;
  double sum = 0.0;
  switch (kind) {
    case CV_LOSS_BINARY_CROSSENTROPY:
      for (int64_t i = 0; i < n; i++) {
        float x = p[i], y = t[i];
        if (from_logits) {
          sum += (x > 0.0f ? x : 0.0f) - (double)x * y + log1p(exp(-fabs((double)x)));
          if (d) d[i] = (x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x))) - y;
        } else {
          float c = clipf(x, eps, 1.0f - eps);
          sum -= y * log(c) + (1.0 - y) * log(1.0 - c);
          if (d) d[i] = (-y / c + (1.0f - y) / (1.0f - c)) * inside(x, eps, 1.0f - eps);
        }
      }
      break;
    case CV_LOSS_POISSON:
      for (int64_t i = 0; i < n; i++) {
        sum += p[i] - t[i] * log((double)p[i] + eps);
        if (d) d[i] = 1.0f - t[i] / (p[i] + eps);
      }
      break;
    case CV_LOSS_MEAN_SQUARED_ERROR:
      for (int64_t i = 0; i < n; i++) {
        float e = p[i] - t[i];
        sum += (double)e * e;
        if (d) d[i] = 2.0f * e;
      }
      break;
    case CV_LOSS_MEAN_ABSOLUTE_ERROR:
      for (int64_t i = 0; i < n; i++) {
        float e = p[i] - t[i];
        sum += fabs((double)e);
        if (d) d[i] = e > 0.0f ? 1.0f : (e < 0.0f ? -1.0f : 0.0f);
      }
      break;
    default: break;
  }
  *total = sum;
}

/* pred (..., K), target -> *loss, dpred (like pred) */
cv_status cv_loss_compute(double *loss, cv_tensor *dpred, const cv_tensor *pred,
                          const cv_tensor *target, cv_loss_kind kind, int from_logits) {
  const char *who = cv_loss_name(kind);
  cv_status st;
  *loss = 0.0;
  if ((int)kind < 0 || (int)kind >= NLOSS) return cv_fail(CV_EINVAL, "loss: unknown loss %d", (int)kind);
  if ((st = cv_nn_check_f32(who, "pred", pred, 0)) || (st = cv_nn_check_f32(who, "target", target, 0)) ||
      (st = cv_nn_check_f32(who, "dpred", dpred, 1)))
    return st;
  if (dpred && (st = cv_nn_check_same(who, "dpred", dpred, "pred", pred))) return st;
  int crossentropy = kind <= CV_LOSS_BINARY_CROSSENTROPY;
  if (from_logits && !crossentropy)
    return cv_fail(CV_EINVAL, "%s: from_logits applies to the crossentropies only", who);
  int64_t K = pred->ndim ? pred->shape[pred->ndim - 1] : 1;
  if (pred->numel == 0 || K == 0) return cv_fail(CV_ESHAPE, "%s: pred %s is empty", who, cv_nn_shape_str(pred));
  int64_t R = pred->numel / K;
  const float *p = cv_tensor_f32(pred), *t = cv_tensor_f32(target);
  float *d = dpred ? cv_tensor_f32(dpred) : NULL;
  double sum = 0.0, count;
  if (kind == CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
    if (pred->ndim < 2 || target->numel != R)
      return cv_fail(CV_ESHAPE, "%s: pred must be (N, classes) and target (N) of class numbers, got pred %s and target %s",
                     who, cv_nn_shape_str(pred), cv_nn_shape_str(target));
    if ((st = sparse_cce(&sum, d, p, t, R, K, from_logits))) return st;
    count = (double)R;
  } else {
    if (target->numel != pred->numel)
      return cv_fail(CV_ESHAPE, "%s: target %s and pred %s differ in size", who,
                     cv_nn_shape_str(target), cv_nn_shape_str(pred));
    if (kind == CV_LOSS_CATEGORICAL_CROSSENTROPY) {
      cce(&sum, d, p, t, R, K, from_logits);
      count = (double)R;
    } else {
      elementwise(&sum, d, p, t, pred->numel, kind, from_logits);
      count = (double)pred->numel;
    }
  }
  if (d) {
    float inv = (float)(1.0 / count);
    for (int64_t i = 0; i < pred->numel; i++) d[i] *= inv;
  }
  *loss = sum / count;
  return CV_OK;
}
