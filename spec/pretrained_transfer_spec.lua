-- spec/pretrained_transfer_spec.lua: cvision's shipped pretrained base (MobileNetV2{weights =
-- "hanzi"}, 1,000 characters none of which is the lecture's) transfers: on a small task of the
-- lecture's characters with few images, features of the frozen base + a new head beat the same
-- budget spent on a small CNN from scratch by a clear margin (a loose check of what
-- examples/transfer_learning.lua prints in full). Images come from the handwriting generator:
-- training writers of seed 501, test images from the held-out writers of seed 502.
local cv = require "cvision"
local hanzi = require "cvision.datasets.hanzi"
local pretrained = require "cvision.applications.pretrained"
local L = cv.layers

local CLASSES, TRAIN, TEST = 12, 8, 10

local function images(chars, split, per_class, seed)
  local x = cv.zeros({#chars * per_class, 64, 64, 1})
  local y = cv.zeros({#chars * per_class})
  local n = 0
  for c, ch in ipairs(chars) do
    for i = 1, per_class do
      n = n + 1
      local img = hanzi.render(ch, {seed = seed, split = split, index = i})
      x[n] = cv.image.resize(img, {64, 64}):float()
      y[n] = c
    end
  end
  return x, y
end

describe("the pretrained hanzi base", function()
  local installed = io.open(pretrained.hanzi_path(), "rb")
  if installed then installed:close() end

  it("is shipped with its JSON (classes, accuracy on held-out writers, checksum)", function()
    assert.truthy(installed, pretrained.hanzi_path() .. " is missing: `make pretrained` writes it")
    local info = assert(require("cvision.applications.decode").hanzi_base_info())
    assert.equal(1000, #info.classes)
    assert.equal(64, #info.sha256)
    local lecture = {}
    for _, c in ipairs(hanzi.characters("lecture")) do lecture[c] = true end
    for _, c in ipairs(info.classes) do assert.is_nil(lecture[c], c .. " is one of the lecture's characters") end
    assert.is_true(info.test_accuracy > 0.5)
  end)

  it("beats a CNN from scratch on a few images of new characters", function()
    if not installed then error(pretrained.hanzi_path() .. " is missing: `make pretrained` writes it") end
    cv.manual_seed(7)
    local chars = table.move(hanzi.characters("lecture"), 1, CLASSES, 1, {})
    local x, y = images(chars, "Train", TRAIN, 501)
    local xt, yt = images(chars, "Test", TEST, 502)
    -- (b) the frozen base as a feature extractor and a new softmax head
    local base = cv.applications.MobileNetV2{weights = "hanzi", alpha = 0.35, input_shape = {64, 64, 1},
      include_top = false, pooling = "avg"}
    local prep = cv.applications.mobilenet_v2.preprocess_input
    local f, ft = base:predict(prep(x), {verbose = 0}), base:predict(prep(xt), {verbose = 0})
    local head = cv.Sequential{cv.Input{1280}, L.Dense(CLASSES, {activation = "softmax"})}
    head:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    head:fit(f, y, {epochs = 60, batch_size = 32, verbose = 0})
    local transfer = head:evaluate(ft, yt, {verbose = 0, return_dict = true}).accuracy
    -- (a) a small CNN from scratch on the same images, as many epochs
    local cnn = cv.Sequential{cv.Input{64, 64, 1}, L.Rescaling(1 / 255),
      L.Conv2D(8, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = {4, 4}},
      L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = {4, 4}},
      L.Flatten(), L.Dense(CLASSES, {activation = "softmax"})}
    cnn:compile{optimizer = cv.optimizers.Adam(3e-3), loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    cnn:fit(x, y, {epochs = 60, batch_size = 32, verbose = 0})
    local scratch = cnn:evaluate(xt, yt, {verbose = 0, return_dict = true}).accuracy
    assert.is_true(transfer > scratch + 0.15, ("pretrained %.3f vs scratch %.3f"):format(transfer, scratch))
    assert.is_true(transfer > 0.6, ("pretrained %.3f"):format(transfer))
  end)
end)
