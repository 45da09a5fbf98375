/* l_workspace.c - core.nn.workspace(): a cv_workspace as Lua userdata (metatable
 * "cvision.Workspace"), the scratch memory a layer keeps across batches so its conv/dense calls
 * allocate nothing after the first. The userdata is pushed empty (NULL) before the workspace is
 * allocated, so a failed allocation leaks nothing; __gc and __close free it.
 * Every conv/dense/pool binding of core.nn takes one as an optional LAST argument
 * (lcv_optworkspace); without it the call allocates its own scratch and frees it. */
#include "lcv.h"

#define WS_MT "cvision.Workspace"

typedef struct lws { cv_workspace *ws; } lws;

cv_workspace *lcv_optworkspace(lua_State *L) {
  int top = lua_gettop(L);
  if (top < 1) return NULL;
  lws *u = luaL_testudata(L, top, WS_MT);
  if (!u) return NULL;
  if (!u->ws) luaL_argerror(L, top, "workspace: it has been closed");
  cv_workspace *ws = u->ws;
  lua_settop(L, top - 1);  /* the other arguments are read as if it had not been passed */
  return ws;
}

/* workspace() --> a new, empty workspace */
int lcv_workspace_new(lua_State *L) {
  lws *u = lua_newuserdatauv(L, sizeof(lws), 0);
  u->ws = NULL;
  luaL_setmetatable(L, WS_MT);
  if (!(u->ws = cv_workspace_new())) return luaL_error(L, "workspace: out of memory");
  return 1;
}

/* __gc(ws), __close(ws): frees every region and the workspace; later use is an error */
static int ws_gc(lua_State *L) {
  lws *u = luaL_checkudata(L, 1, WS_MT);
  cv_workspace_free(u->ws);
  u->ws = NULL;
  return 0;
}

/* ws:bytes() --> bytes held by its regions (0 when closed) */
static int ws_bytes(lua_State *L) {
  lws *u = luaL_checkudata(L, 1, WS_MT);
  lua_pushinteger(L, (lua_Integer)cv_workspace_bytes(u->ws));
  return 1;
}

/* ws:release(): frees the regions, keeps the workspace usable (it grows again on use) */
static int ws_release(lua_State *L) {
  lws *u = luaL_checkudata(L, 1, WS_MT);
  cv_workspace_release(u->ws);
  return 0;
}

/* tostring(ws) --> "workspace (N bytes)" */
static int ws_tostring(lua_State *L) {
  lws *u = luaL_checkudata(L, 1, WS_MT);
  if (!u->ws) lua_pushliteral(L, "workspace (closed)");
  else lua_pushfstring(L, "workspace (%I bytes)", (lua_Integer)cv_workspace_bytes(u->ws));
  return 1;
}

static const luaL_Reg methods[] = {
  {"bytes", ws_bytes},
  {"release", ws_release},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__gc", ws_gc},
  {"__close", ws_gc},
  {"__tostring", ws_tostring},
  {NULL, NULL}
};

void lcv_open_workspace(lua_State *L) {
  if (luaL_newmetatable(L, WS_MT)) {
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}
