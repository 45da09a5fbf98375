/* gemm_avx2.c - a packed 6x16 AVX2/FMA GEMM micro-kernel for the small and skinny products of
 * convolution layers (N = output channels 8..256, K = kernel volume 9..2304), where OpenBLAS
 * spends its time in setup. Blocking: K in slices of KC, B packed into zero-padded 16-column panels;
 * A is read in place through (row, k) strides, so transposed A costs no packing; edge tiles are
 * written from a scratch tile. Accumulation order over K is fixed: results do not depend on threading.
 * The same 6x16 tile also serves convolution without im2col (kernel_conv): its A rows and K steps
 * are read through offset tables into a padded image (cv_conv_implicit_avx2, cv_conv_dw_implicit_avx2). */
#include "gemm_avx2.h"
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define MR 6
#define NR 16
#define KC 256
#define MC 120 /* rows of A per block, so an A block (MC x KC) stays in L2 (multiple of MR) */

typedef struct { float *buf; size_t cap; } scratch;
static _Thread_local scratch packB;

static float *grow(scratch *s, size_t n) {
  if (s->cap < n) {
    free(s->buf);
    s->buf = aligned_alloc(64, ((n * sizeof(float)) + 63) & ~(size_t)63);
    s->cap = s->buf ? n : 0;
  }
  return s->buf;
}

/* op(B)[k0:k0+kc, 0:N] -> panels of NR columns, each kc x NR, zero-padded */
static void pack_b(float *dst, int tb, const float *B, int ldb, int k0, int kc, int N) {
  for (int j0 = 0; j0 < N; j0 += NR) {
    int nr = N - j0 < NR ? N - j0 : NR;
    for (int k = 0; k < kc; k++) {
      float *d = dst + (size_t)k * NR;
      if (!tb && nr == NR) {
        const float *s = B + (size_t)(k0 + k) * ldb + j0;
        _mm256_store_ps(d, _mm256_loadu_ps(s));
        _mm256_store_ps(d + 8, _mm256_loadu_ps(s + 8));
      } else if (!tb) {
        const float *s = B + (size_t)(k0 + k) * ldb + j0;
        int j = 0;
        for (; j < nr; j++) d[j] = s[j];
        for (; j < NR; j++) d[j] = 0.0f;
      } else {
        int j = 0;
        for (; j < nr; j++) d[j] = B[(size_t)(j0 + j) * ldb + k0 + k];
        for (; j < NR; j++) d[j] = 0.0f;
      }
    }
    dst += (size_t)kc * NR;
  }
}

/* c (MR x NR tile, row stride ldc) = alpha * a_strip . b_panel + beta_c * c; first slice uses
 * the caller's beta, later slices accumulate (beta 1). */
static void kernel_6x16(int kc, const float *a, size_t rs, size_t ks, const float *b, float *c,
                        int ldc, int mr, int nr, float alpha, float beta, const float *bias, int relu) {
  /* rows past mr repeat row 0: their results are computed and dropped, never read out of bounds */
  const float *a0p = a, *a1p = a + (mr > 1 ? rs : 0), *a2p = a + (mr > 2 ? 2 * rs : 0);
  const float *a3p = a + (mr > 3 ? 3 * rs : 0), *a4p = a + (mr > 4 ? 4 * rs : 0);
  const float *a5p = a + (mr > 5 ? 5 * rs : 0);
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int k = 0; k < kc; k++) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    size_t o = (size_t)k * ks;
    /* one broadcast register at a time: 12 accumulators + 2 B + 1 A = 15 ymm, no spills */
    __m256 av = _mm256_broadcast_ss(a0p + o);
    c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a1p + o);
    c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a2p + o);
    c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a3p + o);
    c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a4p + o);
    c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a5p + o);
    c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
    b += NR;
  }
  __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta), zero = _mm256_setzero_ps();
  if (mr == MR && nr == NR) {
    __m256 b0 = bias ? _mm256_loadu_ps(bias) : zero, b1 = bias ? _mm256_loadu_ps(bias + 8) : zero;
    for (int r = 0; r < MR; r++) {
      float *cr = c + (size_t)r * ldc;
      __m256 x0 = _mm256_mul_ps(acc[r][0], va), x1 = _mm256_mul_ps(acc[r][1], va);
      if (beta != 0.0f) {
        x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), x0);
        x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), x1);
      }
      if (bias) { x0 = _mm256_add_ps(x0, b0); x1 = _mm256_add_ps(x1, b1); }
      if (relu) { x0 = _mm256_max_ps(x0, zero); x1 = _mm256_max_ps(x1, zero); }
      _mm256_storeu_ps(cr, x0);
      _mm256_storeu_ps(cr + 8, x1);
    }
    return;
  }
  float tile[MR * NR] __attribute__((aligned(32)));
  for (int r = 0; r < MR; r++) {
    _mm256_store_ps(tile + r * NR, _mm256_mul_ps(acc[r][0], va));
    _mm256_store_ps(tile + r * NR + 8, _mm256_mul_ps(acc[r][1], va));
  }
  for (int r = 0; r < mr; r++) {
    float *cr = c + (size_t)r * ldc;
    for (int j = 0; j < nr; j++) {
      float v = tile[r * NR + j] + (beta != 0.0f ? beta * cr[j] : 0.0f);
      if (bias) v += bias[j];
      cr[j] = relu && !(v > 0.0f) ? 0.0f : v;  /* max(v, 0) as _mm256_max_ps: NaN becomes 0 */
    }
  }
}

