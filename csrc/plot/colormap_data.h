/* colormap_data.h - matplotlib's published colour map tables (colormap_data.c, colormap_twilight.c),
 * read only by colormap.c. Channels are floats in [0, 1], as matplotlib lists them. */
#ifndef CV_COLORMAP_DATA_H
#define CV_COLORMAP_DATA_H

/* _cm_listed.py's ListedColormaps: one RGB row per entry */
extern const double cv_colormap_viridis[256][3];
extern const double cv_colormap_plasma[256][3];
extern const double cv_colormap_magma[256][3];
extern const double cv_colormap_inferno[256][3];
extern const double cv_colormap_cividis[256][3];
extern const double cv_colormap_twilight[510][3];
/* _cm.py's _coolwarm_data: rows of x, red, green, blue (the three channels share their x) */
extern const double cv_colormap_coolwarm[33][4];

#endif
