-- cvision.models.sequential: cv.Sequential, a model whose layers run one after the other. It
-- keeps the user's list of layers (add, pop, summary, weights, config); what runs is its plan
-- (cvision.models.plan), made when the model is built and remade when the layers change.
local layers = require "cvision.layers"
local model = require "cvision.models.model"
local plan_mod = require "cvision.models.plan"

local base = layers.base
local copy_shape = base.copy_shape
local clean, layer_error = model.clean, model.layer_error
local Model = model.Model

local M = {}

local Sequential = model.subclass("Sequential")
M.Sequential_class = Sequential
model.classes.Sequential = Sequential

local function is_input(l) return type(l) == "table" and (l.is_input or l.class_name == "InputLayer") end

--- Sequential{layer, ...} | Sequential{layers = {...}, name = "..."} --> a model running the layers
--- one after the other
-- A first cv.layers.Input{...} (or a layer given input_shape) builds the model at once; else the
-- first batch it sees builds it. A layer's error names its index and name.
-- Example:
--   local model = cv.Sequential{
--     cv.layers.Input{28, 28, 1},
--     cv.layers.Conv2D(8, 3, {activation = "relu"}),
--     cv.layers.MaxPooling2D(2),
--     cv.layers.Flatten(),
--     cv.layers.Dense(10, "softmax"),
--   }
local function new_sequential(args)
  args = args or {}
  if type(args) ~= "table" then error("bad argument #1 to 'Sequential' (table of layers expected)", 3) end
  local self = setmetatable({}, Sequential)
  Model._init(self, args.name or base.unique_name("sequential"))
  local list = args.layers or args
  for i = 1, #list do
    local ok, err = pcall(self.add, self, list[i])
    if not ok then error(("Sequential: layer %d: %s"):format(i, clean(err)), 3) end
  end
  for k in pairs(args) do
    if type(k) == "string" and k ~= "layers" and k ~= "name" then
      error(("bad argument to 'Sequential' (unknown option '%s')"):format(k), 3)
    end
  end
  return self
end

setmetatable(Sequential, {__index = Model, __call = function(_, args) return new_sequential(args) end})
M.Sequential = Sequential

