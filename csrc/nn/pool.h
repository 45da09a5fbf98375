/* pool.h - 2-D pooling on NHWC tensors, with Keras/TF semantics: max pooling ignores padding cells
 * (as if -inf), average pooling divides by the number of real cells in the window, global average
 * pooling averages over H and W. Output sizes come from cv_conv_out_size (conv.h).
 * Backward kernels overwrite dx. */
#ifndef CV_POOL_H
#define CV_POOL_H

#include "tensor/tensor.h"

typedef struct cv_pool2d_params {
  int ph, pw;   /* window */
  int sh, sw;   /* strides */
  int pt, pl;   /* padding at top and left; bottom/right follow from y's shape */
} cv_pool2d_params;

/* x (N,H,W,C) -> y (N,OH,OW,C), argmax (uint8, like y; kh*pw + kw of the first maximum in the
 * window; NULL to skip). The window has at most 255 cells. */
cv_status cv_maxpool2d_forward(cv_tensor *y, cv_tensor *argmax, const cv_tensor *x,
                               const cv_pool2d_params *p);
/* the checks of cv_maxpool2d_forward alone, and its work on one sample x (H,W,C) -> y (OH,OW,C),
 * argmax (NULL to skip): for kernels that pool their own output while it is in cache (conv2d) */
cv_status cv_maxpool2d_check(const cv_tensor *y, const cv_tensor *argmax, const cv_tensor *x,
                             const cv_pool2d_params *p);
void cv_maxpool2d_sample(float *y, uint8_t *argmax, const float *x, int64_t H, int64_t W, int64_t C,
                         int64_t OH, int64_t OW, const cv_pool2d_params *p);
/* cv_maxpool2d_backward's work on one sample: dy, argmax (OH,OW,C) -> dx (H,W,C), overwritten */
void cv_maxpool2d_sample_backward(float *dx, const float *dy, const uint8_t *argmax, int64_t H,
                                  int64_t W, int64_t C, int64_t OH, int64_t OW,
                                  const cv_pool2d_params *p);
/* dy (N,OH,OW,C), argmax (uint8 like dy) -> dx (N,H,W,C), overwritten */
cv_status cv_maxpool2d_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *argmax,
                                const cv_pool2d_params *p);

/* x (N,H,W,C) -> y (N,OH,OW,C), mean over the window's cells inside the image */
cv_status cv_avgpool2d_forward(cv_tensor *y, const cv_tensor *x, const cv_pool2d_params *p);
/* dy (N,OH,OW,C) -> dx (N,H,W,C), overwritten */
cv_status cv_avgpool2d_backward(cv_tensor *dx, const cv_tensor *dy, const cv_pool2d_params *p);

/* x (N,H,W,C) -> y (N,C) */
cv_status cv_global_avgpool_forward(cv_tensor *y, const cv_tensor *x);
/* dy (N,C) -> dx (N,H,W,C) = dy/(H*W), overwritten */
cv_status cv_global_avgpool_backward(cv_tensor *dx, const cv_tensor *dy);

#endif
