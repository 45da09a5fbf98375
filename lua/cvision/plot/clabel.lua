-- cvision.plot.clabel: the labels of contour lines (matplotlib's clabel), placed when the figure
-- is drawn, in pixels. Promises matplotlib's choices: a line gets a label when it reaches further
-- than 1.2 label widths along x or y, the label sits where the line runs straightest over one
-- label width, turned along it (never upside down), in the line's colour by default, and inline
-- breaks the line under the label with inline_spacing pixels to spare on each side.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local ticks = require "cvision.plot.ticks"
local errors = require "cvision.util.errors"

local M = {}

local sqrt, abs, max, min, floor = math.sqrt, math.abs, math.max, math.min, math.floor
local pt, text_size = paint.pt, paint.text_size

local OPTIONS = { fontsize = true, inline = true, inline_spacing = true, fmt = true, colors = true,
  levels = true }

--- check(cs, levels, opts) --> the label spec {levels = set, fontsize, inline, spacing, fmt, colors}
-- (levels may be left out: check(cs, opts)); bad options raise errors naming clabel
function M.check(cs, lv, opts)
  if opts == nil and type(lv) == "table" and lv[1] == nil then lv, opts = nil, lv end
  opts = errors.check_options("clabel", opts, OPTIONS, 4, "keyword")
  lv = lv or opts.levels
  local which = {}
  if lv ~= nil then
    if type(lv) ~= "table" then error("clabel: levels must be a list of the contour set's levels", 3) end
    for _, v in ipairs(lv) do
      local found = false
      for i, L in ipairs(cs.levels) do if abs(L - v) <= 1e-12 * max(1, abs(L)) then which[i] = true; found = true end end
      if not found then error(("clabel: %s is not a level of the contour set"):format(tostring(v)), 3) end
    end
  else
    for i in ipairs(cs.levels) do which[i] = true end
  end
  local fmt = opts.fmt
  if fmt ~= nil and type(fmt) ~= "string" and type(fmt) ~= "function" then
    error("clabel: fmt must be a format string (\"%.1f\") or a function of the level", 3)
  end
  if type(fmt) == "string" and not pcall(string.format, fmt, 1.5) then
    error(("clabel: bad fmt '%s' (a format string as \"%%.1f\" expected)"):format(fmt), 3)
  end
  if opts.fontsize ~= nil and not (type(opts.fontsize) == "number" and opts.fontsize > 0) then
    error("clabel: fontsize must be a positive number", 3)
  end
  if opts.colors ~= nil then colors.check("clabel", opts.colors, 3) end
  return { levels = which, fontsize = opts.fontsize or 10, inline = opts.inline ~= false,
    spacing = opts.inline_spacing or 5, fmt = fmt, colors = opts.colors }
end

-- A level's text: fmt, or as the axis ticks read with the step between the levels.
local function label_text(cs, i, fmt)
  local v = cs.levels[i]
  if type(fmt) == "function" then return tostring(fmt(v)) end
  if type(fmt) == "string" then return string.format(fmt, v) end
  local step
  for k = 2, #cs.levels do
    local d = cs.levels[k] - cs.levels[k - 1]
    if not step or d < step then step = d end
  end
  return ticks.format_tick(v, step)
end

-- Cumulative arc length of a pixel polyline.
local function arc(l)
  local s = { 0 }
  for k = 3, #l, 2 do
    s[#s + 1] = s[#s] + sqrt((l[k] - l[k - 2]) ^ 2 + (l[k + 1] - l[k - 1]) ^ 2)
  end
  return s
end

-- The point at arc length t along l (s its arc lengths).
local function at(l, s, t)
  for k = 2, #s do
    if s[k] >= t then
      local f = s[k] > s[k - 1] and (t - s[k - 1]) / (s[k] - s[k - 1]) or 0
      local i = 2 * k - 3
      return l[i] + f * (l[i + 2] - l[i]), l[i + 1] + f * (l[i + 3] - l[i + 1])
    end
  end
  return l[#l - 1], l[#l]
end

-- The part of l between arc lengths t0 and t1.
local function piece(l, s, t0, t1)
  local out = {}
  local x, y = at(l, s, t0)
  out[1], out[2] = x, y
  for k = 1, #s do
    if s[k] > t0 and s[k] < t1 then out[#out + 1], out[#out + 2] = l[2 * k - 1], l[2 * k] end
  end
  x, y = at(l, s, t1)
  out[#out + 1], out[#out + 2] = x, y
  return out
end

-- The starts of the blocks of length w along l, straightest first (the least distance of their
-- points from the chord over the block; within half a pixel, the one nearer the line's middle).
local function candidates(l, s, w)
  local L = s[#s]
  local nb = max(1, floor(L / w))
  local list = {}
  for b = 0, nb - 1 do
    local t0 = b * (L - w) / max(1, nb - 1)
    local x0, y0 = at(l, s, t0)
    local x1, y1 = at(l, s, t0 + w)
    local dx, dy = x1 - x0, y1 - y0
    local len = max(1e-9, sqrt(dx * dx + dy * dy))
    local dev = 0
    for k = 1, #s do
      if s[k] >= t0 and s[k] <= t0 + w then
        dev = max(dev, abs((l[2 * k - 1] - x0) * dy - (l[2 * k] - y0) * dx) / len)
      end
    end
    list[#list + 1] = { t = t0, dev = floor(dev * 2), mid = abs(t0 + w / 2 - L / 2) }
  end
  table.sort(list, function(p, q) if p.dev ~= q.dev then return p.dev < q.dev end return p.mid < q.mid end)
  return list
end

-- Whether (x, y) is within 1.2 label widths of a label already placed (matplotlib's too_close).
local function too_close(placed, x, y, w)
  for _, t in ipairs(placed) do
    if (t.x - x) ^ 2 + (t.y - y) ^ 2 < (1.2 * w) ^ 2 then return true end
  end
  return false
end

--- place(cs, ctx, lines) --> the labels {s, x, y, rot, color} for the pixel polylines lines[i]
-- of each level; with inline, lines[i] lose the stretch under each label
function M.place(cs, ctx, lines)
  local spec, fig = cs.clabel, ctx.fig
  local px = pt(fig, spec.fontsize)
  local out = {}
  for i in ipairs(cs.levels) do
    if spec.levels[i] then
      local s = label_text(cs, i, spec.fmt)
      local w = text_size(s, px)
      local kept = {}
      for _, l in ipairs(lines[i]) do
        local x0, x1, y0, y1 = math.huge, -math.huge, math.huge, -math.huge
        for k = 1, #l, 2 do x0, x1, y0, y1 = min(x0, l[k]), max(x1, l[k]), min(y0, l[k + 1]), max(y1, l[k + 1]) end
        local a = #l >= 4 and arc(l)
        if a and (x1 - x0 > 1.2 * w or y1 - y0 > 1.2 * w) and a[#a] > w then
          local cand = candidates(l, a, w)
          local t0, xa, ya, xb, yb
          for c = 1, #cand + 1 do
            t0 = (cand[c] or cand[1]).t
            xa, ya = at(l, a, t0)
            xb, yb = at(l, a, t0 + w)
            if c > #cand or not too_close(out, (xa + xb) / 2, (ya + yb) / 2, w) then break end
          end
          local rot = math.deg(math.atan(-(yb - ya), xb - xa))
          if rot > 90 then rot = rot - 180 elseif rot <= -90 then rot = rot + 180 end
          out[#out + 1] = { s = s, x = (xa + xb) / 2, y = (ya + yb) / 2, rot = rot,
            color = colors.to_rgba(spec.colors and (type(spec.colors) == "table" and type(spec.colors[1]) ~= "number"
              and spec.colors[(i - 1) % #spec.colors + 1] or spec.colors) or cs.colors[i]) }
          if spec.inline then
            local g0, g1 = max(0, t0 - spec.spacing), min(a[#a], t0 + w + spec.spacing)
            local closed = l[1] == l[#l - 1] and l[2] == l[#l]
            if closed then
              local p = piece(l, a, g1, a[#a])
              local rest = piece(l, a, 0, g0)
              for k = 3, #rest do p[#p + 1] = rest[k] end
              kept[#kept + 1] = p
            else
              if g0 > 0 then kept[#kept + 1] = piece(l, a, 0, g0) end
              if g1 < a[#a] then kept[#kept + 1] = piece(l, a, g1, a[#a]) end
            end
          else
            kept[#kept + 1] = l
          end
        else
          kept[#kept + 1] = l
        end
      end
      lines[i] = kept
    end
  end
  return out
end

--- draw(cs, ctx, labels): the labels placed by place, centred on their spots
function M.draw(cs, ctx, labels)
  local px = pt(ctx.fig, cs.clabel and cs.clabel.fontsize or 10)
  for _, t in ipairs(labels) do
    paint.draw_text(ctx.cv, t.s, t.x, t.y, px, t.color, "center", "center", t.rot)
  end
end

return M
