/* winograd_avx2.c - Winograd convolution of one sample (see winograd_avx2.h), Lavin & Gray 2015.
 * Forward (and dx): Y = A^T [ (G g G^T) . (B^T d B) ] A for every 4x4 input tile d (stride 2) and
 * 3x3 kernel g, F(2x2, 3x3):
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
 *   A^T = [1 1 1 0; 0 1 -1 -1].
 * The element-wise products summed over channels are 16 products (tiles x C) . (C x F), one per
 * position xi of the 4x4 transformed tile. Tiles go in blocks of TB so V (16,TB,C) stays in L2;
 * for each group of 6 tiles and 16 filters the 16 products land in a 6 KiB buffer that the
 * output transform reads from L1 (gemm_6x16: B packed by cv_gemm_avx2_pack). The transforms run
 * 8 channels (filters) at a time. dw, F(3x3, 2x2), is further down. Everything is per sample or
 * per chunk, in a fixed order: the result does not depend on threading. */
#include "simd/winograd_avx2.h"
#include "simd/gemm_avx2.h"
#include <immintrin.h>
#include <stdlib.h>

/* scratch in the caller's workspace (slots CV_WS_WINO_V, CV_WS_WINO_U); ws NULL: none */
static float *scratch(cv_workspace *ws, int slot, size_t n) {
  return ws ? cv_workspace_floats(ws, slot, n) : NULL;
}

size_t cv_winograd_avx2_packed_size(int C, int F) {
  return 16 * cv_gemm_avx2_packed_size(C, F);
}

/* tiles per block: a multiple of 6 (the kernel's rows) with V (16, TB, C) ~128 KiB, in L2, and
 * no more than the T tiles need */
static int block_tiles(int C, int T) {
  int TB = (2048 / C) / 6 * 6;
  if (TB < 6) TB = 6;
  return TB > (T + 5) / 6 * 6 ? (T + 5) / 6 * 6 : TB;
}

int cv_winograd_padded(int out) {
  return 2 * ((out + 1) / 2) + 2;
}

/* w (3,3,C,F) -> tmp (16,C,F) = G g G^T per (c,f) -> u: each of the 16 (C,F) matrices packed */
void cv_winograd_avx2_pack(float *u, float *tmp, const float *w, int C, int F) {
  size_t CF = (size_t)C * F;
  for (size_t cf = 0; cf < CF; cf++) {
    float g[3][3], t[4][3];
    for (int i = 0; i < 9; i++) g[i / 3][i % 3] = w[(size_t)i * CF + cf];
    for (int j = 0; j < 3; j++) {  /* t = G g */
      t[0][j] = g[0][j];
      t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
      t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
      t[3][j] = g[2][j];
    }
    for (int i = 0; i < 4; i++) {  /* (G g) G^T */
      tmp[(size_t)(4 * i + 0) * CF + cf] = t[i][0];
      tmp[(size_t)(4 * i + 1) * CF + cf] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
      tmp[(size_t)(4 * i + 2) * CF + cf] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
      tmp[(size_t)(4 * i + 3) * CF + cf] = t[i][2];
    }
  }
  size_t ps = cv_gemm_avx2_packed_size(C, F);
  for (int xi = 0; xi < 16; xi++) cv_gemm_avx2_pack(u + xi * ps, tmp + xi * CF, F, C, F);
}

