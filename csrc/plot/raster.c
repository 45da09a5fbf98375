/* raster.c - the RGBA canvas of raster.h: exact-area antialiased polygon filling (font-rs style
 * signed-area accumulation), strokes built from quads and round joins, scaled image drawing, rotated
 * coverage masks (text) and PNG output through the one PNG writer (io/png_write.h). */
#include "plot/raster.h"
#include "io/png_write.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

cv_status cv_canvas_init(cv_canvas *c, int w, int h, cv_color bg) {
  c->width = c->height = 0;
  c->rgba = NULL;
  if (w <= 0 || h <= 0 || (int64_t)w * h > (int64_t)1 << 28)
    return cv_fail(CV_EINVAL, "canvas: bad size %d x %d", w, h);
  c->rgba = malloc((size_t)w * h * 4);
  if (!c->rgba) return cv_fail(CV_ENOMEM, "canvas: out of memory for %d x %d", w, h);
  c->width = w;
  c->height = h;
  cv_canvas_clear(c, bg);
  return CV_OK;
}

void cv_canvas_free(cv_canvas *c) {
  free(c->rgba);
  c->rgba = NULL;
  c->width = c->height = 0;
}

void cv_canvas_clear(cv_canvas *c, cv_color col) {
  size_t n = (size_t)c->width * c->height;
  for (size_t i = 0; i < n; i++) {
    c->rgba[4 * i] = col.r; c->rgba[4 * i + 1] = col.g;
    c->rgba[4 * i + 2] = col.b; c->rgba[4 * i + 3] = col.a;
  }
}

static void blend_px(uint8_t *p, cv_color col, float cov) {
  float a = cov * col.a / 255.0f;
  if (a <= 0) return;
  float da = p[3] / 255.0f;
  float oa = a + da * (1 - a);
  if (oa <= 0) return;
  float k = da * (1 - a);
  p[0] = (uint8_t)((col.r * a + p[0] * k) / oa + 0.5f);
  p[1] = (uint8_t)((col.g * a + p[1] * k) / oa + 0.5f);
  p[2] = (uint8_t)((col.b * a + p[2] * k) / oa + 0.5f);
  p[3] = (uint8_t)(oa * 255.0f + 0.5f);
}

void cv_canvas_blend(cv_canvas *c, int x, int y, cv_color col, float coverage) {
  if (x < 0 || y < 0 || x >= c->width || y >= c->height) return;
  if (coverage > 1) coverage = 1;
  blend_px(c->rgba + ((size_t)y * c->width + x) * 4, col, coverage);
}

/* ---- coverage accumulation ---- */
typedef struct accum {
  float *a;        /* (w + 2) * h cells */
  int x0, y0, w, h; /* canvas window it covers */
} accum;

/* Adds the signed area of segment (x0,y0)-(x1,y1) (window coordinates) to the cells right of it. */
static void accum_line(accum *ac, double x0, double y0, double x1, double y1) {
  if (y0 == y1) return;
  double dir = 1;
  if (y0 > y1) { double t; t = x0; x0 = x1; x1 = t; t = y0; y0 = y1; y1 = t; dir = -1; }
  double dxdy = (x1 - x0) / (y1 - y0);
  double x = x0;
  if (y0 < 0) { x -= y0 * dxdy; y0 = 0; }
  if (y1 > ac->h) y1 = ac->h;
  if (y0 >= y1) return;
  int stride = ac->w + 2;
  double xmax = ac->w;
  for (int y = (int)floor(y0); y < (int)ceil(y1); y++) {
    float *row = ac->a + (size_t)y * stride;
    double dy = fmin(y + 1.0, y1) - fmax((double)y, y0);
    double xnext = x + dxdy * dy;
    double d = dy * dir;
    double xa = x < xnext ? x : xnext, xb = x < xnext ? xnext : x;
    xa = fmin(fmax(xa, 0), xmax);
    xb = fmin(fmax(xb, 0), xmax);
    double xaf = floor(xa);
    int xai = (int)xaf;
    double xbc = ceil(xb);
    int xbi = (int)xbc;
    if (xbi <= xai + 1) {
      double xmf = 0.5 * (xa + xb) - xaf;
      row[xai] += (float)(d - d * xmf);
      row[xai + 1] += (float)(d * xmf);
    } else {
      double s = 1.0 / (xb - xa);
      double x0f = xa - xaf;
      double a0 = 0.5 * s * (1 - x0f) * (1 - x0f);
      double x1f = xb - xbc + 1;
      double am = 0.5 * s * x1f * x1f;
      row[xai] += (float)(d * a0);
      if (xbi == xai + 2) {
        row[xai + 1] += (float)(d * (1 - a0 - am));
      } else {
        double a1 = s * (1.5 - x0f);
        row[xai + 1] += (float)(d * (a1 - a0));
        for (int xi = xai + 2; xi < xbi - 1; xi++) row[xi] += (float)(d * s);
        double a2 = a1 + (xbi - xai - 3) * s;
        row[xbi - 1] += (float)(d * (1 - a2 - am));
      }
      row[xbi] += (float)(d * am);
    }
    x = xnext;
  }
}

