/* dispatch.c - the dispatch tables (see dispatch.h) and the one choice between them, made on
 * first use under pthread_once: the best table the CPU runs, unless CVISION_SIMD=0. The table in
 * use is one atomic pointer, so cv_cpu_force_portable can switch it while other threads read it. */
#include "base/dispatch.h"
#include "base/cpu.h"
#include "simd/gemm_avx2.h"
#include "simd/optim_avx2.h"
#include "simd/pool_avx2.h"
#include "simd/winograd_avx2.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const cv_dispatch portable = {.name = "portable"};

static const cv_dispatch avx2 = {
  .name = "avx2+fma",
  .gemm = cv_gemm_avx2_ex,
  .gemm_packed_size = cv_gemm_avx2_packed_size,
  .gemm_pack = cv_gemm_avx2_pack,
  .conv_implicit = cv_conv_implicit_avx2,
  .conv_dw_implicit = cv_conv_dw_implicit_avx2,
  .wino_packed_size = cv_winograd_avx2_packed_size,
  .wino_pack = cv_winograd_avx2_pack,
  .wino_padded = cv_winograd_padded,
  .wino_conv = cv_winograd_avx2_conv,
  .wino_dw_size = cv_winograd_avx2_dw_size,
  .wino_dw_acc = cv_winograd_avx2_dw_acc,
  .wino_dw_finish = cv_winograd_avx2_dw_finish,
  .maxpool_fwd = cv_maxpool_fwd_avx2,
  .maxpool_bwd = cv_maxpool_bwd_avx2,
  .adam = cv_adam_avx2,
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const cv_dispatch *detected;
static _Atomic(const cv_dispatch *) current;
static atomic_int forced;

/* an AVX-512 table (kernels in simd/, files named *_avx512.c) goes first here:
 * cv_cpu_avx512() ? &avx512 : cv_cpu_avx2() ? &avx2 : &portable */
static void choose(void) {
  const char *env = getenv("CVISION_SIMD");
  int off = env && strcmp(env, "0") == 0;
  detected = !off && cv_cpu_avx2() ? &avx2 : &portable;
  atomic_store(&current, atomic_load(&forced) ? &portable : detected);
}

const cv_dispatch *cv_dispatch_get(void) {
  const cv_dispatch *t = atomic_load_explicit(&current, memory_order_acquire);
  if (t) return t;
  pthread_once(&once, choose);
  return atomic_load(&current);
}

const cv_dispatch *cv_dispatch_detected(void) {
  pthread_once(&once, choose);
  return detected;
}

const cv_dispatch *cv_dispatch_portable(void) { return &portable; }

void cv_cpu_force_portable(int on) {
  pthread_once(&once, choose);
  atomic_store(&forced, on ? 1 : 0);
  atomic_store(&current, on ? &portable : detected);
}

const char *cv_cpu_path(void) { return cv_dispatch_get()->name; }
