/* kernel.c - the C side of bin/cvision's Jupyter kernel (the protocol itself is Lua:
 * lua/cvision/kernel/). `bin/cvision --kernel FILE` and `--install-kernel [...]` come here from
 * main.c; this file preloads `cvision.zmq` (l_zmq.c) and `cvision.kernel.native`:
 *   native.hmac(key, part, ...) --> hex HMAC-SHA256 of the parts' concatenation
 *   native.isodate() --> "2024-05-01T12:00:00.123456Z" (UTC, microseconds: the header's date)
 *   native.heartbeat(endpoint) --> hb   a thread echoing every ping on a REP socket of its own
 *                                       context; hb:stop() (also __gc) ends it and joins
 *   native.arm_interrupt(), native.disarm_interrupt() --> interrupted
 *       between the two, SIGINT sets a hook that raises "interrupted" in the running Lua code at its
 *       next instruction; outside them SIGINT is ignored, so the kernel lives on
 *   native.exe_path() --> the absolute path of the running binary (the kernelspec's argv[0])
 * The heartbeat thread blocks every signal, so SIGINT always reaches the thread running Lua. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "base/sha256.h"
#include "repl/kernel.h"

int luaopen_cvision_zmq(lua_State *L);

/* native.hmac(key, part, ...) --> hex digest */
static int l_hmac(lua_State *L) {
  size_t klen;
  const char *key = luaL_checklstring(L, 1, &klen);
  cv_hmac_sha256_ctx c;
  cv_hmac_sha256_init(&c, key, klen);
  for (int i = 2; i <= lua_gettop(L); i++) {
    size_t n;
    const char *p = luaL_checklstring(L, i, &n);
    cv_hmac_sha256_update(&c, p, n);
  }
  unsigned char d[CV_SHA256_SIZE];
  char hex[2 * CV_SHA256_SIZE + 1];
  cv_hmac_sha256_final(d, &c);
  cv_hex(hex, d, sizeof d);
  lua_pushstring(L, hex);
  return 1;
}

/* native.isodate() --> ISO 8601 UTC time with microseconds */
static int l_isodate(lua_State *L) {
  struct timespec ts;
  struct tm tm;
  char buf[64];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%06ldZ", ts.tv_nsec / 1000);
  lua_pushstring(L, buf);
  return 1;
}

/* ---- heartbeat ---- */

#define HB_MT "cvision.kernel.heartbeat"

typedef struct {
  void *ctx, *sock;
  pthread_t thread;
  int running;
} heartbeat;

static void *hb_loop(void *arg) {
  heartbeat *hb = arg;
  for (;;) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    int rc = zmq_msg_recv(&m, hb->sock, 0);
    if (rc < 0) {
      zmq_msg_close(&m);
      if (zmq_errno() == EINTR) continue;
      break;  /* ETERM: the kernel is stopping */
    }
    int more = zmq_msg_more(&m);
    rc = zmq_msg_send(&m, hb->sock, more ? ZMQ_SNDMORE : 0);
    if (rc < 0) {
      zmq_msg_close(&m);
      if (zmq_errno() == ETERM) break;
    }
  }
  zmq_close(hb->sock);
  return NULL;
}

/* native.heartbeat(endpoint) --> hb (bound before returning, so a busy port is an error here) */
static int l_heartbeat(lua_State *L) {
  const char *ep = luaL_checkstring(L, 1);
  heartbeat *hb = lua_newuserdatauv(L, sizeof *hb, 0);
  memset(hb, 0, sizeof *hb);
  luaL_setmetatable(L, HB_MT);
  hb->ctx = zmq_ctx_new();
  if (hb->ctx == NULL) return luaL_error(L, "heartbeat: %s", zmq_strerror(zmq_errno()));
  hb->sock = zmq_socket(hb->ctx, ZMQ_REP);
  int linger = 0;
  if (hb->sock) zmq_setsockopt(hb->sock, ZMQ_LINGER, &linger, sizeof linger);
  if (hb->sock == NULL || zmq_bind(hb->sock, ep) != 0) {
    const char *err = zmq_strerror(zmq_errno());
    if (hb->sock) zmq_close(hb->sock);
    hb->sock = NULL;
    return luaL_error(L, "heartbeat %s: %s", ep, err);
  }
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  /* the thread inherits the mask */
  int rc = pthread_create(&hb->thread, NULL, hb_loop, hb);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    zmq_close(hb->sock);
    hb->sock = NULL;
    return luaL_error(L, "heartbeat: cannot start its thread (%s)", strerror(rc));
  }
  hb->running = 1;
  return 1;
}

