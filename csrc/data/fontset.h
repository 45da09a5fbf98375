/* fontset.h - the "other hands" evaluation set of cvision.datasets.hanzi_fonts: characters drawn
 * from the glyph OUTLINES of CJK fonts (never from the stroke data the training set is written
 * from), then degraded as a scan of a printed page would be.
 *
 * One sample: the glyph is rasterised (stb_truetype) at about twice the output size, made bolder
 * or lighter by grayscale morphology (a disk of radius 0..2 px at that render scale, eroding only
 * as far as keeps most of the ink), mapped through one geometric transform (rotation up to 8
 * degrees, scale and aspect +-15%, a smooth elastic warp: a Gaussian-smoothed random displacement
 * field) with 2x2 supersampling, cropped tightly around its ink with a random margin of 0..15% of
 * the ink box per side, toned (ink 0..70 on paper 225..255, uneven inking), blurred and noised.
 * Output: a uint8 (H,W,1) crop of about 60..110 x 40..100 pixels, like cvision's handwriting
 * generator (csrc/data/hanzi.c), which image_dataset_from_directory resizes to 80x60.
 *
 * Every random choice comes from one cv_rng stream seeded by the job's seed, usually
 * cv_fontsample_seed(seed, font name, code point, index): any sample can be rendered alone, in any
 * thread, and the same seed gives the same bytes whatever the thread count.
 *
 * Names: "glyph font" is one loaded font file; the plot's cv_fontset (plot/font.h, text on a
 * canvas) is a different thing. A font without a glyph for a code point is an error naming the
 * font file and the character (the Lua side skips such fonts for that character). */
#ifndef CV_FONTSET_H
#define CV_FONTSET_H

#include <stddef.h>
#include <stdint.h>
#include "tensor/tensor.h"

typedef struct cv_glyph_font cv_glyph_font;

/* Opens face `index` of the font file at path (TrueType or a TrueType collection), mapping the
 * file read-only. *out is NULL on failure; errors name the path. */
cv_status cv_glyph_font_open(cv_glyph_font **out, const char *path, int index);
/* Unmaps and frees f (NULL is fine). */
void cv_glyph_font_close(cv_glyph_font *f);
/* 1 when f has a non-empty outline for code point cp, else 0. */
int cv_glyph_font_has(const cv_glyph_font *f, uint32_t cp);
/* The path f was opened from. */
const char *cv_glyph_font_path(const cv_glyph_font *f);

/* The seed of sample `index` of character cp in the font named font_name (a well-mixed hash of
 * all four, so adding a font or a character changes no other sample). */
uint64_t cv_fontsample_seed(uint64_t seed, const char *font_name, uint32_t cp, int64_t index);

/* Renders one sample of cp from f -> out (H,W,1) uint8 (out EMPTY; allocated here). */
cv_status cv_fontsample_render(cv_tensor *out, const cv_glyph_font *f, uint32_t cp, uint64_t seed);

/* One file to write: font number (into the fonts array), code point, the sample's seed, path. */
typedef struct cv_fontsample_job {
  int font;
  uint32_t cp;
  uint64_t seed;
  const char *path;
} cv_fontsample_job;

/* Renders every job and writes it as an 8-bit grayscale PNG (io/png_write.h, the one writer), in
 * cvision's thread pool. Every job
 * is checked (font number, glyph present) before anything is written; stops at the first failure,
 * whose message names the file. */
cv_status cv_fontsample_generate(cv_glyph_font *const *fonts, int nfonts,
                                 const cv_fontsample_job *jobs, size_t njobs);

/* Building blocks, public for the tests. Images are (h,w) float rows; borders replicate.
 * Gaussian blur with standard deviation sigma (radius ceil(3 sigma)), separable; tmp holds h*w
 * floats; dst may not alias src. */
void cv_fontsample_blur(float *dst, const float *src, int h, int w, float sigma, float *tmp);
/* The same as one 2-D sum per pixel (the reference the tests compare with). */
void cv_fontsample_blur_ref(float *dst, const float *src, int h, int w, float sigma);
/* Grayscale morphology with a disk of integer radius r (|r| <= 8): r > 0 dilates (max over the
 * disk), r < 0 erodes (min); outside the image counts as 0. Row runs per disk row. */
void cv_fontsample_morph(float *dst, const float *src, int h, int w, int r);
/* The same, one disk offset at a time (the reference). */
void cv_fontsample_morph_ref(float *dst, const float *src, int h, int w, int r);

#endif
