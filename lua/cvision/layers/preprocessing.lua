-- cvision.layers.preprocessing: Keras' augmentation layers, active only in training (identity at
-- inference): RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast. Each image
-- of a batch gets its own random draw, from the global stream in a fixed order. The geometric
-- layers build one projective transform per image with Keras' formulas and run the C kernel of
-- csrc/augment.c (TF's ImageProjectiveTransformV3 rules for coordinates, fill modes and
-- interpolation); backward applies the kernel's adjoint, so they may sit anywhere in a model.
local core = require "cvision.core"
local tensor = require "cvision.tensor"
local base = require "cvision.layers.base"

local M = {}
local class = base.class

-- the kernels (csrc/augment.c), registered in core.nn by csrc/bind/l_augment.c
local function K() return core.nn end

-- factor(v, name, cls, symmetric) --> {lower, upper}: a number f gives (-f, f) when symmetric,
-- (f, f) otherwise; a list gives its two bounds
local function factor(v, what, cls, symmetric)
  if type(v) == "number" and v ~= v or type(v) == "table" and (v[1] ~= v[1] or v[2] ~= v[2]) then
    base.argerror(cls, ("%s must not be NaN"):format(what))
  end
  if type(v) == "number" then
    if symmetric then return {-math.abs(v), math.abs(v)} end
    return {v, v}
  end
  if type(v) == "table" and #v == 2 and type(v[1]) == "number" and type(v[2]) == "number" then
    if v[1] > v[2] then
      base.argerror(cls, ("%s lower bound %g is greater than the upper bound %g"):format(what, v[1], v[2]))
    end
    return {v[1], v[2]}
  end
  base.argerror(cls, ("%s must be a number or a list {lower, upper}, got %s"):format(what, tostring(v)))
end

local function check_fill(cls, a)
  local fill = a.fill_mode
  if fill ~= "reflect" and fill ~= "wrap" and fill ~= "constant" and fill ~= "nearest" then
    base.argerror(cls, ("fill_mode must be \"reflect\", \"wrap\", \"constant\" or \"nearest\", got %s"):format(tostring(fill)))
  end
  if a.interpolation ~= "bilinear" and a.interpolation ~= "nearest" then
    base.argerror(cls, ("interpolation must be \"bilinear\" or \"nearest\", got %s"):format(tostring(a.interpolation)))
  end
  if type(a.fill_value) ~= "number" then base.argerror(cls, "fill_value must be a number") end
end

-- uniform draws in [lo, hi), one per image, as a Lua list
local function draws(n, lo, hi)
  if lo == hi then
    local t = {}
    for i = 1, n do t[i] = lo end
    return t
  end
  return tensor.rand({n}, lo, hi):totable()
end

---------------------------------------------------------------------------------------------------
-- the geometric layers share forward/backward; each class supplies _transforms(n, h, w)
---------------------------------------------------------------------------------------------------

local function image_shape(self, s)
  self:expect_rank(s, 3, "height, width, channels")
  return base.copy_shape(s)
end

local function geo_forward(self, x, training)
  self._active = training and true or false
  if not self._active then return x end
  local s = x.shape
  local rows = self:_transforms(s[1], s[2], s[3])
  local t = self:buf("transforms", {s[1], 8})
  t:copy(tensor.tensor(rows))
  local xf = x
  if x.dtype ~= "float32" then xf = x:astype("float32") end
  local y = self:buf("y", s)
  K().image_transform_forward(y, xf, t, self.interpolation, self.fill_mode, self.fill_value)
  return y
end

local function geo_backward(self, dy)
  if not self._active then return dy end
  local dx = self:buf("dx", dy.shape)
  K().image_transform_backward(dx, dy, self._bufs.transforms, self.interpolation, self.fill_mode)
  return dx
end

local geo_defaults = {fill_mode = "reflect", interpolation = "bilinear", fill_value = 0.0}

