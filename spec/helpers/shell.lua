-- spec/helpers/shell.lua: commands the specs run.
--   local shell = require "spec.helpers.shell"
--   if shell.have("pdftotext") then local text = shell.output("pdftotext f.pdf -") end
local M = {}

--- have(command) --> true when the command is on PATH
function M.have(cmd)
  local ok = os.execute("command -v " .. cmd .. " > /dev/null 2>&1")
  return ok == true or ok == 0
end

--- output(command) --> what the command wrote to standard output (and error, with 2>&1 in it)
function M.output(cmd)
  local p = assert(io.popen(cmd))
  local s = p:read("a")
  p:close()
  return s
end

return M
