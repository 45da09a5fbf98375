/* l_tensor.c - the Tensor userdata: creation, shape, element access, views, arithmetic,
 * reductions and printing. A userdata holds a cv_tensor by value, created empty before any
 * allocation so that an error half-way leaks nothing; __gc releases the storage reference.
 * Indices and axes are 1-based here (Lua, Torch7) and 0-based in the core (tensor_ops.h);
 * every loop over elements is in the core. */
#include "lcv.h"
#include "base/finite.h"
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
static cv_tensor *new_result(lua_State *L, cv_dtype dt, int ndim, const int64_t *shape) {
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

static cv_dtype check_dtype(lua_State *L, int idx, cv_dtype def) {
  if (lua_isnoneornil(L, idx)) return def;
  const char *s = luaL_checkstring(L, idx);
  if (strcmp(s, "float32") == 0 || strcmp(s, "float") == 0) return CV_FLOAT32;
  if (strcmp(s, "uint8") == 0 || strcmp(s, "byte") == 0) return CV_UINT8;
  return (cv_dtype)luaL_argerror(L, idx, lua_pushfstring(L, "dtype must be 'float32' or 'uint8', "
                                                          "got '%s'", s));
}

/* 1-based (negative from the end) index i along axis (0-based) of size n -> 0-based */
static int64_t check_index(lua_State *L, lua_Integer i, int axis, int64_t n) {
  lua_Integer j = i < 0 ? n + i + 1 : i;
  if (j < 1 || j > n)
    luaL_error(L, "index %I out of range for axis %d of size %I", (LUAI_UACINT)i, axis + 1,
               (LUAI_UACINT)n);
  return (int64_t)(j - 1);
}

/* 1-based (negative from the end) axis argument -> 0-based */
static int check_axis(lua_State *L, int idx, int ndim) {
  lua_Integer a = luaL_checkinteger(L, idx);
  lua_Integer j = a < 0 ? ndim + a + 1 : a;
  if (j < 1 || j > ndim)
    luaL_argerror(L, idx, lua_pushfstring(L, "axis %I out of range for a tensor of rank %d",
                                          (LUAI_UACINT)a, ndim));
  return (int)(j - 1);
}

static int64_t per_row(const cv_tensor *t) {
  return t->ndim && t->shape[0] ? t->numel / t->shape[0] : (t->ndim ? 0 : 1);
}

static void push_number(lua_State *L, const cv_tensor *t, int64_t flat) {
  if (t->dtype == CV_UINT8) lua_pushinteger(L, cv_tensor_u8(t)[flat]);
  else lua_pushnumber(L, cv_tensor_f32(t)[flat]);
}

/* pushes t[i] (1-based on axis 1): a view, or a number for a 1-D tensor */
static void push_row(lua_State *L, const cv_tensor *t, lua_Integer i) {
  if (t->ndim == 0) luaL_error(L, "cannot index a 0-d tensor");
  int64_t r = check_index(L, i, 0, t->shape[0]);
  if (t->ndim == 1) push_number(L, t, r);
  else lcv_pushview(L, t, r * per_row(t), t->ndim - 1, t->shape + 1);
}

/* ---------------------------------------------------------------- creation */

/* empty(shape [, dtype]) --> tensor of zeros */
static int l_empty(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  lcv_newtensor(L, check_dtype(L, 2, CV_FLOAT32), nd, shape);
  return 1;
}

/* full(shape, value [, dtype]) --> tensor */
static int l_full(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  double v = luaL_checknumber(L, 2);
  cv_tensor *t = new_result(L, check_dtype(L, 3, CV_FLOAT32), nd, shape);
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
  cv_tensor *t = new_result(L, CV_FLOAT32, 1, &n);
  cv_tensor_arange(t, start, step);
  return 1;
}

/* rand(shape [, lo [, hi]]) --> float32 uniform in [lo, hi) (default [0, 1)) */
static int l_rand(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  double lo = luaL_optnumber(L, 2, 0), hi = luaL_optnumber(L, 3, 1);
  cv_tensor *t = new_result(L, CV_FLOAT32, nd, shape);
  cv_tensor_rand_uniform(t, lo, hi);
  return 1;
}

/* randn(shape [, mean [, std]]) --> float32 normal draws */
static int l_randn(lua_State *L) {
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 1, shape);
  double mean = luaL_optnumber(L, 2, 0), std = luaL_optnumber(L, 3, 1);
  cv_tensor *t = new_result(L, CV_FLOAT32, nd, shape);
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
  cv_dtype dt = check_dtype(L, 2, CV_FLOAT32);
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

/* the tensors of the list at idx as a C array (a userdata pushed on the stack keeps it), for
 * concat and split; what names the argument in errors */
static cv_tensor **tensor_list(lua_State *L, int idx, int *n) {
  luaL_checktype(L, idx, LUA_TTABLE);
  *n = (int)luaL_len(L, idx);
  luaL_argcheck(L, *n >= 1, idx, "non-empty list of tensors expected");
  cv_tensor **list = lua_newuserdatauv(L, sizeof(cv_tensor *) * (size_t)*n, 0);
  for (int k = 0; k < *n; k++) {
    lua_geti(L, idx, k + 1);
    cv_tensor *t = lcv_totensor(L, -1);
    if (!t || !t->storage)
      luaL_argerror(L, idx, lua_pushfstring(L, "element %d is not a tensor", k + 1));
    list[k] = t;
    lua_pop(L, 1);   /* the list table keeps it alive */
  }
  return list;
}

/* split(x, axis, outs) --> outs: x's consecutive blocks along axis (1-based) copied into the
 * tensors of the list outs (the inverse of concat into existing tensors: no allocation) */
static int l_split(lua_State *L) {
  cv_tensor *src = lcv_checktensor(L, 1);
  lua_settop(L, 3);
  int n, axis = check_axis(L, 2, src->ndim ? src->ndim : 1);
  if (src->ndim == 0) luaL_argerror(L, 1, "cannot split a 0-d tensor");
  cv_tensor **outs = tensor_list(L, 3, &n);
  LCV_CHECK(L, cv_tensor_split(outs, n, src, axis), "cv.split");
  lua_pushvalue(L, 3);
  return 1;
}

/* concat(list [, axis [, out]]) --> tensor joined along axis (1-based, default 1), written into
 * out when given (which must have the joined shape) */
static int l_concat(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 3);   /* the scratch list goes above the arguments */
  cv_tensor *into = lua_isnil(L, 3) ? NULL : lcv_checktensor(L, 3);
  int n;
  const cv_tensor *const *list = (const cv_tensor *const *)tensor_list(L, 1, &n);
  int axis = lua_isnoneornil(L, 2) ? 0 : check_axis(L, 2, list[0]->ndim ? list[0]->ndim : 1);
  cv_dtype dt = list[0]->dtype;
  int64_t shape[CV_MAX_DIMS];
  for (int d = 0; d < list[0]->ndim; d++) shape[d] = list[0]->shape[d];
  if (list[0]->ndim == 0) luaL_argerror(L, 1, "cannot concatenate 0-d tensors");
  int64_t total = 0;
  for (int k = 0; k < n; k++) {
    if (list[k]->dtype != dt) dt = CV_FLOAT32;
    if (list[k]->ndim == list[0]->ndim) total += list[k]->shape[axis];
  }
  shape[axis] = total;
  if (into) {
    LCV_CHECK(L, cv_tensor_concat(into, list, n, axis), "cv.concat");
    lua_pushvalue(L, 3);
    return 1;
  }
  cv_tensor *out = new_result(L, dt, list[0]->ndim, shape);
  LCV_CHECK(L, cv_tensor_concat(out, list, n, axis), "cv.concat");
  return 1;
}

