/* pool_avx2.c - AVX2 max pooling forward (with argmax) and backward (see pool_avx2.h). */
#include "pool_avx2.h"
#include <immintrin.h>

/* 8 window indices held as floats -> 8 bytes at a */
static inline void store_idx(uint8_t *a, __m256 idx) {
  __m256i i32 = _mm256_cvttps_epi32(idx);
  __m128i p16 = _mm_packus_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
  _mm_storel_epi64((__m128i *)a, _mm_packus_epi16(p16, p16));
}

void cv_maxpool_fwd_avx2(float *y, uint8_t *a, const float *x, int64_t W, int64_t C, int64_t OH,
                         int64_t OW, int ph, int pw, int sh, int sw) {
  for (int64_t oh = 0; oh < OH; oh++)
    for (int64_t ow = 0; ow < OW; ow++) {
      const float *x0 = x + ((oh * sh) * W + ow * sw) * C;
      float *yr = y + (oh * OW + ow) * C;
      uint8_t *ar = a ? a + (oh * OW + ow) * C : NULL;
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

void cv_maxpool_bwd_avx2(float *dx, const float *dy, const uint8_t *a, int64_t W, int64_t C,
                         int64_t OH, int64_t OW, int ph, int pw, int sh, int sw) {
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
