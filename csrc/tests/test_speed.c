/* test_speed.c - the fast paths of issue 6 against their references: conv2d with the fused ReLU
 * (forward and backward) against the _ref twins plus a separate activation, on random and awkward
 * shapes; max pooling's AVX2 kernels against the portable loops bit for bit (ties and NaN
 * included); Adam's AVX2 loop against the portable one bit for bit; and every threaded kernel
 * giving bit-identical results at 1, 2 and 3 threads. */
#include "nn_check.h"
#include "base/cpu.h"
#include <stdlib.h>

typedef struct { int N, H, W, C, KH, KW, F, sh, sw, same; } conv_case;

static const conv_case conv_cases[] = {
  /* N  H  W  C KH KW  F sh sw same */
  {3, 9, 7, 1, 3, 3, 16, 1, 1, 1},   /* first layer: one channel */
  {9, 6, 5, 3, 3, 3, 5, 1, 1, 0},    /* 9 samples: chunks of 2, the last one short */
  {2, 6, 6, 4, 1, 1, 3, 1, 1, 0},    /* 1x1 shortcut */
  {2, 9, 7, 2, 3, 3, 17, 2, 2, 1},   /* stride 2, odd filter count */
  {2, 2, 3, 2, 5, 5, 3, 1, 1, 1},    /* image smaller than the kernel */
  {1, 1, 1, 5, 3, 3, 2, 1, 1, 1},
  {33, 10, 8, 16, 3, 3, 32, 1, 1, 1}, /* lecture-like, batch not a multiple of 8 */
  /* implicit GEMM (stride 1, AVX2): two K slices and a partial filter panel; no padding (the
   * input read in place); an even kernel */
  {3, 12, 20, 32, 3, 3, 20, 1, 1, 1},
  {2, 9, 18, 16, 3, 3, 16, 1, 1, 0},
  {2, 10, 19, 4, 2, 2, 8, 1, 1, 0},
  {2, 7, 30, 3, 5, 5, 24, 1, 1, 1},
  {2, 6, 9, 48, 3, 3, 16, 1, 1, 1},   /* K = 432: two slices of 216 */
  {2, 20, 24, 8, 3, 3, 16, 1, 1, 1},  /* 480 pixels: dW over two slices */
  /* dx by columns (dz @ w^T, then col2im): "valid" padding, Fashion's conv2 with a short last
   * chunk; few channels (C < 8); K = 320 columns (a partial panel) */
  {5, 13, 13, 32, 3, 3, 64, 1, 1, 0},
  {3, 8, 11, 5, 3, 2, 24, 1, 1, 0},
  {2, 9, 10, 20, 4, 4, 12, 1, 1, 0},
};

