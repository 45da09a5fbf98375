-- cvision.progbar: Keras 3's progress bar for fit/evaluate/predict.
--   verbose 1:  " 13/806 ━━━━━━━━━━━━━━━━━━━━ 2s 3ms/step - accuracy: 0.5116 - loss: 1.7604"
--               redrawn in place with \r at most every `interval` seconds on a terminal; when
--               stdout is not a terminal only the final line of each bar is printed.
--   verbose 2:  only the final line: "806/806 - 3s - 4ms/step - accuracy: ... - loss: ..."
-- Values are shown as given (the model passes running means), in the order given.
local M = {}

local BAR = "\u{2501}"   -- ━

-- a wall clock in seconds: core.monotonic (CLOCK_MONOTONIC); os.clock (CPU time) only for a core
-- built without it
local clock = os.clock
do
  local ok, core = pcall(require, "cvision.core")
  if ok and type(core.monotonic) == "function" then clock = core.monotonic end
end
M.clock = function() return clock() end

local tty_cache
--- isatty() --> whether stdout is a terminal (asked once, through the shell's `test -t 1`)
function M.isatty()
  if tty_cache == nil then
    local ok, core = pcall(require, "cvision.core")
    if ok and core.sys and type(core.sys.isatty) == "function" then
      tty_cache = core.sys.isatty(1) and true or false
    else
      local r = os.execute("test -t 1")
      tty_cache = r == true or r == 0
    end
  end
  return tty_cache
end

--- format_value(v) --> "0.5116" or "1.2000e-04" (Keras: 4 decimals, or exponent when |v| <= 1e-3)
function M.format_value(v)
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
  if math.abs(v) > 1e-3 then return ("%.4f"):format(v) end
  return ("%.4e"):format(v)
end

--- format_time(seconds_per_unit, unit) --> " 3ms/step"
function M.format_time(t, unit)
  if t >= 1 or t == 0 then return (" %.0fs/%s"):format(t, unit) end
  if t >= 1e-3 then return (" %.0fms/%s"):format(t * 1e3, unit) end
  return (" %.0fus/%s"):format(t * 1e6, unit)
end

local function format_eta(eta)
  if eta > 3600 then
    return ("%d:%02d:%02d"):format(eta // 3600, (eta % 3600) // 60, eta % 60)
  elseif eta > 60 then
    return ("%d:%02d"):format(eta // 60, eta % 60)
  end
  return ("%ds"):format(eta)
end

--- columns() --> the width of the terminal progress bars redraw on: $COLUMNS when set, else the
-- terminal's own size, else 80
function M.columns()
  local env = tonumber(os.getenv("COLUMNS") or "")
  if env and env >= 10 then return math.floor(env) end
  local ok, core = pcall(require, "cvision.core")
  local cols = ok and core.proc and core.proc.terminal_size and core.proc.terminal_size(1)
  return cols or 80
end

local Progbar = {}
Progbar.__index = Progbar
M.Progbar = Progbar

--- new(target, opts) --> progress bar; opts: verbose (1), width (20), interval (0.1 s),
-- unit_name ("step"), out (io.output()), dynamic (default: stdout is a terminal), color, columns
-- (the terminal's width: a redrawn line is cut to fit it; default columns())
function M.new(target, opts)
  opts = opts or {}
  local self = setmetatable({}, Progbar)
  self.target = target
  self.width = opts.width or 20
  self.verbose = opts.verbose or 1
  self.interval = opts.interval or 0.1
  self.unit_name = opts.unit_name or "step"
  self.out = opts.out or io.output()
  if opts.dynamic == nil then self.dynamic = M.isatty() else self.dynamic = opts.dynamic end
  self.columns = opts.columns   -- the terminal's width (default M.columns(), asked at each redraw)
  self.color = opts.color
  if self.color == nil then self.color = self.dynamic end
  self.start = clock()
  self.last_update = -math.huge
  self.time_after_first = nil
  self.prev_width = 0
  return self
end

--- bar:step_time(current, now) --> seconds per step so far (0 before the first); once past the
--- first step the first one is left out, as Keras does (it holds the start-up costs)
function Progbar:step_time(current, now)
  if current == 0 then return 0 end
  local t
  if self.time_after_first and current > 1 then
    t = (now - self.time_after_first) / (current - 1)
  else
    t = (now - self.start) / current
  end
  if current == 1 then self.time_after_first = now end
  return t
end

local function metrics_str(values)
  local parts = {}
  for _, kv in ipairs(values or {}) do
    parts[#parts + 1] = (" - %s: %s"):format(kv[1], M.format_value(kv[2]))
  end
  return table.concat(parts)
end

--- update(current, values, finalize): values is a list of {name, value}; finalize defaults to
-- current >= target
function Progbar:update(current, values, finalize)
  if finalize == nil then finalize = self.target ~= nil and current >= self.target end
  local now = clock()
  local per = self:step_time(current, now)
  if self.verbose == 1 then
    if not finalize and (not self.dynamic or now - self.last_update < self.interval) then return end
    local bar, info
    local target = self.target
    if target and target > 0 then
      local nd = #tostring(target)
      local count = ("%" .. nd .. "d/%d"):format(current, target)
      local done = math.floor(self.width * current / target)
      if done > self.width then done = self.width end
      if self.color then
        bar = ("\27[1m%s\27[0m "):format(count)
        if done > 0 then bar = bar .. "\27[32m" .. BAR:rep(done) .. "\27[0m" end
        bar = bar .. "\27[37m" .. BAR:rep(self.width - done) .. "\27[0m"
      else
        bar = count .. " " .. BAR:rep(self.width)
      end
    else
      bar = ("%7d/Unknown"):format(current)
    end
    if target and target > 0 and not finalize then
      info = " " .. format_eta(math.floor(per * (target - current)))
    else
      info = (" %.0fs"):format(now - self.start)
    end
    info = info .. M.format_time(per, self.unit_name) .. metrics_str(values)
    local bar_plain = #(bar:gsub("\27%[%d+m", ""):gsub(BAR, "-"))
    -- a redrawn line wider than the terminal wraps, and each \r then rewrites only its last row:
    -- the rows pile up. Until the final line, what does not fit is left out.
    if self.dynamic and not finalize then
      local room = math.max(0, (self.columns or M.columns()) - 1 - bar_plain)
      if #info > room then info = info:sub(1, room) end
    end
    local plain = bar_plain + #info
    local msg = self.dynamic and "\r" .. bar .. info or bar .. info
    if self.dynamic and self.prev_width > plain then msg = msg .. (" "):rep(self.prev_width - plain) end
    if finalize then msg = msg .. "\n" end
    self.out:write(msg)
    self.out:flush()
    self.prev_width = plain
    self.last_update = now
  elseif self.verbose == 2 then
    if finalize then
      local target = self.target or current
      local nd = #tostring(target)
      local line = ("%" .. nd .. "d/%d - %.0fs -%s%s\n"):format(current, target, now - self.start,
        M.format_time(per, self.unit_name), metrics_str(values))
      self.out:write(line)
      self.out:flush()
    end
  end
end

return M
