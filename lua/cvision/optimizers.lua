-- cvision.optimizers: Adam, SGD (momentum, Nesterov) and RMSprop with Keras' update rules and
-- defaults. Each optimizer keeps its state tensors (slots) per parameter, keyed by the parameter's
-- path ("conv1/kernel"), and an iteration count; both are saved with the model so that training
-- resumes exactly. The arithmetic is in C: core.nn.adam_update, sgd_update, rmsprop_update.
local core = require "cvision.core"

local M = {}

local Optimizer = {}
Optimizer.__index = Optimizer
M.Optimizer = Optimizer

function Optimizer.__tostring(self)
  return ("<%s learning_rate=%g>"):format(self.class_name, self.learning_rate)
end

local classes = {}

-- class(class_name, name, defaults, slots): defaults is an ordered list of {key, value}
local function class(class_name, name, defaults, slots)
  local cls = setmetatable({}, {__index = Optimizer, __call = function(c, ...) return c.new(...) end})
  cls.__index = cls
  cls.__tostring = Optimizer.__tostring
  cls.class_name = class_name
  cls.name = name
  cls.defaults = defaults
  cls.slot_names = slots
  function cls.new(args)
    args = args or {}
    if type(args) ~= "table" then
      error(("bad argument #1 to '%s' (table of options expected, got %s)"):format(class_name, type(args)), 2)
    end
    local self = setmetatable({}, cls)
    local known = {name = true}
    for _, kv in ipairs(defaults) do
      local k, v = kv[1], kv[2]
      known[k] = true
      if args[k] ~= nil then v = args[k] end
      self[k] = v
    end
    if args.lr ~= nil and args.learning_rate == nil then self.learning_rate = args.lr; known.lr = true end
    for k in pairs(args) do
      if not known[k] then error(("bad argument to '%s' (unknown option '%s')"):format(class_name, tostring(k)), 2) end
    end
    if type(self.learning_rate) ~= "number" or not (self.learning_rate >= 0 and self.learning_rate < math.huge) then
      error(("bad argument to '%s' (learning_rate must be a non-negative number, got %s)"):format(class_name,
        tostring(self.learning_rate)), 2)
    end
    -- the other hyper-parameters: numbers in their range (NaN would silently ruin every weight)
    for k, range in pairs(cls.ranges or {}) do
      local v = self[k]
      if range == "boolean" then
        if type(v) ~= "boolean" then
          error(("bad argument to '%s' (%s must be a boolean, got %s)"):format(class_name, k, tostring(v)), 2)
        end
      elseif type(v) ~= "number" or not (v >= range[1] and v <= range[2]) then
        error(("bad argument to '%s' (%s must be a number in [%g, %g], got %s)"):format(class_name, k,
          range[1], range[2], tostring(v)), 2)
      end
    end
    self.iterations = 0
    self.slots = {}        -- path --> {slot_name --> tensor}
    return self
  end
  classes[class_name] = cls
  M[class_name] = cls
  return cls
end

--- opt:slots_for(param) --> the state tensors of one parameter, created (zeros) on first use
function Optimizer:slots_for(p)
  local key = p.path or p.name
  local s = self.slots[key]
  if not s then
    s = {}
    for _, sn in ipairs(self:active_slots()) do s[sn] = core.empty(p.value.shape) end
    self.slots[key] = s
  end
  return s
end

function Optimizer:active_slots() return self.slot_names end

--- opt:apply(params): one update step of every {value=, grad=, path=} from its grad
function Optimizer:apply(params)
  self.iterations = self.iterations + 1
  for _, p in ipairs(params) do self:update(p, self:slots_for(p)) end
end

function Optimizer:get_config()
  local cfg = {name = self.name}
  for _, kv in ipairs(self.defaults) do cfg[kv[1]] = self[kv[1]] end
  return cfg
end

