/* l_zmq.c - the thin ZeroMQ binding the Jupyter kernel speaks through, preloaded into bin/cvision
 * as `cvision.zmq` (never part of libcvision or core.so: only the REPL binary links libzmq).
 *   zmq.context() --> ctx            ctx:socket(kind) --> sock   ("ROUTER" "DEALER" "PUB" "SUB" "REP" "REQ"
 *                                                                 "PAIR")
 *   sock:bind(endpoint)              sock:connect(endpoint)
 *   sock:send(frames)                one multipart message, all frames sent in this one call
 *   sock:recv([nowait]) --> frames   a list of strings; nil, "again" when nowait and none is queued
 *   zmq.poll(socks, timeout_ms) --> list of booleans, one per socket (readable); all false on a
 *                                    signal (EINTR) or the timeout
 *   sock:close(), ctx:term(), zmq.version() --> "4.3.4"
 * Handles start empty and are closed by __gc/__close; a closed socket raises on use. Calls that a
 * signal interrupts are retried, except poll, which returns so the caller can look around.
 * cv_zmq_context(L, i) hands kernel.c the raw context of a ctx argument (its control relay's
 * sockets must share the context of the Lua socket they talk to over inproc). */
#include <errno.h>
#include <string.h>

#include <zmq.h>

#include <lua.h>
#include <lauxlib.h>

#define CTX_MT  "cvision.zmq.context"
#define SOCK_MT "cvision.zmq.socket"

typedef struct { void *ctx; } lctx;
typedef struct { void *sock; } lsock;

static int zfail(lua_State *L, const char *what) {
  return luaL_error(L, "zmq %s: %s", what, zmq_strerror(zmq_errno()));
}

static lsock *checksock(lua_State *L, int i) {
  lsock *s = luaL_checkudata(L, i, SOCK_MT);
  luaL_argcheck(L, s->sock != NULL, i, "socket is closed");
  return s;
}

/* context() --> ctx */
static int l_context(lua_State *L) {
  lctx *c = lua_newuserdatauv(L, sizeof *c, 0);
  c->ctx = NULL;
  luaL_setmetatable(L, CTX_MT);
  c->ctx = zmq_ctx_new();
  if (c->ctx == NULL) return zfail(L, "context");
  return 1;
}

/* ctx:term(): waits for each socket's pending messages (up to its linger), then frees */
static int ctx_term(lua_State *L) {
  lctx *c = luaL_checkudata(L, 1, CTX_MT);
  if (c->ctx) {
    while (zmq_ctx_term(c->ctx) != 0 && zmq_errno() == EINTR) {}
    c->ctx = NULL;
  }
  return 0;
}

static const struct { const char *name; int type; } kinds[] = {
  {"ROUTER", ZMQ_ROUTER}, {"DEALER", ZMQ_DEALER}, {"PUB", ZMQ_PUB}, {"SUB", ZMQ_SUB},
  {"REP", ZMQ_REP}, {"REQ", ZMQ_REQ}, {"PAIR", ZMQ_PAIR},
};

/* the libzmq context of the ctx at index i (raises when it is not one, or terminated) */
void *cv_zmq_context(lua_State *L, int i) {
  lctx *c = luaL_checkudata(L, i, CTX_MT);
  luaL_argcheck(L, c->ctx != NULL, i, "context is terminated");
  return c->ctx;
}

/* ctx:socket(kind) --> sock, with a linger of 1 s so closing never hangs on a gone peer */
static int ctx_socket(lua_State *L) {
  lctx *c = luaL_checkudata(L, 1, CTX_MT);
  const char *kind = luaL_checkstring(L, 2);
  luaL_argcheck(L, c->ctx != NULL, 1, "context is terminated");
  int type = -1;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kind, kinds[i].name) == 0) type = kinds[i].type;
  if (type < 0) return luaL_argerror(L, 2, lua_pushfstring(L, "unknown socket kind '%s'", kind));
  lsock *s = lua_newuserdatauv(L, sizeof *s, 1);
  s->sock = NULL;
  luaL_setmetatable(L, SOCK_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);  /* the context outlives its sockets */
  s->sock = zmq_socket(c->ctx, type);
  if (s->sock == NULL) return zfail(L, "socket");
  int linger = 1000;
  zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof linger);
  if (type == ZMQ_SUB) zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, "", 0);
  return 1;
}

/* sock:close() */
static int sock_close(lua_State *L) {
  lsock *s = luaL_checkudata(L, 1, SOCK_MT);
  if (s->sock) {
    zmq_close(s->sock);
    s->sock = NULL;
  }
  return 0;
}

