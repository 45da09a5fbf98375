-- spec/losses_spec.lua: cv.losses against values computed by hand (Keras' formulas).
local cv = require "cvision"
local losses = cv.losses

local function near(a, b, tol) return math.abs(a - b) <= (tol or 1e-5) * math.max(1, math.abs(b)) end

local function sigmoid(z) return 1 / (1 + math.exp(-z)) end

describe("cv.losses", function()
  it("computes sparse categorical crossentropy on probabilities with 1-based labels", function()
    local p = cv.tensor{{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}}
    local y = cv.tensor{1, 2}
    local want = (-math.log(0.7) - math.log(0.8)) / 2
    assert.is_true(near(losses.SparseCategoricalCrossentropy()(y, p), want))
    assert.is_true(near(losses.get("sparse_categorical_crossentropy")(y, p), want))
  end)

  it("computes sparse categorical crossentropy from logits", function()
    local z = cv.tensor{{2, 1, 0}}
    local lse = math.log(math.exp(2) + math.exp(1) + 1)
    local l = losses.SparseCategoricalCrossentropy{from_logits = true}
    assert.is_true(near(l(cv.tensor{2}, z), lse - 1))
  end)

  it("computes categorical crossentropy on one-hot targets", function()
    local p = cv.tensor{{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}}
    local y = cv.tensor{{1, 0, 0}, {0, 1, 0}}
    assert.is_true(near(losses.CategoricalCrossentropy()(y, p), (-math.log(0.7) - math.log(0.8)) / 2))
  end)

  it("computes binary crossentropy on probabilities and on logits", function()
    local p = cv.tensor{{0.9}, {0.2}}
    local y = cv.tensor{{1}, {0}}
    assert.is_true(near(losses.BinaryCrossentropy()(y, p), (-math.log(0.9) - math.log(0.8)) / 2))
    local z = cv.tensor{{1.5}, {-0.5}}
    local want = (-math.log(sigmoid(1.5)) - math.log(1 - sigmoid(-0.5))) / 2
    assert.is_true(near(losses.BinaryCrossentropy{from_logits = true}(y, z), want))
  end)

  it("computes Poisson, mean squared and mean absolute error", function()
    local p = cv.tensor{{1, 2}, {3, 4}}
    local y = cv.tensor{{0, 2}, {5, 1}}
    local pois = 0
    for _, py in ipairs{{1, 0}, {2, 2}, {3, 5}, {4, 1}} do
      pois = pois + py[1] - py[2] * math.log(py[1] + 1e-7)
    end
    assert.is_true(near(losses.Poisson()(y, p), pois / 4))
    assert.is_true(near(losses.MeanSquaredError()(y, p), (1 + 0 + 4 + 9) / 4))
    assert.is_true(near(losses.MeanAbsoluteError()(y, p), (1 + 0 + 2 + 3) / 4))
    assert.is_true(near(losses.get("mse")(y, p), 3.5))
    assert.is_true(near(losses.get("mae")(y, p), 1.5))
  end)

  it("writes the gradient of the mean loss when asked", function()
    local p = cv.tensor{{1, 2}, {3, 4}}
    local y = cv.tensor{{0, 2}, {5, 1}}
    local d = cv.zeros{2, 2}
    local v = losses.MeanSquaredError():compute(p, y, d)
    assert.is_true(near(v, 3.5))
    local g = d:totable()
    assert.is_true(near(g[1][1], 2 * 1 / 4))
    assert.is_true(near(g[2][1], 2 * -2 / 4))
    assert.is_true(near(g[2][2], 2 * 3 / 4))
  end)

  it("resolves names, class names and configs, and rejects unknown ones", function()
    assert.are.equal("SparseCategoricalCrossentropy", losses.get("SparseCategoricalCrossentropy").class_name)
    assert.are.equal("mean_squared_error", losses.get("mean_squared_error").name)
    local l = losses.get{class_name = "BinaryCrossentropy", config = {from_logits = true}}
    assert.is_true(l.from_logits)
    assert.has_error(function() losses.get("hinge_of_doom") end,
      "unknown loss 'hinge_of_doom' (known: binary_crossentropy, categorical_crossentropy, mae, mean_absolute_error, mean_squared_error, mse, poisson, sparse_categorical_crossentropy)")
    assert.has_error(function() losses.MeanSquaredError{from_logits = true} end,
      "bad argument to 'MeanSquaredError' (unknown option 'from_logits')")
    local s = losses.serialize(losses.SparseCategoricalCrossentropy{from_logits = true})
    assert.are.same({class_name = "SparseCategoricalCrossentropy",
      config = {name = "sparse_categorical_crossentropy", reduction = "sum_over_batch_size", from_logits = true}}, s)
  end)

  it("knows which losses take class numbers", function()
    assert.is_true(losses.SparseCategoricalCrossentropy():is_sparse())
    assert.is_false(losses.CategoricalCrossentropy():is_sparse())
  end)

  it("called as loss(y_true, y_pred) takes tables and uint8, and raises at the caller's line", function()
    local mse = cv.losses.get("mse")
    assert.are.equal(2.5, mse(cv.tensor({{1, 2}}):astype("uint8"), {{0, 4}}))
    local ok, e = pcall(function() local v = mse(cv.ones{2, 3}, cv.ones{2, 2}) return v end)
    assert.is_false(ok)
    assert.truthy(e:find("^spec/losses_spec.lua:%d+: mean_squared_error: target %(2, 3%) and pred %(2, 2%) differ in size"), e)
    ok, e = pcall(function() local v = mse(nil, cv.ones{2, 2}) return v end)
    assert.is_false(ok)
    assert.truthy(e:find("^spec/losses_spec.lua:%d+: mean_squared_error: y_true must be a tensor, got nil"), e)
  end)
end)

describe("the poisson loss with an exponential output (the tabular case)", function()
  it("is Keras' mean(y_pred - y_true * log(y_pred + 1e-7)), epsilon included at y_pred = 0", function()
    local p = cv.tensor{{0}, {0.5}, {2}}
    local y = cv.tensor{{1}, {0}, {3}}
    local eps = string.unpack("f", string.pack("f", 1e-7))   -- Keras' epsilon as a float32
    local want = ((0 - math.log(eps)) + 0.5 + (2 - 3 * math.log(2 + eps))) / 3
    assert.is_true(near(losses.get("poisson")(y, p), want))
    assert.is_true(near(want, 5.512885, 1e-6))   -- (16.11810 + 0.5 + (2 - 3 log 2)) / 3
  end)

  it("has the canonical-link gradient exp(z) - y through the exponential activation", function()
    local z = cv.tensor{{-1.5}, {0.2}, {1.1}, {0}}
    local y = cv.tensor{{0}, {1}, {4}, {2}}
    local act = cv.activations.get("exponential")
    local mu = act:forward(cv.zeros(z.shape), z)
    local dmu = cv.zeros(z.shape)
    losses.Poisson():compute(mu, y, dmu)
    local dz = act:backward(cv.zeros(z.shape), dmu, z, mu):totable()
    local zs, ys = z:totable(), y:totable()
    for i = 1, 4 do
      local g = (math.exp(zs[i][1]) - ys[i][1]) / 4
      assert.is_true(math.abs(dz[i][1] - g) < 1e-5, ("row %d: %.7g, expected %.7g"):format(i, dz[i][1], g))
    end
  end)
end)
