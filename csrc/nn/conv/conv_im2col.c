/* conv_im2col.c - convolution as im2col + cv_gemm (Darknet-style, conv_impl.h): w (KH,KW,C,F) read
 * as the matrix (KH*KW*C, F), so an im2col row is contiguous and y (OH*OW, F) = col @ w, one
 * sample at a time so the im2col buffer stays in cache; the bias and a ReLU are fused into the
 * GEMM's store. A 1x1 stride-1 unpadded convolution multiplies x directly (no im2col). The
 * backward turns dcol = dz @ w^T back into dx with col2im and takes dW = col^T @ dz. Any stride,
 * any CPU: what every convolution the stride-1 paths do not take runs. */
#include "nn/conv/conv_impl.h"
#include "base/gemm.h"
#include "base/threadpool.h"
#include "base/vec.h"
#include <stdatomic.h>
#include <string.h>

/* copies / zeroes n floats inline: a kernel row of a thin input (3 floats when C = 1, 48 when
 * C = 16) is shorter than a memcpy call costs */
static inline void copy_floats(float *restrict dst, const float *restrict src, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) cv_st4(dst + i, cv_ld4(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

static inline void zero_floats(float *dst, int64_t n) {
  int64_t i = 0;
  cv_v4f z = {0.0f, 0.0f, 0.0f, 0.0f};
  for (; i + 4 <= n; i += 4) cv_st4(dst + i, z);
  for (; i < n; i++) dst[i] = 0.0f;
}

/* GCC would turn copy_floats' loop back into a memmove call */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_MEMCPY_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_MEMCPY_IDIOM
#endif

/* one sample: xn (H,W,C) -> col (OH*OW, KH*KW*C); out-of-image cells are zero */
NO_MEMCPY_IDIOM
void cv_conv_im2col(float *col, const float *xn, const cv_conv_dims *d, const cv_conv2d_params *p) {
  int64_t H = d->H, W = d->W, C = d->C, KH = d->KH, KW = d->KW, rl = KW * C;
  for (int64_t oh = 0; oh < d->OH; oh++) {
    for (int64_t ow = 0; ow < d->OW; ow++) {
      float *row = col;
      col += KH * rl;
      int64_t iw0 = ow * p->sw - p->pl;
      int64_t kw0 = iw0 < 0 ? -iw0 : 0;                 /* first kw inside the image */
      int64_t kw1 = W - iw0 < KW ? W - iw0 : KW;        /* one past the last */
      if (kw1 < kw0) kw1 = kw0;
      for (int64_t kh = 0; kh < KH; kh++, row += rl) {
        int64_t ih = oh * p->sh - p->pt + kh;
        if (ih < 0 || ih >= H) { zero_floats(row, rl); continue; }
        if (kw0 > 0) zero_floats(row, kw0 * C);
        copy_floats(row + kw0 * C, xn + (ih * W + iw0 + kw0) * C, (kw1 - kw0) * C);
        if (kw1 < KW) zero_floats(row + kw1 * C, (KW - kw1) * C);
      }
    }
  }
}

/* one sample: col (OH*OW, KH*KW*C) -> dn (H,W,C) = the cells summed back at their image
 * positions (dn is overwritten) */
void cv_conv_col2im(float *dn, const float *col, const cv_conv_dims *d, const cv_conv2d_params *p) {
  int64_t H = d->H, W = d->W, C = d->C, KH = d->KH, KW = d->KW;
  memset(dn, 0, (size_t)(H * W * C) * sizeof(float));
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
        cv_vadd(dst, src, (kw1 - kw0) * C);
      }
    }
  }
}

typedef struct gemm_job {
  const cv_conv_fwd *f;  /* forward, or */
  const cv_conv_bwd *b;  /* backward */
  int shortcut;
  atomic_int failed;
} gemm_job;

/* samples [n0, n1): im2col (or x itself for the shortcut) @ w, bias and ReLU in the store */
static void forward_range(void *ctx, int64_t n0, int64_t n1) {
  gemm_job *j = ctx;
  const cv_conv_fwd *a = j->f;
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, HWC = d->H * d->W * d->C;
  float *ys, *col = NULL;
  if (cv_conv_sink_scratch(&ys, &a->out, d, a->ws) ||
      (!j->shortcut && !(col = cv_workspace_floats(a->ws, CV_WS_CONV_COL, (size_t)(P * K))))) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t n = n0; n < n1; n++) {
    float *yn = cv_conv_sink_sample(&a->out, d, n, ys);
    const float *xn = a->x + n * HWC;
    if (!j->shortcut) {
      cv_conv_im2col(col, xn, d, a->p);
      xn = col;
    }
    cv_gemm_bias_act(0, 0, (int)P, (int)d->F, (int)K, xn, (int)K, a->w, (int)d->F, a->b, a->relu, yn,
                     (int)d->F, a->ws);
    cv_conv_sink_done(&a->out, d, n, yn);
  }
}

