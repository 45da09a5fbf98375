-- cvision.tensor: the Lua side of the Tensor type: constructors that accept a shape as a table
-- or as numbers, and the functions copied into `cv`. The userdata, its metamethods (indexing,
-- arithmetic with broadcasting, tostring) and every loop over elements are in C
-- (csrc/bind/l_tensor.c over csrc/tensor_ops.c); methods written in Lua go into the same method
-- table (core.Tensor.methods), so t:method() finds both.
--
-- Conventions: indices and axes are 1-based (negative counts from the end); argmax/argmin give
-- 1-based positions (a float32 tensor along an axis, a number without one); comparisons give
-- uint8 masks of 0 and 1; arithmetic gives float32 unless both operands are uint8 (+ - *
-- maximum minimum then wrap around in uint8); a number operand counts as float32. int8 holds
-- numpy's wrap-around casts (t:astype("int8"): 128 -> -128); it reads, prints, reduces, indexes
-- and joins as itself, and computes in float32 (in-place ops on an int8 tensor wrap back into it).
--
-- Methods (C unless noted):
--   fields      t.shape (table), t.dtype ("float32" | "uint8" | "int8"), #t (size of axis 1)
--   shape       t:size([axis]), t:numel(), t:dim(), t:reshape{...} / t:view{...} (view, one -1),
--               t:flatten() (Lua, view), t:item() (Lua)
--   access      t[i] (view of sample i; a number for 1-D), t[i] = number | tensor | table,
--               t:slice(first [, last]) (view, inclusive, clamped like string.sub),
--               t:at(i, j, ...), t:set(i, j, ..., v) --> t
--   selection   t:index(idx) / t[idx] (copy of rows, idx a table or float32 tensor of 1-based
--               indices), t:select_mask(mask) / t[mask] (uint8 mask: 1-D over rows, or shaped
--               like t giving a 1-D result), t[mask] = number, t[idx] = number
--   in place    t:fill(v), t:zero(), t:copy(src) (same numel, or broadcast; converts dtype),
--               t:add_(o) t:sub_(o) t:mul_(o) t:div_(o) t:pow_(o), t:clamp_(lo, hi) --> t
--   copies      t:clone(), t:astype(dtype), t:float(), t:byte(), t:totable()
--   arithmetic  + - * / ^ % // and unary -, t:add(o) t:sub t:mul t:div t:pow t:mod t:floordiv
--               t:maximum t:minimum, t:neg() t:exp() t:log() t:sqrt() t:abs() t:sign()
--               t:square() (float32 results), t:clamp(lo, hi)
--   comparisons t:eq(o) t:ne t:lt t:gt t:le t:ge --> uint8 mask (== stays identity)
--   reductions  t:sum([axis [, keepdims]]) t:mean t:max t:min t:argmax t:argmin: a number
--               without an axis (sums in double); reducing a 1-D tensor along axis 1 also
--               gives a number
--   printing    tostring(t): numpy 2.3's repr, eliding the middle beyond 1000 elements
local core = require "cvision.core"
local errors = require "cvision.util.errors"

local M = {}
local methods = core.Tensor.methods
M.Tensor = core.Tensor

-- shape given as a table ({2, 3}) or as leading numbers (2, 3); returns shape, next argument
local function shape_args(fname, ...)
  local first = ...
  if type(first) == "table" then return first, select(2, ...) end
  local shape, n = {}, select("#", ...)
  for i = 1, n do
    local v = select(i, ...)
    if type(v) ~= "number" then return shape, select(i, ...) end
    shape[i] = v
  end
  if n == 0 then error(("bad argument #1 to '%s' (shape expected)"):format(fname), 3) end
  return shape
end

