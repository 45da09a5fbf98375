-- cvision.plot.artists.pie: ax:pie, wedges of a circle in proportion to values (matplotlib's pie:
-- Wedge patches and Text labels). Promises matplotlib's geometry: the first wedge starts at
-- startangle (degrees from +x) and they follow counter-clockwise (clockwise with counterclock =
-- false); explode moves a wedge out along its middle; labels at labeldistance * radius, left-
-- aligned right of the centre line and right-aligned left of it; autopct ("%1.1f%%" or a
-- function of the percentage) centred at pctdistance * radius; an equal aspect, limits of
-- +-1.25 about the centre and no frame or ticks (frame = true keeps them and autoscales). Each
-- wedge is a record of its own (its label is its legend entry); the texts are text records.
local colors = require "cvision.plot.colors"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local fill = require "cvision.plot.artists.fill"
local text = require "cvision.plot.artists.text"
local errors = require "cvision.util.errors"

local M = { name = "wedge", printed = "Wedge", methods = {} }

local cos, sin, rad, abs = math.cos, math.sin, math.rad, math.abs
local finite, tolist = values.finite, values.tolist

--- describe(a) --> "Wedge(center=(x, y), r=..., theta1=..., theta2=..., width=...)", as matplotlib
function M.describe(a)
  return ("Wedge(center=(%g, %g), r=%g, theta1=%g, theta2=%g, width=%s)"):format(a.center[1], a.center[2],
    a.r, a.theta1, a.theta2, a.width and ("%g"):format(a.width) or "None")
end

