/* pool.c - max, average and global average pooling (see pool.h): direct loops over NHWC, the
 * channel loop innermost so every access is contiguous. Max pooling runs one sample per task on
 * the thread pool, through the dispatch table's kernel (base/dispatch.h; simd/pool_avx2.c) when
 * it has one and no window touches padding. */
#include "nn/pool.h"
#include "base/dispatch.h"
#include "nn/check.h"
#include "base/threadpool.h"
#include <float.h>
#include <string.h>

typedef struct dims { int64_t N, H, W, C, OH, OW; } dims;

/* x is the input-sized tensor (x or dx), y the output-sized one (y or dy) */
static cv_status check_pool(const char *who, dims *d, const cv_tensor *y, const char *yn,
                            const cv_tensor *x, const char *xn, const cv_pool2d_params *p) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, xn, x, 0)) || (st = cv_nn_check_f32(who, yn, y, 0))) return st;
  if (x->ndim != 4) return cv_fail(CV_ESHAPE, "%s: %s must be (N, H, W, C), got shape %s", who, xn, cv_nn_shape_str(x));
  if (y->ndim != 4) return cv_fail(CV_ESHAPE, "%s: %s must be (N, OH, OW, C), got shape %s", who, yn, cv_nn_shape_str(y));
  d->N = x->shape[0]; d->H = x->shape[1]; d->W = x->shape[2]; d->C = x->shape[3];
  d->OH = y->shape[1]; d->OW = y->shape[2];
  if (y->shape[0] != d->N || y->shape[3] != d->C)
    return cv_fail(CV_ESHAPE, "%s: %s shape %s does not match %s shape %s (batch and channels must agree)",
                   who, yn, cv_nn_shape_str(y), xn, cv_nn_shape_str(x));
  if (p->ph < 1 || p->pw < 1 || p->sh < 1 || p->sw < 1)
    return cv_fail(CV_EINVAL, "%s: pool size (%d, %d) and strides (%d, %d) must be positive", who,
                   p->ph, p->pw, p->sh, p->sw);
  if (p->pt < 0 || p->pl < 0 || p->pt >= p->ph || p->pl >= p->pw)
    return cv_fail(CV_EINVAL, "%s: padding (%d, %d) must be non-negative and smaller than the pool size (%d, %d)",
                   who, p->pt, p->pl, p->ph, p->pw);
  if (d->OH < 1 || d->OW < 1 || (d->OH - 1) * p->sh - p->pt >= d->H || (d->OW - 1) * p->sw - p->pl >= d->W)
    return cv_fail(CV_ESHAPE, "%s: output %s is too large for input %s with pool size (%d, %d), strides (%d, %d) and padding (%d, %d)",
                   who, cv_nn_shape_str(y), cv_nn_shape_str(x), p->ph, p->pw, p->sh, p->sw, p->pt, p->pl);
  return CV_OK;
}

static cv_status check_argmax(const char *who, const cv_tensor *a, const cv_tensor *y,
                              const cv_pool2d_params *p) {
  if (p->ph * p->pw > 255)
    return cv_fail(CV_EINVAL, "%s: a pool window of %d cells does not fit the uint8 argmax (255 at most)",
                   who, p->ph * p->pw);
  if (!a) return CV_OK;
  if (!a->storage || a->dtype != CV_UINT8)
    return cv_fail(CV_EDTYPE, "%s: argmax must be a uint8 tensor", who);
  int same = a->ndim == y->ndim;
  for (int i = 0; same && i < a->ndim; i++) same = a->shape[i] == y->shape[i];
  if (!same)
    return cv_fail(CV_ESHAPE, "%s: argmax shape %s differs from the output shape %s", who,
                   cv_nn_shape_str(a), cv_nn_shape_str(y));
  return CV_OK;
}

/* clips the window of output (oh, ow) to the image: [h0,h1) x [w0,w1) in input coordinates */
#define WINDOW(oh, ow) \
  int64_t hs = (oh) * p->sh - p->pt, ws = (ow) * p->sw - p->pl; \
  int64_t h0 = hs < 0 ? 0 : hs, h1 = hs + p->ph < d.H ? hs + p->ph : d.H; \
  int64_t w0 = ws < 0 ? 0 : ws, w1 = ws + p->pw < d.W ? ws + p->pw : d.W