/* tiles [t0, t0+tb) of a row of TW tiles -> v (16, TB, C): B^T d B, 8 channels at a time */
static void input_transform(float *v, int TB, const float *xp, int Wp, int C, int TW, int t0, int tb) {
  size_t row = (size_t)Wp * C, plane = (size_t)TB * C;
  for (int tl = 0; tl < tb; tl++) {
    int t = t0 + tl, th = t / TW, tw = t % TW;
    const float *base = xp + (size_t)(2 * th) * row + (size_t)(2 * tw) * C;
    float *vo = v + (size_t)tl * C;
    for (int c = 0; c < C; c += 8) {
      __m256 d[4][4], s[4][4];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) d[i][j] = _mm256_loadu_ps(base + i * row + (size_t)j * C + c);
      for (int j = 0; j < 4; j++) {  /* s = B^T d */
        s[0][j] = _mm256_sub_ps(d[0][j], d[2][j]);
        s[1][j] = _mm256_add_ps(d[1][j], d[2][j]);
        s[2][j] = _mm256_sub_ps(d[2][j], d[1][j]);
        s[3][j] = _mm256_sub_ps(d[1][j], d[3][j]);
      }
      for (int i = 0; i < 4; i++) {  /* (B^T d) B */
        float *o = vo + (size_t)(4 * i) * plane + c;
        _mm256_storeu_ps(o, _mm256_sub_ps(s[i][0], s[i][2]));
        _mm256_storeu_ps(o + plane, _mm256_add_ps(s[i][1], s[i][2]));
        _mm256_storeu_ps(o + 2 * plane, _mm256_sub_ps(s[i][2], s[i][1]));
        _mm256_storeu_ps(o + 3 * plane, _mm256_sub_ps(s[i][1], s[i][3]));
      }
    }
  }
  for (int tl = tb; tl % 6; tl++)  /* the last group's missing rows: zeros the kernel may read */
    for (int xi = 0; xi < 16; xi++)
      for (int c = 0; c < C; c++) v[(size_t)xi * plane + (size_t)tl * C + c] = 0.0f;
}

/* m (6 rows of 16 floats per position: m[xi*96 + r*16 + j]) of the tiles t0 + r, r < mr, filters
 * f0 + j, j < nr -> the 2x2 outputs A^T m A (+ bias, relu) inside (OH, OW) */
static void output_tiles(float *y, const float *m, int F, int OH, int OW, int TW, int t0, int mr, int f0,
                         int nr, const float *bias, int relu) {
  __m256 zero = _mm256_setzero_ps();
  for (int r = 0; r < mr; r++) {
    int t = t0 + r, oh = 2 * (t / TW), ow = 2 * (t % TW);
    int down = oh + 1 < OH, right = ow + 1 < OW;
    float *y00 = y + ((size_t)oh * OW + ow) * F + f0;
    for (int f = 0; f < nr; f += 8) {
      const float *q = m + r * 16 + f;
      __m256 s0[4], s1[4];
      for (int j = 0; j < 4; j++) {  /* s = A^T q, column j: positions j, 4+j, 8+j, 12+j */
        __m256 q0 = _mm256_load_ps(q + j * 96), q1 = _mm256_load_ps(q + (4 + j) * 96);
        __m256 q2 = _mm256_load_ps(q + (8 + j) * 96), q3 = _mm256_load_ps(q + (12 + j) * 96);
        s0[j] = _mm256_add_ps(_mm256_add_ps(q0, q1), q2);
        s1[j] = _mm256_sub_ps(_mm256_sub_ps(q1, q2), q3);
      }
      __m256 bv = bias ? _mm256_loadu_ps(bias + f0 + f) : zero;
      /* (A^T q) A: row 0 from s0, row 1 from s1 */
      __m256 o00 = _mm256_add_ps(_mm256_add_ps(s0[0], s0[1]), s0[2]);
      __m256 o01 = _mm256_sub_ps(_mm256_sub_ps(s0[1], s0[2]), s0[3]);
      __m256 o10 = _mm256_add_ps(_mm256_add_ps(s1[0], s1[1]), s1[2]);
      __m256 o11 = _mm256_sub_ps(_mm256_sub_ps(s1[1], s1[2]), s1[3]);
      if (bias) {
        o00 = _mm256_add_ps(o00, bv); o01 = _mm256_add_ps(o01, bv);
        o10 = _mm256_add_ps(o10, bv); o11 = _mm256_add_ps(o11, bv);
      }
      if (relu) {
        o00 = _mm256_max_ps(o00, zero); o01 = _mm256_max_ps(o01, zero);
        o10 = _mm256_max_ps(o10, zero); o11 = _mm256_max_ps(o11, zero);
      }
      float *yr = y00 + f;
      _mm256_storeu_ps(yr, o00);
      if (right) _mm256_storeu_ps(yr + F, o01);
      if (down) {
        _mm256_storeu_ps(yr + (size_t)OW * F, o10);
        if (right) _mm256_storeu_ps(yr + (size_t)OW * F + F, o11);
      }
    }
  }
}

