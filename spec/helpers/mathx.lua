-- spec/helpers/mathx.lua - reference math the specs need that plain Lua 5.4 lacks: math.tanh
-- exists only where Lua was built with its 5.2 compatibility layer (Debian's is), so a spec that
-- used it would fail on a stock Lua 5.4.
local M = {}

-- tanh(x) in double precision, without overflow for large |x|
function M.tanh(x)
  if x < 0 then return -M.tanh(-x) end
  local e = math.exp(-2 * x)
  return (1 - e) / (1 + e)
end

return M
