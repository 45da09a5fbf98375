/* optim_avx2.h - the Adam update 8 floats at a time (the AVX2 dispatch table's adam). Each
 * lane does the portable loop's operations in its order, with no fused multiply-add, so the
 * results are bit-identical to optim.c's loop. */
#ifndef CV_OPTIM_AVX2_H
#define CV_OPTIM_AVX2_H

#include <stdint.h>

/* m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g; p -= a*m / (sqrt(v) + eps), for n elements */
void cv_adam_avx2(float *p, const float *g, float *m, float *v, int64_t n, float a, float b1,
                  float b2, float eps);

#endif
