/* hanzi_shape.c - phases 2 and 3 of the handwriting renderer (hanzi_impl.h): the glyph's centre
 * lines as a hand moves them (hz_shape_strokes), then the whole character bent, turned, slanted
 * and stretched (hz_deform). Everything here is geometry in the 1024-unit glyph box, y down. */
#include "data/hanzi_impl.h"
#include <stdlib.h>

/* components (radicals) move together: offsets and scales about each component's centre */
typedef struct parts { float dx[2], dy[2], sc[2], cx[2], cy[2]; } parts;

static void draw_parts(parts *q, const cv_hanzi_glyph *g, const hz_writer *w, cv_rng *r, float s) {
  float n[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    q->dx[k] = hz_gauss(r, 20.0f * s);
    q->dy[k] = hz_gauss(r, 20.0f * s);
    q->sc[k] = expf(hz_gauss(r, 0.07f * s));
    q->cx[k] = q->cy[k] = 0.0f;
  }
  for (int i = 0, at = 0; i < g->nstrokes; at += g->npoints[i], i++) {
    int k = g->group && g->group[i] ? 1 : 0;
    for (int j = 0; j < g->npoints[i]; j++) {
      q->cx[k] += g->xy[2 * (at + j)];
      q->cy[k] += 900.0f - g->xy[2 * (at + j) + 1];
      n[k] += 1.0f;
    }
  }
  for (int k = 0; k < 2; k++) if (n[k] > 0) { q->cx[k] /= n[k]; q->cy[k] /= n[k]; }
  if (n[0] > 0 && n[1] > 0) {   /* spread the components apart or squeeze them (a habit) */
    float mx = 0.5f * (q->cx[0] + q->cx[1]), my = 0.5f * (q->cy[0] + q->cy[1]);
    float sp = w->spacing * expf(hz_gauss(r, 0.06f * s)) - 1.0f;
    for (int k = 0; k < 2; k++) { q->dx[k] += sp * (q->cx[k] - mx); q->dy[k] += sp * (q->cy[k] - my); }
  }
}

/* the stroke as a whole: shifted, turned and stretched about its middle; rounded; overshooting or
 * falling short at either end; resampled */
static int place_stroke(hz_stroke *o, const hz_writer *w, cv_rng *r, float s) {
  float cx = 0, cy = 0;
  for (int j = 0; j < o->n; j++) { cx += o->p[j].x; cy += o->p[j].y; }
  cx /= o->n; cy /= o->n;
  float ang = hz_gauss(r, 0.08f * s), sc = expf(hz_gauss(r, 0.1f * s));
  float ox = hz_gauss(r, 12.0f * s), oy = hz_gauss(r, 12.0f * s), ca = cosf(ang), sa = sinf(ang);
  for (int j = 0; j < o->n; j++) {
    float x = o->p[j].x - cx, y = o->p[j].y - cy;
    o->p[j].x = cx + sc * (ca * x - sa * y) + ox;
    o->p[j].y = cy + sc * (sa * x + ca * y) + oy;
  }
  for (int pass = 0; pass < (int)w->round_passes; pass++) if (!hz_chaikin(o)) return 0;
  float L = hz_poly_len(o->p, o->n);
  float e0 = hz_clamp(hz_gauss(r, 0.09f * s) + 0.5f * w->over, -0.35f, 0.3f);
  float e1 = hz_clamp(hz_gauss(r, 0.1f * s) + w->over, -0.4f, 0.35f);
  float a = -e0 * L, b = L + e1 * L;
  if (a < -90.0f) a = -90.0f;
  if (b > L + 110.0f) b = L + 110.0f;
  if (o->n == 1) { a = 0; b = 1.0f; }
  return hz_resample(o, a, b);
}

