-- Finite-difference gradient checks (spec/helpers/gradcheck.lua) of every layer, activation and
-- loss: the input gradient and every parameter gradient, on tiny inputs, central differences in
-- float32 with the loss accumulated in float64.
local cv = require "cvision"
local gc = require "spec.helpers.gradcheck"
local L = cv.layers
local nn = cv.core.nn

-- values in [-1, 1) that stay at least `gap` away from each other and from 0, so no
-- perturbation of +-eps crosses a kink (relu at 0, max-pool ties)
local function spread(shape, seed, gap)
  local n = 1
  for i = 1, #shape do n = n * shape[i] end
  gap = gap or 0.05
  local rnd = gc.lcg(seed or 1)
  -- a shuffled grid: distinct multiples of gap, none near 0
  local vals = {}
  for i = 1, n do
    local k = i - (n + 1) / 2
    vals[i] = (k >= 0 and k + 0.5 or k - 0.5) * gap
  end
  for i = n, 2, -1 do
    local j = math.floor(rnd() * i) + 1
    vals[i], vals[j] = vals[j], vals[i]
  end
  return cv.tensor(vals):reshape(shape)
end

local function assert_grads(layer, x, opts)
  local ok, report = gc.check_layer(layer, x, opts)
  assert(ok, layer:tag() .. ":\n" .. report)
end

local function smooth_input(shape, seed)
  cv.manual_seed(seed or 3)
  return cv.rand(shape, -1, 1)
end

