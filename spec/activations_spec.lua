-- cvision.activations (by name or function) and cvision.initializers (Keras' initialisers).
-- Gradients of the activations are checked in spec/gradcheck_spec.lua.
local tanh = require("spec.helpers.mathx").tanh
local cv = require "cvision"
local A = cv.activations
local I = cv.initializers

local function approx(expected, t, tol)
  local got = t:reshape{cv.core.numel(t)}:totable()
  assert.equal(#expected, #got)
  for i = 1, #expected do
    assert(math.abs(expected[i] - got[i]) <= (tol or 1e-6) * math.max(1, math.abs(expected[i])),
      ("at %d: expected %.7g, got %.7g"):format(i, expected[i], got[i]))
  end
end

local function sigmoid(v) return 1 / (1 + math.exp(-v)) end

describe("cvision.activations", function()
  local xs = {-3, -0.5, 0, 0.5, 7}
  local x = cv.tensor(xs)

  it("computes every activation as a function returning a new tensor", function()
    local expect = {
      relu = {0, 0, 0, 0.5, 7},
      leaky_relu = {-0.6, -0.1, 0, 0.5, 7},
      relu6 = {0, 0, 0, 0.5, 6},
      linear = xs,
    }
    expect.tanh, expect.sigmoid, expect.exponential, expect.silu, expect.swish = {}, {}, {}, {}, {}
    for i, v in ipairs(xs) do
      expect.tanh[i] = tanh(v)
      expect.sigmoid[i] = sigmoid(v)
      expect.exponential[i] = math.exp(v)
      expect.silu[i] = v * sigmoid(v)
      expect.swish[i] = v * sigmoid(v)
    end
    for name, e in pairs(expect) do
      local y = A[name](x)
      assert.is_false(rawequal(x, y))
      approx(e, y, 1e-5)
    end
    approx(xs, x) -- unchanged
  end)

  it("computes elu, gelu, softplus and leaky_relu with alpha as Keras", function()
    -- expected values from numpy 1.24 (/usr/bin/python3, math.erf for gelu) at spec-writing time
    approx({-0.950212931632136, -0.3934693402873666, 0, 0.5, 7}, A.elu(x), 1e-5)
    approx({-0.475106465816068, -0.1967346701436833, 0, 0.5, 7}, A.elu(x, 0.5), 1e-5)
    approx({-0.00404969409489031, -0.15426876936299344, 0, 0.34573123063700656, 6.999999999991041},
      A.gelu(x), 1e-5)
    approx({0.04858735157374206, 0.4740769841801067, 0.6931471805599453, 0.9740769841801067,
      7.000911466453775}, A.softplus(x), 1e-5)
    approx({-0.3, -0.05, 0, 0.5, 7}, A.leaky_relu(x, 0.1), 1e-6)
    -- np.logaddexp(0, [-100, 100]): no overflow, no loss of x
    approx({0, 100}, A.softplus(cv.tensor{-100, 100}), 1e-6)
    -- by name, as layers use them; get's alpha reaches elu as it does leaky_relu
    for _, name in ipairs{"elu", "gelu", "softplus"} do
      assert.equal(name, A.get(name).name)
      assert.equal(name, A.get(A[name]).name)
      assert.equal(name, A.serialize(name))
    end
    approx({-0.475106465816068, -0.1967346701436833, 0, 0.5, 7}, A.get("elu", 0.5):forward(cv.zeros{5}, x), 1e-5)
    approx({-0.3, -0.05, 0, 0.5, 7}, A.get("leaky_relu", 0.1):forward(cv.zeros{5}, x), 1e-6)
    local d = cv.layers.Dense(2, {activation = "gelu"})
    assert.equal("gelu", d:get_config().activation)
    assert.has_error(function() A.register("elu", function(v) return v end) end)
  end)

  it("softmax normalizes over the last axis", function()
    local y = A.softmax(cv.tensor{{1, 2, 3}, {0, 0, 0}})
    local z = math.exp(1) + math.exp(2) + math.exp(3)
    approx({math.exp(1) / z, math.exp(2) / z, math.exp(3) / z, 1 / 3, 1 / 3, 1 / 3}, y)
  end)

  it("gets an activation by name, by function, or linear for nil", function()
    assert.equal("relu", A.get("relu").name)
    assert.equal("relu", A.get("ReLU").name)
    assert.equal("softmax", A.get(A.softmax).name)
    assert.equal("linear", A.get(nil).name)
    assert.is_true(A.get().is_linear(A.get()))
    local layer = cv.layers.Dense(3, {activation = A.tanh})
    assert.equal("tanh", layer.activation.name)
    assert.equal("tanh", layer:get_config().activation)
  end)

  it("rejects an unknown name, listing the known ones", function()
    local ok, e = pcall(A.get, "rleu")
    assert.is_false(ok)
    assert.matches("unknown activation 'rleu' %(known: .*relu", e)
  end)

  it("uses a registered Lua activation with its derivative", function()
    A.register("square_act", function(v) return v * v end, function(dy, v) return dy * v * 2 end)
    local d = cv.layers.Dense(1, {activation = "square_act", use_bias = false})
    d:build{1}
    d:set_weights{cv.tensor{{2}}}
    approx({36}, d:forward(cv.tensor{{3}}))
    approx({2 * 6 * 2}, d:backward(cv.tensor{{1}}))
    assert.equal("square_act", d:get_config().activation)
  end)

  it("runs an unregistered function forward and explains why it has no backward", function()
    local d = cv.layers.Activation(function(v) return v * 2 end)
    approx({2, 4}, d:forward(cv.tensor{{1, 2}}))
    local ok, e = pcall(d.backward, d, cv.tensor{{1, 1}})
    assert.is_false(ok)
    assert.matches("has no derivative", e)
  end)
end)

describe("cvision.initializers", function()
  before_each(function() cv.manual_seed(11) end)

  it("computes fans as Keras (receptive field * channels for conv kernels)", function()
    assert.same({3 * 3 * 4, 3 * 3 * 8}, {I.compute_fans{3, 3, 4, 8}})
    assert.same({10, 20}, {I.compute_fans{10, 20}})
    assert.same({5, 5}, {I.compute_fans{5}})
  end)

  it("draws glorot_uniform and he_uniform within their limits", function()
    local w = I.glorot_uniform{40, 60}
    local limit = math.sqrt(6 / 100)
    assert.is_true(w:abs():max() <= limit and w:abs():max() > 0.9 * limit)
    assert.is_true(math.abs(w:mean()) < 0.01)
    local h = I.he_uniform{3, 3, 2, 4}
    assert.is_true(h:abs():max() <= math.sqrt(6 / 18))
  end)

  it("truncates glorot_normal and he_normal at two standard deviations with Keras' scale", function()
    local w = I.he_normal{200, 100}
    local std = math.sqrt(2 / 200) / 0.87962566103423978
    assert.is_true(w:abs():max() <= 2 * std + 1e-6)
    local m = w:mean()
    local sd = math.sqrt((w * w):mean() - m * m)
    assert.is_true(math.abs(sd - math.sqrt(2 / 200)) < 0.05 * math.sqrt(2 / 200), "std " .. sd)
    local g = I.glorot_normal{50, 50}
    assert.is_true(g:abs():max() <= 2 * math.sqrt(1 / 50) / 0.87962566103423978 + 1e-6)
  end)

  it("has zeros, ones, constant, random_normal, random_uniform", function()
    approx({0, 0, 0}, I.zeros{3})
    approx({1, 1}, I.ones{2})
    approx({2.5, 2.5}, I.get({class_name = "Constant", config = {value = 2.5}})({2}))
    local u = I.random_uniform{1000}
    assert.is_true(u:max() <= 0.05 and u:min() >= -0.05)
    local n = I.RandomNormal{mean = 1, stddev = 0.01}({1000})
    assert.is_true(math.abs(n:mean() - 1) < 0.01)
  end)

  it("checks arguments when made: types, NaN, and VarianceScaling's scale, mode and distribution", function()
    local function err(f, a) local ok, e = pcall(f, a) assert.is_false(ok) return e end
    assert.truthy(err(I.RandomNormal, {stddev = "a"}):find("bad argument to 'RandomNormal' (stddev must be a number, got a)", 1, true))
    assert.truthy(err(I.Constant, {value = 0 / 0}):find("value must be a number", 1, true))
    assert.truthy(err(I.VarianceScaling, {scale = 0}):find("scale must be positive, got 0", 1, true))
    assert.truthy(err(I.VarianceScaling, {mode = "fan_x"}):find("mode must be fan_in, fan_out or fan_avg, got fan_x", 1, true))
    assert.truthy(err(I.VarianceScaling, {distribution = "gauss"}):find("distribution must be", 1, true))
    local w = I.get({class_name = "VarianceScaling", config = {scale = 2, mode = "fan_out", distribution = "uniform"}})({50, 40})
    assert.is_true(w:abs():max() <= math.sqrt(3 * 2 / 40) + 1e-6)
  end)

  it("gets initializers by name, class name, config table or function and serializes them", function()
    assert.equal("glorot_uniform", I.serialize("glorot_uniform"))
    assert.equal("he_normal", I.serialize(I.HeNormal()))
    assert.same({class_name = "RandomNormal", config = {mean = 0, stddev = 0.2}},
      I.serialize(I.RandomNormal{mean = 0, stddev = 0.2}))
    assert.same({3}, I.get(function(shape) return cv.zeros(shape) end)({3}).shape)
    local ok, e = pcall(I.get, "glorot")
    assert.is_false(ok)
    assert.matches("unknown initializer 'glorot'", e)
  end)

  it("reproduces its draws after the same seed", function()
    cv.manual_seed(3)
    local a = I.glorot_normal{4, 5}:totable()
    cv.manual_seed(3)
    local b = I.glorot_normal{4, 5}:totable()
    assert.same(a, b)
  end)
end)