/* y = relu(conv(x) + b) and its gradients, against ref conv then a separate ReLU */
static void conv_relu_case(const conv_case *k) {
  char name[160];
  snprintf(name, sizeof name, "conv+relu N%d H%d W%d C%d K%dx%d F%d s%d,%d %s", k->N, k->H, k->W,
           k->C, k->KH, k->KW, k->F, k->sh, k->sw, k->same ? "same" : "valid");
  int OH, OW, pt, pl;
  cv_conv_out_size(&OH, &pt, k->H, k->KH, k->sh, k->same);
  cv_conv_out_size(&OW, &pl, k->W, k->KW, k->sw, k->same);
  cv_tensor x = tz(4, k->N, k->H, k->W, k->C), w = tz(4, k->KH, k->KW, k->C, k->F), b = tz(1, k->F);
  cv_tensor y = tz(4, k->N, OH, OW, k->F), z = tlike(&y), yr = tlike(&y), g = tlike(&y), gz = tlike(&y);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1); tfill_uniform(&g, -1, 1);
  cv_conv2d_params p = {k->sh, k->sw, pt, pl};
  CHECK(cv_conv2d_forward_act(&y, &x, &w, &b, &p, CV_ACT_RELU) == CV_OK, "%s: %s", name, cv_last_error());
  cv_conv2d_forward_ref(&z, &x, &w, &b, &p);
  cv_activation_forward(&yr, &z, CV_ACT_RELU, 0);
  CHECK(tclose(&y, &yr, 1e-4, 1e-4) <= 1, "%s: forward vs ref + relu", name);
  cv_tensor dx = tlike(&x), dx2 = tlike(&x), dw = tlike(&w), dw2 = tlike(&w), db = tlike(&b), db2 = tlike(&b);
  tfill_uniform(&dw, -1, 1); tcopy(&dw2, &dw); tfill_uniform(&db, -1, 1); tcopy(&db2, &db);
  CHECK(cv_conv2d_backward_act(&dx, &dw, &db, &g, &y, &x, &w, &p, CV_ACT_RELU) == CV_OK, "%s: backward: %s",
        name, cv_last_error());
  cv_activation_backward(&gz, &g, &z, NULL, CV_ACT_RELU, 0);
  cv_conv2d_backward_ref(&dx2, &dw2, &db2, &gz, &x, &w, &p);
  CHECK(tclose(&dx, &dx2, 1e-4, 1e-4) <= 1, "%s: dx vs ref", name);
  CHECK(tclose(&dw, &dw2, 1e-4, 1e-4) <= 1, "%s: dw vs ref", name);
  CHECK(tclose(&db, &db2, 1e-4, 1e-4) <= 1, "%s: db vs ref", name);
  /* the same through the portable paths (OpenBLAS, no SIMD) */
  cv_cpu_force_portable(1);
  cv_tensor y3 = tlike(&y), dx3 = tlike(&x), dw3 = tz(4, k->KH, k->KW, k->C, k->F), db3 = tz(1, k->F);
  tcopy(&dw3, &dw2); tcopy(&db3, &db2);
  cv_tensor dwz = tz(4, k->KH, k->KW, k->C, k->F), dbz = tz(1, k->F), dwz2 = tlike(&dwz), dbz2 = tlike(&dbz);
  memset(cv_tensor_f32(&dwz), 0, (size_t)dwz.numel * 4); memset(cv_tensor_f32(&dbz), 0, (size_t)dbz.numel * 4);
  memset(cv_tensor_f32(&dwz2), 0, (size_t)dwz2.numel * 4); memset(cv_tensor_f32(&dbz2), 0, (size_t)dbz2.numel * 4);
  CHECK(cv_conv2d_forward_act(&y3, &x, &w, &b, &p, CV_ACT_RELU) == CV_OK, "%s: portable forward", name);
  CHECK(tclose(&y3, &yr, 1e-4, 1e-4) <= 1, "%s: portable forward vs ref", name);
  CHECK(cv_conv2d_backward_act(&dx3, &dwz, &dbz, &g, &y3, &x, &w, &p, CV_ACT_RELU) == CV_OK, "%s: portable backward", name);
  cv_cpu_force_portable(0);
  cv_conv2d_backward_ref(NULL, &dwz2, &dbz2, &gz, &x, &w, &p);
  CHECK(tclose(&dx3, &dx2, 1e-4, 1e-4) <= 1, "%s: portable dx vs ref", name);
  CHECK(tclose(&dwz, &dwz2, 1e-4, 1e-4) <= 1, "%s: portable dw vs ref", name);
  CHECK(tclose(&dbz, &dbz2, 1e-4, 1e-4) <= 1, "%s: portable db vs ref", name);
  /* weights only (a model's first layer): the fast path without dx */
  memset(cv_tensor_f32(&dwz), 0, (size_t)dwz.numel * 4); memset(cv_tensor_f32(&dbz), 0, (size_t)dbz.numel * 4);
  CHECK(cv_conv2d_backward_act(NULL, &dwz, &dbz, &g, &y, &x, &w, &p, CV_ACT_RELU) == CV_OK, "%s: dw only", name);
  CHECK(tclose(&dwz, &dwz2, 1e-4, 1e-4) <= 1, "%s: dw only vs ref", name);
  CHECK(tclose(&dbz, &dbz2, 1e-4, 1e-4) <= 1, "%s: db only vs ref", name);
  /* linear is refused nothing; other fused activations are refused */
  CHECK(cv_conv2d_forward_act(&y, &x, &w, &b, &p, CV_ACT_TANH) == CV_EINVAL, "%s: tanh not fused", name);
  CHECK(cv_conv2d_backward_act(&dx, NULL, NULL, &g, NULL, &x, &w, &p, CV_ACT_RELU) != CV_OK, "%s: relu needs y", name);
  cv_tensor *all[] = {&x, &w, &b, &y, &z, &yr, &g, &gz, &dx, &dx2, &dw, &dw2, &db, &db2, &y3, &dx3, &dw3,
                      &db3, &dwz, &dbz, &dwz2, &dbz2};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

