/* test_workspace.c - the cv_workspace contract: conv2d (every algorithm: im2col + GEMM, 1x1
 * shortcut, implicit GEMM, Winograd, fused pooling) and dense give the same bytes with a NULL
 * workspace (scratch made for the call) as with one kept across calls, reused for other shapes,
 * at 1, 2 and 3 threads; a kept workspace stops growing after the first call; release empties it. */
#include "nn_check.h"
#include <stdlib.h>

typedef struct { int N, H, W, C, K, F, s, same; } ccase;

static const ccase cases[] = {
  {3, 9, 7, 1, 3, 16, 1, 1},    /* im2col (C=1) / implicit */
  {2, 6, 6, 4, 1, 3, 1, 0},     /* 1x1 shortcut */
  {2, 9, 7, 2, 3, 17, 2, 1},    /* stride 2: im2col */
  {5, 10, 8, 16, 3, 32, 1, 1},  /* Winograd forward, dx and dw */
  {2, 11, 13, 8, 3, 8, 1, 0},   /* Winograd, valid */
  {3, 12, 20, 32, 3, 20, 1, 1}, /* implicit GEMM, F not a multiple of 8 */
  {2, 13, 13, 4, 5, 24, 1, 0},  /* dx by columns */
};

static void conv_case(const ccase *c, cv_workspace *ws, int threads) {
  int OH, OW, pt, pl;
  cv_conv_out_size(&OH, &pt, c->H, c->K, c->s, c->same);
  cv_conv_out_size(&OW, &pl, c->W, c->K, c->s, c->same);
  cv_conv2d_params p = {c->s, c->s, pt, pl};
  cv_tensor x = tz(4, c->N, c->H, c->W, c->C), w = tz(4, c->K, c->K, c->C, c->F), b = tz(1, c->F);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1);
  cv_tensor y0 = tz(4, c->N, OH, OW, c->F), y1 = tlike(&y0), g = tlike(&y0);
  tfill_uniform(&g, -1, 1);
  cv_tensor dx0 = tlike(&x), dx1 = tlike(&x), dw0 = tlike(&w), dw1 = tlike(&w), db0 = tlike(&b), db1 = tlike(&b);
  cv_set_num_threads(threads);
  CHECK(cv_conv2d_forward_pool_ex(&y0, &x, &w, &b, &p, CV_ACT_RELU, NULL, NULL, NULL, 1, NULL) == CV_OK &&
        cv_conv2d_forward_pool_ex(&y1, &x, &w, &b, &p, CV_ACT_RELU, NULL, NULL, NULL, 1, ws) == CV_OK,
        "conv forward: %s", cv_last_error());
  CHECK(same_bits(&y0, &y1), "conv %dx%dx%d K%d F%d s%d, %d threads: forward, NULL == kept workspace",
        c->H, c->W, c->C, c->K, c->F, c->s, threads);
  CHECK(cv_conv2d_backward_pool(&dx0, &dw0, &db0, &g, &y0, &x, &w, &p, CV_ACT_RELU, NULL, NULL, NULL, NULL) == CV_OK &&
        cv_conv2d_backward_pool(&dx1, &dw1, &db1, &g, &y0, &x, &w, &p, CV_ACT_RELU, NULL, NULL, NULL, ws) == CV_OK,
        "conv backward: %s", cv_last_error());
  CHECK(same_bits(&dx0, &dx1) && same_bits(&dw0, &dw1) && same_bits(&db0, &db1),
        "conv %dx%dx%d K%d F%d s%d, %d threads: backward, NULL == kept workspace", c->H, c->W, c->C, c->K,
        c->F, c->s, threads);
  /* fused pooling, y not kept (per-sample output in the workspace) */
  if (OH >= 2 && OW >= 2) {
    cv_pool2d_params pp = {2, 2, 2, 2, 0, 0};
    cv_tensor q0 = tz(4, c->N, OH / 2, OW / 2, c->F), q1 = tlike(&q0);
    CHECK(cv_conv2d_forward_pool_ex(&y1, &x, &w, &b, &p, CV_ACT_RELU, &q0, NULL, &pp, 0, NULL) == CV_OK &&
          cv_conv2d_forward_pool_ex(&y1, &x, &w, &b, &p, CV_ACT_RELU, &q1, NULL, &pp, 0, ws) == CV_OK &&
          same_bits(&q0, &q1), "conv + pool, y not kept, %d threads: NULL == kept workspace", threads);
    cv_tensor_release(&q0); cv_tensor_release(&q1);
  }
  cv_tensor *ts[] = {&x, &w, &b, &y0, &y1, &g, &dx0, &dx1, &dw0, &dw1, &db0, &db1};
  for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) cv_tensor_release(ts[i]);
}

