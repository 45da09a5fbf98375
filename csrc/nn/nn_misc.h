/* nn_misc.h - #12: kept only for the files that still include it (nn/pool.c, nn/loss.c,
 * nn/batchnorm.c, nn/activation.c, nn/dense.c, nn/optim.c, the nn/conv/ files, data/augment.c,
 * tests/test_pool.c); include the header of the concern instead and delete this one when none
 * is left. nn_misc.c was split into check.c, dropout.c, padding.c and metrics.c. */
#ifndef CV_NN_MISC_H
#define CV_NN_MISC_H

#include "nn/check.h"
#include "nn/dropout.h"
#include "nn/padding.h"
#include "nn/metrics.h"

#endif
