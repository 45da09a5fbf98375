-- cvision.callbacks: hooks into model:fit, as Keras' callbacks: History, EarlyStopping,
-- ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN, CSVLogger, LambdaCallback.
-- Epochs and batches are numbered from 1 (Keras counts from 0): callbacks receive epoch 1 for
-- the first epoch, History.epoch is {1, 2, ...}, CSVLogger's epoch column starts at 1, and
-- messages read "Epoch 3: early stopping" as Keras' do.
-- Hooks: on_train_begin(logs), on_train_end(logs), on_epoch_begin(epoch, logs),
-- on_epoch_end(epoch, logs), on_train_batch_begin(batch, logs), on_train_batch_end(batch, logs),
-- on_test_begin(logs), on_test_end(logs). logs is a table {loss=, accuracy=, val_loss=, ...}.
-- EarlyStopping follows Keras exactly: restore_best_weights acts only when it stops training
-- early; a run that reaches `epochs` keeps its last weights.
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local Callback = class.base()
M.Callback = Callback

--- cb:set_model(model): the model fit trains (callbacks read and stop it)
function Callback:set_model(model) self.model = model end
--- cb:set_params(params): fit's {epochs=, steps=, verbose=}
function Callback:set_params(params) self.params = params end
--- cb:on_train_begin(logs): before the first epoch; this and the hooks below do nothing unless a class overrides them
function Callback.on_train_begin() end
--- cb:on_train_end(logs): after the last epoch
function Callback.on_train_end() end
--- cb:on_epoch_begin(epoch, logs): before each epoch (numbered from 1)
function Callback.on_epoch_begin() end
--- cb:on_epoch_end(epoch, logs): after each epoch, logs holding its loss, metrics and val_ ones
function Callback.on_epoch_end() end
--- cb:on_train_batch_begin(batch, logs): before each training batch
function Callback.on_train_batch_begin() end
--- cb:on_train_batch_end(batch, logs): after each training batch, logs holding the running loss
function Callback.on_train_batch_end() end
--- cb:on_test_begin(logs): before evaluate (or fit's validation pass)
function Callback.on_test_begin() end
--- cb:on_test_end(logs): after it
function Callback.on_test_end() end
--- tostring(cb) --> "<ClassName>"
function Callback.__tostring(self) return "<" .. self.class_name .. ">" end

--- cb:get_state() --> nil or a table of the callback's progress (numbers, strings, booleans,
--- tables; tensors in its list `tensors`), which BackupAndRestore saves with a backup
function Callback.get_state() return nil end
--- cb:set_state(s): continues from get_state()'s s (after on_train_begin, on resume)
function Callback.set_state() end

