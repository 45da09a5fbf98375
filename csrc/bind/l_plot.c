/* l_plot.c - Lua bindings of the raster, font and colour-map parts of the core: the canvas userdata
 * (metatable "cvision.Canvas") that cvision.plot draws on, text measuring, font choice, colour maps,
 * and tensor readers for imshow and hist (done in C, straight from the tensor's data).
 * Canvas coordinates are 0-based pixels, (0, 0) the top-left corner; colours are tables {r, g, b [, a]}
 * of numbers in [0, 1] or strings "#rrggbb" / "#rrggbbaa". */
#include "lcv.h"
#include "plot/raster.h"
#include "plot/font.h"
#include "plot/colormap.h"
#include "plot/jpeg_write.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CANVAS_MT "cvision.Canvas"

typedef struct lcanvas { cv_canvas c; } lcanvas;

/* ---- fonts: one set per process, loaded on first use ---- */
static cv_fontset fonts;
static int fonts_ready;

static const char *const default_fonts[] = {
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
  NULL
};

static cv_fontset *get_fonts(lua_State *L) {
  if (!fonts_ready) {
    for (int i = 0; default_fonts[i] && fonts.nfaces < 2; i++) {
      int idx = strstr(default_fonts[i], "NotoSansCJK") ? 2 : 0;  /* Noto Sans CJK SC */
      cv_fontset_add(&fonts, default_fonts[i], idx);
    }
    fonts_ready = 1;
  }
  if (fonts.nfaces == 0)
    luaL_error(L, "cv.plot: no font found (install fonts-wqy-microhei or choose one with cv.plot.font(path))");
  return &fonts;
}

/* ---- helpers ---- */
static lcanvas *checkcanvas(lua_State *L, int idx) {
  lcanvas *lc = luaL_checkudata(L, idx, CANVAS_MT);
  if (!lc->c.rgba) luaL_argerror(L, idx, "canvas is closed");
  return lc;
}

static uint8_t unit_byte(double v) {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  return (uint8_t)(v * 255.0 + 0.5);
}

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

static cv_color checkcolor(lua_State *L, int idx) {
  cv_color c = {0, 0, 0, 255};
  if (lua_type(L, idx) == LUA_TSTRING) {
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    uint8_t b[4] = {0, 0, 0, 255};
    if (n != 7 && n != 9) luaL_argerror(L, idx, "colour string must be #rrggbb or #rrggbbaa");
    if (s[0] != '#') luaL_argerror(L, idx, "colour string must start with #");
    for (size_t i = 0; i < (n - 1) / 2; i++) {
      int hi = hexval(s[1 + 2 * i]), lo = hexval(s[2 + 2 * i]);
      if (hi < 0 || lo < 0) luaL_argerror(L, idx, "bad hex digit in colour");
      b[i] = (uint8_t)(hi * 16 + lo);
    }
    c = (cv_color){b[0], b[1], b[2], b[3]};
  } else if (lua_istable(L, idx)) {
    double v[4] = {0, 0, 0, 1};
    for (int i = 0; i < 4; i++) {
      if (lua_geti(L, idx, i + 1) == LUA_TNUMBER) v[i] = lua_tonumber(L, -1);
      else if (i < 3) luaL_argerror(L, idx, "colour table needs numbers r, g, b in [0, 1]");
      lua_pop(L, 1);
    }
    c = (cv_color){unit_byte(v[0]), unit_byte(v[1]), unit_byte(v[2]), unit_byte(v[3])};
  } else {
    luaL_typeerror(L, idx, "colour (table {r, g, b [, a]} or \"#rrggbb\")");
  }
  return c;
}

/* Reads a flat table {x1, y1, x2, y2, ...} into a malloc'ed float array; returns the point count. */
static int checkpoints(lua_State *L, int idx, float **out) {
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_Integer n = luaL_len(L, idx);
  if (n % 2) luaL_argerror(L, idx, "point list must hold x, y pairs");
  float *p = malloc(((size_t)n + 1) * sizeof(float));
  if (!p) luaL_error(L, "out of memory");
  for (lua_Integer i = 0; i < n; i++) {
    lua_geti(L, idx, i + 1);
    p[i] = (float)(lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN);
    lua_pop(L, 1);
  }
  *out = p;
  return (int)(n / 2);
}