local function geo_config(self, c)
  c.fill_mode, c.interpolation, c.fill_value = self.fill_mode, self.interpolation, self.fill_value
  c.seed = self.seed
  return c
end

---------------------------------------------------------------------------------------------------
-- RandomFlip(mode = "horizontal_and_vertical")
---------------------------------------------------------------------------------------------------

local RandomFlip = class("RandomFlip", nil, {positional = {"mode", "seed"},
  defaults = {mode = "horizontal_and_vertical"}})
M.RandomFlip = RandomFlip
RandomFlip.accepts_uint8 = true

--- RandomFlip([mode = "horizontal_and_vertical", seed] [, {name, ...}]) --> layer flipping each
--- image at random in training: mode "horizontal", "vertical" or "horizontal_and_vertical"
function RandomFlip:init(a)
  local m = a.mode
  if m ~= "horizontal" and m ~= "vertical" and m ~= "horizontal_and_vertical" then
    base.argerror("RandomFlip", ("mode must be \"horizontal\", \"vertical\" or \"horizontal_and_vertical\", got %s")
      :format(tostring(m)))
  end
  self.mode, self.seed = m, a.seed
  self.fill_mode, self.interpolation, self.fill_value = "reflect", "nearest", 0
end

RandomFlip.compute_output_shape = image_shape
RandomFlip._forward, RandomFlip._backward = geo_forward, geo_backward

-- each image flips with probability 1/2 (independently per direction)
function RandomFlip:_transforms(n, h, w)
  local hflip = self.mode ~= "vertical" and draws(n, 0, 1) or nil
  local vflip = self.mode ~= "horizontal" and draws(n, 0, 1) or nil
  local rows = {}
  for i = 1, n do
    local fx = hflip and hflip[i] < 0.5
    local fy = vflip and vflip[i] < 0.5
    rows[i] = {fx and -1 or 1, 0, fx and (w - 1) or 0, 0, fy and -1 or 1, fy and (h - 1) or 0, 0, 0}
  end
  return rows
end

function RandomFlip:_config() return {mode = self.mode, seed = self.seed} end

---------------------------------------------------------------------------------------------------
-- RandomRotation(factor): angle uniform in [lower, upper] * 2*pi
---------------------------------------------------------------------------------------------------

local RandomRotation = class("RandomRotation", nil, {
  positional = {"factor", "fill_mode", "interpolation", "seed", "fill_value"}, required = {"factor"},
  tuple_first = true, defaults = geo_defaults})
M.RandomRotation = RandomRotation
RandomRotation.accepts_uint8 = true

--- RandomRotation(factor [, fill_mode = "reflect", interpolation = "bilinear", seed,
--- fill_value = 0.0] [, {name, ...}]) --> layer rotating each image by a random fraction of a
--- full turn, drawn in [-factor, factor] (or in {lower, upper})
-- fill_mode "reflect", "wrap", "constant" or "nearest"; interpolation "bilinear" or "nearest".
function RandomRotation:init(a)
  self.factor = factor(a.factor, "factor", "RandomRotation", true)
  check_fill("RandomRotation", a)
  self.fill_mode, self.interpolation, self.fill_value, self.seed = a.fill_mode, a.interpolation, a.fill_value, a.seed
end

RandomRotation.compute_output_shape = image_shape
RandomRotation._forward, RandomRotation._backward = geo_forward, geo_backward

function RandomRotation:_transforms(n, h, w)
  local angles = draws(n, self.factor[1] * 2 * math.pi, self.factor[2] * 2 * math.pi)
  local rows = {}
  for i = 1, n do
    local c, s = math.cos(angles[i]), math.sin(angles[i])
    local xo = ((w - 1) - (c * (w - 1) - s * (h - 1))) / 2
    local yo = ((h - 1) - (s * (w - 1) + c * (h - 1))) / 2
    rows[i] = {c, -s, xo, s, c, yo, 0, 0}
  end
  return rows
end

