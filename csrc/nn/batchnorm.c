/* batchnorm.c - batch normalization (see batchnorm.h). Statistics are summed in double, channel
 * loop innermost so rows stream contiguously. */
#include "nn/batchnorm.h"
#include "nn/check.h"
#include <math.h>
#include <stdlib.h>

static cv_status check_vec(const char *who, const char *name, const cv_tensor *t, int64_t C, int optional) {
  cv_status st = cv_nn_check_f32(who, name, t, optional);
  if (st || !t) return st;
  if (t->numel != C)
    return cv_fail(CV_ESHAPE, "%s: %s has shape %s, expected (%lld,) (one per channel)", who, name,
                   cv_nn_shape_str(t), (long long)C);
  return CV_OK;
}

/* x (R,C), gamma, beta, moving_* (C) -> y, save_mean, save_invstd */
cv_status cv_batchnorm_forward(cv_tensor *y, cv_tensor *save_mean, cv_tensor *save_invstd,
                               const cv_tensor *x, const cv_tensor *gamma, const cv_tensor *beta,
                               cv_tensor *moving_mean, cv_tensor *moving_var,
                               const cv_batchnorm_params *p) {
  const char *who = "batchnorm";
  cv_status st;
  if ((st = cv_nn_check_f32(who, "x", x, 0)) || (st = cv_nn_check_f32(who, "y", y, 0)) ||
      (st = cv_nn_check_same(who, "y", y, "x", x)))
    return st;
  if (x->ndim < 1 || x->numel == 0) return cv_fail(CV_ESHAPE, "%s: x %s is empty", who, cv_nn_shape_str(x));
  int64_t C = x->shape[x->ndim - 1], R = x->numel / C;
  if ((st = check_vec(who, "gamma", gamma, C, 1)) || (st = check_vec(who, "beta", beta, C, 1)) ||
      (st = check_vec(who, "moving_mean", moving_mean, C, 0)) ||
      (st = check_vec(who, "moving_var", moving_var, C, 0)) ||
      (st = check_vec(who, "save_mean", save_mean, C, 1)) ||
      (st = check_vec(who, "save_invstd", save_invstd, C, 1)))
    return st;
  if (!(p->eps > 0.0f)) return cv_fail(CV_EINVAL, "%s: eps must be positive, got %g", who, (double)p->eps);
  double *acc = calloc((size_t)C * 2, sizeof(double));
  float *mean = malloc((size_t)C * 2 * sizeof(float));
  if (!acc || !mean) {
    free(acc);
    free(mean);
    return cv_fail(CV_ENOMEM, "%s: out of memory", who);
  }
  float *invstd = mean + C;
  const float *xp = cv_tensor_f32(x);
  float *mm = cv_tensor_f32(moving_mean), *mv = cv_tensor_f32(moving_var);
  if (p->training) {
    double *sum = acc, *sq = acc + C;
    for (int64_t r = 0; r < R; r++)
      for (int64_t c = 0; c < C; c++) sum[c] += xp[r * C + c];
    for (int64_t c = 0; c < C; c++) mean[c] = (float)(sum[c] / (double)R);
    for (int64_t r = 0; r < R; r++)
      for (int64_t c = 0; c < C; c++) {
        double e = (double)xp[r * C + c] - mean[c];
        sq[c] += e * e;
      }
    for (int64_t c = 0; c < C; c++) {
      double var = sq[c] / (double)R;
      invstd[c] = (float)(1.0 / sqrt(var + p->eps));
      mm[c] = mm[c] * p->momentum + mean[c] * (1.0f - p->momentum);
      mv[c] = mv[c] * p->momentum + (float)var * (1.0f - p->momentum);
    }
  } else {
    for (int64_t c = 0; c < C; c++) {
      mean[c] = mm[c];
      invstd[c] = (float)(1.0 / sqrt((double)mv[c] + p->eps));
    }
  }
  /* y = x*scale + shift per channel */
  float *scale = (float *)acc, *shift = scale + C;  /* reuse: C*2 doubles hold C*4 floats */
  const float *gp = gamma ? cv_tensor_f32(gamma) : NULL, *bp = beta ? cv_tensor_f32(beta) : NULL;
  for (int64_t c = 0; c < C; c++) {
    scale[c] = (gp ? gp[c] : 1.0f) * invstd[c];
    shift[c] = (bp ? bp[c] : 0.0f) - mean[c] * scale[c];
  }
  float *yp = cv_tensor_f32(y);
  for (int64_t r = 0; r < R; r++)
    for (int64_t c = 0; c < C; c++) yp[r * C + c] = xp[r * C + c] * scale[c] + shift[c];
  if (save_mean)
    for (int64_t c = 0; c < C; c++) cv_tensor_f32(save_mean)[c] = mean[c];
  if (save_invstd)
    for (int64_t c = 0; c < C; c++) cv_tensor_f32(save_invstd)[c] = invstd[c];
  free(acc);
  free(mean);
  return CV_OK;
}

