/* l_sys.c - core.sys: facts about the build and the machine for cv.versions() (cvision.sys).
 * Reads the versions the libraries report at run time, not only the headers compiled against,
 * so a watermark shows what actually ran. */
#include "lcv.h"
#include "base/dispatch.h"
#include <png.h>

/* OpenBLAS' own query functions (declared here: its cblas.h differs between packagings). */
char *openblas_get_config(void);
char *openblas_get_corename(void);
int openblas_get_num_threads(void);

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_CPU_SUPPORTS 1
#endif

static void setstr(lua_State *L, const char *k, const char *v) {
  lua_pushstring(L, v ? v : "?");
  lua_setfield(L, -2, k);
}

/* sys.info() --> {lua=, openblas_config=, openblas_core=, openblas_threads=, libpng=,
 *                 libpng_header=, compiler=, cpu_features={avx2=bool,...}, cvision=,
 *                 simd=, simd_detected=}
 * simd is the name of the dispatch table the kernels run now ("avx2+fma", "portable"),
 * simd_detected the one CPU detection and CVISION_SIMD chose at start-up */
static int sys_info(lua_State *L) {
  lua_newtable(L);
  setstr(L, "cvision", CV_VERSION);
  setstr(L, "lua", LUA_RELEASE);
  setstr(L, "openblas_config", openblas_get_config());
  setstr(L, "openblas_core", openblas_get_corename());
  lua_pushinteger(L, openblas_get_num_threads());
  lua_setfield(L, -2, "openblas_threads");
  setstr(L, "libpng", png_get_libpng_ver(NULL));
  setstr(L, "libpng_header", PNG_LIBPNG_VER_STRING);
#if defined(__clang__)
  setstr(L, "compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
  setstr(L, "compiler", "gcc " __VERSION__);
#else
  setstr(L, "compiler", "unknown C compiler");
#endif
  setstr(L, "build_date", __DATE__ " " __TIME__);
  setstr(L, "simd", cv_dispatch_get()->name);
  setstr(L, "simd_detected", cv_dispatch_detected()->name);
  lua_newtable(L);
#ifdef HAVE_CPU_SUPPORTS
  __builtin_cpu_init();
  lua_pushboolean(L, __builtin_cpu_supports("sse4.2")); lua_setfield(L, -2, "sse4_2");
  lua_pushboolean(L, __builtin_cpu_supports("avx")); lua_setfield(L, -2, "avx");
  lua_pushboolean(L, __builtin_cpu_supports("avx2")); lua_setfield(L, -2, "avx2");
  lua_pushboolean(L, __builtin_cpu_supports("fma")); lua_setfield(L, -2, "fma");
  lua_pushboolean(L, __builtin_cpu_supports("avx512f")); lua_setfield(L, -2, "avx512f");
#endif
  lua_setfield(L, -2, "cpu_features");
#ifdef __SANITIZE_ADDRESS__
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "asan");
#endif
  return 1;
}

static const luaL_Reg funcs[] = {
  {"info", sys_info},
  {NULL, NULL}
};

void lcv_open_sys(lua_State *L) {
  luaL_newlib(L, funcs);
  lua_setfield(L, -2, "sys");
}
