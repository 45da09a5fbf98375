-- cvision.plot.artists.scatter: ax:scatter, points without a line. Promises matplotlib's sizes
-- (s is the marker's area in points squared) and records a marker-only line, so limits, drawing
-- and the legend are the line kind's.
local M = { name = "scatter", methods = {} }

--- ax:scatter(x, y, {s, color, marker, label, alpha})
function M.methods.scatter(self, x, y, opts)
  opts = opts or {}
  local size = opts.s and math.sqrt(opts.s) or 6
  return self:plot(x, y, { color = opts.color or opts.c, marker = opts.marker or "o",
    markersize = size, linestyle = "none", label = opts.label, alpha = opts.alpha })
end

return M
