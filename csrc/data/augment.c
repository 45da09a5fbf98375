/* augment.c - projective image transforms for the augmentation layers, forward and adjoint.
 * Coordinates, fill modes and interpolation follow TF's ImageProjectiveTransformV3
 * (tensorflow/core/kernels/image/image_ops.h), which Keras' RandomRotation/Zoom/Translation use,
 * so a transform row gives the same pixels here as there. */
#include "data/augment.h"
#include "nn/check.h"
#include <math.h>
#include <string.h>

cv_status cv_fill_mode_from_name(cv_fill_mode *out, const char *name) {
  static const char *const names[] = {"reflect", "wrap", "constant", "nearest"};
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0) { *out = (cv_fill_mode)i; return CV_OK; }
  return cv_fail(CV_EINVAL, "fill_mode must be \"reflect\", \"wrap\", \"constant\" or \"nearest\", got \"%s\"", name);
}

cv_status cv_interpolation_from_name(cv_interpolation *out, const char *name) {
  if (strcmp(name, "nearest") == 0) { *out = CV_INTERP_NEAREST; return CV_OK; }
  if (strcmp(name, "bilinear") == 0) { *out = CV_INTERP_BILINEAR; return CV_OK; }
  return cv_fail(CV_EINVAL, "interpolation must be \"nearest\" or \"bilinear\", got \"%s\"", name);
}

static float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* TF's map_coord: folds a coordinate outside [0, len-1] back inside (constant mode: unchanged) */
static float map_coord(float c, int len, cv_fill_mode mode) {
  float n = (float)len;
  switch (mode) {
  case CV_FILL_REFLECT:
    if (c < 0) {
      if (len <= 1) c = 0;
      else {
        float sz2 = 2 * n;
        c = sz2 * (float)(int)(-c / sz2) + c;
        c = (c < -n) ? c + sz2 : -c - 1;
      }
    } else if (c > n - 1) {
      if (len <= 1) c = 0;
      else {
        float sz2 = 2 * n;
        c -= sz2 * (float)(int)(c / sz2);
        if (c >= n) c = sz2 - c - 1;
      }
    }
    return clampf(c, 0, n - 1);
  case CV_FILL_WRAP:
    if (c < 0) {
      if (len <= 1) c = 0;
      else { float sz = n - 1; c += n * ((float)(int)(-c / sz) + 1); }
    } else if (c > n - 1) {
      if (len <= 1) c = 0;
      else { float sz = n - 1; c -= n * (float)(int)(c / sz); }
    }
    return clampf(c, 0, n - 1);
  case CV_FILL_NEAREST:
    return clampf(c, 0, n - 1);
  case CV_FILL_CONSTANT:
  default:
    return c;
  }
}

/* The (up to 4) input pixels an output pixel samples and their weights; returns how many.
 * idx is a pixel index into the image (row*W + col), or -1 for the constant fill value. */
static int taps(int *idx, float *wt, float xin, float yin, int H, int W, cv_interpolation interp) {
  if (interp == CV_INTERP_NEAREST) {
    int r = (int)roundf(yin), c = (int)roundf(xin);
    idx[0] = (r >= 0 && r < H && c >= 0 && c < W) ? r * W + c : -1;
    wt[0] = 1;
    return 1;
  }
  float yf = floorf(yin), xf = floorf(xin);
  float yc = yf + 1, xc = xf + 1;
  float ry[2] = {yf, yc}, rx[2] = {xf, xc};
  float wy[2] = {yc - yin, yin - yf}, wx[2] = {xc - xin, xin - xf};
  int n = 0;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) {
      int r = (int)ry[i], c = (int)rx[j];
      idx[n] = (ry[i] >= 0 && r < H && rx[j] >= 0 && c < W) ? r * W + c : -1;
      wt[n] = wy[i] * wx[j];
      n++;
    }
  return n;
}

