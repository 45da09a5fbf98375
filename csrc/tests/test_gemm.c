/* test_gemm.c - cv_gemm (OpenBLAS) against the naive cv_gemm_ref on every transpose combination,
 * odd sizes, strided leading dimensions, alpha/beta, and K = 0; then the dense layer built on it:
 * fast vs _ref twin, accumulation, finite-difference gradients, rank-3 input, messages. */
#include "nn_check.h"
#include <stdlib.h>
#include <string.h>

static void one(int ta, int tb, int M, int N, int K, float alpha, float beta, int pad) {
  int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
  int arows = ta ? K : M, brows = tb ? N : K;
  float *A = malloc(sizeof(float) * (size_t)(arows * lda + 1));
  float *B = malloc(sizeof(float) * (size_t)(brows * ldb + 1));
  float *C1 = malloc(sizeof(float) * (size_t)(M * ldc + 1)), *C2 = malloc(sizeof(float) * (size_t)(M * ldc + 1));
  for (int i = 0; i < arows * lda; i++) A[i] = cv_rng_uniform() * 2 - 1;
  for (int i = 0; i < brows * ldb; i++) B[i] = cv_rng_uniform() * 2 - 1;
  for (int i = 0; i < M * ldc; i++) C1[i] = C2[i] = cv_rng_uniform() * 2 - 1;
  cv_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc);
  cv_gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);
  double worst = 0;
  for (int i = 0; i < M * ldc; i++) {
    double e = fabs((double)C1[i] - C2[i]) / (1e-5 + 1e-5 * fabs((double)C2[i]) + 1e-6 * K);
    if (e > worst) worst = e;
  }
  CHECK(worst <= 1, "gemm ta%d tb%d M%d N%d K%d alpha %g beta %g pad %d: worst %g", ta, tb, M, N, K,
        (double)alpha, (double)beta, pad, worst);
  free(A); free(B); free(C1); free(C2);
}


typedef struct dense_ctx { cv_tensor *y, *x, *w, *b, *r; } dense_ctx;

static double dense_obj(void *vc) {
  dense_ctx *c = vc;
  cv_dense_forward_ref(c->y, c->x, c->w, c->b);
  return tdot(c->y, c->r);
}

static void dense_case(int N, int K, int M, int with_bias) {
  cv_tensor x = tz(2, N, K), w = tz(2, K, M), b = tz(1, M), y = tz(2, N, M), y2 = tlike(&y), r = tlike(&y);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1); tfill_uniform(&r, -1, 1);
  cv_tensor *bp = with_bias ? &b : NULL;
  CHECK(cv_dense_forward(&y, &x, &w, bp) == CV_OK, "dense %dx%dx%d: %s", N, K, M, cv_last_error());
  CHECK(cv_dense_forward_ref(&y2, &x, &w, bp) == CV_OK, "dense ref");
  CHECK(tclose(&y, &y2, 1e-5, 1e-4) <= 1, "dense %dx%dx%d forward vs ref", N, K, M);
  cv_tensor dx = tlike(&x), dx2 = tlike(&x), dw = tlike(&w), dw2 = tlike(&w), db = tlike(&b), db2 = tlike(&b);
  tfill_uniform(&dx, 7, 8); tfill_uniform(&dw, -1, 1); tcopy(&dw2, &dw); tfill_uniform(&db, -1, 1); tcopy(&db2, &db);
  CHECK(cv_dense_backward(&dx, &dw, &db, &r, &x, &w) == CV_OK, "dense backward");
  CHECK(cv_dense_backward_ref(&dx2, &dw2, &db2, &r, &x, &w) == CV_OK, "dense backward ref");
  CHECK(tclose(&dx, &dx2, 1e-5, 1e-4) <= 1, "dense %dx%dx%d dx vs ref", N, K, M);
  CHECK(tclose(&dw, &dw2, 1e-5, 1e-4) <= 1, "dense %dx%dx%d dw vs ref", N, K, M);
  CHECK(tclose(&db, &db2, 1e-5, 1e-4) <= 1, "dense %dx%dx%d db vs ref", N, K, M);
  cv_tensor gx = tlike(&x), gw = tlike(&w), gb = tlike(&b);
  cv_dense_backward(&gx, &gw, &gb, &r, &x, &w);
  dense_ctx c = {&y2, &x, &w, &b, &r};
  CHECK(fd_check("dense dx", dense_obj, &c, &x, &gx, 30, 1e-2, 1e-3, 1e-2) == 0, "dense dx finite differences");
  CHECK(fd_check("dense dw", dense_obj, &c, &w, &gw, 30, 1e-2, 1e-3, 1e-2) == 0, "dense dw finite differences");
  CHECK(fd_check("dense db", dense_obj, &c, &b, &gb, 30, 1e-2, 1e-3, 1e-2) == 0, "dense db finite differences");
  cv_tensor *all[] = {&x, &w, &b, &y, &y2, &r, &dx, &dx2, &dw, &dw2, &db, &db2, &gx, &gw, &gb};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

static void dense_misc(void) {
  /* rank-3 input: rows are the leading axes, as Keras' Dense */
  cv_tensor x = tz(3, 2, 3, 4), w = tz(2, 4, 5), y = tz(3, 2, 3, 5), x2 = tz(2, 6, 4), y2 = tz(2, 6, 5);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tcopy(&x2, &x);
  CHECK(cv_dense_forward(&y, &x, &w, NULL) == CV_OK, "dense rank 3: %s", cv_last_error());
  CHECK(cv_dense_forward(&y2, &x2, &w, NULL) == CV_OK, "dense rank 2");
  CHECK(tclose(&y, &y2, 1e-7, 1e-6) <= 1, "rank 3 equals flattened rows");
  cv_tensor bad = tz(2, 6, 3);
  CHECK(cv_dense_forward(&y2, &bad, &w, NULL) == CV_ESHAPE, "feature mismatch refused");
  CHECK(strcmp(cv_last_error(), "dense: x has 3 features but w expects 4 (x shape (6, 3), w shape (4, 5))") == 0,
        "message: %s", cv_last_error());
  cv_tensor *all[] = {&x, &w, &y, &x2, &y2, &bad};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

int main(void) {
  cv_rng_seed(7);
  int sizes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 1, 9}, {1, 13, 4}, {33, 31, 29}, {64, 48, 100}, {5, 5, 0}};
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        one(ta, tb, sizes[s][0], sizes[s][1], sizes[s][2], 1.0f, 0.0f, 0);
        one(ta, tb, sizes[s][0], sizes[s][1], sizes[s][2], 0.5f, 1.0f, 3);
        one(ta, tb, sizes[s][0], sizes[s][1], sizes[s][2], -2.0f, 0.25f, 1);
      }
  dense_case(1, 1, 1, 1);
  dense_case(5, 7, 3, 1);
  dense_case(8, 33, 10, 0);
  dense_case(1, 64, 17, 1);
  dense_misc();
  CTEST_END("gemm");
}
