/* colormap.h - scalar -> colour lookup tables with matplotlib's values and indexing rule. */
#ifndef CV_COLORMAP_H
#define CV_COLORMAP_H

#include <stdint.h>
#include "base/cv_status.h"

/* The most entries a map has (twilight: 510). */
#define CV_COLORMAP_MAX 512

/* A colour map as matplotlib's Colormap holds it: n entries (256 for the continuous maps, 510 for
 * twilight, 10 and 20 for tab10 and tab20), of which rgb[0 .. n-1] are used. */
typedef struct cv_colormap {
  int n;
  uint8_t rgb[CV_COLORMAP_MAX][3];
} cv_colormap;

/* Fills m with the named map ("viridis", "gray", "Blues", "tab10", "plasma_r", ...). */
cv_status cv_colormap_get(cv_colormap *m, const char *name);
/* The NULL-terminated list of known names: the maps, then each reversed as NAME_r. */
const char *const *cv_colormap_names(void);
/* The entry of v after normalising [vmin, vmax] to [0, 1] (matplotlib: floor(x * n), clipped). */
int cv_colormap_index(const cv_colormap *m, double v, double vmin, double vmax);
/* values (n) -> rgba (n*4) through m, alpha 255. */
void cv_colormap_apply(uint8_t *rgba, const float *values, int64_t n, const cv_colormap *m,
                       double vmin, double vmax);

#endif
