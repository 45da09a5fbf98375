/* colormap.h - scalar -> colour lookup tables with matplotlib's values and indexing rule. */
#ifndef CV_COLORMAP_H
#define CV_COLORMAP_H

#include <stdint.h>
#include "base/cv_status.h"

/* Fills lut with the 256 RGB entries of the named map ("viridis", "gray", "Blues", "RdYlGn", ...). */
cv_status cv_colormap_get(uint8_t lut[256][3], const char *name);
/* The NULL-terminated list of known names. */
const char *const *cv_colormap_names(void);
/* The lookup index of v after normalising [vmin, vmax] to [0, 1] (matplotlib: floor(x * 256), clipped). */
int cv_colormap_index(double v, double vmin, double vmax);
/* values (n) -> rgba (n*4) through lut, alpha 255. */
void cv_colormap_apply(uint8_t *rgba, const float *values, int64_t n, const uint8_t lut[256][3],
                       double vmin, double vmax);

#endif