static void accum_composite(cv_canvas *c, const accum *ac, cv_color col) {
  int stride = ac->w + 2;
  for (int y = 0; y < ac->h; y++) {
    const float *row = ac->a + (size_t)y * stride;
    uint8_t *p = c->rgba + ((size_t)(y + ac->y0) * c->width + ac->x0) * 4;
    float s = 0;
    for (int x = 0; x < ac->w; x++, p += 4) {
      s += row[x];
      float cov = fabsf(s);
      if (cov > 1) cov = 1;
      if (cov > 1.0f / 512) blend_px(p, col, cov);
    }
  }
}

static double poly_area(const float *xy, int n) {
  double a = 0;
  for (int i = 0; i < n; i++) {
    int j = (i + 1) % n;
    a += (double)xy[2 * i] * xy[2 * j + 1] - (double)xy[2 * j] * xy[2 * i + 1];
  }
  return a / 2;
}

cv_status cv_canvas_fill_polygons(cv_canvas *c, const float *xy, const int *counts, int npoly,
                                  cv_color col) {
  if (!c->rgba || npoly <= 0 || col.a == 0) return CV_OK;
  double bx0 = INFINITY, by0 = INFINITY, bx1 = -INFINITY, by1 = -INFINITY;
  int total = 0;
  for (int k = 0; k < npoly; k++) total += counts[k];
  for (int i = 0; i < total; i++) {
    double x = xy[2 * i], y = xy[2 * i + 1];
    if (!isfinite(x) || !isfinite(y)) return CV_OK;  /* NaN in data: skip shape, as matplotlib */
    bx0 = fmin(bx0, x); bx1 = fmax(bx1, x); by0 = fmin(by0, y); by1 = fmax(by1, y);
  }
  accum ac;
  ac.x0 = (int)fmax(0, floor(bx0));
  ac.y0 = (int)fmax(0, floor(by0));
  int xe = (int)fmin(c->width, ceil(bx1) + 1), ye = (int)fmin(c->height, ceil(by1) + 1);
  /* shapes reaching past the right edge still need their left edges: window stays clipped */
  if (bx1 < 0 || by1 < 0 || bx0 >= c->width || by0 >= c->height) return CV_OK;
  ac.w = xe - ac.x0;
  ac.h = ye - ac.y0;
  if (ac.w <= 0 || ac.h <= 0) return CV_OK;
  ac.a = calloc((size_t)(ac.w + 2) * ac.h, sizeof(float));
  if (!ac.a) return cv_fail(CV_ENOMEM, "canvas: out of memory filling a %d x %d shape", ac.w, ac.h);
  const float *p = xy;
  for (int k = 0; k < npoly; k++) {
    int n = counts[k];
    if (n >= 3) {
      int rev = poly_area(p, n) < 0;
      for (int i = 0; i < n; i++) {
        int a = rev ? n - 1 - i : i, b = rev ? (n - 2 - i + n) % n : (i + 1) % n;
        accum_line(&ac, p[2 * a] - ac.x0, p[2 * a + 1] - ac.y0, p[2 * b] - ac.x0,
                   p[2 * b + 1] - ac.y0);
      }
    }
    p += 2 * n;
  }
  accum_composite(c, &ac, col);
  free(ac.a);
  return CV_OK;
}