/* m (6,16) = a (6 rows of V, row stride lda, K long) . b (K, 16 packed) */
static inline void gemm_6x16(int K, const float *a, size_t lda, const float *b, float *m) {
  const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda, *a4 = a + 4 * lda;
  const float *a5 = a + 5 * lda;
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps();
  __m256 c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps();
  __m256 c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int k = 0; k < K; k++, b += 16) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8), av;
    av = _mm256_broadcast_ss(a0 + k); c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a1 + k); c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a2 + k); c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a3 + k); c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a4 + k); c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a5 + k); c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
  }
  _mm256_store_ps(m, c00); _mm256_store_ps(m + 8, c01);
  _mm256_store_ps(m + 16, c10); _mm256_store_ps(m + 24, c11);
  _mm256_store_ps(m + 32, c20); _mm256_store_ps(m + 40, c21);
  _mm256_store_ps(m + 48, c30); _mm256_store_ps(m + 56, c31);
  _mm256_store_ps(m + 64, c40); _mm256_store_ps(m + 72, c41);
  _mm256_store_ps(m + 80, c50); _mm256_store_ps(m + 88, c51);
}

static int wino_conv(float *y, const float *xp, int Wp, int C, int OH, int OW, const float *u,
                     int F, const float *bias, int relu, cv_workspace *ws) {
  int TH = (OH + 1) / 2, TW = (OW + 1) / 2, T = TH * TW;
  int TB = block_tiles(C, T);
  float *v = scratch(ws, CV_WS_WINO_V, (size_t)16 * TB * C);
  if (!v) return -1;
  float m[16 * 96] __attribute__((aligned(32)));
  size_t ps = cv_gemm_avx2_packed_size(C, F), plane = (size_t)TB * C;
  int npanels = (F + 15) / 16;
  for (int t0 = 0; t0 < T; t0 += TB) {
    int tb = T - t0 < TB ? T - t0 : TB;
    input_transform(v, TB, xp, Wp, C, TW, t0, tb);
    for (int g = 0; g < tb; g += 6) {
      int mr = tb - g < 6 ? tb - g : 6;
      /* rows past the block's last tile read V rows that exist (TB is a multiple of 6) and are
       * never stored */
      for (int p = 0; p < npanels; p++) {
        int f0 = p * 16, nr = F - f0 < 16 ? F - f0 : 16;
        for (int xi = 0; xi < 16; xi++)
          gemm_6x16(C, v + xi * plane + (size_t)g * C, (size_t)C, u + xi * ps + (size_t)p * C * 16,
                    m + xi * 96);
        output_tiles(y, m, F, OH, OW, TW, t0 + g, mr, f0, nr, bias, relu);
      }
    }
  }
  return 0;
}

/* ---- the weight gradient: F(3x3, 2x2) ------------------------------------------------------
 * dw[kh,kw,c,f] = sum over outputs (oh,ow) of xp[oh+kh, ow+kw, c] dz[oh, ow, f]. Per 2x2 tile of dz
 * (the "filter") and the 4x4 input tile above it, the 3x3 contribution is
 *   A'^T [ (G' dz G'^T) . (B^T d B) ] A',  G' = [1 0; .5 .5; .5 -.5; 0 1],
 *   A'^T = [1 1 1 0; 0 1 -1 0; 0 1 1 -1],
 * with the forward's B^T (A' absorbs the sign of its last row). Summed over tiles first: per
 * position xi, M (C,F) += V^T (C,T) . U' (T,F), a long reduction over the tiles; A'^T M A' once
 * per chunk of samples. */

/* u (16, np, TB, 16): G' dz G'^T of tiles [t0, t0+tb), dz = dy masked by ymask > 0 (NULL: none),
 * cells outside (OH, OW) zero; filters padded to panels of 16 with zeros. db (F) += the masked
 * dz of these tiles, tile by tile. */