/* values from {-1, 0, 1} so windows have ties, and a few NaN */
static void fill_ties(cv_tensor *t, int nans) {
  float *p = cv_tensor_f32(t);
  for (int64_t i = 0; i < t->numel; i++) p[i] = (float)((int)cv_rng_below(3) - 1);
  for (int i = 0; i < nans; i++) p[cv_rng_below((uint64_t)t->numel)] = NAN;
}

static int same_bits_nan(const cv_tensor *a, const cv_tensor *b) { return same_bits(a, b); }

static void pool_simd_case(int N, int H, int W, int C, int ph, int pw, int sh, int sw) {
  int OH = (H - ph) / sh + 1, OW = (W - pw) / sw + 1;
  cv_tensor x = tz(4, N, H, W, C), y1 = tz(4, N, OH, OW, C), y2 = tlike(&y1), g = tlike(&y1);
  cv_tensor d1 = tlike(&x), d2 = tlike(&x);
  int64_t as[4] = {N, OH, OW, C};
  cv_tensor a1, a2;
  cv_tensor_alloc(&a1, CV_UINT8, 4, as);
  cv_tensor_alloc(&a2, CV_UINT8, 4, as);
  fill_ties(&x, 5);
  tfill_uniform(&g, -1, 1);
  tfill_uniform(&d1, 3, 4); tfill_uniform(&d2, 5, 6);
  cv_pool2d_params p = {ph, pw, sh, sw, 0, 0};
  CHECK(cv_maxpool2d_forward(&y1, &a1, &x, &p) == CV_OK, "pool simd");
  CHECK(cv_maxpool2d_backward(&d1, &g, &a1, &p) == CV_OK, "pool simd backward");
  cv_cpu_force_portable(1);
  CHECK(cv_maxpool2d_forward(&y2, &a2, &x, &p) == CV_OK, "pool portable");
  CHECK(cv_maxpool2d_backward(&d2, &g, &a2, &p) == CV_OK, "pool portable backward");
  cv_cpu_force_portable(0);
  CHECK(same_bits_nan(&y1, &y2), "maxpool %dx%d s%d,%d C%d: SIMD y == portable y", ph, pw, sh, sw, C);
  CHECK(same_bits(&a1, &a2), "maxpool %dx%d s%d,%d C%d: SIMD argmax == portable argmax", ph, pw, sh, sw, C);
  CHECK(same_bits(&d1, &d2), "maxpool %dx%d s%d,%d C%d: SIMD dx == portable dx", ph, pw, sh, sw, C);
  cv_tensor *all[] = {&x, &y1, &y2, &g, &d1, &d2, &a1, &a2};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

/* a "valid" convolution (dx by columns) and one with C < 8 channels, forward and backward with
 * the fused ReLU at 1, 2 and 3 threads: bit-identical */
static void conv_columns_threads(int N, int H, int W, int C, int K, int F) {
  cv_tensor x = tz(4, N, H, W, C), w = tz(4, K, K, C, F), b = tz(1, F);
  cv_tensor g = tz(4, N, H - K + 1, W - K + 1, F);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1); tfill_uniform(&g, -1, 1);
  cv_conv2d_params p = {1, 1, 0, 0};
  cv_tensor out[3][4];
  for (int t = 0; t < 3; t++) {
    cv_set_num_threads(t + 1);
    cv_tensor *o = out[t];
    o[0] = tlike(&g); o[1] = tlike(&x); o[2] = tlike(&w); o[3] = tlike(&b);
    memset(cv_tensor_f32(&o[2]), 0, (size_t)o[2].numel * 4);
    memset(cv_tensor_f32(&o[3]), 0, (size_t)o[3].numel * 4);
    CHECK(cv_conv2d_forward_act(&o[0], &x, &w, &b, &p, CV_ACT_RELU) == CV_OK, "columns conv");
    CHECK(cv_conv2d_backward_act(&o[1], &o[2], &o[3], &g, &o[0], &x, &w, &p, CV_ACT_RELU) == CV_OK,
          "columns conv backward");
  }
  for (int t = 1; t < 3; t++)
    for (int i = 0; i < 4; i++)
      CHECK(same_bits(&out[0][i], &out[t][i]), "valid conv N%d %dx%dx%d K%d F%d output %d: %d threads == 1",
            N, H, W, C, K, F, i, t + 1);
  cv_set_num_threads(1);
  for (int t = 0; t < 3; t++)
    for (int i = 0; i < 4; i++) cv_tensor_release(&out[t][i]);
  cv_tensor_release(&x); cv_tensor_release(&w); cv_tensor_release(&b); cv_tensor_release(&g);
}

