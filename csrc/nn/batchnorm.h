/* batchnorm.h - batch normalization over every axis but the last (channels), as Keras'
 * BatchNormalization(axis=-1). Training normalizes with the batch mean and the BIASED batch
 * variance and updates moving = moving*momentum + batch*(1-momentum) with that same biased variance
 * (Keras 3 and tf.keras: tf.nn.moments, and the fused path removes Bessel's correction).
 * Inference normalizes with the moving statistics. */
#ifndef CV_BATCHNORM_H
#define CV_BATCHNORM_H

#include "tensor/tensor.h"

typedef struct cv_batchnorm_params {
  float momentum;   /* Keras default 0.99 */
  float eps;        /* Keras default 1e-3 */
  int training;     /* 1: batch statistics and moving update; 0: moving statistics */
} cv_batchnorm_params;

/* x (..., C), gamma, beta (C) or NULL (scale 1, offset 0), moving_mean, moving_var (C)
 * -> y (like x, may be x), save_mean, save_invstd (C, or NULL: the statistics used, mean and
 * 1/sqrt(var + eps), for the backward); moving_* updated when training */
cv_status cv_batchnorm_forward(cv_tensor *y, cv_tensor *save_mean, cv_tensor *save_invstd,
                               const cv_tensor *x, const cv_tensor *gamma, const cv_tensor *beta,
                               cv_tensor *moving_mean, cv_tensor *moving_var,
                               const cv_batchnorm_params *p);
/* dy (..., C), x, gamma (C) or NULL, save_mean, save_invstd (C) -> dx (overwritten; NULL to skip),
 * dgamma, dbeta (C, +=; NULL to skip). training = 0 treats the statistics as constants
 * (dx = dy*gamma*invstd), for a layer run in inference mode. */
cv_status cv_batchnorm_backward(cv_tensor *dx, cv_tensor *dgamma, cv_tensor *dbeta,
                                const cv_tensor *dy, const cv_tensor *x, const cv_tensor *gamma,
                                const cv_tensor *save_mean, const cv_tensor *save_invstd,
                                int training);

#endif
