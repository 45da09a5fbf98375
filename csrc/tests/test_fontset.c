/* test_fontset.c - the font-outline evaluation set (data/fontset.c): the separable blur and the
 * row-run morphology against their one-pixel-at-a-time references on awkward sizes (1x1, one row,
 * one column, width below the kernel), and, with a Debian CJK font, a render that is the same for
 * the same seed, different for another, the same in 1 or 3 threads through the file writer, and
 * errors that name the font file and the character. */
#include "ctest.h"
#include "data/fontset.h"
#include "base/random.h"
#include "base/threadpool.h"
#include "io/image.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const font_paths[] = {
  "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
  "/usr/share/fonts/truetype/arphic/uming.ttc",
  "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
};

static float maxdiff(const float *a, const float *b, size_t n) {
  float m = 0;
  for (size_t i = 0; i < n; i++) {
    float d = fabsf(a[i] - b[i]);
    if (d > m) m = d;
  }
  return m;
}

static void test_kernels(void) {
  cv_rng r;
  cv_rng_init(&r, 11);
  const int sizes[][2] = {{1, 1}, {1, 7}, {9, 1}, {5, 3}, {17, 23}, {40, 31}, {2, 64}};
  const float sigmas[] = {0.3f, 1.0f, 2.5f, 7.0f};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int h = sizes[s][0], w = sizes[s][1];
    size_t n = (size_t)h * w;
    float *src = malloc(n * sizeof *src), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b),
          *tmp = malloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++) src[i] = cv_rng_next_uniform(&r) < 0.4f ? cv_rng_next_uniform(&r) : 0.0f;
    for (size_t k = 0; k < sizeof sigmas / sizeof sigmas[0]; k++) {
      cv_fontsample_blur(a, src, h, w, sigmas[k], tmp);
      cv_fontsample_blur_ref(b, src, h, w, sigmas[k]);
      CHECK(maxdiff(a, b, n) < 1e-5f, "blur %dx%d sigma %g: %g off the reference", h, w, sigmas[k], maxdiff(a, b, n));
    }
    for (int rad = -3; rad <= 3; rad++) {
      cv_fontsample_morph(a, src, h, w, rad);
      cv_fontsample_morph_ref(b, src, h, w, rad);
      CHECK(maxdiff(a, b, n) == 0.0f, "morph %dx%d radius %d: %g off the reference", h, w, rad, maxdiff(a, b, n));
    }
    free(src); free(a); free(b); free(tmp);
  }
  /* a blur keeps a constant image, a dilation of one dot is the disk */
  float c[12], d[12], t[12];
  for (int i = 0; i < 12; i++) c[i] = 0.5f;
  cv_fontsample_blur(d, c, 3, 4, 1.5f, t);
  CHECK(maxdiff(c, d, 12) < 1e-6f, "blur of a constant");
  float dot[25] = {0}, disk[25];
  dot[12] = 1;
  cv_fontsample_morph(disk, dot, 5, 5, 1);
  int ones = 0;
  for (int i = 0; i < 25; i++) ones += disk[i] == 1.0f;
  CHECK(ones == 5 && disk[7] == 1 && disk[11] == 1 && disk[6] == 0, "radius-1 disk is a plus (%d ones)", ones);
}

static int same_tensor(const cv_tensor *a, const cv_tensor *b) {
  return a->ndim == b->ndim && a->shape[0] == b->shape[0] && a->shape[1] == b->shape[1] &&
         memcmp(cv_tensor_u8(a), cv_tensor_u8(b), (size_t)a->numel) == 0;
}

