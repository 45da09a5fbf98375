/* cpu.c - CPU feature detection (see cpu.h). */
#include "base/cpu.h"
#include <stdlib.h>
#include <string.h>

static int detected = -1, forced = 0;

int cv_cpu_avx2(void) {
  if (detected < 0) {
    int ok = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    const char *env = getenv("CVISION_SIMD");
    if (env && strcmp(env, "0") == 0) ok = 0;
    detected = ok;
  }
  return detected && !forced;
}

void cv_cpu_force_portable(int on) { forced = on ? 1 : 0; }

const char *cv_cpu_path(void) { return cv_cpu_avx2() ? "avx2+fma" : "portable"; }
