-- cvision.layers.pooling: MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D
-- and ZeroPadding2D
-- over NHWC tensors. Pool strides default to pool_size (Keras); "same" padding follows the shared
-- output-size rule, and average pooling does not count padding cells.
local core = require "cvision.core"
local base = require "cvision.layers.base"

local M = {}
local class, shape_str = base.class, base.shape_str

local function nn() return core.nn end

local pool_args = {
  positional = {"pool_size", "strides", "padding", "data_format"}, tuple_first = true,
  defaults = {pool_size = 2, padding = "valid"}, extra = {"strides", "data_format"},
}

local function pool_init(self, a)
  local cls = self.class_name
  self.pool_size = base.pair(a.pool_size, cls, "pool_size")
  self.strides = a.strides ~= nil and base.pair(a.strides, cls, "strides") or base.copy_shape(self.pool_size)
  self.padding = base.padding_arg(a.padding, cls)
  if a.data_format ~= nil and a.data_format ~= "channels_last" then
    base.argerror(cls, "only data_format \"channels_last\" is supported", 3)
  end
end

local function pool_shape(self, s)
  self:expect_rank(s, 3, "height, width, channels")
  local k, st = self.pool_size, self.strides
  if self.padding == "valid" and (s[1] < k[1] or s[2] < k[2]) then
    self:fail(("input %s is too small for pool_size %s with padding \"valid\""):format(shape_str(s, true),
      shape_str(k)), 3)
  end
  local oh, pt = base.out_size(s[1], k[1], st[1], self.padding)
  local ow, pl = base.out_size(s[2], k[2], st[2], self.padding)
  self._pad = {pt, pl}
  return {oh, ow, s[3]}
end

local function pool_config(self)
  return {pool_size = base.copy_shape(self.pool_size), strides = base.copy_shape(self.strides),
    padding = self.padding, data_format = "channels_last"}
end

---------------------------------------------------------------------------------------------------

local MaxPooling2D = class("MaxPooling2D", nil, pool_args)
M.MaxPooling2D = MaxPooling2D
--- MaxPooling2D([pool_size = 2, strides, padding = "valid", data_format] [, {name, ...}]) --> layer
-- pool_size and strides (default pool_size) an integer or {h, w}; at most 255 cells per window
-- (the winners are kept as uint8); padding "valid" or "same".
function MaxPooling2D:init(a)
  pool_init(self, a)
  local k = self.pool_size
  if k[1] * k[2] > 255 then   -- the winners are recorded in a uint8 tensor
    base.argerror("MaxPooling2D", ("pool_size %s has %d cells; at most 255 are supported"):format(shape_str(k),
      k[1] * k[2]), 3)
  end
end
MaxPooling2D.compute_output_shape = pool_shape
MaxPooling2D._config = pool_config

--- pool:kernel_args() --> ph, pw, sh, sw, pt, pl: the pooling arguments of core.nn's kernels
function MaxPooling2D:kernel_args()
  local k, s, p = self.pool_size, self.strides, self._pad
  return k[1], k[2], s[1], s[2], p[1], p[2]
end

function MaxPooling2D:_forward(x)
  local o = self.output_shape
  local ys = {x.shape[1], o[1], o[2], o[3]}
  local y = self:buf("y", ys)
  -- the winners are always recorded, so backward also works after an inference forward (saliency)
  local arg = self:buf("argmax", ys, "uint8")
  nn().maxpool2d_forward(y, arg, x, self:kernel_args())
  self._xshape, self._argmax = x.shape, arg
  return y
end

function MaxPooling2D:_backward(dy)
  local dx = self:buf("dx", self._xshape)
  nn().maxpool2d_backward(dx, dy, self._argmax, self:kernel_args())
  return dx
end

---------------------------------------------------------------------------------------------------

local AveragePooling2D = class("AveragePooling2D", nil, pool_args)
M.AveragePooling2D = AveragePooling2D
AveragePooling2D.init = pool_init
AveragePooling2D.compute_output_shape = pool_shape
AveragePooling2D._config = pool_config

function AveragePooling2D:_forward(x)
  local o = self.output_shape
  local y = self:buf("y", {x.shape[1], o[1], o[2], o[3]})
  local k, s, p = self.pool_size, self.strides, self._pad
  nn().avgpool2d_forward(y, x, k[1], k[2], s[1], s[2], p[1], p[2])
  self._xshape = x.shape
  return y
end

function AveragePooling2D:_backward(dy)
  local dx = self:buf("dx", self._xshape)
  local k, s, p = self.pool_size, self.strides, self._pad
  nn().avgpool2d_backward(dx, dy, k[1], k[2], s[1], s[2], p[1], p[2])
  return dx
end

---------------------------------------------------------------------------------------------------

local GlobalAveragePooling2D = class("GlobalAveragePooling2D", nil, {positional = {"data_format", "keepdims"},
  defaults = {keepdims = false}, extra = {"data_format"}})
M.GlobalAveragePooling2D = GlobalAveragePooling2D

--- GlobalAveragePooling2D([data_format, keepdims = false] [, {name, ...}]) --> layer: each
--- channel's mean over height and width
function GlobalAveragePooling2D:init(a)
  if a.data_format ~= nil and a.data_format ~= "channels_last" then
    base.argerror("GlobalAveragePooling2D", "only data_format \"channels_last\" is supported", 3)
  end
  self.keepdims = a.keepdims and true or false
end

