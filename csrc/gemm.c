/* gemm.c - cv_gemm over OpenBLAS' cblas_sgemm, and its naive twin (see gemm.h). */
#include "gemm.h"
#include <cblas.h>

void cv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  /* BLAS would leave C alone when K = 0 only if beta == 1; be explicit */
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) C[(long)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(long)i * ldc + j];
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* A (M,K) or (K,M) if ta, B (K,N) or (N,K) if tb -> C (M,N); double accumulator */
void cv_gemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc) {
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) {
      double acc = 0.0;
      for (int k = 0; k < K; k++) {
        float a = ta ? A[(long)k * lda + i] : A[(long)i * lda + k];
        float b = tb ? B[(long)j * ldb + k] : B[(long)k * ldb + j];
        acc += (double)a * b;
      }
      float *c = &C[(long)i * ldc + j];
      *c = (float)(alpha * acc + (beta == 0.0f ? 0.0 : (double)beta * *c));
    }
  }
}
