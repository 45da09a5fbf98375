/* dropout.h - inverted dropout: the mask is drawn in the forward pass and reused by the backward.
 * All tensors float32, preallocated by the caller. */
#ifndef CV_DROPOUT_H
#define CV_DROPOUT_H

#include "tensor/tensor.h"

/* x (any) -> y, mask (like x): mask = 0 or 1/(1-rate) drawn with cv_rng_uniform in element order,
 * y = x*mask. rate in [0, 1). */
cv_status cv_dropout_forward(cv_tensor *y, cv_tensor *mask, const cv_tensor *x, float rate);
/* dy, mask -> dx = dy*mask (overwritten) */
cv_status cv_dropout_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *mask);

#endif
