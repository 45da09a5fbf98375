/* conv.c - convolution kernels (see conv.h): im2col + cv_gemm for conv2d, one sample at a time so
 * the im2col buffer stays in cache, samples spread over the thread pool; the bias and a ReLU are
 * fused into the GEMM's store, and the ReLU's gradient into the backward pass. Direct loops for
 * the depthwise convolution and the _ref twins. Weight gradients are summed per fixed chunk of
 * samples, then the chunks in order: results are identical for any thread count. */
#include "nn/conv/conv.h"
#include "base/cpu.h"
#include "base/gemm.h"
#include "simd/gemm_avx2.h"
#include "simd/winograd_avx2.h"
#include "nn/nn_misc.h"
#include "base/threadpool.h"
#include "base/vec.h"
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* scratch: the caller's workspace (base/workspace.h), each worker in its own row: im2col and dz
 * buffers per thread, the dw/db partials and packed kernels in the calling thread's row, so a
 * layer that keeps its workspace allocates nothing after the first batch */
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

/* one sample: xn (H,W,C) -> col (OH*OW, KH*KW*C); out-of-image cells are zero */
/* GCC would turn copy_floats' loop back into a memmove call */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_MEMCPY_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_MEMCPY_IDIOM
#endif

NO_MEMCPY_IDIOM
static void im2col(float *col, const float *xn, const dims *d, const cv_conv2d_params *p) {
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
static void col2im(float *dn, const float *col, const dims *d, const cv_conv2d_params *p) {
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

static cv_status check_act(const char *who, cv_activation act) {
  if (act != CV_ACT_LINEAR && act != CV_ACT_RELU)
    return cv_fail(CV_EINVAL, "%s: the fused activation must be linear or relu, got %s", who,
                   cv_activation_name(act));
  return CV_OK;
}

/* the samples of a parallel chunk: a fixed number, so chunk boundaries (and the order partial
 * sums are added in) never depend on the thread count */
static int64_t grain_samples(int64_t N) {
  int64_t g = (N + 7) / 8;
  return g < 1 ? 1 : g;
}

typedef struct conv_job {
  const dims *d;
  const cv_conv2d_params *p;
  const float *x, *w, *b, *dy, *y;
  float *out, *dx, *dwpart, *dbpart;
  int relu, shortcut;
  int64_t grain;
  atomic_int failed;
  /* implicit GEMM (AVX2, stride 1): packed weights, window offsets, padded width/height */
  const float *wpacked;
  const int *koff, *aoff;  /* kernel-element and output-pixel offsets into the padded sample */
  int implicit, Hp, Wp;
  int dw_batch;            /* backward: aoff covers this many padded samples laid end to end */
  /* implicit backward: dx is the convolution of the padded dz (Hq,Wq,F), dz at (qt, ql), with
   * the flipped kernel (KH,KW,F,C) packed in wflip, window offsets koff2 */
  const float *wflip;
  const int *koff2, *aoff2;
  int Hq, Wq, qt, ql;
  /* implicit backward, dx by columns instead (dx_by_columns): dcol (P, K) = dz @ w^T through
   * the same kernel (w^T packed in wflip, row offsets aoff2 = q*F, koff2 = f), then col2im */
  int dcol;
  /* forward with fused max pooling: each sample's y pooled into py/pa right after it is made */
  const cv_pool2d_params *pp;
  float *py;
  uint8_t *pa;
  int64_t PH, PW;
  int keep_y;  /* 0: only py/pa are outputs, each sample's y in a per-thread buffer */
  /* backward from the pooled gradient: dy of a chunk = max-pool backward of pdy via pargmax
   * (pooling pp, PH x PW), made in a per-thread buffer instead of read from a conv-sized tensor */
  const float *pdy;
  const uint8_t *pargmax;
  /* Winograd F(2x2,3x3) (AVX2, 3x3 stride 1, C and F multiples of 8): the transformed kernel for
   * the forward (wino_fwd, padded sample Hp x Wp) or for dx (wino_dx, padded dz Hq x Wq) */
  const float *wino_u;
  int wino_fwd, wino_dx;
  int wino_dw;  /* dW by F(3x3,2x2): per chunk, the padded samples (Hp x Wp) one by one */
  cv_workspace *ws;  /* the call's scratch, never NULL here */
} conv_job;

static cv_status forward_run(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                             const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                             cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp,
                             int keep_y, cv_workspace *ws, const dims *dp);
static cv_status backward_run(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                              const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                              const cv_conv2d_params *p, cv_activation act, const cv_tensor *pdy,
                              const cv_tensor *pargmax, const cv_pool2d_params *pp, cv_workspace *ws,
                              const dims *dp);

/* the dy of samples [n0, n1) end to end (sample n at + (n - n0)*OH*OW*F); NULL: out of memory */
static const float *chunk_dy(const conv_job *j, int64_t n0, int64_t n1) {
  const dims *d = j->d;
  int64_t P = d->OH * d->OW, Q = j->PH * j->PW * d->F;
  if (!j->pdy) return j->dy + n0 * P * d->F;
  float *g = cv_workspace_floats(j->ws, CV_WS_CONV_GCHUNK, (size_t)((n1 - n0) * P * d->F));
  if (!g) return NULL;
  for (int64_t n = n0; n < n1; n++)
    cv_maxpool2d_sample_backward(g + (n - n0) * P * d->F, j->pdy + n * Q, j->pargmax + n * Q, d->OH,
                                 d->OW, d->F, j->PH, j->PW, j->pp);
  return g;
}

/* one sample xn (H,W,C) -> xp (Hp,Wp,C) with the zero padding around it; returns xn itself when
 * no padding is needed */
static const float *pad_copy(float *xp, const float *xn, int64_t H, int64_t W, int64_t C, int pt,
                             int pl, int64_t Hp, int64_t Wp, int force) {
  if (!force && pt == 0 && pl == 0 && Wp == W && Hp <= H) return xn;
  int64_t wn = W < Wp - pl ? W : Wp - pl, row = Wp * C;
  for (int64_t hp = 0; hp < Hp; hp++) {  /* only the border is zeroed, each cell written once */
    float *r = xp + hp * row;
    int64_t ih = hp - pt;
    if (ih < 0 || ih >= H) { memset(r, 0, (size_t)row * sizeof(float)); continue; }
    memset(r, 0, (size_t)(pl * C) * sizeof(float));
    memcpy(r + pl * C, xn + ih * W * C, (size_t)(wn * C) * sizeof(float));
    memset(r + (pl + wn) * C, 0, (size_t)((Wp - pl - wn) * C) * sizeof(float));
  }
  return xp;
}

static const float *pad_sample(float *xp, const float *xn, int64_t H, int64_t W, int64_t C, int pt,
                               int pl, int64_t Hp, int64_t Wp) {
  return pad_copy(xp, xn, H, W, C, pt, pl, Hp, Wp, 0);
}

static void pool_sample(const conv_job *j, int64_t n, const float *yn) {
  const dims *d = j->d;
  int64_t Q = j->PH * j->PW * d->F;
  cv_maxpool2d_sample(j->py + n * Q, j->pa ? j->pa + n * Q : NULL, yn, d->OH, d->OW, d->F, j->PH,
                      j->PW, j->pp);
}

/* where sample n's convolution output goes: y, or (pooled output only) one per-thread sample
 * buffer that stays in L2 and is never written back to y */
static float *sample_out(const conv_job *j, int64_t n, float *scratch_y) {
  return scratch_y ? scratch_y : j->out + n * j->d->OH * j->d->OW * j->d->F;
}

/* samples [n0, n1): im2col + GEMM with the bias and ReLU in the GEMM's store */
static void forward_range(void *ctx, int64_t n0, int64_t n1) {
  conv_job *j = ctx;
  const dims *d = j->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, HWC = d->H * d->W * d->C;
  if (j->shortcut) {
    cv_gemm_bias_act(0, 0, (int)((n1 - n0) * P), (int)d->F, (int)K, j->x + n0 * HWC, (int)K, j->w,
                     (int)d->F, j->b, j->relu, j->out + n0 * P * d->F, (int)d->F, j->ws);
    for (int64_t n = n0; n < n1 && j->pp; n++) pool_sample(j, n, j->out + n * P * d->F);
    return;
  }
  float *ys = NULL;
  if (j->pp && !j->keep_y && !(ys = cv_workspace_floats(j->ws, CV_WS_CONV_YSAMPLE, (size_t)(P * d->F)))) {
    atomic_store(&j->failed, 1);
    return;
  }
  if (j->wino_fwd || j->implicit) {  /* each sample padded (Hp x Wp), then Winograd or implicit GEMM */
    float *xp = cv_workspace_floats(j->ws, CV_WS_CONV_PAD, (size_t)((int64_t)j->Hp * j->Wp * d->C));
    if (!xp) { atomic_store(&j->failed, 1); return; }
    for (int64_t n = n0; n < n1; n++) {
      const float *a = pad_sample(xp, j->x + n * HWC, d->H, d->W, d->C, j->p->pt, j->p->pl, j->Hp, j->Wp);
      float *yn = sample_out(j, n, ys);
      if (!j->wino_fwd)
        cv_conv_implicit_avx2(yn, a, j->aoff, (int)P, j->koff, (int)K, j->wpacked, (int)d->F, j->b, j->relu);
      else if (cv_winograd_avx2_conv(yn, a, j->Wp, (int)d->C, (int)d->OH, (int)d->OW, j->wino_u, (int)d->F,
                                     j->b, j->relu, j->ws)) {
        atomic_store(&j->failed, 1);
        return;
      }
      if (j->pp) pool_sample(j, n, yn);
    }
    return;
  }
  float *col = cv_workspace_floats(j->ws, CV_WS_CONV_COL, (size_t)(P * K));
  if (!col) { atomic_store(&j->failed, 1); return; }
  for (int64_t n = n0; n < n1; n++) {
    float *yn = sample_out(j, n, ys);
    im2col(col, j->x + n * HWC, d, j->p);
    cv_gemm_bias_act(0, 0, (int)P, (int)d->F, (int)K, col, (int)K, j->w, (int)d->F, j->b, j->relu,
                     yn, (int)d->F, j->ws);
    if (j->pp) pool_sample(j, n, yn);
  }
}

/* implicit GEMM (stride 1, AVX2): reads every window straight from the padded sample, so it
 * always beats im2col + GEMM there (the pad copy is KH*KW times smaller than im2col's) */
static int use_implicit(const dims *d, const cv_conv2d_params *p) {
  return !is_shortcut(d, p) && p->sh == 1 && p->sw == 1 && cv_cpu_avx2();
}

/* Winograd F(2x2,3x3) for 3x3 stride-1 convolutions whose channels and filters fill the 8-wide
 * transforms: 16 multiply-adds per output tile and (channel, filter) instead of 36. On unless
 * CVISION_WINOGRAD=0 or cv_conv2d_set_winograd(0) (the tests run both paths). */
static atomic_int winograd_state = -1;  /* -1: the environment not read yet */

void cv_conv2d_set_winograd(int on) {
  atomic_store(&winograd_state, on ? 1 : 0);
}

static int winograd_on(void) {
  int s = atomic_load(&winograd_state);
  if (s < 0) {
    const char *e = getenv("CVISION_WINOGRAD");
    s = !(e && strcmp(e, "0") == 0);
    atomic_store(&winograd_state, s);
  }
  return s;
}

/* a 3x3 stride-1 convolution from `in` channels to `out` channels (in <= 384: the packed kernel
 * is one K slice) */
static int use_winograd(const dims *d, const cv_conv2d_params *p, int64_t in, int64_t out) {
  return use_implicit(d, p) && d->KH == 3 && d->KW == 3 && in % 8 == 0 && out % 8 == 0 && in <= 384 &&
         winograd_on();
}

/* dx of a stride-1 convolution by columns (dcol = dz @ w^T, then col2im) rather than as the
 * convolution of the padded dz with the flipped kernel: that one computes every input pixel
 * over the whole kernel, zeros included, which for "valid" padding is (H*W)/(OH*OW) times the
 * multiply-adds (Fashion conv2: 13x13 from 11x11, 1.4x); and it needs C >= 8 output columns.
 * Where Winograd takes the flipped-kernel convolution (2.25x fewer multiply-adds) it wins anyway:
 * Fashion's conv2 backward 8% faster than by columns. */
static int dx_by_columns(const dims *d) {
  return d->C < 8 || 20 * d->H * d->W > 23 * d->OH * d->OW;
}

/* w (3,3,in,out) -> j->wino_u: the Winograd-transformed kernel, packed */
static cv_status pack_winograd(conv_job *j, const float *w, int64_t in, int64_t out, const char *who) {
  float *u = cv_workspace_floats(j->ws, CV_WS_CONV_WINO, cv_winograd_avx2_packed_size((int)in, (int)out));
  float *tmp = cv_workspace_floats(j->ws, CV_WS_CONV_WTMP, (size_t)(16 * in * out));
  if (!u || !tmp) return cv_fail(CV_ENOMEM, "%s: out of memory for the Winograd kernel", who);
  cv_winograd_avx2_pack(u, tmp, w, (int)in, (int)out);
  j->wino_u = u;
  return CV_OK;
}

/* window offsets of the implicit GEMM (forward, and dW over ns padded samples end to end) */
static cv_status window_offsets(conv_job *j, int backward) {
  const dims *d = j->d;
  int64_t K = d->KH * d->KW * d->C;
  int *koff = cv_workspace_ints(j->ws, CV_WS_CONV_KOFF, (size_t)K);
  if (!koff) return cv_fail(CV_ENOMEM, "conv2d: out of memory for window offsets");
  for (int64_t kh = 0, k = 0; kh < d->KH; kh++)
    for (int64_t kw = 0; kw < d->KW; kw++)
      for (int64_t c = 0; c < d->C; c++) koff[k++] = (int)((kh * j->Wp + kw) * d->C + c);
  j->koff = koff;
  /* backward takes dW over a whole chunk of samples in one product (the weight-gradient tile is
   * loaded and stored once per chunk, not per sample): offsets for grain padded samples */
  int64_t sample = (int64_t)j->Hp * j->Wp * d->C, P = d->OH * d->OW;
  int64_t ns = backward && j->grain * sample <= INT_MAX && j->grain * P <= INT_MAX ? j->grain : 1;
  int *aoff = cv_workspace_ints(j->ws, CV_WS_CONV_AOFF, (size_t)(ns * P));
  if (!aoff) return cv_fail(CV_ENOMEM, "conv2d: out of memory for window offsets");
  for (int64_t sn = 0, q = 0; sn < ns; sn++)
    for (int64_t oh = 0; oh < d->OH; oh++)
      for (int64_t ow = 0; ow < d->OW; ow++) aoff[q++] = (int)(sn * sample + (oh * j->Wp + ow) * d->C);
  j->aoff = aoff;
  j->dw_batch = (int)ns;
  return CV_OK;
}

/* the per-call part of the implicit path, done once by the calling thread: window offsets and
 * packed weights (forward), or the flipped kernel packed for dx (backward); or, where Winograd
 * takes the forward or dW, no offsets but samples padded to whole 4x4 tiles */
static cv_status setup_implicit(conv_job *j, int backward) {
  const dims *d = j->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW;
  cv_status st;
  int wino = use_winograd(d, j->p, d->C, d->F) && (!backward || j->dwpart);
  int wdx = backward && j->dx && use_winograd(d, j->p, d->F, d->C);  /* dx by Winograd */
  j->dw_batch = 1;
  if (wino) {
    j->Hp = cv_winograd_padded((int)d->OH);
    j->Wp = cv_winograd_padded((int)d->OW);
    j->wino_dw = backward;
  } else {
    j->Hp = (int)(d->OH + d->KH - 1);
    j->Wp = (int)(d->OW + d->KW - 1);
    if ((st = window_offsets(j, backward))) return st;
  }
  if (!backward && wino) {
    if ((st = pack_winograd(j, j->w, d->C, d->F, "conv2d"))) return st;
    j->wino_fwd = 1;
    return CV_OK;
  } else if (!backward) {
    float *pk = cv_workspace_floats(j->ws, CV_WS_CONV_PACK, cv_gemm_avx2_packed_size((int)K, (int)d->F));
    if (!pk) return cv_fail(CV_ENOMEM, "conv2d: out of memory for packed weights");
    cv_gemm_avx2_pack(pk, j->w, (int)d->F, (int)K, (int)d->F);
    j->wpacked = pk;
  } else if (j->dx && dx_by_columns(d) && !wdx) {
    /* B = w^T (F, K): the kernel's reduction runs over the filters */
    float *wt = cv_workspace_floats(j->ws, CV_WS_CONV_FLIP, (size_t)(K * d->F));
    float *pk = cv_workspace_floats(j->ws, CV_WS_CONV_PACK2, cv_gemm_avx2_packed_size((int)d->F, (int)K));
    int *koff2 = cv_workspace_ints(j->ws, CV_WS_CONV_KOFF2, (size_t)d->F);
    int *aoff2 = cv_workspace_ints(j->ws, CV_WS_CONV_AOFF2, (size_t)P);
    if (!wt || !pk || !koff2 || !aoff2) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for the transposed kernel");
    for (int64_t k = 0; k < K; k++)
      for (int64_t f = 0; f < d->F; f++) wt[f * K + k] = j->w[k * d->F + f];
    cv_gemm_avx2_pack(pk, wt, (int)K, (int)d->F, (int)K);
    for (int64_t f = 0; f < d->F; f++) koff2[f] = (int)f;
    for (int64_t q = 0; q < P; q++) aoff2[q] = (int)(q * d->F);
    j->wflip = pk;
    j->koff2 = koff2;
    j->aoff2 = aoff2;
    j->dcol = 1;
  } else if (j->dx) {
    /* dx[ih,iw,c] = sum dz[ih+pt-kh, iw+pl-kw, f] w[kh,kw,c,f]: a stride-1 convolution of dz
     * padded by (KH-1-pt, KW-1-pl) with wf[kh',kw',f,c] = w[KH-1-kh', KW-1-kw', c, f] */
    int64_t K2 = d->KH * d->KW * d->F;
    j->qt = (int)(d->KH - 1 - j->p->pt);
    j->ql = (int)(d->KW - 1 - j->p->pl);
    /* Winograd reads whole 4x4 tiles: the padded dz may need one more row and column */
    j->Hq = wdx ? cv_winograd_padded((int)d->H) : (int)(d->H + d->KH - 1);
    j->Wq = wdx ? cv_winograd_padded((int)d->W) : (int)(d->W + d->KW - 1);
    float *wf = cv_workspace_floats(j->ws, CV_WS_CONV_FLIP, (size_t)(K2 * d->C));
    if (!wf) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for the flipped kernel");
    for (int64_t kh = 0; kh < d->KH; kh++)
      for (int64_t kw = 0; kw < d->KW; kw++)
        for (int64_t c = 0; c < d->C; c++)
          for (int64_t f = 0; f < d->F; f++)
            wf[(((d->KH - 1 - kh) * d->KW + (d->KW - 1 - kw)) * d->F + f) * d->C + c] =
                j->w[((kh * d->KW + kw) * d->C + c) * d->F + f];
    if (wdx) {
      if ((st = pack_winograd(j, wf, d->F, d->C, "conv2d_backward"))) return st;
      j->wino_dx = 1;
      j->implicit = 1;
      return CV_OK;
    }
    float *pk = cv_workspace_floats(j->ws, CV_WS_CONV_PACK2, cv_gemm_avx2_packed_size((int)K2, (int)d->C));
    int *koff2 = cv_workspace_ints(j->ws, CV_WS_CONV_KOFF2, (size_t)K2);
    int *aoff2 = cv_workspace_ints(j->ws, CV_WS_CONV_AOFF2, (size_t)(d->H * d->W));
    if (!pk || !koff2 || !aoff2) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for the flipped kernel");
    cv_gemm_avx2_pack(pk, wf, (int)d->C, (int)K2, (int)d->C);
    for (int64_t kh = 0, k = 0; kh < d->KH; kh++)
      for (int64_t kw = 0; kw < d->KW; kw++)
        for (int64_t f = 0; f < d->F; f++) koff2[k++] = (int)((kh * j->Wq + kw) * d->F + f);
    for (int64_t ih = 0, q = 0; ih < d->H; ih++)
      for (int64_t iw = 0; iw < d->W; iw++) aoff2[q++] = (int)((ih * j->Wq + iw) * d->F);
    j->wflip = pk;
    j->koff2 = koff2;
    j->aoff2 = aoff2;
  }
  j->implicit = 1;
  return CV_OK;
}

/* x (N,H,W,C), w (KH,KW,C,F), b (F) or NULL -> y (N,OH,OW,F) = act(conv + b), then py = maxpool(y)
 * (with argmax, or NULL) */
cv_status cv_conv2d_forward_pool(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                 const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                                 cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp) {
  return cv_conv2d_forward_pool_ex(y, x, w, b, p, act, py, argmax, pp, 1, NULL);
}

/* the same; keep_y 0 (with pp): y is left as it was and only py (and argmax) are written, each
 * sample's convolution output living in a per-thread buffer (inference: nothing reads y) */
cv_status cv_conv2d_forward_pool_ex(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                    const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                                    cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp,
                                    int keep_y, cv_workspace *ws) {
  dims d;
  cv_status st = check_conv("conv2d", &d, y, "y", x, w, b, "b", p, 0);
  if (st || (st = check_act("conv2d", act))) return st;
  if (pp && (st = cv_maxpool2d_check(py, argmax, y, pp))) return st;
  cv_workspace *own = ws ? NULL : (ws = cv_workspace_new());
  if (!ws) return cv_fail(CV_ENOMEM, "conv2d: out of memory for a workspace");
  st = forward_run(y, x, w, b, p, act, py, argmax, pp, keep_y, ws, &d);
  cv_workspace_free(own);
  return st;
}

static cv_status forward_run(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                             const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                             cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp,
                             int keep_y, cv_workspace *ws, const dims *dp) {
  dims d = *dp;
  cv_status st;
  conv_job j = {.d = &d, .p = p, .x = cv_tensor_f32(x), .w = cv_tensor_f32(w),
                .b = b ? cv_tensor_f32(b) : NULL, .out = cv_tensor_f32(y), .relu = act == CV_ACT_RELU,
                .shortcut = is_shortcut(&d, p), .pp = pp, .py = pp ? cv_tensor_f32(py) : NULL,
                .pa = pp && argmax ? cv_tensor_u8(argmax) : NULL, .PH = pp ? py->shape[1] : 0,
                .PW = pp ? py->shape[2] : 0, .keep_y = keep_y || !pp, .ws = ws};
  atomic_init(&j.failed, 0);
  if (use_implicit(&d, p) && (st = setup_implicit(&j, 0))) return st;
  cv_parallel_for(d.N, 1, forward_range, &j);
  if (atomic_load(&j.failed))
    return cv_fail(CV_ENOMEM, "conv2d: out of memory for a thread's scratch buffers (%s, ~%lld floats)",
                   j.wino_fwd ? "Winograd transforms" : j.implicit ? "a padded sample" : "im2col",
                   (long long)(j.wino_fwd || j.implicit ? (int64_t)j.Hp * j.Wp * d.C : d.OH * d.OW * d.KH * d.KW * d.C));
  return CV_OK;
}

/* x (N,H,W,C), w (KH,KW,C,F), b (F) or NULL -> y (N,OH,OW,F) = act(conv + b) */
cv_status cv_conv2d_forward_act(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                const cv_tensor *b, const cv_conv2d_params *p, cv_activation act) {
  return cv_conv2d_forward_pool(y, x, w, b, p, act, NULL, NULL, NULL);
}

/* x (N,H,W,C), w (KH,KW,C,F), b (F) or NULL -> y (N,OH,OW,F) */
cv_status cv_conv2d_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                            const cv_tensor *b, const cv_conv2d_params *p) {
  return cv_conv2d_forward_act(y, x, w, b, p, CV_ACT_LINEAR);
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

/* backward_range's implicit-GEMM form (stride 1, AVX2): dz laid out on the padded width feeds
 * the weight gradient straight from the padded input, and dx is the forward convolution of the
 * padded dz with the flipped kernel: no im2col, no col2im */
static void implicit_backward(conv_job *j, int64_t c0, int64_t c1) {
  const dims *d = j->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, F = d->F, HWC = d->H * d->W * d->C;
  int64_t sample = (int64_t)j->Hp * j->Wp * d->C;
  float *xp = j->dwpart ? cv_workspace_floats(j->ws, CV_WS_CONV_PAD, (size_t)(sample * j->dw_batch)) : NULL;
  int need_dz = j->relu && (!j->dwpart || (j->dx && j->dcol));
  float *dz = need_dz ? cv_workspace_floats(j->ws, CV_WS_CONV_DZ, (size_t)(P * F)) : NULL;
  float *dzp = j->dx && !j->dcol ? cv_workspace_floats(j->ws, CV_WS_CONV_DZP, (size_t)((int64_t)j->Hq * j->Wq * F)) : NULL;
  float *col = j->dx && j->dcol ? cv_workspace_floats(j->ws, CV_WS_CONV_COL, (size_t)(P * K)) : NULL;
  size_t wdw_n = j->wino_dw ? cv_winograd_avx2_dw_size((int)d->C, (int)F) : 0;
  float *wm = j->wino_dw ? cv_workspace_floats(j->ws, CV_WS_CONV_WDW, wdw_n) : NULL;
  if ((j->wino_dw && !wm) || (j->dwpart && !xp) || (need_dz && !dz) || (j->dx && !j->dcol && !dzp) || (j->dx && j->dcol && !col)) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t c = c0; c < c1; c++) {
    int64_t n0 = c * j->grain, n1 = n0 + j->grain < d->N ? n0 + j->grain : d->N;
    float *pw = j->dwpart ? j->dwpart + c * K * F : NULL, *pb = j->dbpart ? j->dbpart + c * F : NULL;
    const float *gb = chunk_dy(j, n0, n1);
    if (!gb) { atomic_store(&j->failed, 1); return; }
    if (pb) memset(pb, 0, (size_t)F * sizeof(float));
    if (pw && j->wino_dw) {  /* the transformed products summed over the chunk, then A'^T M A' */
      memset(wm, 0, wdw_n * sizeof(float));
      for (int64_t n = n0; n < n1; n++) {
        const float *a = pad_sample(xp, j->x + n * HWC, d->H, d->W, d->C, j->p->pt, j->p->pl, j->Hp, j->Wp);
        if (cv_winograd_avx2_dw_acc(wm, a, j->Wp, (int)d->C, (int)d->OH, (int)d->OW, gb + (n - n0) * P * F,
                                    j->relu ? j->y + n * P * F : NULL, (int)F, pb, j->ws)) {
          atomic_store(&j->failed, 1);
          return;
        }
      }
      cv_winograd_avx2_dw_finish(pw, wm, (int)d->C, (int)F);
    } else if (pw && j->dw_batch > 1) {  /* the chunk's samples padded end to end, one product */
      for (int64_t n = n0; n < n1; n++)
        pad_copy(xp + (n - n0) * sample, j->x + n * HWC, d->H, d->W, d->C, j->p->pt, j->p->pl, j->Hp,
                 j->Wp, 1);
      cv_conv_dw_implicit_avx2(pw, pb, 0, xp, j->aoff, (int)((n1 - n0) * P), j->koff, (int)K,
                               gb, j->relu ? j->y + n0 * P * F : NULL, (int)F, j->ws);
    }
    for (int64_t n = n0; n < n1; n++) {
      /* the ReLU's mask is applied where dz is read (packing for dW, padding for dx), so dz is
       * never written out whole */
      const float *g = gb + (n - n0) * P * F, *yn = j->relu ? j->y + n * P * F : NULL;
      if (pw && (j->dw_batch > 1 || j->wino_dw)) {
        /* done above for the whole chunk */
      } else if (pw) {
        const float *a = pad_sample(xp, j->x + n * HWC, d->H, d->W, d->C, j->p->pt, j->p->pl, j->Hp, j->Wp);
        cv_conv_dw_implicit_avx2(pw, pb, n > n0, a, j->aoff, (int)P, j->koff, (int)K, g, yn, (int)F, j->ws);
      } else if (pb) {
        if (yn) {
          cv_vrelu_mask(dz, yn, g, P * F);
          cv_vsum_rows(pb, dz, P, F);
        } else {
          cv_vsum_rows(pb, g, P, F);
        }
      }
      if (j->dx && j->dcol) {
        const float *dzn = g;
        if (yn) {
          cv_vrelu_mask(dz, yn, g, P * F);
          dzn = dz;
        }
        cv_conv_implicit_avx2(col, dzn, j->aoff2, (int)P, j->koff2, (int)F, j->wflip, (int)K, NULL, 0);
        col2im(j->dx + n * HWC, col, d, j->p);
      } else if (j->dx) {
        for (int64_t hq = 0; hq < j->Hq; hq++) {  /* dz inside a zero border, masked by relu */
          float *r = dzp + hq * j->Wq * F;
          int64_t oh = hq - j->qt;
          if (oh < 0 || oh >= d->OH) { memset(r, 0, (size_t)(j->Wq * F) * sizeof(float)); continue; }
          memset(r, 0, (size_t)(j->ql * F) * sizeof(float));
          float *dr = r + j->ql * F;
          if (yn) cv_vrelu_mask(dr, yn + oh * d->OW * F, g + oh * d->OW * F, d->OW * F);
          else memcpy(dr, g + oh * d->OW * F, (size_t)(d->OW * F) * sizeof(float));
          memset(dr + d->OW * F, 0, (size_t)((j->Wq - j->ql - d->OW) * F) * sizeof(float));
        }
        if (j->wino_dx) {
          if (cv_winograd_avx2_conv(j->dx + n * HWC, dzp, j->Wq, (int)F, (int)d->H, (int)d->W, j->wino_u,
                                    (int)d->C, NULL, 0, j->ws)) {
            atomic_store(&j->failed, 1);
            return;
          }
        } else {
          cv_conv_implicit_avx2(j->dx + n * HWC, dzp, j->aoff2, (int)(d->H * d->W), j->koff2,
                                (int)(d->KH * d->KW * F), j->wflip, (int)d->C, NULL, 0);
        }
      }
    }
  }
}

/* chunk c = samples [c*grain, ...): its dw partial (K,F) and db partial (F) are written (not
 * accumulated) so the caller can add the chunks up in chunk order */
static void backward_range(void *ctx, int64_t c0, int64_t c1) {
  conv_job *j = ctx;
  const dims *d = j->d;
  int64_t K = d->KH * d->KW * d->C, P = d->OH * d->OW, F = d->F, HWC = d->H * d->W * d->C;
  int Ki = (int)K, Fi = (int)F;
  if (j->implicit) {
    implicit_backward(j, c0, c1);
    return;
  }
  float *col = NULL, *dz = NULL;
  if (!j->shortcut && (j->dwpart || j->dx)) col = cv_workspace_floats(j->ws, CV_WS_CONV_COL, (size_t)(P * K));
  if (j->relu) dz = cv_workspace_floats(j->ws, CV_WS_CONV_DZ, (size_t)(P * F));
  if ((!j->shortcut && (j->dwpart || j->dx) && !col) || (j->relu && !dz)) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t c = c0; c < c1; c++) {
    int64_t n0 = c * j->grain, n1 = n0 + j->grain < d->N ? n0 + j->grain : d->N;
    float *pw = j->dwpart ? j->dwpart + c * K * F : NULL, *pb = j->dbpart ? j->dbpart + c * F : NULL;
    const float *gb = chunk_dy(j, n0, n1);
    if (!gb) { atomic_store(&j->failed, 1); return; }
    if (pb) memset(pb, 0, (size_t)F * sizeof(float));
    for (int64_t n = n0; n < n1; n++) {
      const float *g = gb + (n - n0) * P * F;
      if (j->relu) {  /* dz = dy where the output was positive (relu'(z) from y = relu(z)) */
        const float *yn = j->y + n * P * F;
        cv_vrelu_mask(dz, yn, g, P * F);
        g = dz;
      }
      if (pb) cv_vsum_rows(pb, g, P, F);
      const float *xn = j->x + n * HWC;
      float beta = n == n0 ? 0.0f : 1.0f;
      if (j->shortcut) {
        if (pw) cv_gemm_ws(1, 0, Ki, Fi, (int)P, 1.0f, xn, Ki, g, Fi, beta, pw, Fi, j->ws);
        if (j->dx) cv_gemm_ws(0, 1, (int)P, Ki, Fi, 1.0f, g, Fi, j->w, Fi, 0.0f, j->dx + n * HWC, Ki, j->ws);
        continue;
      }
      if (pw) {
        im2col(col, xn, d, j->p);
        cv_gemm_ws(1, 0, Ki, Fi, (int)P, 1.0f, col, Ki, g, Fi, beta, pw, Fi, j->ws);
      }
      if (j->dx) {  /* the buffer is reused for dcol = dz @ w^T */
        cv_gemm_ws(0, 1, (int)P, Ki, Fi, 1.0f, g, Fi, j->w, Fi, 0.0f, col, Ki, j->ws);
        col2im(j->dx + n * HWC, col, d, j->p);
      }
    }
  }
}

