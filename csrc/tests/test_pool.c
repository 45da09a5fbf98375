/* test_pool.c - max/avg/global pooling against per-output naive loops written here, finite-difference
 * gradients of all three, argmax layout, and zero padding (nn/padding.c) forward/backward. */
#include "nn_check.h"
#include <float.h>
#include <stdlib.h>

typedef struct { int N, H, W, C, ph, pw, sh, sw, same; } pool_case;

typedef struct pool_ctx {
  cv_tensor *y, *x, *r;
  cv_pool2d_params p;
  int avg;
} pool_ctx;

static double pool_obj(void *vc) {
  pool_ctx *c = vc;
  if (c->avg) cv_avgpool2d_forward(c->y, c->x, &c->p);
  else cv_maxpool2d_forward(c->y, NULL, c->x, &c->p);
  return tdot(c->y, c->r);
}

/* x with distinct values 0.01 apart in random order, so finite differences never cross a tie */
static void fill_distinct(cv_tensor *x) {
  float *p = cv_tensor_f32(x);
  int64_t n = x->numel;
  for (int64_t i = 0; i < n; i++) p[i] = (float)(i - n / 2) * 0.01f;
  for (int64_t i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)cv_rng_below((uint64_t)i + 1);
    float t = p[i]; p[i] = p[j]; p[j] = t;
  }
}

static void run_case(const pool_case *k) {
  char name[128];
  snprintf(name, sizeof name, "pool N%d H%d W%d C%d P%dx%d s%d,%d %s", k->N, k->H, k->W, k->C, k->ph,
           k->pw, k->sh, k->sw, k->same ? "same" : "valid");
  int OH, OW, pt, pl;
  CHECK(cv_conv_out_size(&OH, &pt, k->H, k->ph, k->sh, k->same) == CV_OK, "%s: size", name);
  CHECK(cv_conv_out_size(&OW, &pl, k->W, k->pw, k->sw, k->same) == CV_OK, "%s: size", name);
  cv_pool2d_params p = {k->ph, k->pw, k->sh, k->sw, pt, pl};
  cv_tensor x = tz(4, k->N, k->H, k->W, k->C), y = tz(4, k->N, OH, OW, k->C), ya = tlike(&y);
  cv_tensor r = tlike(&y), dx = tlike(&x), e = tlike(&y), ea = tlike(&y);
  int64_t ashape[4] = {k->N, OH, OW, k->C};
  cv_tensor am;
  cv_tensor_alloc(&am, CV_UINT8, 4, ashape);
  fill_distinct(&x);
  tfill_uniform(&r, -1, 1);
  CHECK(cv_maxpool2d_forward(&y, &am, &x, &p) == CV_OK, "%s: max: %s", name, cv_last_error());
  CHECK(cv_avgpool2d_forward(&ya, &x, &p) == CV_OK, "%s: avg: %s", name, cv_last_error());
  /* naive expectations, window clipped to the image; the argmax must point at the maximum */
  const float *xp = cv_tensor_f32(&x);
  int argbad = 0;
  for (int n = 0; n < k->N; n++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++)
        for (int c = 0; c < k->C; c++) {
          float mx = -FLT_MAX;
          double s = 0;
          int cnt = 0;
          for (int i = 0; i < k->ph; i++)
            for (int j = 0; j < k->pw; j++) {
              int h = oh * k->sh - pt + i, w = ow * k->sw - pl + j;
              if (h < 0 || h >= k->H || w < 0 || w >= k->W) continue;
              float v = xp[((n * k->H + h) * k->W + w) * k->C + c];
              if (v > mx) mx = v;
              s += v;
              cnt++;
            }
          int64_t o = ((n * OH + oh) * OW + ow) * k->C + c;
          cv_tensor_f32(&e)[o] = mx;
          cv_tensor_f32(&ea)[o] = (float)(s / cnt);
          int a = cv_tensor_u8(&am)[o];
          int h = oh * k->sh - pt + a / k->pw, w = ow * k->sw - pl + a % k->pw;
          argbad += h < 0 || h >= k->H || w < 0 || w >= k->W || xp[((n * k->H + h) * k->W + w) * k->C + c] != mx;
        }
  CHECK(tclose(&y, &e, 1e-12, 0) <= 1, "%s: max vs naive", name);
  CHECK(tclose(&ya, &ea, 1e-6, 1e-5) <= 1, "%s: avg vs naive", name);
  CHECK(argbad == 0, "%s: %d argmax entries do not point at the maximum", name, argbad);
  /* gradients by finite differences (h well below the 0.01 gaps) */
  tfill_uniform(&dx, 3, 4);
  CHECK(cv_maxpool2d_backward(&dx, &r, &am, &p) == CV_OK, "%s: max backward", name);
  pool_ctx c = {&e, &x, &r, p, 0};
  CHECK(fd_check("max dx", pool_obj, &c, &x, &dx, 60, 1e-3, 2e-3, 1e-2) == 0, "%s: max finite differences", name);
  tfill_uniform(&dx, 3, 4);
  CHECK(cv_avgpool2d_backward(&dx, &r, &p) == CV_OK, "%s: avg backward", name);
  c.avg = 1;
  CHECK(fd_check("avg dx", pool_obj, &c, &x, &dx, 60, 1e-3, 2e-3, 1e-2) == 0, "%s: avg finite differences", name);
  cv_tensor *all[] = {&x, &y, &ya, &r, &dx, &e, &ea, &am};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

static double gap_obj(void *vc) {
  cv_tensor **t = vc;
  cv_global_avgpool_forward(t[0], t[1]);
  return tdot(t[0], t[2]);
}

static void test_global(void) {
  cv_tensor x = tz(4, 3, 5, 4, 6), y = tz(2, 3, 6), r = tz(2, 3, 6), dx = tlike(&x);
  tfill_uniform(&x, -1, 1);
  tfill_uniform(&r, -1, 1);
  CHECK(cv_global_avgpool_forward(&y, &x) == CV_OK, "gap forward");
  double s = 0;
  for (int i = 0; i < 20; i++) s += cv_tensor_f32(&x)[(1 * 20 + i) * 6 + 2];
  CHECK_CLOSE(cv_tensor_f32(&y)[1 * 6 + 2], s / 20, 1e-6, 1e-5, "gap value");
  CHECK(cv_global_avgpool_backward(&dx, &r) == CV_OK, "gap backward");
  cv_tensor *ctx[3] = {&y, &x, &r};
  CHECK(fd_check("gap dx", gap_obj, ctx, &x, &dx, 50, 1e-2, 1e-3, 1e-2) == 0, "gap finite differences");
  cv_tensor bad = tz(2, 3, 5);
  CHECK(cv_global_avgpool_forward(&bad, &x) == CV_ESHAPE, "gap shape refused: %s", cv_last_error());
  cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&r); cv_tensor_release(&dx);
  cv_tensor_release(&bad);
}

