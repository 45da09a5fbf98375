/* loss.h - Keras losses with their gradient, reduced as Keras' "sum_over_batch_size": the
 * crossentropies sum over the last (class) axis and average over the rows; the elementwise losses
 * (binary crossentropy, poisson, mse, mae) average over every element. Formulas are Keras 3's
 * TensorFlow backend, eps = 1e-7:
 *   sparse CE from probabilities: logits = log(clip(p, eps, 1-eps)), then softmax CE (so rows are
 *     renormalised); categorical CE from probabilities: q = p / sum(p), -sum t*log(clip(q, eps, 1-eps));
 *   binary CE from probabilities: c = clip(p, eps, 1-eps), -(t*log(c) + (1-t)*log(1-c));
 *   from logits: log-softmax / the stable sigmoid form max(x,0) - x*t + log(1+exp(-|x|));
 *   poisson: p - t*log(p + eps); mse: (p-t)^2; mae: |p-t|.
 * Gradients follow TF's: clipped cells get no gradient. */
#ifndef CV_LOSS_H
#define CV_LOSS_H

#include "tensor/tensor.h"

#define CV_LOSS_EPS 1e-7f

typedef enum cv_loss_kind {
  CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = 0, CV_LOSS_CATEGORICAL_CROSSENTROPY,
  CV_LOSS_BINARY_CROSSENTROPY, CV_LOSS_POISSON, CV_LOSS_MEAN_SQUARED_ERROR,
  CV_LOSS_MEAN_ABSOLUTE_ERROR
} cv_loss_kind;

/* "mean_squared_error" (or "mse") -> CV_LOSS_MEAN_SQUARED_ERROR, ... */
cv_status cv_loss_from_name(cv_loss_kind *out, const char *name);
const char *cv_loss_name(cv_loss_kind k);

/* pred (..., K), target (...) of 1-based class numbers for the sparse CE, else like pred
 * -> *loss (the mean), dpred (like pred, overwritten with d loss / d pred; NULL to skip).
 * from_logits applies to the three crossentropies only. */
cv_status cv_loss_compute(double *loss, cv_tensor *dpred, const cv_tensor *pred,
                          const cv_tensor *target, cv_loss_kind kind, int from_logits);

#endif
