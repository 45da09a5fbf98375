/* l_nn.c - the `core.nn` table: Lua bindings of the neural-network kernels (conv, pool, dense,
 * activations, losses, batchnorm, dropout, padding, optimizers, top-k). Every tensor is float32
 * and preallocated by the caller, outputs first; optional tensors may be nil. Each binding checks
 * its arguments (a Lua argument error naming the argument), calls one core function and raises the
 * core's message (which names the shapes) when it fails. Signatures: docs/DESIGN.md.
 * Every conv/dense/pool binding takes a core.nn.workspace() as an optional LAST argument (after
 * all the others, optional ones included or not): the scratch of the call, kept by the layer;
 * without it the call allocates its own and frees it. */
#include "lcv.h"
#include <string.h>

/* the float32 tensor at idx, or an argument error naming it */
static cv_tensor *arg_f32(lua_State *L, int idx, const char *name) {
  cv_tensor *t = lcv_totensor(L, idx);
  if (!t) {
    const char *msg = lua_pushfstring(L, "%s: tensor expected, got %s", name, luaL_typename(L, idx));
    luaL_argerror(L, idx, msg);
  }
  if (!t->storage) luaL_argerror(L, idx, lua_pushfstring(L, "%s: tensor has been freed", name));
  if (t->dtype != CV_FLOAT32)
    luaL_argerror(L, idx, lua_pushfstring(L, "%s: float32 tensor expected, got %s", name,
                                          cv_dtype_name(t->dtype)));
  return t;
}

/* like arg_f32, or NULL for nil/none */
static cv_tensor *opt_f32(lua_State *L, int idx, const char *name) {
  return lua_isnoneornil(L, idx) ? NULL : arg_f32(L, idx, name);
}

static int arg_int(lua_State *L, int idx, const char *name, int lo) {
  int ok;
  lua_Integer v = lua_tointegerx(L, idx, &ok);
  if (!ok) {
    const char *msg = lua_pushfstring(L, "%s: integer expected, got %s", name,
                                      lua_type(L, idx) == LUA_TNUMBER ? "float" : luaL_typename(L, idx));
    luaL_argerror(L, idx, msg);
  }
  if (v < lo || v > 1 << 30) luaL_argerror(L, idx, lua_pushfstring(L, "%s: %d or more expected, got %I", name, lo, v));
  return (int)v;
}

static float arg_num(lua_State *L, int idx, const char *name) {
  int ok;
  lua_Number v = lua_tonumberx(L, idx, &ok);
  if (!ok) luaL_argerror(L, idx, lua_pushfstring(L, "%s: number expected, got %s", name, luaL_typename(L, idx)));
  return (float)v;
}

/* sh, sw, pt, pl at idx.. */
static cv_conv2d_params conv_params(lua_State *L, int idx) {
  cv_conv2d_params p;
  p.sh = arg_int(L, idx, "sh", 1);
  p.sw = arg_int(L, idx + 1, "sw", 1);
  p.pt = arg_int(L, idx + 2, "pt", 0);
  p.pl = arg_int(L, idx + 3, "pl", 0);
  return p;
}

/* ph, pw, sh, sw, pt, pl at idx.. */
static cv_pool2d_params pool_params(lua_State *L, int idx) {
  cv_pool2d_params p;
  p.ph = arg_int(L, idx, "ph", 1);
  p.pw = arg_int(L, idx + 1, "pw", 1);
  p.sh = arg_int(L, idx + 2, "sh", 1);
  p.sw = arg_int(L, idx + 3, "sw", 1);
  p.pt = arg_int(L, idx + 4, "pt", 0);
  p.pl = arg_int(L, idx + 5, "pl", 0);
  return p;
}

/* the fused activation at idx: nil/none = linear, else "linear" or "relu" */
static cv_activation opt_fused(lua_State *L, int idx) {
  static const char *const names[] = {"linear", "relu", NULL};
  static const cv_activation acts[] = {CV_ACT_LINEAR, CV_ACT_RELU};
  if (lua_isnoneornil(L, idx)) return CV_ACT_LINEAR;
  return acts[luaL_checkoption(L, idx, NULL, names)];
}

