/* conv_implicit.c - implicit-GEMM convolution for stride 1 (conv_impl.h; the AVX2 kernels
 * of simd/gemm_avx2.c): the micro-kernel reads every window straight from a zero-padded copy of
 * the sample through offset tables, so there is no im2col (the pad copy is KH*KW times smaller).
 * The kernels come from the dispatch table (base/dispatch.h): conv.c picks this path only when
 * it has them. The backward takes dW the same way from the padded input (a chunk's samples end to end in one
 * product where the offsets fit an int) and dx either by columns (dcol = dz @ w^T, then col2im)
 * or as the stride-1 convolution of the padded dz with the flipped kernel; Winograd
 * (conv_winograd.c) can take dW or dx inside the same chunk loop. */
#include "nn/conv/conv_impl.h"
#include "base/threadpool.h"
#include "base/vec.h"
#include <limits.h>
#include <stdatomic.h>
#include <string.h>

/* only the border is zeroed, each cell written once */
const float *cv_conv_pad_sample(float *xp, const float *xn, const cv_conv_dims *d, int pt, int pl,
                                int64_t Hp, int64_t Wp, int force) {
  int64_t H = d->H, W = d->W, C = d->C;
  if (!force && pt == 0 && pl == 0 && Wp == W && Hp <= H) return xn;
  int64_t wn = W < Wp - pl ? W : Wp - pl, row = Wp * C;
  for (int64_t hp = 0; hp < Hp; hp++) {
    float *r = xp + hp * row;
    int64_t ih = hp - pt;
    if (ih < 0 || ih >= H) { memset(r, 0, (size_t)row * sizeof(float)); continue; }
    memset(r, 0, (size_t)(pl * C) * sizeof(float));
    memcpy(r + pl * C, xn + ih * W * C, (size_t)(wn * C) * sizeof(float));
    memset(r + (pl + wn) * C, 0, (size_t)((Wp - pl - wn) * C) * sizeof(float));
  }
  return xp;
}

/* the ReLU's mask is applied here, where dz is read, so dz is never written out whole */
void cv_conv_pad_dz(float *dzp, const float *g, const float *yn, const cv_conv_dims *d, int Hq,
                    int Wq, int qt, int ql) {
  int64_t F = d->F;
  for (int64_t hq = 0; hq < Hq; hq++) {
    float *r = dzp + hq * Wq * F;
    int64_t oh = hq - qt;
    if (oh < 0 || oh >= d->OH) { memset(r, 0, (size_t)(Wq * F) * sizeof(float)); continue; }
    memset(r, 0, (size_t)(ql * F) * sizeof(float));
    float *dr = r + ql * F;
    if (yn) cv_vrelu_mask(dr, yn + oh * d->OW * F, g + oh * d->OW * F, d->OW * F);
    else memcpy(dr, g + oh * d->OW * F, (size_t)(d->OW * F) * sizeof(float));
    memset(dr + d->OW * F, 0, (size_t)((Wq - ql - d->OW) * F) * sizeof(float));
  }
}

void cv_conv_flip_kernel(float *wf, const float *w, const cv_conv_dims *d) {
  for (int64_t kh = 0; kh < d->KH; kh++)
    for (int64_t kw = 0; kw < d->KW; kw++)
      for (int64_t c = 0; c < d->C; c++)
        for (int64_t f = 0; f < d->F; f++)
          wf[(((d->KH - 1 - kh) * d->KW + (d->KW - 1 - kw)) * d->F + f) * d->C + c] =
              w[((kh * d->KW + kw) * d->C + c) * d->F + f];
}

/* window offsets into samples padded to width Wp: koff[k] of kernel element k inside a window,
 * aoff[q] of output pixel q's window, for ns padded samples (Hp x Wp) laid end to end */
