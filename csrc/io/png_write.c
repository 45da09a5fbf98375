/* png_write.c - the one PNG writer (see png_write.h).
 *
 * libpng reports errors by longjmp, so each session keeps its state (structs, output) in a struct
 * owned by the caller of the function that calls setjmp: nothing the cleanup needs lives in a local
 * clobbered by the jump, and one cleanup path runs whether the write succeeded or not. A file is
 * encoded in memory and saved by cv_file_write_atomic (io/file.h: a unique temporary created
 * exclusively without following symlinks, fsync, rename over path). */
#include "io/png_write.h"
#include <png.h>
#include "io/file.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct membuf { uint8_t *p; size_t len, cap; } membuf;

typedef struct png_enc {
  png_structp png;
  png_infop info;
  membuf mem;
  char msg[192];         /* libpng's error message */
} png_enc;

static void on_error(png_structp png, png_const_charp msg) {
  png_enc *e = (png_enc *)png_get_error_ptr(png);
  snprintf(e->msg, sizeof e->msg, "%s", msg);
  png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

static void mem_write(png_structp png, png_bytep data, size_t n) {
  membuf *m = &((png_enc *)png_get_io_ptr(png))->mem;
  if (m->len + n > m->cap) {
    size_t cap = m->cap ? m->cap : 4096;
    while (cap < m->len + n) cap *= 2;
    uint8_t *np = realloc(m->p, cap);
    if (!np) png_error(png, "out of memory");
    m->p = np;
    m->cap = cap;
  }
  memcpy(m->p + m->len, data, n);
  m->len += n;
}

static void mem_flush(png_structp png) { (void)png; }

/* The libpng part: 0 on success, 1 after a libpng error (e->msg). */
static int png_run(png_enc *e, const uint8_t *px, int h, int w, int c, int stride) {
  static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                               PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  if (setjmp(png_jmpbuf(e->png))) return 1;
  png_set_write_fn(e->png, e, mem_write, mem_flush);
  png_set_IHDR(e->png, e->info, (png_uint_32)w, (png_uint_32)h, 8, types[c], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  /* zlib level 1 rather than 6: a dataset of 40,000 small images was a third zlib at 6; files are
   * a few percent larger */
  png_set_compression_level(e->png, 1);
  png_write_info(e->png, e->info);
  for (int y = 0; y < h; y++) png_write_row(e->png, px + (size_t)y * (size_t)stride);
  png_write_end(e->png, NULL);
  return 0;
}

/* One session into e->f or e->mem; name labels the messages. */
static cv_status encode(png_enc *e, const char *name, const uint8_t *px, int h, int w, int c,
                        int stride) {
  e->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, e, on_error, on_warning);
  if (e->png) e->info = png_create_info_struct(e->png);
  int r = e->info ? png_run(e, px, h, w, c, stride) : 2;
  if (e->png) png_destroy_write_struct(&e->png, e->info ? &e->info : NULL);
  if (r == 1 && strcmp(e->msg, "out of memory") == 0) r = 2;
  if (r == 1) return cv_fail(CV_EIO, "%s: writing PNG failed (%s)", name, e->msg);
  if (r == 2) return cv_fail(CV_ENOMEM, "%s: out of memory", name);
  return CV_OK;
}

static cv_status check_args(const char *name, const uint8_t *px, int h, int w, int c, int stride) {
  if (!px || h <= 0 || w <= 0 || c < 1 || c > 4 || stride / c < w)
    return cv_fail(CV_EINVAL, "%s: cannot write a PNG of %dx%d pixels of %d channels (row stride "
                   "%d)", name, w, h, c, stride);
  return CV_OK;
}

cv_status cv_png_write(const char *path, const uint8_t *pixels, int h, int w, int channels,
                       int stride) {
  cv_status st = check_args(path, pixels, h, w, channels, stride);
  if (st != CV_OK) return st;
  uint8_t *buf;
  size_t len;
  st = cv_png_encode(&buf, &len, pixels, h, w, channels, stride);
  if (st != CV_OK) return st;
  st = cv_file_write_atomic(path, buf, len);   /* unique temporary, fsync, rename (io/file.h) */
  free(buf);
  return st;
}

cv_status cv_png_encode(uint8_t **out, size_t *len, const uint8_t *pixels, int h, int w,
                        int channels, int stride) {
  *out = NULL;
  *len = 0;
  cv_status st = check_args("encode_png", pixels, h, w, channels, stride);
  if (st != CV_OK) return st;
  png_enc e;
  memset(&e, 0, sizeof e);
  st = encode(&e, "encode_png", pixels, h, w, channels, stride);
  if (st != CV_OK) {
    free(e.mem.p);
    return st;
  }
  *out = e.mem.p;
  *len = e.mem.len;
  return CV_OK;
}
