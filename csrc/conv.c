/* conv.c - convolution kernels (see conv.h): im2col + cv_gemm for conv2d, direct loops for the
 * depthwise convolution and the _ref twins. Scratch (one im2col buffer for a chunk of samples) is
 * allocated once per call. */
#include "conv.h"
#include "gemm.h"
#include "nn_misc.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* im2col buffers hold at most this many floats unless one sample needs more (16 MiB) */
#define COL_LIMIT (4L << 20)

cv_status cv_conv_out_size(int *out, int *pad_before, int n, int k, int s, int same) {
  *out = 0;
  *pad_before = 0;
  if (n < 1 || k < 1 || s < 1)
    return cv_fail(CV_EINVAL, "conv_out_size: input size %d, kernel size %d and stride %d must be positive",
                   n, k, s);
  if (same) {
    int o = (n + s - 1) / s;
    int total = (o - 1) * s + k - n;
    if (total < 0) total = 0;
    *out = o;
    *pad_before = total / 2;
  } else {
    if (k > n)
      return cv_fail(CV_ESHAPE, "conv_out_size: window %d is larger than the input size %d with 'valid' padding",
                     k, n);
    *out = (n - k) / s + 1;
  }
  return CV_OK;
}

typedef struct dims { int64_t N, H, W, C, KH, KW, F, OH, OW; } dims;

/* Checks the tensors of a convolution; M is the depthwise multiplier (0 for conv2d).
 * y is the output (or dy) whose shape gives OH, OW. */
static cv_status check_conv(const char *who, dims *d, const cv_tensor *y, const char *yn,
                            const cv_tensor *x, const cv_tensor *w, const cv_tensor *b,
                            const char *bn, const cv_conv2d_params *p, int depthwise) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, "x", x, 0)) || (st = cv_nn_check_f32(who, "w", w, 0)) ||
      (st = cv_nn_check_f32(who, yn, y, 0)) || (st = cv_nn_check_f32(who, bn, b, 1)))
    return st;
  if (x->ndim != 4) return cv_fail(CV_ESHAPE, "%s: x must be (N, H, W, C), got shape %s", who, cv_nn_shape_str(x));
  if (w->ndim != 4)
    return cv_fail(CV_ESHAPE, "%s: w must be (KH, KW, C, %s), got shape %s", who, depthwise ? "M" : "F",
                   cv_nn_shape_str(w));
  if (y->ndim != 4) return cv_fail(CV_ESHAPE, "%s: %s must be (N, OH, OW, F), got shape %s", who, yn, cv_nn_shape_str(y));
  d->N = x->shape[0]; d->H = x->shape[1]; d->W = x->shape[2]; d->C = x->shape[3];
  d->KH = w->shape[0]; d->KW = w->shape[1];
  d->F = depthwise ? w->shape[2] * w->shape[3] : w->shape[3];
  d->OH = y->shape[1]; d->OW = y->shape[2];
  if (w->shape[2] != d->C)
    return cv_fail(CV_ESHAPE, "%s: x has %lld channels but w expects %lld (w shape %s)", who,
                   (long long)d->C, (long long)w->shape[2], cv_nn_shape_str(w));
  if (y->shape[0] != d->N || y->shape[3] != d->F)
    return cv_fail(CV_ESHAPE, "%s: %s shape %s does not match x %s and w %s (expected (%lld, OH, OW, %lld))",
                   who, yn, cv_nn_shape_str(y), cv_nn_shape_str(x), cv_nn_shape_str(w),
                   (long long)d->N, (long long)d->F);
  if (b && b->numel != d->F)
    return cv_fail(CV_ESHAPE, "%s: %s has %lld elements but w %s has %lld filters", who, bn,
                   (long long)b->numel, cv_nn_shape_str(w), (long long)d->F);
  if (p->sh < 1 || p->sw < 1)
    return cv_fail(CV_EINVAL, "%s: strides must be positive, got (%d, %d)", who, p->sh, p->sw);
  if (p->pt < 0 || p->pl < 0 || p->pt >= d->KH || p->pl >= d->KW)
    return cv_fail(CV_EINVAL, "%s: padding (%d, %d) must be non-negative and smaller than the kernel (%lld, %lld)",
                   who, p->pt, p->pl, (long long)d->KH, (long long)d->KW);
  /* every window must start inside the image (else the output size and padding disagree) */
  if (d->OH < 1 || d->OW < 1 || (d->OH - 1) * p->sh - p->pt >= d->H ||
      (d->OW - 1) * p->sw - p->pl >= d->W)
    return cv_fail(CV_ESHAPE, "%s: output %s is too large for input %s with kernel (%lld, %lld), strides (%d, %d) and padding (%d, %d)",
                   who, cv_nn_shape_str(y), cv_nn_shape_str(x), (long long)d->KH, (long long)d->KW,
                   p->sh, p->sw, p->pt, p->pl);
  /* cv_gemm takes int sizes */
  if (d->N * d->H * d->W * d->C > INT_MAX || d->N * d->OH * d->OW * d->F > INT_MAX ||
      d->KH * d->KW * d->C > INT_MAX / (d->F > 0 ? d->F : 1))
    return cv_fail(CV_ESHAPE, "%s: x %s, w %s or %s %s has more than 2^31 elements", who,
                   cv_nn_shape_str(x), cv_nn_shape_str(w), yn, cv_nn_shape_str(y));
  return CV_OK;
}

