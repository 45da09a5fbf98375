-- spec/readme_spec.lua: every ```lua block of README.md runs, each as its own lua5.4 script
-- from the repository root with ./lua on the path (blocks marked ```lua norun are skipped).
-- The interpreter is lua5.4, or $CVISION_BIN (make check: bin/cvision-asan).

local LUA = os.getenv("CVISION_BIN") or "lua5.4"

local function read(path)
  local f = assert(io.open(path)); local s = f:read("a"); f:close(); return s
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- returns a list of {code = ..., line = first line number}
local function lua_blocks(text)
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
        if words[1] == "lua" and words[2] ~= "norun" then cur = {code = "", line = n + 1}
        else cur = {code = "", line = n + 1, skip = true} end
      end
    end
  end
  assert(cur == nil, "README.md: unclosed code block")
  local runnable = {}
  for _, b in ipairs(blocks) do if not b.skip then runnable[#runnable + 1] = b end end
  return runnable
end

describe("README.md", function()
  local blocks = lua_blocks(read("README.md"))

  it("has a tour of runnable lua blocks", function()
    assert.truthy(#blocks >= 2)
  end)

  it("documents the two commands and the REPL", function()
    local text = read("README.md")
    assert.matches("make demo", text, 1, true)
    assert.matches("make test", text, 1, true)
    assert.matches("bin/cvision", text, 1, true)
  end)

  for i, b in ipairs(blocks) do
    it("runs lua block " .. i .. " (README.md line " .. b.line .. ")", function()
      local file = os.tmpname()
      local f = assert(io.open(file, "w"))
      f:write("package.path = './lua/?.lua;./lua/?/init.lua;' .. package.path\n")
      f:write("package.cpath = './lua/?.so;' .. package.cpath\n")
      f:write(b.code)
      f:close()
      local p = io.popen(q(LUA) .. " " .. q(file) .. " 2>&1")
      local out = p:read("a")
      local ok = p:close()
      os.remove(file)
      assert(ok, "README.md block at line " .. b.line .. " failed:\n" .. out)
    end)
  end
end)
