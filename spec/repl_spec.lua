-- spec/repl_spec.lua: bin/cvision as a lua5.4 stand-in (-e, -l, -i, -v, script args, stdin)
-- and as a REPL (continuation lines, printed results, errors that do not end the session,
-- Ctrl-C back to the prompt, history, tab completion), plus cvision.sys' printer and completer.
-- $CVISION_BIN picks the binary (make check runs this file with bin/cvision-asan).

local sys = require "cvision.sys"

local BIN = os.getenv("CVISION_BIN") or "bin/cvision"
if BIN:sub(1, 1) ~= "/" then BIN = io.popen("pwd"):read("l") .. "/" .. BIN end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- runs a shell command; returns stdout (+ stderr when both), the exit code
local function run(cmd, stdin)
  local tmp
  if stdin then
    tmp = os.tmpname()
    local f = assert(io.open(tmp, "w")); f:write(stdin); f:close()
    cmd = cmd .. " < " .. q(tmp)
  end
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local _, _, code = p:close()
  if tmp then os.remove(tmp) end
  return out, code
end

local function write_file(path, text)
  local f = assert(io.open(path, "w")); f:write(text); f:close()
end

describe("bin/cvision as an interpreter", function()
  it("runs -e code with cv already loaded", function()
    local out, code = run(BIN .. " -e " .. q("print(type(cv), cv._VERSION == require('cvision')._VERSION)"))
    assert.equal("table\ttrue\n", out)
    assert.equal(0, code)
  end)

  it("runs several -e in order and stops at the first error with status 1", function()
    local out, code = run(BIN .. " -e 'x = 2' -e 'print(x * 3)' -e 'error(\"bad\")' -e 'print(\"no\")'")
    assert.matches("^6\n", out)
    assert.matches("bad", out)
    assert.not_matches("no\n", out)
    assert.equal(1, code)
  end)

  it("passes script arguments in arg and ... like lua5.4", function()
    local script = os.tmpname()
    write_file(script, "print(select('#', ...), ...) print(arg[0] == " .. string.format("%q", script)
      .. ", arg[1], arg[2], arg[-1] ~= nil) os.exit(3)")
    local out, code = run(BIN .. " " .. q(script) .. " one 'two words'")
    os.remove(script)
    assert.equal("2\tone\ttwo words\ntrue\tone\ttwo words\ttrue\n", out)
    assert.equal(3, code)
  end)

  it("reports a missing script and a bad option with status 1", function()
    local out, code = run(BIN .. " /nonexistent/script.lua")
    assert.matches("cannot open /nonexistent/script.lua", out)
    assert.equal(1, code)
    out, code = run(BIN .. " -Z")
    assert.matches("unrecognized option '%-Z'", out)
    assert.matches("usage:", out)
    assert.equal(1, code)
  end)

  it("requires -l modules into globals, with the g=mod form too", function()
    local out, code = run(BIN .. " -l s=cvision.sys -l string -e " .. q("print(type(s.repr), type(string))"))
    assert.equal("function\ttable\n", out)
    assert.equal(0, code)
  end)

  it("runs stdin as a script when stdin is not a terminal", function()
    local out, code = run(BIN, "local a = 20\nprint(a + 1)\n")
    assert.equal("21\n", out)
    assert.equal(0, code)
  end)

  it("starts without loading anything of cvision until cv is used, and then no lazy submodule", function()
    -- start-up speed without timing: count what is loaded
    local out = run(BIN .. " -e " .. q("io.write(tostring(package.loaded.cvision), ' ')"
      .. " local _ = cv.zeros"
      .. " local eager = {}"
      .. " for _, file in pairs(cv._submodules) do"
      .. "   if package.loaded['cvision.' .. file] then eager[#eager + 1] = file end"
      .. " end"
      .. " io.write(type(package.loaded.cvision), ' [', table.concat(eager, ','), ']')"))
    assert.equal("nil table []", out)
  end)

  it("prints its version with -v", function()
    local out, code = run(BIN .. " -v")
    assert.matches("^cvision %d+%.%d+%.%d+ %(Lua 5%.4%.%d+%)", out)
    assert.equal(0, code)
  end)
end)