describe("gradient check", function()
  before_each(function() cv.manual_seed(42) end)

  describe("of the helper itself", function()
    it("reports a wrong analytic gradient", function()
      local x = cv.tensor{1, 2, 3}
      local f = function() local v = gc.values(x); return v[1] * v[1] + 3 * v[2] end
      local ok = gc.check_scalar(f, {{value = x, grad = {2, 3, 0}, name = "x"}})
      assert.is_true(ok)
      local bad, report = gc.check_scalar(f, {{value = x, grad = {2, 3, 1}, name = "x"}})
      assert.is_false(bad)
      assert.matches("x%[3%]", report)
    end)
  end)

  describe("of layers", function()
    it("Dense (input, kernel, bias), with and without an activation", function()
      assert_grads(L.Dense(3), smooth_input{4, 5})
      assert_grads(L.Dense(3, {activation = "tanh"}), smooth_input{2, 4})
      assert_grads(L.Dense(2, {use_bias = false, activation = "sigmoid"}), smooth_input{3, 3})
    end)

    it("Dense on rank-3 input (last axis)", function()
      assert_grads(L.Dense(3), smooth_input{2, 3, 4})
    end)

    it("Conv2D valid/same, strides 1 and 2, rectangular kernels", function()
      assert_grads(L.Conv2D(2, 3), smooth_input{2, 5, 4, 2})
      assert_grads(L.Conv2D(3, {2, 3}, {padding = "same", strides = 2, activation = "tanh"}),
        smooth_input{2, 5, 6, 2})
      assert_grads(L.Conv2D(2, 1, {use_bias = false}), smooth_input{1, 3, 3, 3})
    end)

    it("Conv2D 3x3 with channels and filters in multiples of 8 (Winograd on AVX2 CPUs), same and valid", function()
      assert_grads(L.Conv2D(8, 3, {padding = "same"}), smooth_input{1, 3, 5, 8})
      assert_grads(L.Conv2D(8, 3, {activation = "tanh"}), smooth_input{2, 5, 4, 8})
    end)

    it("DepthwiseConv2D with a depth multiplier", function()
      assert_grads(L.DepthwiseConv2D(3, {depth_multiplier = 2, padding = "same"}), smooth_input{2, 4, 5, 2})
      assert_grads(L.DepthwiseConv2D({2, 2}, {strides = 2}), smooth_input{1, 5, 5, 3})
    end)

    it("SeparableConv2D (depthwise, pointwise, bias)", function()
      assert_grads(L.SeparableConv2D(3, 3, {padding = "same", depth_multiplier = 2}), smooth_input{2, 4, 4, 2})
      assert_grads(L.SeparableConv2D(2, 2, {strides = 2, activation = "sigmoid"}), smooth_input{1, 5, 4, 3})
    end)

    it("MaxPooling2D valid, same and overlapping windows", function()
      assert_grads(L.MaxPooling2D(), spread({2, 4, 4, 2}, 1))
      assert_grads(L.MaxPooling2D{pool_size = 3, strides = 2, padding = "same"}, spread({1, 5, 6, 2}, 2))
      assert_grads(L.MaxPooling2D{pool_size = {2, 3}, strides = 1}, spread({1, 4, 5, 1}, 3))
    end)

    it("AveragePooling2D valid and same (padding cells not counted)", function()
      assert_grads(L.AveragePooling2D(), smooth_input{2, 4, 4, 2})
      assert_grads(L.AveragePooling2D{pool_size = 3, strides = 2, padding = "same"}, smooth_input{1, 5, 6, 2})
    end)

    it("GlobalAveragePooling2D", function()
      assert_grads(L.GlobalAveragePooling2D(), smooth_input{2, 3, 4, 3})
      assert_grads(L.GlobalAveragePooling2D{keepdims = true}, smooth_input{2, 2, 3, 2})
    end)

    it("GlobalMaxPooling2D (distinct values: the maximum is unique)", function()
      assert_grads(L.GlobalMaxPooling2D(), spread({2, 3, 4, 3}, 4))
      assert_grads(L.GlobalMaxPooling2D{keepdims = true}, spread({1, 2, 3, 2}, 5))
    end)

    it("ZeroPadding2D", function()
      assert_grads(L.ZeroPadding2D{{1, 2}, {0, 3}}, smooth_input{2, 3, 2, 2})
    end)

    it("Flatten, Reshape and Rescaling", function()
      assert_grads(L.Flatten(), smooth_input{2, 3, 2, 2})
      assert_grads(L.Reshape{{6, 2}}, smooth_input{2, 3, 2, 2})
      assert_grads(L.Rescaling(0.5, {offset = -1}), smooth_input{2, 3})
    end)

    it("BatchNormalization in training (batch statistics) and inference (moving statistics)", function()
      local bn = L.BatchNormalization()
      local x = smooth_input{4, 2, 2, 3}
      bn:build({2, 2, 3})
      bn:set_weights{cv.tensor{1.5, 0.5, -1}, cv.tensor{0.1, 0.2, 0.3}, cv.tensor{0.1, -0.2, 0},
        cv.tensor{0.5, 2, 1}}
      assert_grads(bn, x, {training = true})
      assert_grads(bn, x, {training = false})
      assert_grads(L.BatchNormalization{center = false, scale = false}, smooth_input{5, 3}, {training = true})
    end)

    it("Dropout in training (same mask for every pass) and at inference", function()
      assert_grads(L.Dropout(0.5), smooth_input{3, 4}, {training = true, seed = 9})
      assert_grads(L.Dropout(0.5), smooth_input{3, 4}, {training = false})
    end)

    it("Dropout with a noise_shape (one draw per sample, EfficientNet's stochastic depth)", function()
      assert_grads(L.Dropout(0.5, {noise_shape = {false, 1, 1, 1}}), smooth_input{4, 2, 2, 3}, {training = true, seed = 9})
      assert_grads(L.Dropout(0.5, {noise_shape = {false, 1, 3}}), smooth_input{3, 2, 3}, {training = true, seed = 5})
    end)

    it("Normalization: adapted weights, given mean and variance, inverted", function()
      local n = L.Normalization()
      n:adapt(smooth_input({6, 2, 3}, 8) * 3 + 1)
      assert_grads(n, smooth_input{2, 2, 3})
      assert_grads(L.Normalization{mean = {1, -2, 0.5}, variance = {4, 0.25, 2}}, smooth_input{2, 3})
      assert_grads(L.Normalization{mean = 0.5, variance = 2, invert = true}, smooth_input{2, 3})
    end)

    it("the activation layers", function()
      local x = spread({3, 7}, 4)
      assert_grads(L.Activation("relu"), x)
      assert_grads(L.Activation("softmax"), smooth_input{3, 5})
      assert_grads(L.ReLU(), x)
      assert_grads(L.ReLU{max_value = 6}, x * 8)
      assert_grads(L.ReLU{negative_slope = 0.1}, x)
      assert_grads(L.ReLU{max_value = 1.2, negative_slope = 0.1, threshold = 0.4}, x * 4)
      assert_grads(L.LeakyReLU(), x)
      assert_grads(L.Softmax(), smooth_input{2, 4})
    end)
  end)

  describe("of a custom layer made with cv.layers.class", function()
    -- y = x * alpha (one learnt scale per feature): the contract a user follows for a new layer
    local Scale = L.class("Scale", nil, {positional = {"init"}, defaults = {init = 1.5}})
    function Scale:init(a) self.init_value = a.init end
    function Scale:_build(s) self:add_weight("alpha", cv.full({s[#s]}, self.init_value)) end
    function Scale:_forward(x)
      self._x = x
      local y = self:buf("y", x.shape)
      y:copy(x * self.weights[1])
      return y
    end
    function Scale:_backward(dy)
      if self:_grad(1) then self.grads[1]:add_((dy * self._x):sum(1)) end
      local dx = self:buf("dx", dy.shape)
      dx:copy(dy * self.weights[1])
      return dx
    end
    function Scale:_config() return {init = self.init_value} end

    it("passes the check, trains inside a model and round-trips its config", function()
      assert_grads(Scale(), smooth_input{4, 3})
      assert_grads(Scale{init = -0.5}, smooth_input{2, 5})
      local s = Scale(2.0, {name = "scale"})
      assert.are.equal("scale", s.name)
      assert.are.equal("Scale", s.class_name)
      assert.truthy(tostring(s):find("Scale scale", 1, true))
      local m = cv.Sequential{cv.Input{3}, s, L.Dense(2)}
      m:compile{optimizer = cv.optimizers.SGD{learning_rate = 0.1}, loss = "mse"}
      local x, y = smooth_input({8, 3}, 5), smooth_input({8, 2}, 6)
      local before = m:evaluate(x, y, {verbose = 0})[1]
      m:fit(x, y, {epochs = 5, batch_size = 4, verbose = 0})
      assert.is_true(m:evaluate(x, y, {verbose = 0})[1] < before)
      assert.are_not.same({2, 2, 2}, gc.values(s.weights[1]))   -- alpha was trained
      local back = L.from_config("Scale", s:get_config())
      assert.are.equal(2.0, back.init_value)
      assert.are.equal("scale", back.name)
      assert.is_true(L.is_layer(back))
      assert.are.equal(Scale, L.get("Scale"))
      -- a model holding it saves and loads back
      local file = os.tmpname()
      m:save(file)
      local loaded = cv.models.load_model(file)
      os.remove(file)
      assert.are.equal("Scale", loaded.layers[1].class_name)
      assert.are.same(gc.values(s.weights[1]), gc.values(loaded.layers[1].weights[1]))
      assert.are.same(gc.values(m:predict(x)), gc.values(loaded:predict(x)))
      local ok, err = pcall(function() local bad = Scale{inti = 1} return bad end)
      assert.is_false(ok)
      assert.truthy(err:find("bad argument to 'Scale' (unknown keyword argument 'inti')", 1, true), err)
    end)
  end)

  describe("of augmentation layers (the adjoint of each transform)", function()
    it("RandomFlip, RandomRotation, RandomZoom, RandomTranslation", function()
      for _, layer in ipairs{L.RandomFlip(), L.RandomRotation(0.1), L.RandomZoom(0.3, 0.2, {fill_mode = "nearest"}),
          L.RandomTranslation(0.2, 0.3, {fill_mode = "wrap"}),
          L.RandomRotation(0.2, {fill_mode = "constant", interpolation = "nearest"})} do
        assert_grads(layer, smooth_input{2, 5, 6, 2}, {training = true, seed = 3})
      end
    end)

    it("RandomContrast, with and without clipping", function()
      assert_grads(L.RandomContrast(0.5, {value_range = {-10, 10}}), smooth_input{2, 4, 5, 2}, {training = true, seed = 3})
      -- clipping makes kinks: a small step keeps the perturbations on one side
      assert_grads(L.RandomContrast(0.5, {value_range = {-0.5, 0.5}}), smooth_input{2, 4, 5, 2},
        {training = true, seed = 3, eps = 1e-4, atol = 1e-2})
    end)
  end)

  describe("of whole models", function()
    it("a small CNN with every kind of layer, in training (dropout mask fixed by the seed)", function()
      local model = cv.Sequential{
        L.Input{6, 5, 2},
        L.Rescaling(0.5),
        L.Conv2D(3, 3, {padding = "same", activation = "tanh"}),
        L.BatchNormalization(),
        L.AveragePooling2D(),
        L.SeparableConv2D(2, 2, {padding = "same", activation = "sigmoid"}),
        L.Flatten(),
        L.Dropout(0.3),
        L.Dense(4, {activation = "softmax"}),
      }
      local ok, report = gc.check_model(model, smooth_input{3, 6, 5, 2}, {training = true, seed = 5, max_checks = 12})
      assert(ok, report)
    end)
  end)

  describe("of activations", function()
    for _, name in ipairs{"relu", "leaky_relu", "relu6", "tanh", "sigmoid", "softmax", "exponential", "linear",
        "silu", "swish", "elu", "gelu", "softplus", "elu alpha=0.5", "leaky_relu alpha=0.1"} do
      it(name, function()
        local base, alpha = name:match("^(%S+) alpha=(%S+)$")
        local act = cv.activations.get(base or name, tonumber(alpha))
        -- spread values away from 0, 6 (relu6) and each other; x*4 covers [-4, 4)
        local x = spread({3, 6}, 5) * 4 + (name == "relu6" and 3 or 0)
        local ok, report = gc.check_fn(
          function(v) local y = cv.zeros(v.shape); return act:forward(y, v) end,
          function(dy, v, y) local dx = cv.zeros(v.shape); return act:backward(dx, dy, v, y) end,
          x)
        assert(ok, name .. ":\n" .. report)
      end)
    end
  end)

  describe("of losses", function()
    local function check_loss(name, pred, target, from_logits)
      local dpred = cv.zeros(pred.shape)
      nn.loss(name, dpred, pred, target, from_logits)
      local f = function() return nn.loss(name, nil, pred, target, from_logits) end
      local ok, report = gc.check_scalar(f, {{value = pred, grad = dpred:clone(), name = name}},
        {eps = 1e-3, atol = 1e-4})
      assert(ok, name .. ":\n" .. report)
    end

    it("sparse_categorical_crossentropy from logits and from probabilities", function()
      local logits = smooth_input{4, 5}
      local target = cv.tensor{1, 5, 3, 2}
      check_loss("sparse_categorical_crossentropy", logits, target, true)
      local probs = cv.activations.softmax(logits)
      check_loss("sparse_categorical_crossentropy", probs, target, false)
    end)

    it("categorical_crossentropy", function()
      local logits = smooth_input{3, 4}
      local onehot = cv.tensor{{0, 1, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 1}}
      check_loss("categorical_crossentropy", logits, onehot, true)
      check_loss("categorical_crossentropy", cv.activations.softmax(logits), onehot, false)
    end)

    it("binary_crossentropy", function()
      local logits = smooth_input{4, 1}
      local t = cv.tensor{{0}, {1}, {1}, {0}}
      check_loss("binary_crossentropy", logits, t, true)
      check_loss("binary_crossentropy", cv.activations.sigmoid(logits), t, false)
    end)

    it("mean_squared_error, mean_absolute_error and poisson", function()
      local pred = spread({3, 4}, 6) + 2
      local t = smooth_input({3, 4}, 7) + 2
      check_loss("mean_squared_error", pred, t)
      check_loss("mean_absolute_error", pred, t)
      check_loss("poisson", pred, t)
    end)
  end)
end)
