/* hanzi.h - synthetic handwritten Chinese characters, CASIA-like, rendered from stroke centre lines
 * (the `medians` of hanzi-writer-data: per-stroke point lists in a 1024-unit box, y up).
 *
 * A sample is drawn as a pen would draw it: each stroke's centre line is displaced, bent, stretched
 * or cut short, smoothed and wobbled, then inked as a chain of capsules whose radius follows the
 * pen's pressure, at 3x supersampling; the result is a tight crop of varying size, blurred, toned
 * (ink on paper) and noised. Two random streams drive it: the WRITER's (slant, size, aspect, pen,
 * neatness, habits: the same for every character that writer writes) and the SAMPLE's (this one
 * character's accidents). Both come from cv_rng streams seeded by hashes of (seed, writer) and
 * (seed, split, class, index), so any sample can be rendered alone, in any thread, and the same
 * seed gives the same bytes. */
#ifndef CV_HANZI_H
#define CV_HANZI_H

#include <stdint.h>
#include <stddef.h>
#include "tensor/tensor.h"

/* One character: nstrokes strokes; stroke s has npoints[s] points at xy[2*start[s] ...], where
 * start[s] = npoints[0] + ... + npoints[s-1]. group[s] (may be NULL) gives the stroke's component
 * (0 = rest, 1 = radical): strokes of one component move together. */
typedef struct cv_hanzi_glyph {
  int nstrokes;
  const int *npoints;
  const float *xy;
  const int *group;
} cv_hanzi_glyph;

/* One file to write: glyph index, writer id, the sample's seed (see cv_hanzi_seed) and path. */
typedef struct cv_hanzi_job {
  int glyph;
  uint32_t writer;
  uint64_t seed;
  const char *path;
} cv_hanzi_job;

/* A well-mixed 64-bit hash of (a, b): chain it to seed a sample from (seed, split, class, index). */
uint64_t cv_hanzi_seed(uint64_t a, uint64_t b);

/* Renders one sample -> out (H,W,1) uint8 (out EMPTY; allocated here, H and W vary per sample
 * around 60..110 x 40..100). writer_seed drives the writer's style, sample_seed this sample. */
cv_status cv_hanzi_render(cv_tensor *out, const cv_hanzi_glyph *g, uint64_t writer_seed,
                          uint64_t sample_seed);

/* Renders every job and writes it as an 8-bit grayscale PNG, using cvision's thread pool. The
 * writer seed of a job is cv_hanzi_seed(base_seed, writer). Stops at the first failure, whose
 * message names the file. */
cv_status cv_hanzi_generate(const cv_hanzi_glyph *glyphs, int nglyphs, const cv_hanzi_job *jobs,
                            size_t njobs, uint64_t base_seed);

#endif
