/* fontset.c - printed characters from font outlines, degraded as a scan (see fontset.h).
 *
 * Units: "render px" are the pixels of the glyph bitmap stb_truetype draws, SS per output pixel at
 * scale 1; morphology works there, everything after the geometric map in output pixels. The
 * parameters are all drawn first, in a fixed order, then the random fields, so a sample depends on
 * its seed alone. */
#include "data/fontset.h"
#include "base/random.h"
#include "base/threadpool.h"
#include "io/png_write.h"
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stb_truetype.h>

#define SS 2              /* render px per output px at scale 1 */
#define BASE_SIZE 74.0f   /* the longer side of the ink box in output px, at scale 1 */
#define RPAD 4            /* render px around the glyph bitmap: morphology and bilinear reads */
#define PI_F 3.14159265f
#define MAX_SIDE 512      /* refuse crops beyond this (a broken font's huge glyph box) */

struct cv_glyph_font {
  unsigned char *data;
  size_t size;
  stbtt_fontinfo info;
  char *path;
};

cv_status cv_glyph_font_open(cv_glyph_font **out, const char *path, int index) {
  *out = NULL;
  if (!path) return cv_fail(CV_EINVAL, "glyph font: no path");
  int fd = open(path, O_RDONLY);
  if (fd < 0) return cv_fail(CV_EIO, "glyph font: cannot open '%s'", path);
  struct stat sb;
  if (fstat(fd, &sb) != 0 || sb.st_size < 12) {
    close(fd);
    return cv_fail(CV_EFORMAT, "glyph font: '%s' is not a font file", path);
  }
  void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return cv_fail(CV_EIO, "glyph font: cannot map '%s'", path);
  cv_glyph_font *f = calloc(1, sizeof *f);
  size_t plen = strlen(path);
  if (!f || !(f->path = malloc(plen + 1))) {
    munmap(map, (size_t)sb.st_size);
    free(f);
    return cv_fail(CV_ENOMEM, "glyph font: out of memory");
  }
  memcpy(f->path, path, plen + 1);
  f->data = map;
  f->size = (size_t)sb.st_size;
  int nf = stbtt_GetNumberOfFonts(f->data);
  int off = index >= 0 ? stbtt_GetFontOffsetForIndex(f->data, index) : -1;
  if (off < 0 || (nf > 0 && index >= nf) || !stbtt_InitFont(&f->info, f->data, off)) {
    cv_glyph_font_close(f);
    return cv_fail(CV_EFORMAT, "glyph font: '%s' has no usable face %d", path, index);
  }
  *out = f;
  return CV_OK;
}

void cv_glyph_font_close(cv_glyph_font *f) {
  if (!f) return;
  if (f->data) munmap(f->data, f->size);
  free(f->path);
  free(f);
}

static int glyph_of(const cv_glyph_font *f, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF) return 0;
  int g = stbtt_FindGlyphIndex(&f->info, (int)cp);
  if (!g || stbtt_IsGlyphEmpty(&f->info, g)) return 0;
  return g;
}

int cv_glyph_font_has(const cv_glyph_font *f, uint32_t cp) { return glyph_of(f, cp) != 0; }

const char *cv_glyph_font_path(const cv_glyph_font *f) { return f->path; }

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t cv_fontsample_seed(uint64_t seed, const char *font_name, uint32_t cp, int64_t index) {
  uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a of the name */
  for (const unsigned char *s = (const unsigned char *)(font_name ? font_name : ""); *s; s++)
    h = (h ^ *s) * 0x100000001b3ull;
  uint64_t z = mix64(seed + 0x9E3779B97F4A7C15ull);
  z = mix64(z + h + 0x9E3779B97F4A7C15ull);
  z = mix64(z + cp + 0x9E3779B97F4A7C15ull);
  return mix64(z + (uint64_t)index + 0x9E3779B97F4A7C15ull);
}

