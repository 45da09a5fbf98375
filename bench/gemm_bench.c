/* gemm_bench.c - GFLOP/s of cv_gemm (the shape dispatch of gemm.c), its AVX2 kernel alone and
 * OpenBLAS (cblas_sgemm, one thread) on the products the lecture's CNN and the Fashion-MNIST CNN
 * make: per sample as conv2d runs them, and as whole-batch products. Median of repeats.
 * Prints one line per shape: name M N K ta tb cv_gemm avx2 openblas ratio(cv_gemm/openblas). */
#include "cvision.h"
#include "base/gemm.h"
#include "base/cpu.h"
#include "simd/gemm_avx2.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef void (*gemm_fn)(int, int, int, int, int, float, const float *, int, const float *, int,
                        float, float *, int);

static void blas(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N,
              K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* median of 9 timings of `inner` back-to-back calls */
static double gflops(gemm_fn f, int ta, int tb, int M, int N, int K, const float *A,
                     const float *B, float *C, int inner) {
  enum { REPS = 9 };
  double t[REPS];
  int lda = ta ? M : K, ldb = tb ? K : N;
  f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
  for (int r = 0; r < REPS; r++) {
    double t0 = now();
    for (int i = 0; i < inner; i++) f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
    t[r] = (now() - t0) / inner;
  }
  qsort(t, REPS, sizeof(double), cmp);
  return 2.0 * M * N * K / t[REPS / 2] * 1e-9;
}

static void dispatched(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc) {
  cv_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

int main(void) {
  cv_set_num_threads(1);
  /* per-sample products are what conv2d runs (one image per GEMM, im2col in cache); the batch-32
   * ones are the same layers as one big product */
  struct { const char *name; int M, N, K, ta, tb; } s[] = {
    {"lecture conv1 fwd", 4800, 16, 9, 0, 0},
    {"lecture conv2 fwd", 1200, 32, 144, 0, 0},
    {"lecture conv3 fwd", 300, 64, 288, 0, 0},
    {"lecture conv1 dW", 9, 16, 4800, 1, 0},
    {"lecture conv2 dW", 144, 32, 1200, 1, 0},
    {"lecture conv3 dW", 288, 64, 300, 1, 0},
    {"lecture conv2 dX", 1200, 144, 32, 0, 1},
    {"lecture conv3 dX", 300, 288, 64, 0, 1},
    {"fashion conv1 fwd", 676, 32, 9, 0, 0},
    {"fashion conv2 fwd", 121, 64, 288, 0, 0},
    {"fashion conv2 dW", 288, 64, 121, 1, 0},
    {"fashion conv2 dX", 121, 288, 64, 0, 1},
    {"batch conv2 fwd", 38400, 32, 144, 0, 0},
    {"batch conv3 fwd", 9600, 64, 288, 0, 0},
    {"batch conv3 dW", 288, 64, 9600, 1, 0},
    {"batch conv3 dX", 9600, 288, 64, 0, 1},
    {"dense1 fwd", 32, 64, 960, 0, 0},
    {"dense1 dW", 960, 64, 32, 1, 0},
    {"logistic fwd", 32, 55, 4800, 0, 0},
    /* what the Dense layer runs for it: one of 4 K slices as y^T = w^T x^T (dense.c) */
    {"logistic fwd slice", 55, 32, 1200, 1, 1},
    {"logistic dW", 4800, 55, 32, 1, 0},
    {"square 512", 512, 512, 512, 0, 0},
  };
  if (!cv_cpu_avx2()) { printf("no AVX2/FMA: cv_gemm is OpenBLAS, nothing to compare\n"); return 0; }
  printf("%-19s %6s %4s %5s %2s %2s %8s %8s %8s %6s\n", "problem", "M", "N", "K", "tA", "tB",
         "cv_gemm", "avx2", "OpenBLAS", "ratio");
  for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
    size_t na = (size_t)s[i].M * s[i].K, nb = (size_t)s[i].K * s[i].N, nc = (size_t)s[i].M * s[i].N;
    float *A = malloc(na * 4), *B = malloc(nb * 4), *C = malloc(nc * 4);
    for (size_t j = 0; j < na; j++) A[j] = cv_rng_uniform();
    for (size_t j = 0; j < nb; j++) B[j] = cv_rng_uniform();
    /* repeat small products so each timing covers ~2 MFLOP at least */
    double fl = 2.0 * s[i].M * s[i].N * s[i].K;
    int inner = fl < 2e6 ? (int)(2e6 / fl) + 1 : 1;
    double g0 = gflops(dispatched, s[i].ta, s[i].tb, s[i].M, s[i].N, s[i].K, A, B, C, inner);
    double g1 = gflops(cv_gemm_avx2, s[i].ta, s[i].tb, s[i].M, s[i].N, s[i].K, A, B, C, inner);
    double g2 = gflops(blas, s[i].ta, s[i].tb, s[i].M, s[i].N, s[i].K, A, B, C, inner);
    printf("%-19s %6d %4d %5d %2d %2d %8.1f %8.1f %8.1f %6.2f\n", s[i].name, s[i].M, s[i].N, s[i].K,
           s[i].ta, s[i].tb, g0, g1, g2, g0 / g2);
    free(A); free(B); free(C);
  }
  return 0;
}
