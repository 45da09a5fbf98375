-- spec/data_spec.lua: cvision.data (image_dataset_from_directory, train_test_split, folder tools)
local cv = require "cvision"
local data = require "cvision.data"
local core = cv.core

local tmp = require "spec.helpers.tmpdir"
local tmpdir, rmtree = tmp.dir, tmp.rmtree

local function write(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
end

-- an h x w gray PNG filled with v
local function png(path, h, w, v, c)
  local t = cv.full({h, w, c or 1}, v, "uint8")
  cv.imwrite(path, t)
end

-- a 24-bit BMP of one colour
local function bmp(path, h, w, r, g, b)
  local rowlen = (w * 3 + 3) // 4 * 4
  local size = 54 + rowlen * h
  local px = {}
  for _ = 1, h do
    local row = string.rep(string.char(b, g, r), w)
    px[#px + 1] = row .. string.rep("\0", rowlen - w * 3)
  end
  write(path, "BM" .. string.pack("<I4I2I2I4", size, 0, 0, 54)
    .. string.pack("<I4i4i4I2I2I4I4i4i4I4I4", 40, w, h, 1, 24, 0, rowlen * h, 2835, 2835, 0, 0)
    .. table.concat(px))
end

-- a 1x1 GIF (one white pixel)
local GIF1 = "GIF89a\1\0\1\0\128\0\0\255\255\255\0\0\0!\249\4\0\0\0\0\0,\0\0\0\0\1\0\1\0\0\2\2D\1\0;"

describe("image_dataset_from_directory", function()
  local root
  setup(function()
    root = tmpdir()
    -- classes named to test byte order: "b" < "东" < "人"? No: bytes of 东 (E4 B8 9C) < 人 (E4 BA BA)
    for _, c in ipairs({"人", "东", "b"}) do assert(core.data_mkdir(root .. "/" .. c)) end
    png(root .. "/东/1.png", 10, 8, 10)
    png(root .. "/东/2.png", 20, 16, 20)
    png(root .. "/人/a.png", 6, 6, 30)
    bmp(root .. "/人/b.bmp", 4, 3, 200, 100, 50)
    write(root .. "/人/notes.txt", "not an image")
    write(root .. "/人/c.gif", GIF1)
    assert(core.data_mkdir(root .. "/b/sub"))
    png(root .. "/b/z.PNG", 5, 5, 40)
    png(root .. "/b/sub/y.png", 5, 5, 50)
  end)
  teardown(function() rmtree(root) end)

  it("sorts classes by their UTF-8 bytes, as Python sorts str", function()
    local ds = data.image_dataset_from_directory(root, {image_size = {4, 4}, shuffle = false, verbose = false})
    assert.same({"b", "东", "人"}, ds.class_names)
  end)

  it("lists files class by class, skips non-images, reads subfolders, gives 1-based labels", function()
    local ds = data.image_dataset_from_directory(root, {image_size = {4, 4}, shuffle = false,
      color_mode = "grayscale", verbose = false})
    assert.equal(7, #ds.file_paths)
    assert.equal(root .. "/b/z.PNG", ds.file_paths[1])
    assert.equal(root .. "/b/sub/y.png", ds.file_paths[2])
    assert.equal(root .. "/东/1.png", ds.file_paths[3])
    local X, y = ds:to_tensors()
    assert.same({7, 4, 4, 1}, X.shape)
    assert.equal("float32", X.dtype)
    assert.same({1, 1, 2, 2, 3, 3, 3}, y:totable())
    assert.equal(40, X:at(1, 1, 1, 1))
    assert.equal(10, X:at(3, 2, 2, 1))
    assert.equal(20, X:at(4, 4, 4, 1))
  end)

  it("prints Found N files belonging to K classes.", function()
    local printed = {}
    local old = _G.print
    _G.print = function(s) printed[#printed + 1] = s end
    local ok, err = pcall(data.image_dataset_from_directory, root, {image_size = {4, 4}, shuffle = false})
    _G.print = old
    assert(ok, err)
    assert.equal("Found 7 files belonging to 3 classes.", printed[1])
  end)

  it("converts color modes and resizes", function()
    local ds = data.image_dataset_from_directory(root .. "/人", {image_size = {3, 5}, shuffle = false,
      labels = false, color_mode = "rgb", verbose = false})
    local X = ds:to_tensors()
    assert.same({3, 3, 5, 3}, X.shape)
    -- a.png is gray 30 -> (30, 30, 30); b.bmp is (200, 100, 50)
    assert.equal(30, X:at(1, 1, 1, 2))
    assert.same({200, 100, 50}, {X:at(2, 2, 3, 1), X:at(2, 2, 3, 2), X:at(2, 2, 3, 3)})
    local rgba = data.image_dataset_from_directory(root .. "/人", {image_size = {2, 2}, shuffle = false,
      labels = false, color_mode = "rgba", verbose = false}):to_tensors()
    assert.same({3, 2, 2, 4}, rgba.shape)
    assert.equal(255, rgba:at(2, 1, 1, 4))
    local gray = data.image_dataset_from_directory(root .. "/人", {image_size = {2, 2}, shuffle = false,
      labels = false, color_mode = "grayscale", verbose = false}):to_tensors()
    -- Pillow's luma rounding: 0.299*200 + 0.587*100 + 0.114*50 = 124.2
    assert.equal(124, gray:at(2, 1, 1, 1))
    local near = data.image_dataset_from_directory(root .. "/东", {image_size = {5, 4}, shuffle = false, labels = false,
      color_mode = "grayscale", interpolation = "nearest", verbose = false}):to_tensors()
    assert.same({2, 5, 4, 1}, near.shape)
  end)

  it("measures every image under a folder with image_dimensions (heights, widths)", function()
    local hs, ws = data.image_dimensions(root .. "/东")
    local dims = {}
    for i = 1, #hs do dims[i] = hs[i] .. "x" .. ws[i] end
    table.sort(dims)
    assert.same({"10x8", "20x16"}, dims)
    hs = data.image_dimensions(root)
    assert.equal(7, #hs)
  end)

  it("iterates in batches and counts them with #", function()
    local ds = data.image_dataset_from_directory(root, {image_size = {4, 4}, shuffle = false, batch_size = 3,
      color_mode = "grayscale", verbose = false})
    assert.equal(3, #ds)
    assert.equal(3, ds:num_batches())
    assert.equal(3, ds:cardinality())
    local sizes, labels = {}, {}
    for xb, yb in ds:batches() do
      sizes[#sizes + 1] = xb.shape[1]
      for _, v in ipairs(yb:totable()) do labels[#labels + 1] = v end
    end
    assert.same({3, 3, 1}, sizes)
    assert.same({1, 1, 2, 2, 3, 3, 3}, labels)
  end)

  it("maps batches lazily with ds:map(fn) and lists them with totable (tf.data's map, list(ds))", function()
    local ds = data.image_dataset_from_directory(root, {image_size = {4, 4}, shuffle = false, batch_size = 3,
      color_mode = "grayscale", verbose = false})
    local calls = 0
    local xs = ds:map(function(x) calls = calls + 1; return x end)
    assert.equal(0, calls)
    assert.equal(3, #xs)
    local list = xs:totable()
    assert.equal(3, calls)
    assert.equal(3, #list)
    local all = cv.concatenate(list)
    assert.same({7, 4, 4, 1}, all.shape)
    assert.equal(0, (all - ds:to_tensors()):abs():max())
    local pairs_ = ds:map(function(x, y) return x / 255, y + 10 end):map(function(x, y) return x, y * 2 end)
    local labels = {}
    for xb, yb in pairs_:batches() do
      assert.is_true(xb:max() <= 1)
      for _, v in ipairs(yb:totable()) do labels[#labels + 1] = v end
    end
    assert.same({22, 22, 24, 24, 26, 26, 26}, labels)
    assert.equal(3, #ds:totable())
    assert.same({3, 1}, {ds:totable()[1][1].shape[1], ds:totable()[3][2]:numel()})
    assert.has_error(function() ds:map(1) end, "bad argument #1 to 'map' (function expected, got number)")
  end)

  it("splits with validation_split into disjoint, reproducible subsets", function()
    local opts = {image_size = {4, 4}, seed = 42, validation_split = 0.3, subset = "both", verbose = false}
    local tr, va = data.image_dataset_from_directory(root, opts)
    assert.equal(5, #tr.file_paths)   -- 7 - floor(0.3 * 7)
    assert.equal(2, #va.file_paths)
    local seen = {}
    for _, p in ipairs(tr.file_paths) do seen[p] = true end
    for _, p in ipairs(va.file_paths) do assert.is_nil(seen[p]) end
    opts.subset = "validation"
    local va2 = data.image_dataset_from_directory(root, opts)
    assert.same(va.file_paths, va2.file_paths)
    opts.subset = "training"
    local tr2 = data.image_dataset_from_directory(root, opts)
    assert.same(tr.file_paths, tr2.file_paths)
    -- labels follow their files through the shuffle
    local _, y = tr:to_tensors()
    local yt = y:totable()
    for i, p in ipairs(tr.file_paths) do
      local cls = p:sub(#root + 2):match("^[^/]+")
      assert.equal(cls, tr.class_names[yt[i]])
    end
  end)

  it("shuffles with numpy's RandomState(seed)", function()
    local l = {}
    for i = 0, 9 do l[#l + 1] = i end
    data.RandomState(7):shuffle(l)
    assert.same({8, 5, 0, 2, 1, 9, 7, 3, 6, 4}, l)   -- np.random.RandomState(7).shuffle
  end)

  it("draws numpy's RandomState(seed).random_sample() doubles", function()
    local rs = data.RandomState(5)
    assert.equal(0.22199317108973948, rs:random())   -- np.random.RandomState(5).random_sample()
    assert.equal(0.8707323061773764, rs:random())
  end)

  it("refuses validation_split with shuffle but no seed, and bad options", function()
    assert.has_error(function()
      data.image_dataset_from_directory(root, {validation_split = 0.2, subset = "training", verbose = false})
    end)
    assert.has_error(function() data.image_dataset_from_directory(root, {color_mode = "cmyk"}) end)
    assert.has_error(function() data.image_dataset_from_directory(root, {image_size = {0, 4}}) end)
  end)

  it("names an unreadable image in its error", function()
    local bad = tmpdir()
    assert(core.data_mkdir(bad .. "/k"))
    png(bad .. "/k/good.png", 4, 4, 1)
    write(bad .. "/k/broken.png", "\137PNG\r\n\26\n garbage")
    local ds = data.image_dataset_from_directory(bad, {image_size = {4, 4}, shuffle = false, verbose = false})
    local ok, err = pcall(ds.to_tensors, ds)
    rmtree(bad)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("broken.png", 1, true))
  end)
end)

describe("train_test_split", function()
  it("uses sklearn's sizes: 32,206 rows at 0.2 give 25,764 / 6,442", function()
    local idx = cv.arange(32206)
    local tr, te = data.train_test_split(idx, {test_size = 0.2, random_state = 123})
    assert.equal(25764, tr.shape[1])
    assert.equal(6442, te.shape[1])
    -- the rows scikit-learn picks: numpy's RandomState(123).permutation(32206)
    assert.equal(25442, te:at(1))
    assert.equal(5954, te:at(2))
    assert.equal(474, tr:at(1))
  end)

  it("keeps X and y rows together and is reproducible", function()
    local X = cv.arange(100):reshape{50, 2}
    local y = cv.arange(50)
    local a, b, _, yb = data.train_test_split(X, y, {test_size = 0.3, random_state = 1})
    assert.same({35, 2}, a.shape)
    assert.same({15}, yb.shape)
    for i = 1, 15 do assert.equal(2 * yb:at(i), b:at(i, 1)) end
    local a2 = data.train_test_split(X, y, {test_size = 0.3, random_state = 1})
    assert.same(a:totable(), a2:totable())
    local c = data.train_test_split(X, y, {test_size = 0.3, random_state = 2})
    assert.are_not.same(a:totable(), c:totable())
  end)

  it("takes integer sizes and plain Lua lists", function()
    local tr, te = data.train_test_split({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {test_size = 3, random_state = 0})
    assert.equal(7, #tr)
    assert.equal(3, #te)
  end)

  it("stratifies: each class keeps its share", function()
    local labels = {}
    for i = 1, 100 do labels[i] = i <= 80 and 1 or 2 end
    local y = cv.tensor(labels)
    local _, _, ytr, yte = data.train_test_split(cv.arange(100), y,
      {test_size = 0.25, random_state = 3, stratify = y})
    local n2 = 0
    for _, v in ipairs(yte:totable()) do if v == 2 then n2 = n2 + 1 end end
    assert.equal(25, yte.shape[1])
    assert.equal(75, ytr.shape[1])
    assert.equal(5, n2)
  end)

  it("rejects mismatched rows and impossible sizes", function()
    assert.has_error(function() data.train_test_split(cv.arange(10), cv.arange(9)) end)
    assert.has_error(function() data.train_test_split(cv.arange(10), {test_size = 1.5}) end)
  end)
end)

describe("folder tools", function()
  local root
  setup(function()
    root = tmpdir()
    for _, c in ipairs({"口", "人"}) do assert(core.data_mkdir(root .. "/" .. c)) end
    png(root .. "/口/1.png", 3, 3, 0)
    png(root .. "/口/2.png", 3, 3, 0)
    png(root .. "/人/1.png", 3, 3, 0)
    write(root .. "/人/x.txt", "")
  end)
  teardown(function() rmtree(root) end)

  it("count_images counts images per class and prints a table", function()
    local c = data.count_images(root)
    assert.same({"人", "口"}, c.classes)
    assert.equal(1, c.counts["人"])
    assert.equal(2, c.counts["口"])
    assert.equal(3, c:total())
    local s = tostring(c)
    assert.truthy(s:find("口%s+2"))
    assert.truthy(s:find("total%s+3"))
  end)

  it("display_tree shows folders with file counts and the first files", function()
    local s = data.display_tree(root, {print = false, max_files = 1})
    assert.truthy(s:find("口/  (2 files)", 1, true))
    assert.truthy(s:find("1.png", 1, true))
    assert.truthy(s:find("... (1 more files)", 1, true))
  end)
end)

describe("cvision.util.text", function()
  local text = require "cvision.util.text"
  it("measures terminal cells: wide characters take two, bytes when not UTF-8", function()
    assert.equal(5, text.width("abcde"))
    assert.equal(4, text.width("汉字"))
    assert.equal(3, text.width("a汉"))
    assert.equal(2, text.width("\255\254"))
  end)
  it("cuts the longest start that fits, at whole characters", function()
    assert.same({"汉", "字x"}, {text.prefix("汉字x", 3)})
    assert.same({"ab", "c"}, {text.prefix("abc", 2)})
    assert.same({"", "汉"}, {text.prefix("汉", 1)})
  end)
end)