/* ---- building blocks ---- */

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Normalised Gaussian taps k[0..rad] (k[-i] = k[i]); returns rad (at most 32). */
static int gauss_taps(float *k, float sigma) {
  int rad = (int)ceilf(3.0f * sigma);
  rad = clampi(rad, 1, 32);
  float sum = 0;
  for (int i = 0; i <= rad; i++) {
    k[i] = expf(-(float)(i * i) / (2.0f * sigma * sigma));
    sum += i ? 2 * k[i] : k[i];
  }
  for (int i = 0; i <= rad; i++) k[i] /= sum;
  return rad;
}

void cv_fontsample_blur(float *dst, const float *src, int h, int w, float sigma, float *tmp) {
  float k[33];
  int rad = gauss_taps(k, sigma);
  float line[1024 + 2 * 32];   /* one row with its borders replicated: no clamping per tap */
  for (int y = 0; y < h; y++) {
    const float *s = src + (size_t)y * w;
    float *t = tmp + (size_t)y * w;
    if (w > 1024) {
      for (int x = 0; x < w; x++) {
        float acc = k[0] * s[x];
        for (int i = 1; i <= rad; i++) acc += k[i] * (s[clampi(x - i, 0, w - 1)] + s[clampi(x + i, 0, w - 1)]);
        t[x] = acc;
      }
      continue;
    }
    for (int x = -rad; x < w + rad; x++) line[x + rad] = s[clampi(x, 0, w - 1)];
    const float *l = line + rad;
    for (int x = 0; x < w; x++) {
      float acc = k[0] * l[x];
      for (int i = 1; i <= rad; i++) acc += k[i] * (l[x - i] + l[x + i]);
      t[x] = acc;
    }
  }
  for (int y = 0; y < h; y++) {
    float *d = dst + (size_t)y * w;
    const float *t0 = tmp + (size_t)y * w;
    for (int x = 0; x < w; x++) d[x] = k[0] * t0[x];
    for (int i = 1; i <= rad; i++) {
      const float *a = tmp + (size_t)clampi(y - i, 0, h - 1) * w;
      const float *b = tmp + (size_t)clampi(y + i, 0, h - 1) * w;
      for (int x = 0; x < w; x++) d[x] += k[i] * (a[x] + b[x]);
    }
  }
}

void cv_fontsample_blur_ref(float *dst, const float *src, int h, int w, float sigma) {
  float k[33];
  int rad = gauss_taps(k, sigma);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double acc = 0;
      for (int i = -rad; i <= rad; i++)
        for (int j = -rad; j <= rad; j++)
          acc += (double)k[abs(i)] * k[abs(j)] *
                 src[(size_t)clampi(y + i, 0, h - 1) * w + clampi(x + j, 0, w - 1)];
      dst[(size_t)y * w + x] = (float)acc;
    }
}

/* max (dilation) or min (erosion) of two values, inlined (fmaxf is a libm call at -O2) */
static inline float pick(int dil, float a, float b) { return dil ? (a > b ? a : b) : (a < b ? a : b); }

/* Half-width of the disk of radius r at row offset dy: the largest e with e^2 + dy^2 <= r^2. */
static int disk_ext(int r, int dy) {
  int e = 0;
  while ((e + 1) * (e + 1) + dy * dy <= r * r) e++;
  return e;
}

