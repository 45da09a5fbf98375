-- cvision.models.params: a model's trainable weights and their gradients as views into one
-- contiguous block each, so that a training step zeroes the gradients with one fill and updates
-- the weights with one optimizer call per run of trainable weights (one run unless some layers
-- in the middle are frozen).
--
-- Promises:
--  * Packing moves no value: each weight and gradient is copied into its place in the block and
--    the layer's tensor becomes a view of it (layer.weights[i], layer.grads[i]); the layers'
--    kernels see the same numbers, so training gives the same bits as weight-by-weight updates.
--  * Each weight starts on a 64-byte boundary (16 floats); the gaps hold zeros and get zero
--    gradients, so an update over a run that spans a gap leaves the gap at zero.
--  * The block is made on the model's first training step and made again when a layer's weight
--    tensor was replaced (or layers were added or removed); what depends on the trainable flags
--    (the runs) and on the plan (which gradients are overwritten, not zeroed) is recomputed when
--    those change. The non-trainable weights (a BatchNormalization's moving statistics) stay
--    tensors of their own.
local tensor = require "cvision.tensor"

local M = {}

local ALIGN = 16

local function is_model(l) return type(l.layers) == "table" and type(l.call) == "function" end

-- every layer of a model, nested models' layers included, each once, in weight order
local function leaf_layers(ls, out, seen)
  for _, l in ipairs(ls) do
    if is_model(l) then leaf_layers(l.layers, out, seen)
    elseif not seen[l] then
      seen[l] = true
      out[#out + 1] = l
    end
  end
  return out
end

-- the block of a model's current layers: entries {layer=, i=, offset=, n=, path=}
local function pack(model)
  local paths = {}
  for _, p in ipairs(model:params()) do paths[p.value] = p.path end
  local entries, total = {}, 0
  for _, l in ipairs(leaf_layers(model.layers, {}, {})) do
    for i = 1, l.n_trainable or 0 do
      local w = l.weights[i]
      local n = w:numel()
      entries[#entries + 1] = {layer = l, i = i, offset = total, n = n,
        path = paths[w] or (l.name .. "/" .. tostring(l.weight_names[i]))}
      total = total + (n + ALIGN - 1) // ALIGN * ALIGN
    end
  end
  local value, grad = tensor.zeros{math.max(total, 1)}, tensor.zeros{math.max(total, 1)}
  for _, e in ipairs(entries) do
    local l = e.layer
    local shape = l.weights[e.i].shape
    local v = value:slice(e.offset + 1, e.offset + e.n):reshape(shape)
    local g = grad:slice(e.offset + 1, e.offset + e.n):reshape(shape)
    v:copy(l.weights[e.i])
    g:copy(l.grads[e.i])
    l.weights[e.i], l.grads[e.i] = v, g
    e.value, e.grad = v, g
  end
  -- nested models list their layers' weight tensors (the weights seen by saving): point those
  -- at the views
  local function refresh(ls)
    for _, l in ipairs(ls) do
      if is_model(l) then
        refresh(l.layers)
        if rawget(l, "weights") ~= nil then require("cvision.models.graph").refresh_weights(l) end
      end
    end
  end
  refresh(model.layers)
  return {value = value, grad = grad, entries = entries, size = total, version = 0, flags = {},
    layers = table.move(model.layers, 1, #model.layers, 1, {})}
end

local function still_valid(b, model)
  local ls = model.layers
  if #ls ~= #b.layers then return false end
  for i = 1, #ls do if ls[i] ~= b.layers[i] then return false end end
  for _, e in ipairs(b.entries) do
    local l = e.layer
    if l.weights[e.i] ~= e.value or l.grads[e.i] ~= e.grad then return false end
  end
  return true
end

-- runs of consecutive entries that pass keep(entry), as {first=, last=} 1-based positions in
-- the block (the gaps between consecutive entries included)
local function runs(b, keep)
  local out, cur = {}, nil
  for _, e in ipairs(b.entries) do
    if keep(e) then
      if cur then cur.last = e.offset + e.n
      else
        cur = {first = e.offset + 1, last = e.offset + e.n}
        out[#out + 1] = cur
      end
    else
      cur = nil
    end
  end
  return out
end

-- changed(b, over) --> true when a trainable flag or the overwritten set differs from what the
-- runs were made for (recording the new state); no allocation in the common case
local function changed(b, over)
  local flags, diff = b.flags, false
  for k, e in ipairs(b.entries) do
    local f = (e.layer.trainable ~= false and 1 or 0) + (over[e.layer] and 2 or 0)
    if flags[k] ~= f then flags[k] = f; diff = true end
  end
  return diff
end

--- block(model, over) --> the model's parameter block: {value=, grad= (1-D tensors), entries=,
--- runs = {{first=, last=, value=, grad=}} (the trainable runs, with views), zero = {views of
--- the gradient to zero before a backward pass: all but the layers in the set over}, version=}
function M.block(model, over)
  local b = rawget(model, "_param_block")
  if not b or not still_valid(b, model) then
    b = pack(model)
    model._param_block = b
  end
  if changed(b, over) or b.runs == nil then
    b.version = b.version + 1
    b.runs = runs(b, function(e) return e.layer.trainable ~= false end)
    for _, r in ipairs(b.runs) do
      r.value, r.grad = b.value:slice(r.first, r.last), b.grad:slice(r.first, r.last)
    end
    -- the gradient to zero: every entry but the overwritten layers' (gaps between zeroed entries
    -- too; the other gaps are never written and stay zero)
    local zero = {}
    for k, r in ipairs(runs(b, function(e) return not (over[e.layer] and e.layer.trainable ~= false) end)) do
      zero[k] = b.grad:slice(r.first, r.last)
    end
    b.zero = zero
  end
  return b
end

return M
