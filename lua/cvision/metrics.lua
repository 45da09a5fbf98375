-- cvision.metrics: streaming metrics for compile{metrics = {...}}: each keeps counts over an epoch
-- (reset_state, update_state(y_true, y_pred), result), so the epoch's value is exact, not a mean
-- of batch means. Names follow Keras 3 ("accuracy", "sparse_top_k_categorical_accuracy", ...).
-- "accuracy" is resolved from the loss as Keras does: sparse categorical accuracy with
-- SparseCategoricalCrossentropy, categorical with CategoricalCrossentropy, binary with
-- BinaryCrossentropy, else from the shapes of the first batch. Labels are 1-BASED class numbers.
local core = require "cvision.core"
local is_tensor = require("cvision.tensor").is_tensor
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local Metric = class.base()
M.Metric = Metric

--- tostring(metric) --> "<ClassName name>"
function Metric.__tostring(self) return ("<%s %s>"):format(self.class_name, self.name) end

--- metric:reset_state(): forget everything seen (the start of an epoch)
function Metric:reset_state() self.total, self.count = 0, 0 end

--- result() --> the metric over everything seen since reset_state (0 before any update)
function Metric:result()
  if self.count == 0 then return 0 end
  return self.total / self.count
end

--- metric(y_true, y_pred) --> value on this batch alone (Keras' metric function call)
function Metric.__call(self, y_true, y_pred)
  local t, c = self.total, self.count
  self:reset_state()
  self:update_state(y_true, y_pred)
  local r = self:result()
  self.total, self.count = t, c
  return r
end

--- metric:get_state() --> {total, count}: what it has seen this epoch (BackupAndRestore keeps it)
function Metric:get_state() return {total = self.total, count = self.count} end
--- metric:set_state(s): continues from get_state()'s s
function Metric:set_state(s) self.total, self.count = s.total, s.count end

--- metric:get_config() --> {name=, ...} for a model file
function Metric:get_config() return {name = self.name} end

local registry = class.registry("metric", {fold_case = false})

local function define(class_name, default_name, init)
  local cls = class.define(class_name, Metric)
  function cls.new(args)
    args = args or {}
    if type(args) ~= "table" then error(errors.options_expected(class_name, args), 2) end
    local self = setmetatable({}, cls)
    self.name = args.name or default_name
    if init then
      local ok, err = pcall(init, self, args)
      if not ok then error(errors.bad_argument(class_name, errors.clean(err)), 2) end
    end
    self:reset_state()
    return self
  end
  registry:register(cls)
  M[class_name] = cls
  return cls
end

local function nrows(t) return t.shape[1] or 1 end

-- y_true (a tensor or a Lua table) and y_pred (a tensor) of one batch --> y_true as a tensor, the
-- number of rows; errors name the metric and are raised at the caller of update_state
local function check_batch(self, y_true, y_pred, level)
  level = level or 3
  if type(y_true) == "table" and not is_tensor(y_true) then
    local ok, t = pcall(core.tensor, y_true)
    if not ok then error(("%s: y_true is a table that is not a tensor"):format(self.name), level) end
    y_true = t
  end
  if not is_tensor(y_true) or not is_tensor(y_pred) then
    error(("%s: y_true and y_pred must be tensors, got %s and %s"):format(self.name,
      is_tensor(y_true) and "a tensor" or type(y_true), is_tensor(y_pred) and "a tensor" or type(y_pred)), level)
  end
  if #y_pred.shape == 0 then error(("%s: y_pred must have a batch axis, got a 0-d tensor"):format(self.name), level) end
  return y_true, nrows(y_pred)
end

-- "(2, 3)"
local function shape_text(t) return "(" .. table.concat(t.shape, ", ") .. ")" end

-- check_batch for sparse labels: one label per row of y_pred (errors blame update_state's caller)
local function check_sparse_batch(self, y_true, y_pred)
  local n
  y_true, n = check_batch(self, y_true, y_pred, 4)
  if y_true:numel() ~= n then
    error(("%s: y_pred %s has %d rows but y_true %s holds %d labels"):format(self.name, shape_text(y_pred), n,
      shape_text(y_true), y_true:numel()), 3)
  end
  return y_true, n
end

-- labels as a flat float32 (N) tensor of class numbers
local function flat_labels(y_true, n)
  if y_true.dtype ~= "float32" then y_true = y_true:astype("float32") end
  if #y_true.shape ~= 1 then y_true = y_true:reshape{n} end
  return y_true
end

-- argmax over the last axis, 1-based, as a float32 (N) tensor
local function argmax_last(t)
  local s = t.shape
  local n = s[1]
  local k = t:numel() // n
  return t:reshape{n, k}:argmax(2):reshape{n}
end

local SCA = define("SparseCategoricalAccuracy", "sparse_categorical_accuracy")
--- metric:update_state(y_true, y_pred): counts the rows whose largest score is the label
function SCA:update_state(y_true, y_pred)
  local n
  y_true, n = check_sparse_batch(self, y_true, y_pred)
  if n == 0 then return end
  local labels = flat_labels(y_true, n)
  local k = y_pred.shape[#y_pred.shape]
  -- one pass in C that allocates nothing; it refuses a label outside 1..K (an error, not a
  -- silently lower accuracy), which is then reported over the whole batch
  if y_pred.dtype ~= "float32" then y_pred = y_pred:astype("float32") end
  local ok, hits = pcall(core.nn.argmax_correct, y_pred:reshape{n, y_pred:numel() // n}, labels)
  if not ok then
    error(("%s: labels must be class numbers in 1..%d (1-based), got values in [%g, %g]"):format(self.name,
      k, labels:min(), labels:max()), 2)
  end
  self.total = self.total + hits
  self.count = self.count + n
end

local CA = define("CategoricalAccuracy", "categorical_accuracy")
--- metric:update_state(y_true, y_pred): counts the rows whose argmax matches the one-hot target
function CA:update_state(y_true, y_pred)
  local n
  y_true, n = check_batch(self, y_true, y_pred)
  if #y_true.shape ~= #y_pred.shape or y_true:numel() ~= y_pred:numel() then
    error(("%s: y_true %s and y_pred %s must have the same shape (one-hot targets)"):format(self.name,
      shape_text(y_true), shape_text(y_pred)), 2)
  end
  if n == 0 then return end
  local hits = argmax_last(y_pred):eq(argmax_last(y_true)):sum()
  self.total = self.total + hits
  self.count = self.count + n
end

local BA = define("BinaryAccuracy", "binary_accuracy", function(self, a)
  self.threshold = a.threshold or 0.5
  assert(type(self.threshold) == "number" and self.threshold == self.threshold, "threshold must be a number")
end)
-- the mean over all elements of (pred > threshold) == (y_true > 0.5)
function BA:update_state(y_true, y_pred)
  y_true = check_batch(self, y_true, y_pred)
  local thr = self.from_logits and 0 or self.threshold
  if self.from_logits and self.threshold ~= 0.5 then
    thr = math.log(self.threshold / (1 - self.threshold))
  end
  local p = y_pred:gt(thr)
  local t = y_true:gt(0.5)
  if t:numel() ~= p:numel() then
    error(("binary_accuracy: y_true has %d values, y_pred %d"):format(t:numel(), p:numel()), 2)
  end
  if #t.shape ~= #p.shape then t = t:reshape(p.shape) end
  self.total = self.total + p:eq(t):sum()
  self.count = self.count + p:numel()
end
--- metric:get_config() --> {name=, threshold=}
function BA:get_config() return {name = self.name, threshold = self.threshold} end

local STK = define("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", function(self, a)
  self.k = a.k or a[1] or 5
  assert(math.type(self.k) == "integer" and self.k >= 1, "k must be a positive integer")
end)
--- metric:update_state(y_true, y_pred): counts the rows whose label is among the k best scores
function STK:update_state(y_true, y_pred)
  local n
  y_true, n = check_sparse_batch(self, y_true, y_pred)
  if n == 0 then return end
  local hits = core.nn.topk_correct(y_pred, flat_labels(y_true, n), self.k)
  self.total = self.total + hits
  self.count = self.count + n
end
--- metric:get_config() --> {name=, k=}
function STK:get_config() return {name = self.name, k = self.k} end

-- the mean of a loss kernel over samples, for "mse"/"mae" as metrics
local function loss_metric(class_name, default_name, kernel)
  local cls = define(class_name, default_name)
  function cls:update_state(y_true, y_pred)
    local n
    y_true, n = check_batch(self, y_true, y_pred)
    if n == 0 then return end
    if y_true.dtype ~= "float32" then y_true = y_true:astype("float32") end
    if y_pred.dtype ~= "float32" then y_pred = y_pred:astype("float32") end
    local ok, v = pcall(core.nn.loss, kernel, nil, y_pred, y_true, false)
    if not ok then error(self.name .. ": " .. errors.clean(v):gsub("^" .. kernel .. ": ", ""), 2) end
    self.total = self.total + v * n
    self.count = self.count + n
  end
  return cls
end
loss_metric("MeanSquaredError", "mean_squared_error", "mean_squared_error")
loss_metric("MeanAbsoluteError", "mean_absolute_error", "mean_absolute_error")

-- the accuracy flavour each loss kind implies
local accuracy_for = {
  sparse_categorical = SCA, categorical = CA, binary = BA,
}

for name, cls in pairs{
  sparse_categorical_accuracy = SCA, categorical_accuracy = CA, binary_accuracy = BA,
  sparse_top_k_categorical_accuracy = STK, mse = M.MeanSquaredError, mae = M.MeanAbsoluteError,
  mean_squared_error = M.MeanSquaredError, mean_absolute_error = M.MeanAbsoluteError,
} do registry:alias(name, cls) end

--- get(identifier, loss) --> a metric object, or nil plus a resolver when "accuracy" must wait for
-- the shapes of the first batch (losses that do not say which accuracy they mean).
function M.get(id, loss)
  if class.is_object(id, true) then
    if loss and loss.from_logits and id.class_name == "BinaryAccuracy" then id.from_logits = true end
    return id
  end
  if type(id) == "string" then
    if id == "accuracy" or id == "acc" then
      local cls = loss and accuracy_for[loss.kind]
      if cls then
        local m = cls.new{name = "accuracy"}
        if cls == BA and loss.from_logits then m.from_logits = true end
        return m
      end
      return M.Accuracy.new{name = "accuracy"}
    end
    local cls = registry:lookup(id)
    if not cls then error(registry:unknown(id, {"accuracy"}), 2) end
    local m = cls.new()
    if cls == BA and loss and loss.from_logits then m.from_logits = true end
    return m
  end
  if type(id) == "table" and id.class_name then
    local cls = registry:class(id.class_name)
    if not cls then error(("unknown metric class '%s'"):format(tostring(id.class_name)), 2) end
    local m = cls.new(id.config or {})
    if cls == BA and loss and loss.from_logits then m.from_logits = true end
    return m
  end
  error(("bad metric %s: expected a metric object or a name such as \"accuracy\""):format(tostring(id)), 2)
end

-- "accuracy" with a loss that does not say which: decided on the first batch from the shapes as
-- Keras 3 does (one output column: binary; targets of lower rank or one column: sparse).
local Acc = define("Accuracy", "accuracy")
--- metric:update_state(y_true, y_pred): picks the accuracy flavour on the first batch, then counts with it
function Acc:update_state(y_true, y_pred)
  y_true = check_batch(self, y_true, y_pred)
  if not self.impl then
    local ps, ts = y_pred.shape, y_true.shape
    local cls
    if ps[#ps] == 1 then cls = BA
    elseif #ts < #ps or ts[#ts] == 1 then cls = SCA
    else cls = CA end
    self.impl = cls.new{name = self.name}
    if self._pending then self.impl:set_state(self._pending) self._pending = nil end
  end
  self.impl:update_state(y_true, y_pred)
  self.total, self.count = self.impl.total, self.impl.count
end
--- metric:reset_state(): forgets the counts (the flavour chosen stays)
function Acc:reset_state()
  self.total, self.count = 0, 0
  self._pending = nil
  if self.impl then self.impl:reset_state() end
end
--- metric:set_state(s): continues from get_state()'s s (kept for the flavour not chosen yet)
function Acc:set_state(s)
  self.total, self.count = s.total, s.count
  if self.impl then self.impl:set_state(s) else self._pending = s end
end

--- serialize(metric) --> "accuracy" or {class_name=, config=} for a model file
function M.serialize(m)
  if m.name == "accuracy" and (m.class_name == "Accuracy" or m.class_name == "SparseCategoricalAccuracy"
      or m.class_name == "CategoricalAccuracy" or m.class_name == "BinaryAccuracy") and m.threshold == nil
      or (m.name == "accuracy" and m.class_name == "BinaryAccuracy" and m.threshold == 0.5) then
    return "accuracy"
  end
  return {class_name = m.class_name, config = m:get_config()}
end

return M
