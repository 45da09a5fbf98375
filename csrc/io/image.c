/* image.c - image decoding (libpng; stb_image for GIF, BMP, JPEG), PNG writing (through the one
 * writer, io/png_write.c), resizing and pixel conversions (see image.h for the contract and the
 * conventions).
 *
 * libpng reports errors by longjmp. Each libpng session keeps all of its state (structs, row
 * pointers, the output tensor) in a struct owned by the CALLER of the function that calls setjmp,
 * so nothing the cleanup needs lives in a local clobbered by the jump, and one cleanup path frees
 * everything whether the decode succeeded or not. Our error callback records libpng's message and
 * jumps; the warning callback is silent (the core never prints). */
#include "io/image.h"
#include "io/png_write.h"
#include "io/image_claims.h"
#include "io/file.h"
#include <limits.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb_image.h>

/* ---- helpers ------------------------------------------------------------------------------- */

static cv_status check_size(const char *name, int64_t h, int64_t w) {
  if (h > CV_IMAGE_MAX_SIDE || w > CV_IMAGE_MAX_SIDE)
    return cv_fail(CV_EFORMAT, "%s: image too large (%lldx%lld)", name, (long long)w, (long long)h);
  return cv_image_check_pixels(name, w, h);
}

static inline uint8_t luma_u8(const uint8_t *p) {
  return (uint8_t)(((uint32_t)p[0] * 19595u + (uint32_t)p[1] * 38470u + (uint32_t)p[2] * 7471u +
                    0x8000u) >> 16);
}

/* src pixels of sc channels -> dst pixels of dc channels (both 1..4). Gray <-> colour by luma or
 * replication; alpha kept when both have it, dropped, or added as 255. */
static void convert_pixels(uint8_t *dst, int dc, const uint8_t *src, int sc, int64_t npix) {
  for (int64_t i = 0; i < npix; i++, src += sc, dst += dc) {
    int src_color = sc >= 3;
    uint8_t a = (sc == 2 || sc == 4) ? src[sc - 1] : 255;
    if (dc <= 2) {
      dst[0] = src_color ? luma_u8(src) : src[0];
    } else {
      dst[0] = src[0];
      dst[1] = src_color ? src[1] : src[0];
      dst[2] = src_color ? src[2] : src[0];
    }
    if (dc == 2 || dc == 4) dst[dc - 1] = a;
  }
}

/* img (H,W,C) uint8, replaced by its conversion to `channels` channels (no-op when equal) */
static cv_status to_channels(cv_tensor *img, int channels) {
  if (channels == 0 || channels == (int)img->shape[2]) return CV_OK;
  cv_tensor tmp;
  cv_status st = cv_image_convert_channels(&tmp, img, channels);
  cv_tensor_release(img);
  if (st == CV_OK) *img = tmp;
  return st;
}

/* ---- PNG decoding ---------------------------------------------------------------------------- */

typedef struct png_dec {
  png_structp png;
  png_infop info;
  const unsigned char *data;
  size_t n, pos;
  int want;              /* requested channels, 0 = as stored */
  int truncated;         /* the reader ran out of bytes */
  cv_status st;          /* a failure of ours (not libpng's), CV_OK otherwise */
  png_bytep *rows;
  cv_tensor img;         /* the decoded image, empty until allocated */
  char msg[192];         /* libpng's error message */
} png_dec;

