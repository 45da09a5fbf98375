/* hdf5.h - a minimal read-only HDF5 reader (libhdf5) for Keras weight files: open a file, ask what
 * an object is, list a group's children, read string attributes and float datasets. Paths are
 * absolute or relative to the root ("" and "/" are the root). Every size read from the file (a
 * dataset's shape, an attribute's length) is checked against the file's size and a budget
 * (CV_HDF5_MAX_BYTES) before anything is allocated. Errors name the file and the object path:
 * "<file>: /layers/dense/vars/0: no such object". libhdf5's own error printing is switched off
 * during each call (the core never prints). Serial libhdf5 is not thread-safe: use a file from one
 * thread at a time. */
#ifndef CV_HDF5_H
#define CV_HDF5_H

#include <stdint.h>
#include "base/cv_status.h"
#include "tensor/tensor.h"

/* the largest dataset (as float32, and as stored) or attribute that is read: 2 GiB */
#define CV_HDF5_MAX_BYTES ((int64_t)1 << 31)

typedef struct cv_hdf5 cv_hdf5;   /* an open file */

typedef enum cv_hdf5_kind {
  CV_HDF5_NONE = 0,   /* nothing at that path */
  CV_HDF5_GROUP,
  CV_HDF5_DATASET,
  CV_HDF5_OTHER       /* a named datatype */
} cv_hdf5_kind;

/* A list of malloc'ed strings; is_array is 0 for a scalar attribute (count 1). */
typedef struct cv_hdf5_strings {
  int count;
  int is_array;
  char **items;
} cv_hdf5_strings;

/* Frees the items and returns s to {0} (safe on {0}). */
void cv_hdf5_strings_free(cv_hdf5_strings *s);

/* path -> *out, an open read-only file (NULL on failure). Errors: "<path>: No such file or
 * directory", "<path>: not an HDF5 file (no signature)", "<path>: cannot read the HDF5 file
 * (<libhdf5's reason, e.g. truncated file>)". */
cv_status cv_hdf5_open(cv_hdf5 **out, const char *path);
/* Closes the file (safe on NULL). */
void cv_hdf5_close(cv_hdf5 *f);
/* The path the file was opened with. */
const char *cv_hdf5_path(const cv_hdf5 *f);

/* What is at path (CV_HDF5_NONE when nothing, an intermediate component missing included). */
cv_status cv_hdf5_kind_of(cv_hdf5_kind *kind, cv_hdf5 *f, const char *path);
/* out ({0} on entry) <- the names of group's children, sorted by name (HDF5's name index). */
cv_status cv_hdf5_children(cv_hdf5_strings *out, cv_hdf5 *f, const char *group);
/* out ({0} on entry) <- the names of the attributes of the object at path, by name. */
cv_status cv_hdf5_attribute_names(cv_hdf5_strings *out, cv_hdf5 *f, const char *path);
/* out ({0} on entry) <- the string attribute `name` of the object at path: a scalar (count 1,
 * is_array 0) or a 1-D array (is_array 1) of fixed-length (trailing padding removed) or
 * variable-length strings. An empty numeric array (what Keras 2 writes for a layer without
 * weights) gives an empty list. *found = 0 (and CV_OK) when the object has no such attribute. */
cv_status cv_hdf5_attribute(cv_hdf5_strings *out, int *found, cv_hdf5 *f, const char *path,
                            const char *name);
/* out (EMPTY on entry) <- the dataset at path (float or integer elements, converted to float32 by
 * libhdf5) with its shape (a scalar dataset gives a 0-d tensor). */
cv_status cv_hdf5_dataset(cv_tensor *out, cv_hdf5 *f, const char *path);

#endif
