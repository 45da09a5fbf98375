/* l_tensor.c - the Tensor userdata: its metatable and the one registration of every tensor
 * binding (lcv_open_tensor), creation, shape and reshaping, printing, and the helpers the other
 * l_tensor_*.c files share (l_tensor.h): arithmetic and reductions are in l_tensor_math.c,
 * indexing and slicing in l_tensor_index.c, copies and conversions in l_tensor_copy.c.
 * A userdata holds a cv_tensor by value, created empty before any allocation so that an error
 * half-way leaks nothing; __gc releases the storage reference.
 * Indices and axes are 1-based here (Lua, Torch7) and 0-based in the core (tensor_ops.h);
 * every loop over elements is in the core. */
#include "l_tensor.h"
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
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
  if (t->dtype != CV_FLOAT32)
    luaL_argerror(L, idx, lua_pushfstring(L, "float32 tensor expected, got %s", cv_dtype_name(t->dtype)));
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

/* The collector sees only the small userdata of a tensor, not its storage (malloc'd by the core),
 * so a loop making a new tensor per step (a batch, a temporary of t*2+1) would pile up hundreds
 * of megabytes of garbage before the Lua heap grows enough to start a cycle. So the bindings count
 * the bytes they allocate, and once they exceed the storage that was alive after the last full
 * collection (at least GC_MIN_BYTES), they run one: garbage stays below max(live, 32 MB).
 * The counters are process-wide (one figure for all Lua states is good enough for a heuristic). */
#define GC_MIN_BYTES ((int64_t)32 << 20)
static _Atomic int64_t gc_pending, gc_limit = GC_MIN_BYTES;

void lcv_gc_account(lua_State *L, const cv_tensor *t) {
  int64_t n = t->numel * (int64_t)cv_dtype_size(t->dtype);
  if (atomic_fetch_add(&gc_pending, n) + n < atomic_load(&gc_limit)) return;
  atomic_store(&gc_pending, 0);
  if (!lua_gc(L, LUA_GCISRUNNING)) return;   /* collectgarbage("stop") is the user's call */
  lua_gc(L, LUA_GCCOLLECT);
  int64_t live = cv_tensor_live_bytes();
  atomic_store(&gc_limit, live > GC_MIN_BYTES ? live : GC_MIN_BYTES);
}

cv_tensor *lcv_newtensor(lua_State *L, cv_dtype dt, int ndim, const int64_t *shape) {
  cv_tensor *t = push_empty(L);
  LCV_CHECK(L, cv_tensor_alloc(t, dt, ndim, shape), "tensor");
  lcv_gc_account(L, t);
  return t;
}

