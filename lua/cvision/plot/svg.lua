-- cvision.plot.svg: a vector canvas with the raster Canvas' drawing methods (clear, fill_rect,
-- fill_polygon, circle, stroke, text, blit, image), recording SVG elements instead of pixels, so
-- that savefig("x.svg") draws the figure from the same calls as its PNG. Promises: lines,
-- polygons, markers and text stay vectors (text as <text> in the figure's fonts, anchored as the
-- raster anchors it); an axes' content is a group clipped to its box; pixel data (images, the
-- colour bar's ramp) is embedded as PNG. Text is drawn as the outlines of the raster's glyphs
-- (matplotlib's svg.fonttype = "path": Chinese shows whatever fonts the viewer has), each glyph
-- defined once and used where it is placed, with the string itself as a transparent <text> on
-- top so that it can still be searched and selected.
local core = require "cvision.core"
local terminal = require "cvision.plot.terminal"
local glyphs = require "cvision.plot.glyphs"
local drawing = require "cvision.plot.paint"      -- (paint is this file's fill attribute)
local values = require "cvision.plot.values"
local all_finite, list_finite = values.all_finite, values.list_finite

local M = {}

local Svg = {}
Svg.__index = Svg
M.Svg = Svg

local fmt = string.format
local FONTS = "DejaVu Sans, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"

local num = glyphs.num

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

-- fill="rgb(...)" [fill-opacity] for a colour {r, g, b[, a]} in 0..1
local function paint(attr, c)
  local r, g, b, a = c[1] or 0, c[2] or 0, c[3] or 0, c[4] or 1
  local s = fmt('%s="rgb(%d,%d,%d)"', attr, math.floor(r * 255 + 0.5), math.floor(g * 255 + 0.5),
    math.floor(b * 255 + 0.5))
  if a < 1 then s = s .. fmt(' %s-opacity="%s"', attr, num(a)) end
  return s
end

local clip_id = 0

local documents = 0

--- new(width, height [, background [, dpi = 100]]) --> an SVG canvas (background {r, g, b, a};
-- none: transparent); dpi sets the document's size in points
function M.new(w, h, bg, dpi, doc)
  if not doc then
    documents = documents + 1      -- glyph ids unique across documents (two figures in one page)
    doc = { defs = {}, defined = {}, id = documents }
  end
  local self = setmetatable({ width = w, height = h, out = {}, dpi = dpi or 100, doc = doc }, Svg)
  if bg and (bg[4] or 1) > 0 then self:clear(bg) end
  return self
end

--- svg:size() --> width, height in pixels
function Svg:size() return self.width, self.height end

local function put(self, s) self.out[#self.out + 1] = s end

--- svg:clear(colour) paints the whole canvas
function Svg:clear(c)
  self.out = {}
  put(self, fmt('<rect x="0" y="0" width="%s" height="%s" %s/>', num(self.width), num(self.height), paint("fill", c)))
end

--- svg:fill_rect(x, y, w, h, colour)
function Svg:fill_rect(x, y, w, h, c)
  if not all_finite(x, y, w, h) then return end
  put(self, fmt('<rect x="%s" y="%s" width="%s" height="%s" %s/>', num(x), num(y), num(w), num(h), paint("fill", c)))
end

-- "M x y L ... Z" for one flat list of points
local function path_of(p)
  local parts = {}
  for i = 1, #p - 1, 2 do parts[#parts + 1] = (i == 1 and "M" or "L") .. num(p[i]) .. " " .. num(p[i + 1]) end
  return table.concat(parts, " ") .. " Z"
end

--- svg:fill_polygon(points | {points, ...}, colour): one path, the union of its polygons
function Svg:fill_polygon(polys, c)
  if type(polys[1]) ~= "table" then polys = { polys } end
  local d = {}
  for _, p in ipairs(polys) do
    if #p >= 6 and list_finite(p) then d[#d + 1] = path_of(p) end
  end
  if #d == 0 then return end
  put(self, fmt('<path d="%s" %s/>', table.concat(d, " "), paint("fill", c)))
end

--- svg:circle(x, y, r, colour): a filled disc
function Svg:circle(x, y, r, c)
  if not all_finite(x, y, r) or r <= 0 then return end
  put(self, fmt('<circle cx="%s" cy="%s" r="%s" %s/>', num(x), num(y), num(r), paint("fill", c)))
end

--- svg:stroke(points, colour, width [, dashes [, cap = "butt"]]): a polyline (NaN points break it)
function Svg:stroke(p, c, lw, dashes, cap)
  local runs, cur = {}, {}
  for i = 1, #p - 1, 2 do
    local x, y = p[i], p[i + 1]
    if not all_finite(x, y) then
      if #cur > 1 then runs[#runs + 1] = cur end
      cur = {}
    else
      cur[#cur + 1] = num(x) .. "," .. num(y)
    end
  end
  if #cur > 1 then runs[#runs + 1] = cur end
  local extra = ""
  if dashes and #dashes > 0 then
    local d = {}
    for i, v in ipairs(dashes) do d[i] = num(v) end
    extra = fmt(' stroke-dasharray="%s"', table.concat(d, " "))
  end
  for _, r in ipairs(runs) do
    put(self, fmt('<polyline points="%s" fill="none" %s stroke-width="%s" stroke-linejoin="round" stroke-linecap="%s"%s/>',
      table.concat(r, " "), paint("stroke", c), num(lw or 1), cap or "butt", extra))
  end
end

local ANCHOR = { left = "start", center = "middle", right = "end" }

--- svg:text(s, x, y, px, colour [, ha [, va [, rot]]]): one line of text anchored as the raster's
function Svg:text(s, x, y, px, c, ha, va, rot)
  if not all_finite(x, y, px) or px <= 0 then return end
  local list, bx, by, ux, uy = glyphs.place(s, x, y, px, ha, va, rot)
  local k, doc, uses = px / 1000, self.doc, {}
  for _, g in ipairs(list) do
    local id = ("g%d-%d-%d"):format(doc.id, g[1], g[2])
    if doc.defined[id] == nil then
      local d = glyphs.svg_path(g[1], g[2])
      doc.defined[id] = d ~= ""
      if d ~= "" then doc.defs[#doc.defs + 1] = fmt('<path id="%s" d="%s"/>', id, d) end
    end
    if doc.defined[id] then uses[#uses + 1] = fmt('<use xlink:href="#%s" x="%s"/>', id, num(g[4] / k)) end
  end
  if #uses > 0 then
    put(self, fmt('<g transform="matrix(%s %s %s %s %s %s)" %s>%s</g>', fmt("%.5f", k * ux), fmt("%.5f", k * uy),
      fmt("%.5f", k * uy), fmt("%.5f", -k * ux), num(bx), num(by), paint("fill", c), table.concat(uses)))
  end
  local _, asc, desc = core.plot_text_size(s, px)
  va = va or "baseline"
  local dy = va == "top" and asc or va == "center" and (asc - desc) / 2 or va == "bottom" and -desc or 0
  local tr = fmt("translate(%s %s)", num(x), num(y))
  if rot and rot ~= 0 then tr = tr .. fmt(" rotate(%s)", num(-rot)) end
  put(self, fmt('<text transform="%s" y="%s" font-family="%s" font-size="%s" text-anchor="%s" %s fill-opacity="0">%s</text>',
    tr, num(dy), FONTS, num(px), ANCHOR[ha or "left"] or "start", paint("fill", { 0, 0, 0 }), esc(s)))
end

-- An <image> of a raster canvas scaled into (x, y, w, h). Viewers smooth a scaled image whatever
-- they are asked, so a "nearest" one is embedded at its drawn size, its pixels already blocks.
local function embed(self, cv, x, y, w, h, interp)
  local cw, ch = cv:size()
  w, h = w or cw, h or ch
  if interp ~= "bilinear" and (w > cw or h > ch) then
    local big = core.canvas(math.max(1, math.ceil(w)), math.max(1, math.ceil(h)), { 1, 1, 1, 0 })
    big:blit(cv, 0, 0, w, h, "nearest")
    cv = big
  end
  put(self, fmt('<image x="%s" y="%s" width="%s" height="%s" preserveAspectRatio="none" xlink:href="data:image/png;base64,%s"/>',
    num(x), num(y), num(w), num(h), terminal.base64(cv:png())))
end

--- svg:layer(w, h [, background]) --> a new SVG canvas to draw on and blit (an axes' content)
function Svg:layer(w, h, bg) return M.new(w, h, bg, self.dpi, self.doc) end

--- svg:blit(src, x, y [, w, h [, interp]]): an SVG layer as a group clipped to its box at (x, y),
-- a raster canvas as an embedded image
function Svg:blit(src, x, y, w, h, interp)
  if getmetatable(src) ~= Svg then return embed(self, src, x, y, w, h, interp) end
  clip_id = clip_id + 1
  local id = "clip" .. clip_id
  put(self, fmt('<clipPath id="%s"><rect x="0" y="0" width="%s" height="%s"/></clipPath>', id,
    num(src.width), num(src.height)))
  put(self, fmt('<g transform="translate(%s %s)" clip-path="url(#%s)">', num(x), num(y), id))
  for _, s in ipairs(src.out) do put(self, s) end
  put(self, "</g>")
end

--- svg:image(tensor, sample, x, y, w, h, cmap, vmin, vmax, interp): the tensor's pixels (through
-- the colour map for scalars, by the C raster at the image's own size) embedded, scaled into the box
function Svg:image(t, sample, x, y, w, h, cmap, vmin, vmax, interp)
  embed(self, drawing.tensor_canvas(t, sample, cmap, vmin, vmax), x, y, w, h,
    interp == "bilinear" and "bilinear" or "nearest")
end

--- svg:tostring() --> the SVG document
function Svg:tostring()
  local head = fmt('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' ..
    'width="%spt" height="%spt" viewBox="0 0 %s %s" version="1.1">\n', num(self.width * 72 / self.dpi),
    num(self.height * 72 / self.dpi),
    num(self.width), num(self.height))
  local defs = #self.doc.defs > 0 and ("<defs>\n" .. table.concat(self.doc.defs, "\n") .. "\n</defs>\n") or ""
  return head .. defs .. table.concat(self.out, "\n") .. "\n</svg>\n"
end

return M
