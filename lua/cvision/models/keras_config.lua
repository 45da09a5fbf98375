-- cvision.models.keras_config: a Keras model config (the JSON of the `model_config` attribute of a
-- Keras 2 / tf.keras HDF5 model file, or Keras 3's get_config) turned into the config that
-- cvision's from_config reads (cvision.saving.model_file). Layer classes map one to one (cvision
-- has Keras' class names and argument names); what differs is translated:
--   * Keras' batch shapes ([null, 224, 224, 3]: batch_input_shape, batch_shape, build_input_shape)
--     become sample shapes;
--   * initializers, regularizers and constraints are dropped (the weights come from the file and
--     do not depend on them), as are dtype policies (cvision computes in float32);
--   * options cvision does not have must hold their default (data_format "channels_last",
--     dilation_rate 1, groups 1, renorm false, ...), else the layer is named in the error;
--   * a Functional's `inbound_nodes` (Keras 2 lists or Keras 3 {args, kwargs}) become cvision's
--     `nodes` in an order where every input comes first.
-- Every layer class cvision lacks is collected, so one error lists them all.
local layers = require "cvision.layers"
local model_mod = require "cvision.models.model"

local M = {}

-- options that do not change what a layer computes from its weights
local DROPPED = {activity_regularizer = true, fused = true, dtype = true, sparse = true, ragged = true,
  module = true, registered_name = true, lora_rank = true, lora_alpha = true, quantization_config = true,
  renorm_clipping = true, renorm_momentum = true, autocast = true, input_dtype = true}

-- options cvision does not have, accepted only at Keras' default
local DEFAULTS = {
  data_format = function(v) return v == "channels_last" end,
  dilation_rate = function(v) return v == 1 or (type(v) == "table" and v[1] == 1 and v[2] == 1 and #v == 2) end,
  groups = function(v) return v == 1 end,
  renorm = function(v) return v == false end,
  virtual_batch_size = function() return false end,   -- nil is dropped earlier
  adjustment = function() return false end,
  sparse = function(v) return v == false end,
  ragged = function(v) return v == false end,
}

local COMMON = {name = true, trainable = true, input_shape = true, batch_size = true}

-- JSON lists with nulls come back from the decoder with holes ({nil, 224, 224, 3}): their length
-- is the largest integer key
local function list_length(t)
  local n = 0
  for k in pairs(t) do if math.type(k) == "integer" and k > n then n = k end end
  return n
end

-- a Keras batch shape ([null, h, w, c]) --> the sample shape {h, w, c}; raises on other nulls
local function sample_shape(s, what)
  if type(s) ~= "table" then error(("%s is not a list"):format(what), 0) end
  local out = {}
  for i = 2, list_length(s) do
    local d = s[i]
    if math.type(d) ~= "integer" or d < 1 then
      error(("%s has an unknown or bad size at axis %d (cvision needs fixed input sizes)"):format(what, i - 1), 0)
    end
    out[#out + 1] = d
  end
  return out
end

local function describe(v)
  if type(v) == "table" then
    local parts = {}
    for i = 1, list_length(v) do parts[i] = tostring(v[i]) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  return type(v) == "string" and ("%q"):format(v) or tostring(v)
end

-- the keyword names a cvision layer class accepts
local function accepted(cls)
  local spec = cls.args or {}
  local known = {}
  for k in pairs(COMMON) do known[k] = true end
  for _, k in ipairs(spec.positional or {}) do known[k] = true end
  for k in pairs(spec.defaults or {}) do known[k] = true end
  for _, k in ipairs(spec.extra or {}) do known[k] = true end
  return known
end

-- one layer's Keras config --> cvision's; raises "Class 'name': option x = v is not supported"
local function layer_config(class_name, cfg, cls)
  local known = accepted(cls)
  local out = {}
  local tag = ("%s '%s'"):format(class_name, tostring(cfg.name))
  for k, v in pairs(cfg) do
    local unsupported = false
    if k == "batch_input_shape" or k == "batch_shape" then
      out.input_shape = sample_shape(v, tag .. ": " .. k)
    elseif DEFAULTS[k] and not known[k] then
      unsupported = not DEFAULTS[k](v)
    elseif not (DROPPED[k] or k:match("_initializer$") or k:match("_regularizer$") or k:match("_constraint$")) then
      if known[k] then
        out[k] = v                   -- the cvision class checks the value itself
      else
        unsupported = v ~= false     -- a feature switched off is no feature
      end
    end
    if unsupported then
      error(("%s: option %s = %s is not supported by cvision"):format(tag, k, describe(v)), 0)
    end
  end
  -- Keras keeps BatchNormalization's axis as a list when given one ([3])
  if class_name == "BatchNormalization" and type(out.axis) == "table" then
    if list_length(out.axis) ~= 1 then
      error(("%s: option axis = %s is not supported by cvision (one axis only)"):format(tag, describe(out.axis)), 0)
    end
    out.axis = out.axis[1]
  end
  return out
end

local translate   -- (layer entry, missing list) --> cvision entry

-- InputLayer: {batch_input_shape | batch_shape | shape, name} --> {shape, name}
local function input_config(cfg)
  local tag = ("InputLayer '%s'"):format(tostring(cfg.name))
  local shape
  if cfg.batch_input_shape or cfg.batch_shape then
    shape = sample_shape(cfg.batch_input_shape or cfg.batch_shape, tag .. ": batch shape")
  elseif type(cfg.shape) == "table" then
    shape = cfg.shape
  else
    error(tag .. ": no input shape", 0)
  end
  if cfg.sparse or cfg.ragged then error(tag .. ": sparse and ragged inputs are not supported by cvision", 0) end
  return {shape = shape, name = cfg.name}
end

-- Keras 3 node arguments: every {class_name = "__keras_tensor__", config = {keras_history = h}}
local function keras_tensors(v, out)
  if type(v) ~= "table" then return out end
  if v.class_name == "__keras_tensor__" and type(v.config) == "table" then
    out[#out + 1] = v.config.keras_history
    return out
  end
  for i = 1, list_length(v) do keras_tensors(v[i], out) end
  return out
end

-- one entry of a layer's inbound_nodes --> the list of {layer, node, tensor} refs and kwargs
local function node_inputs(node)
  if type(node) ~= "table" then error("an inbound node is not a list", 0) end
  if node.args ~= nil or node.kwargs ~= nil then            -- Keras 3
    return keras_tensors(node.args, {}), node.kwargs
  end
  local refs, kwargs = {}, nil
  for i = 1, list_length(node) do                          -- Keras 2: [[name, node, tensor, kwargs], ...]
    local r = node[i]
    if type(r) ~= "table" or type(r[1]) ~= "string" then error("an inbound node entry is not [layer, node, tensor]", 0) end
    refs[#refs + 1] = {r[1], r[2] or 0, r[3] or 0}
    if type(r[4]) == "table" then kwargs = r[4] end
  end
  return refs, kwargs
end

-- [name, node, tensor] or [[name, node, tensor], ...] --> the list of refs
local function ref_list(v, what)
  if type(v) ~= "table" then error(("the config has no %s"):format(what), 0) end
  if type(v[1]) == "string" then return {v} end
  return v
end

-- Functional: Keras' layers with inbound_nodes --> cvision's layers + nodes (inputs first)
local function functional_config(cfg, missing)
  local ls, pending = {}, {}
  for i, lc in ipairs(cfg.layers or {}) do
    if type(lc) ~= "table" then error(("layer %d: its config is not an object"):format(i), 0) end
    local name = lc.name or (type(lc.config) == "table" and lc.config.name)
    local entry = translate(lc, missing)
    if entry then
      entry.name = name
      ls[#ls + 1] = entry
    end
    for j, node in ipairs(lc.inbound_nodes or {}) do
      local refs, kwargs = node_inputs(node)
      pending[#pending + 1] = {layer = name, index = j - 1, refs = refs, kwargs = kwargs}
    end
  end
  if #missing > 0 then return nil end
  -- emit each node once its inputs exist: a layer's node k is its k-th output (an input layer's
  -- tensor is node 0 without a node entry)
  local made = {}
  for _, lc in ipairs(ls) do if lc.class_name == "InputLayer" then made[lc.name] = 1 end end
  local nodes, left = {}, pending
  while #left > 0 do
    local rest = {}
    for _, p in ipairs(left) do
      local ready = (made[p.layer] or 0) == p.index
      for _, r in ipairs(p.refs) do
        if (made[r[1]] or 0) <= (r[2] or 0) then ready = false end
      end
      if ready then
        local ins = {}
        for k, r in ipairs(p.refs) do ins[k] = {r[1], r[2] or 0, 0} end
        local training = p.kwargs and p.kwargs.training
        nodes[#nodes + 1] = {layer = p.layer, inputs = ins, training = type(training) == "boolean" and training or nil}
        made[p.layer] = (made[p.layer] or 0) + 1
      else
        rest[#rest + 1] = p
      end
    end
    if #rest == #left then
      error(("the graph cannot be ordered: node %d of layer %q waits for a tensor no layer makes"):format(
        rest[1].index, tostring(rest[1].layer)), 0)
    end
    left = rest
  end
  local ins, outs = ref_list(cfg.input_layers, "input_layers"), ref_list(cfg.output_layers, "output_layers")
  if #ins ~= 1 or #outs ~= 1 then
    error(("cvision's functional models have one input and one output, this one has %d and %d"):format(#ins, #outs), 0)
  end
  return {name = cfg.name, trainable = cfg.trainable, layers = ls, nodes = nodes,
    input_layers = {{ins[1][1], ins[1][2] or 0, 0}}, output_layers = {{outs[1][1], outs[1][2] or 0, 0}}}
end

local function sequential_config(cfg, missing)
  if cfg.layers == nil and cfg[1] ~= nil then cfg = {layers = cfg} end   -- Keras <= 2.2: a bare list
  local ls = {}
  for i, lc in ipairs(cfg.layers or {}) do
    if type(lc) ~= "table" then error(("layer %d: its config is not an object"):format(i), 0) end
    local entry = translate(lc, missing)
    if entry then ls[#ls + 1] = entry end
  end
  local out = {name = cfg.name, layers = ls}
  if type(cfg.build_input_shape) == "table" then
    out.build_input_shape = sample_shape(cfg.build_input_shape, ("Sequential '%s': build_input_shape"):format(tostring(cfg.name)))
  end
  return out
end

-- one {class_name, config} --> cvision's, or nil after adding to missing a class cvision lacks
translate = function(lc, missing)
  local cn, cfg = lc.class_name, lc.config
  if type(cn) ~= "string" then error("a layer config has no class_name", 0) end
  if cfg ~= nil and type(cfg) ~= "table" then error(("the config of %s is not an object"):format(cn), 0) end
  cfg = cfg or {}
  if cn == "Model" then cn = "Functional" end
  if cn == "Sequential" then
    return {class_name = "Sequential", config = sequential_config(cfg, missing)}
  elseif cn == "Functional" then
    local c = functional_config(cfg, missing)
    return c and {class_name = "Functional", config = c}
  elseif cn == "InputLayer" then
    return {class_name = "InputLayer", config = input_config(cfg)}
  end
  local ok, cls = pcall(layers.get, cn)
  if not ok or model_mod.classes[cn] or cn == "Merge" or cn == "Layer" then
    missing[#missing + 1] = ("%s '%s'"):format(cn, tostring(cfg.name or lc.name))
    return nil
  end
  return {class_name = cn, config = layer_config(cn, cfg, cls)}
end

--- model(config) --> cvision's {class_name, config} for a Keras {class_name, config}; raises
--- "cvision has no layer class for: LSTM 'lstm', Lambda 'lambda'" listing every layer it lacks,
--- or the first option it cannot honour
function M.model(kc)
  if type(kc) ~= "table" or type(kc.class_name) ~= "string" then
    error("the model config has no class_name", 0)
  end
  if kc.class_name ~= "Sequential" and kc.class_name ~= "Functional" and kc.class_name ~= "Model" then
    error(("the model is a %s; only Sequential and Functional models are read"):format(kc.class_name), 0)
  end
  local missing = {}
  local entry = translate(kc, missing)
  if #missing > 0 then
    error("cvision has no layer class for: " .. table.concat(missing, ", "), 0)
  end
  return {class_name = entry.class_name, config = entry.config}
end

--- classes(config) --> {layer name = Keras class name} for every layer of a Keras model config
--- (nested models included), for naming the layers of a weights file in errors
function M.classes(kc)
  local out = {}
  local function walk(c)
    if type(c) ~= "table" then return end
    local cfg = type(c.config) == "table" and c.config or {}
    local name = c.name or cfg.name
    if type(name) == "string" and type(c.class_name) == "string" then out[name] = c.class_name end
    for _, l in ipairs(type(cfg.layers) == "table" and cfg.layers or {}) do walk(l) end
  end
  walk(kc)
  return out
end

return M
