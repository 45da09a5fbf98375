/* kernel.c - the C side of bin/cvision's Jupyter kernel (the protocol itself is Lua:
 * lua/cvision/kernel/). `bin/cvision --kernel FILE` and `--install-kernel [...]` come here from
 * main.c; this file preloads `cvision.zmq` (l_zmq.c) and `cvision.kernel.native`:
 *   native.hmac(key, part, ...) --> hex HMAC-SHA256 of the parts' concatenation
 *   native.isodate() --> "2024-05-01T12:00:00.123456Z" (UTC, microseconds: the header's date)
 *   native.heartbeat(endpoint) --> hb   a thread echoing every ping on a REP socket of its own
 *                                       context; hb:stop() (also __gc) ends it and joins
 *   native.control_relay(ctx, endpoint, inproc) --> relay   a thread owning the control ROUTER
 *       socket (bound to endpoint, in ctx): it passes every message, frame for frame, to a PAIR
 *       bound to inproc (the kernel's Lua side connects its own PAIR there and reads the control
 *       channel from it) and every message coming back to the ROUTER. While a cell runs, each
 *       message it passes also wakes the Lua thread (see below). relay:stop() (also __gc) ends
 *       it and joins; it must run before its context is terminated.
 *   native.on_control(fn): the function a woken cell calls (in a hook, at its next instruction)
 *       to answer what came on the control channel; when fn returns true (an interrupt_request,
 *       a shutdown_request) the cell stops with "interrupted"
 *   native.arm_interrupt(), native.disarm_interrupt() --> interrupted
 *       between the two, SIGINT sets a hook that raises "interrupted" in the running Lua code at its
 *       next instruction, and a control message sets one that calls on_control's fn; outside them
 *       SIGINT is ignored, so the kernel lives on, and control messages wait for the kernel's loop
 *   native.wake(): what a control message does while a cell runs (the cell runner calls it when
 *       one came just before the cell was armed)
 *   native.track_coroutines(coroutine): resume and wrap keep the running coroutine known, so an
 *       interrupt reaches a loop inside a coroutine (see "the running coroutine" below)
 *   native.exe_path() --> the absolute path of the running binary (the kernelspec's argv[0])
 * The heartbeat and relay threads block every signal, so SIGINT always reaches the thread running
 * Lua; the relay wakes it with SIGUSR1 (SA_RESTART: a read in the cell is not cut short), whose
 * handler only sets a hook, as SIGINT's does (lua.c's way: lua_sethook is the one call that is
 * safe there; a hook set from the relay thread itself would race with the running Lua). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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
void *cv_zmq_context(lua_State *L, int i);

#define WAKE_SIGNAL SIGUSR1

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
static atomic_int armed = 0;               /* armedL != NULL, as the relay thread reads it */
static volatile sig_atomic_t interrupted = 0;
static pthread_t lua_thread;               /* the thread that runs Lua (the wake's target) */

/* the hook that was set when a control message woke the cell, put back before it is served */
static lua_Hook saved_hook = NULL;
static int saved_mask = 0, saved_count = 0;

#define ON_CONTROL_KEY "cvision.kernel.on_control"
#define ALL_EVENTS (LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT)

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted");
}

/* serves the control channel from inside the running cell: on_control's fn, protected */
static void control_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  /* first the hook that was there (output's held-line timer): a wake coming while fn runs sets
   * this hook again, so no message is left unserved */
  lua_sethook(L, saved_hook, saved_mask, saved_count);
  if (lua_getfield(L, LUA_REGISTRYINDEX, ON_CONTROL_KEY) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return;
  }
  int stop = lua_pcall(L, 0, 1, 0) == LUA_OK && lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (stop) {
    interrupted = 1;
    luaL_error(L, "interrupted");
  }
}

/* ---- the running coroutine ----
 * A hook belongs to one Lua thread, so an interrupt must reach the coroutine that runs, not the
 * main thread waiting in resume. coroutine.resume and coroutine.wrap's functions (replaced by
 * native.track_coroutines) keep the coroutines they run on this stack; the handlers set their
 * hook on its top. When a resume returns, a hook still pending on the coroutine moves to the
 * resumer, and an interrupt that ended the coroutine goes on in the resumer (resume catches
 * errors, not interrupts). Only the Lua thread touches the stack (its signal handlers included). */

