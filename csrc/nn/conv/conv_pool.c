/* conv_pool.c - the max pooling fused into a convolution (conv_impl.h): in the forward, each
 * sample is pooled right after it is computed, while it is still in cache, optionally without
 * ever writing y (inference: only the pooled output is read); in the backward, a chunk's dy is
 * made from the pooled gradient and its argmax in a per-thread buffer instead of being read
 * from a conv-sized tensor. Bit-identical to the separate calls (cv_maxpool2d_*). */
#include "nn/conv/conv_impl.h"

int cv_conv_sink_scratch(float **ys, const cv_conv_sink *s, const cv_conv_dims *d, cv_workspace *ws) {
  *ys = NULL;
  if (!s->pp || s->keep_y) return 0;
  *ys = cv_workspace_floats(ws, CV_WS_CONV_YSAMPLE, (size_t)(d->OH * d->OW * d->F));
  return *ys ? 0 : -1;
}

/* the per-thread sample buffer stays in L2 and is never written back to y */
float *cv_conv_sink_sample(const cv_conv_sink *s, const cv_conv_dims *d, int64_t n, float *ys) {
  return ys ? ys : s->y + n * d->OH * d->OW * d->F;
}

void cv_conv_sink_done(const cv_conv_sink *s, const cv_conv_dims *d, int64_t n, const float *yn) {
  if (!s->pp) return;
  int64_t Q = s->PH * s->PW * d->F;
  cv_maxpool2d_sample(s->py + n * Q, s->pa ? s->pa + n * Q : NULL, yn, d->OH, d->OW, d->F, s->PH,
                      s->PW, s->pp);
}

const float *cv_conv_grad_chunk(const cv_conv_grad *g, const cv_conv_dims *d, int64_t n0,
                                int64_t n1, cv_workspace *ws) {
  int64_t P = d->OH * d->OW, Q = g->PH * g->PW * d->F;
  if (!g->pdy) return g->dy + n0 * P * d->F;
  float *dy = cv_workspace_floats(ws, CV_WS_CONV_GCHUNK, (size_t)((n1 - n0) * P * d->F));
  if (!dy) return NULL;
  for (int64_t n = n0; n < n1; n++)
    cv_maxpool2d_sample_backward(dy + (n - n0) * P * d->F, g->pdy + n * Q, g->pargmax + n * Q, d->OH,
                                 d->OW, d->F, g->PH, g->PW, g->pp);
  return dy;
}
