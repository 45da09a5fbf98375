-- spec/plot_savefig_spec.lua - savefig chooses the format by the format option or the extension:
-- PNG (also without an extension), JPEG (.jpg, .jpeg, any case: the figure's pixels, read back),
-- SVG (spec/plot_svg_spec.lua), and for anything else a clear error naming the path and the
-- formats, with no file written.
local core = require "cvision.core"
local plt = require "cvision.plot"
local tmp = require "spec.helpers.tmpdir"

local function head(path, n)
  local f = assert(io.open(path, "rb"))
  local s = f:read(n)
  f:close()
  return s
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- A figure with a thick red line from (0, 0) to (1, 1) on white, and its canvas.
local function red_line(dpi)
  plt.figure { figsize = { 3, 2 }, dpi = dpi or 80 }
  plt.plot({ 0, 1 }, { 0, 1 }, { color = "red", lw = 6 })
  return plt.gcf()
end

describe("savefig", function()
  local d
  before_each(function() plt.close("all"); d = tmp.dir() end)
  after_each(function() tmp.rmtree(d) end)

  it("writes JPEG for .jpg: JPEG bytes holding the figure's pixels", function()
    local fig = red_line()
    local ax = fig.axes[1]
    local p = plt.savefig(d .. "/fig.jpg")
    assert.equal("\xFF\xD8\xFF", head(p, 3))
    local img = core.image.load(p, 3)
    assert.same({ 160, 240, 3 }, { img.shape[1], img.shape[2], img.shape[3] })
    local x, y = ax:transform(0.5, 0.5)
    local r, g, b = img:at(math.floor(y) + 1, math.floor(x) + 1, 1), img:at(math.floor(y) + 1, math.floor(x) + 1, 2),
      img:at(math.floor(y) + 1, math.floor(x) + 1, 3)
    assert.is_true(r > 200 and g < 60 and b < 60, ("the line is red: %d %d %d"):format(r, g, b))
    -- a corner of the figure is white
    assert.is_true(img:at(2, 2, 1) > 245 and img:at(2, 2, 2) > 245)
    -- the whole picture is the rendered canvas, within JPEG's error
    local cv = fig.canvas
    local diff, n = 0, 0
    for yy = 0, 159, 7 do
      for xx = 0, 239, 7 do
        local cr = cv:pixel(xx, yy)
        diff = diff + math.abs(cr - img:at(yy + 1, xx + 1, 1))
        n = n + 1
      end
    end
    assert.is_true(diff / n < 6, "mean error " .. diff / n)
  end)

  it("takes .jpeg, upper case and the format option, and quality", function()
    red_line(); plt.savefig(d .. "/a.jpeg")
    red_line(); plt.savefig(d .. "/b.JPG")
    red_line(); plt.savefig(d .. "/c.out", { format = "jpg" })
    for _, n in ipairs({ "a.jpeg", "b.JPG", "c.out" }) do assert.equal("\xFF\xD8\xFF", head(d .. "/" .. n, 3)) end
    red_line(); plt.savefig(d .. "/lo.jpg", { quality = 10 })
    red_line(); plt.savefig(d .. "/hi.jpg", { quality = 100 })
    assert.is_true(#head(d .. "/lo.jpg", 1e7) < #head(d .. "/hi.jpg", 1e7))
    assert.has_error(function() red_line(); plt.savefig(d .. "/q.jpg", { quality = 0 }) end,
      "savefig: quality must be an integer in 1..100")
  end)

  it("writes PNG for .png and for a name without an extension", function()
    red_line(); plt.savefig(d .. "/a.png")
    red_line(); plt.savefig(d .. "/noext")
    red_line(); plt.gcf():savefig(d .. "/b.PNG")
    for _, n in ipairs({ "a.png", "noext", "b.PNG" }) do assert.equal("\x89PNG", head(d .. "/" .. n, 4)) end
  end)

  it("refuses any other extension by name, and writes nothing", function()
    for _, ext in ipairs({ "tiff", "gif", "eps", "ps" }) do
      red_line()
      local p = d .. "/x." .. ext
      assert.has_error(function() plt.savefig(p) end,
        ("savefig: cannot write '%s': unsupported format '%s' (supported: png, jpg, jpeg, svg, pdf)"):format(p, ext))
      assert.is_false(exists(p))
      assert.has_error(function() plt.gcf():savefig(p) end,
        ("savefig: cannot write '%s': unsupported format '%s' (supported: png, jpg, jpeg, svg, pdf)"):format(p, ext))
    end
    red_line()
    assert.has_error(function() plt.savefig(d .. "/x.png", { format = "bmp" }) end,
      ("savefig: cannot write '%s': unsupported format 'bmp' (supported: png, jpg, jpeg, svg, pdf)"):format(d .. "/x.png"))
  end)

  it("names the path when the JPEG cannot be written, leaving nothing behind", function()
    red_line()
    local ok, err = pcall(plt.savefig, d .. "/no/such/dir/x.jpg")
    assert.is_false(ok)
    assert.truthy(tostring(err):find(d .. "/no/such/dir/x.jpg: No such file or directory", 1, true))
    local _, files = core.data_listdir(d)
    assert.same({}, files)
  end)
end)
