/* tensor_print.h - the text form of a cvision tensor, as numpy prints arrays. */
#ifndef CV_TENSOR_PRINT_H
#define CV_TENSOR_PRINT_H

#include "tensor/tensor.h"

/* numpy's repr of t ("array([[1., 2.],\n       [3., 4.]], dtype=float32)"): default print
 * options (linewidth 75, threshold 1000, edgeitems 3, precision 8). Returns a malloc'd string
 * the caller frees, or NULL (out of memory). */
char *cv_tensor_format(const cv_tensor *t);

#endif
