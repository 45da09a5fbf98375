/* conv_ref.c - the direct loops cv_conv2d_forward_ref and cv_conv2d_backward_ref (conv.h): the
 * twins every fast convolution path is tested against, written for clarity only (the forward
 * accumulates in double). */
#include "nn/conv/conv_impl.h"
#include "nn/check.h"
#include <string.h>

/* direct 7-loop twin of cv_conv2d_forward */
cv_status cv_conv2d_forward_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                const cv_tensor *b, const cv_conv2d_params *p) {
  cv_conv_dims d;
  cv_status st = cv_conv_check("conv2d", &d, y, "y", x, w, b, "b", p, 0);
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

/* direct twin of cv_conv2d_backward */
cv_status cv_conv2d_backward_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                 const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p) {
  cv_conv_dims d;
  cv_status st = cv_conv_check("conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 0);
  if (st || (st = cv_nn_check_grads("conv2d_backward", dx, x, dw, w, db, d.F, "filter"))) return st;
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
