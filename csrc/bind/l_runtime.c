/* l_runtime.c - bindings of the runtime services: the monotonic clock, the thread count shared by
 * cvision's pool and OpenBLAS, and the kernel path chosen by CPU detection. */
#include "lcv.h"
#include "nn/conv/conv.h"
#include "base/cpu.h"
#include "base/limits.h"
#include <time.h>

/* monotonic() --> seconds (float) from an arbitrary start; for progress bars and benchmarks */
static int l_monotonic(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
  return 1;
}

/* set_num_threads(n): cvision's pool uses n threads, OpenBLAS one */
static int l_set_num_threads(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 1 && n <= 64, 1, "thread count must be between 1 and 64");
  cv_set_num_threads((int)n);
  return 0;
}

/* get_num_threads() --> n */
static int l_get_num_threads(lua_State *L) {
  lua_pushinteger(L, cv_get_num_threads());
  return 1;
}

/* cpu_path() --> "avx2+fma" | "portable" */
static int l_cpu_path(lua_State *L) {
  lua_pushstring(L, cv_cpu_path());
  return 1;
}

/* force_portable(on): run the portable C kernels even on an AVX2 CPU (for tests) */
static int l_force_portable(lua_State *L) {
  cv_cpu_force_portable(lua_toboolean(L, 1));
  return 0;
}

/* set_winograd(on): Winograd F(2x2,3x3) for eligible 3x3 convolutions (default on), or the
 * direct implicit GEMM (for tests and A/B measurements) */
static int l_set_winograd(lua_State *L) {
  luaL_checkany(L, 1);
  cv_conv2d_set_winograd(lua_toboolean(L, 1));
  return 0;
}

/* limits() --> {max_image_pixels, max_tensor_bytes, max_file_bytes}: the budgets in force.
 * limits(t): sets them (a field left out keeps its value; each a positive integer) */
static int l_limits(lua_State *L) {
  cv_limits l;
  cv_limits_get(&l);
  if (!lua_isnoneornil(L, 1)) {
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const keys[] = {"max_image_pixels", "max_tensor_bytes", "max_file_bytes"};
    int64_t *fields[] = {&l.max_image_pixels, &l.max_tensor_bytes, &l.max_file_bytes};
    for (int i = 0; i < 3; i++) {
      if (lua_getfield(L, 1, keys[i]) != LUA_TNIL) {
        int isint;
        lua_Integer v = lua_tointegerx(L, -1, &isint);
        if (!isint || v < 1)
          return luaL_error(L, "set_limits: %s must be a positive integer, not %s", keys[i],
                            luaL_tolstring(L, -1, NULL));
        *fields[i] = (int64_t)v;
      }
      lua_pop(L, 1);
    }
    LCV_CHECK(L, cv_limits_set(&l), "set_limits");
  }
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)l.max_image_pixels);
  lua_setfield(L, -2, "max_image_pixels");
  lua_pushinteger(L, (lua_Integer)l.max_tensor_bytes);
  lua_setfield(L, -2, "max_tensor_bytes");
  lua_pushinteger(L, (lua_Integer)l.max_file_bytes);
  lua_setfield(L, -2, "max_file_bytes");
  return 1;
}

static const luaL_Reg funcs[] = {
  {"limits", l_limits},
  {"monotonic", l_monotonic},
  {"set_num_threads", l_set_num_threads},
  {"get_num_threads", l_get_num_threads},
  {"cpu_path", l_cpu_path},
  {"force_portable", l_force_portable},
  {"set_winograd", l_set_winograd},
  {NULL, NULL}
};

void lcv_open_runtime(lua_State *L) {
  cv_get_num_threads();  /* reads CVISION_NUM_THREADS and pins OpenBLAS to one thread, once */
  luaL_setfuncs(L, funcs, 0);
}
