/* activation.c - activations and their gradients (see activation.h). One switch per call, then a
 * plain loop per activation, so nothing is called per element; large tensors are split over the
 * thread pool in fixed chunks (elementwise, so the split never changes a result). */
#include "nn/activation.h"
#include "nn/check.h"
#include "base/threadpool.h"
#include "base/vec.h"
#include <math.h>
#include <string.h>

static const char *const names[] = {"linear", "relu", "leaky_relu", "relu6", "tanh", "sigmoid",
                                    "softmax", "exponential"};
#define NACT ((int)(sizeof names / sizeof names[0]))

cv_status cv_activation_from_name(cv_activation *out, const char *name) {
  for (int i = 0; i < NACT; i++)
    if (strcmp(name, names[i]) == 0) { *out = (cv_activation)i; return CV_OK; }
  return cv_fail(CV_EINVAL, "unknown activation '%s' (expected linear, relu, leaky_relu, relu6, tanh, "
                 "sigmoid, softmax or exponential)", name);
}

const char *cv_activation_name(cv_activation a) {
  return (int)a >= 0 && (int)a < NACT ? names[a] : "?";
}

static inline float sigmoidf(float v) {
  if (v >= 0.0f) return 1.0f / (1.0f + expf(-v));
  float e = expf(v);
  return e / (1.0f + e);
}

/* x (R, K) rows -> y, max-subtracted; y may be x */
static void softmax_rows(float *y, const float *x, int64_t R, int64_t K) {
  for (int64_t r = 0; r < R; r++, x += K, y += K) {
    float mx = x[0];
    for (int64_t k = 1; k < K; k++) mx = x[k] > mx ? x[k] : mx;
    double s = 0.0;
    for (int64_t k = 0; k < K; k++) { y[k] = expf(x[k] - mx); s += y[k]; }
    float inv = (float)(1.0 / s);
    for (int64_t k = 0; k < K; k++) y[k] *= inv;
  }
}

/* elements per parallel chunk: big enough that waking a thread pays */
#define ACT_GRAIN 32768

typedef struct act_job {
  const float *x, *g, *v;
  float *y;
  cv_activation a;
  float alpha;
  int64_t K;  /* softmax row length (chunks are whole rows) */
} act_job;

static void forward_range(void *ctx, int64_t b, int64_t e) {
  act_job *j = ctx;
  const float *xp = j->x + b;
  float *yp = j->y + b;
  int64_t n = e - b;
  float alpha = j->alpha;
  switch (j->a) {
    case CV_ACT_LINEAR: if (yp != xp) memmove(yp, xp, (size_t)n * sizeof(float)); break;
    case CV_ACT_RELU: cv_vrelu(yp, xp, n); break;
    case CV_ACT_LEAKY_RELU:
      for (int64_t i = 0; i < n; i++) yp[i] = xp[i] > 0.0f ? xp[i] : alpha * xp[i];
      break;
    case CV_ACT_RELU6:
      for (int64_t i = 0; i < n; i++) yp[i] = xp[i] > 0.0f ? (xp[i] < 6.0f ? xp[i] : 6.0f) : 0.0f;
      break;
    case CV_ACT_TANH: for (int64_t i = 0; i < n; i++) yp[i] = tanhf(xp[i]); break;
    case CV_ACT_SIGMOID: for (int64_t i = 0; i < n; i++) yp[i] = sigmoidf(xp[i]); break;
    case CV_ACT_EXPONENTIAL: for (int64_t i = 0; i < n; i++) yp[i] = expf(xp[i]); break;
    case CV_ACT_SOFTMAX: softmax_rows(yp, xp, n / j->K, j->K); break;
  }
}

/* x (any) -> y (like x) */
cv_status cv_activation_forward(cv_tensor *y, const cv_tensor *x, cv_activation a, float alpha) {
  cv_status st;
  if ((st = cv_nn_check_f32("activation", "x", x, 0)) || (st = cv_nn_check_f32("activation", "y", y, 0)) ||
      (st = cv_nn_check_same("activation", "y", y, "x", x)))
    return st;
  if ((int)a < 0 || (int)a >= NACT) return cv_fail(CV_EINVAL, "activation: unknown activation %d", (int)a);
  if (a == CV_ACT_LINEAR) {  /* one memmove: x and y may overlap */
    if (cv_tensor_f32(y) != cv_tensor_f32(x))
      memmove(cv_tensor_f32(y), cv_tensor_f32(x), (size_t)x->numel * sizeof(float));
    return CV_OK;
  }
  act_job j = {.x = cv_tensor_f32(x), .y = cv_tensor_f32(y), .a = a, .alpha = alpha, .K = 1};
  int64_t n = x->numel, grain = ACT_GRAIN;
  if (a == CV_ACT_SOFTMAX) {
    if (x->ndim < 1) return cv_fail(CV_ESHAPE, "activation: softmax needs at least one axis");
    j.K = x->shape[x->ndim - 1];
    if (j.K <= 0) return CV_OK;
    grain = (ACT_GRAIN / j.K + 1) * j.K;
  }
  cv_parallel_for(n, grain, forward_range, &j);
  return CV_OK;
}

