-- cvision.layers.base: what every layer shares. The class helper (a class is a table with __index,
-- callable to construct), Keras' argument conventions (positional arguments then a table of
-- keyword arguments, or one table of named arguments), Keras' default names with per-class
-- counters (conv2d, conv2d_1, ...; reset by clear_session), shape messages that name the layer,
-- the expected shape and the actual one, and buffers reused while the batch size is unchanged.
local core = require "cvision.core"
local tensor = require "cvision.tensor"
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local Tensor_mt = core.Tensor

local function is_tensor(v)
  return getmetatable(v) == Tensor_mt
end
M.is_tensor = is_tensor

---------------------------------------------------------------------------------------------------
-- names
---------------------------------------------------------------------------------------------------

local counters = {}

--- snake_case(class_name) --> Keras' default name prefix (MaxPooling2D --> max_pooling2d)
function M.snake_case(name)
  name = name:gsub("[^%w_]", "")
  name = name:gsub("(.)(%u%l+)", "%1_%2")
  name = name:gsub("(%l)(%u)", "%1_%2")
  return name:lower()
end

--- unique_name(prefix) --> prefix, prefix_1, prefix_2, ... (one counter per prefix)
function M.unique_name(prefix)
  local n = counters[prefix]
  counters[prefix] = (n or -1) + 1
  if n == nil then return prefix end
  return prefix .. "_" .. (n + 1)
end

--- clear_session(): resets every name counter (cv.clear_session() calls it)
function M.clear_session()
  counters = {}
end

---------------------------------------------------------------------------------------------------
-- shapes
---------------------------------------------------------------------------------------------------

--- shape_str(shape [, batch]) --> "(None, 80, 60, 1)" (batch = true prepends None)
function M.shape_str(shape, batch)
  local parts = {}
  if batch then parts[1] = "None" end
  for i = 1, #shape do parts[#parts + 1] = tostring(shape[i] or "None") end
  if #parts == 1 then return "(" .. parts[1] .. ",)" end
  return "(" .. table.concat(parts, ", ") .. ")"
end