void cv_fontsample_morph(float *dst, const float *src, int h, int w, int r) {
  int dil = r > 0, R = abs(r);
  if (R > 8) R = 8;
  if (R == 0) { memcpy(dst, src, sizeof *dst * (size_t)h * w); return; }
  /* run[e] = the row's max (min) over [x-e, x+e], one row at a time */
  float *run = malloc(sizeof *run * (size_t)(R + 1) * w);
  if (!run) { cv_fontsample_morph_ref(dst, src, h, w, r); return; }
  for (size_t i = 0; i < (size_t)h * w; i++) dst[i] = dil ? 0.0f : 1e30f;
  for (int sy = 0; sy < h; sy++) {
    const float *s = src + (size_t)sy * w;
    memcpy(run, s, sizeof *run * w);
    for (int e = 1; e <= R; e++) {
      float *prev = run + (size_t)(e - 1) * w, *cur = run + (size_t)e * w;
      for (int x = 0; x < w; x++) {
        float a = x - e >= 0 ? s[x - e] : 0.0f, b = x + e < w ? s[x + e] : 0.0f;
        cur[x] = pick(dil, prev[x], pick(dil, a, b));
      }
    }
    for (int dy = -R; dy <= R; dy++) {
      int y = sy - dy;   /* output row y reads source row y + dy = sy */
      if (y < 0 || y >= h) continue;
      const float *rr = run + (size_t)disk_ext(R, dy) * w;
      float *d = dst + (size_t)y * w;
      for (int x = 0; x < w; x++) d[x] = pick(dil, d[x], rr[x]);
    }
  }
  /* rows outside the image count as 0 */
  for (int y = 0; y < h; y++)
    if (y - R < 0 || y + R >= h) {
      float *d = dst + (size_t)y * w;
      for (int x = 0; x < w; x++) d[x] = pick(dil, d[x], 0.0f);
    }
  free(run);
}

void cv_fontsample_morph_ref(float *dst, const float *src, int h, int w, int r) {
  int dil = r > 0, R = abs(r);
  if (R > 8) R = 8;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      float m = src[(size_t)y * w + x];
      for (int dy = -R; dy <= R; dy++)
        for (int dx = -R; dx <= R; dx++) {
          if (dx * dx + dy * dy > R * R) continue;
          int yy = y + dy, xx = x + dx;
          float v = yy >= 0 && yy < h && xx >= 0 && xx < w ? src[(size_t)yy * w + xx] : 0.0f;
          m = pick(dil, m, v);
        }
      dst[(size_t)y * w + x] = m;
    }
}

/* ---- one sample ---- */

static float unif(cv_rng *r, float a, float b) { return a + (b - a) * cv_rng_next_uniform(r); }

typedef struct params {
  float scale, aspect, theta, morph, warp_amp, warp_sigma, margin[4];
  float ink, paper, blur, noise, uneven, uneven_sigma, texture;
} params;

static void draw_params(params *p, cv_rng *r) {
  p->scale = unif(r, 0.85f, 1.15f);
  p->aspect = unif(r, 0.87f, 1.15f);
  p->theta = unif(r, -8.0f, 8.0f) * PI_F / 180.0f;
  p->morph = unif(r, -2.0f, 2.0f);
  p->warp_amp = unif(r, 0.3f, 1.6f);
  p->warp_sigma = unif(r, 4.0f, 8.0f);
  for (int i = 0; i < 4; i++) p->margin[i] = unif(r, 0.0f, 0.15f);
  p->ink = unif(r, 0.0f, 70.0f);
  p->paper = cv_rng_next_uniform(r) < 0.4f ? unif(r, 245.0f, 255.0f) : unif(r, 225.0f, 255.0f);
  p->blur = unif(r, 0.3f, 1.0f);
  p->noise = unif(r, 1.0f, 6.0f);
  p->uneven = cv_rng_next_uniform(r) < 0.5f ? unif(r, 0.0f, 0.3f) : 0.0f;
  p->uneven_sigma = unif(r, 3.0f, 10.0f);
  p->texture = unif(r, 0.0f, 6.0f);
}

/* A smooth random field of unit RMS: white noise from r, blurred with sigma. */
static void smooth_noise(float *out, float *tmp, float *tmp2, int h, int w, float sigma, cv_rng *r) {
  size_t n = (size_t)h * w;
  for (size_t i = 0; i < n; i++) tmp2[i] = 2.0f * cv_rng_next_uniform(r) - 1.0f;
  cv_fontsample_blur(out, tmp2, h, w, sigma, tmp);
  double ss = 0;
  for (size_t i = 0; i < n; i++) ss += (double)out[i] * out[i];
  float k = ss > 0 ? (float)(1.0 / sqrt(ss / (double)n)) : 0.0f;
  for (size_t i = 0; i < n; i++) out[i] *= k;
}

