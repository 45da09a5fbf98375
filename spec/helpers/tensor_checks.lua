-- spec/helpers/tensor_checks.lua - assertions the tensor specs share: a tensor's elements as a flat
-- list, errors whose message holds a given text, and numbers equal within a tolerance.
local assert = require "luassert"

local M = {}

-- the flat list of a tensor's elements
function M.flat(t)
  local out = {}
  local function walk(x)
    if type(x) == "table" then for _, v in ipairs(x) do walk(v) end else out[#out + 1] = x end
  end
  walk(t:totable())
  return out
end

-- f() must raise an error whose message contains msg
function M.assert_error(f, msg)
  local ok, err = pcall(f)
  assert.is_false(ok, "no error, expected: " .. msg)
  assert(tostring(err):find(msg, 1, true), ("error\n  %s\ndoes not contain\n  %s"):format(tostring(err), msg))
end

function M.close(a, b, tol)
  assert.is_true(math.abs(a - b) <= (tol or 1e-6), ("%s is not close to %s"):format(a, b))
end

return M
