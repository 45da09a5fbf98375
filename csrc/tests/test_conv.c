/* test_conv.c - conv2d (im2col + gemm and the 1x1 shortcut) against the direct 7-loop twin,
 * depthwise against conv2d with a block-diagonal kernel, finite-difference gradients of both,
 * the "same"/"valid" output-size rule and the shape messages. */
#include "nn_check.h"

typedef struct conv_ctx {
  cv_tensor *y, *x, *w, *b, *r;
  cv_conv2d_params p;
  int depthwise;
} conv_ctx;

static double conv_obj(void *vc) {
  conv_ctx *c = vc;
  if (c->depthwise) cv_depthwise_conv2d_forward(c->y, c->x, c->w, c->b, &c->p);
  else cv_conv2d_forward_ref(c->y, c->x, c->w, c->b, &c->p);
  return tdot(c->y, c->r);
}

typedef struct { int N, H, W, C, KH, KW, F, sh, sw, same; } conv_case;

static void run_case(const conv_case *k, int depthwise) {
  char name[160];
  snprintf(name, sizeof name, "%s N%d H%d W%d C%d K%dx%d F%d s%d,%d %s", depthwise ? "depthwise" : "conv2d",
           k->N, k->H, k->W, k->C, k->KH, k->KW, k->F, k->sh, k->sw, k->same ? "same" : "valid");
  int OH, OW, pt, pl;
  CHECK(cv_conv_out_size(&OH, &pt, k->H, k->KH, k->sh, k->same) == CV_OK, "%s: out size", name);
  CHECK(cv_conv_out_size(&OW, &pl, k->W, k->KW, k->sw, k->same) == CV_OK, "%s: out size", name);
  int F = depthwise ? k->C * k->F : k->F;   /* k->F is the multiplier M for depthwise */
  cv_tensor x = tz(4, k->N, k->H, k->W, k->C);
  cv_tensor w = depthwise ? tz(4, k->KH, k->KW, k->C, k->F) : tz(4, k->KH, k->KW, k->C, k->F);
  cv_tensor b = tz(1, F), y = tz(4, k->N, OH, OW, F), y2 = tlike(&y), r = tlike(&y);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1); tfill_uniform(&r, -1, 1);
  cv_conv2d_params p = {k->sh, k->sw, pt, pl};
  cv_tensor dx = tlike(&x), dx2 = tlike(&x), dw = tlike(&w), dw2 = tlike(&w), db = tlike(&b), db2 = tlike(&b);
  tfill_uniform(&dw, -1, 1); tcopy(&dw2, &dw);   /* gradients accumulate onto what is there */
  tfill_uniform(&db, -1, 1); tcopy(&db2, &db);
  tfill_uniform(&dx, 5, 6);                      /* ... but dx is overwritten */
  if (!depthwise) {
    CHECK(cv_conv2d_forward(&y, &x, &w, &b, &p) == CV_OK, "%s: forward: %s", name, cv_last_error());
    CHECK(cv_conv2d_forward_ref(&y2, &x, &w, &b, &p) == CV_OK, "%s: forward_ref", name);
    CHECK(tclose(&y, &y2, 1e-4, 1e-4) <= 1, "%s: forward vs ref", name);
    CHECK(cv_conv2d_backward(&dx, &dw, &db, &r, &x, &w, &p) == CV_OK, "%s: backward: %s", name, cv_last_error());
    CHECK(cv_conv2d_backward_ref(&dx2, &dw2, &db2, &r, &x, &w, &p) == CV_OK, "%s: backward_ref", name);
    CHECK(tclose(&dx, &dx2, 1e-4, 1e-4) <= 1, "%s: dx vs ref", name);
    CHECK(tclose(&dw, &dw2, 1e-4, 1e-4) <= 1, "%s: dw vs ref", name);
    CHECK(tclose(&db, &db2, 1e-4, 1e-4) <= 1, "%s: db vs ref", name);
    /* dx alone (dw, db skipped) gives the same dx */
    CHECK(cv_conv2d_backward(&dx2, NULL, NULL, &r, &x, &w, &p) == CV_OK, "%s: dx only", name);
    CHECK(tclose(&dx2, &dx, 1e-5, 1e-5) <= 1, "%s: dx only vs full", name);
  } else {
    /* depthwise == conv2d with the block-diagonal kernel wf[kh,kw,c,c*M+m] = w[kh,kw,c,m] */
    int M = k->F;
    cv_tensor wf = tz(4, k->KH, k->KW, k->C, F);
    for (int i = 0; i < k->KH * k->KW; i++)
      for (int c = 0; c < k->C; c++)
        for (int m = 0; m < M; m++)
          cv_tensor_f32(&wf)[(i * k->C + c) * F + c * M + m] = cv_tensor_f32(&w)[(i * k->C + c) * M + m];
    CHECK(cv_depthwise_conv2d_forward(&y, &x, &w, &b, &p) == CV_OK, "%s: forward: %s", name, cv_last_error());
    CHECK(cv_conv2d_forward_ref(&y2, &x, &wf, &b, &p) == CV_OK, "%s: conv ref", name);
    CHECK(tclose(&y, &y2, 1e-4, 1e-4) <= 1, "%s: forward vs block-diagonal conv2d", name);
    cv_tensor dwf = tlike(&wf);
    CHECK(cv_depthwise_conv2d_backward(&dx, &dw, &db, &r, &x, &w, &p) == CV_OK, "%s: backward: %s", name, cv_last_error());
    CHECK(cv_conv2d_backward_ref(&dx2, &dwf, &db2, &r, &x, &wf, &p) == CV_OK, "%s: conv backward_ref", name);
    CHECK(tclose(&dx, &dx2, 1e-4, 1e-4) <= 1, "%s: dx vs conv2d", name);
    CHECK(tclose(&db, &db2, 1e-4, 1e-4) <= 1, "%s: db vs conv2d", name);
    int bad = 0;
    for (int i = 0; i < k->KH * k->KW; i++)
      for (int c = 0; c < k->C; c++)
        for (int m = 0; m < M; m++) {
          float a = cv_tensor_f32(&dw)[(i * k->C + c) * M + m] - cv_tensor_f32(&dw2)[(i * k->C + c) * M + m];
          float e = cv_tensor_f32(&dwf)[(i * k->C + c) * F + c * M + m];
          bad += !(fabsf(a - e) <= 1e-4f + 1e-4f * fabsf(e));
        }
    CHECK(bad == 0, "%s: dw vs conv2d (%d mismatches)", name, bad);
    cv_tensor_release(&wf);
    cv_tensor_release(&dwf);
  }
  /* finite differences of sum(y*r) on the float32 forward (linear in each argument) */
  if ((long)x.numel * w.numel < 400000) {
    cv_tensor gx = tlike(&x), gw = tlike(&w), gb = tlike(&b);
    if (depthwise) cv_depthwise_conv2d_backward(&gx, &gw, &gb, &r, &x, &w, &p);
    else cv_conv2d_backward(&gx, &gw, &gb, &r, &x, &w, &p);
    conv_ctx c = {&y2, &x, &w, &b, &r, p, depthwise};
    CHECK(fd_check("dx", conv_obj, &c, &x, &gx, 40, 1e-2, 2e-3, 1e-2) == 0, "%s: dx finite differences", name);
    CHECK(fd_check("dw", conv_obj, &c, &w, &gw, 40, 1e-2, 2e-3, 1e-2) == 0, "%s: dw finite differences", name);
    CHECK(fd_check("db", conv_obj, &c, &b, &gb, 40, 1e-2, 2e-3, 1e-2) == 0, "%s: db finite differences", name);
    cv_tensor_release(&gx); cv_tensor_release(&gw); cv_tensor_release(&gb);
  }
  cv_tensor *all[] = {&x, &w, &b, &y, &y2, &r, &dx, &dx2, &dw, &dw2, &db, &db2};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

