/* cpu.c - CPU feature detection (see cpu.h), once per process. */
#include "base/cpu.h"
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int has_avx2, has_avx512;

static void detect(void) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  has_avx512 = has_avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
#endif
}

int cv_cpu_avx2(void) {
  pthread_once(&once, detect);
  return has_avx2;
}

int cv_cpu_avx512(void) {
  pthread_once(&once, detect);
  return has_avx512;
}
