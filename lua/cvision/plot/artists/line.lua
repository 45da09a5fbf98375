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
-- Anything else is an error naming the function, the string and the character.
local function parse_fmt(fmt, fname)
  if type(fmt) ~= "string" then error(fname .. ": format string expected, got " .. type(fmt), 4) end
  local o = {}
  if #fmt > 1 and pcall(colors.to_rgba, fmt) then o.color = fmt; return o end
  local function bad(why)
    local names = {}
    for k in pairs(colors.names) do names[#names + 1] = k end
    local hint = #fmt > 2 and errors.suggest(fmt, names)
    error(("%s: bad format string '%s' (%s%s)"):format(fname, fmt, why,
      hint and ("; did you mean '" .. hint .. "'?") or "; a format is [marker][line][colour], as 'ro--'"), 4)
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

--- ax:plot([x,] y [, fmt] [, {label, color (c), linestyle (ls), linewidth (lw), marker,
-- markersize (ms), alpha}]) --> Line2D
-- x and y are Lua arrays or tensors; x defaults to 0, 1, 2, ...
function M.methods.plot(self, x, y, fmt, opts)
  if type(y) == "string" or (type(y) == "table" and y[1] == nil and next(y) ~= nil) or y == nil then
    x, y, fmt, opts = nil, x, y, fmt
  end
  if type(fmt) == "table" then fmt, opts = nil, fmt end
  opts = errors.check_options("plot", opts, OPTIONS, 3, "keyword")
  local o = {}
  for k, v in pairs(opts) do o[type(OPTIONS[k]) == "string" and OPTIONS[k] or k] = v end
  if fmt ~= nil then
    for k, v in pairs(parse_fmt(fmt, "plot")) do if o[k] == nil then o[k] = v end end
  end
  M.check_style("plot", o)
  local ys = tolist(y, "plot")
  local xs
  if x == nil then
    xs = {}
    for i = 1, #ys do xs[i] = i - 1 end
  else
    xs = tolist(x, "plot")
  end
  if #xs ~= #ys then
    error(string.format("bad argument to 'plot' (x and y must have the same length, got %d and %d)",
      #xs, #ys), 2)
  end
  local art = {
    kind = "line", x = xs, y = ys, label = o.label,
    color = o.color or colors.next_color(self),
    linestyle = o.linestyle or "-", linewidth = o.linewidth or rc.get("lines.linewidth"),
    marker = o.marker, markersize = o.markersize or rc.get("lines.markersize"), alpha = o.alpha,
  }
  return artists.add(self, art)
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