/* Bilinear read of img (h,w) at continuous (x, y), pixel centres at i + 0.5, 0 outside. */
static float sample(const float *img, int h, int w, float x, float y) {
  x -= 0.5f; y -= 0.5f;
  int x0 = (int)floorf(x), y0 = (int)floorf(y);
  float fx = x - x0, fy = y - y0, v = 0;
  for (int j = 0; j < 2; j++) {
    int yy = y0 + j;
    if (yy < 0 || yy >= h) continue;
    float wy = j ? fy : 1.0f - fy;
    for (int i = 0; i < 2; i++) {
      int xx = x0 + i;
      if (xx < 0 || xx >= w) continue;
      v += wy * (i ? fx : 1.0f - fx) * img[(size_t)yy * w + xx];
    }
  }
  return v;
}

static float ink_sum(const float *a, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i];
  return (float)s;
}

/* src (h,w) coverage -> dst, thickened (radius > 0) or thinned by a fractional disk radius;
 * thinning backs off (halving the radius) while it would remove more than 30% of the ink, so
 * hairline strokes of Song faces survive. tmp holds h*w floats. */
static void thicken(float *dst, const float *src, float *tmp, int h, int w, float radius) {
  size_t n = (size_t)h * w;
  float before = ink_sum(src, n);
  for (int attempt = 0; attempt < 4; attempt++) {
    float a = fabsf(radius);
    int lo = (int)floorf(a), sgn = radius < 0 ? -1 : 1;
    float fr = a - (float)lo;
    cv_fontsample_morph(dst, src, h, w, sgn * lo);
    if (fr > 0) {
      cv_fontsample_morph(tmp, src, h, w, sgn * (lo + 1));
      for (size_t i = 0; i < n; i++) dst[i] += fr * (tmp[i] - dst[i]);
    }
    if (radius >= 0 || ink_sum(dst, n) >= 0.7f * before) return;
    radius *= 0.5f;
  }
  memcpy(dst, src, sizeof *dst * n);
}

