/* ctest.h - the tiny harness of the C unit tests: CHECK records a pass or a failure, and
 * CTEST_END prints "ctest <name>: P passed, F failed" (read by tools/test.sh) and sets the exit code. */
#ifndef CTEST_H
#define CTEST_H
#include <stdio.h>
#include <math.h>

static int ctest_pass, ctest_fail;

#define CHECK(cond, ...) do { \
    if (cond) ctest_pass++; \
    else { ctest_fail++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
           fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
  } while (0)

/* |a-b| <= atol + rtol*|b| */
#define CHECK_CLOSE(a, b, atol, rtol, what) do { \
    double a_ = (a), b_ = (b); \
    CHECK(fabs(a_ - b_) <= (atol) + (rtol) * fabs(b_), "%s: %.9g vs %.9g", (what), a_, b_); \
  } while (0)

#define CTEST_END(name) do { \
    printf("ctest %s: %d passed, %d failed\n", (name), ctest_pass, ctest_fail); \
    return ctest_fail ? 1 : 0; \
  } while (0)

#endif
