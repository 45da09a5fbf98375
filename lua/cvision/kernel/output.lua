-- cvision.kernel.output: a cell's output as stream messages on iopub, while it runs.
-- install(publish) replaces print, io.write, io.output, io.stdout and io.stderr for good (the
-- kernel's own diagnostics keep the real stderr, taken before): what a cell writes goes to the
-- request being executed (sink.parent), as "stdout" / "stderr" streams. Between cells, writes
-- go to the real stderr. A file that the cell opens itself, or gives to io.output(f), is
-- written as usual.
-- When text goes out: at once on an explicit flush (the progress bar flushes each redraw) and
-- past 4 KiB; a completed line (\n or \r) goes at once unless the last message left less than
-- 50 ms ago, in which case a count hook on the writing coroutine sends it once 50 ms have
-- passed (a burst of prints, a model summary, becomes one message, and a line printed before a
-- long computation still shows while it runs); the rest when the cell ends.
local M = {}

local real = {write = io.write, output = io.output, stdout = io.stdout, stderr = io.stderr}
M.real_stderr = real.stderr

local LIMIT = 4096
local INTERVAL = 0.05
local clock = os.clock
do
  local ok, core = pcall(require, "cvision.core")
  if ok and type(core.monotonic) == "function" then clock = core.monotonic end
end

-- invalid UTF-8 would make the message unreadable JSON: each bad byte becomes U+FFFD
local function utf8_clean(s)
  if utf8.len(s) then return s end
  local out, i = {}, 1
  while i <= #s do
    local ok, bad = utf8.len(s, i)
    if ok then out[#out + 1] = s:sub(i) break end
    out[#out + 1] = s:sub(i, bad - 1)
    out[#out + 1] = "\u{FFFD}"
    i = bad + 1
  end
  return table.concat(out)
end
M.utf8_clean = utf8_clean

local Stream = {}
Stream.__index = Stream
Stream.__name = "cvision.kernel.stream"
function Stream.__tostring(s) return "file (" .. s.name .. " of the notebook)" end

--- s:write(...) --> s, as a file's write
function Stream:write(...)
  local other = self.name == "stdout" and self.sink.stderr or self.sink.stdout
  if other.size > 0 then other:flush() end   -- keeps stdout and stderr in the order written
  local parts = table.pack(...)
  for i = 1, parts.n do
    local v = parts[i]
    if type(v) ~= "string" and type(v) ~= "number" then
      error(("bad argument #%d to 'write' (string expected, got %s)"):format(i, type(v)), 2)
    end
    local text = tostring(v)
    self.buf[#self.buf + 1] = text
    self.size = self.size + #text
    if text:find("[\n\r]") then self.pending_line = true end
  end
  if self.size > LIMIT then return self:flush() end
  if self.pending_line then
    if clock() - self.sink.last_send >= INTERVAL then return self:flush() end
    self.sink.later()
  end
  return self
end

--- s:flush() --> s: sends what is buffered
function Stream:flush()
  if self.size == 0 then return self end
  local text = table.concat(self.buf)
  self.buf, self.size, self.pending_line = {}, 0, false
  local sink = self.sink
  sink.last_send = clock()
  if sink.parent then
    sink.publish("stream", {name = self.name, text = utf8_clean(text)}, sink.parent)
  else
    real.stderr:write(text)
  end
  return self
end

--- s:setvbuf() --> true: accepted and ignored (the stream buffers and sends on its own schedule)
function Stream:setvbuf() return true end
--- s:close() --> nil, "cannot close standard file" (as io.stdout:close() answers)
function Stream:close() return nil, "cannot close standard file" end
--- s:seek() --> nil, "Illegal seek", 29 (ESPIPE: a notebook's output is a pipe)
function Stream:seek() return nil, "Illegal seek", 29 end
--- s:lines(): raises, the notebook's stdout/stderr cannot be read
function Stream:lines() error("the notebook's " .. self.name .. " cannot be read", 2) end
--- s:read() --> nil, message: the notebook's stdout/stderr cannot be read
function Stream:read() return nil, "the notebook's " .. self.name .. " cannot be read" end

--- install(publish) --> sink {stdout, stderr, parent}; sink.parent is set by the cell runner
function M.install(publish)
  local sink = {publish = publish, last_send = -math.huge}
  sink.stdout = setmetatable({name = "stdout", buf = {}, size = 0, sink = sink}, Stream)
  sink.stderr = setmetatable({name = "stderr", buf = {}, size = 0, sink = sink}, Stream)
  local current = sink.stdout   -- what io.write writes to
  -- replacing io's fields is the point here (rawset says so to luacheck)
  rawset(io, "stdout", sink.stdout)
  rawset(io, "stderr", sink.stderr)
  rawset(io, "output", function(f)
    if f == nil then return current end
    if f == sink.stdout or f == sink.stderr then current = f return f end
    real.output(f)   -- a file name or handle: Lua's own checks and errors
    current = real.output()
    return current
  end)
  rawset(io, "write", function(...)
    return current:write(...)
  end)
  rawset(_G, "print", function(...)
    local t = table.pack(...)
    for i = 1, t.n do t[i] = tostring(t[i]) end
    sink.stdout:write(table.concat(t, "\t", 1, t.n), "\n")
  end)
  local hooked   -- the coroutine whose count hook will send held lines
  local function check()
    -- a hook the kernel put back after flush dropped it (kernel.c's control hook restores the
    -- hook it found): not wanted any more
    if hooked ~= coroutine.running() then debug.sethook() return end
    if clock() - sink.last_send >= INTERVAL then sink.flush() end
  end
  function sink.later()
    if hooked then return end
    hooked = coroutine.running()
    debug.sethook(hooked, check, "", 1000)
  end
  --- sink.flush(): sends what both streams hold, and drops the hook
  function sink.flush()
    sink.stdout:flush()
    sink.stderr:flush()
    if hooked then
      if debug.gethook(hooked) == check then debug.sethook(hooked) end
      hooked = nil
    end
  end
  return sink
end

return M