/* hb:stop(): ends the echo loop (its blocking recv returns ETERM), joins, frees the context */
static int hb_stop(lua_State *L) {
  heartbeat *hb = luaL_checkudata(L, 1, HB_MT);
  if (hb->ctx == NULL) return 0;
  zmq_ctx_shutdown(hb->ctx);
  if (hb->running) pthread_join(hb->thread, NULL);
  hb->running = 0;
  while (zmq_ctx_term(hb->ctx) != 0 && zmq_errno() == EINTR) {}
  hb->ctx = NULL;
  return 0;
}

/* ---- interrupts ---- */

static lua_State *volatile armedL = NULL;
static volatile sig_atomic_t interrupted = 0;

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted");
}

/* lua_sethook is safe in a signal handler (lua.c does the same) */
static void on_sigint(int sig) {
  (void)sig;
  lua_State *L = armedL;
  if (L == NULL) return;  /* between cells: nothing to stop */
  interrupted = 1;
  lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/* native.arm_interrupt(): from now on SIGINT stops the Lua code running in this state */
static int l_arm(lua_State *L) {
  interrupted = 0;
  armedL = L;
  return 0;
}

/* native.disarm_interrupt() --> whether a SIGINT came since arm_interrupt */
static int l_disarm(lua_State *L) {
  armedL = NULL;
  if (lua_gethook(L) == interrupt_hook) lua_sethook(L, NULL, 0, 0);  /* came too late to fire */
  lua_pushboolean(L, interrupted);
  interrupted = 0;
  return 1;
}

/* native.exe_path() --> /abs/path/to/bin/cvision */
static int l_exe_path(lua_State *L) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return luaL_error(L, "cannot find the running binary: %s", strerror(errno));
  lua_pushlstring(L, exe, (size_t)n);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"hmac", l_hmac}, {"isodate", l_isodate}, {"heartbeat", l_heartbeat},
  {"arm_interrupt", l_arm}, {"disarm_interrupt", l_disarm}, {"exe_path", l_exe_path},
  {NULL, NULL}
};

static int luaopen_native(lua_State *L) {
  luaL_newmetatable(L, HB_MT);
  lua_pushcfunction(L, hb_stop);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  lua_pushcfunction(L, hb_stop);
  lua_setfield(L, -2, "stop");
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  return 1;
}

int cv_kernel_option(const char *arg) {
  return arg && (strcmp(arg, "--kernel") == 0 || strcmp(arg, "--install-kernel") == 0);
}

static int traceback(lua_State *L) {
  luaL_traceback(L, L, lua_tostring(L, 1), 1);
  return 1;
}

/* Runs require("cvision.kernel").main(argv) in a state that has the standard libraries and the
 * preloaded core; returns the process exit status. */
int cv_kernel_main(lua_State *L, int argc, char **argv) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_cvision_zmq);
  lua_setfield(L, -2, "cvision.zmq");
  lua_pushcfunction(L, luaopen_native);
  lua_setfield(L, -2, "cvision.kernel.native");
  lua_pop(L, 1);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);  /* no SA_RESTART: a blocking poll returns and is retried */
  lua_pushcfunction(L, traceback);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cvision.kernel");
  if (lua_pcall(L, 1, 1, -3) == LUA_OK) {
    lua_getfield(L, -1, "main");
    lua_remove(L, -2);
    lua_createtable(L, argc, 0);
    for (int i = 0; i < argc; i++) {
      lua_pushstring(L, argv[i]);
      lua_rawseti(L, -2, i + 1);
    }
    if (lua_pcall(L, 1, 1, -3) == LUA_OK) {
      int code = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
      lua_pop(L, 2);
      return code;
    }
  }
  fprintf(stderr, "cvision kernel: %s\n", lua_tostring(L, -1));
  lua_pop(L, 2);
  return 1;
}
