/* lcv.h - shared helpers of the Lua bindings (the only C files that include lua.h).
 * Pattern of every binding: check arguments, call one core function, push results. */
#ifndef LCV_H
#define LCV_H

#include <lua.h>
#include <lauxlib.h>
#include "cvision.h"

#define LCV_TENSOR_MT "cvision.Tensor"

/* The tensor at idx, or a Lua argument error ("bad argument #idx to 'f' (tensor expected, got X)"). */
cv_tensor *lcv_checktensor(lua_State *L, int idx);
/* The tensor at idx, or NULL. */
cv_tensor *lcv_totensor(lua_State *L, int idx);
/* Like lcv_checktensor, also requiring float32. */
cv_tensor *lcv_checkf32(lua_State *L, int idx);
/* Pushes a new userdata in the empty state, then allocates it (zeroed); raises on failure, leaking
 * nothing (the empty userdata is collected). */
cv_tensor *lcv_newtensor(lua_State *L, cv_dtype dt, int ndim, const int64_t *shape);
/* Tells the collector about t's freshly allocated storage (lcv_newtensor does it itself). */
void lcv_gc_account(lua_State *L, const cv_tensor *t);
/* Pushes a view of src (see cv_tensor_view). */
cv_tensor *lcv_pushview(lua_State *L, const cv_tensor *src, int64_t offset, int ndim,
                        const int64_t *shape);
/* Reads a shape from a Lua table of positive integers at idx into shape; returns ndim. */
int lcv_checkshape(lua_State *L, int idx, int64_t *shape);
/* Pushes a shape as a Lua table. */
void lcv_pushshape(lua_State *L, int ndim, const int64_t *shape);
/* Raises a Lua error "<what>: <core message>" for a failed status (never returns). */
int lcv_error(lua_State *L, cv_status st, const char *what);
/* Raises the error when st != CV_OK. */
#define LCV_CHECK(L, st, what) do { cv_status st_ = (st); if (st_ != CV_OK) lcv_error((L), st_, (what)); } while (0)

/* Each binding file registers its functions into the module table on top of the stack. */
void lcv_open_tensor(lua_State *L);
void lcv_open_image(lua_State *L);
void lcv_open_nn(lua_State *L);
void lcv_open_plot(lua_State *L);
void lcv_open_data(lua_State *L);
void lcv_open_sys(lua_State *L);
void lcv_open_runtime(lua_State *L);
void lcv_open_augment(lua_State *L);
void lcv_open_bytes(lua_State *L);
void lcv_open_workspace(lua_State *L);
void lcv_open_fontset(lua_State *L);
void lcv_open_proc(lua_State *L);
void lcv_open_hdf5(lua_State *L);

/* The workspace userdata (core.nn.workspace()) when it is the LAST argument, which is then
 * removed from the stack (lua_settop) so the other arguments read as without it; else NULL. */
cv_workspace *lcv_optworkspace(lua_State *L);
/* core.nn.workspace() --> a new empty workspace (l_workspace.c) */
int lcv_workspace_new(lua_State *L);

#endif