/* conv2d_forward(y, x, w, b, sh, sw, pt, pl [, activation]); activation nil, "linear" or "relu" */
static int l_conv2d_forward(lua_State *L) {
  cv_workspace *ws = lcv_optworkspace(L);  /* optional last argument */
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x"), *w = arg_f32(L, 3, "w");
  cv_tensor *b = opt_f32(L, 4, "b");
  cv_conv2d_params p = conv_params(L, 5);
  cv_activation act = opt_fused(L, 9);
  LCV_CHECK(L, cv_conv2d_forward_pool_ex(y, x, w, b, &p, act, NULL, NULL, NULL, 1, ws), NULL);
  return 0;
}

/* conv2d_backward(dx, dw, db, dy, x, w, sh, sw, pt, pl [, y, activation [, pdy, argmax, ph, pw, psh,
 * psw, ppt, ppl]]); with activation "relu", dy is the gradient of the activated output y (the
 * forward's y); with pdy, dy is max-pool backward of pdy (argmax, pooling) and is not read */
static int l_conv2d_backward(lua_State *L) {
  cv_workspace *ws = lcv_optworkspace(L);  /* optional last argument */
  cv_tensor *dx = opt_f32(L, 1, "dx"), *dw = opt_f32(L, 2, "dw"), *db = opt_f32(L, 3, "db");
  cv_tensor *dy = arg_f32(L, 4, "dy"), *x = arg_f32(L, 5, "x"), *w = arg_f32(L, 6, "w");
  cv_conv2d_params p = conv_params(L, 7);
  cv_tensor *y = opt_f32(L, 11, "y");
  cv_activation act = opt_fused(L, 12);
  luaL_argcheck(L, act == CV_ACT_LINEAR || y, 11, "y: the forward's output is needed for relu");
  cv_tensor *pdy = opt_f32(L, 13, "pdy"), *pa = NULL;
  cv_pool2d_params pp = {0};
  if (pdy) {
    pa = lcv_checktensor(L, 14);
    luaL_argcheck(L, pa->dtype == CV_UINT8, 14, "argmax: uint8 tensor expected, got float32");
    pp = pool_params(L, 15);
  }
  LCV_CHECK(L, cv_conv2d_backward_pool(dx, dw, db, dy, y, x, w, &p, act, pdy, pa, pdy ? &pp : NULL, ws), NULL);
  return 0;
}

/* depthwise_conv2d_forward(y, x, w, b, sh, sw, pt, pl) */
static int l_depthwise_conv2d_forward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x"), *w = arg_f32(L, 3, "w");
  cv_tensor *b = opt_f32(L, 4, "b");
  cv_conv2d_params p = conv_params(L, 5);
  LCV_CHECK(L, cv_depthwise_conv2d_forward(y, x, w, b, &p), NULL);
  return 0;
}

/* depthwise_conv2d_backward(dx, dw, db, dy, x, w, sh, sw, pt, pl) */
static int l_depthwise_conv2d_backward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *dx = opt_f32(L, 1, "dx"), *dw = opt_f32(L, 2, "dw"), *db = opt_f32(L, 3, "db");
  cv_tensor *dy = arg_f32(L, 4, "dy"), *x = arg_f32(L, 5, "x"), *w = arg_f32(L, 6, "w");
  cv_conv2d_params p = conv_params(L, 7);
  LCV_CHECK(L, cv_depthwise_conv2d_backward(dx, dw, db, dy, x, w, &p), NULL);
  return 0;
}

/* conv_out_size(n, k, s, padding) --> out, pad_before */
static int l_conv_out_size(lua_State *L) {
  int n = arg_int(L, 1, "n", 1), k = arg_int(L, 2, "k", 1), s = arg_int(L, 3, "s", 1);
  static const char *const modes[] = {"valid", "same", NULL};
  int same = luaL_checkoption(L, 4, NULL, modes);
  int out, pad;
  LCV_CHECK(L, cv_conv_out_size(&out, &pad, n, k, s, same), NULL);
  lua_pushinteger(L, out);
  lua_pushinteger(L, pad);
  return 2;
}

/* maxpool2d_forward(y, argmax, x, ph, pw, sh, sw, pt, pl); argmax uint8 or nil */
static int l_maxpool2d_forward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *y = arg_f32(L, 1, "y");
  cv_tensor *a = NULL;
  if (!lua_isnoneornil(L, 2)) {
    a = lcv_checktensor(L, 2);
    luaL_argcheck(L, a->dtype == CV_UINT8, 2, "argmax: uint8 tensor expected, got float32");
  }
  cv_tensor *x = arg_f32(L, 3, "x");
  cv_pool2d_params p = pool_params(L, 4);
  LCV_CHECK(L, cv_maxpool2d_forward(y, a, x, &p), NULL);
  return 0;
}

