/* conv.h - 2-D convolution on NHWC tensors with Keras' kernel layout, and the one output-size rule
 * (Keras/TF "same"/"valid") that convolution and pooling share.
 * conv2d is Darknet-style im2col + cv_gemm (w (KH,KW,C,F) read as the matrix (KH*KW*C, F), so an
 * im2col row is contiguous and y (N*OH*OW, F) = col @ w), with a 1x1 stride-1 no-pad shortcut that
 * multiplies x directly; on AVX2 CPUs stride-1 convolutions skip im2col (implicit GEMM: the
 * micro-kernel reads windows from a padded copy of each sample, and dx is the convolution of the
 * padded dy with the flipped kernel); 3x3 ones with channels and filters in multiples of 8 run
 * Winograd F(2x2,3x3) for the forward and dx and F(3x3,2x2) for dw instead (simd/winograd_avx2.c,
 * 2.25x fewer multiply-adds). A ReLU can be fused into forward and backward. Samples run
 * in parallel; results do not depend on the thread count. The _ref twins are direct loops the
 * tests compare with. One file per algorithm (conv_im2col.c, conv_implicit.c, conv_winograd.c,
 * conv_pool.c for the fused pooling, conv_ref.c, conv_depthwise.c; conv_impl.h is what they
 * share); conv.c checks the arguments and picks the algorithm.
 * Backward kernels overwrite dx and accumulate (+=) into dw and db.
 * Scratch: the _ex/_pool forms take a cv_workspace (last argument; NULL: allocated for this call
 * and freed before it returns); the shorter forms pass NULL. Results do not depend on it. */
#ifndef CV_CONV_H
#define CV_CONV_H

#include "tensor/tensor.h"
#include "nn/activation.h"
#include "nn/pool.h"
#include "base/workspace.h"

typedef struct cv_conv2d_params {
  int sh, sw;   /* strides */
  int pt, pl;   /* zero padding at top and left; bottom/right follow from y's shape */
} cv_conv2d_params;

/* n input size, k window, s stride, same (1 = "same", 0 = "valid") -> *out, *pad_before.
 * valid: out = floor((n-k)/s)+1 (fails when k > n); same: out = ceil(n/s),
 * total = max((out-1)*s + k - n, 0), pad_before = floor(total/2) (TF puts the extra cell after). */
cv_status cv_conv_out_size(int *out, int *pad_before, int n, int k, int s, int same);

/* Winograd for the 3x3 stride-1 convolutions whose channels and filters are multiples of 8
 * (forward, dx and dw; AVX2 only): on by default unless CVISION_WINOGRAD=0; 0 turns it off (the
 * direct implicit GEMM runs instead), 1 back on. Results differ at rounding level; a NaN or an
 * infinity in x reaches the whole 2x2 output tiles whose 4x4 input tiles hold it (the direct path:
 * the outputs whose windows hold it). */
void cv_conv2d_set_winograd(int on);

/* x (N,H,W,C), w (KH,KW,C,F), b (F) or NULL -> y (N,OH,OW,F) */
cv_status cv_conv2d_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                            const cv_tensor *b, const cv_conv2d_params *p);
/* the same, then y = act(y) for act linear or relu, fused into the GEMM's store */
cv_status cv_conv2d_forward_act(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                const cv_tensor *b, const cv_conv2d_params *p, cv_activation act);
/* the same, then py = max pooling of y (argmax as cv_maxpool2d_forward, NULL to skip), each
 * sample pooled right after it is computed, while it is still in cache: the results of the two
 * calls, without reading y back from memory. pp NULL: no pooling. */
cv_status cv_conv2d_forward_pool(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                 const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                                 cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp);
/* the same; keep_y 0 (with pp): y is not written (its contents stay as they were), only py and
 * argmax: each sample's convolution output stays in a per-thread buffer */
cv_status cv_conv2d_forward_pool_ex(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                    const cv_tensor *b, const cv_conv2d_params *p, cv_activation act,
                                    cv_tensor *py, cv_tensor *argmax, const cv_pool2d_params *pp,
                                    int keep_y, cv_workspace *ws);
cv_status cv_conv2d_forward_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                const cv_tensor *b, const cv_conv2d_params *p);
/* dy (N,OH,OW,F), x (N,H,W,C), w (KH,KW,C,F) -> dx (like x, overwritten; NULL to skip),
 * dw (like w, +=; NULL to skip), db (F, +=; NULL to skip) */
cv_status cv_conv2d_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                             const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p);
/* dy is the gradient of y = act(z) (linear or relu); y is the forward's output (read for relu,
 * may be NULL for linear): dz = dy * (y > 0), then as cv_conv2d_backward */
cv_status cv_conv2d_backward_act(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                 const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                 const cv_conv2d_params *p, cv_activation act);
/* the same with dy given as the gradient of a max pooling of y: pdy (N,PH,PW,F), its argmax and
 * pooling pp (cv_maxpool2d_forward's); dy only gives the shape and is never read. pdy NULL: as
 * cv_conv2d_backward_act. Bit-identical to cv_maxpool2d_backward into dy, then that call. */
cv_status cv_conv2d_backward_pool(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                  const cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                  const cv_conv2d_params *p, cv_activation act, const cv_tensor *pdy,
                                  const cv_tensor *pargmax, const cv_pool2d_params *pp,
                                  cv_workspace *ws);
cv_status cv_conv2d_backward_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                 const cv_tensor *x, const cv_tensor *w, const cv_conv2d_params *p);

/* x (N,H,W,C), w (KH,KW,C,M), b (C*M) or NULL -> y (N,OH,OW,C*M), channel c*M+m as TF */
cv_status cv_depthwise_conv2d_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                      const cv_tensor *b, const cv_conv2d_params *p);
/* dy (N,OH,OW,C*M), x, w -> dx (overwritten, NULL to skip), dw (+=, NULL to skip), db (+=, NULL to skip) */
cv_status cv_depthwise_conv2d_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db,
                                       const cv_tensor *dy, const cv_tensor *x, const cv_tensor *w,
                                       const cv_conv2d_params *p);

#endif
