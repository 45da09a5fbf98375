/* gemm_avx2.h - the AVX2/FMA single-precision GEMM micro-kernel path (call only when
 * cv_cpu_avx2() says so). Same contract as cv_gemm in gemm.h. */
#ifndef CV_GEMM_AVX2_H
#define CV_GEMM_AVX2_H

/* A (M,K) or (K,M) if ta, B (K,N) or (N,K) if tb -> C (M,N) = alpha*op(A)op(B) + beta*C */
void cv_gemm_avx2(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);

/* the same, then C = max(C + bias[col], 0) (bias NULL: none; relu 0: no clamp), in the store */
void cv_gemm_avx2_ex(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc, const float *bias, int relu);

#endif
