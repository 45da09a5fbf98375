/* dataload.c - parallel decode + resize of image files into one tensor (see dataload.h). Threads
 * write disjoint rows of the output; the first failure by file index wins, so the error message
 * is the same whatever the scheduling. */
#include "data/dataload.h"
#include "io/image.h"
#include "base/threadpool.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct load_ctx {
  const char *const *paths;
  float *out;
  int h, w, c;
  cv_interp interp;
  pthread_mutex_t lock;
  int64_t fail_index;     /* lowest failing index so far, or -1 */
  cv_status status;
  char msg[1024];
} load_ctx;

static cv_status load_one(float *dst, const char *path, int h, int w, int c, cv_interp interp) {
  cv_tensor img = {0}, rs = {0};
  cv_status st = cv_image_load(&img, path, c);
  if (st != CV_OK) return st;
  if (img.ndim != 3 || img.shape[2] != c) {
    cv_tensor_release(&img);
    return cv_fail(CV_EFORMAT, "%s: decoded to an unexpected shape", path);
  }
  if (interp == CV_INTERP_NEAREST) {
    cv_tensor u8 = {0};
    st = cv_image_resize_nearest(&u8, &img, h, w);
    if (st == CV_OK) {
      const uint8_t *s = cv_tensor_u8(&u8);
      for (int64_t i = 0; i < (int64_t)h * w * c; i++) dst[i] = (float)s[i];
    }
    cv_tensor_release(&u8);
  } else {
    st = cv_image_resize_bilinear(&rs, &img, h, w);
    if (st == CV_OK) memcpy(dst, cv_tensor_f32(&rs), sizeof(float) * (size_t)h * w * c);
    cv_tensor_release(&rs);
  }
  cv_tensor_release(&img);
  if (st != CV_OK) return cv_fail(st, "%s: %s", path, cv_last_error());
  return CV_OK;
}

static void load_range(void *vctx, int64_t begin, int64_t end) {
  load_ctx *c = vctx;
  size_t row = (size_t)c->h * c->w * c->c;
  for (int64_t i = begin; i < end; i++) {
    pthread_mutex_lock(&c->lock);
    int64_t fi = c->fail_index;
    pthread_mutex_unlock(&c->lock);
    if (fi >= 0 && fi < i) return;   /* an earlier file already failed */
    cv_status st = load_one(c->out + row * (size_t)i, c->paths[i], c->h, c->w, c->c, c->interp);
    if (st != CV_OK) {
      pthread_mutex_lock(&c->lock);
      if (c->fail_index < 0 || i < c->fail_index) {
        c->fail_index = i;
        c->status = st;
        snprintf(c->msg, sizeof c->msg, "%s", cv_last_error());
      }
      pthread_mutex_unlock(&c->lock);
      return;
    }
  }
}

cv_status cv_dataload_images(cv_tensor *out, const char *const *paths, cv_interp interp) {
  if (out->dtype != CV_FLOAT32 || out->ndim != 4)
    return cv_fail(CV_ESHAPE, "dataload: out must be a float32 (N, H, W, C) tensor");
  int64_t n = out->shape[0];
  int h = (int)out->shape[1], w = (int)out->shape[2], channels = (int)out->shape[3];
  if (channels != 1 && channels != 3 && channels != 4)
    return cv_fail(CV_EINVAL, "dataload: channels must be 1, 3 or 4, got %d", channels);
  if (n == 0) return CV_OK;
  load_ctx c;
  memset(&c, 0, sizeof c);
  c.paths = paths;
  c.out = cv_tensor_f32(out);
  c.h = h; c.w = w; c.c = channels;
  c.interp = interp;
  c.fail_index = -1;
  pthread_mutex_init(&c.lock, NULL);
  cv_parallel_for(n, 16, load_range, &c);
  pthread_mutex_destroy(&c.lock);
  if (c.fail_index >= 0) return cv_fail(c.status, "%s", c.msg);
  return CV_OK;
}
