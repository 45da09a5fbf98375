/* finite.h - a fast scan for NaN and infinity in float32 data (the input check of fit, evaluate,
 * predict and train_on_batch runs it over every batch). */
#ifndef CV_FINITE_H
#define CV_FINITE_H

#include <stdint.h>

/* p (n) --> the index of the first NaN or infinity, or -1 when all n values are finite */
int64_t cv_first_nonfinite_f32(const float *p, int64_t n);
/* the naive twin: isfinite() element by element */
int64_t cv_first_nonfinite_f32_ref(const float *p, int64_t n);

#endif