#define MAXRUN 256
static lua_State *running[MAXRUN];
static volatile sig_atomic_t nrunning = 0;

/* the Lua thread that runs the cell now, or NULL between cells */
static lua_State *target(void) {
  lua_State *L = armedL;
  int n = nrunning;
  if (L != NULL && n > 0 && n <= MAXRUN) L = running[n - 1];
  return L;
}

/* kind: interrupt_hook (replaces anything) or control_hook (saves the hook it finds) */
static void set_pending(lua_State *L, lua_Hook kind) {
  lua_Hook h = lua_gethook(L);
  if (h == interrupt_hook) return;
  if (kind == control_hook) {
    if (h == control_hook) return;  /* a wake not yet served */
    saved_hook = h;
    saved_mask = h ? lua_gethookmask(L) : 0;
    saved_count = h ? lua_gethookcount(L) : 0;
  }
  lua_sethook(L, kind, ALL_EVENTS, 1);
}

/* lua_sethook is safe in a signal handler (lua.c does the same) */
static void on_sigint(int sig) {
  (void)sig;
  lua_State *L = target();
  if (L == NULL) return;  /* between cells: nothing to stop */
  interrupted = 1;
  set_pending(L, interrupt_hook);
}

/* a control message came while a cell runs: serve it at the cell's next instruction (an
 * interrupt already on its way, or a wake not yet served, stays as it is) */
static void on_wake(int sig) {
  (void)sig;
  lua_State *L = target();
  if (L == NULL) return;  /* between cells: the kernel's loop reads the message */
  set_pending(L, control_hook);
}

static int push_running(lua_State *co) {
  if (co == NULL || nrunning >= MAXRUN) return 0;
  running[nrunning] = co;
  nrunning = nrunning + 1;
  return 1;
}

/* co's resume returned to L: what was pending on co goes on in L */
static void pop_running(lua_State *co, lua_State *L) {
  nrunning = nrunning - 1;
  lua_Hook h = lua_gethook(co);
  if (h == control_hook) {
    lua_sethook(co, saved_hook, saved_mask, saved_count);
    if (armedL != NULL) set_pending(L, control_hook);
  } else if (h == interrupt_hook) {
    lua_sethook(co, NULL, 0, 0);
    if (armedL != NULL) set_pending(L, interrupt_hook);
  }
}

/* whether the value at i is the message of an interrupt that ended a coroutine */
static int is_interrupt(lua_State *L, int i) {
  size_t n;
  const char *m = lua_tolstring(L, i, &n);
  return interrupted && armedL != NULL && m != NULL && n >= 11 && strcmp(m + n - 11, "interrupted") == 0;
}

/* coroutine.resume(co, ...) as Lua's own (upvalue 1), co on the running stack meanwhile */
static int tracked_resume(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  int pushed = push_running(co);
  int st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (pushed) pop_running(co, L);
  if (st != LUA_OK) return lua_error(L);
  if (lua_gettop(L) >= 2 && !lua_toboolean(L, 1) && is_interrupt(L, 2)) set_pending(L, interrupt_hook);
  return lua_gettop(L);
}

/* a coroutine.wrap function: upvalue 1 Lua's own (auxwrap), 2 its coroutine */
static int tracked_call(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(2));
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  int pushed = push_running(co);
  int st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (pushed) pop_running(co, L);
  if (st != LUA_OK) {
    /* Lua's wrap adds its caller's position to a string error: the caller is this function
     * (no position), so add the one of ours */
    if (st != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
      luaL_where(L, 1);
      lua_insert(L, -2);
      lua_concat(L, 2);
    }
    return lua_error(L);
  }
  return lua_gettop(L);
}

/* coroutine.wrap(f) as Lua's own (upvalue 1), its function tracked */
static int tracked_wrap(lua_State *L) {
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 1, 1);
  if (lua_getupvalue(L, -1, 1) == NULL) return 1;
  if (!lua_isthread(L, -1)) {
    lua_pop(L, 1);
    return 1;
  }
  lua_pushcclosure(L, tracked_call, 2);
  return 1;
}

