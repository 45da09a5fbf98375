-- The lecture's notebooks (notebooks/NN-name.lua and the .ipynb built from it by `make notebooks`):
-- each .lua has its .ipynb with the same cells, and each executes top to bottom through the
-- cvision kernel without a cell error (tools/notebooks.py check, run once for all of them, as
-- Jupyter runs a notebook: in notebooks/). That is how `make test` executes every notebook. Then
-- what 01-images prints and draws, read from its freshly executed outputs, and every notebook
-- typed into the interactive REPL line by line (tools/notebooks.py paste, on a pseudo-terminal),
-- where a cell must work without the kernel.
local cv = require "cvision"
local saving = require "cvision.saving"

local BIN = os.getenv("CVISION_BIN") or "bin/cvision"
local PYTHON = "/usr/bin/python3"

local function run(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("rc=(%d+)%s*$"))
  return rc, (out:gsub("rc=%d+%s*$", ""))
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function sources()
  local list = {}
  local p = io.popen("ls notebooks/*.lua 2>/dev/null")
  for path in p:lines() do list[#list + 1] = path end
  p:close()
  return list
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

local b64 = {}
for i, c in ipairs{("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"):byte(1, -1)} do
  b64[c] = i - 1
end
local function unbase64(s)
  local out, bits, n = {}, 0, 0
  for c in s:gmatch("[%w+/]") do
    bits, n = bits << 6 | b64[c:byte()], n + 6
    if n >= 8 then
      n = n - 8
      out[#out + 1] = string.char((bits >> n) & 0xff)
    end
  end
  return table.concat(out)
end

-- tools/notebooks.py check on every notebook, once: its output and the executed notebooks
local checked
local function check_all()
  if checked then return checked end
  local dir = os.tmpname()
  os.remove(dir)
  local nbs = {}
  for _, src in ipairs(sources()) do
    local nb = src:gsub("%.lua$", ".ipynb")
    if exists(nb) then nbs[#nbs + 1] = q(nb) end
  end
  local rc, out = run(("CVISION_BIN=%s %s tools/notebooks.py check --save %s %s"):format(
    q(BIN), PYTHON, q(dir), table.concat(nbs, " ")))
  checked = {rc = rc, out = out, dir = dir}
  return checked
end

local function executed(name)
  local c = check_all()
  local f = assert(io.open(c.dir .. "/" .. name, "rb"), "not executed: " .. name .. "\n" .. c.out)
  local nb = saving.decode_json(f:read("a"))
  f:close()
  return nb
end

-- a code cell's text outputs (streams and results) and its PNG figures
local function outputs(cell)
  local text, pngs = {}, {}
  local function join(v) return type(v) == "table" and table.concat(v) or v end
  for _, o in ipairs(cell.outputs or {}) do
    if o.output_type == "stream" then text[#text + 1] = join(o.text) end
    if o.data and o.data["text/plain"] and not o.data["image/png"] then text[#text + 1] = join(o.data["text/plain"]) end
    if o.data and o.data["image/png"] then pngs[#pngs + 1] = unbase64(join(o.data["image/png"])) end
  end
  return table.concat(text, "\n"), pngs
end

describe("notebooks", function()
  setup(function() check_all() end)
  teardown(function() if checked then os.execute("rm -rf " .. q(checked.dir)) end end)

  it("are there: every notebooks/*.lua has its .ipynb (make notebooks builds them)", function()
    local srcs = sources()
    assert.is_true(#srcs >= 1, "no notebooks/*.lua")
    for _, src in ipairs(srcs) do
      local nb = src:gsub("%.lua$", ".ipynb")
      assert(exists(nb), nb .. " is missing: run make notebooks")
    end
  end)

  it("execute through the cvision kernel without a cell error, with the cells of their .lua", function()
    local c = check_all()
    assert(c.rc ~= 3, "Jupyter is missing: make deps installs python3-nbclient\n" .. c.out)
    assert(c.rc ~= 127, "/usr/bin/python3 is missing (make deps)\n" .. c.out)
    assert(c.rc == 0, c.out)
    for _, src in ipairs(sources()) do
      local nb = src:gsub("%.lua$", ".ipynb")
      assert(c.out:find(nb .. ": ok", 1, true), nb .. " was not checked:\n" .. c.out)
    end
  end)

  it("01-images prints the lecture's values and draws its figures as image/png", function()
    local nb = executed("01-images.ipynb")
    local all, figures = {}, {}
    for _, cell in ipairs(nb.cells) do
      if cell.cell_type == "code" then
        local text, pngs = outputs(cell)
        all[#all + 1] = text
        for _, p in ipairs(pngs) do figures[#figures + 1] = p end
      end
    end
    local out = table.concat(all, "\n")
    assert.matches("Shapes are: %(16, 16, 3%), %(16, 16, 3%), %(16, 16, 3%), %(16, 16, 3%)%.", out)
    assert.matches("array%(%[  0,   1, 255,   0%], dtype=uint8%)", out)
    assert.matches("array%(%[%-128,    1,  127, %-128%], dtype=int8%)", out)
    -- the convolved feature of the lecture's 5x5 image and 3x3 kernel
    assert.matches("array%(%[%[4%., 3%., 4%.%],\n       %[2%., 4%., 3%.%],\n       %[2%., 3%., 4%.%]%]", out)
    assert.is_true(#figures >= 5, "figures: " .. #figures)
    -- the last figure is the yellow detector: its input (left) has the sun, yellow (255, 215, 0)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(figures[#figures])
    f:close()
    local fig = cv.imread(path)
    os.remove(path)
    local found = false
    for y = 1, fig.shape[1] do
      for x = 1, fig.shape[2] // 2 do
        if fig:at(y, x, 1) == 255 and fig:at(y, x, 2) == 215 and fig:at(y, x, 3) == 0 then found = true end
      end
    end
    assert.is_true(found)
  end)

  it("are Lua scripts too (bin/cvision notebooks/NN-name.lua): each compiles as one chunk", function()
    for _, src in ipairs(sources()) do
      local f, err = loadfile(src)
      assert(f, err)
    end
  end)

  it("keep their code pasteable: no top-level local (a REPL line's locals end with it), ASCII outside comments (the REPL's line editor drops other bytes)", function()
    for _, src in ipairs(sources()) do
      local markdown, n = false, 0
      for line in io.lines(src) do
        n = n + 1
        if line:match("^%-%- %%%%") then markdown = line:find("[markdown]", 1, true) ~= nil
        elseif not markdown then
          local code = line:gsub("%-%-.*$", "")
          assert(not code:match("^local%s"), ("%s:%d: a top-level local (make it a global): %s"):format(src, n, line))
          assert(not code:find("[\128-\255]"), ("%s:%d: non-ASCII code (write utf8.char(...)): %s"):format(src, n, line))
        end
      end
    end
  end)

  it("run typed into the REPL cell by cell, line by line (tools/notebooks.py paste)", function()
    local srcs = {}
    for i, src in ipairs(sources()) do srcs[i] = q(src) end
    local rc, out = run(("CVISION_BIN=%s %s tools/notebooks.py paste %s"):format(q(BIN), PYTHON, table.concat(srcs, " ")))
    assert.equal(0, rc, out)
  end)
end)
