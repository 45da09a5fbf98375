/* main.c - bin/cvision: Lua 5.4 with cvision ready as the global `cv`, modelled on lua.c.
 *   bin/cvision [options] [script [args]]   with -e CODE, -l [g=]mod, -i, -v, -E, -W, --, -
 * Same argument handling, `arg` table and exit codes as lua5.4, so it can stand in for it
 * (`busted --lua=bin/cvision-asan` runs the suite under the sanitizers with it).
 * The REPL adds: libedit line editing with persistent history (~/.cvision_history, or
 * $CVISION_HISTORY), tab completion of cvision names, pretty-printed results
 * (cvision.sys.repr), and Ctrl-C interrupting a running computation back to the prompt.
 * When stdin is not a terminal the REPL reads plain lines and prints no prompts.
 * `--kernel CONNECTION_FILE` and `--install-kernel` run the Jupyter kernel instead (kernel.c). */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "cvision.h"
#include "repl/kernel.h"

int luaopen_cvision_core(lua_State *L);

#define PROGNAME "cvision"
#define MAXINPUT 4096
#define HISTORY_LEN 1000

static lua_State *globalL = NULL;
static const char *progname = PROGNAME;
static int use_editline = 0;              /* stdin is a terminal: libedit with prompts */
static char history_path[PATH_MAX];
static volatile sig_atomic_t prompt_interrupted = 0;

/* ---- Ctrl-C: a hook stops the running Lua code at its next instruction ---- */

/* restart: whether an interrupted system call (a read in the running code) resumes */
static void setsignal_r(int sig, void (*handler)(int), int restart) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void setsignal(int sig, void (*handler)(int)) {
  setsignal_r(sig, handler, 1);
}

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

/* A second Ctrl-C before the hook runs (stuck in a long C call) kills the process, as lua.c. */
static void laction(int sig) {
  int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  setsignal(sig, SIG_DFL);
  lua_sethook(globalL, lstop, flag, 1);
}

/* Ctrl-C at the prompt drops the line being typed instead of ending the session. */
static void prompt_action(int sig) {
  (void)sig;
  prompt_interrupted = 1;
}

/* ---- messages and protected calls ---- */

static void l_message(const char *pname, const char *msg) {
  if (pname) fprintf(stderr, "%s: ", pname);
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
}

static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL) msg = "(error object is not a string)";
    l_message(progname, msg);
    lua_pop(L, 1);
  }
  return status;
}

static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Calls the function below narg arguments with a traceback handler and Ctrl-C armed. */
static int docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  globalL = L;
  setsignal(SIGINT, laction);
  int status = lua_pcall(L, narg, nres, base);
  setsignal(SIGINT, SIG_DFL);
  if (lua_gethook(L) == lstop) lua_sethook(L, NULL, 0, 0);  /* Ctrl-C that came too late */
  lua_remove(L, base);
  return status;
}

static void print_version(void) {
  printf("cvision %s (%s)  cv is loaded; cv.versions() for details\n", CV_VERSION, LUA_RELEASE);
  fflush(stdout);
}

static void print_usage(const char *badoption) {
  fprintf(stderr, "%s: ", progname);
  if (badoption[1] == 'e' || badoption[1] == 'l')
    fprintf(stderr, "'%s' needs argument\n", badoption);
  else
    fprintf(stderr, "unrecognized option '%s'\n", badoption);
  fprintf(stderr,
    "usage: %s [options] [script [args]]\n"
    "Available options are:\n"
    "  -e stat   execute string 'stat'\n"
    "  -i        enter interactive mode after executing 'script'\n"
    "  -l mod    require library 'mod' into global 'mod'\n"
    "  -l g=mod  require library 'mod' into global 'g'\n"
    "  -v        show version information\n"
    "  -E        ignore environment variables\n"
    "  -W        turn warnings on\n"
    "  --        stop handling options\n"
    "  -         stop handling options and execute stdin\n",
    progname);
  fflush(stderr);
}