/* native.track_coroutines(coroutine_table): its resume and wrap replaced by the tracked ones */
static int l_track_coroutines(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (lua_getfield(L, 1, "resume") == LUA_TFUNCTION && lua_tocfunction(L, -1) != tracked_resume) {
    lua_pushcclosure(L, tracked_resume, 1);
    lua_setfield(L, 1, "resume");
  }
  if (lua_getfield(L, 1, "wrap") == LUA_TFUNCTION && lua_tocfunction(L, -1) != tracked_wrap) {
    lua_pushcclosure(L, tracked_wrap, 1);
    lua_setfield(L, 1, "wrap");
  }
  return 0;
}

/* native.arm_interrupt(): from now on SIGINT stops the Lua code running in this state, and
 * control messages are served in it */
static int l_arm(lua_State *L) {
  interrupted = 0;
  armedL = L;
  atomic_store(&armed, 1);
  return 0;
}

/* native.disarm_interrupt() --> whether the cell was interrupted since arm_interrupt */
static int l_disarm(lua_State *L) {
  atomic_store(&armed, 0);
  armedL = NULL;
  lua_Hook h = lua_gethook(L);
  if (h == interrupt_hook) lua_sethook(L, NULL, 0, 0);  /* came too late to fire */
  if (h == control_hook) lua_sethook(L, saved_hook, saved_mask, saved_count);  /* the loop serves it */
  lua_pushboolean(L, interrupted);
  interrupted = 0;
  return 1;
}

/* native.on_control(fn) */
static int l_on_control(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, ON_CONTROL_KEY);
  return 0;
}

/* native.wake() */
static int l_wake(lua_State *L) {
  (void)L;
  pthread_kill(pthread_self(), WAKE_SIGNAL);  /* through the handler, as the relay's wake */
  return 0;
}

/* ---- the control relay ---- */

#define RELAY_MT "cvision.kernel.relay"

typedef struct {
  void *router, *pair;   /* owned by the relay thread once it runs */
  int stopfd[2];         /* a byte on stopfd[1] ends the thread */
  pthread_t thread;
  int running;
} relay;

/* moves one multipart message from one socket to another --> 0, or -1 (ETERM: stopping) */
static int forward(void *from, void *to) {
  for (;;) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, from, 0) < 0) {
      zmq_msg_close(&m);
      return zmq_errno() == ETERM ? -1 : 0;
    }
    int more = zmq_msg_more(&m);
    if (zmq_msg_send(&m, to, more ? ZMQ_SNDMORE : 0) < 0) {
      zmq_msg_close(&m);  /* a peer gone (ROUTER drops unroutable): skip the rest */
      if (zmq_errno() == ETERM) return -1;
    }
    if (!more) return 0;
  }
}

static void *relay_loop(void *arg) {
  relay *r = arg;
  for (;;) {
    zmq_pollitem_t it[3] = {
      {r->router, 0, ZMQ_POLLIN, 0}, {r->pair, 0, ZMQ_POLLIN, 0}, {NULL, r->stopfd[0], ZMQ_POLLIN, 0},
    };
    if (zmq_poll(it, 3, -1) < 0) {
      if (zmq_errno() == EINTR) continue;
      break;
    }
    if (it[2].revents & ZMQ_POLLIN) {
      /* replies the kernel sent just before stopping (a shutdown_reply) still go out */
      zmq_pollitem_t p = {r->pair, 0, ZMQ_POLLIN, 0};
      while (zmq_poll(&p, 1, 0) > 0 && (p.revents & ZMQ_POLLIN) && forward(r->pair, r->router) == 0) {}
      break;
    }
    if ((it[0].revents & ZMQ_POLLIN)) {
      if (forward(r->router, r->pair) < 0) break;
      if (atomic_load(&armed)) pthread_kill(lua_thread, WAKE_SIGNAL);
    }
    if ((it[1].revents & ZMQ_POLLIN) && forward(r->pair, r->router) < 0) break;
  }
  zmq_close(r->router);
  zmq_close(r->pair);
  r->router = r->pair = NULL;
  return NULL;
}

