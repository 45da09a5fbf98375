-- spec/help_spec.lua: cvision.help (help(obj) in the REPL and cv.help in the kernel, `?obj` at the
-- REPL prompt): the doc comments above definitions in cvision's sources, found from the object.
local cv = require "cvision"
local help = require "cvision.help"

local BIN = os.getenv("CVISION_BIN") or "bin/cvision"

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

describe("cvision.help", function()
  it("documents a function by the doc comment above its definition, with where it is", function()
    local s = help.text(cv.zeros, "cv.zeros")
    assert.matches("^cv%.zeros\nzeros%(shape", s)
    assert.matches("%(lua/cvision/tensor%.lua:%d+%)", s)
  end)

  it("gives an undocumented function's definition line and place", function()
    -- cvision's own public functions all have doc comments (spec/docs_spec.lua): one made here
    local path = os.tmpname() .. ".lua"
    local f = assert(io.open(path, "w"))
    f:write("local M = {}\n\nfunction M.undocumented(a, b) return a, b end\n\nreturn M\n")
    f:close()
    local m = dofile(path)
    local s = help.text(m.undocumented)
    os.remove(path)
    assert.matches("^M%.undocumented%(a, b%)", s)
    assert.truthy(s:find("(" .. path .. ":3, no doc comment)", 1, true), s)
  end)

  it("documents a pyplot function made on the fly by the method it calls", function()
    local s = help.text(cv.plot.plot)
    assert.matches("ax:plot%(%[x,%] y", s)
    assert.matches("artists/line%.lua", s)
  end)

  it("documents a layer class with its constructor's arguments and defaults, and its methods", function()
    local s = help.text(cv.layers.Dense)
    assert.matches('Dense%(units, activation = nil, use_bias = true, kernel_initializer = "glorot_uniform"', s)
    assert.matches("Methods: .*get_weights", s)
  end)

  it("documents a table assigned under a doc comment (a tuner class)", function()
    local s = help.text(cv.tuner.RandomSearch)
    assert.matches("RandomSearch%(build_model, {objective, max_trials = 10", s)
    assert.matches("tuner/init%.lua", s)
  end)

  it("documents an object by its class and a module by its file's header", function()
    local m = cv.Sequential{cv.layers.Dense(2)}
    assert.matches("Methods: .*fit", help.text(m))
    assert.matches("^cvision%.plot: figures", help.text(cv.plot))
  end)

  it("finds every method of a name, and a dotted path given as a string", function()
    local s = help.text("fit")
    assert.matches("Model:fit\nfit%(x, y, {epochs=1", s)
    assert.matches("StandardScaler:fit\n", s)
    assert.matches("^cv%.layers%.Dense\nDense%(units", help.text("cv.layers.Dense"))
    local none, err = help.text("no_such_name_anywhere")
    assert.is_nil(none)
    assert.matches("no documentation", err)
  end)

  it("is cv.help, callable", function()
    assert.equal(help, cv.help)
    local out = io.output()
    local sink = io.tmpfile()
    io.output(sink)
    cv.help(cv.zeros)
    io.output(out)
    sink:seek("set")
    assert.matches("zeros%(shape", sink:read("a"))
    sink:close()
  end)

  it("answers help(obj) and ?obj in the REPL", function()
    local tmp = os.tmpname()
    local f = assert(io.open(tmp, "w"))
    f:write("help(cv.tuner.RandomSearch)\nm = cv.Sequential{cv.layers.Dense(2)}\n?m:fit\n?cv.plot.plot\n?fit\n1 + 1\n")
    f:close()
    local p = io.popen(q(BIN) .. " -i < " .. q(tmp) .. " 2>&1")
    local out = p:read("a")
    p:close()
    os.remove(tmp)
    assert.matches("RandomSearch%(build_model", out)
    assert.matches("\nm:fit\nfit%(x, y", out)
    assert.matches("\ncv%.plot%.plot\nax:plot", out)
    assert.matches("OneHotEncoder:fit", out)
    assert.matches("\n2\n$", out)
  end)
end)