/* arg = {[-n] = interpreter, ..., [0] = script, [1..] = script arguments} */
static void createargtable(lua_State *L, char **argv, int argc, int script) {
  if (script == argc) script = 0;  /* no script name: everything goes to negative indices */
  int narg = argc - (script + 1);
  lua_createtable(L, narg, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

static int dochunk(lua_State *L, int status) {
  if (status == LUA_OK) status = docall(L, 0, 0);
  return report(L, status);
}

static int dofile(lua_State *L, const char *name) {
  return dochunk(L, luaL_loadfile(L, name));
}

static int dostring(lua_State *L, const char *s, const char *name) {
  return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

/* -l [g=]mod: g = require(mod) */
static int dolibrary(lua_State *L, char *globname) {
  char *modname = strchr(globname, '=');
  if (modname == NULL) modname = globname;
  else *modname++ = '\0';
  lua_getglobal(L, "require");
  lua_pushstring(L, modname);
  int status = docall(L, 1, 1);
  if (status == LUA_OK) lua_setglobal(L, globname);
  return report(L, status);
}

static int pushargs(lua_State *L) {
  if (lua_getglobal(L, "arg") != LUA_TTABLE) luaL_error(L, "'arg' is not a table");
  int n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  for (int i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -n - 1);
  return n;
}

static int handle_script(lua_State *L, char **argv) {
  const char *fname = argv[0];
  if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0) fname = NULL;  /* stdin */
  int status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    int n = pushargs(L);
    status = docall(L, n, LUA_MULTRET);
  }
  return report(L, status);
}

#define has_error 1
#define has_i     2
#define has_v     4
#define has_e     8
#define has_E     16

/* Scans the options, returning the flags seen; *first is the index of the script (or argc). */
static int collectargs(char **argv, int *first) {
  int args = 0, i;
  if (argv[0] != NULL) {
    if (argv[0][0]) progname = argv[0];
  } else {
    *first = -1;
    return 0;
  }
  for (i = 1; argv[i] != NULL; i++) {
    *first = i;
    if (argv[i][0] != '-') return args;
    switch (argv[i][1]) {
    case '-':
      if (argv[i][2] != '\0') return has_error;
      *first = i + 1;
      return args;
    case '\0':
      return args;
    case 'E':
      if (argv[i][2] != '\0') return has_error;
      args |= has_E;
      break;
    case 'W':
      if (argv[i][2] != '\0') return has_error;
      break;
    case 'i':
      args |= has_i;  /* -i implies -v */
      /* FALLTHROUGH */
    case 'v':
      if (argv[i][2] != '\0') return has_error;
      args |= has_v;
      break;
    case 'e':
      args |= has_e;
      /* FALLTHROUGH */
    case 'l':
      if (argv[i][2] == '\0') {
        i++;
        if (argv[i] == NULL || argv[i][0] == '-') return has_error;
      }
      break;
    default:
      return has_error;
    }
  }
  *first = i;
  return args;
}

/* Runs -e, -l and -W in order. */
static int runargs(lua_State *L, char **argv, int n) {
  for (int i = 1; i < n; i++) {
    int option = argv[i][1];
    switch (option) {
    case 'e':
    case 'l': {
      char *extra = argv[i] + 2;
      if (*extra == '\0') extra = argv[++i];
      int status = (option == 'e') ? dostring(L, extra, "=(command line)") : dolibrary(L, extra);
      if (status != LUA_OK) return 0;
      break;
    }
    case 'W':
      lua_warning(L, "@on", 0);
      break;
    }
  }
  return 1;
}

static int handle_luainit(lua_State *L) {
  const char *name = "=LUA_INIT_5_4";
  const char *init = getenv(name + 1);
  if (init == NULL) {
    name = "=LUA_INIT";
    init = getenv(name + 1);
  }
  if (init == NULL) return LUA_OK;
  if (init[0] == '@') return dofile(L, init + 1);
  return dostring(L, init, name);
}

/* ---- cvision set-up: preload the static core, find the Lua files, define `cv` ---- */

static int file_exists(const char *path) {
  return access(path, R_OK) == 0;
}

/* From a source tree (bin/cvision next to lua/cvision/) or an installed tree
 * (bin/cvision next to share/lua/5.4/cvision/), put those Lua files first on package.path and the
 * C modules beside them (lua/ or lib/lua/5.4/) first on package.cpath. */
static void set_paths(lua_State *L) {
  char exe[PATH_MAX], probe[PATH_MAX + 64];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return;
  *slash = '\0';  /* exe is now the directory holding the binary */
  static const char *const roots[] = {"/../lua", "/../share/lua/" LUA_VERSION_MAJOR "." LUA_VERSION_MINOR};
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
    snprintf(probe, sizeof probe, "%s%s/cvision/init.lua", exe, roots[i]);
    if (!file_exists(probe)) continue;
    lua_getglobal(L, "package");
    lua_pushfstring(L, "%s%s/?.lua;%s%s/?/init.lua;", exe, roots[i], exe, roots[i]);
    lua_getfield(L, -2, "path");
    lua_concat(L, 2);
    lua_setfield(L, -2, "path");
    /* C modules beside them (cvision/mpi.so: the core itself is preloaded, static) */
    if (i == 0) lua_pushfstring(L, "%s/../lua/?.so;", exe);
    else lua_pushfstring(L, "%s/../lib/lua/" LUA_VERSION_MAJOR "." LUA_VERSION_MINOR "/?.so;", exe);
    lua_getfield(L, -2, "cpath");
    lua_concat(L, 2);
    lua_setfield(L, -2, "cpath");
    lua_pop(L, 1);
    return;
  }
}