/* core.canvas(width, height [, colour]) --> canvas (filled with colour, white by default) */
static int l_canvas(lua_State *L) {
  lua_Integer w = luaL_checkinteger(L, 1), h = luaL_checkinteger(L, 2);
  cv_color bg = lua_isnoneornil(L, 3) ? (cv_color){255, 255, 255, 255} : checkcolor(L, 3);
  luaL_argcheck(L, w > 0 && w <= 32768, 1, "width must be in 1..32768");
  luaL_argcheck(L, h > 0 && h <= 32768, 2, "height must be in 1..32768");
  lcanvas *lc = lua_newuserdatauv(L, sizeof *lc, 0);
  lc->c.rgba = NULL;
  lc->c.width = lc->c.height = 0;
  luaL_setmetatable(L, CANVAS_MT);
  LCV_CHECK(L, cv_canvas_init(&lc->c, (int)w, (int)h, bg), "canvas");
  return 1;
}

/* canvas:size() --> width, height */
static int c_size(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  lua_pushinteger(L, lc->c.width);
  lua_pushinteger(L, lc->c.height);
  return 2;
}

/* canvas:pixel(x, y) --> r, g, b, a (bytes; x, y 0-based) */
static int c_pixel(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  lua_Integer x = luaL_checkinteger(L, 2), y = luaL_checkinteger(L, 3);
  luaL_argcheck(L, x >= 0 && x < lc->c.width, 2, "x outside the canvas");
  luaL_argcheck(L, y >= 0 && y < lc->c.height, 3, "y outside the canvas");
  const uint8_t *p = lc->c.rgba + ((size_t)y * lc->c.width + x) * 4;
  for (int k = 0; k < 4; k++) lua_pushinteger(L, p[k]);
  return 4;
}

/* canvas:clear(colour) */
static int c_clear(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  cv_canvas_clear(&lc->c, checkcolor(L, 2));
  return 0;
}

/* canvas:fill_rect(x, y, w, h, colour) */
static int c_fill_rect(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  float x = (float)luaL_checknumber(L, 2), y = (float)luaL_checknumber(L, 3);
  float w = (float)luaL_checknumber(L, 4), h = (float)luaL_checknumber(L, 5);
  LCV_CHECK(L, cv_canvas_fill_rect(&lc->c, x, y, w, h, checkcolor(L, 6)), "fill_rect");
  return 0;
}

/* canvas:fill_polygon({x1, y1, x2, y2, ...}, colour) fills a polygon;
 * canvas:fill_polygon({{x1, y1, ...}, {x1, y1, ...}, ...}, colour) fills the union of several, so
 * shapes sharing an edge (the bars of a histogram) leave no seam */
