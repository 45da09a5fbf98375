/* cvision.h - the public header of libcvision, the C core of cvision. Pure C11: no Lua here. */
#ifndef CVISION_H
#define CVISION_H

#define CV_VERSION "0.1.0"

#include "base/cv_status.h"
#include "tensor/tensor.h"
#include "base/random.h"
#include "base/gemm.h"
#include "nn/conv/conv.h"
#include "nn/pool.h"
#include "nn/dense.h"
#include "base/finite.h"
#include "nn/activation.h"
#include "nn/loss.h"
#include "nn/optim.h"
#include "nn/batchnorm.h"
#include "nn/check.h"
#include "nn/dropout.h"
#include "nn/padding.h"
#include "nn/metrics.h"
#include "io/image.h"
#include "io/png_write.h"
#include "io/hdf5.h"
#include "io/file.h"
#include "base/limits.h"
#include "tensor/tensor_ops.h"
#include "tensor/tensor_reduce.h"
#include "tensor/tensor_index.h"
#include "tensor/tensor_join.h"
#include "tensor/tensor_print.h"
#include "base/threadpool.h"
#include "base/workspace.h"
#include "base/proc.h"
#include "base/terminal.h"

#endif
