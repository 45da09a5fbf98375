/* conv_depthwise.c - the depthwise convolution (conv.h): each input channel c convolved with its
 * own M filters into channels c*M+m, as TF does. Direct loops over NHWC, the channel loop
 * innermost; used by few layers, so no fast path. */
#include "nn/conv/conv_impl.h"
#include "nn/check.h"
#include <string.h>

static void sum_rows(float *db, const float *dy, int64_t rows, int64_t F) {
  for (int64_t r = 0; r < rows; r++, dy += F)
    for (int64_t f = 0; f < F; f++) db[f] += dy[f];
}

/* x (N,H,W,C), w (KH,KW,C,M), b (C*M) or NULL -> y (N,OH,OW,C*M) */
cv_status cv_depthwise_conv2d_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                      const cv_tensor *b, const cv_conv2d_params *p) {
  cv_conv_dims d;
  cv_status st = cv_conv_check("depthwise_conv2d", &d, y, "y", x, w, b, "b", p, 1);
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
  cv_conv_dims d;
  cv_status st = cv_conv_check("depthwise_conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 1);
  if (st || (st = cv_nn_check_grads("depthwise_conv2d_backward", dx, x, dw, w, db, d.F, "filter"))) return st;
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
