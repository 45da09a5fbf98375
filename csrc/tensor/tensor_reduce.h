/* tensor_reduce.h - reductions of cvision tensors: sum, mean, max, min, argmax, argmin, over the
 * whole tensor or along one axis. Same conventions as tensor_ops.h: outputs first and
 * preallocated by the caller, indices and axes 0-based. */
#ifndef CV_TENSOR_REDUCE_H
#define CV_TENSOR_REDUCE_H

#include "tensor/tensor.h"

typedef enum cv_reduce { CV_RED_SUM, CV_RED_MEAN, CV_RED_MAX, CV_RED_MIN, CV_RED_ARGMAX,
                         CV_RED_ARGMIN } cv_reduce;

/* Whole-tensor reduction: sum and mean accumulate in double; max/min/argmax/argmin also give
 * the flat 0-based index of the first extreme in *index (may be NULL). Empty tensors: sum 0,
 * mean NaN, others CV_ESHAPE. */
cv_status cv_tensor_reduce_all(const cv_tensor *t, cv_reduce op, double *value, int64_t *index);
/* out <- reduction of t along axis; out has t's shape without that axis (or with it set to 1:
 * only numel matters). sum/mean: out float32; max/min: out of t's dtype or float32;
 * argmax/argmin: out float32 holding index + base. */
cv_status cv_tensor_reduce_axis(cv_tensor *out, const cv_tensor *t, int axis, cv_reduce op,
                                int64_t base);

#endif
