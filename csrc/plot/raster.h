/* raster.h - an RGBA canvas with antialiased vector drawing, the pixel back end of cv.plot.
 * Coordinates are float pixels with (0, 0) the top-left corner of the top-left pixel, so the centre
 * of pixel (i, j) is (i + 0.5, j + 0.5). Colours are straight (non-premultiplied) RGBA bytes; every
 * drawing operation composites with "source over". Shapes are filled by exact-area coverage (the
 * signed-area accumulation rasterizer of font-rs), so edges are antialiased and overlapping pieces of
 * one shape (the segments of a thick polyline) never darken where they overlap. */
#ifndef CV_RASTER_H
#define CV_RASTER_H

#include <stddef.h>
#include <stdint.h>
#include "base/cv_status.h"

typedef struct cv_color { uint8_t r, g, b, a; } cv_color;

typedef struct cv_canvas {
  int width, height;
  uint8_t *rgba;          /* width*height*4 bytes, rows top to bottom; NULL in the empty state */
} cv_canvas;

enum { CV_INTERP_NEAREST = 0, CV_INTERP_BILINEAR = 1 };
enum { CV_CAP_BUTT = 0, CV_CAP_SQUARE = 1, CV_CAP_ROUND = 2 };

/* c (empty) -> a w x h canvas filled with bg. On failure c stays empty. */
cv_status cv_canvas_init(cv_canvas *c, int w, int h, cv_color bg);
/* Frees the pixels and returns c to the empty state (safe on an empty canvas). */
void cv_canvas_free(cv_canvas *c);
void cv_canvas_clear(cv_canvas *c, cv_color col);
/* Composites col over pixel (x, y) with the given coverage in [0, 1]; ignores pixels outside. */
void cv_canvas_blend(cv_canvas *c, int x, int y, cv_color col, float coverage);

/* Fills the union of npoly polygons; polygon k has counts[k] vertices, xy holds all vertices as
 * x,y pairs one polygon after the other. Each polygon is used with positive orientation, so the
 * pieces add up (clamped to full coverage) instead of cancelling. */
cv_status cv_canvas_fill_polygons(cv_canvas *c, const float *xy, const int *counts, int npoly,
                                  cv_color col);
/* Fills the rectangle [x, x+w) x [y, y+h) (fractional edges get partial coverage). */
cv_status cv_canvas_fill_rect(cv_canvas *c, float x, float y, float w, float h, cv_color col);
/* Fills a disc. */
cv_status cv_canvas_fill_circle(cv_canvas *c, float cx, float cy, float r, cv_color col);
/* Strokes the polyline of n points (x,y pairs) with the given width, round joins and the given cap.
 * dashes (ndash lengths in pixels, on/off alternating, may be NULL) makes it dashed. */
cv_status cv_canvas_stroke(cv_canvas *c, const float *xy, int n, float width, cv_color col, int cap,
                           const float *dashes, int ndash);
/* Draws src (sw x sh RGBA, straight alpha) scaled into the rectangle (dx, dy, dw, dh): every canvas
 * pixel whose centre falls inside takes the source sample at the matching position. */
void cv_canvas_draw_rgba(cv_canvas *c, const uint8_t *src, int sw, int sh, float dx, float dy,
                         float dw, float dh, int interp);
/* Composites col through an 8-bit coverage mask (mw x mh), rotated by angle degrees
 * (counter-clockwise on screen) about mask point (ox, oy), which lands on canvas point (x, y). */
void cv_canvas_draw_mask(cv_canvas *c, const uint8_t *mask, int mw, int mh, float ox, float oy,
                         float x, float y, float angle, cv_color col);
/* Writes the canvas as an 8-bit RGBA PNG. */
cv_status cv_canvas_save_png(const cv_canvas *c, const char *path);
/* Encodes the canvas as PNG into a malloc'ed buffer (*out, *len); the caller frees it. */
cv_status cv_canvas_encode_png(const cv_canvas *c, uint8_t **out, int *len);

/* Encodes the canvas as a DEC sixel image (colours quantised to a 6x6x6 cube plus 24 greys) into a
 * malloc'ed buffer; the caller frees it. For terminals without the kitty or iTerm2 protocols. */
cv_status cv_canvas_encode_sixel(const cv_canvas *c, uint8_t **out, size_t *len);

#endif
