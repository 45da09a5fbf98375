/* l_tensor.c - the Tensor userdata: creation, shape, element access, conversion.
 * A userdata holds a cv_tensor by value, created empty before any allocation so that an error
 * half-way leaks nothing; __gc releases the storage reference. */
#include "lcv.h"
#include <string.h>

cv_tensor *lcv_totensor(lua_State *L, int idx) {
  return (cv_tensor *)luaL_testudata(L, idx, LCV_TENSOR_MT);
}

cv_tensor *lcv_checktensor(lua_State *L, int idx) {
  cv_tensor *t = (cv_tensor *)luaL_testudata(L, idx, LCV_TENSOR_MT);
  if (!t) {
    const char *msg = lua_pushfstring(L, "tensor expected, got %s", luaL_typename(L, idx));
    luaL_argerror(L, idx, msg);
  }
  if (!t->storage) luaL_argerror(L, idx, "tensor has been freed");
  return t;
}

cv_tensor *lcv_checkf32(lua_State *L, int idx) {
  cv_tensor *t = lcv_checktensor(L, idx);
  if (t->dtype != CV_FLOAT32) luaL_argerror(L, idx, "float32 tensor expected, got uint8");
  return t;
}

int lcv_error(lua_State *L, cv_status st, const char *what) {
  const char *msg = cv_last_error();
  if (!msg[0]) msg = cv_status_name(st);
  if (what && what[0]) return luaL_error(L, "%s: %s", what, msg);
  return luaL_error(L, "%s", msg);
}

static cv_tensor *push_empty(lua_State *L) {
  cv_tensor *t = (cv_tensor *)lua_newuserdatauv(L, sizeof(cv_tensor), 0);
  memset(t, 0, sizeof *t);
  luaL_setmetatable(L, LCV_TENSOR_MT);
  return t;
}

cv_tensor *lcv_newtensor(lua_State *L, cv_dtype dt, int ndim, const int64_t *shape) {
  cv_tensor *t = push_empty(L);
  LCV_CHECK(L, cv_tensor_alloc(t, dt, ndim, shape), "tensor");
  return t;
}

cv_tensor *lcv_pushview(lua_State *L, const cv_tensor *src, int64_t offset, int ndim,
                        const int64_t *shape) {
  cv_tensor *t = push_empty(L);
  LCV_CHECK(L, cv_tensor_view(t, src, offset, ndim, shape), "view");
  return t;
}

int lcv_checkshape(lua_State *L, int idx, int64_t *shape) {
  luaL_checktype(L, idx, LUA_TTABLE);
  int n = (int)luaL_len(L, idx);
  luaL_argcheck(L, n <= CV_MAX_DIMS, idx, "too many dimensions");
  for (int i = 0; i < n; i++) {
    lua_geti(L, idx, i + 1);
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < 0) luaL_argerror(L, idx, "shape must hold non-negative integers");
    shape[i] = v;
    lua_pop(L, 1);
  }
  return n;
}

void lcv_pushshape(lua_State *L, int ndim, const int64_t *shape) {
  lua_createtable(L, ndim, 0);
  for (int i = 0; i < ndim; i++) {
    lua_pushinteger(L, shape[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

/* __gc(t): drops the storage reference */
static int t_gc(lua_State *L) {
  cv_tensor *t = (cv_tensor *)luaL_checkudata(L, 1, LCV_TENSOR_MT);
  cv_tensor_release(t);
  return 0;
}

/* empty(shape [, dtype]) --> tensor of zeros */
static int l_empty(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  const char *dt = luaL_optstring(L, 2, "float32");
  cv_dtype d;
  if (strcmp(dt, "float32") == 0) d = CV_FLOAT32;
  else if (strcmp(dt, "uint8") == 0) d = CV_UINT8;
  else return luaL_argerror(L, 2, "dtype must be 'float32' or 'uint8'");
  lcv_newtensor(L, d, nd, shape);
  return 1;
}

/* shape(t) --> table */
static int l_shape(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lcv_pushshape(L, t->ndim, t->shape);
  return 1;
}

/* dtype(t) --> "float32" | "uint8" */
static int l_dtype(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lua_pushstring(L, cv_dtype_name(t->dtype));
  return 1;
}

/* numel(t) --> integer */
static int l_numel(lua_State *L) {
  lua_pushinteger(L, lcv_checktensor(L, 1)->numel);
  return 1;
}

/* manual_seed(n) */
static int l_manual_seed(lua_State *L) {
  cv_rng_seed((uint64_t)luaL_checkinteger(L, 1));
  return 0;
}

static const luaL_Reg funcs[] = {
  {"empty", l_empty},
  {"shape", l_shape},
  {"dtype", l_dtype},
  {"numel", l_numel},
  {"manual_seed", l_manual_seed},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__gc", t_gc},
  {"__close", t_gc},
  {NULL, NULL}
};

void lcv_open_tensor(lua_State *L) {
  if (luaL_newmetatable(L, LCV_TENSOR_MT)) {
    luaL_setfuncs(L, meta, 0);
    lua_newtable(L);                  /* methods, extended from Lua by cvision.tensor */
    lua_setfield(L, -2, "methods");
  }
  lua_setfield(L, -2, "Tensor");      /* core.Tensor = the metatable */
  luaL_setfuncs(L, funcs, 0);
}
