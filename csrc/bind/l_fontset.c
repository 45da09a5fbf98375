/* l_fontset.c - Lua bindings of the font-outline evaluation set (data/fontset.c): glyph fonts as
 * userdata (metatable "cvision.GlyphFont", pushed closed before the file is opened, so a failure
 * leaks nothing; __gc and __close unmap it), the sample seed, one render, and the threaded writer.
 * Buffers handed to C live in userdata on the stack. */
#include "lcv.h"
#include "data/fontset.h"
#include <string.h>

#define FONT_MT "cvision.GlyphFont"

typedef struct lfont { cv_glyph_font *f; } lfont;

static cv_glyph_font *checkfont(lua_State *L, int idx) {
  lfont *u = luaL_checkudata(L, idx, FONT_MT);
  if (!u->f) luaL_argerror(L, idx, "glyph font has been closed");
  return u->f;
}

static uint32_t checkcp(lua_State *L, int idx) {
  lua_Integer cp = luaL_checkinteger(L, idx);
  luaL_argcheck(L, cp > 0 && cp <= 0x10FFFF, idx, "code point out of range");
  return (uint32_t)cp;
}

/* fontset_open(path [, index]) --> glyph font */
static int l_open(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer index = luaL_optinteger(L, 2, 0);
  luaL_argcheck(L, index >= 0 && index < 1000, 2, "face index out of range");
  lfont *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->f = NULL;
  luaL_setmetatable(L, FONT_MT);
  LCV_CHECK(L, cv_glyph_font_open(&u->f, path, (int)index), "fontset_open");
  return 1;
}

/* __gc(font), __close(font), font:close(): unmaps the file; later use is an error */
static int l_gc(lua_State *L) {
  lfont *u = luaL_checkudata(L, 1, FONT_MT);
  cv_glyph_font_close(u->f);
  u->f = NULL;
  return 0;
}

/* font:has(cp) --> boolean: the font has a non-empty outline for code point cp */
static int l_has(lua_State *L) {
  cv_glyph_font *f = checkfont(L, 1);
  lua_pushboolean(L, cv_glyph_font_has(f, checkcp(L, 2)));
  return 1;
}

/* font:path() --> string */
static int l_path(lua_State *L) {
  lua_pushstring(L, cv_glyph_font_path(checkfont(L, 1)));
  return 1;
}

/* tostring(font) --> "glyph font (<path>)" */
static int l_tostring(lua_State *L) {
  lfont *u = luaL_checkudata(L, 1, FONT_MT);
  if (!u->f) lua_pushliteral(L, "glyph font (closed)");
  else lua_pushfstring(L, "glyph font (%s)", cv_glyph_font_path(u->f));
  return 1;
}

/* fontset_seed(seed, font_name, cp, index) --> integer: the seed of one sample */
static int l_seed(lua_State *L) {
  uint64_t seed = (uint64_t)luaL_checkinteger(L, 1);
  const char *name = luaL_checkstring(L, 2);
  uint32_t cp = checkcp(L, 3);
  lua_Integer index = luaL_checkinteger(L, 4);
  lua_pushinteger(L, (lua_Integer)cv_fontsample_seed(seed, name, cp, (int64_t)index));
  return 1;
}

/* fontset_render(font, cp, seed) --> uint8 tensor (H, W, 1) */
static int l_render(lua_State *L) {
  cv_glyph_font *f = checkfont(L, 1);
  uint32_t cp = checkcp(L, 2);
  uint64_t seed = (uint64_t)luaL_checkinteger(L, 3);
  cv_tensor t = {0};
  LCV_CHECK(L, cv_fontsample_render(&t, f, cp, seed), "fontset_render");
  cv_tensor *o = lcv_newtensor(L, t.dtype, t.ndim, t.shape);   /* raises only before the copy */
  memcpy(cv_tensor_data(o), cv_tensor_data(&t), (size_t)t.numel);
  cv_tensor_release(&t);
  return 1;
}

/* fontset_generate(fonts, jobs): fonts = {glyph font, ...}; jobs = {font = {i...} (1-based),
 * cp = {...}, seed = {...}, path = {...}}; renders and writes every PNG in threads */
static int l_generate(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  int nf = (int)luaL_len(L, 1);
  luaL_argcheck(L, nf >= 1, 1, "no fonts");
  cv_glyph_font **fonts = lua_newuserdatauv(L, sizeof *fonts * (size_t)nf, 0);
  for (int i = 1; i <= nf; i++) {
    lua_geti(L, 1, i);
    fonts[i - 1] = checkfont(L, -1);   /* anchored in the fonts table */
    lua_pop(L, 1);
  }
  static const char *const names[4] = {"font", "cp", "seed", "path"};
  int fields[4];
  for (int k = 0; k < 4; k++) {
    if (lua_getfield(L, 2, names[k]) != LUA_TTABLE) return luaL_error(L, "jobs.%s must be a table", names[k]);
    fields[k] = lua_gettop(L);
  }
  size_t nj = (size_t)luaL_len(L, fields[0]);
  for (int k = 1; k < 4; k++)
    if ((size_t)luaL_len(L, fields[k]) != nj) return luaL_error(L, "jobs.%s has a different length", names[k]);
  cv_fontsample_job *jobs = lua_newuserdatauv(L, sizeof *jobs * (nj ? nj : 1), 0);
  for (size_t i = 0; i < nj; i++) {
    lua_Integer ii = (lua_Integer)i + 1;
    int ok1, ok2, ok3;
    lua_geti(L, fields[0], ii);
    jobs[i].font = (int)lua_tointegerx(L, -1, &ok1) - 1;
    lua_geti(L, fields[1], ii);
    lua_Integer cp = lua_tointegerx(L, -1, &ok2);
    lua_geti(L, fields[2], ii);
    jobs[i].seed = (uint64_t)lua_tointegerx(L, -1, &ok3);
    if (!ok1 || !ok2 || !ok3) return luaL_error(L, "jobs[%d]: font, cp and seed must be integers", (int)ii);
    if (cp <= 0 || cp > 0x10FFFF) return luaL_error(L, "jobs.cp[%d] is out of range", (int)ii);
    jobs[i].cp = (uint32_t)cp;
    if (lua_geti(L, fields[3], ii) != LUA_TSTRING) return luaL_error(L, "jobs.path[%d] is not a string", (int)ii);
    jobs[i].path = lua_tostring(L, -1);   /* anchored in the jobs.path table */
    lua_pop(L, 4);
  }
  LCV_CHECK(L, cv_fontsample_generate(fonts, nf, jobs, nj), "fontset_generate");
  return 0;
}

static const luaL_Reg methods[] = {
  {"has", l_has},
  {"path", l_path},
  {"close", l_gc},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__gc", l_gc},
  {"__close", l_gc},
  {"__tostring", l_tostring},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"fontset_open", l_open},
  {"fontset_seed", l_seed},
  {"fontset_render", l_render},
  {"fontset_generate", l_generate},
  {NULL, NULL}
};

void lcv_open_fontset(lua_State *L) {
  if (luaL_newmetatable(L, FONT_MT)) {
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  luaL_setfuncs(L, funcs, 0);
}
