-- cvision.layers.conv: Conv2D, DepthwiseConv2D and SeparableConv2D over NHWC tensors, with Keras'
-- kernel layouts (Conv2D (kh, kw, in, filters); depthwise (kh, kw, in, depth_multiplier);
-- pointwise (1, 1, in*depth_multiplier, filters)) and padding rule ("valid" | "same").
local core = require "cvision.core"
local base = require "cvision.layers.base"
local activations = require "cvision.activations"
local initializers = require "cvision.initializers"

local M = {}
local class, shape_str, scratch = base.class, base.shape_str, base.scratch

local function nn() return core.nn end

local function check_int(cls, v, what)
  if type(v) == "number" then v = math.tointeger(v) or v end   -- 3.0 --> 3; 2.5, inf, NaN stay
  if math.type(v) ~= "integer" or v < 1 then
    base.argerror(cls, ("%s must be a positive integer, got %s"):format(what, tostring(v)), 3)
  end
  return v
end

-- the arguments every convolution shares
local function conv_common(self, a)
  local cls = self.class_name
  self.kernel_size = base.pair(a.kernel_size, cls, "kernel_size")
  self.strides = base.pair(a.strides, cls, "strides")
  self.padding = base.padding_arg(a.padding, cls)
  if a.data_format ~= nil and a.data_format ~= "channels_last" then
    base.argerror(cls, "only data_format \"channels_last\" is supported", 3)
  end
  local d = base.pair(a.dilation_rate, cls, "dilation_rate")
  if d[1] ~= 1 or d[2] ~= 1 then base.argerror(cls, "dilation_rate other than 1 is not supported", 3) end
  if a.groups ~= nil and a.groups ~= 1 then base.argerror(cls, "groups other than 1 is not supported", 3) end
  self.activation = activations.get(a.activation)
  self.use_bias = a.use_bias and true or false
end

-- spatial output size and padding, with the "too small" error naming layer, input and window
local function spatial(self, s, k, st, padding, what)
  self:expect_rank(s, 3, "height, width, channels")
  if padding == "valid" and (s[1] < k[1] or s[2] < k[2]) then
    self:fail(("input %s is too small for %s %s with padding \"valid\""):format(shape_str(s, true), what,
      shape_str(k)), 3)
  end
  local oh, pt = base.out_size(s[1], k[1], st[1], padding)
  local ow, pl = base.out_size(s[2], k[2], st[2], padding)
  return oh, ow, pt, pl
end
M.spatial = spatial

local function conv_config(self)
  return {kernel_size = base.copy_shape(self.kernel_size), strides = base.copy_shape(self.strides),
    padding = self.padding, data_format = "channels_last", dilation_rate = {1, 1},
    activation = activations.serialize(self.activation), use_bias = self.use_bias}
end

-- activation after the linear part: z --> y (y == z when linear)
local function act_forward(self, z)
  if self.activation:is_linear() then return z end
  local y = self:buf("y", z.shape)
  self.activation:forward(y, z)
  return y
end

local function act_backward(self, dy, z, y)
  if self.activation:is_linear() then return dy end
  local dz = self:buf("dz", dy.shape)
  self.activation:backward(dz, dy, z, y)
  return dz
end

---------------------------------------------------------------------------------------------------
-- Conv2D
---------------------------------------------------------------------------------------------------

local Conv2D = class("Conv2D", nil, {
  positional = {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
    "activation", "use_bias", "kernel_initializer", "bias_initializer"},
  required = {"filters", "kernel_size"},
  defaults = {strides = 1, padding = "valid", dilation_rate = 1, use_bias = true,
    kernel_initializer = "glorot_uniform", bias_initializer = "zeros"},
  extra = {"activation", "data_format", "groups"},
})
M.Conv2D = Conv2D

