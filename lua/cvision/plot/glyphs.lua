-- cvision.plot.glyphs: text for the vector canvases (PDF, SVG) as the raster lays it out: the same
-- glyphs of the same faces at the same pen positions (kerning included), the anchor and rotation
-- of canvas:text, and each glyph's outline (from the font file, through stb_truetype) as a path,
-- cached per face and glyph. Promises: a vector figure's text has the raster's shapes whatever
-- fonts the viewer has (Chinese included), as matplotlib's svg.fonttype = "path" and
-- pdf.fonttype = 3 give.
local core = require "cvision.core"

local M = {}

local fmt = string.format

local function num(v)
  local s = fmt("%.2f", v):gsub("0+$", ""):gsub("%.$", "")
  if s == "-0" then s = "0" end
  return s
end
M.num = num

local cache = {}

--- outline(face, glyph) --> segments, advance: the glyph's outline (the flat list of
-- core.plot_glyph_outline: 1 x y move, 2 x y line, 3 cx cy x y quadratic, 4 cx cy cx1 cy1 x y
-- cubic; 1/1000 em, y up) and its advance in 1/1000 em, cached
function M.outline(face, glyph)
  local key = face * 65536 + glyph
  local c = cache[key]
  if not c then
    local segs, adv = core.plot_glyph_outline(face, glyph)
    c = { segs, adv }
    cache[key] = c
  end
  return c[1], c[2]
end

--- reset() forgets the cached outlines (after cv.plot.font changes the faces)
function M.reset() cache = {} end

-- Walks an outline, calling move(x, y), line(x, y), cubic(c1x, c1y, c2x, c2y, x, y) and close();
-- quadratic pieces become cubics (PDF has none). Also returns the bounding box of the points.
local function walk(segs, move, line, cubic, close)
  local i, n, open = 1, #segs, false
  local cx, cy = 0, 0
  local x0, y0, x1, y1 = math.huge, math.huge, -math.huge, -math.huge
  local function box(x, y)
    if x < x0 then x0 = x end
    if y < y0 then y0 = y end
    if x > x1 then x1 = x end
    if y > y1 then y1 = y end
  end
  while i <= n do
    local k = segs[i]
    if k == 1 then
      if open then close() end
      cx, cy = segs[i + 1], segs[i + 2]
      move(cx, cy); box(cx, cy); open = true; i = i + 3
    elseif k == 2 then
      cx, cy = segs[i + 1], segs[i + 2]
      line(cx, cy); box(cx, cy); i = i + 3
    elseif k == 3 then
      local qx, qy, x, y = segs[i + 1], segs[i + 2], segs[i + 3], segs[i + 4]
      cubic(cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy), x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y)
      box(qx, qy); box(x, y)
      cx, cy = x, y; i = i + 5
    else
      local ax, ay, bx, by, x, y = table.unpack(segs, i + 1, i + 6)
      cubic(ax, ay, bx, by, x, y)
      box(ax, ay); box(bx, by); box(x, y)
      cx, cy = x, y; i = i + 7
    end
  end
  if open then close() end
  if x0 > x1 then return 0, 0, 0, 0 end
  return x0, y0, x1, y1
end

--- pdf_path(face, glyph) --> the outline as PDF path operators (m, l, c, h) in glyph space, and
-- its bounding box x0, y0, x1, y1
function M.pdf_path(face, glyph)
  local out = {}
  local segs = M.outline(face, glyph)
  local x0, y0, x1, y1 = walk(segs,
    function(x, y) out[#out + 1] = num(x) .. " " .. num(y) .. " m" end,
    function(x, y) out[#out + 1] = num(x) .. " " .. num(y) .. " l" end,
    function(a, b, c, d, x, y)
      out[#out + 1] = table.concat({ num(a), num(b), num(c), num(d), num(x), num(y), "c" }, " ")
    end,
    function() out[#out + 1] = "h" end)
  return table.concat(out, "\n"), x0, y0, x1, y1
end

--- svg_path(face, glyph) --> the outline as SVG path data in glyph space (y up, 1/1000 em)
function M.svg_path(face, glyph)
  local out = {}
  walk(M.outline(face, glyph),
    function(x, y) out[#out + 1] = "M" .. num(x) .. " " .. num(y) end,
    function(x, y) out[#out + 1] = "L" .. num(x) .. " " .. num(y) end,
    function(a, b, c, d, x, y)
      out[#out + 1] = "C" .. table.concat({ num(a), num(b), num(c), num(d), num(x), num(y) }, " ")
    end,
    function() out[#out + 1] = "Z" end)
  return table.concat(out, " ")
end

--- place(s, x, y, px [, ha = "left" [, va = "baseline" [, rot = 0]]]) --> glyphs, bx, by, ux, uy:
-- the glyphs of one line of text anchored at (x, y) as canvas:text anchors it (core.plot_text_glyphs'
-- records {face, glyph, cp, x, advance}), the baseline's start (bx, by) in canvas pixels (y down)
-- and the unit vector (ux, uy) along the baseline (rot degrees counter-clockwise on screen)
function M.place(s, x, y, px, ha, va, rot)
  local w, asc, desc = core.plot_text_size(s, px)
  local ax = ha == "center" and w / 2 or ha == "right" and w or 0
  local ay = va == "top" and -asc or va == "center" and (desc - asc) / 2 or va == "bottom" and desc or 0
  local t = math.rad(rot or 0)
  local c, sn = math.cos(t), math.sin(t)
  -- the anchor in text coordinates (y down) is (ax, ay); the baseline start is at (0, 0)
  local dx, dy = -ax, -ay
  local bx, by = x + dx * c + dy * sn, y - dx * sn + dy * c
  return core.plot_text_glyphs(s, px), bx, by, c, -sn
end

return M
