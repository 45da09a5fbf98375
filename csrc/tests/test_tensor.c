/* test_tensor.c - allocation, views and reference counting of cv_tensor. */
#include "cvision.h"
#include "ctest.h"
#include <string.h>

int main(void) {
  cv_tensor t, v, bad;
  int64_t shape[3] = {4, 3, 2};
  CHECK(cv_tensor_alloc(&t, CV_FLOAT32, 3, shape) == CV_OK, "alloc");
  CHECK(t.numel == 24, "numel %lld", (long long)t.numel);
  float *p = cv_tensor_f32(&t);
  for (int i = 0; i < 24; i++) CHECK(p[i] == 0.0f, "zeroed at %d", i);
  for (int i = 0; i < 24; i++) p[i] = (float)i;
  int64_t vs[2] = {3, 2};
  CHECK(cv_tensor_view(&v, &t, 6, 2, vs) == CV_OK, "view");
  CHECK(t.storage->refcount == 2, "refcount 2");
  CHECK(cv_tensor_f32(&v)[0] == 6.0f, "view offset");
  cv_tensor_release(&t);
  CHECK(v.storage->refcount == 1 && cv_tensor_f32(&v)[5] == 11.0f, "view outlives base");
  int64_t big[2] = {100, 2};
  CHECK(cv_tensor_view(&bad, &v, 0, 2, big) == CV_ESHAPE, "view out of range refused");
  CHECK(cv_last_error()[0] != 0, "message set");
  cv_tensor_release(&v);
  CHECK(v.storage == NULL, "released to empty");
  int64_t neg[1] = {-1};
  CHECK(cv_tensor_alloc(&t, CV_UINT8, 1, neg) == CV_ESHAPE, "negative shape refused");
  CHECK(t.storage == NULL, "failed alloc leaves empty");
  char buf[64];
  cv_shape_format(buf, sizeof buf, 3, shape);
  CHECK(strcmp(buf, "(4, 3, 2)") == 0, "format %s", buf);
  CTEST_END("tensor");
}
