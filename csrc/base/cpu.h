/* cpu.h - runtime CPU feature detection, read once (thread-safe). It only answers what the
 * hardware can do: which kernels run is the dispatch table's business (base/dispatch.h), which
 * also honours CVISION_SIMD=0. */
#ifndef CV_CPU_H
#define CV_CPU_H

/* 1 when the CPU has AVX2 and FMA (whatever the dispatch table in use) */
int cv_cpu_avx2(void);
/* 1 when the CPU has AVX-512 F, BW, VL and DQ (for an AVX-512 table; none yet) */
int cv_cpu_avx512(void);
/* Forces (1) or releases (0) the portable dispatch table, for tests comparing both paths. */
void cv_cpu_force_portable(int on);
/* The name of the dispatch table in use: "avx2+fma" or "portable" (later "avx512"). */
const char *cv_cpu_path(void);

#endif
