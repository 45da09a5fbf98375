/* dense.h - fully connected layer kernels: y = x @ w + b over the last axis (leading axes are
 * rows, as Keras' Dense on rank > 2 inputs). cv_gemm does the work; the _ref twins are loops. */
#ifndef CV_DENSE_H
#define CV_DENSE_H

#include "tensor.h"

/* x (N,K), w (K,M), b (M) or NULL -> y (N,M) */
cv_status cv_dense_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b);
cv_status cv_dense_forward_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b);
/* dy (N,M), x (N,K), w (K,M) -> dx (N,K) overwritten, dw (K,M) +=, db (M) +=; each may be NULL */
cv_status cv_dense_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                            const cv_tensor *x, const cv_tensor *w);
cv_status cv_dense_backward_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                const cv_tensor *x, const cv_tensor *w);

#endif
