-- cvision.losses: Keras' losses as objects (cv.losses.SparseCategoricalCrossentropy{from_logits=true})
-- or by name ("sparse_categorical_crossentropy", "mse", ...). A loss reduces over the batch as
-- Keras' default "sum_over_batch_size" does: the mean of the per-sample losses. The arithmetic is
-- the C kernel core.nn.loss, which also writes d(loss)/d(pred) for training.
-- Labels of the sparse losses are 1-BASED class numbers (1..K), as everywhere in the Lua API.
local core = require "cvision.core"

local M = {}

local Loss = {}
Loss.__index = Loss
M.Loss = Loss

function Loss.__tostring(self)
  return ("<%s%s>"):format(self.class_name, self.from_logits and " from_logits" or "")
end

--- loss(y_true, y_pred) --> number: Keras' argument order (errors at the caller's line)
function Loss.__call(self, y_true, y_pred)
  local args = {y_true = y_true, y_pred = y_pred}
  for _, k in ipairs{"y_true", "y_pred"} do
    local t = args[k]
    if type(t) == "table" and not core.is_tensor(t) then
      local ok, c = pcall(core.tensor, t)
      if ok then t = c end
    end
    if not core.is_tensor(t) then
      error(("%s: %s must be a tensor, got %s"):format(self.name, k, type(t)), 2)
    end
    if t.dtype ~= "float32" then t = t:astype("float32") end   -- uint8 labels, as Keras casts
    args[k] = t
  end
  y_true, y_pred = args.y_true, args.y_pred
  local ok, v = pcall(self.compute, self, y_pred, y_true, nil)
  if not ok then error(tostring(v):gsub("^[^\n]-:%d+: ", ""), 2) end
  return v
end

--- loss:compute(pred, target [, dpred]) --> mean loss; writes d(loss)/d(pred) into dpred if given
function Loss:compute(pred, target, dpred)
  return core.nn.loss(self.name, dpred, pred, target, self.from_logits or false)
end

function Loss:get_config()
  local cfg = {name = self.name, reduction = "sum_over_batch_size"}
  if self.has_logits then cfg.from_logits = self.from_logits end
  return cfg
end

--- loss:is_sparse() --> true when targets are class numbers rather than vectors like pred
function Loss:is_sparse() return self.sparse == true end

-- table of the classes by class name, and the aliases Keras accepts as strings
local classes = {}
local aliases = {}

local function class(class_name, name, opts)
  opts = opts or {}
  local cls = setmetatable({}, {__index = Loss, __call = function(c, ...) return c.new(...) end})
  cls.__index = cls
  cls.__call = Loss.__call
  cls.__tostring = Loss.__tostring
  cls.class_name = class_name
  cls.name = name
  cls.has_logits = opts.logits or false
  cls.sparse = opts.sparse or false
  cls.kind = opts.kind            -- "sparse_categorical" | "categorical" | "binary" | nil (accuracy resolution)
  function cls.new(args)
    args = args or {}
    if type(args) ~= "table" then
      error(("bad argument #1 to '%s' (table of options expected, got %s)"):format(class_name, type(args)), 2)
    end
    local self = setmetatable({}, cls)
    for k, v in pairs(args) do
      if k == "from_logits" then
        if not cls.has_logits then
          error(("bad argument to '%s' (unknown option 'from_logits')"):format(class_name), 2)
        end
        self.from_logits = v and true or false
      elseif k == "name" then
        -- Keras lets a loss be renamed for display; the kernel name stays the class's
        self.display_name = v
      elseif k ~= "reduction" then
        error(("bad argument to '%s' (unknown option '%s')"):format(class_name, tostring(k)), 2)
      elseif v ~= "sum_over_batch_size" then
        error(("bad argument to '%s' (only reduction = \"sum_over_batch_size\" is supported)"):format(class_name), 2)
      end
    end
    if cls.has_logits and self.from_logits == nil then self.from_logits = false end
    return self
  end
  classes[class_name] = cls
  aliases[name] = cls
  M[class_name] = cls
  return cls
end

class("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
  {logits = true, sparse = true, kind = "sparse_categorical"})
class("CategoricalCrossentropy", "categorical_crossentropy", {logits = true, kind = "categorical"})
class("BinaryCrossentropy", "binary_crossentropy", {logits = true, kind = "binary"})
class("Poisson", "poisson")
class("MeanSquaredError", "mean_squared_error")
class("MeanAbsoluteError", "mean_absolute_error")
aliases.mse = M.MeanSquaredError
aliases.mae = M.MeanAbsoluteError

--- get(identifier) --> a loss object, from a loss object, a name ("mse", "sparse_categorical_crossentropy",
-- "SparseCategoricalCrossentropy") or a config {class_name=, config=}
function M.get(id)
  if type(id) == "table" and getmetatable(id) and getmetatable(id).class_name then return id end
  if type(id) == "string" then
    local cls = aliases[id] or classes[id] or aliases[id:lower()]
    if not cls then
      local names = {}
      for k in pairs(aliases) do names[#names + 1] = k end
      table.sort(names)
      error(("unknown loss '%s' (known: %s)"):format(id, table.concat(names, ", ")), 2)
    end
    return cls.new()
  end
  if type(id) == "table" and id.class_name then
    local cls = classes[id.class_name]
    if not cls then error(("unknown loss class '%s'"):format(tostring(id.class_name)), 2) end
    if id.config ~= nil and type(id.config) ~= "table" then
      error(("the config of loss %s is not an object"):format(id.class_name), 2)
    end
    local cfg = {}
    if id.config and cls.has_logits then cfg.from_logits = id.config.from_logits end
    return cls.new(cfg)
  end
  error(("bad loss %s: expected a loss object or a name such as \"sparse_categorical_crossentropy\""):format(tostring(id)), 2)
end

--- serialize(loss) --> {class_name=, config=} for a model file
function M.serialize(loss)
  return {class_name = loss.class_name, config = loss:get_config()}
end

return M