/* ---------------------------------------------------------------- shape and views */

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

/* t:numel() --> integer */
static int l_numel(lua_State *L) {
  lua_pushinteger(L, lcv_checktensor(L, 1)->numel);
  return 1;
}

/* t:all_finite() --> true, or false and the 1-based flat position of the first NaN or infinity */
static int m_all_finite(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  int64_t i = t->dtype == CV_FLOAT32 ? cv_first_nonfinite_f32(cv_tensor_f32(t), t->numel) : -1;
  if (i < 0) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  lua_pushinteger(L, i + 1);
  return 2;
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
  else lua_pushinteger(L, t->shape[check_axis(L, 2, t->ndim)]);
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

/* t:slice(first [, last]) --> view of rows first..last (inclusive, 1-based, negative from the
 * end, clamped like string.sub) */
static int m_slice(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  luaL_argcheck(L, t->ndim >= 1, 1, "cannot slice a 0-d tensor");
  int64_t n = t->shape[0];
  lua_Integer i = luaL_optinteger(L, 2, 1), j = luaL_optinteger(L, 3, -1);
  if (i < 0) i = n + i + 1;
  if (j < 0) j = n + j + 1;
  if (i < 1) i = 1;
  if (j > n) j = n;
  int64_t rows = j >= i ? j - i + 1 : 0;
  int64_t shape[CV_MAX_DIMS];
  memcpy(shape, t->shape, sizeof shape);
  shape[0] = rows;
  lcv_pushview(L, t, rows ? (i - 1) * per_row(t) : 0, t->ndim, shape);
  return 1;
}

/* flat position of the 1-based indices at args first..first+ndim-1 */
static int64_t flat_index(lua_State *L, const cv_tensor *t, int first, int nargs) {
  if (nargs != t->ndim)
    luaL_error(L, "expected %d indices for a tensor of rank %d, got %d", t->ndim, t->ndim, nargs);
  int64_t flat = 0;
  for (int d = 0; d < t->ndim; d++)
    flat = flat * t->shape[d] + check_index(L, luaL_checkinteger(L, first + d), d, t->shape[d]);
  return flat;
}

/* t:at(i, j, ...) --> number */
static int m_at(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  push_number(L, t, flat_index(L, t, 2, lua_gettop(L) - 1));
  return 1;
}

/* t:set(i, j, ..., value) --> t */
static int m_set(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  int top = lua_gettop(L);
  double v = luaL_checknumber(L, top);
  cv_tensor_set_flat(t, flat_index(L, t, 2, top - 2), v);
  lua_settop(L, 1);
  return 1;
}

/* the rows named by the index tensor or table at idx, as 0-based int64 in a scratch userdata
 * pushed on the stack; *n gets their count, shape/nd the shape of the index */
static int64_t *check_rows(lua_State *L, int idx, int64_t *n, int64_t *shape, int *nd) {
  cv_tensor *it = lcv_totensor(L, idx);
  if (it) {
    int64_t *rows = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(it->numel ? it->numel : 1), 0);
    LCV_CHECK(L, cv_tensor_to_indices(rows, it, 1), "index");
    *n = it->numel;
    *nd = it->ndim;
    memcpy(shape, it->shape, sizeof(int64_t) * (size_t)it->ndim);
    return rows;
  }
  luaL_argcheck(L, lua_istable(L, idx), idx, "index tensor or table expected");
  lua_Integer len = luaL_len(L, idx);
  int64_t *rows = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(len ? len : 1), 0);
  for (lua_Integer i = 0; i < len; i++) {
    lua_geti(L, idx, i + 1);
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok) luaL_argerror(L, idx, "indices must be integers");
    rows[i] = v == LUA_MININTEGER ? INT64_MIN : (int64_t)v - 1;   /* out of range either way */
    lua_pop(L, 1);
  }
  *n = len;
  *nd = 1;
  shape[0] = len;
  return rows;
}

