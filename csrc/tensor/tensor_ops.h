/* tensor_ops.h - element-wise work on cvision tensors: filling, dtype conversion, arithmetic and
 * comparisons with numpy broadcasting, unary functions, clamping. With tensor_reduce.h,
 * tensor_index.h, tensor_join.h and tensor_print.h, every loop over elements of the Lua tensor API
 * lives in csrc/tensor/.
 *
 * Conventions: outputs first and preallocated by the caller (shape and dtype as documented);
 * indices and axes are 0-based here (the Lua binding converts from 1-based); uint8 results of
 * float values wrap around like numpy's astype (256 -> 0, -1 -> 255, NaN -> 0). */
#ifndef CV_TENSOR_OPS_H
#define CV_TENSOR_OPS_H

#include "tensor/tensor.h"

typedef enum cv_binop {
  CV_OP_ADD, CV_OP_SUB, CV_OP_MUL, CV_OP_DIV, CV_OP_POW, CV_OP_MAXIMUM, CV_OP_MINIMUM,
  CV_OP_MOD, CV_OP_FLOORDIV,   /* Python/numpy floor semantics: the remainder takes y's sign */
  CV_OP_EQ, CV_OP_NE, CV_OP_LT, CV_OP_GT, CV_OP_LE, CV_OP_GE
} cv_binop;

typedef enum cv_unop {
  CV_OP_NEG, CV_OP_EXP, CV_OP_LOG, CV_OP_SQRT, CV_OP_ABS, CV_OP_SIGN, CV_OP_SQUARE
} cv_unop;

/* Converts n elements between dtypes (float -> uint8 wraps like numpy). */
void cv_convert(void *dst, cv_dtype dd, const void *src, cv_dtype sd, int64_t n);
/* The uint8 a float value becomes under numpy's wrap-around cast. */
uint8_t cv_f2u8(double v);
/* The int8 a float value becomes under numpy's wrap-around cast (128 -> -128, 300.7 -> 44). */
int8_t cv_f2i8(double v);

/* t <- v everywhere (converted to t's dtype). */
void cv_tensor_fill(cv_tensor *t, double v);
/* dst <- src element by element in row-major order; same numel, any shapes and dtypes. */
cv_status cv_tensor_copy(cv_tensor *dst, const cv_tensor *src);
/* dst <- src broadcast to dst's shape (numpy rules), converting dtype. */
cv_status cv_tensor_assign(cv_tensor *dst, const cv_tensor *src);
/* t (float32) <- start + i*step */
void cv_tensor_arange(cv_tensor *t, double start, double step);
/* t <- uniform [lo, hi) / normal (mean, std) draws from the global stream (random.h). */
void cv_tensor_rand_uniform(cv_tensor *t, double lo, double hi);
void cv_tensor_rand_normal(cv_tensor *t, double mean, double std);

/* Broadcast shape of a and b (numpy rules) into shape/ndim; CV_ESHAPE when incompatible. */
cv_status cv_broadcast_shape(int *ndim, int64_t *shape, int an, const int64_t *ash, int bn,
                             const int64_t *bsh);
/* Result dtype of a op b: comparisons give uint8 masks; + - * maximum minimum of two uint8
 * stay uint8 (wrapping); everything else is float32. A number counts as float32. */
cv_dtype cv_binop_dtype(cv_binop op, cv_dtype a, cv_dtype b);
int cv_binop_is_compare(cv_binop op);
/* out <- a op b with broadcasting. out has the broadcast shape (any dtype: results are converted
 * into it) and may be a or b itself (in-place). */
cv_status cv_tensor_binary(cv_tensor *out, const cv_tensor *a, const cv_tensor *b, cv_binop op);
/* out <- a op s (or s op a when scalar_first); out shaped like a, may be a. */
cv_status cv_tensor_binary_scalar(cv_tensor *out, const cv_tensor *a, double s, cv_binop op,
                                  int scalar_first);
/* out (float32, shaped like a, may be a) <- op(a). */
cv_status cv_tensor_unary(cv_tensor *out, const cv_tensor *a, cv_unop op);
/* out (shaped like a, may be a) <- min(max(a, lo), hi). */
cv_status cv_tensor_clamp(cv_tensor *out, const cv_tensor *a, double lo, double hi);

/* Element at a flat row-major position, as a double. */
double cv_tensor_get_flat(const cv_tensor *t, int64_t i);
void cv_tensor_set_flat(cv_tensor *t, int64_t i, double v);

#endif
