/* test_image.c - image decoding of the committed fixtures (pixel values), clean failures on
 * truncated / corrupted / missing input (every prefix and seeded byte flips: run under ASan and
 * LSan they also prove the libpng error path frees everything), PNG round trips, the fast
 * bilinear resize against its _ref twin, hand-computed resize values, threads decoding at once. */
#include "cvision.h"
#include "ctest.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define DIR "spec/fixtures/images/"

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd(void) {
  rs ^= rs << 13;
  rs ^= rs >> 7;
  rs ^= rs << 17;
  return (uint32_t)(rs >> 11);
}

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *b = malloc(1 << 16);
  *n = b ? fread(b, 1, 1 << 16, f) : 0;
  fclose(f);
  return b;
}

static const uint8_t *pix(const cv_tensor *t, int y, int x) {
  return cv_tensor_u8(t) + ((int64_t)y * t->shape[1] + x) * t->shape[2];
}

static int pix_is(const cv_tensor *t, int y, int x, int r, int g, int b) {
  const uint8_t *p = pix(t, y, x);
  return p[0] == r && p[1] == g && p[2] == b;
}

static void test_fixtures(void) {
  const char *files[] = {DIR "rgb16x16.png", DIR "rgb16x16.gif", DIR "rgb16x16.bmp"};
  for (int i = 0; i < 3; i++) {
    cv_tensor t;
    cv_status st = cv_image_load(&t, files[i], 0);
    CHECK(st == CV_OK, "%s: %s", files[i], cv_last_error());
    if (st != CV_OK) continue;
    CHECK(t.dtype == CV_UINT8 && t.ndim == 3 && t.shape[0] == 16 && t.shape[1] == 16 &&
              t.shape[2] == 3, "%s shape", files[i]);
    CHECK(pix_is(&t, 0, 0, 255, 0, 0) && pix_is(&t, 0, 15, 0, 255, 0) &&
              pix_is(&t, 15, 0, 0, 0, 255) && pix_is(&t, 8, 8, 255, 255, 255) &&
              pix_is(&t, 15, 15, 10, 20, 30), "%s pixels", files[i]);
    cv_tensor_release(&t);
  }
  cv_tensor t;
  CHECK(cv_image_load(&t, DIR "rgb16.png", 0) == CV_OK, "16-bit");
  CHECK(t.shape[2] == 3 && pix_is(&t, 0, 0, 0x12, 255, 0) && pix_is(&t, 1, 1, 128, 0, 254),
        "16-bit keeps the high byte");
  cv_tensor_release(&t);
  CHECK(cv_image_load(&t, DIR "palette_trns.png", 1) == CV_OK, "palette to gray");
  CHECK(t.shape[2] == 1 && pix(&t, 0, 0)[0] == 76 && pix(&t, 0, 1)[0] == 150, "palette luma");
  cv_tensor_release(&t);
  CHECK(cv_image_load(&t, DIR "rgb16x16.jpg", 0) == CV_OK, "jpeg");
  CHECK(t.shape[2] == 3 && abs(pix(&t, 2, 2)[0] - 255) < 6 && pix(&t, 2, 2)[1] < 6, "jpeg pixel");
  cv_tensor_release(&t);
}

static void test_errors(void) {
  struct { const char *path, *msg; cv_status st; } cases[] = {
    {DIR "truncated.png", DIR "truncated.png: truncated PNG data", CV_EFORMAT},
    {DIR "corrupt.png", DIR "corrupt.png: corrupt PNG data (", CV_EFORMAT},
    {DIR "not_an_image.png", DIR "not_an_image.png: not a PNG, GIF, BMP or JPEG file", CV_EFORMAT},
    {DIR "empty.png", DIR "empty.png: empty file", CV_EFORMAT},
    {DIR "missing.png", DIR "missing.png: No such file or directory", CV_EIO},
    {DIR, DIR ": not a regular file (a directory)", CV_EIO},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cv_tensor t;
    cv_status st = cv_image_load(&t, cases[i].path, 3);
    CHECK(st == cases[i].st, "%s: status %d", cases[i].path, (int)st);
    CHECK(strncmp(cv_last_error(), cases[i].msg, strlen(cases[i].msg)) == 0, "message '%s'",
          cv_last_error());
    CHECK(t.storage == NULL, "%s: out stays empty", cases[i].path);
  }
  cv_tensor t;
  CHECK(cv_image_load(&t, DIR "gray.png", 7) == CV_EINVAL, "channels 7 refused");
  /* a JPEG Huffman table whose code counts add up to more than 256 */
  size_t n;
  unsigned char *jpg = slurp(DIR "rgb16x16.jpg", &n);
  size_t i = 2;
  while (i + 21 < n && !(jpg[i] == 0xFF && jpg[i + 1] == 0xC4)) i++;
  CHECK(i + 21 < n, "the JPEG fixture has a DHT segment");
  memset(jpg + i + 5, 0xFF, 16);
  CHECK(cv_image_load_mem(&t, jpg, n, 0, "x.jpg") == CV_EFORMAT && !t.storage, "bad DHT refused");
  CHECK(strcmp(cv_last_error(), "x.jpg: corrupt JPEG data (bad Huffman table)") == 0, "'%s'",
        cv_last_error());
  free(jpg);
  /* a PNG header asking for 10000x10000 pixels from a 95-byte file: refused before allocating */
  unsigned char *png = slurp(DIR "rgb16x16.png", &n);
  const unsigned char big[8] = {0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10};
  memcpy(png + 16, big, 8);
  uLong crc = crc32(0L, png + 12, 17);
  for (int k = 0; k < 4; k++) png[29 + k] = (unsigned char)(crc >> (24 - 8 * k));
  CHECK(cv_image_load_mem(&t, png, n, 0, "big.png") == CV_EFORMAT, "huge header refused");
  CHECK(strcmp(cv_last_error(), "big.png: truncated PNG data") == 0, "'%s'", cv_last_error());
  free(png);
  /* interlaced PNG equals the same pixels stored plainly */
  cv_tensor a, b;
  CHECK(cv_image_load(&a, DIR "interlaced.png", 0) == CV_OK, "interlaced: %s", cv_last_error());
  CHECK(cv_image_load(&b, DIR "rgba.png", 3) == CV_OK, "rgba as rgb");
  CHECK(a.numel == b.numel && memcmp(cv_tensor_u8(&a), cv_tensor_u8(&b), (size_t)a.numel) == 0,
        "interlaced pixels");
  cv_tensor_release(&a);
  cv_tensor_release(&b);
}

