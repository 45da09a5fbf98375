-- cvision.models: Keras' Model API. `Model` holds everything a model does whatever its wiring
-- (compile, fit, evaluate, predict, summary, weights, save); a subclass supplies the wiring:
--   self.layers              every layer, in weight order
--   self:build(input_shape)  builds the layers for a sample shape (no batch axis); sets
--                            self.input_shape, self.output_shape, self.built
--   self:call(x, training)   --> y, the forward pass of a batch
--   self:backprop(dy)        the backward pass (accumulates the layers' parameter gradients)
--   self:get_config()        --> {class_name=, config=}; M.from_config turns it back into a model
-- Sequential is the first such subclass; the functional `cv.Model{inputs=, outputs=}` is meant
-- to be the second (cvision.functional, when it exists).
-- Conventions of the Lua API: labels are 1-based class numbers, epochs and batches count from 1,
-- shapes are Lua tables without the batch axis ({80, 60, 1}) unless said otherwise.
local core = require "cvision.core"
local tensor = require "cvision.tensor"
local layers = require "cvision.layers"
local losses = require "cvision.losses"
local metrics_mod = require "cvision.metrics"
local optimizers = require "cvision.optimizers"
local callbacks = require "cvision.callbacks"
local progbar = require "cvision.progbar"
local saving = require "cvision.saving"

local base = layers.base
local shape_str, shape_equal, copy_shape = base.shape_str, base.shape_equal, base.copy_shape
local is_tensor = core.is_tensor

local M = {}

--- clear_session(): resets the default names of layers and models (dense, dense_1, sequential, ...)
function M.clear_session()
  layers.clear_session()
end

---------------------------------------------------------------------------------------------------
-- helpers
---------------------------------------------------------------------------------------------------

-- "1,234,567"
local function commas(n)
  local s = tostring(math.tointeger(n) or n)
  local neg, digits = s:match("^(-?)(%d+)$")
  if not digits then return s end
  digits = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return neg .. digits
end
M._commas = commas

--- readable_size(bytes) --> "345.21 KB" (Keras' readable_memory_size: 1024 steps, 2 decimals)
function M.readable_size(bytes)
  local units = {"B", "KB", "MB", "GB", "TB", "PB"}
  for i, u in ipairs(units) do
    if bytes / 1024 < 1 or i == #units then return ("%.2f %s"):format(bytes, u) end
    bytes = bytes / 1024
  end
end

-- an error message without Lua's "file:line: " prefix
local function clean(err)
  local s = tostring(err)
  return (s:gsub("^[^\n]-:%d+: ", ""))
end

-- "layer 3 (pool1, MaxPooling2D): <what went wrong>"
local function layer_error(i, l, err)
  local msg = clean(err)
  local tag = ("%s (%s): "):format(l.name, l.class_name)
  if msg:sub(1, #tag) == tag then msg = msg:sub(#tag + 1) end
  return ("layer %d (%s, %s): %s"):format(i, l.name, l.class_name, msg)
end

local function batched(n, shape)
  local s = {n}
  for i = 1, #shape do s[i + 1] = shape[i] end
  return s
end

local function sample_shape(x)
  local s = x.shape
  local out = {}
  for i = 2, #s do out[i - 1] = s[i] end
  return out
end

local function as_float(t)
  if t.dtype ~= "float32" then return t:astype("float32") end
  return t
end

-- a random permutation of 1..n (Fisher-Yates) drawn from the global stream, as a float32 tensor
local function permutation(n)
  local u = tensor.rand({n}):totable()
  local p = {}
  for i = 1, n do p[i] = i end
  for i = n, 2, -1 do
    local j = math.floor(u[i] * i) + 1
    if j > i then j = i end
    p[i], p[j] = p[j], p[i]
  end
  return core.tensor(p)
end
M._permutation = permutation

local function is_dataset(v)
  return type(v) == "table" and not is_tensor(v)
    and (type(v.to_tensors) == "function" or type(v.batches) == "function")
end

local function sorted_keys(t)
  local k = {}
  for name in pairs(t) do k[#k + 1] = name end
  table.sort(k)
  return k
end

local function ordered_logs(logs)
  local out = {}
  for _, k in ipairs(sorted_keys(logs)) do out[#out + 1] = {k, logs[k]} end
  return out
end

local function copy_table(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- the options table of fit/evaluate/predict: a table with known keys only (Keras raises on
-- unknown keyword arguments too); raises at the user's line (level 3)
local function check_options(who, opts, known)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error(("bad argument to '%s' (options table expected, got %s)"):format(who, type(opts)), 3) end
  for k in pairs(opts) do
    if not known[k] then error(("bad argument to '%s' (unknown option '%s')"):format(who, tostring(k)), 3) end
  end
  return opts
end

-- an integer option >= min (nil gives default)
local function int_option(who, opts, key, default, min)
  local v = opts[key]
  if v == nil then return default end
  local i = type(v) == "number" and math.tointeger(v)
  if not i or i < min then
    error(("bad argument to '%s' (%s must be an integer >= %d, got %s)"):format(who, key, min, tostring(v)), 3)
  end
  return i
end

-- verbose: 0, 1, 2 or "auto" (= 1)
local function verbose_option(who, v, default)
  if v == nil then return default end
  if v == "auto" then return 1 end
  if v ~= 0 and v ~= 1 and v ~= 2 then
    error(("bad argument to '%s' (verbose must be 0, 1, 2 or \"auto\", got %s)"):format(who, tostring(v)), 3)
  end
  return math.tointeger(v)
end

---------------------------------------------------------------------------------------------------
-- Model: what every model does
---------------------------------------------------------------------------------------------------

local Model = {}
Model.__index = Model
Model.class_name = "Model"
M.Model = Model

-- cv.Model{inputs=, outputs=}: the functional API, when cvision.functional provides it
setmetatable(Model, {__call = function(_, ...)
  local ok, functional = pcall(require, "cvision.functional")
  if ok and type(functional) == "table" and functional.new then return functional.new(...) end
  error("cv.Model{inputs=, outputs=}: the functional API is not available yet; use cv.Sequential{...}", 2)
end})

--- Model.subclass(class_name) --> a model class inheriting Model (for Sequential, functional, ...)
function M.subclass(class_name)
  local cls = {}
  -- `trainable` is a property: setting it on a model sets every layer inside (Keras)
  cls.__index = function(self, k)
    if k == "trainable" then return rawget(self, "_trainable") ~= false end
    return cls[k]
  end
  cls.__newindex = function(self, k, v)
    if k == "trainable" then M.set_trainable(self, v) return end
    rawset(self, k, v)
  end
  cls.class_name = class_name
  cls.__tostring = Model.__tostring
  cls.__call = Model.__call
  return setmetatable(cls, {__index = Model})
end

--- is_model(v) --> true for Sequential and functional models
function M.is_model(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and type(mt.class_name) == "string" and M.classes[mt.class_name] == mt
end

--- set_trainable(layer_or_model, flag): layer.trainable = flag, and for a model every layer inside
--- it, recursively (what `model.trainable = flag` does); recompiling is not needed, fit re-reads it
function M.set_trainable(obj, v)
  v = v and true or false
  if M.is_model(obj) then
    rawset(obj, "_trainable", v)
    for _, l in ipairs(obj.layers) do M.set_trainable(l, v) end
    rawset(obj, "_first_trainable", nil)
  else
    obj.trainable = v
  end
end

function Model:_init(name)
  self.name = name
  self.layers = {}
  self.built = false
  self.compiled = false
  self.stop_training = false
  self.metrics = {}
end

function Model:__tostring()
  local parts = {("%s %q: %d layers"):format(self.class_name, self.name, #self.layers)}
  if self.input_shape then
    parts[#parts + 1] = ("%s -> %s"):format(shape_str(self.input_shape, true),
      self.output_shape and shape_str(self.output_shape, true) or "?")
  end
  if self.built then parts[#parts + 1] = commas(self:count_params()) .. " params" else
    parts[#parts + 1] = "not built" end
  if self.compiled then
    parts[#parts + 1] = ("%s, %s"):format(self.optimizer.name, self.loss and self.loss.name or "no loss")
  end
  return "<" .. table.concat(parts, ", ") .. ">"
end

--- model(x [, training]) --> y: the forward pass of a batch (Keras' model(x))
function Model:__call(x, training)
  if type(x) == "table" and not is_tensor(x) and (x.is_input or x.is_symbolic
      or (type(x[1]) == "table" and not is_tensor(x[1]) and (x[1].is_input or x[1].is_symbolic))) then
    return require("cvision.functional").call_layer(self, x, training)   -- a nested model
  end
  x = self:_check_x(x, "call")
  -- a copy: the layers' output buffers are overwritten by the next call (y1 = model(a);
  -- y2 = model(b) must not change y1)
  return self:call(as_float(x), training and true or false):clone()
end

--- get_layer(name | index) --> layer
function Model:get_layer(key)
  if type(key) == "number" then
    local l = self.layers[key]
    if not l then error(("get_layer: no layer %d (the model has %d)"):format(key, #self.layers), 2) end
    return l
  end
  for _, l in ipairs(self.layers) do if l.name == key then return l end end
  local names = {}
  for i, l in ipairs(self.layers) do names[i] = l.name end
  error(("get_layer: no layer named %q (layers: %s)"):format(tostring(key), table.concat(names, ", ")), 2)
end

--- params() --> every trainable {value=, grad=, name=, path=} of the model
function Model:params()
  local out = {}
  for _, l in ipairs(self.layers) do
    for _, p in ipairs(l:params()) do
      if not p.path then p.path = l.name .. "/" .. p.name end
      out[#out + 1] = p
    end
  end
  return out
end

function Model:zero_grad()
  for _, l in ipairs(self.layers) do l:zero_grad() end
end

function Model:_require_built(who)
  if not self.built then
    error(("%s: the model %q is not built yet: give it an input shape (cv.Input{...} first, or "
      .. "input_shape= on its first layer) or call fit/predict once"):format(who, self.name), 3)
  end
end

--- get_weights() --> copies of every weight, layer by layer in Keras' order
function Model:get_weights()
  self:_require_built("get_weights")
  local out = {}
  for _, l in ipairs(self.layers) do
    for _, w in ipairs(l:get_weights()) do out[#out + 1] = w end
  end
  return out
end

--- set_weights(list): the inverse of get_weights (same count, order and shapes)
function Model:set_weights(list)
  self:_require_built("set_weights")
  if type(list) ~= "table" then error("set_weights: expected a list of tensors", 2) end
  local want = 0
  for _, l in ipairs(self.layers) do want = want + #l.weights end
  if #list ~= want then
    error(("set_weights: the model has %d weights, got a list of %d"):format(want, #list), 2)
  end
  local k = 0
  for i, l in ipairs(self.layers) do
    local sub = {}
    for j = 1, #l.weights do sub[j] = list[k + j] end
    k = k + #l.weights
    local ok, err = pcall(l.set_weights, l, sub)
    if not ok then error("set_weights: " .. layer_error(i, l, err), 2) end
  end
end

--- count_params() --> number of weights (trainable and not)
function Model:count_params()
  local n = 0
  for _, l in ipairs(self.layers) do if l.built then n = n + l:count_params() end end
  return n
end

function Model:_counts()
  local trainable, total = 0, 0
  for _, l in ipairs(self.layers) do
    if l.built then
      total = total + l:count_params()
      if l.trainable then
        trainable = trainable + (l.count_trainable_params and l:count_trainable_params() or l:count_params())
      end
    end
  end
  return trainable, total - trainable
end

---------------------------------------------------------------------------------------------------
-- summary
---------------------------------------------------------------------------------------------------

local function ulen(s) return utf8.len(s) or #s end

-- cut text into lines of at most w characters, at spaces where possible
local function wrap(text, w)
  local lines = {}
  while ulen(text) > w do
    local cut
    for i = w + 1, 2, -1 do
      if text:sub(i, i) == " " then cut = i break end
    end
    if cut then
      lines[#lines + 1] = text:sub(1, cut - 1)
      text = text:sub(cut + 1)
    else
      lines[#lines + 1] = text:sub(1, w)
      text = text:sub(w + 1)
    end
  end
  lines[#lines + 1] = text
  return lines
end

--- table_lines(widths, aligns, header, rows) --> the lines of Keras 3's box-drawn summary table:
--- widths are the columns' text widths (a space pads each side), aligns "left" | "right", rows
--- lists of cell strings (long cells wrap at spaces)
function M.table_lines(widths, aligns, header, rows)
  local function rule(l, fill, mid, r)
    local parts = {}
    for i, w in ipairs(widths) do parts[i] = fill:rep(w + 2) end
    return l .. table.concat(parts, mid) .. r
  end
  local out = {}
  local function row(fields, sep)
    local wrapped, h = {}, 1
    for i, f in ipairs(fields) do
      wrapped[i] = wrap(f, widths[i])
      if #wrapped[i] > h then h = #wrapped[i] end
    end
    for k = 1, h do
      local cells = {}
      for i = 1, #fields do
        local text = wrapped[i][k] or ""
        local pad = (" "):rep(math.max(0, widths[i] - ulen(text)))
        cells[i] = " " .. (aligns[i] == "right" and pad .. text or text .. pad) .. " "
      end
      out[#out + 1] = sep .. table.concat(cells, sep) .. sep
    end
  end
  out[#out + 1] = rule("┏", "━", "┳", "┓")
  row(header, "┃")
  out[#out + 1] = rule("┡", "━", "╇", "┩")
  for i, r in ipairs(rows) do
    row(r, "│")
    if i < #rows then out[#out + 1] = rule("├", "─", "┼", "┤") end
  end
  out[#out + 1] = rule("└", "─", "┴", "┘")
  return out
end

-- Keras 3's Sequential table: columns of 33, 24 and 15 characters including a space each side
M.SUMMARY_WIDTHS = {31, 22, 13}
M.SUMMARY_ALIGNS = {"left", "left", "right"}
M.SUMMARY_HEADER = {"Layer (type)", "Output Shape", "Param #"}

--- summary_lines() --> the lines of summary()
function Model:summary_lines()
  local rows = {}
  for _, l in ipairs(self.layers) do
    local name = ("%s (%s)"):format(l.name, l.class_name)
    if l.built then
      rows[#rows + 1] = {name, shape_str(l.output_shape, true), commas(l:count_params())}
    else
      rows[#rows + 1] = {name, "?", "0 (unbuilt)"}
    end
  end
  local lines = {("Model: %q"):format(self.name)}
  for _, s in ipairs(M.table_lines(M.SUMMARY_WIDTHS, M.SUMMARY_ALIGNS, M.SUMMARY_HEADER, rows)) do
    lines[#lines + 1] = s
  end
  for _, s in ipairs(self:summary_totals()) do lines[#lines + 1] = s end
  return lines
end

--- summary_totals() --> the lines under the table: total, trainable, non-trainable (and optimizer)
--- parameter counts with their sizes, as Keras 3 prints them
function Model:summary_totals()
  local lines = {}
  local trainable, non = self:_counts()
  local opt_count, opt_bytes = 0, 0
  local opt = self.optimizer
  if opt and opt.iterations and opt.iterations > 0 then
    -- Keras counts the iteration counter (int64) and the learning rate (float32) with the slots
    local _, list = opt:get_state()
    opt_count, opt_bytes = 2, 12
    for _, e in ipairs(list) do
      local n = core.numel(e[3])
      opt_count, opt_bytes = opt_count + n, opt_bytes + 4 * n
    end
  end
  local total = trainable + non + opt_count
  lines[#lines + 1] = (" Total params: %s (%s)"):format(commas(total),
    M.readable_size(4 * (trainable + non) + opt_bytes))
  lines[#lines + 1] = (" Trainable params: %s (%s)"):format(commas(trainable), M.readable_size(4 * trainable))
  lines[#lines + 1] = (" Non-trainable params: %s (%s)"):format(commas(non), M.readable_size(4 * non))
  if opt_count > 0 then
    lines[#lines + 1] = (" Optimizer params: %s (%s)"):format(commas(opt_count), M.readable_size(opt_bytes))
  end
  return lines
end

--- summary([{print_fn = f}]): prints Keras' summary table (print_fn receives each line)
function Model:summary(opts)
  local pf = opts and opts.print_fn or print
  for _, s in ipairs(self:summary_lines()) do pf(s) end
end

---------------------------------------------------------------------------------------------------
-- compile
---------------------------------------------------------------------------------------------------

--- compile{optimizer = "rmsprop", loss = ..., metrics = {...}}
function Model:compile(args)
  args = args or {}
  if type(args) ~= "table" then error("bad argument #1 to 'compile' (table expected)", 2) end
  for k in pairs(args) do
    if k ~= "optimizer" and k ~= "loss" and k ~= "metrics" then
      error(("bad argument to 'compile' (unknown option '%s')"):format(tostring(k)), 2)
    end
  end
  if args.metrics ~= nil and (type(args.metrics) ~= "table" or is_tensor(args.metrics)) then
    error(("bad argument to 'compile' (metrics must be a list such as {\"accuracy\"}, got %s)"):format(
      type(args.metrics) == "string" and ("%q"):format(args.metrics) or type(args.metrics)), 2)
  end
  local ok, err = pcall(function()
    self.optimizer = optimizers.get(args.optimizer or "rmsprop")
    self.loss = args.loss ~= nil and losses.get(args.loss) or nil
    local ms, seen = {}, {}
    for i, m in ipairs(args.metrics or {}) do
      local obj = metrics_mod.get(m, self.loss)
      if seen[obj.name] then error(("two metrics are named %q"):format(obj.name), 0) end
      seen[obj.name] = true
      ms[i] = obj
    end
    self.metrics = ms
  end)
  if not ok then error("compile: " .. clean(err), 2) end
  self._compile_args = {optimizer = args.optimizer, loss = args.loss, metrics = args.metrics}
  self.compiled = true
end

---------------------------------------------------------------------------------------------------
-- inputs
---------------------------------------------------------------------------------------------------

-- x as a tensor whose sample shape matches the model's input, or an error saying what to do
-- (data errors carry no file position: they are about the caller's data, not a line of code)
function Model:_check_x(x, who)
  if type(x) == "table" and not is_tensor(x) then
    local ok, t = pcall(core.tensor, x)
    if not ok then error(("%s: x must be a tensor, got a table that is not one (%s)"):format(who, clean(t)), 0) end
    x = t
  end
  if not is_tensor(x) then error(("%s: x must be a tensor, got %s"):format(who, type(x)), 0) end
  local want = self.input_shape or self._input_shape
  local s = x.shape
  if want then
    local ok = #s == #want + 1
    if ok then for i = 1, #want do if s[i + 1] ~= want[i] then ok = false break end end end
    if not ok then
      local msg = ("%s: expected input of shape %s but got %s"):format(who, shape_str(want, true), shape_str(s))
      if shape_equal(s, want) then
        msg = msg .. ("; a single sample needs a batch axis: use x:reshape{1, %s} (or X:slice(i, i) for the i-th sample)")
          :format(table.concat(s, ", "))
      end
      error(msg, 0)
    end
  elseif #s < 2 then
    error(("%s: expected a batch of samples (batch, ...), got shape %s"):format(who, shape_str(s)), 0)
  end
  -- NaN or infinite input gives garbage that ReLU can hide (it maps NaN to 0): refuse it
  local finite, at = x:all_finite()   -- csrc/finite.c: 4 floats per instruction
  if not finite then
    local per = x:numel() // s[1]
    error(("%s: x holds NaN or infinity (sample %d, element %d of %d)"):format(who,
      (at - 1) // per + 1, (at - 1) % per + 1, per), 0)
  end
  if not self.built then
    local ok, err = pcall(self.build, self, sample_shape(x))
    if not ok then error(who .. ": " .. clean(err), 0) end
  end
  return x
end

-- y as a float32 tensor matching x's N samples (sparse labels flattened to (N))
function Model:_check_y(y, n, who)
  if y == nil then error(who .. ": y (the targets) is missing", 0) end
  if type(y) == "table" and not is_tensor(y) then
    local ok, t = pcall(core.tensor, y)
    if not ok then error(("%s: y must be a tensor, got a table that is not one (%s)"):format(who, clean(t)), 0) end
    y = t
  end
  if not is_tensor(y) then error(("%s: y must be a tensor, got %s"):format(who, type(y)), 0) end
  if y.shape[1] ~= n then
    error(("%s: x has %d samples but y has %s"):format(who, n, tostring(y.shape[1] or 0)), 0)
  end
  y = as_float(y)
  if self.loss and self.loss:is_sparse() and #y.shape == 2 and y.shape[2] == 1 then y = y:reshape{n} end
  return y
end

-- a source of batches: {n=, steps=, iter(shuffle) --> iterator of xb, yb, batch_size}
local function tensor_source(x, y, batch_size)
  local n = x.shape[1]
  local steps = math.ceil(n / batch_size)
  local src = {n = n, steps = steps}
  function src.iter(shuffle)
    local perm = shuffle and n > 1 and permutation(n) or nil
    local i = 0
    return function()
      i = i + 1
      if i > steps then return nil end
      local a = (i - 1) * batch_size + 1
      local b = math.min(i * batch_size, n)
      local xb, yb
      if perm then
        local idx = perm:slice(a, b)
        xb = x:index(idx)
        yb = y and y:index(idx)
      else
        xb = x:slice(a, b)
        yb = y and y:slice(a, b)
      end
      return as_float(xb), yb, b - a + 1
    end
  end
  return src
end

-- a dataset that only iterates: steps from num_batches()/#ds when it knows them
local function dataset_source(ds)
  local steps
  if type(ds.num_batches) == "function" then steps = ds:num_batches()
  elseif type(ds.steps) == "number" then steps = ds.steps end
  local src = {steps = steps}
  function src.iter()
    local f, s, c = ds:batches()
    return function()
      local xb, yb = f(s, c)
      c = xb
      if xb == nil then return nil end
      -- checked (and converted) by src.check; a batch that is no tensor fails there
      return xb, yb, is_tensor(xb) and xb.shape[1] or 0
    end
  end
  return src
end

-- x, y, who --> a source, checking shapes (datasets with to_tensors become tensors)
function Model:_source(x, y, batch_size, who)
  if is_dataset(x) then
    if type(x.to_tensors) == "function" then
      local xs, ys = x:to_tensors()
      x, y = xs, ys
    else
      local src = dataset_source(x)
      src.check = function(xb, yb)
        xb = as_float(self:_check_x(xb, who))
        return xb, self:_check_y(yb, xb.shape[1], who)
      end
      return src
    end
  end
  x = self:_check_x(x, who)
  if y ~= false then y = self:_check_y(y, x.shape[1], who) else y = nil end
  return tensor_source(x, y, batch_size)
end

---------------------------------------------------------------------------------------------------
-- steps
---------------------------------------------------------------------------------------------------

-- "loss sparse_categorical_crossentropy: <reason>", naming the loss once
local function loss_error(loss, err)
  local msg = clean(err)
  local tag = loss.name .. ": "
  if msg:sub(1, #tag) == tag then msg = msg:sub(#tag + 1) end
  return ("loss %s: %s"):format(loss.name, msg)
end

function Model:_dy(shape)
  local b = self._dy_buf
  if b and shape_equal(b.shape, shape) then return b end
  b = tensor.zeros(shape)
  self._dy_buf = b
  return b
end

-- Instead of zeroing every gradient before the backward pass, layers that can overwrite their
-- gradients (Dense: overwrites_grads) are marked stale and overwrite them with their first
-- contribution; after the backward pass, any still marked (not reached, frozen) are zeroed, so
-- the optimizer sees exactly what zero_grad + accumulate would give.
local function mark_grads(ls)
  for _, l in ipairs(ls) do
    if M.is_model(l) then mark_grads(l.layers)
    elseif rawget(getmetatable(l) or {}, "overwrites_grads") and l.trainable then l.grads_stale = true
    else l:zero_grad() end
  end
end

local function settle_grads(ls)
  for _, l in ipairs(ls) do
    if M.is_model(l) then settle_grads(l.layers)
    elseif l.grads_stale then
      l.grads_stale = nil
      l:zero_grad()
    end
  end
end

-- one optimisation step on a batch --> the batch's mean loss
function Model:_train_step(xb, yb)
  local y = self:call(xb, true, true)
  local dy = self:_dy(y.shape)
  local ok, lv = pcall(self.loss.compute, self.loss, y, yb, dy)
  if not ok then error(loss_error(self.loss, lv), 0) end
  for _, m in ipairs(self.metrics) do m:update_state(yb, y) end
  mark_grads(self.layers)
  local bok, err = pcall(self.backprop, self, dy)
  settle_grads(self.layers)
  if not bok then error(err, 0) end
  self.optimizer:apply(self:params())
  return lv
end

function Model:_logs(loss_value)
  local logs = {loss = loss_value}
  for _, m in ipairs(self.metrics) do logs[m.name] = m:result() end
  return logs
end

-- runs over a source without training --> logs {loss=, metric=...}
function Model:_test_loop(src, verbose, who)
  for _, m in ipairs(self.metrics) do m:reset_state() end
  local loss_sum, seen, step = 0, 0, 0
  local pb = verbose > 0 and progbar.new(src.steps, {verbose = verbose}) or nil
  local logs = self:_logs(0)
  for xb, yb, bs in src.iter(false) do
    if src.check then xb, yb = src.check(xb, yb) end
    step = step + 1
    local y = self:call(xb, false, true)
    local ok, lv = pcall(self.loss.compute, self.loss, y, yb, nil)
    if not ok then error(loss_error(self.loss, lv), 0) end
    for _, m in ipairs(self.metrics) do m:update_state(yb, y) end
    loss_sum, seen = loss_sum + lv * bs, seen + bs
    logs = self:_logs(loss_sum / seen)
    if pb then pb:update(step, ordered_logs(logs), false) end
  end
  if step == 0 then error((who or "evaluate") .. ": the data yielded no batch", 0) end
  if pb then pb:update(step, ordered_logs(logs), true) end
  return logs
end

---------------------------------------------------------------------------------------------------
-- fit / evaluate / predict
---------------------------------------------------------------------------------------------------

local fit_options = {epochs = true, batch_size = true, validation_data = true, validation_split = true,
  shuffle = true, callbacks = true, verbose = true, initial_epoch = true}

--- fit(x, y, {epochs=1, batch_size=32, validation_data={xv, yv}, validation_split=0, shuffle=true,
--- callbacks={...}, verbose=1, initial_epoch=0}) --> History
-- x, y: tensors; or fit(dataset, opts) with a dataset (to_tensors() or batches()).
function Model:fit(x, y, opts)
  if is_dataset(x) and (opts == nil) and (y == nil or (type(y) == "table" and not is_tensor(y) and next(y) ~= nil
      and #y == 0)) then
    opts, y = y, nil
  end
  opts = check_options("fit", opts, fit_options)
  if not self.compiled then error("fit: compile the model first: model:compile{optimizer=, loss=, metrics=}", 2) end
  if not self.loss then error("fit: the model was compiled without a loss", 2) end
  local epochs = int_option("fit", opts, "epochs", 1, 0)
  local batch_size = opts.batch_size or 32
  local verbose = verbose_option("fit", opts.verbose, 1)
  local shuffle = opts.shuffle ~= false
  if math.type(batch_size) ~= "integer" or batch_size < 1 then
    error("bad argument to 'fit' (batch_size must be a positive integer)", 2)
  end
  local initial = int_option("fit", opts, "initial_epoch", 0, 0)
  if opts.callbacks ~= nil and (type(opts.callbacks) ~= "table" or is_tensor(opts.callbacks)) then
    error(("bad argument to 'fit' (callbacks must be a list, got %s)"):format(type(opts.callbacks)), 2)
  end
  local split = opts.validation_split or 0
  if type(split) ~= "number" or not (split >= 0 and split < 1) then
    error(("bad argument to 'fit' (validation_split must be a number in [0, 1), got %s)"):format(tostring(split)), 2)
  end

  -- data: validation_split takes the last fraction before any shuffling, as Keras
  if is_dataset(x) and type(x.to_tensors) == "function" then x, y = x:to_tensors() end
  local val_src
  if split > 0 and opts.validation_data == nil then
    if is_dataset(x) then error("fit: validation_split needs tensors; pass validation_data", 2) end
    local xt = self:_check_x(x, "fit")
    local n = xt.shape[1]
    local at = math.ceil(n * (1 - split))
    if at < 1 or at >= n then error(("fit: validation_split %g leaves no training or no validation sample of %d"):format(split, n), 2) end
    local yt = self:_check_y(y, n, "fit")
    x, y = xt:slice(1, at), yt:slice(1, at)
    val_src = self:_source(xt:slice(at + 1, n), yt:slice(at + 1, n), batch_size, "fit (validation data)")
  end
  local src = self:_source(x, y, batch_size, "fit")
  if src.n == 0 then error("fit: x holds no samples", 2) end
  if opts.validation_data ~= nil then
    local vd = opts.validation_data
    if is_dataset(vd) then
      val_src = self:_source(vd, nil, batch_size, "fit (validation data)")
    elseif type(vd) == "table" and not is_tensor(vd) then
      val_src = self:_source(vd[1], vd[2], batch_size, "fit (validation data)")
    else
      error("fit: validation_data must be {x_val, y_val} or a dataset", 2)
    end
  end

  local history = callbacks.History.new()
  local user = opts.callbacks or {}
  local list = {}
  for i, cb in ipairs(user) do list[i] = cb end
  list[#list + 1] = history
  local params = {epochs = epochs, steps = src.steps, verbose = verbose}
  local cbs = callbacks.list(list, self, params)
  self.history = history
  self.stop_training = false
  self._first_trainable = nil      -- trainable flags may have changed since the last fit

  cbs:call("on_train_begin", {})
  for epoch = initial + 1, epochs do
    for _, m in ipairs(self.metrics) do m:reset_state() end
    cbs:call("on_epoch_begin", epoch, {})
    if verbose > 0 and epochs > 1 then io.write(("Epoch %d/%d\n"):format(epoch, epochs)) end
    local pb = verbose > 0 and progbar.new(src.steps, {verbose = verbose}) or nil
    local loss_sum, seen, step = 0, 0, 0
    local logs = {}
    for xb, yb, bs in src.iter(shuffle) do
      if src.check then xb, yb = src.check(xb, yb) end
      step = step + 1
      cbs:call("on_train_batch_begin", step, {})
      local lv = self:_train_step(xb, yb)
      loss_sum, seen = loss_sum + lv * bs, seen + bs
      logs = self:_logs(loss_sum / seen)
      cbs:call("on_train_batch_end", step, logs)
      if pb then pb:update(step, ordered_logs(logs), false) end
      if self.stop_training then break end
    end
    if step == 0 and not self.stop_training then error("fit: the dataset yielded no batch", 2) end
    local epoch_logs = copy_table(logs)
    if val_src then
      local vlogs = self:_test_loop(val_src, 0, "fit (validation data)")
      for k, v in pairs(vlogs) do epoch_logs["val_" .. k] = v end
    end
    if pb then pb:update(src.steps or step, ordered_logs(epoch_logs), true) end
    cbs:call("on_epoch_end", epoch, epoch_logs)
    if self.stop_training then break end
  end
  cbs:call("on_train_end", {})
  return history
end

--- evaluate(x, y, {batch_size=32, verbose=1, return_dict=false}) --> {loss, metric1, ...} in
-- compile order (or {loss=, accuracy=, ...} with return_dict)
function Model:evaluate(x, y, opts)
  if is_dataset(x) and opts == nil and type(y) == "table" and not is_tensor(y) and #y == 0 then opts, y = y, nil end
  opts = check_options("evaluate", opts, {batch_size = true, verbose = true, return_dict = true})
  if not self.compiled or not self.loss then
    error("evaluate: compile the model with a loss first: model:compile{optimizer=, loss=, metrics=}", 2)
  end
  local verbose = verbose_option("evaluate", opts.verbose, 1)
  local bs = int_option("evaluate", opts, "batch_size", 32, 1)
  local src = self:_source(x, y, bs, "evaluate")
  if src.n == 0 then error("evaluate: x holds no samples", 2) end
  local logs = self:_test_loop(src, verbose, "evaluate")
  if opts.return_dict then return logs end
  local out = {logs.loss}
  for _, m in ipairs(self.metrics) do out[#out + 1] = logs[m.name] end
  return out
end

--- predict(x, {batch_size=32, verbose=0}) --> float32 tensor (N, outputs...)
function Model:predict(x, opts)
  opts = check_options("predict", opts, {batch_size = true, verbose = true})
  local bs = int_option("predict", opts, "batch_size", 32, 1)
  local verbose = verbose_option("predict", opts.verbose, 0)
  if is_dataset(x) and type(x.to_tensors) == "function" then x = x:to_tensors() end
  x = self:_check_x(x, "predict")
  local n = x.shape[1]
  local steps = math.ceil(n / bs)
  local pb = verbose > 0 and progbar.new(steps, {verbose = verbose}) or nil
  local out = tensor.zeros(batched(n, self.output_shape))
  local step = 0
  for a = 1, n, bs do
    local b = math.min(a + bs - 1, n)
    local y = self:call(as_float(x:slice(a, b)), false, true)
    out:slice(a, b):copy(y)
    step = step + 1
    if pb then pb:update(step, nil, false) end
  end
  if pb then pb:update(steps, nil, true) end
  return out
end

--- train_on_batch(x, y) --> {loss, metrics...} of this batch (before the update)
function Model:train_on_batch(x, y)
  if not self.compiled or not self.loss then error("train_on_batch: compile the model first", 2) end
  x = self:_check_x(x, "train_on_batch")
  y = self:_check_y(y, x.shape[1], "train_on_batch")
  for _, m in ipairs(self.metrics) do m:reset_state() end
  local lv = self:_train_step(as_float(x), y)
  local out = {lv}
  for _, m in ipairs(self.metrics) do out[#out + 1] = m:result() end
  return out
end

---------------------------------------------------------------------------------------------------
-- saving
---------------------------------------------------------------------------------------------------

local FORMAT_VERSION = "1"

local function weight_entries(self)
  local entries = {}
  for _, l in ipairs(self.layers) do
    for i, w in ipairs(l.weights) do
      entries[#entries + 1] = {("layers.%s.%s"):format(l.name, l.weight_names[i] or tostring(i)), w}
    end
  end
  return entries
end

function Model:_compile_config()
  if not self.compiled then return nil end
  local ms = {}
  for i, m in ipairs(self.metrics) do ms[i] = metrics_mod.serialize(m) end
  return {optimizer = optimizers.serialize(self.optimizer),
          loss = self.loss and losses.serialize(self.loss) or nil, metrics = ms}
end

--- save(path): one safetensors file with the architecture, the weights and the optimizer state
-- (atomic: a temporary file renamed over path)
function Model:save(path)
  if type(path) ~= "string" then error("bad argument #1 to 'save' (file path expected)", 2) end
  self:_require_built("save")
  local entries = weight_entries(self)
  local meta = {format = "cvision", format_version = FORMAT_VERSION,
                config = saving.encode_json(self:get_config())}
  local cc = self:_compile_config()
  if cc then
    meta.compile = saving.encode_json(cc)
    local iterations, state = self.optimizer:get_state()
    local slots = {}
    for _, e in ipairs(state) do
      local name = ("optimizer.%s.%s"):format(e[1]:gsub("/", "."), e[2])
      entries[#entries + 1] = {name, e[3]}
      slots[#slots + 1] = {name, e[1], e[2]}
    end
    meta.optimizer = saving.encode_json({iterations = iterations,
      learning_rate = self.optimizer.learning_rate, slots = slots})
  end
  local ok, err = pcall(saving.write_safetensors, path, entries, meta)
  if not ok then error("save: " .. clean(err), 2) end
end

--- save_weights(path): the weights alone (safetensors)
function Model:save_weights(path)
  self:_require_built("save_weights")
  local ok, err = pcall(saving.write_safetensors, path, weight_entries(self),
    {format = "cvision-weights", format_version = FORMAT_VERSION, model = self.name})
  if not ok then error("save_weights: " .. clean(err), 2) end
end

-- copies the file's layer tensors into the model's weights; fail(reason) raises
local function restore_weights(self, st, fail, used)
  for i, l in ipairs(self.layers) do
    local list = {}
    for j, w in ipairs(l.weights) do
      local name = ("layers.%s.%s"):format(l.name, l.weight_names[j] or tostring(j))
      local t = st.tensors[name]
      if not t then fail(("missing tensor %q (weight %d of layer %d, %s)"):format(name, j, i, l.name)) end
      if not shape_equal(t.shape, w.shape) then
        fail(("tensor %q has shape %s but layer %s expects %s"):format(name, shape_str(t.shape), l.name,
          shape_str(w.shape)))
      end
      if t.dtype ~= "float32" then fail(("tensor %q is %s, expected float32"):format(name, t.dtype)) end
      list[j] = t
      used[name] = true
    end
    local ok, err = pcall(l.set_weights, l, list)
    if not ok then fail(layer_error(i, l, err)) end
  end
end

local function check_all_used(st, used, fail)
  for _, name in ipairs(st.names) do
    if not used[name] then fail(("unexpected tensor %q (the file does not match the model)"):format(name)) end
  end
end

--- load_weights(path): weights saved by save_weights or save, matched to the layers by position
-- (as Keras 3 does, so a rebuilt model with other default names loads them), count and shapes checked
function Model:load_weights(path)
  self:_require_built("load_weights")
  local function fail(reason) error(("load_weights: %s: %s"):format(path, reason), 3) end
  local st, reason = saving.read_safetensors(path)
  if not st then fail(reason) end
  local fmt = st.metadata.format
  if (fmt == "cvision" or fmt == "cvision-weights") and not st.header_checked then
    fail("the header has no checksum (saved by an older cvision, or the file is corrupt); re-save the weights")
  end
  local stored = {}
  for _, name in ipairs(st.names) do      -- in file order, which is the saving model's weight order
    if name:sub(1, 7) == "layers." then stored[#stored + 1] = name end
  end
  local want = 0
  for _, l in ipairs(self.layers) do want = want + #l.weights end
  if #stored ~= want then
    fail(("the file holds %d layer weights, the model has %d"):format(#stored, want))
  end
  local k = 0
  for i, l in ipairs(self.layers) do
    local list = {}
    for j, w in ipairs(l.weights) do
      k = k + 1
      local t = st.tensors[stored[k]]
      if not shape_equal(t.shape, w.shape) then
        fail(("tensor %q has shape %s but weight %d of layer %d (%s) is %s"):format(stored[k],
          shape_str(t.shape), j, i, l.name, shape_str(w.shape)))
      end
      list[j] = t
    end
    local ok, err = pcall(l.set_weights, l, list)
    if not ok then fail(layer_error(i, l, err)) end
  end
end

--- from_config(cfg) --> a model from get_config()'s table
function M.from_config(cfg)
  if type(cfg) ~= "table" then error("from_config: config table expected", 2) end
  local cls = M.classes[cfg.class_name]
  if not cls and cfg.class_name == "Functional" then cls = require("cvision.functional").Functional end
  if not cls then error(("from_config: unknown model class %s"):format(tostring(cfg.class_name)), 2) end
  if cfg.config ~= nil and type(cfg.config) ~= "table" then
    error(("from_config: the config of a %s is not an object"):format(cfg.class_name), 2)
  end
  return cls.from_config(cfg.config or {})
end

--- load_model(path) --> the saved model, compiled with its optimizer state when it was compiled.
-- Any problem with the file raises "load_model: <path>: <reason>".
function M.load_model(path)
  if type(path) ~= "string" then error("bad argument #1 to 'load_model' (file path expected)", 2) end
  local function fail(reason) error(("load_model: %s: %s"):format(path, reason), 0) end
  local st, reason = saving.read_safetensors(path)
  if not st then fail(reason) end
  local meta = st.metadata
  if meta.format ~= "cvision" then
    fail(meta.format == "cvision-weights" and "holds weights only (use model:load_weights)"
      or "not a cvision model file (no cvision metadata)")
  end
  -- the data CRC does not cover the architecture: without the header's own CRC a flipped bit could
  -- load as another valid model (a different Dropout rate, an epsilon), so it is required
  if not st.header_checked then
    fail("the header has no checksum (saved by an older cvision, or the file is corrupt); re-save the model")
  end
  local cfg, err = saving.decode_json(meta.config or "")
  if type(cfg) ~= "table" then fail("bad model config: " .. tostring(err or "not an object")) end
  local ok, model = pcall(M.from_config, cfg)
  if not ok then fail("cannot rebuild the model: " .. clean(model)) end
  if not model.built then fail("the model config has no input shape") end
  local used = {}
  restore_weights(model, st, fail, used)
  if meta.compile then
    local cc, cerr = saving.decode_json(meta.compile)
    if type(cc) ~= "table" then fail("bad compile config: " .. tostring(cerr)) end
    local cok, cmsg = pcall(model.compile, model, {optimizer = cc.optimizer, loss = cc.loss, metrics = cc.metrics})
    if not cok then fail(clean(cmsg)) end
    local oc, oerr = saving.decode_json(meta.optimizer or "")
    if type(oc) ~= "table" then fail("bad optimizer state: " .. tostring(oerr)) end
    local shapes = {}
    for _, p in ipairs(model:params()) do shapes[p.path] = p.value.shape end
    if type(oc.slots or {}) ~= "table" then fail("bad optimizer state: slots is not a list") end
    local state = {}
    for i, e in ipairs(oc.slots or {}) do
      if type(e) ~= "table" then fail(("bad optimizer state: slot entry %d is not a list"):format(i)) end
      local name, ppath, slot = e[1], e[2], e[3]
      local t = st.tensors[name]
      if not t then fail(("missing optimizer tensor %q"):format(tostring(name))) end
      if not shapes[ppath] then fail(("optimizer tensor %q belongs to no trainable weight"):format(name)) end
      if not shape_equal(shapes[ppath], t.shape) then
        fail(("optimizer tensor %q has shape %s, its weight %s"):format(name, shape_str(t.shape), shape_str(shapes[ppath])))
      end
      used[name] = true
      state[#state + 1] = {ppath, slot, t}
    end
    local sok, serr = pcall(model.optimizer.set_state, model.optimizer, oc.iterations or 0, state)
    if not sok then fail("bad optimizer state: " .. clean(serr):gsub("^set_state: ", "")) end
    if type(oc.learning_rate) == "number" then model.optimizer.learning_rate = oc.learning_rate end
  end
  check_all_used(st, used, fail)
  return model
end

--- save_history(history, path) / load_history(path): Keras' json.dump(history.history)
function M.save_history(h, path)
  saving.save_json(path, h.history or h)
end

function M.load_history(path)
  return callbacks.History.load(path)
end

---------------------------------------------------------------------------------------------------
-- Sequential
---------------------------------------------------------------------------------------------------

local Sequential = M.subclass("Sequential")
M.Sequential_class = Sequential
M.classes = {Sequential = Sequential}

local function is_input(l) return type(l) == "table" and (l.is_input or l.class_name == "InputLayer") end

--- Sequential{layer, ...} | Sequential{layers = {...}, name = "..."}
local function new_sequential(args)
  args = args or {}
  if type(args) ~= "table" then error("bad argument #1 to 'Sequential' (table of layers expected)", 3) end
  local self = setmetatable({}, Sequential)
  Model._init(self, args.name or base.unique_name("sequential"))
  local list = args.layers or args
  for i = 1, #list do
    local ok, err = pcall(self.add, self, list[i])
    if not ok then error(("Sequential: layer %d: %s"):format(i, clean(err)), 3) end
  end
  for k in pairs(args) do
    if type(k) == "string" and k ~= "layers" and k ~= "name" then
      error(("bad argument to 'Sequential' (unknown option '%s')"):format(k), 3)
    end
  end
  return self
end

setmetatable(Sequential, {__index = Model, __call = function(_, args) return new_sequential(args) end})
M.Sequential = Sequential

--- add(layer): appends a layer (cv.Input first to fix the input shape); builds it at once when
-- the input shape is known
function Sequential:add(l)
  if is_input(l) then
    if #self.layers > 0 or self._input_shape then
      error("add: an Input must come first in a Sequential model", 2)
    end
    self._input_shape = copy_shape(l.shape)
    self.input_layer = l
    self:build(self._input_shape)
    return
  end
  if type(l) ~= "table" or type(l.forward) ~= "function" or type(l.backward) ~= "function" then
    error(("add: expected a layer, got %s"):format(type(l) == "table" and tostring(l) or type(l)), 2)
  end
  if getmetatable(l) and getmetatable(l).class_name and M.classes[getmetatable(l).class_name] then
    error("add: nested models are not supported; add their layers", 2)
  end
  for _, o in ipairs(self.layers) do
    if o.name == l.name then
      error(("add: the model already has a layer named %q; layer names must be unique"):format(l.name), 2)
    end
    if o == l then error("add: this layer is already in the model", 2) end
  end
  self.layers[#self.layers + 1] = l
  if #self.layers == 1 and not self._input_shape and l._input_shape_arg then
    self._input_shape = copy_shape(l._input_shape_arg)
  end
  local shape = self._input_shape
  if shape then
    local ok, err = pcall(self.build, self, shape)
    if not ok then
      self.layers[#self.layers] = nil
      error(clean(err), 2)
    end
  else
    self.built = false
  end
  self._first_trainable = nil
end

--- pop(): removes the last layer
function Sequential:pop()
  local l = table.remove(self.layers)
  if not l then error("pop: the model has no layers", 2) end
  self._first_trainable = nil
  if self._input_shape and #self.layers > 0 then self:build(self._input_shape) end
  return l
end

--- build(input_shape): builds every layer for samples of input_shape (no batch axis)
function Sequential:build(input_shape)
  if type(input_shape) ~= "table" then error("bad argument #1 to 'build' (shape table expected)", 2) end
  local shape = copy_shape(input_shape)
  for i, l in ipairs(self.layers) do
    local ok, err = pcall(l.build, l, shape)
    if not ok then error(layer_error(i, l, err), 2) end
    shape = l.output_shape
  end
  self._input_shape = copy_shape(input_shape)
  self.input_shape = copy_shape(input_shape)
  self.output_shape = copy_shape(shape)
  self.built = #self.layers > 0
end

-- may layer i (a Rescaling) be folded into layer i + 1 (a Dense) for input x? Only the exact
-- classes, offset 0, float32 input, and in training only before the first trainable layer (the
-- Rescaling's backward never runs there)
function Sequential:_folds(i, x, training)
  local r, d = self.layers[i], self.layers[i + 1]
  if not d or not rawget(getmetatable(r) or {}, "folds_into_dense")
      or not rawget(getmetatable(d) or {}, "accepts_x_scale") then return false end
  if r.offset ~= 0 or x.dtype ~= "float32" then return false end
  return not training or i < self:_first_trainable_index()
end

--- call(x, training [, fold]) --> y: the layers in order; errors name the layer. fold (set by
-- the training step, evaluate and predict, which never ask for the input's gradient) lets a
-- Rescaling hand its scale to the Dense after it instead of writing a scaled copy of x.
function Sequential:call(x, training, fold)
  local ls = self.layers
  local i, n = 1, #ls
  while i <= n do
    local l = ls[i]
    local ok, y
    -- predict/evaluate (fold, not training): a Conv2D whose only reader is the MaxPooling2D right
    -- after it may skip writing its output (the pool's result comes from the fused kernel)
    local nxt = ls[i + 1]
    if fold and self:_folds(i, x, training) then
      i = i + 1
      l = ls[i]
      ok, y = pcall(l.forward, l, x, training, ls[i - 1].scale)
    elseif fold and not training and nxt and nxt.class_name == "MaxPooling2D" then
      l.y_unread = true
      ok, y = pcall(l.forward, l, x, training)
      l.y_unread = nil
    else
      ok, y = pcall(l.forward, l, x, training)
    end
    if not ok then error(layer_error(i, l, y), 0) end
    x = y
    i = i + 1
  end
  return x
end

-- the first layer with trainable weights: backprop stops there, and that layer skips its input
-- gradient (skip_input_grad, see cvision.layers.base): nothing before it would use it
function Sequential:_first_trainable_index()
  if not self._first_trainable then
    local first = #self.layers + 1
    for i, l in ipairs(self.layers) do
      if #l:params() > 0 then first = i break end
    end
    for i, l in ipairs(self.layers) do l.skip_input_grad = (i == first) or nil end
    self._first_trainable = first
  end
  return self._first_trainable
end

function Sequential:backprop(dy)
  local ls = self.layers
  local stop = self:_first_trainable_index()
  for i = #ls, stop, -1 do
    local l = ls[i]
    -- a MaxPooling2D may leave its input gradient to the Conv2D before it (see pooling.lua)
    local prev = i > stop and ls[i - 1] or nil
    local defer = prev and l.class_name == "MaxPooling2D" and prev.class_name == "Conv2D"
    if defer then l.dx_deferred = true end
    local ok, dx = pcall(l.backward, l, dy)
    if defer then l.dx_deferred = nil end
    if not ok then error(layer_error(i, l, dx), 0) end
    dy = dx
  end
end

function Sequential:get_config()
  local ls = {}
  if self._input_shape then
    ls[1] = {class_name = "InputLayer", config = {name = self.input_layer and self.input_layer.name or "input_layer",
      shape = copy_shape(self._input_shape), dtype = "float32"}}
  end
  for _, l in ipairs(self.layers) do
    ls[#ls + 1] = layers.serialize(l)
  end
  return {class_name = "Sequential", config = {name = self.name, layers = ls,
    build_input_shape = self._input_shape and copy_shape(self._input_shape) or nil}}
end

function Sequential.from_config(cfg)
  local list = {}
  if cfg.layers ~= nil and type(cfg.layers) ~= "table" then error("the layers of a Sequential config are not a list", 0) end
  for i, lc in ipairs(cfg.layers or {}) do
    if type(lc) ~= "table" then error(("layer %d: its config is not an object"):format(i), 0) end
    local ok, l = pcall(layers.from_config, lc.class_name, lc.config or {})
    if not ok then error(("layer %d (%s): %s"):format(i, tostring(lc.class_name), clean(l)), 0) end
    list[#list + 1] = l
  end
  local m = new_sequential({layers = list, name = cfg.name})
  if not m.built and cfg.build_input_shape then m:build(cfg.build_input_shape) end
  return m
end

return M