void cv_gemm_avx2(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc) {
  cv_gemm_avx2_ex(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL, 0);
}

/* the same with the epilogue C = relu?(C + bias[col]) fused into the last K slice's store */
void cv_gemm_avx2_ex(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc, const float *bias, int relu) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) {
        float v = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
        if (bias) v += bias[j];
        C[(size_t)i * ldc + j] = relu && !(v > 0.0f) ? 0.0f : v;
      }
    return;
  }
  int npanels = (N + NR - 1) / NR;
  int kcmax = K < KC ? K : KC;
  float *pb = grow(&packB, (size_t)npanels * NR * kcmax);
  if (!pb) {  /* out of memory: the plain loop is still right */
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) {
        float acc = 0.0f;
        for (int k = 0; k < K; k++)
          acc += (ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]) *
                 (tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j]);
        float v = alpha * acc + (beta != 0.0f ? beta * C[(size_t)i * ldc + j] : 0.0f);
        if (bias) v += bias[j];
        C[(size_t)i * ldc + j] = relu && !(v > 0.0f) ? 0.0f : v;
      }
    return;
  }
  /* A is read in place: element (i,k) of op(A) is at A[i*rs + k*ks] */
  size_t rs = ta ? 1 : (size_t)lda, ks = ta ? (size_t)lda : 1;
  for (int k0 = 0; k0 < K; k0 += KC) {
    int kc = K - k0 < KC ? K - k0 : KC;
    float bet = k0 == 0 ? beta : 1.0f;
    int last = k0 + kc >= K;
    pack_b(pb, tb, B, ldb, k0, kc, N);
    for (int i0 = 0; i0 < M; i0 += MC) {
      int mc = M - i0 < MC ? M - i0 : MC;
      for (int p = 0; p < npanels; p++) {
        int j0 = p * NR, nr = N - j0 < NR ? N - j0 : NR;
        const float *bp = pb + (size_t)p * kc * NR;
        for (int r0 = 0; r0 < mc; r0 += MR) {
          int mr = mc - r0 < MR ? mc - r0 : MR;
          const float *a = A + (size_t)(i0 + r0) * rs + (size_t)k0 * ks;
          kernel_6x16(kc, a, rs, ks, bp, C + (size_t)(i0 + r0) * ldc + j0, ldc, mr, nr, alpha, bet,
                      last && bias ? bias + j0 : NULL, last && relu);
        }
      }
    }
  }
}

/* ---- implicit-GEMM convolution (no im2col) ------------------------------------------------ */

size_t cv_gemm_avx2_packed_size(int K, int N) {
  return (size_t)((N + NR - 1) / NR) * NR * (size_t)K;
}

/* the implicit-GEMM slices of K: equal lengths of at most KCMAX (a B panel of 384 x 16 floats,
 * 24 KiB, stays in L1), so K = 288 is one slice and 576 two, never a short tail */
#define KCMAX 384
static int slice_len(int K) {
  int n = (K + KCMAX - 1) / KCMAX;
  return n > 0 ? (K + n - 1) / n : 1;
}

/* B (K,N) -> every K slice packed as pack_b does, slice after slice */
void cv_gemm_avx2_pack(float *dst, const float *B, int ldb, int K, int N) {
  size_t np = (size_t)((N + NR - 1) / NR);
  int KS = slice_len(K);
  for (int k0 = 0; k0 < K; k0 += KS) {
    int kc = K - k0 < KS ? K - k0 : KS;
    pack_b(dst + (size_t)k0 * np * NR, 0, B, ldb, k0, kc, N);
  }
}