/* The global `cv` is require "cvision", done on first use: start-up stays instant, and a test
 * runner that unloads modules between files (busted's insulation) gets a fresh cvision each
 * time, exactly as under lua5.4. */
static const char lazy_cv[] =
  "local mt = getmetatable(_G) or {}\n"
  "local prev = mt.__index\n"
  "mt.__index = function(t, k)\n"
  "  if k == 'cv' then\n"
  "    local cv = require 'cvision'\n"
  "    rawset(t, 'cv', cv)\n"
  "    return cv\n"
  "  end\n"
  "  if k == 'help' then\n"  /* help(obj): cvision.help, loaded on first use */
  "    local h = require 'cvision.help'\n"
  "    rawset(t, 'help', h)\n"
  "    return h\n"
  "  end\n"
  "  if type(prev) == 'function' then return prev(t, k) end\n"
  "  if prev ~= nil then return prev[k] end\n"
  "end\n"
  "setmetatable(_G, mt)\n";

static int setup_cvision(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_cvision_core);
  lua_setfield(L, -2, "cvision.core");
  lua_pop(L, 1);
  set_paths(L);
  return dostring(L, lazy_cv, "=(cvision start-up)");
}

/* ---- the REPL ---- */

static const char *get_prompt(lua_State *L, int firstline) {
  if (lua_getglobal(L, firstline ? "_PROMPT" : "_PROMPT2") == LUA_TNIL) {
    lua_pop(L, 1);
    return lua_pushstring(L, firstline ? "> " : ">> ");  /* leaves one value, as below */
  }
  const char *p = luaL_tolstring(L, -1, NULL);
  lua_remove(L, -2);
  return p;
}

#define EOFMARK "<eof>"
#define marklen (sizeof(EOFMARK) / sizeof(char) - 1)

static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    if (lmsg >= marklen && strcmp(msg + lmsg - marklen, EOFMARK) == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

static void save_history_line(const char *line) {
  if (!use_editline || line[0] == '\0') return;
  add_history(line);
  if (history_path[0]) write_history(history_path);  /* failure (read-only home) is fine */
}

/* `?obj` at the prompt: the statement require('cvision.help').query(<obj as a string literal>) */
static void push_help_query(lua_State *L, const char *text) {
  lua_getglobal(L, "string");
  lua_getfield(L, -1, "format");
  lua_remove(L, -2);
  lua_pushliteral(L, "require('cvision.help').query(%q)");
  lua_pushstring(L, text);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    lua_pop(L, 1);
    lua_pushliteral(L, "return");
  }
}

/* Reads one line into a new string on the stack; 0 at end of input. A Ctrl-C at the prompt
 * gives an empty line and a fresh prompt. */
static int pushline(lua_State *L, int firstline) {
  const char *prmt = get_prompt(L, firstline);
  char *line = NULL;
  char buf[MAXINPUT];
  if (use_editline) {
    for (;;) {
      prompt_interrupted = 0;
      setsignal_r(SIGINT, prompt_action, 0);
      line = readline(prmt);
      setsignal(SIGINT, SIG_DFL);
      if (line != NULL || !prompt_interrupted) break;
      fputc('\n', stdout);
      if (!firstline) break;  /* drop the unfinished statement */
    }
    if (line == NULL && prompt_interrupted) {
      lua_pop(L, 1);
      lua_pushliteral(L, "\x01");  /* marker read by loadline: start over */
      return 1;
    }
  } else if (fgets(buf, MAXINPUT, stdin) != NULL) {
    line = buf;
  }
  lua_pop(L, 1);  /* the prompt */
  if (line == NULL) return 0;
  size_t l = strlen(line);
  if (l > 0 && line[l - 1] == '\n') line[--l] = '\0';
  if (firstline && line[0] == '=') lua_pushfstring(L, "return %s", line + 1);
  else if (firstline && line[0] == '?') push_help_query(L, line + 1);
  else lua_pushlstring(L, line, l);
  if (use_editline) free(line);
  return 1;
}