static cv_status window_offsets(const int **koff_out, const int **aoff_out, const cv_conv_dims *d,
                                int Hp, int Wp, int64_t ns, cv_workspace *ws) {
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, sample = (int64_t)Hp * Wp * d->C;
  int *koff = cv_workspace_ints(ws, CV_WS_CONV_KOFF, (size_t)K);
  int *aoff = cv_workspace_ints(ws, CV_WS_CONV_AOFF, (size_t)(ns * P));
  if (!koff || !aoff) return cv_fail(CV_ENOMEM, "conv2d: out of memory for window offsets");
  for (int64_t kh = 0, k = 0; kh < d->KH; kh++)
    for (int64_t kw = 0; kw < d->KW; kw++)
      for (int64_t c = 0; c < d->C; c++) koff[k++] = (int)((kh * Wp + kw) * d->C + c);
  for (int64_t sn = 0, q = 0; sn < ns; sn++)
    for (int64_t oh = 0; oh < d->OH; oh++)
      for (int64_t ow = 0; ow < d->OW; ow++) aoff[q++] = (int)(sn * sample + (oh * Wp + ow) * d->C);
  *koff_out = koff;
  *aoff_out = aoff;
  return CV_OK;
}

/* ---- forward ---- */

typedef struct fwd_job {
  const cv_conv_fwd *a;
  const float *wpacked;     /* w (K,F) packed for the micro-kernel */
  const int *koff, *aoff;
  int Hp, Wp;               /* the padded sample: OH+KH-1 by OW+KW-1 */
  atomic_int failed;
} fwd_job;

static void forward_range(void *ctx, int64_t n0, int64_t n1) {
  fwd_job *j = ctx;
  const cv_conv_fwd *a = j->a;
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, HWC = d->H * d->W * d->C;
  float *ys, *xp = cv_workspace_floats(a->ws, CV_WS_CONV_PAD, (size_t)((int64_t)j->Hp * j->Wp * d->C));
  if (cv_conv_sink_scratch(&ys, &a->out, d, a->ws) || !xp) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t n = n0; n < n1; n++) {
    const float *xs = cv_conv_pad_sample(xp, a->x + n * HWC, d, a->p->pt, a->p->pl, j->Hp, j->Wp, 0);
    float *yn = cv_conv_sink_sample(&a->out, d, n, ys);
    a->simd->conv_implicit(yn, xs, j->aoff, (int)P, j->koff, (int)K, j->wpacked, (int)d->F, a->b, a->relu);
    cv_conv_sink_done(&a->out, d, n, yn);
  }
}

cv_status cv_conv_implicit_forward(const cv_conv_fwd *a) {
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C;
  fwd_job j = {.a = a, .Hp = (int)(d->OH + d->KH - 1), .Wp = (int)(d->OW + d->KW - 1)};
  atomic_init(&j.failed, 0);
  cv_status st = window_offsets(&j.koff, &j.aoff, d, j.Hp, j.Wp, 1, a->ws);
  if (st) return st;
  float *pk = cv_workspace_floats(a->ws, CV_WS_CONV_PACK, a->simd->gemm_packed_size((int)K, (int)d->F));
  if (!pk) return cv_fail(CV_ENOMEM, "conv2d: out of memory for packed weights");
  a->simd->gemm_pack(pk, a->w, (int)d->F, (int)K, (int)d->F);
  j.wpacked = pk;
  cv_parallel_for(d->N, 1, forward_range, &j);
  if (atomic_load(&j.failed))
    return cv_fail(CV_ENOMEM, "conv2d: out of memory for a thread's scratch buffers (a padded sample, ~%lld floats)",
                   (long long)((int64_t)j.Hp * j.Wp * d->C));
  return CV_OK;
}

/* ---- backward ---- */