static void grad_transform(float *u, int TB, const float *dy, const float *ymask, int OH, int OW, int F,
                           int TW, int t0, int tb, float *db) {
  int np = (F + 15) / 16;
  size_t plane = (size_t)np * TB * 16;
  __m256 zero = _mm256_setzero_ps(), half = _mm256_set1_ps(0.5f);
  for (int tl = 0; tl < tb; tl++) {
    int t = t0 + tl, oh = 2 * (t / TW), ow = 2 * (t % TW);
    int down = oh + 1 < OH, right = ow + 1 < OW;
    size_t o00 = ((size_t)oh * OW + ow) * F, o01 = o00 + F, o10 = o00 + (size_t)OW * F, o11 = o10 + F;
    for (int f = 0; f < np * 16; f += 8) {
      float *uo = u + ((size_t)(f / 16) * TB + tl) * 16 + (f % 16);
      __m256 g00 = zero, g01 = zero, g10 = zero, g11 = zero;
      if (f < F) {
#define LOADG(dst, off) do { __m256 v_ = _mm256_loadu_ps(dy + (off) + f); \
          if (ymask) v_ = _mm256_and_ps(v_, _mm256_cmp_ps(_mm256_loadu_ps(ymask + (off) + f), zero, _CMP_GT_OQ)); \
          dst = v_; } while (0)
        LOADG(g00, o00);
        if (right) LOADG(g01, o01);
        if (down) LOADG(g10, o10);
        if (down && right) LOADG(g11, o11);
#undef LOADG
        if (db) {
          __m256 sum = _mm256_add_ps(_mm256_add_ps(g00, g01), _mm256_add_ps(g10, g11));
          _mm256_storeu_ps(db + f, _mm256_add_ps(_mm256_loadu_ps(db + f), sum));
        }
      }
      /* rows: G' g (4x2), then columns: (G' g) G'^T (4x4) */
      __m256 r[4][2];
      r[0][0] = g00; r[0][1] = g01;
      r[1][0] = _mm256_mul_ps(half, _mm256_add_ps(g00, g10));
      r[1][1] = _mm256_mul_ps(half, _mm256_add_ps(g01, g11));
      r[2][0] = _mm256_mul_ps(half, _mm256_sub_ps(g00, g10));
      r[2][1] = _mm256_mul_ps(half, _mm256_sub_ps(g01, g11));
      r[3][0] = g10; r[3][1] = g11;
      for (int i = 0; i < 4; i++) {
        float *o = uo + (size_t)(4 * i) * plane;
        _mm256_store_ps(o, r[i][0]);
        _mm256_store_ps(o + plane, _mm256_mul_ps(half, _mm256_add_ps(r[i][0], r[i][1])));
        _mm256_store_ps(o + 2 * plane, _mm256_mul_ps(half, _mm256_sub_ps(r[i][0], r[i][1])));
        _mm256_store_ps(o + 3 * plane, r[i][1]);
      }
    }
  }
}

/* m rows c0..c0+mr-1 (row stride ldm), 16 columns += sum over k < K of a[k*lda + r] b[k*16 + j] */
static inline void gemm_tn_6x16(int K, const float *a, size_t lda, const float *b, float *m, size_t ldm,
                                int mr) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps();
  __m256 c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps();
  __m256 c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  int r1 = mr > 1, r2 = mr > 2 ? 2 : 0, r3 = mr > 3 ? 3 : 0, r4 = mr > 4 ? 4 : 0, r5 = mr > 5 ? 5 : 0;
#pragma GCC unroll 4
  for (int k = 0; k < K; k++, a += lda, b += 16) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8), av;
    av = _mm256_broadcast_ss(a); c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + r1); c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + r2); c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + r3); c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + r4); c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + r5); c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
  }
  __m256 acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < mr; r++) {
    float *mrow = m + (size_t)r * ldm;
    _mm256_storeu_ps(mrow, _mm256_add_ps(_mm256_loadu_ps(mrow), acc[r][0]));
    _mm256_storeu_ps(mrow + 8, _mm256_add_ps(_mm256_loadu_ps(mrow + 8), acc[r][1]));
  }
}

size_t cv_winograd_avx2_dw_size(int C, int F) {
  return (size_t)16 * C * (size_t)((F + 15) / 16 * 16);
}

