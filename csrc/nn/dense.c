/* dense.c - fully connected layer (see dense.h). */
#include "nn/dense.h"
#include "base/gemm.h"
#include "nn/check.h"
#include "base/threadpool.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct dims { int64_t N, K, M; } dims;

/* y is the output-sized tensor (y or dy) */
static cv_status check_dense(const char *who, dims *d, const cv_tensor *y, const char *yn,
                             const cv_tensor *x, const cv_tensor *w) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, "x", x, 0)) || (st = cv_nn_check_f32(who, "w", w, 0)) ||
      (st = cv_nn_check_f32(who, yn, y, 0)))
    return st;
  if (w->ndim != 2) return cv_fail(CV_ESHAPE, "%s: w must be (K, M), got shape %s", who, cv_nn_shape_str(w));
  d->K = w->shape[0]; d->M = w->shape[1];
  if (x->ndim < 1 || x->shape[x->ndim - 1] != d->K)
    return cv_fail(CV_ESHAPE, "%s: x has %lld features but w expects %lld (x shape %s, w shape %s)", who,
                   (long long)(x->ndim ? x->shape[x->ndim - 1] : 0), (long long)d->K,
                   cv_nn_shape_str(x), cv_nn_shape_str(w));
  d->N = d->K ? x->numel / d->K : 0;
  if (x->numel > INT_MAX || d->N * d->M > INT_MAX || w->numel > INT_MAX)  /* cv_gemm takes int sizes */
    return cv_fail(CV_ESHAPE, "%s: x %s or w %s is too large (more than 2^31 elements)", who,
                   cv_nn_shape_str(x), cv_nn_shape_str(w));
  int ok = y->ndim == x->ndim && y->shape[y->ndim - 1] == d->M;
  for (int i = 0; ok && i < x->ndim - 1; i++) ok = y->shape[i] == x->shape[i];
  if (!ok)
    return cv_fail(CV_ESHAPE, "%s: %s shape %s does not match x %s and w %s", who, yn,
                   cv_nn_shape_str(y), cv_nn_shape_str(x), cv_nn_shape_str(w));
  return CV_OK;
}

const cv_dense_params cv_dense_params_default = {1.0f, 0};

/* A forward product with few rows and a long K (a dense layer on images: 32 x 4800 x 55) is one
 * GEMM that cv_gemm cannot split (its row blocks need >= 1024 rows), so on more threads it ran on
 * one. It is cut into K slices of >= 1024 (at most 4), fixed by the shape alone, computed over
 * the pool and added in slice order: the same result at any thread count. */
static int k_slices(const dims *d) {
  if (d->N >= 1024 || d->K < 2048 || d->N * d->K * d->M < (1 << 20)) return 1;
  int64_t n = d->K / 1024;
  return n > 4 ? 4 : (int)n;
}

typedef struct kslice_job {
  const dims *d;
  const float *x, *w;
  float alpha;
  float *part;
  int nk;
  cv_workspace *ws;
} kslice_job;

/* slice c as the transposed product y_c^T (M,N) = w[k0:k1]^T x[:, k0:k1]^T: with few rows (N) and
 * many units (M) that shape suits cv_gemm's AVX2 kernel (N fills its 16-wide panels; 55 x 32 x 1200
 * ran 15% faster than OpenBLAS on y = x w) */
static void kslice_range(void *ctx, int64_t b, int64_t e) {
  kslice_job *j = ctx;
  const dims *d = j->d;
  for (int64_t c = b; c < e; c++) {
    int64_t k0 = c * d->K / j->nk, k1 = (c + 1) * d->K / j->nk;
    cv_gemm_ws(1, 1, (int)d->M, (int)d->N, (int)(k1 - k0), j->alpha, j->w + k0 * d->M, (int)d->M,
               j->x + k0, (int)d->K, 0.0f, j->part + c * d->N * d->M, (int)d->N, j->ws);
  }
}


/* x (N,K), w (K,M), b (M) or NULL -> y (N,M) = x_scale * (x @ w) + b */
static cv_status forward_ex(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b,
                            const cv_dense_params *p, cv_workspace *ws) {
  if (!p) p = &cv_dense_params_default;
  dims d;
  cv_status st = check_dense("dense", &d, y, "y", x, w);
  if (st || (st = cv_nn_check_f32("dense", "b", b, 1))) return st;
  if (b && b->numel != d.M)
    return cv_fail(CV_ESHAPE, "dense: b has %lld elements but w %s has %lld units", (long long)b->numel,
                   cv_nn_shape_str(w), (long long)d.M);
  float *yp = cv_tensor_f32(y);
  float beta = 0.0f;
  if (b) {  /* start from the bias, then accumulate the product */
    const float *bp = cv_tensor_f32(b);
    for (int64_t n = 0; n < d.N; n++) memcpy(yp + n * d.M, bp, (size_t)d.M * sizeof(float));
    beta = 1.0f;
  }
  int nk = k_slices(&d);
  if (nk == 1) {
    cv_gemm_ws(0, 0, (int)d.N, (int)d.M, (int)d.K, p->x_scale, cv_tensor_f32(x), (int)d.K, cv_tensor_f32(w),
               (int)d.M, beta, yp, (int)d.M, ws);
    return CV_OK;
  }
  /* each slice's y^T in its partial sum; y = bias + the slices in slice order */
  int64_t ym = d.N * d.M;
  /* the partial sums of the K slices: the caller's workspace, so a layer that keeps one
   * allocates nothing after its first step */
  float *part = cv_workspace_floats(ws, CV_WS_DENSE_PART, (size_t)(ym * nk));
  if (!part) return cv_fail(CV_ENOMEM, "dense: out of memory for %d partial sums of %s", nk,
                            cv_nn_shape_str(y));
  kslice_job j = {&d, cv_tensor_f32(x), cv_tensor_f32(w), p->x_scale, part, nk, ws};
  cv_parallel_for(nk, 1, kslice_range, &j);
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t m = 0; m < d.M; m++) {
      const float *pm = part + m * d.N + n;
      float v = b ? yp[n * d.M + m] + pm[0] : pm[0];
      for (int c = 1; c < nk; c++) v += pm[c * ym];
      yp[n * d.M + m] = v;
    }
  return CV_OK;
}