/* c rows crow[0..5] (nr columns) (=, or += when accumulate) A . b over kc, where A row r starts at
 * arow[r] and its k-th element is at koff[k] (koff NULL: k*ks); then + bias and relu on request */
#define CONV_STEP(o)                                                                         \
  do {                                                                                       \
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);                               \
    __m256 av = _mm256_broadcast_ss(a0p + (o));                                              \
    c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);                  \
    av = _mm256_broadcast_ss(a1p + (o));                                                     \
    c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);                  \
    av = _mm256_broadcast_ss(a2p + (o));                                                     \
    c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);                  \
    av = _mm256_broadcast_ss(a3p + (o));                                                     \
    c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);                  \
    av = _mm256_broadcast_ss(a4p + (o));                                                     \
    c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);                  \
    av = _mm256_broadcast_ss(a5p + (o));                                                     \
    c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);                  \
    b += NR;                                                                                 \
  } while (0)

static void kernel_conv(int kc, const float *const arow[MR], const int *koff, size_t ks,
                        const float *b, float *const crow[MR], int mr, int nr, int accumulate,
                        const float *bias, int relu) {
  const float *a0p = arow[0], *a1p = arow[1], *a2p = arow[2], *a3p = arow[3], *a4p = arow[4];
  const float *a5p = arow[5];
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  if (koff)
    for (int k = 0; k < kc; k++) CONV_STEP((size_t)koff[k]);
  else
    for (int k = 0; k < kc; k++) CONV_STEP((size_t)k * ks);
  __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  __m256 zero = _mm256_setzero_ps();
  if (nr == NR) {
    __m256 bb0 = bias ? _mm256_loadu_ps(bias) : zero, bb1 = bias ? _mm256_loadu_ps(bias + 8) : zero;
    for (int r = 0; r < mr; r++) {
      float *cr = crow[r];
      __m256 x0 = acc[r][0], x1 = acc[r][1];
      if (accumulate) {
        x0 = _mm256_add_ps(_mm256_loadu_ps(cr), x0);
        x1 = _mm256_add_ps(_mm256_loadu_ps(cr + 8), x1);
      }
      if (bias) { x0 = _mm256_add_ps(x0, bb0); x1 = _mm256_add_ps(x1, bb1); }
      if (relu) { x0 = _mm256_max_ps(x0, zero); x1 = _mm256_max_ps(x1, zero); }
      _mm256_storeu_ps(cr, x0);
      _mm256_storeu_ps(cr + 8, x1);
    }
    return;
  }
  float tile[MR * NR] __attribute__((aligned(32)));
  for (int r = 0; r < MR; r++) {
    _mm256_store_ps(tile + r * NR, acc[r][0]);
    _mm256_store_ps(tile + r * NR + 8, acc[r][1]);
  }
  for (int r = 0; r < mr; r++) {
    float *cr = crow[r];
    for (int j = 0; j < nr; j++) {
      float v = tile[r * NR + j] + (accumulate ? cr[j] : 0.0f);
      if (bias) v += bias[j];
      cr[j] = relu && !(v > 0.0f) ? 0.0f : v;
    }
  }
}

void cv_conv_implicit_avx2(float *y, const float *xp, const int *aoff, int P, const int *koff, int K,
                           const float *bpacked, int F, const float *bias, int relu) {
  int npanels = (F + NR - 1) / NR, KS = slice_len(K);
  for (int k0 = 0; k0 < K; k0 += KS) {
    int kc = K - k0 < KS ? K - k0 : KS, last = k0 + kc >= K;
    const float *bslice = bpacked + (size_t)k0 * npanels * NR;
    for (int q0 = 0; q0 < P; q0 += MR) {
      int mr = P - q0 < MR ? P - q0 : MR;
      const float *arow[MR];
      for (int r = 0; r < MR; r++) arow[r] = xp + aoff[q0 + (r < mr ? r : 0)];
      for (int p = 0; p < npanels; p++) {
        int j0 = p * NR, nr = F - j0 < NR ? F - j0 : NR;
        float *crow[MR];
        for (int r = 0; r < mr; r++) crow[r] = y + (size_t)(q0 + r) * F + j0;
        kernel_conv(kc, arow, koff + k0, 0, bslice + (size_t)p * kc * NR, crow, mr, nr, k0 > 0,
                    last && bias ? bias + j0 : NULL, last && relu);
      }
    }
  }
}

