/* l_image.c - Lua bindings of the image part of the core (csrc/io/image.h), in the subtable
 * core.image. File functions return nil, message on failure (as Lua's io does) so that
 * lua/cvision/image.lua can raise at its caller's level; the pixel functions raise.
 * Every result userdata is pushed empty BEFORE the core fills it, so an error leaks nothing. */
#include "lcv.h"
#include "io/image.h"
#include <string.h>

static cv_tensor *push_empty(lua_State *L) {
  cv_tensor *t = (cv_tensor *)lua_newuserdatauv(L, sizeof(cv_tensor), 0);
  memset(t, 0, sizeof *t);
  luaL_setmetatable(L, LCV_TENSOR_MT);
  return t;
}

/* pushes nil, cv_last_error() and returns 2 */
static int push_fail(lua_State *L) {
  lua_pushnil(L);
  lua_pushstring(L, cv_last_error());
  return 2;
}

static int check_channels(lua_State *L, int idx) {
  lua_Integer c = luaL_optinteger(L, idx, 0);
  luaL_argcheck(L, c >= 0 && c <= 4, idx, "channels must be 0 (as stored), 1, 2, 3 or 4");
  return (int)c;
}

/* load(path [, channels]) --> uint8 tensor (H,W,C) | nil, message */
static int l_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int c = check_channels(L, 2);
  cv_tensor *t = push_empty(L);
  if (cv_image_load(t, path, c) != CV_OK) return push_fail(L);
  lcv_gc_account(L, t);
  return 1;
}

/* load_mem(bytes [, channels [, name]]) --> uint8 tensor (H,W,C) | nil, message */
static int l_load_mem(lua_State *L) {
  size_t n;
  const char *buf = luaL_checklstring(L, 1, &n);
  int c = check_channels(L, 2);
  const char *name = luaL_optstring(L, 3, "<memory>");
  cv_tensor *t = push_empty(L);
  if (cv_image_load_mem(t, buf, n, c, name) != CV_OK) return push_fail(L);
  lcv_gc_account(L, t);
  return 1;
}

/* save_png(path, t) --> true | nil, message   (t uint8 (H,W) or (H,W,C), C in 1..4) */
static int l_save_png(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  cv_tensor *t = lcv_checktensor(L, 2);
  if (cv_image_save_png(path, t) != CV_OK) return push_fail(L);
  lua_pushboolean(L, 1);
  return 1;
}

/* resize(t, h, w [, method]) --> tensor   (method "bilinear" -> float32, "nearest" keeps dtype,
 * "bilinear_ref" is the reference kernel the tests compare with) */
static int l_resize(lua_State *L) {
  static const char *const methods[] = {"bilinear", "nearest", "bilinear_ref", NULL};
  cv_tensor *in = lcv_checktensor(L, 1);
  lua_Integer h = luaL_checkinteger(L, 2), w = luaL_checkinteger(L, 3);
  luaL_argcheck(L, h >= 1 && h <= CV_IMAGE_MAX_SIDE, 2, "height must be positive");
  luaL_argcheck(L, w >= 1 && w <= CV_IMAGE_MAX_SIDE, 3, "width must be positive");
  int m = luaL_checkoption(L, 4, "bilinear", methods);
  cv_tensor *out = push_empty(L);
  cv_status st = m == 0   ? cv_image_resize_bilinear(out, in, (int)h, (int)w)
                 : m == 1 ? cv_image_resize_nearest(out, in, (int)h, (int)w)
                          : cv_image_resize_bilinear_ref(out, in, (int)h, (int)w);
  LCV_CHECK(L, st, NULL);
  lcv_gc_account(L, out);
  return 1;
}

/* rgb_to_gray(t) --> tensor (...,1)   (uint8 keeps uint8, float32 keeps float32) */
static int l_rgb_to_gray(lua_State *L) {
  cv_tensor *in = lcv_checktensor(L, 1);
  cv_tensor *out = push_empty(L);
  LCV_CHECK(L, cv_image_rgb_to_gray(out, in), NULL);
  lcv_gc_account(L, out);
  return 1;
}

