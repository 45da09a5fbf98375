/* test_gemm.c - cv_gemm (OpenBLAS) against the naive cv_gemm_ref on every transpose combination,
 * odd sizes, strided leading dimensions, alpha/beta, and K = 0. */
#include "nn_check.h"
#include <stdlib.h>

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
  CTEST_END("gemm");
}
