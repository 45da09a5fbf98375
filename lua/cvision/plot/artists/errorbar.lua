-- cvision.plot.artists.errorbar: ax:errorbar, points with error bars (matplotlib's
-- ErrorbarContainer: the data line, the caps and the bars). Promises matplotlib's reading of yerr
-- and xerr (a number, one per point, or {lower, upper} each a number or one per point; never
-- negative), plot's format string for the data line (fmt = "none": bars only), bars in ecolor
-- (the line's colour by default) and elinewidth, caps of 2 * capsize points (none by default) and
-- capthick (1 pt), bars under the data line unless barsabove, limits holding the bars' ends, and a
-- legend handle of the line crossed by a bar.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local line = require "cvision.plot.artists.line"

local M = { name = "errorbar", printed = "ErrorbarContainer", methods = {} }

local finite, tolist, to_rgba, pt = values.finite, values.tolist, colors.to_rgba, paint.pt
local nan = 0 / 0

--- describe(a) --> "<ErrorbarContainer object of 3 artists>", as matplotlib prints it
function M.describe()
  return ("<%s object of 3 artists>"):format(M.printed)
end

-- One error value per point from a number, a list or a tensor of n (a list of 1 repeats).
local function per_point(v, n, what)
  if type(v) == "number" then v = { v } elseif type(v) == "userdata" then v = tolist(v, "errorbar") end
  if type(v) ~= "table" then error(("errorbar: %s must be numbers, got %s"):format(what, type(v)), 4) end
  local out = {}
  if #v == 1 then
    for i = 1, n do out[i] = tonumber(v[1]) or nan end
  elseif #v == n then
    for i = 1, n do out[i] = tonumber(v[i]) or nan end
  else
    error(("errorbar: %s has %d values for %d points"):format(what, #v, n), 4)
  end
  for i = 1, n do
    if out[i] < 0 then error(("errorbar: %s must not contain negative values"):format(what), 4) end
  end
  return out
end

-- An error option as lower and upper lists: a number or one per point (symmetric), a tensor of
-- n (symmetric) or 2n values (lower then upper, as a (2, N) array), or {lower, upper}.
local function bounds(v, n, what)
  if v == nil then return nil end
  if type(v) == "userdata" then
    v = tolist(v, "errorbar")
    if #v == 2 * n and n > 1 then
      local lo, hi = {}, {}
      for i = 1, n do lo[i], hi[i] = v[i], v[n + i] end
      v = { lo, hi }
    end
  end
  if type(v) == "table" and (type(v[1]) == "table" or type(v[1]) == "userdata") then
    if #v ~= 2 then
      error(("errorbar: %s as {lower, upper} must have 2 entries, got %d"):format(what, #v), 3)
    end
    return { per_point(v[1], n, what), per_point(v[2], n, what) }
  end
  local s = per_point(v, n, what)
  return { s, s }
end

local function check_number(v, what)
  if v ~= nil and (type(v) ~= "number" or v < 0) then
    error(("errorbar: %s must be a non-negative number"):format(what), 3)
  end
end

local EXTRA = { yerr = true, xerr = true, fmt = true, ecolor = true, elinewidth = true,
  capsize = true, capthick = true, barsabove = true }

--- ax:errorbar(x, y [, yerr] [, {yerr, xerr, fmt = "", ecolor, elinewidth, capsize = 0,
-- capthick = 1, barsabove = false, label, color (c), linestyle (ls), linewidth (lw), marker,
-- markersize (ms), alpha}]) --> ErrorbarContainer. yerr and xerr: a number, one per point, or
-- {lower, upper} (each a number or one per point); fmt is plot's format string, "none" for no line.
function M.methods.errorbar(self, x, y, yerr, opts)
  if type(yerr) == "table" and yerr[1] == nil and opts == nil then yerr, opts = nil, yerr end
  if opts ~= nil and type(opts) ~= "table" then
    error("errorbar: table of options expected, got " .. type(opts), 2)
  end
  local fmt = opts and opts.fmt
  if fmt ~= nil and type(fmt) ~= "string" then error("errorbar: fmt must be a format string", 2) end
  local noline = fmt ~= nil and fmt:lower() == "none"
  if noline or fmt == "" then fmt = nil end
  local o = line.options("errorbar", fmt, opts, EXTRA)
  if yerr ~= nil and o.yerr ~= nil then error("errorbar: yerr given twice (argument #3 and option)", 2) end
  yerr = yerr or o.yerr
  local xs, ys = line.data("errorbar", x, y)
  local n = #xs
  colors.check("errorbar", o.ecolor, 2)
  check_number(o.elinewidth, "elinewidth")
  check_number(o.capsize, "capsize")
  check_number(o.capthick, "capthick")
  local art = line.record(self, o, xs, ys, "errorbar")
  art.yerr, art.xerr = bounds(yerr, n, "yerr"), bounds(o.xerr, n, "xerr")
  art.noline = noline
  art.ecolor = o.ecolor or art.color
  art.elinewidth = o.elinewidth or art.linewidth
  art.capsize, art.capthick = o.capsize or 0, o.capthick or 1.0
  art.barsabove = o.barsabove == true
  return artists.add(self, art)
end

--- limits(a, lim): the points and the ends of their bars
function M.limits(a, lim)
  line.limits(a, lim)
  for i = 1, #a.x do
    local x, y = a.x[i], a.y[i]
    if finite(x) and finite(y) then
      if a.yerr then lim:y(y - a.yerr[1][i]); lim:y(y + a.yerr[2][i]) end
      if a.xerr then lim:x(x - a.xerr[1][i]); lim:x(x + a.xerr[2][i]) end
    end
  end
end

-- The bars of one direction ("y": vertical) and their caps, in pixels of ctx's canvas.
local function draw_bars(a, ctx, dir, err)
  local ax, ox, oy, cv = ctx.ax, ctx.ox, ctx.oy, ctx.cv
  local col = to_rgba(a.ecolor, a.alpha)
  local segs, caps = {}, {}
  local half = pt(ctx.fig, a.capsize)   -- a cap is 2 * capsize points long
  for i = 1, #a.x do
    local x, y, lo, hi = a.x[i], a.y[i], err[1][i], err[2][i]
    if finite(x) and finite(y) and finite(lo) and finite(hi) then
      local x0, y0, x1, y1
      if dir == "y" then
        x0, y0 = ax:transform(x, y - lo)
        x1, y1 = ax:transform(x, y + hi)
      else
        x0, y0 = ax:transform(x - lo, y)
        x1, y1 = ax:transform(x + hi, y)
      end
      x0, y0, x1, y1 = x0 - ox, y0 - oy, x1 - ox, y1 - oy
      for _, v in ipairs({ x0, y0, x1, y1, nan, nan }) do segs[#segs + 1] = v end
      if half > 0 then
        for _, e in ipairs({ { x0, y0 }, { x1, y1 } }) do
          local c
          if dir == "y" then c = { e[1] - half, e[2], e[1] + half, e[2], nan, nan }
          else c = { e[1], e[2] - half, e[1], e[2] + half, nan, nan } end
          for _, v in ipairs(c) do caps[#caps + 1] = v end
        end
      end
    end
  end
  if #segs > 0 then cv:stroke(segs, col, pt(ctx.fig, a.elinewidth)) end
  if #caps > 0 then cv:stroke(caps, col, pt(ctx.fig, a.capthick)) end
end

--- draw(a, ctx): the bars (y then x) with their caps, and the data line above them (below with
-- barsabove), as matplotlib's z-orders
function M.draw(a, ctx)
  if a.barsabove and not a.noline then line.draw(a, ctx) end
  if a.yerr then draw_bars(a, ctx, "y", a.yerr) end
  if a.xerr then draw_bars(a, ctx, "x", a.xerr) end
  if not a.barsabove and not a.noline then line.draw(a, ctx) end
end

--- legend(a, ctx, x, cy, length, fs): the line's handle crossed at its middle by a bar of each
-- direction (half a font size each way, as matplotlib's HandlerErrorbar), with caps
function M.legend(a, ctx, x, cy, length, fs)
  if not a.noline then line.legend_line(a, ctx, x, cy, length) end
  local cv, fig = ctx.cv, ctx.fig
  local col, lw, capw = to_rgba(a.ecolor, a.alpha), pt(fig, a.elinewidth), pt(fig, a.capthick)
  local cx, e, half = x + length / 2, 0.5 * fs, pt(fig, a.capsize)
  if a.yerr then
    cv:stroke({ cx, cy - e, cx, cy + e }, col, lw)
    if half > 0 then
      cv:stroke({ cx - half, cy - e, cx + half, cy - e, nan, nan, cx - half, cy + e, cx + half, cy + e }, col, capw)
    end
  end
  if a.xerr then
    cv:stroke({ cx - e, cy, cx + e, cy }, col, lw)
    if half > 0 then
      cv:stroke({ cx - e, cy - half, cx - e, cy + half, nan, nan, cx + e, cy - half, cx + e, cy + half }, col, capw)
    end
  end
end

M.obstacles = line.obstacles

return M