--- class(class_name [, init]) --> a callback class; init(self, args) checks and keeps the options
--- (its errors become "bad argument to 'ClassName' (...)" at the caller's line)
local function define(class_name, init)
  local cls = class.define(class_name, Callback)
  function cls.new(args)
    args = args or {}
    if type(args) ~= "table" and type(args) ~= "string" then error(errors.options_expected(class_name, args), 2) end
    if type(args) == "string" then args = {args} end   -- CSVLogger("log.csv"), ModelCheckpoint("m.cvm")
    local self = setmetatable({}, cls)
    if init then
      local ok, err = pcall(init, self, args)
      if not ok then error(errors.bad_argument(class_name, errors.clean(err)), 2) end
    end
    return self
  end
  M[class_name] = cls
  return cls
end
M.class = define

-- options check: unknown names raise (as Keras' keyword arguments do), and each value has its
-- default's type (numbers not NaN; false defaults such as baseline also take a number), so a
-- typo fails here rather than epochs later inside on_epoch_end
local function take(args, defaults)
  local out = {}
  for k, v in pairs(defaults) do out[k] = v end
  for k, v in pairs(args) do
    local d = defaults[k]
    if d == nil and k ~= "filepath" and k ~= "filename" then error("unknown option '" .. tostring(k) .. "'", 0) end
    if d ~= nil then
      local want = type(d)
      local ok = type(v) == want or (want == "boolean" and type(v) == "number")
      if type(v) == "number" and v ~= v then ok = false end
      if not ok then error(("%s must be a %s, got %s"):format(k, want, tostring(v)), 0) end
    end
    out[k] = v
  end
  return out
end

-- messages go to io.output() (as the progress bar does), so they can be redirected; warnings
-- (a monitored metric that is missing) go through M.warn, by default to stderr
local function say(s) io.write(s, "\n") end
--- warn(msg): where callbacks' warnings go (stderr; replace to capture them)
function M.warn(msg) io.stderr:write(msg, "\n") end

local function is_nan_or_inf(v) return v ~= v or v == math.huge or v == -math.huge end

---------------------------------------------------------------------------------------------------
-- History
---------------------------------------------------------------------------------------------------

local History = define("History", function(self)
  self.history = {}
  self.epoch = {}
end)

--- history:on_train_begin(): keeps the lists of an earlier fit
function History:on_train_begin()
  -- a History kept across fit calls (Keras' model.history) continues its lists
  self.history = self.history or {}
  self.epoch = self.epoch or {}
end

--- history:on_epoch_end(epoch, logs): appends each logged value to its list
function History:on_epoch_end(epoch, logs)
  self.epoch[#self.epoch + 1] = epoch
  local n = #self.epoch
  for k, v in pairs(logs or {}) do
    local list = self.history[k]
    if not list then list = {}; self.history[k] = list end
    list[n] = v
  end
end

--- history:get_state() --> {history, epoch}: the lists so far (BackupAndRestore)
function History:get_state() return {history = self.history, epoch = self.epoch} end
--- history:set_state(s): takes back get_state()'s lists (empty ones when s has none)
function History:set_state(s) self.history, self.epoch = s.history or {}, s.epoch or {} end

--- history:save(path): JSON {"loss": [...], "accuracy": [...], ...} as Keras' json.dump(history.history)
function History:save(path)
  local saving = require "cvision.saving"
  saving.save_json(path, self.history)
end

--- History.load(path) --> a History whose .history is the file's table (epoch = 1..n)
function History.load(path)
  local saving = require "cvision.saving"
  local ok, t = pcall(saving.load_json, path)
  if not ok then error("History.load: " .. errors.clean(t), 2) end
  local valid = type(t) == "table"
  for k, v in pairs(valid and t or {}) do
    if type(k) ~= "string" or type(v) ~= "table" then valid = false break end
  end
  if not valid then
    error("History.load: " .. path .. ": not a history (a JSON object of lists, one per metric)", 2)
  end
  for k, v in pairs(t) do
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    if n ~= #v then error(("History.load: %s: %s is not a list"):format(path, k), 2) end
    for i = 1, #v do
      if math.type(v[i]) == nil then
        error(("History.load: %s: %s[%d] is a %s, expected a number"):format(path, k, i, type(v[i])), 2)
      end
    end
  end
  local h = History.new()
  h.history = t
  local n = 0
  for _, v in pairs(t) do if type(v) == "table" and #v > n then n = #v end end
  for i = 1, n do h.epoch[i] = i end
  return h
end

--- tostring(history) --> "<History n epochs: loss, ...>"
function History:__tostring()
  local keys = {}
  for k in pairs(self.history) do keys[#keys + 1] = k end
  table.sort(keys)
  return ("<History %d epoch%s: %s>"):format(#self.epoch, #self.epoch == 1 and "" or "s",
    table.concat(keys, ", "))
end

---------------------------------------------------------------------------------------------------
-- shared: monitored quantity and its direction
---------------------------------------------------------------------------------------------------

-- mode "auto": maximise accuracies and AUC-like metrics, minimise the rest (losses, errors)
local function direction(mode, monitor)
  if mode == "min" then return "min" end
  if mode == "max" then return "max" end
  if mode ~= "auto" then error("mode must be \"auto\", \"min\" or \"max\", got " .. tostring(mode), 0) end
  local m = monitor:gsub("^val_", "")
  if m:find("acc") or m:find("auc") or m:find("precision") or m:find("recall") then return "max" end
  return "min"
end

local function monitor_value(self, logs, who)
  local v = logs and logs[self.monitor]
  if v == nil and not self._warned then
    self._warned = true
    local keys = {}
    for k in pairs(logs or {}) do keys[#keys + 1] = k end
    table.sort(keys)
    M.warn(("%s conditioned on metric `%s` which is not available. Available metrics are: %s")
      :format(who, self.monitor, table.concat(keys, ",")))
  end
  return v
end

---------------------------------------------------------------------------------------------------
-- EarlyStopping
---------------------------------------------------------------------------------------------------

local EarlyStopping = define("EarlyStopping", function(self, args)
  local a = take(args, {monitor = "val_loss", min_delta = 0, patience = 0, verbose = 0, mode = "auto",
                        baseline = false, restore_best_weights = false, start_from_epoch = 0})
  self.monitor, self.patience, self.verbose = a.monitor, a.patience, a.verbose
  self.baseline = a.baseline ~= false and a.baseline or nil
  self.restore_best_weights = a.restore_best_weights
  self.start_from_epoch = a.start_from_epoch
  self.mode = a.mode
  self.dir = direction(a.mode, a.monitor)
  -- min_delta counts against the improvement: a loss must fall by more than it
  self.min_delta = math.abs(a.min_delta) * (self.dir == "min" and -1 or 1)
end)

--- es:is_improvement(v, ref) --> true when v beats ref by more than min_delta
function EarlyStopping:is_improvement(v, ref)
  if ref == nil then return true end
  if self.dir == "min" then return v - self.min_delta < ref end
  return v - self.min_delta > ref
end

--- es:on_train_begin(): resets the wait, the best value and the kept weights
function EarlyStopping:on_train_begin()
  self.wait, self.stopped_epoch, self.best, self.best_weights, self.best_epoch = 0, 0, nil, nil, 0
end

--- es:on_epoch_end(epoch, logs): stops training after patience epochs without improvement
function EarlyStopping:on_epoch_end(epoch, logs)
  local current = monitor_value(self, logs, "Early stopping")
  if current == nil or epoch <= self.start_from_epoch then return end
  if self.restore_best_weights and self.best_weights == nil then
    self.best_weights = self.model:get_weights()
  end
  self.wait = self.wait + 1
  if self:is_improvement(current, self.best) then
    self.best, self.best_epoch = current, epoch
    if self.restore_best_weights then self.best_weights = self.model:get_weights() end
    if self.baseline == nil or self:is_improvement(current, self.baseline) then self.wait = 0 end
    return
  end
  if self.wait >= self.patience and epoch > 1 then
    self.stopped_epoch = epoch
    self.model.stop_training = true
    if self.restore_best_weights and self.best_weights then
      if self.verbose > 0 then
        say(("Restoring model weights from the end of the best epoch: %d."):format(self.best_epoch))
      end
      self.model:set_weights(self.best_weights)
    end
  end
end

--- es:get_state() --> {wait, stopped_epoch, best, best_epoch, tensors}: the wait, the best value
--- and epoch, the kept weights (tensors)
function EarlyStopping:get_state()
  return {wait = self.wait, stopped_epoch = self.stopped_epoch, best = self.best, best_epoch = self.best_epoch,
    tensors = self.best_weights}
end
--- es:set_state(s): continues from get_state()'s s (the wait, the best value and epoch, the weights)
function EarlyStopping:set_state(s)
  self.wait, self.stopped_epoch, self.best, self.best_epoch = s.wait, s.stopped_epoch, s.best, s.best_epoch
  self.best_weights = s.tensors
end

--- es:on_train_end(): says on which epoch it stopped (verbose)
function EarlyStopping:on_train_end()
  if self.stopped_epoch > 0 and self.verbose > 0 then
    say(("Epoch %d: early stopping"):format(self.stopped_epoch))
  end
end

---------------------------------------------------------------------------------------------------
-- ModelCheckpoint
---------------------------------------------------------------------------------------------------

local format_path

local ModelCheckpoint = define("ModelCheckpoint", function(self, args)
  local path = args.filepath or args[1]
  if type(path) ~= "string" then error("filepath (a string) is required", 0) end
  -- a bad {field:spec} fails now, not when the first epoch ends
  local ok, err = pcall(format_path, path, 1, setmetatable({}, {__index = function() return 0.5 end}))
  if not ok then error(("filepath %q: %s"):format(path, errors.clean(err)), 0) end
  local rest = {}
  for k, v in pairs(args) do if k ~= 1 and k ~= "filepath" then rest[k] = v end end
  local a = take(rest, {monitor = "val_loss", verbose = 0, save_best_only = false,
                        save_weights_only = false, mode = "auto", initial_value_threshold = false})
  self.filepath, self.monitor, self.verbose = path, a.monitor, a.verbose
  self.save_best_only, self.save_weights_only = a.save_best_only, a.save_weights_only
  self.dir = direction(a.mode, a.monitor)
  self.best = a.initial_value_threshold ~= false and a.initial_value_threshold or nil
end)

-- "model-{epoch:02d}-{val_loss:.2f}.cvm" --> "model-03-0.41.cvm" (Python's format fields)
function format_path(pattern, epoch, logs)
  return (pattern:gsub("{([%w_]+):?([^}]*)}", function(key, spec)
    local v
    if key == "epoch" then v = epoch else v = logs[key] end
    if v == nil then return nil end
    if spec == "" then return tostring(v) end
    return ("%" .. spec):format(v)
  end))
end
M.format_path = format_path

--- mc:get_state() --> {best}: the best monitored value so far
function ModelCheckpoint:get_state() return {best = self.best} end
--- mc:set_state(s): takes back get_state()'s best value
function ModelCheckpoint:set_state(s) self.best = s.best end

--- mc:on_epoch_end(epoch, logs): saves the model (or its weights), when better if save_best_only
function ModelCheckpoint:on_epoch_end(epoch, logs)
  local path = format_path(self.filepath, epoch, logs or {})
  if self.save_best_only then
    local current = monitor_value(self, logs, "Can save best model only with " .. self.monitor .. " available;")
    if current == nil then return end
    local better = self.best == nil or (self.dir == "min" and current < self.best)
      or (self.dir == "max" and current > self.best)
    if not better then
      if self.verbose > 0 then
        say(("Epoch %d: %s did not improve from %.5f"):format(epoch, self.monitor, self.best))
      end
      return
    end
    if self.verbose > 0 then
      say(("Epoch %d: %s improved from %s to %.5f, saving model to %s"):format(epoch, self.monitor,
        self.best and ("%.5f"):format(self.best) or (self.dir == "min" and "inf" or "-inf"), current, path))
    end
    self.best = current
  elseif self.verbose > 0 then
    say(("Epoch %d: saving model to %s"):format(epoch, path))
  end
  if self.save_weights_only then self.model:save_weights(path) else self.model:save(path) end
end

---------------------------------------------------------------------------------------------------
-- ReduceLROnPlateau
---------------------------------------------------------------------------------------------------

local ReduceLROnPlateau = define("ReduceLROnPlateau", function(self, args)
  local a = take(args, {monitor = "val_loss", factor = 0.1, patience = 10, verbose = 0, mode = "auto",
                        min_delta = 1e-4, cooldown = 0, min_lr = 0})
  if a.factor >= 1 then error("factor must be < 1, got " .. tostring(a.factor), 0) end
  for k, v in pairs(a) do self[k] = v end
  self.dir = direction(a.mode, a.monitor)
  self.wait, self.cooldown_counter = 0, 0
  self.best = self.dir == "min" and math.huge or -math.huge
end)

--- r:on_train_begin(): resets the wait, the cooldown and the best value
function ReduceLROnPlateau:on_train_begin()
  self.wait, self.cooldown_counter = 0, 0
  self.best = self.dir == "min" and math.huge or -math.huge
end

--- rl:get_state() --> {wait, cooldown_counter, best}: the wait, the cooldown and the best value
function ReduceLROnPlateau:get_state() return {wait = self.wait, cooldown_counter = self.cooldown_counter, best = self.best} end
--- rl:set_state(s): takes back get_state()'s wait, cooldown and best value
function ReduceLROnPlateau:set_state(s) self.wait, self.cooldown_counter, self.best = s.wait, s.cooldown_counter, s.best end

--- rl:improved(v) --> true when v beats the best by more than min_delta (in the monitor's direction)
function ReduceLROnPlateau:improved(v)
  if self.dir == "min" then return v < self.best - self.min_delta end
  return v > self.best + self.min_delta
end

--- r:on_epoch_end(epoch, logs): multiplies the learning rate by factor after patience epochs without improvement
function ReduceLROnPlateau:on_epoch_end(epoch, logs)
  logs = logs or {}
  local opt = self.model.optimizer
  logs.learning_rate = opt.learning_rate
  local current = monitor_value(self, logs, "Learning rate reduction")
  if current == nil then return end
  if self.cooldown_counter > 0 then
    self.cooldown_counter = self.cooldown_counter - 1
    self.wait = 0
  end
  if self:improved(current) then
    self.best, self.wait = current, 0
  elseif self.cooldown_counter <= 0 then
    self.wait = self.wait + 1
    if self.wait >= self.patience then
      local old = opt.learning_rate
      if old > self.min_lr then
        local new = math.max(old * self.factor, self.min_lr)
        opt.learning_rate = new
        if self.verbose > 0 then
          say(("Epoch %d: ReduceLROnPlateau reducing learning rate to %s."):format(epoch, ("%.8g"):format(new)))
        end
        self.cooldown_counter = self.cooldown
        self.wait = 0
      end
    end
  end
end

---------------------------------------------------------------------------------------------------
-- TerminateOnNaN, CSVLogger, LambdaCallback
---------------------------------------------------------------------------------------------------

local TerminateOnNaN = define("TerminateOnNaN")
-- the first layer (in order) whose weights, or whose output on x (a Sequential's layers run one
-- by one in inference mode), hold NaN or infinity: "weights of layer dense (Dense)" or nil
local function first_nonfinite(model, x)
  local function label(l) return ("layer %s (%s)"):format(tostring(l.name), tostring(l.class_name)) end
  local function walk(ls)
    for _, l in ipairs(ls or {}) do
      if l.layers and l ~= model then
        local r = walk(l.layers)
        if r then return r end
      end
      for _, w in ipairs(l.weights or {}) do
        if not w:all_finite() then return "weights of " .. label(l) end
      end
    end
  end
  local r = walk(model.layers)
  if r or not x or model.class_name ~= "Sequential" then return r end
  local y = x
  for _, l in ipairs(model.layers) do
    local ok, out = pcall(l.forward, l, y, false)
    if not ok then return nil end
    if not out:all_finite() then return "output of " .. label(l) end
    y = out
  end
end
M._first_nonfinite = first_nonfinite

--- cb:on_train_batch_end(batch, logs): stops training on a NaN or infinite loss, naming the first
--- layer whose weights (or, in a Sequential model, whose output on the batch) are not finite
function TerminateOnNaN:on_train_batch_end(batch, logs)
  local loss = logs and logs.loss
  if loss ~= nil and is_nan_or_inf(loss) then
    local fs = rawget(self.model, "_fit_state")
    local where = first_nonfinite(self.model, fs and fs.xb)
    say(("Batch %d: Invalid loss, terminating training%s"):format(batch, where and ("; the first non-finite values: " .. where) or ""))
    self.model.stop_training = true
  end
end

local CSVLogger = define("CSVLogger", function(self, args)
  local f = args.filename or args[1]
  if type(f) ~= "string" then error("filename (a string) is required", 0) end
  local rest = {}
  for k, v in pairs(args) do if k ~= 1 and k ~= "filename" then rest[k] = v end end
  local a = take(rest, {separator = ",", append = false})
  self.filename, self.sep, self.append = f, a.separator, a.append
end)

local function csv_value(v)
  if type(v) == "number" then
    if v ~= v then return "nan" end
    if math.type(v) == "integer" then return tostring(v) end
    return ("%.17g"):format(v)
  end
  local s = tostring(v)
  if s:find('[,"\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

--- csv:on_train_begin(): opens the file (appending when asked)
function CSVLogger:on_train_begin()
  local existed = false
  if self.append then
    local f = io.open(self.filename, "r")
    if f then existed = (f:read(1) ~= nil); f:close() end
  end
  local fh, err = io.open(self.filename, self.append and "a" or "w")
  if not fh then error("CSVLogger: " .. tostring(err), 0) end
  self.file = fh
  self.keys = nil
  self.header_written = existed
end

--- csv:on_epoch_end(epoch, logs): writes one row (a header first)
function CSVLogger:on_epoch_end(epoch, logs)
  logs = logs or {}
  if not self.keys then
    local keys = {}
    for k in pairs(logs) do keys[#keys + 1] = k end
    table.sort(keys)
    self.keys = keys
    if not self.header_written then
      self.file:write("epoch", self.sep, table.concat(keys, self.sep), "\n")
      self.header_written = true
    end
  end
  local row = {tostring(epoch)}
  for _, k in ipairs(self.keys) do row[#row + 1] = logs[k] == nil and "NA" or csv_value(logs[k]) end
  self.file:write(table.concat(row, self.sep), "\n")
  self.file:flush()
end

--- csv:on_train_end(): closes the file
function CSVLogger:on_train_end()
  if self.file then self.file:close(); self.file = nil end
end

local hooks = {"on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
               "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end"}
define("LambdaCallback", function(self, args)
  local alias = {on_batch_begin = "on_train_batch_begin", on_batch_end = "on_train_batch_end"}
  local ok = {}
  for _, h in ipairs(hooks) do ok[h] = true end
  for k, f in pairs(args) do
    local h = alias[k] or k
    if not ok[h] then error("unknown hook '" .. tostring(k) .. "'", 0) end
    if type(f) ~= "function" then error(k .. " must be a function", 0) end
    -- Keras' lambdas take the hook's arguments without self
    self[h] = function(_, ...) return f(...) end
  end
end)

---------------------------------------------------------------------------------------------------
-- CallbackList: what fit drives
---------------------------------------------------------------------------------------------------

local CallbackList = {}
CallbackList.__index = CallbackList
M.CallbackList = CallbackList

--- list(callbacks, model, params) --> a CallbackList that fit drives
function M.list(callbacks, model, params)
  local self = setmetatable({items = {}}, CallbackList)
  for i, cb in ipairs(callbacks or {}) do
    if type(cb) ~= "table" or type(cb.on_epoch_end) ~= "function" then
      error(("fit: callbacks[%d] is not a callback (got %s)"):format(i, type(cb)), 3)
    end
    self.items[#self.items + 1] = cb
  end
  for _, cb in ipairs(self.items) do
    if cb.set_model then cb:set_model(model) else cb.model = model end
    if cb.set_params then cb:set_params(params) else cb.params = params end
  end
  return self
end

--- cbs:call(hook, ...): calls that hook of every callback, in order
function CallbackList:call(hook, ...)
  for _, cb in ipairs(self.items) do
    local f = cb[hook]
    if f then f(cb, ...) end
  end
end

-- BackupAndRestore (its own file: exact resume after a kill)
require("cvision.callbacks.backup_and_restore").install(M)

return M