/* low-frequency wobble across the stroke, tremor, and the pen's pressure along it (into .w) */
static void pen_along(hz_stroke *o, const hz_writer *w, cv_rng *r, float s) {
  float L2 = hz_poly_len(o->p, o->n) + 1e-3f;
  float wa[3], wf[3], wp[3], pa = hz_gauss(r, 0.12f), pf = hz_unif(r, 0.5f, 2.0f), pp = hz_unif(r, 0.0f, 6.3f);
  for (int h = 0; h < 3; h++) {
    wa[h] = hz_gauss(r, 7.0f * s / (float)(h + 1));
    wf[h] = (float)(h + 1) * hz_unif(r, 0.5f, 1.0f);
    wp[h] = hz_unif(r, 0.0f, 2.0f * HZ_PI);
  }
  float tin = hz_clamp(w->taper_in + hz_gauss(r, 0.15f), 0.15f, 1.0f);
  float tout = hz_clamp(w->taper_out + hz_gauss(r, 0.2f), 0.08f, 1.0f);
  if (o->n >= 2) {   /* strokes that end going down-left (pie) thin out to a point */
    float dx = o->p[o->n - 1].x - o->p[o->n - 2].x, dy = o->p[o->n - 1].y - o->p[o->n - 2].y;
    if (dx < 0 && dy > 0) tout *= 0.5f;
  }
  float press0 = w->press * hz_unif(r, 0.5f, 1.2f), press1 = tout > 0.5f ? w->press * hz_unif(r, 0.3f, 1.0f) : 0.0f;
  hz_pt *q = o->p;
  /* normals from the undisplaced line: w holds the normal's angle until the pressure goes in */
  for (int j = 0; j < o->n; j++) {
    int j0 = j > 0 ? j - 1 : j, j1 = j + 1 < o->n ? j + 1 : j;
    q[j].w = atan2f(q[j1].y - q[j0].y, q[j1].x - q[j0].x);
  }
  float acc = 0.0f, px = q[0].x, py = q[0].y;
  for (int j = 0; j < o->n; j++) {
    if (j > 0) acc += hz_len(q[j].x - px, q[j].y - py);
    px = q[j].x; py = q[j].y;
    float t = acc / L2, nx = -sinf(q[j].w), ny = cosf(q[j].w), d = 0.0f;
    for (int h = 0; h < 3; h++) d += wa[h] * sinf(wf[h] * HZ_PI * t + wp[h]);
    d += w->tremor * sinf(acc * 0.35f + wp[0]) * 0.7f;
    q[j].x += d * nx;
    q[j].y += d * ny;
    float p = tin + (1.0f - tin) * hz_smooth01(t / 0.12f);
    p *= tout + (1.0f - tout) * hz_smooth01((1.0f - t) / 0.18f);
    p *= 1.0f - w->speed_thin * sinf(HZ_PI * t);
    p *= 1.0f + pa * sinf(pf * HZ_PI * t + pp);
    float e0 = acc / 40.0f, e1 = (L2 - acc) / 40.0f;   /* pressing down at the ends: ~40 units */
    p *= 1.0f + press0 * expf(-e0 * e0) + press1 * expf(-e1 * e1);
    q[j].w = p < 0.12f ? 0.12f : p;
  }
}

/* a hook at the end (a flick toward where the pen goes next) */
static int hook(hz_stroke *o, const hz_writer *w, cv_rng *r) {
  if (o->n < 2 || cv_rng_next_uniform(r) >= w->hook * 0.4f) return 1;
  float hx = hz_gauss(r, 30.0f), hy = hz_gauss(r, 30.0f) - 20.0f;
  hz_pt e = o->p[o->n - 1];
  for (int h = 1; h <= 4; h++)
    if (!hz_push(o, e.x + hx * h / 4.0f, e.y + hy * h / 4.0f, e.w * (1.0f - 0.18f * h))) return 0;
  return 1;
}