/* t:index(idx [, out]) --> copy of the rows named by a 1-based index tensor or table (shape
 * idx.shape .. t.shape[2..]); out, when given, is written instead of a new tensor (same shape
 * and dtype: a training loop's shuffled batches then allocate nothing) */
static int index_rows(lua_State *L, int tidx, int iidx) {
  cv_tensor *t = lcv_checktensor(L, tidx);
  luaL_argcheck(L, t->ndim >= 1, tidx, "cannot index a 0-d tensor");
  /* out is read before check_rows, which may push a buffer of its own */
  int oidx = lua_isnoneornil(L, iidx + 1) ? 0 : iidx + 1;
  cv_tensor *given = oidx ? lcv_checktensor(L, oidx) : NULL;
  int64_t n, shape[CV_MAX_DIMS];
  int nd;
  int64_t *rows = check_rows(L, iidx, &n, shape, &nd);
  if (nd + t->ndim - 1 > CV_MAX_DIMS) luaL_error(L, "index: result has too many dimensions");
  for (int d = 1; d < t->ndim; d++) shape[nd++] = t->shape[d];
  /* negative indices count from the end */
  for (int64_t i = 0; i < n; i++)
    if (rows[i] < -1) rows[i] += t->shape[0] + 1;
  cv_tensor *out = given;
  if (!out) {
    out = new_result(L, t->dtype, nd, shape);
  } else {
    int same = out->ndim == nd && out->dtype == t->dtype;
    for (int d = 0; same && d < nd; d++) same = out->shape[d] == shape[d];
    luaL_argcheck(L, same, oidx, "out must have the result's shape and dtype");
    lua_pushvalue(L, oidx);
  }
  LCV_CHECK(L, cv_tensor_gather_rows(out, t, rows, n), "index");
  return 1;
}

