/* test_dense_ex.c - the dense kernels' options (cv_dense_params): a folded input scale (a
 * Rescaling before the layer) and overwritten instead of accumulated weight gradients. Fast vs
 * _ref twin, each against the plain kernels run on a scaled copy of x / on zeroed gradients; a
 * long-K forward (sliced over the pool) at 1, 2 and 3 threads, bit for bit. */
#include "nn_check.h"
#include <stdlib.h>
#include <string.h>

static void scale_copy(cv_tensor *dst, const cv_tensor *src, float s) {
  const float *a = cv_tensor_f32(src);
  float *d = cv_tensor_f32(dst);
  for (int64_t i = 0; i < src->numel; i++) d[i] = a[i] * s;
}

static void one(int N, int K, int M, float s, int with_bias) {
  cv_tensor x = tz(2, N, K), xs = tlike(&x), w = tz(2, K, M), b = tz(1, M), r = tz(2, N, M);
  tfill_uniform(&x, 0, 255); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1); tfill_uniform(&r, -1, 1);
  scale_copy(&xs, &x, s);
  cv_tensor *bp = with_bias ? &b : NULL;
  /* sums of K products of |s x| <= 255|s|: float rounding grows with K and the magnitude */
  double atol = 1e-5 + 1e-6 * K * 255 * fabs((double)s) + 1e-6 * N;
  cv_dense_params p = {s, 0};
  cv_tensor y = tlike(&r), y2 = tlike(&r), y3 = tlike(&r);
  CHECK(cv_dense_forward_ex(&y, &x, &w, bp, &p, NULL) == CV_OK, "forward_ex: %s", cv_last_error());
  CHECK(cv_dense_forward_ex_ref(&y2, &x, &w, bp, &p) == CV_OK, "forward_ex_ref");
  CHECK(cv_dense_forward(&y3, &xs, &w, bp) == CV_OK, "forward on the scaled copy");
  CHECK(tclose(&y, &y2, atol, 1e-4) <= 1, "%dx%dx%d scale %g: forward_ex vs ref", N, K, M, (double)s);
  CHECK(tclose(&y, &y3, atol, 1e-4) <= 1, "%dx%dx%d scale %g: forward_ex vs scaled copy", N, K, M, (double)s);

  /* overwrite: stale gradients are replaced, equal to accumulating into zeros */
  for (int ow = 0; ow < 2; ow++) {
    cv_tensor dx = tlike(&x), dx2 = tlike(&x), dw = tlike(&w), dw2 = tlike(&w), dw3 = tlike(&w);
    cv_tensor db = tlike(&b), db2 = tlike(&b), db3 = tlike(&b), dx3 = tlike(&x);
    tfill_uniform(&dw, -1, 1); tcopy(&dw2, &dw); tfill_uniform(&db, -1, 1); tcopy(&db2, &db);
    if (ow) { tcopy(&dw3, &dw); tcopy(&db3, &db); }
    else { tcopy(&dw3, &dw); tcopy(&db3, &db); }
    cv_dense_params q = {s, ow};
    CHECK(cv_dense_backward_ex(&dx, &dw, &db, &r, &x, &w, &q, NULL) == CV_OK, "backward_ex: %s", cv_last_error());
    CHECK(cv_dense_backward_ex_ref(&dx2, &dw2, &db2, &r, &x, &w, &q) == CV_OK, "backward_ex_ref");
    if (ow) { memset(cv_tensor_f32(&dw3), 0, (size_t)dw3.numel * 4); memset(cv_tensor_f32(&db3), 0, (size_t)db3.numel * 4); }
    CHECK(cv_dense_backward(&dx3, &dw3, &db3, &r, &xs, &w) == CV_OK, "backward on the scaled copy");
    /* the plain dx is with respect to the scaled input; the folded one with respect to x */
    scale_copy(&dx3, &dx3, s);
    CHECK(tclose(&dx, &dx2, atol, 1e-4) <= 1, "%dx%dx%d ow %d: dx vs ref", N, K, M, ow);
    CHECK(tclose(&dw, &dw2, atol, 1e-4) <= 1, "%dx%dx%d ow %d: dw vs ref", N, K, M, ow);
    CHECK(tclose(&db, &db2, atol, 1e-4) <= 1, "%dx%dx%d ow %d: db vs ref", N, K, M, ow);
    CHECK(tclose(&dx, &dx3, atol, 1e-4) <= 1, "%dx%dx%d ow %d: dx vs scaled copy", N, K, M, ow);
    CHECK(tclose(&dw, &dw3, atol, 1e-4) <= 1, "%dx%dx%d ow %d: dw vs scaled copy", N, K, M, ow);
    CHECK(tclose(&db, &db3, atol, 1e-4) <= 1, "%dx%dx%d ow %d: db vs scaled copy", N, K, M, ow);
    cv_tensor *all[] = {&dx, &dx2, &dx3, &dw, &dw2, &dw3, &db, &db2, &db3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
  }
  /* the default options are the plain kernels, bit for bit */
  CHECK(cv_dense_forward_ex(&y, &xs, &w, bp, NULL, NULL) == CV_OK && cv_dense_forward(&y2, &xs, &w, bp) == CV_OK,
        "default options");
  CHECK(memcmp(cv_tensor_f32(&y), cv_tensor_f32(&y2), (size_t)y.numel * 4) == 0, "default = plain forward");
  cv_tensor *all[] = {&x, &xs, &w, &b, &r, &y, &y2, &y3};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

static void threads_alike(void) {
  cv_tensor x = tz(2, 32, 4800), w = tz(2, 4800, 55), b = tz(1, 55), y1 = tz(2, 32, 55), y = tlike(&y1);
  cv_tensor g = tlike(&y1), dw1 = tlike(&w), dw = tlike(&w), db1 = tlike(&b), db = tlike(&b);
  tfill_uniform(&x, 0, 255); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1); tfill_uniform(&g, -1, 1);
  cv_dense_params p = {1.0f / 255, 0}, po = {1.0f / 255, 1};
  for (int t = 1; t <= 3; t++) {
    cv_set_num_threads(t);
    CHECK(cv_dense_forward_ex(t == 1 ? &y1 : &y, &x, &w, &b, &p, NULL) == CV_OK, "forward at %d threads", t);
    /* the dW 4800 x 55 x 32: row blocks over the pool, the AVX2 kernel's 8-wide last panel */
    CHECK(cv_dense_backward_ex(NULL, t == 1 ? &dw1 : &dw, t == 1 ? &db1 : &db, &g, &x, &w, &po, NULL) == CV_OK,
          "backward at %d threads", t);
    if (t > 1) {
      CHECK(memcmp(cv_tensor_f32(&y), cv_tensor_f32(&y1), (size_t)y.numel * 4) == 0,
            "forward at %d threads equals 1 thread bit for bit", t);
      CHECK(memcmp(cv_tensor_f32(&dw), cv_tensor_f32(&dw1), (size_t)dw.numel * 4) == 0,
            "dw at %d threads equals 1 thread bit for bit", t);
    }
  }
  cv_set_num_threads(1);
  cv_tensor *all[] = {&x, &w, &b, &y1, &y, &g, &dw1, &dw, &db1, &db};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

/* wrong gradient outputs are refused with a message naming them */
static void messages(void) {
  int64_t sx[2] = {4, 6}, sw[2] = {6, 3}, sy[2] = {4, 3}, sb[1] = {2};
  cv_tensor x, w, dy, dw, db;
  cv_tensor_alloc(&x, CV_FLOAT32, 2, sx); cv_tensor_alloc(&w, CV_FLOAT32, 2, sw);
  cv_tensor_alloc(&dy, CV_FLOAT32, 2, sy); cv_tensor_alloc(&dw, CV_FLOAT32, 2, sw);
  cv_tensor_alloc(&db, CV_FLOAT32, 1, sb);
  CHECK(cv_dense_backward(NULL, &dw, &db, &dy, &x, &w) == CV_ESHAPE &&
        strcmp(cv_last_error(), "dense_backward: db has 2 elements, expected 3 (one per unit)") == 0,
        "db size: %s", cv_last_error());
  CHECK(cv_dense_backward(NULL, &x, NULL, &dy, &x, &w) == CV_ESHAPE &&
        strcmp(cv_last_error(), "dense_backward: dw shape (4, 6) differs from w shape (6, 3)") == 0,
        "dw shape: %s", cv_last_error());
  cv_tensor_release(&x); cv_tensor_release(&w); cv_tensor_release(&dy);
  cv_tensor_release(&dw); cv_tensor_release(&db);
}

int main(void) {
  cv_rng_seed(11);
  messages();
  threads_alike();
  one(3, 5, 7, 1.0f / 255, 1);
  one(32, 300, 55, 1.0f / 255, 1);
  one(17, 64, 10, 0.5f, 0);
  one(33, 1100, 16, -2.0f, 1);   /* tall dW: split over row blocks */
  one(2, 4800, 55, 1.0f / 255, 1);
  one(32, 4800, 55, 1.0f / 255, 1);  /* K sliced: 4 slices over the pool */
  one(40, 2100, 13, 0.5f, 0);        /* 2 slices of uneven length */
  CTEST_END("dense_ex");
}
