/* image_claims.h - what a BMP, GIF or JPEG header claims, checked against what the file holds
 * before stb_image allocates anything (stb trusts the header: a 54-byte BMP can claim 2 GB).
 * Used by io/image.c; PNG's own check is in image.c (libpng reads the header there). */
#ifndef CV_IMAGE_CLAIMS_H
#define CV_IMAGE_CLAIMS_H

#include <stddef.h>
#include <stdint.h>
#include "base/cv_status.h"

/* buf[0..n) of kind "BMP", "GIF" or "JPEG": CV_OK when the file can hold the image its header
 * claims and that image is within the max_image_pixels budget; else an error naming `name`:
 * "<name>: truncated BMP data (...)", "<name>: image too large (...)", ... */
cv_status cv_image_check_claims(const unsigned char *buf, size_t n, const char *kind, const char *name);

/* w x h against the max_image_pixels budget (and sides >= 1) */
cv_status cv_image_check_pixels(const char *name, int64_t w, int64_t h);

#endif
