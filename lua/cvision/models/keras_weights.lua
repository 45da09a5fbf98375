-- cvision.models.keras_weights: Keras weights and models from HDF5 files (read by the C core's
-- libhdf5 reader, core.hdf5_open), as cv.models.load_keras_weights(model, path) and
-- cv.models.load_keras_model(path). Two layouts:
--   * Keras 3 (`model.save_weights("x.weights.h5")`, saving_lib's H5IOStore): a group per layer at
--     layers/<snake_case class name>[_<n>]/vars holding datasets "0", "1", ... in the layer's
--     variable order (trainable first); nested models add /layers/... under their own path, and a
--     vars group may carry the layer's name as its "name" attribute.
--   * Keras 2 / tf.keras (`save_weights("x.h5")`, and the model_weights group of `model.save("x.h5")`,
--     legacy hdf5_format): the root's layer_names attribute (layer_names0, 1, ... when split) lists
--     the layers in model order; each layer's group has weight_names ("dense/kernel:0", ...) naming
--     its datasets, in Keras' order (trainable weights, then the others).
-- The weight layouts are Keras' own in cvision (Dense kernel (in, out); Conv2D HWIO;
-- DepthwiseConv2D (kh, kw, in, multiplier); SeparableConv2D depthwise, pointwise, bias;
-- BatchNormalization gamma, beta, moving_mean, moving_variance, gamma/beta absent when
-- scale/center are off), so values are copied as they are, after every shape has been checked:
-- nothing is copied into the model unless all of the file matches.
local core = require "cvision.core"
local saving = require "cvision.saving"
local model_mod = require "cvision.models.model"
local keras_config = require "cvision.models.keras_config"
local base = require("cvision.layers").base

local shape_str, shape_equal = base.shape_str, base.shape_equal
local clean, is_model = model_mod.clean, model_mod.is_model

local M = {}

