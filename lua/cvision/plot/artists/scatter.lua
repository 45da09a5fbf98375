-- cvision.plot.artists.scatter: ax:scatter, points without a line, each of its own colour and size
-- (matplotlib's PathCollection). Promises matplotlib's sizes (s is the marker's area in points
-- squared, one for all or one per point) and its reading of c: a colour, a colour per point, or
-- numbers (one per point) mapped through cmap by norm (vmin/vmax autoscaled to the data), so
-- that colorbar() shows them. Points whose value the norm cannot map (NaN, <= 0 under "log") are
-- not drawn, as matplotlib's "bad" colour.
local core = require "cvision.core"
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local norms = require "cvision.plot.norm"
local errors = require "cvision.util.errors"

local M = { name = "scatter", printed = "PathCollection", methods = {} }

local finite, tolist, to_rgba, pt = values.finite, values.tolist, colors.to_rgba, paint.pt

local OPTIONS = { s = true, c = true, color = "c", marker = true, cmap = true, norm = true,
  vmin = true, vmax = true, alpha = true, label = true }

--- describe(a) --> what tostring(record) prints: "<PathCollection: label>" (or without the label)
function M.describe(a)
  return a.label and string.format("<%s: %s>", M.printed, tostring(a.label)) or "<" .. M.printed .. ">"
end

-- One value per point, or one for all; --> list (length n) or nil.
local function per_point(v, n, what, level)
  if type(v) == "userdata" then v = tolist(v, "scatter") end
  if type(v) ~= "table" then return nil end
  if #v ~= n then
    error(("scatter: %s has %d values for %d points"):format(what, #v, n), level or 4)
  end
  return v
end

-- The colours of c: {rgba, ...} for each point, and for numbers also the values and their norm.
local function point_colours(c, n, opts, default)
  if type(c) == "userdata" then c = tolist(c, "scatter") end
  local vals
  if type(c) == "table" and type(c[1]) == "number" and (#c == n or not (#c == 3 or #c == 4)) then
    vals = per_point(c, n, "c")
  end
  if not vals then
    if opts.cmap or opts.norm or opts.vmin or opts.vmax then
      error("scatter: cmap, norm, vmin and vmax need c to be numbers, one per point", 3)
    end
    local cols = {}
    if type(c) == "table" and (type(c[1]) == "string" or type(c[1]) == "table") then
      per_point(c, n, "c")
      for i = 1, n do cols[i] = to_rgba(c[i], opts.alpha) end
    else
      local one = to_rgba(c or default, opts.alpha)
      for i = 1, n do cols[i] = one end
    end
    return cols
  end
  local cmap = opts.cmap or require("cvision.plot.rc").get("image.cmap")
  if type(cmap) ~= "string" then error("scatter: cmap must be a colour map name", 3) end
  colors.check_cmap(cmap, "scatter", 3)
  local norm = norms.resolve(opts.norm, opts.vmin, opts.vmax, vals, "scatter")
  local cols = {}
  for i = 1, n do
    local t = norm:map(vals[i])
    if t == t then
      local r, g, b = core.plot_colormap(cmap, t, 0, 1)
      cols[i] = { r / 255, g / 255, b / 255, opts.alpha or 1 }
    else
      cols[i] = false
    end
  end
  return cols, vals, norm, cmap
end

--- ax:scatter(x, y, {s = 36, c, marker = "o", cmap = "viridis", norm, vmin, vmax, alpha, label})
-- --> the PathCollection record. c: a colour, a colour per point, or one number per point
-- (through cmap, scaled by norm: "linear" (default), "log", plot.Normalize(vmin, vmax) or
-- plot.LogNorm(vmin, vmax)); color is c's alias.
function M.methods.scatter(self, x, y, opts)
  opts = errors.check_options("scatter", opts, OPTIONS, 3, "keyword")
  local xs, ys = tolist(x, "scatter"), tolist(y, "scatter")
  if #xs ~= #ys then
    error(("scatter: x and y must have the same length, got %d and %d"):format(#xs, #ys), 2)
  end
  local n = #xs
  local marker = opts.marker or "o"
  paint.check_marker(marker, "scatter", 3)
  local c = opts.c
  if c == nil then c = opts.color end
  if type(c) == "string" or (type(c) == "table" and (type(c[1]) == "string" or type(c[1]) == "table")) then
    colors.check("scatter", c, 2)
  end
  local default = (c == nil) and colors.next_color(self) or nil
  local cols, vals, norm, cmap = point_colours(c, n, opts, default)
  local sizes = {}
  local s = opts.s or 36
  local ss = per_point(s, n, "s", 3)
  for i = 1, n do
    local si = ss and ss[i] or s
    if type(si) ~= "number" or si < 0 then error("scatter: s must be a non-negative number or one per point", 2) end
    sizes[i] = math.sqrt(si)
  end
  local art = { kind = "scatter", x = xs, y = ys, colors = cols, sizes = sizes, marker = marker,
    values = vals, norm = norm, cmap = cmap, label = opts.label, alpha = opts.alpha }
  if norm then art.vmin, art.vmax = norm.vmin, norm.vmax end
  return artists.add(self, art)
end

--- limits(a, lim): every point with both coordinates finite
function M.limits(a, lim)
  for i = 1, #a.x do
    if finite(a.x[i]) and finite(a.y[i]) then lim:x(a.x[i]); lim:y(a.y[i]) end
  end
end

--- mappable(a) --> true when c was numbers (a colour bar shows their colour map)
function M.mappable(a) return a.values ~= nil end

--- draw(a, ctx): each point's marker in its own colour and size, in the order given
function M.draw(a, ctx)
  local ax, fig = ctx.ax, ctx.fig
  for i = 1, #a.x do
    local col = a.colors[i]
    if col and finite(a.x[i]) and finite(a.y[i]) then
      local px, py = ax:transform(a.x[i], a.y[i])
      paint.draw_marker(ctx.cv, a.marker, px - ctx.ox, py - ctx.oy, pt(fig, a.sizes[i]), col)
    end
  end
end

--- legend(a, ctx, x, cy, length, fs): the marker in the first point's colour, 6 pt
function M.legend(a, ctx, x, cy, length)
  local col = a.colors[1] or { 0, 0, 0, 1 }
  for _, c in ipairs(a.colors) do if c then col = c; break end end
  paint.draw_marker(ctx.cv, a.marker, x + length / 2, cy, pt(ctx.fig, 6), col)
end

--- obstacles(a, ax, paths): the points in pixels, for the legend to keep off
function M.obstacles(a, ax, paths)
  local p = {}
  for i = 1, #a.x do
    if finite(a.x[i]) and finite(a.y[i]) then
      local px, py = ax:transform(a.x[i], a.y[i])
      p[#p + 1] = { px, py }
    end
  end
  paths[#paths + 1] = p
end

return M
