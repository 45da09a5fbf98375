/* gemm_avx2.h - the AVX2/FMA single-precision GEMM micro-kernel path. Reached through the AVX2
 * dispatch table (base/dispatch.h), which is chosen only on CPUs with AVX2 and FMA; tests may
 * call it directly when cv_cpu_avx2() says so. Same contract as cv_gemm in gemm.h. */
#ifndef CV_GEMM_AVX2_H
#define CV_GEMM_AVX2_H

#include "base/workspace.h"
#include <stddef.h>

/* A (M,K) or (K,M) if ta, B (K,N) or (N,K) if tb -> C (M,N) = alpha*op(A)op(B) + beta*C */
void cv_gemm_avx2(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);

/* the same, then C = max(C + bias[col], 0) (bias NULL: none; relu 0: no clamp), in the store;
 * B's packed panels in ws (slot CV_WS_GEMM_PACK; NULL: allocated for this call) */
void cv_gemm_avx2_ex(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc, const float *bias, int relu,
                     cv_workspace *ws);

/* Implicit-GEMM convolution of one sample, stride 1, no im2col (nn/conv/conv_implicit.c):
 * xp (Hp,Wp,C) is the zero-padded input, Hp = OH+KH-1, Wp = OW+KW-1; aoff[q] the offset of output
 * pixel q's window ((oh*Wp + ow)*C), koff[k] that of kernel element k = (kh*KW + kw)*C + c inside
 * a window (kh*Wp*C + kw*C + c); bpacked the weights (K,F) packed by cv_gemm_avx2_pack.
 * y (P,F) = relu?(conv + bias). */
size_t cv_gemm_avx2_packed_size(int K, int N);
void cv_gemm_avx2_pack(float *dst, const float *B, int ldb, int K, int N);
void cv_conv_implicit_avx2(float *y, const float *xp, const int *aoff, int P, const int *koff, int K,
                           const float *bpacked, int F, const float *bias, int relu);
/* The weight gradient of the same convolution: dw (K,F) (= or += when accumulate) =
 * sum over q < P of xp[aoff[q] + koff[k]] * dz[q*F + f], where dz (P,F) = dy masked by ymask > 0
 * (the ReLU's gradient; ymask NULL: dz = dy); db (F) += the column sums of dz, row by row in
 * order, when db is not NULL. */
void cv_conv_dw_implicit_avx2(float *dw, float *db, int accumulate, const float *xp, const int *aoff,
                              int P, const int *koff, int K, const float *dy, const float *ymask, int F,
                              cv_workspace *ws);

#endif