cv_status cv_fontsample_render(cv_tensor *out, const cv_glyph_font *f, uint32_t cp, uint64_t seed) {
  if (!out || out->storage) return cv_fail(CV_EINVAL, "fontsample: output tensor must be empty");
  if (!f) return cv_fail(CV_EINVAL, "fontsample: no font");
  int g = glyph_of(f, cp);
  if (!g) return cv_fail(CV_EINVAL, "fontsample: font '%s' has no glyph for U+%04X", f->path, (unsigned)cp);
  cv_rng r;
  cv_rng_init(&r, seed);
  params p;
  draw_params(&p, &r);

  /* the glyph at render scale: its longer side SS * BASE_SIZE render px */
  int gx0, gy0, gx1, gy1;
  if (!stbtt_GetGlyphBox(&f->info, g, &gx0, &gy0, &gx1, &gy1) || gx1 <= gx0 || gy1 <= gy0)
    return cv_fail(CV_EFORMAT, "fontsample: font '%s' has an empty box for U+%04X", f->path, (unsigned)cp);
  float rs = SS * BASE_SIZE / (float)(gx1 - gx0 > gy1 - gy0 ? gx1 - gx0 : gy1 - gy0);
  int bx0, by0, bx1, by1;
  stbtt_GetGlyphBitmapBox(&f->info, g, rs, rs, &bx0, &by0, &bx1, &by1);
  int bw = bx1 - bx0, bh = by1 - by0;
  if (bw < 1 || bh < 1 || bw > 4 * SS * MAX_SIDE || bh > 4 * SS * MAX_SIDE)
    return cv_fail(CV_EFORMAT, "fontsample: font '%s' gives U+%04X a %dx%d bitmap", f->path, (unsigned)cp, bw, bh);
  int sw = bw + 2 * RPAD, sh = bh + 2 * RPAD;
  size_t sn = (size_t)sw * sh;

  /* the output canvas: the transformed bitmap box plus room for the warp and the margins */
  float sx = p.scale * sqrtf(p.aspect), sy = p.scale / sqrtf(p.aspect);
  float ct = cosf(p.theta), st = sinf(p.theta);
  float hx = 0.5f * bw / SS, hy = 0.5f * bh / SS;   /* half box in output px before rotation */
  float ex = fabsf(ct * sx * hx) + fabsf(st * sy * hy), ey = fabsf(st * sx * hx) + fabsf(ct * sy * hy);
  int pad = (int)ceilf(0.16f * 2.0f * fmaxf(ex, ey) + 3.0f * p.warp_amp + 4.0f);
  int cw = 2 * ((int)ceilf(ex) + pad), ch = 2 * ((int)ceilf(ey) + pad);
  size_t cn = (size_t)cw * ch;
  size_t big = sn > cn ? sn : cn;

  cv_status status = CV_OK;
  unsigned char *bm = calloc(sn, 1);
  float *buf = malloc(sizeof *buf * (2 * sn + 6 * cn + big));
  if (!bm || !buf) { status = cv_fail(CV_ENOMEM, "fontsample: out of memory"); goto done; }
  float *src = buf, *thick = src + sn;
  float *dxf = thick + sn, *dyf = dxf + cn, *cov = dyf + cn, *fld = cov + cn, *img = fld + cn,
        *tmp2 = img + cn, *tmp = tmp2 + cn;

  stbtt_MakeGlyphBitmap(&f->info, bm + (size_t)RPAD * sw + RPAD, bw, bh, sw, rs, rs, g);
  for (size_t i = 0; i < sn; i++) src[i] = bm[i] * (1.0f / 255.0f);
  thicken(thick, src, tmp, sh, sw, p.morph);

  /* the elastic field, on a grid of half the canvas resolution (it is smooth: sigma >= 4 px),
   * then the inverse map of every subsample into the bitmap; the displacement is read once per
   * output pixel */
  int fh = ch / 2 + 2, fw = cw / 2 + 2;
  smooth_noise(dxf, tmp, tmp2, fh, fw, 0.5f * p.warp_sigma, &r);
  smooth_noise(dyf, tmp, tmp2, fh, fw, 0.5f * p.warp_sigma, &r);
  float ocx = 0.5f * cw, ocy = 0.5f * ch, scx = 0.5f * sw, scy = 0.5f * sh;
  /* inverse of R(theta) diag(sx, sy) / SS: SS diag(1/sx, 1/sy) R(-theta) */
  float i00 = SS * ct / sx, i01 = SS * st / sx, i10 = -SS * st / sy, i11 = SS * ct / sy;
  int minx = cw, miny = ch, maxx = -1, maxy = -1;
  for (int y = 0; y < ch; y++)
    for (int x = 0; x < cw; x++) {
      float gx = 0.5f * (x + 0.5f), gy = 0.5f * (y + 0.5f), acc = 0;
      float ddx = p.warp_amp * sample(dxf, fh, fw, gx, gy), ddy = p.warp_amp * sample(dyf, fh, fw, gx, gy);
      for (int k = 0; k < 4; k++) {
        float qx = x + 0.25f + 0.5f * (k & 1) + ddx - ocx, qy = y + 0.25f + 0.5f * (k >> 1) + ddy - ocy;
        acc += sample(thick, sh, sw, scx + i00 * qx + i01 * qy, scy + i10 * qx + i11 * qy);
      }
      acc *= 0.25f;
      cov[(size_t)y * cw + x] = acc;
      if (acc > 0.3f) {
        if (x < minx) minx = x;
        if (x > maxx) maxx = x;
        if (y < miny) miny = y;
        if (y > maxy) maxy = y;
      }
    }
  if (maxx < 0) {
    status = cv_fail(CV_EFORMAT, "fontsample: font '%s' drew no ink for U+%04X", f->path, (unsigned)cp);
    goto done;
  }

  /* the crop: the ink box plus a margin per side (left, right, top, bottom) */
  int iw = maxx - minx + 1, ih = maxy - miny + 1;
  int X0 = clampi(minx - (int)lroundf(p.margin[0] * iw), 0, cw - 1);
  int X1 = clampi(maxx + (int)lroundf(p.margin[1] * iw), 0, cw - 1);
  int Y0 = clampi(miny - (int)lroundf(p.margin[2] * ih), 0, ch - 1);
  int Y1 = clampi(maxy + (int)lroundf(p.margin[3] * ih), 0, ch - 1);
  int ow = X1 - X0 + 1, oh = Y1 - Y0 + 1;
  if (ow > MAX_SIDE || oh > MAX_SIDE) {
    status = cv_fail(CV_EFORMAT, "fontsample: font '%s' gives U+%04X a %dx%d crop", f->path, (unsigned)cp, ow, oh);
    goto done;
  }
  size_t on = (size_t)ow * oh;

  /* toning: uneven inking (a smooth field fading the ink), paper texture, blur, noise */
  int uh = oh / 2 + 2, uw = ow / 2 + 2;   /* the fading field at half resolution, when any */
  if (p.uneven > 0) smooth_noise(fld, tmp, tmp2, uh, uw, 0.5f * p.uneven_sigma, &r);
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      float c = cov[(size_t)(Y0 + y) * cw + X0 + x], fade = 1.0f;
      if (p.uneven > 0)
        fade -= p.uneven * clampf(0.5f + 0.35f * sample(fld, uh, uw, 0.5f * (x + 0.5f), 0.5f * (y + 0.5f)), 0.0f, 1.0f);
      img[(size_t)y * ow + x] = p.paper + (p.ink - p.paper) * c * fade;
    }
  smooth_noise(fld, tmp, tmp2, oh, ow, 1.5f, &r);
  for (size_t i = 0; i < on; i++) img[i] += p.texture * fld[i];
  cv_fontsample_blur(cov, img, oh, ow, p.blur, tmp);   /* cov is free again: reuse it */
  int64_t shape[3] = {oh, ow, 1};
  status = cv_tensor_alloc_uninit(out, CV_UINT8, 3, shape);
  if (status != CV_OK) goto done;
  uint8_t *o = cv_tensor_u8(out);
  for (size_t i = 0; i < on; i++) {
    float v = cov[i] + p.noise * cv_rng_next_normal(&r);
    o[i] = (uint8_t)lroundf(clampf(v, 0.0f, 255.0f));
  }

