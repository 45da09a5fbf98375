-- cvision.plot.artists.contour: ax:contour and ax:contourf, level lines and filled bands of a
-- 2-D field (matplotlib's ContourSet), and ax:clabel, their labels. Promises matplotlib's levels
-- (an integer asks MaxNLocator(n + 1) for round levels over the data's range, trimmed to one past
-- each end; 7 by default; a list is used as given), its colours (a colour map through a norm over
-- the levels, or for bands their midpoints; or the colours given, cycled; negative levels dashed
-- when the lines have one colour), bands lo < z <= hi (the lowest also takes z = lo), no margins
-- around the field, and colorbar() showing the bands. The geometry is cvision.plot.marching's.
local core = require "cvision.core"
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local norms = require "cvision.plot.norm"
local locator = require "cvision.plot.locator"
local marching = require "cvision.plot.marching"
local labels = require "cvision.plot.clabel"
local errors = require "cvision.util.errors"

local M = { name = "contour", printed = "QuadContourSet", methods = {} }

local min, max = math.min, math.max
local finite, to_rgba, pt = values.finite, colors.to_rgba, paint.pt

-- A 2-D table of rows, from a list of lists or a 2-D tensor; --> rows, ny, nx (errors at level).
local function rows_of(v, what, fname, level)
  if type(v) == "userdata" then
    local shape = core.plot_tensor_info(v)
    if #shape ~= 2 then
      error(("%s: %s must be 2-D, got a tensor of %d dimensions"):format(fname, what, #shape), level)
    end
    local flat, out = values.tolist(v, fname), {}
    for i = 1, shape[1] do
      out[i] = {}
      for j = 1, shape[2] do out[i][j] = flat[(i - 1) * shape[2] + j] end
    end
    return out, shape[1], shape[2]
  end
  if type(v) ~= "table" or type(v[1]) ~= "table" then
    error(("%s: %s must be a list of rows or a 2-D tensor, got %s"):format(fname, what, type(v)), level)
  end
  local nx = #v[1]
  local out = {}
  for i, r in ipairs(v) do
    if #r ~= nx then error(("%s: row %d of %s has %d values, row 1 has %d"):format(fname, i, what, #r, nx), level) end
    out[i] = values.tolist(r, fname)
  end
  return out, #v, nx
end

-- X or Y as a full grid: nil (indices), a 1-D list along its axis, or a grid like Z.
local function coord_grid(v, ny, nx, axis, fname)
  local g = {}
  if v == nil then
    for i = 1, ny do
      g[i] = {}
      for j = 1, nx do g[i][j] = axis == "x" and j - 1 or i - 1 end
    end
    return g
  end
  local two_d = type(v) == "table" and type(v[1]) == "table"
  if type(v) == "userdata" then two_d = #core.plot_tensor_info(v) == 2 end
  local name = axis == "x" and "X" or "Y"
  if two_d then
    local r, h, w = rows_of(v, name, fname, 5)
    if h ~= ny or w ~= nx then
      error(("%s: %s is %dx%d but Z is %dx%d"):format(fname, name, h, w, ny, nx), 4)
    end
    return r
  end
  local l = values.tolist(v, fname)
  local want = axis == "x" and nx or ny
  if #l ~= want then
    error(("%s: %s has %d values but Z has %d %s"):format(fname, name, #l, want,
      axis == "x" and "columns" or "rows"), 4)
  end
  for i = 1, ny do
    g[i] = {}
    for j = 1, nx do g[i][j] = axis == "x" and l[j] or l[i] end
  end
  return g
end

-- matplotlib's _autolev: MaxNLocator(n + 1) levels, keeping one level beyond each end of the data.
local function auto_levels(n, zmin, zmax)
  local lev = locator.tick_values(zmin, zmax, { nbins = n + 1, min_n_ticks = 1 })
  local i0, i1 = 1, #lev
  for i, v in ipairs(lev) do if v < zmin then i0 = i end end
  for i = #lev, 1, -1 do if lev[i] > zmax then i1 = i end end
  if i1 - i0 + 1 < 3 then i0, i1 = 1, #lev end
  return table.move(lev, i0, i1, 1, {})
end

local function levels_of(arg, zmin, zmax, filled, fname)
  if arg == nil then arg = 7 end
  local lev
  if type(arg) == "number" then
    if math.type(arg) ~= "integer" or arg < 1 then
      error(("%s: levels must be a positive integer or a list of increasing numbers"):format(fname), 4)
    end
    lev = auto_levels(arg, zmin, zmax)
  elseif type(arg) == "table" or type(arg) == "userdata" then
    lev = values.tolist(arg, fname)
    for i = 2, #lev do
      if not (lev[i] > lev[i - 1]) then error(("%s: levels must be increasing"):format(fname), 4) end
    end
  else
    error(("%s: levels must be a positive integer or a list of increasing numbers, got %s"):format(fname, type(arg)), 4)
  end
  if filled and #lev < 2 then error(("%s: filled contours need at least 2 levels"):format(fname), 4) end
  if not filled then
    local inside = false
    for _, v in ipairs(lev) do if v > zmin and v < zmax then inside = true end end
    if not inside then lev = { zmin } end   -- matplotlib's fallback (it warns)
  end
  return lev
end

local OPTIONS = { levels = true, colors = true, cmap = true, norm = true, vmin = true, vmax = true,
  alpha = true, linewidths = true, linestyles = true, label = true }
local FILLED = { levels = true, colors = true, cmap = true, norm = true, vmin = true, vmax = true,
  alpha = true, label = true }

-- The value for level i: one for all, or a list cycled as matplotlib.
local function cycled(v, i)
  if type(v) == "table" then return v[(i - 1) % #v + 1] end
  return v
end

-- The colour for level i: one colour (a name or {r, g, b [, a]}) or a list of them, cycled.
local function colour_at(c, i)
  if type(c) == "table" and type(c[1]) ~= "number" then return c[(i - 1) % #c + 1] end
  return c
end

-- The colour of each level (lines) or band (filled, cvalues their midpoints): the colours given,
-- or the colour map through a norm over the levels (matplotlib's: lines on the edge of two bands
-- take a colour between theirs).
local function level_colours(art, cvalues, opts, fname)
  local out = {}
  if opts.colors ~= nil then
    if opts.cmap ~= nil then error(fname .. ": give colors or cmap, not both", 4) end
    colors.check(fname, opts.colors, 4)
    for i = 1, #cvalues do out[i] = to_rgba(colour_at(opts.colors, i), opts.alpha) end
    local one = type(opts.colors) == "string" or (type(opts.colors) == "table" and
      (type(opts.colors[1]) == "number" or #opts.colors == 1))
    art.monochrome = one
    return out
  end
  local cmap = opts.cmap or "viridis"
  colors.check_cmap(cmap, fname, 4)
  local norm = norms.resolve(opts.norm, opts.vmin, opts.vmax, art.levels, fname)
  for i, v in ipairs(cvalues) do
    local t = norm:map(v)
    local r, g, b = core.plot_colormap(cmap, t == t and t or 0, 0, 1)
    out[i] = { r / 255, g / 255, b / 255, opts.alpha or 1 }
  end
  art.cmap, art.norm_used = cmap, norm
  return out
end

-- Positional arguments: Z | Z, levels | X, Y, Z | X, Y, Z, levels, then an options table.
local function parse(fname, ...)
  local args = table.pack(...)
  local opts
  local last = args[args.n]
  if args.n >= 2 and type(last) == "table" and last[1] == nil then opts = last; args.n = args.n - 1 end
  local X, Y, Z, levels
  if args.n == 1 then Z = args[1]
  elseif args.n == 2 then Z, levels = args[1], args[2]
  elseif args.n == 3 then X, Y, Z = args[1], args[2], args[3]
  elseif args.n == 4 then X, Y, Z, levels = args[1], args[2], args[3], args[4]
  else error(("%s: expected (Z), (Z, levels), (X, Y, Z) or (X, Y, Z, levels), got %d arguments")
    :format(fname, args.n), 4) end
  return X, Y, Z, levels, opts
end

local function new(self, filled, ...)
  local fname = filled and "contourf" or "contour"
  local X, Y, Z, levels, opts = parse(fname, ...)
  opts = errors.check_options(fname, opts, filled and FILLED or OPTIONS, 4, "keyword")
  if levels ~= nil and opts.levels ~= nil then error(fname .. ": levels given twice", 3) end
  levels = levels or opts.levels
  local zr, ny, nx = rows_of(Z, "Z", fname, 4)
  if ny < 2 or nx < 2 then error(("%s: Z must be at least 2x2, got %dx%d"):format(fname, ny, nx), 3) end
  local g = { Z = zr, X = coord_grid(X, ny, nx, "x", fname), Y = coord_grid(Y, ny, nx, "y", fname), nx = nx, ny = ny }
  local zmin, zmax = math.huge, -math.huge
  for i = 1, ny do for j = 1, nx do
    local z = zr[i][j]
    if finite(z) then zmin, zmax = min(zmin, z), max(zmax, z) end
  end end
  if zmin > zmax then error(fname .. ": Z has no finite values", 3) end
  local art = { kind = "contour", filled = filled, label = opts.label, alpha = opts.alpha, zmin = zmin, zmax = zmax }
  art.levels = levels_of(levels, zmin, zmax, filled, fname)
  local lev = art.levels
  local x0, x1, y0, y1 = math.huge, -math.huge, math.huge, -math.huge
  for i = 1, ny do for j = 1, nx do
    x0, x1 = min(x0, g.X[i][j]), max(x1, g.X[i][j])
    y0, y1 = min(y0, g.Y[i][j]), max(y1, g.Y[i][j])
  end end
  art.extent = { x0, x1, y0, y1 }
  art.grid = g
  if filled then
    art.layers = {}
    for i = 1, #lev - 1 do art.layers[i] = (lev[i] + lev[i + 1]) / 2 end
    art.colors = level_colours(art, art.layers, opts, fname)
    art.allsegs = {}
    for i = 1, #lev - 1 do art.allsegs[i] = marching.isoband(g, lev[i], lev[i + 1], i == 1) end
    art.vmin, art.vmax = lev[1], lev[#lev]       -- the colour bar spans the levels, band by band
    art.bands = {}
    for i = 1, #lev - 1 do art.bands[i] = { lev[i], lev[i + 1], art.colors[i] } end
  else
    art.colors = level_colours(art, lev, opts, fname)
    art.allsegs = {}
    for i, L in ipairs(lev) do
      art.allsegs[i] = {}
      for _, l in ipairs(marching.isolines(g, L)) do   -- a level touching the field at one point: no line
        local moves = false
        for k = 3, #l, 2 do if l[k] ~= l[1] or l[k + 1] ~= l[2] then moves = true; break end end
        if moves then art.allsegs[i][#art.allsegs[i] + 1] = l end
      end
    end
    art.linewidths, art.linestyles = {}, {}
    for i, L in ipairs(lev) do
      art.linewidths[i] = cycled(opts.linewidths, i) or 1.5
      local ls = cycled(opts.linestyles, i)
      if ls == nil and art.monochrome and L < 0 then ls = "--" end
      art.linestyles[i] = ls or "-"
      require("cvision.plot.artists.line").check_style(fname, { linestyle = art.linestyles[i] }, 4)
      if type(art.linewidths[i]) ~= "number" or art.linewidths[i] < 0 then
        error(fname .. ": linewidths must be non-negative numbers", 3)
      end
    end
  end
  return artists.add(self, art)
end

--- ax:contour([X, Y,] Z [, levels] [, {levels, colors, cmap = "viridis", norm, vmin, vmax, alpha,
-- linewidths = 1.5, linestyles, label}]) --> the QuadContourSet record (levels, allsegs: per
-- level its polylines {x1, y1, x2, ...}). Z: a list of rows or a 2-D tensor (rows along y); X, Y:
-- 1-D (one value per column, per row) or grids like Z, 0..n-1 by default; levels an integer (7)
-- or a list of increasing values; colors one colour or one per level (cycled)
function M.methods.contour(self, ...)
  local a = new(self, false, ...)
  return a
end

--- ax:contourf([X, Y,] Z [, levels] [, {levels, colors, cmap = "viridis", norm, vmin, vmax,
-- alpha, label}]) --> the QuadContourSet record (levels, layers: the bands' midpoints, allsegs:
-- per band its polygons); a colour bar shows its bands
function M.methods.contourf(self, ...)
  local a = new(self, true, ...)
  return a
end

--- ax:clabel(cs [, levels] [, {fontsize = 10, inline = true, inline_spacing = 5, fmt, colors}])
-- --> cs: labels the lines of a contour set (the levels given, or all) with their values, each
-- along its line where it runs straightest, the line broken under it (inline); fmt a format
-- string ("%.1f") or a function of the level
function M.methods.clabel(self, cs, lv, opts)
  if type(cs) ~= "table" or cs.kind ~= "contour" then
    error("clabel: a contour set expected (what contour returned)", 2)
  end
  cs.clabel = labels.check(cs, lv, opts)
  self.fig.dirty = true
  return cs
end

--- limits(a, lim): the field's extent, without margins (matplotlib's tight autoscale), as an image's
M.limits = require("cvision.plot.artists.image").limits

--- mappable(a) --> true for filled contours (the colour bar shows their bands)
function M.mappable(a) return a.filled end

-- Data polygons or polylines to content-canvas pixels.
local function to_pixels(ctx, p)
  local ax, ox, oy = ctx.ax, ctx.ox, ctx.oy
  local out = {}
  for k = 1, #p, 2 do
    local x, y = ax:transform(p[k], p[k + 1])
    out[k], out[k + 1] = x - ox, y - oy
  end
  return out
end

-- The bands for drawing: opaque ones stacked (band i drawn as everything above its lower level,
-- each over the last), so that neighbouring bands leave no anti-aliased seam between them.
local function stacked(a)
  if a.stack then return a.stack end
  local lev, top = a.levels, a.levels[#a.levels]
  a.stack = {}
  for i = 1, #lev - 1 do a.stack[i] = i == #lev - 1 and a.allsegs[i] or marching.isoband(a.grid, lev[i], top, i == 1) end
  return a.stack
end

--- draw(a, ctx): the bands (each one fill of its polygons) or the lines (with clabel's gaps and labels)
function M.draw(a, ctx)
  if a.filled then
    local polys = (a.alpha == nil or a.alpha >= 1) and stacked(a) or a.allsegs
    for i, band in ipairs(polys) do
      local px = {}
      for k, p in ipairs(band) do px[k] = to_pixels(ctx, p) end
      if #px > 0 then ctx.cv:fill_polygon(px, a.colors[i]) end
    end
    return
  end
  local fig = ctx.fig
  local lines = {}
  for i in ipairs(a.levels) do
    lines[i] = {}
    for k, l in ipairs(a.allsegs[i]) do lines[i][k] = to_pixels(ctx, l) end
  end
  local texts = a.clabel and labels.place(a, ctx, lines) or {}
  for i in ipairs(a.levels) do
    local col = a.colors[i]
    local dashes = paint.dash_pattern(fig, a.linestyles[i], a.linewidths[i])
    for _, l in ipairs(lines[i]) do
      if #l >= 4 then ctx.cv:stroke(l, col, pt(fig, a.linewidths[i]), dashes, dashes and "butt" or "round") end
    end
  end
  labels.draw(a, ctx, texts)
end

--- legend(a, ctx, x, cy, length, fs): a short line of the first level's style (a patch when filled)
function M.legend(a, ctx, x, cy, length, fs)
  if a.filled then
    local hh = 0.7 * fs
    ctx.cv:fill_rect(x, cy - hh / 2, length, hh, a.colors[1])
    return
  end
  ctx.cv:stroke({ x, cy, x + length, cy }, a.colors[1], pt(ctx.fig, a.linewidths[1]),
    paint.dash_pattern(ctx.fig, a.linestyles[1], a.linewidths[1]))
end

return M
