/* hanzi_impl.h - the handwriting renderer's phases (private to csrc/data/hanzi*.c).
 *
 * cv_hanzi_render (hanzi.c) runs them in order, each in its own file:
 *   1. hz_writer_draw   (hanzi_writer.c)  the writer's style, from the writer's seed
 *   2. hz_shape_strokes (hanzi_shape.c)   the glyph's centre lines as this hand moves them: components,
 *                                          per-stroke jitter, overshoot/gaps, wobble, pressure, hooks,
 *                                          running connections, stray marks
 *   3. hz_deform        (hanzi_shape.c)   the whole character: elastic field, warp, turn, slant, aspect
 *   4. hz_ink           (hanzi_ink.c)     the crop (tight or with margins) and the pen: capsules whose
 *                                          radius follows pressure and the nib's angle, supersampled
 *   5. hz_page          (hanzi_page.c)    down to pixels, blur, ink on toned paper, texture, noise
 * Geometry is in hanzi-writer-data's 1024-unit box turned y-down until hz_ink maps it to pixels. */
#ifndef CV_HANZI_IMPL_H
#define CV_HANZI_IMPL_H

#include "data/hanzi.h"
#include "base/random.h"
#include <math.h>

#define HZ_SS 2                 /* supersampling factor (the capsules are antialiased themselves) */
#define HZ_STEP 9.0f            /* resampling step along a stroke, in glyph units (~0.8 px) */
#define HZ_PI 3.14159265f

typedef struct hz_pt { float x, y, w; } hz_pt;   /* w: pen radius multiplier (pressure) */

typedef struct hz_stroke { hz_pt *p; int n, cap; float alpha; } hz_stroke;

/* A drawing: strokes (the glyph's, then running connections and marks) */
typedef struct hz_drawing { hz_stroke *st; int n, cap; } hz_drawing;

/* A writer's style: the same for every character that writer writes */
typedef struct hz_writer {
  float slant, rot, aspect, size, sloppy, round_passes, spacing;
  /* the pen: radius in glyph units (thin pen ~8 .. brush ~55), pressure at stroke ends, thinning
   * with speed, the nib's contrast (0 round pen .. 0.8 broad nib) and angle */
  float pen, taper_in, taper_out, speed_thin, press, nib, nib_angle;
  /* habits: running connections, overshoot, tremor, hooks, pen lifts (gaps), elastic wobble */
  float lig, over, tremor, hook, gaps, elastic;
  /* the page: ink darkness, paper tone, blur, texture; crop: tight or with margins */
  float ink, paper, blur, texture, margin;
  int tight;
} hz_writer;

static inline float hz_unif(cv_rng *r, float a, float b) { return a + (b - a) * cv_rng_next_uniform(r); }
static inline float hz_gauss(cv_rng *r, float sd) { return sd * cv_rng_next_normal(r); }
static inline float hz_clamp(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }
static inline float hz_len(float dx, float dy) { return sqrtf(dx * dx + dy * dy); }   /* hypotf is slow */
static inline float hz_smooth01(float t) { t = hz_clamp(t, 0.0f, 1.0f); return t * t * (3.0f - 2.0f * t); }

/* hanzi_writer.c */
void hz_writer_draw(hz_writer *w, uint64_t seed);

/* hanzi_stroke.c: polyline helpers; 0 = out of memory */
int hz_push(hz_stroke *s, float x, float y, float w);
float hz_poly_len(const hz_pt *p, int n);
int hz_chaikin(hz_stroke *s);
int hz_resample(hz_stroke *s, float a, float b);
hz_stroke *hz_new_stroke(hz_drawing *d);   /* NULL when full or out of memory */
void hz_drawing_free(hz_drawing *d);

/* hanzi_shape.c; s is this sample's messiness */
cv_status hz_shape_strokes(hz_drawing *d, const cv_hanzi_glyph *g, const hz_writer *w, cv_rng *r, float s);
void hz_deform(hz_drawing *d, const hz_writer *w, cv_rng *r, float s);

/* hanzi_ink.c: the crop and the pen -> cov (HS, WS) coverage at HZ_SS x, H and W in pixels;
 * nstrokes: the glyph's stroke count (finer lines for complex characters) */
cv_status hz_ink(float **cov, int *H, int *W, hz_drawing *d, int nstrokes, const hz_writer *w, cv_rng *r);

/* hanzi_page.c: coverage -> out (H,W,1) uint8, allocated here */
cv_status hz_page(cv_tensor *out, const float *cov, int H, int W, const hz_writer *w, cv_rng *r);

#endif
