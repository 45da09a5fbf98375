-- cvision.plot.legend: the legend box of an axes. Promises matplotlib's look and placement: the
-- labelled artists in drawing order (labels starting with "_" left out), handles drawn by each
-- artist kind's legend hook, the sizes of its rcParams (borderpad 0.4, handlelength 2.0, ...), a
-- rounded translucent frame, and "best" as the location covering the fewest data points, segments
-- and bars.
local paint = require "cvision.plot.paint"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"

local M = {}

local max, min = math.max, math.min
local pt, text_size, draw_text = paint.pt, paint.text_size, paint.draw_text

-- The labelled artists whose kind draws a legend handle.
local function legend_entries(ax)
  local out = {}
  for _, a in ipairs(ax.artists) do
    local k = artists.kind(a.kind)
    if a.label and a.label ~= "" and not tostring(a.label):match("^_") and k and k.legend then
      out[#out + 1] = a
    end
  end
  return out
end

local LOCS = { "upper right", "upper left", "lower left", "lower right", "right", "center left",
  "center right", "lower center", "upper center", "center" }

local OPTIONS = { loc = true, fontsize = true, title = true, frameon = true, framealpha = true }

--- check(opts [, level = 3]) --> opts (an empty table for nil): known options and a known loc
function M.check(opts, level)
  level = (level or 3) + 1
  opts = errors.check_options("legend", opts, OPTIONS, level, "keyword")
  if opts.loc ~= nil then
    local known = { "best" }
    for i, l in ipairs(LOCS) do known[i + 1] = l end
    errors.check_choice("legend", "loc", opts.loc, known, level)
  end
  return opts
end

-- Legend box position (pixels) for a location name inside the axes box.
local function legend_pos(box, loc, w, h, pad)
  local x0, y0, x1, y1 = box[1] + pad, box[2] + pad, box[3] - pad - w, box[4] - pad - h
  local cx, cy = (box[1] + box[3] - w) / 2, (box[2] + box[4] - h) / 2
  local t = {
    ["upper right"] = { x1, y0 }, ["upper left"] = { x0, y0 }, ["lower left"] = { x0, y1 },
    ["lower right"] = { x1, y1 }, right = { x1, cy }, ["center left"] = { x0, cy },
    ["center right"] = { x1, cy }, ["lower center"] = { cx, y1 }, ["upper center"] = { cx, y0 },
    center = { cx, cy },
  }
  local p = t[loc] or t["upper right"]
  return p[1], p[2]
end

local function segments_cross_box(xa, ya, xb, yb, bx0, by0, bx1, by1)
  -- Liang-Barsky clip test
  local t0, t1 = 0, 1
  local dx, dy = xb - xa, yb - ya
  local p = { -dx, dx, -dy, dy }
  local q = { xa - bx0, bx1 - xa, ya - by0, by1 - ya }
  for i = 1, 4 do
    if p[i] == 0 then
      if q[i] < 0 then return false end
    else
      local t = q[i] / p[i]
      if p[i] < 0 then t0 = max(t0, t) else t1 = min(t1, t) end
      if t0 > t1 then return false end
    end
  end
  return true
end

-- How many of the paths' vertices and segments and of the rectangles a box covers.
local function covered(paths, rects, bx0, by0, bx1, by1)
  local bad = 0
  for _, p in ipairs(paths) do
    for i, v in ipairs(p) do
      if v[1] >= bx0 and v[1] <= bx1 and v[2] >= by0 and v[2] <= by1 then bad = bad + 1 end
      local nx = p[i + 1]
      if nx and segments_cross_box(v[1], v[2], nx[1], nx[2], bx0, by0, bx1, by1) then bad = bad + 1 end
    end
  end
  for _, r in ipairs(rects) do
    if r[1] < bx1 and r[3] > bx0 and r[2] < by1 and r[4] > by0 then bad = bad + 1 end
  end
  return bad
end

-- matplotlib's "best": the candidate covering the fewest data vertices, line segments and bars.
local function best_location(ax, w, h, pad)
  local best, bestbad
  local paths, rects = {}, {}
  for _, a in ipairs(ax.artists) do
    local k = artists.kind(a.kind)
    if k and k.obstacles then k.obstacles(a, ax, paths, rects) end
  end
  for _, loc in ipairs(LOCS) do
    local lx, ly = legend_pos(ax.box, loc, w, h, pad)
    local bad = covered(paths, rects, lx, ly, lx + w, ly + h)
    if not bestbad or bad < bestbad then best, bestbad = loc, bad end
    if bad == 0 then break end
  end
  return best
end

-- The box's size: entries' rows, the widest label, the title.
local function measure(entries, opts, fs, sz)
  local rowh, textw = 0, 0
  for _, e in ipairs(entries) do
    local w, a, d = text_size(tostring(e.label), fs)
    textw = max(textw, w)
    rowh = max(rowh, a + d)
  end
  local title_h = 0
  if opts.title then
    local _, a, d = text_size(opts.title, fs)
    title_h = a + d + sz.ls
    textw = max(textw, (text_size(opts.title, fs)) - sz.hl - sz.htp)
  end
  local w = sz.bp * 2 + sz.hl + sz.htp + textw
  local h = sz.bp * 2 + #entries * rowh + (#entries - 1) * sz.ls + title_h
  return w, h, rowh, title_h
end

local function draw_frame(cv, fig, opts, lx, ly, w, h, fs)
  local rr = 0.2 * fs
  local face = opts.face or { 1, 1, 1 }   -- the axes' background (rcParams legend.facecolor "inherit")
  cv:fill_polygon(paint.rounded_rect(lx, ly, w, h, rr), { face[1], face[2], face[3], opts.framealpha or 0.8 })
  local pts = paint.rounded_rect(lx, ly, w, h, rr)
  pts[#pts + 1] = pts[1]; pts[#pts + 1] = pts[2]
  cv:stroke(pts, { 0.8, 0.8, 0.8, 1 }, pt(fig, 1.0))
end

--- draw(ax, cv): the axes' legend on the figure canvas (after layout); sets ax.legend_box
-- {x0, y0, x1, y1, loc = where it went}
function M.draw(ax, cv)
  local entries = legend_entries(ax)
  if #entries == 0 then return end
  local fig = ax.fig
  local opts = ax.legend_opts
  local fs = pt(fig, opts.fontsize or 10)
  local sz = { bp = 0.4 * fs, ls = 0.5 * fs, hl = 2.0 * fs, htp = 0.8 * fs, bap = 0.5 * fs }
  local w, h, rowh, title_h = measure(entries, opts, fs, sz)
  local loc = opts.loc or "best"
  if loc == "best" then loc = best_location(ax, w, h, sz.bap) end
  local lx, ly = legend_pos(ax.box, loc, w, h, sz.bap)
  if opts.frameon ~= false then draw_frame(cv, fig, opts, lx, ly, w, h, fs) end
  local y = ly + sz.bp
  if opts.title then
    draw_text(cv, opts.title, lx + w / 2, y, fs, opts.text_color or { 0, 0, 0 }, "center", "top")
    y = y + title_h
  end
  local ctx = { ax = ax, fig = fig, cv = cv, ox = 0, oy = 0 }
  for _, e in ipairs(entries) do
    local cy = y + rowh / 2
    local hx = lx + sz.bp
    artists.kind(e.kind).legend(e, ctx, hx, cy, sz.hl, fs)
    draw_text(cv, tostring(e.label), hx + sz.hl + sz.htp, cy, fs, opts.text_color or { 0, 0, 0 }, "left", "center")
    y = y + rowh + sz.ls
  end
  ax.legend_box = { lx, ly, lx + w, ly + h, loc = loc }
end

return M
