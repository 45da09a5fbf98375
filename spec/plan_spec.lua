-- spec/plan_spec.lua: cvision.models.plan, what runs when a model runs. The plan is made when the
-- model is built (the first call already takes the fused path), fused steps compute what the
-- layers compute one by one, the functional API plans over its graph, and the model stays what
-- the user wrote.
local cv = require "cvision"
local L = cv.layers
local core = require "cvision.core"
local plan = require "cvision.models.plan"

local function lecture_cnn()
  return cv.Sequential{
    cv.Input{80, 60, 1}, L.Rescaling(1 / 255),
    L.Conv2D(16, 3, {padding = "same", activation = "relu", name = "conv1"}), L.MaxPooling2D{name = "pool1"},
    L.Conv2D(32, 3, {padding = "same", activation = "relu", name = "conv2"}), L.MaxPooling2D{name = "pool2"},
    L.Conv2D(64, 3, {padding = "same", activation = "relu", name = "conv3"}),
    L.MaxPooling2D{name = "pool3", pool_size = {4, 4}},
    L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(55)}
end

local function layer_error(i, l, err) return ("layer %d (%s): %s"):format(i, l.name, tostring(err)) end

local function bytes(list)
  local out = {}
  for i, t in ipairs(list) do out[i] = core.tobytes(t) end
  return out
end

