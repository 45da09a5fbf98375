/* l_nn.c - Lua bindings of the nn part of the core (filled in by its owner). */
#include "lcv.h"

void lcv_open_nn(lua_State *L) {
  (void)L;
}
