/* fuzz/fuzz_loaders.c - libFuzzer harness of the Lua-side loaders (safetensors, model files and
 * their JSON configs, weights, CSV, JSON, history, stroke data): one Lua state with cvision (its C core linked
 * in), fuzz/loaders.lua choosing the loader by the first byte, the rest of the input as the file.
 * Run from the repository's root (make fuzz does). A loader's error message is fine; a crash, a
 * sanitizer report, or a non-string error (lua_error below) is a finding. */
#include "fuzz_file.h"
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>

int luaopen_cvision_core(lua_State *L);

static lua_State *L;
static int run_ref = LUA_NOREF;

static void setup(void) {
  L = luaL_newstate();
  luaL_openlibs(L);
  luaL_dostring(L, "package.path = './lua/?.lua;./lua/?/init.lua;' .. package.path");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_cvision_core);
  lua_setfield(L, -2, "cvision.core");
  lua_pop(L, 1);
  if (luaL_dofile(L, "fuzz/loaders.lua") != LUA_OK) {
    fprintf(stderr, "fuzz_loaders: %s (run from the repository's root)\n", lua_tostring(L, -1));
    abort();
  }
  run_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  luaL_dostring(L, "require('cvision').set_limits{max_tensor_bytes = 1 << 26, max_file_bytes = 1 << 24, "
                   "max_image_pixels = 1 << 22}");
}

int cv_fuzz_loaders(const uint8_t *d, size_t n) {
  if (!L) setup();
  if (n < 1) return 0;
  char path[64];
  int fd = cv_fuzz_file(path, sizeof path, d + 1, n - 1);
  if (fd < 0) return 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, run_ref);
  lua_pushinteger(L, d[0]);
  lua_pushstring(L, path);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
    fprintf(stderr, "fuzz_loaders: %s\n", lua_tostring(L, -1));
    abort();                                  /* not a clean error: a finding */
  }
  close(fd);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}

#ifndef CV_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return cv_fuzz_loaders(d, n); }
#endif
