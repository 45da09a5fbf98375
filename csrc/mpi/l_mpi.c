/* l_mpi.c - cvision.mpi, the Lua binding of MPI behind cv.distributed (lua/cvision/distributed.lua):
 * a module of its own, built only where Open MPI is installed (mpicc), so that core.so and
 * libcvision never depend on MPI. One process per rank; only the thread that loaded it calls MPI
 * (MPI_THREAD_FUNNELED: cvision's worker threads never do).
 * Reductions are done in a fixed order: every rank gathers every rank's buffer and adds them in
 * rank order 0, 1, ..., so the result is the same bits on every rank and in every run with the same
 * number of ranks (MPI_Allreduce leaves its order to the library). Tensors arrive as the
 * (pointer, count) pairs of core._data_pointer, which cv.distributed checks first. */
#include <mpi.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include "lua.h"
#include "lauxlib.h"

static int started, stopped;

static void finalize(void) {
  int fin = 0;
  if (started && !stopped && MPI_Finalized(&fin) == MPI_SUCCESS && !fin) MPI_Finalize();
  stopped = 1;
}

/* At exit: MPI_Finalize after a clean exit; after a failing one (a Lua error ends the script with
 * status 1) MPI_Abort, so that mpirun ends the other ranks instead of leaving them waiting in a
 * collective this rank will never join (MPI_Finalize would wait for them too). */
static void at_exit(int status, void *arg) {
  (void)arg;
  int fin = 0;
  if (status != 0 && started && !stopped && MPI_Finalized(&fin) == MPI_SUCCESS && !fin) {
    stopped = 1;
    MPI_Abort(MPI_COMM_WORLD, status);
  }
  finalize();
}

static int fail(lua_State *L, const char *who, int rc) {
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS) len = 0;
  msg[len] = 0;
  return luaL_error(L, "cv.distributed.%s: MPI error: %s", who, len ? msg : "unknown");
}

#define CHECK_MPI(L, who, call) do { int rc_ = (call); if (rc_ != MPI_SUCCESS) return fail(L, who, rc_); } while (0)

static void need_init(lua_State *L, const char *who) {
  if (!started) luaL_error(L, "cv.distributed.%s: call cv.distributed.init() first", who);
  if (stopped) luaL_error(L, "cv.distributed.%s: MPI was finalized", who);
}

/* init() --> rank, size. Open MPI's components are plug-ins that need libmpi's symbols in the
 * global namespace, which require() does not give (it loads this module RTLD_LOCAL): libmpi is
 * opened again RTLD_GLOBAL first. */
