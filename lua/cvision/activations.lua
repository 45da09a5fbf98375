-- cvision.activations: Keras' activations by name or function. relu, leaky_relu, relu6, tanh,
-- sigmoid, softmax (over the last axis), exponential, linear run as C kernels (core.nn); silu
-- (Keras' swish, under both names: x * sigmoid(x)) is written in Lua over the sigmoid kernel;
-- elu (alpha, default 1.0), gelu (exact, Keras' default) and softplus are Lua over tensor ops too;
-- leaky_relu takes alpha (Keras' default 0.2) as get("leaky_relu", alpha) or leaky_relu(x, alpha);
-- `register(name, f, df)` adds one written in Lua. As functions, `cv.activations.relu(x)` returns a
-- new tensor; layers use `get(spec)`, which gives an object with in-place-capable forward/backward.
local core = require "cvision.core"
local tensor = require "cvision.tensor"
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local builtin = {
  relu = true, leaky_relu = true, relu6 = true, tanh = true, sigmoid = true, softmax = true,
  exponential = true, linear = true,
}
-- Keras' default slope of the leaky_relu activation function (keras.activations.leaky_relu)
local LEAKY_DEFAULT = 0.2

local registered = {}   -- name --> {forward = f(x) --> y, backward = df(dy, x, y) --> dx}
local by_function = {}  -- function --> name, for the functions of this module and registered ones

local lua_builtin = {}   -- the activations written in Lua below (elu, gelu, softplus)

local function nn() return core.nn end

-- one class for every activation object, told apart by name (not a registry family: an activation
-- serializes as its name alone)
local Activation = class.base()

--- act:forward(y, x) --> y: y = f(x); y may be x (in place) for the C kernels
function Activation:forward(y, x)
  if self.custom then
    local r = self.custom.forward(x, self.alpha)
    y:copy(r)
    return y
  end
  nn().activation_forward(y, x, self.name, self.alpha or 0)
  return y
end

--- act:backward(dx, dy, x, y) --> dx: dx = dy * f'(x) (softmax: the full Jacobian product)
function Activation:backward(dx, dy, x, y)
  if self.custom then
    if not self.custom.backward then
      error(("activation '%s' has no derivative: register it with "
        .. "cv.activations.register(name, f, df)"):format(self.name), 3)
    end
    dx:copy(self.custom.backward(dy, x, y, self.alpha))
    return dx
  end
  nn().activation_backward(dx, dy, x, y, self.name, self.alpha or 0)
  return dx
end

--- act:is_linear() --> true for the identity (a layer then skips it)
function Activation:is_linear() return self.name == "linear" and not self.custom end

--- get(spec [, alpha]) --> activation object (spec: a name, nil = linear, a function of this
--- module or a registered function, or an activation object)
function M.get(spec, alpha)
  if spec == nil then spec = "linear" end
  if type(spec) == "table" and getmetatable(spec) == Activation then return spec end
  if type(spec) == "function" then
    local name = by_function[spec]
    if not name then
      return setmetatable({name = "custom", custom = {forward = spec}}, Activation)
    end
    spec = name
  end
  if type(spec) ~= "string" then
    error(errors.bad_argument("get", ("activation name or function expected, got %s"):format(type(spec)), 1), 2)
  end
  local name = spec:lower()
  if name == "none" then name = "linear" end
  if builtin[name] then
    if name == "leaky_relu" then alpha = alpha or LEAKY_DEFAULT end
    return setmetatable({name = name, alpha = alpha}, Activation)
  end
  local r = registered[name]
  if r then return setmetatable({name = name, custom = r, alpha = alpha}, Activation) end
  local names = {}
  for k in pairs(builtin) do names[#names + 1] = k end
  for k in pairs(registered) do names[#names + 1] = k end
  error(errors.unknown("activation", spec, names), 2)
end

--- serialize(spec) --> the name, for configs (nil for linear)
function M.serialize(spec)
  local a = M.get(spec)
  if a.name == "custom" then
    error("a custom activation function cannot be saved: register it with cv.activations.register", 2)
  end
  return a.name
end

--- register(name, f [, df]): f(x) --> y (a new tensor); df(dy, x, y) --> dx
function M.register(name, f, df)
  if type(name) ~= "string" then error(errors.bad_argument("register", "name expected", 1), 2) end
  if type(f) ~= "function" then error(errors.bad_argument("register", "function expected", 2), 2) end
  if df ~= nil and type(df) ~= "function" then error(errors.bad_argument("register", "function expected", 3), 2) end
  if builtin[name:lower()] or name:lower() == "silu" or name:lower() == "swish" then error(errors.bad_argument("register", ("'%s' is built in"):format(name), 1), 2) end
  if lua_builtin[name:lower()] then error(errors.bad_argument("register", ("'%s' is built in"):format(name), 1), 2) end
  registered[name:lower()] = {forward = f, backward = df}
  by_function[f] = name:lower()
  M[name] = M[name] or f
end

-- the functional forms: cv.activations.relu(x) --> new tensor
local function functional(name)
  local f = function(x, alpha)
    local xf = x
    if x.dtype ~= "float32" then xf = x:astype("float32") end
    local y = tensor.zeros(xf.shape)
    core.nn.activation_forward(y, xf, name, alpha or (name == "leaky_relu" and LEAKY_DEFAULT) or 0)
    return y
  end
  by_function[f] = name
  return f
end

for name in pairs(builtin) do M[name] = functional(name) end

-- silu(x) = x * sigmoid(x) (Keras 3: keras.activations.silu, also exported as swish);
-- d/dx = s + x*s*(1 - s) = s + y*(1 - s)
local function silu(x) return x * M.sigmoid(x) end
local function silu_grad(dy, x, y)
  local s = M.sigmoid(x)
  return dy * (s + y * (1 - s))
end
for _, name in ipairs{"silu", "swish"} do
  registered[name] = {forward = silu, backward = silu_grad}
  M[name] = silu
end
by_function[silu] = "silu"

-- elu, gelu and softplus: Keras' definitions over tensor ops (not hot enough for a C kernel).
-- Each takes x (and elu an alpha) and returns a new float32 tensor; the grad functions follow
-- register's df(dy, x, y [, alpha]).
local function f32(x) return x.dtype == "float32" and x or x:astype("float32") end

--- elu(x [, alpha=1.0]) --> x where x > 0, alpha * (exp(x) - 1) elsewhere (keras.activations.elu)
local function elu(x, alpha)
  x = f32(x)
  alpha = alpha or 1.0
  local pos = x:gt(0)
  return x * pos + (x:minimum(0):exp() - 1) * alpha * (1 - pos)
end
local function elu_grad(dy, x, _y, alpha)
  alpha = alpha or 1.0
  local pos = x:gt(0)
  return dy * (pos + x:minimum(0):exp() * alpha * (1 - pos))
end

-- erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32's resolution near 1)
local function erf(x)
  local a = x:abs()
  local t = 1 / (a * 0.3275911 + 1)
  local poly = t * (t * (t * (t * (t * 1.061405429 - 1.453152027) + 1.421413741) - 0.284496736) + 0.254829592)
  return x:sign() * (1 - poly * (-(a * a)):exp())
end

--- gelu(x) --> x * 0.5 * (1 + erf(x / sqrt(2))): Keras' gelu with its default approximate=False
local function gelu(x)
  x = f32(x)
  return x * (erf(x * (1 / math.sqrt(2))) + 1) * 0.5
end
-- d/dx = Phi(x) + x * phi(x), phi the standard normal density
local function gelu_grad(dy, x)
  local cdf = (erf(x * (1 / math.sqrt(2))) + 1) * 0.5
  local pdf = (x * x * -0.5):exp() * (1 / math.sqrt(2 * math.pi))
  return dy * (cdf + x * pdf)
end

--- softplus(x) --> log(1 + exp(x)), computed as max(x, 0) + log(1 + exp(-|x|)) so large |x|
--- neither overflows nor loses x (keras.activations.softplus)
local function softplus(x)
  x = f32(x)
  return x:maximum(0) + ((-x:abs()):exp() + 1):log()
end
local function softplus_grad(dy, x) return dy * M.sigmoid(x) end

for name, fs in pairs{elu = {elu, elu_grad}, gelu = {gelu, gelu_grad}, softplus = {softplus, softplus_grad}} do
  registered[name] = {forward = fs[1], backward = fs[2]}
  lua_builtin[name] = true
  M[name] = fs[1]
  by_function[fs[1]] = name
end

M.names = {"relu", "leaky_relu", "relu6", "tanh", "sigmoid", "softmax", "exponential", "linear", "silu", "swish",
  "elu", "gelu", "softplus"}

return M
