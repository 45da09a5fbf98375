/* cvision.h - the public header of libcvision, the C core of cvision. Pure C11: no Lua here. */
#ifndef CVISION_H
#define CVISION_H

#define CV_VERSION "0.1.0"

#include "cv_status.h"
#include "tensor.h"
#include "random.h"
#include "tensor_ops.h"
#include "threadpool.h"

#endif
