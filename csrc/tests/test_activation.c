/* test_activation.c - every activation against its formula in double, gradients by finite
 * differences, in-place forward, backward from y alone, and a numerically stable softmax. */
#include "nn_check.h"

static double ref(cv_activation a, double x, double alpha) {
  switch (a) {
    case CV_ACT_LINEAR: return x;
    case CV_ACT_RELU: return x > 0 ? x : 0;
    case CV_ACT_LEAKY_RELU: return x > 0 ? x : alpha * x;
    case CV_ACT_RELU6: return x < 0 ? 0 : (x > 6 ? 6 : x);
    case CV_ACT_TANH: return tanh(x);
    case CV_ACT_SIGMOID: return 1 / (1 + exp(-x));
    case CV_ACT_EXPONENTIAL: return exp(x);
    default: return NAN;
  }
}

typedef struct act_ctx { cv_tensor *y, *x, *r; cv_activation a; float alpha; } act_ctx;

static double act_obj(void *vc) {
  act_ctx *c = vc;
  cv_activation_forward(c->y, c->x, c->a, c->alpha);
  return tdot(c->y, c->r);
}

int main(void) {
  cv_rng_seed(5);
  const float alpha = 0.3f;
  for (int ai = 0; ai <= CV_ACT_EXPONENTIAL; ai++) {
    cv_activation a = (cv_activation)ai;
    const char *name = cv_activation_name(a);
    cv_activation back;
    CHECK(cv_activation_from_name(&back, name) == CV_OK && back == a, "name round trip %s", name);
    cv_tensor x = tz(3, 4, 3, 7), y = tlike(&x), r = tlike(&x), dx = tlike(&x), dx2 = tlike(&x);
    tfill_uniform(&x, a == CV_ACT_EXPONENTIAL ? -3 : -8, a == CV_ACT_EXPONENTIAL ? 3 : 8);
    float *xp = cv_tensor_f32(&x);
    for (int64_t i = 0; i < x.numel; i++)  /* keep finite differences away from the kinks at 0 and 6 */
      if (fabsf(xp[i]) < 0.05f || fabsf(xp[i] - 6) < 0.05f) xp[i] += 0.1f;
    tfill_uniform(&r, -1, 1);
    CHECK(cv_activation_forward(&y, &x, a, alpha) == CV_OK, "%s forward", name);
    if (a != CV_ACT_SOFTMAX) {
      int bad = 0;
      for (int64_t i = 0; i < x.numel; i++) {
        double e = ref(a, xp[i], alpha);
        bad += !(fabs(cv_tensor_f32(&y)[i] - e) <= 1e-6 + 1e-5 * fabs(e));
      }
      CHECK(bad == 0, "%s: %d values differ from the formula", name, bad);
    } else {
      int bad = 0;
      for (int row = 0; row < 12; row++) {
        double s = 0, mx = -1e30;
        for (int k = 0; k < 7; k++) mx = fmax(mx, xp[row * 7 + k]);
        for (int k = 0; k < 7; k++) s += exp(xp[row * 7 + k] - mx);
        for (int k = 0; k < 7; k++) {
          double e = exp(xp[row * 7 + k] - mx) / s;
          bad += !(fabs(cv_tensor_f32(&y)[row * 7 + k] - e) <= 1e-7 + 1e-5 * e);
        }
      }
      CHECK(bad == 0, "softmax: %d values differ", bad);
    }
    /* backward against finite differences */
    CHECK(cv_activation_backward(&dx, &r, &x, &y, a, alpha) == CV_OK, "%s backward: %s", name, cv_last_error());
    cv_tensor y2 = tlike(&x);
    act_ctx c = {&y2, &x, &r, a, alpha};
    CHECK(fd_check(name, act_obj, &c, &x, &dx, 84, 1e-3, 2e-3, 1e-2) == 0, "%s finite differences", name);
    /* in place: y = x, then backward from y only (x nil) gives the same gradient */
    cv_tensor xi = tlike(&x);
    tcopy(&xi, &x);
    CHECK(cv_activation_forward(&xi, &xi, a, alpha) == CV_OK, "%s in place", name);
    CHECK(tclose(&xi, &y, 1e-7, 1e-6) <= 1, "%s in place equals out of place", name);
    tcopy(&dx2, &r);   /* dx may be dy */
    CHECK(cv_activation_backward(&dx2, &dx2, NULL, &xi, a, alpha) == CV_OK, "%s backward from y: %s", name, cv_last_error());
    CHECK(tclose(&dx2, &dx, 1e-7, 1e-5) <= 1, "%s backward from y equals from x", name);
    cv_tensor *all[] = {&x, &y, &r, &dx, &dx2, &y2, &xi};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cv_tensor_release(all[i]);
  }
  /* softmax of huge logits stays finite */
  cv_tensor big = tz(2, 1, 3), out = tz(2, 1, 3);
  cv_tensor_f32(&big)[0] = 1000; cv_tensor_f32(&big)[1] = 999; cv_tensor_f32(&big)[2] = -1000;
  CHECK(cv_activation_forward(&out, &big, CV_ACT_SOFTMAX, 0) == CV_OK, "softmax big");
  CHECK_CLOSE(cv_tensor_f32(&out)[0], 1 / (1 + exp(-1.0)), 1e-6, 1e-5, "softmax big [0]");
  CHECK(cv_tensor_f32(&out)[2] == 0.0f, "softmax big [2]");
  cv_activation a;
  CHECK(cv_activation_from_name(&a, "gelu") == CV_EINVAL && strstr(cv_last_error(), "gelu"), "unknown name");
  CHECK(cv_activation_backward(&out, &big, &big, NULL, CV_ACT_SIGMOID, 0) == CV_EINVAL, "sigmoid needs y");
  cv_tensor wrong = tz(2, 3, 1);
  CHECK(cv_activation_forward(&wrong, &big, CV_ACT_RELU, 0) == CV_ESHAPE, "shape mismatch refused");
  cv_tensor_release(&big); cv_tensor_release(&out); cv_tensor_release(&wrong);
  CTEST_END("activation");
}