cv_status cv_canvas_fill_rect(cv_canvas *c, float x, float y, float w, float h, cv_color col) {
  if (w < 0) { x += w; w = -w; }
  if (h < 0) { y += h; h = -h; }
  float xy[8] = {x, y, x + w, y, x + w, y + h, x, y + h};
  int n = 4;
  return cv_canvas_fill_polygons(c, xy, &n, 1, col);
}

static int circle_segments(float r) {
  int n = (int)(r * 2.5f) + 12;
  return n > 256 ? 256 : n;
}

static void circle_points(float *out, int n, float cx, float cy, float r) {
  for (int i = 0; i < n; i++) {
    double t = 2 * M_PI * i / n;
    out[2 * i] = (float)(cx + r * cos(t));
    out[2 * i + 1] = (float)(cy + r * sin(t));
  }
}

cv_status cv_canvas_fill_circle(cv_canvas *c, float cx, float cy, float r, cv_color col) {
  float xy[512];
  int n = circle_segments(r);
  circle_points(xy, n, cx, cy, r);
  return cv_canvas_fill_polygons(c, xy, &n, 1, col);
}

/* A growable list of polygons. */
typedef struct polys {
  float *xy; int *counts; int npts, npoly, cap_pts, cap_poly;
} polys;

static int polys_add(polys *P, const float *xy, int n) {
  if (P->npts + n > P->cap_pts) {
    int cap = (P->cap_pts + n) * 2;
    float *nx = realloc(P->xy, (size_t)cap * 2 * sizeof(float));
    if (!nx) return 0;
    P->xy = nx; P->cap_pts = cap;
  }
  if (P->npoly + 1 > P->cap_poly) {
    int cap = (P->cap_poly + 1) * 2;
    int *nc = realloc(P->counts, (size_t)cap * sizeof(int));
    if (!nc) return 0;
    P->counts = nc; P->cap_poly = cap;
  }
  memcpy(P->xy + 2 * P->npts, xy, (size_t)n * 2 * sizeof(float));
  P->npts += n;
  P->counts[P->npoly++] = n;
  return 1;
}

/* Appends one stroked piece (an open polyline) as quads plus round joins/caps. */
static int stroke_piece(polys *P, const float *xy, int n, float hw, int cap) {
  float tmp[512];
  int jn = circle_segments(hw);
  for (int i = 0; i + 1 < n; i++) {
    double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    if (len < 1e-9) continue;
    double ux = dx / len * hw, uy = dy / len * hw;
    if (cap == CV_CAP_SQUARE) {
      if (i == 0) { x0 -= ux; y0 -= uy; }
      if (i + 2 == n) { x1 += ux; y1 += uy; }
    }
    float q[8] = {(float)(x0 - uy), (float)(y0 + ux), (float)(x1 - uy), (float)(y1 + ux),
                  (float)(x1 + uy), (float)(y1 - ux), (float)(x0 + uy), (float)(y0 - ux)};
    if (!polys_add(P, q, 4)) return 0;
  }
  for (int i = 0; i < n; i++) {
    int end = (i == 0 || i == n - 1);
    if (end && cap != CV_CAP_ROUND) continue;
    if (hw < 0.75f && !end) continue;  /* joins of hairlines are invisible */
    circle_points(tmp, jn, xy[2 * i], xy[2 * i + 1], hw);
    if (!polys_add(P, tmp, jn)) return 0;
  }
  return 1;
}

