/* image_claims.c - a header's claims against the file (see image_claims.h).
 *
 * The bounds, each a property of the format, not a guess:
 * - BMP (uncompressed, the only kind stb_image reads): rows of ((bpp * w + 31) / 32) * 4 bytes,
 *   |h| of them, must lie in the file from the pixel-data offset on.
 * - GIF: the first image's LZW data ends with its block terminator inside the file (else it is
 *   truncated); a 12-bit code yields at most 4,096 pixels, so D bytes of LZW data give at most
 *   4096 * 8 / 12 < 2,731 pixels per byte: the frame may not claim more, and the canvas (which
 *   stb allocates whole) no more than that plus 2^20 pixels of background.
 * - JPEG: image data (a start-of-scan marker) and the end-of-image marker after it (else it is
 *   truncated); every 8x8 block of the finest-sampled component costs at least one bit even in
 *   a progressive DC scan, so E bytes of scan data give at most 64 * 8 = 512 pixels per byte. */
#include "io/image_claims.h"
#include "base/limits.h"

static unsigned le16(const unsigned char *b) { return (unsigned)b[0] | (unsigned)b[1] << 8; }
static uint32_t le32(const unsigned char *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

cv_status cv_image_check_pixels(const char *name, int64_t w, int64_t h) {
  if (w <= 0 || h <= 0)
    return cv_fail(CV_EFORMAT, "%s: invalid image size %lldx%lld", name, (long long)w, (long long)h);
  cv_limits l;
  cv_limits_get(&l);
  int64_t px = cv_mul_size(w, h);
  if (px < 0 || px > l.max_image_pixels)
    return cv_fail(CV_EFORMAT, "%s: image too large (%lldx%lld = %lld pixels; the limit is %lld: "
                   "cv.set_limits{max_image_pixels = ...})", name, (long long)w, (long long)h,
                   (long long)px, (long long)l.max_image_pixels);
  return CV_OK;
}

static cv_status check_bmp(const unsigned char *b, size_t n, const char *name) {
  if (n < 26) return cv_fail(CV_EFORMAT, "%s: truncated BMP header", name);
  uint32_t offset = le32(b + 10), hsz = le32(b + 14);
  int64_t w, h;
  unsigned bpp;
  if (hsz == 12) {                                   /* OS/2 core header */
    w = le16(b + 18);
    h = le16(b + 20);
    bpp = le16(b + 24);
  } else {
    if (n < 34) return cv_fail(CV_EFORMAT, "%s: truncated BMP header", name);
    w = (int32_t)le32(b + 18);
    h = (int32_t)le32(b + 22);
    bpp = le16(b + 28);
  }
  if (h < 0) h = -h;                                 /* top-down rows */
  cv_status st = cv_image_check_pixels(name, w, h);
  if (st != CV_OK) return st;
  if (bpp == 0 || bpp > 32) return CV_OK;            /* stb refuses these itself */
  int64_t row = ((int64_t)bpp * w + 31) / 32 * 4;
  int64_t need = cv_mul_size(row, h);
  int64_t start = offset >= 14 + (int64_t)hsz ? (int64_t)offset : 14 + (int64_t)hsz;
  if (need < 0 || start > (int64_t)n || need > (int64_t)n - start)
    return cv_fail(CV_EFORMAT, "%s: truncated BMP data (the header claims %lldx%lld at %u bits "
                   "per pixel, %lld bytes of pixels; the file holds %lld after the headers)", name,
                   (long long)w, (long long)h, bpp, (long long)need,
                   (long long)(start > (int64_t)n ? 0 : (int64_t)n - start));
  return CV_OK;
}

/* skips GIF sub-blocks from *p; the bytes they hold are added to *data. 0 when cut short. */
static int gif_blocks(const unsigned char *b, size_t n, size_t *p, int64_t *data) {
  while (*p < n) {
    unsigned len = b[(*p)++];
    if (len == 0) return 1;
    *data += len;
    *p += len;
  }
  return 0;
}

static cv_status check_gif(const unsigned char *b, size_t n, const char *name) {
  if (n < 13) return cv_fail(CV_EFORMAT, "%s: truncated GIF header", name);
  int64_t cw = le16(b + 6), ch = le16(b + 8);
  cv_status st = cv_image_check_pixels(name, cw, ch);
  if (st != CV_OK) return st;
  size_t p = 13;
  if (b[10] & 0x80) p += 3u << ((b[10] & 7) + 1);   /* global colour table */
  while (p < n) {
    int64_t data = 0;
    if (b[p] == 0x21) {                              /* extension: label, sub-blocks */
      p += 2;
      if (!gif_blocks(b, n, &p, &data)) break;
    } else if (b[p] == 0x2C) {                       /* the first image */
      if (p + 10 > n) break;
      int64_t fw = le16(b + p + 5), fh = le16(b + p + 7);
      unsigned flags = b[p + 9];
      p += 10;
      if (flags & 0x80) p += 3u << ((flags & 7) + 1);
      p += 1;                                        /* LZW minimum code size */
      if (!gif_blocks(b, n, &p, &data)) break;
      int64_t most = 2731 * data + 4096;
      if (cv_mul_size(fw, fh) > most || cw * ch > most + ((int64_t)1 << 20))
        return cv_fail(CV_EFORMAT, "%s: corrupt GIF data (%lldx%lld pixels claimed, %lld bytes of "
                       "image data hold at most %lld)", name, (long long)cw, (long long)ch,
                       (long long)data, (long long)most);
      return CV_OK;
    } else if (b[p] == 0x3B) {
      return cv_fail(CV_EFORMAT, "%s: corrupt GIF data (no image)", name);
    } else {
      return cv_fail(CV_EFORMAT, "%s: corrupt GIF data (unknown block 0x%02x)", name, b[p]);
    }
  }
  return cv_fail(CV_EFORMAT, "%s: truncated GIF data", name);
}

static cv_status check_jpeg(const unsigned char *b, size_t n, const char *name) {
  int64_t w = -1, h = -1;
  size_t sos = 0, i = 2;
  while (i + 3 < n && !sos) {                        /* marker segments up to the first scan */
    if (b[i] != 0xFF) { i++; continue; }
    unsigned m = b[i + 1];
    if (m == 0xFF || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) { i += (m == 0xFF) ? 1 : 2; continue; }
    size_t len = (size_t)b[i + 2] << 8 | b[i + 3];
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && i + 8 < n) {
      h = (int64_t)b[i + 5] << 8 | b[i + 6];
      w = (int64_t)b[i + 7] << 8 | b[i + 8];
    }
    if (m == 0xDA) sos = i + 2 + len;
    if (m == 0xD9) break;
    if (len < 2) break;
    i += 2 + len;
  }
  if (w >= 0) {
    cv_status st = cv_image_check_pixels(name, w, h);
    if (st != CV_OK) return st;
  }
  if (!sos || sos >= n) return cv_fail(CV_EFORMAT, "%s: truncated JPEG data (no image data)", name);
  size_t eoi = 0;
  for (size_t k = n - 1; k > sos; k--)               /* scan data never holds FF D9: it is EOI */
    if (b[k - 1] == 0xFF && b[k] == 0xD9) { eoi = k - 1; break; }
  if (!eoi) return cv_fail(CV_EFORMAT, "%s: truncated JPEG data (no end-of-image marker)", name);
  int64_t most = 512 * (int64_t)(eoi - sos) + 4096;
  if (w >= 0 && cv_mul_size(w, h) > most)
    return cv_fail(CV_EFORMAT, "%s: corrupt JPEG data (%lldx%lld pixels claimed, %lld bytes of "
                   "image data hold at most %lld)", name, (long long)w, (long long)h,
                   (long long)(eoi - sos), (long long)most);
  return CV_OK;
}

cv_status cv_image_check_claims(const unsigned char *buf, size_t n, const char *kind, const char *name) {
  switch (kind[0]) {
    case 'B': return check_bmp(buf, n, name);
    case 'G': return check_gif(buf, n, name);
    default: return check_jpeg(buf, n, name);
  }
}
