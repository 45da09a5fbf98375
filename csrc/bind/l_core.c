/* l_core.c - luaopen_cvision_core: the C module `cvision.core` that lua/cvision/ builds on.
 * Each binding file adds its functions to the one table. */
#include "lcv.h"

int luaopen_cvision_core(lua_State *L);

int luaopen_cvision_core(lua_State *L) {
  lua_newtable(L);
  lcv_open_tensor(L);
  lcv_open_image(L);
  lcv_open_workspace(L);  /* the metatable of core.nn.workspace() */
  lcv_open_nn(L);   /* adds core.nn = {...} */
  lcv_open_augment(L);  /* adds core.nn.image_transform_* */
  lcv_open_plot(L);
  lcv_open_data(L);
  lcv_open_fontset(L);  /* fontset_* (cvision.datasets.hanzi_fonts) */
  lcv_open_sys(L);
  lcv_open_runtime(L);
  lcv_open_proc(L);     /* core.proc: locks and workers (cvision.tuner) */
  lcv_open_hdf5(L);     /* hdf5_open (cvision.models.keras_weights) */
  lcv_open_bytes(L);  /* tobytes, frombytes, copybytes (cvision.saving) */
  lua_pushliteral(L, CV_VERSION);
  lua_setfield(L, -2, "version");
  return 1;
}
