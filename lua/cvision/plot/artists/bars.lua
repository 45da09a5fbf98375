-- cvision.plot.artists.bars: rectangles from a baseline (ax:bar, ax:barh, and hist's bins;
-- matplotlib's BarContainer). Promises: categorical x (strings) as tick labels, bars that start
-- at 0 without a margin below (sticky edges), neighbouring bars of one colour filled as one shape
-- without seams, per-bar colours, edge colours and "step" outlines.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"

local M = { name = "bars", printed = "BarContainer", methods = {} }

local abs, min, max = math.abs, math.min, math.max
local tolist, to_rgba, pt = values.tolist, colors.to_rgba, paint.pt

--- describe(a) --> what tostring(record) prints: "<BarContainer object of N artists>", as matplotlib
function M.describe(a)
  return string.format("<%s object of %d artists>", M.printed, #a.left)
end

local BAR = { width = true, color = true, label = true, alpha = true, tick_label = true,
  edgecolor = true, ec = "edgecolor", bottom = true }
local BARH = { height = true, color = true, label = true, alpha = true }

--- ax:bar(x, heights, {width = 0.8, color, label, alpha, tick_label, edgecolor (ec), bottom})
-- x may hold strings (categories): bars go at 0, 1, ... with those tick labels.
function M.methods.bar(self, x, heights, opts)
  opts = errors.check_options("bar", opts, BAR, 3, "keyword")
  if opts.ec ~= nil then opts = setmetatable({ edgecolor = opts.ec }, { __index = opts }) end
  colors.check("bar", opts.color, 2)
  colors.check("bar", opts.edgecolor, 2)
  local hs = tolist(heights, "bar")
  local xs, labels = {}, nil
  if type(x) == "table" and type(x[1]) == "string" then
    labels = {}
    for i = 1, #x do xs[i] = i - 1; labels[i] = x[i] end
  else
    xs = tolist(x, "bar")
  end
  if #xs ~= #hs then error("bad argument to 'bar' (x and heights must have the same length)", 2) end
  local w = opts.width or 0.8
  local lefts, widths, bottoms = {}, {}, {}
  for i = 1, #xs do
    lefts[i] = xs[i] - w / 2
    widths[i] = w
    bottoms[i] = type(opts.bottom) == "table" and opts.bottom[i] or opts.bottom or 0
  end
  local colors_ -- one colour per bar, when a list of colours is given
  if type(opts.color) == "table" and type(opts.color[1]) ~= "number" then colors_ = opts.color end
  local art = {
    kind = "bars", left = lefts, width = widths, height = hs, bottom = bottoms,
    color = (not colors_ and opts.color) or colors.next_color(self), colors = colors_,
    alpha = opts.alpha, label = opts.label, edgecolor = opts.edgecolor,
  }
  artists.add(self, art)
  labels = opts.tick_label or labels
  if labels then self:set_xticks(xs, labels) end
  return art
end

--- ax:barh(y, widths, {height = 0.8, color, label}) horizontal bars
function M.methods.barh(self, y, widths, opts)
  opts = errors.check_options("barh", opts, BARH, 3, "keyword")
  colors.check("barh", opts.color, 2)
  local ws = tolist(widths, "barh")
  local ys, labels = {}, nil
  if type(y) == "table" and type(y[1]) == "string" then
    labels = {}
    for i = 1, #y do ys[i] = i - 1; labels[i] = y[i] end
  else ys = tolist(y, "barh") end
  local h = opts.height or 0.8
  local lefts, wd, bottoms, hs = {}, {}, {}, {}
  for i = 1, #ys do lefts[i] = 0; wd[i] = ws[i]; bottoms[i] = ys[i] - h / 2; hs[i] = h end
  local art = { kind = "bars", horizontal = true, left = lefts, width = wd, height = hs,
    bottom = bottoms, color = opts.color or colors.next_color(self), alpha = opts.alpha, label = opts.label }
  artists.add(self, art)
  if labels then self:set_yticks(ys, labels) end
  return art
end

--- limits(a, lim): every bar's corners; the value axis sticks to 0
function M.limits(a, lim)
  for i = 1, #a.left do
    lim:x(a.left[i]); lim:x(a.left[i] + a.width[i])
    lim:y(a.bottom[i]); lim:y(a.bottom[i] + a.height[i])
  end
  if a.horizontal then lim.sticky_x = true else lim.sticky_y0 = true end
end

-- One union fill: neighbouring bars share edges without a seam.
local function draw_union(a, ctx, base)
  local ax, ox, oy = ctx.ax, ctx.ox, ctx.oy
  local polys = {}
  for i = 1, #a.left do
    local x0p, y0p = ax:transform(a.left[i], a.bottom[i])
    local x1p, y1p = ax:transform(a.left[i] + a.width[i], a.bottom[i] + a.height[i])
    if y0p ~= y1p and x0p ~= x1p then
      polys[#polys + 1] = { x0p - ox, y0p - oy, x1p - ox, y0p - oy, x1p - ox, y1p - oy, x0p - ox, y1p - oy }
    end
  end
  if #polys > 0 then ctx.cv:fill_polygon(polys, base) end
end

--- draw(a, ctx): one fill for plain bars, else bar by bar (own colours, outlines, steps)
function M.draw(a, ctx)
  local ax, content, ox, oy, fig = ctx.ax, ctx.cv, ctx.ox, ctx.oy, ctx.fig
  local base = to_rgba(a.color, a.alpha)
  if not a.colors and a.histtype ~= "step" and not a.edgecolor then draw_union(a, ctx, base) end
  for i = 1, (a.colors or a.histtype == "step" or a.edgecolor) and #a.left or 0 do
    local x0p, y0p = ax:transform(a.left[i], a.bottom[i])
    local x1p, y1p = ax:transform(a.left[i] + a.width[i], a.bottom[i] + a.height[i])
    local col = a.colors and to_rgba(a.colors[(i - 1) % #a.colors + 1], a.alpha) or base
    if a.histtype == "step" then
      content:stroke({ x0p - ox, y0p - oy, x0p - ox, y1p - oy, x1p - ox, y1p - oy, x1p - ox, y0p - oy },
        col, pt(fig, 1.5))
    else
      content:fill_rect(min(x0p, x1p) - ox, min(y0p, y1p) - oy, abs(x1p - x0p), abs(y1p - y0p), col)
      if a.edgecolor then
        content:stroke({ x0p - ox, y0p - oy, x0p - ox, y1p - oy, x1p - ox, y1p - oy, x1p - ox, y0p - oy,
          x0p - ox, y0p - oy }, to_rgba(a.edgecolor), pt(fig, 1))
      end
    end
  end
end

--- legend(a, ctx, x, cy, length, fs): a filled patch
function M.legend(a, ctx, x, cy, length, fs)
  local hh = 0.7 * fs
  ctx.cv:fill_rect(x, cy - hh / 2, length, hh, to_rgba(a.color, a.alpha))
end

--- obstacles(a, ax, paths, rects): the pixel rectangle of every bar that has a height
function M.obstacles(a, ax, _, rects)
  for i = 1, #a.left do
    if a.height[i] ~= 0 then
      local xa, ya = ax:transform(a.left[i], a.bottom[i])
      local xb, yb = ax:transform(a.left[i] + a.width[i], a.bottom[i] + a.height[i])
      rects[#rects + 1] = { min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb) }
    end
  end
end

return M
