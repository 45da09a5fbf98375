/* test_loss.c - every loss (with and without from_logits for the crossentropies) against its Keras
 * formula evaluated in double here, gradients by finite differences of the loss itself, clipping,
 * label checks and messages. */
#include "nn_check.h"

#define R 6
#define K 5

static double ref_loss(cv_loss_kind kind, int logits, const float *p, const float *t) {
  const double eps = 1e-7;
  double sum = 0;
  if (kind == CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || kind == CV_LOSS_CATEGORICAL_CROSSENTROPY) {
    for (int r = 0; r < R; r++) {
      const float *pr = p + r * K;
      double tr[K];
      for (int k = 0; k < K; k++)
        tr[k] = kind == CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? (k + 1 == (int)t[r]) : t[r * K + k];
      if (logits) {
        double mx = -1e30, s = 0;
        for (int k = 0; k < K; k++) mx = fmax(mx, pr[k]);
        for (int k = 0; k < K; k++) s += exp(pr[k] - mx);
        for (int k = 0; k < K; k++) sum += tr[k] * (mx + log(s) - pr[k]);
      } else if (kind == CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        double s = 0;
        for (int k = 0; k < K; k++) s += fmin(fmax(pr[k], eps), 1 - eps);
        for (int k = 0; k < K; k++) sum -= tr[k] * log(fmin(fmax(pr[k], eps), 1 - eps) / s);
      } else {
        double s = 0;
        for (int k = 0; k < K; k++) s += pr[k];
        for (int k = 0; k < K; k++) sum -= tr[k] * log(fmin(fmax(pr[k] / s, eps), 1 - eps));
      }
    }
    return sum / R;
  }
  for (int i = 0; i < R * K; i++) {
    double x = p[i], y = t[i];
    switch (kind) {
      case CV_LOSS_BINARY_CROSSENTROPY:
        if (logits) sum += fmax(x, 0) - x * y + log1p(exp(-fabs(x)));
        else { double c = fmin(fmax(x, eps), 1 - eps); sum -= y * log(c) + (1 - y) * log(1 - c); }
        break;
      case CV_LOSS_POISSON: sum += x - y * log(x + eps); break;
      case CV_LOSS_MEAN_SQUARED_ERROR: sum += (x - y) * (x - y); break;
      case CV_LOSS_MEAN_ABSOLUTE_ERROR: sum += fabs(x - y); break;
      default: break;
    }
  }
  return sum / (R * K);
}

typedef struct loss_ctx { cv_tensor *p, *t; cv_loss_kind kind; int logits; } loss_ctx;

static double loss_obj(void *vc) {
  loss_ctx *c = vc;
  double l;
  cv_loss_compute(&l, NULL, c->p, c->t, c->kind, c->logits);
  return l;
}