/* dy[k0:k0+kc, 0:N] masked by ymask > 0 (ymask NULL: no mask) -> panels as pack_b; the packed
 * rows are added to db (N) in row order when db is given */
static void pack_b_masked(float *dst, const float *dy, const float *ymask, int ldb, int k0, int kc, int N,
                          float *db) {
  __m256 zero = _mm256_setzero_ps();
  for (int j0 = 0; j0 < N; j0 += NR) {
    int nr = N - j0 < NR ? N - j0 : NR;
    if (nr == NR) {
      __m256 s0 = db ? _mm256_loadu_ps(db + j0) : zero, s1 = db ? _mm256_loadu_ps(db + j0 + 8) : zero;
      for (int k = 0; k < kc; k++) {
        size_t o = (size_t)(k0 + k) * ldb + j0;
        __m256 v0 = _mm256_loadu_ps(dy + o), v1 = _mm256_loadu_ps(dy + o + 8);
        if (ymask) {
          v0 = _mm256_and_ps(v0, _mm256_cmp_ps(_mm256_loadu_ps(ymask + o), zero, _CMP_GT_OQ));
          v1 = _mm256_and_ps(v1, _mm256_cmp_ps(_mm256_loadu_ps(ymask + o + 8), zero, _CMP_GT_OQ));
        }
        _mm256_store_ps(dst + (size_t)k * NR, v0);
        _mm256_store_ps(dst + (size_t)k * NR + 8, v1);
        s0 = _mm256_add_ps(s0, v0);
        s1 = _mm256_add_ps(s1, v1);
      }
      if (db) { _mm256_storeu_ps(db + j0, s0); _mm256_storeu_ps(db + j0 + 8, s1); }
    } else {
      for (int k = 0; k < kc; k++) {
        size_t o = (size_t)(k0 + k) * ldb + j0;
        float *d = dst + (size_t)k * NR;
        int j = 0;
        for (; j < nr; j++) {
          d[j] = !ymask || ymask[o + j] > 0.0f ? dy[o + j] : 0.0f;
          if (db) db[j0 + j] += d[j];
        }
        for (; j < NR; j++) d[j] = 0.0f;
      }
    }
    dst += (size_t)kc * NR;
  }
}

void cv_conv_dw_implicit_avx2(float *dw, float *db, int accumulate, const float *xp, const int *aoff,
                              int P, const int *koff, int K, const float *dy, const float *ymask, int F) {
  int npanels = (F + NR - 1) / NR, KS = slice_len(P);
  float *pb = grow(&packB, (size_t)npanels * NR * KS);
  if (!pb) {  /* out of memory: the plain sums are still right */
    for (int f = 0; f < F && db; f++)
      for (int q = 0; q < P; q++)
        db[f] += !ymask || ymask[(size_t)q * F + f] > 0.0f ? dy[(size_t)q * F + f] : 0.0f;
    for (int k = 0; k < K; k++)
      for (int f = 0; f < F; f++) {
        float acc = accumulate ? dw[(size_t)k * F + f] : 0.0f;
        for (int q = 0; q < P; q++) {
          size_t o = (size_t)q * F + f;
          acc += xp[aoff[q] + koff[k]] * (!ymask || ymask[o] > 0.0f ? dy[o] : 0.0f);
        }
        dw[(size_t)k * F + f] = acc;
      }
    return;
  }
  for (int q0 = 0; q0 < P; q0 += KS) {
    int kc = P - q0 < KS ? P - q0 : KS;
    pack_b_masked(pb, dy, ymask, F, q0, kc, F, db);
    for (int i0 = 0; i0 < K; i0 += MR) {
      int mr = K - i0 < MR ? K - i0 : MR;
      const float *arow[MR];
      float *crow[MR];
      for (int r = 0; r < MR; r++) arow[r] = xp + koff[i0 + (r < mr ? r : 0)];
      for (int p = 0; p < npanels; p++) {
        int j0 = p * NR, nr = F - j0 < NR ? F - j0 : NR;
        for (int r = 0; r < mr; r++) crow[r] = dw + (size_t)(i0 + r) * F + j0;
        kernel_conv(kc, arow, aoff + q0, 0, pb + (size_t)p * kc * NR, crow, mr, nr,
                    accumulate || q0 > 0, NULL, 0);
      }
    }
  }
}
