/* test_jpeg_write.c - the JPEG writer of figures: the memory and file forms give the same bytes,
 * which decode (stb_image) to the pixels written within JPEG's error, alpha composited over white;
 * bad arguments are refused; a failed write names the path and leaves no file behind. */
#include "plot/jpeg_write.h"
#include "ctest.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stb_image.h>

int main(void) {
  enum { W = 32, H = 16 };
  uint8_t px[H][W][4];
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      /* left half opaque red, right half fully transparent (any colour: it must come out white) */
      uint8_t *p = px[y][x];
      p[0] = x < W / 2 ? 220 : 10; p[1] = 20; p[2] = x < W / 2 ? 30 : 200; p[3] = x < W / 2 ? 255 : 0;
    }
  uint8_t *jpg;
  size_t n;
  CHECK(cv_jpeg_encode(&jpg, &n, &px[0][0][0], H, W, 4, W * 4, 95) == CV_OK, "encode");
  CHECK(n > 100 && jpg[0] == 0xFF && jpg[1] == 0xD8 && jpg[2] == 0xFF, "JPEG magic, %zu bytes", n);
  int w, h, c;
  uint8_t *back = stbi_load_from_memory(jpg, (int)n, &w, &h, &c, 3);
  CHECK(back && w == W && h == H, "decodes to %d x %d", w, h);
  if (back) {
    const uint8_t *l = back + (8 * W + 4) * 3, *r = back + (8 * W + 28) * 3;
    CHECK(abs(l[0] - 220) < 12 && abs(l[1] - 20) < 12 && abs(l[2] - 30) < 12, "red: %d %d %d", l[0], l[1], l[2]);
    CHECK(r[0] > 243 && r[1] > 243 && r[2] > 243, "transparent is white: %d %d %d", r[0], r[1], r[2]);
    stbi_image_free(back);
  }

  /* the file holds the same bytes */
  char dir[] = "/tmp/test_jpeg_XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  char path[256];
  snprintf(path, sizeof path, "%s/a.jpg", dir);
  CHECK(cv_jpeg_write(path, &px[0][0][0], H, W, 4, W * 4, 95) == CV_OK, "write");
  FILE *f = fopen(path, "rb");
  uint8_t *file = malloc(n + 16);
  size_t got = f && file ? fread(file, 1, n + 16, f) : 0;
  if (f) fclose(f);
  CHECK(got == n && memcmp(file, jpg, n) == 0, "file == memory (%zu vs %zu bytes)", got, n);
  free(file);
  remove(path);
  free(jpg);

  /* gray works; bad sizes, channels and quality are refused */
  uint8_t gray[4] = {0, 85, 170, 255};
  CHECK(cv_jpeg_encode(&jpg, &n, gray, 2, 2, 1, 2, 80) == CV_OK, "gray");
  free(jpg);
  CHECK(cv_jpeg_encode(&jpg, &n, gray, 2, 2, 2, 4, 80) == CV_EINVAL && jpg == NULL && n == 0, "2 channels");
  CHECK(cv_jpeg_encode(&jpg, &n, gray, 0, 2, 1, 2, 80) == CV_EINVAL, "no rows");
  CHECK(cv_jpeg_encode(&jpg, &n, gray, 2, 2, 1, 2, 0) == CV_EINVAL, "quality 0");
  CHECK(cv_jpeg_encode(&jpg, &n, gray, 2, 2, 1, 2, 101) == CV_EINVAL, "quality 101");

  /* a folder that does not exist: the error names the path, nothing is left */
  snprintf(path, sizeof path, "%s/no/such/x.jpg", dir);
  CHECK(cv_jpeg_write(path, gray, 2, 2, 1, 2, 80) == CV_EIO, "missing folder");
  CHECK(strstr(cv_last_error(), path) != NULL, "message names the path: %s", cv_last_error());
  CHECK(rmdir(dir) == 0, "the folder is empty");
  CTEST_END("jpeg_write");
}
