-- spec/plot_pdf_spec.lua - savefig("x.pdf") writes a one-page vector PDF drawn from the same calls
-- as the PNG: a well-formed file (every cross-reference offset points at its object) of the
-- figure's size in points; lines as path operators at the PNG's pixel positions; text as text
-- (pdftotext gets the strings back, Chinese included) in Type 3 fonts of the raster's glyph
-- outlines; images embedded; rendered back by pdftoppm it matches the PNG. The glyph outlines
-- and the SVG's text as paths are checked here too (cvision.plot.glyphs).
local core = require "cvision.core"
local plt = require "cvision.plot"
local pdf = require "cvision.plot.pdf"
local glyphs = require "cvision.plot.glyphs"
local tmp = require "spec.helpers.tmpdir"

local read = require("spec.helpers.files").read
local shell = require "spec.helpers.shell"
local have, run = shell.have, shell.output

-- How far two RGB images of one size are apart, up to a shift of one pixel (a vector renderer
-- may put an edge on the neighbouring pixel): for each pixel of a, the smallest difference to
-- b's pixels around it (the largest channel's); --> the mean, and the share of pixels over 80.
local function compare(pa, pb)
  local a, b = core.image.load(pa, 3), core.image.load(pb, 3)
  local H, W = a.shape[1], a.shape[2]
  assert.same({ H, W }, { b.shape[1], b.shape[2] })
  local diff, far, n = 0, 0, 0
  for y = 1, H, 2 do
    for x = 1, W, 2 do
      local best = math.huge
      for yy = math.max(1, y - 1), math.min(H, y + 1) do
        for xx = math.max(1, x - 1), math.min(W, x + 1) do
          local e = 0
          for c = 1, 3 do e = math.max(e, math.abs(a:at(y, x, c) - b:at(yy, xx, c))) end
          if e < best then best = e end
        end
      end
      diff = diff + best
      if best > 80 then far = far + 1 end
      n = n + 1
    end
  end
  return diff / n, far / n
end

