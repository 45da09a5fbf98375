-- cvision.models.functional: Keras' functional API. `cv.Input{h, w, c}` is a symbolic tensor; calling a
-- layer on symbolic tensors builds the layer for their shapes, records a node (the layer and its
-- inputs) and returns the symbolic output; `cv.Model{inputs = x, outputs = y}` (or
-- `cv.Model(x, y)`) turns the graph between them into a model with everything cvision.models
-- gives (compile, fit, evaluate, predict, save, load_model, summary with "Connected to").
--
-- Promises:
--  * Order: the layers and the execution order follow Keras' map_graph (depth from the outputs,
--    ties broken by traversal order), so model.layers and get_weights() list what Keras lists.
--    model.layers holds no InputLayer (as cv.Sequential); model.input_layers has them, and
--    summary() and get_layer() show and find them.
--  * Fan-out: a tensor used by several nodes gets the sum of their gradients.
--  * Shared layers (one layer object called at several nodes) keep one forward state per node:
--    the model swaps the layer's per-call fields (those named "_...", its buffers included) in
--    and out around each node's forward and backward, so the layer contract stays one-state.
--    Their weight gradients add up over the nodes.
--  * Nested models: a model called on symbolic tensors is a layer of the outer graph
--    (x = base_model(inputs, {training = false}) fixes the inner mode as Keras' training=False).
--    A functional model satisfies the layer contract (build/forward/backward/params/weights/
--    get_weights/set_weights/count_params/trainable); a cv.Sequential works nested too.
--  * trainable: setting model.trainable sets it on every layer inside (recursively, as Keras).
--    Frozen layers have no params(), count as non-trainable, and BatchNormalization runs in
--    inference mode when frozen. fit reads the flags at every step, so no recompile is needed.
--  * Backward does no work that no trainable weight needs: nodes upstream of every trainable
--    weight are skipped, and the first trainable layers skip their input gradient.
-- Limits: one input and one output per model; merge layers need equal shapes (no broadcasting).
local tensor = require "cvision.tensor"
local layers = require "cvision.layers"
local models = require "cvision.models"

local base = layers.base
local shape_str, shape_equal, copy_shape = base.shape_str, base.shape_equal, base.copy_shape
local is_tensor = require("cvision.tensor").is_tensor
local Model = models.Model
local plan_mod = require "cvision.models.plan"

local M = {}

local clean = require("cvision.util.errors").clean

local function describe(v)
  if is_tensor(v) then return "a tensor of shape " .. shape_str(v.shape) end
  if type(v) == "table" then return tostring(v) end
  return type(v)
end

local graph = require "cvision.models.graph"
local KerasTensor, is_input_marker, as_kt = graph.KerasTensor, graph.is_input_marker, graph.as_kt
local training_arg, refresh_weights, map_graph = graph.training_arg, graph.refresh_weights, graph.map_graph
local is_model = graph.is_model
local weights_of, input_kt, layer_nodes = graph.weights_of, graph.input_kt, graph.layer_nodes
M.KerasTensor, M.is_symbolic, M.call_layer, M.is_model = KerasTensor, graph.is_symbolic, graph.call_layer, is_model

---------------------------------------------------------------------------------------------------
-- per-node state of shared layers
---------------------------------------------------------------------------------------------------

local KEEP = {_trainable = true, _input_shape_arg = true}

-- capture(l) --> {[obj] = {field = value}} of l's "_..." fields and those of the layers inside it
local function capture(l, snap)
  snap = snap or {}
  local st = {}
  for k, v in next, l do
    if type(k) == "string" and k:byte(1) == 95 and not KEEP[k] then st[k] = v end
  end
  snap[l] = st
  if is_model(l) then for _, s in ipairs(l.layers) do capture(s, snap) end end
  return snap
end

local function restore(snap)
  for obj, st in pairs(snap) do
    for k in next, obj do
      if type(k) == "string" and k:byte(1) == 95 and not KEEP[k] and st[k] == nil then rawset(obj, k, nil) end
    end
    for k, v in pairs(st) do rawset(obj, k, v) end
  end
end

-- a node's first run of a shared layer: buffers of its own
local function fresh_state(l)
  if is_model(l) then
    rawset(l, "_acc", nil)
    for _, s in ipairs(l.layers) do fresh_state(s) end
  elseif rawget(l, "_bufs") then
    rawset(l, "_bufs", {})
  end
end

---------------------------------------------------------------------------------------------------
-- running any layer or model inside a graph
---------------------------------------------------------------------------------------------------

local Functional

local function params_of(l)
  if is_model(l) and l.trainable == false then return {} end
  return l:params()
end

local function run_forward(l, x, training)
  if is_model(l) and getmetatable(l) ~= Functional then
    if rawget(l, "trainable") == false then
      for _, s in ipairs(l.layers) do s.trainable = false end
    end
    return l:call(x, training)
  end
  return l:forward(x, training)
end

local function run_backward(l, dy, need_dx)
  -- a nested cv.Sequential: its plan backwards, down to its input when dx is needed
  if is_model(l) and getmetatable(l) ~= Functional then return l:backprop(dy, need_dx) end
  if not l.multi_input then rawset(l, "skip_input_grad", (not need_dx) or nil) end
  return l:backward(dy)
end

---------------------------------------------------------------------------------------------------
-- the Functional model
---------------------------------------------------------------------------------------------------

Functional = models.subclass("Functional")
models.classes.Functional = Functional
M.Functional = Functional

--- set_trainable(layer_or_model, flag): see cvision.models.set_trainable (`model.trainable = flag`)
M.set_trainable = models.set_trainable

local function kt_list(v, what)
  local list = {}
  local kt = as_kt(v)
  if kt then return {kt} end
  if type(v) ~= "table" or is_tensor(v) or v[1] == nil then
    error(("bad argument to 'Model' (%s must be a symbolic tensor or a list of them, got %s)"):format(what,
      describe(v)), 0)
  end
  for i, x in ipairs(v) do
    list[i] = as_kt(x)
    if not list[i] then
      error(("bad argument to 'Model' (%s[%d] is not a symbolic tensor: %s)"):format(what, i, describe(x)), 0)
    end
  end
  return list
end

local function construct(args)
  local inputs = kt_list(args.inputs, "inputs")
  local outputs = kt_list(args.outputs, "outputs")
  if #inputs ~= 1 or #outputs ~= 1 then
    error(("cv.Model: models with several inputs or outputs are not supported yet (got %d inputs, %d outputs)")
      :format(#inputs, #outputs), 0)
  end
  for i, kt in ipairs(inputs) do
    if not kt.node.is_input then
      error(("bad argument to 'Model' (inputs[%d] must come from cv.Input, got the output of %s)"):format(i,
        kt.node.layer.name), 0)
    end
  end
  local order, ops, _, per_depth = map_graph(inputs, outputs)
  local self = setmetatable({}, Functional)
  Model._init(self, args.name or base.unique_name("functional"))
  local names, count = {}, {}
  for _, op in ipairs(ops) do
    local other = names[op.name]
    if other and other ~= op then
      error(("cv.Model: the name %q is used by two layers; layer names must be unique in a model"):format(op.name), 0)
    end
    names[op.name] = op
  end
  local nodes, node_set = {}, {}
  for _, node in ipairs(order) do
    node_set[node] = true
    if not node.is_input then
      nodes[#nodes + 1] = node
      count[node.layer] = (count[node.layer] or 0) + 1
    end
  end
  local shared = {}
  for _, node in ipairs(nodes) do
    local l = node.layer
    if count[l] > 1 then
      shared[node] = true
      if getmetatable(l) == Functional and next(l._shared) then
        error(("cv.Model: the model %q has shared layers, so it can't itself be called more than once in another model")
          :format(l.name), 0)
      end
    end
  end
  local ls, input_layers = {}, {}
  for _, op in ipairs(ops) do
    if is_input_marker(op) then input_layers[#input_layers + 1] = op else ls[#ls + 1] = op end
  end
  -- a sequential-like graph (a chain, nothing shared) gets Keras' 3-column summary
  local seq_like = true
  for _, n in pairs(per_depth) do if n > 1 then seq_like = false end end
  for _, node in ipairs(nodes) do if #node.inputs > 1 or shared[node] then seq_like = false end end
  rawset(self, "layers", ls)
  self._ops = ops
  self._nodes = nodes
  self._node_set = node_set
  self._shared = shared
  self._node_state = {}
  self._sequential_like = seq_like
  self.inputs, self.outputs = inputs, outputs
  self.input, self.output = inputs[1], outputs[1]
  self.input_layers = input_layers
  self.input_shape = copy_shape(inputs[1].shape)
  self.output_shape = copy_shape(outputs[1].shape)
  self.built = true
  refresh_weights(self)
  if args.trainable == false then M.set_trainable(self, false) end
  return self
end

--- new{inputs = x, outputs = y [, name = "..."]} | new(x, y [, name | {name=}]) | new{x, y}
function M.new(a, b, c)
  local args
  if type(a) == "table" and not as_kt(a) and (a.inputs ~= nil or a.outputs ~= nil) then
    args = a
    for k in pairs(a) do
      if k ~= "inputs" and k ~= "outputs" and k ~= "name" and k ~= "trainable" then
        error(("bad argument to 'Model' (unknown option '%s')"):format(tostring(k)), 2)
      end
    end
  elseif type(a) == "table" and not as_kt(a) and b == nil and a[1] ~= nil and a[2] ~= nil and #a == 2 then
    args = {inputs = a[1], outputs = a[2], name = a.name}
  else
    args = {inputs = a, outputs = b, name = type(c) == "table" and c.name or c}
  end
  if args.inputs == nil or args.outputs == nil then
    error("bad argument to 'Model' (expected cv.Model{inputs = ..., outputs = ...})", 2)
  end
  local ok, m = pcall(construct, args)
  if not ok then error(clean(m), 2) end
  return m
end

function Functional:__call(x, training)
  if M.is_symbolic(x) then
    local ok, r = pcall(M.call_layer, self, x, training)
    if not ok then error(clean(r), 2) end
    return r
  end
  local t = training_arg(training)
  x = self:_check_x(x, "call")
  if x.dtype ~= "float32" then x = x:astype("float32") end
  -- a copy: the layers' output buffers are overwritten by the next call
  return self:call(x, t and true or false):clone()
end

-- "layer 3 (conv2d, Conv2D): <what went wrong>"
function Functional:_node_error(node, err)
  local l = node.layer
  local idx = 0
  for i, o in ipairs(self.layers) do if o == l then idx = i break end end
  local msg = clean(err)
  local tag = ("%s (%s): "):format(l.name, l.class_name)
  if msg:sub(1, #tag) == tag then msg = msg:sub(#tag + 1) end
  return ("layer %d (%s, %s): %s"):format(idx, l.name, l.class_name, msg)
end

--- build(input_shape): a functional model is built when made; raises when input_shape (no batch
--- axis) is not the one its Input gave
function Functional:build(input_shape)
  if not shape_equal(input_shape, self.input_shape) then
    error(("%s (Functional): was built for input %s, got %s"):format(self.name, shape_str(self.input_shape, true),
      shape_str(input_shape, true)), 2)
  end
end

--- plan() --> the model's plan (cvision.models.plan.graph): its steps over the nodes
function Functional:plan()
  local p = rawget(self, "_plan")
  if not p then
    local shared, out = self._shared, self.outputs[1]
    p = plan_mod.graph(self._nodes, function(node)
      return shared[node] or node.outputs[1] == out or is_model(node.layer)
    end)
    self._plan = p
  end
  return p
end

-- the node of a fused step an error came from (the one whose layer the message names)
local function error_node(step, err)
  local msg = tostring(err)
  for _, node in ipairs(step.nodes) do
    if msg:find(node.layer:tag() .. ": ", 1, true) then return node end
  end
  return step.nodes[1]
end

--- call(x, training) --> y: every step of the plan in order
function Functional:call(x, training)
  local vals = {[self.inputs[1]] = x}
  self._vals = vals
  local states, shared = self._node_state, self._shared
  for _, step in ipairs(self:plan().steps) do
    local node = step.nodes[1]
    local l = node.layer
    local tr = training
    if node.training ~= nil then tr = node.training end
    if #step.nodes > 1 then    -- a fusion: from the first node's input to the last node's output
      local ok, y = pcall(step.forward, step, vals[node.inputs[1]], tr)
      if not ok then error(self:_node_error(error_node(step, y), y), 0) end
      vals[step.nodes[#step.nodes].outputs[1]] = y
    else
      local arg
      if l.multi_input then
        arg = {}
        for j, t in ipairs(node.inputs) do arg[j] = vals[t] end
      else
        arg = vals[node.inputs[1]]
      end
      local sh = shared[node]
      if sh then
        local st = states[node]
        if st then restore(st) else fresh_state(l) end
      end
      local ok, y = pcall(run_forward, l, arg, tr)
      if not ok then error(self:_node_error(node, y), 0) end
      if sh then states[node] = capture(l) end
      vals[node.outputs[1]] = y
    end
  end
  return vals[self.outputs[1]]
end

-- the backward pass; returns the input gradient when need_input
function Functional:_backprop(dy, need_input)
  local vals = self._vals
  if not vals then error(self.name .. ": backward called before forward", 0) end
  local nodes, shared, states = self._nodes, self._shared, self._node_state
  -- which tensors need a gradient: those after a trainable weight (or after the input)
  local need, has = {[self.inputs[1]] = need_input and true or false}, {}
  for _, node in ipairs(nodes) do
    local l = node.layer
    if has[l] == nil then has[l] = #params_of(l) > 0 end
    local n = has[l]
    if not n then for _, t in ipairs(node.inputs) do if need[t] then n = true break end end end
    need[node.outputs[1]] = n
  end
  local acc = rawget(self, "_acc")
  if not acc then acc = {}; self._acc = acc end
  local grads = {[self.outputs[1]] = dy}
  local function add_grad(t, g)
    if not need[t] or g == nil then return end
    local cur = grads[t]
    if cur == nil then grads[t] = g return end
    local a = acc[t]
    if not a or not shape_equal(a.shape, g.shape) then a = tensor.zeros(g.shape); acc[t] = a end
    if cur ~= a then a:copy(cur); grads[t] = a end
    a:add_(g)
  end
  local steps = self:plan().steps
  for i = #steps, 1, -1 do
    local step = steps[i]
    local node = step.nodes[1]
    local out = step.nodes[#step.nodes].outputs[1]
    local g = grads[out]
    if g ~= nil and need[out] then
      local l = node.layer
      local need_dx = false
      for _, t in ipairs(node.inputs) do if need[t] then need_dx = true break end end
      if #step.nodes > 1 then
        local ok, dx = pcall(step.backward, step, g, need_dx)
        if not ok then error(self:_node_error(error_node(step, dx), dx), 0) end
        if need_dx then add_grad(node.inputs[1], dx) end
      else
        local sh = shared[node]
        if sh then restore(states[node]) end
        local ok, dx = pcall(run_backward, l, g, need_dx)
        if not ok then error(self:_node_error(node, dx), 0) end
        if sh then states[node] = capture(l) end
        if need_dx then
          if l.multi_input then
            for j, t in ipairs(node.inputs) do add_grad(t, dx[j]) end
          else
            add_grad(node.inputs[1], dx)
          end
        end
      end
    end
  end
  if need_input then
    local gx = grads[self.inputs[1]]
    if gx == nil then gx = tensor.zeros(vals[self.inputs[1]].shape) end
    return gx
  end
  return nil
end

--- backprop(dy): the backward pass of a training step (accumulates the parameter gradients)
function Functional:backprop(dy)
  self:_backprop(dy, false)
end

-- the layer contract, so that a model can be a layer of another model

--- forward(x [, training]) --> y
function Functional:forward(x, training)
  if not is_tensor(x) then error(self.name .. " (Functional): expected a tensor input, got " .. describe(x), 2) end
  local s, want = x.shape, self.input_shape
  local ok = #s == #want + 1
  for i = 1, #want do ok = ok and s[i + 1] == want[i] end
  if not ok then
    error(("%s (Functional): expected input of shape %s, got %s"):format(self.name, shape_str(want, true),
      shape_str(s)), 2)
  end
  return self:call(x, training and true or false)
end

--- backward(dy) --> dx (nil when skip_input_grad is set)
function Functional:backward(dy)
  return self:_backprop(dy, not rawget(self, "skip_input_grad"))
end

--- params() --> the trainable {value=, grad=, name=, path=} of every layer (paths of nested models'
--- weights start with the model's name)
function Functional:params()
  local out = {}
  if not self.trainable then return out end
  for _, l in ipairs(self.layers) do
    if is_model(l) then
      for _, p in ipairs(params_of(l)) do
        out[#out + 1] = {value = p.value, grad = p.grad, name = p.name, path = l.name .. "/" .. (p.path or p.name)}
      end
    else
      for _, p in ipairs(l:params()) do
        if not p.path then p.path = l.name .. "/" .. p.name end
        out[#out + 1] = p
      end
    end
  end
  return out
end

--- zero_grad(): sets the parameter gradients of every trainable layer to zero
function Functional:zero_grad()
  for _, l in ipairs(self.layers) do
    if l.trainable ~= false then l:zero_grad() end
  end
end

--- count_trainable_params() --> the number of trainable weights
function Functional:count_trainable_params()
  if not self.trainable then return 0 end
  local n = 0
  for _, l in ipairs(self.layers) do
    if l.built and l.trainable ~= false then
      if l.count_trainable_params then n = n + l:count_trainable_params()
      elseif is_model(l) then
        for _, s in ipairs(l.layers) do
          if s.trainable ~= false then
            n = n + (s.count_trainable_params and s:count_trainable_params() or s:count_params())
          end
        end
      else
        n = n + l:count_params()
      end
    end
  end
  return n
end

function Functional:_counts()
  local trainable = self:count_trainable_params()
  return trainable, self:count_params() - trainable
end

--- set_weights(list): every weight, in get_weights() order
function Functional:set_weights(list)
  if type(list) ~= "table" then error("set_weights: expected a list of tensors", 2) end
  local want = #self.weights
  if #list ~= want then
    error(("set_weights: the model %q has %d weights, got a list of %d"):format(self.name, want, #list), 2)
  end
  local k = 0
  for i, l in ipairs(self.layers) do
    local n = #(weights_of(l))
    local sub = {}
    for j = 1, n do sub[j] = list[k + j] end
    k = k + n
    local ok, err = pcall(l.set_weights, l, sub)
    if not ok then error(("set_weights: layer %d (%s, %s): %s"):format(i, l.name, l.class_name, clean(err)), 2) end
  end
end

--- get_layer(name | index) --> layer (Input layers included, by name)
function Functional:get_layer(key)
  if type(key) == "string" then
    for _, l in ipairs(self.input_layers) do if l.name == key then return l end end
  end
  local ok, l = pcall(Model.get_layer, self, key)
  if not ok then error(clean(l), 2) end
  return l
end

---------------------------------------------------------------------------------------------------
-- config: the layers, and the nodes in execution order with their inputs as
-- {layer name, node index in this model, tensor index}
---------------------------------------------------------------------------------------------------

-- local node indices: a layer's nodes numbered in this model's execution order
function Functional:_local_index()
  local idx, count = {}, {}
  for _, l in ipairs(self.input_layers) do idx[input_kt(l).node] = 0 end
  for _, node in ipairs(self._nodes) do
    local c = count[node.layer] or 0
    idx[node] = c
    count[node.layer] = c + 1
  end
  return idx
end

--- get_config() --> {class_name = "Functional", config = {name, trainable, layers, nodes,
--- input_layers, output_layers}}: Keras' functional config (each layer's config, each call's inputs)
function Functional:get_config()
  local idx = self:_local_index()
  local ls = {}
  for _, op in ipairs(self._ops) do
    if is_input_marker(op) then
      ls[#ls + 1] = {class_name = "InputLayer", name = op.name, config = op:get_config()}
    elseif is_model(op) then
      local c = op:get_config()
      ls[#ls + 1] = {class_name = c.class_name, name = op.name, config = c.config}
    else
      ls[#ls + 1] = {class_name = op.class_name, name = op.name, config = op:get_config()}
    end
  end
  local nodes = {}
  for _, node in ipairs(self._nodes) do
    local ins = {}
    for j, t in ipairs(node.inputs) do ins[j] = {t.node.layer.name, idx[t.node], 0} end
    nodes[#nodes + 1] = {layer = node.layer.name, inputs = ins, training = node.training}
  end
  local i, o = self.inputs[1].node, self.outputs[1].node
  return {class_name = "Functional", config = {name = self.name, trainable = self.trainable, layers = ls,
    nodes = nodes, input_layers = {{i.layer.name, 0, 0}}, output_layers = {{o.layer.name, idx[o], 0}}}}
end

-- the config's shape, checked before anything is built: a file's config of the wrong type gets an
-- error naming the field, not a Lua error from deep inside
local function is_ref(r)
  return type(r) == "table" and type(r[1]) == "string" and math.type(r[2]) == "integer"
end

local function check_config(cfg)
  local function bad(what, expected, got)
    error(("the config's %s must be %s, got %s"):format(what, expected, type(got) == "table" and "a table" or tostring(got)), 0)
  end
  if cfg.name ~= nil and type(cfg.name) ~= "string" then bad("name", "a string", cfg.name) end
  if cfg.trainable ~= nil and type(cfg.trainable) ~= "boolean" then bad("trainable", "a boolean", cfg.trainable) end
  for _, key in ipairs{"layers", "nodes", "input_layers", "output_layers"} do
    if cfg[key] ~= nil and type(cfg[key]) ~= "table" then bad(key, "a list", cfg[key]) end
  end
  for i, lc in ipairs(cfg.layers or {}) do
    if type(lc) ~= "table" then bad(("layers[%d]"):format(i), "an object {class_name, config, name}", lc) end
    if type(lc.class_name) ~= "string" then bad(("layers[%d].class_name"):format(i), "a string", lc.class_name) end
    if lc.name ~= nil and type(lc.name) ~= "string" then bad(("layers[%d].name"):format(i), "a string", lc.name) end
  end
  for k, nd in ipairs(cfg.nodes or {}) do
    if type(nd) ~= "table" then bad(("nodes[%d]"):format(k), "an object {layer, inputs}", nd) end
    if type(nd.layer) ~= "string" then bad(("nodes[%d].layer"):format(k), "a layer name", nd.layer) end
    if nd.inputs ~= nil and type(nd.inputs) ~= "table" then bad(("nodes[%d].inputs"):format(k), "a list", nd.inputs) end
    for j, r in ipairs(nd.inputs or {}) do
      if not is_ref(r) then bad(("nodes[%d].inputs[%d]"):format(k, j), "a reference [layer name, node index, 0]", r) end
    end
  end
  for _, key in ipairs{"input_layers", "output_layers"} do
    for j, r in ipairs(cfg[key] or {}) do
      if not is_ref(r) then bad(("%s[%d]"):format(key, j), "a reference [layer name, node index, 0]", r) end
    end
  end
end

--- Functional.from_config(config) --> a new functional model rebuilt from get_config()'s config:
--- the layers (nested models too), then each node called on its inputs; errors name the layer or
--- node that fails
function Functional.from_config(cfg)
  check_config(cfg)
  local ops, outs = {}, {}
  for i, lc in ipairs(cfg.layers or {}) do
    local ok, op
    if lc.class_name == "InputLayer" then
      ok, op = pcall(layers.from_config, "InputLayer", lc.config or {})
    elseif models.classes[lc.class_name] then
      ok, op = pcall(models.from_config, {class_name = lc.class_name, config = lc.config})
    else
      ok, op = pcall(layers.from_config, lc.class_name, lc.config or {})
    end
    if not ok then error(("layer %d (%s): %s"):format(i, tostring(lc.class_name), clean(op)), 0) end
    local name = lc.name or op.name
    ops[name] = op
    outs[name] = {}
    if is_input_marker(op) then outs[name][0] = input_kt(op) end
  end
  for k, nd in ipairs(cfg.nodes or {}) do
    local op = ops[nd.layer]
    if not op then error(("node %d: unknown layer %q"):format(k, tostring(nd.layer)), 0) end
    local ins = {}
    for j, ref in ipairs(nd.inputs or {}) do
      local src = outs[ref[1]] and outs[ref[1]][ref[2]]
      if not src then error(("node %d (%s): input %d refers to a missing tensor %s[%s]"):format(k, nd.layer, j,
        tostring(ref[1]), tostring(ref[2])), 0) end
      ins[j] = src
    end
    local arg = op.multi_input and ins or ins[1]
    local ok, kt = pcall(M.call_layer, op, arg, nd.training)
    if not ok then error(("node %d (%s): %s"):format(k, nd.layer, clean(kt)), 0) end
    local list = outs[nd.layer]
    local n = 0
    while list[n] ~= nil do n = n + 1 end
    list[n] = kt
  end
  local function ref(r, what)
    local t = r and outs[r[1]] and outs[r[1]][r[2]]
    if not t then error(("the config's %s refer to a missing tensor"):format(what), 0) end
    return t
  end
  local m = construct{inputs = ref(cfg.input_layers and cfg.input_layers[1], "input_layers"),
    outputs = ref(cfg.output_layers and cfg.output_layers[1], "output_layers"), name = cfg.name}
  if cfg.trainable == false then rawset(m, "_trainable", false) end
  return m
end

---------------------------------------------------------------------------------------------------
-- summary: Keras 3's table with the "Connected to" column (3 columns for a chain)
---------------------------------------------------------------------------------------------------

--- summary_lines() --> the lines of summary(): one row per layer, Input layers included
function Functional:summary_lines()
  local seq = self._sequential_like
  local widths, aligns, header
  if seq then
    widths, aligns, header = models.SUMMARY_WIDTHS, models.SUMMARY_ALIGNS, models.SUMMARY_HEADER
  else
    widths, aligns = {19, 17, 10, 17}, {"left", "left", "right", "left"}
    header = {"Layer (type)", "Output Shape", "Param #", "Connected to"}
  end
  local rows = {}
  for _, op in ipairs(self._ops) do
    local shape = op.output_shape or op.shape
    local fields = {("%s (%s)"):format(op.name, op.class_name), shape_str(shape, true),
      models._commas(op.count_params and op:count_params() or 0)}
    if not seq then
      local conn = {}
      for _, node in ipairs(layer_nodes[op] or (is_input_marker(op) and {} or {})) do
        if self._node_set[node] then
          for _, t in ipairs(node.inputs) do
            conn[#conn + 1] = ("%s[%d][%d]"):format(t.node.layer.name, t.node.index, t.index)
          end
        end
      end
      fields[4] = #conn > 0 and table.concat(conn, ", ") or "-"
    end
    rows[#rows + 1] = fields
  end
  local lines = {("Model: %q"):format(self.name)}
  for _, s in ipairs(models.table_lines(widths, aligns, header, rows)) do lines[#lines + 1] = s end
  for _, s in ipairs(self:summary_totals()) do lines[#lines + 1] = s end
  return lines
end

return M
