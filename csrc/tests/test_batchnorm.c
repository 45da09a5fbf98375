/* test_batchnorm.c - batch normalization: batch statistics (biased variance) and the moving
 * update, inference with the moving statistics, finite-difference gradients of x, gamma and beta
 * in training and in inference mode, in-place forward, messages. */
#include "nn_check.h"

typedef struct bn_ctx {
  cv_tensor *y, *x, *gamma, *beta, *mm, *mv, *r;
  cv_batchnorm_params p;
} bn_ctx;

static double bn_obj(void *vc) {
  bn_ctx *c = vc;
  /* the moving statistics change in training: run on copies so every evaluation sees the same */
  cv_tensor mm = tlike(c->mm), mv = tlike(c->mv);
  tcopy(&mm, c->mm);
  tcopy(&mv, c->mv);
  cv_batchnorm_forward(c->y, NULL, NULL, c->x, c->gamma, c->beta, &mm, &mv, &c->p);
  cv_tensor_release(&mm);
  cv_tensor_release(&mv);
  return tdot(c->y, c->r);
}

static void run(int training, int rank4) {
  const int C = 3;
  cv_tensor x = rank4 ? tz(4, 2, 3, 4, C) : tz(2, 5, C);
  cv_tensor y = tlike(&x), r = tlike(&x), dx = tlike(&x);
  cv_tensor gamma = tz(1, C), beta = tz(1, C), mm = tz(1, C), mv = tz(1, C), sm = tz(1, C), si = tz(1, C);
  cv_tensor dg = tz(1, C), db = tz(1, C);
  tfill_uniform(&x, -2, 3); tfill_uniform(&r, -1, 1);
  tfill_uniform(&gamma, 0.5f, 2); tfill_uniform(&beta, -1, 1);
  tfill_uniform(&mm, -0.5f, 0.5f); tfill_uniform(&mv, 0.5f, 2);
  cv_tensor mm0 = tlike(&mm), mv0 = tlike(&mv);
  tcopy(&mm0, &mm); tcopy(&mv0, &mv);
  cv_batchnorm_params p = {0.9f, 1e-3f, training};
  CHECK(cv_batchnorm_forward(&y, &sm, &si, &x, &gamma, &beta, &mm, &mv, &p) == CV_OK, "bn forward: %s", cv_last_error());
  int64_t Rn = x.numel / C;
  const float *xp = cv_tensor_f32(&x);
  int bad = 0;
  for (int c = 0; c < C; c++) {
    double s = 0, q = 0;
    for (int64_t r2 = 0; r2 < Rn; r2++) s += xp[r2 * C + c];
    double mean = s / Rn;
    for (int64_t r2 = 0; r2 < Rn; r2++) q += (xp[r2 * C + c] - mean) * (xp[r2 * C + c] - mean);
    double var = q / Rn;   /* biased */
    double m0 = cv_tensor_f32(&mm0)[c], v0 = cv_tensor_f32(&mv0)[c];
    double um = training ? mean : m0, uv = training ? var : v0;
    double em = training ? m0 * 0.9 + mean * 0.1 : m0, ev = training ? v0 * 0.9 + var * 0.1 : v0;
    bad += !(fabs(cv_tensor_f32(&mm)[c] - em) < 1e-5) + !(fabs(cv_tensor_f32(&mv)[c] - ev) < 1e-5);
    bad += !(fabs(cv_tensor_f32(&sm)[c] - um) < 1e-5) + !(fabs(cv_tensor_f32(&si)[c] - 1 / sqrt(uv + 1e-3)) < 1e-4);
    for (int64_t r2 = 0; r2 < Rn; r2++) {
      double e = cv_tensor_f32(&gamma)[c] * (xp[r2 * C + c] - um) / sqrt(uv + 1e-3) + cv_tensor_f32(&beta)[c];
      bad += !(fabs(cv_tensor_f32(&y)[r2 * C + c] - e) < 1e-4);
    }
  }
  CHECK(bad == 0, "bn training %d rank4 %d: %d statistics or outputs differ", training, rank4, bad);
  tfill_uniform(&dx, 9, 10);
  tfill_uniform(&dg, -1, 1); tfill_uniform(&db, -1, 1);
  cv_tensor dg0 = tlike(&dg), db0 = tlike(&db), gg = tz(1, C), gb = tz(1, C);
  tcopy(&dg0, &dg); tcopy(&db0, &db);
  CHECK(cv_batchnorm_backward(&dx, &dg, &db, &r, &x, &gamma, &sm, &si, training) == CV_OK, "bn backward: %s", cv_last_error());
  for (int c = 0; c < C; c++) {   /* the accumulated part alone */
    cv_tensor_f32(&gg)[c] = cv_tensor_f32(&dg)[c] - cv_tensor_f32(&dg0)[c];
    cv_tensor_f32(&gb)[c] = cv_tensor_f32(&db)[c] - cv_tensor_f32(&db0)[c];
  }
  tcopy(&mm, &mm0); tcopy(&mv, &mv0);
  cv_tensor y2 = tlike(&x);
  bn_ctx c = {&y2, &x, &gamma, &beta, &mm, &mv, &r, p};
  CHECK(fd_check("bn dx", bn_obj, &c, &x, &dx, 40, 1e-2, 2e-3, 2e-2) == 0, "bn training %d dx finite differences", training);
  CHECK(fd_check("bn dgamma", bn_obj, &c, &gamma, &gg, C, 1e-2, 2e-3, 2e-2) == 0, "bn dgamma finite differences");
  CHECK(fd_check("bn dbeta", bn_obj, &c, &beta, &gb, C, 1e-2, 2e-3, 2e-2) == 0, "bn dbeta finite differences");
  /* in place */
  cv_tensor xi = tlike(&x);
  tcopy(&xi, &x);
  tcopy(&mm, &mm0); tcopy(&mv, &mv0);
  CHECK(cv_batchnorm_forward(&xi, NULL, NULL, &xi, &gamma, &beta, &mm, &mv, &p) == CV_OK, "bn in place");
  CHECK(tclose(&xi, &y, 1e-6, 1e-5) <= 1, "bn in place equals out of place");
  cv_tensor *all[] = {&x, &y, &r, &dx, &gamma, &beta, &mm, &mv, &sm, &si, &dg, &db, &mm0, &mv0, &dg0, &db0, &gg, &gb, &y2, &xi};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

int main(void) {
  cv_rng_seed(31);
  run(1, 0);
  run(1, 1);
  run(0, 0);
  run(0, 1);
  cv_tensor x = tz(2, 4, 3), y = tz(2, 4, 3), mm = tz(1, 2), mv = tz(1, 3);
  cv_batchnorm_params p = {0.99f, 1e-3f, 1};
  CHECK(cv_batchnorm_forward(&y, NULL, NULL, &x, NULL, NULL, &mm, &mv, &p) == CV_ESHAPE, "bn channel mismatch refused");
  CHECK(strcmp(cv_last_error(), "batchnorm: moving_mean has shape (2,), expected (3,) (one per channel)") == 0,
        "message: %s", cv_last_error());
  cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&mm); cv_tensor_release(&mv);
  CTEST_END("batchnorm");
}
