-- cvision.plot.artists.step: ax:step, a line drawn as a staircase (matplotlib's Line2D with
-- drawstyle "steps-pre" | "steps-post" | "steps-mid"). Promises: matplotlib's corners (pre: each y
-- holds on the interval left of its x; post: right of it; mid: from half-way to the neighbours),
-- plot's format strings and options, markers at the data points (not at the corners), limits from
-- the data points, and the line kind's legend handle. steps() is the one staircase helper
-- (fill_between's step option uses it too).
local line = require "cvision.plot.artists.line"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"

local M = { name = "step", printed = "Line2D", methods = {} }

--- WHERE: the step positions step and fill_between know
M.WHERE = { "pre", "post", "mid" }

--- steps(where, x, y1 [, y2 ...]) --> sx, sy1 [, sy2 ...]: the staircase's vertices, as
-- matplotlib's pts_to_prestep / pts_to_poststep / pts_to_midstep (every y list shares x's corners)
function M.steps(where, x, ...)
  local ys, n = { ... }, #x
  local sx, sy = {}, {}
  for k = 1, #ys do sy[k] = {} end
  if n == 0 then return sx, table.unpack(sy) end
  if where == "mid" then
    -- x0, m01, m01, m12, m12, ..., xn; each y over [m(i-1,i), m(i,i+1)]
    for i = 1, n do
      local left = i == 1 and x[1] or (x[i - 1] + x[i]) / 2
      local right = i == n and x[n] or (x[i] + x[i + 1]) / 2
      sx[2 * i - 1], sx[2 * i] = left, right
      for k, y in ipairs(ys) do sy[k][2 * i - 1], sy[k][2 * i] = y[i], y[i] end
    end
  else
    -- pre: x0, x0, x1, x1, ... with y0, y1, y1, y2, y2 (the new y at the old x);
    -- post: x0, x1, x1, x2, ... with y0, y0, y1, y1, ... (the old y up to the new x)
    for i = 1, n do
      sx[2 * i - 1] = x[i]
      for k, y in ipairs(ys) do sy[k][2 * i - 1] = y[i] end
      if i < n then
        sx[2 * i] = where == "pre" and x[i] or x[i + 1]
        for k, y in ipairs(ys) do sy[k][2 * i] = where == "pre" and y[i + 1] or y[i] end
      end
    end
  end
  return sx, table.unpack(sy)
end

local EXTRA = { where = true }

--- ax:step(x, y [, fmt] [, {where = "pre" | "post" | "mid", label, color (c), linestyle (ls),
-- linewidth (lw), marker, markersize (ms), alpha}]) --> Line2D
function M.methods.step(self, x, y, fmt, opts)
  if type(fmt) == "table" then fmt, opts = nil, fmt end
  if y == nil or type(y) == "string" then error("bad argument #2 to 'step' (x and y expected)", 2) end
  local o = line.options("step", fmt, opts, EXTRA)
  local where = errors.check_choice("step", "where", o.where or "pre", M.WHERE)
  local xs, ys = line.data("step", x, y)
  local art = line.record(self, o, xs, ys, "step")
  art.where = where
  return artists.add(self, art)
end

M.limits = line.limits
M.legend = line.legend_line

-- The record seen as a line through its staircase, without markers.
local function staircase(a)
  local sx, sy = M.steps(a.where, a.x, a.y)
  return setmetatable({ x = sx, y = sy, marker = false }, { __index = a })
end

--- draw(a, ctx): the staircase as a line, then the markers at the data points
function M.draw(a, ctx)
  line.draw(staircase(a), ctx)
  if a.marker then line.draw(setmetatable({ linestyle = "none" }, { __index = a }), ctx) end
end

--- obstacles(a, ax, paths): the staircase's corners in pixels
function M.obstacles(a, ax, paths) line.obstacles(staircase(a), ax, paths) end

return M