static int is_shortcut(const dims *d, const cv_conv2d_params *p) {
  return d->KH == 1 && d->KW == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
         d->OH == d->H && d->OW == d->W;
}

/* x (ns,H,W,C) -> col (ns*OH*OW, KH*KW*C); out-of-image cells are zero */
static void im2col(float *col, const float *x, int64_t ns, const dims *d, const cv_conv2d_params *p) {
  int64_t H = d->H, W = d->W, C = d->C, KH = d->KH, KW = d->KW;
  for (int64_t n = 0; n < ns; n++) {
    const float *xn = x + n * H * W * C;
    for (int64_t oh = 0; oh < d->OH; oh++) {
      for (int64_t ow = 0; ow < d->OW; ow++) {
        float *row = col;
        col += KH * KW * C;
        int64_t iw0 = ow * p->sw - p->pl;
        int64_t kw0 = iw0 < 0 ? -iw0 : 0;                 /* first kw inside the image */
        int64_t kw1 = W - iw0 < KW ? W - iw0 : KW;        /* one past the last */
        if (kw1 < kw0) kw1 = kw0;
        for (int64_t kh = 0; kh < KH; kh++, row += KW * C) {
          int64_t ih = oh * p->sh - p->pt + kh;
          if (ih < 0 || ih >= H) { memset(row, 0, (size_t)(KW * C) * sizeof(float)); continue; }
          if (kw0 > 0) memset(row, 0, (size_t)(kw0 * C) * sizeof(float));
          memcpy(row + kw0 * C, xn + (ih * W + iw0 + kw0) * C, (size_t)((kw1 - kw0) * C) * sizeof(float));
          if (kw1 < KW) memset(row + kw1 * C, 0, (size_t)((KW - kw1) * C) * sizeof(float));
        }
      }
    }
  }
}

/* col (ns*OH*OW, KH*KW*C) -> dx (ns,H,W,C) += the cells back at their image positions */
static void col2im(float *dx, const float *col, int64_t ns, const dims *d, const cv_conv2d_params *p) {
  int64_t H = d->H, W = d->W, C = d->C, KH = d->KH, KW = d->KW;
  for (int64_t n = 0; n < ns; n++) {
    float *dn = dx + n * H * W * C;
    for (int64_t oh = 0; oh < d->OH; oh++) {
      for (int64_t ow = 0; ow < d->OW; ow++) {
        const float *row = col;
        col += KH * KW * C;
        int64_t iw0 = ow * p->sw - p->pl;
        int64_t kw0 = iw0 < 0 ? -iw0 : 0;
        int64_t kw1 = W - iw0 < KW ? W - iw0 : KW;
        if (kw1 < kw0) kw1 = kw0;
        for (int64_t kh = 0; kh < KH; kh++, row += KW * C) {
          int64_t ih = oh * p->sh - p->pt + kh;
          if (ih < 0 || ih >= H) continue;
          float *dst = dn + (ih * W + iw0 + kw0) * C;
          const float *src = row + kw0 * C;
          for (int64_t i = 0, m = (kw1 - kw0) * C; i < m; i++) dst[i] += src[i];
        }
      }
    }
  }
}