static int addreturn(lua_State *L) {
  const char *line = lua_tostring(L, -1);
  const char *retline = lua_pushfstring(L, "return %s;", line);
  int status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
  if (status == LUA_OK) {
    lua_remove(L, -2);
    save_history_line(line);
  } else {
    lua_pop(L, 2);
  }
  return status;
}

static int multiline(lua_State *L) {
  for (;;) {
    size_t len;
    const char *line = lua_tolstring(L, 1, &len);
    int status = luaL_loadbuffer(L, line, len, "=stdin");
    if (!incomplete(L, status) || !pushline(L, 0)) {
      save_history_line(line);
      return status;
    }
    if (lua_tostring(L, -1)[0] == '\x01') {  /* Ctrl-C in a continuation line */
      lua_pop(L, 1);
      lua_pushliteral(L, "return");  /* an empty statement: back to the first prompt */
      lua_replace(L, 1);
      return luaL_loadbuffer(L, "return", 6, "=stdin");
    }
    lua_pushliteral(L, "\n");
    lua_insert(L, -2);
    lua_concat(L, 3);
  }
}

/* Reads and compiles a statement; -1 at end of input. Leaves the chunk on the stack. */
static int loadline(lua_State *L) {
  lua_settop(L, 0);
  if (!pushline(L, 1)) return -1;
  if (lua_tostring(L, -1)[0] == '\x01') {
    lua_pop(L, 1);
    return luaL_loadbuffer(L, "return", 6, "=stdin");
  }
  int status = addreturn(L);
  if (status != LUA_OK) status = multiline(L);
  lua_remove(L, 1);
  return status;
}

/* Prints the results with cvision.sys.repr (tensors and models pretty-printed); falls back to
 * tostring when that module cannot be loaded. */
static const char print_chunk[] =
  "local ok, sys = pcall(require, 'cvision.sys')\n"
  "local t = table.pack(...)\n"
  "for i = 1, t.n do\n"
  "  local v = t[i]\n"
  "  t[i] = ok and sys.show(v) or tostring(v)\n"
  "end\n"
  "io.stdout:write(table.concat(t, '\\t', 1, t.n), '\\n')\n"
  "io.stdout:flush()\n";

static void l_print(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 0) return;
  luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
  if (luaL_loadbuffer(L, print_chunk, sizeof print_chunk - 1, "=(print)") != LUA_OK) {
    report(L, LUA_ERRSYNTAX);
    return;
  }
  lua_insert(L, 1);
  report(L, docall(L, n, 0));
}

/* The plot module, when loaded, may want to refresh its window after each line. */
static void after_eval(lua_State *L) {
  static const char hook[] =
    "local p = package.loaded['cvision.plot']\n"
    "if type(p) == 'table' and type(p._repl_after_eval) == 'function' then p._repl_after_eval() end\n";
  if (luaL_loadbuffer(L, hook, sizeof hook - 1, "=(repl hook)") == LUA_OK) report(L, docall(L, 0, 0));
  else report(L, LUA_ERRSYNTAX);
}

/* ---- tab completion: candidates come from cvision.sys.complete(text) ---- */

static lua_State *completeL = NULL;

static char **complete(const char *text, int start, int end) {
  (void)start; (void)end;
  rl_attempted_completion_over = 1;  /* never fall back to file names */
  lua_State *L = completeL;
  int top = lua_gettop(L);
  char **matches = NULL;
  static const char chunk[] =
    "local ok, sys = pcall(require, 'cvision.sys')\n"
    "if ok then return sys.complete(...) end\n";
  if (luaL_loadbuffer(L, chunk, sizeof chunk - 1, "=(complete)") == LUA_OK) {
    lua_pushstring(L, text);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
      int n = (int)lua_rawlen(L, -1);
      if (n > 0) {
        /* readline's convention: [0] is the common prefix, then the matches, then NULL */
        matches = calloc((size_t)n + 2, sizeof *matches);
        for (int i = 1; matches && i <= n; i++) {
          lua_rawgeti(L, -1, i);
          const char *s = lua_tostring(L, -1);
          matches[i] = strdup(s ? s : "");
          lua_pop(L, 1);
        }
        if (matches) {
          size_t pre = strlen(matches[1]);
          for (int i = 2; i <= n; i++) {
            size_t k = 0;
            while (k < pre && matches[i][k] == matches[1][k]) k++;
            pre = k;
          }
          matches[0] = strndup(matches[1], pre);
        }
      }
    }
  }
  lua_settop(L, top);
  return matches;
}