static void test_out_size(void) {
  int o, pb;
  CHECK(cv_conv_out_size(&o, &pb, 5, 2, 2, 1) == CV_OK && o == 3 && pb == 0, "same 5/2/2: %d %d", o, pb);
  CHECK(cv_conv_out_size(&o, &pb, 4, 3, 1, 1) == CV_OK && o == 4 && pb == 1, "same 4/3/1: %d %d", o, pb);
  CHECK(cv_conv_out_size(&o, &pb, 6, 4, 1, 1) == CV_OK && o == 6 && pb == 1, "same even kernel: %d %d", o, pb);
  CHECK(cv_conv_out_size(&o, &pb, 2, 5, 1, 1) == CV_OK && o == 2 && pb == 2, "same n<k: %d %d", o, pb);
  CHECK(cv_conv_out_size(&o, &pb, 7, 3, 2, 1) == CV_OK && o == 4 && pb == 1, "same 7/3/2: %d %d", o, pb);
  CHECK(cv_conv_out_size(&o, &pb, 6, 3, 2, 0) == CV_OK && o == 2 && pb == 0, "valid 6/3/2: %d %d", o, pb);
  CHECK(cv_conv_out_size(&o, &pb, 28, 5, 1, 0) == CV_OK && o == 24, "valid 28/5/1: %d", o);
  CHECK(cv_conv_out_size(&o, &pb, 3, 5, 1, 0) == CV_ESHAPE, "valid k>n fails");
  CHECK(strstr(cv_last_error(), "larger") != NULL, "message: %s", cv_last_error());
  CHECK(cv_conv_out_size(&o, &pb, 3, 1, 0, 0) == CV_EINVAL, "stride 0 fails");
}

