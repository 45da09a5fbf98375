/* pool_avx2.c - AVX2 max pooling forward (with argmax) and backward (see pool_avx2.h). */
#include "simd/pool_avx2.h"
#include <immintrin.h>

/* 8 window indices held as floats -> 8 bytes at a */
static inline void store_idx(uint8_t *a, __m256 idx) {
  __m256i i32 = _mm256_cvttps_epi32(idx);
  __m128i p16 = _mm_packus_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
  _mm_storel_epi64((__m128i *)a, _mm_packus_epi16(p16, p16));
}

/* input rows ahead to prefetch: two rows of windows (prefetches past the end are harmless) */
#define PF_ROWS 4

/* the 2x2 window, unrolled: cells 0 1 / 2 3 */
static void fwd_2x2(float *y, uint8_t *a, const float *x, int64_t W, int64_t C, int64_t OH, int64_t OW,
                    int sh, int sw) {
  const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f), three = _mm256_set1_ps(3.0f);
  for (int64_t oh = 0; oh < OH; oh++)
    for (int64_t ow = 0; ow < OW; ow++) {
      const float *x0 = x + ((oh * sh) * W + ow * sw) * C, *x1 = x0 + W * C;
      float *yr = y + (oh * OW + ow) * C;
      uint8_t *ar = a ? a + (oh * OW + ow) * C : NULL;
      /* the input usually comes from a convolution that just streamed it out to L3: fetch the
       * next window row pair's cells ahead (the loads, not the compares, were the limit) */
      for (int64_t c = 0; c < 2 * C; c += 16) {
        _mm_prefetch((const char *)(x0 + PF_ROWS * W * C + c), _MM_HINT_T0);
        _mm_prefetch((const char *)(x1 + PF_ROWS * W * C + c), _MM_HINT_T0);
      }
      for (int64_t c = 0; c < C; c += 8) {
        __m256 m = _mm256_loadu_ps(x0 + c), v1 = _mm256_loadu_ps(x0 + C + c);
        __m256 v2 = _mm256_loadu_ps(x1 + c), v3 = _mm256_loadu_ps(x1 + C + c);
        __m256 g1 = _mm256_cmp_ps(v1, m, _CMP_GT_OQ);
        m = _mm256_blendv_ps(m, v1, g1);
        __m256 g2 = _mm256_cmp_ps(v2, m, _CMP_GT_OQ);
        m = _mm256_blendv_ps(m, v2, g2);
        __m256 g3 = _mm256_cmp_ps(v3, m, _CMP_GT_OQ);
        m = _mm256_blendv_ps(m, v3, g3);
        _mm256_storeu_ps(yr + c, m);
        if (ar) {
          __m256 idx = _mm256_and_ps(g1, one);
          idx = _mm256_blendv_ps(idx, two, g2);
          idx = _mm256_blendv_ps(idx, three, g3);
          store_idx(ar + c, idx);
        }
      }
    }
}

void cv_maxpool_fwd_avx2(float *y, uint8_t *a, const float *x, int64_t W, int64_t C, int64_t OH,
                         int64_t OW, int ph, int pw, int sh, int sw) {
  if (ph == 2 && pw == 2) {
    fwd_2x2(y, a, x, W, C, OH, OW, sh, sw);
    return;
  }
  for (int64_t oh = 0; oh < OH; oh++)
    for (int64_t ow = 0; ow < OW; ow++) {
      const float *x0 = x + ((oh * sh) * W + ow * sw) * C;
      float *yr = y + (oh * OW + ow) * C;
      uint8_t *ar = a ? a + (oh * OW + ow) * C : NULL;
      for (int kh = 0; kh < ph; kh++)  /* the window of the next output row, as fwd_2x2 */
        for (int64_t c = 0; c < pw * C; c += 16)
          _mm_prefetch((const char *)(x0 + (sh + kh) * W * C + c), _MM_HINT_T0);
      for (int64_t c = 0; c < C; c += 8) {
        __m256 m = _mm256_loadu_ps(x0 + c), idx = _mm256_setzero_ps();
        for (int kh = 0; kh < ph; kh++)
          for (int kw = 0; kw < pw; kw++) {
            if (kh == 0 && kw == 0) continue;
            __m256 v = _mm256_loadu_ps(x0 + (kh * W + kw) * C + c);
            __m256 gt = _mm256_cmp_ps(v, m, _CMP_GT_OQ);  /* false on NaN, as the scalar `>` */
            m = _mm256_blendv_ps(m, v, gt);
            if (ar) idx = _mm256_blendv_ps(idx, _mm256_set1_ps((float)(kh * pw + kw)), gt);
          }
        _mm256_storeu_ps(yr + c, m);
        if (ar) store_idx(ar + c, idx);
      }
    }
}

static void bwd_2x2(float *dx, const float *dy, const uint8_t *a, int64_t W, int64_t C, int64_t OH,
                    int64_t OW, int sh, int sw) {
  const __m256i k1 = _mm256_set1_epi32(1), k2 = _mm256_set1_epi32(2), k3 = _mm256_set1_epi32(3);
  for (int64_t oh = 0; oh < OH; oh++)
    for (int64_t ow = 0; ow < OW; ow++) {
      float *d0 = dx + ((oh * sh) * W + ow * sw) * C, *d1 = d0 + W * C;
      const float *g = dy + (oh * OW + ow) * C;
      const uint8_t *ar = a + (oh * OW + ow) * C;
      for (int64_t c = 0; c < C; c += 8) {
        __m256 gv = _mm256_loadu_ps(g + c);
        __m256i ai = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(ar + c)));
        __m256 h0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(ai, _mm256_setzero_si256()));
        __m256 h1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(ai, k1));
        __m256 h2 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(ai, k2));
        __m256 h3 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(ai, k3));
        _mm256_storeu_ps(d0 + c, _mm256_and_ps(gv, h0));
        _mm256_storeu_ps(d0 + C + c, _mm256_and_ps(gv, h1));
        _mm256_storeu_ps(d1 + c, _mm256_and_ps(gv, h2));
        _mm256_storeu_ps(d1 + C + c, _mm256_and_ps(gv, h3));
      }
    }
}

void cv_maxpool_bwd_avx2(float *dx, const float *dy, const uint8_t *a, int64_t W, int64_t C,
                         int64_t OH, int64_t OW, int ph, int pw, int sh, int sw) {
  if (ph == 2 && pw == 2) {
    bwd_2x2(dx, dy, a, W, C, OH, OW, sh, sw);
    return;
  }
  for (int64_t oh = 0; oh < OH; oh++)
    for (int64_t ow = 0; ow < OW; ow++) {
      float *d0 = dx + ((oh * sh) * W + ow * sw) * C;
      const float *g = dy + (oh * OW + ow) * C;
      const uint8_t *ar = a + (oh * OW + ow) * C;
      for (int64_t c = 0; c < C; c += 8) {
        __m256 gv = _mm256_loadu_ps(g + c);
        __m256i ai = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(ar + c)));
        for (int kh = 0; kh < ph; kh++)
          for (int kw = 0; kw < pw; kw++) {
            __m256i hit = _mm256_cmpeq_epi32(ai, _mm256_set1_epi32(kh * pw + kw));
            _mm256_storeu_ps(d0 + (kh * W + kw) * C + c, _mm256_and_ps(gv, _mm256_castsi256_ps(hit)));
          }
      }
    }
}
