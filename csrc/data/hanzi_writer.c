/* hanzi_writer.c - phase 1 of the handwriting renderer (hanzi_impl.h): a writer's style, drawn from
 * the writer's seed. Each knob spreads as people's hands do: most writers are ordinary, some are
 * extreme (a broad brush, a running hand, a generous margin), and a few are bad. */
#include "data/hanzi_impl.h"

static float log_unif(cv_rng *r, float a, float b) { return expf(hz_unif(r, logf(a), logf(b))); }

static void draw_geometry(hz_writer *w, cv_rng *r) {
  w->slant = hz_gauss(r, 0.13f);
  w->rot = hz_gauss(r, 0.05f);
  w->aspect = expf(logf(0.88f) + hz_gauss(r, 0.15f));   /* hands write narrower than the font */
  w->size = hz_clamp(78.0f + hz_gauss(r, 11.0f), 50.0f, 110.0f);
  w->sloppy = expf(logf(1.2f) + hz_gauss(r, 0.4f));
  if (cv_rng_next_uniform(r) < 0.08f) w->sloppy *= hz_unif(r, 1.3f, 1.9f);   /* bad writers */
  w->round_passes = hz_unif(r, 0.0f, 3.99f);
  w->spacing = expf(hz_gauss(r, 0.10f));
  w->elastic = cv_rng_next_uniform(r) < 0.5f ? hz_unif(r, 0.0f, 6.0f) : hz_unif(r, 6.0f, 13.0f);
}

static void draw_pen(hz_writer *w, cv_rng *r) {
  /* from a fine pen to a broad brush: the radius in glyph units, log-uniform over 6x */
  w->pen = log_unif(r, 9.0f, 40.0f);
  w->taper_in = hz_unif(r, 0.35f, 1.0f);
  w->taper_out = hz_unif(r, 0.15f, 1.0f);
  w->speed_thin = hz_unif(r, 0.0f, 0.45f);
  /* pressing at the start and end of strokes (a brush's or a felt pen's blobs) */
  w->press = cv_rng_next_uniform(r) < 0.5f ? hz_unif(r, 0.1f, 0.6f) : 0.0f;
  /* a broad nib: strokes across it are thick, along it thin (Song-like contrast when level) */
  w->nib = cv_rng_next_uniform(r) < 0.4f ? hz_unif(r, 0.3f, 0.8f) : 0.0f;
  w->nib_angle = hz_unif(r, -0.9f, 0.5f);
}

static void draw_habits(hz_writer *w, cv_rng *r) {
  w->lig = cv_rng_next_uniform(r) < 0.4f ? hz_unif(r, 0.05f, 0.6f) : 0.0f;
  w->over = hz_gauss(r, 0.05f);
  w->tremor = hz_unif(r, 0.0f, 2.5f);
  w->hook = hz_unif(r, 0.0f, 0.5f);
  w->gaps = cv_rng_next_uniform(r) < 0.3f ? hz_unif(r, 0.02f, 0.1f) : 0.0f;
}

static void draw_page(hz_writer *w, cv_rng *r) {
  w->ink = hz_unif(r, 0.0f, 70.0f);
  w->paper = 255.0f - (cv_rng_next_uniform(r) < 0.5f ? 0.0f : hz_unif(r, 0.0f, 30.0f));
  w->blur = hz_unif(r, 0.2f, 1.25f);
  w->texture = cv_rng_next_uniform(r) < 0.4f ? hz_unif(r, 2.0f, 10.0f) : 0.0f;
  /* CASIA's crops are tight; photographed or scanned cells leave a margin, often uneven */
  w->tight = cv_rng_next_uniform(r) < 0.55f;
  w->margin = w->tight ? 0.0f : hz_unif(r, 0.03f, 0.22f);
}

void hz_writer_draw(hz_writer *w, uint64_t seed) {
  cv_rng r;
  cv_rng_init(&r, seed);
  draw_geometry(w, &r);
  draw_pen(w, &r);
  draw_habits(w, &r);
  draw_page(w, &r);
}