/* conv2d with fused max pooling == conv2d then max pooling, bit for bit (y, pooled, argmax), at
 * 1, 2 and 3 threads; conv (stride, padding) and pool (window, stride, padding) as given */
static void conv_pool_case(int N, int H, int W, int C, int K, int F, int s, int same, int ph, int ps,
                           int psame) {
  int OH, OW, pt, pl, QH, QW, qt, ql;
  cv_conv_out_size(&OH, &pt, H, K, s, same);
  cv_conv_out_size(&OW, &pl, W, K, s, same);
  cv_conv_out_size(&QH, &qt, OH, ph, ps, psame);
  cv_conv_out_size(&QW, &ql, OW, ph, ps, psame);
  cv_tensor x = tz(4, N, H, W, C), w = tz(4, K, K, C, F), b = tz(1, F);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1);
  cv_conv2d_params p = {s, s, pt, pl};
  cv_pool2d_params pp = {ph, ph, ps, ps, qt, ql};
  int64_t as[4] = {N, QH, QW, F};
  cv_tensor y0 = tz(4, N, OH, OW, F), q0 = tz(4, N, QH, QW, F), a0;
  cv_tensor_alloc(&a0, CV_UINT8, 4, as);
  CHECK(cv_conv2d_forward_act(&y0, &x, &w, &b, &p, CV_ACT_RELU) == CV_OK, "conv+pool: conv");
  CHECK(cv_maxpool2d_forward(&q0, &a0, &y0, &pp) == CV_OK, "conv+pool: pool");
  for (int t = 1; t <= 3; t++) {
    cv_set_num_threads(t);
    cv_tensor y1 = tlike(&y0), q1 = tlike(&q0), a1, q2 = tlike(&q0);
    cv_tensor_alloc(&a1, CV_UINT8, 4, as);
    CHECK(cv_conv2d_forward_pool(&y1, &x, &w, &b, &p, CV_ACT_RELU, &q1, &a1, &pp) == CV_OK, "fused: %s",
          cv_last_error());
    CHECK(same_bits(&y0, &y1) && same_bits(&q0, &q1) && same_bits(&a0, &a1),
          "conv %dx%dx%d K%d F%d s%d %s + pool %d/%d %s, %d threads: fused == conv then pool", H, W, C, K,
          F, s, same ? "same" : "valid", ph, ps, psame ? "same" : "valid", t);
    CHECK(cv_conv2d_forward_pool(&y1, &x, &w, &b, &p, CV_ACT_RELU, &q2, NULL, &pp) == CV_OK, "fused, no argmax");
    CHECK(same_bits(&q0, &q2), "fused without argmax: same pooled values");
    cv_tensor q3 = tlike(&q0), a3;
    cv_tensor_alloc(&a3, CV_UINT8, 4, as);
    CHECK(cv_conv2d_forward_pool_ex(&y1, &x, &w, &b, &p, CV_ACT_RELU, &q3, &a3, &pp, 0, NULL) == CV_OK,
          "fused, y not kept: %s", cv_last_error());
    CHECK(same_bits(&q0, &q3) && same_bits(&a0, &a3), "conv %dx%dx%d K%d F%d s%d + pool %d/%d, %d threads: "
          "fused without keeping y == conv then pool", H, W, C, K, F, s, ph, ps, t);
    cv_tensor_release(&q3); cv_tensor_release(&a3);
    /* backward from the pooled gradient == max-pool backward, then the conv backward */
    cv_tensor gq = tlike(&q0), gy = tlike(&y0), dxa = tlike(&x), dxb = tlike(&x), dwa = tlike(&w),
              dwb = tlike(&w), dba = tlike(&b), dbb = tlike(&b);
    tfill_uniform(&gq, -1, 1);
    CHECK(cv_maxpool2d_backward(&gy, &gq, &a0, &pp) == CV_OK, "pool backward");
    CHECK(cv_conv2d_backward_act(&dxa, &dwa, &dba, &gy, &y0, &x, &w, &p, CV_ACT_RELU) == CV_OK, "conv backward");
    CHECK(cv_conv2d_backward_pool(&dxb, &dwb, &dbb, &y1, &y0, &x, &w, &p, CV_ACT_RELU, &gq, &a0, &pp, NULL) == CV_OK,
          "conv backward from the pooled gradient: %s", cv_last_error());
    CHECK(same_bits(&dxa, &dxb) && same_bits(&dwa, &dwb) && same_bits(&dba, &dbb),
          "conv %dx%dx%d K%d F%d s%d + pool %d/%d, %d threads: backward from pooled dy == pool then conv "
          "backward", H, W, C, K, F, s, ph, ps, t);
    CHECK(cv_conv2d_backward_pool(NULL, &dwb, NULL, &y1, &y0, &x, &w, &p, CV_ACT_RELU, &gq, &a0, &pp, NULL) == CV_OK &&
          cv_conv2d_backward_act(NULL, &dwa, NULL, &gy, &y0, &x, &w, &p, CV_ACT_RELU) == CV_OK &&
          same_bits(&dwa, &dwb), "backward from pooled dy, dw only");
    cv_tensor *gr[] = {&gq, &gy, &dxa, &dxb, &dwa, &dwb, &dba, &dbb};
    for (size_t i = 0; i < sizeof gr / sizeof gr[0]; i++) cv_tensor_release(gr[i]);
    cv_tensor_release(&y1); cv_tensor_release(&q1); cv_tensor_release(&a1); cv_tensor_release(&q2);
  }
  cv_set_num_threads(1);
  /* a pooled output of the wrong shape is refused before any work */
  cv_tensor bad = tz(4, N, QH, QW, F + 1);
  CHECK(cv_conv2d_forward_pool(&y0, &x, &w, &b, &p, CV_ACT_RELU, &bad, NULL, &pp) == CV_ESHAPE,
        "fused: pooled shape checked");
  cv_tensor *all[] = {&x, &w, &b, &y0, &q0, &a0, &bad};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

