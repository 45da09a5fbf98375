-- cvision.plot.artists.reflines: ax:axhline and ax:axvline, lines across the whole axes at one
-- data value (matplotlib's Line2D). Promises: the value counts in the limits on its own axis only,
-- the line spans the box whatever the view, and the legend handle is the line kind's.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local artists = require "cvision.plot.artists"
local line = require "cvision.plot.artists.line"
local errors = require "cvision.util.errors"

local to_rgba, pt = colors.to_rgba, paint.pt

-- The one recorder behind axhline and axvline: record kind, its value under key `at`.
local OPTIONS = { color = true, c = "color", linestyle = true, ls = "linestyle", linewidth = true,
  lw = "linewidth", label = true }

local function ref_line(ax, kind, at, v, opts)
  local fname = kind == "hline" and "axhline" or "axvline"
  opts = errors.check_options(fname, opts, OPTIONS, 4, "keyword")
  local o = { color = opts.color or opts.c, linestyle = opts.linestyle or opts.ls,
    linewidth = opts.linewidth or opts.lw }
  line.check_style(fname, o, 4)
  if type(v) ~= "number" then error(("%s: %s must be a number"):format(fname, at), 3) end
  artists.add(ax, { kind = kind, [at] = v, color = o.color or "black",
    linestyle = o.linestyle or "-", linewidth = o.linewidth or 1.5, label = opts.label })
end

local function style(a, fig)
  return to_rgba(a.color), pt(fig, a.linewidth), paint.dash_pattern(fig, a.linestyle, a.linewidth)
end

local hline = { name = "hline", printed = "Line2D", legend = line.legend_line, methods = {} }

--- ax:axhline(y, {color, linestyle, linewidth, label}) a horizontal line across the axes
function hline.methods.axhline(self, y, opts) ref_line(self, "hline", "y", y, opts) end

--- hline.limits(a, lim): the line's y value counts in the limits of its own axis only
function hline.limits(a, lim) lim:y(a.y) end

--- hline.draw(a, ctx): the line across the whole box at its y, whatever the view
function hline.draw(a, ctx)
  local col, lw, dashes = style(a, ctx.fig)
  local _, py = ctx.ax:transform(ctx.ax.view[1], a.y)
  ctx.cv:stroke({ 0, py - ctx.oy, ctx.w, py - ctx.oy }, col, lw, dashes)
end

local vline = { name = "vline", printed = "Line2D", legend = line.legend_line, methods = {} }

--- ax:axvline(x, {color, linestyle, linewidth, label}) a vertical line across the axes
function vline.methods.axvline(self, x, opts) ref_line(self, "vline", "x", x, opts) end

--- vline.limits(a, lim): the line's x value counts in the limits of its own axis only
function vline.limits(a, lim) lim:x(a.x) end

--- vline.draw(a, ctx): the line across the whole box at its x, whatever the view
function vline.draw(a, ctx)
  local col, lw, dashes = style(a, ctx.fig)
  local px = ctx.ax:transform(a.x, ctx.ax.view[3])
  ctx.cv:stroke({ px - ctx.ox, 0, px - ctx.ox, ctx.h }, col, lw, dashes)
end

return { hline, vline }
