/* test_optim.c - Adam, SGD (plain, momentum, nesterov) and RMSprop (plain, momentum, centered)
 * over several steps against the Keras update rules written out in double here. */
#include "nn_check.h"

#define N 7
#define STEPS 5

static void fill(float *p, double *d, float lo, float hi) {
  for (int i = 0; i < N; i++) { p[i] = lo + (hi - lo) * cv_rng_uniform(); d[i] = p[i]; }
}

static double worst(const float *a, const double *b) {
  double w = 0;
  for (int i = 0; i < N; i++) w = fmax(w, fabs(a[i] - b[i]) / (1e-6 + 1e-5 * fabs(b[i])));
  return w;
}

static void test_adam(void) {
  cv_tensor p = tz(1, N), g = tz(1, N), m = tz(1, N), v = tz(1, N);
  double P[N], G[N], M[N] = {0}, V[N] = {0};
  fill(cv_tensor_f32(&p), P, -1, 1);
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
  for (int t = 1; t <= STEPS; t++) {
    fill(cv_tensor_f32(&g), G, -1, 1);
    CHECK(cv_adam_update(&p, &g, &m, &v, (float)lr, (float)b1, (float)b2, (float)eps, t) == CV_OK, "adam step");
    double lr_t = lr * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t));
    for (int i = 0; i < N; i++) {
      M[i] = b1 * M[i] + (1 - b1) * G[i];
      V[i] = b2 * V[i] + (1 - b2) * G[i] * G[i];
      P[i] -= lr_t * M[i] / (sqrt(V[i]) + eps);
    }
  }
  CHECK(worst(cv_tensor_f32(&p), P) <= 1, "adam p after %d steps", STEPS);
  CHECK(worst(cv_tensor_f32(&m), M) <= 1, "adam m");
  CHECK(worst(cv_tensor_f32(&v), V) <= 1, "adam v");
  CHECK(cv_adam_update(&p, &g, &m, &v, 0.1f, 0.9f, 0.999f, 1e-7f, 0) == CV_EINVAL, "adam t = 0 refused");
  cv_tensor bad = tz(1, N + 1);
  CHECK(cv_adam_update(&p, &g, &bad, &v, 0.1f, 0.9f, 0.999f, 1e-7f, 1) == CV_ESHAPE, "adam shape refused");
  cv_tensor_release(&p); cv_tensor_release(&g); cv_tensor_release(&m); cv_tensor_release(&v); cv_tensor_release(&bad);
}

static void test_sgd(float momentum, int nesterov) {
  cv_tensor p = tz(1, N), g = tz(1, N), vel = tz(1, N);
  double P[N], G[N], Vl[N] = {0};
  fill(cv_tensor_f32(&p), P, -1, 1);
  const double lr = 0.05;
  for (int t = 1; t <= STEPS; t++) {
    fill(cv_tensor_f32(&g), G, -1, 1);
    CHECK(cv_sgd_update(&p, &g, momentum ? &vel : NULL, (float)lr, momentum, nesterov) == CV_OK, "sgd step: %s", cv_last_error());
    for (int i = 0; i < N; i++) {
      if (momentum == 0) { P[i] -= lr * G[i]; continue; }
      Vl[i] = momentum * Vl[i] - lr * G[i];
      P[i] += nesterov ? momentum * Vl[i] - lr * G[i] : Vl[i];
    }
  }
  CHECK(worst(cv_tensor_f32(&p), P) <= 1, "sgd momentum %g nesterov %d", (double)momentum, nesterov);
  if (momentum) CHECK(worst(cv_tensor_f32(&vel), Vl) <= 1, "sgd velocity");
  if (momentum) CHECK(cv_sgd_update(&p, &g, NULL, 0.1f, momentum, 0) != CV_OK, "sgd momentum needs velocity");
  cv_tensor_release(&p); cv_tensor_release(&g); cv_tensor_release(&vel);
}

static void test_rmsprop(float momentum, int centered) {
  cv_tensor p = tz(1, N), g = tz(1, N), ms = tz(1, N), mom = tz(1, N), mg = tz(1, N);
  double P[N], G[N], S[N] = {0}, MO[N] = {0}, MG[N] = {0};
  fill(cv_tensor_f32(&p), P, -1, 1);
  const double lr = 0.01, rho = 0.9, eps = 1e-7;
  for (int t = 1; t <= STEPS; t++) {
    fill(cv_tensor_f32(&g), G, -1, 1);
    CHECK(cv_rmsprop_update(&p, &g, &ms, momentum ? &mom : NULL, centered ? &mg : NULL, (float)lr,
                            (float)rho, momentum, (float)eps) == CV_OK, "rmsprop step: %s", cv_last_error());
    for (int i = 0; i < N; i++) {
      S[i] = rho * S[i] + (1 - rho) * G[i] * G[i];
      double den = S[i] + eps;
      if (centered) { MG[i] = rho * MG[i] + (1 - rho) * G[i]; den -= MG[i] * MG[i]; }
      double inc = lr * G[i] / sqrt(den);
      if (momentum) { MO[i] = momentum * MO[i] + inc; P[i] -= MO[i]; }
      else P[i] -= inc;
    }
  }
  CHECK(worst(cv_tensor_f32(&p), P) <= 1, "rmsprop momentum %g centered %d", (double)momentum, centered);
  CHECK(worst(cv_tensor_f32(&ms), S) <= 1, "rmsprop ms");
  cv_tensor *all[] = {&p, &g, &ms, &mom, &mg};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
}

int main(void) {
  cv_rng_seed(21);
  test_adam();
  test_sgd(0, 0);
  test_sgd(0.9f, 0);
  test_sgd(0.9f, 1);
  test_rmsprop(0, 0);
  test_rmsprop(0.5f, 0);
  test_rmsprop(0, 1);
  test_rmsprop(0.5f, 1);
  CTEST_END("optim");
}
