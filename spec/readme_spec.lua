-- spec/readme_spec.lua: README.md stays true.
--  * every ```lua block runs, each as its own script from the repository root with ./lua on the
--    path (blocks marked ```lua norun are skipped); the interpreter is lua5.4, or $CVISION_BIN
--    (make check: bin/cvision-asan);
--  * every `make X` it names is a target of the Makefile;
--  * every local link and image ([..](path)) and every repository path it quotes in backticks
--    exists (paths under data/ and out/ are outputs, not checked);
--  * every cv.a.b name it mentions resolves in cvision, and the lua blocks use no globals;
--  * the benchmark section keeps its markers, once each, in order.

local LUA = os.getenv("CVISION_BIN") or "lua5.4"

local function read(path)
  local f = assert(io.open(path)); local s = f:read("a"); f:close(); return s
end

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close(); return true end
  return false
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- runs code as a lua script (./lua on the path); returns ok, output
local function run_lua(code)
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write("package.path = './lua/?.lua;./lua/?/init.lua;' .. package.path\n")
  f:write("package.cpath = './lua/?.so;' .. package.cpath\n")
  f:write(code)
  f:close()
  local p = io.popen(q(LUA) .. " " .. q(file) .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  os.remove(file)
  return ok, out
end

-- the fenced blocks: a list of {info = first word, norun = bool, code = ..., line = first line}
local function fenced_blocks(text)
  local blocks, cur, n = {}, nil, 0
  for line in (text .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    if cur then
      if line:match("^```%s*$") then blocks[#blocks + 1] = cur; cur = nil
      else cur.code = cur.code .. line .. "\n" end
    else
      local info = line:match("^```(.*)$")
      if info then
        local words = {}
        for w in info:gmatch("%S+") do words[#words + 1] = w end
        cur = {info = words[1], norun = words[2] == "norun", code = "", line = n + 1}
      end
    end
  end
  assert(cur == nil, "README.md: unclosed code block")
  return blocks
end

-- the README without its fenced blocks (the prose, tables and inline code)
local function prose(text)
  local out, inside = {}, false
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if line:match("^```") then inside = not inside
    elseif not inside then out[#out + 1] = line end
  end
  return table.concat(out, "\n")
end

describe("README.md", function()
  local text = read("README.md")
  local blocks = fenced_blocks(text)
  local runnable = {}
  for _, b in ipairs(blocks) do
    if b.info == "lua" and not b.norun then runnable[#runnable + 1] = b end
  end

  it("has a tour of runnable lua blocks", function()
    assert.truthy(#runnable >= 10)
  end)

  it("documents the two commands and the REPL", function()
    assert.matches("make demo", text, 1, true)
    assert.matches("make test", text, 1, true)
    assert.matches("bin/cvision", text, 1, true)
  end)

  it("names only make targets that the Makefile has", function()
    local targets = {}
    for line in read("Makefile"):gmatch("[^\n]+") do
      local names = line:match("^([%w%-_ ]+):[^=]") or line:match("^([%w%-_ ]+):$")
      if names then for t in names:gmatch("%S+") do targets[t] = true end end
    end
    assert.truthy(targets.demo and targets.test, "Makefile targets not parsed")
    -- commands: inline code and the lines of sh blocks
    local code = {}
    for span in prose(text):gmatch("`([^`]+)`") do code[#code + 1] = span end
    for _, b in ipairs(blocks) do if b.info == "sh" then code[#code + 1] = b.code end end
    local missing, named = {}, 0
    for t in table.concat(code, "\n"):gmatch("%f[%w]make ([%a][%w%-_]*)") do
      named = named + 1
      if not targets[t] then missing[#missing + 1] = t end
    end
    assert.truthy(named >= 6)
    assert.same({}, missing)
  end)

  it("links only to files that exist", function()
    local missing = {}
    for path in text:gmatch("%]%(([^)%s]+)%)") do
      if not path:match("^%a+://") and not path:match("^#") and not exists(path) then
        missing[#missing + 1] = path
      end
    end
    assert.same({}, missing)
  end)

  it("quotes only repository paths that exist", function()
    local tops = {"csrc/", "lua/", "spec/", "examples/", "bench/", "tools/", "docs/",
      "third_party/", ".ci/", "bin/", "notebooks/"}
    local generated = {["bin/cvision"] = true, ["bin/cvision-asan"] = true,
      ["lua/cvision/core.so"] = true}
    local missing = {}
    for code in prose(text):gmatch("`([^`]+)`") do
      for word in code:gmatch("%S+") do
        word = word:gsub("[,;:.)]+$", "")
        local top = false
        for _, t in ipairs(tops) do if word:sub(1, #t) == t then top = true end end
        local path = word:gsub("/%*$", ""):gsub("<[^>]*>.*$", "")
        if top and not generated[word] and path ~= "" and not exists(path) then
          missing[#missing + 1] = word
        end
      end
    end
    assert.same({}, missing)
  end)

  it("mentions only cv names that exist", function()
    local names, seen = {}, {}
    for name in text:gmatch("cv%.([%a_][%w_%.]*)") do
      name = name:gsub("%.+$", "")
      if not seen[name] then seen[name] = true; names[#names + 1] = name end
    end
    assert.truthy(#names > 10)
    local code = {'local cv = require "cvision"\nlocal missing = {}\n'}
    for _, name in ipairs(names) do
      local expr = "cv"
      for part in name:gmatch("[^.]+") do expr = expr .. "[" .. ("%q"):format(part) .. "]" end
      code[#code + 1] = ("do local ok, v = pcall(function() return %s end) "
        .. "if not ok or v == nil then missing[#missing + 1] = %q end end\n"):format(expr, "cv." .. name)
    end
    code[#code + 1] = 'if #missing > 0 then error("missing: " .. table.concat(missing, ", "), 0) end\n'
    local ok, out = run_lua(table.concat(code))
    assert(ok, out)
  end)

  it("keeps the benchmark markers, once each, in order", function()
    local _, nb = text:gsub("<!%-%- bench:begin %-%->", "")
    local _, ne = text:gsub("<!%-%- bench:end %-%->", "")
    assert.equals(1, nb)
    assert.equals(1, ne)
    assert.truthy(text:find("<!-- bench:begin -->", 1, true) < text:find("<!-- bench:end -->", 1, true))
    assert.matches("The table below is produced by `make bench`", text, 1, true)
  end)

  it("sets and reads no globals in its lua blocks (luacheck)", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. q(dir)))
    for i, b in ipairs(runnable) do
      local f = assert(io.open(("%s/block_%02d_line_%d.lua"):format(dir, i, b.line), "w"))
      f:write(b.code)
      f:close()
    end
    local p = io.popen("luacheck " .. q(dir) .. " --std lua54 --no-color --formatter plain --only 1 2>&1; echo rc=$?")
    local out = p:read("a")
    p:close()
    os.execute("rm -rf " .. q(dir))
    local rc = tonumber(out:match("rc=(%d+)%s*$"))
    assert.is_true(rc ~= nil and rc ~= 127, "luacheck did not run: " .. out)
    assert.are.equal("", (out:gsub("rc=%d+%s*$", "")))
  end)

  for i, b in ipairs(runnable) do
    it("runs lua block " .. i .. " (README.md line " .. b.line .. ")", function()
      assert.matches('local cv = require "cvision"', b.code, 1, true)
      local ok, out = run_lua(b.code)
      assert(ok, "README.md block at line " .. b.line .. " failed:\n" .. out)
    end)
  end
end)