--- Conv2D(filters, kernel_size [, strides = 1, padding = "valid", data_format, dilation_rate = 1,
--- groups, activation, use_bias = true, kernel_initializer = "glorot_uniform",
--- bias_initializer = "zeros"] [, {name, trainable, input_shape, ...}]) --> layer
-- Positional or by name (Conv2D(8, 3, {activation = "relu"}), Conv2D{filters = 8, kernel_size = 3}).
-- conv:init(a) checks them: filters a positive integer, kernel_size and strides an integer or
-- {h, w}, padding "valid" or "same" (any case); data_format only "channels_last", dilation_rate
-- and groups only 1; activation a name or function (cvision.activations.get).
function Conv2D:init(a)
  self.filters = check_int("Conv2D", a.filters, "filters")
  conv_common(self, a)
  self.kernel_initializer = initializers.get(a.kernel_initializer)
  self.bias_initializer = initializers.get(a.bias_initializer)
end

--- conv:compute_output_shape({h, w, c}) --> {out_h, out_w, filters} (Keras' "valid"/"same"
--- sizes); raises for an input smaller than the kernel with "valid"; keeps the padding it needs
function Conv2D:compute_output_shape(s)
  local oh, ow, pt, pl = spatial(self, s, self.kernel_size, self.strides, self.padding, "kernel_size")
  self._pad = {pt, pl}
  return {oh, ow, self.filters}
end

function Conv2D:_build(s)
  local k = self.kernel_size
  self:add_weight("kernel", self.kernel_initializer({k[1], k[2], s[3], self.filters}))
  if self.use_bias then self:add_weight("bias", self.bias_initializer({self.filters})) end
end

