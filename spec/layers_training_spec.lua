-- cvision.layers in training and in inference: Dropout, BatchNormalization and the augmentation
-- layers (what changes with the training flag, the seeded stream, moving statistics). The rest of
-- the layer specs are in spec/layers_spec.lua.
local cv = require "cvision"
local L = cv.layers
local checks = require "spec.helpers.layer_checks"
local approx, assert_error_is = checks.approx, checks.assert_error_is

describe("cvision.layers", function()
  before_each(function()
    L.clear_session()
    cv.manual_seed(123)
  end)

  describe("Dropout", function()
    it("is the identity at inference", function()
      local x = cv.rand{4, 10}
      local d = L.Dropout(0.5)
      approx(x:totable(), d:forward(x, false))
      approx(x:totable(), d:forward(x))
    end)

    it("zeroes a fraction of the inputs and scales the rest by 1/(1-rate) in training", function()
      local x = cv.ones{20, 50}
      local y = L.Dropout(0.25):forward(x, true)
      local zeros, kept = 0, 0
      for _, v in ipairs(y:reshape{1000}:totable()) do
        if v == 0 then zeros = zeros + 1
        else
          assert(math.abs(v - 1 / 0.75) < 1e-6, "kept value " .. v)
          kept = kept + 1
        end
      end
      assert.is_true(zeros > 180 and zeros < 320, "dropped " .. zeros .. " of 1000")
    end)

    it("passes the gradient through the same mask", function()
      local d = L.Dropout(0.5)
      local y = d:forward(cv.ones{3, 8}, true):clone()
      local dx = d:backward(cv.ones{3, 8})
      approx(y:totable(), dx)
    end)

    it("draws the same mask after the same seed", function()
      local d = L.Dropout(0.5)
      cv.manual_seed(5)
      local a = d:forward(cv.ones{4, 8}, true):clone()
      cv.manual_seed(5)
      local b = d:forward(cv.ones{4, 8}, true)
      approx(a:totable(), b)
    end)
  end)

  describe("BatchNormalization", function()
    it("normalizes with the batch statistics in training and updates the moving ones", function()
      local bn = L.BatchNormalization()
      local x = cv.tensor{{1}, {2}, {3}, {4}}
      local y = bn:forward(x, true)
      local sd = math.sqrt(1.25 + 1e-3)
      approx({{-1.5 / sd}, {-0.5 / sd}, {0.5 / sd}, {1.5 / sd}}, y)
      local w = bn:get_weights()
      approx({1}, w[1]); approx({0}, w[2])
      approx({0.025}, w[3])                 -- 0*0.99 + 2.5*0.01
      approx({0.99 + 1.25 * 0.01}, w[4])    -- biased batch variance
    end)

    it("uses the moving statistics at inference and when not trainable", function()
      local bn = L.BatchNormalization{epsilon = 0.01}
      bn:build{2}
      bn:set_weights{cv.tensor{2, 1}, cv.tensor{0.5, 0}, cv.tensor{1, -1}, cv.tensor{0.99, 3.99}}
      local x = cv.tensor{{2, 1}, {0, 3}}
      -- std = sqrt(var + eps) = {1, 2}; y = gamma*(x - mean)/std + beta
      local expect = {{2 * (2 - 1) / 1 + 0.5, (1 + 1) / 2}, {2 * (0 - 1) / 1 + 0.5, (3 + 1) / 2}}
      approx(expect, bn:forward(x, false))
      bn.trainable = false
      approx(expect, bn:forward(x, true))
      approx({1, -1}, bn:get_weights()[3])  -- no moving update
      assert.same({}, bn:params())
    end)

    it("has Keras' weight order and defaults", function()
      local bn = L.BatchNormalization()
      assert.equal(0.99, bn.momentum)
      assert.equal(1e-3, bn.epsilon)
      bn:build{3, 3, 4}
      assert.same({"gamma", "beta", "moving_mean", "moving_variance"}, bn.weight_names)
      assert.equal(2, #bn:params())
    end)
  end)

  describe("augmentation layers", function()
    local x = cv.arange(1, 13):reshape{1, 3, 4, 1}
    local function rows(t) return t:reshape{3, 4}:totable() end

    it("are the identity at inference", function()
      for _, layer in ipairs{L.RandomFlip(), L.RandomRotation(0.2), L.RandomZoom(0.2),
          L.RandomTranslation(0.1, 0.1), L.RandomContrast(0.3)} do
        assert.is_true(rawequal(x, layer:forward(x)))
        assert.is_true(rawequal(x, layer:forward(x, false)))
      end
    end)

    it("RandomFlip flips each image with probability 1/2", function()
      local batch = cv.arange(1, 3):reshape{1, 1, 2, 1} * cv.ones{200, 1, 2, 1}
      local y = L.RandomFlip("horizontal"):forward(batch, true):reshape{200, 2}:totable()
      local flipped = 0
      for _, r in ipairs(y) do
        if r[1] == 2 and r[2] == 1 then flipped = flipped + 1 else assert.same({1, 2}, r) end
      end
      assert.is_true(flipped > 70 and flipped < 130, "flipped " .. flipped)
      local v = L.RandomFlip("vertical"):forward(cv.arange(1, 3):reshape{1, 2, 1, 1} * cv.ones{50, 2, 1, 1}, true)
      for _, r in ipairs(v:reshape{50, 2}:totable()) do assert.is_true(r[1] + r[2] == 3) end
    end)

    it("RandomRotation rotates counter-clockwise by factor * 2 pi", function()
      approx({{12, 11, 10, 9}, {8, 7, 6, 5}, {4, 3, 2, 1}}, rows(L.RandomRotation{0.5, 0.5}:forward(x, true)))
      local sq = cv.arange(1, 10):reshape{1, 3, 3, 1}
      approx({{3, 6, 9}, {2, 5, 8}, {1, 4, 7}},
        L.RandomRotation({0.25, 0.25}):forward(sq, true):reshape{3, 3}, 1e-4)
    end)

    it("RandomTranslation shifts by a fraction of the size and fills as asked", function()
      approx({{0, 0, 0, 0}, {1, 2, 3, 4}, {5, 6, 7, 8}},
        rows(L.RandomTranslation({1 / 3, 1 / 3}, 0, {fill_mode = "constant"}):forward(x, true)))
      approx({{1, 2, 3, 4}, {1, 2, 3, 4}, {5, 6, 7, 8}},      -- reflect: (d c b a | a b c d)
        rows(L.RandomTranslation({1 / 3, 1 / 3}, 0):forward(x, true)))
      approx({{2, 3, 4, 1}, {6, 7, 8, 5}, {10, 11, 12, 9}},
        rows(L.RandomTranslation(0, {-0.25, -0.25}, {fill_mode = "wrap"}):forward(x, true)))
      approx({{1, 1, 2, 3}, {5, 5, 6, 7}, {9, 9, 10, 11}},
        rows(L.RandomTranslation(0, {0.25, 0.25}, {fill_mode = "nearest"}):forward(x, true)))
    end)

    it("RandomZoom zooms out for positive factors, about the centre", function()
      approx(rows(x), rows(L.RandomZoom(0):forward(x, true)))
      approx({{0, 0, 0, 0}, {0, 5.5, 7.5, 0}, {0, 0, 0, 0}},
        rows(L.RandomZoom({1, 1}, nil, {fill_mode = "constant"}):forward(x, true)))
    end)

    it("RandomContrast scales around each image's mean and clips to value_range", function()
      -- factor {0, 0}: k = 1 exactly
      approx(rows(x), rows(L.RandomContrast({0, 0}):forward(x, true)))
      local c = L.RandomContrast({0.5, 0.5}, {value_range = {0, 8}})
      cv.manual_seed(1)
      local k = 0.5 + cv.rand({1}):totable()[1]
      cv.manual_seed(1)
      local y = rows(c:forward(x, true))
      for i = 1, 3 do
        for j = 1, 4 do
          local v = (4 * (i - 1) + j - 6.5) * k + 6.5
          assert.is_true(math.abs(y[i][j] - math.max(0, math.min(8, v))) < 1e-4)
        end
      end
    end)

    it("accept uint8 images and check their arguments", function()
      local y = L.RandomFlip():forward(cv.tensor({{{{1}, {2}}}}, "uint8"), true)
      assert.equal("float32", y.dtype)
      assert_error_is("mode must be", L.RandomFlip, "diagonal")
      assert_error_is("fill_mode must be", L.RandomRotation, 0.1, {fill_mode = "mirror"})
      assert_error_is("random_zoom (RandomZoom): expected input of rank 3 (height, width, channels), got (None, 5)",
        function() local z = L.RandomZoom(0.1, nil, {name = "random_zoom"}); z:build{5} end)
    end)
  end)
end)