static void backward_range(void *ctx, int64_t b, int64_t e) {
  act_job *j = ctx;
  const float *g = j->g + b, *v = j->v ? j->v + b : NULL;
  float *d = j->y + b;
  int64_t n = e - b;
  float alpha = j->alpha;
  switch (j->a) {
    case CV_ACT_LINEAR: if (d != g) memmove(d, g, (size_t)n * sizeof(float)); break;
    case CV_ACT_RELU: cv_vrelu_mask(d, v, g, n); break;
    case CV_ACT_LEAKY_RELU:
      for (int64_t i = 0; i < n; i++) d[i] = v[i] > 0.0f ? g[i] : alpha * g[i];
      break;
    case CV_ACT_RELU6:  /* x read from y is the same test: 0 < y < 6 iff 0 < x < 6 */
      for (int64_t i = 0; i < n; i++) d[i] = v[i] > 0.0f && v[i] < 6.0f ? g[i] : 0.0f;
      break;
    case CV_ACT_TANH: for (int64_t i = 0; i < n; i++) d[i] = g[i] * (1.0f - v[i] * v[i]); break;
    case CV_ACT_SIGMOID: for (int64_t i = 0; i < n; i++) d[i] = g[i] * v[i] * (1.0f - v[i]); break;
    case CV_ACT_EXPONENTIAL: for (int64_t i = 0; i < n; i++) d[i] = g[i] * v[i]; break;
    case CV_ACT_SOFTMAX: {
      int64_t K = j->K;
      for (int64_t r = 0; r < n / K; r++) {
        const float *gr = g + r * K, *yr = v + r * K;
        float *dr = d + r * K;
        double dot = 0.0;
        for (int64_t k = 0; k < K; k++) dot += (double)gr[k] * yr[k];
        for (int64_t k = 0; k < K; k++) dr[k] = yr[k] * (gr[k] - (float)dot);
      }
      break;
    }
  }
}

/* dy, x, y -> dx (all like x) */
cv_status cv_activation_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *x,
                                 const cv_tensor *y, cv_activation a, float alpha) {
  const char *who = "activation_backward";
  cv_status st;
  if ((st = cv_nn_check_f32(who, "dx", dx, 0)) || (st = cv_nn_check_f32(who, "dy", dy, 0)) ||
      (st = cv_nn_check_f32(who, "x", x, 1)) || (st = cv_nn_check_f32(who, "y", y, 1)) ||
      (st = cv_nn_check_same(who, "dx", dx, "dy", dy)))
    return st;
  if (x && (st = cv_nn_check_same(who, "x", x, "dy", dy))) return st;
  if (y && (st = cv_nn_check_same(who, "y", y, "dy", dy))) return st;
  if ((int)a < 0 || (int)a >= NACT) return cv_fail(CV_EINVAL, "%s: unknown activation %d", who, (int)a);
  if (a == CV_ACT_LINEAR) {  /* one memmove: dx and dy may overlap */
    if (cv_tensor_f32(dx) != cv_tensor_f32(dy))
      memmove(cv_tensor_f32(dx), cv_tensor_f32(dy), (size_t)dy->numel * sizeof(float));
    return CV_OK;
  }
  int uses_x = a == CV_ACT_RELU || a == CV_ACT_LEAKY_RELU || a == CV_ACT_RELU6;
  const cv_tensor *in = NULL;
  if (uses_x) {
    in = x ? x : y;
    if (!in) return cv_fail(CV_EINVAL, "%s: %s needs x or y", who, cv_activation_name(a));
    if (!x && a == CV_ACT_LEAKY_RELU && alpha < 0.0f)
      return cv_fail(CV_EINVAL, "%s: leaky_relu with a negative alpha needs x", who);
  } else if (a != CV_ACT_LINEAR) {
    if (!y) return cv_fail(CV_EINVAL, "%s: %s needs y (the forward output)", who, cv_activation_name(a));
    in = y;
  }
  act_job j = {.g = cv_tensor_f32(dy), .v = in ? cv_tensor_f32(in) : NULL, .y = cv_tensor_f32(dx),
               .a = a, .alpha = alpha, .K = 1};
  int64_t grain = ACT_GRAIN;
  if (a == CV_ACT_SOFTMAX) {
    j.K = dy->ndim ? dy->shape[dy->ndim - 1] : 1;
    if (j.K <= 0) return CV_OK;
    grain = (ACT_GRAIN / j.K + 1) * j.K;
  }
  cv_parallel_for(dy->numel, grain, backward_range, &j);
  return CV_OK;
}
