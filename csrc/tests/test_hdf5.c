/* test_hdf5.c - io/hdf5.c: a small file written with the HDF5 C API itself (groups, float32 and
 * float64 and integer datasets, fixed-length, variable-length and array string attributes, an empty
 * numeric attribute as Keras 2 writes for a layer without weights) read back; then the errors: a
 * missing file, a garbage file, a truncated file, a missing path, a wrong kind of object, a
 * dataset over the budget. */
#include "ctest.h"
#include "cvision.h"
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void attr_fixed(hid_t loc, const char *name, const char *const *v, int n, int scalar) {
  size_t w = 1;
  for (int i = 0; i < n; i++) if (strlen(v[i]) > w) w = strlen(v[i]);
  char *buf = calloc(n > 0 ? (size_t)n : 1, w);
  for (int i = 0; i < n; i++) memcpy(buf + (size_t)i * w, v[i], strlen(v[i]));   /* null padded */
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, w);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  hsize_t d = (hsize_t)n;
  hid_t s = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &d, NULL);
  hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, buf);
  H5Aclose(a); H5Sclose(s); H5Tclose(t);
  free(buf);
}

static void attr_vlen(hid_t loc, const char *name, const char *v) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, &v);
  H5Aclose(a); H5Sclose(s); H5Tclose(t);
}

