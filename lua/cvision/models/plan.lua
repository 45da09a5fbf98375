-- cvision.models.plan: what runs when a model runs. When a model is built, its layers are turned
-- once into a plan: the list of steps that will run, each step either one layer or a fusion of
-- consecutive layers found by the rules in cvision.models.fusions.* ([Conv2D+ReLU, MaxPooling2D]
-- as one kernel call, [Rescaling, Dense] with the scale folded into the product). The model stays
-- what the user wrote (model.layers, summary, weights, saving); the plan is what runs.
--
-- Promises:
--  * The plan depends on the layers and their configuration only, never on earlier calls: the
--    first call already takes the fused path.
--  * Layers never see each other: a fused step reads the layers' weights and kernel arguments
--    and writes its own buffers; a layer's state is only touched by its own forward/backward.
--  * What depends on the trainable flags (where the backward pass stops, which step may skip its
--    input gradient, which gradients are overwritten instead of zeroed and accumulated) is
--    recomputed by plan:refresh() whenever a flag changed; no flag is set around a call.
--
-- A step is an object with
--   step.layers                  the layers it covers, in order (step.first: index of the first)
--   step:forward(x, training)    --> y (y may be a buffer of the step, overwritten next call)
--   step:backward(dy, need_dx, over) --> dx (nil when need_dx is false); accumulates the
--                                parameter gradients, or overwrites those of the layers in the
--                                set over (a subset of step:overwritable(); nil: none)
--   step:overwritable()          --> the layers whose gradients backward can overwrite
local M = {}

-- the fusion rules, tried in this order at each position of a chain of layers: a rule has
-- rule.name, rule.match(a, b) --> true when layer a followed by layer b (reading only a's
-- output) runs as one step, and rule.new(a, b) --> that step
M.rules = {
  require "cvision.models.fusions.conv_pool",
  (require "cvision.models.fusions.rescale_dense"),
}

---------------------------------------------------------------------------------------------------
-- the step over one layer
---------------------------------------------------------------------------------------------------

local Single = {}
Single.__index = Single
Single.kind = "layer"

--- single(layer) --> the step that runs one layer through its own forward/backward
function M.single(layer)
  return setmetatable({layers = {layer}, name = layer.class_name}, Single)
end

--- step:forward(x, training) --> the layer's forward(x, training)
function Single:forward(x, training)
  return self.layers[1]:forward(x, training)
end

--- step:backward(dy, need_dx, over) --> the layer's backward(dy) (nil unless need_dx: the layer
--- skips its input gradient); overwrites its gradients when the layer is in the set over
function Single:backward(dy, need_dx, over)
  local l = self.layers[1]
  -- skip_input_grad is the layer contract's way to say nobody reads dx (cvision.layers.base)
  local skip = (not need_dx) or nil
  if rawget(l, "skip_input_grad") ~= skip then l.skip_input_grad = skip end
  if over and over[l] then return l:backward(dy, true) end
  return l:backward(dy)
end

--- step:overwritable() --> {layer} when the layer's class can overwrite its gradients
--- (overwrites_grads), else {}
function Single:overwritable()
  local l = self.layers[1]
  if rawget(getmetatable(l) or {}, "overwrites_grads") then return {l} end
  return {}
end

