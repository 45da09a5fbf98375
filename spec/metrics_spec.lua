-- spec/metrics_spec.lua: cv.metrics values, streaming over batches, and how "accuracy" is resolved.
local cv = require "cvision"
local metrics, losses = cv.metrics, cv.losses

describe("cv.metrics", function()
  it("resolves \"accuracy\" from the loss as Keras does", function()
    local a = metrics.get("accuracy", losses.SparseCategoricalCrossentropy())
    assert.are.equal("SparseCategoricalAccuracy", a.class_name)
    assert.are.equal("accuracy", a.name)
    assert.are.equal("CategoricalAccuracy", metrics.get("accuracy", losses.CategoricalCrossentropy()).class_name)
    assert.are.equal("BinaryAccuracy", metrics.get("accuracy", losses.BinaryCrossentropy()).class_name)
    assert.are.equal("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy{k = 5}.name)
  end)

  it("counts sparse categorical accuracy with 1-based labels (argmax, first max wins)", function()
    local m = metrics.get("accuracy", losses.SparseCategoricalCrossentropy())
    local p = cv.tensor{{0.1, 0.9, 0.0}, {0.8, 0.1, 0.1}, {0.3, 0.3, 0.4}, {0.5, 0.5, 0.0}}
    m:update_state(cv.tensor{2, 1, 1, 2}, p)
    assert.are.equal(0.5, m:result())
  end)

  it("accumulates counts over batches rather than averaging batch means", function()
    local m = metrics.SparseCategoricalAccuracy()
    m:update_state(cv.tensor{1}, cv.tensor{{1, 0}})                 -- 1 of 1
    m:update_state(cv.tensor{1, 1, 1}, cv.tensor{{0, 1}, {0, 1}, {1, 0}})  -- 1 of 3
    assert.are.equal(0.5, m:result())
    m:reset_state()
    assert.are.equal(0, m:result())
  end)

  it("computes categorical accuracy on one-hot targets", function()
    local m = metrics.CategoricalAccuracy()
    m:update_state(cv.tensor{{0, 1}, {1, 0}, {1, 0}}, cv.tensor{{0.2, 0.8}, {0.6, 0.4}, {0.1, 0.9}})
    assert.is_true(math.abs(m:result() - 2 / 3) < 1e-12)
  end)

  it("computes sparse top-k accuracy", function()
    local m = metrics.SparseTopKCategoricalAccuracy{k = 2}
    local p = cv.tensor{{0.5, 0.3, 0.2}, {0.5, 0.3, 0.2}, {0.1, 0.2, 0.7}}
    m:update_state(cv.tensor{2, 3, 1}, p)
    assert.is_true(math.abs(m:result() - 1 / 3) < 1e-12)
    assert.has_error(function() metrics.SparseTopKCategoricalAccuracy{k = 0} end,
      "bad argument to 'SparseTopKCategoricalAccuracy' (k must be a positive integer)")
  end)

  it("computes binary accuracy with a 0.5 threshold, and on logits with the loss' from_logits", function()
    local m = metrics.BinaryAccuracy()
    m:update_state(cv.tensor{{1}, {0}, {1}, {0}}, cv.tensor{{0.9}, {0.6}, {0.4}, {0.1}})
    assert.are.equal(0.5, m:result())
    local ml = metrics.get("accuracy", losses.BinaryCrossentropy{from_logits = true})
    ml:update_state(cv.tensor{{1}, {0}}, cv.tensor{{0.3}, {-0.2}})   -- logits: > 0 is class 1
    assert.are.equal(1, ml:result())
  end)

  it("decides \"accuracy\" from shapes when the loss does not say", function()
    local m = metrics.get("accuracy", losses.MeanSquaredError())
    m:update_state(cv.tensor{2, 1}, cv.tensor{{0, 1}, {0, 1}})
    assert.are.equal(0.5, m:result())
  end)

  it("gives a batch's value when called like a function, keeping its state", function()
    local m = metrics.SparseCategoricalAccuracy()
    m:update_state(cv.tensor{1}, cv.tensor{{1, 0}})
    assert.are.equal(0, m(cv.tensor{2}, cv.tensor{{1, 0}}))
    assert.are.equal(1, m:result())
  end)

  it("rejects unknown metrics", function()
    assert.has_error(function() metrics.get("f1_of_doom") end, "unknown metric 'f1_of_doom' (known: accuracy, binary_accuracy, "
      .. "categorical_accuracy, mae, mean_absolute_error, mean_squared_error, mse, sparse_categorical_accuracy, "
      .. "sparse_top_k_categorical_accuracy)")
  end)

  it("checks each batch: counts, label ranges, one-hot shapes, types; an empty batch adds nothing", function()
    local function err(f)
      local ok, e = pcall(f)
      assert.is_false(ok)
      return e
    end
    local sca = cv.metrics.SparseCategoricalAccuracy()
    assert.truthy(err(function() sca:update_state(cv.ones{3}, cv.ones{4, 2}) end)
      :find("^spec/metrics_spec.lua:%d+: sparse_categorical_accuracy: y_pred %(4, 2%) has 4 rows but y_true %(3,?%) holds 3 labels"))
    assert.truthy(err(function() sca:update_state(cv.zeros{2}, cv.ones{2, 2}) end)
      :find("labels must be class numbers in 1..2 (1-based), got values in [0, 0]", 1, true))
    assert.truthy(err(function() sca:update_state(cv.tensor{1, 3}, cv.ones{2, 2}) end):find("in [1, 3]", 1, true))
    assert.truthy(err(function() sca:update_state(cv.tensor{1, 1.5}, cv.ones{2, 2}) end):find("class numbers", 1, true))
    assert.truthy(err(function() sca:update_state(nil, cv.ones{2, 2}) end)
      :find("y_true and y_pred must be tensors, got nil and a tensor", 1, true))
    sca:update_state(cv.ones{0}, cv.ones{0, 2})
    assert.are.equal(0, sca.count)
    sca:update_state({2, 1}, cv.tensor{{0, 1}, {0, 1}})        -- a Lua table of labels
    assert.are.equal(0.5, sca:result())
    local ca = cv.metrics.CategoricalAccuracy()
    assert.truthy(err(function() ca:update_state(cv.ones{2, 3}, cv.ones{2, 2}) end)
      :find("y_true (2, 3) and y_pred (2, 2) must have the same shape", 1, true))
    assert.truthy(err(function() cv.metrics.BinaryAccuracy{threshold = 0 / 0} end):find("threshold must be a number", 1, true))
    assert.truthy(err(function() cv.metrics.SparseTopKCategoricalAccuracy{k = 0} end)
      :find("bad argument to 'SparseTopKCategoricalAccuracy' (k must be a positive integer)", 1, true))
    assert.truthy(err(function() cv.metrics.get("mae"):update_state(cv.ones{2, 3}, cv.ones{2, 2}) end)
      :find("^spec/metrics_spec.lua:%d+: mean_absolute_error: target %(2, 3%) and pred %(2, 2%) differ in size"))
  end)
end)