function RandomRotation:_config()
  return geo_config(self, {factor = base.copy_shape(self.factor)})
end

---------------------------------------------------------------------------------------------------
-- RandomZoom(height_factor, width_factor): positive factors zoom out, negative zoom in
---------------------------------------------------------------------------------------------------

local RandomZoom = class("RandomZoom", nil, {
  positional = {"height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value"},
  required = {"height_factor"}, tuple_first = true, defaults = geo_defaults})
M.RandomZoom = RandomZoom
RandomZoom.accepts_uint8 = true

--- RandomZoom(height_factor [, width_factor, fill_mode = "reflect", interpolation = "bilinear",
--- seed, fill_value = 0.0] [, {name, ...}]) --> layer zooming each image at random
-- A factor f draws in [-f, f] (or in {lower, upper}, lower >= -1); positive values zoom out
-- (Keras); without width_factor the aspect ratio is kept. fill_mode, interpolation as
-- RandomRotation's.
function RandomZoom:init(a)
  self.height_factor = factor(a.height_factor, "height_factor", "RandomZoom", true)
  if a.width_factor ~= nil then self.width_factor = factor(a.width_factor, "width_factor", "RandomZoom", true) end
  for _, f in ipairs{self.height_factor, self.width_factor} do
    if f[1] < -1 then base.argerror("RandomZoom", ("factors must be >= -1, got %g"):format(f[1])) end
  end
  check_fill("RandomZoom", a)
  self.fill_mode, self.interpolation, self.fill_value, self.seed = a.fill_mode, a.interpolation, a.fill_value, a.seed
end

RandomZoom.compute_output_shape = image_shape
RandomZoom._forward, RandomZoom._backward = geo_forward, geo_backward

function RandomZoom:_transforms(n, h, w)
  local hf, wf = self.height_factor, self.width_factor
  local hz = draws(n, 1 + hf[1], 1 + hf[2])
  local wz = wf and draws(n, 1 + wf[1], 1 + wf[2]) or hz
  local rows = {}
  for i = 1, n do
    rows[i] = {wz[i], 0, (w - 1) / 2 * (1 - wz[i]), 0, hz[i], (h - 1) / 2 * (1 - hz[i]), 0, 0}
  end
  return rows
end

function RandomZoom:_config()
  return geo_config(self, {height_factor = base.copy_shape(self.height_factor),
    width_factor = self.width_factor and base.copy_shape(self.width_factor)})
end

---------------------------------------------------------------------------------------------------
-- RandomTranslation(height_factor, width_factor): shifts by a fraction of the height/width
---------------------------------------------------------------------------------------------------

local RandomTranslation = class("RandomTranslation", nil, {
  positional = {"height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value"},
  required = {"height_factor", "width_factor"}, defaults = geo_defaults})
M.RandomTranslation = RandomTranslation
RandomTranslation.accepts_uint8 = true

--- RandomTranslation(height_factor, width_factor [, fill_mode = "reflect",
--- interpolation = "bilinear", seed, fill_value = 0.0] [, {name, ...}]) --> layer shifting each
--- image by a random fraction of its height and width
-- A factor f draws in [-f, f] (or in {lower, upper}), within [-1, 1]; fill_mode, interpolation as
-- RandomRotation's.
function RandomTranslation:init(a)
  self.height_factor = factor(a.height_factor, "height_factor", "RandomTranslation", true)
  self.width_factor = factor(a.width_factor, "width_factor", "RandomTranslation", true)
  for _, f in ipairs{self.height_factor, self.width_factor} do
    if math.abs(f[1]) > 1 or math.abs(f[2]) > 1 then
      base.argerror("RandomTranslation", "factors must be within [-1, 1]")
    end
  end
  check_fill("RandomTranslation", a)
  self.fill_mode, self.interpolation, self.fill_value, self.seed = a.fill_mode, a.interpolation, a.fill_value, a.seed
end

RandomTranslation.compute_output_shape = image_shape
RandomTranslation._forward, RandomTranslation._backward = geo_forward, geo_backward

