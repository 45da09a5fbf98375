/* test_augment.c - the projective image transform of the augmentation layers: identity and exact
 * flips, TF's fill modes on a known row, and the backward as the exact adjoint of the forward
 * (<T x, g> == <x, T* g>) for every fill mode and interpolation, on awkward sizes. */
#include "ctest.h"
#include "data/augment.h"
#include "base/random.h"
#include <string.h>

static cv_tensor make(int ndim, const int64_t *shape) {
  cv_tensor t;
  memset(&t, 0, sizeof t);
  cv_tensor_alloc(&t, CV_FLOAT32, ndim, shape);
  return t;
}

static void set_rows(cv_tensor *t, const float *row) {
  for (int64_t n = 0; n < t->shape[0]; n++) memcpy(cv_tensor_f32(t) + n * 8, row, 8 * sizeof(float));
}

int main(void) {
  cv_rng_seed(5);
  const char *fills[] = {"reflect", "wrap", "constant", "nearest"};
  const char *interps[] = {"nearest", "bilinear"};

  /* identity and horizontal flip are exact */
  {
    int64_t s[4] = {2, 3, 5, 2}, ts[2] = {2, 8};
    cv_tensor x = make(4, s), y = make(4, s), t = make(2, ts);
    for (int64_t i = 0; i < x.numel; i++) cv_tensor_f32(&x)[i] = (float)i;
    float id[8] = {1, 0, 0, 0, 1, 0, 0, 0};
    set_rows(&t, id);
    CHECK(cv_image_transform_forward(&y, &x, &t, CV_INTERP_BILINEAR, CV_FILL_REFLECT, 0) == CV_OK, "identity runs");
    int same = 1;
    for (int64_t i = 0; i < x.numel; i++) same &= cv_tensor_f32(&y)[i] == cv_tensor_f32(&x)[i];
    CHECK(same, "identity transform copies the image");
    float flip[8] = {-1, 0, 4, 0, 1, 0, 0, 0};
    set_rows(&t, flip);
    cv_image_transform_forward(&y, &x, &t, CV_INTERP_NEAREST, CV_FILL_REFLECT, 0);
    /* pixel (r=1, c=0, ch=1) of image 1 comes from (1, 4, 1) */
    CHECK(cv_tensor_f32(&y)[30 + (1 * 5 + 0) * 2 + 1] == cv_tensor_f32(&x)[30 + (1 * 5 + 4) * 2 + 1], "flip");
    cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&t);
  }

  /* a shift by 2 columns to the right of the row a b c d, in each fill mode (TF's definitions) */
  {
    int64_t s[4] = {1, 1, 4, 1}, ts[2] = {1, 8};
    cv_tensor x = make(4, s), y = make(4, s), t = make(2, ts);
    for (int i = 0; i < 4; i++) cv_tensor_f32(&x)[i] = (float)(i + 1);
    float shift[8] = {1, 0, -2, 0, 1, 0, 0, 0};
    set_rows(&t, shift);
    const float expect[4][4] = {{2, 1, 1, 2}, {3, 4, 1, 2}, {9, 9, 1, 2}, {1, 1, 1, 2}};
    for (int f = 0; f < 4; f++) {
      cv_fill_mode fm;
      cv_fill_mode_from_name(&fm, fills[f]);
      cv_image_transform_forward(&y, &x, &t, CV_INTERP_BILINEAR, fm, 9);
      for (int i = 0; i < 4; i++)
        CHECK_CLOSE(cv_tensor_f32(&y)[i], expect[f][i], 1e-6, 0, fills[f]);
    }
    cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&t);
  }

  /* backward is the adjoint of forward: <T x, g> == <x, T* g> */
  {
    int64_t s[4] = {3, 5, 7, 2}, ts[2] = {3, 8};
    cv_tensor x = make(4, s), y = make(4, s), g = make(4, s), dx = make(4, s), t = make(2, ts);
    for (int64_t i = 0; i < x.numel; i++) {
      cv_tensor_f32(&x)[i] = cv_rng_uniform() - 0.5f;
      cv_tensor_f32(&g)[i] = cv_rng_uniform() - 0.5f;
    }
    /* a rotation, a zoom out with a shift, a mild projective warp */
    float rows[3][8] = {{0.8f, -0.6f, 2.1f, 0.6f, 0.8f, -1.3f, 0, 0},
                        {1.7f, 0, -2.4f, 0, 1.3f, 0.6f, 0, 0},
                        {0.9f, 0.1f, 0.3f, -0.05f, 1.1f, 0.2f, 0.01f, -0.02f}};
    memcpy(cv_tensor_f32(&t), rows, sizeof rows);
    for (int f = 0; f < 4; f++)
      for (int k = 0; k < 2; k++) {
        cv_fill_mode fm;
        cv_interpolation im;
        cv_fill_mode_from_name(&fm, fills[f]);
        cv_interpolation_from_name(&im, interps[k]);
        CHECK(cv_image_transform_forward(&y, &x, &t, im, fm, 0) == CV_OK, "forward");
        CHECK(cv_image_transform_backward(&dx, &g, &t, im, fm) == CV_OK, "backward");
        double a = 0, b = 0;
        for (int64_t i = 0; i < x.numel; i++) {
          a += (double)cv_tensor_f32(&y)[i] * cv_tensor_f32(&g)[i];
          b += (double)cv_tensor_f32(&x)[i] * cv_tensor_f32(&dx)[i];
        }
        char what[64];
        snprintf(what, sizeof what, "adjoint %s/%s", fills[f], interps[k]);
        CHECK_CLOSE(a, b, 1e-4, 1e-4, what);
      }
    cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&g);
    cv_tensor_release(&dx); cv_tensor_release(&t);
  }

  /* errors name the shapes */
  {
    int64_t s[4] = {2, 3, 3, 1}, ts[2] = {3, 8};
    cv_tensor x = make(4, s), y = make(4, s), t = make(2, ts);
    CHECK(cv_image_transform_forward(&y, &x, &t, CV_INTERP_NEAREST, CV_FILL_REFLECT, 0) == CV_ESHAPE,
          "transforms of the wrong batch size");
    CHECK(strstr(cv_last_error(), "(2, 8)") != NULL, "message: %s", cv_last_error());
    cv_fill_mode fm;
    CHECK(cv_fill_mode_from_name(&fm, "mirror") == CV_EINVAL, "unknown fill mode");
    cv_tensor_release(&x); cv_tensor_release(&y); cv_tensor_release(&t);
  }
  CTEST_END("augment");
}