/* samples per im2col chunk and the buffer size in floats */
static int64_t chunk_samples(const dims *d, int64_t *nfloats) {
  int64_t per = d->OH * d->OW * d->KH * d->KW * d->C;
  int64_t ns = per > 0 ? COL_LIMIT / per : d->N;
  if (ns < 1) ns = 1;
  if (ns > d->N) ns = d->N;
  *nfloats = ns * per;
  return ns;
}

static void add_bias(float *y, const float *b, int64_t rows, int64_t F) {
  for (int64_t r = 0; r < rows; r++, y += F)
    for (int64_t f = 0; f < F; f++) y[f] += b[f];
}

/* x (N,H,W,C), w (KH,KW,C,F), b (F) or NULL -> y (N,OH,OW,F) */
cv_status cv_conv2d_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                            const cv_tensor *b, const cv_conv2d_params *p) {
  dims d;
  cv_status st = check_conv("conv2d", &d, y, "y", x, w, b, "b", p, 0);
  if (st) return st;
  const float *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w);
  float *yp = cv_tensor_f32(y);
  int64_t K = d.KH * d.KW * d.C, P = d.OH * d.OW;
  if (is_shortcut(&d, p)) {
    cv_gemm(0, 0, (int)(d.N * P), (int)d.F, (int)K, 1.0f, xp, (int)K, wp, (int)d.F, 0.0f, yp, (int)d.F);
  } else {
    int64_t nf, ns = chunk_samples(&d, &nf);
    float *col = malloc((size_t)nf * sizeof(float));
    if (!col) return cv_fail(CV_ENOMEM, "conv2d: out of memory for a %lld-float im2col buffer", (long long)nf);
    for (int64_t n0 = 0; n0 < d.N; n0 += ns) {
      int64_t nb = d.N - n0 < ns ? d.N - n0 : ns;
      im2col(col, xp + n0 * d.H * d.W * d.C, nb, &d, p);
      cv_gemm(0, 0, (int)(nb * P), (int)d.F, (int)K, 1.0f, col, (int)K, wp, (int)d.F, 0.0f,
              yp + n0 * P * d.F, (int)d.F);
    }
    free(col);
  }
  if (b) add_bias(yp, cv_tensor_f32(b), d.N * P, d.F);
  return CV_OK;
}

/* direct 7-loop twin of cv_conv2d_forward */
cv_status cv_conv2d_forward_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                const cv_tensor *b, const cv_conv2d_params *p) {
  dims d;
  cv_status st = check_conv("conv2d", &d, y, "y", x, w, b, "b", p, 0);
  if (st) return st;
  const float *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w), *bp = b ? cv_tensor_f32(b) : NULL;
  float *yp = cv_tensor_f32(y);
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t oh = 0; oh < d.OH; oh++)
      for (int64_t ow = 0; ow < d.OW; ow++)
        for (int64_t f = 0; f < d.F; f++) {
          double acc = bp ? bp[f] : 0.0;
          for (int64_t kh = 0; kh < d.KH; kh++)
            for (int64_t kw = 0; kw < d.KW; kw++) {
              int64_t ih = oh * p->sh - p->pt + kh, iw = ow * p->sw - p->pl + kw;
              if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;
              for (int64_t c = 0; c < d.C; c++)
                acc += (double)xp[((n * d.H + ih) * d.W + iw) * d.C + c] *
                       wp[((kh * d.KW + kw) * d.C + c) * d.F + f];
            }
          yp[((n * d.OH + oh) * d.OW + ow) * d.F + f] = (float)acc;
        }
  return CV_OK;
}

static cv_status check_grads(const char *who, const cv_tensor *dx, const cv_tensor *x,
                             const cv_tensor *dw, const cv_tensor *w, const cv_tensor *db, int64_t F) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, "dx", dx, 1)) || (st = cv_nn_check_f32(who, "dw", dw, 1)) ||
      (st = cv_nn_check_f32(who, "db", db, 1)))
    return st;
  if (dx && (st = cv_nn_check_same(who, "dx", dx, "x", x))) return st;
  if (dw && (st = cv_nn_check_same(who, "dw", dw, "w", w))) return st;
  if (db && db->numel != F)
    return cv_fail(CV_ESHAPE, "%s: db has %lld elements, expected %lld (one per filter)", who,
                   (long long)db->numel, (long long)F);
  return CV_OK;
}