-- The points of an arc about (cx, cy) of radius r from angle a0 to a1 (degrees), a1 included.
local function arc(pts, cx, cy, r, a0, a1)
  local n = math.max(2, math.ceil(abs(a1 - a0)))   -- a degree a step: under 0.01 px off at r = 300 px
  for k = 0, n do
    local t = rad(a0 + (a1 - a0) * k / n)
    pts[#pts + 1] = cx + r * cos(t)
    pts[#pts + 1] = cy + r * sin(t)
  end
end

--- wedge_polygon(cx, cy, r, theta1, theta2 [, width]) --> {x1, y1, ...}: matplotlib's Wedge in
-- data units (a whole circle has no spoke; width makes a ring sector from r - width to r)
function M.wedge_polygon(cx, cy, r, t1, t2, width)
  local pts = {}
  local full = abs((t2 - t1) - 360) < 1e-9
  if full then t1, t2 = 0, 360 end
  arc(pts, cx, cy, r, t1, t2)
  if width and width < r then
    arc(pts, cx, cy, r - width, t2, t1)    -- back along the inner edge: one polygon, a hole inside
  elseif not full then
    pts[#pts + 1], pts[#pts + 2] = cx, cy
  end
  return pts
end

local OPTIONS = { labels = true, colors = true, autopct = true, startangle = true, counterclock = true,
  explode = true, radius = true, wedgeprops = true, pctdistance = true, labeldistance = true,
  textprops = true, normalize = true, center = true, frame = true }
local WEDGEPROPS = { facecolor = true, fc = "facecolor", color = true, edgecolor = true, ec = "edgecolor",
  linewidth = true, lw = "linewidth", linestyle = true, ls = "linestyle", alpha = true, width = true }
local TEXTPROPS = { fontsize = true, size = "fontsize", color = true, c = "color" }

-- A list option of one entry per wedge (labels, explode), or nil.
local function per_wedge(v, n, what)
  if v == nil then return nil end
  if type(v) == "userdata" then v = tolist(v, "pie") end
  if type(v) ~= "table" then error(("pie: %s must be a list, got %s"):format(what, type(v)), 3) end
  if #v ~= n then error(("pie: %s must have one entry per wedge (%d), got %d"):format(what, n, #v), 3) end
  return v
end

local function number(v, default, what, positive)
  if v == nil then return default end
  if type(v) ~= "number" or not finite(v) or (positive and v <= 0) then
    error(("pie: %s must be a %snumber"):format(what, positive and "positive " or ""), 3)
  end
  return v
end

-- The percentage text of a wedge: autopct % pct, or autopct(pct).
local function pct_text(autopct, pct)
  if type(autopct) == "function" then return tostring(autopct(pct)) end
  return autopct:format(pct)
end

--- ax:pie(x, {labels, colors, autopct, startangle = 0, counterclock = true, explode, radius = 1,
-- wedgeprops = {edgecolor, linewidth, linestyle, alpha, width, facecolor}, pctdistance = 0.6,
-- labeldistance = 1.1 (false: no labels), textprops = {fontsize, color}, normalize = true,
-- center = {0, 0}, frame = false}) --> wedges, texts [, autotexts] (lists of records, as matplotlib)
function M.methods.pie(self, x, opts)
  opts = errors.check_options("pie", opts, OPTIONS, 3, "keyword")
  local xs = tolist(x, "pie")
  local n, total = #xs, 0
  for _, v in ipairs(xs) do
    if not finite(v) or v < 0 then error("pie: wedge sizes x must be non-negative numbers", 2) end
    total = total + v
  end
  if opts.normalize ~= false then
    if total <= 0 then error("pie: x must have a positive sum", 2) end
    for i = 1, n do xs[i] = xs[i] / total end
  elseif total > 1 + 1e-12 then
    error("pie: cannot plot an unnormalized pie with sum(x) > 1 (normalize = false)", 2)
  end
  local labels = per_wedge(opts.labels, n, "labels")
  local explode = per_wedge(opts.explode, n, "explode")
  local cols = opts.colors
  if cols ~= nil then
    if type(cols) ~= "table" or #cols == 0 then error("pie: colors must be a list of colours", 2) end
    colors.check("pie", cols, 2)
  end
  local autopct = opts.autopct
  if autopct ~= nil then
    if type(autopct) == "string" then
      local ok, err = pcall(string.format, autopct, 50.0)
      if not ok then error("pie: bad autopct format '" .. autopct .. "' (" .. errors.clean(err) .. ")", 2) end
    elseif type(autopct) ~= "function" then
      error("pie: autopct must be a format string (\"%1.1f%%\") or a function", 2)
    end
  end
  local startangle = number(opts.startangle, 0, "startangle")
  local radius = number(opts.radius, 1, "radius", true)
  local pctdistance = number(opts.pctdistance, 0.6, "pctdistance")
  local labeldistance = opts.labeldistance ~= false and number(opts.labeldistance, 1.1, "labeldistance")
  if opts.counterclock ~= nil and type(opts.counterclock) ~= "boolean" then
    error("pie: counterclock must be a boolean", 2)
  end
  local center = opts.center or { 0, 0 }
  if type(center) ~= "table" or type(center[1]) ~= "number" or type(center[2]) ~= "number" then
    error("pie: center must be {x, y}", 2)
  end
  local wp = errors.check_options("pie (wedgeprops)", opts.wedgeprops, WEDGEPROPS, 3, "keyword")
  local wo = {}
  for k, v in pairs(wp) do wo[type(WEDGEPROPS[k]) == "string" and WEDGEPROPS[k] or k] = v end
  local wface, wedge, wlw, wls = fill.patch_style("pie", wo, 2)
  if wo.width ~= nil then number(wo.width, nil, "wedgeprops width", true) end
  local tst = text.style("pie (textprops)", opts.textprops, TEXTPROPS)

  local wedges, texts, autotexts = {}, {}, {}
  local theta1 = startangle / 360
  for i = 1, n do
    local frac = xs[i]
    local theta2 = opts.counterclock == false and theta1 - frac or theta1 + frac
    local thetam = math.pi * (theta1 + theta2)
    local cx, cy = center[1], center[2]
    if explode then cx, cy = cx + explode[i] * cos(thetam), cy + explode[i] * sin(thetam) end
    local t1, t2 = 360 * math.min(theta1, theta2), 360 * math.max(theta1, theta2)
    local face = wface
    if face == false then face = cols and cols[(i - 1) % #cols + 1] or colors.next_color(self) end
    local label = labels and tostring(labels[i]) or ""
    wedges[i] = artists.add(self, { kind = "wedge", center = { cx, cy }, r = radius, theta1 = t1, theta2 = t2,
      width = wo.width, poly = M.wedge_polygon(cx, cy, radius, t1, t2, wo.width), color = face,
      edgecolor = wedge, linewidth = wlw, linestyle = wls, alpha = wo.alpha, label = label })
    if labeldistance then
      local xt, yt = cx + labeldistance * radius * cos(thetam), cy + labeldistance * radius * sin(thetam)
      texts[#texts + 1] = self:text(xt, yt, label, { ha = xt > 0 and "left" or "right", va = "center",
        fontsize = tst.size, color = tst.color })
    end
    if autopct then
      local xt, yt = cx + pctdistance * radius * cos(thetam), cy + pctdistance * radius * sin(thetam)
      autotexts[#autotexts + 1] = self:text(xt, yt, pct_text(autopct, 100 * frac),
        { ha = "center", va = "center", fontsize = tst.size, color = tst.color })
    end
    theta1 = theta2
  end
  self:set_aspect("equal")
  if not opts.frame then
    self:axis("off")
    self:set_xlim(center[1] - 1.25, center[1] + 1.25)
    self:set_ylim(center[2] - 1.25, center[2] + 1.25)
  end
  if autopct then return wedges, texts, autotexts end
  return wedges, texts
end

--- limits(a, lim): the wedge's outline
function M.limits(a, lim)
  for k = 1, #a.poly, 2 do lim:x(a.poly[k]); lim:y(a.poly[k + 1]) end
end

-- The outline in pixels of a canvas at (ox, oy).
local function pixels(a, ax, ox, oy)
  local q = {}
  for k = 1, #a.poly, 2 do
    local px, py = ax:transform(a.poly[k], a.poly[k + 1])
    q[k], q[k + 1] = px - ox, py - oy
  end
  return q
end

--- draw(a, ctx): the wedge filled, then its edge when wedgeprops gave one
function M.draw(a, ctx) fill.fill_patch(a, ctx, { pixels(a, ctx.ax, ctx.ox, ctx.oy) }) end

M.legend = fill.legend_patch

--- obstacles(a, ax, paths): the wedge's outline in pixels
function M.obstacles(a, ax, paths)
  local q, p = pixels(a, ax, 0, 0), {}
  for k = 1, #q, 2 do p[#p + 1] = { q[k], q[k + 1] } end
  paths[#paths + 1] = p
end

return M
