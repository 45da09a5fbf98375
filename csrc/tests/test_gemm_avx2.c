/* test_gemm_avx2.c - the AVX2 GEMM against cv_gemm_ref on random and awkward shapes, every
 * transpose combination, alpha/beta, and K larger than one K slice. */
#include "cvision.h"
#include "gemm.h"
#include "cpu.h"
#include "simd/gemm_avx2.h"
#include "ctest.h"
#include <stdlib.h>

static float frand(void) { return cv_rng_uniform() * 2.0f - 1.0f; }

int main(void) {
  if (!cv_cpu_avx2()) {
    printf("no AVX2/FMA on this CPU: the portable path is the only one\n");
    CHECK(1, "skipped");
    CTEST_END("gemm_avx2");
  }
  cv_rng_seed(7);
  int shapes[][3] = {{1, 1, 1}, {6, 16, 9}, {7, 17, 3}, {5, 15, 300}, {100, 64, 288},
                     {13, 33, 257}, {96, 16, 9}, {97, 48, 520}, {2, 200, 1}, {64, 960, 32}};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
        float *A = malloc(sizeof(float) * (size_t)lda * (ta ? K : M));
        float *B = malloc(sizeof(float) * (size_t)ldb * (tb ? N : K));
        float *C1 = malloc(sizeof(float) * (size_t)ldc * M), *C2 = malloc(sizeof(float) * (size_t)ldc * M);
        for (int i = 0; i < lda * (ta ? K : M); i++) A[i] = frand();
        for (int i = 0; i < ldb * (tb ? N : K); i++) B[i] = frand();
        for (int i = 0; i < ldc * M; i++) C1[i] = C2[i] = frand();
        float alpha = s % 2 ? 1.0f : 0.5f, beta = s % 3 == 0 ? 0.0f : (s % 3 == 1 ? 1.0f : -0.25f);
        cv_gemm_avx2(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc);
        cv_gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);
        double worst = 0;
        int pad_ok = 1;
        for (int i = 0; i < M; i++) {
          for (int j = 0; j < N; j++) {
            double d = C1[i * ldc + j] - C2[i * ldc + j];
            if (d < 0) d = -d;
            if (d > worst) worst = d;
          }
          for (int j = N; j < ldc; j++) pad_ok &= C1[i * ldc + j] == C2[i * ldc + j];
        }
        CHECK(worst <= 1e-4 * (K + 1), "M=%d N=%d K=%d ta=%d tb=%d: max diff %g", M, N, K, ta, tb, worst);
        CHECK(pad_ok, "M=%d N=%d K=%d: columns past N untouched", M, N, K);
        free(A); free(B); free(C1); free(C2);
      }
  CTEST_END("gemm_avx2");
}
