-- spec/decode_spec.lua: preprocess_input and decode_predictions (cvision.applications.decode)
local cv = require "cvision"
local decode = require "cvision.applications.decode"

describe("preprocess_input", function()
  local x = cv.tensor{{{{255, 128, 0}}}}

  it("scales as Keras' imagenet_utils modes do", function()
    local tf = decode.preprocess_input(x, "tf"):totable()[1][1][1]
    assert.equal(1, tf[1]); assert.equal(-1, tf[3])
    assert.is_true(math.abs(tf[2] - (128 / 127.5 - 1)) < 1e-6)
    local caffe = decode.preprocess_input(x, "caffe"):totable()[1][1][1]   -- BGR, minus the BGR means
    assert.is_true(math.abs(caffe[1] - (0 - 103.939)) < 1e-4)
    assert.is_true(math.abs(caffe[2] - (128 - 116.779)) < 1e-4)
    assert.is_true(math.abs(caffe[3] - (255 - 123.68)) < 1e-4)
    local torch = decode.preprocess_input(x, "torch"):totable()[1][1][1]
    assert.is_true(math.abs(torch[1] - (1 - 0.485) / 0.229) < 1e-5)
    assert.is_true(math.abs(torch[3] - (0 - 0.406) / 0.225) < 1e-5)
    assert.equal(128, decode.preprocess_input(x, "none"):totable()[1][1][1][2])
  end)

  it("names a bad mode or a non-RGB image", function()
    assert.has_error(function() decode.preprocess_input(x, "keras") end,
      "bad argument to 'preprocess_input' (mode must be \"tf\", \"caffe\", \"torch\" or \"none\", got keras)")
    assert.has_error(function() decode.preprocess_input(cv.zeros({1, 2, 2, 1}), "caffe") end,
      "preprocess_input: mode \"caffe\" needs RGB images (3 channels), got 1")
  end)
end)

describe("decode_predictions", function()
  local p = cv.tensor{{0.1, 0.6, 0.3}, {0.5, 0.2, 0.3}}

  it("lists the top classes, most probable first, and prints like the lecture", function()
    local top = decode.decode_predictions(p, {top = 2, classes = {"cat", "dog", "fish"}})
    assert.equal(2, #top)
    local id, name, prob = table.unpack(top[1][1])
    assert.equal(2, id); assert.equal("dog", name); assert.is_true(math.abs(prob - 0.6) < 1e-6)
    assert.equal("fish", top[1][2][2])
    assert.equal("Image #0:\n 2 - dog 60%\n 3 - fish 30%\n\nImage #1:\n 1 - cat 50%\n 3 - fish 30%\n", tostring(top))
  end)

  it("names hanzi classes with pinyin and an English gloss (CC-CEDICT)", function()
    local py, gloss = decode.gloss("东")
    assert.equal("dōng", py)
    assert.truthy(gloss:find("^east"))
    assert.equal("shān", (decode.gloss("山")))
  end)

  it("says what is wrong", function()
    assert.has_error(function() decode.decode_predictions(p, {classes = {"a", "b"}}) end,
      "decode_predictions: the predictions have 3 classes, the class list 2")
    assert.has_error(function() decode.decode_predictions(p, {classes = "imagenet"}) end)
    assert.has_error(function() decode.decode_predictions(p, {tops = 3}) end,
      "bad argument to 'decode_predictions' (unknown option 'tops')")
    assert.has_error(function() decode.decode_predictions(cv.zeros({3}), {classes = {}}) end)
  end)
end)
