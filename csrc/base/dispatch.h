/* dispatch.h - the SIMD dispatch table: one struct of kernel entry points per instruction set
 * (the kernels live in csrc/simd/, in files named *_avx2.c, the only ones compiled with -mavx2),
 * chosen once, on first use and thread-safely, from CPU detection (base/cpu.h). CVISION_SIMD=0
 * in the environment forces the portable table; cv_cpu_force_portable switches tables at run
 * time (tests compare the paths). Layer code never checks the CPU: it asks cv_dispatch_get()
 * once per call and goes through the table it got. An entry is NULL where a table has no kernel
 * of that kind, and the caller then runs its portable code (OpenBLAS for products, im2col + GEMM
 * for convolutions, C loops for pooling and Adam); the fast kernels keep their preconditions
 * (shapes, C % 8), checked by the callers. Room is left for an AVX-512 table (named "avx512",
 * tried before AVX2). */
#ifndef CV_DISPATCH_H
#define CV_DISPATCH_H

#include "base/workspace.h"
#include <stddef.h>
#include <stdint.h>

typedef struct cv_dispatch {
  const char *name;  /* "avx2+fma" or "portable" (cv_cpu_path) */

  /* GEMM micro-kernel, the contract of cv_gemm_avx2_ex (simd/gemm_avx2.h): C = alpha op(A) op(B)
   * + beta C, then + bias and ReLU in the store; NULL: OpenBLAS does every product */
  void (*gemm)(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc, const float *bias, int relu,
               cv_workspace *ws);
  /* the micro-kernel's packed B, and the implicit-GEMM convolution and its dW over a padded
   * sample (simd/gemm_avx2.h); conv_implicit NULL: every convolution runs im2col + cv_gemm */
  size_t (*gemm_packed_size)(int K, int N);
  void (*gemm_pack)(float *dst, const float *B, int ldb, int K, int N);
  void (*conv_implicit)(float *y, const float *xp, const int *aoff, int P, const int *koff, int K,
                        const float *bpacked, int F, const float *bias, int relu);
  void (*conv_dw_implicit)(float *dw, float *db, int accumulate, const float *xp, const int *aoff,
                           int P, const int *koff, int K, const float *dy, const float *ymask, int F,
                           cv_workspace *ws);

  /* Winograd F(2x2,3x3) / F(3x3,2x2) for 3x3 stride-1 convolutions, C and F multiples of 8
   * (simd/winograd_avx2.h); wino_conv NULL: the direct paths */
  size_t (*wino_packed_size)(int C, int F);
  void (*wino_pack)(float *u, float *tmp, const float *w, int C, int F);
  int (*wino_padded)(int out);
  int (*wino_conv)(float *y, const float *xp, int Wp, int C, int OH, int OW, const float *u, int F,
                   const float *bias, int relu, cv_workspace *ws);
  size_t (*wino_dw_size)(int C, int F);
  int (*wino_dw_acc)(float *m, const float *xp, int Wp, int C, int OH, int OW, const float *dy,
                     const float *ymask, int F, float *db, cv_workspace *ws);
  void (*wino_dw_finish)(float *dw, const float *m, int C, int F);

  /* max pooling of one sample whose windows lie inside the image, C % 8 == 0
   * (simd/pool_avx2.h); NULL: pool.c's loops */
  void (*maxpool_fwd)(float *y, uint8_t *a, const float *x, int64_t W, int64_t C, int64_t OH,
                      int64_t OW, int ph, int pw, int sh, int sw);
  void (*maxpool_bwd)(float *dx, const float *dy, const uint8_t *a, int64_t W, int64_t C,
                      int64_t OH, int64_t OW, int ph, int pw, int sh, int sw);

  /* Adam's update, bit-identical to optim.c's loop (simd/optim_avx2.h); NULL: that loop */
  void (*adam)(float *p, const float *g, float *m, float *v, int64_t n, float a, float b1, float b2,
               float eps);
} cv_dispatch;

/* the table in use: the detected one, or the portable one when forced (never NULL). A kernel
 * reads it once per call and uses that pointer throughout, so a switch mid-call is harmless. */
const cv_dispatch *cv_dispatch_get(void);
/* the table CPU detection chose (CVISION_SIMD=0: the portable one), whatever is forced now */
const cv_dispatch *cv_dispatch_detected(void);
/* the portable table (every kernel entry NULL) */
const cv_dispatch *cv_dispatch_portable(void);

#endif