static int l_init(lua_State *L) {
  if (!started) {
    int fin = 0;
    MPI_Finalized(&fin);
    if (fin) return luaL_error(L, "cv.distributed.init: MPI was finalized already");
    int already = 0;
    MPI_Initialized(&already);
    if (!already) {
      const char *libs[] = {"libmpi.so.40", "libmpi.so", NULL};
      for (int i = 0; libs[i]; i++)
        if (dlopen(libs[i], RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) || dlopen(libs[i], RTLD_NOW | RTLD_GLOBAL)) break;
      int provided = 0;
      CHECK_MPI(L, "init", MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided));
      on_exit(at_exit, NULL);
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    started = 1;
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  lua_pushinteger(L, rank);
  lua_pushinteger(L, size);
  return 2;
}

/* finalize() ends MPI (also done at exit); nothing may be called after it */
static int l_finalize(lua_State *L) {
  (void)L;
  finalize();
  return 0;
}

/* initialized() --> true between init() and finalize() */
static int l_initialized(lua_State *L) {
  lua_pushboolean(L, started && !stopped);
  return 1;
}

/* barrier() waits for every rank */
static int l_barrier(lua_State *L) {
  need_init(L, "barrier");
  CHECK_MPI(L, "barrier", MPI_Barrier(MPI_COMM_WORLD));
  return 0;
}

static float *check_floats(lua_State *L, int idx, lua_Integer *n) {
  luaL_checktype(L, idx, LUA_TLIGHTUSERDATA);
  *n = luaL_checkinteger(L, idx + 1);
  luaL_argcheck(L, *n >= 0 && *n <= 0x7fffffff, idx + 1, "count out of range");
  return (float *)lua_touserdata(L, idx);
}

/* allreduce_floats(ptr, n [, mean]) adds the n floats at ptr over all ranks in rank order, in
 * place (mean: then divides by the number of ranks); the sum is kept in double and rounded once,
 * so the mean of equal values is that value exactly */
static int l_allreduce_floats(lua_State *L) {
  need_init(L, "allreduce");
  lua_Integer n;
  float *p = check_floats(L, 1, &n);
  int mean = lua_toboolean(L, 3);
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (n == 0) return 0;
  float *all = malloc((size_t)n * (size_t)size * sizeof *all);
  if (!all) return luaL_error(L, "cv.distributed.allreduce: out of memory (%d x %d floats)", (int)n, size);
  int rc = MPI_Allgather(p, (int)n, MPI_FLOAT, all, (int)n, MPI_FLOAT, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) { free(all); return fail(L, "allreduce", rc); }
  for (lua_Integer i = 0; i < n; i++) {
    double s = all[i];
    for (int r = 1; r < size; r++) s += all[(size_t)r * (size_t)n + (size_t)i];
    p[i] = (float)(mean ? s / size : s);
  }
  free(all);
  return 0;
}

/* broadcast_floats(ptr, n, root) copies root's n floats at ptr to every rank */
static int l_broadcast_floats(lua_State *L) {
  need_init(L, "broadcast");
  lua_Integer n;
  float *p = check_floats(L, 1, &n);
  int root = (int)luaL_checkinteger(L, 3);
  if (n > 0) CHECK_MPI(L, "broadcast", MPI_Bcast(p, (int)n, MPI_FLOAT, root, MPI_COMM_WORLD));
  return 0;
}

/* allreduce_numbers({x1, ..., xk}) --> a new list of the sums over ranks (doubles, rank order) */
static int l_allreduce_numbers(lua_State *L) {
  need_init(L, "allreduce");
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer k = luaL_len(L, 1);
  luaL_argcheck(L, k >= 0 && k <= 1 << 20, 1, "too many numbers");
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  double *v = malloc(((size_t)k + 1) * (size_t)(size + 1) * sizeof *v);
  if (!v) return luaL_error(L, "cv.distributed.allreduce: out of memory");
  for (lua_Integer i = 0; i < k; i++) {
    lua_rawgeti(L, 1, i + 1);
    int ok;
    v[i] = lua_tonumberx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok) { free(v); return luaL_error(L, "cv.distributed.allreduce: entry %d is not a number", (int)i + 1); }
  }
  double *all = v + k;
  int rc = k ? MPI_Allgather(v, (int)k, MPI_DOUBLE, all, (int)k, MPI_DOUBLE, MPI_COMM_WORLD) : MPI_SUCCESS;
  if (rc != MPI_SUCCESS) { free(v); return fail(L, "allreduce", rc); }
  lua_createtable(L, (int)k, 0);
  for (lua_Integer i = 0; i < k; i++) {
    double s = all[i];
    for (int r = 1; r < size; r++) s += all[(size_t)r * (size_t)k + (size_t)i];
    lua_pushnumber(L, s);
    lua_rawseti(L, -2, i + 1);
  }
  free(v);
  return 1;
}

