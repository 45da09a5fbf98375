-- cvision.layers.normalization: BatchNormalization over the last axis (Keras' default axis=-1).
-- Training uses the batch statistics and updates the moving ones
-- (moving = moving*momentum + batch*(1 - momentum)); inference, and any call on a layer with
-- trainable = false (Keras' rule for frozen BN), uses the moving statistics.
-- Normalization (Keras' preprocessing layer, over the last axis): y = (x - mean) / max(sqrt(var),
-- 1e-7), or its inverse; mean and variance are given, or non-trainable weights (mean, variance and
-- a scalar count, as Keras makes them: 2c + 1 parameters) set by adapt(data) or set_weights.
local core = require "cvision.core"
local base = require "cvision.layers.base"
local initializers = require "cvision.initializers"

local tensor = require "cvision.tensor"

local M = {}
local class, shape_str = base.class, base.shape_str

local function nn() return core.nn end

local BatchNormalization = class("BatchNormalization", nil, {
  positional = {"axis", "momentum", "epsilon", "center", "scale"},
  defaults = {axis = -1, momentum = 0.99, epsilon = 1e-3, center = true, scale = true,
    beta_initializer = "zeros", gamma_initializer = "ones", moving_mean_initializer = "zeros",
    moving_variance_initializer = "ones"},
  extra = {"synchronized"},
})
M.BatchNormalization = BatchNormalization

--- BatchNormalization([axis = -1, momentum = 0.99, epsilon = 1e-3, center = true, scale = true]
--- [, {beta_initializer = "zeros", gamma_initializer = "ones", moving_mean_initializer = "zeros",
--- moving_variance_initializer = "ones", synchronized, name, ...}]) --> layer
-- Normalises over the batch in training (and updates the moving statistics with momentum), with
-- the moving statistics in inference. axis an integer (only the last axis runs), momentum in
-- [0, 1], epsilon positive.
function BatchNormalization:init(a)
  local cls = "BatchNormalization"
  if math.type(a.axis) ~= "integer" then base.argerror(cls, "axis must be an integer", 3) end
  self.axis = a.axis
  if type(a.momentum) ~= "number" or not (a.momentum >= 0 and a.momentum <= 1) then
    base.argerror(cls, "momentum must be a number in [0, 1]", 3)
  end
  if type(a.epsilon) ~= "number" or not (a.epsilon > 0 and a.epsilon < math.huge) then base.argerror(cls, "epsilon must be positive", 3) end
  self.momentum, self.epsilon = a.momentum, a.epsilon
  self.center, self.scale = a.center and true or false, a.scale and true or false
  self.beta_initializer = initializers.get(a.beta_initializer)
  self.gamma_initializer = initializers.get(a.gamma_initializer)
  self.moving_mean_initializer = initializers.get(a.moving_mean_initializer)
  self.moving_variance_initializer = initializers.get(a.moving_variance_initializer)
end

--- bn:compute_output_shape(input_shape) --> input_shape; raises unless axis is the last one
function BatchNormalization:compute_output_shape(s)
  if #s < 1 then self:fail("expected input of rank >= 1, got " .. shape_str(s, true), 3) end
  -- axis counts the batch axis, as in Keras: -1 and #s both mean the last one
  if self.axis ~= -1 and self.axis ~= #s then
    self:fail(("only the last axis (-1 or %d) is supported for input %s, got axis=%d"):format(#s,
      shape_str(s, true), self.axis), 3)
  end
  return base.copy_shape(s)
end

function BatchNormalization:_build(s)
  local c = s[#s]
  -- gamma/beta are weights only when scale/center are on (Keras); the kernels take nil for 1 and 0
  if self.scale then self:add_weight("gamma", self.gamma_initializer({c})) end
  if self.center then self:add_weight("beta", self.beta_initializer({c})) end
  self:add_weight("moving_mean", self.moving_mean_initializer({c}), false)
  self:add_weight("moving_variance", self.moving_variance_initializer({c}), false)
end

-- gamma, beta, moving_mean, moving_variance, dgamma, dbeta (nil where absent)
function BatchNormalization:_parts()
  local i = 1
  local gamma, beta, dgamma, dbeta
  if self.scale then gamma, dgamma = self.weights[i], self.grads[i]; i = i + 1 end
  if self.center then beta, dbeta = self.weights[i], self.grads[i]; i = i + 1 end
  return gamma, beta, self.weights[i], self.weights[i + 1], dgamma, dbeta
end

function BatchNormalization:_forward(x, training)
  local use_batch = training and self.trainable
  local gamma, beta, mm, mv = self:_parts()
  local c = self.input_shape[#self.input_shape]
  local y = self:buf("y", x.shape)
  local save_mean, save_invstd = self:buf("save_mean", {c}), self:buf("save_invstd", {c})
  nn().batchnorm_forward(y, x, gamma, beta, mm, mv, self.momentum, self.epsilon, use_batch,
    save_mean, save_invstd)
  self._x, self._batch_mode = x, use_batch
  return y
end

-- in inference mode the statistics are constants: dx = dy*gamma*invstd
function BatchNormalization:_backward(dy)
  local gamma, _, _, _, dgamma, dbeta = self:_parts()
  if not self.trainable then dgamma, dbeta = nil, nil end
  local dx = self:buf("dx", self._x.shape)
  nn().batchnorm_backward(dx, dgamma, dbeta, dy, self._x, gamma, self._bufs.save_mean,
    self._bufs.save_invstd, self._batch_mode)
  return dx
end

function BatchNormalization:_config()
  return {axis = self.axis, momentum = self.momentum, epsilon = self.epsilon, center = self.center,
    scale = self.scale,
    beta_initializer = initializers.serialize(self.beta_initializer),
    gamma_initializer = initializers.serialize(self.gamma_initializer),
    moving_mean_initializer = initializers.serialize(self.moving_mean_initializer),
    moving_variance_initializer = initializers.serialize(self.moving_variance_initializer)}
end

---------------------------------------------------------------------------------------------------
-- Normalization(axis = -1, mean = nil, variance = nil, invert = false)
---------------------------------------------------------------------------------------------------

local Normalization = class("Normalization", nil, {positional = {"axis", "mean", "variance", "invert"},
  defaults = {axis = -1, invert = false}})
M.Normalization = Normalization

-- Keras' backend.epsilon(): the floor of the standard deviation
local STD_FLOOR = 1e-7

-- a number or a list of numbers, as a Lua list (nil stays nil)
local function stat_list(v, what)
  if v == nil then return nil end
  if type(v) == "number" then return {v} end
  if base.is_tensor(v) then v = v:reshape{v:numel()}:totable() end
  if type(v) ~= "table" or #v == 0 then base.argerror("Normalization", what .. " must be a number or a list of numbers", 4) end
  local out = {}
  for i, x in ipairs(v) do
    if type(x) ~= "number" then base.argerror("Normalization", what .. " must be a number or a list of numbers", 4) end
    out[i] = x
  end
  return out
end

--- Normalization([axis = -1, mean, variance, invert = false] [, {name, ...}]) --> layer computing
--- (x - mean) / sqrt(variance) per channel ((x * sqrt(variance)) + mean with invert)
-- mean and variance: numbers, lists or tensors, given together (else adapt(data) computes them).
function Normalization:init(a)
  if math.type(a.axis) ~= "integer" then base.argerror("Normalization", "axis must be an integer", 3) end
  self.axis = a.axis
  self.invert = a.invert and true or false
  self.mean_value, self.variance_value = stat_list(a.mean, "mean"), stat_list(a.variance, "variance")
  if (self.mean_value == nil) ~= (self.variance_value == nil) then
    base.argerror("Normalization", "mean and variance must be given together", 3)
  end
  if self.mean_value and #self.mean_value ~= #self.variance_value then
    base.argerror("Normalization", "mean and variance must have the same length", 3)
  end
  for _, v in ipairs(self.variance_value or {}) do
    if not (v >= 0) then base.argerror("Normalization", "variance must be non-negative", 3) end
  end
end

--- norm:compute_output_shape(input_shape) --> input_shape; raises unless axis is the last one and
--- mean/variance have 1 or as many values as channels
function Normalization:compute_output_shape(s)
  if #s < 1 then self:fail("expected input of rank >= 1, got " .. shape_str(s, true), 3) end
  if self.axis ~= -1 and self.axis ~= #s then
    self:fail(("only the last axis (-1 or %d) is supported for input %s, got axis=%d"):format(#s,
      shape_str(s, true), self.axis), 3)
  end
  local n = self.mean_value and #self.mean_value
  if n and n ~= 1 and n ~= s[#s] then
    self:fail(("mean and variance have %d values for %d channels"):format(n, s[#s]), 3)
  end
  return base.copy_shape(s)
end

function Normalization:_build(s)
  local c = s[#s]
  if self.mean_value then
    local function full(v) return #v == 1 and tensor.full({c}, v[1]) or tensor.tensor(v) end
    self._mean, self._variance = full(self.mean_value), full(self.variance_value)
  else
    self._mean = self:add_weight("mean", tensor.zeros{c}, false)
    self._variance = self:add_weight("variance", tensor.ones{c}, false)
    self:add_weight("count", tensor.zeros{}, false)
  end
end

-- max(sqrt(variance), 1e-7), from the current weights (set_weights may have replaced them)
function Normalization:_std()
  local v = self.weights[2] or self._variance
  return v:sqrt():maximum(STD_FLOOR)
end

function Normalization:_forward(x)
  local mean, std = self.weights[1] or self._mean, self:_std()
  local y = self:buf("y", x.shape)
  y:copy(x)
  if self.invert then y:mul_(std):add_(mean) else y:sub_(mean):div_(std) end
  self._std_used = std
  return y
end

function Normalization:_backward(dy)
  local dx = self:buf("dx", dy.shape)
  dx:copy(dy)
  if self.invert then dx:mul_(self._std_used) else dx:div_(self._std_used) end
  return dx
end

--- adapt(data): the mean and variance of data (a tensor (n, ..., c)) per channel, and the count
function Normalization:adapt(data)
  if not base.is_tensor(data) or #data.shape < 2 then
    self:fail("adapt expects a tensor of shape (n, ..., channels)", 2)
  end
  if self.mean_value then self:fail("adapt: mean and variance were given to the constructor", 2) end
  local s = {}
  for d = 2, #data.shape do s[d - 1] = data.shape[d] end
  self:build(s)
  local c = s[#s]
  local rows = data:astype("float32"):reshape{-1, c}
  local mean = rows:mean(1)
  local variance = (rows - mean):square():mean(1)
  self.weights[1]:copy(mean)
  self.weights[2]:copy(variance)
  self.weights[3]:fill(rows.shape[1])
end

function Normalization:_config()
  return {axis = self.axis, invert = self.invert, mean = self.mean_value, variance = self.variance_value}
end

return M
