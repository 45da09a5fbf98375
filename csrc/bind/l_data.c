/* l_data.c - Lua bindings of the data part of the core (filled in by its owner). */
#include "lcv.h"

void lcv_open_data(lua_State *L) {
  (void)L;
}
