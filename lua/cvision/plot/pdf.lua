-- cvision.plot.pdf: a vector canvas with the raster Canvas' drawing methods (clear, fill_rect,
-- fill_polygon, circle, stroke, text, layer, blit, image), writing a one-page PDF (1.4) instead of
-- pixels, so that savefig("x.pdf") draws the figure from the same calls as its PNG. Promises:
-- lines, polygons and markers stay vectors; text is text (it can be searched and copied: each
-- glyph maps back to its character through a ToUnicode map) drawn in Type 3 fonts whose glyphs
-- are the outlines of the faces the raster uses (Chinese included; matplotlib's pdf.fonttype 3),
-- placed as the raster places them; an axes' content is clipped to its box; pixel data (images,
-- the colour bar's ramp) is embedded as Flate-compressed images at their own size. A shape with a
-- coordinate that is not finite is left out, as the raster leaves it (PDF has no NaN).
local core = require "cvision.core"
local glyphs = require "cvision.plot.glyphs"
local paint = require "cvision.plot.paint"
local values = require "cvision.plot.values"
local all_finite, list_finite = values.all_finite, values.list_finite

local M = {}

local Pdf = {}
Pdf.__index = Pdf
M.Pdf = Pdf

local fmt, num = string.format, glyphs.num

-- The document's shared resources: Type 3 fonts (256 codes each), images and alpha states.
local function new_doc()
  return { fonts = {}, codes = {}, images = {}, alphas = {}, nalpha = 0 }
end

--- new(width, height [, background [, dpi = 100]]) --> a PDF canvas of width x height pixels
-- (background {r, g, b, a}; none: transparent); dpi sets the page's size in points
function M.new(w, h, bg, dpi, doc)
  local self = setmetatable({ width = w, height = h, out = {}, dpi = dpi or 100, doc = doc or new_doc() }, Pdf)
  if bg and (bg[4] or 1) > 0 then self:clear(bg) end
  return self
end

--- pdf:size() --> width, height in pixels
function Pdf:size() return self.width, self.height end

local function put(self, s) self.out[#self.out + 1] = s end

-- "r g b" of a colour in 0..1, and the name of the graphics state of its alpha (nil when opaque)
local function rgb(c)
  return fmt("%s %s %s", num(c[1] or 0), num(c[2] or 0), num(c[3] or 0))
end

local function alpha_state(self, a)
  if a == nil or a >= 1 then return nil end
  local key = fmt("%.3f", math.max(0, a))
  local d = self.doc
  if not d.alphas[key] then
    d.nalpha = d.nalpha + 1
    d.alphas[key] = "GA" .. d.nalpha
  end
  return d.alphas[key]
end

-- Wraps ops in q ... Q with the fill (op "rg") or stroke ("RG") colour and its alpha.
local function painted(self, c, op, body)
  local gs = alpha_state(self, c[4])
  put(self, "q " .. (gs and ("/" .. gs .. " gs ") or "") .. rgb(c) .. " " .. op .. "\n" .. body .. "\nQ")
end

--- pdf:clear(colour) paints the whole canvas (what was drawn before is dropped)
function Pdf:clear(c)
  self.out = {}
  self:fill_rect(0, 0, self.width, self.height, c)
end

--- pdf:fill_rect(x, y, w, h, colour)
function Pdf:fill_rect(x, y, w, h, c)
  if not all_finite(x, y, w, h) then return end
  painted(self, c, "rg", fmt("%s %s %s %s re f", num(x), num(y), num(w), num(h)))
end

local function poly_path(p)
  local parts = {}
  for i = 1, #p - 1, 2 do parts[#parts + 1] = num(p[i]) .. " " .. num(p[i + 1]) .. (i == 1 and " m" or " l") end
  parts[#parts + 1] = "h"
  return table.concat(parts, "\n")
end

--- pdf:fill_polygon(points | {points, ...}, colour): one path, the union of its polygons (nonzero)
function Pdf:fill_polygon(polys, c)
  if type(polys[1]) ~= "table" then polys = { polys } end
  local d = {}
  for _, p in ipairs(polys) do if #p >= 6 and list_finite(p) then d[#d + 1] = poly_path(p) end end
  if #d == 0 then return end
  painted(self, c, "rg", table.concat(d, "\n") .. "\nf")
end

--- pdf:circle(x, y, r, colour): a filled disc (four cubic arcs)
function Pdf:circle(x, y, r, c)
  if not all_finite(x, y, r) or r <= 0 then return end
  local k = 0.5522847498 * r
  painted(self, c, "rg", table.concat({
    fmt("%s %s m", num(x + r), num(y)),
    fmt("%s %s %s %s %s %s c", num(x + r), num(y + k), num(x + k), num(y + r), num(x), num(y + r)),
    fmt("%s %s %s %s %s %s c", num(x - k), num(y + r), num(x - r), num(y + k), num(x - r), num(y)),
    fmt("%s %s %s %s %s %s c", num(x - r), num(y - k), num(x - k), num(y - r), num(x), num(y - r)),
    fmt("%s %s %s %s %s %s c", num(x + k), num(y - r), num(x + r), num(y - k), num(x + r), num(y)),
    "f" }, "\n"))
end

local CAPS = { butt = 0, round = 1, square = 2 }

--- pdf:stroke(points, colour, width [, dashes [, cap = "butt"]]): a polyline (points that are not
-- finite break it); a width of 0 draws nothing, as the raster (PDF would draw a hairline)
function Pdf:stroke(p, c, lw, dashes, cap)
  if (lw or 1) <= 0 then return end
  local parts, run = {}, 0
  for i = 1, #p - 1, 2 do
    local x, y = p[i], p[i + 1]
    if not all_finite(x, y) then
      run = 0
    else
      run = run + 1
      parts[#parts + 1] = num(x) .. " " .. num(y) .. (run == 1 and " m" or " l")
    end
  end
  if #parts == 0 then return end
  local d = "[]"
  if dashes and #dashes > 0 then
    local v = {}
    for i, x in ipairs(dashes) do v[i] = num(x) end
    d = "[" .. table.concat(v, " ") .. "]"
  end
  painted(self, c, "RG", fmt("%s w %d J 1 j %s 0 d\n%s\nS", num(lw or 1), CAPS[cap or "butt"] or 0, d,
    table.concat(parts, "\n")))
end

-- The font and code of a glyph: glyphs get codes 0..255 in Type 3 fonts in the order first drawn.
-- The missing glyph (0) gets a code per character, so that each maps back to its own character.
local function code_of(self, face, glyph, cp)
  local d = self.doc
  local key = glyph == 0 and ("%d:0:%d"):format(face, cp) or ("%d:%d"):format(face, glyph)
  local e = d.codes[key]
  if e then return e[1], e[2] end
  local f = d.fonts[#d.fonts]
  if not f or #f.glyphs == 256 then
    f = { name = "F" .. (#d.fonts + 1), glyphs = {} }
    d.fonts[#d.fonts + 1] = f
  end
  f.glyphs[#f.glyphs + 1] = { face = face, glyph = glyph, cp = cp }
  e = { f, #f.glyphs - 1 }
  d.codes[key] = e
  return e[1], e[2]
end

--- pdf:text(s, x, y, px, colour [, ha [, va [, rot]]]): one line of text anchored as the raster's
function Pdf:text(s, x, y, px, c, ha, va, rot)
  if not all_finite(x, y, px) or px <= 0 then return end
  local list, bx, by, ux, uy = glyphs.place(s, x, y, px, ha, va, rot)
  if #list == 0 then return end
  -- text space: 1 unit = px pixels along the baseline, glyphs y up (the page is y down)
  local tm = fmt("%s %s %s %s %s %s Tm", num(px * ux), num(px * uy), num(px * uy), num(-px * ux), num(bx), num(by))
  local ops, font, pen, tj = { "BT", tm }, nil, 0, {}
  local function flush()
    if #tj > 0 then ops[#ops + 1] = "[" .. table.concat(tj, " ") .. "] TJ" end
    tj = {}
  end
  for _, g in ipairs(list) do
    local f, code = code_of(self, g[1], g[2], g[3])
    if f ~= font then
      flush()
      ops[#ops + 1] = "/" .. f.name .. " 1 Tf"
      font = f
    end
    local target = g[4] / px
    local adj = (pen - target) * 1000
    if math.abs(adj) > 0.005 then tj[#tj + 1] = fmt("%.2f", adj) end
    tj[#tj + 1] = fmt("<%02X>", code)
    local _, adv = glyphs.outline(g[1], g[2])
    pen = target + adv / 1000
  end
  flush()
  ops[#ops + 1] = "ET"
  painted(self, c, "rg", table.concat(ops, "\n"))
end

--- pdf:layer(w, h [, background]) --> a new PDF canvas of the same document to draw on and blit
function Pdf:layer(w, h, bg) return M.new(w, h, bg, self.dpi, self.doc) end

-- An image XObject of a raster canvas drawn into (x, y, w, h).
local function embed(self, cv, x, y, w, h, interp)
  local cw, ch = cv:size()
  w, h = w or cw, h or ch
  local px = cv:rgba()
  local d = self.doc
  local im = { width = cw, height = ch, rgb = px:gsub("(...).", "%1"), interpolate = interp == "bilinear" }
  local a = px:gsub("...(.)", "%1")
  if a:find("[^\255]") then im.alpha = a end
  d.images[#d.images + 1] = im
  im.name = "Im" .. #d.images
  put(self, fmt("q %s 0 0 %s %s %s cm /%s Do Q", num(w), num(-h), num(x), num(y + h), im.name))
end

--- pdf:blit(src, x, y [, w, h [, interp]]): a PDF layer clipped to its box at (x, y), a raster
-- canvas as an embedded image
function Pdf:blit(src, x, y, w, h, interp)
  if getmetatable(src) ~= Pdf then return embed(self, src, x, y, w, h, interp) end
  put(self, fmt("q 1 0 0 1 %s %s cm 0 0 %s %s re W n", num(x), num(y), num(src.width), num(src.height)))
  for _, s in ipairs(src.out) do put(self, s) end
  put(self, "Q")
end

--- pdf:image(tensor, sample, x, y, w, h, cmap, vmin, vmax, interp): the tensor's pixels (through
-- the colour map for scalars, by the C raster at the image's own size) embedded, scaled into the box
function Pdf:image(t, sample, x, y, w, h, cmap, vmin, vmax, interp)
  embed(self, paint.tensor_canvas(t, sample, cmap, vmin, vmax), x, y, w, h,
    interp == "bilinear" and "bilinear" or "nearest")
end

---------------------------------------------------------------------------------------------------
-- the file
---------------------------------------------------------------------------------------------------
local function utf16(cp)
  if cp < 0x10000 then return fmt("%04X", cp) end
  cp = cp - 0x10000
  return fmt("%04X%04X", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF))
end

local function to_unicode(f)
  local out = { "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
    "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
    "1 begincodespacerange", "<00> <FF>", "endcodespacerange" }
  for i = 1, #f.glyphs, 100 do
    local last = math.min(#f.glyphs, i + 99)
    out[#out + 1] = (last - i + 1) .. " beginbfchar"
    for k = i, last do out[#out + 1] = fmt("<%02X> <%s>", k - 1, utf16(f.glyphs[k].cp)) end
    out[#out + 1] = "endbfchar"
  end
  for _, l in ipairs({ "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end" }) do
    out[#out + 1] = l
  end
  return table.concat(out, "\n")
end

--- pdf:tostring() --> the PDF document (one page of the canvas' size at its dpi)
function Pdf:tostring()
  local objs = {}
  local function obj(s) objs[#objs + 1] = s; return #objs end
  local function reserve() objs[#objs + 1] = false; return #objs end
  local function stream(dict, data, raw)
    if not raw then data = core.deflate(data) end
    return obj(fmt("<< %s/Length %d%s >>\nstream\n", dict, #data, raw and "" or " /Filter /FlateDecode")
      .. data .. "\nendstream")
  end
  local catalog, pages, page = reserve(), reserve(), reserve()
  local k = 72 / self.dpi
  local W, H = self.width * k, self.height * k
  local content = stream("", fmt("%s 0 0 %s 0 %s cm\n", num(k), num(-k), num(H)) .. table.concat(self.out, "\n"))
  -- fonts
  local fres = {}
  for _, f in ipairs(self.doc.fonts) do
    local procs, diffs, widths = {}, {}, {}
    local bx0, by0, bx1, by1 = 0, 0, 0, 0
    for i, g in ipairs(f.glyphs) do
      local path, x0, y0, x1, y1 = glyphs.pdf_path(g.face, g.glyph)
      local _, adv = glyphs.outline(g.face, g.glyph)
      local body = fmt("%s 0 %s %s %s %s d1", num(adv), num(x0), num(y0), num(x1), num(y1))
      if path ~= "" then body = body .. "\n" .. path .. "\nf" end
      procs[#procs + 1] = fmt("/g%d %d 0 R", i - 1, stream("", body))
      diffs[#diffs + 1] = "/g" .. (i - 1)
      widths[#widths + 1] = num(adv)
      bx0, by0 = math.min(bx0, x0), math.min(by0, y0)
      bx1, by1 = math.max(bx1, x1), math.max(by1, y1)
    end
    local tu = stream("", to_unicode(f))
    local fo = obj(fmt("<< /Type /Font /Subtype /Type3 /FontBBox [%s %s %s %s] /FontMatrix [0.001 0 0 0.001 0 0]\n" ..
      "/CharProcs << %s >>\n/Encoding << /Type /Encoding /Differences [0 %s] >>\n" ..
      "/FirstChar 0 /LastChar %d /Widths [%s]\n/ToUnicode %d 0 R /Resources << >> >>",
      num(bx0), num(by0), num(bx1), num(by1), table.concat(procs, " "), table.concat(diffs, " "),
      #f.glyphs - 1, table.concat(widths, " "), tu))
    fres[#fres + 1] = fmt("/%s %d 0 R", f.name, fo)
  end
  -- images
  local xres = {}
  for _, im in ipairs(self.doc.images) do
    local base = fmt("/Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent 8 ", im.width, im.height)
    local interp = im.interpolate and "/Interpolate true " or ""
    local smask = ""
    if im.alpha then
      smask = fmt("/SMask %d 0 R ", stream(base .. "/ColorSpace /DeviceGray " .. interp, im.alpha))
    end
    xres[#xres + 1] = fmt("/%s %d 0 R", im.name, stream(base .. "/ColorSpace /DeviceRGB " .. interp .. smask, im.rgb))
  end
  local gres = {}
  for a, name in pairs(self.doc.alphas) do gres[#gres + 1] = fmt("/%s << /ca %s /CA %s >>", name, a, a) end
  table.sort(gres)
  objs[catalog] = fmt("<< /Type /Catalog /Pages %d 0 R >>", pages)
  objs[pages] = fmt("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page)
  objs[page] = fmt("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R\n" ..
    "/Resources << /Font << %s >> /XObject << %s >> /ExtGState << %s >> >> >>",
    pages, num(W), num(H), content, table.concat(fres, " "), table.concat(xres, " "), table.concat(gres, " "))
  local info = obj("<< /Producer (cvision.plot) >>")
  local parts, offsets = { "%PDF-1.4\n%\226\227\207\211\n" }, {}
  local pos = #parts[1]
  for i, s in ipairs(objs) do
    offsets[i] = pos
    local o = fmt("%d 0 obj\n%s\nendobj\n", i, s)
    parts[#parts + 1] = o
    pos = pos + #o
  end
  local xref = { "xref", fmt("0 %d", #objs + 1), "0000000000 65535 f " }
  for i = 1, #objs do xref[#xref + 1] = fmt("%010d 00000 n ", offsets[i]) end
  parts[#parts + 1] = table.concat(xref, "\n") .. "\n"
  parts[#parts + 1] = fmt("trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n",
    #objs + 1, catalog, info, pos)
  return table.concat(parts)
end

return M
