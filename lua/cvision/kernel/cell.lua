-- cvision.kernel.cell: runs one execute_request's code as a notebook cell.
-- The code is one Lua chunk, named "cell[N]" in errors, run in the kernel's globals after
-- source.persist (top-level locals persist to later cells) and source.split_last (the last
-- expression's value becomes the execute_result, shown as the REPL shows it: cvision.sys.show;
-- a tensor, a model or a DataFrame also as text/html, kernel/html.lua).
-- While it runs, SIGINT or an interrupt_request on the control channel (served from inside the
-- cell: handlers' serve_control) raises "interrupted" in it (kernel.c's hooks); what it prints goes out
-- as streams (kernel/output.lua); io.read asks the notebook (kernel/input.lua). When it ends, each figure it drew (cvision.plot's open
-- figures) is sent as display_data image/png and closed; plot.show() sends the current figure
-- at once. Replies and iopub messages follow ipykernel's order: execute_input, streams,
-- execute_result or error, display_data, then the execute_reply.
local native = require "cvision.kernel.native"
local zmq = require "cvision.zmq"
local source = require "cvision.kernel.source"
local output = require "cvision.kernel.output"
local input = require "cvision.kernel.input"
local html = require "cvision.kernel.html"
local session = require "cvision.kernel.session"
local saving = require "cvision.saving"

local obj = saving.object   -- an empty table written as {} (a plain {} is written as [])

-- the kernel's own load: a cell that sets a global `load` must not break the next cells
local load = load

local M = {}