static void test_messages(void) {
  cv_tensor x = tz(4, 1, 4, 4, 2), y = tz(4, 1, 2, 2, 3);
  cv_pool2d_params p = {2, 2, 2, 2, 0, 0};
  CHECK(cv_maxpool2d_forward(&y, NULL, &x, &p) == CV_ESHAPE, "channel mismatch refused");
  CHECK(strstr(cv_last_error(), "(1, 2, 2, 3)") && strstr(cv_last_error(), "(1, 4, 4, 2)"), "%s", cv_last_error());
  cv_tensor y2 = tz(4, 1, 2, 2, 2);
  cv_pool2d_params big = {16, 16, 1, 1, 0, 0};
  CHECK(cv_maxpool2d_forward(&y2, NULL, &x, &big) == CV_EINVAL, "window > 255 refused");
  cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&y2);
}

static void test_zeropad(void) {
  cv_tensor x = tz(4, 2, 3, 2, 3), y = tz(4, 2, 6, 5, 3), dx = tlike(&x);
  tfill_uniform(&x, -1, 1);
  tfill_uniform(&y, 5, 6);
  CHECK(cv_zeropad2d_forward(&y, &x, 1, 2) == CV_OK, "zeropad forward: %s", cv_last_error());
  int bad = 0;
  double sum = 0;
  for (int n = 0; n < 2; n++)
    for (int h = 0; h < 6; h++)
      for (int w = 0; w < 5; w++)
        for (int c = 0; c < 3; c++) {
          float v = cv_tensor_f32(&y)[((n * 6 + h) * 5 + w) * 3 + c];
          int in = h >= 1 && h < 4 && w >= 2 && w < 4;
          float e = in ? cv_tensor_f32(&x)[((n * 3 + h - 1) * 2 + w - 2) * 3 + c] : 0.0f;
          bad += v != e;
          sum += v;
        }
  CHECK(bad == 0, "zeropad values (%d wrong)", bad);
  CHECK(cv_zeropad2d_backward(&dx, &y, 1, 2) == CV_OK, "zeropad backward");
  CHECK(tclose(&dx, &x, 1e-12, 0) <= 1, "zeropad backward crops back");
  CHECK(cv_zeropad2d_forward(&y, &x, 4, 0) == CV_ESHAPE, "zeropad too large offset refused");
  cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&dx);
}

int main(void) {
  cv_rng_seed(99);
  static const pool_case cases[] = {
    /* N  H  W  C ph pw sh sw same */
    {2, 4, 4, 3, 2, 2, 2, 2, 0},
    {1, 5, 5, 1, 2, 2, 2, 2, 1},    /* odd size, same: padding after */
    {2, 7, 6, 2, 3, 3, 2, 2, 1},
    {1, 6, 7, 2, 3, 3, 1, 1, 1},
    {2, 5, 4, 3, 3, 2, 1, 2, 0},
    {1, 2, 3, 2, 4, 4, 1, 1, 1},    /* smaller than the window, same */
    {3, 9, 9, 1, 3, 3, 3, 3, 0},
    {1, 1, 1, 4, 2, 2, 2, 2, 1},
    {2, 8, 8, 5, 1, 1, 1, 1, 0},
    /* channels a multiple of 8: the AVX2 kernels (tiled, remainder rows/cols, overlapping, gaps) */
    {2, 8, 6, 8, 2, 2, 2, 2, 0},
    {2, 5, 7, 16, 2, 2, 2, 2, 0},
    {1, 8, 8, 16, 4, 4, 4, 4, 0},
    {1, 7, 7, 8, 3, 3, 2, 2, 0},
    {1, 6, 9, 24, 2, 3, 3, 3, 0},
    {1, 5, 5, 8, 2, 2, 2, 2, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
  test_global();
  test_messages();
  test_zeropad();
  CTEST_END("pool");
}
