-- spec/helpers/files.lua: whole files read and written by specs.
--   local files = require "spec.helpers.files"
--   files.write(path, bytes); local s = files.read(path)
local M = {}

--- read(path) --> the file's bytes (an assertion error when it cannot be opened)
function M.read(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

--- write(path, bytes): replaces the file's content
function M.write(p, s)
  local f = assert(io.open(p, "wb"))
  f:write(s)
  f:close()
end

return M
