/* test_threadpool.c - every index is visited exactly once, for any thread count and grain, and
 * chunk boundaries do not depend on the thread count. */
#include "cvision.h"
#include "base/threadpool.h"
#include "ctest.h"
#include <stdlib.h>
#include <string.h>

typedef struct { int *hits; int64_t *chunk_begin; int64_t grain; } ctx_t;

static void visit(void *p, int64_t b, int64_t e) {
  ctx_t *c = p;
  c->chunk_begin[b / c->grain] = b;
  for (int64_t i = b; i < e; i++) __atomic_fetch_add(&c->hits[i], 1, __ATOMIC_RELAXED);
}

int main(void) {
  int64_t sizes[] = {1, 2, 7, 64, 1000, 4097};
  int64_t grains[] = {1, 3, 64, 5000};
  for (int th = 1; th <= 4; th++) {
    cv_set_num_threads(th);
    CHECK(cv_get_num_threads() == th, "set/get %d", th);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
      for (size_t gi = 0; gi < sizeof grains / sizeof *grains; gi++) {
        int64_t n = sizes[si], g = grains[gi];
        ctx_t c = {calloc((size_t)n, sizeof(int)), calloc((size_t)n, sizeof(int64_t)), g};
        cv_parallel_for(n, g, visit, &c);
        int ok = 1;
        for (int64_t i = 0; i < n; i++) ok &= c.hits[i] == 1;
        CHECK(ok, "threads %d n %lld grain %lld: each index once", th, (long long)n, (long long)g);
        int64_t chunks = cv_parallel_chunks(n, g);
        for (int64_t k = 0; k < chunks; k++) ok &= c.chunk_begin[k] == k * g;
        CHECK(ok, "chunk starts are multiples of the grain");
        free(c.hits);
        free(c.chunk_begin);
      }
  }
  cv_set_num_threads(0);
  CHECK(cv_get_num_threads() == 1, "n < 1 means 1");
  CTEST_END("threadpool");
}