static void png_on_error(png_structp png, png_const_charp msg) {
  png_dec *d = (png_dec *)png_get_error_ptr(png);
  snprintf(d->msg, sizeof d->msg, "%s", msg);
  png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

static void png_on_read(png_structp png, png_bytep out, size_t len) {
  png_dec *d = (png_dec *)png_get_io_ptr(png);
  if (len > d->n - d->pos) {
    d->truncated = 1;
    png_error(png, "truncated PNG data");
  }
  memcpy(out, d->data + d->pos, len);
  d->pos += len;
}

/* The libpng part: returns 0 on success, 1 after a libpng error, 2 after one of ours (d->st).
 * Only d (the caller's) is touched after the jump. */
static int png_run(png_dec *d, const char *name) {
  if (setjmp(png_jmpbuf(d->png))) return 1;
  png_set_read_fn(d->png, d, png_on_read);
  png_set_user_limits(d->png, CV_IMAGE_MAX_SIDE, CV_IMAGE_MAX_SIDE);
  png_read_info(d->png, d->info);
  png_uint_32 w, h;
  int depth, ctype;
  png_get_IHDR(d->png, d->info, &w, &h, &depth, &ctype, NULL, NULL, NULL);
  if ((d->st = check_size(name, h, w)) != CV_OK) return 2;
  /* deflate expands at most 1032:1, so a header asking for far more pixels than its file could
   * hold is truncated: say so before allocating (a 100-byte file must not cost a gigabyte) */
  double raw = (double)h * (1.0 + ceil((double)w * depth * png_get_channels(d->png, d->info) / 8.0));
  if (raw > ((double)d->n + 1024.0) * 1100.0) {
    d->truncated = 1;
    return 1;
  }
  int trns = png_get_valid(d->png, d->info, PNG_INFO_tRNS) != 0;
  /* decode to 8-bit samples in the stored layout; palette -> RGB, or RGBA when it has tRNS (as
   * tf.io.decode_png); a gray or RGB tRNS becomes alpha only when alpha is asked for */
  if (ctype == PNG_COLOR_TYPE_PALETTE) {
    png_set_palette_to_rgb(d->png);
    if (trns) png_set_tRNS_to_alpha(d->png);
  } else {
    if (depth < 8) png_set_expand_gray_1_2_4_to_8(d->png);
    if (trns && (d->want == 2 || d->want == 4)) png_set_tRNS_to_alpha(d->png);
  }
  if (depth == 16) png_set_strip_16(d->png);
  png_set_interlace_handling(d->png);
  png_read_update_info(d->png, d->info);
  int c = png_get_channels(d->png, d->info);
  if (png_get_bit_depth(d->png, d->info) != 8 || c < 1 || c > 4 ||
      png_get_rowbytes(d->png, d->info) != (size_t)w * (size_t)c) {
    d->st = cv_fail(CV_EFORMAT, "%s: unsupported PNG layout", name);
    return 2;
  }
  int64_t shape[3] = {h, w, c};
  if ((d->st = cv_tensor_alloc(&d->img, CV_UINT8, 3, shape)) != CV_OK) return 2;
  d->rows = (png_bytep *)malloc(sizeof(png_bytep) * h);
  if (!d->rows) {
    d->st = cv_fail(CV_ENOMEM, "%s: out of memory", name);
    return 2;
  }
  uint8_t *px = cv_tensor_u8(&d->img);
  for (png_uint_32 y = 0; y < h; y++) d->rows[y] = px + (size_t)y * w * c;
  png_read_image(d->png, d->rows);
  /* png_read_end is skipped on purpose: the pixels are complete, and a file cut after its last
   * IDAT is still a usable image (Pillow reads it too) */
  return 0;
}

static cv_status load_png(cv_tensor *out, const unsigned char *buf, size_t n, int want,
                          const char *name) {
  png_dec d;
  memset(&d, 0, sizeof d);
  d.data = buf;
  d.n = n;
  d.want = want;
  d.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d, png_on_error, png_on_warning);
  if (!d.png) return cv_fail(CV_ENOMEM, "%s: out of memory", name);
  d.info = png_create_info_struct(d.png);
  int r = d.info ? png_run(&d, name) : 3;
  png_destroy_read_struct(&d.png, d.info ? &d.info : NULL, NULL);
  free(d.rows);
  cv_status st = CV_OK;
  if (r == 1 && d.truncated) st = cv_fail(CV_EFORMAT, "%s: truncated PNG data", name);
  else if (r == 1) st = cv_fail(CV_EFORMAT, "%s: corrupt PNG data (%s)", name, d.msg);
  else if (r == 2) st = d.st;
  else if (r == 3) st = cv_fail(CV_ENOMEM, "%s: out of memory", name);
  if (st == CV_OK) st = to_channels(&d.img, want);
  if (st != CV_OK) {
    cv_tensor_release(&d.img);
    return st;
  }
  *out = d.img;
  return CV_OK;
}