static int m_index(lua_State *L) { return index_rows(L, 1, 2); }

static int select_mask(lua_State *L, int tidx, int midx) {
  cv_tensor *t = lcv_checktensor(L, tidx);
  cv_tensor *m = lcv_checktensor(L, midx);
  int kind = cv_mask_kind(t, m, "select_mask");
  if (kind < 0) return lcv_error(L, CV_ESHAPE, NULL);
  int64_t cnt = cv_tensor_count_nonzero(m), shape[CV_MAX_DIMS];
  int nd = 1;
  shape[0] = cnt;
  if (kind == 1)
    for (int d = 1; d < t->ndim; d++) shape[nd++] = t->shape[d];
  cv_tensor *out = new_result(L, t->dtype, nd, shape);
  LCV_CHECK(L, cv_tensor_mask_select(out, t, m), "select_mask");
  return 1;
}

/* t:select_mask(mask) --> copy of the rows (1-D mask of length #t) or elements (mask shaped like
 * t) where mask is non-zero */
static int m_select_mask(lua_State *L) { return select_mask(L, 1, 2); }

/* __index(t, k): methods, t.shape, t.dtype, t[i] (view of row i, or a number for 1-D),
 * t[mask] (uint8 tensor), t[idx] (float32 tensor or table of indices) */
static int t_index(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  switch (lua_type(L, 2)) {
    case LUA_TSTRING: {
      lua_pushvalue(L, 2);
      if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
      const char *k = lua_tostring(L, 2);
      if (strcmp(k, "shape") == 0) lcv_pushshape(L, t->ndim, t->shape);
      else if (strcmp(k, "dtype") == 0) lua_pushstring(L, cv_dtype_name(t->dtype));
      else lua_pushnil(L);
      return 1;
    }
    case LUA_TNUMBER: {
      int ok;
      lua_Integer i = lua_tointegerx(L, 2, &ok);
      if (!ok) return luaL_error(L, "tensor index must be an integer, got %f", lua_tonumber(L, 2));
      push_row(L, t, i);
      return 1;
    }
    case LUA_TUSERDATA: {
      cv_tensor *k = lcv_checktensor(L, 2);
      return k->dtype == CV_UINT8 ? select_mask(L, 1, 2) : index_rows(L, 1, 2);
    }
    case LUA_TTABLE:
      return index_rows(L, 1, 2);
    default:
      lua_pushnil(L);
      return 1;
  }
}

/* converts the value at idx into a tensor on the stack (tables via cv.tensor); returns it */
static cv_tensor *to_tensor_arg(lua_State *L, int idx) {
  cv_tensor *v = lcv_totensor(L, idx);
  if (v) return lcv_checktensor(L, idx);
  luaL_argcheck(L, lua_istable(L, idx), idx, "number, tensor or nested table expected");
  lua_pushcfunction(L, l_tensor);
  lua_pushvalue(L, idx);
  lua_call(L, 1, 1);
  lua_replace(L, idx);
  return lcv_checktensor(L, idx);
}

/* __newindex(t, k, v): t[i] = number | tensor | table; t[mask] = number; t[idx] = number (idx a
 * float32 tensor or a table of 1-based row indices) */