done:
  free(bm);
  free(buf);
  return status;
}

/* ---- many samples, in threads ---- */

typedef struct gen_ctx {
  cv_glyph_font *const *fonts;
  const cv_fontsample_job *jobs;
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
    const cv_fontsample_job *j = &c->jobs[i];
    cv_tensor t = {0};
    cv_status st = cv_fontsample_render(&t, c->fonts[j->font], j->cp, j->seed);
    if (st != CV_OK) st = cv_fail(st, "%s: %s", j->path, cv_last_error());
    else st = cv_png_write(j->path, cv_tensor_u8(&t), (int)t.shape[0], (int)t.shape[1], 1, (int)t.shape[1]);
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

cv_status cv_fontsample_generate(cv_glyph_font *const *fonts, int nfonts,
                                 const cv_fontsample_job *jobs, size_t njobs) {
  for (size_t i = 0; i < njobs; i++) {
    const cv_fontsample_job *j = &jobs[i];
    if (j->font < 0 || j->font >= nfonts || !fonts[j->font])
      return cv_fail(CV_EINVAL, "fontsample: job %zu names font %d of %d", i + 1, j->font + 1, nfonts);
    if (!j->path) return cv_fail(CV_EINVAL, "fontsample: job %zu has no path", i + 1);
    if (!glyph_of(fonts[j->font], j->cp))
      return cv_fail(CV_EINVAL, "%s: font '%s' has no glyph for U+%04X", j->path,
                     fonts[j->font]->path, (unsigned)j->cp);
  }
  gen_ctx c;
  memset(&c, 0, sizeof c);
  c.fonts = fonts;
  c.jobs = jobs;
  pthread_mutex_init(&c.lock, NULL);
  cv_parallel_for((int64_t)njobs, 4, gen_range, &c);
  pthread_mutex_destroy(&c.lock);
  if (c.failed) return cv_fail(c.status, "%s", c.msg);
  return CV_OK;
}
