/* jpeg_write.h - JPEG output of figures (stb_image_write, Debian's libstb): 8-bit gray, RGB or
 * RGBA pixels (alpha composited over white: JPEG has none) to memory or to a file. The file is
 * written as the PNG writer writes its own: to a temporary file in the same folder, renamed over
 * path, so a failed write leaves no partial file and an existing one untouched. */
#ifndef CV_JPEG_WRITE_H
#define CV_JPEG_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include "base/cv_status.h"

/* pixels (h rows of w pixels of `channels` bytes, 1, 3 or 4; row r at pixels + r*stride) -> JPEG
 * bytes in a malloc'ed buffer (*out, *len; the caller frees *out); quality 1..100. On failure *out
 * is NULL and *len 0. */
cv_status cv_jpeg_encode(uint8_t **out, size_t *len, const uint8_t *pixels, int h, int w,
                         int channels, int stride, int quality);
/* Same pixels -> JPEG file at path. Errors name the path: "<path>: No such file or directory". */
cv_status cv_jpeg_write(const char *path, const uint8_t *pixels, int h, int w, int channels,
                        int stride, int quality);

#endif
