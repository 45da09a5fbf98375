/* test_idx.c - the idx reader: plain and gzip files, element types, corrupt headers, short data. */
#include "ctest.h"
#include "io/idx.h"
#include "base/limits.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char path[64];

static void put(const void *b, size_t n) {
  FILE *f = fopen(path, "wb");
  fwrite(b, 1, n, f);
  fclose(f);
}

int main(void) {
  strcpy(path, "/tmp/cvision_idx_XXXXXX");
  int fd = mkstemp(path);
  CHECK(fd >= 0, "mkstemp");
  close(fd);
  cv_tensor t = {0};

  const unsigned char u8[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};
  put(u8, sizeof u8);
  CHECK(cv_idx_load(&t, path) == CV_OK, "u8: %s", cv_last_error());
  CHECK(t.dtype == CV_UINT8 && t.ndim == 2 && t.shape[0] == 2 && t.shape[1] == 3, "u8 shape");
  CHECK(cv_tensor_u8(&t)[5] == 6, "u8 data");
  cv_tensor_release(&t);

  /* the same through gzip */
  gzFile g = gzopen(path, "wb");
  gzwrite(g, u8, sizeof u8);
  gzclose(g);
  CHECK(cv_idx_load(&t, path) == CV_OK && t.numel == 6 && cv_tensor_u8(&t)[0] == 1, "gzip: %s", cv_last_error());
  cv_tensor_release(&t);

  const unsigned char i32[] = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0};
  put(i32, sizeof i32);
  CHECK(cv_idx_load(&t, path) == CV_OK && t.dtype == CV_FLOAT32, "int32: %s", cv_last_error());
  CHECK(cv_tensor_f32(&t)[0] == -2.0f && cv_tensor_f32(&t)[1] == 256.0f, "int32 values");
  cv_tensor_release(&t);

  const unsigned char f64[] = {0, 0, 0x0E, 1, 0, 0, 0, 1, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0};
  put(f64, sizeof f64);
  CHECK(cv_idx_load(&t, path) == CV_OK && cv_tensor_f32(&t)[0] == 1.5f, "float64: %s", cv_last_error());
  cv_tensor_release(&t);

  const unsigned char badmagic[] = {1, 0, 8, 1, 0, 0, 0, 1, 7};
  put(badmagic, sizeof badmagic);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT && strstr(cv_last_error(), path) && t.storage == NULL,
        "bad magic: %s", cv_last_error());
  const unsigned char badtype[] = {0, 0, 7, 1, 0, 0, 0, 1, 7};
  put(badtype, sizeof badtype);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT, "bad type");
  const unsigned char zerodim[] = {0, 0, 8, 0};
  put(zerodim, sizeof zerodim);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT, "no dimensions");
  const unsigned char shorthdr[] = {0, 0, 8, 3, 0, 0, 0, 1};
  put(shorthdr, sizeof shorthdr);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT && strstr(cv_last_error(), "header"), "short header: %s",
        cv_last_error());
  const unsigned char huge[] = {0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  put(huge, sizeof huge);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT && t.storage == NULL, "huge shape refused: %s", cv_last_error());
  const unsigned char shortdata[] = {0, 0, 8, 1, 0, 0, 0, 5, 1, 2};
  put(shortdata, sizeof shortdata);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT && strstr(cv_last_error(), "truncated idx data (the header claims 5 bytes, the file holds 2)")
        && t.storage == NULL, "short data: %s", cv_last_error());
  /* 8 bytes claiming 2^31 items: refused before any allocation (it once zero-filled 2 GiB) */
  const unsigned char bomb[] = {0, 0, 8, 1, 0x80, 0, 0, 0};
  put(bomb, sizeof bomb);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT && t.storage == NULL &&
        strstr(cv_last_error(), "the header claims 2147483648 bytes, the file holds 0"), "bomb: %s",
        cv_last_error());
  /* within the file but over the max_tensor_bytes budget */
  cv_limits l;
  cv_limits_get(&l);
  l.max_tensor_bytes = 4;
  cv_limits_set(&l);
  const unsigned char five[] = {0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 5};
  put(five, sizeof five);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT && strstr(cv_last_error(), "idx data too large (5 bytes; the limit is 4"),
        "budget: %s", cv_last_error());
  cv_limits_reset();
  CHECK(cv_idx_load(&t, path) == CV_OK && t.numel == 5, "in budget: %s", cv_last_error());
  cv_tensor_release(&t);
  put("", 0);
  CHECK(cv_idx_load(&t, path) == CV_EFORMAT, "empty file");
  remove(path);
  CHECK(cv_idx_load(&t, path) == CV_EIO && strstr(cv_last_error(), "No such file"), "missing: %s", cv_last_error());
  CTEST_END("idx");
}
