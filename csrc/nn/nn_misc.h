/* nn_misc.h - small nn kernels (dropout, zero padding, top-k accuracy) and the shape-message
 * helper the nn kernels share. All tensors float32, NHWC, preallocated by the caller. */
#ifndef CV_NN_MISC_H
#define CV_NN_MISC_H

#include "tensor/tensor.h"

/* "(2, 3, 4)" for t's shape, in one of 8 rotating per-thread buffers (for error messages). */
const char *cv_nn_shape_str(const cv_tensor *t);
/* Fails with "<who>: <what> must be float32 ..." unless t is a float32 tensor (NULL allowed when optional). */
cv_status cv_nn_check_f32(const char *who, const char *what, const cv_tensor *t, int optional);
/* Fails unless a and b have the same shape. */
cv_status cv_nn_check_same(const char *who, const char *an, const cv_tensor *a, const char *bn,
                           const cv_tensor *b);
/* The gradient outputs of a layer's backward: dx like x, dw like w, db of nb elements (one per
 * `each`, e.g. "filter"), all float32 and each NULL when not wanted. */
cv_status cv_nn_check_grads(const char *who, const cv_tensor *dx, const cv_tensor *x, const cv_tensor *dw,
                            const cv_tensor *w, const cv_tensor *db, int64_t nb, const char *each);

/* x (any) -> y, mask (like x): mask = 0 or 1/(1-rate) drawn with cv_rng_uniform in element order,
 * y = x*mask. rate in [0, 1). */
cv_status cv_dropout_forward(cv_tensor *y, cv_tensor *mask, const cv_tensor *x, float rate);
/* dy, mask -> dx = dy*mask (overwritten) */
cv_status cv_dropout_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *mask);

/* x (N,H,W,C) -> y (N,H+top+bottom,W+left+right,C); bottom/right follow from the shapes */
cv_status cv_zeropad2d_forward(cv_tensor *y, const cv_tensor *x, int top, int left);
/* dy (N,H',W',C) -> dx (N,H,W,C) = the window of dy at (top, left) (overwritten) */
cv_status cv_zeropad2d_backward(cv_tensor *dx, const cv_tensor *dy, int top, int left);

/* pred (N,K), labels (N) 1-based class numbers -> *correct = rows whose label is in the top k
 * (tf.math.in_top_k: ties at the boundary count as in; a non-finite score never does). */
cv_status cv_topk_correct(long *correct, const cv_tensor *pred, const cv_tensor *labels, int k);
/* pred (N,K), labels (N) of class numbers 1..K -> *correct: the rows whose argmax (the first
 * largest value, or the first NaN, as t:argmax) is the label; allocates nothing */
cv_status cv_argmax_correct(long *correct, const cv_tensor *pred, const cv_tensor *labels);

#endif