--- gap:compute_output_shape({h, w, c}) --> {c}, or {1, 1, c} with keepdims
function GlobalAveragePooling2D:compute_output_shape(s)
  self:expect_rank(s, 3, "height, width, channels")
  if self.keepdims then return {1, 1, s[3]} end
  return {s[3]}
end

function GlobalAveragePooling2D:_forward(x)
  local n, c = x.shape[1], self.input_shape[3]
  local y = self:buf("y", {n, c})
  nn().global_avgpool_forward(y, x)
  self._xshape = x.shape
  if self.keepdims then return y:reshape{n, 1, 1, c} end
  return y
end

function GlobalAveragePooling2D:_backward(dy)
  if self.keepdims then dy = dy:reshape{dy.shape[1], dy.shape[4]} end
  local dx = self:buf("dx", self._xshape)
  nn().global_avgpool_backward(dx, dy)
  return dx
end

function GlobalAveragePooling2D:_config()
  return {data_format = "channels_last", keepdims = self.keepdims}
end

---------------------------------------------------------------------------------------------------

-- GlobalMaxPooling2D: the maximum over height and width of each channel. The gradient goes to the
-- maximum, shared evenly between tied cells (TensorFlow's reduce_max gradient).
local GlobalMaxPooling2D = class("GlobalMaxPooling2D", nil, {positional = {"data_format", "keepdims"},
  defaults = {keepdims = false}, extra = {"data_format"}})
M.GlobalMaxPooling2D = GlobalMaxPooling2D

--- GlobalMaxPooling2D([data_format, keepdims = false] [, {name, ...}]) --> layer: each channel's
--- maximum over height and width
function GlobalMaxPooling2D:init(a)
  if a.data_format ~= nil and a.data_format ~= "channels_last" then
    base.argerror("GlobalMaxPooling2D", "only data_format \"channels_last\" is supported", 3)
  end
  self.keepdims = a.keepdims and true or false
end

GlobalMaxPooling2D.compute_output_shape = GlobalAveragePooling2D.compute_output_shape

function GlobalMaxPooling2D:_forward(x)
  local n, h, w, c = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
  local xr = x:reshape{n, h * w, c}
  local y = xr:max(2, true)                    -- (n, 1, c)
  self._x, self._ymax = xr, y
  self._xshape = x.shape
  if self.keepdims then return y:reshape{n, 1, 1, c} end
  return y:reshape{n, c}
end

function GlobalMaxPooling2D:_backward(dy)
  local n, c = self._ymax.shape[1], self._ymax.shape[3]
  local winners = self._x:eq(self._ymax)       -- (n, h*w, c) of 0/1, ties included
  local share = dy:reshape{n, 1, c} / winners:sum(2, true)
  return (winners * share):reshape(self._xshape)
end

function GlobalMaxPooling2D:_config()
  return {data_format = "channels_last", keepdims = self.keepdims}
end

---------------------------------------------------------------------------------------------------

-- ZeroPadding2D(padding): 1 | {h, w} (symmetric) | {{top, bottom}, {left, right}}
local ZeroPadding2D = class("ZeroPadding2D", nil, {positional = {"padding", "data_format"}, tuple_first = true,
  defaults = {padding = 1}})
M.ZeroPadding2D = ZeroPadding2D

--- ZeroPadding2D([padding = 1, data_format] [, {name, ...}]) --> layer adding rows and columns of
--- zeros: padding an integer (all sides), {h, w} or {{top, bottom}, {left, right}}
function ZeroPadding2D:init(a)
  if a.data_format ~= nil and a.data_format ~= "channels_last" then
    base.argerror("ZeroPadding2D", "only data_format \"channels_last\" is supported")
  end
  local p = a.padding
  local function bad()
    base.argerror("ZeroPadding2D", "padding must be an integer, {h, w} or {{top, bottom}, {left, right}}", 4)
  end
  local t, b, l, r
  if type(p) == "number" then t, b, l, r = p, p, p, p
  elseif type(p) == "table" and #p == 2 and type(p[1]) == "number" and type(p[2]) == "number" then
    t, b, l, r = p[1], p[1], p[2], p[2]
  elseif type(p) == "table" and #p == 2 and type(p[1]) == "table" and type(p[2]) == "table"
      and #p[1] == 2 and #p[2] == 2 then
    t, b, l, r = p[1][1], p[1][2], p[2][1], p[2][2]
  else bad() end
  local pad = {}
  for i, v in ipairs{t, b, l, r} do
    pad[i] = math.tointeger(v)
    if not pad[i] or pad[i] < 0 or pad[i] > base.MAX_DIM then bad() end
  end
  self.pad = pad
end

--- pad:compute_output_shape({h, w, c}) --> {h + top + bottom, w + left + right, c}
function ZeroPadding2D:compute_output_shape(s)
  self:expect_rank(s, 3, "height, width, channels")
  local p = self.pad
  return {s[1] + p[1] + p[2], s[2] + p[3] + p[4], s[3]}
end

function ZeroPadding2D:_forward(x)
  local o = self.output_shape
  local y = self:buf("y", {x.shape[1], o[1], o[2], o[3]})
  nn().zeropad2d_forward(y, x, self.pad[1], self.pad[3])
  self._xshape = x.shape
  return y
end

function ZeroPadding2D:_backward(dy)
  local dx = self:buf("dx", self._xshape)
  nn().zeropad2d_backward(dx, dy, self.pad[1], self.pad[3])
  return dx
end

function ZeroPadding2D:_config()
  local p = self.pad
  return {padding = {{p[1], p[2]}, {p[3], p[4]}}, data_format = "channels_last"}
end

return M