-- raises "<fname>: <path>: <reason>" (the core's messages already start with the path)
local function failer(fname, path)
  return function(reason)
    reason = clean(reason)
    if reason:sub(1, #path + 2) == path .. ": " then reason = reason:sub(#path + 3) end
    error(("%s: %s: %s"):format(fname, path, reason), 0)
  end
end

local function open(path, fail)
  local ok, f = pcall(core.hdf5_open, path)
  if not ok then fail(f) end
  return f
end

-- calls f:method(...) turning a core error into fail's
local function try(fail, f, method, ...)
  local ok, r = pcall(f[method], f, ...)
  if not ok then fail(r) end
  return r
end

local function join(a, b)
  if a == "" or a == "/" then return "/" .. b end
  return a .. "/" .. b
end

-- an attribute Keras 2 may have split into name0, name1, ... (save_attributes_to_hdf5_group)
local function chunked_attribute(f, fail, obj, name)
  local v = try(fail, f, "attribute", obj, name)
  if v ~= nil then return type(v) == "table" and v or {v} end
  local out, k = nil, 0
  while true do
    local part = try(fail, f, "attribute", obj, name .. k)
    if part == nil then break end
    out = out or {}
    for _, s in ipairs(type(part) == "table" and part or {part}) do out[#out + 1] = s end
    k = k + 1
  end
  return out
end

---------------------------------------------------------------------------------------------------
-- the model's side
---------------------------------------------------------------------------------------------------

local function weights_of(l) return l.weights or {} end

-- the leaf layers with weights of a (nested) model, in order
local function leaves(m, out)
  out = out or {}
  for _, l in ipairs(m.layers) do
    if is_model(l) then leaves(l, out) elseif #weights_of(l) > 0 then out[#out + 1] = l end
  end
  return out
end

-- the layers of a model that hold weights, a nested model counting as one (as Keras 2 saves it)
local function weighted(m)
  local out = {}
  for _, l in ipairs(m.layers) do
    if is_model(l) then
      if #leaves(l) > 0 then out[#out + 1] = l end
    elseif #weights_of(l) > 0 then
      out[#out + 1] = l
    end
  end
  return out
end

local function tag(l) return ("%s (%s)"):format(l.name, l.class_name) end

-- checks value shapes against a leaf layer's weights; adds {layer, values} to plan
local function check_layer(plan, l, values, sources, fail)
  local ws = weights_of(l)
  if #values ~= #ws then
    fail(("layer %s has %d weights (%s), the file gives %d (%s)"):format(tag(l), #ws,
      table.concat(l.weight_names, ", "), #values, table.concat(sources, ", ")))
  end
  for j, w in ipairs(ws) do
    if not shape_equal(values[j].shape, w.shape) then
      fail(("shape mismatch for layer %s, weight %s: the model has %s, the file's %s is %s"):format(tag(l),
        l.weight_names[j], shape_str(w.shape), sources[j], shape_str(values[j].shape)))
    end
  end
  plan[#plan + 1] = {layer = l, values = values}
end

local function apply(plan, fail)
  for _, p in ipairs(plan) do
    local ok, err = pcall(p.layer.set_weights, p.layer, p.values)
    if not ok then fail(("layer %s: %s"):format(tag(p.layer), clean(err))) end
  end
end

---------------------------------------------------------------------------------------------------
-- Keras 2 / tf.keras: layer_names and weight_names
---------------------------------------------------------------------------------------------------

-- "model/dense/kernel:0" --> "dense", "kernel"
local function split_weight_name(s)
  s = s:gsub(":%d+$", "")
  local parts = {}
  for p in s:gmatch("[^/]+") do parts[#parts + 1] = p end
  return parts[#parts - 1], parts[#parts]
end

-- a nested model's weights from one Keras 2 group: by "<layer>/<weight>" names when they all
-- match, else in Keras' legacy order (every trainable weight of the sublayers, then the others)
local function plan_nested(plan, m, names, values, fail, group)
  local subs = leaves(m)
  local index = {}
  for k, n in ipairs(names) do
    local ln, wn = split_weight_name(n)
    if ln and wn then index[ln .. "/" .. wn] = k end
  end
  local picked, all = {}, true
  for i, l in ipairs(subs) do
    picked[i] = {}
    for j in ipairs(weights_of(l)) do
      local k = index[l.name .. "/" .. l.weight_names[j]]
      if not k then all = false break end
      picked[i][j] = k
    end
    if not all then break end
  end
  local total = 0
  for _, l in ipairs(subs) do total = total + #weights_of(l) end
  if total ~= #names then
    fail(("model %s holds %d weights, the file's group %s has %d"):format(tag(m), total, group, #names))
  end
  if not all then   -- legacy order
    picked = {}
    local k = 0
    for pass = 1, 2 do
      for i, l in ipairs(subs) do
        for j in ipairs(weights_of(l)) do
          local trainable = l.trainable ~= false and j <= (l.n_trainable or 0)
          if (pass == 1) == trainable then k = k + 1 picked[i] = picked[i] or {} picked[i][j] = k end
        end
      end
    end
  end
  for i, l in ipairs(subs) do
    local vs, src = {}, {}
    for j, k in ipairs(picked[i]) do vs[j], src[j] = values[k], group .. "/" .. names[k] end
    check_layer(plan, l, vs, src, fail)
  end
end

local function load_keras2(model, f, root, fail, classes)
  local layer_names = chunked_attribute(f, fail, root, "layer_names")
  local entries, by_name = {}, {}
  for _, name in ipairs(layer_names) do
    local g = join(root, name)
    if try(fail, f, "kind", g) ~= "group" then fail(("layer_names lists %q but the file has no group %s"):format(name, g)) end
    local wn = chunked_attribute(f, fail, g, "weight_names") or {}
    if #wn > 0 then
      local e = {name = name, group = g, weight_names = wn}
      entries[#entries + 1] = e
      by_name[name] = e
    end
  end
  local targets = weighted(model)
  local by_layer_name = #targets > 0
  for _, l in ipairs(targets) do if not by_name[l.name] then by_layer_name = false break end end
  local function label(e)
    return classes[e.name] and ("%s '%s'"):format(classes[e.name], e.name) or ("'" .. e.name .. "'")
  end
  local pairs_ = {}
  if by_layer_name then
    local taken, extra = {}, {}
    for i, l in ipairs(targets) do pairs_[i] = {l, by_name[l.name]} taken[l.name] = true end
    for _, e in ipairs(entries) do if not taken[e.name] then extra[#extra + 1] = label(e) end end
    if #extra > 0 then fail("the model has no layer for the file's " .. table.concat(extra, ", ")) end
  else
    if #entries ~= #targets then
      local fl, ml = {}, {}
      for i, e in ipairs(entries) do fl[i] = label(e) end
      for i, l in ipairs(targets) do ml[i] = tag(l) end
      fail(("the file has %d layers with weights (%s), the model %d (%s); their names differ, so they are "
        .. "matched by position and must agree"):format(#entries, table.concat(fl, ", "), #targets, table.concat(ml, ", ")))
    end
    for i, l in ipairs(targets) do pairs_[i] = {l, entries[i]} end
  end
  local plan = {}
  for _, p in ipairs(pairs_) do
    local l, e = p[1], p[2]
    local values = {}
    for j, wn in ipairs(e.weight_names) do values[j] = try(fail, f, "dataset", join(e.group, wn)) end
    if is_model(l) then
      plan_nested(plan, l, e.weight_names, values, fail, e.group)
    else
      local src = {}
      for j, wn in ipairs(e.weight_names) do src[j] = join(e.group, wn) end
      check_layer(plan, l, values, src, fail)
    end
  end
  return plan
end

---------------------------------------------------------------------------------------------------
-- Keras 3: layers/<class>[_n]/vars/<i>
---------------------------------------------------------------------------------------------------

-- the datasets of a vars group in index order
local function read_vars(f, fail, vars)
  local names = try(fail, f, "children", vars)
  local idx = {}
  for _, n in ipairs(names) do
    local i = math.tointeger(tonumber(n))
    if not i or i < 0 then fail(("%s holds %q, not a variable index"):format(vars, n)) end
    idx[#idx + 1] = i
  end
  table.sort(idx)
  local values, src = {}, {}
  for k, i in ipairs(idx) do
    if i ~= k - 1 then fail(("%s has no variable %d"):format(vars, k - 1)) end
    src[k] = vars .. "/" .. i
    values[k] = try(fail, f, "dataset", src[k])
  end
  return values, src
end

-- every layers/... group holding vars, by the layer name stored with it (newer Keras 3 writes it)
local function vars_by_name(f, fail)
  local out, all = {}, {}
  local function walk(g, depth)
    if depth > 32 then return end
    for _, c in ipairs(try(fail, f, "children", g)) do
      local p = join(g, c)
      if try(fail, f, "kind", p) == "group" then
        if c == "vars" then
          all[#all + 1] = g
          local n = try(fail, f, "attribute", p, "name")
          if type(n) == "string" then out[n] = p end
        else
          walk(p, depth + 1)
        end
      end
    end
  end
  walk("/layers", 0)
  return out, all
end

local function load_keras3(model, f, fail)
  local plan, used = {}, {}
  local named, all_vars
  local function walk(m, prefix)
    local counts = {}
    for _, l in ipairs(m.layers) do
      local key = base.snake_case(l.class_name)
      local n = counts[key]
      counts[key] = (n or -1) + 1
      if n then key = key .. "_" .. (n + 1) end
      local path = prefix .. "/" .. key
      if is_model(l) then
        walk(l, path .. "/layers")
      elseif #weights_of(l) > 0 then
        local vars = path .. "/vars"
        if try(fail, f, "kind", vars) ~= "group" then
          if not named then named, all_vars = vars_by_name(f, fail) end
          vars = named[l.name]
          if not vars then
            fail(("layer %s has no weights in the file (no group %s/vars, and no vars group named %q)"):format(
              tag(l), path, l.name))
          end
        end
        used[vars] = true
        local values, src = read_vars(f, fail, vars)
        check_layer(plan, l, values, src, fail)
      end
    end
  end
  walk(model, "/layers")
  -- a layer of the file that nothing took: the model lacks it (its class is in the path)
  if not all_vars then named, all_vars = vars_by_name(f, fail) end
  local extra = {}
  for _, g in ipairs(all_vars) do
    if not used[g .. "/vars"] and #try(fail, f, "children", g .. "/vars") > 0 then
      local n = try(fail, f, "attribute", g .. "/vars", "name")
      extra[#extra + 1] = g .. (type(n) == "string" and (" (layer '" .. n .. "')") or "")
    end
  end
  if #extra > 0 then
    fail("the model has no layer for the file's " .. table.concat(extra, ", "))
  end
  return plan
end

---------------------------------------------------------------------------------------------------
-- the API
---------------------------------------------------------------------------------------------------

local function model_config(f, fail)
  local s = try(fail, f, "attribute", "/", "model_config")
  if s == nil then return nil end
  if type(s) ~= "string" then fail("model_config is not a string") end
  local cfg, err = saving.decode_json(s)
  if type(cfg) ~= "table" then fail("bad model_config JSON: " .. tostring(err or "not an object")) end
  return cfg
end

-- the plan of copies for model from the open file f (either layout)
local function plan_for(model, f, fail)
  if try(fail, f, "attribute", "/", "layer_names") or try(fail, f, "attribute", "/", "layer_names0") then
    return load_keras2(model, f, "/", fail, {})
  end
  if try(fail, f, "kind", "/model_weights") == "group" then   -- a whole Keras 2 model file
    local cfg = model_config(f, fail)
    return load_keras2(model, f, "/model_weights", fail, cfg and keras_config.classes(cfg) or {})
  end
  if try(fail, f, "kind", "/layers") == "group" then return load_keras3(model, f, fail) end
  fail("not a Keras weights file (no layer_names attribute, no model_weights or layers group)")
end

--- load_keras_weights(model, path): copies the weights of a Keras HDF5 file (Keras 3 .weights.h5,
--- Keras 2 / tf.keras save_weights .h5, or a whole Keras 2 model .h5) into a built cvision model
--- with the same architecture. Layers are matched by Keras 3's paths (class names and counters)
--- or by name, else by position among the layers with weights; every shape is checked first.
function M.load_keras_weights(model, path)
  local fail = failer("load_keras_weights", tostring(path))
  if not is_model(model) then
    error(("bad argument #1 to 'load_keras_weights' (model expected, got %s)"):format(type(model)), 2)
  end
  if type(path) ~= "string" then error("bad argument #2 to 'load_keras_weights' (file path expected)", 2) end
  if not model.built then fail("the model is not built (give it an input shape first)") end
  local f <close> = open(path, fail)
  apply(plan_for(model, f, fail), fail)
  return model
end

--- load_keras_model(path) --> a cvision model from a Keras 2 / tf.keras HDF5 model file
--- (`model.save("m.h5")`: the model_config attribute, the model_weights group), e.g. Teachable
--- Machine's keras_model.h5. Raises naming every layer class cvision does not have.
function M.load_keras_model(path)
  local fail = failer("load_keras_model", tostring(path))
  if type(path) ~= "string" then error("bad argument #1 to 'load_keras_model' (file path expected)", 2) end
  local f <close> = open(path, fail)
  local cfg = model_config(f, fail)
  if not cfg then
    fail("no model_config attribute: not a Keras 2 HDF5 model file (for a weights file use load_keras_weights)")
  end
  local ok, ccfg = pcall(keras_config.model, cfg)
  if not ok then fail(ccfg) end
  local mok, model = pcall(require("cvision.saving.model_file").from_config, ccfg)
  if not mok then fail("cannot build the model: " .. clean(model)) end
  -- a Sequential whose first layer is a built model (Keras 2 may give no input layer then)
  local first = model.layers and model.layers[1]
  if not model.built and first and is_model(first) and first.built then
    local bok, berr = pcall(model.build, model, first.input_shape)
    if not bok then fail("cannot build the model: " .. clean(berr)) end
  end
  if not model.built then fail("the model config has no input shape") end
  if try(fail, f, "kind", "/model_weights") ~= "group" then fail("no model_weights group (the model was saved without weights?)") end
  apply(load_keras2(model, f, "/model_weights", fail, keras_config.classes(cfg)), fail)
  return model
end

return M
