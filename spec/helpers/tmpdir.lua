-- spec/helpers/tmpdir.lua: temporary folders for specs that write files.
--   local tmp = require "spec.helpers.tmpdir"
--   local dir = tmp.dir()      -- a new empty folder
--   tmp.rmtree(dir)            -- removes it and everything below it
local core = require "cvision.core"

local M = {}

--- dir() --> the path of a new, empty folder
function M.dir()
  local p = os.tmpname()
  os.remove(p)
  assert(core.data_mkdir(p))
  return p
end

--- rmtree(path): removes a folder and everything in it (a missing path is fine)
function M.rmtree(p)
  local dirs, files = core.data_listdir(p)
  if not dirs then return end
  for _, f in ipairs(files) do os.remove(p .. "/" .. f) end
  for _, d in ipairs(dirs) do M.rmtree(p .. "/" .. d) end
  os.remove(p)
end

return M