describe("the plan of the lecture CNN", function()
  it("fuses each Conv2D+ReLU with the MaxPooling2D after it, and nothing else", function()
    local m = lecture_cnn()
    assert.are.same({"Rescaling", "Conv2D+MaxPooling2D", "Conv2D+MaxPooling2D", "Conv2D+MaxPooling2D",
      "Flatten", "Dense", "Dense"}, m:plan():describe())
    -- the steps know the index of their first layer, for error messages
    local firsts = {}
    for k, step in ipairs(m:plan().steps) do firsts[k] = step.first end
    assert.are.same({1, 2, 4, 6, 8, 9, 10}, firsts)
  end)

  it("takes the fused path on the very first call: the layers' own buffers are never made", function()
    cv.manual_seed(1)
    local m = lecture_cnn()
    m:predict(cv.rand{2, 80, 60, 1} * 255)
    for _, name in ipairs{"conv1", "pool1", "conv2", "pool2"} do
      assert.is_nil(next(m:get_layer(name)._bufs), name .. " made a buffer")
    end
    assert.is_not_nil(m:plan().steps[2]._bufs.pooled)
  end)

  it("keeps model.layers and summary() as the user wrote them", function()
    local m = lecture_cnn()
    assert.are.equal(10, #m.layers)
    local lines = {}
    m:summary{print_fn = function(s) lines[#lines + 1] = s end}
    local text = table.concat(lines, "\n")
    assert.is_truthy(text:find("conv1 (Conv2D)", 1, true))
    assert.is_truthy(text:find("pool1 (MaxPooling2D)", 1, true))
    assert.is_truthy(text:find("Total params: 88,375", 1, true))
  end)

  it("trains to the same weights bit for bit as the unfused plan, at 1 and 2 threads", function()
    local saved = cv.get_num_threads()
    for _, threads in ipairs{1, 2} do
      cv.set_num_threads(threads)
      local results = {}
      for run = 1, 2 do
        cv.manual_seed(4)
        local m = cv.Sequential{cv.Input{20, 16, 1}, L.Conv2D(8, 3, {padding = "same", activation = "relu"}),
          L.MaxPooling2D(), L.Conv2D(8, 3, {activation = "relu"}), L.MaxPooling2D{pool_size = 3, padding = "same"},
          L.Flatten(), L.Dense(5)}
        m:compile{optimizer = cv.optimizers.Adam{learning_rate = 0.01},
          loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
        cv.manual_seed(8)
        local x = cv.rand{6, 20, 16, 1} - 0.5
        local y = cv.tensor{1, 2, 3, 4, 5, 1}
        local p = run == 1 and m:plan() or plan.chain(m.layers, {fuse = false})
        assert.are.equal(run == 1 and 4 or 6, #p.steps)
        for _ = 1, 3 do
          local out = p:forward(x, true, layer_error)
          local dy = cv.zeros(out.shape)
          m.loss:compute(out, y, dy)
          m:zero_grad()
          p:backward(dy, false, false, layer_error)
          m.optimizer:apply(m:params())
        end
        results[run] = bytes(m:get_weights())
      end
      assert.are.same(results[2], results[1])
    end
    cv.set_num_threads(saved)
  end)

  it("names the layer of a fused step that failed", function()
    local m = lecture_cnn()
    local ok, err = pcall(m.call, m, cv.zeros{2, 80, 61, 1}, false)
    assert.is_false(ok)
    assert.is_truthy(err:find("layer 1 (rescaling", 1, true) or err:find("expected input", 1, true))
    local step = m:plan().steps[2]
    local ok2, err2 = pcall(step.backward, plan.chain(m.layers).steps[2], cv.zeros{2, 40, 30, 16}, false)
    assert.is_false(ok2)
    assert.is_truthy(tostring(err2):find("conv1 (Conv2D): backward called before forward", 1, true))
  end)

  it("is remade when a layer is added or removed", function()
    local m = cv.Sequential{cv.Input{8, 8, 1}, L.Conv2D(2, 3, {activation = "relu"})}
    assert.are.same({"Conv2D"}, m:plan():describe())
    m:add(L.MaxPooling2D())
    assert.are.same({"Conv2D+MaxPooling2D"}, m:plan():describe())
    m:pop()
    assert.are.same({"Conv2D"}, m:plan():describe())
  end)

  it("does not fuse a Conv2D whose activation is not ReLU, nor a Rescaling with an offset", function()
    local m = cv.Sequential{cv.Input{8, 8, 1}, L.Conv2D(2, 3, {activation = "tanh"}), L.MaxPooling2D(),
      L.Flatten(), L.Rescaling(2, 1), L.Dense(2), L.Rescaling(0.5), L.Dense(2)}
    assert.are.same({"Conv2D", "MaxPooling2D", "Flatten", "Rescaling", "Dense", "Rescaling+Dense"},
      m:plan():describe())
  end)

  it("recomputes where backward stops when a trainable flag changes", function()
    local m = lecture_cnn()
    local p = m:plan()
    assert.are.equal(2, p.stop)
    m:get_layer("conv1").trainable = false
    m:get_layer("conv2").trainable = false
    assert.are.equal(4, m:plan().stop)          -- no gradient is computed below conv3's step
    m.trainable = false
    assert.are.equal(#p.steps + 1, m:plan().stop)
  end)
end)

describe("the plan of a functional model", function()
  it("fuses a Conv2D+ReLU into the MaxPooling2D that alone reads it", function()
    local inp = cv.Input{12, 12, 1}
    local c = L.Conv2D(4, 3, {padding = "same", activation = "relu"})(inp)
    local a = L.MaxPooling2D()(c)
    local c2 = L.Conv2D(4, 3, {padding = "same", activation = "relu"})(inp)
    local b = L.MaxPooling2D()(c2)
    local both = L.Add()({L.MaxPooling2D()(c2), b})     -- c2 has two readers: not fused
    local out = L.Dense(3)(L.Flatten()(L.Add()({a, both})))
    local m = cv.Model{inputs = inp, outputs = out}
    local fused = 0
    for _, step in ipairs(m:plan().steps) do
      if step.kind == "fusion" then
        fused = fused + 1
        assert.are.equal(c.node.layer, step.layers[1])
      end
    end
    assert.are.equal(1, fused)
  end)

  it("trains to the weights a plan without fusion gives, bit for bit", function()
    local function make()
      cv.manual_seed(6)
      local inp = cv.Input{10, 10, 2}
      local h = L.MaxPooling2D()(L.Conv2D(6, 3, {padding = "same", activation = "relu"})(inp))
      local m = cv.Model{inputs = inp, outputs = L.Dense(3)(L.Flatten()(h))}
      m:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
      return m
    end
    cv.manual_seed(2)
    local x, y = cv.rand{5, 10, 10, 2} - 0.5, cv.tensor{1, 2, 3, 1, 2}
    local a, b = make(), make()
    -- b: every node a step of its own
    local steps = {}
    for k, node in ipairs(b._nodes) do steps[k] = plan.single(node.layer); steps[k].nodes = {node} end
    b._plan = setmetatable({steps = steps, overwritten = {}}, getmetatable(a:plan()))
    assert.are.equal(3, #a:plan().steps)
    assert.are.equal(4, #b:plan().steps)
    for _ = 1, 3 do a:train_on_batch(x, y); b:train_on_batch(x, y) end
    assert.are.same(bytes(b:get_weights()), bytes(a:get_weights()))
  end)
end)
