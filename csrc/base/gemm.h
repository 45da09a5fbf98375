/* gemm.h - the one matrix multiply of cvision, row-major, Darknet-style arguments:
 * C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C, op = transpose when ta/tb is nonzero.
 * Every layer goes through cv_gemm, which picks the AVX2 micro-kernel or OpenBLAS by shape alone
 * (both single-threaded: callers parallelise around it). cv_gemm_bias_act fuses a per-column bias
 * and ReLU into the store. cv_gemm_ref is the naive triple loop the tests compare them with. */
#ifndef CV_GEMM_H
#define CV_GEMM_H

#include "base/workspace.h"

/* A (M,K) or (K,M) if ta, B (K,N) or (N,K) if tb -> C (M,N); lda/ldb/ldc are row strides */
void cv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc);
/* the same with the packing scratch in ws (NULL: allocated for this call, as cv_gemm does) */
void cv_gemm_ws(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float beta, float *C, int ldc, cv_workspace *ws);
/* C (M,N) = relu?(op(A) op(B) + bias): bias (N) or NULL; relu 1 clamps at 0 (NaN -> 0);
 * scratch in ws (NULL: allocated for this call) */
void cv_gemm_bias_act(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                      int ldb, const float *bias, int relu, float *C, int ldc, cv_workspace *ws);
void cv_gemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc);

#endif