/* every prefix and 300 single-byte corruptions of each fixture: OK or a clean error, never a
 * crash; a failure names the data and leaves out empty */
static void test_fuzz(void) {
  const char *files[] = {"rgb16x16.png", "rgb16x16.gif", "rgb16x16.bmp", "rgb16x16.jpg",
                         "palette_trns.png", "rgb16.png", "gray_alpha.png", "gray1.png",
                         "interlaced.png"};
  int bad = 0, failures = 0;
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    char path[256];
    snprintf(path, sizeof path, DIR "%s", files[f]);
    size_t n;
    unsigned char *buf = slurp(path, &n);
    CHECK(buf != NULL, "read %s", path);
    if (!buf) continue;
    unsigned char *copy = malloc(n);
    for (size_t k = 0; k < n + 300; k++) {
      size_t len = n;
      memcpy(copy, buf, n);
      if (k < n) len = k;                                 /* a prefix */
      else copy[rnd() % n] ^= (unsigned char)(1 + rnd() % 255);   /* one byte flipped */
      cv_tensor t;
      cv_status st = cv_image_load_mem(&t, copy, len, (int)(k % 5), files[f]);
      if (st == CV_OK) {
        if (t.ndim != 3 || t.numel != t.shape[0] * t.shape[1] * t.shape[2]) bad++;
        cv_tensor_release(&t);
      } else {
        failures++;
        if (t.storage || strncmp(cv_last_error(), files[f], strlen(files[f])) != 0) bad++;
      }
    }
    free(copy);
    free(buf);
  }
  CHECK(bad == 0, "fuzz: %d bad outcomes", bad);
  CHECK(failures > 100, "fuzz: only %d failures", failures);
}

static void test_roundtrip(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/cv_test_image_%d.png", (int)getpid());
  for (int c = 0; c <= 4; c++) {
    int nd = c == 0 ? 2 : 3;
    int64_t shape[3] = {7, 5, c};
    cv_tensor t, back;
    cv_tensor_alloc(&t, CV_UINT8, nd, shape);
    for (int64_t i = 0; i < t.numel; i++) cv_tensor_u8(&t)[i] = (uint8_t)rnd();
    CHECK(cv_image_save_png(path, &t) == CV_OK, "save %d channels: %s", c, cv_last_error());
    CHECK(cv_image_load(&back, path, 0) == CV_OK, "load back: %s", cv_last_error());
    CHECK(back.shape[0] == 7 && back.shape[1] == 5 && back.shape[2] == (c ? c : 1) &&
              memcmp(cv_tensor_u8(&t), cv_tensor_u8(&back), (size_t)t.numel) == 0,
          "round trip with %d channels", c);
    cv_tensor_release(&t);
    cv_tensor_release(&back);
  }
  remove(path);
  int64_t bad_shape[3] = {2, 2, 5};
  cv_tensor t;
  cv_tensor_alloc(&t, CV_UINT8, 3, bad_shape);
  CHECK(cv_image_save_png(path, &t) == CV_ESHAPE, "5 channels refused");
  cv_tensor_release(&t);
  cv_tensor_alloc(&t, CV_FLOAT32, 2, bad_shape);
  CHECK(cv_image_save_png(path, &t) == CV_EDTYPE, "float32 refused by the core");
  cv_tensor_release(&t);
  cv_tensor_alloc(&t, CV_UINT8, 2, bad_shape);
  CHECK(cv_image_save_png("/nonexistent_dir/x.png", &t) == CV_EIO, "unwritable path");
  CHECK(strstr(cv_last_error(), "/nonexistent_dir/x.png: ") != NULL, "names the path");
  cv_tensor_release(&t);
}

