/* test_image_claims.c - files whose headers claim more than they hold (io/image_claims.c), the
 * max_image_pixels budget (base/limits.c) and special files (io/file.c): each refused before
 * anything large is allocated, with a message naming the file; real fixtures still load. */
#include "cvision.h"
#include "io/image_claims.h"
#include "ctest.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR "spec/fixtures/images/"

static void put16(unsigned char *b, unsigned v) { b[0] = v & 255; b[1] = v >> 8; }
static void put32(unsigned char *b, uint32_t v) { for (int i = 0; i < 4; i++) b[i] = (v >> (8 * i)) & 255; }

/* a BMP header (54 bytes) claiming w x h at bpp, followed by `extra` zero bytes of pixels */
static unsigned char *bmp(int32_t w, int32_t h, unsigned bpp, size_t extra, size_t *n) {
  *n = 54 + extra;
  unsigned char *b = calloc(1, *n);
  b[0] = 'B'; b[1] = 'M';
  put32(b + 2, (uint32_t)*n); put32(b + 10, 54); put32(b + 14, 40);
  put32(b + 18, (uint32_t)w); put32(b + 22, (uint32_t)h); put16(b + 26, 1); put16(b + 28, bpp);
  return b;
}

static void expect(const unsigned char *b, size_t n, const char *name, const char *msg) {
  cv_tensor t;
  cv_status st = cv_image_load_mem(&t, b, n, 0, name);
  CHECK(st == CV_EFORMAT && !t.storage, "%s refused (status %d)", name, (int)st);
  CHECK(strncmp(cv_last_error(), msg, strlen(msg)) == 0, "%s: '%s'", name, cv_last_error());
  if (st == CV_OK) cv_tensor_release(&t);
}

static void test_bmp(void) {
  size_t n;
  unsigned char *b = bmp(16384, 16384, 32, 0, &n);          /* the 54-byte 2 GB BMP */
  expect(b, n, "bomb.bmp", "bomb.bmp: image too large (16384x16384 = 268435456 pixels");
  free(b);
  b = bmp(8000, -8000, 24, 100, &n);                         /* in budget, top-down, truncated */
  expect(b, n, "t.bmp", "t.bmp: truncated BMP data (the header claims 8000x8000 at 24 bits per pixel, "
         "192000000 bytes of pixels; the file holds 100 after the headers)");
  free(b);
  b = bmp(3, 2, 24, 2 * 12 - 1, &n);                         /* rows of 12 bytes: one byte short */
  expect(b, n, "short.bmp", "short.bmp: truncated BMP data");
  free(b);
  b = bmp(3, 2, 24, 2 * 12, &n);                             /* exactly enough */
  cv_tensor t;
  CHECK(cv_image_load_mem(&t, b, n, 0, "ok.bmp") == CV_OK, "a complete 3x2 BMP: %s", cv_last_error());
  CHECK(t.storage && t.shape[0] == 2 && t.shape[1] == 3 && t.shape[2] == 3, "3x2 RGB");
  cv_tensor_release(&t);
  free(b);
}

static void test_gif(void) {
  /* logical screen w x h, a global table of 2 colours, one frame w x h with `data` LZW bytes */
  unsigned char g[64] = "GIF89a";
  put16(g + 6, 8000); put16(g + 8, 8000);
  g[10] = 0x80; g[11] = 0; g[12] = 0;
  memcpy(g + 13, "\0\0\0\xff\xff\xff", 6);
  g[19] = 0x2C;
  put16(g + 20, 0); put16(g + 22, 0); put16(g + 24, 8000); put16(g + 26, 8000); g[28] = 0;
  g[29] = 2;                                                  /* LZW minimum code size */
  g[30] = 2; g[31] = 0x44; g[32] = 0x01; g[33] = 0; g[34] = 0x3B;
  expect(g, 35, "b.gif", "b.gif: corrupt GIF data (8000x8000 pixels claimed, 2 bytes of image data hold at most 9558)");
  put16(g + 6, 4); put16(g + 8, 4); put16(g + 24, 4); put16(g + 26, 4);
  g[30] = 16;                                                 /* a 16-byte block the file lacks */
  expect(g, 33, "t.gif", "t.gif: truncated GIF data");
  g[30] = 2;
  expect(g, 33, "u.gif", "u.gif: truncated GIF data");        /* no block terminator */
  cv_tensor t;
  CHECK(cv_image_load(&t, DIR "rgb16x16.gif", 0) == CV_OK, "the GIF fixture loads: %s", cv_last_error());
  cv_tensor_release(&t);
}

