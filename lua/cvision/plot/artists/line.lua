-- cvision.plot.artists.line: lines and markers through data points (ax:plot, matplotlib's Line2D).
-- Promises: matplotlib's "r--o" format strings, the colour cycle, NaN points leaving gaps, dashes
-- scaled with the line width, and legend handles drawn as a short line with the marker.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"
local rc = require "cvision.plot.rc"

local M = { name = "line", printed = "Line2D", methods = {} }

local finite, tolist, to_rgba, pt = values.finite, values.tolist, colors.to_rgba, paint.pt

local MARKERS = "o.sx+^v<>D*"
local COLOURS = "bgrcmykw"

-- "r--o" style format strings, as matplotlib's _process_plot_format: at most one colour (a letter
-- or "C0".."C9"), one line style and one marker, in any order; a whole colour name ("red") too.
-- Anything else is an error naming the function, the string and the character, raised at level
-- (counted from parse_fmt: 3, the default, is the caller of the function that called it).
local function parse_fmt(fmt, fname, level)
  level = level or 3
  if type(fmt) ~= "string" then error(fname .. ": format string expected, got " .. type(fmt), level) end
  local o = {}
  if #fmt > 1 and pcall(colors.to_rgba, fmt) then o.color = fmt; return o end
  local function bad(why)
    local names = {}
    for k in pairs(colors.names) do names[#names + 1] = k end
    local hint = #fmt > 2 and errors.suggest(fmt, names)
    error(("%s: bad format string '%s' (%s%s)"):format(fname, fmt, why,
      hint and ("; did you mean '" .. hint .. "'?") or "; a format is [marker][line][colour], as 'ro--'"), level + 1)
  end
  local i = 1
  while i <= #fmt do
    local two, ch = fmt:sub(i, i + 1), fmt:sub(i, i)
    if two == "--" or two == "-." then
      if o.linestyle then bad("two line styles") end
      o.linestyle = two; i = i + 2
    elseif ch == "-" or ch == ":" then
      if o.linestyle then bad("two line styles") end
      o.linestyle = ch; i = i + 1
    elseif two:match("^C%d$") then
      if o.color then bad("two colours") end
      o.color = two; i = i + 2
    elseif COLOURS:find(ch, 1, true) then
      if o.color then bad("two colours") end
      o.color = ch; i = i + 1
    elseif MARKERS:find(ch, 1, true) then
      if o.marker then bad("two markers") end
      o.marker = ch; i = i + 1
    else
      bad(("unrecognised character '%s'"):format(ch))
    end
  end
  if o.marker and not o.linestyle then o.linestyle = "none" end
  return o
end
M._parse_fmt = parse_fmt

local OPTIONS = { label = true, color = true, c = "color", linestyle = true, ls = "linestyle",
  linewidth = true, lw = "linewidth", marker = true, markersize = true, ms = "markersize", alpha = true }

--- LINESTYLES: the line styles a line may have (matplotlib's names and symbols)
M.LINESTYLES = { "-", "--", "-.", ":", "solid", "dashed", "dashdot", "dotted", "none", "None", "", " " }

--- check_style(fname, o [, level = 3]): o's linestyle, marker and colour are known ones
function M.check_style(fname, o, level)
  level = (level or 3) + 1
  if o.linestyle ~= nil then errors.check_choice(fname, "linestyle", o.linestyle, M.LINESTYLES, level) end
  if o.marker ~= nil then paint.check_marker(o.marker, fname, level - 1) end
  if o.color ~= nil and type(o.color) == "string" then
    local ok, err = pcall(colors.to_rgba, o.color)
    if not ok then error(fname .. ": " .. errors.clean(err), level - 1) end
  end
end

--- options(fname, fmt, opts [, extra [, level = 3]]) --> o: a line's style as plot reads it: opts
-- checked against plot's options (and the keys of extra, name = true or the alias's target),
-- aliases resolved (lw --> linewidth), fmt's colour, line style and marker where opts has none,
-- and the style checked; errors name fname and are raised at level (3: the caller of the method
-- calling this)
function M.options(fname, fmt, opts, extra, level)
  level = level or 3
  local allowed = OPTIONS
  if extra then
    allowed = {}
    for k, v in pairs(OPTIONS) do allowed[k] = v end
    for k, v in pairs(extra) do allowed[k] = v end
  end
  opts = errors.check_options(fname, opts, allowed, level + 1, "keyword")
  local o = {}
  for k, v in pairs(opts) do o[type(allowed[k]) == "string" and allowed[k] or k] = v end
  if fmt ~= nil then
    for k, v in pairs(parse_fmt(fmt, fname, level + 1)) do if o[k] == nil then o[k] = v end end
  end
  M.check_style(fname, o, level + 1)
  return o
end

--- data(fname, x, y [, level = 3]) --> xs, ys: x and y as arrays of one length (x nil: 0, 1, ...)
function M.data(fname, x, y, level)
  local ys = tolist(y, fname)
  local xs
  if x == nil then
    xs = {}
    for i = 1, #ys do xs[i] = i - 1 end
  else
    xs = tolist(x, fname)
  end
  if #xs ~= #ys then
    error(string.format("bad argument to '%s' (x and y must have the same length, got %d and %d)",
      fname, #xs, #ys), level or 3)
  end
  return xs, ys
end

--- record(ax, o, xs, ys [, kind = "line"]) --> a new record with o's style and plot's defaults
-- (the axes' next colour, "-", rcParams lines.linewidth and lines.markersize), not yet added to
-- the axes
function M.record(ax, o, xs, ys, kind)
  return {
    kind = kind or "line", x = xs, y = ys, label = o.label,
    color = o.color or colors.next_color(ax),
    linestyle = o.linestyle or "-", linewidth = o.linewidth or rc.get("lines.linewidth"),
    marker = o.marker, markersize = o.markersize or rc.get("lines.markersize"), alpha = o.alpha,
  }
end

--- ax:plot([x,] y [, fmt] [, {label, color (c), linestyle (ls), linewidth (lw), marker,
-- markersize (ms), alpha}]) --> Line2D
-- x and y are Lua arrays or tensors; x defaults to 0, 1, 2, ...
function M.methods.plot(self, x, y, fmt, opts)
  if type(y) == "string" or (type(y) == "table" and y[1] == nil and next(y) ~= nil) or y == nil then
    x, y, fmt, opts = nil, x, y, fmt
  end
  if type(fmt) == "table" then fmt, opts = nil, fmt end
  local o = M.options("plot", fmt, opts)
  local xs, ys = M.data("plot", x, y)
  return artists.add(self, M.record(self, o, xs, ys))
end

--- limits(a, lim): every point with both coordinates finite
function M.limits(a, lim)
  for i = 1, #a.x do
    if finite(a.x[i]) and finite(a.y[i]) then lim:x(a.x[i]); lim:y(a.y[i]) end
  end
end

--- draw(a, ctx): the polyline (gaps at NaN points), then the markers
function M.draw(a, ctx)
  local ax, content, ox, oy, fig = ctx.ax, ctx.cv, ctx.ox, ctx.oy, ctx.fig
  local col = to_rgba(a.color, a.alpha)
  local lw = pt(fig, a.linewidth)
  local pts = {}
  for i = 1, #a.x do
    local px, py = ax:transform(a.x[i], a.y[i])
    if not (finite(a.x[i]) and finite(a.y[i])) then px, py = 0 / 0, 0 / 0 end
    pts[#pts + 1] = px - ox
    pts[#pts + 1] = py - oy
  end
  if a.linestyle ~= "none" and a.linestyle ~= "None" and a.linestyle ~= "" and a.linestyle ~= " " then
    local dashes = paint.dash_pattern(fig, a.linestyle, a.linewidth)
    content:stroke(pts, col, lw, dashes, dashes and "butt" or "square")
  end
  if a.marker then
    local ms = pt(fig, a.markersize)
    for i = 1, #pts, 2 do
      if finite(pts[i]) then paint.draw_marker(content, a.marker, pts[i], pts[i + 1], ms, col) end
    end
  end
end

--- legend_line(a, ctx, x, cy, length): a handle as a short line with the record's style and marker
-- (shared by every line-like kind)
function M.legend_line(a, ctx, x, cy, length)
  local fig, cv = ctx.fig, ctx.cv
  local col = to_rgba(a.color, a.alpha)
  local lw = pt(fig, a.linewidth or 1.5)
  if a.linestyle ~= "none" and a.linestyle ~= "None" and a.linestyle ~= "" and a.linestyle ~= " " then
    cv:stroke({ x, cy, x + length, cy }, col, lw, paint.dash_pattern(fig, a.linestyle, a.linewidth or 1.5))
  end
  if a.marker then paint.draw_marker(cv, a.marker, x + length / 2, cy, pt(fig, a.markersize or 6), col) end
end
M.legend = M.legend_line

--- obstacles(a, ax, paths): the line's points in pixels, for the legend to keep off
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
