-- cvision.plot.artists.fill: ax:fill_between and ax:fill_betweenx, the area between two curves
-- (matplotlib's PolyCollection). Promises matplotlib's polygons: one per run of points where
-- `where` holds and every value is finite (so where= and NaN leave gaps), closed at the run's ends
-- on the second curve (or, with interpolate, at the crossing of the two curves), staircases with
-- step=; color= colours face and edge (as matplotlib's set_color), facecolor= the face only; the
-- limits hold both curves, and the legend handle is a filled patch. legend_patch and
-- check_colour are shared by the other patch kinds (wedges, spans).
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local line = require "cvision.plot.artists.line"
local step = require "cvision.plot.artists.step"
local errors = require "cvision.util.errors"

local M = { name = "fill", printed = "PolyCollection", methods = {} }

local finite, tolist, to_rgba, pt = values.finite, values.tolist, colors.to_rgba, paint.pt

--- check_colour(fname, c [, level = 2]) --> c, or nil for "none" (no face, no edge); errors name fname
function M.check_colour(fname, c, level)
  if c == nil or c == "none" or c == "None" then return nil end
  colors.check(fname, c, (level or 2) + 1)
  return c
end

--- patch_style(fname, opts, level) --> face, edge, linewidth, linestyle: a patch's colours from
-- color (face and edge), facecolor (fc) and edgecolor (ec), "none" for none; face false when none
-- was given (the caller picks the default)
function M.patch_style(fname, opts, level)
  level = (level or 2) + 1
  local face, edge = false, nil
  if opts.color ~= nil then
    face = M.check_colour(fname, opts.color, level)
    edge = face
  end
  if opts.facecolor ~= nil then face = M.check_colour(fname, opts.facecolor, level) end
  if opts.edgecolor ~= nil then edge = M.check_colour(fname, opts.edgecolor, level) end
  if opts.linestyle ~= nil then errors.check_choice(fname, "linestyle", opts.linestyle, line.LINESTYLES, level + 1) end
  local lw = opts.linewidth
  if lw ~= nil and (type(lw) ~= "number" or lw < 0) then
    error(fname .. ": linewidth must be a non-negative number", level)
  end
  return face, edge, lw or 1.0, opts.linestyle or "-"
end

--- fill_patch(a, ctx, polys): fills pixel polygons (their union) with a's face colour and
-- strokes each one's outline with its edge colour, linewidth and linestyle (patch kinds share it)
function M.fill_patch(a, ctx, polys)
  if #polys == 0 then return end
  if a.color then ctx.cv:fill_polygon(polys, to_rgba(a.color, a.alpha)) end
  if a.edgecolor and a.linewidth > 0 and a.linestyle ~= "none" and a.linestyle ~= "None" then
    local col, lw = to_rgba(a.edgecolor, a.alpha), pt(ctx.fig, a.linewidth)
    local dashes = paint.dash_pattern(ctx.fig, a.linestyle, a.linewidth)
    for _, p in ipairs(polys) do
      local closed = { table.unpack(p) }
      closed[#closed + 1], closed[#closed + 2] = p[1], p[2]
      ctx.cv:stroke(closed, col, lw, dashes)
    end
  end
end

--- legend_patch(a, ctx, x, cy, length, fs): a handle as a filled rectangle with the record's edge
-- (the legend hook of every patch kind)
function M.legend_patch(a, ctx, x, cy, length, fs)
  local hh = 0.7 * fs
  local face = a.color or a.facecolor
  if face then ctx.cv:fill_rect(x, cy - hh / 2, length, hh, to_rgba(face, a.alpha)) end
  if a.edgecolor and (a.linewidth or 1) > 0 then
    local y0, y1 = cy - hh / 2, cy + hh / 2
    ctx.cv:stroke({ x, y0, x + length, y0, x + length, y1, x, y1, x, y0 }, to_rgba(a.edgecolor, a.alpha),
      pt(ctx.fig, a.linewidth or 1))
  end
end

-- One value per point from a number, a list or a tensor; --> list of n
local function per_point(v, n, fname, what)
  if type(v) == "number" then
    local out = {}
    for i = 1, n do out[i] = v end
    return out
  end
  local list = tolist(v, fname)
  if #list ~= n then
    error(("%s: %s has %d values for %d points"):format(fname, what, #list, n), 4)
  end
  return list
end

-- The crossing of dep1 and dep2 between points i and j (matplotlib's get_interp_point): the
-- independent value where dep1 - dep2 is 0 (clamped to the two points) and dep1 there; a
-- neighbour outside the data or not finite gives point i itself.
local function crossing(ind, d1, d2, i, j)
  if j < 1 or j > #ind or not (finite(ind[j]) and finite(d1[j]) and finite(d2[j])) then
    return ind[i], d1[i]
  end
  local ea, eb = d1[i] - d2[i], d1[j] - d2[j]
  local t
  if ea == eb then t = 0 else t = math.max(0, math.min(1, ea / (ea - eb))) end
  return ind[i] + t * (ind[j] - ind[i]), d1[i] + t * (d1[j] - d1[i])
end

local OPTIONS = { where = true, interpolate = true, step = true, color = true, c = "color",
  facecolor = true, fc = "facecolor", edgecolor = true, ec = "edgecolor", linewidth = true,
  lw = "linewidth", linestyle = true, ls = "linestyle", alpha = true, label = true }

-- The recorder behind fill_between (dir "y": x independent) and fill_betweenx (dir "x").
local function fill(ax, fname, dir, ind, dep1, dep2, opts)
  if type(dep2) == "table" and dep2[1] == nil and opts == nil then dep2, opts = nil, dep2 end
  opts = errors.check_options(fname, opts, OPTIONS, 4, "keyword")
  local o = {}
  for k, v in pairs(opts) do o[type(OPTIONS[k]) == "string" and OPTIONS[k] or k] = v end
  local face, edge, lw, ls = M.patch_style(fname, o, 3)
  if o.step ~= nil then errors.check_choice(fname, "step", o.step, step.WHERE, 4) end
  local xs = tolist(ind, fname)
  local n = #xs
  local indname, depname = dir == "y" and "x" or "y", dir == "y" and "y" or "x"
  local d1 = per_point(dep1, n, fname, depname .. "1")
  local d2 = per_point(dep2 == nil and 0 or dep2, n, fname, depname .. "2")
  local where
  if o.where ~= nil then
    if type(o.where) == "userdata" then o.where = tolist(o.where, fname) end
    if type(o.where) ~= "table" then error(fname .. ": where must be a list of booleans", 3) end
    if #o.where ~= n then
      error(("%s: where has %d values for %d points (%s)"):format(fname, #o.where, n, indname), 3)
    end
    where = o.where
  end
  -- matplotlib's where & ~masked: a point counts when where holds and all three values are finite
  local on = {}
  for i = 1, n do
    local w = where == nil or (where[i] and where[i] ~= 0)
    on[i] = w and finite(xs[i]) and finite(d1[i]) and finite(d2[i]) or false
  end
  local polys, lim = {}, {}
  local i = 1
  while i <= n do
    if not on[i] then i = i + 1
    else
      local j = i
      while j < n and on[j + 1] do j = j + 1 end
      local si, s1, s2 = {}, {}, {}
      for k = i, j do
        si[#si + 1], s1[#s1 + 1], s2[#s2 + 1] = xs[k], d1[k], d2[k]
        lim[#lim + 1] = { xs[k], d1[k] }
        lim[#lim + 1] = { xs[k], d2[k] }
      end
      if o.step then si, s1, s2 = step.steps(o.step, si, s1, s2) end
      local a0, b0, a1, b1
      if o.interpolate then
        a0, b0 = crossing(xs, d1, d2, i, i - 1)
        a1, b1 = crossing(xs, d1, d2, j, j + 1)
      else
        a0, b0, a1, b1 = si[1], s2[1], si[#si], s2[#s2]
      end
      local p = { a0, b0 }
      for k = 1, #si do p[#p + 1] = si[k]; p[#p + 1] = s1[k] end
      p[#p + 1], p[#p + 2] = a1, b1
      for k = #si, 1, -1 do p[#p + 1] = si[k]; p[#p + 1] = s2[k] end
      polys[#polys + 1] = p
      i = j + 1
    end
  end
  if face == false then face = colors.next_color(ax) end
  return artists.add(ax, { kind = "fill", dir = dir, polys = polys, points = lim, color = face,
    edgecolor = edge, linewidth = lw, linestyle = ls, alpha = o.alpha, label = o.label })
end

--- ax:fill_between(x, y1 [, y2 = 0] [, {where, interpolate = false, step = "pre" | "post" | "mid",
-- color (c), facecolor (fc), edgecolor (ec), linewidth (lw) = 1, linestyle (ls), alpha, label}])
-- --> PolyCollection: the area between y1 and y2 (numbers or one value per x) over x
function M.methods.fill_between(self, x, y1, y2, opts)
  local pc = fill(self, "fill_between", "y", x, y1, y2, opts)   -- not a tail call: fill raises at our caller
  return pc
end

--- ax:fill_betweenx(y, x1 [, x2 = 0] [, {where, interpolate, step, color, ...}]) --> PolyCollection:
-- the area between x1 and x2 over y (fill_between with the axes swapped)
function M.methods.fill_betweenx(self, y, x1, x2, opts)
  local pc = fill(self, "fill_betweenx", "x", y, x1, x2, opts)
  return pc
end

-- A point (independent, dependent) as (x, y) data coordinates.
local function xy(a, u, v)
  if a.dir == "y" then return u, v end
  return v, u
end

--- limits(a, lim): both curves at every point where the fill is drawn
function M.limits(a, lim)
  for _, p in ipairs(a.points) do
    local x, y = xy(a, p[1], p[2])
    lim:x(x); lim:y(y)
  end
end

-- The polygons in pixels of ctx's canvas.
local function pixel_polys(a, ax, ox, oy)
  local out = {}
  for _, p in ipairs(a.polys) do
    local q = {}
    for k = 1, #p, 2 do
      local px, py = ax:transform(xy(a, p[k], p[k + 1]))
      q[k], q[k + 1] = px - ox, py - oy
    end
    out[#out + 1] = q
  end
  return out
end

--- draw(a, ctx): the polygons filled as one shape, then their outlines when there is an edge
function M.draw(a, ctx)
  M.fill_patch(a, ctx, pixel_polys(a, ctx.ax, ctx.ox, ctx.oy))
end

M.legend = M.legend_patch

--- obstacles(a, ax, paths): each polygon's outline in pixels (matplotlib counts its vertices)
function M.obstacles(a, ax, paths)
  for _, q in ipairs(pixel_polys(a, ax, 0, 0)) do
    local p = {}
    for k = 1, #q, 2 do p[#p + 1] = { q[k], q[k + 1] } end
    paths[#paths + 1] = p
  end
end

return M
