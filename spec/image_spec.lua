-- spec/image_spec.lua - cvision.image: decoding every PNG colour type, GIF, BMP and JPEG (pixel
-- values, not only shapes), clean errors on bad files, PNG writing, TF-rule resizing checked
-- against hand-computed values, colour conversion. Fixtures: spec/fixtures/images (see
-- make_fixtures.py there for how each file was made and what it holds).
local cv = require "cvision"
local image = require "cvision.image"
local core = require "cvision.core"

local dir = "spec/fixtures/images/"

-- pixel (row y, column x), 1-based, as a table of its channel values
local function px(t, y, x)
  local s, l = t.shape, core.image.tolist(t)
  local c = s[3] or 1
  local base = ((y - 1) * s[2] + (x - 1)) * c
  local p = {}
  for k = 1, c do p[k] = l[base + k] end
  return p
end

local function tensor(list, shape, dtype) return core.image.fromlist(list, shape, dtype) end
local function values(t) return core.image.tolist(t) end

local function assert_close(expected, actual, tol)
  assert.are.equal(#expected, #actual)
  for i = 1, #expected do
    if math.abs(expected[i] - actual[i]) > (tol or 1e-5) then
      error(("element %d: expected %s, got %s"):format(i, expected[i], actual[i]), 2)
    end
  end
end

-- the quadrant image of the 16x16 fixtures
local quadrant = {
  { 1, 1, { 255, 0, 0 } }, { 4, 4, { 255, 0, 0 } }, { 1, 16, { 0, 255, 0 } },
  { 16, 1, { 0, 0, 255 } }, { 9, 9, { 255, 255, 255 } }, { 16, 15, { 255, 255, 255 } },
  { 16, 16, { 10, 20, 30 } },
}

local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  return err
end

local function tmpfile(ext)
  local name = os.tmpname()
  os.remove(name)
  return name .. ext
end

describe("cv.imread", function()
  for _, ext in ipairs { "png", "gif", "bmp" } do
    it("reads a 16x16 RGB " .. ext:upper() .. " as a {16,16,3} uint8 tensor with its exact pixels", function()
      local t = cv.imread(dir .. "rgb16x16." .. ext)
      assert.are.same({ 16, 16, 3 }, t.shape)
      assert.are.equal("uint8", t.dtype)
      for _, q in ipairs(quadrant) do assert.are.same(q[3], px(t, q[1], q[2])) end
    end)
  end

  it("reads a JPEG with its colours within JPEG's loss", function()
    local t = cv.imread(dir .. "rgb16x16.jpg")
    assert.are.same({ 16, 16, 3 }, t.shape)
    assert_close({ 255, 0, 0 }, px(t, 3, 3), 6)
    assert_close({ 0, 255, 0 }, px(t, 3, 14), 6)
    assert_close({ 0, 0, 255 }, px(t, 14, 3), 6)
    assert_close({ 255, 255, 255 }, px(t, 10, 10), 10)
  end)

  it("reads an 8-bit grayscale PNG as (H, W, 1), rows before columns", function()
    local t = cv.imread(dir .. "gray.png")
    assert.are.same({ 3, 5, 1 }, t.shape)
    local l = values(t)
    for i = 0, 14 do assert.are.equal(10 * i + 5, l[i + 1]) end
  end)

  it("reads gray + alpha as 2 channels", function()
    local t = cv.imread(dir .. "gray_alpha.png")
    assert.are.same({ 3, 5, 2 }, t.shape)
    assert.are.same({ 5, 255 }, px(t, 1, 1))
    assert.are.same({ 10 * 7 + 5, 255 - 70 }, px(t, 2, 3))
  end)

  it("reads RGBA as 4 channels", function()
    local t = cv.imread(dir .. "rgba.png")
    assert.are.same({ 3, 5, 4 }, t.shape)
    assert.are.same({ 150, 200, 7, 203 }, px(t, 3, 4))   -- (50x, 100y, 7, 200 + x), 0-based x, y
  end)

  it("looks palette entries up (2-bit palette PNG)", function()
    local t = cv.imread(dir .. "palette.png")
    assert.are.same({ 3, 5, 3 }, t.shape)
    local pal = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 17, 34, 51 } }
    for y = 1, 3 do
      for x = 1, 5 do assert.are.same(pal[(x + y - 2) % 4 + 1], px(t, y, x)) end
    end
  end)

  it("turns a palette with tRNS into RGBA", function()
    local t = cv.imread(dir .. "palette_trns.png")
    assert.are.same({ 3, 5, 4 }, t.shape)
    assert.are.same({ 255, 0, 0, 0 }, px(t, 1, 1))      -- index 0 is transparent
    assert.are.same({ 0, 255, 0, 255 }, px(t, 1, 2))
    assert.are.same({ 17, 34, 51, 255 }, px(t, 2, 3))
  end)

  it("expands 1-bit gray to 0 and 255", function()
    local t = cv.imread(dir .. "gray1.png")
    assert.are.same({ 3, 5, 1 }, t.shape)
    assert.are.same({ 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255 }, values(t))
  end)

  it("keeps the high byte of 16-bit samples, as tf.io.decode_png(dtype=uint8)", function()
    local t = cv.imread(dir .. "rgb16.png")
    assert.are.same({ 2, 2, 3 }, t.shape)
    -- 0x1234 0xFFFF 0x00FF | 0x7FFF 0x8000 0x0100 || 0x0000 0xABCD 0xFF00 | 0x80FF 0x0001 0xFEFF
    assert.are.same({ 0x12, 255, 0, 127, 128, 1, 0, 0xAB, 255, 128, 0, 254 }, values(t))
    local g = cv.imread(dir .. "gray16.png")
    assert.are.same({ 1, 3, 1 }, g.shape)
    assert.are.same({ 0, 0, 255 }, values(g))
  end)

  it("converts to grayscale with Pillow's rounding of the ITU-R 601 luma", function()
    local t = cv.imread(dir .. "rgb16x16.png", { color_mode = "grayscale" })
    assert.are.same({ 16, 16, 1 }, t.shape)
    -- round(0.299 R + 0.587 G + 0.114 B): red 76, green 150, blue 29, (10, 20, 30) 18
    assert.are.same({ 76 }, px(t, 1, 1))
    assert.are.same({ 150 }, px(t, 1, 16))
    assert.are.same({ 29 }, px(t, 16, 1))
    assert.are.same({ 255 }, px(t, 9, 9))
    assert.are.same({ 18 }, px(t, 16, 16))
    local g = cv.imread(dir .. "rgb16x16.gif", { color_mode = "grayscale" })
    assert.are.same(values(t), values(g))
  end)

  it("converts gray to RGB and adds an opaque alpha for rgba", function()
    local t = cv.imread(dir .. "gray.png", { color_mode = "rgb" })
    assert.are.same({ 3, 5, 3 }, t.shape)
    assert.are.same({ 45, 45, 45 }, px(t, 1, 5))
    local a = cv.imread(dir .. "rgb16x16.bmp", { color_mode = "rgba" })
    assert.are.same({ 10, 20, 30, 255 }, px(a, 16, 16))
    local ga = cv.imread(dir .. "gray_alpha.png", { color_mode = "rgba" })
    assert.are.same({ 5, 5, 5, 255 }, px(ga, 1, 1))
    assert.are.same({ 15, 15, 15, 245 }, px(ga, 1, 2))
  end)

  it("reads an Adam7-interlaced PNG", function()
    local t = cv.imread(dir .. "interlaced.png")
    assert.are.same({ 3, 5, 3 }, t.shape)
    assert.are.same(values(cv.imread(dir .. "rgba.png", { color_mode = "rgb" })), values(t))
  end)

  it("drops alpha for rgb", function()
    local t = cv.imread(dir .. "rgba.png", { color_mode = "rgb" })
    assert.are.same({ 3, 5, 3 }, t.shape)
    assert.are.same({ 150, 200, 7 }, px(t, 3, 4))
  end)

  it("decodes image bytes held in a string", function()
    local f = assert(io.open(dir .. "rgb16x16.gif", "rb"))
    local bytes = f:read("a")
    f:close()
    local t = image.decode_image(bytes)
    assert.are.same({ 16, 16, 3 }, t.shape)
    assert.are.same({ 10, 20, 30 }, px(t, 16, 16))
  end)