typedef struct bwd_job {
  const cv_conv_bwd *a;
  const cv_conv_s1_plan *plan;
  /* implicit dW: samples padded to Hp x Wp, offsets over dw_batch of them end to end */
  int Hp, Wp, dw_batch;
  const int *koff, *aoff;
  /* dx: by columns, w^T (F,K) packed in wflip with row offsets aoff2 = q*F, koff2 = f; or from the
   * padded dz (Hq,Wq,F), dz at (qt,ql), and the flipped kernel (KH,KW,F,C) packed in wflip with
   * window offsets koff2/aoff2, or Winograd-transformed in wino_u */
  const float *wflip, *wino_u;
  const int *koff2, *aoff2;
  int Hq, Wq, qt, ql;
  atomic_int failed;
} bwd_job;

/* dW through the implicit GEMM: padded sample(s) and the offsets (Winograd's dW pads its own) */
static cv_status setup_dw(bwd_job *j) {
  const cv_conv_bwd *a = j->a;
  const cv_conv_dims *d = a->d;
  j->dw_batch = 1;
  if (!a->dwpart || j->plan->wino_dw) return CV_OK;
  j->Hp = (int)(d->OH + d->KH - 1);
  j->Wp = (int)(d->OW + d->KW - 1);
  /* the whole chunk in one product (the weight-gradient tile loaded and stored once per chunk,
   * not per sample) when its offsets fit an int */
  int64_t sample = (int64_t)j->Hp * j->Wp * d->C, P = d->OH * d->OW;
  int64_t ns = a->grain * sample <= INT_MAX && a->grain * P <= INT_MAX ? a->grain : 1;
  j->dw_batch = (int)ns;
  return window_offsets(&j->koff, &j->aoff, d, j->Hp, j->Wp, ns, a->ws);
}

/* dx by columns: B = w^T (F, K), so the kernel's reduction runs over the filters */
static cv_status setup_dx_cols(bwd_job *j) {
  const cv_conv_bwd *a = j->a;
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW;
  float *wt = cv_workspace_floats(a->ws, CV_WS_CONV_FLIP, (size_t)(K * d->F));
  float *pk = cv_workspace_floats(a->ws, CV_WS_CONV_PACK2, a->simd->gemm_packed_size((int)d->F, (int)K));
  int *koff2 = cv_workspace_ints(a->ws, CV_WS_CONV_KOFF2, (size_t)d->F);
  int *aoff2 = cv_workspace_ints(a->ws, CV_WS_CONV_AOFF2, (size_t)P);
  if (!wt || !pk || !koff2 || !aoff2) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for the transposed kernel");
  for (int64_t k = 0; k < K; k++)
    for (int64_t f = 0; f < d->F; f++) wt[f * K + k] = a->w[k * d->F + f];
  a->simd->gemm_pack(pk, wt, (int)K, (int)d->F, (int)K);
  for (int64_t f = 0; f < d->F; f++) koff2[f] = (int)f;
  for (int64_t q = 0; q < P; q++) aoff2[q] = (int)(q * d->F);
  j->wflip = pk;
  j->koff2 = koff2;
  j->aoff2 = aoff2;
  return CV_OK;
}

/* dx[ih,iw,c] = sum dz[ih+pt-kh, iw+pl-kw, f] w[kh,kw,c,f]: a stride-1 convolution of dz padded
 * by (KH-1-pt, KW-1-pl) with the flipped kernel */
