-- cvision.models.graph: the symbolic side of the functional API. cv.Input markers and layer calls
-- on symbolic tensors (KerasTensor) record nodes (a layer and its inputs); map_graph orders the
-- nodes between a model's inputs and outputs as Keras' map_graph does (depth from the outputs,
-- ties broken by traversal order). cvision.models.functional turns that graph into a model.
local layers = require "cvision.layers"
local models = require "cvision.models"

local base = layers.base
local shape_str, shape_equal, copy_shape = base.shape_str, base.shape_equal, base.copy_shape
local is_tensor = require("cvision.tensor").is_tensor
local clean = require("cvision.util.errors").clean

local M = {}

local function describe(v)
  if is_tensor(v) then return "a tensor of shape " .. shape_str(v.shape) end
  if type(v) == "table" then return tostring(v) end
  return type(v)
end
M.describe = describe

---------------------------------------------------------------------------------------------------
-- symbolic tensors
---------------------------------------------------------------------------------------------------

--- KerasTensor: {shape = sample shape (no batch axis), node = the node producing it, index = 0}
local KerasTensor = {}
KerasTensor.__index = KerasTensor
KerasTensor.is_symbolic = true
M.KerasTensor = KerasTensor

function KerasTensor.__tostring(t)
  return ("<KerasTensor shape=%s, name=%s>"):format(shape_str(t.shape, true), t.node.layer.name)
end

local function is_input_marker(v)
  return type(v) == "table" and getmetatable(v) == layers.InputLayer
end

-- the symbolic tensor of a cv.Input marker (made once per marker)
local input_tensors = setmetatable({}, {__mode = "k"})
local function input_kt(marker)
  local kt = input_tensors[marker]
  if not kt then
    local node = {layer = marker, inputs = {}, is_input = true, index = 0}
    kt = setmetatable({shape = copy_shape(marker.shape), node = node, index = 0}, KerasTensor)
    node.outputs = {kt}
    input_tensors[marker] = kt
  end
  return kt
end

local function as_kt(v)
  if getmetatable(v) == KerasTensor then return v end
  if is_input_marker(v) then return input_kt(v) end
  return nil
end

--- is_symbolic(v) --> true for cv.Input, a layer's symbolic output, or a list of them
function M.is_symbolic(v)
  if as_kt(v) then return true end
  return type(v) == "table" and not is_tensor(v) and v[1] ~= nil and not is_tensor(v[1])
    and as_kt(v[1]) ~= nil
end

local is_model = models.is_model
M.is_model = is_model

