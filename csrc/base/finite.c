/* finite.c - NaN/infinity scan (see finite.h). x*0 is 0 for finite x and NaN for NaN or
 * infinity, so a block is summed as x*0 in 16 independent lanes (GCC vector extensions: 4 floats
 * per instruction, no dependency chain through one accumulator) and only a block whose sum is NaN
 * is searched element by element for the exact position. */
#include "base/finite.h"
#include "base/vec.h"
#include <math.h>

int64_t cv_first_nonfinite_f32(const float *p, int64_t n) {
  const int64_t block = 4096;
  const cv_v4f zero = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int64_t b = 0; b < n; b += block) {
    int64_t e = b + block < n ? b + block : n, i = b;
    cv_v4f a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (; i + 16 <= e; i += 16) {
      a0 += cv_ld4(p + i) * zero;
      a1 += cv_ld4(p + i + 4) * zero;
      a2 += cv_ld4(p + i + 8) * zero;
      a3 += cv_ld4(p + i + 12) * zero;
    }
    cv_v4f a = (a0 + a1) + (a2 + a3);
    float acc = (a[0] + a[1]) + (a[2] + a[3]);
    for (; i < e; i++) acc += p[i] * 0.0f;
    if (acc != acc)
      for (i = b; i < e; i++)
        if (!isfinite(p[i])) return i;
  }
  return -1;
}

int64_t cv_first_nonfinite_f32_ref(const float *p, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(p[i])) return i;
  return -1;
}