static void sum_rows(float *db, const float *dy, int64_t rows, int64_t F) {
  for (int64_t r = 0; r < rows; r++, dy += F)
    for (int64_t f = 0; f < F; f++) db[f] += dy[f];
}

/* dy (N,OH,OW,F), x (N,H,W,C), w (KH,KW,C,F) -> dx (=), dw (+=), db (+=) */
cv_status cv_conv2d_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                             const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p) {
  dims d;
  cv_status st = check_conv("conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 0);
  if (st || (st = check_grads("conv2d_backward", dx, x, dw, w, db, d.F))) return st;
  const float *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w), *gp = cv_tensor_f32(dy);
  float *dxp = dx ? cv_tensor_f32(dx) : NULL, *dwp = dw ? cv_tensor_f32(dw) : NULL;
  int K = (int)(d.KH * d.KW * d.C), F = (int)d.F;
  int64_t P = d.OH * d.OW;
  if (is_shortcut(&d, p)) {
    int rows = (int)(d.N * P);
    if (dwp) cv_gemm(1, 0, K, F, rows, 1.0f, xp, K, gp, F, 1.0f, dwp, F);
    if (dxp) cv_gemm(0, 1, rows, K, F, 1.0f, gp, F, wp, F, 0.0f, dxp, K);
  } else if (dwp || dxp) {
    int64_t nf, ns = chunk_samples(&d, &nf);
    float *col = malloc((size_t)nf * sizeof(float));
    if (!col) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for a %lld-float im2col buffer", (long long)nf);
    if (dxp) memset(dxp, 0, (size_t)dx->numel * sizeof(float));
    for (int64_t n0 = 0; n0 < d.N; n0 += ns) {
      int64_t nb = d.N - n0 < ns ? d.N - n0 : ns;
      int rows = (int)(nb * P);
      const float *g = gp + n0 * P * d.F;
      if (dwp) {
        im2col(col, xp + n0 * d.H * d.W * d.C, nb, &d, p);
        cv_gemm(1, 0, K, F, rows, 1.0f, col, K, g, F, 1.0f, dwp, F);
      }
      if (dxp) {  /* the buffer is reused for dcol = dy @ w^T */
        cv_gemm(0, 1, rows, K, F, 1.0f, g, F, wp, F, 0.0f, col, K);
        col2im(dxp + n0 * d.H * d.W * d.C, col, nb, &d, p);
      }
    }
    free(col);
  }
  if (db) sum_rows(cv_tensor_f32(db), gp, d.N * P, d.F);
  return CV_OK;
}

/* direct twin of cv_conv2d_backward */
cv_status cv_conv2d_backward_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                 const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p) {
  dims d;
  cv_status st = check_conv("conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 0);
  if (st || (st = check_grads("conv2d_backward", dx, x, dw, w, db, d.F))) return st;
  const float *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w), *gp = cv_tensor_f32(dy);
  float *dxp = dx ? cv_tensor_f32(dx) : NULL, *dwp = dw ? cv_tensor_f32(dw) : NULL;
  float *dbp = db ? cv_tensor_f32(db) : NULL;
  if (dxp) memset(dxp, 0, (size_t)dx->numel * sizeof(float));
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t oh = 0; oh < d.OH; oh++)
      for (int64_t ow = 0; ow < d.OW; ow++)
        for (int64_t f = 0; f < d.F; f++) {
          float g = gp[((n * d.OH + oh) * d.OW + ow) * d.F + f];
          if (dbp) dbp[f] += g;
          for (int64_t kh = 0; kh < d.KH; kh++)
            for (int64_t kw = 0; kw < d.KW; kw++) {
              int64_t ih = oh * p->sh - p->pt + kh, iw = ow * p->sw - p->pl + kw;
              if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;
              for (int64_t c = 0; c < d.C; c++) {
                int64_t xi = ((n * d.H + ih) * d.W + iw) * d.C + c;
                int64_t wi = ((kh * d.KW + kw) * d.C + c) * d.F + f;
                if (dwp) dwp[wi] += xp[xi] * g;
                if (dxp) dxp[xi] += wp[wi] * g;
              }
            }
        }
  return CV_OK;
}

