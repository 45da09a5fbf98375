/* gemm_bench.c - GFLOP/s of cvision's AVX2 GEMM against OpenBLAS (cblas_sgemm, one thread) on
 * the products the lecture's CNN and the Fashion-MNIST CNN make at batch 32. Median of repeats.
 * Prints one line per shape: name M N K ta tb cvision_gflops openblas_gflops ratio. */
#include "cvision.h"
#include "gemm.h"
#include "cpu.h"
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

static double gflops(gemm_fn f, int ta, int tb, int M, int N, int K, const float *A,
                     const float *B, float *C, int reps) {
  double t[15];
  int lda = ta ? M : K, ldb = tb ? K : N;
  f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
    t[r] = now() - t0;
  }
  qsort(t, (size_t)reps, sizeof(double), cmp);
  return 2.0 * M * N * K / t[reps / 2] * 1e-9;
}

int main(void) {
  cv_set_num_threads(1);
  struct { const char *name; int M, N, K, ta, tb; } s[] = {
    {"conv1 fwd (lecture)", 153600, 16, 9, 0, 0},
    {"conv2 fwd (lecture)", 38400, 32, 144, 0, 0},
    {"conv3 fwd (lecture)", 9600, 64, 288, 0, 0},
    {"conv2 dW (lecture)", 144, 32, 38400, 1, 0},
    {"conv3 dW (lecture)", 288, 64, 9600, 1, 0},
    {"conv3 dX (lecture)", 9600, 288, 64, 0, 1},
    {"dense1 fwd (lecture)", 32, 64, 960, 0, 0},
    {"conv1 fwd (fashion)", 21632, 32, 9, 0, 0},
    {"conv2 fwd (fashion)", 3872, 64, 288, 0, 0},
    {"dense 32x960x64", 32, 64, 960, 0, 0},
  };
  if (!cv_cpu_avx2()) { printf("no AVX2/FMA: nothing to compare\n"); return 0; }
  printf("%-22s %7s %5s %6s %3s %3s %9s %9s %6s\n", "problem", "M", "N", "K", "tA", "tB",
         "cvision", "OpenBLAS", "ratio");
  for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
    size_t na = (size_t)s[i].M * s[i].K, nb = (size_t)s[i].K * s[i].N, nc = (size_t)s[i].M * s[i].N;
    float *A = malloc(na * 4), *B = malloc(nb * 4), *C = malloc(nc * 4);
    for (size_t j = 0; j < na; j++) A[j] = cv_rng_uniform();
    for (size_t j = 0; j < nb; j++) B[j] = cv_rng_uniform();
    int reps = 9;
    double g1 = gflops(cv_gemm_avx2, s[i].ta, s[i].tb, s[i].M, s[i].N, s[i].K, A, B, C, reps);
    double g2 = gflops(blas, s[i].ta, s[i].tb, s[i].M, s[i].N, s[i].K, A, B, C, reps);
    printf("%-22s %7d %5d %6d %3d %3d %9.1f %9.1f %6.2f\n", s[i].name, s[i].M, s[i].N, s[i].K,
           s[i].ta, s[i].tb, g1, g2, g1 / g2);
    free(A); free(B); free(C);
  }
  return 0;
}