static void relay_free(relay *r) {
  if (r->router) zmq_close(r->router);
  if (r->pair) zmq_close(r->pair);
  r->router = r->pair = NULL;
  for (int i = 0; i < 2; i++)
    if (r->stopfd[i] >= 0) close(r->stopfd[i]);
  r->stopfd[0] = r->stopfd[1] = -1;
}

/* native.control_relay(ctx, endpoint, inproc) --> relay (both bound before returning) */
static int l_control_relay(lua_State *L) {
  void *ctx = cv_zmq_context(L, 1);
  const char *ep = luaL_checkstring(L, 2);
  const char *inproc = luaL_checkstring(L, 3);
  relay *r = lua_newuserdatauv(L, sizeof *r, 1);
  memset(r, 0, sizeof *r);
  r->stopfd[0] = r->stopfd[1] = -1;
  luaL_setmetatable(L, RELAY_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);  /* the context outlives the relay */
  if (pipe(r->stopfd) != 0) return luaL_error(L, "control relay: %s", strerror(errno));
  r->router = zmq_socket(ctx, ZMQ_ROUTER);
  r->pair = zmq_socket(ctx, ZMQ_PAIR);
  int linger = 1000;
  if (r->router) zmq_setsockopt(r->router, ZMQ_LINGER, &linger, sizeof linger);
  if (r->pair) zmq_setsockopt(r->pair, ZMQ_LINGER, &linger, sizeof linger);
  const char *what = ep;
  if (r->router == NULL || r->pair == NULL || zmq_bind(r->router, ep) != 0 ||
      (what = inproc, zmq_bind(r->pair, inproc) != 0)) {
    const char *err = zmq_strerror(zmq_errno());
    relay_free(r);
    return luaL_error(L, "control relay %s: %s", what, err);
  }
  lua_thread = pthread_self();
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  /* the thread inherits the mask */
  int rc = pthread_create(&r->thread, NULL, relay_loop, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    relay_free(r);
    return luaL_error(L, "control relay: cannot start its thread (%s)", strerror(rc));
  }
  r->running = 1;
  return 1;
}

/* relay:stop(): ends the thread (it closes its sockets) and joins */
static int relay_stop(lua_State *L) {
  relay *r = luaL_checkudata(L, 1, RELAY_MT);
  if (r->running) {
    while (write(r->stopfd[1], "", 1) < 0 && errno == EINTR) {}
    pthread_join(r->thread, NULL);
    r->running = 0;
  }
  relay_free(r);
  return 0;
}

/* native.exe_path() --> /abs/path/to/bin/cvision. A binary replaced while it runs (a build
 * renaming a new bin/cvision over it) reads "PATH (deleted)": the kernelspec names PATH, the
 * binary that is there now. */
static int l_exe_path(lua_State *L) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return luaL_error(L, "cannot find the running binary: %s", strerror(errno));
  exe[n] = 0;
  static const char deleted[] = " (deleted)";
  size_t k = sizeof deleted - 1;
  if ((size_t)n > k && strcmp(exe + n - k, deleted) == 0) {
    exe[n - k] = 0;
    if (access(exe, X_OK) == 0) n -= (ssize_t)k;
    else exe[n - k] = ' ';
  }
  lua_pushlstring(L, exe, (size_t)n);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"hmac", l_hmac}, {"isodate", l_isodate}, {"heartbeat", l_heartbeat},
  {"arm_interrupt", l_arm}, {"disarm_interrupt", l_disarm}, {"exe_path", l_exe_path},
  {"control_relay", l_control_relay}, {"on_control", l_on_control}, {"wake", l_wake},
  {"track_coroutines", l_track_coroutines},
  {NULL, NULL}
};

static void stopper(lua_State *L, const char *name, lua_CFunction stop) {
  luaL_newmetatable(L, name);
  lua_pushcfunction(L, stop);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  lua_pushcfunction(L, stop);
  lua_setfield(L, -2, "stop");
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

static int luaopen_native(lua_State *L) {
  stopper(L, HB_MT, hb_stop);
  stopper(L, RELAY_MT, relay_stop);
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
  sa.sa_handler = on_wake;
  sa.sa_flags = SA_RESTART;      /* a cell's read goes on; a poll (input's) returns all the same */
  sigaction(WAKE_SIGNAL, &sa, NULL);
  lua_thread = pthread_self();
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