static void dense_case(int N, int K, int M, cv_workspace *ws, int threads) {
  cv_tensor x = tz(2, N, K), w = tz(2, K, M), b = tz(1, M), y0 = tz(2, N, M), y1 = tz(2, N, M);
  tfill_uniform(&x, -1, 1); tfill_uniform(&w, -1, 1); tfill_uniform(&b, -1, 1);
  cv_tensor dx0 = tlike(&x), dx1 = tlike(&x), dw0 = tlike(&w), dw1 = tlike(&w), db0 = tlike(&b), db1 = tlike(&b);
  cv_dense_params p = {0.5f, 1};
  cv_set_num_threads(threads);
  CHECK(cv_dense_forward_ex(&y0, &x, &w, &b, &p, NULL) == CV_OK && cv_dense_forward_ex(&y1, &x, &w, &b, &p, ws) == CV_OK &&
        same_bits(&y0, &y1), "dense %dx%dx%d, %d threads: forward, NULL == kept workspace", N, K, M, threads);
  CHECK(cv_dense_backward_ex(&dx0, &dw0, &db0, &y0, &x, &w, &p, NULL) == CV_OK &&
        cv_dense_backward_ex(&dx1, &dw1, &db1, &y0, &x, &w, &p, ws) == CV_OK &&
        same_bits(&dx0, &dx1) && same_bits(&dw0, &dw1) && same_bits(&db0, &db1),
        "dense %dx%dx%d, %d threads: backward, NULL == kept workspace", N, K, M, threads);
  cv_tensor *ts[] = {&x, &w, &b, &y0, &y1, &dx0, &dx1, &dw0, &dw1, &db0, &db1};
  for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) cv_tensor_release(ts[i]);
}

int main(void) {
  cv_rng_seed(12);
  cv_workspace *ws = cv_workspace_new();
  CHECK(ws && cv_workspace_bytes(ws) == 0, "a new workspace holds nothing");
  for (int t = 1; t <= 3; t++) {
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) conv_case(&cases[i], ws, t);
    dense_case(32, 1200, 55, ws, t);   /* K slices: partial sums in the workspace */
    dense_case(7, 13, 40, ws, t);
  }
  /* a kept workspace stops growing: the same calls again allocate nothing new (at one thread: with
   * more, which worker runs which chunk is timing, so a worker may meet a slot for the first time) */
  size_t held = cv_workspace_bytes(ws);
  CHECK(held > 0, "the workspace holds the scratch of the calls above");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) conv_case(&cases[i], ws, 1);
  CHECK(cv_workspace_bytes(ws) == held, "same calls again: %zu bytes held, was %zu", cv_workspace_bytes(ws), held);
  cv_workspace_release(ws);
  CHECK(cv_workspace_bytes(ws) == 0, "release empties it");
  conv_case(&cases[3], ws, 2);
  CHECK(cv_workspace_bytes(ws) > 0, "a released workspace is usable again");
  cv_workspace_free(ws);
  cv_workspace_free(NULL);
  CTEST_END("workspace");
}
