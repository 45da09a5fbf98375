-- spec/hanzi_fonts_spec.lua: the font-outline evaluation set (cvision.datasets.hanzi_fonts,
-- csrc/data/fontset.c): fonts found, determinism, every class in every font, variation, bad input,
-- the folder layout image_dataset_from_directory reads.
local cv = require "cvision"
local hf = require "cvision.datasets.hanzi_fonts"
local hanzi = require "cvision.datasets.hanzi"
local core = cv.core

local tmp = require "spec.helpers.tmpdir"

local function slurp(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function bytes(t) return core.tobytes(t) end

-- ink facts of a uint8 (H, W, 1) sample: ink fraction (pixels below the midpoint of its darkest
-- and lightest), ink centroid relative to the crop (0..1 each way)
local function ink_stats(t)
  local h, w = t.shape[1], t.shape[2]
  local s = bytes(t)
  local lo, hi = 255, 0
  for i = 1, #s do
    local v = s:byte(i)
    if v < lo then lo = v end
    if v > hi then hi = v end
  end
  local mid = (lo + hi) / 2
  local n, sx, sy = 0, 0, 0
  for y = 0, h - 1 do
    for x = 0, w - 1 do
      if s:byte(y * w + x + 1) < mid then n = n + 1; sx = sx + x; sy = sy + y end
    end
  end
  return {ink = n / (h * w), cx = (sx / n + 0.5) / w, cy = (sy / n + 0.5) / h, lo = lo, hi = hi}
end

local function spread(list, key)
  local m = 0
  for _, v in ipairs(list) do m = m + v[key] end
  m = m / #list
  local ss = 0
  for _, v in ipairs(list) do ss = ss + (v[key] - m) ^ 2 end
  return math.sqrt(ss / #list), m
end

describe("hanzi_fonts", function()
  local fonts = hf.fonts()

  it("finds at least five fonts of the Song/Ming, Kai and Hei styles", function()
    assert.is_true(#fonts >= 5, "fonts found: " .. #fonts .. " (make deps installs them)")
    local styles = {}
    for _, f in ipairs(fonts) do
      assert.is_string(f.name)
      assert.is_string(f.path)
      styles[f.style] = true
    end
    assert.is_true(styles.kai and styles.hei and (styles.song or styles.ming) or false)
  end)

  it("renders the same bytes for the same seed and other bytes for another seed or index", function()
    local a = hf.render("国", {font = fonts[1].name, seed = 5, index = 2})
    local b = hf.render("国", {font = fonts[1].name, seed = 5, index = 2})
    local c = hf.render("国", {font = fonts[1].name, seed = 6, index = 2})
    local d = hf.render("国", {font = fonts[1].name, seed = 5, index = 3})
    assert.equal("uint8", a.dtype)
    assert.equal(3, #a.shape)
    assert.equal(1, a.shape[3])
    assert.equal(bytes(a), bytes(b))
    assert.are_not.equal(bytes(a), bytes(c))
    assert.are_not.equal(bytes(a), bytes(d))
  end)

  it("renders every class in every font as a dark-on-light crop of the generator's sizes", function()
    for _, f in ipairs(fonts) do
      for i, c in ipairs(hanzi.classes) do
        local t = hf.render(c, {font = f.name, index = i})
        local h, w = t.shape[1], t.shape[2]
        local where = ("%s in %s: %dx%d"):format(c, f.name, h, w)
        assert.is_true(h >= 40 and h <= 140 and w >= 30 and w <= 140, where)
        local s = bytes(t)   -- string patterns keep this fast: 440 images
        assert.is_truthy(s:find("[%z\1-\110]") and s:find("[\200-\255]"), where .. ": dark ink on light paper")
        local ink = select(2, s:gsub("[%z\1-\127]", "")) / #s
        assert.is_true(ink > 0.02 and ink < 0.6, where .. " ink fraction " .. ink)   -- thin Song strokes, light ink: ~0.04
      end
    end
  end)

  it("varies ink area, position and size across samples", function()
    local stats, hs = {}, {}
    for _, f in ipairs(fonts) do
      for i = 1, 6 do
        local t = hf.render("明", {font = f.name, index = i, seed = 3})
        stats[#stats + 1] = ink_stats(t)
        hs[#hs + 1] = {h = t.shape[1], w = t.shape[2]}
      end
    end
    local sd_ink, m_ink = spread(stats, "ink")
    assert.is_true(sd_ink / m_ink > 0.12, "ink area spread " .. sd_ink / m_ink)
    assert.is_true(spread(stats, "cx") > 0.015, "horizontal position spread")
    assert.is_true(spread(stats, "cy") > 0.015, "vertical position spread")
    assert.is_true(spread(hs, "h") > 4 and spread(hs, "w") > 4, "size spread")
  end)

  it("writes <dir>/<char>/<font>_<i>.png that image_dataset_from_directory reads", function()
    local dir = tmp.dir()
    local root = dir .. "/a/b"   -- parents are created
    local chars = {"人", "口", "国"}
    local n = hf.generate(root, {characters = chars, per_class = 5, seed = 9})
    assert.equal(15, n)
    local used = {}
    for _, c in ipairs(chars) do
      local dirs, files = core.data_listdir(root .. "/" .. c)
      assert.same({}, dirs)
      assert.equal(5, #files)
      for _, name in ipairs(files) do
        local font, i = name:match("^(.+)_(%d)%.png$")
        assert.is_truthy(font, name)
        used[font] = true
        -- the file is render()'s sample of that font and index
        local img = cv.image.imread(root .. "/" .. c .. "/" .. name)
        assert.equal(bytes(hf.render(c, {font = font, index = tonumber(i), seed = 9})), bytes(img))
      end
    end
    local nused = 0
    for _ in pairs(used) do nused = nused + 1 end
    assert.equal(math.min(#fonts, 15), nused)   -- round-robin over the fonts
    local ds = cv.data.image_dataset_from_directory(root, {image_size = {80, 60}, color_mode = "grayscale",
      shuffle = false, verbose = false})
    assert.same({"人", "口", "国"}, ds.class_names)
    assert.equal(15, #ds.file_paths)
    assert.is_true(hf.exists(root, chars))
    assert.is_false(hf.exists(root, {"人", "木"}))
    assert.is_false(hf.exists(dir .. "/none"))
    tmp.rmtree(dir)
  end)

  it("writes the same bytes for the same seed whatever the thread count, other bytes for another seed", function()
    local dir = tmp.dir()
    local threads = cv.get_num_threads()
    local function run(sub, seed, nt)
      cv.set_num_threads(nt)
      hf.generate(dir .. "/" .. sub, {characters = {"水", "鸟"}, per_class = 4, seed = seed})
      local all = {}
      for _, c in ipairs({"水", "鸟"}) do
        local _, files = core.data_listdir(dir .. "/" .. sub .. "/" .. c)
        for _, f in ipairs(files) do all[#all + 1] = f .. "=" .. slurp(dir .. "/" .. sub .. "/" .. c .. "/" .. f) end
      end
      return table.concat(all, "|")
    end
    local ok, err = pcall(function()
      local a, b, c = run("a", 4, 1), run("b", 4, 3), run("c", 5, 2)
      assert.equal(a, b)
      assert.are_not.equal(a, c)
    end)
    cv.set_num_threads(threads)
    tmp.rmtree(dir)
    assert(ok, err)
  end)

  it("refuses unknown options, unknown fonts, bad counts, seeds and characters", function()
    local dir = tmp.dir()
    assert.has_error(function() hf.generate(dir, {per_clas = 3}) end,
      "bad argument to 'generate' (unknown option 'per_clas') (did you mean 'per_class'?)")
    assert.has_error(function() hf.render("国", {fnt = "ukai"}) end,
      "bad argument to 'render' (unknown option 'fnt') (did you mean 'font'?)")
    local ok, err = pcall(hf.generate, dir, {fonts = {"comic-sans"}})
    assert.is_false(ok)
    local _
    assert.is_truthy(err:find("unknown font 'comic-sans' (known: ", 1, true), err)
    assert.is_truthy(err:find(fonts[1].name, 1, true), err)
    _, err = pcall(hf.render, "国", {font = "nope"})
    assert.is_truthy(err:find("unknown font 'nope'", 1, true), err)
    for _, bad in ipairs({0, -1, 2.5, "7"}) do
      assert.has_error(function() hf.generate(dir, {per_class = bad}) end,
        "bad argument #2 to 'generate' (per_class must be a positive integer)")
    end
    assert.has_error(function() hf.generate(dir, {seed = 1.5}) end,
      "bad argument #2 to 'generate' (seed must be an integer)")
    assert.has_error(function() hf.generate(nil) end)
    _, err = pcall(hf.render, "国国")
    assert.is_truthy(err:find("bad argument #1 to 'render' (a character must be one UTF-8 character", 1, true), err)
    _, err = pcall(hf.generate, dir, {characters = {"人", "/"}})
    assert.is_truthy(err:find("bad argument #2 to 'generate' (a character must be", 1, true), err)
    _, err = pcall(hf.generate, dir, {fonts = {{name = "a/b", path = fonts[1].path}}})
    assert.is_truthy(err:find("a font table needs a name", 1, true), err)
    -- a character no font has: named, with its code point and the font file
    _, err = pcall(hf.render, "\u{10FFFD}", {font = fonts[1].name})
    assert.is_truthy(err:find("has no glyph for", 1, true) and err:find("U+10FFFD", 1, true)
      and err:find(fonts[1].path, 1, true), err)
    _, err = pcall(hf.generate, dir, {characters = {"\u{10FFFD}"}})
    assert.is_truthy(err:find("no selected font has a glyph", 1, true), err)
    -- a missing font file names its path
    _, err = pcall(core.fontset_open, dir .. "/missing.ttf")
    assert.is_truthy(err:find("missing.ttf", 1, true), err)
    local dirs, files = core.data_listdir(dir)
    assert.same({}, dirs)    -- nothing was created
    assert.same({}, files)
    tmp.rmtree(dir)
  end)
end)