cv_status cv_canvas_stroke(cv_canvas *c, const float *xy, int n, float width, cv_color col, int cap,
                           const float *dashes, int ndash) {
  if (n < 2 || width <= 0) return CV_OK;
  polys P = {0};
  float hw = width / 2;
  int ok = 1;
  double dash_total = 0;
  for (int k = 0; k < ndash; k++) dash_total += dashes[k] > 0 ? dashes[k] : 0;
  if (!dashes || ndash < 2 || dash_total <= 0) {
    /* split at NaN points so gaps in data leave gaps in the line */
    int s = 0;
    for (int i = 0; i <= n && ok; i++) {
      if (i == n || !isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1])) {
        if (i - s >= 2) ok = stroke_piece(&P, xy + 2 * s, i - s, hw, cap);
        s = i + 1;
      }
    }
  } else {
    /* walk the path, emitting the "on" stretches of the dash pattern */
    float *piece = malloc((size_t)(n + 2) * 2 * sizeof(float));
    if (!piece) return cv_fail(CV_ENOMEM, "canvas: out of memory stroking");
    int k = 0, on = 1, np = 0;
    double left = dashes[0];
    for (int i = 0; i + 1 < n && ok; i++) {
      double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
      if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1)) {
        if (np >= 2) ok = stroke_piece(&P, piece, np, hw, cap);
        np = 0;
        continue;
      }
      double len = hypot(x1 - x0, y1 - y0), pos = 0;
      if (on && np == 0) { piece[0] = (float)x0; piece[1] = (float)y0; np = 1; }
      while (ok && len - pos > left) {
        pos += left;
        double t = pos / len;
        float px = (float)(x0 + (x1 - x0) * t), py = (float)(y0 + (y1 - y0) * t);
        if (on) {
          piece[2 * np] = px; piece[2 * np + 1] = py; np++;
          ok = stroke_piece(&P, piece, np, hw, cap);
          np = 0;
        } else {
          piece[0] = px; piece[1] = py; np = 1;
        }
        on = !on;
        k = (k + 1) % ndash;
        left = dashes[k];
      }
      left -= len - pos;
      if (on) { piece[2 * np] = (float)x1; piece[2 * np + 1] = (float)y1; np++; }
    }
    if (ok && on && np >= 2) ok = stroke_piece(&P, piece, np, hw, cap);
    free(piece);
  }
  cv_status st = ok ? CV_OK : cv_fail(CV_ENOMEM, "canvas: out of memory stroking");
  if (ok && P.npoly) st = cv_canvas_fill_polygons(c, P.xy, P.counts, P.npoly, col);
  free(P.xy);
  free(P.counts);
  return st;
}

void cv_canvas_draw_rgba(cv_canvas *c, const uint8_t *src, int sw, int sh, float dx, float dy,
                         float dw, float dh, int interp) {
  if (sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0) return;
  int x0 = (int)fmax(0, ceil(dx - 0.5)), x1 = (int)fmin(c->width, ceil(dx + dw - 0.5));
  int y0 = (int)fmax(0, ceil(dy - 0.5)), y1 = (int)fmin(c->height, ceil(dy + dh - 0.5));
  for (int y = y0; y < y1; y++) {
    double v = (y + 0.5 - dy) / dh * sh;
    for (int x = x0; x < x1; x++) {
      double u = (x + 0.5 - dx) / dw * sw;
      cv_color col;
      if (interp == CV_INTERP_BILINEAR) {
        double fu = u - 0.5, fv = v - 0.5;
        int iu = (int)floor(fu), iv = (int)floor(fv);
        double au = fu - iu, av = fv - iv;
        int u0 = iu < 0 ? 0 : iu, u1 = iu + 1 >= sw ? sw - 1 : iu + 1;
        int v0 = iv < 0 ? 0 : iv, v1 = iv + 1 >= sh ? sh - 1 : iv + 1;
        if (u0 > sw - 1) u0 = sw - 1;
        if (v0 > sh - 1) v0 = sh - 1;
        if (u1 < 0) u1 = 0;
        if (v1 < 0) v1 = 0;
        const uint8_t *p00 = src + ((size_t)v0 * sw + u0) * 4, *p01 = src + ((size_t)v0 * sw + u1) * 4;
        const uint8_t *p10 = src + ((size_t)v1 * sw + u0) * 4, *p11 = src + ((size_t)v1 * sw + u1) * 4;
        uint8_t o[4];
        for (int k = 0; k < 4; k++) {
          double t = (p00[k] * (1 - au) + p01[k] * au) * (1 - av) + (p10[k] * (1 - au) + p11[k] * au) * av;
          o[k] = (uint8_t)(t + 0.5);
        }
        col = (cv_color){o[0], o[1], o[2], o[3]};
      } else {
        int iu = (int)floor(u), iv = (int)floor(v);
        if (iu < 0) iu = 0;
        if (iu >= sw) iu = sw - 1;
        if (iv < 0) iv = 0;
        if (iv >= sh) iv = sh - 1;
        const uint8_t *p = src + ((size_t)iv * sw + iu) * 4;
        col = (cv_color){p[0], p[1], p[2], p[3]};
      }
      blend_px(c->rgba + ((size_t)y * c->width + x) * 4, col, 1.0f);
    }
  }
}