/* maxpool2d_backward(dx, dy, argmax, ph, pw, sh, sw, pt, pl) */
static int l_maxpool2d_backward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *dx = arg_f32(L, 1, "dx"), *dy = arg_f32(L, 2, "dy");
  cv_tensor *a = lcv_checktensor(L, 3);
  luaL_argcheck(L, a->dtype == CV_UINT8, 3, "argmax: uint8 tensor expected, got float32");
  cv_pool2d_params p = pool_params(L, 4);
  LCV_CHECK(L, cv_maxpool2d_backward(dx, dy, a, &p), NULL);
  return 0;
}

/* avgpool2d_forward(y, x, ph, pw, sh, sw, pt, pl) */
static int l_avgpool2d_forward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x");
  cv_pool2d_params p = pool_params(L, 3);
  LCV_CHECK(L, cv_avgpool2d_forward(y, x, &p), NULL);
  return 0;
}

/* avgpool2d_backward(dx, dy, ph, pw, sh, sw, pt, pl) */
static int l_avgpool2d_backward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *dx = arg_f32(L, 1, "dx"), *dy = arg_f32(L, 2, "dy");
  cv_pool2d_params p = pool_params(L, 3);
  LCV_CHECK(L, cv_avgpool2d_backward(dx, dy, &p), NULL);
  return 0;
}

/* global_avgpool_forward(y, x) */
static int l_global_avgpool_forward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x");
  LCV_CHECK(L, cv_global_avgpool_forward(y, x), NULL);
  return 0;
}

/* global_avgpool_backward(dx, dy) */
static int l_global_avgpool_backward(lua_State *L) {
  lcv_optworkspace(L);  /* accepted as the last argument; this kernel needs no scratch */
  cv_tensor *dx = arg_f32(L, 1, "dx"), *dy = arg_f32(L, 2, "dy");
  LCV_CHECK(L, cv_global_avgpool_backward(dx, dy), NULL);
  return 0;
}

/* dense_forward(y, x, w, b) */
static int l_dense_forward(lua_State *L) {
  cv_workspace *ws = lcv_optworkspace(L);  /* optional last argument */
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x"), *w = arg_f32(L, 3, "w");
  cv_tensor *b = opt_f32(L, 4, "b");
  LCV_CHECK(L, cv_dense_forward_ex(y, x, w, b, &cv_dense_params_default, ws), NULL);
  return 0;
}

/* dense_backward(dx, dw, db, dy, x, w) */
static int l_dense_backward(lua_State *L) {
  cv_workspace *ws = lcv_optworkspace(L);  /* optional last argument */
  cv_tensor *dx = opt_f32(L, 1, "dx"), *dw = opt_f32(L, 2, "dw"), *db = opt_f32(L, 3, "db");
  cv_tensor *dy = arg_f32(L, 4, "dy"), *x = arg_f32(L, 5, "x"), *w = arg_f32(L, 6, "w");
  LCV_CHECK(L, cv_dense_backward_ex(dx, dw, db, dy, x, w, &cv_dense_params_default, ws), NULL);
  return 0;
}

static cv_activation arg_activation(lua_State *L, int idx) {
  const char *name = luaL_checkstring(L, idx);
  cv_activation a;
  if (cv_activation_from_name(&a, name) != CV_OK) luaL_argerror(L, idx, cv_last_error());
  return a;
}

/* activation_forward(y, x, name [, alpha=0.2]); y may be x */
static int l_activation_forward(lua_State *L) {
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x");
  cv_activation a = arg_activation(L, 3);
  float alpha = lua_isnoneornil(L, 4) ? 0.2f : arg_num(L, 4, "alpha");
  LCV_CHECK(L, cv_activation_forward(y, x, a, alpha), NULL);
  return 0;
}