/* gray_to_rgb(t) --> tensor (...,3) */
static int l_gray_to_rgb(lua_State *L) {
  cv_tensor *in = lcv_checktensor(L, 1);
  cv_tensor *out = push_empty(L);
  LCV_CHECK(L, cv_image_gray_to_rgb(out, in), NULL);
  lcv_gc_account(L, out);
  return 1;
}

/* convert_channels(t, c) --> uint8 tensor (H,W,c) */
static int l_convert_channels(lua_State *L) {
  cv_tensor *in = lcv_checktensor(L, 1);
  int c = (int)luaL_checkinteger(L, 2);
  cv_tensor *out = push_empty(L);
  LCV_CHECK(L, cv_image_convert_channels(out, in, c), NULL);
  lcv_gc_account(L, out);
  return 1;
}

/* to_f32(t) --> float32 copy */
static int l_to_f32(lua_State *L) {
  cv_tensor *in = lcv_checktensor(L, 1);
  cv_tensor *out = push_empty(L);
  LCV_CHECK(L, cv_image_to_f32(out, in), NULL);
  lcv_gc_account(L, out);
  return 1;
}

/* to_u8(t) --> uint8 copy, clamped to 0..255 and rounded */
static int l_to_u8(lua_State *L) {
  cv_tensor *in = lcv_checktensor(L, 1);
  cv_tensor *out = push_empty(L);
  LCV_CHECK(L, cv_image_to_u8(out, in), NULL);
  lcv_gc_account(L, out);
  return 1;
}

/* tolist(t) --> flat table of the elements in row-major order (used by the specs) */
static int l_tolist(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  luaL_argcheck(L, t->numel <= (1 << 24), 1, "tensor too large for a table");
  lua_createtable(L, (int)t->numel, 0);
  for (int64_t i = 0; i < t->numel; i++) {
    if (t->dtype == CV_UINT8) lua_pushinteger(L, cv_tensor_u8(t)[i]);
    else lua_pushnumber(L, cv_tensor_f32(t)[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* fromlist(list, shape [, dtype]) --> tensor holding the numbers of the flat list */
static int l_fromlist(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 2, shape);
  static const char *const dtypes[] = {"float32", "uint8", NULL};
  cv_dtype dt = luaL_checkoption(L, 3, "float32", dtypes) == 0 ? CV_FLOAT32 : CV_UINT8;
  int64_t n = cv_shape_numel(nd, shape);
  luaL_argcheck(L, n == (int64_t)luaL_len(L, 1), 1, "list length does not match the shape");
  cv_tensor *t = lcv_newtensor(L, dt, nd, shape);
  for (int64_t i = 0; i < n; i++) {
    int isnum;
    lua_geti(L, 1, (lua_Integer)i + 1);
    lua_Number v = lua_tonumberx(L, -1, &isnum);
    lua_pop(L, 1);
    if (!isnum) luaL_argerror(L, 1, "list must hold numbers");
    if (dt == CV_FLOAT32) cv_tensor_f32(t)[i] = (float)v;
    else {
      luaL_argcheck(L, v >= 0 && v <= 255, 1, "uint8 values must be in 0..255");
      cv_tensor_u8(t)[i] = (uint8_t)v;
    }
  }
  return 1;
}

static const luaL_Reg funcs[] = {
  {"load", l_load},
  {"load_mem", l_load_mem},
  {"save_png", l_save_png},
  {"resize", l_resize},
  {"rgb_to_gray", l_rgb_to_gray},
  {"gray_to_rgb", l_gray_to_rgb},
  {"convert_channels", l_convert_channels},
  {"to_f32", l_to_f32},
  {"to_u8", l_to_u8},
  {"tolist", l_tolist},
  {"fromlist", l_fromlist},
  {NULL, NULL}
};

void lcv_open_image(lua_State *L) {
  luaL_newlib(L, funcs);
  lua_setfield(L, -2, "image");   /* core.image = {...} */
}
