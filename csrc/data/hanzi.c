/* hanzi.c - the handwriting renderer behind cvision.datasets.hanzi (see hanzi.h).
 *
 * Units: the glyph lives in hanzi-writer-data's 1024-unit box, turned y-down (y' = 900 - y); all
 * geometry up to the final crop is in those units, then scaled to pixels. Realism over tidiness:
 * CASIA's writers are messy, and a model trained on tidy strokes learns little that carries over,
 * so every knob below has a writer-level and a sample-level spread, and a few writers are bad. */
#include "data/hanzi.h"
#include "base/random.h"
#include "base/threadpool.h"
#include <math.h>
#include <png.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SS 3                 /* supersampling factor */
#define STEP 9.0f            /* resampling step along a stroke, in glyph units (~0.8 px) */
#define PI_F 3.14159265f

typedef struct pt { float x, y, w; } pt;   /* w: pen radius multiplier (pressure) */

typedef struct stroke { pt *p; int n, cap; float alpha; } stroke;

typedef struct writer {
  float slant, rot, aspect, size, pen, sloppy, round_passes, taper_in, taper_out, speed_thin;
  float lig, over, tremor, ink, paper, spacing, hook;
} writer;

uint64_t cv_hanzi_seed(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  z += b * 0xD6E8FEB86659FD93ull;
  z = (z ^ (z >> 32)) * 0xD6E8FEB86659FD93ull;
  return z ^ (z >> 32);
}

static float unif(cv_rng *r, float a, float b) { return a + (b - a) * cv_rng_next_uniform(r); }
static float gauss(cv_rng *r, float sd) { return sd * cv_rng_next_normal(r); }
static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }
static float smooth01(float t) { t = clampf(t, 0.0f, 1.0f); return t * t * (3.0f - 2.0f * t); }

static void draw_writer(writer *w, uint64_t seed) {
  cv_rng r;
  cv_rng_init(&r, seed);
  w->slant = gauss(&r, 0.13f);
  w->rot = gauss(&r, 0.05f);
  w->aspect = expf(logf(0.86f) + gauss(&r, 0.12f));   /* hands write narrower than the font */
  w->size = clampf(78.0f + gauss(&r, 11.0f), 50.0f, 110.0f);
  w->pen = expf(logf(19.0f) + gauss(&r, 0.33f));
  w->sloppy = expf(logf(1.2f) + gauss(&r, 0.4f));
  if (cv_rng_next_uniform(&r) < 0.12f) w->sloppy *= unif(&r, 1.4f, 2.2f);   /* bad writers */
  w->round_passes = unif(&r, 0.0f, 3.99f);
  w->taper_in = unif(&r, 0.35f, 1.0f);
  w->taper_out = unif(&r, 0.15f, 1.0f);
  w->speed_thin = unif(&r, 0.0f, 0.45f);
  w->lig = cv_rng_next_uniform(&r) < 0.4f ? unif(&r, 0.05f, 0.6f) : 0.0f;
  w->over = gauss(&r, 0.05f);
  w->tremor = unif(&r, 0.0f, 2.5f);
  w->ink = unif(&r, 0.0f, 70.0f);
  w->paper = 255.0f - (cv_rng_next_uniform(&r) < 0.5f ? 0.0f : unif(&r, 0.0f, 30.0f));
  w->spacing = expf(gauss(&r, 0.10f));
  w->hook = unif(&r, 0.0f, 0.5f);
}

static int push(stroke *s, float x, float y, float w) {
  if (s->n == s->cap) {
    int cap = s->cap ? 2 * s->cap : 64;
    pt *p = realloc(s->p, (size_t)cap * sizeof *p);
    if (!p) return 0;
    s->p = p;
    s->cap = cap;
  }
  s->p[s->n++] = (pt){x, y, w};
  return 1;
}

static float poly_len(const pt *p, int n) {
  float L = 0.0f;
  for (int i = 1; i < n; i++) L += hypotf(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y);
  return L;
}

/* Point at arc length s along p[0..n). */
static pt poly_at(const pt *p, int n, float s) {
  if (n == 1 || s <= 0.0f) return p[0];
  for (int i = 1; i < n; i++) {
    float d = hypotf(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y);
    if (s <= d && d > 0.0f) {
      float t = s / d;
      return (pt){p[i - 1].x + t * (p[i].x - p[i - 1].x), p[i - 1].y + t * (p[i].y - p[i - 1].y),
                  p[i - 1].w + t * (p[i].w - p[i - 1].w)};
    }
    s -= d;
  }
  return p[n - 1];
}

