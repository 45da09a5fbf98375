-- cvision.optimizers: Adam, SGD (momentum, Nesterov) and RMSprop with Keras' update rules and
-- defaults. Each optimizer keeps its state tensors (slots) per parameter, keyed by the parameter's
-- path ("conv1/kernel"), and an iteration count; both are saved with the model so that training
-- resumes exactly. The arithmetic is in C: core.nn.adam_update, sgd_update, rmsprop_update.
local core = require "cvision.core"
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local Optimizer = class.base()
M.Optimizer = Optimizer

--- tostring(opt) --> "<ClassName learning_rate=...>"
function Optimizer.__tostring(self)
  return ("<%s learning_rate=%g>"):format(self.class_name, self.learning_rate)
end

local registry = class.registry("optimizer")

-- define(class_name, name, defaults, slots): defaults is an ordered list of {key, value}
local function define(class_name, name, defaults, slots)
  local cls = class.define(class_name, Optimizer, {name = name, defaults = defaults, slot_names = slots})
  function cls.new(args, ...)
    if type(args) == "number" then
      -- positional, as Keras users write Adam(1e-5): the options in Keras' order, then a table
      local pos, named = table.pack(args, ...), {}
      if type(pos[pos.n]) == "table" then named = pos[pos.n]; pos.n = pos.n - 1 end
      if pos.n > #defaults then
        error(errors.bad_argument(class_name, ("at most %d positional arguments (%s), got %d"):format(#defaults,
          defaults[1][1] .. ", ...", pos.n)), 2)
      end
      args = {}
      for k, v in pairs(named) do args[k] = v end
      for i = 1, pos.n do
        local k = defaults[i][1]
        if named[k] ~= nil then error(errors.bad_argument(class_name, ("%s given twice"):format(k)), 2) end
        args[k] = pos[i]
      end
    end
    args = args or {}
    if type(args) ~= "table" then error(errors.options_expected(class_name, args), 2) end
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
      if not known[k] then error(errors.unknown_option(class_name, k), 2) end
    end
    local problem = self:check_hyperparameters()
    if problem then error(errors.bad_argument(class_name, problem), 2) end
    self.iterations = 0
    self.slots = {}        -- path --> {slot_name --> tensor}
    return self
  end
  registry:register(cls, name)
  M[class_name] = cls
  return cls
end

--- opt:check_hyperparameters() --> nil when every hyper-parameter is a number in its range (learning
--- rate finite and >= 0, Adam's betas in [0, 1), ...), else a message naming the first bad one; run
--- at construction, on a model file's optimizer state, and before each update step (so a NaN
--- learning rate set after compile stops the next step instead of ruining every weight)
function Optimizer:check_hyperparameters()
  local lr = self.learning_rate
  if type(lr) ~= "number" or not (lr >= 0 and lr < math.huge) then
    return ("learning_rate must be a non-negative number, got %s"):format(tostring(lr))
  end
  for k, range in pairs(getmetatable(self).ranges or {}) do
    local v = self[k]
    if range == "boolean" then
      if type(v) ~= "boolean" then return ("%s must be a boolean, got %s"):format(k, tostring(v)) end
    elseif type(v) ~= "number" or not (v >= range[1] and v <= range[2]) then
      return ("%s must be a number in [%g, %g], got %s"):format(k, range[1], range[2], tostring(v))
    end
  end
end

local function check_step(opt)
  local problem = opt:check_hyperparameters()
  if problem then error(("%s: %s"):format(opt.class_name, problem), 3) end
end

-- the slots of the parameter `key`, made on first use: one zero tensor of value's shape per active
-- slot name (none for SGD without momentum)
local function slots_of(opt, key, value)
  local s = opt.slots[key]
  if not s then
    s = {}
    for _, sn in ipairs(opt:active_slots()) do s[sn] = core.empty(value.shape) end
    opt.slots[key] = s
  end
  return s
end

-- update_one(opt, key, value, grad): one step of one parameter, in place, by the class's rule
local function update_one(opt, key, value, grad)
  opt:rule(value, grad, slots_of(opt, key, value))
end

--- opt:slots_for(param) --> the state tensors of one parameter, created (zeros) on first use
function Optimizer:slots_for(p) return slots_of(self, p.path or p.name, p.value) end

--- opt:active_slots() --> the names of the slots this optimizer keeps per parameter
function Optimizer:active_slots() return self.slot_names end

--- opt:apply(params): one update step of every {value=, grad=, path=} from its grad
function Optimizer:apply(params)
  check_step(self)
  self.iterations = self.iterations + 1
  for _, p in ipairs(params) do update_one(self, p.path or p.name, p.value, p.grad) end
end

