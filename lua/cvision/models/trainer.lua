-- cvision.models.trainer: training and inference loops on the Model object: compile, the
-- sources of batches (tensors, shuffled or not, and datasets), the training step, fit, evaluate,
-- predict and train_on_batch, with their options checked as Keras checks its keyword arguments.
local core = require "cvision.core"
local tensor = require "cvision.tensor"
local losses = require "cvision.losses"
local metrics_mod = require "cvision.metrics"
local optimizers = require "cvision.optimizers"
local callbacks = require "cvision.callbacks"
local progbar = require "cvision.progbar"
local model = require "cvision.models.model"
local params_mod = require "cvision.models.params"
local base = require("cvision.layers").base

local shape_equal = base.shape_equal
local is_tensor = require("cvision.tensor").is_tensor
local clean, as_float, batched = model.clean, model.as_float, model.batched
local Model = model.Model

local M = {}

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


-- a source of batches: {n=, steps=, iter(shuffle) --> iterator of xb, yb, batch_size}. The
-- batches are views of x and y, or (shuffled, or uint8 images as float32) tensors of the source
-- reused from batch to batch: a training step allocates nothing. A batch is valid until the next.
local function tensor_source(x, y, batch_size)
  local n = x.shape[1]
  local steps = math.ceil(n / batch_size)
  local src = {n = n, steps = steps}
  local bufs = {}
  -- the reused tensor `key` for a batch of `rows` rows of t (as dtype, default t's)
  local function buf(key, t, rows, dtype)
    local k = key .. rows
    local b = bufs[k]
    if not b then
      local shape = t.shape
      local bs = {rows}
      for i = 2, #shape do bs[i] = shape[i] end
      b = tensor.zeros(bs, dtype or t.dtype)
      bufs[k] = b
    end
    return b
  end
  function src.iter(shuffle)
    local perm = shuffle and n > 1 and permutation(n) or nil
    local i = 0
    return function()
      i = i + 1
      if i > steps then return nil end
      local a = (i - 1) * batch_size + 1
      local b = math.min(i * batch_size, n)
      local rows = b - a + 1
      local xb, yb
      if perm then
        local idx = perm:slice(a, b)
        xb = x:index(idx, buf("x", x, rows))
        yb = y and y:index(idx, buf("y", y, rows))
      else
        xb = x:slice(a, b)
        yb = y and y:slice(a, b)
      end
      if xb.dtype ~= "float32" then xb = buf("xf", x, rows, "float32"):copy(xb) end
      return xb, yb, rows
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
      local xb, yb, whole = f(s, c)
      c = xb
      if xb == nil then return nil end
      -- checked (and converted) by src.check; a batch that is no tensor fails there. A sharded
      -- dataset (cvision.data.shard) also gives the whole batch's rows, and false for no row here
      return xb, yb, is_tensor(xb) and xb.shape[1] or 0, whole
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
        return xb, self:_check_y(yb, xb.shape[1], who, false)
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

-- zero_grads(model, over): zeroes every trainable gradient except those of the layers in the set
-- over, whose backward overwrites them (see cvision.models.plan); nested models recursively
local function zero_grads(ls, over)
  for _, l in ipairs(ls) do
    if model.is_model(l) then zero_grads(l.layers, over)
    elseif not over[l] then l:zero_grad() end
  end
end

--- model:_overwritten() --> the set of layers whose gradients the training step's backward pass
--- overwrites (the model's plan knows them; none by default)
function Model:_overwritten()
  local p = type(self.plan) == "function" and self:plan() or nil
  return p and p.overwritten or {}
end

--- model:_gradients(xb, yb) --> the batch's mean loss, the gradient block (nil for an optimizer
--- without apply_block): forward, loss, metrics and backward of one batch into the gradients
function Model:_gradients(xb, yb)
  local y = self:call(xb, true)
  local dy = self:_dy(y.shape)
  local ok, lv = pcall(self.loss.compute, self.loss, y, yb, dy)
  if not ok then error(loss_error(self.loss, lv), 0) end
  for _, m in ipairs(self.metrics) do m:update_state(yb, y) end
  local over = self:_overwritten()
  if self.optimizer.apply_block then
    -- one gradient block: one fill per run of zeroed gradients, one update per trainable run
    local b = params_mod.block(self, over)
    for _, g in ipairs(b.zero) do g:fill(0) end
    self:backprop(dy, false, true)
    return lv, b
  end
  zero_grads(self.layers, over)
  self:backprop(dy, false, true)
  return lv, nil
end

-- one optimisation step on a batch --> the batch's mean loss
function Model:_train_step(xb, yb)
  local lv, b = self:_gradients(xb, yb)
  if b then self.optimizer:apply_block(b) else self.optimizer:apply(self:params()) end
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
    local y = self:call(xb, false)
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
  shuffle = true, callbacks = true, verbose = true, initial_epoch = true, distributed = true}