static void dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int ndim,
                    const hsize_t *dims, const void *data) {
  hid_t s = H5Screate_simple(ndim, dims, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d = H5Dcreate2(loc, name, ftype, s, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(d); H5Pclose(lcpl); H5Sclose(s);
}

static void write_file(const char *path) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const char *cfg[] = {"{\"class_name\": \"Sequential\"}"};
  attr_fixed(f, "model_config", cfg, 1, 1);
  attr_vlen(f, "keras_version", "2.13.1");
  const char *names[] = {"dense", "flatten", "dense_1"};
  attr_fixed(f, "layer_names", names, 3, 0);
  float k[6] = {1, 2, 3, 4, 5, 6.5f};
  double b[3] = {0.25, -1, 1e-3};
  int32_t iv[2] = {7, -8};
  hsize_t d23[2] = {2, 3}, d3[1] = {3}, d2[1] = {2};
  dataset(f, "layers/dense/vars/0", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, d23, k);
  dataset(f, "layers/dense/vars/1", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d3, b);
  dataset(f, "ints", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, d2, iv);
  hid_t g = H5Gcreate2(f, "flatten", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t zero = 0;
  hid_t s = H5Screate_simple(1, &zero, NULL);
  hid_t a = H5Acreate2(g, "weight_names", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
  H5Aclose(a); H5Sclose(s); H5Gclose(g);
  /* a huge declared shape, chunked and never written: nothing stored, over the budget */
  hsize_t big[2] = {1u << 20, 1u << 20}, chunk[2] = {64, 64};
  s = H5Screate_simple(2, big, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 2, chunk);
  hid_t d = H5Dcreate2(f, "huge", H5T_IEEE_F32LE, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Dclose(d); H5Pclose(dcpl); H5Sclose(s);
  H5Fclose(f);
}

static int has(const char *msg, const char *part) { return strstr(msg, part) != NULL; }

static void test_read(const char *path) {
  cv_hdf5 *f = NULL;
  CHECK(cv_hdf5_open(&f, path) == CV_OK, "open: %s", cv_last_error());
  if (!f) return;
  CHECK(strcmp(cv_hdf5_path(f), path) == 0, "path kept");

  cv_hdf5_kind k;
  CHECK(cv_hdf5_kind_of(&k, f, "/") == CV_OK && k == CV_HDF5_GROUP, "root is a group");
  CHECK(cv_hdf5_kind_of(&k, f, "layers/dense/vars/0") == CV_OK && k == CV_HDF5_DATASET, "dataset kind");
  CHECK(cv_hdf5_kind_of(&k, f, "/layers/nothing/vars") == CV_OK && k == CV_HDF5_NONE, "missing kind");

  cv_hdf5_strings s = {0};
  CHECK(cv_hdf5_children(&s, f, "") == CV_OK, "children: %s", cv_last_error());
  CHECK(s.count == 4 && strcmp(s.items[0], "flatten") == 0 && strcmp(s.items[1], "huge") == 0 &&
        strcmp(s.items[2], "ints") == 0 && strcmp(s.items[3], "layers") == 0, "root children by name");
  cv_hdf5_strings_free(&s);
  CHECK(cv_hdf5_children(&s, f, "/layers/dense/vars") == CV_OK && s.count == 2 &&
        strcmp(s.items[0], "0") == 0 && strcmp(s.items[1], "1") == 0, "vars children");
  cv_hdf5_strings_free(&s);

  CHECK(cv_hdf5_attribute_names(&s, f, "/") == CV_OK && s.count == 3 &&
        strcmp(s.items[0], "keras_version") == 0 && strcmp(s.items[2], "model_config") == 0, "attribute names");
  cv_hdf5_strings_free(&s);

  int found = 0;
  CHECK(cv_hdf5_attribute(&s, &found, f, "/", "model_config") == CV_OK && found && s.count == 1 &&
        !s.is_array && strcmp(s.items[0], "{\"class_name\": \"Sequential\"}") == 0, "fixed scalar string");
  cv_hdf5_strings_free(&s);
  CHECK(cv_hdf5_attribute(&s, &found, f, "", "keras_version") == CV_OK && found && s.count == 1 &&
        strcmp(s.items[0], "2.13.1") == 0, "variable-length string");
  cv_hdf5_strings_free(&s);
  CHECK(cv_hdf5_attribute(&s, &found, f, "/", "layer_names") == CV_OK && found && s.is_array &&
        s.count == 3 && strcmp(s.items[0], "dense") == 0 && strcmp(s.items[1], "flatten") == 0 &&
        strcmp(s.items[2], "dense_1") == 0, "array of fixed strings, padding removed");
  cv_hdf5_strings_free(&s);
  CHECK(cv_hdf5_attribute(&s, &found, f, "flatten", "weight_names") == CV_OK && found && s.is_array &&
        s.count == 0, "empty numeric array = empty list");
  cv_hdf5_strings_free(&s);
  CHECK(cv_hdf5_attribute(&s, &found, f, "/", "nope") == CV_OK && !found && s.count == 0, "absent attribute");

  cv_tensor t = {0};
  CHECK(cv_hdf5_dataset(&t, f, "/layers/dense/vars/0") == CV_OK, "f32: %s", cv_last_error());
  CHECK(t.ndim == 2 && t.shape[0] == 2 && t.shape[1] == 3 && cv_tensor_f32(&t)[5] == 6.5f, "f32 values");
  cv_tensor_release(&t);
  CHECK(cv_hdf5_dataset(&t, f, "layers/dense/vars/1") == CV_OK && t.ndim == 1 && t.shape[0] == 3 &&
        cv_tensor_f32(&t)[0] == 0.25f && cv_tensor_f32(&t)[2] == 1e-3f, "f64 -> f32");
  cv_tensor_release(&t);
  CHECK(cv_hdf5_dataset(&t, f, "ints") == CV_OK && cv_tensor_f32(&t)[1] == -8.0f, "int32 -> f32");
  cv_tensor_release(&t);

  /* errors name the file and the object; nothing leaks */
  CHECK(cv_hdf5_dataset(&t, f, "/layers/dense/vars/7") != CV_OK && has(cv_last_error(), path) &&
        has(cv_last_error(), "/layers/dense/vars/7: no such object") && t.storage == NULL, "missing dataset: %s", cv_last_error());
  CHECK(cv_hdf5_dataset(&t, f, "/nothing/at/all") != CV_OK && has(cv_last_error(), "no such object"), "missing parents");
  CHECK(cv_hdf5_dataset(&t, f, "/layers") != CV_OK && has(cv_last_error(), "not a dataset"), "group as dataset");
  CHECK(cv_hdf5_children(&s, f, "/ints") != CV_OK && has(cv_last_error(), "not a group") && s.items == NULL, "dataset as group");
  CHECK(cv_hdf5_children(&s, f, "/missing") != CV_OK && has(cv_last_error(), "/missing: no such object"), "missing group");
  CHECK(cv_hdf5_attribute(&s, &found, f, "/missing", "x") != CV_OK && has(cv_last_error(), "no such object"), "attribute of a missing object");
  CHECK(cv_hdf5_dataset(&t, f, "/huge") != CV_OK && has(cv_last_error(), "budget") && t.storage == NULL,
        "over the budget: %s", cv_last_error());
  cv_hdf5_close(f);
  cv_hdf5_close(NULL);
}

static void write_bytes(const char *path, const char *src, long n) {
  FILE *in = src ? fopen(src, "rb") : NULL;
  FILE *out = fopen(path, "wb");
  for (long i = 0; i < n; i++) fputc(in ? fgetc(in) : (int)(i * 37 % 251), out);
  fclose(out);
  if (in) fclose(in);
}

static void test_bad_files(const char *good, const char *dir) {
  cv_hdf5 *f = NULL;
  char path[512];
  CHECK(cv_hdf5_open(&f, "/nonexistent/weights.h5") == CV_EIO && f == NULL &&
        has(cv_last_error(), "/nonexistent/weights.h5: No such file"), "missing file: %s", cv_last_error());
  CHECK(cv_hdf5_open(&f, dir) != CV_OK && f == NULL && has(cv_last_error(), dir), "a folder: %s", cv_last_error());

  snprintf(path, sizeof path, "%s/garbage.h5", dir);
  write_bytes(path, NULL, 4000);
  CHECK(cv_hdf5_open(&f, path) == CV_EFORMAT && f == NULL && has(cv_last_error(), "not an HDF5 file"),
        "garbage: %s", cv_last_error());
  unlink(path);

  snprintf(path, sizeof path, "%s/empty.h5", dir);
  write_bytes(path, NULL, 0);
  CHECK(cv_hdf5_open(&f, path) == CV_EFORMAT && f == NULL && has(cv_last_error(), "not an HDF5 file"), "empty file");
  unlink(path);

  FILE *g = fopen(good, "rb");
  fseek(g, 0, SEEK_END);
  long size = ftell(g);
  fclose(g);
  snprintf(path, sizeof path, "%s/truncated.h5", dir);
  write_bytes(path, good, size / 2);
  cv_status st = cv_hdf5_open(&f, path);
  if (getenv("CTEST_VERBOSE")) printf("truncated: %s\n", cv_last_error());
  CHECK(st == CV_EFORMAT && f == NULL && has(cv_last_error(), path) && has(cv_last_error(), "cannot read the HDF5 file"),
        "truncated: %s", cv_last_error());
  cv_hdf5_close(f);
  unlink(path);
}

/* a 553-byte file whose superblock's driver information block claims 2.8 GB (found by
 * fuzz/fuzz_hdf5.c): refused before libhdf5 allocates it */
static void test_driver_info_claim(void) {
  static const struct { const char *path, *claim; } c[] = {
    {"fuzz/regressions/hdf5/driver-info-size", "(claiming bytes: 2829625344)"},
    {"fuzz/regressions/hdf5/driver-info-truncated", "(claiming bytes: 4294901760)"},   /* 49 bytes, read as zeros past the end */
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    cv_hdf5 *f = NULL;
    cv_status st = cv_hdf5_open(&f, c[i].path);
    CHECK(st == CV_EFORMAT && f == NULL, "%s: driver info claim refused (status %d)", c[i].path, (int)st);
    CHECK(strstr(cv_last_error(), c[i].claim) != NULL && strstr(cv_last_error(), c[i].path) != NULL,
          "message: %s", cv_last_error());
  }
}

int main(void) {
  test_driver_info_claim();
  char dir[] = "/tmp/cv_test_hdf5_XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  char path[512];
  snprintf(path, sizeof path, "%s/small.h5", dir);
  write_file(path);
  test_read(path);
  test_bad_files(path, dir);
  unlink(path);
  rmdir(dir);
  H5close();   /* libhdf5's free lists, so LeakSanitizer sees only cvision's allocations */
  CTEST_END("hdf5");
}
