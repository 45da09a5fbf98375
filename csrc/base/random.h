/* random.h - the one seeded random stream of cvision (xoshiro128** seeded by splitmix64).
 * cv.manual_seed(n) reseeds it; weights, shuffles, dropout masks and augmentation all draw from it,
 * so a seed reproduces a whole run. Not thread-safe: draw from the calling thread only. */
#ifndef CV_RANDOM_H
#define CV_RANDOM_H

#include <stdint.h>

void cv_rng_seed(uint64_t seed);
uint32_t cv_rng_u32(void);
/* uniform in [0, 1) with 24 random bits */
float cv_rng_uniform(void);
/* uniform in [0, 1) with 53 random bits */
double cv_rng_uniform_f64(void);
/* standard normal (Box-Muller, both values used) */
float cv_rng_normal(void);
/* uniform integer in [0, n) without modulo bias; n >= 1 */
uint64_t cv_rng_below(uint64_t n);

/* An independent generator with the same algorithm, for code that needs its own stream
 * (e.g. the dataset generator, which must not disturb the global one). */
typedef struct cv_rng { uint32_t s[4]; int has_spare; float spare; } cv_rng;
void cv_rng_init(cv_rng *r, uint64_t seed);
uint32_t cv_rng_next(cv_rng *r);
float cv_rng_next_uniform(cv_rng *r);
float cv_rng_next_normal(cv_rng *r);

/* The global stream's whole state, for exact resume of training (BackupAndRestore): get then
 * set gives the same draws from then on as if nothing had happened in between. */
void cv_rng_get_state(cv_rng *out);
void cv_rng_set_state(const cv_rng *in);

#endif