static int c_fill_polygon(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  cv_color col = checkcolor(L, 3);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (lua_geti(L, 2, 1) != LUA_TTABLE) {
    lua_pop(L, 1);
    float *p;
    int n = checkpoints(L, 2, &p);
    cv_status st = cv_canvas_fill_polygons(&lc->c, p, &n, 1, col);
    free(p);
    LCV_CHECK(L, st, "fill_polygon");
    return 0;
  }
  lua_pop(L, 1);
  int np = (int)luaL_len(L, 2), total = 0;
  for (int k = 0; k < np; k++) {   /* check everything before taking memory */
    if (lua_geti(L, 2, k + 1) != LUA_TTABLE) luaL_argerror(L, 2, "list of point lists expected");
    lua_Integer n = luaL_len(L, -1);
    if (n % 2) luaL_argerror(L, 2, "point list must hold x, y pairs");
    total += (int)(n / 2);
    lua_pop(L, 1);
  }
  /* scratch in userdata: collected by Lua whatever happens */
  int *counts = lua_newuserdatauv(L, ((size_t)np + 1) * sizeof(int), 0);
  float *all = lua_newuserdatauv(L, ((size_t)total + 1) * 2 * sizeof(float), 0), *q = all;
  for (int k = 0; k < np; k++) {
    lua_geti(L, 2, k + 1);
    counts[k] = (int)(luaL_len(L, -1) / 2);
    for (int i = 0; i < 2 * counts[k]; i++) {
      lua_geti(L, -1, i + 1);
      *q++ = (float)(lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  cv_status st = cv_canvas_fill_polygons(&lc->c, all, counts, np, col);
  LCV_CHECK(L, st, "fill_polygon");
  return 0;
}

/* canvas:circle(cx, cy, r, colour) fills a disc */
static int c_circle(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  float x = (float)luaL_checknumber(L, 2), y = (float)luaL_checknumber(L, 3);
  float r = (float)luaL_checknumber(L, 4);
  LCV_CHECK(L, cv_canvas_fill_circle(&lc->c, x, y, r, checkcolor(L, 5)), "circle");
  return 0;
}

/* canvas:stroke({x1, y1, ...}, colour, width [, dashes [, cap]]) draws an antialiased polyline;
 * dashes is a table of on/off lengths in pixels, cap "butt" | "square" | "round" */
static int c_stroke(lua_State *L) {
  static const char *const caps[] = {"butt", "square", "round", NULL};
  lcanvas *lc = checkcanvas(L, 1);
  cv_color col = checkcolor(L, 3);
  float width = (float)luaL_optnumber(L, 4, 1.0);
  int cap = luaL_checkoption(L, 6, "butt", caps);
  float dash[16];
  int nd = 0;
  if (!lua_isnoneornil(L, 5)) {
    luaL_checktype(L, 5, LUA_TTABLE);
    nd = (int)luaL_len(L, 5);
    luaL_argcheck(L, nd <= 16, 5, "at most 16 dash lengths");
    for (int i = 0; i < nd; i++) {
      lua_geti(L, 5, i + 1);
      dash[i] = (float)luaL_checknumber(L, -1);
      lua_pop(L, 1);
    }
  }
  float *p;
  int n = checkpoints(L, 2, &p);
  cv_status st = cv_canvas_stroke(&lc->c, p, n, width, col, cap, nd ? dash : NULL, nd);
  free(p);
  LCV_CHECK(L, st, "stroke");
  return 0;
}

static const char *const haligns[] = {"left", "center", "right", NULL};
static const char *const valigns[] = {"baseline", "top", "center", "bottom", NULL};

/* canvas:text(s, x, y, size_px, colour [, halign [, valign [, angle]]]) draws one line of text;
 * halign "left" | "center" | "right", valign "baseline" | "top" | "center" | "bottom", angle in
 * degrees counter-clockwise about the anchor */
static int c_text(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  const char *s = luaL_checkstring(L, 2);
  float x = (float)luaL_checknumber(L, 3), y = (float)luaL_checknumber(L, 4);
  float px = (float)luaL_checknumber(L, 5);
  cv_color col = checkcolor(L, 6);
  int ha = luaL_checkoption(L, 7, "left", haligns), va = luaL_checkoption(L, 8, "baseline", valigns);
  float angle = (float)luaL_optnumber(L, 9, 0);
  luaL_argcheck(L, px > 0 && px < 2000, 5, "text size must be in (0, 2000) pixels");
  LCV_CHECK(L, cv_text_draw(&lc->c, get_fonts(L), s, px, x, y, ha, va, angle, col), "text");
  return 0;
}

/* canvas:blit(src, x, y [, w, h [, interp]]) draws canvas src scaled into (x, y, w, h);
 * interp "nearest" (default) | "bilinear" */
static int c_blit(lua_State *L) {
  static const char *const interps[] = {"nearest", "bilinear", NULL};
  lcanvas *lc = checkcanvas(L, 1), *src = checkcanvas(L, 2);
  float x = (float)luaL_checknumber(L, 3), y = (float)luaL_checknumber(L, 4);
  float w = (float)luaL_optnumber(L, 5, src->c.width), h = (float)luaL_optnumber(L, 6, src->c.height);
  int interp = luaL_checkoption(L, 7, "nearest", interps);
  cv_canvas_draw_rgba(&lc->c, src->c.rgba, src->c.width, src->c.height, x, y, w, h, interp);
  return 0;
}

/* The sample (1-based, along the first axis) of t, or t itself when sample is 0: data pointer
 * offset in elements and the remaining shape. */
static int64_t sample_view(lua_State *L, const cv_tensor *t, lua_Integer sample, int *ndim,
                           int64_t *shape) {
  if (sample == 0) {
    *ndim = t->ndim;
    memcpy(shape, t->shape, sizeof(int64_t) * (size_t)t->ndim);
    return 0;
  }
  if (t->ndim < 1 || sample < 1 || sample > t->shape[0])
    luaL_error(L, "sample %d out of range", (int)sample);
  *ndim = t->ndim - 1;
  memcpy(shape, t->shape + 1, sizeof(int64_t) * (size_t)(t->ndim - 1));
  int64_t per = t->shape[0] ? t->numel / t->shape[0] : 0;
  return (sample - 1) * per;
}

static double elem(const cv_tensor *t, int64_t i) {
  if (t->dtype == CV_FLOAT32) return (double)cv_tensor_f32(t)[i];
  if (t->dtype == CV_UINT8) return (double)cv_tensor_u8(t)[i];
  return cv_tensor_get_flat(t, i);   /* int8 and any later dtype: its own values */
}

/* canvas:image(t, sample, x, y, w, h [, cmap [, vmin [, vmax [, interp]]]]) draws tensor t (or its
 * sample-th item along the first axis when sample > 0) into (x, y, w, h). Shapes (H, W) and (H, W, 1)
 * go through the colour map between vmin and vmax; (H, W, 3) and (H, W, 4) are colours (uint8, or
 * float in [0, 1]). */
static int c_image(lua_State *L) {
  static const char *const interps[] = {"nearest", "bilinear", NULL};
  lcanvas *lc = checkcanvas(L, 1);
  cv_tensor *t = lcv_checktensor(L, 2);
  lua_Integer sample = luaL_optinteger(L, 3, 0);
  float x = (float)luaL_checknumber(L, 4), y = (float)luaL_checknumber(L, 5);
  float w = (float)luaL_checknumber(L, 6), h = (float)luaL_checknumber(L, 7);
  const char *cmap = luaL_optstring(L, 8, "viridis");
  int interp = luaL_checkoption(L, 11, "nearest", interps);
  int ndim;
  int64_t shape[CV_MAX_DIMS];
  int64_t off = sample_view(L, t, sample, &ndim, shape);
  int ch = ndim == 3 ? (int)shape[2] : 1;
  if (!(ndim == 2 || (ndim == 3 && (ch == 1 || ch == 3 || ch == 4))))
    return luaL_error(L, "imshow: expected an image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)");
  int64_t H = shape[0], W = shape[1], n = H * W;
  if (n <= 0) return 0;
  uint8_t *rgba = malloc((size_t)n * 4);
  float *vals = NULL;
  if (!rgba) return luaL_error(L, "imshow: out of memory");
  if (ch == 1) {
    cv_colormap lut;
    cv_status st = cv_colormap_get(&lut, cmap);
    if (st != CV_OK) { free(rgba); return lcv_error(L, st, "imshow"); }
    double vmin = luaL_optnumber(L, 9, NAN), vmax = luaL_optnumber(L, 10, NAN);
    vals = malloc((size_t)n * sizeof(float));
    if (!vals) { free(rgba); return luaL_error(L, "imshow: out of memory"); }
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
      double v = elem(t, off + i);
      vals[i] = (float)v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (isnan(vmin)) vmin = lo;
    if (isnan(vmax)) vmax = hi;
    cv_colormap_apply(rgba, vals, n, &lut, vmin, vmax);
    free(vals);
  } else {
    double scale = 255.0;
    if (t->dtype == CV_UINT8) scale = 1.0;
    else {
      /* float colours are in [0, 1]; a float image holding 0..255 values is scaled down */
      double hi = 0;
      for (int64_t i = 0; i < n * ch; i++) if (elem(t, off + i) > hi) hi = elem(t, off + i);
      if (hi > 1.0) scale = 1.0;
    }
    for (int64_t i = 0; i < n; i++) {
      for (int k = 0; k < 4; k++) {
        double v = k < ch ? elem(t, off + i * ch + k) * scale : 255.0;
        rgba[4 * i + k] = (uint8_t)(v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5);
      }
    }
  }
  cv_canvas_draw_rgba(&lc->c, rgba, (int)W, (int)H, x, y, w, h, interp);
  free(rgba);
  return 0;
}

/* canvas:ink(x0, y0, x1, y1 [, colour]) --> number of pixels in [x0, x1) x [y0, y1) that differ
 * from colour (white by default) */
static int c_ink(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  lua_Integer x0 = luaL_checkinteger(L, 2), y0 = luaL_checkinteger(L, 3);
  lua_Integer x1 = luaL_checkinteger(L, 4), y1 = luaL_checkinteger(L, 5);
  cv_color bg = lua_isnoneornil(L, 6) ? (cv_color){255, 255, 255, 255} : checkcolor(L, 6);
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > lc->c.width) x1 = lc->c.width;
  if (y1 > lc->c.height) y1 = lc->c.height;
  lua_Integer count = 0;
  for (lua_Integer y = y0; y < y1; y++)
    for (lua_Integer x = x0; x < x1; x++) {
      const uint8_t *p = lc->c.rgba + ((size_t)y * lc->c.width + x) * 4;
      if (p[0] != bg.r || p[1] != bg.g || p[2] != bg.b) count++;
    }
  lua_pushinteger(L, count);
  return 1;
}

/* canvas:crop(x, y, w, h) --> a new canvas holding that part */
static int c_crop(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  lua_Integer x = luaL_checkinteger(L, 2), y = luaL_checkinteger(L, 3);
  lua_Integer w = luaL_checkinteger(L, 4), h = luaL_checkinteger(L, 5);
  luaL_argcheck(L, x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= lc->c.width && y + h <= lc->c.height,
                2, "crop rectangle outside the canvas");
  lcanvas *out = lua_newuserdatauv(L, sizeof *out, 0);
  out->c.rgba = NULL;
  out->c.width = out->c.height = 0;
  luaL_setmetatable(L, CANVAS_MT);
  LCV_CHECK(L, cv_canvas_init(&out->c, (int)w, (int)h, (cv_color){0, 0, 0, 0}), "crop");
  for (lua_Integer j = 0; j < h; j++)
    memcpy(out->c.rgba + (size_t)j * w * 4, lc->c.rgba + ((size_t)(y + j) * lc->c.width + x) * 4,
           (size_t)w * 4);
  return 1;
}

/* canvas:tensor([channels]) --> uint8 tensor (H, W, channels): 1 gives luminance (Rec. 601),
 * 3 RGB, 4 RGBA (default) */
static int c_tensor(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  lua_Integer ch = luaL_optinteger(L, 2, 4);
  luaL_argcheck(L, ch == 1 || ch == 3 || ch == 4, 2, "channels must be 1, 3 or 4");
  int64_t shape[3] = {lc->c.height, lc->c.width, ch};
  cv_tensor *t = lcv_newtensor(L, CV_UINT8, 3, shape);
  uint8_t *d = cv_tensor_u8(t);
  size_t n = (size_t)lc->c.width * lc->c.height;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *p = lc->c.rgba + 4 * i;
    if (ch == 1) d[i] = (uint8_t)((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
    else for (int k = 0; k < ch; k++) d[i * (size_t)ch + k] = p[k];
  }
  return 1;
}

/* canvas:save_png(path) */
static int c_save_png(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  LCV_CHECK(L, cv_canvas_save_png(&lc->c, luaL_checkstring(L, 2)), "save_png");
  return 0;
}

/* canvas:save_jpg(path [, quality = 95]) writes the canvas as JPEG (alpha over white) */
static int c_save_jpg(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  const char *path = luaL_checkstring(L, 2);
  lua_Integer q = luaL_optinteger(L, 3, 95);
  luaL_argcheck(L, q >= 1 && q <= 100, 3, "quality must be in 1..100");
  if (!lc->c.rgba) return luaL_error(L, "save_jpg: empty canvas");
  LCV_CHECK(L, cv_jpeg_write(path, lc->c.rgba, lc->c.height, lc->c.width, 4, lc->c.width * 4, (int)q),
            "save_jpg");
  return 0;
}

/* canvas:png() --> the PNG file as a string */
static int c_png(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  uint8_t *buf;
  int len;
  LCV_CHECK(L, cv_canvas_encode_png(&lc->c, &buf, &len), "png");
  lua_pushlstring(L, (const char *)buf, (size_t)len);
  free(buf);
  return 1;
}

/* canvas:sixel() --> the canvas as a DEC sixel escape sequence (for sixel terminals) */
static int c_sixel(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  uint8_t *buf;
  size_t len;
  LCV_CHECK(L, cv_canvas_encode_sixel(&lc->c, &buf, &len), "sixel");
  lua_pushlstring(L, (const char *)buf, len);
  free(buf);
  return 1;
}

static int c_gc(lua_State *L) {
  lcanvas *lc = luaL_checkudata(L, 1, CANVAS_MT);
  cv_canvas_free(&lc->c);
  return 0;
}

static int c_tostring(lua_State *L) {
  lcanvas *lc = luaL_checkudata(L, 1, CANVAS_MT);
  lua_pushfstring(L, "Canvas(%d x %d)", lc->c.width, lc->c.height);
  return 1;
}

/* core.plot_text_size(s, size_px) --> width, ascent, descent */
static int l_text_size(lua_State *L) {
  const char *s = luaL_checkstring(L, 1);
  float px = (float)luaL_checknumber(L, 2);
  cv_text_metrics m;
  LCV_CHECK(L, cv_text_measure(get_fonts(L), s, px, &m), "text_size");
  lua_pushnumber(L, m.width);
  lua_pushnumber(L, m.ascent);
  lua_pushnumber(L, m.descent);
  return 3;
}

/* core.plot_font(path [, index]) makes that font face the primary one (others stay as fallbacks) */
static int l_font(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int index = (int)luaL_optinteger(L, 2, 0);
  get_fonts(L);
  LCV_CHECK(L, cv_fontset_add_primary(&fonts, path, index), "cv.plot.font");
  return 0;
}

/* core.plot_font_reset() goes back to the default fonts */
static int l_font_reset(lua_State *L) {
  (void)L;
  cv_fontset_clear(&fonts);
  fonts_ready = 0;
  return 0;
}

/* core.plot_text_glyphs(s, size_px) --> {{face, glyph, cp, x, advance}, ...}: the glyphs of s as
 * canvas:text lays them out (face 0-based in the font set; x and advance in pixels) */
static int l_text_glyphs(lua_State *L) {
  const char *s = luaL_checkstring(L, 1);
  float px = (float)luaL_checknumber(L, 2);
  luaL_argcheck(L, px > 0 && px < 1e5, 2, "font size out of range");
  cv_fontset *fs = get_fonts(L);
  int cap = (int)strlen(s) + 1, n = 0;
  /* a userdata, not malloc: a memory error while the table is built below cannot leak it */
  cv_glyph_place *g = lua_newuserdatauv(L, (size_t)cap * sizeof *g, 0);
  LCV_CHECK(L, cv_text_glyphs(g, cap, &n, fs, s, px), "plot_text_glyphs");
  if (n > cap) n = cap;
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_createtable(L, 5, 0);
    lua_pushinteger(L, g[i].face); lua_rawseti(L, -2, 1);
    lua_pushinteger(L, g[i].glyph); lua_rawseti(L, -2, 2);
    lua_pushinteger(L, g[i].cp); lua_rawseti(L, -2, 3);
    lua_pushnumber(L, g[i].x); lua_rawseti(L, -2, 4);
    lua_pushnumber(L, g[i].advance); lua_rawseti(L, -2, 5);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* core.plot_glyph_outline(face, glyph) --> segments, advance: the glyph's outline in 1/1000 em,
 * y up, as a flat list of numbers: 1 x y (move), 2 x y (line), 3 cx cy x y (quadratic),
 * 4 cx cy cx1 cy1 x y (cubic); advance in 1/1000 em */
static int l_glyph_outline(lua_State *L) {
  lua_Integer face = luaL_checkinteger(L, 1), glyph = luaL_checkinteger(L, 2);
  cv_fontset *fs = get_fonts(L);
  luaL_argcheck(L, face >= 0 && face < fs->nfaces, 1, "no such face in the font set");
  luaL_argcheck(L, glyph >= 0 && glyph <= 0xffff, 2, "glyph index out of range");
  cv_path_seg *p;
  int n;
  float adv;
  LCV_CHECK(L, cv_glyph_outline(&p, &n, &adv, fs, (int)face, (int)glyph), "plot_glyph_outline");
  /* into a userdata at once (freeing the C copy), so that a memory error below cannot leak it */
  cv_path_seg *c = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *c, 0);
  if (n > 0) memcpy(c, p, (size_t)n * sizeof *c);
  free(p);
  p = c;
  lua_createtable(L, n * 5, 0);
  int k = 0;
#define PUSHN(v) (lua_pushnumber(L, (v)), lua_rawseti(L, -2, ++k))
  for (int i = 0; i < n; i++) {
    lua_pushinteger(L, p[i].kind); lua_rawseti(L, -2, ++k);
    if (p[i].kind == CV_PATH_QUAD) { PUSHN(p[i].cx); PUSHN(p[i].cy); }
    if (p[i].kind == CV_PATH_CUBIC) { PUSHN(p[i].cx); PUSHN(p[i].cy); PUSHN(p[i].cx1); PUSHN(p[i].cy1); }
    PUSHN(p[i].x); PUSHN(p[i].y);
  }
#undef PUSHN
  lua_pushnumber(L, adv);
  return 2;
}

/* canvas:rgba() --> the pixels as one string of width*height*4 bytes, rows top to bottom */
static int c_rgba(lua_State *L) {
  lcanvas *lc = checkcanvas(L, 1);
  lua_pushlstring(L, (const char *)lc->c.rgba, (size_t)lc->c.width * lc->c.height * 4);
  return 1;
}

/* core.plot_has_glyphs(s) --> true when every character of s has a glyph in the font set */
static int l_has_glyphs(lua_State *L) {
  const char *s = luaL_checkstring(L, 1);
  cv_fontset *fs = get_fonts(L);
  lua_Integer len = (lua_Integer)strlen(s);
  int ok = 1;
  for (lua_Integer i = 0; i < len && ok;) {
    unsigned char c = (unsigned char)s[i];
    int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : c & (0xff >> (n + 1));
    for (int k = 1; k < n && i + k < len; k++) cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
    ok = cv_fontset_has_glyph(fs, cp);
    i += n;
  }
  lua_pushboolean(L, ok);
  return 1;
}

/* core.plot_tensor_info(t [, sample]) --> shape (table), dtype, min, max of t or its sample */
static int l_tensor_info(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lua_Integer sample = luaL_optinteger(L, 2, 0);
  int ndim;
  int64_t shape[CV_MAX_DIMS];
  int64_t off = sample_view(L, t, sample, &ndim, shape);
  int64_t n = cv_shape_numel(ndim, shape);
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < n; i++) {
    double v = elem(t, off + i);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  lcv_pushshape(L, ndim, shape);
  lua_pushstring(L, cv_dtype_name(t->dtype));
  lua_pushnumber(L, lo);
  lua_pushnumber(L, hi);
  return 4;
}

/* core.plot_tensor_values(t) --> a flat table of t's elements (row-major) */
static int l_tensor_values(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lua_createtable(L, (int)t->numel, 0);
  for (int64_t i = 0; i < t->numel; i++) {
    lua_pushnumber(L, elem(t, i));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* core.plot_colormap(name, v [, vmin [, vmax]]) --> r, g, b bytes of the colour of v */
static int l_colormap(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  double v = luaL_checknumber(L, 2);
  double vmin = luaL_optnumber(L, 3, 0), vmax = luaL_optnumber(L, 4, 1);
  cv_colormap lut;
  LCV_CHECK(L, cv_colormap_get(&lut, name), "colormap");
  int i = cv_colormap_index(&lut, v, vmin, vmax);
  for (int k = 0; k < 3; k++) lua_pushinteger(L, lut.rgb[i][k]);
  return 3;
}

/* core.plot_colormaps() --> {name, ...}: the colour maps plot_colormap knows */
static int l_colormaps(lua_State *L) {
  const char *const *names = cv_colormap_names();
  lua_newtable(L);
  for (int i = 0; names[i]; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static const luaL_Reg canvas_methods[] = {
  {"size", c_size}, {"pixel", c_pixel}, {"clear", c_clear}, {"fill_rect", c_fill_rect},
  {"fill_polygon", c_fill_polygon}, {"circle", c_circle}, {"stroke", c_stroke}, {"text", c_text},
  {"blit", c_blit}, {"image", c_image}, {"ink", c_ink}, {"crop", c_crop}, {"tensor", c_tensor},
  {"save_png", c_save_png}, {"save_jpg", c_save_jpg}, {"png", c_png}, {"sixel", c_sixel}, {"rgba", c_rgba},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"canvas", l_canvas}, {"plot_text_size", l_text_size}, {"plot_font", l_font},
  {"plot_font_reset", l_font_reset}, {"plot_has_glyphs", l_has_glyphs},
  {"plot_tensor_info", l_tensor_info}, {"plot_tensor_values", l_tensor_values},
  {"plot_colormap", l_colormap}, {"plot_colormaps", l_colormaps},
  {"plot_text_glyphs", l_text_glyphs}, {"plot_glyph_outline", l_glyph_outline}, {NULL, NULL}
};

void lcv_open_plot(lua_State *L) {
  if (luaL_newmetatable(L, CANVAS_MT)) {
    luaL_newlib(L, canvas_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, c_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, c_gc);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, c_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
  luaL_setfuncs(L, funcs, 0);
}