/* activation_backward(dx, dy, x, y, name [, alpha=0.2]); x or y may be nil (see activation.h) */
static int l_activation_backward(lua_State *L) {
  cv_tensor *dx = arg_f32(L, 1, "dx"), *dy = arg_f32(L, 2, "dy");
  cv_tensor *x = opt_f32(L, 3, "x"), *y = opt_f32(L, 4, "y");
  cv_activation a = arg_activation(L, 5);
  float alpha = lua_isnoneornil(L, 6) ? 0.2f : arg_num(L, 6, "alpha");
  LCV_CHECK(L, cv_activation_backward(dx, dy, x, y, a, alpha), NULL);
  return 0;
}

/* loss(name, dpred, pred, target [, from_logits]) --> mean loss */
static int l_loss(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  cv_loss_kind k;
  if (cv_loss_from_name(&k, name) != CV_OK) luaL_argerror(L, 1, cv_last_error());
  cv_tensor *d = opt_f32(L, 2, "dpred"), *p = arg_f32(L, 3, "pred"), *t = arg_f32(L, 4, "target");
  int from_logits = lua_toboolean(L, 5);
  double loss;
  LCV_CHECK(L, cv_loss_compute(&loss, d, p, t, k, from_logits), NULL);
  lua_pushnumber(L, loss);
  return 1;
}

/* batchnorm_forward(y, x, gamma, beta, moving_mean, moving_var, momentum, eps, training,
 *                   save_mean, save_invstd) */
static int l_batchnorm_forward(lua_State *L) {
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x");
  cv_tensor *gamma = opt_f32(L, 3, "gamma"), *beta = opt_f32(L, 4, "beta");
  cv_tensor *mm = arg_f32(L, 5, "moving_mean"), *mv = arg_f32(L, 6, "moving_var");
  cv_batchnorm_params p;
  p.momentum = arg_num(L, 7, "momentum");
  p.eps = arg_num(L, 8, "eps");
  p.training = lua_toboolean(L, 9);
  cv_tensor *sm = opt_f32(L, 10, "save_mean"), *si = opt_f32(L, 11, "save_invstd");
  LCV_CHECK(L, cv_batchnorm_forward(y, sm, si, x, gamma, beta, mm, mv, &p), NULL);
  return 0;
}

/* batchnorm_backward(dx, dgamma, dbeta, dy, x, gamma, save_mean, save_invstd [, training=true]) */
static int l_batchnorm_backward(lua_State *L) {
  cv_tensor *dx = opt_f32(L, 1, "dx"), *dg = opt_f32(L, 2, "dgamma"), *dbeta = opt_f32(L, 3, "dbeta");
  cv_tensor *dy = arg_f32(L, 4, "dy"), *x = arg_f32(L, 5, "x"), *gamma = opt_f32(L, 6, "gamma");
  cv_tensor *sm = arg_f32(L, 7, "save_mean"), *si = arg_f32(L, 8, "save_invstd");
  int training = lua_isnoneornil(L, 9) ? 1 : lua_toboolean(L, 9);
  LCV_CHECK(L, cv_batchnorm_backward(dx, dg, dbeta, dy, x, gamma, sm, si, training), NULL);
  return 0;
}

/* dropout_forward(y, mask, x, rate) */
static int l_dropout_forward(lua_State *L) {
  cv_tensor *y = arg_f32(L, 1, "y"), *mask = arg_f32(L, 2, "mask"), *x = arg_f32(L, 3, "x");
  float rate = arg_num(L, 4, "rate");
  LCV_CHECK(L, cv_dropout_forward(y, mask, x, rate), NULL);
  return 0;
}

/* dropout_backward(dx, dy, mask) */
static int l_dropout_backward(lua_State *L) {
  cv_tensor *dx = arg_f32(L, 1, "dx"), *dy = arg_f32(L, 2, "dy"), *mask = arg_f32(L, 3, "mask");
  LCV_CHECK(L, cv_dropout_backward(dx, dy, mask), NULL);
  return 0;
}

/* zeropad2d_forward(y, x, top, left) */
static int l_zeropad2d_forward(lua_State *L) {
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x");
  int top = arg_int(L, 3, "top", 0), left = arg_int(L, 4, "left", 0);
  LCV_CHECK(L, cv_zeropad2d_forward(y, x, top, left), NULL);
  return 0;
}

/* zeropad2d_backward(dx, dy, top, left) */
static int l_zeropad2d_backward(lua_State *L) {
  cv_tensor *dx = arg_f32(L, 1, "dx"), *dy = arg_f32(L, 2, "dy");
  int top = arg_int(L, 3, "top", 0), left = arg_int(L, 4, "left", 0);
  LCV_CHECK(L, cv_zeropad2d_backward(dx, dy, top, left), NULL);
  return 0;
}

