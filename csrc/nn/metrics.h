/* metrics.h - counting correct predictions: argmax and top-k accuracy over (N, K) scores. */
#ifndef CV_METRICS_H
#define CV_METRICS_H

#include "tensor/tensor.h"

/* pred (N,K), labels (N) 1-based class numbers -> *correct = rows whose label is in the top k
 * (tf.math.in_top_k: ties at the boundary count as in; a non-finite score never does). */
cv_status cv_topk_correct(long *correct, const cv_tensor *pred, const cv_tensor *labels, int k);
/* pred (N,K), labels (N) of class numbers 1..K -> *correct: the rows whose argmax (the first
 * largest value, or the first NaN, as t:argmax) is the label; allocates nothing */
cv_status cv_argmax_correct(long *correct, const cv_tensor *pred, const cv_tensor *labels);

#endif
