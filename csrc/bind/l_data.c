/* l_data.c - Lua bindings of the data part of the core: directory listing and parallel image
 * loading (dataload.c), idx files (idx.c) and the handwriting renderer (hanzi.c).
 * Buffers handed to C live in Lua userdata on the stack, so an argument error half-way leaks
 * nothing. */
#include "lcv.h"
#include "data/dataload.h"
#include "data/hanzi.h"
#include "io/idx.h"
#include "base/random.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Pushes a core-owned tensor as a new Lua tensor (a copy) and releases it. */
static void push_owned(lua_State *L, cv_tensor *t) {
  cv_tensor *o = lcv_newtensor(L, t->dtype, t->ndim, t->shape);
  memcpy(cv_tensor_data(o), cv_tensor_data(t), (size_t)t->numel * cv_dtype_size(t->dtype));
  cv_tensor_release(t);
}

static void *scratch(lua_State *L, size_t n) {
  void *p = lua_newuserdatauv(L, n ? n : 1, 0);
  return p;
}

/* Reads the glyph table at idx ({medians = {{x1, y1, x2, y2, ...}, ...}, rad = {i, ...}}) into g;
 * its arrays are userdata pushed on the stack (3 values). */
static void checkglyph(lua_State *L, int idx, cv_hanzi_glyph *g) {
  idx = lua_absindex(L, idx);
  luaL_checktype(L, idx, LUA_TTABLE);
  if (lua_getfield(L, idx, "medians") != LUA_TTABLE) luaL_error(L, "glyph: medians must be a table");
  int med = lua_gettop(L);
  int ns = (int)luaL_len(L, med);
  if (ns < 1) luaL_error(L, "glyph: no strokes");
  int *np = scratch(L, sizeof(int) * (size_t)ns);
  int *grp = scratch(L, sizeof(int) * (size_t)ns);
  size_t total = 0;
  for (int s = 1; s <= ns; s++) {
    if (lua_geti(L, med, s) != LUA_TTABLE) luaL_error(L, "glyph: stroke %d is not a table", s);
    lua_Integer n = luaL_len(L, -1);
    if (n < 2 || n % 2) luaL_error(L, "glyph: stroke %d needs x, y pairs", s);
    np[s - 1] = (int)(n / 2);
    total += (size_t)n;
    lua_pop(L, 1);
  }
  float *xy = scratch(L, sizeof(float) * total);
  size_t at = 0;
  for (int s = 1; s <= ns; s++) {
    lua_geti(L, med, s);
    for (int j = 1; j <= 2 * np[s - 1]; j++) {
      lua_geti(L, -1, j);
      int ok;
      lua_Number v = lua_tonumberx(L, -1, &ok);
      if (!ok) luaL_error(L, "glyph: stroke %d has a non-number", s);
      xy[at++] = (float)v;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    grp[s - 1] = 0;
  }
  if (lua_getfield(L, idx, "rad") == LUA_TTABLE) {
    lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_Integer k = (lua_geti(L, -1, i), lua_tointeger(L, -1));
      lua_pop(L, 1);
      if (k >= 1 && k <= ns) grp[k - 1] = 1;
    }
  }
  lua_pop(L, 1);
  lua_remove(L, med);   /* keeps np, grp, xy on the stack */
  g->nstrokes = ns;
  g->npoints = np;
  g->xy = xy;
  g->group = grp;
}

/* hanzi_seed(a, b) --> integer: a 64-bit hash of two integers */
static int l_hanzi_seed(lua_State *L) {
  uint64_t a = (uint64_t)luaL_checkinteger(L, 1), b = (uint64_t)luaL_checkinteger(L, 2);
  lua_pushinteger(L, (lua_Integer)cv_hanzi_seed(a, b));
  return 1;
}

/* hanzi_render(glyph, writer_seed, sample_seed) --> uint8 tensor (H, W, 1) */
static int l_hanzi_render(lua_State *L) {
  cv_hanzi_glyph g;
  uint64_t ws = (uint64_t)luaL_checkinteger(L, 2), ss = (uint64_t)luaL_checkinteger(L, 3);
  checkglyph(L, 1, &g);
  cv_tensor t = {0};
  LCV_CHECK(L, cv_hanzi_render(&t, &g, ws, ss), "hanzi_render");
  push_owned(L, &t);
  return 1;
}

/* hanzi_generate(glyphs, jobs, base_seed): jobs = {glyph = {i...}, writer = {...}, seed = {...},
 * path = {...}} (1-based glyph numbers); renders and writes every PNG in threads */
