/* augment.h - the geometric kernel of the augmentation layers (RandomFlip, RandomRotation,
 * RandomZoom, RandomTranslation): one projective transform per image, with TF's
 * ImageProjectiveTransformV3 semantics (what Keras' layers call): the output pixel at column x,
 * row y samples the input at ((a0 x + a1 y + a2)/k, (b0 x + b1 y + b2)/k), k = c0 x + c1 y + 1,
 * the transform row being (a0, a1, a2, b0, b1, b2, c0, c1). */
#ifndef CV_AUGMENT_H
#define CV_AUGMENT_H

#include "tensor/tensor.h"

typedef enum cv_fill_mode {
  CV_FILL_REFLECT = 0,   /* (d c b a | a b c d | d c b a), Keras' default */
  CV_FILL_WRAP,          /* (a b c d | a b c d | a b c d) */
  CV_FILL_CONSTANT,      /* (k k k k | a b c d | k k k k), k = fill_value */
  CV_FILL_NEAREST        /* (a a a a | a b c d | d d d d) */
} cv_fill_mode;

typedef enum cv_interpolation { CV_INTERP_NEAREST = 0, CV_INTERP_BILINEAR } cv_interpolation;

/* Parses "reflect" | "wrap" | "constant" | "nearest" and "nearest" | "bilinear". */
cv_status cv_fill_mode_from_name(cv_fill_mode *out, const char *name);
cv_status cv_interpolation_from_name(cv_interpolation *out, const char *name);

/* x (N,H,W,C), transforms (N,8) -> y (N,H,W,C) (overwritten) */
cv_status cv_image_transform_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *transforms,
                                     cv_interpolation interp, cv_fill_mode fill, float fill_value);
/* dy (N,H,W,C), transforms (N,8) -> dx (N,H,W,C) (overwritten): the adjoint of the forward map
 * (each output gradient goes back to the input pixels it was sampled from, with the same weights) */
cv_status cv_image_transform_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *transforms,
                                      cv_interpolation interp, cv_fill_mode fill);

#endif