/* ---- GIF, BMP, JPEG through stb_image -------------------------------------------------------- */

/* stb_image 2.27 trusts the code counts of a JPEG DHT (Huffman table) segment and writes past its
 * 256-entry tables when they add up to more than 256 (found by fuzzing under UBSan). Walk the
 * segments as stb does and refuse such a table before stb sees it: 0 when one is bad. */
static int jpeg_tables_ok(const unsigned char *b, size_t n) {
  size_t i = 2;                                     /* after SOI */
  while (i + 1 < n) {
    if (b[i] != 0xFF) {                             /* junk or entropy-coded data: resync */
      i++;
      continue;
    }
    unsigned m = b[i + 1];
    if (m == 0xFF || m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {
      i += (m == 0xFF) ? 1 : 2;                     /* fill, stuffing, markers without length */
      continue;
    }
    if (m == 0xD9 || i + 3 >= n) return 1;          /* EOI, or the data ends */
    size_t len = ((size_t)b[i + 2] << 8) | b[i + 3];
    if (m == 0xC4) {                                /* tables as stb reads them: 0 past the end */
      long left = (long)len - 2;
      for (size_t p = i + 4; left > 0;) {
        size_t count = 0;
        for (size_t k = p + 1; k <= p + 16; k++) count += k < n ? b[k] : 0;
        if (count > 256) return 0;
        p += 17 + count;
        left -= (long)(17 + count);
      }
    }
    if (len < 2) return 1;                          /* stb rejects it itself */
    i += 2 + len;
  }
  return 1;
}

static cv_status load_stb(cv_tensor *out, const unsigned char *buf, size_t n, int want,
                          const char *name, const char *kind) {
  int w, h, c;
  if (n > INT_MAX) return cv_fail(CV_EFORMAT, "%s: %s file too large", name, kind);
  if (strcmp(kind, "JPEG") == 0 && !jpeg_tables_ok(buf, n))
    return cv_fail(CV_EFORMAT, "%s: corrupt JPEG data (bad Huffman table)", name);
  cv_status claims = cv_image_check_claims(buf, n, kind, name);
  if (claims != CV_OK) return claims;
  if (!stbi_info_from_memory(buf, (int)n, &w, &h, &c))
    return cv_fail(CV_EFORMAT, "%s: corrupt %s data (%s)", name, kind, stbi_failure_reason());
  cv_status st = check_size(name, h, w);
  if (st != CV_OK) return st;
  unsigned char *px = stbi_load_from_memory(buf, (int)n, &w, &h, &c, 0);   /* GIF: 1st frame */
  if (!px) return cv_fail(CV_EFORMAT, "%s: corrupt %s data (%s)", name, kind, stbi_failure_reason());
  if (c < 1 || c > 4) {
    stbi_image_free(px);
    return cv_fail(CV_EFORMAT, "%s: unsupported %s layout", name, kind);
  }
  /* stb gives GIFs as RGBA; as stored they are RGB, as tf.io.decode_gif and Pillow give them */
  int stored = (strcmp(kind, "GIF") == 0 && c == 4) ? 3 : c;
  int64_t shape[3] = {h, w, stored};
  st = cv_tensor_alloc(out, CV_UINT8, 3, shape);
  if (st == CV_OK) {
    if (stored == c) memcpy(cv_tensor_u8(out), px, (size_t)h * w * c);
    else convert_pixels(cv_tensor_u8(out), stored, px, c, (int64_t)h * w);
    st = to_channels(out, want);
  }
  stbi_image_free(px);
  return st;
}

/* ---- loading --------------------------------------------------------------------------------- */

cv_status cv_image_load_mem(cv_tensor *out, const void *buf, size_t n, int channels,
                            const char *name) {
  memset(out, 0, sizeof *out);
  if (!name) name = "<memory>";
  if (channels < 0 || channels > 4)
    return cv_fail(CV_EINVAL, "%s: channels must be 0 (as stored), 1, 2, 3 or 4, not %d", name,
                   channels);
  const unsigned char *b = (const unsigned char *)buf;
  if (n == 0) return cv_fail(CV_EFORMAT, "%s: empty file", name);
  if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) return load_png(out, b, n, channels, name);
  if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
    return load_stb(out, b, n, channels, name, "GIF");
  if (n >= 2 && b[0] == 'B' && b[1] == 'M') return load_stb(out, b, n, channels, name, "BMP");
  if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
    return load_stb(out, b, n, channels, name, "JPEG");
  return cv_fail(CV_EFORMAT, "%s: not a PNG, GIF, BMP or JPEG file", name);
}