static void test_resize(void) {
  /* 2x2 -> 4x4: half-pixel centres give 0 1 3 4 along each axis for [0 4] */
  int64_t s[3] = {2, 2, 1};
  cv_tensor x, y;
  cv_tensor_alloc(&x, CV_FLOAT32, 3, s);
  float v[4] = {0, 4, 8, 12};
  memcpy(cv_tensor_f32(&x), v, sizeof v);
  CHECK(cv_image_resize_bilinear(&y, &x, 4, 4) == CV_OK, "resize");
  float want[16] = {0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12};
  for (int i = 0; i < 16; i++) CHECK_CLOSE(cv_tensor_f32(&y)[i], want[i], 1e-6, 0, "2x2->4x4");
  cv_tensor_release(&y);
  CHECK(cv_image_resize_nearest(&y, &x, 1, 4) == CV_OK && cv_tensor_f32(&y)[2] == 12.0f, "nearest");
  cv_tensor_release(&y);
  CHECK(cv_image_resize_bilinear(&y, &x, 0, 4) == CV_EINVAL && !y.storage, "size 0 refused");
  cv_tensor_release(&x);

  /* fast vs _ref on awkward shapes, uint8 and float32, batches */
  int worst = 0;
  for (int trial = 0; trial < 40; trial++) {
    int64_t shape[4] = {1 + rnd() % 3, 1 + rnd() % 9, 1 + rnd() % 9, 1 + rnd() % 4};
    int nd = 2 + trial % 3;
    const int64_t *sh = nd == 4 ? shape : shape + 1;
    cv_dtype dt = trial % 2 ? CV_UINT8 : CV_FLOAT32;
    cv_tensor_alloc(&x, dt, nd, sh);
    for (int64_t i = 0; i < x.numel; i++) {
      if (dt == CV_UINT8) cv_tensor_u8(&x)[i] = (uint8_t)rnd();
      else cv_tensor_f32(&x)[i] = (float)(rnd() % 10000) / 37.0f;
    }
    int oh = 1 + rnd() % 17, ow = 1 + rnd() % 17;
    cv_tensor a, b;
    CHECK(cv_image_resize_bilinear(&a, &x, oh, ow) == CV_OK, "fast: %s", cv_last_error());
    CHECK(cv_image_resize_bilinear_ref(&b, &x, oh, ow) == CV_OK, "ref");
    CHECK(a.numel == b.numel && a.ndim == nd && a.dtype == CV_FLOAT32, "shapes agree");
    for (int64_t i = 0; i < a.numel; i++)
      if (cv_tensor_f32(&a)[i] != cv_tensor_f32(&b)[i]) worst++;
    cv_tensor_release(&a);
    cv_tensor_release(&b);
    cv_tensor_release(&x);
  }
  CHECK(worst == 0, "fast and ref differ in %d elements", worst);
}

static void test_convert(void) {
  int64_t s[2] = {1, 3};
  cv_tensor x, y;
  cv_tensor_alloc(&x, CV_FLOAT32, 2, s);
  float v[3] = {NAN, -1.0f, 254.5f};
  memcpy(cv_tensor_f32(&x), v, sizeof v);
  CHECK(cv_image_to_u8(&y, &x) == CV_OK, "to_u8");
  CHECK(cv_tensor_u8(&y)[0] == 0 && cv_tensor_u8(&y)[1] == 0 && cv_tensor_u8(&y)[2] == 255,
        "NaN -> 0, clamp, round");
  cv_tensor_release(&y);
  CHECK(cv_image_rgb_to_gray(&y, &x) == CV_OK && y.ndim == 2 && y.shape[1] == 1, "rgb->gray");
  cv_tensor_release(&y);
  CHECK(cv_image_gray_to_rgb(&y, &x) == CV_ESHAPE && !y.storage, "gray_to_rgb needs 1 channel");
  cv_tensor_release(&x);
}

static void *decode_many(void *arg) {
  long *bad = (long *)arg;
  for (int i = 0; i < 40; i++) {
    cv_tensor t;
    const char *f = i % 2 ? DIR "rgb16x16.png" : DIR "rgb16x16.gif";
    if (cv_image_load(&t, f, 0) != CV_OK || !pix_is(&t, 15, 15, 10, 20, 30)) (*bad)++;
    cv_tensor_release(&t);
    if (cv_image_load(&t, DIR "truncated.png", 0) == CV_OK ||
        strstr(cv_last_error(), "truncated PNG data") == NULL)
      (*bad)++;
  }
  return NULL;
}

static void test_threads(void) {
  pthread_t th[3];
  long bad[3] = {0, 0, 0};
  for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, decode_many, &bad[i]);
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  CHECK(bad[0] + bad[1] + bad[2] == 0, "threads: %ld bad decodes", bad[0] + bad[1] + bad[2]);
}

int main(void) {
  test_fixtures();
  test_errors();
  test_fuzz();
  test_roundtrip();
  test_resize();
  test_convert();
  test_threads();
  CTEST_END("image");
}
