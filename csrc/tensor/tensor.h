/* tensor.h - the cvision tensor: a contiguous, row-major (NHWC for images) block of float32,
 * uint8 or int8 elements (int8 for numpy's wrap-around casts; computing converts to float32) over reference-counted storage. Every tensor is contiguous; a view (a sample t[i],
 * a slice along the first axis, a reshape) is a window of the same storage at an element offset,
 * and keeps that storage alive by holding a reference. */
#ifndef CV_TENSOR_H
#define CV_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include "base/cv_status.h"

#define CV_MAX_DIMS 8

typedef enum cv_dtype { CV_FLOAT32 = 0, CV_UINT8 = 1, CV_INT8 = 2 } cv_dtype;

typedef struct cv_storage {
  void *data;
  size_t nbytes;
  long refcount;
} cv_storage;

typedef struct cv_tensor {
  cv_dtype dtype;
  int ndim;
  int64_t shape[CV_MAX_DIMS];
  int64_t numel;
  int64_t offset;         /* in elements, into storage->data */
  cv_storage *storage;    /* NULL in the empty state */
} cv_tensor;

/* Size in bytes of one element. */
size_t cv_dtype_size(cv_dtype dt);
const char *cv_dtype_name(cv_dtype dt);

/* t (empty) -> t (ndim, shape) with fresh zeroed storage. On failure t stays empty. */
cv_status cv_tensor_alloc(cv_tensor *t, cv_dtype dt, int ndim, const int64_t *shape);
/* Like cv_tensor_alloc without zeroing, for results that are written in full. */
cv_status cv_tensor_alloc_uninit(cv_tensor *t, cv_dtype dt, int ndim, const int64_t *shape);
/* dst (empty) -> a view of src's storage starting `offset` elements after src's start, with the given
 * shape; the view must fit inside src. Takes a reference on the storage. */
cv_status cv_tensor_view(cv_tensor *dst, const cv_tensor *src, int64_t offset, int ndim,
                         const int64_t *shape);
/* Drops t's reference and returns it to the empty state (safe on an empty tensor). */
void cv_tensor_release(cv_tensor *t);

/* Element pointers (no dtype check: callers check t->dtype). */
static inline float *cv_tensor_f32(const cv_tensor *t) {
  return (float *)t->storage->data + t->offset;
}
static inline uint8_t *cv_tensor_u8(const cv_tensor *t) {
  return (uint8_t *)t->storage->data + t->offset;
}
static inline int8_t *cv_tensor_i8(const cv_tensor *t) {
  return (int8_t *)t->storage->data + t->offset;
}
static inline void *cv_tensor_data(const cv_tensor *t) {
  return (char *)t->storage->data + (size_t)t->offset * cv_dtype_size(t->dtype);
}

/* Bytes of tensor storage currently allocated (all tensors, all threads): a leak or a pile of
 * uncollected garbage shows here. */
int64_t cv_tensor_live_bytes(void);
/* Tensor storages allocated since the start, and their bytes (all threads): a training step that
 * reuses its buffers adds nothing here. */
void cv_tensor_alloc_stats(int64_t *count, int64_t *bytes);

/* Product of shape[0..ndim); -1 when it overflows or a dimension is negative. */
int64_t cv_shape_numel(int ndim, const int64_t *shape);
/* Writes "(2, 3, 4)" into buf. */
void cv_shape_format(char *buf, size_t n, int ndim, const int64_t *shape);

#endif
