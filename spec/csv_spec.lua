-- spec/csv_spec.lua: cv.data.read_csv and write_csv (cvision.data.csv)
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"

local dir
local function file(name, text)
  local p = dir .. "/" .. name
  local f = assert(io.open(p, "wb"))
  f:write(text)
  f:close()
  return p
end

describe("cv.data.read_csv", function()
  setup(function() dir = tmp.dir() end)
  teardown(function() tmp.rmtree(dir) end)

  it("reads a header, numeric and text columns, RFC 4180 quoting and CRLF", function()
    local p = file("a.csv", '\239\187\191id,x,name\r\n1,2.5,"a, b"\r\n2,-4e2,"say ""hi"""\r\n3,6,"two\nlines"\r\n')
    local df = cv.data.read_csv(p)
    assert.same({"id", "x", "name"}, df.names)
    assert.equal(3, #df)
    assert.same({1, 2, 3}, df:column("id"))
    assert.equal("integer", math.type(df:column("id")[1]))
    assert.same({2.5, -400.0, 6.0}, df:column("x"))
    assert.equal("float", math.type(df:column("x")[3]))      -- one type per column, as pandas
    assert.same({"a, b", 'say "hi"', "two\nlines"}, df:column("name"))
    local t = df:to_tensor{"id", "x"}
    assert.same({3, 2}, t.shape)
    assert.equal(-400, t[2][2])
    assert.has_error(function() df:to_tensor{"name"} end,
      "to_tensor: column 'name' is text; encode it first (cv.data.OneHotEncoder)")
  end)

  it("names the file and line of a malformed row", function()
    assert.has_error(function() cv.data.read_csv(file("b.csv", "a,b\n1,2\n3\n")) end,
      "read_csv: " .. dir .. "/b.csv:3: expected 2 fields, got 1")
    assert.has_error(function() cv.data.read_csv(file("c.csv", 'a,b\n1,"2\n3,4\n')) end,
      "read_csv: " .. dir .. "/c.csv:2: unterminated quoted field")
    assert.has_error(function() cv.data.read_csv(file("d.csv", 'a,b\n1,"2"x\n')) end,
      "read_csv: " .. dir .. "/d.csv:2: text after a closing quote")
    assert.has_error(function() cv.data.read_csv(file("e.csv", "a,a\n1,2\n")) end,
      "read_csv: " .. dir .. "/e.csv:1: column name 'a' appears twice")
    assert.has_error(function() cv.data.read_csv(file("f.csv", "")) end,
      "read_csv: " .. dir .. "/f.csv: the file is empty (a header row expected)")
    assert.has_error(function() cv.data.read_csv(dir .. "/missing.csv") end,
      "read_csv: " .. dir .. "/missing.csv: No such file or directory")
    assert.has_error(function() cv.data.read_csv(file("g.csv", "a\nx\n"), {dtype = {a = "number"}}) end,
      "read_csv: " .. dir .. "/g.csv:2: column 'a': 'x' is not a number")
  end)

  it("checks the file's size against the budget before reading it, and its options", function()
    local p = file("h.csv", "a\n" .. ("1\n"):rep(100))
    assert.has_error(function() cv.data.read_csv(p, {max_bytes = 50}) end,
      "read_csv: " .. p .. ": 202 bytes is over the budget of 50 (max_bytes)")
    assert.has_error(function() cv.data.read_csv(p, {seperator = ";"}) end, "bad argument to 'read_csv' (unknown option 'seperator')")
    local df = cv.data.read_csv(file("i.csv", "a;b\n1;x\n"), {sep = ";"})
    assert.same({"x"}, df:column("b"))
    df = cv.data.read_csv(file("j.csv", "zip\n01234\n"), {dtype = {zip = "str"}})
    assert.same({"01234"}, df:column("zip"))
  end)

  it("writes what it reads back (write_csv, quoting where needed, atomically)", function()
    local p = dir .. "/w.csv"
    cv.data.write_csv(p, {"n", "v", "s"}, {n = {1, 2}, v = {0.1, 1e-20}, s = {"plain", 'with "quote", comma'}})
    local text = assert(io.open(p)):read("a")
    assert.equal('n,v,s\n1,0.1,plain\n2,1e-20,"with ""quote"", comma"\n', text)
    local df = cv.data.read_csv(p)
    assert.same({0.1, 1e-20}, df:column("v"))
    assert.same({"plain", 'with "quote", comma'}, df:column("s"))
    cv.data.write_csv(dir .. "/w2.csv", df)
    assert.equal(text, assert(io.open(dir .. "/w2.csv")):read("a"))
    assert.has_error(function() cv.data.write_csv(p, {"n", "m"}, {n = {1}, m = {1, 2}}) end,
      "write_csv: column 'm' has 2 rows, expected 1")
  end)

  it("refuses an empty cell in a numeric column, and reads any one-character separator", function()
    assert.has_error(function() cv.data.read_csv(file("k.csv", "x,y\n1,a\n,b\n3,c\n")) end,
      "read_csv: " .. dir .. "/k.csv:3: column 'x': empty cell in a numeric column (dtype = {x = \"str\"} reads it as text)")
    local df = cv.data.read_csv(file("l.csv", 'x,y,z\n1,"",\n2,b,\n'))
    assert.same({"", "b"}, df:column("y"))      -- text may be empty
    assert.same({"", ""}, df:column("z"))       -- so may a column with nothing in it
    assert.same({"1", " "}, cv.data.read_csv(file("m.csv", "x\n1\n \n"), {dtype = {x = "str"}}):column("x"))
    for _, sep in ipairs{"]", "%", ".", "\t", "|", "^"} do
      df = cv.data.read_csv(file("n.csv", ("a%sb\n1%s\"x%sy\"\n"):format(sep, sep, sep)), {sep = sep})
      assert.same({"a", "b"}, df.names, "sep " .. sep)
      assert.same({"x" .. sep .. "y"}, df:column("b"), "sep " .. sep)
    end
  end)
end)