/* every threaded kernel, run at 1, 2 and 3 threads: bit-identical outputs */
static void thread_invariance(void) {
  const int N = 13;
  cv_tensor x = tz(4, N, 12, 10, 8), w = tz(4, 3, 3, 8, 16), b = tz(1, 16);
  cv_tensor g = tz(4, N, 12, 10, 16), gp = tz(4, N, 6, 5, 16);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1);
  tfill_uniform(&g, -1, 1); tfill_uniform(&gp, -1, 1);
  cv_tensor dw0 = tlike(&w), db0 = tlike(&b);
  tfill_uniform(&dw0, -1, 1); tfill_uniform(&db0, -1, 1);
  cv_tensor dense_x = tz(2, 64, 1100), dense_w = tz(2, 1100, 70), dense_g = tz(2, 64, 70);
  /* dW (1100 x 70, K = 64) is split into row blocks; forward and dx run whole */
  tfill_uniform(&dense_x, -1, 1); tfill_uniform(&dense_w, -1, 1); tfill_uniform(&dense_g, -1, 1);
  cv_tensor big = tz(1, 200001), bigg = tz(1, 200001), sm = tz(2, 3001, 37), smg = tz(2, 3001, 37);
  tfill_uniform(&big, -1, 1); tfill_uniform(&bigg, -1, 1); tfill_uniform(&sm, -3, 3); tfill_uniform(&smg, -1, 1);
  cv_conv2d_params p = {1, 1, 1, 1};
  cv_pool2d_params pp = {2, 2, 2, 2, 0, 0};
  int64_t as[4] = {N, 6, 5, 16};
  enum { NOUT = 14 };
  cv_tensor out[3][NOUT];
  int threads[3] = {1, 2, 3};
  for (int t = 0; t < 3; t++) {
    cv_set_num_threads(threads[t]);
    cv_tensor *o = out[t];
    o[0] = tlike(&g);                                         /* y = relu(conv) */
    o[1] = tlike(&x); o[2] = tlike(&w); o[3] = tlike(&b);     /* dx, dw, db */
    tcopy(&o[2], &dw0); tcopy(&o[3], &db0);
    o[4] = tlike(&gp);                                        /* pooled */
    cv_tensor_alloc(&o[5], CV_UINT8, 4, as);                  /* argmax */
    o[6] = tlike(&g);                                         /* pool dx */
    o[7] = tlike(&big); o[8] = tlike(&big);                   /* relu forward/backward */
    o[9] = tlike(&sm); o[10] = tlike(&sm);                    /* softmax forward/backward */
    o[11] = tz(2, 1100, 70);                                  /* dense dw */
    memset(cv_tensor_f32(&o[11]), 0, (size_t)o[11].numel * 4);
    o[12] = tz(2, 64, 70); o[13] = tz(2, 64, 1100);           /* dense y, dx */
    CHECK(cv_conv2d_forward_act(&o[0], &x, &w, &b, &p, CV_ACT_RELU) == CV_OK, "threads conv");
    CHECK(cv_conv2d_backward_act(&o[1], &o[2], &o[3], &g, &o[0], &x, &w, &p, CV_ACT_RELU) == CV_OK, "threads conv backward");
    CHECK(cv_maxpool2d_forward(&o[4], &o[5], &o[0], &pp) == CV_OK, "threads pool");
    CHECK(cv_maxpool2d_backward(&o[6], &gp, &o[5], &pp) == CV_OK, "threads pool backward");
    cv_activation_forward(&o[7], &big, CV_ACT_RELU, 0);
    cv_activation_backward(&o[8], &bigg, &big, NULL, CV_ACT_RELU, 0);
    cv_activation_forward(&o[9], &sm, CV_ACT_SOFTMAX, 0);
    cv_activation_backward(&o[10], &smg, NULL, &o[9], CV_ACT_SOFTMAX, 0);
    CHECK(cv_dense_backward(&o[13], &o[11], NULL, &dense_g, &dense_x, &dense_w) == CV_OK, "threads dense");
    CHECK(cv_dense_forward(&o[12], &dense_x, &dense_w, NULL) == CV_OK, "threads dense forward");
  }
  static const char *names[NOUT] = {"conv y", "conv dx", "conv dw", "conv db", "pool y", "pool argmax",
                                    "pool dx", "relu", "relu backward", "softmax", "softmax backward",
                                    "dense dw", "dense y", "dense dx"};
  for (int i = 0; i < NOUT; i++) {
    CHECK(same_bits(&out[0][i], &out[1][i]), "%s: 1 and 2 threads differ", names[i]);
    CHECK(same_bits(&out[0][i], &out[2][i]), "%s: 1 and 3 threads differ", names[i]);
  }
  for (int t = 0; t < 3; t++)
    for (int i = 0; i < NOUT; i++) cv_tensor_release(&out[t][i]);
  cv_tensor *all[] = {&x, &w, &b, &g, &gp, &dw0, &db0, &dense_x, &dense_w, &dense_g, &big, &bigg, &sm, &smg};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

