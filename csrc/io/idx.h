/* idx.h - the idx file format of MNIST and Fashion-MNIST (LeCun's: a big-endian magic 0x0000TTDD,
 * TT the element type, DD the number of dimensions, then DD big-endian uint32 sizes, then the data,
 * row-major, big-endian). gzip-compressed files (.gz) are read transparently through zlib. */
#ifndef CV_IDX_H
#define CV_IDX_H

#include "tensor/tensor.h"

/* path -> out (EMPTY on entry): type 0x08 (unsigned byte) gives a uint8 tensor; 0x09 (signed byte),
 * 0x0B (int16), 0x0C (int32), 0x0D (float32) and 0x0E (float64) give float32. Errors name the file:
 * "<path>: No such file or directory", "<path>: not an idx file (magic 0x...)",
 * "<path>: truncated idx data (N of M bytes)". */
cv_status cv_idx_load(cv_tensor *out, const char *path);

#endif