end)

describe("cv.imread errors", function()
  it("names the file and says it is truncated", function()
    local err = error_of(cv.imread, dir .. "truncated.png")
    assert.matches("cv.imread: " .. dir .. "truncated.png: truncated PNG data", err, 1, true)
  end)

  it("reports corrupt PNG data with libpng's reason", function()
    local err = error_of(cv.imread, dir .. "corrupt.png")
    assert.matches("cv.imread: " .. dir .. "corrupt.png: corrupt PNG data (", err, 1, true)
  end)

  it("refuses a text file named .png", function()
    local err = error_of(cv.imread, dir .. "not_an_image.png")
    assert.matches(dir .. "not_an_image.png: not a PNG, GIF, BMP or JPEG file", err, 1, true)
  end)

  it("refuses an empty file", function()
    assert.matches("empty.png: empty file", error_of(cv.imread, dir .. "empty.png"), 1, true)
  end)

  it("names a missing file and the system's reason", function()
    local err = error_of(cv.imread, dir .. "no_such_file.png")
    assert.matches("cv.imread: " .. dir .. "no_such_file.png: No such file or directory", err, 1, true)
  end)

  it("raises at the caller's line", function()
    local err = error_of(function() cv.imread(dir .. "no_such_file.png") end)
    assert.matches("^spec/image_spec.lua:%d+: cv.imread:", err)
  end)

  it("survives random byte corruptions of every format (an image or an error naming it)", function()
    math.randomseed(7)
    for _, f in ipairs { "rgb16x16.png", "rgb16x16.gif", "rgb16x16.bmp", "rgb16x16.jpg", "palette_trns.png", "rgb16.png" } do
      local h = assert(io.open(dir .. f, "rb"))
      local bytes = h:read("a")
      h:close()
      for _ = 1, 150 do
        local s = bytes
        for _ = 1, math.random(4) do
          local pos = math.random(#s)
          s = s:sub(1, pos - 1) .. string.char(math.random(0, 255)) .. s:sub(pos + 1)
        end
        local ok, r = pcall(image.decode_image, s, { name = f })
        if ok then
          local shape = r.shape
          assert(#shape == 3 and shape[1] >= 1 and shape[2] >= 1 and r.dtype == "uint8", f)
        else
          assert(r:find("cv.decode_image: " .. f .. ": ", 1, true), r)
        end
      end
    end
  end)

  it("survives every truncation of every fixture", function()
    for _, f in ipairs { "rgb16x16.png", "rgb16x16.gif", "rgb16x16.bmp", "rgb16x16.jpg", "palette_trns.png", "rgb16.png" } do
      local h = assert(io.open(dir .. f, "rb"))
      local bytes = h:read("a")
      h:close()
      for n = 0, #bytes - 1 do
        local ok, err = pcall(image.decode_image, bytes:sub(1, n), { name = f })
        assert(ok or err:find(f, 1, true), err)
      end
    end
  end)

  it("checks its arguments", function()
    assert.matches("bad argument #1 to 'imread'", error_of(cv.imread, 42))
    assert.matches("color_mode must be", error_of(cv.imread, dir .. "gray.png", { color_mode = "cmyk" }))
  end)
end)

describe("cv.imwrite", function()
  it("round-trips RGB, RGBA, gray and gray + alpha through PNG", function()
    for _, src in ipairs { "rgb16x16.png", "rgba.png", "gray.png", "gray_alpha.png", "palette.png" } do
      local t = cv.imread(dir .. src)
      local path = tmpfile(".png")
      assert.is_true(cv.imwrite(path, t))
      local back = cv.imread(path)
      os.remove(path)
      assert.are.same(t.shape, back.shape)
      assert.are.same(values(t), values(back))
    end
  end)

  it("writes an (H, W) tensor as a gray image", function()
    local path = tmpfile(".png")
    cv.imwrite(path, tensor({ 0, 1, 2, 253, 254, 255 }, { 2, 3 }, "uint8"))
    local back = cv.imread(path)
    os.remove(path)
    assert.are.same({ 2, 3, 1 }, back.shape)
    assert.are.same({ 0, 1, 2, 253, 254, 255 }, values(back))
  end)

  it("clamps and rounds float32 values", function()
    local path = tmpfile(".png")
    cv.imwrite(path, tensor({ -5, 0.4, 0.5, 127.49, 254.6, 300 }, { 1, 2, 3 }))
    local back = cv.imread(path)
    os.remove(path)
    assert.are.same({ 0, 0, 1, 127, 255, 255 }, values(back))
  end)

  it("refuses shapes that are not images, with a clear message", function()
    local err = error_of(cv.imwrite, tmpfile(".png"), tensor({ 1, 2, 3, 4, 5 }, { 1, 1, 5 }))
    assert.matches("expected an image of shape (H, W) or (H, W, C) with C in 1..4, got (1, 1, 5)", err, 1, true)
    err = error_of(cv.imwrite, tmpfile(".png"), tensor({ 1 }, { 1 }))
    assert.matches("got (1,)", err, 1, true)
    assert.matches("tensor expected", error_of(cv.imwrite, "x.png", {}))
    assert.matches("only PNG files are written", error_of(cv.imwrite, "x.jpg", tensor({ 1 }, { 1, 1 })))
  end)

  it("names the file when it cannot be written", function()
    local err = error_of(cv.imwrite, "/nonexistent_dir/x.png", tensor({ 1 }, { 1, 1 }, "uint8"))
    assert.matches("cv.imwrite: /nonexistent_dir/x.png: No such file or directory", err, 1, true)
  end)
end)

describe("cv.image.resize", function()
  it("upsamples 2x2 to 4x4 with half-pixel centres, edges clamped (TF bilinear)", function()
    local y = image.resize(tensor({ 0, 4, 8, 12 }, { 2, 2, 1 }), { 4, 4 })
    assert.are.same({ 4, 4, 1 }, y.shape)
    assert.are.equal("float32", y.dtype)
    assert_close({ 0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12 }, values(y))
  end)

  it("downsamples 4x4 to 2x2 as the averages of the 2x2 blocks", function()
    local l = {}
    for i = 0, 15 do l[i + 1] = i end
    local y = image.resize(tensor(l, { 4, 4, 1 }, "uint8"), { 2, 2 })
    assert.are.equal("float32", y.dtype)
    assert_close({ 2.5, 4.5, 10.5, 12.5 }, values(y))
  end)

  it("handles non-integer ratios and each channel apart", function()
    -- width 3 -> 2: scale 1.5, sources 0.25 and 1.75
    local y = image.resize(tensor({ 0, 100, 10, 200, 20, 300 }, { 1, 3, 2 }), { 1, 2 })
    assert_close({ 2.5, 125, 17.5, 275 }, values(y))
  end)

  it("resizes every image of an (N, H, W, C) batch", function()
    local y = image.resize(tensor({ 0, 4, 8, 12, 100, 100, 100, 100 }, { 2, 2, 2, 1 }), { 4, 4 })
    assert.are.same({ 2, 4, 4, 1 }, y.shape)
    local l = values(y)
    assert_close({ 0, 1, 3, 4 }, { l[1], l[2], l[3], l[4] })
    for i = 17, 32 do assert.are.equal(100, l[i]) end
  end)

  it("lets the collector keep pace with resized images made in a loop", function()
    collectgarbage()
    local base = core.live_bytes()
    -- Lua's collector starts a cycle when memory has doubled (pause 200%): what is already alive
    -- (the Lua heap and the tensors of earlier specs in the same process) raises the bar alike
    local alive = collectgarbage("count") * 1024 + base
    local small = cv.zeros({ 8, 8, 4 }, "uint8")
    local peak = 0
    for _ = 1, 200 do                              -- 200 MB of float32 results in all
      local y = image.resize(small, { 256, 256 })  -- luacheck: ignore
      peak = math.max(peak, core.live_bytes() - base)
    end
    assert.is_true(peak < 80 * 2 ^ 20 + 2 * alive, ("peak %.1f MB of live tensors (%.1f MB alive before)"):format(
      peak / 2 ^ 20, alive / 2 ^ 20))
  end)

  it("raises kernel errors (an empty image) at the caller's line", function()
    local ok, err = pcall(function() local y = image.resize(cv.zeros { 0, 4, 3 }, { 2, 2 }) return y end)
    assert.is_false(ok)
    assert.truthy(err:find("^spec/image_spec.lua:%d+: resize: image has no pixels"), err)
  end)

  it("gives the same values with the fast and the reference kernel", function()
    local l = {}
    for i = 1, 7 * 5 * 3 do l[i] = (i * 37) % 101 end
    local x = tensor(l, { 7, 5, 3 })
    for _, hw in ipairs { { 3, 2 }, { 11, 13 }, { 1, 1 }, { 7, 5 }, { 20, 3 } } do
      local a = core.image.resize(x, hw[1], hw[2], "bilinear")
      local b = core.image.resize(x, hw[1], hw[2], "bilinear_ref")
      assert_close(values(b), values(a), 0)
    end
  end)

  it("picks floor((dst + 0.5) * in / out) for nearest and keeps the dtype", function()
    local y = image.resize(tensor({ 0, 4, 8, 12 }, { 2, 2, 1 }, "uint8"), { 4, 4 }, { interpolation = "nearest" })
    assert.are.equal("uint8", y.dtype)
    assert.are.same({ 0, 0, 4, 4, 0, 0, 4, 4, 8, 8, 12, 12, 8, 8, 12, 12 }, values(y))
    local z = image.resize(tensor({ 0, 1, 2, 3 }, { 1, 4, 1 }), { 1, 2 }, { interpolation = "nearest" })
    assert.are.same({ 1, 3 }, values(z))
  end)

  it("checks its arguments", function()
    local x = tensor({ 1, 2, 3, 4 }, { 2, 2, 1 })
    assert.matches("size must", error_of(image.resize, x, { 0, 2 }))
    assert.matches("size must", error_of(image.resize, x, { 2 }))
    assert.matches("interpolation must be", error_of(image.resize, x, { 2, 2 }, { interpolation = "bicubic" }))
    assert.matches("got shape %(4,%)", error_of(image.resize, tensor({ 1, 2, 3, 4 }, { 4 }), { 2, 2 }))
    local err = error_of(function() image.resize(x, { 2.5, 2 }) end)
    assert.matches("^spec/image_spec.lua:%d+: bad argument #2 to 'resize' %(size must hold positive integers", err)
    err = error_of(function() image.resize({}, { 2, 2 }) end)
    assert.matches("^spec/image_spec.lua:%d+: bad argument #1 to 'resize' %(tensor expected, got table%)", err)
  end)
end)

describe("cv.image colour conversion", function()
  it("rgb_to_grayscale uses TF's weights on float32", function()
    local g = image.rgb_to_grayscale(tensor({ 1, 2, 3, 255, 0, 0 }, { 1, 2, 3 }))
    assert.are.same({ 1, 2, 1 }, g.shape)
    assert_close({ 0.2989 + 2 * 0.5870 + 3 * 0.1140, 255 * 0.2989 }, values(g), 1e-4)
  end)

  it("rgb_to_grayscale rounds like Pillow on uint8, for batches too", function()
    local g = image.rgb_to_grayscale(tensor({ 255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 150, 200 }, { 2, 1, 2, 3 }, "uint8"))
    assert.are.same({ 2, 1, 2, 1 }, g.shape)
    assert.are.equal("uint8", g.dtype)
    assert.are.same({ 76, 150, 29, 141 }, values(g))
  end)

  it("grayscale_to_rgb copies the gray value into the three channels", function()
    local c = image.grayscale_to_rgb(tensor({ 7, 200 }, { 1, 2, 1 }, "uint8"))
    assert.are.same({ 1, 2, 3 }, c.shape)
    assert.are.same({ 7, 7, 7, 200, 200, 200 }, values(c))
    assert.matches("last axis must have 1 channel", error_of(image.grayscale_to_rgb, c))
  end)
end)

describe("cv.image.load_img", function()
  it("returns float32 RGB by default, like Keras' load_img + img_to_array", function()
    local t = image.load_img(dir .. "gray.png")
    assert.are.same({ 3, 5, 3 }, t.shape)
    assert.are.equal("float32", t.dtype)
    assert.are.same({ 5, 5, 5 }, px(t, 1, 1))
  end)

  it("resizes to target_size, nearest by default", function()
    local t = image.load_img(dir .. "rgb16x16.png", { target_size = { 2, 2 } })
    assert.are.same({ 2, 2, 3 }, t.shape)
    assert.are.equal("float32", t.dtype)
    -- nearest picks source rows and columns 4 and 12 (0-based): red, green / blue, white
    assert.are.same({ 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255 }, values(t))
    local g = image.load_img(dir .. "rgb16x16.png",
      { color_mode = "grayscale", target_size = { 4, 4 }, interpolation = "bilinear" })
    assert.are.same({ 4, 4, 1 }, g.shape)
    assert_close({ 76 }, px(g, 1, 1))
  end)

  it("raises naming the file", function()
    assert.matches("cv.load_img: " .. dir .. "truncated.png: truncated PNG data",
      error_of(image.load_img, dir .. "truncated.png"), 1, true)
  end)
end)
