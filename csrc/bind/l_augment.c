/* l_augment.c - Lua bindings of the augmentation kernels (csrc/data/augment.h), added to core.nn:
 *   nn.image_transform_forward(y, x, transforms, interpolation, fill_mode, fill_value)
 *   nn.image_transform_backward(dx, dy, transforms, interpolation, fill_mode)
 * lcv_open_augment(L) expects the core module table on top of the stack (as every lcv_open_*). */
#include "lcv.h"
#include "data/augment.h"

static cv_interpolation arg_interp(lua_State *L, int idx) {
  cv_interpolation v;
  if (cv_interpolation_from_name(&v, luaL_checkstring(L, idx)) != CV_OK) luaL_argerror(L, idx, cv_last_error());
  return v;
}

static cv_fill_mode arg_fill(lua_State *L, int idx) {
  cv_fill_mode v;
  if (cv_fill_mode_from_name(&v, luaL_checkstring(L, idx)) != CV_OK) luaL_argerror(L, idx, cv_last_error());
  return v;
}

/* image_transform_forward(y, x, transforms, interpolation, fill_mode, fill_value) */
static int l_image_transform_forward(lua_State *L) {
  cv_tensor *y = lcv_checkf32(L, 1), *x = lcv_checkf32(L, 2), *t = lcv_checkf32(L, 3);
  cv_interpolation interp = arg_interp(L, 4);
  cv_fill_mode fill = arg_fill(L, 5);
  float fill_value = (float)luaL_optnumber(L, 6, 0.0);
  LCV_CHECK(L, cv_image_transform_forward(y, x, t, interp, fill, fill_value), NULL);
  return 0;
}

/* image_transform_backward(dx, dy, transforms, interpolation, fill_mode) */
static int l_image_transform_backward(lua_State *L) {
  cv_tensor *dx = lcv_checkf32(L, 1), *dy = lcv_checkf32(L, 2), *t = lcv_checkf32(L, 3);
  cv_interpolation interp = arg_interp(L, 4);
  cv_fill_mode fill = arg_fill(L, 5);
  LCV_CHECK(L, cv_image_transform_backward(dx, dy, t, interp, fill), NULL);
  return 0;
}

static const luaL_Reg funcs[] = {
  {"image_transform_forward", l_image_transform_forward},
  {"image_transform_backward", l_image_transform_backward},
  {NULL, NULL}
};

void lcv_open_augment(lua_State *L) {
  if (lua_getfield(L, -1, "nn") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "nn");
  }
  luaL_setfuncs(L, funcs, 0);
  lua_pop(L, 1);
}