static void test_font(const char *path) {
  cv_glyph_font *f;
  CHECK(cv_glyph_font_open(&f, path, 0) == CV_OK, "open %s: %s", path, cv_last_error());
  if (!f) return;
  uint32_t guo = 0x56FD;   /* 国 */
  CHECK(cv_glyph_font_has(f, guo), "%s has 国", path);
  CHECK(!cv_glyph_font_has(f, 0x10FFFD), "%s has no private-use U+10FFFD", path);
  cv_tensor a = {0}, b = {0}, c = {0};
  uint64_t s1 = cv_fontsample_seed(3, "x", guo, 1), s2 = cv_fontsample_seed(3, "x", guo, 2);
  CHECK(s1 != s2 && s1 != cv_fontsample_seed(4, "x", guo, 1) && s1 != cv_fontsample_seed(3, "y", guo, 1),
        "seeds differ by index, seed and font name");
  CHECK(cv_fontsample_render(&a, f, guo, s1) == CV_OK, "render: %s", cv_last_error());
  CHECK(cv_fontsample_render(&b, f, guo, s1) == CV_OK, "render again");
  CHECK(cv_fontsample_render(&c, f, guo, s2) == CV_OK, "render another");
  if (a.storage && b.storage && c.storage) {
    CHECK(a.dtype == CV_UINT8 && a.ndim == 3 && a.shape[2] == 1, "uint8 (H,W,1)");
    CHECK(a.shape[0] >= 40 && a.shape[0] <= 140 && a.shape[1] >= 30 && a.shape[1] <= 140,
          "crop size %lldx%lld", (long long)a.shape[0], (long long)a.shape[1]);
    CHECK(same_tensor(&a, &b), "same seed, same bytes");
    CHECK(!same_tensor(&a, &c), "other seed, other bytes");
    int lo = 255, hi = 0;
    for (int64_t i = 0; i < a.numel; i++) {
      int v = cv_tensor_u8(&a)[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    CHECK(lo < 100 && hi > 200, "dark ink (%d) on light paper (%d)", lo, hi);
  }
  cv_tensor_release(&b);
  cv_tensor_release(&c);
  /* errors name the font file and the code point */
  CHECK(cv_fontsample_render(&b, f, 0x10FFFD, s1) == CV_EINVAL && strstr(cv_last_error(), path) &&
        strstr(cv_last_error(), "U+10FFFD"), "missing glyph: %s", cv_last_error());
  CHECK(cv_fontsample_render(&a, f, guo, s1) == CV_EINVAL, "a non-empty output is refused");

  /* the file writer: the file holds the render; 1 and 3 threads give the same bytes */
  char dir[] = "/tmp/test_fontset_XXXXXX";
  if (mkdtemp(dir)) {
    char p1[64], p2[64];
    snprintf(p1, sizeof p1, "%s/a.png", dir);
    snprintf(p2, sizeof p2, "%s/b.png", dir);
    cv_fontsample_job jobs[6];
    char paths[6][64];
    for (int i = 0; i < 6; i++) {
      snprintf(paths[i], sizeof paths[i], "%s/j%d.png", dir, i);
      jobs[i] = (cv_fontsample_job){0, guo + (uint32_t)(i % 2), cv_fontsample_seed(3, "x", guo, i + 1), paths[i]};
    }
    jobs[0].path = p1;
    jobs[0].seed = s1;
    cv_glyph_font *fonts[1] = {f};
    int threads = cv_get_num_threads();
    cv_set_num_threads(1);
    CHECK(cv_fontsample_generate(fonts, 1, jobs, 6) == CV_OK, "generate: %s", cv_last_error());
    cv_tensor one = {0}, three = {0};
    CHECK(cv_image_load(&one, paths[5], 1) == CV_OK, "read back");
    cv_set_num_threads(3);
    jobs[5].path = p2;
    CHECK(cv_fontsample_generate(fonts, 1, jobs, 6) == CV_OK, "generate in 3 threads");
    cv_set_num_threads(threads);
    CHECK(cv_image_load(&three, p2, 1) == CV_OK, "read back");
    if (one.storage && three.storage) CHECK(same_tensor(&one, &three), "1 and 3 threads, same bytes");
    cv_tensor_release(&one);
    cv_tensor_release(&three);
    CHECK(cv_image_load(&one, p1, 1) == CV_OK && a.storage && same_tensor(&one, &a), "the file is the render");
    cv_tensor_release(&one);
    /* a job whose glyph is missing stops everything before a file is written */
    char p3[64];
    snprintf(p3, sizeof p3, "%s/missing.png", dir);
    cv_fontsample_job bad[2] = {{0, guo, 1, paths[0]}, {0, 0x10FFFD, 1, p3}};
    CHECK(cv_fontsample_generate(fonts, 1, bad, 2) == CV_EINVAL && strstr(cv_last_error(), "missing.png"),
          "missing glyph in a job: %s", cv_last_error());
    CHECK(access(p3, F_OK) != 0, "nothing written for it");
    cv_fontsample_job badfont[1] = {{1, guo, 1, p3}};
    CHECK(cv_fontsample_generate(fonts, 1, badfont, 1) == CV_EINVAL, "font number out of range");
    for (int i = 0; i < 6; i++) remove(paths[i]);
    remove(p1); remove(p2);
    rmdir(dir);
  }
  cv_tensor_release(&a);
  cv_glyph_font_close(f);
}

int main(void) {
  test_kernels();
  cv_glyph_font *f;
  CHECK(cv_glyph_font_open(&f, "/nonexistent/font.ttf", 0) == CV_EIO && !f &&
        strstr(cv_last_error(), "/nonexistent/font.ttf"), "missing file: %s", cv_last_error());
  int tested = 0;
  for (size_t i = 0; i < sizeof font_paths / sizeof font_paths[0]; i++)
    if (access(font_paths[i], R_OK) == 0) { test_font(font_paths[i]); tested++; }
  CHECK(tested > 0, "no CJK font installed (make deps installs fonts-wqy-microhei)");
  CTEST_END("fontset");
}
