/* hanzi.c - the handwriting renderer behind cvision.datasets.hanzi (see hanzi.h): the seed hash,
 * cv_hanzi_render running the phases of hanzi_impl.h in order, and the threaded generator.
 *
 * Realism over tidiness: CASIA's writers are messy and varied, and a model trained on tidy or
 * uniform strokes learns little that carries over to other hands, so every knob has a
 * writer-level and a sample-level spread (hanzi_writer.c), and a few writers are bad. */
#include "data/hanzi_impl.h"
#include "base/threadpool.h"
#include "io/png_write.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t cv_hanzi_seed(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  z += b * 0xD6E8FEB86659FD93ull;
  z = (z ^ (z >> 32)) * 0xD6E8FEB86659FD93ull;
  return z ^ (z >> 32);
}

cv_status cv_hanzi_render(cv_tensor *out, const cv_hanzi_glyph *g, uint64_t writer_seed,
                          uint64_t sample_seed) {
  if (!g || g->nstrokes < 1) return cv_fail(CV_EINVAL, "hanzi: glyph has no strokes");
  hz_writer w;
  hz_writer_draw(&w, writer_seed);
  cv_rng r;
  cv_rng_init(&r, sample_seed);
  float s = w.sloppy * expf(hz_gauss(&r, 0.2f));          /* this sample's messiness */
  /* room for the glyph's strokes, a pen lift in each, a running connection after each, a mark */
  hz_drawing d = {NULL, 0, 3 * g->nstrokes + 2};
  float *cov = NULL;
  int H = 0, W = 0;
  cv_status st = (d.st = calloc((size_t)d.cap, sizeof *d.st)) ? CV_OK : CV_ENOMEM;
  if (st == CV_OK) st = hz_shape_strokes(&d, g, &w, &r, s);
  if (st == CV_OK) { hz_deform(&d, &w, &r, s); st = hz_ink(&cov, &H, &W, &d, g->nstrokes, &w, &r); }
  if (st == CV_OK) st = hz_page(out, cov, H, W, &w, &r);
  free(cov);
  hz_drawing_free(&d);
  if (st == CV_ENOMEM) return cv_fail(CV_ENOMEM, "hanzi: out of memory");
  return st;
}

typedef struct gen_ctx {
  const cv_hanzi_glyph *glyphs;
  int nglyphs;
  const cv_hanzi_job *jobs;
  uint64_t base_seed;
  pthread_mutex_t lock;
  int failed;
  cv_status status;
  char msg[512];
} gen_ctx;

static void gen_range(void *vctx, int64_t begin, int64_t end) {
  gen_ctx *c = vctx;
  for (int64_t i = begin; i < end; i++) {
    pthread_mutex_lock(&c->lock);
    int stop = c->failed;
    pthread_mutex_unlock(&c->lock);
    if (stop) return;
    const cv_hanzi_job *j = &c->jobs[i];
    cv_tensor t = {0};
    cv_status st;
    if (j->glyph < 0 || j->glyph >= c->nglyphs)
      st = cv_fail(CV_EINVAL, "hanzi: job %lld names glyph %d of %d", (long long)i, j->glyph, c->nglyphs);
    else
      st = cv_hanzi_render(&t, &c->glyphs[j->glyph], cv_hanzi_seed(c->base_seed, j->writer), j->seed);
    if (st == CV_OK) st = cv_png_write(j->path, cv_tensor_u8(&t), (int)t.shape[0], (int)t.shape[1], 1, (int)t.shape[1]);
    cv_tensor_release(&t);
    if (st != CV_OK) {
      pthread_mutex_lock(&c->lock);
      if (!c->failed) {
        c->failed = 1;
        c->status = st;
        snprintf(c->msg, sizeof c->msg, "%s", cv_last_error());
      }
      pthread_mutex_unlock(&c->lock);
      return;
    }
  }
}

cv_status cv_hanzi_generate(const cv_hanzi_glyph *glyphs, int nglyphs, const cv_hanzi_job *jobs,
                            size_t njobs, uint64_t base_seed) {
  gen_ctx c;
  memset(&c, 0, sizeof c);
  c.glyphs = glyphs;
  c.nglyphs = nglyphs;
  c.jobs = jobs;
  c.base_seed = base_seed;
  pthread_mutex_init(&c.lock, NULL);
  cv_parallel_for((int64_t)njobs, 16, gen_range, &c);
  pthread_mutex_destroy(&c.lock);
  if (c.failed) return cv_fail(c.status, "%s", c.msg);
  return CV_OK;
}