/* Adam: AVX2 == portable bit for bit, and split over threads == one thread */
static void adam_case(void) {
  const int n = 200003;
  cv_tensor p0 = tz(1, n), g = tz(1, n), m0 = tz(1, n), v0 = tz(1, n);
  tfill_uniform(&p0, -1, 1); tfill_uniform(&g, -1, 1); tfill_uniform(&m0, -0.1f, 0.1f); tfill_uniform(&v0, 0, 0.01f);
  cv_tensor r[3][3];
  for (int k = 0; k < 3; k++) {
    cv_set_num_threads(k == 2 ? 2 : 1);
    cv_cpu_force_portable(k == 1);
    for (int i = 0; i < 3; i++) r[k][i] = tz(1, n);
    tcopy(&r[k][0], &p0); tcopy(&r[k][1], &m0); tcopy(&r[k][2], &v0);
    for (int t = 1; t <= 3; t++)
      CHECK(cv_adam_update(&r[k][0], &g, &r[k][1], &r[k][2], 1e-3f, 0.9f, 0.999f, 1e-7f, t) == CV_OK, "adam");
    cv_cpu_force_portable(0);
  }
  for (int i = 0; i < 3; i++) {
    CHECK(same_bits(&r[0][i], &r[1][i]), "adam state %d: AVX2 == portable", i);
    CHECK(same_bits(&r[0][i], &r[2][i]), "adam state %d: 2 threads == 1", i);
  }
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 3; i++) cv_tensor_release(&r[k][i]);
  cv_tensor_release(&p0); cv_tensor_release(&g); cv_tensor_release(&m0); cv_tensor_release(&v0);
}

