/* pool_avx2.h - AVX2 max pooling of one sample whose windows all lie inside the image (no
 * padding), 8 channels at a time (C a multiple of 8). Same results as the portable loops of
 * pool.c, argmax included (the first maximum in row-major window order; a NaN first cell wins). */
#ifndef CV_POOL_AVX2_H
#define CV_POOL_AVX2_H

#include <stdint.h>

/* x (H,W,C) -> y (OH,OW,C), a (OH,OW,C) window index kh*pw+kw, or NULL */
void cv_maxpool_fwd_avx2(float *y, uint8_t *a, const float *x, int64_t W, int64_t C, int64_t OH,
                         int64_t OW, int ph, int pw, int sh, int sw);
/* dy (OH,OW,C), a -> dx (H,W,C): every cell of every window written (dy at the winner, else 0);
 * windows must not overlap; cells outside all windows are left alone */
void cv_maxpool_bwd_avx2(float *dx, const float *dy, const uint8_t *a, int64_t W, int64_t C,
                         int64_t OH, int64_t OW, int ph, int pw, int sh, int sw);

#endif