/* dy (R,C), x (R,C), gamma, save_mean, save_invstd (C) -> dx, dgamma, dbeta */
cv_status cv_batchnorm_backward(cv_tensor *dx, cv_tensor *dgamma, cv_tensor *dbeta,
                                const cv_tensor *dy, const cv_tensor *x, const cv_tensor *gamma,
                                const cv_tensor *save_mean, const cv_tensor *save_invstd,
                                int training) {
  const char *who = "batchnorm_backward";
  cv_status st;
  if ((st = cv_nn_check_f32(who, "x", x, 0)) || (st = cv_nn_check_f32(who, "dy", dy, 0)) ||
      (st = cv_nn_check_same(who, "dy", dy, "x", x)) || (st = cv_nn_check_f32(who, "dx", dx, 1)))
    return st;
  if (dx && (st = cv_nn_check_same(who, "dx", dx, "x", x))) return st;
  if (x->ndim < 1 || x->numel == 0) return cv_fail(CV_ESHAPE, "%s: x %s is empty", who, cv_nn_shape_str(x));
  int64_t C = x->shape[x->ndim - 1], R = x->numel / C;
  if ((st = check_vec(who, "gamma", gamma, C, 1)) || (st = check_vec(who, "dgamma", dgamma, C, 1)) ||
      (st = check_vec(who, "dbeta", dbeta, C, 1)) || (st = check_vec(who, "save_mean", save_mean, C, 0)) ||
      (st = check_vec(who, "save_invstd", save_invstd, C, 0)))
    return st;
  double *acc = calloc((size_t)C * 2, sizeof(double));
  if (!acc) return cv_fail(CV_ENOMEM, "%s: out of memory", who);
  double *sdy = acc, *sdyx = acc + C;  /* sum dy, sum dy*xhat */
  const float *xp = cv_tensor_f32(x), *g = cv_tensor_f32(dy);
  const float *mean = cv_tensor_f32(save_mean), *inv = cv_tensor_f32(save_invstd);
  const float *gp = gamma ? cv_tensor_f32(gamma) : NULL;
  for (int64_t r = 0; r < R; r++)
    for (int64_t c = 0; c < C; c++) {
      float gv = g[r * C + c];
      sdy[c] += gv;
      sdyx[c] += (double)gv * (xp[r * C + c] - mean[c]) * inv[c];
    }
  if (dgamma) for (int64_t c = 0; c < C; c++) cv_tensor_f32(dgamma)[c] += (float)sdyx[c];
  if (dbeta) for (int64_t c = 0; c < C; c++) cv_tensor_f32(dbeta)[c] += (float)sdy[c];
  if (dx) {
    float *d = cv_tensor_f32(dx);
    for (int64_t r = 0; r < R; r++)
      for (int64_t c = 0; c < C; c++) {
        float k = (gp ? gp[c] : 1.0f) * inv[c];
        if (!training) { d[r * C + c] = g[r * C + c] * k; continue; }
        float xhat = (xp[r * C + c] - mean[c]) * inv[c];
        d[r * C + c] = k * (g[r * C + c] - (float)(sdy[c] / R) - xhat * (float)(sdyx[c] / R));
      }
  }
  free(acc);
  return CV_OK;
}