void cv_canvas_draw_mask(cv_canvas *c, const uint8_t *mask, int mw, int mh, float ox, float oy,
                         float x, float y, float angle, cv_color col) {
  if (mw <= 0 || mh <= 0) return;
  double t = angle * M_PI / 180.0;
  if (fabs(angle) < 1e-6) {
    /* unrotated: integer placement keeps glyphs crisp (the caller renders at the subpixel offset) */
    int bx = (int)floor(x - ox + 0.5), by = (int)floor(y - oy + 0.5);
    for (int j = 0; j < mh; j++) {
      int py = by + j;
      if (py < 0 || py >= c->height) continue;
      for (int i = 0; i < mw; i++) {
        int px = bx + i;
        uint8_t m = mask[(size_t)j * mw + i];
        if (m && px >= 0 && px < c->width)
          blend_px(c->rgba + ((size_t)py * c->width + px) * 4, col, m / 255.0f);
      }
    }
    return;
  }
  /* screen y points down, so a counter-clockwise rotation by t maps mask (u, v) offsets to
   * (u cos t + v sin t, -u sin t + v cos t) */
  double ct = cos(t), st = sin(t);
  double cx[4] = {0, mw, mw, 0}, cy[4] = {0, 0, mh, mh};
  double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
  for (int k = 0; k < 4; k++) {
    double u = cx[k] - ox, v = cy[k] - oy;
    double sx = x + u * ct + v * st, sy = y - u * st + v * ct;
    minx = fmin(minx, sx); maxx = fmax(maxx, sx); miny = fmin(miny, sy); maxy = fmax(maxy, sy);
  }
  int x0 = (int)fmax(0, floor(minx)), x1 = (int)fmin(c->width, ceil(maxx));
  int y0 = (int)fmax(0, floor(miny)), y1 = (int)fmin(c->height, ceil(maxy));
  for (int py = y0; py < y1; py++) {
    for (int px = x0; px < x1; px++) {
      double sx = px + 0.5 - x, sy = py + 0.5 - y;
      double u = sx * ct - sy * st + ox - 0.5, v = sx * st + sy * ct + oy - 0.5;
      int iu = (int)floor(u), iv = (int)floor(v);
      if (iu < -1 || iv < -1 || iu >= mw || iv >= mh) continue;
      double au = u - iu, av = v - iv, s = 0;
      for (int dj = 0; dj < 2; dj++)
        for (int di = 0; di < 2; di++) {
          int mu = iu + di, mv = iv + dj;
          if (mu < 0 || mv < 0 || mu >= mw || mv >= mh) continue;
          s += mask[(size_t)mv * mw + mu] * (di ? au : 1 - au) * (dj ? av : 1 - av);
        }
      if (s > 0.5) blend_px(c->rgba + ((size_t)py * c->width + px) * 4, col, (float)(s / 255.0));
    }
  }
}

cv_status cv_canvas_save_png(const cv_canvas *c, const char *path) {
  if (!c->rgba) return cv_fail(CV_EINVAL, "save_png: empty canvas");
  return cv_png_write(path, c->rgba, c->height, c->width, 4, c->width * 4);
}

cv_status cv_canvas_encode_png(const cv_canvas *c, uint8_t **out, int *len) {
  *out = NULL; *len = 0;
  if (!c->rgba) return cv_fail(CV_EINVAL, "encode_png: empty canvas");
  size_t n;
  cv_status st = cv_png_encode(out, &n, c->rgba, c->height, c->width, 4, c->width * 4);
  if (st != CV_OK) return st;
  if (n > INT_MAX) {
    free(*out);
    *out = NULL;
    return cv_fail(CV_ENOMEM, "encode_png: %zu bytes are too many", n);
  }
  *len = (int)n;
  return CV_OK;
}

