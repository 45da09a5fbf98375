/* random.c - xoshiro128** streams (see random.h). */
#include "base/random.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

void cv_rng_init(cv_rng *r, uint64_t seed) {
  uint64_t x = seed;
  uint64_t a = splitmix64(&x), b = splitmix64(&x);
  r->s[0] = (uint32_t)a; r->s[1] = (uint32_t)(a >> 32);
  r->s[2] = (uint32_t)b; r->s[3] = (uint32_t)(b >> 32);
  r->has_spare = 0;
  r->spare = 0.0f;
}

uint32_t cv_rng_next(cv_rng *r) {
  uint32_t *s = r->s;
  uint32_t result = rotl(s[1] * 5, 7) * 9;
  uint32_t t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

float cv_rng_next_uniform(cv_rng *r) { return (float)(cv_rng_next(r) >> 8) * (1.0f / 16777216.0f); }

float cv_rng_next_normal(cv_rng *r) {
  if (r->has_spare) { r->has_spare = 0; return r->spare; }
  double u1, u2;
  do { u1 = (cv_rng_next(r) >> 8) * (1.0 / 16777216.0); } while (u1 <= 0.0);
  u2 = (cv_rng_next(r) >> 8) * (1.0 / 16777216.0);
  double rad = sqrt(-2.0 * log(u1)), th = 6.283185307179586 * u2;
  r->spare = (float)(rad * sin(th));
  r->has_spare = 1;
  return (float)(rad * cos(th));
}

static cv_rng global_rng = {{0x12345678u, 0x9abcdef0u, 0x0fedcba9u, 0x87654321u}, 0, 0.0f};

void cv_rng_seed(uint64_t seed) { cv_rng_init(&global_rng, seed); }
void cv_rng_get_state(cv_rng *out) { *out = global_rng; }
void cv_rng_set_state(const cv_rng *in) { global_rng = *in; }
uint32_t cv_rng_u32(void) { return cv_rng_next(&global_rng); }
float cv_rng_uniform(void) { return cv_rng_next_uniform(&global_rng); }
float cv_rng_normal(void) { return cv_rng_next_normal(&global_rng); }

double cv_rng_uniform_f64(void) {
  uint64_t a = cv_rng_next(&global_rng) >> 5, b = cv_rng_next(&global_rng) >> 6;
  return (double)(a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

uint64_t cv_rng_below(uint64_t n) {
  if (n <= 1) return 0;
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t x = ((uint64_t)cv_rng_u32() << 32) | cv_rng_u32();
    if (x < limit) return x % n;
  }
}
