/* l_tensor.h - what the tensor binding files (l_tensor.c, l_tensor_copy.c, l_tensor_math.c,
 * l_tensor_index.c) share: argument helpers and their registration lists. The lists are set into
 * the Tensor metatable in one place, lcv_open_tensor (l_tensor.c). Not a public header. */
#ifndef LCV_TENSOR_H
#define LCV_TENSOR_H

#include "lcv.h"

/* Like lcv_newtensor, without zeroing: for results the core writes in full. */
cv_tensor *lcv_newresult(lua_State *L, cv_dtype dt, int ndim, const int64_t *shape);
/* The dtype named at idx ("float32"/"float", "uint8"/"byte"), def when absent. */
cv_dtype lcv_checkdtype(lua_State *L, int idx, cv_dtype def);
/* 1-based (negative from the end) axis argument at idx -> 0-based. */
int lcv_checkaxis(lua_State *L, int idx, int ndim);
/* Pushes element flat of t (an integer for uint8, a number for float32). */
void lcv_pushelement(lua_State *L, const cv_tensor *t, int64_t flat);
/* Converts the value at idx into a tensor on the stack (tables via cv.tensor); returns it. */
cv_tensor *lcv_totensorarg(lua_State *L, int idx);

/* __index(t, k), with the methods table as upvalue 1 (l_tensor_index.c). */
int lcv_tensor_index(lua_State *L);

/* Registration lists, each ended by {NULL, NULL}: module functions (core.*), methods (t:f())
 * and metamethods. */
extern const luaL_Reg lcv_tensor_copy_funcs[];
extern const luaL_Reg lcv_tensor_copy_methods[];
extern const luaL_Reg lcv_tensor_math_methods[];
extern const luaL_Reg lcv_tensor_math_meta[];
extern const luaL_Reg lcv_tensor_index_methods[];
extern const luaL_Reg lcv_tensor_index_meta[];

#endif