/* sock:bind(endpoint) */
static int sock_bind(lua_State *L) {
  lsock *s = checksock(L, 1);
  const char *ep = luaL_checkstring(L, 2);
  if (zmq_bind(s->sock, ep) != 0)
    return luaL_error(L, "zmq bind %s: %s", ep, zmq_strerror(zmq_errno()));
  return 0;
}

/* sock:connect(endpoint) */
static int sock_connect(lua_State *L) {
  lsock *s = checksock(L, 1);
  const char *ep = luaL_checkstring(L, 2);
  if (zmq_connect(s->sock, ep) != 0)
    return luaL_error(L, "zmq connect %s: %s", ep, zmq_strerror(zmq_errno()));
  return 0;
}

/* sock:send(frames): every frame of the message goes out in this one C call, so nothing (a Lua
 * hook raising "interrupted") can leave half a multipart message queued */
static int sock_send(lua_State *L) {
  lsock *s = checksock(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  int n = (int)luaL_len(L, 2);
  luaL_argcheck(L, n > 0, 2, "no frames to send");
  for (int i = 1; i <= n; i++) {
    if (lua_rawgeti(L, 2, i) != LUA_TSTRING) return luaL_error(L, "zmq send: frame %d is not a string", i);
    lua_pop(L, 1);
  }
  for (int i = 1; i <= n; i++) {
    size_t len;
    lua_rawgeti(L, 2, i);
    const char *p = lua_tolstring(L, -1, &len);
    int rc;
    while ((rc = zmq_send(s->sock, p, len, i < n ? ZMQ_SNDMORE : 0)) < 0 && zmq_errno() == EINTR) {}
    lua_pop(L, 1);
    if (rc < 0) return zfail(L, "send");
  }
  return 0;
}

/* sock:recv([nowait]) --> {frame, ...} | nil, "again" */
static int sock_recv(lua_State *L) {
  lsock *s = checksock(L, 1);
  int flags = lua_toboolean(L, 2) ? ZMQ_DONTWAIT : 0;
  lua_newtable(L);
  int more = 1;
  for (int i = 1; more; i++) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    int rc;
    while ((rc = zmq_msg_recv(&m, s->sock, i == 1 ? flags : 0)) < 0 && zmq_errno() == EINTR) {}
    if (rc < 0) {
      int err = zmq_errno();
      zmq_msg_close(&m);
      if (err == EAGAIN && i == 1) {
        lua_pushnil(L);
        lua_pushliteral(L, "again");
        return 2;
      }
      errno = err;
      return zfail(L, "recv");
    }
    lua_pushlstring(L, zmq_msg_data(&m), zmq_msg_size(&m));
    lua_rawseti(L, -2, i);
    more = zmq_msg_more(&m);
    zmq_msg_close(&m);
  }
  return 1;
}

#define MAXPOLL 16

/* poll(socks, timeout_ms) --> {readable, ...} */
static int l_poll(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  long timeout = (long)luaL_optinteger(L, 2, -1);
  int n = (int)luaL_len(L, 1);
  luaL_argcheck(L, n > 0 && n <= MAXPOLL, 1, "1 to 16 sockets expected");
  zmq_pollitem_t items[MAXPOLL];
  for (int i = 0; i < n; i++) {
    lua_rawgeti(L, 1, i + 1);
    items[i].socket = checksock(L, -1)->sock;
    items[i].fd = 0;
    items[i].events = ZMQ_POLLIN;
    items[i].revents = 0;
    lua_pop(L, 1);
  }
  int rc = zmq_poll(items, n, timeout);
  if (rc < 0 && zmq_errno() != EINTR) return zfail(L, "poll");
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushboolean(L, rc > 0 && (items[i].revents & ZMQ_POLLIN));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* version() --> "major.minor.patch" */
static int l_version(lua_State *L) {
  int a, b, c;
  zmq_version(&a, &b, &c);
  lua_pushfstring(L, "%d.%d.%d", a, b, c);
  return 1;
}

static const luaL_Reg ctx_methods[] = {
  {"socket", ctx_socket}, {"term", ctx_term}, {NULL, NULL}
};

static const luaL_Reg sock_methods[] = {
  {"bind", sock_bind}, {"connect", sock_connect}, {"send", sock_send}, {"recv", sock_recv},
  {"close", sock_close}, {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"context", l_context}, {"poll", l_poll}, {"version", l_version}, {NULL, NULL}
};

static void newmeta(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc) {
  luaL_newmetatable(L, name);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, gc);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
}

int luaopen_cvision_zmq(lua_State *L) {
  newmeta(L, CTX_MT, ctx_methods, ctx_term);
  newmeta(L, SOCK_MT, sock_methods, sock_close);
  luaL_newlib(L, funcs);
  return 1;
}