static cv_status setup_dx_flipped(bwd_job *j) {
  const cv_conv_bwd *a = j->a;
  const cv_conv_dims *d = a->d;
  int wdx = j->plan->wino_dx;
  int64_t K2 = d->KH * d->KW * d->F;
  j->qt = (int)(d->KH - 1 - a->p->pt);
  j->ql = (int)(d->KW - 1 - a->p->pl);
  /* Winograd reads whole 4x4 tiles: the padded dz may need one more row and column */
  j->Hq = wdx ? a->simd->wino_padded((int)d->H) : (int)(d->H + d->KH - 1);
  j->Wq = wdx ? a->simd->wino_padded((int)d->W) : (int)(d->W + d->KW - 1);
  float *wf = cv_workspace_floats(a->ws, CV_WS_CONV_FLIP, (size_t)(K2 * d->C));
  if (!wf) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for the flipped kernel");
  cv_conv_flip_kernel(wf, a->w, d);
  if (wdx) return cv_conv_wino_pack(&j->wino_u, wf, d->F, d->C, a->simd, a->ws, "conv2d_backward");
  float *pk = cv_workspace_floats(a->ws, CV_WS_CONV_PACK2, a->simd->gemm_packed_size((int)K2, (int)d->C));
  int *koff2 = cv_workspace_ints(a->ws, CV_WS_CONV_KOFF2, (size_t)K2);
  int *aoff2 = cv_workspace_ints(a->ws, CV_WS_CONV_AOFF2, (size_t)(d->H * d->W));
  if (!pk || !koff2 || !aoff2) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for the flipped kernel");
  a->simd->gemm_pack(pk, wf, (int)d->C, (int)K2, (int)d->C);
  for (int64_t kh = 0, k = 0; kh < d->KH; kh++)
    for (int64_t kw = 0; kw < d->KW; kw++)
      for (int64_t f = 0; f < d->F; f++) koff2[k++] = (int)((kh * j->Wq + kw) * d->F + f);
  for (int64_t ih = 0, q = 0; ih < d->H; ih++)
    for (int64_t iw = 0; iw < d->W; iw++) aoff2[q++] = (int)((ih * j->Wq + iw) * d->F);
  j->wflip = pk;
  j->koff2 = koff2;
  j->aoff2 = aoff2;
  return CV_OK;
}

/* one chunk's dW (pw written) and db (pb +=) through the implicit GEMM; xp holds dw_batch padded
 * samples; dz reads masked by the ReLU where the kernel packs it */
static void dw_chunk(const bwd_job *j, float *pw, float *pb, float *xp, const float *gb, int64_t n0,
                     int64_t n1) {
  const cv_conv_bwd *a = j->a;
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, F = d->F, HWC = d->H * d->W * d->C;
  if (j->dw_batch > 1) {  /* the chunk's samples padded end to end, one product */
    int64_t sample = (int64_t)j->Hp * j->Wp * d->C;
    for (int64_t n = n0; n < n1; n++)
      cv_conv_pad_sample(xp + (n - n0) * sample, a->x + n * HWC, d, a->p->pt, a->p->pl, j->Hp, j->Wp, 1);
    a->simd->conv_dw_implicit(pw, pb, 0, xp, j->aoff, (int)((n1 - n0) * P), j->koff, (int)K, gb,
                             a->y ? a->y + n0 * P * F : NULL, (int)F, a->ws);
    return;
  }
  for (int64_t n = n0; n < n1; n++) {
    const float *xs = cv_conv_pad_sample(xp, a->x + n * HWC, d, a->p->pt, a->p->pl, j->Hp, j->Wp, 0);
    a->simd->conv_dw_implicit(pw, pb, n > n0, xs, j->aoff, (int)P, j->koff, (int)K, gb + (n - n0) * P * F,
                             a->y ? a->y + n * P * F : NULL, (int)F, a->ws);
  }
}

/* sample n's dx from its dy g (relu mask from yn, or NULL); dz, dzp, col: this thread's buffers */
static int dx_sample(const bwd_job *j, int64_t n, const float *g, const float *yn, float *dz,
                     float *dzp, float *col) {
  const cv_conv_bwd *a = j->a;
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, F = d->F;
  float *dxn = a->dx + n * d->H * d->W * d->C;
  if (j->plan->dx_cols) {
    if (yn) {
      cv_vrelu_mask(dz, yn, g, P * F);
      g = dz;
    }
    a->simd->conv_implicit(col, g, j->aoff2, (int)P, j->koff2, (int)F, j->wflip, (int)K, NULL, 0);
    cv_conv_col2im(dxn, col, d, a->p);
    return 0;
  }
  cv_conv_pad_dz(dzp, g, yn, d, j->Hq, j->Wq, j->qt, j->ql);
  if (j->plan->wino_dx) return cv_conv_wino_dx_sample(dxn, dzp, j->Wq, j->wino_u, a);
  a->simd->conv_implicit(dxn, dzp, j->aoff2, (int)(d->H * d->W), j->koff2, (int)(d->KH * d->KW * F),
                         j->wflip, (int)d->C, NULL, 0);
  return 0;
}

