-- spec/hanzi_spec.lua: the synthetic handwriting dataset (cvision.datasets.hanzi, csrc/hanzi.c)
local cv = require "cvision"
local hanzi = require "cvision.datasets.hanzi"
local core = cv.core

local tmp = require "spec.helpers.tmpdir"
local tmpdir, rmtree = tmp.dir, tmp.rmtree

local function slurp(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

describe("hanzi dataset", function()
  it("has the lecture's 55 classes in sorted order and its file totals", function()
    assert.equal(55, #hanzi.classes)
    local sorted = {table.unpack(hanzi.classes)}
    table.sort(sorted)
    assert.same(sorted, hanzi.classes)
    local tr, te = 0, 0
    for _, c in ipairs(hanzi.classes) do
      tr = tr + hanzi.train_counts[c]
      te = te + hanzi.test_counts[c]
    end
    assert.equal(32206, tr)
    assert.equal(7684, te)
    assert.equal(240, hanzi.train_counts["囡"])
    assert.equal(60, hanzi.test_counts["啖"])
  end)

  it("has stroke data for every class", function()
    local s = hanzi.strokes()
    assert.equal("2.0.1", s.version)
    for _, c in ipairs(hanzi.classes) do
      assert.is_table(s.chars[c], c)
      assert.truthy(#s.chars[c].medians >= 1)
    end
  end)

  it("renders dark ink on a light page, at CASIA-like sizes", function()
    local img = hanzi.render("森", {seed = 1, index = 3})
    local h, w = img.shape[1], img.shape[2]
    assert.equal(1, img.shape[3])
    assert.equal("uint8", img.dtype)
    assert.truthy(h >= 40 and h <= 130 and w >= 12 and w <= 140, h .. "x" .. w)
    assert.truthy(img:min() < 120)                       -- some ink
    local f = img:astype("float32")
    local light = (f:gt(200)):astype("float32"):mean()
    assert.truthy(light > 0.5)                           -- mostly paper
  end)

  -- the writers vary as people do (issue 13): per writer, the ink area (stroke width against the
  -- character's size), the ink's darkness, and where the character sits in its crop
  it("varies stroke width, ink and position across writers", function()
    local n, area, darkest, cx, top, tight = 60, {}, {}, {}, {}, 0
    for wr = 1, n do
      local img = hanzi.render("口", {seed = 5, index = wr})
      local h, w = img.shape[1], img.shape[2]
      local px = img:reshape{h * w}:totable()
      local lo = 255
      for i = 1, #px do lo = math.min(lo, px[i]) end
      local thr = (lo + 200) / 2            -- half way from this writer's ink to the page
      local ink, sx, first = 0, 0, nil
      for i = 1, #px do
        if px[i] < thr then
          ink = ink + 1
          sx = sx + ((i - 1) % w + 0.5) / w
          first = first or (i - 1) // w
        end
      end
      area[wr], darkest[wr], cx[wr], top[wr] = ink / #px, lo, sx / ink, first / h
      if first / h < 0.06 then tight = tight + 1 end
    end
    local function spread(t)
      table.sort(t)
      return t[#t * 9 // 10] - t[#t // 10 + 1]   -- 10th to 90th percentile
    end
    local a = {table.unpack(area)}
    table.sort(a)
    assert.truthy(a[#a * 9 // 10] / a[#a // 10 + 1] > 2, "ink area (stroke width) spread")
    assert.truthy(spread(darkest) > 40, "ink darkness spread")
    assert.truthy(spread(cx) > 0.04, "horizontal position spread")
    assert.truthy(spread(top) > 0.1, "top margin spread")
    assert.truthy(tight > n / 5 and tight < n * 4 / 5, "tight crops and crops with margins: " .. tight)
  end)

  it("gives different writers different images of one character", function()
    local a = hanzi.render("人", {seed = 1, index = 1})
    local b = hanzi.render("人", {seed = 1, index = 2})
    local same = a.shape[1] == b.shape[1] and a.shape[2] == b.shape[2]
      and core.tobytes(a) == core.tobytes(b)
    assert.is_false(same)
  end)

  it("finds its stroke data (CVISION_HANZI_DATA aside) and seeds each sample apart", function()
    local f = io.open(hanzi.data_file(), "rb")
    assert.truthy(f, hanzi.data_file())
    f:close()
    local s = hanzi.sample_seed(1, "Train", 3, 1)
    assert.equal("integer", math.type(s))
    assert.equal(s, hanzi.sample_seed(1, "Train", 3, 1))
    for _, other in ipairs({hanzi.sample_seed(2, "Train", 3, 1), hanzi.sample_seed(1, "Test", 3, 1),
                            hanzi.sample_seed(1, "Train", 4, 1), hanzi.sample_seed(1, "Train", 3, 2)}) do
      assert.are_not.equal(s, other)
    end
  end)

  it("is deterministic: same seed, same bytes; another seed, other bytes", function()
    local d1, d2, d3 = tmpdir(), tmpdir(), tmpdir()
    local opts = {seed = 5, per_class = 2, test_per_class = 1, classes = {"口", "木", "鸟"}, verbose = false}
    hanzi.generate(d1, opts)
    hanzi.generate(d2, opts)
    opts.seed = 6
    hanzi.generate(d3, opts)
    local differ = false
    for _, split in ipairs({"Train", "Test"}) do
      for _, c in ipairs({"口", "木", "鸟"}) do
        local _, files = core.data_listdir(d1 .. "/" .. split .. "/" .. c)
        for _, f in ipairs(files) do
          local p = "/" .. split .. "/" .. c .. "/" .. f
          assert.equal(slurp(d1 .. p), slurp(d2 .. p))
          if slurp(d1 .. p) ~= slurp(d3 .. p) then differ = true end
        end
      end
    end
    rmtree(d1); rmtree(d2); rmtree(d3)
    assert.is_true(differ)
  end)

  it("writes balanced classes that image_dataset_from_directory reads back", function()
    local d = tmpdir()
    hanzi.generate(d, {seed = 3, per_class = 3, test_per_class = 2, verbose = false})
    local counts = cv.data.count_images(d .. "/Train")
    assert.same(hanzi.classes, counts.classes)
    for _, c in ipairs(hanzi.classes) do assert.equal(3, counts.counts[c]) end
    local test = cv.data.count_images(d .. "/Test")
    assert.equal(110, test:total())
    local ds = cv.data.image_dataset_from_directory(d .. "/Train", {image_size = {80, 60},
      shuffle = false, color_mode = "grayscale", verbose = false})
    local X, y = ds:to_tensors()
    rmtree(d)
    assert.same({165, 80, 60, 1}, X.shape)
    assert.equal(1, y:at(1))
    assert.equal(55, y:at(165))
    assert.same(hanzi.classes, ds.class_names)
  end)

  it("keeps Test writers apart from Train writers", function()
    -- sample 1 of Train and sample 1 of Test have different writers, hence different images
    local a = hanzi.render("大", {seed = 9, index = 1, split = "Train"})
    local b = hanzi.render("大", {seed = 9, index = 1, split = "Test"})
    assert.truthy(a.shape[1] ~= b.shape[1] or a.shape[2] ~= b.shape[2] or core.tobytes(a) ~= core.tobytes(b))
    assert.truthy(hanzi.test_writer_base > 604)
  end)
end)

-- the stroke data is a Lua table constructor: read as data only (issue 18), never run as code
describe("hanzi.read_stroke_data", function()
  local dir
  setup(function() dir = tmpdir() end)
  teardown(function() rmtree(dir) end)
  local function file(name, s)
    local p = dir .. "/" .. name
    assert(io.open(p, "wb")):write(s):close()
    return p
  end
  local function refused(p, pattern)
    local ok, err = pcall(hanzi.read_stroke_data, p)
    assert.is_false(ok)
    assert.is_truthy(err:find("hanzi: stroke data: ", 1, true), err)
    assert.is_truthy(err:find(p, 1, true), err)
    assert.is_truthy(err:find(pattern), err)
  end

  it("reads the vendored file and a small one, with comments and long strings", function()
    assert.equal(3502, (function() local n = 0 for _ in pairs(hanzi.strokes().chars) do n = n + 1 end return n end)())
    local t = hanzi.read_stroke_data(file("ok.lua", '-- c "x\n--[[ long\n comment ]]\nreturn {version = [==[a]]b]==], '
      .. 'chars = {["口"] = {medians = {{1, -2, 3, 4}}, rad = {1}}}, flag = true, none = nil}'))
    assert.equal("a]]b", t.version)
    assert.same({1, -2, 3, 4}, t.chars["口"].medians[1])
  end)

  it("refuses code: loops, calls, concatenation, indexing", function()
    refused(file("loop.lua", "while true do end"), "the keyword '%a+'")
    refused(file("rep.lua", 'return {chars = {}, x = ("a"):rep(1e10)}'), 'not a data file %("%("%)')
    refused(file("cat.lua", 'local s = "x" for i = 1, 40 do s = s .. s end return {chars = {}}'), "not a data file")
    refused(file("fn.lua", "return {chars = {}, f = function end}"), "the keyword 'function'")
    refused(file("esc.lua", 'return {chars = {}, s = "a\\"b"}'), "a string with an escape")
    refused(file("open.lua", "--[[ never closed"), "an unfinished comment")
    refused(file("long.lua", "return {chars = {}, s = [[ never closed"), "an unfinished long string")
  end)

  it("refuses data of the wrong shape, naming the entry", function()
    refused(file("num.lua", "return 5"), "not a table with chars")
    refused(file("nochars.lua", "return {chars = 5}"), "not a table with chars")
    refused(file("entry.lua", 'return {chars = {["x"] = 1}}'), "entry x is not {medians")
    refused(file("syntax.lua", "return {chars = {}"), "stroke data")
    refused(file("arith.lua", "return {chars = {}, x = y - 1}"), "not a table with chars .*arithmetic")
  end)

  it("reads regular files only, within the file budget", function()
    local fifo = dir .. "/fifo.lua"
    assert.is_true(os.execute("mkfifo '" .. fifo .. "'"))
    refused(fifo, "FIFO")
    refused(dir, "director")
    local saved = cv.get_limits()
    cv.set_limits{max_file_bytes = 100}
    local ok, err = pcall(hanzi.read_stroke_data, file("big.lua", "return {chars = {}}" .. (" "):rep(200)))
    cv.set_limits(saved)
    assert.is_false(ok)
    assert.is_truthy(err:find("big.lua", 1, true), err)
  end)
end)