cv_status cv_conv_gemm_forward(const cv_conv_fwd *a) {
  const cv_conv_dims *d = a->d;
  gemm_job j = {.f = a, .shortcut = cv_conv_is_shortcut(d, a->p)};
  atomic_init(&j.failed, 0);
  cv_parallel_for(d->N, 1, forward_range, &j);
  if (atomic_load(&j.failed))
    return cv_fail(CV_ENOMEM, "conv2d: out of memory for a thread's scratch buffers (im2col, ~%lld floats)",
                   (long long)(d->OH * d->OW * d->KH * d->KW * d->C));
  return CV_OK;
}

/* chunks [c0, c1): each chunk's dw partial (K,F) and db partial (F) are written (not
 * accumulated) so conv.c can add the chunks up in chunk order; dx sample by sample */
static void backward_range(void *ctx, int64_t c0, int64_t c1) {
  gemm_job *j = ctx;
  const cv_conv_bwd *a = j->b;
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, F = d->F, HWC = d->H * d->W * d->C;
  int Ki = (int)K, Fi = (int)F;
  int need_col = !j->shortcut && (a->dwpart || a->dx);
  float *col = need_col ? cv_workspace_floats(a->ws, CV_WS_CONV_COL, (size_t)(P * K)) : NULL;
  float *dz = a->y ? cv_workspace_floats(a->ws, CV_WS_CONV_DZ, (size_t)(P * F)) : NULL;
  if ((need_col && !col) || (a->y && !dz)) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t c = c0; c < c1; c++) {
    int64_t n0 = c * a->grain, n1 = n0 + a->grain < d->N ? n0 + a->grain : d->N;
    float *pw = a->dwpart ? a->dwpart + c * K * F : NULL, *pb = a->dbpart ? a->dbpart + c * F : NULL;
    const float *gb = cv_conv_grad_chunk(&a->g, d, n0, n1, a->ws);
    if (!gb) { atomic_store(&j->failed, 1); return; }
    if (pb) memset(pb, 0, (size_t)F * sizeof(float));
    for (int64_t n = n0; n < n1; n++) {
      const float *g = gb + (n - n0) * P * F;
      if (a->y) {  /* dz = dy where the output was positive (relu'(z) from y = relu(z)) */
        cv_vrelu_mask(dz, a->y + n * P * F, g, P * F);
        g = dz;
      }
      if (pb) cv_vsum_rows(pb, g, P, F);
      const float *xn = a->x + n * HWC;
      float beta = n == n0 ? 0.0f : 1.0f;
      if (j->shortcut) {
        if (pw) cv_gemm_ws(1, 0, Ki, Fi, (int)P, 1.0f, xn, Ki, g, Fi, beta, pw, Fi, a->ws);
        if (a->dx) cv_gemm_ws(0, 1, (int)P, Ki, Fi, 1.0f, g, Fi, a->w, Fi, 0.0f, a->dx + n * HWC, Ki, a->ws);
        continue;
      }
      if (pw) {
        cv_conv_im2col(col, xn, d, a->p);
        cv_gemm_ws(1, 0, Ki, Fi, (int)P, 1.0f, col, Ki, g, Fi, beta, pw, Fi, a->ws);
      }
      if (a->dx) {  /* the buffer is reused for dcol = dz @ w^T */
        cv_gemm_ws(0, 1, (int)P, Ki, Fi, 1.0f, g, Fi, a->w, Fi, 0.0f, col, Ki, a->ws);
        cv_conv_col2im(a->dx + n * HWC, col, d, a->p);
      }
    }
  }
}

cv_status cv_conv_gemm_backward(const cv_conv_bwd *a) {
  gemm_job j = {.b = a, .shortcut = cv_conv_is_shortcut(a->d, a->p)};
  atomic_init(&j.failed, 0);
  cv_parallel_for(a->chunks, 1, backward_range, &j);
  if (atomic_load(&j.failed))
    return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for a thread's scratch buffers (~%lld floats)",
                   (long long)(a->d->OH * a->d->OW * a->d->KH * a->d->KW * a->d->C));
  return CV_OK;
}
