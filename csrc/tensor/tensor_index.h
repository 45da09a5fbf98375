/* tensor_index.h - picking parts of cvision tensors: index tensors to rows, gathering rows, masks. Same conventions as tensor_ops.h: outputs first and
 * preallocated by the caller, indices and axes 0-based. */
#ifndef CV_TENSOR_INDEX_H
#define CV_TENSOR_INDEX_H

#include "tensor/tensor.h"

/* idx (any dtype, any shape) -> n = idx->numel integers (value - base) into rows. */
cv_status cv_tensor_to_indices(int64_t *rows, const cv_tensor *idx, int64_t base);
/* out (n, rest of src's shape) <- rows of src (0-based, checked against src->shape[0]). */
cv_status cv_tensor_gather_rows(cv_tensor *out, const cv_tensor *src, const int64_t *rows,
                                int64_t n);
/* Number of non-zero entries of mask. */
int64_t cv_tensor_count_nonzero(const cv_tensor *mask);
/* out <- the rows of src whose entry of the 1-D mask (length src->shape[0]) is non-zero, or,
 * for a mask shaped like src, the selected elements as a 1-D tensor. out is preallocated with
 * count_nonzero(mask) rows (resp. elements) and src's dtype. */
cv_status cv_tensor_mask_select(cv_tensor *out, const cv_tensor *src, const cv_tensor *mask);
/* 1 when mask selects rows of t (1-D, length t->shape[0]), 0 when it selects elements (shaped
 * like t, t not 1-D), -1 with the error message set otherwise; what names the caller. */
int cv_mask_kind(const cv_tensor *t, const cv_tensor *mask, const char *what);
/* t <- v where mask (1-D over rows, or shaped like t) is non-zero. */
cv_status cv_tensor_mask_fill(cv_tensor *t, const cv_tensor *mask, double v);

#endif