/* every window lies inside the image (no padding cell): the SIMD kernels' precondition */
static int windows_inside(const dims *d, const cv_pool2d_params *p) {
  return p->pt == 0 && p->pl == 0 && (d->OH - 1) * p->sh + p->ph <= d->H &&
         (d->OW - 1) * p->sw + p->pw <= d->W;
}

/* the table whose forward kernel takes these windows (C a multiple of 8, no padding), or NULL */
static const cv_dispatch *maxfwd_simd(const dims *d, const cv_pool2d_params *p) {
  const cv_dispatch *t = cv_dispatch_get();
  return t->maxpool_fwd && d->C % 8 == 0 && windows_inside(d, p) ? t : NULL;
}

typedef struct pool_job {
  const dims *d;
  const cv_pool2d_params *p;
  const float *x, *g;
  float *y, *dx;
  uint8_t *a;
  const uint8_t *ca;
  const cv_dispatch *simd;  /* the table whose kernel takes every sample, or NULL: the loops */
} pool_job;

/* one sample of the max-pool forward */
static void maxfwd_sample(float *yn, uint8_t *an, const float *xn, dims d, const cv_pool2d_params *p,
                          const cv_dispatch *simd) {
  int64_t C = d.C;
  {
    if (simd) {
      simd->maxpool_fwd(yn, an, xn, d.W, C, d.OH, d.OW, p->ph, p->pw, p->sh, p->sw);
      return;
    }
    for (int64_t oh = 0; oh < d.OH; oh++)
      for (int64_t ow = 0; ow < d.OW; ow++) {
        WINDOW(oh, ow);
        float *yr = yn + (oh * d.OW + ow) * C;
        uint8_t *ar = an ? an + (oh * d.OW + ow) * C : NULL;
        for (int64_t c = 0; c < C; c++) yr[c] = -FLT_MAX;
        if (ar) memset(ar, 0, (size_t)C);
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            const float *xr = xn + (h * d.W + w) * C;
            uint8_t idx = (uint8_t)((h - hs) * p->pw + (w - ws));
            for (int64_t c = 0; c < C; c++)
              if (xr[c] > yr[c] || (h == h0 && w == w0)) {  /* the first cell always wins: NaN-safe */
                yr[c] = xr[c];
                if (ar) ar[c] = idx;
              }
          }
      }
  }
}

/* samples [n0, n1) of the max-pool forward */
static void maxfwd_range(void *ctx, int64_t n0, int64_t n1) {
  pool_job *j = ctx;
  dims d = *j->d;
  int64_t C = d.C;
  for (int64_t n = n0; n < n1; n++)
    maxfwd_sample(j->y + n * d.OH * d.OW * C, j->a ? j->a + n * d.OH * d.OW * C : NULL,
                  j->x + n * d.H * d.W * C, d, j->p, j->simd);
}

cv_status cv_maxpool2d_check(const cv_tensor *y, const cv_tensor *argmax, const cv_tensor *x,
                             const cv_pool2d_params *p) {
  dims d;
  cv_status st = check_pool("maxpool2d", &d, y, "y", x, "x", p);
  if (st || (st = check_argmax("maxpool2d", argmax, y, p))) return st;
  return CV_OK;
}

void cv_maxpool2d_sample(float *y, uint8_t *argmax, const float *x, int64_t H, int64_t W, int64_t C,
                         int64_t OH, int64_t OW, const cv_pool2d_params *p) {
  dims d = {1, H, W, C, OH, OW};
  maxfwd_sample(y, argmax, x, d, p, maxfwd_simd(&d, p));
}

/* x (N,H,W,C) -> y (N,OH,OW,C), argmax (uint8 like y) */
cv_status cv_maxpool2d_forward(cv_tensor *y, cv_tensor *argmax, const cv_tensor *x,
                               const cv_pool2d_params *p) {
  dims d;
  cv_status st = check_pool("maxpool2d", &d, y, "y", x, "x", p);
  if (st || (st = check_argmax("maxpool2d", argmax, y, p))) return st;
  pool_job j = {.d = &d, .p = p, .x = cv_tensor_f32(x), .y = cv_tensor_f32(y),
                .a = argmax ? cv_tensor_u8(argmax) : NULL,
                .simd = maxfwd_simd(&d, p)};
  cv_parallel_for(d.N, 1, maxfwd_range, &j);
  return CV_OK;
}