describe("the REPL fed through a pipe (-i)", function()
  local function repl(input)
    local out, code = run(BIN .. " -i", input)
    return out:gsub("^cvision [^\n]*\n", ""), code
  end

  it("prints expression values, nothing for statements, and no prompts", function()
    local out = repl("x = 20\nx + 1\n=x * 2\n'text'\nnil\nreturn 1, nil, 'a'\n")
    assert.equal("21\n40\ntext\nnil\n1\tnil\ta\n", out)
  end)

  it("continues incomplete statements on the next lines", function()
    local out = repl("function f(a)\n  return a * 2\nend\nf(21)\nfor i = 1, 2 do\nprint(i)\nend\n")
    assert.equal("42\n1\n2\n", out)
  end)

  it("prints an error with its traceback and carries on", function()
    local out, code = repl("error('boom')\nprint('still here')\nlocal t = nil; t.x = 1\n1 + 1\n")
    assert.matches("stdin:1: boom\nstack traceback:", out)
    assert.matches("still here\n", out)
    assert.matches("attempt to index a nil value", out)
    assert.matches("\n2\n$", out)
    assert.equal(0, code)
  end)

  it("shows tables shallowly and objects with their __tostring", function()
    local out = repl("{1, 2, name = 'x', {3, {4, {5}}}}\n"
      .. "setmetatable({}, {__tostring = function() return 'OBJ' end})\n")
    assert.equal('{1, 2, {3, {...}}, name = "x"}\nOBJ\n', out)
  end)

  it("prints tensors with tostring", function()
    local out = repl("t = cv.zeros{2, 3}\nt\ntostring(t) == select(1, tostring(t))\n")
    local expected = run(BIN .. " -e " .. q("io.write(tostring(cv.zeros{2, 3}))"))
    assert.equal(expected .. "\ntrue\n", out)
  end)

  it("calls the plot module's after-eval hook after each line when it is loaded", function()
    local out = repl("package.loaded['cvision.plot'] = {_repl_after_eval = function() io.write('[hook]') end}\n"
      .. "1\n")
    assert.equal("[hook]1\n[hook]", out)
  end)
end)