-- a positive height factor moves the image down, a positive width factor to the right
function RandomTranslation:_transforms(n, h, w)
  local dy = draws(n, self.height_factor[1], self.height_factor[2])
  local dx = draws(n, self.width_factor[1], self.width_factor[2])
  local rows = {}
  for i = 1, n do rows[i] = {1, 0, -dx[i] * w, 0, 1, -dy[i] * h, 0, 0} end
  return rows
end

function RandomTranslation:_config()
  return geo_config(self, {height_factor = base.copy_shape(self.height_factor),
    width_factor = base.copy_shape(self.width_factor)})
end

---------------------------------------------------------------------------------------------------
-- RandomContrast(factor, value_range = {0, 255}): (x - mean)*k + mean per image and channel,
-- k uniform in [1 - lower, 1 + upper], clipped to value_range
---------------------------------------------------------------------------------------------------

local RandomContrast = class("RandomContrast", nil, {positional = {"factor", "value_range", "seed"},
  required = {"factor"}, tuple_first = true, defaults = {value_range = {0, 255}}})
M.RandomContrast = RandomContrast
RandomContrast.accepts_uint8 = true

--- RandomContrast(factor [, value_range = {0, 255}, seed] [, {name, ...}]) --> layer scaling each
--- image's deviation from its per-channel mean by a random contrast in [1 - lower, 1 + upper]
-- factor a number f (lower = upper = f) or {lower, upper}, non-negative, lower at most 1; the
-- result is clipped to value_range {low, high}.
function RandomContrast:init(a)
  local f = factor(a.factor, "factor", "RandomContrast", false)
  if f[1] < 0 or f[2] < 0 or f[1] > 1 then
    base.argerror("RandomContrast", "factor must be non-negative (and the lower bound at most 1)")
  end
  local vr = a.value_range
  if type(vr) ~= "table" or #vr ~= 2 or type(vr[1]) ~= "number" or type(vr[2]) ~= "number" or not (vr[1] < vr[2]) then
    base.argerror("RandomContrast", "value_range must be a list {low, high} with low < high")
  end
  self.factor, self.value_range, self.seed = f, {vr[1], vr[2]}, a.seed
end

RandomContrast.compute_output_shape = image_shape

function RandomContrast:_forward(x, training)
  self._active = training and true or false
  if not self._active then return x end
  local s = x.shape
  local n, hw, c = s[1], s[2] * s[3], s[4]
  local k = tensor.tensor(draws(n, 1 - self.factor[1], 1 + self.factor[2])):reshape{n, 1, 1}
  local x3 = x:reshape{n, hw, c}
  if x.dtype ~= "float32" then x3 = x3:astype("float32") end
  local mean = x3:mean(2, true)                       -- (n, 1, c)
  local y = self:buf("y", s)
  local y3 = y:reshape{n, hw, c}
  y3:copy((x3 - mean) * k + mean)
  -- the clipped entries pass no gradient
  local keep = self:buf("keep", {n, hw, c})
  keep:copy(y3:ge(self.value_range[1]) * y3:le(self.value_range[2]))
  y3:clamp_(self.value_range[1], self.value_range[2])
  self._k = k
  return y
end

-- y = k*x + (1-k)*mean(x) on the unclipped entries: dx = k*g + (1-k)*mean(g), g = dy*keep
function RandomContrast:_backward(dy)
  if not self._active then return dy end
  local s = dy.shape
  local n, hw, c = s[1], s[2] * s[3], s[4]
  local g = dy:reshape{n, hw, c} * self._bufs.keep
  local k = self._k
  local dx = self:buf("dx", s)
  dx:reshape{n, hw, c}:copy(g * k + g:mean(2, true) * (1 - k))
  return dx
end

function RandomContrast:_config()
  return {factor = base.copy_shape(self.factor), value_range = base.copy_shape(self.value_range), seed = self.seed}
end

return M
