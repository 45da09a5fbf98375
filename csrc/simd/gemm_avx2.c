/* gemm_avx2.c - a packed 6x16 AVX2/FMA GEMM micro-kernel for the small and skinny products of
 * convolution layers (N = output channels 8..256, K = kernel volume 9..2304), where OpenBLAS
 * spends its time in setup. Blocking: K in slices of KC, B packed into zero-padded 16-column panels;
 * A is read in place through (row, k) strides, so transposed A costs no packing; edge tiles are
 * written from a scratch tile. Accumulation order over K is fixed: results do not depend on threading.
 * The same 6x16 tile also serves convolution without im2col (kernel_conv): its A rows and K steps
 * are read through offset tables into a padded image (cv_conv_implicit_avx2, cv_conv_dw_implicit_avx2). */
#include "simd/gemm_avx2.h"
#include <immintrin.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MR 6
#define NR 16
#define KC 256
#ifndef INPLACE_M
#define INPLACE_M 64
#endif
#define MC 120 /* rows of A per block, so an A block (MC x KC) stays in L2 (multiple of MR) */

/* B's packed panels live in the caller's workspace (slot CV_WS_GEMM_PACK); ws NULL: out of
 * memory, the plain loops run */
static float *pack_buf(cv_workspace *ws, size_t n) {
  return ws ? cv_workspace_floats(ws, CV_WS_GEMM_PACK, n) : NULL;
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

/* ---- the GEMM path (cv_gemm_avx2, cv_gemm_avx2_ex) ----------------------------------------- */

/* op(B)[k0:k0+kc, 0:N] -> GEMM panels: 16 columns each, and when N % 16 is 1..8 a last panel of 8
 * (a 55-column product packs 16+16+16+8, not 64); panel j0 holds kc rows of its width w, zero
 * padded. Transposed B goes through 8x8 register transposes. */
static int panel_w(int N, int j0) { return N - j0 > 8 ? NR : 8; }

static void transpose8(float *d, int dw, const float *s, size_t ld) {
  __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ld), r2 = _mm256_loadu_ps(s + 2 * ld);
  __m256 r3 = _mm256_loadu_ps(s + 3 * ld), r4 = _mm256_loadu_ps(s + 4 * ld);
  __m256 r5 = _mm256_loadu_ps(s + 5 * ld), r6 = _mm256_loadu_ps(s + 6 * ld);
  __m256 r7 = _mm256_loadu_ps(s + 7 * ld);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_store_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_store_ps(d + dw, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_store_ps(d + 2 * dw, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_store_ps(d + 3 * dw, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_store_ps(d + 4 * dw, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_store_ps(d + 5 * dw, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_store_ps(d + 6 * dw, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_store_ps(d + 7 * dw, _mm256_permute2f128_ps(u3, u7, 0x31));
}

static void pack_gemm_b(float *dst, int tb, const float *B, int ldb, int k0, int kc, int N) {
  for (int j0 = 0; j0 < N; j0 += NR) {
    int w = panel_w(N, j0), nr = N - j0 < w ? N - j0 : w;
    if (!tb) {
      for (int k = 0; k < kc; k++) {
        const float *s = B + (size_t)(k0 + k) * ldb + j0;
        float *d = dst + (size_t)k * w;
        if (nr == w) {
          _mm256_store_ps(d, _mm256_loadu_ps(s));
          if (w == NR) _mm256_store_ps(d + 8, _mm256_loadu_ps(s + 8));
        } else {
          int j = 0;
          for (; j < nr; j++) d[j] = s[j];
          for (; j < w; j++) d[j] = 0.0f;
        }
      }
    } else {
      /* column j of the panel is row j0 + j of B: whole 8x8 blocks transposed, the rest copied */
      int j8 = nr / 8 * 8, k8 = kc / 8 * 8;
      for (int jb = 0; jb < j8; jb += 8)
        for (int k = 0; k < k8; k += 8)
          transpose8(dst + (size_t)k * w + jb, w, B + (size_t)(j0 + jb) * ldb + k0 + k, (size_t)ldb);
      for (int k = j8 < w ? 0 : k8; k < kc; k++) {  /* the columns and rows no block covered */
        float *d = dst + (size_t)k * w;
        int j = k < k8 ? j8 : 0;
        for (; j < nr; j++) d[j] = B[(size_t)(j0 + j) * ldb + k0 + k];
        for (; j < w; j++) d[j] = 0.0f;
      }
    }
    dst += (size_t)kc * w;
  }
}

/* where a tile goes: c (row stride ldc, nr columns) = alpha * product + beta * c, + bias, relu */
typedef struct tile_out {
  float *c;
  int ldc, nr;
  float alpha, beta;
  const float *bias;
  int relu;
} tile_out;

/* one tile: c (MRc rows x 8*NV columns, of which nr are stored; row stride ldc) = alpha * A.b +
 * beta * c, then + bias and relu; A row r, step k at a[r*rs + k*ks] (TA: rs == 1, so the rows are
 * constant offsets), b the packed panel (kc x 8*NV). MRc and NV are constants after inlining:
 * accumulators MRc*NV <= 12, no spills; every element sums its products in k order. */
static inline __attribute__((always_inline)) void
tile(const int MRc, const int NV, const int TA, const int PF, int kc, const float *a, size_t rs, size_t ks,
     const float *b, size_t bs, const tile_out *out) {
  /* alpha and beta come through memory: as float arguments they would hold two ymm registers
   * over the k loop, and the 13th accumulator would spill (a 40% slower tile) */
  /* named accumulators (an array of them made GCC spill one); rows past MRc are dead code */
  const float *ap0 = a, *ap1 = a + rs, *ap2 = a + 2 * rs, *ap3 = a + 3 * rs, *ap4 = a + 4 * rs;
  const float *ap5 = a + 5 * rs, *ap6 = a + 6 * rs, *ap7 = a + 7 * rs;
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00;
  __m256 c70 = c00, c71 = c00;
#define TILE_ROW(r)                                                                          \
  if (MRc > r) {                                                                             \
    __m256 av = _mm256_broadcast_ss(TA ? a + o + r : ap##r + o);                              \
    c##r##0 = _mm256_fmadd_ps(av, b0, c##r##0);                                              \
    if (NV > 1) c##r##1 = _mm256_fmadd_ps(av, b1, c##r##1);                                  \
  }
  /* A rows read in place stream from memory in big products (a batch of im2col rows): with a
   * long K each row's line two ahead is requested every 16 steps (with a short one the rows are
   * shorter than that distance and the next tile's rows are already on their way) */
#define TILE_PF(r) if (MRc > r) _mm_prefetch((const char *)(ap##r + o + 32), _MM_HINT_T0);
#define TILE_K_LOOP(PF)                                                                        \
  for (int k = 0; k < kc; k++) {                                                               \
    __m256 b0 = _mm256_loadu_ps(b), b1 = NV > 1 ? _mm256_loadu_ps(b + 8) : b0;                 \
    size_t o = (size_t)k * ks;                                                                 \
    if (PF && (k & 15) == 0) {                                                                 \
      TILE_PF(0) TILE_PF(1) TILE_PF(2) TILE_PF(3) TILE_PF(4) TILE_PF(5) TILE_PF(6) TILE_PF(7)  \
    }                                                                                          \
    TILE_ROW(0) TILE_ROW(1) TILE_ROW(2) TILE_ROW(3) TILE_ROW(4) TILE_ROW(5) TILE_ROW(6) TILE_ROW(7) \
    b += bs;                                                                                   \
  }
  TILE_K_LOOP(PF && !TA)
#undef TILE_K_LOOP
#undef TILE_PF
#undef TILE_ROW
  __m256 acc[8][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51},
                      {c60, c61}, {c70, c71}};
  float *c = out->c, alpha = out->alpha, beta = out->beta;
  const float *bias = out->bias;
  int ldc = out->ldc, nr = out->nr, relu = out->relu;
  __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta), zero = _mm256_setzero_ps();
  if (nr == 8 * NV) {
    __m256 b0 = bias ? _mm256_loadu_ps(bias) : zero;
    __m256 b1 = bias && NV > 1 ? _mm256_loadu_ps(bias + 8) : zero;
#pragma GCC unroll 8
    for (int r = 0; r < MRc; r++) {
      float *cr = c + (size_t)r * ldc;
      __m256 x0 = _mm256_mul_ps(acc[r][0], va), x1 = _mm256_mul_ps(acc[r][1], va);
      if (beta != 0.0f) {
        x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), x0);
        if (NV > 1) x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), x1);
      }
      if (bias) { x0 = _mm256_add_ps(x0, b0); x1 = _mm256_add_ps(x1, b1); }
      if (relu) { x0 = _mm256_max_ps(x0, zero); x1 = _mm256_max_ps(x1, zero); }
      _mm256_storeu_ps(cr, x0);
      if (NV > 1) _mm256_storeu_ps(cr + 8, x1);
    }
    return;
  }
  /* a partial panel: the first nr columns through masks (vector 0 holds columns 0..7) */
  const int32_t lanes[24] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                             0, 0, 0, 0, 0, 0, 0, 0};
  __m256i m0 = _mm256_loadu_si256((const __m256i *)(lanes + 16 - (nr < 8 ? nr : 8)));
  __m256i m1 = _mm256_loadu_si256((const __m256i *)(lanes + 16 - (nr > 8 ? nr - 8 : 0)));
  __m256 b0 = bias ? _mm256_maskload_ps(bias, m0) : zero;
  __m256 b1 = bias && NV > 1 ? _mm256_maskload_ps(bias + 8, m1) : zero;
#pragma GCC unroll 8
  for (int r = 0; r < MRc; r++) {
    float *cr = c + (size_t)r * ldc;
    __m256 x0 = _mm256_mul_ps(acc[r][0], va), x1 = _mm256_mul_ps(acc[r][1], va);
    if (beta != 0.0f) {
      x0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr, m0), x0);
      if (NV > 1) x1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr + 8, m1), x1);
    }
    if (bias) { x0 = _mm256_add_ps(x0, b0); x1 = _mm256_add_ps(x1, b1); }
    if (relu) { x0 = _mm256_max_ps(x0, zero); x1 = _mm256_max_ps(x1, zero); }
    _mm256_maskstore_ps(cr, m0, x0);
    if (NV > 1) _mm256_maskstore_ps(cr + 8, m1, x1);
  }
}