static void init_editline(lua_State *L) {
  const char *h = getenv("CVISION_HISTORY");
  const char *home = getenv("HOME");
  if (h) snprintf(history_path, sizeof history_path, "%s", h);
  else if (home) snprintf(history_path, sizeof history_path, "%s/.cvision_history", home);
  rl_readline_name = PROGNAME;
  completeL = L;
  rl_attempted_completion_function = complete;
  /* '.' and ':' are part of a word, so "cv.ze<TAB>" completes the whole path */
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(}[],+-*/%^~#";
  rl_completer_word_break_characters = (char *)rl_basic_word_break_characters;
  rl_completion_append_character = '\0';
  using_history();
  stifle_history(HISTORY_LEN);
  if (history_path[0]) read_history(history_path);
}

static void doREPL(lua_State *L) {
  const char *oldprogname = progname;
  progname = NULL;  /* no program name in front of REPL error messages */
  use_editline = isatty(STDIN_FILENO);
  if (use_editline) init_editline(L);
  dostring(L, "local _ = cv", "=(cvision start-up)");  /* loaded now: it completes with TAB */
  int status;
  while ((status = loadline(L)) != -1) {
    if (status == LUA_OK) status = docall(L, 0, LUA_MULTRET);
    if (status == LUA_OK) l_print(L);
    else report(L, status);
    lua_settop(L, 0);
    after_eval(L);
  }
  lua_settop(L, 0);
  if (use_editline) fputc('\n', stdout);
  fflush(stdout);
  progname = oldprogname;
}

/* ---- main ---- */

static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  int script;
  int args = collectargs(argv, &script);
  luaL_checkversion(L);
  if (argv[0] && argv[0][0]) progname = argv[0];
  if (argc > 1 && cv_kernel_option(argv[1])) {  /* --kernel, --install-kernel: kernel.c */
    luaL_openlibs(L);
    lua_gc(L, LUA_GCGEN, 0, 0);
    if (setup_cvision(L) != LUA_OK) return 0;
    lua_pushboolean(L, cv_kernel_main(L, argc - 1, argv + 1) == 0);
    return 1;
  }
  if (args == has_error) {
    print_usage(argv[script]);
    return 0;
  }
  if (args & has_v) print_version();
  if (args & has_E) {
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  }
  luaL_openlibs(L);
  createargtable(L, argv, argc, script);
  lua_gc(L, LUA_GCGEN, 0, 0);
  if (!(args & has_E) && handle_luainit(L) != LUA_OK) return 0;
  if (setup_cvision(L) != LUA_OK) return 0;
  if (!runargs(L, argv, script)) return 0;
  if (script < argc && handle_script(L, argv + script) != LUA_OK) return 0;
  if (args & has_i) {
    doREPL(L);
  } else if (script == argc && !(args & (has_e | has_v))) {
    if (isatty(STDIN_FILENO)) {
      print_version();
      doREPL(L);
    } else {
      dofile(L, NULL);  /* stdin as a script, as lua5.4 */
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}

int main(int argc, char **argv) {
  /* editline reads multibyte input (typed Chinese characters) only under a UTF-8 character type;
   * only LC_CTYPE is set, so Lua's number formatting (LC_NUMERIC) stays "C" */
  const char *ct = setlocale(LC_CTYPE, "");
  if (!ct || strcmp(ct, "C") == 0 || strcmp(ct, "POSIX") == 0) setlocale(LC_CTYPE, "C.UTF-8");
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    l_message(argv[0], "cannot create state: not enough memory");
    return EXIT_FAILURE;
  }
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  int status = lua_pcall(L, 2, 1, 0);
  int result = lua_toboolean(L, -1);
  report(L, status);
  lua_close(L);
  return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