-- callbacks that write files: in a distributed fit only rank 0 (the chief) runs them (a
-- BackupAndRestore runs everywhere: rank 0 writes the backup, every rank restores from it)
local WRITERS = {ModelCheckpoint = true, CSVLogger = true}

-- one epoch of fit's batches --> the logs, the number of batches; resume (a BackupAndRestore's
-- state) passes over the batches its backup had done and continues from its exact state
local function train_epoch(self, src, shuffle, cbs, pb, epoch, resume)
  local loss_sum, seen, step = 0, 0, 0
  local logs = {}
  -- the epoch's random state before its shuffle, for a backup taken within it
  local skip = 0
  if resume then
    core.rng_state(resume.step > 0 and resume.rng_epoch or resume.rng_now)
    skip = resume.step
  end
  local dp = rawget(self, "_data_parallel")
  if dp then dp.epoch_begin() end
  local fs = {epoch = epoch, rng_epoch = core.rng_state(), loss_sum = 0, seen = 0}
  self._fit_state = fs
  for xb, yb, bs, whole in src.iter(shuffle) do
    step = step + 1
    if skip > 0 then
      -- batches the backup had done: passed over, then the state as it was after them
      skip = skip - 1
      if skip == 0 then
        core.rng_state(resume.rng_now)
        loss_sum, seen = resume.loss_sum, resume.seen
        for i, m in ipairs(self.metrics) do if resume.metrics[i] then m:set_state(resume.metrics[i]) end end
        logs = self:_logs(loss_sum / seen)
        fs.loss_sum, fs.seen = loss_sum, seen
      end
    else
      if whole and not dp then error("fit: a sharded dataset trains only in a distributed fit (distributed = true)", 0) end
      if src.check and xb then xb, yb = src.check(xb, yb) end
      fs.xb = xb                                   -- TerminateOnNaN looks for the layer at fault
      cbs:call("on_train_batch_begin", step, {})
      local lv = dp and dp.step(self, xb, yb, whole) or self:_train_step(xb, yb)
      bs = whole or bs
      loss_sum, seen = loss_sum + lv * bs, seen + bs
      fs.loss_sum, fs.seen = loss_sum, seen
      logs = self:_logs(loss_sum / seen)
      cbs:call("on_train_batch_end", step, logs)
      if pb then pb:update(step, ordered_logs(logs), false) end
      if self.stop_training then break end
    end
  end
  return logs, step
end

