/* vec.h - the elementwise loops the kernels share (add, ReLU and its mask, column sums), written
 * with GCC/Clang vector extensions so they run 4 floats per instruction on any x86-64 (SSE; the
 * compiler widens nothing across the ABI) and stay plain C. Lane by lane they do exactly what the scalar loop
 * does, in the same order, so results are bit-identical to it. */
#ifndef CV_VEC_H
#define CV_VEC_H

#include <stdint.h>
#include <string.h>

typedef float cv_v4f __attribute__((vector_size(16)));
typedef int32_t cv_v4i __attribute__((vector_size(16)));

static inline cv_v4f cv_ld4(const float *p) { cv_v4f v; memcpy(&v, p, sizeof v); return v; }
static inline void cv_st4(float *p, cv_v4f v) { memcpy(p, &v, sizeof v); }

/* dst[i] += src[i] */
static inline void cv_vadd(float *restrict dst, const float *restrict src, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    cv_st4(dst + i, cv_ld4(dst + i) + cv_ld4(src + i));
    cv_st4(dst + i + 4, cv_ld4(dst + i + 4) + cv_ld4(src + i + 4));
  }
  for (; i < n; i++) dst[i] += src[i];
}

/* d[i] = v[i] > 0 ? g[i] : 0 (the ReLU gradient through its input or output; d may be g) */
static inline void cv_vrelu_mask(float *d, const float *v, const float *g, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    cv_v4i keep = cv_ld4(v + i) > 0.0f;
    cv_st4(d + i, (cv_v4f)((cv_v4i)cv_ld4(g + i) & keep));
  }
  for (; i < n; i++) d[i] = v[i] > 0.0f ? g[i] : 0.0f;
}

/* y[i] = x[i] > 0 ? x[i] : 0 (NaN -> 0); y may be x */
static inline void cv_vrelu(float *y, const float *x, int64_t n) {
  cv_vrelu_mask(y, x, x, n);
}

/* acc[f] += g[r*F + f] for r = 0..rows-1 in order */
static inline void cv_vsum_rows(float *restrict acc, const float *restrict g, int64_t rows, int64_t F) {
  int64_t f = 0;
  for (; f + 16 <= F; f += 16) {
    cv_v4f a0 = cv_ld4(acc + f), a1 = cv_ld4(acc + f + 4), a2 = cv_ld4(acc + f + 8), a3 = cv_ld4(acc + f + 12);
    for (int64_t r = 0; r < rows; r++) {
      const float *gr = g + r * F + f;
      a0 += cv_ld4(gr); a1 += cv_ld4(gr + 4); a2 += cv_ld4(gr + 8); a3 += cv_ld4(gr + 12);
    }
    cv_st4(acc + f, a0); cv_st4(acc + f + 4, a1); cv_st4(acc + f + 8, a2); cv_st4(acc + f + 12, a3);
  }
  for (; f + 4 <= F; f += 4) {
    cv_v4f a = cv_ld4(acc + f);
    for (int64_t r = 0; r < rows; r++) a += cv_ld4(g + r * F + f);
    cv_st4(acc + f, a);
  }
  for (; f < F; f++) {
    float a = acc[f];
    for (int64_t r = 0; r < rows; r++) a += g[r * F + f];
    acc[f] = a;
  }
}

#endif
