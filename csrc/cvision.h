/* cvision.h - the public header of libcvision, the C core of cvision. Pure C11: no Lua here. */
#ifndef CVISION_H
#define CVISION_H

#define CV_VERSION "0.1.0"

#include "cv_status.h"
#include "tensor.h"
#include "random.h"
#include "gemm.h"
#include "conv.h"
#include "pool.h"
#include "dense.h"
#include "finite.h"
#include "activation.h"
#include "loss.h"
#include "optim.h"
#include "batchnorm.h"
#include "nn_misc.h"
#include "image.h"
#include "tensor_ops.h"
#include "threadpool.h"

#endif