static int t_newindex(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  int kt = lua_type(L, 2);
  if (kt == LUA_TNUMBER) {
    int ok;
    lua_Integer i = lua_tointegerx(L, 2, &ok);
    if (!ok) return luaL_error(L, "tensor index must be an integer, got %f", lua_tonumber(L, 2));
    if (t->ndim == 0) return luaL_error(L, "cannot index a 0-d tensor");
    int64_t r = check_index(L, i, 0, t->shape[0]);
    if (lua_type(L, 3) == LUA_TNUMBER && t->ndim == 1) {
      cv_tensor_set_flat(t, r, lua_tonumber(L, 3));
      return 0;
    }
    cv_tensor *v = lua_type(L, 3) == LUA_TNUMBER ? NULL : to_tensor_arg(L, 3);
    cv_tensor row;   /* a view on the C stack: nothing below may raise before its release */
    LCV_CHECK(L, cv_tensor_view(&row, t, r * per_row(t), t->ndim - 1, t->shape + 1), "index");
    cv_status st = CV_OK;
    if (v) st = cv_tensor_assign(&row, v);
    else cv_tensor_fill(&row, lua_tonumber(L, 3));
    cv_tensor_release(&row);
    LCV_CHECK(L, st, "assignment");
    return 0;
  }
  cv_tensor *m = kt == LUA_TUSERDATA ? lcv_checktensor(L, 2) : NULL;
  if (m && m->dtype == CV_UINT8) {
    LCV_CHECK(L, cv_tensor_mask_fill(t, m, luaL_checknumber(L, 3)), "assignment");
    return 0;
  }
  if (m || kt == LUA_TTABLE) {
    /* t[idx] = number: the rows named by 1-based indices, as t[idx] reads them (a float32 index
     * tensor is not a mask: {2, 0} names row 2 and an invalid row 0) */
    double v = luaL_checknumber(L, 3);
    if (t->ndim == 0) return luaL_error(L, "cannot index a 0-d tensor");
    int64_t n, shape[CV_MAX_DIMS];
    int nd;
    int64_t *rows = check_rows(L, 2, &n, shape, &nd);
    for (int64_t i = 0; i < n; i++) {
      if (rows[i] < -1) rows[i] += t->shape[0] + 1;   /* negative indices count from the end */
      if (rows[i] < 0 || rows[i] >= t->shape[0])
        return luaL_error(L, "assignment: index %I out of range for axis 1 of size %I",
                          (LUAI_UACINT)(rows[i] + 1), (LUAI_UACINT)t->shape[0]);
    }
    for (int64_t i = 0; i < n; i++) {
      cv_tensor row;   /* a view on the C stack: nothing below may raise before its release */
      LCV_CHECK(L, cv_tensor_view(&row, t, rows[i] * per_row(t), t->ndim - 1, t->shape + 1), "index");
      cv_tensor_fill(&row, v);
      cv_tensor_release(&row);
    }
    return 0;
  }
  if (kt == LUA_TSTRING)
    return luaL_error(L, "cannot set field '%s' of a tensor", lua_tostring(L, 2));
  return luaL_error(L, "tensor index must be an integer or a mask, got %s", luaL_typename(L, 2));
}

/* #t --> size of axis 1 (0 for a 0-d tensor) */
static int t_len(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lua_pushinteger(L, t->ndim ? t->shape[0] : 0);
  return 1;
}

/* ---------------------------------------------------------------- copies and conversion */

/* t:fill(v) --> t */
static int m_fill(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor_fill(t, luaL_checknumber(L, 2));
  lua_settop(L, 1);
  return 1;
}

/* t:zero() --> t */
static int m_zero(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor_fill(t, 0);
  lua_settop(L, 1);
  return 1;
}

/* t:copy(src) --> t, src's elements (same count, any shape, or broadcastable) converted into t */
static int m_copy(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor *s = to_tensor_arg(L, 2);
  if (s->numel == t->numel) LCV_CHECK(L, cv_tensor_copy(t, s), "copy");
  else LCV_CHECK(L, cv_tensor_assign(t, s), "copy");
  lua_settop(L, 1);
  return 1;
}

/* t:clone() --> a copy with its own storage */
static int m_clone(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor *c = new_result(L, t->dtype, t->ndim, t->shape);
  LCV_CHECK(L, cv_tensor_copy(c, t), "clone");
  return 1;
}

static int astype(lua_State *L, cv_dtype dt) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor *c = new_result(L, dt, t->ndim, t->shape);
  LCV_CHECK(L, cv_tensor_copy(c, t), "astype");
  return 1;
}