/* a pen lift: the stroke's tail after a small gap becomes a stroke of its own */
static int gap(hz_drawing *d, hz_stroke *o, const hz_writer *w, cv_rng *r, float s) {
  if (o->n < 12 || cv_rng_next_uniform(r) >= w->gaps * s) return 1;
  hz_stroke *t = hz_new_stroke(d);
  if (!t) return 1;
  int cut = (int)(o->n * hz_unif(r, 0.3f, 0.7f)), skip = 1 + (int)(cv_rng_next(r) % 4u);
  if (cut + skip >= o->n - 2) return 1;
  for (int j = cut + skip; j < o->n; j++) if (!hz_push(t, o->p[j].x, o->p[j].y, o->p[j].w)) return 0;
  t->alpha = o->alpha;
  o->n = cut;
  d->n++;
  return 1;
}

/* running hand: a thin trace from one stroke's end to the next one's start */
static int connect(hz_drawing *d, int nreal, const hz_writer *w, cv_rng *r) {
  for (int i = 0; i + 1 < nreal; i++) {
    if (cv_rng_next_uniform(r) >= w->lig) continue;
    hz_pt a = d->st[i].p[d->st[i].n - 1], b = d->st[i + 1].p[0];
    float dd = hz_len(b.x - a.x, b.y - a.y);
    if (dd > 380.0f || dd < 20.0f) continue;
    hz_stroke *o = hz_new_stroke(d);
    if (!o) return 1;
    int m = (int)(dd / HZ_STEP) + 2;
    float bend = hz_gauss(r, 0.15f * dd);
    for (int j = 0; j < m; j++) {
      float t = (float)j / (float)(m - 1), bb = bend * sinf(HZ_PI * t);
      float x = a.x + t * (b.x - a.x) - bb * (b.y - a.y) / dd;
      float y = a.y + t * (b.y - a.y) + bb * (b.x - a.x) / dd;
      if (!hz_push(o, x, y, 0.22f)) return 0;
    }
    o->alpha = hz_unif(r, 0.5f, 0.9f);
    d->n++;
  }
  return 1;
}

/* a rare stray mark: a dot or a short dash near the character */
static int stray(hz_drawing *d, cv_rng *r, float s) {
  if (cv_rng_next_uniform(r) >= 0.03f * s) return 1;
  hz_stroke *o = hz_new_stroke(d);
  if (!o) return 1;
  float x = hz_unif(r, 100.0f, 900.0f), y = hz_unif(r, 50.0f, 850.0f), th = hz_unif(r, 0.0f, 6.3f);
  float len = hz_unif(r, 5.0f, 80.0f);
  for (int j = 0; j < 4; j++)
    if (!hz_push(o, x + cosf(th) * len * j / 3.0f, y + sinf(th) * len * j / 3.0f, 0.9f)) return 0;
  d->n++;
  return 1;
}

cv_status hz_shape_strokes(hz_drawing *d, const cv_hanzi_glyph *g, const hz_writer *w, cv_rng *r, float s) {
  parts q;
  draw_parts(&q, g, w, r, s);
  int drop = -1;   /* a rarely dropped stroke (never from a short glyph) */
  if (g->nstrokes > 4 && cv_rng_next_uniform(r) < 0.025f * s) drop = (int)(cv_rng_next(r) % (uint32_t)g->nstrokes);
  for (int i = 0, at = 0; i < g->nstrokes; at += g->npoints[i], i++) {
    int k = g->group && g->group[i] ? 1 : 0;
    hz_stroke *o = hz_new_stroke(d);
    if (!o) return cv_fail(CV_EINVAL, "hanzi: too many strokes");
    for (int j = 0; j < g->npoints[i]; j++) {
      float x = g->xy[2 * (at + j)], y = 900.0f - g->xy[2 * (at + j) + 1];
      if (!hz_push(o, q.cx[k] + q.sc[k] * (x - q.cx[k]) + q.dx[k], q.cy[k] + q.sc[k] * (y - q.cy[k]) + q.dy[k], 1.0f))
        return CV_ENOMEM;
    }
    if (i == drop) continue;
    d->n++;
    if (!place_stroke(o, w, r, s)) return CV_ENOMEM;
    pen_along(o, w, r, s);
    if (!hook(o, w, r)) return CV_ENOMEM;
    o->alpha = hz_clamp(1.0f - fabsf(hz_gauss(r, 0.08f)), 0.6f, 1.0f);
  }
  int nreal = d->n;
  for (int i = 0; i < nreal; i++) if (!gap(d, &d->st[i], w, r, s)) return CV_ENOMEM;
  if (!connect(d, nreal, w, r) || !stray(d, r, s)) return CV_ENOMEM;
  return CV_OK;
}