/* like lcv_newtensor, without zeroing: for results the core writes in full */
cv_tensor *lcv_newresult(lua_State *L, cv_dtype dt, int ndim, const int64_t *shape) {
  cv_tensor *t = push_empty(L);
  LCV_CHECK(L, cv_tensor_alloc_uninit(t, dt, ndim, shape), "tensor");
  lcv_gc_account(L, t);
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

/* ---------------------------------------------------------------- argument helpers */

cv_dtype lcv_checkdtype(lua_State *L, int idx, cv_dtype def) {
  if (lua_isnoneornil(L, idx)) return def;
  const char *s = luaL_checkstring(L, idx);
  if (strcmp(s, "float32") == 0 || strcmp(s, "float") == 0) return CV_FLOAT32;
  if (strcmp(s, "uint8") == 0 || strcmp(s, "byte") == 0) return CV_UINT8;
  if (strcmp(s, "int8") == 0) return CV_INT8;
  return (cv_dtype)luaL_argerror(L, idx, lua_pushfstring(L, "dtype must be 'float32', 'uint8' or "
                                                          "'int8', got '%s'", s));
}

/* 1-based (negative from the end) axis argument -> 0-based */
int lcv_checkaxis(lua_State *L, int idx, int ndim) {
  lua_Integer a = luaL_checkinteger(L, idx);
  lua_Integer j = a < 0 ? ndim + a + 1 : a;
  if (j < 1 || j > ndim)
    luaL_argerror(L, idx, lua_pushfstring(L, "axis %I out of range for a tensor of rank %d",
                                          (LUAI_UACINT)a, ndim));
  return (int)(j - 1);
}
void lcv_pushelement(lua_State *L, const cv_tensor *t, int64_t flat) {
  if (t->dtype == CV_UINT8) lua_pushinteger(L, cv_tensor_u8(t)[flat]);
  else if (t->dtype == CV_INT8) lua_pushinteger(L, cv_tensor_i8(t)[flat]);
  else lua_pushnumber(L, cv_tensor_f32(t)[flat]);
}

/* ---------------------------------------------------------------- creation */

/* empty(shape [, dtype]) --> tensor of zeros */
static int l_empty(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  lcv_newtensor(L, lcv_checkdtype(L, 2, CV_FLOAT32), nd, shape);
  return 1;
}

/* full(shape, value [, dtype]) --> tensor */
static int l_full(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  double v = luaL_checknumber(L, 2);
  cv_tensor *t = lcv_newresult(L, lcv_checkdtype(L, 3, CV_FLOAT32), nd, shape);
  cv_tensor_fill(t, v);
  return 1;
}

/* arange(stop) | arange(start, stop [, step]) --> float32 tensor, like numpy */
static int l_arange(lua_State *L) {
  double start = 0, stop, step = 1;
  if (lua_isnoneornil(L, 2)) stop = luaL_checknumber(L, 1);
  else {
    start = luaL_checknumber(L, 1);
    stop = luaL_checknumber(L, 2);
    step = luaL_optnumber(L, 3, 1);
  }
  luaL_argcheck(L, step != 0, 3, "step must not be zero");
  double c = ceil((stop - start) / step);
  /* c may be NaN, infinite or beyond int64 (converting those is undefined behaviour) */
  if (c > 0x1p53)
    return luaL_error(L, "arange: %f elements are too many", c);
  int64_t n = c > 0 ? (int64_t)c : 0;
  cv_tensor *t = lcv_newresult(L, CV_FLOAT32, 1, &n);
  cv_tensor_arange(t, start, step);
  return 1;
}

/* rand(shape [, lo [, hi]]) --> float32 uniform in [lo, hi) (default [0, 1)) */
static int l_rand(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  double lo = luaL_optnumber(L, 2, 0), hi = luaL_optnumber(L, 3, 1);
  cv_tensor *t = lcv_newresult(L, CV_FLOAT32, nd, shape);
  cv_tensor_rand_uniform(t, lo, hi);
  return 1;
}

/* randn(shape [, mean [, std]]) --> float32 normal draws */
static int l_randn(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  double mean = luaL_optnumber(L, 2, 0), std = luaL_optnumber(L, 3, 1);
  cv_tensor *t = lcv_newresult(L, CV_FLOAT32, nd, shape);
  cv_tensor_rand_normal(t, mean, std);
  return 1;
}

static int is_leaf(lua_State *L, int idx) {
  int ty = lua_type(L, idx);
  return ty == LUA_TNUMBER || ty == LUA_TBOOLEAN;
}

/* fills t from the nested table at idx (level d), checking every level against the shape */
static void fill_nested(lua_State *L, int idx, int d, cv_tensor *t, int64_t *pos) {
  int64_t n = t->shape[d];
  lua_Integer len = (lua_Integer)lua_rawlen(L, idx);
  if (len != n)
    luaL_error(L, "cv.tensor: ragged nested table at depth %d (expected %I elements, got %I)",
               d + 1, (LUAI_UACINT)n, (LUAI_UACINT)len);
  luaL_checkstack(L, 4, "cv.tensor: nesting too deep");
  for (int64_t i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i);
    int top = lua_gettop(L);
    if (d + 1 < t->ndim) {
      if (!lua_istable(L, top))
        luaL_error(L, "cv.tensor: ragged nested table at depth %d (expected a table of %I "
                   "elements, got %s)", d + 2, (LUAI_UACINT)t->shape[d + 1], luaL_typename(L, top));
      fill_nested(L, top, d + 1, t, pos);
    } else {
      if (!is_leaf(L, top))
        luaL_error(L, "cv.tensor: ragged nested table at depth %d (expected a number, got %s)",
                   d + 2, luaL_typename(L, top));
      double v = lua_isboolean(L, top) ? lua_toboolean(L, top) : lua_tonumber(L, top);
      cv_tensor_set_flat(t, (*pos)++, v);
    }
    lua_pop(L, 1);
  }
}

/* tensor(data [, dtype]) --> tensor: data is a nested table of numbers, a number (0-d) or a
 * tensor (copied) */