/* x (N,H,W,C), w (KH,KW,C,M), b (C*M) or NULL -> y (N,OH,OW,C*M) */
cv_status cv_depthwise_conv2d_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                      const cv_tensor *b, const cv_conv2d_params *p) {
  dims d;
  cv_status st = check_conv("depthwise_conv2d", &d, y, "y", x, w, b, "b", p, 1);
  if (st) return st;
  const float *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w), *bp = b ? cv_tensor_f32(b) : NULL;
  float *yp = cv_tensor_f32(y);
  int64_t C = d.C, M = w->shape[3];
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t oh = 0; oh < d.OH; oh++)
      for (int64_t ow = 0; ow < d.OW; ow++) {
        float *yr = yp + ((n * d.OH + oh) * d.OW + ow) * d.F;
        for (int64_t f = 0; f < d.F; f++) yr[f] = bp ? bp[f] : 0.0f;
        for (int64_t kh = 0; kh < d.KH; kh++) {
          int64_t ih = oh * p->sh - p->pt + kh;
          if (ih < 0 || ih >= d.H) continue;
          for (int64_t kw = 0; kw < d.KW; kw++) {
            int64_t iw = ow * p->sw - p->pl + kw;
            if (iw < 0 || iw >= d.W) continue;
            const float *xr = xp + ((n * d.H + ih) * d.W + iw) * C;
            const float *wr = wp + (kh * d.KW + kw) * C * M;
            for (int64_t c = 0; c < C; c++)
              for (int64_t m = 0; m < M; m++) yr[c * M + m] += xr[c] * wr[c * M + m];
          }
        }
      }
  return CV_OK;
}

/* dy (N,OH,OW,C*M), x (N,H,W,C), w (KH,KW,C,M) -> dx (=), dw (+=), db (+=) */
cv_status cv_depthwise_conv2d_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db,
                                       const cv_tensor *dy, const cv_tensor *x, const cv_tensor *w,
                                       const cv_conv2d_params *p) {
  dims d;
  cv_status st = check_conv("depthwise_conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 1);
  if (st || (st = check_grads("depthwise_conv2d_backward", dx, x, dw, w, db, d.F))) return st;
  const float *xp = cv_tensor_f32(x), *wp = cv_tensor_f32(w), *gp = cv_tensor_f32(dy);
  float *dxp = dx ? cv_tensor_f32(dx) : NULL, *dwp = dw ? cv_tensor_f32(dw) : NULL;
  int64_t C = d.C, M = w->shape[3];
  if (dxp) memset(dxp, 0, (size_t)dx->numel * sizeof(float));
  for (int64_t n = 0; n < d.N; n++)
    for (int64_t oh = 0; oh < d.OH; oh++)
      for (int64_t ow = 0; ow < d.OW; ow++) {
        const float *g = gp + ((n * d.OH + oh) * d.OW + ow) * d.F;
        for (int64_t kh = 0; kh < d.KH; kh++) {
          int64_t ih = oh * p->sh - p->pt + kh;
          if (ih < 0 || ih >= d.H) continue;
          for (int64_t kw = 0; kw < d.KW; kw++) {
            int64_t iw = ow * p->sw - p->pl + kw;
            if (iw < 0 || iw >= d.W) continue;
            int64_t xo = ((n * d.H + ih) * d.W + iw) * C, wo = (kh * d.KW + kw) * C * M;
            for (int64_t c = 0; c < C; c++) {
              float acc = 0.0f, xv = xp[xo + c];
              for (int64_t m = 0; m < M; m++) {
                acc += wp[wo + c * M + m] * g[c * M + m];
                if (dwp) dwp[wo + c * M + m] += xv * g[c * M + m];
              }
              if (dxp) dxp[xo + c] += acc;
            }
          }
        }
      }
  if (db) sum_rows(cv_tensor_f32(db), gp, d.N * d.OH * d.OW, d.F);
  return CV_OK;
}