cv_status cv_image_load(cv_tensor *out, const char *path, int channels) {
  memset(out, 0, sizeof *out);
  unsigned char *buf;
  size_t n;
  cv_status st = cv_file_read(&buf, &n, path, -1);   /* regular files only, within the budget */
  if (st != CV_OK) return st;
  st = cv_image_load_mem(out, buf, n, channels, path);
  free(buf);
  return st;
}

/* ---- PNG writing ----------------------------------------------------------------------------- */

cv_status cv_image_save_png(const char *path, const cv_tensor *img) {
  if (!img->storage || img->dtype != CV_UINT8)
    return cv_fail(CV_EDTYPE, "%s: a PNG is written from a uint8 tensor", path);
  int c = img->ndim == 2 ? 1 : img->ndim == 3 ? (int)img->shape[2] : 0;
  if (c < 1 || c > 4) {
    char sb[96];
    cv_shape_format(sb, sizeof sb, img->ndim, img->shape);
    return cv_fail(CV_ESHAPE, "%s: image must be (H, W) or (H, W, C) with C in 1..4, got %s",
                   path, sb);
  }
  cv_status st = check_size(path, img->shape[0], img->shape[1]);
  if (st != CV_OK) return st;
  int h = (int)img->shape[0], w = (int)img->shape[1];
  return cv_png_write(path, cv_tensor_u8(img), h, w, c, w * c);
}

/* ---- resizing -------------------------------------------------------------------------------- */

/* The (N, H, W, C) reading of an image tensor of rank 2, 3 or 4. */
typedef struct img_dims {
  int64_t n, h, w, c;
} img_dims;

static cv_status image_dims(img_dims *d, const cv_tensor *t, const char *what) {
  if (!t->storage) return cv_fail(CV_EINVAL, "%s: empty tensor", what);
  if (t->dtype != CV_UINT8 && t->dtype != CV_FLOAT32)
    return cv_fail(CV_EDTYPE, "%s: uint8 or float32 image expected", what);
  const int64_t *s = t->shape;
  if (t->ndim == 2) *d = (img_dims){1, s[0], s[1], 1};
  else if (t->ndim == 3) *d = (img_dims){1, s[0], s[1], s[2]};
  else if (t->ndim == 4) *d = (img_dims){s[0], s[1], s[2], s[3]};
  else {
    char sb[96];
    cv_shape_format(sb, sizeof sb, t->ndim, t->shape);
    return cv_fail(CV_ESHAPE, "%s: image must be (H, W), (H, W, C) or (N, H, W, C), got %s", what,
                   sb);
  }
  if (d->h < 1 || d->w < 1) return cv_fail(CV_ESHAPE, "%s: image has no pixels", what);
  return CV_OK;
}

