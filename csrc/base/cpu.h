/* cpu.h - runtime CPU feature detection, read once. Fast kernels are chosen by these answers;
 * CVISION_SIMD=0 in the environment forces the portable C paths (tests run both). */
#ifndef CV_CPU_H
#define CV_CPU_H

/* 1 when the CPU has AVX2 and FMA and CVISION_SIMD is not "0"; cv_cpu_force_portable overrides. */
int cv_cpu_avx2(void);
/* Forces (1) or releases (0) the portable paths, for tests comparing both. */
void cv_cpu_force_portable(int on);
/* "avx2+fma" or "portable": the path kernels take now. */
const char *cv_cpu_path(void);

#endif