/* chunks [c0, c1): dW and db of the chunk first, then dx sample by sample */
static void backward_range(void *ctx, int64_t c0, int64_t c1) {
  bwd_job *j = ctx;
  const cv_conv_bwd *a = j->a;
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, F = d->F;
  int cols = j->plan->dx_cols, idw = a->dwpart && !j->plan->wino_dw;
  float *xp = idw ? cv_workspace_floats(a->ws, CV_WS_CONV_PAD, (size_t)((int64_t)j->Hp * j->Wp * d->C * j->dw_batch)) : NULL;
  int need_dz = a->y && (!a->dwpart || (a->dx && cols));
  float *dz = need_dz ? cv_workspace_floats(a->ws, CV_WS_CONV_DZ, (size_t)(P * F)) : NULL;
  float *dzp = a->dx && !cols ? cv_workspace_floats(a->ws, CV_WS_CONV_DZP, (size_t)((int64_t)j->Hq * j->Wq * F)) : NULL;
  float *col = a->dx && cols ? cv_workspace_floats(a->ws, CV_WS_CONV_COL, (size_t)(P * K)) : NULL;
  if ((idw && !xp) || (need_dz && !dz) || (a->dx && !cols && !dzp) || (a->dx && cols && !col)) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t c = c0; c < c1; c++) {
    int64_t n0 = c * a->grain, n1 = n0 + a->grain < d->N ? n0 + a->grain : d->N;
    float *pw = a->dwpart ? a->dwpart + c * K * F : NULL, *pb = a->dbpart ? a->dbpart + c * F : NULL;
    const float *gb = cv_conv_grad_chunk(&a->g, d, n0, n1, a->ws);
    if (!gb) { atomic_store(&j->failed, 1); return; }
    if (pb) memset(pb, 0, (size_t)F * sizeof(float));
    if (pw && j->plan->wino_dw) {
      if (cv_conv_wino_dw_chunk(pw, pb, a, gb, n0, n1)) { atomic_store(&j->failed, 1); return; }
    } else if (pw) {
      dw_chunk(j, pw, pb, xp, gb, n0, n1);
    } else if (pb) {
      for (int64_t n = n0; n < n1; n++) {
        const float *g = gb + (n - n0) * P * F;
        if (a->y) {
          cv_vrelu_mask(dz, a->y + n * P * F, g, P * F);
          g = dz;
        }
        cv_vsum_rows(pb, g, P, F);
      }
    }
    for (int64_t n = n0; n < n1 && a->dx; n++)
      if (dx_sample(j, n, gb + (n - n0) * P * F, a->y ? a->y + n * P * F : NULL, dz, dzp, col)) {
        atomic_store(&j->failed, 1);
        return;
      }
  }
}

cv_status cv_conv_implicit_backward(const cv_conv_bwd *a, const cv_conv_s1_plan *plan) {
  bwd_job j = {.a = a, .plan = plan};
  atomic_init(&j.failed, 0);
  cv_status st = setup_dw(&j);
  if (!st && a->dx) st = plan->dx_cols ? setup_dx_cols(&j) : setup_dx_flipped(&j);
  if (st) return st;
  cv_parallel_for(a->chunks, 1, backward_range, &j);
  if (atomic_load(&j.failed))
    return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for a thread's scratch buffers (~%lld floats)",
                   (long long)(a->d->OH * a->d->OW * a->d->KH * a->d->KW * a->d->C));
  return CV_OK;
}
