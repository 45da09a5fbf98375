-- examples/gallery.lua: one picture per pyplot function and colour map, written to docs/gallery/
-- (or the folder given as the first argument) with an index page (index.md) listing them.
-- Run from the repository root: lua5.4 examples/gallery.lua [folder]
--
-- The pictures are drawn by the entries of examples/gallery/*.lua: each file returns a list of
-- {name = "fill_between", title = "...", code = "one line shown in the index", draw = function(plt)}
-- where draw makes the current figure (the gallery saves and closes it). Entries are listed in
-- file order, then list order; data come from math.random seeded once per entry, so the pictures
-- are the same on every run.
package.path = "./lua/?.lua;./lua/?/init.lua;./examples/?.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local plt = require "cvision.plot"

local M = {}

--- entries() --> every gallery entry of examples/gallery/*.lua, in file then list order
function M.entries()
  local p = io.popen("ls examples/gallery/*.lua 2>/dev/null")
  local files = {}
  for f in p:lines() do files[#files + 1] = f end
  p:close()
  table.sort(files)
  local out = {}
  for _, f in ipairs(files) do
    local list = dofile(f)
    for _, e in ipairs(list) do
      assert(type(e.name) == "string" and type(e.draw) == "function", f .. ": entry without name or draw")
      e.file = f
      out[#out + 1] = e
    end
  end
  return out
end

--- run(outdir [, only]) draws every entry (or those whose name is in the set `only`) to
-- outdir/<name>.png, writes outdir/index.md and returns the list of paths written
function M.run(outdir, only)
  os.execute("mkdir -p '" .. outdir .. "'")
  local written, index = {}, { "# cvision.plot gallery", "",
    "Drawn by `lua5.4 examples/gallery.lua` (one entry per picture in examples/gallery/*.lua).", "" }
  for _, e in ipairs(M.entries()) do
    if not only or only[e.name] then
      plt.close("all")
      math.randomseed(7)
      e.draw(plt)
      local path = outdir .. "/" .. e.name .. ".png"
      plt.savefig(path)
      plt.close("all")
      written[#written + 1] = path
      index[#index + 1] = ("## %s\n\n%s\n\n```lua\n%s\n```\n\n![%s](%s.png)\n"):format(e.name, e.title or "",
        e.code or "", e.name, e.name)
    end
  end
  local f = assert(io.open(outdir .. "/index.md", "w"))
  f:write(table.concat(index, "\n"), "\n")
  f:close()
  return written
end

if arg and arg[0] and arg[0]:match("gallery%.lua$") then
  for _, p in ipairs(M.run(arg[1] or "docs/gallery")) do print(p) end
end

return M
