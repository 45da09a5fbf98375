/* l_proc.c - core.proc: file locks and child processes for cv.tuner's workers (base/proc.h).
 *   proc.lock(path) --> lock (exclusive flock; lock:unlock(), also on close or collection)
 *   proc.spawn(argv, env) --> pid      argv a list of strings, env a table NAME -> value
 *   proc.wait(pid) --> exit code (128 + signal when killed)
 *   proc.kill(pid [, signal = 9])
 *   proc.pid() --> this process's id;  proc.exe() --> the running program's absolute path */
#include "lcv.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOCK_MT "cvision.proc.lock"

typedef struct { int fd; } lock_ud;

static int l_lock(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lock_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->fd = -1;
  luaL_setmetatable(L, LOCK_MT);
  LCV_CHECK(L, cv_proc_lock(&u->fd, path), "lock");
  return 1;
}

static int l_unlock(lua_State *L) {
  lock_ud *u = luaL_checkudata(L, 1, LOCK_MT);
  cv_proc_unlock(u->fd);
  u->fd = -1;
  return 0;
}

/* a NULL-terminated array of strings from the list at idx (in a userdata kept on the stack) */
static char **str_list(lua_State *L, int idx, const char *what) {
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_Integer n = luaL_len(L, idx);
  if (n < 1 || n > 4096) luaL_error(L, "spawn: %s must be a list of 1 to 4096 strings", what);
  char **v = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *v, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, idx, i);
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "spawn: %s[%d] is not a string", what, (int)i);
    v[i - 1] = (char *)lua_tostring(L, -1);
    lua_rawseti(L, idx, i);  /* keeps the string anchored in the list itself */
  }
  v[n] = NULL;
  return v;
}

static int l_spawn(lua_State *L) {
  lua_settop(L, 2);
  char **argv = str_list(L, 1, "argv");
  int nenv = 0;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 2)) { nenv++; lua_pop(L, 1); }
  }
  char **env = lua_newuserdatauv(L, (size_t)(nenv + 1) * sizeof *env, 0);
  int k = 0;
  lua_newtable(L);  /* anchors the "NAME=value" strings */
  int anchor = lua_gettop(L);
  if (nenv > 0) {
    lua_pushnil(L);
    while (lua_next(L, 2)) {
      if (lua_type(L, -2) != LUA_TSTRING || !(lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER))
        return luaL_error(L, "spawn: env must map names (strings) to strings or numbers");
      const char *s = lua_pushfstring(L, "%s=%s", lua_tostring(L, -2), lua_tostring(L, -1));
      lua_rawseti(L, anchor, k + 1);
      env[k++] = (char *)s;
      lua_pop(L, 1);
    }
  }
  env[k] = NULL;
  pid_t pid;
  LCV_CHECK(L, cv_proc_spawn(&pid, argv, env), "spawn");
  lua_pushinteger(L, (lua_Integer)pid);
  return 1;
}

static int l_wait(lua_State *L) {
  lua_Integer pid = luaL_checkinteger(L, 1);
  int code;
  LCV_CHECK(L, cv_proc_wait(&code, (pid_t)pid), "wait");
  lua_pushinteger(L, code);
  return 1;
}

static int l_kill(lua_State *L) {
  lua_Integer pid = luaL_checkinteger(L, 1);
  lua_Integer sig = luaL_optinteger(L, 2, SIGKILL);
  LCV_CHECK(L, cv_proc_kill((pid_t)pid, (int)sig), "kill");
  return 0;
}

static int l_pid(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)getpid());
  return 1;
}

static int l_exe(lua_State *L) {
  char buf[4096];
  LCV_CHECK(L, cv_proc_exe(buf, sizeof buf), "exe");
  lua_pushstring(L, buf);
  return 1;
}

/* proc.terminal_size([fd = 1]) --> columns, rows of the terminal on fd, or nil, reason when fd is
 * not a terminal (a file, a pipe, a notebook) */
static int l_terminal_size(lua_State *L) {
  lua_Integer fd = luaL_optinteger(L, 1, 1);
  luaL_argcheck(L, fd >= 0 && fd <= 1 << 20, 1, "a file descriptor expected");
  int cols, rows;
  if (cv_terminal_size(&cols, &rows, (int)fd) != CV_OK) {
    luaL_pushfail(L);
    lua_pushstring(L, cv_last_error());
    return 2;
  }
  lua_pushinteger(L, cols);
  lua_pushinteger(L, rows);
  return 2;
}

static const luaL_Reg funcs[] = {
  {"lock", l_lock}, {"spawn", l_spawn}, {"wait", l_wait}, {"kill", l_kill},
  {"pid", l_pid}, {"exe", l_exe}, {"terminal_size", l_terminal_size}, {NULL, NULL}
};

static const luaL_Reg lock_methods[] = {
  {"unlock", l_unlock}, {"__gc", l_unlock}, {"__close", l_unlock}, {NULL, NULL}
};

void lcv_open_proc(lua_State *L) {
  if (luaL_newmetatable(L, LOCK_MT)) {
    luaL_setfuncs(L, lock_methods, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  lua_setfield(L, -2, "proc");
}
