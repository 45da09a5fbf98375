-- spec/functional_spec.lua: the functional API (cvision.models.functional): symbolic tensors, graphs with
-- residual Adds, shared layers and nested models, whole-model gradient checks, training, freezing
-- (trainable), summaries with "Connected to", and save/load round trips.
local cv = require "cvision"
local functional = require "cvision.models.functional"
local gc = require "spec.helpers.gradcheck"
local L = cv.layers

local function summary_text(m)
  local lines = {}
  m:summary{print_fn = function(s) lines[#lines + 1] = s end}
  return table.concat(lines, "\n") .. "\n"
end

local function same_tensor(a, b)
  return a.dtype == b.dtype and #a.shape == #b.shape and a:eq(b):min() == 1
end

-- a small residual CNN: conv -> (conv) + skip -> relu -> pool -> dense
local function residual_model(act)
  local inputs = cv.Input{8, 8, 2}
  local x = L.Conv2D(4, 3, {padding = "same", activation = act})(inputs)
  local y = L.Conv2D(4, 3, {padding = "same"})(x)
  local z = L.Add()({x, y})
  z = L.Activation(act)(z)
  z = L.GlobalAveragePooling2D()(z)
  local out = L.Dense(3, {activation = "softmax"})(z)
  return cv.Model{inputs = inputs, outputs = out}
end

-- a base model (conv, BatchNormalization, flatten) called with training = false inside a model
local function base_and_model()
  local inputs = cv.Input{6, 6, 2}
  local x = L.Conv2D(3, 3, {activation = "tanh"})(inputs)
  x = L.BatchNormalization()(x)
  x = L.Flatten()(x)
  local base_model = cv.Model(inputs, x, "base")
  local outer_in = cv.Input{6, 6, 2}
  local h = base_model(outer_in, {training = false})
  local out = L.Dense(2, {activation = "tanh"})(h)
  return base_model, cv.Model{inputs = outer_in, outputs = out}
end

local function labels(n, k)
  local t = {}
  for i = 1, n do t[i] = (i % k) + 1 end
  return cv.tensor(t)
end

describe("the functional API", function()
  before_each(function() cv.clear_session() end)

  describe("symbolic tensors", function()
    it("come from cv.Input and from calling a layer on one", function()
      local inputs = cv.Input{28, 28, 1}
      local x = L.Conv2D(32, 3)(inputs)
      assert.is_true(functional.is_symbolic(inputs))
      assert.is_true(functional.is_symbolic(x))
      assert.are.same({26, 26, 32}, x.shape)
      assert.are.equal("<KerasTensor shape=(None, 26, 26, 32), name=conv2d>", tostring(x))
      assert.are.equal(x.node.layer.name, "conv2d")
      -- the layer is built on the way
      assert.is_true(x.node.layer.built)
      assert.are.same({28, 28, 1}, x.node.layer.input_shape)
    end)

    it("leave cv.Input usable by Sequential, and layers callable on real tensors", function()
      local m = cv.Sequential{cv.Input{4}, L.Dense(2)}
      assert.are.same({4}, m.input_shape)
      local d = L.Dense(3)
      assert.are.same({5, 3}, d(cv.zeros{5, 2}).shape)
    end)

    it("refuse a layer built for another shape, naming it", function()
      local conv = L.Conv2D(2, 3, {name = "c"})
      conv(cv.Input{8, 8, 1})
      local ok, err = pcall(conv, cv.Input{8, 8, 3})
      assert.is_false(ok)
      assert.matches("c %(Conv2D%): was built for input %(None, 8, 8, 1%)", err)
    end)
  end)

  describe("cv.Model", function()
    it("collects the layers in Keras' order, without the InputLayer", function()
      local m = residual_model("relu")
      local names = {}
      for i, l in ipairs(m.layers) do names[i] = l.name end
      assert.are.same({"conv2d", "conv2d_1", "add", "activation", "global_average_pooling2d", "dense"}, names)
      assert.are.equal("functional", m.name)
      assert.are.equal("Functional", m.class_name)
      assert.are.equal("input_layer", m:get_layer("input_layer").name)
      assert.are.equal(m.layers[3], m:get_layer("add"))
      assert.are.same({8, 8, 2}, m.input_shape)
      assert.are.same({3}, m.output_shape)
      assert.are.equal(76 + 148 + 15, m:count_params())
    end)

    it("accepts cv.Model(inputs, outputs) and a name", function()
      local inputs = cv.Input{3}
      local m = cv.Model(inputs, L.Dense(2)(inputs), "tiny")
      assert.are.equal("tiny", m.name)
      m = cv.Model{inputs = inputs, outputs = L.Dense(2)(inputs), name = "tiny2"}
      assert.are.equal("tiny2", m.name)
    end)

    it("says when the outputs don't come from the inputs", function()
      local a, b = cv.Input{3}, cv.Input{3}
      local y = L.Dense(2)(b)
      local ok, err = pcall(cv.Model, {inputs = a, outputs = y})
      assert.is_false(ok)
      assert.matches("graph disconnected", err)
    end)

    it("refuses two layers with one name and a merge layer called on one input", function()
      local inputs = cv.Input{3}
      local y = L.Dense(2, {name = "d"})(L.Dense(3, {name = "d"})(inputs))
      assert.matches("used by two layers", select(2, pcall(cv.Model, {inputs = inputs, outputs = y})))
      assert.matches("list of inputs", select(2, pcall(function() return L.Add()(inputs) end)))
    end)

    it("runs eagerly on tensors: model(x) and predict agree", function()
      cv.manual_seed(1)
      local m = residual_model("relu")
      local x = cv.randn{5, 8, 8, 2}
      local y = m(x)
      assert.are.same({5, 3}, y.shape)
      assert.is_true(same_tensor(y:clone(), m:predict(x)))
      assert.are.same({5, 3}, m(x, {training = false}).shape)
    end)
  end)

  describe("training", function()
    it("trains a model with a residual Add (the loss falls)", function()
      cv.manual_seed(2)
      local m = residual_model("relu")
      local x = cv.randn{24, 8, 8, 2}
      m:compile{optimizer = cv.optimizers.Adam{learning_rate = 0.01}, loss = "sparse_categorical_crossentropy",
        metrics = {"accuracy"}}
      local h = m:fit(x, labels(24, 3), {epochs = 15, batch_size = 8, verbose = 0})
      assert.is_true(h.history.loss[15] < h.history.loss[1] * 0.9,
        ("loss %g -> %g"):format(h.history.loss[1], h.history.loss[15]))
      local r = m:evaluate(x, labels(24, 3), {verbose = 0})
      assert.are.equal(2, #r)
    end)

    it("passes a whole-model gradient check with a residual Add (fan-out gradients summed)", function()
      cv.manual_seed(3)
      local m = residual_model("tanh")
      local ok, report = gc.check_model(m, cv.randn{3, 8, 8, 2})
      assert.is_true(ok, report)
    end)

    it("passes a gradient check with a shared layer and every merge layer", function()
      cv.manual_seed(4)
      local inputs = cv.Input{6, 6, 2}
      local conv = L.Conv2D(2, 3, {padding = "same", activation = "tanh"})
      local a = conv(inputs)
      local b = conv(a)                                   -- the same weights, a second node
      local c = L.Concatenate()({a, b})
      local d = L.Multiply()({c, c})
      local e = L.Average()({d, c})
      local out = L.Dense(2)(L.Flatten()(e))
      local m = cv.Model(inputs, out)
      assert.are.equal(1, #m.layers - 5)                 -- conv counted once
      local ok, report = gc.check_model(m, cv.randn{3, 6, 6, 2})
      assert.is_true(ok, report)
    end)
  end)

  describe("nested models", function()
    it("are layers of the outer model, with their weights and parameters", function()
      local base_model, m = base_and_model()
      assert.are.equal(base_model, m.layers[1])
      assert.are.equal(base_model, m:get_layer("base"))
      assert.are.equal(base_model:count_params() + 98, m:count_params())
      assert.are.equal(#base_model:get_weights() + 2, #m:get_weights())
      assert.are.same({"base/conv2d/kernel", "base/conv2d/bias", "base/batch_normalization/gamma",
        "base/batch_normalization/beta", "dense/kernel", "dense/bias"}, (function()
          local t = {}
          for i, p in ipairs(m:params()) do t[i] = p.path end
          return t
        end)())
    end)

    it("pass a gradient check through the inner model", function()
      cv.manual_seed(5)
      local _, m = base_and_model()
      local ok, report = gc.check_model(m, cv.randn{3, 6, 6, 2}, {training = true})
      assert.is_true(ok, report)
    end)

    it("keep a nested cv.Sequential working as a layer", function()
      cv.manual_seed(6)
      local seq = cv.Sequential{cv.Input{4}, L.Dense(3, {activation = "tanh"}), L.Dense(3, {activation = "tanh"})}
      local inputs = cv.Input{4}
      local out = L.Dense(2)(seq(inputs))
      local m = cv.Model(inputs, out)
      assert.are.equal(seq, m.layers[1])
      local ok, report = gc.check_model(m, cv.randn{4, 4})
      assert.is_true(ok, report)
    end)
  end)

  describe("trainable", function()
    it("freezes every layer of a model and counts its weights as non-trainable", function()
      local base_model, m = base_and_model()
      base_model.trainable = false
      assert.is_false(base_model.trainable)
      for _, l in ipairs(base_model.layers) do assert.is_false(l.trainable) end
      assert.are.equal(2, #m:params())
      local text = summary_text(m)
      assert.matches(" Trainable params: 98 %(392%.00 B%)", text)
      assert.matches(" Non%-trainable params: " .. base_model:count_params() .. " ", text)
      base_model.trainable = true
      for _, l in ipairs(base_model.layers) do assert.is_true(l.trainable) end
      assert.are.equal(6, #m:params())
    end)

    it("leaves a frozen base bit-identical after fit, BatchNormalization statistics included", function()
      cv.manual_seed(7)
      local base_model, m = base_and_model()
      base_model.trainable = false
      local before = base_model:get_weights()
      local top_before = m:get_layer("dense"):get_weights()
      m:compile{optimizer = "adam", loss = "mse"}
      m:fit(cv.randn{8, 6, 6, 2}, cv.randn{8, 2}, {epochs = 2, batch_size = 4, verbose = 0})
      local after = base_model:get_weights()
      assert.are.equal(#before, #after)
      for i = 1, #before do assert.is_true(same_tensor(before[i], after[i]), "weight " .. i .. " changed") end
      assert.is_false(same_tensor(top_before[1], m:get_layer("dense"):get_weights()[1]))
    end)

    it("freezes the BatchNormalization statistics of a base called without training = false", function()
      cv.manual_seed(10)
      local inputs = cv.Input{4, 4, 2}
      local base_model = cv.Model(inputs, L.Flatten()(L.BatchNormalization()(L.Conv2D(2, 3)(inputs))), "b")
      local outer_in = cv.Input{4, 4, 2}
      local m = cv.Model(outer_in, L.Dense(1)(base_model(outer_in)))
      base_model.trainable = false
      local before = base_model:get_weights()
      m:compile{optimizer = "sgd", loss = "mse"}
      m:fit(cv.randn{6, 4, 4, 2} * 2 + 1, cv.randn{6, 1}, {epochs = 1, batch_size = 3, verbose = 0})
      for i, w in ipairs(base_model:get_weights()) do assert.is_true(same_tensor(before[i], w), "weight " .. i) end
    end)

    it("runs a frozen BatchNormalization in inference mode, as Keras", function()
      cv.manual_seed(8)
      local bn = L.BatchNormalization()
      local x = cv.randn{6, 3} * 3 + 1
      bn:build({3})
      bn.trainable = false
      local y_train = bn:forward(x, true):clone()
      local y_infer = bn:forward(x, false):clone()
      assert.is_true(same_tensor(y_train, y_infer))
    end)
  end)

  describe("summary", function()
    it("wraps long names at spaces, folds words, and counts CJK characters as two cells", function()
      local width = require("cvision.util.text").width
      local i = cv.Input{8}
      local a = L.Dense(4, {name = ("汉字"):rep(12)})(i)
      local b = L.Dense(4, {name = "a_very_long_layer_name_for_the_summary and more"})(i)
      local m = cv.Model{inputs = i, outputs = L.Add()({a, b})}
      local widths = {}
      for line in summary_text(m):gmatch("[^\n]+") do
        if line:find("^[│┃┏┡├└]") then widths[width(line)] = true end
      end
      local n = 0
      for _ in pairs(widths) do n = n + 1 end
      assert.equal(1, n)                 -- every row of the table has the same width on screen
      assert.is_truthy(summary_text(m):find("│ and more (Dense)", 1, true))
    end)

    it("prints Keras 3's table with the Connected to column", function()
      local m = residual_model("relu")
      assert.are.equal([[
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer         │ (None, 8, 8, 2)   │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ conv2d (Conv2D)     │ (None, 8, 8, 4)   │         76 │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ conv2d_1 (Conv2D)   │ (None, 8, 8, 4)   │        148 │ conv2d[0][0]      │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 8, 8, 4)   │          0 │ conv2d[0][0],     │
│                     │                   │            │ conv2d_1[0][0]    │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ activation          │ (None, 8, 8, 4)   │          0 │ add[0][0]         │
│ (Activation)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ global_average_pool │ (None, 4)         │          0 │ activation[0][0]  │
│ ing2d               │                   │            │                   │
│ (GlobalAveragePooli │                   │            │                   │
│ ng2D)               │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 3)         │         15 │ global_average_po │
│                     │                   │            │ oling2d[0][0]     │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 239 (956.00 B)
 Trainable params: 239 (956.00 B)
 Non-trainable params: 0 (0.00 B)
]], summary_text(m))
    end)

    it("prints a chain as Keras does: three columns, the InputLayer first", function()
      local inputs = cv.Input{4}
      local h = L.Dense(3)(inputs)
      local m = cv.Model(inputs, L.Dense(2)(h))
      assert.are.equal([[
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)        │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 3)              │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │             8 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 23 (92.00 B)
 Trainable params: 23 (92.00 B)
 Non-trainable params: 0 (0.00 B)
]], summary_text(m))
    end)

    it("lists every node of a shared layer", function()
      local inputs = cv.Input{2}
      local d = L.Dense(2, {name = "shared"})
      local a = d(inputs)
      local m = cv.Model(inputs, L.Add()({a, d(a)}))
      local text = summary_text(m)
      assert.matches("│ shared %(Dense%)      │ %(None, 2%)         │          6 │ input_layer%[0%]%[0%] │\n"
        .. "│                     │                   │            │ , shared%[0%]%[0%]    │", text)
      assert.matches("│ add %(Add%)           │ %(None, 2%)         │          0 │ shared%[0%]%[0%],     │\n"
        .. "│                     │                   │            │ shared%[1%]%[0%]      │", text)
    end)
  end)

  describe("save and load", function()
    local path = os.tmpname()
    after_each(function() os.remove(path) end)

    it("round-trips a functional model with merge layers and a nested model bit-identically", function()
      cv.manual_seed(9)
      local inner_in = cv.Input{6, 6, 2}
      local t = L.Conv2D(2, 3, {padding = "same", activation = "relu"})(inner_in)
      local inner = cv.Model(inner_in, L.BatchNormalization()(t), "inner")
      local inputs = cv.Input{6, 6, 2}
      local a = inner(inputs, {training = false})
      local b = L.Conv2D(2, 1)(inputs)
      local x = L.Concatenate()({L.Add()({a, b}), b})
      local out = L.Dense(3, {activation = "softmax"})(L.GlobalAveragePooling2D()(x))
      local m = cv.Model(inputs, out, "outer")
      m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
      local xs = cv.randn{8, 6, 6, 2}
      m:fit(xs, labels(8, 3), {epochs = 1, batch_size = 4, verbose = 0})
      m:save(path)
      local m2 = cv.models.load_model(path)
      assert.are.equal("Functional", m2.class_name)
      assert.are.equal("outer", m2.name)
      assert.are.equal("inner", m2:get_layer("inner").name)
      local w1, w2 = m:get_weights(), m2:get_weights()
      assert.are.equal(#w1, #w2)
      for i = 1, #w1 do assert.is_true(same_tensor(w1[i], w2[i]), "weight " .. i) end
      assert.is_true(same_tensor(m:predict(xs), m2:predict(xs)))
      assert.are.equal(summary_text(m):gsub("Optimizer.*", ""), summary_text(m2):gsub("Optimizer.*", ""))
      -- training resumes with the optimizer state
      assert.are.equal(m.optimizer.iterations, m2.optimizer.iterations)
    end)

    it("keeps a frozen model frozen", function()
      local inputs = cv.Input{3}
      local m = cv.Model(inputs, L.Dense(2)(inputs))
      m.trainable = false
      m:save(path)
      local m2 = cv.models.load_model(path)
      assert.is_false(m2.trainable)
      assert.are.equal(0, #m2:params())
    end)
  end)
end)

describe("calling a functional model on a tensor", function()
  it("returns a result the next call does not overwrite", function()
    cv.clear_session()
    local inputs = cv.Input{3}
    local m = cv.Model{inputs = inputs, outputs = L.Dense(2)(inputs)}
    local a, b = cv.ones{1, 3}, cv.zeros{1, 3}
    local ya = m(a)
    local keep = ya:totable()
    m(b)
    assert.same(keep, ya:totable())
  end)
end)
