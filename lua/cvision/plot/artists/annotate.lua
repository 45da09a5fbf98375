-- cvision.plot.artists.annotate: ax:annotate, a text with an optional arrow to a point
-- (matplotlib's Annotation). Promises matplotlib's placement and arrows: xy and xytext in "data",
-- "axes fraction" or "figure fraction" coordinates (xytext also in "offset points" or "offset
-- pixels" from xy); the arrow runs from the text box's centre (arrowstyle given) or the box's
-- nearest corner or edge middle (no arrowstyle) towards xy, starts where it leaves the box padded
-- by 2 points, and is shrunk by shrinkA / shrinkB points (2 each) or by the fraction `shrink` of
-- its length; arrowstyle "-", "->", "<-", "<->", "-|>", "<|-", "<|-|>" with heads sized by the
-- font size, or, without arrowstyle, matplotlib's "simple" filled arrow (width 4, headwidth and
-- headlength 12 points, face "C0" and edge black unless coloured). Drawn with the texts, after
-- every artist and outside the box too; not at all when xy (in data) is outside the axes, unless
-- annotation_clip = false.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local artists = require "cvision.plot.artists"
local text = require "cvision.plot.artists.text"
local errors = require "cvision.util.errors"

local M = { name = "annotation", collection = "texts", methods = {} }

local min, max, sqrt = math.min, math.max, math.sqrt
local to_rgba, pt = colors.to_rgba, paint.pt

--- describe(a) --> "Annotation(x, y, 'text')", as matplotlib prints it
function M.describe(a)
  return "Annotation(" .. text.repr(a.xy[1], a.xy[2], a.s) .. ")"
end

local COORDS = { "data", "axes fraction", "figure fraction" }
local TEXTCOORDS = { "data", "axes fraction", "figure fraction", "offset points", "offset pixels" }
local STYLES = { ["-"] = { false, false }, ["->"] = { false, "open" }, ["<-"] = { "open", false },
  ["<->"] = { "open", "open" }, ["-|>"] = { false, "filled" }, ["<|-"] = { "filled", false },
  ["<|-|>"] = { "filled", "filled" } }
local STYLE_NAMES = { "-", "->", "<-", "<->", "-|>", "<|-", "<|-|>" }

local OPTIONS = { xytext = true, xycoords = true, textcoords = true, arrowprops = true, annotation_clip = true }
for k, v in pairs(text.OPTIONS) do if k ~= "transform" then OPTIONS[k] = v end end
local ARROWPROPS = { arrowstyle = true, color = true, facecolor = true, fc = "facecolor", edgecolor = true,
  ec = "edgecolor", linewidth = true, lw = "linewidth", linestyle = true, ls = "linestyle", alpha = true,
  shrink = true, width = true, headwidth = true, headlength = true, shrinkA = true, shrinkB = true,
  mutation_scale = true }
-- options of only one of the two kinds of arrow
local SIMPLE_ONLY = { "shrink", "width", "headwidth", "headlength" }
local STYLED_ONLY = { "shrinkA", "shrinkB" }

local function point(v, what)
  if type(v) ~= "table" or type(v[1]) ~= "number" or type(v[2]) ~= "number" then
    error(("annotate: %s must be {x, y}"):format(what), 3)
  end
  return { v[1], v[2] }
end

-- arrowprops checked, aliases resolved; --> a table, or nil for no arrow.
local function arrow_props(ap)
  if ap == nil then return nil end
  ap = errors.check_options("annotate (arrowprops)", ap, ARROWPROPS, 4, "keyword")
  local o = {}
  for k, v in pairs(ap) do o[type(ARROWPROPS[k]) == "string" and ARROWPROPS[k] or k] = v end
  if o.arrowstyle ~= nil then
    errors.check_choice("annotate", "arrowstyle", o.arrowstyle, STYLE_NAMES, 4)
    for _, k in ipairs(SIMPLE_ONLY) do
      if o[k] ~= nil then
        error(("annotate: arrowprops %s needs no arrowstyle (it sizes the simple arrow)"):format(k), 3)
      end
    end
  else
    for _, k in ipairs(STYLED_ONLY) do
      if o[k] ~= nil then error(("annotate: arrowprops %s needs an arrowstyle"):format(k), 3) end
    end
  end
  for _, k in ipairs({ "color", "facecolor", "edgecolor" }) do colors.check("annotate", o[k], 3) end
  if o.linestyle ~= nil then
    errors.check_choice("annotate", "linestyle", o.linestyle, require("cvision.plot.artists.line").LINESTYLES, 4)
  end
  for _, k in ipairs({ "linewidth", "shrink", "width", "headwidth", "headlength", "shrinkA", "shrinkB",
    "mutation_scale", "alpha" }) do
    if o[k] ~= nil and (type(o[k]) ~= "number" or o[k] < 0) then
      error(("annotate: arrowprops %s must be a non-negative number"):format(k), 3)
    end
  end
  -- matplotlib's patch defaults for a FancyArrowPatch (face "C0", edge black), resolved now
  o.face = o.facecolor or o.color or colors.to_rgba("C0")
  o.edge = o.edgecolor or o.color or "black"
  return o
end

--- ax:annotate(text, xy, {xytext = xy, xycoords = "data" | "axes fraction" | "figure fraction",
-- textcoords = xycoords | "offset points" | "offset pixels", arrowprops = {arrowstyle, color,
-- facecolor (fc), edgecolor (ec), linewidth (lw), linestyle (ls), alpha, shrinkA = 2, shrinkB = 2,
-- mutation_scale = fontsize; without arrowstyle: width = 4, headwidth = 12, headlength = 12,
-- shrink = 0}, annotation_clip, fontsize (size) = 10, color (c), ha = "left", va = "baseline",
-- rotation, clip_on = false}) --> the Annotation record
function M.methods.annotate(self, s, xy, opts)
  local st = text.style("annotate", opts, OPTIONS)
  opts = opts or {}
  xy = point(xy, "xy")
  local xycoords = errors.check_choice("annotate", "xycoords", opts.xycoords or "data", COORDS)
  local textcoords = errors.check_choice("annotate", "textcoords", opts.textcoords or xycoords, TEXTCOORDS)
  local xytext = opts.xytext
  if xytext == nil then
    xytext = textcoords:match("^offset") and { 0, 0 } or xy
  end
  xytext = point(xytext, "xytext")
  local ap = arrow_props(opts.arrowprops)
  return artists.add(self, { kind = "annotation", s = tostring(s), xy = xy, xycoords = xycoords,
    xytext = xytext, textcoords = textcoords, arrow = ap, annotation_clip = opts.annotation_clip,
    size = st.size, color = st.color, ha = st.ha, va = st.va, rotation = st.rotation, clip_on = st.clip_on })
end

-- A point in figure pixels (y down) from coordinates of the kind named.
local function to_pixels(ax, coords, p)
  if coords == "data" then return ax:transform(p[1], p[2]) end
  if coords == "axes fraction" then
    local b = ax.box
    return b[1] + p[1] * (b[3] - b[1]), b[4] - p[2] * (b[4] - b[2])
  end
  return p[1] * ax.fig.width, (1 - p[2]) * ax.fig.height
end

--- text_box(a, ax) --> x, y, x0, y0, x1, y1: the text's anchor and its box in figure pixels (the
-- box of the unrotated text, as matplotlib's arrow placement)
function M.text_box(a, ax)
  local fig = ax.fig
  local tx, ty
  if a.textcoords == "offset points" or a.textcoords == "offset pixels" then
    local k = a.textcoords == "offset points" and fig.dpi / 72 or 1
    local px, py = to_pixels(ax, a.xycoords, a.xy)
    tx, ty = px + a.xytext[1] * k, py - a.xytext[2] * k
  else
    tx, ty = to_pixels(ax, a.textcoords, a.xytext)
  end
  if a.s == "" then return tx, ty, tx, ty, tx, ty end   -- matplotlib: an empty text's box is its anchor
  local w, asc, desc = paint.text_size(a.s, pt(fig, a.size))
  local x0 = a.ha == "left" and tx or a.ha == "right" and tx - w or tx - w / 2
  local top
  if a.va == "top" then top = ty
  elseif a.va == "bottom" then top = ty - asc - desc
  elseif a.va == "center" then top = ty - (asc + desc) / 2
  else top = ty - asc end
  return tx, ty, x0, top, x0 + w, top + asc + desc
end

-- Where the segment from (x0, y0), inside the box, to (x1, y1) leaves the box (bx0..bx1,
-- by0..by1): the fraction of the way; nil when (x1, y1) is inside too.
local function leave_box(x0, y0, x1, y1, bx0, by0, bx1, by1)
  local t = math.huge
  local dx, dy = x1 - x0, y1 - y0
  if dx > 0 then t = min(t, (bx1 - x0) / dx) elseif dx < 0 then t = min(t, (bx0 - x0) / dx) end
  if dy > 0 then t = min(t, (by1 - y0) / dy) elseif dy < 0 then t = min(t, (by0 - y0) / dy) end
  if t >= 1 then return nil end
  return max(0, t)
end

--- arrow_path(a, ax) --> x0, y0, x1, y1: the arrow's start and end in figure pixels after the
-- box clipping and shrinking (nil when nothing is left to draw)
function M.arrow_path(a, ax)
  local ap = a.arrow
  local fig = ax.fig
  local ex, ey = to_pixels(ax, a.xycoords, a.xy)
  local _, _, bx0, by0, bx1, by1 = M.text_box(a, ax)
  local sx, sy, shrink_a, shrink_b
  if ap.arrowstyle then
    sx, sy = (bx0 + bx1) / 2, (by0 + by1) / 2
    shrink_a, shrink_b = pt(fig, ap.shrinkA or 2), pt(fig, ap.shrinkB or 2)
  else
    -- YAArrow: the corner or edge middle of the box nearest the point
    local function nearest(v, lo, hi)
      local best
      for _, c in ipairs({ lo, (lo + hi) / 2, hi }) do
        if not best or math.abs(c - v) < math.abs(best - v) then best = c end
      end
      return best
    end
    sx, sy = nearest(ex, bx0, bx1), nearest(ey, by0, by1)
    local r = sqrt((ex - sx) ^ 2 + (ey - sy) ^ 2)
    shrink_a = (ap.shrink or 0) * r
    shrink_b = shrink_a
  end
  if a.s ~= "" then
    local pad = pt(fig, 4) / 2
    local t = leave_box(sx, sy, ex, ey, bx0 - pad, by0 - pad, bx1 + pad, by1 + pad)
    if t then sx, sy = sx + t * (ex - sx), sy + t * (ey - sy) end
  end
  local len = sqrt((ex - sx) ^ 2 + (ey - sy) ^ 2)
  if len <= shrink_a + shrink_b or len == 0 then return nil end
  local ux, uy = (ex - sx) / len, (ey - sy) / len
  return sx + ux * shrink_a, sy + uy * shrink_a, ex - ux * shrink_b, ey - uy * shrink_b
end

-- The head of a "->"-like style at (x1, y1) coming from (x0, y0) (matplotlib's _get_arrow_wedge):
-- the barbs' points and the tip, moved back so that the stroke's outer edge touches the end.
local function head(x0, y0, x1, y1, len, wid, lw)
  local dist = sqrt(len * len + wid * wid)
  local ct, st = len / dist, wid / dist
  local dx, dy = x0 - x1, y0 - y1
  local d = sqrt(dx * dx + dy * dy)
  if d == 0 then d = 1 end
  dx, dy = dx / d, dy / d
  local pad = 0.5 * lw / st
  local tx, ty = x1 + pad * dx, y1 + pad * dy
  dx, dy = dx * dist, dy * dist
  return { tx + ct * dx + st * dy, ty - st * dx + ct * dy, tx, ty, tx + ct * dx - st * dy, ty + st * dx + ct * dy },
    tx, ty
end

-- The arrow's face and edge colours (color sets both; see arrow_props).
local function arrow_colours(ap)
  return to_rgba(ap.face, ap.alpha), to_rgba(ap.edge, ap.alpha)
end

local function draw_styled(cv, fig, ap, size, x0, y0, x1, y1)
  local face, edge = arrow_colours(ap)
  local lw = pt(fig, ap.linewidth or 1)
  local ms = pt(fig, ap.mutation_scale or size)
  local heads = STYLES[ap.arrowstyle]
  local hl, hw = 0.4 * ms, 0.2 * ms
  local shaft = { x0, y0, x1, y1 }
  local drawn = {}
  for k, kind in ipairs(heads) do
    if kind then
      local bx, by, tx, ty = x0, y0, x1, y1
      if k == 1 then bx, by, tx, ty = x1, y1, x0, y0 end
      local barbs, hx, hy = head(bx, by, tx, ty, hl, hw, lw)
      if k == 1 then shaft[1], shaft[2] = hx, hy else shaft[3], shaft[4] = hx, hy end
      drawn[#drawn + 1] = { kind, barbs }
    end
  end
  cv:stroke(shaft, edge, lw, paint.dash_pattern(fig, ap.linestyle or "-", ap.linewidth or 1), "round")
  for _, h in ipairs(drawn) do
    local barbs = h[2]
    if h[1] == "filled" then
      cv:fill_polygon(barbs, face)
      cv:stroke({ barbs[1], barbs[2], barbs[3], barbs[4], barbs[5], barbs[6], barbs[1], barbs[2] }, edge, lw)
    else
      cv:stroke(barbs, edge, lw, nil, "round")
    end
  end
end

-- matplotlib's "simple" arrow: a shaft of `width` and a head `headwidth` wide, `headlength` long.
local function draw_simple(cv, fig, ap, x0, y0, x1, y1)
  local face, edge = arrow_colours(ap)
  local w, hw, hl = pt(fig, ap.width or 4) / 2, pt(fig, ap.headwidth or 12) / 2, pt(fig, ap.headlength or 12)
  local len = sqrt((x1 - x0) ^ 2 + (y1 - y0) ^ 2)
  local ux, uy = (x1 - x0) / len, (y1 - y0) / len
  local nx, ny = -uy, ux
  local bx, by = x1 - hl * ux, y1 - hl * uy
  local poly
  if len > hl then
    poly = { x0 + nx * w, y0 + ny * w, bx + nx * w, by + ny * w, bx + nx * hw, by + ny * hw, x1, y1,
      bx - nx * hw, by - ny * hw, bx - nx * w, by - ny * w, x0 - nx * w, y0 - ny * w }
  else
    poly = { bx + nx * hw, by + ny * hw, x1, y1, bx - nx * hw, by - ny * hw }
  end
  cv:fill_polygon(poly, face)
  local lw = ap.linewidth or 1
  if lw > 0 then
    local closed = { table.unpack(poly) }
    closed[#closed + 1], closed[#closed + 2] = poly[1], poly[2]
    cv:stroke(closed, edge, pt(fig, lw), paint.dash_pattern(fig, ap.linestyle or "-", lw))
  end
end

--- draw(a, ctx): the arrow, then the text (as matplotlib: the text covers the arrow's start),
-- nothing when xy is in data outside the axes (annotation_clip)
function M.draw(a, ctx)
  local ax, fig, cv = ctx.ax, ctx.fig, ctx.cv
  local clip = a.annotation_clip
  if clip == nil then clip = a.xycoords == "data" end
  if clip then
    local px, py = to_pixels(ax, a.xycoords, a.xy)
    local b = ax.box
    if px < b[1] - 0.5 or px > b[3] + 0.5 or py < b[2] - 0.5 or py > b[4] + 0.5 then return end
  end
  if a.arrow then
    local x0, y0, x1, y1 = M.arrow_path(a, ax)
    if x0 then
      x0, y0, x1, y1 = x0 - ctx.ox, y0 - ctx.oy, x1 - ctx.ox, y1 - ctx.oy
      if a.arrow.arrowstyle then draw_styled(cv, fig, a.arrow, a.size, x0, y0, x1, y1)
      else draw_simple(cv, fig, a.arrow, x0, y0, x1, y1) end
    end
  end
  local tx, ty = M.text_box(a, ax)
  paint.draw_text(cv, a.s, tx - ctx.ox, ty - ctx.oy, pt(fig, a.size), to_rgba(a.color), a.ha, a.va, a.rotation)
end

return M
