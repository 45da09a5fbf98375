-- cvision.plot.artists.segments: ax:hlines and ax:vlines, straight segments between data values
-- (matplotlib's LineCollection). Promises matplotlib's arguments: each of the position and the two
-- ends a number or a list, the numbers repeated to the lists' length; colors, linestyles and
-- linewidths one for all or one per segment (cycled); "C0" and 1.5 pt by default without moving
-- the colour cycle; NaN ends leaving the segment out; limits holding every end; the legend handle
-- of the first segment's style.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local line = require "cvision.plot.artists.line"
local errors = require "cvision.util.errors"

local M = { name = "segments", printed = "LineCollection", methods = {} }

local finite, tolist, to_rgba, pt = values.finite, values.tolist, colors.to_rgba, paint.pt

local OPTIONS = { colors = true, color = "colors", linestyles = true, linestyle = "linestyles",
  ls = "linestyles", linewidths = true, linewidth = "linewidths", lw = "linewidths", alpha = true,
  label = true }

-- A style option as a list (one value, or one per segment), each checked by check(v).
local function style_list(v, default, check)
  if v == nil then v = default end
  local list = (type(v) == "table" and type(v[1]) ~= "number") and v or { v }
  if #list == 0 then list = { default } end
  for _, one in ipairs(list) do check(one) end
  return list
end

-- The recorder behind hlines (dir "h": at y, from xmin to xmax) and vlines (dir "v").
local function segments(ax, fname, dir, at, lo, hi, opts)
  opts = errors.check_options(fname, opts, OPTIONS, 4, "keyword")
  local names = dir == "h" and { "y", "xmin", "xmax" } or { "x", "ymin", "ymax" }
  local lists, n = {}, 1
  local args = { at, lo, hi }
  for k = 1, 3 do
    local v = args[k]
    if v == nil then error(("bad argument #%d to '%s' (%s expected)"):format(k, fname, names[k]), 3) end
    lists[k] = tolist(v, fname)
    if #lists[k] ~= 1 then n = math.max(n, #lists[k]) end
  end
  for _, l in ipairs(lists) do
    if #l ~= 1 and #l ~= n then
      error(("%s: %s, %s and %s must be numbers or lists of one length (got %d, %d and %d values)"):format(
        fname, names[1], names[2], names[3], #lists[1], #lists[2], #lists[3]), 3)
    end
  end
  local function get(l, i) return #l == 1 and l[1] or l[i] end
  local segs = {}
  for i = 1, n do
    local p, a, b = get(lists[1], i), get(lists[2], i), get(lists[3], i)
    if dir == "h" then segs[i] = { a, p, b, p } else segs[i] = { p, a, p, b } end
  end
  -- "C0" as matplotlib's lines.color, resolved now (a style applied later does not change it)
  local cols = style_list(opts.colors or opts.color, colors.to_rgba("C0"), function(c)
    colors.check(fname, c, 5)
  end)
  local styles = style_list(opts.linestyles or opts.linestyle or opts.ls, "solid", function(s)
    errors.check_choice(fname, "linestyle", s, line.LINESTYLES, 6)
  end)
  local widths = style_list(opts.linewidths or opts.linewidth or opts.lw, 1.5, function(w)
    if type(w) ~= "number" or w < 0 then error(fname .. ": linewidths must be non-negative numbers", 5) end
  end)
  return artists.add(ax, { kind = "segments", segs = segs, colors = cols, linestyles = styles,
    linewidths = widths, color = cols[1], linestyle = styles[1], linewidth = widths[1],
    alpha = opts.alpha, label = opts.label })
end

--- ax:hlines(y, xmin, xmax [, {colors (color) = "C0", linestyles (linestyle, ls) = "solid",
-- linewidths (linewidth, lw) = 1.5, alpha, label}]) --> LineCollection: a horizontal segment at
-- each y from xmin to xmax (each a number or a list)
function M.methods.hlines(self, y, xmin, xmax, opts)
  local lc = segments(self, "hlines", "h", y, xmin, xmax, opts)   -- not a tail call: errors at our caller
  return lc
end

--- ax:vlines(x, ymin, ymax [, {colors, linestyles, linewidths, alpha, label}]) --> LineCollection:
-- a vertical segment at each x from ymin to ymax
function M.methods.vlines(self, x, ymin, ymax, opts)
  local lc = segments(self, "vlines", "v", x, ymin, ymax, opts)
  return lc
end

--- describe(a) --> "<LineCollection: label>" (or without the label)
function M.describe(a)
  return a.label and ("<%s: %s>"):format(M.printed, tostring(a.label)) or "<" .. M.printed .. ">"
end

--- limits(a, lim): both ends of every segment
function M.limits(a, lim)
  for _, s in ipairs(a.segs) do lim:x(s[1]); lim:x(s[3]); lim:y(s[2]); lim:y(s[4]) end
end

local function cycled(list, i) return list[(i - 1) % #list + 1] end

--- draw(a, ctx): each segment in its own colour, style and width (butt caps, as a collection)
function M.draw(a, ctx)
  local ax, fig = ctx.ax, ctx.fig
  for i, s in ipairs(a.segs) do
    local ls = cycled(a.linestyles, i)
    if finite(s[1]) and finite(s[2]) and finite(s[3]) and finite(s[4]) and ls ~= "none" and ls ~= "None"
      and ls ~= "" and ls ~= " " then
      local x0, y0 = ax:transform(s[1], s[2])
      local x1, y1 = ax:transform(s[3], s[4])
      local lw = cycled(a.linewidths, i)
      ctx.cv:stroke({ x0 - ctx.ox, y0 - ctx.oy, x1 - ctx.ox, y1 - ctx.oy }, to_rgba(cycled(a.colors, i), a.alpha),
        pt(fig, lw), paint.dash_pattern(fig, ls, lw))
    end
  end
end

M.legend = line.legend_line

--- obstacles(a, ax, paths): each segment in pixels
function M.obstacles(a, ax, paths)
  for _, s in ipairs(a.segs) do
    local x0, y0 = ax:transform(s[1], s[2])
    local x1, y1 = ax:transform(s[3], s[4])
    paths[#paths + 1] = { { x0, y0 }, { x1, y1 } }
  end
end

return M