/* t:astype(dtype) --> converted copy (float -> uint8 wraps around like numpy) */
static int m_astype(lua_State *L) { return astype(L, check_dtype(L, 2, CV_FLOAT32)); }
/* t:float() --> t:astype("float32") */
static int m_float(lua_State *L) { return astype(L, CV_FLOAT32); }
/* t:byte() --> t:astype("uint8") */
static int m_byte(lua_State *L) { return astype(L, CV_UINT8); }

static void push_nested(lua_State *L, const cv_tensor *t, int d, int64_t *pos) {
  if (d == t->ndim) { push_number(L, t, (*pos)++); return; }
  luaL_checkstack(L, 3, "totable");
  int64_t n = t->shape[d];
  lua_createtable(L, n > 0x7fffffff ? 0 : (int)n, 0);
  for (int64_t i = 0; i < n; i++) {
    push_nested(L, t, d + 1, pos);
    lua_rawseti(L, -2, (lua_Integer)(i + 1));
  }
}

/* t:totable() --> nested Lua tables (a number for a 0-d tensor) */
static int m_totable(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  int64_t pos = 0;
  push_nested(L, t, 0, &pos);
  return 1;
}

/* tostring(t) --> numpy's repr */
static int t_tostring(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  char *s = cv_tensor_format(t);
  if (!s) return luaL_error(L, "tostring: out of memory");
  lua_pushstring(L, s);
  free(s);
  return 1;
}

/* ---------------------------------------------------------------- arithmetic */

/* a op b for tensors and numbers in either order --> new tensor */
static int binop(lua_State *L, cv_binop op) {
  cv_tensor *a = lcv_totensor(L, 1), *b = lcv_totensor(L, 2);
  if (a && b) {
    lcv_checktensor(L, 1);
    lcv_checktensor(L, 2);
    int nd;
    int64_t shape[CV_MAX_DIMS];
    LCV_CHECK(L, cv_broadcast_shape(&nd, shape, a->ndim, a->shape, b->ndim, b->shape),
              "broadcast");
    cv_tensor *out = new_result(L, cv_binop_dtype(op, a->dtype, b->dtype), nd, shape);
    LCV_CHECK(L, cv_tensor_binary(out, a, b, op), "broadcast");
  } else if (a) {
    lcv_checktensor(L, 1);
    double s = luaL_checknumber(L, 2);
    cv_tensor *out = new_result(L, cv_binop_dtype(op, a->dtype, CV_FLOAT32), a->ndim, a->shape);
    LCV_CHECK(L, cv_tensor_binary_scalar(out, a, s, op, 0), "arithmetic");
  } else {
    double s = luaL_checknumber(L, 1);
    b = lcv_checktensor(L, 2);
    cv_tensor *out = new_result(L, cv_binop_dtype(op, CV_FLOAT32, b->dtype), b->ndim, b->shape);
    LCV_CHECK(L, cv_tensor_binary_scalar(out, b, s, op, 1), "arithmetic");
  }
  return 1;
}

/* t op= o in place (o a tensor broadcastable to t, or a number) --> t */
static int binop_(lua_State *L, cv_binop op) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor *o = lcv_totensor(L, 2);
  if (o) LCV_CHECK(L, cv_tensor_binary(t, t, lcv_checktensor(L, 2), op), "in-place arithmetic");
  else LCV_CHECK(L, cv_tensor_binary_scalar(t, t, luaL_checknumber(L, 2), op, 0),
                 "in-place arithmetic");
  lua_settop(L, 1);
  return 1;
}

/* t:add(o), t:sub(o), ... and the metamethods + - * / ^ % // --> new tensor (o a tensor or a
 * number, on either side for the metamethods); t:eq(o) ... t:ge(o) --> uint8 mask of 0/1 */