#define TILE_ARGS kc, a, rs, ks, b, bs, out
#define TILE_CASES(NV, TA, PF)                                                              \
  switch (mr) {                                                                              \
  case 1: tile(1, NV, TA, PF, TILE_ARGS); break;                                             \
  case 2: tile(2, NV, TA, PF, TILE_ARGS); break;                                             \
  case 3: tile(3, NV, TA, PF, TILE_ARGS); break;                                             \
  case 4: tile(4, NV, TA, PF, TILE_ARGS); break;                                             \
  case 5: tile(5, NV, TA, PF, TILE_ARGS); break;                                             \
  case 6: tile(6, NV, TA, PF, TILE_ARGS); break;                                             \
  case 7: if (NV == 1) tile(7, 1, TA, PF, TILE_ARGS); break;                                 \
  default: if (NV == 1) tile(8, 1, TA, PF, TILE_ARGS); break;                                \
  }

/* a tile of mr rows (1..6 for 16-wide panels, 1..8 for 8-wide ones) */
static void tile16(int mr, int kc, const float *a, size_t rs, size_t ks, const float *b, size_t bs,
                   const tile_out *out) {
  if (rs == 1) TILE_CASES(2, 1, 0) else TILE_CASES(2, 0, 0)
}
/* the same for A rows read in place over a long K (prefetching them, see tile) */
static void tile16_pf(int mr, int kc, const float *a, size_t rs, size_t ks, const float *b, size_t bs,
                      const tile_out *out) {
  TILE_CASES(2, 0, 1)
}
static void tile8(int mr, int kc, const float *a, size_t rs, size_t ks, const float *b, size_t bs,
                  const tile_out *out) {
  if (rs == 1) TILE_CASES(1, 1, 0) else TILE_CASES(1, 0, 0)
}
static void tile8_pf(int mr, int kc, const float *a, size_t rs, size_t ks, const float *b, size_t bs,
                     const tile_out *out) {
  TILE_CASES(1, 0, 1)
}