int main(void) {
  cv_rng_seed(2026);
  for (size_t i = 0; i < sizeof conv_cases / sizeof conv_cases[0]; i++) conv_relu_case(&conv_cases[i]);
  pool_simd_case(3, 8, 6, 16, 2, 2, 2, 2);
  pool_simd_case(2, 9, 7, 8, 2, 2, 2, 2);
  pool_simd_case(2, 8, 12, 24, 4, 4, 4, 4);
  pool_simd_case(1, 9, 9, 8, 3, 3, 2, 2);
  pool_simd_case(2, 9, 10, 16, 2, 3, 3, 4);
  pool_simd_case(1, 5, 5, 8, 5, 5, 1, 1);
  pool_simd_case(2, 7, 7, 8, 2, 2, 1, 1);    /* 2x2 overlapping: unrolled forward, portable backward */
  pool_simd_case(2, 8, 11, 16, 2, 2, 3, 3);  /* 2x2 with gaps between windows */
  thread_invariance();
  conv_columns_threads(11, 13, 13, 32, 3, 64);
  conv_columns_threads(9, 10, 9, 3, 3, 16);
  conv_pool_case(11, 20, 15, 1, 3, 16, 1, 1, 2, 2, 0);   /* lecture's conv1 + pool (implicit, AVX2 pool) */
  conv_pool_case(5, 13, 11, 8, 3, 12, 1, 0, 2, 2, 0);    /* C = 12: the portable pool loop */
  conv_pool_case(4, 12, 10, 16, 3, 24, 1, 1, 4, 4, 0);   /* 4x4 window */
  conv_pool_case(3, 9, 9, 8, 3, 16, 1, 1, 3, 2, 1);      /* overlapping 'same' pool windows (padding) */
  conv_pool_case(3, 9, 7, 3, 3, 16, 2, 1, 2, 2, 1);      /* stride-2 conv (im2col + GEMM) */
  conv_pool_case(3, 6, 6, 4, 1, 16, 1, 0, 2, 2, 0);      /* 1x1 shortcut */
  adam_case();
  CTEST_END("speed");
}