/* one sample of the max-pool backward: dn (H,W,C) from gn, an (OH,OW,C) */
static void maxbwd_sample(float *dn, const float *gn, const uint8_t *an, const dims *dd,
                          const cv_pool2d_params *p, const cv_dispatch *simd) {
  dims d = *dd;
  int64_t C = d.C;
  /* windows tiling the image exactly: the SIMD kernel writes every cell, no zeroing first */
  int tiles = p->sh == p->ph && p->sw == p->pw && d.OH * p->ph == d.H && d.OW * p->pw == d.W;
  if (!(simd && tiles)) memset(dn, 0, (size_t)(d.H * d.W * C) * sizeof(float));
  if (simd) {
    simd->maxpool_bwd(dn, gn, an, d.W, C, d.OH, d.OW, p->ph, p->pw, p->sh, p->sw);
    return;
  }
  for (int64_t oh = 0; oh < d.OH; oh++)
    for (int64_t ow = 0; ow < d.OW; ow++) {
      int64_t hs = oh * p->sh - p->pt, ws = ow * p->sw - p->pl;
      int64_t o = (oh * d.OW + ow) * C;
      for (int64_t c = 0; c < C; c++) {
        int a = an[o + c];
        int64_t h = hs + a / p->pw, w = ws + a % p->pw;
        if (h < 0 || h >= d.H || w < 0 || w >= d.W) continue;  /* corrupt argmax: ignore */
        dn[(h * d.W + w) * C + c] += gn[o + c];
      }
    }
}

/* the SIMD kernel needs windows that never overlap; it trusts argmax to be < ph*pw, so a
 * corrupt index just leaves its window's gradient at 0 */
static const cv_dispatch *maxbwd_simd(const dims *d, const cv_pool2d_params *p) {
  const cv_dispatch *t = cv_dispatch_get();
  int ok = t->maxpool_bwd && d->C % 8 == 0 && windows_inside(d, p) && p->sh >= p->ph && p->sw >= p->pw;
  return ok ? t : NULL;
}

void cv_maxpool2d_sample_backward(float *dx, const float *dy, const uint8_t *argmax, int64_t H,
                                  int64_t W, int64_t C, int64_t OH, int64_t OW,
                                  const cv_pool2d_params *p) {
  dims d = {1, H, W, C, OH, OW};
  maxbwd_sample(dx, dy, argmax, &d, p, maxbwd_simd(&d, p));
}

/* samples [n0, n1) of the max-pool backward */
static void maxbwd_range(void *ctx, int64_t n0, int64_t n1) {
  pool_job *j = ctx;
  const dims *d = j->d;
  for (int64_t n = n0; n < n1; n++)
    maxbwd_sample(j->dx + n * d->H * d->W * d->C, j->g + n * d->OH * d->OW * d->C,
                  j->ca + n * d->OH * d->OW * d->C, d, j->p, j->simd);
}

/* dy (N,OH,OW,C), argmax -> dx (N,H,W,C) */
cv_status cv_maxpool2d_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *argmax,
                                const cv_pool2d_params *p) {
  dims d;
  cv_status st = check_pool("maxpool2d_backward", &d, dy, "dy", dx, "dx", p);
  if (st) return st;
  if (!argmax) return cv_fail(CV_EINVAL, "maxpool2d_backward: argmax is missing");
  if ((st = check_argmax("maxpool2d_backward", argmax, dy, p))) return st;
  pool_job j = {.d = &d, .p = p, .g = cv_tensor_f32(dy), .dx = cv_tensor_f32(dx),
                .ca = cv_tensor_u8(argmax), .simd = maxbwd_simd(&d, p)};
  cv_parallel_for(d.N, 1, maxbwd_range, &j);
  return CV_OK;
}

