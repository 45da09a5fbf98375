/* hanzi_stroke.c - polylines for the handwriting renderer (hanzi_impl.h): growing, measuring,
 * rounding (Chaikin) and resampling a stroke's centre line. */
#include "data/hanzi_impl.h"
#include <stdlib.h>

int hz_push(hz_stroke *s, float x, float y, float w) {
  if (s->n == s->cap) {
    int cap = s->cap ? 2 * s->cap : 64;
    hz_pt *p = realloc(s->p, (size_t)cap * sizeof *p);
    if (!p) return 0;
    s->p = p;
    s->cap = cap;
  }
  s->p[s->n++] = (hz_pt){x, y, w};
  return 1;
}

float hz_poly_len(const hz_pt *p, int n) {
  float L = 0.0f;
  for (int i = 1; i < n; i++) L += hz_len(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y);
  return L;
}

/* the point at arc length s along p[0..n) */
static hz_pt poly_at(const hz_pt *p, int n, float s) {
  if (n == 1 || s <= 0.0f) return p[0];
  for (int i = 1; i < n; i++) {
    float d = hz_len(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y);
    if (s <= d && d > 0.0f) {
      float t = s / d;
      return (hz_pt){p[i - 1].x + t * (p[i].x - p[i - 1].x), p[i - 1].y + t * (p[i].y - p[i - 1].y),
                     p[i - 1].w + t * (p[i].w - p[i - 1].w)};
    }
    s -= d;
  }
  return p[n - 1];
}

/* Chaikin corner cutting, endpoints kept: a hand rounds the font's sharp turns */
int hz_chaikin(hz_stroke *s) {
  if (s->n < 3) return 1;
  hz_stroke o = {0};
  if (!hz_push(&o, s->p[0].x, s->p[0].y, 1.0f)) return 0;
  for (int i = 0; i + 1 < s->n; i++) {
    hz_pt a = s->p[i], b = s->p[i + 1];
    if (i > 0 && !hz_push(&o, 0.75f * a.x + 0.25f * b.x, 0.75f * a.y + 0.25f * b.y, 1.0f)) goto fail;
    if (i + 2 < s->n && !hz_push(&o, 0.25f * a.x + 0.75f * b.x, 0.25f * a.y + 0.75f * b.y, 1.0f)) goto fail;
  }
  if (!hz_push(&o, s->p[s->n - 1].x, s->p[s->n - 1].y, 1.0f)) goto fail;
  free(s->p);
  o.alpha = s->alpha;
  *s = o;
  return 1;
fail:
  free(o.p);
  return 0;
}

/* the end segment's straight extension by u (< 0: before the start; > 0: past the end) */
static hz_pt extend(const hz_pt *p, int n, float u, int at_end) {
  hz_pt a = at_end ? p[n - 2] : p[1], b = at_end ? p[n - 1] : p[0];
  float dx = at_end ? b.x - a.x : a.x - b.x, dy = at_end ? b.y - a.y : a.y - b.y, d = hz_len(dx, dy);
  if (d <= 0.0f) d = 1.0f;
  return (hz_pt){b.x + u * dx / d, b.y + u * dy / d, 1.0f};
}

/* Replaces s by its points every HZ_STEP units from arc length a to b (a < 0 or b > length extend
 * the end segments straight on: overshoot; a > 0 or b < length cut the stroke short). */
int hz_resample(hz_stroke *s, float a, float b) {
  hz_stroke o = {0};
  int n = s->n;
  float L = hz_poly_len(s->p, n);
  if (b - a < 1.0f) b = a + 1.0f;
  int m = (int)ceilf((b - a) / HZ_STEP) + 1;
  if (m < 2) m = 2;
  for (int i = 0; i < m; i++) {
    float u = a + (b - a) * (float)i / (float)(m - 1);
    hz_pt q;
    if (u < 0.0f && n > 1) q = extend(s->p, n, u, 0);
    else if (u > L && n > 1) q = extend(s->p, n, u - L, 1);
    else q = poly_at(s->p, n, u);
    if (!hz_push(&o, q.x, q.y, 1.0f)) { free(o.p); return 0; }
  }
  free(s->p);
  o.alpha = s->alpha;
  *s = o;
  return 1;
}

hz_stroke *hz_new_stroke(hz_drawing *d) {
  if (d->n >= d->cap) return NULL;
  hz_stroke *s = &d->st[d->n];
  s->n = 0;
  s->alpha = 1.0f;
  return s;
}

void hz_drawing_free(hz_drawing *d) {
  if (!d->st) return;
  for (int i = 0; i < d->cap; i++) free(d->st[i].p);
  free(d->st);
  d->st = NULL;
}