/* adam_update(p, g, m, v, lr, beta1, beta2, eps, t) */
static int l_adam_update(lua_State *L) {
  cv_tensor *p = arg_f32(L, 1, "p"), *g = arg_f32(L, 2, "g"), *m = arg_f32(L, 3, "m"), *v = arg_f32(L, 4, "v");
  float lr = arg_num(L, 5, "lr"), b1 = arg_num(L, 6, "beta1"), b2 = arg_num(L, 7, "beta2");
  float eps = arg_num(L, 8, "eps");
  int t = arg_int(L, 9, "t", 1);
  LCV_CHECK(L, cv_adam_update(p, g, m, v, lr, b1, b2, eps, t), NULL);
  return 0;
}

/* sgd_update(p, g, velocity, lr, momentum, nesterov); velocity may be nil when momentum is 0 */
static int l_sgd_update(lua_State *L) {
  cv_tensor *p = arg_f32(L, 1, "p"), *g = arg_f32(L, 2, "g"), *vel = opt_f32(L, 3, "velocity");
  float lr = arg_num(L, 4, "lr");
  float momentum = lua_isnoneornil(L, 5) ? 0.0f : arg_num(L, 5, "momentum");
  int nesterov = lua_toboolean(L, 6);
  LCV_CHECK(L, cv_sgd_update(p, g, vel, lr, momentum, nesterov), NULL);
  return 0;
}

/* rmsprop_update(p, g, ms, mom, lr, rho, momentum, eps [, mg]); mom may be nil when momentum is 0;
 * mg (the mean gradient) given means centered */
static int l_rmsprop_update(lua_State *L) {
  cv_tensor *p = arg_f32(L, 1, "p"), *g = arg_f32(L, 2, "g"), *ms = arg_f32(L, 3, "ms");
  cv_tensor *mom = opt_f32(L, 4, "mom");
  float lr = arg_num(L, 5, "lr"), rho = arg_num(L, 6, "rho"), momentum = arg_num(L, 7, "momentum");
  float eps = arg_num(L, 8, "eps");
  cv_tensor *mg = opt_f32(L, 9, "mg");
  LCV_CHECK(L, cv_rmsprop_update(p, g, ms, mom, mg, lr, rho, momentum, eps), NULL);
  return 0;
}

/* topk_correct(pred, labels, k) --> integer */
static int l_topk_correct(lua_State *L) {
  cv_tensor *pred = arg_f32(L, 1, "pred"), *labels = arg_f32(L, 2, "labels");
  int k = arg_int(L, 3, "k", 1);
  long n;
  LCV_CHECK(L, cv_topk_correct(&n, pred, labels, k), NULL);
  lua_pushinteger(L, n);
  return 1;
}

/* argmax_correct(pred, labels) --> integer: rows whose argmax is the label */
static int l_argmax_correct(lua_State *L) {
  cv_tensor *pred = arg_f32(L, 1, "pred"), *labels = arg_f32(L, 2, "labels");
  long n;
  LCV_CHECK(L, cv_argmax_correct(&n, pred, labels), NULL);
  lua_pushinteger(L, n);
  return 1;
}

/* dense_forward_ex(y, x, w, b, x_scale [, ref]): y = x_scale * (x @ w) + b (a Rescaling folded in);
 * ref = true runs the reference loops */
static int l_dense_forward_ex(lua_State *L) {
  cv_workspace *ws = lcv_optworkspace(L);  /* optional last argument */
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x"), *w = arg_f32(L, 3, "w");
  cv_tensor *b = opt_f32(L, 4, "b");
  cv_dense_params p = {arg_num(L, 5, "x_scale"), 0};
  if (lua_toboolean(L, 6)) LCV_CHECK(L, cv_dense_forward_ex_ref(y, x, w, b, &p), NULL);
  else LCV_CHECK(L, cv_dense_forward_ex(y, x, w, b, &p, ws), NULL);
  return 0;
}

/* dense_backward_ex(dx, dw, db, dy, x, w, x_scale, overwrite [, ref]): dw, db overwritten when
 * overwrite is true, else accumulated; dx = x_scale * dy w^T */
