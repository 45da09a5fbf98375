-- cvision.layers.core: Input, Dense, Flatten, Reshape, Rescaling, Dropout and the activation
-- layers (Activation, ReLU, LeakyReLU, Softmax), with Keras' arguments and default names.
local core = require "cvision.core"
local base = require "cvision.layers.base"
local activations = require "cvision.activations"
local initializers = require "cvision.initializers"

local M = {}
local class, shape_str = base.class, base.shape_str

local function nn() return core.nn end

local function check_int(cls, v, what, lo)
  if type(v) == "number" then v = math.tointeger(v) or v end   -- 3.0 --> 3; 2.5, inf, NaN stay
  if math.type(v) ~= "integer" or v < (lo or 1) then
    base.argerror(cls, ("%s must be a positive integer, got %s"):format(what, tostring(v)), 3)
  end
  return v
end
M.check_int = check_int

local function check_number(cls, v, what)
  if type(v) ~= "number" or v ~= v then
    base.argerror(cls, ("%s must be a number, got %s"):format(what, tostring(v)), 3)
  end
  return v
end

local function init_config(obj) return initializers.serialize(obj) end

---------------------------------------------------------------------------------------------------
-- Input: not a layer of the model's list (Keras 3); a marker with the sample shape
---------------------------------------------------------------------------------------------------

local InputLayer = {}
InputLayer.__index = InputLayer
InputLayer.class_name = "InputLayer"
InputLayer.__tostring = function(self) return ("<InputLayer %s %s>"):format(self.name, shape_str(self.shape, true)) end
M.InputLayer = InputLayer

--- Input{h, w, c} | Input{shape={h, w, c}, name=} | Input({h, w, c} [, {name=}])
function M.Input(a, kw, ...)
  if type(a) == "number" and type(kw) == "number" then   -- Input(80, 60, 1)
    return M.Input({a, kw, ...})
  end
  if kw ~= nil and type(kw) ~= "table" then
    error("bad argument #2 to 'Input' (table of keyword arguments expected)", 2)
  end
  local shape, opts = nil, kw or {}
  if type(a) == "table" and not base.is_tensor(a) then
    if a.shape ~= nil then
      shape = a.shape
      for k, v in pairs(a) do if k ~= "shape" and type(k) == "string" then opts[k] = v end end
    else
      shape = {}
      for i = 1, #a do shape[i] = a[i] end
      for k, v in pairs(a) do if type(k) == "string" then opts[k] = v end end
    end
  elseif type(a) == "number" then
    shape = {a}
  end
  if type(shape) == "number" then shape = {shape} end
  if type(shape) ~= "table" or #shape == 0 then
    error("bad argument #1 to 'Input' (shape expected: Input{h, w, c} or Input{shape = {h, w, c}})", 2)
  end
  for k in pairs(opts) do
    if k ~= "name" and k ~= "batch_size" and k ~= "dtype" then
      error(("bad argument to 'Input' (unknown keyword argument '%s')"):format(k), 2)
    end
  end
  local s = {}
  for i = 1, #shape do
    local d = shape[i]
    if type(d) == "number" and d == math.floor(d) then d = math.tointeger(d) end
    if math.type(d) ~= "integer" or d < 1 then
      error(("bad argument #1 to 'Input' (shape must hold positive integers, got %s)"):format(
        shape_str(shape)), 2)
    end
    s[i] = d
  end
  local self = setmetatable({shape = s, is_input = true, batch_size = opts.batch_size,
    dtype = opts.dtype or "float32", name = opts.name or base.unique_name("input_layer")}, InputLayer)
  return self
end

