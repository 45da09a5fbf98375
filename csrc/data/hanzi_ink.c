/* hanzi_ink.c - phase 4 of the handwriting renderer (hanzi_impl.h): the crop (CASIA's tight boxes,
 * or a cell with margins, often uneven) and the pen: each stroke inked as a chain of capsules
 * whose radius follows the pressure and, for a broad nib, the stroke's direction against the
 * nib's angle, into a coverage map at HZ_SS x supersampling. */
#include "data/hanzi_impl.h"
#include <stdlib.h>

/* Draws the capsule a-b (radii ra, rb, pixels of the supersampled canvas) into cov with max. */
static void capsule(float *cov, int W, int H, hz_pt a, hz_pt b, float ra, float rb, float alpha) {
  float rmax = ra > rb ? ra : rb;
  int x0 = (int)floorf(fminf(a.x, b.x) - rmax - 1), x1 = (int)ceilf(fmaxf(a.x, b.x) + rmax + 1);
  int y0 = (int)floorf(fminf(a.y, b.y) - rmax - 1), y1 = (int)ceilf(fmaxf(a.y, b.y) + rmax + 1);
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > W - 1) x1 = W - 1;
  if (y1 > H - 1) y1 = H - 1;
  float dx = b.x - a.x, dy = b.y - a.y, dd = dx * dx + dy * dy;
  float inv = dd > 0.0f ? 1.0f / dd : 0.0f, reach = (rmax + 0.5f) * (rmax + 0.5f);
  for (int y = y0; y <= y1; y++) {
    float *row = cov + (size_t)y * W;
    for (int x = x0; x <= x1; x++) {
      if (row[x] >= alpha) continue;              /* already fully inked */
      float px = x + 0.5f - a.x, py = y + 0.5f - a.y;
      float t = hz_clamp((px * dx + py * dy) * inv, 0.0f, 1.0f);
      float ex = px - t * dx, ey = py - t * dy, e2 = ex * ex + ey * ey;
      if (e2 >= reach) continue;                  /* outside even the wider end */
      float c = ra + t * (rb - ra) - sqrtf(e2) + 0.5f;
      if (c <= 0.0f) continue;
      c = (c > 1.0f ? 1.0f : c) * alpha;
      if (c > row[x]) row[x] = c;
    }
  }
}

/* the nib's width factor for a segment going (dx, dy): 1 across the nib, 1 - nib along it */
static float nib_factor(const hz_writer *w, float dx, float dy) {
  if (w->nib <= 0.0f || (dx == 0.0f && dy == 0.0f)) return 1.0f;
  return 1.0f - w->nib + w->nib * fabsf(sinf(atan2f(dy, dx) - w->nib_angle));
}

typedef struct box { float minx, miny, maxx, maxy; } box;

static box bounds(const hz_drawing *d, float pen) {
  box b = {1e9f, 1e9f, -1e9f, -1e9f};
  for (int i = 0; i < d->n; i++)
    for (int j = 0; j < d->st[i].n; j++) {
      hz_pt p = d->st[i].p[j];
      float rr = pen * p.w;
      b.minx = fminf(b.minx, p.x - rr); b.maxx = fmaxf(b.maxx, p.x + rr);
      b.miny = fminf(b.miny, p.y - rr); b.maxy = fmaxf(b.maxy, p.y + rr);
    }
  return b;
}

/* the crop: the character's height in pixels, its scale, and the margins (pixels) per side */
typedef struct layout { float scale; int H, W, ml, mt; } layout;

static layout lay_out(const box *b, const hz_writer *w, cv_rng *r) {
  layout o;
  float hpx = hz_clamp(w->size + hz_gauss(r, 6.0f), 40.0f, 120.0f);
  float scale = hpx / (b->maxy - b->miny), wpx = (b->maxx - b->minx) * scale;
  /* a wide character is written smaller rather than wider: crops stay mostly taller than wide */
  float wmax = fminf(hpx * hz_unif(r, 1.0f, 1.3f), 125.0f);
  if (wpx > wmax) { scale *= wmax / wpx; hpx = (b->maxy - b->miny) * scale; wpx = wmax; }
  if (wpx < 12.0f) wpx = 12.0f;
  int m[4];
  for (int k = 0; k < 4; k++) {
    if (w->tight) m[k] = (int)(cv_rng_next(r) % 4);
    else m[k] = (int)lroundf(hpx * w->margin * hz_unif(r, 0.2f, 1.8f));   /* uneven: off-centre */
  }
  /* margins shrink the character rather than grow the crop past 130 x 136 px */
  float k = fminf(130.0f / (hpx + m[1] + m[3]), 136.0f / (wpx + m[0] + m[2]));
  if (k < 1.0f) {
    scale *= k; hpx *= k; wpx *= k;
    for (int i = 0; i < 4; i++) m[i] = (int)(m[i] * k);
  }
  o.scale = scale;
  o.ml = m[0]; o.mt = m[1];
  o.W = (int)lroundf(wpx) + m[0] + m[2];
  o.H = (int)lroundf(hpx) + m[1] + m[3];
  return o;
}

cv_status hz_ink(float **cov_out, int *H_out, int *W_out, hz_drawing *d, int nstrokes, const hz_writer *w,
                 cv_rng *r) {
  /* radius in glyph units; a many-stroke character is written with finer lines (a brush on 森
   * would be a blot): the radius shrinks as 1/sqrt(strokes) beyond six */
  float pen = w->pen * expf(hz_gauss(r, 0.1f)) * (nstrokes > 6 ? sqrtf(6.0f / nstrokes) : 1.0f);
  box b = bounds(d, pen);
  if (!(b.maxx > b.minx) || !(b.maxy > b.miny)) return cv_fail(CV_EINVAL, "hanzi: empty drawing");
  layout o = lay_out(&b, w, r);
  int HS = o.H * HZ_SS, WS = o.W * HZ_SS;
  float *cov = calloc((size_t)HS * WS, sizeof *cov);
  if (!cov) return CV_ENOMEM;
  float ssc = o.scale * HZ_SS;
  for (int i = 0; i < d->n; i++) {
    hz_stroke *s = &d->st[i];
    for (int j = 0; j < s->n; j++) {
      s->p[j].x = (s->p[j].x - b.minx) * ssc + o.ml * HZ_SS;
      s->p[j].y = (s->p[j].y - b.miny) * ssc + o.mt * HZ_SS;
    }
    /* capsules span several resampled points, about 0.7 radius long (the line is smooth at that
     * scale): a thick pen costs no more overlapping capsules than a thin one */
    for (int j = 0; j < s->n;) {
      hz_pt a = s->p[j];
      float reach = hz_clamp(0.7f * pen * a.w * ssc, HZ_STEP * ssc, 36.0f * ssc);
      int k = j + 1;
      while (k < s->n - 1 && hz_len(s->p[k].x - a.x, s->p[k].y - a.y) < reach) k++;
      if (k >= s->n) k = s->n - 1;
      hz_pt c = s->p[k];
      float f = nib_factor(w, c.x - a.x, c.y - a.y);
      float ra = fmaxf(pen * a.w * f * ssc, 0.6f), rb = fmaxf(pen * c.w * f * ssc, 0.6f);
      capsule(cov, WS, HS, a, c, ra, rb, s->alpha);
      if (k == j) break;
      j = k;
    }
  }
  *cov_out = cov;
  *H_out = o.H;
  *W_out = o.W;
  return CV_OK;
}
