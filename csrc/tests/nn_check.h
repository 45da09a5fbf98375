/* nn_check.h - helpers shared by the nn kernel tests: random tensors, fast-vs-reference
 * comparison and central finite-difference gradient checks (float32 forward, double objective). */
#ifndef NN_CHECK_H
#define NN_CHECK_H
#include "cvision.h"
#include "ctest.h"
#include <math.h>
#include <stdarg.h>
#include <string.h>

/* a zeroed float32 tensor of the given shape */
static inline cv_tensor tz(int ndim, ...) {
  int64_t s[CV_MAX_DIMS];
  va_list ap;
  va_start(ap, ndim);
  for (int i = 0; i < ndim; i++) s[i] = va_arg(ap, int);
  va_end(ap);
  cv_tensor t;
  if (cv_tensor_alloc(&t, CV_FLOAT32, ndim, s) != CV_OK) {
    fprintf(stderr, "alloc failed: %s\n", cv_last_error());
    memset(&t, 0, sizeof t);
  }
  return t;
}

/* a tensor shaped like t */
static inline cv_tensor tlike(const cv_tensor *t) {
  cv_tensor r;
  cv_tensor_alloc(&r, t->dtype, t->ndim, t->shape);
  return r;
}

static inline void tfill_uniform(cv_tensor *t, float lo, float hi) {
  float *p = cv_tensor_f32(t);
  for (int64_t i = 0; i < t->numel; i++) p[i] = lo + (hi - lo) * cv_rng_uniform();
}

static inline void tcopy(cv_tensor *dst, const cv_tensor *src) {
  memcpy(cv_tensor_f32(dst), cv_tensor_f32(src), (size_t)src->numel * sizeof(float));
}

/* max over i of |a-b| / (atol + rtol*|b|): <= 1 means close */
static inline double tclose(const cv_tensor *a, const cv_tensor *b, double atol, double rtol) {
  if (a->numel != b->numel) return INFINITY;
  const float *x = cv_tensor_f32(a), *y = cv_tensor_f32(b);
  double worst = 0.0;
  for (int64_t i = 0; i < a->numel; i++) {
    double r = fabs((double)x[i] - y[i]) / (atol + rtol * fabs((double)y[i]));
    if (!(r <= worst)) worst = r;   /* NaN wins */
  }
  return worst;
}

/* 1 when a and b hold the same bytes (float32 or uint8) */
static inline int same_bits(const cv_tensor *a, const cv_tensor *b) {
  size_t es = a->dtype == CV_UINT8 ? 1 : 4;
  return a->numel == b->numel &&
         memcmp(cv_tensor_data(a), cv_tensor_data(b), (size_t)a->numel * es) == 0;
}

/* sum(y * r) in double */
static inline double tdot(const cv_tensor *y, const cv_tensor *r) {
  const float *a = cv_tensor_f32(y), *b = cv_tensor_f32(r);
  double s = 0.0;
  for (int64_t i = 0; i < y->numel; i++) s += (double)a[i] * b[i];
  return s;
}

/* Central differences of the scalar f(ctx) with respect to up to `samples` elements of param
 * (all when samples >= n), compared with grad: returns the number of mismatches (printed). */
static inline int fd_check(const char *what, double (*f)(void *), void *ctx, cv_tensor *param,
                    const cv_tensor *grad, int samples, double h, double atol, double rtol) {
  float *p = cv_tensor_f32(param);
  const float *g = cv_tensor_f32(grad);
  int64_t n = param->numel;
  int bad = 0;
  for (int s = 0; s < (samples < n ? samples : n); s++) {
    int64_t i = samples >= n ? s : (int64_t)cv_rng_below((uint64_t)n);
    float keep = p[i];
    p[i] = keep + (float)h;
    double fp = f(ctx);
    p[i] = keep - (float)h;
    double fm = f(ctx);
    p[i] = keep;
    double num = (fp - fm) / (2.0 * h);
    if (!(fabs(num - g[i]) <= atol + rtol * fabs(num))) {
      if (bad < 5) fprintf(stderr, "  %s[%lld]: numeric %.6g analytic %.6g\n", what, (long long)i, num, (double)g[i]);
      bad++;
    }
  }
  return bad;
}

#endif