static void test_jpeg(void) {
  unsigned char j[32] = {0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0x1F, 0x40, 0x1F, 0x40, 1, 1, 0x11, 0,
                         0xFF, 0xD9};                         /* 8000x8000, no scan */
  expect(j, 17, "n.jpg", "n.jpg: truncated JPEG data (no image data)");
  size_t n;
  FILE *f = fopen(DIR "rgb16x16.jpg", "rb");
  CHECK(f != NULL, "the JPEG fixture");
  if (!f) return;
  unsigned char *b = malloc(1 << 16);
  n = fread(b, 1, 1 << 16, f);
  fclose(f);
  cv_tensor t;
  CHECK(cv_image_load_mem(&t, b, n, 0, "ok.jpg") == CV_OK, "the JPEG fixture: %s", cv_last_error());
  cv_tensor_release(&t);
  expect(b, n - 2, "cut.jpg", "cut.jpg: truncated JPEG data (no end-of-image marker)");
  expect(b, n / 2, "half.jpg", "half.jpg: truncated JPEG data");
  free(b);
}

static void test_budget(void) {
  cv_limits l0, l;
  cv_limits_get(&l0);
  CHECK(l0.max_image_pixels == CV_DEFAULT_MAX_IMAGE_PIXELS, "default budget");
  l = l0;
  l.max_image_pixels = 255;                                   /* a 16x16 image is one too many */
  CHECK(cv_limits_set(&l) == CV_OK, "set");
  cv_tensor t;
  CHECK(cv_image_load(&t, DIR "rgb16x16.png", 0) == CV_EFORMAT, "PNG over budget");
  CHECK(strstr(cv_last_error(), "16x16 = 256 pixels; the limit is 255") != NULL, "'%s'", cv_last_error());
  CHECK(cv_image_load(&t, DIR "rgb16x16.bmp", 0) == CV_EFORMAT, "BMP over budget");
  l.max_image_pixels = 256;
  cv_limits_set(&l);
  CHECK(cv_image_load(&t, DIR "rgb16x16.png", 0) == CV_OK, "at the budget");
  cv_tensor_release(&t);
  l.max_image_pixels = 0;
  CHECK(cv_limits_set(&l) == CV_EINVAL, "a zero budget refused");
  cv_limits_reset();
  cv_limits_get(&l);
  CHECK(l.max_image_pixels == l0.max_image_pixels && l.max_file_bytes == l0.max_file_bytes, "reset");
  CHECK(cv_mul_size(INT64_MAX / 2, 3) == -1 && cv_mul_size(1 << 20, 1 << 20) == (int64_t)1 << 40,
        "overflow-checked products");
}

static void test_special_files(void) {
  char dir[] = "/tmp/cv_claims_XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  char fifo[64], link[64];
  snprintf(fifo, sizeof fifo, "%s/x.png", dir);
  snprintf(link, sizeof link, "%s/zero.png", dir);
  CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
  CHECK(symlink("/dev/zero", link) == 0, "symlink");
  cv_tensor t;
  CHECK(cv_image_load(&t, fifo, 0) == CV_EIO, "a FIFO is refused at once");
  CHECK(strstr(cv_last_error(), "x.png: not a regular file (a FIFO)") != NULL, "'%s'", cv_last_error());
  CHECK(cv_image_load(&t, link, 0) == CV_EIO, "/dev/zero is refused");
  CHECK(strstr(cv_last_error(), "zero.png: not a regular file (a character device)") != NULL, "'%s'",
        cv_last_error());
  unsigned char *buf;
  size_t n;
  CHECK(cv_file_read(&buf, &n, DIR "rgb16x16.png", 10) == CV_EFORMAT, "max_bytes");
  CHECK(strstr(cv_last_error(), "file too large (") != NULL, "'%s'", cv_last_error());
  unlink(fifo);
  unlink(link);
  rmdir(dir);
}

int main(void) {
  test_bmp();
  test_gif();
  test_jpeg();
  test_budget();
  test_special_files();
  CTEST_END("image_claims");
}
