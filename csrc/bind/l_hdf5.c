/* l_hdf5.c - Lua bindings of the HDF5 reader (io/hdf5.c), used by cvision.models.keras_weights.
 * A file is a userdata (metatable "cvision.HDF5File") pushed closed before the file is opened, so
 * a failure leaks nothing; __gc and __close close it. String lists from the core are held by a
 * small userdata while the Lua table is built, so an error half-way leaks nothing either. Errors
 * are the core's messages, which name the file and the object path. */
#include "lcv.h"
#include <string.h>

#define FILE_MT "cvision.HDF5File"
#define STRINGS_MT "cvision.HDF5Strings"

typedef struct lhdf5 { cv_hdf5 *f; } lhdf5;

static cv_hdf5 *checkfile(lua_State *L, int idx) {
  lhdf5 *u = luaL_checkudata(L, idx, FILE_MT);
  if (!u->f) luaL_argerror(L, idx, "HDF5 file has been closed");
  return u->f;
}

/* A {0} string list owned by a new userdata on the stack (freed by its __gc). */
static cv_hdf5_strings *push_strings(lua_State *L) {
  cv_hdf5_strings *s = lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s);
  luaL_setmetatable(L, STRINGS_MT);
  return s;
}

static int strings_gc(lua_State *L) {
  cv_hdf5_strings_free(luaL_checkudata(L, 1, STRINGS_MT));
  return 0;
}

/* Replaces the holder on top of the stack by {s[1], ...}, or by the one string when scalar. */
static void strings_result(lua_State *L, cv_hdf5_strings *s, int allow_scalar) {
  if (allow_scalar && !s->is_array && s->count == 1) {
    lua_pushstring(L, s->items[0]);
  } else {
    lua_createtable(L, s->count, 0);
    for (int i = 0; i < s->count; i++) {
      lua_pushstring(L, s->items[i]);
      lua_rawseti(L, -2, i + 1);
    }
  }
  cv_hdf5_strings_free(s);
  lua_remove(L, -2);
}

/* hdf5_open(path) --> file (read-only) */
static int l_open(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lhdf5 *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->f = NULL;
  luaL_setmetatable(L, FILE_MT);
  LCV_CHECK(L, cv_hdf5_open(&u->f, path), NULL);
  return 1;
}

/* __gc(file), __close(file), file:close(): closes the file; later use is an error */
static int l_close(lua_State *L) {
  lhdf5 *u = luaL_checkudata(L, 1, FILE_MT);
  cv_hdf5_close(u->f);
  u->f = NULL;
  return 0;
}

/* file:path() --> string */
static int l_path(lua_State *L) {
  lua_pushstring(L, cv_hdf5_path(checkfile(L, 1)));
  return 1;
}

/* file:kind(path) --> "group" | "dataset" | "other" | nil (nothing there) */
static int l_kind(lua_State *L) {
  cv_hdf5 *f = checkfile(L, 1);
  const char *path = luaL_checkstring(L, 2);
  cv_hdf5_kind k;
  LCV_CHECK(L, cv_hdf5_kind_of(&k, f, path), NULL);
  switch (k) {
    case CV_HDF5_GROUP: lua_pushliteral(L, "group"); break;
    case CV_HDF5_DATASET: lua_pushliteral(L, "dataset"); break;
    case CV_HDF5_OTHER: lua_pushliteral(L, "other"); break;
    default: lua_pushnil(L);
  }
  return 1;
}

/* file:children([group]) --> {name, ...} sorted by name (default the root) */
static int l_children(lua_State *L) {
  cv_hdf5 *f = checkfile(L, 1);
  const char *group = luaL_optstring(L, 2, "/");
  cv_hdf5_strings *s = push_strings(L);
  LCV_CHECK(L, cv_hdf5_children(s, f, group), NULL);
  strings_result(L, s, 0);
  return 1;
}

/* file:attributes([path]) --> {name, ...}: the attribute names of the object (default the root) */
static int l_attributes(lua_State *L) {
  cv_hdf5 *f = checkfile(L, 1);
  const char *path = luaL_optstring(L, 2, "/");
  cv_hdf5_strings *s = push_strings(L);
  LCV_CHECK(L, cv_hdf5_attribute_names(s, f, path), NULL);
  strings_result(L, s, 0);
  return 1;
}

/* file:attribute(path, name) --> string (scalar) | {string, ...} (array) | nil (no such attribute) */
static int l_attribute(lua_State *L) {
  cv_hdf5 *f = checkfile(L, 1);
  const char *path = luaL_checkstring(L, 2);
  const char *name = luaL_checkstring(L, 3);
  cv_hdf5_strings *s = push_strings(L);
  int found = 0;
  LCV_CHECK(L, cv_hdf5_attribute(s, &found, f, path, name), NULL);
  if (!found) { lua_pushnil(L); return 1; }
  strings_result(L, s, 1);
  return 1;
}

/* file:dataset(path) --> float32 tensor with the dataset's shape */
static int l_dataset(lua_State *L) {
  cv_hdf5 *f = checkfile(L, 1);
  const char *path = luaL_checkstring(L, 2);
  cv_tensor *t = lua_newuserdatauv(L, sizeof *t, 0);   /* empty until the read succeeds */
  memset(t, 0, sizeof *t);
  luaL_setmetatable(L, LCV_TENSOR_MT);
  LCV_CHECK(L, cv_hdf5_dataset(t, f, path), NULL);
  lcv_gc_account(L, t);
  return 1;
}

/* tostring(file) --> "HDF5 file (<path>)" */
static int l_tostring(lua_State *L) {
  lhdf5 *u = luaL_checkudata(L, 1, FILE_MT);
  if (!u->f) lua_pushliteral(L, "HDF5 file (closed)");
  else lua_pushfstring(L, "HDF5 file (%s)", cv_hdf5_path(u->f));
  return 1;
}

static const luaL_Reg methods[] = {
  {"path", l_path},
  {"kind", l_kind},
  {"children", l_children},
  {"attributes", l_attributes},
  {"attribute", l_attribute},
  {"dataset", l_dataset},
  {"close", l_close},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__gc", l_close},
  {"__close", l_close},
  {"__tostring", l_tostring},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"hdf5_open", l_open},
  {NULL, NULL}
};

void lcv_open_hdf5(lua_State *L) {
  if (luaL_newmetatable(L, FILE_MT)) {
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, STRINGS_MT)) {
    lua_pushcfunction(L, strings_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  luaL_setfuncs(L, funcs, 0);
}