--- add(layer): appends a layer (cv.Input first to fix the input shape); builds it at once when
-- the input shape is known
function Sequential:add(l)
  if is_input(l) then
    if #self.layers > 0 or self._input_shape then
      error("add: an Input must come first in a Sequential model", 2)
    end
    self._input_shape = copy_shape(l.shape)
    self.input_layer = l
    self:build(self._input_shape)
    return
  end
  if type(l) ~= "table" or type(l.forward) ~= "function" or type(l.backward) ~= "function" then
    error(("add: expected a layer, got %s"):format(type(l) == "table" and tostring(l) or type(l)), 2)
  end
  -- names and layers already here, in sets kept with the list (linear time for n adds, not
  -- quadratic); remade when the list changed otherwise or the name found was since changed
  local names, members = rawget(self, "_name_set"), rawget(self, "_member_set")
  if not names or names.n ~= #self.layers then names, members = nil, nil end
  local hit = names and names.map[l.name]
  if hit and hit.name ~= l.name then names, members = nil, nil end
  if not names then
    names, members = {map = {}, n = #self.layers}, {}
    for _, o in ipairs(self.layers) do names.map[o.name] = o; members[o] = true end
    self._name_set, self._member_set = names, members
  end
  if members[l] then error("add: this layer is already in the model", 2) end
  if names.map[l.name] then
    error(("add: the model already has a layer named %q; layer names must be unique"):format(l.name), 2)
  end
  self.layers[#self.layers + 1] = l
  if #self.layers == 1 and not self._input_shape and l._input_shape_arg then
    self._input_shape = copy_shape(l._input_shape_arg)
  end
  local shape = self._input_shape
  if shape then
    -- the layers before are built for this input: build only the new one on their output
    local prev = self.layers[#self.layers - 1]
    local ok, err
    if self.built and prev and prev.built and self.output_shape then
      ok, err = pcall(l.build, l, copy_shape(self.output_shape))
      if ok then
        self.output_shape = copy_shape(l.output_shape)
      else
        err = layer_error(#self.layers, l, err)
      end
    else
      ok, err = pcall(self.build, self, shape)
    end
    if not ok then
      self.layers[#self.layers] = nil
      error(clean(err), 2)
    end
  else
    self.built = false
  end
  names.map[l.name], names.n, members[l] = l, names.n + 1, true
  self._plan = nil
end

--- pop(): removes the last layer
function Sequential:pop()
  local l = table.remove(self.layers)
  if not l then error("pop: the model has no layers", 2) end
  self._plan = nil
  if self._input_shape and #self.layers > 0 then self:build(self._input_shape) end
  return l
end

--- build(input_shape): builds every layer for samples of input_shape (no batch axis)
function Sequential:build(input_shape)
  if type(input_shape) ~= "table" then error("bad argument #1 to 'build' (shape table expected)", 2) end
  local shape = copy_shape(input_shape)
  for i, l in ipairs(self.layers) do
    local ok, err = pcall(l.build, l, shape)
    if not ok then error(layer_error(i, l, err), 2) end
    shape = l.output_shape
  end
  self._input_shape = copy_shape(input_shape)
  self.input_shape = copy_shape(input_shape)
  self.output_shape = copy_shape(shape)
  self.built = #self.layers > 0
  self._plan = nil
end

-- may layer i (a Rescaling) be folded into layer i + 1 (a Dense) for input x? Only the exact
-- classes, offset 0, float32 input, and in training only before the first trainable layer (the
--- plan() --> the model's plan (cvision.models.plan), made on first use after a change to the
--- layers and refreshed when a trainable flag changed
function Sequential:plan()
  local p = rawget(self, "_plan")
  if not p then
    if not self.built then error(("%s: the model is not built yet"):format(self.name), 2) end
    p = plan_mod.chain(self.layers)
    self._plan = p
  else
    p:refresh()
  end
  return p
end

--- call(x, training) --> y: the plan's steps in order; errors name the layer
function Sequential:call(x, training)
  if not self.built then self:build(model.sample_shape(x)) end
  return self:plan():forward(x, training, layer_error)
end

--- backprop(dy [, need_dx [, overwrite]]) --> the input gradient when need_dx, else nil. Without
--- need_dx the pass stops at the first trainable layer. overwrite: see plan:backward.
function Sequential:backprop(dy, need_dx, overwrite)
  return self:plan():backward(dy, need_dx, overwrite, layer_error)
end

-- the layer contract, so that a Sequential can be a layer of another model

--- forward(x [, training]) --> y
function Sequential:forward(x, training) return self:call(x, training and true or false) end

--- backward(dy) --> dx (nil when skip_input_grad is set)
function Sequential:backward(dy) return self:backprop(dy, not rawget(self, "skip_input_grad")) end

--- get_config() --> {class_name = "Sequential", config = {name, layers, build_input_shape}}:
--- Keras' Sequential config, an InputLayer first when the input shape is known, nested models as
--- their own {class_name, config}
function Sequential:get_config()
  local ls = {}
  if self._input_shape then
    ls[1] = {class_name = "InputLayer", config = {name = self.input_layer and self.input_layer.name or "input_layer",
      shape = copy_shape(self._input_shape), dtype = "float32"}}
  end
  for _, l in ipairs(self.layers) do
    if model.is_model(l) then
      local c = l:get_config()          -- a nested model: its own {class_name, config}
      ls[#ls + 1] = {class_name = c.class_name, config = c.config}
    else
      ls[#ls + 1] = layers.serialize(l)
    end
  end
  return {class_name = "Sequential", config = {name = self.name, layers = ls,
    build_input_shape = self._input_shape and copy_shape(self._input_shape) or nil}}
end

--- Sequential.from_config(config) --> a new Sequential model from get_config()'s config (built when
--- it has an InputLayer or build_input_shape); errors name the layer that fails
function Sequential.from_config(cfg)
  local list = {}
  if cfg.layers ~= nil and type(cfg.layers) ~= "table" then error("the layers of a Sequential config are not a list", 0) end
  for i, lc in ipairs(cfg.layers or {}) do
    if type(lc) ~= "table" then error(("layer %d: its config is not an object"):format(i), 0) end
    local ok, l
    if model.classes[lc.class_name] then   -- a nested model (a base being fine-tuned)
      ok, l = pcall(require("cvision.saving.model_file").from_config, {class_name = lc.class_name, config = lc.config})
    else
      ok, l = pcall(layers.from_config, lc.class_name, lc.config or {})
    end
    if not ok then error(("layer %d (%s): %s"):format(i, tostring(lc.class_name), clean(l)), 0) end
    list[#list + 1] = l
  end
  local m = new_sequential({layers = list, name = cfg.name})
  if not m.built and cfg.build_input_shape then m:build(cfg.build_input_shape) end
  return m
end

return M
