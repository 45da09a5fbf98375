/* optim_avx2.c - AVX2 Adam update (see optim_avx2.h). */
#include "simd/optim_avx2.h"
#include <immintrin.h>
#include <math.h>

void cv_adam_avx2(float *p, const float *g, float *m, float *v, int64_t n, float a, float b1,
                  float b2, float eps) {
  __m256 vb1 = _mm256_set1_ps(b1), vc1 = _mm256_set1_ps(1.0f - b1);
  __m256 vb2 = _mm256_set1_ps(b2), vc2 = _mm256_set1_ps(1.0f - b2);
  __m256 va = _mm256_set1_ps(a), veps = _mm256_set1_ps(eps);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 gi = _mm256_loadu_ps(g + i);
    __m256 mi = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(vc1, gi));
    __m256 vi = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)),
                              _mm256_mul_ps(_mm256_mul_ps(vc2, gi), gi));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    __m256 step = _mm256_div_ps(_mm256_mul_ps(va, mi), _mm256_add_ps(_mm256_sqrt_ps(vi), veps));
    _mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_loadu_ps(p + i), step));
  }
  for (; i < n; i++) {
    float gi = g[i];
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= a * mi / (sqrtf(vi) + eps);
  }
}