-- A distributed fit's setup --> the data-parallel step module (nil on one rank or when not
-- asked), the callbacks this rank runs, its verbosity (rank 0 alone prints)
local function data_parallel(opts, user, verbose)
  local d = package.loaded["cvision.distributed"]
  if opts.distributed ~= nil and type(opts.distributed) ~= "boolean" then
    error(("bad argument to 'fit' (distributed must be true or false, got %s)"):format(tostring(opts.distributed)), 3)
  end
  if not (opts.distributed or (opts.distributed == nil and d and d.in_scope())) then return nil, user, verbose end
  local dist = require "cvision.distributed"
  -- asked for by name: MPI starts (one rank without a launcher); inside a scope: under a launcher only
  local ok, err = pcall(opts.distributed and dist.init or dist.ensure)
  if not ok then error("fit: " .. clean(err), 3) end
  if dist.size() == 1 then return nil, user, verbose end
  local kept = {}
  for _, cb in ipairs(user) do
    if not (type(cb) == "table" and WRITERS[cb.class_name] and not dist.is_chief()) then kept[#kept + 1] = cb end
  end
  return require "cvision.models.data_parallel", kept, dist.is_chief() and verbose or 0
end

--- fit(x, y, {epochs=1, batch_size=32, validation_data={xv, yv}, validation_split=0, shuffle=true,
--- callbacks={...}, verbose=1, initial_epoch=0, distributed=false}) --> History
-- x, y: tensors; or fit(dataset, opts) with a dataset (to_tensors() or batches()).
-- distributed = true (or fit inside a cv.distributed.Strategy():scope): data-parallel over the MPI
-- ranks the script runs on (cvision.models.data_parallel); rank 0 alone prints and runs the
-- callbacks that write files (ModelCheckpoint, CSVLogger); BackupAndRestore's backup is written by
-- rank 0 and restored on every rank.
-- Example:
--   model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
--   local history = model:fit(X_train, y_train, {epochs = 10, validation_split = 0.2, verbose = 0})
--   print(history.history.val_accuracy[10])
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

  local dp, user
  dp, user, verbose = data_parallel(opts, opts.callbacks or {}, verbose)
  -- a data-parallel fit reads only this rank's part of each batch of a dataset that can shard
  if dp and is_dataset(x) and type(x.shard) == "function" then
    local dist = require "cvision.distributed"
    x = x:shard(dist.size(), dist.rank())
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
  -- BackupAndRestore callbacks run after all others and History: a backup holds every
  -- callback's state for the epoch or batch it ends
  local list, backups = {}, {}
  for _, cb in ipairs(user) do
    if type(cb) == "table" and rawget(cb, "_is_backup") then backups[#backups + 1] = cb else list[#list + 1] = cb end
  end
  list[#list + 1] = history
  local peers = table.move(list, 1, #list, 1, {})
  for _, cb in ipairs(backups) do cb._peers = peers; list[#list + 1] = cb end
  local params = {epochs = epochs, steps = src.steps, verbose = verbose}
  local cbs = callbacks.list(list, self, params)
  self.history = history
  self.stop_training = false

  if dp then
    local ok, err = pcall(dp.begin, self)
    if not ok then error(clean(err), 2) end
  end
  self._data_parallel = dp
  cbs:call("on_train_begin", {})
  -- a BackupAndRestore found a backup: go on from its epoch and batch, exactly
  local resume = rawget(self, "_resume")
  self._resume = nil
  if resume then initial = math.max(initial, resume.epoch) end
  for epoch = initial + 1, epochs do
    for _, m in ipairs(self.metrics) do m:reset_state() end
    cbs:call("on_epoch_begin", epoch, {})
    if verbose > 0 and epochs > 1 then io.write(("Epoch %d/%d\n"):format(epoch, epochs)) end
    local pb = verbose > 0 and progbar.new(src.steps, {verbose = verbose}) or nil
    local logs, step = train_epoch(self, src, shuffle, cbs, pb, epoch, resume)
    resume = nil
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
  self._data_parallel = nil
  return history
end

--- evaluate(x, y, {batch_size=32, verbose=1, return_dict=false}) --> {loss, metric1, ...} in
--- compile order (or {loss=, accuracy=, ...} with return_dict)
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
    local y = self:call(as_float(x:slice(a, b)), false)
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
  y = self:_check_y(y, x.shape[1], "train_on_batch", "loss")
  for _, m in ipairs(self.metrics) do m:reset_state() end
  local lv = self:_train_step(as_float(x), y)
  local out = {lv}
  for _, m in ipairs(self.metrics) do out[#out + 1] = m:result() end
  return out
end

---------------------------------------------------------------------------------------------------
-- saving

return M
