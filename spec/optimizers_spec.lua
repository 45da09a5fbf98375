-- spec/optimizers_spec.lua: Keras' defaults and single update steps against Keras 3's formulas.
local cv = require "cvision"
local opt = cv.optimizers

local function near(a, b, tol) return math.abs(a - b) <= (tol or 1e-6) * math.max(1, math.abs(b)) end

-- one parameter tensor with its gradient
local function param(values, grads)
  return {value = cv.tensor(values), grad = cv.tensor(grads), name = "kernel", path = "dense/kernel"}
end

describe("cv.optimizers", function()
  it("has Keras' defaults", function()
    local a = opt.Adam()
    assert.are.equal(0.001, a.learning_rate)
    assert.are.equal(0.9, a.beta_1)
    assert.are.equal(0.999, a.beta_2)
    assert.are.equal(1e-7, a.epsilon)
    assert.are.equal(0.01, opt.SGD().learning_rate)
    assert.are.equal(0, opt.SGD().momentum)
    assert.are.equal(0.001, opt.RMSprop().learning_rate)
    assert.are.equal(0.9, opt.RMSprop().rho)
  end)

  it("accepts names and a learning_rate on every optimizer", function()
    assert.are.equal("Adam", opt.get("adam").class_name)
    assert.are.equal("SGD", opt.get("sgd").class_name)
    assert.are.equal("RMSprop", opt.get("rmsprop").class_name)
    for _, c in ipairs{opt.Adam, opt.SGD, opt.RMSprop} do
      assert.are.equal(0.5, c{learning_rate = 0.5}.learning_rate)
    end
    assert.has_error(function() opt.get("adamw_of_doom") end, "unknown optimizer 'adamw_of_doom' (known: adam, rmsprop, sgd)")
    assert.has_error(function() opt.Adam{learnig_rate = 0.1} end, "bad argument to 'Adam' (unknown option 'learnig_rate')")
  end)

  it("moves each weight by about the learning rate on Adam's first step", function()
    local a = opt.Adam{learning_rate = 0.01}
    local p = param({1, -2, 3}, {0.5, -4, 1e-3})
    a:apply{p}
    local v = p.value:totable()
    -- Keras 3: alpha = lr*sqrt(1-b2)/(1-b1); m = (1-b1) g; v = (1-b2) g^2; p -= alpha*m/(sqrt(v)+eps)
    for i, g in ipairs{0.5, -4, 1e-3} do
      local m, s = 0.1 * g, 0.001 * g * g
      local alpha = 0.01 * math.sqrt(1 - 0.999) / (1 - 0.9)
      local want = ({1, -2, 3})[i] - alpha * m / (math.sqrt(s) + 1e-7)
      assert.is_true(near(v[i], want, 1e-6))
      assert.is_true(math.abs(math.abs(v[i] - ({1, -2, 3})[i]) - 0.01) < 1e-4)
    end
    assert.are.equal(1, a.iterations)
  end)

  it("follows Adam's bias correction on the second step", function()
    local a = opt.Adam{learning_rate = 0.1}
    local p = param({0}, {1})
    a:apply{p}
    p.grad:fill(-2)
    a:apply{p}
    local m1, v1 = 0.1, 0.001
    local x = -0.1 * math.sqrt(1 - 0.999) / (1 - 0.9) * m1 / (math.sqrt(v1) + 1e-7)
    local m2, v2 = 0.9 * m1 + 0.1 * -2, 0.999 * v1 + 0.001 * 4
    x = x - 0.1 * math.sqrt(1 - 0.999 ^ 2) / (1 - 0.9 ^ 2) * m2 / (math.sqrt(v2) + 1e-7)
    assert.is_true(near(p.value:totable()[1], x, 1e-5))
  end)

  it("steps SGD plainly, with momentum and with Nesterov momentum", function()
    local p = param({1, 2}, {0.5, -1})
    opt.SGD{learning_rate = 0.1}:apply{p}
    local v = p.value:totable()
    assert.is_true(near(v[1], 0.95) and near(v[2], 2.1))

    local s = opt.SGD{learning_rate = 0.1, momentum = 0.9}
    p = param({1}, {1})
    s:apply{p}       -- velocity = -0.1; p = 0.9
    s:apply{p}       -- velocity = 0.9*-0.1 - 0.1 = -0.19; p = 0.71
    assert.is_true(near(p.value:totable()[1], 0.71))

    local n = opt.SGD{learning_rate = 0.1, momentum = 0.9, nesterov = true}
    p = param({1}, {1})
    n:apply{p}       -- velocity = -0.1; p += 0.9*-0.1 - 0.1 = -0.19
    assert.is_true(near(p.value:totable()[1], 0.81))
  end)

  it("steps RMSprop as Keras 3 does", function()
    local r = opt.RMSprop{learning_rate = 0.01}
    local p = param({1}, {2})
    r:apply{p}
    local ms = 0.1 * 4
    assert.is_true(near(p.value:totable()[1], 1 - 0.01 * 2 / math.sqrt(ms + 1e-7), 1e-5))
  end)

  it("keeps state per parameter and hands it over for saving", function()
    local a = opt.Adam()
    local p1, p2 = param({1}, {1}), param({1, 2}, {1, 1})
    p2.path = "dense/bias"
    a:apply{p1, p2}
    local it, list = a:get_state()
    assert.are.equal(1, it)
    assert.are.equal(4, #list)
    assert.are.same({"dense/bias", "m"}, {list[1][1], list[1][2]})
    local b = opt.Adam()
    b:set_state(it, list)
    assert.are.equal(1, b.iterations)
    assert.are.equal(list[1][3], b.slots["dense/bias"].m)
  end)

  it("serializes to a config that get() turns back into the optimizer", function()
    local s = opt.serialize(opt.SGD{learning_rate = 0.05, momentum = 0.5, nesterov = true})
    local o = opt.get(s)
    assert.are.equal("SGD", o.class_name)
    assert.are.equal(0.05, o.learning_rate)
    assert.are.equal(0.5, o.momentum)
    assert.is_true(o.nesterov)
  end)

  it("refuses NaN and out-of-range hyper-parameters", function()
    local function err(f, a)
      local ok, e = pcall(f, a)
      assert.is_false(ok)
      return e
    end
    assert.truthy(err(opt.Adam, {learning_rate = 0 / 0}):find("learning_rate must be a non-negative number", 1, true))
    assert.truthy(err(opt.Adam, {learning_rate = math.huge}):find("learning_rate", 1, true))
    assert.truthy(err(opt.Adam, {beta_1 = 1.5}):find("beta_1 must be a number in [0, 1], got 1.5", 1, true))
    assert.truthy(err(opt.Adam, {epsilon = 0 / 0}):find("epsilon must be a number", 1, true))
    assert.truthy(err(opt.SGD, {momentum = 2}):find("momentum must be a number in [0, 1]", 1, true))
    assert.truthy(err(opt.SGD, {momentum = 0.9, nesterov = "yes"}):find("nesterov must be a boolean", 1, true))
    assert.truthy(err(opt.RMSprop, {rho = -0.1}):find("rho must be a number in [0, 1]", 1, true))
    assert.are.equal(0.5, opt.RMSprop{rho = 0.5}.rho)
  end)

  it("set_state refuses slots the optimizer does not have, partial slots and bad iteration counts", function()
    local a = opt.Adam()
    local t = cv.zeros{2}
    local function msg(f) local ok, e = pcall(f) assert.is_false(ok) return e end
    assert.truthy(msg(function() a:set_state(1, {{"d/k", "l", t}, {"d/k", "v", t}}) end)
      :find('Adam has no slot "l" (its slots: m, v)', 1, true))
    assert.truthy(msg(function() a:set_state(1, {{"d/k", "m", t}}) end):find("d/k has 1 of the 2 slots", 1, true))
    assert.truthy(msg(function() a:set_state("3", {}) end):find("iterations must be an integer in [0, 2^30)", 1, true))
    assert.truthy(msg(function() a:set_state(2 ^ 40 | 0, {}) end):find("iterations must be an integer in [0, 2^30)", 1, true))
    assert.truthy(msg(function() a:set_state(1, {{"d/k", "m", 5}}) end):find("entry 1 is not", 1, true))
    a:set_state(4, {{"d/k", "m", t}, {"d/k", "v", t}})
    assert.are.equal(4, a.iterations)
    -- SGD without momentum has no slot at all
    assert.truthy(msg(function() opt.SGD():set_state(1, {{"d/k", "velocity", t}}) end):find('no slot "velocity"', 1, true))
  end)

  it("makes a parameter's slots zero on its first step, keyed by its path, and reuses them after", function()
    local a = opt.RMSprop{momentum = 0.5}
    local p = param({1, 2}, {0.5, -0.5})
    assert.is_nil(a.slots["dense/kernel"])
    a:apply{p}
    local s = a.slots["dense/kernel"]
    assert.are.same({"mom", "ms"}, (function() local k = {} for n in pairs(s) do k[#k + 1] = n end table.sort(k) return k end)())
    assert.are.same({2}, s.ms.shape)
    assert.is_true(s.ms:totable()[1] > 0)
    a:apply{p}
    assert.are.equal(s, a.slots["dense/kernel"])
    assert.are.equal(s, a:slots_for(p))
    assert.are.equal(2, a.iterations)
    local sgd = opt.SGD()
    sgd:apply{p}
    assert.are.same({}, sgd.slots["dense/kernel"])   -- no momentum: no slots
  end)
end)

describe("optimizers with positional arguments (as Keras users write Adam(1e-5))", function()
  it("takes Keras' order, then a table of the rest", function()
    local a = opt.Adam(1e-5)
    assert.equal(1e-5, a.learning_rate)
    assert.equal(0.9, a.beta_1)
    local b = opt.Adam(1e-3, 0.8, {epsilon = 1e-6})
    assert.equal(0.8, b.beta_1)
    assert.equal(1e-6, b.epsilon)
    assert.equal(0.9, opt.SGD(0.1, 0.9).momentum)
  end)
  it("refuses an option given twice or too many positions", function()
    assert.has_error(function() opt.Adam(1e-3, {learning_rate = 2}) end, "bad argument to 'Adam' (learning_rate given twice)")
    assert.has_error(function() opt.Adam(1, 0.9, 0.999, 1e-7, 5) end)
    assert.has_error(function() opt.Adam(-1) end)
  end)
end)
