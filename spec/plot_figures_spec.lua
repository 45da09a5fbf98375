-- spec/plot_figures_spec.lua - the ready-made figures of cvision.plot.figures (history, failed
-- predictions, images, confusion matrix, confidence, class accuracy, the model diagram), reached
-- through cvision.plot as the lecture calls them.
local plt = require "cvision.plot"
local pixels = require "spec.helpers.plot_pixels"
local rgb, near, C0 = pixels.rgb, pixels.near, pixels.C0

describe("cvision.plot", function()
  before_each(function() plt.close("all") end)

  describe("ready-made figures", function()
    local names = { "东", "炎", "人" }

    it("plots a history as loss and accuracy panels with train and validation", function()
      local fig = plt.history { history = { loss = { 3, 2, 1 }, val_loss = { 3.2, 2.5, 2 },
        accuracy = { 0.1, 0.5, 0.9 }, val_accuracy = { 0.1, 0.4, 0.7 } } }
      assert.are.equal(2, #fig.axes)
      assert.are.equal("Loss", fig.axes[1].title.text)
      assert.are.equal("Accuracy", fig.axes[2].title.text)
      assert.are.equal(2, #fig.axes[1].artists)
      local cv = fig:render()
      local x, y = fig.axes[2]:transform(3, 0.9)
      assert.is_true(near(rgb(cv, x, y), C0, 40))
      assert.same({ 1000, 400 }, { cv:size() })
    end)

    it("titles failed predictions 'true not predicted (confidence)'", function()
      local cv_ = require "cvision"
      local X = cv_.rand { 3, 8, 6, 1 }
      local probs = { { 0.37, 0.63, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }
      local fig, wrong = plt.failed_predictions(probs, X, { 1, 2, 3 }, names)
      assert.same({ 1 }, wrong)
      assert.are.equal("东 not 炎 (63%)", fig.axes[1].title.text)
      local cv = fig:render()
      local b = fig.axes[1].box
      assert.is_true(cv:ink(b[1], b[2], b[3], b[4]) > 0)
    end)

    it("predicts with a model and turns logits into probabilities", function()
      local cv_ = require "cvision"
      local model = { predict = function(_, X)
        assert.are.equal(2, #X)
        return cv_.tensor({ { 2, 0, 0 }, { 0, 0, 3 } })
      end }
      local X = cv_.rand { 2, 8, 6, 1 }
      local fig, wrong = plt.failed_predictions(model, X, { 2, 3 }, names)
      assert.same({ 1 }, wrong)
      local p = math.exp(2) / (math.exp(2) + 2)
      assert.are.equal(string.format("炎 not 东 (%d%%)", math.floor(p * 100 + 0.5)), fig.axes[1].title.text)
    end)

    it("shows images with their class names and no axes", function()
      local cv_ = require "cvision"
      local X = cv_.rand { 4, 10, 8, 1 }
      local fig = plt.images(X, { 1, 2, 3, 1 }, names, { n = 3 })
      assert.are.equal(3, #fig.axes)
      assert.are.equal("东", fig.axes[1].title.text)
      assert.are.equal("人", fig.axes[3].title.text)
      assert.is_false(fig.axes[1].axis_on)
    end)

    it("counts a confusion matrix and histograms confidence", function()
      local probs = { { 0.9, 0.1, 0 }, { 0.2, 0.8, 0 }, { 0.6, 0.4, 0 }, { 0, 0.3, 0.7 } }
      local _, m = plt.confusion_matrix({ 1, 2, 2, 3 }, probs, names)
      assert.same({ { 1, 0, 0 }, { 1, 1, 0 }, { 0, 0, 1 } }, m)
      local _, right, wrong = plt.confidence(probs, nil, { 1, 2, 2, 3 })
      assert.are.equal(3, #right)
      assert.are.equal(1, #wrong)
      assert.near(0.6, wrong[1], 1e-6)
      local _, acc = plt.class_accuracy(probs, nil, { 1, 2, 2, 3 }, names)
      assert.same({ 1, 0.5, 1 }, acc)
    end)

    it("draws a model's layers with their shapes", function()
      local model = { layers = {
        { name = "conv2d", class_name = "Conv2D", input_shape = { 80, 60, 1 }, output_shape = { 80, 60, 16 } },
        { name = "dense", class_name = "Dense", input_shape = { 16 }, output_shape = { 55 } },
      } }
      local fig = plt.model(model, { show_shapes = true })
      local cv = fig:render()
      local w, h = cv:size()
      assert.is_true(h > w / 2)
      assert.is_true(cv:ink(0, 0, w, h) > 1000)
      assert.are.equal("(None, 80, 60, 16)", require("cvision.plot.figures")._shape_str({ 80, 60, 16 }))
    end)
  end)
end)

describe("cvision.plot ready-made figures and labels", function()
  it("refuses 0-based labels instead of guessing", function()
    local cv_ = require "cvision"
    assert.has_error(function() plt.images(cv_.rand{2, 4, 4, 1}, {0, 1}, {"a", "b"}) end,
      "plot: label 0 at position 1 is not a class number in 1..K")
  end)
end)

describe("ready-made figures at the edges", function()
  before_each(function() plt.close("all") end)
  local names = { "东", "炎", "人" }

  -- Width (pixels) of the white band along one side of a canvas: how many rows or columns from
  -- that side hold no ink.
  local function blank(cv, side)
    local w, h = cv:size()
    local n = (side == "left" or side == "right") and w or h
    for i = 0, n - 1 do
      local ink
      if side == "left" then ink = cv:ink(i, 0, i + 1, h)
      elseif side == "right" then ink = cv:ink(w - 1 - i, 0, w - i, h)
      elseif side == "top" then ink = cv:ink(0, i, w, i + 1)
      else ink = cv:ink(0, h - 1 - i, w, h - i) end
      if ink > 0 then return i end
    end
    return n
  end

  it("says so when no class is below the accuracy threshold, instead of a blank axes", function()
    local probs = { { 0.9, 0.1, 0 }, { 0.2, 0.8, 0 }, { 0.1, 0, 0.9 } }
    local fig, acc = plt.class_accuracy(probs, nil, { 1, 2, 3 }, names)
    assert.same({ 1, 1, 1 }, acc)
    local ax = fig.axes[1]
    assert.equal(1, #ax.texts)
    assert.truthy(ax.texts[1].s:find("No class is below 50% accuracy", 1, true))
    assert.truthy(ax.texts[1].s:find("东 at 100%", 1, true))
    assert.equal("Classes below 50% accuracy", ax.title.text)
    local cv = fig:render()
    local b = ax.box
    local cx, cy = (b[1] + b[3]) // 2, (b[2] + b[4]) // 2
    assert.is_true(cv:ink(cx - 100, cy - 30, cx + 100, cy + 30) > 200, "the message is drawn in the axes")
    -- with classes below it: the bars, titled with the count
    fig = plt.class_accuracy({ { 0.9, 0.1, 0 }, { 0.6, 0.4, 0 } }, nil, { 1, 2 }, names)
    assert.equal("Classes below 50% accuracy, worst first (1 of 3)", fig.axes[1].title.text)
    assert.equal("Accuracy", fig.axes[1].ylabel.text)
  end)

  it("fits the confusion matrix's figure to the square, without wide empty margins", function()
    for _, K in ipairs({ 3, 15, 40 }) do
      local ns, yt, yp = {}, {}, {}
      for k = 1, K do ns[k] = tostring(k); yt[k] = k; yp[k] = k % K + 1 end
      local fig = plt.confusion_matrix(yt, yp, ns)
      local cv = fig:render()
      local w, h = cv:size()
      for _, side in ipairs({ "left", "right", "top", "bottom" }) do
        local n = blank(cv, side)
        local full = (side == "left" or side == "right") and w or h
        assert.is_true(n < 0.05 * full, ("K = %d: %d of %d pixels blank at the %s"):format(K, n, full, side))
      end
      plt.close("all")
    end
  end)

  it("titles and labels the demo's count and size histograms", function()
    local src = assert(io.open("examples/chinese_characters.lua")):read("a")
    for _, file in ipairs({ "counts_hist.png", "dimensions_hist.png" }) do
      local block = src:match('try%("' .. file:gsub("%.", "%%.") .. '", function%(%)(.-)\n  end%)')
      assert.truthy(block, file)
      for _, call in ipairs({ "plt.title(", "plt.xlabel(", "plt.ylabel(" }) do
        assert.truthy(block:find(call, 1, true), file .. " calls " .. call)
      end
    end
  end)
end)
