/* test_gemm_avx2.c - the AVX2 GEMM against cv_gemm_ref on random and awkward shapes, every
 * transpose combination, alpha/beta, and K larger than one K slice; every M, N, K of the edge
 * sizes (1, 5, 7, 17, 55, 63: row tiles of 1..6, the 8-wide last panel, B read in place at
 * M <= 64); the fused bias + ReLU store on partial panels; the dense layer's products. */
#include "cvision.h"
#include "base/gemm.h"
#include "base/cpu.h"
#include "simd/gemm_avx2.h"
#include "ctest.h"
#include <math.h>
#include <stdlib.h>

static float frand(void) { return cv_rng_uniform() * 2.0f - 1.0f; }

/* one product through cv_gemm_avx2_ex (bias and relu optional) against cv_gemm_ref plus the same
 * epilogue; lda/ldb/ldc padded; columns past N must stay untouched */
static void one(int ta, int tb, int M, int N, int K, float alpha, float beta, int bias, int relu) {
  int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
  size_t na = (size_t)lda * (ta ? K : M), nb = (size_t)ldb * (tb ? N : K), nc = (size_t)ldc * M;
  float *A = malloc(sizeof(float) * na), *B = malloc(sizeof(float) * nb);
  float *C1 = malloc(sizeof(float) * nc), *C2 = malloc(sizeof(float) * nc);
  float *bv = malloc(sizeof(float) * (size_t)N);
  for (size_t i = 0; i < na; i++) A[i] = frand();
  for (size_t i = 0; i < nb; i++) B[i] = frand();
  for (size_t i = 0; i < nc; i++) C1[i] = C2[i] = frand();
  for (int j = 0; j < N; j++) bv[j] = frand();
  cv_gemm_avx2_ex(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc, bias ? bv : NULL, relu, NULL);
  cv_gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);
  double worst = 0;
  int pad_ok = 1;
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) {
      float r = C2[(size_t)i * ldc + j] + (bias ? bv[j] : 0.0f);
      if (relu && !(r > 0.0f)) r = 0.0f;
      double d = fabs((double)C1[(size_t)i * ldc + j] - r);
      if (d > worst) worst = d;
    }
    for (int j = N; j < ldc; j++) pad_ok &= C1[(size_t)i * ldc + j] == C2[(size_t)i * ldc + j];
  }
  CHECK(worst <= 1e-5 * (K + 1), "ex M=%d N=%d K=%d ta=%d tb=%d alpha %g beta %g bias %d relu %d: max diff %g",
        M, N, K, ta, tb, (double)alpha, (double)beta, bias, relu, worst);
  CHECK(pad_ok, "ex M=%d N=%d K=%d ta=%d tb=%d: columns past N untouched", M, N, K, ta, tb);
  free(A); free(B); free(C1); free(C2); free(bv);
}

static void edge_sizes(void) {
  const int e[] = {1, 5, 7, 17, 55, 63};
  int n = 0;
  for (int mi = 0; mi < 6; mi++)
    for (int ni = 0; ni < 6; ni++)
      for (int ki = 0; ki < 6; ki++)
        for (int t = 0; t < 4; t++, n++) {
          float alpha = n % 3 == 0 ? 1.0f : -0.75f, beta = n % 5 == 0 ? 0.0f : (n % 5 < 3 ? 1.0f : 0.5f);
          one(t >> 1, t & 1, e[mi], e[ni], e[ki], alpha, beta, n % 7 == 0, n % 11 == 0);
        }
  /* the dense layer's products (logistic regression, batch 32) and the conv-shaped ones, with
   * more than one K slice and the fused epilogue */
  int big[][5] = {{55, 32, 1200, 1, 1}, {32, 55, 4800, 0, 0}, {4800, 55, 32, 1, 0}, {32, 55, 300, 0, 1},
                  {121, 288, 64, 0, 1}, {300, 288, 64, 0, 1}, {32, 64, 960, 0, 0}, {64, 136, 520, 0, 0},
                  {65, 24, 257, 1, 0}, {9, 16, 4800, 1, 0},
                  /* A of 1 MiB or more, not transposed: the prefetching tiles */
                  {1103, 23, 300, 0, 0}, {1103, 23, 300, 0, 1}};
  for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
    one(big[i][3], big[i][4], big[i][0], big[i][1], big[i][2], 1.0f, 0.0f, 0, 0);
    one(big[i][3], big[i][4], big[i][0], big[i][1], big[i][2], 0.5f, 1.0f, 1, 1);
  }
}

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
  edge_sizes();
  CTEST_END("gemm_avx2");
}
