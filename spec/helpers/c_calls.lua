-- spec/helpers/c_calls.lua: counts calls into cvision's C module with a debug hook. Every C
-- function reachable from cvision.core (its functions, sub-tables such as core.nn, and the
-- Tensor metatable with its methods) is counted by name; Lua's own C functions are not.
local core = require "cvision.core"

local M = {}

local function collect(t, prefix, seen, out)
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    if type(v) == "function" and debug.getinfo(v, "S").what == "C" then
      out[v] = out[v] or prefix .. tostring(k)
    elseif type(v) == "table" then
      collect(v, prefix .. tostring(k) .. ".", seen, out)
    end
  end
  return out
end

--- count(f) --> total, {name = calls}: the calls into cvision's C functions while f() runs
function M.count(f)
  local names = collect(core, "core.", {}, {})
  local total, by = 0, {}
  debug.sethook(function()
    local fn = debug.getinfo(2, "f").func
    local name = names[fn]
    if name then
      total = total + 1
      by[name] = (by[name] or 0) + 1
    end
  end, "c")
  local ok, err = pcall(f)
  debug.sethook()
  if not ok then error(err, 0) end
  return total, by
end

return M
