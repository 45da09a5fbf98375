/* conv.c - the public convolution entry points (conv.h): argument checks, the choice of one
 * algorithm per call, and the scratch and partial sums around it. The algorithms live one per
 * file (conv_impl.h): im2col + GEMM with its 1x1 shortcut (conv_im2col.c) for any stride and any
 * CPU; for stride 1, when the dispatch table has the kernels (AVX2), the implicit GEMM
 * (conv_implicit.c), or Winograd
 * (conv_winograd.c) for 3x3 kernels whose channels and filters are multiples of 8; the fused max
 * pooling (conv_pool.c). Weight gradients are summed per fixed chunk of samples, then the chunks
 * in order here: results are identical for any thread count. */
#include "nn/conv/conv_impl.h"
#include "nn/check.h"
#include "base/threadpool.h"
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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

/* Checks the tensors of a convolution; M is the depthwise multiplier (0 for conv2d).
 * y is the output (or dy) whose shape gives OH, OW. */
cv_status cv_conv_check(const char *who, cv_conv_dims *d, const cv_tensor *y, const char *yn,
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

int cv_conv_is_shortcut(const cv_conv_dims *d, const cv_conv2d_params *p) {
  return d->KH == 1 && d->KW == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
         d->OH == d->H && d->OW == d->W;
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

/* ---- the choice of algorithm ---- */

/* implicit GEMM (stride 1, a table with its kernels): reads every window straight from the
 * padded sample, so it always beats im2col + GEMM there (the pad copy is KH*KW times smaller
 * than im2col's) */
static int use_implicit(const cv_dispatch *t, const cv_conv_dims *d, const cv_conv2d_params *p) {
  return t->conv_implicit && !cv_conv_is_shortcut(d, p) && p->sh == 1 && p->sw == 1;
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
static int use_winograd(const cv_dispatch *t, const cv_conv_dims *d, const cv_conv2d_params *p,
                        int64_t in, int64_t out) {
  return t->wino_conv && use_implicit(t, d, p) && d->KH == 3 && d->KW == 3 && in % 8 == 0 && out % 8 == 0 && in <= 384 &&
         winograd_on();
}

/* dx of a stride-1 convolution by columns (dcol = dz @ w^T, then col2im) rather than as the
 * convolution of the padded dz with the flipped kernel: that one computes every input pixel
 * over the whole kernel, zeros included, which for "valid" padding is (H*W)/(OH*OW) times the
 * multiply-adds (Fashion conv2: 13x13 from 11x11, 1.4x); and it needs C >= 8 output columns.
 * Where Winograd takes the flipped-kernel convolution (2.25x fewer multiply-adds) it wins anyway:
 * Fashion's conv2 backward 8% faster than by columns. */
static int dx_by_columns(const cv_conv_dims *d) {
  return d->C < 8 || 20 * d->H * d->W > 23 * d->OH * d->OW;
}

/* ---- forward ---- */

/* the checked call -> the algorithm its shape and the CPU pick */
static cv_status forward_run(const cv_conv_fwd *a) {
  if (!use_implicit(a->simd, a->d, a->p)) return cv_conv_gemm_forward(a);
  if (use_winograd(a->simd, a->d, a->p, a->d->C, a->d->F)) return cv_conv_winograd_forward(a);
  return cv_conv_implicit_forward(a);
}

/* x (N,H,W,C), w (KH,KW,C,F), b (F) or NULL -> y (N,OH,OW,F) = act(conv + b), then py = maxpool(y)
 * (with argmax, or NULL); keep_y 0 (with pp): y is left as it was and only py (and argmax) are
 * written, each sample's convolution output living in a per-thread buffer (inference: nothing
 * reads y) */
cv_status cv_conv2d_forward_pool_ex(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                    const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                                    cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp,
                                    int keep_y, cv_workspace *ws) {
  cv_conv_dims d;
  cv_status st = cv_conv_check("conv2d", &d, y, "y", x, w, b, "b", p, 0);
  if (st || (st = check_act("conv2d", act))) return st;
  if (pp && (st = cv_maxpool2d_check(py, argmax, y, pp))) return st;
  cv_workspace *own = ws ? NULL : (ws = cv_workspace_new());
  if (!ws) return cv_fail(CV_ENOMEM, "conv2d: out of memory for a workspace");
  cv_conv_fwd a = {.d = &d, .p = p, .x = cv_tensor_f32(x), .w = cv_tensor_f32(w),
                   .b = b ? cv_tensor_f32(b) : NULL, .relu = act == CV_ACT_RELU,
                   .simd = cv_dispatch_get(), .ws = ws,
                   .out = {.y = cv_tensor_f32(y), .pp = pp, .py = pp ? cv_tensor_f32(py) : NULL,
                           .pa = pp && argmax ? cv_tensor_u8(argmax) : NULL,
                           .PH = pp ? py->shape[1] : 0, .PW = pp ? py->shape[2] : 0,
                           .keep_y = keep_y || !pp}};
  st = forward_run(&a);
  cv_workspace_free(own);
  return st;
}

cv_status cv_conv2d_forward_pool(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                 const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                                 cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp) {
  return cv_conv2d_forward_pool_ex(y, x, w, b, p, act, py, argmax, pp, 1, NULL);
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

/* ---- backward ---- */

/* sum[i] += part[0][i] + part[1][i] + ... in chunk order */
static void add_parts(float *sum, const float *part, int64_t chunks, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float acc = 0.0f;
    for (int64_t c = 0; c < chunks; c++) acc += part[c * n + i];
    sum[i] += acc;
  }
}

/* the algorithm for the checked call, into per-chunk partials, then dw and db += their sum */
static cv_status backward_run(cv_conv_bwd *a, cv_tensor *dw, cv_tensor *db) {
  const cv_conv_dims *d = a->d;
  int64_t K = d->KH * d->KW * d->C;
  int64_t nw = dw ? a->chunks * K * d->F : 0, nb = db ? a->chunks * d->F : 0;
  float *part = cv_workspace_floats(a->ws, CV_WS_CONV_PART, (size_t)(nw + nb));
  if (!part) return cv_fail(CV_ENOMEM, "conv2d_backward: out of memory for %lld partial sums", (long long)(nw + nb));
  a->dwpart = dw ? part : NULL;
  a->dbpart = db ? part + nw : NULL;
  cv_status st;
  if (use_implicit(a->simd, d, a->p)) {
    /* dx through the flipped kernel has C output columns: too few (C < 8) waste the 16-wide tiles */
    cv_conv_s1_plan plan = {.wino_dw = dw && use_winograd(a->simd, d, a->p, d->C, d->F),
                            .wino_dx = a->dx && use_winograd(a->simd, d, a->p, d->F, d->C)};
    plan.dx_cols = a->dx && !plan.wino_dx && dx_by_columns(d);
    st = cv_conv_implicit_backward(a, &plan);
  } else {
    st = cv_conv_gemm_backward(a);
  }
  if (st) return st;
  if (dw) add_parts(cv_tensor_f32(dw), part, a->chunks, K * d->F);
  if (db) add_parts(cv_tensor_f32(db), part + nw, a->chunks, d->F);
  return CV_OK;
}

/* dy (N,OH,OW,F) given as the gradient of a max pooling of y: pdy (N,PH,PW,F) and its argmax,
 * pooling pp (pdy NULL: dy itself; with pdy, dy is only a shape, never read); y (the forward's
 * output, read for relu), x (N,H,W,C), w (KH,KW,C,F) -> dx (=), dw (+=), db (+=) */
cv_status cv_conv2d_backward_pool(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                  const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                  const cv_conv2d_params *p, cv_activation act, const cv_tensor *pdy,
                                  const cv_tensor *pargmax, const cv_pool2d_params *pp,
                                  cv_workspace *ws) {
  cv_conv_dims d;
  cv_status st = cv_conv_check("conv2d_backward", &d, dy, "dy", x, w, NULL, "b", p, 0);
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
  int64_t grain = grain_samples(d.N);
  cv_conv_bwd a = {.d = &d, .p = p, .x = cv_tensor_f32(x), .w = cv_tensor_f32(w),
                   .y = act == CV_ACT_RELU ? cv_tensor_f32(y) : NULL, .dx = dx ? cv_tensor_f32(dx) : NULL,
                   .grain = grain, .chunks = cv_parallel_chunks(d.N, grain),
                   .simd = cv_dispatch_get(), .ws = ws,
                   .g = {.dy = cv_tensor_f32(dy), .pdy = pdy ? cv_tensor_f32(pdy) : NULL,
                         .pargmax = pdy ? cv_tensor_u8(pargmax) : NULL, .pp = pdy ? pp : NULL,
                         .PH = pdy ? pdy->shape[1] : 0, .PW = pdy ? pdy->shape[2] : 0}};
  st = backward_run(&a, dw, db);
  cv_workspace_free(own);
  return st;
}

/* dy (N,OH,OW,F), y (the forward's output, read for relu), x (N,H,W,C), w (KH,KW,C,F)
 * -> dx (=), dw (+=), db (+=) */
cv_status cv_conv2d_backward_act(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                 const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                 const cv_conv2d_params *p, cv_activation act) {
  return cv_conv2d_backward_pool(dx, dw, db, dy, y, x, w, p, act, NULL, NULL, NULL, NULL);
}

/* dy (N,OH,OW,F), x (N,H,W,C), w (KH,KW,C,F) -> dx (=), dw (+=), db (+=) */
cv_status cv_conv2d_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                             const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p) {
  return cv_conv2d_backward_act(dx, dw, db, dy, NULL, x, w, p, CV_ACT_LINEAR);
}