-- the traceback of an error in the cell, without the kernel's own frames below the cell's chunk
local function traceback(e)
  local msg = e
  if type(e) ~= "string" then
    local mt = getmetatable(e)
    msg = (mt and mt.__tostring) and tostring(e) or ("(error object is a %s value)"):format(type(e))
  end
  local tb = debug.traceback(msg, 3)   -- from the frame that raised (1: here, 2: the handler)
  local lines = {}
  for l in (tb .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  local cut
  for i, l in ipairs(lines) do
    if l:match("^%s*cell%[%d+%]:%d+: in main chunk") then cut = i end
  end
  if not cut then
    for i, l in ipairs(lines) do
      if l:match("in function 'xpcall'") then cut = i - 1 break end
    end
  end
  cut = cut or #lines
  if cut > 0 and lines[cut]:match("%(%.%.%.tail calls%.%.%.%)") then cut = cut - 1 end
  -- the kernel's own frames (an interrupt that came while it sent output), and the C call that
  -- went with them, are not the user's
  local kept, frames = {}, false
  for i = 1, cut do
    local l = lines[i]
    local next_ours = lines[i + 1] and lines[i + 1]:find("/cvision/kernel/", 1, true)
    local ours = l:find("/cvision/kernel/", 1, true) or (l:match("^%s*%[C%]") and next_ours)
    if not (frames and ours) then
      kept[#kept + 1] = l
    end
    if l == "stack traceback:" then frames = true end
  end
  return {msg = msg, lines = kept}
end

--- show_values(values) --> the text/plain of a cell's results ("\t" between several), or nil when
-- there is nothing to show (no value, or a lone nil, as a notebook shows no None)
local function show_values(r)
  if r.n == 0 or (r.n == 1 and r[1] == nil) then return nil end
  local ok, sys = pcall(require, "cvision.sys")
  local parts = {}
  for i = 1, r.n do parts[i] = ok and sys.show(r[i]) or tostring(r[i]) end
  return table.concat(parts, "\t")
end

-- As Jupyter's inline backend (bbox_inches = "tight"), a figure goes out with nothing cut off: one
-- whose labels or titles would be clipped by its margins is fitted (tight_layout) first, unless
-- its layout was set by hand (subplots_adjust) or is tight already.
local function send_figure(k, fig, parent)
  local layout = require "cvision.plot.layout"
  if not fig.tight and not fig.adjusted and layout.clipped(fig) then fig:tight_layout() end
  local png = fig:render():png()
  local plot = package.loaded["cvision.plot"]
  k.s:publish("display_data", {
    data = {["image/png"] = plot._base64(png), ["text/plain"] = ("<Figure %s>"):format(tostring(fig.number))},
    metadata = obj(), transient = obj(),
  }, parent)
end

local function has_content(fig)
  return #fig.axes + #fig.painters + #fig.texts > 0
end

-- each open figure that has something on it, as display_data; then none is open
local function send_figures(k, parent)
  local plot = package.loaded["cvision.plot"]
  if type(plot) ~= "table" or type(plot._state) ~= "table" then return end
  for _, fig in ipairs(plot._state.figures) do
    if has_content(fig) then
      local ok, err = pcall(send_figure, k, fig, parent)
      if not ok then k.sink.stderr:write("figure ", tostring(fig.number), ": ", tostring(err), "\n") end
    end
  end
  k.sink.flush()
  plot.close("all")
end

--- install(k): the kernel's output streams and input, the progress bar redrawn in place, and
-- plot.show() showing in the notebook
function M.install(k)
  k.sink = output.install(function(...) k.s:publish(...) end)
  input.install(k)
  -- a notebook redraws a line written after \r in place (as Keras' bar does in Jupyter): fit's
  -- progress bar is drawn as on a terminal
  local okb, progbar = pcall(require, "cvision.progbar")
  -- (a \r there rewrites the whole logical line, however it wraps: nothing to cut to a width)
  if okb then
    progbar.isatty = function() return true end
    progbar.columns = function() return math.huge end
  end
  local ok, plot = pcall(require, "cvision.plot")
  if ok then
    -- in a notebook, show() displays the current figure now (instead of writing a file)
    rawset(plot, "show", function()
      local fig = plot._state.current
      if not fig or not has_content(fig) or not k.sink.parent then return nil end
      k.sink.flush()
      send_figure(k, fig, k.sink.parent)
      plot.close(fig)
    end)
  end
end

-- compiles and runs the cell; --> true, text/plain or nil, the values | false, error {ename,
-- evalue, traceback}
local function run(code, n, control)
  local chunk, _ = source.split_last(source.persist(code))
  local name = "=cell[" .. n .. "]"
  local f, err = load(chunk, name, "t")
  if not f then f, err = load(code, name, "t") end   -- the user's own text, and its own error
  if not f then
    return false, {ename = "SyntaxError", evalue = err, traceback = {err}}
  end
  local tb
  local function handler(e)
    tb = traceback(e)
    return e
  end
  local values
  -- between arm and disarm an interrupt can raise at any instruction: all of it is protected, so
  -- one that lands just outside the cell's own xpcall is still the cell's error
  local function armed()
    native.arm_interrupt()
    if zmq.poll({control}, 0)[1] then native.wake() end   -- came just before: serve it in the cell
    -- the chunk is called by xpcall itself, so its frame reads "cell[N]:L: in main chunk"
    local r = table.pack(xpcall(f, handler))
    if r[1] then
      values = table.pack(table.unpack(r, 2, r.n))
      r = table.pack(xpcall(show_values, handler, values))
    end
    return r, native.disarm_interrupt()
  end
  local pok, r, interrupted = pcall(armed)
  if not pok then
    r, interrupted = {false, r, n = 2}, native.disarm_interrupt()
  end
  if r[1] then return true, r[2], values end
  tb = tb or {msg = tostring(r[2]), lines = {tostring(r[2])}}
  local ename = "LuaError"
  if interrupted and tb.msg:match("interrupted$") then
    local nmsg = select(2, tb.msg:gsub("\n", "")) + 1   -- the message's own lines
    ename, tb.msg = "KeyboardInterrupt", "interrupted"
    tb.lines = {"interrupted", table.unpack(tb.lines, nmsg + 1)}
  end
  return false, {ename = ename, evalue = tb.msg, traceback = tb.lines}
end

-- user_expressions: each {name = code} evaluated after the cell, as ipykernel does
local function user_expressions(exprs)
  local out = obj()
  if type(exprs) ~= "table" then return out end
  for name, code in pairs(exprs) do
    local f, err = load("return " .. tostring(code), "=user_expression", "t")
    local r = f and table.pack(pcall(f)) or {false, err}
    if r[1] then
      out[name] = {status = "ok", data = {["text/plain"] = output.utf8_clean(show_values(
        table.pack(table.unpack(r, 2, r.n))) or "nil")}, metadata = obj()}
    else
      out[name] = {status = "error", ename = "LuaError", evalue = tostring(r[2]), traceback = {tostring(r[2])}}
    end
  end
  return out
end

--- execute(k, msg) --> whether the cell ran without error; answers an execute_request
function M.execute(k, msg)
  local c = msg.content
  local code = type(c.code) == "string" and c.code or ""
  local silent = c.silent == true
  if not silent and c.store_history ~= false then k.execution_count = k.execution_count + 1 end
  local n = k.execution_count
  if not silent then k.s:publish("execute_input", {code = code, execution_count = n}, msg) end
  k.sink.parent = msg
  local ok, res, values = run(code, n, k.s.control)
  k.sink.flush()
  if ok and res and not silent then
    local data = {["text/plain"] = output.utf8_clean(res)}
    if values.n == 1 then
      -- a table's html besides the text; a failure to draw it never fails the cell
      local hok, h = pcall(html.of, values[1])
      if hok and h then data["text/html"] = output.utf8_clean(h)
      elseif not hok then session.log("text/html of the result: %s", tostring(h)) end
    end
    k.s:publish("execute_result", {execution_count = n, data = data, metadata = obj()}, msg)
  elseif not ok then
    k.s:publish("error", res, msg)
  end
  send_figures(k, msg)
  k.sink.parent = nil
  if ok then
    k.s:reply(msg, "execute_reply", {status = "ok", execution_count = n, payload = {},
                                     user_expressions = user_expressions(c.user_expressions)})
  else
    res.status, res.execution_count = "error", n
    local before = k.before_error_reply
    if before then k.before_error_reply = nil; before(k) end
    k.s:reply(msg, "execute_reply", res)
  end
  return ok
end

return M
