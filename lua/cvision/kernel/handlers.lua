-- cvision.kernel.handlers: what the kernel answers to each request (messaging protocol 5.3).
-- Every request is answered between a status "busy" and a status "idle" on iopub whose parent
-- is the request (nbclient waits for that idle). Unknown request types are logged and ignored,
-- as ipykernel does.
local session = require "cvision.kernel.session"
local cell = require "cvision.kernel.cell"
local source = require "cvision.kernel.source"
local introspect = require "cvision.kernel.introspect"
local saving = require "cvision.saving"
local core = require "cvision.core"
local native = require "cvision.kernel.native"

local M = {}

local K = {}
K.__index = K

--- new(s) --> the kernel's request handler over session s; cv is loaded, output redirected
function M.new(s)
  local k = setmetatable({s = s, execution_count = 0, stopped = false}, K)
  rawset(_G, "cv", require "cvision")
  cell.install(k)
  native.on_control(function() return k:serve_control() end)
  native.track_coroutines(coroutine)   -- an interrupt reaches a loop inside a coroutine
  return k
end

-- what stops a running cell when it comes on the control channel
local STOPS_CELL = {interrupt_request = true, shutdown_request = true}

--- k:serve_control() --> whether the running cell must stop: answers every request queued on
-- the control channel, from inside the running cell (kernel.c's hook calls it when the relay
-- passed a message); an interrupt_request (Jupyter's interrupt_mode "message") or a
-- shutdown_request stops the cell, after its reply has gone out
function K:serve_control()
  local stop = false
  while true do
    local msg, why = self.s:recv("control", true)
    if not msg and why == "again" then break end
    if msg then
      stop = stop or STOPS_CELL[msg.header.msg_type] == true
      self:dispatch(msg)
    end
  end
  return stop
end

local handlers = {}
M.handlers = handlers

--- handlers.kernel_info_request(k, msg): kernel_info_reply (protocol 5.3, Lua 5.4 language_info)
function handlers.kernel_info_request(k, msg)
  k.s:reply(msg, "kernel_info_reply", {
    status = "ok",
    protocol_version = session.PROTOCOL_VERSION,
    implementation = "cvision",
    implementation_version = core.sys.info().cvision,
    language_info = {name = "lua", version = "5.4", mimetype = "text/x-lua",
                     file_extension = ".lua", codemirror_mode = "lua", pygments_lexer = "lua"},
    banner = ("cvision %s (%s): cv is loaded"):format(core.sys.info().cvision, _VERSION),
    help_links = {},
  })
end

-- the shell requests already waiting (taken off the socket, not answered)
local function take_queued(k)
  local list = {}
  while true do
    local q, why = k.s:recv("shell", true)
    if not q and why == "again" then break end   -- nothing more queued (a dropped one: go on)
    if q then list[#list + 1] = q end
  end
  k.queued = list
end

-- answers taken requests: execute_requests "aborted", the others as usual
local function answer_queued(k, list)
  for _, q in ipairs(list) do
    if q.header.msg_type == "execute_request" then
      k.s:publish("status", {execution_state = "busy"}, q)
      k.s:reply(q, "execute_reply", {status = "aborted", execution_count = k.execution_count})
      k.s:publish("status", {execution_state = "idle"}, q)
    else
      k:dispatch(q)
    end
  end
end

-- After a cell fails (with stop_on_error, the default), the execute_requests already queued
-- behind it (a "run all") are answered "aborted" and not run; other queued requests are
-- answered as usual. What is queued is taken off the socket just before the failing cell's reply
-- goes out and answered just after it: a request the client sends after seeing that reply is
-- never aborted (it was, under load), and the replies keep their order.
function handlers.execute_request(k, msg)
  k.before_error_reply = msg.content.stop_on_error ~= false and take_queued or nil
  cell.execute(k, msg)
  k.before_error_reply = nil
  local list = k.queued
  k.queued = nil
  if list then answer_queued(k, list) end
end

--- handlers.is_complete_request(k, msg): is_complete_reply: complete, incomplete (indent two spaces) or invalid
function handlers.is_complete_request(k, msg)
  local status = source.is_complete(tostring(msg.content.code or ""))
  k.s:reply(msg, "is_complete_reply", {status = status, indent = status == "incomplete" and "  " or nil})
end

--- handlers.complete_request(k, msg): complete_reply with the REPL's completions at cursor_pos
function handlers.complete_request(k, msg)
  local matches, first, last = introspect.complete(tostring(msg.content.code or ""), msg.content.cursor_pos)
  k.s:reply(msg, "complete_reply", {status = "ok", matches = matches, cursor_start = first,
                                    cursor_end = last, metadata = saving.object()})
end

--- handlers.inspect_request(k, msg): inspect_reply with the help text of the name at cursor_pos
function handlers.inspect_request(k, msg)
  local text = introspect.inspect(tostring(msg.content.code or ""), msg.content.cursor_pos)
  k.s:reply(msg, "inspect_reply", {status = "ok", found = text ~= nil,
    data = saving.object(text and {["text/plain"] = text} or {}), metadata = saving.object()})
end

--- handlers.comm_info_request(k, msg): comm_info_reply (cvision opens no comms)
function handlers.comm_info_request(k, msg)
  k.s:reply(msg, "comm_info_reply", {status = "ok", comms = saving.object()})
end

--- handlers.history_request(k, msg): history_reply (the kernel keeps no history)
function handlers.history_request(k, msg)
  k.s:reply(msg, "history_reply", {status = "ok", history = {}})
end

--- handlers.shutdown_request(k, msg): shutdown_reply, then the kernel stops (the client restarts it when asked)
function handlers.shutdown_request(k, msg)
  local restart = msg.content.restart and true or false
  k.s:reply(msg, "shutdown_reply", {status = "ok", restart = restart})
  k.stopped = true
end

-- interrupt_mode "message" (Jupyter 5.3): the reply; a running cell is stopped by
-- serve_control, which answered this while the cell ran. SIGINT stops a cell too.
function handlers.interrupt_request(k, msg)
  k.s:reply(msg, "interrupt_reply", {status = "ok"})
end

--- k:dispatch(msg): answers one request
function K:dispatch(msg)
  local t = msg.header.msg_type
  local h = handlers[t]
  if not h then
    session.log("unknown message type %s on %s (ignored)", tostring(t), msg.channel)
    return
  end
  self.s:publish("status", {execution_state = "busy"}, msg)
  local ok, err = xpcall(h, debug.traceback, self, msg)
  if not ok then session.log("%s failed: %s", t, tostring(err)) end
  self.s:publish("status", {execution_state = "idle"}, msg)
end

return M