static int l_tensor(lua_State *L) {
  cv_dtype dt = lcv_checkdtype(L, 2, CV_FLOAT32);
  cv_tensor *src = lcv_totensor(L, 1);
  if (src) {
    cv_tensor *t = lcv_newtensor(L, lua_isnoneornil(L, 2) ? src->dtype : dt, src->ndim, src->shape);
    LCV_CHECK(L, cv_tensor_copy(t, src), "cv.tensor");
    return 1;
  }
  if (is_leaf(L, 1)) {
    cv_tensor *t = lcv_newtensor(L, dt, 0, NULL);
    cv_tensor_set_flat(t, 0, lua_isboolean(L, 1) ? lua_toboolean(L, 1) : lua_tonumber(L, 1));
    return 1;
  }
  luaL_argcheck(L, lua_istable(L, 1), 1, "nested table of numbers expected");
  /* the shape comes from the first element at every level */
  int64_t shape[CV_MAX_DIMS];
  int nd = 0;
  lua_pushvalue(L, 1);
  for (;;) {
    if (nd == CV_MAX_DIMS) luaL_error(L, "cv.tensor: more than %d nested levels", CV_MAX_DIMS);
    lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
    shape[nd++] = len;
    if (len == 0) break;
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
    if (!lua_istable(L, -1)) break;
  }
  lua_pop(L, 1);
  cv_tensor *t = lcv_newtensor(L, dt, nd, shape);
  int64_t pos = 0;
  fill_nested(L, 1, 0, t, &pos);
  return 1;
}

/* is_tensor(x) --> boolean */
static int l_is_tensor(lua_State *L) {
  lua_pushboolean(L, lcv_totensor(L, 1) != NULL);
  return 1;
}

/* converts the value at idx into a tensor on the stack (tables via cv.tensor); returns it */
cv_tensor *lcv_totensorarg(lua_State *L, int idx) {
  cv_tensor *v = lcv_totensor(L, idx);
  if (v) return lcv_checktensor(L, idx);
  luaL_argcheck(L, lua_istable(L, idx), idx, "number, tensor or nested table expected");
  lua_pushcfunction(L, l_tensor);
  lua_pushvalue(L, idx);
  lua_call(L, 1, 1);
  lua_replace(L, idx);
  return lcv_checktensor(L, idx);
}

/* ---------------------------------------------------------------- shape and reshaping */

/* shape(t) --> table */
static int l_shape(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lcv_pushshape(L, t->ndim, t->shape);
  return 1;
}

/* dtype(t) --> "float32" | "uint8" | "int8" */
static int l_dtype(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lua_pushstring(L, cv_dtype_name(t->dtype));
  return 1;
}

/* t:numel() --> integer */
static int l_numel(lua_State *L) {
  lua_pushinteger(L, lcv_checktensor(L, 1)->numel);
  return 1;
}

/* t:dim() --> integer */
static int m_dim(lua_State *L) {
  lua_pushinteger(L, lcv_checktensor(L, 1)->ndim);
  return 1;
}

/* t:size([axis]) --> integer, or the shape table */
static int m_size(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  if (lua_isnoneornil(L, 2)) lcv_pushshape(L, t->ndim, t->shape);
  else lua_pushinteger(L, t->shape[lcv_checkaxis(L, 2, t->ndim)]);
  return 1;
}

/* t:reshape(shape) | t:reshape(d1, d2, ...) --> view (one dimension may be -1) */
static int m_reshape(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  int64_t shape[CV_MAX_DIMS];
  int nd = 0, infer = -1;
  int tab = lua_istable(L, 2);
  int n = tab ? (int)luaL_len(L, 2) : lua_gettop(L) - 1;
  luaL_argcheck(L, n <= CV_MAX_DIMS, 2, "too many dimensions");
  int64_t known = 1;
  for (int i = 0; i < n; i++) {
    lua_Integer v;
    if (tab) {
      lua_geti(L, 2, i + 1);
      int ok;
      v = lua_tointegerx(L, -1, &ok);
      lua_pop(L, 1);
      if (!ok) luaL_argerror(L, 2, "shape must hold integers");
    } else {
      v = luaL_checkinteger(L, i + 2);
    }
    if (v == -1) {
      if (infer >= 0) luaL_argerror(L, 2, "only one dimension can be -1");
      infer = nd;
      v = 1;
    } else if (v < 0) {
      luaL_argerror(L, 2, "shape must hold non-negative integers (or one -1)");
    }
    shape[nd++] = v;
  }
  known = cv_shape_numel(nd, shape);   /* -1 when the product overflows: no tensor has that many */
  if (infer >= 0) shape[infer] = known > 0 ? t->numel / known : 0;
  int64_t total = known < 0 ? -1 : cv_shape_numel(nd, shape);
  if (total != t->numel || (infer >= 0 && known * shape[infer] != t->numel)) {
    char buf[160];
    if (infer >= 0) shape[infer] = -1;
    cv_shape_format(buf, sizeof buf, nd, shape);
    return luaL_error(L, "reshape: cannot reshape a tensor of %I elements into shape %s",
                      (LUAI_UACINT)t->numel, buf);
  }
  lcv_pushview(L, t, 0, nd, shape);
  return 1;
}