-- the nodes of each layer, in call order (Keras' _inbound_nodes)
local layer_nodes = setmetatable({}, {__mode = "k"})

-- training argument: nil, a boolean, or {training = b}
local function training_arg(t)
  if type(t) == "table" then
    for k in pairs(t) do
      if k ~= "training" then error(("unknown keyword argument '%s' (only training)"):format(tostring(k)), 4) end
    end
    t = t.training
  end
  if t == nil then return nil end
  return t and true or false
end

-- the weights of any layer or model, as a flat list with names (nested models prefix theirs)
local function weights_of(l)
  if is_model(l) then
    local ws, names = {}, {}
    for _, s in ipairs(l.layers) do
      local sw, sn = weights_of(s)
      for i, w in ipairs(sw) do ws[#ws + 1] = w; names[#names + 1] = s.name .. "/" .. sn[i] end
    end
    return ws, names
  end
  local names = {}
  for i = 1, #(l.weights or {}) do names[i] = l.weight_names and l.weight_names[i] or tostring(i) end
  return l.weights or {}, names
end

-- a nested model keeps `weights`/`weight_names` lists (its weight tensors never move), so the
-- saving code of cvision.models treats it as any layer
local function refresh_weights(m)
  local ws, names = weights_of(m)
  rawset(m, "weights", ws)
  rawset(m, "weight_names", names)
end

local function symbolic_call(layer, list, training, as_list)
  local tag = ("%s (%s)"):format(tostring(layer.name), tostring(layer.class_name))
  if is_input_marker(layer) then error("an Input can't be called on a tensor", 3) end
  local shapes = {}
  for i, kt in ipairs(list) do shapes[i] = kt.shape end
  if is_model(layer) then
    if #list ~= 1 then error(("%s: expected 1 input, got %d"):format(tag, #list), 3) end
    if not layer.built then
      local ok, err = pcall(layer.build, layer, shapes[1])
      if not ok then error(tag .. ": " .. clean(err), 3) end
    end
    if not shape_equal(layer.input_shape, shapes[1]) then
      error(("%s: expected input of shape %s, got %s"):format(tag, shape_str(layer.input_shape, true),
        shape_str(shapes[1], true)), 3)
    end
    refresh_weights(layer)
  elseif layer.multi_input then
    if not as_list then
      error(("%s: a merge layer should be called on a list of inputs, got one"):format(tag), 3)
    end
    local ok, err = pcall(layer.build, layer, shapes)
    if not ok then error(clean(err), 3) end
  else
    if #list ~= 1 then error(("%s: expected 1 input, got a list of %d"):format(tag, #list), 3) end
    if type(layer.build) ~= "function" then error(("expected a layer, got %s"):format(describe(layer)), 3) end
    local ok, err = pcall(layer.build, layer, shapes[1])
    if not ok then error(clean(err), 3) end
  end
  local nodes = layer_nodes[layer]
  if not nodes then nodes = {}; layer_nodes[layer] = nodes end
  local node = {layer = layer, inputs = list, training = training, index = #nodes}
  local out = setmetatable({shape = copy_shape(layer.output_shape), node = node, index = 0}, KerasTensor)
  node.outputs = {out}
  nodes[#nodes + 1] = node
  return out
end

--- call_layer(layer, x [, training]): what layer(x) does for a table x. Symbolic x (cv.Input, a
--- layer's output, or a list of them) --> a new symbolic tensor; a list of tensors (merge layers)
--- --> the forward pass. training: a boolean or {training = b}, kept for the node.
function M.call_layer(layer, x, training)
  training = training_arg(training)
  local kt = as_kt(x)
  if kt then return symbolic_call(layer, {kt}, training, false) end
  if type(x) == "table" and not is_tensor(x) and x[1] ~= nil then
    if as_kt(x[1]) then
      local list = {}
      for i, v in ipairs(x) do
        list[i] = as_kt(v)
        if not list[i] then
          error(("%s: input %d is not a symbolic tensor (got %s); don't mix tensors and symbolic tensors")
            :format(tostring(layer.name), i, describe(v)), 2)
        end
      end
      return symbolic_call(layer, list, training, true)
    elseif is_tensor(x[1]) then
      return layer:forward(x, training and true or false)
    end
  end
  error(("%s (%s): expected a tensor, a symbolic tensor (cv.Input{...} or a layer's output) or a list of them, got %s")
    :format(tostring(layer.name), tostring(layer.class_name), describe(x)), 2)
end

---------------------------------------------------------------------------------------------------
-- the graph: Keras' map_graph
---------------------------------------------------------------------------------------------------

local function map_graph(inputs, outputs)
  local input_set = {}
  for _, kt in ipairs(inputs) do input_set[kt] = true end
  local finished, in_progress = {}, {}
  local order = {}                 -- nodes, each after the nodes it reads (DFS post-order)
  local op_index, n_ops = {}, 0
  local function visit(kt)
    local node = kt.node
    if finished[node] then return end
    if in_progress[node] then error("the graph has a cycle", 0) end
    local op = node.layer
    if op_index[op] == nil then op_index[op] = n_ops; n_ops = n_ops + 1 end
    in_progress[node] = true
    if not node.is_input and not input_set[kt] then
      for _, t in ipairs(node.inputs) do visit(t) end
    end
    finished[node] = true
    in_progress[node] = nil
    order[#order + 1] = node
  end
  for _, kt in ipairs(outputs) do visit(kt) end
  for _, node in ipairs(order) do
    if node.is_input and not input_set[node.outputs[1]] then
      local names = {}
      for i, kt in ipairs(inputs) do names[i] = kt.node.layer.name end
      error(("graph disconnected: the outputs depend on the Input %q, which is not among the model's inputs (%s)")
        :format(node.layer.name, table.concat(names, ", ")), 0)
    end
  end
  -- depths: 0 at the outputs, a node one deeper than any node that reads it
  local node_depth, op_depth = {}, {}
  for i = #order, 1, -1 do
    local node = order[i]
    local depth = math.max(node_depth[node] or 0, op_depth[node.layer] or 0)
    op_depth[node.layer] = depth
    node_depth[node] = depth
    if not node.is_input then
      for _, t in ipairs(node.inputs) do
        node_depth[t.node] = math.max(depth + 1, node_depth[t.node] or 0)
      end
    end
  end
  for _, kt in ipairs(inputs) do
    local op = kt.node.layer
    if op_depth[op] == nil then
      op_depth[op], op_index[op], node_depth[kt.node] = 0, -1, 0
      table.insert(order, 1, kt.node)
    end
  end
  local ops = {}
  for op in pairs(op_depth) do ops[#ops + 1] = op end
  table.sort(ops, function(a, b)
    if op_depth[a] ~= op_depth[b] then return op_depth[a] > op_depth[b] end
    return op_index[a] < op_index[b]
  end)
  local per_depth = {}
  for _, d in pairs(node_depth) do per_depth[d] = (per_depth[d] or 0) + 1 end
  return order, ops, node_depth, per_depth
end

M.is_input_marker, M.input_kt, M.as_kt, M.layer_nodes = is_input_marker, input_kt, as_kt, layer_nodes
M.training_arg, M.weights_of, M.refresh_weights, M.map_graph = training_arg, weights_of, refresh_weights, map_graph

return M
