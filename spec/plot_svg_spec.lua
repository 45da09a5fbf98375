-- spec/plot_svg_spec.lua - savefig("x.svg") writes a vector SVG drawn from the same calls as the
-- PNG: a well-formed document of the figure's size, lines as polylines at the PNG's pixel
-- positions, text as <text> (Chinese included), images embedded; rendered back by rsvg-convert
-- (when installed) it matches the PNG.
local core = require "cvision.core"
local plt = require "cvision.plot"
local tmp = require "spec.helpers.tmpdir"

local read = require("spec.helpers.files").read

-- Tags balance (every opened element is closed in order): the document is well formed enough to
-- parse; --> the number of elements, or nil and the first problem.
local function balanced(s)
  local stack, n = {}, 0
  for close, name, selfclose in s:gmatch("<(/?)([%w:]+)[^>]-(/?)>") do
    if close == "/" then
      if stack[#stack] ~= name then return nil, "</" .. name .. "> closes <" .. tostring(stack[#stack]) .. ">" end
      stack[#stack] = nil
    elseif selfclose ~= "/" then
      stack[#stack + 1] = name
      n = n + 1
    else
      n = n + 1
    end
  end
  if #stack > 0 then return nil, "<" .. stack[#stack] .. "> left open" end
  return n
end

local function has_rsvg() return require("spec.helpers.shell").have("rsvg-convert") end

describe("savefig as SVG", function()
  local d
  before_each(function() plt.close("all"); d = tmp.dir() end)
  after_each(function() tmp.rmtree(d) end)

  local function figure()
    plt.figure { figsize = { 4, 3 }, dpi = 100 }
    plt.plot({ 0, 1, 2 }, { 0, 2, 1 }, { color = "red", lw = 3, label = "a line" })
    plt.scatter({ 0.5, 1.5 }, { 1, 1.5 }, { c = { 1, 2 }, s = 100 })
    plt.colorbar()
    plt.title("vector 东炎")
    plt.xlabel("x")
    plt.legend()
    return plt.gcf()
  end

  it("writes a well-formed SVG document of the figure's size", function()
    local fig = figure()
    local p = plt.savefig(d .. "/f.svg")
    local s = read(p)
    assert.truthy(s:find('^<%?xml version="1.0"'))
    assert.truthy(s:find('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="288pt" height="216pt" viewBox="0 0 400 300"', 1, true))
    local n, err = balanced(s)
    assert.truthy(n, err)
    assert.is_true(n > 30)
    assert.equal(400, fig.width)
  end)

  it("keeps lines as polylines at the PNG's positions and text as text", function()
    local fig = figure()
    local ax = fig.axes[1]
    plt.savefig(d .. "/f.svg")
    local s = read(d .. "/f.svg")
    -- the content group's offset, then the red line's points
    local gx, gy = s:match('<g transform="translate%(([%d.]+) ([%d.]+)%)" clip%-path')
    local pts = s:match('<polyline points="([^"]+)" fill="none" stroke="rgb%(255,0,0%)" stroke%-width="4.17"')
    assert.truthy(pts, "the red line as a polyline")
    local i = 0
    for x, y in pts:gmatch("([%d.%-]+),([%d.%-]+)") do
      local px, py = ax:transform(i, ({ 0, 2, 1 })[i + 1])
      assert.near(px, tonumber(x) + tonumber(gx), 0.02)
      assert.near(py, tonumber(y) + tonumber(gy), 0.02)
      i = i + 1
    end
    assert.equal(3, i)
    assert.truthy(s:find(">vector 东炎</text>", 1, true), "the title is text")
    assert.truthy(s:find(">a line</text>", 1, true), "the legend's label is text")
    assert.truthy(s:find(">x</text>", 1, true))
    assert.truthy(s:find("<circle ", 1, true), "markers are circles")
    assert.truthy(s:find('xlink:href="data:image/png;base64,', 1, true), "the colour bar's ramp is embedded")
    assert.is_nil(s:find("table: 0x", 1, true))
  end)

  it("embeds an imshow image (a tensor's and a table's) at its own size", function()
    plt.figure { figsize = { 2, 2 } }
    plt.subplot(1, 2, 1)
    plt.imshow(core.tensor({ { 1, 2 }, { 3, 4 } }), { cmap = "magma" })
    plt.subplot(1, 2, 2)
    plt.imshow({ { 1, 2 }, { 3, 4 } }, { cmap = "magma" })
    local s = plt.gcf():render("svg"):tostring()
    assert.truthy(s:find('<image x="[%d.]+" y="[%d.]+" width="[%d.]+" height="[%d.]+" preserveAspectRatio="none" ' ..
      'xlink:href="data:image/png;base64,'), "the image is embedded")
    assert.truthy(balanced(s))
  end)

  it("takes the format option and a ready-made figure's painters", function()
    plt.model({ layers = { { name = "d", class_name = "Dense", input_shape = { 4 }, output_shape = { 2 } } } })
    plt.savefig(d .. "/m.out", { format = "svg" })
    local s = read(d .. "/m.out")
    assert.truthy(s:find(">d (Dense)</text>", 1, true))
    assert.truthy(balanced(s))
  end)

  it("renders back (rsvg-convert) to the PNG's picture", function()
    assert(has_rsvg(), "rsvg-convert is not installed: make deps installs librsvg2-bin")
    figure()
    local fig = plt.gcf()
    fig:savefig(d .. "/f.png")
    fig:savefig(d .. "/f.svg")
    assert.is_true(os.execute(("rsvg-convert -w %d -h %d -o '%s/back.png' '%s/f.svg'"):format(fig.width, fig.height, d, d)) == true)
    local a, b = core.image.load(d .. "/f.png", 3), core.image.load(d .. "/back.png", 3)
    assert.same({ a.shape[1], a.shape[2] }, { b.shape[1], b.shape[2] })
    local diff, far, n = 0, 0, 0
    for y = 1, a.shape[1], 3 do
      for x = 1, a.shape[2], 3 do
        for c = 1, 3 do
          local e = math.abs(a:at(y, x, c) - b:at(y, x, c))
          diff = diff + e
          if e > 80 then far = far + 1 end
          n = n + 1
        end
      end
    end
    assert.is_true(diff / n < 3, "mean difference " .. diff / n)
    assert.is_true(far / n < 0.01, "pixels far apart: " .. far / n)
  end)
end)