/* x (N,H,W,C) -> y (N,OH,OW,C) */
cv_status cv_avgpool2d_forward(cv_tensor *y, const cv_tensor *x, const cv_pool2d_params *p) {
  dims d;
  cv_status st = check_pool("avgpool2d", &d, y, "y", x, "x", p);
  if (st) return st;
  const float *xp = cv_tensor_f32(x);
  float *yp = cv_tensor_f32(y);
  int64_t C = d.C;
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t oh = 0; oh < d.OH; oh++)
      for (int64_t ow = 0; ow < d.OW; ow++) {
        WINDOW(oh, ow);
        float *yr = yp + ((n * d.OH + oh) * d.OW + ow) * C;
        memset(yr, 0, (size_t)C * sizeof(float));
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            const float *xr = xp + ((n * d.H + h) * d.W + w) * C;
            for (int64_t c = 0; c < C; c++) yr[c] += xr[c];
          }
        int64_t cnt = (h1 - h0) * (w1 - w0);
        float inv = cnt > 0 ? 1.0f / (float)cnt : 0.0f;
        for (int64_t c = 0; c < C; c++) yr[c] *= inv;
      }
  return CV_OK;
}

/* dy (N,OH,OW,C) -> dx (N,H,W,C) */
cv_status cv_avgpool2d_backward(cv_tensor *dx, const cv_tensor *dy, const cv_pool2d_params *p) {
  dims d;
  cv_status st = check_pool("avgpool2d_backward", &d, dy, "dy", dx, "dx", p);
  if (st) return st;
  const float *gp = cv_tensor_f32(dy);
  float *dxp = cv_tensor_f32(dx);
  int64_t C = d.C;
  memset(dxp, 0, (size_t)dx->numel * sizeof(float));
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t oh = 0; oh < d.OH; oh++)
      for (int64_t ow = 0; ow < d.OW; ow++) {
        WINDOW(oh, ow);
        const float *g = gp + ((n * d.OH + oh) * d.OW + ow) * C;
        int64_t cnt = (h1 - h0) * (w1 - w0);
        float inv = cnt > 0 ? 1.0f / (float)cnt : 0.0f;
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            float *dr = dxp + ((n * d.H + h) * d.W + w) * C;
            for (int64_t c = 0; c < C; c++) dr[c] += g[c] * inv;
          }
      }
  return CV_OK;
}

static cv_status check_global(const char *who, const cv_tensor *big, const char *bn,
                              const cv_tensor *small, const char *sn) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, bn, big, 0)) || (st = cv_nn_check_f32(who, sn, small, 0))) return st;
  if (big->ndim != 4 || small->ndim != 2 || small->shape[0] != big->shape[0] ||
      small->shape[1] != big->shape[3])
    return cv_fail(CV_ESHAPE, "%s: %s must be (N, H, W, C) and %s (N, C), got %s and %s", who, bn, sn,
                   cv_nn_shape_str(big), cv_nn_shape_str(small));
  return CV_OK;
}

/* x (N,H,W,C) -> y (N,C) */
cv_status cv_global_avgpool_forward(cv_tensor *y, const cv_tensor *x) {
  cv_status st = check_global("global_avgpool", x, "x", y, "y");
  if (st) return st;
  int64_t N = x->shape[0], HW = x->shape[1] * x->shape[2], C = x->shape[3];
  const float *xp = cv_tensor_f32(x);
  float *yp = cv_tensor_f32(y);
  float inv = HW > 0 ? 1.0f / (float)HW : 0.0f;
  for (int64_t n = 0; n < N; n++) {
    float *yr = yp + n * C;
    memset(yr, 0, (size_t)C * sizeof(float));
    for (int64_t i = 0; i < HW; i++) {
      const float *xr = xp + (n * HW + i) * C;
      for (int64_t c = 0; c < C; c++) yr[c] += xr[c];
    }
    for (int64_t c = 0; c < C; c++) yr[c] *= inv;
  }
  return CV_OK;
}

/* dy (N,C) -> dx (N,H,W,C) */
cv_status cv_global_avgpool_backward(cv_tensor *dx, const cv_tensor *dy) {
  cv_status st = check_global("global_avgpool_backward", dx, "dx", dy, "dy");
  if (st) return st;
  int64_t N = dx->shape[0], HW = dx->shape[1] * dx->shape[2], C = dx->shape[3];
  const float *g = cv_tensor_f32(dy);
  float *d = cv_tensor_f32(dx);
  float inv = HW > 0 ? 1.0f / (float)HW : 0.0f;
  for (int64_t n = 0; n < N; n++)
    for (int64_t i = 0; i < HW; i++) {
      float *dr = d + (n * HW + i) * C;
      for (int64_t c = 0; c < C; c++) dr[c] = g[n * C + c] * inv;
    }
  return CV_OK;
}
