/* main.c - bin/cvision: Lua 5.4 with cvision preloaded. Runs a script, -e code, or a REPL. */
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>

int luaopen_cvision_core(lua_State *L);

static int report(lua_State *L, int st) {
  if (st != LUA_OK) {
    fprintf(stderr, "cvision: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  return st;
}

int main(int argc, char **argv) {
  lua_State *L = luaL_newstate();
  if (!L) return 1;
  luaL_openlibs(L);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_cvision_core);
  lua_setfield(L, -2, "cvision.core");
  lua_pop(L, 1);
  int st = report(L, luaL_dostring(L, "cv = require 'cvision'"));
  for (int i = 1; st == LUA_OK && i < argc; i++) {
    if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) st = report(L, luaL_dostring(L, argv[++i]));
    else st = report(L, luaL_dofile(L, argv[i]));
  }
  lua_close(L);
  return st == LUA_OK ? 0 : 1;
}
