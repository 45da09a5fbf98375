/* font.h - text for the canvas through stb_truetype: a font set (a primary face plus fallbacks,
 * each glyph taken from the first face that has it, so Latin text can use DejaVu Sans while Chinese
 * falls back to WenQuanYi Micro Hei), layout of UTF-8 strings with kerning, and rendering into an
 * 8-bit coverage mask drawn upright or rotated. Sizes are em sizes in pixels (pt * dpi / 72, as
 * matplotlib). */
#ifndef CV_FONT_H
#define CV_FONT_H

#include <stdint.h>
#include "base/cv_status.h"
#include "plot/raster.h"

#define CV_FONT_MAX_FACES 4

typedef struct cv_face cv_face;

typedef struct cv_fontset {
  cv_face *faces[CV_FONT_MAX_FACES];
  int nfaces;
} cv_fontset;

/* Loads face `index` of the font file at path (TrueType, OpenType/CFF or a collection) and appends
 * it to the set (as the last fallback). */
cv_status cv_fontset_add(cv_fontset *fs, const char *path, int index);
/* Like cv_fontset_add but makes the new face the primary one. */
cv_status cv_fontset_add_primary(cv_fontset *fs, const char *path, int index);
/* Frees every face; fs is then empty. */
void cv_fontset_clear(cv_fontset *fs);
/* 1 when some face of the set has a glyph for the code point, else 0. */
int cv_fontset_has_glyph(const cv_fontset *fs, uint32_t cp);

typedef struct cv_text_metrics {
  float width;    /* advance width of the string */
  float ascent;   /* line ascent above the baseline (positive) */
  float descent;  /* line descent below the baseline (positive) */
} cv_text_metrics;

/* Measures utf8 at em size px. */
cv_status cv_text_measure(const cv_fontset *fs, const char *utf8, float px, cv_text_metrics *m);
/* Draws utf8 with its anchor point at (x, y): halign 0 left, 1 centre, 2 right of the advance box;
 * valign 0 baseline, 1 top (ascent), 2 centre, 3 bottom (descent); rotated by angle degrees
 * counter-clockwise about the anchor, as matplotlib's rotation_mode="anchor". */
cv_status cv_text_draw(cv_canvas *c, const cv_fontset *fs, const char *utf8, float px, float x,
                       float y, int halign, int valign, float angle, cv_color col);

/* One glyph of a laid-out string: the face of the set it comes from, its glyph index there, the
 * code point it stands for, and its pen position and advance in pixels from the string's start
 * (kerning applied, as cv_text_draw places it). */
typedef struct cv_glyph_place {
  int face, glyph;
  uint32_t cp;
  float x, advance;
} cv_glyph_place;

/* out[0..cap), *n -> the glyphs of utf8 at em size px, as cv_text_draw lays them out (*n may
 * exceed cap: then only the first cap are written). For vector output (PDF, SVG). */
cv_status cv_text_glyphs(cv_glyph_place *out, int cap, int *n, const cv_fontset *fs,
                         const char *utf8, float px);

/* Outline segment kinds of cv_glyph_outline (y up, units of 1/1000 em). */
enum { CV_PATH_MOVE = 1, CV_PATH_LINE = 2, CV_PATH_QUAD = 3, CV_PATH_CUBIC = 4 };

/* One segment: kind, end point (x, y), control points (cx, cy) for QUAD, (cx, cy) and (cx1, cy1)
 * for CUBIC. */
typedef struct cv_path_seg { int kind; float x, y, cx, cy, cx1, cy1; } cv_path_seg;

/* *out (malloc'ed, *n segments; free it), *advance -> the outline of glyph `glyph` of face `face`
 * of the set in 1/1000 em with y up (the glyph space of a PDF Type 3 font), and its advance width
 * in the same units. A glyph without contours (a space) gives *n = 0 and *out = NULL. */
cv_status cv_glyph_outline(cv_path_seg **out, int *n, float *advance, const cv_fontset *fs,
                           int face, int glyph);

#endif
