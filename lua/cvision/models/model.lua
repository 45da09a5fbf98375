-- cvision.models.model: the Model object, what every model does whatever its wiring: its layers,
-- calling it, its weights and parameters, and checking the data given to it. The other concerns
-- add their methods to the same class from their own files (cvision.models.summary, .trainer,
-- cvision.saving.model_file); a subclass supplies the wiring:
--   self.layers              every layer, in weight order
--   self:build(input_shape)  builds the layers for a sample shape (no batch axis); sets
--                            self.input_shape, self.output_shape, self.built
--   self:call(x, training)   --> y, the forward pass of a batch (through the model's plan)
--   self:backprop(dy [, need_dx]) the backward pass (accumulates the layers' parameter
--                            gradients; returns the input gradient when need_dx)
--   self:get_config()        --> {class_name=, config=}; from_config turns it back into a model
-- Sequential (cvision.models.sequential) and Functional (cvision.models.functional) are the two.
-- Conventions of the Lua API: labels are 1-based class numbers, epochs and batches count from 1,
-- shapes are Lua tables without the batch axis ({80, 60, 1}) unless said otherwise.
local core = require "cvision.core"
local layers = require "cvision.layers"

local base = layers.base
local shape_str, shape_equal = base.shape_str, base.shape_equal
local is_tensor = require("cvision.tensor").is_tensor

local M = {}

--- clear_session(): resets the default names of layers and models (dense, dense_1, sequential, ...)
function M.clear_session()
  layers.clear_session()
end

---------------------------------------------------------------------------------------------------
-- helpers shared by the model files
---------------------------------------------------------------------------------------------------

--- clean(err) --> the error message without Lua's "file:line: " prefix (cvision.util.errors)
local clean = require("cvision.util.errors").clean
M.clean = clean

--- layer_error(i, layer, err) --> "layer 3 (pool1, MaxPooling2D): <what went wrong>"
function M.layer_error(i, l, err)
  local msg = clean(err)
  local tag = ("%s (%s): "):format(l.name, l.class_name)
  if msg:sub(1, #tag) == tag then msg = msg:sub(#tag + 1) end
  return ("layer %d (%s, %s): %s"):format(i, l.name, l.class_name, msg)
end

--- batched(n, shape) --> {n, shape...}
function M.batched(n, shape)
  local s = {n}
  for i = 1, #shape do s[i + 1] = shape[i] end
  return s
end

--- sample_shape(x) --> x's shape without the batch axis
function M.sample_shape(x)
  local s = x.shape
  local out = {}
  for i = 2, #s do out[i - 1] = s[i] end
  return out
end

--- as_float(t) --> t as float32 (t itself when it is)
function M.as_float(t)
  if t.dtype ~= "float32" then return t:astype("float32") end
  return t
end


--- commas(n) --> "1,234,567"
function M.commas(n)
  local s = tostring(math.tointeger(n) or n)
  local neg, digits = s:match("^(-?)(%d+)$")
  if not digits then return s end
  digits = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return neg .. digits
end

local layer_error, as_float, sample_shape = M.layer_error, M.as_float, M.sample_shape
local commas = M.commas

-- the model classes by class name (Sequential, Functional): is_model and from_config look here
M.classes = {}

local Model = {}
Model.__index = Model
Model.class_name = "Model"
M.Model = Model

-- cv.Model{inputs=, outputs=}: the functional API (cvision.models.functional)
setmetatable(Model, {__call = function(_, ...)
  return require("cvision.models.functional").new(...)
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
    return require("cvision.models.functional").call_layer(self, x, training)   -- a nested model
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

--- zero_grad(): sets the parameter gradients of every layer to zero
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

--- count_trainable_params() --> the number of trainable weights (a frozen model: 0; a nested
--- model counts its own trainable layers)
function Model:count_trainable_params()
  if self.trainable == false then return 0 end
  local n = 0
  for _, l in ipairs(self.layers) do
    if l.built and l.trainable ~= false then
      n = n + (l.count_trainable_params and l:count_trainable_params() or l:count_params())
    end
  end
  return n
end

function Model:_counts()
  local trainable = self:count_trainable_params()
  return trainable, self:count_params() - trainable
end

---------------------------------------------------------------------------------------------------
-- summary
---------------------------------------------------------------------------------------------------

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

-- sparse labels: integers in 1..K (K the model's outputs); a bad one is named by its sample's
-- index in the data (first: the index of y's first sample; false: a batch streamed from a dataset;
-- "loss": left to the loss)
local function check_labels(y, out_shape, who, first)
  if y:numel() == 0 then return end
  local k = out_shape and out_shape[#out_shape]
  local lo, hi = y:min(), y:max()
  if type(lo) ~= "number" then lo, hi = lo:item(), hi:item() end
  if lo >= 1 and (not k or hi <= k) and (y - y:floordiv(1)):abs():max() == 0 then return end
  local v = y:totable()
  for i = 1, #v do
    local t = v[i]
    if not (t >= 1 and (not k or t <= k) and t == math.floor(t)) then
      local where = first == false and ("sample %d of a batch of the dataset"):format(i)
        or ("sample %d"):format((first or 1) + i - 1)
      error(("%s: label %s of %s is not a class number in 1..%s (sparse labels are 1-based)"):format(
        who, ("%g"):format(t), where, tostring(k or "K")), 0)
    end
  end
end

-- y as a float32 tensor matching x's N samples (sparse labels flattened to (N)); first: the index
-- of y's first sample in the whole data (label errors name the sample)
function Model:_check_y(y, n, who, first)
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
  -- (train_on_batch leaves it to the loss, whose rows are the batch's samples: no allocation per step)
  if first ~= "loss" and self.loss and self.loss:is_sparse() and #y.shape == 1 then
    check_labels(y, self.output_shape, who, first)
  end
  return y
end

return M
