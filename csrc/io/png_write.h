/* png_write.h - the one PNG writer of cvision (libpng): 8-bit gray, gray+alpha, RGB or RGBA rows
 * to a file or to memory. Used by io/image.c (cv.imwrite), plot/raster.c (canvas:save_png,
 * canvas:png) and data/hanzi.c. Same pixels, same settings, so the same bytes wherever they come
 * from. Thread-safe; the core never prints (libpng's warnings are dropped). */
#ifndef CV_PNG_WRITE_H
#define CV_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include "base/cv_status.h"

/* pixels (h rows of w pixels of `channels` bytes, 1..4; row r starts at pixels + r*stride, stride
 * >= w*channels) -> PNG file at path. Written to a temporary file in the same folder, then renamed
 * over path: a failed write leaves no partial file and an existing file at path untouched.
 * Errors (CV_EINVAL, CV_EIO, CV_ENOMEM) name the path: "<path>: No such file or directory",
 * "<path>: writing PNG failed (<libpng's reason>)". */
cv_status cv_png_write(const char *path, const uint8_t *pixels, int h, int w, int channels,
                       int stride);
/* Same pixels -> the PNG bytes in a malloc'ed buffer (*out, *len; the caller frees *out);
 * on failure *out is NULL and *len 0. */
cv_status cv_png_encode(uint8_t **out, size_t *len, const uint8_t *pixels, int h, int w,
                        int channels, int stride);

#endif