describe("figures in the REPL, as in a notebook", function()
  local function session(input)
    local dir = os.tmpname(); os.remove(dir)
    local out = run("mkdir -p " .. q(dir) .. " && cd " .. q(dir) .. " && CVISION_INLINE=0 " .. BIN .. " -i", input)
    local files = {}
    local p = io.popen("ls " .. q(dir .. "/cvision-plots") .. " 2>/dev/null")
    for name in p:lines() do files[#files + 1] = name end
    p:close()
    return out, files, dir
  end

  it("keeps the figure current across lines: two lines make one figure with a title, its path printed once", function()
    local out, files = session("cv.plot.plot({1, 2, 3})\ncv.plot.title('two lines')\n"
      .. "print(#cv.plot._state.figures, cv.plot.gca().title.text)\n")
    assert.same({"figure-001.png"}, files)
    local _, n = out:gsub("cvision%-plots/figure%-001%.png\n", "")
    assert.equal(1, n)
    assert.matches("1\ttwo lines\n", out)
  end)

  it("prints a figure's path once when show() ends it (show returns nothing, as pyplot's)", function()
    local out, files = session("cv.plot.plot({1, 2, 3})\ncv.plot.title('t')\ncv.plot.show()\n"
      .. "print(#cv.plot._state.figures)\n")
    assert.same({"figure-001.png"}, files)
    local _, n = out:gsub("cvision%-plots/figure%-001%.png\n", "")
    assert.equal(1, n)
    assert.matches("\n0\n", out)
  end)

  it("starts a new figure with the plot after savefig", function()
    local out, files, dir = session("cv.plot.plot({1, 2})\ncv.plot.savefig('saved.png')\n"
      .. "cv.plot.plot({2, 1})\nprint(cv.plot.gcf().number, #cv.plot.gca().artists)\n")
    assert.same({"figure-001.png", "figure-002.png"}, files)
    assert.matches("figure%-002%.png\n", out)
    assert.matches("\n2\t1\n", out)
    assert.truthy(io.open(dir .. "/saved.png", "rb"))
  end)
end)

describe("Ctrl-C", function()
  it("interrupts a running computation and returns to the prompt", function()
    local dir = os.tmpname()
    os.remove(dir)
    -- the loop announces itself before spinning, so SIGINT is sent only once it runs
    local script = [[
      set -u
      cd "$1" || exit 9
      mkfifo in
      : > out          # exists before the first grep (the background shell opens it later)
      "$2" -i < in > out 2>&1 &
      pid=$!
      exec 3> in
      echo 'print("spinning") io.stdout:flush() while true do end' >&3
      n=0
      until grep -q spinning out; do
        n=$((n + 1)); [ $n -gt 400 ] && { kill -9 $pid; echo "never started"; exit 1; }
        sleep 0.05
      done
      kill -INT $pid
      echo 'print("back at the prompt")' >&3
      exec 3>&-
      wait $pid
      echo "exit $?"
      cat out
    ]]
    assert(os.execute("mkdir -p " .. q(dir)))
    local out = run("sh -c " .. q(script) .. " sh " .. q(dir) .. " " .. q(BIN))
    os.execute("rm -rf " .. q(dir))
    assert.matches("^exit 0\n", out)
    assert.matches("spinning\n.*interrupted!.*back at the prompt\n", out)
  end)
end)

describe("the REPL on a terminal", function()
  -- script(1) (util-linux, always on Debian) gives bin/cvision a pseudo-terminal, so libedit runs
  local has_script = os.execute("command -v script > /dev/null 2>&1")

  it("completes cvision names with TAB and keeps a history file", function()
    assert.truthy(has_script, "script(1) from util-linux is needed for this test")
    local hist = os.tmpname()
    os.remove(hist)
    local out, code = run("CVISION_HISTORY=" .. q(hist) .. " script -qfec " .. q(BIN) .. " /dev/null",
      "x = 41\ncv.versio\t\n=x + 1\n")
    local f = io.open(hist)
    local history = f and f:read("a") or ""
    if f then f:close() end
    os.remove(hist)
    assert.equal(0, code)
    assert.matches("function: 0x%x+", out)  -- cv.versio<TAB> became cv.versions
    assert.matches("\n42\r?\n", out)
    assert.matches("cv%.versions", history)
    assert.matches("x\\040=\\04041", history)
  end)

  it("reads typed Chinese characters (UTF-8) even without a locale set, numbers unchanged", function()
    assert.truthy(has_script, "script(1) from util-linux is needed for this test")
    local out, code = run("env -u LANG -u LC_ALL -u LC_CTYPE CVISION_HISTORY=/dev/null script -qfec " .. q(BIN)
      .. " /dev/null", "print(#\"人\" .. \"|\" .. 1.5)\n")
    assert.equal(0, code)
    assert.matches("\n3|1%.5\r?\n", out)
  end)

  it("does not fail when the history file cannot be written", function()
    assert.truthy(has_script, "script(1) from util-linux is needed for this test")
    local out, code = run("CVISION_HISTORY=/nonexistent/dir/h script -qfec " .. q(BIN) .. " /dev/null",
      "print(6 * 7)\n")
    assert.equal(0, code)
    assert.matches("\n42\r?\n", out)
  end)
end)

describe("cvision.sys", function()
  it("repr quotes strings, shows numbers and nested tables to two levels", function()
    assert.equal('"a\\nb"', sys.repr("a\nb"))
    assert.equal("1.5", sys.repr(1.5))
    assert.equal("{}", sys.repr({}))
    assert.equal('{1, {2, {...}}, [true] = 1, x = "y"}', sys.repr({1, {2, {3}}, x = "y", [true] = 1}))
    assert.equal("{x = {}}", sys.repr({x = {}}))
  end)

  it("repr stops after 20 entries", function()
    local t = {}
    for i = 1, 30 do t[i] = i end
    assert.matches(", 20, %.%.%.}$", sys.repr(t))
  end)

  it("repr shows a cvision object without __tostring as <Class name>", function()
    local obj = setmetatable({class_name = "Dense", name = "dense_1"}, {__index = {}})
    assert.equal("<Dense dense_1>", sys.repr(obj))
  end)

  it("show prints strings as they are", function()
    assert.equal("a b", sys.show("a b"))
    assert.equal("{1}", sys.show({1}))
  end)

  it("completes globals, keywords, dotted paths, lazy submodules and methods", function()
    local cv = require "cvision"
    _G.cv = cv
    local z = sys.complete("cv.zer")
    assert.equal("cv.zeros", z[1])
    for _, name in ipairs(z) do assert.matches("^cv%.zer", name) end
    assert.truthy(#sys.complete("cv.") > 5)
    local sub = sys.complete("cv.lay")
    assert.same({"cv.layers"}, sub)  -- lazy: not loaded yet, still offered
    assert.same({"cv.versions"}, sys.complete("cv.versi"))
    assert.same({"string.format"}, sys.complete("string.form"))
    assert.same({"string:format"}, sys.complete("string:form"))
    local kw = sys.complete("whi")
    assert.same({"while"}, kw)
    _G.t_repl_spec = cv.zeros{2}
    local m = sys.complete("t_repl_spec:resh")
    assert.same({"t_repl_spec:reshape"}, m)
    assert.same({"t_repl_spec.shape"}, sys.complete("t_repl_spec.sha"))
    _G.t_repl_spec = nil
    assert.same({}, sys.complete("nosuchname.x"))
    assert.same({}, sys.complete("f(x).y"))
  end)

  it("completes the methods of models and layers, whose class __index is a function", function()
    local cv = require "cvision"
    _G.cv = cv
    _G.m_repl_spec = cv.Sequential{cv.layers.Dense(2)}
    assert.same({"m_repl_spec:fit"}, sys.complete("m_repl_spec:fi"))
    assert.truthy(#sys.complete("m_repl_spec:") > 10)
    local s = sys.complete("m_repl_spec:summ")
    assert.equal("m_repl_spec:summary", s[1])
    _G.m_repl_spec = cv.layers.Dense(3)
    assert.same({"m_repl_spec:get_weights"}, sys.complete("m_repl_spec:get_w"))
    _G.m_repl_spec = nil
  end)

  it("versions returns every version and prints them", function()
    local v = sys.versions{quiet = true}
    for _, k in ipairs{"cvision", "lua", "openblas", "openblas_core", "libpng", "compiler", "date"} do
      assert.is_string(v[k], k)
    end
    assert.matches("^Lua 5%.4", v.lua)
    assert.matches("OpenBLAS", v.openblas)
    assert.matches("^1%.%d+%.%d+", v.libpng)
    assert.is_number(v.openblas_threads)
    assert.is_table(v.cpu_features)
    local out = run(BIN .. " -e 'print(select(\"#\", cv.versions()))'")
    assert.matches("\n0\n$", out)  -- printing returns nothing, so the REPL shows no table after it
    for _, label in ipairs{"cvision", "Lua", "OpenBLAS", "libpng", "compiler", "CPU", "date"} do
      assert.matches("\n?" .. label .. " *: ", out)
    end
  end)
end)