/* ---------------------------------------------------------------- printing and statistics */

/* tostring(t) --> numpy's repr */
static int t_tostring(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  char *s = cv_tensor_format(t);
  if (!s) return luaL_error(L, "tostring: out of memory");
  lua_pushstring(L, s);
  free(s);
  return 1;
}

/* live_bytes() --> bytes of tensor storage allocated and not yet freed (all tensors) */
static int l_live_bytes(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)cv_tensor_live_bytes());
  return 1;
}

/* alloc_stats() --> count, bytes: tensor storages allocated since the start (all tensors) */
static int l_alloc_stats(lua_State *L) {
  int64_t count, bytes;
  cv_tensor_alloc_stats(&count, &bytes);
  lua_pushinteger(L, (lua_Integer)count);
  lua_pushinteger(L, (lua_Integer)bytes);
  return 2;
}

/* rng_state() --> the global stream's whole state as 48 hex digits; rng_state(s): sets it */
static int l_rng_state(lua_State *L) {
  cv_rng r;
  uint32_t w[6];
  if (lua_isnoneornil(L, 1)) {
    cv_rng_get_state(&r);
    memcpy(&w[5], &r.spare, 4);
    char buf[49];
    snprintf(buf, sizeof buf, "%08x%08x%08x%08x%08x%08x", (unsigned)r.s[0], (unsigned)r.s[1],
             (unsigned)r.s[2], (unsigned)r.s[3], (unsigned)(r.has_spare != 0), (unsigned)w[5]);
    lua_pushstring(L, buf);
    return 1;
  }
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  luaL_argcheck(L, n == 48 && strspn(s, "0123456789abcdef") == 48, 1, "a state from rng_state() expected");
  for (int i = 0; i < 6; i++) {
    char part[9];
    memcpy(part, s + 8 * i, 8);
    part[8] = 0;
    w[i] = (uint32_t)strtoul(part, NULL, 16);
  }
  for (int i = 0; i < 4; i++) r.s[i] = w[i];
  luaL_argcheck(L, (r.s[0] | r.s[1] | r.s[2] | r.s[3]) != 0 && w[4] <= 1, 1, "not a valid state");
  r.has_spare = (int)w[4];
  memcpy(&r.spare, &w[5], 4);
  cv_rng_set_state(&r);
  return 0;
}

/* manual_seed(n) */
static int l_manual_seed(lua_State *L) {
  cv_rng_seed((uint64_t)luaL_checkinteger(L, 1));
  return 0;
}

static const luaL_Reg funcs[] = {
  {"empty", l_empty},
  {"full", l_full},
  {"tensor", l_tensor},
  {"arange", l_arange},
  {"rand", l_rand},
  {"randn", l_randn},
  {"is_tensor", l_is_tensor},
  {"shape", l_shape},
  {"dtype", l_dtype},
  {"numel", l_numel},
  {"manual_seed", l_manual_seed},
  {"rng_state", l_rng_state},
  {"live_bytes", l_live_bytes},
  {"alloc_stats", l_alloc_stats},
  {NULL, NULL}
};

static const luaL_Reg methods[] = {
  {"numel", l_numel}, {"dim", m_dim}, {"size", m_size}, {"reshape", m_reshape},
  {"view", m_reshape},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__gc", t_gc},
  {"__close", t_gc},
  {"__tostring", t_tostring},
  {NULL, NULL}
};

/* Every tensor binding, whichever file defines it, is registered here. */
void lcv_open_tensor(lua_State *L) {
  if (luaL_newmetatable(L, LCV_TENSOR_MT)) {
    luaL_setfuncs(L, meta, 0);
    luaL_setfuncs(L, lcv_tensor_math_meta, 0);
    luaL_setfuncs(L, lcv_tensor_index_meta, 0);
    lua_newtable(L);                  /* methods, extended from Lua by cvision.tensor */
    luaL_setfuncs(L, methods, 0);
    luaL_setfuncs(L, lcv_tensor_copy_methods, 0);
    luaL_setfuncs(L, lcv_tensor_math_methods, 0);
    luaL_setfuncs(L, lcv_tensor_index_methods, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "methods");
    lua_pushcclosure(L, lcv_tensor_index, 1);  /* __index looks methods up first, then fields and rows */
    lua_setfield(L, -2, "__index");
  }
  lua_setfield(L, -2, "Tensor");      /* core.Tensor = the metatable */
  luaL_setfuncs(L, funcs, 0);
  luaL_setfuncs(L, lcv_tensor_copy_funcs, 0);
}