/* out (empty) -> a tensor shaped like `in` with height oh, width ow */
static cv_status alloc_resized(cv_tensor *out, const cv_tensor *in, cv_dtype dt, int oh, int ow,
                               const char *what) {
  if (oh < 1 || ow < 1 || oh > CV_IMAGE_MAX_SIDE || ow > CV_IMAGE_MAX_SIDE)
    return cv_fail(CV_EINVAL, "%s: output size must be positive, got %dx%d", what, oh, ow);
  int64_t shape[CV_MAX_DIMS];
  for (int i = 0; i < in->ndim; i++) shape[i] = in->shape[i];
  int hax = in->ndim == 4 ? 1 : 0;
  shape[hax] = oh;
  shape[hax + 1] = ow;
  return cv_tensor_alloc(out, dt, in->ndim, shape);
}

/* a float32 copy of a uint8 image, or a view of a float32 one (released by the caller) */
static cv_status as_f32(cv_tensor *tmp, const cv_tensor *in) {
  if (in->dtype == CV_FLOAT32) return cv_tensor_view(tmp, in, 0, in->ndim, in->shape);
  return cv_image_to_f32(tmp, in);
}

/* TF's half-pixel scaler and its interpolation weights for one axis (CalculateResizeScale and
 * compute_interpolation_weights in TF's resize_bilinear_op.cc), in float as TF computes them */
typedef struct lerp1 {
  int64_t lo, hi;
  float frac;
} lerp1;

static inline lerp1 lerp_at(int64_t o, float scale, int64_t in_size) {
  float in = ((float)o + 0.5f) * scale - 0.5f;
  float in_f = floorf(in);
  lerp1 l;
  l.lo = in_f > 0 ? (int64_t)in_f : 0;
  l.hi = (int64_t)ceilf(in);
  if (l.hi > in_size - 1) l.hi = in_size - 1;
  if (l.lo > in_size - 1) l.lo = in_size - 1;
  l.frac = in - in_f;
  return l;
}

static inline float blend(float tl, float tr, float bl, float br, float xf, float yf) {
  float top = tl + (tr - tl) * xf;
  float bottom = bl + (br - bl) * xf;
  return top + (bottom - top) * yf;
}

/* x (N,H,W,C) -> y (N,OH,OW,C), weights precomputed per row and per column */
static cv_status bilinear_fast(float *y, const float *x, img_dims d, int64_t oh, int64_t ow) {
  float sy = (float)d.h / (float)oh, sx = (float)d.w / (float)ow;
  lerp1 *ly = malloc(sizeof *ly * (size_t)oh), *lx = malloc(sizeof *lx * (size_t)ow);
  if (!ly || !lx) {
    free(ly);
    free(lx);
    return cv_fail(CV_ENOMEM, "resize: out of memory");
  }
  for (int64_t i = 0; i < oh; i++) ly[i] = lerp_at(i, sy, d.h);
  for (int64_t j = 0; j < ow; j++) {
    lx[j] = lerp_at(j, sx, d.w);
    lx[j].lo *= d.c;             /* column offsets in elements */
    lx[j].hi *= d.c;
  }
  const int64_t c = d.c, row = d.w * c;
  for (int64_t b = 0; b < d.n; b++) {
    const float *img = x + b * d.h * row;
    for (int64_t i = 0; i < oh; i++) {
      const float *top = img + ly[i].lo * row, *bot = img + ly[i].hi * row;
      float yf = ly[i].frac;
      for (int64_t j = 0; j < ow; j++) {
        const float *tl = top + lx[j].lo, *tr = top + lx[j].hi;
        const float *bl = bot + lx[j].lo, *br = bot + lx[j].hi;
        float xf = lx[j].frac;
        for (int64_t k = 0; k < c; k++) *y++ = blend(tl[k], tr[k], bl[k], br[k], xf, yf);
      }
    }
  }
  free(ly);
  free(lx);
  return CV_OK;
}