static void run(cv_loss_kind kind, int logits) {
  const char *name = cv_loss_name(kind);
  cv_tensor p = tz(2, R, K), d = tz(2, R, K);
  cv_tensor t = kind == CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? tz(1, R) : tz(2, R, K);
  float *pp = cv_tensor_f32(&p), *tp = cv_tensor_f32(&t);
  if (logits) tfill_uniform(&p, -3, 3);
  else if (kind == CV_LOSS_MEAN_SQUARED_ERROR || kind == CV_LOSS_MEAN_ABSOLUTE_ERROR) tfill_uniform(&p, -2, 2);
  else tfill_uniform(&p, 0.05f, 0.6f);   /* unnormalized rows exercise the renormalization */
  switch (kind) {
    case CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
      for (int r = 0; r < R; r++) tp[r] = (float)(1 + cv_rng_below(K));
      break;
    case CV_LOSS_CATEGORICAL_CROSSENTROPY: case CV_LOSS_BINARY_CROSSENTROPY:
      tfill_uniform(&t, 0, 1);   /* soft targets */
      break;
    case CV_LOSS_POISSON: tfill_uniform(&t, 0, 3); break;
    default:
      tfill_uniform(&t, -2, 2);
      for (int i = 0; i < R * K; i++) if (fabsf(pp[i] - tp[i]) < 0.01f) pp[i] += 0.05f;  /* mae kink */
      break;
  }
  double l;
  CHECK(cv_loss_compute(&l, &d, &p, &t, kind, logits) == CV_OK, "%s(logits %d): %s", name, logits, cv_last_error());
  double e = ref_loss(kind, logits, pp, tp);
  CHECK_CLOSE(l, e, 1e-6, 1e-5, name);
  double l2;
  CHECK(cv_loss_compute(&l2, NULL, &p, &t, kind, logits) == CV_OK && l2 == l, "%s: same loss without dpred", name);
  loss_ctx c = {&p, &t, kind, logits};
  CHECK(fd_check(name, loss_obj, &c, &p, &d, R * K, 1e-3, 2e-4, 1e-2) == 0, "%s(logits %d) finite differences", name, logits);
  cv_tensor_release(&p); cv_tensor_release(&d); cv_tensor_release(&t);
}

static void test_clipping_and_messages(void) {
  cv_tensor p = tz(2, 1, 2), t = tz(2, 1, 2), d = tz(2, 1, 2), lab = tz(1, 1);
  float *pp = cv_tensor_f32(&p), *tp = cv_tensor_f32(&t);
  pp[0] = 0.0f; pp[1] = 1.0f; tp[0] = 1.0f; tp[1] = 1.0f;
  double l;
  CHECK(cv_loss_compute(&l, &d, &p, &t, CV_LOSS_BINARY_CROSSENTROPY, 0) == CV_OK, "bce at the edges");
  CHECK_CLOSE(l, (-log(1e-7) - log(1.0f - 1e-7f)) / 2, 1e-4, 1e-5, "bce clipped value");
  CHECK(cv_tensor_f32(&d)[0] == 0.0f, "no gradient through the clipped cell: %g", (double)cv_tensor_f32(&d)[0]);
  cv_tensor_f32(&lab)[0] = 3;
  CHECK(cv_loss_compute(&l, NULL, &p, &lab, CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 0) == CV_EINVAL,
        "label out of range refused");
  CHECK(strstr(cv_last_error(), "1..2") != NULL, "message: %s", cv_last_error());
  cv_tensor_f32(&lab)[0] = 2;
  CHECK(cv_loss_compute(&l, NULL, &p, &lab, CV_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1) == CV_OK, "label 2 of 2");
  CHECK_CLOSE(l, log(exp(0.0) + exp(1.0)) - 1.0, 1e-6, 1e-6, "sparse from logits");
  CHECK(cv_loss_compute(&l, NULL, &p, &lab, CV_LOSS_MEAN_SQUARED_ERROR, 0) == CV_ESHAPE, "mse size mismatch refused");
  CHECK(cv_loss_compute(&l, NULL, &p, &t, CV_LOSS_POISSON, 1) == CV_EINVAL, "from_logits refused for poisson");
  cv_loss_kind k;
  CHECK(cv_loss_from_name(&k, "mse") == CV_OK && k == CV_LOSS_MEAN_SQUARED_ERROR, "alias mse");
  CHECK(cv_loss_from_name(&k, "huber") == CV_EINVAL, "unknown loss");
  cv_tensor_release(&p); cv_tensor_release(&t); cv_tensor_release(&d); cv_tensor_release(&lab);
}

int main(void) {
  cv_rng_seed(11);
  for (int k = 0; k <= CV_LOSS_MEAN_ABSOLUTE_ERROR; k++) {
    run((cv_loss_kind)k, 0);
    if (k <= CV_LOSS_BINARY_CROSSENTROPY) run((cv_loss_kind)k, 1);
  }
  test_clipping_and_messages();
  CTEST_END("loss");
}
