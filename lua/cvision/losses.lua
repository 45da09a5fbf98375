-- cvision.losses: Keras' losses as objects (cv.losses.SparseCategoricalCrossentropy{from_logits=true})
-- or by name ("sparse_categorical_crossentropy", "mse", ...). A loss reduces over the batch as
-- Keras' default "sum_over_batch_size" does: the mean of the per-sample losses. The arithmetic is
-- the C kernel core.nn.loss, which also writes d(loss)/d(pred) for training.
-- Labels of the sparse losses are 1-BASED class numbers (1..K), as everywhere in the Lua API.
local core = require "cvision.core"
local is_tensor = require("cvision.tensor").is_tensor
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local Loss = class.base()
M.Loss = Loss

--- tostring(loss) --> "<ClassName[ from_logits]>"
function Loss.__tostring(self)
  return ("<%s%s>"):format(self.class_name, self.from_logits and " from_logits" or "")
end

--- loss(y_true, y_pred) --> number: Keras' argument order (errors at the caller's line)
function Loss.__call(self, y_true, y_pred)
  local args = {y_true = y_true, y_pred = y_pred}
  for _, k in ipairs{"y_true", "y_pred"} do
    local t = args[k]
    if type(t) == "table" and not is_tensor(t) then
      local ok, c = pcall(core.tensor, t)
      if ok then t = c end
    end
    if not is_tensor(t) then
      error(("%s: %s must be a tensor, got %s"):format(self.name, k, type(t)), 2)
    end
    if t.dtype ~= "float32" then t = t:astype("float32") end   -- uint8 labels, as Keras casts
    args[k] = t
  end
  y_true, y_pred = args.y_true, args.y_pred
  local ok, v = pcall(self.compute, self, y_pred, y_true, nil)
  if not ok then error(errors.clean(v), 2) end
  return v
end

--- loss:compute(pred, target [, dpred]) --> mean loss; writes d(loss)/d(pred) into dpred if given
function Loss:compute(pred, target, dpred)
  return core.nn.loss(self.name, dpred, pred, target, self.from_logits or false)
end

--- loss:get_config() --> {name=, reduction=[, from_logits=]} for a model file
function Loss:get_config()
  local cfg = {name = self.name, reduction = "sum_over_batch_size"}
  if self.has_logits then cfg.from_logits = self.from_logits end
  return cfg
end

--- loss:is_sparse() --> true when targets are class numbers rather than vectors like pred
function Loss:is_sparse() return self.sparse == true end

-- the classes by class name, and the aliases Keras accepts as strings
local registry = class.registry("loss")

local function define(class_name, name, opts)
  opts = opts or {}
  local cls = class.define(class_name, Loss, {
    name = name,
    has_logits = opts.logits or false,
    sparse = opts.sparse or false,
    kind = opts.kind,            -- "sparse_categorical" | "categorical" | "binary" | nil (accuracy resolution)
  })
  function cls.new(args)
    args = args or {}
    if type(args) ~= "table" then error(errors.options_expected(class_name, args), 2) end
    local self = setmetatable({}, cls)
    for k, v in pairs(args) do
      if k == "from_logits" then
        if not cls.has_logits then error(errors.unknown_option(class_name, "from_logits"), 2) end
        self.from_logits = v and true or false
      elseif k == "name" then
        -- Keras lets a loss be renamed for display; the kernel name stays the class's
        self.display_name = v
      elseif k ~= "reduction" then
        error(errors.unknown_option(class_name, k), 2)
      elseif v ~= "sum_over_batch_size" then
        error(errors.bad_argument(class_name, "only reduction = \"sum_over_batch_size\" is supported"), 2)
      end
    end
    if cls.has_logits and self.from_logits == nil then self.from_logits = false end
    return self
  end
  registry:register(cls, name)
  M[class_name] = cls
  return cls
end

define("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
  {logits = true, sparse = true, kind = "sparse_categorical"})
define("CategoricalCrossentropy", "categorical_crossentropy", {logits = true, kind = "categorical"})
define("BinaryCrossentropy", "binary_crossentropy", {logits = true, kind = "binary"})
define("Poisson", "poisson")
define("MeanSquaredError", "mean_squared_error")
define("MeanAbsoluteError", "mean_absolute_error")
registry:alias("mse", M.MeanSquaredError)
registry:alias("mae", M.MeanAbsoluteError)

--- get(identifier) --> a loss object, from a loss object, a name ("mse", "sparse_categorical_crossentropy",
-- "SparseCategoricalCrossentropy") or a config {class_name=, config=}
function M.get(id)
  return registry:get(id, {
    -- anything whose class has a class_name is taken as a loss (a user's subclass too)
    instance = class.is_object,
    -- from a file: only from_logits is a loss's own option
    from_config = function(cls, config)
      local cfg = {}
      if config and cls.has_logits then cfg.from_logits = config.from_logits end
      return cls.new(cfg)
    end,
    bad = function(v)
      return ("bad loss %s: expected a loss object or a name such as \"sparse_categorical_crossentropy\""):format(tostring(v))
    end,
  })
end

--- serialize(loss) --> {class_name=, config=} for a model file
function M.serialize(loss) return class.serialize(loss) end

return M