static cv_status check_args(const char *who, const cv_tensor *a, const char *an, const cv_tensor *b,
                            const char *bn, const cv_tensor *t) {
  cv_status st;
  if ((st = cv_nn_check_f32(who, an, a, 0)) || (st = cv_nn_check_f32(who, bn, b, 0)) ||
      (st = cv_nn_check_f32(who, "transforms", t, 0)))
    return st;
  if ((st = cv_nn_check_same(who, an, a, bn, b))) return st;
  if (a->ndim != 4)
    return cv_fail(CV_ESHAPE, "%s: %s must be (N, H, W, C), got %s", who, an, cv_nn_shape_str(a));
  if (t->ndim != 2 || t->shape[0] != a->shape[0] || t->shape[1] != 8)
    return cv_fail(CV_ESHAPE, "%s: transforms must be (%lld, 8), got %s", who, (long long)a->shape[0],
                   cv_nn_shape_str(t));
  return CV_OK;
}

/* input coordinates of output pixel (row, col) under transform t; 0 when the projection is 0 */
static int source(float *xin, float *yin, const float *t, int row, int col) {
  float x = (float)col, y = (float)row;
  float k = t[6] * x + t[7] * y + 1;
  if (k == 0) return 0;
  *xin = (t[0] * x + t[1] * y + t[2]) / k;
  *yin = (t[3] * x + t[4] * y + t[5]) / k;
  return 1;
}

cv_status cv_image_transform_forward(cv_tensor *y, const cv_tensor *x, const cv_tensor *transforms,
                                     cv_interpolation interp, cv_fill_mode fill, float fill_value) {
  cv_status st = check_args("image_transform_forward", y, "y", x, "x", transforms);
  if (st) return st;
  int N = (int)x->shape[0], H = (int)x->shape[1], W = (int)x->shape[2], C = (int)x->shape[3];
  const float *xs = cv_tensor_f32(x), *ts = cv_tensor_f32(transforms);
  float *ys = cv_tensor_f32(y);
  for (int n = 0; n < N; n++) {
    const float *t = ts + (size_t)n * 8;
    const float *img = xs + (size_t)n * H * W * C;
    float *out = ys + (size_t)n * H * W * C;
    for (int r = 0; r < H; r++)
      for (int c = 0; c < W; c++) {
        float *o = out + ((size_t)r * W + c) * C;
        float xin, yin;
        if (!source(&xin, &yin, t, r, c)) {
          for (int ch = 0; ch < C; ch++) o[ch] = fill_value;
          continue;
        }
        int idx[4];
        float wt[4];
        int k = taps(idx, wt, map_coord(xin, W, fill), map_coord(yin, H, fill), H, W, interp);
        for (int ch = 0; ch < C; ch++) {
          float acc = 0;
          for (int i = 0; i < k; i++)
            acc += wt[i] * (idx[i] < 0 ? fill_value : img[(size_t)idx[i] * C + ch]);
          o[ch] = acc;
        }
      }
  }
  return CV_OK;
}

cv_status cv_image_transform_backward(cv_tensor *dx, const cv_tensor *dy, const cv_tensor *transforms,
                                      cv_interpolation interp, cv_fill_mode fill) {
  cv_status st = check_args("image_transform_backward", dx, "dx", dy, "dy", transforms);
  if (st) return st;
  int N = (int)dy->shape[0], H = (int)dy->shape[1], W = (int)dy->shape[2], C = (int)dy->shape[3];
  const float *gs = cv_tensor_f32(dy), *ts = cv_tensor_f32(transforms);
  float *ds = cv_tensor_f32(dx);
  memset(ds, 0, (size_t)dx->numel * sizeof(float));
  for (int n = 0; n < N; n++) {
    const float *t = ts + (size_t)n * 8;
    const float *g = gs + (size_t)n * H * W * C;
    float *d = ds + (size_t)n * H * W * C;
    for (int r = 0; r < H; r++)
      for (int c = 0; c < W; c++) {
        float xin, yin;
        if (!source(&xin, &yin, t, r, c)) continue;
        int idx[4];
        float wt[4];
        int k = taps(idx, wt, map_coord(xin, W, fill), map_coord(yin, H, fill), H, W, interp);
        const float *gi = g + ((size_t)r * W + c) * C;
        for (int i = 0; i < k; i++) {
          if (idx[i] < 0 || wt[i] == 0) continue;
          float *di = d + (size_t)idx[i] * C;
          for (int ch = 0; ch < C; ch++) di[ch] += wt[i] * gi[ch];
        }
      }
  }
  return CV_OK;
}
