/* test_hanzi.c - the handwriting renderer: valid images, determinism, writer/sample dependence,
 * and the threaded generator writing files. */
#include "ctest.h"
#include "data/hanzi.h"
#include "io/image.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 人: two strokes (hanzi-writer-data medians) */
static const int np[2] = {9, 8};
static const float xy[] = {483, 736, 508, 702, 511, 678, 473, 552, 408, 416, 328, 303, 271, 244, 144, 139,
                           72, 95, 474, 477, 477, 459, 490, 439, 571, 333, 691, 200, 753, 145, 798, 119,
                           986, 90};

static int same(const cv_tensor *a, const cv_tensor *b) {
  return a->numel == b->numel && a->shape[0] == b->shape[0] && a->shape[1] == b->shape[1] &&
         memcmp(cv_tensor_u8(a), cv_tensor_u8(b), (size_t)a->numel) == 0;
}

int main(void) {
  cv_hanzi_glyph g = {2, np, xy, NULL};
  cv_tensor a = {0}, b = {0}, c = {0}, d = {0};
  CHECK(cv_hanzi_render(&a, &g, 1, 2) == CV_OK, "render: %s", cv_last_error());
  CHECK(a.ndim == 3 && a.shape[2] == 1 && a.dtype == CV_UINT8, "shape");
  /* 40 writers: CASIA-like sizes (a wide character is written lower), dark ink on a light page for
   * nearly all (a few write faintly: pencil, a thin pen under blur) */
  int inked = 0;
  for (uint64_t wr = 1; wr <= 40; wr++) {
    cv_tensor t = {0};
    CHECK(cv_hanzi_render(&t, &g, wr, 2) == CV_OK, "render: %s", cv_last_error());
    CHECK(t.shape[0] >= 20 && t.shape[0] <= 130 && t.shape[1] >= 12 && t.shape[1] <= 140,
          "writer %d: size %lld x %lld", (int)wr, (long long)t.shape[0], (long long)t.shape[1]);
    int dark = 0, light = 0;
    for (int64_t i = 0; i < t.numel; i++) {
      if (cv_tensor_u8(&t)[i] < 128) dark++;
      if (cv_tensor_u8(&t)[i] > 180) light++;
    }
    CHECK(light > t.numel / 2, "writer %d: a light page: %d light of %lld", (int)wr, light, (long long)t.numel);
    inked += dark > 20;
    cv_tensor_release(&t);
  }
  CHECK(inked >= 34, "dark ink for most writers: %d of 40", inked);
  CHECK(cv_hanzi_render(&b, &g, 1, 2) == CV_OK && same(&a, &b), "same seeds, same image");
  CHECK(cv_hanzi_render(&c, &g, 1, 3) == CV_OK && !same(&a, &c), "another sample seed differs");
  CHECK(cv_hanzi_render(&d, &g, 7, 2) == CV_OK && !same(&a, &d), "another writer differs");
  cv_tensor_release(&a); cv_tensor_release(&b); cv_tensor_release(&c); cv_tensor_release(&d);

  cv_hanzi_glyph empty = {0, NULL, NULL, NULL};
  CHECK(cv_hanzi_render(&a, &empty, 1, 1) != CV_OK && a.storage == NULL, "an empty glyph fails cleanly");

  CHECK(cv_hanzi_seed(1, 2) != cv_hanzi_seed(2, 1), "seed hash is not symmetric");
  CHECK(cv_hanzi_seed(1, 2) == cv_hanzi_seed(1, 2), "seed hash is a function");

  /* the generator writes PNGs that decode to what render gives */
  char dir[] = "/tmp/cvision_hanzi_XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  char p1[128], p2[128];
  snprintf(p1, sizeof p1, "%s/a.png", dir);
  snprintf(p2, sizeof p2, "%s/b.png", dir);
  cv_hanzi_job jobs[2] = {{0, 4, 99, p1}, {0, 5, 100, p2}};
  CHECK(cv_hanzi_generate(&g, 1, jobs, 2, 11) == CV_OK, "generate: %s", cv_last_error());
  CHECK(cv_image_load(&a, p1, 1) == CV_OK, "load: %s", cv_last_error());
  CHECK(cv_hanzi_render(&b, &g, cv_hanzi_seed(11, 4), 99) == CV_OK && same(&a, &b), "file matches render");
  cv_tensor_release(&a); cv_tensor_release(&b);
  cv_hanzi_job badjob = {0, 1, 1, "/nonexistent-dir/x.png"};
  CHECK(cv_hanzi_generate(&g, 1, &badjob, 1, 1) != CV_OK && strstr(cv_last_error(), "/nonexistent-dir/x.png"),
        "a failed write names the file: %s", cv_last_error());
  cv_hanzi_job badglyph = {3, 1, 1, p1};
  CHECK(cv_hanzi_generate(&g, 1, &badglyph, 1, 1) != CV_OK, "a bad glyph index fails");
  remove(p1);
  remove(p2);
  rmdir(dir);
  CTEST_END("hanzi");
}
