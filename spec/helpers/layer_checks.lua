-- spec/helpers/layer_checks.lua - assertions the layer specs share: values close to hand-computed
-- ones (nested tables or tensors, relative tolerance), and errors that name what went wrong.
local cv = require "cvision"

local M = {}

function M.approx(expected, t, tol)
  tol = tol or 1e-5
  local got = cv.is_tensor(t) and t:totable() or t
  local function cmp(e, g, path)
    if type(e) == "table" then
      assert(type(g) == "table" and #g == #e, ("at %s: expected %d values, got %s"):format(path, #e,
        type(g) == "table" and #g or tostring(g)))
      for i = 1, #e do cmp(e[i], g[i], path .. "[" .. i .. "]") end
    else
      assert(math.abs(e - g) <= tol * math.max(1, math.abs(e)),
        ("at %s: expected %.7g, got %.7g"):format(path, e, g))
    end
  end
  cmp(expected, got, "")
end

function M.err_of(f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error")
  return tostring(e)
end

function M.assert_error_is(msg, f, ...)
  local e = M.err_of(f, ...)
  assert(e:find(msg, 1, true), ("error\n  %s\ndoes not contain\n  %s"):format(e, msg))
end

return M
