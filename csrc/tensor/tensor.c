/* tensor.c - allocation, views and release of cvision tensors (see tensor.h). */
#include "tensor/tensor.h"
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bytes of tensor storage allocated and not yet freed, over all threads (the data loader allocates
 * from its workers) */
static _Atomic int64_t live_bytes, alloc_count, alloc_bytes;

int64_t cv_tensor_live_bytes(void) { return atomic_load(&live_bytes); }

void cv_tensor_alloc_stats(int64_t *count, int64_t *bytes) {
  *count = atomic_load(&alloc_count);
  *bytes = atomic_load(&alloc_bytes);
}

size_t cv_dtype_size(cv_dtype dt) { return dt == CV_FLOAT32 ? 4 : 1; }
const char *cv_dtype_name(cv_dtype dt) {
  return dt == CV_UINT8 ? "uint8" : dt == CV_INT8 ? "int8" : "float32";
}

int64_t cv_shape_numel(int ndim, const int64_t *shape) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) return -1;
    if (shape[i] != 0 && n > INT64_MAX / shape[i]) return -1;
    n *= shape[i];
  }
  return n;
}

void cv_shape_format(char *buf, size_t n, int ndim, const int64_t *shape) {
  size_t used = 0;
  used += (size_t)snprintf(buf, n, "(");
  for (int i = 0; i < ndim && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, i ? ", %lld" : "%lld", (long long)shape[i]);
  if (ndim == 1 && used < n) used += (size_t)snprintf(buf + used, n - used, ",");
  if (used < n) snprintf(buf + used, n - used, ")");
}

static cv_status set_shape(cv_tensor *t, cv_dtype dt, int ndim, const int64_t *shape) {
  if (ndim < 0 || ndim > CV_MAX_DIMS)
    return cv_fail(CV_ESHAPE, "a tensor has 0 to %d dimensions, not %d", CV_MAX_DIMS, ndim);
  int64_t n = cv_shape_numel(ndim, shape);
  if (n < 0) return cv_fail(CV_ESHAPE, "invalid shape (negative or too large)");
  t->dtype = dt;
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
  t->numel = n;
  return CV_OK;
}

static cv_status alloc(cv_tensor *t, cv_dtype dt, int ndim, const int64_t *shape, int zero) {
  memset(t, 0, sizeof *t);
  cv_status st = set_shape(t, dt, ndim, shape);
  if (st != CV_OK) return st;
  /* the byte count (rounded up to 64 below) must not wrap: 2^31 x 2^31 float32 would be 0 bytes */
  if ((uint64_t)t->numel > ((uint64_t)PTRDIFF_MAX - 64) / cv_dtype_size(dt)) {
    char buf[160];
    cv_shape_format(buf, sizeof buf, ndim, shape);
    memset(t, 0, sizeof *t);
    return cv_fail(CV_ENOMEM, "a %s tensor of shape %s is too large to allocate", cv_dtype_name(dt), buf);
  }
  size_t nbytes = (size_t)t->numel * cv_dtype_size(dt);
  cv_storage *s = malloc(sizeof *s);
  if (!s) { memset(t, 0, sizeof *t); return cv_fail(CV_ENOMEM, "out of memory allocating a tensor"); }
  /* 64-byte alignment keeps SIMD loads on cache lines; at least one byte so data is never NULL */
  size_t asz = (nbytes + 63) & ~(size_t)63;
  s->data = aligned_alloc(64, asz ? asz : 64);
  if (!s->data) {
    free(s);
    memset(t, 0, sizeof *t);
    return cv_fail(CV_ENOMEM, "out of memory allocating %zu bytes", nbytes);
  }
  if (zero) memset(s->data, 0, asz ? asz : 64);
  s->nbytes = nbytes;
  s->refcount = 1;
  atomic_fetch_add(&live_bytes, (int64_t)nbytes);
  atomic_fetch_add(&alloc_count, 1);
  atomic_fetch_add(&alloc_bytes, (int64_t)nbytes);
  t->storage = s;
  t->offset = 0;
  return CV_OK;
}

cv_status cv_tensor_alloc(cv_tensor *t, cv_dtype dt, int ndim, const int64_t *shape) {
  return alloc(t, dt, ndim, shape, 1);
}

cv_status cv_tensor_alloc_uninit(cv_tensor *t, cv_dtype dt, int ndim, const int64_t *shape) {
  return alloc(t, dt, ndim, shape, 0);
}

cv_status cv_tensor_view(cv_tensor *dst, const cv_tensor *src, int64_t offset, int ndim,
                         const int64_t *shape) {
  cv_tensor tmp;
  memset(&tmp, 0, sizeof tmp);
  cv_status st = set_shape(&tmp, src->dtype, ndim, shape);
  if (st != CV_OK) return st;
  if (!src->storage || offset < 0 || offset + tmp.numel > src->numel)
    return cv_fail(CV_ESHAPE, "view does not fit inside its base tensor");
  tmp.storage = src->storage;
  tmp.offset = src->offset + offset;
  tmp.storage->refcount++;
  *dst = tmp;
  return CV_OK;
}

void cv_tensor_release(cv_tensor *t) {
  if (t->storage && --t->storage->refcount == 0) {
    atomic_fetch_sub(&live_bytes, (int64_t)t->storage->nbytes);
    free(t->storage->data);
    free(t->storage);
  }
  memset(t, 0, sizeof *t);
}
