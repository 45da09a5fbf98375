/* l_tensor_copy.c - tensor bindings that copy elements: fill, copy, clone, dtype conversion,
 * totable, and concat/split along an axis (registered by lcv_open_tensor in l_tensor.c). */
#include "l_tensor.h"

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
  cv_tensor *s = lcv_totensorarg(L, 2);
  if (s->numel == t->numel) LCV_CHECK(L, cv_tensor_copy(t, s), "copy");
  else LCV_CHECK(L, cv_tensor_assign(t, s), "copy");
  lua_settop(L, 1);
  return 1;
}

/* t:clone() --> a copy with its own storage */
static int m_clone(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor *c = lcv_newresult(L, t->dtype, t->ndim, t->shape);
  LCV_CHECK(L, cv_tensor_copy(c, t), "clone");
  return 1;
}

static int astype(lua_State *L, cv_dtype dt) {
  cv_tensor *t = lcv_checktensor(L, 1);
  cv_tensor *c = lcv_newresult(L, dt, t->ndim, t->shape);
  LCV_CHECK(L, cv_tensor_copy(c, t), "astype");
  return 1;
}

/* t:astype(dtype) --> converted copy (to uint8 or int8 wraps around like numpy: 128 -> -128) */
static int m_astype(lua_State *L) { return astype(L, lcv_checkdtype(L, 2, CV_FLOAT32)); }
/* t:float() --> t:astype("float32") */
static int m_float(lua_State *L) { return astype(L, CV_FLOAT32); }
/* t:byte() --> t:astype("uint8") */
static int m_byte(lua_State *L) { return astype(L, CV_UINT8); }

static void push_nested(lua_State *L, const cv_tensor *t, int d, int64_t *pos) {
  if (d == t->ndim) { lcv_pushelement(L, t, (*pos)++); return; }
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

/* ---------------------------------------------------------------- joining and splitting */

/* the tensors of the list at idx as a C array (a userdata pushed on the stack keeps it), for
 * concat and split */
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
  int n, axis = lcv_checkaxis(L, 2, src->ndim ? src->ndim : 1);
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
  int axis = lua_isnoneornil(L, 2) ? 0 : lcv_checkaxis(L, 2, list[0]->ndim ? list[0]->ndim : 1);
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
  cv_tensor *out = lcv_newresult(L, dt, list[0]->ndim, shape);
  LCV_CHECK(L, cv_tensor_concat(out, list, n, axis), "cv.concat");
  return 1;
}

const luaL_Reg lcv_tensor_copy_funcs[] = {
  {"concat", l_concat},
  {"split", l_split},
  {NULL, NULL}
};

const luaL_Reg lcv_tensor_copy_methods[] = {
  {"fill", m_fill}, {"zero", m_zero}, {"copy", m_copy}, {"clone", m_clone},
  {"astype", m_astype}, {"float", m_float}, {"byte", m_byte}, {"totable", m_totable},
  {NULL, NULL}
};
