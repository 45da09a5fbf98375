-- cvision.tensor: the Lua side of the Tensor type (constructors, methods, printing).
-- The userdata and its kernels are in C (csrc/bind/l_tensor.c); methods written in Lua are
-- added to the same method table, so t:method() finds both.
local core = require "cvision.core"

local M = {}
local methods = core.Tensor.methods

core.Tensor.__index = function(t, k)
  if k == "shape" then return core.shape(t) end
  if k == "dtype" then return core.dtype(t) end
  return methods[k]
end

--- zeros(shape [, dtype]) --> tensor
function M.zeros(shape, dtype) return core.empty(shape, dtype) end

--- manual_seed(n): reseeds the one random stream (weights, shuffles, dropout, augmentation)
function M.manual_seed(n) core.manual_seed(n) end

return M
