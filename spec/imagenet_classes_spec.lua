-- spec/imagenet_classes_spec.lua: ImageNet-1k's class list (lua/cvision/applications/
-- imagenet_classes.lua, made by tools/vendor_imagenet.py) and decode_predictions{classes = "imagenet"}
local cv = require "cvision"
local decode = require "cvision.applications.decode"
local core = require "cvision.core"

-- the lecture's printed pairs, at Keras' (0-based) class indices
local LECTURE = {
  [834] = {"n04350905", "suit"}, [906] = {"n04591157", "Windsor_tie"}, [413] = {"n02749479", "assault_rifle"},
  [598] = {"n03529860", "home_theater"}, [813] = {"n04270147", "spatula"}, [830] = {"n04336792", "stretcher"},
  [745] = {"n04009552", "projector"}, [722] = {"n03942813", "ping-pong_ball"}, [438] = {"n02815834", "beaker"},
  [737] = {"n03983396", "pop_bottle"},
}

-- probabilities (N, 1000), zero but for {row = {[keras index] = p, ...}}
local function probs(rows)
  local t = {}
  for i, r in ipairs(rows) do
    t[i] = {}
    for j = 1, 1000 do t[i][j] = r[j - 1] or 0 end
  end
  return cv.tensor(t)
end

describe("imagenet_class_names", function()
  it("reads the list only when first asked for it", function()
    assert.is_nil(package.loaded["cvision.applications.imagenet_classes"])
    cv.applications.imagenet_class_names()
    assert.is_table(package.loaded["cvision.applications.imagenet_classes"])
  end)

  it("has 1,000 different wnids in sorted order, each with a name", function()
    local names, wnids = cv.applications.imagenet_class_names()
    assert.equal(1000, #wnids); assert.equal(1000, #names)
    local seen = {}
    for i, w in ipairs(wnids) do
      assert.truthy(w:match("^n%d%d%d%d%d%d%d%d$"), w)
      assert.is_nil(seen[w], w)
      seen[w] = true
      if i > 1 then assert.is_true(wnids[i - 1] < w, w) end
      assert.truthy(names[i]:match("^[%w_'%.%-]+$"), names[i])
    end
    assert.equal("n01440764", wnids[1]); assert.equal("tench", names[1])
    assert.equal("n15075141", wnids[1000]); assert.equal("toilet_tissue", names[1000])
  end)

  it("puts the lecture's classes at Keras' indices", function()
    local names, wnids = cv.applications.imagenet_class_names()
    for k, pair in pairs(LECTURE) do
      assert.same(pair, {wnids[k + 1], names[k + 1]})
    end
    -- names two synsets share, told apart by their wnids as in Keras
    assert.same({"n02012849", "crane"}, {wnids[135], names[135]})
    assert.same({"n03126707", "crane"}, {wnids[518], names[518]})
  end)

  it("makes Keras' imagenet_class_index.json byte for byte", function()
    -- written as Python's json.dumps writes it: the file whose MD5 Keras checks
    -- (c2c37ea517e94d9795004a39431a14cb); this is its SHA-256, as tools/vendor_imagenet.py prints it
    local names, wnids = cv.applications.imagenet_class_names()
    local parts = {}
    for i = 1, 1000 do parts[i] = ('"%d": ["%s", "%s"]'):format(i - 1, wnids[i], names[i]) end
    local json = "{" .. table.concat(parts, ", ") .. "}"
    assert.equal("a1e7a966a1f601d39e4b43e119b3e7dd4a2ad3ea08cf69847cbaf021013767bc", core.sha256(json))
  end)

  it("gives new tables each call", function()
    local names = cv.applications.imagenet_class_names()
    names[835] = "changed"
    assert.equal("suit", (cv.applications.imagenet_class_names())[835])
  end)
end)

describe("decode_predictions with classes = \"imagenet\"", function()
  it("gives the top k as Keras' {wnid, name, probability}, most probable first", function()
    local p = probs{{[834] = 0.62, [906] = 0.25, [413] = 0.05, [598] = 0.07},
                    {[813] = 0.3, [830] = 0.5, [745] = 0.2}}
    local top = cv.applications.decode_predictions(p, {top = 3, classes = "imagenet"})
    assert.equal(2, #top); assert.equal(3, #top[1]); assert.equal(3, #top[2])
    local wnid, name, prob = table.unpack(top[1][1])
    assert.equal("n04350905", wnid); assert.equal("suit", name)
    assert.is_true(math.abs(prob - 0.62) < 1e-6)
    assert.same({"n04591157", "Windsor_tie"}, {top[1][2][1], top[1][2][2]})
    assert.same({"n03529860", "home_theater"}, {top[1][3][1], top[1][3][2]})
    assert.same({"n04336792", "n04270147", "n04009552"}, {top[2][1][1], top[2][2][1], top[2][3][1]})
    assert.equal("Image #0:\n n04350905 - suit 62%\n n04591157 - Windsor_tie 25%\n n03529860 - home_theater 7%\n\n"
      .. "Image #1:\n n04336792 - stretcher 50%\n n04270147 - spatula 30%\n n04009552 - projector 20%\n",
      tostring(top))
  end)

  it("defaults to the top 5, as Keras", function()
    local top = decode.decode_predictions(probs{{[438] = 0.5, [737] = 0.3, [722] = 0.1, [1] = 0.04, [2] = 0.03,
      [3] = 0.02}}, {classes = "imagenet"})
    assert.equal(5, #top[1])
    assert.same({"beaker", "pop_bottle", "ping-pong_ball", "goldfish", "great_white_shark"},
      {top[1][1][2], top[1][2][2], top[1][3][2], top[1][4][2], top[1][5][2]})
  end)

  it("names the shape of predictions that are not (N, 1000)", function()
    assert.has_error(function() decode.decode_predictions(cv.zeros({2, 3}), {classes = "imagenet"}) end,
      "decode_predictions: classes = \"imagenet\" expects a batch of predictions (N, 1000), got shape (2, 3)")
    assert.has_error(function() decode.decode_predictions(cv.zeros({1000}), {classes = "imagenet"}) end,
      "decode_predictions: classes = \"imagenet\" expects a batch of predictions (N, 1000), got shape (1000)")
    assert.has_error(function() decode.decode_predictions(cv.zeros({1, 1001}), {classes = "imagenet"}) end,
      "decode_predictions: classes = \"imagenet\" expects a batch of predictions (N, 1000), got shape (1, 1001)")
    assert.has_error(function() decode.decode_predictions(cv.zeros({3}), {classes = {"a", "b", "c"}}) end,
      "bad argument #1 to 'decode_predictions' (a tensor of probabilities (N, classes) expected, got shape (3))")
    assert.has_error(function() decode.decode_predictions(cv.zeros({1, 3}), {classes = "imagenet1k"}) end,
      "bad argument to 'decode_predictions' (classes must be nil, \"imagenet\" or a list of names)")
  end)
end)
