/* dense.h - fully connected layer kernels: y = x @ w + b over the last axis (leading axes are
 * rows, as Keras' Dense on rank > 2 inputs). cv_gemm does the work; the _ref twins are loops. */
#ifndef CV_DENSE_H
#define CV_DENSE_H

#include "tensor/tensor.h"
#include "base/workspace.h"

/* x (N,K), w (K,M), b (M) or NULL -> y (N,M) */
cv_status cv_dense_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b);
cv_status cv_dense_forward_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b);
/* dy (N,M), x (N,K), w (K,M) -> dx (N,K) overwritten, dw (K,M) +=, db (M) +=; each may be NULL */
cv_status cv_dense_backward(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                            const cv_tensor *x, const cv_tensor *w);
cv_status cv_dense_backward_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                const cv_tensor *x, const cv_tensor *w);

/* Options of the _ex kernels (issue 6, speed):
 * - x_scale: the layer sees x_scale * x (a Rescaling folded into the product, as GEMM's alpha, so
 *   the scaled copy of x is never written): y = x_scale * (x @ w) + b, dw = x_scale * x^T dy,
 *   dx = x_scale * dy w^T (the gradient with respect to the unscaled x). Equal to scaling x first
 *   up to float rounding (the scale is applied to the sums, not to each product).
 * - overwrite: dw and db are OVERWRITTEN instead of accumulated, for the first (usually only)
 *   contribution of a step; it saves zeroing them and reading them back.
 * cv_dense_params_default: x_scale 1, overwrite 0 (the plain kernels' contract).
 * ws: the scratch (GEMM packing, the K slices' partial sums); NULL: allocated for this call. */
typedef struct cv_dense_params { float x_scale; int overwrite; } cv_dense_params;
extern const cv_dense_params cv_dense_params_default;
cv_status cv_dense_forward_ex(cv_tensor *y, const cv_tensor *x, const cv_tensor *w, const cv_tensor *b,
                              const cv_dense_params *p, cv_workspace *ws);
cv_status cv_dense_forward_ex_ref(cv_tensor *y, const cv_tensor *x, const cv_tensor *w,
                                  const cv_tensor *b, const cv_dense_params *p);
cv_status cv_dense_backward_ex(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                               const cv_tensor *x, const cv_tensor *w, const cv_dense_params *p,
                               cv_workspace *ws);
cv_status cv_dense_backward_ex_ref(cv_tensor *dx, cv_tensor *dw, cv_tensor *db, const cv_tensor *dy,
                                   const cv_tensor *x, const cv_tensor *w, const cv_dense_params *p);

#endif
