-- cvision.plot.artists.spans: ax:axhspan and ax:axvspan, a rectangle between two data values on
-- one axis and across a fraction of the axes on the other (matplotlib's Rectangle on an axis
-- transform). Promises: the span counts in the limits of its own axis only, reaches the box's
-- edges whatever the view (xmin = 0, xmax = 1 by default), is "C0" by default without moving the
-- colour cycle, takes the patch colours of fill_between (color = face and edge), and has a filled
-- patch as legend handle.
local colors = require "cvision.plot.colors"
local artists = require "cvision.plot.artists"
local fill = require "cvision.plot.artists.fill"
local errors = require "cvision.util.errors"

local min, max = math.min, math.max

local M = { name = "span", printed = "Rectangle", methods = {} }

local OPTIONS = { color = true, facecolor = true, fc = "facecolor", edgecolor = true, ec = "edgecolor",
  linewidth = true, lw = "linewidth", linestyle = true, ls = "linestyle", alpha = true, label = true }

-- The recorder behind axhspan (dir "h": from lo to hi in y, f0 to f1 of the width) and axvspan.
local function span(ax, fname, dir, lo, hi, f0, f1, opts)
  if type(f0) == "table" then f0, f1, opts = nil, nil, f0 elseif type(f1) == "table" then f1, opts = nil, f1 end
  opts = errors.check_options(fname, opts, OPTIONS, 4, "keyword")
  local o = {}
  for k, v in pairs(opts) do o[type(OPTIONS[k]) == "string" and OPTIONS[k] or k] = v end
  f0, f1 = f0 or 0, f1 or 1
  local names = dir == "h" and { "ymin", "ymax", "xmin", "xmax" } or { "xmin", "xmax", "ymin", "ymax" }
  local args = { lo, hi, f0, f1 }
  for k = 1, 4 do
    if type(args[k]) ~= "number" then
      error(("bad argument #%d to '%s' (%s must be a number)"):format(k, fname, names[k]), 3)
    end
  end
  local face, edge, lw, ls = fill.patch_style(fname, o, 3)
  if face == false then face = colors.to_rgba("C0") end   -- patch.facecolor, resolved now
  return artists.add(ax, { kind = "span", dir = dir, lo = lo, hi = hi, f0 = f0, f1 = f1, color = face,
    edgecolor = edge, linewidth = lw, linestyle = ls, alpha = o.alpha, label = o.label })
end

--- ax:axhspan(ymin, ymax [, xmin = 0 [, xmax = 1]] [, {color, facecolor (fc), edgecolor (ec),
-- linewidth (lw), linestyle (ls), alpha, label}]) --> Rectangle: a band from ymin to ymax across
-- the axes (xmin, xmax: fractions of its width)
function M.methods.axhspan(self, ymin, ymax, xmin, xmax, opts)
  local r = span(self, "axhspan", "h", ymin, ymax, xmin, xmax, opts)   -- not a tail call: errors at our caller
  return r
end

--- ax:axvspan(xmin, xmax [, ymin = 0 [, ymax = 1]] [, {color, facecolor, edgecolor, ...}]) --> Rectangle:
-- a band from xmin to xmax up the axes (ymin, ymax: fractions of its height)
function M.methods.axvspan(self, xmin, xmax, ymin, ymax, opts)
  local r = span(self, "axvspan", "v", xmin, xmax, ymin, ymax, opts)
  return r
end

--- limits(a, lim): the span's two values on its own axis
function M.limits(a, lim)
  if a.dir == "h" then lim:y(a.lo); lim:y(a.hi) else lim:x(a.lo); lim:x(a.hi) end
end

-- The span's rectangle in figure pixels: x0, y0, x1, y1.
local function rect(a, ax)
  local b = ax.box
  if a.dir == "h" then
    local _, y0 = ax:transform(ax.view[1], a.lo)
    local _, y1 = ax:transform(ax.view[1], a.hi)
    return b[1] + a.f0 * (b[3] - b[1]), y0, b[1] + a.f1 * (b[3] - b[1]), y1
  end
  local x0 = ax:transform(a.lo, ax.view[3])
  local x1 = ax:transform(a.hi, ax.view[3])
  return x0, b[4] - a.f0 * (b[4] - b[2]), x1, b[4] - a.f1 * (b[4] - b[2])
end

--- draw(a, ctx): the rectangle filled, and outlined when it has an edge
function M.draw(a, ctx)
  local x0, y0, x1, y1 = rect(a, ctx.ax)
  x0, y0, x1, y1 = x0 - ctx.ox, y0 - ctx.oy, x1 - ctx.ox, y1 - ctx.oy
  fill.fill_patch(a, ctx, { { x0, y0, x1, y0, x1, y1, x0, y1 } })
end

M.legend = fill.legend_patch

--- obstacles(a, ax, paths, rects): the rectangle in pixels
function M.obstacles(a, ax, _, rects)
  local x0, y0, x1, y1 = rect(a, ax)
  rects[#rects + 1] = { min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1) }
end

return M