/* broadcast_string(s | nil, root) --> root's string on every rank */
static int l_broadcast_string(lua_State *L) {
  need_init(L, "broadcast");
  size_t len = 0;
  const char *s = lua_isnoneornil(L, 1) ? NULL : luaL_checklstring(L, 1, &len);
  int root = (int)luaL_checkinteger(L, 2), rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  long long n = rank == root ? (long long)len : 0;
  CHECK_MPI(L, "broadcast", MPI_Bcast(&n, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD));
  if (n < 0 || n > 0x7fffffff) return luaL_error(L, "cv.distributed.broadcast: bad length");
  char *buf = malloc((size_t)n + 1);
  if (!buf) return luaL_error(L, "cv.distributed.broadcast: out of memory");
  if (rank == root && n) memcpy(buf, s, (size_t)n);
  int rc = n ? MPI_Bcast(buf, (int)n, MPI_CHAR, root, MPI_COMM_WORLD) : MPI_SUCCESS;
  if (rc != MPI_SUCCESS) { free(buf); return fail(L, "broadcast", rc); }
  lua_pushlstring(L, buf, (size_t)n);
  free(buf);
  return 1;
}

/* send(dest, tag, s) sends string s to rank dest */
static int l_send(lua_State *L) {
  need_init(L, "send");
  int dest = (int)luaL_checkinteger(L, 1), tag = (int)luaL_checkinteger(L, 2);
  size_t len;
  const char *s = luaL_checklstring(L, 3, &len);
  luaL_argcheck(L, len <= 0x7fffffff, 3, "message too long");
  luaL_argcheck(L, tag >= 0 && tag < 32768, 2, "tag must be 0..32767");
  CHECK_MPI(L, "send", MPI_Send(s, (int)len, MPI_CHAR, dest, tag, MPI_COMM_WORLD));
  return 0;
}

/* recv([source = any [, tag = any]]) --> s, source, tag of the next message */
static int l_recv(lua_State *L) {
  need_init(L, "recv");
  int src = (int)luaL_optinteger(L, 1, -1), tag = (int)luaL_optinteger(L, 2, -1);
  if (src < 0) src = MPI_ANY_SOURCE;
  if (tag < 0) tag = MPI_ANY_TAG;
  MPI_Status st;
  CHECK_MPI(L, "recv", MPI_Probe(src, tag, MPI_COMM_WORLD, &st));
  int n = 0;
  MPI_Get_count(&st, MPI_CHAR, &n);
  char *buf = malloc((size_t)n + 1);
  if (!buf) return luaL_error(L, "cv.distributed.recv: out of memory");
  int rc = MPI_Recv(buf, n, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS) { free(buf); return fail(L, "recv", rc); }
  lua_pushlstring(L, buf, (size_t)n);
  free(buf);
  lua_pushinteger(L, st.MPI_SOURCE);
  lua_pushinteger(L, st.MPI_TAG);
  return 3;
}

/* probe([source = any [, tag = any]]) --> true when a message is waiting (does not block) */
static int l_probe(lua_State *L) {
  need_init(L, "probe");
  int src = (int)luaL_optinteger(L, 1, -1), tag = (int)luaL_optinteger(L, 2, -1), flag = 0;
  if (src < 0) src = MPI_ANY_SOURCE;
  if (tag < 0) tag = MPI_ANY_TAG;
  CHECK_MPI(L, "probe", MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE));
  lua_pushboolean(L, flag);
  return 1;
}

/* abort([code = 1]) ends every rank of the job (MPI_Abort) */
static int l_abort(lua_State *L) {
  need_init(L, "abort");
  int code = (int)luaL_optinteger(L, 1, 1);
  stopped = 1;
  MPI_Abort(MPI_COMM_WORLD, code);
  return 0;
}

/* library() --> the MPI library's version string */
static int l_library(lua_State *L) {
  char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(v, &len);
  lua_pushlstring(L, v, (size_t)len);
  return 1;
}

int luaopen_cvision_mpi(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"init", l_init}, {"finalize", l_finalize}, {"initialized", l_initialized}, {"barrier", l_barrier},
    {"allreduce_floats", l_allreduce_floats}, {"broadcast_floats", l_broadcast_floats},
    {"allreduce_numbers", l_allreduce_numbers}, {"broadcast_string", l_broadcast_string},
    {"send", l_send}, {"recv", l_recv}, {"probe", l_probe}, {"abort", l_abort}, {"library", l_library}, {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
