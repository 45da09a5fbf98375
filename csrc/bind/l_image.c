/* l_image.c - Lua bindings of the image part of the core (filled in by its owner). */
#include "lcv.h"

void lcv_open_image(lua_State *L) {
  (void)L;
}
