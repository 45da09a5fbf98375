/* conv_impl.h - what the convolution files share, private to csrc/nn/conv/. conv.c checks the
 * arguments, picks one algorithm per call and hands it a cv_conv_fwd or cv_conv_bwd (the call's
 * inputs and outputs, already checked); each algorithm file keeps its own job struct with only
 * what it adds (packed kernels, window offsets, padded sizes):
 *   conv_im2col.c    im2col + GEMM, and the 1x1 stride-1 shortcut that multiplies x directly
 *   conv_implicit.c  implicit GEMM for stride 1 (windows read from a padded copy of each sample)
 *   conv_winograd.c  Winograd F(2x2,3x3) / F(3x3,2x2) glue around the table's Winograd kernels
 *   conv_pool.c      the fused max pooling: where a sample's output goes, dy from a pooled dy
 *   conv_ref.c       the direct _ref loops;  conv_depthwise.c  the depthwise convolution
 * Every algorithm runs samples (forward) or fixed chunks of samples (backward: dw/db partial
 * sums per chunk, added in chunk order by conv.c) over the pool: results never depend on the
 * thread count. Scratch comes from the call's workspace (never NULL here), one row per thread.
 * SIMD kernels are reached only through the dispatch table the call read once (a->simd); the
 * implicit and Winograd paths run only when it has their kernels. */
#ifndef CV_CONV_IMPL_H
#define CV_CONV_IMPL_H

#include "nn/conv/conv.h"
#include "base/dispatch.h"
#include <stdint.h>

/* the sizes of one convolution: x (N,H,W,C), w (KH,KW,C,F), y (N,OH,OW,F) */
typedef struct cv_conv_dims { int64_t N, H, W, C, KH, KW, F, OH, OW; } cv_conv_dims;

/* ---- conv.c ---- */

/* checks x, w, y (or dy: yn names it) and b (bn) of a convolution and fills d; depthwise: w is
 * (KH,KW,C,M) and F = C*M */
cv_status cv_conv_check(const char *who, cv_conv_dims *d, const cv_tensor *y, const char *yn,
                        const cv_tensor *x, const cv_tensor *w, const cv_tensor *b, const char *bn,
                        const cv_conv2d_params *p, int depthwise);
/* 1x1, stride 1, no padding, same size: y = x @ w with no im2col */
int cv_conv_is_shortcut(const cv_conv_dims *d, const cv_conv2d_params *p);

/* ---- conv_pool.c: the fused max pooling ---- */

/* where a forward writes: y, then (pp not NULL) each sample max-pooled into py/pa right after
 * it is made, while it is in cache */
typedef struct cv_conv_sink {
  float *y;                    /* (N,OH,OW,F) */
  const cv_pool2d_params *pp;  /* NULL: no pooling */
  float *py;                   /* (N,PH,PW,F) */
  uint8_t *pa;                 /* argmax like py, or NULL */
  int64_t PH, PW;
  int keep_y;                  /* 0 (only with pp): y is not written, see cv_conv_sink_scratch */
} cv_conv_sink;

/* the calling thread's one-sample output buffer when y is not kept (*ys = NULL when it is);
 * -1 when out of memory */
int cv_conv_sink_scratch(float **ys, const cv_conv_sink *s, const cv_conv_dims *d, cv_workspace *ws);
/* where sample n's output goes: ys when y is not kept, else sample n of y */
float *cv_conv_sink_sample(const cv_conv_sink *s, const cv_conv_dims *d, int64_t n, float *ys);
/* sample n's output yn is complete: pools it (nothing without pooling) */
void cv_conv_sink_done(const cv_conv_sink *s, const cv_conv_dims *d, int64_t n, const float *yn);

/* where a backward reads dy: dy itself, or (pdy not NULL) the max-pool backward of pdy through
 * pargmax, made one chunk at a time in a per-thread buffer (dy is then only a shape) */
typedef struct cv_conv_grad {
  const float *dy;             /* (N,OH,OW,F) */
  const float *pdy;            /* (N,PH,PW,F) or NULL */
  const uint8_t *pargmax;      /* like pdy */
  const cv_pool2d_params *pp;
  int64_t PH, PW;
} cv_conv_grad;

/* the dy of samples [n0, n1) end to end (sample n at + (n - n0)*OH*OW*F); NULL: out of memory */
const float *cv_conv_grad_chunk(const cv_conv_grad *g, const cv_conv_dims *d, int64_t n0,
                                int64_t n1, cv_workspace *ws);

/* ---- one call, as the algorithms see it ---- */