static int l_dense_backward_ex(lua_State *L) {
  cv_workspace *ws = lcv_optworkspace(L);  /* optional last argument */
  cv_tensor *dx = opt_f32(L, 1, "dx"), *dw = opt_f32(L, 2, "dw"), *db = opt_f32(L, 3, "db");
  cv_tensor *dy = arg_f32(L, 4, "dy"), *x = arg_f32(L, 5, "x"), *w = arg_f32(L, 6, "w");
  cv_dense_params p = {arg_num(L, 7, "x_scale"), lua_toboolean(L, 8)};
  if (lua_toboolean(L, 9)) LCV_CHECK(L, cv_dense_backward_ex_ref(dx, dw, db, dy, x, w, &p), NULL);
  else LCV_CHECK(L, cv_dense_backward_ex(dx, dw, db, dy, x, w, &p, ws), NULL);
  return 0;
}

/* conv2d_forward_pool(y, x, w, b, sh, sw, pt, pl, activation, py, argmax, ph, pw, psh, psw, ppt, ppl
 * [, keep_y=true]): conv2d_forward, then maxpool2d_forward(py, argmax, y, ph, ...) sample by sample
 * while y is in cache; keep_y false: y is not written */
static int l_conv2d_forward_pool(lua_State *L) {
  cv_workspace *ws = lcv_optworkspace(L);  /* optional last argument */
  cv_tensor *y = arg_f32(L, 1, "y"), *x = arg_f32(L, 2, "x"), *w = arg_f32(L, 3, "w");
  cv_tensor *b = opt_f32(L, 4, "b");
  cv_conv2d_params p = conv_params(L, 5);
  cv_activation act = opt_fused(L, 9);
  cv_tensor *py = arg_f32(L, 10, "py");
  cv_tensor *a = NULL;
  if (!lua_isnoneornil(L, 11)) {
    a = lcv_checktensor(L, 11);
    luaL_argcheck(L, a->dtype == CV_UINT8, 11, "argmax: uint8 tensor expected, got float32");
  }
  cv_pool2d_params pp = pool_params(L, 12);
  int keep_y = lua_isnoneornil(L, 18) ? 1 : lua_toboolean(L, 18);
  LCV_CHECK(L, cv_conv2d_forward_pool_ex(y, x, w, b, &p, act, py, a, &pp, keep_y, ws), NULL);
  return 0;
}

static const luaL_Reg funcs[] = {
  {"conv2d_forward", l_conv2d_forward},
  {"conv2d_forward_pool", l_conv2d_forward_pool},
  {"conv2d_backward", l_conv2d_backward},
  {"depthwise_conv2d_forward", l_depthwise_conv2d_forward},
  {"depthwise_conv2d_backward", l_depthwise_conv2d_backward},
  {"conv_out_size", l_conv_out_size},
  {"maxpool2d_forward", l_maxpool2d_forward},
  {"maxpool2d_backward", l_maxpool2d_backward},
  {"avgpool2d_forward", l_avgpool2d_forward},
  {"avgpool2d_backward", l_avgpool2d_backward},
  {"global_avgpool_forward", l_global_avgpool_forward},
  {"global_avgpool_backward", l_global_avgpool_backward},
  {"dense_forward", l_dense_forward},
  {"dense_backward", l_dense_backward},
  {"activation_forward", l_activation_forward},
  {"activation_backward", l_activation_backward},
  {"loss", l_loss},
  {"batchnorm_forward", l_batchnorm_forward},
  {"batchnorm_backward", l_batchnorm_backward},
  {"dropout_forward", l_dropout_forward},
  {"dropout_backward", l_dropout_backward},
  {"zeropad2d_forward", l_zeropad2d_forward},
  {"zeropad2d_backward", l_zeropad2d_backward},
  {"adam_update", l_adam_update},
  {"sgd_update", l_sgd_update},
  {"rmsprop_update", l_rmsprop_update},
  {"topk_correct", l_topk_correct},
  {"argmax_correct", l_argmax_correct},
  {"dense_forward_ex", l_dense_forward_ex},
  {"dense_backward_ex", l_dense_backward_ex},
  {"workspace", lcv_workspace_new},
  {NULL, NULL}
};

void lcv_open_nn(lua_State *L) {
  lua_getfield(L, -1, "nn");            /* keep functions others may have added (set_num_threads) */
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
  }
  luaL_setfuncs(L, funcs, 0);
  lua_setfield(L, -2, "nn");
}
