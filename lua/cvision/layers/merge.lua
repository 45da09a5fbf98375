-- cvision.layers.merge: Keras' merge layers Add, Multiply, Average and Concatenate. They take a
-- list of inputs, so their verbs differ from the one-input contract of docs/DESIGN.md in the
-- plural only: build({shape1, shape2, ...}), forward({x1, x2, ...} [, training]) --> y,
-- backward(dy) --> {dx1, dx2, ...}. `multi_input = true` tells a functional model to pass lists.
-- Add and Average need inputs of one shape (no broadcasting); Multiply broadcasts axes of size 1,
-- as Keras does (squeeze-and-excitation: (h, w, c) times (1, 1, c)); Concatenate joins along
-- `axis` (Keras' numbering with the batch axis: -1, the default, is the channels) and needs the
-- other axes equal. The outputs of Add, Average and the input gradients of Add may be shared
-- tensors (Add passes dy through to every input, as TensorFlow does).
local core = require "cvision.core"
local base = require "cvision.layers.base"

local M = {}
local shape_str, shape_equal, copy_shape = base.shape_str, base.shape_equal, base.copy_shape
local is_tensor = base.is_tensor

-- the base of the merge layers (not itself a layer class of cv.layers)
local Merge = base.class("Merge", nil, {positional = {}, defaults = {}})
Merge.multi_input = true

local function shapes_str(shapes)
  local parts = {}
  for i, s in ipairs(shapes) do parts[i] = shape_str(s, true) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

--- build({shape, ...}): the sample shapes of the inputs (no batch axis)
function Merge:build(shapes)
  if type(shapes) ~= "table" or type(shapes[1]) ~= "table" then
    self:fail("a merge layer should be called on a list of inputs, got " .. tostring(shapes), 2)
  end
  local list = {}
  for i, s in ipairs(shapes) do
    list[i] = copy_shape(s)
    for _, d in ipairs(s) do
      if math.type(d) ~= "integer" or d < 1 then
        self:fail("input shapes must hold positive integers, got " .. shapes_str(shapes), 2)
      end
    end
  end
  if self.built then
    local same = #list == #self.input_shape
    for i = 1, #list do same = same and shape_equal(list[i], self.input_shape[i]) end
    if not same then
      self:fail(("was built for inputs %s, got %s"):format(shapes_str(self.input_shape), shapes_str(list)), 2)
    end
    return
  end
  self.output_shape = self:compute_output_shape(list)
  self.input_shape = list
  self.built = true
end

-- Add, Multiply, Average: every input of one shape
function Merge:compute_output_shape(shapes)
  for i = 2, #shapes do
    if not shape_equal(shapes[i], shapes[1]) then
      self:fail(("inputs must have the same shape, got %s"):format(shapes_str(shapes)), 3)
    end
  end
  return copy_shape(shapes[1])
end

--- forward({x1, x2, ...} [, training]) --> y
function Merge:forward(xs, training)
  if is_tensor(xs) or type(xs) ~= "table" then
    self:fail("a merge layer should be called on a list of tensors, got " .. (is_tensor(xs) and "one tensor" or type(xs)), 2)
  end
  if not self.built then
    local shapes = {}
    for i, x in ipairs(xs) do
      if not is_tensor(x) then self:fail(("input %d is not a tensor"):format(i), 2) end
      local s = {}
      for d = 2, #x.shape do s[d - 1] = x.shape[d] end
      shapes[i] = s
    end
    self:build(shapes)
  end
  if #xs ~= #self.input_shape then
    self:fail(("expected %d inputs, got %d"):format(#self.input_shape, #xs), 2)
  end
  local n
  for i, x in ipairs(xs) do
    if not is_tensor(x) then self:fail(("input %d is not a tensor"):format(i), 2) end
    local s, want = x.shape, self.input_shape[i]
    local ok = #s == #want + 1 and (n == nil or s[1] == n)
    for d = 1, #want do ok = ok and s[d + 1] == want[d] end
    if not ok then
      self:fail(("input %d: expected shape %s, got %s"):format(i, shape_str(want, true), shape_str(s)), 2)
    end
    n = s[1]
  end
  self._batch = n
  if xs[1].dtype ~= "float32" then
    local f = {}
    for i, x in ipairs(xs) do f[i] = x:astype("float32") end
    xs = f
  end
  local y = self:_forward(xs, training and true or false)
  self._y_shape = y.shape
  return y
end

--- backward(dy) --> {dx1, dx2, ...}
function Merge:backward(dy)
  if not self._batch then self:fail("backward called before forward", 2) end
  if not is_tensor(dy) then self:fail("backward expected a tensor, got " .. type(dy), 2) end
  if not shape_equal(dy.shape, self._y_shape) then
    self:fail(("backward expected a gradient of shape %s, got %s"):format(shape_str(self._y_shape),
      shape_str(dy.shape)), 2)
  end
  return self:_backward(dy)
end

---------------------------------------------------------------------------------------------------

local Add = base.class("Add", Merge, {positional = {}, defaults = {}})
M.Add = Add

function Add:_forward(xs)
  local y = self:buf("y", xs[1].shape)
  y:copy(xs[1])
  for i = 2, #xs do y:add_(xs[i]) end
  return y
end

function Add:_backward(dy)
  local out = {}
  for i = 1, #self.input_shape do out[i] = dy end
  return out
end

local Multiply = base.class("Multiply", Merge, {positional = {}, defaults = {}})
M.Multiply = Multiply

-- inputs of one rank; on each axis the sizes agree or are 1 (broadcast, as Keras' Multiply)
function Multiply:compute_output_shape(shapes)
  local out = copy_shape(shapes[1])
  for i = 2, #shapes do
    local s = shapes[i]
    if #s ~= #out then self:fail("inputs must have the same rank, got " .. shapes_str(shapes), 3) end
    for d = 1, #s do
      if s[d] ~= out[d] and s[d] ~= 1 and out[d] ~= 1 then
        self:fail(("inputs must have the same shape or 1 on each axis, got %s"):format(shapes_str(shapes)), 3)
      end
      out[d] = math.max(out[d], s[d])
    end
  end
  return out
end

function Multiply:_forward(xs)
  local y = self:buf("y", base.batched(xs[1].shape[1], self.output_shape))
  if shape_equal(xs[1].shape, y.shape) then y:copy(xs[1]) else y:fill(1):mul_(xs[1]) end
  for i = 2, #xs do y:mul_(xs[i]) end
  self._xs = xs
  return y
end

-- d(x1*...*xn)/dxi = dy * (product of the others), summed over the axes xi was broadcast along
function Multiply:_backward(dy)
  local out = {}
  for i = 1, #self._xs do
    local dx = self:buf("dx" .. i, dy.shape)
    dx:copy(dy)
    for j, x in ipairs(self._xs) do if j ~= i then dx:mul_(x) end end
    local s = self._xs[i].shape
    for d = 2, #s do
      if s[d] == 1 and dx.shape[d] ~= 1 then dx = dx:sum(d, true) end
    end
    out[i] = dx
  end
  return out
end

local Average = base.class("Average", Merge, {positional = {}, defaults = {}})
M.Average = Average

function Average:_forward(xs)
  local y = self:buf("y", xs[1].shape)
  y:copy(xs[1])
  for i = 2, #xs do y:add_(xs[i]) end
  y:div_(#xs)
  return y
end

function Average:_backward(dy)
  local dx = self:buf("dx", dy.shape)
  dx:copy(dy)
  dx:div_(#self.input_shape)
  local out = {}
  for i = 1, #self.input_shape do out[i] = dx end
  return out
end

---------------------------------------------------------------------------------------------------

local Concatenate = base.class("Concatenate", Merge, {positional = {"axis"}, defaults = {axis = -1}})
M.Concatenate = Concatenate

--- Concatenate([axis = -1] [, {name, ...}]) --> layer joining its inputs along axis, counted as
--- Keras counts (0-based with the batch axis: 1 is the first axis after it, -1 the last; the batch
--- axis itself cannot be joined)
function Concatenate:init(a)
  local axis = a.axis
  if type(axis) == "number" and axis == math.floor(axis) then axis = math.tointeger(axis) end
  if math.type(axis) ~= "integer" then base.argerror("Concatenate", "axis must be an integer") end
  self.axis = axis
end

-- the joined axis as an index into the sample shape (1-based, no batch axis)
function Concatenate:_axis(rank)
  local a = self.axis
  local r = rank + 1                        -- with the batch axis, as Keras counts
  local a0 = a < 0 and r + a or a           -- 0-based with the batch axis
  if a0 < 1 or a0 >= r then
    self:fail(("axis %d is out of range for inputs of rank %d (the batch axis can't be joined)"):format(a, r), 4)
  end
  return a0
end

--- concat:compute_output_shape({shape, ...}) --> the joined shape (sizes along axis added); raises
--- when the ranks or the other axes differ
function Concatenate:compute_output_shape(shapes)
  local rank = #shapes[1]
  for i = 2, #shapes do
    if #shapes[i] ~= rank then
      self:fail("inputs must have the same rank, got " .. shapes_str(shapes), 3)
    end
  end
  local j = self:_axis(rank)
  local out = copy_shape(shapes[1])
  out[j] = 0
  for _, s in ipairs(shapes) do
    for d = 1, rank do
      if d ~= j and s[d] ~= shapes[1][d] then
        self:fail(("inputs must match on every axis but the concatenation axis (%d), got %s")
          :format(self.axis, shapes_str(shapes)), 3)
      end
    end
    out[j] = out[j] + s[j]
  end
  return out
end

function Concatenate:_forward(xs)
  local j = self:_axis(#self.input_shape[1])
  return core.concat(xs, j + 1, self:buf("y", base.batched(xs[1].shape[1], self.output_shape)))
end

-- dy's blocks along the joined axis, copied into one buffer per input
function Concatenate:_backward(dy)
  local j = self:_axis(#self.input_shape[1])
  local out = {}
  for i, s in ipairs(self.input_shape) do out[i] = self:buf("dx" .. i, base.batched(dy.shape[1], s)) end
  return core.split(dy, j + 1, out)
end

function Concatenate:_config() return {axis = self.axis} end

return M
