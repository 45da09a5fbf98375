-- cvision.plot.artists.violin: ax:violinplot, each data set's distribution as a mirrored kernel
-- density estimate (matplotlib's violinplot). Promises matplotlib's estimate (a gaussian KDE of
-- bandwidth factor times the sample standard deviation, the factor Scott's n^(-1/5),
-- Silverman's (3n/4)^(-1/5) or the number given; evaluated at `points` values from the minimum
-- to the maximum) and its look: bodies in the next colour of the cycle at alpha 0.3, as wide as
-- widths at their widest, lines in the same colour at the extrema, means, medians and quantiles
-- spanning half the width, and a bar from minimum to maximum. NaN values are left out.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"
local boxplot = require "cvision.plot.artists.boxplot"

local M = { name = "violin", methods = {} }

local sqrt, exp, pi, min, max = math.sqrt, math.exp, math.pi, math.min, math.max
local to_rgba, pt, finite = colors.to_rgba, paint.pt, values.finite

--- describe(a) --> how tostring names the record
function M.describe(a)
  return string.format("<violinplot of %d violins>", #a.stats)
end

--- kde(x, bw_method) --> a function f(v) --> density at v: matplotlib's GaussianKDE of the
-- values x (at least two, not all equal); bw_method "scott" (default), "silverman" or a number
-- (the factor itself)
function M.kde(x, bw_method)
  local n = #x
  local mean = 0
  for _, v in ipairs(x) do mean = mean + v end
  mean = mean / n
  local var = 0
  for _, v in ipairs(x) do var = var + (v - mean) ^ 2 end
  var = var / (n - 1)   -- numpy's cov: the unbiased estimate
  local factor
  if bw_method == nil or bw_method == "scott" then factor = n ^ (-1 / 5)
  elseif bw_method == "silverman" then factor = (n * 3 / 4) ^ (-1 / 5)
  else factor = bw_method end
  local h2 = var * factor * factor
  local norm = sqrt(2 * pi * h2) * n
  return function(v)
    local s = 0
    for i = 1, n do s = s + exp(-(v - x[i]) ^ 2 / (2 * h2)) end
    return s / norm
  end, factor
end

local OPTIONS = { positions = true, vert = true, widths = true, showmeans = true, showextrema = true,
  showmedians = true, quantiles = true, points = true, bw_method = true }

-- One data set's violin: the density at `points` values over its range and its statistics.
local function violin_stats(x, points, bw_method, quantiles, i)
  local s = {}
  for _, v in ipairs(x) do if finite(v) then s[#s + 1] = v end end
  table.sort(s)
  local n = #s
  if n < 2 or s[1] == s[n] then
    error(("violinplot: data set %d needs at least two different values for a density, got %d value%s")
      :format(i, n, n == 1 and "" or "s"), 3)
  end
  local f = M.kde(s, bw_method)
  local st = { coords = {}, vals = {}, min = s[1], max = s[n], median = boxplot.percentile(s, 50) }
  local sum = 0
  for _, v in ipairs(s) do sum = sum + v end
  st.mean = sum / n
  for k = 1, points do
    local c = s[1] + (s[n] - s[1]) * (k - 1) / (points - 1)
    st.coords[k], st.vals[k] = c, f(c)
  end
  st.quantiles = {}
  for k, q in ipairs(quantiles or {}) do st.quantiles[k] = boxplot.percentile(s, q * 100) end
  return st
end

-- quantiles: nil, or one list of fractions (0..1) per data set.
local function check_quantiles(q, n)
  if q == nil then return {} end
  if type(q) ~= "table" or #q ~= n then
    error(("violinplot: quantiles must be a list of %d lists of fractions, one per data set"):format(n), 3)
  end
  for i, l in ipairs(q) do
    if type(l) ~= "table" then error(("violinplot: quantiles[%d] must be a list of fractions"):format(i), 3) end
    for _, v in ipairs(l) do
      if type(v) ~= "number" or v < 0 or v > 1 then
        error(("violinplot: quantiles[%d] must hold fractions in 0..1"):format(i), 3)
      end
    end
  end
  return q
end

--- ax:violinplot(dataset, {positions = {1, ..., n}, vert = true, widths = 0.5, showmeans = false,
-- showextrema = true, showmedians = false, quantiles, points = 100, bw_method = "scott"}) --> the
-- violin record (stats: per data set coords, vals, mean, median, min, max, quantiles). dataset:
-- a list of numbers, a list of lists or a tensor (one set per column); bw_method "scott",
-- "silverman" or a number; quantiles one list of fractions per data set
function M.methods.violinplot(self, dataset, opts)
  opts = errors.check_options("violinplot", opts, OPTIONS, 3, "keyword")
  local sets = boxplot.datasets(dataset, "violinplot")
  local n = #sets
  local points = opts.points or 100
  if math.type(points) ~= "integer" or points < 2 then
    error("violinplot: points must be an integer of at least 2", 2)
  end
  local bw = opts.bw_method
  if type(bw) == "string" then errors.check_choice("violinplot", "bw_method", bw, { "scott", "silverman" })
  elseif bw ~= nil and not (type(bw) == "number" and bw > 0) then
    error("violinplot: bw_method must be \"scott\", \"silverman\" or a positive number", 2)
  end
  local function per_set(v, what, default)
    if v == nil then v = default end
    local t = {}
    if type(v) == "number" then for i = 1, n do t[i] = v end return t end
    t = values.tolist(v, "violinplot")
    if #t ~= n then error(("violinplot: %s has %d values for %d data sets"):format(what, #t, n), 3) end
    return t
  end
  local positions = opts.positions == nil and {} or per_set(opts.positions, "positions")
  if opts.positions == nil then for i = 1, n do positions[i] = i end end
  local widths = per_set(opts.widths, "widths", 0.5)
  local quantiles = check_quantiles(opts.quantiles, n)
  local art = { kind = "violin", vert = opts.vert ~= false, positions = positions, widths = widths,
    showmeans = opts.showmeans == true, showextrema = opts.showextrema ~= false,
    showmedians = opts.showmedians == true, stats = {}, color = colors.next_color(self) }
  for i, x in ipairs(sets) do art.stats[i] = violin_stats(x, points, bw, quantiles[i], i) end
  return artists.add(self, art)
end

-- (position, value) to data (x, y) by the orientation.
local function xy(a, p, v)
  if a.vert then return p, v end
  return v, p
end

-- The half widths of a violin at its coords: half its width where the density peaks.
local function half_widths(st, width)
  local peak = 0
  for _, v in ipairs(st.vals) do peak = max(peak, v) end
  local h = {}
  for k, v in ipairs(st.vals) do h[k] = 0.5 * width * v / peak end
  return h
end

--- limits(a, lim): every body's outline and the lines
function M.limits(a, lim)
  for i, st in ipairs(a.stats) do
    local p = a.positions[i]
    for k, hw in ipairs(half_widths(st, a.widths[i])) do
      local x0, y0 = xy(a, p - hw, st.coords[k])
      local x1, y1 = xy(a, p + hw, st.coords[k])
      lim:x(x0); lim:y(y0); lim:x(x1); lim:y(y1)
    end
    local x0, y0 = xy(a, p - a.widths[i] / 4, st.min)
    local x1, y1 = xy(a, p + a.widths[i] / 4, st.max)
    lim:x(x0); lim:y(y0); lim:x(x1); lim:y(y1)
  end
end

--- draw(a, ctx): the bodies, then the extrema, the bar, means, medians and quantiles
function M.draw(a, ctx)
  local ax, cv, fig = ctx.ax, ctx.cv, ctx.fig
  local body = to_rgba(a.color, 0.3)
  local line = to_rgba(a.color)
  local lw = pt(fig, 1.5)
  local function px(p, v)
    local x, y = ax:transform(xy(a, p, v))
    return x - ctx.ox, y - ctx.oy
  end
  for i, st in ipairs(a.stats) do
    local p, hws = a.positions[i], half_widths(st, a.widths[i])
    local poly = {}
    for k = 1, #st.coords do
      local x, y = px(p + hws[k], st.coords[k])
      poly[#poly + 1], poly[#poly + 2] = x, y
    end
    for k = #st.coords, 1, -1 do
      local x, y = px(p - hws[k], st.coords[k])
      poly[#poly + 1], poly[#poly + 2] = x, y
    end
    cv:fill_polygon(poly, body)
  end
  local function across(i, v)
    local q = a.widths[i] / 4
    local x0, y0 = px(a.positions[i] - q, v)
    local x1, y1 = px(a.positions[i] + q, v)
    cv:stroke({ x0, y0, x1, y1 }, line, lw)
  end
  for i, st in ipairs(a.stats) do
    if a.showextrema then
      across(i, st.min); across(i, st.max)
      local x0, y0 = px(a.positions[i], st.min)
      local x1, y1 = px(a.positions[i], st.max)
      cv:stroke({ x0, y0, x1, y1 }, line, lw)
    end
    if a.showmeans then across(i, st.mean) end
    if a.showmedians then across(i, st.median) end
    for _, q in ipairs(st.quantiles) do across(i, q) end
  end
end

--- obstacles(a, ax, paths, rects): each violin's bounding rectangle
function M.obstacles(a, ax, _, rects)
  for i, st in ipairs(a.stats) do
    local w = a.widths[i] / 2
    local x0, y0 = ax:transform(xy(a, a.positions[i] - w, st.min))
    local x1, y1 = ax:transform(xy(a, a.positions[i] + w, st.max))
    rects[#rects + 1] = { min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1) }
  end
end

return M
