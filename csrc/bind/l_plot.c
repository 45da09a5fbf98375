/* l_plot.c - Lua bindings of the plot part of the core (filled in by its owner). */
#include "lcv.h"

void lcv_open_plot(lua_State *L) {
  (void)L;
}
