-- cvision.kernel: bin/cvision as a Jupyter kernel (messaging protocol 5.3).
--   bin/cvision --kernel CONNECTION_FILE       serve one notebook (started by Jupyter)
--   bin/cvision --install-kernel [--user | --prefix P]   write the kernelspec (kernel/install.lua)
-- One Lua state per kernel, with `cv` loaded. The loop below waits on the control and shell
-- sockets (control first), answers each request between a status busy and a status idle on
-- iopub, and stops after a shutdown_request. The heartbeat echoes in a C thread (kernel.c), so
-- a long cell never looks like a dead kernel. Handlers: kernel/handlers.lua; cells (top-level
-- locals that persist, the last expression's value, output, figures): kernel/cell.lua.
-- Only bin/cvision can run this (cvision.zmq and cvision.kernel.native are preloaded there).
local M = {}

local USAGE = "usage: cvision --kernel CONNECTION_FILE | --install-kernel [--user | --prefix P]"

--- serve(connection_file) --> exit status, after a shutdown_request
function M.serve(path)
  local session = require "cvision.kernel.session"
  local handlers = require "cvision.kernel.handlers"
  local zmq = require "cvision.zmq"
  local ok, s = pcall(function() return session.open(session.read_connection(path)) end)
  if not ok then
    session.log("%s", tostring(s))
    return 1
  end
  local k = handlers.new(s)
  s:publish("status", {execution_state = "starting"})
  local order = {"control", "shell"}
  local socks = {s.control, s.shell}
  while not k.stopped do
    local ready = zmq.poll(socks, -1)   -- all false after a signal: poll again
    for i, name in ipairs(order) do
      if ready[i] and not k.stopped then
        local msg = s:recv(name, true)
        if msg then k:dispatch(msg) end
      end
    end
  end
  s:close()
  return 0
end

--- main(argv) --> exit status; argv = {"--kernel", file} or {"--install-kernel", ...}
function M.main(argv)
  if argv[1] == "--install-kernel" then
    local install = require "cvision.kernel.install"
    local ok, status = pcall(install.main, {table.unpack(argv, 2)})
    if not ok then
      io.stderr:write("cvision --install-kernel: ", tostring(status), "\n")
      return 1
    end
    return status
  end
  if argv[1] ~= "--kernel" or not argv[2] or argv[3] then
    io.stderr:write(USAGE, "\n")
    return 2
  end
  return M.serve(argv[2])
end

return M
