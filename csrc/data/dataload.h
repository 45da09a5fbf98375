/* dataload.h - decoding many image files into one batch tensor, in parallel: the C half of
 * cv.data.image_dataset_from_directory. Each file is decoded (image.h: PNG, JPEG, BMP, GIF, chosen by
 * content), converted to the requested channels, resized to h x w as Keras does (tf.image.resize,
 * antialias off), and stored as float32 0..255 in row i of the output. */
#ifndef CV_DATALOAD_H
#define CV_DATALOAD_H

#include <stdint.h>
#include "tensor/tensor.h"

typedef enum cv_interp { CV_INTERP_BILINEAR = 0, CV_INTERP_NEAREST = 1 } cv_interp;

/* paths[0..n) -> out (n, h, w, channels) float32, allocated by the caller (a dataset of 40,000
 * images is big: it is written in place, never copied). channels is 1, 3 or 4. Work is spread over
 * cvision's thread pool; the result does not depend on the thread count. On failure the message
 * names the first failing file (lowest index) and out's content is unspecified. */
cv_status cv_dataload_images(cv_tensor *out, const char *const *paths, cv_interp interp);

#endif