/* Chaikin corner cutting, endpoints kept: a hand rounds the font's sharp turns. */
static int chaikin(stroke *s) {
  if (s->n < 3) return 1;
  stroke o = {0};
  if (!push(&o, s->p[0].x, s->p[0].y, 1.0f)) return 0;
  for (int i = 0; i + 1 < s->n; i++) {
    pt a = s->p[i], b = s->p[i + 1];
    if (i > 0 && !push(&o, 0.75f * a.x + 0.25f * b.x, 0.75f * a.y + 0.25f * b.y, 1.0f)) goto fail;
    if (i + 2 < s->n && !push(&o, 0.25f * a.x + 0.75f * b.x, 0.25f * a.y + 0.75f * b.y, 1.0f)) goto fail;
  }
  if (!push(&o, s->p[s->n - 1].x, s->p[s->n - 1].y, 1.0f)) goto fail;
  free(s->p);
  *s = o;
  return 1;
fail:
  free(o.p);
  return 0;
}

/* Replaces s by its points every STEP units from arc length a to b (a < 0 or b > length extend
 * the end segments straight on: overshoot; a > 0 or b < length cut the stroke short). */
static int resample(stroke *s, float a, float b) {
  stroke o = {0};
  int n = s->n;
  float L = poly_len(s->p, n);
  if (b - a < 1.0f) b = a + 1.0f;
  int m = (int)ceilf((b - a) / STEP) + 1;
  if (m < 2) m = 2;
  for (int i = 0; i < m; i++) {
    float u = a + (b - a) * (float)i / (float)(m - 1);
    pt q;
    if (u < 0.0f && n > 1) {
      float dx = s->p[1].x - s->p[0].x, dy = s->p[1].y - s->p[0].y, d = hypotf(dx, dy);
      if (d <= 0.0f) d = 1.0f;
      q = (pt){s->p[0].x + u * dx / d, s->p[0].y + u * dy / d, 1.0f};
    } else if (u > L && n > 1) {
      float dx = s->p[n - 1].x - s->p[n - 2].x, dy = s->p[n - 1].y - s->p[n - 2].y, d = hypotf(dx, dy);
      if (d <= 0.0f) d = 1.0f;
      q = (pt){s->p[n - 1].x + (u - L) * dx / d, s->p[n - 1].y + (u - L) * dy / d, 1.0f};
    } else {
      q = poly_at(s->p, n, u);
    }
    if (!push(&o, q.x, q.y, 1.0f)) { free(o.p); return 0; }
  }
  free(s->p);
  *s = o;
  return 1;
}

typedef struct warp { float ax[3], ay[3], fx[3], fy[3], ph[3], ph2[3]; } warp;

static void draw_warp(warp *w, cv_rng *r, float amp) {
  for (int k = 0; k < 3; k++) {
    float th = unif(r, 0.0f, 2.0f * PI_F), f = unif(r, 0.4f, 1.4f);
    w->fx[k] = f * cosf(th) * 2.0f * PI_F / 1024.0f;
    w->fy[k] = f * sinf(th) * 2.0f * PI_F / 1024.0f;
    w->ax[k] = gauss(r, amp);
    w->ay[k] = gauss(r, amp);
    w->ph[k] = unif(r, 0.0f, 2.0f * PI_F);
    w->ph2[k] = unif(r, 0.0f, 2.0f * PI_F);
  }
}

static void apply_warp(const warp *w, float *x, float *y) {
  float dx = 0.0f, dy = 0.0f, x0 = *x, y0 = *y;
  for (int k = 0; k < 3; k++) {
    float a = w->fx[k] * x0 + w->fy[k] * y0;
    dx += w->ax[k] * sinf(a + w->ph[k]);
    dy += w->ay[k] * sinf(a + w->ph2[k]);
  }
  *x = x0 + dx;
  *y = y0 + dy;
}

/* Draws the capsule a-b (radii ra, rb, pixels of the supersampled canvas) into cov with max. */
static void capsule(float *cov, int W, int H, pt a, pt b, float ra, float rb, float alpha) {
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
      float t = clampf((px * dx + py * dy) * inv, 0.0f, 1.0f);
      float ex = px - t * dx, ey = py - t * dy, e2 = ex * ex + ey * ey;
      if (e2 >= reach) continue;                  /* outside even the wider end */
      float c = ra + t * (rb - ra) - sqrtf(e2) + 0.5f;
      if (c <= 0.0f) continue;
      c = (c > 1.0f ? 1.0f : c) * alpha;
      if (c > row[x]) row[x] = c;
    }
  }
}

