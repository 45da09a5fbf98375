/* optim.h - optimizer updates of one parameter tensor in place, with Keras' rules (Keras 3, which
 * matches tf.keras 2.11+):
 *   Adam:    m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  lr_t = lr*sqrt(1-b2^t)/(1-b1^t);
 *            p -= lr_t*m / (sqrt(v) + eps)     (eps outside the sqrt, not bias-corrected; t >= 1)
 *   SGD:     momentum 0: p -= lr*g; else v = momentum*v - lr*g, then p += v, or with nesterov
 *            p += momentum*v - lr*g
 *   RMSprop: ms = rho*ms + (1-rho)*g^2; centered (mg given): mg = rho*mg + (1-rho)*g and
 *            denom = ms - mg^2 + eps, else denom = ms + eps; inc = lr*g/sqrt(denom);
 *            momentum > 0: mom = momentum*mom + inc, p -= mom; else p -= inc.
 * All state tensors are shaped like p. */
#ifndef CV_OPTIM_H
#define CV_OPTIM_H

#include "tensor/tensor.h"

/* p, g, m, v (all alike) -> p, m, v updated; t is the 1-based step */
cv_status cv_adam_update(cv_tensor *p, const cv_tensor *g, cv_tensor *m, cv_tensor *v, float lr,
                         float beta1, float beta2, float eps, long t);
/* p, g, velocity (NULL allowed when momentum is 0) -> p, velocity updated */
cv_status cv_sgd_update(cv_tensor *p, const cv_tensor *g, cv_tensor *velocity, float lr,
                        float momentum, int nesterov);
/* p, g, ms, mom (NULL allowed when momentum is 0), mg (NULL unless centered) -> updated */
cv_status cv_rmsprop_update(cv_tensor *p, const cv_tensor *g, cv_tensor *ms, cv_tensor *mom,
                            cv_tensor *mg, float lr, float rho, float momentum, float eps);

#endif
