-- cvision.kernel.input: io.read() and io.stdin in a cell ask the notebook, as Python's input()
-- does in Jupyter: an input_request on the stdin channel (to the client that sent the
-- execute_request), then the input_reply's text. Each format read asks once: "l" (the default)
-- gives the text, "L" the text and a newline, "n" a number (or nil), "a" the text, a count its
-- first bytes. A request that did not allow stdin raises an error saying so. While waiting, an
-- interrupt stops the cell as anywhere else.
local zmq = require "cvision.zmq"

local M = {}

local function convert(text, fmt)
  if type(fmt) == "number" then return text:sub(1, fmt) end
  fmt = tostring(fmt):gsub("^%*", "")
  local f = fmt:sub(1, 1)
  if f == "n" then return tonumber(text) end
  if f == "L" then return text .. "\n" end
  if f == "l" or f == "a" then return text end
  error("bad argument #1 to 'read' (invalid format)", 3)
end

--- install(k): io.read and io.stdin of the kernel's cells
function M.install(k)
  local function ask(prompt)
    local parent = k.sink.parent
    if not (parent and parent.content.allow_stdin) then
      error("this notebook does not accept input (the request has allow_stdin false)", 3)
    end
    k.sink.flush()
    k.s:send("stdin", "input_request", {prompt = prompt or "", password = false}, parent, parent.idents)
    while true do
      local ready = zmq.poll({k.s.stdin}, -1)  -- returns on a signal: the interrupt hook runs
      local msg = ready[1] and k.s:recv("stdin", true)
      if msg and msg.header.msg_type == "input_reply" then return tostring(msg.content.value or "") end
    end
  end
  local function read(...)
    local fmts = table.pack(...)
    if fmts.n == 0 then fmts = {n = 1, "l"} end
    local out = {}
    for i = 1, fmts.n do out[i] = convert(ask(""), fmts[i]) end
    return table.unpack(out, 1, fmts.n)
  end
  local stdin = setmetatable({}, {__name = "cvision.kernel.stdin",
                                  __tostring = function() return "file (stdin of the notebook)" end})
  function stdin.read(_, ...) return read(...) end
  function stdin.lines(_, ...)
    local fmts = table.pack(...)
    return function() return read(table.unpack(fmts, 1, fmts.n)) end
  end
  function stdin.close() return nil, "cannot close standard file" end
  M.ask = ask
  rawset(io, "read", read)   -- replacing io's fields is the point here
  rawset(io, "stdin", stdin)
end

return M
