-- cvision.plot.artists.line: lines and markers through data points (ax:plot, matplotlib's Line2D).
-- Promises: matplotlib's "r--o" format strings, the colour cycle, NaN points leaving gaps, dashes
-- scaled with the line width, and legend handles drawn as a short line with the marker.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"

local M = { name = "line", printed = "Line2D", methods = {} }

local finite, tolist, to_rgba, pt = values.finite, values.tolist, colors.to_rgba, paint.pt

-- "r--o" style format strings: colour letter, line style, marker
local function parse_fmt(fmt)
  local o = {}
  local s = fmt
  for _, ls in ipairs({ "--", "-.", "-", ":" }) do
    local i = s:find(ls, 1, true)
    if i then o.linestyle = ls; s = s:sub(1, i - 1) .. s:sub(i + #ls); break end
  end
  local c = s:match("C%d")
  if c then o.color = c; s = s:gsub("C%d", "") end
  for ch in s:gmatch(".") do
    if ("bgrcmykw"):find(ch, 1, true) then o.color = ch
    elseif ("o.sx+^v<>D*"):find(ch, 1, true) then o.marker = ch end
  end
  if o.marker and not o.linestyle then o.linestyle = "none" end
  return o
end

--- ax:plot([x,] y [, fmt] [, {label, color, linestyle, linewidth, marker, markersize, alpha}])
-- x and y are Lua arrays or tensors; x defaults to 0, 1, 2, ...
function M.methods.plot(self, x, y, fmt, opts)
  if type(y) == "string" or (type(y) == "table" and y[1] == nil and next(y) ~= nil) or y == nil then
    x, y, fmt, opts = nil, x, y, fmt
  end
  if type(fmt) == "table" then fmt, opts = nil, fmt end
  opts = opts or {}
  if fmt then
    for k, v in pairs(parse_fmt(fmt)) do if opts[k] == nil then opts[k] = v end end
  end
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
    kind = "line", x = xs, y = ys, label = opts.label,
    color = opts.color or opts.c or colors.next_color(self),
    linestyle = opts.linestyle or opts.ls or "-", linewidth = opts.linewidth or opts.lw or 1.5,
    marker = opts.marker, markersize = opts.markersize or opts.ms or 6, alpha = opts.alpha,
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
  if a.linestyle ~= "none" and a.linestyle ~= "" and a.linestyle ~= " " then
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
  if a.linestyle ~= "none" and a.linestyle ~= "" then
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