-- calls the core function f(...) for the public function fname: an argument error is raised at
-- the caller of fname and names fname ("bad argument #1 to 'zeros'", not 'empty' inside this file)
-- (renumber maps the core function's argument numbers to the public one's: ones' dtype is #2)
local function call(fname, renumber, f, ...)
  local ok, r = pcall(f, ...)
  if ok then return r end
  local msg = errors.clean(r)
  msg = msg:gsub("^bad argument #(%d+) to '[^']*'", function(n)
    return ("bad argument #%s to '%s'"):format(renumber and renumber[tonumber(n)] or n, fname)
  end)
  error(msg, 3)
end
local ONES = {[1] = 1, [3] = 2}   -- core.full(shape, 1, dtype) for ones(shape, dtype)

--- tensor(data [, dtype]) --> tensor from a nested table of numbers (shape inferred), a number
--- (0-d) or a tensor (copied); dtype "float32" (default), "uint8" or "int8" (both wrap around
--- like numpy's astype: cv.tensor({-128, 1, 127, 128}):astype("int8") is {-128, 1, 127, -128})
M.tensor = core.tensor

--- zeros(shape [, dtype]) / zeros(d1, d2, ... [, dtype]) --> tensor of zeros
function M.zeros(...)
  local shape, dtype = shape_args("zeros", ...)
  local t = call("zeros", nil, core.empty, shape, dtype)
  return t
end

--- ones(shape [, dtype]) --> tensor of ones
function M.ones(...)
  local shape, dtype = shape_args("ones", ...)
  local t = call("ones", ONES, core.full, shape, 1, dtype)
  return t
end

--- full(shape, value [, dtype]) --> tensor filled with value
function M.full(shape, value, dtype)
  local t = call("full", nil, core.full, shape, value, dtype)
  return t
end

--- zeros_like(t [, dtype]) --> a tensor of zeros shaped like t (t's dtype by default)
function M.zeros_like(t, dtype)
  if not core.is_tensor(t) then error("bad argument #1 to 'zeros_like' (tensor expected, got " .. type(t) .. ")", 2) end
  local z = call("zeros_like", {[2] = 2}, core.empty, t.shape, dtype or t.dtype)
  return z
end
--- ones_like(t [, dtype]) --> a tensor of ones shaped like t (t's dtype by default)
function M.ones_like(t, dtype)
  if not core.is_tensor(t) then error("bad argument #1 to 'ones_like' (tensor expected, got " .. type(t) .. ")", 2) end
  local o = call("ones_like", {[3] = 2}, core.full, t.shape, 1, dtype or t.dtype)
  return o
end

--- arange(stop) | arange(start, stop [, step]) --> float32 tensor, like numpy
M.arange = core.arange

--- rand(shape [, lo, hi]) --> float32 uniform in [lo, hi) (default [0, 1)), from the seeded stream
function M.rand(...)
  local shape, lo, hi = shape_args("rand", ...)
  local t = call("rand", nil, core.rand, shape, lo, hi)
  return t
end

--- randn(shape [, mean, std]) --> float32 normal draws from the seeded stream
function M.randn(...)
  local shape, mean, std = shape_args("randn", ...)
  local t = call("randn", nil, core.randn, shape, mean, std)
  return t
end

--- concat(list [, axis=1 [, out]]) --> tensor joining the list along axis (written into out,
--- which must have the joined shape, when given: no allocation)
M.concat = core.concat

--- split(x, axis, outs) --> outs: x's consecutive blocks along axis copied into the tensors of
--- the list outs, whose sizes along axis add up to x's (concat's inverse, into existing tensors)
M.split = core.split

--- stack(list [, axis=1]) --> tensor joining same-shaped tensors along a new axis
function M.stack(list, axis)
  if type(list) ~= "table" or #list == 0 or not core.is_tensor(list[1]) then
    error("bad argument #1 to 'stack' (non-empty list of tensors expected)", 2)
  end
  local shape = list[1].shape
  local nd = #shape
  axis = axis or 1
  if axis < 0 then axis = nd + axis + 2 end
  if axis < 1 or axis > nd + 1 then
    error(("bad argument #2 to 'stack' (axis %d out of range for rank %d)"):format(axis, nd + 1), 2)
  end
  table.insert(shape, axis, 1)
  local views = {}
  for i, t in ipairs(list) do
    if not core.is_tensor(t) then
      error(("bad argument #1 to 'stack' (element %d is not a tensor)"):format(i), 2)
    end
    if t:numel() ~= list[1]:numel() or t:dim() ~= nd then
      error(("stack: tensor %d has shape (%s), expected (%s)"):format(i,
        table.concat(t.shape, ", "), table.concat(list[1].shape, ", ")), 2)
    end
    views[i] = t:reshape(shape)
  end
  return core.concat(views, axis)
end

--- concatenate(list [, axis=1]) --> tensor joining the list along axis: numpy's name for concat.
--- axis is 1-based as everywhere in cvision (numpy's default axis=0 is cvision's axis=1; -1 is
--- the last axis in both)
function M.concatenate(list, axis)
  if type(list) ~= "table" or #list == 0 then
    error("bad argument #1 to 'concatenate' (non-empty list of tensors expected)", 2)
  end
  return call("concatenate", nil, core.concat, list, axis)
end

--- unique(t [, {return_counts=false}]) --> the sorted distinct values of t as a 1-D tensor of t's
--- dtype (numpy's np.unique over the flattened array); with return_counts, also a float32 tensor
--- of how often each occurs: values, counts
function M.unique(t, opts)
  if not core.is_tensor(t) then error("bad argument #1 to 'unique' (tensor expected)", 2) end
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "return_counts" then
      error(("bad argument #2 to 'unique' (unknown option '%s': did you mean 'return_counts'?)"):format(tostring(k)), 2)
    end
  end
  local v = t:numel() > 0 and t:reshape(t:numel()):totable() or {}
  table.sort(v)
  local vals, counts = {}, {}
  for _, x in ipairs(v) do
    if #vals > 0 and vals[#vals] == x then counts[#counts] = counts[#counts] + 1
    else vals[#vals + 1], counts[#counts + 1] = x, 1 end
  end
  local u = #vals > 0 and core.tensor(vals, t.dtype) or core.full({0}, 0, t.dtype)
  if opts.return_counts then
    return u, #counts > 0 and core.tensor(counts, "float32") or core.full({0}, 0, "float32")
  end
  return u
end

-- a (M,K) @ b (K,N) into a new (M,N) tensor, through the one GEMM (core.nn.dense_forward)
local function matmul2(a, b)
  local y = core.full({a.shape[1], b.shape[2]}, 0, "float32")
  core.nn.dense_forward(y, a, b)
  return y
end

--- matmul(a, b) --> a @ b as numpy's np.matmul for float32 tensors: (M,K) @ (K,N) --> (M,N);
--- batched (B,M,K) @ (B,K,N) --> (B,M,N), with a batch of 1 or a 2-D operand broadcast over the
--- other's batch (uint8 operands are converted to float32)
function M.matmul(a, b)
  if not core.is_tensor(a) then error("bad argument #1 to 'matmul' (tensor expected)", 2) end
  if not core.is_tensor(b) then error("bad argument #2 to 'matmul' (tensor expected)", 2) end
  if a.dtype ~= "float32" then a = a:astype("float32") end
  if b.dtype ~= "float32" then b = b:astype("float32") end
  local da, db = a:dim(), b:dim()
  if da < 2 or da > 3 or db < 2 or db > 3 then
    error(("matmul: 2-D or 3-D tensors expected, got %d-D and %d-D"):format(da, db), 2)
  end
  local sa, sb = a.shape, b.shape
  if sa[da] ~= sb[db - 1] then
    error(("matmul: shapes (%s) and (%s) do not align: %d (axis %d) ~= %d (axis %d)"):format(
      table.concat(sa, ", "), table.concat(sb, ", "), sa[da], da, sb[db - 1], db - 1), 2)
  end
  if da == 2 and db == 2 then return matmul2(a, b) end
  local ba, bb = da == 3 and sa[1] or 1, db == 3 and sb[1] or 1
  if ba ~= bb and ba ~= 1 and bb ~= 1 then
    error(("matmul: batch sizes %d and %d do not broadcast"):format(ba, bb), 2)
  end
  local B, m, n = math.max(ba, bb), sa[da - 1], sb[db]
  if db == 2 then   -- (B,M,K) @ (K,N): one GEMM over all rows
    return matmul2(a:reshape{ba * m, sa[da]}, b):reshape{ba, m, n}
  end
  local y = core.full({B, m, n}, 0, "float32")
  for i = 1, B do
    local ai = da == 2 and a or a[ba == 1 and 1 or i]
    core.nn.dense_forward(y[i], ai, b[bb == 1 and 1 or i])
  end
  return y
end

local Tensor_mt = core.Tensor

--- is_tensor(x) --> boolean (in Lua: the metatable's identity, no call into C)
function M.is_tensor(x) return getmetatable(x) == Tensor_mt end

-- t.shape and t.dtype, answered in Lua. A tensor's shape and dtype never change, so the C
-- __index (which builds a fresh shape table each time) is asked once per tensor; the answer is
-- kept in a weak table. Every access returns the same shape table while it holds the tensor's
-- shape; should a caller have changed it (local s = t.shape; s[1] = 1), the next access sees
-- that and hands out a fresh table, so t.shape is never wrong.
local c_index = Tensor_mt.__index
local facts = setmetatable({}, {__mode = "k"})   -- tensor --> {shape (handed out), shape (kept), dtype}

local function facts_of(t)
  local f = facts[t]
  if f == nil then
    local kept = c_index(t, "shape")
    f = {table.move(kept, 1, #kept, 1, {}), kept, c_index(t, "dtype")}
    facts[t] = f
  end
  return f
end

local function shape_of(t)
  local f = facts_of(t)
  local out, kept = f[1], f[2]
  local n = #kept
  if rawlen(out) == n then
    local same = true
    for i = 1, n do if rawget(out, i) ~= kept[i] then same = false break end end
    if same and next(out, n > 0 and n or nil) == nil then return out end
  end
  out = table.move(kept, 1, n, 1, {})
  f[1] = out
  return out
end

Tensor_mt.__index = function(t, k)
  local m = methods[k]
  if m ~= nil then return m end
  if k == "shape" then return shape_of(t) end
  if k == "dtype" then return facts_of(t)[3] end
  return c_index(t, k)
end

--- t:numel() --> the number of elements (from the shape, in Lua)
function methods.numel(t)
  local kept = facts_of(t)[2]
  local n = 1
  for i = 1, #kept do n = n * kept[i] end
  return n
end

--- t:dim() --> the number of axes
function methods.dim(t) return #facts_of(t)[2] end

--- manual_seed(n): reseeds the one random stream (weights, shuffles, dropout, augmentation)
function M.manual_seed(n)
  call("manual_seed", nil, core.manual_seed, n)
end

-- methods written in Lua (cheap reshapes over the C methods)

--- t:flatten() --> 1-D view of all elements
function methods.flatten(t) return t:reshape(t:numel()) end

--- t:item() --> the number in a one-element tensor
function methods.item(t)
  if t:numel() ~= 1 then
    error(("item: tensor has %d elements, expected 1"):format(t:numel()), 2)
  end
  return t:reshape(1)[1]
end

return M
