/* image.h - image files and pixel operations of the cvision core: decoding PNG (libpng) and
 * GIF/BMP/JPEG (stb_image) into HxWxC uint8 tensors, writing PNG, bilinear and nearest resizing
 * with TensorFlow's rules, and channel / dtype conversions.
 *
 * Every function is thread-safe (the data loader decodes in several threads) and leaves `out`
 * empty on failure, with a message naming the file and the reason in cv_last_error(). Corrupt or
 * truncated files are errors, never crashes. Output tensors are passed in EMPTY and allocated here.
 *
 * Conventions, chosen to match what Keras users get (details in image.c):
 * - channels: 0 = as stored (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; a PNG palette with tRNS and a GIF
 *   are RGBA / RGB, as tf.io.decode_png / decode_gif give them); 1..4 convert to that many.
 * - RGB -> gray on uint8: ITU-R 601 luma rounded as Pillow's convert("L") (what Keras' load_img
 *   uses): (19595 R + 38470 G + 7471 B + 32768) >> 16, i.e. round(0.299 R + 0.587 G + 0.114 B).
 *   On float32: 0.2989 R + 0.5870 G + 0.1140 B, exactly tf.image.rgb_to_grayscale.
 *   Removing alpha drops it (no compositing), as PIL and TF do.
 * - 16-bit PNG samples keep their high byte (libpng's png_set_strip_16), which is what
 *   tf.io.decode_png(dtype=uint8) does; Pillow does the same for 16-bit RGB.
 */
#ifndef CV_IMAGE_H
#define CV_IMAGE_H

#include <stddef.h>
#include "tensor/tensor.h"

/* Images with more pixels than the max_image_pixels budget (base/limits.h, cv.set_limits), wider
 * or taller than CV_IMAGE_MAX_SIDE, or claiming more than their file can hold (io/image_claims.h)
 * are refused before anything is allocated: a corrupt header must not ask for terabytes. Only
 * regular files are read (io/file.h): a FIFO or a device is refused at once. */
#define CV_IMAGE_MAX_SIDE (1 << 20)

/* path -> out (H,W,C) uint8. Type from the magic bytes, not the extension. Errors:
 * "<path>: No such file or directory", "<path>: not a PNG, GIF, BMP or JPEG file",
 * "<path>: truncated PNG data", "<path>: corrupt PNG data (<libpng's reason>)", ... */
cv_status cv_image_load(cv_tensor *out, const char *path, int channels);
/* buf[0..n) -> out (H,W,C) uint8; `name` (may be NULL) names the data in messages. */
cv_status cv_image_load_mem(cv_tensor *out, const void *buf, size_t n, int channels,
                            const char *name);
/* img (H,W,C) with C in 1..4, or (H,W), uint8 -> PNG file at path (8-bit gray, gray+alpha, RGB
 * or RGBA), through cv_png_write (io/png_write.h): a failed write leaves no partial file. */
cv_status cv_image_save_png(const char *path, const cv_tensor *img);

/* in (H,W,C) | (N,H,W,C) | (H,W), uint8 or float32 -> out (..,oh,ow,..) float32, as
 * tf.image.resize(method="bilinear", antialias=False): half-pixel centres,
 * src = (dst + 0.5) * in/out - 0.5, neighbours clamped at the edges. */
cv_status cv_image_resize_bilinear(cv_tensor *out, const cv_tensor *in, int oh, int ow);
/* Same, computing every output pixel from scratch (the reference the tests compare with). */
cv_status cv_image_resize_bilinear_ref(cv_tensor *out, const cv_tensor *in, int oh, int ow);
/* Same shapes, keeping the dtype, as tf.image.resize(method="nearest") and Pillow's NEAREST:
 * src = min(floor((dst + 0.5) * in/out), in - 1). */
cv_status cv_image_resize_nearest(cv_tensor *out, const cv_tensor *in, int oh, int ow);

/* in (...,3) -> out (...,1), same dtype (see the luma rule above). */
cv_status cv_image_rgb_to_gray(cv_tensor *out, const cv_tensor *in);
/* in (...,1) -> out (...,3), same dtype, gray copied into each channel. */
cv_status cv_image_gray_to_rgb(cv_tensor *out, const cv_tensor *in);
/* in (H,W,C) uint8, C in 1..4 -> out (H,W,channels) uint8 (1, 3 or 4; alpha added as 255). */
cv_status cv_image_convert_channels(cv_tensor *out, const cv_tensor *in, int channels);
/* in uint8 -> out float32 with the same values (0..255). */
cv_status cv_image_to_f32(cv_tensor *out, const cv_tensor *in);
/* in float32 or uint8 -> out uint8: clamped to 0..255, rounded half up, NaN -> 0. */
cv_status cv_image_to_u8(cv_tensor *out, const cv_tensor *in);

#endif