/* sum[i] += part[0][i] + part[1][i] + ... in chunk order */
static void add_parts(float *sum, const float *part, int64_t chunks, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float acc = 0.0f;
    for (int64_t c = 0; c < chunks; c++) acc += part[c * n + i];
    sum[i] += acc;
  }
}

/* dy (N,OH,OW,F), y (the forward's output, read for relu), x (N,H,W,C), w (KH,KW,C,F)
 * -> dx (=), dw (+=), db (+=) */
cv_status cv_conv2d_backward_act(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                 const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                 const cv_conv2d_params *p, cv_activation act) {
  return cv_conv2d_backward_pool(dx, dw, db, dy, y, x, w, p, act, NULL, NULL, NULL, NULL);
}

/* the same with dy given as the gradient of a max pooling of y: pdy (N,PH,PW,F) and its
 * argmax, pooling pp (pdy NULL: dy itself); dy is only a shape here, never read */
cv_status cv_conv2d_backward_pool(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                  const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                  const cv_conv2d_params *p, cv_activation act, const cv_tensor *pdy,
                                  const cv_tensor *pargmax, const cv_pool2d_params *pp,
                                  cv_workspace *ws) {
  dims d;
  cv_status st = check_conv("conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 0);
  if (!st && pdy && (!pargmax || !pp))
    return cv_fail(CV_EINVAL, "conv2d_backward: a pooled gradient needs its argmax and pooling");
  if (!st && pdy) st = cv_maxpool2d_check(pdy, pargmax, dy, pp);
  if (st || (st = cv_nn_check_grads("conv2d_backward", dx, x, dw, w, db, d.F, "filter")) ||
      (st = check_act("conv2d_backward", act)))
    return st;
  if (act == CV_ACT_RELU) {
    if ((st = cv_nn_check_f32("conv2d_backward", "y", y, 0)) ||
        (st = cv_nn_check_same("conv2d_backward", "y", y, "dy", dy)))
      return st;
  }
  if (!dx && !dw && !db) return CV_OK;
  cv_workspace *own = ws ? NULL : (ws = cv_workspace_new());
  if (!ws) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for a workspace");
  st = backward_run(dx, dw, db, dy, y, x, w, p, act, pdy, pargmax, pp, ws, &d);
  cv_workspace_free(own);
  return st;
}

static cv_status backward_run(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                              const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                              const cv_conv2d_params *p, cv_activation act, const cv_tensor *pdy,
                              const cv_tensor *pargmax, const cv_pool2d_params *pp, cv_workspace *ws,
                              const dims *dp) {
  dims d = *dp;
  cv_status st;
  int64_t K = d.KH * d.KW * d.C, grain = grain_samples(d.N);
  int64_t chunks = cv_parallel_chunks(d.N, grain);
  int64_t nw = dw ? chunks * K * d.F : 0, nb = db ? chunks * d.F : 0;
  float *part = cv_workspace_floats(ws, CV_WS_CONV_PART, (size_t)(nw + nb));
  if (!part) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for %lld partial sums", (long long)(nw + nb));
  conv_job j = {.d = &d, .p = p, .x = cv_tensor_f32(x), .w = cv_tensor_f32(w), .dy = cv_tensor_f32(dy),
                .y = act == CV_ACT_RELU ? cv_tensor_f32(y) : NULL, .dx = dx ? cv_tensor_f32(dx) : NULL,
                .dwpart = dw ? part : NULL, .dbpart = db ? part + nw : NULL,
                .relu = act == CV_ACT_RELU, .shortcut = is_shortcut(&d, p), .grain = grain,
                .pp = pdy ? pp : NULL, .PH = pdy ? pdy->shape[1] : 0, .PW = pdy ? pdy->shape[2] : 0,
                .pdy = pdy ? cv_tensor_f32(pdy) : NULL, .pargmax = pdy ? cv_tensor_u8(pargmax) : NULL,
                .ws = ws};
  atomic_init(&j.failed, 0);
  /* dx through the flipped kernel has C output columns: too few (C < 8) waste the 16-wide tiles */
  if (use_implicit(&d, p) && (st = setup_implicit(&j, 1))) return st;
  cv_parallel_for(chunks, 1, backward_range, &j);
  if (atomic_load(&j.failed))
    return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for a thread's scratch buffers (~%lld floats)",
                   (long long)(d.OH * d.OW * K));
  if (dw) add_parts(cv_tensor_f32(dw), part, chunks, K * d.F);
  if (db) add_parts(cv_tensor_f32(db), part + nw, chunks, d.F);
  return CV_OK;
}

/* dy (N,OH,OW,F), x (N,H,W,C), w (KH,KW,C,F) -> dx (=), dw (+=), db (+=) */
cv_status cv_conv2d_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                             const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p) {
  return cv_conv2d_backward_act(dx, dw, db, dy, NULL, x, w, p, CV_ACT_LINEAR);
}

static void sum_rows(float *db, const float *dy, int64_t rows, int64_t F) {
  for (int64_t r = 0; r < rows; r++, dy += F)
    for (int64_t f = 0; f < F; f++) db[f] += dy[f];
}

/* direct twin of cv_conv2d_backward */
cv_status cv_conv2d_backward_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                 const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p) {
  dims d;
  cv_status st = check_conv("conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 0);
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
