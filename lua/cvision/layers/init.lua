-- cvision.layers: Keras' layers (cv.layers.Dense, cv.layers.Conv2D, ...). Each constructor takes
-- Keras' positional arguments then an optional table of keyword arguments, or one table of named
-- arguments: Conv2D(16, 3, {padding = "same"}) == Conv2D{filters = 16, kernel_size = 3, padding = "same"}.
-- The layer contract (build/forward/backward/params/get_weights/get_config) is in docs/DESIGN.md.
local base = require "cvision.layers.base"
local class = require "cvision.util.class"

local M = {}

local families = {"cvision.layers.core", "cvision.layers.conv", "cvision.layers.pooling",
  "cvision.layers.normalization", "cvision.layers.preprocessing", "cvision.layers.merge"}

-- the built-in classes win over a custom class of the same name (base.registry, by cv.layers.class)
local builtin = class.registry("layer")
local function find(class_name) return builtin:class(class_name) or base.registry[class_name] end

for _, mod in ipairs(families) do
  local ok, m = pcall(require, mod)
  if ok then
    for k, v in pairs(m) do
      if type(v) == "table" and rawget(v, "class_name") == k and rawget(v, "new") then
        M[k] = v
        builtin:register(v)
      end
    end
    if m.Input then M.Input = m.Input end
  elseif not tostring(m):find("module '" .. mod .. "' not found", 1, true) then
    error(m, 0)
  end
end

M.Layer = base.Layer
M.base = base
M.InputLayer = require("cvision.layers.core").InputLayer

--- clear_session(): resets the default-name counters (conv2d, conv2d_1, ...)
M.clear_session = base.clear_session

--- is_layer(v) --> true for layer objects
function M.is_layer(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and type(mt.class_name) == "string"
    and find(mt.class_name) == mt
end

--- get(class_name) --> the layer class
function M.get(class_name)
  local cls = find(class_name)
  if not cls then error(("unknown layer class '%s'"):format(tostring(class_name)), 2) end
  return cls
end

--- from_config(class_name, config) --> a new layer (InputLayer gives an Input marker)
function M.from_config(class_name, config)
  if type(class_name) == "table" and config == nil then
    class_name, config = class_name.class_name, class_name.config
  end
  if config ~= nil and type(config) ~= "table" then
    error(("the config of a %s is not an object"):format(tostring(class_name)), 2)
  end
  if class_name == "InputLayer" then
    config = config or {}
    return M.Input{shape = config.shape, name = config.name, batch_size = config.batch_size}
  end
  local cls = find(class_name)   -- built in, or made by cv.layers.class
  if not cls then error(("unknown layer class '%s'"):format(tostring(class_name)), 2) end
  local cfg = {}
  for k, v in pairs(config or {}) do cfg[k] = v end
  return cls(cfg)
end

--- serialize(layer) --> {class_name = ..., config = ...}
function M.serialize(layer) return class.serialize(layer) end

--- class(class_name [, parent [, args]]): for custom layers (see cvision.layers.base)
M.class = base.class

return M
