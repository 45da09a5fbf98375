/* padding.h - zero padding of NHWC images (Keras ZeroPadding2D). All tensors float32,
 * preallocated by the caller. */
#ifndef CV_PADDING_H
#define CV_PADDING_H

#include "tensor/tensor.h"

/* x (N,H,W,C) -> y (N,H+top+bottom,W+left+right,C); bottom/right follow from the shapes */
cv_status cv_zeropad2d_forward(cv_tensor *y, const cv_tensor *x, int top, int left);
/* dy (N,H',W',C) -> dx (N,H,W,C) = the window of dy at (top, left) (overwritten) */
cv_status cv_zeropad2d_backward(cv_tensor *dx, const cv_tensor *dy, int top, int left);

#endif