/* ws NULL: a workspace for this call alone */
cv_status cv_dense_forward_ex(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b,
                              const cv_dense_params *p, cv_workspace *ws) {
  cv_workspace *own = ws ? NULL : cv_workspace_new();
  if (!ws && !own) return cv_fail(CV_ENOMEM, "dense: out of memory for a workspace");
  cv_status st = forward_ex(y, x, w, b, p, ws ? ws : own);
  cv_workspace_free(own);
  return st;
}

cv_status cv_dense_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b) {
  return cv_dense_forward_ex(y, x, w, b, &cv_dense_params_default, NULL);
}

cv_status cv_dense_forward_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b) {
  return cv_dense_forward_ex_ref(y, x, w, b, &cv_dense_params_default);
}

cv_status cv_dense_forward_ex_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                  const cv_tensor *b, const cv_dense_params *p) {
  if (!p) p = &cv_dense_params_default;
  dims d;
  cv_status st = check_dense("dense", &d, y, "y", x, w);
  if (st || (st = cv_nn_check_f32("dense", "b", b, 1))) return st;
  if (b && b->numel != d.M) return cv_fail(CV_ESHAPE, "dense: b has %lld elements", (long long)b->numel);
  const float *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w), *bp = b ? cv_tensor_f32(b) : NULL;
  float *yp = cv_tensor_f32(y);
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t m = 0; m < d.M; m++) {
      double acc = 0.0;
      for (int64_t k = 0; k < d.K; k++) acc += (double)xp[n * d.K + k] * wp[k * d.M + m];
      yp[n * d.M + m] = (float)((bp ? bp[m] : 0.0) + (double)p->x_scale * acc);
    }
  return CV_OK;
}

/* dy (N,M), x (N,K), w (K,M) -> dx (=), dw (+= or =), db (+= or =) */
cv_status cv_dense_backward_ex(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                               const cv_tensor *x, const cv_tensor *w, const cv_dense_params *p,
                               cv_workspace *ws) {
  if (!p) p = &cv_dense_params_default;
  dims d;
  cv_status st = check_dense("dense_backward", &d, dy, "dy", x, w);
  if (st || (st = cv_nn_check_grads("dense_backward", dx, x, dw, w, db, d.M, "unit"))) return st;
  const float *g = cv_tensor_f32(dy);
  int N = (int)d.N, K = (int)d.K, M = (int)d.M;
  float s = p->x_scale;
  if (dx) cv_gemm_ws(0, 1, N, K, M, s, g, M, cv_tensor_f32(w), M, 0.0f, cv_tensor_f32(dx), K, ws);
  if (dw) cv_gemm_ws(1, 0, K, M, N, s, cv_tensor_f32(x), K, g, M, p->overwrite ? 0.0f : 1.0f,
                     cv_tensor_f32(dw), M, ws);
  if (db) {
    float *dbp = cv_tensor_f32(db);
    if (p->overwrite) memset(dbp, 0, (size_t)d.M * sizeof(float));
    for (int64_t n = 0; n < d.N; n++)
      for (int64_t m = 0; m < d.M; m++) dbp[m] += g[n * d.M + m];
  }
  return CV_OK;
}

cv_status cv_dense_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                            const cv_tensor *x, const cv_tensor *w) {
  return cv_dense_backward_ex(dx, dw, db, dy, x, w, &cv_dense_params_default, NULL);
}

cv_status cv_dense_backward_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                const cv_tensor *x, const cv_tensor *w) {
  return cv_dense_backward_ex_ref(dx, dw, db, dy, x, w, &cv_dense_params_default);
}

cv_status cv_dense_backward_ex_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                   const cv_tensor *x, const cv_tensor *w, const cv_dense_params *p) {
  if (!p) p = &cv_dense_params_default;
  dims d;
  cv_status st = check_dense("dense_backward", &d, dy, "dy", x, w);
  if (st || (st = cv_nn_check_grads("dense_backward", dx, x, dw, w, db, d.M, "unit"))) return st;
  const float *g = cv_tensor_f32(dy), *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w);
  float *dxp = dx ? cv_tensor_f32(dx) : NULL, *dwp = dw ? cv_tensor_f32(dw) : NULL;
  float *dbp = db ? cv_tensor_f32(db) : NULL;
  const float s = p->x_scale;
  if (dxp) memset(dxp, 0, (size_t)dx->numel * sizeof(float));
  if (p->overwrite && dwp) memset(dwp, 0, (size_t)dw->numel * sizeof(float));
  if (p->overwrite && dbp) memset(dbp, 0, (size_t)db->numel * sizeof(float));
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t m = 0; m < d.M; m++) {
      float gv = g[n * d.M + m];
      if (dbp) dbp[m] += gv;
      for (int64_t k = 0; k < d.K; k++) {
        if (dxp) dxp[n * d.K + k] += s * gv * wp[k * d.M + m];
        if (dwp) dwp[k * d.M + m] += s * xp[n * d.K + k] * gv;
      }
    }
  return CV_OK;
}
