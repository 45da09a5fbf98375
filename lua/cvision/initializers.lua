-- cvision.initializers: Keras' weight initialisers, by name or as configurable objects.
-- Fans follow keras.initializers' compute_fans (a conv kernel (kh, kw, in, out) has
-- fan_in = kh*kw*in, fan_out = kh*kw*out). Everything draws from the one global random stream in
-- a fixed order, so cv.manual_seed(n) reproduces the weights.
local tensor = require "cvision.tensor"
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local function numel(shape)
  local n = 1
  for i = 1, #shape do n = n * shape[i] end
  return n
end

--- compute_fans(shape) --> fan_in, fan_out (as Keras)
function M.compute_fans(shape)
  local n = #shape
  if n == 0 then return 1, 1 end
  if n == 1 then return shape[1], shape[1] end
  if n == 2 then return shape[1], shape[2] end
  local rf = 1
  for i = 1, n - 2 do rf = rf * shape[i] end
  return shape[n - 1] * rf, shape[n] * rf
end

-- uniform in [lo, hi)
local function uniform(shape, lo, hi)
  local u = tensor.rand(shape)
  return u * (hi - lo) + lo
end

-- standard normal truncated to [-2, 2] (out-of-range values redrawn, in element order)
local function truncated_std_normal(shape)
  local n = numel(shape)
  if n == 0 then return tensor.zeros(shape) end
  local flat = tensor.randn({n}):totable()
  local bad = {}
  for i = 1, n do if flat[i] < -2 or flat[i] > 2 then bad[#bad + 1] = i end end
  while #bad > 0 do
    local redraw = tensor.randn({#bad}):totable()
    local still = {}
    for j, i in ipairs(bad) do
      local v = redraw[j]
      flat[i] = v
      if v < -2 or v > 2 then still[#still + 1] = i end
    end
    bad = still
  end
  return tensor.tensor(flat):reshape(shape)
end

local Initializer = class.base()
-- the bytes weights may still take while a model file is rebuilt (M.with_budget), or nil
local budget

--- with_budget(bytes, what, fn, ...) --> fn(...)'s results; while fn runs, the weights initialisers
--- make may take at most `bytes` in all (load_model: no more than the tensors its file holds), and
--- one more is an error naming its shape and `what` (the file) before it is allocated
function M.with_budget(bytes, what, fn, ...)
  local saved = budget
  budget = {left = bytes, what = what}
  local r = table.pack(pcall(fn, ...))
  budget = saved
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

local function charge(shape)
  local n = 4
  for i = 1, #shape do
    local d = shape[i]
    if math.type(d) ~= "integer" or d < 0 or (d > 0 and n > math.maxinteger // d) then n = math.huge break end
    n = n * d
  end
  if n > budget.left then
    local dims = {}
    for i = 1, #shape do dims[i] = tostring(shape[i]) end
    error(("weights of shape (%s) need %s bytes, more than the %d bytes of tensors %s holds"):format(
      table.concat(dims, ", "), n == math.huge and "too many" or tostring(n), budget.left, budget.what), 0)
  end
  budget.left = budget.left - n
end

--- init(shape) --> a new tensor of that shape drawn by the initializer
Initializer.__call = function(self, shape)
  if budget then charge(shape) end
  return self:draw(shape)
end

-- the classes by class name, and the names Keras accepts as strings (no case folding)
local registry = class.registry("initializer", {fold_case = false})

-- define(name, defaults, draw): the class, and M[name](cfg) --> an initializer object
local function define(name, defaults, draw)
  local cls = class.define(name, Initializer, {draw = draw})
  registry:register(cls)
  M[name] = function(cfg)
    cfg = cfg or {}
    if type(cfg) ~= "table" then
      error(errors.bad_argument(name, "table of arguments expected", 1), 2)
    end
    local config = {}
    for k, v in pairs(defaults) do config[k] = v end
    for k, v in pairs(cfg) do
      if defaults[k] == nil and k ~= "seed" then
        error(errors.unknown_option(name, k, "keyword argument"), 2)
      end
      -- a value of its default's type (numbers not NaN): a typo fails here, not at build time
      local d = defaults[k]
      if d ~= nil and (type(v) ~= type(d) or v ~= v) then
        error(errors.bad_argument(name, ("%s must be a %s, got %s"):format(k, type(d), tostring(v))), 2)
      end
      config[k] = v
    end
    local problem = cls.validate and cls.validate(config)
    if problem then error(errors.bad_argument(name, problem), 2) end
    return setmetatable({config = config}, cls)
  end
  return cls
end

--- init:get_config() --> a copy of its arguments
function Initializer:get_config()
  local c = {}
  for k, v in pairs(self.config) do c[k] = v end
  return c
end

define("Zeros", {}, function(_, shape) return tensor.zeros(shape) end)
define("Ones", {}, function(_, shape) return tensor.zeros(shape) + 1 end)
define("Constant", {value = 0}, function(self, shape) return tensor.zeros(shape) + self.config.value end)
define("RandomUniform", {minval = -0.05, maxval = 0.05}, function(self, shape)
  return uniform(shape, self.config.minval, self.config.maxval)
end)
define("RandomNormal", {mean = 0.0, stddev = 0.05}, function(self, shape)
  return tensor.randn(shape) * self.config.stddev + self.config.mean
end)
define("TruncatedNormal", {mean = 0.0, stddev = 0.05}, function(self, shape)
  return truncated_std_normal(shape) * self.config.stddev + self.config.mean
end)

local function variance_scaling(self, shape)
  local c = self.config
  local fan_in, fan_out = M.compute_fans(shape)
  local n
  if c.mode == "fan_in" then n = fan_in
  elseif c.mode == "fan_out" then n = fan_out
  elseif c.mode == "fan_avg" then n = (fan_in + fan_out) / 2
  else error(("VarianceScaling: mode must be fan_in, fan_out or fan_avg, got %s"):format(tostring(c.mode)), 3) end
  local scale = c.scale / math.max(1, n)
  if c.distribution == "truncated_normal" then
    -- 0.879...: stddev of a standard normal truncated to [-2, 2]
    return truncated_std_normal(shape) * (math.sqrt(scale) / 0.87962566103423978)
  elseif c.distribution == "untruncated_normal" or c.distribution == "normal" then
    return tensor.randn(shape) * math.sqrt(scale)
  elseif c.distribution == "uniform" then
    local limit = math.sqrt(3 * scale)
    return uniform(shape, -limit, limit)
  end
  error(("VarianceScaling: unknown distribution %s"):format(tostring(c.distribution)), 3)
end

local VS = define("VarianceScaling", {scale = 1.0, mode = "fan_in", distribution = "truncated_normal"},
  variance_scaling)
-- Keras' checks of VarianceScaling's arguments
local vs_modes = {fan_in = true, fan_out = true, fan_avg = true}
local vs_distributions = {truncated_normal = true, untruncated_normal = true, normal = true, uniform = true}
--- VarianceScaling.validate(config) --> nil, or what is wrong with it
function VS.validate(c)
  if not (c.scale > 0) then return ("scale must be positive, got %s"):format(tostring(c.scale)) end
  if not vs_modes[c.mode] then
    return ("mode must be fan_in, fan_out or fan_avg, got %s"):format(tostring(c.mode))
  end
  if not vs_distributions[c.distribution] then
    return ("distribution must be truncated_normal, untruncated_normal, normal or uniform, got %s")
      :format(tostring(c.distribution))
  end
end

-- the named variance-scaling initialisers: fixed scale/mode/distribution
local function fixed(name, scale, mode, distribution)
  local cls = define(name, {}, variance_scaling)
  local make = M[name]
  M[name] = function(cfg)
    local obj = make(cfg)
    obj.config.scale, obj.config.mode, obj.config.distribution = scale, mode, distribution
    obj.get_config = function(s)
      local c = {}
      for k, v in pairs(s.config) do
        if k ~= "scale" and k ~= "mode" and k ~= "distribution" then c[k] = v end
      end
      return c
    end
    return obj
  end
  return cls
end

fixed("GlorotUniform", 1.0, "fan_avg", "uniform")
fixed("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
fixed("HeNormal", 2.0, "fan_in", "truncated_normal")
fixed("HeUniform", 2.0, "fan_in", "uniform")
fixed("LecunNormal", 1.0, "fan_in", "truncated_normal")
fixed("LecunUniform", 1.0, "fan_in", "uniform")

local aliases = {
  zeros = "Zeros", ones = "Ones", constant = "Constant", random_uniform = "RandomUniform",
  random_normal = "RandomNormal", truncated_normal = "TruncatedNormal",
  variance_scaling = "VarianceScaling", glorot_uniform = "GlorotUniform",
  glorot_normal = "GlorotNormal", he_normal = "HeNormal", he_uniform = "HeUniform",
  lecun_normal = "LecunNormal", lecun_uniform = "LecunUniform",
}
local canonical = {}
for k, v in pairs(aliases) do
  canonical[v] = k
  registry:alias(k, registry:class(v))
end

-- functional forms: cv.initializers.glorot_uniform(shape) --> tensor
for alias, cls_name in pairs(aliases) do
  M[alias] = function(shape) return M[cls_name]()(shape) end
end

--- get(spec) --> initializer object (spec: a name, a class name, {class_name=, config=}, an
--- initializer object or a function(shape) --> tensor)
function M.get(spec)
  if class.is_object(spec) then return spec end
  if type(spec) == "function" then
    return setmetatable({config = {}, fn = spec}, {class_name = "custom", __index = {
      draw = function(s, shape) return s.fn(shape) end,
      get_config = function() return {} end},
      __call = function(s, shape) return s.fn(shape) end})
  end
  if type(spec) == "table" and spec.class_name then
    local cls = registry:lookup(spec.class_name)
    if not cls then error(("unknown initializer '%s'"):format(tostring(spec.class_name)), 2) end
    return M[cls.class_name](spec.config)
  end
  if type(spec) == "string" then
    local cls = registry:lookup(spec)
    if cls then return M[cls.class_name]() end
    error(registry:unknown(spec), 2)
  end
  error(errors.bad_argument("get", ("initializer name, table or function expected, got %s"):format(type(spec)), 1), 2)
end

--- serialize(init) --> "glorot_uniform" for defaults, or {class_name=, config=} (JSON-friendly)
function M.serialize(init)
  local obj = M.get(init)
  local cls = getmetatable(obj).class_name
  if cls == "custom" then error("a custom initializer function cannot be saved", 2) end
  local cfg = obj:get_config()
  if next(cfg) == nil and canonical[cls] then return canonical[cls] end
  return {class_name = cls, config = cfg}   -- class.serialize's form, with the trimmed config
end

return M
