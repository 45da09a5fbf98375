/* gemm.h - the one matrix multiply of cvision, row-major, Darknet-style arguments:
 * C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C, op = transpose when ta/tb is nonzero.
 * Every layer goes through cv_gemm, so a later SIMD micro-kernel replaces one function.
 * cv_gemm_ref is the naive triple loop the tests compare it with. */
#ifndef CV_GEMM_H
#define CV_GEMM_H

/* A (M,K) or (K,M) if ta, B (K,N) or (N,K) if tb -> C (M,N); lda/ldb/ldc are row strides */
void cv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc);
void cv_gemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc);

#endif
