/* test_winograd.c - the Winograd paths of conv2d (F(2x2,3x3) forward with bias and ReLU, and dx;
 * F(3x3,2x2) dw and db through the ReLU's mask) against the direct 7-loop twins and against the
 * direct implicit GEMM (Winograd off), on awkward shapes: odd output sizes (partial 2x2 tiles),
 * "same" and "valid", 8 and 24 filters (a half 16-wide panel), 384 channels (the largest it
 * takes) and one more (not taken), a 1-pixel image, batches that split into uneven chunks; then
 * 24 random shapes; and bit-identical results at 1, 2 and 3 threads. The error bound scales with
 * the terms summed: 9*C products of values in [-1, 1]. */
#include "nn_check.h"

typedef struct { int N, H, W, C, F, same; } wcase;

/* y = relu(conv(x) + b), dx of sum(y*g), dw, db with Winograd on or off */
static void run(const wcase *k, int on, cv_tensor *y, cv_tensor *dx, cv_tensor *dw, cv_tensor *db,
                const cv_tensor *x, const cv_tensor *w, const cv_tensor *b, const cv_tensor *g,
                const cv_conv2d_params *p) {
  cv_conv2d_set_winograd(on);
  memset(cv_tensor_f32(dw), 0, (size_t)dw->numel * 4);
  memset(cv_tensor_f32(db), 0, (size_t)db->numel * 4);
  CHECK(cv_conv2d_forward_act(y, x, w, b, p, CV_ACT_RELU) == CV_OK, "winograd %d forward: %s", on, cv_last_error());
  CHECK(cv_conv2d_backward_act(dx, dw, db, g, y, x, w, p, CV_ACT_RELU) == CV_OK, "winograd %d backward: %s", on,
        cv_last_error());
  (void)k;
  cv_conv2d_set_winograd(1);
}

static void wino_case(const wcase *k) {
  char name[128];
  snprintf(name, sizeof name, "winograd N%d %dx%dx%d F%d %s", k->N, k->H, k->W, k->C, k->F,
           k->same ? "same" : "valid");
  int OH, OW, pt, pl;
  cv_conv_out_size(&OH, &pt, k->H, 3, 1, k->same);
  cv_conv_out_size(&OW, &pl, k->W, 3, 1, k->same);
  cv_conv2d_params p = {1, 1, pt, pl};
  cv_tensor x = tz(4, k->N, k->H, k->W, k->C), w = tz(4, 3, 3, k->C, k->F), b = tz(1, k->F);
  cv_tensor g = tz(4, k->N, OH, OW, k->F);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1); tfill_uniform(&g, -1, 1);
  /* the reference: direct conv, ReLU, then the direct backward of the masked gradient */
  cv_tensor z = tlike(&g), gz = tlike(&g), dx0 = tlike(&x), dw0 = tlike(&w), db0 = tlike(&b);
  memset(cv_tensor_f32(&dw0), 0, (size_t)dw0.numel * 4);
  memset(cv_tensor_f32(&db0), 0, (size_t)db0.numel * 4);
  cv_conv2d_forward_ref(&z, &x, &w, &b, &p);
  for (int64_t i = 0; i < z.numel; i++) {
    float *zi = cv_tensor_f32(&z) + i;
    cv_tensor_f32(&gz)[i] = *zi > 0.0f ? cv_tensor_f32(&g)[i] : 0.0f;
    if (!(*zi > 0.0f)) *zi = 0.0f;
  }
  cv_conv2d_backward_ref(&dx0, &dw0, &db0, &gz, &x, &w, &p);
  /* Winograd on (three thread counts) and off */
  cv_tensor y[4], dx[4], dw[4], db[4];
  for (int r = 0; r < 4; r++) {
    y[r] = tlike(&g); dx[r] = tlike(&x); dw[r] = tlike(&w); db[r] = tlike(&b);
    cv_set_num_threads(r < 3 ? r + 1 : 1);
    run(k, r < 3, &y[r], &dx[r], &dw[r], &db[r], &x, &w, &b, &g, &p);
  }
  cv_set_num_threads(1);
  double fwd_tol = 2e-6 * 9 * k->C, bwd_tol = 2e-6 * 9 * k->F;
  for (int r = 0; r < 4; r += 3) {
    const char *how = r ? "direct" : "winograd";
    CHECK(tclose(&y[r], &z, fwd_tol, 1e-5) <= 1, "%s: %s forward vs ref (%g)", name, how, tclose(&y[r], &z, fwd_tol, 1e-5));
    CHECK(tclose(&dx[r], &dx0, bwd_tol, 1e-5) <= 1, "%s: %s dx vs ref (%g)", name, how, tclose(&dx[r], &dx0, bwd_tol, 1e-5));
    CHECK(tclose(&dw[r], &dw0, 1e-4, 1e-4) <= 1, "%s: %s dw vs ref", name, how);
    CHECK(tclose(&db[r], &db0, 1e-4, 1e-4) <= 1, "%s: %s db vs ref", name, how);
  }
  for (int r = 1; r < 3; r++) {
    CHECK(same_bits(&y[0], &y[r]) && same_bits(&dx[0], &dx[r]) && same_bits(&dw[0], &dw[r]) &&
          same_bits(&db[0], &db[r]), "%s: %d threads == 1 thread, bit for bit", name, r + 1);
  }
  for (int r = 0; r < 4; r++) {
    cv_tensor_release(&y[r]); cv_tensor_release(&dx[r]); cv_tensor_release(&dw[r]); cv_tensor_release(&db[r]);
  }
  cv_tensor *all[] = {&x, &w, &b, &g, &z, &gz, &dx0, &dw0, &db0};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

int main(void) {
  cv_rng_seed(77);
  static const wcase cases[] = {
    /* N  H   W    C   F  same */
    {3, 40, 30, 16, 32, 1},   /* the lecture's conv2 */
    {9, 20, 15, 32, 64, 1},   /* the lecture's conv3: odd width, 9 samples in uneven chunks */
    {5, 13, 13, 32, 64, 0},   /* Fashion's conv2: valid, odd 11x11 output */
    {2, 7, 9, 8, 8, 1},       /* the smallest channels and filters, odd both ways */
    {2, 6, 11, 8, 24, 0},     /* a half panel of filters */
    {1, 1, 1, 16, 8, 1},      /* one pixel: one tile, three quarters outside */
    {2, 3, 5, 24, 40, 1},
    {1, 6, 5, 384, 16, 1},    /* the most channels the packed kernel takes in one slice */
    {1, 5, 6, 392, 8, 1},     /* one step more: the direct path */
    {2, 12, 4, 64, 16, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) wino_case(&cases[i]);
  /* random shapes: sizes 1..17 (valid needs 3..), channels and filters 8..64 */
  for (int i = 0; i < 24; i++) {
    wcase k;
    k.same = (int)cv_rng_below(2);
    k.N = 1 + (int)cv_rng_below(4);
    k.H = (k.same ? 1 : 3) + (int)cv_rng_below(k.same ? 17 : 15);
    k.W = (k.same ? 1 : 3) + (int)cv_rng_below(k.same ? 17 : 15);
    k.C = 8 * (1 + (int)cv_rng_below(8));
    k.F = 8 * (1 + (int)cv_rng_below(8));
    wino_case(&k);
  }
  CTEST_END("winograd");
}
