-- cvision.plot.artists.boxplot: ax:boxplot, box-and-whisker plots of one or more data sets
-- (matplotlib's boxplot and bxp). Promises matplotlib's statistics (quartiles as numpy's
-- percentile with linear interpolation, whiskers at the furthest data within whis * IQR of the
-- box, or at percentiles whis = {lo, hi}; fliers beyond them; the notch at med +- 1.57 IQR / sqrt(n))
-- and its look: black box and whiskers, an orange (C1) median, fliers as open circles, means as
-- green triangles, boxes at 1..n with their labels as ticks, no margin past half a unit beyond
-- the outer boxes. NaN values are left out.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"

local M = { name = "boxplot", methods = {} }

local floor, sqrt, min, max = math.floor, math.sqrt, math.min, math.max
local to_rgba, pt, finite = colors.to_rgba, paint.pt, values.finite

--- describe(a) --> how tostring names the record
function M.describe(a)
  return string.format("<boxplot of %d boxes>", #a.stats)
end

--- percentile(sorted, p) --> numpy's percentile (linear interpolation) of a sorted list, p in 0..100
function M.percentile(s, p)
  local n = #s
  if n == 0 then return 0 / 0 end
  local h = (n - 1) * p / 100
  local i = floor(h)
  if i + 1 >= n then return s[n] end
  return s[i + 1] + (h - i) * (s[i + 2] - s[i + 1])
end

--- datasets(data, fname) --> {list, ...}: a list of numbers (one set), a list of lists or
-- tensors (one set each), a 1-D tensor (one set) or a 2-D tensor (one set per column, as numpy)
function M.datasets(data, fname)
  if type(data) == "userdata" then
    local shape = require("cvision.core").plot_tensor_info(data)
    local flat = values.tolist(data, fname)
    if #shape <= 1 then return { flat } end
    local rows, cols = shape[1], #flat // shape[1]
    local sets = {}
    for c = 1, cols do
      sets[c] = {}
      for r = 1, rows do sets[c][r] = flat[(r - 1) * cols + c] end
    end
    return sets
  end
  if type(data) ~= "table" then
    error(("%s: data must be a list of numbers, a list of lists or a tensor, got %s"):format(fname, type(data)), 3)
  end
  if type(data[1]) == "number" or data[1] == nil then return { values.tolist(data, fname) } end
  local sets = {}
  for i, d in ipairs(data) do
    if type(d) ~= "table" and type(d) ~= "userdata" then
      error(("%s: data set %d must be a list of numbers, got %s"):format(fname, i, type(d)), 3)
    end
    sets[i] = values.tolist(d, fname)
  end
  return sets
end

--- stats(x, whis) --> matplotlib's boxplot_stats for one data set: {q1, med, q3, iqr, mean,
-- whislo, whishi, cilo, cihi, fliers, n}; whis a number (times the IQR) or {lo, hi} percentiles
function M.stats(x, whis)
  local s = {}
  for _, v in ipairs(x) do if finite(v) then s[#s + 1] = v end end
  table.sort(s)
  local n = #s
  local st = { n = n, fliers = {} }
  if n == 0 then return st end
  local sum = 0
  for _, v in ipairs(s) do sum = sum + v end
  st.mean = sum / n
  st.q1, st.med, st.q3 = M.percentile(s, 25), M.percentile(s, 50), M.percentile(s, 75)
  st.iqr = st.q3 - st.q1
  local lo_lim, hi_lim
  if type(whis) == "table" then
    lo_lim, hi_lim = M.percentile(s, whis[1]), M.percentile(s, whis[2])
  else
    lo_lim, hi_lim = st.q1 - whis * st.iqr, st.q3 + whis * st.iqr
  end
  -- the whiskers reach the furthest data inside the limits (the quartile when there is none)
  st.whislo, st.whishi = st.q1, st.q3
  for i = 1, n do if s[i] >= lo_lim then st.whislo = min(s[i], st.q1); break end end
  for i = n, 1, -1 do if s[i] <= hi_lim then st.whishi = max(s[i], st.q3); break end end
  for _, v in ipairs(s) do
    if v < st.whislo or v > st.whishi then st.fliers[#st.fliers + 1] = v end
  end
  local half = 1.57 * st.iqr / sqrt(n)
  st.cilo, st.cihi = st.med - half, st.med + half
  return st
end

local LINEPROPS = { color = true, c = "color", linewidth = true, lw = "linewidth", linestyle = true,
  ls = "linestyle" }
local BOXPROPS = { color = true, c = "color", linewidth = true, lw = "linewidth", linestyle = true,
  ls = "linestyle", facecolor = true, edgecolor = true }
local MARKERPROPS = { marker = true, markersize = true, ms = "markersize", markerfacecolor = true,
  mfc = "markerfacecolor", markeredgecolor = true, mec = "markeredgecolor", color = true,
  linestyle = true, ls = "linestyle", linewidth = true, lw = "linewidth" }

-- A props table checked and merged over the defaults, aliases resolved.
local function props(fname, name, given, allowed, defaults)
  given = errors.check_options(fname .. " " .. name, given, allowed, 4, "keyword")
  local out = {}
  for k, v in pairs(defaults) do out[k] = v end
  for k, v in pairs(given) do out[type(allowed[k]) == "string" and allowed[k] or k] = v end
  for _, k in ipairs({ "color", "facecolor", "edgecolor", "markerfacecolor", "markeredgecolor" }) do
    if out[k] ~= nil and out[k] ~= "none" then colors.check(fname, out[k], 3) end
  end
  if out.marker ~= nil then paint.check_marker(out.marker, fname, 3) end
  if out.linestyle ~= nil then
    errors.check_choice(fname, "linestyle", out.linestyle, require("cvision.plot.artists.line").LINESTYLES, 4)
  end
  return out
end

local OPTIONS = { labels = true, tick_labels = true, vert = true, widths = true, whis = true,
  showfliers = true, notch = true, patch_artist = true, showmeans = true, meanline = true,
  showcaps = true, showbox = true, positions = true, medianprops = true, boxprops = true,
  whiskerprops = true, capprops = true, flierprops = true, meanprops = true, manage_ticks = true }

-- One number or one per data set, checked.
local function per_set(v, n, what, default)
  if v == nil then v = default end
  if type(v) == "number" then
    local t = {}
    for i = 1, n do t[i] = v end
    return t
  end
  local t = values.tolist(v, "boxplot")
  if #t ~= n then error(("boxplot: %s has %d values for %d data sets"):format(what, #t, n), 3) end
  return t
end

-- The tick labels the boxes of this axes carry so far, plus these (matplotlib appends to them).
local function add_ticks(ax, vert, positions, labels)
  local key = vert and "boxplot_xticks" or "boxplot_yticks"
  local t = ax[key] or { ticks = {}, labels = {} }
  ax[key] = t
  for i, p in ipairs(positions) do
    t.ticks[#t.ticks + 1] = p
    t.labels[#t.labels + 1] = labels and tostring(labels[i]) or string.format("%g", p)
  end
  if vert then ax:set_xticks(t.ticks, t.labels) else ax:set_yticks(t.ticks, t.labels) end
end

--- ax:boxplot(data, {labels (tick_labels), vert = true, widths, whis = 1.5, showfliers = true,
-- notch = false, patch_artist = false, showmeans = false, meanline = false, showcaps = true,
-- showbox = true, positions = {1, ..., n}, manage_ticks = true, boxprops, medianprops,
-- whiskerprops, capprops, flierprops, meanprops}) --> the boxplot record (stats: one table per
-- box, as boxplot_stats). widths default to 0.15 times the span of the positions, within 0.15..0.5;
-- props tables take color, linewidth, linestyle (boxprops also facecolor, edgecolor; flierprops
-- and meanprops marker, markersize, markerfacecolor, markeredgecolor)
function M.methods.boxplot(self, data, opts)
  opts = errors.check_options("boxplot", opts, OPTIONS, 3, "keyword")
  local sets = M.datasets(data, "boxplot")
  local n = #sets
  local whis = opts.whis == nil and 1.5 or opts.whis
  if not (type(whis) == "number" and whis >= 0) and
    not (type(whis) == "table" and type(whis[1]) == "number" and type(whis[2]) == "number"
      and whis[1] >= 0 and whis[2] <= 100 and whis[1] <= whis[2]) then
    error("boxplot: whis must be a non-negative number or {lo, hi} percentiles in 0..100", 2)
  end
  local positions = {}
  if opts.positions == nil then for i = 1, n do positions[i] = i end
  else positions = per_set(opts.positions, n, "positions") end
  local lo_p, hi_p = math.huge, -math.huge
  for i = 1, n do lo_p, hi_p = min(lo_p, positions[i]), max(hi_p, positions[i]) end
  local span = n > 0 and hi_p - lo_p or 0
  local widths = per_set(opts.widths, n, "widths", min(0.5, max(0.15, 0.15 * span)))
  local labels = opts.tick_labels or opts.labels
  if labels ~= nil and (type(labels) ~= "table" or #labels ~= n) then
    error(("boxplot: labels must be a list of %d names, one per data set"):format(n), 2)
  end
  local patch = opts.patch_artist == true
  local art = {
    kind = "boxplot", vert = opts.vert ~= false, positions = positions, widths = widths,
    notch = opts.notch == true, patch = patch, showfliers = opts.showfliers ~= false,
    showmeans = opts.showmeans == true, meanline = opts.meanline == true,
    showcaps = opts.showcaps ~= false, showbox = opts.showbox ~= false, stats = {},
    boxprops = props("boxplot", "boxprops", opts.boxprops, BOXPROPS,
      { color = "black", linewidth = 1, facecolor = patch and "C0" or nil }),
    medianprops = props("boxplot", "medianprops", opts.medianprops, LINEPROPS, { color = "C1", linewidth = 1 }),
    whiskerprops = props("boxplot", "whiskerprops", opts.whiskerprops, LINEPROPS, { color = "black", linewidth = 1 }),
    capprops = props("boxplot", "capprops", opts.capprops, LINEPROPS, { color = "black", linewidth = 1 }),
    flierprops = props("boxplot", "flierprops", opts.flierprops, MARKERPROPS,
      { marker = "o", markersize = 6, markerfacecolor = "none", markeredgecolor = "black", linewidth = 1 }),
    meanprops = props("boxplot", "meanprops", opts.meanprops, MARKERPROPS,
      { marker = "^", markersize = 6, markerfacecolor = "C2", markeredgecolor = "C2",
        color = "C2", linestyle = "--", linewidth = 1 }),
  }
  for i, x in ipairs(sets) do art.stats[i] = M.stats(x, whis) end
  artists.add(self, art)
  if opts.manage_ticks ~= false then add_ticks(self, art.vert, positions, labels) end
  return art
end

-- (position, value) to data (x, y) by the orientation.
local function xy(a, p, v)
  if a.vert then return p, v end
  return v, p
end

--- limits(a, lim): the boxes, whiskers, fliers and means; the position axis sticks to half a unit
-- beyond the outer boxes, as matplotlib's sticky edges
function M.limits(a, lim)
  local key = a.vert and "x_sticky" or "y_sticky"
  lim[key] = lim[key] or {}
  local stick = lim[key]
  for i, st in ipairs(a.stats) do
    local p, w = a.positions[i], a.widths[i]
    local function add(pp, v) local x, y = xy(a, pp, v); lim:x(x); lim:y(y) end
    add(p - 0.5, st.med or 0); add(p + 0.5, st.med or 0)
    stick[#stick + 1], stick[#stick + 2] = p - 0.5, p + 0.5
    if st.n > 0 then
      add(p - w / 2, st.whislo); add(p + w / 2, st.whishi)
      if a.notch then add(p, st.cilo); add(p, st.cihi) end
      if a.showfliers then for _, v in ipairs(st.fliers) do add(p, v) end end
      if a.showmeans then add(p, st.mean) end
    end
  end
end

-- A pixel coordinate on a pixel centre, so that 1 pt lines stay crisp (matplotlib snaps them).
local function snap(v) return floor(v) + 0.5 end

-- Strokes a path of (position, value) pairs in pixels of the content canvas.
local function stroke(a, ctx, pv, p, snapped)
  local pts = {}
  for k = 1, #pv, 2 do
    local px, py = ctx.ax:transform(xy(a, pv[k], pv[k + 1]))
    px, py = px - ctx.ox, py - ctx.oy
    if snapped then px, py = snap(px), snap(py) end
    pts[#pts + 1], pts[#pts + 2] = px, py
  end
  local ls = p.linestyle or "-"
  if ls == "none" or ls == "None" or ls == "" or ls == " " then return pts end
  local dashes = paint.dash_pattern(ctx.fig, ls, p.linewidth)
  ctx.cv:stroke(pts, to_rgba(p.color), pt(ctx.fig, p.linewidth), dashes, dashes and "butt" or "square")
  return pts
end

--- draw_open_marker(cv, m, x, y, size, face, edge, lw) a marker with its own face ("none": open)
-- and edge colours (an open circle is the flier's default)
function M.draw_open_marker(cv, m, x, y, size, face, edge, lw)
  if face ~= "none" then paint.draw_marker(cv, m, x, y, size, to_rgba(face)) end
  if edge == "none" or m ~= "o" and face ~= "none" then return end
  if m == "o" then
    local r, ring = size / 2, {}
    for k = 0, 32 do
      local t = 2 * math.pi * k / 32
      ring[#ring + 1], ring[#ring + 2] = x + r * math.cos(t), y + r * math.sin(t)
    end
    cv:stroke(ring, to_rgba(edge), lw)
  else
    paint.draw_marker(cv, m, x, y, size, to_rgba(edge))
  end
end

-- One box: the box (or notched box), whiskers, caps, median, fliers, mean.
local function draw_box(a, ctx, i)
  local st, p, w = a.stats[i], a.positions[i], a.widths[i]
  local l, r = p - w / 2, p + w / 2
  local cl, cr = p - w / 4, p + w / 4          -- caps and the notch's waist: half the box
  local box
  if a.notch then
    box = { l, st.q1, r, st.q1, r, st.cilo, cr, st.med, r, st.cihi, r, st.q3, l, st.q3, l, st.cihi,
      cl, st.med, l, st.cilo, l, st.q1 }
  else
    box = { l, st.q1, r, st.q1, r, st.q3, l, st.q3, l, st.q1 }
  end
  local bp = a.boxprops
  if a.showbox then
    if a.patch then
      local poly = {}
      for k = 1, #box - 2, 2 do
        local px, py = ctx.ax:transform(xy(a, box[k], box[k + 1]))
        poly[#poly + 1], poly[#poly + 2] = px - ctx.ox, py - ctx.oy
      end
      ctx.cv:fill_polygon(poly, to_rgba(bp.facecolor or "C0"))
    end
    stroke(a, ctx, box, { color = bp.edgecolor or bp.color, linewidth = bp.linewidth,
      linestyle = bp.linestyle }, not a.notch)
  end
  stroke(a, ctx, { p, st.q1, p, st.whislo }, a.whiskerprops, true)
  stroke(a, ctx, { p, st.q3, p, st.whishi }, a.whiskerprops, true)
  if a.showcaps then
    stroke(a, ctx, { cl, st.whislo, cr, st.whislo }, a.capprops, true)
    stroke(a, ctx, { cl, st.whishi, cr, st.whishi }, a.capprops, true)
  end
  if a.notch then stroke(a, ctx, { cl, st.med, cr, st.med }, a.medianprops, true)
  else stroke(a, ctx, { l, st.med, r, st.med }, a.medianprops, true) end
  local fig = ctx.fig
  if a.showfliers then
    local fp = a.flierprops
    for _, v in ipairs(st.fliers) do
      local px, py = ctx.ax:transform(xy(a, p, v))
      M.draw_open_marker(ctx.cv, fp.marker, px - ctx.ox, py - ctx.oy, pt(fig, fp.markersize),
        fp.markerfacecolor, fp.markeredgecolor, pt(fig, fp.linewidth or 1))
    end
  end
  if a.showmeans then
    local mp = a.meanprops
    if a.meanline then
      stroke(a, ctx, { l, st.mean, r, st.mean }, mp, true)
    else
      local px, py = ctx.ax:transform(xy(a, p, st.mean))
      M.draw_open_marker(ctx.cv, mp.marker, px - ctx.ox, py - ctx.oy, pt(fig, mp.markersize),
        mp.markerfacecolor, mp.markeredgecolor, pt(fig, 1))
    end
  end
end

--- draw(a, ctx): every box with data, in order
function M.draw(a, ctx)
  for i, st in ipairs(a.stats) do
    if st.n > 0 then draw_box(a, ctx, i) end
  end
end

--- obstacles(a, ax, paths, rects): each box and its whiskers as a rectangle, for the legend
function M.obstacles(a, ax, _, rects)
  for i, st in ipairs(a.stats) do
    if st.n > 0 then
      local p, w = a.positions[i], a.widths[i]
      local x0, y0 = ax:transform(xy(a, p - w / 2, st.whislo))
      local x1, y1 = ax:transform(xy(a, p + w / 2, st.whishi))
      rects[#rects + 1] = { min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1) }
    end
  end
end

return M