static int wino_dw_acc(float *m, const float *xp, int Wp, int C, int OH, int OW, const float *dy,
                       const float *ymask, int F, float *db, cv_workspace *ws) {
  int TH = (OH + 1) / 2, TW = (OW + 1) / 2, T = TH * TW;
  int TB = block_tiles(C, T), np = (F + 15) / 16, FP = np * 16;
  float *v = scratch(ws, CV_WS_WINO_V, (size_t)16 * TB * C);
  float *u = scratch(ws, CV_WS_WINO_U, (size_t)16 * np * TB * 16);
  if (!v || !u) return -1;
  size_t vplane = (size_t)TB * C, uplane = (size_t)np * TB * 16, mplane = (size_t)C * FP;
  for (int t0 = 0; t0 < T; t0 += TB) {
    int tb = T - t0 < TB ? T - t0 : TB;
    input_transform(v, TB, xp, Wp, C, TW, t0, tb);
    grad_transform(u, TB, dy, ymask, OH, OW, F, TW, t0, tb, db);
    for (int xi = 0; xi < 16; xi++)
      for (int p = 0; p < np; p++)
        for (int c0 = 0; c0 < C; c0 += 6)
          gemm_tn_6x16(tb, v + xi * vplane + c0, (size_t)C, u + xi * uplane + (size_t)p * TB * 16,
                       m + xi * mplane + (size_t)c0 * FP + p * 16, (size_t)FP, C - c0 < 6 ? C - c0 : 6);
  }
  return 0;
}

void cv_winograd_avx2_dw_finish(float *dw, const float *m, int C, int F) {
  int FP = (F + 15) / 16 * 16;
  size_t mplane = (size_t)C * FP, CF = (size_t)C * F;
  for (int c = 0; c < C; c++)
    for (int f = 0; f < F; f += 8) {
      const float *q = m + (size_t)c * FP + f;
      __m256 s[3][4];
      for (int j = 0; j < 4; j++) {  /* s = A'^T q, column j */
        __m256 q0 = _mm256_loadu_ps(q + j * mplane), q1 = _mm256_loadu_ps(q + (4 + j) * mplane);
        __m256 q2 = _mm256_loadu_ps(q + (8 + j) * mplane), q3 = _mm256_loadu_ps(q + (12 + j) * mplane);
        s[0][j] = _mm256_add_ps(_mm256_add_ps(q0, q1), q2);
        s[1][j] = _mm256_sub_ps(q1, q2);
        s[2][j] = _mm256_sub_ps(_mm256_add_ps(q1, q2), q3);
      }
      for (int i = 0; i < 3; i++) {  /* (A'^T q) A' */
        __m256 o[3];
        o[0] = _mm256_add_ps(_mm256_add_ps(s[i][0], s[i][1]), s[i][2]);
        o[1] = _mm256_sub_ps(s[i][1], s[i][2]);
        o[2] = _mm256_sub_ps(_mm256_add_ps(s[i][1], s[i][2]), s[i][3]);
        for (int k = 0; k < 3; k++) {
          float *d = dw + (size_t)(3 * i + k) * CF + (size_t)c * F + f;
          _mm256_storeu_ps(d, o[k]);
        }
      }
    }
}

/* ws NULL: a workspace for this call alone */
int cv_winograd_avx2_conv(float *y, const float *xp, int Wp, int C, int OH, int OW, const float *u,
                          int F, const float *bias, int relu, cv_workspace *ws) {
  cv_workspace *own = ws ? NULL : cv_workspace_new();
  int r = wino_conv(y, xp, Wp, C, OH, OW, u, F, bias, relu, ws ? ws : own);
  cv_workspace_free(own);
  return r;
}

int cv_winograd_avx2_dw_acc(float *m, const float *xp, int Wp, int C, int OH, int OW, const float *dy,
                            const float *ymask, int F, float *db, cv_workspace *ws) {
  cv_workspace *own = ws ? NULL : cv_workspace_new();
  int r = wino_dw_acc(m, xp, Wp, C, OH, OW, dy, ymask, F, db, ws ? ws : own);
  cv_workspace_free(own);
  return r;
}