static int m_add(lua_State *L) { return binop(L, CV_OP_ADD); }
static int m_sub(lua_State *L) { return binop(L, CV_OP_SUB); }
static int m_mul(lua_State *L) { return binop(L, CV_OP_MUL); }
static int m_div(lua_State *L) { return binop(L, CV_OP_DIV); }
static int m_pow(lua_State *L) { return binop(L, CV_OP_POW); }
static int m_mod(lua_State *L) { return binop(L, CV_OP_MOD); }
static int m_floordiv(lua_State *L) { return binop(L, CV_OP_FLOORDIV); }
static int m_maximum(lua_State *L) { return binop(L, CV_OP_MAXIMUM); }
static int m_minimum(lua_State *L) { return binop(L, CV_OP_MINIMUM); }
static int m_eq(lua_State *L) { return binop(L, CV_OP_EQ); }
static int m_ne(lua_State *L) { return binop(L, CV_OP_NE); }
static int m_lt(lua_State *L) { return binop(L, CV_OP_LT); }
static int m_gt(lua_State *L) { return binop(L, CV_OP_GT); }
static int m_le(lua_State *L) { return binop(L, CV_OP_LE); }
static int m_ge(lua_State *L) { return binop(L, CV_OP_GE); }
/* t:add_(o), t:sub_(o), t:mul_(o), t:div_(o), t:pow_(o) --> t, updated in place */
static int m_add_(lua_State *L) { return binop_(L, CV_OP_ADD); }
static int m_sub_(lua_State *L) { return binop_(L, CV_OP_SUB); }
static int m_mul_(lua_State *L) { return binop_(L, CV_OP_MUL); }
static int m_div_(lua_State *L) { return binop_(L, CV_OP_DIV); }
static int m_pow_(lua_State *L) { return binop_(L, CV_OP_POW); }

static int unop(lua_State *L, cv_unop op) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor *out = new_result(L, CV_FLOAT32, t->ndim, t->shape);
  LCV_CHECK(L, cv_tensor_unary(out, t, op), "unary op");
  return 1;
}

/* t:neg(), t:exp(), t:log(), t:sqrt(), t:abs(), t:sign(), t:square() --> new float32 tensor */
static int m_neg(lua_State *L) { return unop(L, CV_OP_NEG); }
static int m_exp(lua_State *L) { return unop(L, CV_OP_EXP); }
static int m_log(lua_State *L) { return unop(L, CV_OP_LOG); }
static int m_sqrt(lua_State *L) { return unop(L, CV_OP_SQRT); }
static int m_abs(lua_State *L) { return unop(L, CV_OP_ABS); }
static int m_sign(lua_State *L) { return unop(L, CV_OP_SIGN); }
static int m_square(lua_State *L) { return unop(L, CV_OP_SQUARE); }

/* t:clamp(lo, hi) --> new tensor of t's dtype (nil bound = unbounded) */
static int m_clamp(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  double lo = luaL_optnumber(L, 2, -HUGE_VAL), hi = luaL_optnumber(L, 3, HUGE_VAL);
  cv_tensor *out = new_result(L, t->dtype, t->ndim, t->shape);
  LCV_CHECK(L, cv_tensor_clamp(out, t, lo, hi), "clamp");
  return 1;
}

/* t:clamp_(lo, hi) --> t, clamped in place */
static int m_clamp_(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  double lo = luaL_optnumber(L, 2, -HUGE_VAL), hi = luaL_optnumber(L, 3, HUGE_VAL);
  LCV_CHECK(L, cv_tensor_clamp(t, t, lo, hi), "clamp_");
  lua_settop(L, 1);
  return 1;
}

/* __unm(t) --> -t (float32) */
static int t_unm(lua_State *L) { return unop(L, CV_OP_NEG); }

/* ---------------------------------------------------------------- reductions */

/* t:<op>([axis [, keepdims]]) --> number (whole tensor) or tensor reduced along axis */
static int reduce(lua_State *L, cv_reduce op) {
  cv_tensor *t = lcv_checktensor(L, 1);
  int is_arg = op == CV_RED_ARGMAX || op == CV_RED_ARGMIN;
  if (lua_isnoneornil(L, 2)) {
    double v;
    int64_t i;
    LCV_CHECK(L, cv_tensor_reduce_all(t, op, &v, &i), NULL);
    if (is_arg) lua_pushinteger(L, i + 1);
    else if (t->dtype == CV_UINT8 && op != CV_RED_MEAN) lua_pushinteger(L, (lua_Integer)v);
    else lua_pushnumber(L, v);
    return 1;
  }
  int axis = check_axis(L, 2, t->ndim);
  int keep = lua_toboolean(L, 3);
  int64_t shape[CV_MAX_DIMS];
  int nd = 0;
  for (int d = 0; d < t->ndim; d++) {
    if (d != axis) shape[nd++] = t->shape[d];
    else if (keep) shape[nd++] = 1;
  }
  cv_dtype dt = (op == CV_RED_MAX || op == CV_RED_MIN) ? t->dtype : CV_FLOAT32;
  cv_tensor *out = new_result(L, dt, nd, shape);
  LCV_CHECK(L, cv_tensor_reduce_axis(out, t, axis, op, 1), NULL);
  if (nd == 0) push_number(L, out, 0);   /* a 1-D tensor reduced to a number */
  return 1;
}