static int l_hanzi_generate(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  uint64_t base = (uint64_t)luaL_checkinteger(L, 3);
  int ng = (int)luaL_len(L, 1);
  luaL_argcheck(L, ng >= 1, 1, "no glyphs");
  luaL_checkstack(L, 3 * ng + 16, "too many glyphs");
  cv_hanzi_glyph *gs = scratch(L, sizeof *gs * (size_t)ng);
  for (int i = 1; i <= ng; i++) {
    lua_geti(L, 1, i);
    checkglyph(L, -1, &gs[i - 1]);   /* leaves 3 buffers above the glyph table */
    lua_rotate(L, -4, -1);
    lua_pop(L, 1);                   /* drop the glyph table, keep its buffers */
  }
  int fields[4];
  const char *names[4] = {"glyph", "writer", "seed", "path"};
  for (int k = 0; k < 4; k++) {
    if (lua_getfield(L, 2, names[k]) != LUA_TTABLE) return luaL_error(L, "jobs.%s must be a table", names[k]);
    fields[k] = lua_gettop(L);
  }
  size_t nj = (size_t)luaL_len(L, fields[0]);
  for (int k = 1; k < 4; k++)
    if ((size_t)luaL_len(L, fields[k]) != nj) return luaL_error(L, "jobs.%s has a different length", names[k]);
  cv_hanzi_job *jobs = scratch(L, sizeof *jobs * nj);
  for (size_t i = 0; i < nj; i++) {
    lua_geti(L, fields[0], (lua_Integer)i + 1);
    jobs[i].glyph = (int)lua_tointeger(L, -1) - 1;
    lua_geti(L, fields[1], (lua_Integer)i + 1);
    jobs[i].writer = (uint32_t)lua_tointeger(L, -1);
    lua_geti(L, fields[2], (lua_Integer)i + 1);
    jobs[i].seed = (uint64_t)lua_tointeger(L, -1);
    lua_geti(L, fields[3], (lua_Integer)i + 1);
    if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "jobs.path[%d] is not a string", (int)i + 1);
    jobs[i].path = lua_tostring(L, -1);   /* anchored in the jobs.path table */
    if (!jobs[i].path) return luaL_error(L, "jobs.path[%d] is not a string", (int)i + 1);
    lua_pop(L, 4);
  }
  LCV_CHECK(L, cv_hanzi_generate(gs, ng, jobs, nj, base), "hanzi_generate");
  return 0;
}

static int cmpstr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* data_listdir(path) --> {names of subdirectories}, {names of files} (both sorted by bytes, as
 * Python sorts str; dot entries skipped only for "." and ".."), or nil, message */
static int l_listdir(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  DIR *d = opendir(path);
  if (!d) {
    luaL_pushfail(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
  }
  lua_newtable(L);   /* dirs */
  lua_newtable(L);   /* files */
  int nd = 0, nf = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    int isdir = 0;
    if (e->d_type == DT_DIR) isdir = 1;
    else if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
      struct stat sb;
      lua_pushfstring(L, "%s/%s", path, e->d_name);
      if (stat(lua_tostring(L, -1), &sb) == 0 && S_ISDIR(sb.st_mode)) isdir = e->d_type != DT_LNK;
      lua_pop(L, 1);
    }
    lua_pushstring(L, e->d_name);
    if (isdir) lua_rawseti(L, -3, ++nd);
    else lua_rawseti(L, -2, ++nf);
  }
  closedir(d);
  /* sort both tables by bytes */
  for (int k = 0; k < 2; k++) {
    int t = lua_gettop(L) - 1 + k, n = k ? nf : nd;
    const char **v = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n ? n : 1), 0);
    for (int i = 0; i < n; i++) { lua_rawgeti(L, t, i + 1); v[i] = lua_tostring(L, -1); lua_pop(L, 1); }
    qsort(v, (size_t)n, sizeof *v, cmpstr);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) { lua_pushstring(L, v[i]); lua_rawseti(L, -2, i + 1); }
    lua_replace(L, -2);       /* sorted table over the scratch; old table still anchors strings */
    lua_replace(L, t);
  }
  return 2;
}

/* data_mkdir(path) --> true, or nil, message (an existing directory is not an error) */
static int l_mkdir(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  if (mkdir(path, 0777) != 0 && errno != EEXIST) {
    luaL_pushfail(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* data_load_images(paths, h, w, channels [, "bilinear"|"nearest"]) --> float32 (N, h, w, channels) */
static int l_load_images(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int h = (int)luaL_checkinteger(L, 2), w = (int)luaL_checkinteger(L, 3);
  int c = (int)luaL_checkinteger(L, 4);
  static const char *const modes[] = {"bilinear", "nearest", NULL};
  int interp = luaL_checkoption(L, 5, "bilinear", modes);
  luaL_argcheck(L, h > 0 && w > 0, 2, "image size must be positive");
  luaL_argcheck(L, c == 1 || c == 3 || c == 4, 4, "channels must be 1, 3 or 4");
  lua_Integer n = luaL_len(L, 1);
  const char **paths = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n ? n : 1), 0);
  for (lua_Integer i = 0; i < n; i++) {
    if (lua_rawgeti(L, 1, i + 1) != LUA_TSTRING) return luaL_error(L, "paths[%d] is not a string", (int)i + 1);
    paths[i] = lua_tostring(L, -1);   /* anchored in the paths table */
    lua_pop(L, 1);
  }
  int64_t shape[4] = {n, h, w, c};
  cv_tensor *t = lcv_newtensor(L, CV_FLOAT32, 4, shape);
  LCV_CHECK(L, cv_dataload_images(t, paths, (cv_interp)interp), "load_images");
  return 1;
}

/* idx_load(path) --> tensor (uint8 for unsigned-byte files, float32 otherwise) */
static int l_idx_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  cv_tensor t = {0};
  LCV_CHECK(L, cv_idx_load(&t, path), "idx_load");
  push_owned(L, &t);
  return 1;
}

/* data_random_seed() --> integer in [0, 1e6) drawn from cvision's global stream (Keras draws a
 * seed this way when shuffling without one) */
static int l_random_seed(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)cv_rng_below(1000000));
  return 1;
}

static const luaL_Reg funcs[] = {
  {"data_listdir", l_listdir},
  {"data_load_images", l_load_images},
  {"data_mkdir", l_mkdir},
  {"data_random_seed", l_random_seed},
  {"idx_load", l_idx_load},
  {"hanzi_seed", l_hanzi_seed},
  {"hanzi_render", l_hanzi_render},
  {"hanzi_generate", l_hanzi_generate},
  {NULL, NULL}
};

void lcv_open_data(lua_State *L) {
  luaL_setfuncs(L, funcs, 0);
}