/* x (N,H,W,C), w (KH,KW,C,F), b (F) or NULL -> out = relu?(conv + b) */
typedef struct cv_conv_fwd {
  const cv_conv_dims *d;
  const cv_conv2d_params *p;
  const float *x, *w, *b;
  int relu;
  cv_conv_sink out;
  const cv_dispatch *simd;     /* the kernels, read once per call */
  cv_workspace *ws;
} cv_conv_fwd;

/* dy (from g), x, w -> dx (overwritten) and the per-chunk partials of dw (chunks x K x F) and db
 * (chunks x F), each written (not accumulated); any of the three NULL when not wanted */
typedef struct cv_conv_bwd {
  const cv_conv_dims *d;
  const cv_conv2d_params *p;
  const float *x, *w;
  const float *y;              /* the forward's output, whose mask y > 0 is relu's gradient; NULL: linear */
  cv_conv_grad g;
  float *dx, *dwpart, *dbpart;
  int64_t grain, chunks;       /* chunk c = samples [c*grain, (c+1)*grain) */
  const cv_dispatch *simd;     /* the kernels, read once per call */
  cv_workspace *ws;
} cv_conv_bwd;

/* the stride-1 backward's choices (conv.c makes them): dW by Winograd F(3x3,2x2) or the implicit
 * GEMM; dx by Winograd, or the implicit GEMM by columns (dcol = dz @ w^T, then col2im) or as the
 * convolution of the padded dz with the flipped kernel */
typedef struct cv_conv_s1_plan { int wino_dw, wino_dx, dx_cols; } cv_conv_s1_plan;

/* ---- conv_im2col.c ---- */

/* one sample: xn (H,W,C) -> col (OH*OW, KH*KW*C); out-of-image cells are zero */
void cv_conv_im2col(float *col, const float *xn, const cv_conv_dims *d, const cv_conv2d_params *p);
/* one sample: col (OH*OW, KH*KW*C) -> dn (H,W,C), the cells summed back (dn overwritten) */
void cv_conv_col2im(float *dn, const float *col, const cv_conv_dims *d, const cv_conv2d_params *p);
cv_status cv_conv_gemm_forward(const cv_conv_fwd *a);
cv_status cv_conv_gemm_backward(const cv_conv_bwd *a);

/* ---- conv_implicit.c ---- */

/* one sample xn (H,W,C) -> xp (Hp,Wp,C) inside its zero padding (pt, pl); returns xn itself
 * when no padding is needed, unless force */
const float *cv_conv_pad_sample(float *xp, const float *xn, const cv_conv_dims *d, int pt, int pl,
                                int64_t Hp, int64_t Wp, int force);
/* one sample's dz = relu-masked dy (OH,OW,F) -> dzp (Hq,Wq,F) inside a zero border, dz at (qt, ql) */
void cv_conv_pad_dz(float *dzp, const float *g, const float *yn, const cv_conv_dims *d, int Hq,
                    int Wq, int qt, int ql);
/* w (KH,KW,C,F) -> wf (KH,KW,F,C) flipped: wf[kh',kw',f,c] = w[KH-1-kh', KW-1-kw', c, f] */
void cv_conv_flip_kernel(float *wf, const float *w, const cv_conv_dims *d);
cv_status cv_conv_implicit_forward(const cv_conv_fwd *a);
cv_status cv_conv_implicit_backward(const cv_conv_bwd *a, const cv_conv_s1_plan *plan);

/* ---- conv_winograd.c ---- */

/* w (3,3,in,out) -> *u, the Winograd-transformed kernel packed (in the calling thread's row) */
cv_status cv_conv_wino_pack(const float **u, const float *w, int64_t in, int64_t out,
                            const cv_dispatch *simd, cv_workspace *ws, const char *who);
cv_status cv_conv_winograd_forward(const cv_conv_fwd *a);
/* dW by F(3x3,2x2) for the samples [n0, n1) of one chunk, whose dy is gb: pw (K,F) written,
 * pb (F, or NULL) += the masked dy; -1: out of memory */
int cv_conv_wino_dw_chunk(float *pw, float *pb, const cv_conv_bwd *a, const float *gb, int64_t n0,
                          int64_t n1);
/* one sample's dx (H,W,C) from its padded dz (Hq x Wq, cv_conv_pad_dz) and u, the flipped kernel
 * transformed by cv_conv_wino_pack; -1: out of memory */
int cv_conv_wino_dx_sample(float *dxn, const float *dzp, int Wq, const float *u, const cv_conv_bwd *a);

#endif
