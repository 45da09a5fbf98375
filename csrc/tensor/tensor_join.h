/* tensor_join.h - concatenation of cvision tensors along one axis, and its inverse. Same conventions as tensor_ops.h: outputs first and
 * preallocated by the caller, indices and axes 0-based. */
#ifndef CV_TENSOR_JOIN_H
#define CV_TENSOR_JOIN_H

#include "tensor/tensor.h"

/* out <- the n tensors joined along axis; all agree on the other axes; out has the joined shape
 * (dtype conversions applied per tensor). */
cv_status cv_tensor_concat(cv_tensor *out, const cv_tensor *const *list, int n, int axis);
/* the inverse: src's consecutive blocks along axis -> the n tensors of outs, whose sizes along
 * axis add up to src's and which agree with src on the other axes (dtype conversions applied) */
cv_status cv_tensor_split(cv_tensor *const *outs, int n, const cv_tensor *src, int axis);

#endif