/* a smooth random displacement field over the box: a 5x5 grid of offsets, interpolated with
 * smoothstep weights (elastic distortion), plus three long sine waves */
typedef struct field { float gx[5][5], gy[5][5], ax[3], ay[3], fx[3], fy[3], ph[3], ph2[3]; } field;

static void draw_field(field *f, cv_rng *r, float elastic, float waves) {
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 5; j++) { f->gx[i][j] = hz_gauss(r, elastic); f->gy[i][j] = hz_gauss(r, elastic); }
  for (int k = 0; k < 3; k++) {
    float th = hz_unif(r, 0.0f, 2.0f * HZ_PI), fr = hz_unif(r, 0.4f, 1.4f);
    f->fx[k] = fr * cosf(th) * 2.0f * HZ_PI / 1024.0f;
    f->fy[k] = fr * sinf(th) * 2.0f * HZ_PI / 1024.0f;
    f->ax[k] = hz_gauss(r, waves);
    f->ay[k] = hz_gauss(r, waves);
    f->ph[k] = hz_unif(r, 0.0f, 2.0f * HZ_PI);
    f->ph2[k] = hz_unif(r, 0.0f, 2.0f * HZ_PI);
  }
}

static void apply_field(const field *f, float *x, float *y) {
  float u = hz_clamp((*x + 100.0f) / 306.0f, 0.0f, 3.999f), v = hz_clamp((*y + 100.0f) / 306.0f, 0.0f, 3.999f);
  int i = (int)v, j = (int)u;
  float tu = hz_smooth01(u - j), tv = hz_smooth01(v - i);
  float dx = (1 - tv) * ((1 - tu) * f->gx[i][j] + tu * f->gx[i][j + 1]) + tv * ((1 - tu) * f->gx[i + 1][j] + tu * f->gx[i + 1][j + 1]);
  float dy = (1 - tv) * ((1 - tu) * f->gy[i][j] + tu * f->gy[i][j + 1]) + tv * ((1 - tu) * f->gy[i + 1][j] + tu * f->gy[i + 1][j + 1]);
  for (int k = 0; k < 3; k++) {
    float a = f->fx[k] * *x + f->fy[k] * *y;
    dx += f->ax[k] * sinf(a + f->ph[k]);
    dy += f->ay[k] * sinf(a + f->ph2[k]);
  }
  *x += dx;
  *y += dy;
}

void hz_deform(hz_drawing *d, const hz_writer *w, cv_rng *r, float s) {
  field f;
  draw_field(&f, r, w->elastic * fminf(sqrtf(s), 1.2f), 14.0f * s);
  float rot = w->rot + hz_gauss(r, 0.035f * s), ca = cosf(rot), sa = sinf(rot);
  float slant = w->slant + hz_gauss(r, 0.05f * s), asp = w->aspect * expf(hz_gauss(r, 0.06f * s));
  for (int i = 0; i < d->n; i++)
    for (int j = 0; j < d->st[i].n; j++) {
      float x = d->st[i].p[j].x, y = d->st[i].p[j].y;
      apply_field(&f, &x, &y);
      x -= 512.0f; y -= 450.0f;
      float xr = ca * x - sa * y, yr = sa * x + ca * y;
      d->st[i].p[j].x = asp * (xr - slant * yr);
      d->st[i].p[j].y = yr;
    }
}
