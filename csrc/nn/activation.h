/* activation.h - elementwise activations (and softmax over the last axis) with their gradients,
 * Keras' definitions. Forward may run in place (y == x). Backward overwrites dx (dx may be dy). */
#ifndef CV_ACTIVATION_H
#define CV_ACTIVATION_H

#include "tensor/tensor.h"

typedef enum cv_activation {
  CV_ACT_LINEAR = 0, CV_ACT_RELU, CV_ACT_LEAKY_RELU, CV_ACT_RELU6, CV_ACT_TANH, CV_ACT_SIGMOID,
  CV_ACT_SOFTMAX, CV_ACT_EXPONENTIAL
} cv_activation;

/* "relu" -> CV_ACT_RELU, ...; fails with the list of known names */
cv_status cv_activation_from_name(cv_activation *out, const char *name);
const char *cv_activation_name(cv_activation a);

/* x (any; softmax over the last axis) -> y (like x, may be x); alpha is leaky_relu's slope */
cv_status cv_activation_forward(cv_tensor *y, const cv_tensor *x, cv_activation a, float alpha);
/* dy, x, y (the forward's input and output) -> dx (overwritten, may be dy).
 * relu, relu6 and leaky_relu read x when given, else y (then leaky_relu needs alpha >= 0);
 * tanh, sigmoid, softmax and exponential read y; linear reads neither. */
cv_status cv_activation_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *x,
                                 const cv_tensor *y, cv_activation a, float alpha);

#endif
