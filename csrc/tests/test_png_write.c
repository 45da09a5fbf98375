/* test_png_write.c - the one PNG writer: file and memory forms give the same bytes and decode to
 * the pixels written (any channel count, padded rows); a failed write leaves no file behind and an
 * existing file untouched; errors name the path. */
#include "cvision.h"
#include "ctest.h"
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint8_t *read_all(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = malloc(1 << 20);
  *n = buf ? fread(buf, 1, 1 << 20, f) : 0;
  fclose(f);
  return buf;
}

/* entries of dir whose name starts with prefix */
static int count_entries(const char *dir, const char *prefix) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return -1;
  for (struct dirent *e; (e = readdir(d));) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  closedir(d);
  return n;
}

static void test_roundtrip(const char *dir) {
  char path[256];
  snprintf(path, sizeof path, "%s/p.png", dir);
  for (int c = 1; c <= 4; c++) {
    int h = 6, w = 5, stride = w * c + 3;   /* padded rows: the padding is not written */
    uint8_t px[6 * (5 * 4 + 3)];
    for (int i = 0; i < h * stride; i++) px[i] = (uint8_t)(i * 37 + c);
    CHECK(cv_png_write(path, px, h, w, c, stride) == CV_OK, "write %d channels: %s", c,
          cv_last_error());
    cv_tensor back;
    CHECK(cv_image_load(&back, path, 0) == CV_OK, "load back: %s", cv_last_error());
    int same = back.shape[0] == h && back.shape[1] == w && back.shape[2] == c;
    for (int y = 0; same && y < h; y++)
      same = memcmp(cv_tensor_u8(&back) + y * w * c, px + y * stride, (size_t)(w * c)) == 0;
    CHECK(same, "round trip with %d channels", c);
    cv_tensor_release(&back);
    size_t fn = 0, mn = 0;
    uint8_t *file = read_all(path, &fn), *mem = NULL;
    CHECK(cv_png_encode(&mem, &mn, px, h, w, c, stride) == CV_OK, "encode: %s", cv_last_error());
    CHECK(file && mem && fn == mn && memcmp(file, mem, fn) == 0, "file and memory bytes agree");
    free(file);
    free(mem);
  }
  CHECK(count_entries(dir, "p.png.") == 0, "no temporary file left");
}

static void test_failures(const char *dir) {
  char path[256], sub[256];
  uint8_t px[12] = {0};
  CHECK(cv_png_write("/nonexistent_dir/x.png", px, 2, 2, 3, 6) == CV_EIO, "unwritable folder");
  CHECK(strstr(cv_last_error(), "/nonexistent_dir/x.png: No such file") != NULL,
        "names the path: %s", cv_last_error());
  snprintf(path, sizeof path, "%s/keep.png", dir);
  FILE *f = fopen(path, "wb");
  fputs("old", f);
  fclose(f);
  CHECK(cv_png_write(path, px, 2, 2, 5, 10) == CV_EINVAL, "5 channels refused");
  CHECK(cv_png_write(path, px, 2, 3, 3, 6) == CV_EINVAL, "stride shorter than a row refused");
  CHECK(cv_png_write(path, NULL, 2, 2, 3, 6) == CV_EINVAL, "no pixels refused");
  size_t n = 0;
  uint8_t *old = read_all(path, &n);
  CHECK(old && n == 3 && memcmp(old, "old", 3) == 0, "the existing file is untouched");
  free(old);
  /* the rename fails onto a non-empty folder: the temporary file goes, the folder stays */
  snprintf(sub, sizeof sub, "%s/d.png", dir);
  mkdir(sub, 0700);
  snprintf(path, sizeof path, "%s/d.png/x", dir);
  fclose(fopen(path, "wb"));
  CHECK(cv_png_write(sub, px, 2, 2, 3, 6) == CV_EIO, "cannot replace a folder");
  CHECK(strstr(cv_last_error(), sub) != NULL, "names the path: %s", cv_last_error());
  CHECK(count_entries(dir, "d.png.") == 0, "no temporary file left after a failed rename");
  remove(path);
  rmdir(sub);
  uint8_t *mem = (uint8_t *)1;
  CHECK(cv_png_encode(&mem, &n, px, 0, 2, 3, 6) == CV_EINVAL && mem == NULL && n == 0,
        "encode of no rows refused, outputs cleared");
}

int main(void) {
  char dir[] = "/tmp/cv_test_png_XXXXXX";
  if (!mkdtemp(dir)) return 1;
  test_roundtrip(dir);
  test_failures(dir);
  char path[256];
  snprintf(path, sizeof path, "%s/p.png", dir);
  remove(path);
  snprintf(path, sizeof path, "%s/keep.png", dir);
  remove(path);
  CHECK(rmdir(dir) == 0, "the test folder is empty at the end");
  CTEST_END("png_write");
}
