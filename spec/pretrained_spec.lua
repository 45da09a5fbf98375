-- spec/pretrained_spec.lua: weights loaded by layer name (cvision.applications.pretrained), so a
-- base without its top takes the full network's weights
local cv = require "cvision"
local pretrained = require "cvision.applications.pretrained"

local function net(top, width)
  local inp = cv.Input{shape = {8, 8, 1}}
  local x = cv.layers.Conv2D(width or 4, 3, {name = "c1"})(inp)
  x = cv.layers.BatchNormalization{name = "bn1"}(x)
  x = cv.layers.GlobalAveragePooling2D{name = "gap"}(x)
  if top then x = cv.layers.Dense(5, {name = "predictions"})(x) end
  return cv.Model{inputs = inp, outputs = x}
end

describe("applications.pretrained.load_by_name", function()
  it("loads a full network's weights into its base, layer by layer name", function()
    cv.manual_seed(1)
    local full = net(true)
    local path = os.tmpname()
    full:save_weights(path)
    cv.manual_seed(2)
    local base = net(false)
    assert.equal(2, pretrained.load_by_name(base, path))      -- c1 and bn1; the top is left out
    local a, b = full:get_weights(), base:get_weights()
    for i = 1, #b do assert.equal(0, (a[i] - b[i]):abs():max()) end
    os.remove(path)
  end)

  it("names a layer the file lacks or a tensor of the wrong shape", function()
    cv.manual_seed(3)
    local path = os.tmpname()
    net(false):save_weights(path)
    assert.has_error(function() pretrained.load_by_name(net(true), path) end,
      ("load_by_name: %s: no weights for layer predictions (missing layers.predictions.kernel)"):format(path))
    assert.equal(2, pretrained.load_by_name(net(true), path, {skip_missing = true}))
    assert.has_error(function() pretrained.load_by_name(net(false, 6), path) end,
      ("load_by_name: %s: layers.c1.kernel has shape (3, 3, 1, 4), layer c1 expects (3, 3, 1, 6)"):format(path))
    os.remove(path)
    assert.has_error(function() pretrained.load_by_name(net(false), path) end)
  end)
end)

describe("MobileNetV2{weights = \"hanzi\"}", function()
  it("is only cvision's pretrained architecture, and says where its weights come from", function()
    assert.has_error(function() cv.applications.MobileNetV2{weights = "hanzi"} end,
      "MobileNetV2: weights = \"hanzi\" is cvision's pretrained MobileNetV2{alpha = 0.35, input_shape = "
      .. "{64, 64, 1}} (1,000 handwritten characters); build exactly that")
    assert.has_error(function()
      cv.applications.MobileNetV2{weights = "hanzi", alpha = 0.35, input_shape = {64, 64, 1}, classes = 55}
    end)
    local f = io.open(pretrained.hanzi_path(), "rb")
    if f then
      f:close()
      local base = cv.applications.MobileNetV2{weights = "hanzi", alpha = 0.35, input_shape = {64, 64, 1},
        include_top = false, pooling = "avg"}
      assert.same({1, 1280}, base:predict(cv.zeros({1, 64, 64, 1}), {verbose = 0}).shape)
    else
      assert.has_error(function()
        cv.applications.MobileNetV2{weights = "hanzi", alpha = 0.35, input_shape = {64, 64, 1}}
      end, ("MobileNetV2: the hanzi base's weights are not installed (%s): `make pretrained` trains them"):format(
        pretrained.hanzi_path()))
    end
  end)
end)

describe("applications.pretrained.verify", function()
  it("accepts the file whose SHA-256 it is given and names a damaged one", function()
    local path = os.tmpname()
    assert(io.open(path, "wb")):write("abc"):close()
    -- FIPS 180-2's example: SHA-256("abc")
    local abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert.equal(abc, cv.core.sha256("abc"))
    assert.equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", cv.core.sha256(""))
    assert.is_true(pretrained.verify(path, abc))
    assert(io.open(path, "wb")):write("abd"):close()
    local ok, err = pcall(pretrained.verify, path, abc)
    assert.is_false(ok)
    assert.matches("verify: " .. path:gsub("%p", "%%%0") .. ": SHA%-256 %x+, expected " .. abc, err)
    os.remove(path)
    assert.has_error(function() pretrained.verify(path, abc) end)
  end)
end)