/* ---- sixel ---- */
typedef struct sbuf { char *p; size_t len, cap; int failed; } sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *np = realloc(b->p, cap);
    if (!np) { b->failed = 1; return; }
    b->p = np; b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void sb_run(sbuf *b, int ch, int n) {
  char tmp[16];
  if (n <= 3) { while (n--) { char c = (char)ch; sb_put(b, &c, 1); } return; }
  int k = snprintf(tmp, sizeof tmp, "!%d%c", n, ch);
  sb_put(b, tmp, (size_t)k);
}

/* palette index: 0..215 the 6x6x6 cube, 216..239 greys */
static int sixel_index(const uint8_t *p) {
  int r = p[0], g = p[1], b = p[2];
  int mx = r > g ? (r > b ? r : b) : (g > b ? g : b), mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
  if (mx - mn < 12 && mx > 8 && mx < 247) return 216 + (r + g + b) / 3 * 24 / 256;
  return ((r * 6 / 256) * 6 + g * 6 / 256) * 6 + b * 6 / 256;
}

cv_status cv_canvas_encode_sixel(const cv_canvas *c, uint8_t **out, size_t *len) {
  *out = NULL; *len = 0;
  if (!c->rgba) return cv_fail(CV_EINVAL, "encode_sixel: empty canvas");
  int W = c->width, H = c->height;
  uint8_t *idx = malloc((size_t)W * H);
  sbuf b = {0};
  if (!idx) return cv_fail(CV_ENOMEM, "encode_sixel: out of memory");
  for (size_t i = 0; i < (size_t)W * H; i++) idx[i] = (uint8_t)sixel_index(c->rgba + 4 * i);
  char tmp[64];
  int k = snprintf(tmp, sizeof tmp, "\033P0;1;0q\"1;1;%d;%d", W, H);
  sb_put(&b, tmp, (size_t)k);
  for (int i = 0; i < 240; i++) {
    int r, g, bl;
    if (i < 216) { r = i / 36 * 100 / 5; g = i / 6 % 6 * 100 / 5; bl = i % 6 * 100 / 5; }
    else { r = g = bl = ((i - 216) * 256 / 24 + 5) * 100 / 255; }
    k = snprintf(tmp, sizeof tmp, "#%d;2;%d;%d;%d", i, r, g, bl);
    sb_put(&b, tmp, (size_t)k);
  }
  for (int y0 = 0; y0 < H; y0 += 6) {
    int used[240] = {0}, first = 1;
    int rows = H - y0 < 6 ? H - y0 : 6;
    for (int dy = 0; dy < rows; dy++)
      for (int x = 0; x < W; x++) used[idx[(size_t)(y0 + dy) * W + x]] = 1;
    for (int col = 0; col < 240; col++) {
      if (!used[col]) continue;
      if (!first) sb_put(&b, "$", 1);
      first = 0;
      k = snprintf(tmp, sizeof tmp, "#%d", col);
      sb_put(&b, tmp, (size_t)k);
      int run_ch = -1, run = 0;
      for (int x = 0; x < W; x++) {
        int bits = 0;
        for (int dy = 0; dy < rows; dy++)
          if (idx[(size_t)(y0 + dy) * W + x] == col) bits |= 1 << dy;
        int ch = 63 + bits;
        if (ch == run_ch) run++;
        else { if (run) sb_run(&b, run_ch, run); run_ch = ch; run = 1; }
      }
      if (run && run_ch != 63) sb_run(&b, run_ch, run);  /* trailing blanks need not be sent */
    }
    sb_put(&b, "-", 1);
  }
  sb_put(&b, "\033\\", 2);
  free(idx);
  if (b.failed) { free(b.p); return cv_fail(CV_ENOMEM, "encode_sixel: out of memory"); }
  *out = (uint8_t *)b.p;
  *len = b.len;
  return CV_OK;
}
