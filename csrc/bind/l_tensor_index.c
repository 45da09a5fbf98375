/* l_tensor_index.c - reading and writing parts of a tensor: t[i], t[mask], t[idx] and their
 * assignments (__index, __newindex), #t, t:at/set, t:slice (a view of rows), t:index (gathered
 * rows) and t:select_mask (registered by lcv_open_tensor in l_tensor.c). Indices are 1-based,
 * negative ones count from the end. */
#include "l_tensor.h"
#include <string.h>

/* 1-based (negative from the end) index i along axis (0-based) of size n -> 0-based */
static int64_t check_index(lua_State *L, lua_Integer i, int axis, int64_t n) {
  lua_Integer j = i < 0 ? n + i + 1 : i;
  if (j < 1 || j > n)
    luaL_error(L, "index %I out of range for axis %d of size %I", (LUAI_UACINT)i, axis + 1,
               (LUAI_UACINT)n);
  return (int64_t)(j - 1);
}

static int64_t per_row(const cv_tensor *t) {
  return t->ndim && t->shape[0] ? t->numel / t->shape[0] : (t->ndim ? 0 : 1);
}

/* pushes t[i] (1-based on axis 1): a view, or a number for a 1-D tensor */
static void push_row(lua_State *L, const cv_tensor *t, lua_Integer i) {
  if (t->ndim == 0) luaL_error(L, "cannot index a 0-d tensor");
  int64_t r = check_index(L, i, 0, t->shape[0]);
  if (t->ndim == 1) lcv_pushelement(L, t, r);
  else lcv_pushview(L, t, r * per_row(t), t->ndim - 1, t->shape + 1);
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
  lcv_pushelement(L, t, flat_index(L, t, 2, lua_gettop(L) - 1));
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
    out = lcv_newresult(L, t->dtype, nd, shape);
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
  cv_tensor *out = lcv_newresult(L, t->dtype, nd, shape);
  LCV_CHECK(L, cv_tensor_mask_select(out, t, m), "select_mask");
  return 1;
}

/* t:select_mask(mask) --> copy of the rows (1-D mask of length #t) or elements (mask shaped like
 * t) where mask is non-zero */
static int m_select_mask(lua_State *L) { return select_mask(L, 1, 2); }

/* __index(t, k): methods, t.shape, t.dtype, t[i] (view of row i, or a number for 1-D),
 * t[mask] (uint8 tensor), t[idx] (float32 tensor or table of indices) */
int lcv_tensor_index(lua_State *L) {
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
    cv_tensor *v = lua_type(L, 3) == LUA_TNUMBER ? NULL : lcv_totensorarg(L, 3);
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

const luaL_Reg lcv_tensor_index_methods[] = {
  {"slice", m_slice}, {"at", m_at}, {"set", m_set}, {"index", m_index},
  {"select_mask", m_select_mask},
  {NULL, NULL}
};

const luaL_Reg lcv_tensor_index_meta[] = {
  {"__newindex", t_newindex},
  {"__len", t_len},
  {NULL, NULL}
};