void cv_gemm_avx2(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc) {
  cv_gemm_avx2_ex(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL, 0, NULL);
}

/* rows [i0, i0+m) cut into n = ceil(m / most) tiles as even as possible: tile t starts at
 * i0 + t*q + min(t, r), q = m / n, r = m % n (no tile wasted on padding rows: 55 = 6*5 + 5*5) */
static int tiles(int m, int most) { return (m + most - 1) / most; }
static int tile_start(int m, int n, int t) { return t * (m / n) + (t < m % n ? t : m % n); }

/* the same with the epilogue C = relu?(C + bias[col]) fused into the last K slice's store.
 * Blocking: K in slices of KC (B slice packed once), rows in blocks of ~MC, then each panel
 * of B over the block's row tiles: 6-row tiles on 16-wide panels, 8-row tiles on the 8-wide one */
static void gemm_ex(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                    const float *B, int ldb, float beta, float *C, int ldc, const float *bias, int relu,
                    cv_workspace *ws) {
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
  float *pb = pack_buf(ws, (size_t)npanels * NR * kcmax);
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
  int nblocks = tiles(M, MC);
  /* with few rows, packing B costs more than it saves: B (not transposed) is then read in place,
   * every full panel straight from its rows; only a partial last panel (from column jpart) is packed */
  int inplace = !tb && M <= INPLACE_M;
  /* A rows are prefetched (tile16_pf) only when A is too big for L2 to hold from one call to the
   * next (>= 1 MiB, a batch of im2col rows); a per-sample product's A is already there */
  int stream = (size_t)M * K * sizeof(float) >= ((size_t)1 << 20);
  int jpart = N;
  for (int j0 = 0; j0 < N; j0 += NR)
    if (N - j0 < panel_w(N, j0)) jpart = j0;
  for (int k0 = 0; k0 < K; k0 += KC) {
    int kc = K - k0 < KC ? K - k0 : KC;
    float bet = k0 == 0 ? beta : 1.0f;
    int last = k0 + kc >= K, pf = !ta && kc >= 64 && stream;
    if (inplace) {  /* only a partial last panel is packed */
      if (jpart < N) pack_gemm_b(pb, 0, B + jpart, ldb, k0, kc, N - jpart);
    } else {
      pack_gemm_b(pb, tb, B, ldb, k0, kc, N);
    }
    for (int ib = 0; ib < nblocks; ib++) {
      int i0 = tile_start(M, nblocks, ib), mc = tile_start(M, nblocks, ib + 1) - i0;
      const float *bp = pb;
      for (int j0 = 0; j0 < N; j0 += NR) {
        int w = panel_w(N, j0), nr = N - j0 < w ? N - j0 : w;
        int nt = tiles(mc, w == NR ? MR : 8);
        const float *bb = last && bias ? bias + j0 : NULL;
        const float *b = inplace && j0 < jpart ? B + (size_t)k0 * ldb + j0 : bp;
        size_t bs = inplace && j0 < jpart ? (size_t)ldb : (size_t)w;
        int q = mc / nt, extra = mc % nt;  /* tiles of q + 1 rows, then of q (tile_start's split) */
        for (int t = 0, r0 = 0; t < nt; t++) {
          int mr = q + (t < extra);
          const float *a = A + (size_t)(i0 + r0) * rs + (size_t)k0 * ks;
          tile_out out = {C + (size_t)(i0 + r0) * ldc + j0, ldc, nr, alpha, bet, bb, last && relu};
          if (w == NR) (pf ? tile16_pf : tile16)(mr, kc, a, rs, ks, b, bs, &out);
          else (pf ? tile8_pf : tile8)(mr, kc, a, rs, ks, b, bs, &out);
          r0 += mr;
        }
        if (!inplace) bp += (size_t)kc * w;
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

static void dw_implicit(float *dw, float *db, int accumulate, const float *xp, const int *aoff,
                        int P, const int *koff, int K, const float *dy, const float *ymask, int F,
                        cv_workspace *ws) {
  int npanels = (F + NR - 1) / NR, KS = slice_len(P);
  float *pb = pack_buf(ws, (size_t)npanels * NR * KS);
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

/* ws NULL: a workspace for this call alone */
void cv_gemm_avx2_ex(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc, const float *bias, int relu,
                     cv_workspace *ws) {
  cv_workspace *own = ws ? NULL : cv_workspace_new();
  gemm_ex(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, relu, ws ? ws : own);
  cv_workspace_free(own);
}

void cv_conv_dw_implicit_avx2(float *dw, float *db, int accumulate, const float *xp, const int *aoff,
                              int P, const int *koff, int K, const float *dy, const float *ymask, int F,
                              cv_workspace *ws) {
  cv_workspace *own = ws ? NULL : cv_workspace_new();
  dw_implicit(dw, db, accumulate, xp, aoff, P, koff, K, dy, ymask, F, ws ? ws : own);
  cv_workspace_free(own);
}