--- opt:get_state() --> iterations, list of {path, slot, tensor} (sorted by path then slot)
function Optimizer:get_state()
  local list = {}
  local keys = {}
  for k in pairs(self.slots) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do
    for _, sn in ipairs(self:active_slots()) do
      if self.slots[k][sn] then list[#list + 1] = {k, sn, self.slots[k][sn]} end
    end
  end
  return self.iterations, list
end

--- opt:set_state(iterations, list of {path, slot, tensor}): slots must be this optimizer's, and
-- a parameter has all its slots or none
function Optimizer:set_state(iterations, list)
  -- (the update kernels take the step count as a C int, at most 2^30)
  if math.type(iterations) ~= "integer" or iterations < 0 or iterations >= 1 << 30 then
    error(("set_state: iterations must be an integer in [0, 2^30), got %s"):format(tostring(iterations)), 2)
  end
  local active, count = {}, {}
  for _, sn in ipairs(self:active_slots()) do active[sn] = true end
  for i, e in ipairs(list) do
    if type(e) ~= "table" or type(e[1]) ~= "string" or not core.is_tensor(e[3]) then
      error(("set_state: entry %d is not {path, slot, tensor}"):format(i), 2)
    end
    if not active[e[2]] then
      error(("set_state: %s has no slot %q (its slots: %s)"):format(self.class_name, tostring(e[2]),
        table.concat(self:active_slots(), ", ")), 2)
    end
    count[e[1]] = (count[e[1]] or 0) + 1
  end
  for path, c in pairs(count) do
    if c ~= #self:active_slots() then
      error(("set_state: %s has %d of the %d slots of %s"):format(path, c, #self:active_slots(), self.class_name), 2)
    end
  end
  self.iterations = iterations
  self.slots = {}
  for _, e in ipairs(list) do
    local s = self.slots[e[1]] or {}
    s[e[2]] = e[3]
    self.slots[e[1]] = s
  end
end

local Adam = class("Adam", "adam", {
  {"learning_rate", 0.001}, {"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7},
}, {"m", "v"})
Adam.ranges = {beta_1 = {0, 1}, beta_2 = {0, 1}, epsilon = {0, math.huge}}
function Adam:update(p, s)
  core.nn.adam_update(p.value, p.grad, s.m, s.v, self.learning_rate, self.beta_1, self.beta_2,
    self.epsilon, self.iterations)
end

local SGD = class("SGD", "sgd", {
  {"learning_rate", 0.01}, {"momentum", 0.0}, {"nesterov", false},
}, {"velocity"})
SGD.ranges = {momentum = {0, 1}, nesterov = "boolean"}   -- Keras: momentum "a float between [0, 1]"
function SGD:active_slots()
  if self.momentum ~= 0 then return self.slot_names end
  return {}
end
function SGD:update(p, s)
  core.nn.sgd_update(p.value, p.grad, s.velocity, self.learning_rate, self.momentum, self.nesterov)
end

local RMSprop = class("RMSprop", "rmsprop", {
  {"learning_rate", 0.001}, {"rho", 0.9}, {"momentum", 0.0}, {"epsilon", 1e-7},
}, {"ms", "mom"})
RMSprop.ranges = {rho = {0, 1}, momentum = {0, 1}, epsilon = {0, math.huge}}
function RMSprop:active_slots()
  if self.momentum ~= 0 then return self.slot_names end
  return {"ms"}
end
function RMSprop:update(p, s)
  core.nn.rmsprop_update(p.value, p.grad, s.ms, s.mom, self.learning_rate, self.rho, self.momentum,
    self.epsilon)
end

--- get(identifier) --> an optimizer from an optimizer, a name ("adam", "sgd", "rmsprop") or a
-- config {class_name=, config=}
function M.get(id)
  if type(id) == "table" and getmetatable(id) and rawget(getmetatable(id), "class_name") then return id end
  if type(id) == "string" then
    local l = id:lower()
    for _, cls in pairs(classes) do
      if cls.name == l or cls.class_name:lower() == l then return cls.new() end
    end
    error(("unknown optimizer '%s' (known: adam, rmsprop, sgd)"):format(id), 2)
  end
  if type(id) == "table" and id.class_name then
    local cls = classes[id.class_name]
    if not cls then error(("unknown optimizer class '%s'"):format(tostring(id.class_name)), 2) end
    if id.config ~= nil and type(id.config) ~= "table" then
      error(("the config of optimizer %s is not an object"):format(id.class_name), 2)
    end
    local cfg = {}
    for k, v in pairs(id.config or {}) do if k ~= "name" then cfg[k] = v end end
    return cls.new(cfg)
  end
  error(("bad optimizer %s: expected an optimizer or a name such as \"adam\""):format(tostring(id)), 2)
end

--- serialize(opt) --> {class_name=, config=}
function M.serialize(opt)
  return {class_name = opt.class_name, config = opt:get_config()}
end

return M
