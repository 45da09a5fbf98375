/* l_tensor_math.c - tensor arithmetic (elementwise with broadcasting, in place or not),
 * comparisons, unary functions, clamping and reductions, as methods and metamethods
 * (registered by lcv_open_tensor in l_tensor.c). */
#include "l_tensor.h"
#include "base/finite.h"
#include <math.h>

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
    cv_tensor *out = lcv_newresult(L, cv_binop_dtype(op, a->dtype, b->dtype), nd, shape);
    LCV_CHECK(L, cv_tensor_binary(out, a, b, op), "broadcast");
  } else if (a) {
    lcv_checktensor(L, 1);
    double s = luaL_checknumber(L, 2);
    cv_tensor *out = lcv_newresult(L, cv_binop_dtype(op, a->dtype, CV_FLOAT32), a->ndim, a->shape);
    LCV_CHECK(L, cv_tensor_binary_scalar(out, a, s, op, 0), "arithmetic");
  } else {
    double s = luaL_checknumber(L, 1);
    b = lcv_checktensor(L, 2);
    cv_tensor *out = lcv_newresult(L, cv_binop_dtype(op, CV_FLOAT32, b->dtype), b->ndim, b->shape);
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
  cv_tensor *out = lcv_newresult(L, CV_FLOAT32, t->ndim, t->shape);
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
  cv_tensor *out = lcv_newresult(L, t->dtype, t->ndim, t->shape);
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
    else if (t->dtype != CV_FLOAT32 && op != CV_RED_MEAN) lua_pushinteger(L, (lua_Integer)v);
    else lua_pushnumber(L, v);
    return 1;
  }
  int axis = lcv_checkaxis(L, 2, t->ndim);
  int keep = lua_toboolean(L, 3);
  int64_t shape[CV_MAX_DIMS];
  int nd = 0;
  for (int d = 0; d < t->ndim; d++) {
    if (d != axis) shape[nd++] = t->shape[d];
    else if (keep) shape[nd++] = 1;
  }
  cv_dtype dt = (op == CV_RED_MAX || op == CV_RED_MIN) ? t->dtype : CV_FLOAT32;
  cv_tensor *out = lcv_newresult(L, dt, nd, shape);
  LCV_CHECK(L, cv_tensor_reduce_axis(out, t, axis, op, 1), NULL);
  if (nd == 0) lcv_pushelement(L, out, 0);   /* a 1-D tensor reduced to a number */
  return 1;
}

/* t:sum/mean/max/min/argmax/argmin([axis [, keepdims]]); argmax/argmin are 1-based */
static int m_sum(lua_State *L) { return reduce(L, CV_RED_SUM); }
static int m_mean(lua_State *L) { return reduce(L, CV_RED_MEAN); }
static int m_max(lua_State *L) { return reduce(L, CV_RED_MAX); }
static int m_min(lua_State *L) { return reduce(L, CV_RED_MIN); }
static int m_argmax(lua_State *L) { return reduce(L, CV_RED_ARGMAX); }
static int m_argmin(lua_State *L) { return reduce(L, CV_RED_ARGMIN); }

const luaL_Reg lcv_tensor_math_methods[] = {
  {"all_finite", m_all_finite},
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

const luaL_Reg lcv_tensor_math_meta[] = {
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