--- input:get_config() --> {name, shape, batch_size, dtype} (Keras' InputLayer config)
function InputLayer:get_config()
  return {name = self.name, shape = base.copy_shape(self.shape), batch_size = self.batch_size,
    dtype = self.dtype}
end

---------------------------------------------------------------------------------------------------
-- Dense
---------------------------------------------------------------------------------------------------

local Dense = class("Dense", nil, {
  positional = {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer"},
  required = {"units"},
  defaults = {use_bias = true, kernel_initializer = "glorot_uniform", bias_initializer = "zeros"},
  extra = {"activation"},
})
M.Dense = Dense
-- Two modes a model's plan (cvision.models.plan) asks for, each for one call, by argument:
-- * forward(x, training, x_scale): x_scale * x is the input (a Rescaling that directly precedes
--   the layer folded into the product, cvision.models.fusions.rescale_dense); backward then
--   returns the gradient with respect to the unscaled x.
-- * backward(dy, overwrite): the gradients are overwritten with this call's contribution instead
--   of added to (the training step then need not zero them first).
Dense.overwrites_grads = true

--- dense:forward(x [, training [, x_scale]]) --> y = act((x_scale * x) @ kernel + bias)
function Dense:forward(x, training, x_scale)
  self._x_scale = x_scale
  return base.Layer.forward(self, x, training)
end

--- dense:backward(dy [, overwrite]) --> dx; overwrite = true replaces the gradients instead of
--- adding to them
function Dense:backward(dy, overwrite)
  self._overwrite = overwrite and self.trainable or nil
  return base.Layer.backward(self, dy)
end

--- Dense(units [, activation, use_bias = true, kernel_initializer = "glorot_uniform",
--- bias_initializer = "zeros"] [, {name, trainable, input_shape, ...}]) --> layer
-- y = activation(x @ kernel + bias) over the last axis. dense:init(a) checks them: units a
-- positive integer, activation a name or function (nil: linear), the initializers names or
-- initializer objects (cvision.initializers.get).
function Dense:init(a)
  self.units = check_int("Dense", a.units, "units")
  self.activation = activations.get(a.activation)
  self.use_bias = a.use_bias and true or false
  self.kernel_initializer = initializers.get(a.kernel_initializer)
  self.bias_initializer = initializers.get(a.bias_initializer)
end

--- dense:compute_output_shape(input_shape) --> input_shape with its last axis replaced by units
--- (any rank >= 1)
function Dense:compute_output_shape(s)
  if #s < 1 then self:fail("expected input of rank >= 1 (features), got " .. shape_str(s, true), 3) end
  local out = base.copy_shape(s)
  out[#out] = self.units
  return out
end

--- dense:build(input_shape): creates kernel (in, units) and bias (units); raises when already built
--- for another last axis
function Dense:build(s)
  if self.built and type(s) == "table" and s[#s] ~= self.input_shape[#self.input_shape] then
    self:fail(("expected input with last axis %d, got %s"):format(self.input_shape[#self.input_shape],
      shape_str(s, true)), 2)
  end
  return base.Layer.build(self, s)
end

function Dense:_build(s)
  local k = s[#s]
  self:add_weight("kernel", self.kernel_initializer({k, self.units}))
  if self.use_bias then self:add_weight("bias", self.bias_initializer({self.units})) end
end

-- Dense checks only the last axis (Keras' InputSpec axes={-1: k}), any rank >= 2 with the batch
function Dense:check_input(x, level)
  if not self.built then return base.Layer.check_input(self, x, (level or 1) + 1) end
  if not base.is_tensor(x) then self:fail("expected a tensor input, got " .. type(x), (level or 1) + 1) end
  local s = x.shape
  local k = self.input_shape[#self.input_shape]
  if #s < 2 or s[#s] ~= k then
    local msg = ("expected input with last axis %d, got %s"):format(k, shape_str(s))
    if #s == 1 and s[1] == k then
      msg = msg .. (": a single sample needs a batch axis, use x:reshape{1, %d} or X:slice(i, i)"):format(k)
    end
    self:fail(msg, (level or 1) + 1)
  end
  return s
end

function Dense:_forward(x)
  local s = x.shape
  local k = s[#s]
  local rows = x:numel() // k
  local x2 = x
  if #s ~= 2 then x2 = x:reshape{rows, k} end
  local z = self:buf("z", {rows, self.units})
  if self._x_scale then
    nn().dense_forward_ex(z, x2, self.weights[1], self.use_bias and self.weights[2] or nil, self._x_scale,
      base.scratch())
  else
    nn().dense_forward(z, x2, self.weights[1], self.use_bias and self.weights[2] or nil, base.scratch())
  end
  local y = z
  if not self.activation:is_linear() then
    y = self:buf("y", {rows, self.units})
    self.activation:forward(y, z)
  end
  self._x, self._z, self._y = x2, z, y
  if #s ~= 2 then
    local ys = base.copy_shape(s)
    ys[#ys] = self.units
    return y:reshape(ys)
  end
  return y
end

function Dense:_backward(dy)
  local x2, z, y = self._x, self._z, self._y
  local dy2 = dy
  if #dy.shape ~= 2 then dy2 = dy:reshape(z.shape) end
  local dz = dy2
  if not self.activation:is_linear() then
    dz = self:buf("dz", z.shape)
    self.activation:backward(dz, dy2, z, y)
  end
  local dx = nil
  if not self.skip_input_grad then dx = self:buf("dx", x2.shape) end
  local overwrite = self._overwrite
  if overwrite or self._x_scale then
    nn().dense_backward_ex(dx, self:_grad(1), self.use_bias and self:_grad(2) or nil, dz, x2,
      self.weights[1], self._x_scale or 1, overwrite, nil, base.scratch())
  else
    nn().dense_backward(dx, self:_grad(1), self.use_bias and self:_grad(2) or nil, dz, x2, self.weights[1],
      base.scratch())
  end
  if dx == nil then return nil end
  if #dy.shape ~= 2 then
    local xs = base.copy_shape(dy.shape)
    xs[#xs] = x2.shape[2]
    return dx:reshape(xs)
  end
  return dx
end

function Dense:_config()
  return {units = self.units, activation = activations.serialize(self.activation),
    use_bias = self.use_bias, kernel_initializer = init_config(self.kernel_initializer),
    bias_initializer = init_config(self.bias_initializer)}
end

---------------------------------------------------------------------------------------------------
-- Flatten, Reshape: views in NHWC order
---------------------------------------------------------------------------------------------------

local Flatten = class("Flatten", nil, {positional = {"data_format"}, defaults = {}})
M.Flatten = Flatten

--- Flatten([data_format] [, {name, ...}]) --> layer reshaping each sample to one axis (NHWC order)
-- data_format: only "channels_last" (or nil).
function Flatten:init(a)
  if a.data_format ~= nil and a.data_format ~= "channels_last" then
    base.argerror("Flatten", "only data_format \"channels_last\" is supported", 3)
  end
end

--- flatten:compute_output_shape(input_shape) --> {product of its sizes}
function Flatten:compute_output_shape(s)
  if #s < 1 then self:fail("expected input of rank >= 1, got " .. shape_str(s, true), 3) end
  return {base.numel(s)}
end

function Flatten:_forward(x)
  self._xshape = x.shape
  return x:reshape{x.shape[1], self.output_shape[1]}
end

function Flatten:_backward(dy)
  return dy:reshape(self._xshape)
end

local Reshape = class("Reshape", nil, {positional = {"target_shape"}, required = {"target_shape"}, defaults = {}})
M.Reshape = Reshape

--- Reshape(target_shape [, {name, ...}]) --> layer reshaping each sample (batch axis kept)
-- target_shape: an integer or a list of positive integers, at most one -1 (inferred).
function Reshape:init(a)
  local t = a.target_shape
  if type(t) == "number" then t = {t} end
  if type(t) ~= "table" then base.argerror("Reshape", "target_shape must be a list of integers", 3) end
  local unknown = 0
  self.target_shape = {}
  for i = 1, #t do
    local d = t[i]
    if d == -1 then unknown = unknown + 1 else d = check_int("Reshape", d, "target_shape entries") end
    self.target_shape[i] = d
  end
  if unknown > 1 then base.argerror("Reshape", "target_shape may hold at most one -1", 3) end
end

--- reshape:compute_output_shape(input_shape) --> target_shape with its -1 filled in; raises when
--- the element counts do not match
function Reshape:compute_output_shape(s)
  local n = base.numel(s)
  local out, known, at = {}, 1, nil
  for i, d in ipairs(self.target_shape) do
    out[i] = d
    if d == -1 then at = i else known = known * d end
  end
  if at then
    if n % known ~= 0 then
      self:fail(("cannot reshape input %s to %s"):format(shape_str(s, true), shape_str(self.target_shape, true)), 3)
    end
    out[at] = n // known
  elseif known ~= n then
    self:fail(("cannot reshape input %s (%d values) to %s (%d values)"):format(shape_str(s, true), n,
      shape_str(self.target_shape, true), known), 3)
  end
  return out
end

function Reshape:_forward(x)
  self._xshape = x.shape
  return x:reshape(base.batched(x.shape[1], self.output_shape))
end

function Reshape:_backward(dy) return dy:reshape(self._xshape) end

function Reshape:_config() return {target_shape = base.copy_shape(self.target_shape)} end

---------------------------------------------------------------------------------------------------
-- Rescaling: y = x*scale + offset (uint8 images are converted to float32 first)
---------------------------------------------------------------------------------------------------

local Rescaling = class("Rescaling", nil, {positional = {"scale", "offset"}, required = {"scale"},
  defaults = {offset = 0.0}})
M.Rescaling = Rescaling
Rescaling.accepts_uint8 = true

--- Rescaling(scale [, offset = 0.0] [, {name, ...}]) --> layer computing x * scale + offset
-- Accepts uint8 images (the output is float32).
function Rescaling:init(a)
  self.scale = check_number("Rescaling", a.scale, "scale")
  self.offset = check_number("Rescaling", a.offset, "offset")
end

function Rescaling:_forward(x)
  local y = self:buf("y", x.shape)
  y:copy(x) -- converts uint8 images to float32
  if self.scale ~= 1 then y:mul_(self.scale) end
  if self.offset ~= 0 then y:add_(self.offset) end
  return y
end

function Rescaling:_backward(dy)
  local dx = self:buf("dx", dy.shape)
  dx:copy(dy)
  if self.scale ~= 1 then dx:mul_(self.scale) end
  return dx
end

function Rescaling:_config() return {scale = self.scale, offset = self.offset} end

---------------------------------------------------------------------------------------------------
-- Dropout: inverted dropout, active only in training (noise_shape: one draw per sample, or per axis)
---------------------------------------------------------------------------------------------------

local Dropout = class("Dropout", nil, {positional = {"rate", "noise_shape", "seed"}, required = {"rate"},
  defaults = {}})
M.Dropout = Dropout

--- Dropout(rate [, noise_shape, seed] [, {name, ...}]) --> layer zeroing a fraction rate of the
--- values in training (the others scaled by 1 / (1 - rate)), the identity in inference
-- rate in [0, 1); noise_shape: the mask's shape with the batch axis first, false for an axis of
-- the input (Keras' None), 1 to share one draw along an axis; seed is accepted for Keras
-- compatibility (the draws come from the global stream, cv.manual_seed).
function Dropout:init(a)
  local r = check_number("Dropout", a.rate, "rate")
  if not (r >= 0 and r < 1) then base.argerror("Dropout", ("rate must be in [0, 1), got %s"):format(r), 3) end
  -- noise_shape: the mask's shape with the batch axis, false for Keras' None (that axis of the
  -- input); axes of size 1 share one draw (EfficientNet's {false, 1, 1, 1} drops whole samples)
  if a.noise_shape ~= nil then
    local ns = a.noise_shape
    local ok = type(ns) == "table" and #ns >= 1
    for i = 1, ok and #ns or 0 do ok = ok and (ns[i] == false or math.type(ns[i]) == "integer" and ns[i] >= 1) end
    if not ok then
      base.argerror("Dropout", "noise_shape must be a list of positive integers or false (None), batch axis first", 3)
    end
    self.noise_shape = base.copy_shape(ns)
  end
  self.rate = r
  self.seed = a.seed -- accepted for Keras compatibility; cvision draws from the global stream
end

function Dropout:_forward(x, training)
  self._active = training and self.rate > 0
  if not self._active then return x end
  local y = self:buf("y", x.shape)
  if self.noise_shape then return self:_forward_noise_shape(y, x) end
  local mask = self:buf("mask", x.shape)
  nn().dropout_forward(y, mask, x, self.rate)
  return y
end

-- one draw per cell of noise_shape, broadcast over the axes where it is 1
function Dropout:_forward_noise_shape(y, x)
  local ns = self.noise_shape
  if #ns ~= #x.shape then
    self:fail(("noise_shape %s does not fit input %s"):format(base.shape_str(ns), base.shape_str(x.shape)), 3)
  end
  local s = {}
  for d = 1, #ns do
    s[d] = ns[d] or x.shape[d]
    if s[d] ~= 1 and s[d] ~= x.shape[d] then
      self:fail(("noise_shape %s does not fit input %s"):format(base.shape_str(ns), base.shape_str(x.shape)), 3)
    end
  end
  local ones = self:buf("ones", s)
  ones:fill(1)
  local mask = self:buf("mask", s)
  nn().dropout_forward(self:buf("draw", s), mask, ones, self.rate)
  y:copy(x)
  return y:mul_(mask)
end

function Dropout:_backward(dy)
  if not self._active then return dy end
  local dx = self:buf("dx", dy.shape)
  if self.noise_shape then
    dx:copy(dy)
    return dx:mul_(self._bufs.mask)
  end
  if nn().dropout_backward then
    nn().dropout_backward(dx, dy, self._bufs.mask)
  else
    dx:copy(dy * self._bufs.mask)
  end
  return dx
end

function Dropout:_config() return {rate = self.rate, noise_shape = self.noise_shape, seed = self.seed} end

---------------------------------------------------------------------------------------------------
-- activation layers
---------------------------------------------------------------------------------------------------

-- shared forward/backward of a layer holding self.act
local function act_forward(self, x)
  if self.act:is_linear() then return x end
  local y = self:buf("y", x.shape)
  self.act:forward(y, x)
  self._x, self._yv = x, y
  return y
end

local function act_backward(self, dy)
  if self.act:is_linear() then return dy end
  local dx = self:buf("dx", dy.shape)
  self.act:backward(dx, dy, self._x, self._yv)
  return dx
end

local Activation = class("Activation", nil, {positional = {"activation"}, required = {"activation"}, defaults = {}})
M.Activation = Activation

--- Activation(activation [, {name, ...}]) --> layer applying an activation (a name such as "relu"
--- or a function, cvision.activations.get)
function Activation:init(a)
  self.act = activations.get(a.activation)
end
Activation._forward, Activation._backward = act_forward, act_backward
function Activation:_config() return {activation = activations.serialize(self.act)} end

-- ReLU(max_value, negative_slope, threshold), as Keras: max_value for x >= max_value, x for
-- threshold <= x < max_value, negative_slope*(x - threshold) below. relu, relu6 and leaky_relu run
-- as kernels; other combinations with tensor operations.
local ReLU = class("ReLU", nil, {positional = {"max_value", "negative_slope", "threshold"},
  defaults = {negative_slope = 0.0, threshold = 0.0}})
M.ReLU = ReLU

--- ReLU([max_value, negative_slope = 0.0, threshold = 0.0] [, {name, ...}]) --> layer: max_value
--- for x >= max_value, x for threshold <= x < max_value, negative_slope * (x - threshold) below
-- max_value (nil: no cap) and negative_slope must be non-negative.
function ReLU:init(a)
  local mv, ns, th = a.max_value, check_number("ReLU", a.negative_slope, "negative_slope"),
    check_number("ReLU", a.threshold, "threshold")
  if mv ~= nil then check_number("ReLU", mv, "max_value") end
  if (mv ~= nil and mv < 0) or ns < 0 then
    base.argerror("ReLU", "max_value and negative_slope must be non-negative")
  end
  self.max_value, self.negative_slope, self.threshold = mv, ns, th
  if th == 0 and mv == 6 and ns == 0 then self.act = activations.get("relu6")
  elseif th == 0 and mv == nil and ns ~= 0 then self.act = activations.get("leaky_relu", ns)
  elseif th == 0 and mv == nil then self.act = activations.get("relu") end
end

function ReLU:_forward(x)
  if self.act then return act_forward(self, x) end
  local th, mv, ns = self.threshold, self.max_value, self.negative_slope
  local above = x:ge(th):float()                 -- 1 where x >= threshold
  local slope = above + (1 - above) * ns          -- d y / d x below max_value
  local y = self:buf("y", x.shape)
  y:copy(x * above + (x - th) * (1 - above) * ns)
  if mv ~= nil then
    local top = x:ge(mv):float()
    y:copy(y * (1 - top) + top * mv)
    slope = slope * (1 - top)
  end
  self._slope = slope
  return y
end

function ReLU:_backward(dy)
  if self.act then return act_backward(self, dy) end
  local dx = self:buf("dx", dy.shape)
  dx:copy(dy * self._slope)
  return dx
end

function ReLU:_config()
  return {max_value = self.max_value, negative_slope = self.negative_slope, threshold = self.threshold}
end

-- LeakyReLU(negative_slope = 0.3) (Keras 3; `alpha` is the Keras 2 name)
local LeakyReLU = class("LeakyReLU", nil, {positional = {"negative_slope"}, defaults = {}, extra = {"alpha"}})
M.LeakyReLU = LeakyReLU

--- LeakyReLU([negative_slope = 0.3] [, {alpha, name, ...}]) --> layer: x for x >= 0,
--- negative_slope * x below (alpha is Keras 2's name for negative_slope)
function LeakyReLU:init(a)
  local ns = a.negative_slope
  if ns == nil then ns = a.alpha end
  if ns == nil then ns = 0.3 end
  check_number("LeakyReLU", ns, "negative_slope")
  if ns < 0 then base.argerror("LeakyReLU", "negative_slope must be non-negative", 3) end
  self.negative_slope = ns
  self.act = activations.get("leaky_relu", ns)
end
LeakyReLU._forward, LeakyReLU._backward = act_forward, act_backward
function LeakyReLU:_config() return {negative_slope = self.negative_slope} end

local Softmax = class("Softmax", nil, {positional = {"axis"}, defaults = {axis = -1}})
M.Softmax = Softmax

--- Softmax([axis = -1] [, {name, ...}]) --> layer: the softmax over the last axis (the only axis
--- supported)
function Softmax:init(a)
  if a.axis ~= -1 then base.argerror("Softmax", "only axis = -1 is supported", 3) end
  self.act = activations.get("softmax")
end
Softmax._forward, Softmax._backward = act_forward, act_backward
function Softmax:_config() return {axis = -1} end

return M
