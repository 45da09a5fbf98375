-- spec/models_spec.lua: Sequential construction, names, summary (the lecture's two models, number
-- for number), weights in Keras' order and shapes, predict/evaluate, and errors that say what to do.
local cv = require "cvision"
local L = cv.layers

-- the lecture's models, built in one session in the lecture's order
local function lecture_models()
  cv.clear_session()
  local logistic = cv.Sequential{
    cv.Input{80, 60, 1}, L.Flatten(), L.Rescaling(1 / 255), L.Dense(55, {activation = "softmax"}),
  }
  local cnn = cv.Sequential{
    cv.Input{80, 60, 1},
    L.Rescaling(1 / 255),
    L.Conv2D(16, 3, {padding = "same", activation = "relu", name = "conv1"}),
    L.MaxPooling2D{name = "pool1"},
    L.Conv2D(32, 3, {padding = "same", activation = "relu", name = "conv2"}),
    L.MaxPooling2D{name = "pool2"},
    L.Conv2D(64, 3, {padding = "same", activation = "relu", name = "conv3"}),
    L.MaxPooling2D{name = "pool3", pool_size = {4, 4}},
    L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(55),
  }
  return logistic, cnn
end

local function summary_text(m)
  local lines = {}
  m:summary{print_fn = function(s) lines[#lines + 1] = s end}
  return table.concat(lines, "\n") .. "\n"
end

local LOGISTIC = [[
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ flatten (Flatten)               │ (None, 4800)           │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ rescaling (Rescaling)           │ (None, 4800)           │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 55)             │       264,055 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 264,055 (1.01 MB)
 Trainable params: 264,055 (1.01 MB)
 Non-trainable params: 0 (0.00 B)
]]

local CNN = [[
Model: "sequential_1"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ rescaling_1 (Rescaling)         │ (None, 80, 60, 1)      │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv1 (Conv2D)                  │ (None, 80, 60, 16)     │           160 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ pool1 (MaxPooling2D)            │ (None, 40, 30, 16)     │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2 (Conv2D)                  │ (None, 40, 30, 32)     │         4,640 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ pool2 (MaxPooling2D)            │ (None, 20, 15, 32)     │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv3 (Conv2D)                  │ (None, 20, 15, 64)     │        18,496 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ pool3 (MaxPooling2D)            │ (None, 5, 3, 64)       │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ flatten_1 (Flatten)             │ (None, 960)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 64)             │        61,504 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 55)             │         3,575 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 88,375 (345.21 KB)
 Trainable params: 88,375 (345.21 KB)
 Non-trainable params: 0 (0.00 B)
]]

