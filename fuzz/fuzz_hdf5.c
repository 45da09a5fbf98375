/* fuzz/fuzz_hdf5.c - libFuzzer harness of the HDF5 reader (the Keras weight files): opens the
 * input, walks the groups from the root (two levels), reads every attribute as strings and every
 * dataset as float32 */
#include "cvision.h"
#include "fuzz_file.h"
#include <string.h>

static void walk(cv_hdf5 *f, const char *group, int depth) {
  cv_hdf5_strings names = {0};
  if (cv_hdf5_attribute_names(&names, f, group) == CV_OK) {
    for (int i = 0; i < names.count; i++) {
      cv_hdf5_strings v = {0};
      int found;
      cv_hdf5_attribute(&v, &found, f, group, names.items[i]);
      cv_hdf5_strings_free(&v);
    }
  }
  cv_hdf5_strings_free(&names);
  cv_hdf5_strings kids = {0};
  if (depth > 2 || cv_hdf5_children(&kids, f, group) != CV_OK) return;
  for (int i = 0; i < kids.count && i < 64; i++) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", strcmp(group, "/") == 0 ? "" : group, kids.items[i]);
    cv_hdf5_kind k = CV_HDF5_NONE;
    if (cv_hdf5_kind_of(&k, f, p) != CV_OK) continue;
    if (k == CV_HDF5_DATASET) {
      cv_tensor t;
      if (cv_hdf5_dataset(&t, f, p) == CV_OK) cv_tensor_release(&t);
    } else if (k == CV_HDF5_GROUP) {
      walk(f, p, depth + 1);
    }
  }
  cv_hdf5_strings_free(&kids);
}

int cv_fuzz_hdf5(const uint8_t *d, size_t n) {
  cv_fuzz_limits();
  char path[64];
  int fd = cv_fuzz_file(path, sizeof path, d, n);
  if (fd < 0) return 0;
  cv_hdf5 *f;
  if (cv_hdf5_open(&f, path) == CV_OK) {
    walk(f, "/", 0);
    cv_hdf5_close(f);
  }
  close(fd);
  return 0;
}

#ifndef CV_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return cv_fuzz_hdf5(d, n); }
#endif