describe("savefig as PDF", function()
  local d
  before_each(function() plt.close("all"); d = tmp.dir() end)
  after_each(function() tmp.rmtree(d) end)

  local function figure()
    plt.figure { figsize = { 4, 3 }, dpi = 100 }
    plt.plot({ 0, 1, 2 }, { 0, 2, 1 }, { color = "red", lw = 3, label = "a line" })
    plt.plot({ 0, 1, 2 }, { 1, 0.5, 1.5 }, "b--o", { label = "dashed" })
    plt.scatter({ 0.5, 1.5 }, { 1, 1.5 }, { c = { 1, 2 }, s = 100, alpha = 0.6 })
    plt.colorbar()
    plt.title("vector 东炎 AVA")
    plt.ylabel("rotated y")
    plt.legend()
    return plt.gcf()
  end

  it("writes a well-formed PDF of the figure's size in points", function()
    figure()
    local s = read(plt.savefig(d .. "/f.pdf"))
    assert.equal("%PDF-1.4\n", s:sub(1, 9))
    assert.truthy(s:find("/MediaBox [0 0 288 216]", 1, true))
    assert.truthy(s:find("%%EOF\n$"))
    -- startxref points at the table, and each of its entries at "N 0 obj"
    local start = tonumber(s:match("startxref\n(%d+)\n%%%%EOF\n$"))
    assert.equal("xref", s:sub(start + 1, start + 4))
    local count = tonumber(s:match("^xref\n0 (%d+)\n", start + 1))
    assert.is_true(count > 10)
    local i = 0
    for off in s:sub(start + 1):gmatch("(%d%d%d%d%d%d%d%d%d%d) 00000 n ") do
      i = i + 1
      assert.equal(i .. " 0 obj\n", s:sub(tonumber(off) + 1, tonumber(off) + #tostring(i) + 7))
    end
    assert.equal(count - 1, i)
    assert.truthy(s:find("/Subtype /Type3", 1, true))
    assert.truthy(s:find("/ToUnicode", 1, true))
  end)

  it("keeps lines as paths at the PNG's positions, with dashes, caps and alpha", function()
    local fig = figure()
    local cv = fig:render("pdf")
    local ax = fig.axes[1]
    local ops = table.concat(cv.out, "\n")
    -- the content layer is placed at the box and clipped to it
    assert.truthy(ops:find(("q 1 0 0 1 %s %s cm 0 0 [%%d.]+ [%%d.]+ re W n"):format(glyphs.num(ax.box[1]),
      glyphs.num(ax.box[2]))))
    local red = ops:match("1 0 0 RG\n4%.17 w 2 J 1 j %[%] 0 d\n([^S]+)S")
    assert.truthy(red, "the red line as a stroked path")
    local i = 0
    for x, y in red:gmatch("([%d.%-]+) ([%d.%-]+) [ml]") do
      local px, py = ax:transform(i, ({ 0, 2, 1 })[i + 1])
      assert.near(px, tonumber(x) + ax.box[1], 0.02)
      assert.near(py, tonumber(y) + ax.box[2], 0.02)
      i = i + 1
    end
    assert.equal(3, i)
    assert.truthy(ops:find("w 0 J 1 j %[[%d.]+ [%d.]+%] 0 d"), "the dashed line's pattern")
    assert.truthy(ops:find("/GA%d+ gs"), "the scatter's alpha")
    assert.truthy(cv:tostring():find("/ca 0.600 /CA 0.600", 1, true))
  end)

  it("writes text as text: pdftotext reads back the title, labels and Chinese", function()
    assert(have("pdftotext"), "pdftotext is not installed: make deps installs poppler-utils")
    figure()
    plt.savefig(d .. "/f.pdf")
    local text = run(("pdftotext '%s/f.pdf' -"):format(d))
    assert.truthy(text:find("vector 东炎 AVA", 1, true), text)
    assert.truthy(text:find("a line", 1, true))
    assert.truthy(text:find("rotated y", 1, true))
    assert.truthy(text:find("1.5", 1, true))
  end)

  it("renders back (pdftoppm) to the PNG's picture, image and colour bar included", function()
    assert(have("pdftoppm"), "pdftoppm is not installed: make deps installs poppler-utils")
    for _, make in ipairs({ figure, function()
      plt.figure { figsize = { 3, 3 }, dpi = 100 }
      local rows = {}
      for y = 1, 8 do rows[y] = {} for x = 1, 8 do rows[y][x] = (x * y) % 7 end end
      plt.imshow(rows, { cmap = "magma" })
      plt.colorbar()
      plt.title("东 imshow")
      return plt.gcf()
    end }) do
      plt.close("all")
      local fig = make()
      fig:savefig(d .. "/f.png")
      fig:savefig(d .. "/f.pdf")
      assert.is_true(os.execute(("pdftoppm -r %d -png -singlefile '%s/f.pdf' '%s/back'"):format(fig.dpi, d, d)) == true)
      local mean, far = compare(d .. "/f.png", d .. "/back.png")
      -- poppler draws hairlines (the 0.8 pt spines) a full pixel dark and smooths glyph edges its
      -- own way: a little more than rsvg-convert's difference for SVG, far less than any drawing gone
      assert.is_true(mean < 4.5, "mean difference " .. mean)
      assert.is_true(far < 0.03, "pixels far apart: " .. far)
    end
  end)

  it("takes the format option and refuses an unknown vector format", function()
    plt.plot({ 1, 2 })
    plt.savefig(d .. "/x.out", { format = "pdf" })
    assert.equal("%PDF-1.4", read(d .. "/x.out"):sub(1, 8))
    plt.plot({ 1, 2 })
    assert.has_error(function() plt.gcf():render("eps") end)
  end)

  it("leaves out what is not finite, draws nothing for width 0, and keeps missing glyphs apart", function()
    local values = require "cvision.plot.values"
    assert.is_true(values.all_finite(1, -2, 0))
    assert.is_false(values.all_finite(1, 0 / 0))
    assert.is_false(values.all_finite(math.huge))
    assert.is_true(values.list_finite({ 1, 2, 3 }))
    assert.is_false(values.list_finite({ 1, -math.huge, 3 }))
    local c = pdf.new(100, 50)
    c:fill_rect(0 / 0, 1, 2, 3, { 0, 0, 0 })
    c:circle(1, math.huge, 2, { 0, 0, 0 })
    c:fill_polygon({ 0, 0, 0 / 0, 1, 2, 2 }, { 0, 0, 0 })
    c:stroke({ 0, 0, 1, 1 }, { 1, 0, 0 }, 0)
    c:text("x", 0 / 0, 5, 10, { 0, 0, 0 })
    assert.same({}, c.out)
    c:stroke({ 0, 0, math.huge, 1, 2, 2, 3, 3 }, { 0, 0, 0 }, 1)
    local ops = table.concat(c.out, "\n")
    assert.is_nil(ops:find("inf", 1, true))
    assert.is_nil(ops:find("nan", 1, true))
    assert.truthy(ops:find("2 2 m\n3 3 l", 1, true), ops)
    -- a bar chart with a NaN bar: a valid file, and the same for SVG
    plt.close("all")
    plt.bar({ 1, 2, 3 }, { 1, 0 / 0, 2 })
    local doc = plt.gcf():render("pdf"):tostring()
    assert.is_nil(doc:find("nan", 1, true))
    assert.is_nil(plt.gcf():render("svg"):tostring():find("nan", 1, true))
    plt.close("all")
    -- two characters without a glyph (private use, unassigned) keep their own codes
    if have("pdftotext") then
      plt.figure()
      plt.title("A\u{E000}B\u{0378}C")
      plt.savefig(d .. "/g.pdf")
      local text = run(("pdftotext '%s/g.pdf' -"):format(d))
      assert.truthy(text:find("A\u{E000}B\u{0378}C", 1, true), text)
    end
  end)

  it("gives every canvas method a PDF operator (a canvas drawn by hand)", function()
    local c = pdf.new(100, 50, { 1, 1, 1, 1 })
    c:fill_rect(1, 2, 3, 4, { 0, 1, 0 })
    c:fill_polygon({ { 0, 0, 10, 0, 10, 10 }, { 20, 20, 30, 20, 30, 30 } }, { 0, 0, 1, 0.5 })
    c:circle(50, 25, 10, { 1, 0, 0 })
    c:stroke({ 0, 0, 10, 10, 0 / 0, 0 / 0, 20, 20, 30, 30 }, { 0, 0, 0 }, 2, nil, "round")
    local ops = table.concat(c.out, "\n")
    assert.truthy(ops:find("0 1 0 rg\n1 2 3 4 re f", 1, true))
    assert.truthy(ops:find("0 0 m\n10 0 l\n10 10 l\nh\n20 20 m", 1, true), "two polygons in one path")
    assert.equal(4, select(2, ops:gsub(" c\n", " c\n")) + (ops:find(" c\nf") and 1 or 0) - 1)
    assert.truthy(ops:find("2 w 1 J 1 j [] 0 d\n0 0 m\n10 10 l\n20 20 m\n30 30 l\nS", 1, true), "NaN breaks the line")
    assert.truthy(c:tostring():find("/Count 1", 1, true))
  end)
end)

describe("the core's helpers of the PDF writer", function()
  it("canvas:rgba() gives the pixels row by row, core.deflate a zlib stream", function()
    local c = core.canvas(3, 2, { 1, 1, 1, 1 })
    c:fill_rect(2, 1, 1, 1, { 1, 0, 0, 1 })
    local s = c:rgba()
    assert.equal(3 * 2 * 4, #s)
    assert.same({ c:pixel(2, 1) }, { s:byte(4 * (1 * 3 + 2) + 1, 4 * (1 * 3 + 2) + 4) })
    assert.same({ 255, 0, 0, 255 }, { s:byte(21, 24) })
    local z = core.deflate(("cvision "):rep(1000))
    assert.is_true(#z < 100)
    assert.equal(0x78, z:byte(1))                       -- a zlib header (RFC 1950) ...
    assert.equal(0, (z:byte(1) * 256 + z:byte(2)) % 31)  -- ... with its check bits
    assert.has_error(function() core.deflate("x", 10) end)
  end)
end)

describe("cvision.plot.glyphs", function()
  it("gives the raster's layout: kerning, fallback faces and code points", function()
    local g = core.plot_text_glyphs("AV东", 20)
    assert.equal(3, #g)
    assert.same({ 65, 86, 0x4E1C }, { g[1][3], g[2][3], g[3][3] })
    assert.is_true(g[2][4] < g[1][5], "A and V kerned closer than A's advance")
    assert.is_true(g[3][1] ~= g[1][1], "东 from the Chinese fallback face")
    local w = core.plot_text_size("AV东", 20)
    assert.near(w, g[3][4] + g[3][5], 1e-3)
    assert.has_error(function() core.plot_glyph_outline(99, 1) end)
  end)

  it("outlines glyphs inside their advance box, and spaces as empty", function()
    local g = core.plot_text_glyphs("H ", 10)
    local path, x0, y0, x1, y1 = glyphs.pdf_path(g[1][1], g[1][2])
    local _, adv = glyphs.outline(g[1][1], g[1][2])
    assert.truthy(path:find(" m\n", 1, true) and path:find("\nh", 1, true))
    assert.is_true(x0 >= 0 and x1 <= adv and y0 >= 0 and y1 > 600 and y1 < 800, ("H box %s %s %s %s"):format(x0, y0, x1, y1))
    assert.equal("", (glyphs.pdf_path(g[2][1], g[2][2])))
  end)

  it("anchors as canvas:text: centred text's glyphs straddle the anchor", function()
    local list, bx, by, ux, uy = glyphs.place("abc", 100, 50, 20, "center", "baseline", 0)
    local w = core.plot_text_size("abc", 20)
    assert.near(100 - w / 2, bx, 1e-6)
    assert.near(50, by, 1e-6)
    assert.same({ 1, 0 }, { ux, uy })
    assert.equal(3, #list)
    local _, rx, ry, rux, ruy = glyphs.place("abc", 100, 50, 20, "left", "baseline", 90)
    assert.near(100, rx, 1e-6); assert.near(50, ry, 1e-6)
    assert.near(0, rux, 1e-9); assert.near(-1, ruy, 1e-9)   -- up the screen
  end)

  it("draws SVG text as glyph paths, the string kept as transparent text", function()
    plt.close("all")
    plt.plot({ 1, 2 })
    plt.title("东x")
    local s = plt.gcf():render("svg"):tostring()
    assert.truthy(s:find('<defs>\n<path id="g%d+%-%d+%-%d+" d="M'))
    assert.truthy(s:find('<use xlink:href="#g%d+%-%d+%-%d+" x="[%d.]+"/>'))
    assert.truthy(s:find('fill%-opacity="0">东x</text>'))
    plt.close("all")
  end)
end)
