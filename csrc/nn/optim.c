/* optim.c - Adam, SGD and RMSprop updates (see optim.h). Adam, the one the benchmarks train with,
 * runs in fixed chunks over the thread pool, through the dispatch table's kernel where it has one
 * (base/dispatch.h; simd/optim_avx2.c: 8 floats at a time, the same bits as the loop here). */
#include "nn/optim.h"
#include "base/dispatch.h"
#include "nn/check.h"
#include "base/threadpool.h"
#include <math.h>

typedef struct adam_job {
  float *p, *m, *v;
  const float *g;
  float a, b1, b2, eps;
  const cv_dispatch *simd;  /* its adam, or NULL: the loop below */
} adam_job;

/* elements [b, e): the SIMD kernel does the same operations in the same order */
static void adam_range(void *ctx, int64_t b, int64_t e) {
  adam_job *j = ctx;
  float *pp = j->p, *mp = j->m, *vp = j->v;
  const float *gp = j->g;
  float a = j->a, b1 = j->b1, b2 = j->b2, eps = j->eps;
  if (j->simd) {
    j->simd->adam(pp + b, gp + b, mp + b, vp + b, e - b, a, b1, b2, eps);
    return;
  }
  for (int64_t i = b; i < e; i++) {
    float gi = gp[i];
    float mi = b1 * mp[i] + (1.0f - b1) * gi;
    float vi = b2 * vp[i] + (1.0f - b2) * gi * gi;
    mp[i] = mi;
    vp[i] = vi;
    pp[i] -= a * mi / (sqrtf(vi) + eps);
  }
}

static cv_status check_state(const char *who, const cv_tensor *p, const char *sn, const cv_tensor *s,
                             int optional) {
  cv_status st = cv_nn_check_f32(who, sn, s, optional);
  if (st || !s) return st;
  return cv_nn_check_same(who, sn, s, "p", p);
}

/* p, g, m, v (alike) -> p, m, v */
cv_status cv_adam_update(cv_tensor *p, const cv_tensor *g, cv_tensor *m, cv_tensor *v, float lr,
                         float beta1, float beta2, float eps, long t) {
  cv_status st;
  if ((st = cv_nn_check_f32("adam", "p", p, 0)) || (st = check_state("adam", p, "g", g, 0)) ||
      (st = check_state("adam", p, "m", m, 0)) || (st = check_state("adam", p, "v", v, 0)))
    return st;
  if (t < 1) return cv_fail(CV_EINVAL, "adam: the step t is 1-based, got %ld", t);
  double lr_t = lr * sqrt(1.0 - pow(beta2, (double)t)) / (1.0 - pow(beta1, (double)t));
  const cv_dispatch *simd = cv_dispatch_get();
  adam_job j = {cv_tensor_f32(p), cv_tensor_f32(m), cv_tensor_f32(v), cv_tensor_f32(g), (float)lr_t,
               beta1, beta2, eps, simd->adam ? simd : NULL};
  /* chunks of 16k: a 264k-parameter layer splits evenly over 2 threads (65k chunks gave 3 + 2) */
  cv_parallel_for(p->numel, 1 << 14, adam_range, &j);
  return CV_OK;
}

/* p, g, velocity -> p, velocity */
cv_status cv_sgd_update(cv_tensor *p, const cv_tensor *g, cv_tensor *velocity, float lr,
                        float momentum, int nesterov) {
  cv_status st;
  if ((st = cv_nn_check_f32("sgd", "p", p, 0)) || (st = check_state("sgd", p, "g", g, 0)) ||
      (st = check_state("sgd", p, "velocity", velocity, momentum == 0.0f)))
    return st;
  float *pp = cv_tensor_f32(p);
  const float *gp = cv_tensor_f32(g);
  if (momentum == 0.0f) {
    for (int64_t i = 0; i < p->numel; i++) pp[i] -= lr * gp[i];
    return CV_OK;
  }
  float *vp = cv_tensor_f32(velocity);
  for (int64_t i = 0; i < p->numel; i++) {
    float v = momentum * vp[i] - lr * gp[i];
    vp[i] = v;
    pp[i] += nesterov ? momentum * v - lr * gp[i] : v;
  }
  return CV_OK;
}

/* p, g, ms, mom, mg -> updated */
cv_status cv_rmsprop_update(cv_tensor *p, const cv_tensor *g, cv_tensor *ms, cv_tensor *mom,
                            cv_tensor *mg, float lr, float rho, float momentum, float eps) {
  cv_status st;
  if ((st = cv_nn_check_f32("rmsprop", "p", p, 0)) || (st = check_state("rmsprop", p, "g", g, 0)) ||
      (st = check_state("rmsprop", p, "ms", ms, 0)) ||
      (st = check_state("rmsprop", p, "mom", mom, momentum == 0.0f)) ||
      (st = check_state("rmsprop", p, "mg", mg, 1)))
    return st;
  float *pp = cv_tensor_f32(p), *sp = cv_tensor_f32(ms);
  float *mo = momentum > 0.0f ? cv_tensor_f32(mom) : NULL, *ag = mg ? cv_tensor_f32(mg) : NULL;
  const float *gp = cv_tensor_f32(g);
  for (int64_t i = 0; i < p->numel; i++) {
    float gi = gp[i];
    float s = rho * sp[i] + (1.0f - rho) * gi * gi;
    sp[i] = s;
    float den = s + eps;
    if (ag) {
      float a = rho * ag[i] + (1.0f - rho) * gi;
      ag[i] = a;
      den -= a * a;
    }
    float inc = lr * gi / sqrtf(den);
    if (mo) {
      mo[i] = momentum * mo[i] + inc;
      pp[i] -= mo[i];
    } else {
      pp[i] -= inc;
    }
  }
  return CV_OK;
}
