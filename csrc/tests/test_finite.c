/* test_finite.c - cv_first_nonfinite_f32 against its naive twin: clean data, NaN, +-inf at every
 * position class (block edges, vector tails), several in one array, lengths 0..odd. */
#include "ctest.h"
#include "base/finite.h"
#include <math.h>
#include <stdlib.h>

int main(void) {
  int64_t n = 3 * 4096 + 21;
  float *p = malloc(sizeof(float) * (size_t)n);
  for (int64_t i = 0; i < n; i++) p[i] = (float)((i * 37) % 101) - 50.0f + 0.25f;
  p[7] = -0.0f; p[8] = 3.4e38f; p[9] = -3.4e38f;   /* finite extremes */
  CHECK(cv_first_nonfinite_f32(p, n) == -1, "clean data");
  CHECK(cv_first_nonfinite_f32(p, 0) == -1, "empty");
  float bad[3] = {NAN, INFINITY, -INFINITY};
  int64_t at[] = {0, 1, 15, 16, 17, 4095, 4096, 4097, 8191, 12287, 12288, n - 1};
  for (int b = 0; b < 3; b++)
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
      float keep = p[at[k]];
      p[at[k]] = bad[b];
      for (int64_t len = at[k] + 1; len <= n; len += (n - at[k]) / 3 + 1) {
        int64_t got = cv_first_nonfinite_f32(p, len), want = cv_first_nonfinite_f32_ref(p, len);
        CHECK(got == want && got == at[k], "bad %d at %lld, length %lld: got %lld", b, (long long)at[k],
              (long long)len, (long long)got);
      }
      CHECK(cv_first_nonfinite_f32(p, at[k]) == -1, "before position %lld", (long long)at[k]);
      p[at[k]] = keep;
    }
  p[5000] = INFINITY; p[300] = NAN; p[9000] = NAN;
  CHECK(cv_first_nonfinite_f32(p, n) == 300, "first of several");
  free(p);
  CTEST_END("finite");
}
