/* check.h - the argument checks the nn kernels share (float32, same shape, gradient outputs)
 * and the shape text of their messages. */
#ifndef CV_NN_CHECK_H
#define CV_NN_CHECK_H

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

#endif