--- shape_equal(a, b) --> true when two shapes have the same sizes
function M.shape_equal(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

--- copy_shape(s) --> a new list with the same sizes
function M.copy_shape(s)
  local c = {}
  for i = 1, #s do c[i] = s[i] end
  return c
end

--- numel(shape) --> the number of elements of a shape
function M.numel(shape)
  local n = 1
  for i = 1, #shape do n = n * shape[i] end
  return n
end

--- out_size(n, k, s, padding) --> out, pad_before (Keras/TF rule; core.nn.conv_out_size when built)
function M.out_size(n, k, s, padding)
  local nn = core.nn
  if nn and nn.conv_out_size then return nn.conv_out_size(n, k, s, padding) end
  if padding == "valid" then return (n - k) // s + 1, 0 end
  local out = (n + s - 1) // s
  local total = math.max((out - 1) * s + k - n, 0)
  return out, total // 2
end

---------------------------------------------------------------------------------------------------
-- argument parsing
---------------------------------------------------------------------------------------------------

-- a list of numbers ({3, 3}): a tuple argument, never a table of named arguments
local function is_number_list(t)
  if type(t) ~= "table" or is_tensor(t) or next(t) == nil then return false end
  local n = #t
  for k, v in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n or type(v) ~= "number" then return false end
  end
  return true
end
M.is_number_list = is_number_list

local function has_string_key(t)
  for k in pairs(t) do if type(k) == "string" then return true end end
  return false
end

-- The arguments of a constructor call as one table of named values, following the class's
-- `args` spec: positional names, defaults, and `tuple_first` when the first argument may itself
-- be a list of numbers (pool_size, kernel_size, padding). Unknown names raise, as in Keras.
function M.parse_args(cls, ...)
  local spec = cls.args
  local fname = cls.class_name
  local n = select("#", ...)
  local pos, kw = {}, {}
  local first = ...
  if n == 1 and type(first) == "table" and not is_tensor(first)
      and not (spec.tuple_first and #first > 0 and not has_string_key(first)) then
    -- one table of named arguments; its array part holds positional arguments
    for i = 1, #first do pos[i] = first[i] end
    for k, v in pairs(first) do
      if type(k) == "string" then kw[k] = v
      elseif not (math.type(k) == "integer" and k >= 1 and k <= #first) then
        error(("bad argument #1 to '%s' (unexpected key %s)"):format(fname, tostring(k)), 0)
      end
    end
  else
    local args = table.pack(...)
    local last = args[n]
    if n >= 1 and type(last) == "table" and not is_tensor(last)
        and (has_string_key(last) or next(last) == nil) then
      for k, v in pairs(last) do
        if type(k) ~= "string" then
          error(("bad argument #%d to '%s' (keyword arguments must have string keys)"):format(n, fname), 0)
        end
        kw[k] = v
      end
      n = n - 1
    end
    for i = 1, n do pos[i] = args[i] end
  end
  local names = spec.positional or {}
  local out = {}
  for i, v in pairs(pos) do
    local name = names[i]
    if not name then
      error(("bad argument #%d to '%s' (takes at most %d positional arguments)"):format(i, fname, #names), 0)
    end
    out[name] = v
  end
  local known = {name = true, trainable = true, dtype = true, input_shape = true,
                 batch_input_shape = true, batch_size = true}
  for _, k in ipairs(names) do known[k] = true end
  for k in pairs(spec.defaults or {}) do known[k] = true end
  for _, k in ipairs(spec.extra or {}) do known[k] = true end
  for k, v in pairs(kw) do
    if not known[k] then
      error(("bad argument to '%s' (unknown keyword argument '%s')"):format(fname, k), 0)
    end
    if out[k] ~= nil and names then
      error(("bad argument to '%s' (got multiple values for argument '%s')"):format(fname, k), 0)
    end
    out[k] = v
  end
  for k, v in pairs(spec.defaults or {}) do
    if out[k] == nil then out[k] = v end
  end
  for _, k in ipairs(spec.required or {}) do
    if out[k] == nil then
      error(("bad argument to '%s' (missing required argument '%s')"):format(fname, k), 0)
    end
  end
  return out
end

-- argerror(cls, what, msg): "bad argument to 'Conv2D' (kernel_size must be positive)"
-- Raised without a position: the constructor re-raises it at the caller's line.
function M.argerror(cls_name, msg)
  error(errors.bad_argument(cls_name, msg), 0)
end

-- the largest kernel size, stride or padding a layer accepts (what the C kernels' ints hold)
M.MAX_DIM = 2 ^ 31 - 1 | 0

--- pair(v, cls, what) --> {a, b} from a number or a list of two positive integers
function M.pair(v, cls_name, what, allow_zero)
  local a, b
  if type(v) == "number" then a, b = v, v
  elseif type(v) == "table" and #v == 2 and type(v[1]) == "number" and type(v[2]) == "number" then
    a, b = v[1], v[2]
  else
    M.argerror(cls_name, what .. " must be an integer or a list of 2 integers, got " .. tostring(v), 2)
  end
  local lo = allow_zero and 0 or 1
  local ia, ib = math.tointeger(a), math.tointeger(b)   -- nil for 2.5, inf and NaN
  if not ia or not ib or ia < lo or ib < lo then
    M.argerror(cls_name, what .. (allow_zero and " must be non-negative" or " must be positive")
      .. " integers, got " .. M.shape_str({a, b}), 2)
  end
  -- the kernels take C ints: a larger window or stride is a typo, not a request
  if ia > M.MAX_DIM or ib > M.MAX_DIM then
    M.argerror(cls_name, ("%s must be at most %d, got %s"):format(what, M.MAX_DIM, M.shape_str({a, b})), 2)
  end
  return {ia, ib}
end

--- padding_arg(v, cls_name) --> "valid" or "same" (any case), else a bad argument of cls_name
function M.padding_arg(v, cls_name)
  if type(v) == "string" then v = v:lower() end
  if v ~= "valid" and v ~= "same" then
    M.argerror(cls_name, "padding must be \"valid\" or \"same\", got " .. tostring(v), 2)
  end
  return v
end

---------------------------------------------------------------------------------------------------
-- the Layer class
---------------------------------------------------------------------------------------------------

local Layer = {}
Layer.__index = Layer
Layer.class_name = "Layer"
Layer.args = {positional = {}, defaults = {}}
M.Layer = Layer

-- every class made by M.class, by name (the last one made wins): cvision.layers finds custom
-- layers here, so a model holding one loads back with load_model once the class is defined again
local layer_classes = class.registry("layer")
M.registry = layer_classes.classes

--- class(class_name [, parent [, args]]) --> a new layer class, callable as a constructor
function M.class(class_name, parent, args)
  parent = parent or Layer
  local cls = class.define(class_name, parent, {args = args or parent.args})
  local function construct(...)
    local a = M.parse_args(cls, ...)
    local self = setmetatable({}, cls)
    self:_setup(a)
    self:init(a)
    return self
  end
  -- argument errors point at the caller's line, like Lua's own "bad argument" errors
  local function new(...)
    local ok, r = pcall(construct, ...)
    if ok then return r end
    if type(r) == "string" then
      -- everything a constructor checks is an argument: an error from a helper (an unknown
      -- activation or initializer) is reworded as this class's bad argument, at the caller's line
      local msg = errors.clean(r)
      if not msg:find("^bad argument to '" .. class_name .. "'") then
        msg = ("bad argument to '%s' (%s)"):format(class_name,
          msg:match("^bad argument #%d+ to '[^']*' %((.*)%)$") or msg)
      end
      error(msg, 3)
    end
    error(r, 0)
  end
  cls.new = function(...) local r = new(...) return r end
  layer_classes:register(cls)
  return cls
end

--- tostring(layer) --> "<ClassName name>"
function Layer.__tostring(self)
  return ("<%s %s>"):format(self.class_name, self.name)
end

-- common arguments: name, trainable, dtype, input_shape
function Layer:_setup(a)
  local prefix = M.snake_case(self.class_name)
  if a.name ~= nil then
    if type(a.name) ~= "string" or a.name == "" then
      M.argerror(self.class_name, "name must be a non-empty string", 3)
    end
    self.name = a.name
  else
    self.name = M.unique_name(prefix)
  end
  self.trainable = a.trainable ~= false
  if a.dtype ~= nil and a.dtype ~= "float32" then
    M.argerror(self.class_name, "dtype must be \"float32\", got " .. tostring(a.dtype), 0)
  end
  local ishape = a.input_shape or a.batch_input_shape
  if ishape ~= nil then
    if type(ishape) ~= "table" then M.argerror(self.class_name, "input_shape must be a list", 3) end
    local s = {}
    local from = a.batch_input_shape and 2 or 1
    for i = from, #ishape do s[#s + 1] = ishape[i] end
    self._input_shape_arg = s
  end
  self.built = false
  self.weights = {}
  self.weight_names = {}
  self.grads = {}
  self.n_trainable = 0
  self._bufs = {}
end

--- layer:init(args): a class's own arguments (after name, trainable, input_shape)
function Layer:init() end

--- "conv1 (Conv2D)": how errors name the layer
function Layer:tag()
  return ("%s (%s)"):format(self.name, self.class_name)
end

--- raises "<name> (<Class>): <msg>". Raised without a position: the call depth varies (a model
--- builds its layers), and the message names the layer; models add the layer's index.
function Layer:fail(msg)
  error(self:tag() .. ": " .. msg, 0)
end

-- expect_rank(shape, rank, what): "expected input of rank 3 (height, width, channels), got (None, 10)"
function Layer:expect_rank(shape, rank, what)
  if #shape ~= rank then
    self:fail(("expected input of rank %d%s, got %s"):format(rank, what and (" (" .. what .. ")") or "",
      M.shape_str(shape, true)), 0)
  end
end

--- compute_output_shape(input_shape) --> output shape (both without the batch axis)
function Layer:compute_output_shape(input_shape)
  return M.copy_shape(input_shape)
end

--- build(input_shape): validates the shape (without batch axis), creates the weights
function Layer:build(input_shape)
  if type(input_shape) ~= "table" then
    error(("bad argument #1 to 'build' (shape table expected, got %s)"):format(type(input_shape)), 2)
  end
  input_shape = M.copy_shape(input_shape)
  for i = 1, #input_shape do
    local d = input_shape[i]
    if math.type(d) ~= "integer" or d < 1 then
      self:fail("input shape must hold positive integers, got " .. M.shape_str(input_shape, true), 2)
    end
  end
  if self.built then
    if not M.shape_equal(input_shape, self.input_shape) then
      self:fail(("was built for input %s, got %s"):format(M.shape_str(self.input_shape, true),
        M.shape_str(input_shape, true)), 2)
    end
    return
  end
  local out = self:compute_output_shape(input_shape)
  self.input_shape = input_shape
  self.output_shape = out
  self:_build(input_shape)
  self.built = true
end

--- layer:_build(input_shape): a class makes its weights here (add_weight)
function Layer:_build() end

-- add_weight(name, tensor, trainable): registers a weight (trainable weights first, Keras order)
function Layer:add_weight(name, value, trainable)
  local i = #self.weights + 1
  self.weights[i] = value
  self.weight_names[i] = name
  if trainable ~= false then
    assert(self.n_trainable == i - 1, "trainable weights must come first")
    self.n_trainable = i
    self.grads[i] = tensor.zeros(value.shape)
  end
  return value
end

local scratch
--- scratch() --> the workspace (core.nn.workspace()) that every layer passes as the last argument of
--- its conv and dense kernels: their scratch memory (im2col columns, packed panels, Winograd
--- tiles), kept across batches so a training step allocates nothing after the first. One is
--- shared by all layers because kernel calls never overlap (each returns before the next starts);
--- it holds what the largest call needed; scratch():release() gives the memory back.
function M.scratch()
  if not scratch then scratch = core.nn.workspace() end
  return scratch
end

--- buf(key, shape [, dtype]) --> a tensor of that shape, reused while the shape is unchanged
function Layer:buf(key, shape, dtype)
  local b = self._bufs[key]
  if b and M.shape_equal(b.shape, shape) and (dtype == nil or b.dtype == dtype) then return b end
  b = tensor.zeros(shape, dtype)
  self._bufs[key] = b
  return b
end

-- the batch shape {n, table.unpack(shape)}
function M.batched(n, shape)
  local s = {n}
  for i = 1, #shape do s[i + 1] = shape[i] end
  return s
end

-- check_input(x): builds on first use, then checks x's shape against input_shape
function Layer:check_input(x, level)
  level = (level or 1) + 1
  if not is_tensor(x) then
    self:fail("expected a tensor input, got " .. type(x), level)
  end
  local s = x.shape
  if not self.built then
    if #s < 1 then self:fail("expected an input with a batch axis, got a scalar", level) end
    local ishape = {}
    for i = 2, #s do ishape[i - 1] = s[i] end
    if self._input_shape_arg and not M.shape_equal(ishape, self._input_shape_arg) then
      self:fail(("expected input of shape %s, got %s"):format(M.shape_str(self._input_shape_arg, true),
        M.shape_str(s)), level)
    end
    self:build(ishape)
    return s
  end
  local want = self.input_shape
  local ok = #s == #want + 1
  if ok then
    for i = 1, #want do if s[i + 1] ~= want[i] then ok = false break end end
  end
  if not ok then
    local msg = ("expected input of shape %s, got %s"):format(M.shape_str(want, true), M.shape_str(s))
    if #s == #want and M.shape_equal(s, want) then
      local r = {}
      for i = 1, #s do r[i] = s[i] end
      msg = msg .. (": a single sample needs a batch axis, use x:reshape{1, %s} or X:slice(i, i)")
        :format(table.concat(r, ", "))
    elseif #s == #want then
      msg = msg .. ": a single sample needs a batch axis (x:reshape{1, ...} or X:slice(i, i))"
    end
    self:fail(msg, level)
  end
  return s
end

--- forward(x [, training]) --> y (with batch axis). y may be reused by the next forward call.
function Layer:forward(x, training)
  local s = self:check_input(x, 2)
  -- uint8 images are cast to float32 as Keras casts inputs to the compute dtype (layers that
  -- take uint8 themselves, such as Rescaling, set accepts_uint8)
  if not self.accepts_uint8 and x.dtype ~= "float32" then x = x:astype("float32") end
  self._batch = s[1]
  local y = self:_forward(x, training and true or false)
  self._y_shape = y.shape
  return y
end

--- backward(dy) --> dx; accumulates the parameter gradients. With `skip_input_grad = true`
--- (set by a model on its first trainable layer) Dense and the convolutions return nil instead
--- of computing dx.
function Layer:backward(dy)
  if not self._batch then self:fail("backward called before forward", 2) end
  if not is_tensor(dy) then self:fail("backward expected a tensor, got " .. type(dy), 2) end
  local want = self._y_shape
  if not M.shape_equal(dy.shape, want) then
    self:fail(("backward expected a gradient of shape %s, got %s"):format(M.shape_str(want),
      M.shape_str(dy.shape)), 2)
  end
  return self:_backward(dy)
end

-- call(x) == forward(x, false), so a layer can be used as a function: layer(x). A table that is
-- not a tensor (cv.Input, a layer's symbolic output, or a list of them) goes to the functional
-- API (cvision.models.functional), which records the call in a graph.
function Layer:__call(x, training)
  if type(x) == "table" and not is_tensor(x) then
    return require("cvision.models.functional").call_layer(self, x, training)
  end
  -- a copy: forward's result may be the layer's buffer, overwritten by the next call
  local y = self:forward(x, training)
  if is_tensor(y) then y = y:clone() end
  return y
end

-- the gradient tensor of weight i for the kernels, or nil when the layer is frozen (no work)
function Layer:_grad(i)
  if self.trainable then return self.grads[i] end
  return nil
end

--- params() --> {{value=, grad=, name=, path=}, ...} for the trainable weights
function Layer:params()
  local out = {}
  if not self.trainable then return out end
  for i = 1, self.n_trainable do
    out[i] = {value = self.weights[i], grad = self.grads[i], name = self.weight_names[i],
              path = self.name .. "/" .. self.weight_names[i]}
  end
  return out
end

--- layer:zero_grad(): sets the gradients of its weights to zero
function Layer:zero_grad()
  for i = 1, self.n_trainable do self.grads[i]:fill(0) end
end

--- get_weights() --> copies of all weights (trainable then non-trainable, Keras order)
function Layer:get_weights()
  local out = {}
  for i, w in ipairs(self.weights) do out[i] = w:clone() end
  return out
end

--- set_weights(list): copies each tensor into place, checking count and shapes
function Layer:set_weights(list)
  if type(list) ~= "table" then self:fail("set_weights expects a list of tensors", 2) end
  if #list ~= #self.weights then
    self:fail(("set_weights expected %d weights (%s), got %d"):format(#self.weights,
      table.concat(self.weight_names, ", "), #list), 2)
  end
  for i, w in ipairs(self.weights) do
    local v = list[i]
    if not is_tensor(v) then
      if type(v) == "table" then v = tensor.tensor(v) else
        self:fail(("set_weights: %s must be a tensor, got %s"):format(self.weight_names[i], type(v)), 2)
      end
    end
    if not M.shape_equal(v.shape, w.shape) then
      self:fail(("set_weights: %s expected shape %s, got %s"):format(self.weight_names[i],
        M.shape_str(w.shape), M.shape_str(v.shape)), 2)
    end
    if v.dtype ~= "float32" then v = v:astype("float32") end
    w:copy(v)
  end
end

--- layer:count_params() --> the number of weight values
function Layer:count_params()
  local n = 0
  for _, w in ipairs(self.weights) do n = n + w:numel() end
  return n
end

--- layer:count_trainable_params() --> the number of trainable weight values
function Layer:count_trainable_params()
  if not self.trainable then return 0 end
  local n = 0
  for i = 1, self.n_trainable do n = n + self.weights[i]:numel() end
  return n
end

--- get_config() --> a JSON-friendly table that from_config turns back into the layer
function Layer:get_config()
  local cfg = {name = self.name, trainable = self.trainable, dtype = "float32"}
  for k, v in pairs(self:_config()) do cfg[k] = v end
  return cfg
end

--- layer:_config() --> a class's own config entries (get_config adds the common ones)
function Layer:_config() return {} end

return M
