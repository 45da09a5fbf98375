-- spec/transfer_spec.lua: a model inside a model, frozen and fine-tuned, as Keras' transfer
-- learning recipe does it (Sequential and functional hosts, BatchNormalization of a frozen base)
local cv = require "cvision"

local function base_model()
  local inp = cv.Input{shape = {12, 12, 1}}
  local x = cv.layers.Conv2D(4, 3, {padding = "same", name = "b_conv"})(inp)
  x = cv.layers.BatchNormalization{name = "b_bn"}(x)
  x = cv.layers.ReLU{name = "b_relu"}(x)
  x = cv.layers.GlobalAveragePooling2D{name = "b_gap"}(x)
  return cv.Model{inputs = inp, outputs = x, name = "base"}
end

local function snapshot(m)
  local out = {}
  for i, w in ipairs(m:get_weights()) do out[i] = w:clone() end
  return out
end

local function identical(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    if (a[i] - b[i]):abs():max() ~= 0 then return false end
  end
  return true
end

local function data()
  cv.manual_seed(5)
  local x = cv.randn({24, 12, 12, 1}) * 2 + 1      -- far from BatchNormalization's start statistics
  local y = cv.zeros({24})
  for i = 1, 24 do y[i] = (i % 3) + 1 end
  return x, y
end

describe("a model as a layer of a Sequential", function()
  it("trains only the new head while the base is frozen, BatchNormalization's statistics included", function()
    cv.manual_seed(1)
    local base = base_model()
    base.trainable = false
    local m = cv.Sequential()
    m:add(cv.Input{shape = {12, 12, 1}})
    m:add(base)
    m:add(cv.layers.Dense(3, {activation = "softmax"}))
    m:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy"}
    local trainable, frozen = m:_counts()
    assert.equal(4 * 3 + 3, trainable)                       -- the Dense head
    assert.equal(9 * 4 + 4 + 4 * 4, frozen)                  -- conv + BatchNormalization's 4 vectors
    local x, y = data()
    local before, head = snapshot(base), m.layers[2]:get_weights()[1]:clone()
    m:fit(x, y, {epochs = 2, batch_size = 8, verbose = 0})
    assert.is_true(identical(before, snapshot(base)), "a frozen base's weights moved")
    assert.is_true((m.layers[2]:get_weights()[1] - head):abs():max() > 0, "the head did not learn")
    -- fine-tuning: trainable again, recompiled with a small learning rate, and the base moves
    base.trainable = true
    m:compile{optimizer = cv.optimizers.Adam(1e-5), loss = "sparse_categorical_crossentropy"}
    m:fit(x, y, {epochs = 1, batch_size = 8, verbose = 0})
    assert.is_false(identical(before, snapshot(base)), "fine-tuning left the base unchanged")
  end)

  it("prints the nested model as one row, and saves and loads with it", function()
    cv.manual_seed(2)
    local base = base_model()
    base.trainable = false
    local m = cv.Sequential{base, cv.layers.Dense(3)}
    m:build({12, 12, 1})
    m:compile{optimizer = "adam", loss = "mse"}
    local text = table.concat(m:summary_lines(), "\n")
    assert.truthy(text:find("base (Functional)", 1, true), text)
    assert.truthy(text:find("Trainable params: 15 ", 1, true), text)
    assert.truthy(text:find("Non-trainable params: 56 ", 1, true), text)
    local path = os.tmpname()
    m:save(path)
    local back = cv.models.load_model(path)
    os.remove(path)
    local x = data()
    assert.equal(0, (m:predict(x, {verbose = 0}) - back:predict(x, {verbose = 0})):abs():max())
    assert.is_false(back.layers[1].trainable)
  end)

  it("nests a Sequential in a Sequential", function()
    cv.manual_seed(3)
    local inner = cv.Sequential{cv.layers.Flatten(), cv.layers.Dense(5, {activation = "relu"})}
    local m = cv.Sequential{cv.Input{shape = {12, 12, 1}}, inner, cv.layers.Dense(3, {activation = "softmax"})}
    m:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy"}
    local x, y = data()
    local h = m:fit(x, y, {epochs = 3, batch_size = 8, verbose = 0})
    assert.is_true(h.history.loss[3] < h.history.loss[1])
    assert.same({24, 3}, m:predict(x, {verbose = 0}).shape)
  end)
end)

describe("a model called as a layer of a functional model", function()
  it("runs the base in inference mode with training = false and keeps it frozen", function()
    cv.manual_seed(4)
    local base = base_model()
    base.trainable = false
    local inp = cv.Input{shape = {12, 12, 1}}
    local z = base(inp, {training = false})
    local out = cv.layers.Dense(3, {activation = "softmax"})(z)
    local m = cv.Model{inputs = inp, outputs = out}
    m:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy"}
    local x, y = data()
    local before = snapshot(base)
    m:fit(x, y, {epochs = 2, batch_size = 8, verbose = 0})
    assert.is_true(identical(before, snapshot(base)))
  end)
end)

describe("the lecture's frozen Xception", function()
  it("counts 2,049 trainable and 20,861,480 non-trainable parameters, as Keras prints", function()
    local base = cv.applications.Xception{include_top = false, input_shape = {150, 150, 3}}
    base.trainable = false
    local inp = cv.Input{shape = {150, 150, 3}}
    local x = base(inp, {training = false})
    x = cv.layers.GlobalAveragePooling2D()(x)
    x = cv.layers.Dropout(0.2)(x)
    local m = cv.Model{inputs = inp, outputs = cv.layers.Dense(1)(x)}
    local trainable, frozen = m:_counts()
    assert.equal(2049, trainable)
    assert.equal(20861480, frozen)
    local text = table.concat(m:summary_lines(), "\n")
    assert.truthy(text:find("Trainable params: 2,049 ", 1, true))
    assert.truthy(text:find("Non-trainable params: 20,861,480 ", 1, true))
  end)
end)

describe("parameter counts of nested models", function()
  it("count a frozen layer inside a nested Sequential as non-trainable", function()
    local frozen = cv.layers.Dense(3)
    local inner = cv.Sequential{cv.layers.Flatten(), frozen}
    local m = cv.Sequential{cv.Input{shape = {2, 2, 1}}, inner, cv.layers.Dense(2)}
    frozen.trainable = false
    local trainable, non = m:_counts()
    assert.equal(3 * 2 + 2, trainable)          -- the outer Dense
    assert.equal(4 * 3 + 3, non)                -- the frozen inner Dense
  end)
end)