/* the same, every output element from scratch */
static void bilinear_ref(float *y, const float *x, img_dims d, int64_t oh, int64_t ow) {
  float sy = (float)d.h / (float)oh, sx = (float)d.w / (float)ow;
  for (int64_t b = 0; b < d.n; b++)
    for (int64_t i = 0; i < oh; i++)
      for (int64_t j = 0; j < ow; j++)
        for (int64_t k = 0; k < d.c; k++) {
          lerp1 a = lerp_at(i, sy, d.h), e = lerp_at(j, sx, d.w);
#define X(yy, xx) x[((b * d.h + (yy)) * d.w + (xx)) * d.c + k]
          y[((b * oh + i) * ow + j) * d.c + k] =
              blend(X(a.lo, e.lo), X(a.lo, e.hi), X(a.hi, e.lo), X(a.hi, e.hi), e.frac, a.frac);
#undef X
        }
}

static cv_status resize_bilinear(cv_tensor *out, const cv_tensor *in, int oh, int ow, int ref) {
  memset(out, 0, sizeof *out);
  img_dims d;
  cv_status st = image_dims(&d, in, "resize");
  if (st != CV_OK) return st;
  if ((st = alloc_resized(out, in, CV_FLOAT32, oh, ow, "resize")) != CV_OK) return st;
  cv_tensor x;
  if ((st = as_f32(&x, in)) == CV_OK) {
    if (ref) bilinear_ref(cv_tensor_f32(out), cv_tensor_f32(&x), d, oh, ow);
    else st = bilinear_fast(cv_tensor_f32(out), cv_tensor_f32(&x), d, oh, ow);
    cv_tensor_release(&x);
  }
  if (st != CV_OK) cv_tensor_release(out);
  return st;
}

cv_status cv_image_resize_bilinear(cv_tensor *out, const cv_tensor *in, int oh, int ow) {
  return resize_bilinear(out, in, oh, ow, 0);
}

cv_status cv_image_resize_bilinear_ref(cv_tensor *out, const cv_tensor *in, int oh, int ow) {
  return resize_bilinear(out, in, oh, ow, 1);
}

cv_status cv_image_resize_nearest(cv_tensor *out, const cv_tensor *in, int oh, int ow) {
  memset(out, 0, sizeof *out);
  img_dims d;
  cv_status st = image_dims(&d, in, "resize");
  if (st != CV_OK) return st;
  if ((st = alloc_resized(out, in, in->dtype, oh, ow, "resize")) != CV_OK) return st;
  float sy = (float)d.h / (float)oh, sx = (float)d.w / (float)ow;
  size_t es = cv_dtype_size(in->dtype), pix = (size_t)d.c * es;
  const char *x = cv_tensor_data(in);
  char *y = cv_tensor_data(out);
  for (int64_t b = 0; b < d.n; b++)
    for (int64_t i = 0; i < oh; i++) {
      int64_t si = (int64_t)floorf(((float)i + 0.5f) * sy);
      if (si > d.h - 1) si = d.h - 1;
      for (int64_t j = 0; j < ow; j++) {
        int64_t sj = (int64_t)floorf(((float)j + 0.5f) * sx);
        if (sj > d.w - 1) sj = d.w - 1;
        memcpy(y, x + ((b * d.h + si) * d.w + sj) * pix, pix);
        y += pix;
      }
    }
  return CV_OK;
}

/* ---- conversions ----------------------------------------------------------------------------- */

/* out (empty) -> in's shape with the last axis set to c */
static cv_status alloc_last(cv_tensor *out, const cv_tensor *in, int need, int c, const char *what) {
  memset(out, 0, sizeof *out);
  if (!in->storage) return cv_fail(CV_EINVAL, "%s: empty tensor", what);
  if (in->ndim < 1 || in->shape[in->ndim - 1] != need) {
    char sb[96];
    cv_shape_format(sb, sizeof sb, in->ndim, in->shape);
    return cv_fail(CV_ESHAPE, "%s: last axis must have size %d, got shape %s", what, need, sb);
  }
  int64_t shape[CV_MAX_DIMS];
  memcpy(shape, in->shape, sizeof(int64_t) * (size_t)in->ndim);
  shape[in->ndim - 1] = c;
  return cv_tensor_alloc(out, in->dtype, in->ndim, shape);
}