static void test_messages(void) {
  cv_tensor x = tz(4, 2, 5, 5, 3), w = tz(4, 3, 3, 1, 16), y = tz(4, 2, 3, 3, 16);
  cv_conv2d_params p = {1, 1, 0, 0};
  CHECK(cv_conv2d_forward(&y, &x, &w, NULL, &p) == CV_ESHAPE, "channel mismatch refused");
  CHECK(strcmp(cv_last_error(), "conv2d: x has 3 channels but w expects 1 (w shape (3, 3, 1, 16))") == 0,
        "message: %s", cv_last_error());
  cv_tensor w2 = tz(4, 3, 3, 3, 16), y2 = tz(4, 2, 6, 3, 16), b = tz(1, 8);
  CHECK(cv_conv2d_forward(&y2, &x, &w2, NULL, &p) == CV_ESHAPE, "output too large refused");
  CHECK(cv_conv2d_forward(&y, &x, &w2, &b, &p) == CV_ESHAPE && strstr(cv_last_error(), "b has 8"),
        "bias size: %s", cv_last_error());
  /* the gradient outputs are checked too (cv_nn_check_grads, shared with dense_backward) */
  cv_tensor x3 = tz(4, 2, 5, 5, 3), dx3 = tz(4, 2, 5, 5, 3), dy3 = tz(4, 2, 3, 3, 16);
  cv_tensor dw3 = tz(4, 3, 3, 3, 16), dwbad = tz(4, 3, 3, 3, 8), db3 = tz(1, 16);
  CHECK(cv_conv2d_backward(&dx3, &dw3, &db3, &dy3, &x3, &w2, &p) == CV_OK, "good gradients accepted: %s",
        cv_last_error());
  CHECK(cv_conv2d_backward(&dx3, &dw3, &b, &dy3, &x3, &w2, &p) == CV_ESHAPE &&
        strcmp(cv_last_error(), "conv2d_backward: db has 8 elements, expected 16 (one per filter)") == 0,
        "db size: %s", cv_last_error());
  CHECK(cv_conv2d_backward(NULL, &dwbad, NULL, &dy3, &x3, &w2, &p) == CV_ESHAPE &&
        strcmp(cv_last_error(), "conv2d_backward: dw shape (3, 3, 3, 8) differs from w shape (3, 3, 3, 16)") == 0,
        "dw shape: %s", cv_last_error());
  CHECK(cv_conv2d_backward(&dy3, NULL, NULL, &dy3, &x3, &w2, &p) == CV_ESHAPE &&
        strstr(cv_last_error(), "dx shape (2, 3, 3, 16) differs from x shape (2, 5, 5, 3)"),
        "dx shape: %s", cv_last_error());
  cv_tensor_release(&x3); cv_tensor_release(&dx3); cv_tensor_release(&dy3);
  cv_tensor_release(&dw3); cv_tensor_release(&dwbad); cv_tensor_release(&db3);
  cv_tensor_release(&x); cv_tensor_release(&w); cv_tensor_release(&y);
  cv_tensor_release(&w2); cv_tensor_release(&y2); cv_tensor_release(&b);
}

int main(void) {
  cv_rng_seed(1234);
  test_out_size();
  test_messages();
  static const conv_case cases[] = {
    /* N  H  W  C KH KW  F sh sw same */
    {2, 5, 5, 1, 3, 3, 4, 1, 1, 0},
    {1, 7, 6, 3, 3, 3, 5, 1, 1, 1},
    {3, 6, 6, 4, 1, 1, 3, 1, 1, 0},   /* 1x1 shortcut */
    {2, 6, 5, 3, 1, 1, 2, 2, 2, 0},   /* 1x1 stride 2: no shortcut */
    {2, 9, 7, 2, 3, 3, 3, 2, 2, 1},   /* stride 2 same */
    {2, 8, 8, 2, 4, 4, 3, 1, 1, 1},   /* even kernel, same */
    {1, 8, 7, 3, 2, 2, 2, 2, 2, 1},
    {2, 2, 3, 2, 5, 5, 3, 1, 1, 1},   /* image smaller than the kernel, same */
    {1, 1, 1, 5, 3, 3, 2, 1, 1, 1},
    {2, 11, 9, 3, 5, 3, 4, 2, 1, 0},  /* odd, unequal strides */
    {1, 10, 10, 1, 3, 3, 1, 3, 3, 1},
    {4, 12, 10, 8, 3, 3, 16, 1, 1, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i], 0);
  static const conv_case dcases[] = {
    {2, 5, 5, 1, 3, 3, 2, 1, 1, 0},
    {1, 7, 6, 3, 3, 3, 1, 1, 1, 1},
    {2, 9, 7, 2, 3, 3, 3, 2, 2, 1},
    {2, 8, 8, 2, 4, 4, 1, 1, 1, 1},
    {2, 2, 3, 2, 5, 5, 2, 1, 1, 1},
    {1, 6, 6, 4, 1, 1, 2, 1, 1, 0},
  };
  for (size_t i = 0; i < sizeof dcases / sizeof dcases[0]; i++) run_case(&dcases[i], 1);
  CTEST_END("conv");
}