/* t:sum/mean/max/min/argmax/argmin([axis [, keepdims]]); argmax/argmin are 1-based */
static int m_sum(lua_State *L) { return reduce(L, CV_RED_SUM); }
static int m_mean(lua_State *L) { return reduce(L, CV_RED_MEAN); }
static int m_max(lua_State *L) { return reduce(L, CV_RED_MAX); }
static int m_min(lua_State *L) { return reduce(L, CV_RED_MIN); }
static int m_argmax(lua_State *L) { return reduce(L, CV_RED_ARGMAX); }
static int m_argmin(lua_State *L) { return reduce(L, CV_RED_ARGMIN); }

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
  {"concat", l_concat},
  {"split", l_split},
  {"is_tensor", l_is_tensor},
  {"shape", l_shape},
  {"dtype", l_dtype},
  {"numel", l_numel},
  {"manual_seed", l_manual_seed},
  {"live_bytes", l_live_bytes},
  {"alloc_stats", l_alloc_stats},
  {NULL, NULL}
};

static const luaL_Reg methods[] = {
  {"numel", l_numel}, {"all_finite", m_all_finite}, {"dim", m_dim}, {"size", m_size}, {"reshape", m_reshape},
  {"view", m_reshape}, {"slice", m_slice}, {"at", m_at}, {"set", m_set}, {"index", m_index},
  {"select_mask", m_select_mask}, {"fill", m_fill}, {"zero", m_zero}, {"copy", m_copy},
  {"clone", m_clone}, {"astype", m_astype}, {"float", m_float}, {"byte", m_byte},
  {"totable", m_totable},
  {"add", m_add}, {"sub", m_sub}, {"mul", m_mul}, {"div", m_div}, {"pow", m_pow},
  {"mod", m_mod}, {"floordiv", m_floordiv}, {"maximum", m_maximum}, {"minimum", m_minimum},
  {"add_", m_add_}, {"sub_", m_sub_}, {"mul_", m_mul_}, {"div_", m_div_}, {"pow_", m_pow_},
  {"eq", m_eq}, {"ne", m_ne}, {"lt", m_lt}, {"gt", m_gt}, {"le", m_le}, {"ge", m_ge},
  {"neg", m_neg}, {"exp", m_exp}, {"log", m_log}, {"sqrt", m_sqrt}, {"abs", m_abs},
  {"sign", m_sign}, {"square", m_square}, {"clamp", m_clamp}, {"clamp_", m_clamp_},
  {"sum", m_sum}, {"mean", m_mean}, {"max", m_max}, {"min", m_min}, {"argmax", m_argmax},
  {"argmin", m_argmin},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__gc", t_gc},
  {"__close", t_gc},
  {"__newindex", t_newindex},
  {"__len", t_len},
  {"__tostring", t_tostring},
  {"__add", m_add},
  {"__sub", m_sub},
  {"__mul", m_mul},
  {"__div", m_div},
  {"__pow", m_pow},
  {"__mod", m_mod},
  {"__idiv", m_floordiv},
  {"__unm", t_unm},
  {NULL, NULL}
};

void lcv_open_tensor(lua_State *L) {
  if (luaL_newmetatable(L, LCV_TENSOR_MT)) {
    luaL_setfuncs(L, meta, 0);
    lua_newtable(L);                  /* methods, extended from Lua by cvision.tensor */
    luaL_setfuncs(L, methods, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "methods");
    lua_pushcclosure(L, t_index, 1);  /* __index looks methods up first, then fields and rows */
    lua_setfield(L, -2, "__index");
  }
  lua_setfield(L, -2, "Tensor");      /* core.Tensor = the metatable */
  luaL_setfuncs(L, funcs, 0);
}
