/* conv_winograd.c - Winograd convolution glue (conv_impl.h) around the dispatch table's
 * Winograd kernels (base/dispatch.h; simd/winograd_avx2.c), for 3x3 stride-1 convolutions whose channels and filters fill the 8-wide
 * transforms: F(2x2,3x3) for the forward and for dx (the convolution of the padded dz with the
 * flipped kernel, driven by conv_implicit.c's backward), F(3x3,2x2) for dW. 16 multiply-adds per
 * output tile and (channel, filter) instead of 36; results differ from the direct paths at
 * rounding level. Samples are padded to whole 4x4 input tiles (the table's wino_padded). */
#include "nn/conv/conv_impl.h"
#include "base/threadpool.h"
#include <stdatomic.h>
#include <string.h>

cv_status cv_conv_wino_pack(const float **u_out, const float *w, int64_t in, int64_t out,
                            const cv_dispatch *simd, cv_workspace *ws, const char *who) {
  float *u = cv_workspace_floats(ws, CV_WS_CONV_WINO, simd->wino_packed_size((int)in, (int)out));
  float *tmp = cv_workspace_floats(ws, CV_WS_CONV_WTMP, (size_t)(16 * in * out));
  if (!u || !tmp) return cv_fail(CV_ENOMEM, "%s: out of memory for the Winograd kernel", who);
  simd->wino_pack(u, tmp, w, (int)in, (int)out);
  *u_out = u;
  return CV_OK;
}

typedef struct wino_job {
  const cv_conv_fwd *a;
  const float *u;   /* the transformed kernel */
  int Hp, Wp;       /* the padded sample */
  atomic_int failed;
} wino_job;

static void forward_range(void *ctx, int64_t n0, int64_t n1) {
  wino_job *j = ctx;
  const cv_conv_fwd *a = j->a;
  const cv_conv_dims *d = a->d;
  int64_t HWC = d->H * d->W * d->C;
  float *ys, *xp = cv_workspace_floats(a->ws, CV_WS_CONV_PAD, (size_t)((int64_t)j->Hp * j->Wp * d->C));
  if (cv_conv_sink_scratch(&ys, &a->out, d, a->ws) || !xp) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t n = n0; n < n1; n++) {
    const float *xs = cv_conv_pad_sample(xp, a->x + n * HWC, d, a->p->pt, a->p->pl, j->Hp, j->Wp, 0);
    float *yn = cv_conv_sink_sample(&a->out, d, n, ys);
    if (a->simd->wino_conv(yn, xs, j->Wp, (int)d->C, (int)d->OH, (int)d->OW, j->u, (int)d->F, a->b,
                           a->relu, a->ws)) {
      atomic_store(&j->failed, 1);
      return;
    }
    cv_conv_sink_done(&a->out, d, n, yn);
  }
}

cv_status cv_conv_winograd_forward(const cv_conv_fwd *a) {
  const cv_conv_dims *d = a->d;
  wino_job j = {.a = a, .Hp = a->simd->wino_padded((int)d->OH), .Wp = a->simd->wino_padded((int)d->OW)};
  atomic_init(&j.failed, 0);
  cv_status st = cv_conv_wino_pack(&j.u, a->w, d->C, d->F, a->simd, a->ws, "conv2d");
  if (st) return st;
  cv_parallel_for(d->N, 1, forward_range, &j);
  if (atomic_load(&j.failed))
    return cv_fail(CV_ENOMEM, "conv2d: out of memory for a thread's scratch buffers (Winograd transforms, ~%lld floats)",
                   (long long)((int64_t)j.Hp * j.Wp * d->C));
  return CV_OK;
}

/* the transformed products summed over the chunk, then A'^T M A' once */
int cv_conv_wino_dw_chunk(float *pw, float *pb, const cv_conv_bwd *a, const float *gb, int64_t n0,
                          int64_t n1) {
  const cv_conv_dims *d = a->d;
  int64_t P = d->OH * d->OW, F = d->F, HWC = d->H * d->W * d->C;
  int Hp = a->simd->wino_padded((int)d->OH), Wp = a->simd->wino_padded((int)d->OW);
  size_t nm = a->simd->wino_dw_size((int)d->C, (int)F);
  float *m = cv_workspace_floats(a->ws, CV_WS_CONV_WDW, nm);
  float *xp = cv_workspace_floats(a->ws, CV_WS_CONV_PAD, (size_t)((int64_t)Hp * Wp * d->C));
  if (!m || !xp) return -1;
  memset(m, 0, nm * sizeof(float));
  for (int64_t n = n0; n < n1; n++) {
    const float *xs = cv_conv_pad_sample(xp, a->x + n * HWC, d, a->p->pt, a->p->pl, Hp, Wp, 0);
    if (a->simd->wino_dw_acc(m, xs, Wp, (int)d->C, (int)d->OH, (int)d->OW, gb + (n - n0) * P * F,
                             a->y ? a->y + n * P * F : NULL, (int)F, pb, a->ws))
      return -1;
  }
  a->simd->wino_dw_finish(pw, m, (int)d->C, (int)F);
  return 0;
}

int cv_conv_wino_dx_sample(float *dxn, const float *dzp, int Wq, const float *u, const cv_conv_bwd *a) {
  const cv_conv_dims *d = a->d;
  return a->simd->wino_conv(dxn, dzp, Wq, (int)d->F, (int)d->H, (int)d->W, u, (int)d->C, NULL, 0, a->ws);
}
