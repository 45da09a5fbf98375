/* gemm.c - cv_gemm: the dispatch table's micro-kernel (base/dispatch.h; simd/gemm_avx2.c) for
 * the skinny products of convolutions, where it beats OpenBLAS, and OpenBLAS' cblas_sgemm for the
 * rest (and for everything on the portable table); the choice depends on the shape only (measured with bench/gemm_bench.c, see bench/NOTES.md), never on
 * timing, so results are reproducible. Large products are split by rows over the thread pool.
 * cv_gemm_ref is the naive twin (see gemm.h). */
#include "base/gemm.h"
#include "base/dispatch.h"
#include "base/threadpool.h"
#include <cblas.h>

/* OpenBLAS is pinned to one thread when the pool first decides its size; make sure that has
 * happened before OpenBLAS runs (cv_get_num_threads is one atomic load after that), so OpenBLAS
 * never runs threads of its own beside ours */
static void sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc) {
  cv_get_num_threads();
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* the AVX2 kernel wins when few of its columns are padding: it computes 16-column panels and, when
 * N % 16 is 1..8, a last 8-column one (N = 55 computes 56); its row tiles (1..6 rows, split evenly)
 * waste none. OpenBLAS keeps N = 10 (16 computed), very few rows and wide products (N > 320).
 * Measured with bench/gemm_bench.c: at 8..48 rows and K 256..4800 the kernel led OpenBLAS by
 * 5-60% (a dense layer's forward at batch 32, 32 x 55 x 4800: 101 against 65 GFLOP/s) */
static int use_kernel(const cv_dispatch *t, int ta, int tb, int M, int N, int K) {
  (void)tb;
  int padded = N % 16 == 0 || N % 16 > 8 ? (N + 15) / 16 * 16 : N / 16 * 16 + 8;
  /* few rows are fine when A is transposed and K long (a first layer's dW: 9 x 16 x 4800) */
  return t->gemm && N <= 320 && (M >= 8 || (ta && K >= 1024)) && (padded - N) * 10 <= N;
}

static void fill_beta(int M, int N, float beta, float *C, int ldc, const float *bias, int relu) {
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      float v = beta == 0.0f ? 0.0f : beta * C[(long)i * ldc + j];
      if (bias) v += bias[j];
      C[(long)i * ldc + j] = relu && !(v > 0.0f) ? 0.0f : v;
    }
}

/* one product on the calling thread: the table's kernel or OpenBLAS, then the epilogue */
static void gemm1(const cv_dispatch *t, int ta, int tb, int M, int N, int K, float alpha,
                  const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc,
                  const float *bias, int relu, cv_workspace *ws) {
  if (use_kernel(t, ta, tb, M, N, K)) {
    t->gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, relu, ws);
    return;
  }
  sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  if (bias || relu) fill_beta(M, N, 1.0f, C, ldc, bias, relu);
}

typedef struct gemm_job {
  const cv_dispatch *t;
  int ta, tb, N, K, lda, ldb, ldc, relu;
  float alpha, beta;
  const float *A, *B, *bias;
  float *C;
  cv_workspace *ws;
} gemm_job;

/* rows [i0, i1) of C: rows of A, or columns of A when it is transposed */
static void gemm_rows(void *ctx, int64_t i0, int64_t i1) {
  gemm_job *j = ctx;
  const float *a = j->ta ? j->A + i0 : j->A + i0 * j->lda;
  gemm1(j->t, j->ta, j->tb, (int)(i1 - i0), j->N, j->K, j->alpha, a, j->lda, j->B, j->ldb, j->beta,
        j->C + i0 * j->ldc, j->ldc, j->bias, j->relu, j->ws);
}

/* Large, tall products (a dense layer's dW) are split into blocks of rows over the thread pool. The
 * blocks depend on the shape only, and each C element is computed whole inside one block, so
 * the result does not depend on the thread count. Inside a pool job this runs serially. */
static void gemm_split(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc, const float *bias,
                       int relu, cv_workspace *ws) {
  /* each block packs B again and may end in a partial tile, so blocks stay tall (512 rows or
   * more, a multiple of 48 = lcm of the 6-row tile and OpenBLAS' 16): a dense layer's dW, whose
   * rows are its inputs, is split; its forward at batch 32 runs whole */
  const cv_dispatch *t = cv_dispatch_get();  /* once per call: every block takes the same path */
  if ((int64_t)M * N * K < (1 << 20) || M < 1024) {
    gemm1(t, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, relu, ws);
    return;
  }
  int64_t grain = (M + 7) / 8;
  grain = (grain + 47) / 48 * 48;
  if (grain < 528) grain = 528;
  gemm_job j = {t, ta, tb, N, K, lda, ldb, ldc, relu, alpha, beta, A, B, bias, C, ws};
  cv_parallel_for(M, grain, gemm_rows, &j);
}

void cv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc) {
  cv_gemm_ws(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL);
}

void cv_gemm_ws(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float beta, float *C, int ldc, cv_workspace *ws) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  /* BLAS would leave C alone when K = 0 only if beta == 1; be explicit */
    fill_beta(M, N, beta, C, ldc, NULL, 0);
    return;
  }
  gemm_split(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL, 0, ws);
}

/* C (M,N) = act(op(A) op(B) + bias): beta 0, bias (N) or NULL, relu 0 or 1 */
void cv_gemm_bias_act(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                      int ldb, const float *bias, int relu, float *C, int ldc, cv_workspace *ws) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    fill_beta(M, N, 0.0f, C, ldc, bias, relu);
    return;
  }
  gemm_split(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc, bias, relu, ws);
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