describe("cv.Sequential", function()
  describe("summary", function()
    it("prints the lecture's two models exactly as Keras 3 does", function()
      local logistic, cnn = lecture_models()
      assert.are.equal(LOGISTIC, summary_text(logistic))
      assert.are.equal(CNN, summary_text(cnn))
    end)

    it("formats sizes as Keras' readable_memory_size", function()
      assert.are.equal("1.01 MB", cv.models.readable_size(264055 * 4))
      assert.are.equal("345.21 KB", cv.models.readable_size(88375 * 4))
      assert.are.equal("0.00 B", cv.models.readable_size(0))
      assert.are.equal("1023.00 B", cv.models.readable_size(1023))
      assert.are.equal("1.00 GB", cv.models.readable_size(1024 ^ 3))
    end)

    it("shows unbuilt layers as Keras does, and optimizer parameters after training", function()
      cv.clear_session()
      local m = cv.Sequential{L.Dense(3), L.Dense(2)}
      local text = summary_text(m)
      assert.truthy(text:find("│ dense (Dense)                   │ ?                      │   0 (unbuilt) │", 1, true))
      m:compile{optimizer = "adam", loss = "mse"}
      m:fit(cv.ones{4, 5}, cv.zeros{4, 2}, {epochs = 1, verbose = 0})
      text = summary_text(m)
      -- 18 + 8 weights; Adam keeps m and v for each plus its iteration count (int64) and learning rate
      assert.truthy(text:find(" Total params: 80 (324.00 B)", 1, true), text)
      assert.truthy(text:find(" Optimizer params: 54 (220.00 B)", 1, true), text)
    end)
  end)

  describe("construction", function()
    it("names models sequential, sequential_1, ... until clear_session", function()
      cv.clear_session()
      assert.are.equal("sequential", cv.Sequential{}.name)
      assert.are.equal("sequential_1", cv.Sequential{}.name)
      assert.are.equal("mine", cv.Sequential{name = "mine"}.name)
      cv.clear_session()
      assert.are.equal("sequential", cv.Sequential{}.name)
    end)

    it("builds on add once the input shape is known, or lazily on first use", function()
      local m = cv.Sequential{name = "m"}
      m:add(L.Dense(4, {input_shape = {3}}))
      assert.is_true(m.built)
      m:add(L.Dense(2))
      assert.are.same({2}, m.output_shape)
      local lazy = cv.Sequential{L.Dense(4), L.Dense(2)}
      assert.is_false(lazy.built)
      local y = lazy:predict(cv.ones{5, 7})
      assert.are.same({5, 2}, y.shape)
      assert.are.same({7}, lazy.input_shape)
      assert.are.equal(7 * 4 + 4 + 4 * 2 + 2, lazy:count_params())
    end)

    it("pops the last layer and rebuilds", function()
      local m = cv.Sequential{cv.Input{3}, L.Dense(4), L.Dense(2)}
      local last = m:pop()
      assert.are.equal("Dense", last.class_name)
      assert.are.same({4}, m.output_shape)
      assert.are.equal(1, #m.layers)
    end)

    it("rejects duplicate layer names and misplaced inputs", function()
      assert.has_error(function() cv.Sequential{L.Dense(2, {name = "a"}), L.Dense(2, {name = "a"})} end,
        'Sequential: layer 2: add: the model already has a layer named "a"; layer names must be unique')
      assert.has_error(function() cv.Sequential{L.Dense(2), cv.Input{3}} end,
        "Sequential: layer 2: add: an Input must come first in a Sequential model")
      assert.has_error(function() cv.Sequential{42} end, "Sequential: layer 1: add: expected a layer, got number")
    end)

    it("describes itself in one line", function()
      cv.clear_session()
      local m = cv.Sequential{cv.Input{4}, L.Dense(3)}
      assert.are.equal('<Sequential "sequential": 1 layers, (None, 4) -> (None, 3), 15 params>', tostring(m))
      m:compile{optimizer = "adam", loss = "mse"}
      assert.truthy(tostring(m):find("adam, mean_squared_error", 1, true))
    end)

    it("finds layers by name or position", function()
      local _, cnn = lecture_models()
      assert.are.equal("Conv2D", cnn:get_layer("conv2").class_name)
      assert.are.equal("pool1", cnn:get_layer(3).name)
      local ok, err = pcall(cnn.get_layer, cnn, "conv9")
      assert.is_false(ok)
      assert.truthy(err:find('get_layer: no layer named "conv9" (layers: rescaling_1, conv1, pool1', 1, true), err)
    end)
  end)

  describe("weights", function()
    it("lists weights in Keras' order and shapes", function()
      local _, cnn = lecture_models()
      local shapes = {}
      for i, w in ipairs(cnn:get_weights()) do shapes[i] = w.shape end
      assert.are.same({{3, 3, 1, 16}, {16}, {3, 3, 16, 32}, {32}, {3, 3, 32, 64}, {64},
                       {960, 64}, {64}, {64, 55}, {55}}, shapes)
      assert.are.equal(88375, cnn:count_params())
      assert.are.same({{3, 3, 1, 16}, {16}}, {cnn:get_layer("conv1"):get_weights()[1].shape,
                                               cnn:get_layer("conv1"):get_weights()[2].shape})
    end)

    it("sets weights from a list, checking count and shapes", function()
      cv.manual_seed(1)
      local m = cv.Sequential{cv.Input{3}, L.Dense(2)}
      m:set_weights{cv.tensor{{1, 2}, {3, 4}, {5, 6}}, cv.tensor{0.5, -0.5}}
      local y = m:predict(cv.tensor{{1, 1, 1}})
      assert.are.same({{9.5, 11.5}}, y:totable())
      local ok, err = pcall(m.set_weights, m, {cv.zeros{3, 2}})
      assert.is_false(ok)
      assert.truthy(err:find("set_weights: the model has 2 weights, got a list of 1", 1, true), err)
      ok, err = pcall(m.set_weights, m, {cv.zeros{2, 3}, cv.zeros{2}})
      assert.is_false(ok)
      assert.truthy(err:find("set_weights: layer 1 (dense", 1, true) and err:find("kernel expected shape (3, 2), got (2, 3)", 1, true), err)
      assert.truthy(err:find("layer 1", 1, true), err)
    end)

    it("gives identical weights for the same seed", function()
      cv.manual_seed(42)
      local a = cv.Sequential{cv.Input{4}, L.Dense(3)}
      cv.manual_seed(42)
      local b = cv.Sequential{cv.Input{4}, L.Dense(3)}
      assert.are.equal(cv.core.tobytes(a:get_weights()[1]), cv.core.tobytes(b:get_weights()[1]))
    end)
  end)

  describe("predict and evaluate", function()
    it("explains how to predict a single sample", function()
      local _, cnn = lecture_models()
      local x = cv.zeros{2, 80, 60, 1}
      local ok, err = pcall(cnn.predict, cnn, x[1])
      assert.is_false(ok)
      assert.truthy(err:find("predict: expected input of shape (None, 80, 60, 1) but got (80, 60, 1); a single "
        .. "sample needs a batch axis: use x:reshape{1, 80, 60, 1} (or X:slice(i, i) for the i-th sample)", 1, true), err)
      assert.are.same({1, 55}, cnn:predict(x:slice(1, 1)).shape)
      assert.are.same({1, 55}, cnn:predict(x[1]:reshape{1, 80, 60, 1}).shape)
    end)

    it("names the failing layer by position and name", function()
      local m = cv.Sequential{L.Conv2D(2, 3, {name = "c"}), L.MaxPooling2D{name = "p", pool_size = 3}, L.Flatten()}
      local ok, err = pcall(m.predict, m, cv.zeros{1, 4, 4, 1})
      assert.is_false(ok)
      assert.truthy(err:find("layer 2 (p, MaxPooling2D)", 1, true), err)
    end)

    it("predicts float32 outputs that do not depend on the batch size", function()
      cv.manual_seed(2)
      local m = cv.Sequential{cv.Input{5}, L.Dense(4, {activation = "relu"}), L.Dense(3)}
      local x = cv.randn{10, 5}
      local a = m:predict(x, {batch_size = 3})
      local b = m:predict(x)
      assert.are.equal("float32", a.dtype)
      assert.are.same({10, 3}, a.shape)
      assert.are.equal(cv.core.tobytes(a), cv.core.tobytes(b))
      assert.are.equal(cv.core.tobytes(a), cv.core.tobytes(m(x)))
    end)

    it("evaluates to {loss, metrics...} in compile order, or a table by name", function()
      cv.manual_seed(3)
      local m = cv.Sequential{cv.Input{4}, L.Dense(3)}
      m:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true},
                metrics = {cv.metrics.SparseTopKCategoricalAccuracy{k = 3}, "accuracy"}}
      local x, y = cv.randn{6, 4}, cv.tensor{1, 2, 3, 1, 2, 3}
      local r = m:evaluate(x, y, {verbose = 0, batch_size = 4})
      assert.are.equal(3, #r)
      assert.are.equal(1, r[2])                        -- top-3 of 3 classes
      local d = m:evaluate(x, y, {verbose = 0, return_dict = true})
      assert.are.equal(r[3], d.accuracy)
      local loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}(y, m:predict(x))
      assert.is_true(math.abs(r[1] - loss) < 1e-6)
    end)

    it("trains on one batch with train_on_batch", function()
      cv.manual_seed(5)
      local m = cv.Sequential{cv.Input{2}, L.Dense(1)}
      m:compile{optimizer = cv.optimizers.SGD{learning_rate = 0.1}, loss = "mse", metrics = {"mae"}}
      local x, y = cv.randn{4, 2}, cv.randn{4, 1}
      local before = m:evaluate(x, y, {verbose = 0})
      local r = m:train_on_batch(x, y)
      assert.are.equal(2, #r)
      assert.is_true(math.abs(r[1] - before[1]) < 1e-6)       -- the loss before the update
      assert.is_true(m:evaluate(x, y, {verbose = 0})[1] < before[1])
    end)

    it("accepts uint8 images and labels as a Lua table or (N, 1) tensor", function()
      cv.manual_seed(4)
      local m = cv.Sequential{cv.Input{2, 2, 1}, L.Rescaling(1 / 255), L.Flatten(), L.Dense(2)}
      m:compile{optimizer = "sgd", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
      local x = (cv.rand{4, 2, 2, 1} * 255):astype("uint8")
      local r1 = m:evaluate(x, {1, 2, 2, 1}, {verbose = 0})
      local r2 = m:evaluate(x, cv.tensor{{1}, {2}, {2}, {1}}, {verbose = 0})
      assert.are.equal(r1[1], r2[1])
      assert.has_error(function() m:evaluate(x, {1, 2}, {verbose = 0}) end, "evaluate: x has 4 samples but y has 2")
    end)
  end)

  describe("options", function()
    local function model()
      local m = cv.Sequential{cv.Input{4}, L.Dense(3)}
      m:compile{optimizer = "sgd", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
      return m
    end
    -- the error of f(), which must be raised at this file's line
    local function err(f)
      local ok, e = pcall(f)
      assert.is_false(ok)
      return e
    end
    local x, y = cv.zeros{4, 4}, cv.ones{4}

    it("predict and evaluate refuse bad batch sizes, verbose values and unknown options", function()
      local m = model()
      for _, bs in ipairs{0, -1, 1.5, "2"} do
        assert.truthy(err(function() m:predict(x, {batch_size = bs}) end)
          :find("^spec/models_spec.lua:%d+: bad argument to 'predict' %(batch_size must be an integer >= 1"), bs)
        assert.truthy(err(function() m:evaluate(x, y, {batch_size = bs, verbose = 0}) end)
          :find("bad argument to 'evaluate' (batch_size must be an integer >= 1", 1, true))
      end
      assert.truthy(err(function() m:predict(x, {verbose = "x"}) end):find("verbose must be 0, 1, 2 or \"auto\"", 1, true))
      assert.truthy(err(function() m:predict(x, {batchsize = 2}) end):find("unknown option 'batchsize'", 1, true))
      assert.truthy(err(function() m:evaluate(x, y, {verbos = 0}) end):find("unknown option 'verbos'", 1, true))
      assert.truthy(err(function() m:predict(x, 5) end):find("options table expected", 1, true))
      assert.are.same({4, 3}, m:predict(x, {batch_size = 3, verbose = 0}).shape)
    end)

    it("fit refuses bad epochs, verbose, validation_split, initial_epoch and callbacks", function()
      local m = model()
      local cases = {
        {{epochs = -1}, "epochs must be an integer >= 0, got -1"},
        {{epochs = 1.5}, "epochs must be an integer >= 0, got 1.5"},
        {{epochs = "3"}, "epochs must be an integer >= 0, got 3"},
        {{verbose = "yes"}, "verbose must be 0, 1, 2 or \"auto\", got yes"},
        {{validation_split = -0.1}, "validation_split must be a number in [0, 1), got -0.1"},
        {{validation_split = 1}, "validation_split must be a number in [0, 1), got 1"},
        {{initial_epoch = "a"}, "initial_epoch must be an integer >= 0"},
        {{callbacks = 5}, "callbacks must be a list, got number"},
      }
      for _, c in ipairs(cases) do
        assert.truthy(err(function() m:fit(x, y, c[1]) end):find("bad argument to 'fit' (" .. c[2], 1, true), c[2])
      end
    end)

    it("fit and evaluate refuse empty data instead of reporting a loss of nothing", function()
      local m = model()
      assert.truthy(err(function() m:fit(cv.zeros{0, 4}, cv.ones{0}, {verbose = 0}) end):find("fit: x holds no samples", 1, true))
      assert.truthy(err(function() m:evaluate(cv.zeros{0, 4}, cv.ones{0}, {verbose = 0}) end)
        :find("evaluate: x holds no samples", 1, true))
      assert.are.same({0, 3}, m:predict(cv.zeros{0, 4}).shape)    -- predicting nothing is fine
    end)

    it("compile wants a list of metrics, as Keras", function()
      local m = cv.Sequential{cv.Input{4}, L.Dense(3)}
      assert.truthy(err(function() m:compile{optimizer = "sgd", loss = "mse", metrics = "mae"} end)
        :find("bad argument to 'compile' (metrics must be a list such as {\"accuracy\"}, got \"mae\")", 1, true))
    end)
  end)

  it("sends cv.Model{inputs=, outputs=} to the functional API, which names a bad argument", function()
    local ok, err = pcall(function() return cv.Model{inputs = {}, outputs = {}} end)
    assert.is_false(ok)
    assert.is_truthy(err:find("bad argument to 'Model' (inputs must be a symbolic tensor", 1, true))
  end)
end)

describe("model.trainable", function()

  it("freezes every layer of a Sequential, and unfreezes them again", function()
    cv.clear_session()
    local m = cv.Sequential{L.Input{4}, L.Dense(3), L.Dense(2)}
    assert.is_true(m.trainable)
    m.trainable = false
    assert.is_false(m.trainable)
    for _, l in ipairs(m.layers) do assert.is_false(l.trainable) end
    assert.equal(0, #m:params())
    local lines = table.concat(m:summary_lines(), "\n")
    assert.matches("Trainable params: 0 ", lines)
    assert.matches("Non%-trainable params: 23 ", lines)
    m.trainable = true
    for _, l in ipairs(m.layers) do assert.is_true(l.trainable) end
    assert.equal(4, #m:params())
  end)

  it("leaves a frozen Sequential's weights bit-identical when it trains inside another model", function()
    cv.clear_session()
    cv.manual_seed(5)
    local base = cv.Sequential{L.Input{4}, L.Dense(3, {activation = "tanh"})}
    local inputs = cv.Input{4}
    local head = L.Dense(2)
    local model = cv.Model{inputs = inputs, outputs = head(base(inputs, {training = false}))}
    base.trainable = false
    model:compile{optimizer = "adam", loss = "mse"}
    local before, head_before = base:get_weights(), head:get_weights()
    local x, y = cv.rand{8, 4}, cv.rand{8, 2}
    model:fit(x, y, {epochs = 2, verbose = 0})
    local after = base:get_weights()
    for i = 1, #before do assert.same(before[i]:totable(), after[i]:totable()) end
    assert.are_not.same(head_before[1]:totable(), head:get_weights()[1]:totable())
  end)
end)

describe("models.table_lines", function()
  it("draws Keras 3's box table, right-aligning and wrapping cells", function()
    local models = require "cvision.models"
    local lines = models.table_lines({5, 3}, {"left", "right"}, {"a", "n"}, {{"x", "1"}, {"long word", "22"}})
    assert.same({
      "┏━━━━━━━┳━━━━━┓",
      "┃ a     ┃   n ┃",
      "┡━━━━━━━╇━━━━━┩",
      "│ x     │   1 │",
      "├───────┼─────┤",
      "│ long  │  22 │",
      "│ word  │     │",
      "└───────┴─────┘"}, lines)
  end)
end)

describe("NaN input", function()
  it("is refused by fit, evaluate and predict, naming the sample", function()
    cv.clear_session()
    local m = cv.Sequential{cv.layers.Input{4}, cv.layers.Dense(2, {activation = "relu"})}
    m:compile{optimizer = "adam", loss = "mse"}
    local x = cv.zeros{3, 4}
    x:set(2, 3, 0 / 0)
    local msg = "x holds NaN or infinity (sample 2, element 3 of 4)"
    assert.has_error(function() m:fit(x, cv.zeros{3, 2}, {verbose = 0}) end, "fit: " .. msg)
    assert.has_error(function() m:evaluate(x, cv.zeros{3, 2}) end, "evaluate: " .. msg)
    assert.has_error(function() m:predict(x) end, "predict: " .. msg)
  end)
end)