static void free_strokes(stroke *s, int n) {
  for (int i = 0; i < n; i++) free(s[i].p);
  free(s);
}

cv_status cv_hanzi_render(cv_tensor *out, const cv_hanzi_glyph *g, uint64_t writer_seed,
                          uint64_t sample_seed) {
  if (!g || g->nstrokes < 1) return cv_fail(CV_EINVAL, "hanzi: glyph has no strokes");
  writer w;
  draw_writer(&w, writer_seed);
  cv_rng rs, *r = &rs;
  cv_rng_init(r, sample_seed);
  float s = w.sloppy * expf(gauss(r, 0.2f));          /* this sample's messiness */

  /* room for the glyph's strokes, one extra mark, and a ligature after each stroke */
  int cap = 2 * g->nstrokes + 2, ns = 0;
  stroke *st = calloc((size_t)cap, sizeof *st);
  float *cov = NULL;
  cv_status status = CV_ENOMEM;
  if (!st) goto done;

  /* component (radical) offsets and scales */
  float gdx[2], gdy[2], gsc[2];
  for (int k = 0; k < 2; k++) {
    gdx[k] = gauss(r, 20.0f * s);
    gdy[k] = gauss(r, 20.0f * s);
    gsc[k] = expf(gauss(r, 0.07f * s));
  }
  float gcx[2] = {0, 0}, gcy[2] = {0, 0}, gcn[2] = {0, 0};
  for (int i = 0, at = 0; i < g->nstrokes; at += g->npoints[i], i++) {
    int k = g->group && g->group[i] ? 1 : 0;
    for (int j = 0; j < g->npoints[i]; j++) {
      gcx[k] += g->xy[2 * (at + j)];
      gcy[k] += 900.0f - g->xy[2 * (at + j) + 1];
      gcn[k] += 1.0f;
    }
  }
  for (int k = 0; k < 2; k++) if (gcn[k] > 0) { gcx[k] /= gcn[k]; gcy[k] /= gcn[k]; }
  /* spread the components apart or squeeze them together (writer's habit) */
  if (gcn[0] > 0 && gcn[1] > 0) {
    float mx = 0.5f * (gcx[0] + gcx[1]), my = 0.5f * (gcy[0] + gcy[1]);
    float sp = w.spacing * expf(gauss(r, 0.06f * s)) - 1.0f;
    for (int k = 0; k < 2; k++) { gdx[k] += sp * (gcx[k] - mx); gdy[k] += sp * (gcy[k] - my); }
  }

  /* a rarely dropped stroke (never from a short glyph) */
  int drop = -1;
  if (g->nstrokes > 4 && cv_rng_next_uniform(r) < 0.025f * s) drop = (int)(cv_rng_next(r) % (uint32_t)g->nstrokes);

  float minx = 1e9f, miny = 1e9f, maxx = -1e9f, maxy = -1e9f;
  for (int i = 0, at = 0; i < g->nstrokes; at += g->npoints[i], i++) {
    int k = g->group && g->group[i] ? 1 : 0;
    stroke *o = &st[ns];
    for (int j = 0; j < g->npoints[i]; j++) {
      float x = g->xy[2 * (at + j)], y = 900.0f - g->xy[2 * (at + j) + 1];
      x = gcx[k] + gsc[k] * (x - gcx[k]) + gdx[k];
      y = gcy[k] + gsc[k] * (y - gcy[k]) + gdy[k];
      if (!push(o, x, y, 1.0f)) goto done;
    }
    if (i == drop) { o->n = 0; continue; }
    ns++;
    /* the stroke as a whole: shifted, turned and stretched about its middle */
    float cx = 0, cy = 0;
    for (int j = 0; j < o->n; j++) { cx += o->p[j].x; cy += o->p[j].y; }
    cx /= o->n; cy /= o->n;
    float ang = gauss(r, 0.08f * s), sc = expf(gauss(r, 0.1f * s));
    float ox = gauss(r, 12.0f * s), oy = gauss(r, 12.0f * s), ca = cosf(ang), sa = sinf(ang);
    for (int j = 0; j < o->n; j++) {
      float x = o->p[j].x - cx, y = o->p[j].y - cy;
      o->p[j].x = cx + sc * (ca * x - sa * y) + ox;
      o->p[j].y = cy + sc * (sa * x + ca * y) + oy;
    }
    for (int pass = 0; pass < (int)w.round_passes; pass++) if (!chaikin(o)) goto done;
    /* overshoot or fall short at either end */
    float L = poly_len(o->p, o->n);
    float e0 = clampf(gauss(r, 0.09f * s) + 0.5f * w.over, -0.35f, 0.3f);
    float e1 = clampf(gauss(r, 0.1f * s) + w.over, -0.4f, 0.35f);
    float a = -e0 * L, b = L + e1 * L;
    if (a < -90.0f) a = -90.0f;
    if (b > L + 110.0f) b = L + 110.0f;
    if (o->n == 1) { a = 0; b = 1.0f; }
    if (!resample(o, a, b)) goto done;
    /* low-frequency wobble across the stroke, tremor, and the pen's pressure along it */
    float L2 = poly_len(o->p, o->n) + 1e-3f;
    float wa[3], wf[3], wp[3], pa = gauss(r, 0.12f), pf = unif(r, 0.5f, 2.0f), pp = unif(r, 0.0f, 6.3f);
    for (int h = 0; h < 3; h++) {
      wa[h] = gauss(r, 7.0f * s / (float)(h + 1));
      wf[h] = (float)(h + 1) * unif(r, 0.5f, 1.0f);
      wp[h] = unif(r, 0.0f, 2.0f * PI_F);
    }
    float tin = clampf(w.taper_in + gauss(r, 0.15f), 0.15f, 1.0f);
    float tout = clampf(w.taper_out + gauss(r, 0.2f), 0.08f, 1.0f);
    /* strokes that end going down-left (pie) thin out to a point */
    if (o->n >= 2) {
      float dx = o->p[o->n - 1].x - o->p[o->n - 2].x, dy = o->p[o->n - 1].y - o->p[o->n - 2].y;
      if (dx < 0 && dy > 0) tout *= 0.5f;
    }
    pt *q = o->p;
    float acc = 0.0f;
    float tr = w.tremor;
    /* normals from the undisplaced line: w holds the normal's angle until the pressure goes in */
    for (int j = 0; j < o->n; j++) {
      int j0 = j > 0 ? j - 1 : j, j1 = j + 1 < o->n ? j + 1 : j;
      q[j].w = atan2f(q[j1].y - q[j0].y, q[j1].x - q[j0].x);
    }
    float px = q[0].x, py = q[0].y;
    for (int j = 0; j < o->n; j++) {
      if (j > 0) acc += hypotf(q[j].x - px, q[j].y - py);
      px = q[j].x; py = q[j].y;
      float t = acc / L2;
      float nx = -sinf(q[j].w), ny = cosf(q[j].w);
      float d = 0.0f;
      for (int h = 0; h < 3; h++) d += wa[h] * sinf(wf[h] * PI_F * t + wp[h]);
      d += tr * sinf(acc * 0.35f + wp[0]) * 0.7f;
      q[j].x += d * nx;
      q[j].y += d * ny;
      float p = tin + (1.0f - tin) * smooth01(t / 0.12f);
      p *= tout + (1.0f - tout) * smooth01((1.0f - t) / 0.18f);
      p *= 1.0f - w.speed_thin * sinf(PI_F * t);
      p *= 1.0f + pa * sinf(pf * PI_F * t + pp);
      q[j].w = p < 0.12f ? 0.12f : p;
    }
    /* a hook at the end of some strokes (a flick toward where the pen goes next) */
    if (o->n >= 2 && cv_rng_next_uniform(r) < w.hook * 0.4f) {
      float hx = gauss(r, 30.0f), hy = gauss(r, 30.0f) - 20.0f;
      pt e = q[o->n - 1];
      for (int h = 1; h <= 4; h++)
        if (!push(o, e.x + hx * h / 4.0f, e.y + hy * h / 4.0f, e.w * (1.0f - 0.18f * h))) goto done;
    }
    o->alpha = clampf(1.0f - fabsf(gauss(r, 0.08f)), 0.6f, 1.0f);
  }
  /* ligatures: a thin trace from one stroke's end to the next one's start */
  int nreal = ns;
  for (int i = 0; i + 1 < nreal && ns < cap; i++) {
    if (cv_rng_next_uniform(r) >= w.lig) continue;
    pt a = st[i].p[st[i].n - 1], b = st[i + 1].p[0];
    float d = hypotf(b.x - a.x, b.y - a.y);
    if (d > 380.0f || d < 20.0f) continue;
    stroke *o = &st[ns++];
    int m = (int)(d / STEP) + 2;
    float bend = gauss(r, 0.15f * d);
    for (int j = 0; j < m; j++) {
      float t = (float)j / (float)(m - 1), bb = bend * sinf(PI_F * t);
      float x = a.x + t * (b.x - a.x) - bb * (b.y - a.y) / d;
      float y = a.y + t * (b.y - a.y) + bb * (b.x - a.x) / d;
      if (!push(o, x, y, 0.22f + 0.15f * sinf(PI_F * t) * 0.0f)) goto done;
    }
    o->alpha = unif(r, 0.5f, 0.9f);
  }
  /* a rare stray mark: a dot or a short dash somewhere near the character */
  if (ns < cap && cv_rng_next_uniform(r) < 0.03f * s) {
    stroke *o = &st[ns++];
    float x = unif(r, 100.0f, 900.0f), y = unif(r, 50.0f, 850.0f), th = unif(r, 0.0f, 6.3f);
    float len = unif(r, 5.0f, 80.0f);
    for (int j = 0; j < 4; j++)
      if (!push(o, x + cosf(th) * len * j / 3.0f, y + sinf(th) * len * j / 3.0f, 0.9f)) goto done;
    o->alpha = 1.0f;
  }

  /* the whole character: a smooth warp, then the writer's turn, slant and aspect */
  warp wp;
  draw_warp(&wp, r, 14.0f * s);
  float rot = w.rot + gauss(r, 0.035f * s), ca = cosf(rot), sa = sinf(rot);
  float slant = w.slant + gauss(r, 0.05f * s), asp = w.aspect * expf(gauss(r, 0.06f * s));
  for (int i = 0; i < ns; i++)
    for (int j = 0; j < st[i].n; j++) {
      float x = st[i].p[j].x, y = st[i].p[j].y;
      apply_warp(&wp, &x, &y);
      x -= 512.0f; y -= 450.0f;
      float xr = ca * x - sa * y, yr = sa * x + ca * y;
      xr = asp * (xr - slant * yr);
      st[i].p[j].x = xr; st[i].p[j].y = yr;
    }
  float pen = w.pen * expf(gauss(r, 0.1f));               /* radius in glyph units */
  for (int i = 0; i < ns; i++)
    for (int j = 0; j < st[i].n; j++) {
      float rr = pen * st[i].p[j].w;
      minx = fminf(minx, st[i].p[j].x - rr); maxx = fmaxf(maxx, st[i].p[j].x + rr);
      miny = fminf(miny, st[i].p[j].y - rr); maxy = fmaxf(maxy, st[i].p[j].y + rr);
    }
  if (!(maxx > minx) || !(maxy > miny)) { status = cv_fail(CV_EINVAL, "hanzi: empty drawing"); goto done; }

  /* a tight crop of varying size, as CASIA's bounding boxes */
  float hpx = clampf(w.size + gauss(r, 6.0f), 40.0f, 120.0f);
  float scale = hpx / (maxy - miny);
  float wpx = (maxx - minx) * scale;
  /* a wide character is written smaller rather than wider: crops stay mostly taller than wide */
  float wmax = fminf(hpx * unif(r, 1.0f, 1.3f), 125.0f);
  if (wpx > wmax) { scale *= wmax / wpx; hpx = (maxy - miny) * scale; wpx = wmax; }
  if (wpx < 12.0f) wpx = 12.0f;
  int ml = (int)(cv_rng_next(r) % 4), mr = (int)(cv_rng_next(r) % 4);
  int mt = (int)(cv_rng_next(r) % 4), mb = (int)(cv_rng_next(r) % 4);
  int H = (int)lroundf(hpx) + mt + mb, W = (int)lroundf(wpx) + ml + mr;
  int HS = H * SS, WS = W * SS;
  cov = calloc((size_t)HS * WS, sizeof *cov);
  if (!cov) goto done;
  float ssc = scale * SS;
  for (int i = 0; i < ns; i++) {
    stroke *o = &st[i];
    for (int j = 0; j < o->n; j++) {
      o->p[j].x = (o->p[j].x - minx) * ssc + ml * SS;
      o->p[j].y = (o->p[j].y - miny) * ssc + mt * SS;
    }
    for (int j = 0; j < o->n; j++) {
      pt a = o->p[j], b = o->p[j + 1 < o->n ? j + 1 : j];
      float ra = fmaxf(pen * a.w * ssc, 0.6f), rb = fmaxf(pen * b.w * ssc, 0.6f);
      capsule(cov, WS, HS, a, b, ra, rb, o->alpha);
    }
  }

  /* down to pixels, blur, ink on paper, noise */
  int64_t shape[3] = {H, W, 1};
  status = cv_tensor_alloc(out, CV_UINT8, 3, shape);
  if (status != CV_OK) goto done;
  float *img = malloc((size_t)H * W * sizeof *img), *tmp = malloc((size_t)H * W * sizeof *tmp);
  if (!img || !tmp) { free(img); free(tmp); cv_tensor_release(out); status = CV_ENOMEM; goto done; }
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      float acc = 0.0f;
      for (int u = 0; u < SS; u++)
        for (int v = 0; v < SS; v++) acc += cov[(size_t)(y * SS + u) * WS + x * SS + v];
      img[y * W + x] = acc / (SS * SS);
    }
  float sigma = unif(r, 0.25f, 0.95f);
  if (sigma > 0.35f) {
    float k[7], ks = 0.0f;
    for (int i = -3; i <= 3; i++) { k[i + 3] = expf(-0.5f * i * i / (sigma * sigma)); ks += k[i + 3]; }
    for (int i = 0; i < 7; i++) k[i] /= ks;
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        float a = 0.0f;
        for (int i = -3; i <= 3; i++) { int xx = x + i; if (xx >= 0 && xx < W) a += k[i + 3] * img[y * W + xx]; }
        tmp[y * W + x] = a;
      }
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        float a = 0.0f;
        for (int i = -3; i <= 3; i++) { int yy = y + i; if (yy >= 0 && yy < H) a += k[i + 3] * tmp[yy * W + x]; }
        img[y * W + x] = a;
      }
  }
  float ink = clampf(w.ink + gauss(r, 12.0f), 0.0f, 110.0f);
  if (cv_rng_next_uniform(r) < 0.08f) ink = unif(r, 80.0f, 150.0f);   /* faint pencil-like ink */
  float paper = clampf(w.paper + gauss(r, 4.0f), 200.0f, 255.0f);
  float gx = gauss(r, 8.0f) / W, gy = gauss(r, 8.0f) / H;          /* uneven light across the page */
  float noise = unif(r, 0.0f, 5.0f), gamma = expf(gauss(r, 0.25f));
  uint8_t *o8 = cv_tensor_u8(out);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      float c = powf(clampf(img[y * W + x], 0.0f, 1.0f), gamma);
      float p = fminf(paper + gx * (x - 0.5f * W) + gy * (y - 0.5f * H), 255.0f);
      float u = cv_rng_next_uniform(r) + cv_rng_next_uniform(r) + cv_rng_next_uniform(r) +
                cv_rng_next_uniform(r) - 2.0f;   /* ~N(0, 1/3), cheaper than Box-Muller */
      float v = p - (p - ink) * c + 1.73f * noise * u;
      o8[y * W + x] = (uint8_t)lroundf(clampf(v, 0.0f, 255.0f));
    }
  if (cv_rng_next_uniform(r) < 0.15f) {                            /* specks of dust */
    int nsp = 1 + (int)(cv_rng_next(r) % 6);
    for (int i = 0; i < nsp; i++) {
      int x = (int)(cv_rng_next(r) % (uint32_t)W), y = (int)(cv_rng_next(r) % (uint32_t)H);
      o8[y * W + x] = (uint8_t)lroundf(unif(r, ink, paper * 0.8f));
    }
  }
  free(img);
  free(tmp);
  status = CV_OK;
done:
  free(cov);
  if (st) free_strokes(st, cap);
  if (status == CV_ENOMEM) return cv_fail(CV_ENOMEM, "hanzi: out of memory");
  return status;
}

/* 8-bit grayscale PNG through libpng's simplified API; a failed write removes the partial file. */
static cv_status write_png_gray(const char *path, const cv_tensor *img) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  im.width = (png_uint_32)img->shape[1];
  im.height = (png_uint_32)img->shape[0];
  im.format = PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&im, path, 0, cv_tensor_u8(img), 0, NULL)) {
    remove(path);
    cv_status st = cv_fail(CV_EIO, "%s: %s", path, im.message[0] ? im.message : "cannot write PNG");
    png_image_free(&im);
    return st;
  }
  return CV_OK;
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
    if (st == CV_OK) st = write_png_gray(j->path, &t);
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
