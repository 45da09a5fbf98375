-- spec/docs_spec.lua: the documentation rule of `make test`. Every public Lua function has a doc
-- comment (tools/doccheck.lua), and `make docs` turns those comments into the API reference
-- without an LDoc warning, every documented definition in it with the signature its comment gives
-- (arguments, option defaults, results) and the comment's example; help() reads the same text.
local help = require "cvision.help"

-- files not held to the rule: none (a pattern here would exempt the paths it matches)
local EXEMPT = nil

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local read = require("spec.helpers.files").read

-- the text a browser shows, white space aside: tags dropped, entities decoded, no white space
local function text_of(page)
  local s = page:gsub("<[^>]*>", "")
  s = s:gsub("&#(%d+);", function(n) return utf8.char(tonumber(n)) end)
  s = s:gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&quot;", '"'):gsub("&amp;", "&")
  return (s:gsub("%s+", ""))
end

-- whether the page's text holds s (white space aside)
local function has(text, s) return text:find(s:gsub("%s+", ""), 1, true) ~= nil end

-- the documented definition `qname` of a source file: its signature (the `---` lines joined)
-- and its comment's lines
local function entry(path, qname)
  for _, e in ipairs(help.entries(path)) do
    if e.qname == qname then
      local sig, body = help.split_doc(e.doc)
      return table.concat(sig, " "):gsub("%s+", " "), body
    end
  end
  error("no documented " .. qname .. " in " .. path)
end

describe("doc comments", function()
  it("are above every public function (tools/doccheck.lua)", function()
    local _, out = sh("lua5.4 tools/doccheck.lua --all")
    assert.matches("public functions without a doc comment", out)
    local missing = {}
    for line in out:gmatch("[^\n]+") do
      local path = line:match("^(lua/[^:]+):%d+: ")
      if path and not (EXEMPT and path:match(EXEMPT)) then missing[#missing + 1] = line end
    end
    assert.are.same({}, missing)
  end)
end)

describe("make docs", function()
  local dir, out, ok
  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    ok, out = sh("make -s --no-print-directory docs DOCS_DIR=" .. q(dir))
  end)
  teardown(function() os.execute("rm -rf " .. q(dir)) end)

  it("builds the reference into DOCS_DIR without an LDoc warning", function()
    assert.is_true(ok, out)
    assert.is_nil(out:match("[^\n]*%.lua:%d+:[^\n]*"))   -- LDoc's warnings name file:line
    assert.is_nil(out:match("[^\n]*[Ww]arning[^\n]*"))
    assert.truthy(io.open(dir .. "/index.html"))
  end)

  it("has every documented definition tools/ldoc_src.lua found, one entry each", function()
    local n = tonumber(out:match("ldoc_src: (%d+) documented definitions"))
    assert.truthy(n, out)
    local p = io.popen("cat " .. q(dir) .. "/modules/*.html")
    local pages = p:read("a")
    p:close()
    local _, dts = pages:gsub("<dt>", "")
    assert.equal(n, dts)
    assert.is_true(n > 500)
  end)

  local known = {
    {"lua/cvision/models/sequential.lua", "new_sequential", "cvision.models.sequential", "Sequential"},
    {"lua/cvision/models/trainer.lua", "Model:fit", "cvision.models.trainer", "Model:fit"},
    {"lua/cvision/data.lua", "M.image_dataset_from_directory", "cvision.data", "image_dataset_from_directory"},
    {"lua/cvision/layers/base.lua", "M.shape_str", "cvision.layers.base", "shape_str"},
  }
  for _, k in ipairs(known) do
    local path, qname, mod, anchor = k[1], k[2], k[3], k[4]
    it("shows " .. anchor .. " with its comment's signature, text and example", function()
      local page = read(dir .. "/modules/" .. mod .. ".html")
      assert.truthy(page:find('<a name = "' .. anchor .. '">', 1, true), anchor .. " has no entry")
      local text = text_of(page)
      local sig, body = entry(path, qname)
      local call = sig:match("^[%w_.:]+%s*%b()") or sig:match("^[%w_.:]+%s*%b{}")
      assert.is_true(has(text, call), call)
      local ret = sig:match("%-%->%s*(.+)$")
      if ret then assert.is_true(has(text, "Returns: " .. ret), ret) end
      local seen_example = false
      for i, l in ipairs(body) do
        if l:match("^Examples?:") then
          local code = body[i + 1]:match("^%s*(.-)%s*$")
          local pre = page:match('<pre class="example">(.-)</pre>')
          assert.truthy(pre, "no example")
          assert.is_true(has(text_of(pre), code), code)
          seen_example = true
        elseif not seen_example and #l > 20 then
          -- a line of the prose, as text (markup aside)
          local words = l:gsub("`", ""):match("^%s*(%S+%s+%S+%s+%S+)")
          if words then assert.is_true(has(text, words), words) end
        end
      end
    end)
  end

  it("lists the arguments with their defaults and marks the optional ones", function()
    local text = text_of(read(dir .. "/modules/cvision.data.html"))
    -- image_dataset_from_directory(dir, opts): opts is the table of options the comment shows
    assert.is_true(has(text, "image_dataset_from_directory(dir, opts)"))
    assert.is_true(has(text, "Parameters: dir opts {image_size={256, 256}, batch_size=32"))
    text = text_of(read(dir .. "/modules/cvision.layers.base.html"))
    assert.is_true(has(text, "shape_str(shape, batch)"))
    assert.is_true(has(text, "Parameters: shape batch optional Returns:"))
  end)
end)

describe("help()", function()
  it("prints the comment the reference is made from", function()
    local _, body = entry("lua/cvision/models/trainer.lua", "Model:fit")
    local first
    for _, e in ipairs(help.entries("lua/cvision/models/trainer.lua")) do
      if e.qname == "Model:fit" then first = e.doc[1]:match("^%-%-%-%s*(.-)%s*$") end
    end
    local s = help.text("fit")
    assert.truthy(s:find("Model:fit\n" .. first, 1, true), s)
    assert.truthy(s:find(body[1], 1, true))
  end)
end)
