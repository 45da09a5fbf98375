-- cvision.plot.values: the data a plotting call accepts, turned into Lua arrays of numbers.
-- Promises: tables, tensors (flattened, through the C core) and single numbers all come back as
-- plain arrays; anything else is an argument error naming the calling function.
local core = require "cvision.core"

local M = {}

--- tolist(x [, what]) --> a Lua array of numbers from a table, a tensor (flattened) or a number
function M.tolist(x, what)
  if type(x) == "table" then
    local out = {}
    for i = 1, #x do out[i] = tonumber(x[i]) or (0 / 0) end
    return out
  elseif type(x) == "userdata" then
    return core.plot_tensor_values(x)
  elseif type(x) == "number" then
    return { x }
  end
  error("bad argument to '" .. (what or "plot") .. "' (table or tensor expected, got " .. type(x) .. ")", 3)
end

--- finite(v) --> true when v is neither NaN nor infinite
function M.finite(v) return v == v and v ~= math.huge and v ~= -math.huge end
local finite = M.finite

--- all_finite(...) --> true when every argument is a finite number (a shape's coordinates)
function M.all_finite(...)
  for i = 1, select("#", ...) do if not finite((select(i, ...))) then return false end end
  return true
end

--- list_finite(list) --> true when every entry of the list is finite (a polygon's points)
function M.list_finite(t)
  for i = 1, #t do if not finite(t[i]) then return false end end
  return true
end

return M
