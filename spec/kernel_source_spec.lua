-- cvision.kernel.source: the kernel's cell transformations (pure Lua, no kernel needed).
local source = require "cvision.kernel.source"

-- runs a list of cells as the kernel does, in one fresh environment; --> the last cell's values
local function cells(list)
  local env = setmetatable({}, {__index = _G})
  local r
  for i, code in ipairs(list) do
    local chunk = source.split_last(source.persist(code))
    local f = assert(load(chunk, "=cell[" .. i .. "]", "t", env))
    r = table.pack(f())
  end
  return r
end

describe("cvision.kernel.source.persist", function()
  it("turns top-level locals into assignments, keeping the line numbers", function()
    assert.are.equal(" x, y = 1,\n 2", source.persist("local x, y = 1,\n 2"))
    assert.are.equal(" z = nil", source.persist("local z"))
    assert.are.equal(" a, b = nil", source.persist("local a, b"))
    assert.are.equal(" n  = 3", source.persist("local n <const> = 3"))
    assert.are.equal(" u = nil", source.persist("local u<const>"))
    assert.are.equal(" function f() local y = 1 return y end", source.persist("local function f() local y = 1 return y end"))
  end)

  it("leaves locals inside blocks and functions, and <close> variables, alone", function()
    for _, code in ipairs{
      "do local q = 1 end", "for i = 1, 2 do local k = i end", "while false do local w end",
      "if true then local a = 1 else local b = 2 end", "repeat local r = 1 until r",
      "f = function() local v = 1 return v end", "local h <close> = nil",
    } do
      assert.are.equal(code, source.persist(code))
    end
  end)

  it("is not fooled by `local` in strings, long strings and comments", function()
    local code = "s = 'local a = 1' t = [[\nlocal b]] -- local c\n--[==[ local d ]==] u = \"local\""
    assert.are.equal(code, source.persist(code))
    assert.are.equal("x = [=[ ]] ]=]  y = 2", source.persist("x = [=[ ]] ]=] local y = 2"))
  end)

  it("leaves code it cannot read (an unfinished string) as it is", function()
    assert.are.equal("local x = 'open", source.persist("local x = 'open"))
  end)

  it("makes a cell's locals and local functions visible to the next cells", function()
    local r = cells{"local x = 20\nlocal function twice(n) return 2 * n end", "local y = twice(x) + 2", "y, x"}
    assert.are.same({42, 20}, {r[1], r[2]})
  end)
end)

describe("cvision.kernel.source.split_last", function()
  local function returns(code)
    local chunk, ok = source.split_last(code)
    local f = ok and assert(load(chunk)) or nil
    return ok, f and table.pack(f()) or nil
  end

  it("returns the value of the last expression, over several lines too", function()
    local ok, r = returns("a = 1\n1 + 2")
    assert.is_true(ok)
    assert.are.same({n = 1, 3}, r)
    ok, r = returns("b = 2\nmath.max(1,\n  b)\n-- a comment\n\n")
    assert.is_true(ok)
    assert.are.same({n = 1, 2}, r)
    ok = returns("return 1, 2")
    assert.is_false(ok)
  end)

  it("never splits what Lua reads as one statement", function()
    for _, code in ipairs{"a = f\n(g)", "t = {\n1,\n2\n}", "m = x\n-y", "y = 1 +\n2", "s = f\n'str'",
                          "for i = 1, 2 do\nend", "x = 1"} do
      local _, ok = source.split_last(code)
      assert.is_false(ok, code)
    end
  end)

  it("returns a last line that starts with { ( [ or a quote when it cannot continue the line before", function()
    local function run(code) local r = cells{code} return table.unpack(r, 1, r.n) end
    assert.same({{1, 2}}, {run("x = 1\n{1, 2}")})
    assert.same({{3}}, {run("{3}")})
    assert.same({"ab"}, {run("y = 2\n'ab'")})
    assert.same({"s"}, {run("[[s]]")})
    local _, ok = source.split_last("f = print\n('x')")   -- Lua reads this as f = print('x')
    assert.is_false(ok)
  end)

  it("keeps the line of an error in the last expression", function()
    local chunk = source.split_last("a = 1\nerror('here')")
    local ok, err = pcall(assert(load(chunk, "=cell")))
    assert.is_false(ok)
    assert.are.equal("cell:2: here", err)
  end)
end)

describe("cvision.kernel.source.is_complete", function()
  it("tells complete, incomplete and invalid code apart", function()
    assert.are.equal("complete", source.is_complete("x = 1"))
    assert.are.equal("incomplete", source.is_complete("for i = 1, 2 do"))
    assert.are.equal("incomplete", source.is_complete("s = [[abc"))
    assert.are.equal("invalid", source.is_complete("x = = 1"))
  end)
end)
