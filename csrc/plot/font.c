/* font.c - font sets and text rendering with stb_truetype (the implementation is in libstb, so the
 * header is included without STB_TRUETYPE_IMPLEMENTATION). Text is laid out on one line, rendered
 * glyph by glyph at its subpixel position into a coverage mask, and composited by the raster. */
#include "plot/font.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb_truetype.h>

struct cv_face {
  unsigned char *data;
  stbtt_fontinfo info;
  float ascent, descent;  /* per em, positive */
};

static cv_status load_face(cv_face **out, const char *path, int index) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return cv_fail(CV_EIO, "font: cannot open '%s'", path);
  cv_face *face = calloc(1, sizeof *face);
  long n = -1;
  if (face && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (!face || n <= 0 || fseek(f, 0, SEEK_SET) != 0 || !(face->data = malloc((size_t)n)) ||
      fread(face->data, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    if (face) free(face->data);
    free(face);
    return cv_fail(CV_EIO, "font: cannot read '%s'", path);
  }
  fclose(f);
  int nf = stbtt_GetNumberOfFonts(face->data);
  int off = stbtt_GetFontOffsetForIndex(face->data, index);
  if (off < 0 || (nf > 0 && index >= nf) || !stbtt_InitFont(&face->info, face->data, off)) {
    free(face->data);
    free(face);
    return cv_fail(CV_EFORMAT, "font: '%s' has no usable face %d", path, index);
  }
  int asc, desc, gap;
  stbtt_GetFontVMetrics(&face->info, &asc, &desc, &gap);
  float em = stbtt_ScaleForMappingEmToPixels(&face->info, 1.0f);
  face->ascent = asc * em;
  face->descent = -desc * em;
  *out = face;
  return CV_OK;
}

static void free_face(cv_face *f) {
  if (!f) return;
  free(f->data);
  free(f);
}

cv_status cv_fontset_add(cv_fontset *fs, const char *path, int index) {
  if (fs->nfaces >= CV_FONT_MAX_FACES)
    return cv_fail(CV_EINVAL, "font: at most %d faces in a set", CV_FONT_MAX_FACES);
  cv_face *f;
  cv_status st = load_face(&f, path, index);
  if (st != CV_OK) return st;
  fs->faces[fs->nfaces++] = f;
  return CV_OK;
}

cv_status cv_fontset_add_primary(cv_fontset *fs, const char *path, int index) {
  cv_face *f;
  cv_status st = load_face(&f, path, index);
  if (st != CV_OK) return st;
  if (fs->nfaces >= CV_FONT_MAX_FACES) free_face(fs->faces[--fs->nfaces]);
  memmove(fs->faces + 1, fs->faces, (size_t)fs->nfaces * sizeof fs->faces[0]);
  fs->faces[0] = f;
  fs->nfaces++;
  return CV_OK;
}

void cv_fontset_clear(cv_fontset *fs) {
  for (int i = 0; i < fs->nfaces; i++) free_face(fs->faces[i]);
  fs->nfaces = 0;
}

/* Decodes one UTF-8 sequence at *s, advancing it; invalid bytes decode as U+FFFD. */
static uint32_t next_cp(const unsigned char **s) {
  const unsigned char *p = *s;
  uint32_t c = *p++;
  int extra = 0;
  if (c < 0x80) extra = 0;
  else if ((c & 0xe0) == 0xc0) { c &= 0x1f; extra = 1; }
  else if ((c & 0xf0) == 0xe0) { c &= 0x0f; extra = 2; }
  else if ((c & 0xf8) == 0xf0) { c &= 0x07; extra = 3; }
  else { *s = p; return 0xfffd; }
  for (int i = 0; i < extra; i++) {
    if ((*p & 0xc0) != 0x80) { *s = p; return 0xfffd; }
    c = (c << 6) | (*p++ & 0x3f);
  }
  *s = p;
  return c;
}

static int find_glyph(const cv_fontset *fs, uint32_t cp, int *glyph) {
  for (int i = 0; i < fs->nfaces; i++) {
    int g = stbtt_FindGlyphIndex(&fs->faces[i]->info, (int)cp);
    if (g) { *glyph = g; return i; }
  }
  *glyph = 0;
  return 0;
}

int cv_fontset_has_glyph(const cv_fontset *fs, uint32_t cp) {
  for (int i = 0; i < fs->nfaces; i++)
    if (stbtt_FindGlyphIndex(&fs->faces[i]->info, (int)cp)) return 1;
  return 0;
}

/* One laid-out glyph. */
/* One laid-out glyph: its face and index, the code point, the pen x and the advance (pixels). */
typedef struct placed { int face, glyph; uint32_t cp; float x, advance; } placed;

/* Lays out utf8: fills *out (malloc'ed, *n entries), returns the advance width. */
static float layout(const cv_fontset *fs, const char *utf8, float px, placed **out, int *n,
                    float *asc, float *desc) {
  size_t len = strlen(utf8);
  placed *g = malloc((len + 1) * sizeof *g);
  *out = g; *n = 0;
  *asc = fs->faces[0]->ascent * px;
  *desc = fs->faces[0]->descent * px;
  if (!g) return 0;
  const unsigned char *s = (const unsigned char *)utf8;
  float x = 0;
  int prev_face = -1, prev_glyph = 0;
  while (*s) {
    uint32_t cp = next_cp(&s);
    if (cp == '\n' || cp == '\r') continue;
    int glyph, fi = find_glyph(fs, cp, &glyph);
    const stbtt_fontinfo *info = &fs->faces[fi]->info;
    float scale = stbtt_ScaleForMappingEmToPixels(info, px);
    if (prev_face == fi && prev_glyph)
      x += scale * stbtt_GetGlyphKernAdvance(info, prev_glyph, glyph);
    int adv, lsb;
    stbtt_GetGlyphHMetrics(info, glyph, &adv, &lsb);
    g[*n].face = fi; g[*n].glyph = glyph; g[*n].cp = cp; g[*n].x = x; g[*n].advance = scale * adv;
    (*n)++;
    x += scale * adv;
    prev_face = fi; prev_glyph = glyph;
    if (fs->faces[fi]->ascent * px > *asc) *asc = fs->faces[fi]->ascent * px;
    if (fs->faces[fi]->descent * px > *desc) *desc = fs->faces[fi]->descent * px;
  }
  return x;
}

cv_status cv_text_measure(const cv_fontset *fs, const char *utf8, float px, cv_text_metrics *m) {
  if (fs->nfaces == 0) return cv_fail(CV_EINVAL, "text: no font loaded");
  placed *g;
  int n;
  m->width = layout(fs, utf8, px, &g, &n, &m->ascent, &m->descent);
  if (!g) return cv_fail(CV_ENOMEM, "text: out of memory");
  free(g);
  return CV_OK;
}

cv_status cv_text_glyphs(cv_glyph_place *out, int cap, int *n, const cv_fontset *fs,
                         const char *utf8, float px) {
  *n = 0;
  if (fs->nfaces == 0) return cv_fail(CV_EINVAL, "text: no font loaded");
  placed *g;
  int m;
  float asc, desc;
  (void)layout(fs, utf8, px, &g, &m, &asc, &desc);
  if (!g) return cv_fail(CV_ENOMEM, "text: out of memory");
  /* the advance is the glyph's own: the kerning with the next glyph is in that glyph's x */
  for (int i = 0; i < m && i < cap; i++)
    out[i] = (cv_glyph_place){g[i].face, g[i].glyph, g[i].cp, g[i].x, g[i].advance};
  *n = m;
  free(g);
  return CV_OK;
}

cv_status cv_glyph_outline(cv_path_seg **out, int *n, float *advance, const cv_fontset *fs,
                           int face, int glyph) {
  *out = NULL;
  *n = 0;
  *advance = 0;
  if (face < 0 || face >= fs->nfaces) return cv_fail(CV_EINVAL, "glyph: no face %d in the font set", face);
  const stbtt_fontinfo *info = &fs->faces[face]->info;
  if (glyph < 0 || glyph >= info->numGlyphs)
    return cv_fail(CV_EINVAL, "glyph: no glyph %d in face %d (it has %d)", glyph, face, info->numGlyphs);
  float k = stbtt_ScaleForMappingEmToPixels(info, 1000.0f);
  int adv, lsb;
  stbtt_GetGlyphHMetrics(info, glyph, &adv, &lsb);
  *advance = adv * k;
  stbtt_vertex *v = NULL;
  int nv = stbtt_GetGlyphShape(info, glyph, &v);
  if (nv <= 0) { if (v) stbtt_FreeShape(info, v); return CV_OK; }
  cv_path_seg *p = malloc((size_t)nv * sizeof *p);
  if (!p) { stbtt_FreeShape(info, v); return cv_fail(CV_ENOMEM, "glyph: out of memory"); }
  for (int i = 0; i < nv; i++) {
    cv_path_seg *q = &p[i];
    q->kind = v[i].type == STBTT_vmove ? CV_PATH_MOVE : v[i].type == STBTT_vline ? CV_PATH_LINE
            : v[i].type == STBTT_vcurve ? CV_PATH_QUAD : CV_PATH_CUBIC;
    q->x = v[i].x * k; q->y = v[i].y * k;
    q->cx = v[i].cx * k; q->cy = v[i].cy * k;
    q->cx1 = v[i].cx1 * k; q->cy1 = v[i].cy1 * k;
  }
  stbtt_FreeShape(info, v);
  *out = p;
  *n = nv;
  return CV_OK;
}

cv_status cv_text_draw(cv_canvas *c, const cv_fontset *fs, const char *utf8, float px, float x,
                       float y, int halign, int valign, float angle, cv_color col) {
  if (fs->nfaces == 0) return cv_fail(CV_EINVAL, "text: no font loaded");
  placed *g;
  int n;
  float asc, desc;
  float width = layout(fs, utf8, px, &g, &n, &asc, &desc);
  if (!g) return cv_fail(CV_ENOMEM, "text: out of memory");
  if (n == 0) { free(g); return CV_OK; }
  /* the anchor in text coordinates (origin at the baseline start, y down) */
  float ax = halign == 1 ? width / 2 : halign == 2 ? width : 0;
  float ay = valign == 1 ? -asc : valign == 2 ? (desc - asc) / 2 : valign == 3 ? desc : 0;
  int upright = fabsf(angle) < 1e-6f;
  /* upright text is rendered at the anchor's subpixel x offset, then placed on whole pixels */
  float fx = upright ? (x - ax) - floorf(x - ax) : 0;
  float fy = upright ? (y - ay) - floorf(y - ay) : 0;
  /* bounding box of the glyph bitmaps, relative to the baseline start */
  int bx0 = 1 << 30, by0 = 1 << 30, bx1 = -(1 << 30), by1 = -(1 << 30);
  for (int i = 0; i < n; i++) {
    const stbtt_fontinfo *info = &fs->faces[g[i].face]->info;
    float scale = stbtt_ScaleForMappingEmToPixels(info, px);
    float gx = g[i].x + fx;
    int x0, y0, x1, y1;
    stbtt_GetGlyphBitmapBoxSubpixel(info, g[i].glyph, scale, scale, gx - floorf(gx), fy, &x0, &y0,
                                    &x1, &y1);
    if (x1 <= x0 || y1 <= y0) continue;
    x0 += (int)floorf(gx); x1 += (int)floorf(gx);
    if (x0 < bx0) bx0 = x0;
    if (y0 < by0) by0 = y0;
    if (x1 > bx1) bx1 = x1;
    if (y1 > by1) by1 = y1;
  }
  if (bx1 <= bx0 || by1 <= by0) { free(g); return CV_OK; }  /* only spaces */
  int mw = bx1 - bx0, mh = by1 - by0;
  uint8_t *mask = calloc((size_t)mw * mh, 1), *tmp = NULL;
  size_t tmpcap = 0;
  if (!mask) { free(g); return cv_fail(CV_ENOMEM, "text: out of memory"); }
  for (int i = 0; i < n; i++) {
    const stbtt_fontinfo *info = &fs->faces[g[i].face]->info;
    float scale = stbtt_ScaleForMappingEmToPixels(info, px);
    float gx = g[i].x + fx, sub = gx - floorf(gx);
    int x0, y0, x1, y1;
    stbtt_GetGlyphBitmapBoxSubpixel(info, g[i].glyph, scale, scale, sub, fy, &x0, &y0, &x1, &y1);
    int gw = x1 - x0, gh = y1 - y0;
    if (gw <= 0 || gh <= 0) continue;
    if ((size_t)gw * gh > tmpcap) {
      free(tmp);
      tmpcap = (size_t)gw * gh;
      tmp = malloc(tmpcap);
      if (!tmp) { free(mask); free(g); return cv_fail(CV_ENOMEM, "text: out of memory"); }
    }
    stbtt_MakeGlyphBitmapSubpixel(info, tmp, gw, gh, gw, scale, scale, sub, fy, g[i].glyph);
    int ox = x0 + (int)floorf(gx) - bx0, oy = y0 - by0;
    for (int j = 0; j < gh; j++)
      for (int k = 0; k < gw; k++) {
        uint8_t v = tmp[(size_t)j * gw + k], *d = mask + (size_t)(oy + j) * mw + ox + k;
        int s = *d + v;   /* neighbouring glyphs' antialiased edges add up */
        *d = (uint8_t)(s > 255 ? 255 : s);
      }
  }
  free(tmp);
  free(g);
  /* the mask's pixel (0,0) sits at text coordinates (bx0 - fx, by0 - fy) */
  if (upright) {
    int px0 = (int)floorf(x - ax) + bx0, py0 = (int)floorf(y - ay) + by0;
    cv_canvas_draw_mask(c, mask, mw, mh, 0, 0, (float)px0, (float)py0, 0, col);
  } else {
    cv_canvas_draw_mask(c, mask, mw, mh, ax - bx0, ay - by0, x, y, angle, col);
  }
  free(mask);
  return CV_OK;
}
