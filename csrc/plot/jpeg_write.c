/* jpeg_write.c - JPEG output of jpeg_write.h through stb_image_write (the library's copy in
 * libstb: this file only declares it). */
#include "plot/jpeg_write.h"
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stb_image_write.h>

typedef struct buf { uint8_t *p; size_t len, cap; int failed; } buf;

static void put(void *ctx, void *data, int n) {
  buf *b = ctx;
  if (b->failed || n <= 0) return;
  if (b->len + (size_t)n > b->cap) {
    size_t cap = (b->len + (size_t)n) * 2;
    uint8_t *np = realloc(b->p, cap);
    if (!np) { b->failed = 1; return; }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, (size_t)n);
  b->len += (size_t)n;
}

cv_status cv_jpeg_encode(uint8_t **out, size_t *len, const uint8_t *pixels, int h, int w,
                         int channels, int stride, int quality) {
  *out = NULL;
  *len = 0;
  if (h <= 0 || w <= 0 || !(channels == 1 || channels == 3 || channels == 4) || stride < w * channels)
    return cv_fail(CV_EINVAL, "jpeg: bad image %d x %d x %d", h, w, channels);
  if (quality < 1 || quality > 100) return cv_fail(CV_EINVAL, "jpeg: quality %d not in 1..100", quality);
  int oc = channels == 1 ? 1 : 3;
  uint8_t *px = malloc((size_t)h * w * oc);
  if (!px) return cv_fail(CV_ENOMEM, "jpeg: out of memory for %d x %d", w, h);
  for (int y = 0; y < h; y++) {
    const uint8_t *s = pixels + (size_t)y * stride;
    uint8_t *d = px + (size_t)y * w * oc;
    for (int x = 0; x < w; x++, s += channels, d += oc) {
      if (channels == 1) { d[0] = s[0]; continue; }
      int a = channels == 4 ? s[3] : 255;
      for (int k = 0; k < 3; k++) d[k] = (uint8_t)((s[k] * a + 255 * (255 - a) + 127) / 255);
    }
  }
  buf b = {0};
  int ok = stbi_write_jpg_to_func(put, &b, w, h, oc, px, quality);
  free(px);
  if (!ok || b.failed) {
    free(b.p);
    return cv_fail(b.failed ? CV_ENOMEM : CV_EIO, "jpeg: encoding failed");
  }
  *out = b.p;
  *len = b.len;
  return CV_OK;
}

cv_status cv_jpeg_write(const char *path, const uint8_t *pixels, int h, int w, int channels,
                        int stride, int quality) {
  uint8_t *data;
  size_t n;
  cv_status st = cv_jpeg_encode(&data, &n, pixels, h, w, channels, stride, quality);
  if (st != CV_OK) return st;
  static atomic_uint counter;
  size_t tn = strlen(path) + 64;
  char *tmp = malloc(tn);
  if (!tmp) { free(data); return cv_fail(CV_ENOMEM, "%s: out of memory", path); }
  snprintf(tmp, tn, "%s.%ld.%u.tmp", path, (long)getpid(), atomic_fetch_add(&counter, 1));
  FILE *f = fopen(tmp, "wbx");   /* exclusive create, mode 0666 less the umask (as the PNG writer) */
  if (!f) {
    st = cv_fail(CV_EIO, "%s: %s", path, strerror(errno));
    free(tmp);
    free(data);
    return st;
  }
  int err = fwrite(data, 1, n, f) != n ? (errno ? errno : EIO) : 0;
  if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
  free(data);
  if (!err && rename(tmp, path) != 0) err = errno;
  if (err) {
    st = cv_fail(CV_EIO, "%s: %s", path, strerror(err));
    remove(tmp);
  }
  free(tmp);
  return st;
}