---------------------------------------------------------------------------------------------------
-- plans over a chain of layers (Sequential; a functional model's chains)
---------------------------------------------------------------------------------------------------

local Plan = {}
Plan.__index = Plan

-- a layer's weights get gradients in a training step
local function has_trainable(l)
  return l.trainable ~= false and (l.n_trainable or 0) > 0
end

--- chain(layers [, opts]) --> the plan of layers run one after the other. opts.fuse = false keeps
--- one step per layer (the reference path the specs compare fused steps with).
function M.chain(ls, opts)
  local fuse = not (opts and opts.fuse == false)
  local steps, i = {}, 1
  while i <= #ls do
    local a, b, step = ls[i], ls[i + 1], nil
    if fuse and b then
      for _, rule in ipairs(M.rules) do
        if rule.match(a, b) then step = rule.new(a, b) break end
      end
    end
    step = step or M.single(a)
    step.first = i
    steps[#steps + 1] = step
    i = i + #step.layers
  end
  local p = setmetatable({layers = ls, steps = steps, _flags = {}}, Plan)
  p:refresh(true)
  return p
end

--- plan:refresh([force]): recomputes what depends on the trainable flags when one changed
function Plan:refresh(force)
  local ls, flags = self.layers, self._flags
  local changed = force
  for i = 1, #ls do
    local t = has_trainable(ls[i])
    if flags[i] ~= t then flags[i] = t; changed = true end
  end
  if not changed then return end
  -- the backward pass stops at the first step holding a trainable weight: nothing before it
  -- needs a gradient, and that step skips its input gradient
  local stop = #self.steps + 1
  for k, step in ipairs(self.steps) do
    for _, l in ipairs(step.layers) do
      if has_trainable(l) then stop = k break end
    end
    if stop == k then break end
  end
  self.stop = stop
  -- the layers whose gradients the training step overwrites instead of zeroing (each runs its
  -- backward exactly once per step), and the others, which it zeroes
  local over, seen = {}, {}
  for k = stop, #self.steps do
    for _, l in ipairs(self.steps[k]:overwritable()) do
      if has_trainable(l) and not seen[l] then over[l] = true end
      seen[l] = true
    end
  end
  self.overwritten = over
end

--- graph(nodes, alone) --> the plan of a functional model's nodes (in execution order): each
--- step has step.nodes (one node, or the consecutive nodes a fusion covers) and step.layers. A
--- node fuses with the one node that reads its output when neither is alone(node) (a shared
--- layer, the model's output) and both run in the same training mode. Such a plan has no
--- trainable-dependent part: the functional model works out what needs a gradient per call.
function M.graph(nodes, alone)
  local readers, reader = {}, {}
  for _, n in ipairs(nodes) do
    for _, t in ipairs(n.inputs) do readers[t] = (readers[t] or 0) + 1 end
    if #n.inputs == 1 then reader[n.inputs[1]] = n end
  end
  local steps, taken = {}, {}
  for _, a in ipairs(nodes) do
    if not taken[a] then
      local out = a.outputs[1]
      local b = readers[out] == 1 and reader[out] or nil
      local step
      if b and not alone(a) and not alone(b) and a.training == b.training then
        for _, rule in ipairs(M.rules) do
          if rule.match(a.layer, b.layer) then step = rule.new(a.layer, b.layer) break end
        end
      end
      if step then
        step.nodes = {a, b}
        taken[b] = true
      else
        step = M.single(a.layer)
        step.nodes = {a}
      end
      steps[#steps + 1] = step
    end
  end
  return setmetatable({steps = steps, overwritten = {}}, Plan)
end

-- the error of a step, naming the layer it came from: "layer 3 (pool1, MaxPooling2D): ..."
local function step_error(step, err, layer_error)
  local msg = tostring(err)
  for j, l in ipairs(step.layers) do
    if msg:find(l:tag() .. ": ", 1, true) then return layer_error(step.first + j - 1, l, err) end
  end
  return layer_error(step.first, step.layers[1], err)
end

--- plan:forward(x, training, layer_error) --> y: every step in order; errors name the layer
--- through layer_error(index, layer, err)
function Plan:forward(x, training, layer_error)
  local steps = self.steps
  for k = 1, #steps do
    local step = steps[k]
    local ok, y = pcall(step.forward, step, x, training)
    if not ok then error(step_error(step, y, layer_error), 0) end
    x = y
  end
  return x
end

--- plan:backward(dy, need_dx, overwrite, layer_error) --> dx when need_dx (the gradient of the
--- plan's input), else nil. Without need_dx it stops at the first trainable step. overwrite =
--- true: the layers in plan.overwritten overwrite their gradients (the caller zeroed the others).
function Plan:backward(dy, need_dx, overwrite, layer_error)
  local steps = self.steps
  local stop = need_dx and 1 or self.stop
  local over = overwrite and self.overwritten or nil
  for k = #steps, stop, -1 do
    local step = steps[k]
    local ok, dx = pcall(step.backward, step, dy, need_dx or k > stop, over)
    if not ok then error(step_error(step, dx, layer_error), 0) end
    dy = dx
  end
  if need_dx then return dy end
  return nil
end

--- plan:describe() --> {"Conv2D+MaxPooling2D", "Flatten", ...}: one entry per step
function Plan:describe()
  local out = {}
  for k, step in ipairs(self.steps) do
    local names = {}
    for j, l in ipairs(step.layers) do names[j] = l.class_name end
    out[k] = table.concat(names, "+")
  end
  return out
end

return M