cv_status cv_image_rgb_to_gray(cv_tensor *out, const cv_tensor *in) {
  cv_status st = alloc_last(out, in, 3, 1, "rgb_to_grayscale");
  if (st != CV_OK) return st;
  int64_t npix = out->numel;
  if (in->dtype == CV_UINT8) {
    convert_pixels(cv_tensor_u8(out), 1, cv_tensor_u8(in), 3, npix);
  } else {
    const float *x = cv_tensor_f32(in);
    float *y = cv_tensor_f32(out);
    for (int64_t i = 0; i < npix; i++, x += 3) y[i] = x[0] * 0.2989f + x[1] * 0.5870f + x[2] * 0.1140f;
  }
  return CV_OK;
}

cv_status cv_image_gray_to_rgb(cv_tensor *out, const cv_tensor *in) {
  cv_status st = alloc_last(out, in, 1, 3, "grayscale_to_rgb");
  if (st != CV_OK) return st;
  int64_t npix = in->numel;
  if (in->dtype == CV_UINT8) {
    convert_pixels(cv_tensor_u8(out), 3, cv_tensor_u8(in), 1, npix);
  } else {
    const float *x = cv_tensor_f32(in);
    float *y = cv_tensor_f32(out);
    for (int64_t i = 0; i < npix; i++) y[3 * i] = y[3 * i + 1] = y[3 * i + 2] = x[i];
  }
  return CV_OK;
}

cv_status cv_image_convert_channels(cv_tensor *out, const cv_tensor *in, int channels) {
  memset(out, 0, sizeof *out);
  if (!in->storage || in->dtype != CV_UINT8 || in->ndim != 3 || in->shape[2] < 1 ||
      in->shape[2] > 4)
    return cv_fail(CV_ESHAPE, "convert_channels: (H, W, C) uint8 image with C in 1..4 expected");
  if (channels < 1 || channels > 4)
    return cv_fail(CV_EINVAL, "convert_channels: channels must be 1..4, not %d", channels);
  int64_t shape[3] = {in->shape[0], in->shape[1], channels};
  cv_status st = cv_tensor_alloc(out, CV_UINT8, 3, shape);
  if (st != CV_OK) return st;
  convert_pixels(cv_tensor_u8(out), channels, cv_tensor_u8(in), (int)in->shape[2],
                 in->shape[0] * in->shape[1]);
  return CV_OK;
}

cv_status cv_image_to_f32(cv_tensor *out, const cv_tensor *in) {
  memset(out, 0, sizeof *out);
  if (!in->storage) return cv_fail(CV_EINVAL, "to_float32: empty tensor");
  cv_status st = cv_tensor_alloc(out, CV_FLOAT32, in->ndim, in->shape);
  if (st != CV_OK) return st;
  float *y = cv_tensor_f32(out);
  if (in->dtype == CV_FLOAT32) {
    memcpy(y, cv_tensor_f32(in), sizeof(float) * (size_t)in->numel);
  } else {
    const uint8_t *x = cv_tensor_u8(in);
    for (int64_t i = 0; i < in->numel; i++) y[i] = (float)x[i];
  }
  return CV_OK;
}

cv_status cv_image_to_u8(cv_tensor *out, const cv_tensor *in) {
  memset(out, 0, sizeof *out);
  if (!in->storage) return cv_fail(CV_EINVAL, "to_uint8: empty tensor");
  cv_status st = cv_tensor_alloc(out, CV_UINT8, in->ndim, in->shape);
  if (st != CV_OK) return st;
  uint8_t *y = cv_tensor_u8(out);
  if (in->dtype == CV_UINT8) {
    memcpy(y, cv_tensor_u8(in), (size_t)in->numel);
  } else {
    const float *x = cv_tensor_f32(in);
    for (int64_t i = 0; i < in->numel; i++) {
      float v = x[i];
      y[i] = v >= 255.0f ? 255 : v > 0.0f ? (uint8_t)(v + 0.5f) : 0;   /* NaN fails both tests */
    }
  }
  return CV_OK;
}