-- the slots of a parameter block (cvision.models.params) as blocks of their own, so that one run
-- of the block is one kernel call: each trainable parameter's slots become views into them,
-- keeping the values they had (a restored state, earlier steps). Remade when the block or its
-- runs change, or after set_state.
local function bind_block(opt, b)
  local bound = opt._bound
  if bound and bound.block == b and bound.version == b.version then return bound end
  local names = opt:active_slots()
  local blocks = {}
  for _, sn in ipairs(names) do blocks[sn] = core.empty{b.value:numel()} end
  for _, e in ipairs(b.entries) do
    if e.layer.trainable ~= false then
      local s = opt.slots[e.path] or {}
      for _, sn in ipairs(names) do
        local view = blocks[sn]:slice(e.offset + 1, e.offset + e.n):reshape(e.value.shape)
        if s[sn] then view:copy(s[sn]) end
        s[sn] = view
      end
      opt.slots[e.path] = s
    end
  end
  local run_slots = {}
  for k, r in ipairs(b.runs) do
    local rs = {}
    for _, sn in ipairs(names) do rs[sn] = blocks[sn]:slice(r.first, r.last) end
    run_slots[k] = rs
  end
  bound = {block = b, version = b.version, run_slots = run_slots}
  opt._bound = bound
  return bound
end

--- opt:apply_block(block): one update step of a model's parameter block (cvision.models.params):
--- the same arithmetic as apply(model:params()), in one kernel call per run of trainable weights
function Optimizer:apply_block(b)
  check_step(self)
  self.iterations = self.iterations + 1
  local bound = bind_block(self, b)
  for k, r in ipairs(b.runs) do self:rule(r.value, r.grad, bound.run_slots[k]) end
end

--- opt:get_config() --> {name=, learning_rate=, ...}: the hyper-parameters, for a model file
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
  self._bound = nil     -- the block, if any, takes the restored slots in on its next step
  for _, e in ipairs(list) do
    local s = self.slots[e[1]] or {}
    s[e[2]] = e[3]
    self.slots[e[1]] = s
  end
end

local Adam = define("Adam", "adam", {
  {"learning_rate", 0.001}, {"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7},
}, {"m", "v"})
Adam.ranges = {beta_1 = {0, 1}, beta_2 = {0, 1}, epsilon = {0, math.huge}}
--- adam:rule(value, grad, slots): one Adam step of one parameter, in place
function Adam:rule(value, grad, s)
  core.nn.adam_update(value, grad, s.m, s.v, self.learning_rate, self.beta_1, self.beta_2,
    self.epsilon, self.iterations)
end

local SGD = define("SGD", "sgd", {
  {"learning_rate", 0.01}, {"momentum", 0.0}, {"nesterov", false},
}, {"velocity"})
SGD.ranges = {momentum = {0, 1}, nesterov = "boolean"}   -- Keras: momentum "a float between [0, 1]"
--- sgd:active_slots() --> {"velocity"} with momentum, else none
function SGD:active_slots()
  if self.momentum ~= 0 then return self.slot_names end
  return {}
end
--- sgd:rule(value, grad, slots): one SGD step of one parameter, in place
function SGD:rule(value, grad, s)
  core.nn.sgd_update(value, grad, s.velocity, self.learning_rate, self.momentum, self.nesterov)
end

local RMSprop = define("RMSprop", "rmsprop", {
  {"learning_rate", 0.001}, {"rho", 0.9}, {"momentum", 0.0}, {"epsilon", 1e-7},
}, {"ms", "mom"})
RMSprop.ranges = {rho = {0, 1}, momentum = {0, 1}, epsilon = {0, math.huge}}
--- rmsprop:active_slots() --> {"ms", "mom"} with momentum, else {"ms"}
function RMSprop:active_slots()
  if self.momentum ~= 0 then return self.slot_names end
  return {"ms"}
end
--- rmsprop:rule(value, grad, slots): one RMSprop step of one parameter, in place
function RMSprop:rule(value, grad, s)
  core.nn.rmsprop_update(value, grad, s.ms, s.mom, self.learning_rate, self.rho, self.momentum,
    self.epsilon)
end

--- get(identifier) --> an optimizer from an optimizer, a name ("adam", "sgd", "rmsprop") or a
-- config {class_name=, config=}
function M.get(id)
  return registry:get(id, {
    instance = function(v) return class.is_object(v, true) end,
    -- a file's config names the optimizer; the rest are the constructor's options
    from_config = function(cls, config)
      local cfg = {}
      for k, v in pairs(config or {}) do if k ~= "name" then cfg[k] = v end end
      return cls.new(cfg)
    end,
    bad = function(v)
      return ("bad optimizer %s: expected an optimizer or a name such as \"adam\""):format(tostring(v))
    end,
  })
end

--- serialize(opt) --> {class_name=, config=}
function M.serialize(opt) return class.serialize(opt) end

return M