-- relu runs inside the convolution kernels (in the GEMM's store, and its gradient in backward)
local function fused(act) return act.name == "relu" and not act.custom and act.alpha == nil end

--- conv:relu_in_kernel() --> true when the activation runs inside the convolution's kernels
--- (relu): a plan may then fuse a max pooling after it (cvision.models.fusions.conv_pool)
function Conv2D:relu_in_kernel() return fused(self.activation) end

--- conv:kernel_args() --> w, b, sh, sw, pt, pl: the arguments of core.nn.conv2d_forward/backward
function Conv2D:kernel_args()
  return self.weights[1], self.use_bias and self.weights[2] or nil, self.strides[1], self.strides[2],
    self._pad[1], self._pad[2]
end

function Conv2D:_forward(x)
  local o = self.output_shape
  local shape = {x.shape[1], o[1], o[2], o[3]}
  local w, b, sh, sw, pt, pl = self:kernel_args()
  if fused(self.activation) then
    local y = self:buf("y", shape)
    nn().conv2d_forward(y, x, w, b, sh, sw, pt, pl, "relu", scratch())
    self._x, self._z, self._y = x, nil, y
    return y
  end
  local z = self:buf("z", shape)
  nn().conv2d_forward(z, x, w, b, sh, sw, pt, pl, scratch())
  local y = act_forward(self, z)
  self._x, self._z, self._y = x, z, y
  return y
end

function Conv2D:_backward(dy)
  local dx = nil
  if not self.skip_input_grad then dx = self:buf("dx", self._x.shape) end
  local dw, db = self:_grad(1), self.use_bias and self:_grad(2) or nil
  local w, _, sh, sw, pt, pl = self:kernel_args()
  if self._z == nil then  -- fused relu: dy is the gradient of y
    nn().conv2d_backward(dx, dw, db, dy, self._x, w, sh, sw, pt, pl, self._y, "relu", scratch())
    return dx
  end
  local dz = act_backward(self, dy, self._z, self._y)
  nn().conv2d_backward(dx, dw, db, dz, self._x, w, sh, sw, pt, pl, scratch())
  return dx
end

function Conv2D:_config()
  local c = conv_config(self)
  c.filters = self.filters
  c.groups = 1
  c.kernel_initializer = initializers.serialize(self.kernel_initializer)
  c.bias_initializer = initializers.serialize(self.bias_initializer)
  return c
end

---------------------------------------------------------------------------------------------------
-- DepthwiseConv2D
---------------------------------------------------------------------------------------------------

local DepthwiseConv2D = class("DepthwiseConv2D", nil, {
  positional = {"kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate",
    "activation", "use_bias", "depthwise_initializer", "bias_initializer"},
  required = {"kernel_size"},
  tuple_first = true,
  defaults = {strides = 1, padding = "valid", depth_multiplier = 1, dilation_rate = 1, use_bias = true,
    depthwise_initializer = "glorot_uniform", bias_initializer = "zeros"},
  extra = {"activation", "data_format"},
})
M.DepthwiseConv2D = DepthwiseConv2D

--- DepthwiseConv2D(kernel_size [, strides = 1, padding = "valid", depth_multiplier = 1,
--- data_format, dilation_rate = 1, activation, use_bias = true,
--- depthwise_initializer = "glorot_uniform", bias_initializer = "zeros"] [, {name, ...}]) --> layer
-- One kernel_size window per input channel, depth_multiplier outputs each; the arguments are
-- checked as Conv2D's (kernel_size may be given as {h, w} first).
function DepthwiseConv2D:init(a)
  conv_common(self, a)
  self.depth_multiplier = check_int("DepthwiseConv2D", a.depth_multiplier, "depth_multiplier")
  self.depthwise_initializer = initializers.get(a.depthwise_initializer)
  self.bias_initializer = initializers.get(a.bias_initializer)
end

--- dw:compute_output_shape({h, w, c}) --> {out_h, out_w, c * depth_multiplier}
function DepthwiseConv2D:compute_output_shape(s)
  local oh, ow, pt, pl = spatial(self, s, self.kernel_size, self.strides, self.padding, "kernel_size")
  self._pad = {pt, pl}
  return {oh, ow, s[3] * self.depth_multiplier}
end

function DepthwiseConv2D:_build(s)
  local k = self.kernel_size
  self:add_weight("depthwise_kernel", self.depthwise_initializer({k[1], k[2], s[3], self.depth_multiplier}))
  if self.use_bias then self:add_weight("bias", self.bias_initializer({s[3] * self.depth_multiplier})) end
end

function DepthwiseConv2D:_forward(x)
  local o = self.output_shape
  local z = self:buf("z", {x.shape[1], o[1], o[2], o[3]})
  nn().depthwise_conv2d_forward(z, x, self.weights[1], self.use_bias and self.weights[2] or nil,
    self.strides[1], self.strides[2], self._pad[1], self._pad[2])
  local y = act_forward(self, z)
  self._x, self._z, self._y = x, z, y
  return y
end

function DepthwiseConv2D:_backward(dy)
  local dz = act_backward(self, dy, self._z, self._y)
  local dx = nil
  if not self.skip_input_grad then dx = self:buf("dx", self._x.shape) end
  local dw, db = self:_grad(1), self.use_bias and self:_grad(2) or nil
  nn().depthwise_conv2d_backward(dx, dw, db, dz, self._x,
    self.weights[1], self.strides[1], self.strides[2], self._pad[1], self._pad[2])
  return dx
end

function DepthwiseConv2D:_config()
  local c = conv_config(self)
  c.depth_multiplier = self.depth_multiplier
  c.depthwise_initializer = initializers.serialize(self.depthwise_initializer)
  c.bias_initializer = initializers.serialize(self.bias_initializer)
  return c
end

---------------------------------------------------------------------------------------------------
-- SeparableConv2D: depthwise (no bias) then a 1x1 pointwise convolution with the bias
---------------------------------------------------------------------------------------------------

local SeparableConv2D = class("SeparableConv2D", nil, {
  positional = {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
    "depth_multiplier", "activation", "use_bias", "depthwise_initializer", "pointwise_initializer",
    "bias_initializer"},
  required = {"filters", "kernel_size"},
  defaults = {strides = 1, padding = "valid", depth_multiplier = 1, dilation_rate = 1, use_bias = true,
    depthwise_initializer = "glorot_uniform", pointwise_initializer = "glorot_uniform",
    bias_initializer = "zeros"},
  extra = {"activation", "data_format"},
})
M.SeparableConv2D = SeparableConv2D

--- SeparableConv2D(filters, kernel_size [, strides = 1, padding = "valid", data_format,
--- dilation_rate = 1, depth_multiplier = 1, activation, use_bias = true,
--- depthwise_initializer = "glorot_uniform", pointwise_initializer = "glorot_uniform",
--- bias_initializer = "zeros"] [, {name, ...}]) --> layer
-- A depthwise convolution followed by a 1x1 convolution to filters channels; the arguments are
-- checked as Conv2D's.
function SeparableConv2D:init(a)
  self.filters = check_int("SeparableConv2D", a.filters, "filters")
  conv_common(self, a)
  self.depth_multiplier = check_int("SeparableConv2D", a.depth_multiplier, "depth_multiplier")
  self.depthwise_initializer = initializers.get(a.depthwise_initializer)
  self.pointwise_initializer = initializers.get(a.pointwise_initializer)
  self.bias_initializer = initializers.get(a.bias_initializer)
end

--- sep:compute_output_shape({h, w, c}) --> {out_h, out_w, filters}
function SeparableConv2D:compute_output_shape(s)
  local oh, ow, pt, pl = spatial(self, s, self.kernel_size, self.strides, self.padding, "kernel_size")
  self._pad = {pt, pl}
  return {oh, ow, self.filters}
end

function SeparableConv2D:_build(s)
  local k, m = self.kernel_size, self.depth_multiplier
  self:add_weight("depthwise_kernel", self.depthwise_initializer({k[1], k[2], s[3], m}))
  self:add_weight("pointwise_kernel", self.pointwise_initializer({1, 1, s[3] * m, self.filters}))
  if self.use_bias then self:add_weight("bias", self.bias_initializer({self.filters})) end
end

function SeparableConv2D:_forward(x)
  local o = self.output_shape
  local n = x.shape[1]
  local t = self:buf("t", {n, o[1], o[2], self.input_shape[3] * self.depth_multiplier})
  nn().depthwise_conv2d_forward(t, x, self.weights[1], nil, self.strides[1], self.strides[2],
    self._pad[1], self._pad[2])
  local z = self:buf("z", {n, o[1], o[2], o[3]})
  nn().conv2d_forward(z, t, self.weights[2], self.use_bias and self.weights[3] or nil, 1, 1, 0, 0,
    scratch())
  local y = act_forward(self, z)
  self._x, self._t, self._z, self._y = x, t, z, y
  return y
end

function SeparableConv2D:_backward(dy)
  local dz = act_backward(self, dy, self._z, self._y)
  local dt = self:buf("dt", self._t.shape)
  nn().conv2d_backward(dt, self:_grad(2), self.use_bias and self:_grad(3) or nil, dz, self._t,
    self.weights[2], 1, 1, 0, 0, scratch())
  local dx = nil
  if not self.skip_input_grad then dx = self:buf("dx", self._x.shape) end
  nn().depthwise_conv2d_backward(dx, self:_grad(1), nil, dt, self._x, self.weights[1],
    self.strides[1], self.strides[2], self._pad[1], self._pad[2])
  return dx
end

function SeparableConv2D:_config()
  local c = conv_config(self)
  c.filters = self.filters
  c.depth_multiplier = self.depth_multiplier
  c.depthwise_initializer = initializers.serialize(self.depthwise_initializer)
  c.pointwise_initializer = initializers.serialize(self.pointwise_initializer)
  c.bias_initializer = initializers.serialize(self.bias_initializer)
  return c
end

return M
