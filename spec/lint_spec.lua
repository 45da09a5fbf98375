-- Lints the Lua sources with luacheck (Debian's lua-check): no warning at all (.luacheckrc says
-- what is allowed and why): no globals set or read beyond Lua's own, no unused values, no
-- shadowing, no syntax errors, over lua/, spec/, examples/, bench/, notebooks/, fuzz/ and tools/.
describe("the Lua sources", function()
  it("give luacheck nothing to say", function()
    local p = io.popen("luacheck lua/ spec/ examples/ bench/ notebooks/ fuzz/ tools/ --no-color --formatter plain 2>&1; echo rc=$?")
    local out = p:read("a")
    p:close()
    local rc = tonumber(out:match("rc=(%d+)%s*$"))
    assert.is_not_nil(rc, "luacheck did not run: " .. out)
    assert.is_true(rc ~= 127, "luacheck is not installed (make deps installs lua-check)")
    out = out:gsub("rc=%d+%s*$", "")
    assert.are.equal("", out)
    assert.are.equal(0, rc)
  end)
end)

describe("the Lua sources' sizes", function()
  it("have no file over 700 lines and no function over 120 (tools/sizes.lua)", function()
    local p = io.popen("lua5.4 tools/sizes.lua 2>&1; echo rc=$?")
    local out = p:read("a")
    p:close()
    assert.is_truthy(out:find("sizes: clean", 1, true), out)
    assert.is_truthy(out:find("rc=0", 1, true), out)
  end)
end)

describe("the C sources' sizes", function()
  -- tools/csizes.lua as a module (the argument keeps it from running its command line)
  local csizes = assert(loadfile("tools/csizes.lua"))("csizes")

  it("have no file over 700 lines and no function over 120 (tools/csizes.lua)", function()
    local p = io.popen("lua5.4 tools/csizes.lua 2>&1; echo rc=$?")
    local out = p:read("a")
    p:close()
    assert.is_truthy(out:find("csizes: clean", 1, true), out)
    assert.is_truthy(out:find("rc=0", 1, true), out)
  end)

  it("counts a function from its opening brace to its closing brace at column 0", function()
    local src = table.concat({
      "/* a comment with a fake(void) {", " * } */",                    -- 1-2
      "#define BLOCK(x) do { \\", "  (x); } while (0)",                -- 3-4
      "typedef struct pt { int x, y; } pt;",                           -- 5
      "static const int table[] = {", "  1, 2,", "};",                 -- 6-8
      "static int add(int a, int b) { return a + b; }",                -- 9
      "cv_status cv_long(cv_tensor *out,", "                 int n) {", -- 10-11
      "  const char *s = \"}\";", "  if (n) {", "    return 1;", "  }",  -- 12-15
      "}",                                                             -- 16
      "static void allman(void)", "{", "  BLOCK(1);", "}",             -- 17-20
    }, "\n") .. "\n"
    local fns = csizes.functions(src)
    assert.are.same({
      { name = "cv_long", first = 11, last = 16 },
      { name = "allman", first = 18, last = 20 },
    }, fns)
  end)

  it("lets through only what the allow-list names, and reports entries that match nothing", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("int big(void) {\n", string.rep("  x++;\n", 10), "}\n", "int small(void) {\n}\n")
    f:close()
    local files, fns, unused = csizes.check({ path }, 900, 5, { [path .. ":big"] = "#0: test" })
    assert.are.same({}, files)
    assert.are.equal(1, #fns)
    assert.are.equal("big", fns[1].name)
    assert.are.equal(12, fns[1].lines)
    assert.are.equal("#0: test", fns[1].allowed)
    assert.are.same({}, unused)
    local long_files, _, stale = csizes.check({ path }, 10, 120, { ["gone.c:f"] = "#0: test" })
    assert.are.equal(1, #long_files)
    assert.is_nil(long_files[1].allowed)
    assert.are.same({ "gone.c:f" }, stale)
    os.remove(path)
  end)
end)
